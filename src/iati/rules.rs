//! What the IATI Validator checks beyond the schema, checked before a file leaves:
//! the result rules (8.x), the codelists the file uses (9.x) and the identifier and
//! date rules (1.x, 11.x) of IATI/js-validator-api's data-quality rules. Pure.

use chrono::{NaiveDate, NaiveDateTime};

use super::model::{Activity, Point};
use crate::domain::codelist::{is_currency, ORGANISATION_TYPES};

/// One problem, by where it is: the element and, for results, the indicator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The IATI Validator's rule ("8.6.1"), or what else is broken: "codelist" (a code
    /// not in its list), "schema", "guidance" (IATI's results guidance), "reference" (a
    /// location the activity does not define), "future" (an actual or a transaction for
    /// a period not yet over), "budget" (a budget period or value), "sector" (none set:
    /// IATI wants sectors on the activity or on every transaction).
    pub rule: &'static str,
    pub element: String,
    pub indicator: Option<String>,
    pub message: String,
}

/// Records a problem: rule, element, indicator, message.
type Add<'a> = dyn FnMut(&'static str, &str, Option<&str>, String) + 'a;

const RESULT_TYPES: [u8; 4] = [1, 2, 3, 9];
const MEASURES: [u8; 5] = [1, 2, 3, 4, 5];
const STATUSES: [u8; 6] = [1, 2, 3, 4, 5, 6];
const DATE_TYPES: [u8; 4] = [1, 2, 3, 4];
const ROLES: [u8; 4] = [1, 2, 3, 4];

/// Every problem with `a` as of `now` (UTC), none when it may be published.
pub fn check(a: &Activity, now: NaiveDateTime) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut add = |rule, element: &str, indicator: Option<&str>, message: String| {
        out.push(Problem {
            rule,
            element: element.into(),
            indicator: indicator.map(str::to_string),
            message,
        })
    };
    let org = &a.reporting_org.reference;
    if org.is_empty() {
        add("1.1.1", "reporting-org", None, "the publishing partner has no IATI organisation identifier: set it on the partner (e.g. XM-DAC-47066)".into());
    } else if !a.identifier.starts_with(&format!("{org}-")) {
        add("1.1.1", "iati-identifier", None, format!("'{}' should start with the reporting organisation's identifier followed by '-' ({org}-…)", a.identifier));
    }
    if a.identifier == *org {
        add(
            "1.1.3",
            "iati-identifier",
            None,
            "the activity identifier must differ from the organisation's".into(),
        );
    }
    if let Some(c) = a
        .identifier
        .chars()
        .find(|c| matches!(c, '/' | '&' | '|' | '?' | ' '))
    {
        add(
            "1.3.13",
            "iati-identifier",
            None,
            format!(
                "'{}' contains '{c}', which IATI identifiers may not",
                a.identifier
            ),
        );
    }
    if a.last_updated > now {
        add(
            "11.1.1",
            "iati-activity/@last-updated-datetime",
            None,
            "lies in the future".into(),
        );
    }
    if !STATUSES.contains(&a.status) {
        add(
            "codelist",
            "activity-status",
            None,
            format!("{} is not an ActivityStatus code", a.status),
        );
    }
    if !is_currency(&a.currency) {
        add(
            "codelist",
            "iati-activity/@default-currency",
            None,
            format!("'{}' is not an ISO 4217 currency", a.currency),
        );
    }
    let date = |kind: u8| a.dates.iter().find(|(k, _)| *k == kind).map(|(_, d)| *d);
    for (kind, d) in &a.dates {
        if !DATE_TYPES.contains(kind) {
            add(
                "codelist",
                "activity-date",
                None,
                format!("{kind} is not an ActivityDateType code"),
            );
        }
        if matches!(kind, 2 | 4) && *d > now.date() {
            add(
                "11.1.4",
                "activity-date",
                None,
                format!(
                    "the actual {} date {d} lies in the future",
                    if *kind == 2 { "start" } else { "end" }
                ),
            );
        }
    }
    if date(1).is_none() && date(2).is_none() {
        add(
            "6.11.1",
            "activity-date",
            None,
            "a planned or actual start date is needed".into(),
        );
    }
    if let (Some(s), Some(e)) = (date(1), date(3)) {
        if s > e {
            add(
                "11.1.2",
                "activity-date",
                None,
                format!("the planned start {s} is after the planned end {e}"),
            );
        }
    }
    if let (Some(s), Some(e)) = (date(2), date(4)) {
        if s > e {
            add(
                "11.1.3",
                "activity-date",
                None,
                format!("the actual start {s} is after the actual end {e}"),
            );
        }
    }
    for (role, o) in &a.participants {
        if !ROLES.contains(role) {
            add(
                "codelist",
                "participating-org",
                None,
                format!("{role} is not an OrganisationRole code ({})", o.name),
            );
        }
        if !o.org_type.is_empty() && !ORGANISATION_TYPES.iter().any(|(c, _)| *c == o.org_type) {
            add(
                "codelist",
                "participating-org",
                None,
                format!(
                    "'{}' is not an OrganisationType code ({})",
                    o.org_type, o.name
                ),
            );
        }
    }
    for b in &a.budgets {
        if b.start >= b.end {
            add(
                "budget",
                "budget/period",
                None,
                format!("starts {} on or after it ends {}", b.start, b.end),
            );
        }
        if b.end - b.start > chrono::Duration::days(366) {
            add(
                "budget",
                "budget/period",
                None,
                format!("{} to {} is longer than a year", b.start, b.end),
            );
        }
        if b.amount_minor < 0 {
            add(
                "budget",
                "budget/value",
                None,
                format!("the budget from {} is negative", b.start),
            );
        }
    }
    if a.sectors.is_empty() {
        add(
            "sector",
            "sector",
            None,
            "no DAC sector: set what the programme's money is for (e.g. 15210 Security system management and reform) under Sectors".into(),
        );
    }
    for t in &a.transactions {
        if t.date > now.date() {
            add(
                "future",
                "transaction/transaction-date",
                None,
                format!("the expenditure dated {} is in the future", t.date),
            );
        }
    }
    let places: Vec<&str> = a.places.iter().map(|p| p.reference.as_str()).collect();
    for r in &a.results {
        if !RESULT_TYPES.contains(&r.result_type) {
            add(
                "9.55.1",
                "result/@type",
                None,
                format!("{} is not a ResultType code", r.result_type),
            );
        }
        if r.indicators.is_empty() {
            add(
                "schema",
                "result",
                None,
                format!("“{}” has no indicator", r.title),
            );
        }
        for i in &r.indicators {
            let ind = Some(i.code.as_str());
            if !MEASURES.contains(&i.measure) {
                add(
                    "9.60.1",
                    "indicator/@measure",
                    ind,
                    format!("{} is not an IndicatorMeasure code", i.measure),
                );
            }
            let numeric = i.measure != 5;
            if numeric && i.baseline.is_none() {
                add(
                    "8.8.1",
                    "indicator/baseline",
                    ind,
                    "no baseline: set the indicator's baseline value and date".into(),
                );
            }
            if let Some(b) = &i.baseline {
                if !b.value.is_finite() {
                    add(
                        "8.8.2",
                        "indicator/baseline/@value",
                        ind,
                        "is not a number".into(),
                    );
                }
            }
            if i.uri.is_empty() {
                add(
                    "guidance",
                    "indicator/reference/@indicator-uri",
                    ind,
                    "vocabulary 99 needs the indicator's address".into(),
                );
            }
            for p in &i.periods {
                if p.start >= p.end {
                    add(
                        "8.6.1",
                        "indicator/period",
                        ind,
                        format!("starts {} on or after it ends {}", p.start, p.end),
                    );
                }
                let check_points = |tag: &str, points: &[Point], add: &mut Add| {
                    for pt in points {
                        if !pt.value.is_finite() {
                            add(
                                if tag == "target" { "8.9.2" } else { "8.10.2" },
                                &format!("indicator/period/{tag}/@value"),
                                ind,
                                format!("{} {}: not a number", p.start, p.end),
                            );
                        }
                        if let Some(l) = &pt.location {
                            if !places.contains(&l.as_str()) {
                                add(
                                    "reference",
                                    &format!("indicator/period/{tag}/location"),
                                    ind,
                                    format!("'{l}' is not one of the activity's locations"),
                                );
                            }
                        }
                    }
                };
                check_points("target", &p.targets, &mut add);
                check_points("actual", &p.actuals, &mut add);
                if p.end > future_limit(now) && !p.actuals.is_empty() {
                    add(
                        "future",
                        "indicator/period/actual",
                        ind,
                        format!(
                            "an actual value for a period ending {} lies in the future",
                            p.end
                        ),
                    );
                }
            }
        }
    }
    out
}

/// Actual values are only for periods that have ended.
fn future_limit(now: NaiveDateTime) -> NaiveDate {
    now.date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iati::model::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn good() -> Activity {
        let org = Org {
            reference: "XM-DAC-47066".into(),
            org_type: "40".into(),
            name: "IOM".into(),
        };
        Activity {
            identifier: "XM-DAC-47066-LBP".into(),
            reporting_org: org.clone(),
            title: "Land Border Programme".into(),
            description: "Border management".into(),
            participants: vec![(4, org)],
            status: 2,
            dates: vec![(1, d(2022, 7, 1)), (3, d(2027, 6, 30)), (2, d(2022, 7, 1))],
            currency: "GBP".into(),
            last_updated: d(2026, 12, 6).and_hms_opt(10, 0, 0).unwrap(),
            places: vec![Place {
                reference: "KE-KNBS-040".into(),
                name: "Busia".into(),
            }],
            sectors: vec![crate::iati::sector::Sector {
                code: "15210".into(),
                percentage: 100.0,
            }],
            budgets: vec![Budget {
                start: d(2026, 7, 1),
                end: d(2027, 6, 30),
                amount_minor: 7_098_574_100,
            }],
            transactions: vec![],
            results: vec![ResultElement {
                result_type: 2,
                title: "Outcome 1".into(),
                indicators: vec![IndicatorElement {
                    code: "LBP-1.1".into(),
                    measure: 1,
                    ascending: true,
                    title: "Officers trained".into(),
                    description: String::new(),
                    uri: "https://mipaka.example/programmes/LBP/indicators/LBP-1.1".into(),
                    baseline: Some(Baseline {
                        year: 2022,
                        date: Some(d(2022, 6, 30)),
                        value: 0.0,
                    }),
                    periods: vec![PeriodElement {
                        start: d(2026, 7, 1),
                        end: d(2026, 9, 30),
                        targets: vec![Point::total(40.0)],
                        actuals: vec![Point {
                            value: 12.0,
                            location: Some("KE-KNBS-040".into()),
                            dimension: None,
                            comment: None,
                        }],
                    }],
                }],
            }],
            withheld: vec![],
        }
    }

    fn now() -> NaiveDateTime {
        d(2026, 12, 6).and_hms_opt(12, 0, 0).unwrap()
    }

    fn rules_of(a: &Activity) -> Vec<&'static str> {
        check(a, now()).iter().map(|p| p.rule).collect()
    }

    #[test]
    fn a_good_activity_has_no_problem() {
        assert_eq!(check(&good(), now()), vec![]);
    }

    #[test]
    fn identifiers_are_prefixed_by_the_reporting_organisation_and_clean() {
        let mut a = good();
        a.identifier = "GB-GOV-1-LBP".into();
        assert_eq!(rules_of(&a), vec!["1.1.1"]);
        a.identifier = "XM-DAC-47066-LBP/2".into();
        assert_eq!(rules_of(&a), vec!["1.3.13"]);
        a.reporting_org.reference.clear();
        assert!(rules_of(&a).contains(&"1.1.1"));
    }

    #[test]
    fn periods_start_before_they_end_and_actuals_are_not_in_the_future() {
        let mut a = good();
        let p = &mut a.results[0].indicators[0].periods[0];
        p.end = p.start;
        assert_eq!(rules_of(&a), vec!["8.6.1"]);
        let mut a = good();
        let p = &mut a.results[0].indicators[0].periods[0];
        (p.start, p.end) = (d(2027, 1, 1), d(2027, 3, 31));
        assert_eq!(rules_of(&a), vec!["future"]);
        let mut a = good();
        a.sectors.clear();
        assert_eq!(rules_of(&a), vec!["sector"]);
    }

    #[test]
    fn values_baselines_and_codes_are_checked() {
        let mut a = good();
        a.results[0].indicators[0].baseline = None;
        assert_eq!(rules_of(&a), vec!["8.8.1"]);
        let mut a = good();
        a.results[0].indicators[0].periods[0].targets[0].value = f64::NAN;
        assert_eq!(rules_of(&a), vec!["8.9.2"]);
        let mut a = good();
        a.results[0].indicators[0].periods[0].actuals[0].location = Some("KE-KNBS-999".into());
        assert_eq!(rules_of(&a), vec!["reference"]);
        let mut a = good();
        a.results[0].result_type = 5;
        a.results[0].indicators[0].measure = 7;
        a.currency = "XYZ".into();
        assert_eq!(rules_of(&a), vec!["codelist", "9.55.1", "9.60.1"]);
        let mut a = good();
        a.dates.push((4, d(2027, 1, 1)));
        assert_eq!(rules_of(&a), vec!["11.1.4"]);
        let mut a = good();
        a.budgets[0].end = d(2027, 12, 31);
        assert_eq!(rules_of(&a), vec!["budget"]);
        let mut a = good();
        a.transactions.push(super::super::model::Transaction {
            date: d(2026, 12, 31),
            amount_minor: 100,
            description: "Expenditure in 2026Q4".into(),
        });
        assert_eq!(rules_of(&a), vec!["future"]);
    }
}
