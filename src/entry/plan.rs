//! Saving programme milestones and activities: the same promise as values — checked
//! first, never over someone else's newer save, audited with before and after.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use crate::db::DbConn;
use crate::domain::plan::{
    check_activity, check_milestone, ActivityFields, FieldErrors, MilestoneFields,
};
use crate::error::AppResult;
use crate::models::activity::{self, Activity, NewActivity};
use crate::models::audit::Actor;
use crate::models::milestone::{self, Milestone, NewMilestone};
use crate::models::programme::{self, Programme};
use crate::models::{audit, framework, location, organisation};

pub enum Saved<T> {
    Done(i32),
    Invalid(FieldErrors),
    /// Someone saved a newer version first: theirs, as it is now.
    Conflict(Box<T>),
}

/// An output of this programme by code ("" for none).
fn output_id(
    conn: &mut DbConn,
    p: &Programme,
    code: &str,
    e: &mut FieldErrors,
) -> AppResult<Option<i32>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let found = framework::results_of(conn, p.id)?
        .into_iter()
        .find(|r| r.code == code && r.level == "output");
    if found.is_none() {
        e.insert("output", format!("'{code}' is not an output of {}", p.code));
    }
    Ok(found.map(|r| r.id))
}

/// A county covered by one of the programme's phases ("" for programme-wide).
fn county_id(
    conn: &mut DbConn,
    p: &Programme,
    code: &str,
    e: &mut FieldErrors,
) -> AppResult<Option<i32>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let covered = programme::phases_of(conn, p.id)?
        .into_iter()
        .flat_map(|ph| ph.counties)
        .find(|c| c.code == code);
    if covered.is_none() {
        let name = location::by_code(conn, code)?
            .map(|l| l.name)
            .unwrap_or_else(|| code.to_string());
        e.insert(
            "county",
            format!("{name} is not covered by any phase of {}", p.code),
        );
    }
    Ok(covered.map(|c| c.id))
}

fn lead_id(
    conn: &mut DbConn,
    p: &Programme,
    code: &str,
    e: &mut FieldErrors,
) -> AppResult<Option<i32>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let found = organisation::partners_of(conn, p.id)?
        .into_iter()
        .map(|(_, o)| o)
        .find(|o| o.code == code);
    if found.is_none() {
        e.insert("lead", format!("'{code}' is not a partner of {}", p.code));
    }
    Ok(found.map(|o| o.id))
}

fn milestone_json(m: &NewMilestone) -> serde_json::Value {
    json!({ "title": m.title, "due": m.due_date, "status": m.status, "completed": m.completed_date, "evidence": m.evidence_note, "output": m.result_id, "county": m.location_id })
}

fn activity_json(a: &NewActivity) -> serde_json::Value {
    json!({ "code": a.code, "title": a.title, "status": a.status, "percent_complete": a.percent_complete,
            "planned": [a.planned_start, a.planned_end], "actual": [a.actual_start, a.actual_end],
            "budget_minor": a.budget_minor, "spend_minor": a.spend_minor, "lead": a.lead_organisation_id, "county": a.location_id, "output": a.result_id })
}

/// Creates (`existing` None) or updates milestone `existing = (id, version it was
/// loaded at)`.
pub fn save_milestone(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    existing: Option<(i32, i32)>,
    f: &MilestoneFields,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<Saved<Milestone>> {
    super::require_open(p)?;
    let (id, base_version) = (existing.map(|e| e.0), existing.map(|e| e.1));
    crate::db::write(conn, |conn| {
        let checked = check_milestone(f, today);
        let mut errors = checked.clone().err().unwrap_or_default();
        let result_id = output_id(conn, p, &f.output, &mut errors)?;
        let location_id = county_id(conn, p, &f.county, &mut errors)?;
        let input = match checked {
            Ok(i) if errors.is_empty() => i,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let new = NewMilestone {
            programme_id: p.id,
            result_id,
            location_id,
            title: &input.title,
            due_date: input.due,
            status: &input.status,
            completed_date: input.completed,
            evidence_note: &input.evidence,
            updated_at: now,
        };
        let change = |action, entity_id, before| audit::Change {
            user_id: actor.user_id,
            actor: &actor.name,
            action,
            entity: "programme_milestone",
            entity_id: Some(entity_id),
            programme_id: Some(p.id),
            before,
            after: Some(milestone_json(&new)),
            detail: input.title.clone(),
        };
        match id {
            None => {
                let id = milestone::insert(conn, &new)?;
                audit::record(conn, change("milestone_created", id, None))?;
                Ok(Saved::Done(id))
            }
            Some(id) => {
                let old = milestone::find(conn, p.id, id)?;
                if Some(old.version) != base_version
                    || milestone::update_if_version(conn, id, old.version, &new)? != 1
                {
                    return Ok(Saved::Conflict(Box::new(old)));
                }
                let before = json!({ "title": old.title, "due": old.due_date, "status": old.status, "completed": old.completed_date, "evidence": old.evidence_note, "output": old.result_id, "county": old.location_id });
                audit::record(conn, change("milestone_updated", id, Some(before)))?;
                Ok(Saved::Done(id))
            }
        }
    })
}

/// Creates (`existing` None) or updates activity `existing = (id, version it was
/// loaded at)`.
pub fn save_activity(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    existing: Option<(i32, i32)>,
    f: &ActivityFields,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<Saved<Activity>> {
    super::require_open(p)?;
    let (id, base_version) = (existing.map(|e| e.0), existing.map(|e| e.1));
    crate::db::write(conn, |conn| {
        let checked = check_activity(f, today);
        let mut errors = checked.clone().err().unwrap_or_default();
        let result_id = output_id(conn, p, &f.output, &mut errors)?;
        let location_id = county_id(conn, p, &f.county, &mut errors)?;
        let lead = lead_id(conn, p, &f.lead, &mut errors)?;
        let code = f.code.trim();
        if let Some(other) = activity::of_programme(conn, p.id)?
            .into_iter()
            .find(|a| a.code == code && Some(a.id) != id)
        {
            errors.insert(
                "code",
                format!(
                    "{} already uses the code {code} (“{}”)",
                    p.code, other.title
                ),
            );
        }
        let input = match checked {
            Ok(i) if errors.is_empty() => i,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let new = NewActivity {
            programme_id: p.id,
            result_id,
            code: &input.code,
            title: &input.title,
            lead_organisation_id: lead,
            location_id,
            planned_start: input.planned_start,
            planned_end: input.planned_end,
            actual_start: input.actual_start,
            actual_end: input.actual_end,
            status: &input.status,
            percent_complete: input.percent_complete,
            budget_minor: input.budget_minor,
            spend_minor: input.spend_minor,
            updated_at: now,
        };
        let change = |action, entity_id, before| audit::Change {
            user_id: actor.user_id,
            actor: &actor.name,
            action,
            entity: "activity",
            entity_id: Some(entity_id),
            programme_id: Some(p.id),
            before,
            after: Some(activity_json(&new)),
            detail: format!("{} {}", input.code, input.title),
        };
        match id {
            None => {
                let id = activity::insert(conn, &new)?;
                audit::record(conn, change("activity_created", id, None))?;
                Ok(Saved::Done(id))
            }
            Some(id) => {
                let old = activity::find(conn, p.id, id)?;
                if Some(old.version) != base_version
                    || activity::update_if_version(conn, id, old.version, &new)? != 1
                {
                    return Ok(Saved::Conflict(Box::new(old)));
                }
                let before = json!({ "code": old.code, "title": old.title, "status": old.status, "percent_complete": old.percent_complete,
                    "planned": [old.planned_start, old.planned_end], "actual": [old.actual_start, old.actual_end],
                    "budget_minor": old.budget_minor, "spend_minor": old.spend_minor, "lead": old.lead_organisation_id, "county": old.location_id, "output": old.result_id });
                audit::record(conn, change("activity_updated", id, Some(before)))?;
                Ok(Saved::Done(id))
            }
        }
    })
}
