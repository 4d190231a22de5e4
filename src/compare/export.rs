//! A comparison as CSV (one line per indicator, group and side) and as the donor
//! report's "evaluation annex".

use crate::error::{AppError, AppResult};
use crate::report::render::{Align, Block, Cell as PdfCell, Column, Table, Width};

use super::Comparison;

fn number(v: Option<f64>) -> String {
    v.map(|v| {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".to_string()
        } else {
            s.to_string()
        }
    })
    .unwrap_or_default()
}

/// Plain numbers (no currency signs or thousands separators) so a spreadsheet reads them;
/// an empty field where a value is missing.
pub fn csv(c: &Comparison) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AppError::Internal(format!("writing the comparison CSV: {e}"));
    w.write_record([
        "indicator",
        "title",
        "unit",
        "direction",
        "group",
        "side",
        "from",
        "to",
        "source_indicator",
        "value",
        "county_quarters_reported",
        "county_quarters_expected",
        "target",
        "achievement_percent",
        "change_from_first_side",
        "change_percent",
        "verdict",
        "difference_in_differences",
        "flags",
    ])
    .map_err(io)?;
    // Titles, labels and flags are typed by people: written so a spreadsheet never runs them.
    let inert = |cells: [&str; 19]| cells.map(|c| crate::csvio::inert(c).into_owned());
    for row in &c.rows {
        for g in &row.groups {
            for (s, cell) in g.cells.iter().enumerate() {
                // A figure withheld under a small-number rule has no row: the value
                // column stays a number (an empty one means missing, not withheld).
                if cell.withheld {
                    continue;
                }
                let side = &c.sides[s];
                let change = s.checked_sub(1).and_then(|i| g.changes[i].as_ref());
                let did = s
                    .checked_sub(1)
                    .and_then(|i| row.did.get(i))
                    .and_then(|d| d.as_ref());
                w.write_record(inert([
                    row.code.as_str(),
                    row.title.as_str(),
                    row.unit.as_str(),
                    row.direction.as_str(),
                    g.group.as_str(),
                    side.label.as_str(),
                    side.from.as_str(),
                    side.to.as_str(),
                    cell.source.as_str(),
                    &number(cell.value),
                    &cell.reported.to_string(),
                    &cell.expected.to_string(),
                    &number(cell.target),
                    &number(cell.achievement),
                    &number(change.map(|c| c.absolute)),
                    &number(change.and_then(|c| c.percent)),
                    change.map(|c| c.word).unwrap_or(""),
                    &number(did.map(|d| d.value)),
                    &row.flags.join(" | "),
                ]))
                .map_err(io)?;
            }
        }
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(format!("writing the comparison CSV: {e}")))
}

/// The evaluation annex of the donor report: what was compared, the notes, and per
/// indicator each side's value, the change and (for two groups) the difference in
/// differences, with the flags beneath.
pub fn annex(c: &Comparison, name: &str) -> Vec<Block> {
    let mut b = vec![
        Block::PageBreak,
        Block::Heading {
            level: 1,
            text: format!("Evaluation annex: {name}"),
        },
        Block::KeyValues(
            c.sides
                .iter()
                .map(|s| {
                    (
                        s.label.clone(),
                        format!(
                            "{} quarters, {} counties ({})",
                            s.quarters,
                            s.counties.len(),
                            s.counties.join(", ")
                        ),
                    )
                })
                .collect(),
        ),
        Block::Note(
            "Approved values only, combined by each indicator's own rules. A side has a value only when every county is in for every quarter; — marks a missing value, never zero. Changes are against the first side.".into(),
        ),
    ];
    for n in &c.notes {
        b.push(Block::Note(n.clone()));
    }
    let split = c.groups.len() == 2;
    for g in &c.groups {
        if c.groups.len() > 1 {
            b.push(Block::Heading {
                level: 2,
                text: if g.counties.is_empty() {
                    g.name.clone()
                } else {
                    format!("{} ({})", g.name, g.counties.join(", "))
                },
            });
        }
        let mut columns = vec![
            Column::new("Code", Width::Points(70.0), Align::Left),
            Column::new("Indicator", Width::Share(1.0), Align::Left),
        ];
        for s in &c.sides {
            columns.push(Column::new(&s.label, Width::Points(62.0), Align::Right));
        }
        columns.push(Column::new("Change", Width::Points(62.0), Align::Right));
        columns.push(Column::new("Verdict", Width::Points(54.0), Align::Left));
        let last = c.sides.len().saturating_sub(1);
        let rows = c
            .rows
            .iter()
            .map(|row| {
                let gr = row.groups.iter().find(|x| x.group == g.name);
                let mut cells = vec![PdfCell::new(&row.code), PdfCell::new(&row.title)];
                if let Some(gr) = gr {
                    cells.extend(gr.cells.iter().map(|x| PdfCell::new(&x.shown)));
                    let ch = last
                        .checked_sub(1)
                        .and_then(|i| gr.changes.get(i))
                        .and_then(|x| x.as_ref());
                    cells.push(PdfCell::new(
                        ch.map(|x| x.shown.clone()).unwrap_or_else(|| "—".into()),
                    ));
                    cells.push(PdfCell::new(ch.map(|x| x.word).unwrap_or("—")));
                }
                cells
            })
            .collect();
        b.push(Block::Table(Table { columns, rows }));
    }
    if split {
        b.push(Block::Heading {
            level: 2,
            text: "Difference-in-differences".into(),
        });
        for row in &c.rows {
            if let Some(Some(d)) = row.did.last() {
                b.push(Block::Paragraph(format!(
                    "{} {}: {}",
                    row.code, row.title, d.sentence
                )));
            }
        }
    }
    let flagged: Vec<&super::Row> = c.rows.iter().filter(|r| !r.flags.is_empty()).collect();
    if !flagged.is_empty() {
        b.push(Block::Heading {
            level: 2,
            text: "Continuity and definitions".into(),
        });
        for r in flagged {
            b.push(Block::Paragraph(format!(
                "{}: {}",
                r.code,
                r.flags.join(" ")
            )));
        }
    }
    b
}
