//! The evaluator's comparison page (a GET form, so every comparison is a link), its CSV,
//! saved comparisons and their shareable links, and the indicator continuity forms.

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::json;

use super::csv::CsvFile;
use super::view::render;
use crate::auth::Signed;
use crate::compare::spec::{Query, Spec};
use crate::compare::{self, export, Answer};
use crate::db::Db;
use crate::domain::access::Permission;
use crate::domain::disclosure::Audience;
use crate::error::{AppError, AppResult};
use crate::format;
use crate::models::comparison::{self as saved, SavedComparison};
use crate::models::programme::{self, Programme};
use crate::models::user;
use crate::web::guard::CsrfForm;

/// The comparison form as it arrives in a query string (the page, its CSV and the API's
/// comparison read the same fields); the question itself is [`Query`].
#[derive(Debug, Clone, Default, FromForm)]
pub struct CompareQuery {
    #[field(default = String::new())]
    sides: String,
    split: Option<String>,
    a: Option<String>,
    b: Option<String>,
    common: Option<bool>,
    through: Option<String>,
    indicator: Option<String>,
}

impl From<CompareQuery> for Query {
    fn from(q: CompareQuery) -> Query {
        Query {
            sides: q.sides,
            split: q.split,
            a: q.a,
            b: q.b,
            common: q.common,
            through: q.through,
            indicator: q.indicator,
        }
    }
}

struct PageInput {
    programme: Programme,
    query: Query,
    saved: Option<SavedComparison>,
    name_error: Option<String>,
    flash: Option<String>,
}

async fn page(db: &Db, signed: &Signed, input: PageInput) -> AppResult<(Status, Template)> {
    let PageInput {
        programme: p,
        query,
        saved,
        name_error,
        flash,
    } = input;
    let access = signed.access.clone();
    let today = crate::clock::today();
    let asked = !query.sides.trim().is_empty();
    let (pid, prog) = (p.id, p.clone());
    let q = query.clone();
    let (answer, suggestions, saved_list, phases, names) = db
        .run(move |c| {
            let answer: Option<AppResult<Answer>> = asked.then(|| {
                Spec::from_query(&q).and_then(|spec| {
                    // The page is the team's own (evaluators, managers, officers).
                    compare::answer(c, &access, &prog, spec, q.indicator.as_deref(), today, Audience::Team)
                })
            });
            // A database failure is a real error; a wrong question is shown on the page.
            let answer = match answer {
                Some(Err(e @ AppError::Invalid { .. })) => Some(Err(e)),
                Some(Err(e)) => return Err(e),
                other => other,
            };
            let suggestions = compare::suggestions(c, &prog, today, &access)?;
            let saved_list = saved::of_programme(c, pid)?;
            let mut phases = Vec::new();
            for other in programme::all(c)? {
                if access.can(other.id, Permission::Export) {
                    for ph in programme::phases_of(c, other.id)? {
                        phases.push(json!({
                            "id": ph.phase.id,
                            "programme": other.code,
                            "name": ph.phase.name,
                            "from": format::date(ph.phase.start_date),
                            "to": format::date(ph.phase.end_date),
                            "counties": ph.counties.iter().map(|c| format!("{} ({})", c.name, c.code)).collect::<Vec<_>>().join(", "),
                        }));
                    }
                }
            }
            let names: std::collections::HashMap<i32, String> = user::all(c)?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect();
            Ok((answer, suggestions, saved_list, phases, names))
        })
        .await?;
    let (status, result, error) = match answer {
        None => (Status::Ok, None, None),
        Some(Ok(a)) => (Status::Ok, Some(a), None),
        Some(Err(AppError::Invalid { field, message })) => (
            Status::UnprocessableEntity,
            None,
            Some(json!({ "field": field, "message": message })),
        ),
        Some(Err(e)) => return Err(e),
    };
    let canonical = Spec::from_query(&query).ok().map(|s| s.to_query());
    let key_charts: Vec<serde_json::Value> = result
        .as_ref()
        .map(|a| {
            a.comparison
                .rows
                .iter()
                .filter_map(|r| {
                    let svg = a.comparison.chart(r)?;
                    Some(json!({ "code": r.code, "title": r.title, "svg": svg }))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((
        status,
        render(
            "compare",
            Some(signed),
            json!({
                "demo": p.is_demo,
                "programme": { "code": p.code, "name": p.name },
                "form": {
                    "sides": query.sides,
                    "split": query.split.clone().unwrap_or_else(|| "none".into()),
                    "a": query.a,
                    "b": query.b,
                    "common": query.common.unwrap_or(false),
                    "through": query.through,
                },
                "error": error,
                "name_error": name_error,
                "flash": flash,
                "query": canonical,
                "result": result.as_ref().map(|a| &a.comparison),
                "charts": key_charts,
                "counties": result.as_ref().and_then(|a| a.counties.as_ref()),
                "suggestions": suggestions.iter().map(|(label, q)| json!({ "label": label, "query": q })).collect::<Vec<_>>(),
                "saved": saved.map(|s| json!({ "id": s.id, "name": s.name, "by": s.created_by.and_then(|u| names.get(&u).cloned()).unwrap_or_default(), "on": format::date(s.created_at.date()) })),
                "saved_list": saved_list.iter().map(|s| json!({ "id": s.id, "name": s.name, "by": s.created_by.and_then(|u| names.get(&u).cloned()).unwrap_or_default(), "on": format::date(s.created_at.date()) })).collect::<Vec<_>>(),
                "phases": phases,
                "export_note": super::programme::EXPORT_NOTE,
            }),
        ),
    ))
}

#[rocket::get("/programmes/<code>/compare?<query..>")]
pub async fn compare_page(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    query: CompareQuery,
) -> AppResult<(Status, Template)> {
    let query = Query::from(query);
    let p = super::programme_for(db, signed, code, Permission::Export).await?;
    page(
        db,
        signed,
        PageInput {
            programme: p,
            query,
            saved: None,
            name_error: None,
            flash: None,
        },
    )
    .await
}

#[rocket::get("/programmes/<code>/compare.csv?<query..>")]
pub async fn compare_csv(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    query: CompareQuery,
) -> AppResult<CsvFile> {
    let query = Query::from(query);
    let p = super::programme_for(db, signed, code, Permission::Export).await?;
    let spec = Spec::from_query(&query)?;
    let (access, today, pcode) = (signed.access.clone(), crate::clock::today(), p.code.clone());
    let answer = db
        .run(move |c| compare::answer(c, &access, &p, spec, None, today, Audience::Partners))
        .await?;
    let bytes = export::csv(&answer.comparison)?;
    Ok(CsvFile {
        name: format!("{pcode}-comparison.csv"),
        body: String::from_utf8(bytes)
            .map_err(|e| AppError::Internal(format!("comparison CSV not UTF-8: {e}")))?,
    })
}

#[derive(FromForm)]
pub struct SaveForm {
    name: String,
    query: String,
}

#[rocket::post("/programmes/<code>/compare/save", data = "<form>")]
pub async fn save(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<SaveForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let p = super::programme_for(db, signed, code, Permission::Export).await?;
    let f = form.0;
    let spec = Spec::from_saved(&f.query)?;
    let (who, access, today, prog) = (
        signed.actor(),
        signed.access.clone(),
        crate::clock::today(),
        p.clone(),
    );
    let (name, again) = (f.name.clone(), spec.clone());
    let outcome = db
        .run(move |c| compare::save(c, &access, &prog, &name, again, &who, today))
        .await;
    match outcome {
        Ok(id) => Ok(Ok(Flash::success(
            Redirect::to(format!("/comparisons/{id}")),
            "Comparison saved. Share this page's address with colleagues who have access to the programme.",
        ))),
        Err(AppError::Invalid { field, message }) => {
            let (_, t) = page(
                db,
                signed,
                PageInput {
                    programme: p,
                    query: spec.to_form(),
                    saved: None,
                    name_error: Some(format!(
                        "{}{message}",
                        field.map(|f| format!("{f}: ")).unwrap_or_default()
                    )),
                    flash: None,
                },
            )
            .await?;
            Ok(Err((Status::UnprocessableEntity, t)))
        }
        Err(e) => Err(e),
    }
}

/// A saved comparison: the same page, under its name, at a link colleagues can open.
#[rocket::get("/comparisons/<id>?<indicator>")]
pub async fn show_saved(
    db: &State<Db>,
    signed: &Signed,
    id: i32,
    indicator: Option<String>,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> AppResult<(Status, Template)> {
    let found = db.run(move |c| saved::by_id(c, id)).await?;
    let missing = || {
        AppError::not_found(
            "There is no saved comparison with this number, or it is not one you may see.",
        )
    };
    let s = found.ok_or_else(missing)?;
    let pid = s.programme_id;
    let p = db
        .run(move |c| Ok(programme::all(c)?.into_iter().find(|p| p.id == pid)))
        .await?
        .ok_or_else(missing)?;
    // The same answer as the programme's own comparison page: 404 to those who may not
    // see the programme, 403 to those whose role has no comparisons.
    let p = super::programme_for(db, signed, &p.code, Permission::Export).await?;
    let spec = Spec::from_saved(&s.query)?;
    let mut query = spec.to_form();
    query.indicator = indicator;
    let (status, template) = page(
        db,
        signed,
        PageInput {
            programme: p,
            query,
            saved: Some(s),
            name_error: None,
            flash: flash.map(|f| f.message().to_string()),
        },
    )
    .await?;
    Ok((status, template))
}
