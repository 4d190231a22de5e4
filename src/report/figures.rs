//! The figures a report prints for one reporting period: each indicator's approved value
//! (counties combined by its county rule, then sub-periods by its period rule), the
//! milestone for the period, % achieved, RAG, the value of each county, and the history
//! against milestones for the chart.
//!
//! Reports print **approved** values only: a donor must never hold a figure the ministry
//! has not signed off. A figure is printed only when every county of the phase has an
//! approved value for every quarter of the period; otherwise the report says how many
//! are in, exactly as the dashboard does for its latest figure.

use std::collections::{BTreeMap, HashMap};

use crate::chart::TrendChart;
use crate::db::DbConn;
use crate::domain::achievement::{percent_achieved, rag, Rag, RagThresholds};
use crate::domain::aggregation::{aggregate_counties, aggregate_periods};
use crate::domain::comparison::target_over;
use crate::domain::period::Period;
use crate::error::AppResult;
use crate::models::framework::{self, Indicator, IndicatorRules};
use crate::models::location::Location;
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::values::{self, ApprovedFigure};

/// Quarters shown in a key indicator's chart, ending with the report's period.
pub const HISTORY_QUARTERS: usize = 12;

#[derive(Debug, Clone)]
pub struct ReportFigure {
    pub indicator: Indicator,
    pub rules: IndicatorRules,
    /// The approved value for the period; None unless every county is in.
    pub value: Option<f64>,
    /// Counties with an approved value in every quarter of the period, and how many the
    /// phase covers.
    pub counties: usize,
    pub expected: usize,
    pub milestone: Option<f64>,
    pub percent: Option<f64>,
    pub rag: Option<Rag>,
    /// Each of the phase's counties with its value over the period (None: missing).
    pub by_county: Vec<(i32, Option<f64>)>,
    /// Quarterly approved values against milestones, up to the report's period.
    pub history: TrendChart,
}

impl ReportFigure {
    pub fn complete(&self) -> bool {
        self.value.is_some()
    }
}

/// The sub-periods a report period is reported in: its quarters, or itself when it is
/// shorter than a quarter.
pub fn sub_periods(period: &Period) -> Vec<Period> {
    let q = period.quarters();
    if q.is_empty() {
        vec![*period]
    } else {
        q
    }
}

/// Pure: one indicator's figure from its approved county values (any periods; those
/// outside `period` are ignored) and its targets by period id.
#[allow(clippy::too_many_arguments)]
pub fn compute(
    indicator: Indicator,
    rules: IndicatorRules,
    period: &Period,
    counties: &[i32],
    approved: &[(i32, Period, f64)],
    targets: &HashMap<String, f64>,
    history: TrendChart,
    thresholds: &RagThresholds,
) -> ReportFigure {
    let subs = sub_periods(period);
    // county → sub-period → value
    let mut grid: HashMap<i32, BTreeMap<Period, f64>> = HashMap::new();
    for (loc, p, v) in approved {
        if subs.contains(p) && counties.contains(loc) {
            grid.entry(*loc).or_default().insert(*p, *v);
        }
    }
    let by_county: Vec<(i32, Option<f64>)> = counties
        .iter()
        .map(|c| {
            let v = grid.get(c).and_then(|by_period| {
                if by_period.len() < subs.len() {
                    return None;
                }
                let pairs: Vec<(Period, f64)> = by_period.iter().map(|(p, v)| (*p, *v)).collect();
                aggregate_periods(rules.period, &pairs)
            });
            (*c, v)
        })
        .collect();
    let reported = by_county.iter().filter(|(_, v)| v.is_some()).count();
    let complete = !counties.is_empty() && reported == counties.len();
    let value = if complete {
        let per_period: Vec<(Period, f64)> = subs
            .iter()
            .filter_map(|p| {
                let vals: Vec<f64> = counties
                    .iter()
                    .filter_map(|c| grid.get(c)?.get(p).copied())
                    .collect();
                aggregate_counties(rules.county, &vals).map(|v| (*p, v))
            })
            .collect();
        aggregate_periods(rules.period, &per_period)
    } else {
        None
    };
    let milestone = target_over(rules.period, Some(period), &subs, targets);
    let percent = match (value, milestone) {
        (Some(v), Some(t)) => percent_achieved(v, t, rules.direction),
        _ => None,
    };
    ReportFigure {
        indicator,
        rules,
        value,
        counties: reported,
        expected: counties.len(),
        milestone,
        percent,
        rag: percent.map(|p| rag(p, thresholds)),
        by_county,
        history,
    }
}

/// Everything a report needs about a programme's indicators for one period.
pub struct PeriodFigures {
    pub figures: Vec<ReportFigure>,
    /// The counties of the period's phase, in the phase's order.
    pub counties: Vec<Location>,
}

/// Loads the period's figures; `history` is how many quarters, ending with the period,
/// each figure's chart holds (0: no chart, as in the ministry report, which saves the
/// history query).
pub fn load(
    conn: &mut DbConn,
    programme: &Programme,
    phases: &[PhaseWithCounties],
    period: &Period,
    history: usize,
) -> AppResult<PeriodFigures> {
    let indicators = framework::indicators_of(conn, programme.id)?;
    let phase = programme::phase_of(phases, period);
    let counties: Vec<Location> = phase.map(|p| p.counties.clone()).unwrap_or_default();
    let county_ids: Vec<i32> = counties.iter().map(|c| c.id).collect();

    let mut approved: HashMap<i32, Vec<(i32, Period, f64)>> = HashMap::new();
    for ApprovedFigure {
        indicator_id,
        location_id,
        period: p,
        value,
    } in values::approved_between(conn, programme.id, period.start(), period.end())?
    {
        if let Ok(p) = Period::parse(&p) {
            approved
                .entry(indicator_id)
                .or_default()
                .push((location_id, p, value));
        }
    }

    // An archived indicator is reported for the periods it has approved figures in.
    let indicators: Vec<_> = indicators
        .into_iter()
        .filter(|i| !i.archived || approved.contains_key(&i.id))
        .collect();

    // The chart's quarters: the last HISTORY_QUARTERS up to the period, within the
    // programme.
    let mut quarters = Vec::with_capacity(history);
    if history > 0 {
        quarters.push(Period::quarter_containing(period.end()));
    }
    while !quarters.is_empty() && quarters.len() < history {
        let prev = quarters[0].prev();
        if prev.end() < programme.start_date {
            break;
        }
        quarters.insert(0, prev);
    }
    let from = quarters
        .first()
        .map_or(period.start(), |q| q.start().min(period.start()));
    let mut totals: HashMap<(i32, String), (f64, i64)> = HashMap::new();
    if !quarters.is_empty() {
        for t in values::approved_totals_between(conn, programme.id, from, period.end())? {
            totals.insert((t.indicator_id, t.period), (t.sum, t.count));
        }
    }
    let mut targets: HashMap<i32, HashMap<String, f64>> = HashMap::new();
    for t in values::targets_between(conn, programme.id, from, period.end())? {
        targets
            .entry(t.indicator_id)
            .or_default()
            .insert(t.period, t.value);
    }
    let thresholds = programme.thresholds();
    let no_targets = HashMap::new();
    let mut figures = Vec::with_capacity(indicators.len());
    for indicator in indicators {
        let rules = indicator.rules()?;
        let its_targets = targets.get(&indicator.id).unwrap_or(&no_targets);
        let history = TrendChart {
            labels: quarters.iter().map(Period::id).collect(),
            actual: quarters
                .iter()
                .map(|q| {
                    let expected = programme::phase_of(phases, q)
                        .map(|p| p.counties.len())
                        .unwrap_or(0);
                    let &(sum, n) = totals.get(&(indicator.id, q.id()))?;
                    // A quarter not yet fully approved is a gap, as on the dashboard.
                    (expected > 0 && n as usize >= expected)
                        .then(|| rules.county.from_total(sum, n as usize))
                })
                .collect(),
            target: quarters
                .iter()
                .map(|q| its_targets.get(&q.id()).copied())
                .collect(),
        };
        let rows = approved.remove(&indicator.id).unwrap_or_default();
        figures.push(compute(
            indicator,
            rules,
            period,
            &county_ids,
            &rows,
            its_targets,
            history,
            &thresholds,
        ));
    }
    Ok(PeriodFigures { figures, counties })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::achievement::Direction;
    use crate::domain::aggregation::{CountyAggregation, PeriodAggregation};
    use crate::domain::unit::Unit;

    fn indicator() -> Indicator {
        Indicator {
            id: 1,
            programme_id: 1,
            result_id: 1,
            code: "X1".into(),
            title: "Patrols".into(),
            definition: String::new(),
            unit: "count".into(),
            direction: "higher".into(),
            county_aggregation: "sum".into(),
            period_aggregation: "sum".into(),
            baseline_value: None,
            baseline_date: None,
            end_target: None,
            means_of_verification: String::new(),
            disaggregations: String::new(),
            is_key: false,
            position: 1,
            end_target_date: None,
            data_source: String::new(),
            archived: false,
            version: 1,
        }
    }

    fn rules(
        county: CountyAggregation,
        period: PeriodAggregation,
        direction: Direction,
    ) -> IndicatorRules {
        IndicatorRules {
            unit: Unit::Count,
            direction,
            county,
            period,
        }
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn empty_chart() -> TrendChart {
        TrendChart {
            labels: vec![],
            actual: vec![],
            target: vec![],
        }
    }

    #[test]
    fn a_quarter_sums_its_counties_against_its_milestone() {
        let targets = HashMap::from([("2026Q2".to_string(), 40.0)]);
        let f = compute(
            indicator(),
            rules(
                CountyAggregation::Sum,
                PeriodAggregation::Sum,
                Direction::HigherIsBetter,
            ),
            &p("2026Q2"),
            &[10, 11],
            &[
                (10, p("2026Q2"), 20.0),
                (11, p("2026Q2"), 16.0),
                (10, p("2026Q1"), 99.0),
            ],
            &targets,
            empty_chart(),
            &RagThresholds::default(),
        );
        assert_eq!(f.value, Some(36.0));
        assert_eq!(f.milestone, Some(40.0));
        assert_eq!(f.percent, Some(90.0));
        assert_eq!(f.rag, Some(Rag::Green));
        assert_eq!(f.by_county, vec![(10, Some(20.0)), (11, Some(16.0))]);
    }

    #[test]
    fn a_missing_county_is_missing_not_zero() {
        let f = compute(
            indicator(),
            rules(
                CountyAggregation::Sum,
                PeriodAggregation::Sum,
                Direction::HigherIsBetter,
            ),
            &p("2026Q2"),
            &[10, 11],
            &[(10, p("2026Q2"), 20.0)],
            &HashMap::from([("2026Q2".to_string(), 40.0)]),
            empty_chart(),
            &RagThresholds::default(),
        );
        assert_eq!(f.value, None);
        assert_eq!((f.counties, f.expected), (1, 2));
        assert_eq!(f.percent, None);
        assert_eq!(f.rag, None);
        assert_eq!(f.by_county, vec![(10, Some(20.0)), (11, None)]);
    }

    #[test]
    fn a_year_combines_quarters_by_the_period_rule_and_needs_all_of_them() {
        let year = p("2025");
        let all: Vec<(i32, Period, f64)> = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
            .iter()
            .enumerate()
            .map(|(i, q)| (10, p(q), 10.0 * (i + 1) as f64))
            .collect();
        let targets: HashMap<String, f64> = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
            .iter()
            .map(|q| (q.to_string(), 20.0))
            .collect();
        let latest = compute(
            indicator(),
            rules(
                CountyAggregation::Mean,
                PeriodAggregation::Latest,
                Direction::HigherIsBetter,
            ),
            &year,
            &[10],
            &all,
            &targets,
            empty_chart(),
            &RagThresholds::default(),
        );
        assert_eq!(latest.value, Some(40.0));
        assert_eq!(latest.milestone, Some(20.0));
        let summed = compute(
            indicator(),
            rules(
                CountyAggregation::Sum,
                PeriodAggregation::Sum,
                Direction::HigherIsBetter,
            ),
            &year,
            &[10],
            &all,
            &targets,
            empty_chart(),
            &RagThresholds::default(),
        );
        assert_eq!(summed.value, Some(100.0));
        assert_eq!(summed.milestone, Some(80.0));
        let three = compute(
            indicator(),
            rules(
                CountyAggregation::Sum,
                PeriodAggregation::Sum,
                Direction::HigherIsBetter,
            ),
            &year,
            &[10],
            &all[..3],
            &targets,
            empty_chart(),
            &RagThresholds::default(),
        );
        assert_eq!(
            three.value, None,
            "a year with a quarter missing is not complete"
        );
    }

    #[test]
    fn lower_is_better_rates_against_the_milestone() {
        let f = compute(
            indicator(),
            rules(
                CountyAggregation::Mean,
                PeriodAggregation::Latest,
                Direction::LowerIsBetter,
            ),
            &p("2026Q2"),
            &[10, 11],
            &[(10, p("2026Q2"), 12.0), (11, p("2026Q2"), 8.0)],
            &HashMap::from([("2026Q2".to_string(), 10.0)]),
            empty_chart(),
            &RagThresholds::default(),
        );
        assert_eq!(f.value, Some(10.0));
        assert_eq!(f.percent, Some(100.0));
    }

    #[test]
    fn no_counties_means_no_figure() {
        let f = compute(
            indicator(),
            rules(
                CountyAggregation::Sum,
                PeriodAggregation::Sum,
                Direction::HigherIsBetter,
            ),
            &p("2026Q2"),
            &[],
            &[],
            &HashMap::new(),
            empty_chart(),
            &RagThresholds::default(),
        );
        assert_eq!(f.value, None);
        assert_eq!(f.expected, 0);
    }
}
