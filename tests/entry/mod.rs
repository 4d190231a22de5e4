mod service;
mod web;
