//! The ministry report for one reporting period across all programmes, county by county
//! on the Kenyan fiscal year (July–June): the five MoU counties first, then every other
//! county where a programme worked. For each county and programme: its indicators'
//! approved county values, the milestones and the activities there.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

use super::figures::{self, PeriodFigures};
use super::render::{Align, Block, Cell, Column, Document, Table, Width};
use super::text::{self, rag_cell, value};
use super::{Frame, Issue};
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::activity::{self, Activity};
use crate::models::location::{self, Location};
use crate::models::milestone::{self, Milestone};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::values;

/// The 2025 Kenya–UK Border Security MoU lists its initial counties in this order.
const MOU_ORDER: [&str; 5] = ["Turkana", "Mandera", "Marsabit", "Wajir", "Busia"];

pub struct ProgrammePart {
    pub programme: Programme,
    pub phases: Vec<PhaseWithCounties>,
    pub figures: PeriodFigures,
    pub previous: PeriodFigures,
    /// Milestones due in the period, or due before its end and still open.
    pub milestones: Vec<Milestone>,
    /// Activities planned to run during the period, or late at its end.
    pub activities: Vec<Activity>,
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
            let figures = figures::load(conn, &p, &phases, &period)?;
            let previous = figures::load(conn, &p, &phases, &period.prev())?;
            let milestones = milestone::of_programme(conn, p.id)?
                .into_iter()
                .filter(|m| {
                    period.contains_date(m.due_date) || (m.is_open() && m.due_date < period.start())
                })
                .collect();
            let activities = activity::of_programme(conn, p.id)?
                .into_iter()
                .filter(|a| {
                    (a.planned_start <= period.end() && a.planned_end >= period.start())
                        || a.is_late(period.end())
                })
                .collect();
            data_as_of = data_as_of.max(values::approved_as_of(conn, p.id, period.end())?);
            parts.push(ProgrammePart {
                programme: p,
                phases,
                figures,
                previous,
                milestones,
                activities,
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
            for l in part.milestones.iter().filter_map(|m| m.location_id) {
                active.insert(l, ());
            }
            for l in part.activities.iter().filter_map(|a| a.location_id) {
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
                    text::date_range(self.period.start(), self.period.end())
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
        let rows = self
            .parts
            .iter()
            .map(|part| {
                let f = &part.figures.figures;
                let phase = programme::phase_of(&part.phases, &self.period)
                    .map(|ph| ph.phase.name.clone())
                    .unwrap_or_else(|| "—".into());
                let done = part
                    .milestones
                    .iter()
                    .filter(|m| m.status == "completed")
                    .count();
                let late = part
                    .activities
                    .iter()
                    .filter(|a| a.is_late(self.period.end()))
                    .count();
                vec![
                    Cell::new(format!("{} ({})", part.programme.name, part.programme.code)),
                    Cell::new(phase),
                    Cell::new(part.figures.counties.len().to_string()),
                    Cell::new(text::rag_tally(f.iter().map(|x| x.rag))),
                    Cell::new(format!("{done} of {}", part.milestones.len())),
                    Cell::new(format!("{} ({late} late)", part.activities.len())),
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
        let mut any = false;
        for part in &self.parts {
            let covered = part.figures.counties.iter().any(|c| c.id == county.id);
            let milestones: Vec<&Milestone> = part
                .milestones
                .iter()
                .filter(|m| m.location_id == Some(county.id))
                .collect();
            let activities: Vec<&Activity> = part
                .activities
                .iter()
                .filter(|a| a.location_id == Some(county.id))
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
                let previous: HashMap<i32, Option<f64>> = part
                    .previous
                    .figures
                    .iter()
                    .map(|f| {
                        (
                            f.indicator.id,
                            f.by_county
                                .iter()
                                .find(|(c, _)| *c == county.id)
                                .and_then(|(_, v)| *v),
                        )
                    })
                    .collect();
                let rows = part
                    .figures
                    .figures
                    .iter()
                    .map(|f| {
                        let here = f
                            .by_county
                            .iter()
                            .find(|(c, _)| *c == county.id)
                            .and_then(|(_, v)| *v);
                        let unit = f.rules.unit;
                        vec![
                            Cell::new(&f.indicator.code),
                            Cell::new(&f.indicator.title),
                            Cell::new(value(unit, here, &p.currency)),
                            Cell::new(value(
                                unit,
                                previous.get(&f.indicator.id).copied().flatten(),
                                &p.currency,
                            )),
                            Cell::new(value(unit, f.value, &p.currency)),
                            rag_cell(f.rag),
                        ]
                    })
                    .collect();
                b.push(Block::Table(Table {
                    columns: vec![
                        Column::new("Code", Width::Points(68.0), Align::Left),
                        Column::new("Indicator", Width::Share(1.0), Align::Left),
                        Column::new("This county", Width::Points(58.0), Align::Right),
                        Column::new("Previous quarter", Width::Points(58.0), Align::Right),
                        Column::new("All counties", Width::Points(62.0), Align::Right),
                        Column::new("RAG (all)", Width::Points(56.0), Align::Left),
                    ],
                    rows,
                }));
            } else {
                b.push(Block::Note(
                    "The county is not in this programme's phase for the period: no indicator values are expected here.".into(),
                ));
            }
            if !milestones.is_empty() {
                let rows = milestones
                    .iter()
                    .map(|m| {
                        vec![
                            Cell::new(&m.title),
                            Cell::new(text::date(m.due_date)),
                            text::milestone_cell(m, self.period.end()),
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
                    .map(|a| {
                        vec![
                            Cell::new(&a.code),
                            Cell::new(&a.title),
                            text::activity_cell(a, self.period.end()),
                            Cell::new(format!("{}%", a.percent_complete)),
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
}
