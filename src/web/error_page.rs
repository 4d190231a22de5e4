use rocket::http::Status;
use rocket::response::{self, Redirect, Responder};
use rocket::{Catcher, Request};
use rocket_dyn_templates::{context, Template};

use crate::auth::Signed;
use crate::error::{error_reference, AppError};

/// The signed-in person, when this request already resumed their session: an error
/// page keeps the navigation (their name, the programmes, sign out) instead of
/// stranding them. Never resumes a session itself.
fn signed<'r>(req: &'r Request<'_>) -> Option<&'r Signed> {
    req.local_cache(|| None::<Signed>).as_ref()
}

/// Every error page carries a reference that is also in the server log, so a user can
/// quote it; internals never reach the page.
fn page(req: &Request<'_>, status: Status, message: String, reference: Option<String>) -> Template {
    let reference = reference.unwrap_or_else(|| {
        let r = error_reference();
        eprintln!("error {r}: {} {}", status.code, message);
        r
    });
    Template::render(
        "error",
        context! { title: status.reason().unwrap_or("Error"), code: status.code, message, reference, me: super::view::me(signed(req)) },
    )
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = Status::new(self.status_code());
        let (message, reference) = self.public_message();
        response::status::Custom(status, page(req, status, message, reference)).respond_to(req)
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
fn forbidden(req: &Request<'_>) -> Template {
    page(req, Status::Forbidden,
        "You may not do this. If you were filling in a form, it may have expired: go back, reload the page and try again."
            .into(),
        None,
    )
}

/// A mistyped address resumes the session (the only error that has not already), so
/// the page keeps the signed-in navigation too.
#[rocket::catch(404)]
async fn not_found(req: &Request<'_>) -> Template {
    let _ = req.guard::<&Signed>().await;
    page(req, Status::NotFound, "There is no page at this address. Check the link, or start again from the list of programmes.".into(), None)
}

#[rocket::catch(413)]
fn too_large(req: &Request<'_>) -> Template {
    page(
        req,
        Status::PayloadTooLarge,
        crate::web::too_large_message(),
        None,
    )
}

#[rocket::catch(422)]
fn unprocessable(req: &Request<'_>) -> Template {
    page(
        req,
        Status::UnprocessableEntity,
        "The request could not be read: a value in it has the wrong form.".into(),
        None,
    )
}

#[rocket::catch(500)]
fn internal(req: &Request<'_>) -> Template {
    let (message, reference) =
        AppError::Internal("unhandled server error (see log above)".into()).public_message();
    page(req, Status::InternalServerError, message, reference)
}

#[rocket::catch(default)]
fn other(status: Status, req: &Request) -> Template {
    page(
        req,
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
