//! Organisations and their roles in programmes (IATI OrganisationRole).

use diesel::prelude::*;

use crate::db::schema::{organisations, programme_organisations};
use crate::db::DbConn;
use crate::error::AppResult;

pub use crate::domain::codelist::{role_code, role_label, role_rank, ROLES};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub short_name: String,
    /// IATI OrganisationType code ("10" government, "40" multilateral …), "" unknown.
    pub iati_type: String,
    /// IATI organisation identifier (e.g. "GB-GOV-1"), "" unknown.
    pub iati_identifier: String,
    pub version: i32,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = organisations)]
pub struct NewOrganisation<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub short_name: &'a str,
    pub iati_type: &'a str,
    pub iati_identifier: &'a str,
}

pub fn insert(conn: &mut DbConn, new: &NewOrganisation) -> AppResult<i32> {
    Ok(diesel::insert_into(organisations::table)
        .values(new)
        .returning(organisations::id)
        .get_result(conn)?)
}

pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    changes: &NewOrganisation,
) -> AppResult<usize> {
    Ok(diesel::update(organisations::table)
        .filter(organisations::id.eq(id))
        .filter(organisations::version.eq(version))
        .set((changes, organisations::version.eq(version + 1)))
        .execute(conn)?)
}

pub fn all(conn: &mut DbConn) -> AppResult<Vec<Organisation>> {
    Ok(organisations::table
        .order(organisations::name)
        .select(Organisation::as_select())
        .load(conn)?)
}

/// Organisations' short names by id: how pages and reports name a lead or partner.
pub fn short_names(conn: &mut DbConn) -> AppResult<std::collections::HashMap<i32, String>> {
    Ok(organisations::table
        .select((organisations::id, organisations::short_name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

pub fn by_code(conn: &mut DbConn, code: &str) -> AppResult<Option<Organisation>> {
    Ok(organisations::table
        .filter(organisations::code.eq(code))
        .select(Organisation::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConn, id: i32) -> AppResult<Organisation> {
    Ok(organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)?)
}

/// A programme's partners with their role, in role order (funders first).
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

pub fn remove_partner_role(
    conn: &mut DbConn,
    programme_id: i32,
    organisation_id: i32,
    role: &str,
) -> AppResult<usize> {
    Ok(diesel::delete(
        programme_organisations::table
            .filter(programme_organisations::programme_id.eq(programme_id))
            .filter(programme_organisations::organisation_id.eq(organisation_id))
            .filter(programme_organisations::role.eq(role)),
    )
    .execute(conn)?)
}
