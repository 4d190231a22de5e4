//! The numbers of a comparison: per indicator, per county group and side, the value by
//! the indicator's own rules, how many county-quarters are in of those expected, and the
//! target over the side. Plain values only; `present` turns them into what is shown.
//!
//! Everything here reads approved values through two grouped queries per side and group
//! (totals) and one per side (targets); the rest is the rules of `domain::comparison`.

use std::collections::{BTreeSet, HashMap};

use super::plan::Plan;
use crate::db::DbConn;
use crate::domain::aggregation::aggregate_periods;
use crate::domain::comparison::{side_value, target_over, QuarterTotal};
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::error::AppResult;
use crate::models::framework::Indicator;
use crate::models::values;

/// One side's figure for one indicator in one county group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SideNumber {
    /// None unless every county expected in every quarter of the side is in.
    pub value: Option<f64>,
    /// County-quarters in, of those expected.
    pub reported: usize,
    pub expected: usize,
    /// The target over the side, where one applies (whole phases, no group split).
    pub target: Option<f64>,
}

/// One indicator's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorNumbers {
    pub indicator_id: i32,
    /// `[group][side]`; None where no indicator stands for this one on that side.
    pub values: Vec<Vec<Option<SideNumber>>>,
}

/// The numbers of a comparison, one entry per row in the order of
/// `Plan::own_indicators`.
#[derive(Debug, Clone, PartialEq)]
pub struct Numbers {
    pub indicators: Vec<IndicatorNumbers>,
}

/// One side of the counties behind a figure: each county's own value over the side's
/// quarters it is expected in (None where one is missing), in the unit of the indicator
/// the values come from.
#[derive(Debug, Clone, PartialEq)]
pub struct CountySide {
    pub unit: Unit,
    pub currency: String,
    pub values: HashMap<i32, Option<f64>>,
}

type Totals = HashMap<(i32, String), (f64, usize)>;

/// One side in one county group: its totals and the counties expected per quarter.
struct SideGroup {
    totals: Totals,
    expected: Vec<(Period, usize)>,
}

/// Per side and group: the approved totals by (indicator, quarter) and the counties
/// expected in each quarter.
fn load_totals(conn: &mut DbConn, plan: &Plan) -> AppResult<Vec<Vec<SideGroup>>> {
    let mut out = Vec::new();
    for side in &plan.sides {
        let mut per_group = Vec::new();
        for group in &plan.groups {
            let qs: Vec<(Period, Vec<i32>)> = side
                .quarters
                .iter()
                .map(|(q, ids)| {
                    let ids = match &group.ids {
                        None => ids.clone(),
                        Some(g) => ids.iter().copied().filter(|c| g.contains(c)).collect(),
                    };
                    (*q, ids)
                })
                .collect();
            let mut totals: Totals = HashMap::new();
            // One grouped query per run of quarters with the same counties.
            let mut i = 0;
            while i < qs.len() {
                let mut j = i;
                while j + 1 < qs.len() && qs[j + 1].1 == qs[i].1 {
                    j += 1;
                }
                let quarter_ids: BTreeSet<String> = qs[i..=j].iter().map(|(q, _)| q.id()).collect();
                for t in values::approved_totals_in(
                    conn,
                    side.programme.id,
                    &qs[i].1,
                    qs[i].0.start(),
                    qs[j].0.start(),
                )? {
                    if quarter_ids.contains(&t.period) {
                        totals.insert((t.indicator_id, t.period), (t.sum, t.count as usize));
                    }
                }
                i = j + 1;
            }
            let expected = qs.iter().map(|(q, ids)| (*q, ids.len())).collect();
            per_group.push(SideGroup { totals, expected });
        }
        out.push(per_group);
    }
    Ok(out)
}

/// Per side: the targets by indicator and period over the side's quarters (and the
/// exact period typed, when it ends later).
fn load_targets(
    conn: &mut DbConn,
    plan: &Plan,
) -> AppResult<Vec<HashMap<i32, HashMap<String, f64>>>> {
    let mut targets = Vec::new();
    for side in &plan.sides {
        let mut t: HashMap<i32, HashMap<String, f64>> = HashMap::new();
        if let (Some((first, _)), Some((last, _))) = (side.quarters.first(), side.quarters.last()) {
            let to = side
                .exact
                .map_or(last.start(), |e| e.start().max(last.start()));
            for target in values::targets_between(conn, side.programme.id, first.start(), to)? {
                t.entry(target.indicator_id)
                    .or_default()
                    .insert(target.period, target.value);
            }
        }
        targets.push(t);
    }
    Ok(targets)
}

/// The numbers of every row of the comparison.
pub fn numbers(conn: &mut DbConn, plan: &Plan) -> AppResult<Numbers> {
    let totals = load_totals(conn, plan)?;
    let targets = load_targets(conn, plan)?;
    let no_targets = HashMap::new();
    let mut out = Vec::new();
    for indicator in plan.own_indicators() {
        let sources = plan.sources(indicator);
        let mut per_group = Vec::with_capacity(plan.groups.len());
        for (g, group) in plan.groups.iter().enumerate() {
            let mut per_side = Vec::with_capacity(plan.sides.len());
            for (s, side) in plan.sides.iter().enumerate() {
                let SideGroup {
                    totals: side_totals,
                    expected,
                } = &totals[s][g];
                let number = sources[s].as_ref().map(|(src, r)| {
                    let qt: Vec<QuarterTotal> = expected
                        .iter()
                        .map(|(q, n)| {
                            let (sum, count) = side_totals
                                .get(&(src.id, q.id()))
                                .copied()
                                .unwrap_or((0.0, 0));
                            QuarterTotal {
                                period: *q,
                                expected: *n,
                                reported: count,
                                sum,
                            }
                        })
                        .collect();
                    let v = side_value(r.county, r.period, &qt);
                    let target = if side.whole && group.ids.is_none() {
                        let qs: Vec<Period> = side.quarters.iter().map(|(q, _)| *q).collect();
                        target_over(
                            r.period,
                            side.exact.as_ref(),
                            &qs,
                            targets[s].get(&src.id).unwrap_or(&no_targets),
                        )
                    } else {
                        None
                    };
                    SideNumber {
                        value: v.value,
                        reported: v.reported,
                        expected: v.expected,
                        target,
                    }
                });
                per_side.push(number);
            }
            per_group.push(per_side);
        }
        out.push(IndicatorNumbers {
            indicator_id: indicator.id,
            values: per_group,
        });
    }
    Ok(Numbers { indicators: out })
}

/// Each county's own value per side for one indicator: the figures behind a row.
pub fn county_values(
    conn: &mut DbConn,
    plan: &Plan,
    indicator: &Indicator,
) -> AppResult<Vec<CountySide>> {
    let mut out = Vec::with_capacity(plan.sides.len());
    for side in &plan.sides {
        let mut here = CountySide {
            unit: Unit::Count,
            currency: String::new(),
            values: HashMap::new(),
        };
        if let (Some((src, _)), Some((first, _)), Some((last, _))) = (
            plan.source(indicator, side.programme.id),
            side.quarters.first(),
            side.quarters.last(),
        ) {
            let rules = src.rules()?;
            here.unit = rules.unit;
            here.currency = side.programme.currency.clone();
            let rows =
                values::approved_of_indicator_between(conn, src.id, first.start(), last.end())?;
            let mut by: HashMap<(i32, String), f64> = HashMap::new();
            for r in rows {
                by.insert((r.location_id, r.period), r.value);
            }
            let counties: BTreeSet<i32> = plan.side_counties(side);
            for county in counties {
                let expected: Vec<Period> = side
                    .quarters
                    .iter()
                    .filter(|(_, ids)| ids.contains(&county))
                    .map(|(q, _)| *q)
                    .collect();
                let got: Option<Vec<(Period, f64)>> = expected
                    .iter()
                    .map(|q| by.get(&(county, q.id())).map(|v| (*q, *v)))
                    .collect();
                here.values.insert(
                    county,
                    got.and_then(|g| aggregate_periods(rules.period, &g)),
                );
            }
        }
        out.push(here);
    }
    Ok(out)
}
