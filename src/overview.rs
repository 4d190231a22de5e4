//! A programme's dashboard: each indicator's latest value, the period's milestone, %
//! achieved and RAG, to date against the end target, its parts and recent trend (all from
//! the figures engine, `crate::figures`, like every other number); milestones and
//! activities.
//!
//! The latest figure of an indicator is that of the latest period for which **every
//! county of the period's phase** has a submitted or approved value: a sum over five of
//! seven counties would look better (or worse) than it is. A newer period still being
//! reported is named as pending, with how many counties are in, and is not rated.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::chart::TrendChart;
use crate::db::DbConn;
use crate::domain::achievement::Rag;
use crate::domain::disaggregation::Dimensions;
use crate::domain::disclosure::Audience;
use crate::domain::period::Period;
use crate::error::AppResult;
use crate::figures::cache::{self, Cache};
use crate::figures::{self, Figure};
use crate::models::activity::{self, Activity};
use crate::models::category;
use crate::models::framework::{self, Indicator, IndicatorRules, ResultRow};
use crate::models::location;
use crate::models::milestone::{self, Milestone};
use crate::models::organisation::{self, Organisation};
use crate::models::programme::{self, PhaseWithCounties, Programme};

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
    /// The engine's figure for the latest quarter: kind, yes/no counties, to date, parts.
    pub figure: Option<Figure>,
}

pub struct ProgrammeOverview {
    pub programme: Programme,
    pub phases: Vec<PhaseWithCounties>,
    pub results: Vec<ResultRow>,
    pub figures: Vec<IndicatorFigure>,
    pub milestones: Vec<Milestone>,
    pub activities: Vec<Activity>,
    pub trends: HashMap<i32, TrendChart>,
    /// The programme's disaggregation categories, to label the parts.
    pub dimensions: Dimensions,
}

impl ProgrammeOverview {
    /// The whole dashboard as at `today`: figures with their parts and to date.
    pub fn load(
        conn: &mut DbConn,
        programme: Programme,
        today: NaiveDate,
        audience: Audience,
    ) -> AppResult<ProgrammeOverview> {
        Self::load_with(conn, programme, today, true, audience)
    }

    /// The home page's card as at `today`, kept under the programme's data version (one
    /// per audience: a donor's card counts only what partners may see): figures and
    /// ratings only (no parts, no running totals).
    pub fn summary(
        conn: &mut DbConn,
        cache: &Cache,
        programme: Programme,
        today: NaiveDate,
        audience: Audience,
    ) -> AppResult<Arc<ProgrammeOverview>> {
        let key = cache::Key::new(&programme, today, "summary").variant(audience_variant(audience));
        cache.get_or_make(key, || {
            Self::load_with(conn, programme, today, false, audience)
        })
    }

    fn load_with(
        conn: &mut DbConn,
        programme: Programme,
        today: NaiveDate,
        detail: bool,
        audience: Audience,
    ) -> AppResult<ProgrammeOverview> {
        let phases = programme::phases_of(conn, programme.id)?;
        // The dashboard shows the live framework; archived parts stay in history and reports.
        let mut results = framework::results_of(conn, programme.id)?;
        results.retain(|r| !r.archived);
        let (figures, trends) =
            figures_and_trends(conn, &programme, &phases, today, detail, audience)?;
        let milestones = milestone::of_programme(conn, programme.id)?;
        let activities = activity::of_programme(conn, programme.id)?;
        let dimensions = category::dimensions(conn, programme.id)?;
        Ok(ProgrammeOverview {
            programme,
            phases,
            results,
            figures,
            milestones,
            activities,
            trends,
            dimensions,
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

/// A programme's dashboard page and API answer: the overview, and the names it shows
/// (partners, counties, lead organisations).
pub struct Dashboard {
    pub overview: ProgrammeOverview,
    pub partners: Vec<(String, Organisation)>,
    pub county_names: HashMap<i32, String>,
    pub organisation_names: HashMap<i32, String>,
    /// Who the figures were cut for.
    pub audience: Audience,
}

/// A cache variant per audience, so that a donor is never served what was kept for the
/// programme team, nor the team a partner's cut-down copy.
pub fn audience_variant(audience: Audience) -> u32 {
    match audience {
        Audience::Team => 0,
        Audience::Partners => 1,
        Audience::Public => 2,
    }
}

/// The dashboard as at `today` as `audience` may see it, kept under the programme's
/// data version (which county and organisation renames bump too) and the audience.
pub fn dashboard(
    conn: &mut DbConn,
    cache: &Cache,
    programme: Programme,
    today: NaiveDate,
    audience: Audience,
) -> AppResult<Arc<Dashboard>> {
    let key = cache::Key::new(&programme, today, "dashboard").variant(audience_variant(audience));
    cache.get_or_make(key, || {
        let partners = organisation::partners_of(conn, programme.id)?;
        let county_names = location::county_names(conn)?;
        let organisation_names = organisation::short_names(conn)?;
        Ok(Dashboard {
            overview: ProgrammeOverview::load(conn, programme, today, audience)?,
            partners,
            county_names,
            organisation_names,
            audience,
        })
    })
}

/// Every indicator of the programme with its latest complete figure as at `today`.
pub fn indicator_figures(
    conn: &mut DbConn,
    programme: &Programme,
    today: NaiveDate,
) -> AppResult<Vec<IndicatorFigure>> {
    let phases = programme::phases_of(conn, programme.id)?;
    Ok(figures_and_trends(conn, programme, &phases, today, true, Audience::Team)?.0)
}

/// The dashboard's figures from the figures engine: the window is TREND_PERIODS quarters
/// and one more back from the programme's last quarter that has begun, so a complete
/// quarter is found even when the newest one is still being reported.
fn figures_and_trends(
    conn: &mut DbConn,
    programme: &Programme,
    phases: &[PhaseWithCounties],
    today: NaiveDate,
    detail: bool,
    audience: Audience,
) -> AppResult<(Vec<IndicatorFigure>, HashMap<i32, TrendChart>)> {
    let req = figures::Request {
        basis: figures::Basis::Reported,
        indicator: None,
        counties: None,
        // Each county's own figure of the latest quarter, for the dashboard's county map.
        by_county: detail,
        parts: detail,
        to_date: detail,
        history: 0,
        indicators: figures::Indicators::Active,
    };
    let latest = figures::latest(conn, programme, phases, today, TREND_PERIODS + 1, &req)?;
    let mut out = Vec::with_capacity(latest.len());
    let mut trends = HashMap::new();
    for mut l in latest {
        // What the audience may not see is left out here, before anything is kept: an
        // indicator above its level, and county figures under a small-number rule.
        if !audience.may_see(l.indicator.level()) {
            continue;
        }
        l.figure = l.figure.and_then(|(q, f)| {
            figures::shared::disclose_figure(&l.indicator, f, audience).map(|f| (q, f))
        });
        let mut trend = l.trend;
        // The chart ends with the newest quarter that has any value, and shows at most
        // TREND_PERIODS quarters from the first with a value or a milestone.
        let newest = l
            .pending
            .as_ref()
            .map(|(q, _)| *q)
            .or(l.figure.as_ref().map(|(q, _)| *q))
            .map(|q| q.id());
        let end = newest
            .and_then(|id| trend.labels.iter().position(|l| *l == id))
            .map_or(0, |i| i + 1);
        trend.labels.truncate(end);
        trend.actual.truncate(end);
        trend.target.truncate(end);
        let first = trend
            .actual
            .iter()
            .zip(&trend.target)
            .position(|(a, t)| a.is_some() || t.is_some())
            .unwrap_or(trend.labels.len());
        let keep = first.max(trend.labels.len().saturating_sub(TREND_PERIODS));
        trend.labels.drain(..keep);
        trend.actual.drain(..keep);
        trend.target.drain(..keep);
        trends.insert(l.indicator.id, trend);
        let latest = l.figure.as_ref().map(|(q, f)| LatestFigure {
            period: *q,
            value: f.value.or(l.so_far).unwrap_or(0.0),
            counties: f.completeness.reported,
            expected_counties: f.completeness.expected,
            provisional: f.provisional,
        });
        let complete = l.figure.as_ref().is_some_and(|(_, f)| f.complete());
        out.push(IndicatorFigure {
            milestone: l.figure.as_ref().and_then(|(_, f)| f.target),
            percent: l
                .figure
                .as_ref()
                .filter(|_| complete)
                .and_then(|(_, f)| f.percent),
            rag: l
                .figure
                .as_ref()
                .filter(|_| complete)
                .and_then(|(_, f)| f.rag),
            pending: l.pending.map(|(period, c)| Pending {
                period,
                counties: c.reported,
                expected_counties: c.expected,
            }),
            figure: l.figure.map(|(_, f)| f),
            latest,
            indicator: l.indicator,
            rules: l.rules,
        });
    }
    Ok((out, trends))
}
