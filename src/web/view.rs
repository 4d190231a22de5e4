//! Rendering a page: every template gets who is signed in (for the header and the
//! sign-out form's CSRF token) and today's date, besides its own values.

use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use crate::auth::Signed;

pub fn me(signed: Option<&Signed>) -> Value {
    match signed {
        Some(s) => json!({
            "username": s.user.username,
            "name": s.user.display_name,
            "is_admin": s.user.is_admin,
            "csrf": s.csrf,
        }),
        None => Value::Null,
    }
}

pub fn render(name: &'static str, signed: Option<&Signed>, mut ctx: Value) -> Template {
    if let Value::Object(map) = &mut ctx {
        map.insert("me".into(), me(signed));
        map.entry("today")
            .or_insert_with(|| json!(crate::format::date(crate::clock::today())));
    }
    Template::render(name, ctx)
}

/// A RAG as a template shows it: its CSS class, word and symbol.
#[derive(Debug, serde::Serialize)]
pub struct RagView {
    pub class: &'static str,
    pub label: &'static str,
    pub symbol: &'static str,
}

pub fn rag(r: Option<crate::domain::achievement::Rag>) -> Option<RagView> {
    r.map(|r| RagView {
        class: r.as_str(),
        label: r.label(),
        symbol: r.symbol(),
    })
}
