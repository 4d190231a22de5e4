//! The logframe spreadsheet: a programme's whole set-up as an .xlsx workbook in the
//! FCDO/DFID logframe layout, and back. Pure I/O between bytes and a
//! [`Logframe`](super::logframe::Logframe) document; applying one to the database is
//! [`logframe::apply`](super::logframe::apply), which makes the checks and places every
//! problem at the sheet and cell the reader recorded.
//!
//! Sheets: "Read me" (written from the layout's own descriptions), "Programme"
//! (label/value rows), "Impact", "Outcomes" and "Outputs" (one row per indicator, the
//! result's cells merged over its indicators' rows, the programme-wide milestones as
//! one column per period), "Disaggregated milestones" (per county or part, one per row),
//! "Disaggregations", "Phases", "Partners", "Budget", "Activities" and "Programme
//! milestones". See `layout` for every column.
//!
//! Memory is bounded before any parsing: the zip archive's directory and the real
//! inflated size of every part are checked first (`archive`), and sheets are read cell
//! by cell, one at a time, up to [`MAX_ROWS`] filled rows in all.

mod archive;
pub mod layout;
mod read;
mod write;

pub use archive::{MAX_ENTRIES, MAX_FILE_BYTES, MAX_UNCOMPRESSED};
pub use read::{column_letter, MAX_COLUMNS, MAX_ROWS};

use super::logframe::{Logframe, Problem};
use crate::error::{AppError, AppResult};

/// The workbook of `doc`. `is_demo` says on the "Read me" (and in the file's properties)
/// that the programme is illustrative. The same document always gives the same bytes.
pub fn write(doc: &Logframe, is_demo: bool) -> AppResult<Vec<u8>> {
    write::write(doc, is_demo)
        .map_err(|e| AppError::Internal(format!("writing the logframe workbook: {e}")))
}

/// The document in a workbook, each item's origin naming its sheet, row and the column
/// of each field; or every problem that keeps it from being read (a file that is not a
/// workbook, one too large, missing sheets or header columns, cells that cannot be read).
pub fn read(bytes: &[u8]) -> Result<Logframe, Vec<Problem>> {
    read::read(bytes)
}
