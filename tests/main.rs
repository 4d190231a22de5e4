//! Integration tests: one test binary (faster to build than many), a module per area.

mod support;

mod api;
mod browser;
mod compare;
mod dhis2;
mod disclosure;
mod entry;
mod evidence;
mod figures;
mod foundation;
mod iati;
mod logframe;
mod mail;
mod maps;
mod reports;
mod robust;
mod security;
mod setup;
mod setup_web;
