//! The question and its plan: what each side reads (whose data, which quarters, which
//! counties in each quarter), the county groups, the quarter running phases stop at, and
//! which indicator stands for another on each side. Ready-made questions too.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::spec::{quarters, SideSpec, Spec, Split};
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::continuity::{self as links_model, IndicatorLink};
use crate::models::framework::{self, Indicator, IndicatorRules};
use crate::models::location::{self, Location};
use crate::models::programme::{self, Phase, PhaseWithCounties, Programme};
use crate::models::values;

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
    pub(super) indicators: HashMap<i32, Indicator>,
    pub(super) links: Vec<IndicatorLink>,
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

    pub(super) fn side_counties(&self, side: &Side) -> BTreeSet<i32> {
        side.quarters
            .iter()
            .flat_map(|(_, c)| c.iter().copied())
            .collect()
    }

    /// The indicator whose values stand for `indicator` in `programme_id`: itself, or the
    /// earlier indicator it continues (following links back), with the links followed.
    pub(super) fn source<'a>(
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

    pub(super) fn name_of(&self, county: i32) -> String {
        self.counties
            .get(&county)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| format!("county {county}"))
    }

    /// Per side, the indicator whose values stand for `indicator` there and its rules;
    /// None where none does (or its rules do not read).
    pub(super) fn sources<'a>(
        &'a self,
        indicator: &'a Indicator,
    ) -> Vec<Option<(&'a Indicator, IndicatorRules)>> {
        self.sides
            .iter()
            .map(|side| {
                let (src, _) = self.source(indicator, side.programme.id)?;
                let r = src.rules().ok()?;
                Some((src, r))
            })
            .collect()
    }

    /// The programme's own indicators in logframe order: the rows of the comparison.
    pub(super) fn own_indicators(&self) -> Vec<&Indicator> {
        let mut own: Vec<&Indicator> = self
            .indicators
            .values()
            .filter(|i| i.programme_id == self.programme.id)
            .collect();
        own.sort_by(|a, b| (a.position, &a.code).cmp(&(b.position, &b.code)));
        own
    }

    /// One of the programme's own indicators by code, or a message saying it is not one.
    pub(super) fn own_indicator(&self, code: &str) -> AppResult<&Indicator> {
        self.indicators
            .values()
            .find(|i| i.programme_id == self.programme.id && i.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                AppError::invalid(
                    "indicator",
                    format!("{code}: not an indicator of {}", self.programme.code),
                )
            })
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
            let totals = values::grouped_totals(
                conn,
                programme.id,
                None,
                values::Basis::Approved,
                Some(&ids),
                &[],
                q.start(),
                q.start(),
            )?;
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

/// Resolves the question against the database: sides, groups, counties. With `access`,
/// a programme the user may not see is left out, so a side naming it reads exactly like
/// one naming a programme that does not exist.
pub fn plan(
    conn: &mut DbConn,
    programme: &Programme,
    spec: Spec,
    today: NaiveDate,
    access: Option<&crate::auth::Access>,
) -> AppResult<Plan> {
    let mut programmes = programme::all(conn)?;
    programmes.retain(|p| p.id == programme.id || access.is_none_or(|a| a.sees(p.id)));
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

/// Ready-made questions for the comparison page: the programme's phases against each
/// other, its last two calendar years, and, where its indicators continue an earlier
/// programme's, that programme's phases against its own.
pub fn suggestions(
    conn: &mut DbConn,
    programme: &Programme,
    today: NaiveDate,
    access: &crate::auth::Access,
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
    // Only programmes the user may see: a suggestion must not name a hidden one.
    for pid in earlier.into_iter().filter(|pid| access.sees(*pid)) {
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
