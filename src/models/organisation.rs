use diesel::prelude::*;

use crate::db::schema::{organisations, programme_organisations};
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organisations)]
pub struct NewOrganisation<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub short_name: &'a str,
    pub kind: &'a str,
}

pub fn insert(conn: &mut DbConn, new: &NewOrganisation) -> AppResult<i32> {
    Ok(diesel::insert_into(organisations::table)
        .values(new)
        .returning(organisations::id)
        .get_result(conn)?)
}

pub fn all(conn: &mut DbConn) -> AppResult<Vec<Organisation>> {
    Ok(organisations::table
        .order(organisations::name)
        .select(Organisation::as_select())
        .load(conn)?)
}

/// A programme's partners with their role, in role order (donors first).
pub fn partners_of(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<(String, Organisation)>> {
    let mut rows: Vec<(String, Organisation)> = programme_organisations::table
        .inner_join(organisations::table)
        .filter(programme_organisations::programme_id.eq(programme_id))
        .select((programme_organisations::role, Organisation::as_select()))
        .load(conn)?;
    rows.sort_by_key(|(role, o)| (role_rank(role), o.name.clone()));
    Ok(rows)
}

pub fn add_partner(
    conn: &mut DbConn,
    programme_id: i32,
    organisation_id: i32,
    role: &str,
) -> AppResult<()> {
    diesel::insert_into(programme_organisations::table)
        .values((
            programme_organisations::programme_id.eq(programme_id),
            programme_organisations::organisation_id.eq(organisation_id),
            programme_organisations::role.eq(role),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn role_rank(role: &str) -> u8 {
    match role {
        "donor" => 0,
        "lead_ministry" => 1,
        "implementing_partner" => 2,
        _ => 3,
    }
}

pub fn role_label(role: &str) -> &'static str {
    match role {
        "donor" => "Donor",
        "lead_ministry" => "Lead ministry",
        "implementing_partner" => "Implementing partner",
        _ => "Partner",
    }
}
