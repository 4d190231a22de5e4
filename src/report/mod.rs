//! Reports: data assembly for issued progress reports and their PDF rendering. The
//! renderer (`render`) knows no database: `donor` and `ministry` read the data and
//! describe the document; `issue` builds, writes and keeps what was issued.

pub mod as_at;
pub mod changes;
pub mod donor;
pub mod figures;
pub mod issue;
pub mod maps;
pub mod ministry;
pub mod narrative;
pub mod output_narrative;
pub mod readiness;
pub mod render;
pub mod text;

use chrono::{NaiveDate, NaiveDateTime};

use crate::format;
use render::{Block, Cover, Document};

/// How a report is labelled: a draft, or an issued version with its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    Draft,
    Issued { version: i32, on: NaiveDate },
}

/// What a report says about itself around its body: cover, properties, running header.
pub struct Frame {
    pub title: String,
    pub subtitle: String,
    /// The report's own cover lines; "Data as of", "Report" and "Data code" follow.
    pub cover_lines: Vec<(String, String)>,
    pub pdf_title: String,
    pub subject: String,
    pub keywords: Vec<String>,
    pub header: String,
    pub demo: bool,
    /// When the newest approved figure was approved (None: nothing approved yet).
    pub data_as_of: Option<NaiveDateTime>,
    pub period_end: NaiveDate,
}

/// A report's opening after its cover: the contents, on a page of their own.
pub(crate) fn contents_page() -> Vec<Block> {
    vec![
        Block::Heading {
            level: 1,
            text: "Contents".into(),
        },
        Block::Contents,
        Block::PageBreak,
    ]
}

/// The document both reports are: cover, then the body. The body's hash is the short
/// "data" code on the cover and in the footer, so it covers exactly what is shown; the
/// only date in the file is the issue date (a draft: the date of its newest approval).
pub fn document(frame: Frame, issue: Issue, body: Vec<Block>) -> Document {
    let hash = text::short_hash(&body);
    let (version_line, footer_version, date) = match issue {
        Issue::Draft => (
            "Draft — not issued".to_string(),
            "Draft".to_string(),
            frame
                .data_as_of
                .map(|d| d.date())
                .unwrap_or(frame.period_end),
        ),
        Issue::Issued { version, on } => (
            format!("Version {version}, issued {}", format::date(on)),
            format!("Version {version}"),
            on,
        ),
    };
    let mut lines = frame.cover_lines;
    lines.push((
        "Data as of".to_string(),
        frame
            .data_as_of
            .map(|d| format!("{} (latest approval)", format::date(d.date())))
            .unwrap_or_else(|| "No approved figures yet".into()),
    ));
    lines.push(("Report".to_string(), version_line));
    lines.push((
        "Data code".to_string(),
        format!(
            "{hash} — a fingerprint of every figure and word in this report, also in each page's footer: the same code means the same content"
        ),
    ));
    let mut blocks = vec![Block::Cover(Cover {
        title: frame.title,
        subtitle: frame.subtitle,
        lines,
        banner: frame.demo.then(|| {
            "Demonstration data: the figures in this report are illustrative, not real programme results.".to_string()
        }),
    })];
    blocks.extend(body);
    Document {
        title: frame.pdf_title,
        author: "Mipaka programme tracker".into(),
        subject: frame.subject,
        keywords: frame.keywords,
        header: frame.header,
        notice: frame.demo.then(|| "Demonstration data".to_string()),
        footer_left: format!("{footer_version} · data {hash}"),
        creation_date: date,
        blocks,
    }
}
