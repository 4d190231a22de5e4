mod accounts;
mod matrix;
