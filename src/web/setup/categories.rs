//! Disaggregation categories (sex, age band, agency, border post …) and their options.

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
use crate::domain::setup::CategoryFields;
use crate::error::{AppError, AppResult};
use crate::models::category;
use crate::models::programme::Programme;
use crate::setup::{self, Saved};
use crate::web::guard::{CsrfForm, RawFields};

const LABELS: &[(&str, &str)] = &[("code", "Code"), ("label", "Label"), ("options", "Options")];

fn page(signed: &Signed, p: &Programme, id: Option<i32>, f: Value, extra: Value) -> Template {
    let action = match id {
        Some(id) => format!("/programmes/{}/setup/categories/{id}", p.code),
        None => format!("/programmes/{}/setup/categories", p.code),
    };
    let mut own = json!({ "f": f, "action": action, "new": id.is_none() });
    if let (Value::Object(m), Value::Object(x)) = (&mut own, extra) {
        m.extend(x);
    }
    form_page("setup_category", signed, p, own)
}

/// A category with its options as the form shows them.
async fn stored(db: &Db, p: &Programme, id: i32) -> AppResult<Value> {
    let pid = p.id;
    db.run(move |c| {
        let (cat, opts) = category::of_programme(c, pid)?
            .into_iter()
            .find(|(cat, _)| cat.id == id)
            .ok_or_else(|| {
                AppError::not_found("This programme has no such disaggregation category.")
            })?;
        let mut f = json!(setup::category::fields_of(&cat, &opts));
        f["version"] = json!(cat.version);
        Ok(f)
    })
    .await
}

#[rocket::get("/programmes/<code>/setup/categories/new")]
pub async fn new(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    Ok(page(
        signed,
        &p,
        None,
        json!(CategoryFields::default()),
        json!({}),
    ))
}

#[rocket::get("/programmes/<code>/setup/categories/<id>", rank = 2)]
pub async fn edit(db: &State<Db>, signed: &Signed, code: &str, id: i32) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let f = stored(db, &p, id).await?;
    Ok(page(signed, &p, Some(id), f, json!({})))
}

async fn post(db: &Db, signed: &Signed, code: &str, id: Option<i32>, raw: RawFields) -> Page {
    let p = for_setup(db, signed, code).await?;
    let existing = match id {
        Some(id) => Some((id, version_of(&raw)?)),
        None => None,
    };
    let fields: CategoryFields = fields_from(&raw, &[])?;
    let (actor, prog, f) = (signed.actor(), p.clone(), fields.clone());
    let saved = db
        .run(move |c| setup::category::save(c, &actor, &prog, existing, &f))
        .await?;
    let mut mine = json!(fields);
    match saved {
        Saved::Done(d) => Ok(Ok(back(
            &p,
            "categories",
            said(&format!("Category “{}”", fields.label.trim()), &d),
        ))),
        Saved::Invalid(e) => {
            mine["version"] = json!(existing.map(|e| e.1));
            Ok(Err((
                Status::UnprocessableEntity,
                page(signed, &p, id, mine, json!({ "errors": errors_json(&e) })),
            )))
        }
        Saved::Stale(theirs) => {
            let theirs_f = stored(db, &p, theirs.id).await?;
            let c = conflict(
                db,
                "disaggregation_category",
                theirs.id,
                LABELS,
                &theirs_f,
                &mine,
            )
            .await;
            mine["version"] = json!(theirs.version);
            Ok(Err((
                Status::Conflict,
                page(signed, &p, id, mine, json!({ "conflict": c })),
            )))
        }
    }
}

#[rocket::post("/programmes/<code>/setup/categories", data = "<form>")]
pub async fn create(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<RawFields>,
) -> Page {
    post(db, signed, code, None, form.0).await
}

#[rocket::post("/programmes/<code>/setup/categories/<id>", data = "<form>")]
pub async fn update(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    post(db, signed, code, Some(id), form.0).await
}

#[rocket::post("/programmes/<code>/setup/categories/<id>/delete", data = "<form>")]
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
        .run(move |c| setup::category::delete(c, &actor, &prog, id, version))
        .await?;
    let key = format!("category-{id}");
    match saved {
        Saved::Done(d) => Ok(Ok(back(&p, "categories", said("The category", &d)))),
        Saved::Invalid(e) => Ok(Err(refused(db, signed, code, key, e).await?)),
        Saved::Stale(theirs) => {
            let (by, at) = super::last_change(db, "disaggregation_category", theirs.id).await;
            let message = format!(
                "{by} changed the category “{}” on {at}, after you loaded this page; look at it as it is now before removing it.",
                theirs.label
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
