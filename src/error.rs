//! One error type for the whole application. Every variant carries a message a person
//! can act on; internal details are logged with a reference id, never shown.

use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Something the user asked for does not exist (or is not theirs to see).
    #[error("{0}")]
    NotFound(String),
    /// Input was wrong; `field` names where, when there is one place to point at.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// Someone else changed the thing first, or it already exists.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    /// An upload or request body over the size limit: says the limit.
    #[error("{0}")]
    TooLarge(String),
    /// A configuration value is wrong: says which one and what is expected.
    #[error("{0}")]
    Config(String),
    /// The database cannot be reached or opened.
    #[error("{0}")]
    Unavailable(String),
    /// The database undid a write because another got in its way (a deadlock), even
    /// after running it again: nothing was changed, and trying again will do. Logged.
    #[error("{0}")]
    Busy(String),
    /// A file the tracker keeps (an issued report) is missing or no longer what was
    /// stored: `public` says so in words a user can pass on; `detail` (paths) is logged.
    #[error("{public}")]
    Stored { public: String, detail: String },
    /// Anything else: a bug or an unexpected state. Logged in full, shown as a reference.
    #[error("{0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl crate::db::RetryAfter for AppError {
    fn retry_after(&self) -> bool {
        matches!(self, AppError::Busy(_))
    }
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }

    /// The HTTP status code that answers this error (pages and API alike).
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::Forbidden(_) => 403,
            AppError::TooLarge(_) => 413,
            AppError::Config(_) | AppError::Internal(_) | AppError::Stored { .. } => 500,
            AppError::Unavailable(_) | AppError::Busy(_) => 503,
        }
    }

    /// The message safe to show to a user. Internal errors are logged under a fresh
    /// reference so an administrator can find them; the user sees only the reference.
    pub fn public_message(&self) -> (String, Option<String>) {
        match self {
            AppError::Internal(detail) | AppError::Config(detail) => {
                let id = error_reference();
                eprintln!("error {id}: {detail}");
                (
                    format!(
                        "Something went wrong on our side. Nothing was changed. \
                         If it happens again, give the administrator this reference: {id}"
                    ),
                    Some(id),
                )
            }
            AppError::Unavailable(detail) => {
                let id = error_reference();
                eprintln!("error {id}: {detail}");
                (
                    format!("The database is not available right now; please try again in a minute. Reference: {id}"),
                    Some(id),
                )
            }
            AppError::Busy(detail) => {
                let id = error_reference();
                eprintln!("error {id}: {detail}");
                (
                    format!(
                        "Others were saving at the same moment and this change could not be \
                         made. Nothing was changed; please try again. Reference: {id}"
                    ),
                    Some(id),
                )
            }
            AppError::Stored { public, detail } => {
                let id = error_reference();
                eprintln!("error {id}: {detail}");
                (public.clone(), Some(id))
            }
            other => (other.to_string(), None),
        }
    }
}

/// A short reference that is unique enough to find one line in the server log.
pub fn error_reference() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32).rotate_left(7))
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("E{:08X}", nanos.wrapping_mul(2_654_435_761).wrapping_add(n))
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        if crate::db::RetryAfter::retry_after(&e) {
            return AppError::Busy(format!("database: {e}"));
        }
        match e {
            Error::NotFound => AppError::NotFound("That record does not exist.".into()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AppError::Conflict(format!("That already exists ({}).", info.message()))
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                AppError::Invalid {
                    field: None,
                    message: format!(
                        "That refers to something that does not exist ({}).",
                        info.message()
                    ),
                }
            }
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, info) => AppError::Invalid {
                field: None,
                message: format!("That value is not allowed ({}).", info.message()),
            },
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(format!("database connection closed: {}", info.message()))
            }
            Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
                AppError::Unavailable(format!("database connection lost: {}", info.message()))
            }
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("no database connection: {e}"))
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(format!("i/o: {e}"))
    }
}

impl From<diesel_migrations::MigrationError> for AppError {
    fn from(e: diesel_migrations::MigrationError) -> Self {
        AppError::Internal(format!("migration: {e}"))
    }
}
