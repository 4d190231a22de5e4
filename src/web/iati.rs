//! IATI publishing: the preview of what would be published with every problem, the
//! publish button, and the published file at a stable address without sign-in.

use rocket::http::{ContentType, Header, Status};
use rocket::request::FlashMessage;
use rocket::response::{self, Flash, Redirect, Responder, Response};
use rocket::{Request, State};
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::view::render;
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::error::{AppError, AppResult};
use crate::format;
use crate::iati::{assemble, publish, rules, xml};
use crate::mail::Mailer;
use crate::models::programme::{self, Programme};
use crate::models::user;
use crate::web::guard::{ButtonOnly, CsrfForm};

/// An XML document, shown in the browser or fetched by the IATI Registry.
pub struct XmlFile {
    pub bytes: Vec<u8>,
    /// For a published file: its SHA-256, as the ETag.
    pub etag: Option<String>,
}

impl<'r> Responder<'r, 'static> for XmlFile {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        let mut r = Response::build();
        r.header(ContentType::XML);
        if let Some(e) = self.etag {
            r.header(Header::new("ETag", format!("\"{e}\"")));
        }
        r.sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// What the file keeps out, one entry per indicator: left out entirely (and why), or its
/// withheld county figures period by period ("Garissa, Lamu (below 5); Busia (with them)").
fn withheld_by_indicator(all: &[crate::figures::shared::Withheld]) -> Vec<Value> {
    let mut order: Vec<&str> = Vec::new();
    for w in all {
        if !order.contains(&w.indicator.as_str()) {
            order.push(&w.indicator);
        }
    }
    order
        .into_iter()
        .map(|code| {
            let mine: Vec<_> = all.iter().filter(|w| w.indicator == code).collect();
            let left_out = mine.iter().find(|w| w.county.is_none());
            let mut periods: Vec<(String, Vec<String>)> = Vec::new();
            for w in mine.iter().filter(|w| w.county.is_some()) {
                let county = format!("{} ({})", w.county.as_deref().unwrap_or(""), w.shown_as);
                match periods.iter_mut().find(|(p, _)| *p == w.period) {
                    Some((_, cs)) => cs.push(county),
                    None => periods.push((w.period.clone(), vec![county])),
                }
            }
            let mut why: Vec<String> = mine.iter().filter(|w| w.county.is_some()).map(|w| w.why.clone()).collect();
            why.sort();
            why.dedup();
            json!({
                "code": code,
                "title": mine[0].title,
                "left_out": left_out.map(|w| w.why.clone()),
                "figures": mine.iter().filter(|w| w.county.is_some()).count(),
                "why": why,
                "periods": periods.into_iter().map(|(p, cs)| json!({ "period": p, "counties": cs.join(", ") })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

async fn page_context(db: &Db, p: &Programme, public_url: String) -> AppResult<Value> {
    let p = p.clone();
    db.run(move |c| {
        let now = crate::clock::now();
        let a = assemble::activity(c, &p, &public_url, now)?;
        let problems = rules::check(&a, now);
        let published = publish::latest(c, p.id)?;
        let by = match published.as_ref().and_then(|x| x.published_by) {
            Some(id) => user::find(c, id)?.display_name,
            None => String::new(),
        };
        let units: std::collections::HashMap<String, crate::domain::unit::Unit> =
            crate::models::framework::active_indicators_of(c, p.id)?
                .into_iter()
                .filter_map(|i| Some((i.code.clone(), i.rules().ok()?.unit)))
                .collect();
        let shown = |code: &str, v: f64| match units.get(code) {
            Some(u) => crate::domain::unit::format_value(*u, v, &p.currency),
            None => xml::number(v),
        };
        let indicators: Vec<Value> = a
            .results
            .iter()
            .flat_map(|r| r.indicators.iter().map(move |i| (r, i)))
            .map(|(r, i)| {
                let last = i.periods.iter().rev().find_map(|p| {
                    p.actuals
                        .iter()
                        .find(|x| x.location.is_none() && x.dimension.is_none())
                        .map(|x| format!("{} (quarter to {})", shown(&i.code, x.value), format::date(p.end)))
                });
                json!({
                    "result_type": match r.result_type { 3 => "Impact", 2 => "Outcome", _ => "Output" },
                    "code": i.code, "title": i.title,
                    "measure": if i.measure == 2 { "Percentage" } else { "Unit" },
                    "baseline": i.baseline.as_ref().map(|b| format!("{} ({})", shown(&i.code, b.value), b.year)),
                    "periods": i.periods.len(),
                    "actuals": i.periods.iter().map(|p| p.actuals.len()).sum::<usize>(),
                    "last": last,
                })
            })
            .collect();
        Ok(json!({
            "programme": { "code": p.code, "name": p.name },
            "identifier": a.identifier,
            "reporting_org": a.reporting_org.name,
            "reporting_ref": a.reporting_org.reference,
            "results": a.results.len(),
            "places": a.places.iter().map(|x| format!("{} ({})", x.name, x.reference)).collect::<Vec<_>>(),
            "actuals": publish::actuals_of(&a),
            "indicators": indicators,
            "problems": problems,
            "withheld": withheld_by_indicator(&a.withheld),
            "withheld_counties": a.withheld.iter().filter(|w| w.county.is_some()).count(),
            "version": p.version,
            "sectors_typed": p.iati_sectors.replace("; ", ", "),
            "sectors": a.sectors.iter().map(|s| json!({
                "code": s.code, "percentage": xml::number(s.percentage),
                "name": crate::iati::sector::name(&s.code),
            })).collect::<Vec<_>>(),
            "left_out": a.withheld.iter().filter(|w| w.county.is_none()).count(),

            "transactions": a.transactions.len(),
            "spend": a.transactions.iter().map(|t| t.amount_minor).sum::<i64>(),
            "spend_shown": crate::domain::unit::format_value(
                crate::domain::unit::Unit::Currency,
                a.transactions.iter().map(|t| t.amount_minor).sum::<i64>() as f64 / 100.0,
                &p.currency,
            ),
            "published": published.map(|x| json!({
                "version": x.version, "when": format!("{} {} UTC", format::date(x.published_at.date()), x.published_at.format("%H:%M")),
                "by": by, "size": format!("{:.1} KB", x.size_bytes as f64 / 1024.0), "sha": x.sha256,
                "actuals": x.actuals,
            })),
        }))
    })
    .await
}

#[rocket::get("/programmes/<code>/iati")]
pub async fn page(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    code: &str,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let p = super::programme_for(db, signed, code, Permission::IssueReports).await?;
    let mut ctx = page_context(db, &p, mailer.config().public_url.clone()).await?;
    ctx["flash"] = json!(flash.map(|f| f.message().to_string()));
    Ok(render("iati", Some(signed), ctx))
}

/// The file as it would be published now.
#[rocket::get("/programmes/<code>/iati/preview.xml")]
pub async fn preview(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    code: &str,
) -> AppResult<XmlFile> {
    let p = super::programme_for(db, signed, code, Permission::IssueReports).await?;
    let url = mailer.config().public_url.clone();
    let text = db
        .run(move |c| {
            Ok(xml::write(&assemble::activity(
                c,
                &p,
                &url,
                crate::clock::now(),
            )?))
        })
        .await?;
    Ok(XmlFile {
        bytes: text.into_bytes(),
        etag: None,
    })
}

#[rocket::post("/programmes/<code>/iati/publish", data = "<form>")]
pub async fn publish_now(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<ButtonOnly>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let CsrfForm(ButtonOnly { .. }) = form;
    let p = super::programme_for(db, signed, code, Permission::IssueReports).await?;
    let (who, url, q) = (
        signed.actor(),
        mailer.config().public_url.clone(),
        p.clone(),
    );
    let done = db
        .run(move |c| publish::publish(c, &q, &url, &who, crate::clock::now()))
        .await;
    match done {
        Ok(x) => Ok(Ok(Flash::success(
            Redirect::to(format!("/programmes/{}/iati", p.code)),
            format!(
                "Version {} is published at /iati/{}.xml ({} actual values); the IATI Registry fetches it from there.",
                x.version, p.code, x.actuals
            ),
        ))),
        Err(AppError::Invalid { message, .. }) => {
            let mut ctx = page_context(db, &p, mailer.config().public_url.clone()).await?;
            ctx["error"] = json!(message);
            Ok(Err((Status::UnprocessableEntity, render("iati", Some(signed), ctx))))
        }
        Err(e) => Err(e),
    }
}

#[derive(rocket::FromForm)]
pub struct SectorsForm {
    #[field(name = "csrf")]
    _csrf: String,
    // Optional so that who may post is decided before what was posted is read.
    version: Option<i32>,
    sectors: Option<String>,
}

/// The programme's DAC sectors, from the form on the IATI page.
#[rocket::post("/programmes/<code>/iati/sectors", data = "<form>")]
pub async fn sectors(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<SectorsForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let CsrfForm(f) = form;
    let p = super::programme_for(db, signed, code, Permission::IssueReports).await?;
    let version = f.version.ok_or_else(|| {
        AppError::invalid(
            "version",
            "the form lost its version number; reload the page and try again",
        )
    })?;
    let typed_now = f.sectors.unwrap_or_default();
    let (who, q, typed) = (signed.actor(), p.clone(), typed_now.clone());
    let done = db
        .run(move |c| publish::set_sectors(c, &q, version, &typed, &who))
        .await?;
    match done {
        Ok(text) => Ok(Ok(Flash::success(
            Redirect::to(format!("/programmes/{}/iati#sectors", p.code)),
            if text.is_empty() {
                "Sectors cleared.".to_string()
            } else {
                format!("Sectors saved: {text}.")
            },
        ))),
        Err(message) => {
            let mut ctx = page_context(db, &p, mailer.config().public_url.clone()).await?;
            ctx["sectors_error"] = json!(message);
            ctx["sectors_typed"] = json!(typed_now);
            Ok(Err((
                Status::UnprocessableEntity,
                render("iati", Some(signed), ctx),
            )))
        }
    }
}

/// The published file, for the IATI Registry: no sign-in, the newest version exactly
/// as published.
#[rocket::get("/iati/<file>")]
pub async fn published(db: &State<Db>, file: &str) -> AppResult<XmlFile> {
    let code = file
        .strip_suffix(".xml")
        .ok_or_else(|| AppError::not_found("IATI files are at /iati/CODE.xml"))?
        .to_string();
    let x = db
        .run(move |c| {
            let p = programme::by_code(c, &code)?;
            publish::latest(c, p.id)
        })
        .await?
        .ok_or_else(|| AppError::not_found("This programme has not published an IATI file."))?;
    Ok(XmlFile {
        bytes: x.content.into_bytes(),
        etag: Some(x.sha256),
    })
}
