//! Who is asking, and what they may do: a signed-in user's or an API client's access
//! per programme, and the CSRF token check. No HTTP here: the request guards that find
//! them (session cookie, form token, bearer token) are in `web::guard` and `api::client`.

use crate::domain::access::{any_allows, Permission, Role};
use crate::domain::throttle::ThrottlePolicy;
use crate::error::{AppError, AppResult};
use crate::models::programme::{self, Programme};
use crate::models::user::{self, User};

/// Account settings (held in the web server's state).
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session unused this long ends.
    pub idle: chrono::Duration,
    pub throttle: ThrottlePolicy,
    /// Mark cookies `Secure` (behind a TLS-terminating proxy). Rocket does so by itself
    /// when it serves TLS.
    pub secure_cookies: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle: chrono::Duration::minutes(60),
            throttle: ThrottlePolicy::default(),
            secure_cookies: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProgrammeRole {
    pub programme_id: i32,
    pub code: String,
    pub role: Role,
}

/// A user's standing: administrator or not, and roles per programme.
#[derive(Debug, Clone)]
pub struct Access {
    pub is_admin: bool,
    pub roles: Vec<ProgrammeRole>,
    /// The programmes of those roles as read with them (by the API token's one query),
    /// so that an API request reads its programme once: see [`Access::programme`].
    read: std::sync::Arc<[Programme]>,
}

impl Access {
    pub fn load(conn: &mut crate::db::DbConn, u: &User) -> AppResult<Access> {
        Ok(Access::of(u, user::role_rows(conn, u.id)?))
    }

    /// From the user's role rows (programme id, code, role), read with the session or token.
    pub fn of(u: &User, rows: Vec<(i32, String, String)>) -> Access {
        let roles = rows
            .into_iter()
            .filter_map(|(programme_id, code, role)| {
                Role::parse(&role).map(|role| ProgrammeRole {
                    programme_id,
                    code,
                    role,
                })
            })
            .collect();
        Access {
            is_admin: u.is_admin,
            roles,
            read: std::sync::Arc::new([]),
        }
    }

    /// With the programmes of the roles as read in the same query as the roles.
    pub fn with_programmes(self, read: Vec<Programme>) -> Access {
        Access {
            read: read.into(),
            ..self
        }
    }

    pub fn roles_in(&self, programme_id: i32) -> Vec<Role> {
        self.roles
            .iter()
            .filter(|r| r.programme_id == programme_id)
            .map(|r| r.role)
            .collect()
    }

    /// Administrators read every programme (they manage them) but change figures only
    /// through a role they hold.
    pub fn can(&self, programme_id: i32, p: Permission) -> bool {
        let admin_reads = self.is_admin
            && matches!(
                p,
                Permission::ViewDashboard | Permission::ViewDetail | Permission::DownloadReports
            );
        admin_reads || any_allows(&self.roles_in(programme_id), p)
    }

    /// Who this user is to a programme's figures: its team (a working role, or an
    /// administrator, who manages programmes) sees everything on the tracker's pages; a
    /// donor is a partner and sees what partners may (see `domain::disclosure`).
    pub fn audience(&self, programme_id: i32) -> crate::domain::disclosure::Audience {
        use crate::domain::disclosure::Audience;
        let working = self
            .roles_in(programme_id)
            .into_iter()
            .any(|r| r != Role::Donor);
        if self.is_admin || working {
            Audience::Team
        } else {
            Audience::Partners
        }
    }

    pub fn sees(&self, programme_id: i32) -> bool {
        self.can(programme_id, Permission::ViewDashboard)
    }

    /// The programme by code if this user may see it — a programme they may not see
    /// answers exactly like one that does not exist. Seen but not permitted: 403.
    pub fn programme(
        &self,
        conn: &mut crate::db::DbConn,
        code: &str,
        p: Permission,
    ) -> AppResult<Programme> {
        // Read with the roles moments ago, in this request: a second read would only say
        // the same (the check and the work after it were never one transaction anyway).
        let found = match self.read.iter().find(|p| p.code == code) {
            Some(p) => Ok(p.clone()),
            None => programme::by_code(conn, code),
        };
        match found {
            Ok(prog) if self.sees(prog.id) => {
                if self.can(prog.id, p) && p.changes_figures() && !prog.is_active() {
                    Err(AppError::Forbidden(crate::entry::closed_message(&prog)))
                } else if self.can(prog.id, p) {
                    Ok(prog)
                } else {
                    Err(AppError::Forbidden(
                        "Your role in this programme does not allow that.".into(),
                    ))
                }
            }
            _ => Err(AppError::not_found(format!(
                "There is no programme with the code '{code}'."
            ))),
        }
    }
}

/// A signed-in browser user.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: User,
    pub access: Access,
    pub session_id: i32,
    pub csrf: String,
}

impl Signed {
    /// The user as the author of changes (audit, who entered a value).
    pub fn actor(&self) -> crate::models::audit::Actor {
        crate::models::audit::Actor {
            user_id: Some(self.user.id),
            name: self.user.username.clone(),
        }
    }
}

/// Compares secrets without leaking where they differ through timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An API client identified by `Authorization: Bearer mpk_…`. The session cookie is
/// never accepted here, so a page in another tab cannot write through the API.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub user: User,
    pub access: Access,
}

impl ApiClient {
    /// The client's user as the author of changes.
    pub fn actor(&self) -> crate::models::audit::Actor {
        crate::models::audit::Actor {
            user_id: Some(self.user.id),
            name: self.user.username.clone(),
        }
    }
}

/// For forms read without `web::guard::CsrfForm` (file uploads): the same check, by hand.
pub fn check_csrf(signed: &Signed, given: &str) -> AppResult<()> {
    if same_secret(given, &signed.csrf) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "This form has expired or did not come from Mipaka. Reload the page and try again."
                .into(),
        ))
    }
}
