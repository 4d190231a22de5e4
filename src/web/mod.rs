//! HTML routes. Thin: parse the request, call models/overview, shape a view, render.

mod account;
mod admin;
mod audit;
mod auth;
mod compare;
mod compress;
mod county_map;
mod csv;
mod dhis2;
mod entry;
mod error_page;
mod evidence;
mod guard;
mod health;
mod home;
mod iati;
mod indicator;
mod logframe;
mod output_narratives;
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
                favicon,
                auth::login_form,
                auth::login,
                auth::logout,
                account::show,
                account::change_password,
                account::create_token,
                account::revoke_token,
                account::change_email,
                account::mail_choices,
                admin::users,
                admin::create_user,
                admin::user_page,
                admin::grant_role,
                admin::revoke_role,
                admin::reset_password,
                admin::set_status,
                audit::page,
                audit::export,
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
                output_narratives::page,
                output_narratives::save,
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
                iati::page,
                iati::preview,
                iati::publish_now,
                iati::sectors,
                iati::published,
                indicator::remove_link,
                evidence::upload,
                evidence::download,
                evidence::archive,
                evidence::milestone_page,
                evidence::activity_page,
                dhis2::page,
                dhis2::save,
                dhis2::mappings_csv,
                dhis2::upload,
            ],
        )
        .mount("/dhis2/api", rocket::routes![dhis2::pull, dhis2::push])
        .register("/dhis2", dhis2::catchers())
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
const FAVICON: &str = include_str!("../../static/favicon.svg");

/// The tab icon browsers ask for on every page (an SVG, which every current browser
/// takes at this address); kept for a day.
#[rocket::get("/favicon.ico")]
fn favicon() -> Icon {
    Icon {
        svg: FAVICON,
        cache: rocket::http::Header::new("Cache-Control", "public, max-age=86400"),
    }
}

#[derive(rocket::Responder)]
#[response(content_type = "image/svg+xml")]
struct Icon {
    svg: &'static str,
    cache: rocket::http::Header<'static>,
}

/// The one stylesheet, built into the binary so the server needs no files beside it.
#[rocket::get("/static/mipaka.css")]
fn stylesheet() -> (ContentType, &'static str) {
    (ContentType::CSS, STYLESHEET)
}

/// What an upload over the limit is told, wherever Rocket stopped reading it.
pub(crate) fn too_large_message() -> String {
    format!(
        "The file is larger than the {} MB an upload may be, so nothing was read or changed. \
         Split it (for example one period per file) and send each part.",
        crate::UPLOAD_LIMIT_MIB
    )
}

/// An upload form Rocket could not read. A file over the limit is told the limit (413;
/// Rocket would answer a bare 422); anything else names the field.
pub(crate) fn unreadable_upload(errors: &rocket::form::Errors<'_>) -> crate::error::AppError {
    use rocket::form::error::ErrorKind;
    let too_long = errors
        .iter()
        .any(|e| matches!(e.kind, ErrorKind::InvalidLength { max: Some(_), .. }));
    if too_long {
        return crate::error::AppError::TooLarge(too_large_message());
    }
    let first = errors.iter().next();
    crate::error::AppError::invalid(
        first
            .and_then(|e| e.name.as_ref().map(|n| n.to_string()))
            .unwrap_or_else(|| "file".into()),
        first.map_or_else(
            || "the upload could not be read".to_string(),
            |e| format!("the upload could not be read: {}", e.kind),
        ),
    )
}

/// The file field of an upload form: None when no file was chosen, the limit when it
/// is too large.
pub(crate) fn uploaded<'a, 'r>(
    field: &'a Result<rocket::fs::TempFile<'r>, rocket::form::Errors<'r>>,
) -> crate::error::AppResult<Option<&'a rocket::fs::TempFile<'r>>> {
    use rocket::form::error::ErrorKind;
    match field {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.iter().all(|e| matches!(e.kind, ErrorKind::Missing)) => Ok(None),
        Err(e) => Err(unreadable_upload(e)),
    }
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
