//! DHIS2 data exchange (KHIS and other DHIS2 servers): a programme's mappings, the export
//! of approved values and the import of data value sets into draft values, the push to a
//! DHIS2 server, and the Basic / ApiToken sign-in of Mipaka's DHIS2-compatible endpoint.
//! The shapes themselves (pure) are in `crate::domain::dhis2`; the HTTP routes in
//! `crate::web::dhis2` and `crate::api::dhis2`.

pub mod auth;
pub mod cli;
pub mod export;
pub mod import;
pub mod mapping;
pub mod push;
