//! Phases: a name, dates inside the programme and the counties each covers.

use rocket::http::Status;
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::page::{refused, with_problem};
use super::{
    back, conflict, errors_json, fields_from, for_setup, form_page, said, version_of, Page,
};
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::setup::PhaseFields;
use crate::error::{AppError, AppResult};
use crate::models::location;
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::report::ministry::MOU_ORDER;
use crate::setup::{self, Saved};
use crate::web::guard::{CsrfForm, RawFields};

const LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("start_date", "Start date"),
    ("end_date", "End date"),
    ("counties", "Counties"),
];

/// The 47 counties for the checkboxes: the MoU's five initial counties first, in the
/// MoU's order, then the others by code.
async fn counties(db: &Db) -> AppResult<Value> {
    let all = db.run(location::counties).await?;
    let initial: Vec<Value> = MOU_ORDER
        .iter()
        .filter_map(|name| all.iter().find(|c| c.mou_initial && c.name == *name))
        .chain(
            all.iter()
                .filter(|c| c.mou_initial && !MOU_ORDER.contains(&c.name.as_str())),
        )
        .map(|c| json!({ "code": c.code, "name": c.name }))
        .collect();
    let others: Vec<Value> = all
        .iter()
        .filter(|c| !c.mou_initial)
        .map(|c| json!({ "code": c.code, "name": c.name }))
        .collect();
    Ok(json!({ "initial": initial, "others": others }))
}

fn fields_of(ph: &PhaseWithCounties) -> Value {
    json!({
        "name": ph.phase.name, "start_date": ph.phase.start_date.to_string(), "end_date": ph.phase.end_date.to_string(),
        "counties": ph.counties.iter().map(|c| c.code.clone()).collect::<Vec<_>>(), "version": ph.phase.version,
    })
}

/// What was typed, with county names or codes turned into codes so the boxes stay ticked.
fn typed(f: &PhaseFields, all: &Value) -> Value {
    let mut v = json!(f);
    let codes: Vec<String> = f
        .counties
        .iter()
        .map(|t| {
            ["initial", "others"]
                .iter()
                .flat_map(|k| all[*k].as_array().cloned().unwrap_or_default())
                .find(|c| {
                    c["code"] == t.as_str()
                        || c["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(t))
                })
                .and_then(|c| c["code"].as_str().map(str::to_string))
                .unwrap_or_else(|| t.clone())
        })
        .collect();
    v["counties"] = json!(codes);
    v
}

async fn page(
    db: &Db,
    signed: &Signed,
    p: &Programme,
    id: Option<i32>,
    f: Value,
    extra: Value,
) -> AppResult<Template> {
    let action = match id {
        Some(id) => format!("/programmes/{}/setup/phases/{id}", p.code),
        None => format!("/programmes/{}/setup/phases", p.code),
    };
    let mut own =
        json!({ "f": f, "counties": counties(db).await?, "action": action, "new": id.is_none() });
    if let (Value::Object(m), Value::Object(x)) = (&mut own, extra) {
        m.extend(x);
    }
    Ok(form_page("setup_phase", signed, p, own))
}

async fn find(db: &Db, p: &Programme, id: i32) -> AppResult<PhaseWithCounties> {
    let pid = p.id;
    db.run(move |c| {
        programme::phases_of(c, pid)?
            .into_iter()
            .find(|ph| ph.phase.id == id)
            .ok_or_else(|| AppError::not_found("This programme has no such phase."))
    })
    .await
}

#[rocket::get("/programmes/<code>/setup/phases/new")]
pub async fn new(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let pid = p.id;
    let last_end = db
        .run(move |c| programme::phases_of(c, pid))
        .await?
        .iter()
        .map(|ph| ph.phase.end_date)
        .max();
    // A new phase usually follows the last one.
    let start = last_end
        .and_then(|d| d.succ_opt())
        .filter(|d| *d <= p.end_date)
        .unwrap_or(p.start_date);
    let f = json!(PhaseFields {
        start_date: start.to_string(),
        end_date: p.end_date.to_string(),
        ..Default::default()
    });
    page(db, signed, &p, None, f, json!({})).await
}

#[rocket::get("/programmes/<code>/setup/phases/<id>", rank = 2)]
pub async fn edit(db: &State<Db>, signed: &Signed, code: &str, id: i32) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let ph = find(db, &p, id).await?;
    page(db, signed, &p, Some(id), fields_of(&ph), json!({})).await
}

async fn post(db: &Db, signed: &Signed, code: &str, id: Option<i32>, raw: RawFields) -> Page {
    let p = for_setup(db, signed, code).await?;
    let existing = match id {
        Some(id) => Some((id, version_of(&raw)?)),
        None => None,
    };
    let fields: PhaseFields = fields_from(&raw, &["counties"])?;
    let (actor, prog, f) = (signed.actor(), p.clone(), fields.clone());
    let saved = db
        .run(move |c| setup::phase::save(c, &actor, &prog, existing, &f))
        .await?;
    let all = counties(db).await?;
    let mut mine = typed(&fields, &all);
    match saved {
        Saved::Done(d) => Ok(Ok(back(
            &p,
            "phases",
            said(&format!("Phase “{}”", fields.name.trim()), &d),
        ))),
        Saved::Invalid(e) => {
            mine["version"] = json!(existing.map(|e| e.1));
            let t = page(
                db,
                signed,
                &p,
                id,
                mine,
                json!({ "errors": errors_json(&e) }),
            )
            .await?;
            Ok(Err((Status::UnprocessableEntity, t)))
        }
        Saved::Stale(theirs) => {
            let theirs_f = fields_of(&theirs);
            let c = conflict(db, "phase", theirs.phase.id, LABELS, &theirs_f, &mine).await;
            mine["version"] = json!(theirs.phase.version);
            let t = page(db, signed, &p, id, mine, json!({ "conflict": c })).await?;
            Ok(Err((Status::Conflict, t)))
        }
    }
}

#[rocket::post("/programmes/<code>/setup/phases", data = "<form>")]
pub async fn create(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<RawFields>,
) -> Page {
    post(db, signed, code, None, form.0).await
}

#[rocket::post("/programmes/<code>/setup/phases/<id>", data = "<form>")]
pub async fn update(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    post(db, signed, code, Some(id), form.0).await
}

#[rocket::post("/programmes/<code>/setup/phases/<id>/delete", data = "<form>")]
pub async fn delete(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let version = version_of(&form.0)?;
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::phase::delete(c, &actor, &prog, id, version))
        .await?;
    let key = format!("phase-{id}");
    match saved {
        Saved::Done(d) => Ok(Ok(back(&p, "phases", said("The phase", &d)))),
        Saved::Invalid(e) => Ok(Err(refused(db, signed, code, key, e).await?)),
        Saved::Stale(theirs) => {
            let (by, at) = super::last_change(db, "phase", theirs.phase.id).await;
            let message = format!(
                "{by} changed the phase “{}” on {at}, after you loaded this page; look at it as it is now before removing it.",
                theirs.phase.name
            );
            Ok(Err(with_problem(
                db,
                signed,
                code,
                Status::Conflict,
                key,
                message,
            )
            .await?))
        }
    }
}
