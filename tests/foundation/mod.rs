mod cli;
mod demo;
mod schema;
