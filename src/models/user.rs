//! Accounts and their roles per programme. Passwords are stored only as argon2id hashes.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{programmes, user_roles, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
}

/// Roles a user can hold in a programme. Administrators are users with `is_admin`.
pub const ROLES: [&str; 4] = ["manager", "me_officer", "evaluator", "donor"];

pub fn role_label(role: &str) -> &'static str {
    match role {
        "manager" => "Programme manager",
        "me_officer" => "Ministry M&E officer",
        "evaluator" => "Evaluator",
        "donor" => "Donor",
        _ => "Unknown role",
    }
}

pub const MIN_PASSWORD_LEN: usize = 10;

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub is_admin: bool,
}

pub fn validate_username(username: &str) -> AppResult<()> {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=40).contains(&username.len()) || !ok_chars {
        return Err(AppError::invalid(
            "username",
            format!("'{username}' is not a valid username: use 3 to 40 lowercase letters, digits, '.', '_' or '-'"),
        ));
    }
    Ok(())
}

pub fn validate_password(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::invalid(
            "password",
            format!("the password must be at least {MIN_PASSWORD_LEN} characters long"),
        ));
    }
    Ok(())
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn create(conn: &mut DbConn, account: &NewAccount) -> AppResult<User> {
    validate_username(account.username)?;
    validate_password(account.password)?;
    validate_email(account.email.trim()).map_err(|m| AppError::invalid("email", m))?;
    if account.display_name.trim().is_empty() {
        return Err(AppError::invalid("name", "give the person's name"));
    }
    if by_username(conn, account.username)?.is_some() {
        return Err(AppError::Conflict(format!(
            "A user named '{}' already exists.",
            account.username
        )));
    }
    let hash = hash_password(account.password)?;
    let id: i32 = diesel::insert_into(users::table)
        .values((
            users::username.eq(account.username),
            users::display_name.eq(account.display_name.trim()),
            users::email.eq(account.email.trim()),
            users::password_hash.eq(hash),
            users::is_admin.eq(account.is_admin),
            users::is_active.eq(true),
            users::created_at.eq(crate::clock::now()),
        ))
        .returning(users::id)
        .get_result(conn)?;
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)?)
}

pub fn by_username(conn: &mut DbConn, username: &str) -> AppResult<Option<User>> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn grant_role(
    conn: &mut DbConn,
    user_id: i32,
    programme_code: &str,
    role: &str,
) -> AppResult<()> {
    if !ROLES.contains(&role) {
        return Err(AppError::invalid(
            "role",
            format!("'{role}' is not a role; use one of: {}", ROLES.join(", ")),
        ));
    }
    let programme_id: i32 = programmes::table
        .filter(programmes::code.eq(programme_code))
        .select(programmes::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::invalid(
                "programme",
                format!("there is no programme with the code '{programme_code}'"),
            )
        })?;
    let exists: i64 = user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .filter(user_roles::programme_id.eq(programme_id))
        .filter(user_roles::role.eq(role))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(user_id),
                user_roles::programme_id.eq(programme_id),
                user_roles::role.eq(role),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// (programme code, role) pairs of a user.
pub fn roles_of(conn: &mut DbConn, user_id: i32) -> AppResult<Vec<(String, String)>> {
    Ok(user_roles::table
        .inner_join(programmes::table)
        .filter(user_roles::user_id.eq(user_id))
        .order((programmes::code, user_roles::role))
        .select((programmes::code, user_roles::role))
        .load(conn)?)
}

/// (programme id, programme code, role) of a user.
pub fn role_rows(conn: &mut DbConn, user_id: i32) -> AppResult<Vec<(i32, String, String)>> {
    Ok(user_roles::table
        .inner_join(programmes::table)
        .filter(user_roles::user_id.eq(user_id))
        .order((programmes::code, user_roles::role))
        .select((programmes::id, programmes::code, user_roles::role))
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct RoleGrant {
    pub id: i32,
    pub programme_code: String,
    pub programme_name: String,
    pub role: String,
}

pub fn grants_of(conn: &mut DbConn, user_id: i32) -> AppResult<Vec<RoleGrant>> {
    Ok(user_roles::table
        .inner_join(programmes::table)
        .filter(user_roles::user_id.eq(user_id))
        .order((programmes::code, user_roles::role))
        .select((
            user_roles::id,
            programmes::code,
            programmes::name,
            user_roles::role,
        ))
        .load(conn)?)
}

pub fn revoke_grant(conn: &mut DbConn, user_id: i32, grant_id: i32) -> AppResult<RoleGrant> {
    let grant = grants_of(conn, user_id)?
        .into_iter()
        .find(|g| g.id == grant_id)
        .ok_or_else(|| AppError::not_found("That role is not held by this user."))?;
    diesel::delete(user_roles::table.find(grant_id)).execute(conn)?;
    Ok(grant)
}

/// Every account's id and username (what records name as who entered them).
pub fn usernames(conn: &mut DbConn) -> AppResult<Vec<(i32, String)>> {
    Ok(users::table
        .select((users::id, users::username))
        .load(conn)?)
}

pub fn all(conn: &mut DbConn) -> AppResult<Vec<User>> {
    Ok(users::table
        .order(users::username)
        .select(User::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i32) -> AppResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("There is no user with that number."))
}

pub fn set_password(conn: &mut DbConn, user_id: i32, password: &str) -> AppResult<()> {
    validate_password(password)?;
    let hash = hash_password(password)?;
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(hash))
        .execute(conn)?;
    Ok(())
}

/// An address messages can go to, or empty for none.
pub fn validate_email(email: &str) -> Result<(), String> {
    if email.is_empty() {
        return Ok(());
    }
    if email.len() > 254 {
        return Err("an email address is at most 254 characters".into());
    }
    email.parse::<lettre::Address>().map(|_| ()).map_err(|_| {
        format!("'{email}' is not an email address (for example amina.wanjiru@interior.go.ke)")
    })
}

pub fn set_email(conn: &mut DbConn, user_id: i32, email: &str) -> AppResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::email.eq(email))
        .execute(conn)?;
    Ok(())
}

pub fn set_active(conn: &mut DbConn, user_id: i32, active: bool) -> AppResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::is_active.eq(active))
        .execute(conn)?;
    Ok(())
}

pub fn mark_login(conn: &mut DbConn, user_id: i32, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::last_login_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}
