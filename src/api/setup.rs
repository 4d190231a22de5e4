//! Setting a programme up by API: the programme itself (administrators create it and
//! change its status), its phases, partners, disaggregation categories and budget
//! lines; the results framework, indicators and targets are in `framework`. Every write
//! goes through `crate::setup`, so it meets the same checks, versions and audit as the
//! setup pages and the logframe spreadsheet. Bodies are the service's `*Fields` as
//! JSON; an update or removal names the `version` it read, and a stale one answers 409
//! with the record as it is now and who changed it.

use rocket::http::Status;
use rocket::serde::json::{json, Json, Value};
use rocket::State;
use serde::de::DeserializeOwned;
use serde_json::Map;

use super::records::require;
use super::{parse, ApiError, ApiResult};
use crate::auth::ApiClient;
use crate::db::{Db, DbConn};
use crate::domain::access::Permission;
use crate::domain::plan::format_money_plain;
use crate::domain::setup::{
    check_programme, fiscal_year_label, parse_fiscal_year, BudgetFields, CategoryFields,
    PartnerFields, PhaseFields, ProgrammeFields,
};
use crate::error::{AppError, AppResult};
use crate::models::audit::Actor;
use crate::models::budget::{self, BudgetLine};
use crate::models::category::{self, CategoryRow, OptionRow};
use crate::models::organisation::{self, Organisation};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::{activity, audit, framework, user};
use crate::setup::{self, Done, Effect, Saved};

pub(super) use super::Body;

// ---- reading bodies ----

pub(super) fn bad(field: &str, message: impl Into<String>) -> ApiError {
    AppError::invalid(field, message).into()
}

pub(super) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The body as a JSON object.
pub(super) fn object(body: Body<'_>) -> ApiResult<Map<String, Value>> {
    match parse::<Value>(body)? {
        Value::Object(m) => Ok(m),
        other => Err(bad(
            "body",
            format!(
                "send a JSON object ({{\"name\": …}}), not {}",
                json_kind(&other)
            ),
        )),
    }
}

/// A service's `*Fields` from a JSON object, problems keyed `prefix` + field. The
/// structs take text, numbers and booleans as typed and ignore other keys, so what can
/// fail is a list or an object where text belongs: each such key is named.
pub(super) fn read_fields<T: DeserializeOwned>(
    m: &Map<String, Value>,
    prefix: &str,
) -> Result<T, Map<String, Value>> {
    // County codes and role codes are often sent as numbers inside lists.
    let m: Map<String, Value> = m
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|i| match i {
                            Value::Number(n) => Value::String(n.to_string()),
                            other => other.clone(),
                        })
                        .collect(),
                ),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    if let Ok(f) = serde_json::from_value::<T>(Value::Object(m.clone())) {
        return Ok(f);
    }
    let mut errors = Map::new();
    for (k, v) in &m {
        let alone = Map::from_iter([(k.clone(), v.clone())]);
        if serde_json::from_value::<T>(Value::Object(alone)).is_err() {
            errors.insert(
                format!("{prefix}{k}"),
                json!(format!(
                    "{} cannot be read here: give text or a number (a list of texts where the field is a list)",
                    json_kind(v)
                )),
            );
        }
    }
    if errors.is_empty() {
        errors.insert(format!("{prefix}body"), json!("the body cannot be read"));
    }
    Err(errors)
}

pub(super) fn fields<T: DeserializeOwned>(m: &Map<String, Value>) -> ApiResult<T> {
    read_fields(m, "").map_err(|e| ApiError::Fields(Value::Object(e)))
}

pub(super) fn whole(v: &Value) -> Option<i32> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        v => super::whole_number(v),
    }
}

/// The `version` an update was read at: required, so no write lands on a record its
/// author has not seen.
pub(super) fn version(m: &Map<String, Value>) -> ApiResult<i32> {
    match m.get("version") {
        None | Some(Value::Null) => Err(bad(
            "version",
            "give the version you read (optimistic locking), e.g. \"version\": 3; nothing was saved",
        )),
        Some(v) => whole(v).ok_or_else(|| {
            bad(
                "version",
                format!("{v} is not a version: give the whole number you read"),
            )
        }),
    }
}

/// The `?version=` of a removal.
pub(super) fn query_version(v: Option<&str>) -> ApiResult<i32> {
    match v.map(str::trim) {
        None | Some("") => Err(bad(
            "version",
            "give the version you read as ?version=3; nothing was removed",
        )),
        Some(s) => s.parse().map_err(|_| {
            bad(
                "version",
                format!("'{s}' is not a version: give the whole number you read, e.g. ?version=3"),
            )
        }),
    }
}

// ---- answering ----

/// A write's answer: the record as stored, with what the service did.
pub(super) fn written(mut record: Value, d: &Done) -> Value {
    if let Value::Object(m) = &mut record {
        m.insert("effect".into(), json!(d.effect));
        m.insert("changes".into(), json!(d.changes));
    }
    record
}

/// What a record is called in messages, and in the audit log.
#[derive(Clone, Copy)]
pub(super) struct Kind {
    pub what: &'static str,
    pub entity: &'static str,
}

const PROGRAMME: Kind = Kind {
    what: "programme",
    entity: "programme",
};
const PHASE: Kind = Kind {
    what: "phase",
    entity: "phase",
};
const PARTNER: Kind = Kind {
    what: "partner",
    entity: "organisation",
};
const CATEGORY: Kind = Kind {
    what: "disaggregation category",
    entity: "disaggregation_category",
};
const BUDGET: Kind = Kind {
    what: "budget line",
    entity: "budget_line",
};

/// The 409 of a stale write: the record as it is now, and who changed it last.
pub(super) fn stale(
    c: &mut DbConn,
    kind: Kind,
    id: i32,
    sent: Option<i32>,
    current: Value,
) -> AppResult<ApiError> {
    let by = audit::last_actor(c, kind.entity, id)?
        .map(|who| format!(" by {who}"))
        .unwrap_or_default();
    let now = current.get("version").and_then(Value::as_i64);
    let what = kind.what;
    let message = match (sent, now) {
        (Some(sent), Some(now)) if i64::from(sent) < now => format!(
            "this {what} was changed{by} after version {sent} was read (it is at version {now} now)"
        ),
        (Some(sent), Some(now)) => format!(
            "this {what} is at version {now} (last changed{by}), not at version {sent} as sent"
        ),
        _ => format!("this {what} was changed{by} meanwhile"),
    };
    Ok(ApiError::Stale {
        message: format!("{message}; nothing was saved — `current` holds it as it is now"),
        current,
    })
}

/// A setup answer as HTTP: done → the stored record (or, once removed, its id), invalid
/// → 422 naming each field, stale → 409 with the record as it is now.
pub(super) fn answer<T>(
    c: &mut DbConn,
    saved: Saved<T>,
    kind: Kind,
    sent: Option<i32>,
    stored: impl FnOnce(&mut DbConn, i32) -> AppResult<Value>,
    current: impl FnOnce(&mut DbConn, &T) -> AppResult<(i32, Value)>,
) -> AppResult<ApiResult<Value>> {
    Ok(match saved {
        Saved::Done(d) if d.effect == Effect::Removed => {
            Ok(json!({ "id": d.id, "effect": d.effect, "changes": d.changes }))
        }
        Saved::Done(d) => Ok(written(stored(c, d.id)?, &d)),
        Saved::Invalid(errors) => Err(ApiError::Fields(json!(errors))),
        Saved::Stale(now) => {
            let (id, view) = current(c, &now)?;
            Err(stale(c, kind, id, sent, view)?)
        }
    })
}

/// Runs `f` on programme `code` if the client may do `perm` in it.
pub(super) async fn in_programme<T, F>(
    db: &Db,
    client: &ApiClient,
    code: &str,
    perm: Permission,
    f: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Actor, &Programme) -> AppResult<ApiResult<T>> + Send + 'static,
{
    let (code, access, who) = (code.to_string(), client.access.clone(), client.actor());
    db.run(move |c| {
        let p = access.programme(c, &code, perm)?;
        f(c, &who, &p)
    })
    .await?
}

pub(super) fn created(v: Value) -> (Status, Json<Value>) {
    (Status::Created, Json(v))
}

fn admin_only(client: &ApiClient, what: &str) -> ApiResult<()> {
    if client.user.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "Only an administrator may {what}; ask one (a programme's manager is named when it is created)."
        ))
        .into())
    }
}

// ---- what records look like ----

pub(super) fn programme_json(p: &Programme) -> Value {
    json!({
        "code": p.code, "name": p.name, "short_name": p.short_name, "description": p.description,
        "funder": p.funder, "currency": p.currency, "start_date": p.start_date, "end_date": p.end_date,
        "reporting_frequency": p.reporting_frequency, "rag_green_within": p.rag_green_within,
        "rag_amber_within": p.rag_amber_within, "iati_identifier": p.iati_identifier,
        "donor_reference": p.donor_reference, "status": p.status, "demonstration_data": p.is_demo,
        "version": p.version,
    })
}

fn phase_json(ph: &PhaseWithCounties) -> Value {
    json!({
        "id": ph.phase.id, "name": ph.phase.name, "start_date": ph.phase.start_date,
        "end_date": ph.phase.end_date, "position": ph.phase.position,
        "counties": ph.counties.iter().map(|c| &c.code).collect::<Vec<_>>(),
        "county_names": ph.counties.iter().map(|c| &c.name).collect::<Vec<_>>(),
        "version": ph.phase.version,
    })
}

fn partner_json(o: &Organisation, roles: &[String]) -> Value {
    json!({
        "id": o.id, "code": o.code, "name": o.name, "short_name": o.short_name,
        "iati_type": o.iati_type, "iati_identifier": o.iati_identifier, "roles": roles,
        "version": o.version,
    })
}

fn category_json(c: &CategoryRow, options: &[OptionRow]) -> Value {
    json!({
        "id": c.id, "code": c.code, "label": c.label,
        "options": options.iter().map(|o| json!({ "code": o.code, "label": o.label })).collect::<Vec<_>>(),
        "version": c.version,
    })
}

fn budget_json(c: &mut DbConn, p: &Programme, l: &BudgetLine) -> AppResult<Value> {
    let results = framework::results_of(c, p.id)?;
    let activities = activity::of_programme(c, p.id)?;
    Ok(json!({
        "id": l.id,
        "output": results.iter().find(|r| r.id == l.result_id).map(|r| &r.code),
        "activity": l.activity_id.and_then(|a| activities.iter().find(|x| x.id == a)).map(|a| &a.code),
        "fiscal_year": l.fiscal_year,
        "fiscal_year_label": parse_fiscal_year(&l.fiscal_year).ok().map(|fy| fiscal_year_label(&fy)),
        "amount": format_money_plain(l.amount_minor), "amount_minor": l.amount_minor, "currency": p.currency,
        "description": l.description, "version": l.version,
    }))
}

fn stored_phase(c: &mut DbConn, p: &Programme, id: i32) -> AppResult<Value> {
    programme::phases_of(c, p.id)?
        .iter()
        .find(|ph| ph.phase.id == id)
        .map(phase_json)
        .ok_or_else(|| AppError::not_found("That phase was removed meanwhile."))
}

fn stored_partner(c: &mut DbConn, p: &Programme, id: i32) -> AppResult<Value> {
    let o = organisation::find(c, id)?;
    let roles = setup::partner::roles_in(c, p.id, id)?;
    Ok(partner_json(&o, &roles))
}

fn stored_category(c: &mut DbConn, p: &Programme, id: i32) -> AppResult<Value> {
    category::of_programme(c, p.id)?
        .iter()
        .find(|(cat, _)| cat.id == id)
        .map(|(cat, opts)| category_json(cat, opts))
        .ok_or_else(|| AppError::not_found("That category was removed meanwhile."))
}

fn current_category(c: &mut DbConn, p: &Programme, cat: &CategoryRow) -> AppResult<(i32, Value)> {
    let options = category::of_programme(c, p.id)?
        .into_iter()
        .find(|(x, _)| x.id == cat.id)
        .map(|(_, o)| o)
        .unwrap_or_default();
    Ok((cat.id, category_json(cat, &options)))
}

// ---- the programme ----

/// Creates a programme (administrators), optionally naming its first manager by username.
#[rocket::post("/programmes", format = "json", data = "<body>")]
pub async fn create_programme(
    db: &State<Db>,
    client: ApiClient,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    admin_only(&client, "create a programme")?;
    let m = object(body)?;
    let f: ProgrammeFields = fields(&m)?;
    let manager = match m.get("manager") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_ascii_lowercase()),
        Some(other) => {
            return Err(bad(
                "manager",
                format!(
                    "give the manager's username as text, not {}",
                    json_kind(other)
                ),
            ))
        }
    };
    let who = client.actor();
    db.run(move |c| {
        let manager_id = match &manager {
            None => None,
            Some(name) => match user::by_username(c, name)? {
                Some(u) => Some(u.id),
                None => {
                    let mut errors = check_programme(&f).err().unwrap_or_default();
                    errors.insert(
                        "manager",
                        format!("there is no user '{name}'; create the account first"),
                    );
                    return Ok(Err(ApiError::Fields(json!(errors))));
                }
            },
        };
        let saved = setup::programme::create(c, &who, &f, manager_id, false, crate::clock::now())?;
        answer(
            c,
            saved,
            PROGRAMME,
            None,
            |c, id| {
                let mut v = programme_json(&programme::find(c, id)?);
                v["manager"] = json!(manager);
                Ok(v)
            },
            |_, p| Ok((p.id, programme_json(p))),
        )
    })
    .await?
    .map(created)
}

/// Changes a programme's details (not its code).
#[rocket::put("/programmes/<code>", format = "json", data = "<body>")]
pub async fn update_programme(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let m = object(body)?;
    let version = version(&m)?;
    let f: ProgrammeFields = fields(&m)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::programme::update(c, who, p, version, &f)?;
        answer(
            c,
            saved,
            PROGRAMME,
            Some(version),
            |c, id| Ok(programme_json(&programme::find(c, id)?)),
            |_, now| Ok((now.id, programme_json(now))),
        )
    })
    .await
    .map(Json)
}

/// Active, closed or archived (administrators).
#[rocket::put("/programmes/<code>/status", format = "json", data = "<body>")]
pub async fn set_programme_status(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    admin_only(&client, "close, archive or reopen a programme")?;
    require(db, &client, code, Permission::ViewDashboard).await?;
    let m = object(body)?;
    let version = version(&m)?;
    let status = match m.get("status") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            return Err(bad("status", "give the status: active, closed or archived"))
        }
        Some(other) => {
            return Err(bad(
                "status",
                format!(
                    "give the status as text (active, closed or archived), not {}",
                    json_kind(other)
                ),
            ))
        }
    };
    in_programme(
        db,
        &client,
        code,
        Permission::ViewDashboard,
        move |c, who, p| {
            let saved = setup::programme::set_status(c, who, p, version, &status)?;
            answer(
                c,
                saved,
                PROGRAMME,
                Some(version),
                |c, id| Ok(programme_json(&programme::find(c, id)?)),
                |_, now| Ok((now.id, programme_json(now))),
            )
        },
    )
    .await
    .map(Json)
}

// ---- phases ----

#[rocket::get("/programmes/<code>/phases")]
pub async fn phases(db: &State<Db>, client: ApiClient, code: &str) -> ApiResult<Json<Value>> {
    in_programme(db, &client, code, Permission::ViewDetail, |c, _, p| {
        let list: Vec<Value> = programme::phases_of(c, p.id)?
            .iter()
            .map(phase_json)
            .collect();
        Ok(Ok(json!({ "phases": list })))
    })
    .await
    .map(Json)
}

async fn save_phase(
    db: &Db,
    client: &ApiClient,
    code: &str,
    id: Option<i32>,
    body: Body<'_>,
) -> ApiResult<Value> {
    require(db, client, code, Permission::Setup).await?;
    let m = object(body)?;
    let existing = match id {
        Some(id) => Some((id, version(&m)?)),
        None => None,
    };
    let f: PhaseFields = fields(&m)?;
    in_programme(db, client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::phase::save(c, who, p, existing, &f)?;
        answer(
            c,
            saved,
            PHASE,
            existing.map(|e| e.1),
            |c, id| stored_phase(c, p, id),
            |_, now| Ok((now.phase.id, phase_json(now))),
        )
    })
    .await
}

#[rocket::post("/programmes/<code>/phases", format = "json", data = "<body>")]
pub async fn create_phase(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    save_phase(db, &client, code, None, body).await.map(created)
}

#[rocket::put("/programmes/<code>/phases/<id>", format = "json", data = "<body>")]
pub async fn update_phase(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    save_phase(db, &client, code, Some(id), body)
        .await
        .map(Json)
}

#[rocket::delete("/programmes/<code>/phases/<id>?<version>")]
pub async fn delete_phase(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    version: Option<&str>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let version = query_version(version)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::phase::delete(c, who, p, id, version)?;
        answer(
            c,
            saved,
            PHASE,
            Some(version),
            |c, id| stored_phase(c, p, id),
            |_, now| Ok((now.phase.id, phase_json(now))),
        )
    })
    .await
    .map(Json)
}

// ---- partners ----

#[rocket::get("/programmes/<code>/partners")]
pub async fn partners(db: &State<Db>, client: ApiClient, code: &str) -> ApiResult<Json<Value>> {
    in_programme(db, &client, code, Permission::ViewDetail, |c, _, p| {
        // One entry per organisation, its roles in codelist order.
        let mut seen: Vec<(Organisation, Vec<String>)> = Vec::new();
        for (role, o) in organisation::partners_of(c, p.id)? {
            match seen.iter_mut().find(|(x, _)| x.id == o.id) {
                Some((_, roles)) => roles.push(role),
                None => seen.push((o, vec![role])),
            }
        }
        let list: Vec<Value> = seen
            .iter()
            .map(|(o, roles)| {
                let mut roles = roles.clone();
                roles.sort_by_key(|r| organisation::role_rank(r));
                partner_json(o, &roles)
            })
            .collect();
        Ok(Ok(json!({ "partners": list })))
    })
    .await
    .map(Json)
}

async fn save_partner(
    db: &Db,
    client: &ApiClient,
    code: &str,
    id: Option<i32>,
    body: Body<'_>,
) -> ApiResult<Value> {
    require(db, client, code, Permission::Setup).await?;
    let m = object(body)?;
    let existing = match id {
        Some(id) => Some((id, version(&m)?)),
        None => None,
    };
    let f: PartnerFields = fields(&m)?;
    in_programme(db, client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::partner::save(c, who, p, existing, &f)?;
        answer(
            c,
            saved,
            PARTNER,
            existing.map(|e| e.1),
            |c, id| stored_partner(c, p, id),
            |c, now| Ok((now.id, stored_partner(c, p, now.id)?)),
        )
    })
    .await
}

/// Adds a partner: a new organisation, or one already registered (by code) linked to
/// this programme with the roles given.
#[rocket::post("/programmes/<code>/partners", format = "json", data = "<body>")]
pub async fn create_partner(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    save_partner(db, &client, code, None, body)
        .await
        .map(created)
}

#[rocket::put("/programmes/<code>/partners/<id>", format = "json", data = "<body>")]
pub async fn update_partner(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    save_partner(db, &client, code, Some(id), body)
        .await
        .map(Json)
}

/// Takes the organisation off this programme's partners (it stays registered).
#[rocket::delete("/programmes/<code>/partners/<id>?<version>")]
pub async fn delete_partner(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    version: Option<&str>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let version = query_version(version)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::partner::remove_if_version(c, who, p, id, version)?;
        answer(
            c,
            saved,
            PARTNER,
            Some(version),
            |c, id| stored_partner(c, p, id),
            |c, now| Ok((now.id, stored_partner(c, p, now.id)?)),
        )
    })
    .await
    .map(Json)
}

// ---- disaggregation categories ----

#[rocket::get("/programmes/<code>/disaggregations")]
pub async fn categories(db: &State<Db>, client: ApiClient, code: &str) -> ApiResult<Json<Value>> {
    in_programme(db, &client, code, Permission::ViewDetail, |c, _, p| {
        let list: Vec<Value> = category::of_programme(c, p.id)?
            .iter()
            .map(|(cat, opts)| category_json(cat, opts))
            .collect();
        Ok(Ok(json!({ "disaggregations": list })))
    })
    .await
    .map(Json)
}

/// The category's fields; `options` may also be a list, of texts ("female = Female")
/// or of objects as GET gives them ({"code": "female", "label": "Female"}).
fn category_fields(mut m: Map<String, Value>) -> ApiResult<CategoryFields> {
    if let Some(Value::Array(items)) = m.get("options") {
        let mut lines = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let line = match item {
                Value::String(s) => s.clone(),
                Value::Object(o) => {
                    let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").trim();
                    match (text("code"), text("label")) {
                        ("", label) => label.to_string(),
                        (code, label) => format!("{code} = {label}"),
                    }
                }
                other => {
                    return Err(bad(
                        "options",
                        format!(
                            "option {}: give text or {{\"code\": …, \"label\": …}}, not {}",
                            i + 1,
                            json_kind(other)
                        ),
                    ))
                }
            };
            lines.push(line);
        }
        m.insert("options".into(), json!(lines.join("\n")));
    }
    fields(&m)
}

async fn save_category(
    db: &Db,
    client: &ApiClient,
    code: &str,
    id: Option<i32>,
    body: Body<'_>,
) -> ApiResult<Value> {
    require(db, client, code, Permission::Setup).await?;
    let m = object(body)?;
    let existing = match id {
        Some(id) => Some((id, version(&m)?)),
        None => None,
    };
    let f = category_fields(m)?;
    in_programme(db, client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::category::save(c, who, p, existing, &f)?;
        answer(
            c,
            saved,
            CATEGORY,
            existing.map(|e| e.1),
            |c, id| stored_category(c, p, id),
            |c, now| current_category(c, p, now),
        )
    })
    .await
}

#[rocket::post("/programmes/<code>/disaggregations", format = "json", data = "<body>")]
pub async fn create_category(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    save_category(db, &client, code, None, body)
        .await
        .map(created)
}

#[rocket::put(
    "/programmes/<code>/disaggregations/<id>",
    format = "json",
    data = "<body>"
)]
pub async fn update_category(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    save_category(db, &client, code, Some(id), body)
        .await
        .map(Json)
}

#[rocket::delete("/programmes/<code>/disaggregations/<id>?<version>")]
pub async fn delete_category(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    version: Option<&str>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let version = query_version(version)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::category::delete(c, who, p, id, version)?;
        answer(
            c,
            saved,
            CATEGORY,
            Some(version),
            |c, id| stored_category(c, p, id),
            |c, now| current_category(c, p, now),
        )
    })
    .await
    .map(Json)
}

// ---- budget ----

#[rocket::get("/programmes/<code>/budget")]
pub async fn budget_lines(db: &State<Db>, client: ApiClient, code: &str) -> ApiResult<Json<Value>> {
    in_programme(db, &client, code, Permission::ViewDetail, |c, _, p| {
        let lines = budget::of_programme(c, p.id)?;
        let list = lines
            .iter()
            .map(|l| budget_json(c, p, l))
            .collect::<AppResult<Vec<_>>>()?;
        let total: i64 = lines.iter().map(|l| l.amount_minor).sum();
        Ok(Ok(json!({
            "currency": p.currency, "total": format_money_plain(total), "total_minor": total,
            "lines": list,
        })))
    })
    .await
    .map(Json)
}

async fn save_budget(
    db: &Db,
    client: &ApiClient,
    code: &str,
    id: Option<i32>,
    body: Body<'_>,
) -> ApiResult<Value> {
    require(db, client, code, Permission::Setup).await?;
    let m = object(body)?;
    let existing = match id {
        Some(id) => Some((id, version(&m)?)),
        None => None,
    };
    let f: BudgetFields = fields(&m)?;
    in_programme(db, client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::budget::save(c, who, p, existing, &f)?;
        answer(
            c,
            saved,
            BUDGET,
            existing.map(|e| e.1),
            |c, id| {
                let l = budget::find(c, p.id, id)?;
                budget_json(c, p, &l)
            },
            |c, now| Ok((now.id, budget_json(c, p, now)?)),
        )
    })
    .await
}

#[rocket::post("/programmes/<code>/budget", format = "json", data = "<body>")]
pub async fn create_budget_line(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    save_budget(db, &client, code, None, body)
        .await
        .map(created)
}

#[rocket::put("/programmes/<code>/budget/<id>", format = "json", data = "<body>")]
pub async fn update_budget_line(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    save_budget(db, &client, code, Some(id), body)
        .await
        .map(Json)
}

#[rocket::delete("/programmes/<code>/budget/<id>?<version>")]
pub async fn delete_budget_line(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    version: Option<&str>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let version = query_version(version)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::budget::delete(c, who, p, id, version)?;
        answer(
            c,
            saved,
            BUDGET,
            Some(version),
            |c, id| {
                let l = budget::find(c, p.id, id)?;
                budget_json(c, p, &l)
            },
            |c, now| Ok((now.id, budget_json(c, p, now)?)),
        )
    })
    .await
    .map(Json)
}
