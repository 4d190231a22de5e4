//! Programme milestones: events with a due date ("committee trained in Wajir").

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::programme_milestones;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = programme_milestones)]
pub struct Milestone {
    pub id: i32,
    pub programme_id: i32,
    pub result_id: Option<i32>,
    pub location_id: Option<i32>,
    pub title: String,
    pub due_date: NaiveDate,
    pub status: String,
    pub completed_date: Option<NaiveDate>,
    pub evidence_note: String,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

impl Milestone {
    pub fn is_open(&self) -> bool {
        !matches!(self.status.as_str(), "completed" | "cancelled")
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due_date < today
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = programme_milestones)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewMilestone<'a> {
    pub programme_id: i32,
    pub result_id: Option<i32>,
    pub location_id: Option<i32>,
    pub title: &'a str,
    pub due_date: NaiveDate,
    pub status: &'a str,
    pub completed_date: Option<NaiveDate>,
    pub evidence_note: &'a str,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewMilestone) -> AppResult<i32> {
    Ok(diesel::insert_into(programme_milestones::table)
        .values(new)
        .returning(programme_milestones::id)
        .get_result(conn)?)
}

pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<Milestone>> {
    Ok(programme_milestones::table
        .filter(programme_milestones::programme_id.eq(programme_id))
        .order((programme_milestones::due_date, programme_milestones::id))
        .select(Milestone::as_select())
        .load(conn)?)
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "planned" => "Planned",
        "in_progress" => "In progress",
        "completed" => "Completed",
        "delayed" => "Delayed",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

pub fn find(conn: &mut DbConn, programme_id: i32, id: i32) -> AppResult<Milestone> {
    programme_milestones::table
        .filter(programme_milestones::programme_id.eq(programme_id))
        .filter(programme_milestones::id.eq(id))
        .select(Milestone::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            crate::error::AppError::not_found("This programme has no milestone with that number.")
        })
}

/// Saves over version `version` only; returns rows changed (0: someone else saved first).
pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    m: &NewMilestone,
) -> AppResult<usize> {
    Ok(diesel::update(
        programme_milestones::table
            .filter(programme_milestones::id.eq(id))
            .filter(programme_milestones::version.eq(version)),
    )
    .set((
        programme_milestones::result_id.eq(m.result_id),
        programme_milestones::location_id.eq(m.location_id),
        programme_milestones::title.eq(m.title),
        programme_milestones::due_date.eq(m.due_date),
        programme_milestones::status.eq(m.status),
        programme_milestones::completed_date.eq(m.completed_date),
        programme_milestones::evidence_note.eq(m.evidence_note),
        programme_milestones::version.eq(version + 1),
        programme_milestones::updated_at.eq(m.updated_at),
    ))
    .execute(conn)?)
}
