//! Issued reports: the record of each PDF written under the reports folder, never
//! changed once written.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::issued_reports;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = issued_reports)]
pub struct IssuedReport {
    pub id: i32,
    pub programme_id: Option<i32>,
    pub kind: String,
    pub period: String,
    pub version: i32,
    pub file_path: String,
    pub sha256: String,
    pub data_hash: String,
    pub size_bytes: i64,
    pub issued_by: Option<i32>,
    pub issued_at: NaiveDateTime,
    /// Why this version was issued (every version after the first has one).
    pub reason: Option<String>,
    /// Set when it was issued before every county-quarter was approved: how many were.
    pub approval: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = issued_reports)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewIssued<'a> {
    pub programme_id: Option<i32>,
    pub kind: &'a str,
    pub period: &'a str,
    pub version: i32,
    pub file_path: &'a str,
    pub sha256: &'a str,
    pub data_hash: &'a str,
    pub size_bytes: i64,
    pub issued_by: Option<i32>,
    pub issued_at: NaiveDateTime,
    pub reason: Option<&'a str>,
    pub approval: Option<&'a str>,
    /// What the report showed, for the next version's change log (gzip JSON).
    pub snapshot: Option<&'a [u8]>,
}

pub fn insert(conn: &mut DbConn, new: &NewIssued) -> AppResult<i32> {
    Ok(diesel::insert_into(issued_reports::table)
        .values(new)
        .returning(issued_reports::id)
        .get_result(conn)?)
}

/// Reports of one programme (donor reports), newest first.
pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<IssuedReport>> {
    Ok(issued_reports::table
        .filter(issued_reports::programme_id.eq(programme_id))
        .order((issued_reports::issued_at.desc(), issued_reports::id.desc()))
        .select(IssuedReport::as_select())
        .load(conn)?)
}

/// Reports across programmes (ministry reports), newest first.
pub fn of_kind(conn: &mut DbConn, kind: &str) -> AppResult<Vec<IssuedReport>> {
    Ok(issued_reports::table
        .filter(issued_reports::kind.eq(kind))
        .filter(issued_reports::programme_id.is_null())
        .order((issued_reports::issued_at.desc(), issued_reports::id.desc()))
        .select(IssuedReport::as_select())
        .load(conn)?)
}

pub fn by_id(conn: &mut DbConn, id: i32) -> AppResult<Option<IssuedReport>> {
    Ok(issued_reports::table
        .filter(issued_reports::id.eq(id))
        .select(IssuedReport::as_select())
        .first(conn)
        .optional()?)
}

/// The next version number for a report of this kind, programme and period.
pub fn next_version(
    conn: &mut DbConn,
    programme_id: Option<i32>,
    kind: &str,
    period: &str,
) -> AppResult<i32> {
    let mut q = issued_reports::table
        .filter(issued_reports::kind.eq(kind))
        .filter(issued_reports::period.eq(period))
        .select(diesel::dsl::max(issued_reports::version))
        .into_boxed();
    q = match programme_id {
        Some(id) => q.filter(issued_reports::programme_id.eq(id)),
        None => q.filter(issued_reports::programme_id.is_null()),
    };
    Ok(q.first::<Option<i32>>(conn)?.unwrap_or(0) + 1)
}

/// The newest issued version of a report of this kind, programme and period, with what
/// it showed (None for a version issued before snapshots were kept).
pub fn latest_with_snapshot(
    conn: &mut DbConn,
    programme_id: Option<i32>,
    kind: &str,
    period: &str,
) -> AppResult<Option<(IssuedReport, Option<Vec<u8>>)>> {
    let mut q = issued_reports::table
        .filter(issued_reports::kind.eq(kind))
        .filter(issued_reports::period.eq(period))
        .order(issued_reports::version.desc())
        .select((IssuedReport::as_select(), issued_reports::snapshot))
        .into_boxed();
    q = match programme_id {
        Some(id) => q.filter(issued_reports::programme_id.eq(id)),
        None => q.filter(issued_reports::programme_id.is_null()),
    };
    Ok(q.first(conn).optional()?)
}
