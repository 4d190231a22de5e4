//! DHIS2 mappings (what a programme's indicators, counties, parts and the programme
//! itself are called in DHIS2), their version, and the approved values an export reads.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    dhis2_mapping_sets, dhis2_mappings, indicator_values, indicators, locations, users,
};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::models::values::IndicatorValue;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = dhis2_mappings)]
pub struct MappingRow {
    pub id: i32,
    pub programme_id: i32,
    pub kind: String,
    pub item: String,
    pub code: String,
    pub uid: String,
}

/// A programme's mappings, by kind then item.
pub fn of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<MappingRow>> {
    Ok(dhis2_mappings::table
        .filter(dhis2_mappings::programme_id.eq(programme_id))
        .order((dhis2_mappings::kind, dhis2_mappings::item))
        .select(MappingRow::as_select())
        .load(conn)?)
}

/// The mapping set's version (0 before its first change), who changed it last and when.
pub fn version_of(
    conn: &mut DbConn,
    programme_id: i32,
) -> AppResult<(i32, Option<i32>, Option<NaiveDateTime>)> {
    let row: Option<(i32, Option<i32>, NaiveDateTime)> = dhis2_mapping_sets::table
        .find(programme_id)
        .select((
            dhis2_mapping_sets::version,
            dhis2_mapping_sets::updated_by,
            dhis2_mapping_sets::updated_at,
        ))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((v, by, at)) => (v, by, Some(at)),
        None => (0, None, None),
    })
}

/// Moves the set from version `from` to `from + 1`; false when it is no longer at `from`.
pub fn bump_version(
    conn: &mut DbConn,
    programme_id: i32,
    from: i32,
    by: Option<i32>,
    now: NaiveDateTime,
) -> AppResult<bool> {
    if from == 0 {
        let exists = dhis2_mapping_sets::table
            .find(programme_id)
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if exists {
            return Ok(false);
        }
        diesel::insert_into(dhis2_mapping_sets::table)
            .values((
                dhis2_mapping_sets::programme_id.eq(programme_id),
                dhis2_mapping_sets::version.eq(1),
                dhis2_mapping_sets::updated_by.eq(by),
                dhis2_mapping_sets::updated_at.eq(now),
            ))
            .execute(conn)?;
        return Ok(true);
    }
    let n = diesel::update(
        dhis2_mapping_sets::table
            .filter(dhis2_mapping_sets::programme_id.eq(programme_id))
            .filter(dhis2_mapping_sets::version.eq(from)),
    )
    .set((
        dhis2_mapping_sets::version.eq(from + 1),
        dhis2_mapping_sets::updated_by.eq(by),
        dhis2_mapping_sets::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn insert(
    conn: &mut DbConn,
    programme_id: i32,
    kind: &str,
    item: &str,
    code: &str,
    uid: &str,
) -> AppResult<()> {
    diesel::insert_into(dhis2_mappings::table)
        .values((
            dhis2_mappings::programme_id.eq(programme_id),
            dhis2_mappings::kind.eq(kind),
            dhis2_mappings::item.eq(item),
            dhis2_mappings::code.eq(code),
            dhis2_mappings::uid.eq(uid),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConn, id: i32, code: &str, uid: &str) -> AppResult<()> {
    diesel::update(dhis2_mappings::table.find(id))
        .set((dhis2_mappings::code.eq(code), dhis2_mappings::uid.eq(uid)))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: i32) -> AppResult<()> {
    diesel::delete(dhis2_mappings::table.find(id)).execute(conn)?;
    Ok(())
}

/// The programmes whose attribute option combo is `id` (by code or uid).
pub fn programmes_with_aoc(conn: &mut DbConn, id: &str, by_uid: bool) -> AppResult<Vec<i32>> {
    let q = dhis2_mappings::table
        .filter(dhis2_mappings::kind.eq("aoc"))
        .select(dhis2_mappings::programme_id)
        .into_boxed();
    let q = if by_uid {
        q.filter(dhis2_mappings::uid.eq(id))
    } else {
        q.filter(dhis2_mappings::code.eq(id))
    };
    Ok(q.load(conn)?)
}

/// An approved value with its indicator's code, its county's code and who entered it.
#[derive(Debug, Clone)]
pub struct ApprovedRow {
    pub value: IndicatorValue,
    pub indicator_code: String,
    pub county_code: String,
    pub entered_by: Option<String>,
}

/// The programme's approved values of periods lying within `from`..=`to`, in indicator,
/// period, county and part order; `period` narrows them to one period id.
pub fn approved_between(
    conn: &mut DbConn,
    programme_id: i32,
    from: NaiveDate,
    to: NaiveDate,
    period: Option<&str>,
) -> AppResult<Vec<ApprovedRow>> {
    let mut q = indicator_values::table
        .inner_join(indicators::table)
        .inner_join(locations::table)
        .left_join(users::table.on(users::id.nullable().eq(indicator_values::entered_by)))
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::status.eq("approved"))
        .filter(indicator_values::period_start.ge(from))
        .filter(indicator_values::period_end.le(to))
        .into_boxed();
    if let Some(p) = period {
        q = q.filter(indicator_values::period.eq(p.to_string()));
    }
    let rows: Vec<(IndicatorValue, String, String, Option<String>)> = q
        .order((
            indicators::position,
            indicators::id,
            indicator_values::period_start,
            indicator_values::period_end,
            locations::code,
            indicator_values::disaggregation,
        ))
        .select((
            IndicatorValue::as_select(),
            indicators::code,
            locations::code,
            users::username.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(value, indicator_code, county_code, entered_by)| ApprovedRow {
                value,
                indicator_code,
                county_code,
                entered_by,
            },
        )
        .collect())
}
