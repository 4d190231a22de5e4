//! Setting up a programme on the web: the administrator's programme list and creation
//! form, and the programme's setup page with a small form per part (details, phases,
//! partners, disaggregation categories, results framework, indicators, interim targets,
//! budget). Every save goes through `crate::setup`; these routes only read the form,
//! call the service and show its answer: a flash naming what changed, the form again
//! with each problem beside its field (422), or the newer version and who saved it (409).

mod admin;
mod budget;
mod categories;
mod details;
mod framework;
mod page;
mod partners;
mod phases;
mod publication;
mod targets;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::Route;
use rocket_dyn_templates::Template;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::view::render;
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::error::{AppError, AppResult};
use crate::models::programme::Programme;
use crate::models::{audit, user};
use crate::setup::{Done, Effect, FieldErrors};
use crate::web::guard::RawFields;

pub fn routes() -> Vec<Route> {
    rocket::routes![
        admin::list,
        admin::new_programme,
        admin::create,
        admin::set_status,
        page::show,
        details::edit,
        details::update,
        phases::new,
        phases::create,
        phases::edit,
        phases::update,
        phases::delete,
        partners::new,
        partners::create,
        partners::edit,
        partners::update,
        partners::remove,
        categories::new,
        categories::create,
        categories::edit,
        categories::update,
        categories::delete,
        framework::new_result,
        framework::create_result,
        framework::edit_result,
        framework::update_result,
        framework::move_result,
        framework::remove_result,
        framework::restore_result,
        framework::new_indicator,
        framework::create_indicator,
        framework::edit_indicator,
        framework::update_indicator,
        framework::move_indicator,
        framework::remove_indicator,
        framework::restore_indicator,
        targets::show,
        targets::save,
        budget::new,
        budget::create,
        budget::edit,
        budget::update,
        budget::delete,
        publication::show,
        publication::save,
    ]
}

/// What a setup post answers: back to the setup page with a flash, or a page again.
pub(crate) type Page = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

/// The programme, for someone who may set it up (manager, M&E officer).
async fn for_setup(db: &Db, signed: &Signed, code: &str) -> AppResult<Programme> {
    super::programme_for(db, signed, code, Permission::Setup).await
}

/// Why a programme's setup cannot change now, in words; None while it is active.
fn read_only_reason(p: &Programme) -> Option<String> {
    let why = match p.status.as_str() {
        "active" => return None,
        "closed" => "reporting has finished, so its framework and figures are read-only",
        "archived" => "it is read-only and out of everyday lists",
        _ => "it is read-only",
    };
    Some(format!(
        "{} is {}: {why}. An administrator can reopen it under Manage programmes.",
        p.code, p.status
    ))
}

/// The values every setup page shows: the programme, the demo banner, read-only state.
fn programme_ctx(p: &Programme) -> Value {
    json!({
        "demo": p.is_demo,
        "programme": {
            "code": p.code, "name": p.name, "currency": p.currency, "status": p.status,
            "start": p.start_date.to_string(), "end": p.end_date.to_string(),
            "dates": format!("{} to {}", crate::format::date(p.start_date), crate::format::date(p.end_date)),
        },
        "readonly": read_only_reason(p),
    })
}

/// A setup form page: the programme's values, then the page's own.
fn form_page(template: &'static str, signed: &Signed, p: &Programme, own: Value) -> Template {
    let mut ctx = programme_ctx(p);
    if let (Value::Object(m), Value::Object(x)) = (&mut ctx, own) {
        m.extend(x);
    }
    if ctx.get("errors").is_none() {
        ctx["errors"] = json!({});
    }
    render(template, Some(signed), ctx)
}

/// A posted form read as one of the setup service's *Fields structs. Fields named in
/// `lists` (checkboxes) may come many times and become a list.
fn fields_from<T: DeserializeOwned>(raw: &RawFields, lists: &[&str]) -> AppResult<T> {
    let mut map = serde_json::Map::new();
    for name in lists {
        map.insert((*name).to_string(), Value::Array(Vec::new()));
    }
    for (k, v) in raw.all() {
        if k == "csrf" {
            continue;
        }
        match map.get_mut(k) {
            Some(Value::Array(items)) if lists.contains(&k) => items.push(json!(v)),
            _ => {
                map.insert(k.to_string(), json!(v));
            }
        }
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| AppError::invalid("form", format!("the form could not be read: {e}")))
}

/// The version a form was loaded at (every change carries it).
fn version_of(raw: &RawFields) -> AppResult<i32> {
    raw.get("version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            AppError::invalid(
                "version",
                "the form lost its version number; reload the page and try again",
            )
        })
}

/// Who saved a record last and when, by the audit log ("Amina Hassan", "3 Dec 2026 14:05 UTC").
async fn last_change(db: &Db, entity: &'static str, id: i32) -> (String, String) {
    db.run(move |c| {
        let Some(last) = audit::history(c, entity, id)?.pop() else {
            return Ok(("someone".to_string(), String::new()));
        };
        let name = match user::by_username(c, &last.actor)? {
            Some(u) => u.display_name,
            None => last.actor,
        };
        Ok((name, last.at.format("%-d %b %Y %H:%M UTC").to_string()))
    })
    .await
    .unwrap_or_else(|_: AppError| ("someone".into(), String::new()))
}

/// The fields where the saved version (theirs) differs from the one typed (mine), as
/// rows for the conflict view: label, theirs, mine.
fn differing(labels: &[(&str, &str)], theirs: &Value, mine: &Value) -> Vec<Value> {
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    };
    labels
        .iter()
        .filter_map(|(key, label)| {
            let (t, m) = (show(theirs.get(*key)), show(mine.get(*key)));
            (t.trim() != m.trim()).then(|| json!({ "label": label, "theirs": t, "mine": m }))
        })
        .collect()
}

/// The conflict view's values: who saved first, when, and what differs.
async fn conflict(
    db: &Db,
    entity: &'static str,
    id: i32,
    labels: &[(&str, &str)],
    theirs: &Value,
    mine: &Value,
) -> Value {
    let (by, at) = last_change(db, entity, id).await;
    json!({ "by": by, "at": at, "rows": differing(labels, theirs, mine) })
}

/// What a save did, for the flash on the setup page.
fn said(what: &str, d: &Done) -> String {
    let changes = d.changes.join("; ");
    let text = match d.effect {
        Effect::Created => format!("{what} added."),
        Effect::Changed if changes.is_empty() => format!("{what} saved."),
        Effect::Changed => format!("{what} saved — {changes}."),
        Effect::Unchanged => {
            format!("{what}: nothing changed (the form held what was already saved).")
        }
        Effect::Archived => format!(
            "{what} archived, not deleted: it is kept for history{} and hidden from entry and the live framework. Restore it under Archived.",
            if changes.is_empty() { String::new() } else { format!(" ({changes})") }
        ),
        Effect::Restored => format!("{what} restored to the live framework."),
        Effect::Removed => format!("{what} deleted: nothing depended on it."),
    };
    // The flash travels in a cookie: keep it well under the browser's 4 KB.
    if text.chars().count() > 1200 {
        format!("{}…", text.chars().take(1200).collect::<String>())
    } else {
        text
    }
}

/// Back to a section of the setup page, saying what was done.
fn back(p: &Programme, section: &str, message: String) -> Flash<Redirect> {
    Flash::success(
        Redirect::to(format!("/programmes/{}/setup#{section}", p.code)),
        message,
    )
}

/// FieldErrors as the templates read them: field → message.
fn errors_json(e: &FieldErrors) -> Value {
    json!(e)
}
