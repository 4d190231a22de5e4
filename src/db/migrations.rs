//! Embedded migrations, one folder per backend with the same migration names.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;
use crate::error::{AppError, AppResult};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

fn harness_error(e: Box<dyn std::error::Error + Send + Sync>) -> AppError {
    AppError::Internal(format!("migration failed: {e}"))
}

/// Applies what is pending; returns the versions applied now (empty when up to date).
pub fn run_pending(conn: &mut DbConn) -> AppResult<Vec<String>> {
    let applied = match conn {
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES).map_err(harness_error)?,
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE).map_err(harness_error)?,
    };
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// The newest applied migration, i.e. the schema version the data is at.
pub fn schema_version(conn: &mut DbConn) -> AppResult<Option<String>> {
    let versions = match conn {
        DbConn::Pg(c) => c.applied_migrations().map_err(harness_error)?,
        DbConn::Sqlite(c) => c.applied_migrations().map_err(harness_error)?,
    };
    Ok(versions.iter().map(|v| v.to_string()).max())
}

/// Names of pending migrations, for `mipaka migrate --status`.
pub fn pending(conn: &mut DbConn) -> AppResult<Vec<String>> {
    let names = match conn {
        DbConn::Pg(c) => c
            .pending_migrations(POSTGRES)
            .map_err(harness_error)?
            .iter()
            .map(|m| m.name().to_string())
            .collect(),
        DbConn::Sqlite(c) => c
            .pending_migrations(SQLITE)
            .map_err(harness_error)?
            .iter()
            .map(|m| m.name().to_string())
            .collect(),
    };
    Ok(names)
}
