//! What a figure is, in words a reader needs where it is not obvious: "total of 4
//! quarters", "mean per quarter", "latest quarter (Apr–Jun 2025)", "5 of 7 counties: yes".

use super::compute::{Figure, Kind, ToDate, YesCount};
use super::span::Span;
use crate::domain::unit::{format_value, Unit};

/// The figure as printed: the value, "5 of 7 counties: yes", or how much is in.
pub fn achieved(f: &Figure, unit: Unit, currency: &str, approved: bool) -> String {
    match (f.yes, f.value) {
        (Some(y), _) => yes_counties(&y),
        (None, Some(v)) => format_value(unit, v, currency),
        (None, None) if f.completeness.expected == 0 => "—".into(),
        (None, None) => completeness(f, approved),
    }
}

/// The milestone as printed: a value, "7 of 7 counties", or "—".
pub fn milestone(f: &Figure, unit: Unit, currency: &str) -> String {
    match (f.target_yes, f.target) {
        (Some(y), _) => yes_target(&y),
        (None, Some(t)) => format_value(unit, t, currency),
        (None, None) => "—".into(),
    }
}

/// The to-date figure against the end target: "1,234 of 1,500" ("—" when nothing is in).
pub fn to_date_value(t: &ToDate, unit: Unit, currency: &str) -> String {
    if let Some(y) = &t.yes {
        return yes_counties(y);
    }
    match (t.value, t.end_target) {
        (Some(v), Some(e)) if unit != Unit::YesNo => format!(
            "{} of {}",
            format_value(unit, v, currency),
            format_value(unit, e, currency)
        ),
        (Some(v), _) => format_value(unit, v, currency),
        (None, _) => "—".into(),
    }
}

/// How the figure was made from quarters and counties; None for a plain quarter's total.
pub fn describe(f: &Figure, span: &Span) -> Option<String> {
    let over = match f.kind {
        Kind::Quarter => None,
        Kind::Total { quarters } => Some(format!("total of {quarters} quarters")),
        Kind::MeanPerQuarter { .. } => Some("mean per quarter".to_string()),
        Kind::Latest => span
            .last()
            .map(|q| format!("latest quarter ({})", q.label())),
    };
    let counties = (f.county_mean && f.yes.is_none()).then_some("mean of counties");
    match (over, counties) {
        (None, None) => None,
        (Some(o), None) => Some(o),
        (None, Some(c)) => Some(c.to_string()),
        (Some(o), Some(c)) => Some(format!("{o}, {c}")),
    }
}

/// "5 of 7 counties: yes".
pub fn yes_counties(y: &YesCount) -> String {
    format!("{} of {} {}: yes", y.yes, y.of, counties_word(y.of))
}

/// A yes/no milestone: "7 of 7 counties".
pub fn yes_target(y: &YesCount) -> String {
    format!("{} of {} {}", y.yes, y.of, counties_word(y.of))
}

fn counties_word(n: usize) -> &'static str {
    if n == 1 {
        "county"
    } else {
        "counties"
    }
}

/// What a to-date figure is: "total to date (to Jun 2025)" or "latest (Apr–Jun 2025)".
pub fn to_date(t: &ToDate) -> String {
    match (t.running_total, t.through) {
        (true, Some(q)) => format!("total to date (to {})", q.end().format("%b %Y")),
        (true, None) => "total to date".into(),
        (false, Some(q)) => format!("latest ({})", q.label()),
        (false, None) => "latest".into(),
    }
}

/// How far a running total is in, when it is not all in: "21 of 22 county-quarters".
pub fn to_date_gaps(t: &ToDate) -> Option<String> {
    (t.running_total && t.reported < t.expected)
        .then(|| format!("{} of {} county-quarters in", t.reported, t.expected))
}

/// How much of a figure is in: "5 of 7 counties approved", or by county-quarters for a
/// span needing several quarters.
pub fn completeness(f: &Figure, approved: bool) -> String {
    let c = f.completeness;
    let word = if approved { "approved" } else { "in" };
    if c.quarters <= 1 {
        format!("{} of {} counties {word}", c.reported, c.expected)
    } else {
        format!("{} of {} county-quarters {word}", c.reported, c.expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::Period;
    use crate::figures::compute::Completeness;

    fn figure(kind: Kind, county_mean: bool) -> Figure {
        Figure {
            value: Some(1.0),
            completeness: Completeness {
                reported: 21,
                expected: 22,
                quarters: 4,
            },
            provisional: false,
            kind,
            county_mean,
            yes: None,
            target: None,
            target_yes: None,
            percent: None,
            rag: None,
            parts: vec![],
            by_county: vec![],
            hidden: vec![],
            to_date: ToDate {
                value: None,
                through: None,
                running_total: true,
                reported: 0,
                expected: 0,
                end_target: None,
                percent: None,
                yes: None,
            },
        }
    }

    #[test]
    fn a_figure_says_what_it_is() {
        let fy = Span::of(Period::parse("2024July").unwrap(), "quarterly").unwrap();
        assert_eq!(
            describe(&figure(Kind::Total { quarters: 4 }, false), &fy).as_deref(),
            Some("total of 4 quarters")
        );
        assert_eq!(
            describe(&figure(Kind::MeanPerQuarter { quarters: 4 }, true), &fy).as_deref(),
            Some("mean per quarter, mean of counties")
        );
        assert_eq!(
            describe(&figure(Kind::Latest, false), &fy).as_deref(),
            Some("latest quarter (Apr–Jun 2025)")
        );
        let q = Span::quarter(Period::parse("2025Q2").unwrap());
        assert_eq!(describe(&figure(Kind::Quarter, false), &q), None);
        assert_eq!(
            completeness(&figure(Kind::Quarter, false), true),
            "21 of 22 county-quarters approved"
        );
        assert_eq!(
            yes_counties(&YesCount { yes: 5, of: 7 }),
            "5 of 7 counties: yes"
        );
    }
}
