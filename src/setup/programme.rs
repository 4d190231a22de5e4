//! Creating a programme (administrators), changing its details, closing or archiving it.

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use super::{
    differences, invalid, record, require_active, Audit, Done, Effect, FieldErrors, Saved,
};
use crate::db::DbConn;
use crate::domain::setup::{check_programme, ProgrammeFields, ProgrammeInput, PROGRAMME_STATUSES};
use crate::error::AppResult;
use crate::models::audit::Actor;
use crate::models::programme::{self, NewProgramme, Programme, ProgrammeChanges};
use crate::models::{target, user};

fn snapshot(p: &Programme) -> Value {
    json!({
        "code": p.code, "name": p.name, "short_name": p.short_name, "description": p.description,
        "funder": p.funder, "currency": p.currency, "start_date": p.start_date, "end_date": p.end_date,
        "reporting_frequency": p.reporting_frequency, "rag_green_within": p.rag_green_within,
        "rag_amber_within": p.rag_amber_within, "iati_identifier": p.iati_identifier,
        "donor_reference": p.donor_reference, "status": p.status,
    })
}

fn input_snapshot(i: &ProgrammeInput, status: &str) -> Value {
    json!({
        "code": i.code, "name": i.name, "short_name": i.short_name, "description": i.description,
        "funder": i.funder, "currency": i.currency, "start_date": i.start_date, "end_date": i.end_date,
        "reporting_frequency": i.reporting_frequency, "rag_green_within": i.thresholds.green_within,
        "rag_amber_within": i.thresholds.amber_within, "iati_identifier": i.iati_identifier,
        "donor_reference": i.donor_reference, "status": status,
    })
}

/// The fields of a stored programme, as a form shows them.
pub fn fields_of(p: &Programme) -> ProgrammeFields {
    let n = |v: f64| crate::domain::unit::format_number(v, if v.fract() == 0.0 { 0 } else { 1 });
    ProgrammeFields {
        code: p.code.clone(),
        name: p.name.clone(),
        short_name: p.short_name.clone(),
        description: p.description.clone(),
        funder: p.funder.clone(),
        currency: p.currency.clone(),
        start_date: p.start_date.to_string(),
        end_date: p.end_date.to_string(),
        reporting_frequency: p.reporting_frequency.clone(),
        rag_green_within: n(p.rag_green_within),
        rag_amber_within: n(p.rag_amber_within),
        iati_identifier: p.iati_identifier.clone(),
        donor_reference: p.donor_reference.clone(),
    }
}

/// Creates a programme and, when named, gives `first_manager` (a user id) the manager's
/// role in it.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ProgrammeFields,
    first_manager: Option<i32>,
    is_demo: bool,
    now: NaiveDateTime,
) -> AppResult<Saved<Programme>> {
    crate::db::write(conn, |conn| {
        let mut errors = FieldErrors::new();
        let checked = check_programme(f);
        if let Err(e) = &checked {
            errors.extend(e.clone());
        }
        let code = f.code.trim().to_ascii_uppercase();
        if let Ok(other) = programme::by_code(conn, &code) {
            errors.insert(
                "code",
                format!(
                    "{code} is already the code of “{}”; choose another",
                    other.name
                ),
            );
        }
        let manager = match first_manager {
            Some(id) => match user::find(conn, id) {
                Ok(u) if u.is_active => Some(u),
                Ok(u) => {
                    errors.insert(
                        "manager",
                        format!("{} is disabled; enable the account first", u.username),
                    );
                    None
                }
                Err(_) => {
                    errors.insert("manager", "that user does not exist".into());
                    None
                }
            },
            None => None,
        };
        let input = match checked {
            Ok(i) if errors.is_empty() => i,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let id = programme::insert(
            conn,
            &NewProgramme {
                code: &input.code,
                name: &input.name,
                description: &input.description,
                currency: &input.currency,
                start_date: input.start_date,
                end_date: input.end_date,
                is_demo,
                rag_green_within: input.thresholds.green_within,
                rag_amber_within: input.thresholds.amber_within,
                created_at: now,
                short_name: &input.short_name,
                funder: &input.funder,
                reporting_frequency: &input.reporting_frequency,
                iati_identifier: &input.iati_identifier,
                donor_reference: &input.donor_reference,
            },
        )?;
        record(
            conn,
            actor,
            Some(id),
            Audit {
                action: "programme_created",
                entity: "programme",
                id,
                before: None,
                after: Some(input_snapshot(&input, "active")),
                detail: format!("{} {}", input.code, input.name),
            },
        )?;
        if let Some(u) = manager {
            user::grant_role(conn, u.id, &input.code, "manager")?;
            crate::models::audit::record(
                conn,
                crate::models::audit::Change {
                    user_id: actor.user_id,
                    actor: &actor.name,
                    action: "role_granted",
                    entity: "user",
                    entity_id: Some(u.id),
                    programme_id: Some(id),
                    after: Some(json!({ "programme": input.code, "role": "manager" })),
                    detail: format!("{} is the first manager of {}", u.username, input.code),
                    ..Default::default()
                },
            )?;
        }
        Ok(Saved::Done(Done::new(id, Effect::Created)))
    })
}

/// Changes a programme's details (not its code: it is on every report already issued).
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    base_version: i32,
    f: &ProgrammeFields,
) -> AppResult<Saved<Programme>> {
    crate::db::write(conn, |conn| {
        let current = programme::find(conn, p.id)?;
        if current.version != base_version {
            return Ok(Saved::Stale(Box::new(current)));
        }
        if let Err(e) = require_active(&current) {
            return Ok(Saved::Invalid(e));
        }
        let mut errors = FieldErrors::new();
        let typed_code = f.code.trim();
        if !typed_code.is_empty() && !typed_code.eq_ignore_ascii_case(&current.code) {
            errors.insert(
                "code",
                format!(
                    "a programme's code cannot change ({} is on every report and link already issued); create a new programme instead",
                    current.code
                ),
            );
        }
        let mut with_code = f.clone();
        with_code.code = current.code.clone();
        let checked = check_programme(&with_code);
        if let Err(e) = &checked {
            errors.extend(e.clone());
        }
        if let Ok(input) = &checked {
            for ph in programme::phases_of(conn, p.id)? {
                if ph.phase.start_date < input.start_date {
                    errors.insert(
                        "start_date",
                        format!(
                            "{} starts on {}, before this date; change the phase first",
                            ph.phase.name,
                            ph.phase.start_date.format("%-d %b %Y")
                        ),
                    );
                }
                if ph.phase.end_date > input.end_date {
                    errors.insert(
                        "end_date",
                        format!(
                            "{} ends on {}, after this date; change the phase first",
                            ph.phase.name,
                            ph.phase.end_date.format("%-d %b %Y")
                        ),
                    );
                }
            }
            let outside = target::of_programme(conn, p.id)?
                .into_iter()
                .filter(|t| t.period_end < input.start_date || t.period_start > input.end_date)
                .count();
            if outside > 0 && !errors.contains_key("start_date") && !errors.contains_key("end_date")
            {
                errors.insert("end_date", format!("{outside} milestone target{} would fall outside the programme; change them first", if outside == 1 { "" } else { "s" }));
            }
        }
        let input = match checked {
            Ok(i) if errors.is_empty() => i,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let before = snapshot(&current);
        let after = input_snapshot(&input, &current.status);
        let changes = differences(&before, &after);
        if changes.is_empty() {
            return Ok(Saved::Done(Done::new(p.id, Effect::Unchanged)));
        }
        let n = programme::update_if_version(
            conn,
            p.id,
            base_version,
            &ProgrammeChanges {
                name: &input.name,
                short_name: &input.short_name,
                description: &input.description,
                funder: &input.funder,
                currency: &input.currency,
                start_date: input.start_date,
                end_date: input.end_date,
                reporting_frequency: &input.reporting_frequency,
                rag_green_within: input.thresholds.green_within,
                rag_amber_within: input.thresholds.amber_within,
                iati_identifier: &input.iati_identifier,
                donor_reference: &input.donor_reference,
            },
        )?;
        if n != 1 {
            return Ok(Saved::Stale(Box::new(programme::find(conn, p.id)?)));
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "programme_updated",
                entity: "programme",
                id: p.id,
                before: Some(before),
                after: Some(after),
                detail: current.code.clone(),
            },
        )?;
        Ok(Saved::Done(Done {
            id: p.id,
            effect: Effect::Changed,
            changes,
        }))
    })
}

/// Active, closed (reporting finished, read-only) or archived (also out of everyday lists).
pub fn set_status(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    base_version: i32,
    status: &str,
) -> AppResult<Saved<Programme>> {
    crate::db::write(conn, |conn| {
        let current = programme::find(conn, p.id)?;
        if current.version != base_version {
            return Ok(Saved::Stale(Box::new(current)));
        }
        let status = status.trim().to_ascii_lowercase();
        if !PROGRAMME_STATUSES.contains(&status.as_str()) {
            return Ok(invalid(
                "status",
                format!("'{status}' is not a status; use active, closed or archived"),
            ));
        }
        if status == current.status {
            return Ok(Saved::Done(Done::new(p.id, Effect::Unchanged)));
        }
        if programme::set_status_if_version(conn, p.id, base_version, &status)? != 1 {
            return Ok(Saved::Stale(Box::new(programme::find(conn, p.id)?)));
        }
        let action = match status.as_str() {
            "active" => "programme_reopened",
            "closed" => "programme_closed",
            _ => "programme_archived",
        };
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action,
                entity: "programme",
                id: p.id,
                before: Some(json!({ "status": current.status })),
                after: Some(json!({ "status": status })),
                detail: current.code.clone(),
            },
        )?;
        Ok(Saved::Done(Done {
            id: p.id,
            effect: Effect::Changed,
            changes: vec![format!("status: {} → {status}", current.status)],
        }))
    })
}
