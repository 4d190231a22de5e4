//! Forms to create and edit programme milestones and activities.

use std::collections::BTreeMap;

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
use crate::domain::plan::{
    format_money_plain, ActivityFields, MilestoneFields, ACTIVITY_STATUSES, MILESTONE_STATUSES,
};
use crate::entry::plan::{save_activity, save_milestone, Saved};
use crate::error::{AppError, AppResult};
use crate::models::{activity, audit, framework, milestone, organisation, programme, user};
use crate::web::guard::CsrfForm;

type Page = AppResult<Result<Flash<Redirect>, (Status, Template)>>;

/// Choices for the form's selects: outputs, phase counties, partners.
async fn choices(db: &Db, signed: &Signed, code: &str) -> AppResult<(programme::Programme, Value)> {
    let (code, access) = (code.to_string(), signed.access.clone());
    db.run(move |c| {
        let p = access.programme(c, &code, Permission::Edit)?;
        let outputs: Vec<Value> = framework::results_of(c, p.id)?
            .into_iter()
            .filter(|r| r.level == "output")
            .map(|r| json!({ "code": r.code, "label": format!("{} — {}", r.code, r.statement.chars().take(70).collect::<String>()) }))
            .collect();
        let mut counties: BTreeMap<String, String> = BTreeMap::new();
        for ph in programme::phases_of(c, p.id)? {
            for county in ph.counties {
                counties.insert(county.name, county.code);
            }
        }
        let partners: Vec<Value> = organisation::partners_of(c, p.id)?.into_iter().map(|(_, o)| json!({ "code": o.code, "label": o.name })).collect();
        let ctx = json!({
            "outputs": outputs,
            "counties": counties.into_iter().map(|(name, code)| json!({ "code": code, "label": name })).collect::<Vec<_>>(),
            "partners": partners,
        });
        Ok((p, ctx))
    })
    .await
}

fn form_page(
    template: &'static str,
    signed: &Signed,
    p: &programme::Programme,
    choices: Value,
    fields: Value,
    extra: Value,
) -> Template {
    let mut ctx = json!({
        "demo": p.is_demo,
        "programme": { "code": p.code, "name": p.name, "currency": p.currency },
        "choices": choices,
        "f": fields,
        "milestone_statuses": MILESTONE_STATUSES,
        "activity_statuses": ACTIVITY_STATUSES,
        "errors": {},
    });
    if let (Value::Object(m), Value::Object(x)) = (&mut ctx, extra) {
        m.extend(x);
    }
    render(template, Some(signed), ctx)
}

/// The person who last saved a record, by the audit log.
async fn who(db: &Db, entity: &'static str, id: i32) -> String {
    db.run(move |c| {
        let name = audit::last_actor(c, entity, id)?;
        Ok(match name.as_deref().map(|n| user::by_username(c, n)) {
            Some(Ok(Some(u))) => u.display_name,
            _ => name.unwrap_or_else(|| "someone".into()),
        })
    })
    .await
    .unwrap_or_else(|_| "someone".into())
}

// ---- milestones ----

#[derive(FromForm, serde::Serialize, Default)]
pub struct MilestoneForm {
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    output: String,
    #[field(default = String::new())]
    county: String,
    #[field(default = String::new())]
    due: String,
    #[field(default = String::new())]
    status: String,
    #[field(default = String::new())]
    completed: String,
    #[field(default = String::new())]
    evidence: String,
    version: Option<i32>,
}

impl MilestoneForm {
    fn fields(&self) -> MilestoneFields {
        MilestoneFields {
            title: self.title.clone(),
            output: self.output.clone(),
            county: self.county.clone(),
            due: self.due.clone(),
            status: self.status.clone(),
            completed: self.completed.clone(),
            evidence: self.evidence.clone(),
        }
    }
}

fn milestone_values(m: &milestone::Milestone, codes: &Value) -> Value {
    let find = |list: &str, id: Option<i32>| -> String {
        id.and_then(|id| {
            codes[list]
                .as_object()
                .and_then(|o| o.get(&id.to_string()))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default()
    };
    json!({
        "title": m.title, "output": find("outputs", m.result_id), "county": find("counties", m.location_id),
        "due": m.due_date.to_string(), "status": m.status, "completed": m.completed_date.map(|d| d.to_string()).unwrap_or_default(),
        "evidence": m.evidence_note, "version": m.version,
    })
}

/// id → code maps, to show stored references in the form's selects.
async fn codes(db: &Db, programme_id: i32) -> AppResult<Value> {
    db.run(move |c| {
        let outputs: serde_json::Map<String, Value> = framework::results_of(c, programme_id)?
            .into_iter()
            .map(|r| (r.id.to_string(), json!(r.code)))
            .collect();
        let counties: serde_json::Map<String, Value> = crate::models::location::counties(c)?
            .into_iter()
            .map(|l| (l.id.to_string(), json!(l.code)))
            .collect();
        let orgs: serde_json::Map<String, Value> = organisation::all(c)?
            .into_iter()
            .map(|o| (o.id.to_string(), json!(o.code)))
            .collect();
        Ok(json!({ "outputs": outputs, "counties": counties, "orgs": orgs }))
    })
    .await
}

#[rocket::get("/programmes/<code>/milestones/new")]
pub async fn new_milestone(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<Template> {
    let (p, ch) = choices(db, signed, code).await?;
    let f = MilestoneForm {
        status: "planned".into(),
        ..Default::default()
    };
    Ok(form_page(
        "milestone_form",
        signed,
        &p,
        ch,
        json!(f),
        json!({ "action": format!("/programmes/{}/milestones", p.code), "new": true }),
    ))
}

#[rocket::get("/programmes/<code>/milestones/<id>", rank = 2)]
pub async fn edit_milestone(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
) -> AppResult<Template> {
    let (p, ch) = choices(db, signed, code).await?;
    let pid = p.id;
    let m = db.run(move |c| milestone::find(c, pid, id)).await?;
    let values = milestone_values(&m, &codes(db, p.id).await?);
    Ok(form_page(
        "milestone_form",
        signed,
        &p,
        ch,
        values,
        json!({ "action": format!("/programmes/{}/milestones/{id}", p.code) }),
    ))
}

async fn post_milestone(
    db: &Db,
    signed: &Signed,
    code: &str,
    id: Option<i32>,
    form: MilestoneForm,
) -> Page {
    let (p, ch) = choices(db, signed, code).await?;
    let existing = match (id, form.version) {
        (Some(id), Some(v)) => Some((id, v)),
        (Some(_), None) => {
            return Err(AppError::invalid(
                "version",
                "the form lost its version number; reload the page",
            ))
        }
        (None, _) => None,
    };
    let (who_acts, prog, fields) = (signed.actor(), p.clone(), form.fields());
    let saved = db
        .run(move |c| {
            save_milestone(
                c,
                &who_acts,
                &prog,
                existing,
                &fields,
                crate::clock::today(),
                crate::clock::now(),
            )
        })
        .await?;
    let action = match id {
        Some(id) => format!("/programmes/{}/milestones/{id}", p.code),
        None => format!("/programmes/{}/milestones", p.code),
    };
    match saved {
        Saved::Done(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/programmes/{}#milestones", p.code)),
            format!("Milestone “{}” saved.", form.title.trim()),
        ))),
        Saved::Invalid(errors) => Ok(Err((
            Status::UnprocessableEntity,
            form_page(
                "milestone_form",
                signed,
                &p,
                ch,
                json!(form),
                json!({ "action": action, "errors": errors, "new": id.is_none() }),
            ),
        ))),
        Saved::Conflict(theirs) => {
            let by = who(db, "programme_milestone", theirs.id).await;
            let theirs_values = milestone_values(&theirs, &codes(db, p.id).await?);
            let mut mine = json!(form);
            mine["version"] = json!(theirs.version);
            let when = theirs.updated_at.format("%-d %b %Y %H:%M UTC").to_string();
            Ok(Err((
                Status::Conflict,
                form_page(
                    "milestone_form",
                    signed,
                    &p,
                    ch,
                    mine,
                    json!({ "action": action, "conflict": { "theirs": theirs_values, "by": by, "at": when } }),
                ),
            )))
        }
    }
}

#[rocket::post("/programmes/<code>/milestones", data = "<form>")]
pub async fn create_milestone(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<MilestoneForm>,
) -> Page {
    post_milestone(db, signed, code, None, form.0).await
}

#[rocket::post("/programmes/<code>/milestones/<id>", data = "<form>")]
pub async fn update_milestone(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<MilestoneForm>,
) -> Page {
    post_milestone(db, signed, code, Some(id), form.0).await
}

// ---- activities ----

#[derive(FromForm, serde::Serialize, Default)]
pub struct ActivityForm {
    #[field(default = String::new())]
    code: String,
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    output: String,
    #[field(default = String::new())]
    lead: String,
    #[field(default = String::new())]
    county: String,
    #[field(default = String::new())]
    planned_start: String,
    #[field(default = String::new())]
    planned_end: String,
    #[field(default = String::new())]
    actual_start: String,
    #[field(default = String::new())]
    actual_end: String,
    #[field(default = String::new())]
    status: String,
    #[field(default = String::new())]
    percent_complete: String,
    #[field(default = String::new())]
    budget: String,
    #[field(default = String::new())]
    spend: String,
    version: Option<i32>,
}

impl ActivityForm {
    fn fields(&self) -> ActivityFields {
        ActivityFields {
            code: self.code.clone(),
            title: self.title.clone(),
            output: self.output.clone(),
            lead: self.lead.clone(),
            county: self.county.clone(),
            planned_start: self.planned_start.clone(),
            planned_end: self.planned_end.clone(),
            actual_start: self.actual_start.clone(),
            actual_end: self.actual_end.clone(),
            status: self.status.clone(),
            percent_complete: self.percent_complete.clone(),
            budget: self.budget.clone(),
            spend: self.spend.clone(),
        }
    }
}

fn activity_values(a: &activity::Activity, codes: &Value) -> Value {
    let find = |list: &str, id: Option<i32>| -> String {
        id.and_then(|id| {
            codes[list]
                .as_object()
                .and_then(|o| o.get(&id.to_string()))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default()
    };
    let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    json!({
        "code": a.code, "title": a.title, "output": find("outputs", a.result_id), "lead": find("orgs", a.lead_organisation_id),
        "county": find("counties", a.location_id), "planned_start": a.planned_start.to_string(), "planned_end": a.planned_end.to_string(),
        "actual_start": d(a.actual_start), "actual_end": d(a.actual_end), "status": a.status,
        "percent_complete": a.percent_complete.to_string(), "budget": format_money_plain(a.budget_minor), "spend": format_money_plain(a.spend_minor),
        "version": a.version,
    })
}

#[rocket::get("/programmes/<code>/activities/new")]
pub async fn new_activity(db: &State<Db>, signed: &Signed, code: &str) -> AppResult<Template> {
    let (p, ch) = choices(db, signed, code).await?;
    let f = ActivityForm {
        status: "not_started".into(),
        percent_complete: "0".into(),
        ..Default::default()
    };
    Ok(form_page(
        "activity_form",
        signed,
        &p,
        ch,
        json!(f),
        json!({ "action": format!("/programmes/{}/activities", p.code), "new": true }),
    ))
}

#[rocket::get("/programmes/<code>/activities/<id>", rank = 2)]
pub async fn edit_activity(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
) -> AppResult<Template> {
    let (p, ch) = choices(db, signed, code).await?;
    let pid = p.id;
    let a = db.run(move |c| activity::find(c, pid, id)).await?;
    let values = activity_values(&a, &codes(db, p.id).await?);
    Ok(form_page(
        "activity_form",
        signed,
        &p,
        ch,
        values,
        json!({ "action": format!("/programmes/{}/activities/{id}", p.code) }),
    ))
}

async fn post_activity(
    db: &Db,
    signed: &Signed,
    code: &str,
    id: Option<i32>,
    form: ActivityForm,
) -> Page {
    let (p, ch) = choices(db, signed, code).await?;
    let existing = match (id, form.version) {
        (Some(id), Some(v)) => Some((id, v)),
        (Some(_), None) => {
            return Err(AppError::invalid(
                "version",
                "the form lost its version number; reload the page",
            ))
        }
        (None, _) => None,
    };
    let (who_acts, prog, fields) = (signed.actor(), p.clone(), form.fields());
    let saved = db
        .run(move |c| {
            save_activity(
                c,
                &who_acts,
                &prog,
                existing,
                &fields,
                crate::clock::today(),
                crate::clock::now(),
            )
        })
        .await?;
    let action = match id {
        Some(id) => format!("/programmes/{}/activities/{id}", p.code),
        None => format!("/programmes/{}/activities", p.code),
    };
    match saved {
        Saved::Done(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/programmes/{}#activities", p.code)),
            format!("Activity {} saved.", form.code.trim()),
        ))),
        Saved::Invalid(errors) => Ok(Err((
            Status::UnprocessableEntity,
            form_page(
                "activity_form",
                signed,
                &p,
                ch,
                json!(form),
                json!({ "action": action, "errors": errors, "new": id.is_none() }),
            ),
        ))),
        Saved::Conflict(theirs) => {
            let by = who(db, "activity", theirs.id).await;
            let theirs_values = activity_values(&theirs, &codes(db, p.id).await?);
            let mut mine = json!(form);
            mine["version"] = json!(theirs.version);
            let when = theirs.updated_at.format("%-d %b %Y %H:%M UTC").to_string();
            Ok(Err((
                Status::Conflict,
                form_page(
                    "activity_form",
                    signed,
                    &p,
                    ch,
                    mine,
                    json!({ "action": action, "conflict": { "theirs": theirs_values, "by": by, "at": when } }),
                ),
            )))
        }
    }
}

#[rocket::post("/programmes/<code>/activities", data = "<form>")]
pub async fn create_activity(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<ActivityForm>,
) -> Page {
    post_activity(db, signed, code, None, form.0).await
}

#[rocket::post("/programmes/<code>/activities/<id>", data = "<form>")]
pub async fn update_activity(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<ActivityForm>,
) -> Page {
    post_activity(db, signed, code, Some(id), form.0).await
}
