//! A large synthetic dataset for benchmarks and load tests: `mipaka generate --values N`.
//! Three programmes × 100 indicators × 40 quarters; every phase county reports every
//! quarter (so periods are complete, as the dashboard expects), with the number of
//! counties — and above 300,000 values, sex disaggregation on half of the indicators —
//! chosen to reach about N values. Marked as demonstration data.

use chrono::NaiveDate;

use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::framework::{self, NewIndicator, NewResult};
use crate::models::values::{self, NewTarget, NewValue};
use crate::models::{location, programme};

pub const PROGRAMMES: usize = 3;
pub const INDICATORS: usize = 100;
pub const QUARTERS: usize = 40;

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub phase1_counties: usize,
    pub phase2_counties: usize,
    pub sexed_share: f64,
}

/// Counties per phase (and parts) for about `values` values in all.
pub fn shape(values: usize) -> Shape {
    let cells = (PROGRAMMES * INDICATORS * QUARTERS) as f64;
    // Parts (female, male) on every other count indicator: 40% of indicators, as every
    // fifth is a percentage without parts. Each such cell holds 3 values.
    let (per_cell, sexed_share) = if values as f64 / cells <= 25.0 {
        (1.0, 0.0)
    } else {
        (1.8, 0.4)
    };
    let avg = (values as f64 / cells / per_cell).clamp(1.0, 47.0);
    let phase2 = (avg * 1.4).round().clamp(1.0, 47.0);
    let phase1 = (2.0 * avg - phase2).round().clamp(1.0, 47.0);
    Shape {
        phase1_counties: phase1 as usize,
        phase2_counties: phase2 as usize,
        sexed_share,
    }
}

/// Deterministic noise in [-1, 1].
fn noise(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % 2001) as f64 / 1000.0 - 1.0
}

pub struct Generated {
    pub programmes: usize,
    pub indicators: usize,
    pub values: usize,
}

pub fn generate(conn: &mut DbConn, values_wanted: usize, prefix: &str) -> AppResult<Generated> {
    super::reference_data(conn)?;
    let s = shape(values_wanted);
    let counties = location::counties(conn)?;
    let start = NaiveDate::from_ymd_opt(2016, 7, 1).expect("valid date");
    let first = Period::quarter_containing(start);
    let quarters: Vec<Period> = std::iter::successors(Some(first), |q| Some(q.next()))
        .take(QUARTERS)
        .collect();
    let (q_first, q_last) = (quarters[0], quarters[QUARTERS - 1]);
    let mid = quarters[QUARTERS / 2];
    let generated = crate::db::write(conn, |conn| {
        let mut total = 0;
        for n in 1..=PROGRAMMES {
            let code = format!("{prefix}{n}");
            if programme::by_code(conn, &code).is_ok() {
                return Err(AppError::Conflict(format!(
                    "A programme {code} already exists; use another --prefix or a fresh database."
                )));
            }
            let pid = programme::insert(
                conn,
                &programme::NewProgramme {
                    code: &code,
                    name: &format!("Generated programme {n} (benchmark data)"),
                    description: "Synthetic data for benchmarks: 100 indicators over 40 quarters.",
                    currency: "GBP",
                    start_date: q_first.start(),
                    end_date: q_last.end(),
                    is_demo: true,
                    rag_green_within: 15.0,
                    rag_amber_within: 30.0,
                    created_at: crate::clock::now(),
                    short_name: &code,
                    funder: "",
                    reporting_frequency: "quarterly",
                    iati_identifier: "",
                    donor_reference: "",
                },
            )?;
            if s.sexed_share > 0.0 {
                let cat = crate::models::category::insert(conn, pid, "sex", "Sex", 1)?;
                crate::models::category::set_options(
                    conn,
                    cat,
                    &[
                        crate::domain::disaggregation::CategoryOption {
                            code: "female".into(),
                            label: "Female".into(),
                        },
                        crate::domain::disaggregation::CategoryOption {
                            code: "male".into(),
                            label: "Male".into(),
                        },
                    ],
                )?;
            }
            let ids = |k: usize| counties.iter().take(k).map(|c| c.id).collect::<Vec<_>>();
            let phase1 = ids(s.phase1_counties);
            let phase2 = ids(s.phase2_counties);
            programme::insert_phase(
                conn,
                pid,
                "Phase 1",
                q_first.start(),
                mid.prev().end(),
                0,
                &phase1,
            )?;
            programme::insert_phase(conn, pid, "Phase 2", mid.start(), q_last.end(), 1, &phase2)?;
            let impact = framework::insert_result(
                conn,
                &NewResult {
                    programme_id: pid,
                    parent_id: None,
                    level: "impact",
                    code: &format!("{code}-IMP"),
                    statement: "Generated impact",
                    impact_weighting: None,
                    risk_rating: None,
                    assumptions: "",
                    position: 1,
                },
            )?;
            let mut outputs = Vec::new();
            for o in 1..=4 {
                let oc = framework::insert_result(
                    conn,
                    &NewResult {
                        programme_id: pid,
                        parent_id: Some(impact),
                        level: "outcome",
                        code: &format!("{code}-OC{o}"),
                        statement: "Generated outcome",
                        impact_weighting: None,
                        risk_rating: None,
                        assumptions: "",
                        position: 1 + o,
                    },
                )?;
                outputs.push(framework::insert_result(
                    conn,
                    &NewResult {
                        programme_id: pid,
                        parent_id: Some(oc),
                        level: "output",
                        code: &format!("{code}-OP{o}"),
                        statement: "Generated output",
                        impact_weighting: Some(25.0),
                        risk_rating: Some("medium"),
                        assumptions: "",
                        position: 10 + o,
                    },
                )?);
            }
            let mut targets = Vec::new();
            let mut rows = Vec::new();
            let at = crate::clock::now();
            for i in 0..INDICATORS {
                let percent = i % 5 == 4;
                // Every other count indicator is split by sex when the size calls for it.
                let sexed = s.sexed_share > 0.0 && i % 2 == 0 && !percent;
                let iid = framework::insert_indicator(
                    conn,
                    &NewIndicator {
                        programme_id: pid,
                        result_id: outputs[i % outputs.len()],
                        code: &format!("{code}-{:03}", i + 1),
                        title: &format!("Generated indicator {} of {code}", i + 1),
                        definition: "Synthetic indicator for benchmarks.",
                        unit: if percent { "percentage" } else { "count" },
                        direction: if i % 7 == 3 { "lower" } else { "higher" },
                        county_aggregation: if percent { "mean" } else { "sum" },
                        period_aggregation: if percent { "latest" } else { "sum" },
                        baseline_value: Some(if percent { 40.0 } else { 100.0 }),
                        baseline_date: Some(q_first.start()),
                        end_target: Some(if percent { 80.0 } else { 400.0 }),
                        means_of_verification: "Generated",
                        disaggregations: if sexed { "sex".into() } else { String::new() },
                        is_key: i < 3,
                        position: i as i32,
                        end_target_date: Some(q_last.end()),
                        data_source: "",
                    },
                )?;
                for (qi, q) in quarters.iter().enumerate() {
                    let phase_counties = if *q < mid { &phase1 } else { &phase2 };
                    let level = if percent {
                        40.0 + qi as f64
                    } else {
                        20.0 + qi as f64 * 2.0
                    };
                    let total_target = if percent {
                        level
                    } else {
                        level * phase_counties.len() as f64
                    };
                    targets.push(NewTarget {
                        indicator_id: iid,
                        period: q.id(),
                        period_start: q.start(),
                        period_end: q.end(),
                        value: total_target.round(),
                        location_id: None,
                        disaggregation: String::new(),
                    });
                    for (ci, loc) in phase_counties.iter().enumerate() {
                        let seed = (n * 1_000_000 + i * 10_000 + qi * 100 + ci) as u64;
                        let v = (level * (1.0 + 0.15 * noise(seed)))
                            .round()
                            .clamp(0.0, if percent { 100.0 } else { f64::MAX });
                        let mut push = |dis: String, value: f64| {
                            rows.push(NewValue {
                                indicator_id: iid,
                                period: q.id(),
                                period_start: q.start(),
                                period_end: q.end(),
                                location_id: *loc,
                                disaggregation: dis,
                                value,
                                comment: None,
                                status: if qi + 1 == QUARTERS {
                                    "submitted".into()
                                } else {
                                    "approved".into()
                                },
                                entered_by: None,
                                entered_at: at,
                                reviewed_by: None,
                                reviewed_at: None,
                            })
                        };
                        push(String::new(), v);
                        if sexed {
                            let female = (v * 0.4).round();
                            push("sex=female".into(), female);
                            push("sex=male".into(), v - female);
                        }
                    }
                }
            }
            values::insert_targets(conn, &targets)?;
            total += values::insert_values(conn, &rows)?;
        }
        Ok(Generated {
            programmes: PROGRAMMES,
            indicators: PROGRAMMES * INDICATORS,
            values: total,
        })
    })?;
    // After a bulk load PostgreSQL's manual advises VACUUM ANALYZE: statistics for the
    // planner, and the visibility map that lets index-only scans skip the table. Autovacuum
    // would do it a little later — where it runs (the test servers run without it).
    // SQLite: the planner's statistics, as the server refreshes them at start.
    match conn {
        DbConn::Pg(_) => {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("VACUUM ANALYZE")?;
        }
        DbConn::Sqlite(_) => crate::db::refresh_statistics(conn)?,
    }
    Ok(generated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_reach_the_requested_size() {
        let cells = (PROGRAMMES * INDICATORS * QUARTERS) as f64;
        for wanted in [200_000usize, 1_000_000] {
            let s = shape(wanted);
            let per_cell = if s.sexed_share > 0.0 {
                1.0 + 2.0 * s.sexed_share
            } else {
                1.0
            };
            let got = cells / 2.0 * (s.phase1_counties + s.phase2_counties) as f64 * per_cell;
            let off = (got - wanted as f64).abs() / wanted as f64;
            assert!(off < 0.1, "{wanted}: {s:?} gives about {got}");
            assert!(s.phase2_counties <= 47);
        }
    }
}
