//! DHIS2 data exchange, the pure part: the `dataValueSets` shapes (JSON, XML in the DXF
//! 2.0 namespace, CSV) and ADX, written and read; the import summary DHIS2 answers with;
//! period identifiers as ADX writes them; and the identifier checks of the mappings.
//! Field names and their order follow dhis2-core's `DataValue.java` and the Web API
//! documentation (see `shared/standards.md` §2). No database and no HTTP here.

pub mod read;
pub mod summary;
pub mod write;

use crate::domain::period::{Period, PeriodKind};

/// DHIS2's default category option combo (and attribute option combo): what a value
/// without disaggregation is filed under.
pub const DEFAULT_COC_CODE: &str = "default";
pub const DEFAULT_COC_UID: &str = "HllvX50cXC0";

/// The DXF 2.0 namespace of `dataValueSet` XML.
pub const DXF_NAMESPACE: &str = "http://dhis2.org/schema/dxf/2.0";
/// The ADX namespace (IHE QRPH Aggregate Data Exchange, 2015).
pub const ADX_NAMESPACE: &str = "urn:ihe:qrph:adx:2015";

/// The CSV export header, exactly as DHIS2 writes it.
pub const CSV_HEADER: [&str; 10] = [
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "flwup",
];

/// Which identifier a file uses for its data elements, org units and option combos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum IdScheme {
    Uid,
    Code,
}

impl IdScheme {
    /// `uid` or `code`, in any case (DHIS2 writes them both ways). DHIS2's `name` and
    /// `attribute:…` schemes are refused with what Mipaka supports.
    pub fn parse(s: &str) -> Result<IdScheme, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "uid" | "id" => Ok(IdScheme::Uid),
            "code" => Ok(IdScheme::Code),
            other => Err(format!(
                "'{other}' is not an identifier scheme Mipaka exchanges: use uid or code"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IdScheme::Uid => "UID",
            IdScheme::Code => "CODE",
        }
    }
}

/// The identifier schemes of an exchange: the general `idScheme` and the specific ones,
/// each of which wins over the general one when given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdSchemes {
    pub data_element: IdScheme,
    pub org_unit: IdScheme,
    pub category_option_combo: IdScheme,
    pub attribute_option_combo: IdScheme,
}

impl IdSchemes {
    pub fn all(s: IdScheme) -> IdSchemes {
        IdSchemes {
            data_element: s,
            org_unit: s,
            category_option_combo: s,
            attribute_option_combo: s,
        }
    }

    /// From the request's parameters (names as DHIS2 spells them, any case); `default`
    /// when none is given (DHIS2: `uid`, but `code` for ADX).
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        default: IdScheme,
    ) -> Result<IdSchemes, (String, String)> {
        let mut general = None;
        let mut specific: [Option<IdScheme>; 4] = [None; 4];
        for (k, v) in params {
            let slot = match k.to_ascii_lowercase().as_str() {
                "idscheme" => None,
                "dataelementidscheme" => Some(0),
                "orgunitidscheme" => Some(1),
                "categoryoptioncomboidscheme" => Some(2),
                "attributeoptioncomboidscheme" => Some(3),
                _ => continue,
            };
            let s = IdScheme::parse(v).map_err(|m| (k.to_string(), m))?;
            match slot {
                None => general = Some(s),
                Some(i) => specific[i] = Some(s),
            }
        }
        let g = general.unwrap_or(default);
        Ok(IdSchemes {
            data_element: specific[0].unwrap_or(g),
            org_unit: specific[1].unwrap_or(g),
            category_option_combo: specific[2].unwrap_or(g),
            attribute_option_combo: specific[3].unwrap_or(g),
        })
    }
}

/// One data value as DHIS2 names its fields (`DataValue.java`), in its order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataValue {
    pub data_element: String,
    pub period: String,
    pub org_unit: String,
    pub category_option_combo: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub attribute_option_combo: String,
    pub value: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stored_by: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub created: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub last_updated: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub comment: String,
    pub followup: bool,
}

/// A whole exchange: set-level attributes (each a default for values that lack it) and
/// the values. ADX disaggregations arrive as category attributes (`SEX="FMLE"`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataValueSet {
    pub data_set: String,
    pub complete_date: String,
    pub period: String,
    pub org_unit: String,
    pub attribute_option_combo: String,
    pub values: Vec<Incoming>,
    /// Identifier schemes named in the payload itself (they win over the URL's).
    pub schemes: Vec<(String, String)>,
}

/// A value as read, with where it was in the payload (for conflicts) and, from ADX,
/// its category attributes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Incoming {
    /// "line 4" (CSV), "dataValues[3]" (JSON), "dataValue 4" (XML, ADX).
    pub at: String,
    pub value: DataValue,
    /// ADX: (category code, option code) pairs, in the order given.
    pub categories: Vec<(String, String)>,
}

/// A number as DHIS2 stores a value: whole numbers without a decimal point.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v}");
        if s.contains('e') {
            format!("{v:.6}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            s
        }
    }
}

/// A DHIS2 UID: 11 characters, a letter then letters or digits.
pub fn is_uid(s: &str) -> bool {
    s.len() == 11
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Why a code cannot be a DHIS2 code (at most 50 characters, no control characters);
/// `xml_name` also asks for a valid XML attribute name (ADX category codes).
pub fn code_problem(s: &str, xml_name: bool) -> Option<String> {
    if s.chars().count() > 50 {
        return Some("a DHIS2 code has at most 50 characters".into());
    }
    if s.chars().any(|c| c.is_control()) {
        return Some("a code cannot hold control characters (tab, line break)".into());
    }
    if s.trim() != s {
        return Some("a code cannot start or end with a space".into());
    }
    if xml_name {
        let ok_start = s
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_');
        let ok_rest = s
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.');
        if !ok_start || !ok_rest || s.to_ascii_lowercase().starts_with("xml") {
            return Some(
                "an ADX category code names an XML attribute: a letter or _ first, then letters, digits, _ - or . (and not xml…)".into(),
            );
        }
        if [
            "dataelement",
            "value",
            "categoryoptioncombo",
            "comment",
            "period",
            "orgunit",
        ]
        .contains(&s.to_ascii_lowercase().as_str())
        {
            return Some(format!("'{s}' is an attribute ADX itself uses"));
        }
    }
    None
}

/// A period as ADX writes it: first day and ISO 8601 duration, `2026-10-01/P3M`.
pub fn adx_period(p: &Period) -> String {
    let months = match p.kind() {
        PeriodKind::Month => "P1M",
        PeriodKind::Quarter => "P3M",
        PeriodKind::SixMonth => "P6M",
        _ => "P1Y",
    };
    format!("{}/{months}", p.start().format("%Y-%m-%d"))
}

/// An ADX period back to a period Mipaka knows: `2026-10-01/P3M` → 2026Q4. The first day
/// must begin such a period (a quarter starts in January, April, July or October); a year
/// starting in April, July or October is that financial year.
pub fn parse_adx_period(s: &str) -> Result<Period, String> {
    let bad = |why: &str| format!("'{s}' is not an ADX period ({why}); write e.g. 2026-10-01/P3M");
    let (start, duration) = s
        .trim()
        .split_once('/')
        .ok_or_else(|| bad("start/duration"))?;
    let day = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d")
        .map_err(|_| bad("the first day is not a date"))?;
    use chrono::Datelike;
    if day.day() != 1 {
        return Err(bad("periods start on the first of a month"));
    }
    let (y, m) = (day.year(), day.month());
    let found = match duration.to_ascii_uppercase().as_str() {
        "P1M" => Period::month(y, m),
        "P3M" if (m - 1) % 3 == 0 => Period::quarter(y, (m - 1) / 3 + 1),
        "P6M" if m == 1 || m == 7 => Period::six_month(y, m.div_ceil(6)),
        "P1Y" | "P12M" if m == 1 => Period::parse(&y.to_string()).ok(),
        "P1Y" | "P12M" => Period::financial_year(y, m),
        "P3M" | "P6M" => return Err(bad("a quarter or half-year must start at its first month")),
        _ => return Err(bad("Mipaka reads P1M, P3M, P6M and P1Y")),
    };
    found.ok_or_else(|| bad("no such period"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adx_periods_go_both_ways() {
        for id in [
            "2026Q4",
            "202609",
            "2026S2",
            "2026",
            "2026July",
            "2026April",
            "2025Oct",
        ] {
            let p = Period::parse(id).unwrap();
            assert_eq!(parse_adx_period(&adx_period(&p)).unwrap(), p, "{id}");
        }
        assert_eq!(
            adx_period(&Period::parse("2026Q4").unwrap()),
            "2026-10-01/P3M"
        );
        assert!(parse_adx_period("2026-09-01/P3M").is_err());
        assert!(parse_adx_period("2026-10-02/P3M").is_err());
        assert!(parse_adx_period("2026-10-01/P7D").is_err());
        assert!(parse_adx_period("2026Q4").is_err());
    }

    #[test]
    fn schemes_specific_win_over_general() {
        let s = IdSchemes::from_params(
            [("idScheme", "code"), ("orgUnitIdScheme", "UID")],
            IdScheme::Uid,
        )
        .unwrap();
        assert_eq!(s.data_element, IdScheme::Code);
        assert_eq!(s.org_unit, IdScheme::Uid);
        let e = IdSchemes::from_params([("idScheme", "name")], IdScheme::Uid).unwrap_err();
        assert_eq!(e.0, "idScheme");
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(is_uid(DEFAULT_COC_UID));
        assert!(!is_uid("1bcdefghijk"));
        assert!(!is_uid("abc"));
        assert!(code_problem("LBP_DE_1", false).is_none());
        assert!(code_problem("SEX", true).is_none());
        assert!(code_problem("1SEX", true).is_some());
        assert!(code_problem("value", true).is_some());
        assert!(code_problem(&"x".repeat(51), false).is_some());
    }

    #[test]
    fn numbers_are_written_as_dhis2_stores_them() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
    }
}
