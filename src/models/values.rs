//! Indicator targets (the logframe's interim milestones) and reported values. The
//! target reads here are the programme-wide totals (no county, no part) that figures
//! are judged against; `models::target` holds every target row for setting them up.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{indicator_targets, indicator_values, indicators};
use crate::db::DbConn;
use crate::db_run;
use crate::error::AppResult;
use crate::models::INSERT_CHUNK;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = indicator_targets)]
pub struct Target {
    pub id: i32,
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = indicator_targets)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewTarget {
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub value: f64,
    /// None for the programme (all counties); else one county's target.
    pub location_id: Option<i32>,
    /// "" for the total; else one disaggregation option ("sex=female").
    pub disaggregation: String,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = indicator_values)]
pub struct IndicatorValue {
    pub id: i32,
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub location_id: i32,
    pub disaggregation: String,
    pub value: f64,
    pub comment: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub entered_by: Option<i32>,
    pub entered_at: NaiveDateTime,
    pub reviewed_by: Option<i32>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = indicator_values)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewValue {
    pub indicator_id: i32,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub location_id: i32,
    pub disaggregation: String,
    pub value: f64,
    pub comment: Option<String>,
    pub status: String,
    pub entered_by: Option<i32>,
    pub entered_at: NaiveDateTime,
    pub reviewed_by: Option<i32>,
    pub reviewed_at: Option<NaiveDateTime>,
}

/// Statuses whose figures count on dashboards: drafts are still being typed.
pub const COUNTED: [&str; 2] = ["submitted", "approved"];

pub fn insert_targets(conn: &mut DbConn, rows: &[NewTarget]) -> AppResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        n += db_run!(conn: {
            diesel::insert_into(indicator_targets::table).values(chunk).execute(conn)?
        });
    }
    Ok(n)
}

pub fn insert_values(conn: &mut DbConn, rows: &[NewValue]) -> AppResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(INSERT_CHUNK) {
        n += db_run!(conn: {
            diesel::insert_into(indicator_values::table).values(chunk).execute(conn)?
        });
    }
    Ok(n)
}

pub fn count_of_programme(conn: &mut DbConn, programme_id: i32) -> AppResult<i64> {
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .count()
        .get_result(conn)?)
}

/// All values of the programme for one period (every status).
pub fn of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::period.eq(period))
        .select(IndicatorValue::as_select())
        .load(conn)?)
}

/// The values of some indicators for one period (every status).
pub fn of_indicators_in_period(
    conn: &mut DbConn,
    indicator_ids: &[i32],
    period: &str,
) -> AppResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq_any(indicator_ids))
        .filter(indicator_values::period.eq(period))
        .select(IndicatorValue::as_select())
        .load(conn)?)
}

/// Just the figures of some indicators for one period, per cell (as
/// [`figures_of_period`]).
pub fn figures_of_indicators_in_period(
    conn: &mut DbConn,
    indicator_ids: &[i32],
    period: &str,
) -> AppResult<Vec<(i32, i32, String, f64)>> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq_any(indicator_ids))
        .filter(indicator_values::period.eq(period))
        .select((
            indicator_values::indicator_id,
            indicator_values::location_id,
            indicator_values::disaggregation,
            indicator_values::value,
        ))
        .load(conn)?)
}

/// Moves the programme's values of a period from one of `from` to `to`, each a new
/// version; returns the values as they were.
pub fn set_status(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
    from: &[&str],
    to: &str,
    reason: Option<&str>,
    reviewer: Option<(Option<i32>, NaiveDateTime)>,
) -> AppResult<Vec<IndicatorValue>> {
    let ids: Vec<i32> = indicators::table
        .filter(indicators::programme_id.eq(programme_id))
        .select(indicators::id)
        .load(conn)?;
    let affected: Vec<IndicatorValue> = indicator_values::table
        .filter(indicator_values::indicator_id.eq_any(&ids))
        .filter(indicator_values::period.eq(period))
        .filter(indicator_values::status.eq_any(from))
        .select(IndicatorValue::as_select())
        .load(conn)?;
    let target = indicator_values::table
        .filter(indicator_values::indicator_id.eq_any(&ids))
        .filter(indicator_values::period.eq(period))
        .filter(indicator_values::status.eq_any(from));
    // A move to submitted or approved changes every moved row's total; otherwise the
    // totals of the rows that counted before.
    let groups = if counts(to) {
        affected.iter().map(group_of).collect()
    } else {
        counted_groups(&affected)
    };
    recounting_once(conn, &groups, |conn| {
        Ok(match reviewer {
            Some((by, at)) => diesel::update(target)
                .set((
                    indicator_values::status.eq(to),
                    indicator_values::status_reason.eq(reason),
                    indicator_values::reviewed_by.eq(by),
                    indicator_values::reviewed_at.eq(Some(at)),
                    indicator_values::version.eq(indicator_values::version + 1),
                ))
                .execute(conn)?,
            None => diesel::update(target)
                .set((
                    indicator_values::status.eq(to),
                    indicator_values::status_reason.eq(reason),
                    indicator_values::version.eq(indicator_values::version + 1),
                ))
                .execute(conn)?,
        })
    })?;
    Ok(affected)
}

/// Every value of one indicator, oldest period first (for its history page).
pub fn of_indicator(conn: &mut DbConn, indicator_id: i32) -> AppResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .order((
            indicator_values::period_start,
            indicator_values::location_id,
            indicator_values::disaggregation,
        ))
        .select(IndicatorValue::as_select())
        .load(conn)?)
}

/// The value of one cell (indicator, county, part) of a period, if there is one.
pub fn cell(
    conn: &mut DbConn,
    indicator_id: i32,
    location_id: i32,
    disaggregation: &str,
    period: &str,
) -> AppResult<Option<IndicatorValue>> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .filter(indicator_values::location_id.eq(location_id))
        .filter(indicator_values::disaggregation.eq(disaggregation))
        .filter(indicator_values::period.eq(period))
        .select(IndicatorValue::as_select())
        .first(conn)
        .optional()?)
}

/// Every value of a programme with its indicator and county, for the CSV export.
pub fn export_rows(
    conn: &mut DbConn,
    programme_id: i32,
) -> AppResult<Vec<(IndicatorValue, String, String, String)>> {
    use crate::db::schema::locations;
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .inner_join(locations::table)
        .filter(indicators::programme_id.eq(programme_id))
        .order((
            indicators::position,
            indicator_values::period_start,
            locations::code,
            indicator_values::disaggregation,
        ))
        .select((
            IndicatorValue::as_select(),
            indicators::code,
            locations::code,
            locations::name,
        ))
        .load(conn)?)
}

/// A value by id, if it belongs to the programme.
pub fn find_in_programme(
    conn: &mut DbConn,
    programme_id: i32,
    id: i32,
) -> AppResult<IndicatorValue> {
    indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::id.eq(id))
        .select(IndicatorValue::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            crate::error::AppError::not_found("This programme has no value with that id.")
        })
}

/// A value to change from the version it was read at.
pub struct VersionedUpdate {
    pub id: i32,
    pub version: i32,
    pub value: f64,
    pub comment: Option<String>,
}

/// A new value of one cell, as a save writes it (a draft).
pub struct NewCell {
    pub indicator_id: i32,
    pub location_id: i32,
    pub disaggregation: String,
    pub value: f64,
    pub comment: Option<String>,
}

/// The id a new value was given, by its cell.
#[derive(QueryableByName)]
pub struct InsertedId {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub id: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub indicator_id: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub location_id: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub disaggregation: String,
}

/// The rows of a bulk statement as one JSON array of arrays, for SQLite's `json_each`.
fn json_rows<T: serde::Serialize>(rows: impl Iterator<Item = T>) -> String {
    serde_json::to_string(&rows.collect::<Vec<T>>()).expect("plain values serialise")
}

/// Changes many values in one statement — a join on the primary key with the rows given
/// as arrays (PostgreSQL's `UNNEST`) or one JSON array (SQLite's `json_each`) — each row
/// only if still at its version; each becomes a draft of the next version. Returns rows
/// changed; fewer than given means someone else changed one of them first (the caller
/// rolls back).
pub fn update_many(
    conn: &mut DbConn,
    rows: &[VersionedUpdate],
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<usize> {
    use diesel::sql_types::{Array, Double, Integer, Nullable, Text, Timestamp};
    if rows.is_empty() {
        return Ok(0);
    }
    const SET: &str = "value = n.value, comment = n.comment, status = 'draft', \
        status_reason = NULL, entered_by = $1, entered_at = $2, reviewed_by = NULL, \
        reviewed_at = NULL, version = indicator_values.version + 1";
    Ok(match conn {
        DbConn::Pg(c) => diesel::sql_query(format!(
            "UPDATE indicator_values SET {SET} \
             FROM UNNEST($3::int4[], $4::int4[], $5::float8[], $6::text[]) \
                 AS n(id, version, value, comment) \
             WHERE indicator_values.id = n.id AND indicator_values.version = n.version"
        ))
        .bind::<Nullable<Integer>, _>(by)
        .bind::<Timestamp, _>(at)
        .bind::<Array<Integer>, _>(rows.iter().map(|r| r.id).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(rows.iter().map(|r| r.version).collect::<Vec<_>>())
        .bind::<Array<Double>, _>(rows.iter().map(|r| r.value).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(
            rows.iter().map(|r| r.comment.clone()).collect::<Vec<_>>(),
        )
        .execute(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(format!(
            "UPDATE indicator_values SET {} \
             FROM (SELECT j.value ->> 0 AS id, j.value ->> 1 AS version, \
                   j.value ->> 2 AS value, j.value ->> 3 AS comment FROM json_each(?3) AS j) AS n \
             WHERE indicator_values.id = n.id AND indicator_values.version = n.version",
            SET.replace('$', "?")
        ))
        .bind::<Nullable<Integer>, _>(by)
        .bind::<Timestamp, _>(at)
        .bind::<Text, _>(json_rows(
            rows.iter()
                .map(|r| (r.id, r.version, r.value, r.comment.as_deref())),
        ))
        .execute(c)?,
    })
}

/// Inserts new drafts of one period in one statement (as [`update_many`]); returns the
/// ids they were given.
pub fn insert_cells(
    conn: &mut DbConn,
    period: &crate::domain::period::Period,
    cells: &[NewCell],
    by: Option<i32>,
    at: NaiveDateTime,
) -> AppResult<Vec<InsertedId>> {
    use diesel::sql_types::{Array, Date, Double, Integer, Nullable, Text, Timestamp};
    if cells.is_empty() {
        return Ok(Vec::new());
    }
    const INTO: &str = "INSERT INTO indicator_values (indicator_id, period, period_start, \
        period_end, location_id, disaggregation, value, comment, status, entered_by, entered_at)";
    const RETURNING: &str = "RETURNING id, indicator_id, location_id, disaggregation";
    let id = period.id();
    Ok(match conn {
        DbConn::Pg(c) => diesel::sql_query(format!(
            "{INTO} SELECT n.indicator_id, $1, $2, $3, n.location_id, n.disaggregation, \
                 n.value, n.comment, 'draft', $4, $5 \
             FROM UNNEST($6::int4[], $7::int4[], $8::text[], $9::float8[], $10::text[]) \
                 AS n(indicator_id, location_id, disaggregation, value, comment) {RETURNING}"
        ))
        .bind::<Text, _>(id.clone())
        .bind::<Date, _>(period.start())
        .bind::<Date, _>(period.end())
        .bind::<Nullable<Integer>, _>(by)
        .bind::<Timestamp, _>(at)
        .bind::<Array<Integer>, _>(cells.iter().map(|r| r.indicator_id).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(cells.iter().map(|r| r.location_id).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(
            cells
                .iter()
                .map(|r| r.disaggregation.clone())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Double>, _>(cells.iter().map(|r| r.value).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(
            cells.iter().map(|r| r.comment.clone()).collect::<Vec<_>>(),
        )
        .load(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(format!(
            "{INTO} SELECT j.value ->> 0, ?1, ?2, ?3, j.value ->> 1, j.value ->> 2, \
                 j.value ->> 3, j.value ->> 4, 'draft', ?4, ?5 \
             FROM json_each(?6) AS j {RETURNING}"
        ))
        .bind::<Text, _>(id.clone())
        .bind::<Date, _>(period.start())
        .bind::<Date, _>(period.end())
        .bind::<Nullable<Integer>, _>(by)
        .bind::<Timestamp, _>(at)
        .bind::<Text, _>(json_rows(cells.iter().map(|r| {
            (
                r.indicator_id,
                r.location_id,
                r.disaggregation.as_str(),
                r.value,
                r.comment.as_deref(),
            )
        })))
        .load(c)?,
    })
}

/// Deletes many values in one statement, each only if still at its version (id,
/// version); returns rows deleted (fewer than given: someone changed one first).
pub fn delete_many(conn: &mut DbConn, rows: &[(i32, i32)]) -> AppResult<usize> {
    use diesel::sql_types::{Array, Integer, Text};
    if rows.is_empty() {
        return Ok(0);
    }
    Ok(match conn {
        DbConn::Pg(c) => diesel::sql_query(
            "DELETE FROM indicator_values USING UNNEST($1::int4[], $2::int4[]) AS n(id, version) \
             WHERE indicator_values.id = n.id AND indicator_values.version = n.version",
        )
        .bind::<Array<Integer>, _>(rows.iter().map(|r| r.0).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(rows.iter().map(|r| r.1).collect::<Vec<_>>())
        .execute(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(
            "DELETE FROM indicator_values WHERE id IN (SELECT v.id \
             FROM json_each(?1) AS j JOIN indicator_values v \
                 ON v.id = j.value ->> 0 AND v.version = j.value ->> 1)",
        )
        .bind::<Text, _>(json_rows(rows.iter()))
        .execute(c)?,
    })
}

/// The values that share one kept total (`value_totals`): indicator, part, period start
/// and period.
pub type TotalGroup = (i32, String, NaiveDate, String);

fn counts(status: &str) -> bool {
    matches!(status, "submitted" | "approved")
}

fn group_of(v: &IndicatorValue) -> TotalGroup {
    (
        v.indicator_id,
        v.disaggregation.clone(),
        v.period_start,
        v.period.clone(),
    )
}

/// The kept-total groups of these values that count (submitted or approved): the groups
/// a bulk write of them must recount.
pub fn counted_groups<'a>(
    rows: impl IntoIterator<Item = &'a IndicatorValue>,
) -> BTreeSet<TotalGroup> {
    rows.into_iter()
        .filter(|v| counts(&v.status))
        .map(group_of)
        .collect()
}

/// Runs a bulk write of values whose counted rows fall in `groups` (see
/// [`counted_groups`]), so that each of those kept totals is recounted once.
///
/// On SQLite the triggers of 000009 would recount a row's group for every row the write
/// changes: a file rewriting 100,000 approved values recounted 100,000 times. Here they
/// stand aside (a row in `value_totals_held`, migration 000012) and the groups are
/// recounted together after the write, in the same transaction, from the rows as they
/// then are — the totals the triggers would have left. On PostgreSQL the triggers run
/// once per statement already, and `write` runs as it is.
pub fn recounting_once<T>(
    conn: &mut DbConn,
    groups: &BTreeSet<TotalGroup>,
    write: impl FnOnce(&mut DbConn) -> AppResult<T>,
) -> AppResult<T> {
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::Text;
    if groups.is_empty() || matches!(conn, DbConn::Pg(_)) {
        return write(conn);
    }
    conn.batch_execute("INSERT INTO value_totals_held (held) VALUES (1)")?;
    let written = write(conn);
    conn.batch_execute("DELETE FROM value_totals_held")?;
    let written = written?;
    if let DbConn::Sqlite(c) = conn {
        diesel::sql_query(
            "INSERT OR REPLACE INTO value_totals \
             SELECT g.i, g.d, g.ps, g.p, \
                 COALESCE(SUM(CASE WHEN v.status = 'approved' THEN v.value END), 0), \
                 COUNT(CASE WHEN v.status = 'approved' THEN 1 END), \
                 COALESCE(SUM(CASE WHEN v.status = 'submitted' THEN v.value END), 0), \
                 COUNT(CASE WHEN v.status = 'submitted' THEN 1 END) \
             FROM (SELECT j.value ->> 0 AS i, j.value ->> 1 AS d, j.value ->> 2 AS ps, \
                     j.value ->> 3 AS p FROM json_each(?1) AS j) AS g \
             LEFT JOIN indicator_values v ON v.indicator_id = g.i \
                 AND v.disaggregation = g.d AND v.period_start = g.ps AND v.period = g.p \
             GROUP BY g.i, g.d, g.ps, g.p",
        )
        .bind::<Text, _>(json_rows(groups.iter()))
        .execute(c)?;
    }
    Ok(written)
}

/// Just the figures of a programme's period, per cell: for "previous value" and jump
/// checks, without reading whole rows.
pub fn figures_of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Vec<(i32, i32, String, f64)>> {
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::period.eq(period))
        .select((
            indicator_values::indicator_id,
            indicator_values::location_id,
            indicator_values::disaggregation,
            indicator_values::value,
        ))
        .load(conn)?)
}

/// The programme's targets for one period.
pub fn targets_of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Vec<Target>> {
    Ok(indicator_targets::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_targets::period.eq(period))
        .filter(indicator_targets::location_id.is_null())
        .filter(indicator_targets::disaggregation.eq(""))
        .select(Target::as_select())
        .load(conn)?)
}

/// A period's county milestones (interim targets set for one county, no part) of a
/// programme's indicators: (indicator, county, value). Most programmes set none.
pub fn county_targets_of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &str,
) -> AppResult<Vec<(i32, i32, f64)>> {
    let rows: Vec<(i32, Option<i32>, f64)> = indicator_targets::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_targets::period.eq(period))
        .filter(indicator_targets::location_id.is_not_null())
        .filter(indicator_targets::disaggregation.eq(""))
        .select((
            indicator_targets::indicator_id,
            indicator_targets::location_id,
            indicator_targets::value,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(i, l, v)| l.map(|l| (i, l, v)))
        .collect())
}

/// One indicator's county totals (every status) for periods starting on or after `since`.
pub fn indicator_totals_since(
    conn: &mut DbConn,
    indicator_id: i32,
    since: NaiveDate,
) -> AppResult<Vec<IndicatorValue>> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .filter(indicator_values::disaggregation.eq(""))
        .filter(indicator_values::period_start.ge(since))
        .select(IndicatorValue::as_select())
        .load(conn)?)
}

/// One county's approved total for one period: what reports are built from.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ApprovedFigure {
    pub indicator_id: i32,
    pub location_id: i32,
    pub period: String,
    pub value: f64,
}

/// The programme-wide targets of periods starting within `from`..=`to`, as
/// (indicator, period, value): what a figures read needs, without the dates (parsing
/// them was a third of this read's time on SQLite).
pub fn target_values_between(
    conn: &mut DbConn,
    programme_id: i32,
    indicator: Option<i32>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<(i32, String, f64)>> {
    let mut q = indicator_targets::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_targets::period_start.ge(from))
        .filter(indicator_targets::period_start.le(to))
        .filter(indicator_targets::location_id.is_null())
        .filter(indicator_targets::disaggregation.eq(""))
        .into_boxed();
    if let Some(id) = indicator {
        q = q.filter(indicator_targets::indicator_id.eq(id));
    }
    Ok(q.select((
        indicator_targets::indicator_id,
        indicator_targets::period,
        indicator_targets::value,
    ))
    .load(conn)?)
}

/// When the newest approved figure of the programme up to `to` was approved: the
/// report's "data as of", taken from the data so that the same data gives the same file.
///
/// Asked per indicator, so that each finds its newest approval at the end of the
/// approved values' index (`indicator_values_approved`) instead of reading every
/// approved value of the programme.
pub fn approved_as_of(
    conn: &mut DbConn,
    programme_id: i32,
    to: NaiveDate,
) -> AppResult<Option<NaiveDateTime>> {
    use diesel::sql_types::{Date, Integer, Nullable, Timestamp};
    #[derive(diesel::QueryableByName)]
    struct AsOf {
        #[diesel(sql_type = Nullable<Timestamp>)]
        at: Option<NaiveDateTime>,
    }
    // Parameters in the order they appear: SQLite's are positional.
    let text = "SELECT MAX(s.at) AS at FROM (SELECT (SELECT MAX(v.reviewed_at) \
        FROM indicator_values v WHERE v.indicator_id = i.id AND v.status = 'approved' \
        AND v.period_end <= {P1}) AS at FROM indicators i WHERE i.programme_id = {P2}) s";
    let row: AsOf = crate::db_run!(conn: {
        let sql = crate::db::placeholders(conn, text);
        diesel::sql_query(sql)
            .bind::<Date, _>(to)
            .bind::<Integer, _>(programme_id)
            .get_result(conn)?
    });
    Ok(row.at)
}

/// One indicator's approved county totals for periods within `from`..=`to`.
pub fn approved_of_indicator_between(
    conn: &mut DbConn,
    indicator_id: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<ApprovedFigure>> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .filter(indicator_values::disaggregation.eq(""))
        .filter(indicator_values::status.eq("approved"))
        .filter(indicator_values::period_start.ge(from))
        .filter(indicator_values::period_end.le(to))
        .select((
            indicator_values::indicator_id,
            indicator_values::location_id,
            indicator_values::period,
            indicator_values::value,
        ))
        .load(conn)?)
}

/// A programme's values grouped by period and county: (period start, period end,
/// county, how many values), to check that phases still cover every value.
pub fn groups_of_programme(
    conn: &mut DbConn,
    programme_id: i32,
) -> AppResult<Vec<(NaiveDate, NaiveDate, i32, i64)>> {
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .group_by((
            indicator_values::period_start,
            indicator_values::period_end,
            indicator_values::location_id,
        ))
        .select((
            indicator_values::period_start,
            indicator_values::period_end,
            indicator_values::location_id,
            diesel::dsl::count_star(),
        ))
        .load(conn)?)
}

/// How many values an indicator has, and how many of them are approved.
pub fn counts_of_indicator(conn: &mut DbConn, indicator_id: i32) -> AppResult<(i64, i64)> {
    let all: i64 = indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .count()
        .get_result(conn)?;
    let approved: i64 = indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .filter(indicator_values::status.eq("approved"))
        .count()
        .get_result(conn)?;
    Ok((all, approved))
}

/// Values of a programme's indicators whose part belongs to `category` ("sex=…"),
/// optionally only those of one option.
pub fn parts_in_category(
    conn: &mut DbConn,
    programme_id: i32,
    category: &str,
    option: Option<&str>,
) -> AppResult<i64> {
    let pattern = match option {
        Some(o) => format!("{category}={o}"),
        None => format!("{category}=%"),
    };
    Ok(indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::disaggregation.like(pattern))
        .count()
        .get_result(conn)?)
}

/// Values of one indicator whose part belongs to `category` ("sex=…").
pub fn parts_of_indicator(conn: &mut DbConn, indicator_id: i32, category: &str) -> AppResult<i64> {
    Ok(indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .filter(indicator_values::disaggregation.like(format!("{category}=%")))
        .count()
        .get_result(conn)?)
}

/// Which values a figure is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Approved only: reports, comparisons, exports of signed-off figures.
    Approved,
    /// Submitted or approved: the dashboard, which says what is still provisional.
    Reported,
}

impl Basis {
    fn statuses(self) -> &'static str {
        match self {
            Basis::Approved => "('approved')",
            Basis::Reported => "('submitted', 'approved')",
        }
    }

    /// The sum and the count of a `value_totals` row (`t`) on this basis.
    fn kept_columns(self) -> (&'static str, &'static str) {
        match self {
            Basis::Approved => ("t.approved_sum", "t.approved_count"),
            Basis::Reported => (
                "(t.approved_sum + t.submitted_sum)",
                "(t.approved_count + t.submitted_count)",
            ),
        }
    }
}

/// One indicator's values in one period, for the total ("") or one part, summed by
/// the database.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct PartSum {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub indicator_id: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub period: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub disaggregation: String,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub sum: f64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub count: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub approved: i64,
}

/// ` AND v.location_id IN (…)` for a county subset. County ids are integers from the
/// database, so writing them into the text is safe; binding a variable-length list is not
/// portable across the two backends.
fn only_counties(counties: Option<&[i32]>) -> String {
    counties
        .map(|ids| format!(" AND v.location_id IN ({})", id_list(ids)))
        .unwrap_or_default()
}

/// Ids written as an SQL list: "3,7,12".
fn id_list(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// The total ("") and the named parts as an SQL list the index can seek on (leaving the
/// part out would scan every part row of the whole history). Keys are the programme's
/// own option codes; quotes are doubled all the same.
fn part_list(parts: &[String]) -> String {
    std::iter::once(String::new())
        .chain(parts.iter().cloned())
        .map(|k| format!("'{}'", k.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The figures engine's grouped read: per indicator, period and part (the total and the
/// named `parts`), the sum of the county values of periods starting within `from`..=`to`,
/// how many counties, and how many approved. Every county's figure comes from the totals
/// the database keeps (`value_totals`, one row per indicator, part and period); a county
/// subset is summed from its rows over the covering index ([`county_group_totals`]).
#[allow(clippy::too_many_arguments)]
pub fn grouped_totals(
    conn: &mut DbConn,
    programme_id: i32,
    indicator: Option<i32>,
    basis: Basis,
    counties: Option<&[i32]>,
    parts: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<PartSum>> {
    use diesel::sql_types::{Date, Integer};
    if counties.is_some_and(|c| c.is_empty()) {
        return Ok(Vec::new());
    }
    if let Some(counties) = counties {
        let mut q = indicators::table
            .filter(indicators::programme_id.eq(programme_id))
            .select(indicators::id)
            .into_boxed();
        if let Some(id) = indicator {
            q = q.filter(indicators::id.eq(id));
        }
        let ids: Vec<i32> = q.load(conn)?;
        return Ok(
            county_group_totals(conn, &ids, basis, &[counties], parts, from, to)?
                .into_iter()
                .map(|g| PartSum {
                    indicator_id: g.indicator_id,
                    period: g.period,
                    disaggregation: g.disaggregation,
                    sum: g.sum,
                    count: g.count,
                    approved: g.approved,
                })
                .collect(),
        );
    }
    let (sum, count) = basis.kept_columns();
    let only = indicator
        .map(|id| format!(" AND t.indicator_id = {id}"))
        .unwrap_or_default();
    let text = format!(
        "SELECT t.indicator_id AS indicator_id, t.period AS period, \
        t.disaggregation AS disaggregation, CAST({sum} AS DOUBLE PRECISION) AS sum, \
        CAST({count} AS BIGINT) AS count, CAST(t.approved_count AS BIGINT) AS approved \
        FROM value_totals t JOIN indicators i ON i.id = t.indicator_id \
        WHERE i.programme_id = {{P1}} AND t.disaggregation IN ({}) AND t.period_start >= {{P2}} \
        AND t.period_start <= {{P3}}{only} AND {count} > 0",
        part_list(parts)
    );
    Ok(crate::db_run!(conn: {
        let sql = crate::db::placeholders(conn, &text);
        diesel::sql_query(sql)
            .bind::<Integer, _>(programme_id)
            .bind::<Date, _>(from)
            .bind::<Date, _>(to)
            .load::<PartSum>(conn)?
    }))
}

/// One indicator's values in one period, for the total ("") or one part, summed over
/// one county group (`group`: its place in the groups asked for).
#[derive(Debug, Clone, PartialEq, diesel::QueryableByName)]
pub struct GroupSum {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub group: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub indicator_id: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub period: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub disaggregation: String,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub sum: f64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub count: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub approved: i64,
}

/// The grouped read of county subsets: per county group, indicator of `indicators`, period
/// and part (the total and the named `parts`), the sum of the group's county values of
/// periods starting within `from`..=`to`, how many, and how many approved; groups with
/// no value are left out.
///
/// The rows are read over the covering index (`indicator_values_counties`: indicator,
/// part and period first, in the order the sums are grouped, with the county in it), so
/// the sums stream out grouped; several groups are summed in one pass, each row added to
/// every group its county is in. Ids are integers, written into the text (see
/// [`only_counties`]).
#[allow(clippy::too_many_arguments)]
pub fn county_group_totals(
    conn: &mut DbConn,
    indicators: &[i32],
    basis: Basis,
    groups: &[&[i32]],
    parts: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<GroupSum>> {
    use diesel::sql_types::Date;
    let asked: Vec<(usize, &[i32])> = groups
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, g)| !g.is_empty())
        .collect();
    if indicators.is_empty() || asked.is_empty() {
        return Ok(Vec::new());
    }
    let scope_where = format!(
        "FROM indicator_values v WHERE v.indicator_id IN ({}) AND v.disaggregation IN ({}) \
         AND v.period_start >= {{P1}} AND v.period_start <= {{P2}} AND v.status IN {}",
        id_list(indicators),
        part_list(parts),
        basis.statuses()
    );
    let group_by = "GROUP BY v.indicator_id, v.disaggregation, v.period_start, v.period";
    let one_group = |g: usize, ids: &[i32]| {
        let approved = match basis {
            Basis::Approved => "COUNT(*)",
            Basis::Reported => "SUM(CASE WHEN v.status = 'approved' THEN 1 ELSE 0 END)",
        };
        format!(
            "SELECT {g} AS \"group\", v.indicator_id AS indicator_id, v.period AS period, \
             v.disaggregation AS disaggregation, CAST(SUM(v.value) AS DOUBLE PRECISION) AS sum, \
             COUNT(*) AS count, {approved} AS approved {scope_where} \
             AND v.location_id IN ({}) {group_by}",
            id_list(ids)
        )
    };
    let text = if let [(g, ids)] = asked[..] {
        one_group(g, ids)
    } else {
        // Each group's sum and counts as columns of one grouped pass over the rows, then
        // a row per group (MATERIALIZED: the pass is made once, not once per group). Each
        // row is read, and on PostgreSQL checked for visibility, once instead of once per
        // group: measured at 1M values, as fast as a statement per group on SQLite and
        // about a third faster on PostgreSQL.
        let mut columns = String::new();
        let mut rows = Vec::new();
        for (g, ids) in &asked {
            let inside = format!("v.location_id IN ({})", id_list(ids));
            columns.push_str(&format!(
                ", SUM(v.value) FILTER (WHERE {inside}) AS s{g}, \
                 COUNT(*) FILTER (WHERE {inside}) AS c{g}"
            ));
            let approved = match basis {
                Basis::Approved => format!("c{g}"),
                Basis::Reported => {
                    columns.push_str(&format!(
                        ", COUNT(*) FILTER (WHERE {inside} AND v.status = 'approved') AS a{g}"
                    ));
                    format!("a{g}")
                }
            };
            rows.push(format!(
                "SELECT {g} AS \"group\", indicator_id, period, disaggregation, \
                 CAST(s{g} AS DOUBLE PRECISION) AS sum, CAST(c{g} AS BIGINT) AS count, \
                 CAST({approved} AS BIGINT) AS approved FROM sums WHERE c{g} > 0"
            ));
        }
        format!(
            "WITH sums AS MATERIALIZED (SELECT v.indicator_id AS indicator_id, \
             v.period AS period, v.disaggregation AS disaggregation{columns} \
             {scope_where} {group_by}) {}",
            rows.join(" UNION ALL ")
        )
    };
    Ok(crate::db_run!(conn: {
        let sql = crate::db::placeholders(conn, &text);
        diesel::sql_query(sql)
            .bind::<Date, _>(from)
            .bind::<Date, _>(to)
            .load::<GroupSum>(conn)?
    }))
}

/// Per indicator of `indicators`: its county totals of every period starting on or before
/// `to`, summed — a running total from the programme's start.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct RunningSum {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub indicator_id: i32,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub sum: f64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub count: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub approved: i64,
}

pub fn running_sums(
    conn: &mut DbConn,
    indicators: &[i32],
    basis: Basis,
    counties: Option<&[i32]>,
    to: NaiveDate,
) -> AppResult<Vec<RunningSum>> {
    use diesel::sql_types::Date;
    if indicators.is_empty() || counties.is_some_and(|c| c.is_empty()) {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = indicators.iter().map(i32::to_string).collect();
    // Every county's: from the kept totals, a row per quarter instead of one per county.
    let text = if counties.is_none() {
        let (sum, count) = basis.kept_columns();
        format!(
            "SELECT t.indicator_id AS indicator_id, CAST(SUM({sum}) AS DOUBLE PRECISION) AS sum, \
            CAST(SUM({count}) AS BIGINT) AS count, CAST(SUM(t.approved_count) AS BIGINT) AS approved \
            FROM value_totals t WHERE t.indicator_id IN ({}) AND t.disaggregation = '' \
            AND t.period_start <= {{P1}} GROUP BY t.indicator_id HAVING SUM({count}) > 0",
            ids.join(",")
        )
    } else {
        format!(
            "SELECT v.indicator_id AS indicator_id, CAST(SUM(v.value) AS DOUBLE PRECISION) AS sum, \
            COUNT(*) AS count, SUM(CASE WHEN v.status = 'approved' THEN 1 ELSE 0 END) AS approved \
            FROM indicator_values v WHERE v.indicator_id IN ({}) AND v.disaggregation = '' \
            AND v.period_start <= {{P1}} AND v.status IN {}{} GROUP BY v.indicator_id",
            ids.join(","),
            basis.statuses(),
            only_counties(counties)
        )
    };
    Ok(crate::db_run!(conn: {
        let sql = crate::db::placeholders(conn, &text);
        diesel::sql_query(sql).bind::<Date, _>(to).load::<RunningSum>(conn)?
    }))
}

/// County totals (no parts) of the programme for periods starting within `from`..=`to`,
/// from the given basis and counties: the figures engine's by-county read. Filtering on
/// the start alone keeps it to the covering index (`indicator_values_counties`); the
/// quarters of a span are the same either way, and a longer period starting in it (a
/// year) is no quarter's figure, so the engine never looks at it.
pub fn county_totals(
    conn: &mut DbConn,
    programme_id: i32,
    basis: Basis,
    counties: Option<&[i32]>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<ApprovedFigure>> {
    let statuses: &[&str] = match basis {
        Basis::Approved => &["approved"],
        Basis::Reported => &["submitted", "approved"],
    };
    let mut q = indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::programme_id.eq(programme_id))
        .filter(indicator_values::disaggregation.eq(""))
        .filter(indicator_values::status.eq_any(statuses))
        .filter(indicator_values::period_start.ge(from))
        .filter(indicator_values::period_start.le(to))
        .into_boxed();
    if let Some(c) = counties {
        q = q.filter(indicator_values::location_id.eq_any(c.to_vec()));
    }
    Ok(q.select((
        indicator_values::indicator_id,
        indicator_values::location_id,
        indicator_values::period,
        indicator_values::value,
    ))
    .load(conn)?)
}

/// The start of the newest period an indicator has a value or a programme-wide target in.
pub fn last_period_of_indicator(
    conn: &mut DbConn,
    indicator_id: i32,
) -> AppResult<Option<NaiveDate>> {
    let value: Option<NaiveDate> = indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator_id))
        .select(diesel::dsl::max(indicator_values::period_start))
        .first(conn)?;
    let target: Option<NaiveDate> = indicator_targets::table
        .filter(indicator_targets::indicator_id.eq(indicator_id))
        .filter(indicator_targets::location_id.is_null())
        .select(diesel::dsl::max(indicator_targets::period_start))
        .first(conn)?;
    Ok(value.max(target))
}
