//! On the demonstration data: refusals that name their reason and write nothing, stale
//! edits that show who saved first, archiving and restoring, closed programmes, and who
//! may reach the setup pages.

use diesel::prelude::*;
use rocket::http::Status;

use super::{get, notice, post, saved};
use crate::on_both_backends;
use crate::support::{demo_password, sign_in};
use mipaka::db::schema::indicator_targets;
use mipaka::models::{framework, programme};

fn lbp(db: &mipaka::db::Db) -> programme::Programme {
    programme::by_code(&mut db.get().unwrap(), "LBP").unwrap()
}

on_both_backends! {
    fn refusals_name_their_reason_and_change_nothing(t) {
        let db = t.with_demo();
        let p = lbp(&db);
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));

        // Taking a county that has values out of its phase.
        let phase2 = programme::phases_of(&mut db.get().unwrap(), p.id).unwrap().into_iter().find(|ph| ph.counties.iter().any(|c| c.name == "Busia")).unwrap();
        let (_, form) = get(&m, &format!("/programmes/LBP/setup/phases/{}", phase2.phase.id));
        assert!(form.contains("value=\"040\" checked"), "Busia ticked");
        let mut fields: Vec<(&str, String)> = vec![
            ("name", phase2.phase.name.clone()), ("start_date", phase2.phase.start_date.to_string()),
            ("end_date", phase2.phase.end_date.to_string()), ("version", phase2.phase.version.to_string()),
        ];
        for c in phase2.counties.iter().filter(|c| c.name != "Busia") {
            fields.push(("counties", c.code.clone()));
        }
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let a = post(&m, &format!("/programmes/LBP/setup/phases/{}", phase2.phase.id), &mc, &f);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("Busia has ") && a.page.contains(" values from "), "names the county and how many values: {}", notice(&a.page));
        let after = programme::phases_of(&mut db.get().unwrap(), p.id).unwrap().into_iter().find(|ph| ph.phase.id == phase2.phase.id).unwrap();
        assert!(after.counties.iter().any(|c| c.name == "Busia") && after.phase.version == phase2.phase.version, "nothing written");

        // Changing the unit of an indicator with approved values.
        let ind = framework::indicator_by_code(&mut db.get().unwrap(), p.id, "LBP-0.1").unwrap();
        let results = framework::results_of(&mut db.get().unwrap(), p.id).unwrap();
        let mut f = mipaka::setup::framework::indicator_fields(&ind, &results);
        f.unit = "number".into();
        let v = ind.version.to_string();
        let key = if f.key == "yes" { "yes" } else { "" };
        let mut body: Vec<(&str, &str)> = vec![
            ("result", &f.result), ("code", &f.code), ("title", &f.title), ("definition", &f.definition),
            ("unit", &f.unit), ("direction", &f.direction), ("county_rule", &f.county_rule), ("period_rule", &f.period_rule),
            ("baseline_value", &f.baseline_value), ("baseline_date", &f.baseline_date), ("end_target", &f.end_target),
            ("end_target_date", &f.end_target_date), ("means_of_verification", &f.means_of_verification),
            ("data_source", &f.data_source), ("key", key), ("version", &v),
        ];
        for d in &f.disaggregations {
            body.push(("disaggregations", d));
        }
        let a = post(&m, &format!("/programmes/LBP/setup/indicators/{}", ind.id), &mc, &body);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("approved value") && a.page.contains("its unit from count to number cannot change"), "{}", notice(&a.page));
        assert!(a.page.contains("Record a definition change from a quarter"), "names the honest paths");
        assert!(a.page.contains("href=\"/programmes/LBP/indicators/LBP-0.1#continuity\""), "links to where continuity records are made");
        let now = framework::indicator_by_code(&mut db.get().unwrap(), p.id, "LBP-0.1").unwrap();
        assert_eq!((now.unit.as_str(), now.version), ("count", ind.version), "nothing written");

        // Removing an output that still has indicators.
        let output = results.iter().find(|r| r.code == "LBP-OP1.1").unwrap();
        let a = post(&m, &format!("/programmes/LBP/setup/results/{}/remove", output.id), &mc, &[("version", &output.version.to_string())]);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("LBP-OP1.1 still has indicator LBP-OP1.1.1 under it"), "{}", notice(&a.page));
        assert!(!framework::find_result(&mut db.get().unwrap(), p.id, output.id).unwrap().archived);

        // Duplicate codes.
        let a = post(&m, "/programmes/LBP/setup/indicators", &mc, &[("result", "LBP-OP1.1"), ("code", "LBP-0.1"), ("title", "Twin"), ("unit", "count"), ("direction", "higher"), ("county_rule", "sum"), ("period_rule", "sum")]);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("LBP already has an indicator LBP-0.1"), "{}", notice(&a.page));
    }
}

on_both_backends! {
    fn a_stale_edit_shows_who_saved_first_and_keeps_what_was_typed(t) {
        let db = t.with_demo();
        let p = lbp(&db);
        let all = framework::results_of(&mut db.get().unwrap(), p.id).unwrap();
        let output = all.iter().find(|r| r.code == "LBP-OP1.1").unwrap().clone();
        let path = format!("/programmes/LBP/setup/results/{}", output.id);
        let v = output.version.to_string();
        let stored = mipaka::setup::framework::result_fields(&output, &all);
        let fields = |statement: &'static str| -> Vec<(&'static str, String)> {
            vec![
                ("level", "output".into()), ("code", "LBP-OP1.1".into()), ("statement", statement.into()),
                ("parent", stored.parent.clone()), ("impact_weighting", stored.impact_weighting.clone()),
                ("risk_rating", stored.risk_rating.clone()), ("assumptions", stored.assumptions.clone()), ("version", v.clone()),
            ]
        };
        let as_refs = |f: &[(&'static str, String)]| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();

        let officer = t.client(db.clone());
        let oc = sign_in(&officer, "officer", demo_password("officer"));
        let manager = t.client(db.clone());
        let mc = sign_in(&manager, "manager", demo_password("manager"));
        let (_, form) = get(&manager, &path);
        assert!(form.contains(&format!("name=\"version\" value=\"{v}\"")));

        let f = as_refs(&fields("Officers trained and certified"));
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        saved(&officer, &path, &oc, &f);
        let f = as_refs(&fields("Officers of all three agencies trained"));
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let a = post(&manager, &path, &mc, &f);
        assert_eq!(a.status, Status::Conflict);
        assert!(a.page.contains("Peter Ekai") && a.page.contains("changed this result"), "says who saved first: {}", notice(&a.page));
        assert!(a.page.contains("Officers trained and certified"), "shows theirs");
        assert!(a.page.contains("Officers of all three agencies trained"), "keeps mine");
        let now = framework::find_result(&mut db.get().unwrap(), p.id, output.id).unwrap();
        assert_eq!(now.statement, "Officers trained and certified", "theirs stands");
        assert!(a.page.contains(&format!("name=\"version\" value=\"{}\"", now.version)), "saving again replaces theirs deliberately");
        // A button pressed on a page loaded before their change: refused, naming them.
        let a = post(&manager, &format!("{path}/move"), &mc, &[("dir", "down"), ("version", &v)]);
        assert_eq!(a.status, Status::Conflict);
        assert!(a.page.contains("Peter Ekai (demo ministry M&E officer) changed output LBP-OP1.1"), "{}", notice(&a.page));
        assert_eq!(framework::find_result(&mut db.get().unwrap(), p.id, output.id).unwrap().position, now.position, "not moved");

        // Interim targets: the same cell changed by both.
        let ind = framework::indicator_by_code(&mut db.get().unwrap(), p.id, "LBP-0.1").unwrap();
        let targets = format!("/programmes/LBP/setup/indicators/{}/targets", ind.id);
        let (_, grid) = get(&manager, &targets);
        let stored: (i32, f64) = indicator_targets::table.filter(indicator_targets::indicator_id.eq(ind.id)).filter(indicator_targets::period.eq("2026Q3")).filter(indicator_targets::location_id.is_null()).filter(indicator_targets::disaggregation.eq("")).select((indicator_targets::version, indicator_targets::value)).first(&mut *db.get().unwrap()).unwrap();
        assert!(grid.contains(&format!("name=\"b:2026Q3::\" value=\"{}\"", stored.0)), "each cell carries its version");
        let loaded = crate::support::input_value(&grid, "o:2026Q3::").unwrap();
        let b = stored.0.to_string();
        let a = post(&officer, &targets, &oc, &[("t:2026Q3::", "11"), ("b:2026Q3::", &b), ("o:2026Q3::", &loaded)]);
        assert_eq!(a.status, Status::SeeOther);
        let a = post(&manager, &targets, &mc, &[("t:2026Q3::", "13"), ("b:2026Q3::", &b), ("o:2026Q3::", &loaded)]);
        assert_eq!(a.status, Status::Conflict);
        assert!(a.page.contains("Peter Ekai (demo ministry M&E officer) changed these targets"), "{}", notice(&a.page));
        assert!(a.page.contains("Saved now: <strong>11</strong>") && a.page.contains("value=\"13\""), "theirs beside mine: {}", &a.page[a.page.find("t:2026Q3::").unwrap_or(0)..][..600]);
        let value: f64 = indicator_targets::table.filter(indicator_targets::indicator_id.eq(ind.id)).filter(indicator_targets::period.eq("2026Q3")).filter(indicator_targets::location_id.is_null()).filter(indicator_targets::disaggregation.eq("")).select(indicator_targets::value).first(&mut *db.get().unwrap()).unwrap();
        assert_eq!(value, 11.0, "not overwritten");
    }
}

on_both_backends! {
    fn archiving_keeps_history_and_closing_makes_it_read_only(t) {
        let db = t.with_demo();
        let p = lbp(&db);
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));

        // An indicator with values is archived, not deleted, and can be restored.
        let ind = framework::indicator_by_code(&mut db.get().unwrap(), p.id, "LBP-0.2").unwrap();
        let page = saved(&m, &format!("/programmes/LBP/setup/indicators/{}/remove", ind.id), &mc, &[("version", &ind.version.to_string())]);
        assert!(page.contains("Indicator LBP-0.2 archived, not deleted"), "{}", notice(&page));
        assert!(page.contains("kept for history"));
        let now = framework::indicator_by_code(&mut db.get().unwrap(), p.id, "LBP-0.2").unwrap();
        assert!(now.archived);
        assert!(page.contains(&format!("/programmes/LBP/setup/indicators/{}/restore", ind.id)), "listed under Archived with a restore button");
        let page = saved(&m, &format!("/programmes/LBP/setup/indicators/{}/restore", ind.id), &mc, &[("version", &now.version.to_string())]);
        assert!(page.contains("Indicator LBP-0.2 restored"), "{}", notice(&page));
        assert!(!framework::indicator_by_code(&mut db.get().unwrap(), p.id, "LBP-0.2").unwrap().archived);

        // The administrator closes the programme: its setup is read-only, saying why.
        let admin = t.client(db.clone());
        let ac = sign_in(&admin, "admin", demo_password("admin"));
        let v = lbp(&db).version.to_string();
        let a = post(&admin, "/admin/programmes/LBP/status", &ac, &[("status", "closed"), ("version", &v)]);
        assert_eq!(a.status, Status::SeeOther, "{}", notice(&a.page));
        let (_, list) = get(&admin, "/admin/programmes");
        assert!(list.contains("LBP is now closed"), "flash");
        // A second click from the same page is stale: it names who changed it.
        let a = post(&admin, "/admin/programmes/LBP/status", &ac, &[("status", "archived"), ("version", &v)]);
        assert_eq!(a.status, Status::Conflict);
        assert!(a.page.contains("Demo Administrator changed LBP") && a.page.contains("now <strong>closed</strong>"), "{}", notice(&a.page));
        assert_eq!(lbp(&db).status, "closed");

        let (_, setup) = get(&m, "/programmes/LBP/setup");
        assert!(setup.contains("Read-only.") && setup.contains("LBP is closed"), "says why");
        assert!(!setup.contains("Add a phase") && !setup.contains("Edit details"), "no forms");
        let a = post(&m, "/programmes/LBP/setup/phases", &mc, &[("name", "Phase 3"), ("start_date", "2027-01-01"), ("end_date", "2027-06-30"), ("counties", "023")]);
        assert_eq!(a.status, Status::Forbidden);
        assert!(a.page.contains("LBP is closed: its figures and framework are read-only"), "{}", notice(&a.page));

        // Archived: off everyone's home page, still under the administrator's programmes.
        let v = lbp(&db).version.to_string();
        saved(&admin, "/admin/programmes/LBP/status", &ac, &[("status", "archived"), ("version", &v)]);
        let (_, home) = get(&m, "/");
        assert!(!home.contains("href=\"/programmes/LBP\""), "archived programmes leave the home page");
        assert!(home.contains("href=\"/programmes/DW\""), "the others stay");
        let (_, list) = get(&admin, "/admin/programmes");
        assert!(list.contains("href=\"/programmes/LBP/setup\"") && list.contains("<strong>archived</strong>"));
        let v = lbp(&db).version.to_string();
        saved(&admin, "/admin/programmes/LBP/status", &ac, &[("status", "active"), ("version", &v)]);
        let (_, home) = get(&m, "/");
        assert!(home.contains("href=\"/programmes/LBP\""), "reopened");
    }
}

on_both_backends! {
    fn evaluators_donors_and_outsiders_cannot_reach_the_setup_pages(t) {
        let db = t.with_demo();
        let ind = framework::indicator_by_code(&mut db.get().unwrap(), lbp(&db).id, "LBP-0.1").unwrap();
        for (who, want) in [("evaluator", Status::Forbidden), ("donor", Status::Forbidden)] {
            let c = t.client(db.clone());
            let csrf = sign_in(&c, who, demo_password(who));
            for path in ["/programmes/LBP/setup".to_string(), "/programmes/LBP/setup/details".into(), format!("/programmes/LBP/setup/indicators/{}/targets", ind.id)] {
                assert_eq!(get(&c, &path).0, want, "{who} {path}");
            }
            let a = post(&c, "/programmes/LBP/setup/categories", &csrf, &[("label", "Age"), ("options", "Young\nOld")]);
            assert_eq!(a.status, want, "{who} may not change it");
            let (_, dash) = get(&c, "/programmes/LBP");
            assert!(!dash.contains("Set up programme"), "{who} is not offered the set-up");
            let (_, home) = get(&c, "/programmes/new");
            assert!(!home.contains("Create programme"), "{who}");
        }
        let c = t.client(db.clone());
        let _ = sign_in(&c, "manager", demo_password("manager"));
        assert_eq!(get(&c, "/programmes/new").0, Status::Forbidden, "only administrators create programmes");
        assert_eq!(get(&c, "/admin/programmes").0, Status::Forbidden);
    }
}
