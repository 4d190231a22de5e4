//! Sensitive figures never leave: an internal indicator and a small county figure are in
//! none of the outputs for partners — the donor and ministry reports, the values CSV,
//! the comparison CSV and API, a donor's dashboard and the programme API as a donor —
//! while the programme's total is still published and the team's own pages still show
//! everything. Each absence is checked against the same value being really there (in the
//! data, and on the team's pages), so that these tests can fail.

use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in, TestDb};
use mipaka::db::{Db, DbConn};
use mipaka::domain::period::Period;
use mipaka::models::{framework, programme, session, user};
use mipaka::report::issue::{self, Subject};

/// The indicator made internal: its code and words of its title.
const INTERNAL: &str = "LBP-2.1";
const INTERNAL_TITLE: &str = "peace committee mediation";
/// The indicator given a small-number rule, its threshold, and the distinctive small
/// figure one county reports.
const RULED: &str = "LBP-3.2";
const BELOW: i32 = 1000;
const SMALL: f64 = 913.0;

fn quarter() -> Period {
    Period::parse("2026Q2").unwrap()
}

/// The PDF's text in reading order, whitespace collapsed (None when poppler is missing
/// locally; CI has it).
fn pdf_words(bytes: &[u8]) -> Option<String> {
    crate::reports::pdf_flow(bytes)
}

/// Whether `text` holds `n` as a number of its own (not a part of a longer number).
fn has_number(text: &str, n: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .any(|w| w.trim_matches(|c| c == '.' || c == ',') == n)
}

/// Every number in a JSON document.
fn numbers(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Number(n) => out.extend(n.as_f64()),
        Value::Array(a) => a.iter().for_each(|x| numbers(x, out)),
        Value::Object(o) => o.values().for_each(|x| numbers(x, out)),
        _ => {}
    }
}

fn token(db: &Db, username: &str) -> String {
    let mut c = TestDb::conn(db);
    let u = user::by_username(&mut c, username).unwrap().unwrap();
    session::create_token(&mut c, u.id, "test", mipaka::clock::now())
        .unwrap()
        .1
}

fn api_get(client: &Client, path: &str, token: &str) -> (Status, String) {
    let r = client
        .get(path.to_string())
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

/// The ruled indicator's approved county values of the quarter, by county (id, code).
fn county_values(c: &mut DbConn, indicator: i32) -> Vec<(i32, String, f64)> {
    use mipaka::db::schema::{indicator_values as v, locations};
    v::table
        .inner_join(locations::table)
        .filter(v::indicator_id.eq(indicator))
        .filter(v::period.eq(quarter().id()))
        .filter(v::disaggregation.eq(""))
        .filter(v::status.eq("approved"))
        .order(locations::code)
        .select((locations::id, locations::code, v::value))
        .load(c)
        .unwrap()
}

/// Sets the ruled indicator's county values of the quarter: the first county `SMALL`,
/// the others 4001, 4002 … (so exactly one is small and its complement is the 4001).
/// Returns the small county's (id, code, name) and another county's code.
fn set_small_figure(c: &mut DbConn, indicator: i32) -> ((i32, String, String), String) {
    use mipaka::db::schema::{indicator_values as v, locations};
    let cells = county_values(c, indicator);
    assert!(
        cells.len() >= 3,
        "{RULED} has approved values of several counties in {}",
        quarter().id()
    );
    for (k, (county, _, _)) in cells.iter().enumerate() {
        let value = if k == 0 { SMALL } else { 4000.0 + k as f64 };
        diesel::update(
            v::table
                .filter(v::indicator_id.eq(indicator))
                .filter(v::location_id.eq(county))
                .filter(v::period.eq(quarter().id()))
                .filter(v::disaggregation.eq("")),
        )
        .set(v::value.eq(value))
        .execute(c)
        .unwrap();
    }
    let (id, code, _) = cells[0].clone();
    let name: String = locations::table
        .find(id)
        .select(locations::name)
        .first(c)
        .unwrap();
    ((id, code, name), cells[1].1.clone())
}

/// Changes an indicator's publication through the setup page, as a manager would.
fn set_publication(
    client: &Client,
    csrf: &str,
    db: &Db,
    code: &str,
    level: &str,
    rule: &str,
    below: &str,
) {
    let (id, version) = {
        let mut c = TestDb::conn(db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let i = framework::indicators_of(&mut c, p.id)
            .unwrap()
            .into_iter()
            .find(|i| i.code == code)
            .unwrap();
        (i.id, i.version)
    };
    let r = client
        .post(format!("/programmes/LBP/setup/publication/{id}"))
        .header(ContentType::Form)
        .body(format!(
            "csrf={csrf}&version={version}&publication_level={level}&small_number_rule={rule}&small_number_below={below}"
        ))
        .dispatch();
    assert_eq!(
        r.status(),
        Status::SeeOther,
        "{code}: {}",
        r.into_string().unwrap_or_default()
    );
}

on_both_backends! {
    fn an_internal_indicator_and_a_small_county_figure_never_leave(t) {
        let db = t.with_demo();
        let (lbp, internal_id, ruled_id) = {
            let mut c = TestDb::conn(&db);
            let p = programme::by_code(&mut c, "LBP").unwrap();
            let all = framework::indicators_of(&mut c, p.id).unwrap();
            let find = |code: &str| all.iter().find(|i| i.code == code).unwrap().clone();
            let internal = find(INTERNAL);
            assert!(internal.title.contains(INTERNAL_TITLE), "{}", internal.title);
            (p, internal.id, find(RULED).id)
        };
        let ((small_county, small_code, small_name), other_code) = {
            let mut c = TestDb::conn(&db);
            set_small_figure(&mut c, ruled_id)
        };
        // Approved values of the internal indicator exist (so a report would show them).
        {
            let mut c = TestDb::conn(&db);
            assert!(!county_values(&mut c, internal_id).is_empty(), "{INTERNAL} has approved values");
        }

        // The team sets the level and the rule through the setup page; the change is audited.
        let manager = t.client(db.clone());
        let csrf = sign_in(&manager, "manager", demo_password("manager"));
        // The team's dashboard is read (and kept) before the change and after it.
        let before = manager.get("/programmes/LBP").dispatch().into_string().unwrap();
        assert!(before.contains(INTERNAL), "the manager's dashboard lists {INTERNAL}");
        set_publication(&manager, &csrf, &db, INTERNAL, "internal", "none", "");
        set_publication(&manager, &csrf, &db, RULED, "public", "fewer_than", &BELOW.to_string());
        {
            let mut c = TestDb::conn(&db);
            let audit = mipaka::models::audit::recent(&mut c, 20).unwrap();
            let change = audit
                .iter()
                .find(|a| a.action == "indicator_publication_changed" && a.entity_id == Some(internal_id))
                .expect("the level change is audited");
            assert!(change.before_json.as_deref().unwrap_or("").contains("public"), "{change:?}");
            assert!(change.after_json.as_deref().unwrap_or("").contains("internal"), "{change:?}");
        }
        let total = {
            let mut c = TestDb::conn(&db);
            county_values(&mut c, ruled_id).iter().map(|(_, _, v)| v).sum::<f64>()
        };
        let total_shown = mipaka::domain::unit::format_value(mipaka::domain::unit::Unit::Count, total, &lbp.currency);
        let small_shown = format!("{SMALL}");

        // The team's own pages still show everything: the dashboard lists the internal
        // indicator and the indicator page the small county figure.
        let team = manager.get("/programmes/LBP").dispatch().into_string().unwrap();
        assert!(team.contains(INTERNAL) && team.contains(INTERNAL_TITLE), "the team's dashboard still lists {INTERNAL}");
        let page = manager.get(format!("/programmes/LBP/indicators/{RULED}?all=true")).dispatch().into_string().unwrap();
        assert!(has_number(&page, &small_shown), "the team's indicator page shows {small_name}'s {SMALL}");

        // 1. The donor report (a draft; issued ones are built the same way).
        {
            let mut c = TestDb::conn(&db);
            let (_, bytes) = issue::draft(&mut c, &Subject::Donor(lbp.clone()), quarter()).unwrap();
            if let Some(text) = pdf_words(&bytes) {
                assert!(!text.contains(INTERNAL), "donor report names {INTERNAL}");
                assert!(!text.contains(INTERNAL_TITLE), "donor report has {INTERNAL}'s title");
                assert!(!has_number(&text, &small_shown), "donor report prints {small_name}'s {SMALL}");
                assert!(text.contains(RULED), "the ruled indicator itself is reported");
                assert!(has_number(&text, &total_shown), "the programme total {total_shown} is published");
                assert!(text.contains(&format!("fewer than {BELOW}")), "the small figure is coarsened");
                assert!(text.contains("withheld"), "its complement is withheld");
                assert!(text.contains("keeps internal"), "the note says internal indicators are left out");
                assert!(text.contains("Small numbers:"), "the annex says why figures are coarsened");
            }
        }
        // 2. The ministry report, county by county.
        {
            let mut c = TestDb::conn(&db);
            let (_, bytes) = issue::draft(&mut c, &Subject::Ministry, quarter()).unwrap();
            if let Some(text) = pdf_words(&bytes) {
                assert!(!text.contains(INTERNAL), "ministry report names {INTERNAL}");
                assert!(!text.contains(INTERNAL_TITLE), "ministry report has {INTERNAL}'s title");
                assert!(!text.contains("MOU-1.3"), "the demo's internal MOU-1.3 is left out too");
                assert!(!has_number(&text, &small_shown), "ministry report prints {small_name}'s {SMALL}");
                assert!(text.contains(&format!("fewer than {BELOW}")), "the small figure is coarsened");
                assert!(text.contains("Sensitive figures:"), "the report says what it keeps out");
            }
        }
        // 3. The values CSV export: no row of the internal indicator, none of the small
        // county figure (or its complement); the ruled indicator's other rows stay.
        {
            let csv = manager.get("/programmes/LBP/csv/export").dispatch().into_string().unwrap();
            assert!(csv.contains("LBP-1.2,"), "the export lists public indicators");
            assert!(!csv.contains(INTERNAL), "the export lists {INTERNAL}");
            let period = quarter().id();
            let ruled_rows: Vec<&str> = csv
                .lines()
                .filter(|l| l.contains(&format!(",{RULED},{period},")))
                .collect();
            assert!(!ruled_rows.is_empty(), "{RULED}'s shown counties are exported");
            assert!(
                !ruled_rows.iter().any(|l| l.contains(&format!(",{small_code},"))),
                "{small_name}'s small figure is exported: {ruled_rows:?}"
            );
            assert!(!ruled_rows.iter().any(|l| l.contains(",4001,")), "the complement is exported");
        }
        // 4. The comparison CSV and API, split by county groups: the small county alone
        // against another county.
        let query = format!("sides=2026Q1%2C2026Q2&split=pick&a={small_code}&b={other_code}");
        {
            let r = manager.get(format!("/programmes/LBP/compare.csv?{query}")).dispatch();
            assert_eq!(r.status(), Status::Ok);
            let csv = r.into_string().unwrap();
            assert!(csv.contains("LBP-0.1,"), "public indicators are compared: {csv}");
            // Both groups of the ruled indicator are under its threshold in one side or
            // the other here, or the complement of one that is: no row of it is a number.
            assert!(
                !csv.lines().any(|l| l.starts_with(&format!("{RULED},")) && l.contains(",Group A,2026Q2,")),
                "comparison CSV has the small group's row"
            );
            assert!(!csv.contains(INTERNAL) && !csv.contains(INTERNAL_TITLE), "comparison CSV has {INTERNAL}");
            assert!(!csv.split([',', '\n']).any(|f| f == small_shown), "comparison CSV has {SMALL}");
            // The team's comparison page still shows the figure.
            let page = manager.get(format!("/programmes/LBP/compare?{query}")).dispatch().into_string().unwrap();
            assert!(page.contains(INTERNAL), "the team's comparison page lists {INTERNAL}");
            assert!(has_number(&page, &small_shown), "the team's comparison page shows {SMALL}");
        }
        let client = t.client(db.clone());
        {
            let tok = token(&db, "manager");
            let (status, body) = api_get(&client, &format!("/api/v1/programmes/LBP/compare?{query}&indicator={RULED}"), &tok);
            assert_eq!(status, Status::Ok, "{body}");
            assert!(!body.contains(INTERNAL) && !body.contains(INTERNAL_TITLE), "comparison API has {INTERNAL}");
            let json: Value = serde_json::from_str(&body).unwrap();
            let mut found = Vec::new();
            numbers(&json, &mut found);
            assert!(!found.contains(&SMALL), "comparison API has {SMALL}");
            assert!(body.contains(&format!("fewer than {BELOW}")), "the county breakdown coarsens it");
            // An internal indicator's county breakdown is not given either.
            let (_, body) = api_get(&client, &format!("/api/v1/programmes/LBP/compare?{query}&indicator={INTERNAL}"), &tok);
            assert!(!body.contains(INTERNAL), "{body}");
        }
        // 5. A donor's views: the dashboard (after the team's was kept) and the API.
        {
            let donor = t.client(db.clone());
            sign_in(&donor, "donor", demo_password("donor"));
            let page = donor.get("/programmes/LBP").dispatch().into_string().unwrap();
            assert!(page.contains("LBP-1.2"), "the donor sees public indicators");
            assert!(!page.contains(INTERNAL) && !page.contains(INTERNAL_TITLE), "the donor's dashboard lists {INTERNAL}");
            assert!(page.contains("as a partner"), "the donor is told what is left out");
            // The team is not served the donor's kept page either.
            let again = manager.get("/programmes/LBP").dispatch().into_string().unwrap();
            assert!(again.contains(INTERNAL), "the team's dashboard after the donor's");

            let (status, body) = api_get(&client, "/api/v1/programmes/LBP", &token(&db, "donor"));
            assert_eq!(status, Status::Ok);
            assert!(body.contains("LBP-1.2"));
            assert!(!body.contains(INTERNAL) && !body.contains(INTERNAL_TITLE), "the donor's API lists {INTERNAL}");
            let (_, team_body) = api_get(&client, "/api/v1/programmes/LBP", &token(&db, "manager"));
            assert!(team_body.contains(INTERNAL), "the team's API lists {INTERNAL}");
        }
        let _ = small_county;
    }
}

on_both_backends! {
    fn a_later_version_does_not_list_a_now_internal_indicator_as_removed(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let actor = mipaka::models::audit::Actor { user_id: None, name: "test".into() };
        let request = issue::IssueRequest { accept_unapproved: true, ..Default::default() };
        let dir = t.dir.path().join("reports");
        let now = mipaka::clock::now();
        let v1 = issue::issue(&mut c, &dir, &Subject::Donor(p.clone()), quarter(), &request, &actor, now).unwrap();
        let first = std::fs::read(dir.join(&v1.file_path)).unwrap();
        use mipaka::db::schema::indicators;
        diesel::update(indicators::table.filter(indicators::programme_id.eq(p.id)).filter(indicators::code.eq(INTERNAL)))
            .set(indicators::publication_level.eq("internal"))
            .execute(&mut *c)
            .unwrap();
        let request = issue::IssueRequest { reason: "LBP-2.1 made internal".into(), accept_unapproved: true, ..Default::default() };
        let v2 = issue::issue(&mut c, &dir, &Subject::Donor(p.clone()), quarter(), &request, &actor, now).unwrap();
        // Version 1 is kept as issued: the level changed later does not rewrite it.
        assert_eq!(std::fs::read(dir.join(&v1.file_path)).unwrap(), first);
        let (Some(old), Some(new)) = (pdf_words(&first), pdf_words(&std::fs::read(dir.join(&v2.file_path)).unwrap())) else { return };
        assert!(old.contains(INTERNAL_TITLE), "version 1 showed {INTERNAL} (it was public then)");
        let log = &new[new.find("Changes since version 1").expect("a change log")..];
        assert!(!log.contains(INTERNAL_TITLE), "the change log lists {INTERNAL}: {log}");
        // The reason the person typed is theirs to word; the report's own text is not.
        let body = new.replace("LBP-2.1 made internal", "");
        assert!(!body.contains(INTERNAL), "version 2 names {INTERNAL}");
    }
}
