//! The arithmetic of comparisons: one indicator's value over a stretch of quarters for a
//! set of counties, the change between two such values, whether the change is an
//! improvement given the indicator's direction, and the difference-in-differences of
//! two county groups.
//!
//! Like everything else here a missing figure is `None`, never 0: a side is given a value
//! only when every county expected in every one of its quarters has an approved value,
//! so that a comparison never sets a full side against a partial one without saying so.

use std::collections::HashMap;

use serde::Serialize;

use super::achievement::Direction;
use super::aggregation::{aggregate_periods, CountyAggregation, PeriodAggregation};
use super::period::Period;

/// One quarter of a side: how many counties are expected in it (the phase's counties,
/// narrowed to the group), and the approved total over those of them that reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuarterTotal {
    pub period: Period,
    pub expected: usize,
    pub reported: usize,
    pub sum: f64,
}

/// A side's figure and how much of it is in: county-quarters reported of expected.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SideValue {
    pub value: Option<f64>,
    pub reported: usize,
    pub expected: usize,
}

/// Counties combined by the indicator's county rule within each quarter, then the
/// quarters by its period rule; None unless every expected county-quarter is in.
pub fn side_value(
    county: CountyAggregation,
    period: PeriodAggregation,
    quarters: &[QuarterTotal],
) -> SideValue {
    let expected: usize = quarters.iter().map(|q| q.expected).sum();
    let reported: usize = quarters.iter().map(|q| q.reported.min(q.expected)).sum();
    let complete = !quarters.is_empty()
        && quarters
            .iter()
            .all(|q| q.expected > 0 && q.reported == q.expected);
    let value = if complete {
        let per: Vec<(Period, f64)> = quarters
            .iter()
            .map(|q| (q.period, county.from_total(q.sum, q.reported)))
            .collect();
        aggregate_periods(period, &per)
    } else {
        None
    };
    SideValue {
        value,
        reported,
        expected,
    }
}

/// The milestone for a stretch of quarters: a target set for exactly `span` when there
/// is one, else the quarters' targets combined by the period rule (all of them needed).
pub fn target_over(
    period: PeriodAggregation,
    span: Option<&Period>,
    quarters: &[Period],
    targets: &HashMap<String, f64>,
) -> Option<f64> {
    if let Some(t) = span.and_then(|s| targets.get(&s.id())) {
        return Some(*t);
    }
    if quarters.is_empty() {
        return None;
    }
    let per: Vec<(Period, f64)> = quarters
        .iter()
        .map(|q| targets.get(&q.id()).map(|t| (*q, *t)))
        .collect::<Option<Vec<_>>>()?;
    aggregate_periods(period, &per)
}

/// Whether a change is good news, given which way the indicator should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Better,
    Worse,
    Same,
}

impl Verdict {
    pub fn of(delta: f64, direction: Direction) -> Verdict {
        if delta == 0.0 {
            Verdict::Same
        } else if (delta > 0.0) == (direction == Direction::HigherIsBetter) {
            Verdict::Better
        } else {
            Verdict::Worse
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "improved",
            Verdict::Worse => "worsened",
            Verdict::Same => "no change",
        }
    }
}

/// From one side's value to another's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub absolute: f64,
    /// Relative to the first value; None when that is 0.
    pub percent: Option<f64>,
    pub verdict: Verdict,
}

pub fn change(from: f64, to: f64, direction: Direction) -> Change {
    let absolute = to - from;
    Change {
        absolute,
        percent: (from != 0.0).then(|| absolute / from.abs() * 100.0),
        verdict: Verdict::of(absolute, direction),
    }
}

/// Difference-in-differences: how much more the second group changed than the first
/// between the same two sides. Positive means the second group's value rose more (or
/// fell less); `verdict` says whether that favours the second group given the direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DiffInDiff {
    pub first_change: f64,
    pub second_change: f64,
    pub value: f64,
    pub verdict: Verdict,
}

pub fn diff_in_diff(first: (f64, f64), second: (f64, f64), direction: Direction) -> DiffInDiff {
    let first_change = first.1 - first.0;
    let second_change = second.1 - second.0;
    let value = second_change - first_change;
    DiffInDiff {
        first_change,
        second_change,
        value,
        verdict: Verdict::of(value, direction),
    }
}

/// The difference-in-differences in words, with the caveat that it describes and does
/// not explain. `fmt` prints a value in the indicator's unit.
pub fn explain_did(
    d: &DiffInDiff,
    first_group: &str,
    second_group: &str,
    from: &str,
    to: &str,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let moved = |c: f64| {
        if c > 0.0 {
            format!("rose by {}", fmt(c))
        } else if c < 0.0 {
            format!("fell by {}", fmt(-c))
        } else {
            "did not change".to_string()
        }
    };
    let relative = match d.verdict {
        Verdict::Better => format!("{second_group} gained ground on {first_group}"),
        Verdict::Worse => format!("{second_group} lost ground to {first_group}"),
        Verdict::Same => format!("{second_group} and {first_group} moved alike"),
    };
    format!(
        "From {from} to {to} the value {} in {second_group} and {} in {first_group}: a difference-in-differences of {}{}. Given the indicator's direction, {relative}. This describes the figures; it does not show that the programme caused the difference.",
        moved(d.second_change),
        moved(d.first_change),
        if d.value > 0.0 { "+" } else { "" },
        fmt(d.value),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn qt(p: &str, expected: usize, reported: usize, sum: f64) -> QuarterTotal {
        QuarterTotal {
            period: q(p),
            expected,
            reported,
            sum,
        }
    }

    #[test]
    fn a_side_sums_counties_then_combines_quarters_by_rule() {
        let quarters = [qt("2025Q1", 2, 2, 10.0), qt("2025Q2", 2, 2, 30.0)];
        use CountyAggregation as C;
        use PeriodAggregation as P;
        assert_eq!(side_value(C::Sum, P::Sum, &quarters).value, Some(40.0));
        assert_eq!(side_value(C::Sum, P::Latest, &quarters).value, Some(30.0));
        assert_eq!(side_value(C::Mean, P::Mean, &quarters).value, Some(10.0));
        let s = side_value(C::Sum, P::Sum, &quarters);
        assert_eq!((s.reported, s.expected), (4, 4));
    }

    #[test]
    fn a_missing_county_quarter_leaves_the_side_missing_not_smaller() {
        let quarters = [qt("2025Q1", 3, 2, 10.0), qt("2025Q2", 3, 3, 30.0)];
        let s = side_value(CountyAggregation::Sum, PeriodAggregation::Sum, &quarters);
        assert_eq!(s.value, None);
        assert_eq!((s.reported, s.expected), (5, 6));
        // A quarter no county is expected in (before the phase began) is not "complete".
        let s = side_value(
            CountyAggregation::Sum,
            PeriodAggregation::Sum,
            &[qt("2025Q1", 0, 0, 0.0)],
        );
        assert_eq!(s.value, None);
        assert_eq!(
            side_value(CountyAggregation::Sum, PeriodAggregation::Sum, &[]).value,
            None
        );
    }

    #[test]
    fn a_single_county_is_its_own_figure() {
        let s = side_value(
            CountyAggregation::Mean,
            PeriodAggregation::Latest,
            &[qt("2025Q1", 1, 1, 7.5), qt("2025Q2", 1, 1, 8.5)],
        );
        assert_eq!(s.value, Some(8.5));
    }

    #[test]
    fn targets_are_taken_for_the_span_or_combined_from_its_quarters() {
        let mut t = HashMap::new();
        t.insert("2025Q1".to_string(), 10.0);
        t.insert("2025Q2".to_string(), 20.0);
        let qs = [q("2025Q1"), q("2025Q2")];
        assert_eq!(
            target_over(PeriodAggregation::Sum, None, &qs, &t),
            Some(30.0)
        );
        assert_eq!(
            target_over(PeriodAggregation::Latest, None, &qs, &t),
            Some(20.0)
        );
        t.insert("2025".to_string(), 99.0);
        assert_eq!(
            target_over(PeriodAggregation::Sum, Some(&q("2025")), &qs, &t),
            Some(99.0)
        );
        // One quarter without a target: no target rather than a smaller one.
        let qs3 = [q("2025Q1"), q("2025Q2"), q("2025Q3")];
        assert_eq!(target_over(PeriodAggregation::Sum, None, &qs3, &t), None);
    }

    #[test]
    fn change_is_judged_by_direction() {
        let up = change(40.0, 50.0, Direction::HigherIsBetter);
        assert_eq!(up.absolute, 10.0);
        assert_eq!(up.percent, Some(25.0));
        assert_eq!(up.verdict, Verdict::Better);
        let fewer_days = change(6.0, 4.5, Direction::LowerIsBetter);
        assert_eq!(fewer_days.verdict, Verdict::Better);
        assert_eq!(fewer_days.percent, Some(-25.0));
        assert_eq!(
            change(6.0, 7.0, Direction::LowerIsBetter).verdict,
            Verdict::Worse
        );
        assert_eq!(change(0.0, 3.0, Direction::HigherIsBetter).percent, None);
        assert_eq!(
            change(3.0, 3.0, Direction::HigherIsBetter).verdict,
            Verdict::Same
        );
    }

    #[test]
    fn difference_in_differences_and_its_plain_words() {
        // Initial counties 50 → 55; expansion counties 20 → 35: the expansion group rose
        // 10 more.
        let d = diff_in_diff((50.0, 55.0), (20.0, 35.0), Direction::HigherIsBetter);
        assert_eq!(
            (d.first_change, d.second_change, d.value),
            (5.0, 15.0, 10.0)
        );
        assert_eq!(d.verdict, Verdict::Better);
        let text = explain_did(
            &d,
            "the initial counties",
            "the expansion counties",
            "2025",
            "2026",
            &|v| format!("{v:.0}"),
        );
        assert!(
            text.contains(
                "rose by 15 in the expansion counties and rose by 5 in the initial counties"
            ),
            "{text}"
        );
        assert!(text.contains("+10"));
        assert!(text.contains("gained ground"));
        assert!(text.contains("does not show that the programme caused"));
        // Lower is better: the same numbers mean the expansion counties fell behind.
        let d = diff_in_diff((50.0, 55.0), (20.0, 35.0), Direction::LowerIsBetter);
        assert_eq!(d.verdict, Verdict::Worse);
    }
}
