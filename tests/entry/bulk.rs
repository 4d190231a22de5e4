//! A save of many cells is a few statements whatever their number: it writes each row
//! only at the version it was read at (one stale cell and nothing is saved), audits
//! each change as a save of one cell would, and keeps the totals exact.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::figures::totals::assert_totals_hold;
use crate::on_both_backends;
use mipaka::db::schema::{audit_log, indicator_values};
use mipaka::db::DbConn;
use mipaka::domain::period::Period;
use mipaka::entry::{self, CellInput, EntryContext, Mode};
use mipaka::error::AppError;
use mipaka::models::audit::Actor;
use mipaka::models::{programme, user};

/// An audit row as read back: action, entity id, user id, actor, before, after, detail.
type AuditRow = (
    String,
    Option<i32>,
    Option<i32>,
    String,
    Option<String>,
    Option<String>,
    String,
);

/// LBP's newest quarter with approved values: its context, and the manager.
fn setup(c: &mut DbConn) -> (EntryContext, Actor) {
    let p = programme::by_code(c, "LBP").unwrap();
    let ids: Vec<i32> = mipaka::models::framework::indicators_of(c, p.id)
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    let period: String = indicator_values::table
        .filter(indicator_values::indicator_id.eq_any(&ids))
        .filter(indicator_values::status.eq("approved"))
        .order(indicator_values::period_start.desc())
        .select(indicator_values::period)
        .first(c)
        .unwrap();
    let ctx = EntryContext::load(c, p, Period::parse(&period).unwrap()).unwrap();
    let u = user::by_username(c, "manager").unwrap().unwrap();
    let who = Actor {
        user_id: Some(u.id),
        name: u.username,
    };
    (ctx, who)
}

/// Every stored value of the period again, with a comment: each an update.
fn recomment(ctx: &EntryContext, comment: &str) -> Vec<CellInput> {
    ctx.cells()
        .into_iter()
        .filter_map(|k| {
            let v = ctx.values.get(&k)?;
            Some(CellInput {
                raw: format!("{}", v.value),
                comment: comment.into(),
                base_version: Some(v.version),
                pick: None,
                resolving: false,
                key: k,
            })
        })
        .collect()
}

fn audit_count(c: &mut DbConn) -> i64 {
    audit_log::table.count().get_result(c).unwrap()
}

fn commented(c: &mut DbConn, comment: &str) -> i64 {
    indicator_values::table
        .filter(indicator_values::comment.eq(comment))
        .count()
        .get_result(c)
        .unwrap()
}

on_both_backends! {
    fn one_stale_cell_in_a_bulk_save_saves_none(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let (ctx, who) = setup(c);
        let inputs = recomment(&ctx, "bulk");
        assert!(inputs.len() > 20, "a period of many values: {}", inputs.len());
        let audits = audit_count(c);
        // Someone else saves one of the cells after the page was loaded.
        let stale = ctx.values[&inputs[inputs.len() / 2].key].id;
        c.batch_execute(&format!(
            "UPDATE indicator_values SET version = version + 1 WHERE id = {stale}"
        ))
        .unwrap();
        // Checked against the period as it is now: that cell is a conflict, none is saved.
        let r = entry::save(c, &ctx, &who, &inputs, mipaka::clock::now()).unwrap();
        assert_eq!((r.changed, r.conflicts.len()), (0, 1));
        assert_eq!(commented(c, "bulk"), 0);
        assert_eq!(audit_count(c), audits);
        // Checked against the period as it was (the write itself finds the moved
        // version): refused as a whole, and rolled back.
        let err = mipaka::db::write(c, |c| {
            entry::save_loaded(c, &ctx, &who, &inputs, mipaka::clock::now(), Mode::Write)
        })
        .unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)), "{err}");
        assert_eq!(commented(c, "bulk"), 0);
        assert_eq!(audit_count(c), audits);
        assert_totals_hold(c, "a refused bulk save");
    }
}

#[derive(Debug, PartialEq)]
struct Audited {
    action: String,
    entity_id: Option<i32>,
    user_id: Option<i32>,
    actor: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    detail: String,
}

on_both_backends! {
    fn a_bulk_save_audits_each_change_and_keeps_the_totals(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let (ctx, who) = setup(c);
        let q = ctx.period.id();
        let plain = |ctx: &EntryContext, id: i32| {
            ctx.indicators
                .iter()
                .any(|(i, _)| i.id == id && i.dimensions().is_empty() && i.unit == "count")
        };
        // Some cells of a count without parts emptied first, to be filled again.
        let emptied: Vec<i32> = ctx
            .values
            .iter()
            .filter(|(k, _)| plain(&ctx, k.indicator_id))
            .map(|(_, v)| v.id)
            .take(5)
            .collect();
        assert!(!emptied.is_empty(), "some counts without parts have values");
        diesel::delete(indicator_values::table.filter(indicator_values::id.eq_any(&emptied)))
            .execute(c)
            .unwrap();
        let ctx = EntryContext::load(c, ctx.programme.clone(), ctx.period).unwrap();
        let plain = |id: i32| plain(&ctx, id);
        // Every value again with a comment (updates; approved ones become drafts), one
        // cleared, and the empty cells of a count without parts filled (inserts).
        let mut inputs = recomment(&ctx, "bulk");
        let cleared = inputs
            .iter()
            .position(|i| plain(i.key.indicator_id))
            .expect("a count without parts has a value");
        inputs[cleared].raw.clear();
        let empty: Vec<_> = ctx
            .cells()
            .into_iter()
            .filter(|k| plain(k.indicator_id) && !ctx.values.contains_key(k))
            .take(5)
            .collect();
        assert!(!empty.is_empty(), "some count cells are empty");
        for (n, k) in empty.iter().enumerate() {
            inputs.push(CellInput {
                key: k.clone(),
                raw: format!("{}", ctx.previous.get(k).copied().unwrap_or(10.0 + n as f64)),
                comment: "bulk".into(),
                base_version: None,
                pick: None,
                resolving: false,
            });
        }
        let last_audit: i32 = audit_log::table
            .select(diesel::dsl::max(audit_log::id))
            .first::<Option<i32>>(c)
            .unwrap()
            .unwrap_or(0);
        let r = entry::save(c, &ctx, &who, &inputs, mipaka::clock::now()).unwrap();
        assert!(r.is_clean(), "{:?} {:?}", r.problems.first(), r.conflicts.first());
        assert_eq!(r.changed, inputs.len());
        assert_totals_hold(c, "a bulk save");

        // One audit row per change, as the one-cell path writes it.
        let json = |s: Option<String>| s.map(|s| serde_json::from_str(&s).unwrap());
        let rows: Vec<AuditRow> =
            audit_log::table
                .filter(audit_log::id.gt(last_audit))
                .order(audit_log::id)
                .select((
                    audit_log::action,
                    audit_log::entity_id,
                    audit_log::user_id,
                    audit_log::actor,
                    audit_log::before_json,
                    audit_log::after_json,
                    audit_log::detail,
                ))
                .load(c)
                .unwrap();
        let got: Vec<Audited> = rows
            .into_iter()
            .map(|(action, entity_id, user_id, actor, before, after, detail)| Audited {
                action,
                entity_id,
                user_id,
                actor,
                before: json(before),
                after: json(after),
                detail,
            })
            .collect();
        let value = |v: Option<f64>, comment: Option<&str>, status: &str, version: i32| {
            serde_json::json!({ "value": v, "comment": comment, "status": status, "version": version })
        };
        let mut expected = Vec::new();
        for (n, i) in inputs.iter().enumerate() {
            let detail = format!("{q} {}", i.key.disaggregation);
            let audited = |action: &str, entity_id, before, after| Audited {
                action: action.into(),
                entity_id,
                user_id: who.user_id,
                actor: who.name.clone(),
                before,
                after,
                detail: detail.clone(),
            };
            match ctx.values.get(&i.key) {
                Some(old) => {
                    let before = Some(value(Some(old.value), old.comment.as_deref(), &old.status, old.version));
                    expected.push(if n == cleared {
                        audited("value_cleared", Some(old.id), before, None)
                    } else {
                        audited("value_updated", Some(old.id), before,
                            Some(value(Some(old.value), Some("bulk"), "draft", old.version + 1)))
                    });
                }
                None => {
                    let id: i32 = indicator_values::table
                        .filter(indicator_values::indicator_id.eq(i.key.indicator_id))
                        .filter(indicator_values::location_id.eq(i.key.location_id))
                        .filter(indicator_values::disaggregation.eq(&i.key.disaggregation))
                        .filter(indicator_values::period.eq(&q))
                        .select(indicator_values::id)
                        .first(c)
                        .unwrap();
                    expected.push(audited("value_entered", Some(id), None,
                        Some(value(Some(i.raw.parse().unwrap()), Some("bulk"), "draft", 1))));
                }
            }
        }
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e);
        }
        // The rows themselves: drafts of the next version, one gone, the new ones at 1.
        let stored: Vec<(i32, String, i32, Option<String>)> = indicator_values::table
            .filter(indicator_values::period.eq(&q))
            .filter(indicator_values::comment.eq("bulk"))
            .select((indicator_values::id, indicator_values::status, indicator_values::version, indicator_values::comment))
            .load(c)
            .unwrap();
        assert_eq!(stored.len(), inputs.len() - 1);
        assert!(stored.iter().all(|s| s.1 == "draft"));
        assert!(!stored.iter().any(|s| s.0 == ctx.values[&inputs[cleared].key].id));
    }
}
