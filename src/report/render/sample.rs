//! A report shaped like an issued quarterly report (about 30 pages, a 150-row table,
//! charts, status fills, currency and accented names), with illustrative figures.
//! Used by the tests and written to target/report-sample.pdf for a person to look at.

use chrono::NaiveDate;

use super::{Align, Block, Cell, Chart, Column, Cover, Document, Table, Tone, Width};
use crate::chart::TrendChart;

pub(crate) const COUNTIES: [&str; 8] = [
    "Turkana",
    "Mandera",
    "Marsabit",
    "Wajir",
    "Busia",
    "Garissa",
    "Lamu",
    "Moyalé sub-county",
];

/// A 300-character indicator title, as some logframes have.
pub(crate) const LONG_TITLE: &str = "Number of county and sub-county security committee \
    members, border agency officers and community leaders (disaggregated by sex, agency and \
    border post) who completed the joint early-warning, intelligence-sharing and \
    coordinated-response curriculum and applied it in at least one documented cross-border \
    incident review";

pub(crate) const LONG_WORD: &str =
    "KE-UK/BSM-MoU-2025/IOM-VALAR/phase-1/early-warning-intelligence-sharing-workstream";

struct Indicator {
    code: String,
    title: String,
    unit: &'static str,
}

fn indicators() -> Vec<Indicator> {
    let titles = [
        ("people trained in early warning", "people"),
        (
            "cross-border incident reports shared within 48 hours",
            "reports",
        ),
        (
            "joint patrols conducted with community participation",
            "patrols",
        ),
        (
            "border posts with functioning intelligence-sharing desks",
            "posts",
        ),
        (
            "victims of trafficking referred to protection services",
            "people",
        ),
        ("county security committees meeting quarterly", "committees"),
    ];
    (1..=5)
        .flat_map(|output| {
            titles
                .iter()
                .enumerate()
                .map(move |(i, (t, unit))| Indicator {
                    code: format!("LBP-{output}.{}", i + 1),
                    title: format!("Output {output}: {t}"),
                    unit,
                })
        })
        .collect()
}

/// Deterministic illustrative numbers.
fn figure(seed: usize) -> f64 {
    ((seed * 7919 + 104_729) % 997) as f64
}

fn tone_for(pct: f64) -> Tone {
    if pct >= 90.0 {
        Tone::Green
    } else if pct >= 60.0 {
        Tone::Amber
    } else {
        Tone::Red
    }
}

fn rag_cell(pct: Option<f64>) -> Cell {
    match pct {
        None => Cell::toned(format!("{} No data", Tone::Grey.symbol()), Tone::Grey),
        Some(p) => {
            let tone = tone_for(p);
            let word = match tone {
                Tone::Green => "Green",
                Tone::Amber => "Amber",
                _ => "Red",
            };
            Cell::toned(format!("{} {word}", tone.symbol()), tone)
        }
    }
}

fn trend(seed: usize) -> TrendChart {
    let labels: Vec<String> = (0..10)
        .map(|i| format!("{}Q{}", 2024 + (i + 2) / 4, (i + 2) % 4 + 1))
        .collect();
    let actual = (0..10)
        .map(|i| {
            if i == 4 && seed % 3 == 0 || i == 9 {
                None
            } else {
                Some(figure(seed + i) / 10.0 + i as f64 * 12.0)
            }
        })
        .collect();
    let target = (0..10)
        .map(|i| (i >= 2).then_some(i as f64 * 14.0 + 20.0))
        .collect();
    TrendChart {
        labels,
        actual,
        target,
    }
}

pub(crate) fn document() -> Document {
    let inds = indicators();
    let mut blocks = vec![Block::Cover(Cover {
        title: "Land Border Programme — quarterly progress report".into(),
        subtitle: "Kenya–UK Border Security MoU · Phase 1 · 2026Q3 (July–September 2026)".into(),
        lines: vec![
            ("Programme".into(), "Land Border Programme (LBP)".into()),
            ("Period".into(), "2026Q3".into()),
            (
                "Counties".into(),
                "Turkana, Mandera, Marsabit, Wajir, Busia".into(),
            ),
            (
                "Prepared by".into(),
                "Ñancy Wanjiru, M&E officer, Dádaab field office".into(),
            ),
            (
                "Version".into(),
                "2 (replaces version 1 of 2 October 2026)".into(),
            ),
            ("Data fingerprint".into(), "a1b2c3d4".into()),
        ],
        banner: Some(
            "Demonstration data — every figure in this report is illustrative and describes \
             no real programme."
                .into(),
        ),
    })];

    blocks.push(Block::Heading {
        level: 1,
        text: "1. Summary".into(),
    });
    blocks.push(Block::Paragraph(
        "This report sets out progress against the Land Border Programme logframe for the \
         quarter ending 30 September 2026. Figures were approved by the ministry M&E officer \
         and locked before issue; a later correction is issued as a new version, never as a \
         change to this one. Spending is reported in pounds sterling with the Kenya shilling \
         equivalent at the programme's planning rate (£1 = KSh 167.50)."
            .into(),
    ));
    blocks.push(Block::KeyValues(vec![
        (
            "Budget this quarter".into(),
            "£1,250,000 (KSh 209,375,000)".into(),
        ),
        (
            "Spent".into(),
            "£1,083,420 (KSh 181,472,850) — 86.7%".into(),
        ),
        ("Indicators on track".into(), "18 of 30 (✓ Green)".into()),
        (
            "Indicators at risk".into(),
            "8 of 30 (▲ Amber), 3 of 30 (✗ Red), 1 with no data (○)".into(),
        ),
        (
            "Field offices".into(),
            "Lodwar, Mandera, Moyalé, Wajir, Busia, Dádaab".into(),
        ),
        ("Identifier".into(), LONG_WORD.into()),
    ]));
    blocks.push(Block::Heading {
        level: 2,
        text: "1.1 Status by output".into(),
    });
    let outputs = [
        "Early warning and response",
        "Intelligence sharing",
        "Protective security responses",
        "Irregular migration, smuggling and trafficking",
        "Evidence base on mixed migration",
    ];
    blocks.push(Block::Table(Table {
        columns: vec![
            Column::new("Output", Width::Share(3.0), Align::Left),
            Column::new("Impact weighting", Width::Points(70.0), Align::Right),
            Column::new("Indicators", Width::Points(60.0), Align::Right),
            Column::new("Score", Width::Points(45.0), Align::Center),
            Column::new("Status", Width::Points(80.0), Align::Left),
        ],
        rows: outputs
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let pct = figure(i * 3) / 10.0 + 10.0;
                vec![
                    Cell::new(format!("{}. {o}", i + 1)),
                    Cell::new(format!("{}%", [30, 25, 20, 15, 10][i])),
                    Cell::new("6"),
                    Cell::new(["A+", "A", "B", "A", "C"][i]),
                    rag_cell(Some(pct)),
                ]
            })
            .collect(),
    }));
    blocks.push(Block::Note(
        "Scores follow the FCDO Annual Review scale: A++ substantially exceeded expectation, \
         A+ moderately exceeded, A met, B moderately did not meet, C substantially did not meet."
            .into(),
    ));

    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading {
        level: 1,
        text: "2. Results by output".into(),
    });
    for (o, name) in outputs.iter().enumerate() {
        blocks.push(Block::Heading {
            level: 2,
            text: format!("Output {}: {name}", o + 1),
        });
        blocks.push(Block::Paragraph(format!(
            "Activities under this output continued in all five phase-1 counties. In Mandera \
             and Wajir, joint reviews with community leaders in Moyalé and Dádaab fed the early \
             warning system; in Busia, the one-stop border post hosted two cross-border \
             coordination meetings. Expenditure for the output was £{},{:03} (KSh {},{:03},000).",
            200 + o * 17,
            figure(o) as usize,
            (200 + o * 17) * 167 / 1000,
            (200 + o * 17) * 167 % 1000
        )));
        for (k, ind) in inds
            .iter()
            .filter(|i| i.title.starts_with(&format!("Output {}:", o + 1)))
            .enumerate()
        {
            blocks.push(Block::Heading {
                level: 3,
                text: format!("{} {}", ind.code, ind.title),
            });
            blocks.push(Block::Chart(Chart {
                title: format!(
                    "{} — achieved against milestones, 2024Q3 to 2026Q4",
                    ind.code
                ),
                chart: trend(o * 10 + k),
                unit: Some(ind.unit.into()),
            }));
        }
    }

    blocks.push(Block::PageBreak);
    blocks.push(Block::Heading {
        level: 1,
        text: "3. Results by county".into(),
    });
    blocks.push(Block::Paragraph(
        "Every indicator for every county, with the quarter's milestone and the value \
         achieved. Status is computed from the share of the milestone achieved, taking the \
         indicator's direction into account."
            .into(),
    ));
    let mut rows = Vec::new();
    for (i, ind) in inds.iter().enumerate() {
        for (c, county) in COUNTIES.iter().take(5).enumerate() {
            let seed = i * 5 + c;
            let milestone = figure(seed) + 50.0;
            let achieved = (seed % 17 != 0).then(|| figure(seed + 101) * 1.1);
            let pct = achieved.map(|a| a / milestone * 100.0);
            let title = if seed == 7 {
                LONG_TITLE.to_string()
            } else {
                ind.title.clone()
            };
            rows.push(vec![
                Cell::new(ind.code.clone()),
                Cell::new(title),
                Cell::new(*county),
                Cell::new(format!("{milestone:.0}")),
                Cell::new(achieved.map_or("—".into(), |a| format!("{a:.0}"))),
                Cell::new(pct.map_or("—".into(), |p| format!("{p:.0}%"))),
                rag_cell(pct),
            ]);
        }
    }
    blocks.push(Block::Table(Table {
        columns: vec![
            Column::new("Code", Width::Points(46.0), Align::Left),
            Column::new("Indicator", Width::Share(1.0), Align::Left),
            Column::new("County", Width::Points(56.0), Align::Left),
            Column::new("Milestone", Width::Points(58.0), Align::Right),
            Column::new("Achieved", Width::Points(52.0), Align::Right),
            Column::new("% of milestone", Width::Points(56.0), Align::Right),
            Column::new("Status", Width::Points(62.0), Align::Left),
        ],
        rows,
    }));

    blocks.push(Block::Heading {
        level: 1,
        text: "4. Programme milestones".into(),
    });
    blocks.push(Block::Table(Table {
        columns: vec![
            Column::new("Milestone", Width::Share(2.0), Align::Left),
            Column::new("Due", Width::Points(62.0), Align::Left),
            Column::new("Status", Width::Share(1.0), Align::Left),
        ],
        rows: vec![
            vec![
                Cell::new("County security committee trained in Wajir"),
                Cell::new("2026-08-15"),
                Cell::toned("✓ Done on 2026-08-12", Tone::Green),
            ],
            vec![
                Cell::new(LONG_TITLE),
                Cell::new("2026-09-30"),
                Cell::toned("▲ Delayed: venue in Moyalé moved to Dádaab", Tone::Amber),
            ],
            vec![
                Cell::new(LONG_WORD),
                Cell::new("2026-10-31"),
                Cell::toned("✗ Not started", Tone::Red),
            ],
        ],
    }));
    blocks.push(Block::Heading {
        level: 2,
        text: "4.1 Risks".into(),
    });
    blocks.push(Block::Table(Table {
        columns: vec![
            Column::new("Risk", Width::Share(1.0), Align::Left),
            Column::new("Rating", Width::Points(60.0), Align::Left),
        ],
        rows: Vec::new(),
    }));
    blocks.push(Block::Heading {
        level: 1,
        text: "Annex: definitions".into(),
    });
    for ind in &inds {
        blocks.push(Block::Heading {
            level: 3,
            text: format!("{} {}", ind.code, ind.title),
        });
        blocks.push(Block::KeyValues(vec![
            ("Unit".into(), ind.unit.into()),
            ("Direction".into(), "Higher is better".into()),
            ("Aggregation".into(), "Sum over counties and periods".into()),
            (
                "Means of verification".into(),
                "Attendance registers signed by the county commissioner's office; \
                 spot checks by the IOM field team in Lodwar, Moyalé and Dádaab."
                    .into(),
            ),
        ]));
    }
    blocks.push(Block::Note(
        "Demonstration data: the figures in this report are illustrative. Produced by Mipaka."
            .into(),
    ));

    Document {
        title: "Land Border Programme — progress report 2026Q3 (v2)".into(),
        author: "Ministry of Interior and National Administration · M&E unit".into(),
        subject: "Quarterly progress against the LBP logframe, 2026Q3".into(),
        keywords: vec![
            "Land Border Programme".into(),
            "2026Q3".into(),
            "M&E".into(),
        ],
        header: "Land Border Programme · 2026Q3 progress report".into(),
        notice: Some("Demonstration data".into()),
        footer_left: "Version 2 · data a1b2c3d4".into(),
        creation_date: NaiveDate::from_ymd_opt(2026, 10, 9).expect("valid date"),
        blocks,
    }
}
