//! The programme's setup page: every part of the set-up in one place, each with what
//! it holds now and the links and buttons to change it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::programme_ctx;
use crate::auth::Signed;
use crate::db::{Db, DbConn};
use crate::domain::access::Permission;
use crate::domain::codelist;
use crate::domain::period::Period;
use crate::domain::setup::{fiscal_year_label, period_rule_label, status_label};
use crate::domain::unit::{format_minor, Unit};
use crate::error::{AppError, AppResult};
use crate::format;
use crate::models::framework::{level_rank, Indicator, ResultRow};
use crate::models::programme::Programme;
use crate::models::{activity, budget, category, framework, organisation, programme, target, user};
use crate::web::view::render;

/// A refusal or a stale click on one item of the page, shown beside it.
pub(super) struct Problem {
    /// "phase-12", "result-4": the item it is about.
    pub key: String,
    pub message: String,
}

/// The programme for its setup page: those who set it up, and administrators (who
/// read it; they change it only through a role).
pub(super) fn readable(
    c: &mut DbConn,
    access: &crate::auth::Access,
    code: &str,
) -> AppResult<Programme> {
    let p = access.programme(c, code, Permission::ViewDashboard)?;
    if access.can(p.id, Permission::Setup) || access.is_admin {
        Ok(p)
    } else {
        Err(AppError::Forbidden(
            "Only the programme's managers and M&E officers set it up.".into(),
        ))
    }
}

#[rocket::get("/programmes/<code>/setup")]
pub async fn show(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let flash = flash.map(|f| (f.kind().to_string(), f.message().to_string()));
    overview(db, signed, code, flash, None).await
}

/// The page again with a problem beside one of its items (a refused removal, a stale click).
/// A refused removal or move: the setup page again, the service's reasons beside the item.
pub(super) async fn refused(
    db: &Db,
    signed: &Signed,
    code: &str,
    key: String,
    e: crate::setup::FieldErrors,
) -> AppResult<(Status, Template)> {
    let message = e.into_values().collect::<Vec<_>>().join("; ");
    with_problem(db, signed, code, Status::UnprocessableEntity, key, message).await
}

pub(super) async fn with_problem(
    db: &Db,
    signed: &Signed,
    code: &str,
    status: Status,
    key: String,
    message: String,
) -> AppResult<(Status, Template)> {
    let t = overview(db, signed, code, None, Some(Problem { key, message })).await?;
    Ok((status, t))
}

async fn overview(
    db: &Db,
    signed: &Signed,
    code: &str,
    flash: Option<(String, String)>,
    problem: Option<Problem>,
) -> AppResult<Template> {
    let (code, access) = (code.to_string(), signed.access.clone());
    let (p, mut ctx) = db
        .run(move |c| {
            let p = readable(c, &access, &code)?;
            let ctx = sections(c, &p)?;
            Ok((p, ctx))
        })
        .await?;
    let may_setup = signed.access.can(p.id, Permission::Setup);
    let base = programme_ctx(&p);
    if let (Value::Object(m), Value::Object(x)) = (&mut ctx, base) {
        m.extend(x);
    }
    ctx["can_change"] = json!(may_setup && p.is_active());
    ctx["admin_reads"] = json!(!may_setup);
    ctx["flash"] =
        json!(flash.map(|(kind, message)| json!({ "ok": kind != "error", "message": message })));
    if let Some(pr) = problem {
        ctx["problem"] = json!({ "key": pr.key, "message": pr.message });
    }
    Ok(render("setup", Some(signed), ctx))
}

/// Everything the page shows, read in one go.
fn sections(c: &mut DbConn, p: &Programme) -> AppResult<Value> {
    let results = framework::results_of(c, p.id)?;
    let indicators = framework::indicators_of(c, p.id)?;
    let mut targets: HashMap<i32, usize> = HashMap::new();
    for t in target::of_programme(c, p.id)? {
        *targets.entry(t.indicator_id).or_default() += 1;
    }
    Ok(json!({
        "details": details(p),
        "phases": phases(c, p)?,
        "partners": partners(c, p)?,
        "categories": categories(c, p, &indicators)?,
        "tree": tree(p, &results, &indicators, &targets),
        "has_impact": results.iter().any(|r| r.level == "impact" && !r.archived),
        "archived": archived(&results, &indicators),
        "weighting_problem": crate::setup::framework::weighting_problem(&results),
        "budget": budget_view(c, p, &results)?,
        "people": people(c, p)?,
    }))
}

fn details(p: &Programme) -> Value {
    let n = |v: f64| crate::domain::unit::format_number(v, if v.fract() == 0.0 { 0 } else { 1 });
    let mut rows = vec![
        ("Code", p.code.clone()),
        ("Name", p.name.clone()),
        ("Short name", p.short_name.clone()),
        ("Funder", p.funder.clone()),
        ("Currency", p.currency.clone()),
        (
            "Dates",
            format!(
                "{} to {}",
                format::date(p.start_date),
                format::date(p.end_date)
            ),
        ),
        ("Reporting", p.reporting_frequency.clone()),
        (
            "Status colours",
            format!(
                "green within {}%, amber within {}% of the milestone",
                n(p.rag_green_within),
                n(p.rag_amber_within)
            ),
        ),
        ("IATI identifier", p.iati_identifier.clone()),
        ("Donor reference", p.donor_reference.clone()),
        ("Status", status_label(&p.status).to_string()),
    ];
    rows.retain(|(_, v)| !v.is_empty());
    json!({ "rows": rows, "description": p.description })
}

fn phases(c: &mut DbConn, p: &Programme) -> AppResult<Vec<Value>> {
    Ok(programme::phases_of(c, p.id)?
        .iter()
        .map(|ph| {
            json!({
                "id": ph.phase.id, "version": ph.phase.version, "name": ph.phase.name,
                "dates": format!("{} to {}", format::date(ph.phase.start_date), format::date(ph.phase.end_date)),
                "counties": ph.counties.iter().map(|c| json!({ "name": c.name, "code": c.code, "initial": c.mou_initial })).collect::<Vec<_>>(),
            })
        })
        .collect())
}

fn partners(c: &mut DbConn, p: &Programme) -> AppResult<Vec<Value>> {
    // partners_of gives one row per role; a partner is listed once with all its roles.
    let mut order: Vec<i32> = Vec::new();
    let mut by_org: HashMap<i32, (organisation::Organisation, Vec<String>)> = HashMap::new();
    for (role, o) in organisation::partners_of(c, p.id)? {
        if !by_org.contains_key(&o.id) {
            order.push(o.id);
        }
        by_org
            .entry(o.id)
            .or_insert_with(|| (o.clone(), Vec::new()))
            .1
            .push(role);
    }
    Ok(order
        .into_iter()
        .filter_map(|id| by_org.remove(&id))
        .map(|(o, mut roles)| {
            roles.sort_by_key(|r| codelist::role_rank(r));
            json!({
                "id": o.id, "version": o.version, "code": o.code, "name": o.name, "short_name": o.short_name,
                "iati_type": if o.iati_type.is_empty() { String::new() } else { format!("{} {}", o.iati_type, codelist::organisation_type_label(&o.iati_type)) },
                "iati_identifier": o.iati_identifier,
                "roles": roles.iter().map(|r| format!("{} ({})", codelist::role_label(r), codelist::role_code(r).unwrap_or(0))).collect::<Vec<_>>(),
            })
        })
        .collect())
}

fn categories(c: &mut DbConn, p: &Programme, indicators: &[Indicator]) -> AppResult<Vec<Value>> {
    Ok(category::of_programme(c, p.id)?
        .iter()
        .map(|(cat, opts)| {
            let used: Vec<&str> = indicators
                .iter()
                .filter(|i| i.dimensions().contains(&cat.code.as_str()))
                .map(|i| i.code.as_str())
                .collect();
            json!({
                "id": cat.id, "version": cat.version, "code": cat.code, "label": cat.label,
                "options": opts.iter().map(|o| o.label.as_str()).collect::<Vec<_>>().join(", "),
                "used_by": used,
            })
        })
        .collect())
}

fn level_label(level: &str) -> &'static str {
    match level {
        "impact" => "Impact",
        "outcome" => "Outcome",
        _ => "Output",
    }
}

/// The live framework in reading order, each result with its live indicators and the
/// facts the move buttons need (first / last among its siblings).
fn tree(
    p: &Programme,
    results: &[ResultRow],
    indicators: &[Indicator],
    targets: &HashMap<i32, usize>,
) -> Vec<Value> {
    let live: Vec<&ResultRow> = results.iter().filter(|r| !r.archived).collect();
    let mut roots: Vec<&ResultRow> = live
        .iter()
        .copied()
        .filter(|r| r.parent_id.is_none())
        .collect();
    roots.sort_by_key(|r| (level_rank(&r.level), r.position, r.id));
    let mut out = Vec::new();
    for r in &roots {
        walk(p, r, 0, &live, &roots, indicators, targets, &mut out);
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn walk(
    p: &Programme,
    r: &ResultRow,
    depth: usize,
    live: &[&ResultRow],
    siblings: &[&ResultRow],
    indicators: &[Indicator],
    targets: &HashMap<i32, usize>,
    out: &mut Vec<Value>,
) {
    let same: Vec<&&ResultRow> = siblings.iter().filter(|s| s.level == r.level).collect();
    let at = same.iter().position(|s| s.id == r.id).unwrap_or(0);
    let mut own: Vec<&Indicator> = indicators
        .iter()
        .filter(|i| i.result_id == r.id && !i.archived)
        .collect();
    own.sort_by_key(|i| (i.position, i.code.clone()));
    let n = own.len();
    let inds: Vec<Value> = own
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let unit = i.unit.parse::<Unit>().map(|u| u.label()).unwrap_or("");
            json!({
                "id": i.id, "version": i.version, "code": i.code, "title": i.title, "unit": unit,
                "period_rule": period_rule_label(&i.period_aggregation), "key": i.is_key,
                "parts": i.dimensions(), "targets": targets.get(&i.id).copied().unwrap_or(0),
                "first": k == 0, "last": k + 1 == n,
            })
        })
        .collect();
    let child_level = match r.level.as_str() {
        "impact" => Some("outcome"),
        "outcome" => Some("output"),
        _ => None,
    };
    out.push(json!({
        "id": r.id, "version": r.version, "depth": depth, "level": r.level, "level_label": level_label(&r.level),
        "code": r.code, "statement": r.statement,
        "weighting": r.impact_weighting.map(|w| format!("{}%", crate::domain::unit::format_number(w, if w.fract() == 0.0 { 0 } else { 1 }))),
        "risk": r.risk_rating, "assumptions": r.assumptions,
        "first": at == 0, "last": at + 1 == same.len(),
        "indicators": inds, "child_level": child_level,
        "programme": p.code,
    }));
    let mut children: Vec<&ResultRow> = live
        .iter()
        .copied()
        .filter(|c| c.parent_id == Some(r.id))
        .collect();
    children.sort_by_key(|c| (c.position, c.id));
    for c in &children {
        walk(p, c, depth + 1, live, &children, indicators, targets, out);
    }
}

fn archived(results: &[ResultRow], indicators: &[Indicator]) -> Value {
    let code_of: HashMap<i32, &str> = results.iter().map(|r| (r.id, r.code.as_str())).collect();
    json!({
        "results": results.iter().filter(|r| r.archived).map(|r| json!({
            "id": r.id, "version": r.version, "code": r.code, "level": level_label(&r.level), "statement": r.statement,
        })).collect::<Vec<_>>(),
        "indicators": indicators.iter().filter(|i| i.archived).map(|i| json!({
            "id": i.id, "version": i.version, "code": i.code, "title": i.title,
            "result": code_of.get(&i.result_id).copied().unwrap_or(""),
        })).collect::<Vec<_>>(),
    })
}

/// Budget per output and Kenyan fiscal year, with totals, and the lines themselves.
fn budget_view(c: &mut DbConn, p: &Programme, results: &[ResultRow]) -> AppResult<Value> {
    let lines = budget::of_programme(c, p.id)?;
    let activities = activity::of_programme(c, p.id)?;
    let years: BTreeSet<String> = lines.iter().map(|l| l.fiscal_year.clone()).collect();
    let years: Vec<(String, String)> = years
        .into_iter()
        .map(|fy| {
            let label = Period::parse(&fy)
                .map(|p| fiscal_year_label(&p))
                .unwrap_or_else(|_| fy.clone());
            (fy, label)
        })
        .collect();
    let money = |v: i64| format_minor(v, &p.currency);
    let mut per: BTreeMap<(i32, String), i64> = BTreeMap::new();
    for l in &lines {
        *per.entry((l.result_id, l.fiscal_year.clone())).or_default() += l.amount_minor;
    }
    let with_lines: BTreeSet<i32> = lines.iter().map(|l| l.result_id).collect();
    let mut outputs: Vec<&ResultRow> = results
        .iter()
        .filter(|r| r.level == "output" && (!r.archived || with_lines.contains(&r.id)))
        .collect();
    outputs.sort_by_key(|r| (r.position, r.id));
    let rows: Vec<Value> = outputs
        .iter()
        .map(|r| {
            let cells: Vec<String> = years
                .iter()
                .map(|(fy, _)| per.get(&(r.id, fy.clone())).map(|v| money(*v)).unwrap_or_default())
                .collect();
            let total: i64 = per.iter().filter(|((rid, _), _)| *rid == r.id).map(|(_, v)| v).sum();
            json!({ "code": r.code, "statement": r.statement, "archived": r.archived, "cells": cells, "total": if total > 0 { money(total) } else { String::new() } })
        })
        .collect();
    let year_totals: Vec<String> = years
        .iter()
        .map(|(fy, _)| {
            money(
                lines
                    .iter()
                    .filter(|l| &l.fiscal_year == fy)
                    .map(|l| l.amount_minor)
                    .sum(),
            )
        })
        .collect();
    let code_of: HashMap<i32, &str> = results.iter().map(|r| (r.id, r.code.as_str())).collect();
    let activity_of: HashMap<i32, &str> =
        activities.iter().map(|a| (a.id, a.code.as_str())).collect();
    let mut listed: Vec<&budget::BudgetLine> = lines.iter().collect();
    listed.sort_by_key(|l| {
        (
            l.fiscal_year.clone(),
            code_of.get(&l.result_id).copied().unwrap_or(""),
            l.activity_id,
        )
    });
    let list: Vec<Value> = listed
        .iter()
        .map(|l| {
            json!({
                "id": l.id, "version": l.version,
                "output": code_of.get(&l.result_id).copied().unwrap_or(""),
                "activity": l.activity_id.and_then(|a| activity_of.get(&a).copied()).unwrap_or(""),
                "year": years.iter().find(|(fy, _)| *fy == l.fiscal_year).map(|(_, label)| label.as_str()).unwrap_or(&l.fiscal_year),
                "amount": money(l.amount_minor), "description": l.description,
            })
        })
        .collect();
    Ok(json!({
        "years": years.iter().map(|(_, l)| l).collect::<Vec<_>>(),
        "rows": rows, "year_totals": year_totals,
        "total": money(lines.iter().map(|l| l.amount_minor).sum()),
        "lines": list, "has_outputs": results.iter().any(|r| r.level == "output" && !r.archived),
    }))
}

/// Who holds a role in the programme: the page tells an administrator who builds it.
fn people(c: &mut DbConn, p: &Programme) -> AppResult<Vec<Value>> {
    let mut out = Vec::new();
    for u in user::all(c)? {
        for g in user::grants_of(c, u.id)? {
            if g.programme_code == p.code && (g.role == "manager" || g.role == "me_officer") {
                out.push(json!({ "name": u.display_name, "role": user::role_label(&g.role) }));
            }
        }
    }
    Ok(out)
}
