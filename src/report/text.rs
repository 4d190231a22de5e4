//! Report-only phrasing: RAG, milestone and activity status cells on their colours, the
//! RAG tally, and the hashes a report's cover and register carry. Figures, dates and
//! percentages are written by `crate::format`, as on the pages.

use sha2::{Digest, Sha256};

use super::render::{Block, Cell, Tone};
use crate::domain::achievement::Rag;

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
