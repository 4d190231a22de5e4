//! Reading a logframe workbook back into a document: what the writer writes, and what
//! people do to it (rows inserted or left blank, columns moved or added, titles above
//! the header, merged result cells, dates and numbers typed as text).

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use chrono::{Datelike, Duration, NaiveDate};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::archive;
use super::layout::{self, normalise, Col, Kind, Level, LEVELS};
use crate::domain::period::Period;
use crate::domain::setup::{flag, split_list, IndicatorFields, ResultFields, TargetFields};
use crate::setup::logframe::{Item, Logframe, Origin, Problem};

/// Filled rows read in all sheets together, and the last row number read in any: a
/// big programme's longest sheet (county milestones: 100 indicators × 20 quarters ×
/// 23 counties) has about 46,000. Reading a workbook at the limit peaks at about 200 MB.
pub const MAX_ROWS: u32 = 100_000;
/// Columns read per sheet (a milestone column per quarter of a 20-year programme is 80).
pub const MAX_COLUMNS: u32 = 1_000;
/// Rows searched for the header row (a title or notes may sit above it).
const HEADER_SEARCH: u32 = 10;

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    Error(String),
}

/// "A" for 0, "Z" for 25, "AA" for 26.
pub fn column_letter(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A number as a person would write it: 60, 2.5, 0.125.
fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Excel's day number (1900 system) as a date.
fn serial_date(v: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&v) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(v.floor() as i64))
}

/// A date typed as text, in the ways people in Kenya and the UK write one (day first).
fn typed_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    let day = t.split(['T']).next().unwrap_or(t);
    let day = match day.split_once(' ') {
        Some((d, rest)) if rest.contains(':') => d,
        _ => day,
    };
    const FORMATS: [&str; 12] = [
        "%Y-%m-%d",
        "%d/%m/%Y",
        "%d-%m-%Y",
        "%d.%m.%Y",
        "%Y/%m/%d",
        "%d %b %Y",
        "%d %B %Y",
        "%d-%b-%Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%d %b, %Y",
        "%d %B, %Y",
    ];
    let d = FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(day, f).ok())?;
    // "30/06/26" reads as the year 26: people mean 2026.
    if d.year() < 100 {
        d.with_year(2000 + d.year())
    } else {
        Some(d)
    }
}

/// Zero-pads a county code typed as a number (23 → "023"); names pass unchanged.
fn county_code(s: &str) -> String {
    let t = s.trim();
    if !t.is_empty() && t.len() < 3 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("{t:0>3}")
    } else {
        t.to_string()
    }
}

/// A cell's content as the text a form field would hold, read the way its column is
/// typed. `Err` for a cell showing a formula error.
fn text(v: &Val, kind: Kind) -> Result<String, String> {
    Ok(match (v, kind) {
        (Val::Error(e), _) => return Err(e.clone()),
        (Val::Date(d), _) => d.to_string(),
        (Val::Bool(b), _) => if *b { "yes" } else { "no" }.into(),
        (Val::Number(n), Kind::Date) => serial_date(*n)
            .map(|d| d.to_string())
            .unwrap_or_else(|| number_text(*n)),
        (Val::Number(n), Kind::County) => county_code(&number_text(*n)),
        (Val::Number(n), Kind::List) if n.fract() == 0.0 && *n >= 0.0 && *n < 1000.0 => {
            county_code(&number_text(*n))
        }
        (Val::Number(n), _) => number_text(*n),
        (Val::Text(s), Kind::Date) => typed_date(s)
            .map(|d| d.to_string())
            .unwrap_or_else(|| s.trim().to_string()),
        (Val::Text(s), Kind::County) => county_code(s),
        (Val::Text(s), Kind::Long) => s.trim().to_string(),
        (Val::Text(s), _) => s.trim().to_string(),
    })
}

/// One row's non-empty cells, by column.
type Row = Vec<(u32, Val)>;

/// A sheet's non-empty cells, row by row (compact: a sheet may have 100,000 rows).
struct Grid {
    /// As named in the workbook, for messages.
    name: String,
    rows: Vec<(u32, Row)>,
}

impl Grid {
    fn row(&self, row: u32) -> Option<&Row> {
        self.rows
            .binary_search_by_key(&row, |(r, _)| *r)
            .ok()
            .map(|i| &self.rows[i].1)
    }

    fn get(&self, row: u32, col: u32) -> Option<&Val> {
        self.row(row)
            .and_then(|cells| cells.iter().find(|(c, _)| *c == col))
            .map(|(_, v)| v)
    }

    /// The numbers of the rows below `header` that hold anything.
    fn rows_below(&self, header: u32) -> Vec<u32> {
        self.rows
            .iter()
            .map(|(r, _)| *r)
            .filter(|r| *r > header)
            .collect()
    }

    fn cell(&self, row: u32, col: u32) -> String {
        format!("{}!{}{}", self.name, column_letter(col), row + 1)
    }

    /// The cell's text for a column of `kind`; a formula error becomes a problem.
    fn text(&self, row: u32, col: u32, kind: Kind, problems: &mut Vec<Problem>) -> String {
        match self.get(row, col).map(|v| text(v, kind)) {
            None => String::new(),
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                problems.push(Problem {
                    place: self.cell(row, col),
                    message: format!("the cell shows the error {e}; type the value itself"),
                });
                String::new()
            }
        }
    }
}

/// A sheet's cells; `budget` is how many more filled rows the workbook may have.
fn load(
    xlsx: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u32,
    problems: &mut Vec<Problem>,
) -> Option<Grid> {
    let place = name.to_string();
    let mut reader = match xlsx.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(e) => {
            problems.push(Problem {
                place,
                message: format!("the sheet cannot be read ({e})"),
            });
            return None;
        }
    };
    let mut rows: Vec<(u32, Row)> = Vec::new();
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                problems.push(Problem {
                    place,
                    message: format!("the sheet cannot be read ({e})"),
                });
                return None;
            }
        };
        let (r, c) = cell.get_position();
        let v = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) => Val::Text(s.clone()),
            DataRef::SharedString(s) => Val::Text(s.to_string()),
            DataRef::Float(f) => Val::Number(*f),
            DataRef::Int(i) => Val::Number(*i as f64),
            DataRef::Bool(b) => Val::Bool(*b),
            DataRef::DateTime(d) if d.is_datetime() => match d.as_datetime() {
                Some(dt) => Val::Date(dt.date()),
                None => Val::Number(d.as_f64()),
            },
            DataRef::DateTime(d) => Val::Number(d.as_f64()),
            DataRef::DateTimeIso(s) => match typed_date(s) {
                Some(d) => Val::Date(d),
                None => Val::Text(s.clone()),
            },
            DataRef::DurationIso(s) => Val::Text(s.clone()),
            DataRef::Error(e) => Val::Error(e.to_string()),
        };
        if matches!(&v, Val::Text(s) if s.trim().is_empty()) {
            continue;
        }
        if r >= MAX_ROWS + HEADER_SEARCH {
            problems.push(Problem {
                place,
                message: format!("the sheet has more than {MAX_ROWS} rows (row {} is filled); a logframe sheet is read up to {MAX_ROWS} rows — remove the rows below the data", r + 1),
            });
            return None;
        }
        if c >= MAX_COLUMNS {
            problems.push(Problem {
                place: format!("{name}!{}{}", column_letter(c), r + 1),
                message: format!("the sheet is filled beyond column {} ({MAX_COLUMNS} columns are read); remove what is there", column_letter(MAX_COLUMNS - 1)),
            });
            return None;
        }
        match rows.last_mut() {
            Some((last, cells)) if *last == r => cells.push((c, v)),
            _ => {
                if *budget == 0 {
                    problems.push(Problem {
                        place,
                        message: format!("the workbook has more than {MAX_ROWS} filled rows in all (this sheet reaches row {}); a logframe workbook is read up to {MAX_ROWS} rows — remove what is not part of the logframe", r + 1),
                    });
                    return None;
                }
                *budget -= 1;
                rows.push((r, vec![(c, v)]));
            }
        }
    }
    // Worksheets list rows in order; a file that does not is put in order here.
    if !rows.windows(2).all(|w| w[0].0 < w[1].0) {
        rows.sort_by_key(|(r, _)| *r);
        let mut merged: Vec<(u32, Row)> = Vec::with_capacity(rows.len());
        for (r, cells) in rows {
            match merged.last_mut() {
                Some((last, into)) if *last == r => into.extend(cells),
                _ => merged.push((r, cells)),
            }
        }
        rows = merged;
    }
    for (_, cells) in rows.iter_mut() {
        cells.sort_by_key(|(c, _)| *c);
        cells.shrink_to_fit();
    }
    Some(Grid {
        name: name.to_string(),
        rows,
    })
}

/// What a header row holds: field → column, and (level sheets) period → column.
struct Header {
    row: u32,
    fields: HashMap<&'static str, u32>,
    periods: Vec<(String, u32)>,
}

/// The period a milestone column's header names ("2026Q3", "2026Q3\nJul–Sep 2026",
/// "Milestone 2026Q3"), or whether it looks meant as one.
fn header_period(text: &str) -> Result<Option<Period>, String> {
    let t = text.trim();
    let t = t
        .strip_prefix("Milestone")
        .or_else(|| t.strip_prefix("milestone"))
        .or_else(|| t.strip_prefix("MILESTONE"))
        .map(|s| s.trim_start_matches([':', ' ', '-']))
        .unwrap_or(t);
    let first = t.split_whitespace().next().unwrap_or("");
    let first = first.trim_end_matches([',', ';', ':']);
    match Period::parse(first) {
        Ok(p) => Ok(Some(p)),
        Err(e)
            if first.starts_with(|c: char| c.is_ascii_digit()) || t.len() < text.trim().len() =>
        {
            Err(e.to_string())
        }
        Err(_) => Ok(None),
    }
}

fn header_text(v: &Val) -> String {
    match v {
        Val::Text(s) => s.clone(),
        Val::Number(n) => number_text(*n),
        Val::Date(d) => d.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Error(e) => e.clone(),
    }
}

/// Finds the header row (the one naming most of `cols` among the first rows) and maps
/// its columns. Missing required columns and columns named twice are problems.
fn header(
    grid: &Grid,
    cols: &[Col],
    with_periods: bool,
    problems: &mut Vec<Problem>,
) -> Option<Header> {
    let score = |row: &Row| {
        row.iter()
            .filter(|(_, v)| cols.iter().any(|c| c.matches(&header_text(v))))
            .count()
    };
    let best = grid
        .rows
        .iter()
        .filter(|(r, _)| *r < HEADER_SEARCH)
        .map(|(r, cells)| (*r, score(cells)))
        .filter(|(_, s)| *s > 0)
        .max_by_key(|(r, s)| (*s, std::cmp::Reverse(*r)));
    let Some((row, _)) = best else {
        let wanted: Vec<String> = cols
            .iter()
            .filter(|c| c.required)
            .map(|c| format!("“{}”", c.header))
            .collect();
        problems.push(Problem {
            place: grid.name.clone(),
            message: format!(
                "no header row found: one of the first {HEADER_SEARCH} rows must name the columns ({})",
                wanted.join(", ")
            ),
        });
        return None;
    };
    let mut h = Header {
        row,
        fields: HashMap::new(),
        periods: Vec::new(),
    };
    let mut ok = true;
    for (c, v) in grid.row(row).into_iter().flatten() {
        let t = header_text(v);
        if let Some(col) = cols.iter().find(|col| col.matches(&t)) {
            if let Some(first) = h.fields.get(col.field) {
                problems.push(Problem {
                    place: grid.cell(row, *c),
                    message: format!(
                        "two columns are headed “{}” ({} and {}); keep one",
                        col.header,
                        column_letter(*first),
                        column_letter(*c)
                    ),
                });
                ok = false;
            } else {
                h.fields.insert(col.field, *c);
            }
            continue;
        }
        if with_periods {
            match header_period(&t) {
                Ok(Some(p)) => {
                    if let Some((_, first)) = h.periods.iter().find(|(id, _)| *id == p.id()) {
                        problems.push(Problem {
                            place: grid.cell(row, *c),
                            message: format!(
                                "two milestone columns are headed {} ({} and {}); keep one",
                                p.id(),
                                column_letter(*first),
                                column_letter(*c)
                            ),
                        });
                        ok = false;
                    } else {
                        h.periods.push((p.id(), *c));
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    problems.push(Problem {
                        place: grid.cell(row, *c),
                        message: format!("the milestone column's header is not a period: {e}; head it with a DHIS2 period such as 2026Q3, 2026S1 or 2026July"),
                    });
                    ok = false;
                }
            }
        }
    }
    for col in cols.iter().filter(|c| c.required) {
        if !h.fields.contains_key(col.field) {
            problems.push(Problem {
                place: format!("{}!{}", grid.name, row + 1),
                message: format!(
                    "no column headed “{}” in the header row (row {}); put it back — the sheet cannot be read without it",
                    col.header,
                    row + 1
                ),
            });
            ok = false;
        }
    }
    ok.then_some(h)
}

/// The values of one row for `cols`, as field → text, and the origin naming their columns.
fn row_fields(
    grid: &Grid,
    h: &Header,
    cols: &[Col],
    row: u32,
    problems: &mut Vec<Problem>,
) -> (Map<String, Value>, Origin) {
    let mut map = Map::new();
    let mut origin = Origin::new(&grid.name, row + 1);
    for col in cols {
        let Some(&c) = h.fields.get(col.field) else {
            continue;
        };
        let t = grid.text(row, c, col.kind, problems);
        if !col.info {
            origin.cells.insert(col.field.to_string(), column_letter(c));
        }
        map.insert(col.field.to_string(), Value::String(t));
    }
    (map, origin)
}

fn is_blank(map: &Map<String, Value>, fields: &[&str]) -> bool {
    fields.iter().all(|f| {
        map.get(*f)
            .and_then(|v| v.as_str())
            .is_none_or(|s| s.is_empty())
    })
}

fn take(map: &mut Map<String, Value>, field: &str) -> String {
    map.remove(field)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn fields_from<T: DeserializeOwned + Default>(map: Map<String, Value>) -> T {
    serde_json::from_value(Value::Object(map)).unwrap_or_default()
}

/// yes/no of an archived column; anything else is a problem at its cell.
fn archived_flag(
    map: &mut Map<String, Value>,
    origin: &Origin,
    problems: &mut Vec<Problem>,
) -> bool {
    let typed = take(map, "archived");
    match flag(&typed) {
        Some(b) => b,
        None => {
            problems.push(Problem {
                place: origin.cell("archived"),
                message: format!("'{typed}': write yes for archived, or leave it blank"),
            });
            false
        }
    }
}

fn programme(grid: &Grid, doc: &mut Logframe, problems: &mut Vec<Problem>) {
    let label_cols = [
        layout::Col {
            field: "label",
            header: "Field".into(),
            also: vec!["item".into(), "label".into(), "detail".into()],
            kind: Kind::Text,
            width: 0.0,
            required: true,
            info: false,
            about: String::new(),
        },
        layout::Col {
            field: "value",
            header: "Value".into(),
            also: Vec::new(),
            kind: Kind::Text,
            width: 0.0,
            required: true,
            info: false,
            about: String::new(),
        },
    ];
    let Some(h) = header(grid, &label_cols, false, problems) else {
        return;
    };
    let (lc, vc) = (h.fields["label"], h.fields["value"]);
    let specs = layout::programme_rows();
    let mut map = Map::new();
    let mut origin = Origin::new(&grid.name, 0);
    let mut rows_of: HashMap<&str, u32> = HashMap::new();
    for r in grid.rows_below(h.row) {
        let label = grid.text(r, lc, Kind::Text, problems);
        let Some(spec) = specs.iter().find(|s| s.matches(&label)) else {
            continue;
        };
        if let Some(first) = rows_of.get(spec.field) {
            problems.push(Problem {
                place: grid.cell(r, lc),
                message: format!(
                    "“{}” is given twice (also on row {}); keep one",
                    spec.header,
                    first + 1
                ),
            });
            continue;
        }
        rows_of.insert(spec.field, r);
        let kind = spec.kind;
        map.insert(
            spec.field.to_string(),
            Value::String(grid.text(r, vc, kind, problems)),
        );
        origin.cells.insert(
            spec.field.to_string(),
            format!("{}{}", column_letter(vc), r + 1),
        );
    }
    for spec in specs.iter().filter(|s| s.required) {
        if !rows_of.contains_key(spec.field) {
            problems.push(Problem {
                place: grid.name.clone(),
                message: format!(
                    "no row labelled “{}” in column {}; the programme needs it",
                    spec.header,
                    column_letter(lc)
                ),
            });
        }
    }
    doc.programme = Item::new(fields_from(map), origin);
}

fn level_sheet(grid: &Grid, level: &Level, doc: &mut Logframe, problems: &mut Vec<Problem>) {
    let rcols = layout::result_cols(level);
    let mut icols = layout::indicator_cols_before();
    icols.extend(layout::indicator_cols_after());
    // One header for both groups: the result's and the indicator's columns differ by name.
    let mut all: Vec<Col> = rcols.clone();
    all.extend(icols.iter().cloned().map(|mut c| {
        c.field = indicator_key(c.field);
        c
    }));
    let Some(h) = header(grid, &all, true, problems) else {
        return;
    };
    let result_fields: Vec<&str> = rcols.iter().map(|c| c.field).collect();
    let ind_fields: Vec<&str> = icols.iter().map(|c| c.field).collect();
    // The result the following rows belong to: (index in doc.results, its first row's fields).
    let mut current: Option<(usize, Map<String, Value>)> = None;
    for r in grid.rows_below(h.row) {
        let (mut rmap, rorigin) = row_fields(grid, &h, &rcols, r, problems);
        let split: Vec<Col> = icols
            .iter()
            .cloned()
            .map(|mut c| {
                c.field = indicator_key(c.field);
                c
            })
            .collect();
        let (imap_keyed, iorigin_keyed) = row_fields(grid, &h, &split, r, problems);
        // Back to the indicator's own field names.
        let mut imap = Map::new();
        for (k, v) in imap_keyed {
            imap.insert(k.trim_start_matches("indicator.").to_string(), v);
        }
        let mut iorigin = Origin::new(&grid.name, r + 1);
        for (k, v) in iorigin_keyed.cells {
            iorigin
                .cells
                .insert(k.trim_start_matches("indicator.").to_string(), v);
        }
        let milestones: Vec<(String, u32, String)> = h
            .periods
            .iter()
            .map(|(p, c)| (p.clone(), *c, grid.text(r, *c, Kind::Number, problems)))
            .filter(|(_, _, t)| !t.is_empty())
            .collect();
        let has_result = !is_blank(&rmap, &result_fields);
        let has_indicator = !is_blank(&imap, &ind_fields);
        if !has_result && !has_indicator && milestones.is_empty() {
            continue;
        }
        let code = rmap
            .get("code")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        // A row continues the result above when its result cells are blank (merged or
        // left empty) or repeat it.
        let continues = match &current {
            Some((_, first)) => {
                let same_code = !code.is_empty()
                    && first.get("code").and_then(|v| v.as_str()) == Some(code.as_str());
                let blank_code = code.is_empty()
                    && rcols.iter().filter(|c| c.field != "code").all(|c| {
                        let here = rmap.get(c.field).and_then(|v| v.as_str()).unwrap_or("");
                        here.is_empty() || Some(here) == first.get(c.field).and_then(|v| v.as_str())
                    });
                same_code || blank_code
            }
            None => false,
        };
        if continues {
            if let Some((_, first)) = &current {
                for c in rcols.iter().filter(|c| c.field != "code") {
                    let here = rmap.get(c.field).and_then(|v| v.as_str()).unwrap_or("");
                    let there = first.get(c.field).and_then(|v| v.as_str()).unwrap_or("");
                    if !here.is_empty() && here != there {
                        problems.push(Problem {
                            place: rorigin.cell(c.field),
                            message: format!(
                                "{} {code}'s {} is given differently above; give a result's details once, on its first row (the cells below may be blank or merged)",
                                level.word,
                                c.header.to_lowercase()
                            ),
                        });
                    }
                }
            }
        } else if has_result {
            let first = rmap.clone();
            let archived = archived_flag(&mut rmap, &rorigin, problems);
            let mut fields: ResultFields = fields_from(rmap);
            fields.level = level.word.to_string();
            doc.results.push(Item {
                fields,
                origin: rorigin.clone(),
                archived,
            });
            current = Some((doc.results.len() - 1, first));
        } else {
            problems.push(Problem {
                place: rorigin.cell("code"),
                message: format!(
                    "this indicator's row has no {} above it; give the {} code",
                    level.word, level.word
                ),
            });
            continue;
        }
        let result_code = current
            .as_ref()
            .and_then(|(i, _)| doc.results.get(*i))
            .map(|r| r.fields.code.trim().to_string())
            .unwrap_or_default();
        if !has_indicator {
            for (_, c, _) in &milestones {
                problems.push(Problem {
                    place: grid.cell(r, *c),
                    message:
                        "a milestone on a row without an indicator; put it on its indicator's row"
                            .into(),
                });
            }
            continue;
        }
        let archived = archived_flag(&mut imap, &iorigin, problems);
        imap.insert("result".into(), Value::String(result_code));
        if let Some(c) = rorigin.cells.get("code") {
            iorigin.cells.insert("result".into(), c.clone());
        }
        let fields: IndicatorFields = fields_from(imap);
        let icode = fields.code.trim().to_string();
        for (period, c, value) in milestones {
            if icode.is_empty() {
                continue;
            }
            let mut o = Origin::new(&grid.name, r + 1);
            let letter = column_letter(c);
            o.cells.insert("value".into(), letter.clone());
            o.cells.insert("period".into(), letter);
            if let Some(ic) = iorigin.cells.get("code") {
                o.cells.insert("indicator".into(), ic.clone());
            }
            doc.targets.push(Item::new(
                TargetFields {
                    indicator: icode.clone(),
                    period,
                    county: String::new(),
                    disaggregation: String::new(),
                    value,
                },
                o,
            ));
        }
        doc.indicators.push(Item {
            fields,
            origin: iorigin,
            archived,
        });
    }
}

/// Indicator columns share names with result columns ("code", "archived"): in the
/// combined header they are told apart by a prefix.
fn indicator_key(field: &'static str) -> &'static str {
    match field {
        "code" => "indicator.code",
        "archived" => "indicator.archived",
        other => other,
    }
}

/// A plain table sheet: one item per non-blank row.
fn table<T: DeserializeOwned + Default>(
    grid: &Grid,
    cols: &[Col],
    problems: &mut Vec<Problem>,
) -> Vec<Item<T>> {
    let Some(h) = header(grid, cols, false, problems) else {
        return Vec::new();
    };
    let all: Vec<&str> = cols.iter().map(|c| c.field).collect();
    let mut out = Vec::new();
    for r in grid.rows_below(h.row) {
        let (mut map, mut origin) = row_fields(grid, &h, cols, r, problems);
        if is_blank(&map, &all) {
            continue;
        }
        // A name beside a blank code stands in for it.
        for (code, name) in [("county", "county_name"), ("counties", "county_names")] {
            let fallback = take(&mut map, name);
            if map.contains_key(code) || h.fields.contains_key(name) {
                let blank = map
                    .get(code)
                    .and_then(|v| v.as_str())
                    .is_none_or(|s| s.is_empty());
                if blank && !fallback.is_empty() {
                    map.insert(code.into(), Value::String(fallback));
                    if let Some(&c) = h.fields.get(name) {
                        origin.cells.insert(code.into(), column_letter(c));
                    }
                }
            }
        }
        if let Some(Value::String(list)) = map.get_mut("counties") {
            *list = split_list(list)
                .iter()
                .map(|c| county_code(c))
                .collect::<Vec<_>>()
                .join(", ");
        }
        map.remove("");
        out.push(Item::new(fields_from(map), origin));
    }
    out
}

/// Which workbook sheet holds each of the layout's sheets.
fn find_sheets(names: &[String], problems: &mut Vec<Problem>) -> HashMap<&'static str, String> {
    let mut found: HashMap<&'static str, String> = HashMap::new();
    for sheet in layout::DATA_SHEETS {
        let aliases = layout::sheet_aliases(sheet);
        let exact: Vec<&String> = names
            .iter()
            .filter(|n| aliases.contains(&normalise(n).as_str()))
            .collect();
        // "Outputs (2)" is what Excel calls a copy of "Outputs".
        let copies: Vec<&String> = names
            .iter()
            .filter(|n| {
                let base = n.trim_end();
                let base = match base.rfind(" (") {
                    Some(i) if base.ends_with(')') => &base[..i],
                    _ => return false,
                };
                aliases.contains(&normalise(base).as_str())
            })
            .collect();
        let candidates: Vec<&String> = exact.iter().chain(copies.iter()).copied().collect();
        match candidates.as_slice() {
            [] => problems.push(Problem {
                place: sheet.to_string(),
                message: format!(
                    "the workbook has no “{sheet}” sheet; keep every sheet of the exported layout, even when it is empty ({})",
                    layout::sheet_about(sheet)
                ),
            }),
            [one] => {
                found.insert(sheet, (*one).clone());
            }
            many => problems.push(Problem {
                place: many[1].to_string(),
                message: format!(
                    "the workbook has {} sheets for {sheet}: {}; keep one (delete or rename the others)",
                    many.len(),
                    many.iter()
                        .map(|n| format!("“{n}”"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }
    found
}

/// Reads a workbook written by [`super::write`] (or edited from one) into a document
/// whose items name their sheet, row and the column of each field.
pub fn read(bytes: &[u8]) -> Result<Logframe, Vec<Problem>> {
    let file = |message: String| {
        vec![Problem {
            place: "file".into(),
            message,
        }]
    };
    archive::check(bytes).map_err(file)?;
    let mut xlsx: Xlsx<Cursor<&[u8]>> = match Xlsx::new(Cursor::new(bytes)) {
        Ok(x) => x,
        Err(calamine::XlsxError::Password) => {
            return Err(file("the workbook is password-protected; save a copy without a password and upload that".into()))
        }
        Err(e) => {
            return Err(file(format!(
                "the workbook cannot be read ({e}); open it in Excel or LibreOffice, save it as “Excel Workbook (.xlsx)” and upload that"
            )))
        }
    };
    let names = xlsx.sheet_names();
    let mut problems = Vec::new();
    let sheets = find_sheets(&names, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    // One sheet in memory at a time: each is read into the document, then let go.
    let mut doc = Logframe::default();
    let mut budget = MAX_ROWS;
    for sheet in layout::DATA_SHEETS {
        let Some(grid) = load(&mut xlsx, &sheets[sheet], &mut budget, &mut problems) else {
            continue;
        };
        let p = &mut problems;
        match sheet {
            layout::PROGRAMME => programme(&grid, &mut doc, p),
            layout::BREAKDOWN => {
                let rows = table(&grid, &layout::breakdown_cols(), p);
                doc.targets.extend(rows);
            }
            layout::CATEGORIES => doc.categories = table(&grid, &layout::category_cols(), p),
            layout::PHASES => doc.phases = table(&grid, &layout::phase_cols(), p),
            layout::PARTNERS => doc.partners = table(&grid, &layout::partner_cols(), p),
            layout::BUDGET => doc.budget = table(&grid, &layout::budget_cols(), p),
            layout::ACTIVITIES => doc.activities = table(&grid, &layout::activity_cols(), p),
            layout::MILESTONES => doc.milestones = table(&grid, &layout::milestone_cols(), p),
            level_sheet_name => {
                if let Some(level) = LEVELS.iter().find(|l| l.sheet == level_sheet_name) {
                    level_sheet(&grid, level, &mut doc, p);
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(doc)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_like_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn dates_are_read_as_people_type_them() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        for s in [
            "2026-06-30",
            "30/06/2026",
            "30-06-2026",
            "30.06.2026",
            "30 Jun 2026",
            "30 June 2026",
            "Jun 30, 2026",
            "30/06/26",
            "2026-06-30T00:00:00",
            "2026-06-30 00:00:00",
        ] {
            assert_eq!(typed_date(s), Some(d), "{s}");
        }
        assert_eq!(typed_date("sometime in June"), None);
        assert_eq!(serial_date(46203.0), Some(d));
        assert_eq!(
            text(&Val::Number(46203.0), Kind::Date).unwrap(),
            "2026-06-30"
        );
        assert_eq!(text(&Val::Text("soon".into()), Kind::Date).unwrap(), "soon");
    }

    #[test]
    fn numbers_and_codes_read_back_as_typed() {
        assert_eq!(text(&Val::Number(60.0), Kind::Number).unwrap(), "60");
        assert_eq!(text(&Val::Number(2.5), Kind::Number).unwrap(), "2.5");
        assert_eq!(text(&Val::Number(0.1), Kind::Number).unwrap(), "0.1");
        assert_eq!(text(&Val::Number(23.0), Kind::County).unwrap(), "023");
        assert_eq!(text(&Val::Text(" 8 ".into()), Kind::County).unwrap(), "008");
        assert_eq!(
            text(&Val::Text("Turkana".into()), Kind::County).unwrap(),
            "Turkana"
        );
        assert_eq!(text(&Val::Bool(true), Kind::Flag).unwrap(), "yes");
        assert!(text(&Val::Error("#REF!".into()), Kind::Text).is_err());
    }

    #[test]
    fn milestone_headers_name_their_period() {
        let id = |s: &str| header_period(s).unwrap().map(|p| p.id());
        assert_eq!(id("2026Q3").as_deref(), Some("2026Q3"));
        assert_eq!(id("2026Q3\nJul–Sep 2026").as_deref(), Some("2026Q3"));
        assert_eq!(id("Milestone 2026July").as_deref(), Some("2026July"));
        assert_eq!(id("Notes"), None);
        assert!(header_period("2026Q5").is_err());
        assert!(header_period("Milestone next year").is_err());
    }
}
