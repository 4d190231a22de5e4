mod pages;
mod service;
mod web;
