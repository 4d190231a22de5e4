//! FCDO Annual Review output scores (A++ … C).
//!
//! The app only *suggests* a score from the indicator data: the reviewer sets
//! the final one, taking into account evidence the numbers miss. The
//! suggestion rule is kept here, with its plain-language text, so the number
//! on screen and the explanation next to it cannot drift apart.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{parse_word, UnknownWordError, FLOAT_SLACK};

/// Highest % achieved one indicator may contribute, so one outlier can't
/// carry an output.
const PERCENT_CAP: f64 = 200.0;

/// The suggestion and overall-score rules, for display next to the scores.
pub const SCORE_RULE: &str = "Each output's suggested score is the average % of milestone \
achieved across its indicators (each capped at 200%): above 120% is A++, above 105% is A+, \
95% or more is A, 75% or more is B, below 75% is C. The overall score is the average of the \
output scores (A++ = 5 down to C = 1) weighted by each output's impact weighting, rounded to \
the nearest score (halves round up).";

/// Annual Review output score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutputScore {
    #[serde(rename = "A++")]
    APlusPlus,
    #[serde(rename = "A+")]
    APlus,
    #[serde(rename = "A")]
    A,
    #[serde(rename = "B")]
    B,
    #[serde(rename = "C")]
    C,
}

impl OutputScore {
    /// Best first.
    pub const ALL: [OutputScore; 5] = [
        OutputScore::APlusPlus,
        OutputScore::APlus,
        OutputScore::A,
        OutputScore::B,
        OutputScore::C,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            OutputScore::APlusPlus => "A++",
            OutputScore::APlus => "A+",
            OutputScore::A => "A",
            OutputScore::B => "B",
            OutputScore::C => "C",
        }
    }

    /// FCDO wording of the score.
    pub fn description(&self) -> &'static str {
        match self {
            OutputScore::APlusPlus => "Outputs substantially exceeded expectation",
            OutputScore::APlus => "Outputs moderately exceeded expectation",
            OutputScore::A => "Outputs met expectation",
            OutputScore::B => "Outputs moderately did not meet expectation",
            OutputScore::C => "Outputs substantially did not meet expectation",
        }
    }

    /// 5 for A++ down to 1 for C, used for weighting.
    pub fn numeric(&self) -> u8 {
        match self {
            OutputScore::APlusPlus => 5,
            OutputScore::APlus => 4,
            OutputScore::A => 3,
            OutputScore::B => 2,
            OutputScore::C => 1,
        }
    }

    /// Inverse of [`OutputScore::numeric`]; `None` outside 1–5.
    pub fn from_numeric(n: u8) -> Option<OutputScore> {
        Self::ALL.iter().copied().find(|s| s.numeric() == n)
    }
}

impl fmt::Display for OutputScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutputScore {
    type Err = UnknownWordError;

    /// Case-insensitive, so `a+` is accepted.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_word(s, "output score", &Self::ALL, Self::as_str)
    }
}

/// Suggested score from the % achieved of an output's indicators (each
/// clamped to 0–200 so one outlier can't carry an output). Mean `m`: A++ if
/// `m > 120`, A+ if `m > 105`, A if `m >= 95`, B if `m >= 75`, else C.
/// `None` for empty input; NaN entries are ignored as missing.
pub fn suggest_output_score(percents: &[f64]) -> Option<OutputScore> {
    let (sum, n) = percents
        .iter()
        .filter(|p| p.is_finite())
        .fold((0.0, 0usize), |(s, n), p| {
            (s + p.clamp(0.0, PERCENT_CAP), n + 1)
        });
    if n == 0 {
        return None;
    }
    let m = sum / n as f64;
    // Slack keeps a mean sitting on a boundary (95.0 arriving as
    // 94.99999999999999) on the side the rule intends.
    Some(if m > 120.0 + FLOAT_SLACK {
        OutputScore::APlusPlus
    } else if m > 105.0 + FLOAT_SLACK {
        OutputScore::APlus
    } else if m + FLOAT_SLACK >= 95.0 {
        OutputScore::A
    } else if m + FLOAT_SLACK >= 75.0 {
        OutputScore::B
    } else {
        OutputScore::C
    })
}

/// Overall programme score: mean of the numeric scores weighted by impact
/// weighting (%), rounded to the nearest score with halves rounding up.
///
/// Weights need not add up to 100; they are used relative to each other.
/// Zero, negative or non-finite weights are ignored. `None` when nothing
/// with a positive weight is left.
pub fn overall_score(outputs: &[(f64, OutputScore)]) -> Option<OutputScore> {
    let (weighted, total) = outputs
        .iter()
        .filter(|(w, _)| w.is_finite() && *w > 0.0)
        .fold((0.0, 0.0), |(ws, t), (w, s)| {
            (ws + w * f64::from(s.numeric()), t + w)
        });
    if total <= 0.0 {
        return None;
    }
    let mean = weighted / total;
    // `mean` lies in 1..=5, so the cast cannot truncate meaningfully.
    let rounded = (mean + 0.5 + FLOAT_SLACK).floor().clamp(1.0, 5.0) as u8;
    OutputScore::from_numeric(rounded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    use OutputScore::{APlus, APlusPlus, A, B, C};

    #[test]
    fn words_and_numbers() {
        for s in OutputScore::ALL {
            assert_eq!(s.as_str().parse::<OutputScore>().unwrap(), s);
            let de: StrDeserializer<DeError> = s.as_str().into_deserializer();
            assert_eq!(OutputScore::deserialize(de).unwrap(), s);
            assert_eq!(OutputScore::from_numeric(s.numeric()), Some(s));
            assert!(s.description().starts_with("Outputs "));
        }
        assert_eq!(APlusPlus.numeric(), 5);
        assert_eq!(C.numeric(), 1);
        assert_eq!(OutputScore::from_numeric(0), None);
        assert_eq!(OutputScore::from_numeric(6), None);
        assert_eq!(" a+ ".parse::<OutputScore>(), Ok(APlus));
        let err = "A+++".parse::<OutputScore>().unwrap_err().to_string();
        assert!(err.ends_with("use one of: A++, A+, A, B, C."), "{err}");
        assert_eq!(A.description(), "Outputs met expectation");
        assert_eq!(
            B.description(),
            "Outputs moderately did not meet expectation"
        );
    }

    #[test]
    fn suggestion_boundaries() {
        let s = |m: f64| suggest_output_score(&[m]);
        assert_eq!(s(120.1), Some(APlusPlus));
        assert_eq!(s(120.0), Some(APlus));
        assert_eq!(s(105.1), Some(APlus));
        assert_eq!(s(105.0), Some(A));
        assert_eq!(s(95.0), Some(A));
        assert_eq!(s(94.9), Some(B));
        assert_eq!(s(75.0), Some(B));
        assert_eq!(s(74.9), Some(C));
        assert_eq!(s(0.0), Some(C));
    }

    #[test]
    fn suggestion_uses_mean_and_caps_outliers() {
        assert_eq!(suggest_output_score(&[90.0, 100.0]), Some(A)); // mean 95
                                                                   // Without the cap the mean would be 250 (A++); capped it is 150.
        assert_eq!(suggest_output_score(&[400.0, 100.0]), Some(APlusPlus));
        // One huge outlier cannot lift two failing indicators to A++
        // (uncapped mean 360); capped, the mean is 93.3.
        assert_eq!(suggest_output_score(&[1000.0, 40.0, 40.0]), Some(B));
        assert_eq!(suggest_output_score(&[]), None);
        assert_eq!(suggest_output_score(&[f64::NAN]), None);
        assert_eq!(suggest_output_score(&[f64::NAN, 100.0]), Some(A));
    }

    #[test]
    fn suggestion_boundary_survives_float_noise() {
        // These average to exactly 75 on paper, 74.99999999999999 in floats.
        let noisy = [74.99, 74.91, 75.1];
        assert!(noisy.iter().sum::<f64>() / 3.0 < 75.0);
        assert_eq!(suggest_output_score(&noisy), Some(B));
    }

    #[test]
    fn overall_weighted_and_rounded() {
        assert_eq!(overall_score(&[(50.0, A), (50.0, APlus)]), Some(APlus)); // 3.5 up
        assert_eq!(overall_score(&[(60.0, A), (40.0, APlus)]), Some(A)); // 3.4
        assert_eq!(overall_score(&[(30.0, C), (70.0, APlusPlus)]), Some(APlus)); // 3.8
        assert_eq!(overall_score(&[(25.0, B), (75.0, B)]), Some(B));
        // Weights relative to each other, not required to sum to 100.
        assert_eq!(overall_score(&[(1.0, C), (3.0, APlusPlus)]), Some(APlus)); // 4.0
        assert_eq!(overall_score(&[(100.0, C)]), Some(C));
    }

    #[test]
    fn overall_without_usable_weights() {
        assert_eq!(overall_score(&[]), None);
        assert_eq!(overall_score(&[(0.0, A), (0.0, B)]), None);
        assert_eq!(overall_score(&[(-10.0, A)]), None);
        assert_eq!(overall_score(&[(f64::NAN, A), (20.0, C)]), Some(C));
    }

    #[test]
    fn rule_text_matches_thresholds() {
        for needle in ["200%", "120%", "105%", "95%", "75%", "weighted"] {
            assert!(SCORE_RULE.contains(needle), "{needle}");
        }
    }
}
