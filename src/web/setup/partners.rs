//! Partners: organisations (shared by every programme) and their IATI roles in this one.

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
use crate::domain::codelist::{self, ORGANISATION_TYPES, ROLES};
use crate::domain::setup::PartnerFields;
use crate::error::AppResult;
use crate::models::organisation;
use crate::models::programme::Programme;
use crate::setup::{self, Saved};
use crate::web::guard::{CsrfForm, RawFields};

const LABELS: &[(&str, &str)] = &[
    ("code", "Code"),
    ("name", "Name"),
    ("short_name", "Short name"),
    ("iati_type", "IATI organisation type"),
    ("iati_identifier", "IATI identifier"),
    ("roles", "Roles"),
];

fn choices() -> Value {
    json!({
        "types": ORGANISATION_TYPES.iter().map(|(c, l)| json!({ "code": c, "label": format!("{c} {l}") })).collect::<Vec<_>>(),
        "roles": ROLES.iter().map(|r| json!({ "code": r, "label": codelist::role_label(r), "iati": codelist::role_code(r) })).collect::<Vec<_>>(),
    })
}

/// Roles as the checkboxes hold them (IATI words), whatever was typed.
fn typed(f: &PartnerFields) -> Value {
    let mut v = json!(f);
    v["roles"] = json!(f
        .roles
        .iter()
        .map(|r| codelist::parse_role(r)
            .map(str::to_string)
            .unwrap_or_else(|| r.clone()))
        .collect::<Vec<_>>());
    v["iati_type"] = json!(codelist::parse_organisation_type(&f.iati_type).unwrap_or(&f.iati_type));
    v
}

fn page(signed: &Signed, p: &Programme, id: Option<i32>, f: Value, extra: Value) -> Template {
    let action = match id {
        Some(id) => format!("/programmes/{}/setup/partners/{id}", p.code),
        None => format!("/programmes/{}/setup/partners", p.code),
    };
    let mut own = json!({ "f": f, "choices": choices(), "action": action, "new": id.is_none() });
    if let (Value::Object(m), Value::Object(x)) = (&mut own, extra) {
        m.extend(x);
    }
    form_page("setup_partner", signed, p, own)
}

#[rocket::get("/programmes/<code>/setup/partners/new")]
pub async fn new(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    Ok(page(
        signed,
        &p,
        None,
        json!(PartnerFields::default()),
        json!({}),
    ))
}

#[rocket::get("/programmes/<code>/setup/partners/<id>", rank = 2)]
pub async fn edit(db: &State<Db>, signed: &Signed, code: &str, id: i32) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let pid = p.id;
    let (o, roles) = db
        .run(move |c| {
            let roles = setup::partner::roles_in(c, pid, id)?;
            if roles.is_empty() {
                return Err(crate::error::AppError::not_found(
                    "That organisation is not a partner of this programme.",
                ));
            }
            Ok((organisation::find(c, id)?, roles))
        })
        .await?;
    let mut f = json!(setup::partner::fields_of(&o, &roles));
    f["version"] = json!(o.version);
    Ok(page(signed, &p, Some(id), f, json!({})))
}

async fn post(db: &Db, signed: &Signed, code: &str, id: Option<i32>, raw: RawFields) -> Page {
    let p = for_setup(db, signed, code).await?;
    let existing = match id {
        Some(id) => Some((id, version_of(&raw)?)),
        None => None,
    };
    let fields: PartnerFields = fields_from(&raw, &["roles"])?;
    let (actor, prog, f) = (signed.actor(), p.clone(), fields.clone());
    let saved = db
        .run(move |c| setup::partner::save(c, &actor, &prog, existing, &f))
        .await?;
    let mut mine = typed(&fields);
    match saved {
        Saved::Done(d) => Ok(Ok(back(
            &p,
            "partners",
            said(
                &format!("Partner {}", fields.code.trim().to_ascii_uppercase()),
                &d,
            ),
        ))),
        Saved::Invalid(e) => {
            mine["version"] = json!(existing.map(|e| e.1));
            Ok(Err((
                Status::UnprocessableEntity,
                page(signed, &p, id, mine, json!({ "errors": errors_json(&e) })),
            )))
        }
        Saved::Stale(theirs) => {
            let (pid, oid) = (p.id, theirs.id);
            let roles = db
                .run(move |c| setup::partner::roles_in(c, pid, oid))
                .await?;
            let theirs_f = json!(setup::partner::fields_of(&theirs, &roles));
            let c = conflict(db, "organisation", theirs.id, LABELS, &theirs_f, &mine).await;
            mine["version"] = json!(theirs.version);
            Ok(Err((
                Status::Conflict,
                page(signed, &p, id, mine, json!({ "conflict": c })),
            )))
        }
    }
}

#[rocket::post("/programmes/<code>/setup/partners", data = "<form>")]
pub async fn create(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<RawFields>,
) -> Page {
    post(db, signed, code, None, form.0).await
}

#[rocket::post("/programmes/<code>/setup/partners/<id>", data = "<form>")]
pub async fn update(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    post(db, signed, code, Some(id), form.0).await
}

#[rocket::post("/programmes/<code>/setup/partners/<id>/remove", data = "<form>")]
pub async fn remove(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let _ = form.0;
    let p = for_setup(db, signed, code).await?;
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::partner::remove(c, &actor, &prog, id))
        .await?;
    match saved {
        Saved::Done(_) => Ok(Ok(back(
            &p,
            "partners",
            "The partner was taken off this programme (the organisation stays registered for others).".into(),
        ))),
        Saved::Invalid(e) => Ok(Err(refused(db, signed, code, format!("partner-{id}"), e).await?)),
        Saved::Stale(_) => Ok(Err(with_problem(
            db,
            signed,
            code,
            Status::Conflict,
            format!("partner-{id}"),
            "Someone changed this partner meanwhile; look at it again.".into(),
        )
        .await?)),
    }
}
