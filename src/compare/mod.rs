//! Evaluators' comparisons: a programme's indicators across two or more sides (phases,
//! years, ranges of quarters — possibly of the programme an indicator continues),
//! optionally split into two county groups, with changes judged by each indicator's
//! direction and, for two groups, the difference-in-differences.
//!
//! Figures are approved values only, combined by each indicator's own rules. A side gets
//! a value only when every county expected in every one of its quarters is in; sides
//! over different counties or of different lengths are said to be so; an indicator
//! whose definition changed, or that continues another, carries that beside its figure.

//!
//! The parts: `plan` resolves the question (sides, groups, counties, which indicator
//! stands for which); `numbers` reads the figures as plain values; `present` turns them
//! into cells, notes and charts; `saved` keeps a question under a name; `export` writes
//! the CSV and the report annex.

pub mod continuity;
pub mod export;
pub mod numbers;
pub mod plan;
pub mod present;
pub mod saved;
pub mod shared;
pub mod spec;

use chrono::NaiveDate;

use crate::db::DbConn;
use crate::domain::disclosure::Audience;
use crate::error::AppResult;
use crate::models::programme::Programme;
use spec::Spec;

pub use numbers::{IndicatorNumbers, Numbers, SideNumber};
pub use plan::{plan, suggestions, Group, Plan, Side};
pub use present::{
    Cell, ChangeCell, Comparison, CountyDetail, CountyLine, DidCell, GroupRow, Row, SideInfo,
};
pub use saved::{save, MAX_NAME};

/// The comparison a plan asks for: its numbers, then how they are shown.
pub fn compute(conn: &mut DbConn, plan: &Plan) -> AppResult<Comparison> {
    let numbers = numbers::numbers(conn, plan)?;
    present::comparison(plan, &numbers)
}

/// Each county's own value per side for one indicator: the figures behind a row.
pub fn county_detail(conn: &mut DbConn, plan: &Plan, code: &str) -> AppResult<CountyDetail> {
    let indicator = plan.own_indicator(code)?;
    let sides = numbers::county_values(conn, plan, indicator)?;
    Ok(present::county_detail(plan, indicator, &sides))
}

/// What one request asks: the comparison, and perhaps one indicator's counties.
pub struct Answer {
    pub comparison: Comparison,
    pub counties: Option<CountyDetail>,
}

/// Runs the comparison for `access`: Export on the programme and on every programme
/// whose data a side reads (an earlier programme's phase included). What `audience` may
/// not see is taken out (the CSV and the API are for partners: they leave the tracker).
pub fn answer(
    conn: &mut DbConn,
    access: &crate::auth::Access,
    programme: &Programme,
    spec: Spec,
    detail: Option<&str>,
    today: NaiveDate,
    audience: Audience,
) -> AppResult<Answer> {
    let plan = plan(conn, programme, spec, today, Some(access))?;
    plan.check_access(access)?;
    let mut comparison = compute(conn, &plan)?;
    let mut counties = match detail {
        Some(code) if !code.trim().is_empty() => Some(county_detail(conn, &plan, code.trim())?),
        _ => None,
    };
    shared::disclose(&mut comparison, &mut counties, &plan.rules(), audience);
    Ok(Answer {
        comparison,
        counties,
    })
}

impl Plan {
    /// Each of the programme's indicators' publication level and small-number rule, by
    /// code (a comparison's rows are named by the programme's own indicator).
    pub fn rules(&self) -> shared::Rules {
        self.indicators
            .values()
            .map(|i| (i.code.clone(), (i.level(), i.small_rule())))
            .collect()
    }
}
