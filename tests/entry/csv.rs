//! CSV: template → fill → preview → commit; bad files; Excel habits; export.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in, TestDb};
use mipaka::db::schema::{indicator_values, indicators, programmes};

const PERIOD: &str = "2026Q4";

fn upload(client: &Client, csrf: &str, name: &str, bytes: &[u8]) -> (Status, String) {
    let boundary = "XmipakaBoundary7";
    let mut body = Vec::new();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
    let r = client
        .post("/programmes/LBP/csv/preview")
        .header(ct)
        .body(body)
        .dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

fn commit(client: &Client, csrf: &str, preview: &str) -> (Status, Option<String>, String) {
    let id = preview
        .split("name=\"upload\" value=\"")
        .nth(1)
        .expect("preview offers the import")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = client
        .post("/programmes/LBP/csv/commit")
        .header(ContentType::Form)
        .body(format!("csrf={csrf}&upload={id}"))
        .dispatch();
    let loc = r.headers().get_one("Location").map(str::to_string);
    (r.status(), loc, r.into_string().unwrap_or_default())
}

fn count(t: &TestDb, db: &mipaka::db::Db) -> i64 {
    let _ = t;
    indicator_values::table
        .count()
        .get_result(&mut *db.get().unwrap())
        .unwrap()
}

/// Fills the template's value column with the previous value where there is one.
fn fill(template: &str) -> (String, usize) {
    let mut lines = template.trim_start_matches('\u{feff}').split("\r\n");
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let (prev, value) = (
        cols.iter().position(|c| *c == "previous_value").unwrap(),
        cols.iter().position(|c| *c == "value").unwrap(),
    );
    let mut out = vec![header.to_string()];
    let mut filled = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let rec: Vec<String> = r
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let mut rec = rec;
        if !rec[prev].is_empty() {
            rec[value] = rec[prev].clone();
            filled += 1;
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&rec).unwrap();
        out.push(
            String::from_utf8(w.into_inner().unwrap())
                .unwrap()
                .trim_end()
                .to_string(),
        );
    }
    (out.join("\r\n"), filled)
}

on_both_backends! {
    fn a_filled_template_previews_then_imports_and_a_second_upload_changes_nothing(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let r = client.get(format!("/programmes/LBP/csv/template?period={PERIOD}")).dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert!(r.headers().get_one("Content-Disposition").unwrap().contains("LBP-2026Q4-template.csv"));
        let template = r.into_string().unwrap();
        assert!(template.starts_with('\u{feff}'), "BOM for Excel");
        let (filled, n) = fill(&template);
        assert!(n > 20, "filled {n} rows");
        let before = count(&t, &db);

        let (status, preview) = upload(&client, &csrf, "lbp.csv", filled.as_bytes());
        assert_eq!(status, Status::Ok, "{}", &preview[..preview.len().min(2000)]);
        assert!(preview.contains(&format!("<strong>{n} to add</strong>")), "preview counts the additions");
        assert_eq!(count(&t, &db), before, "a preview writes nothing");

        let (status, loc, _) = commit(&client, &csrf, &preview);
        assert_eq!(status, Status::SeeOther);
        assert_eq!(count(&t, &db), before + n as i64);
        // The manager lands on the grid where the new drafts are submitted.
        let loc = loc.unwrap();
        assert_eq!(loc, format!("/programmes/LBP/entry?period={PERIOD}&county=all"));
        let page = client.get(loc).dispatch().into_string().unwrap();
        assert!(page.contains(&format!("{n} value(s) added")), "flash reports the import");
        assert!(page.contains("Submit them below when they are ready.") && page.contains("Save and submit for approval"));

        // The same file again: nothing to import, nothing changes.
        let (status, preview) = upload(&client, &csrf, "lbp.csv", filled.as_bytes());
        assert_eq!(status, Status::Ok);
        assert!(preview.contains("<strong>0 to add</strong>") && preview.contains("<strong>0 to change</strong>"), "second upload");
        assert!(preview.contains("Nothing to import"));
        assert_eq!(count(&t, &db), before + n as i64);
    }
}

on_both_backends! {
    fn every_bad_row_is_reported_with_line_and_column_and_nothing_is_saved(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let file = "period,indicator_code,county_code,disaggregation,value,comment\n\
                    2026Q4,LBP-0.1,040,,3,\n\
                    2026Q5,LBP-0.1,040,,3,\n\
                    2026Q4,NOPE-1,040,,3,\n\
                    2026Q4,LBP-0.1,999,,3,\n\
                    2026Q4,LBP-0.1,040,,3,\n\
                    2026Q4,LBP-0.1,009,,2.5,\n\
                    2026Q4,LBP-0.1,041,,3,\n";
        let before = count(&t, &db);
        let (status, page) = upload(&client, &csrf, "bad.csv", file.as_bytes());
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains("Nothing was imported"));
        let rows: Vec<&str> = page.split("<tr><td class=\"num\">").skip(1).collect();
        let has = |line: &str, col: &str, text: &str| rows.iter().any(|r| r.starts_with(&format!("{line}</td><td>{col}</td>")) && r.contains(text));
        assert!(has("3", "period", "quarter must be 1 to 4"), "{rows:?}");
        assert!(has("4", "indicator_code", "not an indicator of LBP"), "{rows:?}");
        assert!(has("5", "county_code", "not a Kenyan county"), "{rows:?}");
        assert!(has("6", "indicator_code", "repeats the value on line 2"), "{rows:?}");
        assert!(has("7", "value", "whole number"), "{rows:?}");
        assert!(has("8", "county_code", "not covered"), "{rows:?}");
        assert!(!page.contains("Import these changes"));
        assert_eq!(count(&t, &db), before);
    }
}

on_both_backends! {
    fn excel_files_with_bom_semicolons_quotes_and_decimal_commas_import(t) {
        let db = t.with_demo();
        let (pct_code, county) = {
            let c = &mut *db.get().unwrap();
            let code: String = indicators::table
                .inner_join(programmes::table)
                .filter(programmes::code.eq("LBP"))
                .filter(indicators::unit.eq("percentage"))
                .select(indicators::code)
                .first(c)
                .unwrap();
            (code, "Busia")
        };
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        // No version column: a county office's own sheet. A county by name; a comma decimal.
        let file = format!("\u{feff}\"period\";\"indicator_code\";\"county_code\";\"value\";\"comment\"\r\n\"{PERIOD}\";\"{pct_code}\";\"{county}\";\"55,5\";\"Busia; new screening desk\"\r\n");
        let (status, preview) = upload(&client, &csrf, "excel.csv", file.as_bytes());
        assert_eq!(status, Status::Ok, "{}", &preview[..preview.len().min(3000)]);
        let (status, _, _) = commit(&client, &csrf, &preview);
        assert_eq!(status, Status::SeeOther);
        let (v, comment): (f64, Option<String>) = indicator_values::table
            .inner_join(indicators::table)
            .filter(indicators::code.eq(&pct_code))
            .filter(indicator_values::period.eq(PERIOD))
            .select((indicator_values::value, indicator_values::comment))
            .first(&mut *db.get().unwrap())
            .unwrap();
        assert_eq!(v, 55.5);
        assert_eq!(comment.as_deref(), Some("Busia; new screening desk"));
    }
}

on_both_backends! {
    fn the_export_holds_every_value_of_the_programme(t) {
        let db = t.with_demo();
        let expected: i64 = {
            let c = &mut *db.get().unwrap();
            // With no small-number rule and nothing internal, every value leaves
            // (tests/disclosure checks what the rules keep out).
            diesel::update(indicators::table)
                .set((indicators::small_number_rule.eq("none"), indicators::small_number_below.eq(None::<i32>), indicators::publication_level.eq("partners")))
                .execute(c)
                .unwrap();
            indicator_values::table.inner_join(indicators::table.inner_join(programmes::table)).filter(programmes::code.eq("LBP")).count().get_result(c).unwrap()
        };
        let client = t.client(db);
        sign_in(&client, "evaluator", demo_password("evaluator"));
        let r = client.get("/programmes/LBP/csv/export").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.content_type().map(|c| c.to_string()).as_deref(), Some("text/csv; charset=utf-8"));
        let body = r.into_string().unwrap();
        let file = mipaka::csvio::open(body.as_bytes()).unwrap();
        assert_eq!(file.rows().count() as i64, expected);
        assert!(file.column("entered_by").is_some() && file.column("status").is_some());
    }
}
