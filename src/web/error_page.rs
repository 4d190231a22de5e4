use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::{Catcher, Request};
use rocket_dyn_templates::{context, Template};

use crate::error::AppError;

fn page(status: Status, message: String, reference: Option<String>) -> Template {
    Template::render(
        "error",
        context! {
            title: status.reason().unwrap_or("Error"),
            code: status.code,
            message,
            reference,
        },
    )
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = self.status();
        let (message, reference) = self.public_message();
        response::status::Custom(status, page(status, message, reference)).respond_to(req)
    }
}

#[rocket::catch(404)]
fn not_found() -> Template {
    page(Status::NotFound, "There is no page at this address. Check the link, or start again from the list of programmes.".into(), None)
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
    rocket::catchers![not_found, unprocessable, internal, other]
}
