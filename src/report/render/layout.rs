//! Pagination: blocks become A4 pages of positioned text, fills and strokes. Pure and
//! independent of the PDF writer, so page breaks can be tested on their own.
//!
//! Coordinates are points from the page's top-left corner (y grows downwards), the
//! way a page is read; the writer flips them to PDF's bottom-left origin.

use std::collections::HashMap;

use super::fonts::{Face, Fonts};
use super::tags::{Role, Scope, Tree};
use super::text::{fit_line, wrap};
use super::{
    chart, map, Align, Block, Cell, Chart, Column, Cover, Document, Map, Table, Tone, Width,
};

pub(crate) const PAGE_W: f32 = 595.276;
pub(crate) const PAGE_H: f32 = 841.89;
/// 20 mm each side.
pub(crate) const MARGIN_X: f32 = 56.7;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
pub(crate) const BODY_TOP: f32 = 78.0;
pub(crate) const BODY_BOTTOM: f32 = PAGE_H - 66.0;
const HEADER_BASELINE: f32 = 46.0;
const HEADER_RULE: f32 = 54.0;
const FOOTER_RULE: f32 = PAGE_H - 50.0;
const FOOTER_BASELINE: f32 = PAGE_H - 37.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

pub(crate) const INK: Rgb = Rgb(0x1d, 0x27, 0x33);
pub(crate) const MUTED: Rgb = Rgb(0x5b, 0x66, 0x73);
const HEADING: Rgb = Rgb(0x0b, 0x3a, 0x53);
const ACCENT: Rgb = Rgb(0x0b, 0x5a, 0x7a);
pub(crate) const RULE: Rgb = Rgb(0xd3, 0xd9, 0xdf);
pub(crate) const RULE_STRONG: Rgb = Rgb(0x87, 0x96, 0xa5);
const HEADER_FILL: Rgb = Rgb(0xe4, 0xeb, 0xf1);
const NOTICE_FILL: Rgb = Rgb(0xfd, 0xf0, 0xd5);
const NOTICE_EDGE: Rgb = Rgb(0xc9, 0x8a, 0x00);
const NOTICE_INK: Rgb = Rgb(0x6b, 0x43, 0x00);

fn tone_fill(tone: Tone) -> Rgb {
    match tone {
        Tone::Green => Rgb(0xd5, 0xee, 0xd9),
        Tone::Amber => Rgb(0xfc, 0xe6, 0xbb),
        Tone::Red => Rgb(0xf6, 0xd0, 0xcb),
        Tone::Grey => Rgb(0xe6, 0xe8, 0xeb),
    }
}

/// Something to draw, positioned on its page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// One line of text; `x` is its left end, `baseline` where the letters sit.
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        face: Face,
        colour: Rgb,
        text: String,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Rgb,
    },
    /// An open polyline.
    Stroke {
        points: Vec<(f32, f32)>,
        width: f32,
        colour: Rgb,
        dashed: bool,
    },
    Dot {
        x: f32,
        y: f32,
        r: f32,
        colour: Rgb,
    },
    /// A filled and stroked polygon, e.g. a county of a map.
    Shape(map::Shape),
    /// A drawing written once in the file and shown wherever it is placed, with its
    /// top-left corner at (`x`, `y`).
    Layer {
        layer: map::Layer,
        x: f32,
        y: f32,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Page {
    pub items: Vec<Item>,
    /// Cover pages carry no running header or footer.
    pub cover: bool,
    /// Where each run of items that belong together starts: (index of its first
    /// item, the structure element it belongs to, or None for an artifact).
    pub marks: Vec<(usize, Option<usize>)>,
    /// Areas that take the reader elsewhere in the document.
    pub links: Vec<Link>,
}

/// A link from an area of a page to a heading: a contents entry to its section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    /// Left, top, right, bottom in layout points.
    pub rect: [f32; 4],
    /// The structure element (`Link`) the area belongs to.
    pub node: usize,
    /// The heading's block: where it landed is in the anchors.
    pub block: usize,
    /// What the link says, for readers that announce links.
    pub text: String,
}

/// Where a heading landed, for the PDF outline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Anchor {
    /// The heading's index among the document's blocks.
    pub block: usize,
    pub level: u8,
    pub title: String,
    pub page: usize,
    pub y: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pages {
    pub pages: Vec<Page>,
    pub anchors: Vec<Anchor>,
    pub tree: Tree,
}

impl Pages {
    /// Every text item with its page index, in drawing order (for tests).
    #[cfg(test)]
    pub fn texts(&self) -> impl Iterator<Item = (usize, &Item)> {
        self.pages.iter().enumerate().flat_map(|(i, p)| {
            p.items
                .iter()
                .filter(|it| matches!(it, Item::Text { .. }))
                .map(move |it| (i, it))
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Style {
    face: Face,
    size: f32,
    line: f32,
    colour: Rgb,
}

impl Style {
    /// Where the baseline sits in a line box so capitals look centred in it.
    fn baseline(&self) -> f32 {
        self.line / 2.0 + 0.36 * self.size
    }
}

const BODY: Style = Style {
    face: Face::Regular,
    size: 9.5,
    line: 13.5,
    colour: INK,
};
const NOTE: Style = Style {
    face: Face::Regular,
    size: 8.0,
    line: 11.0,
    colour: MUTED,
};
const CELL: Style = Style {
    face: Face::Regular,
    size: 8.5,
    line: 11.0,
    colour: INK,
};
const CELL_HEAD: Style = Style {
    face: Face::Bold,
    ..CELL
};
const LABEL: Style = Style {
    face: Face::Bold,
    size: 8.5,
    line: 13.0,
    colour: MUTED,
};
const VALUE: Style = Style { line: 13.0, ..BODY };
const TOC_1: Style = Style {
    face: Face::Bold,
    size: 10.0,
    line: 15.0,
    colour: INK,
};
const TOC_2: Style = Style {
    face: Face::Regular,
    size: 9.5,
    line: 13.5,
    colour: INK,
};
const CHART_TITLE: Style = Style {
    face: Face::Regular,
    size: 9.0,
    line: 13.0,
    colour: INK,
};

fn heading_style(level: u8) -> (Style, f32, f32) {
    // (style, space before, space after)
    match level {
        1 => (
            Style {
                face: Face::Bold,
                size: 16.0,
                line: 20.0,
                colour: HEADING,
            },
            22.0,
            10.0,
        ),
        2 => (
            Style {
                face: Face::Bold,
                size: 12.5,
                line: 16.0,
                colour: HEADING,
            },
            16.0,
            5.0,
        ),
        _ => (
            Style {
                face: Face::Bold,
                size: 10.0,
                line: 13.5,
                colour: INK,
            },
            10.0,
            3.0,
        ),
    }
}

/// Short key-value lists up to this height are never split over two pages.
const KEEP_TOGETHER: f32 = (BODY_BOTTOM - BODY_TOP) / 3.0;

const CELL_PAD_X: f32 = 4.0;
const MAX_HEADER_LINES: usize = 6;
/// Room for the widest letter at table size, with the cell's padding.
const MIN_COLUMN: f32 = 20.0;
const CELL_PAD_Y: f32 = 3.5;

/// Lays the whole document out; the running header and "Page X of Y" footer are
/// added once the page count is known. A contents block needs the pages its headings
/// land on: the document is laid out once to find them and again to print them, and
/// since a page number never changes an entry's height, both passes paginate alike.
pub(crate) fn layout(doc: &Document, fonts: &Fonts) -> Pages {
    let first = layout_pass(doc, fonts, None);
    if !doc.blocks.iter().any(|b| matches!(b, Block::Contents)) {
        return first;
    }
    let pages: HashMap<usize, usize> = first.anchors.iter().map(|a| (a.block, a.page)).collect();
    layout_pass(doc, fonts, Some(&pages))
}

/// The headings a contents block lists: levels 1 and 2 after it, each with its block
/// index.
fn contents_entries(blocks: &[Block], from: usize) -> Vec<(usize, u8, &str)> {
    blocks
        .iter()
        .enumerate()
        .skip(from + 1)
        .filter_map(|(i, b)| match b {
            Block::Heading { level, text } if *level <= 2 => {
                Some((i, (*level).max(1), text.as_str()))
            }
            _ => None,
        })
        .collect()
}

fn layout_pass(
    doc: &Document,
    fonts: &Fonts,
    heading_pages: Option<&HashMap<usize, usize>>,
) -> Pages {
    let mut flow = Flow {
        fonts,
        pages: vec![Page::default()],
        anchors: Vec::new(),
        y: BODY_TOP,
        tree: Tree::default(),
        tag: None,
    };
    for (i, block) in doc.blocks.iter().enumerate() {
        if !matches!(block, Block::Cover(_) | Block::PageBreak) && flow.current().cover {
            flow.new_page(false);
        }
        match block {
            Block::Cover(c) => flow.cover(c),
            Block::Heading { level, text } => {
                let keep = flow.lead(&doc.blocks[i + 1..]);
                flow.heading(i, (*level).clamp(1, 3), text, keep);
            }
            Block::Contents => {
                let entries = contents_entries(&doc.blocks, i);
                flow.contents(&entries, heading_pages);
            }
            Block::Paragraph(text) => flow.paragraph(text, BODY, 7.0),
            Block::Note(text) => flow.paragraph(text, NOTE, 7.0),
            Block::KeyValues(pairs) => flow.key_values(pairs),
            Block::Table(t) => flow.table(t),
            Block::Chart(c) => flow.chart(c),
            Block::Map(m) => flow.map(m),
            Block::Spacer(h) => flow.space(spacer(*h)),
            Block::PageBreak => {
                if !flow.fresh() && !flow.current().cover {
                    flow.new_page(false);
                }
            }
        }
        flow.tag = None;
    }
    let mut pages = Pages {
        pages: flow.pages,
        anchors: flow.anchors,
        tree: flow.tree,
    };
    decorate(doc, fonts, &mut pages.pages);
    pages
}

struct Flow<'a> {
    fonts: &'a Fonts,
    pages: Vec<Page>,
    anchors: Vec<Anchor>,
    /// Top of the free space on the current page.
    y: f32,
    tree: Tree,
    /// The structure element what is drawn now belongs to; None: an artifact.
    tag: Option<usize>,
}

/// One cell of a grid row: its wrapped lines and where they go.
struct GridCell {
    /// Set for a header cell: what it heads.
    head: Option<Scope>,
    lines: Vec<String>,
    x: f32,
    w: f32,
    align: Align,
    style: Style,
    fill: Option<Rgb>,
}

struct GridRow {
    cells: Vec<GridCell>,
}

impl GridRow {
    fn lines(&self) -> usize {
        self.cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(0)
            .max(1)
    }

    fn line_height(&self) -> f32 {
        self.cells.iter().map(|c| c.style.line).fold(0.0, f32::max)
    }

    fn height(&self) -> f32 {
        self.lines() as f32 * self.line_height() + 2.0 * CELL_PAD_Y
    }
}

/// Rows under an optional header that repeats on every page the grid continues onto.
struct Grid {
    x: f32,
    w: f32,
    header: Option<GridRow>,
    rows: Vec<GridRow>,
    row_rule: Rgb,
}

impl Flow<'_> {
    fn current(&mut self) -> &mut Page {
        self.pages.last_mut().expect("layout starts with a page")
    }

    fn push(&mut self, item: Item) {
        let tag = self.tag;
        let page = self.current();
        if page.marks.last().is_none_or(|(_, t)| *t != tag) {
            let at = page.items.len();
            page.marks.push((at, tag));
        }
        page.items.push(item);
    }

    /// Starts a structure element under the document; what is drawn next belongs to it.
    fn open(&mut self, role: Role) -> usize {
        let node = self.tree.add(Tree::ROOT, role);
        self.tag = Some(node);
        node
    }

    fn new_page(&mut self, cover: bool) {
        self.pages.push(Page {
            items: Vec::new(),
            cover,
            marks: Vec::new(),
            links: Vec::new(),
        });
        self.y = BODY_TOP;
    }

    /// Nothing placed on this page yet.
    fn fresh(&self) -> bool {
        self.y <= BODY_TOP
    }

    fn room(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// Moves to a new page unless `h` fits here. A fresh page never moves on, so
    /// something taller than a page still makes progress.
    fn need(&mut self, h: f32) {
        if h > self.room() && !self.fresh() {
            self.new_page(false);
        }
    }

    /// Vertical space, dropped at the top of a page.
    fn space(&mut self, h: f32) {
        if !self.fresh() {
            self.y += h;
        }
    }

    /// A rule is decoration: an artifact, whatever element it is drawn within.
    fn rule(&mut self, x: f32, y: f32, w: f32, width: f32, colour: Rgb) {
        let tag = self.tag.take();
        self.push(Item::Stroke {
            points: vec![(x, y), (x + w, y)],
            width,
            colour,
            dashed: false,
        });
        self.tag = tag;
    }

    fn text_at(&mut self, x: f32, top: f32, style: Style, text: String) {
        self.push(Item::Text {
            x,
            baseline: top + style.baseline(),
            size: style.size,
            face: style.face,
            colour: style.colour,
            text,
        });
    }

    /// Lines set one under another, each on whichever page has room for it.
    fn lines(&mut self, lines: Vec<String>, style: Style, x: f32) {
        let n = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            self.need(style.line);
            let y = self.y;
            self.text_at(x, y, style, spoken(line, i + 1 == n));
            self.y += style.line;
        }
    }

    fn paragraph(&mut self, text: &str, style: Style, after: f32) {
        let lines = wrap(self.fonts, style.face, style.size, text, CONTENT_W);
        if lines.is_empty() {
            return;
        }
        self.open(Role::P);
        // No single first line left at the foot of a page.
        self.need(lines.len().min(2) as f32 * style.line);
        self.lines(lines, style, MARGIN_X);
        self.space(after);
    }

    /// Height of the least of `rest` that must share a page with a heading before it:
    /// the first two lines of text, a table's header and first row, a whole chart.
    fn lead(&self, rest: &[Block]) -> f32 {
        let lines = |text: &str, style: Style| {
            wrap(self.fonts, style.face, style.size, text, CONTENT_W)
                .len()
                .min(2) as f32
                * style.line
        };
        match rest.first() {
            None | Some(Block::PageBreak | Block::Cover(_)) => 0.0,
            Some(Block::Heading { level, text }) => {
                let level = (*level).clamp(1, 3);
                let (style, before, after) = heading_style(level);
                let n = wrap(self.fonts, style.face, style.size, text, CONTENT_W).len();
                let rule = if level == 1 { 4.0 } else { 0.0 };
                before + n as f32 * style.line + rule + after + self.lead(&rest[1..])
            }
            Some(Block::Paragraph(t)) => lines(t, BODY),
            Some(Block::Note(t)) => lines(t, NOTE),
            Some(Block::KeyValues(pairs)) => Self::key_values_lead(&self.key_value_rows(pairs)),
            Some(Block::Table(t)) => {
                let widths = column_widths(&t.columns, CONTENT_W);
                let header_lines = t
                    .columns
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| {
                        let inner = (w - 2.0 * CELL_PAD_X).max(1.0);
                        wrap(self.fonts, CELL_HEAD.face, CELL_HEAD.size, &c.title, inner).len()
                    })
                    .max()
                    .unwrap_or(0)
                    .clamp(1, MAX_HEADER_LINES);
                // What `grid` keeps with the header: the whole first row when it fits
                // a page, else two of its lines.
                let row_lines = t.rows.first().map_or(1, |row| {
                    row.iter()
                        .zip(&widths)
                        .map(|(c, w)| {
                            let inner = (w - 2.0 * CELL_PAD_X).max(1.0);
                            wrap(self.fonts, CELL.face, CELL.size, &c.text, inner).len()
                        })
                        .max()
                        .unwrap_or(1)
                        .max(1)
                });
                let header_h = header_lines as f32 * CELL.line + 2.0 * CELL_PAD_Y;
                let row_h = row_lines as f32 * CELL.line + 2.0 * CELL_PAD_Y;
                let row_h = if row_h <= BODY_BOTTOM - BODY_TOP - header_h {
                    row_h
                } else {
                    2.0 * CELL.line + 2.0 * CELL_PAD_Y
                };
                header_h + row_h
            }
            Some(Block::Chart(c)) => {
                let title = wrap(
                    self.fonts,
                    CHART_TITLE.face,
                    CHART_TITLE.size,
                    &c.title,
                    CONTENT_W,
                );
                title.len() as f32 * CHART_TITLE.line + 4.0 + chart::HEIGHT
            }
            Some(Block::Map(m)) => map::height(self.fonts, m, CONTENT_W),
            Some(Block::Spacer(h)) => spacer(*h) + self.lead(&rest[1..]),
            Some(Block::Contents) => 2.0 * TOC_1.line,
        }
    }

    /// The contents: each level-1 and level-2 heading after it, with the page it
    /// starts on (left blank in the first pass, while pages are not yet known).
    fn contents(&mut self, entries: &[(usize, u8, &str)], pages: Option<&HashMap<usize, usize>>) {
        const NUMBER_W: f32 = 32.0;
        let toc = self.tree.add(Tree::ROOT, Role::Toc);
        for &(block, level, text) in entries {
            let (style, indent, before) = if level == 1 {
                (TOC_1, 0.0, 5.0)
            } else {
                (TOC_2, 14.0, 0.0)
            };
            let room = CONTENT_W - indent - NUMBER_W - 8.0;
            let lines = wrap(self.fonts, style.face, style.size, text, room);
            let Some(last) = lines.last().cloned() else {
                continue;
            };
            self.space(before);
            self.need(lines.len() as f32 * style.line);
            let entry = self.tree.add(toc, Role::Toci);
            // The entry's words are a link to its section.
            let link = self.tree.add(entry, Role::Link);
            self.tag = Some(link);
            let first = self.y;
            // The page number follows the title: a space between them for readers.
            let mut lines = lines;
            if let Some(l) = lines.last_mut() {
                l.push(' ');
            }
            self.lines(lines, style, MARGIN_X + indent);
            let top = self.y - style.line;
            if let Some(page) = pages.and_then(|m| m.get(&block)) {
                let bottom = self.y;
                self.current().links.push(Link {
                    rect: [MARGIN_X + indent, first, MARGIN_X + CONTENT_W, bottom],
                    node: link,
                    block,
                    text: text.to_string(),
                });
                let number = (page + 1).to_string();
                let w = self.fonts.width(style.face, style.size, &number);
                let right = MARGIN_X + CONTENT_W;
                self.text_at(right - w, top, style, number);
                // A dotted leader from the title to its page number, for the eye.
                let from =
                    MARGIN_X + indent + self.fonts.width(style.face, style.size, &last) + 6.0;
                let to = right - w - 6.0;
                if to > from {
                    let tag = self.tag.take();
                    let y = top + style.baseline();
                    self.push(Item::Stroke {
                        points: vec![(from, y), (to, y)],
                        width: 0.6,
                        colour: RULE_STRONG,
                        dashed: true,
                    });
                    self.tag = tag;
                }
            }
        }
        self.tag = None;
        self.space(10.0);
    }

    fn heading(&mut self, block: usize, level: u8, text: &str, keep: f32) {
        let (style, before, after) = heading_style(level);
        let lines = wrap(self.fonts, style.face, style.size, text, CONTENT_W);
        if lines.is_empty() {
            return;
        }
        self.space(before);
        let rule = if level == 1 { 4.0 } else { 0.0 };
        self.need(lines.len() as f32 * style.line + rule + after + keep);
        let page = self.pages.len() - 1;
        self.anchors.push(Anchor {
            block,
            level,
            // The heading as written: joining wrapped lines would put a space into a
            // word that was broken to fit.
            title: self
                .fonts
                .printable(text)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            page,
            y: self.y,
        });
        self.open(Role::heading(level));
        self.lines(lines, style, MARGIN_X);
        if level == 1 {
            self.y += 3.0;
            let y = self.y;
            self.rule(MARGIN_X, y, CONTENT_W, 0.8, ACCENT);
            self.y += 1.0;
        }
        self.y += after;
    }

    fn key_value_rows(&self, pairs: &[(String, String)]) -> Vec<GridRow> {
        let widest = pairs
            .iter()
            .map(|(k, _)| self.fonts.width(LABEL.face, LABEL.size, k.trim()))
            .fold(0.0, f32::max);
        let label_w = (widest + 2.0 * CELL_PAD_X + 8.0).min(CONTENT_W * 0.4);
        let value_w = CONTENT_W - label_w;
        pairs
            .iter()
            .map(|(k, v)| GridRow {
                cells: vec![
                    GridCell {
                        head: Some(Scope::Row),
                        ..self.grid_cell(k, MARGIN_X, label_w, Align::Left, LABEL, None)
                    },
                    self.grid_cell(v, MARGIN_X + label_w, value_w, Align::Left, VALUE, None),
                ],
            })
            .collect()
    }

    /// What of a key-value list must stay on one page: all of a short list (a
    /// definition reads as one unit), else its first row.
    fn key_values_lead(rows: &[GridRow]) -> f32 {
        let total: f32 = rows.iter().map(GridRow::height).sum();
        if total <= KEEP_TOGETHER {
            total
        } else {
            rows.first().map_or(0.0, GridRow::height)
        }
    }

    fn key_values(&mut self, pairs: &[(String, String)]) {
        if pairs.is_empty() {
            return;
        }
        let rows = self.key_value_rows(pairs);
        self.need(Self::key_values_lead(&rows));
        self.grid(Grid {
            x: MARGIN_X,
            w: CONTENT_W,
            header: None,
            rows,
            row_rule: RULE,
        });
        self.space(10.0);
    }

    fn grid_cell(
        &self,
        text: &str,
        x: f32,
        w: f32,
        align: Align,
        style: Style,
        fill: Option<Rgb>,
    ) -> GridCell {
        let inner = (w - 2.0 * CELL_PAD_X).max(1.0);
        GridCell {
            head: None,
            lines: wrap(self.fonts, style.face, style.size, text, inner),
            x,
            w,
            align,
            style,
            fill,
        }
    }

    fn table(&mut self, t: &Table) {
        if t.columns.is_empty() {
            return;
        }
        let widths = column_widths(&t.columns, CONTENT_W);
        let lefts: Vec<f32> = widths
            .iter()
            .scan(MARGIN_X, |x, w| {
                let left = *x;
                *x += w;
                Some(left)
            })
            .collect();
        let width: f32 = widths.iter().sum();
        let header = GridRow {
            cells: t
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let mut cell = self.grid_cell(
                        &c.title,
                        lefts[i],
                        widths[i],
                        c.align,
                        CELL_HEAD,
                        Some(HEADER_FILL),
                    );
                    cell.head = Some(Scope::Column);
                    // The header repeats on every page, so it must leave room for
                    // rows: an essay of a column title is cut, not printed each time.
                    if cell.lines.len() > MAX_HEADER_LINES {
                        cell.lines.truncate(MAX_HEADER_LINES);
                        let last = cell.lines.pop().unwrap_or_default() + " …";
                        let inner = (widths[i] - 2.0 * CELL_PAD_X).max(1.0);
                        cell.lines.push(fit_line(
                            self.fonts,
                            CELL_HEAD.face,
                            CELL_HEAD.size,
                            &last,
                            inner,
                        ));
                    }
                    cell
                })
                .collect(),
        };
        let mut rows: Vec<GridRow> = t
            .rows
            .iter()
            .map(|row| GridRow {
                cells: t
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let cell = row.get(i).cloned().unwrap_or_else(Cell::default);
                        self.grid_cell(
                            &cell.text,
                            lefts[i],
                            widths[i],
                            c.align,
                            CELL,
                            cell.tone.map(tone_fill),
                        )
                    })
                    .collect(),
            })
            .collect();
        if rows.is_empty() {
            let style = Style {
                colour: MUTED,
                ..CELL
            };
            rows.push(GridRow {
                cells: vec![self.grid_cell(
                    "No entries.",
                    MARGIN_X,
                    width,
                    Align::Left,
                    style,
                    None,
                )],
            });
        }
        self.grid(Grid {
            x: MARGIN_X,
            w: width,
            header: Some(header),
            rows,
            row_rule: RULE,
        });
        self.space(12.0);
    }

    fn grid(&mut self, g: Grid) {
        let header_h = g.header.as_ref().map_or(0.0, GridRow::height);
        // A header is never left at the foot of a page without a row under it: the
        // whole first row comes along when it fits a page (a row that fits one is
        // never split), else its first two lines.
        let page_body = BODY_BOTTOM - BODY_TOP - header_h;
        let first = g.rows.first().map_or(0.0, |r| {
            if r.height() <= page_body {
                r.height()
            } else {
                2.0 * r.line_height() + 2.0 * CELL_PAD_Y
            }
        });
        self.need(header_h + first);
        let table = self.tree.add(Tree::ROOT, Role::Table);
        if let Some(h) = &g.header {
            let cells = self.row_elements(table, h);
            self.grid_header(&g, h, Some(&cells));
        }
        for row in &g.rows {
            let cells = self.row_elements(table, row);
            let cells = Some(cells.as_slice());
            let h = row.height();
            if h > self.room() && h <= page_body {
                self.grid_page(&g);
            }
            if h <= self.room() {
                self.grid_row(row, 0, row.lines(), cells);
                self.row_rule(&g);
                continue;
            }
            // Taller than a page: continue the row's lines on the next pages.
            let lh = row.line_height();
            let mut from = 0;
            let mut page_start = false;
            while from < row.lines() {
                let mut fit = ((self.room() - 2.0 * CELL_PAD_Y) / lh).floor().max(0.0) as usize;
                if fit == 0 {
                    if !page_start {
                        self.grid_page(&g);
                        page_start = true;
                        continue;
                    }
                    // Not even one line fits under the header: progress beats looping.
                    fit = 1;
                }
                let to = (from + fit).min(row.lines());
                self.grid_row(row, from, to, cells);
                self.row_rule(&g);
                from = to;
                page_start = false;
                if from < row.lines() {
                    self.grid_page(&g);
                    page_start = true;
                }
            }
        }
        if g.header.is_some() {
            let y = self.y;
            self.rule(g.x, y, g.w, 0.8, RULE_STRONG);
        }
    }

    /// A table row's structure: a `TR` under `table` with a `TH` or `TD` per cell.
    fn row_elements(&mut self, table: usize, row: &GridRow) -> Vec<usize> {
        let tr = self.tree.add(table, Role::TR);
        row.cells
            .iter()
            .map(|c| self.tree.add(tr, c.head.map_or(Role::TD, Role::TH)))
            .collect()
    }

    /// Continues a grid on a new page, under its repeated header: a repeat for the
    /// eye only, so an artifact.
    fn grid_page(&mut self, g: &Grid) {
        self.new_page(false);
        if let Some(h) = &g.header {
            self.grid_header(g, h, None);
        }
    }

    fn grid_header(&mut self, g: &Grid, header: &GridRow, cells: Option<&[usize]>) {
        let top = self.y;
        self.rule(g.x, top, g.w, 0.8, RULE_STRONG);
        self.grid_row(header, 0, header.lines(), cells);
        let y = self.y;
        self.rule(g.x, y, g.w, 0.8, RULE_STRONG);
    }

    fn row_rule(&mut self, g: &Grid) {
        let y = self.y;
        self.rule(g.x, y, g.w, 0.4, g.row_rule);
    }

    /// Draws lines `from..to` of a row at the cursor, with its fills; the text of
    /// cell i belongs to `cells[i]` (none: an artifact).
    fn grid_row(&mut self, row: &GridRow, from: usize, to: usize, cells: Option<&[usize]>) {
        let lh = row.line_height();
        let h = (to - from) as f32 * lh + 2.0 * CELL_PAD_Y;
        let top = self.y;
        self.tag = None;
        for cell in &row.cells {
            if let Some(colour) = cell.fill {
                self.push(Item::Fill {
                    x: cell.x,
                    y: top,
                    w: cell.w,
                    h,
                    colour,
                });
            }
        }
        for (c, cell) in row.cells.iter().enumerate() {
            self.tag = cells.and_then(|n| n.get(c).copied());
            let inner = cell.w - 2.0 * CELL_PAD_X;
            for (i, line) in cell.lines.iter().enumerate().take(to).skip(from) {
                let w = self.fonts.width(cell.style.face, cell.style.size, line);
                let x = match cell.align {
                    Align::Left => cell.x + CELL_PAD_X,
                    Align::Right => cell.x + CELL_PAD_X + (inner - w).max(0.0),
                    Align::Center => cell.x + CELL_PAD_X + ((inner - w) / 2.0).max(0.0),
                };
                // Only with more columns than a page has room for can a letter be
                // wider than its cell; it may then touch a neighbour, never the edge.
                let x = x.min(MARGIN_X + CONTENT_W - w).max(MARGIN_X);
                let line_top = top + CELL_PAD_Y + (i - from) as f32 * lh;
                let last = i + 1 == cell.lines.len();
                self.text_at(x, line_top, cell.style, spoken(line.clone(), last));
            }
        }
        self.tag = None;
        self.y = top + h;
    }

    fn chart(&mut self, c: &Chart) {
        let title = wrap(
            self.fonts,
            CHART_TITLE.face,
            CHART_TITLE.size,
            &c.title,
            CONTENT_W,
        );
        let plot_h = chart::HEIGHT;
        self.need(title.len() as f32 * CHART_TITLE.line + 4.0 + plot_h);
        self.open(Role::Caption);
        self.lines(title, CHART_TITLE, MARGIN_X);
        self.y += 4.0;
        self.need(plot_h);
        let items = chart::draw(self.fonts, c, MARGIN_X, self.y, CONTENT_W);
        self.figure(chart::describe(c), plot_h, items);
        self.space(14.0);
    }

    /// A map is never split: it moves to the next page whole.
    fn map(&mut self, m: &Map) {
        let h = map::height(self.fonts, m, CONTENT_W);
        self.need(h);
        // The whole map — title, counties, legend, credit — is one figure, and its
        // alternative text says all of it.
        let mut alt = m.alt.trim().to_string();
        if !alt.contains(crate::geo::ATTRIBUTION) {
            alt.push_str(&format!(" {}.", crate::geo::ATTRIBUTION));
        }
        let items = map::draw(self.fonts, m, MARGIN_X, self.y, CONTENT_W);
        self.figure(alt, h, items);
        self.space(14.0);
    }

    /// Drawn items `h` tall at the cursor as one `Figure` with its alternative text
    /// and box; the cursor moves past it.
    fn figure(&mut self, alt: String, h: f32, items: Vec<Item>) {
        let figure = self.open(Role::Figure);
        let node = &mut self.tree.nodes[figure];
        node.alt = Some(alt);
        node.bbox = Some([MARGIN_X, self.y, MARGIN_X + CONTENT_W, self.y + h]);
        for item in items {
            self.push(item);
        }
        self.tag = None;
        self.y += h;
    }

    fn cover(&mut self, c: &Cover) {
        if self.fresh() && self.current().items.is_empty() {
            self.current().cover = true;
        } else {
            self.new_page(true);
        }
        self.push(Item::Fill {
            x: 0.0,
            y: 0.0,
            w: PAGE_W,
            h: 16.0,
            colour: HEADING,
        });
        self.push(Item::Fill {
            x: 0.0,
            y: 16.0,
            w: PAGE_W,
            h: 3.0,
            colour: NOTICE_EDGE,
        });
        // The title sits a third of the way down, higher when the cover has more to
        // hold than fits below that.
        let mut dry = Flow {
            fonts: self.fonts,
            pages: vec![Page::default()],
            anchors: Vec::new(),
            y: BODY_TOP,
            tree: Tree::default(),
            tag: None,
        };
        dry.cover_content(c);
        let height = dry.y - BODY_TOP;
        self.y = if dry.pages.len() > 1 {
            BODY_TOP
        } else {
            (BODY_BOTTOM - height - 24.0).clamp(BODY_TOP, 190.0)
        };
        self.cover_content(c);
    }

    fn cover_content(&mut self, c: &Cover) {
        let title = Style {
            face: Face::Bold,
            size: 26.0,
            line: 32.0,
            colour: HEADING,
        };
        let lines = wrap(self.fonts, title.face, title.size, &c.title, CONTENT_W);
        self.open(Role::H1);
        self.lines(lines, title, MARGIN_X);
        let subtitle = Style {
            face: Face::Regular,
            size: 14.0,
            line: 19.0,
            colour: MUTED,
        };
        let lines = wrap(
            self.fonts,
            subtitle.face,
            subtitle.size,
            &c.subtitle,
            CONTENT_W,
        );
        if !lines.is_empty() {
            self.y += 8.0;
            self.open(Role::P);
            self.lines(lines, subtitle, MARGIN_X);
        }
        self.tag = None;
        if let Some(banner) = &c.banner {
            self.y += 20.0;
            self.banner(banner);
        }
        if !c.lines.is_empty() {
            self.y += 24.0;
            let y = self.y;
            self.rule(MARGIN_X, y, CONTENT_W, 0.8, RULE_STRONG);
            self.y += 8.0;
            self.key_values(&c.lines);
        }
    }

    fn banner(&mut self, text: &str) {
        let style = Style {
            face: Face::Bold,
            size: 10.5,
            line: 14.0,
            colour: NOTICE_INK,
        };
        let pad = 9.0;
        let lines = wrap(
            self.fonts,
            style.face,
            style.size,
            text,
            CONTENT_W - 2.0 * pad - 4.0,
        );
        if lines.is_empty() {
            return;
        }
        let h = lines.len() as f32 * style.line + 2.0 * pad;
        self.need(h.min(BODY_BOTTOM - BODY_TOP));
        let top = self.y;
        self.tag = None;
        self.push(Item::Fill {
            x: MARGIN_X,
            y: top,
            w: CONTENT_W,
            h: h.min(BODY_BOTTOM - top),
            colour: NOTICE_FILL,
        });
        self.push(Item::Fill {
            x: MARGIN_X,
            y: top,
            w: 4.0,
            h: h.min(BODY_BOTTOM - top),
            colour: NOTICE_EDGE,
        });
        self.y += pad;
        self.open(Role::P);
        self.lines(lines, style, MARGIN_X + pad + 4.0);
        self.tag = None;
        self.y += pad;
    }
}

/// A wrapped line as it is written into the file: with the space it was broken at,
/// so that text extraction and screen readers get "describes no", not "describesno".
/// The space is invisible at a line's end; a word broken at a joint or a hyphen has
/// none.
fn spoken(mut line: String, last: bool) -> String {
    if !last && !line.ends_with(['-', '/', '–', '_', ' ']) {
        line.push(' ');
    }
    line
}

/// A spacer's height, kept within a page (and a NaN from a caller's arithmetic to 0).
fn spacer(h: f32) -> f32 {
    if h.is_finite() {
        h.clamp(0.0, BODY_BOTTOM - BODY_TOP)
    } else {
        0.0
    }
}

/// Fixed columns get their points, the rest share what is left. When fixed columns
/// alone are too wide they shrink so that every shared column keeps some room.
pub(crate) fn column_widths(columns: &[Column], total: f32) -> Vec<f32> {
    const MIN_SHARED: f32 = 36.0;
    let share = |w: f32| if w.is_finite() && w > 0.0 { w } else { 1.0 };
    let fixed: f32 = columns
        .iter()
        .map(|c| match c.width {
            Width::Points(p) if p.is_finite() => p.max(0.0),
            _ => 0.0,
        })
        .sum();
    let shares: f32 = columns
        .iter()
        .map(|c| match c.width {
            Width::Share(s) => share(s),
            Width::Points(_) => 0.0,
        })
        .sum();
    let shared_count = columns
        .iter()
        .filter(|c| matches!(c.width, Width::Share(_)))
        .count() as f32;
    let fixed_room = (total - MIN_SHARED * shared_count).max(total * 0.5);
    let fixed_scale = if fixed > fixed_room {
        fixed_room / fixed
    } else if shared_count == 0.0 && fixed > total {
        total / fixed
    } else {
        1.0
    };
    let left = (total - fixed * fixed_scale).max(0.0);
    let widths = columns
        .iter()
        .map(|c| match c.width {
            Width::Points(p) if p.is_finite() => p.max(0.0) * fixed_scale,
            Width::Points(_) => 0.0,
            Width::Share(s) => left * share(s) / shares,
        })
        .collect();
    at_least(widths, MIN_COLUMN, total)
}

/// Raises columns narrower than `min` to it, taking the width from the wider ones in
/// proportion to what they have above `min`: a letter wider than its column would
/// otherwise print over its neighbour, or past the margin.
fn at_least(mut widths: Vec<f32>, min: f32, total: f32) -> Vec<f32> {
    let min = min.min(total / widths.len().max(1) as f32);
    let deficit: f32 = widths.iter().map(|w| (min - w).max(0.0)).sum();
    if deficit <= 0.0 {
        return widths;
    }
    let spare: f32 = widths.iter().map(|w| (w - min).max(0.0)).sum();
    let take = if spare > 0.0 {
        (deficit / spare).min(1.0)
    } else {
        0.0
    };
    for w in &mut widths {
        if *w < min {
            *w = min;
        } else {
            *w -= (*w - min) * take;
        }
    }
    widths
}

/// The second pass: running header and "Page X of Y" footer, now that Y is known.
fn decorate(doc: &Document, fonts: &Fonts, pages: &mut [Page]) {
    let total = pages.len();
    let size = 8.0;
    for (i, page) in pages.iter_mut().enumerate() {
        if page.cover {
            continue;
        }
        // Running header and footer are pagination artifacts.
        if page.marks.last().is_none_or(|(_, t)| t.is_some()) {
            page.marks.push((page.items.len(), None));
        }
        let mut header_room = CONTENT_W;
        if let Some(notice) = doc.notice.as_deref().filter(|n| !n.trim().is_empty()) {
            let text = fit_line(fonts, Face::Bold, 7.5, notice, CONTENT_W * 0.45);
            let w = fonts.width(Face::Bold, 7.5, &text) + 10.0;
            let x = MARGIN_X + CONTENT_W - w;
            page.items.push(Item::Fill {
                x,
                y: HEADER_BASELINE - 9.5,
                w,
                h: 13.0,
                colour: NOTICE_FILL,
            });
            page.items.push(Item::Text {
                x: x + 5.0,
                baseline: HEADER_BASELINE,
                size: 7.5,
                face: Face::Bold,
                colour: NOTICE_INK,
                text,
            });
            header_room -= w + 12.0;
        }
        page.items.push(Item::Text {
            x: MARGIN_X,
            baseline: HEADER_BASELINE,
            size,
            face: Face::Regular,
            colour: MUTED,
            text: fit_line(fonts, Face::Regular, size, &doc.header, header_room),
        });
        page.items.push(Item::Stroke {
            points: vec![(MARGIN_X, HEADER_RULE), (MARGIN_X + CONTENT_W, HEADER_RULE)],
            width: 0.5,
            colour: RULE_STRONG,
            dashed: false,
        });
        page.items.push(Item::Stroke {
            points: vec![(MARGIN_X, FOOTER_RULE), (MARGIN_X + CONTENT_W, FOOTER_RULE)],
            width: 0.5,
            colour: RULE_STRONG,
            dashed: false,
        });
        let number = format!("Page {} of {total}", i + 1);
        let number_w = fonts.width(Face::Regular, size, &number);
        page.items.push(Item::Text {
            x: MARGIN_X + CONTENT_W - number_w,
            baseline: FOOTER_BASELINE,
            size,
            face: Face::Regular,
            colour: MUTED,
            text: number,
        });
        page.items.push(Item::Text {
            x: MARGIN_X,
            baseline: FOOTER_BASELINE,
            size,
            face: Face::Regular,
            colour: MUTED,
            text: fit_line(
                fonts,
                Face::Regular,
                size,
                &doc.footer_left,
                CONTENT_W - number_w - 16.0,
            ),
        });
    }
}
