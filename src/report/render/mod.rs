//! The PDF renderer: a plain [`Document`] in, PDF bytes out. It knows no database and
//! no Rocket, so report assembly can be tested apart from drawing, and drawing apart
//! from data.
//!
//! The same document always gives the same bytes: the fonts are compiled in, the only
//! date in the file is [`Document::creation_date`], and every identifier is derived
//! from the content. An issued report can therefore be re-rendered and compared.
//!
//! The work happens in two steps: [`layout`] turns blocks into pages of positioned
//! text, rules and shapes (pure, and where pagination is tested), and [`pdf`] writes
//! those pages with printpdf and finishes the file with lopdf.

mod chart;
mod fonts;
mod layout;
mod map;
mod pdf;
#[cfg(test)]
mod sample;
mod tags;
#[cfg(test)]
mod tests;
mod text;
mod tighten;
mod xref;

use chrono::NaiveDate;

use crate::chart::TrendChart;

/// A report to print: A4 portrait, a running header and a numbered footer on every
/// page but the cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Title in the PDF properties (what a viewer shows in its title bar).
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// Running header, e.g. the programme and the reporting period.
    pub header: String,
    /// Printed in the header of every page when set, e.g. "Demonstration data": a page
    /// copied out of the report must still say that its figures are illustrative.
    pub notice: Option<String>,
    /// Left side of the footer, e.g. "Version 2 · data a1b2c3d4"; the right side is
    /// "Page X of Y".
    pub footer_left: String,
    /// The only date written into the file (as its creation and modification date);
    /// fixed by the caller so that rendering again gives the same bytes.
    pub creation_date: NaiveDate,
    pub blocks: Vec<Block>,
}

/// One piece of the report's flow, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A title page of its own, without running header or footer.
    Cover(Cover),
    /// Level 1, 2 or 3 (others are clamped); each becomes an entry in the PDF
    /// outline, nested by level.
    Heading {
        level: u8,
        text: String,
    },
    /// Body text, wrapped to the page; a line break in the text starts a new line.
    Paragraph(String),
    /// Smaller grey text: sources, definitions, caveats.
    Note(String),
    /// Label and value pairs in two columns.
    KeyValues(Vec<(String, String)>),
    Table(Table),
    Chart(Chart),
    /// A map of Kenya's counties (kept on one page, like a chart).
    Map(Map),
    /// Vertical space in points (dropped at the top of a page).
    Spacer(f32),
    /// Starts a new page, unless the current one is still empty.
    PageBreak,
    /// The contents: every level-1 and level-2 heading that follows, with the page
    /// it starts on.
    Contents,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cover {
    pub title: String,
    /// Empty for none.
    pub subtitle: String,
    /// Label and value lines, e.g. ("Period", "2026Q3"), ("Issued", "30 Sep 2026").
    pub lines: Vec<(String, String)>,
    /// A boxed warning under the title, e.g. "Demonstration data: figures are
    /// illustrative".
    pub banner: Option<String>,
}

/// A table whose header row is repeated on every page it continues onto; long cell
/// text wraps and the row grows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Cells beyond the number of columns are ignored; missing cells are blank.
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub width: Width,
    pub align: Align,
}

impl Column {
    pub fn new(title: impl Into<String>, width: Width, align: Align) -> Self {
        Self {
            title: title.into(),
            width,
            align,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Width {
    /// A fixed width in points (1/72 inch).
    Points(f32),
    /// A share of the width the fixed columns leave: shares of 2 and 1 split it 2:1.
    /// Shares need not add up to 1.
    Share(f32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub text: String,
    /// Background colour; the text itself must carry the meaning (a word or a
    /// symbol) so that a black-and-white print still reads.
    pub tone: Option<Tone>,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            tone: None,
        }
    }

    pub fn toned(text: impl Into<String>, tone: Tone) -> Self {
        Self {
            text: text.into(),
            tone: Some(tone),
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::new(text)
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::new(text)
    }
}

/// A status fill for a table cell (RAG, plus grey for "no data").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Green,
    Amber,
    Red,
    Grey,
}

impl Tone {
    /// A shape that tells the tones apart without colour, and that the embedded font
    /// has: ✓ green, ▲ amber, ✗ red, ○ grey.
    pub fn symbol(self) -> &'static str {
        match self {
            Tone::Green => "✓",
            Tone::Amber => "▲",
            Tone::Red => "✗",
            Tone::Grey => "○",
        }
    }
}

/// A trend chart (achieved values and milestones over periods), drawn as vector
/// graphics with the same conventions as the pages' SVG: a gap where nothing was
/// reported, milestones dashed.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub chart: TrendChart,
    /// What the values count, shown over the value axis, e.g. "people trained", "%".
    pub unit: Option<String>,
}

/// A map of Kenya's counties: each county shaded by a class, or marked as having no
/// figure, or left white as outside what the map is about; some outlined thickly. The
/// outlines are `crate::geo`'s; "Map: MapSVG, CC BY 4.0" is printed under every map.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub title: String,
    /// The counties drawn as something other than [`Shade::Outside`], by KNBS code.
    pub regions: Vec<Region>,
    /// What the swatches mean, in the order printed beside the map.
    pub legend: Vec<(Swatch, String)>,
    /// The map said in one or more sentences, for readers who cannot see it (the PDF's
    /// alternative text of the figure).
    pub alt: String,
    pub size: MapSize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// KNBS county code, "001" to "047".
    pub code: String,
    pub shade: Shade,
    /// Drawn with a thick dark edge (e.g. the MoU's initial counties).
    pub outlined: bool,
}

/// How a county is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    /// A class of the grey-blue ramp, 0 the lightest (at most 3).
    Class(u8),
    /// In what the map is about, but without a figure: white, hatched.
    NoData,
    /// Not in what the map is about: white.
    Outside,
    /// The one county a locator map points at.
    Focus,
}

/// One entry of a map's legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swatch {
    Shade(Shade),
    /// The thick edge of outlined counties.
    Outlined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapSize {
    /// About half a page, with the legend beside it.
    Full,
    /// A small map beside its title, pointing at one county.
    Locator,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the report font could not be loaded: {0}")]
    Font(String),
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// Lays the document out on A4 pages and writes it as PDF.
pub fn render(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let fonts = fonts::Fonts::get()?;
    let pages = layout::layout(doc, fonts);
    pdf::write(doc, &pages, fonts)
}
