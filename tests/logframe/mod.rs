//! The logframe spreadsheet: export, import, round trips, bad workbooks, the command
//! line and the upload pages.

mod roundtrip;
