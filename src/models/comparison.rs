//! Comparisons an evaluator saved: a name and the comparison page's query string.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::saved_comparisons;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = saved_comparisons)]
pub struct SavedComparison {
    pub id: i32,
    pub programme_id: i32,
    pub name: String,
    pub query: String,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
}

pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<SavedComparison>> {
    Ok(saved_comparisons::table
        .filter(saved_comparisons::programme_id.eq(programme_id))
        .order(saved_comparisons::id.desc())
        .select(SavedComparison::as_select())
        .load(conn)?)
}

pub fn by_id(conn: &mut DbConn, id: i32) -> AppResult<Option<SavedComparison>> {
    Ok(saved_comparisons::table
        .find(id)
        .select(SavedComparison::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(
    conn: &mut DbConn,
    programme_id: i32,
    name: &str,
    query: &str,
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<i32> {
    Ok(diesel::insert_into(saved_comparisons::table)
        .values((
            saved_comparisons::programme_id.eq(programme_id),
            saved_comparisons::name.eq(name),
            saved_comparisons::query.eq(query),
            saved_comparisons::created_by.eq(by),
            saved_comparisons::created_at.eq(at),
        ))
        .returning(saved_comparisons::id)
        .get_result(conn)?)
}
