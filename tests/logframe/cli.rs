//! `mipaka logframe export` and `mipaka logframe import` from the command line.

use std::process::{Command, Output};

use super::book::Book;
use crate::on_both_backends;
use crate::support::TestDb;
use mipaka::db::DatabaseTarget;

fn mipaka(t: &TestDb, args: &[&str]) -> Output {
    let url = match &t.config.database {
        DatabaseTarget::Sqlite { path } => path.display().to_string(),
        DatabaseTarget::Postgres { url } => url.clone(),
    };
    Command::new(env!("CARGO_BIN_EXE_mipaka"))
        .current_dir(t.dir.path())
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run mipaka")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

on_both_backends! {
    fn export_then_import_from_the_command_line(t) {
        let db = t.with_demo();
        let file = t.dir.path().join("LBP.xlsx");
        let f = file.to_str().unwrap();
        let out = mipaka(&t, &["logframe", "export", "--programme", "LBP", "-o", f]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Wrote the logframe of LBP"), "{}", text(&out.stdout));

        let out = mipaka(&t, &["logframe", "import", f]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("holds what the tracker already has; nothing to change"), "{}", text(&out.stdout));

        // Edit a title: the dry run lists it, writes nothing; the import applies it.
        let mut book = Book::read(&std::fs::read(&file).unwrap());
        let out_sheet = book.sheet("Outputs");
        let (code, title) = (out_sheet.col(1, "Indicator code"), out_sheet.col(1, "Indicator"));
        let r = out_sheet.row_with(code, "LBP-OP1.1.1");
        out_sheet.set(r, title, "Officers trained (edited on the command line)");
        std::fs::write(&file, book.write()).unwrap();
        let out = mipaka(&t, &["logframe", "import", f, "--programme", "LBP", "--dry-run"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let said = text(&out.stdout);
        assert!(said.contains("changed") && said.contains("indicator LBP-OP1.1.1") && said.contains("Officers trained (edited on the command line)"), "{said}");
        assert!(said.contains("Dry run: nothing was written"), "{said}");
        let mut c = db.get().unwrap();
        let p = crate::logframe::lbp(&mut c);
        let title_now = |c: &mut mipaka::db::DbConn| mipaka::models::framework::indicator_by_code(c, p.id, "LBP-OP1.1.1").unwrap().title;
        assert_ne!(title_now(&mut c), "Officers trained (edited on the command line)");
        let out = mipaka(&t, &["logframe", "import", f]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Imported"), "{}", text(&out.stdout));
        assert_eq!(title_now(&mut c), "Officers trained (edited on the command line)");
        let id = mipaka::models::framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap().id;
        let who = mipaka::models::audit::last_actor(&mut c, "indicator", id).unwrap();
        assert_eq!(who.as_deref(), Some("command line"));

        // A bad cell: every problem with its cell, exit code 2, nothing written.
        let mut book = Book::read(&std::fs::read(&file).unwrap());
        let s = book.sheet("Outputs");
        let (code, q3) = (s.col(1, "Indicator code"), s.col(1, "2026Q3"));
        let r = s.row_with(code, "LBP-OP2.1.1");
        s.set(r, q3, "sixty");
        let at = s.cell(r, q3);
        s.set(r, title, "This title must not be saved");
        std::fs::write(&file, book.write()).unwrap();
        let out = mipaka(&t, &["logframe", "import", f]);
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains(&format!("{at}: milestone 2026Q3 of LBP-OP2.1.1: 'sixty' is not a number")), "{err}");
        assert!(err.trim_end().ends_with("nothing was imported"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(title_now(&mut c), "Officers trained (edited on the command line)");

        // Into another programme: refused, naming both.
        let out = mipaka(&t, &["logframe", "import", f, "--programme", "DW"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("this file is the logframe of LBP; it cannot be imported into DW"), "{}", text(&out.stderr));

        // Not a workbook.
        let csv = t.dir.path().join("values.csv");
        std::fs::write(&csv, "indicator,period,value\nLBP-1.1,2026Q3,3\n").unwrap();
        let out = mipaka(&t, &["logframe", "import", csv.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).starts_with("file: this is a text or CSV file"), "{}", text(&out.stderr));
    }
}

#[test]
fn an_empty_deployment_gets_its_programme_from_the_file() {
    let t = TestDb::sqlite();
    drop(t.prepare());
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/logframe/LBP-logframe.xlsx"
    );
    let out = mipaka(&t, &["logframe", "import", file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("LBP (a new programme)") && said.contains("created"),
        "{said}"
    );
    assert!(said.contains("created   Outputs!3"), "row by row: {said}");
    let db = t.prepare();
    let mut c = db.get().unwrap();
    assert_eq!(
        {
            let id = crate::logframe::lbp(&mut c).id;
            mipaka::models::framework::indicators_of(&mut c, id)
        }
        .unwrap()
        .len(),
        14
    );
}
