//! Activity progress entered beside a period's values: checked, versioned, audited,
//! refused in a locked period, and submitted, returned, approved and unlocked with the
//! period — through the service and through the grid.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};

use crate::on_both_backends;
use crate::support::{demo_password, sign_in, urlencode};
use mipaka::db::schema::{activity_progress as ap, audit_log};
use mipaka::db::DbConn;
use mipaka::domain::period::Period;
use mipaka::domain::progress::ProgressFields;
use mipaka::entry::progress::{save_loaded, ProgressInput, ProgressReport};
use mipaka::entry::{self, EntryContext, Mode};
use mipaka::models::audit::Actor;
use mipaka::models::{activity, programme, user};

const PERIOD: &str = "2026Q4";

fn actor(c: &mut DbConn, name: &str) -> Actor {
    let u = user::by_username(c, name).unwrap().unwrap();
    Actor {
        user_id: Some(u.id),
        name: u.username,
    }
}

fn context(c: &mut DbConn) -> EntryContext {
    let p = programme::by_code(c, "LBP").unwrap();
    EntryContext::load(c, p, Period::parse(PERIOD).unwrap()).unwrap()
}

fn input(
    id: i32,
    status: &str,
    pct: &str,
    spend: &str,
    note: &str,
    base: Option<i32>,
) -> ProgressInput {
    ProgressInput {
        activity_id: id,
        fields: ProgressFields {
            status: status.into(),
            percent_complete: pct.into(),
            spend: spend.into(),
            note: note.into(),
        },
        base_version: base,
    }
}

fn save(c: &mut DbConn, who: &Actor, inputs: &[ProgressInput]) -> ProgressReport {
    c.transaction(|c| {
        let ctx = context(c);
        save_loaded(c, &ctx, who, inputs, mipaka::clock::now(), Mode::Write)
    })
    .unwrap()
}

/// (status, %, spend, workflow, version) of the activity's row for the period.
fn stored(c: &mut DbConn, id: i32) -> Option<(String, i32, i64, String, i32)> {
    ap::table
        .filter(ap::activity_id.eq(id))
        .filter(ap::period.eq(PERIOD))
        .select((
            ap::status,
            ap::percent_complete,
            ap::spend_to_date_minor,
            ap::workflow_status,
            ap::version,
        ))
        .first(c)
        .optional()
        .unwrap()
}

fn audits(c: &mut DbConn, action: &str) -> Vec<(Option<String>, Option<String>)> {
    audit_log::table
        .filter(audit_log::action.eq(action))
        .filter(audit_log::entity.eq("activity_progress"))
        .order(audit_log::id)
        .select((audit_log::before_json, audit_log::after_json))
        .load(c)
        .unwrap()
}

/// An activity under way in the period, with the spend to date of its previous row.
fn under_way(ctx: &EntryContext) -> (i32, String, i64) {
    let row = ctx
        .progress
        .iter()
        .find(|r| {
            r.current.is_none()
                && r.previous
                    .as_ref()
                    .is_some_and(|p| p.status == "in_progress" && p.spend_to_date_minor > 0)
        })
        .expect("an activity in progress before the period");
    let prev = row.previous.as_ref().unwrap();
    (
        row.activity.id,
        row.activity.code.clone(),
        prev.spend_to_date_minor,
    )
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

on_both_backends! {
    fn progress_is_checked_versioned_audited_and_moves_with_the_period(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let manager = actor(c, "manager");
        let officer = actor(c, "officer");
        let ctx = context(c);
        // The period asks only for activities planned to start by its end and not finished before it.
        let end = Period::parse(PERIOD).unwrap().end();
        assert!(!ctx.progress.is_empty());
        assert!(ctx.progress.iter().all(|r| r.activity.planned_start <= end));
        assert!(ctx.progress.iter().all(|r| r.previous.as_ref().is_none_or(|p| p.status != "completed")));
        let (id, code, before) = under_way(&ctx);
        let more = money(before + 500_000);

        // Wrong input: nothing written, each problem named.
        let r = save(c, &manager, &[input(id, "in_progress", "150", &more, "", None)]);
        assert!(r.problems.iter().any(|p| p.field == "percent"), "{:?}", r.problems);
        let r = save(c, &manager, &[input(id, "busy", "50", &money(before - 100), "", None)]);
        assert!(r.problems.iter().any(|p| p.field == "status"));
        assert!(r.problems.iter().any(|p| p.field == "spend" && p.message.contains("previous period")), "{:?}", r.problems);
        assert_eq!(stored(c, id), None);
        assert!(audits(c, "progress_entered").is_empty());

        // Entered: a draft at version 1, audited with what it holds.
        let r = save(c, &manager, &[input(id, "in_progress", "90", &more, "", None)]);
        assert!(r.is_clean(), "{:?}", r.problems);
        assert_eq!(r.changed, 1);
        assert_eq!(stored(c, id), Some(("in_progress".into(), 90, before + 500_000, "draft".into(), 1)));
        let a = audits(c, "progress_entered");
        assert_eq!(a.len(), 1);
        assert!(a[0].0.is_none() && a[0].1.as_deref().unwrap().contains("\"percent_complete\":90"), "{a:?}");

        // The same again changes nothing and audits nothing.
        let r = save(c, &manager, &[input(id, "in_progress", "90", &more, "", Some(1))]);
        assert_eq!((r.changed, r.is_clean()), (0, true));
        assert_eq!(stored(c, id).unwrap().4, 1);

        // Someone who loaded the period before it was entered: a conflict, nothing saved.
        let r = save(c, &manager, &[input(id, "in_progress", "95", &more, "", None)]);
        assert_eq!(r.conflicts.len(), 1);
        assert_eq!(stored(c, id).unwrap().1, 90);

        // Changed from version 1: version 2, audited before and after.
        let r = save(c, &manager, &[input(id, "in_progress", "95", &more, "Training cohort 12 done", Some(1))]);
        assert!(r.is_clean(), "{:?}", r.problems);
        assert_eq!(stored(c, id).unwrap().4, 2);
        let u = audits(c, "progress_updated");
        assert!(u[0].0.as_deref().unwrap().contains("\"percent_complete\":90"));
        assert!(u[0].1.as_deref().unwrap().contains("\"percent_complete\":95"));

        // Submitted, returned, submitted and approved with the period's values.
        let p = ctx.programme.clone();
        let q = ctx.period;
        assert!(entry::approve(c, &officer, &p, &q, mipaka::clock::now()).unwrap_err().to_string().contains("activity progress"));
        assert_eq!(entry::submit(c, &manager, &p, &q).unwrap().progress, 1);
        assert_eq!(stored(c, id).unwrap().3, "submitted");
        assert_eq!(entry::return_for_correction(c, &officer, &p, &q, "Spend does not match the ledger", mipaka::clock::now()).unwrap().progress, 1);
        assert_eq!(stored(c, id).unwrap().3, "returned");
        assert_eq!(entry::submit(c, &manager, &p, &q).unwrap().progress, 1);
        assert_eq!(entry::approve(c, &officer, &p, &q, mipaka::clock::now()).unwrap().progress, 1);
        assert_eq!(stored(c, id).unwrap().3, "approved");
        // The activity's figures of "now" follow its newest approved progress.
        let a = activity::find(c, p.id, id).unwrap();
        assert_eq!((a.status.as_str(), a.percent_complete, a.spend_minor), ("in_progress", 95, before + 500_000), "{code}");
        for action in ["progress_submitted", "progress_returned", "progress_approved"] {
            assert!(!audits(c, action).is_empty(), "{action} audited");
        }

        // Locked: refused, nothing changes.
        let v = stored(c, id).unwrap().4;
        let r = save(c, &manager, &[input(id, "in_progress", "97", &more, "", Some(v))]);
        assert!(r.problems.iter().any(|p| p.message.contains("locked")), "{:?}", r.problems);
        assert_eq!(stored(c, id).unwrap().1, 95);

        // Unlocked: the edit goes through as a new draft.
        entry::unlock(c, &officer, &p, &q, "Ledger correction for cohort 12", mipaka::clock::now()).unwrap();
        let r = save(c, &manager, &[input(id, "in_progress", "97", &more, "", Some(v))]);
        assert!(r.is_clean(), "{:?}", r.problems);
        assert_eq!(stored(c, id).unwrap().3, "draft");
        // An activity the period does not ask about is refused.
        let later = activity::of_programme(c, p.id).unwrap().into_iter().find(|a| a.planned_start > end);
        if let Some(later) = later {
            let r = save(c, &manager, &[input(later.id, "in_progress", "5", "1", "", None)]);
            assert!(r.problems.iter().any(|p| p.field == "activity"));
        }
    }
}

fn post(
    client: &rocket::local::blocking::Client,
    csrf: &str,
    fields: &[(String, String)],
) -> (Status, String, Option<String>) {
    let mut body = format!("csrf={csrf}");
    for (k, v) in fields {
        body.push_str(&format!("&{}={}", urlencode(k), urlencode(v)));
    }
    let r = client
        .post(format!(
            "/programmes/LBP/entry?period={PERIOD}&county=progress"
        ))
        .header(ContentType::Form)
        .body(body)
        .dispatch();
    let loc = r.headers().get_one("Location").map(str::to_string);
    (r.status(), r.into_string().unwrap_or_default(), loc)
}

on_both_backends! {
    fn the_grid_has_an_activity_progress_section_saved_with_the_values(t) {
        let db = t.with_demo();
        let (id, code, before) = {
            let c = &mut *db.get().unwrap();
            under_way(&context(c))
        };
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let grid = client.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch().into_string().unwrap();
        assert!(grid.contains("county=progress"), "the values grid links to the period's activity progress");
        let page = client.get(format!("/programmes/LBP/entry?period={PERIOD}&county=progress")).dispatch().into_string().unwrap();
        assert!(page.contains("Activity progress at the end of 2026Q4"));
        assert!(page.contains(&code));
        assert!(page.contains(&format!("name=\"pp:{id}\"")));

        // A wrong % is shown beside the field, what was typed kept, nothing saved.
        let f = |pct: &str| vec![
            (format!("ps:{id}"), "in_progress".to_string()),
            (format!("pp:{id}"), pct.to_string()),
            (format!("pm:{id}"), money(before + 100)),
            (format!("pn:{id}"), String::new()),
        ];
        let (status, page, _) = post(&client, &csrf, &f("12.5"));
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains("Nothing was saved"));
        assert!(page.contains("is not a whole number from 0 to 100"));
        assert!(page.contains("value=\"12.5\""));
        {
            let c = &mut *db.get().unwrap();
            assert_eq!(stored(c, id), None);
        }

        // Right: saved and submitted with the period.
        let mut fields = f("88");
        fields.push(("action".into(), "submit".into()));
        let (status, _, loc) = post(&client, &csrf, &fields);
        assert_eq!(status, Status::SeeOther);
        let page = client.get(loc.unwrap()).dispatch().into_string().unwrap();
        assert!(page.contains("Saved 0 value(s) and 1 activity progress row(s) for 2026Q4."), "{}", &page[..page.len().min(3000)]);
        assert!(page.contains("Submitted 0 value(s) and 1 activity progress row(s) for approval."));
        let c = &mut *db.get().unwrap();
        assert_eq!(stored(c, id), Some(("in_progress".into(), 88, before + 100, "submitted".into(), 2)));
    }
}
