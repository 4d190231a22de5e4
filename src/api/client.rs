//! The API's request guard: an [`ApiClient`] identified by its bearer token.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use crate::auth::{Access, ApiClient};
use crate::db::Db;
use crate::models::session;

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
                let Some((u, roles, read)) =
                    session::user_for_token(conn, &token, crate::clock::now())?
                else {
                    return Ok(None);
                };
                let access = Access::of(&u, roles).with_programmes(read);
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
