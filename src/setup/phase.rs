//! A programme's phases: name, dates inside the programme, no overlaps, and the
//! counties each covers. A change that would leave entered values outside every phase
//! covering their county is refused, naming the county and how many values.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::{differences, record, require_active, Audit, Done, Effect, FieldErrors, Saved};
use crate::db::DbConn;
use crate::domain::setup::{check_phase, phase_overlaps, PhaseFields};
use crate::error::AppResult;
use crate::models::audit::Actor;
use crate::models::location::{self, Location};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::values;

/// A phase as the checks see it: name, dates, county ids.
#[derive(Debug, Clone)]
pub struct PhaseShape {
    pub id: Option<i32>,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub counties: Vec<i32>,
}

impl PhaseShape {
    fn of(p: &PhaseWithCounties) -> PhaseShape {
        PhaseShape {
            id: Some(p.phase.id),
            name: p.phase.name.clone(),
            start: p.phase.start_date,
            end: p.phase.end_date,
            counties: p.counties.iter().map(|c| c.id).collect(),
        }
    }
}

/// Values that `phases` would leave outside every phase covering their county:
/// county id → (values, first period start, last period end). A value is covered when
/// one phase holds its whole period and its county.
pub fn uncovered_values(
    phases: &[PhaseShape],
    groups: &[(NaiveDate, NaiveDate, i32, i64)],
) -> BTreeMap<i32, (i64, NaiveDate, NaiveDate)> {
    let mut out: BTreeMap<i32, (i64, NaiveDate, NaiveDate)> = BTreeMap::new();
    for (start, end, county, n) in groups {
        let covered = phases
            .iter()
            .any(|ph| ph.start <= *start && *end <= ph.end && ph.counties.contains(county));
        if !covered {
            let e = out.entry(*county).or_insert((0, *start, *end));
            e.0 += n;
            e.1 = e.1.min(*start);
            e.2 = e.2.max(*end);
        }
    }
    out
}

fn describe_uncovered(
    uncovered: &BTreeMap<i32, (i64, NaiveDate, NaiveDate)>,
    names: &HashMap<i32, String>,
) -> String {
    let parts: Vec<String> = uncovered
        .iter()
        .map(|(county, (n, from, to))| {
            format!(
                "{} has {n} value{} from {} to {}",
                names.get(county).map(String::as_str).unwrap_or("a county"),
                if *n == 1 { "" } else { "s" },
                from.format("%b %Y"),
                to.format("%b %Y")
            )
        })
        .collect();
    format!(
        "{} that this change would leave outside every phase covering {}; keep {} in the phase, or move those values first",
        parts.join("; "),
        if uncovered.len() == 1 { "it" } else { "them" },
        if uncovered.len() == 1 { "the county" } else { "those counties" }
    )
}

/// County ids for what was typed (codes or names); unknown ones are problems.
pub fn resolve_counties(counties: &[Location], typed: &[String], e: &mut FieldErrors) -> Vec<i32> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for t in typed.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        match location::find_county(counties, t) {
            Some(c) if !ids.contains(&c.id) => ids.push(c.id),
            Some(_) => {}
            None => unknown.push(format!("'{t}'")),
        }
    }
    if !unknown.is_empty() {
        e.insert(
            "counties",
            format!(
                "{} {} not a Kenyan county (give its name or its code, 001–047)",
                unknown.join(", "),
                if unknown.len() == 1 { "is" } else { "are" }
            ),
        );
    }
    ids
}

fn snapshot(
    name: &str,
    start: NaiveDate,
    end: NaiveDate,
    counties: &[i32],
    names: &HashMap<i32, String>,
) -> Value {
    let mut list: Vec<&str> = counties
        .iter()
        .filter_map(|c| names.get(c).map(String::as_str))
        .collect();
    list.sort();
    json!({ "name": name, "start_date": start, "end_date": end, "counties": list })
}

/// Everything a phase set must satisfy, checked on the phases as they would be after
/// the change: no overlaps, and every entered value still covered.
fn check_set(
    conn: &mut DbConn,
    p: &Programme,
    after: &[PhaseShape],
    changed: &str,
    names: &HashMap<i32, String>,
    e: &mut FieldErrors,
) -> AppResult<()> {
    let spans: Vec<(String, NaiveDate, NaiveDate)> = after
        .iter()
        .map(|s| (s.name.clone(), s.start, s.end))
        .collect();
    for (name, message) in phase_overlaps(&spans) {
        let other_involved = message.contains(&format!("'{changed}'"));
        if name == changed || other_involved {
            e.insert("start_date", message);
            break;
        }
    }
    let groups = values::groups_of_programme(conn, p.id)?;
    let uncovered = uncovered_values(after, &groups);
    if !uncovered.is_empty() {
        e.insert("counties", describe_uncovered(&uncovered, names));
    }
    Ok(())
}

/// Creates (`existing` None) or changes phase `existing = (id, version it was loaded at)`.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    existing: Option<(i32, i32)>,
    f: &PhaseFields,
) -> AppResult<Saved<PhaseWithCounties>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let phases = programme::phases_of(conn, p.id)?;
        let old = match existing {
            Some((id, version)) => {
                let Some(old) = phases.iter().find(|ph| ph.phase.id == id).cloned() else {
                    return Err(crate::error::AppError::not_found(
                        "This programme has no such phase.",
                    ));
                };
                if old.phase.version != version {
                    return Ok(Saved::Stale(Box::new(old)));
                }
                Some(old)
            }
            None => None,
        };
        let counties = location::counties(conn)?;
        let names: HashMap<i32, String> = counties.iter().map(|c| (c.id, c.name.clone())).collect();
        let mut errors = FieldErrors::new();
        let checked = check_phase(f, (p.start_date, p.end_date));
        if let Err(e) = &checked {
            errors.extend(e.clone());
        }
        let ids = resolve_counties(&counties, &f.counties, &mut errors);
        let name = f.name.trim();
        if let Some(other) = phases.iter().find(|ph| {
            ph.phase.name.eq_ignore_ascii_case(name) && Some(ph.phase.id) != existing.map(|e| e.0)
        }) {
            errors.insert(
                "name",
                format!(
                    "{} already has a phase called “{}”",
                    p.code, other.phase.name
                ),
            );
        }
        let input = match checked {
            Ok(i) if errors.is_empty() => i,
            _ => return Ok(Saved::Invalid(errors)),
        };
        let mut after: Vec<PhaseShape> = phases
            .iter()
            .filter(|ph| Some(ph.phase.id) != existing.map(|e| e.0))
            .map(PhaseShape::of)
            .collect();
        after.push(PhaseShape {
            id: existing.map(|e| e.0),
            name: input.name.clone(),
            start: input.start_date,
            end: input.end_date,
            counties: ids.clone(),
        });
        check_set(conn, p, &after, &input.name, &names, &mut errors)?;
        if !errors.is_empty() {
            return Ok(Saved::Invalid(errors));
        }
        let new_snap = snapshot(&input.name, input.start_date, input.end_date, &ids, &names);
        match old {
            None => {
                let id = programme::insert_phase(
                    conn,
                    p.id,
                    &input.name,
                    input.start_date,
                    input.end_date,
                    phases.len() as i32,
                    &ids,
                )?;
                programme::renumber_phases(conn, p.id)?;
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "phase_created",
                        entity: "phase",
                        id,
                        before: None,
                        after: Some(new_snap),
                        detail: format!("{} {}", p.code, input.name),
                    },
                )?;
                Ok(Saved::Done(Done::new(id, Effect::Created)))
            }
            Some(old) => {
                let old_ids: Vec<i32> = old.counties.iter().map(|c| c.id).collect();
                let before = snapshot(
                    &old.phase.name,
                    old.phase.start_date,
                    old.phase.end_date,
                    &old_ids,
                    &names,
                );
                let changes = differences(&before, &new_snap);
                if changes.is_empty() {
                    return Ok(Saved::Done(Done::new(old.phase.id, Effect::Unchanged)));
                }
                let n = programme::update_phase_if_version(
                    conn,
                    old.phase.id,
                    old.phase.version,
                    &input.name,
                    input.start_date,
                    input.end_date,
                )?;
                if n != 1 {
                    let now = programme::phases_of(conn, p.id)?
                        .into_iter()
                        .find(|ph| ph.phase.id == old.phase.id);
                    return match now {
                        Some(now) => Ok(Saved::Stale(Box::new(now))),
                        None => Err(crate::error::AppError::not_found(
                            "That phase was removed meanwhile.",
                        )),
                    };
                }
                programme::set_phase_counties(conn, old.phase.id, &ids)?;
                programme::renumber_phases(conn, p.id)?;
                record(
                    conn,
                    actor,
                    Some(p.id),
                    Audit {
                        action: "phase_updated",
                        entity: "phase",
                        id: old.phase.id,
                        before: Some(before),
                        after: Some(new_snap),
                        detail: format!("{} {}", p.code, input.name),
                    },
                )?;
                Ok(Saved::Done(Done {
                    id: old.phase.id,
                    effect: Effect::Changed,
                    changes,
                }))
            }
        }
    })
}

/// Deletes a phase that no entered value depends on.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    id: i32,
    version: i32,
) -> AppResult<Saved<PhaseWithCounties>> {
    crate::db::write(conn, |conn| {
        if let Err(e) = require_active(p) {
            return Ok(Saved::Invalid(e));
        }
        let phases = programme::phases_of(conn, p.id)?;
        let Some(old) = phases.iter().find(|ph| ph.phase.id == id).cloned() else {
            return Err(crate::error::AppError::not_found(
                "This programme has no such phase.",
            ));
        };
        if old.phase.version != version {
            return Ok(Saved::Stale(Box::new(old)));
        }
        let names: HashMap<i32, String> = location::counties(conn)?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let after: Vec<PhaseShape> = phases
            .iter()
            .filter(|ph| ph.phase.id != id)
            .map(PhaseShape::of)
            .collect();
        let uncovered = uncovered_values(&after, &values::groups_of_programme(conn, p.id)?);
        if !uncovered.is_empty() {
            return Ok(super::invalid(
                "phase",
                format!(
                    "{} cannot be removed: {}",
                    old.phase.name,
                    describe_uncovered(&uncovered, &names)
                ),
            ));
        }
        if programme::delete_phase_if_version(conn, id, version)? != 1 {
            return Ok(Saved::Stale(Box::new(old)));
        }
        programme::renumber_phases(conn, p.id)?;
        let old_ids: Vec<i32> = old.counties.iter().map(|c| c.id).collect();
        record(
            conn,
            actor,
            Some(p.id),
            Audit {
                action: "phase_deleted",
                entity: "phase",
                id,
                before: Some(snapshot(
                    &old.phase.name,
                    old.phase.start_date,
                    old.phase.end_date,
                    &old_ids,
                    &names,
                )),
                after: None,
                detail: format!("{} {}", p.code, old.phase.name),
            },
        )?;
        Ok(Saved::Done(Done::new(id, Effect::Removed)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn values_must_stay_inside_a_phase_that_covers_their_county() {
        let phases = vec![
            PhaseShape {
                id: Some(1),
                name: "P1".into(),
                start: d("2024-07-01"),
                end: d("2024-12-31"),
                counties: vec![8, 9],
            },
            PhaseShape {
                id: Some(2),
                name: "P2".into(),
                start: d("2025-01-01"),
                end: d("2025-12-31"),
                counties: vec![8],
            },
        ];
        let groups = vec![
            (d("2024-07-01"), d("2024-09-30"), 8, 14),
            (d("2024-10-01"), d("2024-12-31"), 9, 14),
            (d("2025-01-01"), d("2025-03-31"), 9, 10),
            (d("2025-04-01"), d("2025-06-30"), 9, 10),
        ];
        let u = uncovered_values(&phases, &groups);
        assert_eq!(u.len(), 1);
        assert_eq!(u[&9], (20, d("2025-01-01"), d("2025-06-30")));
        let names = HashMap::from([(9, "Wajir".to_string())]);
        let msg = describe_uncovered(&u, &names);
        assert!(
            msg.starts_with("Wajir has 20 values from Jan 2025 to Jun 2025"),
            "{msg}"
        );
    }
}
