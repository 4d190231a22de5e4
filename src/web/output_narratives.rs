//! The narrative of each output for a period: its own page, linked from the reports page
//! beside the period's narrative (a text area per output would push "Issue" far down
//! that page). One form for every output, so nothing typed in one is lost by saving
//! another.

use std::collections::HashMap;

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::view::render;
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::domain::narrative::fingerprint;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::format;
use crate::models::output_narrative::{self as model, OutputNarrative};
use crate::models::programme::Programme;
use crate::models::user;
use crate::report::narrative::MAX_CHARS;
use crate::report::output_narrative::{self, Saved, Typed};
use crate::web::guard::CsrfForm;

fn parse_period(s: &str) -> AppResult<Period> {
    Period::parse(s).map_err(|e| AppError::invalid("period", e.to_string()))
}

fn address(p: &Programme, period: &Period) -> String {
    format!(
        "/programmes/{}/reports/outputs?period={}",
        p.code,
        period.id()
    )
}

#[rocket::get("/programmes/<code>/reports/outputs?<period>")]
pub async fn page(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    period: &str,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> AppResult<Template> {
    // Editing only, as the period's narrative: the same permission.
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    let period = parse_period(period)?;
    crate::report::donor::check_period(&p, &period)?;
    Page {
        programme: p,
        period,
        typed: HashMap::new(),
        conflicts: HashMap::new(),
        error: None,
    }
    .render(db, signed, flash.map(|f| f.message().to_string()))
    .await
}

struct Page {
    programme: Programme,
    period: Period,
    /// What was typed, by output, when it could not be saved.
    typed: HashMap<i32, Typed>,
    /// The outputs someone saved since they were read: theirs (None: gone).
    conflicts: HashMap<i32, Option<OutputNarrative>>,
    /// A refused field and why.
    error: Option<(String, String)>,
}

impl Page {
    async fn render(self, db: &Db, signed: &Signed, flash: Option<String>) -> AppResult<Template> {
        let (pid, period_id) = (self.programme.id, self.period.id());
        let (outputs, stored, names) = db
            .run(move |c| {
                let names: HashMap<i32, String> = user::all(c)?
                    .into_iter()
                    .map(|u| (u.id, u.display_name))
                    .collect();
                Ok((
                    output_narrative::outputs(c, pid)?,
                    model::of_period(c, pid, &period_id)?,
                    names,
                ))
            })
            .await?;
        let saved_by = |n: &OutputNarrative| {
            format!(
                "{}, {}",
                n.updated_by
                    .and_then(|u| names.get(&u).cloned())
                    .unwrap_or_default(),
                format::date(n.updated_at.date())
            )
        };
        let mut unplaced_error = self.error.clone();
        let rows: Vec<Value> = outputs
            .iter()
            .map(|o| {
                let stored = stored.get(&o.id);
                // What was typed is shown again only where it was changed: an output
                // sent back as read shows what is stored now.
                let typed = self
                    .typed
                    .get(&o.id)
                    .filter(|t| fingerprint(&t.text) != t.seen);
                let text = typed
                    .map(|t| t.text.clone())
                    .or_else(|| stored.map(|n| n.narrative.clone()))
                    .unwrap_or_default();
                // The version and fingerprint the next save is judged against: theirs
                // after a conflict (saving again replaces theirs, knowingly), else what
                // this form read.
                let conflict = self.conflicts.get(&o.id);
                let (version, seen) = match (conflict, typed) {
                    (Some(theirs), _) => (
                        theirs.as_ref().map(|n| n.version),
                        fingerprint(theirs.as_ref().map_or("", |n| n.narrative.as_str())),
                    ),
                    (None, Some(t)) => (t.version, t.seen.clone()),
                    (None, None) => (
                        stored.map(|n| n.version),
                        fingerprint(stored.map_or("", |n| n.narrative.as_str())),
                    ),
                };
                let field = output_narrative::field(o.id);
                let error = match &self.error {
                    Some((f, message)) if *f == field => {
                        unplaced_error = None;
                        Some(message.clone())
                    }
                    _ => None,
                };
                json!({
                    "id": o.id,
                    "code": o.code,
                    "statement": o.statement,
                    "text": text,
                    "version": version,
                    "seen": seen,
                    "by": stored.map(saved_by),
                    "error": error,
                    "conflict": conflict.map(|theirs| json!({
                        "by": theirs.as_ref().map_or_else(|| "someone else".to_string(), saved_by),
                        "theirs": theirs.as_ref().map(|n| n.narrative.clone()).unwrap_or_default(),
                    })),
                })
            })
            .collect();
        let conflicted: Vec<&str> = outputs
            .iter()
            .filter(|o| self.conflicts.contains_key(&o.id))
            .map(|o| o.code.as_str())
            .collect();
        let p = &self.programme;
        Ok(render(
            "output_narratives",
            Some(signed),
            json!({
                "demo": p.is_demo,
                "programme": { "code": p.code, "name": p.name },
                "period": { "id": self.period.id(), "label": self.period.label() },
                "outputs": rows,
                "max_chars": MAX_CHARS,
                "conflicted": conflicted,
                "error": unplaced_error.map(|(_, m)| m),
                "invalid": self.error.is_some(),
                "flash": flash,
            }),
        ))
    }
}

#[derive(FromForm)]
pub struct OutputText {
    version: Option<i32>,
    seen: String,
    text: String,
}

#[derive(FromForm)]
pub struct OutputsForm {
    period: String,
    /// By result id: `outputs[12].text`.
    outputs: HashMap<i32, OutputText>,
}

#[rocket::post("/programmes/<code>/reports/outputs", data = "<form>")]
pub async fn save(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<OutputsForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let p = super::programme_for(db, signed, code, Permission::Edit).await?;
    let f = form.0;
    let period = parse_period(&f.period)?;
    let typed: HashMap<i32, Typed> = f
        .outputs
        .into_iter()
        .map(|(id, t)| {
            (
                id,
                Typed {
                    version: t.version,
                    seen: t.seen,
                    text: t.text.replace("\r\n", "\n"),
                },
            )
        })
        .collect();
    let (who, prog, t) = (signed.actor(), p.clone(), typed.clone());
    let saved = db
        .run(move |c| output_narrative::save(c, &prog, &period, &t, &who, crate::clock::now()))
        .await;
    let page = |conflicts, error| {
        Page {
            programme: p.clone(),
            period,
            typed: typed.clone(),
            conflicts,
            error,
        }
        .render(db, signed, None)
    };
    match saved {
        Ok(Saved::Done(codes)) => Ok(Ok(Flash::success(
            Redirect::to(address(&p, &period)),
            match codes.len() {
                0 => format!(
                    "Nothing had changed in the output narratives for {}.",
                    period.label()
                ),
                _ => format!(
                    "Output narratives for {} saved: {}.",
                    period.label(),
                    codes.join(", ")
                ),
            },
        ))),
        Ok(Saved::Conflict(theirs)) => Ok(Err((Status::Conflict, page(theirs, None).await?))),
        Err(AppError::Invalid { field, message }) => Ok(Err((
            Status::UnprocessableEntity,
            page(HashMap::new(), Some((field.unwrap_or_default(), message))).await?,
        ))),
        Err(e) => Err(e),
    }
}
