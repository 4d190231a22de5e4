//! Who sees each indicator: its publication level and small-number rule, one small form
//! per indicator on one page, so a manager sees at a glance what may leave the tracker.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::{conflict, fields_from, for_setup, form_page, said, version_of, Page};
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::disclosure::{Level, SmallRule};
use crate::error::AppResult;
use crate::models::framework;
use crate::models::programme::Programme;
use crate::setup::disclosure::{self, Publication, PublicationFields};
use crate::setup::{FieldErrors, Saved};
use crate::web::guard::{CsrfForm, RawFields};

const LABELS: &[(&str, &str)] = &[
    ("publication_level", "Publication level"),
    ("small_number_rule", "Small-number rule"),
    ("small_number_below", "Threshold N"),
];

/// What the page shows for one indicator's row when it comes back with a problem.
struct Problem {
    id: i32,
    typed: PublicationFields,
    version: i32,
    errors: Option<FieldErrors>,
    conflict: Option<Value>,
}

async fn page(
    db: &Db,
    signed: &Signed,
    p: &Programme,
    flash: Option<(String, String)>,
    problem: Option<Problem>,
) -> AppResult<Template> {
    let pid = p.id;
    let indicators = db.run(move |c| framework::indicators_of(c, pid)).await?;
    let mut counts = [0usize; 3];
    let mut ruled = 0;
    let rows: Vec<Value> = indicators
        .iter()
        .filter(|i| !i.archived)
        .map(|i| {
            let now = Publication::of(i);
            counts[Level::ALL.iter().position(|l| *l == now.level).unwrap_or(2)] += 1;
            ruled += usize::from(now.rule.is_some());
            let mine = problem.as_ref().filter(|x| x.id == i.id);
            let f = mine.map_or_else(|| disclosure::fields_of(i), |x| x.typed.clone());
            json!({
                "id": i.id, "code": i.code, "title": i.title, "unit": i.unit,
                "version": mine.map_or(i.version, |x| x.version),
                "f": f,
                "now": format!("{}; {}", now.level.label(), SmallRule::describe(now.rule)),
                "errors": mine.and_then(|x| x.errors.clone()).unwrap_or_default(),
                "conflict": mine.and_then(|x| x.conflict.clone()).unwrap_or(json!(false)),
            })
        })
        .collect();
    let levels: Vec<Value> = Level::ALL
        .iter()
        .map(|l| json!({ "code": l.as_str(), "label": l.label(), "explain": l.explain() }))
        .collect();
    Ok(form_page(
        "setup_publication",
        signed,
        p,
        json!({
            "rows": rows,
            "levels": levels,
            "counts": { "public": counts[0], "partners": counts[1], "internal": counts[2], "ruled": ruled },
            "flash": flash.map(|(kind, message)| json!({ "ok": kind == "success", "message": message })),
        }),
    ))
}

#[rocket::get("/programmes/<code>/setup/publication")]
pub async fn show(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let flash = flash.map(|f| (f.kind().to_string(), f.message().to_string()));
    page(db, signed, &p, flash, None).await
}

#[rocket::post("/programmes/<code>/setup/publication/<id>", data = "<form>")]
pub async fn save(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let raw = form.0;
    let version = version_of(&raw)?;
    let fields: PublicationFields = fields_from(&raw, &[])?;
    let (actor, prog, f) = (signed.actor(), p.clone(), fields.clone());
    let saved = db
        .run(move |c| disclosure::save(c, &actor, &prog, id, version, &f))
        .await?;
    match saved {
        Saved::Done(d) => {
            let what = db
                .run(move |c| framework::find_indicator(c, p.id, id).map(|i| i.code))
                .await?;
            Ok(Ok(Flash::success(
                Redirect::to(format!("/programmes/{}/setup/publication#ind-{id}", p.code)),
                said(&format!("Publication of {what}"), &d),
            )))
        }
        Saved::Invalid(e) => {
            let problem = Problem {
                id,
                typed: fields,
                version,
                errors: Some(e),
                conflict: None,
            };
            let t = page(db, signed, &p, None, Some(problem)).await?;
            Ok(Err((Status::UnprocessableEntity, t)))
        }
        Saved::Stale(theirs) => {
            let c = conflict(
                db,
                "indicator",
                theirs.id,
                LABELS,
                &json!(disclosure::fields_of(&theirs)),
                &json!(fields),
            )
            .await;
            let problem = Problem {
                id,
                typed: fields,
                version: theirs.version,
                errors: None,
                conflict: Some(c),
            };
            let t = page(db, signed, &p, None, Some(problem)).await?;
            Ok(Err((Status::Conflict, t)))
        }
    }
}
