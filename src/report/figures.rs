//! A report's figures: the programme's approved figures over the report's period from
//! the figures engine (`crate::figures`), with each county, the parts and the charts.
//!
//! Reports print **approved** values only: a donor must never hold a figure the ministry
//! has not signed off. Each quarter of the period is judged against the counties of the
//! phase it falls in, so a year across two phases is complete only when every county of
//! each quarter's own phase is approved.

use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::figures::{self, Request, Span};
use crate::models::programme::{PhaseWithCounties, Programme};

pub use crate::figures::{IndicatorFigure as ReportFigure, SpanFigures as PeriodFigures};

/// Quarters shown in a key indicator's chart, ending with the report's last quarter.
pub const HISTORY_QUARTERS: usize = 12;

/// The span a report period covers, or why the programme has no figure for it (a month
/// of a quarterly programme).
pub fn span_of(programme: &Programme, period: &Period) -> AppResult<Span> {
    Span::of(*period, &programme.reporting_frequency)
        .map_err(|e| AppError::invalid("period", e.to_string()))
}

/// Loads the period's figures; `history` is how many quarters each chart holds (0: no
/// chart, and neither parts nor to date: the ministry report prints neither).
pub fn load(
    conn: &mut DbConn,
    programme: &Programme,
    phases: &[PhaseWithCounties],
    period: &Period,
    history: usize,
) -> AppResult<PeriodFigures> {
    let span = span_of(programme, period)?;
    let req = if history == 0 {
        Request {
            parts: false,
            to_date: false,
            ..Request::report(0)
        }
    } else {
        Request::report(history)
    };
    figures::load(conn, programme, phases, &span, &req)
}
