//! The JSON API keeps to its own OpenAPI document: schemathesis, with every check,
//! against the document the debug server binary serves on demonstration data.
//!
//! Skipped (listed as ignored, with the reason) where schemathesis is not installed,
//! except under CI, which installs it and must run it. `tests/api/schemathesis.toml`
//! holds the one setting the run needs; `MIPAKA_SCHEMATHESIS_EXAMPLES` raises the
//! number of examples per operation for a longer search.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mipaka::db::{DatabaseTarget, Db};
use mipaka::models::{session, user};

use crate::support::{Backend, TestDb};

/// Examples per operation and phase: about a minute a run on a quiet 2-core machine
/// (SQLite; PostgreSQL a little more), so both backends stay within ~3 minutes while
/// the rest of the suite runs beside them.
const EXAMPLES: u32 = 40;
/// A fixed seed: CI sees the same requests every run, and a failure reproduces.
const SEED: u64 = 20261205;

/// The debug server binary on a free loopback port; ended when dropped.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts the binary over `t`'s folder: on SQLite the embedded default database (the
    /// server creates it and loads the demonstration itself), on PostgreSQL `t`'s schema
    /// (loaded with the demonstration by the caller).
    fn start(t: &TestDb) -> Server {
        let port = crate::browser::free_port();
        let log = t.dir.path().join("server.log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mipaka"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("DATABASE_URL")
            .env("MIPAKA_DATA_DIR", t.dir.path())
            .env("MIPAKA_REPORTS_DIR", t.dir.path().join("reports"))
            .env("MIPAKA_ADDRESS", "127.0.0.1")
            .env("MIPAKA_PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(t.dir.path().join("server.err")).unwrap());
        if let DatabaseTarget::Postgres { url } = &t.config.database {
            cmd.env("DATABASE_URL", url);
        }
        let mut server = Server {
            child: cmd.spawn().expect("start the mipaka binary"),
            port,
            log,
        };
        server.wait_until_healthy();
        server
    }

    fn wait_until_healthy(&mut self) {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the server ended ({status}) before answering:\n{}",
                    self.logs()
                );
            }
            if self.health() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "the server did not answer /health within 2 minutes:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn health(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        let mut answer = String::new();
        s.write_all(request.as_bytes()).is_ok()
            && s.read_to_string(&mut answer).is_ok()
            && answer.starts_with("HTTP/1.1 200")
    }

    /// The end of what the server wrote: where a 500's reference is explained.
    fn logs(&self) -> String {
        let mut out = String::new();
        for file in [self.log.clone(), self.log.with_file_name("server.err")] {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(60)..];
            out.push_str(&format!(
                "--- {} (last lines)\n{}\n",
                file.display(),
                tail.join("\n")
            ));
        }
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A personal API token of a demonstration account, made as the account page makes it.
fn token(db: &Db, username: &str) -> String {
    let c = &mut *db.get().unwrap();
    let u = user::by_username(c, username)
        .unwrap()
        .unwrap_or_else(|| panic!("the demonstration has no account {username}"));
    session::create_token(c, u.id, "schemathesis", mipaka::clock::now())
        .unwrap()
        .1
}

/// Whether `schemathesis` can be run; under CI its absence is a failure.
fn schemathesis_installed() -> bool {
    match Command::new("schemathesis").arg("--version").output() {
        Ok(out) if out.status.success() => true,
        _ if std::env::var_os("CI").is_some() => panic!(
            "schemathesis is not installed, and CI must run the API conformance test: pip install schemathesis"
        ),
        _ => false,
    }
}

/// One schemathesis run with every check; panics with its report when anything fails.
fn schemathesis(base: &str, token: &str, only: &[&str], workdir: &Path) {
    let examples = std::env::var("MIPAKA_SCHEMATHESIS_EXAMPLES")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(EXAMPLES);
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/schemathesis.toml");
    let mut cmd = Command::new("schemathesis");
    cmd.current_dir(workdir)
        .arg("--config-file")
        .arg(&config)
        .arg("--no-color")
        .arg("run")
        .arg(format!("{base}/api/v1/openapi.json"))
        .args(["--checks", "all"])
        .args(["--max-examples", &examples.to_string()])
        .args(["--seed", &SEED.to_string()])
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "30"])
        .args(["--header", &format!("Authorization: Bearer {token}")]);
    for name in only {
        cmd.args(["--include-name", name]);
    }
    let shown = format!("{cmd:?}").replace(token, "mpk_…");
    eprintln!("running: {shown}");
    let started = Instant::now();
    let out = cmd.stdin(Stdio::null()).output().expect("run schemathesis");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "schemathesis took {:.0} s; its summary:\n{}",
        started.elapsed().as_secs_f64(),
        report
            .lines()
            .skip_while(|l| !l.contains("SUMMARY"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        out.status.success(),
        "schemathesis found the API and its OpenAPI document apart ({shown}):\n{report}"
    );
    // A run that generated nothing would pass too.
    let generated = report
        .lines()
        .find(|l| l.contains(" generated,"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse::<u64>().ok());
    assert!(
        generated.is_some_and(|n| n > 0),
        "schemathesis generated no test case:\n{report}"
    );
}

fn run(t: TestDb) {
    if !schemathesis_installed() {
        eprintln!("SKIPPED: schemathesis is not installed (pip install schemathesis)");
        return;
    }
    let (server, db) = match &t.backend {
        Backend::Sqlite => {
            let server = Server::start(&t);
            let path = t.dir.path().join(mipaka::config::DEFAULT_SQLITE_FILE);
            (
                server,
                Db::open(&DatabaseTarget::Sqlite { path }, 1).unwrap(),
            )
        }
        Backend::Postgres { .. } => {
            let db = t.with_demo();
            (Server::start(&t), db)
        }
    };
    let (manager, admin) = (token(&db, "manager"), token(&db, "admin"));
    drop(db);
    let base = format!("http://127.0.0.1:{}", server.port);
    let work = tempfile::tempdir().unwrap();
    // Every operation as the programme manager (the administrators' two answer 403)…
    schemathesis(&base, &manager, &[], work.path());
    // …then those two as the administrator: closing and archiving programmes last.
    schemathesis(
        &base,
        &admin,
        &["POST /programmes", "PUT /programmes/{code}/status"],
        work.path(),
    );
    // No request made the server fail: a 5xx fails the `not_a_server_error` check, and
    // the server is still up.
    assert!(server.health(), "the server stopped:\n{}", server.logs());
}

#[test]
#[cfg_attr(
    not(mipaka_schemathesis_tests),
    ignore = "schemathesis skipped: pip install schemathesis to run"
)]
fn the_api_keeps_to_its_openapi_document_on_sqlite() {
    run(TestDb::sqlite())
}

#[test]
#[cfg_attr(
    not(mipaka_pg_tests),
    ignore = "PostgreSQL skipped: set TEST_DATABASE_URL (e.g. postgres://127.0.0.1:5432/test) to run"
)]
#[cfg_attr(
    all(mipaka_pg_tests, not(mipaka_schemathesis_tests)),
    ignore = "schemathesis skipped: pip install schemathesis to run"
)]
fn the_api_keeps_to_its_openapi_document_on_postgres() {
    run(TestDb::postgres())
}
