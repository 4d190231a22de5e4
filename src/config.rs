//! Settings from the environment (and `.env`, loaded by the binary with dotenvy).
//! Every bad value is reported by the name of the variable and what it should be.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::db::DatabaseTarget;
use crate::domain::throttle::ThrottlePolicy;
use crate::error::{AppError, AppResult};
use crate::mail::MailConfig;

pub const DEFAULT_SQLITE_FILE: &str = "mipaka.sqlite3";

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseTarget,
    /// True when no DATABASE_URL was given and the embedded SQLite file is used: only
    /// then is an empty database filled with demonstration data without being asked.
    pub embedded_default: bool,
    pub data_dir: PathBuf,
    pub reports_dir: PathBuf,
    pub template_dir: PathBuf,
    pub address: IpAddr,
    pub port: u16,
    pub pool_size: u32,
    pub secret_key: Option<String>,
    /// A browser session unused this long ends.
    pub session_idle_minutes: u32,
    /// Mark cookies Secure: set when a TLS-terminating proxy stands in front.
    pub secure_cookies: bool,
    pub throttle: ThrottlePolicy,
    /// Email: the SMTP server (none: no email), sender and the address in links.
    pub mail: MailConfig,
    /// The largest evidence file kept, in MB (MiB): `MIPAKA_EVIDENCE_MAX_MB`.
    pub evidence_max_mb: u64,
}

/// The evidence size limit when `MIPAKA_EVIDENCE_MAX_MB` is not set.
pub const DEFAULT_EVIDENCE_MAX_MB: u64 = 20;
/// The largest evidence limit that may be set: PostgreSQL keeps each file in one
/// value, and a server reads a file whole to check and hash it.
pub const EVIDENCE_MAX_MB_CEILING: u64 = 512;

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> AppResult<Config> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `get`, so tests can give their own.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> AppResult<Config> {
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let data_dir = PathBuf::from(var("MIPAKA_DATA_DIR").unwrap_or_else(|| "data".into()));
        let (database, embedded_default) = match get("DATABASE_URL") {
            Some(url) => (DatabaseTarget::parse(&url)?, false),
            None => (
                DatabaseTarget::Sqlite {
                    path: data_dir.join(DEFAULT_SQLITE_FILE),
                },
                true,
            ),
        };
        let address = match var("MIPAKA_ADDRESS") {
            Some(a) => a.parse().map_err(|_| {
                AppError::Config(format!(
                    "MIPAKA_ADDRESS: '{a}' is not an IP address (for example 127.0.0.1, or 0.0.0.0 to listen on all interfaces)"
                ))
            })?,
            None => IpAddr::from([127, 0, 0, 1]),
        };
        let port = match var("MIPAKA_PORT") {
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(AppError::Config(format!(
                        "MIPAKA_PORT: '{p}' is not a port number (1 to 65535)"
                    )))
                }
            },
            None => 8000,
        };
        let pool_size = match var("MIPAKA_POOL_SIZE") {
            Some(p) => match p.parse::<u32>() {
                Ok(n) if (1..=256).contains(&n) => n,
                _ => {
                    return Err(AppError::Config(format!(
                        "MIPAKA_POOL_SIZE: '{p}' is not a number of connections (1 to 256)"
                    )))
                }
            },
            None => 8,
        };
        let secret_key = var("MIPAKA_SECRET_KEY");
        let session_idle_minutes = match var("MIPAKA_SESSION_IDLE_MINUTES") {
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (5..=1440).contains(&n) => n,
                _ => {
                    return Err(AppError::Config(format!(
                    "MIPAKA_SESSION_IDLE_MINUTES: '{v}' is not a number of minutes from 5 to 1440"
                )))
                }
            },
            None => 60,
        };
        let secure_cookies = match var("MIPAKA_SECURE_COOKIES").as_deref() {
            None | Some("false") | Some("0") | Some("no") => false,
            Some("true") | Some("1") | Some("yes") => true,
            Some(other) => {
                return Err(AppError::Config(format!(
                    "MIPAKA_SECURE_COOKIES: '{other}' should be true or false"
                )))
            }
        };
        let public_url = match var("MIPAKA_PUBLIC_URL") {
            Some(u) => match url::Url::parse(&u) {
                Ok(p) if matches!(p.scheme(), "http" | "https") && p.host_str().is_some() => u,
                _ => {
                    return Err(AppError::Config(format!(
                        "MIPAKA_PUBLIC_URL: '{u}' is not the address people open the tracker at (for example https://mipaka.interior.go.ke)"
                    )))
                }
            },
            None => {
                let host = match address {
                    a if a.is_unspecified() => "127.0.0.1".to_string(),
                    IpAddr::V6(a) => format!("[{a}]"),
                    a => a.to_string(),
                };
                format!("http://{host}:{port}")
            }
        };
        let mut mail = MailConfig::parse(
            var("MIPAKA_SMTP_URL"),
            var("MIPAKA_MAIL_FROM"),
            public_url,
            var("MIPAKA_MAIL_RETRY_SECONDS"),
        )?;
        mail.digest = match var("MIPAKA_MAIL_DIGEST").as_deref() {
            None | Some("on") | Some("true") | Some("yes") => true,
            Some("off") | Some("false") | Some("no") => false,
            Some(other) => {
                return Err(AppError::Config(format!(
                    "MIPAKA_MAIL_DIGEST: '{other}' should be on or off"
                )))
            }
        };
        let evidence_max_mb = match var("MIPAKA_EVIDENCE_MAX_MB") {
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=EVIDENCE_MAX_MB_CEILING).contains(&n) => n,
                _ => {
                    return Err(AppError::Config(format!(
                        "MIPAKA_EVIDENCE_MAX_MB: '{v}' is not a whole number of megabytes from 1 to {EVIDENCE_MAX_MB_CEILING} (the largest evidence file kept; default {DEFAULT_EVIDENCE_MAX_MB})"
                    )))
                }
            },
            None => DEFAULT_EVIDENCE_MAX_MB,
        };
        Ok(Config {
            database,
            embedded_default,
            reports_dir: PathBuf::from(
                var("MIPAKA_REPORTS_DIR").unwrap_or_else(|| "reports".into()),
            ),
            template_dir: var("MIPAKA_TEMPLATE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(default_template_dir),
            data_dir,
            address,
            port,
            pool_size,
            secret_key,
            session_idle_minutes,
            secure_cookies,
            throttle: ThrottlePolicy::default(),
            mail,
            evidence_max_mb,
        })
    }

    /// Settings for a test or tool that brings its own database.
    pub fn for_database(database: DatabaseTarget, data_dir: &Path) -> Config {
        Config {
            database,
            embedded_default: false,
            data_dir: data_dir.to_path_buf(),
            reports_dir: data_dir.join("reports"),
            template_dir: default_template_dir(),
            address: IpAddr::from([127, 0, 0, 1]),
            port: 8000,
            pool_size: 4,
            secret_key: None,
            session_idle_minutes: 60,
            secure_cookies: false,
            throttle: ThrottlePolicy::default(),
            mail: MailConfig::off("http://127.0.0.1:8000".into()),
            evidence_max_mb: DEFAULT_EVIDENCE_MAX_MB,
        }
    }
}

/// `templates/` in the working directory when run from a checkout, else the one the
/// binary was built from (so `cargo run` works from any directory of the checkout).
fn default_template_dir() -> PathBuf {
    let here = PathBuf::from("templates");
    if here.join("base.html.tera").exists() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> AppResult<Config> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_embedded_sqlite_under_data() {
        let c = from(&[]).unwrap();
        assert!(c.embedded_default);
        assert_eq!(
            c.database,
            DatabaseTarget::Sqlite {
                path: PathBuf::from("data/mipaka.sqlite3")
            }
        );
        assert_eq!(c.port, 8000);
        assert_eq!(c.evidence_max_mb, 20);
    }

    #[test]
    fn database_url_is_never_the_embedded_default() {
        let c = from(&[("DATABASE_URL", "/tmp/x.sqlite3")]).unwrap();
        assert!(!c.embedded_default);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = from(&[("MIPAKA_PORT", "eighty")]).unwrap_err().to_string();
        assert!(e.starts_with("MIPAKA_PORT: 'eighty'"), "{e}");
        let e = from(&[("MIPAKA_PORT", "0")]).unwrap_err().to_string();
        assert!(e.contains("1 to 65535"), "{e}");
        let e = from(&[("MIPAKA_ADDRESS", "localhost:80")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("MIPAKA_ADDRESS"), "{e}");
        let e = from(&[("MIPAKA_POOL_SIZE", "0")]).unwrap_err().to_string();
        assert!(e.starts_with("MIPAKA_POOL_SIZE"), "{e}");
        for bad in ["0", "twenty", "-1", "100000"] {
            let e = from(&[("MIPAKA_EVIDENCE_MAX_MB", bad)])
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with(&format!("MIPAKA_EVIDENCE_MAX_MB: '{bad}'"))
                    && e.contains("1 to 512"),
                "{e}"
            );
        }
        assert_eq!(
            from(&[("MIPAKA_EVIDENCE_MAX_MB", "5")])
                .unwrap()
                .evidence_max_mb,
            5
        );
        let e = from(&[("DATABASE_URL", "mysql://x/y")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("DATABASE_URL"), "{e}");
        let e = from(&[("MIPAKA_PUBLIC_URL", "mipaka.go.ke")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("MIPAKA_PUBLIC_URL"), "{e}");
        let e = from(&[("MIPAKA_SMTP_URL", "mail.go.ke:25")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("MIPAKA_SMTP_URL"), "{e}");
    }

    #[test]
    fn email_is_off_unless_an_smtp_server_is_named() {
        assert!(!from(&[]).unwrap().mail.enabled());
        let c = from(&[
            ("MIPAKA_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("MIPAKA_PORT", "8080"),
        ])
        .unwrap();
        assert!(c.mail.enabled());
        assert_eq!(c.mail.public_url, "http://127.0.0.1:8080");
    }
}
