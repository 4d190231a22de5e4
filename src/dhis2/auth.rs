//! Who is calling Mipaka's DHIS2-compatible endpoint: HTTP Basic (username and password,
//! with the same checks as the sign-in form: throttling per account and address, a
//! disabled account refused, every failure recorded and audited) or a personal API
//! token as DHIS2 clients send it (`Authorization: ApiToken mpk_…`; `Bearer mpk_…` too).
//! A session cookie is never enough here.

use base64::Engine;
use chrono::NaiveDateTime;

use crate::auth::{Access, ApiClient};
use crate::db::DbConn;
use crate::domain::throttle::{verdict, ThrottlePolicy, Verdict};
use crate::error::AppResult;
use crate::models::{audit, session, user};

/// Why a caller was not let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No usable credentials, or wrong ones: 401 with a challenge.
    Unauthorized(String),
    /// Too many failures: wait until then (429).
    Throttled { minutes: i64 },
}

/// The credentials of an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    Basic { user: String, password: String },
    Token(String),
}

/// Reads an `Authorization` header value.
pub fn credentials(header: Option<&str>) -> Result<Credentials, Refused> {
    let Some(h) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Err(Refused::Unauthorized(
            "sign in with HTTP Basic (username and password) or 'Authorization: ApiToken <personal API token>'".into(),
        ));
    };
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    Refused::Unauthorized(
                        "the Basic credentials are not base64 of username:password".into(),
                    )
                })?;
            let (user, password) = decoded.split_once(':').ok_or_else(|| {
                Refused::Unauthorized("the Basic credentials are not username:password".into())
            })?;
            Ok(Credentials::Basic {
                user: user.trim().to_lowercase(),
                password: password.to_string(),
            })
        }
        "apitoken" | "bearer" => Ok(Credentials::Token(rest.trim().to_string())),
        _ => Err(Refused::Unauthorized(format!(
            "'{scheme}' credentials are not accepted here: use Basic or ApiToken"
        ))),
    }
}

/// What checking Basic credentials decided before any password was compared: go ahead
/// after waiting `delay_ms`, or refuse.
pub fn throttle(
    conn: &mut DbConn,
    policy: &ThrottlePolicy,
    username: &str,
    ip: &str,
    now: NaiveDateTime,
) -> AppResult<Result<u64, Refused>> {
    let (who, addr) = session::failures_since(conn, username, ip, now - policy.window)?;
    Ok(match verdict(policy, who, addr, now) {
        Verdict::Refuse { until } => {
            audit::record(
                conn,
                audit::Change {
                    actor: username,
                    action: "login_refused",
                    entity: "user",
                    detail: format!("throttled, DHIS2 API from {ip}"),
                    ..Default::default()
                },
            )?;
            Err(Refused::Throttled {
                minutes: ((until - now).num_seconds() + 59).div_euclid(60).max(1),
            })
        }
        Verdict::Allow { delay_ms } => Ok(delay_ms),
    })
}

/// Checks a username and password as the sign-in form does (failures recorded and
/// audited, a disabled account refused), without opening a session.
pub fn check_password(
    conn: &mut DbConn,
    username: &str,
    password: &str,
    ip: &str,
    now: NaiveDateTime,
) -> AppResult<Result<ApiClient, Refused>> {
    crate::db::write(conn, |c| {
        let found = user::by_username(c, username)?;
        let ok = found
            .as_ref()
            .is_some_and(|x| user::verify_password(password, &x.password_hash));
        match found {
            Some(u) if ok && u.is_active => {
                session::clear_failures(c, username)?;
                let access = Access::load(c, &u)?;
                Ok(Ok(ApiClient { user: u, access }))
            }
            other => {
                let disabled = other.as_ref().is_some_and(|_| ok);
                if !disabled {
                    session::record_failure(c, username, ip, now)?;
                }
                let actor: String = username.chars().take(60).collect();
                audit::record(
                    c,
                    audit::Change {
                        user_id: other.map(|x| x.id),
                        actor: &actor,
                        action: "login_failed",
                        entity: "user",
                        detail: if disabled {
                            format!("account disabled, DHIS2 API from {ip}")
                        } else {
                            format!("wrong username or password, DHIS2 API from {ip}")
                        },
                        ..Default::default()
                    },
                )?;
                Ok(Err(Refused::Unauthorized(if disabled {
                    "this account is disabled".into()
                } else {
                    "the username or password is not right".into()
                })))
            }
        }
    })
}

/// The holder of a live personal API token.
pub fn check_token(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> AppResult<Result<ApiClient, Refused>> {
    Ok(match session::user_for_token(conn, token, now)? {
        Some((u, roles, read)) => {
            let access = Access::of(&u, roles).with_programmes(read);
            Ok(ApiClient { user: u, access })
        }
        None => Err(Refused::Unauthorized(
            "the API token is unknown, revoked, or its account is disabled".into(),
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read() {
        assert_eq!(
            credentials(Some("Basic YWRtaW46ZGlzdHJpY3Q=")).unwrap(),
            Credentials::Basic {
                user: "admin".into(),
                password: "district".into()
            }
        );
        assert_eq!(
            credentials(Some("ApiToken mpk_abc")).unwrap(),
            Credentials::Token("mpk_abc".into())
        );
        assert!(credentials(None).is_err());
        assert!(credentials(Some("Basic !!!")).is_err());
        assert!(credentials(Some("Digest x")).is_err());
    }
}
