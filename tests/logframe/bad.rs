//! Bad workbooks: each is refused with where and why, and nothing is written.

use std::io::Write;

use diesel::prelude::*;

use super::book::{raw_zip, zip, Book, C};
use super::{apply, lbp};
use crate::on_both_backends;
use mipaka::db::schema::audit_log;
use mipaka::db::DbConn;
use mipaka::entry::Mode;
use mipaka::setup::logframe::{self, Destination, Problem};
use mipaka::setup::sheet;

/// Reads and applies `bytes` to LBP; the problems, after checking that nothing changed.
fn refused(c: &mut DbConn, bytes: &[u8]) -> Vec<Problem> {
    let p = lbp(c);
    let before = logframe::export(c, &p).unwrap();
    let audit = |c: &mut DbConn| -> i64 { audit_log::table.count().get_result(c).unwrap() };
    let rows = audit(c);
    let problems = match sheet::read(bytes) {
        Err(problems) => problems,
        Ok(doc) => {
            let report = apply(c, Destination::Existing(p.id), &doc, Mode::Write, None);
            assert!(!report.written);
            report.problems
        }
    };
    assert!(!problems.is_empty(), "refused");
    assert_eq!(
        crate::logframe::export_lbp(c),
        before,
        "nothing was written"
    );
    assert_eq!(audit(c), rows, "nothing was audited");
    problems
}

fn has(problems: &[Problem], place: &str, words: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.place == place && p.message.contains(words)),
        "no problem at {place} saying {words:?}: {problems:#?}"
    );
}

fn edited(c: &mut DbConn, edit: impl FnOnce(&mut Book)) -> Vec<u8> {
    let p = lbp(c);
    let mut book = Book::read(&sheet::write(&logframe::export(c, &p).unwrap(), true).unwrap());
    edit(&mut book);
    book.write()
}

on_both_backends! {
    fn wrong_cells_are_named_by_sheet_and_cell(t) {
        let db = t.with_demo();
        let mut c = db.get().unwrap();
        let mut at = String::new();
        let bytes = edited(&mut c, |b| {
            let out = b.sheet("Outputs");
            let (code, q3) = (out.col(1, "Indicator code"), out.col(1, "2026Q3"));
            let r = out.row_with(code, "LBP-OP2.1.1");
            out.set(r, q3, "sixty");
            at = out.cell(r, q3);
        });
        let problems = refused(&mut c, &bytes);
        has(&problems, &at, "'sixty' is not a number");
        has(&problems, &at, "milestone 2026Q3 of LBP-OP2.1.1");

        let bytes = edited(&mut c, |b| {
            let out = b.sheet("Outputs");
            let (code, date) = (out.col(1, "Indicator code"), out.col(1, "Baseline date"));
            let r = out.row_with(code, "LBP-OP2.1.1");
            out.set(r, date, "31/02/2026");
            at = out.cell(r, date);
        });
        has(&refused(&mut c, &bytes), &at, "'31/02/2026' is not a date");

        let bytes = edited(&mut c, |b| {
            let out = b.sheet("Outputs");
            let code = out.col(1, "Indicator code");
            let r = out.row_with(code, "LBP-OP1.2.1");
            out.set(r, code, "LBP-OP1.1.1");
            at = out.cell(r, code);
        });
        has(&refused(&mut c, &bytes), &at, "the indicator code LBP-OP1.1.1 is given twice");

        let bytes = edited(&mut c, |b| {
            let out = b.sheet("Outputs");
            let (code, w) = (out.col(1, "Output code"), out.col(1, "Impact weighting (%)"));
            let r = out.row_with(code, "LBP-OP1.1");
            let C::Num(v) = out.get(r, w) else { panic!("a weighting") };
            out.set(r, w, v - 5.0);
            at = out.cell(2, w);
        });
        has(&refused(&mut c, &bytes), &at, "add up to 95%, not 100%");

        // The same milestone twice: in its period column and on the breakdown sheet.
        let mut first = String::new();
        let bytes = edited(&mut c, |b| {
            let out = b.sheet("Outputs");
            let (code, q3) = (out.col(1, "Indicator code"), out.col(1, "2026Q3"));
            first = out.cell(out.row_with(code, "LBP-OP2.1.1"), q3);
            let d = b.sheet("Disaggregated milestones");
            for (h, v) in [("Indicator code", C::from("LBP-OP2.1.1")), ("Period", C::from("2026Q3")), ("Milestone", C::from(12.0))] {
                let col = d.col(0, h);
                d.set(1, col, v);
            }
            at = d.cell(1, d.col(0, "Period"));
        });
        has(&refused(&mut c, &bytes), &at, &format!("2026Q3 is given twice (also at {first})"));

        let bytes = edited(&mut c, |b| {
            let ph = b.sheet("Phases");
            let counties = ph.col(0, "County codes");
            ph.set(1, counties, "023, 999");
            at = ph.cell(1, counties);
        });
        has(&refused(&mut c, &bytes), &at, "999");
    }
}

on_both_backends! {
    fn missing_or_doubled_sheets_and_headers_are_refused(t) {
        let db = t.with_demo();
        let mut c = db.get().unwrap();
        let bytes = edited(&mut c, |b| b.remove_sheet("Partners"));
        has(&refused(&mut c, &bytes), "Partners", "no “Partners” sheet");

        let bytes = edited(&mut c, |b| {
            let out = b.sheet("Outputs");
            let unit = out.col(1, "Unit");
            out.set(1, unit, C::Empty);
        });
        has(&refused(&mut c, &bytes), "Outputs!2", "no column headed “Unit”");

        let bytes = edited(&mut c, |b| {
            let out = b.sheet("Outputs");
            let copy = crate::logframe::book::Sheet { name: "Outputs (2)".into(), rows: out.rows.clone() };
            b.sheets.push(copy);
        });
        has(&refused(&mut c, &bytes), "Outputs (2)", "2 sheets for Outputs");

        let mut at = String::new();
        let bytes = edited(&mut c, |b| {
            let out = b.sheet("Outputs");
            let def = out.col(1, "Definition");
            out.set(1, def, "Indicator");
            at = out.cell(1, def);
        });
        has(&refused(&mut c, &bytes), &at, "two columns are headed “Indicator”");

        let bytes = edited(&mut c, |b| {
            let s = b.sheet("Disaggregated milestones");
            s.set(sheet::MAX_ROWS as usize + 20, 0, "LBP-1.1");
        });
        has(&refused(&mut c, &bytes), "Disaggregated milestones", "more than 100000 rows");
        // Within each sheet's rows, but too many in all.
        let bytes = edited(&mut c, |b| {
            for name in ["Disaggregated milestones", "Programme milestones"] {
                let s = b.sheet(name);
                for r in 1..=60_000 {
                    s.set(r, 0, "x");
                }
            }
        });
        has(&refused(&mut c, &bytes), "Programme milestones", "more than 100000 filled rows in all");
    }
}

on_both_backends! {
    fn files_that_are_not_workbooks_say_what_they_are(t) {
        let db = t.with_demo();
        let mut c = db.get().unwrap();
        let docx = zip(&[
            ("[Content_Types].xml", br#"<?xml version="1.0"?><Types/>"#),
            ("word/document.xml", br#"<?xml version="1.0"?><w:document/>"#),
        ], true);
        has(&refused(&mut c, &docx), "file", "Word document (.docx)");
        has(&refused(&mut c, b"indicator,period,value\nLBP-1.1,2026Q3,12\n"), "file", "text or CSV file");
        let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        has(&refused(&mut c, &noise), "file", "not an .xlsx workbook");
        has(&refused(&mut c, b""), "file", "empty");
        // A workbook whose shared strings inflate to 200 MB while declaring 1 KB.
        let mut bomb = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![b'<'; 1 << 20];
        for _ in 0..200 {
            bomb.write_all(&chunk).unwrap();
        }
        let bomb = raw_zip(&[
            ("xl/workbook.xml", b"<workbook/>".to_vec(), 0, 11),
            ("xl/sharedStrings.xml", bomb.finish().unwrap(), 8, 1024),
        ]);
        assert!(bomb.len() < 1 << 20, "a small file ({} bytes)", bomb.len());
        has(&refused(&mut c, &bomb), "file", "unpacks to more than 96 MB");
    }
}
