//! Request guards of the browser pages: the signed-in user (session cookie), an
//! administrator, forms whose CSRF token is checked before the body is read as a form,
//! and the session cookie itself.

use std::collections::HashMap;

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};

use crate::auth::{same_secret, Access, AuthSettings, Signed};
use crate::db::Db;
use crate::models::session;

pub const SESSION_COOKIE: &str = "mipaka_session";

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
            let Some((s, u, roles)) = session::resume(conn, &token, idle, crate::clock::now())?
            else {
                return Ok(None);
            };
            let access = Access::of(&u, roles);
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

/// A form from a signed-in user whose `csrf` field matches their session. The token is
/// checked before the form is parsed: a forged or stale post is refused (403) whatever
/// else it holds, so no state-changing route can forget the check.
pub struct CsrfForm<T>(pub T);

struct CachedBody(String);

/// The body's fields, percent-decoded ('+' is a space), kept for the request's lifetime.
struct DecodedFields(Vec<(String, String)>);

fn decode(s: &str) -> String {
    // Most of a grid's tens of thousands of names and values need no decoding.
    if !s.bytes().any(|b| b == b'+' || b == b'%') {
        return s.to_string();
    }
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

/// The body of a form from a signed-in user, once its `csrf` field is known to match
/// their session; kept for the request's lifetime.
async fn checked_body<'r>(
    req: &'r Request<'_>,
    data: Data<'r>,
) -> Result<&'r str, (Status, String)> {
    let signed = match req.guard::<&Signed>().await {
        Outcome::Success(s) => s,
        _ => return Err((Status::Unauthorized, "sign in first".into())),
    };
    let limit = req.limits().get("form").unwrap_or(64.kibibytes());
    let body = match data.open(limit).into_string().await {
        Ok(s) if s.is_complete() => s.into_inner(),
        Ok(_) => return Err((Status::PayloadTooLarge, "the form is too large".into())),
        Err(e) => return Err((Status::BadRequest, e.to_string())),
    };
    let body: &'r str = &req.local_cache(|| CachedBody(body)).0;
    let given = field(body, "csrf").unwrap_or_default();
    if !same_secret(&given, &signed.csrf) {
        return Err((
            Status::Forbidden,
            "the form's security token does not match".into(),
        ));
    }
    Ok(body)
}

/// The body's fields, percent-decoded, in the order they came.
fn decoded(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r>> FromData<'r> for CsrfForm<T> {
    type Error = String;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let body = match checked_body(req, data).await {
            Ok(b) => b,
            Err(e) => return data::Outcome::Error(e),
        };
        let decoded: &'r DecodedFields = req.local_cache(|| DecodedFields(decoded(body)));
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

/// [`CsrfForm`] of [`RawFields`], read without going through Rocket's form parser: the
/// decoded fields become the `RawFields` as they are, not copied field by field (a full
/// grid has tens of thousands).
pub struct CsrfFields(pub RawFields);

#[rocket::async_trait]
impl<'r> FromData<'r> for CsrfFields {
    type Error = String;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        match checked_body(req, data).await {
            Ok(body) => data::Outcome::Success(CsrfFields(RawFields::new(decoded(body)))),
            Err(e) => data::Outcome::Error(e),
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
/// entry grid's cells). Read through [`CsrfForm`], so the token is still checked. Fields
/// are kept in the order they came, with an index by name: a grid of thousands of cells
/// looks each cell's comment and version up in constant time.
pub struct RawFields {
    fields: Vec<(String, String)>,
    /// Name → position of its first field.
    index: HashMap<String, usize>,
}

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
        Ok(RawFields::new(ctxt))
    }
}

impl RawFields {
    pub fn new(fields: Vec<(String, String)>) -> RawFields {
        let mut index = HashMap::with_capacity(fields.len());
        for (i, (k, _)) in fields.iter().enumerate() {
            index.entry(k.clone()).or_insert(i);
        }
        RawFields { fields, index }
    }

    /// The first field of that name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.index.get(name).map(|&i| self.fields[i].1.as_str())
    }

    /// Every field as (name, value), in the form's order.
    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Fields named `prefix` + something: (something, value), in the form's order.
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.fields
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::RawFields;

    #[test]
    fn raw_fields_find_the_first_of_a_name_and_keep_the_order() {
        let f = RawFields::new(
            [("v:2", "b"), ("c:2", "x"), ("v:1", "a"), ("c:2", "y")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        assert_eq!(f.get("c:2"), Some("x"));
        assert_eq!(f.get("c:1"), None);
        let v: Vec<_> = f.with_prefix("v:").collect();
        assert_eq!(v, [("2", "b"), ("1", "a")]);
    }
}
