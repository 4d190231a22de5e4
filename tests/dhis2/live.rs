//! Real servers listening on loopback: a DHIS2 client library from PyPI (dhis2.py)
//! pushing to and pulling from Mipaka, and `mipaka dhis2 push` from one Mipaka to another.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::exchange::{open_cells, payload};
use super::{actor, figures, map_all, programme};
use crate::support::{demo_password, TestDb};
use mipaka::db::{DatabaseTarget, Db};
use mipaka::domain::period::Period;

/// The application serving a database on a free loopback port, in a thread of its own;
/// shut down when dropped.
struct Live {
    base: String,
    shutdown: rocket::Shutdown,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Live {
    fn start(t: &TestDb, db: Db) -> Live {
        let mut config = t.config.clone();
        config.port = free_port();
        let port = config.port;
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            rocket::execute(async move {
                let r = mipaka::rocket(&config, db).unwrap().ignite().await.unwrap();
                tx.send(r.shutdown()).unwrap();
                let _ = r.launch().await;
            })
        });
        let shutdown = rx.recv().unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the server did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Live {
            base: format!("http://127.0.0.1:{port}"),
            shutdown,
            thread: Some(thread),
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A `python3` on PATH beside which the `dhis2` package (dhis2.py) is installed: a
/// virtual environment's, as `.ci/run` makes it.
fn python_with_dhis2() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).find_map(|dir| {
        let python = dir.join("python3");
        let lib = dir.parent()?.join("lib");
        let found = std::fs::read_dir(&lib)
            .ok()?
            .flatten()
            .any(|d| d.path().join("site-packages/dhis2/api.py").is_file());
        (python.is_file() && found).then_some(python)
    })
}

fn python(script: &str, args: &[&str]) -> Value {
    let py = python_with_dhis2().expect(
        "dhis2.py is installed (pip install dhis2.py==2.3.0 into target/ci-venv; .ci/run does)",
    );
    let out = Command::new(py)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

const PUSH: &str = r#"
import json, sys
from dhis2 import Api
api = Api(sys.argv[1], sys.argv[2], sys.argv[3])
payload = json.loads(sys.argv[4])
r = api.post("dataValueSets", json=payload, params={"idScheme": "code"})
print(json.dumps(r.json()))
"#;

const PULL: &str = r#"
import json, sys
from dhis2 import Api
api = Api(sys.argv[1], sys.argv[2], sys.argv[3])
r = api.get("dataValueSets", params={"dataSet": "LBP", "period": "2026Q4", "idScheme": "code"})
print(json.dumps(r.json()))
"#;

fn a_pypi_client_pushes_to_and_pulls_from_mipaka(t: TestDb) {
    let db = t.with_demo();
    let cells = {
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        map_all(c, &p, "AOC_LBP");
        open_cells(c)
    };
    let live = Live::start(&t, db.clone());
    let base = format!("{}/dhis2", live.base);
    let mut body: Value = serde_json::from_str(&payload(&cells, &["5", "7"])).unwrap();
    body["dataSet"] = "LBP".into();
    let s = python(
        PUSH,
        &[
            &base,
            "manager",
            demo_password("manager"),
            &body.to_string(),
        ],
    );
    assert_eq!(s["status"], "SUCCESS", "{s}");
    assert_eq!(s["importCount"]["imported"], 2, "{s}");
    // Approved, they are what a pull returns.
    {
        let c = &mut *db.get().unwrap();
        let p = programme(c, "LBP");
        let q = Period::parse("2026Q4").unwrap();
        let (manager, officer) = (actor(c, "manager"), actor(c, "officer"));
        mipaka::entry::submit(c, &manager, &p, &q).unwrap();
        mipaka::entry::approve(c, &officer, &p, &q, mipaka::clock::now()).unwrap();
    }
    let got = python(PULL, &[&base, "donor", demo_password("donor")]);
    let list = got["dataValues"].as_array().unwrap();
    for ((de, ou, _), v) in cells.iter().zip(["5", "7"]) {
        assert!(
            list.iter().any(|d| d["dataElement"] == de.as_str()
                && d["orgUnit"] == ou.as_str()
                && d["value"] == v
                && d["period"] == "2026Q4"
                && d["comment"] == "from KHIS"),
            "{de} {ou} = {v} in {got}"
        );
    }
    // Wrong credentials: the library sees DHIS2's 401.
    let py = python_with_dhis2().unwrap();
    let out = Command::new(py)
        .arg("-c")
        .arg(PULL)
        .args([base.as_str(), "donor", "wrong"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("401"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[cfg_attr(
    not(mipaka_dhis2py_tests),
    ignore = "dhis2.py skipped: install it (pip install dhis2.py==2.3.0 into target/ci-venv; .ci/run does) to run"
)]
fn pypi_client_sqlite() {
    a_pypi_client_pushes_to_and_pulls_from_mipaka(TestDb::sqlite())
}

#[test]
#[cfg_attr(
    any(not(mipaka_dhis2py_tests), not(mipaka_pg_tests)),
    ignore = "dhis2.py or PostgreSQL skipped: install dhis2.py (.ci/run does) and set TEST_DATABASE_URL to run"
)]
fn pypi_client_postgres() {
    a_pypi_client_pushes_to_and_pulls_from_mipaka(TestDb::postgres())
}

fn database_url(t: &TestDb) -> String {
    match &t.config.database {
        DatabaseTarget::Sqlite { path } => path.display().to_string(),
        DatabaseTarget::Postgres { url } => url.clone(),
    }
}

fn mipaka(t: &TestDb, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mipaka"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", database_url(t))
        .env("MIPAKA_DATA_DIR", t.dir.path())
        .env("MIPAKA_REPORTS_DIR", t.dir.path().join("reports"))
        .env_remove("MIPAKA_DHIS2_URL")
        .env_remove("MIPAKA_DHIS2_USER")
        .env_remove("MIPAKA_DHIS2_PASSWORD")
        .env_remove("MIPAKA_DHIS2_TOKEN")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

crate::on_both_backends! {
    fn dhis2_push_sends_a_quarter_to_a_second_mipaka(t) {
        // Server A: the demo with LBP mapped; server B: another database whose LBPX has
        // LBP's framework and the same mappings (so B picks LBPX by the combo).
        let a = t.with_demo();
        {
            let c = &mut *a.get().unwrap();
            let p = programme(c, "LBP");
            map_all(c, &p, "AOC_LBP");
        }
        let tb = if t.is_postgres() { TestDb::postgres() } else { TestDb::sqlite() };
        let b = tb.with_demo();
        {
            let (ca, cb) = (&mut *a.get().unwrap(), &mut *b.get().unwrap());
            let (lbp, admin) = (programme(ca, "LBP"), actor(cb, "admin"));
            let mut doc = mipaka::setup::logframe::export(ca, &lbp).unwrap();
            doc.programme.fields.code = "LBPX".into();
            let report = mipaka::setup::logframe::apply(cb, &admin, mipaka::setup::logframe::Destination::New { is_demo: true }, &doc,
                mipaka::setup::logframe::Apply { mode: mipaka::entry::Mode::Write, expect_plan: None, today: crate::support::demo_day(), now: mipaka::clock::now() }).unwrap();
            assert!(report.is_clean(), "{:#?}", report.problems);
            let file = mipaka::dhis2::mapping::Mappings::load(ca, &lbp).unwrap().csv();
            let copy = programme(cb, "LBPX");
            let saved = mipaka::dhis2::mapping::save(cb, &admin, &copy, 0, &mipaka::dhis2::mapping::read_csv(file.as_bytes()).unwrap(), false, mipaka::clock::now()).unwrap();
            mipaka::dhis2::mapping::into_result(saved).unwrap();
            let m = mipaka::models::user::by_username(cb, "manager").unwrap().unwrap();
            mipaka::models::user::grant_role(cb, m.id, "LBPX", "manager").unwrap();
        }
        let live = Live::start(&tb, b.clone());
        let to = format!("{}/dhis2", live.base);

        let out = mipaka(&t, &["dhis2", "push", "--programme", "LBP", "--period", "2026Q2", "--to", &to, "--user", "manager", "--password", demo_password("manager")], &[]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("SUCCESS: imported "), "{stdout}");
        let (ca, cb) = (&mut *a.get().unwrap(), &mut *b.get().unwrap());
        let (lbp, lbpx) = (programme(ca, "LBP"), programme(cb, "LBPX"));
        let sent: std::collections::BTreeMap<_, _> = figures(ca, &lbp, Some("approved")).into_iter().filter(|(k, _)| k.1 == "2026Q2").collect();
        assert!(!sent.is_empty());
        // What arrived is what may leave: every figure as in A, none held back sent.
        let got = figures(cb, &lbpx, None);
        let count: usize = stdout.split("Sent ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap();
        assert_eq!(got.len(), count, "{stdout}");
        assert!(got.iter().all(|(k, v)| sent.get(k) == Some(v)), "figures differ");
        let sent = got;

        // The same again: every value ignored. Credentials from the environment.
        let out = mipaka(&t, &["dhis2", "push", "--programme", "LBP", "--period", "2026Q2"], &[("MIPAKA_DHIS2_URL", &to), ("MIPAKA_DHIS2_USER", "manager"), ("MIPAKA_DHIS2_PASSWORD", demo_password("manager"))]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{stdout}");
        assert!(stdout.contains(&format!("imported 0, updated 0, ignored {}", sent.len())), "{stdout}");
        // Wrong password: refused, said; no server: the variable is named.
        let out = mipaka(&t, &["dhis2", "push", "--programme", "LBP", "--period", "2026Q2", "--to", &to, "--user", "manager", "--password", "wrong"], &[]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("401"), "{}", String::from_utf8_lossy(&out.stderr));
        let out = mipaka(&t, &["dhis2", "push", "--programme", "LBP", "--period", "2026Q2"], &[]);
        assert!(String::from_utf8_lossy(&out.stderr).contains("MIPAKA_DHIS2_URL"), "{}", String::from_utf8_lossy(&out.stderr));

        // export and import for scheduled runs: A's file into B's LBPX, dry run first.
        let file = t.dir.path().join("lbp-2026Q2.csv");
        let out = mipaka(&t, &["dhis2", "export", "--programme", "LBP", "--period", "2026Q2", "--format", "csv", "-o", file.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,flwup\n"));
        let out = mipaka(&tb, &["dhis2", "import", "--programme", "LBPX", "--file", file.to_str().unwrap(), "--id-scheme", "code", "--dry-run", "--user", "manager"], &[]);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(&format!("ignored {}", sent.len())), "{stdout}");
    }
}
