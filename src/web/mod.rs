//! HTML routes. Thin: parse the request, call models/overview, shape a view, render.

mod account;
mod admin;
mod auth;
mod compare;
mod compress;
mod csv;
mod entry;
mod error_page;
mod guard;
mod health;
mod home;
mod indicator;
mod logframe;
mod plan;
mod programme;
mod reports;
mod setup;
mod view;

pub(crate) use compare::CompareQuery;

pub use reports::ReportsDir;

use rocket::fairing::AdHoc;
use rocket::http::{ContentType, Header};
use rocket::{Build, Rocket};

pub use error_page::catchers;

pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .mount(
            "/",
            rocket::routes![
                home::index,
                programme::show,
                health::health,
                stylesheet,
                auth::login_form,
                auth::login,
                auth::logout,
                account::show,
                account::change_password,
                account::create_token,
                account::revoke_token,
                admin::users,
                admin::create_user,
                admin::user_page,
                admin::grant_role,
                admin::revoke_role,
                admin::reset_password,
                admin::set_status,
                admin::audit_log,
                entry::show,
                entry::save,
                entry::workflow,
                indicator::show,
                plan::new_milestone,
                plan::edit_milestone,
                plan::create_milestone,
                plan::update_milestone,
                plan::new_activity,
                plan::edit_activity,
                plan::create_activity,
                plan::update_activity,
                csv::template,
                csv::export,
                csv::page,
                csv::preview,
                csv::commit,
                logframe::download,
                logframe::upload_page,
                logframe::preview,
                logframe::commit,
                reports::programme_page,
                reports::programme_draft,
                reports::save_narrative,
                reports::issue_programme,
                reports::programme_download,
                reports::ministry_page,
                reports::ministry_draft,
                reports::issue_ministry,
                reports::ministry_download,
                compare::compare_page,
                compare::compare_csv,
                compare::save,
                compare::show_saved,
                indicator::add_link,
                indicator::remove_link,
            ],
        )
        .mount("/", setup::routes())
        .register("/", catchers())
        .attach(security_headers())
        .attach(compress::Gzip)
}

/// Headers on every response: no scripts at all, no framing, no sniffing, and no
/// caching of pages that may hold programme data.
fn security_headers() -> AdHoc {
    AdHoc::on_response("security headers", |req, res| {
        Box::pin(async move {
            res.set_header(Header::new(
                "Content-Security-Policy",
                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                 frame-ancestors 'none'; base-uri 'none'",
            ));
            res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
            res.set_header(Header::new("X-Frame-Options", "DENY"));
            res.set_header(Header::new("Referrer-Policy", "same-origin"));
            res.set_header(Header::new(
                "Permissions-Policy",
                "camera=(), microphone=(), geolocation=()",
            ));
            if req.uri().path().starts_with("/static/") {
                res.set_header(Header::new("Cache-Control", "public, max-age=86400"));
            } else {
                res.set_header(Header::new("Cache-Control", "no-store"));
            }
        })
    })
}

const STYLESHEET: &str = include_str!("../../static/mipaka.css");

/// The one stylesheet, built into the binary so the server needs no files beside it.
#[rocket::get("/static/mipaka.css")]
fn stylesheet() -> (ContentType, &'static str) {
    (ContentType::CSS, STYLESHEET)
}

/// The programme by code, if the signed-in user holds `p` in it (404 if they may not
/// see it at all).
pub(crate) async fn programme_for(
    db: &crate::db::Db,
    signed: &crate::auth::Signed,
    code: &str,
    p: crate::domain::access::Permission,
) -> crate::error::AppResult<crate::models::programme::Programme> {
    let (code, access) = (code.to_string(), signed.access.clone());
    db.run(move |c| access.programme(c, &code, p)).await
}
