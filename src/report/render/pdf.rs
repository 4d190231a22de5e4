//! Writing laid-out pages as PDF: printpdf turns the drawing into content streams and
//! subsets the embedded fonts; lopdf then finishes the file the way a report needs
//! it (nested outline, document properties, an ID derived from the content).
//!
//! printpdf names resources with a process-wide counter and stamps a random trailer
//! ID, so left alone the same report would differ byte for byte between runs. Fonts
//! are therefore registered under fixed names here, and the outline, info dictionary
//! and ID are replaced.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Color, DictItem, FontId, Line, LineDashPattern, LineJoinStyle, LinePoint, Mm, Op, PaintMode,
    PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt,
    Rect, TextItem, TextMatrix, WindingOrder, XObjectId, XObjectTransform,
};
use sha2::{Digest, Sha256};

use super::fonts::{Face, Fonts};
use super::layout::{Anchor, Item, Page, Pages, Rgb, PAGE_H};
use super::map::Layer;
use super::tags::{self, Mark, Tree};
use super::tighten::tighten;
use super::{Document, RenderError};

/// The fonts' resource names, which printpdf also uses as their subset tags (six
/// capitals, ISO 32000-1 9.6.4). A tag names one subset, so each file gets its own,
/// derived from its content: two reports' differently subset fonts never share a
/// name when pages are combined, and the same report still gives the same bytes.
struct FontTags {
    regular: String,
    bold: String,
}

impl FontTags {
    fn of(digest: &[u8]) -> FontTags {
        let tag =
            |bytes: &[u8]| -> String { bytes.iter().map(|b| char::from(b'A' + b % 26)).collect() };
        let regular = tag(&digest[16..22]);
        let mut bold = tag(&digest[22..28]);
        if bold == regular {
            bold.replace_range(0..1, if regular.starts_with('B') { "C" } else { "B" });
        }
        FontTags { regular, bold }
    }

    fn of_face(&self, face: Face) -> &str {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }
}

pub(crate) fn write(doc: &Document, laid: &Pages, fonts: &Fonts) -> Result<Vec<u8>, RenderError> {
    // The document's fingerprint: its file ID and its fonts' subset tags.
    let digest = Sha256::digest(format!("mipaka-report-v1 {doc:?}").as_bytes());
    let tags = FontTags::of(&digest);
    let mut pdf = PdfDocument::new(&doc.title);
    for (face, font) in [(Face::Regular, &fonts.regular), (Face::Bold, &fonts.bold)] {
        pdf.resources.fonts.map.insert(
            FontId(tags.of_face(face).into()),
            PdfFont::new(font.parsed.clone()),
        );
    }
    // Each structure element's marked runs, numbered per page as they are drawn.
    let mut marks: Vec<Vec<Mark>> = vec![Vec::new(); laid.tree.nodes.len()];
    let layers = layers_of(laid);
    let pages = laid
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            PdfPage::new(
                Mm(210.0),
                Mm(297.0),
                page_ops(p, i, &laid.tree, &tags, &layers, &mut marks),
            )
        })
        .collect();
    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = pdf
        .with_pages(pages)
        .to_lopdf_document(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        return Err(RenderError::Write(w.msg.clone()));
    }
    attach_layers(&mut lo, &layers)?;
    tighten_pages(&mut lo);
    // The structure tree's Tabs entry (set in finish) is a PDF 1.5 entry.
    lo.version = "1.5".into();
    finish(&mut lo, doc, laid, &marks, &digest)?;
    compress(&mut lo)?;
    let mut out = Vec::new();
    // The structure tree is thousands of small dictionaries (a table cell each): kept
    // in compressed object streams they cost a fifth of what they would as plain
    // objects.
    let options = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .max_objects_per_stream(OBJECTS_PER_STREAM)
        .use_xref_streams(true)
        .compression_level(DEFLATE_LEVEL)
        .build();
    lo.save_with_options(&mut out, options)
        .map_err(|e| RenderError::Write(e.to_string()))?;
    super::xref::compress_xref_stream(&out, DEFLATE_LEVEL)
        .map_err(|e| RenderError::Write(format!("the cross-reference stream: {e}")))
}

/// Objects per object stream. lopdf's default of 100 compresses each hundred
/// structure elements on their own, every stream relearning the same keys; 5,000
/// share what deflate learns: 12 KB (3 %) less on the 200,000-value ministry report,
/// and a reader still inflates well under a megabyte to find any of them.
const OBJECTS_PER_STREAM: usize = 5_000;

/// The deflate level of the streams. lopdf's own `compress` uses 9, which took about
/// half the time of writing a 100-page report; 5 (the pages' gzip level) makes the
/// file within 2 % of that size in under half the time.
const DEFLATE_LEVEL: u32 = 5;

/// Deflates every stream that may be (as lopdf's `compress` does, at [`DEFLATE_LEVEL`]):
/// kept only where it saves more than the filter entry costs.
fn compress(lo: &mut lopdf::Document) -> Result<(), RenderError> {
    use std::io::Write;
    for object in lo.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(
            Vec::with_capacity(stream.content.len() / 3),
            flate2::Compression::new(DEFLATE_LEVEL),
        );
        let compressed = encoder
            .write_all(&stream.content)
            .and_then(|_| encoder.finish())
            .map_err(|e| RenderError::Write(format!("compressing a stream: {e}")))?;
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
    Ok(())
}

fn colour(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.0) / 255.0,
        g: f32::from(c.1) / 255.0,
        b: f32::from(c.2) / 255.0,
        icc_profile: None,
    })
}

fn point(x: f32, y: f32) -> Point {
    Point {
        x: Pt(x),
        y: Pt(PAGE_H - y),
    }
}

/// Graphics state already set in the content stream, so each change is written
/// once instead of before every item.
#[derive(Default)]
struct Pen {
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    width: Option<f32>,
    dashed: Option<bool>,
    font: Option<(Face, f32)>,
    in_text: bool,
}

impl Pen {
    fn fill(&mut self, ops: &mut Vec<Op>, c: Rgb) {
        if self.fill != Some(c) {
            ops.push(Op::SetFillColor { col: colour(c) });
            self.fill = Some(c);
        }
    }

    fn end_text(&mut self, ops: &mut Vec<Op>) {
        if self.in_text {
            ops.push(Op::EndTextSection);
            self.in_text = false;
        }
    }
}

/// Each page's content written shorter (see [`tighten`]).
fn tighten_pages(lo: &mut lopdf::Document) {
    let contents: Vec<ObjectId> = lo
        .get_pages()
        .values()
        .filter_map(|&page| {
            lo.get_dictionary(page)
                .ok()?
                .get(b"Contents")
                .ok()?
                .as_reference()
                .ok()
        })
        .collect();
    for id in contents {
        if let Ok(Object::Stream(stream)) = lo.get_object_mut(id) {
            let short = tighten(&stream.content);
            stream.set_content(short);
        }
    }
}

/// Every shared drawing the pages place, in the order first placed.
fn layers_of(laid: &Pages) -> Vec<Layer> {
    let mut layers: Vec<Layer> = Vec::new();
    for item in laid.pages.iter().flat_map(|p| &p.items) {
        if let Item::Layer { layer, .. } = item {
            if !layers.contains(layer) {
                layers.push(layer.clone());
            }
        }
    }
    layers
}

fn layer_name(index: usize) -> String {
    format!("Layer{}", index + 1)
}

/// Writes each shared drawing once, as a form XObject, under the name the pages call
/// it by in the XObject resources every page shares.
fn attach_layers(lo: &mut lopdf::Document, layers: &[Layer]) -> Result<(), RenderError> {
    if layers.is_empty() {
        return Ok(());
    }
    let missing = || RenderError::Write("printpdf wrote no XObject resources".into());
    let first = *lo.get_pages().values().next().ok_or_else(missing)?;
    let shared = lo
        .get_dictionary(first)
        .and_then(|page| page.get(b"Resources"))
        .and_then(|r| lo.dereference(r))
        .and_then(|(_, r)| r.as_dict())
        .and_then(|r| r.get(b"XObject"))
        .and_then(Object::as_reference)
        .map_err(|_| missing())?;
    let mut forms = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        let (w, h) = layer.size();
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"XObject".to_vec()));
        dict.set("Subtype", Object::Name(b"Form".to_vec()));
        dict.set(
            "BBox",
            Object::Array(vec![0.into(), 0.into(), w.ceil().into(), h.ceil().into()]),
        );
        dict.set("Resources", Object::Dictionary(Dictionary::new()));
        let id = lo.add_object(lopdf::Stream::new(dict, layer.content()));
        forms.push((layer_name(i), id));
    }
    let xobjects = lo
        .get_object_mut(shared)
        .and_then(Object::as_dict_mut)
        .map_err(|_| missing())?;
    for (name, id) in forms {
        xobjects.set(name, Object::Reference(id));
    }
    Ok(())
}

fn page_ops(
    page: &Page,
    index: usize,
    tree: &Tree,
    tags: &FontTags,
    layers: &[Layer],
    marks: &mut [Vec<Mark>],
) -> Vec<Op> {
    let mut ops = vec![Op::SetLineJoinStyle {
        join: LineJoinStyle::Round,
    }];
    let mut pen = Pen::default();
    let mut runs = page.marks.iter().peekable();
    let mut open = false;
    let mut mcid = 0;
    for (i, item) in page.items.iter().enumerate() {
        if let Some((_, tag)) = runs.next_if(|(at, _)| *at == i) {
            // A marked run may not straddle a text object, so the text ends first.
            pen.end_text(&mut ops);
            if open {
                ops.push(Op::EndMarkedContent);
            }
            match tag {
                Some(node) => {
                    let mut properties = std::collections::BTreeMap::new();
                    properties.insert("MCID".to_string(), DictItem::Int(mcid));
                    ops.push(Op::BeginMarkedContentWithProperties {
                        tag: tree.nodes[*node].role.name().to_string(),
                        properties: DictItem::Dict { map: properties },
                    });
                    marks[*node].push(Mark { page: index, mcid });
                    mcid += 1;
                }
                None => ops.push(Op::BeginMarkedContent {
                    tag: "Artifact".into(),
                }),
            }
            open = true;
        }
        match item {
            Item::Text {
                x,
                baseline,
                size,
                face,
                colour: c,
                text,
            } => {
                if text.is_empty() {
                    continue;
                }
                if !pen.in_text {
                    ops.push(Op::StartTextSection);
                    pen.in_text = true;
                }
                if pen.font != Some((*face, *size)) {
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(FontId(tags.of_face(*face).into())),
                        size: Pt(*size),
                    });
                    pen.font = Some((*face, *size));
                }
                pen.fill(&mut ops, *c);
                let p = point(*x, *baseline);
                ops.push(Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(p.x, p.y),
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(text.clone())],
                });
            }
            Item::Fill {
                x,
                y,
                w,
                h,
                colour: c,
            } => {
                pen.end_text(&mut ops);
                pen.fill(&mut ops, *c);
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(PAGE_H - y - h),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(PaintMode::Fill),
                        winding_order: Some(WindingOrder::NonZero),
                    },
                });
            }
            Item::Stroke {
                points,
                width,
                colour: c,
                dashed,
            } => {
                pen.end_text(&mut ops);
                if pen.stroke != Some(*c) {
                    ops.push(Op::SetOutlineColor { col: colour(*c) });
                    pen.stroke = Some(*c);
                }
                if pen.width != Some(*width) {
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    pen.width = Some(*width);
                }
                if pen.dashed != Some(*dashed) {
                    let dash = if *dashed {
                        LineDashPattern::new(0.0, &[4.0, 3.0])
                    } else {
                        LineDashPattern::solid()
                    };
                    ops.push(Op::SetLineDashPattern { dash });
                    pen.dashed = Some(*dashed);
                }
                ops.push(Op::DrawLine {
                    line: Line {
                        points: points
                            .iter()
                            .map(|&(x, y)| LinePoint {
                                p: point(x, y),
                                bezier: false,
                            })
                            .collect(),
                        is_closed: false,
                    },
                });
            }
            Item::Dot { x, y, r, colour: c } => {
                pen.end_text(&mut ops);
                pen.fill(&mut ops, *c);
                ops.push(Op::DrawPolygon {
                    polygon: circle(*x, *y, *r),
                });
            }
            Item::Shape(shape) => {
                pen.end_text(&mut ops);
                super::map::write_shape(&mut ops, shape);
            }
            Item::Layer { layer, x, y } => {
                pen.end_text(&mut ops);
                let index = layers.iter().position(|l| l == layer).unwrap_or(0);
                let (_, h) = layer.size();
                ops.push(Op::UseXobject {
                    id: XObjectId(layer_name(index)),
                    transform: XObjectTransform {
                        translate_x: Some(Pt(*x)),
                        translate_y: Some(Pt(PAGE_H - y - h)),
                        ..Default::default()
                    },
                });
            }
        }
    }
    pen.end_text(&mut ops);
    if open {
        ops.push(Op::EndMarkedContent);
    }
    ops
}

/// A circle as four Bézier quarter arcs.
fn circle(cx: f32, cy: f32, r: f32) -> Polygon {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    let p = |x: f32, y: f32, bezier: bool| LinePoint {
        p: point(cx + x, cy + y),
        bezier,
    };
    Polygon {
        rings: vec![PolygonRing {
            points: vec![
                p(r, 0.0, false),
                p(r, k, true),
                p(k, r, true),
                p(0.0, r, false),
                p(-k, r, true),
                p(-r, k, true),
                p(-r, 0.0, false),
                p(-r, -k, true),
                p(-k, -r, true),
                p(0.0, -r, false),
                p(k, -r, true),
                p(r, -k, true),
                p(r, 0.0, false),
            ],
        }],
        mode: PaintMode::Fill,
        winding_order: WindingOrder::NonZero,
    }
}

/// A PDF text string: plain bytes when ASCII, else UTF-16BE with its byte-order mark
/// (what viewers need to show "Moyalé" in the properties and outline).
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn finish(
    lo: &mut lopdf::Document,
    doc: &Document,
    laid: &Pages,
    marks: &[Vec<Mark>],
    digest: &[u8],
) -> Result<(), RenderError> {
    let missing = |what: &str| RenderError::Write(format!("printpdf wrote no {what}"));
    let date = doc.creation_date.format("D:%Y%m%d000000Z").to_string();
    let mut info = Dictionary::new();
    info.set("Title", text_string(&doc.title));
    info.set("Author", text_string(&doc.author));
    info.set("Subject", text_string(&doc.subject));
    if !doc.keywords.is_empty() {
        info.set("Keywords", text_string(&doc.keywords.join(", ")));
    }
    info.set("Creator", text_string("Mipaka"));
    info.set(
        "Producer",
        text_string("Mipaka report renderer (printpdf 0.12)"),
    );
    info.set("CreationDate", Object::string_literal(date.clone()));
    info.set("ModDate", Object::string_literal(date));
    let info_id = lo.add_object(info);
    lo.trailer.set("Info", Object::Reference(info_id));

    // The previous info dictionary is left unreferenced; drop it rather than ship it.
    lo.prune_objects();

    let pages = lo.get_pages();
    let outline = outline(lo, &laid.anchors, &pages);
    let page_ids: Vec<ObjectId> = pages.values().copied().collect();
    let annotations = links(lo, laid, &page_ids);
    let structure = tags::write(
        lo,
        &laid.tree,
        marks,
        &annotations,
        &page_ids,
        PAGE_H,
        text_string,
    );
    let catalog = lo.catalog_mut().map_err(|_| missing("catalog"))?;
    catalog.set("Lang", text_string("en-GB"));
    let mut mark_info = Dictionary::new();
    mark_info.set("Marked", Object::Boolean(true));
    catalog.set("MarkInfo", Object::Dictionary(mark_info));
    catalog.set("StructTreeRoot", Object::Reference(structure));
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", Object::Boolean(true));
    catalog.set("ViewerPreferences", Object::Dictionary(prefs));
    catalog.remove(b"Outlines");
    catalog.set("PageMode", Object::Name(b"UseNone".to_vec()));
    if let Some(root) = outline {
        catalog.set("Outlines", Object::Reference(root));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }

    // Same content, same ID; both halves equal, as for a file never edited since.
    let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
    lo.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    Ok(())
}

/// Where the outline and the contents take the reader: the heading's page, scrolled
/// to just above the heading, at the reader's zoom.
fn destination(page: ObjectId, anchor: &Anchor) -> Object {
    Object::Array(vec![
        Object::Reference(page),
        Object::Name(b"XYZ".to_vec()),
        Object::Null,
        Object::Real(PAGE_H - anchor.y + 6.0),
        Object::Null,
    ])
}

/// The pages' links (contents entries) as link annotations to their headings, each
/// keyed in the parent tree after the pages so the structure tree can own it.
fn links(lo: &mut lopdf::Document, laid: &Pages, page_ids: &[ObjectId]) -> Vec<tags::Annotation> {
    let mut out = Vec::new();
    for (p, page) in laid.pages.iter().enumerate() {
        let mut annots = Vec::new();
        for link in &page.links {
            let Some(anchor) = laid.anchors.iter().find(|a| a.block == link.block) else {
                continue;
            };
            let (Some(&from), Some(&to)) = (page_ids.get(p), page_ids.get(anchor.page)) else {
                continue;
            };
            let key = (page_ids.len() + out.len()) as i64;
            let mut d = Dictionary::new();
            d.set("Type", Object::Name(b"Annot".to_vec()));
            d.set("Subtype", Object::Name(b"Link".to_vec()));
            d.set("Rect", tags::rect(link.rect, PAGE_H));
            d.set("Border", Object::Array(vec![0.into(), 0.into(), 0.into()]));
            d.set("Contents", text_string(&link.text));
            d.set("P", Object::Reference(from));
            d.set("StructParent", Object::Integer(key));
            d.set("Dest", destination(to, anchor));
            let id = lo.add_object(d);
            annots.push(Object::Reference(id));
            out.push(tags::Annotation {
                node: link.node,
                id,
                page: p,
                key,
            });
        }
        if annots.is_empty() {
            continue;
        }
        if let Some(Ok(Object::Dictionary(d))) = page_ids.get(p).map(|&id| lo.get_object_mut(id)) {
            d.set("Annots", Object::Array(annots));
        }
    }
    out
}

/// The headings as a nested outline: level-1 entries open, deeper ones folded.
/// Returns the outline root, or None when the document has no heading.
fn outline(
    lo: &mut lopdf::Document,
    anchors: &[Anchor],
    pages: &std::collections::BTreeMap<u32, ObjectId>,
) -> Option<ObjectId> {
    if anchors.is_empty() {
        return None;
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); anchors.len()];
    let mut roots = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, a) in anchors.iter().enumerate() {
        while stack.last().is_some_and(|&p| anchors[p].level >= a.level) {
            stack.pop();
        }
        match stack.last() {
            Some(&p) => children[p].push(i),
            None => roots.push(i),
        }
        stack.push(i);
    }

    // Entries that show when their parent is open: the whole subtree if open.
    fn shown(i: usize, children: &[Vec<usize>], open: &dyn Fn(usize) -> bool) -> i64 {
        if !open(i) {
            return 0;
        }
        children[i]
            .iter()
            .map(|&c| 1 + shown(c, children, open))
            .sum()
    }
    let root_set: Vec<bool> = (0..anchors.len()).map(|i| roots.contains(&i)).collect();
    let open = |i: usize| root_set[i];
    let if_opened = |i: usize| -> i64 {
        children[i]
            .iter()
            .map(|&c| 1 + shown(c, &children, &open))
            .sum()
    };

    let root_id = lo.new_object_id();
    let ids: Vec<ObjectId> = anchors.iter().map(|_| lo.new_object_id()).collect();
    let mut lists: Vec<(ObjectId, &[usize])> = vec![(root_id, &roots)];
    for (i, kids) in children.iter().enumerate() {
        if !kids.is_empty() {
            lists.push((ids[i], kids));
        }
    }
    for (parent, list) in lists {
        for (k, &i) in list.iter().enumerate() {
            let a = &anchors[i];
            let mut d = Dictionary::new();
            d.set("Title", text_string(&a.title));
            d.set("Parent", Object::Reference(parent));
            if let Some(&page) = pages.get(&(a.page as u32 + 1)) {
                d.set("Dest", destination(page, a));
            }
            if k > 0 {
                d.set("Prev", Object::Reference(ids[list[k - 1]]));
            }
            if let Some(&next) = list.get(k + 1) {
                d.set("Next", Object::Reference(ids[next]));
            }
            if let (Some(&first), Some(&last)) = (children[i].first(), children[i].last()) {
                d.set("First", Object::Reference(ids[first]));
                d.set("Last", Object::Reference(ids[last]));
                let n = if_opened(i);
                d.set("Count", Object::Integer(if open(i) { n } else { -n }));
            }
            lo.objects.insert(ids[i], Object::Dictionary(d));
        }
    }
    let mut root = Dictionary::new();
    root.set("Type", Object::Name(b"Outlines".to_vec()));
    root.set("First", Object::Reference(ids[roots[0]]));
    root.set("Last", Object::Reference(ids[*roots.last()?]));
    root.set(
        "Count",
        Object::Integer(roots.iter().map(|&r| 1 + shown(r, &children, &open)).sum()),
    );
    lo.objects.insert(root_id, Object::Dictionary(root));
    Some(root_id)
}
