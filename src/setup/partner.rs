//! A programme's partners: organisations (shared by every programme) and their IATI
//! roles in this one.

use serde_json::{json, Value};

use super::{
    differences, invalid, record, require_active, Audit, Done, Effect, FieldErrors, Saved,
};
use crate::db::DbConn;
use crate::domain::codelist;
use crate::domain::setup::{check_partner, PartnerFields};
use crate::error::{AppError, AppResult};
use crate::models::activity;
use crate::models::audit::Actor;
use crate::models::organisation::{self, NewOrganisation, Organisation};
use crate::models::programme::Programme;

fn snapshot(o: &Organisation, roles: &[String]) -> Value {
    json!({
        "code": o.code, "name": o.name, "short_name": o.short_name, "iati_type": o.iati_type,
        "iati_identifier": o.iati_identifier, "roles": roles,
    })
}

/// The roles an organisation holds in a programme, in codelist order.
pub fn roles_in(
    conn: &mut DbConn,
    programme_id: i32,
    organisation_id: i32,
) -> AppResult<Vec<String>> {
    let mut roles: Vec<String> = organisation::partners_of(conn, programme_id)?
        .into_iter()
        .filter(|(_, o)| o.id == organisation_id)
        .map(|(r, _)| r)
        .collect();
    roles.sort_by_key(|r| codelist::role_rank(r));
    Ok(roles)
}

/// The fields of a partner, as a form shows them.
pub fn fields_of(o: &Organisation, roles: &[String]) -> PartnerFields {
    PartnerFields {
        code: o.code.clone(),
        name: o.name.clone(),
        short_name: o.short_name.clone(),
        iati_type: o.iati_type.clone(),
        iati_identifier: o.iati_identifier.clone(),
        roles: roles.to_vec(),
    }
}

/// Adds a partner (`existing` None) or changes one: `existing = (organisation id,
/// version it was loaded at)`. Adding an organisation that already exists (by code)
/// links it with its stored details; its details change only through `existing`.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    existing: Option<(i32, i32)>,
    f: &PartnerFields,
) -> AppResult<Saved<Organisation>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let mut errors = FieldErrors::new();
        let checked = check_partner(f);
        if let Err(e) = &checked {
            errors.extend(e.clone());
        }
        let code = f.code.trim().to_ascii_uppercase();
        let by_code = organisation::by_code(conn, &code)?;
        let target: Option<Organisation> = match existing {
            Some((id, version)) => {
                let current = organisation::find(conn, id)?;
                if roles_in(conn, p.id, id)?.is_empty() {
                    return Err(AppError::not_found(
                        "That organisation is not a partner of this programme.",
                    ));
                }
                if current.version != version {
                    return Ok(Saved::Stale(Box::new(current)));
                }
                if let Some(other) = by_code.as_ref().filter(|o| o.id != id) {
                    errors.insert(
                        "code",
                        format!("{code} is already the code of {}", other.name),
                    );
                }
                Some(current)
            }
            None => {
                if let (Some(o), Ok(input)) = (&by_code, &checked) {
                    if !roles_in(conn, p.id, o.id)?.is_empty() {
                        errors.insert(
                            "code",
                            format!(
                                "{} is already a partner of {}; change it there",
                                o.name, p.code
                            ),
                        );
                    } else if o.name != input.name {
                        errors.insert(
                            "name",
                            format!(
                                "{code} is already registered as “{}”; give that name to add it, or use another code for a different organisation",
                                o.name
                            ),
                        );
                    }
                }
                by_code.clone()
            }
        };
        let input = match checked {
            Ok(i) if errors.is_empty() => i,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let new = NewOrganisation {
            code: &input.code,
            name: &input.name,
            short_name: &input.short_name,
            iati_type: &input.iati_type,
            iati_identifier: &input.iati_identifier,
        };
        let roles_after: Vec<String> = input.roles.iter().map(|r| r.to_string()).collect();
        let (org_id, before, effect) = match (&target, existing) {
            // A new organisation.
            (None, _) => {
                let id = organisation::insert(conn, &new)?;
                (id, None, Effect::Created)
            }
            // An organisation already registered, linked to this programme now.
            (Some(o), None) => (o.id, None, Effect::Created),
            (Some(o), Some((_, version))) => {
                let roles_before = roles_in(conn, p.id, o.id)?;
                let details_changed = o.code != input.code
                    || o.name != input.name
                    || o.short_name != input.short_name
                    || o.iati_type != input.iati_type
                    || o.iati_identifier != input.iati_identifier;
                // A change of roles alone moves the version on too, so two people
                // changing one partner's roles cannot silently undo each other.
                let roles_changed = roles_before != roles_after;
                if (details_changed || roles_changed)
                    && organisation::update_if_version(conn, o.id, version, &new)? != 1
                {
                    return Ok(Saved::Stale(Box::new(organisation::find(conn, o.id)?)));
                }
                (o.id, Some(snapshot(o, &roles_before)), Effect::Changed)
            }
        };
        let roles_before = roles_in(conn, p.id, org_id)?;
        for r in &roles_before {
            if !roles_after.contains(r) {
                organisation::remove_partner_role(conn, p.id, org_id, r)?;
            }
        }
        for r in &roles_after {
            if !roles_before.contains(r) {
                organisation::add_partner(conn, p.id, org_id, r)?;
            }
        }
        let saved = organisation::find(conn, org_id)?;
        let after = snapshot(&saved, &roles_after);
        let changes = before
            .as_ref()
            .map(|b| differences(b, &after))
            .unwrap_or_default();
        if effect == Effect::Changed && changes.is_empty() {
            return Ok(Saved::Done(Done::new(org_id, Effect::Unchanged)));
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: if effect == Effect::Created {
                    "partner_added"
                } else {
                    "partner_updated"
                },
                entity: "organisation",
                id: org_id,
                before,
                after: Some(after),
                detail: format!("{} in {}", saved.code, p.code),
            },
        )?;
        Ok(Saved::Done(Done {
            id: org_id,
            effect,
            changes,
        }))
    })
}

/// Takes an organisation off the programme's partners, unless it leads activities.
pub fn remove(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    organisation_id: i32,
) -> AppResult<Saved<Organisation>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let o = organisation::find(conn, organisation_id)?;
        let roles = roles_in(conn, p.id, o.id)?;
        if roles.is_empty() {
            return Err(AppError::not_found(
                "That organisation is not a partner of this programme.",
            ));
        }
        let led: Vec<String> = activity::of_programme(conn, p.id)?
            .into_iter()
            .filter(|a| a.lead_organisation_id == Some(o.id))
            .map(|a| a.code)
            .collect();
        if !led.is_empty() {
            return Ok(invalid(
                "partner",
                format!(
                    "{} leads {} activit{} of {} ({}); give {} another lead first",
                    o.short_name,
                    led.len(),
                    if led.len() == 1 { "y" } else { "ies" },
                    p.code,
                    led.join(", "),
                    if led.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
        for r in &roles {
            organisation::remove_partner_role(conn, p.id, o.id, r)?;
        }
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "partner_removed",
                entity: "organisation",
                id: o.id,
                before: Some(snapshot(&o, &roles)),
                after: None,
                detail: format!("{} from {}", o.code, p.code),
            },
        )?;
        Ok(Saved::Done(Done::new(o.id, Effect::Removed)))
    })
}

/// [`remove`], from the version the caller loaded: a partner changed since then is
/// not taken off (the caller sees it as it is now).
pub fn remove_if_version(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    organisation_id: i32,
    version: i32,
) -> AppResult<Saved<Organisation>> {
    crate::db::write(conn, |conn| {
        let o = organisation::find(conn, organisation_id)?;
        if o.version != version && !roles_in(conn, p.id, o.id)?.is_empty() {
            return Ok(Saved::Stale(Box::new(o)));
        }
        remove(conn, actor, p, organisation_id)
    })
}
