//! The results framework by API: results (impact, outcomes, outputs), indicators and
//! their interim targets. Removing something that has data archives it instead (the
//! answer's `effect` says which); archived records are restored, and moved up or down
//! among their siblings, from the version read.

use std::collections::HashMap;

use rocket::http::Status;
use rocket::serde::json::{json, Json, Value};
use rocket::State;
use serde_json::Map;

use super::records::require;
use super::setup::{
    answer, bad, created, fields, in_programme, json_kind, object, query_version, read_fields,
    version, whole, written, Body, Kind,
};
use super::{ApiError, ApiResult};
use crate::auth::ApiClient;
use crate::db::{Db, DbConn};
use crate::domain::access::Permission;
use crate::domain::period::Period;
use crate::domain::setup::{IndicatorFields, ResultFields, TargetFields};
use crate::error::AppResult;
use crate::models::framework::{self, Indicator, ResultRow};
use crate::models::programme::Programme;
use crate::models::target::TargetRow;
use crate::models::{audit, location, target};
use crate::setup::target::{TargetEdit, TargetsSaved};
use crate::setup::{self, Saved};

const RESULT: Kind = Kind {
    what: "result",
    entity: "result",
};
const INDICATOR: Kind = Kind {
    what: "indicator",
    entity: "indicator",
};

// ---- what records look like ----

pub(super) fn result_json(r: &ResultRow, all: &[ResultRow]) -> Value {
    json!({
        "id": r.id, "code": r.code, "level": r.level,
        "parent": r.parent_id.and_then(|p| all.iter().find(|x| x.id == p)).map(|x| &x.code),
        "statement": r.statement, "impact_weighting": r.impact_weighting, "risk_rating": r.risk_rating,
        "assumptions": r.assumptions, "archived": r.archived, "version": r.version,
    })
}

pub(super) fn indicator_json(i: &Indicator, results: &[ResultRow]) -> Value {
    json!({
        "id": i.id, "code": i.code, "result": results.iter().find(|r| r.id == i.result_id).map(|r| &r.code),
        "title": i.title, "definition": i.definition, "unit": i.unit, "direction": i.direction,
        "county_aggregation": i.county_aggregation, "period_aggregation": i.period_aggregation,
        "baseline": i.baseline_value, "baseline_date": i.baseline_date, "end_target": i.end_target,
        "end_target_date": i.end_target_date, "means_of_verification": i.means_of_verification,
        "data_source": i.data_source, "disaggregations": i.dimensions(), "key": i.is_key,
        "publication_level": i.level().as_str(),
        "small_number_rule": crate::domain::disclosure::SmallRule::word(i.small_rule()),
        "small_number_below": i.small_rule().map(|r| r.below()),
        "archived": i.archived, "version": i.version,
    })
}

/// The live outputs' impact weightings when they do not add up to 100 %.
pub(super) fn weighting_problem(results: &[ResultRow]) -> Option<String> {
    setup::framework::weighting_problem(results)
}

fn stored_result(c: &mut DbConn, p: &Programme, id: i32) -> AppResult<Value> {
    let all = framework::results_of(c, p.id)?;
    let r = framework::find_result(c, p.id, id)?;
    let mut v = result_json(&r, &all);
    v["weighting_problem"] = json!(weighting_problem(&all));
    Ok(v)
}

fn current_result(c: &mut DbConn, p: &Programme, r: &ResultRow) -> AppResult<(i32, Value)> {
    let all = framework::results_of(c, p.id)?;
    Ok((r.id, result_json(r, &all)))
}

fn stored_indicator(c: &mut DbConn, p: &Programme, id: i32) -> AppResult<Value> {
    let results = framework::results_of(c, p.id)?;
    Ok(indicator_json(
        &framework::find_indicator(c, p.id, id)?,
        &results,
    ))
}

fn current_indicator(c: &mut DbConn, p: &Programme, i: &Indicator) -> AppResult<(i32, Value)> {
    let results = framework::results_of(c, p.id)?;
    Ok((i.id, indicator_json(i, &results)))
}

/// `{"direction": "up"|"down", "version": n}` → (up, version).
fn move_body(m: &Map<String, Value>) -> ApiResult<(bool, i32)> {
    let version = version(m)?;
    let up = match m.get("direction").and_then(Value::as_str).map(str::trim) {
        Some("up") => true,
        Some("down") => false,
        _ => {
            return Err(bad(
                "direction",
                "give the direction: \"up\" or \"down\" (to move it to another parent, change its parent)",
            ))
        }
    };
    Ok((up, version))
}

// ---- results ----

async fn save_result(
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
    let f: ResultFields = fields(&m)?;
    in_programme(db, client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::framework::save_result(c, who, p, existing, &f)?;
        answer(
            c,
            saved,
            RESULT,
            existing.map(|e| e.1),
            |c, id| stored_result(c, p, id),
            |c, now| current_result(c, p, now),
        )
    })
    .await
}

#[rocket::post("/programmes/<code>/results", format = "json", data = "<body>")]
pub async fn create_result(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    save_result(db, &client, code, None, body)
        .await
        .map(created)
}

/// Changes a result; a new `parent` moves an output to another outcome.
#[rocket::put("/programmes/<code>/results/<id>", format = "json", data = "<body>")]
pub async fn update_result(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    save_result(db, &client, code, Some(id), body)
        .await
        .map(Json)
}

/// The service's action on one result from the version read.
type ResultAction = fn(
    &mut DbConn,
    &crate::models::audit::Actor,
    &Programme,
    i32,
    i32,
) -> AppResult<Saved<ResultRow>>;

async fn act_on_result(
    db: &Db,
    client: &ApiClient,
    code: &str,
    id: i32,
    version: i32,
    action: ResultAction,
) -> ApiResult<Json<Value>> {
    in_programme(db, client, code, Permission::Setup, move |c, who, p| {
        let saved = action(c, who, p, id, version)?;
        answer(
            c,
            saved,
            RESULT,
            Some(version),
            |c, id| stored_result(c, p, id),
            |c, now| current_result(c, p, now),
        )
    })
    .await
    .map(Json)
}

/// Deletes a result nothing refers to, else archives it (`effect` says which).
#[rocket::delete("/programmes/<code>/results/<id>?<version>")]
pub async fn delete_result(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    version: Option<&str>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let version = query_version(version)?;
    act_on_result(
        db,
        &client,
        code,
        id,
        version,
        setup::framework::remove_result,
    )
    .await
}

#[rocket::post(
    "/programmes/<code>/results/<id>/restore",
    format = "json",
    data = "<body>"
)]
pub async fn restore_result(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let version = version(&object(body)?)?;
    act_on_result(
        db,
        &client,
        code,
        id,
        version,
        setup::framework::restore_result,
    )
    .await
}

/// One place up or down among the results under the same parent.
#[rocket::post(
    "/programmes/<code>/results/<id>/move",
    format = "json",
    data = "<body>"
)]
pub async fn move_result(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let (up, version) = move_body(&object(body)?)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::framework::move_result(c, who, p, id, version, up)?;
        answer(
            c,
            saved,
            RESULT,
            Some(version),
            |c, id| stored_result(c, p, id),
            |c, now| current_result(c, p, now),
        )
    })
    .await
    .map(Json)
}

// ---- indicators ----

/// The indicator's fields. The names GET gives (`county_aggregation`,
/// `period_aggregation`, `baseline`) are read too, so a record read can be sent back.
fn indicator_fields(mut m: Map<String, Value>) -> ApiResult<IndicatorFields> {
    for (read, write) in [
        ("county_aggregation", "county_rule"),
        ("period_aggregation", "period_rule"),
        ("baseline", "baseline_value"),
    ] {
        if !m.contains_key(write) {
            if let Some(v) = m.remove(read) {
                m.insert(write.into(), v);
            }
        }
    }
    fields(&m)
}

async fn save_indicator(
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
    let f = indicator_fields(m)?;
    in_programme(db, client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::framework::save_indicator(c, who, p, existing, &f)?;
        answer(
            c,
            saved,
            INDICATOR,
            existing.map(|e| e.1),
            |c, id| stored_indicator(c, p, id),
            |c, now| current_indicator(c, p, now),
        )
    })
    .await
}

#[rocket::post("/programmes/<code>/indicators", format = "json", data = "<body>")]
pub async fn create_indicator(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<(Status, Json<Value>)> {
    save_indicator(db, &client, code, None, body)
        .await
        .map(created)
}

/// Changes an indicator. How approved values are read (unit, rules, direction,
/// disaggregations) does not change once there are some: 422 says what to do instead.
#[rocket::put("/programmes/<code>/indicators/<id>", format = "json", data = "<body>")]
pub async fn update_indicator(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    save_indicator(db, &client, code, Some(id), body)
        .await
        .map(Json)
}

type IndicatorAction = fn(
    &mut DbConn,
    &crate::models::audit::Actor,
    &Programme,
    i32,
    i32,
) -> AppResult<Saved<Indicator>>;

async fn act_on_indicator(
    db: &Db,
    client: &ApiClient,
    code: &str,
    id: i32,
    version: i32,
    action: IndicatorAction,
) -> ApiResult<Json<Value>> {
    in_programme(db, client, code, Permission::Setup, move |c, who, p| {
        let saved = action(c, who, p, id, version)?;
        answer(
            c,
            saved,
            INDICATOR,
            Some(version),
            |c, id| stored_indicator(c, p, id),
            |c, now| current_indicator(c, p, now),
        )
    })
    .await
    .map(Json)
}

/// Deletes an indicator without values, targets, continuity records or issued
/// reports; archives it otherwise (`effect` says which).
/// Sets how far an indicator's figures may travel: `publication_level` (public, partners,
/// internal), `small_number_rule` (none, fewer_than, withhold) with `small_number_below`
/// (N), and the `version` read. Audited; the indicator's own PUT never changes these.
#[rocket::put(
    "/programmes/<code>/indicators/<id>/publication",
    format = "json",
    data = "<body>"
)]
pub async fn set_publication(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let m = object(body)?;
    let version = version(&m)?;
    let f: setup::disclosure::PublicationFields = fields(&m)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::disclosure::save(c, who, p, id, version, &f)?;
        answer(
            c,
            saved,
            INDICATOR,
            Some(version),
            |c, id| stored_indicator(c, p, id),
            |c, now| current_indicator(c, p, now),
        )
    })
    .await
    .map(Json)
}

#[rocket::delete("/programmes/<code>/indicators/<id>?<version>")]
pub async fn delete_indicator(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    version: Option<&str>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let version = query_version(version)?;
    act_on_indicator(
        db,
        &client,
        code,
        id,
        version,
        setup::framework::remove_indicator,
    )
    .await
}

#[rocket::post(
    "/programmes/<code>/indicators/<id>/restore",
    format = "json",
    data = "<body>"
)]
pub async fn restore_indicator(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let version = version(&object(body)?)?;
    act_on_indicator(
        db,
        &client,
        code,
        id,
        version,
        setup::framework::restore_indicator,
    )
    .await
}

#[rocket::post(
    "/programmes/<code>/indicators/<id>/move",
    format = "json",
    data = "<body>"
)]
pub async fn move_indicator(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let (up, version) = move_body(&object(body)?)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let saved = setup::framework::move_indicator(c, who, p, id, version, up)?;
        answer(
            c,
            saved,
            INDICATOR,
            Some(version),
            |c, id| stored_indicator(c, p, id),
            |c, now| current_indicator(c, p, now),
        )
    })
    .await
    .map(Json)
}

// ---- targets ----

/// The version of an indicator's whole set of targets: it changes whenever one is
/// added, changed or removed (FNV-1a over each target's id and version).
fn targets_json(c: &mut DbConn, i: &Indicator, rows: &[TargetRow]) -> AppResult<Value> {
    let counties: HashMap<i32, (String, String)> = location::counties(c)?
        .into_iter()
        .map(|l| (l.id, (l.code, l.name)))
        .collect();
    let list: Vec<Value> = rows
        .iter()
        .map(|t| {
            let county = t.location_id.and_then(|l| counties.get(&l));
            json!({
                "id": t.id, "period": t.period,
                "period_label": Period::parse(&t.period).ok().map(|p| p.label()),
                "county": county.map(|c| &c.0), "county_name": county.map(|c| &c.1),
                "disaggregation": t.disaggregation, "value": t.value, "version": t.version,
            })
        })
        .collect();
    Ok(json!({
        "indicator": i.code, "unit": i.unit, "version": setup::target::set_version(rows), "targets": list,
    }))
}

/// The interim targets (logframe milestones) of an indicator, with the set's version.
#[rocket::get("/programmes/<code>/indicators/<id>/targets")]
pub async fn targets(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
) -> ApiResult<Json<Value>> {
    in_programme(db, &client, code, Permission::ViewDetail, move |c, _, p| {
        let i = framework::find_indicator(c, p.id, id)?;
        let rows = target::of_indicator(c, i.id)?;
        Ok(Ok(targets_json(c, &i, &rows)?))
    })
    .await
    .map(Json)
}

/// The edits of a PUT body, or every problem keyed `targets[i].field`.
fn target_edits(m: &Map<String, Value>, indicator: &str) -> ApiResult<Vec<TargetEdit>> {
    let items = match m.get("targets") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => {
            return Err(bad(
                "targets",
                "give the whole set as \"targets\": [{\"period\": \"2026Q3\", \"value\": 40}, …] ([] removes them all)",
            ))
        }
        Some(other) => {
            return Err(bad(
                "targets",
                format!("give the targets as a list, not {}", json_kind(other)),
            ))
        }
    };
    let mut problems = Map::new();
    let mut edits = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("targets[{i}].");
        let Value::Object(t) = item else {
            problems.insert(
                format!("targets[{i}]"),
                json!(format!(
                    "give each target as an object, not {}",
                    json_kind(item)
                )),
            );
            continue;
        };
        let base_version = match t.get("version") {
            None | Some(Value::Null) => None,
            Some(v) => match whole(v) {
                Some(v) => Some(v),
                None => {
                    problems.insert(
                        format!("{at}version"),
                        json!(format!("{v} is not a version: give the whole number read")),
                    );
                    None
                }
            },
        };
        match read_fields::<TargetFields>(t, &at) {
            Ok(mut fields) => {
                let named = fields.indicator.trim();
                if !named.is_empty() && named != indicator {
                    problems.insert(
                        format!("{at}indicator"),
                        json!(format!("these are the targets of {indicator}, not {named}; leave \"indicator\" out")),
                    );
                }
                fields.indicator = indicator.to_string();
                edits.push(TargetEdit {
                    fields,
                    base_version,
                });
            }
            Err(e) => problems.extend(e),
        }
    }
    if problems.is_empty() {
        Ok(edits)
    } else {
        Err(ApiError::Fields(Value::Object(problems)))
    }
}

fn targets_stale(
    c: &mut DbConn,
    i: &Indicator,
    rows: &[TargetRow],
    sent: &str,
) -> AppResult<ApiError> {
    let by = audit::history(c, "indicator", i.id)?
        .into_iter()
        .rev()
        .find(|e| e.action == "targets_set")
        .map(|e| format!(" by {}", e.actor))
        .unwrap_or_default();
    let current = targets_json(c, i, rows)?;
    Ok(ApiError::Stale {
        message: format!(
            "the targets of {} were changed{by} after version {sent} was read (they are at version {} now); nothing was saved — `current` holds them as they are now",
            i.code, current["version"].as_str().unwrap_or("?")
        ),
        current,
    })
}

/// Replaces an indicator's whole set of targets: targets left out are removed, a blank
/// value removes that one too. `version` is the set's, as GET gave it.
#[rocket::put(
    "/programmes/<code>/indicators/<id>/targets",
    format = "json",
    data = "<body>"
)]
pub async fn set_targets(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    id: i32,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let m = object(body)?;
    let sent = match m.get("version") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            return Err(bad(
                "version",
                "give the version of the set you read (GET …/targets gives it, e.g. \"version\": \"9f3c…\"); nothing was saved",
            ))
        }
    };
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let i = framework::find_indicator(c, p.id, id)?;
        let edits = match target_edits(&m, &i.code) {
            Ok(e) => e,
            Err(e) => return Ok(Err(e)),
        };
        Ok(
            match setup::target::replace_set(c, who, p, &i, &edits, &sent)? {
                TargetsSaved::Done(d) => {
                    let rows = target::of_indicator(c, i.id)?;
                    Ok(written(targets_json(c, &i, &rows)?, &d))
                }
                TargetsSaved::Invalid(problems) => Err(ApiError::Problems(
                    problems
                        .into_iter()
                        .map(|pr| {
                            let key = match pr.index {
                                Some(n) => format!("targets[{n}].{}", pr.field),
                                None => pr.field.to_string(),
                            };
                            let message = match pr.other {
                                Some(first) => format!("{} (also targets[{first}])", pr.message),
                                None => pr.message,
                            };
                            (key, pr.index, message)
                        })
                        .collect(),
                )),
                TargetsSaved::Stale(rows) => Err(targets_stale(c, &i, &rows, &sent)?),
            },
        )
    })
    .await
    .map(Json)
}
