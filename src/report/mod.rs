//! Reports: data assembly for issued progress reports and their PDF rendering. The
//! renderer (`render`) knows no database: `donor` and `ministry` read the data and
//! describe the document; `issue` builds, writes and keeps what was issued.

pub mod donor;
pub mod figures;
pub mod issue;
pub mod ministry;
pub mod narrative;
pub mod render;
pub mod text;
