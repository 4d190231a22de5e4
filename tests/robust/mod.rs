//! Under concurrent use and bad input: nothing answers 500, nothing is half written.

mod concurrency;
mod input;
mod servers;
