//! Setting a programme up through the API: from an empty deployment to a programme
//! with phases, partners, a framework, targets and a budget; versions, refusals and
//! roles as a client would meet them.

use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::{Client, LocalResponse};
use serde_json::{json, Value};

use super::{call, token};
use crate::on_both_backends;
use mipaka::models::{activity, audit, framework, programme, user, values};

/// The answer's JSON, after checking its status (the body is shown when it differs).
fn answer(r: LocalResponse<'_>, want: Status) -> Value {
    let got = r.status();
    let body = r.into_string().unwrap_or_default();
    assert_eq!(got, want, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn account(db: &mipaka::db::Db, username: &str, is_admin: bool) {
    let c = &mut *db.get().unwrap();
    user::create(
        c,
        &user::NewAccount {
            username,
            display_name: username,
            email: "",
            password: "a-long-enough-password",
            is_admin,
        },
    )
    .unwrap();
}

fn get(client: &Client, path: &str, tok: &str) -> Value {
    answer(call(client, "GET", path, tok, None), Status::Ok)
}

/// The record with `key` = `value` in the list `list` of a GET answer.
fn find<'v>(v: &'v Value, list: &str, key: &str, value: &str) -> &'v Value {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == value)
        .unwrap_or_else(|| panic!("no {list} with {key} {value} in {v}"))
}

/// A record read by GET turned into the body of its update: every field, and the version.
fn as_update(record: &Value, changes: Value) -> Value {
    let mut b = record.clone();
    for (k, v) in changes.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

on_both_backends! {
    fn a_whole_programme_is_set_up_through_the_api_from_an_empty_deployment(t) {
        let db = t.prepare();
        account(&db, "root", true);
        account(&db, "amina", false);
        let (admin, amina) = (token(&db, "root"), token(&db, "amina"));
        let client = t.client(db.clone());
        let new = json!({
            "code": "bsp-1", "name": "Border Security Programme", "currency": "gbp",
            "start_date": "2025-07-01", "end_date": "2028-06-30", "iati_identifier": "GB-GOV-1-300961",
            "manager": "Amina",
        });

        // Only an administrator creates a programme; naming its manager gives her the role.
        let r = call(&client, "POST", "/api/v1/programmes", &amina, Some(new.clone()));
        assert_eq!(r.status(), Status::Forbidden);
        let p = answer(call(&client, "POST", "/api/v1/programmes", &admin, Some(new.clone())), Status::Created);
        assert_eq!(p["code"], "BSP-1");
        assert_eq!(p["currency"], "GBP");
        assert_eq!(p["status"], "active");
        assert_eq!(p["manager"], "amina");
        assert_eq!(p["effect"], "created");
        assert_eq!(p["version"], 1);
        let e = answer(call(&client, "POST", "/api/v1/programmes", &admin, Some(new)), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "code");
        let me = get(&client, "/api/v1/me", &amina);
        assert_eq!(me["roles"][0], json!({ "programme": "BSP-1", "role": "manager" }));

        // The manager completes the programme's details from the version she read.
        let p = answer(call(&client, "PUT", "/api/v1/programmes/BSP-1", &amina, Some(as_update(&p, json!({ "funder": "UK FCDO" })))), Status::Ok);
        assert_eq!(p["effect"], "changed");
        assert_eq!(p["changes"], json!(["funder: — → “UK FCDO”"]));
        assert_eq!(p["version"], 2);

        // A phase over three counties, named by name, code and number.
        let ph = answer(call(&client, "POST", "/api/v1/programmes/BSP-1/phases", &amina, Some(json!({
            "name": "Phase 1", "start_date": "2025-07-01", "end_date": "2027-06-30", "counties": ["Turkana", "009", 10],
        }))), Status::Created);
        assert_eq!(ph["counties"], json!(["009", "010", "023"]));
        assert_eq!(ph["county_names"], json!(["Mandera", "Marsabit", "Turkana"]));

        let partner = answer(call(&client, "POST", "/api/v1/programmes/BSP-1/partners", &amina, Some(json!({
            "code": "iom", "name": "International Organization for Migration", "short_name": "IOM",
            "iati_type": 40, "iati_identifier": "XM-DAC-47066", "roles": ["implementing", 3],
        }))), Status::Created);
        assert_eq!(partner["code"], "IOM");
        assert_eq!(partner["roles"], json!(["extending", "implementing"]));

        let cat = answer(call(&client, "POST", "/api/v1/programmes/BSP-1/disaggregations", &amina, Some(json!({
            "label": "Sex", "options": [{ "code": "female", "label": "Female" }, "male = Male"],
        }))), Status::Created);
        assert_eq!(cat["code"], "sex");
        assert_eq!(cat["options"][1], json!({ "code": "male", "label": "Male" }));

        // The framework; the outputs' weightings are said not to add up until they do.
        for (body, problem) in [
            (json!({ "level": "impact", "code": "BSP-I", "statement": "Safer, better-governed borders" }), None),
            (json!({ "level": "outcome", "code": "BSP-OC1", "statement": "Border communities and agencies act on early warnings", "parent": "BSP-I" }), None),
            (json!({ "level": "output", "code": "BSP-OP1", "statement": "Border officers trained", "parent": "BSP-OC1", "impact_weighting": 60, "risk_rating": "medium", "assumptions": "Officers stay in post" }), Some("60%")),
            (json!({ "level": "output", "code": "BSP-OP2", "statement": "Early-warning network running", "parent": "BSP-OC1", "impact_weighting": "40%", "risk_rating": "high" }), None),
        ] {
            let r = answer(call(&client, "POST", "/api/v1/programmes/BSP-1/results", &amina, Some(body)), Status::Created);
            match problem {
                Some(p) => assert!(r["weighting_problem"].as_str().unwrap().contains(p), "{r}"),
                None => assert!(r["weighting_problem"].is_null(), "{r}"),
            }
        }
        let trained = answer(call(&client, "POST", "/api/v1/programmes/BSP-1/indicators", &amina, Some(json!({
            "result": "BSP-OP1", "code": "BSP-1.1", "title": "Border officers trained", "unit": "count",
            "direction": "higher", "county_rule": "sum", "period_rule": "sum", "baseline_value": 0,
            "baseline_date": "2025-06-30", "end_target": 400, "end_target_date": "2028-06-30",
            "means_of_verification": "Training registers", "key": "yes", "disaggregations": "sex",
        }))), Status::Created);
        assert_eq!(trained["disaggregations"], json!(["sex"]));
        assert_eq!(trained["key"], true);
        let days = answer(call(&client, "POST", "/api/v1/programmes/BSP-1/indicators", &amina, Some(json!({
            "result": "BSP-OP2", "code": "BSP-2.1", "title": "Average days from early-warning alert to response",
            "unit": "decimal", "direction": "lower is better", "county_rule": "mean", "period_rule": "mean",
            "baseline_value": 4.5, "baseline_date": "2025-06-30", "end_target": 2.5,
        }))), Status::Created);
        assert_eq!(days["unit"], "number");
        assert_eq!(days["baseline"], 4.5);

        // Interim targets: programme-wide, per option and per county, and a fiscal year.
        let path = format!("/api/v1/programmes/BSP-1/indicators/{}/targets", trained["id"]);
        let set = get(&client, &path, &amina);
        assert_eq!(set["targets"], json!([]));
        let set = answer(call(&client, "PUT", &path, &amina, Some(json!({ "version": set["version"], "targets": [
            { "period": "2026Q3", "value": 40 },
            { "period": "2026Q3", "disaggregation": "sex=female", "value": 16 },
            { "period": "2026Q3", "county": "Turkana", "value": 10 },
            { "period": "2026July", "value": 150 },
        ] }))), Status::Ok);
        assert_eq!(set["effect"], "changed");
        assert_eq!(set["targets"].as_array().unwrap().len(), 4);
        let turkana = set["targets"].as_array().unwrap().iter().find(|t| t["county"] == "023").unwrap();
        assert_eq!(turkana["value"], 10.0);
        // The whole set replaces what is stored: the fiscal year's target left out goes.
        let kept: Vec<Value> = set["targets"].as_array().unwrap().iter().filter(|t| t["period"] != "2026July").cloned().collect();
        let set2 = answer(call(&client, "PUT", &path, &amina, Some(json!({ "version": set["version"], "targets": kept }))), Status::Ok);
        assert_eq!(set2["targets"].as_array().unwrap().len(), 3);
        assert!(set2["changes"][0].as_str().unwrap().ends_with("150 → —"), "{set2}");
        assert_ne!(set2["version"], set["version"]);

        let line = answer(call(&client, "POST", "/api/v1/programmes/BSP-1/budget", &amina, Some(json!({
            "output": "BSP-OP1", "fiscal_year": "2025/26", "amount": "125,000.00", "description": "Training courses",
        }))), Status::Created);
        assert_eq!(line["fiscal_year"], "2025July");
        assert_eq!(line["fiscal_year_label"], "2025/26");
        assert_eq!(line["amount_minor"], 12_500_000);
        assert_eq!(line["currency"], "GBP");

        // Everything reads back, and the programme takes values: 2.5 days is a number.
        assert_eq!(get(&client, "/api/v1/programmes/BSP-1/results", &amina)["results"].as_array().unwrap().len(), 4);
        assert_eq!(get(&client, "/api/v1/programmes/BSP-1/indicators", &amina)["indicators"].as_array().unwrap().len(), 2);
        assert_eq!(get(&client, "/api/v1/programmes/BSP-1/phases", &amina)["phases"].as_array().unwrap().len(), 1);
        assert_eq!(get(&client, "/api/v1/programmes/BSP-1/partners", &amina)["partners"][0]["code"], "IOM");
        assert_eq!(get(&client, "/api/v1/programmes/BSP-1/budget", &amina)["total"], "125000.00");
        let v = answer(call(&client, "POST", "/api/v1/programmes/BSP-1/values", &amina, Some(json!({
            "indicator": "BSP-2.1", "period": "2026Q3", "county": "023", "value": 2.5,
        }))), Status::Created);
        assert_eq!(v["value"], 2.5);

        // Every change is in the audit log under its author.
        let c = &mut *db.get().unwrap();
        let log = audit::recent(c, 100).unwrap();
        let by = |who: &str, action: &str| log.iter().filter(|e| e.actor == who && e.action == action).count();
        assert_eq!(by("root", "programme_created"), 1);
        assert_eq!(by("amina", "programme_updated"), 1);
        for action in ["phase_created", "partner_added", "category_created", "budget_line_created"] {
            assert_eq!(by("amina", action), 1, "{action}");
        }
        assert_eq!(by("amina", "result_created"), 4);
        assert_eq!(by("amina", "indicator_created"), 2);
        assert_eq!(by("amina", "targets_set"), 2);
    }
}

on_both_backends! {
    fn a_stale_version_answers_409_with_the_record_now_and_bad_input_422_writing_nothing(t) {
        let db = t.with_demo();
        let (manager, officer) = (token(&db, "manager"), token(&db, "officer"));
        let client = t.client(db.clone());

        // A phase changed by the officer cannot be overwritten from the older version.
        let phases = get(&client, "/api/v1/programmes/LBP/phases", &manager);
        let phase = phases["phases"][0].clone();
        let path = format!("/api/v1/programmes/LBP/phases/{}", phase["id"]);
        let renamed = format!("{} (renamed)", phase["name"].as_str().unwrap());
        let now = answer(call(&client, "PUT", &path, &officer, Some(as_update(&phase, json!({ "name": renamed }))) ), Status::Ok);
        assert_eq!(now["version"], phase["version"].as_i64().unwrap() + 1);
        let e = answer(call(&client, "PUT", &path, &manager, Some(as_update(&phase, json!({ "name": "Mine" })))), Status::Conflict);
        assert_eq!(e["current"]["name"], renamed.as_str());
        assert_eq!(e["current"]["version"], now["version"]);
        assert_eq!(e["error"]["field"], "version");
        assert!(e["error"]["message"].as_str().unwrap().contains("by officer"), "{e}");

        // Two people changing one partner's roles: the second is told, not silently undone.
        let partners = get(&client, "/api/v1/programmes/LBP/partners", &manager);
        let partner = partners["partners"].as_array().unwrap().iter().find(|p| !p["roles"].as_array().unwrap().contains(&json!("funding"))).unwrap().clone();
        let path = format!("/api/v1/programmes/LBP/partners/{}", partner["id"]);
        let mut more = partner["roles"].as_array().unwrap().clone();
        more.push(json!("funding"));
        let r = answer(call(&client, "PUT", &path, &officer, Some(as_update(&partner, json!({ "roles": more })))), Status::Ok);
        assert_eq!(r["effect"], "changed");
        let e = answer(call(&client, "PUT", &path, &manager, Some(as_update(&partner, json!({ "short_name": "Renamed" })))), Status::Conflict);
        assert!(e["current"]["roles"].as_array().unwrap().contains(&json!("funding")), "{e}");

        // An indicator, likewise.
        let inds = get(&client, "/api/v1/programmes/LBP/indicators", &manager);
        let ind = find(&inds, "indicators", "code", "LBP-1.1").clone();
        let path = format!("/api/v1/programmes/LBP/indicators/{}", ind["id"]);
        answer(call(&client, "PUT", &path, &officer, Some(as_update(&ind, json!({ "title": "Retitled by the officer" })))), Status::Ok);
        let e = answer(call(&client, "PUT", &path, &manager, Some(as_update(&ind, json!({ "title": "Mine" })))), Status::Conflict);
        assert_eq!(e["current"]["title"], "Retitled by the officer");

        // A set of targets changed since it was read.
        let lbp01 = find(&inds, "indicators", "code", "LBP-0.1").clone();
        let tpath = format!("/api/v1/programmes/LBP/indicators/{}/targets", lbp01["id"]);
        let read = get(&client, &tpath, &manager);
        let mut targets = read["targets"].as_array().unwrap().clone();
        assert!(!targets.is_empty());
        let first = targets[0]["value"].as_f64().unwrap();
        targets[0]["value"] = json!(first + 1.0);
        let changed = answer(call(&client, "PUT", &tpath, &officer, Some(json!({ "version": read["version"], "targets": targets }))), Status::Ok);
        let e = answer(call(&client, "PUT", &tpath, &manager, Some(json!({ "version": read["version"], "targets": read["targets"] }))), Status::Conflict);
        assert_eq!(e["current"]["version"], changed["version"]);
        assert_eq!(e["current"]["targets"][0]["value"].as_f64(), Some(first + 1.0));
        assert!(e["error"]["message"].as_str().unwrap().contains("by officer"), "{e}");

        // Bad input names its fields and writes nothing.
        let before = phases["phases"].as_array().unwrap().len();
        let e = answer(call(&client, "POST", "/api/v1/programmes/LBP/phases", &manager, Some(json!({
            "name": "Phase X", "start_date": "2026-13-01", "end_date": "2027-01-01", "counties": [],
        }))), Status::UnprocessableEntity);
        assert!(e["error"]["fields"]["start_date"].as_str().unwrap().contains("YYYY-MM-DD"), "{e}");
        assert!(e["error"]["fields"]["counties"].is_string(), "{e}");
        assert_eq!(get(&client, "/api/v1/programmes/LBP/phases", &manager)["phases"].as_array().unwrap().len(), before);

        let e = answer(call(&client, "POST", "/api/v1/programmes/LBP/results", &manager, Some(json!({ "level": "outcom", "code": "LBP X", "statement": "" }))), Status::UnprocessableEntity);
        for f in ["level", "code", "statement"] {
            assert!(e["error"]["fields"][f].is_string(), "{f}: {e}");
        }
        let e = answer(call(&client, "POST", "/api/v1/programmes/LBP/indicators", &manager, Some(json!({ "result": "LBP-OP1", "code": "LBP-9.9", "title": ["a", "list"] }))), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "title");
        assert!(e["error"]["message"].as_str().unwrap().contains("a list cannot be read"), "{e}");

        // One bad target among good ones: its index and field, and the set unchanged.
        let read = get(&client, &tpath, &manager);
        let mut targets = read["targets"].as_array().unwrap().clone();
        let n = targets.len();
        targets.push(json!({ "period": "2026Q4", "value": "sixty" }));
        let e = answer(call(&client, "PUT", &tpath, &manager, Some(json!({ "version": read["version"], "targets": targets }))), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], format!("targets[{n}].value"));
        assert_eq!(e["error"]["problems"][0]["index"], n);
        assert_eq!(e["error"]["problems"][0]["field"], "value");
        assert!(e["error"]["message"].as_str().unwrap().contains("sixty"), "{e}");
        assert_eq!(get(&client, &tpath, &manager), read);

        // The version is required on every change; the body must be a JSON object.
        let path = format!("/api/v1/programmes/LBP/phases/{}", phase["id"]);
        let mut no_version = phase.clone();
        no_version.as_object_mut().unwrap().remove("version");
        let e = answer(call(&client, "PUT", &path, &manager, Some(no_version)), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "version");
        let e = answer(call(&client, "DELETE", &path, &manager, None), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "version");
        let e = answer(call(&client, "DELETE", &format!("{path}?version=two"), &manager, None), Status::UnprocessableEntity);
        assert!(e["error"]["message"].as_str().unwrap().contains("'two'"), "{e}");
        let e = answer(call(&client, "PUT", &tpath, &manager, Some(json!({ "targets": [] }))), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "version");
        let e = answer(call(&client, "POST", "/api/v1/programmes/LBP/phases", &manager, Some(json!([1, 2]))), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "body");
        let r = client.post("/api/v1/programmes/LBP/budget").header(Header::new("Authorization", format!("Bearer {manager}"))).header(ContentType::JSON).body("{\"output\": \"LBP-OP1\",\n \"amount\": }").dispatch();
        let e = answer(r, Status::UnprocessableEntity);
        assert!(e["error"]["message"].as_str().unwrap().contains("line 2, column"), "{e}");

        // A second line for the same output and year is refused, naming the one there.
        let budget = get(&client, "/api/v1/programmes/LBP/budget", &manager);
        let line = budget["lines"][0].clone();
        let e = answer(call(&client, "POST", "/api/v1/programmes/LBP/budget", &manager, Some(json!({
            "output": line["output"], "activity": line["activity"], "fiscal_year": line["fiscal_year"], "amount": 1,
        }))), Status::UnprocessableEntity);
        assert!(e["error"]["fields"]["fiscal_year"].as_str().unwrap().contains("already a line"), "{e}");
        assert_eq!(get(&client, "/api/v1/programmes/LBP/budget", &manager), budget);
    }
}

on_both_backends! {
    fn refusals_name_their_reason_and_removing_what_has_data_archives_it(t) {
        let db = t.with_demo();
        let manager = token(&db, "manager");
        let client = t.client(db.clone());
        let (approved_code, county_with_values, lead) = {
            let c = &mut *db.get().unwrap();
            let lbp = programme::by_code(c, "LBP").unwrap();
            let approved = framework::indicators_of(c, lbp.id).unwrap().into_iter()
                .find(|i| i.unit == "count" && values::counts_of_indicator(c, i.id).unwrap().1 > 0)
                .unwrap().code;
            let v = values::of_period(c, lbp.id, "2026Q3").unwrap().remove(0);
            let county = mipaka::models::location::counties(c).unwrap().into_iter().find(|l| l.id == v.location_id).unwrap().code;
            let lead = activity::of_programme(c, lbp.id).unwrap().into_iter().find_map(|a| a.lead_organisation_id).unwrap();
            (approved, county, lead)
        };

        // The unit of an indicator with approved values: refused, offering the honest paths.
        let inds = get(&client, "/api/v1/programmes/LBP/indicators", &manager);
        let ind = find(&inds, "indicators", "code", &approved_code).clone();
        let path = format!("/api/v1/programmes/LBP/indicators/{}", ind["id"]);
        let e = answer(call(&client, "PUT", &path, &manager, Some(as_update(&ind, json!({ "unit": "number" })))), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "unit");
        let msg = e["error"]["fields"]["unit"].as_str().unwrap();
        assert!(msg.contains("approved value"), "{msg}");
        assert!(msg.contains("Record a definition change from a quarter"), "{msg}");
        assert!(msg.contains("create a new indicator that continues this one"), "{msg}");
        let again = get(&client, "/api/v1/programmes/LBP/indicators", &manager);
        assert_eq!(find(&again, "indicators", "code", &approved_code), &ind, "nothing changed");

        // A county with values cannot leave the phase that covers them.
        let phases = get(&client, "/api/v1/programmes/LBP/phases", &manager);
        let phase = phases["phases"].as_array().unwrap().iter()
            .find(|p| p["start_date"].as_str().unwrap() <= "2026-07-01" && p["end_date"].as_str().unwrap() >= "2026-09-30")
            .unwrap().clone();
        let fewer: Vec<Value> = phase["counties"].as_array().unwrap().iter().filter(|c| **c != county_with_values.as_str()).cloned().collect();
        assert!(fewer.len() < phase["counties"].as_array().unwrap().len());
        let e = answer(call(&client, "PUT", &format!("/api/v1/programmes/LBP/phases/{}", phase["id"]), &manager, Some(as_update(&phase, json!({ "counties": fewer })))), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "counties");
        assert!(e["error"]["message"].as_str().unwrap().contains(" values from "), "{e}");
        assert_eq!(get(&client, "/api/v1/programmes/LBP/phases", &manager), phases);

        // A partner leading activities stays.
        let partners = get(&client, "/api/v1/programmes/LBP/partners", &manager);
        let p = partners["partners"].as_array().unwrap().iter().find(|p| p["id"] == lead).unwrap().clone();
        let e = answer(call(&client, "DELETE", &format!("/api/v1/programmes/LBP/partners/{lead}?version={}", p["version"]), &manager, None), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "partner");
        assert!(e["error"]["message"].as_str().unwrap().contains(" leads "), "{e}");
        assert_eq!(get(&client, "/api/v1/programmes/LBP/partners", &manager), partners);

        // An output with live indicators cannot go; an indicator with values is archived.
        let results = get(&client, "/api/v1/programmes/LBP/results", &manager);
        let output = find(&results, "results", "code", ind["result"].as_str().unwrap()).clone();
        let e = answer(call(&client, "DELETE", &format!("/api/v1/programmes/LBP/results/{}?version={}", output["id"], output["version"]), &manager, None), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "result");
        let r = answer(call(&client, "DELETE", &format!("{path}?version={}", ind["version"]), &manager, None), Status::Ok);
        assert_eq!(r["effect"], "archived");
        assert_eq!(r["archived"], true);
        assert!(r["changes"][0].as_str().unwrap().contains(" values"), "{r}");
        let listed = get(&client, "/api/v1/programmes/LBP/indicators", &manager);
        assert_eq!(find(&listed, "indicators", "code", &approved_code)["archived"], true);
        let r = answer(call(&client, "POST", &format!("{path}/restore"), &manager, Some(json!({ "version": r["version"] }))), Status::Ok);
        assert_eq!(r["effect"], "restored");
        assert_eq!(r["archived"], false);

        // An indicator with nothing depending on it is deleted.
        let fresh = answer(call(&client, "POST", "/api/v1/programmes/LBP/indicators", &manager, Some(json!({
            "result": ind["result"], "code": "LBP-9.1", "title": "Joint patrols held", "unit": "count",
            "direction": "higher", "county_rule": "sum", "period_rule": "sum",
        }))), Status::Created);
        let r = answer(call(&client, "DELETE", &format!("/api/v1/programmes/LBP/indicators/{}?version={}", fresh["id"], fresh["version"]), &manager, None), Status::Ok);
        assert_eq!(r, json!({ "id": fresh["id"], "effect": "removed", "changes": [] }));
        let listed = get(&client, "/api/v1/programmes/LBP/indicators", &manager);
        assert!(listed["indicators"].as_array().unwrap().iter().all(|i| i["code"] != "LBP-9.1"));

        // Reordering, from the version read.
        let first = listed["indicators"].as_array().unwrap().iter().find(|i| i["result"] == ind["result"] && i["archived"] == false).unwrap().clone();
        let mpath = format!("/api/v1/programmes/LBP/indicators/{}/move", first["id"]);
        let r = answer(call(&client, "POST", &mpath, &manager, Some(json!({ "direction": "down", "version": first["version"] }))), Status::Ok);
        assert_eq!(r["effect"], "changed");
        assert!(r["changes"][0].as_str().unwrap().starts_with("moved down past "), "{r}");
        answer(call(&client, "POST", &mpath, &manager, Some(json!({ "direction": "up", "version": first["version"] }))), Status::Conflict);
        let e = answer(call(&client, "POST", &mpath, &manager, Some(json!({ "direction": "sideways", "version": r["version"] }))), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "direction");
    }
}

on_both_backends! {
    fn roles_decide_who_sets_a_programme_up(t) {
        let db = t.with_demo();
        account(&db, "outsider", false);
        let [manager, officer, evaluator, donor, outsider, admin] =
            ["manager", "officer", "evaluator", "donor", "outsider", "admin"].map(|u| token(&db, u));
        let client = t.client(db.clone());
        let phase = json!({ "name": "Phase 9", "start_date": "2029-01-01", "end_date": "2029-06-30", "counties": ["Lamu"] });
        let status = |tok: &str, method: &str, path: &str, body: Option<Value>| call(&client, method, path, tok, body).status();

        // Reading the framework: evaluators yes, donors no (as for results today), outsiders see nothing.
        assert_eq!(status(&evaluator, "GET", "/api/v1/programmes/LBP/phases", None), Status::Ok);
        assert_eq!(status(&donor, "GET", "/api/v1/programmes/LBP/phases", None), Status::Forbidden);
        assert_eq!(status(&outsider, "GET", "/api/v1/programmes/LBP/phases", None), Status::NotFound);
        // Setting up: managers and M&E officers; the role is checked before the body.
        for tok in [&evaluator, &donor] {
            assert_eq!(status(tok, "POST", "/api/v1/programmes/LBP/phases", Some(phase.clone())), Status::Forbidden);
            assert_eq!(status(tok, "POST", "/api/v1/programmes/LBP/phases", Some(json!("not even an object"))), Status::Forbidden);
            assert_eq!(status(tok, "DELETE", "/api/v1/programmes/LBP/phases/1", None), Status::Forbidden);
        }
        assert_eq!(status(&outsider, "POST", "/api/v1/programmes/LBP/phases", Some(phase.clone())), Status::NotFound);
        assert_eq!(status(&manager, "POST", "/api/v1/programmes", Some(json!({ "code": "X" }))), Status::Forbidden);
        // Administrators create and close programmes; they set one up only through a role.
        assert_eq!(status(&admin, "POST", "/api/v1/programmes/LBP/phases", Some(phase.clone())), Status::Forbidden);
        assert_eq!(status(&officer, "PUT", "/api/v1/programmes/LBP/status", Some(json!({ "status": "closed", "version": 1 }))), Status::Forbidden);

        let lbp = get(&client, "/api/v1/programmes", &admin)["programmes"].as_array().unwrap().iter().find(|p| p["code"] == "LBP").unwrap().clone();
        let closed = answer(call(&client, "PUT", "/api/v1/programmes/LBP/status", &admin, Some(json!({ "status": "closed", "version": lbp["version"] }))), Status::Ok);
        assert_eq!(closed["status"], "closed");
        assert_eq!(closed["changes"], json!(["status: active → closed"]));
        // A closed programme's framework is read-only, and says why.
        let e = answer(call(&client, "POST", "/api/v1/programmes/LBP/phases", &manager, Some(phase)), Status::Forbidden);
        assert!(e["error"]["message"].as_str().unwrap().contains("LBP is closed: its figures and framework are read-only"), "{e}");
        let e = answer(call(&client, "PUT", "/api/v1/programmes/LBP/status", &admin, Some(json!({ "status": "active", "version": lbp["version"] }))), Status::Conflict);
        assert_eq!(e["current"]["status"], "closed");
        let e = answer(call(&client, "PUT", "/api/v1/programmes/LBP/status", &admin, Some(json!({ "status": "finished", "version": closed["version"] }))), Status::UnprocessableEntity);
        assert_eq!(e["error"]["field"], "status");
        let open = answer(call(&client, "PUT", "/api/v1/programmes/LBP/status", &admin, Some(json!({ "status": "active", "version": closed["version"] }))), Status::Ok);
        assert_eq!(open["status"], "active");
    }
}
