//! Setting up programmes.

mod service;
