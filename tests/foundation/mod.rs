mod audit_log;
mod cli;
mod demo;
mod schema;
