//! The results framework (impact → outcomes → outputs) and the indicators under each
//! result: forms to add and edit, and buttons to move, remove and restore.

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::page::{refused, with_problem};
use super::{
    back, conflict, errors_json, fields_from, for_setup, form_page, last_change, said, version_of,
    Page,
};
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::achievement::Direction;
use crate::domain::aggregation::{CountyAggregation, PeriodAggregation};
use crate::domain::setup::{
    county_rule_label, period_rule_label, IndicatorFields, ResultFields, RISK_RATINGS,
};
use crate::domain::unit::Unit;
use crate::error::AppResult;
use crate::models::category;
use crate::models::framework::{self, Indicator, ResultRow};
use crate::models::programme::Programme;
use crate::setup::{self, Done, FieldErrors, Saved};
use crate::web::guard::{CsrfForm, RawFields};

const RESULT_LABELS: &[(&str, &str)] = &[
    ("level", "Level"),
    ("code", "Code"),
    ("statement", "Statement"),
    ("parent", "Contributes to"),
    ("impact_weighting", "Impact weighting (%)"),
    ("risk_rating", "Risk rating"),
    ("assumptions", "Assumptions"),
];

const INDICATOR_LABELS: &[(&str, &str)] = &[
    ("result", "Result"),
    ("code", "Code"),
    ("title", "Title"),
    ("definition", "Definition"),
    ("unit", "Unit"),
    ("direction", "Direction"),
    ("county_rule", "Over counties"),
    ("period_rule", "Over periods"),
    ("baseline_value", "Baseline"),
    ("baseline_date", "Baseline date"),
    ("end_target", "End target"),
    ("end_target_date", "End target date"),
    ("means_of_verification", "Means of verification"),
    ("data_source", "Data source"),
    ("key", "Key indicator"),
    ("disaggregations", "Disaggregations"),
];

/// Fields whose change, once figures are approved, would change how they are read.
const MEASUREMENT_FIELDS: [&str; 5] = [
    "unit",
    "direction",
    "county_rule",
    "period_rule",
    "disaggregations",
];

fn short(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        format!("{}…", s.chars().take(n).collect::<String>())
    } else {
        s.to_string()
    }
}

fn level_word(level: &str) -> &'static str {
    match level {
        "impact" => "Impact",
        "outcome" => "Outcome",
        _ => "Output",
    }
}

async fn results(db: &Db, p: &Programme) -> AppResult<Vec<ResultRow>> {
    let pid = p.id;
    db.run(move |c| framework::results_of(c, pid)).await
}

/// What a result contributes to, for the parent choice: the live impact and outcomes.
fn parent_choices(all: &[ResultRow]) -> Value {
    let pick = |level: &str| -> Vec<Value> {
        all.iter()
            .filter(|r| r.level == level && !r.archived)
            .map(|r| json!({ "code": r.code, "label": format!("{} — {}", r.code, short(&r.statement, 70)) }))
            .collect()
    };
    json!({ "impact": pick("impact"), "outcome": pick("outcome") })
}

// ---- results ----

fn result_page(
    signed: &Signed,
    p: &Programme,
    all: &[ResultRow],
    id: Option<i32>,
    f: Value,
    extra: Value,
) -> Template {
    let action = match id {
        Some(id) => format!("/programmes/{}/setup/results/{id}", p.code),
        None => format!("/programmes/{}/setup/results", p.code),
    };
    let mut own = json!({
        "f": f, "parents": parent_choices(all), "risks": RISK_RATINGS, "action": action, "new": id.is_none(),
    });
    if let (Value::Object(m), Value::Object(x)) = (&mut own, extra) {
        m.extend(x);
    }
    form_page("setup_result", signed, p, own)
}

#[rocket::get("/programmes/<code>/setup/results/new?<level>&<parent>")]
pub async fn new_result(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    level: Option<&str>,
    parent: Option<&str>,
) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let all = results(db, &p).await?;
    let has_impact = all.iter().any(|r| r.level == "impact" && !r.archived);
    let level = match level {
        Some(l @ ("impact" | "outcome" | "output")) => l,
        _ if !has_impact => "impact",
        _ => "output",
    };
    let f = json!(ResultFields {
        level: level.into(),
        parent: parent.unwrap_or("").into(),
        ..Default::default()
    });
    Ok(result_page(signed, &p, &all, None, f, json!({})))
}

#[rocket::get("/programmes/<code>/setup/results/<id>", rank = 2)]
pub async fn edit_result(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let all = results(db, &p).await?;
    let r = all
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| crate::error::AppError::not_found("This programme has no such result."))?;
    let mut f = json!(setup::framework::result_fields(r, &all));
    f["version"] = json!(r.version);
    let extra = json!({ "archived": r.archived });
    Ok(result_page(signed, &p, &all, Some(id), f, extra))
}

async fn post_result(
    db: &Db,
    signed: &Signed,
    code: &str,
    id: Option<i32>,
    raw: RawFields,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let existing = match id {
        Some(id) => Some((id, version_of(&raw)?)),
        None => None,
    };
    let fields: ResultFields = fields_from(&raw, &[])?;
    let (actor, prog, f) = (signed.actor(), p.clone(), fields.clone());
    let saved = db
        .run(move |c| setup::framework::save_result(c, &actor, &prog, existing, &f))
        .await?;
    let mut mine = json!(fields);
    match saved {
        Saved::Done(d) => {
            let what = format!("{} {}", level_word(fields.level.trim()), fields.code.trim());
            Ok(Ok(back(&p, &format!("result-{}", d.id), said(&what, &d))))
        }
        Saved::Invalid(e) => {
            let all = results(db, &p).await?;
            mine["version"] = json!(existing.map(|e| e.1));
            Ok(Err((
                Status::UnprocessableEntity,
                result_page(
                    signed,
                    &p,
                    &all,
                    id,
                    mine,
                    json!({ "errors": errors_json(&e) }),
                ),
            )))
        }
        Saved::Stale(theirs) => {
            let all = results(db, &p).await?;
            let theirs_f = json!(setup::framework::result_fields(&theirs, &all));
            let c = conflict(db, "result", theirs.id, RESULT_LABELS, &theirs_f, &mine).await;
            mine["version"] = json!(theirs.version);
            Ok(Err((
                Status::Conflict,
                result_page(signed, &p, &all, id, mine, json!({ "conflict": c })),
            )))
        }
    }
}

#[rocket::post("/programmes/<code>/setup/results", data = "<form>")]
pub async fn create_result(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<RawFields>,
) -> Page {
    post_result(db, signed, code, None, form.0).await
}

#[rocket::post("/programmes/<code>/setup/results/<id>", data = "<form>")]
pub async fn update_result(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    post_result(db, signed, code, Some(id), form.0).await
}

/// A button's answer on the setup page: the flash, or the page with the problem beside
/// the item (refused: 422; someone changed it first: 409).
async fn button_answer<T>(
    db: &Db,
    signed: &Signed,
    p: &Programme,
    key: String,
    what: &str,
    saved: Saved<T>,
    stale: impl FnOnce(&T) -> (&'static str, i32, String),
) -> Page {
    match saved {
        Saved::Done(d) => Ok(Ok(done_flash(p, &key, what, &d))),
        Saved::Invalid(e) => Ok(Err(refused(db, signed, &p.code, key, e).await?)),
        Saved::Stale(theirs) => {
            let (entity, id, name) = stale(&theirs);
            let (by, at) = last_change(db, entity, id).await;
            let message = format!(
                "{by} changed {name}{} after you loaded this page; it is shown below as it is now — try again if you still want to.",
                if at.is_empty() { String::new() } else { format!(" on {at},") }
            );
            Ok(Err(with_problem(
                db,
                signed,
                &p.code,
                Status::Conflict,
                key,
                message,
            )
            .await?))
        }
    }
}

fn done_flash(p: &Programme, key: &str, what: &str, d: &Done) -> Flash<Redirect> {
    back(p, key, said(what, d))
}

/// "up" or "down", as the move buttons send it.
fn direction_of(raw: &RawFields) -> AppResult<bool> {
    match raw.get("dir") {
        Some("up") => Ok(true),
        Some("down") => Ok(false),
        _ => Err(crate::error::AppError::invalid(
            "dir",
            "say which way to move it: up or down",
        )),
    }
}

fn result_name(r: &ResultRow) -> (&'static str, i32, String) {
    ("result", r.id, format!("{} {}", r.level, r.code))
}

async fn result_code(db: &Db, p: &Programme, id: i32) -> AppResult<String> {
    let pid = p.id;
    db.run(move |c| framework::find_result(c, pid, id))
        .await
        .map(|r| format!("{} {}", level_word(&r.level), r.code))
}

#[rocket::post("/programmes/<code>/setup/results/<id>/move", data = "<form>")]
pub async fn move_result(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let (version, up) = (version_of(&form.0)?, direction_of(&form.0)?);
    let what = result_code(db, &p, id).await?;
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::framework::move_result(c, &actor, &prog, id, version, up))
        .await?;
    button_answer(
        db,
        signed,
        &p,
        format!("result-{id}"),
        &what,
        saved,
        result_name,
    )
    .await
}

#[rocket::post("/programmes/<code>/setup/results/<id>/remove", data = "<form>")]
pub async fn remove_result(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let version = version_of(&form.0)?;
    let what = result_code(db, &p, id).await?;
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::framework::remove_result(c, &actor, &prog, id, version))
        .await?;
    let anchor = match &saved {
        Saved::Done(d) if d.effect == crate::setup::Effect::Archived => "archived".to_string(),
        Saved::Done(_) => "framework".to_string(),
        _ => format!("result-{id}"),
    };
    button_answer(db, signed, &p, anchor, &what, saved, result_name).await
}

#[rocket::post("/programmes/<code>/setup/results/<id>/restore", data = "<form>")]
pub async fn restore_result(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let version = version_of(&form.0)?;
    let what = result_code(db, &p, id).await?;
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::framework::restore_result(c, &actor, &prog, id, version))
        .await?;
    button_answer(
        db,
        signed,
        &p,
        format!("result-{id}"),
        &what,
        saved,
        result_name,
    )
    .await
}

// ---- indicators ----

fn indicator_choices(all: &[ResultRow], categories: Vec<(String, String)>) -> Value {
    json!({
        "results": all.iter().filter(|r| !r.archived).map(|r| json!({
            "code": r.code, "label": format!("{} {} — {}", level_word(&r.level), r.code, short(&r.statement, 60)),
        })).collect::<Vec<_>>(),
        "units": Unit::ALL.iter().map(|u| json!({ "code": u.as_str(), "label": u.description() })).collect::<Vec<_>>(),
        "directions": Direction::ALL.iter().map(|d| json!({ "code": d.as_str(), "label": d.label() })).collect::<Vec<_>>(),
        "county_rules": CountyAggregation::ALL.iter().map(|r| json!({ "code": r.as_str(), "label": county_rule_label(r.as_str()) })).collect::<Vec<_>>(),
        "period_rules": PeriodAggregation::ALL.iter().map(|r| json!({ "code": r.as_str(), "label": period_rule_label(r.as_str()) })).collect::<Vec<_>>(),
        "categories": categories.into_iter().map(|(code, label)| json!({ "code": code, "label": label })).collect::<Vec<_>>(),
    })
}

async fn indicator_choices_of(db: &Db, p: &Programme) -> AppResult<Value> {
    let pid = p.id;
    db.run(move |c| {
        let all = framework::results_of(c, pid)?;
        let cats = category::of_programme(c, pid)?
            .into_iter()
            .map(|(cat, _)| (cat.code, cat.label))
            .collect();
        Ok(indicator_choices(&all, cats))
    })
    .await
}

/// The indicator as stored, for its form and for the links beside its refusals.
async fn stored_indicator(db: &Db, p: &Programme, id: i32) -> AppResult<(Indicator, Value)> {
    let pid = p.id;
    db.run(move |c| {
        let i = framework::find_indicator(c, pid, id)?;
        let all = framework::results_of(c, pid)?;
        let mut f = json!(setup::framework::indicator_fields(&i, &all));
        f["version"] = json!(i.version);
        Ok((i, f))
    })
    .await
}

async fn indicator_page(
    db: &Db,
    signed: &Signed,
    p: &Programme,
    stored: Option<&Indicator>,
    f: Value,
    extra: Value,
) -> AppResult<Template> {
    let action = match stored {
        Some(i) => format!("/programmes/{}/setup/indicators/{}", p.code, i.id),
        None => format!("/programmes/{}/setup/indicators", p.code),
    };
    let mut own = json!({
        "f": f, "choices": indicator_choices_of(db, p).await?, "action": action, "new": stored.is_none(),
        "stored": stored.map(|i| json!({ "id": i.id, "code": i.code, "archived": i.archived })),
    });
    if let (Value::Object(m), Value::Object(x)) = (&mut own, extra) {
        m.extend(x);
    }
    Ok(form_page("setup_indicator", signed, p, own))
}

#[rocket::get("/programmes/<code>/setup/indicators/new?<result>")]
pub async fn new_indicator(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    result: Option<&str>,
) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let f = json!(IndicatorFields {
        result: result.unwrap_or("").into(),
        unit: "count".into(),
        direction: "higher".into(),
        county_rule: "sum".into(),
        period_rule: "sum".into(),
        key: "no".into(),
        ..Default::default()
    });
    indicator_page(db, signed, &p, None, f, json!({})).await
}

#[rocket::get("/programmes/<code>/setup/indicators/<id>", rank = 2)]
pub async fn edit_indicator(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let (i, f) = stored_indicator(db, &p, id).await?;
    indicator_page(db, signed, &p, Some(&i), f, json!({})).await
}

/// Whether the problems include the refusal to change how approved figures are read:
/// the page then points to the honest paths on the indicator's own page.
fn refuses_measurement(e: &FieldErrors) -> bool {
    MEASUREMENT_FIELDS
        .iter()
        .any(|k| e.get(k).is_some_and(|m| m.contains("approved value")))
}

async fn post_indicator(
    db: &Db,
    signed: &Signed,
    code: &str,
    id: Option<i32>,
    raw: RawFields,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let stored = match id {
        Some(id) => Some(stored_indicator(db, &p, id).await?.0),
        None => None,
    };
    let existing = match id {
        Some(id) => Some((id, version_of(&raw)?)),
        None => None,
    };
    let fields: IndicatorFields = fields_from(&raw, &["disaggregations"])?;
    let (actor, prog, f) = (signed.actor(), p.clone(), fields.clone());
    let saved = db
        .run(move |c| setup::framework::save_indicator(c, &actor, &prog, existing, &f))
        .await?;
    let mut mine = json!(fields);
    mine["key"] = json!(if crate::domain::setup::flag(&fields.key) == Some(true) {
        "yes"
    } else {
        "no"
    });
    match saved {
        Saved::Done(d) => Ok(Ok(back(
            &p,
            &format!("indicator-{}", d.id),
            said(&format!("Indicator {}", fields.code.trim()), &d),
        ))),
        Saved::Invalid(e) => {
            mine["version"] = json!(existing.map(|e| e.1));
            let extra = json!({ "errors": errors_json(&e), "measurement_refused": refuses_measurement(&e) });
            let t = indicator_page(db, signed, &p, stored.as_ref(), mine, extra).await?;
            Ok(Err((Status::UnprocessableEntity, t)))
        }
        Saved::Stale(theirs) => {
            let (_, theirs_f) = stored_indicator(db, &p, theirs.id).await?;
            let c = conflict(
                db,
                "indicator",
                theirs.id,
                INDICATOR_LABELS,
                &theirs_f,
                &mine,
            )
            .await;
            mine["version"] = json!(theirs.version);
            let t = indicator_page(
                db,
                signed,
                &p,
                Some(&theirs),
                mine,
                json!({ "conflict": c }),
            )
            .await?;
            Ok(Err((Status::Conflict, t)))
        }
    }
}

#[rocket::post("/programmes/<code>/setup/indicators", data = "<form>")]
pub async fn create_indicator(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<RawFields>,
) -> Page {
    post_indicator(db, signed, code, None, form.0).await
}

#[rocket::post("/programmes/<code>/setup/indicators/<id>", data = "<form>")]
pub async fn update_indicator(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    post_indicator(db, signed, code, Some(id), form.0).await
}

fn indicator_name(i: &Indicator) -> (&'static str, i32, String) {
    ("indicator", i.id, format!("indicator {}", i.code))
}

#[rocket::post("/programmes/<code>/setup/indicators/<id>/move", data = "<form>")]
pub async fn move_indicator(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let (version, up) = (version_of(&form.0)?, direction_of(&form.0)?);
    let what = format!("Indicator {}", stored_indicator(db, &p, id).await?.0.code);
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::framework::move_indicator(c, &actor, &prog, id, version, up))
        .await?;
    button_answer(
        db,
        signed,
        &p,
        format!("indicator-{id}"),
        &what,
        saved,
        indicator_name,
    )
    .await
}

#[rocket::post("/programmes/<code>/setup/indicators/<id>/remove", data = "<form>")]
pub async fn remove_indicator(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let version = version_of(&form.0)?;
    let what = format!("Indicator {}", stored_indicator(db, &p, id).await?.0.code);
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::framework::remove_indicator(c, &actor, &prog, id, version))
        .await?;
    let anchor = match &saved {
        Saved::Done(d) if d.effect == crate::setup::Effect::Archived => "archived".to_string(),
        Saved::Done(_) => "framework".to_string(),
        _ => format!("indicator-{id}"),
    };
    button_answer(db, signed, &p, anchor, &what, saved, indicator_name).await
}

#[rocket::post("/programmes/<code>/setup/indicators/<id>/restore", data = "<form>")]
pub async fn restore_indicator(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let version = version_of(&form.0)?;
    let what = format!("Indicator {}", stored_indicator(db, &p, id).await?.0.code);
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::framework::restore_indicator(c, &actor, &prog, id, version))
        .await?;
    button_answer(
        db,
        signed,
        &p,
        format!("indicator-{id}"),
        &what,
        saved,
        indicator_name,
    )
    .await
}
