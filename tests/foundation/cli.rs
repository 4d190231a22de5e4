//! The binary: clear one-line failures, and the commands an administrator uses.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::TestDb;

fn mipaka(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mipaka"));
    cmd.current_dir(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run mipaka");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn one_line_error(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "exactly one line: {err:?}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    err
}

#[test]
fn a_malformed_database_url_ends_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    for (url, expect) in [
        ("mysql://db/mipaka", "scheme 'mysql' is not supported"),
        ("postgres://127.0.0.1:99999/x", "not a valid PostgreSQL URL"),
        ("   ", "empty"),
    ] {
        let out = mipaka(dir.path(), &[("DATABASE_URL", url)], &["migrate"], "");
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = one_line_error(&out);
        assert!(
            err.starts_with("mipaka: DATABASE_URL: ") && err.contains(expect),
            "{url}: {err}"
        );
    }
}

#[test]
fn an_unreachable_postgresql_ends_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    // Port 9 (discard) has no PostgreSQL on any machine we run on.
    let out = mipaka(
        dir.path(),
        &[("DATABASE_URL", "postgres://127.0.0.1:9/mipaka")],
        &["migrate"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = one_line_error(&out);
    assert!(
        err.starts_with("mipaka: cannot open PostgreSQL at postgres://127.0.0.1:9/mipaka"),
        "{err}"
    );
}

#[test]
fn a_bad_setting_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.sqlite3");
    let out = mipaka(
        dir.path(),
        &[
            ("DATABASE_URL", db.to_str().unwrap()),
            ("MIPAKA_PORT", "http"),
        ],
        &["serve"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("MIPAKA_PORT: 'http' is not a port number"));
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
        vec!["create-user", "--help"],
    ] {
        let out = mipaka(dir.path(), &[], &cmd, "");
        assert!(out.status.success(), "{cmd:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage: mipaka"),
            "{cmd:?}"
        );
    }
}

#[test]
fn migrate_seed_and_create_user_from_the_command_line() {
    let t = TestDb::sqlite();
    let dir = t.dir.path();
    let db = dir.join("cli.sqlite3");
    let env = [("DATABASE_URL", db.to_str().unwrap())];

    let out = mipaka(dir, &env, &["migrate"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        said.contains(&format!("Applied {migrations} migration")),
        "{said}"
    );
    let out = mipaka(dir, &env, &["migrate"], "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));

    let out = mipaka(dir, &env, &["seed", "--demo"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 programmes"));
    let out = mipaka(dir, &env, &["seed", "--demo"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(one_line_error(&out).contains("already loaded"));

    let out = mipaka(
        dir,
        &env,
        &[
            "create-user",
            "--username",
            "wanjiku",
            "--name",
            "Wanjiku Njoroge",
            "--admin",
            "--role",
            "LBP:manager",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = mipaka(
        dir,
        &env,
        &[
            "create-user",
            "--username",
            "short",
            "--name",
            "S",
            "--password-stdin",
        ],
        "tiny\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("at least 10 characters"));
    let out = mipaka(
        dir,
        &env,
        &[
            "create-user",
            "--username",
            "x2",
            "--name",
            "S",
            "--role",
            "NOPE:manager",
            "--password-stdin",
        ],
        "long enough password\n",
    );
    assert_ne!(out.status.code(), Some(0));

    let check = TestDb {
        config: mipaka::config::Config::for_database(
            mipaka::db::DatabaseTarget::Sqlite { path: db.clone() },
            dir,
        ),
        dir: tempfile::tempdir().unwrap(),
        backend: crate::support::Backend::Sqlite,
    };
    let handle = check.prepare();
    let mut conn = handle.get().unwrap();
    let u = mipaka::models::user::by_username(&mut conn, "wanjiku")
        .unwrap()
        .unwrap();
    assert!(u.is_admin);
    assert!(
        u.password_hash.starts_with("$argon2id$"),
        "{}",
        u.password_hash
    );
    assert!(!u.password_hash.contains("correct horse"));
    assert!(mipaka::models::user::verify_password(
        "correct horse battery",
        &u.password_hash
    ));
    assert_eq!(
        mipaka::models::user::roles_of(&mut conn, u.id).unwrap(),
        vec![("LBP".to_string(), "manager".to_string())]
    );
    assert!(
        mipaka::models::user::by_username(&mut conn, "x2")
            .unwrap()
            .is_none(),
        "a failed create-user leaves no account"
    );
}

#[test]
fn a_busy_port_is_found_before_anything_is_created_or_announced() {
    let dir = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let data = dir.path().join("data");
    let out = mipaka(
        dir.path(),
        &[
            ("MIPAKA_ADDRESS", "127.0.0.1"),
            ("MIPAKA_PORT", &port),
            ("MIPAKA_DATA_DIR", data.to_str().unwrap()),
        ],
        &[],
        "",
    );
    assert_ne!(out.status.code(), Some(0));
    let err = one_line_error(&out);
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.contains("MIPAKA_PORT"),
        "{err}"
    );
    let said = String::from_utf8_lossy(&out.stdout);
    for word in [
        "Ready",
        "Open http",
        "Demonstration logins",
        "Loaded",
        "Applied",
    ] {
        assert!(
            !said.contains(word),
            "printed {word:?} before failing: {said}"
        );
    }
    assert!(
        !data.exists() || std::fs::read_dir(&data).unwrap().next().is_none(),
        "nothing was created in {}",
        data.display()
    );
    drop(busy);
}
