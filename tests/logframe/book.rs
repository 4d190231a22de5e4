//! A workbook as plain cells, to edit exported logframes the way a person does in a
//! spreadsheet program (change a cell, delete a row or a sheet, move a column) and save
//! them again, and to build files that are not workbooks at all.

use std::io::{Cursor, Write};

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, PartialEq)]
pub enum C {
    Empty,
    Text(String),
    Num(f64),
    Date(NaiveDate),
}

impl From<&str> for C {
    fn from(s: &str) -> C {
        C::Text(s.to_string())
    }
}

impl From<f64> for C {
    fn from(v: f64) -> C {
        C::Num(v)
    }
}

pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<C>>,
}

pub struct Book {
    pub sheets: Vec<Sheet>,
}

impl Book {
    pub fn read(bytes: &[u8]) -> Book {
        let mut x: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a workbook");
        let names = x.sheet_names();
        let sheets = names
            .into_iter()
            .map(|name| {
                let range = x.worksheet_range(&name).unwrap();
                let (r0, c0) = range.start().unwrap_or((0, 0));
                let mut rows: Vec<Vec<C>> = vec![Vec::new(); r0 as usize];
                for row in range.rows() {
                    let mut cells = vec![C::Empty; c0 as usize];
                    cells.extend(row.iter().map(|d| match d {
                        Data::Empty => C::Empty,
                        Data::String(s) => C::Text(s.clone()),
                        Data::Float(f) => C::Num(*f),
                        Data::Int(i) => C::Num(*i as f64),
                        Data::Bool(b) => C::Text(if *b { "yes" } else { "no" }.into()),
                        Data::DateTime(d) => C::Date(d.as_datetime().unwrap().date()),
                        other => C::Text(other.to_string()),
                    }));
                    rows.push(cells);
                }
                Sheet { name, rows }
            })
            .collect();
        Book { sheets }
    }

    pub fn write(&self) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for s in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(&s.name).unwrap();
            for (r, row) in s.rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match cell {
                        C::Empty => {}
                        C::Text(t) => {
                            ws.write_string(r, c, t).unwrap();
                        }
                        C::Num(v) => {
                            ws.write_number(r, c, *v).unwrap();
                        }
                        C::Date(d) => {
                            let x = rust_xlsxwriter::ExcelDateTime::from_ymd(
                                d.year() as u16,
                                d.month() as u8,
                                d.day() as u8,
                            )
                            .unwrap();
                            ws.write_datetime_with_format(r, c, x, &date).unwrap();
                        }
                    }
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    pub fn sheet(&mut self, name: &str) -> &mut Sheet {
        self.sheets
            .iter_mut()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no sheet {name}"))
    }

    pub fn remove_sheet(&mut self, name: &str) {
        self.sheets.retain(|s| s.name != name);
    }
}

impl Sheet {
    /// The column headed `header` in row `header_row` (0-based), matched on its first line.
    pub fn col(&self, header_row: usize, header: &str) -> usize {
        self.rows[header_row]
            .iter()
            .position(|c| matches!(c, C::Text(t) if t.lines().next() == Some(header)))
            .unwrap_or_else(|| panic!("{}: no column {header}", self.name))
    }

    /// The row whose column `col` holds `text`.
    pub fn row_with(&self, col: usize, text: &str) -> usize {
        self.rows
            .iter()
            .position(|r| matches!(r.get(col), Some(C::Text(t)) if t == text))
            .unwrap_or_else(|| panic!("{}: no row with {text}", self.name))
    }

    pub fn get(&self, row: usize, col: usize) -> C {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .cloned()
            .unwrap_or(C::Empty)
    }

    pub fn set(&mut self, row: usize, col: usize, v: impl Into<C>) {
        while self.rows.len() <= row {
            self.rows.push(Vec::new());
        }
        let r = &mut self.rows[row];
        while r.len() <= col {
            r.push(C::Empty);
        }
        r[col] = v.into();
    }

    /// Excel's cell name of a 0-based row and column, e.g. "Outputs!R12".
    pub fn cell(&self, row: usize, col: usize) -> String {
        format!(
            "{}!{}{}",
            self.name,
            mipaka::setup::sheet::column_letter(col as u32),
            row + 1
        )
    }
}

/// A zip archive of stored (or, with `deflate`, deflated) parts.
pub fn zip(parts: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let parts: Vec<(&str, Vec<u8>, u16, u32)> = parts
        .iter()
        .map(|(name, data)| {
            if deflate {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
                e.write_all(data).unwrap();
                (*name, e.finish().unwrap(), 8, data.len() as u32)
            } else {
                (*name, data.to_vec(), 0, data.len() as u32)
            }
        })
        .collect();
    raw_zip(&parts)
}

/// A zip archive written by hand from (name, bytes as stored, method, declared size):
/// the declared size may lie, as a zip bomb's does.
pub fn raw_zip(parts: &[(&str, Vec<u8>, u16, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, method, declared) in parts {
        let offset = out.len() as u32;
        let fields = |h: &mut Vec<u8>| {
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(method.to_le_bytes());
            h.extend([0u8; 8]);
            h.extend((data.len() as u32).to_le_bytes());
            h.extend(declared.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
        };
        out.extend(b"PK\x03\x04");
        fields(&mut out);
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(b"PK\x01\x02");
        central.extend(20u16.to_le_bytes());
        fields(&mut central);
        // Comment length, disk, internal and external attributes.
        central.extend([0u8; 10]);
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let cd = out.len() as u32;
    out.extend(&central);
    out.extend(b"PK\x05\x06");
    out.extend([0u8; 4]);
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}
