//! The logframe spreadsheet on the web: download, upload → preview → commit.

use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::tokio::io::AsyncReadExt;
use rocket::{Request, Response, State};
use rocket_dyn_templates::Template;
use serde::Serialize;
use serde_json::json;

use super::view::render;
use crate::auth::{self, Signed};
use crate::db::Db;
use crate::domain::access::Permission;
use crate::entry::Mode;
use crate::error::{AppError, AppResult};
use crate::models::audit;
use crate::models::logframe_upload::{self, NewUpload};
use crate::models::programme::Programme;
use crate::setup::logframe::{self, Apply, Destination, ImportReport, Line, Problem};
use crate::setup::{sheet, Effect};
use crate::web::guard::CsrfForm;

/// An .xlsx workbook to download under a given name.
pub struct XlsxFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl<'r> Responder<'r, 'static> for XlsxFile {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::new(
                "application",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ))
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.name),
            ))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

#[rocket::get("/programmes/<code>/logframe.xlsx")]
pub async fn download(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<XlsxFile> {
    let p = super::programme_for(db, signed, code, Permission::ViewDetail).await?;
    let name = format!("{}-logframe.xlsx", p.code);
    let bytes = db
        .run(move |c| {
            let doc = logframe::export(c, &p)?;
            sheet::write(&doc, p.is_demo)
        })
        .await?;
    Ok(XlsxFile { name, bytes })
}

/// The lines of one kind of thing in a preview, counted.
#[derive(Serialize)]
struct Group {
    title: &'static str,
    created: usize,
    changed: usize,
    archived: usize,
    removed: usize,
    restored: usize,
    unchanged: usize,
    /// The lines that change something.
    lines: Vec<LineView>,
}

#[derive(Serialize)]
struct LineView {
    place: String,
    what: String,
    /// "add", "change", "archive" …
    action: &'static str,
    changes: Vec<String>,
}

const GROUPS: [&str; 10] = [
    "Programme",
    "Disaggregations",
    "Phases",
    "Partners",
    "Results",
    "Indicators",
    "Milestones (interim targets)",
    "Activities",
    "Programme milestones",
    "Budget",
];

fn group_of(l: &Line) -> &'static str {
    let w = l.what.as_str();
    let starts = |p: &str| w.starts_with(p);
    if starts("programme milestone") {
        "Programme milestones"
    } else if starts("programme") {
        "Programme"
    } else if starts("disaggregation") {
        "Disaggregations"
    } else if starts("phase") {
        "Phases"
    } else if starts("partner") {
        "Partners"
    } else if starts("impact")
        || starts("outcome")
        || starts("output")
        || starts("order of results")
    {
        "Results"
    } else if starts("milestone") {
        "Milestones (interim targets)"
    } else if starts("indicator") || starts("order of indicators") {
        "Indicators"
    } else if starts("activity") {
        "Activities"
    } else {
        "Budget"
    }
}

fn action(e: Effect) -> &'static str {
    match e {
        Effect::Created => "add",
        Effect::Changed => "change",
        Effect::Archived => "archive",
        Effect::Removed => "remove",
        Effect::Restored => "restore",
        Effect::Unchanged => "keep",
    }
}

fn groups(report: &ImportReport) -> Vec<Group> {
    GROUPS
        .iter()
        .map(|title| {
            let mine: Vec<&Line> = report
                .lines
                .iter()
                .filter(|l| group_of(l) == *title)
                .collect();
            let n = |e: Effect| mine.iter().filter(|l| l.effect == e).count();
            Group {
                title,
                created: n(Effect::Created),
                changed: n(Effect::Changed),
                archived: n(Effect::Archived),
                removed: n(Effect::Removed),
                restored: n(Effect::Restored),
                unchanged: n(Effect::Unchanged),
                lines: mine
                    .iter()
                    .filter(|l| l.effect != Effect::Unchanged)
                    .map(|l| LineView {
                        place: l.place.clone(),
                        what: l.what.clone(),
                        action: action(l.effect),
                        changes: l.changes.clone(),
                    })
                    .collect(),
            }
        })
        .filter(|g| g.created + g.changed + g.archived + g.removed + g.restored + g.unchanged > 0)
        .collect()
}

/// A change someone made to the programme after the preview.
#[derive(Serialize)]
struct Meanwhile {
    who: String,
    when: String,
    what: String,
}

/// What the page shows after an upload or a commit that could not go ahead.
struct Outcome<'a> {
    file: &'a str,
    problems: &'a [Problem],
    report: Option<&'a ImportReport>,
    upload_id: Option<i32>,
    /// The commit was refused (the page says so instead of "cannot be imported"), and
    /// what changed since the preview.
    refused: bool,
    meanwhile: &'a [Meanwhile],
}

fn page(signed: &Signed, p: &Programme, outcome: Option<Outcome>) -> Template {
    let (file, problems, report, upload_id, refused, meanwhile) = match &outcome {
        Some(o) => (
            Some(o.file),
            o.problems,
            o.report,
            o.upload_id,
            o.refused,
            o.meanwhile,
        ),
        None => (None, &[][..], None, None, false, &[][..]),
    };
    let changes = report.map(|r| r.changes().count()).unwrap_or(0);
    render(
        "logframe",
        Some(signed),
        json!({
            "demo": p.is_demo,
            "programme": { "code": p.code, "name": p.name },
            "uploaded": outcome.is_some(),
            "file": file,
            "problems": problems,
            "refused": refused,
            "meanwhile": meanwhile,
            "groups": report.map(groups).unwrap_or_default(),
            "summary": report.map(|r| r.summary()),
            "changes": changes,
            "upload_id": upload_id,
            "max_mb": sheet::MAX_FILE_BYTES >> 20,
            "max_rows": crate::domain::unit::format_number(f64::from(sheet::MAX_ROWS), 0),
        }),
    )
}

#[rocket::get("/programmes/<code>/logframe")]
pub async fn upload_page(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<Template> {
    let p = super::programme_for(db, signed, code, Permission::Setup).await?;
    Ok(page(signed, &p, None))
}

#[derive(FromForm)]
pub struct UploadForm<'r> {
    #[field(default = String::new())]
    csrf: String,
    /// An error rather than None when the file is over the limit, so that can be said.
    file: Result<TempFile<'r>, rocket::form::Errors<'r>>,
}

/// Reads the workbook and shows what importing it would do; nothing is written but the
/// file and the preview's fingerprint, kept so that "Import" applies exactly this.
#[rocket::post("/programmes/<code>/logframe/preview", data = "<form>")]
pub async fn preview(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: Result<Form<UploadForm<'_>>, rocket::form::Errors<'_>>,
) -> AppResult<(Status, Template)> {
    let form = form.map_err(|e| super::unreadable_upload(&e))?;
    let p = super::programme_for(db, signed, code, Permission::Setup).await?;
    auth::check_csrf(signed, &form.csrf)?;
    let Some(file) = super::uploaded(&form.file)?.filter(|f| f.len() > 0) else {
        return Err(AppError::invalid(
            "file",
            "choose the logframe workbook (.xlsx) to upload",
        ));
    };
    let name: String = file
        .raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
        .unwrap_or_else(|| "logframe.xlsx".into())
        .chars()
        .take(120)
        .collect();
    let mut bytes = Vec::with_capacity(file.len() as usize);
    file.open()
        .await
        .map_err(AppError::from)?
        .read_to_end(&mut bytes)
        .await
        .map_err(AppError::from)?;
    let (who, prog, uid, stored_name) = (signed.actor(), p.clone(), signed.user.id, name.clone());
    let (problems, report, upload_id) = db
        .run(move |c| {
            let doc = match sheet::read(&bytes) {
                Ok(doc) => doc,
                Err(problems) => return Ok((problems, None, None)),
            };
            let report = logframe::apply(
                c,
                &who,
                Destination::Existing(prog.id),
                &doc,
                Apply {
                    mode: Mode::DryRun,
                    expect_plan: None,
                    today: crate::clock::today(),
                    now: crate::clock::now(),
                },
            )?;
            let upload = if report.is_clean() && report.changes().next().is_some() {
                Some(logframe_upload::store(
                    c,
                    &NewUpload {
                        programme_id: prog.id,
                        user_id: uid,
                        file_name: &stored_name,
                        content: &bytes,
                        plan_hash: &report.plan_hash(),
                        at: crate::clock::now(),
                    },
                )?)
            } else {
                None
            };
            Ok((report.problems.clone(), Some(report), upload))
        })
        .await?;
    let status = if problems.is_empty() {
        Status::Ok
    } else {
        Status::UnprocessableEntity
    };
    let outcome = Outcome {
        file: &name,
        problems: &problems,
        report: report.as_ref().filter(|r| r.is_clean()),
        upload_id,
        refused: false,
        meanwhile: &[],
    };
    Ok((status, page(signed, &p, Some(outcome))))
}

#[derive(FromForm)]
pub struct CommitForm {
    #[field(default = 0)]
    upload: i32,
}

/// Applies the previewed workbook: all of it, or nothing when the programme changed
/// since the preview (or anything else stands in the way).
#[rocket::post("/programmes/<code>/logframe/commit", data = "<form>")]
pub async fn commit(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<CommitForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let p = super::programme_for(db, signed, code, Permission::Setup).await?;
    let (who, prog, uid, id) = (signed.actor(), p.clone(), signed.user.id, form.0.upload);
    let (file, result) = db
        .run(move |c| {
            let u = logframe_upload::find(c, id, prog.id, uid)?;
            let doc = match sheet::read(&u.content) {
                Ok(doc) => doc,
                Err(problems) => return Ok((u.file_name, Err((problems, Vec::new())))),
            };
            let report = logframe::apply(
                c,
                &who,
                Destination::Existing(prog.id),
                &doc,
                Apply {
                    mode: Mode::Write,
                    expect_plan: Some(&u.plan_hash),
                    today: crate::clock::today(),
                    now: crate::clock::now(),
                },
            )?;
            if report.written {
                logframe_upload::remove(c, u.id)?;
                return Ok((u.file_name, Ok(report)));
            }
            // Who changed the programme since the preview, so the refusal says why.
            let meanwhile: Vec<Meanwhile> =
                audit::programme_changes_since(c, prog.id, u.created_at, 10)?
                    .into_iter()
                    .map(|e| Meanwhile {
                        who: e.actor,
                        when: e.at.format("%-d %b %Y %H:%M UTC").to_string(),
                        what: if e.detail.is_empty() {
                            format!("{} {}", e.action.replace('_', " "), e.entity)
                        } else {
                            format!("{}: {}", e.action.replace('_', " "), e.detail)
                        },
                    })
                    .collect();
            Ok((u.file_name, Err((report.problems, meanwhile))))
        })
        .await?;
    match result {
        Ok(report) => Ok(Ok(Flash::success(
            Redirect::to(format!("/programmes/{}/setup", p.code)),
            format!(
                "Imported the logframe {file}: {}. Every change is in the audit log.",
                report.summary()
            ),
        ))),
        Err((problems, meanwhile)) => Ok(Err((
            Status::Conflict,
            page(
                signed,
                &p,
                Some(Outcome {
                    file: &file,
                    problems: &problems,
                    report: None,
                    upload_id: None,
                    refused: true,
                    meanwhile: &meanwhile,
                }),
            ),
        ))),
    }
}
