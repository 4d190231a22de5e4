//! Every interim target row of an indicator — programme-wide, per county and per
//! disaggregation option — for setting them up. Figures read the programme-wide ones
//! through `models::values`.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{indicator_targets, indicators};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::models::values::NewTarget;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = indicator_targets)]
pub struct TargetRow {
    pub id: i32,
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: f64,
    pub location_id: Option<i32>,
    pub disaggregation: String,
    pub version: i32,
}

impl TargetRow {
    /// Which target this is: (period, county, part).
    pub fn key(&self) -> (String, Option<i32>, String) {
        (
            self.period.clone(),
            self.location_id,
            self.disaggregation.clone(),
        )
    }
}

pub fn of_indicator(conn: &mut DbConn, indicator_id: i32) -> AppResult<Vec<TargetRow>> {
    Ok(indicator_targets::table
        .filter(indicator_targets::indicator_id.eq(indicator_id))
        .order((
            indicator_targets::period_start,
            indicator_targets::period_end,
            indicator_targets::location_id,
            indicator_targets::disaggregation,
        ))
        .select(TargetRow::as_select())
        .load(conn)?)
}

/// Every target row of a programme's indicators.
pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<TargetRow>> {
    Ok(indicator_targets::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .order((
            indicator_targets::indicator_id,
            indicator_targets::period_start,
            indicator_targets::period_end,
            indicator_targets::location_id,
            indicator_targets::disaggregation,
        ))
        .select(TargetRow::as_select())
        .load(conn)?)
}

pub fn count_of_indicator(conn: &mut DbConn, indicator_id: i32) -> AppResult<i64> {
    Ok(indicator_targets::table
        .filter(indicator_targets::indicator_id.eq(indicator_id))
        .count()
        .get_result(conn)?)
}

pub fn insert(conn: &mut DbConn, new: &NewTarget) -> AppResult<i32> {
    Ok(diesel::insert_into(indicator_targets::table)
        .values(new)
        .returning(indicator_targets::id)
        .get_result(conn)?)
}

pub fn update_if_version(conn: &mut DbConn, id: i32, version: i32, value: f64) -> AppResult<usize> {
    Ok(diesel::update(indicator_targets::table)
        .filter(indicator_targets::id.eq(id))
        .filter(indicator_targets::version.eq(version))
        .set((
            indicator_targets::value.eq(value),
            indicator_targets::version.eq(version + 1),
        ))
        .execute(conn)?)
}

pub fn delete_if_version(conn: &mut DbConn, id: i32, version: i32) -> AppResult<usize> {
    Ok(diesel::delete(
        indicator_targets::table
            .filter(indicator_targets::id.eq(id))
            .filter(indicator_targets::version.eq(version)),
    )
    .execute(conn)?)
}
