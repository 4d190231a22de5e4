//! "Waiting for you": what each person has to do next in each of their programmes —
//! quarters due or overdue for entry (by county), returned values with the reason,
//! drafts not yet submitted, submissions awaiting approval, periods unlocked and not
//! locked again, milestones due within 30 days or overdue, reports ready to issue.
//! Each item links to the page where it is done.
//!
//! [`items`] is the rule, pure and tested; [`load`] reads what it needs for the
//! recent quarters only (the current one and the four before it), so the home page
//! stays a few small queries per programme.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{
    indicator_values, indicators, issued_reports, period_locks, programme_milestones,
};
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::AppResult;
use crate::models::programme::{self, Programme};

/// Values for a quarter are due this many days after it ends (the programmes'
/// reporting deadline); after that they are overdue.
pub const DUE_DAYS: i64 = 30;
/// Milestones due within this many days are listed.
pub const MILESTONE_DAYS: i64 = 30;
/// Ended quarters checked for missing values.
const DUE_QUARTERS: usize = 2;
/// Recent quarters read: the current one and the four before it.
const RECENT: usize = 5;

/// One quarter of a programme, as far as the work on it goes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quarter {
    pub period: Option<Period>,
    pub locked: bool,
    /// When and why it was last unlocked, if it has been and is not locked now.
    pub unlocked: Option<(String, String)>,
    /// The phase's counties, each with how many of its totals are entered (any status).
    pub counties: Vec<(String, usize)>,
    /// Totals the grid asks of each county: one per indicator.
    pub expected: usize,
    pub drafts: usize,
    pub submitted: usize,
    /// Each reason values were returned with, and how many.
    pub returned: Vec<(String, usize)>,
    pub issued: bool,
}

/// A milestone not completed, due soon or overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    pub id: i32,
    pub title: String,
    pub due: NaiveDate,
}

/// What the person may do in the programme.
#[derive(Debug, Clone, Copy, Default)]
pub struct Can {
    pub edit: bool,
    pub approve: bool,
    pub issue: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Late: past its deadline.
    Overdue,
    /// To do now.
    Due,
    /// Coming up.
    Soon,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub urgency: Urgency,
    pub text: String,
    pub link: String,
}

/// What awaits someone who `can` these things in programme `code`, most urgent first.
pub fn items(
    code: &str,
    quarters: &[Quarter],
    milestones: &[Milestone],
    can: Can,
    today: NaiveDate,
) -> Vec<Item> {
    let mut out = Vec::new();
    let grid = |p: &Period| format!("/programmes/{code}/entry?period={}&county=all", p.id());
    let ended: Vec<&Quarter> = quarters
        .iter()
        .filter(|q| q.period.is_some_and(|p| p.end() < today))
        .collect();
    for q in quarters {
        let Some(p) = q.period else { continue };
        if can.edit && !q.locked {
            for (reason, n) in &q.returned {
                out.push(Item {
                    urgency: Urgency::Due,
                    text: format!(
                        "{}: {n} value{} returned for correction: “{reason}”",
                        p.id(),
                        plural(*n)
                    ),
                    link: grid(&p),
                });
            }
            if q.drafts > 0 {
                out.push(Item {
                    urgency: Urgency::Due,
                    text: format!(
                        "{}: {} draft value{} not yet submitted for approval",
                        p.id(),
                        q.drafts,
                        plural(q.drafts)
                    ),
                    link: grid(&p),
                });
            }
        }
        if can.approve && !q.locked && q.submitted > 0 {
            out.push(Item {
                urgency: Urgency::Due,
                text: format!(
                    "{}: {} value{} submitted, awaiting your approval",
                    p.id(),
                    q.submitted,
                    plural(q.submitted)
                ),
                link: grid(&p),
            });
        }
        if (can.edit || can.approve) && !q.locked {
            if let Some((at, reason)) = &q.unlocked {
                out.push(Item {
                    urgency: Urgency::Due,
                    text: format!(
                        "{}: unlocked on {at} (“{reason}”) and not yet locked again",
                        p.id()
                    ),
                    link: grid(&p),
                });
            }
        }
        if can.issue && q.locked && !q.issued {
            out.push(Item {
                urgency: Urgency::Soon,
                text: format!(
                    "{}: approved and locked; its progress report is ready to issue",
                    p.id()
                ),
                link: format!("/programmes/{code}/reports?period={}", p.id()),
            });
        }
    }
    if can.edit {
        // The newest ended quarters, where entry is due (or overdue) by county.
        for q in ended.iter().rev().take(DUE_QUARTERS) {
            let Some(p) = q.period else { continue };
            if q.locked || q.expected == 0 {
                continue;
            }
            let short: Vec<String> = q
                .counties
                .iter()
                .filter(|(_, n)| *n < q.expected)
                .map(|(name, n)| format!("{name} ({n} of {})", q.expected))
                .collect();
            if short.is_empty() {
                continue;
            }
            let deadline = p.end() + Duration::days(DUE_DAYS);
            let (urgency, when) = if today > deadline {
                (
                    Urgency::Overdue,
                    format!("overdue since {}", crate::format::date(deadline)),
                )
            } else {
                (
                    Urgency::Due,
                    format!("due by {}", crate::format::date(deadline)),
                )
            };
            out.push(Item {
                urgency,
                text: format!("{}: values {when} from {}", p.id(), short.join(", ")),
                link: grid(&p),
            });
        }
    }
    if can.edit || can.approve {
        for m in milestones {
            let (urgency, when) = if m.due < today {
                (
                    Urgency::Overdue,
                    format!("was due {}", crate::format::date(m.due)),
                )
            } else {
                (Urgency::Soon, format!("due {}", crate::format::date(m.due)))
            };
            out.push(Item {
                urgency,
                text: format!("Milestone “{}” {when}", m.title),
                // The manager updates it; others read it on the dashboard.
                link: if can.edit {
                    format!("/programmes/{code}/milestones/{}", m.id)
                } else {
                    format!("/programmes/{code}#milestones")
                },
            });
        }
    }
    out.sort_by_key(|i| match i.urgency {
        Urgency::Overdue => 0,
        Urgency::Due => 1,
        Urgency::Soon => 2,
    });
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A programme's total cells (any status) of one quarter, through the index on
/// (indicator, part, period start, period, status); every query here starts from it.
macro_rules! totals_of {
    ($programme:expr, $period:expr) => {
        indicator_values::table
            .filter(
                indicator_values::indicator_id.eq_any(
                    indicators::table
                        .filter(indicators::programme_id.eq($programme))
                        .select(indicators::id),
                ),
            )
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::period_start.eq($period.start()))
            .filter(indicator_values::period.eq($period.id()))
    };
}

/// The recent quarters of a programme and its milestones due soon, as [`items`] reads
/// them.
pub fn load(
    conn: &mut DbConn,
    p: &Programme,
    today: NaiveDate,
) -> AppResult<(Vec<Quarter>, Vec<Milestone>)> {
    let mut periods = Vec::new();
    let mut q = Period::quarter_containing(today.min(p.end_date));
    while periods.len() < RECENT && q.start() >= p.start_date {
        periods.push(q);
        q = q.prev();
    }
    periods.reverse();
    let ids: Vec<String> = periods.iter().map(|p| p.id()).collect();
    let phases = programme::phases_of(conn, p.id)?;
    let expected = crate::models::framework::active_indicators_of(conn, p.id)?.len();
    // Values in the workflow (not yet approved), quarter by quarter: with every column
    // of the index on (indicator, part, period start, period, status) fixed, each is a
    // seek per indicator, so quarters already approved cost next to nothing. (Lists of
    // quarters in one query let SQLite use only the first three columns: 3 ms a
    // programme at 200,000 values, against 0.3 ms this way.) Totals only: "values" in
    // these counts are the grid's total cells.
    let mut open: Vec<(String, String, i64)> = Vec::new();
    let mut returned: Vec<(String, Option<String>, i64)> = Vec::new();
    for q in &periods {
        let by_status: Vec<(String, i64)> = totals_of!(p.id, q)
            .filter(indicator_values::status.eq_any(["draft", "submitted", "returned"]))
            .group_by(indicator_values::status)
            .select((indicator_values::status, diesel::dsl::count_star()))
            .load(conn)?;
        for (status, n) in by_status {
            if status == "returned" {
                // The reasons are not in the index: read for returned values only.
                returned.extend(
                    totals_of!(p.id, q)
                        .filter(indicator_values::status.eq("returned"))
                        .group_by(indicator_values::status_reason)
                        .select((indicator_values::status_reason, diesel::dsl::count_star()))
                        .load::<(Option<String>, i64)>(conn)?
                        .into_iter()
                        .map(|(reason, n)| (q.id(), reason, n)),
                );
            } else {
                open.push((q.id(), status, n));
            }
        }
    }
    let locks: Vec<(String, Option<chrono::NaiveDateTime>, Option<String>)> = period_locks::table
        .filter(period_locks::programme_id.eq(p.id))
        .filter(period_locks::period.eq_any(&ids))
        .order(period_locks::id)
        .select((
            period_locks::period,
            period_locks::unlocked_at,
            period_locks::unlock_reason,
        ))
        .load(conn)?;
    let issued: Vec<String> = issued_reports::table
        .filter(issued_reports::programme_id.eq(p.id))
        .filter(issued_reports::period.eq_any(&ids))
        .select(issued_reports::period)
        .load(conn)?;
    let today_quarter_ended = |q: &Period| q.end() < today;
    let mut quarters = Vec::new();
    for (k, period) in periods.iter().enumerate() {
        let id = period.id();
        // The grid's phase: the one the whole quarter lies in.
        let phase = phases
            .iter()
            .find(|ph| ph.phase.start_date <= period.start() && period.end() <= ph.phase.end_date);
        let (mut drafts, mut submitted) = (0, 0);
        let mut reasons: Vec<(String, usize)> = Vec::new();
        for (_, status, n) in open.iter().filter(|r| r.0 == id) {
            match status.as_str() {
                "draft" => drafts += *n as usize,
                _ => submitted += *n as usize,
            }
        }
        for (_, reason, n) in returned.iter().filter(|r| r.0 == id) {
            let reason = reason.clone().unwrap_or_default();
            match reasons.iter_mut().find(|(r, _)| *r == reason) {
                Some(e) => e.1 += *n as usize,
                None => reasons.push((reason, *n as usize)),
            }
        }
        let last = locks.iter().rev().find(|l| l.0 == id);
        let locked = last.is_some_and(|l| l.1.is_none());
        let unlocked = last.and_then(|l| {
            l.1.map(|at| {
                (
                    crate::format::date(at.date()),
                    l.2.clone().unwrap_or_default(),
                )
            })
        });
        // Entry by county, for the newest ended quarters only, and counted county by
        // county only when the quarter as a whole is short.
        let ended_recently = today_quarter_ended(period)
            && periods[k + 1..]
                .iter()
                .filter(|q| today_quarter_ended(q))
                .count()
                < DUE_QUARTERS;
        let counties = match phase {
            Some(ph) if ended_recently && !locked && expected > 0 => {
                let want = expected * ph.counties.len();
                let entered: i64 = totals_of!(p.id, period).count().get_result(conn)?;
                let by_county: BTreeMap<i32, usize> = if entered as usize >= want {
                    ph.counties.iter().map(|c| (c.id, expected)).collect()
                } else {
                    totals_of!(p.id, period)
                        .group_by(indicator_values::location_id)
                        .select((indicator_values::location_id, diesel::dsl::count_star()))
                        .load::<(i32, i64)>(conn)?
                        .into_iter()
                        .map(|(c, n)| (c, n as usize))
                        .collect()
                };
                ph.counties
                    .iter()
                    .map(|c| (c.name.clone(), by_county.get(&c.id).copied().unwrap_or(0)))
                    .collect()
            }
            _ => Vec::new(),
        };
        quarters.push(Quarter {
            period: Some(*period),
            locked,
            unlocked,
            counties,
            expected: if phase.is_some() { expected } else { 0 },
            drafts,
            submitted,
            returned: reasons,
            issued: issued.contains(&id),
        });
    }
    let soon = today + Duration::days(MILESTONE_DAYS);
    let milestones = programme_milestones::table
        .filter(programme_milestones::programme_id.eq(p.id))
        .filter(programme_milestones::due_date.le(soon))
        .filter(programme_milestones::status.ne_all(["completed", "cancelled"]))
        .order(programme_milestones::due_date)
        .select((
            programme_milestones::id,
            programme_milestones::title,
            programme_milestones::due_date,
        ))
        .load::<(i32, String, NaiveDate)>(conn)?
        .into_iter()
        .map(|(id, title, due)| Milestone { id, title, due })
        .collect();
    Ok((quarters, milestones))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn quarter(id: &str) -> Quarter {
        Quarter {
            period: Some(Period::parse(id).unwrap()),
            counties: vec![("Turkana".into(), 10), ("Wajir".into(), 4)],
            expected: 10,
            ..Default::default()
        }
    }

    const MANAGER: Can = Can {
        edit: true,
        approve: false,
        issue: true,
    };
    const OFFICER: Can = Can {
        edit: false,
        approve: true,
        issue: false,
    };

    #[test]
    fn a_county_short_of_values_is_due_then_overdue() {
        let qs = [quarter("2026Q2")];
        let due = items("LBP", &qs, &[], MANAGER, day("2026-07-10"));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].urgency, Urgency::Due);
        assert_eq!(
            due[0].text,
            "2026Q2: values due by 30 Jul 2026 from Wajir (4 of 10)"
        );
        assert_eq!(
            due[0].link,
            "/programmes/LBP/entry?period=2026Q2&county=all"
        );
        let late = items("LBP", &qs, &[], MANAGER, day("2026-08-15"));
        assert_eq!(late[0].urgency, Urgency::Overdue);
        assert!(
            late[0].text.contains("overdue since 30 Jul 2026"),
            "{}",
            late[0].text
        );
        // Not the officer's to do; nothing while the quarter is running or locked.
        assert!(items("LBP", &qs, &[], OFFICER, day("2026-08-15")).is_empty());
        assert!(items("LBP", &qs, &[], MANAGER, day("2026-06-10")).is_empty());
        let locked = [Quarter {
            locked: true,
            issued: true,
            ..quarter("2026Q2")
        }];
        assert!(items("LBP", &locked, &[], MANAGER, day("2026-08-15")).is_empty());
    }

    #[test]
    fn each_role_sees_its_own_step_of_the_workflow() {
        let q = Quarter {
            returned: vec![("Wajir double-counts October".into(), 2)],
            drafts: 1,
            submitted: 5,
            counties: vec![("Turkana".into(), 10)],
            ..quarter("2026Q2")
        };
        let manager: Vec<String> = items(
            "LBP",
            std::slice::from_ref(&q),
            &[],
            MANAGER,
            day("2026-07-10"),
        )
        .into_iter()
        .map(|i| i.text)
        .collect();
        assert_eq!(
            manager,
            [
                "2026Q2: 2 values returned for correction: “Wajir double-counts October”",
                "2026Q2: 1 draft value not yet submitted for approval",
            ]
        );
        let officer: Vec<String> = items("LBP", &[q], &[], OFFICER, day("2026-07-10"))
            .into_iter()
            .map(|i| i.text)
            .collect();
        assert_eq!(
            officer,
            ["2026Q2: 5 values submitted, awaiting your approval"]
        );
    }

    #[test]
    fn unlocked_periods_reports_and_milestones() {
        let unlocked = Quarter {
            unlocked: Some(("3 Aug 2026".into(), "Wajir register".into())),
            counties: vec![],
            ..quarter("2026Q2")
        };
        let locked = Quarter {
            locked: true,
            ..quarter("2026Q1")
        };
        let ms = [
            Milestone {
                id: 7,
                title: "BMIS live at Nadapal".into(),
                due: day("2026-07-01"),
            },
            Milestone {
                id: 8,
                title: "Forum held".into(),
                due: day("2026-08-20"),
            },
        ];
        let all = items("LBP", &[locked, unlocked], &ms, MANAGER, day("2026-08-05"));
        let texts: Vec<&str> = all.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Milestone “BMIS live at Nadapal” was due 1 Jul 2026",
                "2026Q2: unlocked on 3 Aug 2026 (“Wajir register”) and not yet locked again",
                "2026Q1: approved and locked; its progress report is ready to issue",
                "Milestone “Forum held” due 20 Aug 2026",
            ]
        );
        assert_eq!(all[0].link, "/programmes/LBP/milestones/7");
        let officer = items("LBP", &[], &ms, OFFICER, day("2026-08-05"));
        assert_eq!(
            officer[0].link, "/programmes/LBP#milestones",
            "no edit page for the officer"
        );
        assert_eq!(all[2].link, "/programmes/LBP/reports?period=2026Q1");
    }
}
