//! The audit log: who did what, when, with the record before and after.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::DbConn;
use crate::error::AppResult;

/// Who is making a change, as the audit log names them: a signed-in user, an API
/// client's owner, or the system (demonstration data, the command line).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i32>,
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i32,
    pub at: NaiveDateTime,
    pub user_id: Option<i32>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i32>,
    pub programme_id: Option<i32>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub detail: String,
}

/// What happened, to be written by [`record`]. `before`/`after` are JSON snapshots.
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub user_id: Option<i32>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i32>,
    pub programme_id: Option<i32>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub detail: String,
}

pub fn record(conn: &mut DbConn, change: Change) -> AppResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(crate::clock::now()),
            audit_log::user_id.eq(change.user_id),
            audit_log::actor.eq(change.actor),
            audit_log::action.eq(change.action),
            audit_log::entity.eq(change.entity),
            audit_log::entity_id.eq(change.entity_id),
            audit_log::programme_id.eq(change.programme_id),
            audit_log::before_json.eq(change.before.map(|v| v.to_string())),
            audit_log::after_json.eq(change.after.map(|v| v.to_string())),
            audit_log::detail.eq(change.detail),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn recent(conn: &mut DbConn, limit: i64) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
#[diesel(treat_none_as_default_value = false)]
struct NewEntry {
    at: NaiveDateTime,
    user_id: Option<i32>,
    actor: String,
    action: String,
    entity: String,
    entity_id: Option<i32>,
    programme_id: Option<i32>,
    before_json: Option<String>,
    after_json: Option<String>,
    detail: String,
}

/// Many changes at once (a saved grid, an imported file), in multi-row inserts.
pub fn record_many(conn: &mut DbConn, changes: Vec<Change>) -> AppResult<()> {
    let at = crate::clock::now();
    let rows: Vec<NewEntry> = changes
        .into_iter()
        .map(|c| NewEntry {
            at,
            user_id: c.user_id,
            actor: c.actor.to_string(),
            action: c.action.to_string(),
            entity: c.entity.to_string(),
            entity_id: c.entity_id,
            programme_id: c.programme_id,
            before_json: c.before.map(|v| v.to_string()),
            after_json: c.after.map(|v| v.to_string()),
            detail: c.detail,
        })
        .collect();
    for chunk in rows.chunks(super::INSERT_CHUNK) {
        crate::db_run!(conn: { diesel::insert_into(audit_log::table).values(chunk).execute(conn)? });
    }
    Ok(())
}

/// The history of one record, oldest first.
pub fn history(conn: &mut DbConn, entity: &str, entity_id: i32) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// Recent changes to any of `ids` of one kind of record, newest first.
pub fn recent_for(
    conn: &mut DbConn,
    entity: &str,
    ids: &[i32],
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq_any(ids))
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// Changes to a programme after `since`, newest first (what happened meanwhile).
pub fn programme_changes_since(
    conn: &mut DbConn,
    programme_id: i32,
    since: NaiveDateTime,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .filter(audit_log::programme_id.eq(programme_id))
        .filter(audit_log::at.gt(since))
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// Who changed a record last, as the audit log names them.
pub fn last_actor(conn: &mut DbConn, entity: &str, entity_id: i32) -> AppResult<Option<String>> {
    Ok(audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id.desc())
        .select(audit_log::actor)
        .first(conn)
        .optional()?)
}

/// Recent changes to the values of one indicator, newest first.
pub fn recent_for_indicator(
    conn: &mut DbConn,
    indicator_id: i32,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    use crate::db::schema::indicator_values;
    Ok(audit_log::table
        .inner_join(
            indicator_values::table.on(indicator_values::id.nullable().eq(audit_log::entity_id)),
        )
        .filter(audit_log::entity.eq("indicator_value"))
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}
