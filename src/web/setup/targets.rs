//! An indicator's interim targets (the logframe's milestones): a table of periods (the
//! programme's quarters, and half-years or Kenyan fiscal years that have targets or are
//! added) by programme total, disaggregation option and, when asked, county. Each
//! stored cell carries its version; a blank cell removes its target.

use std::collections::{BTreeSet, HashMap};

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::{for_setup, form_page, last_change, said, Page};
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::disaggregation::Dimensions;
use crate::domain::period::Period;
use crate::domain::setup::{check_target_period, TargetFields};
use crate::domain::unit::Unit;
use crate::error::{AppError, AppResult};
use crate::models::framework::{self, Indicator};
use crate::models::location::Location;
use crate::models::programme::Programme;
use crate::models::target::TargetRow;
use crate::models::{category, programme};
use crate::report::ministry::MOU_ORDER;
use crate::setup::target::{set_targets, TargetEdit, TargetsSaved};
use crate::web::guard::{CsrfForm, RawFields};

/// A cell's name in the form: "2026Q3:023:sex=female" (period, county code, part).
fn key(period: &str, county: &str, part: &str) -> String {
    format!("{period}:{county}:{part}")
}

fn split_key(k: &str) -> Option<(&str, &str, &str)> {
    let mut it = k.splitn(3, ':');
    Some((it.next()?, it.next()?, it.next()?))
}

/// What the table is built from, read once.
struct Loaded {
    p: Programme,
    indicator: Indicator,
    stored: Vec<TargetRow>,
    /// Counties of the programme's phases, the MoU's first.
    counties: Vec<Location>,
    dims: Dimensions,
}

async fn load(db: &Db, signed: &Signed, code: &str, id: i32) -> AppResult<Loaded> {
    let p = for_setup(db, signed, code).await?;
    let pid = p.id;
    db.run(move |c| {
        let indicator = framework::find_indicator(c, pid, id)?;
        let stored = crate::models::target::of_indicator(c, id)?;
        let mut counties: Vec<Location> = Vec::new();
        for ph in programme::phases_of(c, pid)? {
            for county in ph.counties {
                if !counties.iter().any(|x| x.id == county.id) {
                    counties.push(county);
                }
            }
        }
        counties.sort_by_key(|c| {
            (
                MOU_ORDER
                    .iter()
                    .position(|n| *n == c.name)
                    .unwrap_or(MOU_ORDER.len()),
                c.code.clone(),
            )
        });
        let dims = category::dimensions(c, pid)?;
        Ok(Loaded {
            p,
            indicator,
            stored,
            counties,
            dims,
        })
    })
    .await
}

/// The typed state of the table: values, versions and the values as loaded, per cell.
#[derive(Default)]
struct Cells {
    typed: HashMap<String, String>,
    versions: HashMap<String, i32>,
    loaded: HashMap<String, String>,
    errors: HashMap<String, String>,
    /// After a conflict: what is saved now where it differs from what was loaded.
    theirs: HashMap<String, String>,
}

fn stored_cells(l: &Loaded) -> Cells {
    let codes: HashMap<i32, String> = l.counties.iter().map(|c| (c.id, c.code.clone())).collect();
    let mut cells = Cells::default();
    for (edit, row) in crate::setup::target::fields_of(&l.stored, &l.indicator.code, &codes)
        .into_iter()
        .zip(&l.stored)
    {
        let county = row
            .location_id
            .map(|id| codes.get(&id).cloned().unwrap_or_else(|| id.to_string()))
            .unwrap_or_default();
        let k = key(&edit.fields.period, &county, &edit.fields.disaggregation);
        cells.typed.insert(k.clone(), edit.fields.value.clone());
        cells.loaded.insert(k.clone(), edit.fields.value);
        cells.versions.insert(k, row.version);
    }
    cells
}

/// The table as the template shows it.
fn table(l: &Loaded, cells: &Cells, show_counties: bool, add: Option<&Period>) -> Value {
    let p = &l.p;
    let ind = &l.indicator;
    // Columns: the programme total, each option of the indicator's categories, then
    // (asked for, or where targets exist) each county and its parts.
    let mut cols: Vec<(String, String, String)> =
        vec![(String::new(), String::new(), "Programme".into())];
    let parts: Vec<String> = ind
        .dimensions()
        .iter()
        .flat_map(|d| {
            l.dims
                .options(d)
                .into_iter()
                .map(move |o| format!("{d}={o}"))
        })
        .collect();
    for part in &parts {
        cols.push((String::new(), part.clone(), l.dims.label(part)));
    }
    let in_use: BTreeSet<(String, String)> = cells
        .typed
        .keys()
        .filter_map(|k| split_key(k).map(|(_, c, d)| (c.to_string(), d.to_string())))
        .collect();
    for county in &l.counties {
        if show_counties || in_use.iter().any(|(c, _)| *c == county.code) {
            cols.push((county.code.clone(), String::new(), county.name.clone()));
        }
        for part in &parts {
            if in_use.contains(&(county.code.clone(), part.clone())) {
                cols.push((
                    county.code.clone(),
                    part.clone(),
                    format!("{} {}", county.name, l.dims.label(part)),
                ));
            }
        }
    }
    // Rows: every quarter of the programme, and any other period with targets, typed
    // or being added; each kind of longer period after the last quarter it covers.
    let mut periods: Vec<Period> = Vec::new();
    let mut q = Period::quarter_containing(p.start_date);
    while q.start() <= p.end_date {
        periods.push(q);
        q = q.next();
    }
    let mut more: BTreeSet<String> = cells
        .typed
        .keys()
        .filter_map(|k| split_key(k).map(|(pe, _, _)| pe.to_string()))
        .collect();
    if let Some(a) = add {
        more.insert(a.id());
    }
    for id in more {
        if let Ok(pe) = Period::parse(&id) {
            if !periods.contains(&pe) {
                periods.push(pe);
            }
        }
    }
    periods.sort_by_key(|pe| (pe.end(), std::cmp::Reverse(pe.start())));
    let unit = ind.unit.parse::<Unit>().unwrap_or(Unit::Number);
    let rows: Vec<Value> = periods
        .iter()
        .map(|pe| {
            let id = pe.id();
            let cells: Vec<Value> = cols
                .iter()
                .map(|(county, part, label)| {
                    let k = key(&id, county, part);
                    json!({
                        "name": k, "label": format!("{id} {label}"),
                        "value": cells.typed.get(&k).cloned().unwrap_or_default(),
                        "version": cells.versions.get(&k),
                        "loaded": cells.loaded.get(&k),
                        "error": cells.errors.get(&k),
                        "theirs": cells.theirs.get(&k),
                    })
                })
                .collect();
            json!({ "id": id, "label": pe.label(), "quarter": id.contains('Q'), "cells": cells })
        })
        .collect();
    json!({
        "cols": cols.iter().map(|(_, _, l)| l).collect::<Vec<_>>(),
        "rows": rows,
        "unit": unit.description(),
        "indicator": { "id": ind.id, "code": ind.code, "title": ind.title, "archived": ind.archived },
        "baseline": ind.baseline_value.map(|v| format!(
            "{}{}",
            crate::format::format_value(unit, v, &p.currency),
            ind.baseline_date.map(|d| format!(" ({})", crate::format::date(d))).unwrap_or_default()
        )),
        "end_target": ind.end_target.map(|v| format!(
            "{}{}",
            crate::format::format_value(unit, v, &p.currency),
            ind.end_target_date.map(|d| format!(" by {}", crate::format::date(d))).unwrap_or_default()
        )),
        "show_counties": show_counties,
        "counties_available": !l.counties.is_empty(),
    })
}

fn page(
    signed: &Signed,
    l: &Loaded,
    cells: &Cells,
    show_counties: bool,
    add: Option<&Period>,
    extra: Value,
) -> Template {
    let mut own = table(l, cells, show_counties, add);
    own["action"] = json!(format!(
        "/programmes/{}/setup/indicators/{}/targets",
        l.p.code, l.indicator.id
    ));
    if let (Value::Object(m), Value::Object(x)) = (&mut own, extra) {
        m.extend(x);
    }
    form_page("setup_targets", signed, &l.p, own)
}

#[rocket::get("/programmes/<code>/setup/indicators/<id>/targets?<add>&<counties>")]
pub async fn show(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    add: Option<&str>,
    counties: Option<bool>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<(Status, Template)> {
    let l = load(db, signed, code, id).await?;
    let cells = stored_cells(&l);
    let (mut added, mut add_error) = (None, None);
    if let Some(a) = add.map(str::trim).filter(|a| !a.is_empty()) {
        match check_target_period(a, &l.p.reporting_frequency, (l.p.start_date, l.p.end_date)) {
            Ok(pe) => added = Some(pe),
            Err(m) => add_error = Some(json!({ "typed": a, "message": m })),
        }
    }
    let extra = json!({ "flash": flash.map(|f| f.message().to_string()), "add_error": add_error });
    let status = if add_error.is_some() {
        Status::UnprocessableEntity
    } else {
        Status::Ok
    };
    Ok((
        status,
        page(
            signed,
            &l,
            &cells,
            counties.unwrap_or(false),
            added.as_ref(),
            extra,
        ),
    ))
}

#[rocket::post("/programmes/<code>/setup/indicators/<id>/targets", data = "<form>")]
pub async fn save(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let raw = form.0;
    let l = load(db, signed, code, id).await?;
    let show_counties = raw.get("counties") == Some("true");
    let mut cells = Cells::default();
    let mut keys: Vec<String> = Vec::new();
    let mut edits: Vec<TargetEdit> = Vec::new();
    for (k, value) in raw.with_prefix("t:") {
        let Some((period, county, part)) = split_key(k) else {
            return Err(AppError::invalid(
                "targets",
                format!("the form holds a cell it cannot read ('{k}'); reload the page"),
            ));
        };
        let loaded = raw.get(&format!("o:{k}")).unwrap_or("").to_string();
        let version = raw
            .get(&format!("b:{k}"))
            .and_then(|v| v.parse::<i32>().ok());
        cells.typed.insert(k.to_string(), value.to_string());
        if let Some(v) = version {
            cells.versions.insert(k.to_string(), v);
            cells.loaded.insert(k.to_string(), loaded.clone());
        }
        // Only what the person changed is sent: a colleague's edit elsewhere in the
        // table is neither overwritten nor a conflict.
        if value.trim() == loaded.trim() {
            continue;
        }
        keys.push(k.to_string());
        edits.push(TargetEdit {
            fields: TargetFields {
                indicator: l.indicator.code.clone(),
                period: period.to_string(),
                county: county.to_string(),
                disaggregation: part.to_string(),
                value: value.to_string(),
            },
            base_version: Some(version.unwrap_or(0)),
        });
    }
    let (actor, prog, ind) = (signed.actor(), l.p.clone(), l.indicator.clone());
    let saved = db
        .run(move |c| set_targets(c, &actor, &prog, &ind, &edits, false))
        .await?;
    let here = format!(
        "/programmes/{}/setup/indicators/{}/targets{}",
        l.p.code,
        id,
        if show_counties { "?counties=true" } else { "" }
    );
    match saved {
        TargetsSaved::Done(d) => Ok(Ok(Flash::success(
            Redirect::to(here),
            said(&format!("Interim targets of {}", l.indicator.code), &d),
        ))),
        TargetsSaved::Invalid(problems) => {
            let mut general = Vec::new();
            for pr in problems {
                match pr.index.and_then(|i| keys.get(i)) {
                    Some(k) => {
                        cells.errors.insert(k.clone(), pr.message);
                    }
                    None => general.push(pr.message),
                }
            }
            let extra = json!({ "invalid": true, "general": general });
            Ok(Err((
                Status::UnprocessableEntity,
                page(signed, &l, &cells, show_counties, None, extra),
            )))
        }
        TargetsSaved::Stale(now) => {
            // What is saved now, beside what this person loaded: theirs where they differ.
            let fresh = Loaded { stored: now, ..l };
            let saved_now = stored_cells(&fresh);
            let mut all: BTreeSet<String> = cells.loaded.keys().cloned().collect();
            all.extend(saved_now.loaded.keys().cloned());
            for k in all {
                let before = cells.loaded.get(&k).cloned().unwrap_or_default();
                let after = saved_now.loaded.get(&k).cloned().unwrap_or_default();
                let changed_by_them =
                    before != after || cells.versions.get(&k) != saved_now.versions.get(&k);
                let typed = cells
                    .typed
                    .get(&k)
                    .cloned()
                    .unwrap_or_else(|| before.clone());
                if changed_by_them && typed.trim() != before.trim() {
                    // Both changed this cell: theirs beside it, this person's kept to choose.
                    cells.theirs.insert(
                        k.clone(),
                        if after.is_empty() {
                            "none (removed)".into()
                        } else {
                            after.clone()
                        },
                    );
                } else {
                    // Only they changed it: take theirs, so saving again keeps it.
                    cells.typed.insert(k.clone(), after.clone());
                }
                // Saving again now replaces what is saved now, deliberately.
                match saved_now.versions.get(&k) {
                    Some(v) => {
                        cells.versions.insert(k.clone(), *v);
                        cells.loaded.insert(k, after);
                    }
                    None => {
                        cells.versions.remove(&k);
                        cells.loaded.remove(&k);
                    }
                }
            }
            let (by, at) = last_change(db, "indicator", fresh.indicator.id).await;
            let extra = json!({ "conflict": { "by": by, "at": at } });
            Ok(Err((
                Status::Conflict,
                page(signed, &fresh, &cells, show_counties, None, extra),
            )))
        }
    }
}
