//! Uploaded logframe workbooks between preview and commit: the bytes, so the commit
//! applies exactly the file that was previewed, and the preview's plan hash, so it
//! applies only what the preview showed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::logframe_uploads;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = logframe_uploads)]
pub struct LogframeUpload {
    pub id: i32,
    pub programme_id: i32,
    pub user_id: i32,
    pub file_name: String,
    pub sha256: String,
    pub content: Vec<u8>,
    pub plan_hash: String,
    pub created_at: NaiveDateTime,
}

pub struct NewUpload<'a> {
    pub programme_id: i32,
    pub user_id: i32,
    pub file_name: &'a str,
    pub content: &'a [u8],
    pub plan_hash: &'a str,
    pub at: NaiveDateTime,
}

/// Keeps a previewed workbook; the user's older previews for the programme go.
pub fn store(conn: &mut DbConn, u: &NewUpload) -> AppResult<i32> {
    diesel::delete(
        logframe_uploads::table
            .filter(logframe_uploads::user_id.eq(u.user_id))
            .filter(logframe_uploads::programme_id.eq(u.programme_id)),
    )
    .execute(conn)?;
    let sha: String = Sha256::digest(u.content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(diesel::insert_into(logframe_uploads::table)
        .values((
            logframe_uploads::programme_id.eq(u.programme_id),
            logframe_uploads::user_id.eq(u.user_id),
            logframe_uploads::file_name.eq(u.file_name),
            logframe_uploads::sha256.eq(sha),
            logframe_uploads::content.eq(u.content),
            logframe_uploads::plan_hash.eq(u.plan_hash),
            logframe_uploads::created_at.eq(u.at),
        ))
        .returning(logframe_uploads::id)
        .get_result(conn)?)
}

/// The user's own upload for this programme; anything else is "not found".
pub fn find(
    conn: &mut DbConn,
    id: i32,
    programme_id: i32,
    user_id: i32,
) -> AppResult<LogframeUpload> {
    logframe_uploads::table
        .filter(logframe_uploads::id.eq(id))
        .filter(logframe_uploads::programme_id.eq(programme_id))
        .filter(logframe_uploads::user_id.eq(user_id))
        .select(LogframeUpload::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::not_found(
                "That upload is gone (it was imported, or replaced by a newer preview). Upload the workbook again.",
            )
        })
}

pub fn remove(conn: &mut DbConn, id: i32) -> AppResult<()> {
    diesel::delete(logframe_uploads::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(logframe_uploads::table.count().get_result(conn)?)
}
