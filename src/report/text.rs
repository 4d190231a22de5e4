//! Report-only phrasing: RAG, milestone and activity status cells on their colours, the
//! RAG tally, and the hashes a report's cover and register carry. Figures, dates and
//! percentages are written by `crate::format`, as on the pages.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::render::{Block, Cell, Tone};
use crate::domain::achievement::Rag;
use crate::models::activity::{self, Activity};
use crate::models::milestone::{self, Milestone};

pub fn rag_tone(r: Rag) -> Tone {
    match r {
        Rag::Green => Tone::Green,
        Rag::Amber => Tone::Amber,
        Rag::Red => Tone::Red,
    }
}

/// The RAG as a symbol and a word on its colour, so a black-and-white print still reads.
pub fn rag_cell(r: Option<Rag>) -> Cell {
    match r {
        Some(r) => Cell::toned(
            format!("{} {}", rag_tone(r).symbol(), r.label()),
            rag_tone(r),
        ),
        None => Cell::new("—"),
    }
}

/// Eight hex digits of the SHA-256 of what the report shows: the same data gives the
/// same code, and any changed figure a different one.
pub fn short_hash(blocks: &[Block]) -> String {
    let digest = Sha256::digest(format!("{blocks:?}").as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of a file's bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A milestone's status at the end of the period: overdue (open and due by then) on
/// red, completed on green, otherwise as recorded.
pub fn milestone_cell(m: &Milestone, period_end: NaiveDate) -> Cell {
    let status = milestone::status_label(&m.status);
    if m.is_overdue(period_end + chrono::Days::new(1)) {
        Cell::toned(
            format!("{} {status}, overdue", Tone::Red.symbol()),
            Tone::Red,
        )
    } else if m.status == "completed" {
        Cell::toned(format!("{} {status}", Tone::Green.symbol()), Tone::Green)
    } else {
        Cell::new(status)
    }
}

/// An activity's status at the end of the period, late ones on red.
pub fn activity_cell(a: &Activity, period_end: NaiveDate) -> Cell {
    let status = activity::status_label(&a.status);
    if a.is_late(period_end) {
        Cell::toned(format!("{} {status}, late", Tone::Red.symbol()), Tone::Red)
    } else {
        Cell::new(status)
    }
}

/// "✓ 11 · ▲ 1 · ✗ 2 · 0 not rated": how many of the figures are at each RAG.
pub fn rag_tally(rags: impl Iterator<Item = Option<Rag>> + Clone) -> String {
    let n = |r: Option<Rag>| rags.clone().filter(|x| *x == r).count();
    format!(
        "{} {} · {} {} · {} {} · {} not rated",
        Tone::Green.symbol(),
        n(Some(Rag::Green)),
        Tone::Amber.symbol(),
        n(Some(Rag::Amber)),
        Tone::Red.symbol(),
        n(Some(Rag::Red)),
        n(None)
    )
}
