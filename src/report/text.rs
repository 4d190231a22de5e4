//! Report-only phrasing: RAG, milestone and activity status cells on their colours, the
//! RAG tally, and the hashes a report's cover and register carry. Figures, dates and
//! percentages are written by `crate::format`, as on the pages.

use sha2::{Digest, Sha256};

use super::render::{Block, Cell, Tone};
use crate::domain::achievement::Rag;
use crate::domain::score::OutputScore;

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

/// An output score's RAG: met or exceeded (A and above) on track, B needs
/// attention, C off track — the tables' words and symbols.
pub fn score_rag(s: OutputScore) -> Rag {
    match s {
        OutputScore::APlusPlus | OutputScore::APlus | OutputScore::A => Rag::Green,
        OutputScore::B => Rag::Amber,
        OutputScore::C => Rag::Red,
    }
}

pub fn score_symbol(s: OutputScore) -> &'static str {
    rag_tone(score_rag(s)).symbol()
}

/// "✓ A+" on its RAG colour; "—" when not scored.
pub fn score_cell(s: Option<OutputScore>) -> Cell {
    match s {
        Some(s) => Cell::toned(
            format!("{} {}", score_symbol(s), s.as_str()),
            rag_tone(score_rag(s)),
        ),
        None => Cell::new("—"),
    }
}

/// The start of a text, whole sentences where they fit in `max` characters (else
/// whole words), with "…" when something was left out; one line, for a summary.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let sentence = cut
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .last()
        .filter(|&i| i >= max / 3);
    let end = sentence.unwrap_or_else(|| cut.rfind(' ').unwrap_or(cut.len()));
    format!("{} …", cut[..end].trim_end())
}

/// Eight hex digits of the SHA-256 of what the report shows: the same data gives the
/// same code, and any changed figure a different one.
pub fn short_hash(blocks: &[Block]) -> String {
    // The blocks' Debug text, fed to the hash as it is written rather than first built
    // as one string (megabytes for a ministry report): the same bytes, the same code.
    struct Hashing(Sha256);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.update(s.as_bytes());
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Writing into a hash cannot fail.
    let _ = std::fmt::Write::write_fmt(&mut h, format_args!("{blocks:?}"));
    let digest = h.0.finalize();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::{Align, Column, Table, Width};

    #[test]
    fn an_excerpt_keeps_whole_sentences_and_says_when_it_cut() {
        assert_eq!(excerpt("  Short\n text. ", 100), "Short text.");
        let long = "Fuel costs rose. Two posts were closed for a month. The rains cut the road to Lokichoggio for six weeks.";
        assert_eq!(
            excerpt(long, 60),
            "Fuel costs rose. Two posts were closed for a month. …"
        );
        assert_eq!(excerpt("one two three four", 10), "one two …");
    }

    fn body(figure: &str) -> Vec<Block> {
        vec![
            Block::Heading {
                level: 1,
                text: "Turkana County — Moyalé".into(),
            },
            Block::Note("Figures are approved values only.".into()),
            Block::Table(Table {
                columns: vec![
                    Column::new("Code", Width::Points(68.0), Align::Left),
                    Column::new("This county", Width::Share(1.0), Align::Right),
                ],
                rows: vec![vec![Cell::new("LBP-1.2"), rag_cell(Some(Rag::Amber))]],
            }),
            Block::Paragraph(format!("Every indicator: LBP-1.2 {figure}")),
        ]
    }

    #[test]
    fn the_data_code_is_the_hash_of_the_blocks_debug_text() {
        // The code a report carries is compared with those of reports issued before:
        // hashing as the text is written must give exactly what hashing the whole
        // text gave.
        let blocks = body("1,234");
        let whole = Sha256::digest(format!("{blocks:?}").as_bytes());
        let expected: String = whole.iter().take(4).map(|b| format!("{b:02x}")).collect();
        assert_eq!(short_hash(&blocks), expected);
        assert_eq!(short_hash(&blocks).len(), 8);
        assert_ne!(short_hash(&blocks), short_hash(&body("1,235")));
    }
}
