//! The exchange through the service and the endpoint (Rocket's local client).

use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use super::{actor, figures, map_all, programme};
use crate::on_both_backends;
use crate::support::{demo_password, sign_in};
use mipaka::db::schema::{audit_log, indicator_values};
use mipaka::db::DbConn;
use mipaka::dhis2::export::{self, Format, Span};
use mipaka::dhis2::import::{self, Options, Payload};
use mipaka::dhis2::mapping::{self, MappingSaved, Mappings};
use mipaka::domain::dhis2::summary::{ImportStatus, Strategy};
use mipaka::domain::dhis2::{IdScheme, IdSchemes};
use mipaka::domain::period::Period;
use mipaka::entry::{CellKey, EntryContext};
use mipaka::models::session;

fn token(c: &mut DbConn, who: &str) -> String {
    let u = mipaka::models::user::by_username(c, who).unwrap().unwrap();
    session::create_token(c, u.id, "dhis2", mipaka::clock::now())
        .unwrap()
        .1
}

fn counts(c: &mut DbConn) -> (i64, i64) {
    (
        indicator_values::table.count().get_result(c).unwrap(),
        audit_log::table.count().get_result(c).unwrap(),
    )
}

/// Two empty count cells of LBP's open quarter 2026Q4 (an indicator without parts, two
/// counties), as (data element code, county code).
pub(super) fn open_cells(c: &mut DbConn) -> Vec<(String, String, CellKey)> {
    let p = programme(c, "LBP");
    let ctx = EntryContext::load(c, p, Period::parse("2026Q4").unwrap()).unwrap();
    let (ind, _) = ctx
        .indicators
        .iter()
        .find(|(i, r)| i.dimensions().is_empty() && r.unit == mipaka::domain::Unit::Count)
        .expect("an LBP count indicator without parts");
    ctx.counties()
        .iter()
        .map(|county| {
            (
                format!("DE_{}", ind.code),
                county.code.clone(),
                CellKey {
                    indicator_id: ind.id,
                    location_id: county.id,
                    disaggregation: String::new(),
                },
            )
        })
        .filter(|(_, _, k)| !ctx.values.contains_key(k))
        .take(2)
        .collect()
}

pub(super) fn payload(cells: &[(String, String, CellKey)], values: &[&str]) -> String {
    let list: Vec<Value> = cells
        .iter()
        .zip(values)
        .map(|((de, ou, _), v)| {
            json!({ "dataElement": de, "period": "2026Q4", "orgUnit": ou, "categoryOptionCombo": "default", "value": v, "comment": "from KHIS" })
        })
        .collect();
    json!({ "dataValues": list }).to_string()
}

fn post(
    client: &Client,
    token: &str,
    query: &str,
    body: String,
    ct: ContentType,
) -> (Status, Value) {
    let r = client
        .post(format!("/dhis2/api/dataValueSets?{query}"))
        .header(Header::new("Authorization", format!("ApiToken {token}")))
        .header(ct)
        .body(body)
        .dispatch();
    let status = r.status();
    (status, r.into_json().unwrap_or(Value::Null))
}

on_both_backends! {
    fn every_shape_has_dhis2s_field_names_and_order(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        let tok = token(c, "donor");
        let client = t.client(db.clone());
        let get = |path: &str| {
            let r = client.get(path.to_string()).header(Header::new("Authorization", format!("ApiToken {tok}"))).dispatch();
            assert_eq!(r.status(), Status::Ok, "{path}");
            let ct = r.content_type().map(|c| c.to_string()).unwrap_or_default();
            (ct, r.into_string().unwrap())
        };
        let (ct, body) = get("/dhis2/api/dataValueSets.json?dataSet=LBP&period=2026Q2&idScheme=code");
        assert!(ct.starts_with("application/json"), "{ct}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let list = v["dataValues"].as_array().unwrap();
        assert!(!list.is_empty());
        let order = ["dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "storedBy", "created", "lastUpdated"];
        let first = body.find("{\n      \"dataElement\"").expect("values start with dataElement");
        let one = &body[first..first + body[first..].find('}').unwrap()];
        let at: Vec<usize> = order.iter().map(|k| one.find(&format!("\"{k}\"")).unwrap_or_else(|| panic!("{k} in {one}"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{one}");
        assert!(list.iter().all(|d| d["period"] == "2026Q2" && d["attributeOptionCombo"] == "AOC_LBP"));
        assert!(list.iter().any(|d| d["categoryOptionCombo"] == "default"));
        // Only approved values leave.
        let approved = figures(c, &p, Some("approved")).keys().filter(|k| k.1 == "2026Q2").count();
        // Fewer when the programme's publication rules hold some back (internal indicators,
        // small county figures): never more.
        assert!(list.len() <= approved && list.len() * 2 > approved, "{} of {approved}", list.len());

        let (ct, xml) = get("/dhis2/api/dataValueSets.xml?dataSet=LBP&period=2026Q2&idScheme=code");
        assert!(ct.contains("xml"), "{ct}");
        assert!(xml.contains("<dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\">"));
        let line = xml.lines().find(|l| l.contains("<dataValue ")).unwrap();
        let names = ["dataElement=", "period=", "orgUnit=", "categoryOptionCombo=", "attributeOptionCombo=", "value=", "storedBy=", "created=", "lastUpdated=", "followup="];
        let at: Vec<usize> = names.iter().map(|n| line.find(n).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");

        let (_, csv) = get("/dhis2/api/dataValueSets.csv?dataSet=LBP&period=2026Q2&idScheme=code");
        assert_eq!(csv.lines().next().unwrap(), "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,flwup");
        assert_eq!(csv.lines().count(), list.len() + 1);

        // UIDs on request, and Accept negotiates the format.
        let r = client.get("/dhis2/api/dataValueSets?dataSet=LBP&period=2026Q2&idScheme=uid")
            .header(Header::new("Authorization", format!("ApiToken {tok}")))
            .header(Header::new("Accept", "application/adx+xml")).dispatch();
        assert_eq!(r.status(), Status::Ok);
        let adx = r.into_string().unwrap();
        assert!(adx.contains("<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\""), "{adx}");
        assert!(adx.contains("period=\"2026-04-01/P3M\" dataSet=\"LBP\""), "{adx}");
        let ind = mipaka::models::framework::active_indicators_of(c, p.id).unwrap().remove(0);
        assert!(adx.contains(&format!("dataElement=\"{}\"", crate::dhis2::uid(&format!("de{}", ind.code)))) || !adx.contains(&format!("DE_{}", ind.code)));
        // A part is written with its ADX category code (SEX="FEMALE"), a total without.
        if figures(c, &p, Some("approved")).keys().any(|k| k.1 == "2026Q2" && k.3.starts_with("sex=")) {
            assert!(adx.contains(" SEX=\"FEMALE\""), "{adx}");
        }
        // The range form, and an unmapped item named.
        let m = Mappings::load(c, &p).unwrap();
        let first_de = m.of_kind("data_element").next().unwrap().item.clone();
        let who = actor(c, "manager");
        let cleared = mapping::save(c, &who, &p, m.version, &[mapping::Input { at: "test".into(), kind: "data_element".into(), item: first_de.clone(), ..Default::default() }], false, mipaka::clock::now()).unwrap();
        mapping::into_result(cleared).unwrap();
        let x = export::export(c, &p, Span::Range(p.start_date, p.end_date), IdSchemes::all(IdScheme::Code), Format::Json, mipaka::clock::now()).unwrap();
        if figures(c, &p, Some("approved")).keys().any(|k| k.0 == first_de) {
            assert!(x.unmapped.iter().any(|u| u.contains(&first_de)), "{:?}", x.unmapped);
            let r = client.get("/dhis2/api/dataValueSets.json?dataSet=LBP&startDate=2020-01-01&endDate=2030-12-31&idScheme=code")
                .header(Header::new("Authorization", format!("ApiToken {tok}"))).dispatch();
            assert!(r.headers().get_one("X-Mipaka-Unmapped").unwrap().contains(&first_de));
        }
    }
}

on_both_backends! {
    fn an_import_with_one_bad_value_writes_nothing_and_a_dry_run_writes_nothing(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        let cells = open_cells(c);
        assert_eq!(cells.len(), 2);
        let tok = token(c, "manager");
        let client = t.client(db.clone());
        let before = counts(c);

        // One value of three names an org unit nobody mapped: ERROR, 409, nothing written.
        let mut bad: Value = serde_json::from_str(&payload(&cells, &["5", "7"])).unwrap();
        bad["dataValues"].as_array_mut().unwrap().push(json!({ "dataElement": cells[0].0, "period": "2026Q4", "orgUnit": "999", "value": "1" }));
        let (status, s) = post(&client, &tok, "dataSet=LBP&idScheme=code", bad.to_string(), ContentType::JSON);
        assert_eq!(status, Status::Conflict, "{s}");
        assert_eq!(s["status"], "ERROR");
        assert_eq!(s["responseType"], "ImportSummary");
        assert_eq!(s["conflicts"][0]["object"], "999", "{s}");
        assert!(s["conflicts"][0]["value"].as_str().unwrap().contains("dataValues[2]"), "{s}");
        assert_eq!(s["importCount"], json!({ "imported": 0, "updated": 0, "ignored": 3, "deleted": 0 }));
        assert_eq!(counts(c), before, "nothing written, nothing audited");

        // A value against its unit (a negative count) fails the whole set too.
        let (status, s) = post(&client, &tok, "dataSet=LBP&idScheme=code", payload(&cells, &["5", "-4"]), ContentType::JSON);
        assert_eq!(status, Status::Conflict, "{s}");
        assert_eq!(counts(c), before);

        // A dry run counts and writes nothing.
        let (status, s) = post(&client, &tok, "dataSet=LBP&idScheme=code&dryRun=true", payload(&cells, &["5", "7"]), ContentType::JSON);
        assert_eq!(status, Status::Ok, "{s}");
        assert_eq!(s["status"], "SUCCESS");
        assert_eq!(s["importCount"]["imported"], 2);
        assert_eq!(s["importOptions"]["dryRun"], true);
        assert_eq!(counts(c), before);

        // For real: two draft values, audited; the same again is ignored and counted.
        let (status, s) = post(&client, &tok, "dataSet=LBP&idScheme=code", payload(&cells, &["5", "7"]), ContentType::JSON);
        assert_eq!(status, Status::Ok, "{s}");
        assert_eq!(s["importCount"], json!({ "imported": 2, "updated": 0, "ignored": 0, "deleted": 0 }));
        let after = counts(c);
        assert_eq!(after.0, before.0 + 2);
        assert_eq!(after.1, before.1 + 2);
        let v = mipaka::models::values::cell(c, cells[0].2.indicator_id, cells[0].2.location_id, "", "2026Q4").unwrap().unwrap();
        assert_eq!((v.value, v.status.as_str(), v.comment.as_deref()), (5.0, "draft", Some("from KHIS")));
        let (_, s) = post(&client, &tok, "dataSet=LBP&idScheme=code", payload(&cells, &["5", "7"]), ContentType::JSON);
        assert_eq!(s["importCount"], json!({ "imported": 0, "updated": 0, "ignored": 2, "deleted": 0 }));
        assert_eq!(counts(c), after);

        // CSV and ADX go the same way.
        let csv = format!("dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup\n{},2026Q4,{},default,,6,,,from KHIS,false\n", cells[0].0, cells[0].1);
        let (status, s) = post(&client, &tok, "dataSet=LBP&idScheme=code", csv, ContentType::new("application", "csv"));
        assert_eq!(status, Status::Ok, "{s}");
        assert_eq!(s["importCount"]["updated"], 1);
        let adx = format!("<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"2026-12-01T00:00:00Z\"><group orgUnit=\"{}\" period=\"2026-10-01/P3M\" dataSet=\"LBP\"><dataValue dataElement=\"{}\" value=\"8\"><annotation>from KHIS</annotation></dataValue></group></adx>", cells[1].1, cells[1].0);
        let (status, s) = post(&client, &tok, "dataSet=LBP", adx, ContentType::new("application", "adx+xml"));
        assert_eq!(status, Status::Ok, "{s}");
        assert_eq!(s["importCount"]["updated"], 1);
        // A body that is not XML: 400 naming the line.
        let (status, s) = post(&client, &tok, "dataSet=LBP", "<dataValueSet>\n<dataValue".into(), ContentType::XML);
        assert_eq!(status, Status::BadRequest, "{s}");
        assert!(s["message"].as_str().unwrap().contains("line 2"), "{s}");
        // A type it does not read: 415.
        let (status, _) = post(&client, &tok, "dataSet=LBP", "x".into(), ContentType::Plain);
        assert_eq!(status, Status::UnsupportedMediaType);
    }
}

on_both_backends! {
    fn strategies_are_honoured_and_approved_values_are_conflicts(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        let cells = open_cells(c);
        let who = actor(c, "manager");
        let run = |c: &mut DbConn, body: &str, strategy: Strategy| {
            let set = Payload::Json.read(body.as_bytes()).unwrap();
            let opts = Options { strategy, dry_run: false, scheme_params: vec![("idScheme".into(), "code".into())], default_scheme: IdScheme::Uid };
            import::import(c, &who, &p, &set, &opts, mipaka::clock::now()).unwrap()
        };
        // UPDATE on empty cells: ignored, WARNING.
        let s = run(c, &payload(&cells, &["5", "7"]), Strategy::Update);
        assert_eq!((s.status, s.import_count.imported, s.import_count.ignored), (ImportStatus::Warning, 0, 2));
        assert!(mipaka::models::values::cell(c, cells[0].2.indicator_id, cells[0].2.location_id, "", "2026Q4").unwrap().is_none());
        // CREATE writes them; CREATE again with other values ignores them.
        let s = run(c, &payload(&cells, &["5", "7"]), Strategy::Create);
        assert_eq!((s.status, s.import_count.imported), (ImportStatus::Success, 2));
        let s = run(c, &payload(&cells, &["6", "8"]), Strategy::Create);
        assert_eq!((s.status, s.import_count.imported, s.import_count.ignored), (ImportStatus::Warning, 0, 2));
        // UPDATE changes them.
        let s = run(c, &payload(&cells, &["6", "8"]), Strategy::Update);
        assert_eq!(s.import_count.updated, 2, "{s:?}");
        let v = mipaka::models::values::cell(c, cells[1].2.indicator_id, cells[1].2.location_id, "", "2026Q4").unwrap().unwrap();
        assert_eq!((v.value, v.version), (8.0, 2));
        // DELETE clears them (audited as cleared).
        let s = run(c, &payload(&cells, &["6", "8"]), Strategy::Delete);
        assert_eq!(s.import_count.deleted, 2, "{s:?}");
        assert!(mipaka::models::values::cell(c, cells[1].2.indicator_id, cells[1].2.location_id, "", "2026Q4").unwrap().is_none());

        // An approved value of a locked quarter is a conflict, and nothing is written.
        let approved = mipaka::models::values::of_period(c, p.id, "2026Q2").unwrap().into_iter().find(|v| v.status == "approved" && v.disaggregation.is_empty()).unwrap();
        let ind = mipaka::models::framework::indicator_by_id(c, approved.indicator_id).unwrap().unwrap();
        let county = mipaka::models::location::counties(c).unwrap().into_iter().find(|l| l.id == approved.location_id).unwrap();
        let body = json!({ "dataValues": [
            { "dataElement": format!("DE_{}", ind.code), "period": "2026Q2", "orgUnit": county.code, "value": mipaka::domain::dhis2::number(approved.value + 1.0), "comment": "corrected" },
            { "dataElement": cells[0].0, "period": "2026Q4", "orgUnit": cells[0].1, "value": "5", "comment": "from KHIS" },
        ]}).to_string();
        let before = counts(c);
        let s = run(c, &body, Strategy::CreateAndUpdate);
        assert_eq!(s.status, ImportStatus::Error, "{s:?}");
        assert!(s.conflicts.iter().any(|k| k.value.contains("approved")), "{:?}", s.conflicts);
        assert_eq!(counts(c), before);
        let same = mipaka::models::values::cell(c, approved.indicator_id, approved.location_id, "", "2026Q2").unwrap().unwrap();
        assert_eq!(same.value, approved.value);
    }
}

on_both_backends! {
    fn the_endpoint_takes_basic_and_api_tokens_and_never_a_cookie(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        let client = t.client(db.clone());
        let url = "/dhis2/api/dataValueSets.json?dataSet=LBP&period=2026Q2&idScheme=code";
        let basic = |user: &str, pw: &str| {
            use base64::Engine;
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}")))
        };
        let r = client.get(url).header(Header::new("Authorization", basic("evaluator", demo_password("evaluator")))).dispatch();
        assert_eq!(r.status(), Status::Ok);
        let r = client.get(url).header(Header::new("Authorization", basic("evaluator", "wrong-password"))).dispatch();
        assert_eq!(r.status(), Status::Unauthorized);
        assert!(r.headers().get_one("WWW-Authenticate").unwrap().starts_with("Basic realm="));
        // The failure is recorded like a sign-in's.
        let failures: i64 = mipaka::db::schema::login_failures::table.count().get_result(c).unwrap();
        assert_eq!(failures, 1);
        let tok = token(c, "evaluator");
        let r = client.get(url).header(Header::new("Authorization", format!("ApiToken {tok}"))).dispatch();
        assert_eq!(r.status(), Status::Ok);
        let r = client.get(url).header(Header::new("Authorization", "ApiToken mpk_not_a_token")).dispatch();
        assert_eq!(r.status(), Status::Unauthorized);
        let r = client.get(url).dispatch();
        assert_eq!(r.status(), Status::Unauthorized);
        // A signed-in browser's cookie alone is refused: reading and writing.
        sign_in(&client, "manager", demo_password("manager"));
        assert_eq!(client.get("/programmes/LBP").dispatch().status(), Status::Ok);
        assert_eq!(client.get(url).dispatch().status(), Status::Unauthorized);
        let r = client.post("/dhis2/api/dataValueSets?dataSet=LBP").header(ContentType::JSON).body("{\"dataValues\":[]}").dispatch();
        assert_eq!(r.status(), Status::Unauthorized);
        // Import needs Edit: a donor may read but not write; an outsider's programme is 404.
        let donor = token(c, "donor");
        let (status, _) = post(&client, &donor, "dataSet=LBP", "{\"dataValues\":[]}".into(), ContentType::JSON);
        assert_eq!(status, Status::Forbidden);
        let r = client.get(url).header(Header::new("Authorization", format!("ApiToken {donor}"))).dispatch();
        assert_eq!(r.status(), Status::Ok);
        // Too many wrong passwords: throttled (429), whatever the password.
        for _ in 0..8 {
            client.get(url).header(Header::new("Authorization", basic("nobody-at-all", "x"))).dispatch();
        }
        let r = client.get(url).header(Header::new("Authorization", basic("nobody-at-all", "x"))).dispatch();
        assert_eq!(r.status(), Status::TooManyRequests);
    }
}

on_both_backends! {
    fn mappings_are_checked_whole_audited_and_versioned(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        let who = actor(c, "manager");
        let m = Mappings::load(c, &p).unwrap();
        // Defaults: KNBS codes for counties, DHIS2's default option combo for totals.
        let county = m.of_kind("org_unit").next().unwrap().item.clone();
        assert_eq!(m.id("org_unit", &county, IdScheme::Code).as_deref(), Some(county.as_str()));
        assert_eq!(m.id("coc", "", IdScheme::Uid).as_deref(), Some("HllvX50cXC0"));
        let ind = m.of_kind("data_element").next().unwrap().item.clone();
        let text = format!("kind,item,label,code,uid\ndata_element,{ind},x,DE_A,\ndata_element,NOPE,x,DE_B,\norg_unit,{county},x,,notauid\n");
        let inputs = mapping::read_csv(text.as_bytes()).unwrap();
        let before = counts(c);
        match mapping::save(c, &who, &p, 0, &inputs, false, mipaka::clock::now()).unwrap() {
            MappingSaved::Invalid(problems) => {
                let d = mapping::describe(&problems);
                assert!(d.contains("line 3, column item"), "{d}");
                assert!(d.contains("line 4, column uid"), "{d}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(counts(c), before);
        assert!(Mappings::load(c, &p).unwrap().get("data_element", &ind).unwrap().mapped.code.is_empty());
        // Two indicators on one data element: refused.
        let second = Mappings::load(c, &p).unwrap().of_kind("data_element").nth(1).unwrap().item.clone();
        let dup = format!("kind,item,label,code,uid\ndata_element,{ind},,DE_A,\ndata_element,{second},,DE_A,\n");
        assert!(matches!(mapping::save(c, &who, &p, 0, &mapping::read_csv(dup.as_bytes()).unwrap(), false, mipaka::clock::now()).unwrap(), MappingSaved::Invalid(_)));
        // A good file: written, one audit row per change, version 1; a stale version: 409.
        let good = format!("kind,item,label,code,uid\ndata_element,{ind},,DE_A,{}\n", crate::dhis2::uid("a"));
        let saved = mapping::save(c, &who, &p, 0, &mapping::read_csv(good.as_bytes()).unwrap(), false, mipaka::clock::now()).unwrap();
        assert_eq!(mapping::into_result(saved).unwrap(), (1, 1));
        let row: (String, Option<String>) = audit_log::table.order(audit_log::id.desc()).select((audit_log::action, audit_log::after_json)).first(c).unwrap();
        assert_eq!(row.0, "dhis2_mapping_set");
        assert!(row.1.unwrap().contains("DE_A"));
        let again = format!("kind,item,label,code,uid\ndata_element,{ind},,DE_B,\n");
        let stale = mapping::save(c, &who, &p, 0, &mapping::read_csv(again.as_bytes()).unwrap(), false, mipaka::clock::now()).unwrap();
        assert!(matches!(stale, MappingSaved::Stale { version: 1, .. }), "{stale:?}");

        // The page: shown to a manager, saved by its form.
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let page = client.get("/programmes/LBP/dhis2").dispatch();
        assert_eq!(page.status(), Status::Ok);
        let html = page.into_string().unwrap();
        assert!(html.contains("DE_A") && html.contains("HllvX50cXC0"), "the page shows mappings and defaults");
        let body = format!("csrf={csrf}&version=1&{}={}", crate::support::urlencode("aoc||code"), "AOC_LBP");
        let r = client.post("/programmes/LBP/dhis2").header(ContentType::Form).body(body).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let m = Mappings::load(c, &p).unwrap();
        assert_eq!(m.version, 2);
        assert_eq!(m.id("aoc", "", IdScheme::Code).as_deref(), Some("AOC_LBP"));
        // The page's form sends the whole set: DE_A, not in it, was cleared.
        assert!(m.id("data_element", &ind, IdScheme::Code).is_none());
        let csv = client.get("/programmes/LBP/dhis2/mappings.csv").dispatch().into_string().unwrap();
        assert!(csv.contains("aoc,,") && csv.contains("AOC_LBP"));
    }
}

on_both_backends! {
    fn the_lbp_export_imports_back_into_an_empty_programme_with_the_same_figures(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        let admin = actor(c, "admin");
        // An empty programme with LBP's framework (its logframe, under another code).
        let mut doc = mipaka::setup::logframe::export(c, &p).unwrap();
        doc.programme.fields.code = "LBPX".into();
        doc.programme.fields.name = "Land Border Programme (copy)".into();
        let report = mipaka::setup::logframe::apply(c, &admin, mipaka::setup::logframe::Destination::New { is_demo: true }, &doc,
            mipaka::setup::logframe::Apply { mode: mipaka::entry::Mode::Write, expect_plan: None, today: crate::support::demo_day(), now: mipaka::clock::now() }).unwrap();
        assert!(report.is_clean(), "{:#?}", report.problems);
        let copy = programme(c, "LBPX");
        assert!(figures(c, &copy, None).is_empty());
        // Its mappings from LBP's mapping file, with its own attribute option combo.
        let file = Mappings::load(c, &p).unwrap().csv().replace("AOC_LBP", "AOC_LBPX").replace(&crate::dhis2::uid("aocAOC_LBP"), &crate::dhis2::uid("aocAOC_LBPX"));
        let saved = mapping::save(c, &admin, &copy, 0, &mapping::read_csv(file.as_bytes()).unwrap(), false, mipaka::clock::now()).unwrap();
        mapping::into_result(saved).unwrap();

        let x = export::export(c, &p, Span::Range(p.start_date, p.end_date), IdSchemes::all(IdScheme::Uid), Format::Json, mipaka::clock::now()).unwrap();
        assert!(x.unmapped.is_empty(), "{:?}", x.unmapped);
        let original = figures(c, &p, Some("approved"));
        // What may leave (the demo keeps some indicators internal or small figures back).
        let original: std::collections::BTreeMap<_, _> = {
            let sent: std::collections::BTreeSet<(String, String, String, String)> = set_keys(&x.body, c, &p);
            original.into_iter().filter(|(k, _)| sent.contains(k)).collect()
        };
        assert_eq!(x.values, original.len());
        assert!(x.values > 50, "LBP has {} approved values", x.values);
        // The payload names LBP's attribute option combo; the copy is chosen by parameter.
        let set = Payload::Json.read(x.body.replace(&crate::dhis2::uid("aocAOC_LBP"), &crate::dhis2::uid("aocAOC_LBPX")).as_bytes()).unwrap();
        let chosen = import::choose_programme(c, &set, None).unwrap();
        assert_eq!(chosen.code, "LBPX", "chosen by its attribute option combo");
        // The demonstration data holds a few jumps without a comment (seeded, not typed):
        // the import asks for one, as the grid would. A dry run names them; they get one.
        let dry = Options { strategy: Strategy::CreateAndUpdate, dry_run: true, scheme_params: vec![], default_scheme: IdScheme::Uid };
        let mut set = set;
        let mut explained = Vec::new();
        // A period with a conflict is not written, so the next one's jumps show once it is.
        for _round in 0..10 {
            let s = import::import(c, &admin, &copy, &set, &dry, mipaka::clock::now()).unwrap();
            assert!(figures(c, &copy, None).is_empty(), "a dry run writes nothing");
            if s.conflicts.is_empty() {
                break;
            }
            for k in &s.conflicts {
                assert!(k.value.contains("far from the previous period"), "{k:?}");
                let i: usize = k.value["dataValues[".len()..k.value.find(']').unwrap()].parse().unwrap();
                set.values[i].value.comment = "explained on import".into();
                explained.push(i);
            }
        }
        assert!(explained.len() < 20, "{} jumps", explained.len());
        let opts = Options { dry_run: false, ..dry };
        let s = import::import(c, &admin, &copy, &set, &opts, mipaka::clock::now()).unwrap();
        assert_eq!(s.status, ImportStatus::Success, "{} {:#?}", s.description, s.conflicts.iter().take(10).collect::<Vec<_>>());
        assert_eq!(s.import_count.imported as usize, original.len());
        let back = figures(c, &copy, None);
        let numbers = |m: &std::collections::BTreeMap<(String, String, String, String), (f64, String)>| m.iter().map(|(k, v)| (k.clone(), v.0)).collect::<Vec<_>>();
        assert_eq!(numbers(&back), numbers(&original), "the same figures, county by county and part by part");
        let same_comments = back.iter().filter(|(k, v)| original[*k].1 == v.1).count();
        assert_eq!(same_comments, back.len() - explained.len(), "and the same comments but for the jumps explained");
        assert!(figures(c, &copy, Some("draft")).len() == back.len(), "imported as drafts");
    }
}

on_both_backends! {
    fn internal_indicators_and_small_county_figures_never_leave(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        let approved = figures(c, &p, Some("approved"));
        let q2: Vec<_> = approved.iter().filter(|(k, _)| k.1 == "2026Q2" && k.3.is_empty()).collect();
        // One indicator internal; another withholding county figures below a threshold
        // that some of its Q2 county figures are under.
        let mut codes: Vec<String> = q2.iter().map(|(k, _)| k.0.clone()).collect();
        codes.dedup();
        let (secret, small) = (codes[0].clone(), codes[1].clone());
        let below = q2.iter().filter(|(k, _)| k.0 == small).map(|(_, v)| v.0).fold(f64::MIN, f64::max) as i32;
        for (code, level, rule, n) in [(&secret, "internal", "none", None), (&small, "partners", "withhold", Some(below.max(2)))] {
            let i = mipaka::models::framework::indicator_by_code(c, p.id, code).unwrap();
            assert_eq!(mipaka::models::framework::set_publication_if_version(c, i.id, i.version, level, rule, n).unwrap(), 1);
        }
        let q = Span::Period(Period::parse("2026Q2").unwrap());
        for format in [Format::Json, Format::Xml, Format::Csv, Format::Adx] {
            let x = export::export(c, &p, q, IdSchemes::all(IdScheme::Code), format, mipaka::clock::now()).unwrap();
            assert!(!x.body.contains(&format!("DE_{secret}\"")) && !x.body.contains(&format!("DE_{secret},")), "{format:?}: the internal indicator left");
            assert!(x.withheld.iter().any(|w| w.contains(&secret) && w.contains("internal")), "{:?}", x.withheld);
            assert!(x.withheld.iter().any(|w| w.contains(&small) && w.contains("withheld")), "{:?}", x.withheld);
        }
        let x = export::export(c, &p, q, IdSchemes::all(IdScheme::Code), Format::Json, mipaka::clock::now()).unwrap();
        let v: Value = serde_json::from_str(&x.body).unwrap();
        let sent: Vec<f64> = v["dataValues"].as_array().unwrap().iter()
            .filter(|d| d["dataElement"] == format!("DE_{small}") && d["categoryOptionCombo"] == "default")
            .map(|d| d["value"].as_str().unwrap().parse().unwrap()).collect();
        assert!(sent.iter().all(|v| *v == 0.0 || *v >= below.max(2) as f64), "{sent:?} under {below}");
    }
}

/// The (indicator, period, county, part) keys of an export in the uid scheme.
fn set_keys(
    body: &str,
    c: &mut DbConn,
    p: &mipaka::models::programme::Programme,
) -> std::collections::BTreeSet<(String, String, String, String)> {
    let m = Mappings::load(c, p).unwrap();
    let v: Value = serde_json::from_str(body).unwrap();
    v["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let de = m
                .find(
                    "data_element",
                    d["dataElement"].as_str().unwrap(),
                    IdScheme::Uid,
                )
                .unwrap()
                .item
                .clone();
            let ou = m
                .find("org_unit", d["orgUnit"].as_str().unwrap(), IdScheme::Uid)
                .unwrap()
                .item
                .clone();
            let coc = m
                .find(
                    "coc",
                    d["categoryOptionCombo"].as_str().unwrap(),
                    IdScheme::Uid,
                )
                .unwrap()
                .item
                .clone();
            (de, d["period"].as_str().unwrap().to_string(), ou, coc)
        })
        .collect()
}
