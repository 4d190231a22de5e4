//! Shaping figures for display: numbers become strings here, so templates stay dumb.

use chrono::NaiveDate;

// Pages and reports write dates, figures and percentages the same way.
pub use crate::report::text::{date, percent, value};
use serde::Serialize;

use crate::domain::achievement::Rag;

pub fn date_range(a: NaiveDate, b: NaiveDate) -> String {
    format!("{} – {}", a.format("%b %Y"), b.format("%b %Y"))
}

#[derive(Debug, Serialize)]
pub struct RagView {
    pub class: &'static str,
    pub label: &'static str,
    pub symbol: &'static str,
}

pub fn rag(r: Option<Rag>) -> Option<RagView> {
    r.map(|r| RagView {
        class: r.as_str(),
        label: r.label(),
        symbol: r.symbol(),
    })
}
