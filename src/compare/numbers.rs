//! The numbers of a comparison: per indicator, per county group and side, the value by
//! the indicator's own rules, how many county-quarters are in of those expected, and the
//! target over the side. Plain values only; `present` turns them into what is shown.
//!
//! The figures come from the figures engine (`crate::figures::over_coverages`), like every
//! page's and report's: approved values, every side and county group of a programme read
//! together (kept totals for whole phases; one pass per run of quarters over the county
//! values for county groups); the arithmetic of changes stays in `domain::comparison`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::plan::Plan;
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::error::AppResult;
use crate::figures::{self, Figure, QuarterCounties};
use crate::models::framework::Indicator;
use crate::models::values;

/// One side's figure for one indicator in one county group.
#[derive(Debug, Clone, PartialEq)]
pub struct SideNumber {
    /// None unless every county expected in every quarter of the side is in.
    pub value: Option<f64>,
    /// County-quarters in, of those expected.
    pub reported: usize,
    pub expected: usize,
    /// The target over the side, where one applies (whole phases, no group split).
    pub target: Option<f64>,
    /// % achieved against it, by the engine's rules (yes/no in counties).
    pub percent: Option<f64>,
    /// A yes/no figure and milestone in counties.
    pub yes: Option<figures::YesCount>,
    pub target_yes: Option<figures::YesCount>,
    /// What the figure is ("mean per quarter"), where not obvious.
    pub what: Option<String>,
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

/// The coverage of one side in one county group: each quarter with the counties it
/// compares (the side's, narrowed to the group).
fn coverage(side: &super::plan::Side, group: &super::plan::Group) -> Vec<QuarterCounties> {
    side.quarters
        .iter()
        .map(|(q, ids)| QuarterCounties {
            quarter: *q,
            phase: None,
            counties: match &group.ids {
                None => ids.clone(),
                Some(g) => ids.iter().copied().filter(|c| g.contains(c)).collect(),
            },
        })
        .collect()
}

/// The numbers of every row of the comparison, from the figures engine: the same rules
/// as every page and report (each quarter's counties all in, then the period rule).
pub fn numbers(conn: &mut DbConn, plan: &Plan) -> AppResult<Numbers> {
    // [side][group] → the coverage, then the figures by indicator id.
    let coverages: Vec<Vec<Vec<QuarterCounties>>> = plan
        .sides
        .iter()
        .map(|side| plan.groups.iter().map(|g| coverage(side, g)).collect())
        .collect();
    let mut figures: Vec<Vec<HashMap<i32, Figure>>> = plan
        .sides
        .iter()
        .map(|_| plan.groups.iter().map(|_| HashMap::new()).collect())
        .collect();
    // Every side and group of one programme's data in one go: each figure read once.
    let mut read: Vec<i32> = Vec::new();
    for side in &plan.sides {
        let programme = &side.programme;
        if read.contains(&programme.id) {
            continue;
        }
        read.push(programme.id);
        let mut at = Vec::new();
        let mut asked = Vec::new();
        for (s, side) in plan
            .sides
            .iter()
            .enumerate()
            .filter(|(_, s)| s.programme.id == programme.id)
        {
            for (g, group) in plan.groups.iter().enumerate() {
                at.push((s, g));
                asked.push(figures::Coverage {
                    quarters: &coverages[s][g],
                    named: side.exact.as_ref(),
                    // A whole side compared as a whole: every county of each quarter's
                    // phase.
                    whole: side.whole && group.ids.is_none(),
                });
            }
        }
        for ((s, g), f) in at
            .into_iter()
            .zip(figures::over_coverages(conn, programme, &asked)?)
        {
            figures[s][g] = f;
        }
    }
    let spans: Vec<figures::Span> = plan
        .sides
        .iter()
        .map(|side| match (side.quarters.first(), side.quarters.last()) {
            (Some((a, _)), Some((b, _))) => figures::Span::quarters_from(*a, *b),
            _ => figures::Span::between(chrono::NaiveDate::MAX, chrono::NaiveDate::MIN),
        })
        .collect();
    let mut out = Vec::new();
    for indicator in plan.own_indicators() {
        let sources = plan.sources(indicator);
        let side_number = |s: usize, g: usize| {
            let (src, _) = sources[s].as_ref()?;
            let f = figures[s][g].get(&src.id)?;
            Some(SideNumber {
                value: f.value,
                reported: f.completeness.reported,
                expected: f.completeness.expected,
                target: f.target,
                percent: f.percent,
                yes: f.yes,
                target_yes: f.target_yes,
                what: figures::kind::describe(f, &spans[s]),
            })
        };
        let per_group: Vec<Vec<Option<SideNumber>>> = (0..plan.groups.len())
            .map(|g| (0..plan.sides.len()).map(|s| side_number(s, g)).collect())
            .collect();
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
            let cov = coverage(
                side,
                &super::plan::Group {
                    name: String::new(),
                    ids: None,
                    counties: Vec::new(),
                },
            );
            let counties: BTreeSet<i32> = plan.side_counties(side);
            for county in counties {
                let mine: BTreeMap<Period, f64> = side
                    .quarters
                    .iter()
                    .filter_map(|(q, _)| by.get(&(county, q.id())).map(|v| (*q, *v)))
                    .collect();
                here.values.insert(
                    county,
                    figures::compute::county_value(&rules, Some(&mine), &cov, county),
                );
            }
        }
        out.push(here);
    }
    Ok(out)
}
