//! Test fixtures: every test gets its own database — a SQLite file in a temporary
//! folder, or a fresh schema in the PostgreSQL named by TEST_DATABASE_URL.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rocket::local::blocking::Client;

use mipaka::config::Config;
use mipaka::db::{DatabaseTarget, Db, DbConn};

/// Demo values depend on which quarters have ended; tests pin the day.
pub fn demo_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// Generates a test that runs on SQLite, and one on PostgreSQL that is reported as
/// ignored when TEST_DATABASE_URL was not set at build time.
#[macro_export]
macro_rules! on_both_backends {
    ($(#[$meta:meta])* fn $name:ident($db:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($db: $crate::support::TestDb) $body

            #[test]
            fn sqlite() {
                run($crate::support::TestDb::sqlite())
            }

            #[test]
            #[cfg_attr(not(mipaka_pg_tests), ignore = "PostgreSQL skipped: set TEST_DATABASE_URL (e.g. postgres://127.0.0.1:5432/test) to run")]
            fn postgres() {
                run($crate::support::TestDb::postgres())
            }
        }
    };
}

pub enum Backend {
    Sqlite,
    Postgres { admin_url: String, schema: String },
}

pub struct TestDb {
    pub config: Config,
    pub dir: tempfile::TempDir,
    pub backend: Backend,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let target = DatabaseTarget::Sqlite {
            path: dir.path().join("test.sqlite3"),
        };
        let config = Config::for_database(target, dir.path());
        TestDb {
            config,
            dir,
            backend: Backend::Sqlite,
        }
    }

    pub fn postgres() -> TestDb {
        let admin_url = std::env::var("TEST_DATABASE_URL").expect(
            "TEST_DATABASE_URL must name the PostgreSQL test database, e.g. postgres://127.0.0.1:5432/test",
        );
        let schema = format!(
            "mipaka_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TEST_DATABASE_URL: {e}"));
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
            ))
            .expect("create test schema");
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        let dir = tempfile::tempdir().expect("temporary folder");
        let config = Config::for_database(DatabaseTarget::Postgres { url }, dir.path());
        TestDb {
            config,
            dir,
            backend: Backend::Postgres { admin_url, schema },
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    /// Migrated (and reference counties loaded), as the server would start it.
    pub fn prepare(&self) -> Db {
        mipaka::prepare(&self.config).expect("prepare database").db
    }

    /// Migrated and loaded with the demonstration programmes as of [`demo_day`].
    pub fn with_demo(&self) -> Db {
        let db = self.prepare();
        let mut conn = db.get().unwrap();
        mipaka::seed::demo(&mut conn, demo_day()).expect("load demo data");
        drop(conn);
        db
    }

    pub fn client(&self, db: Db) -> Client {
        Client::tracked(mipaka::rocket(&self.config, db).expect("build app")).expect("valid rocket")
    }

    pub fn conn(db: &Db) -> impl std::ops::DerefMut<Target = DbConn> {
        db.get().expect("connection")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Backend::Postgres { admin_url, schema } = &self.backend {
            if let Ok(mut c) = PgConnection::establish(admin_url) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// The value of `<input … name="NAME" value="…">` in a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + "value=\"".len();
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

pub fn demo_password(username: &str) -> &'static str {
    mipaka::seed::DEMO_ACCOUNTS
        .iter()
        .find(|a| a.username == username)
        .map(|a| a.password)
        .unwrap_or_else(|| panic!("no demo account {username}"))
}

/// Signs in through the login form; returns the session's CSRF token.
pub fn sign_in(client: &Client, username: &str, password: &str) -> String {
    use rocket::http::{ContentType, Status};
    let page = client.get("/login").dispatch().into_string().unwrap();
    let csrf = input_value(&page, "csrf").expect("login form has a csrf field");
    let body = format!(
        "username={}&password={}&csrf={csrf}&next=/",
        urlencode(username),
        urlencode(password)
    );
    let r = client
        .post("/login")
        .header(ContentType::Form)
        .body(body)
        .dispatch();
    assert_eq!(
        r.status(),
        Status::SeeOther,
        "sign-in as {username} should redirect"
    );
    let home = client.get("/account").dispatch().into_string().unwrap();
    input_value(&home, "csrf").expect("signed-in pages carry the session's csrf token")
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
