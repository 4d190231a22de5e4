//! CSV: the template for a period, upload → preview → commit, and export.

use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::tokio::io::AsyncReadExt;
use rocket::{Request, Response, State};
use rocket_dyn_templates::Template;
use serde_json::json;

use super::view::render;
use crate::auth::{self, Signed};
use crate::csvio;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::domain::disclosure::Audience;
use crate::domain::period::Period;
use crate::entry::import::{self, ImportSummary};
use crate::entry::{EntryContext, Mode};
use crate::error::{AppError, AppResult};
use crate::figures::shared::{disclose_values, ValueCell};
use crate::models::framework;
use crate::models::programme::Programme;
use crate::models::{upload, user};
use crate::web::guard::CsrfForm;

/// A CSV file to download under a given name.
pub struct CsvFile {
    pub name: String,
    pub body: String,
}

impl<'r> Responder<'r, 'static> for CsvFile {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        Response::build_from(self.body.respond_to(req)?)
            .header(ContentType::new("text", "csv").with_params(("charset", "utf-8")))
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.name),
            ))
            .ok()
    }
}

#[rocket::get("/programmes/<code>/csv/template?<period>")]
pub async fn template(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    period: &str,
) -> AppResult<CsvFile> {
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    let period = Period::parse(period).map_err(|e| AppError::invalid("period", e.to_string()))?;
    let name = format!("{}-{}-template.csv", p.code, period.id());
    let body = db
        .run(move |c| Ok(import::template(&EntryContext::load(c, p, period)?)))
        .await?;
    Ok(CsvFile { name, body })
}

#[rocket::get("/programmes/<code>/csv/export")]
pub async fn export(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<CsvFile> {
    let p = super::programme_for(db, signed, code, Permission::Export).await?;
    let (pid, pcode) = (p.id, p.code.clone());
    let (rows, names) = db
        .run(move |c| {
            // A file leaves the tracker: for partners, whoever downloads it.
            let levels = framework::indicators_of(c, pid)?
                .into_iter()
                .map(|i| (i.id, (i.level(), i.small_rule())))
                .collect();
            let (rows, _) = disclose_values(
                crate::models::values::export_rows(c, pid)?,
                |(v, ..)| ValueCell {
                    indicator_id: v.indicator_id,
                    period: &v.period,
                    part: &v.disaggregation,
                    county: v.location_id,
                    value: v.value,
                },
                &levels,
                Audience::Partners,
            );
            let names: std::collections::HashMap<i32, String> = user::all(c)?
                .into_iter()
                .map(|u| (u.id, u.username))
                .collect();
            Ok((rows, names))
        })
        .await?;
    let headers = [
        "programme",
        "indicator_code",
        "period",
        "period_start",
        "period_end",
        "county_code",
        "county_name",
        "disaggregation",
        "value",
        "status",
        "comment",
        "entered_by",
        "entered_at",
        "version",
    ];
    let body = csvio::write(
        &headers,
        rows.into_iter().map(|(v, icode, ccode, cname)| {
            vec![
                pcode.clone(),
                icode,
                v.period.clone(),
                v.period_start.to_string(),
                v.period_end.to_string(),
                ccode,
                cname,
                v.disaggregation.clone(),
                format!("{}", v.value),
                v.status.clone(),
                v.comment.clone().unwrap_or_default(),
                v.entered_by
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default(),
                v.entered_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                v.version.to_string(),
            ]
        }),
    );
    Ok(CsvFile {
        name: format!("{}-values.csv", p.code),
        body,
    })
}

fn upload_page(
    signed: &Signed,
    p: &Programme,
    summary: Option<&ImportSummary>,
    upload_id: Option<i32>,
    file: Option<&str>,
) -> Template {
    render(
        "csv",
        Some(signed),
        json!({
            "demo": p.is_demo,
            "programme": { "code": p.code, "name": p.name },
            "summary": summary,
            "upload_id": upload_id,
            "file": file,
            "period": Period::quarter_containing(crate::clock::today()).prev().id(),
        }),
    )
}

#[rocket::get("/programmes/<code>/csv")]
pub async fn page(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<Template> {
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    Ok(upload_page(signed, &p, None, None, None))
}

#[derive(FromForm)]
pub struct UploadForm<'r> {
    #[field(default = String::new())]
    csrf: String,
    /// An error rather than None when the file is over the limit, so that can be said.
    file: Result<TempFile<'r>, rocket::form::Errors<'r>>,
}

/// Reads the upload and shows what it would change; nothing is written but the file,
/// kept so that "Import" applies exactly what was previewed.
#[rocket::post("/programmes/<code>/csv/preview", data = "<form>")]
pub async fn preview(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: Result<Form<UploadForm<'_>>, rocket::form::Errors<'_>>,
) -> AppResult<(Status, Template)> {
    let form = form.map_err(|e| super::unreadable_upload(&e))?;
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    auth::check_csrf(signed, &form.csrf)?;
    let Some(file) = super::uploaded(&form.file)?.filter(|f| f.len() > 0) else {
        return Err(AppError::invalid("file", "choose a CSV file to upload"));
    };
    let name = file
        .raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
        .unwrap_or_else(|| "upload.csv".into());
    let mut bytes = Vec::with_capacity(file.len() as usize);
    file.open()
        .await
        .map_err(AppError::from)?
        .read_to_end(&mut bytes)
        .await
        .map_err(AppError::from)?;
    let (who, prog, uid) = (signed.actor(), p.clone(), signed.user.id);
    let stored_name = name.chars().take(120).collect::<String>();
    let (summary, upload_id) = db
        .run(move |c| {
            let summary =
                import::import(c, &who, &prog, &bytes, Mode::DryRun, crate::clock::now())?;
            let id = match (summary.is_clean(), std::str::from_utf8(&bytes)) {
                (true, Ok(text)) => Some(upload::store(
                    c,
                    prog.id,
                    uid,
                    &stored_name,
                    text,
                    crate::clock::now(),
                )?),
                _ => None,
            };
            Ok((summary, id))
        })
        .await?;
    let status = if summary.is_clean() {
        Status::Ok
    } else {
        Status::UnprocessableEntity
    };
    Ok((
        status,
        upload_page(signed, &p, Some(&summary), upload_id, Some(&name)),
    ))
}

#[derive(FromForm)]
pub struct CommitForm {
    #[field(default = 0)]
    upload: i32,
}

#[rocket::post("/programmes/<code>/csv/commit", data = "<form>")]
pub async fn commit(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<CommitForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    let (who, prog, uid, id) = (signed.actor(), p.clone(), signed.user.id, form.0.upload);
    let (summary, file) = db
        .run(move |c| {
            let u = upload::find(c, id, prog.id, uid)?;
            let summary = import::import(
                c,
                &who,
                &prog,
                u.content.as_bytes(),
                Mode::Write,
                crate::clock::now(),
            )?;
            if summary.is_clean() {
                upload::remove(c, u.id)?;
            }
            Ok((summary, u.file_name))
        })
        .await?;
    if !summary.is_clean() {
        return Ok(Err((
            Status::Conflict,
            upload_page(signed, &p, Some(&summary), None, Some(&file)),
        )));
    }
    // The new drafts wait on the grid to be submitted: land there, on the newest
    // period the file changed (the others are named in the message).
    let target = match summary.periods.last() {
        Some(q) => format!("/programmes/{}/entry?period={}&county=all", p.code, q.id()),
        None => format!("/programmes/{}", p.code),
    };
    let periods: Vec<String> = summary.periods.iter().map(|q| q.id()).collect();
    let submit = match periods.len() {
        0 => String::new(),
        1 => " Submit them below when they are ready.".to_string(),
        _ => format!(
            " They are in {}; {} is shown below: submit each period when it is ready.",
            periods.join(", "),
            periods[periods.len() - 1]
        ),
    };
    Ok(Ok(Flash::success(
        Redirect::to(target),
        format!("Imported {file}: {} value(s) added, {} changed, {} unchanged. The new values are drafts until submitted.{submit}", summary.added, summary.changed, summary.unchanged),
    )))
}
