//! The ministry report for one reporting period across all programmes, county by county
//! on the Kenyan fiscal year (July–June): the five MoU counties first, then every other
//! county where a programme worked. For each county and programme: its indicators'
//! approved county values, the milestones and the activities there.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

use super::as_at::{self, ActivityLine, AsAt, MilestoneLine};
use super::figures::{self, PeriodFigures, ReportFigure};
use super::render::{Align, Block, Cell, Column, Document, Table, Width};
use super::text::{self, rag_cell};
use super::{Frame, Issue};
use crate::db::DbConn;
use crate::domain::achievement::Direction;
use crate::domain::comparison::Verdict;
use crate::domain::period::{Period, PeriodKind};
use crate::error::{AppError, AppResult};
use crate::figures::kind;
use crate::format::{self, value};
use crate::models::location::{self, Location};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::values;

/// A county's table lists every indicator of a programme up to this many; a longer
/// logframe (the generated 100-indicator programmes) gets its key indicators and those
/// needing attention in the table, and every indicator's value in a compact list, so
/// that 47 counties × 3 programmes stay a readable, small document.
const FULL_TABLE_MAX: usize = 30;
/// Indicators needing attention shown beside the key ones in a long logframe's table.
const ATTENTION_MAX: usize = 12;

/// The 2025 Kenya–UK Border Security MoU lists its initial counties in this order.
pub(crate) const MOU_ORDER: [&str; 5] = ["Turkana", "Mandera", "Marsabit", "Wajir", "Busia"];

pub struct ProgrammePart {
    pub programme: Programme,
    pub phases: Vec<PhaseWithCounties>,
    pub figures: PeriodFigures,
    pub previous: PeriodFigures,
    /// Milestones and activities as at the end of the period, listed by the rules in
    /// `report::as_at`.
    pub plan: AsAt,
}

pub struct MinistryReport {
    pub period: Period,
    pub parts: Vec<ProgrammePart>,
    pub counties: Vec<Location>,
    pub data_as_of: Option<NaiveDateTime>,
}

/// The period's name on the Kenyan fiscal year, e.g. "FY 2026/27 Q1 (Jul–Sep 2026)".
pub fn fiscal_label(period: &Period) -> String {
    match period.kenyan_fy_quarter_label() {
        Some(fy) => format!("{fy} ({})", period.label()),
        None => period.label(),
    }
}

impl MinistryReport {
    pub fn load(conn: &mut DbConn, period: Period) -> AppResult<MinistryReport> {
        let mut parts = Vec::new();
        let mut data_as_of: Option<NaiveDateTime> = None;
        for p in programme::all(conn)? {
            if period.end() < p.start_date || period.start() > p.end_date {
                continue;
            }
            let phases = programme::phases_of(conn, p.id)?;
            let figures = figures::load(conn, &p, &phases, &period, 0)?;
            let previous = figures::load(conn, &p, &phases, &period.prev(), 0)?;
            let plan = AsAt::load(conn, p.id, &period)?;
            data_as_of = data_as_of.max(values::approved_as_of(conn, p.id, period.end())?);
            parts.push(ProgrammePart {
                programme: p,
                phases,
                figures,
                previous,
                plan,
            });
        }
        if parts.is_empty() {
            return Err(AppError::invalid(
                "period",
                format!(
                    "no programme runs during {} ({})",
                    period.id(),
                    period.label()
                ),
            ));
        }
        let all = location::counties(conn)?;
        let mut active: BTreeMap<i32, ()> = BTreeMap::new();
        for part in &parts {
            for c in &part.figures.counties {
                active.insert(c.id, ());
            }
            for l in part
                .plan
                .milestones
                .iter()
                .filter_map(|m| m.milestone.location_id)
            {
                active.insert(l, ());
            }
            for l in part
                .plan
                .activities
                .iter()
                .filter_map(|a| a.activity.location_id)
            {
                active.insert(l, ());
            }
        }
        let mut counties: Vec<Location> = all
            .into_iter()
            .filter(|c| c.mou_initial || active.contains_key(&c.id))
            .collect();
        // The MoU's five initial counties first, in the MoU's order of listing, then the
        // others by name.
        let rank = |c: &Location| {
            MOU_ORDER
                .iter()
                .position(|n| *n == c.name)
                .unwrap_or(if c.mou_initial {
                    MOU_ORDER.len()
                } else {
                    usize::MAX
                })
        };
        counties.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name)));
        Ok(MinistryReport {
            period,
            parts,
            counties,
            data_as_of,
        })
    }

    pub fn document(&self, issue: Issue) -> Document {
        let label = fiscal_label(&self.period);
        let lines = vec![
            (
                "Reporting period".to_string(),
                format!(
                    "{label}: {}",
                    format::date_range(self.period.start(), self.period.end())
                ),
            ),
            (
                "Programmes".to_string(),
                self.parts
                    .iter()
                    .map(|p| format!("{} ({})", p.programme.name, p.programme.code))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            ("Counties".to_string(), self.counties.len().to_string()),
        ];
        let frame = Frame {
            title: "Border security programmes: county report".into(),
            subtitle: format!("Ministry report — {label}"),
            cover_lines: lines,
            pdf_title: format!(
                "Border security programmes — county report {}",
                self.period.id()
            ),
            subject: format!("Ministry report across programmes, county by county, for {label}"),
            keywords: vec!["ministry report".into(), self.period.id()],
            header: format!("County report · {label}"),
            demo: self.parts.iter().any(|p| p.programme.is_demo),
            data_as_of: self.data_as_of,
            period_end: self.period.end(),
        };
        super::document(frame, issue, self.body())
    }

    fn body(&self) -> Vec<Block> {
        let mut b = Vec::new();
        self.overview(&mut b);
        b.extend(super::maps::ministry_overview(self));
        for county in &self.counties {
            self.county(county, &mut b);
        }
        b
    }

    fn overview(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading {
            level: 1,
            text: "1. Programmes in the period".into(),
        });
        b.push(Block::Note(
            "Figures are approved values only. The Kenyan fiscal year runs July to June: its first quarter is July–September.".into(),
        ));
        b.push(Block::Note(format!(
            "{} {}",
            as_at::MILESTONE_RULE,
            as_at::ACTIVITY_RULE
        )));
        let rows = self
            .parts
            .iter()
            .map(|part| {
                let f = &part.figures.figures;
                let phase = programme::phase_of(&part.phases, &self.period)
                    .map(|ph| ph.phase.name.clone())
                    .unwrap_or_else(|| "—".into());
                let listed = part.plan.in_period().count();
                let done = part
                    .plan
                    .in_period()
                    .filter(|(_, s)| s.is_completed())
                    .count();
                let late = part.plan.late();
                vec![
                    Cell::new(format!("{} ({})", part.programme.name, part.programme.code)),
                    Cell::new(phase),
                    Cell::new(part.figures.counties.len().to_string()),
                    Cell::new(text::rag_tally(f.iter().map(|x| x.figure.rag))),
                    Cell::new(format!("{done} of {listed}")),
                    Cell::new(format!("{} ({late} late)", part.plan.activities.len())),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Programme", Width::Share(1.0), Align::Left),
                Column::new("Phase", Width::Points(80.0), Align::Left),
                Column::new("Counties", Width::Points(54.0), Align::Right),
                Column::new("Indicators (RAG)", Width::Points(100.0), Align::Left),
                Column::new("Milestones done", Width::Points(66.0), Align::Right),
                Column::new("Activities", Width::Points(56.0), Align::Right),
            ],
            rows,
        }));
    }

    fn county(&self, county: &Location, b: &mut Vec<Block>) {
        b.push(Block::PageBreak);
        b.push(Block::Heading {
            level: 1,
            text: if county.mou_initial {
                format!("{} County (MoU initial county)", county.name)
            } else {
                format!("{} County", county.name)
            },
        });
        b.push(super::maps::locator(county));
        let mut any = false;
        for part in &self.parts {
            let covered = part.figures.counties.iter().any(|c| c.id == county.id);
            let milestones: Vec<&MilestoneLine> = part
                .plan
                .milestones
                .iter()
                .filter(|m| m.milestone.location_id == Some(county.id))
                .collect();
            let activities: Vec<&ActivityLine> = part
                .plan
                .activities
                .iter()
                .filter(|a| a.activity.location_id == Some(county.id))
                .collect();
            if !covered && milestones.is_empty() && activities.is_empty() {
                continue;
            }
            any = true;
            let p = &part.programme;
            b.push(Block::Heading {
                level: 2,
                text: format!("{} ({})", p.name, p.code),
            });
            if covered {
                self.county_indicators(part, county, b);
            } else {
                b.push(Block::Note(
                    "The county is not in this programme's phase for the period: no indicator values are expected here.".into(),
                ));
            }
            if !milestones.is_empty() {
                let rows = milestones
                    .iter()
                    .map(|l| {
                        vec![
                            Cell::new(&l.milestone.title),
                            Cell::new(format::date(l.milestone.due_date)),
                            as_at::milestone_cell(l.listing),
                        ]
                    })
                    .collect();
                b.push(Block::Table(Table {
                    columns: vec![
                        Column::new("Milestone", Width::Share(1.0), Align::Left),
                        Column::new("Due", Width::Points(62.0), Align::Left),
                        Column::new("Status", Width::Points(96.0), Align::Left),
                    ],
                    rows,
                }));
            }
            if !activities.is_empty() {
                let rows = activities
                    .iter()
                    .map(|l| {
                        vec![
                            Cell::new(&l.activity.code),
                            Cell::new(&l.activity.title),
                            as_at::activity_cell(l),
                            Cell::new(format!("{}%", l.state.percent_complete)),
                        ]
                    })
                    .collect();
                b.push(Block::Table(Table {
                    columns: vec![
                        Column::new("Code", Width::Points(50.0), Align::Left),
                        Column::new("Activity", Width::Share(1.0), Align::Left),
                        Column::new("Status", Width::Points(90.0), Align::Left),
                        Column::new("Done", Width::Points(36.0), Align::Right),
                    ],
                    rows,
                }));
            }
        }
        if !any {
            b.push(Block::Note(
                "No programme activity recorded in this county for the period.".into(),
            ));
        }
    }

    /// One programme's indicators in one county: this county's approved value against
    /// its previous quarter (better or worse given the indicator's direction) and the
    /// programme-wide figure.
    fn county_indicators(&self, part: &ProgrammePart, county: &Location, b: &mut Vec<Block>) {
        let p = &part.programme;
        let previous: HashMap<i32, Option<f64>> = part
            .previous
            .figures
            .iter()
            .map(|f| (f.indicator.id, county_value(f, county.id)))
            .collect();
        let lines: Vec<CountyLine> = part
            .figures
            .figures
            .iter()
            .map(|f| CountyLine {
                figure: f,
                here: county_value(f, county.id),
                before: previous.get(&f.indicator.id).copied().flatten(),
            })
            .collect();
        let missing = lines.iter().filter(|l| l.here.is_none()).count();
        let worse = lines
            .iter()
            .filter(|l| l.trend() == Some(Verdict::Worse))
            .count();
        b.push(Block::Note(format!(
            "{} indicators: {} approved here, {missing} not yet approved; {worse} moved the wrong way since {}.",
            lines.len(),
            lines.len() - missing,
            self.period.prev().label()
        )));
        let shown: Vec<&CountyLine> = if lines.len() <= FULL_TABLE_MAX {
            lines.iter().collect()
        } else {
            let mut attention: Vec<&CountyLine> = lines
                .iter()
                .filter(|l| !l.figure.indicator.is_key)
                .filter(|l| l.here.is_none() || l.trend() == Some(Verdict::Worse))
                .collect();
            // Not yet approved first, then the largest moves the wrong way.
            attention.sort_by(|a, b| {
                b.here
                    .is_none()
                    .cmp(&a.here.is_none())
                    .then(b.relative_move().total_cmp(&a.relative_move()))
            });
            let more = attention.len().saturating_sub(ATTENTION_MAX);
            attention.truncate(ATTENTION_MAX);
            let mut shown: Vec<&CountyLine> =
                lines.iter().filter(|l| l.figure.indicator.is_key).collect();
            shown.extend(attention);
            shown.sort_by_key(|l| l.figure.indicator.position);
            b.push(Block::Note(format!(
                "The table shows the key indicators and, of the others, those not yet approved here or that moved the wrong way (at most {ATTENTION_MAX}{}); every indicator's value follows it.",
                if more > 0 {
                    format!(", {more} more not shown")
                } else {
                    String::new()
                }
            )));
            shown
        };
        let rows = shown
            .iter()
            .map(|l| {
                let f = l.figure;
                let unit = f.rules.unit;
                vec![
                    Cell::new(&f.indicator.code),
                    Cell::new(&f.indicator.title),
                    Cell::new(value(unit, l.here, &p.currency)),
                    Cell::new(value(unit, l.before, &p.currency)),
                    Cell::new(l.trend_word()),
                    Cell::new(kind::achieved(&f.figure, unit, &p.currency, true)),
                    rag_cell(f.figure.rag),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Code", Width::Points(68.0), Align::Left),
                Column::new("Indicator", Width::Share(1.0), Align::Left),
                Column::new("This county", Width::Points(54.0), Align::Right),
                Column::new(
                    if self.period.kind() == PeriodKind::Quarter {
                        "Previous quarter"
                    } else {
                        "Previous period"
                    },
                    Width::Points(54.0),
                    Align::Right,
                ),
                Column::new("Trend", Width::Points(40.0), Align::Left),
                Column::new("All counties", Width::Points(58.0), Align::Right),
                Column::new("RAG (all)", Width::Points(54.0), Align::Left),
            ],
            rows,
        }));
        if lines.len() > FULL_TABLE_MAX {
            let list: Vec<String> = lines
                .iter()
                .map(|l| {
                    format!(
                        "{} {}",
                        l.figure.indicator.code,
                        value(l.figure.rules.unit, l.here, &p.currency)
                    )
                })
                .collect();
            b.push(Block::Paragraph(format!(
                "Every indicator in {} ({}): {}",
                county.name,
                self.period.id(),
                list.join(" · ")
            )));
        }
    }
}

fn county_value(f: &ReportFigure, county: i32) -> Option<f64> {
    f.figure
        .by_county
        .iter()
        .find(|(c, _)| *c == county)
        .and_then(|(_, v)| *v)
}

struct CountyLine<'a> {
    figure: &'a ReportFigure,
    here: Option<f64>,
    before: Option<f64>,
}

impl CountyLine<'_> {
    /// Since the previous quarter, judged by the indicator's direction; None when
    /// either quarter has no approved value.
    fn trend(&self) -> Option<Verdict> {
        let (now, before) = (self.here?, self.before?);
        Some(trend(now, before, self.figure.rules.direction))
    }

    fn trend_word(&self) -> &'static str {
        match self.trend() {
            Some(Verdict::Better) => "better",
            Some(Verdict::Worse) => "worse",
            Some(Verdict::Same) => "same",
            None => "—",
        }
    }

    /// How far the value moved, relative to the previous quarter, for ordering.
    fn relative_move(&self) -> f64 {
        match (self.here, self.before) {
            (Some(now), Some(before)) => (now - before).abs() / before.abs().max(1e-9),
            _ => 0.0,
        }
    }
}

/// Better or worse, given which way the indicator should move.
fn trend(now: f64, before: f64, direction: Direction) -> Verdict {
    Verdict::of(now - before, direction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_follows_the_indicators_direction() {
        use Direction::*;
        assert_eq!(trend(12.0, 10.0, HigherIsBetter), Verdict::Better);
        assert_eq!(trend(8.0, 10.0, HigherIsBetter), Verdict::Worse);
        assert_eq!(trend(8.0, 10.0, LowerIsBetter), Verdict::Better);
        assert_eq!(trend(12.0, 10.0, LowerIsBetter), Verdict::Worse);
        assert_eq!(trend(10.0, 10.0, LowerIsBetter), Verdict::Same);
    }
}
