//! Activities hang under outputs: who does what, where, when, for how much.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::activities;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = activities)]
pub struct Activity {
    pub id: i32,
    pub programme_id: i32,
    pub result_id: Option<i32>,
    pub code: String,
    pub title: String,
    pub lead_organisation_id: Option<i32>,
    pub location_id: Option<i32>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub status: String,
    pub percent_complete: i32,
    pub budget_minor: i64,
    pub spend_minor: i64,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

impl Activity {
    /// Late: not finished and past its planned end, or finished after it.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        match self.status.as_str() {
            "cancelled" => false,
            "completed" => self.actual_end.is_some_and(|end| end > self.planned_end),
            _ => self.planned_end < today || self.status == "delayed",
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = activities)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewActivity<'a> {
    pub programme_id: i32,
    pub result_id: Option<i32>,
    pub code: &'a str,
    pub title: &'a str,
    pub lead_organisation_id: Option<i32>,
    pub location_id: Option<i32>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub status: &'a str,
    pub percent_complete: i32,
    pub budget_minor: i64,
    pub spend_minor: i64,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewActivity) -> AppResult<i32> {
    Ok(diesel::insert_into(activities::table)
        .values(new)
        .returning(activities::id)
        .get_result(conn)?)
}

pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<Activity>> {
    Ok(activities::table
        .filter(activities::programme_id.eq(programme_id))
        .order((activities::planned_start, activities::code))
        .select(Activity::as_select())
        .load(conn)?)
}

pub const STATUSES: [&str; 5] = [
    "not_started",
    "in_progress",
    "delayed",
    "completed",
    "cancelled",
];

pub fn status_label(status: &str) -> &'static str {
    match status {
        "not_started" => "Not started",
        "in_progress" => "In progress",
        "completed" => "Completed",
        "delayed" => "Delayed",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

pub fn find(conn: &mut DbConn, programme_id: i32, id: i32) -> AppResult<Activity> {
    activities::table
        .filter(activities::programme_id.eq(programme_id))
        .filter(activities::id.eq(id))
        .select(Activity::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            crate::error::AppError::not_found("This programme has no activity with that number.")
        })
}

/// Saves over version `version` only; returns rows changed (0: someone else saved first).
pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    a: &NewActivity,
) -> AppResult<usize> {
    Ok(diesel::update(
        activities::table
            .filter(activities::id.eq(id))
            .filter(activities::version.eq(version)),
    )
    .set((
        activities::result_id.eq(a.result_id),
        activities::code.eq(a.code),
        activities::title.eq(a.title),
        activities::lead_organisation_id.eq(a.lead_organisation_id),
        activities::location_id.eq(a.location_id),
        activities::planned_start.eq(a.planned_start),
        activities::planned_end.eq(a.planned_end),
        activities::actual_start.eq(a.actual_start),
        activities::actual_end.eq(a.actual_end),
        activities::status.eq(a.status),
        activities::percent_complete.eq(a.percent_complete),
        activities::budget_minor.eq(a.budget_minor),
        activities::spend_minor.eq(a.spend_minor),
        activities::version.eq(version + 1),
        activities::updated_at.eq(a.updated_at),
    ))
    .execute(conn)?)
}
