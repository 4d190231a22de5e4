//! The results framework (logframe): impact → outcomes → outputs, and indicators.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{indicators, results};
use crate::db::DbConn;
use crate::domain::achievement::Direction;
use crate::domain::aggregation::{CountyAggregation, PeriodAggregation};
use crate::domain::disclosure::{Level, SmallRule};
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
    /// Kept for history (values, reports) but no longer part of the live framework.
    pub archived: bool,
    pub version: i32,
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
    pub end_target_date: Option<NaiveDate>,
    pub data_source: String,
    /// Hidden from entry and the live framework; kept in history, comparisons and the
    /// reports of periods it had data.
    pub archived: bool,
    pub version: i32,
    /// public, partners or internal: see [`crate::domain::disclosure::Level`].
    pub publication_level: String,
    /// none, fewer_than or withhold, with its threshold below.
    pub small_number_rule: String,
    pub small_number_below: Option<i32>,
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

    /// How far its figures may travel. The database allows only the three words; anything
    /// else is read as internal, so a damaged row never publishes more.
    pub fn level(&self) -> Level {
        self.publication_level.parse().unwrap_or(Level::Internal)
    }

    /// Its small-number rule. A damaged row is read as withholding below the largest
    /// threshold, for the same reason.
    pub fn small_rule(&self) -> Option<SmallRule> {
        SmallRule::parse(
            &self.small_number_rule,
            self.small_number_below.map(i64::from),
        )
        .unwrap_or(Some(SmallRule::Withhold(
            crate::domain::disclosure::MAX_BELOW,
        )))
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
    pub end_target_date: Option<NaiveDate>,
    pub data_source: &'a str,
}

/// What an indicator's setup changes in place (position and archiving apart).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = indicators)]
#[diesel(treat_none_as_null = true)]
pub struct IndicatorChanges<'a> {
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
    pub end_target_date: Option<NaiveDate>,
    pub means_of_verification: &'a str,
    pub data_source: &'a str,
    pub disaggregations: String,
    pub is_key: bool,
}

/// What a result's setup changes in place (position and archiving apart).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = results)]
#[diesel(treat_none_as_null = true)]
pub struct ResultChanges<'a> {
    pub parent_id: Option<i32>,
    pub code: &'a str,
    pub statement: &'a str,
    pub impact_weighting: Option<f64>,
    pub risk_rating: Option<&'a str>,
    pub assumptions: &'a str,
}

pub fn update_result_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    changes: &ResultChanges,
) -> AppResult<usize> {
    Ok(diesel::update(results::table)
        .filter(results::id.eq(id))
        .filter(results::version.eq(version))
        .set((changes, results::version.eq(version + 1)))
        .execute(conn)?)
}

pub fn update_indicator_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    changes: &IndicatorChanges,
) -> AppResult<usize> {
    Ok(diesel::update(indicators::table)
        .filter(indicators::id.eq(id))
        .filter(indicators::version.eq(version))
        .set((changes, indicators::version.eq(version + 1)))
        .execute(conn)?)
}

/// Sets an indicator's publication level and small-number rule, if it is still at
/// `version`; the number of rows changed (0: someone saved first).
pub fn set_publication_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    level: &str,
    rule: &str,
    below: Option<i32>,
) -> AppResult<usize> {
    Ok(diesel::update(indicators::table)
        .filter(indicators::id.eq(id))
        .filter(indicators::version.eq(version))
        .set((
            indicators::publication_level.eq(level),
            indicators::small_number_rule.eq(rule),
            indicators::small_number_below.eq(below),
            indicators::version.eq(version + 1),
        ))
        .execute(conn)?)
}

pub fn set_result_position(conn: &mut DbConn, id: i32, position: i32) -> AppResult<()> {
    diesel::update(results::table.find(id))
        .set(results::position.eq(position))
        .execute(conn)?;
    Ok(())
}

pub fn set_result_level(conn: &mut DbConn, id: i32, level: &str) -> AppResult<()> {
    diesel::update(results::table.find(id))
        .set(results::level.eq(level))
        .execute(conn)?;
    Ok(())
}

pub fn set_indicator_position(conn: &mut DbConn, id: i32, position: i32) -> AppResult<()> {
    diesel::update(indicators::table.find(id))
        .set(indicators::position.eq(position))
        .execute(conn)?;
    Ok(())
}

pub fn set_result_archived_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    archived: bool,
) -> AppResult<usize> {
    Ok(diesel::update(results::table)
        .filter(results::id.eq(id))
        .filter(results::version.eq(version))
        .set((
            results::archived.eq(archived),
            results::version.eq(version + 1),
        ))
        .execute(conn)?)
}

pub fn set_indicator_archived_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    archived: bool,
) -> AppResult<usize> {
    Ok(diesel::update(indicators::table)
        .filter(indicators::id.eq(id))
        .filter(indicators::version.eq(version))
        .set((
            indicators::archived.eq(archived),
            indicators::version.eq(version + 1),
        ))
        .execute(conn)?)
}

pub fn delete_result_if_version(conn: &mut DbConn, id: i32, version: i32) -> AppResult<usize> {
    Ok(diesel::delete(
        results::table
            .filter(results::id.eq(id))
            .filter(results::version.eq(version)),
    )
    .execute(conn)?)
}

pub fn delete_indicator_if_version(conn: &mut DbConn, id: i32, version: i32) -> AppResult<usize> {
    Ok(diesel::delete(
        indicators::table
            .filter(indicators::id.eq(id))
            .filter(indicators::version.eq(version)),
    )
    .execute(conn)?)
}

pub fn find_result(conn: &mut DbConn, programme_id: i32, id: i32) -> AppResult<ResultRow> {
    results::table
        .filter(results::programme_id.eq(programme_id))
        .filter(results::id.eq(id))
        .select(ResultRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("This programme has no such result."))
}

pub fn find_indicator(conn: &mut DbConn, programme_id: i32, id: i32) -> AppResult<Indicator> {
    indicators::table
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicators::id.eq(id))
        .select(Indicator::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("This programme has no such indicator."))
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

/// Every indicator of a programme, archived ones included (history, reports, comparisons).
pub fn indicators_of(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<Indicator>> {
    Ok(indicators::table
        .filter(indicators::programme_id.eq(programme_id))
        .order((indicators::position, indicators::code))
        .select(Indicator::as_select())
        .load(conn)?)
}

/// Every indicator's id and code (archived ones too).
pub fn indicator_codes(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<(i32, String)>> {
    Ok(indicators::table
        .filter(indicators::programme_id.eq(programme_id))
        .select((indicators::id, indicators::code))
        .load(conn)?)
}

/// The live indicators of a programme: what is entered and shown on the dashboard.
pub fn active_indicators_of(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<Indicator>> {
    Ok(indicators::table
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicators::archived.eq(false))
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
