//! What shades a county on an achievement map, the same in the PDF reports and on the
//! dashboard: each county's mean % of the period's milestone achieved, in four classes.
//!
//! Milestones are set for the programme as a whole, not per county. Only indicators
//! whose counties are combined by their **mean** (percentages, rates, averages, yes/no)
//! have a milestone that each county can be held to: the programme's level is the
//! counties' mean, so a county at the milestone is on it. Counts and amounts are added
//! up over counties; a county's share of their milestone is nowhere set, and splitting
//! it evenly would invent targets, so they are left out (and the maps say so).
//! A yes/no county counts as 100 % when it answers yes and the milestone wants any
//! yes, 0 % when it answers no.

use std::collections::BTreeMap;

use crate::domain::achievement::{percent_achieved, Direction};
use crate::domain::aggregation::CountyAggregation;
use crate::domain::unit::Unit;
use crate::figures::Figure;
use crate::models::framework::IndicatorRules;

/// What the county maps shade by, said once for titles, legends and notes.
pub const BASIS: &str = "mean % of the period's milestone achieved by the county's own figures, over the indicators each county is held to the milestone of (percentages, rates, averages and yes/no; counts and amounts have no county milestone and are left out)";

/// The achievement classes, from the lowest: (lowest whole % in the class, label).
pub const CLASSES: [(f64, &str); 4] = [
    (0.0, "below 70%"),
    (70.0, "70–84%"),
    (85.0, "85–99%"),
    (100.0, "100% or more"),
];

/// The classes' fills from light to dark grey-blue; lightness falls by about a fifth
/// from one to the next, so a black-and-white print still tells them apart. The
/// dashboard's stylesheet (`static/mipaka.css`, `.cmap .c0` …) uses the same colours.
pub const RAMP: [(u8, u8, u8); 4] = [
    (0xd2, 0xe0, 0xec),
    (0x93, 0xb3, 0xcd),
    (0x52, 0x7e, 0xa3),
    (0x1c, 0x42, 0x66),
];

/// The class of a % achieved, judged on the whole % it is printed as, so a county
/// shown as "85%" is never in the class "70–84%".
pub fn class_of(percent: f64) -> usize {
    let shown: f64 = format!("{percent:.0}").parse().unwrap_or(percent);
    CLASSES
        .iter()
        .rposition(|(from, _)| shown >= *from)
        .unwrap_or(0)
}

/// One county's achievement: the mean and how many indicators it is over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountyAchievement {
    pub percent: f64,
    pub indicators: usize,
}

/// A county's % of the milestone for one indicator, when the indicator is one a county
/// can be held to and both its figure and the milestone are in.
pub fn county_percent(
    rules: &IndicatorRules,
    target: Option<f64>,
    value: Option<f64>,
) -> Option<f64> {
    if rules.county != CountyAggregation::Mean {
        return None;
    }
    let (target, value) = (target?, value?);
    if rules.unit == Unit::YesNo {
        let wanted = if target > 0.0 { 1.0 } else { 0.0 };
        return percent_achieved(value, wanted, Direction::HigherIsBetter);
    }
    percent_achieved(value, target, rules.direction)
}

/// Each county's mean % achieved over the figures (each indicator's rules and figure
/// with its counties); counties without any such figure are absent.
pub fn by_county<'a>(
    figures: impl IntoIterator<Item = (&'a IndicatorRules, &'a Figure)>,
) -> BTreeMap<i32, CountyAchievement> {
    let mut sums: BTreeMap<i32, (f64, usize)> = BTreeMap::new();
    for (rules, figure) in figures {
        for (county, value) in &figure.by_county {
            if let Some(p) = county_percent(rules, figure.target, *value) {
                let s = sums.entry(*county).or_default();
                s.0 += p;
                s.1 += 1;
            }
        }
    }
    sums.into_iter()
        .map(|(c, (sum, n))| {
            (
                c,
                CountyAchievement {
                    percent: sum / n as f64,
                    indicators: n,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::aggregation::PeriodAggregation;

    fn rules(unit: Unit, direction: Direction, county: CountyAggregation) -> IndicatorRules {
        IndicatorRules {
            unit,
            direction,
            county,
            period: PeriodAggregation::Mean,
        }
    }

    fn figure(target: Option<f64>, by_county: Vec<(i32, Option<f64>)>) -> Figure {
        Figure {
            value: None,
            completeness: Default::default(),
            provisional: false,
            kind: crate::figures::Kind::Quarter,
            county_mean: true,
            yes: None,
            target,
            target_yes: None,
            percent: None,
            rag: None,
            parts: Vec::new(),
            by_county,
            hidden: vec![],
            to_date: crate::figures::ToDate {
                value: None,
                through: None,
                running_total: false,
                reported: 0,
                expected: 0,
                end_target: None,
                percent: None,
                yes: None,
            },
        }
    }

    #[test]
    fn classes_split_at_the_printed_whole_percent() {
        assert_eq!(class_of(0.0), 0);
        assert_eq!(class_of(69.4), 0);
        assert_eq!(class_of(69.6), 1, "printed as 70%");
        assert_eq!(class_of(84.49), 1);
        assert_eq!(class_of(84.6), 2, "printed as 85%");
        assert_eq!(class_of(99.4), 2);
        assert_eq!(class_of(100.0), 3);
        assert_eq!(class_of(250.0), 3);
        for p in [0.0, 12.3, 69.5, 70.5, 84.5, 85.5, 99.5, 100.5] {
            let shown: f64 = format!("{p:.0}").parse().unwrap();
            let label = CLASSES[class_of(p)].1;
            let from = CLASSES[class_of(p)].0;
            assert!(shown >= from, "{p} in {label}");
        }
    }

    #[test]
    fn the_ramp_darkens_clearly_from_class_to_class() {
        // Relative luminance as a grey printer would see it.
        let lum = |(r, g, b): (u8, u8, u8)| {
            0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b)
        };
        let l: Vec<f64> = RAMP.iter().map(|c| lum(*c)).collect();
        for w in l.windows(2) {
            assert!(w[0] - w[1] > 40.0, "{l:?}");
        }
        // The lightest class is still darker than white paper ("not in programme").
        assert!(l[0] < 235.0);
        assert_eq!(RAMP.len(), CLASSES.len());
    }

    #[test]
    fn only_indicators_with_a_county_milestone_count() {
        let rate = rules(
            Unit::Percentage,
            Direction::HigherIsBetter,
            CountyAggregation::Mean,
        );
        let days = rules(
            Unit::Number,
            Direction::LowerIsBetter,
            CountyAggregation::Mean,
        );
        let count = rules(
            Unit::Count,
            Direction::HigherIsBetter,
            CountyAggregation::Sum,
        );
        let yes = rules(
            Unit::YesNo,
            Direction::HigherIsBetter,
            CountyAggregation::Mean,
        );
        let f_rate = figure(
            Some(80.0),
            vec![(1, Some(80.0)), (2, Some(40.0)), (3, None)],
        );
        let f_days = figure(Some(4.0), vec![(1, Some(3.0)), (2, Some(4.0)), (3, None)]);
        let f_count = figure(
            Some(100.0),
            vec![(1, Some(10.0)), (2, Some(500.0)), (3, Some(1.0))],
        );
        let f_yes = figure(Some(0.6), vec![(1, Some(1.0)), (2, Some(0.0)), (3, None)]);
        let got = by_county([
            (&rate, &f_rate),
            (&days, &f_days),
            (&count, &f_count),
            (&yes, &f_yes),
        ]);
        // County 1: 100, 125 (a day under a 4-day milestone), yes = 100.
        assert_eq!(got[&1].indicators, 3);
        assert!((got[&1].percent - 325.0 / 3.0).abs() < 1e-9);
        // County 2: 50, 100, no = 0.
        assert!((got[&2].percent - 50.0).abs() < 1e-9);
        // County 3 has only a count: no achievement to shade.
        assert!(!got.contains_key(&3));
        // No milestone, no achievement.
        assert_eq!(county_percent(&rate, None, Some(50.0)), None);
    }
}
