//! Setting up a programme through the setup service: a whole programme from nothing,
//! the guards (each refusal names its reason and writes nothing), archiving, stale
//! versions, closed programmes, and the demonstration's own set-up applied again.

use diesel::prelude::*;

use crate::on_both_backends;
use crate::support::demo_day;
use mipaka::db::schema::{audit_log, indicators, phases, programmes};
use mipaka::db::DbConn;
use mipaka::domain::period::Period;
use mipaka::domain::setup::*;
use mipaka::entry::{self, CellInput, CellKey, EntryContext, Mode};
use mipaka::error::AppError;
use mipaka::models::audit::Actor;
use mipaka::models::{framework, programme, user};
use mipaka::setup::logframe::{self, Apply, Destination};
use mipaka::setup::{self as setup_service, target, Effect, FieldErrors, Saved};

fn actor(c: &mut DbConn, name: &str) -> Actor {
    let u = user::by_username(c, name).unwrap().unwrap();
    Actor {
        user_id: Some(u.id),
        name: u.username,
    }
}

fn audit_rows(c: &mut DbConn) -> i64 {
    audit_log::table.count().get_result(c).unwrap()
}

fn done<T: std::fmt::Debug>(s: Saved<T>) -> setup_service::Done {
    match s {
        Saved::Done(d) => d,
        other => panic!("expected a save, got {other:?}"),
    }
}

fn refused<T: std::fmt::Debug>(s: Saved<T>) -> FieldErrors {
    match s {
        Saved::Invalid(e) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn how(mode: Mode) -> Apply<'static> {
    Apply {
        mode,
        expect_plan: None,
        today: demo_day(),
        now: mipaka::clock::now(),
    }
}

on_both_backends! {
    fn a_programme_is_built_from_nothing_and_a_second_save_changes_nothing(t) {
        let db = t.prepare();
        let c = &mut *db.get().unwrap();
        let admin = user::create(c, &user::NewAccount { username: "root", display_name: "Admin", email: "", password: "admin-password-1", is_admin: true }).unwrap();
        let mgr = user::create(c, &user::NewAccount { username: "wanjiku", display_name: "Wanjiku", email: "", password: "manager-password", is_admin: false }).unwrap();
        let admin = Actor { user_id: Some(admin.id), name: admin.username };
        let now = mipaka::clock::now();
        let fields = ProgrammeFields {
            code: "bsp".into(), name: "Border Security Partnership".into(), currency: "KES".into(),
            start_date: "2025-07-01".into(), end_date: "2028-06-30".into(), funder: "UK FCDO".into(),
            ..Default::default()
        };
        let id = done(setup_service::programme::create(c, &admin, &fields, Some(mgr.id), false, now).unwrap()).id;
        let p = programme::find(c, id).unwrap();
        assert_eq!((p.code.as_str(), p.status.as_str(), p.reporting_frequency.as_str()), ("BSP", "active", "quarterly"));
        assert_eq!(user::roles_of(c, mgr.id).unwrap(), vec![("BSP".to_string(), "manager".to_string())]);
        // The same code again is refused, naming the programme that has it.
        let e = refused(setup_service::programme::create(c, &admin, &fields, None, false, now).unwrap());
        assert!(e["code"].contains("Border Security Partnership"), "{e:?}");

        let m = Actor { user_id: Some(mgr.id), name: mgr.username.clone() };
        let phase = PhaseFields { name: "Phase 1".into(), start_date: "2025-07-01".into(), end_date: "2026-06-30".into(), counties: vec!["Turkana".into(), "009".into(), "wajir".into()] };
        let ph = done(setup_service::phase::save(c, &m, &p, None, &phase).unwrap());
        assert_eq!(ph.effect, Effect::Created);
        let again = done(setup_service::phase::save(c, &m, &p, Some((ph.id, 1)), &phase).unwrap());
        assert_eq!(again.effect, Effect::Unchanged, "same phase saved again changes nothing");
        let overlap = PhaseFields { name: "Phase 2".into(), start_date: "2026-06-01".into(), end_date: "2027-06-30".into(), counties: vec!["040".into()] };
        let e = refused(setup_service::phase::save(c, &m, &p, None, &overlap).unwrap());
        assert!(e["start_date"].contains("overlaps 'Phase 1'"), "{e:?}");

        let partner = PartnerFields { code: "IOM".into(), name: "International Organization for Migration".into(), iati_type: "40".into(), roles: vec!["extending".into(), "4".into()], ..Default::default() };
        done(setup_service::partner::save(c, &m, &p, None, &partner).unwrap());
        let cat = CategoryFields { label: "Sex".into(), options: "female = Female\nmale = Male".into(), ..Default::default() };
        done(setup_service::category::save(c, &m, &p, None, &cat).unwrap());

        let result = |level: &str, code: &str, parent: &str, w: &str| ResultFields { level: level.into(), code: code.into(), statement: format!("{code} statement"), parent: parent.into(), impact_weighting: w.into(), ..Default::default() };
        done(setup_service::framework::save_result(c, &m, &p, None, &result("impact", "BSP-I", "", "")).unwrap());
        done(setup_service::framework::save_result(c, &m, &p, None, &result("outcome", "BSP-OC1", "BSP-I", "")).unwrap());
        done(setup_service::framework::save_result(c, &m, &p, None, &result("output", "BSP-OP1", "BSP-OC1", "60")).unwrap());
        done(setup_service::framework::save_result(c, &m, &p, None, &result("output", "BSP-OP2", "BSP-OC1", "30")).unwrap());
        let results = framework::results_of(c, p.id).unwrap();
        let problem = setup_service::framework::weighting_problem(&results).unwrap();
        assert!(problem.contains("add up to 90%, not 100%"), "{problem}");
        // An output directly under the impact is refused: it contributes to an outcome.
        let e = refused(setup_service::framework::save_result(c, &m, &p, None, &result("output", "BSP-OP3", "BSP-I", "10")).unwrap());
        assert!(e["parent"].contains("contributes to an outcome"), "{e:?}");

        let ind = IndicatorFields {
            result: "BSP-OP1".into(), code: "BSP-1.1".into(), title: "Average days to share an alert".into(),
            unit: "number".into(), direction: "lower".into(), county_rule: "mean".into(), period_rule: "mean".into(),
            baseline_value: "4.5".into(), baseline_date: "2025-06-30".into(), end_target: "2.5".into(),
            key: "yes".into(), ..Default::default()
        };
        let iid = done(setup_service::framework::save_indicator(c, &m, &p, None, &ind).unwrap()).id;
        let e = refused(setup_service::framework::save_indicator(c, &m, &p, None, &IndicatorFields { code: "BSP-1.2".into(), disaggregations: vec!["age".into()], ..ind.clone() }).unwrap());
        assert!(e["disaggregations"].contains("add it under Disaggregations"), "{e:?}");
        let stored = framework::find_indicator(c, p.id, iid).unwrap();
        let edits: Vec<target::TargetEdit> = [("2025Q3", "", "4.2"), ("2025Q4", "", "4"), ("2026S1", "", "3.5"), ("2025July", "", "3.8"), ("2025Q4", "Turkana", "3")]
            .iter()
            .map(|(period, county, value)| target::TargetEdit { fields: TargetFields { indicator: "BSP-1.1".into(), period: (*period).into(), county: (*county).into(), value: (*value).into(), ..Default::default() }, base_version: None })
            .collect();
        match target::set_targets(c, &m, &p, &stored, &edits, true).unwrap() {
            target::TargetsSaved::Done(d) => assert_eq!(d.changes.len(), 5, "{:?}", d.changes),
            other => panic!("{other:?}"),
        }
        let bad = vec![target::TargetEdit { fields: TargetFields { indicator: "BSP-1.1".into(), period: "202509".into(), value: "sixty".into(), ..Default::default() }, base_version: None }];
        match target::set_targets(c, &m, &p, &stored, &bad, false).unwrap() {
            target::TargetsSaved::Invalid(problems) => {
                let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
                assert_eq!(fields, ["period", "value"], "{problems:?}");
                assert!(problems[0].message.contains("per quarter"));
                assert_eq!(problems[1].message, "'sixty' is not a number");
            }
            other => panic!("{other:?}"),
        }
        let budget = BudgetFields { output: "BSP-OP1".into(), fiscal_year: "2025/26".into(), amount: "KSh 1,250,000".into(), ..Default::default() };
        done(setup_service::budget::save(c, &m, &p, None, &budget).unwrap());
        let e = refused(setup_service::budget::save(c, &m, &p, None, &budget).unwrap());
        assert!(e["fiscal_year"].contains("already a line for BSP-OP1 in 2025/26"), "{e:?}");

        // The whole set-up exported and applied again changes nothing and writes no audit row.
        let fresh = programme::find(c, p.id).unwrap();
        let doc = logframe::export(c, &fresh).unwrap();
        let before = audit_rows(c);
        let mut fixed = doc.clone();
        if let Some(r) = fixed.results.iter_mut().find(|r| r.fields.code == "BSP-OP2") {
            r.fields.impact_weighting = "40".into();
        }
        let report = logframe::apply(c, &m, Destination::Existing(p.id), &fixed, how(Mode::Write)).unwrap();
        assert!(report.is_clean(), "{:?}", report.problems);
        assert_eq!(report.changes().count(), 1, "only the weighting changes: {:?}", report.changes().collect::<Vec<_>>());
        let fresh = programme::find(c, p.id).unwrap();
        let doc = logframe::export(c, &fresh).unwrap();
        let mid = audit_rows(c);
        assert_eq!(mid, before + 1);
        let report = logframe::apply(c, &m, Destination::Existing(p.id), &doc, how(Mode::Write)).unwrap();
        assert_eq!(report.changes().count(), 0, "{:?}", report.changes().collect::<Vec<_>>());
        assert_eq!(audit_rows(c), mid, "nothing written, nothing audited");
    }
}

on_both_backends! {
    fn the_demonstration_set_up_applied_again_changes_nothing(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let m = actor(c, "manager");
        for code in ["DW", "LBP", "KE-UK-MOU"] {
            let Ok(p) = programme::by_code(c, code) else { continue };
            let doc = logframe::export(c, &p).unwrap();
            let before = audit_rows(c);
            let report = logframe::apply(c, &m, Destination::Existing(p.id), &doc, how(Mode::Write)).unwrap();
            assert!(report.is_clean(), "{code}: {:?}", report.problems);
            assert_eq!(report.changes().count(), 0, "{code}: {:?}", report.changes().take(5).collect::<Vec<_>>());
            assert!(report.count(Effect::Unchanged) > 40, "{code}: {}", report.summary());
            assert_eq!(audit_rows(c), before, "{code}");
        }
        // The demonstration's own loader and the export agree.
        let lbp = programme::by_code(c, "LBP").unwrap();
        let exported = logframe::export(c, &lbp).unwrap();
        let content = mipaka::seed::content::PROGRAMMES.iter().find(|p| p.code == "LBP").unwrap();
        let loaded = mipaka::seed::logframe_of(content).unwrap();
        assert_eq!(exported.indicators.len(), loaded.indicators.len());
        assert_eq!(exported.targets.len(), loaded.targets.len());
        assert_eq!(exported.budget.len(), loaded.budget.len());
    }
}

on_both_backends! {
    fn how_approved_figures_are_read_cannot_change(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let m = actor(c, "manager");
        let p = programme::by_code(c, "LBP").unwrap();
        let results = framework::results_of(c, p.id).unwrap();
        let ind = framework::indicators_of(c, p.id).unwrap().into_iter().find(|i| i.unit == "count" && i.period_aggregation == "sum").unwrap();
        let f = setup_service::framework::indicator_fields(&ind, &results);
        let before = audit_rows(c);
        let e = refused(setup_service::framework::save_indicator(c, &m, &p, Some((ind.id, ind.version)), &IndicatorFields { unit: "number".into(), period_rule: "latest".into(), ..f.clone() }).unwrap());
        assert!(e["unit"].contains("approved values, so its unit from count to number cannot change"), "{e:?}");
        assert!(e["unit"].contains("definition change from a quarter") && e["unit"].contains("continues this one"));
        assert!(e.contains_key("period_rule"));
        assert_eq!(framework::find_indicator(c, p.id, ind.id).unwrap().unit, "count", "nothing written");
        assert_eq!(audit_rows(c), before);
        // What does not change how figures are read may change: the title and baseline.
        let d = done(setup_service::framework::save_indicator(c, &m, &p, Some((ind.id, ind.version)), &IndicatorFields { title: format!("{} (revised)", f.title), ..f.clone() }).unwrap());
        assert_eq!(d.effect, Effect::Changed);
        assert!(d.changes[0].starts_with("title:"), "{:?}", d.changes);
        // The version it was loaded at is now stale: a second save is not applied.
        match setup_service::framework::save_indicator(c, &m, &p, Some((ind.id, ind.version)), &IndicatorFields { title: "Someone else's title".into(), ..f }).unwrap() {
            Saved::Stale(now) => assert!(now.title.ends_with("(revised)")),
            other => panic!("expected stale, got {other:?}"),
        }
    }
}

on_both_backends! {
    fn phases_keep_every_entered_value_covered(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let m = actor(c, "manager");
        let p = programme::by_code(c, "LBP").unwrap();
        let phases = programme::phases_of(c, p.id).unwrap();
        let last = phases.last().unwrap().clone();
        let mut counties: Vec<String> = last.counties.iter().map(|l| l.code.clone()).collect();
        let dropped = last.counties[0].name.clone();
        counties.remove(0);
        let f = PhaseFields { name: last.phase.name.clone(), start_date: last.phase.start_date.to_string(), end_date: last.phase.end_date.to_string(), counties };
        let e = refused(setup_service::phase::save(c, &m, &p, Some((last.phase.id, last.phase.version)), &f).unwrap());
        assert!(e["counties"].starts_with(&format!("{dropped} has ")) && e["counties"].contains("values from"), "{e:?}");
        let n: i64 = phases::table.filter(phases::programme_id.eq(p.id)).count().get_result(c).unwrap();
        let e = refused(setup_service::phase::delete(c, &m, &p, last.phase.id, last.phase.version).unwrap());
        assert!(e["phase"].contains("cannot be removed"), "{e:?}");
        let after: i64 = phases::table.filter(phases::programme_id.eq(p.id)).count().get_result(c).unwrap();
        assert_eq!(n, after);
        // A partner that leads activities stays until they have another lead.
        let (_, lead) = mipaka::models::organisation::partners_of(c, p.id).unwrap().into_iter().find(|(r, _)| r == "extending").unwrap();
        let e = refused(setup_service::partner::remove(c, &m, &p, lead.id).unwrap());
        assert!(e["partner"].contains("give them another lead first") || e["partner"].contains("give it another lead first"), "{e:?}");
    }
}

on_both_backends! {
    fn an_indicator_with_values_is_archived_not_deleted(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let m = actor(c, "manager");
        let p = programme::by_code(c, "LBP").unwrap();
        let ind = framework::indicators_of(c, p.id).unwrap().into_iter().next().unwrap();
        let d = done(setup_service::framework::remove_indicator(c, &m, &p, ind.id, ind.version).unwrap());
        assert_eq!(d.effect, Effect::Archived);
        let stored = framework::find_indicator(c, p.id, ind.id).unwrap();
        assert!(stored.archived);
        // Hidden from entry and the dashboard, kept with its values.
        let ctx = EntryContext::load(c, p.clone(), Period::parse("2026Q3").unwrap()).unwrap();
        assert!(ctx.indicators.iter().all(|(i, _)| i.id != ind.id));
        let o = mipaka::overview::ProgrammeOverview::load(c, p.clone(), mipaka::clock::today(), mipaka::domain::disclosure::Audience::Team).unwrap();
        assert!(o.figures.iter().all(|f| f.indicator.id != ind.id));
        let (values, _) = mipaka::models::values::counts_of_indicator(c, ind.id).unwrap();
        assert!(values > 0);
        // Still in the report of a period it had approved figures in.
        let phases = programme::phases_of(c, p.id).unwrap();
        let figs = mipaka::report::figures::load(c, &p, &phases, &Period::parse("2026Q2").unwrap(), 0).unwrap();
        assert!(figs.figures.iter().any(|f| f.indicator.id == ind.id));
        let d = done(setup_service::framework::restore_indicator(c, &m, &p, stored.id, stored.version).unwrap());
        assert_eq!(d.effect, Effect::Restored);
        // A new indicator with nothing yet is deleted outright.
        let results = framework::results_of(c, p.id).unwrap();
        let mut f = setup_service::framework::indicator_fields(&ind, &results);
        f.code = "LBP-NEW".into();
        let id = done(setup_service::framework::save_indicator(c, &m, &p, None, &f).unwrap()).id;
        let d = done(setup_service::framework::remove_indicator(c, &m, &p, id, 1).unwrap());
        // The programme has issued no report yet in a fresh demo, so nothing keeps it.
        assert_eq!(d.effect, Effect::Removed);
        let left: i64 = indicators::table.filter(indicators::code.eq("LBP-NEW")).count().get_result(c).unwrap();
        assert_eq!(left, 0);
    }
}

on_both_backends! {
    fn a_closed_programme_is_read_only(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let admin = actor(c, "admin");
        let m = actor(c, "manager");
        let p = programme::by_code(c, "LBP").unwrap();
        done(setup_service::programme::set_status(c, &admin, &p, p.version, "closed").unwrap());
        let p = programme::by_code(c, "LBP").unwrap();
        assert_eq!(p.status, "closed");
        let e = refused(setup_service::phase::save(c, &m, &p, None, &PhaseFields { name: "Extra".into(), start_date: p.start_date.to_string(), end_date: p.start_date.to_string(), counties: vec!["023".into()] }).unwrap());
        assert!(e["programme"].contains("LBP is closed"), "{e:?}");
        let ctx = EntryContext::load(c, p.clone(), Period::parse("2026Q4").unwrap()).unwrap();
        let (ind, _) = &ctx.indicators[0];
        let key = CellKey { indicator_id: ind.id, location_id: ctx.counties()[0].id, disaggregation: String::new() };
        let input = CellInput { key, raw: "5".into(), comment: "closing figure".into(), base_version: None, pick: None, resolving: false };
        let err = entry::save(c, &ctx, &m, &[input], mipaka::clock::now()).unwrap_err();
        assert!(matches!(err, AppError::Forbidden(ref msg) if msg.contains("read-only")), "{err:?}");
        let status: String = programmes::table.filter(programmes::code.eq("LBP")).select(programmes::status).first(c).unwrap();
        assert_eq!(status, "closed");
        // Reopened, it takes figures again.
        let p = programme::by_code(c, "LBP").unwrap();
        done(setup_service::programme::set_status(c, &admin, &p, p.version, "active").unwrap());
    }
}

on_both_backends! {
    fn a_decimal_number_indicator_takes_two_and_a_half_days(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let m = actor(c, "manager");
        let p = programme::by_code(c, "LBP").unwrap();
        let ind = framework::indicator_by_code(c, p.id, "LBP-2.2").unwrap();
        assert_eq!(ind.unit, "number");
        let ctx = EntryContext::load(c, p.clone(), Period::parse("2026Q4").unwrap()).unwrap();
        let key = CellKey { indicator_id: ind.id, location_id: ctx.counties()[0].id, disaggregation: String::new() };
        let input = CellInput { key, raw: "2.5".into(), comment: "faster sharing after training".into(), base_version: None, pick: None, resolving: false };
        let report = entry::save(c, &ctx, &m, &[input], mipaka::clock::now()).unwrap();
        assert!(report.is_clean(), "{:?}", report.problems);
        assert_eq!(report.changed, 1);
        // A month is not a period of a quarterly programme.
        let err = EntryContext::load(c, p, Period::parse("202605").unwrap()).err().unwrap();
        assert!(err.to_string().contains("reports quarterly"), "{err}");
    }
}

on_both_backends! {
    fn a_document_with_a_problem_writes_nothing(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let m = actor(c, "manager");
        let p = programme::by_code(c, "LBP").unwrap();
        let mut doc = logframe::export(c, &p).unwrap();
        doc.indicators[0].fields.title = "A better title".into();
        doc.indicators[0].origin = logframe::Origin::new("Outputs", 7);
        doc.targets[0].fields.value = "sixty".into();
        let mut origin = logframe::Origin::new("Outputs", 12);
        origin.cells.insert("value".into(), "F".into());
        doc.targets[0].origin = origin;
        let before = audit_rows(c);
        let report = logframe::apply(c, &m, Destination::Existing(p.id), &doc, how(Mode::Write)).unwrap();
        assert!(!report.written);
        let first = &report.problems[0];
        assert_eq!(first.place, "Outputs!F12");
        assert!(first.message.contains("'sixty' is not a number"), "{first:?}");
        assert_eq!(audit_rows(c), before, "nothing written");
        let title: String = indicators::table.find(framework::indicators_of(c, p.id).unwrap()[0].id).select(indicators::title).first(c).unwrap();
        assert_ne!(title, "A better title");
        // A dry run of a clean document lists the change and keeps nothing.
        doc.targets[0].fields.value = "1".into();
        let report = logframe::apply(c, &m, Destination::Existing(p.id), &doc, how(Mode::DryRun)).unwrap();
        assert!(report.is_clean(), "{:?}", report.problems);
        assert!(!report.written);
        assert!(report.changes().any(|l| l.what.starts_with("indicator ") && l.changes.iter().any(|ch| ch.contains("A better title"))));
        assert_eq!(audit_rows(c), before);
        // The preview's plan must still hold at commit.
        let plan = report.plan_hash();
        let report = logframe::apply(c, &m, Destination::Existing(p.id), &doc, Apply { expect_plan: Some("not the plan"), ..how(Mode::Write) }).unwrap();
        assert!(!report.written && report.problems[0].message.contains("changed since this file was previewed"));
        let report = logframe::apply(c, &m, Destination::Existing(p.id), &doc, Apply { expect_plan: Some(&plan), ..how(Mode::Write) }).unwrap();
        assert!(report.written, "{:?}", report.problems);
    }
}
