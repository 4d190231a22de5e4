//! Evaluators' comparisons: a programme's indicators across two or more sides (phases,
//! years, ranges of quarters — possibly of the programme an indicator continues),
//! optionally split into two county groups, with changes judged by each indicator's
//! direction and, for two groups, the difference-in-differences.
//!
//! Figures are approved values only, combined by each indicator's own rules. A side gets
//! a value only when every county expected in every one of its quarters is in; sides
//! over different counties or of different lengths are said to be so; an indicator
//! whose definition changed, or that continues another, carries that beside its figure.

pub mod continuity;
pub mod export;
pub mod spec;

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::chart::bars::{bars, Bars};
use crate::db::DbConn;
use crate::domain::achievement::{percent_achieved, Direction};
use crate::domain::aggregation::{aggregate_periods, CountyAggregation};
use crate::domain::comparison::{
    change, diff_in_diff, explain_did, side_value, target_over, QuarterTotal, Verdict,
};
use crate::domain::period::Period;
use crate::domain::unit::{format_value, Unit};
use crate::error::{AppError, AppResult};
use crate::models::continuity::{self as links_model, IndicatorLink};
use crate::models::framework::{self, Indicator, IndicatorRules};
use crate::models::location::{self, Location};
use crate::models::programme::{self, Phase, PhaseWithCounties, Programme};
use crate::models::values;
use spec::{quarters, SideSpec, Spec, Split};

/// One side, resolved: whose data, which quarters, which counties in each quarter.
#[derive(Debug, Clone)]
pub struct Side {
    pub label: String,
    pub programme: Programme,
    /// The period typed, when it was one (its own target counts).
    pub exact: Option<Period>,
    /// Each quarter with the counties expected in it (ids), before any group split.
    pub quarters: Vec<(Period, Vec<i32>)>,
    /// Whether the counties are the whole phase in every quarter (targets apply).
    pub whole: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub name: String,
    /// County ids; None for "every county of each side".
    #[serde(skip)]
    pub ids: Option<BTreeSet<i32>>,
    pub counties: Vec<String>,
}

/// What a comparison reads: the resolved sides and groups, shared by the figures and the
/// county breakdown.
pub struct Plan {
    pub programme: Programme,
    pub spec: Spec,
    pub sides: Vec<Side>,
    pub groups: Vec<Group>,
    pub through: Period,
    pub counties: HashMap<i32, Location>,
    indicators: HashMap<i32, Indicator>,
    links: Vec<IndicatorLink>,
}

impl Plan {
    /// Programmes whose data the comparison reads: the caller checks access to each.
    pub fn programmes(&self) -> Vec<&Programme> {
        let mut out: Vec<&Programme> = vec![&self.programme];
        for s in &self.sides {
            if !out.iter().any(|p| p.id == s.programme.id) {
                out.push(&s.programme);
            }
        }
        out
    }

    /// Comparisons need the Export right in the programme and in every programme whose
    /// data a side reads (an earlier programme's phase included).
    pub fn check_access(&self, access: &crate::auth::Access) -> AppResult<()> {
        use crate::domain::access::Permission;
        match self
            .programmes()
            .into_iter()
            .find(|p| !access.can(p.id, Permission::Export))
        {
            Some(p) => Err(AppError::invalid(
                "sides",
                format!(
                    "your role does not include comparisons in {} ({}), whose figures a side reads",
                    p.name, p.code
                ),
            )),
            None => Ok(()),
        }
    }

    fn side_counties(&self, side: &Side) -> BTreeSet<i32> {
        side.quarters
            .iter()
            .flat_map(|(_, c)| c.iter().copied())
            .collect()
    }

    /// The indicator whose values stand for `indicator` in `programme_id`: itself, or the
    /// earlier indicator it continues (following links back), with the links followed.
    fn source<'a>(
        &'a self,
        indicator: &'a Indicator,
        programme_id: i32,
    ) -> Option<(&'a Indicator, Vec<&'a IndicatorLink>)> {
        let mut current = indicator;
        let mut chain = Vec::new();
        for _ in 0..8 {
            if current.programme_id == programme_id {
                return Some((current, chain));
            }
            let link = self
                .links
                .iter()
                .find(|l| l.indicator_id == current.id && l.continues_id.is_some())?;
            chain.push(link);
            current = self.indicators.get(&link.continues_id?)?;
        }
        None
    }

    fn name_of(&self, county: i32) -> String {
        self.counties
            .get(&county)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| format!("county {county}"))
    }
}

fn short_phase_name(p: &Phase) -> String {
    p.name
        .split(" – ")
        .next()
        .unwrap_or(&p.name)
        .trim()
        .to_string()
}

fn span_label(qs: &[(Period, Vec<i32>)]) -> String {
    match (qs.first(), qs.last()) {
        (Some((a, _)), Some((b, _))) if a == b => a.id(),
        (Some((a, _)), Some((b, _))) => format!("{}–{}", a.id(), b.id()),
        _ => "no quarters".into(),
    }
}

/// The newest quarter ended by `today` in which every indicator of the programme is
/// approved in every county of its phase: where a phase still running is cut off, so
/// that "Phase 2 to date" is not missing merely because last quarter is being approved.
fn default_through(
    conn: &mut DbConn,
    programme: &Programme,
    phases: &[PhaseWithCounties],
    indicators: usize,
    today: NaiveDate,
) -> AppResult<Period> {
    let last_ended = Period::quarter_containing(today).prev();
    let mut q = last_ended;
    for _ in 0..4 {
        if let Some(phase) = programme::phase_of(phases, &q) {
            let ids: Vec<i32> = phase.counties.iter().map(|c| c.id).collect();
            let totals =
                values::approved_totals_in(conn, programme.id, &ids, q.start(), q.start())?;
            let complete = totals
                .iter()
                .filter(|t| t.period == q.id() && t.count as usize >= ids.len())
                .count();
            if indicators > 0 && complete >= indicators {
                return Ok(q);
            }
        }
        q = q.prev();
    }
    Ok(last_ended)
}

/// Resolves the question against the database: sides, groups, counties.
pub fn plan(
    conn: &mut DbConn,
    programme: &Programme,
    spec: Spec,
    today: NaiveDate,
) -> AppResult<Plan> {
    let programmes = programme::all(conn)?;
    let mut phases: HashMap<i32, Vec<PhaseWithCounties>> = HashMap::new();
    for p in &programmes {
        phases.insert(p.id, programme::phases_of(conn, p.id)?);
    }
    let mut indicators: HashMap<i32, Indicator> = HashMap::new();
    for i in framework::indicators_of(conn, programme.id)? {
        indicators.insert(i.id, i);
    }
    let own_indicators = indicators.len();
    let through = match spec.through {
        Some(t) => t,
        None => default_through(
            conn,
            programme,
            &phases[&programme.id],
            own_indicators,
            today,
        )?,
    };

    let mut sides = Vec::new();
    for s in &spec.sides {
        let side = match s {
            SideSpec::Phase(id) => {
                let Some((owner, ph)) = programmes.iter().find_map(|p| {
                    phases[&p.id]
                        .iter()
                        .find(|ph| ph.phase.id == *id)
                        .map(|ph| (p, ph))
                }) else {
                    return Err(AppError::invalid(
                        "sides",
                        format!("phase:{id}: no such phase"),
                    ));
                };
                let ids: Vec<i32> = ph.counties.iter().map(|c| c.id).collect();
                let all = quarters(
                    &Period::quarter_containing(ph.phase.start_date),
                    &Period::quarter_containing(ph.phase.end_date),
                );
                let qs: Vec<(Period, Vec<i32>)> = all
                    .into_iter()
                    .filter(|q| q.start() >= ph.phase.start_date && q.end() <= ph.phase.end_date)
                    .filter(|q| q.end() < today && q.start() <= through.start())
                    .map(|q| (q, ids.clone()))
                    .collect();
                if qs.is_empty() {
                    return Err(AppError::invalid(
                        "sides",
                        format!(
                            "{} has no quarter ended by {} yet",
                            ph.phase.name,
                            through.id()
                        ),
                    ));
                }
                let prefix = if owner.id == programme.id {
                    String::new()
                } else {
                    format!("{} ", owner.code)
                };
                Side {
                    label: format!(
                        "{prefix}{} ({})",
                        short_phase_name(&ph.phase),
                        span_label(&qs)
                    ),
                    programme: owner.clone(),
                    exact: None,
                    quarters: qs,
                    whole: true,
                }
            }
            SideSpec::Span {
                programme: code,
                from,
                to,
                exact,
            } => {
                let owner = match code {
                    None => programme.clone(),
                    Some(c) => programmes
                        .iter()
                        .find(|p| p.code.eq_ignore_ascii_case(c))
                        .cloned()
                        .ok_or_else(|| {
                            AppError::invalid("sides", format!("{c}: no programme has this code"))
                        })?,
                };
                let qs: Vec<(Period, Vec<i32>)> = quarters(from, to)
                    .into_iter()
                    .map(|q| {
                        let ids = programme::phase_of(&phases[&owner.id], &q)
                            .map(|ph| ph.counties.iter().map(|c| c.id).collect())
                            .unwrap_or_default();
                        (q, ids)
                    })
                    .collect();
                let prefix = if owner.id == programme.id {
                    String::new()
                } else {
                    format!("{} ", owner.code)
                };
                Side {
                    label: match exact {
                        Some(p) => format!("{prefix}{}", p.id()),
                        None => format!("{prefix}{}", span_label(&qs)),
                    },
                    programme: owner,
                    exact: *exact,
                    quarters: qs,
                    whole: true,
                }
            }
        };
        sides.push(side);
    }
    for side in &sides {
        if side.programme.id != programme.id {
            for i in framework::indicators_of(conn, side.programme.id)? {
                indicators.entry(i.id).or_insert(i);
            }
        }
    }

    let counties: HashMap<i32, Location> = location::counties(conn)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    if spec.common {
        let mut common: Option<BTreeSet<i32>> = None;
        for s in &sides {
            let these: BTreeSet<i32> = s
                .quarters
                .iter()
                .flat_map(|(_, c)| c.iter().copied())
                .collect();
            common = Some(match common {
                None => these,
                Some(c) => c.intersection(&these).copied().collect(),
            });
        }
        let common = common.unwrap_or_default();
        for s in &mut sides {
            for (_, ids) in &mut s.quarters {
                let before = ids.len();
                ids.retain(|c| common.contains(c));
                if ids.len() != before {
                    s.whole = false;
                }
            }
        }
    }
    let by_code = |field: &str, codes: &[String]| -> AppResult<BTreeSet<i32>> {
        codes
            .iter()
            .map(|code| {
                counties
                    .values()
                    .find(|c| c.code == *code || c.name.eq_ignore_ascii_case(code))
                    .map(|c| c.id)
                    .ok_or_else(|| {
                        AppError::invalid(field, format!("{code}: no county has this code"))
                    })
            })
            .collect()
    };
    let names = |ids: &BTreeSet<i32>| -> Vec<String> {
        let mut n: Vec<String> = ids
            .iter()
            .filter_map(|i| counties.get(i))
            .map(|c| c.name.clone())
            .collect();
        n.sort();
        n
    };
    let groups = match &spec.split {
        Split::None => vec![Group {
            name: "All counties".into(),
            ids: None,
            counties: Vec::new(),
        }],
        Split::Mou => {
            let initial: BTreeSet<i32> = counties
                .values()
                .filter(|c| c.mou_initial)
                .map(|c| c.id)
                .collect();
            let others: BTreeSet<i32> = counties
                .values()
                .filter(|c| !c.mou_initial)
                .map(|c| c.id)
                .collect();
            vec![
                Group {
                    name: "MoU initial counties".into(),
                    counties: names(&initial),
                    ids: Some(initial),
                },
                Group {
                    name: "Other counties".into(),
                    counties: Vec::new(),
                    ids: Some(others),
                },
            ]
        }
        Split::Pick(a, b) => {
            let a = by_code("a", a)?;
            let b = by_code("b", b)?;
            vec![
                Group {
                    name: "Group A".into(),
                    counties: names(&a),
                    ids: Some(a),
                },
                Group {
                    name: "Group B".into(),
                    counties: names(&b),
                    ids: Some(b),
                },
            ]
        }
    };
    Ok(Plan {
        programme: programme.clone(),
        spec,
        sides,
        groups,
        through,
        counties,
        indicators,
        links: links_model::all(conn)?,
    })
}

// ---------------------------------------------------------------------------------------
// Figures

#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    pub label: String,
    pub programme: String,
    pub from: String,
    pub to: String,
    pub quarters: usize,
    /// Counties of the side (all groups), by name.
    pub counties: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The indicator the value comes from (another programme's, when continued).
    pub source: String,
    pub value: Option<f64>,
    pub shown: String,
    /// County-quarters in, of those expected.
    pub reported: usize,
    pub expected: usize,
    pub target: Option<f64>,
    pub target_shown: String,
    pub achievement: Option<f64>,
    pub achievement_shown: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeCell {
    pub absolute: f64,
    pub shown: String,
    pub percent: Option<f64>,
    pub percent_shown: String,
    pub verdict: Verdict,
    pub word: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub group: String,
    pub cells: Vec<Cell>,
    /// Each side after the first against the first; None where either is missing or the
    /// two are not comparable.
    pub changes: Vec<Option<ChangeCell>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DidCell {
    pub to_side: String,
    pub value: f64,
    pub shown: String,
    pub verdict: Verdict,
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub code: String,
    pub title: String,
    pub unit: String,
    pub direction: String,
    pub county_rule: String,
    pub period_rule: String,
    pub is_key: bool,
    pub groups: Vec<GroupRow>,
    /// Second group against first, per side after the first (only with two groups).
    pub did: Vec<Option<DidCell>>,
    /// What a reader must know beside the figure: continuity, definition changes, units.
    pub flags: Vec<String>,
    #[serde(skip)]
    pub chart: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub programme: String,
    pub programme_name: String,
    pub query: String,
    pub through: String,
    pub sides: Vec<SideInfo>,
    pub groups: Vec<Group>,
    pub notes: Vec<String>,
    pub rows: Vec<Row>,
}

fn signed(unit: Unit, v: f64, currency: &str) -> String {
    let sign = if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "−"
    } else {
        ""
    };
    match unit {
        // A change of a percentage is in points, not a percentage of a percentage.
        Unit::Percentage => format!("{sign}{} pts", format_value(Unit::Count, v.abs(), currency)),
        // A change of a yes/no share ("80% yes" to "Yes") likewise, in points of yes.
        Unit::YesNo => format!(
            "{sign}{} pts",
            format_value(Unit::Count, v.abs() * 100.0, currency)
        ),
        _ => format!("{sign}{}", format_value(unit, v.abs(), currency)),
    }
}

type Totals = HashMap<(i32, String), (f64, usize)>;

/// One side in one county group: its totals and the counties expected per quarter.
struct SideGroup {
    totals: Totals,
    expected: Vec<(Period, usize)>,
}

/// Per side and group: the approved totals by (indicator, quarter) and the counties
/// expected in each quarter.
fn load_totals(conn: &mut DbConn, plan: &Plan) -> AppResult<Vec<Vec<SideGroup>>> {
    let mut out = Vec::new();
    for side in &plan.sides {
        let mut per_group = Vec::new();
        for group in &plan.groups {
            let qs: Vec<(Period, Vec<i32>)> = side
                .quarters
                .iter()
                .map(|(q, ids)| {
                    let ids = match &group.ids {
                        None => ids.clone(),
                        Some(g) => ids.iter().copied().filter(|c| g.contains(c)).collect(),
                    };
                    (*q, ids)
                })
                .collect();
            let mut totals: Totals = HashMap::new();
            // One grouped query per run of quarters with the same counties.
            let mut i = 0;
            while i < qs.len() {
                let mut j = i;
                while j + 1 < qs.len() && qs[j + 1].1 == qs[i].1 {
                    j += 1;
                }
                let quarter_ids: BTreeSet<String> = qs[i..=j].iter().map(|(q, _)| q.id()).collect();
                for t in values::approved_totals_in(
                    conn,
                    side.programme.id,
                    &qs[i].1,
                    qs[i].0.start(),
                    qs[j].0.start(),
                )? {
                    if quarter_ids.contains(&t.period) {
                        totals.insert((t.indicator_id, t.period), (t.sum, t.count as usize));
                    }
                }
                i = j + 1;
            }
            let expected = qs.iter().map(|(q, ids)| (*q, ids.len())).collect();
            per_group.push(SideGroup { totals, expected });
        }
        out.push(per_group);
    }
    Ok(out)
}

pub fn compute(conn: &mut DbConn, plan: &Plan) -> AppResult<Comparison> {
    let totals = load_totals(conn, plan)?;
    let mut targets: Vec<HashMap<i32, HashMap<String, f64>>> = Vec::new();
    for side in &plan.sides {
        let mut t: HashMap<i32, HashMap<String, f64>> = HashMap::new();
        if let (Some((first, _)), Some((last, _))) = (side.quarters.first(), side.quarters.last()) {
            let to = side
                .exact
                .map_or(last.start(), |e| e.start().max(last.start()));
            for target in values::targets_between(conn, side.programme.id, first.start(), to)? {
                t.entry(target.indicator_id)
                    .or_default()
                    .insert(target.period, target.value);
            }
        }
        targets.push(t);
    }
    let split = plan.groups.len() == 2;
    let no_targets = HashMap::new();

    let side_infos: Vec<SideInfo> = plan
        .sides
        .iter()
        .map(|s| {
            let mut counties: Vec<String> = plan
                .side_counties(s)
                .iter()
                .map(|c| plan.name_of(*c))
                .collect();
            counties.sort();
            SideInfo {
                label: s.label.clone(),
                programme: s.programme.code.clone(),
                from: s.quarters.first().map(|(q, _)| q.id()).unwrap_or_default(),
                to: s.quarters.last().map(|(q, _)| q.id()).unwrap_or_default(),
                quarters: s.quarters.len(),
                counties,
            }
        })
        .collect();

    let mut notes = Vec::new();
    let county_sets: Vec<BTreeSet<i32>> =
        plan.sides.iter().map(|s| plan.side_counties(s)).collect();
    let counties_differ = county_sets.windows(2).any(|w| w[0] != w[1]);
    if counties_differ {
        notes.push(format!(
            "The sides cover different counties ({}). Totals over more counties are larger for that reason alone; choose \"same counties only\" to compare like with like.",
            side_infos
                .iter()
                .map(|s| format!("{}: {}", s.label, s.counties.len()))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let lengths_differ = plan
        .sides
        .windows(2)
        .any(|w| w[0].quarters.len() != w[1].quarters.len());
    if lengths_differ {
        notes.push(format!(
            "The sides are of different lengths ({}). Indicators added up over quarters are larger over longer sides for that reason alone.",
            side_infos
                .iter()
                .map(|s| format!("{}: {} quarters", s.label, s.quarters))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if split {
        notes.push("The difference-in-differences compares how much each county group changed between the same two sides. It describes the figures; it does not show that the programme caused the difference.".into());
    }
    if plan
        .sides
        .iter()
        .any(|s| s.quarters.iter().any(|(_, c)| c.is_empty()))
    {
        notes.push("Some quarters of a side fall outside every phase of its programme: no county is expected there, so that side has no value.".into());
    }

    let mut own: Vec<&Indicator> = plan
        .indicators
        .values()
        .filter(|i| i.programme_id == plan.programme.id)
        .collect();
    own.sort_by(|a, b| (a.position, &a.code).cmp(&(b.position, &b.code)));
    let mut rows = Vec::with_capacity(own.len());
    for indicator in own {
        let rules = indicator.rules()?;
        let mut flags = Vec::new();
        // Which indicator stands for this one on each side.
        let sources: Vec<Option<(&Indicator, IndicatorRules)>> = plan
            .sides
            .iter()
            .map(|side| {
                let (src, chain) = plan.source(indicator, side.programme.id)?;
                for link in chain {
                    let earlier = link
                        .continues_id
                        .and_then(|id| plan.indicators.get(&id))
                        .map(|i| i.code.as_str())
                        .unwrap_or("?");
                    let later = plan
                        .indicators
                        .get(&link.indicator_id)
                        .map(|i| i.code.as_str())
                        .unwrap_or("?");
                    let text = if link.definition_changed {
                        format!(
                            "Definition changed: {later} continues {earlier}. {}",
                            link.note
                        )
                    } else {
                        format!("{later} continues {earlier}. {}", link.note)
                    };
                    let text = text.trim().to_string();
                    if !flags.contains(&text) {
                        flags.push(text);
                    }
                }
                let r = src.rules().ok()?;
                Some((src, r))
            })
            .collect();
        for (side, source) in plan.sides.iter().zip(&sources) {
            if source.is_none() {
                let text = format!(
                    "No indicator of {} is recorded as continuing into {}: its sides show no value.",
                    side.programme.code, indicator.code
                );
                if !flags.contains(&text) {
                    flags.push(text);
                }
            }
        }
        for (src, r) in sources.iter().flatten() {
            if r.unit != rules.unit {
                let text = format!(
                    "{} measures in {} where {} measures in {}: not compared.",
                    src.code,
                    r.unit.label(),
                    indicator.code,
                    rules.unit.label()
                );
                if !flags.contains(&text) {
                    flags.push(text);
                }
            }
        }
        // Definitions changed in place between the first side's start and the last's end.
        let first = plan
            .sides
            .iter()
            .filter_map(|s| s.quarters.first())
            .map(|(q, _)| *q)
            .min();
        let last = plan
            .sides
            .iter()
            .filter_map(|s| s.quarters.last())
            .map(|(q, _)| *q)
            .max();
        let used: BTreeSet<i32> = sources.iter().flatten().map(|(s, _)| s.id).collect();
        for link in plan.links.iter().filter(|l| used.contains(&l.indicator_id)) {
            let Some(effective) = link
                .effective_period
                .as_deref()
                .and_then(|p| Period::parse(p).ok())
            else {
                continue;
            };
            if let (Some(f), Some(l)) = (first, last) {
                if effective.start() > f.start() && effective.start() <= l.start() {
                    let code = plan
                        .indicators
                        .get(&link.indicator_id)
                        .map(|i| i.code.as_str())
                        .unwrap_or("?");
                    flags.push(format!(
                        "Definition of {code} changed from {}: {}",
                        effective.id(),
                        link.note
                    ));
                }
            }
        }
        let comparable = |a: usize, b: usize| -> bool {
            match (&sources[a], &sources[b]) {
                (Some((_, ra)), Some((_, rb))) => ra.unit == rb.unit && ra.unit == rules.unit,
                _ => false,
            }
        };

        let mut group_rows = Vec::new();
        for (g, group) in plan.groups.iter().enumerate() {
            let mut cells = Vec::new();
            for (s, side) in plan.sides.iter().enumerate() {
                let SideGroup {
                    totals: side_totals,
                    expected,
                } = &totals[s][g];
                let cell = match &sources[s] {
                    None => Cell {
                        source: String::new(),
                        value: None,
                        shown: "—".into(),
                        reported: 0,
                        expected: 0,
                        target: None,
                        target_shown: "—".into(),
                        achievement: None,
                        achievement_shown: "—".into(),
                    },
                    Some((src, r)) => {
                        let qt: Vec<QuarterTotal> = expected
                            .iter()
                            .map(|(q, n)| {
                                let (sum, count) = side_totals
                                    .get(&(src.id, q.id()))
                                    .copied()
                                    .unwrap_or((0.0, 0));
                                QuarterTotal {
                                    period: *q,
                                    expected: *n,
                                    reported: count,
                                    sum,
                                }
                            })
                            .collect();
                        let v = side_value(r.county, r.period, &qt);
                        let target = if side.whole && group.ids.is_none() {
                            let qs: Vec<Period> = side.quarters.iter().map(|(q, _)| *q).collect();
                            target_over(
                                r.period,
                                side.exact.as_ref(),
                                &qs,
                                targets[s].get(&src.id).unwrap_or(&no_targets),
                            )
                        } else {
                            None
                        };
                        let achievement = match (v.value, target) {
                            (Some(v), Some(t)) => percent_achieved(v, t, r.direction),
                            _ => None,
                        };
                        let cur = &side.programme.currency;
                        Cell {
                            source: src.code.clone(),
                            value: v.value,
                            shown: match v.value {
                                Some(x) => format_value(r.unit, x, cur),
                                None => "—".into(),
                            },
                            reported: v.reported,
                            expected: v.expected,
                            target,
                            target_shown: target
                                .map(|t| format_value(r.unit, t, cur))
                                .unwrap_or_else(|| "—".into()),
                            achievement,
                            achievement_shown: crate::report::text::percent(achievement),
                        }
                    }
                };
                cells.push(cell);
            }
            let changes = (1..cells.len())
                .map(|s| match (cells[0].value, cells[s].value) {
                    (Some(a), Some(b)) if comparable(0, s) => {
                        let c = change(a, b, rules.direction);
                        Some(ChangeCell {
                            absolute: c.absolute,
                            shown: signed(rules.unit, c.absolute, &plan.programme.currency),
                            percent: c.percent,
                            percent_shown: c
                                .percent
                                .map(|p| {
                                    let sign = if p > 0.0 {
                                        "+"
                                    } else if p < 0.0 {
                                        "−"
                                    } else {
                                        ""
                                    };
                                    format!("{sign}{:.1}%", p.abs())
                                })
                                .unwrap_or_else(|| "—".into()),
                            verdict: c.verdict,
                            word: c.verdict.word(),
                        })
                    }
                    _ => None,
                })
                .collect();
            group_rows.push(GroupRow {
                group: group.name.clone(),
                cells,
                changes,
            });
        }
        let did = if split {
            (1..plan.sides.len())
                .map(|s| {
                    let a = &group_rows[0].cells;
                    let b = &group_rows[1].cells;
                    match (a[0].value, a[s].value, b[0].value, b[s].value) {
                        (Some(a0), Some(a1), Some(b0), Some(b1)) if comparable(0, s) => {
                            let d = diff_in_diff((a0, a1), (b0, b1), rules.direction);
                            let cur = plan.programme.currency.clone();
                            let fmt = move |v: f64| {
                                signed(rules.unit, v, &cur)
                                    .trim_start_matches(['+', '−'])
                                    .to_string()
                            };
                            Some(DidCell {
                                to_side: plan.sides[s].label.clone(),
                                value: d.value,
                                shown: signed(rules.unit, d.value, &plan.programme.currency),
                                verdict: d.verdict,
                                sentence: explain_did(
                                    &d,
                                    &plan.groups[0].name,
                                    &plan.groups[1].name,
                                    &plan.sides[0].label,
                                    &plan.sides[s].label,
                                    &fmt,
                                ),
                            })
                        }
                        _ => None,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        if counties_differ && rules.county == CountyAggregation::Sum {
            flags.push("Added up over counties, and the sides cover different counties.".into());
        }
        let chart = if indicator.is_key {
            let unit = rules.unit;
            let cur = plan.programme.currency.clone();
            bars(
                &Bars {
                    // The side's name without its quarters: the table beside has them.
                    clusters: plan
                        .sides
                        .iter()
                        .map(|s| s.label.split(" (").next().unwrap_or(&s.label).to_string())
                        .collect(),
                    series: group_rows
                        .iter()
                        .map(|g| (g.group.clone(), g.cells.iter().map(|c| c.value).collect()))
                        .collect(),
                },
                &format!("{} {}", indicator.code, indicator.title),
                &move |v| format_value(unit, v, &cur),
            )
        } else {
            String::new()
        };
        rows.push(Row {
            code: indicator.code.clone(),
            title: indicator.title.clone(),
            unit: rules.unit.label().to_string(),
            direction: match rules.direction {
                Direction::HigherIsBetter => "higher is better".into(),
                Direction::LowerIsBetter => "lower is better".into(),
            },
            county_rule: rules.county.as_str().into(),
            period_rule: rules.period.as_str().into(),
            is_key: indicator.is_key,
            groups: group_rows,
            did,
            flags,
            chart,
        });
    }

    Ok(Comparison {
        programme: plan.programme.code.clone(),
        programme_name: plan.programme.name.clone(),
        query: plan.spec.to_query(),
        through: plan.through.id(),
        sides: side_infos,
        groups: plan.groups.clone(),
        notes,
        rows,
    })
}

// ---------------------------------------------------------------------------------------
// Counties behind a figure

#[derive(Debug, Clone, Serialize)]
pub struct CountyLine {
    pub county: String,
    pub group: String,
    /// Per side: the county's value over the side's quarters it is expected in.
    pub values: Vec<String>,
    pub raw: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountyDetail {
    pub code: String,
    pub title: String,
    pub sides: Vec<String>,
    pub lines: Vec<CountyLine>,
}

/// Each county's own value per side for one indicator: the figures behind a row.
pub fn county_detail(conn: &mut DbConn, plan: &Plan, code: &str) -> AppResult<CountyDetail> {
    let indicator = plan
        .indicators
        .values()
        .find(|i| i.programme_id == plan.programme.id && i.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| {
            AppError::invalid(
                "indicator",
                format!("{code}: not an indicator of {}", plan.programme.code),
            )
        })?;
    let mut all: BTreeSet<i32> = BTreeSet::new();
    let mut per_side: Vec<HashMap<i32, Option<f64>>> = Vec::new();
    // Each side's values print in the unit of the indicator they come from.
    let mut units: Vec<(Unit, String)> = Vec::new();
    for side in &plan.sides {
        let mut values_here: HashMap<i32, Option<f64>> = HashMap::new();
        if let (Some((src, _)), Some((first, _)), Some((last, _))) = (
            plan.source(indicator, side.programme.id),
            side.quarters.first(),
            side.quarters.last(),
        ) {
            let rules = src.rules()?;
            units.push((rules.unit, side.programme.currency.clone()));
            let rows =
                values::approved_of_indicator_between(conn, src.id, first.start(), last.end())?;
            let mut by: HashMap<(i32, String), f64> = HashMap::new();
            for r in rows {
                by.insert((r.location_id, r.period), r.value);
            }
            for county in plan.side_counties(side) {
                let expected: Vec<Period> = side
                    .quarters
                    .iter()
                    .filter(|(_, ids)| ids.contains(&county))
                    .map(|(q, _)| *q)
                    .collect();
                let got: Option<Vec<(Period, f64)>> = expected
                    .iter()
                    .map(|q| by.get(&(county, q.id())).map(|v| (*q, *v)))
                    .collect();
                let v = got.and_then(|g| aggregate_periods(rules.period, &g));
                values_here.insert(county, v);
                all.insert(county);
            }
        }
        if units.len() < per_side.len() + 1 {
            units.push((Unit::Count, String::new()));
        }
        per_side.push(values_here);
    }
    let mut lines: Vec<CountyLine> = all
        .into_iter()
        .map(|county| {
            let group = plan
                .groups
                .iter()
                .find(|g| g.ids.as_ref().is_none_or(|ids| ids.contains(&county)))
                .map(|g| g.name.clone())
                .unwrap_or_else(|| "—".into());
            let raw: Vec<Option<f64>> = per_side
                .iter()
                .map(|m| m.get(&county).copied().flatten())
                .collect();
            let values = per_side
                .iter()
                .zip(&units)
                .map(|(m, (unit, currency))| match m.get(&county) {
                    None => "not in this side".to_string(),
                    Some(None) => "—".to_string(),
                    Some(Some(v)) => format_value(*unit, *v, currency),
                })
                .collect();
            CountyLine {
                county: plan.name_of(county),
                group,
                values,
                raw,
            }
        })
        .collect();
    lines.sort_by(|a, b| a.group.cmp(&b.group).then(a.county.cmp(&b.county)));
    Ok(CountyDetail {
        code: indicator.code.clone(),
        title: indicator.title.clone(),
        sides: plan.sides.iter().map(|s| s.label.clone()).collect(),
        lines,
    })
}

// ---------------------------------------------------------------------------------------
// For a signed-in user or token

/// What one request asks: the comparison, and perhaps one indicator's counties.
pub struct Answer {
    pub comparison: Comparison,
    pub counties: Option<CountyDetail>,
}

/// Runs the comparison for `access`: Export on the programme and on every programme
/// whose data a side reads (an earlier programme's phase included).
pub fn answer(
    conn: &mut DbConn,
    access: &crate::auth::Access,
    programme: &Programme,
    spec: Spec,
    detail: Option<&str>,
    today: NaiveDate,
) -> AppResult<Answer> {
    let plan = plan(conn, programme, spec, today)?;
    plan.check_access(access)?;
    let comparison = compute(conn, &plan)?;
    let counties = match detail {
        Some(code) if !code.trim().is_empty() => Some(county_detail(conn, &plan, code.trim())?),
        _ => None,
    };
    Ok(Answer {
        comparison,
        counties,
    })
}

/// Ready-made questions for the comparison page: the programme's phases against each
/// other, its last two calendar years, and, where its indicators continue an earlier
/// programme's, that programme's phases against its own.
pub fn suggestions(
    conn: &mut DbConn,
    programme: &Programme,
    today: NaiveDate,
) -> AppResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    let phases = programme::phases_of(conn, programme.id)?;
    let started: Vec<&PhaseWithCounties> = phases
        .iter()
        .filter(|p| p.phase.start_date < today)
        .collect();
    if started.len() >= 2 {
        let sides: Vec<String> = started
            .iter()
            .map(|p| format!("phase:{}", p.phase.id))
            .collect();
        out.push((
            format!("{} phases against each other", programme.code),
            format!("sides={}", sides.join("%2C")),
        ));
    }
    let last_year = today.year() - 1;
    if programme.start_date.year() < last_year && programme.end_date.year() >= last_year {
        out.push((
            format!("{} against {}", last_year - 1, last_year),
            format!("sides={}%2C{}", last_year - 1, last_year),
        ));
    }
    if let Some(first) = started.first() {
        if started.len() >= 2 {
            let has_initial = first.counties.iter().any(|c| c.mou_initial);
            let has_others = started
                .iter()
                .any(|p| p.counties.iter().any(|c| !c.mou_initial));
            if has_initial && has_others {
                let sides: Vec<String> = started
                    .iter()
                    .map(|p| format!("phase:{}", p.phase.id))
                    .collect();
                out.push((
                    "MoU initial counties against the others, phase by phase".into(),
                    format!("sides={}&split=mou", sides.join("%2C")),
                ));
            }
        }
    }
    // Earlier programmes this one's indicators continue.
    let own: BTreeSet<i32> = framework::indicators_of(conn, programme.id)?
        .iter()
        .map(|i| i.id)
        .collect();
    let links = links_model::all(conn)?;
    let mut earlier: BTreeSet<i32> = BTreeSet::new();
    for l in links.iter().filter(|l| own.contains(&l.indicator_id)) {
        if let Some(e) = l.continues_id {
            if let Some(i) = framework::indicator_by_id(conn, e)? {
                if i.programme_id != programme.id {
                    earlier.insert(i.programme_id);
                }
            }
        }
    }
    for pid in earlier {
        let other = programme::all(conn)?.into_iter().find(|p| p.id == pid);
        if let Some(other) = other {
            let mut sides: Vec<String> = programme::phases_of(conn, pid)?
                .iter()
                .map(|p| format!("phase:{}", p.phase.id))
                .collect();
            sides.extend(started.iter().map(|p| format!("phase:{}", p.phase.id)));
            out.push((
                format!(
                    "{} phases, then {}'s (continued indicators)",
                    other.name, programme.code
                ),
                format!("sides={}", sides.join("%2C")),
            ));
        }
    }
    Ok(out)
}

/// Saves a comparison under a name, once it is known to run for this user.
pub fn save(
    conn: &mut DbConn,
    access: &crate::auth::Access,
    programme: &Programme,
    name: &str,
    spec: Spec,
    actor: &crate::entry::Actor,
    today: NaiveDate,
) -> AppResult<i32> {
    use diesel::Connection;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "give the comparison a name colleagues will recognise",
        ));
    }
    let n = name.chars().count();
    if n > MAX_NAME {
        return Err(AppError::invalid(
            "name",
            format!("{n} characters: at most {MAX_NAME}"),
        ));
    }
    let text = spec.to_query();
    plan(conn, programme, spec, today)?.check_access(access)?;
    conn.transaction(|conn| {
        let id = crate::models::comparison::insert(
            conn,
            programme.id,
            name,
            &text,
            actor.user_id,
            crate::auth::now(),
        )?;
        crate::models::audit::record(
            conn,
            crate::models::audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "comparison_saved",
                entity: "saved_comparison",
                entity_id: Some(id),
                programme_id: Some(programme.id),
                before: None,
                after: Some(serde_json::json!({ "name": name, "query": text })),
                detail: name.to_string(),
            },
        )?;
        Ok(id)
    })
}

/// The longest name a saved comparison may have.
pub const MAX_NAME: usize = 200;
