//! The audit log for the administrator: filtered by who, programme, action and dates,
//! a page of entries at a time (newest first), and the same selection as CSV.

use chrono::NaiveDate;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use super::csv::CsvFile;
use super::view::render;
use crate::db::Db;
use crate::domain::change;
use crate::error::AppResult;
use crate::models::audit::{self, AuditEntry, Filter};
use crate::models::programme;
use crate::web::guard::Admin;

/// Entries per page.
const PAGE: i64 = 100;

/// The filter as typed: every field optional, dates as `YYYY-MM-DD`.
#[derive(Debug, Default, FromForm)]
pub struct AuditQuery {
    who: Option<String>,
    programme: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// The id of the last entry on the previous page.
    before: Option<i32>,
}

/// The filter the query asks for, or what is wrong with it, by field.
fn filter_of(
    q: &AuditQuery,
    programmes: &[programme::Programme],
) -> Result<Filter, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let mut date = |field: &'static str, text: &Option<String>| -> Option<NaiveDate> {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push((
                    field,
                    format!("\"{text}\" is not a date: write it as 2026-03-31"),
                ));
                None
            }
        }
    };
    let (from, to) = (date("from", &q.from), date("to", &q.to));
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            problems.push(("to", "the end date is before the start date".to_string()));
        }
    }
    let text = |t: &Option<String>| {
        t.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let programme_id = match text(&q.programme) {
        None => None,
        Some(code) => match programmes.iter().find(|p| p.code == code) {
            Some(p) => Some(p.id),
            None => {
                problems.push(("programme", format!("there is no programme {code}")));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Filter {
        who: text(&q.who),
        programme_id,
        action: text(&q.action),
        from,
        to,
    })
}

/// The query string for `q` without its page, to build the other links from.
fn query_string(q: &AuditQuery) -> String {
    let fields = [
        ("who", &q.who),
        ("programme", &q.programme),
        ("action", &q.action),
        ("from", &q.from),
        ("to", &q.to),
    ];
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

fn change_in_words(e: &AuditEntry) -> (String, Option<String>) {
    // The log does not know each value's unit: numbers as they were stored.
    let (parts, reason) =
        change::describe(e.before_json.as_deref(), e.after_json.as_deref(), &|v| {
            format!("{v}")
        });
    (parts.join("; "), reason)
}

#[rocket::get("/admin/audit?<q..>")]
pub async fn page(
    db: &State<Db>,
    admin: Admin<'_>,
    q: AuditQuery,
) -> AppResult<(Status, Template)> {
    let (programmes, actions) = db
        .run(|c| Ok((programme::all(c)?, audit::actions(c)?)))
        .await?;
    let filter = filter_of(&q, &programmes);
    let (entries, total) = match &filter {
        Ok(f) => {
            let (f, before) = (f.clone(), q.before);
            db.run(move |c| {
                Ok((
                    audit::search(c, &f, before, PAGE)?,
                    audit::count_matching(c, &f)?,
                ))
            })
            .await?
        }
        Err(_) => (Vec::new(), 0),
    };
    let names: std::collections::HashMap<i32, &str> =
        programmes.iter().map(|p| (p.id, p.code.as_str())).collect();
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let (what, reason) = change_in_words(e);
            json!({
                "at": e.at.format("%Y-%m-%d %H:%M:%S").to_string(), "actor": e.actor,
                "action": e.action, "entity": e.entity, "entity_id": e.entity_id,
                "programme": e.programme_id.and_then(|id| names.get(&id).copied()),
                "detail": e.detail, "what": what, "reason": reason,
            })
        })
        .collect();
    let base = query_string(&q);
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten()
        .map(|id| {
            format!(
                "?{base}{}before={id}",
                if base.is_empty() { "" } else { "&" }
            )
        });
    let problems: Vec<Value> = filter
        .as_ref()
        .err()
        .map(|ps| {
            ps.iter()
                .map(|(field, message)| json!({ "field": field, "message": message }))
                .collect()
        })
        .unwrap_or_default();
    let status = if problems.is_empty() {
        Status::Ok
    } else {
        Status::UnprocessableEntity
    };
    Ok((
        status,
        render(
            "admin_audit",
            Some(admin.0),
            json!({
                "entries": rows,
                "total": total,
                "paged": q.before.is_some(),
                "older": older,
                "newest": format!("?{base}"),
                "csv": format!("/admin/audit.csv?{base}"),
                "problems": problems,
                "q": {
                    "who": q.who, "programme": q.programme, "action": q.action,
                    "from": q.from, "to": q.to,
                },
                "programmes": programmes.iter().map(|p| json!({ "code": p.code, "name": p.name })).collect::<Vec<_>>(),
                "actions": actions,
            }),
        ),
    ))
}

/// Every entry the filter selects, oldest first, with its snapshots as recorded and
/// the change in words.
#[rocket::get("/admin/audit.csv?<q..>")]
pub async fn export(
    db: &State<Db>,
    _admin: Admin<'_>,
    q: AuditQuery,
) -> AppResult<Result<CsvFile, (Status, String)>> {
    let programmes = db.run(programme::all).await?;
    let filter = match filter_of(&q, &programmes) {
        Ok(f) => f,
        Err(problems) => {
            let text = problems
                .iter()
                .map(|(field, m)| format!("{field}: {m}"))
                .collect::<Vec<_>>()
                .join("\n");
            return Ok(Err((Status::UnprocessableEntity, text)));
        }
    };
    let entries = db
        .run(move |c| audit::search(c, &filter, None, i64::MAX))
        .await?;
    let codes: std::collections::HashMap<i32, String> =
        programmes.into_iter().map(|p| (p.id, p.code)).collect();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "at_utc",
        "actor",
        "action",
        "programme",
        "record",
        "record_id",
        "detail",
        "change",
        "reason",
        "before_json",
        "after_json",
    ];
    let write_error =
        |e: ::csv::Error| crate::error::AppError::Internal(format!("writing the audit CSV: {e}"));
    w.write_record(header).map_err(write_error)?;
    for e in entries.iter().rev() {
        let (what, reason) = change_in_words(e);
        w.write_record([
            e.id.to_string(),
            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            e.actor.clone(),
            e.action.clone(),
            e.programme_id
                .and_then(|id| codes.get(&id).cloned())
                .unwrap_or_default(),
            e.entity.clone(),
            e.entity_id.map(|i| i.to_string()).unwrap_or_default(),
            e.detail.clone(),
            what,
            reason.unwrap_or_default(),
            e.before_json.clone().unwrap_or_default(),
            e.after_json.clone().unwrap_or_default(),
        ])
        .map_err(write_error)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| crate::error::AppError::Internal(format!("writing the audit CSV: {e}")))?;
    Ok(Ok(CsvFile {
        name: format!("mipaka-audit-{}.csv", crate::clock::today()),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: &str, to: &str) -> AuditQuery {
        AuditQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            ..Default::default()
        }
    }

    #[test]
    fn dates_are_checked_and_named_by_field() {
        let f = filter_of(&q("2026-01-01", "2026-03-31"), &[]).unwrap();
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        let e = filter_of(&q("1/1/2026", ""), &[]).unwrap_err();
        assert_eq!(e[0].0, "from");
        assert!(e[0].1.contains("not a date"), "{:?}", e);
        let e = filter_of(&q("2026-04-01", "2026-03-31"), &[]).unwrap_err();
        assert_eq!(e[0].0, "to");
        let unknown = AuditQuery {
            programme: Some("NOPE".into()),
            ..Default::default()
        };
        assert_eq!(filter_of(&unknown, &[]).unwrap_err()[0].0, "programme");
    }

    #[test]
    fn the_links_keep_the_filter() {
        let query = AuditQuery {
            who: Some("Amina H".into()),
            action: Some("value_approved".into()),
            ..Default::default()
        };
        assert_eq!(query_string(&query), "who=Amina+H&action=value_approved");
        assert_eq!(query_string(&<AuditQuery as Default>::default()), "");
    }
}
