//! How a comparison is shown: the sides described, the notes a reader needs, per
//! indicator each side's figure as cells, the changes and the difference-in-differences
//! in words, the flags of continuity and definitions, and the bar charts of key
//! indicators. It reads no database: the figures come from `numbers`.

use std::collections::BTreeSet;

use serde::Serialize;

use super::numbers::{CountySide, Numbers};
use super::plan::{Group, Plan};
use crate::chart::bars::{bars, Bars};
use crate::domain::achievement::Direction;
use crate::domain::aggregation::CountyAggregation;
use crate::domain::comparison::{change, diff_in_diff, explain_did, Verdict};
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::error::AppResult;
use crate::format::{self, format_value, signed};
use crate::models::framework::{Indicator, IndicatorRules};

#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    pub label: String,
    pub programme: String,
    pub from: String,
    pub to: String,
    pub quarters: usize,
    /// Counties of the side (all groups), by name.
    pub counties: Vec<String>,
    /// How many counties its quarters expect, when that changes within the side
    /// ("Jul–Dec 2024: 4 counties; Jan–Jun 2025: 7 counties").
    pub coverage: Option<String>,
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
    /// What the figure is ("mean per quarter"), where not obvious.
    pub what: String,
    /// Kept out under a small-number rule (`shown` says how); see `compare::shared`.
    pub withheld: bool,
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
    /// The unit the row's figures are in (for drawing its chart).
    #[serde(skip)]
    pub measure: Unit,
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
    /// The programme's currency (for drawing charts).
    #[serde(skip)]
    pub currency: String,
}

impl Comparison {
    /// The bar chart (SVG) of a key indicator's row: each side a cluster, each county
    /// group a series. Drawn only when asked for: the page shows these charts, the CSV,
    /// the API and a report's evaluation annex do not.
    pub fn chart(&self, row: &Row) -> Option<String> {
        if !row.is_key {
            return None;
        }
        let unit = row.measure;
        let svg = bars(
            &Bars {
                // The side's name without its quarters: the table beside has them.
                clusters: self
                    .sides
                    .iter()
                    .map(|s| s.label.split(" (").next().unwrap_or(&s.label).to_string())
                    .collect(),
                series: row
                    .groups
                    .iter()
                    .map(|g| (g.group.clone(), g.cells.iter().map(|c| c.value).collect()))
                    .collect(),
            },
            &format!("{} {}", row.code, row.title),
            &|v| format_value(unit, v, &self.currency),
        );
        (!svg.is_empty()).then_some(svg)
    }
}

/// The comparison as shown, from the plan and its numbers.
pub fn comparison(plan: &Plan, numbers: &Numbers) -> AppResult<Comparison> {
    let split = plan.groups.len() == 2;

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
                coverage: coverage_note(&s.quarters),
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

    let own = plan.own_indicators();
    let mut rows = Vec::with_capacity(own.len());
    for (indicator, figures) in own.into_iter().zip(&numbers.indicators) {
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
                let cell = match (&sources[s], &figures.values[g][s]) {
                    (Some((src, r)), Some(n)) => {
                        let achievement = n.percent;
                        let cur = &side.programme.currency;
                        Cell {
                            source: src.code.clone(),
                            value: n.value,
                            shown: match (n.yes, n.value) {
                                (Some(y), _) => crate::figures::kind::yes_counties(&y),
                                (None, Some(x)) => format_value(r.unit, x, cur),
                                (None, None) => "—".into(),
                            },
                            reported: n.reported,
                            expected: n.expected,
                            target: n.target,
                            target_shown: match (n.target_yes, n.target) {
                                (Some(y), _) => crate::figures::kind::yes_target(&y),
                                (None, Some(t)) => format_value(r.unit, t, cur),
                                (None, None) => "—".into(),
                            },
                            achievement,
                            achievement_shown: format::percent(achievement),
                            what: n.what.clone().unwrap_or_default(),
                            withheld: false,
                        }
                    }
                    _ => Cell {
                        source: String::new(),
                        value: None,
                        shown: "—".into(),
                        reported: 0,
                        expected: 0,
                        target: None,
                        target_shown: "—".into(),
                        achievement: None,
                        achievement_shown: "—".into(),
                        what: String::new(),
                        withheld: false,
                    },
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
                            percent_shown: format::signed_percent(c.percent),
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
            measure: rules.unit,
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
        currency: plan.programme.currency.clone(),
    })
}

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

/// Each county's own value per side for one indicator, as shown beneath a row.
pub fn county_detail(plan: &Plan, indicator: &Indicator, sides: &[CountySide]) -> CountyDetail {
    let all: BTreeSet<i32> = sides
        .iter()
        .flat_map(|s| s.values.keys().copied())
        .collect();
    let mut lines: Vec<CountyLine> = all
        .into_iter()
        .map(|county| {
            let group = plan
                .groups
                .iter()
                .find(|g| g.ids.as_ref().is_none_or(|ids| ids.contains(&county)))
                .map(|g| g.name.clone())
                .unwrap_or_else(|| "—".into());
            let raw: Vec<Option<f64>> = sides
                .iter()
                .map(|m| m.values.get(&county).copied().flatten())
                .collect();
            let values = sides
                .iter()
                .map(|m| match m.values.get(&county) {
                    None => "not in this side".to_string(),
                    Some(None) => "—".to_string(),
                    Some(Some(v)) => format_value(m.unit, *v, &m.currency),
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
    CountyDetail {
        code: indicator.code.clone(),
        title: indicator.title.clone(),
        sides: plan.sides.iter().map(|s| s.label.clone()).collect(),
        lines,
    }
}

/// "Jul–Dec 2024: 4 counties; Jan–Jun 2025: 7 counties" when a side's quarters expect
/// different numbers of counties (a side across phases); None when they all expect the same.
fn coverage_note(quarters: &[(Period, Vec<i32>)]) -> Option<String> {
    let mut runs: Vec<(Period, Period, usize)> = Vec::new();
    for (q, ids) in quarters {
        match runs.last_mut() {
            Some((_, last, n)) if *n == ids.len() => *last = *q,
            _ => runs.push((*q, *q, ids.len())),
        }
    }
    (runs.len() > 1).then(|| {
        runs.iter()
            .map(|(a, b, n)| {
                format!(
                    "{}–{}: {n} {}",
                    a.start().format("%b %Y"),
                    b.end().format("%b %Y"),
                    if *n == 1 { "county" } else { "counties" }
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    })
}
