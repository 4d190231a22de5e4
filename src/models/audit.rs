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
    record_many(conn, vec![change])
}

pub fn recent(conn: &mut DbConn, limit: i64) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// Which entries of the audit log to list: each field narrows it, none lists all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Part of the actor's name, any case.
    pub who: Option<String>,
    pub programme_id: Option<i32>,
    pub action: Option<String>,
    /// From the start of this day (UTC) …
    pub from: Option<chrono::NaiveDate>,
    /// … to the end of this one.
    pub to: Option<chrono::NaiveDate>,
}

fn filtered(f: &Filter) -> audit_log::BoxedQuery<'static, <DbConn as diesel::Connection>::Backend> {
    let mut q = audit_log::table.into_boxed();
    if let Some(who) = f.who.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        // LIKE with the user's text escaped, so "%" and "_" match themselves.
        let escaped = who
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(actor) LIKE ")
                .bind::<diesel::sql_types::Text, _>(format!("%{escaped}%"))
                .sql(" ESCAPE '\\'"),
        );
    }
    if let Some(id) = f.programme_id {
        q = q.filter(audit_log::programme_id.eq(id));
    }
    if let Some(action) = f.action.clone().filter(|a| !a.is_empty()) {
        q = q.filter(audit_log::action.eq(action));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_log::at.ge(from.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some(to) = f.to.and_then(|d| d.succ_opt()) {
        q = q.filter(audit_log::at.lt(to.and_time(chrono::NaiveTime::MIN)));
    }
    q
}

/// One page of the entries `f` selects, newest first: at most `limit`, older than the
/// entry `before` when given (so a page stays the same while new entries arrive).
pub fn search(
    conn: &mut DbConn,
    f: &Filter,
    before: Option<i32>,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    let mut q = filtered(f);
    if let Some(id) = before {
        q = q.filter(audit_log::id.lt(id));
    }
    Ok(q.order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

/// How many entries `f` selects.
pub fn count_matching(conn: &mut DbConn, f: &Filter) -> AppResult<i64> {
    Ok(filtered(f).count().get_result(conn)?)
}

/// Every action the log holds, for choosing one.
pub fn actions(conn: &mut DbConn) -> AppResult<Vec<String>> {
    Ok(audit_log::table
        .select(audit_log::action)
        .distinct()
        .order(audit_log::action)
        .load(conn)?)
}

/// A change whose snapshots are JSON text already: what the entry service's bulk writes
/// give [`record_written`], thousands at a time, without building a JSON tree for each.
#[derive(Debug)]
pub struct Written<'a> {
    pub user_id: Option<i32>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i32>,
    pub programme_id: Option<i32>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub detail: String,
}

impl<'a> From<Change<'a>> for Written<'a> {
    fn from(c: Change<'a>) -> Written<'a> {
        Written {
            user_id: c.user_id,
            actor: c.actor,
            action: c.action,
            entity: c.entity,
            entity_id: c.entity_id,
            programme_id: c.programme_id,
            before_json: c.before.map(|v| v.to_string()),
            after_json: c.after.map(|v| v.to_string()),
            detail: c.detail,
        }
    }
}

/// An audit row as [`record_written`] writes it: the time as each backend takes it
/// (a timestamp for PostgreSQL's COPY, SQLite's text of it made once).
#[derive(Insertable)]
#[diesel(table_name = audit_log)]
#[diesel(treat_none_as_default_value = false)]
struct Row<'a, At> {
    at: At,
    user_id: Option<i32>,
    actor: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<i32>,
    programme_id: Option<i32>,
    before_json: Option<&'a str>,
    after_json: Option<&'a str>,
    detail: &'a str,
}

impl<'a> Written<'a> {
    fn row<At>(&'a self, at: At) -> Row<'a, At> {
        Row {
            at,
            user_id: self.user_id,
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            programme_id: self.programme_id,
            before_json: self.before_json.as_deref(),
            after_json: self.after_json.as_deref(),
            detail: &self.detail,
        }
    }
}

/// A timestamp already in the text SQLite keeps it as (diesel's `%F %T%.f`).
#[derive(Debug, diesel::expression::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Timestamp)]
struct TimestampText<'a>(&'a str);

impl diesel::serialize::ToSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite>
    for TimestampText<'_>
{
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
    ) -> diesel::serialize::Result {
        out.set_value(self.0);
        Ok(diesel::serialize::IsNull::No)
    }
}

/// Many changes at once (a saved grid, an imported file), inserted in the order given.
pub fn record_many(conn: &mut DbConn, changes: Vec<Change>) -> AppResult<()> {
    record_written(conn, changes.into_iter().map(Written::from).collect())
}

/// [`record_many`] of changes whose snapshots are JSON text already: on PostgreSQL in one
/// COPY whatever their number; on SQLite by one prepared statement run per row.
pub fn record_written(conn: &mut DbConn, rows: Vec<Written>) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let at = crate::clock::now();
    match conn {
        DbConn::Pg(c) => {
            // COPY (binary): half the time of one INSERT of the rows as arrays
            // (UNNEST): 23 ms for a full grid's 8,460 rows instead of 48.
            let rows: Vec<_> = rows.iter().map(|r| r.row(at)).collect();
            diesel::copy_from(audit_log::table)
                .from_insertable(&rows)
                .execute(c)?;
        }
        DbConn::Sqlite(c) => {
            // One prepared INSERT, run per row: SQLite has no round trips to save, and
            // the ways of sending all rows at once cost more than they save. Reading
            // them out of one JSON text (`json_each`, as the values' bulk writes do)
            // took 45 ms for a full grid's 8,460 rows, every field extracted from its
            // row's text apart; multi-row VALUES of bound parameters 25 ms, most of it
            // building and preparing the long statements; this 16 ms. The time is
            // formatted once, as diesel writes a timestamp for SQLite: formatting it
            // for every row cost more than inserting the row.
            let at = at.format("%F %T%.f").to_string();
            for r in &rows {
                let row = r.row(TimestampText(&at));
                diesel::insert_into(audit_log::table)
                    .values(&row)
                    .execute(c)?;
            }
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

/// A change to one value of an indicator: the audit entry and the cell it changed.
#[derive(Debug, Clone)]
pub struct ValueChange {
    pub entry: AuditEntry,
    pub location_id: i32,
    pub period: String,
    pub disaggregation: String,
}

/// Recent changes to the values of one indicator, newest first, with the county,
/// period and part each one changed.
pub fn recent_for_indicator(
    conn: &mut DbConn,
    indicator_id: i32,
    limit: i64,
) -> AppResult<Vec<ValueChange>> {
    use crate::db::schema::indicator_values;
    let rows: Vec<(AuditEntry, i32, String, String)> = audit_log::table
        .inner_join(
            indicator_values::table.on(indicator_values::id.nullable().eq(audit_log::entity_id)),
        )
        .filter(audit_log::entity.eq("indicator_value"))
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            AuditEntry::as_select(),
            indicator_values::location_id,
            indicator_values::period,
            indicator_values::disaggregation,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(entry, location_id, period, disaggregation)| ValueChange {
            entry,
            location_id,
            period,
            disaggregation,
        })
        .collect())
}
