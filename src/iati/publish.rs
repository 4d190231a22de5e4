//! Publishing: a manager publishes a version of the programme's activity file, recorded
//! and audited like an issued report; `/iati/CODE.xml` serves the newest version byte
//! for byte until the next. Nothing unpublished is ever served there.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::{assemble, model::Activity, rules, xml};
use crate::db::schema::iati_publications;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::models::audit::{self, Actor};
use crate::models::programme::Programme;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = iati_publications)]
pub struct Publication {
    pub id: i32,
    pub programme_id: i32,
    pub version: i32,
    pub content: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub results: i32,
    pub actuals: i32,
    pub published_by: Option<i32>,
    pub published_at: NaiveDateTime,
}

/// How many actual values the file holds.
pub fn actuals_of(a: &Activity) -> usize {
    a.results
        .iter()
        .flat_map(|r| &r.indicators)
        .flat_map(|i| &i.periods)
        .map(|p| p.actuals.len())
        .sum()
}

/// The newest published version, if any.
pub fn latest(conn: &mut DbConn, programme_id: i32) -> AppResult<Option<Publication>> {
    Ok(iati_publications::table
        .filter(iati_publications::programme_id.eq(programme_id))
        .order(iati_publications::version.desc())
        .select(Publication::as_select())
        .first(conn)
        .optional()?)
}

/// Publishes the file as it is now: refused, with nothing written, while the
/// Validator's rules find any problem.
pub fn publish(
    conn: &mut DbConn,
    p: &Programme,
    public_url: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<Publication> {
    crate::db::write(conn, |conn| {
        let a = assemble::activity(conn, p, public_url, now)?;
        let problems = rules::check(&a, now);
        if let Some(first) = problems.first() {
            return Err(AppError::invalid(
                "publish",
                format!(
                    "the file has {} problem(s), listed below, and is not published; the first: {} {}{}: {}",
                    problems.len(),
                    first.rule,
                    first.element,
                    first.indicator.as_deref().map(|i| format!(" [{i}]")).unwrap_or_default(),
                    first.message
                ),
            ));
        }
        let content = xml::write(&a);
        let sha = crate::report::text::sha256_hex(content.as_bytes());
        let version = latest(conn, p.id)?.map_or(1, |l| l.version + 1);
        let id: i32 = diesel::insert_into(iati_publications::table)
            .values((
                iati_publications::programme_id.eq(p.id),
                iati_publications::version.eq(version),
                iati_publications::content.eq(&content),
                iati_publications::sha256.eq(&sha),
                iati_publications::size_bytes.eq(content.len() as i64),
                iati_publications::results.eq(a.results.len() as i32),
                iati_publications::actuals.eq(actuals_of(&a) as i32),
                iati_publications::published_by.eq(actor.user_id),
                iati_publications::published_at.eq(now),
            ))
            .returning(iati_publications::id)
            .get_result(conn)?;
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "iati_published",
                entity: "iati_publication",
                entity_id: Some(id),
                programme_id: Some(p.id),
                before: None,
                after: Some(json!({
                    "version": version, "identifier": a.identifier, "sha256": sha,
                    "bytes": content.len(), "results": a.results.len(), "actuals": actuals_of(&a),
                })),
                detail: format!("{} IATI v{version}", p.code),
            },
        )?;
        latest(conn, p.id)?.ok_or_else(|| AppError::Internal("publication vanished".into()))
    })
}

/// Sets the programme's DAC sectors from what a manager typed, if the programme is still
/// at `version`: `Ok(Err(message))` when the text is wrong (nothing written), an
/// `AppError::Conflict` when someone saved the programme first. Audited.
pub fn set_sectors(
    conn: &mut DbConn,
    p: &Programme,
    version: i32,
    typed: &str,
    actor: &Actor,
) -> AppResult<Result<String, String>> {
    let sectors = match super::sector::parse(typed) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let text = super::sector::canonical(&sectors);
    crate::db::write(conn, |conn| {
        let now = crate::models::programme::by_code(conn, &p.code)?;
        if now.iati_sectors == text {
            return Ok(Ok(text.clone()));
        }
        let n = crate::models::programme::set_iati_sectors_if_version(conn, p.id, version, &text)?;
        if n != 1 {
            return Err(AppError::Conflict(format!(
                "{} was changed after you opened this page (its sectors are now “{}”); reload and try again",
                p.code,
                if now.iati_sectors.is_empty() { "none" } else { &now.iati_sectors }
            )));
        }
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "iati_sectors_changed",
                entity: "programme",
                entity_id: Some(p.id),
                programme_id: Some(p.id),
                before: Some(json!({ "sectors": now.iati_sectors })),
                after: Some(json!({ "sectors": text })),
                detail: format!(
                    "{} sectors: {}",
                    p.code,
                    if text.is_empty() { "none" } else { &text }
                ),
            },
        )?;
        Ok(Ok(text.clone()))
    })
}
