//! Programme milestones, activities and spend as they stood at the end of a report's
//! period, by the rules of `domain::progress`: what the donor and ministry reports list
//! in their milestone, activity and budget sections.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::render::{Cell, Tone};
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::domain::progress::{
    activity_as_at, activity_listed, is_late, milestone_listing, ActivityState, MilestoneFacts,
    MilestoneListing, MilestoneState, ProgressPoint,
};
use crate::entry::progress::plan_of;
use crate::error::AppResult;
use crate::models::activity::{self, Activity};
use crate::models::activity_progress::{self, ActivityProgress};
use crate::models::milestone::{self, Milestone};

/// The rule a report prints under its milestone table.
pub const MILESTONE_RULE: &str = "Listed: milestones due in or before the period and not completed before it began, those completed within it, and those due in the following quarter (coming up). Status is as at the end of the period: completed only if completed by then.";
/// The rule a report prints under its activity table.
pub const ACTIVITY_RULE: &str = "Listed: activities planned to start by the end of the period and not finished before it began. Status, % complete and spend are the newest approved progress for a quarter ending by the end of the period (none yet: not started). Late: not finished by its planned end, or finished after it.";

pub struct MilestoneLine {
    pub milestone: Milestone,
    pub listing: MilestoneListing,
}

pub struct ActivityLine {
    pub activity: Activity,
    pub state: ActivityState,
    pub late: bool,
}

/// A programme's milestones and activities as at the end of one period.
pub struct AsAt {
    pub end: NaiveDate,
    pub milestones: Vec<MilestoneLine>,
    /// The activities the period lists, by code.
    pub activities: Vec<ActivityLine>,
    /// Budget of every activity, and approved spend to date of every activity as at the
    /// end (including those finished earlier, which the period no longer lists).
    pub budget_minor: i64,
    pub spend_minor: i64,
    /// Per output result id (None: programme-wide): (budget, approved spend to date).
    pub by_output: Vec<(Option<i32>, i64, i64)>,
}

impl AsAt {
    pub fn load(conn: &mut DbConn, programme_id: i32, period: &Period) -> AppResult<AsAt> {
        let milestones = milestone::of_programme(conn, programme_id)?;
        let activities = activity::of_programme(conn, programme_id)?;
        let progress = activity_progress::of_programme(conn, programme_id)?;
        Ok(AsAt::build(
            milestones,
            activities,
            &progress,
            period.start(),
            period.end(),
        ))
    }

    /// Pure: from the records, for the period `start..=end`.
    pub fn build(
        milestones: Vec<Milestone>,
        mut activities: Vec<Activity>,
        progress: &[ActivityProgress],
        start: NaiveDate,
        end: NaiveDate,
    ) -> AsAt {
        let mut listed: Vec<MilestoneLine> = milestones
            .into_iter()
            .filter_map(|m| {
                let facts = MilestoneFacts {
                    due: m.due_date,
                    status: &m.status,
                    completed: m.completed_date,
                    changed: m.updated_at.date(),
                };
                let listing = milestone_listing(&facts, start, end)?;
                Some(MilestoneLine {
                    milestone: m,
                    listing,
                })
            })
            .collect();
        listed.sort_by_key(|l| (l.milestone.due_date, l.milestone.id));
        let mut points: HashMap<i32, Vec<ProgressPoint>> = HashMap::new();
        for r in progress {
            points
                .entry(r.activity_id)
                .or_default()
                .push(ProgressPoint {
                    period_end: r.period_end,
                    status: &r.status,
                    percent_complete: r.percent_complete,
                    spend_to_date_minor: r.spend_to_date_minor,
                    approved: r.is_approved(),
                });
        }
        activities.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
        let (mut budget, mut spend) = (0, 0);
        let mut by_output: Vec<(Option<i32>, i64, i64)> = Vec::new();
        let mut lines = Vec::new();
        for a in activities {
            let plan = plan_of(&a);
            let pts = points.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
            let state = activity_as_at(&plan, pts, end);
            budget += a.budget_minor;
            spend += state.spend_to_date_minor;
            match by_output.iter_mut().find(|(r, _, _)| *r == a.result_id) {
                Some(row) => {
                    row.1 += a.budget_minor;
                    row.2 += state.spend_to_date_minor;
                }
                None => by_output.push((a.result_id, a.budget_minor, state.spend_to_date_minor)),
            }
            if activity_listed(&plan, pts, start, end) {
                let late = is_late(&plan, &state, end);
                lines.push(ActivityLine {
                    activity: a,
                    state,
                    late,
                });
            }
        }
        AsAt {
            end,
            milestones: listed,
            activities: lines,
            budget_minor: budget,
            spend_minor: spend,
            by_output,
        }
    }

    /// Milestones of the period itself (not those coming up).
    pub fn in_period(&self) -> impl Iterator<Item = (&Milestone, MilestoneState)> {
        self.milestones.iter().filter_map(|l| match l.listing {
            MilestoneListing::Period(s) => Some((&l.milestone, s)),
            MilestoneListing::ComingUp => None,
        })
    }

    pub fn coming_up(&self) -> usize {
        self.milestones
            .iter()
            .filter(|l| l.listing == MilestoneListing::ComingUp)
            .count()
    }

    pub fn late(&self) -> usize {
        self.activities.iter().filter(|a| a.late).count()
    }
}

/// A milestone's state at the end of the period: completed on green, overdue on red.
pub fn milestone_cell(listing: MilestoneListing) -> Cell {
    match listing {
        MilestoneListing::ComingUp => Cell::new("Coming up"),
        MilestoneListing::Period(s @ MilestoneState::Completed { .. }) => Cell::toned(
            format!("{} {}", Tone::Green.symbol(), s.label()),
            Tone::Green,
        ),
        MilestoneListing::Period(MilestoneState::Overdue) => {
            Cell::toned(format!("{} Open, overdue", Tone::Red.symbol()), Tone::Red)
        }
        MilestoneListing::Period(s) => Cell::new(s.label()),
    }
}

/// The completion date if completed by the end of the period, else "—".
pub fn done_on(listing: MilestoneListing) -> Option<NaiveDate> {
    match listing {
        MilestoneListing::Period(MilestoneState::Completed { on, .. }) => Some(on),
        _ => None,
    }
}

/// An activity's status at the end of the period, late ones on red.
pub fn activity_cell(line: &ActivityLine) -> Cell {
    let status = activity::status_label(&line.state.status);
    if line.late {
        Cell::toned(format!("{} {status}, late", Tone::Red.symbol()), Tone::Red)
    } else {
        Cell::new(status)
    }
}
