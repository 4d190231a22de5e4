//! How figures combine: across counties into a programme figure, and across
//! short periods into a longer one.
//!
//! The two rules are separate because indicators differ on each axis. "Officers
//! trained" adds up over counties *and* over quarters; "% of posts with
//! working radios" is averaged over counties; "number of joint patrol bases
//! operational" is a stock, so a year's figure is the latest quarter's, not
//! the sum of four quarters.
//!
//! A figure with no data is `None`, never `0`: a county that has not reported
//! must not look like a county that reported zero.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::period::Period;
use super::{parse_word, UnknownWordError};

/// How the values of several counties for one period become one figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CountyAggregation {
    Sum,
    Mean,
}

impl CountyAggregation {
    pub const ALL: [CountyAggregation; 2] = [CountyAggregation::Sum, CountyAggregation::Mean];

    pub fn as_str(&self) -> &'static str {
        match self {
            CountyAggregation::Sum => "sum",
            CountyAggregation::Mean => "mean",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            CountyAggregation::Sum => "Add up across counties",
            CountyAggregation::Mean => "Average across counties",
        }
    }
}

impl fmt::Display for CountyAggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CountyAggregation {
    type Err = UnknownWordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_word(s, "county aggregation rule", &Self::ALL, Self::as_str)
    }
}

/// How figures for several sub-periods (e.g. quarters) become one figure for
/// a longer period (e.g. a financial year).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodAggregation {
    /// Flows: things that happen during each period (people trained).
    Sum,
    /// Rates that hold for each period (average % of posts staffed).
    Mean,
    /// Stocks: the position at the end (posts operational).
    Latest,
}

impl PeriodAggregation {
    pub const ALL: [PeriodAggregation; 3] = [
        PeriodAggregation::Sum,
        PeriodAggregation::Mean,
        PeriodAggregation::Latest,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            PeriodAggregation::Sum => "sum",
            PeriodAggregation::Mean => "mean",
            PeriodAggregation::Latest => "latest",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            PeriodAggregation::Sum => "Add up over periods",
            PeriodAggregation::Mean => "Average over periods",
            PeriodAggregation::Latest => "Latest period's value",
        }
    }
}

impl fmt::Display for PeriodAggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PeriodAggregation {
    type Err = UnknownWordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_word(s, "period aggregation rule", &Self::ALL, Self::as_str)
    }
}

impl CountyAggregation {
    /// The combined figure from a sum over `count` counties (as a database sums them).
    pub fn from_total(self, sum: f64, count: usize) -> f64 {
        match self {
            CountyAggregation::Sum => sum,
            CountyAggregation::Mean => sum / count.max(1) as f64,
        }
    }
}

/// Sum and count of the finite values. NaN and infinities are skipped as
/// missing, so one corrupt cell cannot turn a programme total into NaN.
fn sum_and_count(values: impl Iterator<Item = f64>) -> (f64, usize) {
    values
        .filter(|v| v.is_finite())
        .fold((0.0, 0), |(s, n), v| (s + v, n + 1))
}

/// Combine county values for one period. `None` when there are no values.
pub fn aggregate_counties(rule: CountyAggregation, values: &[f64]) -> Option<f64> {
    let (sum, n) = sum_and_count(values.iter().copied());
    if n == 0 {
        return None;
    }
    Some(match rule {
        CountyAggregation::Sum => sum,
        CountyAggregation::Mean => sum / n as f64,
    })
}

/// Combine per-period figures. `None` when there are none.
///
/// `Latest` takes the value of the period that ends last; if several end on
/// the same day (a quarter and its last month), the one that started last,
/// i.e. the shortest and most recent measurement, wins; a full tie goes to
/// the entry that comes last in `values`.
pub fn aggregate_periods(rule: PeriodAggregation, values: &[(Period, f64)]) -> Option<f64> {
    let finite = values.iter().filter(|(_, v)| v.is_finite());
    match rule {
        PeriodAggregation::Sum | PeriodAggregation::Mean => {
            let (sum, n) = sum_and_count(finite.map(|(_, v)| *v));
            if n == 0 {
                None
            } else if rule == PeriodAggregation::Sum {
                Some(sum)
            } else {
                Some(sum / n as f64)
            }
        }
        PeriodAggregation::Latest => finite
            .max_by_key(|(p, _)| (p.end(), p.start()))
            .map(|(_, v)| *v),
    }
}

/// Value of an indicator over `over`: take the entries whose period lies
/// inside `over`, combine counties per period with the county rule, then
/// combine those per-period figures with the period rule. Missing is `None`,
/// never 0.
///
/// `entries` are per-county values, grouped here by exact period. Entries
/// that only partly overlap `over` (a financial-year figure when asking about
/// one quarter) are left out, because there is no honest way to split them.
/// Entries are expected to be at one reporting frequency per indicator: a
/// monthly and a quarterly figure for the same months would both be counted.
pub fn indicator_total(
    county: CountyAggregation,
    period: PeriodAggregation,
    over: &Period,
    entries: &[(Period, f64)],
) -> Option<f64> {
    let mut by_period: BTreeMap<Period, Vec<f64>> = BTreeMap::new();
    for (p, v) in entries {
        if over.contains(p) {
            by_period.entry(*p).or_default().push(*v);
        }
    }
    let per_period: Vec<(Period, f64)> = by_period
        .into_iter()
        .filter_map(|(p, values)| aggregate_counties(county, &values).map(|v| (p, v)))
        .collect();
    aggregate_periods(period, &per_period)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn a_database_total_combines_by_the_county_rule() {
        assert_eq!(CountyAggregation::Sum.from_total(30.0, 3), 30.0);
        assert_eq!(CountyAggregation::Mean.from_total(30.0, 3), 10.0);
        // No counties: a sum of nothing, not a division by zero.
        assert_eq!(CountyAggregation::Mean.from_total(0.0, 0), 0.0);
    }

    #[test]
    fn words_round_trip() {
        for r in CountyAggregation::ALL {
            assert_eq!(r.as_str().parse::<CountyAggregation>().unwrap(), r);
            let de: StrDeserializer<DeError> = r.as_str().into_deserializer();
            assert_eq!(CountyAggregation::deserialize(de).unwrap(), r);
            assert!(!r.label().is_empty());
        }
        for r in PeriodAggregation::ALL {
            assert_eq!(r.as_str().parse::<PeriodAggregation>().unwrap(), r);
            let de: StrDeserializer<DeError> = r.as_str().into_deserializer();
            assert_eq!(PeriodAggregation::deserialize(de).unwrap(), r);
            assert!(!r.label().is_empty());
        }
        assert_eq!(
            " MEAN ".parse::<CountyAggregation>(),
            Ok(CountyAggregation::Mean)
        );
    }

    #[test]
    fn parse_errors_name_allowed_words() {
        let err = "latest".parse::<CountyAggregation>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "'latest' is not a known county aggregation rule; use one of: sum, mean."
        );
        let err = "average".parse::<PeriodAggregation>().unwrap_err();
        assert!(err.to_string().ends_with("use one of: sum, mean, latest."));
    }

    #[test]
    fn counties() {
        assert_eq!(aggregate_counties(CountyAggregation::Sum, &[]), None);
        assert_eq!(aggregate_counties(CountyAggregation::Mean, &[]), None);
        let v = [10.0, 20.0, 60.0];
        assert_eq!(aggregate_counties(CountyAggregation::Sum, &v), Some(90.0));
        assert_eq!(aggregate_counties(CountyAggregation::Mean, &v), Some(30.0));
        assert_eq!(
            aggregate_counties(CountyAggregation::Sum, &[0.0]),
            Some(0.0)
        );
    }

    #[test]
    fn non_finite_values_count_as_missing() {
        let v = [10.0, f64::NAN, 20.0, f64::INFINITY];
        assert_eq!(aggregate_counties(CountyAggregation::Mean, &v), Some(15.0));
        assert_eq!(
            aggregate_counties(CountyAggregation::Sum, &[f64::NAN]),
            None
        );
        assert_eq!(
            aggregate_periods(PeriodAggregation::Latest, &[(p("2026Q4"), f64::NAN)]),
            None
        );
    }

    #[test]
    fn periods() {
        let v = [(p("2026Q3"), 5.0), (p("2027Q1"), 9.0), (p("2026Q4"), 7.0)];
        assert_eq!(aggregate_periods(PeriodAggregation::Sum, &v), Some(21.0));
        assert_eq!(aggregate_periods(PeriodAggregation::Mean, &v), Some(7.0));
        assert_eq!(aggregate_periods(PeriodAggregation::Latest, &v), Some(9.0));
        for r in PeriodAggregation::ALL {
            assert_eq!(aggregate_periods(r, &[]), None);
        }
    }

    #[test]
    fn latest_prefers_shortest_on_same_end_date() {
        let v = [(p("202612"), 3.0), (p("2026Q4"), 8.0), (p("2026"), 6.0)];
        assert_eq!(aggregate_periods(PeriodAggregation::Latest, &v), Some(3.0));
    }

    #[test]
    fn total_over_kenyan_fy() {
        // Two counties reporting quarterly; one quarter outside the FY; one
        // FY-level entry that must not be mixed with quarterly ones when asking
        // about a single quarter.
        let entries = [
            (p("2026Q2"), 100.0), // before FY 2026/27
            (p("2026Q3"), 10.0),
            (p("2026Q3"), 20.0),
            (p("2026Q4"), 30.0),
            (p("2026Q4"), 50.0),
            (p("2027Q2"), 4.0),
        ];
        let fy = p("2026July");
        use CountyAggregation as C;
        use PeriodAggregation as P;
        assert_eq!(indicator_total(C::Sum, P::Sum, &fy, &entries), Some(114.0));
        // Per-period sums 30, 80, 4 -> mean 38.
        assert_eq!(indicator_total(C::Sum, P::Mean, &fy, &entries), Some(38.0));
        assert_eq!(indicator_total(C::Sum, P::Latest, &fy, &entries), Some(4.0));
        // Per-period means 15, 40, 4 -> sum 59, latest 4.
        assert_eq!(indicator_total(C::Mean, P::Sum, &fy, &entries), Some(59.0));
        assert_eq!(
            indicator_total(C::Mean, P::Latest, &fy, &entries),
            Some(4.0)
        );
        // Single quarter.
        let q = p("2026Q4");
        assert_eq!(indicator_total(C::Mean, P::Sum, &q, &entries), Some(40.0));
    }

    #[test]
    fn total_is_none_without_data_inside() {
        let entries = [(p("2026July"), 50.0), (p("2025Q1"), 3.0)];
        let q = p("2026Q3");
        assert_eq!(
            indicator_total(CountyAggregation::Sum, PeriodAggregation::Sum, &q, &entries),
            None
        );
        assert_eq!(
            indicator_total(CountyAggregation::Sum, PeriodAggregation::Sum, &q, &[]),
            None
        );
        // A reported zero is a figure, not missing.
        let zero = [(p("2026Q3"), 0.0)];
        assert_eq!(
            indicator_total(CountyAggregation::Sum, PeriodAggregation::Sum, &q, &zero),
            Some(0.0)
        );
    }
}
