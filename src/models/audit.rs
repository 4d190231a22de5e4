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

/// Many changes at once (a saved grid, an imported file), in one statement whatever
/// their number: the rows as arrays (PostgreSQL's `UNNEST`) or as one JSON array
/// (SQLite's `json_each`), inserted in the order given.
pub fn record_many(conn: &mut DbConn, changes: Vec<Change>) -> AppResult<()> {
    use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamp};
    if changes.is_empty() {
        return Ok(());
    }
    let at = crate::clock::now();
    const INTO: &str = "INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, \
        programme_id, before_json, after_json, detail)";
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    match conn {
        DbConn::Pg(c) => {
            let col =
                |f: &dyn Fn(&Change) -> Option<i32>| changes.iter().map(f).collect::<Vec<_>>();
            let text = |f: &dyn Fn(&Change) -> String| changes.iter().map(f).collect::<Vec<_>>();
            let opt =
                |f: &dyn Fn(&Change) -> Option<String>| changes.iter().map(f).collect::<Vec<_>>();
            diesel::sql_query(format!(
                "{INTO} SELECT $1, n.user_id, n.actor, n.action, n.entity, n.entity_id, \
                     n.programme_id, n.before_json, n.after_json, n.detail \
                 FROM UNNEST($2::int4[], $3::text[], $4::text[], $5::text[], $6::int4[], \
                     $7::int4[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY \
                     AS n(user_id, actor, action, entity, entity_id, programme_id, before_json, \
                         after_json, detail, i) \
                 ORDER BY n.i"
            ))
            .bind::<Timestamp, _>(at)
            .bind::<Array<Nullable<Integer>>, _>(col(&|c| c.user_id))
            .bind::<Array<Text>, _>(text(&|c| c.actor.to_string()))
            .bind::<Array<Text>, _>(text(&|c| c.action.to_string()))
            .bind::<Array<Text>, _>(text(&|c| c.entity.to_string()))
            .bind::<Array<Nullable<Integer>>, _>(col(&|c| c.entity_id))
            .bind::<Array<Nullable<Integer>>, _>(col(&|c| c.programme_id))
            .bind::<Array<Nullable<Text>>, _>(opt(&|c| json(&c.before)))
            .bind::<Array<Nullable<Text>>, _>(opt(&|c| json(&c.after)))
            .bind::<Array<Text>, _>(text(&|c| c.detail.clone()))
            .execute(c)?;
        }
        DbConn::Sqlite(c) => {
            let rows: Vec<_> = changes
                .iter()
                .map(|c| {
                    (
                        c.user_id,
                        c.actor,
                        c.action,
                        c.entity,
                        c.entity_id,
                        c.programme_id,
                        json(&c.before),
                        json(&c.after),
                        c.detail.as_str(),
                    )
                })
                .collect();
            diesel::sql_query(format!(
                "{INTO} SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, \
                     j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8 \
                 FROM json_each(?2) AS j ORDER BY j.key"
            ))
            .bind::<Timestamp, _>(at)
            .bind::<Text, _>(serde_json::to_string(&rows).expect("plain values serialise"))
            .execute(c)?;
        }
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
