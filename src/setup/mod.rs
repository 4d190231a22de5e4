//! Creating and changing programmes: the programme itself, phases, partners, the
//! results framework, indicators, interim targets, budget lines and disaggregation
//! categories. One path for the setup pages, the API, the logframe spreadsheet and
//! the demonstration loader.
//!
//! Every save checks first (pure rules in `domain::setup`, then what only the database
//! knows: codes in use, phases overlapping, approved figures), writes only when all of
//! it is right, never over a newer version than the one the person loaded, and leaves
//! an audit row with the record before and after. A save that would change nothing
//! writes nothing — so the same spreadsheet imported twice leaves no trace.

pub mod budget;
pub mod category;
pub mod disclosure;
pub mod framework;
pub mod logframe;
pub mod partner;
pub mod phase;
pub mod programme;
pub mod sheet;
pub mod target;

use serde::Serialize;
use serde_json::Value;

pub use crate::domain::plan::FieldErrors;
use crate::models::audit::Actor;

use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::models::audit;
use crate::models::programme::Programme;

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Created,
    Changed,
    Unchanged,
    /// Kept for history, hidden from the live framework.
    Archived,
    Restored,
    /// Deleted: nothing depended on it.
    Removed,
}

impl Effect {
    pub fn word(self) -> &'static str {
        match self {
            Effect::Created => "created",
            Effect::Changed => "changed",
            Effect::Unchanged => "unchanged",
            Effect::Archived => "archived",
            Effect::Restored => "restored",
            Effect::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Done {
    pub id: i32,
    pub effect: Effect,
    /// What changed, in words: "unit: count → number".
    pub changes: Vec<String>,
}

impl Done {
    fn new(id: i32, effect: Effect) -> Done {
        Done {
            id,
            effect,
            changes: Vec::new(),
        }
    }
}

/// The answer to a setup save.
#[derive(Debug)]
pub enum Saved<T> {
    Done(Done),
    /// Nothing was written; each field says what is wrong with it.
    Invalid(FieldErrors),
    /// Someone saved a newer version first: the record as it is now.
    Stale(Box<T>),
}

impl<T> Saved<T> {
    /// For callers with no form to show the problems on (the command line, the
    /// demonstration loader): the first problem as an error.
    pub fn into_result(self, what: &str) -> AppResult<Done> {
        match self {
            Saved::Done(d) => Ok(d),
            Saved::Invalid(e) => {
                let (field, message) = e
                    .into_iter()
                    .next()
                    .map(|(f, m)| (f.to_string(), m))
                    .unwrap_or_default();
                Err(AppError::Invalid {
                    message: format!("{what}: {field}: {message}"),
                    field: Some(field),
                })
            }
            Saved::Stale(_) => Err(AppError::Conflict(format!(
                "{what} was changed by someone else since it was loaded; reload it and try again"
            ))),
        }
    }

    pub fn done(&self) -> Option<&Done> {
        match self {
            Saved::Done(d) => Some(d),
            _ => None,
        }
    }
}

fn invalid<T>(field: &'static str, message: impl Into<String>) -> Saved<T> {
    let mut e = FieldErrors::new();
    e.insert(field, message.into());
    Saved::Invalid(e)
}

/// Setup changes only an active programme.
fn require_active(p: &Programme) -> Result<(), FieldErrors> {
    if p.is_active() {
        return Ok(());
    }
    let mut e = FieldErrors::new();
    e.insert("programme", crate::entry::closed_message(p));
    Err(e)
}

struct Audit<'a> {
    action: &'a str,
    entity: &'a str,
    id: i32,
    before: Option<Value>,
    after: Option<Value>,
    detail: String,
}

fn record(conn: &mut DbConn, actor: &Actor, programme_id: Option<i32>, a: Audit) -> AppResult<()> {
    audit::record(
        conn,
        audit::Change {
            user_id: actor.user_id,
            actor: &actor.name,
            action: a.action,
            entity: a.entity,
            entity_id: Some(a.id),
            programme_id,
            before: a.before,
            after: a.after,
            detail: a.detail,
        },
    )
}

/// "field: before → after" for every field of two JSON objects that differs.
fn differences(before: &Value, after: &Value) -> Vec<String> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return Vec::new();
    };
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) if s.is_empty() => "—".to_string(),
        Some(Value::String(s)) => {
            let short: String = s.chars().take(60).collect();
            if s.chars().count() > 60 {
                format!("“{short}…”")
            } else {
                format!("“{short}”")
            }
        }
        Some(Value::Array(items)) if items.is_empty() => "—".to_string(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    };
    a.iter()
        .filter(|(k, v)| b.get(k.as_str()) != Some(v))
        .map(|(k, v)| {
            format!(
                "{}: {} → {}",
                k.replace('_', " "),
                show(b.get(k.as_str())),
                show(Some(v))
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_each_changed_field() {
        let b = serde_json::json!({ "unit": "count", "title": "Posts", "key": false, "parts": [] });
        let a = serde_json::json!({ "unit": "number", "title": "Posts", "key": true, "parts": ["sex"] });
        assert_eq!(
            differences(&b, &a),
            [
                "key: false → true",
                "parts: — → sex",
                "unit: “count” → “number”"
            ]
        );
        assert!(differences(&a, &a).is_empty());
    }
}
