//! Pagination, robustness and determinism of the whole renderer, and — when poppler
//! and qpdf are installed — what PDF readers make of the file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::NaiveDate;

use super::fonts::Fonts;
use super::layout::{
    column_widths, layout, Item, Pages, BODY_BOTTOM, BODY_TOP, CONTENT_W, MARGIN_X, PAGE_H, PAGE_W,
};
use super::sample::{self, LONG_TITLE, LONG_WORD};
use super::*;

fn fonts() -> &'static Fonts {
    Fonts::get().unwrap()
}

fn doc(blocks: Vec<Block>) -> Document {
    Document {
        title: "Test report".into(),
        author: "Mipaka tests".into(),
        subject: "Layout".into(),
        keywords: Vec::new(),
        header: "Deris Wanaag · 2026Q3".into(),
        notice: None,
        footer_left: "Version 1 · data 00000000".into(),
        creation_date: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
        blocks,
    }
}

fn table(rows: usize, cell: impl Fn(usize) -> String) -> Table {
    Table {
        columns: vec![
            Column::new("Code", Width::Points(50.0), Align::Left),
            Column::new("Indicator title", Width::Share(1.0), Align::Left),
            Column::new("Achieved", Width::Points(60.0), Align::Right),
        ],
        rows: (0..rows)
            .map(|i| {
                vec![
                    Cell::new(format!("R{i:03}")),
                    Cell::new(cell(i)),
                    Cell::toned(format!("{i}"), Tone::Green),
                ]
            })
            .collect(),
    }
}

fn text_of(item: &Item) -> &str {
    match item {
        Item::Text { text, .. } => text,
        _ => "",
    }
}

/// Text items on a page, as (text, top, bottom, left, right) boxes.
fn text_boxes(pages: &Pages, page: usize) -> Vec<(String, f32, f32, f32, f32)> {
    pages.pages[page]
        .items
        .iter()
        .filter_map(|it| match it {
            Item::Text {
                x,
                baseline,
                size,
                face,
                text,
                ..
            } => {
                // A wrapped line's trailing space is for text extraction; it shows nothing.
                let w = fonts().width(*face, *size, text.trim_end());
                Some((
                    text.trim_end().to_string(),
                    baseline - 0.76 * size,
                    baseline + 0.24 * size,
                    *x,
                    x + w,
                ))
            }
            _ => None,
        })
        .collect()
}

/// Nothing past the margins, nothing in the header or footer band except the
/// running header and footer, and no two lines of text overlapping.
fn assert_tidy(pages: &Pages) {
    for (p, page) in pages.pages.iter().enumerate() {
        let boxes = text_boxes(pages, p);
        for (text, top, bottom, left, right) in &boxes {
            assert!(
                *left >= MARGIN_X - 0.01 && *right <= PAGE_W - MARGIN_X + 0.01,
                "page {p}: {text:?} runs past the margin ({left}..{right})"
            );
            let running = *bottom < BODY_TOP || *top > BODY_BOTTOM;
            if running {
                assert!(!page.cover, "page {p}: header text on the cover: {text:?}");
                assert!(*top > 30.0 && *bottom < PAGE_H - 30.0, "page {p}: {text:?}");
            }
        }
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = a.2 <= b.1 + 0.01
                    || b.2 <= a.1 + 0.01
                    || a.4 <= b.3 + 0.01
                    || b.4 <= a.3 + 0.01;
                assert!(apart, "page {p}: {:?} overlaps {:?}", a.0, b.0);
            }
        }
        for item in &page.items {
            if let Item::Fill { y, h, .. } = item {
                if !page.cover {
                    assert!(
                        *y >= 30.0 && y + h <= BODY_BOTTOM + 0.01,
                        "page {p}: {item:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_table_split_over_pages_repeats_its_header_on_each() {
    let blocks = vec![Block::Table(table(150, |i| {
        format!("Border post staff trained, cohort {i}")
    }))];
    let pages = layout(&doc(blocks), fonts());
    assert!(pages.pages.len() >= 3, "{} pages", pages.pages.len());
    let mut seen = Vec::new();
    for (p, page) in pages.pages.iter().enumerate() {
        let texts: Vec<&str> = page.items.iter().map(text_of).collect();
        let header = texts.iter().position(|t| *t == "Indicator title");
        let first_row = texts.iter().position(|t| t.starts_with('R'));
        assert!(header.is_some(), "page {p} has no table header");
        assert!(header < first_row, "page {p}: header comes first");
        seen.extend(
            texts
                .iter()
                .filter(|t| t.starts_with('R'))
                .map(|t| t.to_string()),
        );
    }
    let expected: Vec<String> = (0..150).map(|i| format!("R{i:03}")).collect();
    assert_eq!(seen, expected, "every row once, in order");
    assert_tidy(&pages);
}

#[test]
fn long_titles_and_words_wrap_inside_their_cells_and_rows_grow() {
    let blocks = vec![Block::Table(table(3, |i| match i {
        0 => LONG_TITLE.into(),
        1 => LONG_WORD.into(),
        _ => "short".into(),
    }))];
    let pages = layout(&doc(blocks), fonts());
    assert_eq!(pages.pages.len(), 1);
    let boxes = text_boxes(&pages, 0);
    let title_lines = boxes
        .iter()
        .filter(|b| b.0.len() > 3 && LONG_TITLE.contains(&b.0))
        .count();
    assert!(title_lines >= 4, "the 300-character title wraps: {boxes:?}");
    let widths = column_widths(&table(0, |_| String::new()).columns, CONTENT_W);
    let title_right = MARGIN_X + widths[0] + widths[1];
    for (text, _, _, left, right) in &boxes {
        if left >= &(MARGIN_X + widths[0]) && left < &title_right {
            assert!(*right <= title_right, "{text:?} leaves its column");
        }
    }
    assert_tidy(&pages);
}

#[test]
fn a_row_taller_than_a_page_continues_on_the_next_under_the_header() {
    let huge = "Reported by the county commissioner. ".repeat(400);
    let pages = layout(
        &doc(vec![Block::Table(table(2, |_| huge.clone()))]),
        fonts(),
    );
    assert!(pages.pages.len() >= 4, "{} pages", pages.pages.len());
    for page in &pages.pages {
        assert!(page.items.iter().any(|it| text_of(it) == "Indicator title"));
    }
    assert_tidy(&pages);
}

#[test]
fn an_empty_table_says_so_under_its_header() {
    let t = Table {
        columns: table(0, |_| String::new()).columns,
        rows: Vec::new(),
    };
    let pages = layout(
        &doc(vec![Block::Table(t), Block::Table(Table::default())]),
        fonts(),
    );
    let texts: Vec<&str> = pages.pages[0].items.iter().map(text_of).collect();
    assert!(texts.contains(&"Indicator title"));
    assert!(texts.contains(&"No entries."));
}

#[test]
fn a_cover_alone_is_one_page_without_header_or_footer() {
    let d = doc(vec![Block::Cover(Cover {
        title: "Deris Wanaag annual report".into(),
        subtitle: "2026".into(),
        lines: vec![("Period".into(), "2026".into())],
        banner: Some("Demonstration data".into()),
    })]);
    let pages = layout(&d, fonts());
    assert_eq!(pages.pages.len(), 1);
    assert!(pages.pages[0].cover);
    assert!(!pages
        .texts()
        .any(|(_, it)| text_of(it).starts_with("Page ")));
    assert_tidy(&pages);
    render(&d).unwrap();
}

#[test]
fn nothing_at_all_still_gives_one_numbered_page() {
    let pages = layout(&doc(Vec::new()), fonts());
    assert_eq!(pages.pages.len(), 1);
    assert!(pages.texts().any(|(_, it)| text_of(it) == "Page 1 of 1"));
    render(&doc(Vec::new())).unwrap();
}

#[test]
fn every_page_after_the_cover_is_numbered_out_of_the_total() {
    let pages = layout(&sample::document(), fonts());
    let n = pages.pages.len();
    assert!(pages.pages[0].cover);
    for (i, page) in pages.pages.iter().enumerate().skip(1) {
        let label = format!("Page {} of {n}", i + 1);
        assert!(page.items.iter().any(|it| text_of(it) == label), "{label}");
        assert!(page
            .items
            .iter()
            .any(|it| text_of(it) == "Version 2 · data a1b2c3d4"));
        assert!(page
            .items
            .iter()
            .any(|it| text_of(it) == "Demonstration data"));
    }
    assert_tidy(&pages);
}

#[test]
fn the_sample_report_has_about_thirty_pages_and_stays_tidy() {
    let pages = layout(&sample::document(), fonts());
    assert!(
        (24..=40).contains(&pages.pages.len()),
        "{} pages",
        pages.pages.len()
    );
    assert_tidy(&pages);
}

#[test]
fn a_heading_is_never_left_alone_at_the_foot_of_a_page() {
    let filler = "Joint patrols continued along the Mandera triangle. ".repeat(12);
    let mut blocks = Vec::new();
    for i in 0..40 {
        blocks.push(Block::Heading {
            level: 2,
            text: format!("Section {i}"),
        });
        blocks.push(Block::Paragraph(filler.clone()));
    }
    let pages = layout(&doc(blocks), fonts());
    for (p, page) in pages.pages.iter().enumerate() {
        let body: Vec<&Item> = page
            .items
            .iter()
            .filter(|it| matches!(it, Item::Text { baseline, .. } if *baseline > BODY_TOP && *baseline < BODY_BOTTOM))
            .collect();
        let last = body.last().map(|it| text_of(it)).unwrap_or_default();
        assert!(
            !last.starts_with("Section "),
            "page {p} ends with heading {last:?}"
        );
    }
}

#[test]
fn headings_become_nested_anchors_on_the_pages_they_land_on() {
    let pages = layout(&sample::document(), fonts());
    let levels: Vec<u8> = pages.anchors.iter().map(|a| a.level).collect();
    assert_eq!(levels[0], 1);
    assert!(levels.contains(&2) && levels.contains(&3));
    for a in &pages.anchors {
        let on_page = pages.pages[a.page]
            .items
            .iter()
            .any(|it| a.title.starts_with(text_of(it)) && !text_of(it).is_empty());
        assert!(on_page, "{} not on page {}", a.title, a.page);
    }
}

#[test]
fn fixed_columns_shrink_when_they_do_not_fit() {
    let cols = |w: Vec<Width>| -> Vec<Column> {
        w.into_iter()
            .map(|w| Column::new("x", w, Align::Left))
            .collect()
    };
    let w = column_widths(
        &cols(vec![
            Width::Points(100.0),
            Width::Share(1.0),
            Width::Share(3.0),
        ]),
        500.0,
    );
    assert_eq!(w, vec![100.0, 100.0, 300.0]);
    let w = column_widths(
        &cols(vec![
            Width::Points(400.0),
            Width::Points(400.0),
            Width::Share(1.0),
        ]),
        500.0,
    );
    assert!(
        (w.iter().sum::<f32>() - 500.0).abs() < 0.01 && w[2] >= 36.0,
        "{w:?}"
    );
    let w = column_widths(
        &cols(vec![Width::Points(f32::NAN), Width::Share(-1.0)]),
        500.0,
    );
    assert_eq!(w, vec![20.0, 480.0], "no column narrower than a letter");
    let w = column_widths(&cols(vec![Width::Points(1.0), Width::Points(300.0)]), 500.0);
    assert_eq!(w, vec![20.0, 281.0]);
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let d = sample::document();
    let a = render(&d).unwrap();
    let b = render(&d).unwrap();
    assert!(a == b, "two renders differ");
    let mut changed = d.clone();
    changed.footer_left = "Version 3 · data 99999999".into();
    assert_ne!(render(&changed).unwrap(), a);
}

#[test]
fn the_file_carries_its_date_and_no_other() {
    let bytes = render(&sample::document()).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // Every string in every object, object streams unpacked, that reads as a date.
    fn dates(o: &lopdf::Object, out: &mut Vec<String>) {
        match o {
            lopdf::Object::String(b, _) if b.starts_with(b"D:") => {
                out.push(String::from_utf8_lossy(&b[..10.min(b.len())]).into_owned())
            }
            lopdf::Object::Array(a) => a.iter().for_each(|x| dates(x, out)),
            lopdf::Object::Dictionary(d) => d.iter().for_each(|(_, x)| dates(x, out)),
            lopdf::Object::Stream(s) => s.dict.iter().for_each(|(_, x)| dates(x, out)),
            _ => {}
        }
    }
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let mut found = Vec::new();
    doc.objects.values().for_each(|o| dates(o, &mut found));
    assert_eq!(found, vec!["D:20261009", "D:20261009"]);
}

#[test]
fn a_thirty_page_report_stays_small() {
    let bytes = render(&sample::document()).unwrap();
    assert!(bytes.len() < 300 * 1024, "{} bytes", bytes.len());
}

/// Writes the sample report to target/report-sample.pdf for a person to look at, and
/// prints how long rendering takes (a measurement, not an assertion: run it with
/// `cargo test --release --lib report::render::tests::sample_report -- --nocapture`).
#[test]
fn sample_report_written_for_review() {
    let d = sample::document();
    let bytes = render(&d).unwrap();
    let runs = 5;
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(render(&d).unwrap());
    }
    let per = start.elapsed() / runs;
    let pages = layout(&d, fonts()).pages.len();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report-sample.pdf");
    std::fs::write(&path, &bytes).unwrap();
    eprintln!(
        "sample report: {pages} pages, {} KB, rendered in {per:?} (mean of {runs}); written to {}",
        bytes.len() / 1024,
        path.display()
    );
}

fn tool(name: &str) -> Option<PathBuf> {
    let out = Command::new("which").arg(name).output().ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn run(cmd: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// What real PDF readers make of the file. CI installs qpdf and poppler-utils; on a
/// machine without them each check says plainly that it was skipped.
#[test]
fn pdf_readers_accept_the_file_and_find_the_text() {
    let d = sample::document();
    let bytes = render(&d).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let file = path.to_str().unwrap();
    let pages = layout(&d, fonts()).pages.len();

    match tool("qpdf") {
        Some(qpdf) => {
            let (ok, out) = run(&qpdf, &["--check", file]);
            assert!(ok, "qpdf --check failed:\n{out}");
            assert!(
                out.contains("No syntax or stream encoding errors found")
                    && !out.to_lowercase().contains("warning"),
                "qpdf --check reported problems:\n{out}"
            );
        }
        None => eprintln!("SKIPPED: qpdf is not installed, so `qpdf --check` did not run"),
    }

    match tool("pdffonts") {
        Some(pdffonts) => {
            let (ok, out) = run(&pdffonts, &[file]);
            assert!(ok, "{out}");
            let fonts: Vec<&str> = out.lines().skip(2).collect();
            assert_eq!(fonts.len(), 2, "regular and bold:\n{out}");
            for line in fonts {
                let cols: Vec<&str> = line.split_whitespace().collect();
                // name type encoding emb sub uni object ID
                let emb = cols[cols.len() - 5];
                assert_eq!(emb, "yes", "not embedded: {line}");
                assert!(line.contains("DejaVuSans"), "{line}");
            }
        }
        None => eprintln!("SKIPPED: pdffonts is not installed, so font embedding was not checked"),
    }

    match tool("pdfinfo") {
        Some(pdfinfo) => {
            let (ok, out) = run(&pdfinfo, &[file]);
            assert!(ok, "{out}");
            assert!(
                out.contains("Land Border Programme — progress report 2026Q3 (v2)"),
                "{out}"
            );
            assert!(
                out.contains("Ministry of Interior and National Administration"),
                "{out}"
            );
            assert!(out.contains(&format!("Pages:           {pages}")), "{out}");
            assert!(
                out.lines()
                    .any(|l| l.starts_with("Tagged:") && l.ends_with(" yes")),
                "{out}"
            );
            assert!(out.contains("A4"), "{out}");
        }
        None => eprintln!("SKIPPED: pdfinfo is not installed, so the properties were not checked"),
    }

    match tool("pdftotext") {
        Some(pdftotext) => {
            let (ok, out) = run(&pdftotext, &["-layout", file, "-"]);
            assert!(ok, "{out}");
            for needle in [
                "£1,250,000 (KSh 209,375,000)",
                "Moyalé",
                "Dádaab",
                "Ñancy Wanjiru",
                "✓ Green",
                "▲ Amber",
                "✗ Red",
                "○ No data",
                &format!("Page 2 of {pages}"),
                &format!("Page {pages} of {pages}"),
                "Version 2 · data a1b2c3d4",
            ] {
                assert!(out.contains(needle), "{needle:?} missing from the text");
            }
            // The county table runs over several pages; each one starts with its header.
            let is_row = |l: &str| l.trim_start().starts_with("LBP-") && l.contains('%');
            let table_pages: Vec<&str> = out
                .split('\u{c}')
                .filter(|p| p.lines().any(is_row))
                .collect();
            assert!(table_pages.len() >= 3, "{} table pages", table_pages.len());
            for page in &table_pages {
                let header = page.lines().position(|l| {
                    l.contains("Code") && l.contains("Indicator") && l.contains("County")
                });
                let row = page.lines().position(is_row);
                assert!(
                    header.is_some() && header < row,
                    "no header above the rows:\n{page}"
                );
            }
        }
        None => eprintln!("SKIPPED: pdftotext is not installed, so the text was not checked"),
    }
}

/// Titles of an outline level and, nested, of the levels under it.
fn outline_titles(
    pdf: &lopdf::Document,
    first: Option<lopdf::ObjectId>,
    depth: u8,
    out: &mut Vec<(u8, String)>,
) {
    let mut next = first;
    while let Some(id) = next {
        let item = pdf.get_dictionary(id).unwrap();
        let title = match item.get(b"Title").unwrap() {
            lopdf::Object::String(bytes, _) if bytes.starts_with(&[0xFE, 0xFF]) => {
                let units: Vec<u16> = bytes[2..]
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16(&units).unwrap()
            }
            lopdf::Object::String(bytes, _) => String::from_utf8(bytes.clone()).unwrap(),
            other => panic!("title {other:?}"),
        };
        out.push((depth, title));
        let child = item.get(b"First").ok().map(|o| o.as_reference().unwrap());
        outline_titles(pdf, child, depth + 1, out);
        next = item.get(b"Next").ok().map(|o| o.as_reference().unwrap());
    }
}

#[test]
fn the_outline_nests_every_heading_under_the_one_above_it() {
    let d = doc(vec![
        Block::Heading {
            level: 1,
            text: "1. Summary of Moyalé".into(),
        },
        Block::Heading {
            level: 2,
            text: "1.1 Status".into(),
        },
        Block::Heading {
            level: 3,
            text: "LBP-1.1".into(),
        },
        Block::Heading {
            level: 2,
            text: "1.2 Risks".into(),
        },
        Block::Heading {
            level: 1,
            text: format!("2. Results\n{LONG_WORD}"),
        },
        // A level skipped still nests under the nearest heading above.
        Block::Heading {
            level: 3,
            text: "LBP-2.1".into(),
        },
    ]);
    let bytes = render(&d).unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    let catalog = pdf.catalog().unwrap();
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseOutlines"
    );
    let root_id = catalog.get(b"Outlines").unwrap().as_reference().unwrap();
    let root = pdf.get_dictionary(root_id).unwrap();
    let first = root.get(b"First").unwrap().as_reference().unwrap();
    let mut titles = Vec::new();
    outline_titles(&pdf, Some(first), 1, &mut titles);
    let expected: Vec<(u8, String)> = [
        (1, "1. Summary of Moyalé"),
        (2, "1.1 Status"),
        (3, "LBP-1.1"),
        (2, "1.2 Risks"),
        (1, &format!("2. Results {LONG_WORD}")),
        (2, "LBP-2.1"),
    ]
    .into_iter()
    .map(|(l, t)| (l, t.to_string()))
    .collect();
    assert_eq!(titles, expected);
    // Top level open, showing its children; deeper levels folded.
    assert_eq!(root.get(b"Count").unwrap().as_i64().unwrap(), 5);
    let info_id = pdf.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = pdf.get_dictionary(info_id).unwrap();
    assert_eq!(
        info.get(b"Author").unwrap().as_str().unwrap(),
        b"Mipaka tests"
    );
}

/// Awkward input, written to target/report-edge-cases.pdf for review: a 300-character
/// cover title, a row taller than a page, a word longer than its column, charts with
/// one value, negative values and none at all.
fn edge_cases() -> Document {
    let huge = "Reported by the county commissioner's office in Moyalé. ".repeat(120);
    let mut d = doc(vec![
        Block::Cover(Cover {
            title: LONG_TITLE.into(),
            subtitle: LONG_WORD.into(),
            lines: vec![(LONG_WORD.into(), LONG_TITLE.into())],
            banner: Some(LONG_TITLE.into()),
        }),
        Block::Heading {
            level: 1,
            text: LONG_TITLE.into(),
        },
        Block::Table(Table {
            columns: vec![
                Column::new("Narrow", Width::Points(34.0), Align::Right),
                Column::new("Indicator", Width::Share(1.0), Align::Left),
                Column::new("Status", Width::Points(70.0), Align::Center),
            ],
            rows: vec![
                vec![
                    Cell::new(LONG_WORD),
                    Cell::new(huge),
                    Cell::toned("▲ Amber", Tone::Amber),
                ],
                vec![Cell::new("1"), Cell::new(LONG_TITLE)],
            ],
        }),
        Block::Chart(Chart {
            title: "One value only".into(),
            chart: crate::chart::TrendChart {
                labels: vec!["2026Q3".into()],
                actual: vec![Some(42.0)],
                target: vec![Some(50.0)],
            },
            unit: Some("%".into()),
        }),
        Block::Chart(Chart {
            title: "Negative values and a long run of periods".into(),
            chart: crate::chart::TrendChart {
                labels: (0..36).map(|i| format!("2024{:02}", i % 12 + 1)).collect(),
                actual: (0..36)
                    .map(|i| (i % 7 != 3).then(|| (f64::from(i) - 15.0) * 1000.5))
                    .collect(),
                target: (0..36)
                    .map(|i| Some(f64::from(i) * 800.0 - 4000.0))
                    .collect(),
            },
            unit: Some("KSh (thousands)".into()),
        }),
        Block::Chart(Chart {
            title: "Nothing reported yet".into(),
            chart: crate::chart::TrendChart {
                labels: vec!["2026Q3".into(), "2026Q4".into()],
                actual: vec![None, None],
                target: vec![None, None],
            },
            unit: None,
        }),
    ]);
    d.header = LONG_TITLE.into();
    d.footer_left = LONG_TITLE.into();
    d.notice = Some("Demonstration data".into());
    d
}

#[test]
fn awkward_input_renders_tidily() {
    let d = edge_cases();
    assert_tidy(&layout(&d, fonts()));
    let bytes = render(&d).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("report-edge-cases.pdf"), &bytes).unwrap();
}

#[test]
fn absurd_values_neither_hang_nor_leave_the_page() {
    let essay = "Column title that goes on. ".repeat(150);
    let chart = |values: Vec<Option<f64>>| {
        Block::Chart(Chart {
            title: "Extreme".into(),
            chart: crate::chart::TrendChart {
                labels: vec!["a".into(); values.len()],
                actual: values,
                target: Vec::new(),
            },
            unit: Some("x".repeat(500)),
        })
    };
    let d = doc(vec![
        Block::Spacer(f32::NAN),
        Block::Spacer(f32::INFINITY),
        Block::Heading {
            level: 0,
            text: "Level zero".into(),
        },
        Block::Table(Table {
            columns: vec![
                Column::new(essay.clone(), Width::Share(1.0), Align::Left),
                Column::new("Tiny", Width::Points(0.5), Align::Center),
            ],
            rows: vec![vec![Cell::new(essay.repeat(3)), Cell::new("WWW")]],
        }),
        chart(vec![Some(f64::MAX), Some(-f64::MAX)]),
        chart(vec![Some(1e200), Some(f64::INFINITY), None]),
        chart(vec![Some(1e-300), Some(2e-300)]),
        chart(Vec::new()),
    ]);
    let pages = layout(&d, fonts());
    assert_tidy(&pages);
    for page in &pages.pages {
        for item in &page.items {
            let finite = match item {
                Item::Text { x, baseline, .. } => x.is_finite() && baseline.is_finite(),
                Item::Fill { x, y, w, h, .. } => [x, y, w, h].iter().all(|v| v.is_finite()),
                Item::Stroke { points, .. } => {
                    points.iter().all(|(x, y)| x.is_finite() && y.is_finite())
                }
                Item::Dot { x, y, r, .. } => [x, y, r].iter().all(|v| v.is_finite()),
                Item::Shape(s) => s
                    .rings
                    .iter()
                    .flatten()
                    .all(|(x, y)| x.is_finite() && y.is_finite()),
                Item::Layer { x, y, .. } => x.is_finite() && y.is_finite(),
            };
            assert!(finite, "{item:?}");
        }
    }
    assert_eq!(pages.anchors[0].level, 1);
    render(&d).unwrap();
}

/// Each structure element's text, joined from the marked runs drawn for it.
fn element_texts(pages: &Pages) -> Vec<String> {
    let mut texts = vec![String::new(); pages.tree.nodes.len()];
    for page in &pages.pages {
        for (k, (start, tag)) in page.marks.iter().enumerate() {
            let end = page.marks.get(k + 1).map_or(page.items.len(), |m| m.0);
            let Some(node) = tag else { continue };
            for item in &page.items[*start..end] {
                let t = text_of(item);
                if !t.is_empty() {
                    if !texts[*node].is_empty() {
                        texts[*node].push(' ');
                    }
                    texts[*node].push_str(t);
                }
            }
        }
    }
    texts
}

#[test]
fn the_structure_tree_tags_every_heading_table_and_figure_in_reading_order() {
    use super::tags::{Role, Scope};
    let d = sample::document();
    let laid = layout(&d, fonts());
    let tree = &laid.tree;
    let texts = element_texts(&laid);
    let walk = tree.walk();
    assert_eq!(walk[0].1.role, Role::Document);

    // Headings: every one, in the document's order, with its text.
    let headings: Vec<String> = walk
        .iter()
        .filter(|(_, n)| matches!(n.role, Role::H1 | Role::H2 | Role::H3))
        .map(|(_, n)| {
            let i = tree.nodes.iter().position(|m| std::ptr::eq(m, *n)).unwrap();
            texts[i].clone()
        })
        .collect();
    let mut expected: Vec<String> = d
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Cover(c) => Some(c.title.clone()),
            Block::Heading { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    expected
        .iter_mut()
        .for_each(|t| *t = t.split_whitespace().collect::<Vec<_>>().join(" "));
    let joined: Vec<String> = headings
        .iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(joined.len(), expected.len());
    for (got, want) in joined.iter().zip(&expected) {
        // A heading broken mid-word prints a hyphen at the break.
        assert_eq!(
            got.replace("- ", "").replace(' ', ""),
            want.replace(' ', "")
        );
    }

    // Tables: one per table and key-value list, each row a TR of header or data cells;
    // a table's first row heads its columns.
    let tables = d
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Table(_) | Block::KeyValues(_)))
        .count()
        + d.blocks
            .iter()
            .filter(|b| matches!(b, Block::Cover(c) if !c.lines.is_empty()))
            .count();
    let table_nodes: Vec<usize> = (0..tree.nodes.len())
        .filter(|&i| tree.nodes[i].role == Role::Table)
        .collect();
    assert_eq!(table_nodes.len(), tables);
    for &t in &table_nodes {
        let rows = &tree.nodes[t].children;
        assert!(!rows.is_empty());
        for &r in rows {
            assert_eq!(tree.nodes[r].role, Role::TR);
            for &c in &tree.nodes[r].children {
                assert!(matches!(tree.nodes[c].role, Role::TD | Role::TH(_)));
            }
        }
        let first = &tree.nodes[rows[0]].children;
        let heads_columns = first
            .iter()
            .all(|&c| tree.nodes[c].role == Role::TH(Scope::Column));
        let heads_rows = rows
            .iter()
            .all(|&r| tree.nodes[tree.nodes[r].children[0]].role == Role::TH(Scope::Row));
        assert!(heads_columns || heads_rows, "table {t} has no header cells");
    }

    // Figures: one per chart, each saying what it shows, with its box.
    let charts = d
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Chart(_) | Block::Map(_)))
        .count();
    let figures: Vec<_> = tree
        .nodes
        .iter()
        .filter(|n| n.role == Role::Figure)
        .collect();
    assert_eq!(figures.len(), charts);
    for f in figures {
        let alt = f.alt.as_deref().unwrap_or("");
        assert!(
            alt.starts_with("Line chart: ") && alt.contains("Achieved")
                || alt.contains("Nothing reported")
                || alt.contains("Map: MapSVG, CC BY 4.0"),
            "{alt}"
        );
        assert!(f.bbox.is_some());
    }

    // Reading order is drawing order: walking the tree meets the content in the order
    // it is drawn, page by page.
    let mut first_drawn = vec![None; tree.nodes.len()];
    for (p, page) in laid.pages.iter().enumerate() {
        for (start, tag) in &page.marks {
            if let Some(n) = tag {
                first_drawn[*n].get_or_insert((p, *start));
            }
        }
    }
    let order: Vec<(usize, usize)> = walk
        .iter()
        .filter_map(|(_, n)| {
            let i = tree.nodes.iter().position(|m| std::ptr::eq(m, *n)).unwrap();
            first_drawn[i]
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(
        order, sorted,
        "the structure's order differs from the drawing's"
    );
    assert!(order.len() > 100);

    // The running header and footer are artifacts: no element holds "Page 2 of".
    assert!(texts.iter().all(|t| !t.contains("Page 2 of")));
}

#[test]
fn a_contents_block_lists_the_headings_after_it_with_their_pages() {
    let mut blocks = vec![
        Block::Cover(Cover {
            title: "Report".into(),
            ..Cover::default()
        }),
        Block::Heading {
            level: 1,
            text: "Contents".into(),
        },
        Block::Contents,
        Block::PageBreak,
    ];
    for s in 1..=4 {
        blocks.push(Block::Heading {
            level: 1,
            text: format!("{s}. Section {s}"),
        });
        blocks.push(Block::Heading {
            level: 2,
            text: format!("Part {s}.1"),
        });
        blocks.push(Block::Table(table(30 * s, |i| format!("row {i}"))));
        blocks.push(Block::Heading {
            level: 3,
            text: format!("Detail {s}"),
        });
        blocks.push(Block::Paragraph("Words.".into()));
    }
    let d = doc(blocks);
    let laid = layout(&d, fonts());
    let contents_page: Vec<String> = laid.pages[1]
        .items
        .iter()
        .map(|i| text_of(i).to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let listed = laid.anchors.iter().filter(|a| a.title != "Contents");
    let mut n = 0;
    for a in listed {
        let at = contents_page.iter().position(|t| t.trim_end() == a.title);
        if a.level == 3 {
            assert!(at.is_none(), "{} is level 3", a.title);
            continue;
        }
        let at = at.unwrap_or_else(|| panic!("{} not in the contents: {contents_page:?}", a.title));
        assert_eq!(
            contents_page[at + 1],
            (a.page + 1).to_string(),
            "{}",
            a.title
        );
        n += 1;
    }
    assert_eq!(n, 8);
    // Each entry is a link to its heading, inside the contents' structure.
    let links = &laid.pages[1].links;
    assert_eq!(links.len(), 8);
    for l in links {
        assert!(
            laid.anchors.iter().any(|a| a.block == l.block),
            "{}",
            l.text
        );
        assert_eq!(laid.tree.nodes[l.node].role, super::tags::Role::Link);
    }
    let bytes = render(&d).unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    let contents = pdf.get_pages()[&2];
    let annots = pdf
        .get_dictionary(contents)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap();
    assert_eq!(annots.len(), 8);
    // The sections start on different pages, so the numbers are not all one.
    assert!(
        laid.anchors
            .iter()
            .map(|a| a.page)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            > 3
    );
}
