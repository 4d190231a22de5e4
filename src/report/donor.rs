//! The donor progress report for one programme and reporting period, shaped like an
//! FCDO logframe review: cover, summary with output scores and the manager's narrative,
//! results with indicator tables and charts, milestones, activities, budget, and the
//! figures by county.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::as_at::{self, AsAt};
use super::figures::{self, PeriodFigures, ReportFigure};
use super::render::{Align, Block, Cell, Chart, Column, Document, Table, Width};
use super::text::{self, rag_cell};
use super::{Frame, Issue};
use crate::db::DbConn;
use crate::domain::codelist;
use crate::domain::disclosure::{Audience, Hidden};
use crate::domain::period::Period;
use crate::domain::score::{overall_score, suggest_output_score, OutputScore, SCORE_RULE};
use crate::domain::unit::format_minor;
use crate::error::{AppError, AppResult};
use crate::figures::kind;
use crate::figures::shared::Withheld;
use crate::format::{self, value};
use crate::models::framework::{self, level_rank, ResultRow};
use crate::models::narrative::{self, Texts};
use crate::models::programme::{self, PhaseWithCounties, Programme};
use crate::models::{location, organisation, values};

/// Everything the donor report prints, read from the database in one go.
pub struct DonorReport {
    pub programme: Programme,
    pub period: Period,
    pub phases: Vec<PhaseWithCounties>,
    pub partners: Vec<(String, Vec<String>)>,
    pub data_as_of: Option<NaiveDateTime>,
    /// The logframe in reading order, with each result's depth.
    pub results: Vec<(usize, ResultRow)>,
    pub figures: PeriodFigures,
    pub narrative: Texts,
    /// Each output's narrative for the period, by result id.
    pub output_narratives: HashMap<i32, String>,
    /// Milestones, activities and spend as at the end of the period.
    pub plan: AsAt,
    pub county_names: HashMap<i32, String>,
    pub organisation_names: HashMap<i32, String>,
    /// An evaluator's comparison added as an annex ("evaluation annex"), if chosen.
    pub evaluation: Vec<Block>,
    /// Evidence files of the period's figures and of the milestones and activities the
    /// report lists (archived ones left out), oldest first.
    pub evidence: Vec<EvidenceLine>,
    /// What the report keeps from its readers (it goes to partners): indicators left out
    /// and county figures coarsened or withheld, by the rules of `domain::disclosure`.
    pub withheld: Vec<Withheld>,
}

/// One evidence file as the annex lists it.
#[derive(Debug, Clone)]
pub struct EvidenceLine {
    /// "LBP-1.2 · Turkana · 2026Q2", "Milestone: …", "Activity A1.2: …".
    pub attached_to: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
}

impl DonorReport {
    pub fn load(conn: &mut DbConn, programme: Programme, period: Period) -> AppResult<DonorReport> {
        check_period(&programme, &period)?;
        let phases = programme::phases_of(conn, programme.id)?;
        let mut figures = figures::load(
            conn,
            &programme,
            &phases,
            &period,
            figures::HISTORY_QUARTERS,
        )?;
        // A donor report is for partners, draft or issued, whoever builds it: internal
        // indicators go, and county figures under a small-number rule are taken out
        // before anything below (tables, scores, maps, charts) reads them.
        let withheld = crate::figures::shared::disclose(&mut figures, Audience::Partners);
        let mut partners: Vec<(String, Vec<String>)> = Vec::new();
        for (role, org) in organisation::partners_of(conn, programme.id)? {
            let label = organisation::role_label(&role).to_string();
            match partners.iter_mut().find(|(l, _)| *l == label) {
                Some((_, names)) => names.push(org.name),
                None => partners.push((label, vec![org.name])),
            }
        }
        // Archived results appear only with figures of the period to show.
        let results: Vec<(usize, ResultRow)> =
            reading_order(framework::results_of(conn, programme.id)?)
                .into_iter()
                .filter(|(_, r)| {
                    !r.archived
                        || figures
                            .figures
                            .iter()
                            .any(|f| f.indicator.result_id == r.id)
                })
                .collect();
        let narrative = narrative::of_period(conn, programme.id, &period.id())?
            .map(|n| n.texts())
            .unwrap_or_default();
        let output_narratives =
            super::output_narrative::texts_of_period(conn, programme.id, &period)?;
        let plan = AsAt::load(conn, programme.id, &period)?;
        let county_names = location::county_names(conn)?;
        let organisation_names = organisation::short_names(conn)?;
        let data_as_of = values::approved_as_of(conn, programme.id, period.end())?;
        let evidence = evidence_of(conn, &programme, &period, &plan, &county_names)?;
        Ok(DonorReport {
            programme,
            period,
            phases,
            partners,
            data_as_of,
            results,
            figures,
            narrative,
            output_narratives,
            plan,
            county_names,
            organisation_names,
            evaluation: Vec::new(),
            evidence,
            withheld,
        })
    }

    fn county(&self, id: Option<i32>) -> String {
        id.and_then(|i| self.county_names.get(&i).cloned())
            .unwrap_or_else(|| "All counties".into())
    }

    fn figures_of(&self, result_id: i32) -> Vec<&ReportFigure> {
        self.figures
            .figures
            .iter()
            .filter(|f| f.indicator.result_id == result_id)
            .collect()
    }

    /// Each output's suggested score from its indicators' % achieved.
    pub fn output_scores(&self) -> Vec<(&ResultRow, Option<OutputScore>)> {
        self.results
            .iter()
            .filter(|(_, r)| r.level == "output")
            .map(|(_, r)| {
                let percents: Vec<f64> = self
                    .figures_of(r.id)
                    .iter()
                    .filter_map(|f| f.figure.percent)
                    .collect();
                (r, suggest_output_score(&percents))
            })
            .collect()
    }

    pub fn overall_score(&self) -> Option<OutputScore> {
        let weighted: Vec<(f64, OutputScore)> = self
            .output_scores()
            .into_iter()
            .filter_map(|(r, s)| Some((r.impact_weighting.unwrap_or(0.0), s?)))
            .collect();
        overall_score(&weighted)
    }

    /// The report as a document to render.
    pub fn document(&self, issue: Issue) -> Document {
        let p = &self.programme;
        let mut lines = vec![
            ("Programme".to_string(), format!("{} ({})", p.name, p.code)),
            (
                "Reporting period".to_string(),
                format!(
                    "{} ({})",
                    self.period.label(),
                    format::date_range(self.period.start(), self.period.end())
                ),
            ),
        ];
        if let Some(note) = &self.figures.phases_note {
            lines.push((
                "Phases".to_string(),
                note.trim_start_matches("across ").to_string(),
            ));
        } else if let Some(ph) = programme::phase_of(&self.phases, &self.period) {
            lines.push((
                "Phase".to_string(),
                format!("{} — {} counties", ph.phase.name, ph.counties.len()),
            ));
        }
        for (role, names) in &self.partners {
            lines.push((partner_label(role, names.len()), names.join("; ")));
        }
        let frame = Frame {
            title: p.name.clone(),
            subtitle: format!("Progress report — {}", self.period.label()),
            cover_lines: lines,
            pdf_title: format!("{} — progress report {}", p.name, self.period.id()),
            subject: format!(
                "Donor progress report of {} ({}) for {}",
                p.name,
                p.code,
                self.period.label()
            ),
            keywords: vec![p.code.clone(), self.period.id(), "progress report".into()],
            header: format!("{} · {}", p.name, self.period.label()),
            demo: p.is_demo,
            data_as_of: self.data_as_of,
            period_end: self.period.end(),
        };
        let mut doc = super::document(frame, issue, self.body());
        if let Some(author) = self.author() {
            doc.author = author;
        }
        doc
    }

    /// Who the report is by: the implementing partners (else whoever is listed first).
    fn author(&self) -> Option<String> {
        let implementing = codelist::role_label("implementing");
        self.partners
            .iter()
            .find(|(role, _)| role == implementing)
            .or(self.partners.first())
            .map(|(_, names)| names.join("; "))
    }

    fn body(&self) -> Vec<Block> {
        let mut b = super::contents_page();
        self.executive_summary(&mut b);
        self.narrative_section(&mut b);
        self.results_section(&mut b);
        self.milestones_section(&mut b);
        self.activities_section(&mut b);
        self.budget_section(&mut b);
        self.annex(&mut b);
        self.evidence_annex(&mut b);
        b.extend(self.evaluation.iter().cloned());
        b
    }

    /// One page that reads on its own: the scores, the key results, the main issues
    /// and risks, and spend against budget.
    fn executive_summary(&self, b: &mut Vec<Block>) {
        let f = &self.figures.figures;
        let listed: Vec<_> = self.plan.in_period().collect();
        let done = listed.iter().filter(|(_, s)| s.is_completed()).count();
        let open_late = listed
            .iter()
            .filter(|(_, s)| *s == crate::domain::progress::MilestoneState::Overdue)
            .count();
        let (budget, spend) = self.budget();
        b.push(Block::Heading {
            level: 1,
            text: "Executive summary".into(),
        });
        b.push(Block::KeyValues(vec![
            (
                "Overall suggested score".into(),
                self.overall_score()
                    .map(|s| format!("{} {} — {}", text::score_symbol(s), s.as_str(), s.description()))
                    .unwrap_or_else(|| "Not yet scored (no output has rated indicators)".into()),
            ),
            (
                "Indicators".into(),
                format!(
                    "{} against the period's milestones: {}",
                    f.len(),
                    text::rag_tally(f.iter().map(|x| x.figure.rag))
                ),
            ),
            (
                "Programme milestones".into(),
                if listed.is_empty() {
                    format!(
                        "none due or completed in the period; {} due next quarter",
                        self.plan.coming_up()
                    )
                } else {
                    format!(
                        "{done} of {} completed by the period's end; {open_late} overdue; {} due next quarter",
                        listed.len(),
                        self.plan.coming_up()
                    )
                },
            ),
            (
                "Spend against budget".into(),
                format!(
                    "{} spent to {} of {} ({})",
                    format_minor(spend, &self.programme.currency),
                    format::date(self.plan.end),
                    format_minor(budget, &self.programme.currency),
                    format::burn_rate(budget, spend)
                ),
            ),
        ]));
        b.push(Block::Heading {
            level: 2,
            text: "Output scores".into(),
        });
        let rows = self
            .output_scores()
            .into_iter()
            .map(|(r, s)| {
                // One line each, so the summary stays one page; the full statements
                // head their sections in 2.
                vec![
                    Cell::new(&r.code),
                    Cell::new(text::excerpt(&r.statement, 56)),
                    Cell::new(
                        r.impact_weighting
                            .map(|w| format!("{w:.0}%"))
                            .unwrap_or_else(|| "—".into()),
                    ),
                    text::score_cell(s),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Output", Width::Points(60.0), Align::Left),
                Column::new("Statement", Width::Share(1.0), Align::Left),
                Column::new("Weight", Width::Points(44.0), Align::Right),
                Column::new("Suggested score", Width::Points(84.0), Align::Left),
            ],
            rows,
        }));
        self.key_results(b);
        b.push(Block::Heading {
            level: 2,
            text: "Main issues and risks".into(),
        });
        let high: Vec<&str> = self
            .results
            .iter()
            .filter(|(_, r)| {
                r.risk_rating
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case("high"))
            })
            .map(|(_, r)| r.code.as_str())
            .collect();
        let mut pairs = Vec::new();
        for (label, body) in [
            ("Issues", &self.narrative.issues),
            ("Risks", &self.narrative.risks),
        ] {
            let said = text::excerpt(body, 170);
            pairs.push((
                label.to_string(),
                if said.is_empty() {
                    format!(
                        "None recorded by the programme manager for {}.",
                        self.period.label()
                    )
                } else {
                    said
                },
            ));
        }
        pairs.push((
            "High-risk results".into(),
            if high.is_empty() {
                "none rated high in the logframe".into()
            } else {
                format!(
                    "{} rated high in the logframe: {}",
                    high.len(),
                    high.join(", ")
                )
            },
        ));
        b.push(Block::KeyValues(pairs));
        b.push(Block::PageBreak);
    }

    /// The key indicators (else the first rated ones) against their milestones.
    fn key_results(&self, b: &mut Vec<Block>) {
        const MAX: usize = 5;
        let currency = &self.programme.currency;
        let all = &self.figures.figures;
        let key: Vec<&ReportFigure> = all.iter().filter(|f| f.indicator.is_key).collect();
        let (chosen, note) = if key.is_empty() {
            (
                all.iter()
                    .filter(|f| f.figure.rag.is_some())
                    .take(MAX)
                    .collect::<Vec<_>>(),
                "No indicator is marked key in the logframe: the first rated ones.",
            )
        } else {
            (key, "The indicators marked key in the logframe.")
        };
        let note = format!(
            "{note} Scores follow FCDO's A++ to C scale (the rule is in section 2, with every indicator); the full narrative and risks are in section 1."
        );
        b.push(Block::Heading {
            level: 2,
            text: "Key results".into(),
        });
        let shown = chosen.len().min(MAX);
        let rows = chosen
            .iter()
            .take(MAX)
            .map(|f| {
                let unit = f.rules.unit;
                vec![
                    Cell::new(format!(
                        "{} {}",
                        f.indicator.code,
                        text::excerpt(&f.indicator.title, 80)
                    )),
                    Cell::new(kind::milestone(&f.figure, unit, currency)),
                    Cell::new(kind::achieved(&f.figure, unit, currency, false)),
                    Cell::new(format::percent(f.figure.percent)),
                    rag_cell(f.figure.rag),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Indicator", Width::Share(1.0), Align::Left),
                Column::new("Milestone", Width::Points(62.0), Align::Right),
                Column::new("Achieved", Width::Points(66.0), Align::Right),
                Column::new("% achieved", Width::Points(52.0), Align::Right),
                Column::new("Status", Width::Points(84.0), Align::Left),
            ],
            rows,
        }));
        let more = chosen.len().saturating_sub(shown);
        b.push(Block::Note(if more > 0 {
            format!("{more} more key indicators in section 2. {note}")
        } else {
            note
        }));
    }

    /// The manager's words for the period, and the logframe's risks and assumptions.
    fn narrative_section(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading {
            level: 1,
            text: "1. Narrative and risks".into(),
        });
        for (title, text) in [
            ("Key achievements", &self.narrative.achievements),
            ("Issues", &self.narrative.issues),
            ("Risks", &self.narrative.risks),
        ] {
            b.push(Block::Heading {
                level: 2,
                text: title.into(),
            });
            b.push(if text.trim().is_empty() {
                Block::Note(format!(
                    "No {} recorded by the programme manager for this period.",
                    title.to_lowercase()
                ))
            } else {
                Block::Paragraph(text.trim().to_string())
            });
        }
        b.push(Block::Heading {
            level: 2,
            text: "Risks and assumptions by result".into(),
        });
        let risky: Vec<Vec<Cell>> = self
            .results
            .iter()
            .filter(|(_, r)| r.risk_rating.is_some() || !r.assumptions.is_empty())
            .map(|(_, r)| {
                vec![
                    Cell::new(&r.code),
                    Cell::new(r.risk_rating.clone().unwrap_or_else(|| "—".into())),
                    Cell::new(&r.assumptions),
                ]
            })
            .collect();
        if risky.is_empty() {
            b.push(Block::Note(
                "No result in the logframe has a risk rating or assumptions.".into(),
            ));
        } else {
            b.push(Block::Table(Table {
                columns: vec![
                    Column::new("Result", Width::Points(60.0), Align::Left),
                    Column::new("Risk rating", Width::Points(70.0), Align::Left),
                    Column::new("Assumptions", Width::Share(1.0), Align::Left),
                ],
                rows: risky,
            }));
        }
    }

    fn results_section(&self, b: &mut Vec<Block>) {
        b.push(Block::PageBreak);
        b.push(Block::Heading {
            level: 1,
            text: "2. Results".into(),
        });
        let across = self
            .figures
            .phases_note
            .as_ref()
            .map(|n| {
                format!(" The period runs {n}: each quarter counts the counties of its own phase.")
            })
            .unwrap_or_default();
        b.push(Block::Note(format!(
            "Achieved figures are approved values for {}, combined across counties and quarters by each indicator's own rule, said under its title where it is not one quarter's total.{across} A figure is shown only when every county of every quarter it needs is approved; otherwise the row says how many are. % achieved is against the milestone for the period; yes/no indicators count the counties answering yes. To date: a running total from the programme's start against the end target, or the newest complete quarter for levels and rates. {}",
            self.period.label(),
            self.programme.thresholds().describe()
        )));
        b.push(Block::Note(SCORE_RULE.into()));
        if let Some(note) = self.left_out_note() {
            b.push(Block::Note(note));
        }
        let currency = &self.programme.currency;
        let span = &self.figures.span;
        for (_, r) in &self.results {
            let level = match r.level.as_str() {
                "impact" => "Impact",
                "outcome" => "Outcome",
                _ => "Output",
            };
            b.push(Block::Heading {
                level: 2,
                text: format!("{level} {}: {}", r.code, r.statement),
            });
            let figs = self.figures_of(r.id);
            // Each output's narrative closes its section.
            let narrative = (r.level == "output").then(|| {
                super::output_narrative::blocks(
                    self.output_narratives.get(&r.id).map(String::as_str),
                )
            });
            if figs.is_empty() {
                b.push(Block::Note("No indicators.".into()));
                b.extend(narrative.into_iter().flatten());
                continue;
            }
            let rows = figs
                .iter()
                .map(|f| {
                    let unit = f.rules.unit;
                    let fig = &f.figure;
                    let mut title = format!("{} {}", f.indicator.code, f.indicator.title);
                    if let Some(k) = kind::describe(fig, span) {
                        title.push_str(&format!(" ({k})"));
                    }
                    let mut to_date = kind::to_date_value(&fig.to_date, unit, currency);
                    if let Some(p) = fig.to_date.percent.filter(|_| fig.to_date.value.is_some()) {
                        to_date.push_str(&format!(" ({})", format::percent(Some(p))));
                    }
                    vec![
                        Cell::new(title),
                        Cell::new(value(unit, f.indicator.baseline_value, currency)),
                        Cell::new(kind::milestone(fig, unit, currency)),
                        Cell::new(kind::achieved(fig, unit, currency, true)),
                        Cell::new(format::percent(fig.percent)),
                        rag_cell(fig.rag),
                        Cell::new(to_date),
                    ]
                })
                .collect();
            b.push(Block::Table(Table {
                columns: vec![
                    // Code and title share a column: figures need the width more.
                    Column::new("Indicator", Width::Share(1.0), Align::Left),
                    Column::new("Baseline", Width::Points(52.0), Align::Right),
                    Column::new("Milestone", Width::Points(58.0), Align::Right),
                    Column::new("Achieved", Width::Points(62.0), Align::Right),
                    Column::new("%", Width::Points(34.0), Align::Right),
                    Column::new("RAG", Width::Points(50.0), Align::Left),
                    Column::new("To date of end target", Width::Points(78.0), Align::Right),
                ],
                rows,
            }));
            self.parts_table(b, &figs);
            for f in figs.iter().filter(|f| f.indicator.is_key) {
                if let Some(chart) = &f.history {
                    b.push(Block::Chart(Chart {
                        title: format!(
                            "{} {} — achieved against milestones",
                            f.indicator.code, f.indicator.title
                        ),
                        chart: chart.clone(),
                        unit: Some(f.rules.unit.label().to_string()),
                    }));
                }
            }
            b.extend(narrative.into_iter().flatten());
        }
    }

    /// The disaggregated parts of the section's indicators, with their total: the parts
    /// of a total that is added up add up to it.
    fn parts_table(&self, b: &mut Vec<Block>, figs: &[&ReportFigure]) {
        let currency = &self.programme.currency;
        let dims = &self.figures.dimensions;
        let rows: Vec<Vec<Cell>> = figs
            .iter()
            .filter(|f| !f.figure.parts.is_empty())
            .flat_map(|f| {
                let unit = f.rules.unit;
                let total = f.figure.value;
                f.figure.parts.iter().map(move |p| {
                    let share = match (p.value, total) {
                        (Some(v), Some(t)) if t > 0.0 && !f.figure.county_mean => {
                            format::percent(Some(100.0 * v / t))
                        }
                        _ => "—".into(),
                    };
                    let category = crate::domain::disaggregation::dimension_of(&p.key)
                        .and_then(|c| dims.get(c))
                        .map(|c| c.label.clone())
                        .unwrap_or_default();
                    vec![
                        Cell::new(&f.indicator.code),
                        Cell::new(format!("{category}: {}", dims.label(&p.key))),
                        Cell::new(value(unit, p.value, currency)),
                        Cell::new(share),
                        Cell::new(value(unit, total, currency)),
                    ]
                })
            })
            .collect();
        if rows.is_empty() {
            return;
        }
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Disaggregated", Width::Points(80.0), Align::Left),
                Column::new("Part", Width::Share(1.0), Align::Left),
                Column::new("Achieved", Width::Points(70.0), Align::Right),
                Column::new("Share", Width::Points(50.0), Align::Right),
                Column::new("Total", Width::Points(70.0), Align::Right),
            ],
            rows,
        }));
    }

    fn milestones_section(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading {
            level: 1,
            text: "3. Programme milestones".into(),
        });
        b.push(Block::Note(as_at::MILESTONE_RULE.into()));
        if self.plan.milestones.is_empty() {
            b.push(Block::Note(
                "No programme milestone was due or completed in the period, or is due in the next quarter.".into(),
            ));
            return;
        }
        let codes: HashMap<i32, &str> = self
            .results
            .iter()
            .map(|(_, r)| (r.id, r.code.as_str()))
            .collect();
        let rows = self
            .plan
            .milestones
            .iter()
            .map(|l| {
                let m = &l.milestone;
                vec![
                    Cell::new(&m.title),
                    Cell::new(
                        m.result_id
                            .and_then(|r| codes.get(&r).copied())
                            .unwrap_or("—"),
                    ),
                    Cell::new(self.county(m.location_id)),
                    Cell::new(format::date(m.due_date)),
                    as_at::milestone_cell(l.listing),
                    Cell::new(
                        as_at::done_on(l.listing)
                            .map(format::date)
                            .unwrap_or_else(|| "—".into()),
                    ),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Milestone", Width::Share(1.0), Align::Left),
                Column::new("Output", Width::Points(58.0), Align::Left),
                Column::new("County", Width::Points(62.0), Align::Left),
                Column::new("Due", Width::Points(58.0), Align::Left),
                Column::new("Status", Width::Points(80.0), Align::Left),
                Column::new("Completed on", Width::Points(68.0), Align::Left),
            ],
            rows,
        }));
    }

    fn activities_section(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading {
            level: 1,
            text: "4. Activities".into(),
        });
        b.push(Block::Note(as_at::ACTIVITY_RULE.into()));
        let lines = &self.plan.activities;
        if lines.is_empty() {
            b.push(Block::Note(
                "No activity was under way in the period.".into(),
            ));
            return;
        }
        b.push(Block::Paragraph(format!(
            "{} activities; {} late at the end of the period (not finished by their planned end, or finished after it).",
            lines.len(),
            self.plan.late()
        )));
        let rows = lines
            .iter()
            .map(|l| {
                let a = &l.activity;
                vec![
                    Cell::new(&a.code),
                    Cell::new(&a.title),
                    Cell::new(
                        a.lead_organisation_id
                            .and_then(|i| self.organisation_names.get(&i).cloned())
                            .unwrap_or_default(),
                    ),
                    Cell::new(self.county(a.location_id)),
                    Cell::new(format::date_range(a.planned_start, a.planned_end)),
                    as_at::activity_cell(l),
                    Cell::new(format!("{}%", l.state.percent_complete)),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Code", Width::Points(50.0), Align::Left),
                Column::new("Activity", Width::Share(1.0), Align::Left),
                Column::new("Lead", Width::Points(64.0), Align::Left),
                Column::new("County", Width::Points(58.0), Align::Left),
                Column::new("Planned", Width::Points(72.0), Align::Left),
                Column::new("Status", Width::Points(66.0), Align::Left),
                Column::new("% complete", Width::Points(56.0), Align::Right),
            ],
            rows,
        }));
    }

    fn budget(&self) -> (i64, i64) {
        (self.plan.budget_minor, self.plan.spend_minor)
    }

    fn budget_section(&self, b: &mut Vec<Block>) {
        let c = &self.programme.currency;
        let (budget, spend) = self.budget();
        b.push(Block::Heading {
            level: 1,
            text: "5. Budget and spend".into(),
        });
        b.push(Block::KeyValues(vec![
            ("Budget (all activities)".into(), format_minor(budget, c)),
            (
                format!("Spent to date ({})", format::date(self.plan.end)),
                format_minor(spend, c),
            ),
            ("Burn rate".into(), format::burn_rate(budget, spend)),
        ]));
        b.push(Block::Note(
            "Spend is the approved spend to date of every activity as at the end of the period (its newest approved quarterly progress); budget is every activity's budget.".into(),
        ));
        let mut by_output: Vec<(String, i64, i64)> = Vec::new();
        let codes: HashMap<i32, &str> = self
            .results
            .iter()
            .map(|(_, r)| (r.id, r.code.as_str()))
            .collect();
        for (result, bu, sp) in &self.plan.by_output {
            let code = result
                .and_then(|r| codes.get(&r).map(|c| c.to_string()))
                .unwrap_or_else(|| "Programme-wide".into());
            match by_output.iter_mut().find(|(c, _, _)| *c == code) {
                Some(row) => {
                    row.1 += bu;
                    row.2 += sp;
                }
                None => by_output.push((code, *bu, *sp)),
            }
        }
        by_output.sort();
        let rows = by_output
            .into_iter()
            .map(|(code, bu, sp)| {
                vec![
                    Cell::new(code),
                    Cell::new(format_minor(bu, c)),
                    Cell::new(format_minor(sp, c)),
                    Cell::new(format::burn_rate(bu, sp)),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new("Output", Width::Share(1.0), Align::Left),
                Column::new("Budget", Width::Points(100.0), Align::Right),
                Column::new("Spent", Width::Points(100.0), Align::Right),
                Column::new("Burn rate", Width::Points(60.0), Align::Right),
            ],
            rows,
        }));
    }

    fn annex(&self, b: &mut Vec<Block>) {
        b.push(Block::PageBreak);
        b.push(Block::Heading {
            level: 1,
            text: "Annex: figures by county".into(),
        });
        let counties = &self.figures.counties;
        if counties.is_empty() {
            b.push(Block::Note(
                "No phase of the programme covers this period.".into(),
            ));
            return;
        }
        b.push(Block::Note(format!(
            "Approved values for {} by county, each over the quarters its phase covers it, combined by the indicator's period rule; — where a county has no approved value for one of them.",
            self.period.label()
        )));
        if let Some(note) = self.county_rule_note() {
            b.push(Block::Note(note));
        }
        b.extend(super::maps::donor(self));
        let currency = &self.programme.currency;
        // A matrix reads best while the counties fit across the page; beyond that each
        // indicator lists its counties in a wrapped line.
        if counties.len() <= 7 {
            let mut columns = vec![Column::new("Indicator", Width::Share(1.0), Align::Left)];
            columns.extend(
                counties
                    .iter()
                    .map(|c| Column::new(&c.name, Width::Points(52.0), Align::Right)),
            );
            let rows = self
                .figures
                .figures
                .iter()
                .map(|f| {
                    let mut row = vec![Cell::new(format!(
                        "{} {}",
                        f.indicator.code, f.indicator.title
                    ))];
                    row.extend(
                        f.figure
                            .by_county
                            .iter()
                            .map(|(id, v)| Cell::new(county_cell(f, *id, *v, currency))),
                    );
                    row
                })
                .collect();
            b.push(Block::Table(Table { columns, rows }));
        } else {
            let rows = self
                .figures
                .figures
                .iter()
                .map(|f| {
                    let list: Vec<String> = f
                        .figure
                        .by_county
                        .iter()
                        .map(|(id, v)| {
                            format!(
                                "{} {}",
                                self.county_names.get(id).map(String::as_str).unwrap_or("?"),
                                county_cell(f, *id, *v, currency)
                            )
                        })
                        .collect();
                    vec![
                        Cell::new(format!("{} {}", f.indicator.code, f.indicator.title)),
                        Cell::new(list.join(" · ")),
                    ]
                })
                .collect();
            b.push(Block::Table(Table {
                columns: vec![
                    Column::new("Indicator", Width::Share(1.0), Align::Left),
                    Column::new("Counties", Width::Share(2.0), Align::Left),
                ],
                rows,
            }));
        }
    }
}

/// A county's cell in the annex: its value, or what stands for it under a small-number
/// rule ("fewer than 5", "withheld"), never "—", which means not yet approved.
fn county_cell(f: &ReportFigure, county: i32, v: Option<f64>, currency: &str) -> String {
    match f.figure.hidden.iter().find(|(c, _)| *c == county) {
        Some((_, h)) => h.shown_as(),
        None => value(f.rules.unit, v, currency),
    }
}

impl DonorReport {
    /// How many of the programme's indicators this report leaves out (internal ones).
    fn left_out(&self) -> usize {
        self.withheld.iter().filter(|w| w.county.is_none()).count()
    }

    /// Said under the results' rules when indicators are left out: that they are, and
    /// that the output scores are of the indicators shown. Never which ones: naming an
    /// internal indicator would publish it.
    pub fn left_out_note(&self) -> Option<String> {
        let n = self.left_out();
        (n > 0).then(|| {
            format!(
                "{n} indicator{} the programme keeps internal (for those with a role in the programme only) {} left out of this report. Output scores and the overall score are suggested from the indicators shown here, so that a reader can check them against this report.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
            )
        })
    }

    /// Said in the county annex when county figures are coarsened or withheld: which,
    /// and by which rule (never the value).
    pub fn county_rule_note(&self) -> Option<String> {
        let hidden: Vec<String> = self
            .figures
            .figures
            .iter()
            .filter(|f| !f.figure.hidden.is_empty())
            .map(|f| {
                let counties: Vec<String> = f
                    .figure
                    .hidden
                    .iter()
                    .map(|(c, h)| {
                        format!(
                            "{} {}",
                            self.county_names.get(c).map(String::as_str).unwrap_or("?"),
                            h.shown_as()
                        )
                    })
                    .collect();
                let rule = f
                    .figure
                    .hidden
                    .iter()
                    .find_map(|(_, h)| match h {
                        Hidden::FewerThan(n) | Hidden::Small(n) => Some(*n),
                        Hidden::Complement => None,
                    })
                    .map(|n| format!("below {n}"))
                    .unwrap_or_default();
                format!("{} ({rule}: {})", f.indicator.code, counties.join(", "))
            })
            .collect();
        (!hidden.is_empty()).then(|| {
            format!(
                "Small numbers: a county figure below an indicator's threshold could identify people, so it is shown as \"fewer than N\" or withheld, and where only one county would be hidden the next smallest is withheld with it, so that it cannot be worked out from the total. The programme's totals include every county. Kept from this annex: {}.",
                hidden.join("; ")
            )
        })
    }

    /// The files that back the period's figures, milestones and activities: by name,
    /// size and SHA-256, so a reader can ask for a file and check it is the one listed.
    fn evidence_annex(&self, b: &mut Vec<Block>) {
        b.push(Block::Heading {
            level: 1,
            text: "Annex: evidence".into(),
        });
        if self.evidence.is_empty() {
            b.push(Block::Note(format!(
                "No evidence file is attached to the figures of {}, or to the milestones and activities this report lists.",
                self.period.label()
            )));
            return;
        }
        b.push(Block::Note(format!(
            "Files attached as evidence to the figures of {} and to the milestones and activities this report lists. Each is kept unchanged under its SHA-256: a copy whose SHA-256 matches is the file listed here.",
            self.period.label()
        )));
        let rows = self
            .evidence
            .iter()
            .map(|e| {
                vec![
                    Cell::new(format!(
                        "{}\n{}\nSHA-256 {}",
                        e.file_name, e.attached_to, e.sha256
                    )),
                    Cell::new(crate::domain::evidence::size_label(
                        e.size_bytes.max(0) as u64
                    )),
                ]
            })
            .collect();
        b.push(Block::Table(Table {
            columns: vec![
                Column::new(
                    "File, what it is attached to, SHA-256",
                    Width::Share(1.0),
                    Align::Left,
                ),
                Column::new("Size", Width::Points(60.0), Align::Right),
            ],
            rows,
        }));
    }
}

/// The evidence the report lists: of the period's figures, and of its milestones and
/// activities; archived files are left out.
fn evidence_of(
    conn: &mut DbConn,
    programme: &Programme,
    period: &Period,
    plan: &AsAt,
    county_names: &HashMap<i32, String>,
) -> AppResult<Vec<EvidenceLine>> {
    let rows = crate::models::evidence::of_programme(conn, programme.id)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Only the indicators partners may see: evidence of an internal one is not listed.
    let codes: HashMap<i32, String> = framework::indicators_of(conn, programme.id)?
        .into_iter()
        .filter(|i| Audience::Partners.may_see(i.level()))
        .map(|i| (i.id, i.code))
        .collect();
    let milestones: HashMap<i32, &str> = plan
        .milestones
        .iter()
        .map(|l| (l.milestone.id, l.milestone.title.as_str()))
        .collect();
    let activities: HashMap<i32, (&str, &str)> = plan
        .activities
        .iter()
        .map(|l| {
            (
                l.activity.id,
                (l.activity.code.as_str(), l.activity.title.as_str()),
            )
        })
        .collect();
    Ok(rows
        .into_iter()
        .filter(|e| !e.archived)
        .filter_map(|e| {
            let attached_to = match e.target.as_str() {
                "figure" => {
                    let inside = e.period_start.is_some_and(|s| s >= period.start())
                        && e.period_end.is_some_and(|d| d <= period.end());
                    if !inside {
                        return None;
                    }
                    format!(
                        "{} · {} · {}",
                        codes.get(&e.indicator_id?)?,
                        e.location_id
                            .and_then(|l| county_names.get(&l).cloned())
                            .unwrap_or_default(),
                        e.period.clone().unwrap_or_default()
                    )
                }
                "milestone" => format!("Milestone: {}", milestones.get(&e.milestone_id?)?),
                "activity" => {
                    let (code, title) = activities.get(&e.activity_id?)?;
                    format!("Activity {code}: {title}")
                }
                _ => return None,
            };
            Some(EvidenceLine {
                attached_to,
                file_name: e.file_name,
                size_bytes: e.size_bytes,
                sha256: e.sha256,
            })
        })
        .collect())
}

/// A report period must be a whole period inside the programme.
pub fn check_period(programme: &Programme, period: &Period) -> AppResult<()> {
    if period.start() < programme.start_date || period.start() > programme.end_date {
        return Err(AppError::invalid(
            "period",
            format!(
                "{} ({}) is outside {}, which runs {} to {}",
                period.id(),
                period.label(),
                programme.code,
                format::date(programme.start_date),
                format::date(programme.end_date)
            ),
        ));
    }
    Ok(())
}

/// Impact first, then each outcome followed by its outputs.
fn reading_order(results: Vec<ResultRow>) -> Vec<(usize, ResultRow)> {
    fn walk(all: &[ResultRow], r: &ResultRow, depth: usize, out: &mut Vec<(usize, ResultRow)>) {
        out.push((depth, r.clone()));
        let mut children: Vec<&ResultRow> =
            all.iter().filter(|c| c.parent_id == Some(r.id)).collect();
        children.sort_by_key(|c| (c.position, c.id));
        for c in children {
            walk(all, c, depth + 1, out);
        }
    }
    let mut roots: Vec<&ResultRow> = results.iter().filter(|r| r.parent_id.is_none()).collect();
    roots.sort_by_key(|r| (level_rank(&r.level), r.position, r.id));
    let mut out = Vec::new();
    for r in roots {
        walk(&results, r, 0, &mut out);
    }
    out
}

/// A cover line's label for a partner role and how many hold it: "Implementing
/// partners", "Funding partner".
fn partner_label(role: &str, count: usize) -> String {
    let plural = if count == 1 { "" } else { "s" };
    let (word, rest) = match role.split_once(" (") {
        Some((word, rest)) => (word, format!(" ({rest}")),
        None => (role, String::new()),
    };
    if word == "Partner" {
        format!("Partner{plural}{rest}")
    } else {
        format!("{word} partner{plural}{rest}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_partner_line_names_the_role_and_counts() {
        use super::partner_label;
        assert_eq!(partner_label("Implementing", 7), "Implementing partners");
        assert_eq!(partner_label("Funding", 1), "Funding partner");
        assert_eq!(
            partner_label("Extending (manages the funds)", 1),
            "Extending partner (manages the funds)"
        );
        assert_eq!(partner_label("Partner", 2), "Partners");
    }
}
