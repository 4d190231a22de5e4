//! Indicator continuity: which indicator continues which (across programmes), and
//! changes of definition in place. A small table; comparisons read all of it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::indicator_links;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = indicator_links)]
pub struct IndicatorLink {
    pub id: i32,
    pub indicator_id: i32,
    pub continues_id: Option<i32>,
    pub effective_period: Option<String>,
    pub definition_changed: bool,
    pub note: String,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
}

pub fn all(conn: &mut DbConn) -> AppResult<Vec<IndicatorLink>> {
    Ok(indicator_links::table
        .order(indicator_links::id)
        .select(IndicatorLink::as_select())
        .load(conn)?)
}

/// Links that mention the indicator, as the later or as the earlier one.
pub fn touching(conn: &mut DbConn, indicator_id: i32) -> AppResult<Vec<IndicatorLink>> {
    Ok(indicator_links::table
        .filter(
            indicator_links::indicator_id
                .eq(indicator_id)
                .or(indicator_links::continues_id.eq(indicator_id)),
        )
        .order(indicator_links::id)
        .select(IndicatorLink::as_select())
        .load(conn)?)
}

pub fn by_id(conn: &mut DbConn, id: i32) -> AppResult<Option<IndicatorLink>> {
    Ok(indicator_links::table
        .find(id)
        .select(IndicatorLink::as_select())
        .first(conn)
        .optional()?)
}

pub struct NewLink<'a> {
    pub indicator_id: i32,
    pub continues_id: Option<i32>,
    pub effective_period: Option<&'a str>,
    pub definition_changed: bool,
    pub note: &'a str,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, l: &NewLink) -> AppResult<i32> {
    Ok(diesel::insert_into(indicator_links::table)
        .values((
            indicator_links::indicator_id.eq(l.indicator_id),
            indicator_links::continues_id.eq(l.continues_id),
            indicator_links::effective_period.eq(l.effective_period),
            indicator_links::definition_changed.eq(l.definition_changed),
            indicator_links::note.eq(l.note),
            indicator_links::created_by.eq(l.created_by),
            indicator_links::created_at.eq(l.created_at),
        ))
        .returning(indicator_links::id)
        .get_result(conn)?)
}

pub fn delete(conn: &mut DbConn, id: i32) -> AppResult<usize> {
    Ok(diesel::delete(indicator_links::table.find(id)).execute(conn)?)
}
