//! Gzip for text responses when the browser accepts it: county offices are on slow
//! links, and HTML of a 100-indicator dashboard shrinks about eightfold.

use std::io::{Cursor, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Header};
use rocket::{Request, Response};

pub struct Gzip;

/// Below this, compressing costs more than it saves.
const MIN_BYTES: usize = 1024;

fn compressible(ct: Option<&ContentType>) -> bool {
    ct.is_some_and(|c| {
        c.is_html()
            || c.is_css()
            || c.is_json()
            || c.is_plain()
            || c.is_svg()
            || (c.top() == "text" && c.sub() == "csv")
    })
}

#[rocket::async_trait]
impl Fairing for Gzip {
    fn info(&self) -> Info {
        Info {
            name: "gzip",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let accepts = req
            .headers()
            .get("Accept-Encoding")
            .any(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        if !accepts
            || res.headers().contains("Content-Encoding")
            || !compressible(res.content_type().as_ref())
        {
            return;
        }
        let Ok(body) = res.body_mut().to_bytes().await else {
            return;
        };
        if body.len() < MIN_BYTES {
            res.set_sized_body(body.len(), Cursor::new(body));
            return;
        }
        let mut enc = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::new(5));
        let zipped = enc.write_all(&body).and_then(|_| enc.finish());
        match zipped {
            Ok(z) => {
                res.set_header(Header::new("Content-Encoding", "gzip"));
                res.set_header(Header::new("Vary", "Accept-Encoding"));
                res.set_sized_body(z.len(), Cursor::new(z));
            }
            Err(_) => res.set_sized_body(body.len(), Cursor::new(body)),
        }
    }
}
