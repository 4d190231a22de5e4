//! Values, programme milestones and activities: read, create, update. Every write goes
//! through the same checks as the pages (src/entry); an update names the version it
//! started from, and a stale one answers 409 with the record as it is now.

use std::collections::HashMap;
use std::sync::Arc;

use rocket::http::{ContentType, Status};
use rocket::serde::json::{json, Json, Value};
use rocket::State;
use serde::Deserialize;

use super::{parse, ApiError, ApiResult, Body};
use crate::auth::ApiClient;
use crate::db::{Db, DbConn};
use crate::domain::access::Permission;
use crate::domain::period::Period;
use crate::domain::plan::{format_money_plain, ActivityFields, MilestoneFields};
use crate::entry::plan::{save_activity, save_milestone, Saved};
use crate::entry::{self, CellInput, CellKey, EntryContext, SaveReport};
use crate::error::{AppError, AppResult};
use crate::figures::cache::{self, Cache};
use crate::models::audit::Actor;
use crate::models::programme::Programme;
use crate::models::values::IndicatorValue;
use crate::models::{activity, framework, location, milestone, organisation, user, values};

/// A value as the API shows it. Serialised straight from the row (no JSON tree per
/// value: a period's list is the API's most read answer); fields in sorted order, like
/// every other answer's.
#[derive(serde::Serialize)]
struct ValueOut<'a> {
    comment: Option<&'a str>,
    county: Option<&'a str>,
    county_name: Option<&'a str>,
    disaggregation: &'a str,
    entered_at: chrono::NaiveDateTime,
    entered_by: Option<&'a str>,
    id: i32,
    indicator: Option<&'a str>,
    period: &'a str,
    status: &'a str,
    status_reason: Option<&'a str>,
    value: f64,
    version: i32,
}

#[derive(serde::Serialize)]
struct ValueList<'a> {
    values: Vec<ValueOut<'a>>,
}

fn actor(c: &ApiClient) -> Actor {
    Actor {
        user_id: Some(c.user.id),
        name: c.user.username.clone(),
    }
}

/// id ↔ code lookups for one programme, to speak codes on the wire.
struct Codes {
    names: Arc<Names>,
    results: HashMap<i32, String>,
    orgs: HashMap<i32, String>,
    users: HashMap<i32, String>,
}

/// The indicator and county codes values name: made from the programme's set-up and the
/// counties alone, so they can be kept under its data version.
#[derive(Default)]
struct Names {
    indicators: HashMap<i32, String>,
    indicator_ids: HashMap<String, i32>,
    counties: HashMap<i32, (String, String)>,
    county_ids: HashMap<String, i32>,
}

impl std::ops::Deref for Codes {
    type Target = Names;
    fn deref(&self) -> &Names {
        &self.names
    }
}

impl Names {
    fn load(c: &mut DbConn, p: &Programme) -> AppResult<Names> {
        let inds = framework::indicator_codes(c, p.id)?;
        let counties = location::counties(c)?;
        Ok(Names {
            indicator_ids: inds.iter().map(|(id, code)| (code.clone(), *id)).collect(),
            indicators: inds.into_iter().collect(),
            county_ids: counties.iter().map(|l| (l.code.clone(), l.id)).collect(),
            counties: counties
                .into_iter()
                .map(|l| (l.id, (l.code, l.name)))
                .collect(),
        })
    }
}

impl Codes {
    /// What values name: indicator and county codes, and who entered them.
    fn for_values(c: &mut DbConn, p: &Programme) -> AppResult<Codes> {
        let names = Arc::new(Names::load(c, p)?);
        Codes::with_names(c, names)
    }

    /// [`Codes::for_values`] with the names kept under the programme's data version (a
    /// list of values is the most frequent read after the dashboard).
    fn for_values_kept(c: &mut DbConn, cache: &Cache, p: &Programme) -> AppResult<Codes> {
        let key = cache::Key::new(p, chrono::NaiveDate::MIN, "api value names");
        let names = cache.get_or_make(key, || Names::load(c, p))?;
        Codes::with_names(c, names)
    }

    fn with_names(c: &mut DbConn, names: Arc<Names>) -> AppResult<Codes> {
        Ok(Codes {
            names,
            results: HashMap::new(),
            orgs: HashMap::new(),
            users: user::usernames(c)?.into_iter().collect(),
        })
    }

    /// What one saved cell names, from the period its save loaded: its indicator and
    /// county, and the person saving.
    fn of_cell(ctx: &EntryContext, key: &CellKey, who: &Actor) -> Codes {
        Codes {
            names: Arc::new(Names {
                indicators: ctx
                    .indicators
                    .iter()
                    .filter(|(i, _)| i.id == key.indicator_id)
                    .map(|(i, _)| (i.id, i.code.clone()))
                    .collect(),
                counties: ctx
                    .counties()
                    .iter()
                    .filter(|l| l.id == key.location_id)
                    .map(|l| (l.id, (l.code.clone(), l.name.clone())))
                    .collect(),
                ..Names::default()
            }),
            results: HashMap::new(),
            orgs: HashMap::new(),
            users: who
                .user_id
                .map(|id| (id, who.name.clone()))
                .into_iter()
                .collect(),
        }
    }

    /// And what milestones, activities and progress name: outputs and organisations.
    fn load(c: &mut DbConn, p: &Programme) -> AppResult<Codes> {
        let mut codes = Codes::for_values(c, p)?;
        codes.results = framework::results_of(c, p.id)?
            .into_iter()
            .map(|r| (r.id, r.code))
            .collect();
        codes.orgs = organisation::all(c)?
            .into_iter()
            .map(|o| (o.id, o.code))
            .collect();
        Ok(codes)
    }

    fn value_out<'a>(&'a self, v: &'a IndicatorValue) -> ValueOut<'a> {
        let county = self.counties.get(&v.location_id);
        ValueOut {
            comment: v.comment.as_deref(),
            county: county.map(|c| c.0.as_str()),
            county_name: county.map(|c| c.1.as_str()),
            disaggregation: &v.disaggregation,
            entered_at: v.entered_at,
            entered_by: v
                .entered_by
                .and_then(|id| self.users.get(&id))
                .map(String::as_str),
            id: v.id,
            indicator: self.indicators.get(&v.indicator_id).map(String::as_str),
            period: &v.period,
            status: &v.status,
            status_reason: v.status_reason.as_deref(),
            value: v.value,
            version: v.version,
        }
    }

    fn value(&self, v: &IndicatorValue) -> Value {
        serde_json::to_value(self.value_out(v)).unwrap_or(Value::Null)
    }

    fn milestone(&self, m: &milestone::Milestone) -> Value {
        json!({
            "id": m.id, "title": m.title, "output": m.result_id.and_then(|r| self.results.get(&r)),
            "county": m.location_id.and_then(|l| self.counties.get(&l)).map(|c| &c.0), "due_date": m.due_date,
            "status": m.status, "completed_date": m.completed_date, "evidence_note": m.evidence_note,
            "version": m.version, "updated_at": m.updated_at,
        })
    }

    fn activity(&self, a: &activity::Activity) -> Value {
        json!({
            "id": a.id, "code": a.code, "title": a.title, "output": a.result_id.and_then(|r| self.results.get(&r)),
            "lead": a.lead_organisation_id.and_then(|o| self.orgs.get(&o)),
            "county": a.location_id.and_then(|l| self.counties.get(&l)).map(|c| &c.0),
            "planned_start": a.planned_start, "planned_end": a.planned_end, "actual_start": a.actual_start, "actual_end": a.actual_end,
            "status": a.status, "percent_complete": a.percent_complete, "budget_minor": a.budget_minor, "spend_minor": a.spend_minor,
            "version": a.version, "updated_at": a.updated_at,
        })
    }
}

/// The programme, if the caller may do `p` in it — checked before the body is read,
/// so a caller without the role hears 403/404, not a complaint about the body.
pub(super) async fn require(
    db: &Db,
    client: &ApiClient,
    code: &str,
    p: Permission,
) -> AppResult<Programme> {
    let (code, access) = (code.to_string(), client.access.clone());
    db.run(move |c| access.programme(c, &code, p)).await
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    AppError::invalid(field, message).into()
}

// ---- values ----

/// Values of a period or of an indicator (one of the two is required), optionally of
/// one county.
#[rocket::get("/programmes/<code>/values?<period>&<indicator>&<county>")]
pub async fn list_values(
    db: &State<Db>,
    cache: &State<Cache>,
    client: ApiClient,
    code: &str,
    period: Option<&str>,
    indicator: Option<&str>,
    county: Option<&str>,
) -> ApiResult<(ContentType, String)> {
    if period.is_none() && indicator.is_none() {
        return Err(bad(
            "period",
            "give ?period=2026Q3 or ?indicator=CODE (or both)",
        ));
    }
    let period = match period {
        Some(p) => Some(Period::parse(p).map_err(|e| bad("period", e.to_string()))?),
        None => None,
    };
    let (code, access) = (code.to_string(), client.access.clone());
    let (indicator, county) = (indicator.map(str::to_string), county.map(str::to_string));
    let cache = cache.inner().clone();
    let list = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDetail)?;
            let codes = Codes::for_values_kept(c, &cache, &p)?;
            let ind_id = match &indicator {
                Some(i) => Some(*codes.indicator_ids.get(i).ok_or_else(|| {
                    AppError::invalid(
                        "indicator",
                        format!("'{i}' is not an indicator of {}", p.code),
                    )
                })?),
                None => None,
            };
            let loc_id = match &county {
                Some(k) => Some(*codes.county_ids.get(k).ok_or_else(|| {
                    AppError::invalid("county", format!("'{k}' is not a county code (001–047)"))
                })?),
                None => None,
            };
            let rows = match (period, ind_id) {
                (Some(q), _) => values::of_period(c, p.id, &q.id())?,
                (None, Some(i)) => values::of_indicator(c, i)?,
                (None, None) => Vec::new(),
            };
            let values = rows
                .iter()
                .filter(|v| {
                    ind_id.is_none_or(|i| v.indicator_id == i)
                        && loc_id.is_none_or(|l| v.location_id == l)
                })
                .map(|v| codes.value_out(v))
                .collect();
            serde_json::to_string(&ValueList { values })
                .map_err(|e| AppError::Internal(format!("values as JSON: {e}")))
        })
        .await?;
    Ok((ContentType::JSON, list))
}

#[derive(Deserialize)]
pub struct NewValueBody {
    indicator: String,
    period: String,
    county: String,
    #[serde(default)]
    disaggregation: String,
    value: Value,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
pub struct ValueUpdate {
    value: Value,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default, deserialize_with = "super::whole::optional")]
    version: Option<i32>,
}

/// A figure as typed: a number, text, or null (empty).
fn raw(field: &str, v: &Value) -> ApiResult<String> {
    match v {
        // 40.0 is the whole number 40 (as JSON Schema counts it), not the text "40.0".
        Value::Number(n) => Ok(match super::whole_number::<i64>(v) {
            Some(i) => i.to_string(),
            None => n.to_string(),
        }),
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Err(bad(
            field,
            format!(
                "give {field} as a number or text{}, not {}",
                if field == "value" {
                    " (null clears a draft)"
                } else {
                    ""
                },
                super::setup::json_kind(other)
            ),
        )),
    }
}

/// Saves one cell through the entry service and answers like the grid would.
///
/// The period is loaded once — only the cell's indicator — inside the write transaction
/// (the checks see what is committed now), and the answer names the indicator and county
/// from that load: a save reads what it must and no more, since saves are the most
/// frequent write.
fn save_cell(
    c: &mut DbConn,
    who: &Actor,
    p: &Programme,
    period: Period,
    input: CellInput,
) -> Result<Value, ApiError> {
    let key = input.key.clone();
    let (report, now, codes) = crate::db::write(c, |c| {
        let only = std::collections::HashSet::from([key.indicator_id]);
        let ctx = EntryContext::load_for_saving(c, p.clone(), period, &only)?;
        let report: SaveReport = entry::save_loaded(
            c,
            &ctx,
            who,
            std::slice::from_ref(&input),
            crate::clock::now(),
            entry::Mode::Write,
        )?;
        let now = values::cell(
            c,
            key.indicator_id,
            key.location_id,
            &key.disaggregation,
            &period.id(),
        )?;
        Ok::<_, AppError>((report, now, Codes::of_cell(&ctx, &key, who)))
    })?;
    // Who entered it, when that is someone else (a conflict, or a save that changed
    // nothing): their name is looked up.
    let codes = match now.as_ref().and_then(|v| v.entered_by) {
        Some(id) if !codes.users.contains_key(&id) => Codes::for_values(c, p)?,
        _ => codes,
    };
    if let Some(k) = report.conflicts.first() {
        return Err(ApiError::Stale {
            message: format!(
                "this value was changed by {} after version {} was read; nothing was saved",
                if k.theirs_by.is_empty() {
                    "someone"
                } else {
                    &k.theirs_by
                },
                input
                    .base_version
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "(none)".into())
            ),
            current: now.map(|v| codes.value(&v)).unwrap_or(Value::Null),
        });
    }
    if !report.problems.is_empty() {
        let fields: serde_json::Map<String, Value> = report
            .problems
            .iter()
            .map(|p| {
                let f = match p.field {
                    "county" => "county",
                    "indicator" => "indicator",
                    "comment" => "comment",
                    _ => "value",
                };
                (f.to_string(), json!(p.message))
            })
            .collect();
        return Err(ApiError::Fields(Value::Object(fields)));
    }
    // A null value clears the cell: say so, and which cell, rather than answer `null`.
    Ok(now.map(|v| codes.value(&v)).unwrap_or_else(|| {
        let county = codes.counties.get(&key.location_id);
        json!({
            "cleared": true, "indicator": codes.indicators.get(&key.indicator_id), "period": period.id(),
            "county": county.map(|c| &c.0), "county_name": county.map(|c| &c.1),
            "disaggregation": key.disaggregation,
        })
    }))
}

#[rocket::post("/programmes/<code>/values", format = "json", data = "<body>")]
pub async fn create_value(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    require(db, &client, code, Permission::Edit).await?;
    let b = parse::<NewValueBody>(body)?;
    let period = Period::parse(&b.period).map_err(|e| bad("period", e.to_string()))?;
    let raw_value = raw("value", &b.value)?;
    let (code, access, who) = (code.to_string(), client.access.clone(), actor(&client));
    let result = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::Edit)?;
            let codes = Codes::for_values(c, &p)?;
            let Some(indicator_id) = codes.indicator_ids.get(&b.indicator).copied() else {
                return Ok(Err(bad(
                    "indicator",
                    format!("'{}' is not an indicator of {}", b.indicator, p.code),
                )));
            };
            let Some(location_id) = codes.county_ids.get(&b.county).copied() else {
                return Ok(Err(bad(
                    "county",
                    format!("'{}' is not a county code (001–047)", b.county),
                )));
            };
            let input = CellInput {
                key: CellKey {
                    indicator_id,
                    location_id,
                    disaggregation: b.disaggregation,
                },
                raw: raw_value,
                comment: b.comment.unwrap_or_default(),
                base_version: None,
                pick: None,
                resolving: false,
            };
            Ok(save_cell(c, &who, &p, period, input))
        })
        .await?;
    result.map(|v| (Status::Created, Json(v)))
}

#[rocket::put("/programmes/<code>/values/<id>", format = "json", data = "<body>")]
pub async fn update_value(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Edit).await?;
    let b = parse::<ValueUpdate>(body)?;
    let Some(version) = b.version else {
        return Err(bad(
            "version",
            "give the version you read (optimistic locking): {\"value\": …, \"version\": 3}",
        ));
    };
    let raw_value = raw("value", &b.value)?;
    let (code, access, who) = (code.to_string(), client.access.clone(), actor(&client));
    let result = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::Edit)?;
            let v = values::find_in_programme(c, p.id, id)?;
            let period = Period::parse(&v.period).map_err(|e| AppError::Internal(e.to_string()))?;
            let input = CellInput {
                key: CellKey {
                    indicator_id: v.indicator_id,
                    location_id: v.location_id,
                    disaggregation: v.disaggregation.clone(),
                },
                raw: raw_value,
                comment: b
                    .comment
                    .unwrap_or_else(|| v.comment.clone().unwrap_or_default()),
                base_version: Some(version),
                pick: None,
                resolving: false,
            };
            Ok(save_cell(c, &who, &p, period, input))
        })
        .await?;
    result.map(Json)
}

// ---- milestones and activities ----

#[rocket::get("/programmes/<code>/milestones")]
pub async fn list_milestones(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
) -> ApiResult<Json<Value>> {
    let (code, access) = (code.to_string(), client.access.clone());
    let list = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDetail)?;
            let codes = Codes::load(c, &p)?;
            Ok(milestone::of_programme(c, p.id)?
                .iter()
                .map(|m| codes.milestone(m))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(json!({ "milestones": list })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MilestoneBody {
    title: String,
    output: Option<String>,
    county: Option<String>,
    due_date: String,
    status: String,
    completed_date: Option<String>,
    evidence_note: String,
    #[serde(deserialize_with = "super::whole::optional")]
    version: Option<i32>,
}

impl MilestoneBody {
    fn fields(&self) -> MilestoneFields {
        MilestoneFields {
            title: self.title.clone(),
            output: self.output.clone().unwrap_or_default(),
            county: self.county.clone().unwrap_or_default(),
            due: self.due_date.clone(),
            status: self.status.clone(),
            completed: self.completed_date.clone().unwrap_or_default(),
            evidence: self.evidence_note.clone(),
        }
    }
}

async fn write_milestone(
    db: &Db,
    client: &ApiClient,
    code: &str,
    id: Option<i32>,
    b: MilestoneBody,
) -> ApiResult<Value> {
    let existing = match (id, b.version) {
        (Some(id), Some(v)) => Some((id, v)),
        (Some(_), None) => {
            return Err(bad(
                "version",
                "give the version you read (optimistic locking)",
            ))
        }
        (None, _) => None,
    };
    let (code, access, who) = (code.to_string(), client.access.clone(), actor(client));
    db.run(move |c| {
        let p = access.programme(c, &code, Permission::Edit)?;
        let saved = save_milestone(
            c,
            &who,
            &p,
            existing,
            &b.fields(),
            crate::clock::today(),
            crate::clock::now(),
        )?;
        let codes = Codes::load(c, &p)?;
        Ok(match saved {
            Saved::Done(id) => Ok(codes.milestone(&milestone::find(c, p.id, id)?)),
            Saved::Invalid(errors) => Err(ApiError::Fields(json!(errors))),
            Saved::Conflict(theirs) => Err(ApiError::Stale {
                message: "this milestone was changed after the version you read; nothing was saved"
                    .into(),
                current: codes.milestone(&theirs),
            }),
        })
    })
    .await?
}

#[rocket::post("/programmes/<code>/milestones", format = "json", data = "<body>")]
pub async fn create_milestone(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    require(db, &client, code, Permission::Edit).await?;
    let b = parse::<MilestoneBody>(body)?;
    write_milestone(db, &client, code, None, b)
        .await
        .map(|v| (Status::Created, Json(v)))
}

#[rocket::put("/programmes/<code>/milestones/<id>", format = "json", data = "<body>")]
pub async fn update_milestone(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Edit).await?;
    let b = parse::<MilestoneBody>(body)?;
    write_milestone(db, &client, code, Some(id), b)
        .await
        .map(Json)
}

#[rocket::get("/programmes/<code>/activities")]
pub async fn list_activities(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
) -> ApiResult<Json<Value>> {
    let (code, access) = (code.to_string(), client.access.clone());
    let list = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDetail)?;
            let codes = Codes::load(c, &p)?;
            Ok(activity::of_programme(c, p.id)?
                .iter()
                .map(|a| codes.activity(a))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(json!({ "activities": list })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActivityBody {
    code: String,
    title: String,
    output: Option<String>,
    lead: Option<String>,
    county: Option<String>,
    planned_start: String,
    planned_end: String,
    actual_start: Option<String>,
    actual_end: Option<String>,
    status: String,
    #[serde(deserialize_with = "super::whole::required")]
    percent_complete: i32,
    #[serde(deserialize_with = "super::whole::required")]
    budget_minor: i64,
    #[serde(deserialize_with = "super::whole::required")]
    spend_minor: i64,
    #[serde(deserialize_with = "super::whole::optional")]
    version: Option<i32>,
}

impl ActivityBody {
    fn fields(&self) -> ActivityFields {
        ActivityFields {
            code: self.code.clone(),
            title: self.title.clone(),
            output: self.output.clone().unwrap_or_default(),
            lead: self.lead.clone().unwrap_or_default(),
            county: self.county.clone().unwrap_or_default(),
            planned_start: self.planned_start.clone(),
            planned_end: self.planned_end.clone(),
            actual_start: self.actual_start.clone().unwrap_or_default(),
            actual_end: self.actual_end.clone().unwrap_or_default(),
            status: self.status.clone(),
            percent_complete: self.percent_complete.to_string(),
            budget: if self.budget_minor < 0 {
                "-".into()
            } else {
                format_money_plain(self.budget_minor)
            },
            spend: if self.spend_minor < 0 {
                "-".into()
            } else {
                format_money_plain(self.spend_minor)
            },
        }
    }
}

async fn write_activity(
    db: &Db,
    client: &ApiClient,
    code: &str,
    id: Option<i32>,
    b: ActivityBody,
) -> ApiResult<Value> {
    let existing = match (id, b.version) {
        (Some(id), Some(v)) => Some((id, v)),
        (Some(_), None) => {
            return Err(bad(
                "version",
                "give the version you read (optimistic locking)",
            ))
        }
        (None, _) => None,
    };
    let (code, access, who) = (code.to_string(), client.access.clone(), actor(client));
    db.run(move |c| {
        let p = access.programme(c, &code, Permission::Edit)?;
        let saved = save_activity(
            c,
            &who,
            &p,
            existing,
            &b.fields(),
            crate::clock::today(),
            crate::clock::now(),
        )?;
        let codes = Codes::load(c, &p)?;
        Ok(match saved {
            Saved::Done(id) => Ok(codes.activity(&activity::find(c, p.id, id)?)),
            Saved::Invalid(errors) => Err(ApiError::Fields(json!(errors))),
            Saved::Conflict(theirs) => Err(ApiError::Stale {
                message: "this activity was changed after the version you read; nothing was saved"
                    .into(),
                current: codes.activity(&theirs),
            }),
        })
    })
    .await?
}

#[rocket::post("/programmes/<code>/activities", format = "json", data = "<body>")]
pub async fn create_activity(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    require(db, &client, code, Permission::Edit).await?;
    let b = parse::<ActivityBody>(body)?;
    write_activity(db, &client, code, None, b)
        .await
        .map(|v| (Status::Created, Json(v)))
}

#[rocket::put("/programmes/<code>/activities/<id>", format = "json", data = "<body>")]
pub async fn update_activity(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Edit).await?;
    let b = parse::<ActivityBody>(body)?;
    write_activity(db, &client, code, Some(id), b)
        .await
        .map(Json)
}

// ---- activity progress ----

fn progress_json(
    r: &crate::models::activity_progress::ActivityProgress,
    users: &HashMap<i32, String>,
) -> Value {
    json!({
        "id": r.id, "period": r.period, "status": r.status, "percent_complete": r.percent_complete,
        "spend_to_date_minor": r.spend_to_date_minor, "spend_to_date": format_money_plain(r.spend_to_date_minor),
        "note": r.note, "workflow_status": r.workflow_status, "status_reason": r.status_reason,
        "entered_by": r.entered_by.and_then(|id| users.get(&id)), "entered_at": r.entered_at, "version": r.version,
    })
}

fn progress_period(raw: &str) -> ApiResult<Period> {
    Period::parse(raw).map_err(|e| bad("period", e.to_string()))
}

/// The period's activity progress: every activity the period asks about, with its row
/// for the period (null until entered) and its newest earlier row.
#[rocket::get("/programmes/<code>/progress?<period>")]
pub async fn list_progress(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    period: Option<&str>,
) -> ApiResult<Json<Value>> {
    let Some(period) = period else {
        return Err(bad("period", "give the quarter to read as ?period=2026Q3"));
    };
    let q = progress_period(period)?;
    let (code, access) = (code.to_string(), client.access.clone());
    let out = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDetail)?;
            let ctx = EntryContext::load(c, p, q)?;
            let codes = Codes::load(c, &ctx.programme)?;
            let rows: Vec<Value> = ctx
                .progress
                .iter()
                .map(|r| {
                    json!({
                        "activity": r.activity.code, "activity_id": r.activity.id, "title": r.activity.title,
                        "planned_start": r.activity.planned_start, "planned_end": r.activity.planned_end,
                        "progress": r.current.as_ref().map(|x| progress_json(x, &codes.users)),
                        "previous": r.previous.as_ref().map(|x| progress_json(x, &codes.users)),
                    })
                })
                .collect();
            Ok(json!({ "period": q.id(), "locked": ctx.lock.is_some(), "activities": rows }))
        })
        .await?;
    Ok(Json(out))
}

#[derive(Deserialize)]
pub struct NewProgressBody {
    period: String,
    /// Activity code, e.g. LBP-A02.
    activity: String,
    status: String,
    percent_complete: Value,
    /// Spend to date in major units ("12,500.50" or 12500.5).
    spend_to_date: Value,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
pub struct ProgressUpdate {
    status: String,
    percent_complete: Value,
    spend_to_date: Value,
    #[serde(default)]
    note: String,
    #[serde(default, deserialize_with = "super::whole::optional")]
    version: Option<i32>,
}

/// Saves one activity's progress for a period through the entry service and answers
/// with the row as stored, 409 with the current row, or 422 naming the fields.
fn save_progress(
    c: &mut DbConn,
    who: &Actor,
    p: Programme,
    q: Period,
    activity: Result<i32, String>,
    fields: crate::domain::progress::ProgressFields,
    base_version: Option<i32>,
) -> AppResult<Result<Value, ApiError>> {
    use crate::entry::progress::{save_loaded, ProgressInput};
    crate::db::write(c, |c| {
        let ctx = EntryContext::load(c, p.clone(), q)?;
        let codes = Codes::load(c, &ctx.programme)?;
        let Some(row) = ctx.progress.iter().find(|r| match &activity {
            Ok(id) => r.activity.id == *id,
            Err(code) => r.activity.code == *code,
        }) else {
            return Ok(Err(bad(
                "activity",
                format!(
                    "{} is not an activity of {} under way in {}",
                    activity
                        .clone()
                        .map(|i| i.to_string())
                        .unwrap_or_else(|c| format!("'{c}'")),
                    ctx.programme.code,
                    q.id()
                ),
            )));
        };
        let id = row.activity.id;
        let input = ProgressInput {
            activity_id: id,
            fields: fields.clone(),
            base_version,
        };
        let report = save_loaded(
            c,
            &ctx,
            who,
            &[input],
            crate::clock::now(),
            entry::Mode::Write,
        )?;
        if let Some(k) = report.conflicts.first() {
            return Ok(Err(ApiError::Stale {
                message: format!(
                    "this activity's progress for {} was changed by {} after version {} was read; nothing was saved",
                    q.id(),
                    k.theirs_by,
                    base_version.map(|v| v.to_string()).unwrap_or_else(|| "(none)".into())
                ),
                current: k.theirs.as_ref().map(|t| progress_json(t, &codes.users)).unwrap_or(Value::Null),
            }));
        }
        if !report.problems.is_empty() {
            let fields: serde_json::Map<String, Value> = report
                .problems
                .iter()
                .map(|p| {
                    let f = match p.field {
                        "percent" => "percent_complete",
                        "spend" => "spend_to_date",
                        other => other,
                    };
                    (f.to_string(), json!(p.message))
                })
                .collect();
            return Ok(Err(ApiError::Fields(Value::Object(fields))));
        }
        let saved = crate::models::activity_progress::of_period(c, ctx.programme.id, &q.id())?
            .into_iter()
            .find(|r| r.activity_id == id);
        Ok(Ok(saved
            .map(|r| progress_json(&r, &codes.users))
            .unwrap_or(Value::Null)))
    })
}

/// Enters an activity's progress for a period (a draft until submitted with the period).
#[rocket::post("/programmes/<code>/progress", format = "json", data = "<body>")]
pub async fn create_progress(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    require(db, &client, code, Permission::Edit).await?;
    let b = parse::<NewProgressBody>(body)?;
    let q = progress_period(&b.period)?;
    let fields = crate::domain::progress::ProgressFields {
        status: b.status,
        percent_complete: raw("percent_complete", &b.percent_complete)?,
        spend: raw("spend_to_date", &b.spend_to_date)?,
        note: b.note,
    };
    let (code, access, who, activity) = (
        code.to_string(),
        client.access.clone(),
        actor(&client),
        b.activity,
    );
    let result = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::Edit)?;
            save_progress(c, &who, p, q, Err(activity), fields, None)
        })
        .await?;
    result.map(|v| (Status::Created, Json(v)))
}

/// Changes an activity's progress row from the version read.
#[rocket::put("/programmes/<code>/progress/<id>", format = "json", data = "<body>")]
pub async fn update_progress(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Edit).await?;
    let b = parse::<ProgressUpdate>(body)?;
    let Some(version) = b.version else {
        return Err(bad(
            "version",
            "give the version you read (optimistic locking): {\"status\": …, \"version\": 3}",
        ));
    };
    let fields = crate::domain::progress::ProgressFields {
        status: b.status,
        percent_complete: raw("percent_complete", &b.percent_complete)?,
        spend: raw("spend_to_date", &b.spend_to_date)?,
        note: b.note,
    };
    let (code, access, who) = (code.to_string(), client.access.clone(), actor(&client));
    let result = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::Edit)?;
            let row = crate::models::activity_progress::of_programme(c, p.id)?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or_else(|| {
                    AppError::not_found(
                        "This programme has no activity progress row with that number.",
                    )
                })?;
            let q = Period::parse(&row.period).map_err(|e| AppError::Internal(e.to_string()))?;
            save_progress(c, &who, p, q, Ok(row.activity_id), fields, Some(version))
        })
        .await?;
    result.map(Json)
}
