//! Indicator targets (the logframe's interim milestones) and reported values.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{indicator_targets, indicator_values, indicators};
use crate::db::DbConn;
use crate::db_run;
use crate::error::AppResult;
use crate::models::INSERT_CHUNK;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = indicator_targets)]
pub struct Target {
    pub id: i32,
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = indicator_targets)]
pub struct NewTarget {
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = indicator_values)]
pub struct IndicatorValue {
    pub id: i32,
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub location_id: i32,
    pub disaggregation: String,
    pub value: f64,
    pub comment: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub entered_by: Option<i32>,
    pub entered_at: NaiveDateTime,
    pub reviewed_by: Option<i32>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = indicator_values)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewValue {
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub location_id: i32,
    pub disaggregation: String,
    pub value: f64,
    pub comment: Option<String>,
    pub status: String,
    pub entered_by: Option<i32>,
    pub entered_at: NaiveDateTime,
    pub reviewed_by: Option<i32>,
    pub reviewed_at: Option<NaiveDateTime>,
}

/// Statuses whose figures count on dashboards: drafts are still being typed.
pub const COUNTED: [&str; 2] = ["submitted", "approved"];

pub fn insert_targets(conn: &mut DbConn, rows: &[NewTarget]) -> AppResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        n += db_run!(conn: {
            diesel::insert_into(indicator_targets::table).values(chunk).execute(conn)?
        });
    }
    Ok(n)
}

pub fn insert_values(conn: &mut DbConn, rows: &[NewValue]) -> AppResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        n += db_run!(conn: {
            diesel::insert_into(indicator_values::table).values(chunk).execute(conn)?
        });
    }
    Ok(n)
}

pub fn targets_of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<Target>> {
    Ok(indicator_targets::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .order((
            indicator_targets::indicator_id,
            indicator_targets::period_start,
        ))
        .select(Target::as_select())
        .load(conn)?)
}

/// For each indicator of the programme, the end date of the latest period with counted
/// values. One grouped query over the (indicator_id, period_end) index.
pub fn latest_period_ends(
    conn: &mut DbConn,
    programme_id: i32,
) -> AppResult<Vec<(i32, NaiveDate)>> {
    let rows: Vec<(i32, Option<NaiveDate>)> = indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::status.eq_any(COUNTED))
        .group_by(indicator_values::indicator_id)
        .select((
            indicator_values::indicator_id,
            diesel::dsl::max(indicator_values::period_end),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, d)| d.map(|d| (id, d)))
        .collect())
}

pub fn count_of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<i64> {
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .count()
        .get_result(conn)?)
}

/// All values of the programme for one period (every status).
pub fn of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::period.eq(period))
        .select(IndicatorValue::as_select())
        .load(conn)?)
}

/// Sets a value's figure and comment if its version is still `version`; the new
/// version is `version + 1` and the status is back to draft. Returns rows changed: 0
/// means someone else changed it first.
pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    value: f64,
    comment: Option<&str>,
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<usize> {
    Ok(diesel::update(
        indicator_values::table
            .filter(indicator_values::id.eq(id))
            .filter(indicator_values::version.eq(version)),
    )
    .set((
        indicator_values::value.eq(value),
        indicator_values::comment.eq(comment),
        indicator_values::status.eq("draft"),
        indicator_values::status_reason.eq(None::<String>),
        indicator_values::entered_by.eq(by),
        indicator_values::entered_at.eq(at),
        indicator_values::reviewed_by.eq(None::<i32>),
        indicator_values::reviewed_at.eq(None::<NaiveDateTime>),
        indicator_values::version.eq(version + 1),
    ))
    .execute(conn)?)
}

pub fn delete_if_version(conn: &mut DbConn, id: i32, version: i32) -> AppResult<usize> {
    Ok(diesel::delete(
        indicator_values::table
            .filter(indicator_values::id.eq(id))
            .filter(indicator_values::version.eq(version)),
    )
    .execute(conn)?)
}

/// Moves the programme's values of a period from one of `from` to `to`, each a new
/// version; returns the values as they were.
pub fn set_status(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
    from: &[&str],
    to: &str,
    reason: Option<&str>,
    reviewer: Option<(Option<i32>, NaiveDateTime)>,
) -> AppResult<Vec<IndicatorValue>> {
    let ids: Vec<i32> = indicators::table
        .filter(indicators::programme_id.eq(programme_id))
        .select(indicators::id)
        .load(conn)?;
    let affected: Vec<IndicatorValue> = indicator_values::table
        .filter(indicator_values::indicator_id.eq_any(&ids))
        .filter(indicator_values::period.eq(period))
        .filter(indicator_values::status.eq_any(from))
        .select(IndicatorValue::as_select())
        .load(conn)?;
    let target = indicator_values::table
        .filter(indicator_values::indicator_id.eq_any(&ids))
        .filter(indicator_values::period.eq(period))
        .filter(indicator_values::status.eq_any(from));
    match reviewer {
        Some((by, at)) => diesel::update(target)
            .set((
                indicator_values::status.eq(to),
                indicator_values::status_reason.eq(reason),
                indicator_values::reviewed_by.eq(by),
                indicator_values::reviewed_at.eq(Some(at)),
                indicator_values::version.eq(indicator_values::version + 1),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                indicator_values::status.eq(to),
                indicator_values::status_reason.eq(reason),
                indicator_values::version.eq(indicator_values::version + 1),
            ))
            .execute(conn)?,
    };
    Ok(affected)
}

/// Every value of one indicator, oldest period first (for its history page).
pub fn of_indicator(conn: &mut DbConn, indicator_id: i32) -> AppResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .order((
            indicator_values::period_start,
            indicator_values::location_id,
            indicator_values::disaggregation,
        ))
        .select(IndicatorValue::as_select())
        .load(conn)?)
}

/// One indicator's county totals in one period, summed by the database.
#[derive(Debug, Clone)]
pub struct PeriodSum {
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub sum: f64,
    pub count: i64,
}

/// Per indicator and period: the sum and count of county totals with one of
/// `statuses`, aggregated by the database so the dashboard reads hundreds of rows, not
/// hundreds of thousands.
pub fn period_totals(
    conn: &mut DbConn,
    programme_id: i32,
    since: NaiveDate,
    statuses: &[&str],
) -> AppResult<Vec<PeriodSum>> {
    use diesel::dsl::{count_star, sum};
    let rows: Vec<(i32, String, NaiveDate, Option<f64>, i64)> = indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::status.eq_any(statuses))
        .filter(indicator_values::disaggregation.eq(""))
        .filter(indicator_values::period_start.ge(since))
        .group_by((
            indicator_values::indicator_id,
            indicator_values::period,
            indicator_values::period_start,
        ))
        .select((
            indicator_values::indicator_id,
            indicator_values::period,
            indicator_values::period_start,
            sum(indicator_values::value),
            count_star(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(indicator_id, period, period_start, sum, count)| PeriodSum {
                indicator_id,
                period,
                period_start,
                sum: sum.unwrap_or(0.0),
                count,
            },
        )
        .collect())
}

/// Every value of a programme with its indicator and county, for the CSV export.
pub fn export_rows(
    conn: &mut DbConn,
    programme_id: i32,
) -> AppResult<Vec<(IndicatorValue, String, String, String)>> {
    use crate::db::schema::locations;
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .inner_join(locations::table)
        .filter(indicators::programme_id.eq(programme_id))
        .order((
            indicators::position,
            indicator_values::period_start,
            locations::code,
            indicator_values::disaggregation,
        ))
        .select((
            IndicatorValue::as_select(),
            indicators::code,
            locations::code,
            locations::name,
        ))
        .load(conn)?)
}

/// A value by id, if it belongs to the programme.
pub fn find_in_programme(
    conn: &mut DbConn,
    programme_id: i32,
    id: i32,
) -> AppResult<IndicatorValue> {
    indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::id.eq(id))
        .select(IndicatorValue::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            crate::error::AppError::not_found("This programme has no value with that id.")
        })
}
