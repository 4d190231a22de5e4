//! Line breaking by real glyph widths.

use super::fonts::{Face, Fonts};

/// Characters after which an over-long word may break before it is cut anywhere:
/// "Kenya–UK/IOM-2026" reads better split at its joints than mid-letter.
const JOINTS: [char; 5] = ['-', '/', '–', '_', '.'];

/// Breaks text into lines no wider than `max` points. Spaces are break points; a
/// word wider than a whole line is split at a joint or, failing that, between
/// characters, so nothing ever runs past the margin. A line break in the text
/// starts a new line (an empty one stays, as a blank line). Blank text gives no
/// lines.
pub(crate) fn wrap(fonts: &Fonts, face: Face, size: f32, text: &str, max: f32) -> Vec<String> {
    let text = fonts.printable(text);
    if text.trim().is_empty() {
        return Vec::new();
    }
    let space = fonts.width(face, size, " ");
    let mut lines = Vec::new();
    for hard in text.trim_end().split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in hard.split(' ').filter(|w| !w.is_empty()) {
            let w = fonts.width(face, size, word);
            if !line.is_empty() && line_w + space + w <= max {
                line.push(' ');
                line.push_str(word);
                line_w += space + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if w <= max {
                line.push_str(word);
                line_w = w;
            } else {
                let mut pieces = break_word(fonts, face, size, word, max);
                let last = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
                line_w = fonts.width(face, size, &last);
                line = last;
            }
        }
        lines.push(line);
    }
    lines
}

/// Pieces of one word, each at most `max` wide (but at least one character, so a
/// column narrower than a letter still makes progress).
fn break_word(fonts: &Fonts, face: Face, size: f32, word: &str, max: f32) -> Vec<String> {
    let mut segments: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if JOINTS.contains(&c) {
            let end = i + c.len_utf8();
            segments.push(&word[start..end]);
            start = end;
        }
    }
    if start < word.len() {
        segments.push(&word[start..]);
    }

    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_w = 0.0;
    for seg in segments {
        let w = fonts.width(face, size, seg);
        if piece_w + w <= max {
            piece.push_str(seg);
            piece_w += w;
            continue;
        }
        if !piece.is_empty() {
            pieces.push(std::mem::take(&mut piece));
            piece_w = 0.0;
        }
        if w <= max {
            piece.push_str(seg);
            piece_w = w;
            continue;
        }
        for c in seg.chars() {
            let cw = fonts.width(face, size, c.encode_utf8(&mut [0; 4]));
            if !piece.is_empty() && piece_w + cw > max {
                let mid_word =
                    c.is_alphanumeric() && piece.chars().last().is_some_and(char::is_alphanumeric);
                if mid_word {
                    // A word split between letters says so with a hyphen; letters
                    // move on to the next line until the hyphen fits.
                    let hyphen = fonts.width(face, size, "-");
                    let mut carry = String::new();
                    while piece.chars().count() > 1
                        && fonts.width(face, size, &piece) + hyphen > max
                    {
                        if let Some(last) = piece.pop() {
                            carry.insert(0, last);
                        }
                    }
                    // In a column narrower than a letter and a hyphen, just the letter.
                    if fonts.width(face, size, &piece) + hyphen <= max {
                        piece.push('-');
                    }
                    pieces.push(std::mem::take(&mut piece));
                    piece_w = fonts.width(face, size, &carry);
                    piece = carry;
                } else {
                    pieces.push(std::mem::take(&mut piece));
                    piece_w = 0.0;
                }
            }
            piece.push(c);
            piece_w += cw;
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// One line of text, cut with an ellipsis when it is wider than `max`.
pub(crate) fn fit_line(fonts: &Fonts, face: Face, size: f32, text: &str, max: f32) -> String {
    let text: String = fonts
        .printable(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if fonts.width(face, size, &text) <= max {
        return text;
    }
    let budget = max - fonts.width(face, size, "…");
    let mut out = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = fonts.width(face, size, c.encode_utf8(&mut [0; 4]));
        if w + cw > budget {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        Fonts::get().unwrap()
    }

    fn widest(lines: &[String]) -> f32 {
        lines
            .iter()
            .map(|l| fonts().width(Face::Regular, 10.0, l))
            .fold(0.0, f32::max)
    }

    #[test]
    fn lines_fill_up_to_the_width_and_keep_every_word_in_order() {
        let text = "Number of county security committee members trained in early \
                    warning and coordinated response, disaggregated by sex and county";
        let lines = wrap(fonts(), Face::Regular, 10.0, text, 150.0);
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(widest(&lines) <= 150.0, "{lines:?}");
        assert_eq!(lines.join(" "), text);
        // Greedy filling: the next line's first word would not have fitted.
        for pair in lines.windows(2) {
            let next = pair[1].split(' ').next().unwrap();
            let joined = format!("{} {next}", pair[0]);
            assert!(
                fonts().width(Face::Regular, 10.0, &joined) > 150.0,
                "{pair:?}"
            );
        }
    }

    #[test]
    fn a_word_longer_than_the_column_is_broken_not_left_to_overflow() {
        let word = "Kenya–UK/IOM-border-security-memorandum-of-understanding-2025";
        let lines = wrap(fonts(), Face::Regular, 10.0, word, 60.0);
        assert!(lines.len() > 3, "{lines:?}");
        assert!(widest(&lines) <= 60.0, "{lines:?}");
        // Every break falls at a joint or, between letters, ends its line with a hyphen.
        assert_eq!(lines.concat().replace('-', ""), word.replace('-', ""));
        for pair in lines.windows(2) {
            let (end, next) = (
                pair[0].chars().last().unwrap(),
                pair[1].chars().next().unwrap(),
            );
            assert!("–/-_.".contains(end), "{pair:?}");
            assert!(next.is_alphanumeric(), "{pair:?}");
        }
        assert!(
            lines.iter().any(|l| l.ends_with("memo-")
                || l.ends_with("mem-")
                || l.ends_with("memor-")
                || l.ends_with("memora-")
                || l.ends_with("memoran-")
                || l.ends_with("memorand-")
                || l.ends_with("me-")),
            "{lines:?}"
        );
        assert!(
            lines[0].ends_with('–') || lines[0].ends_with('/') || lines[0].ends_with('-'),
            "breaks at a joint first: {lines:?}"
        );

        let letters = "x".repeat(300);
        let lines = wrap(fonts(), Face::Bold, 10.0, &letters, 40.0);
        assert!(widest(&lines) <= 40.0);
        assert_eq!(lines.concat().replace('-', ""), letters);
        assert!(
            lines[..lines.len() - 1].iter().all(|l| l.ends_with('-')),
            "{lines:?}"
        );
    }

    #[test]
    fn a_column_narrower_than_one_letter_still_terminates() {
        let lines = wrap(fonts(), Face::Regular, 10.0, "WWW", 1.0);
        assert_eq!(lines, vec!["W", "W", "W"]);
    }

    #[test]
    fn line_breaks_in_the_text_are_kept_and_blank_text_gives_nothing() {
        let lines = wrap(fonts(), Face::Regular, 10.0, "one\n\ntwo  three", 500.0);
        assert_eq!(lines, vec!["one", "", "two three"]);
        assert!(wrap(fonts(), Face::Regular, 10.0, "  \n ", 500.0).is_empty());
    }

    #[test]
    fn an_over_long_line_ends_in_an_ellipsis_within_the_width() {
        let long = "Land Border Programme · Turkana, Mandera, Marsabit, Wajir, Busia · 2026Q3";
        let cut = fit_line(fonts(), Face::Regular, 8.0, long, 120.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(fonts().width(Face::Regular, 8.0, &cut) <= 120.0);
        assert_eq!(
            fit_line(fonts(), Face::Regular, 8.0, "short", 120.0),
            "short"
        );
    }
}
