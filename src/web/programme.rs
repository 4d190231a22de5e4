use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use rocket::State;
use rocket_dyn_templates::{context, Metadata, Template};
use serde::Serialize;
use serde_json::json;

use super::view::render;
use super::view::{self, RagView};
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::domain::disaggregation::Dimensions;
use crate::domain::score::{suggest_output_score, SCORE_RULE};
use crate::domain::unit::{format_minor, Unit};
use crate::error::{AppError, AppResult};
use crate::figures::cache::{self, Cache};
use crate::figures::{self, kind};
use crate::format;
use crate::models::framework::{level_rank, ResultRow};
use crate::models::{activity, milestone, organisation};
use crate::overview::{self, Dashboard, IndicatorFigure, ProgrammeOverview};

#[derive(Serialize)]
struct IndicatorRow {
    code: String,
    title: String,
    definition: String,
    unit: &'static str,
    direction: &'static str,
    baseline: String,
    baseline_date: String,
    latest: String,
    latest_period: String,
    counties: usize,
    expected: usize,
    pending: Option<String>,
    provisional: bool,
    milestone: String,
    end_target: String,
    percent: String,
    bar: u32,
    rag: Option<RagView>,
    spark: String,
    /// What the latest figure is, where not obvious ("mean of counties").
    kind: Option<String>,
    /// To date against the end target, what that figure is, and its progress (0–100).
    to_date: String,
    to_date_what: String,
    to_date_bar: Option<u32>,
    /// The latest figure's disaggregated parts: (label, value).
    parts: Vec<(String, String)>,
}

#[derive(Serialize)]
struct Node {
    depth: usize,
    level: &'static str,
    code: String,
    statement: String,
    weighting: Option<String>,
    risk: Option<String>,
    assumptions: String,
    score: Option<(&'static str, &'static str)>,
    indicators: Vec<IndicatorRow>,
}

#[derive(Serialize)]
struct MilestoneRow {
    id: i32,
    title: String,
    output: String,
    county: String,
    due: String,
    status: &'static str,
    overdue: bool,
}

#[derive(Serialize)]
struct ActivityRow {
    id: i32,
    code: String,
    title: String,
    lead: String,
    county: String,
    planned: String,
    percent: i32,
    budget: String,
    spend: String,
    late: bool,
}

#[derive(Serialize)]
struct ActivityGroup {
    status: &'static str,
    rows: Vec<ActivityRow>,
}

#[rocket::get("/programmes/<code>")]
pub async fn show(
    db: &State<Db>,
    cache: &State<Cache>,
    signed: &Signed,
    code: &str,
    flash: Option<rocket::request::FlashMessage<'_>>,
    templates: Metadata<'_>,
) -> AppResult<Template> {
    let code = code.to_string();
    let today = crate::clock::today();
    let access = signed.access.clone();
    let cache = cache.inner().clone();
    let d = {
        let cache = cache.clone();
        db.run(move |conn| {
            let p = access.programme(conn, &code, Permission::ViewDashboard)?;
            let audience = access.audience(p.id);
            overview::dashboard(conn, &cache, p, today, audience)
        })
        .await?
    };
    let p = &d.overview.programme;
    let can = Can {
        enter: signed.access.can(p.id, Permission::ViewDetail),
        edit: signed.access.can(p.id, Permission::Edit) && p.is_active(),
        compare: signed.access.can(p.id, Permission::Export),
        setup: signed.access.can(p.id, Permission::Setup),
    };
    // The page's body is the same for everyone whose role shows the same links, until
    // the data or the day changes: kept rendered under the programme's data version. A
    // page with a message on it (after a change) is made afresh.
    let make = |flash: Option<String>| {
        templates
            .render("programme_body", body(&d, can, today, flash))
            .map(|(_, html)| html)
            .ok_or_else(|| AppError::Internal("the template programme_body is missing".into()))
    };
    let html = match flash {
        None => cache.get_or_make(
            cache::Key::new(p, today, "dashboard page").variant(
                can.bits() | overview::audience_variant(signed.access.audience(p.id)) << 8,
            ),
            || make(None),
        )?,
        Some(f) => Arc::new(make(Some(f.message().to_string()))?),
    };
    Ok(render(
        "programme",
        Some(signed),
        json!({ "demo": p.is_demo, "name": &p.name, "body": html.as_str() }),
    ))
}

/// Said wherever an export is offered: a file leaves the tracker, so it is cut for
/// partners whoever downloads it.
pub const EXPORT_NOTE: &str = "Exported files leave the tracker, so they are for partners whoever downloads them: internal indicators and county figures under a small-number rule are left out.";

/// Said to a donor above the figures: what the page leaves out, and why.
pub const PARTNERS_NOTE: &str = "You see this programme as a partner: indicators the programme keeps internal are not shown, and a county figure under a small-number rule is left out of the county map (the programme's totals include it).";

/// Which of the page's links the reader's roles give.
#[derive(Clone, Copy)]
struct Can {
    enter: bool,
    edit: bool,
    compare: bool,
    setup: bool,
}

impl Can {
    fn bits(self) -> u32 {
        u32::from(self.enter)
            | u32::from(self.edit) << 1
            | u32::from(self.compare) << 2
            | u32::from(self.setup) << 3
    }
}

/// The dashboard page's values (all but who is signed in).
fn body(d: &Dashboard, can: Can, today: NaiveDate, flash: Option<String>) -> impl Serialize + '_ {
    let (o, partners) = (&d.overview, &d.partners);
    let (county_name, org_name) = (&d.county_names, &d.organisation_names);
    let p = &o.programme;
    let result_code: HashMap<i32, String> =
        o.results.iter().map(|r| (r.id, r.code.clone())).collect();

    let mut partner_lines: Vec<(String, Vec<String>)> = Vec::new();
    for (role, org) in partners {
        let label = organisation::role_label(role).to_string();
        match partner_lines.iter_mut().find(|(l, _)| *l == label) {
            Some((_, names)) => names.push(org.name.clone()),
            None => partner_lines.push((label, vec![org.name.clone()])),
        }
    }
    let current = o.current_phase(today).map(|c| c.phase.id);
    let phases: Vec<_> = o
        .phases
        .iter()
        .map(|ph| {
            context! {
                name: &ph.phase.name,
                dates: format::month_range(ph.phase.start_date, ph.phase.end_date),
                current: Some(ph.phase.id) == current,
                running: ph.contains(today),
                counties: ph.counties.iter().map(|c| context! { name: &c.name, code: &c.code, initial: c.mou_initial }).collect::<Vec<_>>(),
            }
        })
        .collect();

    let tree = tree(o, &p.currency);
    let mut attention: Vec<MilestoneRow> = o
        .milestones
        .iter()
        .filter(|m| m.is_open() && m.due_date <= today + chrono::Days::new(90))
        .map(|m| MilestoneRow {
            id: m.id,
            title: m.title.clone(),
            output: m
                .result_id
                .and_then(|r| result_code.get(&r).cloned())
                .unwrap_or_default(),
            county: m
                .location_id
                .and_then(|l| county_name.get(&l).cloned())
                .unwrap_or_else(|| "All".into()),
            due: format::date(m.due_date),
            status: milestone::status_label(&m.status),
            overdue: m.is_overdue(today),
        })
        .collect();
    attention.sort_by_key(|m| !m.overdue);
    let completed = o
        .milestones
        .iter()
        .filter(|m| m.status == "completed")
        .count();

    let groups: Vec<ActivityGroup> = activity::STATUSES
        .iter()
        .map(|s| ActivityGroup {
            status: activity::status_label(s),
            rows: o
                .activities
                .iter()
                .filter(|a| a.status == *s)
                .map(|a| ActivityRow {
                    id: a.id,
                    code: a.code.clone(),
                    title: a.title.clone(),
                    lead: a
                        .lead_organisation_id
                        .and_then(|i| org_name.get(&i).cloned())
                        .unwrap_or_default(),
                    county: a
                        .location_id
                        .and_then(|l| county_name.get(&l).cloned())
                        .unwrap_or_else(|| "All".into()),
                    planned: format::month_range(a.planned_start, a.planned_end),
                    percent: a.percent_complete,
                    budget: format_minor(a.budget_minor, &p.currency),
                    spend: format_minor(a.spend_minor, &p.currency),
                    late: a.is_late(today),
                })
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let budget: i64 = o.activities.iter().map(|a| a.budget_minor).sum();
    let spend: i64 = o.activities.iter().map(|a| a.spend_minor).sum();
    // Activities by county and status, for the county-by-county view.
    let mut by_county: std::collections::BTreeMap<String, [usize; 5]> =
        std::collections::BTreeMap::new();
    for a in &o.activities {
        let county = a
            .location_id
            .and_then(|l| county_name.get(&l).cloned())
            .unwrap_or_else(|| "All counties".into());
        if let Some(i) = activity::STATUSES.iter().position(|s| *s == a.status) {
            by_county.entry(county).or_insert([0; 5])[i] += 1;
        }
    }
    let status_labels: Vec<&str> = activity::STATUSES
        .iter()
        .map(|s| activity::status_label(s))
        .collect();
    let burn = crate::format::burn_rate(budget, spend);

    // A context, not a `json!` tree: the template engine turns it into its own value
    // tree anyway, and building a tree first copied the whole page's data twice.
    context! {
        can_enter: can.enter,
        can_edit: can.edit,
        can_compare: can.compare,
        can_setup: can.setup,
        programme: context! {
            code: &p.code, name: &p.name, description: &p.description,
            dates: format::month_range(p.start_date, p.end_date), currency: &p.currency,
        },
        partners: partner_lines,
        phases: phases,
        rag_rule: p.thresholds().describe(),
        score_rule: SCORE_RULE,
        rag_counts: o.rag_counts(),
        tree: tree,
        attention: attention,
        milestones_total: o.milestones.len(),
        milestones_completed: completed,
        activity_groups: groups,
        budget: format_minor(budget, &p.currency),
        spend: format_minor(spend, &p.currency),
        burn: burn,
        by_county: by_county.into_iter().collect::<Vec<_>>(),
        status_labels: status_labels,
        county_map: super::county_map::view(o),
        partners_view: d.audience != crate::domain::disclosure::Audience::Team,
        export_note: EXPORT_NOTE,
        flash: flash,
        partners_note: PARTNERS_NOTE,
    }
}

/// The logframe in reading order: impact, then each outcome followed by its outputs.
fn tree(o: &ProgrammeOverview, currency: &str) -> Vec<Node> {
    let mut by_result: HashMap<i32, Vec<&IndicatorFigure>> = HashMap::new();
    for f in &o.figures {
        by_result.entry(f.indicator.result_id).or_default().push(f);
    }
    let mut out = Vec::new();
    let mut roots: Vec<&ResultRow> = o.results.iter().filter(|r| r.parent_id.is_none()).collect();
    roots.sort_by_key(|r| (level_rank(&r.level), r.position));
    for r in roots {
        walk(o, r, 0, &by_result, currency, &mut out);
    }
    out
}

fn walk(
    o: &ProgrammeOverview,
    r: &ResultRow,
    depth: usize,
    by_result: &HashMap<i32, Vec<&IndicatorFigure>>,
    currency: &str,
    out: &mut Vec<Node>,
) {
    let figures = by_result.get(&r.id).cloned().unwrap_or_default();
    let score = if r.level == "output" {
        let percents: Vec<f64> = figures.iter().filter_map(|f| f.percent).collect();
        suggest_output_score(&percents).map(|s| (s.as_str(), s.description()))
    } else {
        None
    };
    out.push(Node {
        depth,
        level: match r.level.as_str() {
            "impact" => "Impact",
            "outcome" => "Outcome",
            _ => "Output",
        },
        code: r.code.clone(),
        statement: r.statement.clone(),
        weighting: r.impact_weighting.map(|w| format!("{w:.0}%")),
        risk: r.risk_rating.clone(),
        assumptions: r.assumptions.clone(),
        score,
        indicators: figures
            .iter()
            .map(|f| indicator_row(f, currency, o.trends.get(&f.indicator.id), &o.dimensions))
            .collect(),
    });
    let mut children: Vec<&ResultRow> = o
        .results
        .iter()
        .filter(|c| c.parent_id == Some(r.id))
        .collect();
    children.sort_by_key(|c| c.position);
    for c in children {
        walk(o, c, depth + 1, by_result, currency, out);
    }
}

fn indicator_row(
    f: &IndicatorFigure,
    currency: &str,
    trend: Option<&crate::chart::TrendChart>,
    dims: &Dimensions,
) -> IndicatorRow {
    let i = &f.indicator;
    let unit: Unit = f.rules.unit;
    IndicatorRow {
        code: i.code.clone(),
        title: i.title.clone(),
        definition: i.definition.clone(),
        unit: unit.label(),
        direction: f.rules.direction.label(),
        baseline: format::value(unit, i.baseline_value, currency),
        baseline_date: i.baseline_date.map(format::month).unwrap_or_default(),
        latest: match f.figure.as_ref().and_then(|g| g.yes) {
            Some(y) => kind::yes_counties(&y),
            None => format::value(unit, f.latest.as_ref().map(|l| l.value), currency),
        },
        latest_period: f
            .latest
            .as_ref()
            .map(|l| l.period.label())
            .unwrap_or_default(),
        counties: f.latest.as_ref().map(|l| l.counties).unwrap_or(0),
        expected: f.latest.as_ref().map(|l| l.expected_counties).unwrap_or(0),
        pending: f.pending.as_ref().map(|p| {
            format!(
                "{}: {} of {} counties so far",
                p.period.id(),
                p.counties,
                p.expected_counties
            )
        }),
        provisional: f.latest.as_ref().is_some_and(|l| l.provisional),
        milestone: match f.figure.as_ref() {
            Some(g) => kind::milestone(g, unit, currency),
            None => format::value(unit, f.milestone, currency),
        },
        end_target: format::value(unit, i.end_target, currency),
        percent: format::percent(f.percent),
        bar: f
            .percent
            .map(|p| p.clamp(0.0, 100.0).round() as u32)
            .unwrap_or(0),
        rag: view::rag(f.rag),
        spark: trend
            .map(|t| crate::chart::sparkline(t, &format!("{} over recent periods", i.code)))
            .unwrap_or_default(),
        kind: f.figure.as_ref().and_then(|g| {
            let q = f.latest.as_ref()?.period;
            kind::describe(g, &figures::Span::quarter(q))
        }),
        to_date: f
            .figure
            .as_ref()
            .map(|g| kind::to_date_value(&g.to_date, unit, currency))
            .unwrap_or_else(|| "—".into()),
        to_date_what: f
            .figure
            .as_ref()
            .filter(|g| g.to_date.value.is_some())
            .map(|g| match kind::to_date_gaps(&g.to_date) {
                Some(gaps) => format!("{}; {gaps}", kind::to_date(&g.to_date)),
                None => kind::to_date(&g.to_date),
            })
            .unwrap_or_default(),
        to_date_bar: f
            .figure
            .as_ref()
            .and_then(|g| g.to_date.percent.filter(|_| g.to_date.value.is_some()))
            .map(|p| p.clamp(0.0, 100.0).round() as u32),
        parts: f
            .figure
            .as_ref()
            .map(|g| {
                g.parts
                    .iter()
                    .map(|p| (dims.label(&p.key), format::value(unit, p.value, currency)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}
