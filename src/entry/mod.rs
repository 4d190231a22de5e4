//! Entering values for a programme's period, and the approval workflow around it.
//!
//! One code path for the browser grid, the CSV import and the API: every input is
//! checked first (unit, county, disaggregation, jumps, parts adding up, the version it
//! started from); only when all of it is right is anything written — in one
//! transaction, with an audit row per change holding the value before and after.

pub mod import;
pub mod plan;
pub mod progress;
pub mod told;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use serde_json::json;

use crate::db::DbConn;
use crate::domain::disaggregation::{self, Dimensions};
use crate::domain::entry::{check_parts, check_value, parse_typed, EntryField};
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::activity_progress::{self, ActivityProgress};
use crate::models::audit::{self, Actor};
use crate::models::framework::{self, Indicator, IndicatorRules};
use crate::models::location::Location;
use crate::models::lock::{self, PeriodLock};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::user;
use crate::models::values::{self, IndicatorValue};

/// Why a closed or archived programme's figures cannot change.
pub fn closed_message(p: &Programme) -> String {
    format!(
        "{} is {}: its figures and framework are read-only. An administrator can make it active again.",
        p.code, p.status
    )
}

/// Figures change only in an active programme.
pub fn require_open(p: &Programme) -> AppResult<()> {
    if p.is_active() {
        Ok(())
    } else {
        Err(AppError::Forbidden(closed_message(p)))
    }
}

/// One cell: an indicator, a county and "" (total) or a part such as "sex=female".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct CellKey {
    pub indicator_id: i32,
    pub location_id: i32,
    pub disaggregation: String,
}

impl CellKey {
    /// A compact form for form field names and CSV: "12.7.sex=female".
    pub fn code(&self) -> String {
        format!(
            "{}.{}.{}",
            self.indicator_id, self.location_id, self.disaggregation
        )
    }

    pub fn parse(code: &str) -> Option<CellKey> {
        let mut parts = code.splitn(3, '.');
        Some(CellKey {
            indicator_id: parts.next()?.parse().ok()?,
            location_id: parts.next()?.parse().ok()?,
            disaggregation: parts.next().unwrap_or("").to_string(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Mine,
    Theirs,
}

/// What a person typed into one cell.
#[derive(Debug, Clone)]
pub struct CellInput {
    pub key: CellKey,
    pub raw: String,
    pub comment: String,
    /// The version the person started from; None when the cell was empty.
    pub base_version: Option<i32>,
    /// After a conflict was shown: which value the person chose to keep.
    pub pick: Option<Pick>,
    /// Set when the form showed a conflict for this cell, so a choice is required.
    pub resolving: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CellProblem {
    pub key: CellKey,
    /// "value", "comment", "parts", "county", "indicator", "pick"
    pub field: &'static str,
    pub message: String,
}

/// Someone else changed the cell after this person loaded it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Conflict {
    pub key: CellKey,
    pub mine: String,
    pub theirs: Option<f64>,
    pub theirs_comment: Option<String>,
    pub theirs_by: String,
    pub theirs_at: Option<NaiveDateTime>,
    pub theirs_version: Option<i32>,
}

/// A change a save makes (or, in a dry run, would make): the value before and after.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlannedChange {
    pub key: CellKey,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Check and report what would change; write nothing (an import's preview).
    DryRun,
    Write,
}

#[derive(Debug, Default)]
pub struct SaveReport {
    pub changed: usize,
    pub planned: Vec<PlannedChange>,
    pub problems: Vec<CellProblem>,
    pub conflicts: Vec<Conflict>,
}

impl SaveReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.conflicts.is_empty()
    }
}

/// Everything the grid needs about a programme's period.
pub struct EntryContext {
    pub programme: Programme,
    pub period: Period,
    pub phase: PhaseWithCounties,
    pub indicators: Vec<(Indicator, IndicatorRules)>,
    pub values: HashMap<CellKey, IndicatorValue>,
    /// The previous period's values, to show beside each cell and to spot jumps.
    pub previous: HashMap<CellKey, f64>,
    pub targets: HashMap<i32, f64>,
    /// Milestones set for one county: (indicator, county) → value.
    pub county_targets: HashMap<(i32, i32), f64>,
    pub lock: Option<PeriodLock>,
    /// While the period is not locked: the newest lock lifted from it, with who
    /// unlocked it and why.
    pub unlocked: Option<PeriodLock>,
    /// The programme's disaggregation categories and their options.
    pub dimensions: Dimensions,
    /// The activities whose progress the period asks for, with what is entered.
    pub progress: Vec<progress::ProgressRow>,
}

impl EntryContext {
    pub fn load(
        conn: &mut DbConn,
        programme: Programme,
        period: Period,
    ) -> AppResult<EntryContext> {
        Self::load_some(conn, programme, period, None)
    }

    /// What a save of only these indicators' cells needs (a CSV file names a few): the
    /// checks and the writes see the same as with [`EntryContext::load`], but only
    /// these indicators' values are read, and neither targets nor activity progress.
    pub fn load_for_saving(
        conn: &mut DbConn,
        programme: Programme,
        period: Period,
        indicator_ids: &HashSet<i32>,
    ) -> AppResult<EntryContext> {
        Self::load_some(conn, programme, period, Some(indicator_ids))
    }

    fn load_some(
        conn: &mut DbConn,
        programme: Programme,
        period: Period,
        only: Option<&HashSet<i32>>,
    ) -> AppResult<EntryContext> {
        if period.start() < programme.start_date || period.end() > programme.end_date {
            return Err(AppError::invalid(
                "period",
                format!(
                    "{} ({}) is outside the programme, which runs {} to {}",
                    period.id(),
                    period.label(),
                    programme.start_date.format("%-d %b %Y"),
                    programme.end_date.format("%-d %b %Y")
                ),
            ));
        }
        if programme.reporting_frequency == "quarterly"
            && period.kind() != crate::domain::period::PeriodKind::Quarter
        {
            return Err(AppError::invalid(
                "period",
                format!(
                    "{} reports quarterly: enter values per quarter (e.g. {}); {} is a {}",
                    programme.code,
                    Period::quarter_containing(period.start()).id(),
                    period.id(),
                    period.kind().label().to_lowercase()
                ),
            ));
        }
        let phase = programme::phases_of(conn, programme.id)?
            .into_iter()
            .find(|ph| ph.phase.start_date <= period.start() && period.end() <= ph.phase.end_date)
            .ok_or_else(|| {
                AppError::invalid(
                    "period",
                    format!(
                        "{} does not lie within one phase of the programme",
                        period.id()
                    ),
                )
            })?;
        let indicators = framework::active_indicators_of(conn, programme.id)?
            .into_iter()
            .filter(|i| only.is_none_or(|ids| ids.contains(&i.id)))
            .map(|i| i.rules().map(|r| (i, r)))
            .collect::<AppResult<Vec<_>>>()?;
        let ids: Vec<i32> = indicators.iter().map(|(i, _)| i.id).collect();
        let values = match only {
            None => values::of_period(conn, programme.id, &period.id())?,
            Some(_) => values::of_indicators_in_period(conn, &ids, &period.id())?,
        }
        .into_iter()
        .map(|v| (key_of(&v), v))
        .collect();
        let previous = match only {
            None => values::figures_of_period(conn, programme.id, &period.prev().id())?,
            Some(_) => values::figures_of_indicators_in_period(conn, &ids, &period.prev().id())?,
        }
        .into_iter()
        .map(|(indicator_id, location_id, disaggregation, value)| {
            (
                CellKey {
                    indicator_id,
                    location_id,
                    disaggregation,
                },
                value,
            )
        })
        .collect();
        let targets = match only {
            None => values::targets_of_period(conn, programme.id, &period.id())?
                .into_iter()
                .map(|t| (t.indicator_id, t.value))
                .collect(),
            Some(_) => HashMap::new(),
        };
        let county_targets = match only {
            None => values::county_targets_of_period(conn, programme.id, &period.id())?
                .into_iter()
                .map(|(indicator, county, value)| ((indicator, county), value))
                .collect(),
            Some(_) => HashMap::new(),
        };
        let lock = lock::current(conn, programme.id, &period.id())?;
        let unlocked = match (&lock, only) {
            (None, None) => lock::last_unlock(conn, programme.id, &period.id())?,
            _ => None,
        };
        let dimensions = crate::models::category::dimensions(conn, programme.id)?;
        let progress = match only {
            None => progress::load_rows(conn, programme.id, &period)?,
            Some(_) => Vec::new(),
        };
        Ok(EntryContext {
            programme,
            period,
            phase,
            indicators,
            values,
            previous,
            targets,
            county_targets,
            lock,
            unlocked,
            dimensions,
            progress,
        })
    }

    pub fn counties(&self) -> &[Location] {
        &self.phase.counties
    }

    /// Every cell of the grid: indicator × phase county × (total, then each part).
    pub fn cells(&self) -> Vec<CellKey> {
        let mut out = Vec::new();
        for (ind, _) in &self.indicators {
            for county in self.counties() {
                out.push(CellKey {
                    indicator_id: ind.id,
                    location_id: county.id,
                    disaggregation: String::new(),
                });
                for dim in ind.dimensions() {
                    for cat in self.dimensions.options(dim) {
                        out.push(CellKey {
                            indicator_id: ind.id,
                            location_id: county.id,
                            disaggregation: disaggregation::key(dim, cat),
                        });
                    }
                }
            }
        }
        out
    }

    pub fn status_counts(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for v in self.values.values() {
            *m.entry(v.status.as_str()).or_insert(0) += 1;
        }
        m
    }

    /// Workflow statuses of the period's activity progress rows.
    pub fn progress_counts(&self) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for r in self.progress.iter().filter_map(|r| r.current.as_ref()) {
            *m.entry(r.workflow_status.as_str()).or_insert(0) += 1;
        }
        m
    }
}

fn key_of(v: &IndicatorValue) -> CellKey {
    CellKey {
        indicator_id: v.indicator_id,
        location_id: v.location_id,
        disaggregation: v.disaggregation.clone(),
    }
}

fn same_comment(a: Option<&str>, b: &str) -> bool {
    a.unwrap_or("").trim() == b.trim()
}

/// A value's audit snapshot as JSON text: the text `json!({ "value": …, "comment": …,
/// "status": …, "version": … }).to_string()` gives (keys in its order), written straight
/// from a struct: a full grid's save writes thousands of these.
fn value_json(
    value: Option<f64>,
    comment: Option<&str>,
    status: Option<&str>,
    version: Option<i32>,
) -> String {
    #[derive(serde::Serialize)]
    struct Snapshot<'a> {
        comment: Option<&'a str>,
        status: Option<&'a str>,
        value: Option<f64>,
        version: Option<i32>,
    }
    serde_json::to_string(&Snapshot {
        comment,
        status,
        value,
        version,
    })
    .expect("plain values serialise")
}

enum Change {
    Insert(CellKey, f64, Option<String>),
    Update(IndicatorValue, f64, Option<String>),
    Delete(IndicatorValue),
}

/// Checks every input, and saves all of them or none. A period that is locked, a
/// cell outside the phase's counties, a value against its unit, a jump without a
/// comment, parts that do not add up, or a cell changed by someone else since it was
/// loaded: each is reported for its cell, and nothing is written.
pub fn save(
    conn: &mut DbConn,
    ctx: &EntryContext,
    actor: &Actor,
    inputs: &[CellInput],
    now: NaiveDateTime,
) -> AppResult<SaveReport> {
    save_with(conn, ctx, actor, inputs, now, Mode::Write)
}

/// [`save`], or with [`Mode::DryRun`] only the checks and the list of planned changes.
pub fn save_with(
    conn: &mut DbConn,
    ctx: &EntryContext,
    actor: &Actor,
    inputs: &[CellInput],
    now: NaiveDateTime,
    mode: Mode,
) -> AppResult<SaveReport> {
    crate::db::write(conn, |conn| {
        // Read the period again inside the transaction: the context may be stale.
        let fresh = EntryContext::load(conn, ctx.programme.clone(), ctx.period)?;
        save_loaded(conn, &fresh, actor, inputs, now, mode)
    })
}

/// [`save_with`] for a caller already inside a transaction that has just loaded `fresh`
/// (the CSV import, one period after another).
pub fn save_loaded(
    conn: &mut DbConn,
    fresh: &EntryContext,
    actor: &Actor,
    inputs: &[CellInput],
    now: NaiveDateTime,
    mode: Mode,
) -> AppResult<SaveReport> {
    require_open(&fresh.programme)?;
    {
        let mut report = SaveReport::default();
        let indicators: HashMap<i32, &(Indicator, IndicatorRules)> =
            fresh.indicators.iter().map(|p| (p.0.id, p)).collect();
        let counties: HashSet<i32> = fresh.counties().iter().map(|c| c.id).collect();
        let mut changes: Vec<Change> = Vec::new();
        // The state after the save, for the parts-add-up check.
        let mut after: HashMap<CellKey, f64> = fresh
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.value))
            .collect();
        let mut touched: HashSet<(i32, i32)> = HashSet::new();

        for input in inputs {
            let key = &input.key;
            let problem = |field: &'static str, message: String| CellProblem {
                key: key.clone(),
                field,
                message,
            };
            let Some((ind, rules)) = indicators.get(&key.indicator_id).map(|p| (&p.0, &p.1)) else {
                report.problems.push(problem(
                    "indicator",
                    "this indicator is not part of the programme".into(),
                ));
                continue;
            };
            if !counties.contains(&key.location_id) {
                report.problems.push(problem(
                    "county",
                    format!(
                        "this county is not covered by {} in {}",
                        fresh.phase.phase.name,
                        fresh.period.id()
                    ),
                ));
                continue;
            }
            if !fresh
                .dimensions
                .is_valid(&ind.dimensions(), &key.disaggregation)
            {
                report.problems.push(problem(
                    "value",
                    format!(
                        "'{}' is not a disaggregation of {}",
                        key.disaggregation, ind.code
                    ),
                ));
                continue;
            }
            let parsed = match parse_typed(rules.unit, &input.raw) {
                Ok(v) => v,
                Err(e) => {
                    report.problems.push(problem("value", e));
                    continue;
                }
            };
            let existing = fresh.values.get(key);
            let unchanged = match (existing, parsed) {
                (None, None) => true,
                (Some(e), Some(v)) => {
                    e.value == v && same_comment(e.comment.as_deref(), &input.comment)
                }
                _ => false,
            };
            if unchanged {
                continue;
            }
            if input.resolving && input.pick.is_none() {
                report.problems.push(problem(
                    "pick",
                    "choose whether to keep their value or yours".into(),
                ));
                continue;
            }
            if input.pick == Some(Pick::Theirs) {
                continue;
            }
            let current_version = existing.map(|e| e.version);
            if current_version != input.base_version {
                report.conflicts.push(Conflict {
                    key: key.clone(),
                    mine: input.raw.clone(),
                    theirs: existing.map(|e| e.value),
                    theirs_comment: existing.and_then(|e| e.comment.clone()),
                    theirs_by: String::new(),
                    theirs_at: existing.map(|e| e.entered_at),
                    theirs_version: current_version,
                });
                if let Some(e) = existing {
                    report.conflicts.last_mut().expect("just pushed").theirs_by = e
                        .entered_by
                        .and_then(|id| user::find(conn, id).ok())
                        .map(|u| u.display_name)
                        .unwrap_or_else(|| "someone".into());
                }
                continue;
            }
            if fresh.lock.is_some() {
                report.problems.push(problem(
                    "value",
                    format!("{} is approved and locked; a ministry M&E officer can unlock it, giving a reason", fresh.period.id()),
                ));
                continue;
            }
            let comment = Some(input.comment.trim().to_string()).filter(|c| !c.is_empty());
            match parsed {
                Some(v) => {
                    let previous = fresh.previous.get(key).copied();
                    for p in check_value(rules.unit, v, previous, comment.as_deref()) {
                        let field = match p.field {
                            EntryField::Value => "value",
                            EntryField::Comment => "comment",
                        };
                        report.problems.push(problem(field, p.message));
                    }
                    after.insert(key.clone(), v);
                    changes.push(match existing {
                        Some(e) => Change::Update(e.clone(), v, comment),
                        None => Change::Insert(key.clone(), v, comment),
                    });
                }
                None => {
                    after.remove(key);
                    if let Some(e) = existing {
                        changes.push(Change::Delete(e.clone()));
                    }
                }
            }
            touched.insert((key.indicator_id, key.location_id));
        }

        // Parts must add up to their total, per dimension, for every touched cell group.
        for (indicator_id, location_id) in &touched {
            let Some((ind, _)) = indicators.get(indicator_id).map(|p| (&p.0, &p.1)) else {
                continue;
            };
            let total_key = CellKey {
                indicator_id: *indicator_id,
                location_id: *location_id,
                disaggregation: String::new(),
            };
            let Some(total) = after.get(&total_key).copied() else {
                continue;
            };
            for dim in ind.dimensions() {
                let parts: Vec<(String, f64)> = fresh
                    .dimensions
                    .options(dim)
                    .into_iter()
                    .filter_map(|cat| {
                        let k = CellKey {
                            disaggregation: disaggregation::key(dim, cat),
                            ..total_key.clone()
                        };
                        after.get(&k).map(|v| (cat.to_string(), *v))
                    })
                    .collect();
                if let Some(message) = check_parts(total, dim, &parts) {
                    report.problems.push(CellProblem {
                        key: total_key.clone(),
                        field: "parts",
                        message,
                    });
                }
            }
        }

        report.planned = changes
            .iter()
            .map(|c| match c {
                Change::Insert(k, v, _) => PlannedChange {
                    key: k.clone(),
                    before: None,
                    after: Some(*v),
                },
                Change::Update(old, v, _) => PlannedChange {
                    key: key_of(old),
                    before: Some(old.value),
                    after: Some(*v),
                },
                Change::Delete(old) => PlannedChange {
                    key: key_of(old),
                    before: Some(old.value),
                    after: None,
                },
            })
            .collect();
        if !report.is_clean() || changes.is_empty() || mode == Mode::DryRun {
            return Ok(report);
        }
        report.changed = write(conn, fresh, actor, changes, now)?;
        Ok(report)
    }
}

/// Writes the checked changes of one period in a few statements whatever their number
/// (one per kind: delete, update, insert; then the audit rows), each row only if still
/// at the version it was read at: otherwise the whole save is refused and rolled back.
fn write(
    conn: &mut DbConn,
    ctx: &EntryContext,
    actor: &Actor,
    changes: Vec<Change>,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let n = changes.len();
    let pid = Some(ctx.programme.id);
    let period = ctx.period.id();
    let mut audits = Vec::with_capacity(n);
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    let mut deletes = Vec::new();
    let raced = || {
        AppError::Conflict("Someone saved values of this period at the same moment. Nothing of yours was saved: reload the page and enter them again.".into())
    };
    let counted = values::counted_groups(changes.iter().filter_map(|c| match c {
        Change::Update(old, ..) | Change::Delete(old) => Some(old),
        Change::Insert(..) => None,
    }));
    for change in changes {
        match change {
            Change::Insert(key, v, comment) => inserts.push(values::NewCell {
                indicator_id: key.indicator_id,
                location_id: key.location_id,
                disaggregation: key.disaggregation,
                value: v,
                comment,
            }),
            Change::Update(old, v, comment) => {
                audits.push(audit::Written {
                    user_id: actor.user_id,
                    actor: &actor.name,
                    action: "value_updated",
                    entity: "indicator_value",
                    entity_id: Some(old.id),
                    programme_id: pid,
                    before_json: Some(value_json(
                        Some(old.value),
                        old.comment.as_deref(),
                        Some(&old.status),
                        Some(old.version),
                    )),
                    after_json: Some(value_json(
                        Some(v),
                        comment.as_deref(),
                        Some("draft"),
                        Some(old.version + 1),
                    )),
                    detail: format!("{period} {}", old.disaggregation),
                });
                updates.push(values::VersionedUpdate {
                    id: old.id,
                    version: old.version,
                    value: v,
                    comment,
                });
            }
            Change::Delete(old) => {
                deletes.push((old.id, old.version));
                audits.push(audit::Written {
                    user_id: actor.user_id,
                    actor: &actor.name,
                    action: "value_cleared",
                    entity: "indicator_value",
                    entity_id: Some(old.id),
                    programme_id: pid,
                    before_json: Some(value_json(
                        Some(old.value),
                        old.comment.as_deref(),
                        Some(&old.status),
                        Some(old.version),
                    )),
                    after_json: None,
                    detail: format!("{period} {}", old.disaggregation),
                });
            }
        }
    }
    // The old rows that counted (submitted or approved, e.g. in a period unlocked for
    // correction): their totals are recounted once for the whole write.
    values::recounting_once(conn, &counted, |conn| {
        if values::delete_many(conn, &deletes)? != deletes.len() {
            return Err(raced());
        }
        if values::update_many(conn, &updates, actor.user_id, now)? != updates.len() {
            return Err(raced());
        }
        Ok(())
    })?;
    let ids: HashMap<(i32, i32, String), i32> =
        values::insert_cells(conn, &ctx.period, &inserts, actor.user_id, now)?
            .into_iter()
            .map(|r| ((r.indicator_id, r.location_id, r.disaggregation), r.id))
            .collect();
    for c in inserts {
        let detail = format!("{period} {}", c.disaggregation);
        let id = ids
            .get(&(c.indicator_id, c.location_id, c.disaggregation))
            .copied();
        audits.push(audit::Written {
            user_id: actor.user_id,
            actor: &actor.name,
            action: "value_entered",
            entity: "indicator_value",
            entity_id: id,
            programme_id: pid,
            before_json: None,
            after_json: Some(value_json(
                Some(c.value),
                c.comment.as_deref(),
                Some("draft"),
                Some(1),
            )),
            detail,
        });
    }
    audit::record_written(conn, audits)?;
    Ok(n)
}

/// A move of a period's values from some statuses to another, as the workflow makes it.
#[derive(Clone, Copy)]
struct Transition<'a> {
    from: &'a [&'a str],
    to: &'a str,
    /// The audit action per value, e.g. "value_submitted".
    action: &'a str,
    /// What the period lacks when nothing moved, e.g. "draft or returned values to submit".
    nothing: &'a str,
    reason: Option<&'a str>,
    /// Who reviewed and when (approve, return).
    reviewer: Option<(Option<i32>, NaiveDateTime)>,
}

/// What a workflow step moved: the period's values and its activity progress rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moved {
    pub values: usize,
    pub progress: usize,
}

impl Moved {
    /// "14 value(s)", or "14 value(s) and 3 activity progress row(s)".
    pub fn describe(&self) -> String {
        if self.progress == 0 {
            format!("{} value(s)", self.values)
        } else {
            format!(
                "{} value(s) and {} activity progress row(s)",
                self.values, self.progress
            )
        }
    }
}

/// Refused while the period is locked or when nothing would move; otherwise moves the
/// values and the activity progress rows (each a new version) and audits each with its
/// status before and after. Returns the rows as they were.
fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    programme: &Programme,
    period: &Period,
    t: Transition,
) -> AppResult<(Vec<IndicatorValue>, Vec<ActivityProgress>)> {
    require_open(programme)?;
    if lock::current(conn, programme.id, &period.id())?.is_some() {
        return Err(AppError::Conflict(format!(
            "{} is approved and locked; a ministry M&E officer can unlock it, giving a reason.",
            period.id()
        )));
    }
    let rows = values::set_status(
        conn,
        programme.id,
        &period.id(),
        t.from,
        t.to,
        t.reason,
        t.reviewer,
    )?;
    let moved = activity_progress::set_status(
        conn,
        programme.id,
        &period.id(),
        t.from,
        t.to,
        t.reason,
        t.reviewer,
    )?;
    if rows.is_empty() && moved.is_empty() {
        return Err(AppError::invalid(
            "period",
            format!("{} has no {}", period.id(), t.nothing),
        ));
    }
    let mut audits: Vec<audit::Change> = rows
        .iter()
        .map(|v| audit::Change {
            user_id: actor.user_id,
            actor: &actor.name,
            action: t.action,
            entity: "indicator_value",
            entity_id: Some(v.id),
            programme_id: Some(programme.id),
            before: Some(json!({ "status": v.status, "version": v.version })),
            after: Some(json!({ "status": t.to, "version": v.version + 1, "reason": t.reason })),
            detail: v.period.clone(),
        })
        .collect();
    let progress_action = t.action.replace("value_", "progress_");
    audits.extend(moved.iter().map(|r| audit::Change {
        user_id: actor.user_id,
        actor: &actor.name,
        action: &progress_action,
        entity: "activity_progress",
        entity_id: Some(r.id),
        programme_id: Some(programme.id),
        before: Some(json!({ "workflow_status": r.workflow_status, "version": r.version })),
        after: Some(
            json!({ "workflow_status": t.to, "version": r.version + 1, "reason": t.reason }),
        ),
        detail: r.period.clone(),
    }));
    audit::record_many(conn, audits)?;
    Ok((rows, moved))
}

fn moved(rows: (Vec<IndicatorValue>, Vec<ActivityProgress>)) -> Moved {
    Moved {
        values: rows.0.len(),
        progress: rows.1.len(),
    }
}

/// The manager sends the period's draft and returned values for approval.
pub fn submit(
    conn: &mut DbConn,
    actor: &Actor,
    programme: &Programme,
    period: &Period,
) -> AppResult<Moved> {
    let t = Transition {
        from: &["draft", "returned"],
        to: "submitted",
        action: "value_submitted",
        nothing: "draft or returned values or activity progress to submit",
        reason: None,
        reviewer: None,
    };
    crate::db::write(conn, |conn| {
        Ok(moved(transition(conn, actor, programme, period, t)?))
    })
}

/// The M&E officer approves the submitted values and activity progress; the period is
/// then locked, and each activity's figures of "now" follow its newest approved
/// progress. Refused while any value or progress row is still a draft or returned, so
/// nothing is locked half-entered.
pub fn approve(
    conn: &mut DbConn,
    actor: &Actor,
    programme: &Programme,
    period: &Period,
    now: NaiveDateTime,
) -> AppResult<Moved> {
    crate::db::write(conn, |conn| {
        let open = values::of_period(conn, programme.id, &period.id())?
            .into_iter()
            .filter(|v| v.status == "draft" || v.status == "returned")
            .count();
        let open_progress = activity_progress::of_period(conn, programme.id, &period.id())?
            .into_iter()
            .filter(|r| r.workflow_status == "draft" || r.workflow_status == "returned")
            .count();
        if open > 0 || open_progress > 0 {
            let what = match (open, open_progress) {
                (v, 0) => format!("{v} value(s)"),
                (0, p) => format!("{p} activity progress row(s)"),
                (v, p) => format!("{v} value(s) and {p} activity progress row(s)"),
            };
            return Err(AppError::invalid(
                "period",
                format!(
                    "{what} of {} are still draft or returned: the manager must submit them first",
                    period.id()
                ),
            ));
        }
        let t = Transition {
            from: &["submitted"],
            to: "approved",
            action: "value_approved",
            nothing: "submitted values or activity progress to approve",
            reason: None,
            reviewer: Some((actor.user_id, now)),
        };
        let rows = transition(conn, actor, programme, period, t)?;
        let activities: Vec<i32> = rows.1.iter().map(|r| r.activity_id).collect();
        progress::sync_activities(conn, actor, programme.id, &activities, now)?;
        let lock_id = lock::lock(conn, programme.id, &period.id(), actor.user_id, now)?;
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "period_locked",
                entity: "period_lock",
                entity_id: Some(lock_id),
                programme_id: Some(programme.id),
                detail: period.id(),
                ..Default::default()
            },
        )?;
        Ok(moved(rows))
    })
}

fn require_reason(reason: &str, what: &str) -> AppResult<String> {
    let r = reason.trim();
    if r.chars().count() < 5 {
        return Err(AppError::invalid(
            "reason",
            format!(
                "give a reason for {what} (at least 5 characters) so the manager knows what to do"
            ),
        ));
    }
    Ok(r.to_string())
}

/// The M&E officer sends submitted values back, saying why.
pub fn return_for_correction(
    conn: &mut DbConn,
    actor: &Actor,
    programme: &Programme,
    period: &Period,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<Moved> {
    let reason = require_reason(reason, "returning the values")?;
    let t = Transition {
        from: &["submitted"],
        to: "returned",
        action: "value_returned",
        nothing: "submitted values or activity progress to return",
        reason: Some(&reason),
        reviewer: Some((actor.user_id, now)),
    };
    crate::db::write(conn, |conn| {
        Ok(moved(transition(conn, actor, programme, period, t)?))
    })
}

/// The M&E officer unlocks an approved period, with a reason; audited.
pub fn unlock(
    conn: &mut DbConn,
    actor: &Actor,
    programme: &Programme,
    period: &Period,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let reason = require_reason(reason, "unlocking an approved period")?;
    require_open(programme)?;
    crate::db::write(conn, |conn| {
        let l = lock::current(conn, programme.id, &period.id())?
            .ok_or_else(|| AppError::invalid("period", format!("{} is not locked", period.id())))?;
        lock::unlock(conn, l.id, actor.user_id, now, &reason)?;
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "period_unlocked",
                entity: "period_lock",
                entity_id: Some(l.id),
                programme_id: Some(programme.id),
                before: Some(json!({ "locked": true })),
                after: Some(json!({ "locked": false })),
                detail: format!("{}: {reason}", period.id()),
            },
        )
    })
}

/// The M&E officer locks a period whose values are all approved already — typically
/// one unlocked with nothing changed since, where there is nothing to submit or
/// approve. Audited like an approval: `period_relocked` with the unlock it ends, or
/// `period_locked`. Refused when the period is locked, holds nothing, or has anything
/// draft, returned or submitted: that goes through submit and approve.
pub fn relock(
    conn: &mut DbConn,
    actor: &Actor,
    programme: &Programme,
    period: &Period,
    now: NaiveDateTime,
) -> AppResult<()> {
    require_open(programme)?;
    crate::db::write(conn, |conn| {
        if lock::current(conn, programme.id, &period.id())?.is_some() {
            return Err(AppError::Conflict(format!(
                "{} is already approved and locked",
                period.id()
            )));
        }
        let unlocked = lock::last_unlock(conn, programme.id, &period.id())?;
        let values = values::of_period(conn, programme.id, &period.id())?;
        let progress = activity_progress::of_period(conn, programme.id, &period.id())?;
        if values.is_empty() && progress.is_empty() {
            return Err(AppError::invalid(
                "period",
                format!("{} has no values or activity progress to lock", period.id()),
            ));
        }
        let open = values.iter().filter(|v| v.status != "approved").count()
            + progress
                .iter()
                .filter(|r| r.workflow_status != "approved")
                .count();
        if open > 0 {
            let since = if unlocked.is_some() {
                "changed since the unlock"
            } else {
                "not yet approved"
            };
            return Err(AppError::invalid(
                "period",
                format!(
                    "{open} value(s) or activity progress row(s) of {} are {since}: the manager submits them and they are approved with \"Approve and lock\"",
                    period.id()
                ),
            ));
        }
        let lock_id = lock::lock(conn, programme.id, &period.id(), actor.user_id, now)?;
        let (action, detail) = match &unlocked {
            Some(_) => ("period_relocked", "unchanged since the unlock"),
            None => ("period_locked", "every value already approved"),
        };
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action,
                entity: "period_lock",
                entity_id: Some(lock_id),
                programme_id: Some(programme.id),
                before: Some(json!({
                    "locked": false,
                    "unlocked_at": unlocked.as_ref().and_then(|u| u.unlocked_at),
                    "unlock_reason": unlocked.as_ref().and_then(|u| u.unlock_reason.clone()),
                })),
                after: Some(json!({ "locked": true, "values": values.len() })),
                detail: format!("{}: {detail}", period.id()),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::value_json;
    use serde_json::json;

    #[test]
    fn a_values_audit_snapshot_is_the_text_its_json_tree_gives() {
        let cases = [
            (Some(12.0), Some("checked"), Some("approved"), Some(3)),
            (Some(0.1 + 0.2), None, Some("draft"), Some(1)),
            (Some(-4.5e-7), Some("said \"no\"\n\tthen ✓ ya"), None, None),
            (None, None, None, None),
        ];
        for (value, comment, status, version) in cases {
            let tree =
                json!({ "value": value, "comment": comment, "status": status, "version": version });
            assert_eq!(
                value_json(value, comment, status, version),
                tree.to_string()
            );
        }
    }
}
