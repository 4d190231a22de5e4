//! Who am I, programmes, their results frameworks and indicators.

use std::sync::Arc;

use rocket::http::ContentType;
use rocket::serde::json::{json, Json, Value};
use rocket::State;

use super::ApiResult;
use crate::auth::ApiClient;
use crate::compare::spec::Query;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::error::AppError;
use crate::figures::cache::{self, Cache};
use crate::figures::kind;
use crate::models::{framework, programme};
use crate::overview::{self, Dashboard};
use crate::web::CompareQuery;

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
pub async fn programmes(db: &State<Db>, client: ApiClient) -> ApiResult<Json<Value>> {
    let list = db.run(programme::all).await?;
    let visible: Vec<Value> = list
        .into_iter()
        .filter(|p| client.access.sees(p.id))
        .map(|p| super::setup::programme_json(&p))
        .collect();
    Ok(Json(json!({ "programmes": visible })))
}

/// A programme with each indicator's latest figure, milestone, % achieved and RAG. The
/// answer is the same for everyone who may see it: kept, serialised, under the
/// programme's data version.
#[rocket::get("/programmes/<code>")]
pub async fn programme_detail(
    db: &State<Db>,
    cache: &State<Cache>,
    client: ApiClient,
    code: &str,
) -> ApiResult<(ContentType, Arc<str>)> {
    let (code, access) = (code.to_string(), client.access.clone());
    let cache = cache.inner().clone();
    let today = crate::clock::today();
    let body = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDashboard)?;
            // A donor's answer leaves out what partners may not see; kept apart from the
            // team's.
            let audience = access.audience(p.id);
            let key = cache::Key::new(&p, today, "api programme")
                .variant(overview::audience_variant(audience));
            let d = overview::dashboard(c, &cache, p, today, audience)?;
            cache.get_or_make(key, || {
                Ok::<_, AppError>(Arc::<str>::from(programme_json(&d).to_string()))
            })
        })
        .await?;
    Ok((ContentType::JSON, Arc::clone(&body)))
}

fn programme_json(d: &Dashboard) -> Value {
    let (p, figures) = (&d.overview.programme, &d.overview.figures);
    let indicators: Vec<Value> = figures
        .iter()
        .map(|f| {
            json!({
                "code": f.indicator.code, "title": f.indicator.title, "unit": f.indicator.unit,
                "direction": f.indicator.direction, "baseline": f.indicator.baseline_value,
                "end_target": f.indicator.end_target,
                "latest": f.latest.as_ref().map(|l| json!({ "period": l.period.id(), "value": l.value, "counties": l.counties, "expected_counties": l.expected_counties, "awaiting_approval": l.provisional })),
                "pending": f.pending.as_ref().map(|p| json!({ "period": p.period.id(), "counties": p.counties, "expected_counties": p.expected_counties })),
                "milestone": f.milestone, "percent_achieved": f.percent, "rag": f.rag.map(|r| r.as_str()),
                "what": f.figure.as_ref().zip(f.latest.as_ref()).and_then(|(g, l)| kind::describe(g, &crate::figures::Span::quarter(l.period))),
                "yes_counties": f.figure.as_ref().and_then(|g| g.yes).map(|y| json!({ "yes": y.yes, "of": y.of })),
                "milestone_counties": f.figure.as_ref().and_then(|g| g.target_yes).map(|y| json!({ "yes": y.yes, "of": y.of })),
                "to_date": f.figure.as_ref().map(|g| json!({
                    "value": g.to_date.value, "through": g.to_date.through.map(|q| q.id()),
                    "running_total": g.to_date.running_total, "percent_of_end_target": g.to_date.percent,
                })),
                "parts": f.figure.as_ref().map(|g| g.parts.iter().map(|p| json!({ "part": p.key, "value": p.value })).collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect();
    json!({
        "code": p.code, "name": p.name, "currency": p.currency, "demonstration_data": p.is_demo,
        "indicators": indicators,
    })
}

/// The results framework: impact, outcomes, outputs (parents before children), archived
/// ones too (marked), and whether the outputs' weightings add up to 100 %.
#[rocket::get("/programmes/<code>/results")]
pub async fn results(db: &State<Db>, client: ApiClient, code: &str) -> ApiResult<Json<Value>> {
    let (code, access) = (code.to_string(), client.access.clone());
    let rows = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDetail)?;
            framework::results_of(c, p.id)
        })
        .await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|r| super::framework::result_json(r, &rows))
        .collect();
    Ok(Json(json!({
        "results": list,
        "weighting_problem": super::framework::weighting_problem(&rows),
    })))
}

/// Indicator definitions, archived ones too (marked).
#[rocket::get("/programmes/<code>/indicators")]
pub async fn indicators(db: &State<Db>, client: ApiClient, code: &str) -> ApiResult<Json<Value>> {
    let (code, access) = (code.to_string(), client.access.clone());
    let (rows, results) = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::ViewDetail)?;
            Ok((
                framework::indicators_of(c, p.id)?,
                framework::results_of(c, p.id)?,
            ))
        })
        .await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|i| super::framework::indicator_json(i, &results))
        .collect();
    Ok(Json(json!({ "indicators": list })))
}

/// A comparison of the programme's indicators across phases, periods and county groups:
/// the same figures as the comparison page and its CSV.
#[rocket::get("/programmes/<code>/compare?<query..>")]
pub async fn compare(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    query: CompareQuery,
) -> ApiResult<Json<Value>> {
    let query = Query::from(query);
    let (code, access) = (code.to_string(), client.access.clone());
    let today = crate::clock::today();
    let answer = db
        .run(move |c| {
            let p = access.programme(c, &code, Permission::Export)?;
            let spec = crate::compare::spec::Spec::from_query(&query)?;
            // What the API answers leaves the tracker: for partners, whoever asks.
            crate::compare::answer(
                c,
                &access,
                &p,
                spec,
                query.indicator.as_deref(),
                today,
                crate::domain::disclosure::Audience::Partners,
            )
        })
        .await?;
    Ok(Json(json!({
        "comparison": answer.comparison,
        "counties": answer.counties,
    })))
}
