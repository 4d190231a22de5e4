//! Budget lines: an amount per output (or one of its activities) per Kenyan fiscal
//! year, in the programme's currency.

use rocket::http::Status;
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::page::{refused, with_problem};
use super::{
    back, conflict, errors_json, fields_from, for_setup, form_page, said, version_of, Page,
};
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::period::Period;
use crate::domain::setup::{fiscal_year_label, parse_fiscal_year, BudgetFields};
use crate::error::AppResult;
use crate::models::programme::Programme;
use crate::models::{activity, budget, framework};
use crate::setup::{self, Saved};
use crate::web::guard::{CsrfForm, RawFields};

const LABELS: &[(&str, &str)] = &[
    ("output", "Output"),
    ("activity", "Activity"),
    ("fiscal_year", "Fiscal year"),
    ("amount", "Amount"),
    ("description", "Description"),
];

async fn choices(db: &Db, p: &Programme) -> AppResult<Value> {
    let (pid, start, end) = (p.id, p.start_date, p.end_date);
    db.run(move |c| {
        let results = framework::results_of(c, pid)?;
        let outputs: Vec<Value> = results
            .iter()
            .filter(|r| r.level == "output" && !r.archived)
            .map(|r| json!({ "code": r.code, "label": format!("{} — {}", r.code, r.statement.chars().take(60).collect::<String>()) }))
            .collect();
        let activities: Vec<Value> = activity::of_programme(c, pid)?
            .iter()
            .map(|a| {
                let under = a.result_id.and_then(|id| results.iter().find(|r| r.id == id)).map(|r| r.code.as_str()).unwrap_or("no output");
                json!({ "code": a.code, "label": format!("{} — {} (under {under})", a.code, a.title.chars().take(50).collect::<String>()) })
            })
            .collect();
        let mut years = Vec::new();
        let mut fy = Period::kenyan_fy_containing(start);
        while fy.start() <= end {
            years.push(json!({ "code": fy.id(), "label": fiscal_year_label(&fy) }));
            fy = fy.next();
        }
        Ok(json!({ "outputs": outputs, "activities": activities, "years": years }))
    })
    .await
}

/// The fiscal year as the select holds it ("2025July"), whatever was typed.
fn typed(f: &BudgetFields) -> Value {
    let mut v = json!(f);
    if let Ok(p) = parse_fiscal_year(&f.fiscal_year) {
        v["fiscal_year"] = json!(p.id());
    }
    v
}

async fn page(
    db: &Db,
    signed: &Signed,
    p: &Programme,
    id: Option<i32>,
    f: Value,
    extra: Value,
) -> AppResult<Template> {
    let action = match id {
        Some(id) => format!("/programmes/{}/setup/budget/{id}", p.code),
        None => format!("/programmes/{}/setup/budget", p.code),
    };
    let mut own =
        json!({ "f": f, "choices": choices(db, p).await?, "action": action, "new": id.is_none() });
    if let (Value::Object(m), Value::Object(x)) = (&mut own, extra) {
        m.extend(x);
    }
    Ok(form_page("setup_budget", signed, p, own))
}

async fn stored(db: &Db, p: &Programme, id: i32) -> AppResult<Value> {
    let prog = p.clone();
    db.run(move |c| {
        let line = budget::find(c, prog.id, id)?;
        let (l, f) = setup::budget::fields_of(c, &prog, &[line])?
            .pop()
            .ok_or_else(|| {
                crate::error::AppError::not_found("This programme has no such budget line.")
            })?;
        let mut v = json!(f);
        v["version"] = json!(l.version);
        Ok(v)
    })
    .await
}

#[rocket::get("/programmes/<code>/setup/budget/new?<output>")]
pub async fn new(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    output: Option<&str>,
) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let this_year =
        Period::kenyan_fy_containing(crate::clock::today().clamp(p.start_date, p.end_date));
    let f = json!(BudgetFields {
        output: output.unwrap_or("").into(),
        fiscal_year: this_year.id(),
        ..Default::default()
    });
    page(db, signed, &p, None, f, json!({})).await
}

#[rocket::get("/programmes/<code>/setup/budget/<id>", rank = 2)]
pub async fn edit(db: &State<Db>, signed: &Signed, code: &str, id: i32) -> AppResult<Template> {
    let p = for_setup(db, signed, code).await?;
    let f = stored(db, &p, id).await?;
    page(db, signed, &p, Some(id), f, json!({})).await
}

async fn post(db: &Db, signed: &Signed, code: &str, id: Option<i32>, raw: RawFields) -> Page {
    let p = for_setup(db, signed, code).await?;
    let existing = match id {
        Some(id) => Some((id, version_of(&raw)?)),
        None => None,
    };
    let fields: BudgetFields = fields_from(&raw, &[])?;
    let (actor, prog, f) = (signed.actor(), p.clone(), fields.clone());
    let saved = db
        .run(move |c| setup::budget::save(c, &actor, &prog, existing, &f))
        .await?;
    let mut mine = typed(&fields);
    match saved {
        Saved::Done(d) => {
            let year = parse_fiscal_year(&fields.fiscal_year)
                .map(|y| fiscal_year_label(&y))
                .unwrap_or_default();
            let what = format!(
                "Budget line {}{} {year}",
                fields.output.trim(),
                if fields.activity.trim().is_empty() {
                    String::new()
                } else {
                    format!(" / {}", fields.activity.trim())
                }
            );
            Ok(Ok(back(&p, "budget", said(&what, &d))))
        }
        Saved::Invalid(e) => {
            mine["version"] = json!(existing.map(|e| e.1));
            let t = page(
                db,
                signed,
                &p,
                id,
                mine,
                json!({ "errors": errors_json(&e) }),
            )
            .await?;
            Ok(Err((Status::UnprocessableEntity, t)))
        }
        Saved::Stale(theirs) => {
            let theirs_f = stored(db, &p, theirs.id).await?;
            let c = conflict(db, "budget_line", theirs.id, LABELS, &theirs_f, &mine).await;
            mine["version"] = json!(theirs.version);
            let t = page(db, signed, &p, id, mine, json!({ "conflict": c })).await?;
            Ok(Err((Status::Conflict, t)))
        }
    }
}

#[rocket::post("/programmes/<code>/setup/budget", data = "<form>")]
pub async fn create(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    form: CsrfForm<RawFields>,
) -> Page {
    post(db, signed, code, None, form.0).await
}

#[rocket::post("/programmes/<code>/setup/budget/<id>", data = "<form>")]
pub async fn update(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    post(db, signed, code, Some(id), form.0).await
}

#[rocket::post("/programmes/<code>/setup/budget/<id>/delete", data = "<form>")]
pub async fn delete(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    id: i32,
    form: CsrfForm<RawFields>,
) -> Page {
    let p = for_setup(db, signed, code).await?;
    let version = version_of(&form.0)?;
    let (actor, prog) = (signed.actor(), p.clone());
    let saved = db
        .run(move |c| setup::budget::delete(c, &actor, &prog, id, version))
        .await?;
    let key = format!("budget-{id}");
    match saved {
        Saved::Done(_) => Ok(Ok(back(
            &p,
            "budget",
            "The budget line was removed.".into(),
        ))),
        Saved::Invalid(e) => Ok(Err(refused(db, signed, code, key, e).await?)),
        Saved::Stale(theirs) => {
            let (by, at) = super::last_change(db, "budget_line", theirs.id).await;
            let message = format!("{by} changed this budget line on {at}, after you loaded this page; look at it as it is now before removing it.");
            Ok(Err(with_problem(
                db,
                signed,
                code,
                Status::Conflict,
                key,
                message,
            )
            .await?))
        }
    }
}
