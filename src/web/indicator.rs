//! One indicator: its definition, and its history — values per county and period
//! against the milestones, who entered each and when, and the changes made.

use std::collections::{BTreeMap, HashMap};

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::view::render;
use crate::auth::Signed;
use crate::chart::{self, TrendChart};
use crate::compare::continuity as continuity_service;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::domain::disaggregation;
use crate::error::{AppError, AppResult};
use crate::figures::{self, kind};
use crate::format;
use crate::format::format_value;
use crate::models::{audit, continuity, framework, location, user, values};
use crate::web::guard::{ButtonOnly, CsrfForm};

/// Table columns shown unless `?all=1`: about three years of quarters.
const RECENT_PERIODS: usize = 12;

#[rocket::get("/programmes/<code>/indicators/<icode>?<all>")]
pub async fn show(
    db: &State<Db>,
    store: &State<crate::evidence::Store>,
    signed: &Signed,
    code: &str,
    icode: &str,
    all: Option<bool>,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> AppResult<Template> {
    let notes = Notes {
        flash: flash.map(|f| f.message().to_string()),
        ..Default::default()
    };
    show_page(
        db,
        signed,
        code,
        icode,
        all.unwrap_or(false),
        store.max_bytes,
        notes,
    )
    .await
}

/// Messages the page shows after a change or a refused form.
#[derive(Default)]
pub(crate) struct Notes {
    pub flash: Option<String>,
    pub link_error: Option<String>,
    pub evidence_error: Option<String>,
}

pub(crate) async fn show_page(
    db: &Db,
    signed: &Signed,
    code: &str,
    icode: &str,
    all: bool,
    evidence_max: u64,
    notes: Notes,
) -> AppResult<Template> {
    let (code, icode, access) = (code.to_string(), icode.to_string(), signed.access.clone());
    let (p, ind, quarters, vals, counties, names, changes, links, dims, evidence, covered) = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDetail)?;
            let ind = framework::indicator_by_code(c, p.id, &icode)?;
            let phases = crate::models::programme::phases_of(c, p.id)?;
            // Every quarter's figure from the engine (submitted values count, marked),
            // up to the newest quarter with a value or a milestone.
            let last = values::last_period_of_indicator(c, ind.id)?
                .map(|d| d.min(crate::clock::today()))
                .and_then(|d| {
                    (d >= p.start_date)
                        .then(|| crate::domain::period::Period::quarter_containing(d))
                });
            let req = figures::Request {
                basis: figures::Basis::Reported,
                indicator: Some(ind.id),
                counties: None,
                by_county: false,
                parts: true,
                to_date: true,
                history: 0,
                indicators: figures::Indicators::WithHistory,
            };
            let mut quarters = match last {
                Some(q) => figures::quarterly(c, &p, &phases, &ind, q, &req)?,
                None => Vec::new(),
            };
            quarters.retain(|(_, f)| f.completeness.reported > 0 || f.target.is_some());
            // The table: county values of the recent quarters (or all of them).
            let since = if all || quarters.len() <= RECENT_PERIODS {
                chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
            } else {
                quarters[quarters.len() - RECENT_PERIODS].0.start()
            };
            let vals = values::indicator_totals_since(c, ind.id, since)?;
            let counties: HashMap<i32, String> = location::counties(c)?
                .into_iter()
                .map(|l| (l.id, l.name))
                .collect();
            let names: HashMap<i32, String> = user::all(c)?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect();
            let changes = audit::recent_for_indicator(c, ind.id, 40)?;
            let links = link_rows(c, &ind)?;
            let dims = crate::models::category::dimensions(c, p.id)?;
            let attached = crate::models::evidence::of_indicator(c, ind.id)?;
            let evidence = crate::evidence::listed(c, &attached)?;
            // The counties a figure can be attached to: those of the programme's phases.
            let mut covered: Vec<(String, String)> = crate::models::programme::phases_of(c, p.id)?
                .into_iter()
                .flat_map(|ph| ph.counties.into_iter().map(|l| (l.name, l.code)))
                .collect();
            covered.sort();
            covered.dedup();
            Ok((
                p, ind, quarters, vals, counties, names, changes, links, dims, evidence, covered,
            ))
        })
        .await?;
    let rules = ind.rules()?;
    let cur = p.currency.clone();
    let fv = |v: f64| format_value(rules.unit, v, &cur);

    let chart_model = TrendChart {
        labels: quarters.iter().map(|(q, _)| q.id()).collect(),
        actual: quarters.iter().map(|(_, f)| f.value).collect(),
        target: quarters.iter().map(|(_, f)| f.target).collect(),
    };
    let svg = chart::chart(
        &chart_model,
        &format!("{} against its milestones", ind.code),
        &|v| fv(v),
    );
    let figure_of: HashMap<String, &figures::Figure> =
        quarters.iter().map(|(q, f)| (q.id(), f)).collect();

    // Table columns: the periods with values in the window, oldest first.
    let mut periods: Vec<(chrono::NaiveDate, String)> = vals
        .iter()
        .map(|v| (v.period_start, v.period.clone()))
        .collect();
    periods.sort();
    periods.dedup();
    let hidden = quarters.len().saturating_sub(periods.len());
    let mut by_county: BTreeMap<String, HashMap<String, Value>> = BTreeMap::new();
    for v in &vals {
        let county = counties.get(&v.location_id).cloned().unwrap_or_default();
        let who = v
            .entered_by
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| "imported".into());
        by_county.entry(county).or_default().insert(
            v.period.clone(),
            json!({ "value": fv(v.value), "status": v.status, "who": format!("{who}, {} · {}", format::date(v.entered_at.date()), v.status), "comment": v.comment }),
        );
    }
    let reported = periods;
    let rows: Vec<Value> = by_county
        .iter()
        .map(|(county, cells)| json!({ "county": county, "cells": reported.iter().map(|(_, p)| cells.get(p).cloned().unwrap_or(Value::Null)).collect::<Vec<_>>() }))
        .collect();
    let parts: Vec<String> = ind
        .dimensions()
        .iter()
        .map(|d| {
            let cats: Vec<String> = dims
                .options(d)
                .into_iter()
                .map(|c| dims.label(&disaggregation::key(d, c)).to_lowercase())
                .collect();
            let name = dims
                .get(d)
                .map(|c| c.label.to_lowercase())
                .unwrap_or_else(|| d.to_string());
            format!("{name} ({})", cats.join(", "))
        })
        .collect();
    let history: Vec<Value> = changes
        .iter()
        .map(|ch| {
            let e = &ch.entry;
            let (what, reason) = crate::domain::change::describe(
                e.before_json.as_deref(),
                e.after_json.as_deref(),
                &|v| fv(v),
            );
            let part = if ch.disaggregation.is_empty() {
                String::new()
            } else {
                dims.label(&ch.disaggregation)
            };
            json!({
                "at": e.at.format("%Y-%m-%d %H:%M").to_string(),
                "actor": e.actor,
                "action": e.action.trim_start_matches("value_").replace('_', " "),
                "county": counties.get(&ch.location_id).cloned().unwrap_or_default(),
                "period": ch.period,
                "part": part,
                "what": what,
                "reason": reason,
            })
        })
        .collect();
    Ok(render(
        "indicator",
        Some(signed),
        json!({
            "demo": p.is_demo,
            "programme": { "code": p.code, "name": p.name },
            "indicator": {
                "code": ind.code, "title": ind.title, "definition": ind.definition,
                "unit": rules.unit.label(), "direction": rules.direction.label(),
                "county_rule": rules.county.label(), "period_rule": rules.period.label(),
                "baseline": ind.baseline_value.map(fv), "baseline_date": ind.baseline_date.map(format::date),
                "end_target": ind.end_target.map(fv), "mov": ind.means_of_verification, "parts": parts,
            },
            "chart": svg,
            "periods": reported.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>(),
            "rows": rows,
            "total_row": reported.iter().map(|(_, p)| figure_of.get(p).map(|f| json!({ "value": kind::achieved(f, rules.unit, &cur, false), "provisional": f.provisional, "complete": f.complete() })).unwrap_or(Value::Null)).collect::<Vec<_>>(),
            "hidden_periods": hidden,
            "target_row": reported.iter().map(|(_, p)| figure_of.get(p).map(|f| kind::milestone(f, rules.unit, &cur)).unwrap_or_else(|| "—".into())).collect::<Vec<_>>(),
            "rag_row": reported.iter().map(|(_, p)| figure_of.get(p).and_then(|f| f.rag).map(|r| super::view::rag(Some(r)))).collect::<Vec<_>>(),
            "to_date_row": reported.iter().map(|(_, p)| figure_of.get(p).map(|f| kind::to_date_value(&f.to_date, rules.unit, &cur)).unwrap_or_else(|| "—".into())).collect::<Vec<_>>(),
            "to_date_what": quarters.last().map(|(_, f)| if f.to_date.running_total { "Total to date (from the programme's start)" } else { "Latest complete quarter by then" }),
            "part_rows": part_rows(&quarters, &reported, &dims, rules.unit, &cur),
            "county_rule": rules.county.label(),
            "history": history,
            "links": links,
            "can_link": signed.access.can(p.id, Permission::Edit),
            "link_error": notes.link_error,
            "flash": notes.flash,
            "evidence": evidence.iter().filter(|e| !e.archived).collect::<Vec<_>>(),
            "archived_evidence": evidence.iter().filter(|e| e.archived).collect::<Vec<_>>(),
            "evidence_error": notes.evidence_error,
            "can_upload": signed.access.can(p.id, Permission::Edit) && p.is_active(),
            "evidence_counties": covered.iter().map(|(name, code)| json!({ "name": name, "code": code })).collect::<Vec<_>>(),
            "evidence_period": reported.last().map(|(_, p)| p.clone()).unwrap_or_else(|| crate::domain::period::Period::quarter_containing(crate::clock::today()).prev().id()),
            "evidence_accepted": crate::domain::evidence::ACCEPTED,
            "evidence_max": crate::domain::evidence::size_label(evidence_max),
        }),
    ))
}

/// One row per disaggregated part ("Sex: Female"), a cell per quarter shown, with the
/// programme total's parts as the engine combines them.
fn part_rows(
    quarters: &[(crate::domain::period::Period, figures::Figure)],
    shown: &[(chrono::NaiveDate, String)],
    dims: &crate::domain::disaggregation::Dimensions,
    unit: crate::domain::unit::Unit,
    currency: &str,
) -> Vec<Value> {
    let mut keys: Vec<String> = Vec::new();
    for (_, f) in quarters {
        for p in &f.parts {
            if !keys.contains(&p.key) {
                keys.push(p.key.clone());
            }
        }
    }
    keys.iter()
        .map(|k| {
            let category = disaggregation::dimension_of(k)
                .and_then(|c| dims.get(c))
                .map(|c| c.label.clone())
                .unwrap_or_default();
            let cells: Vec<String> = shown
                .iter()
                .map(|(_, id)| {
                    quarters
                        .iter()
                        .find(|(q, _)| q.id() == *id)
                        .and_then(|(_, f)| f.parts.iter().find(|p| p.key == *k))
                        .and_then(|p| p.value)
                        .map(|v| format_value(unit, v, currency))
                        .unwrap_or_else(|| "—".into())
                })
                .collect();
            json!({ "label": format!("{category}: {}", dims.label(k)), "cells": cells })
        })
        .collect()
}

/// The indicator's continuity as the page shows it: what it continues, what continues
/// it, and changes of definition.
fn link_rows(c: &mut crate::db::DbConn, ind: &framework::Indicator) -> AppResult<Vec<Value>> {
    let programmes: HashMap<i32, String> = crate::models::programme::all(c)?
        .into_iter()
        .map(|p| (p.id, p.code))
        .collect();
    let mut out = Vec::new();
    for l in continuity::touching(c, ind.id)? {
        let other_id = if l.indicator_id == ind.id {
            l.continues_id
        } else {
            Some(l.indicator_id)
        };
        let other = match other_id {
            Some(id) => framework::indicator_by_id(c, id)?,
            None => None,
        };
        let text = match (&other, l.indicator_id == ind.id) {
            (Some(o), true) => format!(
                "Continues {} ({}) “{}”",
                o.code,
                programmes.get(&o.programme_id).cloned().unwrap_or_default(),
                o.title
            ),
            (Some(o), false) => format!(
                "Continued by {} ({}) “{}”",
                o.code,
                programmes.get(&o.programme_id).cloned().unwrap_or_default(),
                o.title
            ),
            (None, _) => format!(
                "Definition changed from {}",
                l.effective_period.clone().unwrap_or_default()
            ),
        };
        out.push(json!({
            "id": l.id,
            "text": text,
            "changed": l.definition_changed,
            "note": l.note,
            "own": l.indicator_id == ind.id,
            "on": format::date(l.created_at.date()),
        }));
    }
    Ok(out)
}

#[derive(rocket::form::FromForm)]
pub struct LinkForm {
    kind: String,
    #[field(default = String::new())]
    earlier: String,
    #[field(default = false)]
    definition_changed: bool,
    #[field(default = String::new())]
    from_period: String,
    #[field(default = String::new())]
    note: String,
}

#[rocket::post("/programmes/<code>/indicators/<icode>/links", data = "<form>")]
pub async fn add_link(
    db: &State<Db>,
    store: &State<crate::evidence::Store>,
    signed: &Signed,
    code: &str,
    icode: &str,
    form: CsrfForm<LinkForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    let (icode_s, who) = (icode.to_string(), signed.actor());
    let f = form.0;
    let outcome = db
        .run(move |c| {
            let ind = framework::indicator_by_code(c, p.id, &icode_s)?;
            let request = match f.kind.as_str() {
                "continues" => continuity_service::Request::Continues {
                    earlier_code: &f.earlier,
                    definition_changed: f.definition_changed,
                    note: &f.note,
                },
                "changed" => continuity_service::Request::DefinitionChanged {
                    from_period: &f.from_period,
                    note: &f.note,
                },
                other => {
                    return Err(AppError::invalid(
                        "kind",
                        format!("\"{other}\": expected continues or changed"),
                    ))
                }
            };
            continuity_service::add(c, &ind, request, &who, crate::clock::now())
        })
        .await;
    let url = format!("/programmes/{code}/indicators/{icode}#continuity");
    match outcome {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(url),
            "Continuity recorded.",
        ))),
        Err(AppError::Invalid { field, message }) => {
            let error = format!(
                "Nothing was recorded. {}{message}",
                field.map(|f| format!("{f}: ")).unwrap_or_default()
            );
            let notes = Notes {
                link_error: Some(error),
                ..Default::default()
            };
            let t = show_page(db, signed, code, icode, false, store.max_bytes, notes).await?;
            Ok(Err((Status::UnprocessableEntity, t)))
        }
        Err(e) => Err(e),
    }
}

#[rocket::post(
    "/programmes/<code>/indicators/<icode>/links/<id>/delete",
    data = "<_form>"
)]
pub async fn remove_link(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    icode: &str,
    id: i32,
    _form: CsrfForm<ButtonOnly>,
) -> AppResult<Flash<Redirect>> {
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    let (icode_s, who) = (icode.to_string(), signed.actor());
    db.run(move |c| {
        let ind = framework::indicator_by_code(c, p.id, &icode_s)?;
        continuity_service::remove(c, &ind, id, &who)
    })
    .await?;
    Ok(Flash::success(
        Redirect::to(format!("/programmes/{code}/indicators/{icode}#continuity")),
        "Link removed.",
    ))
}
