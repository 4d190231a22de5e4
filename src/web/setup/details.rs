//! The programme's own details: everything but its code.

use rocket::http::Status;
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::json;

use super::admin::{choices, PROGRAMME_LABELS};
use super::{
    back, conflict, errors_json, fields_from, for_setup, form_page, said, version_of, Page,
};
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::setup::ProgrammeFields;
use crate::error::AppResult;
use crate::setup::{self, Saved};
use crate::web::guard::{CsrfForm, RawFields};

#[rocket::get("/programmes/<code>/setup/details")]
pub async fn edit(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let mut f = json!(setup::programme::fields_of(&p));
    f["version"] = json!(p.version);
    Ok(form_page(
        "setup_details",
        signed,
        &p,
        json!({ "f": f, "choices": choices() }),
    ))
}

#[rocket::post("/programmes/<code>/setup/details", data = "<form>")]
pub async fn update(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let raw = form.0;
    let version = version_of(&raw)?;
    let mut fields: ProgrammeFields = fields_from(&raw, &[])?;
    // The code is shown, never sent: it cannot change.
    fields.code = p.code.clone();
    let (actor, prog, f) = (signed.actor(), p.clone(), fields.clone());
    let saved = db
        .run(move |c| setup::programme::update(c, &actor, &prog, version, &f))
        .await?;
    let mut typed = json!(fields);
    match saved {
        Saved::Done(d) => Ok(Ok(back(&p, "details", said("Programme details", &d)))),
        Saved::Invalid(e) => {
            typed["version"] = json!(version);
            Ok(Err((
                Status::UnprocessableEntity,
                form_page(
                    "setup_details",
                    signed,
                    &p,
                    json!({ "f": typed, "errors": errors_json(&e), "choices": choices() }),
                ),
            )))
        }
        Saved::Stale(theirs) => {
            let theirs_fields = json!(setup::programme::fields_of(&theirs));
            let c = conflict(
                db,
                "programme",
                theirs.id,
                PROGRAMME_LABELS,
                &theirs_fields,
                &typed,
            )
            .await;
            typed["version"] = json!(theirs.version);
            Ok(Err((
                Status::Conflict,
                form_page(
                    "setup_details",
                    signed,
                    &theirs,
                    json!({ "f": typed, "conflict": c, "choices": choices() }),
                ),
            )))
        }
    }
}
