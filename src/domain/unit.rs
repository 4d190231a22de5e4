//! Units of measure: what values an indicator may take and how to show them.
//!
//! Every value is stored as an `f64` whatever its unit, so the rules that
//! keep a "count" whole or a "yes/no" at 0 or 1 live here rather than in the
//! schema. Formatting is here too so that a report, a web page and a CSV
//! export print the same figure the same way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{parse_word, UnknownWordError, FLOAT_SLACK};

/// Shown for a value that is not a number at all (NaN or infinite).
const NOT_A_NUMBER: &str = "n/a";

/// Unit of an indicator's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Whole things counted (people trained, posts operational).
    Count,
    /// A measured quantity that may have decimals (average days, kilometres).
    Number,
    Percentage,
    /// Money in major units (shillings, pounds); the currency is a programme
    /// setting, not part of the unit.
    Currency,
    /// 1 for yes, 0 for no, so means across counties read as "share saying yes".
    YesNo,
}

impl Unit {
    pub const ALL: [Unit; 5] = [
        Unit::Count,
        Unit::Number,
        Unit::Percentage,
        Unit::Currency,
        Unit::YesNo,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Number => "number",
            Unit::Percentage => "percentage",
            Unit::Currency => "currency",
            Unit::YesNo => "yes_no",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Number => "Number",
            Unit::Percentage => "Percentage",
            Unit::Currency => "Currency",
            Unit::YesNo => "Yes/No",
        }
    }
}

impl Unit {
    /// What the unit allows, for the choice on a setup form.
    pub fn description(&self) -> &'static str {
        match self {
            Unit::Count => "Count — whole things (people trained, posts open)",
            Unit::Number => "Number — a measure that may have decimals (average days, km)",
            Unit::Percentage => "Percentage — 0 to 100",
            Unit::Currency => "Currency — money in the programme's currency",
            Unit::YesNo => "Yes/No — 1 for yes, 0 for no",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = UnknownWordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_word(s, "unit", &Self::ALL, Self::as_str)
    }
}

/// The largest value any indicator takes: a million million.
pub const MAX_VALUE: f64 = 1e12;

/// Check an entered value against the unit: counts whole and >= 0; numbers >= 0
/// with decimals; percentages 0..=100; currency >= 0 (in major units); yes/no exactly 0 or 1.
/// The error is a sentence fragment suitable after "Value for Turkana: ".
pub fn validate_value(unit: Unit, v: f64) -> Result<(), String> {
    if !v.is_finite() {
        return Err(format!("the value must be a number (got {v})"));
    }
    // Far above any real figure, and low enough that sums over every county and quarter
    // stay exact and finite (a value of 1.7e308 once overflowed to infinity on approval).
    if v.abs() > MAX_VALUE {
        return Err(format!(
            "the value must be at most 1,000,000,000,000 (got {v:e}); check for extra digits"
        ));
    }
    let ok = match unit {
        Unit::Count => v >= 0.0 && v.fract() == 0.0,
        Unit::Number => v >= 0.0,
        Unit::Percentage => (0.0..=100.0).contains(&v),
        Unit::Currency => v >= 0.0,
        Unit::YesNo => v == 0.0 || v == 1.0,
    };
    if ok {
        return Ok(());
    }
    Err(match unit {
        Unit::Count => format!("a count must be a whole number of 0 or more (got {v}); if decimals are meant, the indicator's unit should be 'number'"),
        Unit::Number => format!("the value must be 0 or more (got {v})"),
        Unit::Percentage => format!("a percentage must be between 0 and 100 (got {v})"),
        Unit::Currency => format!("an amount of money must be 0 or more (got {v})"),
        Unit::YesNo => format!("a yes/no value must be 1 for yes or 0 for no (got {v})"),
    })
}

/// True when `v` is a whole number up to float noise, e.g. a mean of counts
/// that came out as 2.9999999999999996.
fn is_whole(v: f64) -> bool {
    (v - v.round()).abs() < FLOAT_SLACK
}

/// Whole numbers without decimals; anything else (a mean) with `decimals`.
fn number_or_fraction(v: f64, decimals: usize) -> String {
    if is_whole(v) {
        format_number(v, 0)
    } else {
        format_number(v, decimals)
    }
}

/// What goes before the amount for a currency code. Symbols only for the
/// currencies programmes here are funded or spend in; other codes are
/// printed as they are, which is unambiguous.
fn currency_prefix(code: &str) -> String {
    let code = code.trim().to_ascii_uppercase();
    match code.as_str() {
        "KES" => "KSh ".to_string(),
        "GBP" => "£".to_string(),
        "USD" => "$".to_string(),
        "" => String::new(),
        _ => format!("{code} "),
    }
}

/// Display a value in its unit: count "1,234" (one decimal if fractional, as
/// county means can be), percentage "45.2%" (always one decimal), currency
/// "KSh 1,234,500" / "£12,500" / "$900" / "EUR 1,234" (whole units), yes/no
/// "Yes"/"No", or for a mean of yes/no answers the share saying yes, "60% yes"
/// (a sum of yes/no answers across counties prints as "3 yes").
pub fn format_value(unit: Unit, v: f64, currency: &str) -> String {
    if !v.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    match unit {
        Unit::Count => number_or_fraction(v, 1),
        Unit::Number => {
            // Up to two decimals, as measured: "2.5" days, not "2.50".
            let s = format_number(v, 2);
            match s.split_once('.') {
                Some((int, frac)) => match frac.trim_end_matches('0') {
                    "" => int.to_string(),
                    f => format!("{int}.{f}"),
                },
                None => s,
            }
        }
        // One decimal always, so that "70.0%" and "70.7%" line up and read alike.
        Unit::Percentage => format!("{}%", format_number(v, 1)),
        // Whole pounds or shillings, like budgets and spend.
        Unit::Currency => {
            let amount = format_number(v.abs().round(), 0);
            let sign = if v < 0.0 && amount.bytes().any(|b| matches!(b, b'1'..=b'9')) {
                "-"
            } else {
                ""
            };
            format!("{sign}{}{amount}", currency_prefix(currency))
        }
        Unit::YesNo => {
            if (v - 1.0).abs() < FLOAT_SLACK {
                "Yes".to_string()
            } else if v.abs() < FLOAT_SLACK {
                "No".to_string()
            } else if (0.0..1.0).contains(&v) {
                format!("{}% yes", number_or_fraction(v * 100.0, 1))
            } else if v > 1.0 {
                format!("{} yes", number_or_fraction(v, 1))
            } else {
                number_or_fraction(v, 1)
            }
        }
    }
}

/// Money held in minor units (cents, pence), printed in whole pounds or shillings
/// (half a unit rounds away from zero): `format_minor(123456, "GBP")` is "£1,235".
/// Budgets and spend are read in thousands, and one style for every amount beats
/// pence on some and not others. Integer arithmetic only.
pub fn format_minor(amount_minor: i64, currency: &str) -> String {
    let abs = amount_minor.unsigned_abs();
    let whole = abs / 100 + u64::from(abs % 100 >= 50);
    let sign = if amount_minor < 0 && whole > 0 {
        "-"
    } else {
        ""
    };
    format!(
        "{sign}{}{}",
        currency_prefix(currency),
        group_thousands(&whole.to_string())
    )
}

/// Format with thousands separators and exactly `decimals` decimals:
/// `format_number(-1234.5, 1)` is "-1,234.5". A value that rounds to zero
/// prints without a minus sign. NaN and infinities print as "n/a".
pub fn format_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    let digits = format!("{:.*}", decimals, v.abs());
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let negative = v < 0.0 && digits.bytes().any(|b| matches!(b, b'1'..=b'9'));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    out.push_str(&group_thousands(int_part));
    if let Some(f) = frac_part {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// "1234567" -> "1,234,567". Expects ASCII digits only.
fn group_thousands(int_digits: &str) -> String {
    let len = int_digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in int_digits.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    #[test]
    fn words_round_trip() {
        for u in Unit::ALL {
            assert_eq!(u.as_str().parse::<Unit>().unwrap(), u);
            let de: StrDeserializer<DeError> = u.as_str().into_deserializer();
            assert_eq!(Unit::deserialize(de).unwrap(), u);
        }
        assert_eq!(Unit::YesNo.as_str(), "yes_no");
        assert_eq!(Unit::YesNo.label(), "Yes/No");
        let err = "days".parse::<Unit>().unwrap_err().to_string();
        assert_eq!(
            err,
            "'days' is not a known unit; use one of: count, number, percentage, currency, yes_no."
        );
    }

    #[test]
    fn validation() {
        assert!(validate_value(Unit::Number, 1.7e308)
            .unwrap_err()
            .contains("at most 1,000,000,000,000"));
        assert_eq!(validate_value(Unit::Currency, MAX_VALUE), Ok(()));
        assert!(validate_value(Unit::Count, MAX_VALUE + 1.0).is_err());
        assert_eq!(validate_value(Unit::Count, 0.0), Ok(()));
        assert_eq!(validate_value(Unit::Count, 1234.0), Ok(()));
        assert!(validate_value(Unit::Count, 3.5)
            .unwrap_err()
            .starts_with("a count must be a whole number of 0 or more (got 3.5)"));
        assert_eq!(validate_value(Unit::Number, 2.5), Ok(()));
        assert!(validate_value(Unit::Number, -0.5).is_err());
        assert!(validate_value(Unit::Count, -1.0).is_err());
        assert_eq!(validate_value(Unit::Percentage, 0.0), Ok(()));
        assert_eq!(validate_value(Unit::Percentage, 100.0), Ok(()));
        assert_eq!(validate_value(Unit::Percentage, 45.2), Ok(()));
        assert_eq!(
            validate_value(Unit::Percentage, 120.0),
            Err("a percentage must be between 0 and 100 (got 120)".to_string())
        );
        assert!(validate_value(Unit::Percentage, -0.1).is_err());
        assert_eq!(validate_value(Unit::Currency, 1234.56), Ok(()));
        assert_eq!(
            validate_value(Unit::Currency, -5.0),
            Err("an amount of money must be 0 or more (got -5)".to_string())
        );
        assert_eq!(validate_value(Unit::YesNo, 0.0), Ok(()));
        assert_eq!(validate_value(Unit::YesNo, 1.0), Ok(()));
        assert!(validate_value(Unit::YesNo, 0.5).is_err());
        assert!(validate_value(Unit::YesNo, 2.0)
            .unwrap_err()
            .contains("1 for yes or 0 for no"));
        for u in Unit::ALL {
            assert_eq!(
                validate_value(u, f64::NAN),
                Err("the value must be a number (got NaN)".to_string())
            );
            assert!(validate_value(u, f64::INFINITY).is_err());
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(format_number(0.0, 0), "0");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(1000.0, 0), "1,000");
        assert_eq!(format_number(1234567.0, 0), "1,234,567");
        assert_eq!(format_number(1234.5678, 2), "1,234.57");
        assert_eq!(format_number(-1234.5, 1), "-1,234.5");
        assert_eq!(format_number(-999999.0, 0), "-999,999");
        assert_eq!(format_number(-0.0004, 1), "0.0");
        assert_eq!(format_number(-0.0, 0), "0");
        assert_eq!(format_number(12.0, 3), "12.000");
        assert_eq!(format_number(f64::NAN, 0), "n/a");
        assert_eq!(format_number(f64::NEG_INFINITY, 0), "n/a");
    }

    #[test]
    fn counts() {
        assert_eq!(format_value(Unit::Count, 1234.0, "KES"), "1,234");
        assert_eq!(format_value(Unit::Count, 0.0, "KES"), "0");
        assert_eq!(format_value(Unit::Count, 12.26, "KES"), "12.3");
        assert_eq!(format_value(Unit::Count, 1234.56, "KES"), "1,234.6");
        assert_eq!(format_value(Unit::Count, 2.9999999999999996, ""), "3");
        assert_eq!(format_value(Unit::Count, -1500.0, ""), "-1,500");
        assert_eq!(format_value(Unit::Count, f64::NAN, ""), "n/a");
    }

    #[test]
    fn numbers_keep_two_decimals() {
        assert_eq!(format_value(Unit::Number, 2.5, ""), "2.5");
        assert_eq!(format_value(Unit::Number, 2.25, ""), "2.25");
        assert_eq!(format_value(Unit::Number, 3.0, ""), "3");
        assert_eq!(format_value(Unit::Number, 1234.567, ""), "1,234.57");
    }

    #[test]
    fn percentages() {
        assert_eq!(format_value(Unit::Percentage, 45.2, ""), "45.2%");
        assert_eq!(format_value(Unit::Percentage, 50.0, ""), "50.0%");
        assert_eq!(format_value(Unit::Percentage, 33.333, ""), "33.3%");
        assert_eq!(format_value(Unit::Percentage, -2.5, ""), "-2.5%");
    }

    #[test]
    fn currency_in_major_units() {
        assert_eq!(
            format_value(Unit::Currency, 1234500.0, "KES"),
            "KSh 1,234,500"
        );
        assert_eq!(format_value(Unit::Currency, 12500.0, "GBP"), "£12,500");
        assert_eq!(format_value(Unit::Currency, 900.0, "usd"), "$900");
        assert_eq!(format_value(Unit::Currency, 1234.0, "EUR"), "EUR 1,234");
        assert_eq!(format_value(Unit::Currency, 1234.5, " gbp "), "£1,235");
        assert_eq!(format_value(Unit::Currency, 1234.49, "GBP"), "£1,234");
        assert_eq!(format_value(Unit::Currency, -12500.0, "GBP"), "-£12,500");
        assert_eq!(format_value(Unit::Currency, -250.0, "KES"), "-KSh 250");
        assert_eq!(format_value(Unit::Currency, 1234.0, ""), "1,234");
        assert_eq!(format_value(Unit::Currency, -0.001, "GBP"), "£0");
    }

    #[test]
    fn yes_no() {
        assert_eq!(format_value(Unit::YesNo, 1.0, ""), "Yes");
        assert_eq!(format_value(Unit::YesNo, 0.0, ""), "No");
        assert_eq!(format_value(Unit::YesNo, 0.6, ""), "60% yes");
        assert_eq!(format_value(Unit::YesNo, 1.0 / 3.0, ""), "33.3% yes");
        assert_eq!(format_value(Unit::YesNo, 3.0, ""), "3 yes");
        assert_eq!(format_value(Unit::YesNo, f64::NAN, ""), "n/a");
    }

    #[test]
    fn minor_units() {
        assert_eq!(format_minor(123456, "GBP"), "£1,235");
        assert_eq!(format_minor(123449, "KES"), "KSh 1,234");
        assert_eq!(format_minor(5, "USD"), "$0");
        assert_eq!(format_minor(0, "GBP"), "£0");
        assert_eq!(format_minor(-123456, "GBP"), "-£1,235");
        assert_eq!(format_minor(-49, "GBP"), "£0");
        assert_eq!(format_minor(100_000_000, "EUR"), "EUR 1,000,000");
        assert_eq!(format_minor(i64::MIN, "GBP"), "-£92,233,720,368,547,758");
    }
}
