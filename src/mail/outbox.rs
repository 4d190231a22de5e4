//! The outbox (messages to send, sent or waiting for another try) and the opt-outs.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::compose::{body_for, Draft};
use super::Kind;
use crate::db::schema::{mail_optouts, mail_outbox, user_roles, users};
use crate::db::DbConn;
use crate::error::AppResult;

/// Someone a message goes to.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Recipient {
    pub user_id: i32,
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct Message {
    pub id: i32,
    pub kind: String,
    pub user_id: i32,
    pub programme_id: Option<i32>,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub dedupe_key: Option<String>,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: String,
}

/// The active people with `kind`'s role in the programme who have an address and
/// have not turned `kind` off, each once.
pub fn recipients(conn: &mut DbConn, programme_id: i32, kind: Kind) -> AppResult<Vec<Recipient>> {
    let opted_out = mail_optouts::table
        .filter(mail_optouts::kind.eq(kind.as_str()))
        .select(mail_optouts::user_id);
    Ok(users::table
        .inner_join(user_roles::table)
        .filter(user_roles::programme_id.eq(programme_id))
        .filter(user_roles::role.eq(kind.role()))
        .filter(users::is_active.eq(true))
        .filter(users::email.ne(""))
        .filter(users::id.ne_all(opted_out))
        .select((users::id, users::display_name, users::email))
        .distinct()
        .order(users::id)
        .load(conn)?)
}

/// Writes `draft` to the outbox for each of `to`; the caller's transaction makes it
/// part of the change it tells of. A `dedupe` key (per person) writes a message that
/// is already there no second time. Returns how many were written.
pub fn enqueue(
    conn: &mut DbConn,
    draft: &Draft,
    programme_id: Option<i32>,
    to: &[Recipient],
    public_url: &str,
    now: NaiveDateTime,
    dedupe: Option<&dyn Fn(&Recipient) -> String>,
) -> AppResult<usize> {
    let mut written = 0;
    for r in to {
        let key = dedupe.map(|f| f(r));
        let row = (
            mail_outbox::kind.eq(draft.kind.as_str()),
            mail_outbox::user_id.eq(r.user_id),
            mail_outbox::programme_id.eq(programme_id),
            mail_outbox::to_address.eq(&r.address),
            mail_outbox::subject.eq(&draft.subject),
            mail_outbox::body.eq(body_for(&r.name, draft, public_url)),
            mail_outbox::dedupe_key.eq(key),
            mail_outbox::created_at.eq(now),
            mail_outbox::next_attempt_at.eq(now),
        );
        written += crate::db_run!(conn: {
            diesel::insert_into(mail_outbox::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(conn)?
        });
    }
    Ok(written)
}

/// How long a claimed message is left to the worker that claimed it before another
/// may try (a worker that died mid-send).
pub const CLAIM: Duration = Duration::minutes(5);

/// Messages due to be tried now, each claimed for this worker: a message another
/// worker holds is skipped, so no two send the same one.
pub fn claim_due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> AppResult<Vec<Message>> {
    let free = mail_outbox::claimed_until
        .is_null()
        .or(mail_outbox::claimed_until.lt(now));
    let ids: Vec<i32> = mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::next_attempt_at.le(now))
        .filter(free)
        .order(mail_outbox::id)
        .limit(limit)
        .select(mail_outbox::id)
        .load(conn)?;
    let mut claimed = Vec::new();
    for id in ids {
        let free = mail_outbox::claimed_until
            .is_null()
            .or(mail_outbox::claimed_until.lt(now));
        let n = diesel::update(
            mail_outbox::table
                .filter(mail_outbox::id.eq(id))
                .filter(mail_outbox::sent_at.is_null())
                .filter(free),
        )
        .set(mail_outbox::claimed_until.eq(now + CLAIM))
        .execute(conn)?;
        if n == 1 {
            claimed.push(
                mail_outbox::table
                    .find(id)
                    .select(Message::as_select())
                    .first(conn)?,
            );
        }
    }
    Ok(claimed)
}

pub fn mark_sent(conn: &mut DbConn, id: i32, now: NaiveDateTime) -> AppResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::sent_at.eq(now),
            mail_outbox::claimed_until.eq(None::<NaiveDateTime>),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(""),
        ))
        .execute(conn)?;
    Ok(())
}

/// The wait before try `attempts + 1`: the retry interval doubled each time, at most an
/// hour. A message is never dropped.
pub fn backoff(attempts: i32, retry_seconds: u64) -> Duration {
    let doubled = retry_seconds.saturating_mul(1 << attempts.clamp(0, 10));
    Duration::seconds(doubled.min(3600) as i64)
}

pub fn mark_failed(
    conn: &mut DbConn,
    m: &Message,
    now: NaiveDateTime,
    error: &str,
    retry_seconds: u64,
) -> AppResult<()> {
    diesel::update(mail_outbox::table.find(m.id))
        .set((
            mail_outbox::attempts.eq(m.attempts + 1),
            mail_outbox::next_attempt_at.eq(now + backoff(m.attempts, retry_seconds)),
            mail_outbox::claimed_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Messages not yet sent: how many, the oldest's time, and the newest error.
pub fn pending(conn: &mut DbConn) -> AppResult<(i64, Option<NaiveDateTime>, Option<String>)> {
    let unsent = || mail_outbox::table.filter(mail_outbox::sent_at.is_null());
    let n: i64 = unsent().count().get_result(conn)?;
    let oldest: Option<NaiveDateTime> = unsent()
        .select(diesel::dsl::min(mail_outbox::created_at))
        .first(conn)?;
    let error: Option<String> = unsent()
        .filter(mail_outbox::last_error.ne(""))
        .order(mail_outbox::id.desc())
        .select(mail_outbox::last_error)
        .first(conn)
        .optional()?;
    Ok((n, oldest, error))
}

/// The kinds a person has turned off.
pub fn optouts_of(conn: &mut DbConn, user_id: i32) -> AppResult<Vec<Kind>> {
    let kinds: Vec<String> = mail_optouts::table
        .filter(mail_optouts::user_id.eq(user_id))
        .select(mail_optouts::kind)
        .load(conn)?;
    Ok(kinds.iter().filter_map(|k| Kind::parse(k)).collect())
}

/// Replaces a person's opt-outs with `off`.
pub fn set_optouts(conn: &mut DbConn, user_id: i32, off: &[Kind]) -> AppResult<()> {
    diesel::delete(mail_optouts::table.filter(mail_optouts::user_id.eq(user_id))).execute(conn)?;
    for k in off {
        diesel::insert_into(mail_optouts::table)
            .values((
                mail_optouts::user_id.eq(user_id),
                mail_optouts::kind.eq(k.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(backoff(0, 60), Duration::seconds(60));
        assert_eq!(backoff(1, 60), Duration::seconds(120));
        assert_eq!(backoff(3, 60), Duration::seconds(480));
        assert_eq!(backoff(9, 60), Duration::seconds(3600));
        assert_eq!(backoff(500, 3600), Duration::seconds(3600));
    }
}
