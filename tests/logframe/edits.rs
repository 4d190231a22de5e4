//! Workbooks as people edit them: changes matched by code, removed rows archived, and
//! the habits of spreadsheet users (moved columns, titles, blank rows, text dates).

use super::book::{Book, C};
use super::{apply, differences, lbp};
use crate::on_both_backends;
use mipaka::entry::Mode;
use mipaka::models::framework;
use mipaka::setup::logframe::{self, Destination};
use mipaka::setup::{sheet, Effect};

fn exported(c: &mut mipaka::db::DbConn) -> Vec<u8> {
    let p = lbp(c);
    sheet::write(&logframe::export(c, &p).unwrap(), true).unwrap()
}

on_both_backends! {
    fn an_edited_file_updates_in_place_and_archives_what_it_no_longer_holds(t) {
        let db = t.with_demo();
        let mut c = db.get().unwrap();
        let before_ids: Vec<(String, i32)> = { let id = lbp(&mut c).id; framework::indicators_of(&mut c, id) }.unwrap().into_iter().map(|i| (i.code, i.id)).collect();
        let mut book = Book::read(&exported(&mut c));
        {
            let out = book.sheet("Outputs");
            let (code, title, q3) = (out.col(1, "Indicator code"), out.col(1, "Indicator"), out.col(1, "2026Q3"));
            let r = out.row_with(code, "LBP-OP1.1.1");
            out.set(r, title, "Officers trained in integrated border management");
            let r = out.row_with(code, "LBP-OP2.1.1");
            out.set(r, q3, 40.0);
        }
        {
            let oc = book.sheet("Outcomes");
            let code = oc.col(1, "Indicator code");
            // LBP-1.2 is LBP-OC1's second indicator: its row holds no result cells.
            let r = oc.row_with(code, "LBP-1.2");
            oc.rows.remove(r);
            let after = oc.row_with(code, "LBP-2.2") + 1;
            oc.rows.insert(after, Vec::new());
            for (h, v) in [
                ("Indicator code", C::from("LBP-2.3")),
                ("Indicator", C::from("Joint patrols agreed at cross-border meetings")),
                ("Unit", C::from("count")),
                ("Direction", C::from("higher")),
                ("County rule", C::from("sum")),
                ("Period rule", C::from("sum")),
                ("Baseline value", C::from(0.0)),
                ("Baseline date", C::Date(chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap())),
                ("2026Q3", C::from(5.0)),
                ("Key indicator", C::from("no")),
            ] {
                let col = oc.col(1, h);
                oc.set(after, col, v);
            }
        }
        let doc = sheet::read(&book.write()).unwrap_or_else(|p| panic!("{p:#?}"));
        let p = lbp(&mut c);
        let preview = apply(&mut c, Destination::Existing(p.id), &doc, Mode::DryRun, None);
        assert!(preview.is_clean(), "{:#?}", preview.problems);
        let changes: Vec<(String, Effect)> = preview.changes().map(|l| (l.what.clone(), l.effect)).collect();
        assert!(changes.contains(&("indicator LBP-OP1.1.1".into(), Effect::Changed)), "{changes:?}");
        assert!(changes.contains(&("milestones of LBP-OP2.1.1".into(), Effect::Changed)), "{changes:?}");
        assert!(changes.contains(&("indicator LBP-2.3".into(), Effect::Created)), "{changes:?}");
        assert!(changes.contains(&("indicator LBP-1.2 (not in the file)".into(), Effect::Archived)), "{changes:?}");
        let title_line = preview.changes().find(|l| l.what == "indicator LBP-OP1.1.1").unwrap();
        assert!(title_line.changes.iter().any(|c| c.starts_with("title: ") && c.contains("Officers trained in integrated border management")), "{:?}", title_line.changes);
        let new_line = preview.changes().find(|l| l.what == "indicator LBP-2.3").unwrap();
        assert!(new_line.place.starts_with("Outcomes!"), "{}", new_line.place);
        assert_eq!(framework::indicator_by_code(&mut c, p.id, "LBP-2.3").ok().map(|i| i.id), None, "a preview writes nothing");

        let report = apply(&mut c, Destination::Existing(p.id), &doc, Mode::Write, Some(&preview.plan_hash()));
        assert!(report.written, "{:#?}", report.problems);
        let ind = framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap();
        assert_eq!(ind.title, "Officers trained in integrated border management");
        assert_eq!(Some(ind.id), before_ids.iter().find(|(c, _)| c == "LBP-OP1.1.1").map(|x| x.1), "updated in place");
        let old = framework::indicator_by_code(&mut c, p.id, "LBP-1.2").unwrap();
        assert!(old.archived, "an indicator with values is archived, not deleted");
        assert!(mipaka::models::values::count_of_programme(&mut c, p.id).unwrap() > 0);
        let id = framework::indicator_by_code(&mut c, p.id, "LBP-OP2.1.1").unwrap().id;
        let t = mipaka::models::target::of_indicator(&mut c, id).unwrap();
        assert_eq!(t.iter().find(|t| t.period == "2026Q3" && t.location_id.is_none()).map(|t| t.value), Some(40.0));
        // The same edited file again changes nothing.
        let doc = sheet::read(&book.write()).unwrap();
        let again = apply(&mut c, Destination::Existing(p.id), &doc, Mode::Write, None);
        assert_eq!(again.changes().count(), 0, "{:#?}", again.changes().collect::<Vec<_>>());
    }
}

on_both_backends! {
    fn what_people_do_to_a_workbook_still_reads_as_the_same_logframe(t) {
        let db = t.with_demo();
        let mut c = db.get().unwrap();
        let original = crate::logframe::export_lbp(&mut c);
        let mut book = Book::read(&exported(&mut c));
        {
            let out = book.sheet("Outputs");
            // A title above the header, blank rows between indicators, a notes column.
            out.rows.insert(0, vec![C::from("LBP outputs — as agreed with FCDO, edited by hand")]);
            out.rows.insert(5, Vec::new());
            out.rows.insert(9, vec![C::Empty, C::Empty]);
            let width = out.rows[2].len();
            out.set(2, width, "Notes");
            out.set(3, width, "check with IOM");
            out.name = "outputs".into();
        }
        {
            // Columns moved: Unit to the far right; the result code filled down.
            let oc = book.sheet("Outcomes");
            let unit = oc.col(1, "Unit");
            for row in oc.rows.iter_mut() {
                if row.len() > unit {
                    let v = row.remove(unit);
                    row.push(v);
                }
            }
            let code = oc.col(1, "Outcome code");
            let ind = oc.col(1, "Indicator code");
            let r = oc.row_with(ind, "LBP-1.2");
            oc.set(r, code, "LBP-OC1");
        }
        {
            // Dates typed as text (day first) and stored as Excel day numbers.
            let pr = book.sheet("Programme");
            for row in pr.rows.iter_mut() {
                if let Some(C::Date(d)) = row.get(1).cloned() {
                    row[1] = C::Text(d.format("%d/%m/%Y").to_string());
                }
            }
            let ph = book.sheet("Phases");
            let start = ph.col(0, "Start date");
            for row in ph.rows.iter_mut().skip(1) {
                if let Some(C::Date(d)) = row.get(start).cloned() {
                    let serial = (d - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days();
                    row[start] = C::Num(serial as f64);
                }
            }
            let ms = book.sheet("Programme milestones");
            let due = ms.col(0, "Due");
            for row in ms.rows.iter_mut().skip(1) {
                if let Some(C::Date(d)) = row.get(due).cloned() {
                    row[due] = C::Text(d.format("%-d %b %Y").to_string());
                }
            }
            // Numbers stored as text, county codes typed as numbers.
            let b = book.sheet("Budget");
            let amount = b.col(0, "Amount");
            for row in b.rows.iter_mut().skip(1) {
                if let Some(C::Num(v)) = row.get(amount).cloned() {
                    row[amount] = C::Text(format!("{v:.2}"));
                }
            }
            let a = book.sheet("Activities");
            let county = a.col(0, "County code");
            for row in a.rows.iter_mut().skip(1) {
                if let Some(C::Text(code)) = row.get(county).cloned() {
                    if let Ok(n) = code.parse::<f64>() {
                        row[county] = C::Num(n);
                    }
                }
            }
        }
        let doc = sheet::read(&book.write()).unwrap_or_else(|p| panic!("{p:#?}"));
        let other = crate::logframe::other_backend(&t);
        let empty = other.prepare();
        let mut e = empty.get().unwrap();
        let report = apply(&mut e, Destination::New { is_demo: true }, &doc, Mode::Write, None);
        assert!(report.is_clean(), "{:#?}", report.problems);
        let again = crate::logframe::export_lbp(&mut e);
        let d = differences(&original, &again);
        assert!(d.is_empty(), "{}", d.join("\n"));
    }
}
