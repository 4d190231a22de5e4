//! Budget lines: an amount per output (and optionally one of its activities) per
//! Kenyan fiscal year, in the programme's currency.

use serde_json::{json, Value};

use super::{
    differences, invalid, record, require_active, Audit, Done, Effect, FieldErrors, Saved,
};
use crate::db::DbConn;
use crate::domain::plan::format_money_plain;
use crate::domain::setup::{check_budget, fiscal_year_label, BudgetFields};
use crate::error::AppResult;
use crate::models::audit::Actor;
use crate::models::budget::{self, BudgetLine, NewBudgetLine};
use crate::models::programme::Programme;
use crate::models::{activity, framework};

fn snapshot(
    output: &str,
    activity: Option<&str>,
    fy: &str,
    amount_minor: i64,
    description: &str,
) -> Value {
    json!({ "output": output, "activity": activity, "fiscal_year": fy, "amount": format_money_plain(amount_minor), "description": description })
}

/// The fields of a stored line, as a form or a spreadsheet shows them.
pub fn fields_of(
    conn: &mut DbConn,
    p: &Programme,
    lines: &[BudgetLine],
) -> AppResult<Vec<(BudgetLine, BudgetFields)>> {
    let results = framework::results_of(conn, p.id)?;
    let activities = activity::of_programme(conn, p.id)?;
    Ok(lines
        .iter()
        .map(|l| {
            let f = BudgetFields {
                output: results
                    .iter()
                    .find(|r| r.id == l.result_id)
                    .map(|r| r.code.clone())
                    .unwrap_or_default(),
                activity: l
                    .activity_id
                    .and_then(|a| activities.iter().find(|x| x.id == a))
                    .map(|a| a.code.clone())
                    .unwrap_or_default(),
                fiscal_year: l.fiscal_year.clone(),
                amount: format_money_plain(l.amount_minor),
                description: l.description.clone(),
            };
            (l.clone(), f)
        })
        .collect())
}

/// Creates (`existing` None) or changes line `existing = (id, version it was loaded at)`.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    existing: Option<(i32, i32)>,
    f: &BudgetFields,
) -> AppResult<Saved<BudgetLine>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let old = match existing {
            Some((id, version)) => {
                let old = budget::find(conn, p.id, id)?;
                if old.version != version {
                    return Ok(Saved::Stale(Box::new(old)));
                }
                Some(old)
            }
            None => None,
        };
        let mut errors = FieldErrors::new();
        let checked = check_budget(f, (p.start_date, p.end_date));
        if let Err(e) = &checked {
            errors.extend(e.clone());
        }
        let results = framework::results_of(conn, p.id)?;
        let activities = activity::of_programme(conn, p.id)?;
        let mut ids = None;
        if let Ok(input) = &checked {
            match results.iter().find(|r| r.code == input.output) {
                Some(r) if r.level == "output" && !r.archived => {
                    let activity_id = match &input.activity {
                        None => Some(None),
                        Some(code) => match activities.iter().find(|a| &a.code == code) {
                            Some(a) if a.result_id == Some(r.id) => Some(Some(a.id)),
                            Some(a) => {
                                let under = a
                                    .result_id
                                    .and_then(|id| results.iter().find(|x| x.id == id))
                                    .map(|x| x.code.as_str())
                                    .unwrap_or("no output");
                                errors.insert(
                                    "activity",
                                    format!("{code} is under {under}, not {}", r.code),
                                );
                                None
                            }
                            None => {
                                errors.insert(
                                    "activity",
                                    format!("{} has no activity {code}", p.code),
                                );
                                None
                            }
                        },
                    };
                    if let Some(activity_id) = activity_id {
                        ids = Some((r.id, activity_id));
                    }
                }
                Some(r) if r.archived => {
                    errors.insert("output", format!("{} is archived", r.code));
                }
                Some(r) => {
                    errors.insert(
                        "output",
                        format!("{} is an {}; budget lines are per output", r.code, r.level),
                    );
                }
                None => {
                    errors.insert(
                        "output",
                        format!("{} has no output {}", p.code, input.output),
                    );
                }
            }
            if let Some((rid, aid)) = ids {
                let fy = input.fiscal_year.id();
                if let Some(other) = budget::of_programme(conn, p.id)?.into_iter().find(|l| {
                    l.result_id == rid
                        && l.activity_id == aid
                        && l.fiscal_year == fy
                        && Some(l.id) != old.as_ref().map(|o| o.id)
                }) {
                    errors.insert(
                        "fiscal_year",
                        format!(
                            "there is already a line for {}{} in {} ({}); change that one",
                            input.output,
                            input
                                .activity
                                .as_deref()
                                .map(|a| format!(" / {a}"))
                                .unwrap_or_default(),
                            fiscal_year_label(&input.fiscal_year),
                            format_money_plain(other.amount_minor)
                        ),
                    );
                }
            }
        }
        let (input, (result_id, activity_id)) = match (checked, ids) {
            (Ok(i), Some(ids)) if errors.is_empty() => (i, ids),
            _ => return Ok(Saved::Invalid(errors)),
        };
        let fy = input.fiscal_year.id();
        let new = NewBudgetLine {
            programme_id: p.id,
            result_id,
            activity_id,
            fiscal_year: &fy,
            amount_minor: input.amount_minor,
            description: &input.description,
        };
        let after = snapshot(
            &input.output,
            input.activity.as_deref(),
            &fy,
            input.amount_minor,
            &input.description,
        );
        let detail = format!(
            "{}{} {}",
            input.output,
            input
                .activity
                .as_deref()
                .map(|a| format!(" / {a}"))
                .unwrap_or_default(),
            fiscal_year_label(&input.fiscal_year)
        );
        match old {
            None => {
                let id = budget::insert(conn, &new)?;
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "budget_line_created",
                        entity: "budget_line",
                        id,
                        before: None,
                        after: Some(after),
                        detail,
                    },
                )?;
                Ok(Saved::Done(Done::new(id, Effect::Created)))
            }
            Some(old) => {
                let (oo, oa) = fields_codes(&results, &activities, &old);
                let before = snapshot(
                    &oo,
                    oa.as_deref(),
                    &old.fiscal_year,
                    old.amount_minor,
                    &old.description,
                );
                let changes = differences(&before, &after);
                if changes.is_empty() {
                    return Ok(Saved::Done(Done::new(old.id, Effect::Unchanged)));
                }
                if budget::update_if_version(conn, old.id, old.version, &new)? != 1 {
                    return Ok(Saved::Stale(Box::new(budget::find(conn, p.id, old.id)?)));
                }
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "budget_line_updated",
                        entity: "budget_line",
                        id: old.id,
                        before: Some(before),
                        after: Some(after),
                        detail,
                    },
                )?;
                Ok(Saved::Done(Done {
                    id: old.id,
                    effect: Effect::Changed,
                    changes,
                }))
            }
        }
    })
}

fn fields_codes(
    results: &[framework::ResultRow],
    activities: &[activity::Activity],
    l: &BudgetLine,
) -> (String, Option<String>) {
    (
        results
            .iter()
            .find(|r| r.id == l.result_id)
            .map(|r| r.code.clone())
            .unwrap_or_default(),
        l.activity_id
            .and_then(|a| activities.iter().find(|x| x.id == a))
            .map(|a| a.code.clone()),
    )
}

pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
) -> AppResult<Saved<BudgetLine>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let old = budget::find(conn, p.id, id)?;
        if old.version != version {
            return Ok(Saved::Stale(Box::new(old)));
        }
        let results = framework::results_of(conn, p.id)?;
        let activities = activity::of_programme(conn, p.id)?;
        let (oo, oa) = fields_codes(&results, &activities, &old);
        if budget::delete_if_version(conn, id, version)? != 1 {
            return Ok(invalid(
                "budget",
                "that line was changed meanwhile; reload the page",
            ));
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "budget_line_deleted",
                entity: "budget_line",
                id,
                before: Some(snapshot(
                    &oo,
                    oa.as_deref(),
                    &old.fiscal_year,
                    old.amount_minor,
                    &old.description,
                )),
                after: None,
                detail: format!("{oo} {}", old.fiscal_year),
            },
        )?;
        Ok(Saved::Done(Done::new(id, Effect::Removed)))
    })
}
