//! How Mipaka writes figures, dates, percentages and changes, for pages, reports,
//! comparisons and the API's shown strings alike: one place, so that the dashboard, a
//! donor report and a comparison print the same figure the same way (and the tests that
//! read them back agree). Numbers in their unit come from [`format_value`]; report-only
//! phrasing (RAG cells, milestone and activity status cells on their colours) stays in
//! `report::text`.

use chrono::NaiveDate;

pub use crate::domain::unit::format_value;
use crate::domain::unit::Unit;

/// "5 Mar 2026".
pub fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// "1 Jan 2026 – 31 Mar 2026".
pub fn date_range(a: NaiveDate, b: NaiveDate) -> String {
    format!("{} – {}", date(a), date(b))
}

/// "Mar 2026".
pub fn month(d: NaiveDate) -> String {
    d.format("%b %Y").to_string()
}

/// "Jan 2026 – Mar 2026": phases, programmes and plans, where the day adds nothing.
pub fn month_range(a: NaiveDate, b: NaiveDate) -> String {
    format!("{} – {}", month(a), month(b))
}

/// A figure in its unit; "—" for missing (never 0).
pub fn value(unit: Unit, v: Option<f64>, currency: &str) -> String {
    v.map(|v| format_value(unit, v, currency))
        .unwrap_or_else(|| "—".into())
}

/// "85%"; "—" for missing. Never "100%" for what fell short (99.8% prints "99%"),
/// nor "0%" for what is above nothing: a rounded share must not claim a milestone
/// was met, or missed entirely, when it was not.
pub fn percent(p: Option<f64>) -> String {
    let Some(p) = p.filter(|p| p.is_finite()) else {
        return "—".into();
    };
    let shown = if p < 100.0 && p.round() >= 100.0 {
        99.0
    } else if p > 0.0 && p.round() <= 0.0 {
        return "<1%".into();
    } else {
        p.round()
    };
    format!("{shown:.0}%")
}

/// Spend as a share of budget, "—" without a budget.
pub fn burn_rate(budget_minor: i64, spend_minor: i64) -> String {
    if budget_minor > 0 {
        percent(Some(spend_minor as f64 * 100.0 / budget_minor as f64))
    } else {
        "—".into()
    }
}

fn sign(v: f64) -> &'static str {
    if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "−"
    } else {
        ""
    }
}

/// A change of a figure, signed: "+1,200", "−£5,000", and in points for percentages
/// and yes/no shares ("+12 pts"), never a percentage of a percentage.
pub fn signed(unit: Unit, v: f64, currency: &str) -> String {
    let sign = sign(v);
    match unit {
        // A change of a percentage is in points, not a percentage of a percentage.
        Unit::Percentage => format!("{sign}{} pts", format_value(Unit::Count, v.abs(), currency)),
        // A change of a yes/no share ("80% yes" to "Yes") likewise, in points of yes.
        Unit::YesNo => format!(
            "{sign}{} pts",
            format_value(Unit::Count, v.abs() * 100.0, currency)
        ),
        _ => format!("{sign}{}", format_value(unit, v.abs(), currency)),
    }
}

/// A relative change, signed to one decimal: "+12.5%", "−3.0%"; "—" for none.
pub fn signed_percent(p: Option<f64>) -> String {
    p.map(|p| format!("{}{:.1}%", sign(p), p.abs()))
        .unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rounded_percent_never_claims_a_milestone_met_or_wholly_missed() {
        use super::percent;
        // 60.8 achieved against a milestone of 60.9.
        assert_eq!(percent(Some(100.0 * 60.8 / 60.9)), "99%");
        assert_eq!(percent(Some(99.4)), "99%");
        assert_eq!(percent(Some(100.0)), "100%");
        assert_eq!(percent(Some(100.4)), "100%");
        assert_eq!(percent(Some(70.7)), "71%");
        assert_eq!(percent(Some(0.3)), "<1%");
        assert_eq!(percent(Some(0.0)), "0%");
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(f64::NAN)), "—");
    }

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_and_ranges() {
        assert_eq!(date(d(2026, 3, 5)), "5 Mar 2026");
        assert_eq!(
            date_range(d(2026, 1, 1), d(2026, 3, 31)),
            "1 Jan 2026 – 31 Mar 2026"
        );
        assert_eq!(
            month_range(d(2024, 7, 1), d(2025, 6, 30)),
            "Jul 2024 – Jun 2025"
        );
    }

    #[test]
    fn missing_is_a_dash_never_zero() {
        assert_eq!(value(Unit::Count, None, "GBP"), "—");
        assert_eq!(percent(None), "—");
        assert_eq!(burn_rate(0, 500), "—");
        assert_eq!(signed_percent(None), "—");
    }

    #[test]
    fn changes_are_signed_and_percentages_change_in_points() {
        assert_eq!(signed(Unit::Count, 1200.0, ""), "+1,200");
        assert_eq!(signed(Unit::Count, -3.0, ""), "−3");
        assert_eq!(signed(Unit::Count, 0.0, ""), "0");
        assert_eq!(signed(Unit::Percentage, 12.0, ""), "+12 pts");
        assert_eq!(signed(Unit::YesNo, -0.25, ""), "−25 pts");
        assert_eq!(signed_percent(Some(12.46)), "+12.5%");
        assert_eq!(signed_percent(Some(-3.0)), "−3.0%");
        assert_eq!(burn_rate(1000, 250), "25%");
    }
}
