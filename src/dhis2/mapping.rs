//! A programme's DHIS2 mappings: what can be mapped, what is, the lookups an exchange
//! uses (with the defaults: a county's KNBS code as its org unit code, DHIS2's `default`
//! category option combo for totals), and changing them — from the page, the API or a
//! CSV file, each checked whole and written whole or not at all, every change audited.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use serde_json::json;

use crate::csvio;
use crate::db::DbConn;
use crate::domain::dhis2::{code_problem, is_uid, IdScheme, DEFAULT_COC_CODE, DEFAULT_COC_UID};
use crate::error::{AppError, AppResult};
use crate::models::audit::{self, Actor};
use crate::models::programme::Programme;
use crate::models::{category, dhis2 as store, framework, location, programme, user};

/// The kinds of mapping, in the order pages and files list them, with their labels.
pub const KINDS: [(&str, &str); 6] = [
    ("data_element", "Indicator → data element"),
    ("org_unit", "County → organisation unit"),
    ("coc", "Total or part → category option combo"),
    ("aoc", "Programme → attribute option combo"),
    ("adx_category", "ADX: category code"),
    ("adx_option", "ADX: category option code"),
];

/// Header of the mapping CSV (download and upload).
pub const CSV_HEADERS: [&str; 5] = ["kind", "item", "label", "code", "uid"];

/// A code and/or UID. Empty text means "none".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Ids {
    pub code: String,
    pub uid: String,
}

impl Ids {
    pub fn get(&self, s: IdScheme) -> Option<&str> {
        let v = match s {
            IdScheme::Code => &self.code,
            IdScheme::Uid => &self.uid,
        };
        Some(v.as_str()).filter(|v| !v.is_empty())
    }
}

/// One thing that can be mapped, with its mapping (explicit or default).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    pub kind: &'static str,
    pub item: String,
    pub label: String,
    /// As stored (empty when not mapped).
    pub mapped: Ids,
    /// What is used when nothing is stored.
    pub default: Ids,
}

impl Item {
    pub fn ids(&self) -> Ids {
        if self.mapped.code.is_empty() && self.mapped.uid.is_empty() {
            self.default.clone()
        } else {
            self.mapped.clone()
        }
    }
}

/// Everything a programme's exchange needs to know about its names in DHIS2.
#[derive(Debug, Clone)]
pub struct Mappings {
    pub programme: Programme,
    pub items: Vec<Item>,
    pub version: i32,
    /// (kind, item) → index into `items`.
    index: HashMap<(&'static str, String), usize>,
}

impl Mappings {
    pub fn load(conn: &mut DbConn, programme: &Programme) -> AppResult<Mappings> {
        let stored = store::of_programme(conn, programme.id)?;
        let (version, _, _) = store::version_of(conn, programme.id)?;
        let mut items = Vec::new();
        for i in framework::active_indicators_of(conn, programme.id)? {
            items.push(item(
                "data_element",
                &i.code,
                &format!("{} {}", i.code, i.title),
                Ids::default(),
            ));
        }
        let mut counties: BTreeMap<String, String> = BTreeMap::new();
        for ph in programme::phases_of(conn, programme.id)? {
            for c in ph.counties {
                counties.insert(c.code, c.name);
            }
        }
        for (code, name) in &counties {
            items.push(item(
                "org_unit",
                code,
                name,
                Ids {
                    code: code.clone(),
                    uid: String::new(),
                },
            ));
        }
        let cats = category::of_programme(conn, programme.id)?;
        items.push(item(
            "coc",
            "",
            "Total (no disaggregation)",
            Ids {
                code: DEFAULT_COC_CODE.into(),
                uid: DEFAULT_COC_UID.into(),
            },
        ));
        for (cat, opts) in &cats {
            for o in opts {
                let key = format!("{}={}", cat.code, o.code);
                items.push(item(
                    "coc",
                    &key,
                    &format!("{}: {}", cat.label, o.label),
                    Ids::default(),
                ));
            }
        }
        items.push(item(
            "aoc",
            "",
            &format!("{} {}", programme.code, programme.name),
            Ids::default(),
        ));
        for (cat, _) in &cats {
            items.push(item("adx_category", &cat.code, &cat.label, Ids::default()));
        }
        for (cat, opts) in &cats {
            for o in opts {
                let key = format!("{}={}", cat.code, o.code);
                items.push(item(
                    "adx_option",
                    &key,
                    &format!("{}: {}", cat.label, o.label),
                    Ids::default(),
                ));
            }
        }
        let mut index = HashMap::new();
        for (n, it) in items.iter().enumerate() {
            index.insert((it.kind, it.item.clone()), n);
        }
        for row in stored {
            if let Some(k) = kind_of(&row.kind) {
                if let Some(n) = index.get(&(k, row.item.clone())) {
                    items[*n].mapped = Ids {
                        code: row.code,
                        uid: row.uid,
                    };
                }
            }
        }
        Ok(Mappings {
            programme: programme.clone(),
            items,
            version,
            index,
        })
    }

    pub fn get(&self, kind: &str, item: &str) -> Option<&Item> {
        let k = kind_of(kind)?;
        self.index
            .get(&(k, item.to_string()))
            .map(|n| &self.items[*n])
    }

    /// The DHIS2 identifier of an item in a scheme (mapped, or the default).
    pub fn id(&self, kind: &str, item: &str, scheme: IdScheme) -> Option<String> {
        self.get(kind, item)?.ids().get(scheme).map(str::to_string)
    }

    /// The item of `kind` called `id` in `scheme` (for an import).
    pub fn find(&self, kind: &str, id: &str, scheme: IdScheme) -> Option<&Item> {
        let id = id.trim();
        self.items
            .iter()
            .filter(|i| i.kind == kind)
            .find(|i| i.ids().get(scheme).is_some_and(|x| x == id))
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.kind == kind)
    }

    /// The mapping CSV: every item, mapped or not (so it is the template too).
    pub fn csv(&self) -> String {
        csvio::write(
            &CSV_HEADERS,
            self.items.iter().map(|i| {
                vec![
                    i.kind.to_string(),
                    i.item.clone(),
                    i.label.clone(),
                    i.mapped.code.clone(),
                    i.mapped.uid.clone(),
                ]
            }),
        )
    }
}

fn item(kind: &'static str, key: &str, label: &str, default: Ids) -> Item {
    Item {
        kind,
        item: key.to_string(),
        label: label.to_string(),
        mapped: Ids::default(),
        default,
    }
}

fn kind_of(s: &str) -> Option<&'static str> {
    KINDS.iter().map(|(k, _)| *k).find(|k| *k == s.trim())
}

/// One mapping as sent: `at` says where it came from ("line 4", "mappings[2]").
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub at: String,
    pub kind: String,
    pub item: String,
    pub code: String,
    pub uid: String,
}

/// A problem with one input: where, which field, what.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    pub at: String,
    pub field: String,
    pub message: String,
}

#[derive(Debug)]
pub enum MappingSaved {
    Done {
        version: i32,
        changes: usize,
    },
    Invalid(Vec<Problem>),
    /// Someone changed the mappings after `version` was read: who, when, and the version now.
    Stale {
        version: i32,
        by: String,
        at: Option<NaiveDateTime>,
    },
}

/// Checks every input and, when all are right and the set is still at `base_version`,
/// writes the changes in one transaction with an audit row each. With `replace_all`,
/// mappings not among the inputs are removed (the page and the API send the whole set);
/// otherwise only the items sent change (a CSV file). A code and UID both empty clears
/// an item's mapping (back to its default, if it has one).
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    p: &Programme,
    base_version: i32,
    inputs: &[Input],
    replace_all: bool,
    now: NaiveDateTime,
) -> AppResult<MappingSaved> {
    crate::entry::require_open(p)?;
    crate::db::write(conn, |conn| {
        let m = Mappings::load(conn, p)?;
        let counties = location::counties(conn)?;
        let mut problems = Vec::new();
        let mut wanted: BTreeMap<(&'static str, String), (Ids, String)> = BTreeMap::new();
        for input in inputs {
            let bad = |field: &str, message: String| Problem {
                at: input.at.clone(),
                field: field.to_string(),
                message,
            };
            let Some(kind) = kind_of(&input.kind) else {
                problems.push(bad(
                    "kind",
                    format!(
                        "'{}' is not a kind of mapping: use {}",
                        input.kind,
                        KINDS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
                    ),
                ));
                continue;
            };
            let typed = input.item.trim();
            let key = match kind {
                "data_element" => m
                    .of_kind(kind)
                    .find(|i| i.item.eq_ignore_ascii_case(typed))
                    .map(|i| i.item.clone()),
                "org_unit" => location::find_county(&counties, typed)
                    .map(|c| c.code.clone())
                    .filter(|c| m.get(kind, c).is_some()),
                _ => m.get(kind, typed).map(|i| i.item.clone()),
            };
            let Some(key) = key else {
                let what = match kind {
                    "data_element" => format!("'{typed}' is not an indicator of {}", p.code),
                    "org_unit" => format!("'{typed}' is not a county of {}'s phases (give its code, e.g. 023, or name)", p.code),
                    "coc" | "adx_option" => format!("'{typed}' is not a part of {} (write it as category=option, e.g. sex=female; empty for the total)", p.code),
                    "aoc" => "the programme's attribute option combo has an empty item".into(),
                    _ => format!("'{typed}' is not a disaggregation category of {}", p.code),
                };
                problems.push(bad("item", what));
                continue;
            };
            let (code, uid) = (input.code.trim().to_string(), input.uid.trim().to_string());
            // An empty code clears (the page and the API send every item, mapped or not).
            if let Some(why) = Some(&code)
                .filter(|c| !c.is_empty())
                .and_then(|c| code_problem(c, kind == "adx_category"))
            {
                problems.push(bad("code", format!("'{code}': {why}")));
            }
            if kind.starts_with("adx_") && !uid.is_empty() {
                problems.push(bad(
                    "uid",
                    "ADX names categories and options by code: leave the UID empty".into(),
                ));
            } else if !uid.is_empty() && !is_uid(&uid) {
                problems.push(bad("uid", format!("'{uid}' is not a DHIS2 UID (11 letters and digits, a letter first, e.g. {DEFAULT_COC_UID})")));
            }
            if let Some((_, first)) = wanted.get(&(kind, key.clone())) {
                problems.push(bad(
                    "item",
                    format!("{kind} '{key}' is given twice (first at {first})"),
                ));
                continue;
            }
            wanted.insert((kind, key), (Ids { code, uid }, input.at.clone()));
        }
        // The set after the change, for the uniqueness check.
        let mut after: BTreeMap<(&'static str, String), Ids> = BTreeMap::new();
        for it in &m.items {
            let sent = wanted.get(&(it.kind, it.item.clone()));
            let ids = match sent {
                Some((ids, _)) => ids.clone(),
                None if replace_all => Ids::default(),
                None => it.mapped.clone(),
            };
            let effective = if ids.code.is_empty() && ids.uid.is_empty() {
                it.default.clone()
            } else {
                ids
            };
            after.insert((it.kind, it.item.clone()), effective);
        }
        let mut seen: HashMap<(&str, &str, String), String> = HashMap::new();
        for ((kind, key), ids) in &after {
            for (field, v) in [("code", &ids.code), ("uid", &ids.uid)] {
                if v.is_empty() || kind.starts_with("adx_option") {
                    continue;
                }
                if let Some(other) = seen.insert((kind, field, v.clone()), key.clone()) {
                    let at = wanted
                        .get(&(*kind, key.clone()))
                        .or_else(|| wanted.get(&(*kind, other.clone())))
                        .map(|w| w.1.clone())
                        .unwrap_or_default();
                    problems.push(Problem {
                        at,
                        field: field.into(),
                        message: format!("{kind} '{}' and '{}' would both be {field} '{v}': an exchange could not tell them apart", display(&other), display(key)),
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Ok(MappingSaved::Invalid(problems));
        }
        let stored: HashMap<(String, String), store::MappingRow> = store::of_programme(conn, p.id)?
            .into_iter()
            .map(|r| ((r.kind.clone(), r.item.clone()), r))
            .collect();
        let mut changes = Vec::new();
        for it in &m.items {
            let now_ids = match wanted.get(&(it.kind, it.item.clone())) {
                Some((ids, _)) => ids.clone(),
                None if replace_all => Ids::default(),
                None => continue,
            };
            let row = stored.get(&(it.kind.to_string(), it.item.clone()));
            let before = row
                .map(|r| Ids {
                    code: r.code.clone(),
                    uid: r.uid.clone(),
                })
                .unwrap_or_default();
            if before != now_ids {
                changes.push((it.kind, it.item.clone(), row.map(|r| r.id), before, now_ids));
            }
        }
        if changes.is_empty() {
            return Ok(MappingSaved::Done {
                version: m.version,
                changes: 0,
            });
        }
        if !store::bump_version(conn, p.id, base_version, actor.user_id, now)? {
            let (version, by, at) = store::version_of(conn, p.id)?;
            let by = match by {
                Some(id) => user::find(conn, id)
                    .map(|u| u.display_name)
                    .unwrap_or_else(|_| "someone".into()),
                None => "someone".into(),
            };
            return Ok(MappingSaved::Stale { version, by, at });
        }
        let mut audits = Vec::new();
        for (kind, key, id, before, now_ids) in &changes {
            let cleared = now_ids.code.is_empty() && now_ids.uid.is_empty();
            match (id, cleared) {
                (Some(id), true) => store::delete(conn, *id)?,
                (Some(id), false) => store::update(conn, *id, &now_ids.code, &now_ids.uid)?,
                (None, _) => store::insert(conn, p.id, kind, key, &now_ids.code, &now_ids.uid)?,
            }
            let snap =
                |ids: &Ids| json!({ "kind": kind, "item": key, "code": ids.code, "uid": ids.uid });
            audits.push(audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: if cleared {
                    "dhis2_mapping_cleared"
                } else {
                    "dhis2_mapping_set"
                },
                entity: "dhis2_mapping",
                entity_id: *id,
                programme_id: Some(p.id),
                before: id.map(|_| snap(before)),
                after: (!cleared).then(|| snap(now_ids)),
                detail: format!("{kind} {}", display(key)),
            });
        }
        audit::record_many(conn, audits)?;
        Ok(MappingSaved::Done {
            version: base_version + 1,
            changes: changes.len(),
        })
    })
}

fn display(key: &str) -> &str {
    if key.is_empty() {
        "(total/programme)"
    } else {
        key
    }
}

/// The inputs of a mapping CSV (columns kind, item, code, uid by name; label ignored),
/// or its problems by line and column.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Input>, Vec<Problem>> {
    let table = csvio::open(bytes).map_err(|p| {
        vec![Problem {
            at: format!("line {}", p.line),
            field: p.column.unwrap_or_default(),
            message: p.message,
        }]
    })?;
    let missing: Vec<&str> = ["kind", "item", "code", "uid"]
        .into_iter()
        .filter(|c| table.column(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(vec![Problem {
            at: "line 1".into(),
            field: missing.join(", "),
            message: format!(
                "the header line lacks the column(s) {}; download the mapping file to start from",
                missing.join(", ")
            ),
        }]);
    }
    let col = |r: &csv::StringRecord, name: &str| {
        table
            .column(name)
            .and_then(|i| r.get(i))
            .map(|s| csvio::read_text(s.trim()).to_string())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for row in table.rows() {
        let (line, r) = row.map_err(|p| {
            vec![Problem {
                at: format!("line {}", p.line),
                field: p.column.unwrap_or_default(),
                message: p.message,
            }]
        })?;
        out.push(Input {
            at: format!("line {line}"),
            kind: col(&r, "kind"),
            item: col(&r, "item"),
            code: col(&r, "code"),
            uid: col(&r, "uid"),
        });
    }
    Ok(out)
}

/// Problems as one message (for the CSV upload and the command line): "line 3, column
/// code: …; line 5, column item: …".
pub fn describe(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| {
            if p.field.is_empty() {
                format!("{}: {}", p.at, p.message)
            } else {
                format!("{}, column {}: {}", p.at, p.field, p.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A stale save as an error message.
pub fn stale_message(version: i32, by: &str, at: Option<NaiveDateTime>) -> String {
    format!(
        "{by} changed the DHIS2 mappings{} (now version {version}) after you read them; nothing was saved — look at them as they are now and make your change again",
        at.map(|t| format!(" on {} at {} UTC", crate::format::date(t.date()), t.format("%H:%M")))
            .unwrap_or_default()
    )
}

/// Sugar for callers that only need an error: invalid → 422 naming the first problem.
pub fn into_result(s: MappingSaved) -> AppResult<(i32, usize)> {
    match s {
        MappingSaved::Done { version, changes } => Ok((version, changes)),
        MappingSaved::Invalid(p) => Err(AppError::invalid(
            p.first().map(|x| x.field.clone()).unwrap_or_default(),
            describe(&p),
        )),
        MappingSaved::Stale { version, by, at } => {
            Err(AppError::Conflict(stale_message(version, &by, at)))
        }
    }
}
