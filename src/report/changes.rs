//! A report's change log: what a new version shows differently from the version it
//! replaces. Each issued version keeps a snapshot of what it showed — every table cell,
//! paragraph and label under its headings, and its "data as of" — and the next version
//! lists the differences: figures changed, rows added or removed, text rewritten.
//! Pure: documents in, blocks out.

use std::collections::{BTreeMap, BTreeSet};

use super::render::{Align, Block, Column, Table, Width};

/// What a report showed: (where, row, what) → text. `where` is the heading path, `row`
/// a table row's first cell (empty for text), `what` the column or "text 1", "text 2" …
pub type Snapshot = BTreeMap<String, String>;

/// Separates the parts of a snapshot key; never in a report's text.
const SEP: char = '\u{1f}';

fn key(place: &str, row: &str, what: &str) -> String {
    format!("{place}{SEP}{row}{SEP}{what}")
}

fn parts(key: &str) -> (&str, &str, &str) {
    let mut it = key.splitn(3, SEP);
    (
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
    )
}

/// The snapshot of a document: its cover's "Data as of" and, under each heading path,
/// every table cell (by row and column), text and label. Notes and charts are left out:
/// notes are the report's fixed explanations, and charts draw what the tables hold.
pub fn snapshot(blocks: &[Block]) -> Snapshot {
    let mut out = Snapshot::new();
    let mut headings: Vec<String> = Vec::new();
    let mut texts: BTreeMap<String, usize> = BTreeMap::new();
    for block in blocks {
        let place = headings.join(" › ");
        match block {
            Block::Cover(c) => {
                for (label, value) in &c.lines {
                    if label == "Data as of" {
                        out.insert(key("Cover", "", label), value.clone());
                    }
                }
            }
            Block::Heading { level, text } => {
                let level = usize::from((*level).clamp(1, 3));
                headings.truncate(level - 1);
                while headings.len() < level - 1 {
                    headings.push(String::new());
                }
                headings.push(text.clone());
            }
            Block::Paragraph(text) => {
                let n = texts.entry(place.clone()).or_default();
                *n += 1;
                out.insert(key(&place, "", &format!("text {n}")), text.clone());
            }
            Block::KeyValues(pairs) => {
                for (label, value) in pairs {
                    out.insert(key(&place, label, ""), value.clone());
                }
            }
            Block::Table(t) => table(&mut out, &place, t),
            Block::Note(_)
            | Block::Chart(_)
            | Block::Map(_)
            | Block::Spacer(_)
            | Block::PageBreak
            | Block::Contents => {}
        }
    }
    out
}

fn table(out: &mut Snapshot, place: &str, t: &Table) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for row in &t.rows {
        let first = row.first().map(|c| c.text.as_str()).unwrap_or("");
        let n = seen.entry(first.to_string()).or_default();
        *n += 1;
        let name = if *n == 1 {
            first.to_string()
        } else {
            format!("{first} ({n})")
        };
        for (column, cell) in t.columns.iter().zip(row).skip(1) {
            out.insert(key(place, &name, &column.title), cell.text.clone());
        }
        if t.columns.len() < 2 {
            out.insert(key(place, &name, ""), String::new());
        }
    }
}

/// Takes out of an earlier version's snapshot what the new version may no longer show:
/// the rows of indicators now left out (`codes`: their codes, which begin every such
/// row), so that the change log does not list them as removed with their old figures.
pub fn forget_rows(s: &mut Snapshot, codes: &[String]) {
    s.retain(|k, _| {
        let (_, row, _) = parts(k);
        !codes
            .iter()
            .any(|c| row == c || row.starts_with(&format!("{c} ")))
    });
}

/// Whether a cell's text stands for a figure kept out under a small-number rule.
fn kept_out(text: &str) -> bool {
    text == "withheld" || text.starts_with("fewer than ")
}

/// One line of the change log.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The heading path, e.g. "Results › Output 1".
    pub place: String,
    /// The table row (its first cell) or label; empty for text.
    pub row: String,
    /// The column or text changed, or "row added" / "row removed".
    pub what: String,
    pub before: String,
    pub after: String,
}

/// The differences from `old` to `new`, in the order of the report's headings.
pub fn changes(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let rows = |s: &Snapshot| -> BTreeSet<(String, String)> {
        s.keys()
            .map(|k| parts(k))
            .filter(|(_, row, _)| !row.is_empty())
            .map(|(p, r, _)| (p.to_string(), r.to_string()))
            .collect()
    };
    let (old_rows, new_rows) = (rows(old), rows(new));
    let whole_row = |place: &str, row: &str| {
        if row.is_empty() {
            return None;
        }
        let r = (place.to_string(), row.to_string());
        match (old_rows.contains(&r), new_rows.contains(&r)) {
            (false, true) => Some("row added"),
            (true, false) => Some("row removed"),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let mut reported_rows: BTreeSet<(String, String)> = BTreeSet::new();
    let all: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for k in all {
        let (before, after) = (old.get(k), new.get(k));
        if before == after {
            continue;
        }
        let (place, row, what) = parts(k);
        if let Some(whole) = whole_row(place, row) {
            if reported_rows.insert((place.to_string(), row.to_string())) {
                out.push(Change {
                    place: place.to_string(),
                    row: row.to_string(),
                    what: whole.into(),
                    before: String::new(),
                    after: String::new(),
                });
            }
            continue;
        }
        // A figure now kept out under a small-number rule: its earlier value is not
        // repeated (it is what the rule keeps from readers).
        let now_kept_out = after.is_some_and(|a| kept_out(a));
        out.push(Change {
            place: place.to_string(),
            row: row.to_string(),
            what: what.to_string(),
            before: if now_kept_out {
                "not repeated".into()
            } else {
                before.cloned().unwrap_or_else(|| "—".into())
            },
            after: after.cloned().unwrap_or_else(|| "—".into()),
        });
    }
    out
}

/// At most this many changes are listed; the rest are counted.
pub const LISTED: usize = 60;

/// Long text is cut to this many characters in the log.
const SHORT: usize = 90;

fn short(s: &str) -> String {
    cut(s, SHORT)
}

fn cut(s: &str, most: usize) -> String {
    if s.chars().count() <= most {
        s.to_string()
    } else {
        let kept: String = s.chars().take(most - 1).collect();
        format!("{}…", kept.trim_end())
    }
}

/// Where a change is: each heading cut short, and the row in full enough to name it
/// (its code comes first).
fn where_of(c: &Change) -> String {
    let mut parts: Vec<String> = c
        .place
        .split(" › ")
        .filter(|p| !p.is_empty())
        .map(|p| cut(p, 32))
        .collect();
    if !c.row.is_empty() {
        parts.push(cut(&c.row, 48));
    }
    parts.join(" › ")
}

/// The log's section: which version this replaces and why, then the changes.
pub fn section(previous: (i32, &str), reason: &str, changes: &[Change]) -> Vec<Block> {
    let (version, issued) = previous;
    let mut out = vec![
        Block::PageBreak,
        Block::Heading {
            level: 1,
            text: format!("Changes since version {version}"),
        },
        Block::Paragraph(format!(
            "This version replaces version {version}, issued {issued}. Reason given: {reason}"
        )),
    ];
    if changes.is_empty() {
        out.push(Block::Paragraph(format!(
            "No figure, text or date shown in the report differs from version {version}."
        )));
        return out;
    }
    let rows = changes
        .iter()
        .take(LISTED)
        .map(|c| {
            vec![
                where_of(c).into(),
                c.what.clone().into(),
                short(&c.before).into(),
                short(&c.after).into(),
            ]
        })
        .collect();
    out.push(Block::Table(Table {
        columns: vec![
            Column::new("Where", Width::Share(3.0), Align::Left),
            Column::new("What", Width::Share(1.4), Align::Left),
            Column::new(format!("Version {version}"), Width::Share(2.0), Align::Left),
            Column::new("This version", Width::Share(2.0), Align::Left),
        ],
        rows,
    }));
    let more = changes.len().saturating_sub(LISTED);
    out.push(Block::Note(if more > 0 {
        format!(
            "{} changes in all; the first {LISTED} are listed, {more} more are not.",
            changes.len()
        )
    } else {
        format!(
            "{} change{} in all. Where is the section and row of the report; — is nothing shown.",
            changes.len(),
            if changes.len() == 1 { "" } else { "s" }
        )
    }));
    out
}

/// A snapshot as stored with the issued version: gzip-compressed JSON.
pub fn pack(s: &Snapshot) -> Vec<u8> {
    use std::io::Write;
    let json = serde_json::to_vec(s).unwrap_or_default();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing into memory cannot fail.
    let _ = enc.write_all(&json);
    enc.finish().unwrap_or_default()
}

/// A stored snapshot read back; None if it cannot be (then no change log is drawn
/// against it, and the log says so).
pub fn unpack(bytes: &[u8]) -> Option<Snapshot> {
    use std::io::Read;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut json)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::{Cell, Cover};

    fn doc(achieved: &str, narrative: &str, extra_row: bool, as_of: &str) -> Vec<Block> {
        let mut rows = vec![
            vec![Cell::new("LBP-1.1"), Cell::new("120"), Cell::new(achieved)],
            vec![Cell::new("LBP-1.2"), Cell::new("40"), Cell::new("38")],
        ];
        if extra_row {
            rows.push(vec![Cell::new("LBP-1.3"), Cell::new("5"), Cell::new("5")]);
        }
        vec![
            Block::Cover(Cover {
                title: "T".into(),
                lines: vec![
                    ("Data as of".into(), as_of.into()),
                    ("Report".into(), "Version 1".into()),
                ],
                ..Cover::default()
            }),
            Block::Heading {
                level: 1,
                text: "Summary".into(),
            },
            Block::Paragraph(narrative.into()),
            Block::Heading {
                level: 1,
                text: "Results".into(),
            },
            Block::Heading {
                level: 2,
                text: "Output 1".into(),
            },
            Block::Note("fixed explanation".into()),
            Block::Table(Table {
                columns: vec![
                    Column::new("Indicator", Width::Share(1.0), Align::Left),
                    Column::new("Milestone", Width::Share(1.0), Align::Right),
                    Column::new("Achieved", Width::Share(1.0), Align::Right),
                ],
                rows,
            }),
        ]
    }

    #[test]
    fn identical_reports_have_no_changes() {
        let a = snapshot(&doc("100", "Good quarter.", false, "1 Oct 2026"));
        assert!(changes(&a, &a.clone()).is_empty());
    }

    #[test]
    fn a_changed_figure_text_date_and_row_are_each_listed_once() {
        let old = snapshot(&doc("100", "Good quarter.", false, "1 Oct 2026"));
        let new = snapshot(&doc("104", "Better quarter.", true, "9 Oct 2026"));
        let c = changes(&old, &new);
        let line =
            |place: &str, what: &str| c.iter().find(|x| where_of(x) == place && x.what == what);
        let figure = line("Results › Output 1 › LBP-1.1", "Achieved").expect("figure");
        assert_eq!(
            (figure.before.as_str(), figure.after.as_str()),
            ("100", "104")
        );
        assert!(line("Results › Output 1 › LBP-1.3", "row added").is_some());
        let text = line("Summary", "text 1").expect("text");
        assert_eq!(text.after, "Better quarter.");
        assert_eq!(
            line("Cover", "Data as of").expect("as of").before,
            "1 Oct 2026"
        );
        assert_eq!(c.len(), 4, "{c:?}");
        // The other way round the row is removed; the note and version line never count.
        let back = changes(&new, &old);
        assert!(back.iter().any(|x| x.what == "row removed"));
        assert_eq!(back.len(), 4);
    }

    #[test]
    fn rows_now_left_out_and_values_now_withheld_are_not_repeated() {
        let mut old = snapshot(&doc("100", "x", true, "1 Oct 2026"));
        let new_doc = doc("fewer than 5", "x", false, "1 Oct 2026");
        let new = snapshot(&new_doc);
        // LBP-1.3 is internal now: without forgetting it, the log lists it as removed.
        assert!(changes(&old, &new)
            .iter()
            .any(|c| c.row == "LBP-1.3" && c.what == "row removed"));
        forget_rows(&mut old, &["LBP-1.3".to_string()]);
        let c = changes(&old, &new);
        assert!(c.iter().all(|x| x.row != "LBP-1.3"), "{c:?}");
        let coarsened = c
            .iter()
            .find(|x| x.row == "LBP-1.1")
            .expect("the coarsened cell");
        assert_eq!(
            (coarsened.before.as_str(), coarsened.after.as_str()),
            ("not repeated", "fewer than 5")
        );
        assert_eq!(c.len(), 1, "{c:?}");
    }

    #[test]
    fn rows_with_the_same_first_cell_are_told_apart() {
        let mut d = doc("100", "x", false, "1 Oct 2026");
        if let Some(Block::Table(t)) = d.last_mut() {
            t.rows
                .push(vec![Cell::new("LBP-1.1"), Cell::new("1"), Cell::new("2")]);
        }
        let s = snapshot(&d);
        assert!(s.keys().any(|k| k.contains("LBP-1.1 (2)")));
    }

    #[test]
    fn a_snapshot_survives_packing_and_the_log_is_bounded() {
        let s = snapshot(&doc("100", "Good quarter.", true, "1 Oct 2026"));
        assert_eq!(unpack(&pack(&s)), Some(s));
        assert_eq!(unpack(b"not gzip"), None);
        let many: Vec<Change> = (0..LISTED + 5)
            .map(|i| Change {
                place: format!("p{i}"),
                row: String::new(),
                what: "Achieved".into(),
                before: "1".into(),
                after: "2".into(),
            })
            .collect();
        let blocks = section((1, "1 Oct 2026"), "corrected Busia", &many);
        let Some(Block::Table(t)) = blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
            panic!("no table");
        };
        assert_eq!(t.rows.len(), LISTED);
        assert!(matches!(blocks.last(), Some(Block::Note(n)) if n.contains("5 more")));
    }
}
