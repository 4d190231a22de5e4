//! The manager's words for a reporting period: key achievements, issues, risks. Edited
//! with the version it was read at, like values, so two managers never overwrite each
//! other silently.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::period_narratives;
use crate::db::DbConn;
use crate::error::AppResult;

#[derive(Debug, Clone, Default, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = period_narratives)]
pub struct Narrative {
    pub id: i32,
    pub programme_id: i32,
    pub period: String,
    pub achievements: String,
    pub issues: String,
    pub risks: String,
    pub updated_by: Option<i32>,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The three texts, as typed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Texts {
    pub achievements: String,
    pub issues: String,
    pub risks: String,
}

impl Narrative {
    pub fn texts(&self) -> Texts {
        Texts {
            achievements: self.achievements.clone(),
            issues: self.issues.clone(),
            risks: self.risks.clone(),
        }
    }
}

pub fn of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Option<Narrative>> {
    Ok(period_narratives::table
        .filter(period_narratives::programme_id.eq(programme_id))
        .filter(period_narratives::period.eq(period))
        .select(Narrative::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
    texts: &Texts,
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<i32> {
    Ok(diesel::insert_into(period_narratives::table)
        .values((
            period_narratives::programme_id.eq(programme_id),
            period_narratives::period.eq(period),
            period_narratives::achievements.eq(&texts.achievements),
            period_narratives::issues.eq(&texts.issues),
            period_narratives::risks.eq(&texts.risks),
            period_narratives::updated_by.eq(by),
            period_narratives::updated_at.eq(at),
            period_narratives::version.eq(1),
        ))
        .returning(period_narratives::id)
        .get_result(conn)?)
}

/// Changes the texts only if still at `version`; returns rows changed (0: someone else
/// saved first).
pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    texts: &Texts,
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<usize> {
    Ok(diesel::update(
        period_narratives::table
            .filter(period_narratives::id.eq(id))
            .filter(period_narratives::version.eq(version)),
    )
    .set((
        period_narratives::achievements.eq(&texts.achievements),
        period_narratives::issues.eq(&texts.issues),
        period_narratives::risks.eq(&texts.risks),
        period_narratives::updated_by.eq(by),
        period_narratives::updated_at.eq(at),
        period_narratives::version.eq(version + 1),
    ))
    .execute(conn)?)
}
