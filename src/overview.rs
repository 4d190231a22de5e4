//! A programme's figures: each indicator's latest value, the period's milestone, %
//! achieved and RAG, and its recent trend; milestones and activities. Assembled from
//! models and the domain rules, used by the pages, the API and the reports alike so
//! that they can never disagree.
//!
//! The latest figure of an indicator is that of the latest period for which **every
//! county of the period's phase** has a submitted or approved value: a sum over five of
//! seven counties would look better (or worse) than it is. A newer period still being
//! reported is named as pending, with how many counties are in, and is not rated.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::chart::TrendChart;
use crate::db::DbConn;
use crate::domain::achievement::{percent_achieved, rag, Rag};
use crate::domain::period::Period;
use crate::error::AppResult;
use crate::models::activity::{self, Activity};
use crate::models::framework::{self, Indicator, IndicatorRules, ResultRow};
use crate::models::milestone::{self, Milestone};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::values;

/// Periods shown in the dashboard's trend lines.
pub const TREND_PERIODS: usize = 8;

#[derive(Debug, Clone)]
pub struct LatestFigure {
    pub period: Period,
    /// The county values combined by the indicator's own rule.
    pub value: f64,
    /// How many counties reported, and how many the phase covers.
    pub counties: usize,
    pub expected_counties: usize,
    /// True while any of the values behind it is submitted but not yet approved.
    pub provisional: bool,
}

impl LatestFigure {
    pub fn complete(&self) -> bool {
        self.counties >= self.expected_counties
    }
}

/// A period newer than the latest figure, still being reported.
#[derive(Debug, Clone)]
pub struct Pending {
    pub period: Period,
    pub counties: usize,
    pub expected_counties: usize,
}

#[derive(Debug, Clone)]
pub struct IndicatorFigure {
    pub indicator: Indicator,
    pub rules: IndicatorRules,
    pub latest: Option<LatestFigure>,
    pub pending: Option<Pending>,
    /// The logframe milestone (planned value) for the latest figure's period.
    pub milestone: Option<f64>,
    pub percent: Option<f64>,
    pub rag: Option<Rag>,
}

pub struct ProgrammeOverview {
    pub programme: Programme,
    pub phases: Vec<PhaseWithCounties>,
    pub results: Vec<ResultRow>,
    pub figures: Vec<IndicatorFigure>,
    pub milestones: Vec<Milestone>,
    pub activities: Vec<Activity>,
    pub trends: HashMap<i32, TrendChart>,
}

impl ProgrammeOverview {
    pub fn load(conn: &mut DbConn, programme: Programme) -> AppResult<ProgrammeOverview> {
        let phases = programme::phases_of(conn, programme.id)?;
        // The dashboard shows the live framework; archived parts stay in history and reports.
        let mut results = framework::results_of(conn, programme.id)?;
        results.retain(|r| !r.archived);
        let (figures, trends) = figures_and_trends(conn, &programme, &phases)?;
        let milestones = milestone::of_programme(conn, programme.id)?;
        let activities = activity::of_programme(conn, programme.id)?;
        Ok(ProgrammeOverview {
            programme,
            phases,
            results,
            figures,
            milestones,
            activities,
            trends,
        })
    }

    pub fn current_phase(&self, today: NaiveDate) -> Option<&PhaseWithCounties> {
        programme::current_phase(&self.phases, today)
    }

    pub fn rag_counts(&self) -> RagCounts {
        let mut c = RagCounts::default();
        for f in &self.figures {
            match f.rag {
                Some(Rag::Green) => c.green += 1,
                Some(Rag::Amber) => c.amber += 1,
                Some(Rag::Red) => c.red += 1,
                None => c.unrated += 1,
            }
        }
        c
    }

    pub fn overdue_milestones(&self, today: NaiveDate) -> usize {
        self.milestones
            .iter()
            .filter(|m| m.is_overdue(today))
            .count()
    }
}

#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct RagCounts {
    pub green: usize,
    pub amber: usize,
    pub red: usize,
    pub unrated: usize,
}

/// How many counties the phase covering `period` has (the phase containing its start
/// when a period straddles two).
pub fn expected_counties(phases: &[PhaseWithCounties], period: &Period) -> usize {
    programme::phase_of(phases, period)
        .map(|ph| ph.counties.len())
        .unwrap_or(0)
}

/// Every indicator of the programme with its latest complete figure.
pub fn indicator_figures(
    conn: &mut DbConn,
    programme: &Programme,
) -> AppResult<Vec<IndicatorFigure>> {
    let phases = programme::phases_of(conn, programme.id)?;
    Ok(figures_and_trends(conn, programme, &phases)?.0)
}

struct PeriodTotal {
    period: Period,
    sum: f64,
    counted: usize,
    approved: usize,
}

/// Figures and trends from two grouped queries over the recent window (a few hundred
/// rows whatever the length of the programme's history).
fn figures_and_trends(
    conn: &mut DbConn,
    programme: &Programme,
    phases: &[PhaseWithCounties],
) -> AppResult<(Vec<IndicatorFigure>, HashMap<i32, TrendChart>)> {
    let indicators = framework::active_indicators_of(conn, programme.id)?;
    // The window: TREND_PERIODS quarters and one more back from the programme's last
    // quarter that has begun, so a complete period is found even when the newest one is
    // still being reported. Anchored on dates, not data, so finding it costs no query.
    let anchor = crate::web::today()
        .min(programme.end_date)
        .max(programme.start_date);
    let mut first = Period::quarter_containing(anchor);
    for _ in 0..=TREND_PERIODS {
        first = first.prev();
    }
    let since = first.start();
    let mut by_indicator: HashMap<i32, Vec<PeriodTotal>> = HashMap::new();
    for r in values::period_totals(conn, programme.id, since)? {
        let Ok(parsed) = Period::parse(&r.period) else {
            continue;
        };
        by_indicator
            .entry(r.indicator_id)
            .or_default()
            .push(PeriodTotal {
                period: parsed,
                sum: r.sum,
                counted: r.count.max(0) as usize,
                approved: r.approved.max(0) as usize,
            });
    }
    let targets: HashMap<(i32, String), f64> = values::targets_since(conn, programme.id, since)?
        .into_iter()
        .map(|t| ((t.indicator_id, t.period), t.value))
        .collect();
    let thresholds = programme.thresholds();

    let mut figures = Vec::with_capacity(indicators.len());
    let mut trends = HashMap::new();
    for indicator in indicators {
        let rules = indicator.rules()?;
        let mut totals = by_indicator.remove(&indicator.id).unwrap_or_default();
        totals.sort_by_key(|t| t.period);
        let combine = |t: &PeriodTotal| rules.county.from_total(t.sum, t.counted);
        let figure_of = |t: &PeriodTotal| LatestFigure {
            period: t.period,
            value: combine(t),
            counties: t.counted,
            expected_counties: expected_counties(phases, &t.period),
            provisional: t.approved < t.counted,
        };
        let latest_complete = totals
            .iter()
            .rev()
            .map(figure_of)
            .find(LatestFigure::complete);
        let newest = totals.last().map(figure_of);
        let (latest, pending) = match (latest_complete, newest) {
            (Some(l), Some(n)) if n.period != l.period => (
                Some(l),
                Some(Pending {
                    period: n.period,
                    counties: n.counties,
                    expected_counties: n.expected_counties,
                }),
            ),
            (Some(l), _) => (Some(l), None),
            // Nothing complete yet: show the newest, and say how partial it is.
            (None, n) => (n, None),
        };
        let milestone = latest
            .as_ref()
            .and_then(|l| targets.get(&(indicator.id, l.period.id())).copied());
        let percent = match (&latest, milestone) {
            (Some(l), Some(t)) if l.complete() => percent_achieved(l.value, t, rules.direction),
            _ => None,
        };
        let rag = percent.map(|p| rag(p, &thresholds));

        let recent: Vec<&PeriodTotal> = totals.iter().rev().take(TREND_PERIODS).rev().collect();
        trends.insert(
            indicator.id,
            TrendChart {
                labels: recent.iter().map(|t| t.period.id()).collect(),
                // A period still being reported is a gap, not a dip: the same rule as
                // the latest figure.
                actual: recent
                    .iter()
                    .map(|t| {
                        (t.counted >= expected_counties(phases, &t.period)).then(|| combine(t))
                    })
                    .collect(),
                target: recent
                    .iter()
                    .map(|t| targets.get(&(indicator.id, t.period.id())).copied())
                    .collect(),
            },
        );
        figures.push(IndicatorFigure {
            indicator,
            rules,
            latest,
            pending,
            milestone,
            percent,
            rag,
        });
    }
    Ok((figures, trends))
}
