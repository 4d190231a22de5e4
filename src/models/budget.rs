//! Budget lines: an amount per output (and optionally one of its activities) per Kenyan
//! fiscal year, in minor units of the programme's currency.

use diesel::prelude::*;

use crate::db::schema::budget_lines;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = budget_lines)]
pub struct BudgetLine {
    pub id: i32,
    pub programme_id: i32,
    pub result_id: i32,
    pub activity_id: Option<i32>,
    /// A Kenyan fiscal year as a DHIS2 period: "2025July" is July 2025 – June 2026.
    pub fiscal_year: String,
    pub amount_minor: i64,
    pub description: String,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = budget_lines)]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub struct NewBudgetLine<'a> {
    pub programme_id: i32,
    pub result_id: i32,
    pub activity_id: Option<i32>,
    pub fiscal_year: &'a str,
    pub amount_minor: i64,
    pub description: &'a str,
}

pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<BudgetLine>> {
    Ok(budget_lines::table
        .filter(budget_lines::programme_id.eq(programme_id))
        .order((
            budget_lines::fiscal_year,
            budget_lines::result_id,
            budget_lines::activity_id,
            budget_lines::id,
        ))
        .select(BudgetLine::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, programme_id: i32, id: i32) -> AppResult<BudgetLine> {
    budget_lines::table
        .filter(budget_lines::programme_id.eq(programme_id))
        .filter(budget_lines::id.eq(id))
        .select(BudgetLine::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("This programme has no such budget line."))
}

pub fn insert(conn: &mut DbConn, new: &NewBudgetLine) -> AppResult<i32> {
    Ok(diesel::insert_into(budget_lines::table)
        .values(new)
        .returning(budget_lines::id)
        .get_result(conn)?)
}

pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    changes: &NewBudgetLine,
) -> AppResult<usize> {
    Ok(diesel::update(budget_lines::table)
        .filter(budget_lines::id.eq(id))
        .filter(budget_lines::version.eq(version))
        .set((changes, budget_lines::version.eq(version + 1)))
        .execute(conn)?)
}

pub fn delete_if_version(conn: &mut DbConn, id: i32, version: i32) -> AppResult<usize> {
    Ok(diesel::delete(
        budget_lines::table
            .filter(budget_lines::id.eq(id))
            .filter(budget_lines::version.eq(version)),
    )
    .execute(conn)?)
}
