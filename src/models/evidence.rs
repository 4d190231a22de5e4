//! Evidence files: the attachment rows and, with PostgreSQL, the bytes by SHA-256.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{evidence_blobs, evidence_files};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = evidence_files)]
pub struct Evidence {
    pub id: i32,
    pub programme_id: i32,
    pub target: String,
    pub indicator_id: Option<i32>,
    pub location_id: Option<i32>,
    pub period: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub milestone_id: Option<i32>,
    pub activity_id: Option<i32>,
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Option<i32>,
    pub uploaded_at: NaiveDateTime,
    pub archived: bool,
    pub archived_by: Option<i32>,
    pub archived_at: Option<NaiveDateTime>,
    pub archive_reason: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = evidence_files)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewEvidence<'a> {
    pub programme_id: i32,
    pub target: &'a str,
    pub indicator_id: Option<i32>,
    pub location_id: Option<i32>,
    pub period: Option<&'a str>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub milestone_id: Option<i32>,
    pub activity_id: Option<i32>,
    pub sha256: &'a str,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub size_bytes: i64,
    pub uploaded_by: Option<i32>,
    pub uploaded_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewEvidence) -> AppResult<i32> {
    Ok(diesel::insert_into(evidence_files::table)
        .values(new)
        .returning(evidence_files::id)
        .get_result(conn)?)
}

/// One attachment of the programme.
pub fn find(conn: &mut DbConn, programme_id: i32, id: i32) -> AppResult<Evidence> {
    evidence_files::table
        .filter(evidence_files::programme_id.eq(programme_id))
        .filter(evidence_files::id.eq(id))
        .select(Evidence::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("This programme has no evidence file with that number."))
}

/// Every attachment of an indicator's figures (all counties and periods), newest first.
pub fn of_indicator(conn: &mut DbConn, indicator_id: i32) -> AppResult<Vec<Evidence>> {
    Ok(evidence_files::table
        .filter(evidence_files::indicator_id.eq(indicator_id))
        .order((
            evidence_files::period_start.desc(),
            evidence_files::id.desc(),
        ))
        .select(Evidence::as_select())
        .load(conn)?)
}

pub fn of_milestone(conn: &mut DbConn, milestone_id: i32) -> AppResult<Vec<Evidence>> {
    Ok(evidence_files::table
        .filter(evidence_files::milestone_id.eq(milestone_id))
        .order(evidence_files::id.desc())
        .select(Evidence::as_select())
        .load(conn)?)
}

pub fn of_activity(conn: &mut DbConn, activity_id: i32) -> AppResult<Vec<Evidence>> {
    Ok(evidence_files::table
        .filter(evidence_files::activity_id.eq(activity_id))
        .order(evidence_files::id.desc())
        .select(Evidence::as_select())
        .load(conn)?)
}

/// Every attachment of the programme, oldest first (the report annex picks from them).
pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<Evidence>> {
    Ok(evidence_files::table
        .filter(evidence_files::programme_id.eq(programme_id))
        .order(evidence_files::id)
        .select(Evidence::as_select())
        .load(conn)?)
}

/// Marks it archived; returns rows changed (0: it was archived already).
pub fn archive(
    conn: &mut DbConn,
    id: i32,
    by: Option<i32>,
    at: NaiveDateTime,
    reason: &str,
) -> AppResult<usize> {
    Ok(diesel::update(
        evidence_files::table
            .filter(evidence_files::id.eq(id))
            .filter(evidence_files::archived.eq(false)),
    )
    .set((
        evidence_files::archived.eq(true),
        evidence_files::archived_by.eq(by),
        evidence_files::archived_at.eq(Some(at)),
        evidence_files::archive_reason.eq(Some(reason)),
    ))
    .execute(conn)?)
}

/// Attachment rows in all: for tests and the health of the store.
pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(evidence_files::table.count().get_result(conn)?)
}

/// Blobs kept in the database (PostgreSQL's store).
pub fn blob_count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(evidence_blobs::table.count().get_result(conn)?)
}

/// Keeps the bytes under their hash unless they are kept already (PostgreSQL's store).
/// Returns whether they were new.
pub fn put_blob(
    conn: &mut DbConn,
    sha256: &str,
    content: &[u8],
    at: NaiveDateTime,
) -> AppResult<bool> {
    let row = (
        evidence_blobs::sha256.eq(sha256),
        evidence_blobs::size_bytes.eq(content.len() as i64),
        evidence_blobs::content.eq(content),
        evidence_blobs::created_at.eq(at),
    );
    // Two servers may keep the same file at the same moment: the second insert does
    // nothing rather than failing (each backend says so in its own words).
    let inserted = crate::db_run!(conn: {
        diesel::insert_into(evidence_blobs::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(conn)?
    });
    Ok(inserted > 0)
}

/// The bytes kept under a hash in the database, if any.
pub fn blob(conn: &mut DbConn, sha256: &str) -> AppResult<Option<Vec<u8>>> {
    Ok(evidence_blobs::table
        .find(sha256)
        .select(evidence_blobs::content)
        .first(conn)
        .optional()?)
}
