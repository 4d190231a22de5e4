//! Concurrent writers wait for each other instead of failing.

use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};

use crate::on_both_backends;
use mipaka::error::AppError;
use mipaka::models::{session, user};

fn exec(c: &mut mipaka::db::DbConn, sql: &str) -> Result<(), AppError> {
    c.batch_execute(sql).map_err(AppError::from)
}

on_both_backends! {
    // The case SQLite answers "database is locked" at once, whatever the busy timeout: a
    // transaction reads, another writer commits, then the first writes. Write
    // transactions take the lock first, so the second writer waits instead.
    fn a_writer_that_read_first_is_never_overtaken(t) {
        let db = t.with_demo();
        let (read, go) = mpsc::channel::<()>();
        let first = {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut c = db.get().unwrap();
                mipaka::db::write(&mut c, |c| {
                    exec(c, "SELECT COUNT(*) FROM indicator_values")?;
                    read.send(()).unwrap();
                    // The other writer tries to commit while this one holds its read.
                    std::thread::sleep(Duration::from_millis(400));
                    exec(c, "UPDATE indicator_values SET comment = 'first' WHERE id = (SELECT MIN(id) FROM indicator_values)")
                })
            })
        };
        go.recv().unwrap();
        let mut c = db.get().unwrap();
        let second = mipaka::db::write(&mut c, |c| {
            exec(c, "UPDATE indicator_values SET comment = 'second' WHERE id = (SELECT MAX(id) FROM indicator_values)")
        });
        let first = first.join().unwrap();
        assert!(first.is_ok(), "the first writer: {first:?}");
        assert!(second.is_ok(), "the second writer: {second:?}");
    }
}

#[derive(diesel::QueryableByName)]
struct Draft {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    period: String,
    #[diesel(sql_type = diesel::sql_types::Double)]
    value: f64,
}

on_both_backends! {
    // Many clients saving values at once through the API, each with the version it read:
    // every answer is a save or a version conflict, never a server error.
    fn many_api_writers_at_once_get_saves_or_conflicts_never_errors(t) {
        use diesel::RunQueryDsl;
        let db = t.with_demo();
        let (token, drafts) = {
            let c = &mut *db.get().unwrap();
            let u = user::by_username(c, "manager").unwrap().unwrap();
            let token = session::create_token(c, u.id, "test", mipaka::clock::now()).unwrap().1;
            // Draft totals of LBP's newest period with drafts: what a manager may change.
            let drafts: Vec<Draft> = mipaka::db_run!(c: {
                diesel::sql_query(
                    "SELECT v.id AS id, v.period AS period, v.value AS value FROM indicator_values v \
                     JOIN indicators i ON i.id = v.indicator_id JOIN programmes p ON p.id = i.programme_id \
                     WHERE p.code = 'LBP' AND v.status = 'draft' AND v.disaggregation = '' \
                     AND v.period = (SELECT MAX(v2.period) FROM indicator_values v2 JOIN indicators i2 \
                         ON i2.id = v2.indicator_id WHERE i2.programme_id = p.id AND v2.status = 'draft') \
                     ORDER BY v.id LIMIT 8",
                )
                .load(c)
                .unwrap()
            });
            (token, drafts)
        };
        assert!(drafts.len() >= 4, "draft values to write: {}", drafts.len());
        let period = drafts[0].period.clone();
        let targets: Vec<(i32, f64)> = drafts.iter().map(|d| (d.id, d.value)).collect();
        let rt = rocket::tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        let (saved, conflicts, errors) = rt.block_on(async {
            let client = std::sync::Arc::new(
                rocket::local::asynchronous::Client::untracked(mipaka::rocket(&t.config, db.clone()).unwrap())
                    .await
                    .unwrap(),
            );
            let auth = format!("Bearer {token}");
            let mut tasks = Vec::new();
            for w in 0..32usize {
                let (id, value) = targets[w % targets.len()];
                let (client, auth, period) = (client.clone(), auth.clone(), period.clone());
                tasks.push(rocket::tokio::spawn(async move {
                    let mut out = (0usize, 0usize, Vec::new());
                    for round in 0..6 {
                        let r = client
                            .get(format!("/api/v1/programmes/LBP/values?period={period}"))
                            .header(Header::new("Authorization", auth.clone()))
                            .dispatch()
                            .await;
                        let status = r.status();
                        let body: Value = r.into_json().await.unwrap_or(Value::Null);
                        let version = body["values"]
                            .as_array()
                            .and_then(|l| l.iter().find(|v| v["id"].as_i64() == Some(id as i64)))
                            .map(|v| v["version"].clone());
                        let Some(version) = version.filter(|_| status == Status::Ok) else {
                            out.2.push(format!("GET {status}: {body}"));
                            continue;
                        };
                        let next = value + ((w + round) % 3) as f64;
                        let r = client
                            .put(format!("/api/v1/programmes/LBP/values/{id}"))
                            .header(Header::new("Authorization", auth.clone()))
                            .header(ContentType::JSON)
                            .body(json!({"value": next, "version": version, "comment": "concurrent"}).to_string())
                            .dispatch()
                            .await;
                        match r.status() {
                            Status::Ok => out.0 += 1,
                            Status::Conflict => out.1 += 1,
                            s => out.2.push(format!("PUT {s}: {}", r.into_string().await.unwrap_or_default())),
                        }
                    }
                    out
                }));
            }
            let mut all = (0, 0, Vec::new());
            for task in tasks {
                let r = task.await.unwrap();
                all.0 += r.0;
                all.1 += r.1;
                all.2.extend(r.2);
            }
            all
        });
        assert!(errors.is_empty(), "{} errors, first: {:?}", errors.len(), errors.first());
        assert!(saved > 0, "some saves went through ({saved} saved, {conflicts} conflicts)");
        assert_eq!(saved + conflicts, 32 * 6);
    }
}

// Two writers that take the same rows in opposite orders deadlock on PostgreSQL; the
// database undoes one, and that one is run again instead of failing (SQLite's writers
// never meet this way: each takes the write lock first).
#[test]
#[cfg_attr(
    not(mipaka_pg_tests),
    ignore = "PostgreSQL skipped: set TEST_DATABASE_URL (e.g. postgres://127.0.0.1:5432/test) to run"
)]
fn writers_undone_by_a_deadlock_are_run_again() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};
    let t = crate::support::TestDb::postgres();
    let db = t.with_demo();
    let both_hold_one = Arc::new(Barrier::new(2));
    let runs = Arc::new(AtomicUsize::new(0));
    let writer = |first: &'static str, second: &'static str| {
        let (db, barrier, runs) = (db.clone(), both_hold_one.clone(), runs.clone());
        std::thread::spawn(move || {
            let mut c = db.get().unwrap();
            let mut tries = 0;
            let result = mipaka::db::write(&mut c, |c| {
                tries += 1;
                runs.fetch_add(1, Ordering::SeqCst);
                exec(c, &format!("UPDATE indicator_values SET comment = 'x' WHERE id = (SELECT {first}(id) FROM indicator_values)"))?;
                if tries == 1 {
                    barrier.wait();
                }
                exec(c, &format!("UPDATE indicator_values SET comment = 'y' WHERE id = (SELECT {second}(id) FROM indicator_values)"))
            });
            (result, tries)
        })
    };
    let a = writer("MIN", "MAX");
    let b = writer("MAX", "MIN");
    let (ra, ta) = a.join().unwrap();
    let (rb, tb) = b.join().unwrap();
    assert!(ra.is_ok(), "the first writer: {ra:?}");
    assert!(rb.is_ok(), "the second writer: {rb:?}");
    assert_eq!(ta + tb, 3, "one of the two was undone once and run again");
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}
