//! Where each activity stood at the end of a reporting period (a quarter): status,
//! % complete, spend to date and a note, with the same workflow as the period's
//! indicator values (draft → submitted → approved, or returned). The rules that read
//! them "as at" a date are in `domain::progress`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{activities, activity_progress};
use crate::db::DbConn;
use crate::db_run;
use crate::error::AppResult;
use crate::models::INSERT_CHUNK;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = activity_progress)]
pub struct ActivityProgress {
    pub id: i32,
    pub activity_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: String,
    pub percent_complete: i32,
    pub spend_to_date_minor: i64,
    pub note: String,
    /// draft | submitted | approved | returned, as indicator values.
    pub workflow_status: String,
    pub status_reason: Option<String>,
    pub entered_by: Option<i32>,
    pub entered_at: NaiveDateTime,
    pub reviewed_by: Option<i32>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = activity_progress)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewProgress {
    pub activity_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: String,
    pub percent_complete: i32,
    pub spend_to_date_minor: i64,
    pub note: String,
    pub workflow_status: String,
    pub entered_by: Option<i32>,
    pub entered_at: NaiveDateTime,
    pub reviewed_by: Option<i32>,
    pub reviewed_at: Option<NaiveDateTime>,
}

/// What a person changes in one row: the figures and the note.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressFigures {
    pub status: String,
    pub percent_complete: i32,
    pub spend_to_date_minor: i64,
    pub note: String,
}

impl ActivityProgress {
    pub fn figures(&self) -> ProgressFigures {
        ProgressFigures {
            status: self.status.clone(),
            percent_complete: self.percent_complete,
            spend_to_date_minor: self.spend_to_date_minor,
            note: self.note.clone(),
        }
    }

    pub fn is_approved(&self) -> bool {
        self.workflow_status == "approved"
    }
}

pub fn insert(conn: &mut DbConn, new: &NewProgress) -> AppResult<i32> {
    Ok(diesel::insert_into(activity_progress::table)
        .values(new)
        .returning(activity_progress::id)
        .get_result(conn)?)
}

/// Many rows at once (the demonstration history).
pub fn insert_many(conn: &mut DbConn, rows: &[NewProgress]) -> AppResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        n += db_run!(conn: {
            diesel::insert_into(activity_progress::table).values(chunk).execute(conn)?
        });
    }
    Ok(n)
}

fn activity_ids(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<i32>> {
    Ok(activities::table
        .filter(activities::programme_id.eq(programme_id))
        .select(activities::id)
        .load(conn)?)
}

/// Every progress row of a programme's activities, oldest period first.
pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<ActivityProgress>> {
    let ids = activity_ids(conn, programme_id)?;
    Ok(activity_progress::table
        .filter(activity_progress::activity_id.eq_any(&ids))
        .order((
            activity_progress::period_end,
            activity_progress::activity_id,
        ))
        .select(ActivityProgress::as_select())
        .load(conn)?)
}

/// The progress rows of one period of a programme.
pub fn of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Vec<ActivityProgress>> {
    let ids = activity_ids(conn, programme_id)?;
    Ok(activity_progress::table
        .filter(activity_progress::activity_id.eq_any(&ids))
        .filter(activity_progress::period.eq(period))
        .order(activity_progress::activity_id)
        .select(ActivityProgress::as_select())
        .load(conn)?)
}

/// One activity's rows, oldest first.
pub fn of_activity(conn: &mut DbConn, activity_id: i32) -> AppResult<Vec<ActivityProgress>> {
    Ok(activity_progress::table
        .filter(activity_progress::activity_id.eq(activity_id))
        .order(activity_progress::period_end)
        .select(ActivityProgress::as_select())
        .load(conn)?)
}

/// Saves new figures over version `version` only, back to draft (a changed row must be
/// submitted again); returns rows changed (0: someone else saved first).
pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    f: &ProgressFigures,
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<usize> {
    Ok(diesel::update(
        activity_progress::table
            .filter(activity_progress::id.eq(id))
            .filter(activity_progress::version.eq(version)),
    )
    .set((
        activity_progress::status.eq(&f.status),
        activity_progress::percent_complete.eq(f.percent_complete),
        activity_progress::spend_to_date_minor.eq(f.spend_to_date_minor),
        activity_progress::note.eq(&f.note),
        activity_progress::workflow_status.eq("draft"),
        activity_progress::status_reason.eq(None::<String>),
        activity_progress::entered_by.eq(by),
        activity_progress::entered_at.eq(at),
        activity_progress::reviewed_by.eq(None::<i32>),
        activity_progress::reviewed_at.eq(None::<NaiveDateTime>),
        activity_progress::version.eq(version + 1),
    ))
    .execute(conn)?)
}

/// Moves a period's rows from `from` to `to` (each a new version); returns them as they
/// were.
pub fn set_status(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
    from: &[&str],
    to: &str,
    reason: Option<&str>,
    reviewer: Option<(Option<i32>, NaiveDateTime)>,
) -> AppResult<Vec<ActivityProgress>> {
    let ids = activity_ids(conn, programme_id)?;
    let affected: Vec<ActivityProgress> = activity_progress::table
        .filter(activity_progress::activity_id.eq_any(&ids))
        .filter(activity_progress::period.eq(period))
        .filter(activity_progress::workflow_status.eq_any(from))
        .select(ActivityProgress::as_select())
        .load(conn)?;
    let target = activity_progress::table
        .filter(activity_progress::activity_id.eq_any(&ids))
        .filter(activity_progress::period.eq(period))
        .filter(activity_progress::workflow_status.eq_any(from));
    match reviewer {
        Some((by, at)) => diesel::update(target)
            .set((
                activity_progress::workflow_status.eq(to),
                activity_progress::status_reason.eq(reason),
                activity_progress::reviewed_by.eq(by),
                activity_progress::reviewed_at.eq(Some(at)),
                activity_progress::version.eq(activity_progress::version + 1),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                activity_progress::workflow_status.eq(to),
                activity_progress::status_reason.eq(reason),
                activity_progress::version.eq(activity_progress::version + 1),
            ))
            .execute(conn)?,
    };
    Ok(affected)
}
