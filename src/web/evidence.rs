//! Evidence files: upload (multipart), download, archive, and the evidence pages of a
//! milestone and an activity. The indicator page lists and takes a figure's evidence.

use rocket::form::{Errors, Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::{ContentType, Header, Status};
use rocket::request::FlashMessage;
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::tokio::io::AsyncReadExt;
use rocket::{Request, Response, State};
use rocket_dyn_templates::Template;
use serde_json::json;

use super::view::render;
use crate::auth::{self, Signed};
use crate::db::Db;
use crate::domain::access::Permission;
use crate::domain::evidence::{self as rules, ACCEPTED};
use crate::error::{AppError, AppResult};
use crate::evidence::{self, Store, TargetInput};
use crate::models::evidence as model;
use crate::models::{activity, framework, milestone};
use crate::web::guard::CsrfForm;

/// An evidence file as a download: its own type, never shown in the browser.
pub struct Download {
    name: String,
    media_type: String,
    bytes: Vec<u8>,
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let ct = ContentType::parse_flexible(&self.media_type).unwrap_or(ContentType::Binary);
        Response::build()
            .header(ct)
            .header(Header::new(
                "Content-Disposition",
                rules::content_disposition(&self.name),
            ))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

#[derive(FromForm)]
pub struct UploadForm<'r> {
    #[field(default = String::new())]
    csrf: String,
    /// figure, milestone or activity.
    #[field(default = String::new())]
    target: String,
    #[field(default = String::new())]
    indicator: String,
    #[field(default = String::new())]
    county: String,
    #[field(default = String::new())]
    period: String,
    #[field(default = String::new())]
    milestone: String,
    #[field(default = String::new())]
    activity: String,
    /// An error rather than None when the file is over the limit, so that can be said.
    file: Result<TempFile<'r>, Errors<'r>>,
}

fn too_large(store: &Store) -> AppError {
    AppError::TooLarge(format!(
        "Nothing was attached: the file is larger than the {} an evidence file may be. Reduce it \
         (for example scan at a lower resolution or save as PDF) or split it into parts.",
        rules::size_label(store.max_bytes)
    ))
}

fn number(field: &str, s: &str) -> AppResult<Option<i32>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let article = if field.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    s.parse()
        .map(Some)
        .map_err(|_| AppError::invalid(field, format!("'{s}' is not {article} {field} number")))
}

/// Where the thing a file is attached to is shown.
fn page_of(code: &str, kind: &str, indicator: Option<&str>, id: Option<i32>) -> String {
    match (kind, indicator, id) {
        ("figure", Some(icode), _) => {
            format!("/programmes/{code}/indicators/{icode}#evidence")
        }
        ("milestone", _, Some(id)) => format!("/programmes/{code}/milestones/{id}/evidence"),
        ("activity", _, Some(id)) => format!("/programmes/{code}/activities/{id}/evidence"),
        _ => format!("/programmes/{code}"),
    }
}

/// Attaches an uploaded file. A refused file changes nothing and is told on the page it
/// came from (422, or 413 for one over the limit, 409 for one attached already).
#[rocket::post("/programmes/<code>/evidence", data = "<form>")]
pub async fn upload(
    db: &State<Db>,
    store: &State<Store>,
    signed: &Signed,
    code: &str,
    form: Result<Form<UploadForm<'_>>, Errors<'_>>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let form = match form {
        Ok(f) => f,
        Err(e) => {
            // Who may not upload here is told so before anything about the form.
            super::programme_for(db, signed, code, Permission::Edit).await?;
            return Err(match super::unreadable_upload(&e) {
                AppError::TooLarge(_) => too_large(store),
                other => other,
            });
        }
    };
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    auth::check_csrf(signed, &form.csrf)?;
    let numbers = number("milestone", &form.milestone)
        .and_then(|m| Ok((m, number("activity", &form.activity)?)));
    let input = TargetInput {
        kind: form.target.trim().to_string(),
        indicator: form.indicator.clone(),
        county: form.county.clone(),
        period: form.period.clone(),
        milestone: numbers.as_ref().ok().and_then(|n| n.0),
        activity: numbers.as_ref().ok().and_then(|n| n.1),
    };
    let read = match numbers {
        Ok(_) => {
            // The form's errors are not Sync: read what they say before waiting.
            let field = super::uploaded(&form.file);
            read_file(store, field).await
        }
        Err(e) => Err(e),
    };
    let (store_c, who, prog, input_c) = (
        store.inner().clone(),
        signed.actor(),
        p.clone(),
        input.clone(),
    );
    let outcome = match read {
        Ok((name, bytes)) => {
            db.run(move |c| {
                evidence::attach(
                    c,
                    &store_c,
                    &prog,
                    &input_c,
                    &name,
                    &bytes,
                    &who,
                    crate::clock::now(),
                )
            })
            .await
        }
        Err(e) => Err(e),
    };
    let id = input.milestone.or(input.activity);
    match outcome {
        Ok(e) => {
            let url = page_of(&p.code, &e.target, Some(input.indicator.trim()), id);
            Ok(Ok(Flash::success(
                Redirect::to(url),
                format!(
                    "Attached {} ({}, SHA-256 {}…).",
                    e.file_name,
                    rules::size_label(e.size_bytes as u64),
                    rules::short_hash(&e.sha256)
                ),
            )))
        }
        Err(err @ (AppError::Invalid { .. } | AppError::TooLarge(_) | AppError::Conflict(_))) => {
            let status = Status::new(err.status_code());
            let message = match &err {
                AppError::Invalid {
                    field: Some(f),
                    message,
                } => format!("Nothing was attached. {f}: {message}"),
                other => other.to_string(),
            };
            // Shown on the page the form came from, when that page can be shown.
            let page = match input.kind.as_str() {
                "figure" => super::indicator::show_page(
                    db,
                    signed,
                    code,
                    input.indicator.trim(),
                    false,
                    store.max_bytes,
                    super::indicator::Notes {
                        evidence_error: Some(message.clone()),
                        ..Default::default()
                    },
                )
                .await
                .ok(),
                "milestone" | "activity" => match id {
                    Some(id) => thing_page(
                        db,
                        store.max_bytes,
                        signed,
                        code,
                        &input.kind,
                        id,
                        None,
                        Some(message.clone()),
                    )
                    .await
                    .ok(),
                    None => None,
                },
                _ => None,
            };
            match (page, err) {
                (Some(t), _) => Ok(Err((status, t))),
                (None, AppError::Invalid { field, .. }) => {
                    Err(AppError::Invalid { field, message })
                }
                (None, other) => Err(other),
            }
        }
        Err(e) => Err(e),
    }
}

/// The chosen file's name and bytes; a file over the limit is not read.
async fn read_file(
    store: &Store,
    field: AppResult<Option<&TempFile<'_>>>,
) -> AppResult<(String, Vec<u8>)> {
    let file = match field {
        Ok(Some(f)) => f,
        Ok(None) => return Err(AppError::invalid("file", "choose a file to attach")),
        Err(AppError::TooLarge(_)) => return Err(too_large(store)),
        Err(e) => return Err(e),
    };
    let name = file
        .raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
        .unwrap_or_default();
    if file.len() == 0 && name.is_empty() {
        return Err(AppError::invalid("file", "choose a file to attach"));
    }
    if file.len() > store.max_bytes {
        return Err(evidence::refused(rules::Refusal::TooLarge {
            size: file.len(),
            max: store.max_bytes,
        }));
    }
    let mut bytes = Vec::with_capacity(file.len() as usize);
    if file.len() > 0 {
        file.open()
            .await
            .map_err(AppError::from)?
            .read_to_end(&mut bytes)
            .await
            .map_err(AppError::from)?;
    }
    Ok((name, bytes))
}

/// The file as it was attached, to those who may read what it is attached to.
#[rocket::get("/programmes/<code>/evidence/<id>")]
pub async fn download(
    db: &State<Db>,
    store: &State<Store>,
    signed: &Signed,
    code: &str,
    id: i32,
) -> AppResult<Download> {
    let p = super::programme_for(db, signed, code, Permission::ViewDetail).await?;
    let store = store.inner().clone();
    db.run(move |c| {
        let e = model::find(c, p.id, id)?;
        let bytes = evidence::read(c, &store, &e)?;
        Ok(Download {
            name: e.file_name,
            media_type: e.media_type,
            bytes,
        })
    })
    .await
}

#[derive(FromForm)]
pub struct ArchiveForm {
    #[field(default = String::new())]
    reason: String,
}

/// Archives an attachment (never deletes it): hidden from the lists, still downloadable.
#[rocket::post("/programmes/<code>/evidence/<id>/archive", data = "<form>")]
pub async fn archive(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<ArchiveForm>,
) -> AppResult<Flash<Redirect>> {
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    let (who, prog, reason) = (signed.actor(), p.clone(), form.0.reason);
    let (e, icode) = db
        .run(move |c| {
            let e = evidence::archive(c, &prog, id, &reason, &who, crate::clock::now())?;
            let icode = match e.indicator_id {
                Some(i) => Some(framework::find_indicator(c, prog.id, i)?.code),
                None => None,
            };
            Ok((e, icode))
        })
        .await?;
    let url = page_of(
        &p.code,
        &e.target,
        icode.as_deref(),
        e.milestone_id.or(e.activity_id),
    );
    Ok(Flash::success(
        Redirect::to(url),
        format!(
            "Archived {}: it is no longer listed, and stays downloadable from the archived files.",
            e.file_name
        ),
    ))
}

#[rocket::get("/programmes/<code>/milestones/<id>/evidence")]
pub async fn milestone_page(
    db: &State<Db>,
    store: &State<Store>,
    signed: &Signed,
    code: &str,
    id: i32,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let flash = flash.map(|f| f.message().to_string());
    thing_page(
        db,
        store.max_bytes,
        signed,
        code,
        "milestone",
        id,
        flash,
        None,
    )
    .await
}

#[rocket::get("/programmes/<code>/activities/<id>/evidence")]
pub async fn activity_page(
    db: &State<Db>,
    store: &State<Store>,
    signed: &Signed,
    code: &str,
    id: i32,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let flash = flash.map(|f| f.message().to_string());
    thing_page(
        db,
        store.max_bytes,
        signed,
        code,
        "activity",
        id,
        flash,
        None,
    )
    .await
}

/// A milestone's or activity's evidence: what it is, its files, and (for those who may
/// edit it) the upload form.
#[allow(clippy::too_many_arguments)]
async fn thing_page(
    db: &Db,
    max_bytes: u64,
    signed: &Signed,
    code: &str,
    kind: &str,
    id: i32,
    flash: Option<String>,
    error: Option<String>,
) -> AppResult<Template> {
    let p = super::programme_for(db, signed, code, Permission::ViewDetail).await?;
    let (pid, kind_s) = (p.id, kind.to_string());
    let (title, facts, rows) = db
        .run(move |c| {
            let (title, facts, rows) = if kind_s == "milestone" {
                let m = milestone::find(c, pid, id)?;
                let facts = vec![
                    ("Due".to_string(), crate::format::date(m.due_date)),
                    (
                        "Status".to_string(),
                        milestone::status_label(&m.status).to_string(),
                    ),
                    ("Evidence note".to_string(), m.evidence_note.clone()),
                ];
                (m.title.clone(), facts, model::of_milestone(c, m.id)?)
            } else {
                let a = activity::find(c, pid, id)?;
                let facts = vec![
                    (
                        "Planned".to_string(),
                        crate::format::month_range(a.planned_start, a.planned_end),
                    ),
                    (
                        "Status".to_string(),
                        activity::status_label(&a.status).to_string(),
                    ),
                    ("Complete".to_string(), format!("{}%", a.percent_complete)),
                ];
                (
                    format!("{} {}", a.code, a.title),
                    facts,
                    model::of_activity(c, a.id)?,
                )
            };
            Ok((title, facts, evidence::listed(c, &rows)?))
        })
        .await?;
    let (current, archived): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| !r.archived);
    let can_edit = signed.access.can(p.id, Permission::Edit) && p.is_active();
    Ok(render(
        "evidence",
        Some(signed),
        json!({
            "demo": p.is_demo,
            "programme": { "code": p.code, "name": p.name },
            "kind": kind,
            "kind_label": if kind == "milestone" { "Milestone" } else { "Activity" },
            "id": id,
            "title": title,
            "facts": facts,
            "evidence": current,
            "archived": archived,
            "can_upload": can_edit,
            "can_edit_thing": can_edit,
            "accepted": ACCEPTED,
            "max": rules::size_label(max_bytes),
            "flash": flash,
            "error": error,
        }),
    ))
}
