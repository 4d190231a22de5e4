//! The JSON API under /api/v1. Clients authenticate with a personal token
//! (`Authorization: Bearer mpk_…`); errors are JSON with a message and, where there is
//! one, the field at fault.

use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::serde::json::{json, Json, Value};
use rocket::{Build, Catcher, Request, Rocket, State};

use crate::auth::ApiClient;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::error::AppError;
use crate::models::programme;
use crate::overview;

pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .mount("/api/v1", rocket::routes![me, programmes, programme_detail])
        .register("/api", catchers())
}

/// An [`AppError`] answered as JSON.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

fn body(
    status: Status,
    message: String,
    field: Option<String>,
    reference: Option<String>,
) -> Value {
    json!({ "error": { "status": status.code, "message": message, "field": field, "reference": reference } })
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = self.0.status();
        let field = match &self.0 {
            AppError::Invalid { field, .. } => field.clone(),
            _ => None,
        };
        let (message, reference) = self.0.public_message();
        response::status::Custom(status, Json(body(status, message, field, reference)))
            .respond_to(req)
    }
}

#[rocket::catch(default)]
fn api_default(status: Status, _req: &Request<'_>) -> Json<Value> {
    let message = match status.code {
        401 => "send a live personal API token as 'Authorization: Bearer mpk_…' (create one on your account page)".into(),
        403 => "your role does not allow this".into(),
        404 => "there is nothing at this address".into(),
        422 => "the request body could not be read".into(),
        _ => status.reason().unwrap_or("error").to_string(),
    };
    Json(body(status, message, None, None))
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![api_default]
}

/// Who the token belongs to and their roles.
#[rocket::get("/me")]
pub fn me(client: ApiClient) -> Json<Value> {
    Json(json!({
        "username": client.user.username,
        "name": client.user.display_name,
        "is_admin": client.user.is_admin,
        "roles": client.access.roles.iter().map(|r| json!({ "programme": r.code, "role": r.role.as_str() })).collect::<Vec<_>>(),
    }))
}

/// The programmes the caller may see.
#[rocket::get("/programmes")]
pub async fn programmes(db: &State<Db>, client: ApiClient) -> ApiResult<Value> {
    let list = db.run(programme::all).await?;
    let visible: Vec<Value> = list
        .into_iter()
        .filter(|p| client.access.sees(p.id))
        .map(|p| {
            json!({
                "code": p.code, "name": p.name, "description": p.description, "currency": p.currency,
                "start_date": p.start_date, "end_date": p.end_date, "demonstration_data": p.is_demo,
            })
        })
        .collect();
    Ok(Json(json!({ "programmes": visible })))
}

/// A programme with each indicator's latest figure, milestone, % achieved and RAG.
#[rocket::get("/programmes/<code>")]
pub async fn programme_detail(db: &State<Db>, client: ApiClient, code: &str) -> ApiResult<Value> {
    let code = code.to_string();
    let access = client.access.clone();
    let (p, figures) = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDashboard)?;
            let f = overview::indicator_figures(c, &p)?;
            Ok((p, f))
        })
        .await?;
    let indicators: Vec<Value> = figures
        .iter()
        .map(|f| {
            json!({
                "code": f.indicator.code, "title": f.indicator.title, "unit": f.indicator.unit,
                "direction": f.indicator.direction, "baseline": f.indicator.baseline_value,
                "end_target": f.indicator.end_target,
                "latest": f.latest.as_ref().map(|l| json!({ "period": l.period.id(), "value": l.value, "counties": l.counties, "provisional": l.provisional })),
                "milestone": f.milestone, "percent_achieved": f.percent, "rag": f.rag.map(|r| r.as_str()),
            })
        })
        .collect();
    Ok(Json(json!({
        "code": p.code, "name": p.name, "currency": p.currency, "demonstration_data": p.is_demo,
        "indicators": indicators,
    })))
}
