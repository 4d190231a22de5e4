//! Saved comparisons: a question kept under a name, once it is known to run for the
//! user who saves it.

use chrono::NaiveDate;

use super::plan::plan;
use super::spec::Spec;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::models::programme::Programme;

/// Saves a comparison under a name, once it is known to run for this user.
pub fn save(
    conn: &mut DbConn,
    access: &crate::auth::Access,
    programme: &Programme,
    name: &str,
    spec: Spec,
    actor: &crate::models::audit::Actor,
    today: NaiveDate,
) -> AppResult<i32> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "give the comparison a name colleagues will recognise",
        ));
    }
    let n = name.chars().count();
    if n > MAX_NAME {
        return Err(AppError::invalid(
            "name",
            format!("{n} characters: at most {MAX_NAME}"),
        ));
    }
    let text = spec.to_query();
    plan(conn, programme, spec, today, Some(access))?.check_access(access)?;
    crate::db::write(conn, |conn| {
        let id = crate::models::comparison::insert(
            conn,
            programme.id,
            name,
            &text,
            actor.user_id,
            crate::clock::now(),
        )?;
        crate::models::audit::record(
            conn,
            crate::models::audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "comparison_saved",
                entity: "saved_comparison",
                entity_id: Some(id),
                programme_id: Some(programme.id),
                before: None,
                after: Some(serde_json::json!({ "name": name, "query": text })),
                detail: name.to_string(),
            },
        )?;
        Ok(id)
    })
}

/// The longest name a saved comparison may have.
pub const MAX_NAME: usize = 200;
