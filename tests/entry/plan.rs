//! Programme milestones and activities through their forms.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in, urlencode};
use mipaka::db::schema::{activities, audit_log, programme_milestones};

fn post(client: &Client, path: &str, csrf: &str, fields: &[(&str, &str)]) -> (Status, String) {
    let mut body = format!("csrf={csrf}");
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", urlencode(v)));
    }
    let r = client
        .post(path.to_string())
        .header(ContentType::Form)
        .body(body)
        .dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

on_both_backends! {
    fn a_milestone_form_names_each_wrong_field_and_keeps_what_was_typed(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        assert_eq!(client.get("/programmes/LBP/milestones/new").dispatch().status(), Status::Ok);
        let before: i64 = programme_milestones::table.count().get_result(&mut *db.get().unwrap()).unwrap();
        let (status, page) = post(&client, "/programmes/LBP/milestones", &csrf, &[
            ("title", "Garissa CSIC trained in early warning"), ("output", "LBP-OP1.1"), ("county", "007"),
            ("due", "30/09/2026"), ("status", "completed"), ("completed", ""), ("evidence", ""),
        ]);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains("YYYY-MM-DD"), "due date explained");
        assert!(page.contains("say what shows it was done"), "evidence asked for");
        assert!(page.contains("Garissa CSIC trained in early warning"), "typed title kept: {}", page.split("<form").nth(2).unwrap_or(""));
        let after: i64 = programme_milestones::table.count().get_result(&mut *db.get().unwrap()).unwrap();
        assert_eq!(before, after, "nothing saved");

        let (status, _) = post(&client, "/programmes/LBP/milestones", &csrf, &[
            ("title", "Garissa CSIC trained in early warning"), ("output", "LBP-OP1.1"), ("county", "007"),
            ("due", "2026-09-30"), ("status", "completed"), ("completed", "2026-09-28"), ("evidence", "Training report, 28 Sep 2026"),
        ]);
        assert_eq!(status, Status::SeeOther);
        let dashboard = client.get("/programmes/LBP").dispatch().into_string().unwrap();
        assert!(dashboard.contains("saved"), "flash shown");
        let n: i64 = audit_log::table.filter(audit_log::action.eq("milestone_created")).filter(audit_log::actor.eq("manager")).count().get_result(&mut *db.get().unwrap()).unwrap();
        assert_eq!(n, 1);
    }
}

on_both_backends! {
    fn a_stale_milestone_edit_shows_theirs_and_changes_nothing(t) {
        let db = t.with_demo();
        let (id, version, title) = {
            let c = &mut *db.get().unwrap();
            let lbp = mipaka::models::programme::by_code(c, "LBP").unwrap();
            let m = mipaka::models::milestone::of_programme(c, lbp.id).unwrap().into_iter().find(|m| m.status != "completed").unwrap();
            (m.id, m.version, m.title)
        };
        let a = t.client(db.clone());
        let ac = sign_in(&a, "manager", demo_password("manager"));
        let form = a.get(format!("/programmes/LBP/milestones/{id}")).dispatch().into_string().unwrap();
        assert!(form.contains(&format!("name=\"version\" value=\"{version}\"")));
        let v = version.to_string();
        let path = format!("/programmes/LBP/milestones/{id}");
        let fields = |status: &'static str, due: &'static str| vec![("title", title.as_str()), ("due", due), ("status", status), ("version", v.as_str())];
        let (status, _) = post(&a, &path, &ac, &fields("in_progress", "2026-12-31"));
        assert_eq!(status, Status::SeeOther);
        // A second save from the same starting version: a conflict, not an overwrite.
        let (status, page) = post(&a, &path, &ac, &fields("delayed", "2027-03-31"));
        assert_eq!(status, Status::Conflict);
        assert!(page.contains("changed this milestone"), "conflict explained");
        assert!(page.contains("Amina Hassan"), "says who");
        assert!(page.contains("in progress"), "shows theirs");
        let (st, due): (String, chrono::NaiveDate) = programme_milestones::table.find(id).select((programme_milestones::status, programme_milestones::due_date)).first(&mut *db.get().unwrap()).unwrap();
        assert_eq!(st, "in_progress");
        assert_eq!(due.to_string(), "2026-12-31");
    }
}

on_both_backends! {
    fn activities_check_codes_dates_and_money(t) {
        let db = t.with_demo();
        let existing_code: String = {
            let c = &mut *db.get().unwrap();
            let lbp = mipaka::models::programme::by_code(c, "LBP").unwrap();
            mipaka::models::activity::of_programme(c, lbp.id).unwrap()[0].code.clone()
        };
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let (status, page) = post(&client, "/programmes/LBP/activities", &csrf, &[
            ("code", &existing_code), ("title", "Solar power at Lokichoggio post"), ("planned_start", "2026-07-01"), ("planned_end", "2026-06-01"),
            ("status", "in_progress"), ("percent_complete", "30"), ("budget", "£40,000"), ("spend", "12,000.555"),
        ]);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains("already uses the code"), "duplicate code named");
        assert!(page.contains("planned end is before the planned start"));
        assert!(page.contains("is not an amount of money"));
        let (status, page) = post(&client, "/programmes/LBP/activities", &csrf, &[
            ("code", "LBP-NEW-1"), ("title", "Solar power at Lokichoggio post"), ("planned_start", "2026-07-01"), ("planned_end", "2026-12-01"),
            ("status", "in_progress"), ("percent_complete", "30"), ("budget", "£40,000"), ("spend", "12,000.50"), ("county", "023"),
        ]);
        assert_eq!(status, Status::SeeOther, "{}", page.split("fielderr").skip(1).map(|s| &s[..s.len().min(160)]).collect::<Vec<_>>().join(" | "));
        let (budget, spend): (i64, i64) = activities::table.filter(activities::code.eq("LBP-NEW-1")).select((activities::budget_minor, activities::spend_minor)).first(&mut *db.get().unwrap()).unwrap();
        assert_eq!((budget, spend), (4_000_000, 1_200_050));
    }
}
