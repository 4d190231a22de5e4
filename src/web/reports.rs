//! Report pages: a programme's issued donor reports (download), and for its manager the
//! narrative, a draft preview and "Issue"; the ministry's county reports likewise.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use rocket::form::FromForm;
use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Flash, Redirect, Responder};
use rocket::{Request, Response, State};
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::view::render;
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::format;
use crate::mail::Mailer;
use crate::models::issued::{self, IssuedReport};
use crate::models::narrative::{self as narrative_model, Texts};
use crate::models::programme::{self, Programme};
use crate::models::user;
use crate::report::issue::{self, IssueRequest, Subject};
use crate::report::narrative::{self, Saved};
use crate::report::readiness::{self, Readiness};
use crate::web::guard::CsrfForm;

/// Where issued reports are kept (MIPAKA_REPORTS_DIR).
pub struct ReportsDir(pub PathBuf);

pub struct PdfFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl<'r> Responder<'r, 'static> for PdfFile {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::PDF)
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.name),
            ))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

fn parse_period(s: &str) -> AppResult<Period> {
    Period::parse(s).map_err(|e| AppError::invalid("period", e.to_string()))
}

/// Quarters from `start` to the last one ended by `today`, newest first.
fn quarters(start: NaiveDate, end: NaiveDate, today: NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    let mut q = Period::quarter_containing(start);
    while q.start() <= end && q.end() < today {
        out.push(q);
        q = q.next();
    }
    out.reverse();
    out
}

fn issued_rows(
    reports: &[IssuedReport],
    names: &std::collections::HashMap<i32, String>,
) -> Vec<Value> {
    reports
        .iter()
        .map(|r| {
            let period = Period::parse(&r.period).map(|p| p.label()).unwrap_or_else(|_| r.period.clone());
            json!({
                "id": r.id,
                "period": r.period,
                "period_label": period,
                "version": r.version,
                "issued": format!("{} {}", format::date(r.issued_at.date()), r.issued_at.format("%H:%M")),
                "by": r.issued_by.and_then(|u| names.get(&u).cloned()).unwrap_or_else(|| "command line".into()),
                "size": format!("{:.0} KB", r.size_bytes as f64 / 1024.0),
                "sha": r.sha256.chars().take(12).collect::<String>(),
                "name": issue::file_name(r),
                "note": match (&r.reason, &r.approval) {
                    (Some(why), Some(a)) => format!("{why} · issued before approval was complete: {a}"),
                    (Some(why), None) => why.clone(),
                    (None, Some(a)) => format!("Issued before approval was complete: {a}"),
                    (None, None) => String::new(),
                },
            })
        })
        .collect()
}

/// The period list, each with how much of it is approved.
fn period_choices(
    choices: &[Period],
    ready: &HashMap<Period, Readiness>,
    label: impl Fn(&Period) -> String,
) -> Vec<Value> {
    choices
        .iter()
        .map(|q| {
            let r = ready.get(q).copied().unwrap_or_default();
            let state = if r.complete() {
                "all approved".to_string()
            } else {
                r.describe()
            };
            json!({ "id": q.id(), "label": format!("{} ({}) — {state}", label(q), q.id()) })
        })
        .collect()
}

fn readiness_view(r: Readiness) -> Value {
    json!({ "complete": r.complete(), "text": r.describe() })
}

#[rocket::get("/programmes/<code>/reports?<period>")]
pub async fn programme_page(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    period: Option<&str>,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> AppResult<Template> {
    let p = super::programme_for(db, signed, code, Permission::DownloadReports).await?;
    let can_issue = signed.access.can(p.id, Permission::IssueReports);
    let can_edit = signed.access.can(p.id, Permission::Edit);
    let choices = quarters(p.start_date, p.end_date, crate::clock::today());
    let chosen = period.map(parse_period).transpose()?;
    let page = Page {
        programme: p,
        chosen,
        choices,
        can_issue,
        can_edit,
        typed: None,
        conflict: None,
        error: None,
    };
    page.render(db, signed, flash.map(|f| f.message().to_string()))
        .await
}

struct Page {
    programme: Programme,
    /// The period asked for; None: the newest fully approved one (else the newest).
    chosen: Option<Period>,
    choices: Vec<Period>,
    can_issue: bool,
    can_edit: bool,
    /// What the manager typed, when it could not be saved.
    typed: Option<Texts>,
    conflict: Option<Value>,
    error: Option<(String, String)>,
}

impl Page {
    async fn render(self, db: &Db, signed: &Signed, flash: Option<String>) -> AppResult<Template> {
        let (prog, choices) = (self.programme.clone(), self.choices.clone());
        let ready = db
            .run(move |c| readiness::of_programme(c, &prog, &choices))
            .await?;
        let chosen = self
            .chosen
            .or_else(|| readiness::default_period(&self.choices, &ready));
        let pid = self.programme.id;
        let (reports, names, narrative, next_version, comparisons) = db
            .run(move |c| {
                let reports = issued::of_programme(c, pid)?;
                let comparisons = crate::models::comparison::of_programme(c, pid)?;
                let names: std::collections::HashMap<i32, String> = user::all(c)?
                    .into_iter()
                    .map(|u| (u.id, u.display_name))
                    .collect();
                let (narrative, next) = match chosen {
                    Some(q) => (
                        narrative_model::of_period(c, pid, &q.id())?,
                        Some(issued::next_version(c, Some(pid), "donor", &q.id())?),
                    ),
                    None => (None, None),
                };
                Ok((reports, names, narrative, next, comparisons))
            })
            .await?;
        let p = &self.programme;
        let texts = self
            .typed
            .clone()
            .or_else(|| narrative.as_ref().map(|n| n.texts()))
            .unwrap_or_default();
        let mut errors = serde_json::Map::new();
        if let Some((field, message)) = &self.error {
            errors.insert(field.clone(), json!(message));
        }
        Ok(render(
            "reports",
            Some(signed),
            json!({
                "demo": p.is_demo,
                "programme": { "code": p.code, "name": p.name },
                "reports": issued_rows(&reports, &names),
                "can_issue": self.can_issue,
                "can_edit": self.can_edit,
                "periods": period_choices(&self.choices, &ready, |q| q.label()),
                "period": chosen.map(|q| json!({ "id": q.id(), "label": q.label() })),
                "readiness": chosen.map(|q| readiness_view(ready.get(&q).copied().unwrap_or_default())),
                "next_version": next_version,
                "comparisons": comparisons.iter().map(|c| json!({ "id": c.id, "name": c.name })).collect::<Vec<_>>(),
                "narrative": texts,
                "narrative_version": narrative.as_ref().map(|n| n.version),
                "narrative_by": narrative.as_ref().map(|n| format!("{}, {}", n.updated_by.and_then(|u| names.get(&u).cloned()).unwrap_or_default(), format::date(n.updated_at.date()))),
                "conflict": self.conflict,
                "errors": errors,
                "flash": flash,
            }),
        ))
    }
}

#[rocket::get("/programmes/<code>/reports/draft?<period>&<annex>")]
pub async fn programme_draft(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    period: &str,
    annex: Option<i32>,
) -> AppResult<PdfFile> {
    let p = super::programme_for(db, signed, code, Permission::IssueReports).await?;
    let period = parse_period(period)?;
    let subject = donor_subject(p, annex);
    let (name, bytes) = db.run(move |c| issue::draft(c, &subject, period)).await?;
    Ok(PdfFile { name, bytes })
}

#[derive(FromForm)]
pub struct NarrativeForm {
    period: String,
    version: Option<i32>,
    achievements: String,
    issues: String,
    risks: String,
}

#[rocket::post("/programmes/<code>/reports/narrative", data = "<form>")]
pub async fn save_narrative(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<NarrativeForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    let f = form.0;
    let period = parse_period(&f.period)?;
    let texts = Texts {
        achievements: f.achievements.replace("\r\n", "\n"),
        issues: f.issues.replace("\r\n", "\n"),
        risks: f.risks.replace("\r\n", "\n"),
    };
    let (who, prog, t, version) = (signed.actor(), p.clone(), texts.clone(), f.version);
    let saved = db
        .run(move |c| narrative::save(c, &prog, &period, version, &t, &who, crate::clock::now()))
        .await;
    let page = |conflict: Option<Value>, error: Option<(String, String)>| {
        Page {
            programme: p.clone(),
            chosen: Some(period),
            choices: quarters(p.start_date, p.end_date, crate::clock::today()),
            can_issue: signed.access.can(p.id, Permission::IssueReports),
            can_edit: true,
            typed: Some(texts.clone()),
            conflict,
            error,
        }
        .render(db, signed, None)
    };
    match saved {
        Ok(Saved::Done) => Ok(Ok(Flash::success(
            Redirect::to(format!(
                "/programmes/{}/reports?period={}",
                p.code,
                period.id()
            )),
            format!("Narrative for {} saved.", period.label()),
        ))),
        Ok(Saved::Conflict(theirs)) => {
            let conflict = json!({
                "at": format::date(theirs.updated_at.date()),
                "theirs": theirs.texts(),
                "version": theirs.version,
            });
            Ok(Err((Status::Conflict, page(Some(conflict), None).await?)))
        }
        Err(AppError::Invalid { field, message }) => Ok(Err((
            Status::UnprocessableEntity,
            page(None, Some((field.unwrap_or_default(), message))).await?,
        ))),
        Err(e) => Err(e),
    }
}

#[derive(FromForm)]
pub struct IssueForm {
    period: String,
    /// A saved comparison to add as the evaluation annex (0 or absent: none).
    annex: Option<i32>,
    /// Why this version (required from version 2 on).
    reason: Option<String>,
    /// Ticked to issue a period whose figures are not all approved.
    accept_unapproved: bool,
}

impl IssueForm {
    fn request(&self, mailer: &Mailer) -> IssueRequest {
        IssueRequest {
            reason: self.reason.clone().unwrap_or_default(),
            accept_unapproved: self.accept_unapproved,
            tell: Some(mailer.config().clone()),
        }
    }
}

fn donor_subject(p: Programme, annex: Option<i32>) -> Subject {
    match annex.filter(|id| *id > 0) {
        Some(comparison) => Subject::Evaluated {
            programme: p,
            comparison,
        },
        None => Subject::Donor(p),
    }
}

#[rocket::post("/programmes/<code>/reports/issue", data = "<form>")]
pub async fn issue_programme(
    db: &State<Db>,
    mailer: &State<Mailer>,
    dir: &State<ReportsDir>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<IssueForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let p = super::programme_for(db, signed, code, Permission::IssueReports).await?;
    let period = parse_period(&form.0.period)?;
    let subject = donor_subject(p.clone(), form.0.annex);
    let (who, dir, request) = (signed.actor(), dir.0.clone(), form.0.request(mailer));
    let issued = db
        .run(move |c| {
            issue::issue(
                c,
                &dir,
                &subject,
                period,
                &request,
                &who,
                crate::clock::now(),
            )
        })
        .await;
    let r = match issued {
        Ok(r) => {
            mailer.nudge();
            r
        }
        Err(AppError::Invalid { field, message }) => {
            let page = Page {
                programme: p.clone(),
                chosen: Some(period),
                choices: quarters(p.start_date, p.end_date, crate::clock::today()),
                can_issue: true,
                can_edit: signed.access.can(p.id, Permission::Edit),
                typed: None,
                conflict: None,
                error: Some((field.unwrap_or_default(), message)),
            };
            return Ok(Err((
                Status::UnprocessableEntity,
                page.render(db, signed, None).await?,
            )));
        }
        Err(e) => return Err(e),
    };
    Ok(Ok(Flash::success(
        Redirect::to(format!("/programmes/{}/reports?period={}", p.code, period.id())),
        format!(
            "Issued {} version {} ({:.0} KB, SHA-256 {}…). It is kept as issued; a correction is a new version.",
            period.label(),
            r.version,
            r.size_bytes as f64 / 1024.0,
            &r.sha256[..12]
        ),
    )))
}

#[rocket::get("/programmes/<code>/reports/<id>", rank = 2)]
pub async fn programme_download(
    db: &State<Db>,
    dir: &State<ReportsDir>,
    signed: &Signed,
    code: &str,
    id: i32,
) -> AppResult<PdfFile> {
    let p = super::programme_for(db, signed, code, Permission::DownloadReports).await?;
    let r = db
        .run(move |c| issued::by_id(c, id))
        .await?
        .filter(|r| r.programme_id == Some(p.id))
        .ok_or_else(|| {
            AppError::not_found("This programme has no issued report with that number.")
        })?;
    Ok(PdfFile {
        name: issue::file_name(&r),
        bytes: issue::read_issued(&dir.0, &r)?,
    })
}

// ---- Ministry reports: every programme, county by county --------------------------

/// Ministry reports cover every programme, so reading them needs detail access to all
/// of them, and issuing needs the M&E officer's approval right in all of them.
async fn ministry_access(db: &Db, signed: &Signed, p: Permission) -> AppResult<Vec<Programme>> {
    let all = db.run(programme::all).await?;
    let every = |p: Permission| !all.is_empty() && all.iter().all(|x| signed.access.can(x.id, p));
    if !every(Permission::ViewDetail) {
        return Err(AppError::not_found(
            "Ministry reports cover every programme; your roles do not.",
        ));
    }
    if !every(p) {
        return Err(AppError::Forbidden(
            "Issuing the ministry report needs the M&E officer role in every programme.".into(),
        ));
    }
    Ok(all)
}

#[rocket::get("/reports?<period>")]
pub async fn ministry_page(
    db: &State<Db>,
    signed: &Signed,
    period: Option<&str>,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> AppResult<Template> {
    let all = ministry_access(db, signed, Permission::ViewDetail).await?;
    let requested = period.map(parse_period).transpose()?;
    ministry_render(
        db,
        signed,
        all,
        requested,
        None,
        flash.map(|f| f.message().to_string()),
    )
    .await
}

/// The ministry's reports page; `error` is a refused issue's field and message.
async fn ministry_render(
    db: &Db,
    signed: &Signed,
    all: Vec<Programme>,
    requested: Option<Period>,
    error: Option<(String, String)>,
    flash: Option<String>,
) -> AppResult<Template> {
    let can_issue = all
        .iter()
        .all(|x| signed.access.can(x.id, Permission::Approve));
    // The quarters of every programme's span that have ended.
    let today = crate::clock::today();
    let start = all.iter().map(|p| p.start_date).min().unwrap_or(today);
    let end = all.iter().map(|p| p.end_date).max().unwrap_or(today);
    let choices = quarters(start, end, today);
    let (progs, qs) = (all.clone(), choices.clone());
    let ready = db
        .run(move |c| readiness::of_programmes(c, &progs, &qs))
        .await?;
    let chosen = requested.or_else(|| readiness::default_period(&choices, &ready));
    let (reports, names, next) = db
        .run(move |c| {
            let names: std::collections::HashMap<i32, String> = user::all(c)?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect();
            let next = match chosen {
                Some(q) => Some(issued::next_version(c, None, "ministry", &q.id())?),
                None => None,
            };
            Ok((issued::of_kind(c, "ministry")?, names, next))
        })
        .await?;
    let label = |q: &Period| crate::report::ministry::fiscal_label(q);
    Ok(render(
        "ministry_reports",
        Some(signed),
        json!({
            "demo": all.iter().any(|p| p.is_demo),
            "reports": issued_rows(&reports, &names),
            "can_issue": can_issue,
            "periods": period_choices(&choices, &ready, label),
            "period": chosen.map(|q| json!({ "id": q.id(), "label": label(&q) })),
            "readiness": chosen.map(|q| readiness_view(ready.get(&q).copied().unwrap_or_default())),
            "next_version": next,
            "errors": error.map(|(f, m)| json!({ f: m })).unwrap_or_else(|| json!({})),
            "flash": flash,
        }),
    ))
}

#[rocket::get("/reports/draft?<period>")]
pub async fn ministry_draft(db: &State<Db>, signed: &Signed, period: &str) -> AppResult<PdfFile> {
    ministry_access(db, signed, Permission::ViewDetail).await?;
    let period = parse_period(period)?;
    let (name, bytes) = db
        .run(move |c| issue::draft(c, &Subject::Ministry, period))
        .await?;
    Ok(PdfFile { name, bytes })
}

#[rocket::post("/reports/issue", data = "<form>")]
pub async fn issue_ministry(
    db: &State<Db>,
    mailer: &State<Mailer>,
    dir: &State<ReportsDir>,
    signed: &Signed,
    form: CsrfForm<IssueForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let all = ministry_access(db, signed, Permission::Approve).await?;
    let period = parse_period(&form.0.period)?;
    let (who, dir, request) = (signed.actor(), dir.0.clone(), form.0.request(mailer));
    let issued = db
        .run(move |c| {
            issue::issue(
                c,
                &dir,
                &Subject::Ministry,
                period,
                &request,
                &who,
                crate::clock::now(),
            )
        })
        .await;
    let r = match issued {
        Ok(r) => {
            mailer.nudge();
            r
        }
        Err(AppError::Invalid { field, message }) => {
            let error = Some((field.unwrap_or_default(), message));
            let page = ministry_render(db, signed, all, Some(period), error, None).await?;
            return Ok(Err((Status::UnprocessableEntity, page)));
        }
        Err(e) => return Err(e),
    };
    Ok(Ok(Flash::success(
        Redirect::to(format!("/reports?period={}", period.id())),
        format!(
            "Issued the county report for {} as version {} ({:.0} KB, SHA-256 {}…).",
            crate::report::ministry::fiscal_label(&period),
            r.version,
            r.size_bytes as f64 / 1024.0,
            &r.sha256[..12]
        ),
    )))
}

#[rocket::get("/reports/<id>", rank = 2)]
pub async fn ministry_download(
    db: &State<Db>,
    dir: &State<ReportsDir>,
    signed: &Signed,
    id: i32,
) -> AppResult<PdfFile> {
    ministry_access(db, signed, Permission::ViewDetail).await?;
    let r = db
        .run(move |c| issued::by_id(c, id))
        .await?
        .filter(|r| r.programme_id.is_none() && r.kind == "ministry")
        .ok_or_else(|| {
            AppError::not_found("There is no issued ministry report with that number.")
        })?;
    Ok(PdfFile {
        name: issue::file_name(&r),
        bytes: issue::read_issued(&dir.0, &r)?,
    })
}
