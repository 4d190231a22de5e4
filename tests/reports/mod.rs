//! PDF reports read back: every figure equals one computed here from the raw values, the
//! file is valid with its fonts embedded, issuing keeps the exact bytes, and awkward
//! programmes (no values, one county, very long titles) render.

use std::path::Path;
use std::process::Command;

use diesel::prelude::*;
use rocket::http::{ContentType, Status};

mod output_narratives;

use crate::on_both_backends;
use crate::support::{demo_password, input_value, sign_in, TestDb};
use mipaka::db::DbConn;
use mipaka::domain::achievement::{percent_achieved, rag, Direction};
use mipaka::domain::period::Period;
use mipaka::domain::unit::{format_value, Unit};
use mipaka::models::audit::Actor;
use mipaka::models::{framework, programme, values};
use mipaka::report::issue::{self, Subject};

/// The tool's output, or None (with a clear note) when poppler-utils/qpdf are missing
/// locally. CI installs them, so there these checks always run.
fn tool(name: &str, args: &[&str]) -> Option<std::process::Output> {
    match Command::new(name).args(args).output() {
        Ok(o) => Some(o),
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED part of a PDF check: `{name}` is not installed (apt-get install poppler-utils qpdf)");
            None
        }
        Err(e) => panic!("{name} must be installed in CI: {e}"),
    }
}

/// The text as laid out on the page (columns line up).
fn pdf_text(bytes: &[u8]) -> Option<String> {
    extract(bytes, "-layout")
}

/// The text in the order it was written, whitespace collapsed: a table cell wrapped
/// over two lines reads as one ("KSh 450,000"), cells follow each other in row order.
pub(crate) fn pdf_flow(bytes: &[u8]) -> Option<String> {
    Some(
        extract(bytes, "-raw")?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn extract(bytes: &[u8], mode: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = tool("pdftotext", &[mode, path.to_str().unwrap(), "-"])?;
    assert!(out.status.success(), "pdftotext failed");
    Some(String::from_utf8(out.stdout).unwrap())
}

/// qpdf finds nothing wrong and every font is embedded.
pub(crate) fn assert_valid_pdf(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, bytes).unwrap();
    let p = path.to_str().unwrap();
    if let Some(out) = tool("qpdf", &["--check", p]) {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "qpdf --check: {text}");
        assert!(
            text.contains("No syntax or stream encoding errors"),
            "{text}"
        );
        assert!(!text.to_lowercase().contains("warning"), "{text}");
    }
    if let Some(out) = tool("pdfinfo", &[p]) {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.lines()
                .any(|l| l.starts_with("Tagged:") && l.ends_with(" yes")),
            "not tagged: {text}"
        );
    }
    assert_structure(bytes);
    if let Some(out) = tool("pdftotext", &["-bbox", p, "-"]) {
        assert_laid_out_apart(&String::from_utf8_lossy(&out.stdout));
    }
    if let Some(out) = tool("pdffonts", &[p]) {
        let text = String::from_utf8_lossy(&out.stdout);
        let fonts: Vec<&str> = text.lines().skip(2).collect();
        assert!(!fonts.is_empty(), "no fonts listed: {text}");
        for line in fonts {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // name type... emb sub uni object gen: emb is the 5th from the end.
            assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {line}");
        }
    }
}

/// The file's structure tree, read with lopdf: a document with headings and tables,
/// every figure with alternative text, every page pointing into the parent tree.
fn assert_structure(bytes: &[u8]) {
    use lopdf::Object;
    let doc = lopdf::Document::load_mem(bytes).expect("lopdf reads the report");
    let catalog = doc.catalog().unwrap();
    let marked = catalog.get(b"MarkInfo").ok().and_then(|m| match m {
        Object::Dictionary(d) => d.get(b"Marked").ok().and_then(|b| b.as_bool().ok()),
        _ => None,
    });
    assert_eq!(marked, Some(true), "MarkInfo /Marked true");
    assert!(catalog.get(b"StructTreeRoot").is_ok(), "a structure tree");
    let mut kinds: std::collections::BTreeMap<Vec<u8>, usize> = Default::default();
    for object in doc.objects.values() {
        let Object::Dictionary(d) = object else {
            continue;
        };
        if d.get(b"Type").ok().and_then(|t| t.as_name().ok()) != Some(b"StructElem".as_slice()) {
            continue;
        }
        let role = d.get(b"S").unwrap().as_name().unwrap().to_vec();
        if role == b"Figure" {
            let alt = d
                .get(b"Alt")
                .ok()
                .and_then(|a| a.as_str().ok())
                .unwrap_or_default();
            assert!(alt.len() > 20, "a figure without alternative text");
        }
        *kinds.entry(role).or_default() += 1;
    }
    for role in ["Document", "H1", "Table", "TR", "TH", "TD", "P"] {
        assert!(
            kinds.contains_key(role.as_bytes()),
            "no {role} element: {kinds:?}"
        );
    }
    for (_, page) in doc.get_pages() {
        let page = doc.get_dictionary(page).unwrap();
        assert!(
            page.get(b"StructParents").is_ok(),
            "a page outside the parent tree"
        );
    }
}

/// A word's box on its page, as `pdftotext -bbox` reports it.
struct WordBox {
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

fn attribute(tag: &str, name: &str) -> f64 {
    let at = tag
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("{name} in {tag}"))
        + name.len()
        + 2;
    let end = tag[at..].find('"').unwrap() + at;
    tag[at..end].parse().unwrap()
}

/// Scans `pdftotext -bbox` output: no word lies over another, and none runs off its
/// page. Boxes are the font's full height, so lines set closer than that would count;
/// a point of slack allows for rounding.
fn assert_laid_out_apart(html: &str) {
    const SLACK: f64 = 1.0;
    for (n, page) in html.split("<page ").skip(1).enumerate() {
        let head = &page[..page.find('>').unwrap()];
        let (w, h) = (attribute(head, "width"), attribute(head, "height"));
        let mut words: Vec<WordBox> = page
            .split("<word ")
            .skip(1)
            .map(|chunk| {
                let close = chunk.find('>').unwrap();
                let tag = &chunk[..close];
                let text = chunk[close + 1..chunk.find("</word>").unwrap()].to_string();
                WordBox {
                    text,
                    x0: attribute(tag, "xMin"),
                    y0: attribute(tag, "yMin"),
                    x1: attribute(tag, "xMax"),
                    y1: attribute(tag, "yMax"),
                }
            })
            .collect();
        for word in &words {
            assert!(
                word.x0 >= -SLACK
                    && word.y0 >= -SLACK
                    && word.x1 <= w + SLACK
                    && word.y1 <= h + SLACK,
                "page {}: {:?} runs off the page ({:.1},{:.1})–({:.1},{:.1})",
                n + 1,
                word.text,
                word.x0,
                word.y0,
                word.x1,
                word.y1
            );
        }
        words.sort_by(|a, b| a.y0.total_cmp(&b.y0));
        for (i, a) in words.iter().enumerate() {
            for b in words[i + 1..].iter().take_while(|b| b.y0 < a.y1 - SLACK) {
                let across = a.x0.max(b.x0) < a.x1.min(b.x1) - SLACK;
                let down = a.y0.max(b.y0) < a.y1.min(b.y1) - SLACK;
                assert!(
                    !(across && down),
                    "page {}: {:?} overlaps {:?} at ({:.1},{:.1}) and ({:.1},{:.1})",
                    n + 1,
                    a.text,
                    b.text,
                    a.x0,
                    a.y0,
                    b.x0,
                    b.y0
                );
            }
        }
    }
}

fn period(s: &str) -> Period {
    Period::parse(s).unwrap()
}

/// The indicator table row of `code` in the results section of the flowing text: from
/// its code cell to the end of the row (the first time the code appears there: the
/// table comes before the indicator's chart).
fn row_of<'a>(flow: &'a str, code: &str) -> &'a str {
    let body = past_contents(flow);
    let flow = &flow[body..];
    let results = flow.find("2. Results").expect("results section");
    let at = flow[results..]
        .find(&format!(" {code} "))
        .unwrap_or_else(|| panic!("no row for {code}"));
    let row = &flow[results + at..];
    let end = row
        .char_indices()
        .nth(400)
        .map(|(i, _)| i)
        .unwrap_or(row.len());
    &row[..end]
}

struct Expected {
    code: String,
    cells: Vec<String>,
    rag_word: Option<&'static str>,
    /// Printed in the to-date column ("1,234 of 1,500") after the RAG.
    end_target: Option<String>,
}

/// Independently of the report code: approved totals of the period summed or averaged
/// over the phase's counties, the target of the period, % and RAG.
fn expected_figures(c: &mut DbConn, code: &str, q: &Period) -> Vec<Expected> {
    use mipaka::db::schema::{
        indicator_targets as t, indicator_values as v, phase_counties, phases,
    };
    let p = programme::by_code(c, code).unwrap();
    let phase_id: i32 = phases::table
        .filter(phases::programme_id.eq(p.id))
        .filter(phases::start_date.le(q.start()))
        .filter(phases::end_date.ge(q.end()))
        .select(phases::id)
        .first(c)
        .unwrap();
    let counties: Vec<i32> = phase_counties::table
        .filter(phase_counties::phase_id.eq(phase_id))
        .select(phase_counties::location_id)
        .load(c)
        .unwrap();
    let mut out = Vec::new();
    // Reports are for partners: indicators kept internal are not in them (tests/disclosure).
    let shared = framework::indicators_of(c, p.id)
        .unwrap()
        .into_iter()
        .filter(|i| mipaka::domain::disclosure::Audience::Partners.may_see(i.level()));
    for i in shared {
        let rows: Vec<(i32, f64)> = v::table
            .filter(v::indicator_id.eq(i.id))
            .filter(v::period.eq(q.id()))
            .filter(v::disaggregation.eq(""))
            .filter(v::status.eq("approved"))
            .select((v::location_id, v::value))
            .load(c)
            .unwrap();
        let rows: Vec<f64> = rows
            .into_iter()
            .filter(|(l, _)| counties.contains(l))
            .map(|(_, x)| x)
            .collect();
        let achieved = (rows.len() == counties.len()).then(|| {
            let sum: f64 = rows.iter().sum();
            if i.county_aggregation == "mean" {
                sum / rows.len() as f64
            } else {
                sum
            }
        });
        let target: Option<f64> = t::table
            .filter(t::indicator_id.eq(i.id))
            .filter(t::period.eq(q.id()))
            .select(t::value)
            .first(c)
            .optional()
            .unwrap();
        let unit: Unit = i.unit.parse().unwrap();
        let direction: Direction = i.direction.parse().unwrap();
        let f = |x: Option<f64>| {
            x.map(|x| format_value(unit, x, &p.currency))
                .unwrap_or("—".into())
        };
        // Yes/no counts counties: "6 of 7 counties: yes" against "7 of 7 counties".
        let n = counties.len();
        let mut unmet = false;
        let (achieved_text, target_text, pct) = if unit == Unit::YesNo {
            let yes = rows.iter().filter(|x| **x == 1.0).count();
            let want = target.map(|t| (t * n as f64 - 1e-9).ceil() as usize);
            unmet = want.is_some_and(|w| yes < w);
            let pct = match (achieved, want) {
                (Some(_), Some(w)) => {
                    percent_achieved(yes as f64, w as f64, Direction::HigherIsBetter)
                }
                _ => None,
            };
            (
                achieved
                    .map(|_| format!("{yes} of {n} counties: yes"))
                    .unwrap_or_else(|| format!("{} of {n}", rows.len())),
                want.map(|w| format!("{w} of {n} counties"))
                    .unwrap_or("—".into()),
                pct,
            )
        } else {
            let pct = match (achieved, target) {
                (Some(a), Some(t)) => percent_achieved(a, t, direction),
                _ => None,
            };
            (
                achieved
                    .map(|a| format_value(unit, a, &p.currency))
                    .unwrap_or_else(|| format!("{} of {}", rows.len(), counties.len())),
                f(target),
                pct,
            )
        };
        out.push(Expected {
            code: i.code.clone(),
            cells: vec![
                f(i.baseline_value),
                target_text,
                achieved_text,
                // Rounded half up, except that what fell short never reads "100%".
                pct.map(|x| {
                    if x < 100.0 && x.round() >= 100.0 {
                        "99%".to_string()
                    } else {
                        format!("{}%", x.round())
                    }
                })
                .unwrap_or("—".into()),
            ],
            rag_word: pct.map(|x| match rag(x, &p.thresholds()) {
                // A yes/no milestone not met is never on track.
                mipaka::domain::achievement::Rag::Green if unmet => "Needs",
                mipaka::domain::achievement::Rag::Green => "On",
                mipaka::domain::achievement::Rag::Amber => "Needs",
                mipaka::domain::achievement::Rag::Red => "Off",
            }),
            end_target: (unit != Unit::YesNo).then(|| f(i.end_target)),
        });
    }
    out
}

fn check_figures(text: &str, expected: &[Expected]) {
    let mut rated = 0;
    for e in expected {
        let row = row_of(text, &e.code);
        // The figures appear in order on the row's first line.
        let mut rest = row;
        for cell in &e.cells {
            let at = rest.find(cell.as_str()).unwrap_or_else(|| {
                panic!("{}: expected {cell:?} in order on the row {row:?}", e.code)
            });
            rest = &rest[at + cell.len()..];
        }
        if let Some(w) = e.rag_word {
            assert!(rest.contains(w), "{}: RAG {w} missing from {row:?}", e.code);
            rated += 1;
        }
        if let Some(end) = &e.end_target {
            assert!(
                end == "—" || rest.contains(&format!("of {end}")) || rest.contains(" — "),
                "{}: end target {end} missing from the to-date cell of {row:?}",
                e.code
            );
        }
    }
    assert!(
        rated > 0,
        "no indicator was rated: the check would prove nothing"
    );
}

/// The contents page's entries name the pages their sections start on, and the
/// executive summary is one page that holds all its parts.
fn check_contents_and_summary(code: &str, text: &str) {
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let contents = pages
        .iter()
        .position(|p| p.contains("Contents"))
        .expect("a contents page");
    let mut checked = 0;
    // An entry wrapped over lines has its page number on its last line.
    let mut pending: Option<String> = None;
    for line in pages[contents]
        .lines()
        .skip_while(|l| !l.contains("Contents"))
        .skip(1)
    {
        let line = line.trim();
        let numbered = line
            .rsplit_once(' ')
            .and_then(|(t, n)| Some((t.trim(), n.parse::<usize>().ok()?)));
        let Some((last, n)) = numbered else {
            if !line.is_empty() {
                pending.get_or_insert_with(|| line.to_string());
            }
            continue;
        };
        let title = pending.take().unwrap_or_else(|| last.to_string());
        let title = title.as_str();
        // The footer ("Draft · data 1a2b3c4d … Page 2 of 14") is no entry.
        if title.len() < 6
            || title.contains(" · data ")
            || !title.chars().next().unwrap().is_alphanumeric()
        {
            continue;
        }
        let start: String = title.chars().take(24).collect();
        assert!(
            pages.get(n - 1).is_some_and(|p| p.contains(&start)),
            "{code}: contents say {title:?} is on page {n}"
        );
        // A distinctive title is nowhere before its page (a short one, "Issues", may be a
        // label in the summary).
        if title.len() >= 12 {
            let first = pages
                .iter()
                .enumerate()
                .skip(contents + 1)
                .find(|(_, p)| p.contains(&start))
                .map(|(i, _)| i + 1);
            assert_eq!(
                first,
                Some(n),
                "{code}: contents say {title:?} starts on page {n}"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 6,
        "{code}: only {checked} contents entries read: {}",
        pages[contents]
    );
    let summary = pages
        .iter()
        .skip(contents + 1)
        .position(|p| p.contains("Overall suggested score"))
        .map(|i| i + contents + 1)
        .expect("summary page");
    for part in [
        "Executive summary",
        "Output scores",
        "Key results",
        "Main issues and risks",
        "Spend against budget",
    ] {
        assert!(
            pages[summary].contains(part),
            "{code}: the summary's page lacks {part:?}"
        );
    }
    assert!(
        pages[summary + 1].contains("1. Narrative and risks"),
        "{code}: the summary runs past one page"
    );
}

on_both_backends! {
    fn donor_report_figures_equal_the_database(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        for code in ["LBP", "KEUK-MOU", "DW"] {
            let q = if code == "DW" { period("2021Q4") } else { period("2026Q2") };
            let p = programme::by_code(&mut c, code).unwrap();
            if code == "LBP" {
                // A manager who writes at length: the summary still keeps to its page.
                let long = "Joint patrols resumed at Nadapal after the rains; two posts were closed for a month while the road was repaired, and the county office reported late. ".repeat(12);
                let texts = mipaka::models::narrative::Texts { achievements: long.clone(), issues: long.clone(), risks: long };
                mipaka::models::narrative::insert(&mut c, p.id, &q.id(), &texts, None, mipaka::clock::now()).unwrap();
            }
            let (_, bytes) = issue::draft(&mut c, &Subject::Donor(p.clone()), q).unwrap();
            assert_valid_pdf(&bytes);
            let Some(flow) = pdf_flow(&bytes) else { return };
            check_figures(&flow, &expected_figures(&mut c, code, &q));
            let text = pdf_text(&bytes).unwrap();
            for must in [p.name.as_str(), "Page 2 of", "Demonstration data", "Contents", "Executive summary", "Annex: figures by county", "Draft"] {
                assert!(text.contains(must), "{code}: {must:?} missing");
            }
            check_contents_and_summary(code, &text);
            // Money prints with its currency sign.
            assert!(text.contains('£') || text.contains("KSh"), "{code}: no currency printed");
            // Same data, same bytes.
            let (_, again) = issue::draft(&mut c, &Subject::Donor(p), q).unwrap();
            assert!(again == bytes, "{code}: the same data gave different bytes");
        }
    }
}

on_both_backends! {
    fn the_annex_and_ministry_report_print_each_countys_approved_value(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let q = period("2026Q2");
        let p = programme::by_code(&mut c, "KEUK-MOU").unwrap();
        let i = &framework::indicators_of(&mut c, p.id).unwrap()[0];
        let unit: Unit = i.unit.parse().unwrap();
        use mipaka::db::schema::{indicator_values as v, locations};
        let per_county: Vec<(String, f64)> = v::table
            .inner_join(locations::table)
            .filter(v::indicator_id.eq(i.id))
            .filter(v::period.eq(q.id()))
            .filter(v::disaggregation.eq(""))
            .filter(v::status.eq("approved"))
            .select((locations::name, v::value))
            .load(&mut *c)
            .unwrap();
        assert_eq!(per_county.len(), 5, "the MoU's five counties");
        let (_, bytes) = issue::draft(&mut c, &Subject::Donor(p.clone()), q).unwrap();
        let Some(text) = pdf_text(&bytes) else { return };
        let annex = &text[text.rfind("Annex: figures by county").unwrap()..];
        let header = annex.lines().find(|l| l.contains("Indicator") && l.contains("Turkana")).expect("annex header");
        let row = annex.lines().find(|l| l.trim_start().starts_with(&i.code)).expect("annex row");
        // Columns in the header's order hold each county's value.
        let mut order: Vec<(usize, &str)> = per_county.iter().map(|(n, _)| (header.find(n.as_str()).unwrap(), n.as_str())).collect();
        order.sort();
        let mut rest = row;
        for (_, name) in order {
            let value = per_county.iter().find(|(n, _)| n == name).unwrap().1;
            let cell = format_value(unit, value, &p.currency);
            let at = rest.find(&cell).unwrap_or_else(|| panic!("{name} {cell} not in {row:?}"));
            rest = &rest[at + cell.len()..];
        }

        let (_, ministry) = issue::draft(&mut c, &Subject::Ministry, q).unwrap();
        assert_valid_pdf(&ministry);
        let Some(text) = pdf_text(&ministry) else { return };
        assert!(text.contains("FY 2025/26 Q4"), "Kenyan fiscal quarter named");
        // The five MoU counties come first, in this order, each with its own section.
        let positions: Vec<usize> = ["Turkana County", "Mandera County", "Marsabit County", "Wajir County", "Busia County"]
            .iter()
            .map(|n| text.find(n).unwrap_or_else(|| panic!("{n} missing")))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "in the MoU's order: {positions:?}");
        let last_mou = positions[4];
        assert!(text.find("Garissa County").is_some_and(|g| g > last_mou), "other counties after the five");
        // Turkana's section shows Turkana's approved value of the indicator.
        let (name, value) = per_county.iter().find(|(n, _)| n == "Turkana").unwrap();
        let section = &text[text.find(&format!("{name} County")).unwrap()..];
        let section = &section[section.find(&p.name).unwrap()..];
        let row = section.lines().find(|l| l.trim_start().starts_with(&i.code)).unwrap();
        assert!(row.contains(&format_value(unit, *value, &p.currency)), "{row}");
    }
}

on_both_backends! {
    fn an_issued_report_is_kept_and_downloaded_byte_for_byte(t) {
        let db = t.with_demo();
        let manager = t.client(db.clone());
        let csrf = sign_in(&manager, "manager", demo_password("manager"));
        // The manager writes the period's narrative; it is in the report.
        let r = manager.post("/programmes/LBP/reports/narrative").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2&achievements=Moyalé+and+Dádaab+desks+opened%3B+KSh+1%2C200+saved&issues=Late+fuel&risks=Floods"))
            .dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let page = manager.get("/programmes/LBP/reports?period=2026Q2").dispatch().into_string().unwrap();
        assert!(page.contains("Moyalé and Dádaab desks opened"));
        // A stale version is refused, with theirs shown.
        let version = input_value(&page, "version").unwrap();
        let stale: i32 = version.parse::<i32>().unwrap() - 1;
        let r = manager.post("/programmes/LBP/reports/narrative").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2&version={stale}&achievements=Overwrite&issues=&risks="))
            .dispatch();
        assert_eq!(r.status(), Status::Conflict);

        let r = manager.post("/programmes/LBP/reports/issue").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        // A second version needs a reason: refused without one, and nothing is issued.
        let r = manager.post("/programmes/LBP/reports/issue").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2&reason=+")).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity, "version 2 without a reason");
        let page = r.into_string().unwrap();
        assert!(page.contains("say why you are issuing version 2") && page.contains("Nothing was issued"), "{page}");
        // The narrative is corrected, and version 2 issued with the reason.
        let page = manager.get("/programmes/LBP/reports?period=2026Q2").dispatch().into_string().unwrap();
        let version = input_value(&page, "version").unwrap();
        let r = manager.post("/programmes/LBP/reports/narrative").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2&version={version}&achievements=Moyal%C3%A9+desk+opened%3B+14+officers+trained&issues=Late+fuel&risks=Floods"))
            .dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let r = manager.post("/programmes/LBP/reports/issue").header(ContentType::Form)
            .body(format!("csrf={csrf}&period=2026Q2&reason=Achievements+corrected+by+the+county+office")).dispatch();
        assert_eq!(r.status(), Status::SeeOther, "a second issue is version 2");

        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let issued = mipaka::models::issued::of_programme(&mut c, p.id).unwrap();
        assert_eq!(issued.iter().map(|r| r.version).collect::<Vec<_>>(), vec![2, 1]);
        let v1 = issued.iter().find(|r| r.version == 1).unwrap();
        let on_disk = std::fs::read(t.config.reports_dir.join(&v1.file_path)).unwrap();
        assert_eq!(mipaka::report::text::sha256_hex(&on_disk), v1.sha256);
        assert_eq!(on_disk.len() as i64, v1.size_bytes);
        if let Some(text) = pdf_flow(&on_disk) {
            assert!(text.contains("Moyalé and Dádaab desks opened; KSh 1,200 saved"), "narrative printed with accents and KSh");
            assert!(text.contains("Version 1"));
            // Sign-off on the cover: approval complete, who approved, who issued.
            assert!(text.contains("All approved"), "{text}");
            assert!(text.contains("Figures approved by"));
            assert!(text.contains("Issued by Amina Hassan"), "the issuer's name, not their login: {text}");
            assert!(!text.contains("Changes since version"), "a first version has no change log");
        }
        // Version 2 says why, and lists what changed against version 1: the narrative.
        let v2 = issued.iter().find(|r| r.version == 2).unwrap();
        assert_eq!(v2.reason.as_deref(), Some("Achievements corrected by the county office"));
        assert_eq!(v2.approval, None, "issued fully approved");
        let v2_bytes = std::fs::read(t.config.reports_dir.join(&v2.file_path)).unwrap();
        assert_valid_pdf(&v2_bytes);
        if let Some(text) = pdf_flow(&v2_bytes) {
            assert!(text.contains("Why version 2"), "{text}");
            assert!(text.contains("Changes since version 1"), "{text}");
            assert!(text.contains("Reason given: Achievements corrected by the county office"), "{text}");
            let log = &text[text.rfind("Changes since version 1").unwrap()..];
            assert!(log.contains("14 officers trained"), "the new text in the log: {log}");
            assert!(log.contains("1 change in all"), "only the narrative changed: {log}");
        }
        assert!(on_disk.len() < 300 * 1024, "{} bytes", on_disk.len());
        // The audit log has the issue and the narrative.
        use mipaka::db::schema::audit_log as a;
        let actions: Vec<String> = a::table.filter(a::action.eq_any(["report_issued", "narrative_saved"])).select(a::action).load(&mut *c).unwrap();
        assert_eq!(actions.iter().filter(|x| *x == "report_issued").count(), 2);
        assert_eq!(actions.iter().filter(|x| *x == "narrative_saved").count(), 2, "the narrative and its correction");

        // The donor sees both and downloads exactly the issued bytes.
        let donor = t.client(db.clone());
        sign_in(&donor, "donor", demo_password("donor"));
        let list = donor.get("/programmes/LBP/reports").dispatch().into_string().unwrap();
        assert!(list.contains(&format!("/programmes/LBP/reports/{}", v1.id)));
        assert!(!list.contains("Issue "), "a donor cannot issue");
        let r = donor.get(format!("/programmes/LBP/reports/{}", v1.id)).dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.content_type(), Some(ContentType::PDF));
        assert!(r.into_bytes().unwrap() == on_disk, "download differs from the issued file");
        // A donor cannot preview drafts or issue.
        assert_eq!(donor.get("/programmes/LBP/reports/draft?period=2026Q2").dispatch().status(), Status::Forbidden);

        // A tampered file is refused, never served, and the page says what is wrong.
        std::fs::write(t.config.reports_dir.join(&v1.file_path), b"%PDF-1.7 tampered").unwrap();
        let r = donor.get(format!("/programmes/LBP/reports/{}", v1.id)).dispatch();
        assert_eq!(r.status(), Status::InternalServerError);
        let page = r.into_string().unwrap();
        assert!(page.contains("is no longer the file that was issued"), "{page}");
        assert!(!page.contains("database") && !page.contains(&t.config.reports_dir.display().to_string()), "{page}");
        // A missing one likewise.
        std::fs::remove_file(t.config.reports_dir.join(&v1.file_path)).unwrap();
        let page = donor.get(format!("/programmes/LBP/reports/{}", v1.id)).dispatch().into_string().unwrap();
        assert!(page.contains("is missing from the server&#x27;s report store"), "{page}");
    }
}

on_both_backends! {
    fn awkward_programmes_render_no_values_one_county_long_titles(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let now = mipaka::clock::now();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let long = "Strengthened cross-border coordination between county security committees, national agencies and communities along the Kenya–Somalia and Kenya–Ethiopia borders, including joint patrol planning, information sharing, referral of trafficking victims and grievance handling in Moyalé, Mandera and Dádaab".to_string();
        assert!(long.len() > 250);
        let pid = programme::insert(&mut c, &programme::NewProgramme {
            code: "ONE", name: &format!("One-county pilot: {long}"), description: "", currency: "KES",
            start_date: d("2026-01-01"), end_date: d("2027-12-31"), is_demo: false, created_at: now,
            rag_green_within: 15.0, rag_amber_within: 30.0, short_name: "ONE", funder: "", reporting_frequency: "quarterly",
            iati_identifier: "", donor_reference: "",
        }).unwrap();
        let turkana = mipaka::models::location::by_code(&mut c, "023").unwrap().unwrap();
        programme::insert_phase(&mut c, pid, "Pilot", d("2026-01-01"), d("2027-12-31"), 1, &[turkana.id]).unwrap();
        let rid = framework::insert_result(&mut c, &framework::NewResult {
            programme_id: pid, parent_id: None, level: "output", code: "ONE-OP1", statement: &long,
            impact_weighting: Some(100.0), risk_rating: Some("high"), assumptions: &long, position: 1,
        }).unwrap();
        let iid = framework::insert_indicator(&mut c, &framework::NewIndicator {
            programme_id: pid, result_id: rid, code: "ONE-1", title: &long, definition: &long, unit: "currency",
            direction: "higher", county_aggregation: "sum", period_aggregation: "sum", baseline_value: Some(0.0),
            baseline_date: None, end_target: Some(1_000_000.0), means_of_verification: "", disaggregations: String::new(),
            is_key: true, position: 1, end_target_date: None, data_source: "",
        }).unwrap();
        let p = programme::by_code(&mut c, "ONE").unwrap();
        // No values yet: renders, says nothing is approved.
        let (_, empty) = issue::draft(&mut c, &Subject::Donor(p.clone()), period("2026Q1")).unwrap();
        assert_valid_pdf(&empty);
        if let Some(text) = pdf_text(&empty) {
            assert!(text.contains("0 of 1"), "missing shown as missing");
            assert!(text.contains("No approved figures yet"));
        }
        // One county with an approved value and a milestone.
        values::insert_targets(&mut c, &[values::NewTarget { indicator_id: iid, period: "2026Q1".into(), period_start: d("2026-01-01"), period_end: d("2026-03-31"), value: 500_000.0, location_id: None, disaggregation: String::new() }]).unwrap();
        values::insert_values(&mut c, &[values::NewValue {
            indicator_id: iid, period: "2026Q1".into(), period_start: d("2026-01-01"), period_end: d("2026-03-31"),
            location_id: turkana.id, disaggregation: String::new(), value: 450_000.0, comment: None, status: "approved".into(),
            entered_by: None, entered_at: now, reviewed_by: None, reviewed_at: Some(now),
        }]).unwrap();
        let (_, one) = issue::draft(&mut c, &Subject::Donor(p.clone()), period("2026Q1")).unwrap();
        assert_valid_pdf(&one);
        if let Some(text) = pdf_flow(&one) {
            assert!(text.contains("KSh 450,000"), "one county value: {text}");
            assert!(text.contains("90%"));
        }
        // A period outside the programme is refused with a reason, not a 500.
        let err = issue::draft(&mut c, &Subject::Donor(p), period("2024Q1")).err().unwrap();
        assert!(err.to_string().contains("outside"), "{err}");
        // And issuing writes under the reports folder, refusing to overwrite.
        let who = Actor { user_id: None, name: "test".into() };
        let p = programme::by_code(&mut c, "ONE").unwrap();
        let anyway = issue::IssueRequest { accept_unapproved: true, ..Default::default() };
        let r = issue::issue(&mut c, &t.config.reports_dir, &Subject::Donor(p.clone()), period("2026Q1"), &anyway, &who, now).unwrap();
        assert!(Path::new(&t.config.reports_dir.join(&r.file_path)).exists());
    }
}

on_both_backends! {
    fn a_programme_in_all_47_counties_renders_without_overlap(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let now = mipaka::clock::now();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let pid = programme::insert(&mut c, &programme::NewProgramme {
            code: "ALL", name: "Every county", description: "", currency: "GBP",
            start_date: d("2026-01-01"), end_date: d("2027-12-31"), is_demo: false, created_at: now,
            rag_green_within: 15.0, rag_amber_within: 30.0, short_name: "ALL", funder: "", reporting_frequency: "quarterly",
            iati_identifier: "", donor_reference: "",
        }).unwrap();
        let counties = mipaka::models::location::counties(&mut c).unwrap();
        assert_eq!(counties.len(), 47);
        let ids: Vec<i32> = counties.iter().map(|c| c.id).collect();
        programme::insert_phase(&mut c, pid, "National", d("2026-01-01"), d("2027-12-31"), 1, &ids).unwrap();
        let rid = framework::insert_result(&mut c, &framework::NewResult {
            programme_id: pid, parent_id: None, level: "output", code: "ALL-OP1", statement: "Border posts staffed",
            impact_weighting: Some(100.0), risk_rating: None, assumptions: "", position: 1,
        }).unwrap();
        for (k, (unit, county)) in [("count", "sum"), ("percentage", "mean")].into_iter().enumerate() {
            let iid = framework::insert_indicator(&mut c, &framework::NewIndicator {
                programme_id: pid, result_id: rid, code: &format!("ALL-{}", k + 1), title: "Officers on duty at the county's border posts",
                definition: "", unit, direction: "higher", county_aggregation: county, period_aggregation: "sum",
                baseline_value: Some(0.0), baseline_date: None, end_target: None, means_of_verification: "",
                disaggregations: String::new(), is_key: true, position: k as i32 + 1, end_target_date: None, data_source: "",
            }).unwrap();
            values::insert_values(&mut c, &counties.iter().enumerate().map(|(i, county)| values::NewValue {
                indicator_id: iid, period: "2026Q1".into(), period_start: d("2026-01-01"), period_end: d("2026-03-31"),
                location_id: county.id, disaggregation: String::new(), value: 40.0 + i as f64, comment: None,
                status: "approved".into(), entered_by: None, entered_at: now, reviewed_by: None, reviewed_at: Some(now),
            }).collect::<Vec<_>>()).unwrap();
        }
        let p = programme::by_code(&mut c, "ALL").unwrap();
        let (_, donor) = issue::draft(&mut c, &Subject::Donor(p), period("2026Q1")).unwrap();
        assert_valid_pdf(&donor);
        if let Some(text) = pdf_flow(&donor) {
            for county in &counties {
                assert!(text.contains(&county.name), "{} missing from the annex", county.name);
            }
            // 40 + 41 + … + 86 = 2,961 officers in all.
            assert!(text.contains("2,961"), "the national total");
        }
        let (_, ministry) = issue::draft(&mut c, &Subject::Ministry, period("2026Q1")).unwrap();
        assert_valid_pdf(&ministry);
    }
}

/// Runs the `mipaka` command in `dir`, on an embedded database under `dir/data`.
fn mipaka_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mipaka"))
        .current_dir(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("MIPAKA_DATA_DIR", dir.join("data"))
        .output()
        .unwrap()
}

#[test]
fn the_report_command_writes_a_pdf_and_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| mipaka_in(dir.path(), args);
    // A database with the demo loaded (the embedded default seeds on migrate + seed).
    assert!(run(&["migrate"]).status.success());
    assert!(run(&["seed", "--demo"]).status.success());
    let out = dir.path().join("lbp.pdf");
    let o = run(&[
        "report",
        "--programme",
        "LBP",
        "--kind",
        "donor",
        "--period",
        "2026Q2",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_valid_pdf(&bytes);
    let o = run(&[
        "report",
        "--kind",
        "ministry",
        "--period",
        "2026Q2",
        "-o",
        dir.path().join("m.pdf").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Issuing: version 1, then version 2 only with a reason, named by its flag.
    let out = dir.path().join("i.pdf");
    let issue_args = |extra: &[&'static str]| {
        let mut a = vec![
            "report",
            "--programme",
            "LBP",
            "--period",
            "2026Q2",
            "--issue",
            "-o",
        ];
        a.push(out.to_str().unwrap());
        a.extend_from_slice(extra);
        run(&a)
    };
    let o = issue_args(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = issue_args(&[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("--reason"), "{err}");
    let o = issue_args(&["--reason", "Narrative corrected"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Issued version 2"));
    for (args, says) in [
        (
            vec![
                "report",
                "--programme",
                "LBP",
                "--kind",
                "annual",
                "--period",
                "2026Q2",
                "-o",
                "x.pdf",
            ],
            "--kind",
        ),
        (
            vec![
                "report",
                "--programme",
                "LBP",
                "--period",
                "2026Q9",
                "-o",
                "x.pdf",
            ],
            "--period",
        ),
        (
            vec!["report", "--period", "2026Q2", "-o", "x.pdf"],
            "--programme",
        ),
        (
            vec![
                "report",
                "--kind",
                "ministry",
                "--programme",
                "LBP",
                "--period",
                "2026Q2",
                "--issue",
                "-o",
                "x.pdf",
            ],
            "an issued ministry report covers every programme",
        ),
        (
            vec![
                "report",
                "--programme",
                "NOPE",
                "--period",
                "2026Q2",
                "-o",
                "x.pdf",
            ],
            "NOPE",
        ),
    ] {
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(
        !dir.path().join("x.pdf").exists(),
        "nothing written when refused"
    );
}

/// The part of the flowing text from `from` up to `to`.
/// Where a report's body starts: after its contents page, which names every section
/// too. The body opens with the contents' first entry, so its second occurrence is the
/// body's first heading.
fn past_contents(flow: &str) -> usize {
    let Some(c) = flow.find("Contents ") else {
        return 0;
    };
    let after = c + "Contents ".len();
    let first: String = flow[after..].chars().take(14).collect();
    flow[after + 1..]
        .find(&first)
        .map(|i| after + 1 + i)
        .unwrap_or(0)
}

fn section<'a>(flow: &'a str, from: &str, to: &str) -> &'a str {
    let body = past_contents(flow);
    let a = flow[body..]
        .find(from)
        .map(|a| body + a)
        .unwrap_or_else(|| panic!("{from} missing"));
    let b = flow[a..].find(to).map(|b| a + b).unwrap_or(flow.len());
    &flow[a..b]
}

on_both_backends! {
    fn milestones_activities_and_spend_are_those_at_the_end_of_the_period(t) {
        use mipaka::db::schema::{activities as act, activity_progress as ap, programme_milestones as pm};
        use chrono::NaiveDate;
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        type Act = (i32, String, NaiveDate, NaiveDate, Option<NaiveDate>);
        let acts: Vec<Act> = act::table
            .filter(act::programme_id.eq(p.id))
            .select((act::id, act::code, act::planned_start, act::planned_end, act::actual_end))
            .load(&mut *c)
            .unwrap();
        let ids: Vec<i32> = acts.iter().map(|a| a.0).collect();
        let approved: Vec<(i32, NaiveDate, String, i64)> = ap::table
            .filter(ap::activity_id.eq_any(&ids))
            .filter(ap::workflow_status.eq("approved"))
            .order(ap::period_end)
            .select((ap::activity_id, ap::period_end, ap::status, ap::spend_to_date_minor))
            .load(&mut *c)
            .unwrap();
        let milestones: Vec<(String, Option<NaiveDate>)> = pm::table
            .filter(pm::programme_id.eq(p.id))
            .select((pm::title, pm::completed_date))
            .load(&mut *c)
            .unwrap();
        // The newest approved row of an activity for a quarter ending by `day`.
        let newest = |id: i32, day: NaiveDate| approved.iter().rfind(|r| r.0 == id && r.1 <= day);
        // Two quarters and a Kenyan fiscal year (within which milestones were completed).
        for q in ["2024Q2", "2026Q2", "2024July"] {
            let q = period(q);
            let (start, end) = (q.start(), q.end());
            let (_, bytes) = issue::draft(&mut c, &Subject::Donor(p.clone()), q).unwrap();
            let Some(flow) = pdf_flow(&bytes) else { return };
            // Milestones: only those completed within the period show as completed.
            let ms = section(&flow, "3. Programme milestones", "4. Activities");
            let done_in = milestones.iter().filter(|(_, d)| d.is_some_and(|d| start <= d && d <= end)).count();
            assert_eq!(ms.matches("✓ Completed").count(), done_in, "{}: {ms}", q.id());
            if q.id() == "2024July" {
                assert!(done_in > 0, "the fiscal year has completions to check");
            }
            for (title, done) in &milestones {
                if let Some(d) = done.filter(|d| *d > end) {
                    let date = d.format("%-d %b %Y").to_string();
                    assert!(!ms.contains(&date), "{}: {title} completed {date}, after the period, is shown done", q.id());
                }
            }
            // Activities: none planned to start after the period; each listed one's status
            // is its newest approved one by the end, and late is counted by the rule.
            let acts_text = section(&flow, "4. Activities", "5. Budget and spend");
            let mut listed = 0;
            let mut late = 0;
            let mut completed = 0;
            for (id, code, ps, pe, actual_end) in &acts {
                let shown = acts_text.contains(&format!(" {code} "));
                if *ps > end {
                    assert!(!shown, "{}: {code} planned to start {ps} is listed", q.id());
                    continue;
                }
                let before = start.pred_opt().unwrap();
                let finished_before = newest(*id, before).is_some_and(|r| r.2 == "completed" || r.2 == "cancelled");
                assert_eq!(shown, !finished_before, "{}: {code}", q.id());
                if finished_before {
                    continue;
                }
                listed += 1;
                let status = newest(*id, end).map(|r| r.2.as_str()).unwrap_or("not_started");
                let is_late = match status {
                    "cancelled" => false,
                    "completed" => {
                        let first_done = approved.iter().find(|r| r.0 == *id && r.2 == "completed").unwrap().1;
                        let on = actual_end.filter(|d| *d <= first_done).unwrap_or(first_done);
                        on > *pe
                    }
                    _ => *pe <= end,
                };
                late += is_late as usize;
                completed += (status == "completed") as usize;
            }
            assert!(listed > 0, "{}: the check would prove nothing", q.id());
            let says = format!("{listed} activities; {late} late at the end of the period");
            assert!(acts_text.contains(&says), "{}: expected {says:?} in {acts_text}", q.id());
            assert_eq!(acts_text.matches("Completed").count(), completed, "{}: {acts_text}", q.id());
            // Spend: every activity's approved spend to date at the end of the period.
            let spend: i64 = acts.iter().filter_map(|a| newest(a.0, end)).map(|r| r.3).sum();
            let budget = section(&flow, "5. Budget and spend", "Annex: figures by county");
            let shown = mipaka::domain::unit::format_minor(spend, &p.currency);
            assert!(budget.contains(&format!("Spent to date ({}) {shown}", end.format("%-d %b %Y"))), "{}: {shown} not in {budget}", q.id());
            let summary = section(&flow, "Executive summary", "Output scores");
            assert!(summary.contains(&format!("{shown} spent to")), "{}: {summary}", q.id());
        }
    }
}

on_both_backends! {
    fn a_period_not_fully_approved_is_issued_only_when_confirmed_and_the_cover_says_so(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        // The page's quarters, newest first, with how much of each is approved.
        let today = mipaka::clock::today();
        let mut quarters = Vec::new();
        let mut q = Period::quarter_containing(p.start_date);
        while q.start() <= p.end_date && q.end() < today {
            quarters.push(q);
            q = q.next();
        }
        quarters.reverse();
        let ready = mipaka::report::readiness::of_programme(&mut c, &p, &quarters).unwrap();
        let complete = quarters.iter().find(|q| ready[q].complete()).copied().expect("a fully approved quarter in the demo");
        let partial = quarters.iter().find(|q| !ready[q].complete() && ready[q].expected > 0).copied().expect("a quarter not fully approved");
        // Cross-check one count against the rows: a county-quarter is approved when every
        // live indicator has an approved total for it.
        let live = framework::active_indicators_of(&mut c, p.id).unwrap().len();
        {
            use mipaka::db::schema::{indicator_values as v, indicators as i};
            let per_county: Vec<(i32, i64)> = v::table.inner_join(i::table)
                .filter(i::programme_id.eq(p.id)).filter(i::archived.eq(false))
                .filter(v::period.eq(partial.id())).filter(v::disaggregation.eq("")).filter(v::status.eq("approved"))
                .group_by(v::location_id).select((v::location_id, diesel::dsl::count_star()))
                .load(&mut *c).unwrap();
            let approved = per_county.iter().filter(|(_, n)| *n as usize >= live).count();
            assert_eq!(ready[&partial].approved, approved, "{partial:?}");
        }
        drop(c);

        let manager = t.client(db.clone());
        let csrf = sign_in(&manager, "manager", demo_password("manager"));
        // The page opens on the newest fully approved quarter and says how much is approved.
        let page = manager.get("/programmes/LBP/reports").dispatch().into_string().unwrap();
        assert!(page.contains(&format!("<option value=\"{}\" selected>", complete.id())), "opens on {}", complete.id());
        let page = manager.get(format!("/programmes/LBP/reports?period={}", partial.id())).dispatch().into_string().unwrap();
        let said = ready[&partial].describe();
        assert!(page.contains(&said) && page.contains("name=\"accept_unapproved\""), "{said}");

        // Unconfirmed: refused, and nothing issued.
        let r = manager.post("/programmes/LBP/reports/issue").header(ContentType::Form)
            .body(format!("csrf={csrf}&period={}", partial.id())).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let page = r.into_string().unwrap();
        assert!(page.contains("is not fully approved") && page.contains(&said), "{page}");
        let mut c = TestDb::conn(&db);
        assert!(mipaka::models::issued::of_programme(&mut c, p.id).unwrap().is_empty());
        // Confirmed: issued, recorded, and the cover states it.
        let r = manager.post("/programmes/LBP/reports/issue").header(ContentType::Form)
            .body(format!("csrf={csrf}&period={}&accept_unapproved=yes", partial.id())).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let issued = mipaka::models::issued::of_programme(&mut c, p.id).unwrap();
        assert_eq!(issued.len(), 1);
        assert_eq!(issued[0].approval.as_deref(), Some(said.as_str()));
        let bytes = std::fs::read(t.config.reports_dir.join(&issued[0].file_path)).unwrap();
        assert_valid_pdf(&bytes);
        if let Some(text) = pdf_flow(&bytes) {
            assert!(text.contains(&format!("Issued before approval was complete: {said}")), "{text}");
        }
        // The same refusals hold on the command line's path.
        let who = Actor { user_id: None, name: "test".into() };
        let err = issue::issue(&mut c, &t.config.reports_dir, &Subject::Donor(p.clone()), partial, &issue::IssueRequest { accept_unapproved: true, ..Default::default() }, &who, mipaka::clock::now()).unwrap_err();
        assert!(err.to_string().contains("say why"), "{err}");
    }
}

// ==== Ministry report: county ratings, the summary table, programme-wide plans, ====
// ==== period labels, activity counts and one programme's draft                   ====

/// The county rows of the ministry report's summary, from its flowing text: between the
/// section's heading and the next.
fn ministry_summary(flow: &str) -> &str {
    section(
        flow,
        "1. Counties and programmes at a glance",
        "2. Programmes in the period",
    )
}

/// A county's section of the ministry report (flowing text), up to the next county.
fn ministry_county<'a>(flow: &'a str, heading: &str) -> &'a str {
    let body = past_contents(flow);
    let counties = body
        + flow[body..]
            .find("4. County by county")
            .expect("county section");
    let at = counties
        + flow[counties..]
            .find(heading)
            .unwrap_or_else(|| panic!("{heading} missing"));
    let rest = &flow[at + heading.len()..];
    // The next county's heading; its own locator map's caption ("Turkana County (code
    // 023) in Kenya") is not one.
    let next = |pattern: &str| {
        rest.match_indices(pattern).map(|(i, _)| i).find(|&i| {
            !rest[i + pattern.len()..].starts_with("(code")
                && !rest[i + pattern.len()..].starts_with("code")
        })
    };
    let end = next(" County (")
        .or_else(|| next(" County "))
        .unwrap_or(rest.len());
    &flow[at..at + heading.len() + end]
}

/// Programmes running in `q`, in the report's order, and whether each covers a county
/// in `q` (its phase then).
fn running(c: &mut DbConn, q: &Period) -> Vec<(mipaka::models::programme::Programme, Vec<i32>)> {
    programme::all(c)
        .unwrap()
        .into_iter()
        .filter(|p| q.end() >= p.start_date && q.start() <= p.end_date)
        .map(|p| {
            let phases = programme::phases_of(c, p.id).unwrap();
            let counties = phases
                .iter()
                .filter(|ph| ph.phase.start_date <= q.start() && q.end() <= ph.phase.end_date)
                .flat_map(|ph| ph.counties.iter().map(|l| l.id))
                .collect();
            (p, counties)
        })
        .collect()
}

on_both_backends! {
    fn the_ministry_report_rates_a_county_only_against_its_own_target(t) {
        use mipaka::db::schema::{indicator_targets as it, indicator_values as v, locations};
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let q = period("2026Q2");
        let p = programme::by_code(&mut c, "KEUK-MOU").unwrap();
        let i = framework::indicators_of(&mut c, p.id).unwrap().into_iter().find(|i| i.unit == "count" && i.rules().unwrap().direction == Direction::HigherIsBetter && i.level() != mipaka::domain::disclosure::Level::Internal && i.small_rule().is_none()).expect("a count indicator, higher is better, shared without a small-number rule");
        let turkana: (i32, f64) = v::table
            .inner_join(locations::table)
            .filter(v::indicator_id.eq(i.id))
            .filter(v::period.eq(q.id()))
            .filter(v::disaggregation.eq(""))
            .filter(v::status.eq("approved"))
            .filter(locations::name.eq("Turkana"))
            .select((locations::id, v::value))
            .first(&mut *c)
            .unwrap();
        // Turkana's own milestone is twice what it reached: off track, whatever the
        // programme's rating. No other county has a target.
        diesel::insert_into(it::table)
            .values((
                it::indicator_id.eq(i.id),
                it::period.eq(q.id()),
                it::period_start.eq(q.start()),
                it::period_end.eq(q.end()),
                it::value.eq(turkana.1 * 2.0 + 10.0),
                it::location_id.eq(Some(turkana.0)),
                it::disaggregation.eq(""),
                it::version.eq(1),
            ))
            .execute(&mut *c)
            .unwrap();
        let (_, bytes) = issue::draft(&mut c, &Subject::Ministry, q).unwrap();
        assert_valid_pdf(&bytes);
        let Some(flow) = pdf_flow(&bytes) else { return };
        let unit: Unit = i.unit.parse().unwrap();
        let target = format_value(unit, turkana.1 * 2.0 + 10.0, &p.currency);
        let turkana_part = ministry_county(&flow, "Turkana County");
        let mou = &turkana_part[turkana_part.find(&p.name).expect("MoU part in Turkana")..];
        let row = &mou[mou.find(&format!("{} ", i.code)).expect("indicator row")..];
        let row = &row[..row.char_indices().nth(300).map(|(k, _)| k).unwrap_or(row.len())];
        assert!(row.contains(&target), "Turkana's own target printed: {row}");
        assert!(row.contains("✗ Off track"), "rated against the county's target: {row}");
        // Mandera has no county target: not rated, and said once rather than on every row.
        let mandera = ministry_county(&flow, "Mandera County");
        let mou = &mandera[mandera.find(&p.name).expect("MoU part in Mandera")..];
        let row = &mou[mou.find(&format!("{} ", i.code)).expect("indicator row")..];
        let row = &row[..row.char_indices().nth(300).map(|(k, _)| k).unwrap_or(row.len())];
        assert!(!row.contains("On track") && !row.contains("Off track") && !row.contains("Needs attention"), "not rated: {row}");
        assert!(!mou.contains("County RAG"), "no rating columns where nothing can be rated");
        assert!(mou.contains(&format!("{} sets no county target for Mandera: not rated.", p.code)), "{mou}");
        assert!(flow.contains("\"no county target\" where it has not"), "the note says why");

        // The summary: a row per county, a cell per programme, from the database.
        let summary = ministry_summary(&flow);
        let programmes = running(&mut c, &q);
        for county in ["Turkana", "Mandera", "Wajir"] {
            let id: i32 = locations::table.filter(locations::name.eq(county)).select(locations::id).first(&mut *c).unwrap();
            let mut cells = Vec::new();
            for (prog, covered) in &programmes {
                if !covered.contains(&id) {
                    cells.push(None);
                    continue;
                }
                // The report is for partners: internal indicators are not counted in it.
                let indicators = framework::indicators_of(&mut c, prog.id).unwrap().into_iter().filter(|i| !i.archived && i.publication_level != "internal").count();
                let approved: i64 = v::table
                    .inner_join(mipaka::db::schema::indicators::table)
                    .filter(mipaka::db::schema::indicators::programme_id.eq(prog.id))
                    .filter(mipaka::db::schema::indicators::publication_level.ne("internal"))
                    .filter(v::location_id.eq(id))
                    .filter(v::period.eq(q.id()))
                    .filter(v::disaggregation.eq(""))
                    .filter(v::status.eq("approved"))
                    .count()
                    .get_result(&mut *c)
                    .unwrap();
                let rated = prog.id == p.id && county == "Turkana";
                let tally = if rated { "✓0 ▲0 ✗1".to_string() } else { "no county target".to_string() };
                cells.push(Some(format!("{tally} · {approved}/{indicators} approved")));
            }
            let at = summary.find(&format!(" {county} ")).unwrap_or_else(|| panic!("{county} row"));
            let mut rest = &summary[at + county.len() + 1..];
            for cell in cells {
                match cell {
                    Some(cell) => {
                        assert!(rest.trim_start().starts_with(&cell), "{county}: {cell:?} expected at {:?}", &rest[..rest.len().min(120)]);
                        rest = &rest.trim_start()[cell.len()..];
                    }
                    None => {
                        let r = rest.trim_start();
                        assert!(r.starts_with('—') || r.starts_with("not in phase"), "{county}: {:?}", &r[..r.len().min(80)]);
                        rest = r.trim_start_matches('—');
                        if rest.trim_start().starts_with("not in phase") {
                            rest = &rest[rest.find("activities").unwrap() + "activities".len()..];
                        }
                    }
                }
            }
        }
        assert!(summary.contains("—: the programme does not work in the county"), "the cell explained");
    }
}

on_both_backends! {
    fn the_ministry_report_lists_programme_wide_plans_and_the_donor_reports_activities(t) {
        use mipaka::db::schema::programme_milestones as m;
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let q = period("2026Q2");
        let p = programme::by_code(&mut c, "LBP").unwrap();
        // A programme-wide milestone ("All counties") due in the period.
        let title = "Programme-wide steering committee review of Q2";
        diesel::insert_into(m::table)
            .values((
                m::programme_id.eq(p.id),
                m::location_id.eq(None::<i32>),
                m::title.eq(title),
                m::due_date.eq(q.start() + chrono::Days::new(30)),
                m::status.eq("planned"),
                m::evidence_note.eq(""),
                m::version.eq(1),
                m::updated_at.eq(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(9, 0, 0).unwrap()),
            ))
            .execute(&mut *c)
            .unwrap();
        let (_, bytes) = issue::draft(&mut c, &Subject::Ministry, q).unwrap();
        let Some(flow) = pdf_flow(&bytes) else { return };
        let wide = section(&flow, "3. Programme-wide milestones and activities", "4. County by county");
        let lbp = section(wide, &format!("{} ({})", p.name, p.code), "programme-wide activities under way");
        assert!(lbp.contains(title), "{lbp}");
        // Every programme states the donor report's activity count, split by place.
        let overview = section(&flow, "2. Programmes in the period", "3. Programme-wide");
        for (prog, _) in running(&mut c, &q) {
            let (_, donor) = issue::draft(&mut c, &Subject::Donor(prog.clone()), q).unwrap();
            let donor = pdf_flow(&donor).unwrap();
            let said = &donor[..donor.find(" activities; ").unwrap_or_else(|| panic!("{}: no activity count", prog.code))];
            let n: usize = said.rsplit(' ').next().unwrap().parse().unwrap();
            let late_at = &donor[donor.find(" activities; ").unwrap() + " activities; ".len()..];
            let late: usize = late_at.split(' ').next().unwrap().parse().unwrap();
            let row = &overview[overview.find(&format!("({})", prog.code)).unwrap()..];
            let at = row.find(" under way (").unwrap_or_else(|| panic!("{}: {row}", prog.code));
            let total: usize = row[..at].rsplit(' ').next().unwrap().parse().unwrap();
            assert_eq!(total, n, "{}: the donor report's count", prog.code);
            let split = &row[at + " under way (".len()..];
            let nums: Vec<usize> = split.split(|ch: char| !ch.is_ascii_digit()).filter(|s| !s.is_empty()).take(3).map(|s| s.parse().unwrap()).collect();
            assert_eq!(nums[0] + nums[1], n, "{}: county + programme-wide = all: {split}", prog.code);
            assert_eq!(nums[2], late, "{}: the same late count", prog.code);
            assert!(split.starts_with(&format!("{} in counties, {} programme-wide); {late} late", nums[0], nums[1])), "{split}");
        }
    }
}

on_both_backends! {
    fn the_fiscal_year_ministry_report_compares_with_the_previous_fiscal_year(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let (_, bytes) = issue::draft(&mut c, &Subject::Ministry, period("2025July")).unwrap();
        assert_valid_pdf(&bytes);
        let Some(flow) = pdf_flow(&bytes) else { return };
        assert!(flow.contains("Previous FY"), "the comparison column");
        assert!(!flow.contains("Previous quarter"), "not a quarter's label");
        assert!(flow.contains("This county, FY"));
        // A year's figure says how its quarters were combined.
        assert!(flow.contains("total of 4 quarters") || flow.contains("latest quarter, Apr–Jun 2026") || flow.contains("mean per quarter"));
        let (_, half) = issue::draft(&mut c, &Subject::Ministry, period("2026S1")).unwrap();
        let Some(flow) = pdf_flow(&half) else { return };
        assert!(flow.contains("Previous half-year") && !flow.contains("Previous quarter"));
    }
}

#[test]
fn the_ministry_report_command_drafts_one_programme_with_programme() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| mipaka_in(dir.path(), args);
    assert!(run(&["migrate"]).status.success());
    assert!(run(&["seed", "--demo"]).status.success());
    let out = dir.path().join("m-lbp.pdf");
    let args = [
        "report",
        "--kind",
        "ministry",
        "--programme",
        "LBP",
        "--period",
        "2026Q2",
        "-o",
        out.to_str().unwrap(),
    ];
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    assert_valid_pdf(&bytes);
    if let Some(flow) = pdf_flow(&bytes) {
        assert!(
            flow.contains("Programme Land Border Programme (LBP) only"),
            "the cover says so"
        );
        assert!(!flow.contains("(KEUK-MOU)"), "no other programme");
        assert!(flow.contains("Land Border Programme (LBP)"));
    }
    // Issuing one programme's ministry report is refused, naming both flags.
    let mut issue = args.to_vec();
    let other = dir.path().join("m-issued.pdf");
    issue[8] = other.to_str().unwrap();
    issue.push("--issue");
    let o = run(&issue);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "issued");
    assert!(
        err.contains("--programme LBP") && err.contains("--issue"),
        "{err}"
    );
    assert!(!other.exists(), "nothing written when refused");
}
