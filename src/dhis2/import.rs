//! Importing a DHIS2 data value set (JSON, XML, CSV or ADX) into a programme's draft
//! values, through the entry service: the same checks, locks, versions and audit as the
//! grid and Mipaka's own CSV import.
//!
//! **Failure semantics: all or nothing per request.** Every value is resolved (data
//! element, org unit, category option combo, attribute option combo, period) and checked
//! first; if any value has a conflict — an unknown identifier, a value against its unit,
//! a jump without a comment, parts that do not add up, an approved or locked value — the
//! summary lists every conflict with status ERROR and **nothing is written**. This
//! differs from DHIS2, which writes the good values and ignores the bad ones; Mipaka keeps
//! its CSV import's rule so that a half-imported period never reaches an approver.
//!
//! `importStrategy`: CREATE adds values for empty cells only (a cell that has a value is
//! ignored), UPDATE changes cells that have a value only (an empty cell is ignored),
//! CREATE_AND_UPDATE does both, DELETE clears the cells named. A value equal to what is
//! stored (same value and comment) is ignored and counted as such. An empty value is
//! ignored except with DELETE. `dryRun=true` checks and counts everything, writes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;

use super::mapping::Mappings;
use crate::db::DbConn;
use crate::domain::dhis2::read::{self, ReadError};
use crate::domain::dhis2::summary::{Conflict, ImportCount, ImportStatus, ImportSummary, Strategy};
use crate::domain::dhis2::{DataValueSet, IdScheme, IdSchemes, DEFAULT_COC_CODE, DEFAULT_COC_UID};
use crate::domain::entry::parse_typed;
use crate::domain::period::Period;
use crate::entry::{save_loaded, CellInput, CellKey, EntryContext, Mode};
use crate::error::{AppError, AppResult};
use crate::models::audit::Actor;
use crate::models::programme::{self, Programme};
use crate::models::{dhis2 as store, framework, location};

/// The payload formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    Json,
    Xml,
    Csv,
    Adx,
}

impl Payload {
    /// From a media type (`application/json`, `application/xml`, `text/xml`,
    /// `application/csv`, `text/csv`, `application/adx+xml`); None for anything else.
    pub fn from_media_type(t: &str) -> Option<Payload> {
        let t = t
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match t.as_str() {
            "application/json" => Some(Payload::Json),
            "application/xml" | "text/xml" => Some(Payload::Xml),
            "application/csv" | "text/csv" => Some(Payload::Csv),
            "application/adx+xml" => Some(Payload::Adx),
            _ => None,
        }
    }

    /// From a file name's ending (the command line).
    pub fn from_file_name(name: &str) -> Option<Payload> {
        let n = name.to_ascii_lowercase();
        if n.ends_with(".adx") || n.ends_with(".adx.xml") {
            Some(Payload::Adx)
        } else if n.ends_with(".json") {
            Some(Payload::Json)
        } else if n.ends_with(".xml") {
            Some(Payload::Xml)
        } else if n.ends_with(".csv") {
            Some(Payload::Csv)
        } else {
            None
        }
    }

    pub fn read(self, bytes: &[u8]) -> Result<DataValueSet, ReadError> {
        match self {
            Payload::Json => read::json(bytes),
            Payload::Xml => read::xml(bytes),
            Payload::Csv => read::csv(bytes),
            Payload::Adx => read::adx(bytes),
        }
    }

    /// DHIS2's default identifier scheme for the format (ADX: code; others: uid).
    pub fn default_scheme(self) -> IdScheme {
        match self {
            Payload::Adx => IdScheme::Code,
            _ => IdScheme::Uid,
        }
    }
}

/// How to import: strategy, dry run, the URL's identifier schemes.
#[derive(Debug, Clone)]
pub struct Options {
    pub strategy: Strategy,
    pub dry_run: bool,
    /// `idScheme`, `dataElementIdScheme` … as given in the URL (the payload's win).
    pub scheme_params: Vec<(String, String)>,
    pub default_scheme: IdScheme,
}

/// An unreadable payload as an error naming where.
pub fn unreadable(e: ReadError) -> AppError {
    AppError::invalid(e.at.clone(), format!("{}: {}", e.at, e.message))
}

/// The programme an import goes into: the `programme` (or `dataSet`) parameter, else
/// the payload's `dataSet` when it is a programme code, else the programme whose
/// attribute option combo the payload names.
pub fn choose_programme(
    conn: &mut DbConn,
    set: &DataValueSet,
    param: Option<&str>,
) -> AppResult<Programme> {
    if let Some(code) = param.map(str::trim).filter(|c| !c.is_empty()) {
        return programme::by_code(conn, &code.to_uppercase());
    }
    if !set.data_set.is_empty() {
        if let Ok(p) = programme::by_code(conn, &set.data_set.trim().to_uppercase()) {
            return Ok(p);
        }
    }
    let aoc = Some(set.attribute_option_combo.as_str())
        .filter(|a| !a.is_empty())
        .or_else(|| {
            set.values
                .iter()
                .map(|v| v.value.attribute_option_combo.as_str())
                .find(|a| !a.is_empty())
        });
    let Some(aoc) = aoc else {
        return Err(AppError::Conflict(
            "say which programme the values are for: ?programme=CODE (or dataSet=CODE), or map the programme to an attribute option combo and send it".into(),
        ));
    };
    let mut found = store::programmes_with_aoc(conn, aoc, false)?;
    if found.is_empty() {
        found = store::programmes_with_aoc(conn, aoc, true)?;
    }
    match found.as_slice() {
        [one] => programme::find(conn, *one),
        [] => Err(AppError::Conflict(format!(
            "no programme is mapped to the attribute option combo '{aoc}'; give ?programme=CODE"
        ))),
        _ => Err(AppError::Conflict(format!(
            "several programmes are mapped to the attribute option combo '{aoc}'; give ?programme=CODE"
        ))),
    }
}

/// A value resolved to a cell of a period.
struct Resolved {
    at: String,
    object: String,
    period: Period,
    key: CellKey,
    raw: String,
    comment: String,
}

pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    set: &DataValueSet,
    opts: &Options,
    now: NaiveDateTime,
) -> AppResult<ImportSummary> {
    let params = opts
        .scheme_params
        .iter()
        .chain(set.schemes.iter())
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let schemes = IdSchemes::from_params(params, opts.default_scheme)
        .map_err(|(field, message)| AppError::invalid(field, message))?;
    let schemes_json = serde_json::json!({
        "dataElementIdScheme": schemes.data_element.as_str(),
        "orgUnitIdScheme": schemes.org_unit.as_str(),
        "categoryOptionComboIdScheme": schemes.category_option_combo.as_str(),
        "attributeOptionComboIdScheme": schemes.attribute_option_combo.as_str(),
    });
    let m = Mappings::load(conn, p)?;
    let indicators: HashMap<String, i32> = framework::active_indicators_of(conn, p.id)?
        .into_iter()
        .map(|i| (i.code, i.id))
        .collect();
    let counties: HashMap<String, i32> = location::counties(conn)?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();
    let programme_aoc = m.get("aoc", "").map(|i| i.ids()).unwrap_or_default();

    let mut conflicts: Vec<Conflict> = Vec::new();
    let conflict = |object: &str, at: &str, message: String| Conflict {
        object: object.to_string(),
        value: format!("{at}: {message}"),
    };
    let mut resolved = Vec::new();
    let mut ignored = 0u64;
    for inc in &set.values {
        let dv = &inc.value;
        let at = inc.at.as_str();
        let or = |own: &str, set_level: &str| {
            if own.trim().is_empty() {
                set_level.trim().to_string()
            } else {
                own.trim().to_string()
            }
        };
        let (de, pe, ou, aoc) = (
            dv.data_element.trim().to_string(),
            or(&dv.period, &set.period),
            or(&dv.org_unit, &set.org_unit),
            or(&dv.attribute_option_combo, &set.attribute_option_combo),
        );
        let before = conflicts.len();
        let indicator = m
            .find("data_element", &de, schemes.data_element)
            .and_then(|i| indicators.get(&i.item).copied());
        if indicator.is_none() {
            conflicts.push(conflict(
                &de,
                at,
                format!(
                    "data element '{de}' ({}) is not mapped to an indicator of {}",
                    schemes.data_element.as_str().to_lowercase(),
                    p.code
                ),
            ));
        }
        let period = match Period::parse(&pe) {
            Ok(x) => Some(x),
            Err(e) => {
                conflicts.push(conflict(&pe, at, format!("period: {e}")));
                None
            }
        };
        let county = m
            .find("org_unit", &ou, schemes.org_unit)
            .and_then(|i| counties.get(&i.item).copied());
        if county.is_none() {
            conflicts.push(conflict(
                &ou,
                at,
                format!(
                    "organisation unit '{ou}' ({}) is not mapped to a county of {}",
                    schemes.org_unit.as_str().to_lowercase(),
                    p.code
                ),
            ));
        }
        let part = if !inc.categories.is_empty() {
            let mut parts = Vec::new();
            for (cat, opt) in &inc.categories {
                let c = m.of_kind("adx_category").find(|i| i.ids().code == *cat);
                let o = c.and_then(|c| {
                    m.of_kind("adx_option")
                        .filter(|i| i.item.starts_with(&format!("{}=", c.item)))
                        .find(|i| i.ids().code == *opt)
                });
                match o {
                    Some(o) => parts.push(o.item.clone()),
                    None => conflicts.push(conflict(
                        opt,
                        at,
                        format!(
                            "ADX category {cat}=\"{opt}\" is not mapped to a disaggregation of {}",
                            p.code
                        ),
                    )),
                }
            }
            if parts.len() > 1 {
                conflicts.push(conflict(&de, at, "Mipaka keeps one disaggregation per value; this value names several categories".into()));
            }
            parts.pop()
        } else {
            let coc = dv.category_option_combo.trim();
            if coc.is_empty() {
                Some(String::new())
            } else {
                let found = m
                    .find("coc", coc, schemes.category_option_combo)
                    .map(|i| i.item.clone());
                if found.is_none() {
                    conflicts.push(conflict(coc, at, format!("category option combo '{coc}' ({}) is not mapped to the total or a part in {}", schemes.category_option_combo.as_str().to_lowercase(), p.code)));
                }
                found
            }
        };
        if !aoc.is_empty() {
            let fits = programme_aoc.get(schemes.attribute_option_combo) == Some(aoc.as_str())
                || programme_aoc.code == aoc
                || programme_aoc.uid == aoc
                || (programme_aoc == Default::default()
                    && (aoc == DEFAULT_COC_CODE || aoc == DEFAULT_COC_UID));
            if !fits {
                conflicts.push(conflict(
                    &aoc,
                    at,
                    format!("attribute option combo '{aoc}' is not {}'s", p.code),
                ));
            }
        }
        if conflicts.len() > before {
            continue;
        }
        let (Some(indicator_id), Some(period), Some(location_id), Some(part)) =
            (indicator, period, county, part)
        else {
            continue;
        };
        let raw = dv.value.trim().to_string();
        if raw.is_empty() && opts.strategy != Strategy::Delete {
            ignored += 1;
            continue;
        }
        resolved.push(Resolved {
            at: at.to_string(),
            object: de.clone(),
            period,
            key: CellKey {
                indicator_id,
                location_id,
                disaggregation: part,
            },
            raw,
            comment: dv.comment.clone(),
        });
    }

    // Periods oldest first: a jump is judged against the period before, as imported.
    let mut by_period: BTreeMap<Period, Vec<Resolved>> = BTreeMap::new();
    for r in resolved {
        by_period.entry(r.period).or_default().push(r);
    }
    let mut count = ImportCount {
        ignored,
        ..Default::default()
    };
    let mut strategy_ignored = 0u64;
    let writing = !opts.dry_run;
    let outcome = crate::db::write::<(), AppError, _>(conn, |conn| {
        for (period, rows) in &by_period {
            let named: HashSet<i32> = rows.iter().map(|r| r.key.indicator_id).collect();
            let ctx = match EntryContext::load_for_saving(conn, p.clone(), *period, &named) {
                Ok(c) => c,
                Err(AppError::Invalid { message, .. }) => {
                    for r in rows {
                        conflicts.push(conflict(&period.id(), &r.at, message.clone()));
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut inputs = Vec::new();
            let mut seen: HashMap<&CellKey, &str> = HashMap::new();
            let mut at_of: HashMap<CellKey, (&str, &str)> = HashMap::new();
            for r in rows {
                if let Some(first) = seen.insert(&r.key, &r.at) {
                    conflicts.push(conflict(&r.object, &r.at, format!("the same value (data element, period, org unit, option combo) is given again; first at {first}")));
                    continue;
                }
                at_of.insert(r.key.clone(), (&r.at, &r.object));
                let existing = ctx.values.get(&r.key);
                let rules = ctx
                    .indicators
                    .iter()
                    .find(|(i, _)| i.id == r.key.indicator_id)
                    .map(|x| &x.1);
                let parsed = rules
                    .and_then(|rules| parse_typed(rules.unit, &r.raw).ok())
                    .flatten();
                let same = existing.is_some_and(|e| {
                    Some(e.value) == parsed
                        && e.comment.as_deref().unwrap_or("").trim() == r.comment.trim()
                });
                let kind = match (opts.strategy, existing) {
                    (Strategy::Delete, None) => None,
                    (Strategy::Delete, Some(_)) => Some("deleted"),
                    (_, Some(_)) if same => None,
                    (Strategy::Create, Some(_)) => {
                        strategy_ignored += 1;
                        None
                    }
                    (Strategy::Update, None) => {
                        strategy_ignored += 1;
                        None
                    }
                    (_, None) => Some("imported"),
                    (_, Some(_)) => Some("updated"),
                };
                let Some(kind) = kind else {
                    count.ignored += 1;
                    continue;
                };
                if let Some(e) = existing.filter(|e| e.status == "approved") {
                    let _ = e;
                    conflicts.push(conflict(&r.object, &r.at, format!("the value of {} is approved; a ministry M&E officer must unlock {} before it can change", period.id(), period.id())));
                    continue;
                }
                match kind {
                    "imported" => count.imported += 1,
                    "updated" => count.updated += 1,
                    _ => count.deleted += 1,
                }
                inputs.push(CellInput {
                    key: r.key.clone(),
                    raw: if opts.strategy == Strategy::Delete {
                        String::new()
                    } else {
                        r.raw.clone()
                    },
                    comment: if opts.strategy == Strategy::Delete {
                        String::new()
                    } else {
                        r.comment.clone()
                    },
                    base_version: existing.map(|e| e.version),
                    pick: None,
                    resolving: false,
                });
            }
            // Written even in a dry run or after a conflict (all undone with the
            // transaction below), so that the next period's jump check sees this one's
            // values, as it will for real, and every conflict is found at once.
            let report = save_loaded(conn, &ctx, actor, &inputs, now, Mode::Write)?;
            for pr in &report.problems {
                let (at, object) = at_of.get(&pr.key).copied().unwrap_or(("", ""));
                conflicts.push(conflict(
                    object,
                    at,
                    format!("{}: {}", pr.field, pr.message),
                ));
            }
            for c in &report.conflicts {
                let (at, object) = at_of.get(&c.key).copied().unwrap_or(("", ""));
                conflicts.push(conflict(
                    object,
                    at,
                    format!("changed by {} meanwhile; send it again", c.theirs_by),
                ));
            }
        }
        if conflicts.is_empty() && writing {
            Ok(())
        } else {
            // A dry run, or a conflict anywhere: all of it undone.
            Err(AppError::Conflict("rolled back".into()))
        }
    });
    match outcome {
        Ok(()) | Err(AppError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    let received = set.values.len() as u64;
    let (status, description) = if !conflicts.is_empty() {
        count = ImportCount {
            ignored: received,
            ..Default::default()
        };
        (
            ImportStatus::Error,
            format!(
                "Nothing was imported: {} conflict(s). Mipaka imports a data value set whole or not at all; fix the values listed and send it again.",
                conflicts.len()
            ),
        )
    } else if opts.dry_run {
        (
            ImportStatus::Success,
            "Dry run: everything was checked and counted; nothing was written.".into(),
        )
    } else if strategy_ignored > 0 {
        (
            ImportStatus::Warning,
            format!("Import process completed; {strategy_ignored} value(s) were ignored because of the import strategy."),
        )
    } else {
        (
            ImportStatus::Success,
            "Import process completed successfully".into(),
        )
    };
    Ok(ImportSummary {
        response_type: "ImportSummary".into(),
        status,
        import_options: Some(ImportSummary::options(
            opts.strategy,
            opts.dry_run,
            schemes_json,
        )),
        description,
        import_count: count,
        conflicts,
        data_set_complete: Some(serde_json::json!("false")),
    })
}
