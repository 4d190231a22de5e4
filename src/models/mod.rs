//! Queries: functions taking `&mut DbConn` and returning plain structs. No HTTP here.

pub mod activity;
pub mod activity_progress;
pub mod audit;
pub mod budget;
pub mod category;
pub mod comparison;
pub mod continuity;
pub mod dhis2;
pub mod evidence;
pub mod framework;
pub mod issued;
pub mod location;
pub mod lock;
pub mod logframe_upload;
pub mod milestone;
pub mod narrative;
pub mod organisation;
pub mod output_narrative;
pub mod programme;
pub mod session;
pub mod target;
pub mod upload;
pub mod user;
pub mod values;

/// Rows per multi-row INSERT: keeps well under SQLite's and PostgreSQL's limits on
/// bound parameters for the widest table.
pub const INSERT_CHUNK: usize = 500;
