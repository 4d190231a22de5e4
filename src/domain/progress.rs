//! Programme milestones and activities as they stood at a date — the end of the period
//! a report shows — and which of them a period's report lists. Pure: the caller passes
//! the recorded facts (due and completion dates, approved progress per quarter).
//!
//! The rules, as reports state them:
//! - A **milestone** is *completed* as at a date only if its completion date is on or
//!   before that date; *cancelled* only if it was recorded cancelled on or before it
//!   (the record's last change is the latest the cancellation can have happened);
//!   otherwise it is *open*, and *overdue* when it was due on or before the date.
//! - A **period report lists** the milestones due in or before the period and not
//!   completed (or cancelled) before the period began, plus those completed within
//!   the period; and, as *coming up*, those due within the quarter after the period
//!   and still open at its end. Nothing else due after the period.
//! - An **activity's** status, % complete and spend to date as at a date are those of
//!   its newest *approved* progress for a quarter ending on or before that date. With
//!   none it is *not started*, 0 % and nothing spent.
//! - A **period report lists** the activities planned to start on or before the
//!   period's end and not completed (or cancelled) before the period began.
//! - An activity is **late** as at a date when it is not finished by its planned end
//!   (still open at the end of its planned end date), or it finished after it.
//!   A cancelled activity is never late.

use chrono::{Days, Months, NaiveDate};

use super::plan::{parse_money, FieldErrors, ACTIVITY_STATUSES};

/// What a report needs of a programme milestone's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilestoneFacts<'a> {
    pub due: NaiveDate,
    /// The status recorded now: planned, in_progress, completed, delayed, cancelled.
    pub status: &'a str,
    pub completed: Option<NaiveDate>,
    /// The day the record was last changed (a cancellation happened on or before it).
    pub changed: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilestoneState {
    Completed {
        on: NaiveDate,
        late: bool,
    },
    Cancelled,
    /// Not completed and due on or before the date.
    Overdue,
    /// Not completed and not yet due.
    Open,
}

impl MilestoneState {
    pub fn label(&self) -> &'static str {
        match self {
            MilestoneState::Completed { late: false, .. } => "Completed",
            MilestoneState::Completed { late: true, .. } => "Completed late",
            MilestoneState::Cancelled => "Cancelled",
            MilestoneState::Overdue => "Overdue",
            MilestoneState::Open => "Not yet due",
        }
    }

    pub fn is_completed(&self) -> bool {
        matches!(self, MilestoneState::Completed { .. })
    }

    /// Completed or cancelled: nothing more to do.
    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            MilestoneState::Completed { .. } | MilestoneState::Cancelled
        )
    }
}

/// The milestone as it stood at the end of day `at`.
pub fn milestone_as_at(m: &MilestoneFacts, at: NaiveDate) -> MilestoneState {
    // A completion without a date counts from the record's last change.
    let completed_on = match (m.status, m.completed) {
        (_, Some(d)) => Some(d),
        ("completed", None) => Some(m.changed),
        _ => None,
    };
    match completed_on {
        Some(on) if on <= at => MilestoneState::Completed {
            on,
            late: on > m.due,
        },
        _ if m.status == "cancelled" && m.changed <= at => MilestoneState::Cancelled,
        _ if m.due <= at => MilestoneState::Overdue,
        _ => MilestoneState::Open,
    }
}

/// How a period's report shows a milestone it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilestoneListing {
    /// Due in or before the period (or completed within it): its state at the end.
    Period(MilestoneState),
    /// Due within the quarter after the period and open at its end.
    ComingUp,
}

/// Whether (and how) the report of the period `start..=end` lists the milestone.
pub fn milestone_listing(
    m: &MilestoneFacts,
    start: NaiveDate,
    end: NaiveDate,
) -> Option<MilestoneListing> {
    let before = start.pred_opt().unwrap_or(start);
    if milestone_as_at(m, before).is_closed() {
        return None;
    }
    let state = milestone_as_at(m, end);
    if m.due <= end || state.is_closed() {
        return Some(MilestoneListing::Period(state));
    }
    let horizon = end.checked_add_months(Months::new(3)).unwrap_or(end);
    (m.due <= horizon).then_some(MilestoneListing::ComingUp)
}

/// What a report needs of an activity's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityPlan {
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    /// The actual end recorded on the activity, if any.
    pub actual_end: Option<NaiveDate>,
}

/// One quarter's progress of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressPoint<'a> {
    pub period_end: NaiveDate,
    pub status: &'a str,
    pub percent_complete: i32,
    pub spend_to_date_minor: i64,
    pub approved: bool,
}

/// Where an activity stood at a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityState {
    pub status: String,
    pub percent_complete: i32,
    pub spend_to_date_minor: i64,
    /// The end of the quarter whose approved progress this is (None: none yet).
    pub reported_to: Option<NaiveDate>,
    /// When it finished, if completed by the date.
    pub completed_on: Option<NaiveDate>,
}

impl ActivityState {
    pub fn is_finished(&self) -> bool {
        matches!(self.status.as_str(), "completed" | "cancelled")
    }
}

/// The activity as at the end of day `at`, from its approved progress (any order).
pub fn activity_as_at(
    plan: &ActivityPlan,
    points: &[ProgressPoint],
    at: NaiveDate,
) -> ActivityState {
    let mut approved: Vec<&ProgressPoint> = points
        .iter()
        .filter(|p| p.approved && p.period_end <= at)
        .collect();
    approved.sort_by_key(|p| p.period_end);
    let Some(newest) = approved.last() else {
        return ActivityState {
            status: "not_started".into(),
            percent_complete: 0,
            spend_to_date_minor: 0,
            reported_to: None,
            completed_on: None,
        };
    };
    let completed_on = (newest.status == "completed").then(|| {
        let first = approved
            .iter()
            .find(|p| p.status == "completed")
            .map(|p| p.period_end)
            .unwrap_or(newest.period_end);
        // The recorded actual end when it falls by then, else the quarter's end.
        plan.actual_end.filter(|d| *d <= first).unwrap_or(first)
    });
    ActivityState {
        status: newest.status.to_string(),
        percent_complete: newest.percent_complete,
        spend_to_date_minor: newest.spend_to_date_minor,
        reported_to: Some(newest.period_end),
        completed_on,
    }
}

/// Whether the report of the period `start..=end` lists the activity.
pub fn activity_listed(
    plan: &ActivityPlan,
    points: &[ProgressPoint],
    start: NaiveDate,
    end: NaiveDate,
) -> bool {
    if plan.planned_start > end {
        return false;
    }
    let before = start.checked_sub_days(Days::new(1)).unwrap_or(start);
    !activity_as_at(plan, points, before).is_finished()
}

/// Late as at `at`: not finished by its planned end, or finished after it.
pub fn is_late(plan: &ActivityPlan, state: &ActivityState, at: NaiveDate) -> bool {
    match state.status.as_str() {
        "cancelled" => false,
        "completed" => state.completed_on.is_some_and(|d| d > plan.planned_end),
        _ => plan.planned_end <= at,
    }
}

/// Whether the grid of the quarter `start..=end` asks for the activity's progress:
/// planned to start by the quarter's end, and not finished before the quarter began
/// (by the newest progress of any workflow status before it).
pub fn in_scope(plan: &ActivityPlan, earlier: Option<&str>, end: NaiveDate) -> bool {
    plan.planned_start <= end && !matches!(earlier, Some("completed" | "cancelled"))
}

/// What a person typed for an activity's progress in one period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressFields {
    pub status: String,
    pub percent_complete: String,
    pub spend: String,
    pub note: String,
}

/// The typed progress, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedProgress {
    pub status: String,
    pub percent_complete: i32,
    pub spend_to_date_minor: i64,
    pub note: String,
}

pub const NOTE_MAX: usize = 1000;

/// Checks one activity's progress: a known status, a whole % from 0 to 100 (100 when
/// completed), spend to date of zero or more and not below the previous period's
/// unless the note says why. `previous_spend` is the previous period's spend to date.
pub fn check_progress(
    f: &ProgressFields,
    previous_spend: Option<i64>,
) -> Result<CheckedProgress, FieldErrors> {
    let mut errors = FieldErrors::new();
    let status = f.status.trim().to_string();
    if !ACTIVITY_STATUSES.contains(&status.as_str()) {
        errors.insert(
            "status",
            format!("choose one of: {}", ACTIVITY_STATUSES.join(", ")),
        );
    }
    let raw = f.percent_complete.trim().trim_end_matches('%').trim();
    let percent = match raw.parse::<i32>() {
        Ok(p) if (0..=100).contains(&p) => Some(p),
        Ok(_) => {
            errors.insert("percent", "give a whole number from 0 to 100".into());
            None
        }
        Err(_) => {
            errors.insert(
                "percent",
                if raw.is_empty() {
                    "give the % complete, a whole number from 0 to 100".to_string()
                } else {
                    format!("'{raw}' is not a whole number from 0 to 100")
                },
            );
            None
        }
    };
    if status == "completed" && percent.is_some_and(|p| p != 100) {
        errors.insert("percent", "a completed activity is 100% complete".into());
    }
    let note = f.note.trim().to_string();
    if note.chars().count() > NOTE_MAX {
        errors.insert(
            "note",
            format!(
                "keep the note to {NOTE_MAX} characters (it has {})",
                note.chars().count()
            ),
        );
    }
    let spend = if f.spend.trim().starts_with('-') {
        errors.insert("spend", "spend to date cannot be below zero".into());
        None
    } else if f.spend.trim().is_empty() {
        errors.insert(
            "spend",
            "give the spend to date (0 if nothing is spent)".into(),
        );
        None
    } else {
        match parse_money(&f.spend) {
            Ok(m) => Some(m),
            Err(e) => {
                errors.insert("spend", e);
                None
            }
        }
    };
    if let (Some(s), Some(prev)) = (spend, previous_spend) {
        if s < prev && note.is_empty() {
            errors.insert(
                "spend",
                format!(
                    "spend to date is below the previous period's ({}): say why in the note (e.g. a refund or a correction)",
                    super::plan::format_money_plain(prev)
                ),
            );
        }
    }
    match (percent, spend) {
        (Some(percent_complete), Some(spend_to_date_minor)) if errors.is_empty() => {
            Ok(CheckedProgress {
                status,
                percent_complete,
                spend_to_date_minor,
                note,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ms<'a>(
        due: &str,
        status: &'a str,
        completed: Option<&str>,
        changed: &str,
    ) -> MilestoneFacts<'a> {
        MilestoneFacts {
            due: d(due),
            status,
            completed: completed.map(d),
            changed: d(changed),
        }
    }

    #[test]
    fn a_milestone_is_completed_only_from_its_completion_date() {
        let m = ms("2025-03-31", "completed", Some("2025-02-20"), "2026-11-01");
        assert_eq!(milestone_as_at(&m, d("2024-06-30")), MilestoneState::Open);
        assert_eq!(milestone_as_at(&m, d("2025-02-19")), MilestoneState::Open);
        assert_eq!(
            milestone_as_at(&m, d("2025-02-20")),
            MilestoneState::Completed {
                on: d("2025-02-20"),
                late: false
            }
        );
        let late = ms("2024-12-31", "completed", Some("2025-04-10"), "2026-11-01");
        assert_eq!(
            milestone_as_at(&late, d("2025-03-31")),
            MilestoneState::Overdue
        );
        assert_eq!(
            milestone_as_at(&late, d("2024-12-31")),
            MilestoneState::Overdue,
            "due that day and not done by its end"
        );
        assert_eq!(
            milestone_as_at(&late, d("2024-12-30")),
            MilestoneState::Open
        );
        assert_eq!(
            milestone_as_at(&late, d("2025-06-30")).label(),
            "Completed late"
        );
    }

    #[test]
    fn cancelled_counts_from_the_records_last_change() {
        let m = ms("2022-03-31", "cancelled", None, "2022-02-10");
        assert_eq!(milestone_as_at(&m, d("2022-01-31")), MilestoneState::Open);
        assert_eq!(
            milestone_as_at(&m, d("2022-02-10")),
            MilestoneState::Cancelled
        );
        // Changed later than the date: it may not have been cancelled yet.
        let m = ms("2022-03-31", "cancelled", None, "2026-11-26");
        assert_eq!(
            milestone_as_at(&m, d("2022-06-30")),
            MilestoneState::Overdue
        );
        // Completed without a date: from the last change.
        let m = ms("2022-03-31", "completed", None, "2022-05-01");
        assert!(milestone_as_at(&m, d("2022-06-30")).is_completed());
        assert!(!milestone_as_at(&m, d("2022-04-30")).is_completed());
    }

    #[test]
    fn a_period_lists_what_was_due_or_done_in_it_and_what_comes_up_next() {
        let (s, e) = (d("2024-04-01"), d("2024-06-30"));
        // Due in the period, not done: overdue.
        let m = ms("2024-05-31", "completed", Some("2024-09-01"), "2026-01-01");
        assert_eq!(
            milestone_listing(&m, s, e),
            Some(MilestoneListing::Period(MilestoneState::Overdue))
        );
        // Due earlier, done within the period: completed (late).
        let m = ms("2024-03-31", "completed", Some("2024-04-15"), "2026-01-01");
        assert_eq!(
            milestone_listing(&m, s, e),
            Some(MilestoneListing::Period(MilestoneState::Completed {
                on: d("2024-04-15"),
                late: true
            }))
        );
        // Done before the period began: not listed.
        let m = ms("2024-03-31", "completed", Some("2024-03-30"), "2026-01-01");
        assert_eq!(milestone_listing(&m, s, e), None);
        // Due in the next quarter and open at the end: coming up.
        let m = ms("2024-09-30", "planned", None, "2026-01-01");
        assert_eq!(
            milestone_listing(&m, s, e),
            Some(MilestoneListing::ComingUp)
        );
        // Due later than that: not listed; done early within the period: listed done.
        let m = ms("2025-02-28", "completed", Some("2025-02-20"), "2026-01-01");
        assert_eq!(milestone_listing(&m, s, e), None);
        let m = ms("2025-02-28", "completed", Some("2024-05-20"), "2026-01-01");
        assert!(matches!(
            milestone_listing(&m, s, e),
            Some(MilestoneListing::Period(MilestoneState::Completed {
                late: false,
                ..
            }))
        ));
        // Due next quarter but done by the end of this one: done within the period.
        let m = ms("2024-08-31", "completed", Some("2024-06-10"), "2026-01-01");
        assert!(matches!(
            milestone_listing(&m, s, e),
            Some(MilestoneListing::Period(MilestoneState::Completed { .. }))
        ));
    }

    fn plan(start: &str, end: &str, actual_end: Option<&str>) -> ActivityPlan {
        ActivityPlan {
            planned_start: d(start),
            planned_end: d(end),
            actual_end: actual_end.map(d),
        }
    }

    fn pt(
        end: &str,
        status: &'static str,
        pct: i32,
        spend: i64,
        approved: bool,
    ) -> ProgressPoint<'static> {
        ProgressPoint {
            period_end: d(end),
            status,
            percent_complete: pct,
            spend_to_date_minor: spend,
            approved,
        }
    }

    #[test]
    fn an_activity_stands_where_its_newest_approved_progress_put_it() {
        let a = plan("2024-01-01", "2025-06-30", Some("2025-08-14"));
        let points = [
            pt("2024-03-31", "in_progress", 10, 1_000, true),
            pt("2024-06-30", "in_progress", 30, 4_000, true),
            pt("2025-09-30", "completed", 100, 9_000, true),
            pt("2025-12-31", "completed", 100, 9_500, false),
        ];
        let s = activity_as_at(&a, &points, d("2024-06-30"));
        assert_eq!(
            (s.status.as_str(), s.percent_complete, s.spend_to_date_minor),
            ("in_progress", 30, 4_000)
        );
        assert_eq!(s.reported_to, Some(d("2024-06-30")));
        // Between quarters: the last approved quarter.
        let s = activity_as_at(&a, &points, d("2024-08-15"));
        assert_eq!(s.percent_complete, 30);
        // A draft or submitted quarter does not count.
        let s = activity_as_at(&a, &points, d("2026-03-31"));
        assert_eq!(s.spend_to_date_minor, 9_000);
        assert_eq!(
            s.completed_on,
            Some(d("2025-08-14")),
            "the recorded actual end"
        );
        // Before any approved progress: not started.
        let s = activity_as_at(&a, &points, d("2023-12-31"));
        assert_eq!(
            (
                s.status.as_str(),
                s.percent_complete,
                s.spend_to_date_minor,
                s.reported_to
            ),
            ("not_started", 0, 0, None)
        );
    }

    #[test]
    fn late_is_not_finished_by_the_planned_end_or_finished_after_it() {
        let a = plan("2024-01-01", "2025-06-30", Some("2025-08-14"));
        let points = [
            pt("2025-06-30", "delayed", 80, 1, true),
            pt("2025-09-30", "completed", 100, 2, true),
        ];
        let at = |day: &str| is_late(&a, &activity_as_at(&a, &points, d(day)), d(day));
        assert!(
            !at("2025-06-29"),
            "delayed, but its planned end is still to come"
        );
        assert!(
            at("2025-06-30"),
            "not finished by the end of its planned end date"
        );
        assert!(at("2025-07-01"));
        assert!(at("2025-09-30"), "finished after its planned end");
        let on_time = plan("2024-01-01", "2025-06-30", Some("2025-05-01"));
        let done = [pt("2025-06-30", "completed", 100, 2, true)];
        assert!(!is_late(
            &on_time,
            &activity_as_at(&on_time, &done, d("2026-06-30")),
            d("2026-06-30")
        ));
        let cancelled = [pt("2025-06-30", "cancelled", 40, 2, true)];
        assert!(!is_late(
            &on_time,
            &activity_as_at(&on_time, &cancelled, d("2026-06-30")),
            d("2026-06-30")
        ));
        // Not yet started but due to have ended: late.
        assert!(is_late(
            &on_time,
            &activity_as_at(&on_time, &[], d("2025-07-01")),
            d("2025-07-01")
        ));
    }

    #[test]
    fn a_period_lists_activities_started_by_its_end_and_not_finished_before_it() {
        let (s, e) = (d("2026-04-01"), d("2026-06-30"));
        let later = plan("2027-01-01", "2027-12-31", None);
        assert!(
            !activity_listed(&later, &[], s, e),
            "planned to start after the period"
        );
        let due = plan("2026-06-30", "2026-12-31", None);
        assert!(
            activity_listed(&due, &[], s, e),
            "planned to start on its last day"
        );
        let a = plan("2024-01-01", "2025-06-30", None);
        let done_before = [pt("2026-03-31", "completed", 100, 5, true)];
        assert!(!activity_listed(&a, &done_before, s, e));
        let done_within = [pt("2026-06-30", "completed", 100, 5, true)];
        assert!(activity_listed(&a, &done_within, s, e));
        // Its completion is not yet approved: still listed.
        let pending = [pt("2026-03-31", "completed", 100, 5, false)];
        assert!(activity_listed(&a, &pending, s, e));
        assert!(in_scope(&a, Some("in_progress"), e));
        assert!(!in_scope(&a, Some("completed"), e));
        assert!(!in_scope(&later, None, e));
    }

    fn fields(status: &str, pct: &str, spend: &str, note: &str) -> ProgressFields {
        ProgressFields {
            status: status.into(),
            percent_complete: pct.into(),
            spend: spend.into(),
            note: note.into(),
        }
    }

    #[test]
    fn progress_is_checked_field_by_field() {
        let ok = check_progress(
            &fields("in_progress", "45", "12,500.50", ""),
            Some(1_000_000),
        )
        .unwrap();
        assert_eq!(
            (ok.percent_complete, ok.spend_to_date_minor),
            (45, 1_250_050)
        );
        let e = check_progress(&fields("busy", "101", "-5", ""), None).unwrap_err();
        assert!(e["status"].contains("in_progress"));
        assert!(e["percent"].contains("0 to 100"));
        assert!(e["spend"].contains("below zero"));
        let e = check_progress(&fields("in_progress", "12.5", "x", ""), None).unwrap_err();
        assert!(e["percent"].contains("whole number"));
        assert!(e.contains_key("spend"));
        let e = check_progress(&fields("completed", "90", "1", ""), None).unwrap_err();
        assert!(e["percent"].contains("100%"));
        // Spend falling needs a note.
        let e =
            check_progress(&fields("in_progress", "50", "9,000", ""), Some(1_000_000)).unwrap_err();
        assert!(e["spend"].contains("previous period"));
        assert!(check_progress(
            &fields("in_progress", "50", "9,000", "Refund of an advance"),
            Some(1_000_000)
        )
        .is_ok());
        let e = check_progress(&fields("in_progress", "", "", ""), None).unwrap_err();
        assert!(e.contains_key("percent") && e.contains_key("spend"));
    }
}
