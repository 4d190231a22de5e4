//! The pure part of the read model: one indicator's figure over a span from grouped
//! totals. No database and no clock: the loader hands in what it read, these functions
//! turn it into what every page, report, export and comparison shows.
//!
//! The rules, in one place:
//! - A quarter's figure combines its counties by the indicator's county rule, and exists
//!   only when **every county its phase expects** is in: a sum over five of seven counties
//!   is not the programme's figure. A quarter not fully in is a gap, never a dip.
//! - A span combines its quarters by the period rule. For *sum* and *mean* every quarter
//!   must be in; for *latest* (a stock or running total) the span's figure is its last
//!   quarter's, so only that quarter must be in.
//! - The milestone over a span is the target set for exactly that period when there is
//!   one, else the quarters' targets combined by the period rule.
//! - Yes/no indicators count counties: the figure is "k of n counties: yes", the
//!   milestone is a number of counties, and it is green only when met.
//! - To date: a *sum* indicator's running total from the programme's first quarter to the
//!   span's end; for *mean* and *latest* the newest complete quarter's figure by then.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::span::QuarterCounties;
use crate::chart::TrendChart;
use crate::domain::achievement::{percent_achieved, rag, Direction, Rag, RagThresholds};
use crate::domain::aggregation::{aggregate_periods, CountyAggregation, PeriodAggregation};
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::models::framework::IndicatorRules;

/// Grouped values of one indicator in one quarter (for the total or one part): their
/// sum, how many counties they came from, and how many of those are approved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Cell {
    pub sum: f64,
    pub counties: usize,
    pub approved: usize,
}

/// What the loader read for one indicator.
#[derive(Debug, Clone, Default)]
pub struct IndicatorTotals {
    /// Totals (no part) by quarter.
    pub total: BTreeMap<Period, Cell>,
    /// Each disaggregated part ("sex=female") by quarter.
    pub parts: BTreeMap<String, BTreeMap<Period, Cell>>,
    /// Each county's own total by quarter, when the figure must show counties.
    pub by_county: HashMap<i32, BTreeMap<Period, f64>>,
    /// A sum indicator's values from the programme's start to the span's end, summed.
    pub to_date: Option<Cell>,
}

/// How much of a figure is in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Completeness {
    /// County-quarters in, and expected, over the quarters the figure needs.
    pub reported: usize,
    pub expected: usize,
    /// How many quarters the figure needs (1 for a quarter or a *latest* figure).
    pub quarters: usize,
}

impl Completeness {
    pub fn complete(&self) -> bool {
        self.expected > 0 && self.reported >= self.expected
    }
}

/// A yes/no figure in counties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct YesCount {
    pub yes: usize,
    pub of: usize,
}

/// What kind of figure it is, so that it can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// One quarter's figure.
    Quarter,
    /// Quarters added up.
    Total { quarters: usize },
    /// The mean of the quarters' figures.
    MeanPerQuarter { quarters: usize },
    /// The last quarter's figure (a stock or running total).
    Latest,
}

/// One disaggregated part over the span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// "sex=female".
    pub key: String,
    pub value: Option<f64>,
}

/// A running figure from the programme's start against the end target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToDate {
    pub value: Option<f64>,
    /// The last quarter it counts.
    pub through: Option<Period>,
    /// True for a running total (sum indicators); false for the newest complete quarter.
    pub running_total: bool,
    /// County-quarters in and expected, for a running total.
    pub reported: usize,
    pub expected: usize,
    pub end_target: Option<f64>,
    pub percent: Option<f64>,
    /// A yes/no indicator's newest complete quarter in counties.
    pub yes: Option<YesCount>,
}

/// One indicator's figure over a span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub value: Option<f64>,
    pub completeness: Completeness,
    /// Some value behind it is submitted, not yet approved.
    pub provisional: bool,
    pub kind: Kind,
    /// The counties are averaged, not added up.
    pub county_mean: bool,
    pub yes: Option<YesCount>,
    pub target: Option<f64>,
    /// A yes/no milestone as a number of counties.
    pub target_yes: Option<YesCount>,
    pub percent: Option<f64>,
    pub rag: Option<Rag>,
    pub parts: Vec<Part>,
    /// Each county's own figure over the quarters it is expected in (None: missing).
    pub by_county: Vec<(i32, Option<f64>)>,
    /// County figures an output may not show (taken out of `by_county`; see
    /// [`crate::figures::shared`]): shown as "fewer than N" or "withheld".
    pub hidden: Vec<(i32, crate::domain::disclosure::Hidden)>,
    pub to_date: ToDate,
}

impl Figure {
    pub fn complete(&self) -> bool {
        self.value.is_some()
    }
}

/// What `figure` needs besides the totals.
pub struct Rules<'a> {
    pub rules: IndicatorRules,
    pub targets: &'a HashMap<String, f64>,
    pub end_target: Option<f64>,
    pub thresholds: &'a RagThresholds,
}

/// A quarter's figure: its counties combined, when every expected county is in.
pub fn quarter_value(rules: &IndicatorRules, cell: Option<&Cell>, expected: usize) -> Option<f64> {
    let c = cell?;
    (expected > 0 && c.counties >= expected).then(|| rules.county.from_total(c.sum, c.counties))
}

/// The quarters a figure over `coverage` needs: all of them, or the last for *latest*.
fn needed(period: PeriodAggregation, coverage: &[QuarterCounties]) -> &[QuarterCounties] {
    match (period, coverage.len()) {
        (PeriodAggregation::Latest, n) if n > 0 => &coverage[n - 1..],
        _ => coverage,
    }
}

/// A series' value over the span, how complete, and whether provisional.
fn series_value(
    rules: &IndicatorRules,
    series: Option<&BTreeMap<Period, Cell>>,
    coverage: &[QuarterCounties],
) -> (Option<f64>, Completeness, bool) {
    let need = needed(rules.period, coverage);
    let mut c = Completeness {
        quarters: need.len(),
        ..Completeness::default()
    };
    let mut provisional = false;
    let mut per: Vec<(Period, f64)> = Vec::with_capacity(need.len());
    let mut all_in = !need.is_empty();
    for q in need {
        let cell = series.and_then(|s| s.get(&q.quarter));
        let expected = q.counties.len();
        c.expected += expected;
        c.reported += cell.map_or(0, |x| x.counties.min(expected));
        provisional |= cell.is_some_and(|x| x.approved < x.counties);
        match quarter_value(rules, cell, expected) {
            Some(v) => per.push((q.quarter, v)),
            None => all_in = false,
        }
    }
    let value = if all_in {
        aggregate_periods(rules.period, &per)
    } else {
        None
    };
    (value, c, provisional)
}

/// The milestone for a span: a target set for exactly the named period, else the needed
/// quarters' targets combined by the period rule (all of them needed).
pub fn target_over(
    period: PeriodAggregation,
    named: Option<&Period>,
    coverage: &[QuarterCounties],
    targets: &HashMap<String, f64>,
) -> Option<f64> {
    if let Some(t) = named.and_then(|s| targets.get(&s.id())) {
        return Some(*t);
    }
    let need = needed(period, coverage);
    if need.is_empty() {
        return None;
    }
    let per: Vec<(Period, f64)> = need
        .iter()
        .map(|q| targets.get(&q.quarter.id()).map(|t| (q.quarter, *t)))
        .collect::<Option<Vec<_>>>()?;
    aggregate_periods(period, &per)
}

/// The kind of a figure over `quarters` quarters under `period`.
pub fn kind_of(period: PeriodAggregation, quarters: usize) -> Kind {
    match (period, quarters) {
        (_, 0 | 1) => Kind::Quarter,
        (PeriodAggregation::Sum, n) => Kind::Total { quarters: n },
        (PeriodAggregation::Mean, n) => Kind::MeanPerQuarter { quarters: n },
        (PeriodAggregation::Latest, _) => Kind::Latest,
    }
}

/// A yes/no share (or count) in counties out of those the last needed quarter expects.
fn in_counties(rules: &IndicatorRules, v: f64, of: usize) -> usize {
    let n = match rules.county {
        CountyAggregation::Mean => v * of as f64,
        CountyAggregation::Sum => v,
    };
    n.round().max(0.0) as usize
}

/// One indicator's figure over the span `coverage` (each quarter with the counties it
/// expects); `counties` lists the counties for the by-county figures (empty: none).
pub fn figure(
    r: &Rules,
    totals: &IndicatorTotals,
    coverage: &[QuarterCounties],
    named: Option<&Period>,
    counties: &[i32],
    history: &[QuarterCounties],
) -> Figure {
    let rules = &r.rules;
    let (value, completeness, provisional) = series_value(rules, Some(&totals.total), coverage);
    let target = target_over(rules.period, named, coverage, r.targets);
    let yes_no = rules.unit == Unit::YesNo;
    let of = needed(rules.period, coverage)
        .last()
        .map_or(0, |q| q.counties.len());
    let yes = (yes_no && value.is_some()).then(|| YesCount {
        yes: in_counties(rules, value.unwrap_or(0.0), of),
        of,
    });
    // A yes/no milestone is a number of counties, rounded up: "at least 60 %" of 7 is 5.
    let target_yes = target.filter(|_| yes_no).map(|t| {
        let n = match rules.county {
            CountyAggregation::Mean => (t * of as f64 - 1e-9).ceil(),
            CountyAggregation::Sum => t,
        };
        YesCount {
            yes: n.max(0.0) as usize,
            of,
        }
    });
    let (percent, rating) = match (yes, target_yes) {
        (Some(y), Some(t)) => {
            let p = percent_achieved(y.yes as f64, t.yes as f64, Direction::HigherIsBetter);
            let met = y.yes >= t.yes;
            // Met or not: a county answering "no" where the milestone wants "yes" is
            // never on track.
            let rated = p.map(|p| match rag(p, r.thresholds) {
                Rag::Green if !met => Rag::Amber,
                other => other,
            });
            (p, rated)
        }
        _ => {
            let p = match (value, target) {
                (Some(v), Some(t)) => percent_achieved(v, t, rules.direction),
                _ => None,
            };
            (p, p.map(|p| rag(p, r.thresholds)))
        }
    };
    let parts = totals
        .parts
        .iter()
        .map(|(key, series)| Part {
            key: key.clone(),
            value: series_value(rules, Some(series), coverage).0,
        })
        .collect();
    let by_county = counties
        .iter()
        .map(|c| {
            (
                *c,
                county_value(rules, totals.by_county.get(c), coverage, *c),
            )
        })
        .collect();
    Figure {
        value,
        completeness,
        provisional,
        kind: kind_of(rules.period, coverage.len()),
        county_mean: rules.county == CountyAggregation::Mean,
        yes,
        target,
        target_yes,
        percent,
        rag: rating,
        parts,
        by_county,
        hidden: Vec::new(),
        to_date: to_date(r, totals, history),
    }
}

/// One county's figure over the quarters of the span it is expected in.
pub fn county_value(
    rules: &IndicatorRules,
    values: Option<&BTreeMap<Period, f64>>,
    coverage: &[QuarterCounties],
    county: i32,
) -> Option<f64> {
    let mine: Vec<&QuarterCounties> = coverage
        .iter()
        .filter(|q| q.counties.contains(&county))
        .collect();
    let need: &[&QuarterCounties] = match rules.period {
        PeriodAggregation::Latest if !mine.is_empty() => &mine[mine.len() - 1..],
        _ => &mine,
    };
    if need.is_empty() {
        return None;
    }
    let values = values?;
    let per: Vec<(Period, f64)> = need
        .iter()
        .map(|q| values.get(&q.quarter).map(|v| (q.quarter, *v)))
        .collect::<Option<Vec<_>>>()?;
    aggregate_periods(rules.period, &per)
}

/// The running figure at the end of `history` (every quarter from the programme's start
/// to the span's end, with the counties each expects).
fn to_date(r: &Rules, totals: &IndicatorTotals, history: &[QuarterCounties]) -> ToDate {
    let rules = &r.rules;
    let percent_of = |v: Option<f64>| match (v, r.end_target) {
        (Some(v), Some(t)) => percent_achieved(v, t, rules.direction),
        _ => None,
    };
    if rules.period == PeriodAggregation::Sum {
        let cell = totals.to_date;
        let value = cell.filter(|c| c.counties > 0).map(|c| c.sum);
        // Through the newest quarter with anything in (the span may end in a quarter not
        // yet reported).
        let through = history
            .iter()
            .rev()
            .find(|q| totals.total.get(&q.quarter).is_some_and(|c| c.counties > 0))
            .map(|q| q.quarter);
        let through = through.or(history.last().map(|q| q.quarter));
        let expected: usize = history
            .iter()
            .filter(|q| through.is_some_and(|t| q.quarter <= t))
            .map(|q| q.counties.len())
            .sum();
        return ToDate {
            value,
            through,
            running_total: true,
            reported: cell.map_or(0, |c| c.counties.min(expected)),
            expected,
            end_target: r.end_target,
            percent: percent_of(value),
            yes: None,
        };
    }
    let newest = history.iter().rev().find_map(|q| {
        quarter_value(rules, totals.total.get(&q.quarter), q.counties.len())
            .map(|v| (q.quarter, v, q.counties.len()))
    });
    let value = newest.map(|(_, v, _)| v);
    ToDate {
        value,
        through: newest.map(|(q, _, _)| q),
        running_total: false,
        reported: 0,
        expected: 0,
        end_target: r.end_target,
        percent: percent_of(value),
        yes: newest
            .filter(|_| rules.unit == Unit::YesNo)
            .map(|(_, v, of)| YesCount {
                yes: in_counties(rules, v, of),
                of,
            }),
    }
}

/// Quarter by quarter against milestones, for a chart: a quarter not fully in is a gap.
pub fn series(
    rules: &IndicatorRules,
    totals: &IndicatorTotals,
    quarters: &[QuarterCounties],
    targets: &HashMap<String, f64>,
) -> TrendChart {
    TrendChart {
        labels: quarters.iter().map(|q| q.quarter.id()).collect(),
        actual: quarters
            .iter()
            .map(|q| quarter_value(rules, totals.total.get(&q.quarter), q.counties.len()))
            .collect(),
        target: quarters
            .iter()
            .map(|q| targets.get(&q.quarter.id()).copied())
            .collect(),
    }
}

/// The newest quarter of `quarters` whose figure is complete, and the newest with any
/// value at all (still being reported when it differs).
pub fn latest_quarters(
    rules: &IndicatorRules,
    totals: &IndicatorTotals,
    quarters: &[QuarterCounties],
) -> (Option<usize>, Option<usize>) {
    let complete = quarters.iter().rposition(|q| {
        quarter_value(rules, totals.total.get(&q.quarter), q.counties.len()).is_some()
    });
    let newest = quarters
        .iter()
        .rposition(|q| totals.total.get(&q.quarter).is_some_and(|c| c.counties > 0));
    (complete, newest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::achievement::Direction;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn rules(unit: Unit, county: CountyAggregation, period: PeriodAggregation) -> IndicatorRules {
        IndicatorRules {
            unit,
            direction: Direction::HigherIsBetter,
            county,
            period,
        }
    }

    fn q(id: &str, counties: &[i32]) -> QuarterCounties {
        QuarterCounties {
            quarter: p(id),
            phase: Some(1),
            counties: counties.to_vec(),
        }
    }

    /// Totals built from county rows, as the loader's grouped query would give them.
    fn totals(rows: &[(i32, &str, f64)]) -> IndicatorTotals {
        let mut t = IndicatorTotals::default();
        for (c, quarter, v) in rows {
            let cell = t.total.entry(p(quarter)).or_default();
            cell.sum += v;
            cell.counties += 1;
            cell.approved += 1;
            t.by_county.entry(*c).or_default().insert(p(quarter), *v);
        }
        t
    }

    fn run(
        r: IndicatorRules,
        t: &IndicatorTotals,
        cov: &[QuarterCounties],
        targets: &HashMap<String, f64>,
    ) -> Figure {
        let thresholds = RagThresholds::default();
        let rr = Rules {
            rules: r,
            targets,
            end_target: Some(100.0),
            thresholds: &thresholds,
        };
        let mut all: Vec<i32> = cov.iter().flat_map(|q| q.counties.clone()).collect();
        all.sort();
        all.dedup();
        figure(&rr, t, cov, None, &all, cov)
    }

    /// A Kenyan year across two phases: two quarters of four counties, two of seven.
    fn fy() -> Vec<QuarterCounties> {
        vec![
            q("2024Q3", &[1, 2, 3, 4]),
            q("2024Q4", &[1, 2, 3, 4]),
            q("2025Q1", &[1, 2, 3, 4, 5, 6, 7]),
            q("2025Q2", &[1, 2, 3, 4, 5, 6, 7]),
        ]
    }

    fn fy_rows(v: f64) -> Vec<(i32, &'static str, f64)> {
        let mut rows = Vec::new();
        for quarter in ["2024Q3", "2024Q4"] {
            for c in 1..=4 {
                rows.push((c, quarter, v));
            }
        }
        for quarter in ["2025Q1", "2025Q2"] {
            for c in 1..=7 {
                rows.push((c, quarter, v));
            }
        }
        rows
    }

    #[test]
    fn a_year_across_phases_sums_each_quarters_own_counties() {
        let t = totals(&fy_rows(10.0));
        let targets: HashMap<String, f64> = fy().iter().map(|q| (q.quarter.id(), 50.0)).collect();
        let f = run(
            rules(Unit::Count, CountyAggregation::Sum, PeriodAggregation::Sum),
            &t,
            &fy(),
            &targets,
        );
        assert_eq!(f.value, Some(40.0 + 40.0 + 70.0 + 70.0));
        assert_eq!(f.target, Some(200.0));
        assert_eq!(f.percent, Some(110.0));
        assert_eq!(f.completeness.reported, 22);
        assert_eq!(f.completeness.expected, 22);
        assert_eq!(f.kind, Kind::Total { quarters: 4 });
        // Busia (5) is expected in two quarters only: its figure is theirs.
        assert_eq!(f.by_county[4], (5, Some(20.0)));
        assert_eq!(f.by_county[0], (1, Some(40.0)));
        assert_eq!(f.to_date.value, None, "no running total was loaded");
    }

    #[test]
    fn latest_takes_the_last_quarter_and_needs_only_it() {
        let mut rows = fy_rows(1.0);
        rows.retain(|(c, quarter, _)| !(*quarter == "2024Q3" && *c == 2));
        let t = totals(&rows);
        let targets = HashMap::from([("2025Q2".to_string(), 6.0)]);
        let f = run(
            rules(
                Unit::Count,
                CountyAggregation::Sum,
                PeriodAggregation::Latest,
            ),
            &t,
            &fy(),
            &targets,
        );
        assert_eq!(f.value, Some(7.0));
        assert_eq!(f.target, Some(6.0));
        assert_eq!(f.kind, Kind::Latest);
        assert_eq!(f.completeness.quarters, 1);
        assert_eq!(f.to_date.value, Some(7.0));
        assert_eq!(f.to_date.through, Some(p("2025Q2")));
    }

    #[test]
    fn a_missing_county_quarter_leaves_a_sum_incomplete_not_smaller() {
        let mut rows = fy_rows(10.0);
        rows.retain(|(c, quarter, _)| !(*quarter == "2025Q1" && *c == 7));
        let t = totals(&rows);
        let f = run(
            rules(Unit::Count, CountyAggregation::Sum, PeriodAggregation::Sum),
            &t,
            &fy(),
            &HashMap::new(),
        );
        assert_eq!(f.value, None);
        assert_eq!((f.completeness.reported, f.completeness.expected), (21, 22));
        assert_eq!(f.by_county[6], (7, None));
        assert_eq!(f.rag, None);
    }

    #[test]
    fn means_are_of_counties_then_of_quarters() {
        let t = totals(&[
            (1, "2025Q1", 40.0),
            (2, "2025Q1", 60.0),
            (1, "2025Q2", 70.0),
            (2, "2025Q2", 90.0),
        ]);
        let cov = vec![q("2025Q1", &[1, 2]), q("2025Q2", &[1, 2])];
        let f = run(
            rules(
                Unit::Percentage,
                CountyAggregation::Mean,
                PeriodAggregation::Mean,
            ),
            &t,
            &cov,
            &HashMap::new(),
        );
        assert_eq!(f.value, Some(65.0));
        assert_eq!(f.kind, Kind::MeanPerQuarter { quarters: 2 });
        assert!(f.county_mean);
        // To date for a mean is the newest complete quarter, not a running total.
        assert_eq!(f.to_date.value, Some(80.0));
        assert!(!f.to_date.running_total);
    }

    #[test]
    fn yes_no_counts_counties_and_is_green_only_when_met() {
        let rows: Vec<(i32, &str, f64)> = (1..=7)
            .map(|c| (c, "2025Q2", if c == 5 { 0.0 } else { 1.0 }))
            .collect();
        let t = totals(&rows);
        let cov = vec![q("2025Q2", &[1, 2, 3, 4, 5, 6, 7])];
        let targets = HashMap::from([("2025Q2".to_string(), 1.0)]);
        let f = run(
            rules(
                Unit::YesNo,
                CountyAggregation::Mean,
                PeriodAggregation::Latest,
            ),
            &t,
            &cov,
            &targets,
        );
        assert_eq!(f.yes, Some(YesCount { yes: 6, of: 7 }));
        assert_eq!(f.target_yes, Some(YesCount { yes: 7, of: 7 }));
        assert_eq!(
            f.rag,
            Some(Rag::Amber),
            "6 of 7 against 7 of 7 is not on track"
        );
        let met = run(
            rules(
                Unit::YesNo,
                CountyAggregation::Mean,
                PeriodAggregation::Latest,
            ),
            &t,
            &cov,
            &HashMap::from([("2025Q2".to_string(), 0.6)]),
        );
        assert_eq!(met.target_yes, Some(YesCount { yes: 5, of: 7 }));
        assert_eq!(met.rag, Some(Rag::Green));
    }

    #[test]
    fn lower_is_better_is_rated_against_its_milestone() {
        let t = totals(&[(1, "2025Q2", 12.0), (2, "2025Q2", 8.0)]);
        let mut r = rules(
            Unit::Number,
            CountyAggregation::Mean,
            PeriodAggregation::Latest,
        );
        r.direction = Direction::LowerIsBetter;
        let f = run(
            r,
            &t,
            &[q("2025Q2", &[1, 2])],
            &HashMap::from([("2025Q2".to_string(), 10.0)]),
        );
        assert_eq!(f.value, Some(10.0));
        assert_eq!(f.percent, Some(100.0));
    }

    #[test]
    fn parts_are_combined_like_the_total_and_add_up_to_it() {
        let mut t = totals(&[
            (1, "2025Q1", 10.0),
            (2, "2025Q1", 6.0),
            (1, "2025Q2", 4.0),
            (2, "2025Q2", 4.0),
        ]);
        for (key, vals) in [
            ("sex=female", [4.0, 2.0, 1.0, 3.0]),
            ("sex=male", [6.0, 4.0, 3.0, 1.0]),
        ] {
            let s = t.parts.entry(key.to_string()).or_default();
            for (i, quarter) in ["2025Q1", "2025Q1", "2025Q2", "2025Q2"].iter().enumerate() {
                let c = s.entry(p(quarter)).or_default();
                c.sum += vals[i];
                c.counties += 1;
                c.approved += 1;
            }
        }
        let f = run(
            rules(Unit::Count, CountyAggregation::Sum, PeriodAggregation::Sum),
            &t,
            &[q("2025Q1", &[1, 2]), q("2025Q2", &[1, 2])],
            &HashMap::new(),
        );
        assert_eq!(f.value, Some(24.0));
        let parts: Vec<(String, Option<f64>)> =
            f.parts.iter().map(|x| (x.key.clone(), x.value)).collect();
        assert_eq!(
            parts,
            [
                ("sex=female".into(), Some(10.0)),
                ("sex=male".into(), Some(14.0))
            ]
        );
    }

    #[test]
    fn a_running_total_counts_every_quarter_to_the_end() {
        let mut t = totals(&[(1, "2025Q2", 5.0)]);
        t.to_date = Some(Cell {
            sum: 120.0,
            counties: 9,
            approved: 9,
        });
        let history = vec![q("2025Q1", &[1, 2, 3, 4, 5]), q("2025Q2", &[1, 2, 3, 4, 5])];
        let thresholds = RagThresholds::default();
        let targets = HashMap::new();
        let rr = Rules {
            rules: rules(Unit::Count, CountyAggregation::Sum, PeriodAggregation::Sum),
            targets: &targets,
            end_target: Some(1500.0),
            thresholds: &thresholds,
        };
        let f = figure(&rr, &t, &history[1..], None, &[], &history);
        assert_eq!(f.to_date.value, Some(120.0));
        assert!(f.to_date.running_total);
        assert_eq!((f.to_date.reported, f.to_date.expected), (9, 10));
        assert_eq!(f.to_date.percent, Some(8.0));
    }

    #[test]
    fn targets_are_taken_for_the_named_period_or_combined_from_its_quarters() {
        let cov = [q("2025Q1", &[1]), q("2025Q2", &[1])];
        let quarterly = HashMap::from([("2025Q1".to_string(), 10.0), ("2025Q2".to_string(), 20.0)]);
        assert_eq!(
            target_over(PeriodAggregation::Sum, None, &cov, &quarterly),
            Some(30.0)
        );
        assert_eq!(
            target_over(PeriodAggregation::Mean, None, &cov, &quarterly),
            Some(15.0)
        );
        assert_eq!(
            target_over(PeriodAggregation::Latest, None, &cov, &quarterly),
            Some(20.0)
        );
        let mut named = quarterly.clone();
        named.insert("2025S1".into(), 25.0);
        let half = p("2025S1");
        assert_eq!(
            target_over(PeriodAggregation::Sum, Some(&half), &cov, &named),
            Some(25.0)
        );
        let gap = HashMap::from([("2025Q2".to_string(), 20.0)]);
        assert_eq!(
            target_over(PeriodAggregation::Sum, None, &cov, &gap),
            None,
            "a quarter without a target leaves the sum without one"
        );
    }

    #[test]
    fn the_chart_leaves_a_quarter_not_fully_in_as_a_gap() {
        let t = totals(&[(1, "2025Q1", 5.0), (2, "2025Q1", 5.0), (1, "2025Q2", 5.0)]);
        let r = rules(Unit::Count, CountyAggregation::Sum, PeriodAggregation::Sum);
        let cov = [q("2025Q1", &[1, 2]), q("2025Q2", &[1, 2])];
        let chart = series(&r, &t, &cov, &HashMap::new());
        assert_eq!(chart.actual, [Some(10.0), None]);
        assert_eq!(latest_quarters(&r, &t, &cov), (Some(0), Some(1)));
    }
}
