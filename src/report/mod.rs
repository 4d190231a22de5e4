//! Reports: data assembly for issued progress reports and their PDF rendering.

pub mod render;
