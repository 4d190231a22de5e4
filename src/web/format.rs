//! Shaping figures for display: numbers become strings here, so templates stay dumb.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::achievement::Rag;
use crate::domain::unit::{format_value, Unit};

pub fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

pub fn date_range(a: NaiveDate, b: NaiveDate) -> String {
    format!("{} – {}", a.format("%b %Y"), b.format("%b %Y"))
}

pub fn value(unit: Unit, v: Option<f64>, currency: &str) -> String {
    v.map(|v| format_value(unit, v, currency))
        .unwrap_or_else(|| "—".into())
}

pub fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "—".into())
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
