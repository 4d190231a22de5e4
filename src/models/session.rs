//! Sessions, login failures and API tokens. Secrets are stored only as SHA-256 hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::{api_tokens, login_failures, programmes, sessions, user_roles, users};
use crate::db::DbConn;
use crate::domain::throttle::Failures;
use crate::error::{AppError, AppResult};
use crate::models::programme::Programme;
use crate::models::user::User;

pub fn random_hex(bytes: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i32,
    pub token_hash: String,
    pub user_id: i32,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub ip: String,
    pub user_agent: String,
}

/// Starts a session; returns the token for the cookie (never stored as such).
pub fn create(
    conn: &mut DbConn,
    user_id: i32,
    ip: &str,
    user_agent: &str,
    now: NaiveDateTime,
) -> AppResult<String> {
    let token = random_hex(32);
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(sha256_hex(&token)),
            sessions::user_id.eq(user_id),
            sessions::csrf_token.eq(random_hex(24)),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::ip.eq(ip),
            sessions::user_agent.eq(user_agent.chars().take(200).collect::<String>()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// A role a user holds: programme id, programme code, role.
pub type RoleRow = (i32, String, String);

/// Who holds an API token: the user, their roles, and the rows of the programmes those
/// roles name (read in the same query).
pub type TokenHolder = (User, Vec<RoleRow>, Vec<Programme>);

/// A role's columns from a left join: all set when the user holds a role.
type MaybeRole = (Option<i32>, Option<String>, Option<String>);

/// A role only when the user holds one.
fn role_of(row: MaybeRole) -> Option<RoleRow> {
    match row {
        (Some(id), Some(code), Some(role)) => Some((id, code, role)),
        _ => None,
    }
}

/// The live session for a cookie token, with its user's roles (in programme code order;
/// one query, as every page asks): not idle past `idle_limit`, account active. An
/// expired session is deleted on the way; activity is recorded at most once a minute.
pub fn resume(
    conn: &mut DbConn,
    token: &str,
    idle_limit: chrono::Duration,
    now: NaiveDateTime,
) -> AppResult<Option<(SessionRow, User, Vec<RoleRow>)>> {
    let rows: Vec<(SessionRow, User, MaybeRole)> = sessions::table
        .inner_join(users::table)
        .left_join(user_roles::table.on(user_roles::user_id.eq(users::id)))
        .left_join(programmes::table.on(programmes::id.eq(user_roles::programme_id)))
        .filter(sessions::token_hash.eq(sha256_hex(token)))
        .order((programmes::code, user_roles::role))
        .select((
            SessionRow::as_select(),
            User::as_select(),
            (
                programmes::id.nullable(),
                programmes::code.nullable(),
                user_roles::role.nullable(),
            ),
        ))
        .load(conn)?;
    let roles: Vec<RoleRow> = rows.iter().filter_map(|r| role_of(r.2.clone())).collect();
    let Some((session, user, _)) = rows.into_iter().next() else {
        return Ok(None);
    };
    if !user.is_active || session.last_seen_at + idle_limit < now {
        diesel::delete(sessions::table.find(session.id)).execute(conn)?;
        return Ok(None);
    }
    if now - session.last_seen_at > chrono::Duration::minutes(1) {
        diesel::update(sessions::table.find(session.id))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some((session, user, roles)))
}

pub fn end(conn: &mut DbConn, session_id: i32) -> AppResult<()> {
    diesel::delete(sessions::table.find(session_id)).execute(conn)?;
    Ok(())
}

/// Ends every session of a user but `keep` (after a password change or reset).
pub fn end_all_for(conn: &mut DbConn, user_id: i32, keep: Option<i32>) -> AppResult<usize> {
    let q = sessions::table.filter(sessions::user_id.eq(user_id));
    Ok(match keep {
        Some(id) => diesel::delete(q.filter(sessions::id.ne(id))).execute(conn)?,
        None => diesel::delete(q).execute(conn)?,
    })
}

pub fn record_failure(
    conn: &mut DbConn,
    username: &str,
    ip: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::username.eq(username),
            login_failures::ip.eq(ip),
            login_failures::at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Recent failures for an account and for an address.
pub fn failures_since(
    conn: &mut DbConn,
    username: &str,
    ip: &str,
    since: NaiveDateTime,
) -> AppResult<(Failures, Failures)> {
    let by_user: (i64, Option<NaiveDateTime>) = login_failures::table
        .filter(login_failures::username.eq(username))
        .filter(login_failures::at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(login_failures::at),
        ))
        .first(conn)?;
    let by_ip: (i64, Option<NaiveDateTime>) = login_failures::table
        .filter(login_failures::ip.eq(ip))
        .filter(login_failures::at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(login_failures::at),
        ))
        .first(conn)?;
    let f = |(n, last): (i64, Option<NaiveDateTime>)| Failures {
        count: n.clamp(0, u32::MAX as i64) as u32,
        last,
    };
    Ok((f(by_user), f(by_ip)))
}

pub fn clear_failures(conn: &mut DbConn, username: &str) -> AppResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::username.eq(username)))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub prefix: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub const TOKEN_PREFIX: &str = "mpk_";

/// Creates a token; the plain text is returned once and never stored.
pub fn create_token(
    conn: &mut DbConn,
    user_id: i32,
    name: &str,
    now: NaiveDateTime,
) -> AppResult<(i32, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(
            "name",
            "give the token a name of 1 to 80 characters, e.g. 'county upload script'",
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", random_hex(24));
    let id = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(sha256_hex(&token)),
            api_tokens::prefix.eq(&token[..TOKEN_PREFIX.len() + 6]),
            api_tokens::created_at.eq(now),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok((id, token))
}

pub fn tokens_of(conn: &mut DbConn, user_id: i32) -> AppResult<Vec<ApiToken>> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id.desc())
        .select(ApiToken::as_select())
        .load(conn)?)
}

/// Revokes one of the user's own tokens; someone else's token is "not found".
pub fn revoke_token(
    conn: &mut DbConn,
    user_id: i32,
    token_id: i32,
    now: NaiveDateTime,
) -> AppResult<ApiToken> {
    let t: ApiToken = api_tokens::table
        .filter(api_tokens::id.eq(token_id))
        .filter(api_tokens::user_id.eq(user_id))
        .select(ApiToken::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("You have no token with that number."))?;
    if t.revoked_at.is_none() {
        diesel::update(api_tokens::table.find(t.id))
            .set(api_tokens::revoked_at.eq(now))
            .execute(conn)?;
    }
    Ok(t)
}

/// The active user behind a bearer token, if the token is live, with their roles (in
/// programme code order; one query, as every API call asks).
pub fn user_for_token(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> AppResult<Option<TokenHolder>> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    type Row = (
        i32,
        Option<NaiveDateTime>,
        User,
        MaybeRole,
        Option<Programme>,
    );
    let rows: Vec<Row> = api_tokens::table
        .inner_join(users::table)
        .left_join(user_roles::table.on(user_roles::user_id.eq(users::id)))
        .left_join(programmes::table.on(programmes::id.eq(user_roles::programme_id)))
        .filter(api_tokens::token_hash.eq(sha256_hex(token)))
        .filter(api_tokens::revoked_at.is_null())
        .order((programmes::code, user_roles::role))
        .select((
            api_tokens::id,
            api_tokens::last_used_at,
            User::as_select(),
            (
                programmes::id.nullable(),
                programmes::code.nullable(),
                user_roles::role.nullable(),
            ),
            Option::<Programme>::as_select(),
        ))
        .load(conn)?;
    let roles: Vec<RoleRow> = rows.iter().filter_map(|r| role_of(r.3.clone())).collect();
    let mut read: Vec<Programme> = Vec::new();
    for r in &rows {
        if let Some(p) = &r.4 {
            if read.last().is_none_or(|q| q.id != p.id) {
                read.push(p.clone());
            }
        }
    }
    let Some((id, last_used, user, _, _)) = rows.into_iter().next() else {
        return Ok(None);
    };
    if !user.is_active {
        return Ok(None);
    }
    if last_used.is_none_or(|t| now - t > chrono::Duration::minutes(1)) {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some((user, roles, read)))
}
