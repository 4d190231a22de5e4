//! A [`Map`] as vector shapes: every county a filled and stroked polygon from
//! `crate::geo`, a legend that reads in black and white (a light-to-dark ramp, white
//! hatched for "no figure", white for "outside", a double edge for outlined counties),
//! and the map's attribution under it.

use printpdf::{
    Color, Line, LineDashPattern, LinePoint, Op, PaintMode, Point, Polygon, PolygonRing, Pt,
    WindingOrder,
};

use super::fonts::{Face, Fonts};
use super::layout::{Item, Rgb, INK, MUTED, PAGE_H};
use super::text::wrap;
use super::{Map, MapSize, Region, Shade, Swatch};
use crate::geo::{self, achievement::RAMP, ATTRIBUTION};

/// A filled and stroked polygon (rings in page points, y down), optionally hatched.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shape {
    pub rings: Vec<Vec<(f32, f32)>>,
    pub fill: Option<Rgb>,
    /// Edges drawn one over the other, e.g. a thick dark line with a thin light one
    /// inside it, which shows on any fill.
    pub strokes: Vec<(Rgb, f32)>,
    pub hatch: Option<Rgb>,
}

/// The drawing's height: a full map about half a page, a locator a short band.
const FULL_H: f32 = 300.0;
const LOCATOR_H: f32 = 104.0;
const TITLE_SIZE: f32 = 9.0;
const TITLE_LINE: f32 = 13.0;
const LABEL_SIZE: f32 = 8.0;
const LABEL_LINE: f32 = 10.5;
const CREDIT_SIZE: f32 = 7.0;
const CREDIT_H: f32 = 12.0;
const LEGEND_GAP: f32 = 22.0;
const SWATCH_W: f32 = 18.0;
const SWATCH_H: f32 = 11.0;

const BORDER: Rgb = Rgb(0x8a, 0x96, 0xa3);
const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const HATCH: Rgb = Rgb(0x6f, 0x7a, 0x86);
const EDGE: Rgb = Rgb(0x10, 0x14, 0x18);
const FOCUS: Rgb = Rgb(0x1c, 0x42, 0x66);

fn ramp(class: u8) -> Rgb {
    let (r, g, b) = RAMP[usize::from(class).min(RAMP.len() - 1)];
    Rgb(r, g, b)
}

fn look(shade: Shade) -> (Rgb, Option<Rgb>) {
    match shade {
        Shade::Class(k) => (ramp(k), None),
        Shade::NoData => (WHITE, Some(HATCH)),
        Shade::Outside => (WHITE, None),
        Shade::Focus => (FOCUS, None),
    }
}

fn outlined_strokes() -> Vec<(Rgb, f32)> {
    vec![(EDGE, 2.2), (WHITE, 0.6)]
}

/// The width the map itself takes, and how it is placed: (width, scale).
fn frame(m: &Map) -> (f32, f32) {
    frame_of(m.size)
}

fn frame_of(size: MapSize) -> (f32, f32) {
    let b = geo::bounds();
    let scale = map_height(size) / b.height();
    (b.width() * scale, scale)
}

fn map_height(size: MapSize) -> f32 {
    match size {
        MapSize::Full => FULL_H,
        MapSize::Locator => LOCATOR_H,
    }
}

fn title_lines(fonts: &Fonts, m: &Map, w: f32) -> Vec<String> {
    wrap(fonts, Face::Regular, TITLE_SIZE, &m.title, w)
}

fn legend_lines(fonts: &Fonts, m: &Map, w: f32) -> Vec<Vec<String>> {
    m.legend
        .iter()
        .map(|(_, label)| wrap(fonts, Face::Regular, LABEL_SIZE, label, w))
        .collect()
}

/// Height of the whole block, title and attribution included, `w` wide.
pub(crate) fn height(fonts: &Fonts, m: &Map, w: f32) -> f32 {
    let (map_w, _) = frame(m);
    match m.size {
        MapSize::Full => {
            let title = title_lines(fonts, m, w).len() as f32 * TITLE_LINE + 4.0;
            let legend_w = (w - map_w - LEGEND_GAP - SWATCH_W - 6.0).max(40.0);
            let legend: f32 = legend_lines(fonts, m, legend_w)
                .iter()
                .map(|l| l.len().max(1) as f32 * LABEL_LINE + 5.0)
                .sum();
            title + FULL_H.max(legend) + CREDIT_H
        }
        MapSize::Locator => {
            let beside = w - map_w - LEGEND_GAP;
            let title = title_lines(fonts, m, beside).len() as f32 * TITLE_LINE;
            LOCATOR_H.max(title) + CREDIT_H
        }
    }
}

/// The block's items from (`x`, `y`), `w` wide.
pub(crate) fn draw(fonts: &Fonts, m: &Map, x: f32, y: f32, w: f32) -> Vec<Item> {
    let mut out = Vec::new();
    let text = |out: &mut Vec<Item>, x: f32, baseline: f32, size: f32, colour: Rgb, s: String| {
        out.push(Item::Text {
            x,
            baseline,
            size,
            face: Face::Regular,
            colour,
            text: s,
        })
    };
    let (map_w, _) = frame(m);
    let (map_x, map_y, map_h) = match m.size {
        MapSize::Full => {
            let mut top = y;
            for line in title_lines(fonts, m, w) {
                text(&mut out, x, top + 9.5, TITLE_SIZE, INK, line);
                top += TITLE_LINE;
            }
            (x, top + 4.0, FULL_H)
        }
        MapSize::Locator => {
            let beside = x + map_w + LEGEND_GAP;
            let mut top = y;
            for line in title_lines(fonts, m, w - map_w - LEGEND_GAP) {
                text(&mut out, beside, top + 9.5, TITLE_SIZE, INK, line);
                top += TITLE_LINE;
            }
            (x, y, LOCATOR_H)
        }
    };
    if m.size == MapSize::Locator {
        locator_counties(m, map_x, map_y, &mut out);
    } else {
        let counties = counties(m.size, &|code| m.regions.iter().find(|r| r.code == code));
        out.extend(counties.into_iter().map(|s| {
            Item::Shape(Shape {
                rings: moved(s.rings, map_x, map_y),
                ..s
            })
        }));
    }
    text(
        &mut out,
        map_x,
        map_y + map_h + 9.0,
        CREDIT_SIZE,
        MUTED,
        ATTRIBUTION.to_string(),
    );
    if m.size == MapSize::Full {
        let lx = map_x + map_w + LEGEND_GAP;
        let label_x = lx + SWATCH_W + 6.0;
        let mut top = map_y + 4.0;
        let lines = legend_lines(fonts, m, (x + w - label_x).max(40.0));
        for ((swatch, _), lines) in m.legend.iter().zip(lines) {
            let rect = vec![vec![
                (lx, top),
                (lx + SWATCH_W, top),
                (lx + SWATCH_W, top + SWATCH_H),
                (lx, top + SWATCH_H),
            ]];
            out.push(Item::Shape(match swatch {
                Swatch::Shade(s) => {
                    let (fill, hatch) = look(*s);
                    Shape {
                        rings: rect,
                        fill: Some(fill),
                        strokes: vec![(BORDER, 0.5)],
                        hatch,
                    }
                }
                Swatch::Outlined => Shape {
                    rings: rect,
                    fill: Some(WHITE),
                    strokes: outlined_strokes(),
                    hatch: None,
                },
            }));
            let n = lines.len().max(1);
            for (i, line) in lines.into_iter().enumerate() {
                text(
                    &mut out,
                    label_x,
                    top + 8.5 + i as f32 * LABEL_LINE,
                    LABEL_SIZE,
                    INK,
                    line,
                );
            }
            top += n as f32 * LABEL_LINE + 5.0;
        }
    }
    out
}

/// Where the map's outline points land, from the map's own top-left corner (y down),
/// and how far apart they are kept.
fn projection(size: MapSize) -> (impl Fn((f32, f32)) -> (f32, f32), f32) {
    let (_, scale) = frame_of(size);
    let b = geo::bounds();
    // Points closer than this on the page add bytes, not shape: a locator is drawn
    // at a fifth of a full map's scale, where 1.5 pt still traces every county
    // (looked at: 36 KB less in the 47-county ministry report).
    let step = if size == MapSize::Full { 0.3 } else { 1.5 };
    (
        move |(mx, my): (f32, f32)| ((mx - b.min_x) * scale, (my - b.min_y) * scale),
        step,
    )
}

fn border_width(size: MapSize) -> f32 {
    if size == MapSize::Full {
        0.4
    } else {
        0.25
    }
}

/// A county's rings on the map, from the map's top-left corner.
fn rings_of(o: &geo::Outline, size: MapSize) -> Vec<Vec<(f32, f32)>> {
    let (place, step) = projection(size);
    o.rings
        .iter()
        .map(|r| thin_out(r.iter().map(|&p| place(p)), step))
        .filter(|r: &Vec<(f32, f32)>| r.len() >= 3)
        .collect()
}

/// Every county filled by its region's shade (white where there is none), then the
/// thick edges of the outlined ones on top, so that no neighbour's border is drawn
/// over them; from the map's top-left corner.
fn counties<'a>(size: MapSize, region: &dyn Fn(&str) -> Option<&'a Region>) -> Vec<Shape> {
    let mut shapes = Vec::new();
    let mut on_top = Vec::new();
    for o in geo::outlines() {
        let found = region(o.code);
        let (fill, hatch) = look(found.map_or(Shade::Outside, |r| r.shade));
        let rings = rings_of(o, size);
        if found.is_some_and(|r| r.outlined) {
            on_top.push(rings.clone());
        }
        shapes.push(Shape {
            rings,
            fill: Some(fill),
            strokes: vec![(BORDER, border_width(size))],
            hatch,
        });
    }
    shapes.extend(on_top.into_iter().map(|rings| Shape {
        rings,
        fill: None,
        strokes: outlined_strokes(),
        hatch: None,
    }));
    shapes
}

/// A locator map is the same white Kenya on every county's section, so it is drawn
/// from shared layers written once in the file (the counties, then the thick edges),
/// with only its shaded counties drawn in between: 47 locators then cost about what
/// one does.
fn locator_counties(m: &Map, x: f32, y: f32, out: &mut Vec<Item>) {
    out.push(Item::Layer {
        layer: Layer::Counties(m.size),
        x,
        y,
    });
    for o in geo::outlines() {
        let Some(r) = m.regions.iter().find(|r| r.code == o.code) else {
            continue;
        };
        if r.shade == Shade::Outside {
            continue;
        }
        let (fill, hatch) = look(r.shade);
        out.push(Item::Shape(Shape {
            rings: moved(rings_of(o, m.size), x, y),
            fill: Some(fill),
            strokes: vec![(BORDER, border_width(m.size))],
            hatch,
        }));
    }
    let mut edged: Vec<String> = m
        .regions
        .iter()
        .filter(|r| r.outlined)
        .map(|r| r.code.clone())
        .collect();
    if !edged.is_empty() {
        edged.sort();
        out.push(Item::Layer {
            layer: Layer::Edges(m.size, edged),
            x,
            y,
        });
    }
}

/// Rings moved by (`x`, `y`) on the page, kept to a tenth of a point.
fn moved(rings: Vec<Vec<(f32, f32)>>, x: f32, y: f32) -> Vec<Vec<(f32, f32)>> {
    let round = |v: f32| (v * 10.0).round() / 10.0;
    rings
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|(px, py)| (round(x + px), round(y + py)))
                .collect()
        })
        .collect()
}

/// A drawing shared by every page that shows it: written once in the PDF (a form
/// XObject) and placed by its top-left corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layer {
    /// Every county white with its border.
    Counties(MapSize),
    /// The thick edges of these counties (by KNBS code).
    Edges(MapSize, Vec<String>),
}

impl Layer {
    /// Width and height in points.
    pub fn size(&self) -> (f32, f32) {
        let size = self.map_size();
        let (w, _) = frame_of(size);
        (w, map_height(size))
    }

    fn map_size(&self) -> MapSize {
        match self {
            Layer::Counties(s) | Layer::Edges(s, _) => *s,
        }
    }

    /// The layer's shapes, from its top-left corner (y down).
    pub fn shapes(&self) -> Vec<Shape> {
        match self {
            Layer::Counties(size) => counties(*size, &|_| None),
            Layer::Edges(size, codes) => geo::outlines()
                .iter()
                .filter(|o| codes.iter().any(|c| c == o.code))
                .map(|o| Shape {
                    rings: rings_of(o, *size),
                    fill: None,
                    strokes: outlined_strokes(),
                    hatch: None,
                })
                .collect(),
        }
    }

    /// The layer as a PDF content stream, in its own space: origin at its bottom-left
    /// corner, y up, `height` high.
    pub fn content(&self) -> Vec<u8> {
        let (_, h) = self.size();
        let mut s = String::from("1 j [] 0 d\n");
        for shape in self.shapes() {
            debug_assert!(shape.hatch.is_none(), "a layer is never hatched");
            let mut path = String::new();
            for ring in &shape.rings {
                for (i, &(x, y)) in ring.iter().enumerate() {
                    path.push_str(&format!(
                        "{} {} {}\n",
                        num(x),
                        num(h - y),
                        if i == 0 { "m" } else { "l" }
                    ));
                }
                path.push_str("h\n");
            }
            let mut strokes = shape.strokes.iter();
            if let Some(fill) = shape.fill {
                s.push_str(&format!("{} rg\n", rgb(fill)));
                if let Some((c, w)) = strokes.next() {
                    s.push_str(&format!("{} RG {} w\n{path}B\n", rgb(*c), num(*w)));
                } else {
                    s.push_str(&format!("{path}f\n"));
                }
            }
            for (c, w) in strokes {
                s.push_str(&format!("{} RG {} w\n{path}S\n", rgb(*c), num(*w)));
            }
        }
        s.into_bytes()
    }
}

/// A coordinate as the content stream writes it: at most two decimals, no trailing
/// zeros.
fn num(v: f32) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

fn rgb(c: Rgb) -> String {
    [c.0, c.1, c.2]
        .iter()
        .map(|&v| num(f32::from(v) / 255.0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A ring on the page with points `step` apart at least, each rounded to a tenth of a
/// point (finer than print shows; fewer digits in the file).
fn thin_out(points: impl Iterator<Item = (f32, f32)>, step: f32) -> Vec<(f32, f32)> {
    let round = |v: f32| (v * 10.0).round() / 10.0;
    let mut out: Vec<(f32, f32)> = Vec::new();
    for (x, y) in points {
        let p = (round(x), round(y));
        if out
            .last()
            .is_none_or(|&(lx, ly)| (p.0 - lx).hypot(p.1 - ly) >= step)
        {
            out.push(p);
        }
    }
    out
}

fn colour(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.0) / 255.0,
        g: f32::from(c.1) / 255.0,
        b: f32::from(c.2) / 255.0,
        icc_profile: None,
    })
}

/// A point of a ring or line (y down) where the PDF puts it (y up).
fn page_point((x, y): (f32, f32)) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(x),
            y: Pt(PAGE_H - y),
        },
        bezier: false,
    }
}

fn polygon(rings: &[Vec<(f32, f32)>], mode: PaintMode) -> Polygon {
    Polygon {
        rings: rings
            .iter()
            .map(|r| PolygonRing {
                points: r.iter().map(|&p| page_point(p)).collect(),
            })
            .collect(),
        mode,
        winding_order: WindingOrder::NonZero,
    }
}

/// Writes a shape inside its own saved graphics state, so the writer's record of the
/// current colours and line width stays true after it.
pub(crate) fn write_shape(ops: &mut Vec<Op>, s: &Shape) {
    if s.rings.iter().all(|r| r.len() < 3) {
        return;
    }
    ops.push(Op::SaveGraphicsState);
    // The common case, a filled county with its border: the path written once.
    if let (Some(fill), None, [(c, width)]) = (s.fill, s.hatch, s.strokes.as_slice()) {
        ops.push(Op::SetFillColor { col: colour(fill) });
        ops.push(Op::SetOutlineColor { col: colour(*c) });
        ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
        ops.push(Op::SetLineDashPattern {
            dash: LineDashPattern::solid(),
        });
        ops.push(Op::DrawPolygon {
            polygon: polygon(&s.rings, PaintMode::FillStroke),
        });
        ops.push(Op::RestoreGraphicsState);
        return;
    }
    if let Some(fill) = s.fill {
        ops.push(Op::SetFillColor { col: colour(fill) });
        ops.push(Op::DrawPolygon {
            polygon: polygon(&s.rings, PaintMode::Fill),
        });
    }
    if s.strokes.is_empty() && s.hatch.is_none() {
        ops.push(Op::RestoreGraphicsState);
        return;
    }
    ops.push(Op::SetLineDashPattern {
        dash: LineDashPattern::solid(),
    });
    if let Some(hatch) = s.hatch {
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::DrawPolygon {
            polygon: polygon(&s.rings, PaintMode::Clip),
        });
        ops.push(Op::SetOutlineColor { col: colour(hatch) });
        ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
        for (a, b) in hatch_lines(&s.rings, 3.0) {
            ops.push(Op::DrawLine {
                line: Line {
                    points: [a, b].iter().map(|&p| page_point(p)).collect(),
                    is_closed: false,
                },
            });
        }
        ops.push(Op::RestoreGraphicsState);
    }
    for (c, width) in &s.strokes {
        ops.push(Op::SetOutlineColor { col: colour(*c) });
        ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
        ops.push(Op::DrawPolygon {
            polygon: polygon(&s.rings, PaintMode::Stroke),
        });
    }
    ops.push(Op::RestoreGraphicsState);
}

/// Diagonal lines `gap` apart across the rings' box (clipped to the shape when drawn).
fn hatch_lines(rings: &[Vec<(f32, f32)>], gap: f32) -> Vec<((f32, f32), (f32, f32))> {
    let b = geo::Bounds::of(rings.iter().flatten().copied());
    let span = b.width() + b.height();
    let n = (span / gap).ceil() as usize;
    (0..=n)
        .map(|i| {
            // Lines of slope -1 (rising to the right on the page): x + y = c.
            let c = b.min_x + b.min_y + i as f32 * gap;
            ((c - b.min_y, b.min_y), (c - b.max_y, b.max_y))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::layout::CONTENT_W;
    use super::super::{Map, MapSize, Region, Shade, Swatch};
    use super::*;

    fn map(size: MapSize) -> Map {
        Map {
            title: "Achievement by county".into(),
            regions: vec![
                Region {
                    code: "023".into(),
                    shade: Shade::Class(3),
                    outlined: true,
                },
                Region {
                    code: "009".into(),
                    shade: Shade::NoData,
                    outlined: false,
                },
            ],
            legend: vec![
                (Swatch::Shade(Shade::Class(3)), "100 % or more".into()),
                (Swatch::Shade(Shade::NoData), "no figure".into()),
                (Swatch::Outlined, "MoU county".into()),
            ],
            alt: "A map.".into(),
            size,
        }
    }

    #[test]
    fn a_full_map_draws_every_county_its_legend_and_credit_inside_its_height() {
        let fonts = Fonts::get().unwrap();
        let m = map(MapSize::Full);
        let h = height(fonts, &m, CONTENT_W);
        assert!(h > 280.0 && h < 420.0, "about half a page: {h}");
        let items = draw(fonts, &m, 50.0, 100.0, CONTENT_W);
        let shapes: Vec<&Shape> = items
            .iter()
            .filter_map(|i| match i {
                Item::Shape(s) => Some(s),
                _ => None,
            })
            .collect();
        // 47 counties, Turkana's edge again on top, three swatches.
        assert_eq!(shapes.len(), 47 + 1 + 3);
        assert_eq!(shapes.iter().filter(|s| s.hatch.is_some()).count(), 2);
        for s in &shapes {
            for &(px, py) in s.rings.iter().flatten() {
                assert!((49.99..=50.01 + CONTENT_W).contains(&px), "{px}");
                assert!((100.0..=100.0 + h).contains(&py), "{py}");
            }
        }
        let texts: Vec<&str> = items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        for want in [
            "Achievement by county",
            "100 % or more",
            "no figure",
            "MoU county",
            ATTRIBUTION,
        ] {
            assert!(texts.contains(&want), "{want} in {texts:?}");
        }
    }

    #[test]
    fn a_locator_is_a_short_band() {
        let fonts = Fonts::get().unwrap();
        let mut m = map(MapSize::Locator);
        m.legend.clear();
        let h = height(fonts, &m, CONTENT_W);
        assert!(h < 130.0, "{h}");
        let items = draw(fonts, &m, 50.0, 100.0, CONTENT_W);
        assert!(items
            .iter()
            .any(|i| matches!(i, Item::Text { text, .. } if text == ATTRIBUTION)));
    }

    #[test]
    fn a_locator_draws_shared_layers_and_only_its_own_counties() {
        let fonts = Fonts::get().unwrap();
        let m = map(MapSize::Locator);
        let items = draw(fonts, &m, 50.0, 100.0, CONTENT_W);
        let layers: Vec<&Layer> = items
            .iter()
            .filter_map(|i| match i {
                Item::Layer { layer, .. } => Some(layer),
                _ => None,
            })
            .collect();
        assert_eq!(
            layers,
            [
                &Layer::Counties(MapSize::Locator),
                &Layer::Edges(MapSize::Locator, vec!["023".into()])
            ]
        );
        // The two shaded counties only, between the layers.
        let shapes = items.iter().filter(|i| matches!(i, Item::Shape(_))).count();
        assert_eq!(shapes, 2);
        // Each layer is drawable content of the map's size.
        let all = Layer::Counties(MapSize::Locator);
        assert_eq!(all.shapes().len(), 47);
        let content = String::from_utf8(all.content()).unwrap();
        assert_eq!(
            content.matches(" m\n").count(),
            content.matches("h\n").count()
        );
        let (w, h) = all.size();
        assert!(w > 50.0 && (h - LOCATOR_H).abs() < 0.01, "{w} × {h}");
    }

    #[test]
    fn rings_are_thinned_to_the_page_s_precision() {
        let ring = thin_out(
            [
                (0.0, 0.0),
                (0.04, 0.0),
                (0.2, 0.0),
                (1.0, 0.0),
                (1.0, 1.23456),
            ]
            .into_iter(),
            0.3,
        );
        assert_eq!(ring, vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.2)]);
    }

    #[test]
    fn hatching_covers_the_shape_s_box() {
        let lines = hatch_lines(&[vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]], 3.0);
        assert!(lines.len() >= 7);
        assert_eq!(lines[0].0, (0.0, 0.0));
    }

    #[test]
    fn a_shape_restores_the_graphics_state_it_changes() {
        let mut ops = Vec::new();
        write_shape(
            &mut ops,
            &Shape {
                rings: vec![vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]],
                fill: Some(WHITE),
                strokes: outlined_strokes(),
                hatch: Some(HATCH),
            },
        );
        let saves = ops
            .iter()
            .filter(|o| matches!(o, Op::SaveGraphicsState))
            .count();
        let restores = ops
            .iter()
            .filter(|o| matches!(o, Op::RestoreGraphicsState))
            .count();
        assert_eq!((saves, restores), (2, 2));
        assert!(matches!(ops.last(), Some(Op::RestoreGraphicsState)));
    }
}
