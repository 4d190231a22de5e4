mod csv;
mod pages;
mod plan;
mod service;
mod web;
