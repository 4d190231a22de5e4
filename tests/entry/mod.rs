mod bulk;
mod csv;
mod pages;
mod plan;
mod progress;
mod service;
mod web;
