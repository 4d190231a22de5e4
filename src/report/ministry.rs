//! The ministry report for one reporting period across all programmes, county by county
//! on the Kenyan fiscal year (July–June): the five MoU counties first, then every other
//! county where a programme worked.
//!
//! In reading order: a table of every county against every programme (`summary`); the
//! programmes in the period, with the same activity count as each programme's donor
//! report, split by county and programme-wide (`plan`); the milestones and activities of
//! each programme as a whole, which no county lists; then county by county, flowing on,
//! each programme's indicators there — rated against the county's own targets where it
//! has them and never with the programme's rating (`county`, `rating`), under column
//! titles named for the kind of period (`labels`) — and its milestones and activities.

mod county;
mod labels;
mod plan;
mod rating;
mod summary;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::as_at::{self, AsAt};
use super::figures::{self, PeriodFigures};
use super::render::{Align, Block, Cell, Column, Document, Table, Width};
use super::text;
use super::{Frame, Issue};
use crate::db::DbConn;
use crate::domain::disclosure::Audience;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::figures::shared::Withheld;
use crate::format;
use crate::models::location::{self, Location};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::{target, values};
use plan::ActivityCounts;
use rating::CountyTargets;
use summary::Presence;

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
    /// The interim targets set for single counties, which rate a county on its own.
    pub county_targets: CountyTargets,
    /// What the report keeps from its readers in this programme's part (it goes to
    /// partners): internal indicators, county figures under a small-number rule.
    pub withheld: Vec<Withheld>,
}

pub struct MinistryReport {
    pub period: Period,
    pub parts: Vec<ProgrammePart>,
    pub counties: Vec<Location>,
    pub data_as_of: Option<NaiveDateTime>,
    /// The one programme a draft was asked for (`--programme`), if it was.
    pub only: Option<String>,
}

/// The period's name on the Kenyan fiscal year, e.g. "FY 2026/27 Q1 (Jul–Sep 2026)".
pub fn fiscal_label(period: &Period) -> String {
    match period.kenyan_fy_quarter_label() {
        Some(fy) => format!("{fy} ({})", period.label()),
        None => period.label(),
    }
}

impl MinistryReport {
    /// Every programme running in the period.
    pub fn load(conn: &mut DbConn, period: Period) -> AppResult<MinistryReport> {
        Self::load_only(conn, period, None)
    }

    /// Every programme running in the period, or only `only` (a programme's code): a
    /// draft of one programme's part, county by county, which says so on its cover.
    pub fn load_only(
        conn: &mut DbConn,
        period: Period,
        only: Option<&Programme>,
    ) -> AppResult<MinistryReport> {
        let mut parts = Vec::new();
        let mut data_as_of: Option<NaiveDateTime> = None;
        let programmes = match only {
            Some(p) => vec![p.clone()],
            None => programme::all(conn)?,
        };
        for p in programmes {
            if period.end() < p.start_date || period.start() > p.end_date {
                continue;
            }
            let phases = programme::phases_of(conn, p.id)?;
            // The ministry report is for partners, like the donor report: what they may
            // not see is taken out of both periods before any county page reads them.
            let mut figures = figures::load(conn, &p, &phases, &period, 0)?;
            let withheld = crate::figures::shared::disclose(&mut figures, Audience::Partners);
            let mut previous = figures::load(conn, &p, &phases, &period.prev(), 0)?;
            crate::figures::shared::disclose(&mut previous, Audience::Partners);
            let plan = AsAt::load(conn, p.id, &period)?;
            let county_targets = rating::county_targets(target::of_programme(conn, p.id)?);
            data_as_of = data_as_of.max(values::approved_as_of(conn, p.id, period.end())?);
            parts.push(ProgrammePart {
                programme: p,
                phases,
                figures,
                previous,
                plan,
                county_targets,
                withheld,
            });
        }
        if parts.is_empty() {
            return Err(AppError::invalid(
                "period",
                format!(
                    "{} during {} ({})",
                    match only {
                        Some(p) => format!("{} does not run", p.code),
                        None => "no programme runs".into(),
                    },
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
            only: only.map(|p| format!("{} ({}) only", p.name, p.code)),
        })
    }

    pub fn document(&self, issue: Issue) -> Document {
        let label = fiscal_label(&self.period);
        let programmes = match &self.only {
            Some(only) => ("Programme".to_string(), only.clone()),
            None => (
                "Programmes".to_string(),
                self.parts
                    .iter()
                    .map(|p| format!("{} ({})", p.programme.name, p.programme.code))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        };
        let lines = vec![
            (
                "Reporting period".to_string(),
                format!(
                    "{label}: {}",
                    format::date_range(self.period.start(), self.period.end())
                ),
            ),
            programmes,
            ("Counties".to_string(), self.counties.len().to_string()),
        ];
        let only = self
            .only
            .as_ref()
            .map(|o| format!(" — {o}"))
            .unwrap_or_default();
        let frame = Frame {
            title: "Border security programmes: county report".into(),
            subtitle: format!("Ministry report — {label}{only}"),
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
        // Contents first: a reader looking for one county finds its page there.
        let mut b = super::contents_page();
        self.summary(&mut b);
        self.overview(&mut b);
        b.extend(super::maps::ministry_overview(self));
        self.programme_wide(&mut b);
        // The county pages are the body of the report: they start on a page of their
        // own, and then flow on from county to county.
        b.push(Block::PageBreak);
        b.push(Block::Heading {
            level: 1,
            text: "4. County by county".into(),
        });
        b.push(Block::Note(county::RATING_NOTE.into()));
        if let Some(note) = self.disclosure_note() {
            b.push(Block::Note(note));
        }
        for county in &self.counties {
            self.county(county, &mut b);
        }
        b
    }

    /// What the county pages keep from their readers, and why (rules, never values):
    /// internal indicators by number only (naming one would publish it), county figures
    /// under a small-number rule by indicator and county.
    pub fn disclosure_note(&self) -> Option<String> {
        let mut said = Vec::new();
        for part in &self.parts {
            let left_out = part.withheld.iter().filter(|w| w.county.is_none()).count();
            if left_out > 0 {
                said.push(format!(
                    "{}: {left_out} indicator{} kept internal to the programme left out",
                    part.programme.code,
                    if left_out == 1 { "" } else { "s" }
                ));
            }
            let small: Vec<String> = part
                .withheld
                .iter()
                .filter_map(|w| {
                    let c = w.county.as_ref()?;
                    Some(format!("{} {c} {}", w.indicator, w.shown_as))
                })
                .collect();
            if !small.is_empty() {
                said.push(format!(
                    "{}: county figures under a small-number rule — {}",
                    part.programme.code,
                    small.join(", ")
                ));
            }
        }
        (!said.is_empty()).then(|| {
            format!(
                "Sensitive figures: this report is shared beyond the programme teams. A county figure below an indicator's threshold could identify people, so it is shown as \"fewer than N\" or withheld, and where only one county would be hidden the next smallest is withheld with it, so that it cannot be worked out from the total; the programmes' totals include every county. {}.",
                said.join("; ")
            )
        })
    }

    /// What one programme did in one county over the period, for the summary table.
    fn presence(&self, part: &ProgrammePart, county: i32) -> Presence {
        if part.figures.counties.iter().any(|c| c.id == county) {
            let lines = county::lines(part, county, &self.period);
            Presence::Covered {
                // A figure withheld under a small-number rule is approved all the same.
                approved: lines
                    .iter()
                    .filter(|l| l.here.is_some() || l.hidden.is_some())
                    .count(),
                ratings: lines.into_iter().map(|l| l.rating).collect(),
            }
        } else {
            let (m, a) = plan::of_place(&part.plan, Some(county));
            if m.is_empty() && a.is_empty() {
                Presence::Absent
            } else {
                Presence::PlanOnly {
                    milestones: m.len(),
                    activities: a.len(),
                }
            }
        }
    }

    fn summary(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading {
            level: 1,
            text: "1. Counties and programmes at a glance".into(),
        });
        let rows = self
            .counties
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    self.parts
                        .iter()
                        .map(|part| self.presence(part, c.id))
                        .collect(),
                )
            })
            .collect();
        let codes: Vec<String> = self
            .parts
            .iter()
            .map(|p| p.programme.code.clone())
            .collect();
        b.push(summary::table(&codes, rows));
        b.push(Block::Note(format!(
            "Counties: the MoU's five initial counties first, in the MoU's order, then every other county where a programme worked, by name. Programmes by code (named in section 2). {}",
            summary::NOTE
        )));
    }

    fn overview(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading {
            level: 1,
            text: "2. Programmes in the period".into(),
        });
        let rows = self
            .parts
            .iter()
            .map(|part| {
                let f = &part.figures.figures;
                let phase = programme::phase_of(&part.phases, &self.period)
                    .map(|ph| ph.phase.name.clone())
                    .unwrap_or_else(|| "—".into());
                vec![
                    Cell::new(format!("{} ({})", part.programme.name, part.programme.code)),
                    Cell::new(phase),
                    Cell::new(part.figures.counties.len().to_string()),
                    Cell::new(text::rag_tally(f.iter().map(|x| x.figure.rag))),
                    Cell::new(plan::milestone_words(&part.plan)),
                    Cell::new(ActivityCounts::of(&part.plan).words()),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Programme", Width::Share(1.0), Align::Left),
                Column::new("Phase", Width::Points(62.0), Align::Left),
                Column::new("Counties", Width::Points(50.0), Align::Right),
                Column::new(
                    "Indicators, all counties (RAG)",
                    Width::Points(84.0),
                    Align::Left,
                ),
                Column::new("Milestones", Width::Points(74.0), Align::Left),
                Column::new("Activities", Width::Points(92.0), Align::Left),
            ],
            rows,
        }));
        b.push(Block::Note(
            "Figures are approved values only. The Kenyan fiscal year runs July to June: its first quarter is July–September. Counties: those of the programme's phase in the period. Indicators: the programme's figures over all counties of its phase against the programme's milestones (✓ on track, ▲ needs attention, ✗ off track). Milestones: programme milestones due in the period and completed by its end, and those due in the following quarter. Activities: those under way in the period — the same activities, and the same count, as the programme's donor report for the period — split into those of one county (in the county pages) and those of the programme as a whole (section 3); late: not finished by their planned end, or finished after it.".into(),
        ));
        b.push(Block::Note(format!(
            "{} {}",
            as_at::MILESTONE_RULE,
            as_at::ACTIVITY_RULE
        )));
    }

    /// Milestones and activities of a programme as a whole ("All counties"): no county
    /// page lists them.
    fn programme_wide(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading {
            level: 1,
            text: "3. Programme-wide milestones and activities".into(),
        });
        // Each programme's note comes after its tables: a heading followed by a note is
        // kept with the note only, and could be left at the foot of a page alone.
        for part in &self.parts {
            let p = &part.programme;
            let (milestones, activities) = plan::of_place(&part.plan, None);
            b.push(Block::Heading {
                level: 2,
                text: format!("{} ({})", p.name, p.code),
            });
            if milestones.is_empty() && activities.is_empty() {
                b.push(Block::Note(
                    "No programme-wide milestone or activity (set for all counties rather than one) listed for the period.".into(),
                ));
                continue;
            }
            plan::tables(&milestones, &activities, b);
            let late = activities.iter().filter(|a| a.late).count();
            b.push(Block::Note(format!(
                "Set for the programme as a whole (all counties), not for one county, so no county page lists them: {} programme-wide milestones listed; {} programme-wide activities under way in the period, {late} late.",
                milestones.len(),
                activities.len()
            )));
        }
    }

    fn county(&self, county: &Location, b: &mut Vec<Block>) {
        // No page break: counties flow on, and the renderer keeps each heading with the
        // start of what follows it (the programme's heading and its table's first rows).
        b.push(Block::Heading {
            level: 2,
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
            let (milestones, activities) = plan::of_place(&part.plan, Some(county.id));
            if !covered && milestones.is_empty() && activities.is_empty() {
                continue;
            }
            any = true;
            let p = &part.programme;
            b.push(Block::Heading {
                level: 3,
                text: format!("{} ({})", p.name, p.code),
            });
            if covered {
                let lines = county::lines(part, county.id, &self.period);
                county::indicators(part, &county.name, &lines, &self.period, b);
            } else {
                b.push(Block::Note(
                    "The county is not in this programme's phase for the period: no indicator values are expected here.".into(),
                ));
            }
            plan::tables(&milestones, &activities, b);
        }
        if !any {
            b.push(Block::Note(
                "No programme activity recorded in this county for the period.".into(),
            ));
        }
    }
}
