//! An indicator's publication level and small-number rule: how far its figures may
//! travel. Set on its own, never by the indicator form, the API's indicator body or a
//! logframe upload — so re-importing a spreadsheet can never make an internal indicator
//! public again. Every change is audited with the setting before and after.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{differences, record, require_active, Audit, Done, Effect, FieldErrors, Saved};
use crate::db::DbConn;
use crate::domain::disclosure::{Level, SmallRule, MAX_BELOW, MIN_BELOW};
use crate::domain::setup::lenient_text;
use crate::error::AppResult;
use crate::models::audit::Actor;
use crate::models::framework::{self, Indicator};
use crate::models::programme::Programme;

/// The setting as typed on the page or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PublicationFields {
    #[serde(default, deserialize_with = "lenient_text")]
    pub publication_level: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub small_number_rule: String,
    /// A whole number, or empty when there is no rule.
    #[serde(default, deserialize_with = "lenient_text")]
    pub small_number_below: String,
}

/// The setting checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publication {
    pub level: Level,
    pub rule: Option<SmallRule>,
}

impl Publication {
    pub fn of(i: &Indicator) -> Publication {
        Publication {
            level: i.level(),
            rule: i.small_rule(),
        }
    }

    fn snapshot(self) -> serde_json::Value {
        json!({
            "publication_level": self.level.as_str(),
            "small_number_rule": SmallRule::word(self.rule),
            "small_number_below": self.rule.map(|r| r.below()),
        })
    }
}

pub fn fields_of(i: &Indicator) -> PublicationFields {
    let p = Publication::of(i);
    PublicationFields {
        publication_level: p.level.as_str().into(),
        small_number_rule: SmallRule::word(p.rule).into(),
        small_number_below: p.rule.map(|r| r.below().to_string()).unwrap_or_default(),
    }
}

/// The fields checked, each problem under its field's name.
pub fn check(f: &PublicationFields) -> Result<Publication, FieldErrors> {
    let mut errors = FieldErrors::new();
    let level = match f.publication_level.parse::<Level>() {
        Ok(l) => Some(l),
        Err(e) => {
            errors.insert("publication_level", e.to_string());
            None
        }
    };
    let word = f.small_number_rule.trim();
    let below_raw = f.small_number_below.trim();
    let below = if below_raw.is_empty() {
        None
    } else {
        match below_raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(
                    "small_number_below",
                    format!(
                        "'{below_raw}' is not a whole number; use one from {MIN_BELOW} to {MAX_BELOW}"
                    ),
                );
                None
            }
        }
    };
    let rule = if errors.contains_key("small_number_below") {
        None
    } else {
        match SmallRule::parse(word, below) {
            Ok(r) => r,
            Err(e) => {
                let field =
                    if crate::domain::disclosure::RULE_WORDS.contains(&word) || word.is_empty() {
                        "small_number_below"
                    } else {
                        "small_number_rule"
                    };
                errors.insert(field, e.0);
                None
            }
        }
    };
    match level {
        Some(level) if errors.is_empty() => Ok(Publication { level, rule }),
        _ => Err(errors),
    }
}

/// Sets indicator `id`'s publication (loaded at `version`).
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
    f: &PublicationFields,
) -> AppResult<Saved<Indicator>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let old = framework::find_indicator(conn, p.id, id)?;
        if old.version != version {
            return Ok(Saved::Stale(Box::new(old)));
        }
        let new = match check(f) {
            Ok(n) => n,
            Err(e) => return Ok(Saved::Invalid(e)),
        };
        let before = Publication::of(&old).snapshot();
        let after = new.snapshot();
        let changes = differences(&before, &after);
        if changes.is_empty() {
            return Ok(Saved::Done(Done::new(old.id, Effect::Unchanged)));
        }
        let n = framework::set_publication_if_version(
            conn,
            old.id,
            old.version,
            new.level.as_str(),
            SmallRule::word(new.rule),
            new.rule.map(|r| r.below() as i32),
        )?;
        if n != 1 {
            return Ok(Saved::Stale(Box::new(framework::find_indicator(
                conn, p.id, old.id,
            )?)));
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "indicator_publication_changed",
                entity: "indicator",
                id: old.id,
                before: Some(before),
                after: Some(after),
                detail: format!("{}: {}", old.code, changes.join("; ")),
            },
        )?;
        Ok(Saved::Done(Done {
            id: old.id,
            effect: Effect::Changed,
            changes,
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(level: &str, rule: &str, below: &str) -> PublicationFields {
        PublicationFields {
            publication_level: level.into(),
            small_number_rule: rule.into(),
            small_number_below: below.into(),
        }
    }

    #[test]
    fn a_whole_setting_is_read() {
        assert_eq!(
            check(&fields("internal", "none", "")),
            Ok(Publication {
                level: Level::Internal,
                rule: None
            })
        );
        assert_eq!(
            check(&fields("public", "fewer_than", "5")),
            Ok(Publication {
                level: Level::Public,
                rule: Some(SmallRule::FewerThan(5))
            })
        );
    }

    #[test]
    fn each_problem_is_named_at_its_field() {
        let e = check(&fields("secret", "withhold", "")).unwrap_err();
        assert!(e["publication_level"].contains("'secret'"), "{e:?}");
        assert!(e["small_number_below"].contains("threshold"), "{e:?}");
        let e = check(&fields("public", "withhold", "five")).unwrap_err();
        assert!(
            e["small_number_below"].contains("'five' is not a whole number"),
            "{e:?}"
        );
        let e = check(&fields("public", "round", "5")).unwrap_err();
        assert!(e["small_number_rule"].contains("'round'"), "{e:?}");
        let e = check(&fields("public", "withhold", "1")).unwrap_err();
        assert!(e["small_number_below"].contains("from 2 to 1000"), "{e:?}");
    }
}
