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
