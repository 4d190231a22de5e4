//! Writing a logframe document as an .xlsx workbook in the FCDO layout.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde::Serialize;
use serde_json::{Map, Value};

use super::layout::{self, Col, Kind, Level, LEVELS};
use crate::domain::period::Period;
use crate::domain::setup::{fiscal_year_label, parse_fiscal_year, TargetFields};
use crate::setup::logframe::{Item, Logframe};

/// Rows of the level sheets given drop-down lists of the words a column takes (new rows
/// typed below the exported ones get them too).
const VALIDATED_ROWS: u32 = 2_000;

struct Formats {
    title: Format,
    band: Format,
    header: Format,
    text: Format,
    wrap: Format,
    number: Format,
    money: Format,
    date: Format,
    flag: Format,
    demo: Format,
    bold: Format,
    muted: Format,
}

impl Formats {
    fn new() -> Formats {
        let top = Format::new().set_align(FormatAlign::Top);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            band: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x1F4E79))
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::VerticalCenter),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border_bottom(FormatBorder::Thin),
            text: top.clone(),
            wrap: top.clone().set_text_wrap(),
            number: top.clone().set_num_format("General"),
            money: top.clone().set_num_format("#,##0.00"),
            date: top.clone().set_num_format("d mmm yyyy"),
            flag: top.clone().set_align(FormatAlign::Center),
            demo: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0x9C0006))
                .set_background_color(Color::RGB(0xFFEB9C))
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            bold: Format::new()
                .set_bold()
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            muted: top.set_text_wrap().set_font_color(Color::RGB(0x555555)),
        }
    }

    fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Long | Kind::List => &self.wrap,
            Kind::Number => &self.number,
            Kind::Money => &self.money,
            Kind::Date => &self.date,
            Kind::Flag | Kind::Word => &self.flag,
            Kind::Text | Kind::County => &self.text,
        }
    }
}

/// A form's fields as field → text (lists joined by ", ").
fn texts<T: Serialize>(fields: &T) -> Map<String, Value> {
    match serde_json::to_value(fields) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn text_of(map: &Map<String, Value>, field: &str) -> String {
    match map.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        _ => String::new(),
    }
}

fn xl_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// Points per line of 11-point text, and the tallest row Excel allows.
const LINE: f64 = 15.0;
const MAX_ROW_HEIGHT: f64 = 409.0;

/// How many lines `text` takes in a column `width` characters wide. Spreadsheets do not
/// size rows to wrapped text they did not lay out themselves, so the writer does.
fn lines_in(text: &str, width: f64, bold: bool) -> u32 {
    // A column's width counts digit widths: about 1.1 characters of running text fit
    // per unit (measured in LibreOffice with Calibri's metrics), one in bold; a line
    // per 15 points is what Excel gives 11-point Calibri.
    let per_line = if bold { width - 0.5 } else { width * 1.1 - 1.0 }.max(1.0);
    text.split('\n')
        .map(|para| ((para.chars().count() as f64) / per_line).ceil().max(1.0) as u32)
        .sum()
}

/// A worksheet being written, with what its rows need to show their wrapped text.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    f: &'a Formats,
    widths: HashMap<u16, f64>,
    lines: BTreeMap<u32, u32>,
    /// Merged cells over rows: (first row, last row, lines the text needs).
    blocks: Vec<(u32, u32, u32)>,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet, f: &'a Formats) -> Sheet<'a> {
        Sheet {
            ws,
            f,
            widths: HashMap::new(),
            lines: BTreeMap::new(),
            blocks: Vec::new(),
        }
    }

    fn width(&mut self, col: u16, width: f64) -> Result<(), XlsxError> {
        self.widths.insert(col, width);
        self.ws.set_column_width(col, width)?;
        Ok(())
    }

    fn needs(&mut self, row: u32, col: u16, text: &str, bold: bool) -> u32 {
        let width = self.widths.get(&col).copied().unwrap_or(8.43);
        let n = lines_in(text, width, bold);
        let e = self.lines.entry(row).or_insert(1);
        *e = (*e).max(n);
        n
    }

    /// A text cell in `fmt`; `wraps` says whether the row must grow to show all of it.
    fn text(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        fmt: &Format,
        wraps: bool,
    ) -> Result<(), XlsxError> {
        if text.is_empty() {
            return Ok(());
        }
        if wraps {
            let bold = std::ptr::eq(fmt, &self.f.header) || std::ptr::eq(fmt, &self.f.bold);
            self.needs(row, col, text, bold);
        }
        self.ws.write_string_with_format(row, col, text, fmt)?;
        Ok(())
    }

    /// One cell, typed by its column: numbers as numbers, dates as dates; anything that
    /// is not what the column expects is kept as the text it is.
    fn put(&mut self, row: u32, col: u16, text: &str, kind: Kind) -> Result<(), XlsxError> {
        self.cell(row, col, text, kind, true)
    }

    fn cell(
        &mut self,
        row: u32,
        col: u16,
        text: &str,
        kind: Kind,
        sizes_row: bool,
    ) -> Result<(), XlsxError> {
        let t = text.trim();
        let f = self.f;
        let fmt = f.of(kind);
        if t.is_empty() {
            self.ws.write_blank(row, col, fmt)?;
            return Ok(());
        }
        match kind {
            Kind::Number | Kind::Money => {
                if let Ok(v) = t.parse::<f64>() {
                    if v.is_finite() {
                        self.ws.write_number_with_format(row, col, v, fmt)?;
                        return Ok(());
                    }
                }
            }
            Kind::Date => {
                let day = t.split(['T', ' ']).next().unwrap_or(t);
                if let Ok(d) = NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                    if d.year() >= 1900 {
                        self.ws
                            .write_datetime_with_format(row, col, xl_date(d)?, fmt)?;
                        return Ok(());
                    }
                }
            }
            _ => {}
        }
        self.text(
            row,
            col,
            t,
            fmt,
            sizes_row && matches!(kind, Kind::Long | Kind::List),
        )
    }

    /// A result's cell merged over its indicators' rows: its text may use all of them.
    fn merged(
        &mut self,
        first: u32,
        last: u32,
        col: u16,
        text: &str,
        kind: Kind,
    ) -> Result<(), XlsxError> {
        if last == first {
            return self.put(first, col, text, kind);
        }
        let f = self.f;
        self.ws.merge_range(first, col, last, col, "", f.of(kind))?;
        self.cell(first, col, text, kind, false)?;
        if kind == Kind::Long && !text.trim().is_empty() {
            let width = self.widths.get(&col).copied().unwrap_or(8.43);
            self.blocks
                .push((first, last, lines_in(text.trim(), width, false)));
        }
        Ok(())
    }

    /// Sets the heights the wrapped text needs.
    fn finish(mut self) -> Result<(), XlsxError> {
        let mut height: BTreeMap<u32, f64> = self
            .lines
            .iter()
            .map(|(r, n)| (*r, f64::from(*n) * LINE))
            .collect();
        for (first, last, n) in std::mem::take(&mut self.blocks) {
            let need = f64::from(n) * LINE;
            let rows = last - first + 1;
            let have: f64 = (first..=last)
                .map(|r| height.get(&r).copied().unwrap_or(LINE))
                .sum();
            if need > have {
                let extra = (need - have) / f64::from(rows);
                for r in first..=last {
                    *height.entry(r).or_insert(LINE) += extra;
                }
            }
        }
        for (r, h) in height {
            if h > LINE {
                self.ws.set_row_height(r, (h + 2.0).min(MAX_ROW_HEIGHT))?;
            }
        }
        Ok(())
    }
}

fn county_names() -> HashMap<&'static str, &'static str> {
    crate::seed::content::COUNTIES
        .iter()
        .map(|c| (c.code, c.name))
        .collect()
}

fn county_name(names: &HashMap<&str, &str>, code: &str) -> String {
    let c = code.trim();
    let padded = if !c.is_empty() && c.len() < 3 && c.chars().all(|x| x.is_ascii_digit()) {
        format!("{c:0>3}")
    } else {
        c.to_string()
    };
    names
        .get(padded.as_str())
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// Printed landscape, one page wide, the header rows on every page, the sheet and page
/// in the footer.
fn print_setup(ws: &mut Worksheet, header_rows: u32, a3: bool) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(if a3 { 8 } else { 9 });
    ws.set_print_fit_to_pages(1, 0);
    if header_rows > 0 {
        ws.set_repeat_rows(0, header_rows - 1)?;
    }
    ws.set_print_gridlines(true);
    ws.set_footer("&L&A&RPage &P of &N");
    Ok(())
}

/// Drop-down lists of the words a column takes. Other spellings the reader accepts
/// ("higher is better") may still be typed: the list only informs.
fn choices(ws: &mut Worksheet, first_row: u32, col: u16, words: &[&str]) -> Result<(), XlsxError> {
    let dv = DataValidation::new()
        .allow_list_strings(words)?
        .ignore_blank(true)
        .set_error_style(DataValidationErrorStyle::Information)
        .set_error_title("Not one of the listed words")?
        .set_error_message(format!("The usual words are: {}.", words.join(", ")))?;
    ws.add_data_validation(first_row, col, first_row + VALIDATED_ROWS, col, &dv)?;
    Ok(())
}

/// The words a column takes, on the sheet `sheet`.
fn words_of(sheet: &str, field: &str) -> Option<Vec<&'static str>> {
    use crate::domain::{achievement::Direction, aggregation, plan, unit::Unit};
    Some(match (sheet, field) {
        (_, "unit") => Unit::ALL.iter().map(|u| u.as_str()).collect(),
        (_, "direction") => Direction::ALL.iter().map(|d| d.as_str()).collect(),
        (_, "county_rule") => aggregation::CountyAggregation::ALL
            .iter()
            .map(|a| a.as_str())
            .collect(),
        (_, "period_rule") => aggregation::PeriodAggregation::ALL
            .iter()
            .map(|a| a.as_str())
            .collect(),
        (_, "risk_rating") => crate::domain::setup::RISK_RATINGS.to_vec(),
        (_, "key" | "archived") => vec!["yes", "no"],
        (layout::ACTIVITIES, "status") => plan::ACTIVITY_STATUSES.to_vec(),
        (layout::MILESTONES, "status") => plan::MILESTONE_STATUSES.to_vec(),
        _ => return None,
    })
}

/// The text of a column not stored as such (a county's name beside its code).
type Derived<'a> = dyn Fn(&str, &Map<String, Value>) -> Option<String> + 'a;

/// A plain table: a header row, then one row per item.
fn table<T: Serialize>(
    wb: &mut Workbook,
    name: &str,
    cols: &[Col],
    items: &[Item<T>],
    derived: &Derived<'_>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    ws.set_freeze_panes(1, 0)?;
    print_setup(ws, 1, false)?;
    for (c, col) in cols.iter().enumerate() {
        if let Some(words) = words_of(name, col.field) {
            choices(ws, 1, c as u16, &words)?;
        }
    }
    let mut sh = Sheet::new(ws, f);
    for (c, col) in cols.iter().enumerate() {
        sh.width(c as u16, col.width)?;
        sh.text(0, c as u16, &col.header, &f.header, true)?;
    }
    for (r, item) in items.iter().enumerate() {
        let map = texts(&item.fields);
        for (c, col) in cols.iter().enumerate() {
            let text = derived(col.field, &map).unwrap_or_else(|| text_of(&map, col.field));
            sh.put(r as u32 + 1, c as u16, &text, col.kind)?;
        }
    }
    sh.finish()
}

/// "2026Q3" first, then its name on a second line: the reader takes the first word.
fn period_header(id: &str) -> String {
    match Period::parse(id) {
        Ok(p) => format!("{}\n{}", p.id(), p.label()),
        Err(_) => id.to_string(),
    }
}

fn period_order(id: &str) -> (NaiveDate, NaiveDate, String) {
    match Period::parse(id) {
        Ok(p) => (p.start(), p.end(), p.id()),
        Err(_) => (NaiveDate::MAX, NaiveDate::MAX, id.to_string()),
    }
}

fn is_total(t: &TargetFields) -> bool {
    t.county.trim().is_empty() && t.disaggregation.trim().is_empty()
}

fn level_of(word: &str) -> String {
    word.trim()
        .to_ascii_lowercase()
        .trim_end_matches('s')
        .to_string()
}

/// One level's sheet: two header rows (groups, then columns), one row per indicator,
/// the programme-wide milestones as one column per period.
fn level_sheet(
    wb: &mut Workbook,
    doc: &Logframe,
    level: &Level,
    columns_of: &BTreeMap<String, Vec<String>>,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(level.sheet)?;
    let rcols = layout::result_cols(level);
    let before = layout::indicator_cols_before();
    let after = layout::indicator_cols_after();
    let periods = columns_of.get(level.word).cloned().unwrap_or_default();
    let first_ind = rcols.len();
    let first_ms = first_ind + before.len();
    let first_after = first_ms + periods.len();
    let last = first_after + after.len() - 1;
    ws.set_freeze_panes(2, 1)?;
    print_setup(ws, 2, true)?;
    let typed = rcols
        .iter()
        .enumerate()
        .chain(before.iter().enumerate().map(|(i, c)| (first_ind + i, c)))
        .chain(after.iter().enumerate().map(|(i, c)| (first_after + i, c)));
    for (i, col) in typed {
        if let Some(words) = words_of(level.sheet, col.field) {
            choices(ws, 2, i as u16, &words)?;
        }
    }

    // Row 1: the groups.
    let baseline_at = first_ind + before.len() - 2;
    let mut groups: Vec<(usize, usize, String)> = vec![
        (0, first_ind - 1, level.title.to_uppercase()),
        (first_ind, baseline_at - 1, "INDICATOR".into()),
        (baseline_at, first_ms - 1, "BASELINE".into()),
    ];
    if !periods.is_empty() {
        groups.push((
            first_ms,
            first_after - 1,
            "MILESTONES (interim targets for the whole programme)".into(),
        ));
    }
    groups.push((first_after, first_after + 1, "TARGET".into()));
    groups.push((first_after + 2, last, "VERIFICATION AND REPORTING".into()));
    for (a, b, label) in groups {
        if a == b {
            ws.write_string_with_format(0, a as u16, &label, &f.band)?;
        } else {
            ws.merge_range(0, a as u16, 0, b as u16, &label, &f.band)?;
        }
    }
    ws.set_row_height(0, 20.0)?;
    let mut sh = Sheet::new(ws, f);
    // Row 2: the columns.
    let mut c = 0u16;
    for col in rcols.iter().chain(before.iter()) {
        sh.width(c, col.width)?;
        sh.text(1, c, &col.header, &f.header, true)?;
        c += 1;
    }
    for p in &periods {
        sh.width(c, 12.5)?;
        sh.text(1, c, &period_header(p), &f.header, true)?;
        c += 1;
    }
    for col in &after {
        sh.width(c, col.width)?;
        sh.text(1, c, &col.header, &f.header, true)?;
        c += 1;
    }

    let mut row = 2u32;
    for result in doc
        .results
        .iter()
        .filter(|r| level_of(&r.fields.level) == level.word)
    {
        let code = result.fields.code.trim();
        let inds: Vec<_> = doc
            .indicators
            .iter()
            .filter(|i| i.fields.result.trim() == code)
            .collect();
        let span = inds.len().max(1) as u32;
        let map = texts(&result.fields);
        for (i, col) in rcols.iter().enumerate() {
            let text = if col.field == "archived" {
                if result.archived { "yes" } else { "" }.to_string()
            } else {
                text_of(&map, col.field)
            };
            sh.merged(row, row + span - 1, i as u16, &text, col.kind)?;
        }
        for (k, ind) in inds.iter().enumerate() {
            let r = row + k as u32;
            let map = texts(&ind.fields);
            let icode = ind.fields.code.trim();
            for (i, col) in before.iter().enumerate() {
                sh.put(
                    r,
                    (first_ind + i) as u16,
                    &text_of(&map, col.field),
                    col.kind,
                )?;
            }
            for (i, p) in periods.iter().enumerate() {
                let v = doc
                    .targets
                    .iter()
                    .find(|t| {
                        t.fields.indicator.trim() == icode
                            && is_total(&t.fields)
                            && t.fields.period.trim() == p
                    })
                    .map(|t| t.fields.value.clone())
                    .unwrap_or_default();
                sh.put(r, (first_ms + i) as u16, &v, Kind::Number)?;
            }
            for (i, col) in after.iter().enumerate() {
                let text = if col.field == "archived" {
                    if ind.archived { "yes" } else { "" }.to_string()
                } else {
                    text_of(&map, col.field)
                };
                sh.put(r, (first_after + i) as u16, &text, col.kind)?;
            }
        }
        row += span;
    }
    sh.finish()
}

fn programme_sheet(wb: &mut Workbook, doc: &Logframe, f: &Formats) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(layout::PROGRAMME)?;
    ws.set_freeze_panes(1, 0)?;
    print_setup(ws, 1, false)?;
    let mut sh = Sheet::new(ws, f);
    for (c, (h, w)) in [("Field", 26.0), ("Value", 60.0), ("What it means", 64.0)]
        .iter()
        .enumerate()
    {
        sh.width(c as u16, *w)?;
        sh.text(0, c as u16, h, &f.header, false)?;
    }
    let map = texts(&doc.programme.fields);
    for (i, row) in layout::programme_rows().iter().enumerate() {
        let r = i as u32 + 1;
        sh.text(r, 0, &row.header, &f.bold, true)?;
        let kind = if row.kind == Kind::Text {
            Kind::Long
        } else {
            row.kind
        };
        sh.put(r, 1, &text_of(&map, row.field), kind)?;
        sh.text(r, 2, &row.about, &f.muted, true)?;
    }
    sh.finish()
}

fn readme_sheet(
    wb: &mut Workbook,
    doc: &Logframe,
    is_demo: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(layout::README)?;
    print_setup(ws, 0, false)?;
    ws.set_print_gridlines(false);
    ws.set_selected(true);
    let mut sh = Sheet::new(ws, f);
    sh.width(0, 30.0)?;
    sh.width(1, 100.0)?;
    let mut r = 0u32;
    let mut line = |sh: &mut Sheet, a: &str, b: &str, fa: &Format, fb: &Format| {
        let at = r;
        r += 1;
        sh.text(at, 0, a, fa, true)?;
        sh.text(at, 1, b, fb, true)
    };
    let p = &doc.programme.fields;
    line(
        &mut sh,
        &format!("{} logframe", p.code.trim()),
        p.name.trim(),
        &f.title,
        &f.title,
    )?;
    line(
        &mut sh,
        "",
        "Exported from Mipaka. Edit it and import it again (Upload on the programme's setup page, or mipaka logframe import FILE.xlsx): you see what would be created, changed and archived, row by row, before anything is saved.",
        &f.wrap,
        &f.wrap,
    )?;
    if is_demo {
        line(
            &mut sh,
            "DEMONSTRATION DATA",
            "This programme is illustrative: its results, indicators, milestones, partners and budget were made up to show how Mipaka works. It is not a real programme's logframe.",
            &f.demo,
            &f.demo,
        )?;
    }
    line(&mut sh, "", "", &f.wrap, &f.wrap)?;
    line(&mut sh, "How to edit", "", &f.title, &f.wrap)?;
    let rules = [
        ("Codes match rows", "A result, indicator, partner, activity or disaggregation keeps its code and is updated in place on re-import. A new code is a new row; the old one is archived or removed. Phases match by name, programme milestones by their text, budget lines by output, activity and fiscal year."),
        ("Removing a row", "Removes it: a result or indicator that already has values, milestones or reports is archived (kept for history, hidden from data entry) instead of deleted. Archived ones say yes in their archived column."),
        ("Several indicators", "A result with several indicators takes several rows: give the result's details on its first row; the cells below may be left blank or merged."),
        ("Milestones", "The whole programme's milestones (interim targets) are the period columns of the Impact, Outcomes and Outputs sheets, headed by DHIS2 periods: 2026Q3 = Jul–Sep 2026, 2026S1 = Jan–Jun 2026, 2026July = Kenyan fiscal year 2026/27. Add a column headed by another period to add milestones for it; a blank cell has none. Milestones for one county or one part (female, male …) are on the Disaggregated milestones sheet."),
        ("Dates and numbers", "Dates as real dates, or typed as 2026-06-30 or 30/06/2026 (day first). Numbers as numbers; 1,200 and 60% are read too."),
        ("Columns and sheets", "Columns are found by their header text, so they may be moved or widened; extra columns and extra sheets are ignored. Keep every sheet and its header row, even when the sheet is empty: an empty sheet means there is nothing of that kind."),
        ("Problems", "Nothing is saved while any cell has a problem. Each problem names its sheet and cell, e.g. Outputs!R12, and says what is wrong."),
    ];
    for (a, b) in rules {
        line(&mut sh, a, b, &f.bold, &f.wrap)?;
    }
    line(&mut sh, "", "", &f.wrap, &f.wrap)?;
    line(&mut sh, "Sheets and columns", "", &f.title, &f.wrap)?;
    let describe = |cols: &[Col]| -> Vec<(String, String)> {
        cols.iter()
            .map(|c| {
                let mut about = c.about.clone();
                if c.required {
                    about.push_str(if about.is_empty() {
                        "Required."
                    } else {
                        " Required."
                    });
                }
                if c.field.is_empty() {
                    about.push_str(" (For reading; not imported.)");
                }
                (c.header.clone(), about)
            })
            .collect()
    };
    for sheet in layout::DATA_SHEETS {
        line(&mut sh, "", "", &f.wrap, &f.wrap)?;
        line(
            &mut sh,
            sheet,
            layout::sheet_about(sheet),
            &f.header,
            &f.header,
        )?;
        let cols: Vec<(String, String)> = match LEVELS.iter().find(|l| l.sheet == sheet) {
            _ if sheet == layout::PROGRAMME => describe(&layout::programme_rows()),
            Some(level) => {
                let mut v = describe(&layout::result_cols(level));
                v.extend(describe(&layout::indicator_cols_before()));
                v.push((
                    "2026Q3, 2026Q4 …".into(),
                    "One column per period: the indicator's milestone for the whole programme in that period. The header's first word is the period; its second line names it.".into(),
                ));
                v.extend(describe(&layout::indicator_cols_after()));
                v
            }
            None => describe(&layout::table_cols(sheet)),
        };
        for (h, about) in cols {
            line(&mut sh, &h, &about, &f.bold, &f.wrap)?;
        }
    }
    sh.finish()
}

/// The workbook of a logframe document (see the module's description). The same
/// document always gives the same bytes.
pub fn write(doc: &Logframe, is_demo: bool) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let code = doc.programme.fields.code.trim();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{code} logframe"))
            .set_subject(doc.programme.fields.name.trim())
            .set_author("Mipaka")
            .set_comment(if is_demo {
                "Demonstration data: illustrative, not a real programme."
            } else {
                "Exported from Mipaka."
            })
            // A fixed time: the same logframe gives the same file, byte for byte.
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    // Which periods are columns on each level sheet: those with a programme-wide
    // milestone of one of its indicators. The others go to the breakdown sheet.
    let level_of_result: HashMap<&str, String> = doc
        .results
        .iter()
        .map(|r| (r.fields.code.trim(), level_of(&r.fields.level)))
        .collect();
    let level_of_indicator: HashMap<&str, String> = doc
        .indicators
        .iter()
        .filter_map(|i| {
            level_of_result
                .get(i.fields.result.trim())
                .map(|l| (i.fields.code.trim(), l.clone()))
        })
        .collect();
    let mut columns_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut breakdown: Vec<Item<TargetFields>> = Vec::new();
    for t in &doc.targets {
        let level = level_of_indicator.get(t.fields.indicator.trim());
        let period = t.fields.period.trim();
        match level {
            Some(l) if is_total(&t.fields) && Period::parse(period).is_ok() => {
                let cols = columns_of.entry(l.clone()).or_default();
                if !cols.iter().any(|p| p == period) {
                    cols.push(period.to_string());
                }
            }
            _ => breakdown.push(t.clone()),
        }
    }
    for cols in columns_of.values_mut() {
        cols.sort_by_key(|p| period_order(p));
    }

    readme_sheet(&mut wb, doc, is_demo, &f)?;
    programme_sheet(&mut wb, doc, &f)?;
    for level in &LEVELS {
        level_sheet(&mut wb, doc, level, &columns_of, &f)?;
    }
    let names = county_names();
    let derived = |field: &str, map: &Map<String, Value>| -> Option<String> {
        match field {
            "county_name" => Some(county_name(&names, &text_of(map, "county"))),
            "county_names" => Some(
                map.get("counties")
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str())
                            .map(|c| {
                                let n = county_name(&names, c);
                                if n.is_empty() {
                                    c.to_string()
                                } else {
                                    n
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
            ),
            "" => Some(
                Period::parse(&text_of(map, "period"))
                    .map(|p| p.label())
                    .unwrap_or_default(),
            ),
            "fiscal_year" => {
                let typed = text_of(map, "fiscal_year");
                Some(
                    parse_fiscal_year(&typed)
                        .map(|p| fiscal_year_label(&p))
                        .unwrap_or(typed),
                )
            }
            _ => None,
        }
    };
    table(
        &mut wb,
        layout::BREAKDOWN,
        &layout::breakdown_cols(),
        &breakdown,
        &derived,
        &f,
    )?;
    table(
        &mut wb,
        layout::CATEGORIES,
        &layout::category_cols(),
        &doc.categories,
        &derived,
        &f,
    )?;
    table(
        &mut wb,
        layout::PHASES,
        &layout::phase_cols(),
        &doc.phases,
        &derived,
        &f,
    )?;
    table(
        &mut wb,
        layout::PARTNERS,
        &layout::partner_cols(),
        &doc.partners,
        &derived,
        &f,
    )?;
    table(
        &mut wb,
        layout::BUDGET,
        &layout::budget_cols(),
        &doc.budget,
        &derived,
        &f,
    )?;
    table(
        &mut wb,
        layout::ACTIVITIES,
        &layout::activity_cols(),
        &doc.activities,
        &derived,
        &f,
    )?;
    table(
        &mut wb,
        layout::MILESTONES,
        &layout::milestone_cols(),
        &doc.milestones,
        &derived,
        &f,
    )?;
    wb.save_to_buffer()
}
