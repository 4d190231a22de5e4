//! Sensitive figures and the public file: a manager sets an indicator internal on the
//! publication page (audited, checked, never over a newer version); the file then leaves it
//! out, withholds a small county figure with its complement, and the preview says so.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};

use crate::on_both_backends;
use crate::support::{demo_password, sign_in};
use mipaka::db::schema::{audit_log, indicator_values, indicators, locations};
use mipaka::iati::{assemble, rules, xml};
use mipaka::models::programme;

fn indicator(c: &mut mipaka::db::DbConn, code: &str) -> (i32, i32, String) {
    indicators::table
        .filter(indicators::code.eq(code))
        .select((indicators::id, indicators::version, indicators::title))
        .first(c)
        .unwrap()
}

on_both_backends! {
    fn an_internal_indicator_and_a_small_county_figure_stay_out_of_the_public_file(t) {
        let db = t.with_demo();
        let m = t.client(db.clone());
        let csrf = sign_in(&m, "manager", demo_password("manager"));
        let (id, version, title) = indicator(&mut db.get().unwrap(), "LBP-2.1");
        let page = m.get("/programmes/LBP/setup/publication").dispatch().into_string().unwrap();
        assert!(page.contains("LBP-2.1") && page.contains("Who sees each indicator"), "{page}");

        // A threshold that is not a number: said at its field, nothing written.
        let post = |body: String| {
            m.post(format!("/programmes/LBP/setup/publication/{id}"))
                .header(ContentType::Form)
                .body(format!("csrf={csrf}&{body}"))
                .dispatch()
        };
        let r = post(format!("version={version}&publication_level=public&small_number_rule=withhold&small_number_below=five"));
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let html = r.into_string().unwrap();
        assert!(html.contains("&#x27;five&#x27; is not a whole number") || html.contains("'five' is not a whole number"), "{html}");
        assert_eq!(indicator(&mut db.get().unwrap(), "LBP-2.1").1, version, "nothing was written");

        // Internal: saved and audited with before and after.
        let r = post(format!("version={version}&publication_level=internal&small_number_rule=none&small_number_below="));
        assert_eq!(r.status(), Status::SeeOther);
        let c = &mut *db.get().unwrap();
        let (before, after): (Option<String>, Option<String>) = audit_log::table
            .filter(audit_log::action.eq("indicator_publication_changed"))
            .select((audit_log::before_json, audit_log::after_json))
            .first(c)
            .unwrap();
        assert!(before.unwrap().contains("\"public\"") && after.unwrap().contains("\"internal\""));
        // The version they loaded is gone: a second save from it is a conflict, not an overwrite.
        let r = post(format!("version={version}&publication_level=public&small_number_rule=none&small_number_below="));
        assert_eq!(r.status(), Status::Conflict);
        assert_eq!(indicators::table.find(id).select(indicators::publication_level).first::<String>(c).unwrap(), "internal");

        // LBP-1.1 is public with "fewer than 5". Its counties' approved 2026Q2 figures become
        // 20, 21, … (the demo's own are mostly below 5), then the first county's 3.
        let ids: Vec<i32> = indicator_values::table
            .inner_join(indicators::table)
            .inner_join(locations::table)
            .filter(indicators::code.eq("LBP-1.1"))
            .filter(indicator_values::period.eq("2026Q2"))
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::status.eq("approved"))
            .order(locations::code)
            .select(indicator_values::id)
            .load(c)
            .unwrap();
        assert!(ids.len() >= 3, "{ids:?}");
        for (n, vid) in ids.iter().enumerate() {
            diesel::update(indicator_values::table.find(vid))
                .set(indicator_values::value.eq(20.0 + n as f64))
                .execute(c)
                .unwrap();
        }
        let (value_id, county, county_name): (i32, String, String) = indicator_values::table
            .inner_join(indicators::table)
            .inner_join(locations::table)
            .filter(indicators::code.eq("LBP-1.1"))
            .filter(indicator_values::period.eq("2026Q2"))
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::status.eq("approved"))
            .order(locations::code)
            .select((indicator_values::id, locations::code, locations::name))
            .first(c)
            .unwrap();
        diesel::update(indicator_values::table.find(value_id))
            .set(indicator_values::value.eq(3.0))
            .execute(c)
            .unwrap();

        let p = programme::by_code(c, "LBP").unwrap();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let a = assemble::activity(c, &p, "https://mipaka.example", now).unwrap();
        assert_eq!(rules::check(&a, now), vec![]);
        let text = xml::write(&a);
        let file = t.dir.path().join("LBP.xml");
        std::fs::write(&file, &text).unwrap();
        crate::iati::xmllint(&file).unwrap();
        assert!(!text.contains("LBP-2.1") && !text.contains(&title), "an internal indicator never reaches the file");
        assert!(!text.contains("LBP-0.1"), "a partners indicator is not public");

        let ind = a.results.iter().flat_map(|r| &r.indicators).find(|i| i.code == "LBP-1.1").unwrap();
        let q2 = ind.periods.iter().find(|p| p.start == chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).unwrap();
        let place = format!("KE-KNBS-{county}");
        assert!(q2.actuals.iter().all(|a| a.location.as_deref() != Some(place.as_str())), "the small figure is withheld");
        assert!(q2.actuals.iter().all(|a| a.value != 3.0 || a.location.is_none()));
        let total = q2.actuals.iter().find(|a| a.location.is_none() && a.dimension.is_none()).unwrap();
        let shown: f64 = q2.actuals.iter().filter(|a| a.location.is_some()).map(|a| a.value).sum();
        let all: f64 = indicator_values::table
            .inner_join(indicators::table)
            .filter(indicators::code.eq("LBP-1.1"))
            .filter(indicator_values::period.eq("2026Q2"))
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::status.eq("approved"))
            .select(indicator_values::value)
            .load::<f64>(c)
            .unwrap()
            .iter()
            .sum();
        assert_eq!(total.value, all, "the total is published");
        // With one county hidden, a second is withheld so the first is not total − the rest.
        let counties_shown = q2.actuals.iter().filter(|a| a.location.is_some()).count();
        let counties_all: i64 = indicator_values::table
            .inner_join(indicators::table)
            .filter(indicators::code.eq("LBP-1.1"))
            .filter(indicator_values::period.eq("2026Q2"))
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::status.eq("approved"))
            .count()
            .get_result(c)
            .unwrap();
        assert_eq!(counties_shown as i64, counties_all - 2);
        assert_eq!(total.value - shown, 3.0 + 21.0, "the figure and its complement (the next smallest, 21)");
        let small: Vec<_> = a.withheld.iter().filter(|w| w.indicator == "LBP-1.1" && w.period == mipaka::domain::period::Period::parse("2026Q2").unwrap().label()).collect();
        assert_eq!(small.len(), 2, "{small:?}");
        assert!(small.iter().any(|w| w.county.as_deref() == Some(county_name.as_str()) && w.shown_as == "fewer than 5"));
        assert!(a.withheld.iter().any(|w| w.indicator == "LBP-2.1" && w.county.is_none()));

        // The preview lists both, with why.
        let page = m.get("/programmes/LBP/iati").dispatch().into_string().unwrap();
        assert!(page.contains("Kept out of the public file"), "{page}");
        assert!(page.contains("publication level internal"));
        assert!(page.contains(&county_name) && page.contains("below 5"));

        // 2026Q1: one county approved, at 2, the others only submitted. The quarter is not
        // complete, so there is no programme figure, and the one county's 2 is withheld:
        // nothing of the quarter is published. (Where a phase has one county, the
        // programme figure is that county's and goes with it: figures::shared's tests.)
        let q1: Vec<i32> = indicator_values::table
            .inner_join(indicators::table)
            .inner_join(locations::table)
            .filter(indicators::code.eq("LBP-1.1"))
            .filter(indicator_values::period.eq("2026Q1"))
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::status.eq("approved"))
            .order(locations::code)
            .select(indicator_values::id)
            .load(c)
            .unwrap();
        assert!(q1.len() >= 2);
        diesel::update(indicator_values::table.find(q1[0])).set(indicator_values::value.eq(2.0)).execute(c).unwrap();
        diesel::update(indicator_values::table.filter(indicator_values::id.eq_any(&q1[1..])))
            .set(indicator_values::status.eq("submitted"))
            .execute(c)
            .unwrap();
        let a = assemble::activity(c, &p, "https://mipaka.example", now).unwrap();
        assert_eq!(rules::check(&a, now), vec![]);
        let ind = a.results.iter().flat_map(|r| &r.indicators).find(|i| i.code == "LBP-1.1").unwrap();
        let q1 = ind.periods.iter().find(|p| p.start == chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert!(q1.is_none_or(|p| p.actuals.is_empty()), "{q1:?}");
    }
}

on_both_backends! {
    fn the_api_sets_a_level_with_its_version_and_names_a_bad_field(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let token = crate::api::token(&db, "manager");
        let (id, version, _) = indicator(&mut db.get().unwrap(), "LBP-1.2");
        let put = |body: String| {
            client
                .put(format!("/api/v1/programmes/LBP/indicators/{id}/publication"))
                .header(ContentType::JSON)
                .header(rocket::http::Header::new("Authorization", format!("Bearer {token}")))
                .body(body)
                .dispatch()
        };
        let r = put(format!(r#"{{"publication_level": "secret", "version": {version}}}"#));
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("publication_level"));
        let r = put(format!(r#"{{"publication_level": "partners", "small_number_rule": "withhold", "small_number_below": 10, "version": {version}}}"#));
        assert_eq!(r.status(), Status::Ok);
        let v: serde_json::Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
        assert_eq!(v["publication_level"], "partners");
        assert_eq!(v["small_number_rule"], "withhold");
        assert_eq!(v["small_number_below"], 10);
        let r = put(format!(r#"{{"publication_level": "public", "version": {version}}}"#));
        assert_eq!(r.status(), Status::Conflict);
    }
}
