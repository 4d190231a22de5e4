//! A programme's DHIS2 mappings by API: every mappable item with its code and UID (or
//! the default) and the set's version; and the whole set replaced from the version read,
//! through the same service as the mapping page and the mapping CSV
//! (`crate::dhis2::mapping::save`): checked whole, written whole or not at all, audited.

use rocket::serde::json::{json, Json, Value};
use rocket::State;
use serde_json::Map;

use super::records::require;
use super::setup::{bad, in_programme, json_kind, object};
use super::{ApiError, ApiResult, Body};
use crate::auth::ApiClient;
use crate::db::Db;
use crate::dhis2::mapping::{self, Input, MappingSaved, Mappings, KINDS};
use crate::domain::access::Permission;

/// The set as the API shows it.
fn set_json(m: &Mappings) -> Value {
    let items: Vec<Value> = m
        .items
        .iter()
        .map(|i| {
            let ids = i.ids();
            json!({
                "kind": i.kind, "item": i.item, "label": i.label,
                "code": i.mapped.code, "uid": i.mapped.uid,
                "default_code": i.default.code, "default_uid": i.default.uid,
                "mapped": !(ids.code.is_empty() && ids.uid.is_empty()),
            })
        })
        .collect();
    json!({ "programme": m.programme.code, "version": m.version, "mappings": items })
}

/// Every mappable item of the programme (indicators, counties, the total and each part,
/// the programme, ADX categories and options) with its stored code and UID, its default,
/// and whether an exchange can name it; and the set's version.
#[rocket::get("/programmes/<code>/dhis2/mappings")]
pub async fn mappings(db: &State<Db>, client: ApiClient, code: &str) -> ApiResult<Json<Value>> {
    in_programme(db, &client, code, Permission::ViewDetail, |c, _, p| {
        Ok(Ok(set_json(&Mappings::load(c, p)?)))
    })
    .await
    .map(Json)
}

type Problems = Vec<(String, Option<usize>, String)>;

/// One text field of an item: absent or null is empty; anything but text is a problem.
fn text(item: &Map<String, Value>, key: &str, at: usize, problems: &mut Problems) -> String {
    match item.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            problems.push((
                format!("mappings[{at}].{key}"),
                Some(at),
                format!("give {key} as text, not {}", json_kind(other)),
            ));
            String::new()
        }
    }
}

/// The items of the body, or each problem of their shape.
fn inputs(m: &Map<String, Value>) -> ApiResult<Vec<Input>> {
    let items = match m.get("mappings") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => {
            return Err(bad(
                "mappings",
                "give the whole set as \"mappings\": [{\"kind\": \"data_element\", \"item\": \"LBP-1.1\", \"code\": \"…\", \"uid\": \"…\"}, …] (items left out are cleared); nothing was saved",
            ))
        }
        Some(other) => {
            return Err(bad(
                "mappings",
                format!("give the mappings as a list, not {}", json_kind(other)),
            ))
        }
    };
    let mut problems = Problems::new();
    let mut out = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let Value::Object(o) = item else {
            problems.push((
                format!("mappings[{n}]"),
                Some(n),
                format!("give each mapping as an object, not {}", json_kind(item)),
            ));
            continue;
        };
        let kind = match o.get("kind") {
            Some(Value::String(k)) if KINDS.iter().any(|(x, _)| x == k) => k.clone(),
            other => {
                problems.push((
                    format!("mappings[{n}].kind"),
                    Some(n),
                    format!(
                        "{} is not a kind of mapping: use {}",
                        other.map_or("nothing".to_string(), |v| v.to_string()),
                        KINDS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
                    ),
                ));
                String::new()
            }
        };
        let input = Input {
            at: format!("mappings[{n}]"),
            kind,
            item: text(o, "item", n, &mut problems),
            code: text(o, "code", n, &mut problems),
            uid: text(o, "uid", n, &mut problems),
        };
        out.push(input);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Problems(problems))
    }
}

/// The version read: a whole number, 0 for a set never saved.
fn version(m: &Map<String, Value>) -> ApiResult<i32> {
    match m.get("version") {
        None | Some(Value::Null) => Err(bad(
            "version",
            "give the version of the set you read (GET …/dhis2/mappings gives it, e.g. \"version\": 3); nothing was saved",
        )),
        Some(v) => super::whole_number::<i32>(v)
            .filter(|v| *v >= 0)
            .ok_or_else(|| {
                bad(
                    "version",
                    format!("{v} is not a version: give the whole number you read"),
                )
            }),
    }
}

/// Replaces the whole set from the version read: items left out, or sent with an empty
/// code and UID, are cleared (back to their default, if they have one). Every problem
/// names the item and field (`mappings[2].uid`) and nothing is written; a set changed
/// since answers 409 with `current`.
#[rocket::put("/programmes/<code>/dhis2/mappings", format = "json", data = "<body>")]
pub async fn set_mappings(
    db: &State<Db>,
    client: ApiClient,
    code: &str,
    body: Body<'_>,
) -> ApiResult<Json<Value>> {
    require(db, &client, code, Permission::Setup).await?;
    let m = object(body)?;
    let version = version(&m)?;
    let inputs = inputs(&m)?;
    in_programme(db, &client, code, Permission::Setup, move |c, who, p| {
        let named: Vec<String> = inputs
            .iter()
            .map(|i| {
                let item = if i.item.trim().is_empty() {
                    "(total/programme)"
                } else {
                    i.item.trim()
                };
                format!("{} {item}", i.kind)
            })
            .collect();
        let saved = mapping::save(c, who, p, version, &inputs, true, crate::clock::now())?;
        Ok(match saved {
            MappingSaved::Done { changes, .. } => {
                let mut v = set_json(&Mappings::load(c, p)?);
                v["changes"] = json!(changes);
                Ok(v)
            }
            MappingSaved::Invalid(problems) => Err(ApiError::Problems(
                problems
                    .into_iter()
                    .map(|pr| {
                        let index = pr
                            .at
                            .strip_prefix("mappings[")
                            .and_then(|s| s.strip_suffix(']'))
                            .and_then(|s| s.parse::<usize>().ok());
                        match index {
                            Some(n) => (
                                format!("mappings[{n}].{}", pr.field),
                                Some(n),
                                format!(
                                    "{}: {}",
                                    named.get(n).map_or("", String::as_str),
                                    pr.message
                                ),
                            ),
                            None => (pr.field, None, pr.message),
                        }
                    })
                    .collect(),
            )),
            MappingSaved::Stale { version, by, at } => Err(ApiError::Stale {
                message: format!(
                    "{}; `current` holds the set as it is now",
                    mapping::stale_message(version, &by, at)
                ),
                current: set_json(&Mappings::load(c, p)?),
            }),
        })
    })
    .await
    .map(Json)
}
