//! A programme's disaggregation categories (sex, age band, agency, border post …)
//! and their options.

use diesel::prelude::*;

use crate::db::schema::{disaggregation_categories, disaggregation_options};
use crate::db::DbConn;
use crate::domain::disaggregation::{Category, CategoryOption, Dimensions};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = disaggregation_categories)]
pub struct CategoryRow {
    pub id: i32,
    pub programme_id: i32,
    pub code: String,
    pub label: String,
    pub position: i32,
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = disaggregation_options)]
pub struct OptionRow {
    pub id: i32,
    pub category_id: i32,
    pub code: String,
    pub label: String,
    pub position: i32,
}

/// The programme's categories with their options, in order.
pub fn of_programme(
    conn: &mut DbConn,
    programme_id: i32,
) -> AppResult<Vec<(CategoryRow, Vec<OptionRow>)>> {
    let cats: Vec<CategoryRow> = disaggregation_categories::table
        .filter(disaggregation_categories::programme_id.eq(programme_id))
        .order((
            disaggregation_categories::position,
            disaggregation_categories::id,
        ))
        .select(CategoryRow::as_select())
        .load(conn)?;
    let ids: Vec<i32> = cats.iter().map(|c| c.id).collect();
    let options: Vec<OptionRow> = disaggregation_options::table
        .filter(disaggregation_options::category_id.eq_any(&ids))
        .order((disaggregation_options::position, disaggregation_options::id))
        .select(OptionRow::as_select())
        .load(conn)?;
    Ok(cats
        .into_iter()
        .map(|c| {
            let opts = options
                .iter()
                .filter(|o| o.category_id == c.id)
                .cloned()
                .collect();
            (c, opts)
        })
        .collect())
}

/// The programme's categories as the pure rules see them.
pub fn dimensions(conn: &mut DbConn, programme_id: i32) -> AppResult<Dimensions> {
    Ok(Dimensions::new(
        of_programme(conn, programme_id)?
            .into_iter()
            .map(|(c, opts)| Category {
                code: c.code,
                label: c.label,
                options: opts
                    .into_iter()
                    .map(|o| CategoryOption {
                        code: o.code,
                        label: o.label,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

pub fn find(conn: &mut DbConn, programme_id: i32, id: i32) -> AppResult<CategoryRow> {
    disaggregation_categories::table
        .filter(disaggregation_categories::programme_id.eq(programme_id))
        .filter(disaggregation_categories::id.eq(id))
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("This programme has no such disaggregation category."))
}

pub fn insert(
    conn: &mut DbConn,
    programme_id: i32,
    code: &str,
    label: &str,
    position: i32,
) -> AppResult<i32> {
    Ok(diesel::insert_into(disaggregation_categories::table)
        .values((
            disaggregation_categories::programme_id.eq(programme_id),
            disaggregation_categories::code.eq(code),
            disaggregation_categories::label.eq(label),
            disaggregation_categories::position.eq(position),
        ))
        .returning(disaggregation_categories::id)
        .get_result(conn)?)
}

pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    code: &str,
    label: &str,
) -> AppResult<usize> {
    Ok(diesel::update(disaggregation_categories::table)
        .filter(disaggregation_categories::id.eq(id))
        .filter(disaggregation_categories::version.eq(version))
        .set((
            disaggregation_categories::code.eq(code),
            disaggregation_categories::label.eq(label),
            disaggregation_categories::version.eq(version + 1),
        ))
        .execute(conn)?)
}

/// Replaces the options of a category.
pub fn set_options(
    conn: &mut DbConn,
    category_id: i32,
    options: &[CategoryOption],
) -> AppResult<()> {
    diesel::delete(
        disaggregation_options::table.filter(disaggregation_options::category_id.eq(category_id)),
    )
    .execute(conn)?;
    for (i, o) in options.iter().enumerate() {
        diesel::insert_into(disaggregation_options::table)
            .values((
                disaggregation_options::category_id.eq(category_id),
                disaggregation_options::code.eq(&o.code),
                disaggregation_options::label.eq(&o.label),
                disaggregation_options::position.eq(i as i32 + 1),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn delete_if_version(conn: &mut DbConn, id: i32, version: i32) -> AppResult<usize> {
    Ok(diesel::delete(
        disaggregation_categories::table
            .filter(disaggregation_categories::id.eq(id))
            .filter(disaggregation_categories::version.eq(version)),
    )
    .execute(conn)?)
}
