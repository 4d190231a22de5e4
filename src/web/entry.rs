//! The data-entry grid: a programme's indicators × counties (and their parts) for one
//! period, with the baseline, previous period's value and milestone beside each cell;
//! and the workflow buttons (submit, approve, return, unlock).

use std::collections::HashMap;

use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde::Serialize;
use serde_json::{json, Value};

use super::view::render;
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::domain::disaggregation;
use crate::domain::period::Period;
use crate::domain::plan::format_money_plain;
use crate::domain::progress::ProgressFields;
use crate::domain::unit::format_minor;
use crate::entry::progress::{ProgressInput, ProgressReport};
use crate::entry::{self, told, CellInput, CellKey, EntryContext, Moved, Pick, SaveReport};
use crate::error::{AppError, AppResult};
use crate::format;
use crate::format::format_value;
use crate::mail::Mailer;
use crate::models::activity::{self, STATUSES};
use crate::models::{programme::Programme, user};
use crate::web::guard::{CsrfFields, CsrfForm};

/// Above this many cells the grid shows one county at a time, to stay light on slow links.
const ALL_COUNTIES_MAX_CELLS: usize = 120;

/// The quarter before today's, kept inside the programme.
fn default_period(p: &Programme) -> Period {
    let last_ended = Period::quarter_containing(crate::clock::today()).prev();
    let first = Period::quarter_containing(p.start_date);
    let last = Period::quarter_containing(p.end_date);
    if last_ended < first {
        first
    } else if last_ended > last {
        last
    } else {
        last_ended
    }
}

fn parse_period(raw: Option<&str>, p: &Programme) -> AppResult<Period> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default_period(p)),
        Some(s) => Period::parse(s).map_err(|e| AppError::invalid("period", e.to_string())),
    }
}

/// The programme's quarters up to the current one, newest first, for the chooser.
fn period_choices(p: &Programme) -> Vec<(String, String)> {
    let mut q = Period::quarter_containing(p.start_date);
    let stop = Period::quarter_containing(p.end_date.min(crate::clock::today()));
    let mut out = Vec::new();
    while q <= stop {
        out.push((q.id(), format!("{} — {}", q.id(), q.label())));
        q = q.next();
    }
    out.reverse();
    out
}

#[derive(Serialize, Default)]
struct Cell {
    code: String,
    county: String,
    label: String,
    previous: String,
    /// The county's own milestone for the period, where one is set (total cells only).
    target: Option<String>,
    value: String,
    /// The stored value as every other page shows it ("Yes", "48.2%"), for reading.
    shown: String,
    /// A yes/no cell: chosen, not typed.
    yes_no: bool,
    comment: String,
    version: String,
    status: String,
    who: String,
    error: Option<String>,
    comment_error: Option<String>,
    conflict: Option<serde_json::Value>,
}

/// One line of the table: an indicator's total, or one of its parts, across the counties.
#[derive(Serialize)]
struct Row {
    label: String,
    is_part: bool,
    cells: Vec<Cell>,
}

/// One indicator: its total row, then a row per part.
#[derive(Serialize)]
struct Block {
    code: String,
    title: String,
    unit: &'static str,
    /// Typed after the number in each cell: "%" for percentages.
    suffix: &'static str,
    direction: &'static str,
    /// Programme totals: the baseline and the period's milestone of all counties together.
    baseline: String,
    milestone: String,
    parts_error: Vec<String>,
    rows: Vec<Row>,
}

/// Typed values, errors and conflicts to show again after a save that did not go through.
#[derive(Default)]
struct Typed {
    values: HashMap<String, (String, String)>,
    report: Option<SaveReport>,
    progress: HashMap<i32, ProgressFields>,
    progress_report: Option<ProgressReport>,
}

/// One activity's row in the "Activity progress" section.
#[derive(Serialize)]
struct ProgressLine {
    id: i32,
    code: String,
    title: String,
    planned: String,
    previous: String,
    status: String,
    percent: String,
    spend: String,
    note: String,
    version: String,
    workflow: String,
    who: String,
    errors: HashMap<&'static str, String>,
    conflict: Option<serde_json::Value>,
}

fn progress_lines(
    ctx: &EntryContext,
    typed: &Typed,
    names: &HashMap<i32, String>,
) -> Vec<ProgressLine> {
    let cur = &ctx.programme.currency;
    let report = typed.progress_report.as_ref();
    ctx.progress
        .iter()
        .map(|row| {
            let a = &row.activity;
            let stored = row.current.as_ref();
            let typed_fields = typed.progress.get(&a.id).cloned();
            let fields = typed_fields.unwrap_or_else(|| ProgressFields {
                status: stored.map(|r| r.status.clone()).unwrap_or_default(),
                percent_complete: stored.map(|r| r.percent_complete.to_string()).unwrap_or_default(),
                spend: stored.map(|r| format_money_plain(r.spend_to_date_minor)).unwrap_or_default(),
                note: stored.map(|r| r.note.clone()).unwrap_or_default(),
            });
            let conflict = report
                .and_then(|r| r.conflicts.iter().find(|k| k.activity_id == a.id))
                .map(|k| {
                    let t = k.theirs.as_ref();
                    json!({
                        "theirs": t.map(|t| format!("{}, {}%, {}", activity::status_label(&t.status), t.percent_complete, format_minor(t.spend_to_date_minor, cur))).unwrap_or_else(|| "(none)".into()),
                        "by": k.theirs_by,
                        "version": t.map(|t| t.version),
                    })
                });
            let version = match &conflict {
                Some(k) => k["version"].as_i64().map(|v| v.to_string()).unwrap_or_default(),
                None => stored.map(|r| r.version.to_string()).unwrap_or_default(),
            };
            let errors = report
                .map(|r| {
                    r.problems
                        .iter()
                        .filter(|p| p.activity_id == a.id)
                        .map(|p| (p.field, p.message.clone()))
                        .collect()
                })
                .unwrap_or_default();
            ProgressLine {
                id: a.id,
                code: a.code.clone(),
                title: a.title.clone(),
                planned: format!("{} – {}", format::date(a.planned_start), format::date(a.planned_end)),
                previous: row
                    .previous
                    .as_ref()
                    .map(|p| format!("{} ({}): {}, {}%, {}", p.period, p.workflow_status, activity::status_label(&p.status), p.percent_complete, format_minor(p.spend_to_date_minor, cur)))
                    .unwrap_or_else(|| "—".into()),
                status: fields.status,
                percent: fields.percent_complete,
                spend: fields.spend,
                note: fields.note,
                version,
                workflow: stored.map(|r| r.workflow_status.clone()).unwrap_or_default(),
                who: stored
                    .map(|r| {
                        let by = r.entered_by.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "imported".into());
                        format!("{by}, {}", format::date(r.entered_at.date()))
                    })
                    .unwrap_or_default(),
                errors,
                conflict,
            }
        })
        .collect()
}

/// A yes/no cell's value as the choice offers it: "1", "0", or as typed when it is
/// neither (an API or CSV spelling such as "Yes" or "hapana" is still understood).
fn yes_no_choice(typed: &str) -> String {
    match crate::domain::entry::parse_typed(crate::domain::unit::Unit::YesNo, typed) {
        Ok(Some(1.0)) => "1".into(),
        Ok(Some(_)) => "0".into(),
        _ => typed.to_string(),
    }
}

/// The grid's blocks (indicators down, counties across), and the problems for the
/// banner in the table's reading order, each linked to its field.
fn grid(
    ctx: &EntryContext,
    county: Option<i32>,
    typed: &Typed,
    names: &HashMap<i32, String>,
) -> (Vec<Block>, Vec<Value>) {
    let mut banner = Vec::new();
    let cur = &ctx.programme.currency;
    let problems = typed
        .report
        .as_ref()
        .map(|r| &r.problems[..])
        .unwrap_or(&[]);
    let conflicts = typed
        .report
        .as_ref()
        .map(|r| &r.conflicts[..])
        .unwrap_or(&[]);
    let counties: Vec<_> = ctx
        .counties()
        .iter()
        .filter(|c| county.is_none_or(|id| id == c.id))
        .collect();
    let mut blocks = Vec::new();
    for (ind, rules) in &ctx.indicators {
        let yes_no = rules.unit == crate::domain::unit::Unit::YesNo;
        let mut parts_error = Vec::new();
        let mut keys = vec![String::new()];
        for dim in ind.dimensions() {
            keys.extend(
                ctx.dimensions
                    .options(dim)
                    .into_iter()
                    .map(|cat| disaggregation::key(dim, cat)),
            );
        }
        let mut rows = Vec::new();
        for dis in keys {
            let label = ctx.dimensions.label(&dis);
            let mut cells = Vec::new();
            for c in &counties {
                let key = CellKey {
                    indicator_id: ind.id,
                    location_id: c.id,
                    disaggregation: dis.clone(),
                };
                let code = key.code();
                let stored = ctx.values.get(&key);
                let (value, comment) = typed.values.get(&code).cloned().unwrap_or_else(|| {
                    (
                        stored.map(|v| trim(v.value)).unwrap_or_default(),
                        stored.and_then(|v| v.comment.clone()).unwrap_or_default(),
                    )
                });
                let conflict = conflicts.iter().find(|k| k.key == key).map(|k| {
                    json!({
                        "theirs": k.theirs.map(|v| format_value(rules.unit, v, cur)).unwrap_or_else(|| "(cleared)".into()),
                        "theirs_comment": k.theirs_comment,
                        "by": k.theirs_by,
                        "at": k.theirs_at.map(|t| t.format("%-d %b %Y %H:%M UTC").to_string()),
                        "version": k.theirs_version,
                    })
                });
                let version = match &conflict {
                    Some(k) => k["version"]
                        .as_i64()
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                    None => stored.map(|v| v.version.to_string()).unwrap_or_default(),
                };
                let err = |field: &str| {
                    problems
                        .iter()
                        .find(|p| p.key == key && p.field == field)
                        .map(|p| p.message.clone())
                };
                if let Some(e) = err("parts") {
                    parts_error.push(format!("{}: {e}", c.name));
                }
                let error = err("value")
                    .or(err("county"))
                    .or(err("indicator"))
                    .or(err("pick"));
                let comment_error = err("comment");
                let place = if dis.is_empty() {
                    c.name.clone()
                } else {
                    format!("{} ({label})", c.name)
                };
                for (anchor, message) in [("v", &error), ("c", &comment_error)] {
                    if let Some(m) = message {
                        banner.push(json!({
                            "href": format!("#{anchor}-{code}"),
                            "text": format!("{} {place}: {m}", ind.code),
                        }));
                    }
                }
                cells.push(Cell {
                    county: c.name.clone(),
                    label: label.clone(),
                    previous: ctx
                        .previous
                        .get(&key)
                        .map(|v| format_value(rules.unit, *v, cur))
                        .unwrap_or_else(|| "—".into()),
                    target: dis
                        .is_empty()
                        .then(|| ctx.county_targets.get(&(ind.id, c.id)))
                        .flatten()
                        .map(|v| format_value(rules.unit, *v, cur)),
                    shown: stored
                        .map(|v| format_value(rules.unit, v.value, cur))
                        .unwrap_or_else(|| "—".into()),
                    yes_no,
                    value: if yes_no { yes_no_choice(&value) } else { value },
                    comment,
                    version,
                    status: stored.map(|v| v.status.clone()).unwrap_or_default(),
                    who: stored
                        .map(|v| {
                            let by = v
                                .entered_by
                                .and_then(|id| names.get(&id).cloned())
                                .unwrap_or_else(|| "imported".into());
                            format!("{by}, {}", format::date(v.entered_at.date()))
                        })
                        .unwrap_or_default(),
                    error,
                    comment_error,
                    conflict,
                    code,
                });
            }
            rows.push(Row {
                is_part: !dis.is_empty(),
                label,
                cells,
            });
        }
        blocks.push(Block {
            code: ind.code.clone(),
            title: ind.title.clone(),
            unit: rules.unit.label(),
            suffix: if rules.unit == crate::domain::unit::Unit::Percentage {
                "%"
            } else {
                ""
            },
            direction: rules.direction.label(),
            baseline: match (ind.baseline_value, ind.baseline_date) {
                (Some(v), Some(d)) => {
                    format!("{} ({})", format_value(rules.unit, v, cur), format::date(d))
                }
                (Some(v), None) => format_value(rules.unit, v, cur),
                (None, _) => "—".into(),
            },
            milestone: ctx
                .targets
                .get(&ind.id)
                .map(|v| format_value(rules.unit, *v, cur))
                .unwrap_or_else(|| "—".into()),
            parts_error,
            rows,
        });
    }
    (blocks, banner)
}

fn trim(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

struct Loaded {
    ctx: EntryContext,
    names: HashMap<i32, String>,
}

async fn load(db: &Db, signed: &Signed, code: &str, period: Option<&str>) -> AppResult<Loaded> {
    let (code, period, access) = (
        code.to_string(),
        period.map(str::to_string),
        signed.access.clone(),
    );
    db.run(move |c| {
        let p = access.programme(c, &code, Permission::ViewDetail)?;
        let period = parse_period(period.as_deref(), &p)?;
        let ctx = EntryContext::load(c, p, period)?;
        let names = user::all(c)?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        Ok(Loaded { ctx, names })
    })
    .await
}

/// The programme (if the user may do `p` in it) and the period: what the writing
/// routes need before the entry service loads the period itself.
async fn programme_period(
    db: &Db,
    signed: &Signed,
    code: &str,
    period: &str,
    p: Permission,
) -> AppResult<(Programme, Period)> {
    let (code, period, access) = (code.to_string(), period.to_string(), signed.access.clone());
    db.run(move |c| {
        let prog = access.programme(c, &code, p)?;
        let q = parse_period(Some(&period), &prog)?;
        Ok((prog, q))
    })
    .await
}

fn page(
    signed: &Signed,
    l: &Loaded,
    county: Option<&str>,
    typed: &Typed,
    flash: Option<String>,
) -> Template {
    let ctx = &l.ctx;
    let p = &ctx.programme;
    let cells_all = ctx.cells().len();
    // Activity progress is its own view of the period (the values grid is large already).
    let progress_view = county == Some("progress");
    let chosen = match county {
        Some("all") | Some("progress") => None,
        Some(code) => ctx.counties().iter().find(|c| c.code == code).map(|c| c.id),
        None if cells_all > ALL_COUNTIES_MAX_CELLS => ctx.counties().first().map(|c| c.id),
        None => None,
    };
    let can_edit = signed.access.can(p.id, Permission::Edit) && ctx.lock.is_none() && p.is_active();
    let can_approve = signed.access.can(p.id, Permission::Approve) && p.is_active();
    let counts = ctx.status_counts();
    let lock = ctx
        .lock
        .as_ref()
        .map(|l| json!({ "at": l.locked_at.format("%-d %b %Y").to_string() }));
    let name_of = |id: Option<i32>| {
        id.and_then(|id| l.names.get(&id).cloned())
            .unwrap_or_else(|| "an M&E officer".into())
    };
    let unlocked = ctx.unlocked.as_ref().map(|u| {
        json!({
            "at": u.unlocked_at.map(|t| t.format("%-d %b %Y %H:%M").to_string()),
            "by": name_of(u.unlocked_by),
            "reason": u.unlock_reason,
        })
    });
    // Every value approved and the period open (unlocked with nothing changed since):
    // the officer locks it as it is; "approve" would find nothing submitted.
    let progress_counts = ctx.progress_counts();
    let relockable = ctx.lock.is_none()
        && !(counts.is_empty() && progress_counts.is_empty())
        && counts
            .keys()
            .chain(progress_counts.keys())
            .all(|s| *s == "approved");
    let (blocks, banner) = if progress_view {
        (Vec::new(), Vec::new())
    } else {
        grid(ctx, chosen, typed, &l.names)
    };
    let report = typed.report.as_ref();
    render(
        "entry",
        Some(signed),
        json!({
            "demo": p.is_demo,
            "programme": { "code": p.code, "name": p.name },
            "period": ctx.period.id(),
            "period_label": ctx.period.label(),
            "fy_label": ctx.period.kenyan_fy_quarter_label(),
            "previous_period": ctx.period.prev().id(),
            "phase": ctx.phase.phase.name,
            "periods": period_choices(p),
            "counties": ctx.counties().iter().map(|c| json!({ "code": c.code, "name": c.name, "selected": Some(c.id) == chosen })).collect::<Vec<_>>(),
            // The table's columns: every county, or the one chosen.
            "columns": ctx.counties().iter().filter(|c| chosen.is_none_or(|id| id == c.id)).map(|c| c.name.as_str()).collect::<Vec<_>>(),
            "all_counties": chosen.is_none(),
            "county_param": if progress_view { "progress".to_string() } else { ctx.counties().iter().find(|c| Some(c.id) == chosen).map(|c| c.code.clone()).unwrap_or_else(|| "all".into()) },
            "blocks": blocks,
            "problems": banner,
            "progress": if progress_view { progress_lines(ctx, typed, &l.names) } else { Vec::new() },
            "progress_view": progress_view,
            "progress_activities": ctx.progress.len(),
            "progress_counts": progress_counts,
            "activity_statuses": STATUSES.iter().map(|s| json!({ "code": s, "label": activity::status_label(s) })).collect::<Vec<_>>(),
            "currency": ctx.programme.currency,
            "can_edit": can_edit,
            "can_approve": can_approve,
            "locked": lock,
            "unlocked": unlocked,
            "relockable": relockable,
            "returned": returned_reasons(ctx, &name_of),
            "counts": counts,
            "flash": flash,
            "problem_count": report.map(|r| r.problems.len()).unwrap_or(0)
                + typed.progress_report.as_ref().map(|r| r.problems.len()).unwrap_or(0),
            "conflict_count": report.map(|r| r.conflicts.len()).unwrap_or(0)
                + typed.progress_report.as_ref().map(|r| r.conflicts.len()).unwrap_or(0),
        }),
    )
}

/// Why values were returned, each reason once with how many values it covers and who
/// gave it, so the manager reads it beside the grid rather than in the history.
fn returned_reasons(ctx: &EntryContext, name_of: &dyn Fn(Option<i32>) -> String) -> Vec<Value> {
    let mut by_reason: Vec<(String, Option<i32>, usize)> = Vec::new();
    // Totals only, as "waiting for you" counts them: a returned total's parts go with it.
    for v in ctx
        .values
        .values()
        .filter(|v| v.status == "returned" && v.disaggregation.is_empty())
    {
        let reason = v.status_reason.clone().unwrap_or_default();
        match by_reason.iter_mut().find(|(r, _, _)| *r == reason) {
            Some(entry) => entry.2 += 1,
            None => by_reason.push((reason, v.reviewed_by, 1)),
        }
    }
    by_reason.sort();
    by_reason
        .into_iter()
        .map(|(reason, by, n)| json!({ "reason": reason, "by": name_of(by), "values": n }))
        .collect()
}

#[rocket::get("/programmes/<code>/entry?<period>&<county>")]
pub async fn show(
    db: &State<Db>,
    signed: &Signed,
    code: &str,
    period: Option<&str>,
    county: Option<&str>,
    flash: Option<FlashMessage<'_>>,
) -> AppResult<Template> {
    let l = load(db, signed, code, period).await?;
    Ok(page(
        signed,
        &l,
        county,
        &Typed::default(),
        flash.map(|f| f.message().to_string()),
    ))
}

fn entry_url(code: &str, period: &str, county: &str) -> String {
    format!("/programmes/{code}/entry?period={period}&county={county}")
}

#[rocket::post("/programmes/<code>/entry?<period>&<county>", data = "<form>")]
pub async fn save(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    code: &str,
    period: &str,
    county: Option<&str>,
    form: CsrfFields,
) -> AppResult<Result<Flash<Redirect>, (Status, Template)>> {
    let fields = form.0;
    let (ctx_programme, ctx_period) =
        programme_period(db, signed, code, period, Permission::Edit).await?;
    let mut inputs = Vec::new();
    let mut typed = Typed::default();
    // One buffer for the names looked up per cell: a full grid has thousands of cells.
    let mut name = String::new();
    let mut field = |prefix: &str, code: &str| {
        name.clear();
        name.push_str(prefix);
        name.push_str(code);
        fields.get(&name)
    };
    for (code_str, raw) in fields.with_prefix("v:") {
        let Some(key) = CellKey::parse(code_str) else {
            continue;
        };
        let comment = field("c:", code_str).unwrap_or("").to_string();
        let base_version = field("b:", code_str).and_then(|v| v.parse().ok());
        let pick = match field("pick:", code_str) {
            Some("mine") => Some(Pick::Mine),
            Some("theirs") => Some(Pick::Theirs),
            _ => None,
        };
        let resolving = field("r:", code_str).is_some();
        inputs.push(CellInput {
            key,
            raw: raw.to_string(),
            comment,
            base_version,
            pick,
            resolving,
        });
    }
    let mut progress_inputs = Vec::new();
    for (id, status) in fields.with_prefix("ps:") {
        let Ok(activity_id) = id.parse::<i32>() else {
            continue;
        };
        let get = |k: &str| fields.get(&format!("{k}:{id}")).unwrap_or("").to_string();
        let f = ProgressFields {
            status: status.to_string(),
            percent_complete: get("pp"),
            spend: get("pm"),
            note: get("pn"),
        };
        typed.progress.insert(activity_id, f.clone());
        progress_inputs.push(ProgressInput {
            activity_id,
            fields: f,
            base_version: fields.get(&format!("pb:{id}")).and_then(|v| v.parse().ok()),
        });
    }
    let submit = fields.get("action") == Some("submit");
    let who = signed.actor();
    // Shared with the save, and kept to show again what was typed if it is refused.
    let inputs = std::sync::Arc::new(inputs);
    let (report, progress_report) = {
        let (who, inputs) = (who.clone(), inputs.clone());
        let (p, q) = (ctx_programme.clone(), ctx_period);
        // One load of the period, inside the transaction that saves values and progress:
        // both are written only when both are right.
        db.run(move |c| {
            crate::db::write(c, |c| {
                let now = crate::clock::now();
                let ctx = EntryContext::load(c, p.clone(), q)?;
                let checked = entry::progress::save_loaded(
                    c,
                    &ctx,
                    &who,
                    &progress_inputs,
                    now,
                    entry::Mode::DryRun,
                )?;
                let mode = if checked.is_clean() {
                    entry::Mode::Write
                } else {
                    entry::Mode::DryRun
                };
                let values = entry::save_loaded(c, &ctx, &who, &inputs, now, mode)?;
                let progress = if values.is_clean() && checked.is_clean() {
                    entry::progress::save_loaded(
                        c,
                        &ctx,
                        &who,
                        &progress_inputs,
                        now,
                        entry::Mode::Write,
                    )?
                } else {
                    checked
                };
                Ok::<_, AppError>((values, progress))
            })
        })
        .await?
    };
    let county = county.unwrap_or("all").to_string();
    if !report.is_clean() || !progress_report.is_clean() {
        let status = if report.conflicts.is_empty() && progress_report.conflicts.is_empty() {
            Status::UnprocessableEntity
        } else {
            Status::Conflict
        };
        let fresh = load(db, signed, code, Some(period)).await?;
        // What was typed, shown again beside the problems.
        typed.values = inputs
            .iter()
            .map(|i| (i.key.code(), (i.raw.clone(), i.comment.clone())))
            .collect();
        typed.report = Some(report);
        typed.progress_report = Some(progress_report);
        return Ok(Err((
            status,
            page(signed, &fresh, Some(&county), &typed, None),
        )));
    }
    let saved = Moved {
        values: report.changed,
        progress: progress_report.changed,
    };
    let mut message = format!("Saved {} for {}.", saved.describe(), ctx_period.id());
    if submit {
        let (p, q) = (ctx_programme.clone(), ctx_period);
        let mail = mailer.config().clone();
        let submitted = db
            .run(move |c| told::submit_and_tell(c, &mail, &who, &p, &q, crate::clock::now()))
            .await;
        match submitted {
            Ok(n) => {
                mailer.nudge();
                message = format!("{message} Submitted {} for approval.", n.describe())
            }
            Err(AppError::Invalid { message: m, .. }) => {
                message = format!("{message} Nothing submitted: {m}.")
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Ok(Flash::success(
        Redirect::to(entry_url(code, &ctx_period.id(), &county)),
        message,
    )))
}

#[derive(rocket::form::FromForm)]
pub struct WorkflowForm {
    reason: Option<String>,
}

/// submit (manager), approve / return / unlock (M&E officer).
#[rocket::post("/programmes/<code>/periods/<period>/<action>", data = "<form>")]
pub async fn workflow(
    db: &State<Db>,
    mailer: &State<Mailer>,
    signed: &Signed,
    code: &str,
    period: &str,
    action: &str,
    form: CsrfForm<WorkflowForm>,
) -> AppResult<Flash<Redirect>> {
    let needed = match action {
        "submit" => Permission::Edit,
        "approve" | "return" | "unlock" | "relock" => Permission::Approve,
        _ => {
            return Err(AppError::not_found(format!(
                "'{action}' is not something a period can do"
            )))
        }
    };
    let (p, q) = programme_period(db, signed, code, period, needed).await?;
    let who = signed.actor();
    let reason = form.0.reason.unwrap_or_default();
    let action = action.to_string();
    let back = entry_url(code, &q.id(), "all");
    let mail = mailer.config().clone();
    let result = db
        .run(move |c| {
            let now = crate::clock::now();
            Ok(match action.as_str() {
                "submit" => format!(
                    "Submitted {} of {} for approval.",
                    told::submit_and_tell(c, &mail, &who, &p, &q, now)?.describe(),
                    q.id()
                ),
                "approve" => format!(
                    "Approved {}; {} is now locked.",
                    told::approve_and_tell(c, &mail, &who, &p, &q, now)?.describe(),
                    q.id()
                ),
                "return" => format!(
                    "Returned {} to the manager with your reason.",
                    told::return_and_tell(c, &mail, &who, &p, &q, &reason, now)?.describe()
                ),
                "relock" => {
                    entry::relock(c, &who, &p, &q, now)?;
                    format!(
                        "{} is locked as approved; the lock is in the audit log.",
                        q.id()
                    )
                }
                _ => {
                    entry::unlock(c, &who, &p, &q, &reason, now)?;
                    format!(
                        "{} is unlocked; the unlock and its reason are in the audit log.",
                        q.id()
                    )
                }
            })
        })
        .await;
    match result {
        Ok(msg) => {
            mailer.nudge();
            Ok(Flash::success(Redirect::to(back), msg))
        }
        Err(AppError::Invalid { message, .. }) | Err(AppError::Conflict(message)) => Ok(
            Flash::error(Redirect::to(back), format!("Nothing changed: {message}.")),
        ),
        Err(e) => Err(e),
    }
}
