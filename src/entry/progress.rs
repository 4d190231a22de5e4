//! Activity progress of a period, entered beside its indicator values: the same
//! promise — every input checked first, all or nothing, never over someone else's newer
//! save, nothing while the period is locked, an audit row per change with before and
//! after. Submitted, approved, returned and unlocked with the period's values (see
//! `entry::submit` and the others).
//!
//! The `activities` row keeps the figures of "now" for the pages that show them: after
//! each approval (and each save over an approved row) its status, % complete and spend
//! are set from the activity's newest approved progress. Reports read the progress rows
//! themselves, as at the end of the period they show (`domain::progress`).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::json;

use super::{require_open, Actor, EntryContext, Mode};
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::domain::progress::{check_progress, in_scope, ActivityPlan, ProgressFields};
use crate::error::{AppError, AppResult};
use crate::models::activity::{self, Activity, NewActivity};
use crate::models::activity_progress::{
    self as progress, ActivityProgress, NewProgress, ProgressFigures,
};
use crate::models::{audit, user};

/// One activity the period's grid asks about, with its row for the period (if entered)
/// and its newest row of an earlier period (what the new one follows on from).
#[derive(Debug, Clone)]
pub struct ProgressRow {
    pub activity: Activity,
    pub current: Option<ActivityProgress>,
    pub previous: Option<ActivityProgress>,
}

/// The activities in scope for `period`: planned to start by its end and not completed
/// or cancelled before it began — plus any that already have a row for it.
pub fn load_rows(
    conn: &mut DbConn,
    programme_id: i32,
    period: &Period,
) -> AppResult<Vec<ProgressRow>> {
    let all = progress::of_programme(conn, programme_id)?;
    let mut by_activity: HashMap<i32, Vec<ActivityProgress>> = HashMap::new();
    for r in all {
        by_activity.entry(r.activity_id).or_default().push(r);
    }
    let id = period.id();
    let mut out = Vec::new();
    let mut activities = activity::of_programme(conn, programme_id)?;
    activities.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
    for a in activities {
        let rows = by_activity.remove(&a.id).unwrap_or_default();
        let current = rows.iter().find(|r| r.period == id).cloned();
        let previous = rows
            .iter()
            .filter(|r| r.period_end < period.start())
            .max_by_key(|r| r.period_end)
            .cloned();
        let plan = plan_of(&a);
        if current.is_some()
            || in_scope(
                &plan,
                previous.as_ref().map(|p| p.status.as_str()),
                period.end(),
            )
        {
            out.push(ProgressRow {
                activity: a,
                current,
                previous,
            });
        }
    }
    Ok(out)
}

pub fn plan_of(a: &Activity) -> ActivityPlan {
    ActivityPlan {
        planned_start: a.planned_start,
        planned_end: a.planned_end,
        actual_end: a.actual_end,
    }
}

/// What a person typed for one activity.
#[derive(Debug, Clone)]
pub struct ProgressInput {
    pub activity_id: i32,
    pub fields: ProgressFields,
    /// The version the person started from; None when the period had no row.
    pub base_version: Option<i32>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ProgressProblem {
    pub activity_id: i32,
    /// "status", "percent", "spend", "note", "activity"
    pub field: &'static str,
    pub message: String,
}

/// Someone else saved the activity's progress after this person loaded it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProgressConflict {
    pub activity_id: i32,
    pub theirs: Option<ActivityProgress>,
    pub theirs_by: String,
}

#[derive(Debug, Default)]
pub struct ProgressReport {
    pub changed: usize,
    pub problems: Vec<ProgressProblem>,
    pub conflicts: Vec<ProgressConflict>,
}

impl ProgressReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.conflicts.is_empty()
    }
}

fn row_json(f: &ProgressFigures, workflow: &str, version: i32) -> serde_json::Value {
    json!({ "status": f.status, "percent_complete": f.percent_complete, "spend_to_date_minor": f.spend_to_date_minor,
            "note": f.note, "workflow_status": workflow, "version": version })
}

enum Change<'a> {
    Insert(&'a ProgressRow, ProgressFigures),
    Update(&'a ProgressRow, ActivityProgress, ProgressFigures),
}

/// Checks every input and saves all of them or none ([`Mode::DryRun`]: checks only).
/// `fresh` must have been loaded inside the caller's transaction.
pub fn save_loaded(
    conn: &mut DbConn,
    fresh: &EntryContext,
    actor: &Actor,
    inputs: &[ProgressInput],
    now: NaiveDateTime,
    mode: Mode,
) -> AppResult<ProgressReport> {
    require_open(&fresh.programme)?;
    let mut report = ProgressReport::default();
    let rows: HashMap<i32, &ProgressRow> =
        fresh.progress.iter().map(|r| (r.activity.id, r)).collect();
    let mut changes = Vec::new();
    for input in inputs {
        let problem = |field: &'static str, message: String| ProgressProblem {
            activity_id: input.activity_id,
            field,
            message,
        };
        let Some(row) = rows.get(&input.activity_id).copied() else {
            report.problems.push(problem(
                "activity",
                format!(
                    "this activity is not one of {}'s activities under way in {}",
                    fresh.programme.code,
                    fresh.period.id()
                ),
            ));
            continue;
        };
        let f = &input.fields;
        let blank = [&f.status, &f.percent_complete, &f.spend, &f.note]
            .iter()
            .all(|s| s.trim().is_empty());
        if row.current.is_none() && blank {
            continue;
        }
        let previous_spend = row.previous.as_ref().map(|p| p.spend_to_date_minor);
        let checked = check_progress(f, previous_spend).map(|c| ProgressFigures {
            status: c.status,
            percent_complete: c.percent_complete,
            spend_to_date_minor: c.spend_to_date_minor,
            note: c.note,
        });
        if let (Some(cur), Ok(fig)) = (&row.current, &checked) {
            if cur.figures() == *fig {
                continue;
            }
        }
        let current_version = row.current.as_ref().map(|c| c.version);
        if current_version != input.base_version {
            let theirs_by = row
                .current
                .as_ref()
                .and_then(|c| c.entered_by)
                .and_then(|id| user::find(conn, id).ok())
                .map(|u| u.display_name)
                .unwrap_or_else(|| "someone".into());
            report.conflicts.push(ProgressConflict {
                activity_id: input.activity_id,
                theirs: row.current.clone(),
                theirs_by,
            });
            continue;
        }
        if fresh.lock.is_some() {
            report.problems.push(problem(
                "status",
                format!("{} is approved and locked; a ministry M&E officer can unlock it, giving a reason", fresh.period.id()),
            ));
            continue;
        }
        match checked {
            Ok(fig) => changes.push(match &row.current {
                Some(cur) => Change::Update(row, cur.clone(), fig),
                None => Change::Insert(row, fig),
            }),
            Err(errors) => {
                for (field, message) in errors {
                    report.problems.push(problem(field, message));
                }
            }
        }
    }
    if !report.is_clean() || changes.is_empty() || mode == Mode::DryRun {
        return Ok(report);
    }
    report.changed = write(conn, fresh, actor, changes, now)?;
    Ok(report)
}

fn write(
    conn: &mut DbConn,
    ctx: &EntryContext,
    actor: &Actor,
    changes: Vec<Change>,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let pid = Some(ctx.programme.id);
    let n = changes.len();
    let mut audits = Vec::with_capacity(n);
    let mut touched = Vec::new();
    for change in changes {
        match change {
            Change::Insert(row, fig) => {
                let id = progress::insert(
                    conn,
                    &NewProgress {
                        activity_id: row.activity.id,
                        period: ctx.period.id(),
                        period_start: ctx.period.start(),
                        period_end: ctx.period.end(),
                        status: fig.status.clone(),
                        percent_complete: fig.percent_complete,
                        spend_to_date_minor: fig.spend_to_date_minor,
                        note: fig.note.clone(),
                        workflow_status: "draft".into(),
                        entered_by: actor.user_id,
                        entered_at: now,
                        reviewed_by: None,
                        reviewed_at: None,
                    },
                )?;
                audits.push(audit::Change {
                    user_id: actor.user_id,
                    actor: &actor.name,
                    action: "progress_entered",
                    entity: "activity_progress",
                    entity_id: Some(id),
                    programme_id: pid,
                    before: None,
                    after: Some(row_json(&fig, "draft", 1)),
                    detail: format!("{} {}", ctx.period.id(), row.activity.code),
                });
            }
            Change::Update(row, old, fig) => {
                if progress::update_if_version(conn, old.id, old.version, &fig, actor.user_id, now)?
                    != 1
                {
                    return Err(AppError::Conflict("Someone saved this period's activity progress at the same moment. Nothing of yours was saved: reload the page and enter it again.".into()));
                }
                if old.is_approved() {
                    touched.push(row.activity.id);
                }
                audits.push(audit::Change {
                    user_id: actor.user_id,
                    actor: &actor.name,
                    action: "progress_updated",
                    entity: "activity_progress",
                    entity_id: Some(old.id),
                    programme_id: pid,
                    before: Some(row_json(&old.figures(), &old.workflow_status, old.version)),
                    after: Some(row_json(&fig, "draft", old.version + 1)),
                    detail: format!("{} {}", ctx.period.id(), row.activity.code),
                });
            }
        }
    }
    audit::record_many(conn, audits)?;
    sync_activities(conn, actor, ctx.programme.id, &touched, now)?;
    Ok(n)
}

/// Sets each named activity's status, % complete and spend (the figures of "now") from
/// its newest approved progress; audited when they change. An activity without any
/// approved progress keeps what was recorded on it.
pub fn sync_activities(
    conn: &mut DbConn,
    actor: &Actor,
    programme_id: i32,
    activity_ids: &[i32],
    now: NaiveDateTime,
) -> AppResult<usize> {
    let mut n = 0;
    for &id in activity_ids {
        let a = activity::find(conn, programme_id, id)?;
        let Some(newest) = progress::of_activity(conn, id)?
            .into_iter()
            .filter(|r| r.is_approved())
            .max_by_key(|r| r.period_end)
        else {
            continue;
        };
        if (a.status.as_str(), a.percent_complete, a.spend_minor)
            == (
                newest.status.as_str(),
                newest.percent_complete,
                newest.spend_to_date_minor,
            )
        {
            continue;
        }
        let actual_start = match (a.actual_start, newest.status.as_str()) {
            (None, "not_started") => None,
            (None, _) => Some(newest.period_start),
            (s, _) => s,
        };
        let actual_end = match (a.actual_end, newest.status.as_str()) {
            (None, "completed") => Some(newest.period_end),
            (e, "completed") => e,
            _ => None,
        };
        let new = NewActivity {
            programme_id,
            result_id: a.result_id,
            code: &a.code,
            title: &a.title,
            lead_organisation_id: a.lead_organisation_id,
            location_id: a.location_id,
            planned_start: a.planned_start,
            planned_end: a.planned_end,
            actual_start,
            actual_end,
            status: &newest.status,
            percent_complete: newest.percent_complete,
            budget_minor: a.budget_minor,
            spend_minor: newest.spend_to_date_minor,
            updated_at: now,
        };
        if activity::update_if_version(conn, a.id, a.version, &new)? != 1 {
            return Err(AppError::Conflict(format!(
                "{} was changed at the same moment; nothing was saved: try again.",
                a.code
            )));
        }
        audit::record(
            conn,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "activity_progress_applied",
                entity: "activity",
                entity_id: Some(a.id),
                programme_id: Some(programme_id),
                before: Some(
                    json!({ "status": a.status, "percent_complete": a.percent_complete, "spend_minor": a.spend_minor,
                    "actual": [a.actual_start, a.actual_end], "version": a.version }),
                ),
                after: Some(
                    json!({ "status": newest.status, "percent_complete": newest.percent_complete, "spend_minor": newest.spend_to_date_minor,
                    "actual": [actual_start, actual_end], "version": a.version + 1, "from_period": newest.period }),
                ),
                detail: format!("{} from approved progress of {}", a.code, newest.period),
            },
        )?;
        n += 1;
    }
    Ok(n)
}
