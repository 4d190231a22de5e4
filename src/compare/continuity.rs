//! Recording indicator continuity: "this indicator continues that earlier one" (with or
//! without a changed definition) and "this indicator's definition changed from period
//! P". Checked, audited, and refused with the field at fault.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::db::DbConn;
use crate::domain::period::{Period, PeriodKind};
use crate::error::{AppError, AppResult};
use crate::models::audit;
use crate::models::audit::Actor;
use crate::models::continuity::{self, IndicatorLink, NewLink};
use crate::models::framework::{self, Indicator};

/// Longest note kept with a link.
pub const MAX_NOTE: usize = 1000;

/// What a manager asks to record.
pub enum Request<'a> {
    Continues {
        earlier_code: &'a str,
        definition_changed: bool,
        note: &'a str,
    },
    DefinitionChanged {
        from_period: &'a str,
        note: &'a str,
    },
}

fn check_note(note: &str) -> AppResult<&str> {
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::invalid(
            "note",
            "say what changed or why the indicators continue each other: readers see this beside the figures",
        ));
    }
    let n = note.chars().count();
    if n > MAX_NOTE {
        return Err(AppError::invalid(
            "note",
            format!("{n} characters: at most {MAX_NOTE}"),
        ));
    }
    Ok(note)
}

pub fn add(
    conn: &mut DbConn,
    indicator: &Indicator,
    request: Request,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<i32> {
    let link = match request {
        Request::Continues {
            earlier_code,
            definition_changed,
            note,
        } => {
            let note = check_note(note)?;
            let code = earlier_code.trim();
            let found = framework::indicators_with_code(conn, code)?;
            let earlier = match found.as_slice() {
                [] => {
                    return Err(AppError::invalid(
                        "earlier",
                        format!("{code}: no indicator has this code"),
                    ))
                }
                [one] => one.clone(),
                _ => {
                    return Err(AppError::invalid(
                        "earlier",
                        format!("{code}: several programmes use this code; ask an administrator to link them"),
                    ))
                }
            };
            if earlier.id == indicator.id {
                return Err(AppError::invalid(
                    "earlier",
                    "an indicator cannot continue itself",
                ));
            }
            // A link back to this indicator from the earlier one would make a loop.
            let existing = continuity::all(conn)?;
            let mut current = earlier.id;
            for _ in 0..16 {
                match existing
                    .iter()
                    .find(|l| l.indicator_id == current && l.continues_id.is_some())
                {
                    Some(l) if l.continues_id == Some(indicator.id) => {
                        return Err(AppError::invalid(
                            "earlier",
                            format!(
                                "{} already continues {}: the link would go round in a circle",
                                earlier.code, indicator.code
                            ),
                        ))
                    }
                    Some(l) => current = l.continues_id.unwrap_or_default(),
                    None => break,
                }
            }
            if existing
                .iter()
                .any(|l| l.indicator_id == indicator.id && l.continues_id.is_some())
            {
                return Err(AppError::invalid(
                    "earlier",
                    format!(
                        "{} already continues an earlier indicator; remove that link first",
                        indicator.code
                    ),
                ));
            }
            (Some(earlier), None, definition_changed, note.to_string())
        }
        Request::DefinitionChanged { from_period, note } => {
            let note = check_note(note)?;
            let p = Period::parse(from_period)
                .map_err(|e| AppError::invalid("from_period", e.to_string()))?;
            if p.kind() != PeriodKind::Quarter {
                return Err(AppError::invalid(
                    "from_period",
                    format!(
                        "{}: give the first quarter measured the new way, e.g. 2026Q1",
                        p.id()
                    ),
                ));
            }
            (None, Some(p.id()), true, note.to_string())
        }
    };
    let (earlier, effective, changed, note) = link;
    crate::db::write(conn, |conn| {
        if let Some(e) = &effective {
            let taken = continuity::touching(conn, indicator.id)?.iter().any(|l| {
                l.indicator_id == indicator.id && l.effective_period.as_deref() == Some(e)
            });
            if taken {
                return Err(AppError::invalid(
                    "from_period",
                    format!("a change from {e} is already recorded"),
                ));
            }
        }
        let id = continuity::insert(
            conn,
            &NewLink {
                indicator_id: indicator.id,
                continues_id: earlier.as_ref().map(|e| e.id),
                effective_period: effective.as_deref(),
                definition_changed: changed,
                note: &note,
                created_by: actor.user_id,
                created_at: now,
            },
        )?;
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "indicator_link_added",
                entity: "indicator",
                entity_id: Some(indicator.id),
                programme_id: Some(indicator.programme_id),
                before: None,
                after: Some(json!({
                    "continues": earlier.as_ref().map(|e| e.code.clone()),
                    "from_period": effective,
                    "definition_changed": changed,
                    "note": note,
                })),
                detail: indicator.code.clone(),
            },
        )?;
        Ok(id)
    })
}

pub fn remove(
    conn: &mut DbConn,
    indicator: &Indicator,
    link_id: i32,
    actor: &Actor,
) -> AppResult<()> {
    crate::db::write(conn, |conn| {
        let link: IndicatorLink = continuity::by_id(conn, link_id)?
            .filter(|l| l.indicator_id == indicator.id)
            .ok_or_else(|| {
                AppError::not_found(
                    "This indicator has no such link; it may have been removed already.",
                )
            })?;
        continuity::delete(conn, link.id)?;
        let earlier = match link.continues_id {
            Some(id) => framework::indicator_by_id(conn, id)?.map(|i| i.code),
            None => None,
        };
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "indicator_link_removed",
                entity: "indicator",
                entity_id: Some(indicator.id),
                programme_id: Some(indicator.programme_id),
                before: Some(json!({
                    "continues": earlier,
                    "from_period": link.effective_period,
                    "definition_changed": link.definition_changed,
                    "note": link.note,
                })),
                after: None,
                detail: indicator.code.clone(),
            },
        )
    })
}
