//! Interim targets (the logframe's milestones) of an indicator: per period (quarter,
//! half-year, Kenyan fiscal year), for the programme or one county, for the total or
//! one disaggregation option. Saved as a set per indicator, each row version-checked.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::{record, require_active, Audit, Done, Effect};
use crate::db::DbConn;
use crate::domain::aggregation::{CountyAggregation, PeriodAggregation};
use crate::domain::setup::{check_target_period, check_target_value, TargetFields};
use crate::error::AppResult;
use crate::models::audit::Actor;
use crate::models::framework::{self, Indicator};
use crate::models::location;
use crate::models::programme::{self, Programme};
use crate::models::target::{self, TargetRow};
use crate::models::{category, values::NewTarget};

/// One target as typed, with the version it was loaded at (None: not checked; Some(0):
/// there was none when loaded, so one saved meanwhile makes the edit stale).
#[derive(Debug, Clone, Default)]
pub struct TargetEdit {
    pub fields: TargetFields,
    pub base_version: Option<i32>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TargetProblem {
    /// Which edit (None: the whole set).
    pub index: Option<usize>,
    pub field: &'static str,
    pub message: String,
    /// For a target given twice: the edit that gave it first. Callers name it their own
    /// way (a spreadsheet cell, a list index, a cell of the page).
    pub other: Option<usize>,
}

#[derive(Debug)]
pub enum TargetsSaved {
    Done(Done),
    Invalid(Vec<TargetProblem>),
    /// Someone changed these targets since they were loaded: all of them as they are now.
    Stale(Vec<TargetRow>),
}

type Key = (String, Option<i32>, String);

/// "2026Q3", "2026Q3 Turkana", "2026Q3 Female", "2026Q3 Turkana Female".
fn key_label(k: &Key, counties: &HashMap<i32, String>, part: &dyn Fn(&str) -> String) -> String {
    let mut s = k.0.clone();
    if let Some(c) = k.1.and_then(|c| counties.get(&c)) {
        s.push(' ');
        s.push_str(c);
    }
    if !k.2.is_empty() {
        s.push(' ');
        s.push_str(&part(&k.2));
    }
    s
}

fn plain(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The fields of stored targets, as a form or a spreadsheet shows them.
pub fn fields_of(
    rows: &[TargetRow],
    indicator_code: &str,
    counties: &HashMap<i32, String>,
) -> Vec<TargetEdit> {
    rows.iter()
        .map(|t| TargetEdit {
            fields: TargetFields {
                indicator: indicator_code.to_string(),
                period: t.period.clone(),
                county: t
                    .location_id
                    .and_then(|c| counties.get(&c).cloned())
                    .unwrap_or_default(),
                disaggregation: t.disaggregation.clone(),
                value: plain(t.value),
            },
            base_version: Some(t.version),
        })
        .collect()
}

/// Saves the targets of one indicator. A blank value removes that target; with
/// `replace_all`, stored targets not among `edits` are removed too (the edits are the
/// whole set, as in a spreadsheet).
pub fn set_targets(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    indicator: &Indicator,
    edits: &[TargetEdit],
    replace_all: bool,
) -> AppResult<TargetsSaved> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(TargetsSaved::Invalid(
                e.into_iter()
                    .map(|(field, message)| TargetProblem {
                        index: None,
                        field,
                        message,
                        other: None,
                    })
                    .collect(),
            ));
        }
        let ind = framework::find_indicator(conn, p.id, indicator.id)?;
        let rules = ind.rules()?;
        let dims = category::dimensions(conn, p.id)?;
        let counties = location::counties(conn)?;
        let names: HashMap<i32, String> = counties.iter().map(|c| (c.id, c.name.clone())).collect();
        let covered: Vec<i32> = programme::phases_of(conn, p.id)?
            .iter()
            .flat_map(|ph| ph.counties.iter().map(|c| c.id))
            .collect();
        let stored = target::of_indicator(conn, ind.id)?;
        let by_key: HashMap<Key, &TargetRow> = stored.iter().map(|t| (t.key(), t)).collect();
        let mut problems = Vec::new();
        let mut wanted: BTreeMap<Key, (Option<f64>, chrono::NaiveDate, chrono::NaiveDate, usize)> =
            BTreeMap::new();
        let mut stale = false;
        for (index, edit) in edits.iter().enumerate() {
            let f = &edit.fields;
            let mut problem = |field: &'static str, message: String| {
                problems.push(TargetProblem {
                    index: Some(index),
                    field,
                    message,
                    other: None,
                })
            };
            let period = match check_target_period(
                &f.period,
                &p.reporting_frequency,
                (p.start_date, p.end_date),
            ) {
                Ok(period) => Some(period),
                Err(m) => {
                    problem("period", m);
                    None
                }
            };
            let county = match f.county.trim() {
                "" => Some(None),
                t => match location::find_county(&counties, t) {
                    Some(c) if covered.contains(&c.id) => Some(Some(c.id)),
                    Some(c) => {
                        problem(
                            "county",
                            format!("{} is not covered by any phase of {}", c.name, p.code),
                        );
                        None
                    }
                    None => {
                        problem(
                            "county",
                            format!("'{t}' is not a Kenyan county (give its name or code)"),
                        );
                        None
                    }
                },
            };
            let part = f.disaggregation.trim().to_string();
            if !dims.is_valid(&ind.dimensions(), &part) {
                problem(
                    "disaggregation",
                    if ind.dimensions().is_empty() {
                        format!(
                            "{} has no disaggregations; leave the part empty for the total",
                            ind.code
                        )
                    } else {
                        format!(
                            "'{part}' is not a part of {}; use one of {}",
                            ind.code,
                            part_choices(&dims, &ind)
                        )
                    },
                );
            }
            // A count's milestone is whole unless it is a mean (of periods, or of
            // counties for the programme total).
            let whole = rules.period != PeriodAggregation::Mean
                && (rules.county == CountyAggregation::Sum || !f.county.trim().is_empty());
            let value = match check_target_value(&f.value, rules.unit, whole) {
                Ok(v) => Some(v),
                Err(m) => {
                    problem("value", m);
                    None
                }
            };
            if let (Some(period), Some(county), Some(value)) = (period, county, value) {
                let key: Key = (period.id(), county, part);
                if let Some(first) = wanted.get(&key) {
                    // No position in the words: callers number their items differently
                    // (a spreadsheet cell, a list index) and name `other` themselves.
                    problems.push(TargetProblem {
                        index: Some(index),
                        field: "period",
                        message: format!(
                            "{} is given twice",
                            key_label(&key, &names, &|k| dims.label(k))
                        ),
                        other: Some(first.3),
                    });
                    continue;
                }
                if let Some(v) = edit.base_version {
                    let now = by_key.get(&key).map(|t| t.version);
                    // 0: the person saw no target there; one saved meanwhile is someone else's.
                    if now != Some(v) && !(v == 0 && now.is_none()) {
                        stale = true;
                    }
                }
                wanted.insert(key, (value, period.start(), period.end(), index));
            }
        }
        if stale && problems.is_empty() {
            return Ok(TargetsSaved::Stale(stored));
        }
        if !problems.is_empty() {
            return Ok(TargetsSaved::Invalid(problems));
        }
        let label = |k: &Key| key_label(k, &names, &|part| dims.label(part));
        let mut changes = Vec::new();
        let (mut before, mut after) = (Map::new(), Map::new());
        for (key, (value, start, end, _)) in &wanted {
            match (by_key.get(key), value) {
                (None, None) => {}
                (None, Some(v)) => {
                    target::insert(
                        conn,
                        &NewTarget {
                            indicator_id: ind.id,
                            period: key.0.clone(),
                            period_start: *start,
                            period_end: *end,
                            value: *v,
                            location_id: key.1,
                            disaggregation: key.2.clone(),
                        },
                    )?;
                    changes.push(format!("{}: — → {}", label(key), plain(*v)));
                    after.insert(label(key), json!(v));
                }
                (Some(t), Some(v)) if (t.value - v).abs() < 1e-12 => {}
                (Some(t), Some(v)) => {
                    if target::update_if_version(conn, t.id, t.version, *v)? != 1 {
                        return Ok(TargetsSaved::Stale(target::of_indicator(conn, ind.id)?));
                    }
                    changes.push(format!(
                        "{}: {} → {}",
                        label(key),
                        plain(t.value),
                        plain(*v)
                    ));
                    before.insert(label(key), json!(t.value));
                    after.insert(label(key), json!(v));
                }
                (Some(t), None) => {
                    if target::delete_if_version(conn, t.id, t.version)? != 1 {
                        return Ok(TargetsSaved::Stale(target::of_indicator(conn, ind.id)?));
                    }
                    changes.push(format!("{}: {} → —", label(key), plain(t.value)));
                    before.insert(label(key), json!(t.value));
                }
            }
        }
        if replace_all {
            for t in &stored {
                if !wanted.contains_key(&t.key()) {
                    if target::delete_if_version(conn, t.id, t.version)? != 1 {
                        return Ok(TargetsSaved::Stale(target::of_indicator(conn, ind.id)?));
                    }
                    changes.push(format!("{}: {} → —", label(&t.key()), plain(t.value)));
                    before.insert(label(&t.key()), json!(t.value));
                }
            }
        }
        if changes.is_empty() {
            return Ok(TargetsSaved::Done(Done::new(ind.id, Effect::Unchanged)));
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "targets_set",
                entity: "indicator",
                id: ind.id,
                before: Some(Value::Object(before)),
                after: Some(Value::Object(after)),
                detail: format!(
                    "{}: {} milestone target{} changed",
                    ind.code,
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" }
                ),
            },
        )?;
        Ok(TargetsSaved::Done(Done {
            id: ind.id,
            effect: Effect::Changed,
            changes,
        }))
    })
}

/// A fingerprint of an indicator's whole set of targets (ids and versions): what a client
/// that replaces the set names as the version it read.
pub fn set_version(rows: &[TargetRow]) -> String {
    let mut pairs: Vec<(i32, i32)> = rows.iter().map(|t| (t.id, t.version)).collect();
    pairs.sort_unstable();
    // FNV-1a: stable across builds and backends, which a std hasher is not promised to be.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (id, v) in pairs {
        for b in id.to_le_bytes().into_iter().chain(v.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Replaces the whole set of an indicator's targets, if the set is still the one read
/// (`read_version`, from [`set_version`]): compared inside the transaction that writes,
/// so a target someone added after the set was read is never removed unseen.
pub fn replace_set(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    indicator: &Indicator,
    edits: &[TargetEdit],
    read_version: &str,
) -> AppResult<TargetsSaved> {
    crate::db::write(conn, |conn| {
        let stored = target::of_indicator(conn, indicator.id)?;
        if set_version(&stored) != read_version {
            return Ok(TargetsSaved::Stale(stored));
        }
        set_targets(conn, actor, p, indicator, edits, true)
    })
}

fn part_choices(dims: &crate::domain::disaggregation::Dimensions, ind: &Indicator) -> String {
    ind.dimensions()
        .iter()
        .flat_map(|d| dims.options(d).into_iter().map(move |o| format!("{d}={o}")))
        .collect::<Vec<_>>()
        .join(", ")
}
