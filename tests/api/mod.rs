//! The JSON API: its OpenAPI document matches the routes; writes are checked, versioned
//! and answer 409 with the current record when stale.

use std::collections::BTreeSet;

use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::{Client, LocalResponse};
use serde_json::{json, Value};

mod conformance;
mod setup;

use crate::on_both_backends;
use crate::support::TestDb;
use mipaka::models::{session, user};

#[test]
fn the_openapi_document_describes_exactly_the_mounted_api_routes() {
    let t = TestDb::sqlite();
    let client = t.client(t.prepare());
    let mounted: BTreeSet<(String, String)> = client
        .rocket()
        .routes()
        .filter(|r| r.uri.path().starts_with("/api/v1"))
        .map(|r| {
            let path = r
                .uri
                .path()
                .trim_start_matches("/api/v1")
                .replace('<', "{")
                .replace('>', "}");
            (r.method.as_str().to_lowercase(), path)
        })
        .collect();
    let doc: Value = client
        .get("/api/v1/openapi.json")
        .dispatch()
        .into_json()
        .unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let described: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    assert!(mounted.len() >= 15, "{mounted:?}");
    assert_eq!(mounted, described, "routes and OpenAPI paths differ");
    // Every $ref points at a schema that exists.
    let text = doc.to_string();
    for r in text.split("\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "missing schema {name}"
        );
    }
    // Every write that changes a record names the version it read, and the document says
    // so: each PUT and DELETE, and each POST on a record (restore, move), requires
    // `version`; each answers 409 when it is stale, and every write 403 and 422.
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let responses = &op["responses"];
            if path != "/openapi.json" {
                assert!(
                    responses["401"].is_object(),
                    "{method} {path} documents no 401"
                );
            }
            if method == "get" {
                continue;
            }
            for status in ["403", "422"] {
                assert!(
                    responses[status].is_object(),
                    "{method} {path} documents no {status}"
                );
            }
            let versioned = method == "put" || method == "delete" || path.contains("{id}");
            if !versioned {
                continue;
            }
            checked += 1;
            assert!(
                responses["409"].is_object(),
                "{method} {path} documents no 409"
            );
            if method == "delete" {
                let has =
                    op["parameters"].as_array().unwrap().iter().any(|p| {
                        p["name"] == "version" && p["in"] == "query" && p["required"] == true
                    });
                assert!(has, "{method} {path} does not require ?version=");
            } else {
                let body = &op["requestBody"]["content"]["application/json"]["schema"];
                assert!(
                    required_fields(&doc, body).contains("version"),
                    "{method} {path}: its body does not require version"
                );
            }
        }
    }
    assert!(checked >= 20, "only {checked} versioned writes documented");
}

/// The properties a schema requires, through `$ref` and `allOf`.
fn required_fields(doc: &Value, schema: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return required_fields(doc, &doc["components"]["schemas"][name]);
    }
    for r in schema["required"].as_array().into_iter().flatten() {
        out.insert(r.as_str().unwrap().to_string());
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        out.extend(required_fields(doc, part));
    }
    out
}

pub(crate) fn token(db: &mipaka::db::Db, username: &str) -> String {
    let c = &mut *db.get().unwrap();
    let u = user::by_username(c, username).unwrap().unwrap();
    session::create_token(c, u.id, "test", mipaka::clock::now())
        .unwrap()
        .1
}

fn call<'c>(
    client: &'c Client,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> LocalResponse<'c> {
    let req = match method {
        "POST" => client.post(path.to_string()),
        "PUT" => client.put(path.to_string()),
        "DELETE" => client.delete(path.to_string()),
        _ => client.get(path.to_string()),
    };
    let req = req.header(Header::new("Authorization", format!("Bearer {token}")));
    match body {
        Some(b) => req.header(ContentType::JSON).body(b.to_string()).dispatch(),
        None => req.dispatch(),
    }
}

on_both_backends! {
    fn values_through_the_api_are_checked_versioned_and_never_silently_overwritten(t) {
        let db = t.with_demo();
        let (tok, prev) = {
            let tok = token(&db, "manager");
            // A plausible value: the county's previous quarter.
            let c = &mut *db.get().unwrap();
            let p = mipaka::models::programme::by_code(c, "LBP").unwrap();
            let v = mipaka::models::values::of_period(c, p.id, "2026Q3").unwrap().into_iter()
                .find(|v| v.disaggregation.is_empty() && mipaka::models::framework::indicators_of(c, p.id).unwrap().iter().any(|i| i.id == v.indicator_id && i.code == "LBP-0.1")).unwrap();
            let county = mipaka::models::location::counties(c).unwrap().into_iter().find(|l| l.id == v.location_id).unwrap().code;
            (tok, (v.value, county))
        };
        let client = t.client(db.clone());
        let body = json!({ "indicator": "LBP-0.1", "period": "2026Q4", "county": prev.1, "value": prev.0, "comment": "via API" });
        let r = call(&client, "POST", "/api/v1/programmes/LBP/values", &tok, Some(body.clone()));
        assert_eq!(r.status(), Status::Created);
        let created: Value = r.into_json().unwrap();
        assert_eq!(created["version"], 1);
        assert_eq!(created["status"], "draft");
        let id = created["id"].as_i64().unwrap();

        // Creating it again is a conflict carrying the current value.
        let r = call(&client, "POST", "/api/v1/programmes/LBP/values", &tok, Some(json!({ "indicator": "LBP-0.1", "period": "2026Q4", "county": prev.1, "value": prev.0 + 1.0 })));
        assert_eq!(r.status(), Status::Conflict);
        let e: Value = r.into_json().unwrap();
        assert_eq!(e["current"]["version"], 1);
        assert_eq!(e["error"]["field"], "version");

        // An update from the right version goes through; from a stale one it is 409.
        let r = call(&client, "PUT", &format!("/api/v1/programmes/LBP/values/{id}"), &tok, Some(json!({ "value": prev.0 + 1.0, "version": 1 })));
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.into_json::<Value>().unwrap()["version"], 2);
        let r = call(&client, "PUT", &format!("/api/v1/programmes/LBP/values/{id}"), &tok, Some(json!({ "value": prev.0 + 2.0, "version": 1 })));
        assert_eq!(r.status(), Status::Conflict);
        let e: Value = r.into_json().unwrap();
        assert_eq!(e["current"]["value"].as_f64(), Some(prev.0 + 1.0), "the 409 shows what is there now");

        // Bad values name the field; bad JSON says where.
        let r = call(&client, "PUT", &format!("/api/v1/programmes/LBP/values/{id}"), &tok, Some(json!({ "value": 2.5, "version": 2 })));
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let e: Value = r.into_json().unwrap();
        assert_eq!(e["error"]["field"], "value");
        assert!(e["error"]["message"].as_str().unwrap().contains("whole number"));
        let r = client.post("/api/v1/programmes/LBP/values").header(Header::new("Authorization", format!("Bearer {tok}"))).header(ContentType::JSON).body("{\"indicator\": \"LBP-0.1\",\n \"value\": }").dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let e: Value = r.into_json().unwrap();
        assert!(e["error"]["message"].as_str().unwrap().contains("line 2, column"), "{e}");
        let r = call(&client, "PUT", &format!("/api/v1/programmes/LBP/values/{id}"), &tok, Some(json!({ "value": 3 })));
        assert_eq!(r.into_json::<Value>().unwrap()["error"]["field"], "version");

        // Reads.
        let r = call(&client, "GET", "/api/v1/programmes/LBP/values?period=2026Q4", &tok, None);
        let list: Value = r.into_json().unwrap();
        assert_eq!(list["values"].as_array().unwrap().len(), 1);
        assert_eq!(list["values"][0]["entered_by"], "manager");
    }
}

on_both_backends! {
    fn milestones_and_activities_through_the_api(t) {
        let db = t.with_demo();
        let tok = token(&db, "manager");
        let evaluator = token(&db, "evaluator");
        let client = t.client(db);
        let r = call(&client, "POST", "/api/v1/programmes/LBP/milestones", &tok, Some(json!({ "title": "", "due_date": "2026-13-01", "status": "planned" })));
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let e: Value = r.into_json().unwrap();
        assert!(e["error"]["fields"]["title"].is_string() && e["error"]["fields"]["due"].is_string(), "{e}");
        let r = call(&client, "POST", "/api/v1/programmes/LBP/milestones", &tok, Some(json!({ "title": "Lamu CSIC trained", "due_date": "2027-03-31", "status": "planned", "county": "005" })));
        assert_eq!(r.status(), Status::Created);
        let m: Value = r.into_json().unwrap();
        let id = m["id"].as_i64().unwrap();
        let r = call(&client, "PUT", &format!("/api/v1/programmes/LBP/milestones/{id}"), &tok, Some(json!({ "title": "Lamu CSIC trained", "due_date": "2027-03-31", "status": "in_progress", "version": 1 })));
        assert_eq!(r.status(), Status::Ok);
        let r = call(&client, "PUT", &format!("/api/v1/programmes/LBP/milestones/{id}"), &tok, Some(json!({ "title": "Lamu CSIC trained", "due_date": "2027-03-31", "status": "delayed", "version": 1 })));
        assert_eq!(r.status(), Status::Conflict);
        assert_eq!(r.into_json::<Value>().unwrap()["current"]["status"], "in_progress");

        let r = call(&client, "POST", "/api/v1/programmes/LBP/activities", &tok, Some(json!({ "code": "API-1", "title": "Radio links for Lamu posts", "planned_start": "2026-10-01", "planned_end": "2027-03-31", "status": "in_progress", "percent_complete": 10, "budget_minor": 5_000_000, "spend_minor": 250_000 })));
        assert_eq!(r.status(), Status::Created);
        assert_eq!(r.into_json::<Value>().unwrap()["budget_minor"], 5_000_000);

        // The evaluator reads but may not write.
        assert_eq!(call(&client, "GET", "/api/v1/programmes/LBP/activities", &evaluator, None).status(), Status::Ok);
        let r = call(&client, "POST", "/api/v1/programmes/LBP/milestones", &evaluator, Some(json!({ "title": "x", "due_date": "2027-01-01", "status": "planned" })));
        assert_eq!(r.status(), Status::Forbidden);
        assert!(r.into_json::<Value>().unwrap()["error"]["message"].is_string());
    }
}

on_both_backends! {
    fn activity_progress_through_the_api_is_checked_versioned_and_locked_with_the_period(t) {
        let db = t.with_demo();
        let tok = token(&db, "manager");
        let client = t.client(db.clone());
        let r = call(&client, "GET", "/api/v1/programmes/LBP/progress?period=2026Q4", &tok, None);
        assert_eq!(r.status(), Status::Ok);
        let list: Value = r.into_json().unwrap();
        let row = list["activities"].as_array().unwrap().iter()
            .find(|a| a["progress"].is_null() && a["previous"]["status"] == "in_progress")
            .expect("an activity under way")
            .clone();
        let code = row["activity"].as_str().unwrap();
        let before = row["previous"]["spend_to_date_minor"].as_i64().unwrap();
        let spend = format!("{}.00", before / 100 + 1000);
        let new = |pct: i64| json!({ "period": "2026Q4", "activity": code, "status": "in_progress", "percent_complete": pct, "spend_to_date": spend });
        // Checked: a % over 100 names its field; nothing is saved.
        let r = call(&client, "POST", "/api/v1/programmes/LBP/progress", &tok, Some(new(120)));
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let e: Value = r.into_json().unwrap();
        assert!(e.to_string().contains("percent_complete"), "{e}");
        // Entered as a draft at version 1.
        let r = call(&client, "POST", "/api/v1/programmes/LBP/progress", &tok, Some(new(90)));
        assert_eq!(r.status(), Status::Created);
        let saved: Value = r.into_json().unwrap();
        assert_eq!((saved["version"].as_i64(), saved["workflow_status"].as_str()), (Some(1), Some("draft")));
        let path = format!("/api/v1/programmes/LBP/progress/{}", saved["id"]);
        // Entering it again, or changing it from a stale version: 409 with the row as it is now.
        let r = call(&client, "POST", "/api/v1/programmes/LBP/progress", &tok, Some(new(91)));
        assert_eq!(r.status(), Status::Conflict);
        assert_eq!(r.into_json::<Value>().unwrap()["current"]["percent_complete"], 90);
        let r = call(&client, "PUT", &path, &tok, Some(json!({ "status": "in_progress", "percent_complete": 91, "spend_to_date": spend, "version": 0 })));
        assert_eq!(r.status(), Status::Conflict);
        // Approved with the period: then locked.
        {
            let c = &mut *db.get().unwrap();
            let p = mipaka::models::programme::by_code(c, "LBP").unwrap();
            let q = mipaka::domain::period::Period::parse("2026Q4").unwrap();
            let officer = user::by_username(c, "officer").unwrap().unwrap();
            let manager = user::by_username(c, "manager").unwrap().unwrap();
            let who = |u: &user::User| mipaka::models::audit::Actor { user_id: Some(u.id), name: u.username.clone() };
            assert_eq!(mipaka::entry::submit(c, &who(&manager), &p, &q).unwrap().progress, 1);
            assert_eq!(mipaka::entry::approve(c, &who(&officer), &p, &q, mipaka::clock::now()).unwrap().progress, 1);
        }
        let r = call(&client, "PUT", &path, &tok, Some(json!({ "status": "in_progress", "percent_complete": 92, "spend_to_date": spend, "version": 3 })));
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("locked"));
        let r = call(&client, "GET", "/api/v1/programmes/LBP/progress?period=2026Q4", &tok, None);
        let list: Value = r.into_json().unwrap();
        assert_eq!(list["locked"], true);
        let now = list["activities"].as_array().unwrap().iter().find(|a| a["activity"] == code).unwrap();
        assert_eq!(now["progress"]["workflow_status"], "approved");
        assert_eq!(now["progress"]["percent_complete"], 90);
    }
}

/// What schemathesis found, held here without it: a method an address does not take is
/// 405 with `Allow`, not 404; a version sent as 1.0 is version 1; a missing ?period= is
/// named.
#[test]
fn the_router_says_which_part_of_a_request_is_wrong() {
    use rocket::http::Method;
    let t = TestDb::sqlite();
    let db = t.with_demo();
    let tok = token(&db, "manager");
    let client = t.client(db);
    let auth = Header::new("Authorization", format!("Bearer {tok}"));
    for (method, path, allow) in [
        (
            Method::Put,
            "/api/v1/programmes/LBP/results",
            "GET, HEAD, POST",
        ),
        (Method::Delete, "/api/v1/me", "GET, HEAD"),
        (Method::Trace, "/api/v1/programmes/LBP", "GET, HEAD, PUT"),
        (
            Method::Post,
            "/api/v1/programmes/LBP/phases/1",
            "PUT, DELETE",
        ),
    ] {
        let r = client
            .req(method, path)
            .header(auth.clone())
            .header(ContentType::JSON)
            .body("{}")
            .dispatch();
        assert_eq!(r.status(), Status::MethodNotAllowed, "{method} {path}");
        assert_eq!(r.headers().get_one("Allow"), Some(allow), "{method} {path}");
        let e: Value = r.into_json().unwrap();
        assert!(
            e["error"]["message"].as_str().unwrap().contains(allow),
            "{e}"
        );
    }
    // An address nothing answers is 404 whatever the body's type; one a write takes, 415.
    let plain = |path: &str| {
        client
            .post(path.to_string())
            .header(auth.clone())
            .header(ContentType::Plain)
            .body("x")
            .dispatch()
            .status()
    };
    assert_eq!(plain("/api/v1/programmes/LBP/nothing"), Status::NotFound);
    assert_eq!(
        plain("/api/v1/programmes/LBP/milestones"),
        Status::UnsupportedMediaType
    );

    // 1.0 is the whole number 1, as JSON Schema counts it.
    let r = call(
        &client,
        "POST",
        "/api/v1/programmes/LBP/milestones",
        &tok,
        Some(json!({ "title": "Busia JBC drill", "due_date": "2027-02-28", "status": "planned" })),
    );
    assert_eq!(r.status(), Status::Created);
    let id = r.into_json::<Value>().unwrap()["id"].as_i64().unwrap();
    let r = call(
        &client,
        "PUT",
        &format!("/api/v1/programmes/LBP/milestones/{id}"),
        &tok,
        Some(
            json!({ "title": "Busia JBC drill", "due_date": "2027-02-28", "status": "in_progress", "version": 1.0 }),
        ),
    );
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(r.into_json::<Value>().unwrap()["version"], 2);
    let r = call(
        &client,
        "PUT",
        &format!("/api/v1/programmes/LBP/milestones/{id}"),
        &tok,
        Some(
            json!({ "title": "Busia JBC drill", "due_date": "2027-02-28", "status": "delayed", "version": 2.5 }),
        ),
    );
    assert_eq!(r.status(), Status::UnprocessableEntity);

    let r = call(
        &client,
        "GET",
        "/api/v1/programmes/LBP/progress",
        &tok,
        None,
    );
    assert_eq!(r.status(), Status::UnprocessableEntity);
    let e: Value = r.into_json().unwrap();
    assert_eq!(e["error"]["field"], "period");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("?period="),
        "{e}"
    );
}

on_both_backends! {
    // PostgreSQL cannot store a NUL character in text: a body holding one answered 500
    // there (and was stored on SQLite). Now it is 422 naming the field, on both, and
    // nothing is written.
    fn text_holding_a_nul_character_is_refused_and_nothing_is_written(t) {
        let db = t.with_demo();
        let tok = token(&db, "manager");
        let client = t.client(db);
        let count = |client: &Client, path: &str, key: &str| -> usize {
            let r = call(client, "GET", path, &tok, None);
            r.into_json::<Value>().unwrap()[key].as_array().unwrap().len()
        };
        let milestones = |client: &Client| {
            (
                count(client, "/api/v1/programmes/LBP/milestones", "milestones"),
                count(client, "/api/v1/programmes/LBP/values?period=2026Q4", "values"),
                count(client, "/api/v1/programmes/LBP/partners", "partners"),
            )
        };
        let before = milestones(&client);
        for (method, path, body, field) in [
            ("POST", "/api/v1/programmes/LBP/milestones", json!({ "title": "a\u{0}b", "due_date": "2027-01-31", "status": "planned" }), "title"),
            ("POST", "/api/v1/programmes/LBP/values", json!({ "indicator": "LBP-0.1", "period": "2026Q4", "county": "023", "value": 3, "comment": "x\u{0}" }), "comment"),
            ("POST", "/api/v1/programmes/LBP/partners", json!({ "code": "NUL", "name": "Nul", "roles": ["funding", "x\u{0}"] }), "roles[1]"),
        ] {
            let r = call(&client, method, path, &tok, Some(body));
            assert_eq!(r.status(), Status::UnprocessableEntity, "{path}");
            let e: Value = r.into_json().unwrap();
            assert_eq!(e["error"]["field"], field, "{e}");
            assert!(e["error"]["message"].as_str().unwrap().contains("NUL"), "{e}");
        }
        assert_eq!(milestones(&client), before, "nothing was written");
    }
}

on_both_backends! {
    // A budget line of 92,233,720,368,547,758.07 (i64::MAX pence) was taken, and the next
    // GET …/budget added the lines up past i64 and answered 500. Money is now at most
    // 1,000,000,000,000 wherever it is typed.
    fn money_beyond_a_trillion_is_refused_and_the_budget_still_adds_up(t) {
        let db = t.with_demo();
        let tok = token(&db, "manager");
        let client = t.client(db);
        for amount in [json!("92233720368547758.07"), json!(1_000_000_000_001u64)] {
            let r = call(&client, "POST", "/api/v1/programmes/LBP/budget", &tok, Some(json!({ "output": "LBP-OP1.1", "fiscal_year": "2025July", "amount": amount })));
            assert_eq!(r.status(), Status::UnprocessableEntity, "{amount}");
            let e: Value = r.into_json().unwrap();
            assert_eq!(e["error"]["field"], "amount", "{e}");
            assert!(e["error"]["message"].as_str().unwrap().contains("more than 1,000,000,000,000"), "{e}");
        }
        let r = call(&client, "POST", "/api/v1/programmes/LBP/activities", &tok, Some(json!({ "code": "BIG-1", "title": "Big", "planned_start": "2026-01-01", "planned_end": "2026-06-30", "status": "not_started", "budget_minor": i64::MAX })));
        assert_eq!(r.status(), Status::UnprocessableEntity);
        // Two lines at the limit still add up.
        for fy in ["2025July", "2026July"] {
            let r = call(&client, "POST", "/api/v1/programmes/LBP/budget", &tok, Some(json!({ "output": "LBP-OP1.1", "fiscal_year": fy, "amount": "1,000,000,000,000" })));
            assert_eq!(r.status(), Status::Created, "{fy}");
        }
        let r = call(&client, "GET", "/api/v1/programmes/LBP/budget", &tok, None);
        assert_eq!(r.status(), Status::Ok);
        assert!(r.into_json::<Value>().unwrap()["total_minor"].as_i64().unwrap() >= 2 * mipaka::domain::plan::MAX_MONEY_MINOR);
    }
}
