//! The one clock. Every "today" (overdue, the current phase, the default end of a
//! comparison) and every "now" (audit entries, sessions, versions) comes from here, in
//! UTC, so that a page, the API, a report and the command line agree on the date.

use chrono::{NaiveDate, NaiveDateTime, Utc};

/// The date figures are judged against (overdue, current phase), in UTC.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The current time in UTC, as stored (audit log, sessions, entry times).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}
