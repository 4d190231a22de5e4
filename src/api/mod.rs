//! The JSON API under /api/v1. Clients authenticate with a personal token
//! (`Authorization: Bearer mpk_…`); errors are JSON with a message and, where there is
//! one, the field at fault. The OpenAPI document at /api/v1/openapi.json describes
//! every route mounted here (a test holds the two together).

mod client;
mod dhis2;
mod framework;
mod openapi;
mod programmes;
mod records;
mod setup;

use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::serde::json::{json, Json, Value};
use rocket::{Build, Catcher, Request, Rocket};

use crate::error::AppError;

pub use openapi::spec;

pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .mount(
            "/api/v1",
            rocket::routes![
                openapi::document,
                programmes::me,
                programmes::programmes,
                programmes::programme_detail,
                programmes::results,
                programmes::indicators,
                programmes::compare,
                records::list_values,
                records::create_value,
                records::update_value,
                records::list_milestones,
                records::create_milestone,
                records::update_milestone,
                records::list_activities,
                records::create_activity,
                records::update_activity,
                records::list_progress,
                records::create_progress,
                records::update_progress,
                setup::create_programme,
                setup::update_programme,
                setup::set_programme_status,
                setup::phases,
                setup::create_phase,
                setup::update_phase,
                setup::delete_phase,
                setup::partners,
                setup::create_partner,
                setup::update_partner,
                setup::delete_partner,
                setup::categories,
                setup::create_category,
                setup::update_category,
                setup::delete_category,
                setup::budget_lines,
                setup::create_budget_line,
                setup::update_budget_line,
                setup::delete_budget_line,
                framework::create_result,
                framework::update_result,
                framework::delete_result,
                framework::restore_result,
                framework::move_result,
                framework::create_indicator,
                framework::update_indicator,
                framework::set_publication,
                framework::delete_indicator,
                framework::restore_indicator,
                framework::move_indicator,
                framework::targets,
                framework::set_targets,
                dhis2::mappings,
                dhis2::set_mappings,
            ],
        )
        .register("/api", catchers())
}

/// An [`AppError`] answered as JSON; a stale write carries the record as it is now.
pub enum ApiError {
    App(AppError),
    Stale {
        message: String,
        current: Value,
    },
    Fields(Value),
    /// Problems of the items of a list (an indicator's targets): (key such as
    /// `targets[2].value`, the item's index, message), in the order found.
    Problems(Vec<(String, Option<usize>, String)>),
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError::App(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

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
        let (status, value) = match self {
            ApiError::App(e) => {
                let status = Status::new(e.status_code());
                let field = match &e {
                    AppError::Invalid { field, .. } => field.clone(),
                    _ => None,
                };
                let (message, reference) = e.public_message();
                (status, body(status, message, field, reference))
            }
            ApiError::Stale { message, current } => {
                let mut b = body(Status::Conflict, message, Some("version".into()), None);
                b["current"] = current;
                (Status::Conflict, b)
            }
            ApiError::Fields(errors) => {
                let first = errors
                    .as_object()
                    .and_then(|o| o.iter().next())
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()));
                let (field, message) = first.unwrap_or_default();
                let mut b = body(
                    Status::UnprocessableEntity,
                    format!("{field}: {message}"),
                    Some(field),
                    None,
                );
                b["error"]["fields"] = errors;
                (Status::UnprocessableEntity, b)
            }
            ApiError::Problems(list) => {
                let (field, message) = list
                    .first()
                    .map(|(k, _, m)| (k.clone(), m.clone()))
                    .unwrap_or_default();
                let more = match list.len() {
                    0 | 1 => String::new(),
                    n => format!(
                        " (and {} more problem{})",
                        n - 1,
                        if n == 2 { "" } else { "s" }
                    ),
                };
                let mut b = body(
                    Status::UnprocessableEntity,
                    format!("{field}: {message}{more}"),
                    Some(field),
                    None,
                );
                b["error"]["fields"] =
                    Value::Object(list.iter().map(|(k, _, m)| (k.clone(), json!(m))).collect());
                b["error"]["problems"] = json!(list
                    .iter()
                    .map(|(k, i, m)| json!({ "index": i, "field": k.rsplit('.').next(), "key": k, "message": m }))
                    .collect::<Vec<_>>());
                (Status::UnprocessableEntity, b)
            }
        };
        response::status::Custom(status, Json(value)).respond_to(req)
    }
}

/// A whole number as JSON Schema counts one: `3` and `3.0` alike (clients that hold
/// every number as a double send the latter), in the range of `T`.
pub fn whole_number<T: TryFrom<i64>>(v: &Value) -> Option<T> {
    let Value::Number(n) = v else {
        return None;
    };
    let i = n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })?;
    T::try_from(i).ok()
}

/// Serde helpers for whole-number fields of request bodies, read with [`whole_number`].
pub mod whole {
    use rocket::serde::json::Value;
    use serde::de::{Deserialize, Deserializer, Error};

    fn read<'de, D: Deserializer<'de>, T: TryFrom<i64>>(v: Value) -> Result<T, D::Error> {
        super::whole_number(&v).ok_or_else(|| {
            D::Error::custom(format!(
                "{v} is not a whole number in range (e.g. 3; up to {})",
                i32::MAX
            ))
        })
    }

    pub fn required<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<T, D::Error> {
        read::<D, T>(Value::deserialize(d)?)
    }

    pub fn optional<'de, D: Deserializer<'de>, T: TryFrom<i64>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => read::<D, T>(v).map(Some),
        }
    }
}

/// A request body as the routes receive it: JSON, or why it could not be read.
pub type Body<'r> = Result<Json<Value>, rocket::serde::json::Error<'r>>;

/// The first text in `v` (a key or a value) holding a NUL character, named as a field
/// (`title`, `targets[2].period`). PostgreSQL cannot store one in text, and no person
/// types one.
fn nul_at(v: &Value, at: &str) -> Option<String> {
    let field = |key: &str| match at {
        "" => key.to_string(),
        _ => format!("{at}.{key}"),
    };
    match v {
        Value::String(s) if s.contains('\0') => Some(if at.is_empty() {
            "body".to_string()
        } else {
            at.to_string()
        }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            nul_at(
                item,
                &format!("{}[{i}]", if at.is_empty() { "body" } else { at }),
            )
        }),
        Value::Object(m) => m.iter().find_map(|(k, item)| {
            if k.contains('\0') {
                Some(field(k))
            } else {
                nul_at(item, &field(k))
            }
        }),
        _ => None,
    }
}

/// A JSON body read as `T`, or a 422 saying what is wrong: where the text could not
/// be read (line and column), a field of the wrong kind, or text holding a NUL.
pub fn parse<T: serde::de::DeserializeOwned>(body: Body<'_>) -> ApiResult<T> {
    let value = match body {
        Ok(Json(v)) => v,
        Err(rocket::serde::json::Error::Parse(_, e)) => {
            return Err(AppError::Invalid {
                field: None,
                message: format!(
                    "the JSON body cannot be read at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            }
            .into())
        }
        Err(rocket::serde::json::Error::Io(e)) => {
            return Err(
                AppError::invalid("body", format!("the request body cannot be read: {e}")).into(),
            )
        }
    };
    if let Some(field) = nul_at(&value, "") {
        return Err(AppError::invalid(
            &field,
            format!("{field}: text cannot hold the NUL character (\\u0000); nothing was saved"),
        )
        .into());
    }
    serde_json::from_value(value).map_err(|e| {
        AppError::Invalid {
            field: None,
            message: format!("the JSON body cannot be read: {e}"),
        }
        .into()
    })
}

/// The methods of the API routes whose path pattern matches `path` (a `<param>` matches
/// any one segment), in the order GET, HEAD, POST, PUT, DELETE; empty when no route
/// answers at this address at all.
fn methods_at(req: &Request<'_>) -> Vec<&'static str> {
    let wanted: Vec<&str> = req.uri().path().segments().collect();
    let mut found = Vec::new();
    for route in req.rocket().routes() {
        let pattern = route.uri.path();
        if !pattern.starts_with("/api/") {
            continue;
        }
        let parts: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
        let matches = parts.len() == wanted.len()
            && parts
                .iter()
                .zip(&wanted)
                .all(|(p, w)| (p.starts_with('<') && p.ends_with('>')) || p == w);
        if matches {
            found.push(route.method);
        }
    }
    use rocket::http::Method;
    let mut names = Vec::new();
    for (m, name) in [
        (Method::Get, "GET"),
        (Method::Head, "HEAD"),
        (Method::Post, "POST"),
        (Method::Put, "PUT"),
        (Method::Delete, "DELETE"),
        (Method::Patch, "PATCH"),
    ] {
        // Rocket answers HEAD wherever it answers GET.
        if found.contains(&m) || (m == Method::Head && found.contains(&Method::Get)) {
            names.push(name);
        }
    }
    names
}

/// What the /api catcher answers: a JSON error, with `Allow` on a 405.
pub struct Caught {
    status: Status,
    body: Value,
    allow: Option<String>,
}

impl<'r> Responder<'r, 'static> for Caught {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = response::status::Custom(self.status, Json(self.body)).respond_to(req)?;
        if let Some(allow) = self.allow {
            res.set_raw_header("Allow", allow);
        }
        Ok(res)
    }
}

#[rocket::catch(default)]
fn api_default(status: Status, req: &Request<'_>) -> Caught {
    use rocket::http::Method;
    let caught = |status: Status, message: String, field: Option<&str>| Caught {
        status,
        body: body(status, message, field.map(str::to_string), None),
        allow: None,
    };
    // Rocket routes by method, path and (for writes) content type, and answers 404 when
    // none matches; say which of the three was wrong. A method Rocket does not know at
    // all (QUERY, PROPFIND …) arrives here as a 400 on the request's path.
    if status == Status::NotFound || status == Status::BadRequest {
        let methods = methods_at(req);
        let known = status == Status::NotFound;
        let here = known && methods.contains(&req.method().as_str());
        if !methods.is_empty() && !here {
            let s = Status::MethodNotAllowed;
            let what = if known {
                format!("{} is not answered", req.method())
            } else {
                "that method is not answered".to_string()
            };
            return Caught {
                allow: Some(methods.join(", ")),
                ..caught(
                    s,
                    format!(
                        "{what} at {}: use {} (see /api/v1/openapi.json)",
                        req.uri().path(),
                        methods.join(", ")
                    ),
                    None,
                )
            };
        }
        // Every write here takes JSON: a body of another type is 415, not the 404 a
        // route that only matches JSON would leave.
        let writes = matches!(req.method(), Method::Post | Method::Put | Method::Patch);
        if here && writes && !req.content_type().is_some_and(|c| c.is_json()) {
            return caught(
                Status::UnsupportedMediaType,
                "send the body as JSON, with 'Content-Type: application/json'".into(),
                Some("Content-Type"),
            );
        }
    }
    let message = match status.code {
        401 => "send a live personal API token as 'Authorization: Bearer mpk_…' (create one on your account page)".into(),
        403 => "your role does not allow this".into(),
        404 => "there is nothing at this address".into(),
        413 => format!(
            "the request body is larger than the {} MB limit; nothing was read or changed",
            crate::UPLOAD_LIMIT_MIB
        ),
        // Bodies that do not parse are answered by the routes with line and column; what
        // reaches here is an address part of the wrong form, such as an id that is not a
        // whole number.
        422 => format!(
            "a part of the address {} has the wrong form: ids are whole numbers, codes as listed",
            req.uri().path()
        ),
        _ => status.reason().unwrap_or("error").to_string(),
    };
    caught(status, message, None)
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![api_default]
}
