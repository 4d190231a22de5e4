//! One IATI activity with results, as the schema's elements. Codes are IATI codelist
//! codes; dates are ISO dates.

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    /// The IATI organisation identifier ("XM-DAC-47066"); "" when the partner has none.
    pub reference: String,
    /// OrganisationType code ("40" multilateral …); "" unknown.
    pub org_type: String,
    pub name: String,
}

/// A county the programme works in: `iati-activity/location`, referred to from results.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// "KE-KNBS-040": the county's KNBS code under a prefix that says so.
    pub reference: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub identifier: String,
    pub reporting_org: Org,
    pub title: String,
    pub description: String,
    /// OrganisationRole code (1 funding … 4 implementing) and the organisation.
    pub participants: Vec<(u8, Org)>,
    /// ActivityStatus code: 1 pipeline, 2 implementation, 3 finalisation, 4 closed.
    pub status: u8,
    /// ActivityDateType code (1 planned start, 2 actual start, 3 planned end, 4 actual
    /// end) and the date.
    pub dates: Vec<(u8, NaiveDate)>,
    pub currency: String,
    pub last_updated: NaiveDateTime,
    pub places: Vec<Place>,
    /// DAC 5-digit sectors (vocabulary 1) with their percentages.
    pub sectors: Vec<super::sector::Sector>,
    /// The planned budget of each fiscal year.
    pub budgets: Vec<Budget>,
    /// Each ended quarter's expenditure from approved activity spend.
    pub transactions: Vec<Transaction>,
    pub results: Vec<ResultElement>,
    /// Not written to the file: what it leaves out under the indicators' publication
    /// levels and small-number rules, for the publish preview.
    pub withheld: Vec<crate::figures::shared::Withheld>,
}

/// One fiscal year's planned budget: `budget type="1" status="1"` (original, indicative).
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// In the activity's currency, minor units (pence).
    pub amount_minor: i64,
}

/// One quarter's expenditure: `transaction` of type 4, dated the quarter's last day.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub date: NaiveDate,
    /// In the activity's currency, minor units; negative for a correction.
    pub amount_minor: i64,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResultElement {
    /// ResultType code: 1 output, 2 outcome, 3 impact.
    pub result_type: u8,
    /// "Outcome 1: …"
    pub title: String,
    pub indicators: Vec<IndicatorElement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorElement {
    /// The indicator's code in the programme ("LBP-1.2"), also its reference code.
    pub code: String,
    /// IndicatorMeasure code: 1 unit, 2 percentage, 3 nominal, 4 ordinal, 5 qualitative.
    pub measure: u8,
    pub ascending: bool,
    pub title: String,
    pub description: String,
    /// Where the indicator is defined (reference/@indicator-uri).
    pub uri: String,
    pub baseline: Option<Baseline>,
    pub periods: Vec<PeriodElement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub year: i32,
    pub date: Option<NaiveDate>,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PeriodElement {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub targets: Vec<Point>,
    pub actuals: Vec<Point>,
}

/// A target or actual value: for the whole programme, or one county (`location`), or one
/// part (`dimension`).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub value: f64,
    pub location: Option<String>,
    pub dimension: Option<(String, String)>,
    pub comment: Option<String>,
}

impl Point {
    pub fn total(value: f64) -> Point {
        Point {
            value,
            location: None,
            dimension: None,
            comment: None,
        }
    }
}
