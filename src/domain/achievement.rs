//! Achievement against milestones and the Red/Amber/Green status derived
//! from it.
//!
//! Achievement is expressed as "% of milestone achieved" in the indicator's
//! direction, so that 100% always means "exactly on the milestone" whether
//! the programme is trying to raise seizures or cut crossing times. RAG bands
//! then only need one scale.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{parse_word, UnknownWordError, FLOAT_SLACK};

/// Which way an indicator should move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    #[serde(rename = "higher")]
    HigherIsBetter,
    #[serde(rename = "lower")]
    LowerIsBetter,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::HigherIsBetter, Direction::LowerIsBetter];

    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "Higher is better",
            Direction::LowerIsBetter => "Lower is better",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Direction {
    type Err = UnknownWordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_word(s, "indicator direction", &Self::ALL, Self::as_str)
    }
}

/// % of the milestone (target) achieved, direction-aware.
///
/// * Higher is better: `100 * actual / target`.
/// * Lower is better: `100 * (2 * target - actual) / target`, so reaching
///   exactly the target is 100% and going below it is over 100% (e.g. target
///   40 minutes, actual 30 minutes = 125%). Mirroring around the target keeps
///   "10% short" meaning the same distance in both directions.
/// * Target 0: met gives 100, not met gives 0 (there is no ratio to take).
///
/// Never negative (clamped at 0). `None` when not computable: NaN or
/// infinite inputs, or a negative target, for which a ratio would point the
/// wrong way (units are validated as non-negative, so this only arises from
/// bad data).
pub fn percent_achieved(actual: f64, target: f64, direction: Direction) -> Option<f64> {
    if !actual.is_finite() || !target.is_finite() || target < 0.0 {
        return None;
    }
    let pct = if target == 0.0 {
        let met = match direction {
            Direction::HigherIsBetter => actual >= 0.0,
            Direction::LowerIsBetter => actual <= 0.0,
        };
        if met {
            100.0
        } else {
            0.0
        }
    } else {
        match direction {
            Direction::HigherIsBetter => 100.0 * actual / target,
            Direction::LowerIsBetter => 100.0 * (2.0 * target - actual) / target,
        }
    };
    Some(pct.max(0.0))
}

/// Red/Amber/Green status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    pub const ALL: [Rag; 3] = [Rag::Green, Rag::Amber, Rag::Red];

    pub fn as_str(&self) -> &'static str {
        match self {
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Rag::Green => "On track",
            Rag::Amber => "Needs attention",
            Rag::Red => "Off track",
        }
    }

    /// A shape per status (circle, triangle, square), all present in DejaVu
    /// Sans, so the status survives black-and-white printing and is not
    /// conveyed by colour alone.
    pub fn symbol(&self) -> &'static str {
        match self {
            Rag::Green => "●",
            Rag::Amber => "▲",
            Rag::Red => "■",
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rag {
    type Err = UnknownWordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_word(s, "RAG status", &Self::ALL, Self::as_str)
    }
}

/// How far short of a milestone (in percentage points of the milestone) an
/// indicator may fall and still be green or amber.
///
/// The fields are public for reading settings; build new values with
/// [`RagThresholds::new`] so they are checked.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RagThresholds {
    pub green_within: f64,
    pub amber_within: f64,
}

impl Default for RagThresholds {
    /// 15% / 30%: a common FCDO-programme convention; change per programme.
    fn default() -> Self {
        RagThresholds {
            green_within: 15.0,
            amber_within: 30.0,
        }
    }
}

impl RagThresholds {
    /// Checked constructor: `0 <= green <= amber <= 100`.
    pub fn new(green_within: f64, amber_within: f64) -> Result<Self, ThresholdError> {
        for (name, v) in [("green", green_within), ("amber", amber_within)] {
            if !v.is_finite() || !(0.0..=100.0).contains(&v) {
                return Err(ThresholdError {
                    message: format!(
                        "the {name} tolerance must be a number from 0 to 100 (got {v})"
                    ),
                });
            }
        }
        if amber_within < green_within {
            return Err(ThresholdError {
                message: format!(
                    "the amber tolerance ({amber_within}%) must be at least the green \
                     tolerance ({green_within}%), because amber starts where green ends"
                ),
            });
        }
        Ok(RagThresholds {
            green_within,
            amber_within,
        })
    }

    /// The rule in plain words, for the settings page and report footers.
    pub fn describe(&self) -> String {
        let g = self.green_within;
        let a = self.amber_within;
        let green = if g > 0.0 {
            format!(
                "Green: at or better than the period milestone, or short of it by at most {g}%."
            )
        } else {
            "Green: at or better than the period milestone.".to_string()
        };
        let amber = if a > g {
            if g > 0.0 {
                format!("Amber: short by more than {g}% and at most {a}%.")
            } else {
                format!("Amber: short by at most {a}%.")
            }
        } else {
            "Amber: not used.".to_string()
        };
        let red = if a < 100.0 {
            format!("Red: short by more than {a}%.")
        } else {
            "Red: not used.".to_string()
        };
        format!("{green} {amber} {red} 'Short' counts in the indicator's direction.")
    }
}

/// Invalid RAG thresholds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThresholdError {
    message: String,
}

impl fmt::Display for ThresholdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid RAG thresholds: {}.", self.message)
    }
}

impl std::error::Error for ThresholdError {}

/// RAG from % achieved: green if `pct >= 100 - green_within`, amber if
/// `pct >= 100 - amber_within`, else red. A hair of float slack keeps an
/// indicator sitting exactly on a boundary (85.0 computed as 84.99999999999999)
/// in the better band. NaN is red: an uncomputable figure is not on track.
pub fn rag(percent_achieved: f64, t: &RagThresholds) -> Rag {
    let pct = percent_achieved + FLOAT_SLACK;
    if pct >= 100.0 - t.green_within {
        Rag::Green
    } else if pct >= 100.0 - t.amber_within {
        Rag::Amber
    } else {
        Rag::Red
    }
}

/// RAG straight from actual and target; `None` when % achieved cannot be
/// computed (see [`percent_achieved`]).
pub fn rag_for(actual: f64, target: f64, direction: Direction, t: &RagThresholds) -> Option<Rag> {
    percent_achieved(actual, target, direction).map(|pct| rag(pct, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower};

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn words_round_trip() {
        for d in Direction::ALL {
            assert_eq!(d.as_str().parse::<Direction>().unwrap(), d);
            let de: StrDeserializer<DeError> = d.as_str().into_deserializer();
            assert_eq!(Direction::deserialize(de).unwrap(), d);
        }
        for r in Rag::ALL {
            assert_eq!(r.as_str().parse::<Rag>().unwrap(), r);
            let de: StrDeserializer<DeError> = r.as_str().into_deserializer();
            assert_eq!(Rag::deserialize(de).unwrap(), r);
        }
        assert_eq!(Direction::LowerIsBetter.label(), "Lower is better");
        let err = "up".parse::<Direction>().unwrap_err().to_string();
        assert!(err.ends_with("use one of: higher, lower."), "{err}");
        let err = "yellow".parse::<Rag>().unwrap_err().to_string();
        assert!(err.ends_with("use one of: green, amber, red."), "{err}");
    }

    #[test]
    fn rag_labels_and_symbols_are_distinct() {
        assert_eq!(Rag::Green.label(), "On track");
        assert_eq!(Rag::Amber.label(), "Needs attention");
        assert_eq!(Rag::Red.label(), "Off track");
        let s: Vec<&str> = Rag::ALL.iter().map(Rag::symbol).collect();
        assert!(s[0] != s[1] && s[1] != s[2] && s[0] != s[2]);
    }

    #[test]
    fn percent_higher_is_better() {
        assert!(close(percent_achieved(85.0, 100.0, Higher), 85.0));
        assert!(close(percent_achieved(150.0, 100.0, Higher), 150.0));
        assert!(close(percent_achieved(0.0, 40.0, Higher), 0.0));
        assert!(close(percent_achieved(-5.0, 40.0, Higher), 0.0)); // clamped
    }

    #[test]
    fn percent_lower_is_better() {
        // Target: crossing time down to 40 minutes.
        assert!(close(percent_achieved(40.0, 40.0, Lower), 100.0));
        assert!(close(percent_achieved(30.0, 40.0, Lower), 125.0)); // beat target
        assert!(close(percent_achieved(0.0, 40.0, Lower), 200.0));
        assert!(close(percent_achieved(46.0, 40.0, Lower), 85.0)); // 15% over
        assert!(close(percent_achieved(80.0, 40.0, Lower), 0.0));
        assert!(close(percent_achieved(120.0, 40.0, Lower), 0.0)); // clamped
    }

    #[test]
    fn percent_with_zero_target() {
        assert!(close(percent_achieved(0.0, 0.0, Lower), 100.0));
        assert!(close(percent_achieved(3.0, 0.0, Lower), 0.0));
        assert!(close(percent_achieved(0.0, 0.0, Higher), 100.0));
        assert!(close(percent_achieved(5.0, 0.0, Higher), 100.0));
        assert!(close(percent_achieved(-1.0, 0.0, Higher), 0.0));
    }

    #[test]
    fn percent_not_computable() {
        assert_eq!(percent_achieved(f64::NAN, 10.0, Higher), None);
        assert_eq!(percent_achieved(10.0, f64::NAN, Lower), None);
        assert_eq!(percent_achieved(f64::INFINITY, 10.0, Higher), None);
        assert_eq!(percent_achieved(5.0, -10.0, Higher), None);
    }

    #[test]
    fn rag_boundaries_default() {
        let t = RagThresholds::default();
        assert_eq!(rag(100.0, &t), Rag::Green);
        assert_eq!(rag(140.0, &t), Rag::Green);
        assert_eq!(rag(85.0, &t), Rag::Green);
        assert_eq!(rag(84.999, &t), Rag::Amber);
        assert_eq!(rag(70.0, &t), Rag::Amber);
        assert_eq!(rag(69.999, &t), Rag::Red);
        assert_eq!(rag(0.0, &t), Rag::Red);
        assert_eq!(rag(f64::NAN, &t), Rag::Red);
    }

    #[test]
    fn rag_boundaries_survive_float_rounding() {
        let t = RagThresholds::default();
        // Each of these is exactly on a boundary on paper but computes to
        // 84.99999999999999 or 69.99999999999999 in binary floating point.
        let cases = [
            (2.55, 3.0, Higher, 85.0, Rag::Green),
            (2.03, 2.9, Higher, 70.0, Rag::Amber),
            (0.805, 0.7, Lower, 85.0, Rag::Green),
            (0.39, 0.3, Lower, 70.0, Rag::Amber),
        ];
        for (actual, target, dir, edge, expected) in cases {
            let pct = percent_achieved(actual, target, dir).unwrap();
            assert!(pct < edge, "{actual}/{target} no longer exercises rounding");
            assert_eq!(rag(pct, &t), expected, "{actual}/{target}");
        }
    }

    #[test]
    fn rag_for_both_directions() {
        let t = RagThresholds::default();
        assert_eq!(rag_for(85.0, 100.0, Higher, &t), Some(Rag::Green));
        assert_eq!(rag_for(70.0, 100.0, Higher, &t), Some(Rag::Amber));
        assert_eq!(rag_for(69.0, 100.0, Higher, &t), Some(Rag::Red));
        assert_eq!(rag_for(30.0, 40.0, Lower, &t), Some(Rag::Green));
        assert_eq!(rag_for(46.0, 40.0, Lower, &t), Some(Rag::Green));
        assert_eq!(rag_for(52.0, 40.0, Lower, &t), Some(Rag::Amber));
        assert_eq!(rag_for(53.0, 40.0, Lower, &t), Some(Rag::Red));
        assert_eq!(rag_for(f64::NAN, 40.0, Lower, &t), None);
    }

    #[test]
    fn custom_thresholds() {
        let t = RagThresholds::new(5.0, 20.0).unwrap();
        assert_eq!(rag(95.0, &t), Rag::Green);
        assert_eq!(rag(94.0, &t), Rag::Amber);
        assert_eq!(rag(80.0, &t), Rag::Amber);
        assert_eq!(rag(79.0, &t), Rag::Red);
        let strict = RagThresholds::new(0.0, 0.0).unwrap();
        assert_eq!(rag(100.0, &strict), Rag::Green);
        assert_eq!(rag(99.9, &strict), Rag::Red);
    }

    #[test]
    fn invalid_thresholds() {
        let err = RagThresholds::new(30.0, 15.0).unwrap_err().to_string();
        assert!(
            err.contains("must be at least the green tolerance"),
            "{err}"
        );
        assert!(RagThresholds::new(-1.0, 15.0).is_err());
        assert!(RagThresholds::new(15.0, 101.0).is_err());
        let err = RagThresholds::new(f64::NAN, 15.0).unwrap_err().to_string();
        assert_eq!(
            err,
            "Invalid RAG thresholds: the green tolerance must be a number from 0 to 100 (got NaN)."
        );
        assert!(RagThresholds::new(15.0, 15.0).is_ok());
        assert!(RagThresholds::new(0.0, 100.0).is_ok());
    }

    #[test]
    fn describe_default() {
        assert_eq!(
            RagThresholds::default().describe(),
            "Green: at or better than the period milestone, or short of it by at most 15%. \
             Amber: short by more than 15% and at most 30%. Red: short by more than 30%. \
             'Short' counts in the indicator's direction."
        );
    }

    #[test]
    fn describe_edge_cases() {
        let d = RagThresholds::new(12.5, 12.5).unwrap().describe();
        assert!(d.contains("by at most 12.5%."), "{d}");
        assert!(d.contains("Amber: not used."), "{d}");
        let d = RagThresholds::new(0.0, 100.0).unwrap().describe();
        assert!(
            d.starts_with(
                "Green: at or better than the period milestone. Amber: short by at most 100%."
            ),
            "{d}"
        );
        assert!(d.contains("Red: not used."), "{d}");
    }
}
