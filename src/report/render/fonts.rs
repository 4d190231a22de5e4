//! The two faces reports are set in, compiled into the binary so that every machine
//! measures and embeds the same glyphs (see assets/fonts/README.md).

use std::sync::OnceLock;

use printpdf::ParsedFont;

use super::RenderError;

const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Code points measured once at start-up: Latin with its accents, general
/// punctuation, currency, arrows and the geometric shapes and dingbats status symbols
/// come from. Anything else is looked up in the font when met.
const CACHED: u32 = 0x2800;
const MISSING: u16 = u16::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

pub(crate) struct FaceData {
    pub parsed: ParsedFont,
    units_per_em: f32,
    /// Advance width in font units by code point below CACHED; MISSING where the
    /// font has no glyph.
    advances: Vec<u16>,
}

impl FaceData {
    fn load(bytes: &[u8], name: &str) -> Result<Self, RenderError> {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
            .ok_or_else(|| RenderError::Font(format!("{name} did not parse")))?;
        let units_per_em = f32::from(parsed.font_metrics.units_per_em.max(1));
        let advances = (0..CACHED)
            .map(|cp| match char::from_u32(cp) {
                Some(c) => Self::lookup(&parsed, c).unwrap_or(MISSING),
                None => MISSING,
            })
            .collect();
        Ok(Self {
            parsed,
            units_per_em,
            advances,
        })
    }

    fn lookup(parsed: &ParsedFont, c: char) -> Option<u16> {
        // Glyph 0 is .notdef: a box, not the character.
        let gid = parsed.lookup_glyph_index(c as u32).filter(|&g| g != 0)?;
        Some(parsed.get_horizontal_advance(gid))
    }

    fn advance(&self, c: char) -> Option<u16> {
        match self.advances.get(c as usize) {
            Some(&MISSING) => None,
            Some(&a) => Some(a),
            None => Self::lookup(&self.parsed, c),
        }
    }
}

pub(crate) struct Fonts {
    pub regular: FaceData,
    pub bold: FaceData,
}

impl Fonts {
    /// Parsed once per process: parsing is the slowest part of a small report.
    pub fn get() -> Result<&'static Fonts, RenderError> {
        static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                Ok(Fonts {
                    regular: FaceData::load(REGULAR_TTF, "DejaVuSans.ttf")
                        .map_err(|e| e.to_string())?,
                    bold: FaceData::load(BOLD_TTF, "DejaVuSans-Bold.ttf")
                        .map_err(|e| e.to_string())?,
                })
            })
            .as_ref()
            .map_err(|e| RenderError::Font(e.clone()))
    }

    pub fn face(&self, face: Face) -> &FaceData {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// Width in points of text set at `size`. Kerning is not applied, because the
    /// writer does not apply it either: measured and printed widths agree exactly.
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let f = self.face(face);
        let units: u32 = text
            .chars()
            .map(|c| u32::from(f.advance(c).unwrap_or(0)))
            .sum();
        units as f32 * size / f.units_per_em
    }

    /// The text as it can be printed: tabs become spaces, other control characters
    /// go, and characters the font lacks become "?" rather than an empty box that
    /// copies as nothing.
    pub fn printable(&self, text: &str) -> String {
        text.chars()
            .filter_map(|c| match c {
                '\t' => Some(' '),
                '\n' => Some('\n'),
                c if c.is_control() => None,
                c if self.regular.advance(c).is_some() && self.bold.advance(c).is_some() => Some(c),
                _ => Some('?'),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_characters_reports_use_are_in_both_faces() {
        let fonts = Fonts::get().unwrap();
        let text = "£ KSh Moyalé Dádaab Ñ ✓ ✗ ▲ ● ■ ○ – — · …";
        assert_eq!(fonts.printable(text), text);
    }

    #[test]
    fn unprintable_characters_are_replaced_not_dropped_silently() {
        let fonts = Fonts::get().unwrap();
        assert_eq!(fonts.printable("a\tb\u{7}c\u{10FFFD}"), "a bc?");
    }

    #[test]
    fn bold_is_wider_and_width_scales_with_size() {
        let fonts = Fonts::get().unwrap();
        let r = fonts.width(Face::Regular, 10.0, "Mandera");
        assert!(r > 30.0 && r < 50.0, "{r}");
        assert!(fonts.width(Face::Bold, 10.0, "Mandera") > r);
        assert!((fonts.width(Face::Regular, 20.0, "Mandera") - 2.0 * r).abs() < 0.01);
    }
}
