//! Signing in and out.

use std::net::IpAddr;

use rocket::form::{Form, FromForm};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::State;
use rocket_dyn_templates::Template;
use serde_json::json;

use super::view::render;
use crate::auth::{self, AuthSettings, Signed};
use crate::db::Db;
use crate::domain::throttle::{verdict, Verdict};
use crate::error::AppResult;
use crate::models::{audit, session, user};
use crate::web::guard::{self, ButtonOnly, CsrfForm};

const LOGIN_COOKIE: &str = "mipaka_login";

/// Only paths on this site, never an open redirect to another host, and only what a
/// `Location` header can carry (no TAB, NUL or other control character): anything else
/// goes to the home page. Checked before sign-in writes anything.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(char::is_control)
                && rocket::http::uri::Origin::parse(n).is_ok() =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

fn login_page(
    jar: &CookieJar<'_>,
    next: &str,
    username: &str,
    message: Option<String>,
) -> Template {
    // Pre-session CSRF: the form must carry the value of a private cookie set here.
    let token = session::random_hex(16);
    jar.add_private(
        Cookie::build((LOGIN_COOKIE, token.clone()))
            .http_only(true)
            .same_site(SameSite::Lax)
            .path("/login"),
    );
    render(
        "login",
        None,
        json!({ "csrf": token, "next": next, "username": username, "message": message }),
    )
}

#[rocket::get("/login?<next>")]
pub fn login_form(
    signed: Option<&Signed>,
    jar: &CookieJar<'_>,
    next: Option<&str>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, Box<Redirect>> {
    if signed.is_some() {
        return Err(Box::new(Redirect::to(safe_next(next))));
    }
    Ok(login_page(
        jar,
        &safe_next(next),
        "",
        flash.map(|f| f.message().to_string()),
    ))
}

#[derive(FromForm)]
pub struct LoginForm<'r> {
    username: &'r str,
    password: &'r str,
    csrf: &'r str,
    next: Option<&'r str>,
}

#[rocket::post("/login", data = "<form>")]
pub async fn login(
    db: &State<Db>,
    settings: &State<AuthSettings>,
    jar: &CookieJar<'_>,
    ip: Option<IpAddr>,
    user_agent: UserAgent<'_>,
    form: Form<LoginForm<'_>>,
) -> AppResult<Result<Redirect, (Status, Template)>> {
    let next = safe_next(form.next);
    let username = form.username.trim().to_lowercase();
    let expected = jar
        .get_private(LOGIN_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if expected.is_empty() || !auth::same_secret(&expected, form.csrf) {
        let msg = "The sign-in form had expired. Please sign in again.".to_string();
        return Ok(Err((
            Status::Forbidden,
            login_page(jar, &next, &username, Some(msg)),
        )));
    }
    let ip = ip.map(|i| i.to_string()).unwrap_or_default();
    let policy = settings.throttle;
    let now = crate::clock::now();

    let (who, addr) = {
        let (u, i) = (username.clone(), ip.clone());
        db.run(move |c| session::failures_since(c, &u, &i, now - policy.window))
            .await?
    };
    match verdict(&policy, who, addr, now) {
        Verdict::Refuse { until } => {
            let minutes = ((until - now).num_seconds() + 59).div_euclid(60).max(1);
            let msg = format!(
                "Too many failed sign-ins. Signing in is paused for about {minutes} minute{} (until {} UTC). \
                 If you have forgotten your password, ask an administrator to reset it.",
                if minutes == 1 { "" } else { "s" },
                until.format("%H:%M")
            );
            let (u, i) = (username.clone(), ip.clone());
            db.run(move |c| {
                audit::record(
                    c,
                    audit::Change {
                        actor: &u,
                        action: "login_refused",
                        entity: "user",
                        detail: format!("throttled, from {i}"),
                        ..Default::default()
                    },
                )
            })
            .await?;
            return Ok(Err((
                Status::TooManyRequests,
                login_page(jar, &next, &username, Some(msg)),
            )));
        }
        Verdict::Allow { delay_ms } if delay_ms > 0 => {
            rocket::tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
        }
        Verdict::Allow { .. } => {}
    }

    let password = form.password.to_string();
    let agent = user_agent.0.unwrap_or_default().to_string();
    let (u, i) = (username.clone(), ip.clone());
    // One transaction: a session is never written without its audit row.
    let outcome = db
        .run(move |c| {
            crate::db::write(c, |c| {
                let found = user::by_username(c, &u)?;
                let ok = found
                    .as_ref()
                    .is_some_and(|x| user::verify_password(&password, &x.password_hash));
                match found {
                    Some(x) if ok && x.is_active => {
                        session::clear_failures(c, &u)?;
                        let token = session::create(c, x.id, &i, &agent, now)?;
                        user::mark_login(c, x.id, now)?;
                        audit::record(
                            c,
                            audit::Change {
                                user_id: Some(x.id),
                                actor: &x.username,
                                action: "login",
                                entity: "user",
                                entity_id: Some(x.id),
                                detail: format!("from {i}"),
                                ..Default::default()
                            },
                        )?;
                        Ok(Ok(token))
                    }
                    Some(x) if ok => {
                        audit::record(
                            c,
                            audit::Change {
                                user_id: Some(x.id),
                                actor: &x.username,
                                action: "login_failed",
                                entity: "user",
                                entity_id: Some(x.id),
                                detail: format!("account disabled, from {i}"),
                                ..Default::default()
                            },
                        )?;
                        Ok(Err(
                            "This account is disabled. Ask an administrator if you need it again."
                                .to_string(),
                        ))
                    }
                    other => {
                        session::record_failure(c, &u, &i, now)?;
                        let actor: String = u.chars().take(60).collect();
                        audit::record(
                            c,
                            audit::Change {
                                user_id: other.map(|x| x.id),
                                actor: &actor,
                                action: "login_failed",
                                entity: "user",
                                detail: format!("wrong username or password, from {i}"),
                                ..Default::default()
                            },
                        )?;
                        Ok(Err(
                            "The username or password is not right. Check them and try again."
                                .to_string(),
                        ))
                    }
                }
            })
        })
        .await?;
    match outcome {
        Ok(token) => {
            jar.remove_private(Cookie::build(LOGIN_COOKIE).path("/login"));
            jar.add_private(guard::session_cookie(token, settings));
            Ok(Ok(Redirect::to(next)))
        }
        Err(msg) => Ok(Err((
            Status::Unauthorized,
            login_page(jar, &next, &username, Some(msg)),
        ))),
    }
}

#[rocket::post("/logout", data = "<form>")]
pub async fn logout(
    db: &State<Db>,
    signed: &Signed,
    jar: &CookieJar<'_>,
    form: CsrfForm<ButtonOnly>,
) -> AppResult<Flash<Redirect>> {
    let CsrfForm(ButtonOnly { .. }) = form;
    let (sid, uid, name) = (
        signed.session_id,
        signed.user.id,
        signed.user.username.clone(),
    );
    db.run(move |c| {
        session::end(c, sid)?;
        audit::record(
            c,
            audit::Change {
                user_id: Some(uid),
                actor: &name,
                action: "logout",
                entity: "user",
                entity_id: Some(uid),
                ..Default::default()
            },
        )
    })
    .await?;
    guard::end_session_cookie(jar);
    Ok(Flash::success(
        Redirect::to("/login"),
        "You are signed out.",
    ))
}

/// The browser's User-Agent, kept with a session so a user can recognise it.
pub struct UserAgent<'r>(pub Option<&'r str>);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for UserAgent<'r> {
    type Error = std::convert::Infallible;
    async fn from_request(
        req: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(UserAgent(req.headers().get_one("User-Agent")))
    }
}
