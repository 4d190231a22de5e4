//! The mappings by JSON API: read, replaced from the version read, a stale version
//! answered 409 with the set as it is now, a bad UID answered 422 naming the item with
//! nothing written, and every change audited like the page's.

use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

use super::{map_all, programme, uid};
use crate::on_both_backends;
use mipaka::db::schema::audit_log;
use mipaka::db::DbConn;
use mipaka::dhis2::mapping::Mappings;
use mipaka::models::session;

fn bearer(c: &mut DbConn, who: &str) -> Header<'static> {
    let u = mipaka::models::user::by_username(c, who).unwrap().unwrap();
    let t = session::create_token(c, u.id, "api", mipaka::clock::now())
        .unwrap()
        .1;
    Header::new("Authorization", format!("Bearer {t}"))
}

const AT: &str = "/api/v1/programmes/LBP/dhis2/mappings";

fn get(client: &Client, auth: &Header<'static>) -> Value {
    let r = client.get(AT).header(auth.clone()).dispatch();
    assert_eq!(r.status(), Status::Ok);
    r.into_json().unwrap()
}

fn put(client: &Client, auth: &Header<'static>, body: &Value) -> (Status, Value) {
    let r = client
        .put(AT)
        .header(auth.clone())
        .header(ContentType::JSON)
        .body(body.to_string())
        .dispatch();
    let s = r.status();
    (s, r.into_json().unwrap_or(Value::Null))
}

fn mapping_audits(c: &mut DbConn) -> i64 {
    audit_log::table
        .filter(audit_log::entity.eq("dhis2_mapping"))
        .count()
        .get_result(c)
        .unwrap()
}

on_both_backends! {
    fn mappings_are_read_and_replaced_by_api_with_versions_checks_and_audit(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        let client = t.client(db.clone());
        let manager = bearer(c, "manager");

        // Read: every mappable item, with its default, and the version.
        let set = get(&client, &bearer(c, "evaluator"));
        let v0 = set["version"].as_i64().unwrap();
        let items = set["mappings"].as_array().unwrap().clone();
        let m = Mappings::load(c, &p).unwrap();
        assert_eq!(items.len(), m.items.len());
        let find = |items: &[Value], kind: &str, item: &str| items.iter().find(|i| i["kind"] == kind && i["item"] == item).cloned();
        let turkana = find(&items, "org_unit", "023").expect("Turkana, a county of LBP");
        assert_eq!(turkana["default_code"], "023");
        assert_eq!(turkana["mapped"], true);
        let total = find(&items, "coc", "").unwrap();
        assert_eq!(total["default_code"], "default");
        assert!(find(&items, "aoc", "").is_some());
        let de = m.of_kind("data_element").next().unwrap().item.clone();
        assert!(find(&items, "data_element", &de).is_some());

        // Change: the whole set as read, with one indicator mapped.
        let audits = mapping_audits(c);
        let mut changed = items.clone();
        let n = changed.iter().position(|i| i["kind"] == "data_element" && i["item"] == de.as_str()).unwrap();
        changed[n]["code"] = json!("DE_ONE");
        changed[n]["uid"] = json!(uid("one"));
        let (status, body) = put(&client, &manager, &json!({ "version": v0, "mappings": changed }));
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["changes"], 1);
        assert_eq!(body["version"].as_i64().unwrap(), v0 + 1);
        let now = find(body["mappings"].as_array().unwrap(), "data_element", &de).unwrap();
        assert_eq!((now["code"].as_str(), now["uid"].as_str(), now["mapped"].as_bool()), (Some("DE_ONE"), Some(uid("one").as_str()), Some(true)));
        assert_eq!(Mappings::load(c, &p).unwrap().get("data_element", &de).unwrap().mapped.code, "DE_ONE");
        assert_eq!(mapping_audits(c), audits + 1, "audited like the page");
        let last: (String, String) = audit_log::table
            .filter(audit_log::entity.eq("dhis2_mapping"))
            .order(audit_log::id.desc())
            .select((audit_log::action, audit_log::actor))
            .first(c)
            .unwrap();
        assert_eq!(last, ("dhis2_mapping_set".to_string(), "manager".to_string()));

        // Stale: a change from the version read before answers 409 with the set now.
        changed[n]["code"] = json!("DE_TWO");
        let (status, body) = put(&client, &manager, &json!({ "version": v0, "mappings": changed }));
        assert_eq!(status, Status::Conflict, "{body}");
        assert_eq!(body["error"]["field"], "version");
        assert_eq!(body["current"]["version"].as_i64().unwrap(), v0 + 1);
        assert!(find(body["current"]["mappings"].as_array().unwrap(), "data_element", &de).unwrap()["code"] == "DE_ONE");

        // A bad UID: 422 naming the item and field, nothing written.
        let audits = mapping_audits(c);
        changed[n]["uid"] = json!("not-a-uid");
        let (status, body) = put(&client, &manager, &json!({ "version": v0 + 1, "mappings": changed }));
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert_eq!(body["error"]["field"], format!("mappings[{n}].uid"));
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(&de) && message.contains("not-a-uid"), "{message}");
        let after = Mappings::load(c, &p).unwrap();
        assert_eq!(after.version as i64, v0 + 1);
        assert_eq!(after.get("data_element", &de).unwrap().mapped.code, "DE_ONE");
        assert_eq!(mapping_audits(c), audits);

        // A kind that is not one: 422 before anything is read.
        let (status, body) = put(&client, &manager, &json!({ "version": v0 + 1, "mappings": [{ "kind": "indicator", "item": de }] }));
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert_eq!(body["error"]["field"], "mappings[0].kind");

        // Items left out are cleared (the whole set is sent); the evaluator may not write.
        let (status, _) = put(&client, &bearer(c, "evaluator"), &json!({ "version": v0 + 1, "mappings": [] }));
        assert_eq!(status, Status::Forbidden);
        let (status, body) = put(&client, &manager, &json!({ "version": v0 + 1, "mappings": [] }));
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["changes"], 1);
        assert!(Mappings::load(c, &p).unwrap().get("data_element", &de).unwrap().mapped.code.is_empty());
        let last: String = audit_log::table
            .filter(audit_log::entity.eq("dhis2_mapping"))
            .order(audit_log::id.desc())
            .select(audit_log::action)
            .first(c)
            .unwrap();
        assert_eq!(last, "dhis2_mapping_cleared");
    }
}

on_both_backends! {
    fn a_pull_filters_by_org_unit_and_names_an_unknown_one(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        let auth = {
            let u = mipaka::models::user::by_username(c, "donor").unwrap().unwrap();
            let tok = session::create_token(c, u.id, "dhis2", mipaka::clock::now()).unwrap().1;
            Header::new("Authorization", format!("ApiToken {tok}"))
        };
        let client = t.client(db.clone());
        let pull = |query: &str| {
            let r = client.get(format!("/dhis2/api/dataValueSets.json?dataSet=LBP&period=2026Q2&{query}")).header(auth.clone()).dispatch();
            let s = r.status();
            (s, r.into_json::<Value>().unwrap())
        };
        let org_units = |v: &Value| -> std::collections::BTreeSet<String> {
            v["dataValues"].as_array().unwrap().iter().map(|d| d["orgUnit"].as_str().unwrap().to_string()).collect()
        };
        let (s, all) = pull("idScheme=code");
        assert_eq!(s, Status::Ok);
        let every = org_units(&all);
        assert!(every.len() >= 2, "{every:?}");
        let (one, two): (String, String) = { let mut i = every.iter(); (i.next().unwrap().clone(), i.next().unwrap().clone()) };

        let (s, v) = pull(&format!("idScheme=code&orgUnit={one}"));
        assert_eq!(s, Status::Ok, "{v}");
        assert_eq!(org_units(&v), [one.clone()].into());
        let (s, v) = pull(&format!("idScheme=code&orgUnit={one}&orgUnit={two}&children=true"));
        assert_eq!(s, Status::Ok, "{v}");
        assert_eq!(org_units(&v), [one.clone(), two.clone()].into());
        // By UID (the mapping's), answered in codes.
        let (s, v) = pull(&format!("idScheme=code&inputOrgUnitIdScheme=uid&orgUnit={}", uid(&format!("ou{one}"))));
        assert_eq!(s, Status::Ok, "{v}");
        assert_eq!(org_units(&v), [one.clone()].into());
        let (s, v) = pull(&format!("orgUnit={}", uid(&format!("ou{two}"))));
        assert_eq!(s, Status::Ok, "{v}");
        assert!(v["dataValues"].as_array().unwrap().iter().all(|d| d["orgUnit"] == uid(&format!("ou{two}"))));

        // An unknown one is named, as DHIS2 answers an invalid identifier: 409.
        let (s, v) = pull(&format!("idScheme=code&orgUnit={one}&orgUnit=999"));
        assert_eq!(s, Status::Conflict, "{v}");
        assert!(v["message"].as_str().unwrap().contains("'999'"), "{v}");
        let (s, _) = pull("idScheme=code&orgUnit=023&children=maybe");
        assert_eq!(s, Status::Conflict);
    }
}

on_both_backends! {
    fn an_import_summary_is_xml_when_xml_is_asked_for(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        let cells = crate::dhis2::exchange::open_cells(c);
        let auth = bearer(c, "manager").value().replace("Bearer", "ApiToken");
        let client = t.client(db.clone());
        let post = |path: &str, accept: &str, body: String| {
            let r = client.post(path.to_string())
                .header(Header::new("Authorization", auth.clone()))
                .header(Header::new("Accept", accept.to_string()))
                .header(ContentType::JSON)
                .body(body)
                .dispatch();
            let ct = r.content_type().map(|c| c.to_string()).unwrap_or_default();
            (r.status(), ct, r.into_string().unwrap())
        };
        // A bad org unit: 409, the conflict named in XML.
        let mut bad: Value = serde_json::from_str(&crate::dhis2::exchange::payload(&cells, &["5", "7"])).unwrap();
        bad["dataValues"][1]["orgUnit"] = json!("999");
        let (s, ct, x) = post("/dhis2/api/dataValueSets?dataSet=LBP&idScheme=code", "application/xml", bad.to_string());
        assert_eq!(s, Status::Conflict, "{x}");
        assert!(ct.contains("xml"), "{ct}");
        assert!(x.contains("<importSummary xmlns=\"http://dhis2.org/schema/dxf/2.0\""), "{x}");
        assert!(x.contains("<status>ERROR</status>"), "{x}");
        assert!(x.contains("<importCount imported=\"0\" updated=\"0\" ignored=\"2\" deleted=\"0\"/>"), "{x}");
        assert!(x.contains("<conflict object=\"999\" value=\""), "{x}");
        // A good dry run, JSON sent to the .json address but XML asked for.
        let (s, ct, x) = post("/dhis2/api/dataValueSets.json?dataSet=LBP&idScheme=code&dryRun=true", "application/xml", crate::dhis2::exchange::payload(&cells, &["5", "7"]));
        assert_eq!(s, Status::Ok, "{x}");
        assert!(ct.contains("xml"), "{ct}");
        assert!(x.contains("<status>SUCCESS</status>") && x.contains("imported=\"2\""), "{x}");
        // Without Accept the answer stays JSON.
        let (_, ct, x) = post("/dhis2/api/dataValueSets?dataSet=LBP&idScheme=code&dryRun=true", "*/*", crate::dhis2::exchange::payload(&cells, &["5", "7"]));
        assert!(ct.contains("json"), "{ct}");
        assert_eq!(serde_json::from_str::<Value>(&x).unwrap()["status"], "SUCCESS");
    }
}
