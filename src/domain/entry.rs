//! Rules for a value typed by a programme manager, before it is saved: the unit's
//! range, a comment when it jumps far from the previous period, and parts that add up
//! to their total. Pure, so the grid, the CSV import and the API apply the same rules.

use crate::domain::unit::{validate_value, Unit};

/// A value this many times the previous one (or less than its inverse) needs a comment.
pub const JUMP_FACTOR: f64 = 2.0;

/// Parts may differ from their total by rounding only.
const SUM_TOLERANCE: f64 = 1e-6;

/// Reads what a person typed: trims, accepts a trailing "%" for percentages, a leading
/// currency sign, and yes/no words for yes/no indicators. Empty means "no value".
///
/// The one rule for separators, in the grid, the API and CSV files: the point is the
/// decimal mark; a comma (or a space) only groups thousands, so it must be followed by
/// exactly three digits ("1,234.5", "12 500"). What could be read two ways ("6,5",
/// "6.000,5", "1,23") is refused with the reading to type instead. In a CSV file
/// separated by semicolons the comma is the decimal mark instead (see
/// `csvio::normalise_number`), which turns it into this form first.
pub fn parse_typed(unit: Unit, raw: &str) -> Result<Option<f64>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if unit == Unit::YesNo {
        return match s.to_ascii_lowercase().as_str() {
            "yes" | "y" | "1" | "true" | "ndiyo" => Ok(Some(1.0)),
            "no" | "n" | "0" | "false" | "hapana" => Ok(Some(0.0)),
            _ => Err(format!("'{s}' is not yes or no")),
        };
    }
    let body = s.trim_end_matches('%').trim();
    let body = body
        .strip_prefix('£')
        .or_else(|| body.strip_prefix("KSh"))
        .or_else(|| body.strip_prefix("KES"))
        .unwrap_or(body)
        .trim();
    let not_a_number = || format!("'{s}' is not a number");
    let plain = ungroup(body).map_err(|why| match why {
        Grouping::DecimalComma(suggest) => format!(
            "'{s}' could be read two ways: write decimals with a point ({suggest}); a comma only separates thousands (1,234)"
        ),
        Grouping::Misplaced => format!(
            "'{s}': a comma or space separates thousands only, in groups of three digits (1,234,567.5)"
        ),
        Grouping::NotANumber => not_a_number(),
    })?;
    // Digits, a sign, a point and an exponent only: Rust would also read "inf" and "NaN".
    if !plain
        .bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return Err(not_a_number());
    }
    match plain.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Err(format!("'{s}' is too large a number")),
        Err(_) => Err(not_a_number()),
    }
}

enum Grouping {
    /// Looks like a decimal comma: "6,5" (the point form is given).
    DecimalComma(String),
    /// Separators not in groups of three.
    Misplaced,
    NotANumber,
}

/// "1,234,567.5" → "1234567.5": thousands separators (comma, space, no-break spaces)
/// taken out where they group whole digits by three, and only there.
fn ungroup(s: &str) -> Result<String, Grouping> {
    let is_sep = |c: char| c == ',' || c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '_';
    if !s.chars().any(is_sep) {
        return Ok(s.to_string());
    }
    let (sign, rest) = match s.strip_prefix(['-', '+']) {
        Some(r) => (&s[..1], r),
        None => ("", s),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    let digits = |g: &str| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit());
    if let Some(f) = fraction.filter(|f| f.chars().any(is_sep)) {
        // "6.000,5": points grouping thousands and a comma for decimals.
        return Err(match f.split_once(',') {
            Some((thousands, dec))
                if digits(whole) && digits(&thousands.replace('.', "")) && digits(dec) =>
            {
                Grouping::DecimalComma(format!("{sign}{whole}{}.{dec}", thousands.replace('.', "")))
            }
            _ => Grouping::Misplaced,
        });
    }
    let groups: Vec<&str> = whole.split(is_sep).collect();
    if !groups.iter().all(|g| digits(g)) {
        return Err(Grouping::NotANumber);
    }
    let grouped = groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
    if !grouped {
        // "6,5", "12,25": a decimal comma, most likely.
        if groups.len() == 2 && fraction.is_none() && groups[1].len() != 3 {
            return Err(Grouping::DecimalComma(format!(
                "{sign}{}.{}",
                groups[0], groups[1]
            )));
        }
        return Err(Grouping::Misplaced);
    }
    Ok(match fraction {
        Some(f) => format!("{sign}{}.{f}", groups.concat()),
        None => format!("{sign}{}", groups.concat()),
    })
}

/// Why a value cannot be saved as it is; `field` says which input is at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryProblem {
    pub field: EntryField,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryField {
    Value,
    Comment,
}

/// Checks a value against its unit and, when there is a previous period's value, asks
/// for a comment on a jump of more than double or less than half.
pub fn check_value(
    unit: Unit,
    value: f64,
    previous: Option<f64>,
    comment: Option<&str>,
) -> Vec<EntryProblem> {
    let mut problems = Vec::new();
    if let Err(e) = validate_value(unit, value) {
        problems.push(EntryProblem {
            field: EntryField::Value,
            message: e,
        });
        return problems;
    }
    let has_comment = comment.is_some_and(|c| !c.trim().is_empty());
    if let Some(prev) = previous {
        if unit != Unit::YesNo && is_jump(prev, value) && !has_comment {
            problems.push(EntryProblem {
                field: EntryField::Comment,
                message: format!(
                    "this is far from the previous period's value ({}); add a comment explaining it",
                    trim_number(prev)
                ),
            });
        }
    }
    problems
}

/// More than double or less than half the previous value. From zero, any rise to more
/// than 1 counts; to zero from a positive value counts too.
pub fn is_jump(previous: f64, value: f64) -> bool {
    if previous == 0.0 {
        return value > 1.0;
    }
    let ratio = value / previous;
    !(1.0 / JUMP_FACTOR..=JUMP_FACTOR).contains(&ratio)
}

/// Where parts of one dimension (e.g. sex=female, sex=male) are given with a total,
/// they must add up to it. Returns the message when they do not.
pub fn check_parts(total: f64, dimension: &str, parts: &[(String, f64)]) -> Option<String> {
    if parts.is_empty() {
        return None;
    }
    let sum: f64 = parts.iter().map(|(_, v)| v).sum();
    if (sum - total).abs() <= SUM_TOLERANCE * total.abs().max(1.0) {
        return None;
    }
    let listed: Vec<String> = parts
        .iter()
        .map(|(k, v)| format!("{k} {}", trim_number(*v)))
        .collect();
    Some(format!(
        "the {dimension} parts ({}) add up to {}, not the total {}",
        listed.join(" + "),
        trim_number(sum),
        trim_number(total)
    ))
}

fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_decimal_points_and_thousands_separators() {
        let ok =
            |raw: &str, v: f64| assert_eq!(parse_typed(Unit::Number, raw), Ok(Some(v)), "{raw}");
        ok("6.5", 6.5);
        ok("1,234", 1234.0);
        ok("1,234,567.25", 1234567.25);
        ok("12 500", 12500.0);
        ok("12\u{a0}500", 12500.0);
        ok("-1,000", -1000.0);
        ok("KES 1,500", 1500.0);
        let refused = |raw: &str, says: &str| {
            let e = parse_typed(Unit::Number, raw).unwrap_err();
            assert!(e.contains(says), "{raw}: {e}");
        };
        refused("6,5", "(6.5)");
        refused("6.000,5", "(6000.5)");
        refused("1.234.567,5", "(1234567.5)");
        refused("1,23", "(1.23)");
        refused("12,34,567", "groups of three");
        refused("1,2345", "(1.2345)");
        refused("1,234.5,6", "groups of three");
        refused("1e400", "too large");
        refused("inf", "not a number");
    }

    #[test]
    fn typed_values_are_read_as_people_write_them() {
        assert_eq!(parse_typed(Unit::Count, " 1,234 "), Ok(Some(1234.0)));
        assert_eq!(parse_typed(Unit::Percentage, "45.5%"), Ok(Some(45.5)));
        assert_eq!(parse_typed(Unit::YesNo, "Yes"), Ok(Some(1.0)));
        assert_eq!(parse_typed(Unit::YesNo, "hapana"), Ok(Some(0.0)));
        assert_eq!(parse_typed(Unit::Currency, "£12,500"), Ok(Some(12500.0)));
        assert_eq!(parse_typed(Unit::Count, ""), Ok(None));
        assert!(parse_typed(Unit::Count, "twelve")
            .unwrap_err()
            .contains("not a number"));
        assert!(parse_typed(Unit::YesNo, "maybe")
            .unwrap_err()
            .contains("not yes or no"));
        assert!(parse_typed(Unit::Count, "NaN").is_err());
    }

    #[test]
    fn units_are_enforced() {
        assert_eq!(
            check_value(Unit::Count, 3.5, None, None)[0].field,
            EntryField::Value
        );
        assert_eq!(
            check_value(Unit::Percentage, 120.0, None, None)[0].field,
            EntryField::Value
        );
        assert!(check_value(Unit::Percentage, 100.0, None, None).is_empty());
        assert_eq!(check_value(Unit::Count, -1.0, None, None).len(), 1);
    }

    #[test]
    fn a_far_jump_needs_a_comment() {
        let p = check_value(Unit::Count, 250.0, Some(100.0), None);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].field, EntryField::Comment);
        assert!(p[0].message.contains("previous period's value (100)"));
        assert!(check_value(Unit::Count, 250.0, Some(100.0), Some("new post opened")).is_empty());
        assert!(check_value(Unit::Count, 40.0, Some(100.0), Some("  ")).len() == 1);
        assert!(
            check_value(Unit::Count, 200.0, Some(100.0), None).is_empty(),
            "exactly double is fine"
        );
        assert!(
            check_value(Unit::Count, 50.0, Some(100.0), None).is_empty(),
            "exactly half is fine"
        );
        assert!(check_value(Unit::Count, 0.0, Some(10.0), None).len() == 1);
        assert!(check_value(Unit::Count, 1.0, Some(0.0), None).is_empty());
        assert!(
            check_value(Unit::YesNo, 1.0, Some(0.0), None).is_empty(),
            "yes/no flips are not jumps"
        );
    }

    #[test]
    fn parts_must_add_up() {
        let parts = vec![("female".to_string(), 40.0), ("male".to_string(), 50.0)];
        assert_eq!(check_parts(90.0, "sex", &parts), None);
        let msg = check_parts(100.0, "sex", &parts).unwrap();
        assert!(msg.contains("add up to 90, not the total 100"), "{msg}");
        assert_eq!(check_parts(100.0, "sex", &[]), None);
    }
}
