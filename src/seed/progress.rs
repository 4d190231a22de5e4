//! The demonstration's activity progress history: one row per activity and quarter,
//! from the quarter it was planned (or actually started) to the last quarter with
//! values, rising steadily to what the activity records today and ending in the quarter
//! of its actual end when it finished. Quarters before the freshest are approved; the
//! freshest shares its values' workflow (some draft, the rest submitted).

use chrono::NaiveDate;

use super::content::{ActivityDef, ProgrammeDef};
use super::generate::date;
use crate::domain::period::Period;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenProgress {
    pub activity_code: &'static str,
    pub period: Period,
    pub status: &'static str,
    pub percent_complete: i32,
    pub spend_to_date_minor: i64,
    pub note: &'static str,
    pub workflow_status: &'static str,
}

/// The quarter whose values are the freshest (entered, not yet approved) as of `today`.
pub fn fresh_quarter(today: NaiveDate) -> Period {
    Period::quarter_containing(today).prev()
}

/// Every activity's quarterly progress, as of `today`.
pub fn history(p: &ProgrammeDef, today: NaiveDate) -> Vec<GenProgress> {
    let fresh = fresh_quarter(today);
    let last = fresh.min(Period::quarter_containing(date(p.end)));
    let mut out = Vec::new();
    for (i, a) in p.activities.iter().enumerate() {
        out.extend(of_activity(a, i, fresh, last));
    }
    out
}

fn of_activity(a: &ActivityDef, index: usize, fresh: Period, last: Period) -> Vec<GenProgress> {
    let planned_start = date(a.planned_start);
    let actual_start = a.actual_start.map(date);
    let first =
        Period::quarter_containing(actual_start.map_or(planned_start, |s| s.min(planned_start)));
    // The quarter it finished in, if it did; otherwise the last quarter with values.
    let finished = matches!(a.status, "completed" | "cancelled");
    let end = match (finished, a.actual_end.map(date)) {
        (true, Some(e)) => Period::quarter_containing(e).min(last),
        _ => last,
    };
    if first > end {
        return Vec::new();
    }
    let started = actual_start.map(Period::quarter_containing);
    let mut quarters = Vec::new();
    let mut q = first;
    while q <= end {
        quarters.push(q);
        q = q.next();
    }
    // Steps from the quarter it started to the last one: equal shares of what is done.
    let from = started.and_then(|s| quarters.iter().position(|q| *q >= s));
    let steps = from.map(|f| quarters.len() - f).unwrap_or(0);
    quarters
        .iter()
        .enumerate()
        .map(|(k, q)| {
            let is_last = k + 1 == quarters.len();
            let done = match from {
                Some(f) if k >= f => (k - f + 1) as f64 / steps as f64,
                _ => 0.0,
            };
            let (status, percent, spend) = if is_last {
                (a.status, a.percent_complete, a.spend_minor)
            } else if done == 0.0 {
                ("not_started", 0, 0)
            } else {
                let status = if a.status == "delayed" && q.end() > date(a.planned_end) {
                    "delayed"
                } else {
                    "in_progress"
                };
                // Nearly but never quite finished before its last quarter.
                let percent = ((a.percent_complete as f64 * done).round() as i32)
                    .min(a.percent_complete)
                    .min(99);
                (
                    status,
                    percent,
                    (a.spend_minor as f64 * done).round() as i64,
                )
            };
            let workflow_status = if *q < fresh {
                "approved"
            } else if index % 3 == 1 {
                "draft"
            } else {
                "submitted"
            };
            GenProgress {
                activity_code: a.code,
                period: *q,
                status,
                percent_complete: percent,
                spend_to_date_minor: spend,
                note: "",
                workflow_status,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::content::{DEMO_TODAY, PROGRAMMES};
    use super::*;

    #[test]
    fn every_history_rises_to_what_the_activity_records_today() {
        let today = date(DEMO_TODAY);
        for p in PROGRAMMES {
            let h = history(p, today);
            for a in p.activities {
                let rows: Vec<&GenProgress> =
                    h.iter().filter(|r| r.activity_code == a.code).collect();
                if date(a.planned_start) > fresh_quarter(today).end() {
                    assert!(rows.is_empty(), "{} has not started", a.code);
                    continue;
                }
                assert!(!rows.is_empty(), "{} has a history", a.code);
                assert!(
                    rows.windows(2).all(|w| w[0].period.next() == w[1].period),
                    "{}: one row a quarter",
                    a.code
                );
                assert!(
                    rows.windows(2)
                        .all(|w| w[0].percent_complete <= w[1].percent_complete
                            && w[0].spend_to_date_minor <= w[1].spend_to_date_minor),
                    "{}: never falls",
                    a.code
                );
                let last = rows.last().unwrap();
                assert_eq!(
                    (last.status, last.percent_complete, last.spend_to_date_minor),
                    (a.status, a.percent_complete, a.spend_minor),
                    "{}",
                    a.code
                );
                if a.status == "completed" {
                    let end = date(a.actual_end.unwrap());
                    assert!(
                        last.period.contains_date(end),
                        "{}: completed in the quarter of its actual end",
                        a.code
                    );
                    assert!(rows.iter().filter(|r| r.status == "completed").count() == 1);
                }
                for r in &rows {
                    assert!((0..=100).contains(&r.percent_complete));
                    let expected = if r.period < fresh_quarter(today) {
                        "approved"
                    } else {
                        r.workflow_status
                    };
                    assert_eq!(r.workflow_status, expected);
                    assert!(["approved", "draft", "submitted"].contains(&r.workflow_status));
                }
            }
        }
    }
}
