mod pages;
mod plan;
mod service;
mod web;
