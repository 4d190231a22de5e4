//! Domain rules of Mipaka: reporting periods, how figures add up, how
//! achievement is scored and how values are shown.
//!
//! Everything here is pure: no database, no HTTP, no clock except where a
//! caller passes a date in. That keeps the rules that decide a programme's
//! RAG status or Annual Review score testable in isolation, and lets the
//! web and storage layers change without touching them.

pub mod access;
pub mod achievement;
pub mod aggregation;
pub mod change;
pub mod codelist;
pub mod comparison;
pub mod dhis2;
pub mod disaggregation;
pub mod disclosure;
pub mod entry;
pub mod evidence;
pub mod narrative;
pub mod period;
pub mod plan;
pub mod progress;
pub mod score;
pub mod setup;
pub mod throttle;
pub mod unit;

pub use achievement::{Direction, Rag, RagThresholds, ThresholdError};
pub use aggregation::{CountyAggregation, PeriodAggregation};
pub use period::{Period, PeriodError, PeriodKind};
pub use score::OutputScore;
pub use unit::Unit;

use std::fmt;

/// Tolerance for comparing computed percentages with band edges.
///
/// Figures such as `100 * 0.7 / 1.0` come out as `70.00000000000001` or
/// `69.99999999999999`; without some slack an indicator sitting exactly on
/// a boundary could land in the worse band purely through float rounding.
pub(crate) const FLOAT_SLACK: f64 = 1e-9;

/// Longest piece of user input quoted back in an error message, so a pasted
/// paragraph does not turn into an unreadable error.
const MAX_QUOTED: usize = 40;

/// Quote user input for an error message, shortened if very long.
pub(crate) fn quoted(input: &str) -> String {
    let mut chars = input.chars();
    let head: String = chars.by_ref().take(MAX_QUOTED).collect();
    if chars.next().is_some() {
        format!("'{head}…'")
    } else {
        format!("'{head}'")
    }
}

/// A word that is not one of a fixed set of choices (an aggregation rule,
/// a direction, a unit, …). The message lists the accepted words so the
/// person can fix a form field or an import file without reading code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownWordError {
    what: &'static str,
    input: String,
    allowed: Vec<&'static str>,
}

impl UnknownWordError {
    /// The input as received (surrounding whitespace removed).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The words that would have been accepted.
    pub fn allowed(&self) -> &[&'static str] {
        &self.allowed
    }
}

impl fmt::Display for UnknownWordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed = self.allowed.join(", ");
        if self.input.is_empty() {
            write!(f, "No {} was given; use one of: {allowed}.", self.what)
        } else {
            write!(
                f,
                "{} is not a known {}; use one of: {allowed}.",
                quoted(&self.input),
                self.what
            )
        }
    }
}

impl std::error::Error for UnknownWordError {}

/// Shared `FromStr` logic for the small enums: trim, compare case-insensitively
/// with each variant's stored word, and on failure name every accepted word.
pub(crate) fn parse_word<T: Copy>(
    input: &str,
    what: &'static str,
    all: &[T],
    word: fn(&T) -> &'static str,
) -> Result<T, UnknownWordError> {
    let trimmed = input.trim();
    all.iter()
        .find(|v| word(v).eq_ignore_ascii_case(trimmed))
        .copied()
        .ok_or_else(|| UnknownWordError {
            what,
            input: trimmed.to_string(),
            allowed: all.iter().map(word).collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_shortens_long_input() {
        assert_eq!(quoted("abc"), "'abc'");
        let long = "x".repeat(100);
        let q = quoted(&long);
        assert!(q.ends_with("…'"));
        assert_eq!(q.chars().count(), MAX_QUOTED + 3);
    }

    #[test]
    fn quoted_handles_multibyte_input() {
        let long = "é".repeat(50);
        assert!(quoted(&long).starts_with("'éé"));
    }

    #[test]
    fn unknown_word_lists_choices() {
        let err = parse_word("avg", "rule", &[1u8, 2], |v| match v {
            1 => "sum",
            _ => "mean",
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "'avg' is not a known rule; use one of: sum, mean."
        );
        assert_eq!(err.input(), "avg");
        assert_eq!(err.allowed(), ["sum", "mean"]);
    }

    #[test]
    fn unknown_word_empty_input() {
        let err = parse_word("  ", "rule", &[1u8], |_| "sum").unwrap_err();
        assert_eq!(err.to_string(), "No rule was given; use one of: sum.");
    }
}
