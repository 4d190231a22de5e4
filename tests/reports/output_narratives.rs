//! Each output's narrative for a period: saved from its page, read back, printed in the
//! donor report under the right output, refused when stale (nothing written), audited
//! with before and after, editable only by those who may edit the period's narrative,
//! and listed in the change log of a version issued after it changed.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use super::pdf_flow;
use crate::on_both_backends;
use crate::support::{demo_password, input_value, sign_in, urlencode, TestDb};
use mipaka::db::schema::{audit_log as a, output_narratives as n};
use mipaka::domain::period::Period;
use mipaka::models::framework::ResultRow;
use mipaka::models::programme;
use mipaka::report::issue::{self, Subject};
use mipaka::report::output_narrative::{self, NONE_RECORDED};

const PAGE: &str = "/programmes/LBP/reports/outputs?period=2026Q2";
const SAVE: &str = "/programmes/LBP/reports/outputs";

/// As Tera escapes text into a page.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2F;")
}

/// The form fields of one output as the page gives them, with `text` typed instead.
fn fields(page: &str, id: i32, text: &str) -> String {
    let mut out = format!(
        "&outputs[{id}].seen={}&outputs[{id}].text={}",
        input_value(page, &format!("outputs[{id}].seen")).expect("seen field"),
        urlencode(text)
    );
    if let Some(v) = input_value(page, &format!("outputs[{id}].version")) {
        out.push_str(&format!("&outputs[{id}].version={v}"));
    }
    out
}

fn post<'c>(
    client: &'c Client,
    csrf: &str,
    rest: &str,
) -> rocket::local::blocking::LocalResponse<'c> {
    client
        .post(SAVE)
        .header(ContentType::Form)
        .body(format!("csrf={csrf}&period=2026Q2{rest}"))
        .dispatch()
}

fn lbp_outputs(db: &mipaka::db::Db) -> (i32, Vec<ResultRow>) {
    let mut c = TestDb::conn(db);
    let p = programme::by_code(&mut c, "LBP").unwrap();
    (p.id, output_narrative::outputs(&mut c, p.id).unwrap())
}

fn stored(db: &mipaka::db::Db, result_id: i32) -> Option<(String, i32)> {
    let mut c = TestDb::conn(db);
    n::table
        .filter(n::result_id.eq(result_id))
        .filter(n::period.eq("2026Q2"))
        .select((n::narrative, n::version))
        .first(&mut *c)
        .optional()
        .unwrap()
}

/// An audit row: before, after (JSON), detail, who.
type AuditRow = (Option<String>, Option<String>, String, Option<i32>);

fn audits(db: &mipaka::db::Db) -> Vec<AuditRow> {
    let mut c = TestDb::conn(db);
    a::table
        .filter(a::action.eq("output_narrative_saved"))
        .order(a::id)
        .select((a::before_json, a::after_json, a::detail, a::user_id))
        .load(&mut *c)
        .unwrap()
}

on_both_backends! {
    fn output_narratives_are_saved_printed_under_their_output_and_audited(t) {
        let db = t.with_demo();
        let (_, outputs) = lbp_outputs(&db);
        assert!(outputs.len() >= 3, "LBP has outputs");
        let (o1, o2, o3) = (&outputs[0], &outputs[1], &outputs[2]);
        let manager = t.client(db.clone());
        let csrf = sign_in(&manager, "manager", demo_password("manager"));

        // The reports page links to the page; each output has a text area labelled with
        // its code and statement.
        let reports = manager.get("/programmes/LBP/reports?period=2026Q2").dispatch().into_string().unwrap();
        assert!(reports.contains("/programmes/LBP/reports/outputs?period=2026Q2"), "linked from the reports page");
        let page = manager.get(PAGE).dispatch().into_string().unwrap();
        for o in &outputs {
            assert!(page.contains(&format!("name=\"outputs[{}].text\"", o.id)), "a text area for {}", o.code);
            let label = html(&format!("Output {}: {}", o.code, o.statement));
            assert!(page.contains(&label), "labelled {label}");
        }

        // Saved: only the output that changed is written.
        let first = "Moyalé and Dádaab desks opened; ahead because the county paid for fuel";
        let r = post(&manager, &csrf, &(fields(&page, o1.id, first) + &fields(&page, o2.id, "")));
        assert_eq!(r.status(), Status::SeeOther);
        let page = manager.get(PAGE).dispatch().into_string().unwrap();
        assert!(page.contains(&format!("saved: {}", o1.code)), "the flash names what was saved");
        assert!(page.contains("Moyalé and Dádaab desks opened"), "read back");
        assert_eq!(stored(&db, o1.id), Some((first.to_string(), 1)));
        assert_eq!(stored(&db, o2.id), None, "an output left empty is not written");

        // Edited at the version read: version 2, audited with before and after.
        let second = "Moyalé desk opened; Dádaab delayed by the rains";
        let r = post(&manager, &csrf, &fields(&page, o1.id, second));
        assert_eq!(r.status(), Status::SeeOther);
        assert_eq!(stored(&db, o1.id), Some((second.to_string(), 2)));
        let log = audits(&db);
        assert_eq!(log.len(), 2, "{log:?}");
        assert_eq!(log[0].0, None, "created: nothing before");
        let after: serde_json::Value = serde_json::from_str(log[0].1.as_deref().unwrap()).unwrap();
        assert_eq!(after["text"], first);
        assert_eq!(after["output"], o1.code.as_str());
        assert_eq!(log[0].2, format!("2026Q2 {}", o1.code));
        assert!(log[0].3.is_some(), "who");
        let before: serde_json::Value = serde_json::from_str(log[1].0.as_deref().unwrap()).unwrap();
        let after: serde_json::Value = serde_json::from_str(log[1].1.as_deref().unwrap()).unwrap();
        assert_eq!((before["text"].as_str(), after["text"].as_str()), (Some(first), Some(second)));

        // A stale edit (the page read at version 1 above) is refused, naming the output;
        // the other output's new text in the same form is not written either.
        let r = post(&manager, &csrf, &(fields(&page, o1.id, "Overwrite") + &fields(&page, o2.id, "Second output text")));
        assert_eq!(r.status(), Status::Conflict);
        let refused = r.into_string().unwrap();
        assert!(refused.contains("Nothing was saved") && refused.contains(&format!("Output {}", o1.code)), "{refused}");
        assert!(refused.contains("Dádaab delayed by the rains"), "theirs shown");
        assert!(refused.contains("Overwrite") && refused.contains("Second output text"), "what was typed is kept");
        assert_eq!(stored(&db, o1.id), Some((second.to_string(), 2)), "theirs untouched");
        assert_eq!(stored(&db, o2.id), None, "nothing written at all");
        assert_eq!(audits(&db).len(), 2);
        // A form sent back untouched for an output someone changed since is no edit.
        let r = post(&manager, &csrf, &(fields(&page, o1.id, first) + &fields(&page, o3.id, "Third output text")));
        assert_eq!(r.status(), Status::SeeOther, "an untouched stale output does not block the others");
        assert_eq!(stored(&db, o1.id), Some((second.to_string(), 2)));
        assert_eq!(stored(&db, o3.id), Some(("Third output text".to_string(), 1)));

        // Longer than the report takes: 422 on the field, nothing written.
        let page = manager.get(PAGE).dispatch().into_string().unwrap();
        let r = post(&manager, &csrf, &(fields(&page, o2.id, &"x".repeat(5001)) + &fields(&page, o3.id, "Changed too")));
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let refused = r.into_string().unwrap();
        assert!(refused.contains(&format!("id=\"output-{}-error\"", o2.id)) && refused.contains("at most 5000"), "{refused}");
        assert!(refused.contains("aria-invalid=\"true\""));
        assert_eq!(stored(&db, o2.id), None);
        assert_eq!(stored(&db, o3.id), Some(("Third output text".to_string(), 1)));

        // The donor report prints each under its own output, or says there is none.
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let (_, bytes) = issue::draft(&mut c, &Subject::Donor(p), Period::parse("2026Q2").unwrap()).unwrap();
        let Some(text) = pdf_flow(&bytes) else { return };
        // The contents page names every section first: the body's is the last "2. Results".
        let results = text.rfind("2. Results").expect("results section");
        let heading = |o: &ResultRow| results + text[results..].find(&format!("Output {}:", o.code)).unwrap_or_else(|| panic!("{} heading", o.code));
        let (h1, h2, h3) = (heading(o1), heading(o2), heading(o3));
        let printed = text.find("Moyalé desk opened; Dádaab delayed by the rains").expect("o1's narrative printed");
        assert!(h1 < printed && printed < h2, "under its own output: {h1} < {printed} < {h2}");
        let none = h2 + text[h2..].find(NONE_RECORDED).expect("o2 says it has none");
        assert!(none < h3, "the note is under the second output");
        let third = text.find("Third output text").unwrap();
        assert!(h3 < third, "under the third output");
        assert!(text[h1..printed].contains("Progress narrative"));
    }
}

on_both_backends! {
    fn only_those_who_may_edit_the_period_narrative_may_edit_output_narratives(t) {
        let db = t.with_demo();
        let (_, outputs) = lbp_outputs(&db);
        let o1 = &outputs[0];
        for who in ["officer", "donor", "evaluator", "admin"] {
            let client = t.client(db.clone());
            let csrf = sign_in(&client, who, demo_password(who));
            assert_eq!(client.get(PAGE).dispatch().status(), Status::Forbidden, "{who} reads no edit page");
            let r = post(&client, &csrf, &format!("&outputs[{}].seen=x&outputs[{}].text=By+{who}", o1.id, o1.id));
            assert_eq!(r.status(), Status::Forbidden, "{who} cannot save");
            // The period's narrative answers them the same.
            let r = client.post("/programmes/LBP/reports/narrative").header(ContentType::Form)
                .body(format!("csrf={csrf}&period=2026Q2&achievements=By+{who}&issues=&risks=")).dispatch();
            assert_eq!(r.status(), Status::Forbidden, "{who}: the same rule as the period's narrative");
        }
        assert_eq!(stored(&db, o1.id), None);
        assert!(audits(&db).is_empty());

        // A closed programme takes neither narrative, as with values.
        let manager = t.client(db.clone());
        let csrf = sign_in(&manager, "manager", demo_password("manager"));
        let page = manager.get(PAGE).dispatch().into_string().unwrap();
        {
            use mipaka::db::schema::programmes as p;
            let mut c = TestDb::conn(&db);
            diesel::update(p::table.filter(p::code.eq("LBP"))).set(p::status.eq("closed")).execute(&mut *c).unwrap();
        }
        let r = post(&manager, &csrf, &fields(&page, o1.id, "After closing"));
        assert_eq!(r.status(), Status::Forbidden);
        let r = manager.post("/programmes/LBP/reports/narrative").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2&achievements=After+closing&issues=&risks=")).dispatch();
        assert_eq!(r.status(), Status::Forbidden);
        assert_eq!(stored(&db, o1.id), None);
    }
}

on_both_backends! {
    fn a_version_issued_after_an_output_narrative_edit_lists_it(t) {
        let db = t.with_demo();
        let (_, outputs) = lbp_outputs(&db);
        let o1 = &outputs[0];
        let manager = t.client(db.clone());
        let csrf = sign_in(&manager, "manager", demo_password("manager"));
        let page = manager.get(PAGE).dispatch().into_string().unwrap();
        assert_eq!(post(&manager, &csrf, &fields(&page, o1.id, "Twelve desks opened")).status(), Status::SeeOther);
        let r = manager.post("/programmes/LBP/reports/issue").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let page = manager.get(PAGE).dispatch().into_string().unwrap();
        assert_eq!(post(&manager, &csrf, &fields(&page, o1.id, "Fourteen desks opened")).status(), Status::SeeOther);
        let r = manager.post("/programmes/LBP/reports/issue").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2&reason=Output+narrative+corrected")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);

        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let issued = mipaka::models::issued::of_programme(&mut c, p.id).unwrap();
        let v1 = issued.iter().find(|r| r.version == 1).unwrap();
        let v2 = issued.iter().find(|r| r.version == 2).unwrap();
        let v1_text = pdf_flow(&std::fs::read(t.config.reports_dir.join(&v1.file_path)).unwrap());
        let Some(v1_text) = v1_text else { return };
        assert!(v1_text.contains("Twelve desks opened"));
        let v2_text = pdf_flow(&std::fs::read(t.config.reports_dir.join(&v2.file_path)).unwrap()).unwrap();
        let log = &v2_text[v2_text.find("Changes since version 1").expect("a change log")..];
        assert!(log.contains("Fourteen desks opened"), "the new text in the log: {log}");
        assert!(log.contains("Twelve desks opened"), "and the old: {log}");
        assert!(log.contains("1 change in all"), "only the output narrative changed: {log}");
    }
}

on_both_backends! {
    fn an_output_with_a_narrative_is_archived_not_deleted(t) {
        use mipaka::models::framework;
        use mipaka::setup::{Effect, Saved};
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let parent = framework::results_of(&mut c, p.id).unwrap().into_iter().find(|r| r.level == "outcome").unwrap();
        let new = |c: &mut mipaka::db::DbConn, code: &str| framework::insert_result(c, &framework::NewResult {
            programme_id: p.id, parent_id: Some(parent.id), level: "output", code, statement: "Referral desks staffed",
            impact_weighting: None, risk_rating: None, assumptions: "", position: 99,
        }).unwrap();
        let (kept, bare) = (new(&mut c, "LBP-OPX"), new(&mut c, "LBP-OPY"));
        mipaka::models::output_narrative::insert(&mut c, p.id, kept, "2026Q2", "Two desks staffed", None, mipaka::clock::now()).unwrap();
        let admin = mipaka::models::audit::Actor { user_id: None, name: "test".into() };
        let effect = |c: &mut mipaka::db::DbConn, id: i32| match mipaka::setup::framework::remove_result(c, &admin, &p, id, 1).unwrap() {
            Saved::Done(d) => d.effect,
            other => panic!("{other:?}"),
        };
        assert_eq!(effect(&mut c, kept), Effect::Archived, "its narrative is part of the record");
        assert_eq!(effect(&mut c, bare), Effect::Removed, "an output with nothing recorded still goes");
        drop(c);
        assert_eq!(stored(&db, kept), Some(("Two desks staffed".to_string(), 1)));
    }
}
