//! Pushing approved values to a DHIS2 server: `POST {base}/api/dataValueSets` with the
//! programme's export as JSON, signed in with Basic (username and password) or a
//! personal access token (`Authorization: ApiToken …`), and the server's import summary
//! read back — bare, or wrapped in a WebMessage.

use std::time::Duration;

use base64::Engine;

use crate::domain::dhis2::summary::{parse_answer, ImportSummary};
use crate::error::{AppError, AppResult};

/// Where to push and how to sign in.
#[derive(Debug, Clone)]
pub struct Target {
    /// The server's base address, e.g. `https://khis.example.org` (no `/api`).
    pub base: String,
    pub auth: Auth,
}

#[derive(Debug, Clone)]
pub enum Auth {
    Basic { user: String, password: String },
    Token(String),
}

impl Target {
    /// From the command line's options, each falling back on its environment variable
    /// (`MIPAKA_DHIS2_URL`, `MIPAKA_DHIS2_USER`, `MIPAKA_DHIS2_PASSWORD`,
    /// `MIPAKA_DHIS2_TOKEN`); a missing one is named.
    pub fn from_options(
        to: Option<String>,
        user: Option<String>,
        password: Option<String>,
        token: Option<String>,
    ) -> AppResult<Target> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let base = to.or_else(|| env("MIPAKA_DHIS2_URL")).ok_or_else(|| {
            AppError::Config("no DHIS2 server: give --to https://… or set MIPAKA_DHIS2_URL".into())
        })?;
        let base = base.trim().trim_end_matches('/').to_string();
        let parsed = url::Url::parse(&base).map_err(|e| {
            AppError::Config(format!(
                "MIPAKA_DHIS2_URL / --to '{base}' is not an address ({e}); write e.g. https://khis.example.org"
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(AppError::Config(format!(
                "MIPAKA_DHIS2_URL / --to '{base}' must start with https:// (or http:// on a private network)"
            )));
        }
        if base.ends_with("/api") || base.contains("/api/") {
            return Err(AppError::Config(format!(
                "MIPAKA_DHIS2_URL / --to '{base}': give the server's base address without /api (it is added)"
            )));
        }
        let token = token.or_else(|| env("MIPAKA_DHIS2_TOKEN"));
        let auth = match (user.or_else(|| env("MIPAKA_DHIS2_USER")), token) {
            (Some(user), _) => {
                let password = password.or_else(|| env("MIPAKA_DHIS2_PASSWORD")).ok_or_else(|| {
                    AppError::Config(format!(
                        "no password for the DHIS2 user '{user}': give --password or set MIPAKA_DHIS2_PASSWORD"
                    ))
                })?;
                Auth::Basic { user, password }
            }
            (None, Some(t)) => Auth::Token(t.trim().to_string()),
            (None, None) => {
                return Err(AppError::Config(
                    "no DHIS2 credentials: give --user and --password (or set MIPAKA_DHIS2_USER and MIPAKA_DHIS2_PASSWORD), or set MIPAKA_DHIS2_TOKEN to a personal access token".into(),
                ))
            }
        };
        Ok(Target { base, auth })
    }

    pub fn endpoint(&self) -> String {
        format!("{}/api/dataValueSets", self.base)
    }

    fn authorization(&self) -> String {
        match &self.auth {
            Auth::Basic { user, password } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            ),
            Auth::Token(t) => format!("ApiToken {t}"),
        }
    }
}

/// What the server answered: its HTTP status and its import summary.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub http_status: u16,
    pub summary: ImportSummary,
}

/// Sends a JSON data value set (its identifiers in `scheme`); any answer with an import summary is returned (a 409
/// with conflicts too), anything else is an error saying what came back.
pub fn send(
    target: &Target,
    json: &str,
    scheme: crate::domain::dhis2::IdScheme,
    dry_run: bool,
) -> AppResult<Pushed> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    let url = format!(
        "{}?idScheme={}&dryRun={dry_run}",
        target.endpoint(),
        scheme.as_str()
    );
    let mut resp = agent
        .post(&url)
        .header("Authorization", &target.authorization())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .send(json)
        .map_err(|e| {
            AppError::Unavailable(format!(
                "the DHIS2 server at {url} could not be reached: {e}"
            ))
        })?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(32 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| {
            AppError::Unavailable(format!("the answer of {url} could not be read: {e}"))
        })?;
    match parse_answer(&body) {
        Some(summary) if status != 401 && status != 403 => Ok(Pushed {
            http_status: status,
            summary,
        }),
        _ => {
            let head: String = body.chars().take(300).collect();
            Err(AppError::Unavailable(match status {
                401 => format!("{url} refused the credentials (401): check MIPAKA_DHIS2_USER/MIPAKA_DHIS2_PASSWORD or MIPAKA_DHIS2_TOKEN"),
                403 => format!("{url} says this account may not import data values (403)"),
                _ => format!("{url} answered {status} without an import summary: {head}"),
            }))
        }
    }
}
