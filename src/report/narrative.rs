//! Saving the manager's narrative for a period: version-checked and audited, like every
//! other change.

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::audit;
use crate::models::audit::Actor;
use crate::models::narrative::{self, Narrative, Texts};
use crate::models::programme::Programme;

/// Longest text per field: a page of the report, not a book.
pub const MAX_CHARS: usize = 5000;

pub enum Saved {
    Done,
    /// Someone saved since `version` was read: theirs, untouched.
    Conflict(Narrative),
}

/// Saves the texts if the narrative is still at `version` (None: there was none).
pub fn save(
    conn: &mut DbConn,
    programme: &Programme,
    period: &Period,
    version: Option<i32>,
    texts: &Texts,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<Saved> {
    for (field, text) in [
        ("achievements", &texts.achievements),
        ("issues", &texts.issues),
        ("risks", &texts.risks),
    ] {
        let n = text.chars().count();
        if n > MAX_CHARS {
            return Err(AppError::invalid(
                field,
                format!("{n} characters: at most {MAX_CHARS} fit the report"),
            ));
        }
    }
    crate::db::write(conn, |conn| {
        let current = narrative::of_period(conn, programme.id, &period.id())?;
        let (id, before) = match (&current, version) {
            (None, None) => (
                narrative::insert(conn, programme.id, &period.id(), texts, actor.user_id, now)?,
                None,
            ),
            (Some(n), Some(v)) if n.version == v => {
                if narrative::update_if_version(conn, n.id, v, texts, actor.user_id, now)? != 1 {
                    return Ok(Saved::Conflict(
                        narrative::of_period(conn, programme.id, &period.id())?
                            .unwrap_or_else(|| n.clone()),
                    ));
                }
                (n.id, Some(n.texts()))
            }
            (Some(n), _) => return Ok(Saved::Conflict(n.clone())),
            (None, Some(_)) => {
                return Err(AppError::Conflict(
                    "The narrative you edited no longer exists; reload the page.".into(),
                ))
            }
        };
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "narrative_saved",
                entity: "period_narrative",
                entity_id: Some(id),
                programme_id: Some(programme.id),
                before: before.map(|t| serde_json::to_value(t).unwrap_or_default()),
                after: Some(serde_json::to_value(texts).unwrap_or_default()),
                detail: period.id(),
            },
        )?;
        Ok(Saved::Done)
    })
}
