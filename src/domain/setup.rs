//! Checking what a person typed to set up a programme: the programme itself, its
//! phases, partners, results framework, indicators, interim targets, budget lines and
//! disaggregation categories. Pure: the pages, the API, the logframe spreadsheet and
//! the demonstration loader all pass their input through here as text, and every
//! problem names its field.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::achievement::{Direction, RagThresholds};
use super::aggregation::{CountyAggregation, PeriodAggregation};
use super::codelist;
use super::entry::parse_typed;
use super::period::{Period, PeriodKind};
use super::plan::{parse_money, FieldErrors};
use super::unit::Unit;

/// Text from a form, a spreadsheet cell or JSON, where JSON may also send a number or
/// a boolean: all arrive here as the text a person would have typed.
pub fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Any {
        Text(String),
        Int(i64),
        Float(f64),
        Bool(bool),
        Null(()),
    }
    Ok(match Option::<Any>::deserialize(d)? {
        None | Some(Any::Null(())) => String::new(),
        Some(Any::Text(s)) => s,
        Some(Any::Int(i)) => i.to_string(),
        Some(Any::Float(f)) => f.to_string(),
        Some(Any::Bool(b)) => if b { "yes" } else { "no" }.to_string(),
    })
}

/// A list given as JSON array or as one text "a, b; c".
pub fn lenient_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum List {
        Many(Vec<String>),
        One(String),
        Null(()),
    }
    Ok(match Option::<List>::deserialize(d)? {
        None | Some(List::Null(())) => Vec::new(),
        Some(List::Many(v)) => v
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(List::One(s)) => split_list(&s),
    })
}

/// "Turkana, Mandera; 009" → ["Turkana", "Mandera", "009"].
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';', '\n'])
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

// ---- small readers shared by every check ----

fn text(e: &mut FieldErrors, field: &'static str, raw: &str, max: usize, required: bool) -> String {
    let s = raw.trim();
    if required && s.is_empty() {
        e.insert(field, "this cannot be empty".into());
    } else if s.chars().count() > max {
        e.insert(
            field,
            format!("keep it to {max} characters (it has {})", s.chars().count()),
        );
    }
    s.to_string()
}

fn date(e: &mut FieldErrors, field: &'static str, raw: &str, required: bool) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        if required {
            e.insert(field, "give a date".into());
        }
        return None;
    }
    // Spreadsheets hand dates over with a time part ("2025-06-30T00:00:00").
    let day = s.split(['T', ' ']).next().unwrap_or(s);
    match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            e.insert(
                field,
                format!("'{s}' is not a date; write it as YYYY-MM-DD, e.g. 2026-06-30"),
            );
            None
        }
    }
}

fn number(e: &mut FieldErrors, field: &'static str, raw: &str) -> Option<f64> {
    match parse_typed(Unit::Number, raw) {
        Ok(Some(v)) if v.abs() > crate::domain::unit::MAX_VALUE => {
            e.insert(
                field,
                format!("at most 1,000,000,000,000 (got {v:e}); check for extra digits"),
            );
            None
        }
        Ok(v) => v,
        Err(why) => {
            e.insert(field, why);
            None
        }
    }
}

fn word<T: std::str::FromStr<Err = super::UnknownWordError>>(
    e: &mut FieldErrors,
    field: &'static str,
    raw: &str,
) -> Option<T> {
    match raw
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '/'], "_")
        .parse::<T>()
    {
        Ok(v) => Some(v),
        Err(err) => {
            e.insert(field, err.to_string());
            None
        }
    }
}

/// "yes", "true", "1", "on", "x", "ndiyo" → true; "", "no", "false", "0" → false.
pub fn flag(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "on" | "x" | "✓" | "ndiyo" | "key" => Some(true),
        "" | "no" | "n" | "false" | "0" | "off" | "hapana" => Some(false),
        _ => None,
    }
}

/// Which characters a code may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// Letters, digits and '-' (it is part of every address and report): "LBP", "KE-UK-MOU".
    Programme,
    /// Letters, digits and '-', '.', '_': "LBP-OP1.1", "LBP-1.2".
    Framework,
}

pub fn check_code(e: &mut FieldErrors, field: &'static str, raw: &str, kind: CodeKind) -> String {
    let s = raw.trim();
    let (max, extra): (usize, &[char]) = match kind {
        CodeKind::Programme => (20, &['-']),
        CodeKind::Framework => (40, &['-', '.', '_']),
    };
    if s.is_empty() {
        e.insert(field, "give a code".into());
    } else if s.chars().count() > max {
        e.insert(field, format!("a code has at most {max} characters"));
    } else if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
    {
        let allowed = if kind == CodeKind::Programme {
            "letters, digits and '-'"
        } else {
            "letters, digits, '-', '.' and '_'"
        };
        e.insert(
            field,
            format!("'{s}': a code may hold only {allowed} (no spaces)"),
        );
    } else if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        e.insert(
            field,
            format!("'{s}': a code starts with a letter or digit"),
        );
    }
    s.to_string()
}

// ---- programme ----

/// Reporting frequencies Mipaka runs. The entry grid, dashboards and reports work by
/// quarter, so that is the one offered; the schema leaves room for monthly reporting.
pub const FREQUENCIES: [&str; 1] = ["quarterly"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgrammeFields {
    #[serde(deserialize_with = "lenient_text")]
    pub code: String,
    #[serde(deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(deserialize_with = "lenient_text")]
    pub short_name: String,
    #[serde(deserialize_with = "lenient_text")]
    pub description: String,
    #[serde(deserialize_with = "lenient_text")]
    pub funder: String,
    #[serde(deserialize_with = "lenient_text")]
    pub currency: String,
    #[serde(deserialize_with = "lenient_text")]
    pub start_date: String,
    #[serde(deserialize_with = "lenient_text")]
    pub end_date: String,
    #[serde(deserialize_with = "lenient_text")]
    pub reporting_frequency: String,
    #[serde(deserialize_with = "lenient_text")]
    pub rag_green_within: String,
    #[serde(deserialize_with = "lenient_text")]
    pub rag_amber_within: String,
    #[serde(deserialize_with = "lenient_text")]
    pub iati_identifier: String,
    #[serde(deserialize_with = "lenient_text")]
    pub donor_reference: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeInput {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub description: String,
    pub funder: String,
    pub currency: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub reporting_frequency: String,
    pub thresholds: RagThresholds,
    pub iati_identifier: String,
    pub donor_reference: String,
}

pub fn check_programme(f: &ProgrammeFields) -> Result<ProgrammeInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let code = check_code(&mut e, "code", &f.code, CodeKind::Programme).to_ascii_uppercase();
    let name = text(&mut e, "name", &f.name, 200, true);
    let short_name = text(&mut e, "short_name", &f.short_name, 60, false);
    let description = text(&mut e, "description", &f.description, 4000, false);
    let funder = text(&mut e, "funder", &f.funder, 200, false);
    let currency = f.currency.trim().to_ascii_uppercase();
    if currency.is_empty() {
        e.insert(
            "currency",
            "give the currency's ISO 4217 code, e.g. GBP, KES, USD or EUR".into(),
        );
    } else if !codelist::is_currency(&currency) {
        e.insert(
            "currency",
            format!(
                "'{}' is not an ISO 4217 currency code (e.g. GBP, KES, USD, EUR)",
                f.currency.trim()
            ),
        );
    }
    let start = date(&mut e, "start_date", &f.start_date, true);
    let end = date(&mut e, "end_date", &f.end_date, true);
    if let (Some(s), Some(x)) = (start, end) {
        if x < s {
            e.insert("end_date", "the programme ends before it starts".into());
        }
    }
    let frequency = match f.reporting_frequency.trim().to_ascii_lowercase().as_str() {
        "" => "quarterly".to_string(),
        w if FREQUENCIES.contains(&w) => w.to_string(),
        "monthly" => {
            e.insert(
                "reporting_frequency",
                "monthly reporting is not available yet: entry, dashboards and reports work by quarter".into(),
            );
            String::new()
        }
        other => {
            e.insert(
                "reporting_frequency",
                format!("'{other}' is not a reporting frequency; use quarterly"),
            );
            String::new()
        }
    };
    let green = if f.rag_green_within.trim().is_empty() {
        Some(15.0)
    } else {
        number(&mut e, "rag_green_within", &f.rag_green_within)
    };
    let amber = if f.rag_amber_within.trim().is_empty() {
        Some(30.0)
    } else {
        number(&mut e, "rag_amber_within", &f.rag_amber_within)
    };
    let thresholds = match (green, amber) {
        (Some(g), Some(a)) => match RagThresholds::new(g, a) {
            Ok(t) => Some(t),
            Err(err) => {
                let field = if err.to_string().contains("green tolerance must") {
                    "rag_green_within"
                } else {
                    "rag_amber_within"
                };
                e.insert(field, err.to_string());
                None
            }
        },
        _ => None,
    };
    let iati_identifier = text(&mut e, "iati_identifier", &f.iati_identifier, 100, false);
    if iati_identifier.chars().any(char::is_whitespace) {
        e.insert(
            "iati_identifier",
            "an IATI identifier has no spaces: the publisher's organisation identifier, '-', then the activity's own (e.g. GB-GOV-1-300961)".into(),
        );
    } else if !iati_identifier.is_empty() && !iati_identifier.contains('-') {
        e.insert(
            "iati_identifier",
            format!("'{iati_identifier}' does not start with an organisation identifier such as GB-GOV-1-"),
        );
    }
    let donor_reference = text(&mut e, "donor_reference", &f.donor_reference, 100, false);
    match (e.is_empty(), start, end, thresholds) {
        (true, Some(start_date), Some(end_date), Some(thresholds)) => Ok(ProgrammeInput {
            code,
            name,
            short_name,
            description,
            funder,
            currency,
            start_date,
            end_date,
            reporting_frequency: frequency,
            thresholds,
            iati_identifier,
            donor_reference,
        }),
        _ => Err(e),
    }
}

pub const PROGRAMME_STATUSES: [&str; 3] = ["active", "closed", "archived"];

pub fn status_label(status: &str) -> &'static str {
    match status {
        "active" => "Active",
        "closed" => "Closed (reporting finished; figures read-only)",
        "archived" => "Archived (read-only, hidden from everyday lists)",
        _ => "Unknown",
    }
}

// ---- phases ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhaseFields {
    #[serde(deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(deserialize_with = "lenient_text")]
    pub start_date: String,
    #[serde(deserialize_with = "lenient_text")]
    pub end_date: String,
    /// County codes ("023") or names ("Turkana").
    #[serde(deserialize_with = "lenient_list")]
    pub counties: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhaseInput {
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// One phase on its own: name, dates inside the programme, at least one county. How it
/// sits beside the other phases is [`phase_overlaps`].
pub fn check_phase(
    f: &PhaseFields,
    programme: (NaiveDate, NaiveDate),
) -> Result<PhaseInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = text(&mut e, "name", &f.name, 100, true);
    let start = date(&mut e, "start_date", &f.start_date, true);
    let end = date(&mut e, "end_date", &f.end_date, true);
    let fmt = |d: NaiveDate| d.format("%-d %b %Y").to_string();
    if let Some(s) = start {
        if s < programme.0 || s > programme.1 {
            e.insert(
                "start_date",
                format!(
                    "the phase must lie within the programme, {} to {}",
                    fmt(programme.0),
                    fmt(programme.1)
                ),
            );
        }
    }
    if let Some(x) = end {
        if x > programme.1 || x < programme.0 {
            e.insert(
                "end_date",
                format!(
                    "the phase must lie within the programme, {} to {}",
                    fmt(programme.0),
                    fmt(programme.1)
                ),
            );
        }
    }
    if let (Some(s), Some(x)) = (start, end) {
        if x < s {
            e.insert("end_date", "the phase ends before it starts".into());
        }
    }
    if f.counties.iter().all(|c| c.trim().is_empty()) {
        e.insert("counties", "pick at least one county".into());
    }
    match (e.is_empty(), start, end) {
        (true, Some(start_date), Some(end_date)) => Ok(PhaseInput {
            name,
            start_date,
            end_date,
        }),
        _ => Err(e),
    }
}

/// Pairs of phases whose dates overlap, as messages naming both: (name, message).
pub fn phase_overlaps(phases: &[(String, NaiveDate, NaiveDate)]) -> Vec<(String, String)> {
    let mut sorted: Vec<&(String, NaiveDate, NaiveDate)> = phases.iter().collect();
    sorted.sort_by_key(|p| (p.1, p.2));
    let mut out = Vec::new();
    for (i, a) in sorted.iter().enumerate() {
        for b in &sorted[i + 1..] {
            if b.1 <= a.2 {
                out.push((
                    b.0.clone(),
                    format!(
                        "'{}' ({} to {}) overlaps '{}' ({} to {}); phases may not overlap",
                        b.0,
                        b.1.format("%-d %b %Y"),
                        b.2.format("%-d %b %Y"),
                        a.0,
                        a.1.format("%-d %b %Y"),
                        a.2.format("%-d %b %Y")
                    ),
                ));
            }
        }
    }
    out
}

// ---- partners ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartnerFields {
    #[serde(deserialize_with = "lenient_text")]
    pub code: String,
    #[serde(deserialize_with = "lenient_text")]
    pub name: String,
    #[serde(deserialize_with = "lenient_text")]
    pub short_name: String,
    /// IATI OrganisationType code or name; "" when not known.
    #[serde(deserialize_with = "lenient_text")]
    pub iati_type: String,
    #[serde(deserialize_with = "lenient_text")]
    pub iati_identifier: String,
    /// IATI OrganisationRole words, codes or labels: funding, accountable, extending, implementing.
    #[serde(deserialize_with = "lenient_list")]
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartnerInput {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub iati_type: String,
    pub iati_identifier: String,
    pub roles: Vec<&'static str>,
}

pub fn check_partner(f: &PartnerFields) -> Result<PartnerInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let code = check_code(&mut e, "code", &f.code, CodeKind::Programme).to_ascii_uppercase();
    let name = text(&mut e, "name", &f.name, 200, true);
    let mut short_name = text(&mut e, "short_name", &f.short_name, 60, false);
    if short_name.is_empty() {
        short_name = code.clone();
    }
    let iati_type = match codelist::parse_organisation_type(&f.iati_type) {
        Some(t) => t.to_string(),
        None => {
            e.insert(
                "iati_type",
                format!(
                    "'{}' is not an IATI organisation type; use a code such as 10 (government), 21 (international NGO), 40 (multilateral) or 70 (private sector)",
                    f.iati_type.trim()
                ),
            );
            String::new()
        }
    };
    let iati_identifier = text(&mut e, "iati_identifier", &f.iati_identifier, 100, false);
    if iati_identifier.chars().any(char::is_whitespace) {
        e.insert(
            "iati_identifier",
            "an IATI organisation identifier has no spaces (e.g. GB-GOV-1, XM-DAC-47066)".into(),
        );
    }
    let mut roles: Vec<&'static str> = Vec::new();
    for r in &f.roles {
        match codelist::parse_role(r) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => {
                e.insert(
                    "roles",
                    format!("'{}' is not a role; use funding, accountable, extending or implementing (IATI OrganisationRole 1–4)", r.trim()),
                );
            }
        }
    }
    if roles.is_empty() && !e.contains_key("roles") {
        e.insert(
            "roles",
            "give the partner's role: funding, accountable, extending or implementing".into(),
        );
    }
    roles.sort_by_key(|r| codelist::role_rank(r));
    if e.is_empty() {
        Ok(PartnerInput {
            code,
            name,
            short_name,
            iati_type,
            iati_identifier,
            roles,
        })
    } else {
        Err(e)
    }
}

// ---- results framework ----

pub const LEVELS: [&str; 3] = ["impact", "outcome", "output"];
pub const RISK_RATINGS: [&str; 3] = ["low", "medium", "high"];

/// The level a result of `level` hangs under (None for the impact).
pub fn parent_level(level: &str) -> Option<&'static str> {
    match level {
        "outcome" => Some("impact"),
        "output" => Some("outcome"),
        _ => None,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResultFields {
    #[serde(deserialize_with = "lenient_text")]
    pub level: String,
    #[serde(deserialize_with = "lenient_text")]
    pub code: String,
    #[serde(deserialize_with = "lenient_text")]
    pub statement: String,
    /// The code of the result it contributes to (an outcome's impact, an output's outcome).
    #[serde(deserialize_with = "lenient_text")]
    pub parent: String,
    #[serde(deserialize_with = "lenient_text")]
    pub impact_weighting: String,
    #[serde(deserialize_with = "lenient_text")]
    pub risk_rating: String,
    #[serde(deserialize_with = "lenient_text")]
    pub assumptions: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResultInput {
    pub level: &'static str,
    pub code: String,
    pub statement: String,
    pub parent: Option<String>,
    pub impact_weighting: Option<f64>,
    pub risk_rating: Option<&'static str>,
    pub assumptions: String,
}

pub fn check_result(f: &ResultFields) -> Result<ResultInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let lvl = f.level.trim().to_ascii_lowercase();
    let lvl = lvl.trim_end_matches('s');
    let level = LEVELS.iter().find(|l| **l == lvl).copied();
    if level.is_none() {
        e.insert(
            "level",
            format!(
                "'{}' is not a level; use impact, outcome or output",
                f.level.trim()
            ),
        );
    }
    let code = check_code(&mut e, "code", &f.code, CodeKind::Framework);
    let statement = text(&mut e, "statement", &f.statement, 1000, true);
    let parent = f.parent.trim();
    let parent = match level.and_then(parent_level) {
        Some(pl) if parent.is_empty() => {
            e.insert(
                "parent",
                format!(
                    "say which {pl} this {} contributes to",
                    level.unwrap_or("result")
                ),
            );
            None
        }
        Some(_) => Some(parent.to_string()),
        None if !parent.is_empty() && level == Some("impact") => {
            e.insert(
                "parent",
                "the impact is the top of the framework and has no parent".into(),
            );
            None
        }
        None => None,
    };
    let is_output = level == Some("output");
    let impact_weighting = match f.impact_weighting.trim().trim_end_matches('%').trim() {
        "" => None,
        w if !is_output => {
            e.insert(
                "impact_weighting",
                format!("only outputs carry an impact weighting (got '{w}')"),
            );
            None
        }
        w => match number(&mut e, "impact_weighting", w) {
            Some(v) if (0.0..=100.0).contains(&v) => Some(v),
            Some(v) => {
                e.insert(
                    "impact_weighting",
                    format!("a weighting is a percentage from 0 to 100 (got {v})"),
                );
                None
            }
            None => None,
        },
    };
    let risk_rating = match f.risk_rating.trim().to_ascii_lowercase().as_str() {
        "" => None,
        r if !is_output => {
            e.insert(
                "risk_rating",
                format!("only outputs carry a risk rating (got '{r}')"),
            );
            None
        }
        r => match RISK_RATINGS.iter().find(|x| **x == r) {
            Some(x) => Some(*x),
            None => {
                e.insert(
                    "risk_rating",
                    format!("'{r}' is not a risk rating; use low, medium or high"),
                );
                None
            }
        },
    };
    let assumptions = text(&mut e, "assumptions", &f.assumptions, 4000, false);
    match (e.is_empty(), level) {
        (true, Some(level)) => Ok(ResultInput {
            level,
            code,
            statement,
            parent,
            impact_weighting,
            risk_rating,
            assumptions,
        }),
        _ => Err(e),
    }
}

/// The outputs' impact weightings must add up to 100 %: the problem in words, or None.
pub fn weighting_problem(outputs: &[(String, Option<f64>)]) -> Option<String> {
    if outputs.is_empty() {
        return None;
    }
    let missing: Vec<&str> = outputs
        .iter()
        .filter(|(_, w)| w.is_none())
        .map(|(c, _)| c.as_str())
        .collect();
    let total: f64 = outputs.iter().filter_map(|(_, w)| *w).sum();
    if missing.is_empty() && (total - 100.0).abs() < 0.005 {
        return None;
    }
    let parts = outputs
        .iter()
        .map(|(c, w)| match w {
            Some(w) => format!(
                "{c} {}%",
                super::unit::format_number(*w, if w.fract() == 0.0 { 0 } else { 1 })
            ),
            None => format!("{c} none"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let total_text = super::unit::format_number(total, if total.fract() == 0.0 { 0 } else { 1 });
    Some(if missing.is_empty() {
        format!("the outputs' impact weightings add up to {total_text}%, not 100% ({parts})")
    } else {
        format!(
            "the outputs' impact weightings add up to {total_text}%, not 100%, and {} ha{} none ({parts})",
            missing.join(", "),
            if missing.len() == 1 { "s" } else { "ve" }
        )
    })
}

// ---- indicators ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorFields {
    /// The code of the result it measures.
    #[serde(deserialize_with = "lenient_text")]
    pub result: String,
    #[serde(deserialize_with = "lenient_text")]
    pub code: String,
    #[serde(deserialize_with = "lenient_text")]
    pub title: String,
    #[serde(deserialize_with = "lenient_text")]
    pub definition: String,
    #[serde(deserialize_with = "lenient_text")]
    pub unit: String,
    #[serde(deserialize_with = "lenient_text")]
    pub direction: String,
    #[serde(deserialize_with = "lenient_text")]
    pub county_rule: String,
    #[serde(deserialize_with = "lenient_text")]
    pub period_rule: String,
    #[serde(deserialize_with = "lenient_text")]
    pub baseline_value: String,
    #[serde(deserialize_with = "lenient_text")]
    pub baseline_date: String,
    #[serde(deserialize_with = "lenient_text")]
    pub end_target: String,
    #[serde(deserialize_with = "lenient_text")]
    pub end_target_date: String,
    #[serde(deserialize_with = "lenient_text")]
    pub means_of_verification: String,
    #[serde(deserialize_with = "lenient_text")]
    pub data_source: String,
    /// Key indicator (charted in reports): yes / no.
    #[serde(deserialize_with = "lenient_text")]
    pub key: String,
    /// Codes of the programme's disaggregation categories it is reported by.
    #[serde(deserialize_with = "lenient_list")]
    pub disaggregations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorInput {
    pub result: String,
    pub code: String,
    pub title: String,
    pub definition: String,
    pub unit: Unit,
    pub direction: Direction,
    pub county: CountyAggregation,
    pub period: PeriodAggregation,
    pub baseline_value: Option<f64>,
    pub baseline_date: Option<NaiveDate>,
    pub end_target: Option<f64>,
    pub end_target_date: Option<NaiveDate>,
    pub means_of_verification: String,
    pub data_source: String,
    pub is_key: bool,
    pub disaggregations: Vec<String>,
}

/// Words a person may use for the rules, beside the stored ones.
fn rule_word(raw: &str) -> String {
    match raw.trim().to_ascii_lowercase().as_str() {
        "higher is better" | "up" | "increase" | "ascending" => "higher".into(),
        "lower is better" | "down" | "decrease" | "descending" => "lower".into(),
        "average" => "mean".into(),
        "total" => "sum".into(),
        "cumulative" | "running total" | "last" => "latest".into(),
        "yes/no" | "yes no" | "boolean" => "yes_no".into(),
        "percent" | "%" => "percentage".into(),
        "money" => "currency".into(),
        "decimal" => "number".into(),
        other => other.split(' ').next().unwrap_or("").to_string(),
    }
}

/// A figure of an indicator (baseline, target) checked against its unit. Counts may be
/// fractional where they are means.
fn figure(
    e: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    unit: Option<Unit>,
    whole: bool,
) -> Option<f64> {
    let unit = unit?;
    let parsed = match parse_typed(unit, raw) {
        Ok(v) => v,
        Err(msg) => {
            e.insert(field, msg);
            return None;
        }
    };
    let v = parsed?;
    let problem = match unit {
        Unit::Count if v < 0.0 || (whole && v.fract() != 0.0) => Some(format!(
            "a count is a whole number of 0 or more (got {v})"
        )),
        Unit::Count | Unit::Number | Unit::Currency if v < 0.0 => Some(format!("give 0 or more (got {v})")),
        Unit::Percentage if !(0.0..=100.0).contains(&v) => {
            Some(format!("a percentage is between 0 and 100 (got {v})"))
        }
        Unit::YesNo if !(0.0..=1.0).contains(&v) => Some(format!(
            "a yes/no figure is 1 (yes), 0 (no) or the share of counties saying yes, 0 to 1 (got {v})"
        )),
        _ if v.abs() > crate::domain::unit::MAX_VALUE => Some(format!(
            "at most 1,000,000,000,000 (got {v:e}); check for extra digits"
        )),
        _ => None,
    };
    match problem {
        Some(p) => {
            e.insert(field, p);
            None
        }
        None => Some(v),
    }
}

pub fn check_indicator(f: &IndicatorFields) -> Result<IndicatorInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let result = f.result.trim().to_string();
    if result.is_empty() {
        e.insert(
            "result",
            "say which impact, outcome or output this indicator measures".into(),
        );
    }
    let code = check_code(&mut e, "code", &f.code, CodeKind::Framework);
    let title = text(&mut e, "title", &f.title, 400, true);
    let definition = text(&mut e, "definition", &f.definition, 4000, false);
    let unit: Option<Unit> = word(&mut e, "unit", &rule_word(&f.unit));
    let direction: Option<Direction> = word(&mut e, "direction", &rule_word(&f.direction));
    let county: Option<CountyAggregation> = word(&mut e, "county_rule", &rule_word(&f.county_rule));
    let period: Option<PeriodAggregation> = word(&mut e, "period_rule", &rule_word(&f.period_rule));
    // A programme figure of a count is whole when counties and periods are added up.
    let whole = county == Some(CountyAggregation::Sum) && period != Some(PeriodAggregation::Mean);
    let baseline_value = figure(&mut e, "baseline_value", &f.baseline_value, unit, false);
    let baseline_date = date(&mut e, "baseline_date", &f.baseline_date, false);
    if baseline_value.is_some() && baseline_date.is_none() && !e.contains_key("baseline_date") {
        e.insert(
            "baseline_date",
            "give the date the baseline was measured".into(),
        );
    }
    let end_target = figure(&mut e, "end_target", &f.end_target, unit, whole);
    let end_target_date = date(&mut e, "end_target_date", &f.end_target_date, false);
    if let (Some(b), Some(t)) = (baseline_date, end_target_date) {
        if t < b {
            e.insert(
                "end_target_date",
                "the end target's date is before the baseline's".into(),
            );
        }
    }
    let means_of_verification = text(
        &mut e,
        "means_of_verification",
        &f.means_of_verification,
        2000,
        false,
    );
    let data_source = text(&mut e, "data_source", &f.data_source, 400, false);
    let is_key = match flag(&f.key) {
        Some(b) => b,
        None => {
            e.insert("key", format!("'{}': write yes or no", f.key.trim()));
            false
        }
    };
    let mut disaggregations: Vec<String> = Vec::new();
    for d in &f.disaggregations {
        let d = d.trim().to_ascii_lowercase();
        if !d.is_empty() && !disaggregations.contains(&d) {
            disaggregations.push(d);
        }
    }
    if unit == Some(Unit::YesNo) && !disaggregations.is_empty() {
        e.insert(
            "disaggregations",
            "a yes/no answer cannot be split into parts".into(),
        );
    }
    match (e.is_empty(), unit, direction, county, period) {
        (true, Some(unit), Some(direction), Some(county), Some(period)) => Ok(IndicatorInput {
            result,
            code,
            title,
            definition,
            unit,
            direction,
            county,
            period,
            baseline_value,
            baseline_date,
            end_target,
            end_target_date,
            means_of_verification,
            data_source,
            is_key,
            disaggregations,
        }),
        _ => Err(e),
    }
}

/// How an indicator's values are to be read, as stored: what approved values fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub unit: Unit,
    pub direction: Direction,
    pub county: CountyAggregation,
    pub period: PeriodAggregation,
    pub disaggregations: Vec<String>,
}

impl IndicatorInput {
    pub fn measurement(&self) -> Measurement {
        Measurement {
            unit: self.unit,
            direction: self.direction,
            county: self.county,
            period: self.period,
            disaggregations: self.disaggregations.clone(),
        }
    }
}

/// What changing `before` into `after` would change in how approved figures are read:
/// (field, "unit from count to number"). Empty when nothing that matters changes.
pub fn measurement_changes(
    before: &Measurement,
    after: &Measurement,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if before.unit != after.unit {
        out.push((
            "unit",
            format!(
                "unit from {} to {}",
                before.unit.as_str(),
                after.unit.as_str()
            ),
        ));
    }
    if before.direction != after.direction {
        out.push((
            "direction",
            format!(
                "direction from {} to {}",
                before.direction.as_str(),
                after.direction.as_str()
            ),
        ));
    }
    if before.county != after.county {
        out.push((
            "county_rule",
            format!(
                "county rule from {} to {}",
                before.county.as_str(),
                after.county.as_str()
            ),
        ));
    }
    if before.period != after.period {
        out.push((
            "period_rule",
            format!(
                "period rule from {} to {}",
                before.period.as_str(),
                after.period.as_str()
            ),
        ));
    }
    if before.disaggregations != after.disaggregations {
        let show = |d: &[String]| {
            if d.is_empty() {
                "none".to_string()
            } else {
                d.join(", ")
            }
        };
        out.push((
            "disaggregations",
            format!(
                "disaggregations from {} to {}",
                show(&before.disaggregations),
                show(&after.disaggregations)
            ),
        ));
    }
    out
}

/// The refusal for changing how approved figures are read, with the honest paths.
pub fn measurement_refusal(code: &str, approved: i64, change: &str) -> String {
    format!(
        "{code} has {approved} approved value{}, so its {change} cannot change: those figures were measured the old way. \
         Record a definition change from a quarter on the indicator's page (comparisons then flag it), \
         or create a new indicator that continues this one",
        if approved == 1 { "" } else { "s" }
    )
}

/// How a period rule reads on a page: "latest" is what a running total needs.
pub fn period_rule_label(rule: &str) -> &'static str {
    match rule {
        "sum" => "Sum of the periods (things that happen in each period)",
        "mean" => "Mean of the periods (a rate that holds for each period)",
        "latest" => "Latest value (a level or a cumulative running total)",
        _ => "",
    }
}

pub fn county_rule_label(rule: &str) -> &'static str {
    match rule {
        "sum" => "Sum of the counties",
        "mean" => "Mean of the counties (each county weighs the same)",
        _ => "",
    }
}

// ---- interim targets ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetFields {
    #[serde(deserialize_with = "lenient_text")]
    pub indicator: String,
    /// DHIS2 period: 2026Q3, 2026S1, 2026July (Kenyan FY), or a month for monthly programmes.
    #[serde(deserialize_with = "lenient_text")]
    pub period: String,
    /// "" for the whole programme, else a county code or name.
    #[serde(deserialize_with = "lenient_text")]
    pub county: String,
    /// "" for the total, else "category=option", e.g. "sex=female".
    #[serde(deserialize_with = "lenient_text")]
    pub disaggregation: String,
    #[serde(deserialize_with = "lenient_text")]
    pub value: String,
}

/// A target's period: a quarter, a half-year or a Kenyan fiscal year (a month too for a
/// monthly programme), overlapping the programme.
pub fn check_target_period(
    raw: &str,
    frequency: &str,
    programme: (NaiveDate, NaiveDate),
) -> Result<Period, String> {
    let p = Period::parse(raw.trim()).map_err(|e| e.to_string())?;
    let allowed = match p.kind() {
        PeriodKind::Quarter | PeriodKind::SixMonth | PeriodKind::FinancialJuly => true,
        PeriodKind::Month => frequency == "monthly",
        _ => false,
    };
    if !allowed {
        return Err(format!(
            "{} is a {}; set milestones per quarter (2026Q3), half-year (2026S1) or Kenyan fiscal year (2026July){}",
            p.id(),
            p.kind().label().to_lowercase(),
            if frequency == "monthly" { " or month (202609)" } else { "" }
        ));
    }
    if p.end() < programme.0 || p.start() > programme.1 {
        return Err(format!(
            "{} ({}) is outside the programme, {} to {}",
            p.id(),
            p.label(),
            programme.0.format("%-d %b %Y"),
            programme.1.format("%-d %b %Y")
        ));
    }
    Ok(p)
}

/// A target value in the indicator's unit; `whole` when it counts whole things (a count
/// added up over counties and periods, not a mean).
pub fn check_target_value(raw: &str, unit: Unit, whole: bool) -> Result<Option<f64>, String> {
    let mut e = FieldErrors::new();
    let v = figure(&mut e, "value", raw, Some(unit), whole);
    match e.remove("value") {
        Some(msg) => Err(msg),
        None => Ok(v),
    }
}

// ---- budget ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BudgetFields {
    #[serde(deserialize_with = "lenient_text")]
    pub output: String,
    /// "" for the output as a whole, else the code of one of its activities.
    #[serde(deserialize_with = "lenient_text")]
    pub activity: String,
    /// Kenyan fiscal year: "2025July", or written "2025/26" or "FY 2025/26".
    #[serde(deserialize_with = "lenient_text")]
    pub fiscal_year: String,
    /// In major units of the programme's currency: "125,000.00".
    #[serde(deserialize_with = "lenient_text")]
    pub amount: String,
    #[serde(deserialize_with = "lenient_text")]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BudgetInput {
    pub output: String,
    pub activity: Option<String>,
    pub fiscal_year: Period,
    pub amount_minor: i64,
    pub description: String,
}

/// "2025July", "2025/26", "FY2025/26", "FY 2025-26" → the Kenyan fiscal year from July 2025.
pub fn parse_fiscal_year(raw: &str) -> Result<Period, String> {
    let s = raw.trim();
    if let Ok(p) = Period::parse(s) {
        return if p.kind() == PeriodKind::FinancialJuly {
            Ok(p)
        } else {
            Err(format!("{} is not a Kenyan fiscal year; write it as 2025July or 2025/26 (July 2025 to June 2026)", p.id()))
        };
    }
    let t = s
        .trim_start_matches(['F', 'f'])
        .trim_start_matches(['Y', 'y'])
        .trim();
    if let Some((a, b)) = t.split_once(['/', '-']) {
        if let (Ok(y), Ok(next)) = (a.trim().parse::<i32>(), b.trim().parse::<i32>()) {
            let next_full = if next < 100 {
                (y / 100) * 100 + next
            } else {
                next
            };
            if next_full == y + 1 {
                if let Some(p) = Period::financial_year(y, 7) {
                    return Ok(p);
                }
            }
        }
    }
    Err(format!("'{s}' is not a Kenyan fiscal year; write it as 2025July or 2025/26 (July 2025 to June 2026)"))
}

/// "2025/26" for the fiscal year from July 2025.
pub fn fiscal_year_label(p: &Period) -> String {
    let y = p.start().format("%Y").to_string();
    let next = p.end().format("%y").to_string();
    format!("{y}/{next}")
}

pub fn check_budget(
    f: &BudgetFields,
    programme: (NaiveDate, NaiveDate),
) -> Result<BudgetInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let output = f.output.trim().to_string();
    if output.is_empty() {
        e.insert("output", "say which output the budget is for".into());
    }
    let activity = Some(f.activity.trim().to_string()).filter(|a| !a.is_empty());
    let fiscal_year = match parse_fiscal_year(&f.fiscal_year) {
        Ok(p) if p.end() < programme.0 || p.start() > programme.1 => {
            e.insert(
                "fiscal_year",
                format!(
                    "{} ({}) is outside the programme",
                    fiscal_year_label(&p),
                    p.label()
                ),
            );
            None
        }
        Ok(p) => Some(p),
        Err(m) => {
            e.insert("fiscal_year", m);
            None
        }
    };
    let amount_minor = if f.amount.trim().is_empty() {
        e.insert("amount", "give the amount".into());
        None
    } else {
        let typed = f.amount.trim();
        // A leading currency code or sign ("EUR 1,000", "€1,000"); parse_money knows KSh, £, $.
        let bare = match typed.get(..3) {
            Some(code)
                if code.chars().all(|c| c.is_ascii_uppercase()) && codelist::is_currency(code) =>
            {
                typed[3..].trim()
            }
            _ => typed.trim_start_matches('€').trim(),
        };
        match parse_money(bare) {
            Ok(v) if v >= 0 => Some(v),
            Ok(_) => {
                e.insert("amount", "a budget is 0 or more".into());
                None
            }
            Err(m) => {
                e.insert("amount", m);
                None
            }
        }
    };
    let description = text(&mut e, "description", &f.description, 400, false);
    match (e.is_empty(), fiscal_year, amount_minor) {
        (true, Some(fiscal_year), Some(amount_minor)) => Ok(BudgetInput {
            output,
            activity,
            fiscal_year,
            amount_minor,
            description,
        }),
        _ => Err(e),
    }
}

// ---- disaggregation categories ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CategoryFields {
    #[serde(deserialize_with = "lenient_text")]
    pub code: String,
    #[serde(deserialize_with = "lenient_text")]
    pub label: String,
    /// One option per line or separated by ';': "female = Female" or just "Female".
    #[serde(deserialize_with = "lenient_text")]
    pub options: String,
}

pub fn check_category(f: &CategoryFields) -> Result<super::disaggregation::Category, FieldErrors> {
    let mut e = FieldErrors::new();
    let label = text(&mut e, "label", &f.label, 100, true);
    let code = if f.code.trim().is_empty() {
        super::disaggregation::code_from_label(&label)
    } else {
        f.code.trim().to_ascii_lowercase()
    };
    if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        e.insert(
            "code",
            format!("'{code}': a category code may hold only letters, digits and '_'"),
        );
    }
    let options = match super::disaggregation::parse_options(&f.options) {
        Ok(o) => o,
        Err(m) => {
            e.insert("options", m);
            Vec::new()
        }
    };
    if e.is_empty() {
        Ok(super::disaggregation::Category {
            code,
            label,
            options,
        })
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn programme() -> ProgrammeFields {
        ProgrammeFields {
            code: "bsp-1".into(),
            name: "Border Security Programme".into(),
            currency: "gbp".into(),
            start_date: "2025-07-01".into(),
            end_date: "2028-06-30".into(),
            iati_identifier: "GB-GOV-1-300961".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_programme_is_checked_field_by_field() {
        let ok = check_programme(&programme()).unwrap();
        assert_eq!(ok.code, "BSP-1");
        assert_eq!(ok.currency, "GBP");
        assert_eq!(ok.reporting_frequency, "quarterly");
        assert_eq!(
            (ok.thresholds.green_within, ok.thresholds.amber_within),
            (15.0, 30.0)
        );
        let bad = check_programme(&ProgrammeFields {
            code: "BSP 1".into(),
            currency: "KSH".into(),
            end_date: "2024-01-01".into(),
            rag_green_within: "40".into(),
            rag_amber_within: "20".into(),
            iati_identifier: "GB GOV 1".into(),
            reporting_frequency: "weekly".into(),
            ..programme()
        })
        .unwrap_err();
        for field in [
            "code",
            "currency",
            "end_date",
            "rag_amber_within",
            "iati_identifier",
            "reporting_frequency",
        ] {
            assert!(bad.contains_key(field), "{field}: {bad:?}");
        }
        assert!(bad["currency"].contains("ISO 4217"));
        assert!(bad["code"].contains("no spaces"));
    }

    #[test]
    fn phases_lie_inside_the_programme_and_do_not_overlap() {
        let span = (d("2025-07-01"), d("2028-06-30"));
        let f = PhaseFields {
            name: "Phase 1".into(),
            start_date: "2025-07-01".into(),
            end_date: "2026-06-30".into(),
            counties: vec!["023".into()],
        };
        assert!(check_phase(&f, span).is_ok());
        let e = check_phase(
            &PhaseFields {
                end_date: "2029-01-01".into(),
                counties: vec![],
                ..f.clone()
            },
            span,
        )
        .unwrap_err();
        assert!(e["end_date"].contains("within the programme"));
        assert!(e.contains_key("counties"));
        let overlaps = phase_overlaps(&[
            ("Phase 1".into(), d("2025-07-01"), d("2026-06-30")),
            ("Phase 2".into(), d("2026-06-01"), d("2027-06-30")),
            ("Phase 3".into(), d("2027-07-01"), d("2028-06-30")),
        ]);
        assert_eq!(overlaps.len(), 1);
        assert_eq!(overlaps[0].0, "Phase 2");
        assert!(overlaps[0].1.contains("overlaps 'Phase 1'"));
    }

    #[test]
    fn results_know_their_level_and_parent() {
        let out = check_result(&ResultFields {
            level: "Outputs".into(),
            code: "OP1".into(),
            statement: "Committees trained".into(),
            parent: "OC1".into(),
            impact_weighting: "40%".into(),
            risk_rating: "Medium".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (out.level, out.impact_weighting, out.risk_rating),
            ("output", Some(40.0), Some("medium"))
        );
        let e = check_result(&ResultFields {
            level: "outcome".into(),
            code: "OC1".into(),
            statement: "x".into(),
            impact_weighting: "10".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e["parent"].contains("which impact"));
        assert!(e["impact_weighting"].contains("only outputs"));
    }

    #[test]
    fn weightings_must_add_up_to_100() {
        assert_eq!(
            weighting_problem(&[("OP1".into(), Some(60.0)), ("OP2".into(), Some(40.0))]),
            None
        );
        let p =
            weighting_problem(&[("OP1".into(), Some(30.0)), ("OP2".into(), Some(50.0))]).unwrap();
        assert_eq!(
            p,
            "the outputs' impact weightings add up to 80%, not 100% (OP1 30%, OP2 50%)"
        );
        let p = weighting_problem(&[("OP1".into(), Some(100.0)), ("OP2".into(), None)]).unwrap();
        assert!(p.contains("OP2 has none"), "{p}");
        assert_eq!(weighting_problem(&[]), None);
    }

    fn indicator() -> IndicatorFields {
        IndicatorFields {
            result: "OP1".into(),
            code: "BSP-1.1".into(),
            title: "Average number of days to share an alert".into(),
            unit: "number".into(),
            direction: "Lower is better".into(),
            county_rule: "mean".into(),
            period_rule: "mean".into(),
            baseline_value: "4.5".into(),
            baseline_date: "2025-06-30".into(),
            end_target: "2.5".into(),
            key: "yes".into(),
            disaggregations: vec!["Sex".into()],
            ..Default::default()
        }
    }

    #[test]
    fn indicators_take_decimal_numbers_and_the_words_people_use() {
        let i = check_indicator(&indicator()).unwrap();
        assert_eq!(i.unit, Unit::Number);
        assert_eq!(i.direction, Direction::LowerIsBetter);
        assert_eq!((i.baseline_value, i.end_target), (Some(4.5), Some(2.5)));
        assert!(i.is_key);
        assert_eq!(i.disaggregations, ["sex"]);
        let e = check_indicator(&IndicatorFields {
            unit: "count".into(),
            county_rule: "sum".into(),
            period_rule: "sum".into(),
            end_target: "2.5".into(),
            baseline_value: "sixty".into(),
            key: "maybe".into(),
            ..indicator()
        })
        .unwrap_err();
        assert!(e["end_target"].contains("whole number"), "{e:?}");
        assert_eq!(e["baseline_value"], "'sixty' is not a number");
        assert!(e.contains_key("key"));
        let e = check_indicator(&IndicatorFields {
            unit: "days".into(),
            ..indicator()
        })
        .unwrap_err();
        assert!(e["unit"].contains("count, number, percentage"), "{e:?}");
    }

    #[test]
    fn approved_figures_fix_how_an_indicator_is_measured() {
        let before = check_indicator(&indicator()).unwrap().measurement();
        let after = check_indicator(&IndicatorFields {
            unit: "count".into(),
            disaggregations: vec![],
            ..indicator()
        })
        .unwrap()
        .measurement();
        let changes = measurement_changes(&before, &after);
        assert_eq!(
            changes.iter().map(|c| c.0).collect::<Vec<_>>(),
            ["unit", "disaggregations"]
        );
        assert_eq!(changes[0].1, "unit from number to count");
        assert!(measurement_changes(&before, &before).is_empty());
        let msg = measurement_refusal("BSP-1.1", 12, &changes[0].1);
        assert!(
            msg.contains("12 approved values")
                && msg.contains("definition change")
                && msg.contains("continues")
        );
    }

    #[test]
    fn targets_are_per_quarter_half_year_or_kenyan_fiscal_year() {
        let span = (d("2025-07-01"), d("2028-06-30"));
        assert!(check_target_period("2026Q3", "quarterly", span).is_ok());
        assert!(check_target_period("2026S1", "quarterly", span).is_ok());
        assert!(check_target_period("2026July", "quarterly", span).is_ok());
        assert!(check_target_period("202609", "quarterly", span)
            .unwrap_err()
            .contains("per quarter"));
        assert!(check_target_period("202609", "monthly", span).is_ok());
        assert!(check_target_period("2030Q1", "quarterly", span)
            .unwrap_err()
            .contains("outside"));
        assert!(check_target_period("sixty", "quarterly", span).is_err());
        assert_eq!(
            check_target_value("60.5", Unit::Percentage, false),
            Ok(Some(60.5))
        );
        assert!(check_target_value("160", Unit::Percentage, false).is_err());
        assert_eq!(check_target_value("Yes", Unit::YesNo, false), Ok(Some(1.0)));
        assert_eq!(check_target_value("", Unit::Count, true), Ok(None));
        assert!(check_target_value("12.5", Unit::Count, true)
            .unwrap_err()
            .contains("whole number"));
        assert_eq!(
            check_target_value("12.5", Unit::Count, false),
            Ok(Some(12.5))
        );
    }

    #[test]
    fn fiscal_years_are_read_as_people_write_them() {
        for s in [
            "2025July",
            "2025/26",
            "FY2025/26",
            "FY 2025-26",
            "2025/2026",
        ] {
            assert_eq!(parse_fiscal_year(s).unwrap().id(), "2025July", "{s}");
        }
        assert!(parse_fiscal_year("2025Q1").is_err());
        assert!(parse_fiscal_year("2025/27").is_err());
        assert_eq!(
            fiscal_year_label(&parse_fiscal_year("2025July").unwrap()),
            "2025/26"
        );
        let span = (d("2025-07-01"), d("2028-06-30"));
        for (typed, minor) in [
            ("£125,000.50", 12_500_050),
            ("KSh 1,000", 100_000),
            ("EUR 2,500", 250_000),
            ("40000", 4_000_000),
        ] {
            let b = check_budget(
                &BudgetFields {
                    output: "OP1".into(),
                    fiscal_year: "2026/27".into(),
                    amount: typed.into(),
                    ..Default::default()
                },
                span,
            )
            .unwrap();
            assert_eq!(b.amount_minor, minor, "{typed}");
        }
        let e = check_budget(
            &BudgetFields {
                output: "OP1".into(),
                fiscal_year: "2030/31".into(),
                amount: "lots".into(),
                ..Default::default()
            },
            span,
        )
        .unwrap_err();
        assert!(e.contains_key("fiscal_year") && e.contains_key("amount"));
    }

    #[test]
    fn partners_speak_iati_roles_and_types() {
        let p = check_partner(&PartnerFields {
            code: "iom".into(),
            name: "International Organization for Migration".into(),
            iati_type: "40".into(),
            iati_identifier: "XM-DAC-47066".into(),
            roles: vec!["Implementing".into(), "3".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(p.code, "IOM");
        assert_eq!(p.short_name, "IOM");
        assert_eq!(p.roles, ["extending", "implementing"]);
        let e = check_partner(&PartnerFields {
            code: "X".into(),
            name: "X".into(),
            iati_type: "99".into(),
            roles: vec!["donor".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert!(e["iati_type"].contains("not an IATI organisation type"));
        assert!(e["roles"].contains("'donor' is not a role"));
    }

    #[test]
    fn json_may_send_numbers_and_lists() {
        let f: IndicatorFields = serde_json::from_value(serde_json::json!({
            "code": "X-1", "baseline_value": 4.5, "end_target": 10, "key": true, "disaggregations": "sex, agency"
        }))
        .unwrap();
        assert_eq!(
            (
                f.baseline_value.as_str(),
                f.end_target.as_str(),
                f.key.as_str()
            ),
            ("4.5", "10", "yes")
        );
        assert_eq!(f.disaggregations, ["sex", "agency"]);
        let f: PhaseFields =
            serde_json::from_value(serde_json::json!({ "counties": ["023", "Mandera"] })).unwrap();
        assert_eq!(f.counties, ["023", "Mandera"]);
    }

    #[test]
    fn categories_are_made_from_labels() {
        let c = check_category(&CategoryFields {
            label: "Age band".into(),
            options: "15-24; 25-34; 35+".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.code, "age_band");
        assert_eq!(c.options.len(), 3);
        assert!(check_category(&CategoryFields {
            label: "Sex".into(),
            options: "Female".into(),
            ..Default::default()
        })
        .unwrap_err()
        .contains_key("options"));
    }
}
