//! A programme's figures: each indicator's latest value, the period's milestone, % achieved
//! and RAG; milestones and activities. Assembled from models and the domain rules, used
//! by the pages, the API and the reports alike so that they can never disagree.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::DbConn;
use crate::domain::achievement::{percent_achieved, rag, Rag};
use crate::domain::aggregation::aggregate_counties;
use crate::domain::period::Period;
use crate::error::AppResult;
use crate::models::activity::{self, Activity};
use crate::models::framework::{self, Indicator, IndicatorRules, ResultRow};
use crate::models::milestone::{self, Milestone};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::values::{self, IndicatorValue, Target};

/// The latest reported figure of an indicator: its county values combined by the
/// indicator's own rule.
#[derive(Debug, Clone)]
pub struct LatestFigure {
    pub period: Period,
    pub value: f64,
    /// How many counties reported it.
    pub counties: usize,
    /// True while any of the values behind it is submitted but not yet approved.
    pub provisional: bool,
}

#[derive(Debug, Clone)]
pub struct IndicatorFigure {
    pub indicator: Indicator,
    pub rules: IndicatorRules,
    pub latest: Option<LatestFigure>,
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
}

impl ProgrammeOverview {
    pub fn load(conn: &mut DbConn, programme: Programme) -> AppResult<ProgrammeOverview> {
        let phases = programme::phases_of(conn, programme.id)?;
        let results = framework::results_of(conn, programme.id)?;
        let figures = indicator_figures(conn, &programme)?;
        let milestones = milestone::of_programme(conn, programme.id)?;
        let activities = activity::of_programme(conn, programme.id)?;
        Ok(ProgrammeOverview {
            programme,
            phases,
            results,
            figures,
            milestones,
            activities,
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

/// Every indicator of the programme with its latest counted figure. Two queries find
/// the latest period per indicator and its values, so the cost does not grow with the
/// length of the programme's history.
pub fn indicator_figures(
    conn: &mut DbConn,
    programme: &Programme,
) -> AppResult<Vec<IndicatorFigure>> {
    let indicators = framework::indicators_of(conn, programme.id)?;
    let latest_end: HashMap<i32, NaiveDate> = values::latest_period_ends(conn, programme.id)?
        .into_iter()
        .collect();
    let mut ends: Vec<NaiveDate> = latest_end.values().copied().collect();
    ends.sort();
    ends.dedup();
    let mut by_indicator: HashMap<i32, Vec<IndicatorValue>> = HashMap::new();
    for v in values::counted_values_ending(conn, programme.id, &ends)? {
        if v.disaggregation.is_empty() && latest_end.get(&v.indicator_id) == Some(&v.period_end) {
            by_indicator.entry(v.indicator_id).or_default().push(v);
        }
    }
    let targets: HashMap<(i32, String), f64> = values::targets_of_programme(conn, programme.id)?
        .into_iter()
        .map(|t: Target| ((t.indicator_id, t.period), t.value))
        .collect();
    let thresholds = programme.thresholds();

    let mut out = Vec::with_capacity(indicators.len());
    for indicator in indicators {
        let rules = indicator.rules()?;
        let latest = by_indicator
            .get(&indicator.id)
            .and_then(|vals| latest_figure(rules, vals));
        let milestone = latest
            .as_ref()
            .and_then(|l| targets.get(&(indicator.id, l.period.id())).copied());
        let percent = match (&latest, milestone) {
            (Some(l), Some(t)) => percent_achieved(l.value, t, rules.direction),
            _ => None,
        };
        let rag = percent.map(|p| rag(p, &thresholds));
        out.push(IndicatorFigure {
            indicator,
            rules,
            latest,
            milestone,
            percent,
            rag,
        });
    }
    Ok(out)
}

/// Values of one indicator ending on the same day may belong to periods of different
/// length (a quarter and a month); the shortest period, the most recent start, wins.
fn latest_figure(rules: IndicatorRules, vals: &[IndicatorValue]) -> Option<LatestFigure> {
    let newest_start = vals.iter().map(|v| v.period_start).max()?;
    let chosen: Vec<&IndicatorValue> = vals
        .iter()
        .filter(|v| v.period_start == newest_start)
        .collect();
    let period = Period::parse(&chosen.first()?.period).ok()?;
    let numbers: Vec<f64> = chosen.iter().map(|v| v.value).collect();
    let value = aggregate_counties(rules.county, &numbers)?;
    Some(LatestFigure {
        period,
        value,
        counties: chosen.len(),
        provisional: chosen.iter().any(|v| v.status != "approved"),
    })
}
