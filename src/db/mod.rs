//! Storage on SQLite (embedded default) or PostgreSQL from one code base.
//!
//! The backend is chosen from the URL, never guessed by trying: `postgres://…` is
//! PostgreSQL, anything else is a SQLite file. Queries go through [`DbConn`], an enum
//! over both connections; where a query can only be written per backend (batch
//! inserts), [`db_run!`](crate::db_run) matches on the variant.

pub mod migrations;
pub mod schema;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use crate::error::{AppError, AppResult};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    // PostgreSQL first: the derive tries variants in order when given a bare URL, and
    // SQLite would accept any string as a file name.
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$conn` bound to the concrete connection of either backend, for
/// the few queries that do not compile over [`DbConn`] (e.g. multi-row inserts).
#[macro_export]
macro_rules! db_run {
    ($conn:ident: $body:block) => {
        match $conn {
            $crate::db::DbConn::Pg($conn) => $body,
            $crate::db::DbConn::Sqlite($conn) => $body,
        }
    };
}

/// Runs `f` in a write transaction (nested calls are savepoints). Every transaction that
/// writes goes through here.
///
/// On SQLite the outermost one begins IMMEDIATE: it takes the write lock first, waiting up
/// to the busy timeout for another writer to finish. A deferred transaction that reads and
/// then writes fails at once with "database is locked" when another writer committed in
/// between, however long the timeout — a user would see an error for a save that only had
/// to wait.
///
/// On PostgreSQL two writers can still meet in opposite orders (a deadlock) or, under a
/// stricter isolation level, conflict (a serialization failure); the database then undoes
/// one of them. That one is run again, whole, from the start — up to three times — so the
/// user never sees an error for a save that only had to wait.
pub fn write<T, E, F>(conn: &mut DbConn, mut f: F) -> Result<T, E>
where
    F: FnMut(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error> + RetryAfter,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outer = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
        DbConn::Pg(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
    }
    .transaction_depth()?
    .is_none();
    if !outer {
        return conn.transaction(f);
    }
    if let DbConn::Pg(_) = conn {
        let mut tries = 1;
        loop {
            match conn.transaction(&mut f) {
                Err(e) if e.retry_after() && tries < WRITE_TRIES => tries += 1,
                done => return done,
            }
        }
    }
    let _turn = write_turn::take();
    if let DbConn::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    let DbConn::Sqlite(c) = conn else {
        unreachable!("the connection was SQLite a moment ago")
    };
    match result {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(c)?;
            Ok(value)
        }
        // As diesel's own transaction does: the caller's error, unless undoing failed.
        Err(e) => match AnsiTransactionManager::rollback_transaction(c) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(e),
            Err(undo) => Err(undo.into()),
        },
    }
}

/// Gives SQLite's query planner statistics of the data. Without them it judges indexes
/// by their columns alone, and read a period's figures through the county index, every
/// period of each indicator, instead of seeking the period: 27 ms instead of 5 at a
/// million values. A database never analysed gets a sampled `ANALYZE` (a few
/// milliseconds); one that has statistics gets `PRAGMA optimize`, which analyses again
/// only the tables that have changed enough to need it — a full `ANALYZE` reads every
/// page, and at start that put the whole file in the server's memory (70 MB resident
/// instead of 26 for 200,000 values). Run at start and after bulk loads (generated data,
/// a large CSV import), as PostgreSQL's autovacuum does for it.
pub fn refresh_statistics(conn: &mut DbConn) -> AppResult<()> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let DbConn::Sqlite(c) = conn else {
        return Ok(());
    };
    use diesel::RunQueryDsl;
    let analysed = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
    )
    .get_result::<Count>(c)?
    .n > 0;
    let sql = if analysed {
        "PRAGMA analysis_limit = 400; PRAGMA optimize;"
    } else {
        "PRAGMA analysis_limit = 400; ANALYZE;"
    };
    write(conn, |c| {
        c.batch_execute(sql)?;
        Ok::<_, AppError>(())
    })
}

/// This process's SQLite writers, one at a time.
///
/// SQLite lets one writer in at a time; the others wait in its busy handler, which
/// sleeps 1, 2, 5 … up to 100 ms between tries rather than being woken when the lock is
/// free. Under many concurrent saves that sleeping, not the writing, was most of a save's
/// time (the mixed load's p99 was half a second). Writers of this process instead queue
/// here and are woken as soon as the one before them is done; the busy timeout still
/// covers writers in other processes. A turn is not waited for beyond that timeout, so a
/// writer that somehow waits on itself through a second connection still gets SQLite's
/// "database is locked", never a hang. One queue for every SQLite database the process
/// has open (tests open many): writers of different databases only take turns.
mod write_turn {
    use std::sync::{Condvar, Mutex, PoisonError};
    use std::time::{Duration, Instant};

    static BUSY: Mutex<bool> = Mutex::new(false);
    static FREED: Condvar = Condvar::new();
    const LONGEST: Duration = Duration::from_secs(10);

    pub struct Turn;

    /// This writer's turn, once the one before it is done (or after the busy timeout).
    pub fn take() -> Option<Turn> {
        let deadline = Instant::now() + LONGEST;
        let mut busy = BUSY.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            busy = FREED
                .wait_timeout(busy, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *busy = true;
        Some(Turn)
    }

    impl Drop for Turn {
        fn drop(&mut self) {
            *BUSY.lock().unwrap_or_else(PoisonError::into_inner) = false;
            FREED.notify_one();
        }
    }
}

/// How many times a PostgreSQL write transaction undone by a deadlock is run.
const WRITE_TRIES: u32 = 3;

/// Errors that say the database undid a transaction only because another got in its way
/// (PostgreSQL's deadlock_detected and serialization_failure): running it again is right.
pub trait RetryAfter {
    fn retry_after(&self) -> bool;
}

impl RetryAfter for diesel::result::Error {
    fn retry_after(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
            // diesel has no kind of its own for 40P01; PostgreSQL's message names it.
            Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
                info.message().starts_with("deadlock detected")
            }
            _ => false,
        }
    }
}

/// Raw SQL with `{P1}`, `{P2}`… placeholders, written for the backend of `conn`
/// (`$1` for PostgreSQL, `?` for SQLite). Only for the few queries the query builder
/// cannot express over both backends (CASE inside an aggregate).
pub trait Placeholders {
    fn placeholder(n: usize) -> String;
}

impl Placeholders for PgConnection {
    fn placeholder(n: usize) -> String {
        format!("${n}")
    }
}

impl Placeholders for SqliteConnection {
    fn placeholder(_: usize) -> String {
        "?".into()
    }
}

pub fn placeholders<C: Placeholders>(_conn: &C, sql: &str) -> String {
    let mut out = sql.to_string();
    for n in 1..=9 {
        out = out.replace(&format!("{{P{n}}}"), &C::placeholder(n));
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgresql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgresql => "postgresql",
        }
    }
}

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite { path: PathBuf },
    Postgres { url: String },
}

impl DatabaseTarget {
    pub fn parse(raw: &str) -> AppResult<DatabaseTarget> {
        let s = raw.trim();
        let bad = |why: String| AppError::Config(format!("DATABASE_URL: {why}"));
        if s.is_empty() {
            return Err(bad("it is empty. Leave it unset for the embedded SQLite database, or give postgres://… or a SQLite file path".into()));
        }
        if let Some((scheme, _)) = s.split_once("://") {
            return match scheme.to_ascii_lowercase().as_str() {
                "postgres" | "postgresql" => {
                    let parsed = url::Url::parse(s)
                        .map_err(|e| bad(format!("'{}' is not a valid PostgreSQL URL ({e})", redact(s))))?;
                    if parsed.path().trim_start_matches('/').is_empty() {
                        return Err(bad(format!(
                            "'{}' names no database; add one, e.g. postgres://127.0.0.1:5432/mipaka",
                            redact(s)
                        )));
                    }
                    Ok(DatabaseTarget::Postgres { url: s.to_string() })
                }
                "sqlite" => sqlite_path(&s["sqlite://".len()..]).map_err(bad),
                other => Err(bad(format!(
                    "the scheme '{other}' is not supported; use postgres://… for PostgreSQL or a file path for SQLite"
                ))),
            };
        }
        if let Some(rest) = s.strip_prefix("sqlite:") {
            return sqlite_path(rest).map_err(bad);
        }
        sqlite_path(s).map_err(bad)
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseTarget::Sqlite { .. } => Backend::Sqlite,
            DatabaseTarget::Postgres { .. } => Backend::Postgresql,
        }
    }

    /// For messages and logs: never includes a password.
    pub fn describe(&self) -> String {
        match self {
            DatabaseTarget::Sqlite { path } => format!("SQLite file {}", path.display()),
            DatabaseTarget::Postgres { url } => format!("PostgreSQL at {}", redact(url)),
        }
    }
}

fn sqlite_path(p: &str) -> Result<DatabaseTarget, String> {
    if p.is_empty() {
        return Err("no SQLite file path given".into());
    }
    if p == ":memory:" || p.contains("mode=memory") {
        return Err("an in-memory SQLite database cannot be shared by the connection pool; give a file path".into());
    }
    Ok(DatabaseTarget::Sqlite {
        path: PathBuf::from(p),
    })
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Opens connections for the pool; SQLite ones get the settings the tracker relies on.
#[derive(Debug, Clone)]
pub struct Manager {
    target: DatabaseTarget,
}

#[derive(Debug)]
pub struct ConnectError(String);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ConnectError {}

/// SQLite settings: enforce foreign keys (off by default in SQLite), WAL so readers do
/// not block the writer, and wait for a lock instead of failing at once. A 32 MB page
/// cache (SQLite's default is 2 MB) and reads through mmap keep a period's values and the
/// dashboard's index in memory on a database of a million values; both are ceilings,
/// not allocations, so a small database costs no more.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
     PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
     PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;";

/// A pooled connection, with what the pool needs to know of its health.
pub struct Pooled {
    conn: DbConn,
    /// When the server last used it without losing it.
    used: Instant,
    /// The server lost it (the database restarted or the network dropped).
    lost: bool,
}

impl std::ops::Deref for Pooled {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// A connection lent by the pool; it goes back when dropped.
pub struct Conn(PooledConnection<Manager>);

impl std::ops::Deref for Conn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.0.conn
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.0.conn
    }
}

/// A connection used this recently is handed out without asking the database first:
/// under load that question would be one more round trip per request. An idle one is
/// checked, so a database restarted in a quiet spell costs no one an error.
const TRUSTED_FOR: Duration = Duration::from_secs(2);

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = ConnectError;

    fn connect(&self) -> Result<Pooled, ConnectError> {
        let conn = match &self.target {
            DatabaseTarget::Postgres { url } => PgConnection::establish(url)
                .map(DbConn::Pg)
                .map_err(|e| ConnectError(first_line(&e.to_string())))?,
            DatabaseTarget::Sqlite { path } => {
                let name = path.to_string_lossy();
                let mut c = SqliteConnection::establish(&name)
                    .map_err(|e| ConnectError(first_line(&e.to_string())))?;
                c.batch_execute(SQLITE_PRAGMAS)
                    .map_err(|e| ConnectError(format!("cannot configure SQLite: {e}")))?;
                DbConn::Sqlite(c)
            }
        };
        Ok(Pooled {
            conn,
            used: Instant::now(),
            lost: false,
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), ConnectError> {
        if conn.lost {
            return Err(ConnectError("the connection was lost".into()));
        }
        if conn.used.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectError(e.to_string()))?;
        conn.used = Instant::now();
        Ok(())
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        conn.lost
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("unknown error")
        .to_string()
}

/// The connection pool, cheap to clone, held in Rocket state.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    target: DatabaseTarget,
}

impl Db {
    /// Opens the database, making one connection first so that an unreachable server
    /// or unwritable file is reported at once with its own words.
    pub fn open(target: &DatabaseTarget, pool_size: u32) -> AppResult<Db> {
        if let DatabaseTarget::Sqlite { path } = target {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                if !dir.is_dir() {
                    return Err(AppError::Unavailable(format!(
                        "cannot open {}: the folder {} does not exist",
                        target.describe(),
                        dir.display()
                    )));
                }
            }
        }
        let manager = Manager {
            target: target.clone(),
        };
        let first = manager.connect().map_err(|e| {
            AppError::Unavailable(format!("cannot open {}: {e}", target.describe()))
        })?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(15))
            .build_unchecked(manager);
        Ok(Db {
            pool,
            target: target.clone(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.target.backend()
    }

    pub fn target(&self) -> &DatabaseTarget {
        &self.target
    }

    /// A connection for synchronous callers (command line, tests, benchmarks).
    pub fn get(&self) -> AppResult<Conn> {
        Ok(Conn(self.pool.get()?))
    }

    /// Runs blocking database work off the async executor.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            let result = f(&mut conn);
            match &result {
                // The database went away under it: the pool drops it instead of lending
                // it out again.
                Err(AppError::Unavailable(_)) => conn.lost = true,
                _ => conn.used = Instant::now(),
            }
            result
        })
        .await
        .map_err(|e| AppError::Internal(format!("database task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(
            DatabaseTarget::parse("postgres://127.0.0.1:5432/test")
                .unwrap()
                .backend(),
            Backend::Postgresql
        );
        assert_eq!(
            DatabaseTarget::parse("postgresql://u@h/db")
                .unwrap()
                .backend(),
            Backend::Postgresql
        );
        assert_eq!(
            DatabaseTarget::parse("data/x.sqlite3").unwrap(),
            DatabaseTarget::Sqlite {
                path: "data/x.sqlite3".into()
            }
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite://data/x.db").unwrap(),
            DatabaseTarget::Sqlite {
                path: "data/x.db".into()
            }
        );
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        for (url, expect) in [
            ("", "empty"),
            ("mysql://h/db", "scheme 'mysql'"),
            ("postgres://h:notaport/db", "not a valid PostgreSQL URL"),
            ("postgres://127.0.0.1:5432", "names no database"),
            (":memory:", "in-memory"),
        ] {
            let e = DatabaseTarget::parse(url).unwrap_err().to_string();
            assert!(
                e.starts_with("DATABASE_URL:") && e.contains(expect),
                "{url}: {e}"
            );
        }
    }

    #[test]
    fn descriptions_hide_passwords() {
        let t = DatabaseTarget::parse("postgres://me:s3cret@db.example/mipaka").unwrap();
        assert!(!t.describe().contains("s3cret"));
        assert!(t.describe().contains("***"));
    }
}
