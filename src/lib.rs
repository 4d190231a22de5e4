// The OpenAPI document is one large json! literal.
#![recursion_limit = "512"]
//! Mipaka: monitoring and evaluation tracker for Kenya's border-security programmes.
//!
//! The binary parses the command line; everything else is here so that tests and
//! benchmarks build exactly the application users run.

pub mod api;
pub mod auth;
pub mod chart;
pub mod clock;
pub mod compare;
pub mod config;
pub mod csvio;
pub mod db;
pub mod dhis2;
pub mod domain;
pub mod entry;
pub mod error;
pub mod evidence;
pub mod figures;
pub mod format;
pub mod geo;
pub mod iati;
pub mod mail;
pub mod memory;
pub mod models;
pub mod overview;
pub mod report;
pub mod secret;
pub mod seed;
pub mod setup;
pub mod waiting;
pub mod web;

use rocket::{Build, Rocket};
use rocket_dyn_templates::Template;

use crate::config::Config;
use crate::db::{migrations, Db};
use crate::error::AppResult;
use crate::seed::DemoSummary;

/// What start-up did to the database, for the binary to report.
pub struct Prepared {
    pub db: Db,
    pub applied_migrations: Vec<String>,
    pub demo: Option<DemoSummary>,
}

/// Opens the database, applies pending migrations and the reference counties, and —
/// only for the embedded default database, and only when it has no programmes —
/// loads the demonstration programmes. A database named by DATABASE_URL is never
/// seeded unasked.
pub fn prepare(config: &Config) -> AppResult<Prepared> {
    memory::configure();
    if config.embedded_default {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            error::AppError::Config(format!(
                "cannot create the data folder {}: {e}",
                config.data_dir.display()
            ))
        })?;
    }
    let db = Db::open(&config.database, config.pool_size)?;
    let mut conn = db.get()?;
    let applied_migrations = migrations::run_pending(&mut conn)?;
    seed::reference_data(&mut conn)?;
    let demo = if config.embedded_default && models::programme::count(&mut conn)? == 0 {
        Some(seed::demo(&mut conn, clock::today())?)
    } else {
        None
    };
    db::refresh_statistics(&mut conn)?;
    drop(conn);
    memory::release_freed();
    Ok(Prepared {
        db,
        applied_migrations,
        demo,
    })
}

/// The largest file an upload may carry, in MiB (said in the answer to a larger one).
pub const UPLOAD_LIMIT_MIB: u64 = 64;

/// The largest urlencoded form body, in MiB.
pub const FORM_LIMIT_MIB: u64 = 4;

/// The web application over an opened database.
pub fn rocket(config: &Config, db: Db) -> AppResult<Rocket<Build>> {
    let secret_key = secret::secret_key(config)?;
    // Rocket reads a file up to this; an evidence file over its own (smaller) limit is
    // read and then refused by its route, which says the limit.
    let file_limit = UPLOAD_LIMIT_MIB.max(config.evidence_max_mb + 1);
    let mut figment = rocket::Config::figment()
        .merge(("address", config.address))
        .merge(("port", config.port))
        .merge(("template_dir", config.template_dir.clone()))
        .merge(("secret_key", secret_key))
        .merge(("cli_colors", false))
        // Room for a 100,000-row CSV upload and for an evidence file at its limit;
        // ordinary forms stay small.
        .merge(("limits.file", format!("{file_limit} MiB")))
        .merge(("limits.data-form", format!("{} MiB", file_limit + 2)))
        // A urlencoded form: a whole period's grid of every county posted at once (8,460
        // cells of a 100-indicator programme: 513 KB with a value, comment and version
        // each) fits with room for longer comments; Rocket's default is 32 KiB.
        .merge(("limits.form", format!("{FORM_LIMIT_MIB} MiB")));
    if std::env::var_os("ROCKET_LOG_LEVEL").is_none() {
        // Rocket's own start-up banner is noise for county staff; the binary prints
        // where to open the tracker. ROCKET_LOG_LEVEL=normal brings it back.
        figment = figment.merge(("log_level", "critical"));
    }
    let settings = auth::AuthSettings {
        idle: chrono::Duration::minutes(i64::from(config.session_idle_minutes)),
        throttle: config.throttle,
        secure_cookies: config.secure_cookies,
    };
    // The worker lives as long as this Rocket's state holds its handle.
    let mailer = mail::Mailer::new(db.clone(), config.mail.clone());
    mailer.start();
    let rocket = rocket::custom(figment)
        .manage(db)
        // Each server keeps its own computed figures (under the data version).
        .manage(figures::cache::Cache::new())
        .manage(settings)
        .manage(web::ReportsDir(config.reports_dir.clone()))
        .manage(mailer)
        .manage(evidence::Store::from_config(config))
        .attach(Template::fairing());
    Ok(api::mount(web::mount(rocket)))
}
