//! Whether a period is ready to report: how many of its county-quarters are approved.
//! A county-quarter is one county of the phase a quarter falls in; it is approved when
//! every live indicator of the programme has an approved value for it. The reports page
//! says this before anyone issues, picks the newest fully approved quarter by default,
//! and an issue of a period that is not fully approved must be confirmed — and the
//! cover then says so.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::schema::{indicator_values, indicators};
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::AppResult;
use crate::models::programme::{self, Programme};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Readiness {
    pub approved: usize,
    pub expected: usize,
}

impl Readiness {
    pub fn complete(&self) -> bool {
        self.expected > 0 && self.approved >= self.expected
    }

    fn add(&mut self, other: Readiness) {
        self.approved += other.approved;
        self.expected += other.expected;
    }

    /// "5 of 7 county-quarters approved".
    pub fn describe(&self) -> String {
        match self.expected {
            0 => "no county reports in this period".into(),
            1 => format!("{} of 1 county-quarter approved", self.approved),
            n => format!("{} of {n} county-quarters approved", self.approved),
        }
    }
}

/// The quarters a period covers (a quarter itself, or those of a half-year or year).
fn quarters_of(period: &Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut q = Period::quarter_containing(period.start());
    while q.end() <= period.end() {
        out.push(q);
        q = q.next();
    }
    out
}

/// Readiness of each of `periods` in one programme, with one grouped read.
pub fn of_programme(
    conn: &mut DbConn,
    p: &Programme,
    periods: &[Period],
) -> AppResult<HashMap<Period, Readiness>> {
    let phases = programme::phases_of(conn, p.id)?;
    let live: i64 = indicators::table
        .filter(indicators::programme_id.eq(p.id))
        .filter(indicators::archived.eq(false))
        .count()
        .get_result(conn)?;
    let quarters: Vec<Period> = periods.iter().flat_map(quarters_of).collect();
    let ids: Vec<String> = quarters.iter().map(|q| q.id()).collect();
    let counted: Vec<(String, i32, i64)> = indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(p.id))
        .filter(indicators::archived.eq(false))
        .filter(indicator_values::disaggregation.eq(""))
        .filter(indicator_values::status.eq("approved"))
        .filter(indicator_values::period.eq_any(&ids))
        .group_by((indicator_values::period, indicator_values::location_id))
        .select((
            indicator_values::period,
            indicator_values::location_id,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let approved: HashMap<(String, i32), i64> = counted
        .into_iter()
        .map(|(q, county, n)| ((q, county), n))
        .collect();
    let mut out = HashMap::new();
    for period in periods {
        let mut r = Readiness::default();
        for q in quarters_of(period) {
            let Some(phase) = phases
                .iter()
                .find(|ph| ph.phase.start_date <= q.start() && q.end() <= ph.phase.end_date)
            else {
                continue;
            };
            if live == 0 {
                continue;
            }
            for county in &phase.counties {
                r.expected += 1;
                let n = approved.get(&(q.id(), county.id)).copied().unwrap_or(0);
                if n >= live {
                    r.approved += 1;
                }
            }
        }
        out.insert(*period, r);
    }
    Ok(out)
}

/// Readiness of each of `periods` across programmes (the ministry report's).
pub fn of_programmes(
    conn: &mut DbConn,
    programmes: &[Programme],
    periods: &[Period],
) -> AppResult<HashMap<Period, Readiness>> {
    let mut out: HashMap<Period, Readiness> = HashMap::new();
    for p in programmes {
        for (q, r) in of_programme(conn, p, periods)? {
            out.entry(q).or_default().add(r);
        }
    }
    Ok(out)
}

/// Who approved the period's values, each with their latest approval, earliest first:
/// the report's sign-off.
pub fn approvers(
    conn: &mut DbConn,
    programmes: &[Programme],
    period: &Period,
) -> AppResult<Vec<(String, chrono::NaiveDateTime)>> {
    use crate::db::schema::users;
    let ids: Vec<String> = quarters_of(period).iter().map(|q| q.id()).collect();
    let pids: Vec<i32> = programmes.iter().map(|p| p.id).collect();
    let by: Vec<(Option<i32>, Option<chrono::NaiveDateTime>)> = indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq_any(&pids))
        .filter(indicator_values::status.eq("approved"))
        .filter(indicator_values::period.eq_any(&ids))
        .group_by(indicator_values::reviewed_by)
        .select((
            indicator_values::reviewed_by,
            diesel::dsl::max(indicator_values::reviewed_at),
        ))
        .load(conn)?;
    let user_ids: Vec<i32> = by.iter().filter_map(|(u, _)| *u).collect();
    let names: HashMap<i32, String> = users::table
        .filter(users::id.eq_any(&user_ids))
        .select((users::id, users::display_name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    let mut out: Vec<(String, chrono::NaiveDateTime)> = by
        .into_iter()
        .filter_map(|(u, at)| {
            let name = match u {
                Some(id) => names.get(&id).cloned()?,
                None => "command line or import".to_string(),
            };
            Some((name, at?))
        })
        .collect();
    out.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    Ok(out)
}

/// The period a reports page opens on: the newest fully approved one, else the newest.
pub fn default_period(
    choices: &[Period],
    readiness: &HashMap<Period, Readiness>,
) -> Option<Period> {
    choices
        .iter()
        .find(|q| readiness.get(q).is_some_and(Readiness::complete))
        .or(choices.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_fully_approved_quarter_is_chosen_else_the_newest() {
        let q = |s: &str| Period::parse(s).unwrap();
        let choices = [q("2026Q3"), q("2026Q2"), q("2026Q1")];
        let mut r = HashMap::new();
        r.insert(
            q("2026Q3"),
            Readiness {
                approved: 0,
                expected: 7,
            },
        );
        r.insert(
            q("2026Q2"),
            Readiness {
                approved: 7,
                expected: 7,
            },
        );
        r.insert(
            q("2026Q1"),
            Readiness {
                approved: 7,
                expected: 7,
            },
        );
        assert_eq!(default_period(&choices, &r), Some(q("2026Q2")));
        r.insert(
            q("2026Q2"),
            Readiness {
                approved: 6,
                expected: 7,
            },
        );
        r.insert(
            q("2026Q1"),
            Readiness {
                approved: 0,
                expected: 0,
            },
        );
        assert_eq!(default_period(&choices, &r), Some(q("2026Q3")));
        assert_eq!(default_period(&[], &r), None);
    }

    #[test]
    fn a_year_counts_the_county_quarters_of_its_quarters() {
        let fy = Period::parse("2025July").unwrap();
        assert_eq!(quarters_of(&fy).len(), 4);
        let q = Period::parse("2026Q2").unwrap();
        assert_eq!(quarters_of(&q), vec![q]);
        assert_eq!(
            Readiness {
                approved: 3,
                expected: 7
            }
            .describe(),
            "3 of 7 county-quarters approved"
        );
        assert!(!Readiness::default().complete());
    }
}
