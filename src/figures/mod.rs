//! THE read model: what a programme's numbers are, for any span of quarters and any set
//! of counties. The dashboard, the indicator page, the API, the donor and ministry
//! reports, comparisons and exports read their figures here and nowhere else, so the
//! same span gives the same figure wherever it is shown.
//!
//! [`load`] reads grouped totals — for every county from the totals the database keeps
//! per indicator, part and period (`value_totals`, maintained by triggers), for a county
//! subset by one grouped query over the covering index; everything after it is pure
//! ([`compute`], [`span`]) and tested without a database.

pub mod cache;
pub mod compute;
pub mod kind;
pub mod shared;
pub mod span;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::chart::TrendChart;
use crate::db::DbConn;
use crate::domain::aggregation::PeriodAggregation;
use crate::domain::disaggregation::Dimensions;
use crate::domain::period::Period;
use crate::error::AppResult;
use crate::models::framework::{self, Indicator, IndicatorRules};
use crate::models::location::Location;
use crate::models::programme::{PhaseWithCounties, Programme};
use crate::models::{category, values};

pub use crate::models::values::Basis;
pub use compute::{Completeness, Figure, IndicatorTotals, Kind, Part, ToDate, YesCount};
pub use span::{QuarterCounties, Span, SpanError};

/// Which indicators a figure set lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicators {
    /// The live framework only (the dashboard).
    Active,
    /// The live framework, and archived indicators with values in the span (reports,
    /// comparisons: history stays).
    WithHistory,
}

/// What to read for a span.
#[derive(Debug, Clone)]
pub struct Request {
    pub basis: Basis,
    /// Only this indicator (None: all of the programme's).
    pub indicator: Option<i32>,
    /// Only these counties (None: every county of each quarter's phase).
    pub counties: Option<BTreeSet<i32>>,
    /// Each county's own figure.
    pub by_county: bool,
    /// The disaggregated parts.
    pub parts: bool,
    /// The running figure to date (a grouped read over the whole history, so asked for
    /// only where it is shown).
    pub to_date: bool,
    /// How many quarters, ending with the span's last, each chart holds (0: no chart).
    pub history: usize,
    pub indicators: Indicators,
}

impl Request {
    /// Approved figures of every county, with counties and parts: what a report prints.
    pub fn report(history: usize) -> Request {
        Request {
            basis: Basis::Approved,
            indicator: None,
            counties: None,
            by_county: true,
            parts: true,
            to_date: true,
            history,
            indicators: Indicators::WithHistory,
        }
    }
}

/// One indicator with its figure over the span.
#[derive(Debug, Clone)]
pub struct IndicatorFigure {
    pub indicator: Indicator,
    pub rules: IndicatorRules,
    pub figure: Figure,
    /// Quarter by quarter against milestones, when asked for.
    pub history: Option<TrendChart>,
}

/// A programme's figures over one span.
#[derive(Debug, Clone)]
pub struct SpanFigures {
    pub span: Span,
    /// Each quarter with the counties it expects.
    pub coverage: Vec<QuarterCounties>,
    /// Every county any quarter expects, in phase order.
    pub counties: Vec<Location>,
    /// "across Phase 1 (4 counties) and Phase 2 (7 counties)", when it does.
    pub phases_note: Option<String>,
    pub figures: Vec<IndicatorFigure>,
    /// The programme's disaggregation categories (when parts were asked for): labels and
    /// the order parts are listed in.
    pub dimensions: Dimensions,
}

impl SpanFigures {
    pub fn get(&self, indicator_id: i32) -> Option<&IndicatorFigure> {
        self.figures.iter().find(|f| f.indicator.id == indicator_id)
    }
}

/// The programme's quarters from its first to `last`, with the counties each expects.
fn quarters_to(
    programme: &Programme,
    phases: &[PhaseWithCounties],
    last: Period,
    only: Option<&BTreeSet<i32>>,
) -> Vec<QuarterCounties> {
    let first = Period::quarter_containing(programme.start_date);
    span::coverage(phases, Span::quarters_from(first, last).quarters(), only)
}

/// What the loader read: the indicators with their rules, their grouped totals and
/// targets, and the programme's categories.
struct Read {
    indicators: Vec<(Indicator, IndicatorRules)>,
    totals: HashMap<i32, IndicatorTotals>,
    targets: HashMap<i32, HashMap<String, f64>>,
    dimensions: Dimensions,
}

/// The grouped reads behind a figure set: totals of periods starting within
/// `from`..=`last`, each county's values over `county_from`..=`last` when asked for, and
/// the running sums to `last`.
fn read(
    conn: &mut DbConn,
    programme: &Programme,
    req: &Request,
    from: chrono::NaiveDate,
    county_from: chrono::NaiveDate,
    last: Period,
) -> AppResult<Read> {
    let ids: Option<Vec<i32>> = req.counties.as_ref().map(|o| o.iter().copied().collect());
    let cell = |sum: f64, count: i64, approved: i64| compute::Cell {
        sum,
        counties: count.max(0) as usize,
        approved: approved.max(0) as usize,
    };
    let dimensions = if req.parts {
        category::dimensions(conn, programme.id)?
    } else {
        Dimensions::default()
    };
    let keys: Vec<String> = dimensions
        .all()
        .iter()
        .flat_map(|c| {
            c.options
                .iter()
                .map(|o| crate::domain::disaggregation::key(&c.code, &o.code))
        })
        .collect();
    let mut totals: HashMap<i32, IndicatorTotals> = HashMap::new();
    for r in values::grouped_totals(
        conn,
        programme.id,
        req.indicator,
        req.basis,
        ids.as_deref(),
        &keys,
        from,
        last.end(),
    )? {
        let Ok(p) = Period::parse(&r.period) else {
            continue;
        };
        let c = cell(r.sum, r.count, r.approved);
        let t = totals.entry(r.indicator_id).or_default();
        if r.disaggregation.is_empty() {
            t.total.insert(p, c);
        } else {
            t.parts.entry(r.disaggregation).or_default().insert(p, c);
        }
    }
    if req.by_county {
        for v in values::county_totals(
            conn,
            programme.id,
            req.basis,
            ids.as_deref(),
            county_from,
            last.end(),
        )? {
            if let Ok(p) = Period::parse(&v.period) {
                totals
                    .entry(v.indicator_id)
                    .or_default()
                    .by_county
                    .entry(v.location_id)
                    .or_default()
                    .insert(p, v.value);
            }
        }
    }
    let listed = match req.indicator {
        Some(id) => framework::indicator_by_id(conn, id)?
            .filter(|i| i.programme_id == programme.id)
            .into_iter()
            .collect(),
        None => framework::indicators_of(conn, programme.id)?,
    };
    let mut indicators = Vec::with_capacity(listed.len());
    for i in listed {
        let rules = i.rules()?;
        indicators.push((i, rules));
    }
    let sums: Vec<i32> = indicators
        .iter()
        .filter(|(_, r)| r.period == PeriodAggregation::Sum)
        .map(|(i, _)| i.id)
        .collect();
    let sums = if req.to_date { sums } else { Vec::new() };
    for r in values::running_sums(conn, &sums, req.basis, ids.as_deref(), last.start())? {
        totals.entry(r.indicator_id).or_default().to_date = Some(cell(r.sum, r.count, r.approved));
    }
    let mut targets: HashMap<i32, HashMap<String, f64>> = HashMap::new();
    for (indicator_id, period, value) in
        values::target_values_between(conn, programme.id, req.indicator, from, last.end())?
    {
        targets
            .entry(indicator_id)
            .or_default()
            .insert(period, value);
    }
    Ok(Read {
        indicators,
        totals,
        targets,
        dimensions,
    })
}

impl Read {
    /// One indicator's figure over `coverage`, its parts in the programme's order.
    #[allow(clippy::too_many_arguments)]
    fn figure(
        &self,
        indicator: &Indicator,
        rules: IndicatorRules,
        thresholds: &crate::domain::achievement::RagThresholds,
        coverage: &[QuarterCounties],
        named: Option<&Period>,
        counties: &[i32],
        history: &[QuarterCounties],
    ) -> Figure {
        let r = compute::Rules {
            rules,
            targets: self.targets_of(indicator.id),
            end_target: indicator.end_target,
            thresholds,
        };
        let mut f = compute::figure(
            &r,
            self.totals_of(indicator.id),
            coverage,
            named,
            counties,
            history,
        );
        f.parts
            .sort_by_key(|p| part_order(&self.dimensions, &p.key));
        f
    }

    fn totals_of(&self, id: i32) -> &IndicatorTotals {
        static EMPTY: std::sync::OnceLock<IndicatorTotals> = std::sync::OnceLock::new();
        self.totals
            .get(&id)
            .unwrap_or_else(|| EMPTY.get_or_init(IndicatorTotals::default))
    }

    fn targets_of(&self, id: i32) -> &HashMap<String, f64> {
        static NONE: std::sync::OnceLock<HashMap<String, f64>> = std::sync::OnceLock::new();
        self.targets
            .get(&id)
            .unwrap_or_else(|| NONE.get_or_init(HashMap::new))
    }
}

/// Every indicator's figure over `span`.
pub fn load(
    conn: &mut DbConn,
    programme: &Programme,
    phases: &[PhaseWithCounties],
    span: &Span,
    req: &Request,
) -> AppResult<SpanFigures> {
    let only = req.counties.as_ref();
    let coverage = span::coverage(phases, span.quarters(), only);
    let county_ids = span::counties_in(phases, &coverage);
    let counties = locations_of(phases, &county_ids);
    let phases_note = span::phases_note(phases, &coverage);
    let (Some(first), Some(last)) = (span.first(), span.last()) else {
        return Ok(SpanFigures {
            span: span.clone(),
            coverage,
            counties,
            phases_note,
            figures: Vec::new(),
            dimensions: Dimensions::default(),
        });
    };
    // Every quarter from the programme's start to the span's end: the running figures and
    // the chart read from it. Totals are read for the chart window and the span.
    let history = quarters_to(programme, phases, last, only);
    let chart = &history[history.len().saturating_sub(req.history.max(1))..];
    let from = chart
        .first()
        .map_or(first.start(), |q| q.quarter.start().min(first.start()));
    let read = read(conn, programme, req, from, first.start(), last)?;
    let thresholds = programme.thresholds();
    let by_county: &[i32] = if req.by_county { &county_ids } else { &[] };
    let figures =
        read.indicators
            .iter()
            .filter(|(i, _)| match req.indicators {
                Indicators::Active => !i.archived,
                Indicators::WithHistory => {
                    !i.archived
                        || read.totals.get(&i.id).is_some_and(|t| {
                            span.quarters().iter().any(|q| t.total.contains_key(q))
                        })
                }
            })
            .map(|(indicator, rules)| {
                let figure = read.figure(
                    indicator,
                    *rules,
                    &thresholds,
                    &coverage,
                    span.named(),
                    by_county,
                    &history,
                );
                let history = (req.history > 0).then(|| {
                    compute::series(
                        rules,
                        read.totals_of(indicator.id),
                        chart,
                        read.targets_of(indicator.id),
                    )
                });
                IndicatorFigure {
                    indicator: indicator.clone(),
                    rules: *rules,
                    figure,
                    history,
                }
            })
            .collect();
    Ok(SpanFigures {
        span: span.clone(),
        coverage,
        counties,
        phases_note,
        figures,
        dimensions: read.dimensions,
    })
}

/// An explicit coverage to read approved figures over: each quarter with the counties it
/// is to count (a comparison's side in one county group), the period typed when there
/// was one (its own target counts), and whether the counties are each quarter's whole
/// phase (the figures then come from the kept totals, as a report's do, and targets
/// apply).
#[derive(Debug, Clone, Copy)]
pub struct Coverage<'a> {
    pub quarters: &'a [QuarterCounties],
    pub named: Option<&'a Period>,
    pub whole: bool,
}

/// Approved figures over an explicit coverage, by indicator id: [`over_coverages`] for
/// one.
pub fn over_coverage(
    conn: &mut DbConn,
    programme: &Programme,
    coverage: &[QuarterCounties],
    named: Option<&Period>,
    whole: bool,
) -> AppResult<HashMap<i32, Figure>> {
    let asked = [Coverage {
        quarters: coverage,
        named,
        whole,
    }];
    Ok(over_coverages(conn, programme, &asked)?
        .pop()
        .unwrap_or_default())
}

/// Approved figures of the programme's indicators over each of several coverages (a
/// comparison's sides and county groups), by indicator id, in the order asked.
///
/// What is read, each once: the kept totals over every whole coverage's quarters in one
/// grouped read; for the others, per run of consecutive quarters asking the same county
/// sets, one pass over the county values that sums every set at once
/// ([`values::county_group_totals`]) — so a county is never counted in a quarter it is
/// not expected in, and a set two coverages share is read once. The indicators and the
/// targets are read once for all.
pub fn over_coverages(
    conn: &mut DbConn,
    programme: &Programme,
    asked: &[Coverage],
) -> AppResult<Vec<HashMap<i32, Figure>>> {
    let indicators = framework::indicators_of(conn, programme.id)?;
    let ids: Vec<i32> = indicators.iter().map(|i| i.id).collect();
    let mut totals: Vec<HashMap<i32, IndicatorTotals>> = vec![HashMap::new(); asked.len()];
    let cell = |sum: f64, count: i64, approved: i64| compute::Cell {
        sum,
        counties: count.max(0) as usize,
        approved: approved.max(0) as usize,
    };
    // Whole coverages: every quarter from the kept totals, in one read over all of them.
    let whole: Vec<(usize, HashSet<Period>)> = asked
        .iter()
        .enumerate()
        .filter(|(_, a)| a.whole && !a.quarters.is_empty())
        .map(|(k, a)| (k, a.quarters.iter().map(|q| q.quarter).collect()))
        .collect();
    let starts = || {
        whole
            .iter()
            .flat_map(|(k, _)| asked[*k].quarters.iter().map(|q| q.quarter.start()))
    };
    if let (Some(from), Some(to)) = (starts().min(), starts().max()) {
        let named = quarter_names(whole.iter().flat_map(|(_, qs)| qs.iter().copied()));
        for r in values::grouped_totals(
            conn,
            programme.id,
            None,
            Basis::Approved,
            None,
            &[],
            from,
            to,
        )? {
            let Some(p) = named.get(r.period.as_str()) else {
                continue;
            };
            for (k, quarters) in &whole {
                if quarters.contains(p) {
                    totals[*k]
                        .entry(r.indicator_id)
                        .or_default()
                        .total
                        .insert(*p, cell(r.sum, r.count, r.approved));
                }
            }
        }
    }
    // County subsets: each quarter with the distinct county sets asked of it, and each
    // coverage's own set per quarter (sorted, to match).
    let mut sets_of: BTreeMap<Period, BTreeSet<Vec<i32>>> = BTreeMap::new();
    let mut own: Vec<(usize, HashMap<Period, Vec<i32>>)> = Vec::new();
    for (k, a) in asked.iter().enumerate().filter(|(_, a)| !a.whole) {
        let mut mine = HashMap::new();
        for q in a.quarters.iter().filter(|q| !q.counties.is_empty()) {
            let mut set = q.counties.clone();
            set.sort_unstable();
            set.dedup();
            sets_of.entry(q.quarter).or_default().insert(set.clone());
            mine.insert(q.quarter, set);
        }
        own.push((k, mine));
    }
    let quarters: Vec<(Period, Vec<Vec<i32>>)> = sets_of
        .into_iter()
        .map(|(q, sets)| (q, sets.into_iter().collect()))
        .collect();
    let mut i = 0;
    while i < quarters.len() {
        let mut j = i;
        while j + 1 < quarters.len()
            && quarters[j + 1].0 == quarters[j].0.next()
            && quarters[j + 1].1 == quarters[i].1
        {
            j += 1;
        }
        let sets = &quarters[i].1;
        let groups: Vec<&[i32]> = sets.iter().map(Vec::as_slice).collect();
        let named = quarter_names(quarters[i..=j].iter().map(|(q, _)| *q));
        for r in values::county_group_totals(
            conn,
            &ids,
            Basis::Approved,
            &groups,
            &[],
            quarters[i].0.start(),
            quarters[j].0.start(),
        )? {
            let (Some(p), Some(set)) = (
                named.get(r.period.as_str()),
                usize::try_from(r.group).ok().and_then(|g| sets.get(g)),
            ) else {
                continue;
            };
            for (k, mine) in &own {
                if mine.get(p) == Some(set) {
                    totals[*k]
                        .entry(r.indicator_id)
                        .or_default()
                        .total
                        .insert(*p, cell(r.sum, r.count, r.approved));
                }
            }
        }
        i = j + 1;
    }
    // Targets of the whole coverages, read once: each takes those of periods starting
    // within its own quarters (to the period typed, when it starts later).
    let bounds: Vec<Option<(chrono::NaiveDate, chrono::NaiveDate)>> = asked
        .iter()
        .map(|a| match (a.whole, a.quarters.first(), a.quarters.last()) {
            (true, Some(first), Some(last)) => Some((
                first.quarter.start(),
                a.named.map_or(last.quarter.start(), |e| {
                    e.start().max(last.quarter.start())
                }),
            )),
            _ => None,
        })
        .collect();
    let mut targets: Vec<HashMap<i32, HashMap<String, f64>>> = vec![HashMap::new(); asked.len()];
    let from = bounds.iter().flatten().map(|b| b.0).min();
    let to = bounds.iter().flatten().map(|b| b.1).max();
    if let (Some(from), Some(to)) = (from, to) {
        for (indicator_id, period, value) in
            values::target_values_between(conn, programme.id, None, from, to)?
        {
            // A stored period id always parses; its start is the row's period_start.
            let Ok(start) = Period::parse(&period).map(|p| p.start()) else {
                continue;
            };
            for (k, b) in bounds.iter().enumerate() {
                if b.is_some_and(|(f, l)| start >= f && start <= l) {
                    targets[k]
                        .entry(indicator_id)
                        .or_default()
                        .insert(period.clone(), value);
                }
            }
        }
    }
    let thresholds = programme.thresholds();
    let none = HashMap::new();
    let empty = IndicatorTotals::default();
    let mut rules = Vec::with_capacity(indicators.len());
    for indicator in &indicators {
        rules.push(indicator.rules()?);
    }
    Ok(asked
        .iter()
        .enumerate()
        .map(|(k, a)| {
            indicators
                .iter()
                .zip(&rules)
                .map(|(indicator, rules)| {
                    let r = compute::Rules {
                        rules: *rules,
                        targets: targets[k].get(&indicator.id).unwrap_or(&none),
                        end_target: indicator.end_target,
                        thresholds: &thresholds,
                    };
                    let t = totals[k].get(&indicator.id).unwrap_or(&empty);
                    (
                        indicator.id,
                        compute::figure(&r, t, a.quarters, a.named, &[], &[]),
                    )
                })
                .collect()
        })
        .collect())
}

/// Quarters by their identifier ("2026Q1"): rows name their period, and looking it up
/// here is all the parsing they need.
fn quarter_names(quarters: impl Iterator<Item = Period>) -> HashMap<String, Period> {
    quarters.map(|q| (q.id(), q)).collect()
}

/// One indicator's figure in every quarter from the programme's start to `last` (the
/// indicator page: a column per quarter, each with its running figure to date).
pub fn quarterly(
    conn: &mut DbConn,
    programme: &Programme,
    phases: &[PhaseWithCounties],
    indicator: &Indicator,
    last: Period,
    req: &Request,
) -> AppResult<Vec<(Period, Figure)>> {
    // Each quarter's running total is summed here from the same grouped totals, so the
    // loader's running-sum read is not needed.
    let req = Request {
        indicator: Some(indicator.id),
        by_county: false,
        to_date: false,
        ..req.clone()
    };
    let history = quarters_to(programme, phases, last, req.counties.as_ref());
    let Some(first) = history.first() else {
        return Ok(Vec::new());
    };
    let read = read(
        conn,
        programme,
        &req,
        first.quarter.start(),
        first.quarter.start(),
        last,
    )?;
    let rules = indicator.rules()?;
    let thresholds = programme.thresholds();
    let totals = read.totals_of(indicator.id);
    // The running sum read is to `last`; each quarter's own running total is the sum of
    // the quarters up to it, from the same grouped totals.
    let mut running = 0.0;
    let mut counted = 0;
    let mut out = Vec::with_capacity(history.len());
    let mut t = totals.clone();
    for i in 0..history.len() {
        let q = &history[i..=i];
        if let Some(c) = totals.total.get(&q[0].quarter) {
            running += c.sum;
            counted += c.counties;
        }
        t.to_date = (rules.period == PeriodAggregation::Sum).then_some(compute::Cell {
            sum: running,
            counties: counted,
            approved: counted,
        });
        let r = compute::Rules {
            rules,
            targets: read.targets_of(indicator.id),
            end_target: indicator.end_target,
            thresholds: &thresholds,
        };
        let mut f = compute::figure(&r, &t, q, Some(&q[0].quarter), &[], &history[..=i]);
        f.parts
            .sort_by_key(|p| part_order(&read.dimensions, &p.key));
        out.push((q[0].quarter, f));
    }
    Ok(out)
}

/// An indicator's newest figure: the newest quarter in which every county of its phase
/// is in, and a newer quarter still being reported, if any.
#[derive(Debug, Clone)]
pub struct Latest {
    pub indicator: Indicator,
    pub rules: IndicatorRules,
    /// The quarter the figure is of, and the figure.
    pub figure: Option<(Period, Figure)>,
    /// What the counties in so far combine to, when the figure's quarter is not yet
    /// complete (shown as partial, never rated).
    pub so_far: Option<f64>,
    /// A newer quarter with some counties in, and how many.
    pub pending: Option<(Period, Completeness)>,
    /// The last `window` quarters against milestones.
    pub trend: TrendChart,
}

/// Each live indicator's newest figure among the `window` quarters ending with the one
/// containing `anchor` (the dashboard: submitted values count, and say they are
/// provisional). Anchored on dates, not data, so finding the window costs no query.
pub fn latest(
    conn: &mut DbConn,
    programme: &Programme,
    phases: &[PhaseWithCounties],
    anchor: chrono::NaiveDate,
    window: usize,
    req: &Request,
) -> AppResult<Vec<Latest>> {
    let anchor = anchor.min(programme.end_date).max(programme.start_date);
    let last = Period::quarter_containing(anchor);
    let only = req.counties.as_ref();
    let history = quarters_to(programme, phases, last, only);
    let win = &history[history.len().saturating_sub(window.max(1))..];
    let from = win.first().map_or(last.start(), |q| q.quarter.start());
    let read = read(conn, programme, req, from, from, last)?;
    let thresholds = programme.thresholds();
    let mut out = Vec::new();
    for (indicator, rules) in read.indicators.iter().filter(|(i, _)| !i.archived) {
        let totals = read.totals_of(indicator.id);
        let (complete, newest) = compute::latest_quarters(rules, totals, win);
        // Nothing complete yet: show the newest, and say how partial it is.
        let shown = complete.or(newest);
        let figure = shown.map(|i| {
            let q = &win[i..=i];
            let counties: Vec<i32> = if req.by_county {
                q[0].counties.clone()
            } else {
                Vec::new()
            };
            (
                q[0].quarter,
                read.figure(
                    indicator,
                    *rules,
                    &thresholds,
                    q,
                    Some(&q[0].quarter),
                    &counties,
                    &history,
                ),
            )
        });
        let pending = match (complete, newest) {
            (Some(c), Some(n)) if n > c => {
                let q = &win[n..=n];
                let f = read.figure(indicator, *rules, &thresholds, q, None, &[], &history);
                Some((q[0].quarter, f.completeness))
            }
            _ => None,
        };
        let so_far = shown
            .and_then(|i| totals.total.get(&win[i].quarter))
            .filter(|c| c.counties > 0)
            .map(|c| rules.county.from_total(c.sum, c.counties));
        out.push(Latest {
            indicator: indicator.clone(),
            rules: *rules,
            figure,
            so_far,
            pending,
            trend: compute::series(rules, totals, win, read.targets_of(indicator.id)),
        });
    }
    Ok(out)
}

/// Parts in the programme's order of categories and options; unknown ones last.
fn part_order(d: &Dimensions, key: &str) -> (usize, usize, String) {
    let Some((cat, opt)) = key.split_once('=') else {
        return (usize::MAX, usize::MAX, key.to_string());
    };
    let ci = d.all().iter().position(|c| c.code == cat);
    let oi = ci.and_then(|i| d.all()[i].options.iter().position(|o| o.code == opt));
    (
        ci.unwrap_or(usize::MAX),
        oi.unwrap_or(usize::MAX),
        key.to_string(),
    )
}

fn locations_of(phases: &[PhaseWithCounties], ids: &[i32]) -> Vec<Location> {
    ids.iter()
        .filter_map(|id| {
            phases
                .iter()
                .flat_map(|p| p.counties.iter())
                .find(|c| c.id == *id)
                .cloned()
        })
        .collect()
}
