//! Period locks: an approved period of a programme is locked until an M&E officer
//! unlocks it, with a reason.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::period_locks;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = period_locks)]
pub struct PeriodLock {
    pub id: i32,
    pub programme_id: i32,
    pub period: String,
    pub locked_by: Option<i32>,
    pub locked_at: NaiveDateTime,
    pub unlocked_by: Option<i32>,
    pub unlocked_at: Option<NaiveDateTime>,
    pub unlock_reason: Option<String>,
}

/// The lock in force on a programme's period, if any.
pub fn current(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Option<PeriodLock>> {
    Ok(period_locks::table
        .filter(period_locks::programme_id.eq(programme_id))
        .filter(period_locks::period.eq(period))
        .filter(period_locks::unlocked_at.is_null())
        .select(PeriodLock::as_select())
        .first(conn)
        .optional()?)
}

/// The newest lock of a programme's period that has been lifted, if any: who unlocked
/// the period, when and why.
pub fn last_unlock(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Option<PeriodLock>> {
    Ok(period_locks::table
        .filter(period_locks::programme_id.eq(programme_id))
        .filter(period_locks::period.eq(period))
        .filter(period_locks::unlocked_at.is_not_null())
        .order((period_locks::unlocked_at.desc(), period_locks::id.desc()))
        .select(PeriodLock::as_select())
        .first(conn)
        .optional()?)
}

pub fn lock(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<i32> {
    Ok(diesel::insert_into(period_locks::table)
        .values((
            period_locks::programme_id.eq(programme_id),
            period_locks::period.eq(period),
            period_locks::locked_by.eq(by),
            period_locks::locked_at.eq(at),
        ))
        .returning(period_locks::id)
        .get_result(conn)?)
}

pub fn unlock(
    conn: &mut DbConn,
    lock_id: i32,
    by: Option<i32>,
    at: NaiveDateTime,
    reason: &str,
) -> AppResult<()> {
    diesel::update(period_locks::table.find(lock_id))
        .set((
            period_locks::unlocked_by.eq(by),
            period_locks::unlocked_at.eq(Some(at)),
            period_locks::unlock_reason.eq(Some(reason)),
        ))
        .execute(conn)?;
    Ok(())
}
