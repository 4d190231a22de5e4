//! Exporting a programme's approved values the DHIS2 way: `dataValueSets` JSON, XML and
//! CSV, and ADX, for one period or a date range, in the identifier schemes asked for.
//! A value whose indicator, county or part has no identifier in the scheme is left out,
//! and the exchange names each such item (the HTTP header `X-Mipaka-Unmapped`, an XML
//! comment, the command line's report). Only approved values leave, and only what the
//! "partners" audience may see ([`disclosed`]).

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};

use super::mapping::Mappings;
use crate::db::DbConn;
use crate::domain::dhis2::write::{self, AdxGroup, AdxValue};
use crate::domain::dhis2::{adx_period, number, DataValue, IdScheme, IdSchemes};
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::dhis2::{self as store, ApprovedRow};
use crate::models::programme::Programme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
    Csv,
    Adx,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "xml" => Ok(Format::Xml),
            "csv" => Ok(Format::Csv),
            "adx" | "adx+xml" => Ok(Format::Adx),
            other => Err(format!(
                "'{other}' is not a format: use json, xml, csv or adx"
            )),
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
            Format::Csv => "application/csv",
            Format::Adx => "application/adx+xml",
        }
    }
}

/// Which values: one period's, or those of every period within a date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Period(Period),
    Range(NaiveDate, NaiveDate),
}

impl Span {
    /// From a period, or a start and end date (`2026-01-01`), as DHIS2 takes them.
    pub fn from_params(
        period: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
    ) -> AppResult<Span> {
        let date = |field: &str, s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                AppError::invalid(
                    field,
                    format!("'{s}' is not a date: write it as 2026-10-01"),
                )
            })
        };
        match (period.filter(|s| !s.trim().is_empty()), start, end) {
            (Some(p), _, _) => Period::parse(p)
                .map(Span::Period)
                .map_err(|e| AppError::invalid("period", e.to_string())),
            (None, Some(s), Some(e)) => {
                let (s, e) = (date("startDate", s)?, date("endDate", e)?);
                if e < s {
                    return Err(AppError::invalid(
                        "endDate",
                        "the end date is before the start date",
                    ));
                }
                Ok(Span::Range(s, e))
            }
            _ => Err(AppError::invalid(
                "period",
                "say which values: period=2026Q4, or startDate=2026-01-01 and endDate=2026-12-31",
            )),
        }
    }
}

/// What an export produced.
#[derive(Debug, Clone)]
pub struct Exported {
    pub body: String,
    pub format: Format,
    pub values: usize,
    /// Each item left out for want of an identifier, in words.
    pub unmapped: Vec<String>,
    /// Each figure withheld by the programme's publication rules, in words.
    pub withheld: Vec<String>,
}

impl Exported {
    /// One line naming what was left out, for a header or a file's comment.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.unmapped.is_empty() {
            parts.push(format!(
                "not exported, unmapped: {}",
                self.unmapped.join("; ")
            ));
        }
        if !self.withheld.is_empty() {
            parts.push(format!("withheld: {}", self.withheld.join("; ")));
        }
        (!parts.is_empty()).then(|| parts.join(" | "))
    }
}

/// The data values of an export, before they are written in a format, with their
/// Mipaka parts (for ADX categories).
struct Row {
    dv: DataValue,
    part: String,
}

pub fn export(
    conn: &mut DbConn,
    p: &Programme,
    span: Span,
    schemes: IdSchemes,
    format: Format,
    now: NaiveDateTime,
) -> AppResult<Exported> {
    export_of(conn, p, span, schemes, format, None, now)
}

/// Organisation units as `orgUnit=` names them, and the scheme they are named by.
#[derive(Debug, Clone, Copy)]
pub struct OrgUnits<'a> {
    pub ids: &'a [String],
    pub scheme: IdScheme,
}

/// The county codes of the organisation units named, by the programme's mapping; an
/// unknown one is refused, naming it.
fn counties_named(m: &Mappings, p: &Programme, o: OrgUnits<'_>) -> AppResult<BTreeSet<String>> {
    let by = o.scheme.as_str().to_lowercase();
    o.ids
        .iter()
        .map(|ou| {
            m.find("org_unit", ou, o.scheme)
                .map(|i| i.item.clone())
                .ok_or_else(|| {
                    AppError::invalid(
                        "orgUnit",
                        format!(
                            "orgUnit '{ou}' is not an organisation unit of {} (by {by}): give the {by} of one of its counties as mapped",
                            p.code
                        ),
                    )
                })
        })
        .collect()
}

/// An export of some organisation units only (`None` or none named: all), as
/// `orgUnit=` asks. The publication rules are applied to the whole programme first, so a
/// figure withheld with its complement stays withheld whichever counties are asked for.
pub fn export_of(
    conn: &mut DbConn,
    p: &Programme,
    span: Span,
    schemes: IdSchemes,
    format: Format,
    org_units: Option<OrgUnits<'_>>,
    now: NaiveDateTime,
) -> AppResult<Exported> {
    let m = Mappings::load(conn, p)?;
    let counties = match org_units.filter(|o| !o.ids.is_empty()) {
        Some(o) => Some(counties_named(&m, p, o)?),
        None => None,
    };
    let counties = counties.as_ref();
    let (from, to, period) = match span {
        Span::Period(q) => (q.start(), q.end(), Some(q.id())),
        Span::Range(s, e) => (s, e, None),
    };
    let approved = store::approved_between(conn, p.id, from, to, period.as_deref())?;
    let (rows, withheld) = disclosed(conn, p, approved)?;
    let mut unmapped: BTreeSet<String> = BTreeSet::new();
    let aoc = m
        .id("aoc", "", schemes.attribute_option_combo)
        .unwrap_or_default();
    let mut out = Vec::new();
    for r in rows {
        if counties.is_some_and(|cs| !cs.contains(&r.county_code)) {
            continue;
        }
        let v = &r.value;
        let de = m.id("data_element", &r.indicator_code, schemes.data_element);
        let ou = m.id("org_unit", &r.county_code, schemes.org_unit);
        let coc = m.id("coc", &v.disaggregation, schemes.category_option_combo);
        let scheme = |s: IdScheme| s.as_str().to_lowercase();
        if de.is_none() {
            unmapped.insert(format!(
                "indicator {} has no data element {}",
                r.indicator_code,
                scheme(schemes.data_element)
            ));
        }
        if ou.is_none() {
            unmapped.insert(format!(
                "county {} has no organisation unit {}",
                r.county_code,
                scheme(schemes.org_unit)
            ));
        }
        if coc.is_none() {
            unmapped.insert(format!(
                "part {} has no category option combo {}",
                v.disaggregation,
                scheme(schemes.category_option_combo)
            ));
        }
        let (Some(de), Some(ou), Some(coc)) = (de, ou, coc) else {
            continue;
        };
        let stamp = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
        out.push(Row {
            dv: DataValue {
                data_element: de,
                period: v.period.clone(),
                org_unit: ou,
                category_option_combo: coc,
                attribute_option_combo: aoc.clone(),
                value: number(v.value),
                // Who entered it; values loaded by the system (demonstration, scripts) say so.
                stored_by: r.entered_by.clone().unwrap_or_else(|| "mipaka".into()),
                created: stamp(v.entered_at),
                last_updated: stamp(v.reviewed_at.unwrap_or(v.entered_at)),
                comment: v.comment.clone().unwrap_or_default(),
                followup: false,
            },
            part: v.disaggregation.clone(),
        });
    }
    let mut exported = Exported {
        body: String::new(),
        format,
        values: out.len(),
        unmapped: unmapped.into_iter().collect(),
        withheld,
    };
    let note = exported.note();
    let values: Vec<DataValue> = out.iter().map(|r| r.dv.clone()).collect();
    exported.body = match format {
        Format::Json => write::json(&values),
        Format::Xml => write::xml(&values, note.as_deref()),
        Format::Csv => write::csv(&values),
        Format::Adx => write::adx(
            &adx_groups(&m, &out, &aoc),
            &now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            note.as_deref(),
        ),
    };
    Ok(exported)
}

/// ADX groups: one per org unit and period, in the order the values come. A part whose
/// category and option both have ADX codes is written as a category attribute
/// (`SEX="FMLE"`); otherwise as its category option combo.
fn adx_groups(m: &Mappings, rows: &[Row], aoc: &str) -> Vec<AdxGroup> {
    let mut groups: Vec<AdxGroup> = Vec::new();
    for r in rows {
        let period = match Period::parse(&r.dv.period) {
            Ok(p) => adx_period(&p),
            Err(_) => continue,
        };
        let categories = match r.part.split_once('=') {
            Some((cat, _)) => {
                let c = m
                    .get("adx_category", cat)
                    .map(|i| i.ids().code)
                    .filter(|c| !c.is_empty());
                let o = m
                    .get("adx_option", &r.part)
                    .map(|i| i.ids().code)
                    .filter(|c| !c.is_empty());
                match (c, o) {
                    (Some(c), Some(o)) => vec![(c, o)],
                    _ => Vec::new(),
                }
            }
            None => Vec::new(),
        };
        let value = AdxValue {
            data_element: r.dv.data_element.clone(),
            category_option_combo: if categories.is_empty() {
                r.dv.category_option_combo.clone()
            } else {
                String::new()
            },
            categories,
            value: r.dv.value.clone(),
            comment: r.dv.comment.clone(),
        };
        match groups
            .iter_mut()
            .find(|g| g.org_unit == r.dv.org_unit && g.period == period)
        {
            Some(g) => g.values.push(value),
            None => groups.push(AdxGroup {
                org_unit: r.dv.org_unit.clone(),
                period,
                data_set: m.programme.code.clone(),
                attribute_option_combo: aoc.to_string(),
                values: vec![value],
            }),
        }
    }
    groups
}

/// What of the approved values may leave Mipaka in a DHIS2 exchange (a "partners"
/// output, `crate::domain::disclosure`): an internal indicator's values never leave, and
/// a county figure under its indicator's small-number rule is withheld (with the figure
/// that would let it be worked out from the total) — a number is required here, so
/// "fewer than N" is withheld too. Returns the values that may leave and, in words, each
/// figure held back.
pub fn disclosed(
    conn: &mut DbConn,
    p: &Programme,
    rows: Vec<ApprovedRow>,
) -> AppResult<(Vec<ApprovedRow>, Vec<String>)> {
    use crate::domain::disclosure::{protect, Audience, Shown};
    use std::collections::{BTreeMap, HashMap};
    let audience = Audience::Partners;
    let rules: HashMap<i32, _> = crate::models::framework::indicators_of(conn, p.id)?
        .into_iter()
        .map(|i| (i.id, (i.level(), i.small_rule(), i.code.clone())))
        .collect();
    let mut withheld = Vec::new();
    let mut internal: BTreeSet<String> = BTreeSet::new();
    // County cells of one indicator, period and part, protected together.
    let mut groups: BTreeMap<(i32, String, String), Vec<usize>> = BTreeMap::new();
    for (n, r) in rows.iter().enumerate() {
        let Some((level, _, code)) = rules.get(&r.value.indicator_id) else {
            continue;
        };
        if !audience.may_see(*level) {
            internal.insert(code.clone());
            continue;
        }
        groups
            .entry((
                r.value.indicator_id,
                r.value.period.clone(),
                r.value.disaggregation.clone(),
            ))
            .or_default()
            .push(n);
    }
    let mut keep = vec![false; rows.len()];
    for ((indicator, period, part), members) in groups {
        let rule = rules.get(&indicator).and_then(|x| x.1);
        let cells: Vec<(usize, f64)> = members.iter().map(|n| (*n, rows[*n].value.value)).collect();
        for (n, shown) in protect(&cells, rule, audience) {
            match shown {
                Shown::Value(_) => keep[n] = true,
                Shown::Hidden(h) => withheld.push(format!(
                    "{} {period}{} county {}: {}",
                    rows[n].indicator_code,
                    if part.is_empty() {
                        String::new()
                    } else {
                        format!(" {part}")
                    },
                    rows[n].county_code,
                    h.reason()
                )),
            }
        }
    }
    for code in internal {
        withheld.push(format!(
            "indicator {code} is internal: its values never leave Mipaka"
        ));
    }
    let out = rows
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect();
    Ok((out, withheld))
}
