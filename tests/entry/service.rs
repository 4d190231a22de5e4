//! Saving values: checked first, all or nothing, versioned, audited; the workflow.

use diesel::prelude::*;

use crate::on_both_backends;
use mipaka::db::schema::{audit_log, indicator_values};
use mipaka::db::DbConn;
use mipaka::domain::period::Period;
use mipaka::entry::{self, CellInput, CellKey, EntryContext, Pick};
use mipaka::models::audit::Actor;
use mipaka::models::{framework, programme, user};

struct Fixture {
    ctx: EntryContext,
    count: i32,   // a sum-over-counties count indicator
    sexed: i32,   // an indicator disaggregated by sex
    percent: i32, // a percentage indicator
    county: i32,  // a county of the phase
    outside: i32, // a county the phase does not cover
    manager: Actor,
    officer: Actor,
}

fn fixture(c: &mut DbConn) -> Fixture {
    let p = programme::by_code(c, "LBP").unwrap();
    let inds = framework::indicators_of(c, p.id).unwrap();
    let count = inds
        .iter()
        .find(|i| {
            i.unit == "count" && i.disaggregations.is_empty() && i.county_aggregation == "sum"
        })
        .unwrap()
        .id;
    let sexed = inds.iter().find(|i| i.disaggregations == "sex").unwrap().id;
    let percent = inds.iter().find(|i| i.unit == "percentage").unwrap().id;
    let ctx = EntryContext::load(c, p, Period::parse("2026Q4").unwrap()).unwrap();
    let county = ctx.counties()[0].id;
    let covered: Vec<i32> = ctx.counties().iter().map(|l| l.id).collect();
    let outside = mipaka::models::location::counties(c)
        .unwrap()
        .into_iter()
        .find(|l| !covered.contains(&l.id))
        .unwrap()
        .id;
    let mut actor = |name: &str| {
        let u = user::by_username(c, name).unwrap().unwrap();
        Actor {
            user_id: Some(u.id),
            name: u.username,
        }
    };
    Fixture {
        ctx,
        count,
        sexed,
        percent,
        county,
        outside,
        manager: actor("manager"),
        officer: actor("officer"),
    }
}

fn cell(ind: i32, loc: i32, dis: &str, raw: &str, base: Option<i32>) -> CellInput {
    CellInput {
        key: CellKey {
            indicator_id: ind,
            location_id: loc,
            disaggregation: dis.into(),
        },
        raw: raw.into(),
        comment: String::new(),
        base_version: base,
        pick: None,
        resolving: false,
    }
}

fn stored(c: &mut DbConn, ind: i32, loc: i32, dis: &str) -> Option<(f64, String, i32)> {
    indicator_values::table
        .filter(indicator_values::indicator_id.eq(ind))
        .filter(indicator_values::location_id.eq(loc))
        .filter(indicator_values::disaggregation.eq(dis))
        .filter(indicator_values::period.eq("2026Q4"))
        .select((
            indicator_values::value,
            indicator_values::status,
            indicator_values::version,
        ))
        .first(c)
        .optional()
        .unwrap()
}

/// The previous quarter's value of a cell (what a plausible new value is near), else 10.
fn prev(f: &Fixture, ind: i32, loc: i32, dis: &str) -> f64 {
    f.ctx
        .previous
        .get(&CellKey {
            indicator_id: ind,
            location_id: loc,
            disaggregation: dis.into(),
        })
        .copied()
        .unwrap_or(10.0)
}

fn n(v: f64) -> String {
    format!("{}", v.round())
}

fn now() -> chrono::NaiveDateTime {
    mipaka::clock::now()
}

fn reload(c: &mut DbConn, f: &Fixture) -> EntryContext {
    EntryContext::load(c, f.ctx.programme.clone(), f.ctx.period).unwrap()
}

on_both_backends! {
    fn values_are_saved_as_drafts_versioned_and_audited(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let f = fixture(c);
        let a = prev(&f, f.count, f.county, "").round().max(2.0);
        let typed = format!("{},{:03}", (a as i64 + 1000) / 1000, (a as i64 + 1000) % 1000);
        let mut first = cell(f.count, f.county, "", &typed, None);
        first.comment = "October includes the new post".into();
        let r = entry::save(c, &f.ctx, &f.manager, &[first], now()).unwrap();
        assert!(r.is_clean(), "{:?}", r.problems);
        assert_eq!(r.changed, 1);
        assert_eq!(stored(c, f.count, f.county, ""), Some((a + 1000.0, "draft".into(), 1)));
        let ctx = reload(c, &f);
        let mut second = cell(f.count, f.county, "", &n(a + 1001.0), Some(1));
        second.comment = "October includes the new post".into();
        let r = entry::save(c, &ctx, &f.manager, &[second.clone()], now()).unwrap();
        assert!(r.is_clean(), "{:?}", r.problems);
        assert_eq!(stored(c, f.count, f.county, ""), Some((a + 1001.0, "draft".into(), 2)));
        let audits: Vec<(String, Option<String>, Option<String>)> = audit_log::table
            .filter(audit_log::entity.eq("indicator_value"))
            .order(audit_log::id)
            .select((audit_log::action, audit_log::before_json, audit_log::after_json))
            .load(c)
            .unwrap();
        let last = audits.last().unwrap();
        assert_eq!(last.0, "value_updated");
        assert!(last.1.as_ref().unwrap().contains(&n(a + 1000.0)), "before holds the old value: {last:?}");
        assert!(last.2.as_ref().unwrap().contains(&n(a + 1001.0)), "after holds the new value: {last:?}");
        // Saving the same again changes nothing and writes no audit row.
        let ctx = reload(c, &f);
        second.base_version = Some(2);
        let r = entry::save(c, &ctx, &f.manager, &[second], now()).unwrap();
        assert_eq!(r.changed, 0);
        let n: i64 = audit_log::table.filter(audit_log::entity.eq("indicator_value")).count().get_result(c).unwrap();
        assert_eq!(n as usize, audits.len());
    }
}

on_both_backends! {
    fn one_bad_cell_saves_nothing_and_says_where(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let f = fixture(c);
        let inputs = [
            cell(f.count, f.county, "", &n(prev(&f, f.count, f.county, "")), None),
            cell(f.percent, f.county, "", "140", None),
            cell(f.count, f.outside, "", "5", None),
            cell(f.count, f.ctx.counties()[1].id, "", "twelve", None),
        ];
        let r = entry::save(c, &f.ctx, &f.manager, &inputs, now()).unwrap();
        assert_eq!(r.changed, 0);
        let fields: Vec<(&str, i32)> = r.problems.iter().map(|p| (p.field, p.key.indicator_id)).collect();
        assert!(fields.contains(&("value", f.percent)), "{:?}", r.problems);
        assert!(fields.contains(&("county", f.count)), "{:?}", r.problems);
        assert!(r.problems.iter().any(|p| p.message.contains("'twelve' is not a number")));
        assert_eq!(stored(c, f.count, f.county, ""), None, "the good cell was not saved either");
    }
}

on_both_backends! {
    fn a_far_jump_needs_a_comment_and_parts_must_add_up(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let f = fixture(c);
        let before = f.ctx.previous.get(&CellKey { indicator_id: f.count, location_id: f.county, disaggregation: String::new() }).copied();
        if let Some(before) = before {
            let jump = format!("{}", (before * 3.0 + 10.0).round());
            let r = entry::save(c, &f.ctx, &f.manager, &[cell(f.count, f.county, "", &jump, None)], now()).unwrap();
            assert!(r.problems.iter().any(|p| p.field == "comment"), "{:?}", r.problems);
            let mut with_comment = cell(f.count, f.county, "", &jump, None);
            with_comment.comment = "New border post opened in October".into();
            assert!(entry::save(c, &f.ctx, &f.manager, &[with_comment], now()).unwrap().is_clean());
        }
        let (fe, ma) = (prev(&f, f.sexed, f.county, "sex=female"), prev(&f, f.sexed, f.county, "sex=male"));
        let total = fe + ma;
        let parts = [
            cell(f.sexed, f.county, "", &n(total + 1.0), None),
            cell(f.sexed, f.county, "sex=female", &n(fe), None),
            cell(f.sexed, f.county, "sex=male", &n(ma), None),
        ];
        let r = entry::save(c, &f.ctx, &f.manager, &parts, now()).unwrap();
        let p = r.problems.iter().find(|p| p.field == "parts").expect("parts problem");
        let expect = format!("add up to {}, not the total {}", n(total), n(total + 1.0));
        assert!(p.message.contains(&expect), "{}", p.message);
        assert_eq!(stored(c, f.sexed, f.county, ""), None);
        let fixed = [
            cell(f.sexed, f.county, "", &n(total), None),
            cell(f.sexed, f.county, "sex=female", &n(fe), None),
            cell(f.sexed, f.county, "sex=male", &n(ma), None),
        ];
        let r = entry::save(c, &f.ctx, &f.manager, &fixed, now()).unwrap();
        assert!(r.is_clean(), "{:?}", r.problems);
        assert_eq!(r.changed, 3);
    }
}

on_both_backends! {
    fn a_stale_edit_is_a_conflict_never_an_overwrite(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let f = fixture(c);
        let (x, y) = (n(prev(&f, f.count, f.county, "")), n(prev(&f, f.count, f.county, "") + 1.0));
        // Two people load the empty cell; the first saves.
        assert!(entry::save(c, &f.ctx, &f.manager, &[cell(f.count, f.county, "", &x, None)], now()).unwrap().is_clean());
        // The second saves from the same starting point: a conflict, nothing written.
        let r = entry::save(c, &f.ctx, &f.officer, &[cell(f.count, f.county, "", &y, None)], now()).unwrap();
        assert_eq!(r.changed, 0);
        assert_eq!(r.conflicts.len(), 1);
        let k = &r.conflicts[0];
        assert_eq!(k.theirs.map(n), Some(x.clone()));
        assert_eq!(k.mine, y);
        assert!(k.theirs_by.contains("Amina"), "names who saved it: {}", k.theirs_by);
        assert_eq!(stored(c, f.count, f.county, "").map(|s| n(s.0)), Some(x.clone()));
        // Shown the conflict, the second person must choose…
        let mut again = cell(f.count, f.county, "", &y, k.theirs_version);
        again.resolving = true;
        let r = entry::save(c, &f.ctx, &f.officer, std::slice::from_ref(&again), now()).unwrap();
        assert!(r.problems.iter().any(|p| p.field == "pick"));
        // …keeping theirs changes nothing; keeping theirs' version with mine saves mine.
        again.pick = Some(Pick::Theirs);
        assert_eq!(entry::save(c, &f.ctx, &f.officer, std::slice::from_ref(&again), now()).unwrap().changed, 0);
        again.pick = Some(Pick::Mine);
        assert_eq!(entry::save(c, &f.ctx, &f.officer, &[again], now()).unwrap().changed, 1);
        assert_eq!(stored(c, f.count, f.county, "").map(|s| (n(s.0), s.2)), Some((y, 2)));
    }
}

on_both_backends! {
    fn approval_locks_the_period_until_an_audited_unlock(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let f = fixture(c);
        let p = f.ctx.programme.clone();
        let q = f.ctx.period;
        let (x, y) = (n(prev(&f, f.count, f.county, "")), n(prev(&f, f.count, f.county, "") + 1.0));
        assert!(entry::save(c, &f.ctx, &f.manager, &[cell(f.count, f.county, "", &x, None)], now()).unwrap().is_clean());
        let err = entry::approve(c, &f.officer, &p, &q, now()).unwrap_err();
        assert!(err.to_string().contains("still draft"), "{err}");
        assert_eq!(entry::submit(c, &f.manager, &p, &q).unwrap().values, 1);
        let err = entry::return_for_correction(c, &f.officer, &p, &q, "", now()).unwrap_err();
        assert!(err.to_string().contains("reason"), "{err}");
        assert_eq!(entry::return_for_correction(c, &f.officer, &p, &q, "Wajir figure double-counts October", now()).unwrap().values, 1);
        assert_eq!(stored(c, f.count, f.county, "").unwrap().1, "returned");
        assert_eq!(entry::submit(c, &f.manager, &p, &q).unwrap().values, 1);
        assert_eq!(entry::approve(c, &f.officer, &p, &q, now()).unwrap().values, 1);
        assert_eq!(stored(c, f.count, f.county, "").unwrap().1, "approved");

        // Locked: an edit is refused and nothing changes.
        let ctx = reload(c, &f);
        let v = stored(c, f.count, f.county, "").unwrap().2;
        let r = entry::save(c, &ctx, &f.manager, &[cell(f.count, f.county, "", &y, Some(v))], now()).unwrap();
        assert!(r.problems.iter().any(|p| p.message.contains("locked")), "{:?}", r.problems);
        assert_eq!(n(stored(c, f.count, f.county, "").unwrap().0), x);
        assert!(entry::submit(c, &f.manager, &p, &q).is_err());

        // Unlock needs a reason; then the edit goes through as a new draft.
        assert!(entry::unlock(c, &f.officer, &p, &q, "no", now()).is_err());
        entry::unlock(c, &f.officer, &p, &q, "Correction from the Wajir county office", now()).unwrap();
        let ctx = reload(c, &f);
        assert!(entry::save(c, &ctx, &f.manager, &[cell(f.count, f.county, "", &y, Some(v))], now()).unwrap().is_clean());
        assert_eq!(stored(c, f.count, f.county, "").unwrap().1, "draft");
        let actions: Vec<String> = audit_log::table.order(audit_log::id).select(audit_log::action).load(c).unwrap();
        for a in ["value_submitted", "value_returned", "value_approved", "period_locked", "period_unlocked", "value_updated"] {
            assert!(actions.iter().any(|x| x == a), "{a} audited");
        }
    }
}

on_both_backends! {
    fn an_unlocked_period_with_nothing_changed_locks_again(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let f = fixture(c);
        let p = f.ctx.programme.clone();
        let q = f.ctx.period;
        let base = prev(&f, f.count, f.county, "");
        let x = n(base);
        // Nothing approved yet: nothing to lock.
        let draft = entry::save(c, &f.ctx, &f.manager, &[cell(f.count, f.county, "", &x, None)], now()).unwrap();
        assert!(draft.is_clean());
        let err = entry::relock(c, &f.officer, &p, &q, now()).unwrap_err();
        assert!(err.to_string().contains("not yet approved"), "{err}");
        let ctx = reload(c, &f);
        assert!(ctx.lock.is_none());
        entry::submit(c, &f.manager, &p, &q).unwrap();
        entry::approve(c, &f.officer, &p, &q, now()).unwrap();
        let err = entry::relock(c, &f.officer, &p, &q, now()).unwrap_err();
        assert!(err.to_string().contains("already approved and locked"), "{err}");
        entry::unlock(c, &f.officer, &p, &q, "Checking the Wajir register", now()).unwrap();
        let before = stored(c, f.count, f.county, "").unwrap();
        // Nothing to submit and nothing to approve: the two old dead ends still say so.
        assert!(entry::submit(c, &f.manager, &p, &q).is_err());
        assert!(entry::approve(c, &f.officer, &p, &q, now()).is_err());
        let ctx = reload(c, &f);
        assert_eq!(ctx.unlocked.as_ref().and_then(|u| u.unlock_reason.as_deref()), Some("Checking the Wajir register"));
        entry::relock(c, &f.officer, &p, &q, now()).unwrap();
        let ctx = reload(c, &f);
        assert!(ctx.lock.is_some() && ctx.unlocked.is_none());
        assert_eq!(stored(c, f.count, f.county, "").unwrap(), before, "the values are not touched");
        let (action, before_json, after_json): (String, Option<String>, Option<String>) = audit_log::table
            .order(audit_log::id.desc())
            .select((audit_log::action, audit_log::before_json, audit_log::after_json))
            .first(c)
            .unwrap();
        assert_eq!(action, "period_relocked");
        assert!(before_json.unwrap().contains("Checking the Wajir register"));
        assert!(after_json.unwrap().contains("\"locked\":true"));

        // Unlocked again and a value changed: re-locking is refused, nothing is written.
        entry::unlock(c, &f.officer, &p, &q, "Wajir register corrected", now()).unwrap();
        let ctx = reload(c, &f);
        let v = stored(c, f.count, f.county, "").unwrap().2;
        assert!(entry::save(c, &ctx, &f.manager, &[cell(f.count, f.county, "", &n(base + 1.0), Some(v))], now()).unwrap().is_clean());
        let locks_before: i64 = mipaka::db::schema::period_locks::table.count().get_result(c).unwrap();
        let err = entry::relock(c, &f.officer, &p, &q, now()).unwrap_err();
        assert!(err.to_string().contains("changed since the unlock"), "{err}");
        let locks_after: i64 = mipaka::db::schema::period_locks::table.count().get_result(c).unwrap();
        assert_eq!(locks_before, locks_after);
    }
}

on_both_backends! {
    fn a_period_outside_the_programme_or_its_phases_is_refused(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme::by_code(c, "LBP").unwrap();
        let e = EntryContext::load(c, p.clone(), Period::parse("2030Q1").unwrap()).err().unwrap();
        assert!(e.to_string().contains("outside the programme"), "{e}");
        // A quarterly programme takes values per quarter, not per fiscal year or month.
        let e = EntryContext::load(c, p, Period::parse("2024July").unwrap()).err().unwrap();
        assert!(e.to_string().contains("LBP reports quarterly: enter values per quarter (e.g. 2024Q3)"), "{e}");
    }
}
