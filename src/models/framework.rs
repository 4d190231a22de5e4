//! The results framework (logframe): impact → outcomes → outputs, and indicators.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{indicators, results};
use crate::db::DbConn;
use crate::domain::achievement::Direction;
use crate::domain::aggregation::{CountyAggregation, PeriodAggregation};
use crate::domain::unit::Unit;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = results)]
pub struct ResultRow {
    pub id: i32,
    pub programme_id: i32,
    pub parent_id: Option<i32>,
    pub level: String,
    pub code: String,
    pub statement: String,
    pub impact_weighting: Option<f64>,
    pub risk_rating: Option<String>,
    pub assumptions: String,
    pub position: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = results)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewResult<'a> {
    pub programme_id: i32,
    pub parent_id: Option<i32>,
    pub level: &'a str,
    pub code: &'a str,
    pub statement: &'a str,
    pub impact_weighting: Option<f64>,
    pub risk_rating: Option<&'a str>,
    pub assumptions: &'a str,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = indicators)]
pub struct Indicator {
    pub id: i32,
    pub programme_id: i32,
    pub result_id: i32,
    pub code: String,
    pub title: String,
    pub definition: String,
    pub unit: String,
    pub direction: String,
    pub county_aggregation: String,
    pub period_aggregation: String,
    pub baseline_value: Option<f64>,
    pub baseline_date: Option<NaiveDate>,
    pub end_target: Option<f64>,
    pub means_of_verification: String,
    pub disaggregations: String,
    pub is_key: bool,
    pub position: i32,
}

/// The stored words, read as domain rules. The database CHECK constraints allow only
/// these words, so a failure here means the data was changed behind the tracker's back.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorRules {
    pub unit: Unit,
    pub direction: Direction,
    pub county: CountyAggregation,
    pub period: PeriodAggregation,
}

impl Indicator {
    pub fn rules(&self) -> AppResult<IndicatorRules> {
        let bad = |what: &str, e: String| {
            AppError::Internal(format!(
                "indicator {} has an invalid {what}: {e}",
                self.code
            ))
        };
        Ok(IndicatorRules {
            unit: self
                .unit
                .parse()
                .map_err(|e: crate::domain::UnknownWordError| bad("unit", e.to_string()))?,
            direction: self
                .direction
                .parse()
                .map_err(|e: crate::domain::UnknownWordError| bad("direction", e.to_string()))?,
            county: self.county_aggregation.parse().map_err(
                |e: crate::domain::UnknownWordError| bad("county aggregation", e.to_string()),
            )?,
            period: self.period_aggregation.parse().map_err(
                |e: crate::domain::UnknownWordError| bad("period aggregation", e.to_string()),
            )?,
        })
    }

    /// Disaggregation dimensions beyond county, e.g. ["sex", "agency"].
    pub fn dimensions(&self) -> Vec<&str> {
        self.disaggregations
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = indicators)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewIndicator<'a> {
    pub programme_id: i32,
    pub result_id: i32,
    pub code: &'a str,
    pub title: &'a str,
    pub definition: &'a str,
    pub unit: &'a str,
    pub direction: &'a str,
    pub county_aggregation: &'a str,
    pub period_aggregation: &'a str,
    pub baseline_value: Option<f64>,
    pub baseline_date: Option<NaiveDate>,
    pub end_target: Option<f64>,
    pub means_of_verification: &'a str,
    pub disaggregations: String,
    pub is_key: bool,
    pub position: i32,
}

pub fn insert_result(conn: &mut DbConn, new: &NewResult) -> AppResult<i32> {
    Ok(diesel::insert_into(results::table)
        .values(new)
        .returning(results::id)
        .get_result(conn)?)
}

pub fn insert_indicator(conn: &mut DbConn, new: &NewIndicator) -> AppResult<i32> {
    Ok(diesel::insert_into(indicators::table)
        .values(new)
        .returning(indicators::id)
        .get_result(conn)?)
}

/// All results of a programme, parents before children, in logframe order.
pub fn results_of(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<ResultRow>> {
    Ok(results::table
        .filter(results::programme_id.eq(programme_id))
        .order((results::position, results::id))
        .select(ResultRow::as_select())
        .load(conn)?)
}

pub fn indicators_of(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<Indicator>> {
    Ok(indicators::table
        .filter(indicators::programme_id.eq(programme_id))
        .order((indicators::position, indicators::code))
        .select(Indicator::as_select())
        .load(conn)?)
}

pub fn level_rank(level: &str) -> u8 {
    match level {
        "impact" => 0,
        "outcome" => 1,
        _ => 2,
    }
}

pub fn indicator_by_code(conn: &mut DbConn, programme_id: i32, code: &str) -> AppResult<Indicator> {
    indicators::table
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicators::code.eq(code))
        .select(Indicator::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "This programme has no indicator with the code '{code}'."
            ))
        })
}

pub fn indicator_by_id(conn: &mut DbConn, id: i32) -> AppResult<Option<Indicator>> {
    Ok(indicators::table
        .find(id)
        .select(Indicator::as_select())
        .first(conn)
        .optional()?)
}

/// Indicators of any programme with this code (codes are unique within a programme).
pub fn indicators_with_code(conn: &mut DbConn, code: &str) -> AppResult<Vec<Indicator>> {
    Ok(indicators::table
        .filter(indicators::code.eq(code))
        .order(indicators::id)
        .select(Indicator::as_select())
        .load(conn)?)
}
