use diesel::prelude::*;

use crate::db::schema::locations;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = locations)]
pub struct Location {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_id: Option<i32>,
    pub mou_initial: bool,
    pub borders: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = locations)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewLocation<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub level: &'a str,
    pub parent_id: Option<i32>,
    pub mou_initial: bool,
    pub borders: &'a str,
}

pub fn counties(conn: &mut DbConn) -> AppResult<Vec<Location>> {
    Ok(locations::table
        .filter(locations::level.eq("county"))
        .order(locations::code)
        .select(Location::as_select())
        .load(conn)?)
}

/// County names by id: how pages and reports name the counties of a figure.
pub fn county_names(conn: &mut DbConn) -> AppResult<std::collections::HashMap<i32, String>> {
    Ok(locations::table
        .filter(locations::level.eq("county"))
        .select((locations::id, locations::name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(locations::table.count().get_result(conn)?)
}

pub fn insert(conn: &mut DbConn, new: &NewLocation) -> AppResult<i32> {
    Ok(diesel::insert_into(locations::table)
        .values(new)
        .returning(locations::id)
        .get_result(conn)?)
}

pub fn by_code(conn: &mut DbConn, code: &str) -> AppResult<Option<Location>> {
    Ok(locations::table
        .filter(locations::code.eq(code))
        .select(Location::as_select())
        .first(conn)
        .optional()?)
}

/// A county as a person names it: its code ("023", "23") or its name ("Turkana",
/// "turkana"), from an already loaded list.
pub fn find_county<'a>(counties: &'a [Location], typed: &str) -> Option<&'a Location> {
    let t = typed.trim();
    if t.is_empty() {
        return None;
    }
    let padded = if t.chars().all(|c| c.is_ascii_digit()) && t.len() < 3 {
        format!("{t:0>3}")
    } else {
        t.to_string()
    };
    counties
        .iter()
        .find(|c| c.code == padded || c.name.eq_ignore_ascii_case(t))
        .or_else(|| {
            // "Taita Taveta" / "Taita-Taveta", "Elgeyo Marakwet" / "Elgeyo-Marakwet".
            let norm = |s: &str| s.to_lowercase().replace(['-', '\'', ' '], "");
            counties.iter().find(|c| norm(&c.name) == norm(t))
        })
}
