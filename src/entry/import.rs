//! Values from a CSV file: the template to fill, the preview of what a file would
//! change, and the import itself — all of the file in one transaction or none of it.
//! Uploading the same file twice changes nothing the second time: unchanged cells
//! are skipped before anything else.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::{save_loaded, CellInput, CellKey, EntryContext, Mode, SaveReport};
use crate::csvio::{self, CsvFile, CsvProblem};
use crate::db::DbConn;
use crate::domain::disaggregation;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::audit::Actor;
use crate::models::programme::Programme;
use crate::models::{framework, location};

pub const TEMPLATE_HEADERS: [&str; 13] = [
    "programme",
    "period",
    "indicator_code",
    "indicator_title",
    "county_code",
    "county_name",
    "disaggregation",
    "unit",
    "previous_value",
    "milestone",
    "value",
    "comment",
    "version",
];
const REQUIRED: [&str; 4] = ["period", "indicator_code", "county_code", "value"];
/// Changes listed in a preview; the counts cover all of them.
const PREVIEW_LINES: usize = 300;

#[derive(Debug, Clone, serde::Serialize)]
pub struct PreviewLine {
    pub line: usize,
    pub period: String,
    pub indicator: String,
    pub county: String,
    pub part: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

/// At most this many problems are listed, the first by line; all are counted, by column.
/// A file of a million bad rows then answers with a page of ordinary size.
pub const LISTED_PROBLEMS: usize = 200;

#[derive(Debug, Default, serde::Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// The first problems by line, at most [`LISTED_PROBLEMS`].
    pub problems: Vec<CsvProblem>,
    /// How many problems in all, and in each column ("" for the line as a whole).
    pub problem_count: usize,
    pub problems_by_column: std::collections::BTreeMap<String, usize>,
    pub changes: Vec<PreviewLine>,
    pub more_changes: usize,
    /// The periods with values added or changed, oldest first.
    pub periods: std::collections::BTreeSet<Period>,
}

impl ImportSummary {
    pub fn is_clean(&self) -> bool {
        self.problem_count == 0
    }

    /// Counts a problem and keeps it while it is among the first by line.
    fn problem(&mut self, p: CsvProblem) {
        self.problem_count += 1;
        *self
            .problems_by_column
            .entry(p.column.clone().unwrap_or_default())
            .or_default() += 1;
        self.problems.push(p);
        if self.problems.len() >= 2 * LISTED_PROBLEMS {
            self.keep_first();
        }
    }

    fn keep_first(&mut self) {
        self.problems.sort_by_key(|p| p.line);
        self.problems.truncate(LISTED_PROBLEMS);
    }
}

fn problem(line: usize, column: &str, message: impl Into<String>) -> CsvProblem {
    CsvProblem {
        line,
        column: Some(column.to_string()),
        message: message.into(),
    }
}

/// The template for one period: a row per indicator × phase county × part, with what is
/// there now (value and its version) and, for reference, the previous value and milestone.
pub fn template(ctx: &EntryContext) -> String {
    let cur = &ctx.programme.currency;
    let rows = ctx.cells().into_iter().filter_map(|key| {
        let (ind, rules) = ctx
            .indicators
            .iter()
            .find(|(i, _)| i.id == key.indicator_id)?;
        let county = ctx.counties().iter().find(|c| c.id == key.location_id)?;
        let stored = ctx.values.get(&key);
        let num = |v: f64| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v}")
            }
        };
        Some(vec![
            ctx.programme.code.clone(),
            ctx.period.id(),
            ind.code.clone(),
            ind.title.clone(),
            county.code.clone(),
            county.name.clone(),
            key.disaggregation.clone(),
            format!("{} ({cur})", rules.unit.as_str()),
            ctx.previous.get(&key).map(|v| num(*v)).unwrap_or_default(),
            if key.disaggregation.is_empty() {
                ctx.targets
                    .get(&ind.id)
                    .map(|v| num(*v))
                    .unwrap_or_default()
            } else {
                String::new()
            },
            stored.map(|v| num(v.value)).unwrap_or_default(),
            stored.and_then(|v| v.comment.clone()).unwrap_or_default(),
            stored.map(|v| v.version.to_string()).unwrap_or_default(),
        ])
    });
    csvio::write(&TEMPLATE_HEADERS, rows)
}

struct Row {
    line: usize,
    period: Period,
    input: CellInput,
}

/// Checks the file and, with [`Mode::Write`], imports it: every period's values in one
/// transaction, so a bad row anywhere changes nothing.
pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    programme: &Programme,
    bytes: &[u8],
    mode: Mode,
    now: NaiveDateTime,
) -> AppResult<ImportSummary> {
    let mut summary = ImportSummary::default();
    let table = match csvio::open(bytes) {
        Ok(t) => t,
        Err(p) => {
            summary.problem(p);
            return Ok(summary);
        }
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| table.column(c).is_none())
        .collect();
    if !missing.is_empty() {
        summary.problem(CsvProblem {
            line: 1,
            column: None,
            message: format!(
                "the header line lacks the column(s) {}; start from the template",
                missing.join(", ")
            ),
        });
        return Ok(summary);
    }
    let rows = read_rows(conn, programme, &table, &mut summary)?;
    let mut by_period: Vec<(Period, Vec<Row>)> = Vec::new();
    for r in rows {
        match by_period.iter_mut().find(|(p, _)| *p == r.period) {
            Some((_, list)) => list.push(r),
            None => by_period.push((r.period, vec![r])),
        }
    }
    let names = Names::load(conn, programme)?;
    let has_version = table.column("version").is_some();

    let rolled_back = crate::db::write::<(), AppError, _>(conn, |conn| {
        for (period, rows) in &by_period {
            // Only what the file names: its indicators' values of this period.
            let named: HashSet<i32> = rows.iter().map(|r| r.input.key.indicator_id).collect();
            let ctx = match EntryContext::load_for_saving(conn, programme.clone(), *period, &named)
            {
                Ok(c) => c,
                Err(AppError::Invalid { message, .. }) => {
                    for r in rows {
                        summary.problem(problem(r.line, "period", message.clone()));
                    }
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut inputs = Vec::with_capacity(rows.len());
            let mut lines: HashMap<&CellKey, usize> = HashMap::new();
            for r in rows {
                let mut input = r.input.clone();
                if !has_version {
                    // A file of the county office's own: what is there now is what it replaces.
                    input.base_version = ctx.values.get(&input.key).map(|v| v.version);
                }
                lines.insert(&r.input.key, r.line);
                inputs.push(input);
            }
            let report = save_loaded(conn, &ctx, actor, &inputs, now, mode)?;
            collect(&mut summary, &report, *period, &lines, &names);
        }
        if summary.is_clean() && mode == Mode::Write {
            Ok(())
        } else {
            // Roll back whatever earlier periods wrote: all of the file or none of it.
            Err(AppError::Conflict("rolled back".into()))
        }
    });
    match rolled_back {
        Ok(()) | Err(AppError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    if mode == Mode::Write && summary.is_clean() && summary.added + summary.changed >= 10_000 {
        // A file this large can change what the planner should choose (SQLite).
        crate::db::refresh_statistics(conn)?;
    }
    summary.keep_first();
    summary.unchanged = summary
        .rows
        .saturating_sub(summary.added + summary.changed + summary.problem_count);
    Ok(summary)
}

struct Names {
    indicators: HashMap<i32, String>,
    counties: HashMap<i32, String>,
}

impl Names {
    fn load(conn: &mut DbConn, p: &Programme) -> AppResult<Names> {
        Ok(Names {
            indicators: framework::indicators_of(conn, p.id)?
                .into_iter()
                .map(|i| (i.id, i.code))
                .collect(),
            counties: location::counties(conn)?
                .into_iter()
                .map(|l| (l.id, l.name))
                .collect(),
        })
    }
}

fn collect(
    summary: &mut ImportSummary,
    report: &SaveReport,
    period: Period,
    lines: &HashMap<&CellKey, usize>,
    names: &Names,
) {
    let line_of = |k: &CellKey| lines.get(k).copied().unwrap_or(0);
    for p in &report.problems {
        let column = match p.field {
            "county" => "county_code",
            "indicator" => "indicator_code",
            "comment" => "comment",
            _ => "value",
        };
        summary
            .problems
            .push(problem(line_of(&p.key), column, p.message.clone()));
    }
    for c in &report.conflicts {
        summary.problem(problem(
            line_of(&c.key),
            "version",
            format!(
                "this value was changed by {} since the file was made (now {}); download a new template",
                if c.theirs_by.is_empty() { "someone" } else { &c.theirs_by },
                c.theirs.map(|v| v.to_string()).unwrap_or_else(|| "empty".into())
            ),
        ));
    }
    if !report.planned.is_empty() {
        summary.periods.insert(period);
    }
    for ch in &report.planned {
        match ch.before {
            None => summary.added += 1,
            Some(_) => summary.changed += 1,
        }
        if summary.changes.len() < PREVIEW_LINES {
            summary.changes.push(PreviewLine {
                line: line_of(&ch.key),
                period: period.id(),
                indicator: names
                    .indicators
                    .get(&ch.key.indicator_id)
                    .cloned()
                    .unwrap_or_default(),
                county: names
                    .counties
                    .get(&ch.key.location_id)
                    .cloned()
                    .unwrap_or_default(),
                part: disaggregation::label(&ch.key.disaggregation),
                before: ch.before,
                after: ch.after,
            });
        } else {
            summary.more_changes += 1;
        }
    }
}

/// Rows to cell inputs; problems for anything that does not resolve. Blank value cells
/// are skipped: a partly filled template changes only what was filled in.
fn read_rows(
    conn: &mut DbConn,
    programme: &Programme,
    table: &CsvFile<'_>,
    summary: &mut ImportSummary,
) -> AppResult<Vec<Row>> {
    let dimensions = crate::models::category::dimensions(conn, programme.id)?;
    let indicators: HashMap<String, (i32, Vec<String>)> =
        framework::active_indicators_of(conn, programme.id)?
            .into_iter()
            .map(|i| {
                let dims = i.dimensions().iter().map(|d| d.to_string()).collect();
                (i.code.to_lowercase(), (i.id, dims))
            })
            .collect();
    let counties = location::counties(conn)?;
    let by_code: HashMap<&str, i32> = counties.iter().map(|c| (c.code.as_str(), c.id)).collect();
    let by_name: HashMap<String, i32> = counties
        .iter()
        .map(|c| (c.name.to_lowercase(), c.id))
        .collect();
    let col = |name: &str| table.column(name);
    let (c_period, c_ind, c_county, c_value) = (
        col("period"),
        col("indicator_code"),
        col("county_code"),
        col("value"),
    );
    let (c_dis, c_comment, c_version, c_programme) = (
        col("disaggregation"),
        col("comment"),
        col("version"),
        col("programme"),
    );

    fn get(fields: &csv::StringRecord, c: Option<usize>) -> &str {
        c.and_then(|i| fields.get(i)).unwrap_or("")
    }
    let mut seen: HashMap<(Period, CellKey), usize> = HashMap::new();
    let mut out = Vec::new();
    // Row by row: only the rows that will be saved are kept (at most one per cell of
    // the programme); problems are counted, the first kept.
    for row in table.rows() {
        let (line, record) = match row {
            Ok(r) => r,
            Err(p) => {
                summary.problem(p);
                break;
            }
        };
        summary.rows += 1;
        let fields = &record;
        let raw_value = get(fields, c_value);
        if raw_value.is_empty() {
            continue;
        }
        let prog = get(fields, c_programme);
        if !prog.is_empty() && !prog.eq_ignore_ascii_case(&programme.code) {
            summary.problem(problem(
                line,
                "programme",
                format!(
                    "this row is for {prog}, but the file is being imported into {}",
                    programme.code
                ),
            ));
            continue;
        }
        let period = match Period::parse(get(fields, c_period)) {
            Ok(p) => p,
            Err(e) => {
                summary
                    .problems
                    .push(problem(line, "period", e.to_string()));
                continue;
            }
        };
        let code = get(fields, c_ind);
        let Some((indicator_id, dims)) = indicators.get(&code.to_lowercase()) else {
            summary.problem(problem(
                line,
                "indicator_code",
                format!("'{code}' is not an indicator of {}", programme.code),
            ));
            continue;
        };
        let county = get(fields, c_county);
        let padded = format!("{county:0>3}");
        let Some(location_id) = by_code
            .get(padded.as_str())
            .or_else(|| by_name.get(&county.to_lowercase()))
            .copied()
        else {
            summary.problem(problem(
                line,
                "county_code",
                format!("'{county}' is not a Kenyan county code (001–047) or name"),
            ));
            continue;
        };
        let dis = get(fields, c_dis).to_string();
        let dims: Vec<&str> = dims.iter().map(String::as_str).collect();
        if !dimensions.is_valid(&dims, &dis) {
            summary.problem(problem(
                line,
                "disaggregation",
                format!("'{dis}' is not a part of {code}; leave it empty for the total"),
            ));
            continue;
        }
        let base_version = match get(fields, c_version) {
            "" => None,
            v => match v.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    summary.problem(problem(line, "version", format!("'{v}' is not a version number; keep the column as the template gave it")));
                    continue;
                }
            },
        };
        let key = CellKey {
            indicator_id: *indicator_id,
            location_id,
            disaggregation: dis,
        };
        if let Some(first) = seen.insert((period, key.clone()), line) {
            summary.problem(problem(line, "indicator_code", format!("this repeats the value on line {first} (same indicator, county, part and period)")));
            continue;
        }
        out.push(Row {
            line,
            period,
            input: CellInput {
                key,
                raw: csvio::normalise_number(raw_value, table.delimiter),
                comment: csvio::read_text(get(fields, c_comment)).to_string(),
                base_version,
                pick: None,
                resolving: false,
            },
        });
    }
    Ok(out)
}
