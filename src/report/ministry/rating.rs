//! A county's own rating: its approved value against the interim target set for that
//! county (`indicator_targets` rows with a `location_id`). The programme's rating is of
//! the programme's figure against the programme's milestone; printed beside a county it
//! made a county below its own milestone look green. So a county is rated only where a
//! county target exists, and says "no county target" everywhere else.

use std::collections::HashMap;

use crate::domain::achievement::{percent_achieved, rag, Rag, RagThresholds};
use crate::domain::period::Period;
use crate::figures::compute::target_over;
use crate::figures::QuarterCounties;
use crate::models::framework::IndicatorRules;
use crate::models::target::TargetRow;

/// County targets: by (indicator id, county id), each period id's target.
pub type CountyTargets = HashMap<(i32, i32), HashMap<String, f64>>;

/// The county rows of a programme's target rows (not the programme-wide ones, nor those
/// of one disaggregated part).
pub fn county_targets(rows: Vec<TargetRow>) -> CountyTargets {
    let mut out: CountyTargets = HashMap::new();
    for r in rows {
        if let (Some(county), true) = (r.location_id, r.disaggregation.is_empty()) {
            out.entry((r.indicator_id, county))
                .or_default()
                .insert(r.period, r.value);
        }
    }
    out
}

/// What a county's row says in its rating column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CountyRating {
    /// No target set for this county over the period: not rated.
    NoTarget,
    /// A county target, but no approved value of the county yet.
    NotYet { target: f64 },
    /// Rated against the county's own target.
    Rated { target: f64, percent: f64, rag: Rag },
}

impl CountyRating {
    pub fn rag(&self) -> Option<Rag> {
        match self {
            CountyRating::Rated { rag, .. } => Some(*rag),
            _ => None,
        }
    }

    pub fn target(&self) -> Option<f64> {
        match self {
            CountyRating::NoTarget => None,
            CountyRating::NotYet { target } | CountyRating::Rated { target, .. } => Some(*target),
        }
    }
}

/// Rates `value`, the county's figure over the quarters of `coverage` it is expected in,
/// against the county's targets: the one set for exactly `period` when there is one,
/// else its quarters' targets combined by the indicator's period rule, as the
/// programme's milestone is.
pub fn rate(
    rules: &IndicatorRules,
    thresholds: &RagThresholds,
    period: &Period,
    coverage: &[QuarterCounties],
    county: i32,
    targets: Option<&HashMap<String, f64>>,
    value: Option<f64>,
) -> CountyRating {
    let Some(targets) = targets else {
        return CountyRating::NoTarget;
    };
    let mine: Vec<QuarterCounties> = coverage
        .iter()
        .filter(|q| q.counties.contains(&county))
        .cloned()
        .collect();
    let Some(target) = target_over(rules.period, Some(period), &mine, targets) else {
        return CountyRating::NoTarget;
    };
    let Some(v) = value else {
        return CountyRating::NotYet { target };
    };
    match percent_achieved(v, target, rules.direction) {
        Some(percent) => CountyRating::Rated {
            target,
            percent,
            rag: rag(percent, thresholds),
        },
        None => CountyRating::NotYet { target },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::achievement::Direction;
    use crate::domain::aggregation::{CountyAggregation, PeriodAggregation};
    use crate::domain::unit::Unit;

    fn rules(period: PeriodAggregation) -> IndicatorRules {
        IndicatorRules {
            unit: Unit::Count,
            direction: Direction::HigherIsBetter,
            county: CountyAggregation::Sum,
            period,
        }
    }

    fn coverage(ids: &[&str], counties: &[i32]) -> Vec<QuarterCounties> {
        ids.iter()
            .map(|q| QuarterCounties {
                quarter: Period::parse(q).unwrap(),
                phase: Some(1),
                counties: counties.to_vec(),
            })
            .collect()
    }

    fn targets(pairs: &[(&str, f64)]) -> HashMap<String, f64> {
        pairs.iter().map(|(p, v)| (p.to_string(), *v)).collect()
    }

    #[test]
    fn a_county_without_its_own_target_is_not_rated() {
        let q = Period::parse("2026Q2").unwrap();
        let r = rate(
            &rules(PeriodAggregation::Sum),
            &RagThresholds::default(),
            &q,
            &coverage(&["2026Q2"], &[1, 2]),
            1,
            None,
            Some(50.0),
        );
        assert_eq!(r, CountyRating::NoTarget);
        // Targets of other periods only: still none for this one.
        let t = targets(&[("2026Q3", 10.0)]);
        let r = rate(
            &rules(PeriodAggregation::Sum),
            &RagThresholds::default(),
            &q,
            &coverage(&["2026Q2"], &[1, 2]),
            1,
            Some(&t),
            Some(50.0),
        );
        assert_eq!(r, CountyRating::NoTarget);
    }

    #[test]
    fn a_county_below_its_own_target_is_red_whatever_the_programme() {
        let q = Period::parse("2026Q2").unwrap();
        let t = targets(&[("2026Q2", 100.0)]);
        let r = rate(
            &rules(PeriodAggregation::Sum),
            &RagThresholds::default(),
            &q,
            &coverage(&["2026Q2"], &[1, 2]),
            1,
            Some(&t),
            Some(40.0),
        );
        assert_eq!(r.rag(), Some(Rag::Red));
        assert_eq!(r.target(), Some(100.0));
        let r = rate(
            &rules(PeriodAggregation::Sum),
            &RagThresholds::default(),
            &q,
            &coverage(&["2026Q2"], &[1, 2]),
            1,
            Some(&t),
            None,
        );
        assert_eq!(r, CountyRating::NotYet { target: 100.0 });
    }

    #[test]
    fn a_years_county_target_adds_up_its_quarters_where_none_is_set_for_the_year() {
        let fy = Period::parse("2025July").unwrap();
        let cov = coverage(&["2025Q3", "2025Q4", "2026Q1", "2026Q2"], &[1]);
        let t = targets(&[
            ("2025Q3", 10.0),
            ("2025Q4", 10.0),
            ("2026Q1", 10.0),
            ("2026Q2", 10.0),
        ]);
        let r = rate(
            &rules(PeriodAggregation::Sum),
            &RagThresholds::default(),
            &fy,
            &cov,
            1,
            Some(&t),
            Some(40.0),
        );
        assert_eq!(r.target(), Some(40.0));
        assert_eq!(r.rag(), Some(Rag::Green));
        // A target for the year itself wins.
        let t = targets(&[("2025July", 80.0)]);
        let r = rate(
            &rules(PeriodAggregation::Sum),
            &RagThresholds::default(),
            &fy,
            &cov,
            1,
            Some(&t),
            Some(40.0),
        );
        assert_eq!(r.target(), Some(80.0));
        assert_eq!(r.rag(), Some(Rag::Red));
    }

    #[test]
    fn only_county_rows_of_the_total_are_county_targets() {
        let row = |loc: Option<i32>, part: &str| TargetRow {
            id: 1,
            indicator_id: 7,
            period: "2026Q2".into(),
            period_start: Period::parse("2026Q2").unwrap().start(),
            period_end: Period::parse("2026Q2").unwrap().end(),
            value: 5.0,
            location_id: loc,
            disaggregation: part.into(),
            version: 1,
        };
        let t = county_targets(vec![
            row(None, ""),
            row(Some(3), "sex=female"),
            row(Some(4), ""),
        ]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[&(7, 4)]["2026Q2"], 5.0);
    }
}
