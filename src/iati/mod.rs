//! IATI 2.03: a programme as one `iati-activity` with its results, for the IATI Registry
//! (FCDO asks its implementing partners to publish to IATI).
//!
//! - [`model`]: the activity as IATI sees it (pure data).
//! - [`assemble`]: the model read from the tracker — results and indicators from the
//!   framework, baselines, each quarter's milestone as the target and its approved
//!   figure as the actual, per county (`location` refs) and per part (`dimension`s),
//!   all from the figures engine like every other output.
//! - [`xml`]: the model written in the schema's element order (pure).
//! - [`rules`]: the IATI Validator's rules, checked before a file leaves (pure).

pub mod assemble;
pub mod model;
pub mod publish;
pub mod rules;
pub mod sector;
pub mod spend;
pub mod xml;
