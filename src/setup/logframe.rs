//! A programme's whole set-up as one plain document — the programme, disaggregation
//! categories, phases, partners, the results framework with its indicators, interim
//! targets, budget, activities and programme milestones — and applying one to the
//! database through the same saves the pages and the API use.
//!
//! The logframe spreadsheet is read into a [`Logframe`] and written from one; the
//! demonstration programmes are loaded as one. Applying happens in one transaction:
//! a dry run (the preview) rolls back whatever it did and lists it, a write commits
//! all of it or — when any item has a problem — nothing. Items are matched by code
//! (phases by name, programme milestones by title), so the same document twice
//! changes nothing and an edited one updates in place.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{
    budget, category, framework, partner, phase, programme, target, Done, Effect, FieldErrors,
    Saved,
};
use crate::db::DbConn;
use crate::domain::disaggregation::format_options;
use crate::domain::plan::{
    check_activity, check_milestone, format_money_plain, ActivityFields, MilestoneFields,
};
use crate::domain::setup::{
    BudgetFields, CategoryFields, IndicatorFields, PartnerFields, PhaseFields, ProgrammeFields,
    ResultFields, TargetFields,
};
use crate::entry::plan::{save_activity, save_milestone, Saved as PlanSaved};
use crate::entry::Mode;
use crate::error::{AppError, AppResult};
use crate::models::audit::Actor;
use crate::models::framework::level_rank;
use crate::models::programme::Programme;
use crate::models::{
    activity, budget as budget_model, category as category_model, framework as fw, location,
    milestone, organisation, programme as programme_model, target as target_model,
};

/// Where an item came from, for messages: a sheet, a row, and the column of each field.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Origin {
    pub sheet: String,
    /// 1-based row; 0 when the item is not on a row (the programme sheet's cells).
    pub row: u32,
    /// Field → cell reference ("B4") or column letter ("F"), where known.
    pub cells: BTreeMap<String, String>,
}

impl Origin {
    pub fn new(sheet: &str, row: u32) -> Origin {
        Origin {
            sheet: sheet.to_string(),
            row,
            cells: BTreeMap::new(),
        }
    }

    /// "Outputs!F12" for a field whose column is known, else "Outputs!12" or "Outputs".
    pub fn cell(&self, field: &str) -> String {
        match (self.cells.get(field), self.row) {
            (Some(c), row) if c.chars().any(|ch| ch.is_ascii_digit()) || row == 0 => {
                format!("{}!{c}", self.sheet)
            }
            (Some(c), row) => format!("{}!{c}{row}", self.sheet),
            (None, 0) => self.sheet.clone(),
            (None, row) => format!("{}!{row}", self.sheet),
        }
    }

    pub fn row_ref(&self) -> String {
        if self.row == 0 {
            self.sheet.clone()
        } else {
            format!("{}!{}", self.sheet, self.row)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item<T> {
    pub fields: T,
    pub origin: Origin,
    /// Results and indicators kept for history only.
    pub archived: bool,
}

impl<T> Item<T> {
    pub fn new(fields: T, origin: Origin) -> Item<T> {
        Item {
            fields,
            origin,
            archived: false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logframe {
    pub programme: Item<ProgrammeFields>,
    pub categories: Vec<Item<CategoryFields>>,
    pub phases: Vec<Item<PhaseFields>>,
    pub partners: Vec<Item<PartnerFields>>,
    /// Impact first, then outcomes, then outputs, each in logframe order.
    pub results: Vec<Item<ResultFields>>,
    /// In logframe order within each result.
    pub indicators: Vec<Item<IndicatorFields>>,
    pub targets: Vec<Item<TargetFields>>,
    pub budget: Vec<Item<BudgetFields>>,
    pub activities: Vec<Item<ActivityFields>>,
    pub milestones: Vec<Item<MilestoneFields>>,
}

/// One thing an import does (or, in a preview, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// "Outputs!12"
    pub place: String,
    /// "indicator LBP-1.2"
    pub what: String,
    pub effect: Effect,
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// "Outputs!F12"
    pub place: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub programme: String,
    pub created_programme: bool,
    pub lines: Vec<Line>,
    pub problems: Vec<Problem>,
    /// True when the changes were committed.
    pub written: bool,
}

impl ImportReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn count(&self, effect: Effect) -> usize {
        self.lines.iter().filter(|l| l.effect == effect).count()
    }

    /// The lines that change something.
    pub fn changes(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.effect != Effect::Unchanged)
    }

    /// A fingerprint of what the import does: a commit goes ahead only if it would do
    /// exactly what the preview showed.
    pub fn plan_hash(&self) -> String {
        let mut h = Sha256::new();
        for l in self.changes() {
            h.update(format!(
                "{}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1e}",
                l.place,
                l.what,
                l.effect,
                l.changes.join("\u{1d}")
            ));
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// "12 created, 3 changed, 1 archived, 40 unchanged".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            Effect::Created,
            Effect::Changed,
            Effect::Archived,
            Effect::Restored,
            Effect::Removed,
            Effect::Unchanged,
        ]
        .iter()
        .map(|e| (self.count(*e), e.word()))
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Which programme a document goes into.
#[derive(Debug, Clone, Copy)]
pub enum Destination {
    /// This programme (by id): the document's code must be its code.
    Existing(i32),
    /// A new programme with the document's code (refused if the code is taken).
    New { is_demo: bool },
    /// The programme with the document's code, created when there is none.
    ByCode { is_demo: bool },
}

struct Run<'a> {
    report: ImportReport,
    actor: &'a Actor,
}

impl Run<'_> {
    fn line(&mut self, origin: &Origin, what: String, done: &Done) {
        self.report.lines.push(Line {
            place: origin.row_ref(),
            what,
            effect: done.effect,
            changes: done.changes.clone(),
        });
    }

    fn problem(&mut self, place: String, message: String) {
        self.report.problems.push(Problem { place, message });
    }

    fn problems(&mut self, origin: &Origin, what: &str, errors: FieldErrors) {
        for (field, message) in errors {
            self.problem(origin.cell(field), format!("{what}: {message}"));
        }
    }

    /// What a save did: a line of the report, or its problems.
    fn outcome<T>(&mut self, origin: &Origin, what: String, saved: Saved<T>) {
        match saved {
            Saved::Done(d) => self.line(origin, what, &d),
            Saved::Invalid(e) => self.problems(origin, &what, e),
            Saved::Stale(_) => self.stale(origin, &what),
        }
    }

    /// The same for a programme milestone or an activity (saved by `entry::plan`).
    fn plan_outcome<T>(
        &mut self,
        origin: &Origin,
        what: String,
        existed: bool,
        changes: Vec<String>,
        saved: PlanSaved<T>,
    ) {
        match saved {
            PlanSaved::Done(id) => {
                let effect = if existed {
                    Effect::Changed
                } else {
                    Effect::Created
                };
                self.line(
                    origin,
                    what,
                    &Done {
                        id,
                        effect,
                        changes,
                    },
                );
            }
            PlanSaved::Invalid(e) => self.problems(origin, &what, e),
            PlanSaved::Conflict(_) => self.stale(origin, &what),
        }
    }

    fn stale(&mut self, origin: &Origin, what: &str) {
        self.problem(origin.row_ref(), format!("{what} was changed by someone else while this file was being imported; import it again"));
    }
}

/// Ends the transaction: a dry run or a run with problems rolls back, keeping its report.
enum Stop {
    Report(Box<ImportReport>),
    App(AppError),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::App(e.into())
    }
}

impl crate::db::RetryAfter for Stop {
    fn retry_after(&self) -> bool {
        matches!(self, Stop::App(e) if e.retry_after())
    }
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        Stop::App(e)
    }
}

/// How to apply a document.
#[derive(Debug, Clone, Copy)]
pub struct Apply<'a> {
    /// [`Mode::DryRun`] for a preview: everything is checked and listed, nothing kept.
    pub mode: Mode,
    /// The preview's [`ImportReport::plan_hash`]: a commit refuses to go ahead when it
    /// would now do something other than what was shown.
    pub expect_plan: Option<&'a str>,
    /// The day checks are made against (completion dates not in the future).
    pub today: NaiveDate,
    pub now: NaiveDateTime,
}

/// Applies a document to the database (see the module's description).
pub fn apply(
    conn: &mut DbConn,
    actor: &Actor,
    dest: Destination,
    doc: &Logframe,
    how: Apply,
) -> AppResult<ImportReport> {
    let result = crate::db::write::<ImportReport, Stop, _>(conn, |conn| {
        let mut run = Run {
            report: ImportReport::default(),
            actor,
        };
        apply_all(conn, &mut run, dest, doc, how.today, how.now)?;
        if let Some(expected) = how.expect_plan {
            if run.report.is_clean() && run.report.plan_hash() != expected {
                run.problem(
                    "file".into(),
                    "the programme changed since this file was previewed (someone saved a change meanwhile); preview it again to see what it would do now".into(),
                );
            }
        }
        if how.mode == Mode::DryRun || !run.report.is_clean() {
            return Err(Stop::Report(Box::new(run.report)));
        }
        run.report.written = true;
        Ok(run.report)
    });
    match result {
        Ok(r) => Ok(r),
        Err(Stop::Report(r)) => Ok(*r),
        Err(Stop::App(e)) => Err(e),
    }
}

fn apply_all(
    conn: &mut DbConn,
    run: &mut Run,
    dest: Destination,
    doc: &Logframe,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), Stop> {
    let actor = run.actor;
    let code = doc.programme.fields.code.trim().to_ascii_uppercase();
    let origin = &doc.programme.origin;
    // ---- the programme ----
    let existing = match dest {
        Destination::Existing(id) => {
            let p = programme_model::find(conn, id)?;
            if !code.is_empty() && code != p.code {
                run.problem(
                    origin.cell("code"),
                    format!("this file is the logframe of {code}; it cannot be imported into {} (change the code in the file, or import it into {code})", p.code),
                );
                return Ok(());
            }
            Some(p)
        }
        Destination::New { .. } => {
            if let Ok(p) = programme_model::by_code(conn, &code) {
                run.problem(
                    origin.cell("code"),
                    format!(
                        "{code} already exists (“{}”); import the file into it to update it",
                        p.name
                    ),
                );
                return Ok(());
            }
            None
        }
        Destination::ByCode { .. } => programme_model::by_code(conn, &code).ok(),
    };
    let is_demo = matches!(
        dest,
        Destination::New { is_demo: true } | Destination::ByCode { is_demo: true }
    );
    let mut pending_programme_update = false;
    let p = match existing {
        Some(p) => {
            run.report.programme = p.code.clone();
            let mut f = doc.programme.fields.clone();
            f.code = p.code.clone();
            match programme::update(conn, actor, &p, p.version, &f)? {
                Saved::Done(d) => run.line(origin, format!("programme {}", p.code), &d),
                Saved::Invalid(e) if e.keys().all(|k| *k == "start_date" || *k == "end_date") => {
                    pending_programme_update = true
                }
                Saved::Invalid(e) => run.problems(origin, &format!("programme {}", p.code), e),
                Saved::Stale(_) => run.stale(origin, &format!("programme {}", p.code)),
            }
            programme_model::find(conn, p.id)?
        }
        None => match programme::create(conn, actor, &doc.programme.fields, None, is_demo, now)? {
            Saved::Done(d) => {
                run.report.created_programme = true;
                run.line(origin, format!("programme {code}"), &d);
                let p = programme_model::find(conn, d.id)?;
                run.report.programme = p.code.clone();
                p
            }
            Saved::Invalid(e) => {
                run.problems(origin, "programme", e);
                return Ok(());
            }
            Saved::Stale(_) => return Ok(()),
        },
    };
    if !run.report.is_clean() {
        return Ok(());
    }
    if !p.is_active() {
        run.problem(
            origin.cell("code"),
            format!(
                "{} is {}; an administrator must make it active before its logframe can change",
                p.code, p.status
            ),
        );
        return Ok(());
    }

    // ---- disaggregation categories ----
    let cats = category_model::of_programme(conn, p.id)?;
    let mut seen_cats = HashSet::new();
    for item in &doc.categories {
        let f = &item.fields;
        let code = if f.code.trim().is_empty() {
            crate::domain::disaggregation::code_from_label(&f.label)
        } else {
            f.code.trim().to_ascii_lowercase()
        };
        if !seen_cats.insert(code.clone()) {
            run.problem(
                item.origin.cell("code"),
                format!("the category {code} is given twice"),
            );
            continue;
        }
        let existing = cats
            .iter()
            .find(|(c, _)| c.code == code)
            .map(|(c, _)| (c.id, c.version));
        let what = format!("disaggregation {code}");
        run.outcome(
            &item.origin,
            what,
            category::save(conn, actor, &p, existing, f)?,
        );
    }

    // ---- phases (retried: one phase may have to move before another can) ----
    let mut seen_phases = HashSet::new();
    let mut phase_items: Vec<&Item<PhaseFields>> = Vec::new();
    for item in &doc.phases {
        if !seen_phases.insert(item.fields.name.trim().to_lowercase()) {
            run.problem(
                item.origin.cell("name"),
                format!("the phase “{}” is given twice", item.fields.name.trim()),
            );
        } else {
            phase_items.push(item);
        }
    }
    let stored_phases = programme_model::phases_of(conn, p.id)?;
    let to_delete: Vec<(i32, String)> = stored_phases
        .iter()
        .filter(|ph| !seen_phases.contains(&ph.phase.name.to_lowercase()))
        .map(|ph| (ph.phase.id, ph.phase.name.clone()))
        .collect();
    enum PhaseStep<'a> {
        Save(&'a Item<PhaseFields>),
        Delete(i32, String),
        Programme,
    }
    let mut steps: Vec<PhaseStep> = phase_items.into_iter().map(PhaseStep::Save).collect();
    steps.extend(
        to_delete
            .into_iter()
            .map(|(id, name)| PhaseStep::Delete(id, name)),
    );
    if pending_programme_update {
        steps.push(PhaseStep::Programme);
    }
    let mut last_failures: Vec<(Origin, String, FieldErrors)> = Vec::new();
    for _pass in 0..4 {
        let mut failed = Vec::new();
        let mut failures = Vec::new();
        let progress_before = steps.len();
        for step in steps {
            let p_now = programme_model::find(conn, p.id)?;
            match &step {
                PhaseStep::Save(item) => {
                    let name = item.fields.name.trim();
                    let existing = programme_model::phases_of(conn, p.id)?
                        .into_iter()
                        .find(|ph| ph.phase.name.eq_ignore_ascii_case(name))
                        .map(|ph| (ph.phase.id, ph.phase.version));
                    let what = format!("phase “{name}”");
                    match phase::save(conn, actor, &p_now, existing, &item.fields)? {
                        Saved::Done(d) => run.line(&item.origin, what, &d),
                        Saved::Invalid(e) => {
                            failures.push((item.origin.clone(), what, e));
                            failed.push(step);
                        }
                        Saved::Stale(_) => run.stale(&item.origin, &what),
                    }
                }
                PhaseStep::Delete(id, name) => {
                    let version = programme_model::phases_of(conn, p.id)?
                        .into_iter()
                        .find(|ph| ph.phase.id == *id)
                        .map(|ph| ph.phase.version);
                    let Some(version) = version else { continue };
                    let what = format!("phase “{name}” (not in the file)");
                    let o = Origin::new("Phases", 0);
                    match phase::delete(conn, actor, &p_now, *id, version)? {
                        Saved::Done(d) => run.line(&o, what, &d),
                        Saved::Invalid(e) => {
                            failures.push((o, what, e));
                            failed.push(step);
                        }
                        Saved::Stale(_) => run.stale(&o, &what),
                    }
                }
                PhaseStep::Programme => {
                    let mut f = doc.programme.fields.clone();
                    f.code = p.code.clone();
                    let what = format!("programme {}", p.code);
                    match programme::update(conn, actor, &p_now, p_now.version, &f)? {
                        Saved::Done(d) => run.line(origin, what, &d),
                        Saved::Invalid(e) => {
                            failures.push((origin.clone(), what, e));
                            failed.push(step);
                        }
                        Saved::Stale(_) => run.stale(origin, &what),
                    }
                }
            }
        }
        last_failures = failures;
        steps = failed;
        if steps.is_empty() || steps.len() == progress_before {
            break;
        }
    }
    for (o, what, e) in last_failures {
        run.problems(&o, &what, e);
    }
    let p = programme_model::find(conn, p.id)?;

    // ---- partners ----
    let stored_partners = organisation::partners_of(conn, p.id)?;
    let mut seen_partners = HashSet::new();
    for item in &doc.partners {
        let code = item.fields.code.trim().to_ascii_uppercase();
        if !seen_partners.insert(code.clone()) {
            run.problem(
                item.origin.cell("code"),
                format!("the partner {code} is given twice"),
            );
            continue;
        }
        let existing = stored_partners
            .iter()
            .find(|(_, o)| o.code == code)
            .map(|(_, o)| (o.id, o.version));
        let what = format!("partner {code}");
        run.outcome(
            &item.origin,
            what,
            partner::save(conn, actor, &p, existing, &item.fields)?,
        );
    }

    // ---- results, in file order (parents come first; retried once for files that do not) ----
    let mut seen_results = HashSet::new();
    let mut pending: Vec<&Item<ResultFields>> = Vec::new();
    for item in &doc.results {
        let code = item.fields.code.trim().to_string();
        if !seen_results.insert(code.clone()) {
            run.problem(
                item.origin.cell("code"),
                format!("the result code {code} is given twice"),
            );
            continue;
        }
        pending.push(item);
    }
    let mut result_failures = Vec::new();
    for _pass in 0..3 {
        let mut again = Vec::new();
        result_failures.clear();
        let before = pending.len();
        // Read once a pass: each code is saved at most once in it.
        let stored = fw::results_of(conn, p.id)?;
        for item in pending {
            let code = item.fields.code.trim();
            let existing = stored
                .iter()
                .find(|r| r.code == code)
                .map(|r| (r.id, r.version));
            let what = format!(
                "{} {code}",
                item.fields
                    .level
                    .trim()
                    .to_lowercase()
                    .trim_end_matches('s')
            );
            match framework::save_result(conn, actor, &p, existing, &item.fields)? {
                Saved::Done(d) => run.line(&item.origin, what, &d),
                Saved::Invalid(e) if e.contains_key("parent") => {
                    result_failures.push((item.origin.clone(), what, e));
                    again.push(item);
                }
                Saved::Invalid(e) => run.problems(&item.origin, &what, e),
                Saved::Stale(_) => run.stale(&item.origin, &what),
            }
        }
        pending = again;
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    for (o, what, e) in result_failures {
        run.problems(&o, &what, e);
    }
    // Order as in the file.
    let stored = fw::results_of(conn, p.id)?;
    let file_order: Vec<i32> = doc
        .results
        .iter()
        .filter_map(|i| {
            stored
                .iter()
                .find(|r| r.code == i.fields.code.trim())
                .map(|r| r.id)
        })
        .collect();
    reorder_results(conn, run, &p, &stored, &file_order)?;

    // ---- indicators ----
    let mut seen_indicators = HashSet::new();
    for item in &doc.indicators {
        let code = item.fields.code.trim().to_string();
        if !seen_indicators.insert(code.clone()) {
            run.problem(
                item.origin.cell("code"),
                format!("the indicator code {code} is given twice"),
            );
            continue;
        }
        let stored = fw::indicator_by_code(conn, p.id, &code).ok();
        let what = format!("indicator {code}");
        run.outcome(
            &item.origin,
            what,
            framework::save_indicator(
                conn,
                actor,
                &p,
                stored.as_ref().map(|i| (i.id, i.version)),
                &item.fields,
            )?,
        );
    }
    let stored_inds = fw::indicators_of(conn, p.id)?;
    let order: Vec<i32> = doc
        .indicators
        .iter()
        .filter_map(|i| {
            stored_inds
                .iter()
                .find(|s| s.code == i.fields.code.trim())
                .map(|s| s.id)
        })
        .collect();
    reorder_indicators(conn, run, &p, &stored_inds, &order)?;

    // ---- interim targets: the document holds each indicator's whole set ----
    let mut by_indicator: BTreeMap<String, Vec<(usize, &Item<TargetFields>)>> = BTreeMap::new();
    for (i, t) in doc.targets.iter().enumerate() {
        by_indicator
            .entry(t.fields.indicator.trim().to_string())
            .or_default()
            .push((i, t));
    }
    for code in by_indicator.keys() {
        if !seen_indicators.contains(code) {
            for (_, t) in &by_indicator[code] {
                run.problem(
                    t.origin.cell("indicator"),
                    format!("milestone for {code}, which is not an indicator in this file"),
                );
            }
        }
    }
    for item in &doc.indicators {
        let code = item.fields.code.trim();
        let Ok(ind) = fw::indicator_by_code(conn, p.id, code) else {
            continue;
        };
        let rows = by_indicator.get(code).cloned().unwrap_or_default();
        let edits: Vec<target::TargetEdit> = rows
            .iter()
            .map(|(_, t)| target::TargetEdit {
                fields: t.fields.clone(),
                base_version: None,
            })
            .collect();
        match target::set_targets(conn, actor, &p, &ind, &edits, true)? {
            target::TargetsSaved::Done(d) => {
                let o = rows
                    .first()
                    .map(|(_, t)| t.origin.clone())
                    .unwrap_or_else(|| item.origin.clone());
                run.line(&o, format!("milestones of {code}"), &d);
            }
            target::TargetsSaved::Invalid(problems) => {
                for pr in problems {
                    let (place, period) = match pr.index.and_then(|i| rows.get(i)) {
                        Some((_, t)) => {
                            (t.origin.cell(pr.field), t.fields.period.trim().to_string())
                        }
                        None => (item.origin.row_ref(), String::new()),
                    };
                    let what = if period.is_empty() {
                        format!("milestone of {code}")
                    } else {
                        format!("milestone {period} of {code}")
                    };
                    run.problem(place, format!("{what}: {}", also_at(&pr, &rows)));
                }
            }
            target::TargetsSaved::Stale(_) => {
                run.stale(&item.origin, &format!("milestones of {code}"))
            }
        }
    }

    // ---- activities (before the budget, whose lines may name them) ----
    let codes = Codes::load(conn, &p)?;
    // Each code is saved once (a second is refused), so the list read first stays true.
    let activities = activity::of_programme(conn, p.id)?;
    let mut seen_activities = HashSet::new();
    for item in &doc.activities {
        let code = item.fields.code.trim().to_string();
        if !seen_activities.insert(code.clone()) {
            run.problem(
                item.origin.cell("code"),
                format!("the activity code {code} is given twice"),
            );
            continue;
        }
        let what = format!("activity {code}");
        let stored = activities.iter().find(|a| a.code == code);
        if let Some(a) = stored {
            if same_activity(&activity_fields(a, &codes), &item.fields, today) {
                run.line(&item.origin, what, &Done::new(a.id, Effect::Unchanged));
                continue;
            }
        }
        let changes = stored
            .map(|a| field_changes(&activity_fields(a, &codes), &item.fields))
            .unwrap_or_default();
        let saved = save_activity(
            conn,
            actor,
            &p,
            stored.map(|a| (a.id, a.version)),
            &item.fields,
            today,
            now,
        )?;
        run.plan_outcome(&item.origin, what, stored.is_some(), changes, saved);
    }

    // ---- programme milestones, matched by title ----
    let milestones = milestone::of_programme(conn, p.id)?;
    let mut seen_titles = HashSet::new();
    for item in &doc.milestones {
        let title = item.fields.title.trim().to_string();
        if !seen_titles.insert(title.to_lowercase()) {
            run.problem(
                item.origin.cell("title"),
                format!("the milestone “{title}” is given twice"),
            );
            continue;
        }
        let short: String = title.chars().take(60).collect();
        let what = format!("programme milestone “{short}”");
        let stored = milestones
            .iter()
            .find(|m| m.title.eq_ignore_ascii_case(&title));
        if let Some(m) = stored {
            if same_milestone(&milestone_fields(m, &codes), &item.fields, today) {
                run.line(&item.origin, what, &Done::new(m.id, Effect::Unchanged));
                continue;
            }
        }
        let changes = stored
            .map(|m| field_changes(&milestone_fields(m, &codes), &item.fields))
            .unwrap_or_default();
        let saved = save_milestone(
            conn,
            actor,
            &p,
            stored.map(|m| (m.id, m.version)),
            &item.fields,
            today,
            now,
        )?;
        run.plan_outcome(&item.origin, what, stored.is_some(), changes, saved);
    }

    // ---- budget: the document holds the whole budget ----
    let lines = budget_model::of_programme(conn, p.id)?;
    let stored_lines = budget::fields_of(conn, &p, &lines)?;
    let mut kept = HashSet::new();
    for item in &doc.budget {
        let f = &item.fields;
        let fy = crate::domain::setup::parse_fiscal_year(&f.fiscal_year)
            .map(|p| p.id())
            .unwrap_or_default();
        let key = (
            f.output.trim().to_string(),
            f.activity.trim().to_string(),
            fy.clone(),
        );
        let existing = stored_lines.iter().find(|(_, s)| {
            (
                s.output.as_str(),
                s.activity.as_str(),
                s.fiscal_year.as_str(),
            ) == (key.0.as_str(), key.1.as_str(), key.2.as_str())
        });
        if let Some((l, _)) = existing {
            kept.insert(l.id);
        }
        let what = format!(
            "budget {}{} {}",
            key.0,
            if key.1.is_empty() {
                String::new()
            } else {
                format!(" / {}", key.1)
            },
            f.fiscal_year.trim()
        );
        run.outcome(
            &item.origin,
            what,
            budget::save(conn, actor, &p, existing.map(|(l, _)| (l.id, l.version)), f)?,
        );
    }
    for (l, f) in &stored_lines {
        if !kept.contains(&l.id) {
            let what = format!("budget {} {} (not in the file)", f.output, f.fiscal_year);
            run.outcome(
                &Origin::new("Budget", 0),
                what,
                budget::delete(conn, actor, &p, l.id, l.version)?,
            );
        }
    }

    // ---- what the file no longer holds, or holds as archived ----
    for (item_archived, code, origin) in doc.indicators.iter().map(|i| {
        (
            i.archived,
            i.fields.code.trim().to_string(),
            i.origin.clone(),
        )
    }) {
        let Ok(ind) = fw::indicator_by_code(conn, p.id, &code) else {
            continue;
        };
        if item_archived != ind.archived {
            let what = format!("indicator {code}");
            let saved = if item_archived {
                framework::remove_indicator(conn, actor, &p, ind.id, ind.version)?
            } else {
                framework::restore_indicator(conn, actor, &p, ind.id, ind.version)?
            };
            run.outcome(&origin, what, saved);
        }
    }
    for ind in fw::indicators_of(conn, p.id)? {
        if !ind.archived && !seen_indicators.contains(&ind.code) {
            let what = format!("indicator {} (not in the file)", ind.code);
            run.outcome(
                &Origin::new("Indicators", 0),
                what,
                framework::remove_indicator(conn, actor, &p, ind.id, ind.version)?,
            );
        }
    }
    // Results: outputs before outcomes before the impact, so children go first.
    let mut results = fw::results_of(conn, p.id)?;
    results.sort_by_key(|r| std::cmp::Reverse(level_rank(&r.level)));
    for r in results {
        let in_file = doc.results.iter().find(|i| i.fields.code.trim() == r.code);
        let want_archived = in_file.map(|i| i.archived).unwrap_or(true);
        if want_archived == r.archived {
            continue;
        }
        let current = fw::find_result(conn, p.id, r.id)?;
        let (o, what) = match in_file {
            Some(i) => (i.origin.clone(), format!("{} {}", r.level, r.code)),
            None => (
                Origin::new("Results", 0),
                format!("{} {} (not in the file)", r.level, r.code),
            ),
        };
        let saved = if want_archived {
            framework::remove_result(conn, actor, &p, r.id, current.version)?
        } else {
            framework::restore_result(conn, actor, &p, r.id, current.version)?
        };
        run.outcome(&o, what, saved);
    }
    for (_, o) in organisation::partners_of(conn, p.id)? {
        if !seen_partners.contains(&o.code) {
            let what = format!("partner {} (not in the file)", o.code);
            // An organisation holding two roles appears twice; remove it once.
            if run.report.lines.iter().any(|l| l.what == what) {
                continue;
            }
            run.outcome(
                &Origin::new("Partners", 0),
                what,
                partner::remove(conn, actor, &p, o.id)?,
            );
        }
    }
    for (c, _) in category_model::of_programme(conn, p.id)? {
        if !seen_cats.contains(&c.code) {
            let what = format!("disaggregation {} (not in the file)", c.code);
            run.outcome(
                &Origin::new("Disaggregations", 0),
                what,
                category::delete(conn, actor, &p, c.id, c.version)?,
            );
        }
    }

    // ---- the framework as a whole ----
    if let Some(problem) = framework::weighting_problem(&fw::results_of(conn, p.id)?) {
        let place = doc
            .results
            .iter()
            .find(|r| r.fields.level.trim().to_lowercase().starts_with("output"))
            .map(|r| r.origin.cell("impact_weighting"))
            .unwrap_or_else(|| "Outputs".into());
        run.problem(
            place,
            format!("Impact weightings: {problem}; make them add up to 100"),
        );
    }
    Ok(())
}

/// The order of `ids` within each group (results under one parent, indicators of one
/// result): what "order" means in a logframe.
fn sibling_orders<K: Ord + Copy>(ids: &[i32], group: impl Fn(i32) -> K) -> BTreeMap<K, Vec<i32>> {
    let mut out: BTreeMap<K, Vec<i32>> = BTreeMap::new();
    for id in ids {
        out.entry(group(*id)).or_default().push(*id);
    }
    out
}

fn reorder_results(
    conn: &mut DbConn,
    run: &mut Run,
    p: &Programme,
    stored: &[fw::ResultRow],
    order: &[i32],
) -> Result<(), Stop> {
    let parent = |id: i32| {
        stored
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.parent_id)
            .unwrap_or(0)
    };
    let current: Vec<i32> = stored
        .iter()
        .filter(|r| order.contains(&r.id))
        .map(|r| r.id)
        .collect();
    if sibling_orders(&current, parent) == sibling_orders(order, parent) {
        return Ok(());
    }
    // Positions follow the file; results not in it keep theirs after.
    for (i, id) in order.iter().enumerate() {
        fw::set_result_position(conn, *id, i as i32 + 1)?;
    }
    let base = order.len() as i32 + 1;
    for (i, r) in stored.iter().filter(|r| !order.contains(&r.id)).enumerate() {
        fw::set_result_position(conn, r.id, base + i as i32)?;
    }
    crate::models::audit::record(
        conn,
        crate::models::audit::Change {
            user_id: run.actor.user_id,
            actor: &run.actor.name,
            action: "results_reordered",
            entity: "programme",
            entity_id: Some(p.id),
            programme_id: Some(p.id),
            detail: format!("{}: results in the logframe file's order", p.code),
            ..Default::default()
        },
    )?;
    run.report.lines.push(Line {
        place: "Results".into(),
        what: "order of results".into(),
        effect: Effect::Changed,
        changes: vec!["as in the file".into()],
    });
    Ok(())
}

fn reorder_indicators(
    conn: &mut DbConn,
    run: &mut Run,
    p: &Programme,
    stored: &[fw::Indicator],
    order: &[i32],
) -> Result<(), Stop> {
    let result_of = |id: i32| {
        stored
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.result_id)
            .unwrap_or(0)
    };
    let current: Vec<i32> = stored
        .iter()
        .filter(|i| order.contains(&i.id))
        .map(|i| i.id)
        .collect();
    let (now, want) = (
        sibling_orders(&current, result_of),
        sibling_orders(order, result_of),
    );
    if now == want {
        return Ok(());
    }
    // Within each result whose order differs, the same positions in the file's order.
    for (result, ids) in &want {
        if now.get(result) == Some(ids) {
            continue;
        }
        let mut positions: Vec<i32> = ids
            .iter()
            .filter_map(|id| stored.iter().find(|i| i.id == *id).map(|i| i.position))
            .collect();
        positions.sort();
        positions.dedup();
        let start = positions.first().copied().unwrap_or(0);
        for (k, id) in ids.iter().enumerate() {
            let pos = positions.get(k).copied().unwrap_or(start + k as i32);
            fw::set_indicator_position(conn, *id, pos)?;
        }
    }
    crate::models::audit::record(
        conn,
        crate::models::audit::Change {
            user_id: run.actor.user_id,
            actor: &run.actor.name,
            action: "indicators_reordered",
            entity: "programme",
            entity_id: Some(p.id),
            programme_id: Some(p.id),
            detail: format!("{}: indicators in the logframe file's order", p.code),
            ..Default::default()
        },
    )?;
    run.report.lines.push(Line {
        place: "Indicators".into(),
        what: "order of indicators".into(),
        effect: Effect::Changed,
        changes: vec!["as in the file".into()],
    });
    Ok(())
}

/// A doubled milestone's message with where it was first given ("also at Outputs!AG5").
fn also_at(pr: &target::TargetProblem, rows: &[(usize, &Item<TargetFields>)]) -> String {
    match pr.other.and_then(|i| rows.get(i)) {
        Some((_, t)) if !t.origin.sheet.is_empty() => {
            let at = t
                .origin
                .cells
                .get("value")
                .map_or_else(|| t.origin.row_ref(), |_| t.origin.cell("value"));
            format!("{} (also at {at})", pr.message)
        }
        _ => pr.message.clone(),
    }
}

/// id → code lookups to write stored references the way a document names them.
pub struct Codes {
    results: HashMap<i32, String>,
    orgs: HashMap<i32, String>,
    counties: HashMap<i32, String>,
}

impl Codes {
    pub fn load(conn: &mut DbConn, p: &Programme) -> AppResult<Codes> {
        Ok(Codes {
            results: fw::results_of(conn, p.id)?
                .into_iter()
                .map(|r| (r.id, r.code))
                .collect(),
            orgs: organisation::all(conn)?
                .into_iter()
                .map(|o| (o.id, o.code))
                .collect(),
            counties: location::counties(conn)?
                .into_iter()
                .map(|c| (c.id, c.code))
                .collect(),
        })
    }

    fn of(map: &HashMap<i32, String>, id: Option<i32>) -> String {
        id.and_then(|i| map.get(&i).cloned()).unwrap_or_default()
    }
}

pub fn activity_fields(a: &activity::Activity, codes: &Codes) -> ActivityFields {
    let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    ActivityFields {
        code: a.code.clone(),
        title: a.title.clone(),
        output: Codes::of(&codes.results, a.result_id),
        lead: Codes::of(&codes.orgs, a.lead_organisation_id),
        county: Codes::of(&codes.counties, a.location_id),
        planned_start: a.planned_start.to_string(),
        planned_end: a.planned_end.to_string(),
        actual_start: d(a.actual_start),
        actual_end: d(a.actual_end),
        status: a.status.clone(),
        percent_complete: a.percent_complete.to_string(),
        budget: format_money_plain(a.budget_minor),
        spend: format_money_plain(a.spend_minor),
    }
}

pub fn milestone_fields(m: &milestone::Milestone, codes: &Codes) -> MilestoneFields {
    MilestoneFields {
        title: m.title.clone(),
        output: Codes::of(&codes.results, m.result_id),
        county: Codes::of(&codes.counties, m.location_id),
        due: m.due_date.to_string(),
        status: m.status.clone(),
        completed: m.completed_date.map(|d| d.to_string()).unwrap_or_default(),
        evidence: m.evidence_note.clone(),
    }
}

fn county_key(s: &str) -> String {
    let t = s.trim();
    if !t.is_empty() && t.len() < 3 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("{t:0>3}")
    } else {
        t.to_lowercase()
    }
}

fn same_activity(stored: &ActivityFields, typed: &ActivityFields, today: NaiveDate) -> bool {
    match (check_activity(stored, today), check_activity(typed, today)) {
        (Ok(a), Ok(b)) => {
            a == b
                && stored.output.trim() == typed.output.trim()
                && stored.lead.trim().eq_ignore_ascii_case(typed.lead.trim())
                && county_key(&stored.county) == county_key(&typed.county)
        }
        _ => false,
    }
}

fn same_milestone(stored: &MilestoneFields, typed: &MilestoneFields, today: NaiveDate) -> bool {
    match (
        check_milestone(stored, today),
        check_milestone(typed, today),
    ) {
        (Ok(a), Ok(b)) => {
            a == b
                && stored.output.trim() == typed.output.trim()
                && county_key(&stored.county) == county_key(&typed.county)
        }
        _ => false,
    }
}

fn field_changes<T: Serialize>(before: &T, after: &T) -> Vec<String> {
    match (serde_json::to_value(before), serde_json::to_value(after)) {
        (Ok(b), Ok(a)) => super::differences(&b, &a),
        _ => Vec::new(),
    }
}

/// The programme's whole set-up as a document (no origins): what the spreadsheet
/// export writes and what a round trip must give back.
pub fn export(conn: &mut DbConn, p: &Programme) -> AppResult<Logframe> {
    let o = Origin::default;
    let counties = location::counties(conn)?;
    let county_code: HashMap<i32, String> =
        counties.iter().map(|c| (c.id, c.code.clone())).collect();
    let categories = category_model::of_programme(conn, p.id)?
        .into_iter()
        .map(|(c, opts)| {
            let mut item = Item::new(category::fields_of(&c, &opts), o());
            item.fields.options = format_options(
                &opts
                    .iter()
                    .map(|x| crate::domain::disaggregation::CategoryOption {
                        code: x.code.clone(),
                        label: x.label.clone(),
                    })
                    .collect::<Vec<_>>(),
            );
            item
        })
        .collect();
    let phases = programme_model::phases_of(conn, p.id)?
        .into_iter()
        .map(|ph| {
            Item::new(
                PhaseFields {
                    name: ph.phase.name.clone(),
                    start_date: ph.phase.start_date.to_string(),
                    end_date: ph.phase.end_date.to_string(),
                    counties: ph.counties.iter().map(|c| c.code.clone()).collect(),
                },
                o(),
            )
        })
        .collect();
    let mut partners: Vec<Item<PartnerFields>> = Vec::new();
    for (_, org) in organisation::partners_of(conn, p.id)? {
        if partners.iter().any(|x| x.fields.code == org.code) {
            continue;
        }
        let roles = partner::roles_in(conn, p.id, org.id)?;
        partners.push(Item::new(partner::fields_of(&org, &roles), o()));
    }
    let results_rows = fw::results_of(conn, p.id)?;
    let mut ordered = results_rows.clone();
    ordered.sort_by_key(|r| (level_rank(&r.level), r.position, r.id));
    let results = ordered
        .iter()
        .map(|r| Item {
            fields: framework::result_fields(r, &results_rows),
            origin: o(),
            archived: r.archived,
        })
        .collect();
    let inds = fw::indicators_of(conn, p.id)?;
    let mut ordered_inds: Vec<&fw::Indicator> = inds.iter().collect();
    let rank: HashMap<i32, usize> = ordered.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    ordered_inds.sort_by_key(|i| {
        (
            rank.get(&i.result_id).copied().unwrap_or(usize::MAX),
            i.position,
            i.id,
        )
    });
    let indicators = ordered_inds
        .iter()
        .map(|i| Item {
            fields: framework::indicator_fields(i, &results_rows),
            origin: o(),
            archived: i.archived,
        })
        .collect();
    let mut targets = Vec::new();
    for i in &ordered_inds {
        let mut rows = target_model::of_indicator(conn, i.id)?;
        // The whole programme first, then counties by code: the same on every backend
        // (SQLite and PostgreSQL sort NULL counties differently).
        rows.sort_by(|a, b| {
            let county = |t: &target_model::TargetRow| {
                t.location_id.and_then(|c| county_code.get(&c).cloned())
            };
            (a.period_start, a.period_end, county(a), &a.disaggregation).cmp(&(
                b.period_start,
                b.period_end,
                county(b),
                &b.disaggregation,
            ))
        });
        for e in target::fields_of(&rows, &i.code, &county_code) {
            targets.push(Item::new(e.fields, o()));
        }
    }
    let lines = budget_model::of_programme(conn, p.id)?;
    let mut budget_rows = budget::fields_of(conn, p, &lines)?;
    // By year, then the logframe's order and codes, not by database ids: the same
    // programme exports the same way from every database.
    budget_rows.sort_by(|(a, fa), (b, fb)| {
        (
            &a.fiscal_year,
            rank.get(&a.result_id),
            &fa.activity,
            &fa.description,
        )
            .cmp(&(
                &b.fiscal_year,
                rank.get(&b.result_id),
                &fb.activity,
                &fb.description,
            ))
    });
    let budget = budget_rows
        .into_iter()
        .map(|(_, f)| Item::new(f, o()))
        .collect();
    let codes = Codes::load(conn, p)?;
    let activities = activity::of_programme(conn, p.id)?
        .iter()
        .map(|a| Item::new(activity_fields(a, &codes), o()))
        .collect();
    let milestones = milestone::of_programme(conn, p.id)?
        .iter()
        .map(|m| Item::new(milestone_fields(m, &codes), o()))
        .collect();
    Ok(Logframe {
        programme: Item::new(programme::fields_of(p), o()),
        categories,
        phases,
        partners,
        results,
        indicators,
        targets,
        budget,
        activities,
        milestones,
    })
}
