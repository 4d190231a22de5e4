//! Setting up a programme on the web, as a new user would: the administrator creates it
//! and names its manager, the manager builds it through the setup forms; refusals,
//! stale edits, archiving and who may reach the pages.

mod guards;
mod journey;

use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use crate::support::urlencode;

/// A form post: status, page (as text, entities decoded) and where it redirects.
pub struct Answer {
    pub status: Status,
    pub page: String,
    pub location: Option<String>,
}

pub fn post(client: &Client, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Answer {
    let mut body = format!("csrf={csrf}");
    for (k, v) in fields {
        body.push_str(&format!("&{}={}", urlencode(k), urlencode(v)));
    }
    let r = client
        .post(path.to_string())
        .header(ContentType::Form)
        .body(body)
        .dispatch();
    let status = r.status();
    let location = r.headers().get_one("Location").map(str::to_string);
    Answer {
        status,
        page: text(&r.into_string().unwrap_or_default()),
        location,
    }
}

/// A page as text, entities decoded, so messages can be looked for as written.
pub fn get(client: &Client, path: &str) -> (Status, String) {
    let r = client.get(path.to_string()).dispatch();
    (r.status(), text(&r.into_string().unwrap_or_default()))
}

pub fn text(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Posts, expects the redirect back to the setup page, and returns that page (with its flash).
pub fn saved(client: &Client, path: &str, csrf: &str, fields: &[(&str, &str)]) -> String {
    let a = post(client, path, csrf, fields);
    assert_eq!(
        a.status,
        Status::SeeOther,
        "{path} should save; got {}: {}",
        a.status,
        notice(&a.page)
    );
    let to = a.location.expect("a redirect");
    let (status, page) = get(client, to.split('#').next().unwrap());
    assert_eq!(status, Status::Ok, "{to}");
    page
}

/// The alert and field messages of a page, for failure messages.
pub fn notice(page: &str) -> String {
    page.split("class=\"fielderr")
        .skip(1)
        .chain(page.split("class=\"notice").skip(1))
        .map(|s| s.chars().take(300).collect::<String>())
        .collect::<Vec<_>>()
        .join(" | ")
}
