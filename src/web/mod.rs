//! HTML routes. Thin: parse the request, call models/overview, shape a view, render.

mod error_page;
mod format;
mod health;
mod home;
mod programme;

use rocket::http::ContentType;
use rocket::{Build, Rocket};

pub use error_page::catchers;

pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .mount(
            "/",
            rocket::routes![home::index, programme::show, health::health, stylesheet],
        )
        .register("/", catchers())
}

const STYLESHEET: &str = include_str!("../../static/mipaka.css");

/// The one stylesheet, built into the binary so the server needs no files beside it.
#[rocket::get("/static/mipaka.css")]
fn stylesheet() -> (ContentType, &'static str) {
    (ContentType::CSS, STYLESHEET)
}

/// The date figures are judged against (overdue, current phase).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
