//! A programme's disaggregation categories (sex, age band, agency, border post …) and
//! their options. A category in use cannot be renamed away or removed, and an option
//! that values were entered under cannot be dropped.

use serde_json::{json, Value};

use super::{
    differences, invalid, record, require_active, Audit, Done, Effect, FieldErrors, Saved,
};
use crate::db::DbConn;
use crate::domain::disaggregation::{format_options, CategoryOption};
use crate::domain::setup::{check_category, CategoryFields};
use crate::error::AppResult;
use crate::models::audit::Actor;
use crate::models::category::{self, CategoryRow, OptionRow};
use crate::models::programme::Programme;
use crate::models::{framework, values};

fn snapshot(code: &str, label: &str, options: &[CategoryOption]) -> Value {
    json!({ "code": code, "label": label, "options": options.iter().map(|o| format!("{} = {}", o.code, o.label)).collect::<Vec<_>>() })
}

fn as_options(rows: &[OptionRow]) -> Vec<CategoryOption> {
    rows.iter()
        .map(|o| CategoryOption {
            code: o.code.clone(),
            label: o.label.clone(),
        })
        .collect()
}

pub fn fields_of(c: &CategoryRow, options: &[OptionRow]) -> CategoryFields {
    CategoryFields {
        code: c.code.clone(),
        label: c.label.clone(),
        options: format_options(&as_options(options)),
    }
}

fn users_of(conn: &mut DbConn, p: &Programme, code: &str) -> AppResult<Vec<String>> {
    Ok(framework::indicators_of(conn, p.id)?
        .into_iter()
        .filter(|i| i.dimensions().contains(&code))
        .map(|i| i.code)
        .collect())
}

/// Creates (`existing` None) or changes category `existing = (id, version it was loaded at)`.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    existing: Option<(i32, i32)>,
    f: &CategoryFields,
) -> AppResult<Saved<CategoryRow>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let all = category::of_programme(conn, p.id)?;
        let old = match existing {
            Some((id, version)) => {
                let Some((c, opts)) = all.iter().find(|(c, _)| c.id == id).cloned() else {
                    return Err(crate::error::AppError::not_found(
                        "This programme has no such disaggregation category.",
                    ));
                };
                if c.version != version {
                    return Ok(Saved::Stale(Box::new(c)));
                }
                Some((c, opts))
            }
            None => None,
        };
        let mut errors = FieldErrors::new();
        let checked = check_category(f);
        if let Err(e) = &checked {
            errors.extend(e.clone());
        }
        if let Ok(cat) = &checked {
            if let Some((other, _)) = all
                .iter()
                .find(|(c, _)| c.code == cat.code && Some(c.id) != old.as_ref().map(|o| o.0.id))
            {
                errors.insert(
                    "code",
                    format!(
                        "{} already has a category {} (“{}”)",
                        p.code, other.code, other.label
                    ),
                );
            }
            if let Some((c, opts)) = &old {
                if c.code != cat.code {
                    let users = users_of(conn, p, &c.code)?;
                    if !users.is_empty() {
                        errors.insert(
                            "code",
                            format!(
                                "{} is used by {}; its code stays {}",
                                c.label,
                                users.join(", "),
                                c.code
                            ),
                        );
                    }
                }
                for o in opts {
                    if !cat.options.iter().any(|n| n.code == o.code) {
                        let n = values::parts_in_category(conn, p.id, &c.code, Some(&o.code))?;
                        if n > 0 {
                            errors.insert("options", format!("{n} values were entered as “{}”; that option stays (you may change its label)", o.label));
                        }
                    }
                }
            }
        }
        let cat = match checked {
            Ok(c) if errors.is_empty() => c,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let after = snapshot(&cat.code, &cat.label, &cat.options);
        match old {
            None => {
                let position = all.iter().map(|(c, _)| c.position).max().unwrap_or(0) + 1;
                let id = category::insert(conn, p.id, &cat.code, &cat.label, position)?;
                category::set_options(conn, id, &cat.options)?;
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "category_created",
                        entity: "disaggregation_category",
                        id,
                        before: None,
                        after: Some(after),
                        detail: format!("{} {}", p.code, cat.code),
                    },
                )?;
                Ok(Saved::Done(Done::new(id, Effect::Created)))
            }
            Some((c, opts)) => {
                let before = snapshot(&c.code, &c.label, &as_options(&opts));
                let changes = differences(&before, &after);
                if changes.is_empty() {
                    return Ok(Saved::Done(Done::new(c.id, Effect::Unchanged)));
                }
                if category::update_if_version(conn, c.id, c.version, &cat.code, &cat.label)? != 1 {
                    return Ok(Saved::Stale(Box::new(category::find(conn, p.id, c.id)?)));
                }
                category::set_options(conn, c.id, &cat.options)?;
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "category_updated",
                        entity: "disaggregation_category",
                        id: c.id,
                        before: Some(before),
                        after: Some(after),
                        detail: format!("{} {}", p.code, cat.code),
                    },
                )?;
                Ok(Saved::Done(Done {
                    id: c.id,
                    effect: Effect::Changed,
                    changes,
                }))
            }
        }
    })
}

/// Removes a category no indicator uses.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
) -> AppResult<Saved<CategoryRow>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let all = category::of_programme(conn, p.id)?;
        let Some((c, opts)) = all.into_iter().find(|(c, _)| c.id == id) else {
            return Err(crate::error::AppError::not_found(
                "This programme has no such disaggregation category.",
            ));
        };
        if c.version != version {
            return Ok(Saved::Stale(Box::new(c)));
        }
        let users = users_of(conn, p, &c.code)?;
        if !users.is_empty() {
            return Ok(invalid(
                "category",
                format!(
                    "{} is used by {}; take it off those indicators first",
                    c.label,
                    users.join(", ")
                ),
            ));
        }
        if category::delete_if_version(conn, id, version)? != 1 {
            return Ok(Saved::Stale(Box::new(c)));
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "category_deleted",
                entity: "disaggregation_category",
                id,
                before: Some(snapshot(&c.code, &c.label, &as_options(&opts))),
                after: None,
                detail: format!("{} {}", p.code, c.code),
            },
        )?;
        Ok(Saved::Done(Done::new(id, Effect::Removed)))
    })
}
