//! Administrators: every programme with its managers, creating one (naming its first
//! manager), closing, archiving and reopening.

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::{conflict, errors_json, fields_from, version_of, Page};
use crate::db::Db;
use crate::domain::codelist::CURRENCIES;
use crate::domain::setup::{status_label, ProgrammeFields, FREQUENCIES};
use crate::error::AppResult;
use crate::format;
use crate::models::{programme, user};
use crate::setup::{self, FieldErrors, Saved};
use crate::web::guard::{Admin, CsrfForm, RawFields};
use crate::web::view::render;

/// Offered first in the currency list; any ISO 4217 code is accepted.
const COMMON_CURRENCIES: [&str; 4] = ["GBP", "KES", "USD", "EUR"];

/// The form's labels, for the conflict view and the template.
pub(super) const PROGRAMME_LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("short_name", "Short name"),
    ("description", "Description"),
    ("funder", "Funder"),
    ("currency", "Currency"),
    ("start_date", "Start date"),
    ("end_date", "End date"),
    ("reporting_frequency", "Reporting frequency"),
    ("rag_green_within", "Green within (%)"),
    ("rag_amber_within", "Amber within (%)"),
    ("iati_identifier", "IATI activity identifier"),
    ("donor_reference", "Donor reference"),
];

/// Choices shared by the creation form and the details form.
pub(super) fn choices() -> Value {
    let others: Vec<&str> = CURRENCIES
        .iter()
        .copied()
        .filter(|c| !COMMON_CURRENCIES.contains(c))
        .collect();
    json!({ "common_currencies": COMMON_CURRENCIES, "other_currencies": others, "frequencies": FREQUENCIES })
}

async fn list_ctx(db: &Db) -> AppResult<Value> {
    db.run(|c| {
        let users = user::all(c)?;
        let mut managers: Vec<(String, String)> = Vec::new();
        for u in &users {
            for g in user::grants_of(c, u.id)? {
                if g.role == "manager" {
                    managers.push((g.programme_code, u.display_name.clone()));
                }
            }
        }
        let rows: Vec<Value> = programme::all(c)?
            .iter()
            .map(|p| {
                let names: Vec<&str> = managers
                    .iter()
                    .filter(|(code, _)| *code == p.code)
                    .map(|(_, n)| n.as_str())
                    .collect();
                json!({
                    "code": p.code, "name": p.name, "dates": format::month_range(p.start_date, p.end_date),
                    "status": p.status, "status_label": status_label(&p.status), "version": p.version,
                    "managers": names, "is_demo": p.is_demo,
                })
            })
            .collect();
        let people: Vec<Value> = users
            .iter()
            .filter(|u| u.is_active)
            .map(|u| json!({ "id": u.id.to_string(), "label": format!("{} ({})", u.display_name, u.username) }))
            .collect();
        Ok(json!({ "programmes": rows, "people": people, "choices": choices() }))
    })
    .await
}

fn blank_form() -> Value {
    let mut f = json!(ProgrammeFields {
        currency: "GBP".into(),
        reporting_frequency: "quarterly".into(),
        rag_green_within: "15".into(),
        rag_amber_within: "30".into(),
        ..Default::default()
    });
    f["manager"] = json!("");
    f
}

async fn page(
    db: &Db,
    admin: &Admin<'_>,
    new_only: bool,
    extra: Value,
    flash: Option<String>,
) -> AppResult<Template> {
    let mut ctx = list_ctx(db).await?;
    ctx["new_only"] = json!(new_only);
    ctx["f"] = blank_form();
    ctx["errors"] = json!({});
    ctx["flash"] = json!(flash);
    if let (Value::Object(m), Value::Object(x)) = (&mut ctx, extra) {
        m.extend(x);
    }
    Ok(render("admin_programmes", Some(admin.0), ctx))
}

#[rocket::get("/admin/programmes")]
pub async fn list(
    db: &State<Db>,
    admin: Admin<'_>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    page(
        db,
        &admin,
        false,
        json!({}),
        flash.map(|f| f.message().to_string()),
    )
    .await
}

/// The creation form on its own, where a new user looks for it.
#[rocket::get("/programmes/new")]
pub async fn new_programme(db: &State<Db>, admin: Admin<'_>) -> AppResult<Template> {
    page(db, &admin, true, json!({}), None).await
}

#[rocket::post("/admin/programmes", data = "<form>")]
pub async fn create(db: &State<Db>, admin: Admin<'_>, form: CsrfForm<RawFields>) -> Page {
    let raw = form.0;
    let fields: ProgrammeFields = fields_from(&raw, &[])?;
    let manager_typed = raw.get("manager").unwrap_or("").trim().to_string();
    let new_only = raw.get("from") == Some("new");
    let manager = match manager_typed.as_str() {
        "" => Ok(None),
        id => id.parse::<i32>().map(Some),
    };
    let saved = match manager {
        Ok(manager) => {
            let (actor, f) = (admin.0.actor(), fields.clone());
            db.run(move |c| {
                setup::programme::create(c, &actor, &f, manager, false, crate::clock::now())
            })
            .await?
        }
        Err(_) => {
            let mut e = FieldErrors::new();
            e.insert("manager", "choose the first manager from the list".into());
            Saved::Invalid(e)
        }
    };
    match saved {
        Saved::Done(d) => {
            let (code, name) = (
                fields.code.trim().to_ascii_uppercase(),
                fields.name.trim().to_string(),
            );
            let who = if manager_typed.is_empty() {
                "No one holds a role in it yet: give its manager the manager's role under Users, and they build its framework here.".to_string()
            } else {
                let id: i32 = manager_typed.parse().unwrap_or_default();
                let person = db
                    .run(move |c| user::find(c, id))
                    .await
                    .map(|u| u.display_name)
                    .unwrap_or_else(|_| "The manager".into());
                format!("{person} is its manager and builds its framework here — phases, partners, results, indicators, targets and budget. You can read this page; to change it yourself, give your account a role under Users.")
            };
            let _ = d;
            Ok(Ok(Flash::success(
                Redirect::to(format!("/programmes/{code}/setup")),
                format!("Programme {code} “{name}” created. {who}"),
            )))
        }
        Saved::Invalid(e) => {
            let mut typed = json!(fields);
            typed["manager"] = json!(manager_typed);
            let t = page(
                db,
                &admin,
                new_only,
                json!({ "f": typed, "errors": errors_json(&e) }),
                None,
            )
            .await?;
            Ok(Err((Status::UnprocessableEntity, t)))
        }
        // A new programme has no earlier version to be stale against.
        Saved::Stale(p) => Ok(Ok(Flash::error(
            Redirect::to("/admin/programmes"),
            format!("{} already exists.", p.code),
        ))),
    }
}

#[rocket::post("/admin/programmes/<code>/status", data = "<form>")]
pub async fn set_status(
    db: &State<Db>,
    admin: Admin<'_>,
    code: &str,
    form: CsrfForm<RawFields>,
) -> Page {
    let raw = form.0;
    let version = version_of(&raw)?;
    let status = raw.get("status").unwrap_or("").to_string();
    let (actor, code_owned, wanted) = (admin.0.actor(), code.to_string(), status.clone());
    let saved = db
        .run(move |c| {
            let p = programme::by_code(c, &code_owned)?;
            setup::programme::set_status(c, &actor, &p, version, &wanted)
        })
        .await?;
    match saved {
        Saved::Done(d) => {
            let now = status.trim().to_ascii_lowercase();
            let message = if d.changes.is_empty() {
                format!("{code} was already {now}; nothing changed.")
            } else {
                format!(
                    "{code} is now {now}: {}.",
                    status_label(&now).to_lowercase()
                )
            };
            Ok(Ok(Flash::success(
                Redirect::to("/admin/programmes"),
                message,
            )))
        }
        Saved::Invalid(e) => {
            let message = e.values().cloned().collect::<Vec<_>>().join("; ");
            let t = page(
                db,
                &admin,
                false,
                json!({ "status_error": { "code": code, "message": message } }),
                None,
            )
            .await?;
            Ok(Err((Status::UnprocessableEntity, t)))
        }
        Saved::Stale(theirs) => {
            let c = conflict(
                db,
                "programme",
                theirs.id,
                &[("status", "Status")],
                &json!({ "status": theirs.status }),
                &json!({ "status": status }),
            )
            .await;
            let t = page(
                db,
                &admin,
                false,
                json!({ "status_conflict": { "code": theirs.code, "by": c["by"], "at": c["at"], "now": theirs.status, "wanted": status } }),
                None,
            )
            .await?;
            Ok(Err((Status::Conflict, t)))
        }
    }
}
