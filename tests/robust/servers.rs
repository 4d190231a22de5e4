//! Several servers on one database (how a deployment grows past one machine): what one
//! server keeps computed is never served after another server changed the data.

use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in, urlencode};
use mipaka::db::Db;
use mipaka::domain::period::Period;
use mipaka::entry::{CellKey, EntryContext};
use mipaka::models::{framework, programme, session, user};

fn api(client: &Client, token: &str, path: &str) -> Value {
    let r = client
        .get(path.to_string())
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch();
    assert_eq!(r.status(), Status::Ok, "GET {path}");
    r.into_json().expect("JSON")
}

fn indicator<'a>(programme: &'a Value, code: &str) -> &'a Value {
    programme["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {programme}"))
}

/// An indicator still being reported in its newest quarter, a county cell of that quarter
/// nobody has submitted yet, the version of its draft if there is one, and a plausible
/// value (the county's previous one).
fn pending_cell(db: &Db, figures: &Value) -> (String, String, CellKey, Option<i32>, f64) {
    let c = &mut *db.get().unwrap();
    let p = programme::by_code(c, "LBP").unwrap();
    for i in figures["indicators"].as_array().unwrap() {
        let Some(period) = i["pending"]["period"].as_str() else {
            continue;
        };
        let ind = framework::indicators_of(c, p.id)
            .unwrap()
            .into_iter()
            .find(|x| x.code == i["code"] && x.unit == "count" && x.disaggregations.is_empty());
        let Some(ind) = ind else { continue };
        let ctx = EntryContext::load(c, p.clone(), Period::parse(period).unwrap()).unwrap();
        for county in ctx.counties() {
            let key = CellKey {
                indicator_id: ind.id,
                location_id: county.id,
                disaggregation: String::new(),
            };
            let value = ctx.previous.get(&key).copied().unwrap_or(10.0).round();
            match ctx.values.get(&key) {
                None => return (ind.code, period.to_string(), key, None, value),
                Some(v) if v.status == "draft" => {
                    return (ind.code, period.to_string(), key, Some(v.version), value)
                }
                _ => {}
            }
        }
    }
    panic!("LBP has a quarter still being reported: {figures}");
}

on_both_backends! {
    fn a_change_through_one_server_is_seen_at_once_through_another(t) {
        let db_a = t.with_demo();
        // A second server: its own connections and its own kept figures.
        let db_b = Db::open(&t.config.database, 2).unwrap();
        let token = {
            let c = &mut *db_a.get().unwrap();
            let u = user::by_username(c, "manager").unwrap().unwrap();
            session::create_token(c, u.id, "two servers", mipaka::clock::now()).unwrap().1
        };
        let a = t.client(db_a.clone());
        let b = t.client(db_b);
        let csrf_a = sign_in(&a, "manager", demo_password("manager"));
        sign_in(&b, "manager", demo_password("manager"));

        // B computes and keeps the dashboard, twice (the second from what it kept).
        let before = api(&b, &token, "/api/v1/programmes/LBP");
        assert_eq!(api(&b, &token, "/api/v1/programmes/LBP"), before);
        let (code, period, key, version, value) = pending_cell(&db_a, &before);
        let counties_before = indicator(&before, &code)["pending"]["counties"].as_i64().unwrap();
        let page = b.get("/programmes/LBP").dispatch().into_string().unwrap();
        assert!(page.contains("Land Border Programme"), "B's dashboard");

        // Through A: a county's value of the quarter being reported, saved and submitted.
        let mut body = format!(
            "csrf={csrf_a}&{}={value}&action=submit",
            urlencode(&format!("v:{}", key.code()))
        );
        if let Some(v) = version {
            body.push_str(&format!("&{}={v}", urlencode(&format!("b:{}", key.code()))));
        }
        let r = a
            .post(format!("/programmes/LBP/entry?period={period}&county=all"))
            .header(ContentType::Form)
            .body(body)
            .dispatch();
        let status = r.status();
        assert_eq!(status, Status::SeeOther, "A saves and submits: {}", r.into_string().unwrap_or_default().split("<main").nth(1).unwrap_or("").chars().take(1500).collect::<String>());

        let after = api(&b, &token, "/api/v1/programmes/LBP");
        let pending = &indicator(&after, &code)["pending"];
        let latest = &indicator(&after, &code)["latest"];
        assert!(
            pending["counties"].as_i64() == Some(counties_before + 1)
                || (pending.is_null() && latest["period"] == period.as_str()),
            "B sees A's submission at once: {code} was {counties_before} counties in {period}, now pending {pending}, latest {latest}"
        );

        // Through A's API: the programme renamed; B's API and page say the new name.
        let list = api(&a, &token, "/api/v1/programmes");
        let mut lbp = list["programmes"].as_array().unwrap().iter().find(|p| p["code"] == "LBP").unwrap().clone();
        lbp["name"] = "Land Border Programme (renamed)".into();
        let r = a
            .put("/api/v1/programmes/LBP")
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .header(ContentType::JSON)
            .body(lbp.to_string())
            .dispatch();
        assert_eq!(r.status(), Status::Ok, "{}", r.into_string().unwrap_or_default());
        assert_eq!(api(&b, &token, "/api/v1/programmes/LBP")["name"], "Land Border Programme (renamed)");
        let page = b.get("/programmes/LBP").dispatch().into_string().unwrap();
        assert!(page.contains("Land Border Programme (renamed)"), "B's dashboard shows the new name");

        // By hand at a SQL prompt, past every server: still seen at once.
        {
            use diesel::connection::SimpleConnection;
            let c = &mut *db_a.get().unwrap();
            c.batch_execute(&format!(
                "UPDATE indicators SET title = 'Retitled at the SQL prompt' WHERE code = '{code}'"
            ))
            .unwrap();
        }
        assert_eq!(
            indicator(&api(&b, &token, "/api/v1/programmes/LBP"), &code)["title"],
            "Retitled at the SQL prompt"
        );
        let page = b.get("/programmes/LBP").dispatch().into_string().unwrap();
        assert!(page.contains("Retitled at the SQL prompt"));
    }
}

on_both_backends! {
    // What the version covers, table by table: each write of what a dashboard is made
    // from moves it, a draft value does not (nobody's figure yet), and other programmes'
    // versions stay as they were.
    fn every_write_to_what_figures_are_made_from_moves_the_programme_version(t) {
        use diesel::connection::SimpleConnection;
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let version = |c: &mut mipaka::db::DbConn, code: &str| programme::by_code(c, code).unwrap().data_version;
        let lbp = programme::by_code(c, "LBP").unwrap();
        let ind = framework::indicators_of(c, lbp.id).unwrap().remove(0);
        let writes = [
            ("the programme row", format!("UPDATE programmes SET description = description || '.' WHERE id = {}", lbp.id), true),
            ("an indicator", format!("UPDATE indicators SET title = title || '.' WHERE id = {}", ind.id), true),
            ("a milestone (target)", format!("UPDATE indicator_targets SET value = value + 1 WHERE id = (SELECT MIN(id) FROM indicator_targets WHERE indicator_id = {})", ind.id), true),
            ("a phase", format!("UPDATE phases SET name = name || '.' WHERE id = (SELECT MIN(id) FROM phases WHERE programme_id = {})", lbp.id), true),
            ("a phase's counties", format!("DELETE FROM phase_counties WHERE phase_id = (SELECT MAX(id) FROM phases WHERE programme_id = {}) AND location_id = (SELECT MAX(location_id) FROM phase_counties WHERE phase_id = (SELECT MAX(id) FROM phases WHERE programme_id = {}))", lbp.id, lbp.id), true),
            ("a result", format!("UPDATE results SET statement = statement || '.' WHERE id = {}", ind.result_id), true),
            ("a programme milestone", format!("UPDATE programme_milestones SET title = title || '.' WHERE programme_id = {}", lbp.id), true),
            ("an activity", format!("UPDATE activities SET title = title || '.' WHERE programme_id = {}", lbp.id), true),
            ("an approved value", format!("UPDATE indicator_values SET value = value + 1 WHERE id = (SELECT MIN(id) FROM indicator_values WHERE indicator_id = {} AND status = 'approved')", ind.id), true),
            ("a value's comment only", format!("UPDATE indicator_values SET comment = 'noted' WHERE id = (SELECT MIN(id) FROM indicator_values WHERE indicator_id = {} AND status = 'approved')", ind.id), false),
            ("a draft value", format!("UPDATE indicator_values SET value = value + 1 WHERE status = 'draft' AND indicator_id IN (SELECT id FROM indicators WHERE programme_id = {})", lbp.id), false),
            ("a county's name", "UPDATE locations SET name = name || '.' WHERE code = '023'".to_string(), true),
        ];
        for (what, sql, moves) in writes {
            let (before, other) = (version(c, "LBP"), version(c, "DW"));
            c.batch_execute(&sql).unwrap();
            let after = version(c, "LBP");
            assert_eq!(after > before, moves, "{what}: version {before} → {after}");
            if !what.contains("county") {
                assert_eq!(version(c, "DW"), other, "{what} leaves Deris Wanaag's version alone");
            }
        }
    }
}
