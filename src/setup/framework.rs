//! The results framework: impact → outcomes → outputs, and the indicators that
//! measure them. Nothing with values, targets, links or issued reports is deleted: it
//! is archived, kept in history, comparisons and the reports of the periods it had
//! data. How approved figures are read (unit, rules, direction, parts) never changes.

use serde_json::{json, Value};

use super::{
    differences, invalid, record, require_active, Audit, Done, Effect, FieldErrors, Saved,
};
use crate::db::DbConn;
use crate::domain::setup::{
    check_indicator, check_result, measurement_changes, measurement_refusal, parent_level,
    IndicatorFields, IndicatorInput, Measurement, ResultFields,
};
use crate::domain::unit::format_number;
use crate::error::{AppError, AppResult};
use crate::models::audit::Actor;
use crate::models::framework::{
    self, Indicator, IndicatorChanges, NewIndicator, NewResult, ResultChanges, ResultRow,
};
use crate::models::programme::Programme;
use crate::models::{activity, budget, category, continuity, issued, milestone, target, values};

fn result_snapshot(r: &ResultRow, parent: Option<&str>) -> Value {
    json!({
        "level": r.level, "code": r.code, "statement": r.statement, "parent": parent,
        "impact_weighting": r.impact_weighting, "risk_rating": r.risk_rating, "assumptions": r.assumptions,
    })
}

fn num(v: Option<f64>) -> String {
    v.map(|v| {
        let s = format_number(v, 6);
        let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        s.replace(',', "")
    })
    .unwrap_or_default()
}

/// The fields of a stored result, as a form shows them.
pub fn result_fields(r: &ResultRow, all: &[ResultRow]) -> ResultFields {
    ResultFields {
        level: r.level.clone(),
        code: r.code.clone(),
        statement: r.statement.clone(),
        parent: r
            .parent_id
            .and_then(|id| all.iter().find(|x| x.id == id))
            .map(|x| x.code.clone())
            .unwrap_or_default(),
        impact_weighting: num(r.impact_weighting),
        risk_rating: r.risk_rating.clone().unwrap_or_default(),
        assumptions: r.assumptions.clone(),
    }
}

/// The fields of a stored indicator, as a form or a spreadsheet shows them.
pub fn indicator_fields(i: &Indicator, results: &[ResultRow]) -> IndicatorFields {
    IndicatorFields {
        result: results
            .iter()
            .find(|r| r.id == i.result_id)
            .map(|r| r.code.clone())
            .unwrap_or_default(),
        code: i.code.clone(),
        title: i.title.clone(),
        definition: i.definition.clone(),
        unit: i.unit.clone(),
        direction: i.direction.clone(),
        county_rule: i.county_aggregation.clone(),
        period_rule: i.period_aggregation.clone(),
        baseline_value: num(i.baseline_value),
        baseline_date: i.baseline_date.map(|d| d.to_string()).unwrap_or_default(),
        end_target: num(i.end_target),
        end_target_date: i.end_target_date.map(|d| d.to_string()).unwrap_or_default(),
        means_of_verification: i.means_of_verification.clone(),
        data_source: i.data_source.clone(),
        key: if i.is_key { "yes" } else { "no" }.into(),
        disaggregations: i.dimensions().iter().map(|d| d.to_string()).collect(),
    }
}

/// Creates (`existing` None) or changes result `existing = (id, version it was loaded at)`.
pub fn save_result(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    existing: Option<(i32, i32)>,
    f: &ResultFields,
) -> AppResult<Saved<ResultRow>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let all = framework::results_of(conn, p.id)?;
        let old = match existing {
            Some((id, version)) => {
                let old = framework::find_result(conn, p.id, id)?;
                if old.version != version {
                    return Ok(Saved::Stale(Box::new(old)));
                }
                Some(old)
            }
            None => None,
        };
        let own_id = old.as_ref().map(|o| o.id);
        let mut errors = FieldErrors::new();
        let checked = check_result(f);
        if let Err(e) = &checked {
            errors.extend(e.clone());
        }
        let code = f.code.trim();
        if let Some(other) = all.iter().find(|r| r.code == code && Some(r.id) != own_id) {
            errors.insert(
                "code",
                format!(
                    "{} already uses the code {code} for its {} “{}”",
                    p.code,
                    other.level,
                    short(&other.statement)
                ),
            );
        }
        let mut parent_id = None;
        if let Ok(input) = &checked {
            if input.level == "impact" {
                if let Some(other) = all
                    .iter()
                    .find(|r| r.level == "impact" && !r.archived && Some(r.id) != own_id)
                {
                    errors.insert(
                        "level",
                        format!(
                            "{} already has an impact ({}); a logframe has one",
                            p.code, other.code
                        ),
                    );
                }
            }
            if let (Some(parent_code), Some(want)) = (&input.parent, parent_level(input.level)) {
                match all.iter().find(|r| &r.code == parent_code) {
                    None => {
                        errors.insert(
                            "parent",
                            format!("{} has no result with the code {parent_code}", p.code),
                        );
                    }
                    Some(r) if r.level != want => {
                        errors.insert(
                            "parent",
                            format!(
                                "{parent_code} is an {}; an {} contributes to an {want}",
                                r.level, input.level
                            ),
                        );
                    }
                    Some(r) if r.archived => {
                        errors.insert(
                            "parent",
                            format!("{parent_code} is archived; restore it first"),
                        );
                    }
                    Some(r) => parent_id = Some(r.id),
                }
            }
            if let Some(old) = &old {
                if old.level != input.level && all.iter().any(|r| r.parent_id == Some(old.id)) {
                    errors.insert(
                        "level",
                        format!(
                            "{} has results under it, so it stays an {}",
                            old.code, old.level
                        ),
                    );
                }
            }
        }
        let input = match checked {
            Ok(i) if errors.is_empty() => i,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let after = json!({
            "level": input.level, "code": input.code, "statement": input.statement, "parent": input.parent,
            "impact_weighting": input.impact_weighting, "risk_rating": input.risk_rating, "assumptions": input.assumptions,
        });
        match old {
            None => {
                let position = all.iter().map(|r| r.position).max().unwrap_or(0) + 1;
                let id = framework::insert_result(
                    conn,
                    &NewResult {
                        programme_id: p.id,
                        parent_id,
                        level: input.level,
                        code: &input.code,
                        statement: &input.statement,
                        impact_weighting: input.impact_weighting,
                        risk_rating: input.risk_rating,
                        assumptions: &input.assumptions,
                        position,
                    },
                )?;
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "result_created",
                        entity: "result",
                        id,
                        before: None,
                        after: Some(after),
                        detail: format!("{} {}", input.level, input.code),
                    },
                )?;
                Ok(Saved::Done(Done::new(id, Effect::Created)))
            }
            Some(old) => {
                let parent_code = old
                    .parent_id
                    .and_then(|id| all.iter().find(|r| r.id == id))
                    .map(|r| r.code.as_str());
                let before = result_snapshot(&old, parent_code);
                let changes = differences(&before, &after);
                if changes.is_empty() {
                    return Ok(Saved::Done(Done::new(old.id, Effect::Unchanged)));
                }
                let n = framework::update_result_if_version(
                    conn,
                    old.id,
                    old.version,
                    &ResultChanges {
                        parent_id,
                        code: &input.code,
                        statement: &input.statement,
                        impact_weighting: input.impact_weighting,
                        risk_rating: input.risk_rating,
                        assumptions: &input.assumptions,
                    },
                )?;
                if n != 1 {
                    return Ok(Saved::Stale(Box::new(framework::find_result(
                        conn, p.id, old.id,
                    )?)));
                }
                if old.level != input.level {
                    // Only a result with nothing under it changes level (checked above).
                    framework::set_result_level(conn, old.id, input.level)?;
                }
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "result_updated",
                        entity: "result",
                        id: old.id,
                        before: Some(before),
                        after: Some(after),
                        detail: format!("{} {}", input.level, input.code),
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

fn short(s: &str) -> String {
    let t: String = s.chars().take(50).collect();
    if s.chars().count() > 50 {
        format!("{t}…")
    } else {
        t
    }
}

/// Moves a result one place up (`up`) or down among the results under the same parent.
pub fn move_result(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
    up: bool,
) -> AppResult<Saved<ResultRow>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let me = framework::find_result(conn, p.id, id)?;
        if me.version != version {
            return Ok(Saved::Stale(Box::new(me)));
        }
        let siblings: Vec<ResultRow> = framework::results_of(conn, p.id)?
            .into_iter()
            .filter(|r| r.parent_id == me.parent_id && r.level == me.level && !r.archived)
            .collect();
        let at = siblings.iter().position(|r| r.id == id).unwrap_or(0);
        let other = if up {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|i| *i < siblings.len())
        };
        let Some(other) = other.map(|i| &siblings[i]) else {
            return Ok(Saved::Done(Done::new(id, Effect::Unchanged)));
        };
        let (a, b) = (me.position, other.position);
        let (a, b) = if a == b { (a, b + 1) } else { (a, b) };
        framework::set_result_position(conn, me.id, b)?;
        framework::set_result_position(conn, other.id, a)?;
        bump_result(conn, me.id, me.version)?;
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "result_moved",
                entity: "result",
                id,
                before: Some(
                    json!({ "after": if up { other.code.clone() } else { String::new() } }),
                ),
                after: Some(
                    json!({ "direction": if up { "up" } else { "down" }, "past": other.code }),
                ),
                detail: format!(
                    "{} moved {} past {}",
                    me.code,
                    if up { "up" } else { "down" },
                    other.code
                ),
            },
        )?;
        Ok(Saved::Done(Done {
            id,
            effect: Effect::Changed,
            changes: vec![format!(
                "moved {} past {}",
                if up { "up" } else { "down" },
                other.code
            )],
        }))
    })
}

fn bump_result(conn: &mut DbConn, id: i32, version: i32) -> AppResult<()> {
    use crate::db::schema::results;
    use diesel::prelude::*;
    diesel::update(results::table.find(id))
        .set(results::version.eq(version + 1))
        .execute(conn)?;
    Ok(())
}

/// What still hangs on a result: live results and indicators under it.
fn live_dependants(all: &[ResultRow], indicators: &[Indicator], id: i32) -> Vec<String> {
    let mut out: Vec<String> = all
        .iter()
        .filter(|r| r.parent_id == Some(id) && !r.archived)
        .map(|r| format!("{} {}", r.level, r.code))
        .collect();
    out.extend(
        indicators
            .iter()
            .filter(|i| i.result_id == id && !i.archived)
            .map(|i| format!("indicator {}", i.code)),
    );
    out
}

/// Removes a result: deleted when nothing refers to it, else archived. Refused while
/// live results or indicators are under it.
pub fn remove_result(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
) -> AppResult<Saved<ResultRow>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let me = framework::find_result(conn, p.id, id)?;
        if me.version != version {
            return Ok(Saved::Stale(Box::new(me)));
        }
        if me.archived {
            return Ok(Saved::Done(Done::new(id, Effect::Unchanged)));
        }
        let all = framework::results_of(conn, p.id)?;
        let indicators = framework::indicators_of(conn, p.id)?;
        let live = live_dependants(&all, &indicators, id);
        if !live.is_empty() {
            return Ok(invalid(
                "result",
                format!(
                    "{} still has {} under it; remove or move {} first",
                    me.code,
                    live.join(", "),
                    if live.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
        let referred = all.iter().any(|r| r.parent_id == Some(id))
            || indicators.iter().any(|i| i.result_id == id)
            || activity::of_programme(conn, p.id)?
                .iter()
                .any(|a| a.result_id == Some(id))
            || milestone::of_programme(conn, p.id)?
                .iter()
                .any(|m| m.result_id == Some(id))
            || budget::of_programme(conn, p.id)?
                .iter()
                .any(|b| b.result_id == id)
            // An output's narratives are part of the record, as its values are.
            || crate::models::output_narrative::any_for_result(conn, id)?;
        let parent_code = me
            .parent_id
            .and_then(|pid| all.iter().find(|r| r.id == pid))
            .map(|r| r.code.as_str());
        let before = result_snapshot(&me, parent_code);
        if referred {
            if framework::set_result_archived_if_version(conn, id, version, true)? != 1 {
                return Ok(Saved::Stale(Box::new(framework::find_result(
                    conn, p.id, id,
                )?)));
            }
            record(
                conn,
                actor,
                Some(p.id),
                Audit {
                    action: "result_archived",
                    entity: "result",
                    id,
                    before: Some(before),
                    after: Some(json!({ "archived": true })),
                    detail: me.code.clone(),
                },
            )?;
            Ok(Saved::Done(Done::new(id, Effect::Archived)))
        } else {
            if framework::delete_result_if_version(conn, id, version)? != 1 {
                return Ok(Saved::Stale(Box::new(framework::find_result(
                    conn, p.id, id,
                )?)));
            }
            record(
                conn,
                actor,
                Some(p.id),
                Audit {
                    action: "result_deleted",
                    entity: "result",
                    id,
                    before: Some(before),
                    after: None,
                    detail: me.code.clone(),
                },
            )?;
            Ok(Saved::Done(Done::new(id, Effect::Removed)))
        }
    })
}

pub fn restore_result(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
) -> AppResult<Saved<ResultRow>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let me = framework::find_result(conn, p.id, id)?;
        if me.version != version {
            return Ok(Saved::Stale(Box::new(me)));
        }
        if !me.archived {
            return Ok(Saved::Done(Done::new(id, Effect::Unchanged)));
        }
        if let Some(parent) = me.parent_id {
            if framework::find_result(conn, p.id, parent)?.archived {
                return Ok(invalid(
                    "result",
                    format!(
                        "{} is under an archived result; restore that first",
                        me.code
                    ),
                ));
            }
        }
        if framework::set_result_archived_if_version(conn, id, version, false)? != 1 {
            return Ok(Saved::Stale(Box::new(framework::find_result(
                conn, p.id, id,
            )?)));
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "result_restored",
                entity: "result",
                id,
                before: Some(json!({ "archived": true })),
                after: Some(json!({ "archived": false })),
                detail: me.code.clone(),
            },
        )?;
        Ok(Saved::Done(Done::new(id, Effect::Restored)))
    })
}

fn indicator_snapshot(i: &Indicator, result_code: &str) -> Value {
    json!({
        "result": result_code, "code": i.code, "title": i.title, "definition": i.definition, "unit": i.unit,
        "direction": i.direction, "county_rule": i.county_aggregation, "period_rule": i.period_aggregation,
        "baseline_value": i.baseline_value, "baseline_date": i.baseline_date, "end_target": i.end_target,
        "end_target_date": i.end_target_date, "means_of_verification": i.means_of_verification,
        "data_source": i.data_source, "key": i.is_key, "disaggregations": i.dimensions(),
    })
}

fn input_snapshot(i: &IndicatorInput) -> Value {
    json!({
        "result": i.result, "code": i.code, "title": i.title, "definition": i.definition, "unit": i.unit.as_str(),
        "direction": i.direction.as_str(), "county_rule": i.county.as_str(), "period_rule": i.period.as_str(),
        "baseline_value": i.baseline_value, "baseline_date": i.baseline_date, "end_target": i.end_target,
        "end_target_date": i.end_target_date, "means_of_verification": i.means_of_verification,
        "data_source": i.data_source, "key": i.is_key, "disaggregations": i.disaggregations,
    })
}

/// How a stored indicator's figures are read.
pub fn measurement_of(i: &Indicator) -> AppResult<Measurement> {
    let r = i.rules()?;
    Ok(Measurement {
        unit: r.unit,
        direction: r.direction,
        county: r.county,
        period: r.period,
        disaggregations: i.dimensions().iter().map(|d| d.to_string()).collect(),
    })
}

/// Creates (`existing` None) or changes indicator `existing = (id, version it was loaded at)`.
pub fn save_indicator(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    existing: Option<(i32, i32)>,
    f: &IndicatorFields,
) -> AppResult<Saved<Indicator>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let old = match existing {
            Some((id, version)) => {
                let old = framework::find_indicator(conn, p.id, id)?;
                if old.version != version {
                    return Ok(Saved::Stale(Box::new(old)));
                }
                Some(old)
            }
            None => None,
        };
        let own_id = old.as_ref().map(|o| o.id);
        let indicators = framework::indicators_of(conn, p.id)?;
        let results = framework::results_of(conn, p.id)?;
        let mut errors = FieldErrors::new();
        let checked = check_indicator(f);
        if let Err(e) = &checked {
            errors.extend(e.clone());
        }
        let code = f.code.trim();
        if let Some(other) = indicators
            .iter()
            .find(|i| i.code == code && Some(i.id) != own_id)
        {
            errors.insert(
                "code",
                format!(
                    "{} already has an indicator {code} (“{}”)",
                    p.code,
                    short(&other.title)
                ),
            );
        }
        let mut result_id = None;
        if let Ok(input) = &checked {
            match results.iter().find(|r| r.code == input.result) {
                None => {
                    errors.insert(
                        "result",
                        format!(
                            "{} has no impact, outcome or output with the code {}",
                            p.code, input.result
                        ),
                    );
                }
                Some(r) if r.archived => {
                    errors.insert(
                        "result",
                        format!("{} is archived; restore it first or choose another", r.code),
                    );
                }
                Some(r) => result_id = Some(r.id),
            }
            let dims = category::dimensions(conn, p.id)?;
            let unknown: Vec<&str> = input
                .disaggregations
                .iter()
                .map(String::as_str)
                .filter(|d| dims.get(d).is_none())
                .collect();
            if !unknown.is_empty() {
                errors.insert(
                    "disaggregations",
                    format!(
                        "{} {} not a disaggregation category of {}; add {} under Disaggregations first",
                        unknown.join(", "),
                        if unknown.len() == 1 { "is" } else { "are" },
                        p.code,
                        if unknown.len() == 1 { "it" } else { "them" }
                    ),
                );
            }
            if let Some(old) = &old {
                let (all_values, approved) = values::counts_of_indicator(conn, old.id)?;
                let changes = measurement_changes(&measurement_of(old)?, &input.measurement());
                if approved > 0 {
                    for (field, change) in &changes {
                        errors.insert(field, measurement_refusal(&old.code, approved, change));
                    }
                } else if all_values > 0 {
                    // Drafts only: the parts of a category being dropped would be orphaned.
                    for d in old.dimensions() {
                        if !input.disaggregations.iter().any(|n| n == d) {
                            let n = values::parts_of_indicator(conn, old.id, d)?;
                            if n > 0 {
                                errors.insert("disaggregations", format!("{} has {n} values split by {d}; clear those parts in the entry grid first", old.code));
                            }
                        }
                    }
                }
            }
        }
        let input = match checked {
            Ok(i) if errors.is_empty() => i,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let Some(result_id) = result_id else {
            return Err(AppError::Internal(
                "indicator result resolved without an id".into(),
            ));
        };
        let after = input_snapshot(&input);
        match old {
            None => {
                let position = indicators
                    .iter()
                    .filter(|i| i.result_id == result_id)
                    .map(|i| i.position + 1)
                    .max()
                    .unwrap_or_else(|| {
                        results
                            .iter()
                            .find(|r| r.id == result_id)
                            .map(|r| r.position * 100)
                            .unwrap_or(0)
                    });
                let id = framework::insert_indicator(
                    conn,
                    &NewIndicator {
                        programme_id: p.id,
                        result_id,
                        code: &input.code,
                        title: &input.title,
                        definition: &input.definition,
                        unit: input.unit.as_str(),
                        direction: input.direction.as_str(),
                        county_aggregation: input.county.as_str(),
                        period_aggregation: input.period.as_str(),
                        baseline_value: input.baseline_value,
                        baseline_date: input.baseline_date,
                        end_target: input.end_target,
                        means_of_verification: &input.means_of_verification,
                        disaggregations: input.disaggregations.join(","),
                        is_key: input.is_key,
                        position,
                        end_target_date: input.end_target_date,
                        data_source: &input.data_source,
                    },
                )?;
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "indicator_created",
                        entity: "indicator",
                        id,
                        before: None,
                        after: Some(after),
                        detail: format!("{} {}", input.code, short(&input.title)),
                    },
                )?;
                Ok(Saved::Done(Done::new(id, Effect::Created)))
            }
            Some(old) => {
                let result_code = results
                    .iter()
                    .find(|r| r.id == old.result_id)
                    .map(|r| r.code.as_str())
                    .unwrap_or("");
                let before = indicator_snapshot(&old, result_code);
                let changes = differences(&before, &after);
                if changes.is_empty() {
                    return Ok(Saved::Done(Done::new(old.id, Effect::Unchanged)));
                }
                let n = framework::update_indicator_if_version(
                    conn,
                    old.id,
                    old.version,
                    &IndicatorChanges {
                        result_id,
                        code: &input.code,
                        title: &input.title,
                        definition: &input.definition,
                        unit: input.unit.as_str(),
                        direction: input.direction.as_str(),
                        county_aggregation: input.county.as_str(),
                        period_aggregation: input.period.as_str(),
                        baseline_value: input.baseline_value,
                        baseline_date: input.baseline_date,
                        end_target: input.end_target,
                        end_target_date: input.end_target_date,
                        means_of_verification: &input.means_of_verification,
                        data_source: &input.data_source,
                        disaggregations: input.disaggregations.join(","),
                        is_key: input.is_key,
                    },
                )?;
                if n != 1 {
                    return Ok(Saved::Stale(Box::new(framework::find_indicator(
                        conn, p.id, old.id,
                    )?)));
                }
                if old.result_id != result_id {
                    // Moved to another result: last among that result's indicators.
                    let position = indicators
                        .iter()
                        .filter(|i| i.result_id == result_id)
                        .map(|i| i.position + 1)
                        .max()
                        .unwrap_or_else(|| {
                            results
                                .iter()
                                .find(|r| r.id == result_id)
                                .map(|r| r.position * 100)
                                .unwrap_or(0)
                        });
                    framework::set_indicator_position(conn, old.id, position)?;
                }
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "indicator_updated",
                        entity: "indicator",
                        id: old.id,
                        before: Some(before),
                        after: Some(after),
                        detail: format!("{} {}", input.code, short(&input.title)),
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

/// Moves an indicator one place up or down among its result's indicators.
pub fn move_indicator(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
    up: bool,
) -> AppResult<Saved<Indicator>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let me = framework::find_indicator(conn, p.id, id)?;
        if me.version != version {
            return Ok(Saved::Stale(Box::new(me)));
        }
        let siblings: Vec<Indicator> = framework::indicators_of(conn, p.id)?
            .into_iter()
            .filter(|i| i.result_id == me.result_id && !i.archived)
            .collect();
        let at = siblings.iter().position(|i| i.id == id).unwrap_or(0);
        let other = if up {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|i| *i < siblings.len())
        };
        let Some(other) = other.map(|i| &siblings[i]) else {
            return Ok(Saved::Done(Done::new(id, Effect::Unchanged)));
        };
        let (a, b) = (me.position, other.position);
        let (a, b) = if a == b { (a, b + 1) } else { (a, b) };
        framework::set_indicator_position(conn, me.id, b)?;
        framework::set_indicator_position(conn, other.id, a)?;
        {
            use crate::db::schema::indicators;
            use diesel::prelude::*;
            diesel::update(indicators::table.find(me.id))
                .set(indicators::version.eq(me.version + 1))
                .execute(conn)?;
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "indicator_moved",
                entity: "indicator",
                id,
                before: None,
                after: Some(
                    json!({ "direction": if up { "up" } else { "down" }, "past": other.code }),
                ),
                detail: format!(
                    "{} moved {} past {}",
                    me.code,
                    if up { "up" } else { "down" },
                    other.code
                ),
            },
        )?;
        Ok(Saved::Done(Done {
            id,
            effect: Effect::Changed,
            changes: vec![format!(
                "moved {} past {}",
                if up { "up" } else { "down" },
                other.code
            )],
        }))
    })
}

/// Removes an indicator: archived when it has values, targets, continuity records or
/// the programme has issued reports; deleted otherwise.
pub fn remove_indicator(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
) -> AppResult<Saved<Indicator>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let me = framework::find_indicator(conn, p.id, id)?;
        if me.version != version {
            return Ok(Saved::Stale(Box::new(me)));
        }
        if me.archived {
            return Ok(Saved::Done(Done::new(id, Effect::Unchanged)));
        }
        let (n_values, _) = values::counts_of_indicator(conn, id)?;
        let n_targets = target::count_of_indicator(conn, id)?;
        let links = continuity::touching(conn, id)?.len();
        let reports = issued::of_programme(conn, p.id)?.len();
        let results = framework::results_of(conn, p.id)?;
        let rcode = results
            .iter()
            .find(|r| r.id == me.result_id)
            .map(|r| r.code.as_str())
            .unwrap_or("");
        let before = indicator_snapshot(&me, rcode);
        if n_values > 0 || n_targets > 0 || links > 0 || reports > 0 {
            if framework::set_indicator_archived_if_version(conn, id, version, true)? != 1 {
                return Ok(Saved::Stale(Box::new(framework::find_indicator(
                    conn, p.id, id,
                )?)));
            }
            let why = format!("{n_values} values, {n_targets} targets, {links} continuity records, {reports} issued reports");
            record(
                conn,
                actor,
                Some(p.id),
                Audit {
                    action: "indicator_archived",
                    entity: "indicator",
                    id,
                    before: Some(before),
                    after: Some(json!({ "archived": true })),
                    detail: format!("{} kept for history: {why}", me.code),
                },
            )?;
            Ok(Saved::Done(Done {
                id,
                effect: Effect::Archived,
                changes: vec![why],
            }))
        } else {
            if framework::delete_indicator_if_version(conn, id, version)? != 1 {
                return Ok(Saved::Stale(Box::new(framework::find_indicator(
                    conn, p.id, id,
                )?)));
            }
            record(
                conn,
                actor,
                Some(p.id),
                Audit {
                    action: "indicator_deleted",
                    entity: "indicator",
                    id,
                    before: Some(before),
                    after: None,
                    detail: me.code.clone(),
                },
            )?;
            Ok(Saved::Done(Done::new(id, Effect::Removed)))
        }
    })
}

pub fn restore_indicator(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
) -> AppResult<Saved<Indicator>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let me = framework::find_indicator(conn, p.id, id)?;
        if me.version != version {
            return Ok(Saved::Stale(Box::new(me)));
        }
        if !me.archived {
            return Ok(Saved::Done(Done::new(id, Effect::Unchanged)));
        }
        if framework::find_result(conn, p.id, me.result_id)?.archived {
            return Ok(invalid(
                "indicator",
                format!(
                    "{} is under an archived result; restore that first",
                    me.code
                ),
            ));
        }
        if framework::set_indicator_archived_if_version(conn, id, version, false)? != 1 {
            return Ok(Saved::Stale(Box::new(framework::find_indicator(
                conn, p.id, id,
            )?)));
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "indicator_restored",
                entity: "indicator",
                id,
                before: Some(json!({ "archived": true })),
                after: Some(json!({ "archived": false })),
                detail: me.code.clone(),
            },
        )?;
        Ok(Saved::Done(Done::new(id, Effect::Restored)))
    })
}

/// The outputs' weightings problem of a programme's live framework, if any.
pub fn weighting_problem(results: &[ResultRow]) -> Option<String> {
    let outputs: Vec<(String, Option<f64>)> = results
        .iter()
        .filter(|r| r.level == "output" && !r.archived)
        .map(|r| (r.code.clone(), r.impact_weighting))
        .collect();
    crate::domain::setup::weighting_problem(&outputs)
}
