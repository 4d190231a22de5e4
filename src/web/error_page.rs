use rocket::http::Status;
use rocket::response::{self, Redirect, Responder};
use rocket::{Catcher, Request};
use rocket_dyn_templates::{context, Template};

use crate::error::{error_reference, AppError};

/// Every error page carries a reference that is also in the server log, so a user can
/// quote it; internals never reach the page.
fn page(status: Status, message: String, reference: Option<String>) -> Template {
    let reference = reference.unwrap_or_else(|| {
        let r = error_reference();
        eprintln!("error {r}: {} {}", status.code, message);
        r
    });
    Template::render(
        "error",
        context! { title: status.reason().unwrap_or("Error"), code: status.code, message, reference, me: () },
    )
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = Status::new(self.status_code());
        let (message, reference) = self.public_message();
        response::status::Custom(status, page(status, message, reference)).respond_to(req)
    }
}

/// Not signed in: to the sign-in page, coming back here afterwards.
#[rocket::catch(401)]
fn unauthorized(req: &Request<'_>) -> Redirect {
    let here = req.uri().path().to_string();
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Redirect::to(format!("/login?next={next}"))
}

#[rocket::catch(403)]
fn forbidden() -> Template {
    page(
        Status::Forbidden,
        "You may not do this. If you were filling in a form, it may have expired: go back, reload the page and try again."
            .into(),
        None,
    )
}

#[rocket::catch(404)]
fn not_found() -> Template {
    page(Status::NotFound, "There is no page at this address. Check the link, or start again from the list of programmes.".into(), None)
}

#[rocket::catch(413)]
fn too_large() -> Template {
    page(
        Status::PayloadTooLarge,
        crate::web::too_large_message(),
        None,
    )
}

#[rocket::catch(422)]
fn unprocessable() -> Template {
    page(
        Status::UnprocessableEntity,
        "The request could not be read: a value in it has the wrong form.".into(),
        None,
    )
}

#[rocket::catch(500)]
fn internal() -> Template {
    let (message, reference) =
        AppError::Internal("unhandled server error (see log above)".into()).public_message();
    page(Status::InternalServerError, message, reference)
}

#[rocket::catch(default)]
fn other(status: Status, _req: &Request) -> Template {
    page(
        status,
        format!(
            "The request could not be completed ({}).",
            status.reason().unwrap_or("error")
        ),
        None,
    )
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![
        unauthorized,
        forbidden,
        not_found,
        too_large,
        unprocessable,
        internal,
        other
    ]
}
