//! Who is asking, and what they may do. Request guards for the browser (session
//! cookie), forms (CSRF token checked before the body is read as a form) and the API
//! (bearer token).

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};

use crate::db::Db;
use crate::domain::access::{any_allows, Permission, Role};
use crate::domain::throttle::ThrottlePolicy;
use crate::error::{AppError, AppResult};
use crate::models::programme::{self, Programme};
use crate::models::session;
use crate::models::user::{self, User};

pub const SESSION_COOKIE: &str = "mipaka_session";

/// Account settings held in Rocket state.
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
}

impl Access {
    pub fn load(conn: &mut crate::db::DbConn, u: &User) -> AppResult<Access> {
        let roles = user::role_rows(conn, u.id)?
            .into_iter()
            .filter_map(|(programme_id, code, role)| {
                Role::parse(&role).map(|role| ProgrammeRole {
                    programme_id,
                    code,
                    role,
                })
            })
            .collect();
        Ok(Access {
            is_admin: u.is_admin,
            roles,
        })
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
        let found = programme::by_code(conn, code);
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

pub fn client_ip(req: &Request<'_>) -> String {
    req.client_ip().map(|ip| ip.to_string()).unwrap_or_default()
}

async fn resume_session(req: &Request<'_>) -> Option<Signed> {
    let token = req
        .cookies()
        .get_private(SESSION_COOKIE)?
        .value()
        .to_string();
    let db = req.rocket().state::<Db>()?;
    let idle = req
        .rocket()
        .state::<AuthSettings>()
        .map(|s| s.idle)
        .unwrap_or(chrono::Duration::minutes(60));
    let result = db
        .run(move |conn| {
            let Some((s, u)) = session::resume(conn, &token, idle, crate::clock::now())? else {
                return Ok(None);
            };
            let access = Access::load(conn, &u)?;
            Ok(Some(Signed {
                user: u,
                access,
                session_id: s.id,
                csrf: s.csrf_token,
            }))
        })
        .await;
    match result {
        Ok(found) => {
            if found.is_none() {
                req.cookies().remove_private(Cookie::from(SESSION_COOKIE));
            }
            found
        }
        Err(e) => {
            let _ = e.public_message(); // logs it under a reference
            None
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r Signed {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let cached: &Option<Signed> = req.local_cache_async(resume_session(req)).await;
        match cached {
            Some(s) => Outcome::Success(s),
            None => Outcome::Error((Status::Unauthorized, ())),
        }
    }
}

/// A signed-in administrator.
pub struct Admin<'r>(pub &'r Signed);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Admin<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match req.guard::<&Signed>().await {
            Outcome::Success(s) if s.user.is_admin => Outcome::Success(Admin(s)),
            Outcome::Success(_) => Outcome::Error((Status::Forbidden, ())),
            other => other.map(Admin),
        }
    }
}

pub fn session_cookie(token: String, settings: &AuthSettings) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .path("/")
        .build()
}

pub fn end_session_cookie(jar: &CookieJar<'_>) {
    jar.remove_private(Cookie::from(SESSION_COOKIE));
}

/// Compares secrets without leaking where they differ through timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A form from a signed-in user whose `csrf` field matches their session. The token is
/// checked before the form is parsed: a forged or stale post is refused (403) whatever
/// else it holds, so no state-changing route can forget the check.
pub struct CsrfForm<T>(pub T);

struct CachedBody(String);

/// The body's fields, percent-decoded ('+' is a space), kept for the request's lifetime.
struct DecodedFields(Vec<(String, String)>);

fn decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    rocket::http::RawStr::new(&spaced)
        .url_decode_lossy()
        .into_owned()
}

fn field<'a>(body: &'a str, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| std::borrow::Cow::Owned(decode(v)))
    })
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r>> FromData<'r> for CsrfForm<T> {
    type Error = String;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let signed = match req.guard::<&Signed>().await {
            Outcome::Success(s) => s,
            _ => return data::Outcome::Error((Status::Unauthorized, "sign in first".into())),
        };
        let limit = req.limits().get("form").unwrap_or(64.kibibytes());
        let body = match data.open(limit).into_string().await {
            Ok(s) if s.is_complete() => s.into_inner(),
            Ok(_) => {
                return data::Outcome::Error((
                    Status::PayloadTooLarge,
                    "the form is too large".into(),
                ))
            }
            Err(e) => return data::Outcome::Error((Status::BadRequest, e.to_string())),
        };
        let body: &'r str = &req.local_cache(|| CachedBody(body)).0;
        let given = field(body, "csrf").unwrap_or_default();
        if !same_secret(&given, &signed.csrf) {
            return data::Outcome::Error((
                Status::Forbidden,
                "the form's security token does not match".into(),
            ));
        }
        let decoded: &'r DecodedFields = req.local_cache(|| {
            DecodedFields(
                body.split('&')
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        (decode(k), decode(v))
                    })
                    .collect(),
            )
        });
        let fields = decoded
            .0
            .iter()
            .map(|(k, v)| rocket::form::ValueField::from((k.as_str(), v.as_str())));
        match Form::<T>::parse_iter(fields) {
            Ok(v) => data::Outcome::Success(CsrfForm(v)),
            Err(e) => data::Outcome::Error((Status::UnprocessableEntity, e.to_string())),
        }
    }
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

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiClient {
    type Error = &'static str;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, &'static str> {
        let Some(header) = req.headers().get_one("Authorization") else {
            return Outcome::Error((
                Status::Unauthorized,
                "send a personal API token as 'Authorization: Bearer mpk_…'",
            ));
        };
        let Some(token) = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .map(str::to_string)
        else {
            return Outcome::Error((
                Status::Unauthorized,
                "the Authorization header must be 'Bearer <token>'",
            ));
        };
        let Some(db) = req.rocket().state::<Db>() else {
            return Outcome::Error((Status::InternalServerError, "no database"));
        };
        let found = db
            .run(move |conn| {
                let Some(u) = session::user_for_token(conn, &token, crate::clock::now())? else {
                    return Ok(None);
                };
                let access = Access::load(conn, &u)?;
                Ok(Some(ApiClient { user: u, access }))
            })
            .await;
        match found {
            Ok(Some(c)) => Outcome::Success(c),
            Ok(None) => Outcome::Error((
                Status::Unauthorized,
                "the API token is unknown, revoked, or its account is disabled",
            )),
            Err(_) => Outcome::Error((Status::ServiceUnavailable, "the database is not available")),
        }
    }
}

/// The body of a form that is only a button (sign out, revoke, remove).
#[derive(rocket::form::FromForm)]
pub struct ButtonOnly {
    #[field(name = "csrf")]
    _csrf: String,
}

/// Every field of a form as (name, value), for forms whose field names are data (the
/// entry grid's cells). Read through [`CsrfForm`], so the token is still checked.
pub struct RawFields(pub Vec<(String, String)>);

#[rocket::async_trait]
impl<'v> FromForm<'v> for RawFields {
    type Context = Vec<(String, String)>;

    fn init(_: rocket::form::Options) -> Self::Context {
        Vec::new()
    }

    fn push_value(ctxt: &mut Self::Context, field: rocket::form::ValueField<'v>) {
        // Names and values arrive decoded (see CsrfForm).
        ctxt.push((field.name.source().to_string(), field.value.to_string()));
    }

    async fn push_data(_: &mut Self::Context, _: rocket::form::DataField<'v, '_>) {}

    fn finalize(ctxt: Self::Context) -> rocket::form::Result<'v, Self> {
        Ok(RawFields(ctxt))
    }
}

impl RawFields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Fields named `prefix` + something: (something, value).
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.0
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }
}

/// For forms read without [`CsrfForm`] (file uploads): the same check, by hand.
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
