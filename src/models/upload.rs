//! Uploaded CSV files between preview and commit.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::csv_uploads;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = csv_uploads)]
pub struct Upload {
    pub id: i32,
    pub programme_id: i32,
    pub user_id: i32,
    pub file_name: String,
    pub sha256: String,
    pub content: String,
    pub created_at: NaiveDateTime,
}

pub fn store(
    conn: &mut DbConn,
    programme_id: i32,
    user_id: i32,
    file_name: &str,
    content: &str,
    at: NaiveDateTime,
) -> AppResult<i32> {
    // Old previews of this user and programme are no longer wanted.
    diesel::delete(
        csv_uploads::table
            .filter(csv_uploads::user_id.eq(user_id))
            .filter(csv_uploads::programme_id.eq(programme_id)),
    )
    .execute(conn)?;
    Ok(diesel::insert_into(csv_uploads::table)
        .values((
            csv_uploads::programme_id.eq(programme_id),
            csv_uploads::user_id.eq(user_id),
            csv_uploads::file_name.eq(file_name),
            csv_uploads::sha256.eq(super::session::sha256_hex(content)),
            csv_uploads::content.eq(content),
            csv_uploads::created_at.eq(at),
        ))
        .returning(csv_uploads::id)
        .get_result(conn)?)
}

/// The user's own upload for this programme; anything else is "not found".
pub fn find(conn: &mut DbConn, id: i32, programme_id: i32, user_id: i32) -> AppResult<Upload> {
    csv_uploads::table
        .filter(csv_uploads::id.eq(id))
        .filter(csv_uploads::programme_id.eq(programme_id))
        .filter(csv_uploads::user_id.eq(user_id))
        .select(Upload::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That upload is gone (it was imported or replaced by a newer one). Upload the file again."))
}

pub fn remove(conn: &mut DbConn, id: i32) -> AppResult<()> {
    diesel::delete(csv_uploads::table.find(id)).execute(conn)?;
    Ok(())
}
