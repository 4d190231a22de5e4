//! What the county tables call their columns, by the kind of period the report is
//! for: a fiscal-year report compares with the previous fiscal year, not "the previous
//! quarter", and says how each indicator's year was made from its quarters.

use crate::domain::period::{Period, PeriodKind};
use crate::figures::Kind;

/// The comparison column's title: the period before the report's, named as the
/// ministry names it.
pub fn previous_column(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month => "Previous month",
        PeriodKind::Quarter => "Previous quarter",
        PeriodKind::SixMonth => "Previous half-year",
        PeriodKind::Year => "Previous year",
        PeriodKind::FinancialJuly | PeriodKind::FinancialOctober => "Previous FY",
        PeriodKind::FinancialApril => "Previous UK FY",
    }
}

/// The value column's title, e.g. "This county, FY" for a fiscal year.
pub fn this_column(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month | PeriodKind::Quarter => "This county",
        PeriodKind::SixMonth => "This county, half-year",
        PeriodKind::Year => "This county, year",
        PeriodKind::FinancialJuly | PeriodKind::FinancialOctober | PeriodKind::FinancialApril => {
            "This county, FY"
        }
    }
}

/// How a figure over several quarters was made, said after the indicator's title so
/// a year's figure is never read as one quarter's: None for a single quarter.
pub fn over_quarters(kind: Kind, period: &Period) -> Option<String> {
    let last = period.quarters().last().copied();
    match kind {
        Kind::Quarter => None,
        Kind::Total { quarters } => Some(format!("total of {quarters} quarters")),
        Kind::MeanPerQuarter { .. } => Some("mean per quarter".into()),
        Kind::Latest => last.map(|q| format!("latest quarter, {}", q.label())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fiscal_year_compares_with_the_previous_fiscal_year() {
        let fy = Period::parse("2025July").unwrap();
        assert_eq!(previous_column(fy.kind()), "Previous FY");
        assert_eq!(this_column(fy.kind()), "This county, FY");
        let half = Period::parse("2026S1").unwrap();
        assert_eq!(previous_column(half.kind()), "Previous half-year");
        let q = Period::parse("2026Q2").unwrap();
        assert_eq!(previous_column(q.kind()), "Previous quarter");
        assert_eq!(this_column(q.kind()), "This county");
    }

    #[test]
    fn a_years_figure_says_how_its_quarters_were_combined() {
        let fy = Period::parse("2025July").unwrap();
        assert_eq!(
            over_quarters(Kind::Total { quarters: 4 }, &fy).as_deref(),
            Some("total of 4 quarters")
        );
        assert_eq!(
            over_quarters(Kind::Latest, &fy).as_deref(),
            Some("latest quarter, Apr–Jun 2026")
        );
        assert_eq!(over_quarters(Kind::Quarter, &fy), None);
    }
}
