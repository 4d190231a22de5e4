//! The manager's words on each output's progress in a reporting period. Edited with the
//! version it was read at, like the period's narrative (`narrative`), so two managers
//! never overwrite each other silently.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::output_narratives;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = output_narratives)]
pub struct OutputNarrative {
    pub id: i32,
    pub programme_id: i32,
    pub result_id: i32,
    pub period: String,
    pub narrative: String,
    pub updated_by: Option<i32>,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The programme's output narratives of a period, by output (result id).
pub fn of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<HashMap<i32, OutputNarrative>> {
    Ok(output_narratives::table
        .filter(output_narratives::programme_id.eq(programme_id))
        .filter(output_narratives::period.eq(period))
        .select(OutputNarrative::as_select())
        .load(conn)?
        .into_iter()
        .map(|n| (n.result_id, n))
        .collect())
}

/// Whether any period has a narrative for the result: then it is part of the record,
/// and removing the result archives it instead of deleting it.
pub fn any_for_result(conn: &mut DbConn, result_id: i32) -> AppResult<bool> {
    Ok(output_narratives::table
        .filter(output_narratives::result_id.eq(result_id))
        .select(output_narratives::id)
        .first::<i32>(conn)
        .optional()?
        .is_some())
}

pub fn insert(
    conn: &mut DbConn,
    programme_id: i32,
    result_id: i32,
    period: &str,
    text: &str,
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<i32> {
    Ok(diesel::insert_into(output_narratives::table)
        .values((
            output_narratives::programme_id.eq(programme_id),
            output_narratives::result_id.eq(result_id),
            output_narratives::period.eq(period),
            output_narratives::narrative.eq(text),
            output_narratives::updated_by.eq(by),
            output_narratives::updated_at.eq(at),
            output_narratives::version.eq(1),
        ))
        .returning(output_narratives::id)
        .get_result(conn)?)
}

/// Changes the text only if still at `version`; returns rows changed (0: someone else
/// saved first).
pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    text: &str,
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<usize> {
    Ok(diesel::update(
        output_narratives::table
            .filter(output_narratives::id.eq(id))
            .filter(output_narratives::version.eq(version)),
    )
    .set((
        output_narratives::narrative.eq(text),
        output_narratives::updated_by.eq(by),
        output_narratives::updated_at.eq(at),
        output_narratives::version.eq(version + 1),
    ))
    .execute(conn)?)
}
