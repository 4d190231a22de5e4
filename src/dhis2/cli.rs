//! `mipaka dhis2 export|import|push`: the exchange for scheduled runs. The binary only
//! parses the command line; the work is here.

use std::path::PathBuf;

use clap::Subcommand;

use super::export::{self, Format, Span};
use super::import::{self, Options, Payload};
use super::push::{self, Target};
use crate::db::Db;
use crate::domain::dhis2::summary::{ImportStatus, Strategy};
use crate::domain::dhis2::{IdScheme, IdSchemes};
use crate::error::{AppError, AppResult};
use crate::models::audit::Actor;
use crate::models::{programme, user};

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write a programme's approved values as a DHIS2 data value set (JSON, XML, CSV) or
    /// ADX, for one period or a date range. Unmapped items are named on standard error.
    Export {
        #[arg(long)]
        programme: String,
        /// A period, e.g. 2026Q4 (or give --start and --end).
        #[arg(long)]
        period: Option<String>,
        /// First day of a range, e.g. 2026-01-01.
        #[arg(long)]
        start: Option<String>,
        /// Last day of a range, e.g. 2026-12-31.
        #[arg(long)]
        end: Option<String>,
        /// json, xml, csv or adx.
        #[arg(long, default_value = "json")]
        format: String,
        /// Identify data elements, org units and option combos by code or uid.
        #[arg(long, default_value = "code")]
        id_scheme: String,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Import a data value set (.json, .xml, .csv, .adx) into draft values: all of it, or
    /// nothing when any value has a conflict (each is listed).
    Import {
        #[arg(long)]
        programme: String,
        #[arg(long)]
        file: PathBuf,
        /// Check and count only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// CREATE, UPDATE, CREATE_AND_UPDATE or DELETE.
        #[arg(long, default_value = "CREATE_AND_UPDATE")]
        strategy: String,
        /// Identifier scheme of the file (default: uid, for ADX code).
        #[arg(long)]
        id_scheme: Option<String>,
        /// The Mipaka user the values are entered as (a manager of the programme).
        #[arg(long)]
        user: String,
    },
    /// Send a programme's approved values of a period to a DHIS2 server's
    /// /api/dataValueSets and print its import summary. The server and credentials come
    /// from the options or MIPAKA_DHIS2_URL, MIPAKA_DHIS2_USER, MIPAKA_DHIS2_PASSWORD
    /// (or MIPAKA_DHIS2_TOKEN, a personal access token).
    Push {
        #[arg(long)]
        programme: String,
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        start: Option<String>,
        #[arg(long)]
        end: Option<String>,
        /// The DHIS2 server's base address (without /api).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        password: Option<String>,
        /// Identify data elements, org units and option combos by code or uid.
        #[arg(long, default_value = "code")]
        id_scheme: String,
        /// Ask the server to check only (dryRun=true).
        #[arg(long)]
        dry_run: bool,
    },
}

fn scheme(s: &str) -> AppResult<IdSchemes> {
    IdScheme::parse(s)
        .map(IdSchemes::all)
        .map_err(|m| AppError::invalid("id-scheme", m))
}

/// Runs a command; what it prints goes to standard output, notes to standard error.
pub fn run(db: &Db, cmd: Command) -> AppResult<()> {
    let mut conn = db.get()?;
    let now = crate::clock::now();
    match cmd {
        Command::Export {
            programme,
            period,
            start,
            end,
            format,
            id_scheme,
            output,
        } => {
            let p = programme::by_code(&mut conn, &programme.to_uppercase())?;
            let span = Span::from_params(period.as_deref(), start.as_deref(), end.as_deref())?;
            let format = Format::parse(&format).map_err(|m| AppError::invalid("format", m))?;
            let x = export::export(&mut conn, &p, span, scheme(&id_scheme)?, format, now)?;
            std::fs::write(&output, x.body.as_bytes())?;
            for u in &x.unmapped {
                eprintln!("  not exported: {u}");
            }
            for w in &x.withheld {
                eprintln!("  withheld: {w}");
            }
            println!(
                "Wrote {} ({} bytes): {} data values of {}.",
                output.display(),
                x.body.len(),
                x.values,
                p.code
            );
            Ok(())
        }
        Command::Import {
            programme,
            file,
            dry_run,
            strategy,
            id_scheme,
            user: username,
        } => {
            let p = programme::by_code(&mut conn, &programme.to_uppercase())?;
            let u = user::by_username(&mut conn, &username.to_lowercase())?
                .filter(|u| u.is_active)
                .ok_or_else(|| {
                    AppError::invalid("user", format!("there is no active user '{username}'"))
                })?;
            let access = crate::auth::Access::load(&mut conn, &u)?;
            let p =
                access.programme(&mut conn, &p.code, crate::domain::access::Permission::Edit)?;
            let name = file.to_string_lossy().to_string();
            let payload = Payload::from_file_name(&name).ok_or_else(|| {
                AppError::invalid(
                    "file",
                    format!(
                        "{name}: name the file .json, .xml, .csv or .adx so its format is known"
                    ),
                )
            })?;
            let bytes = std::fs::read(&file)
                .map_err(|e| AppError::invalid("file", format!("{name}: {e}")))?;
            let set = payload.read(&bytes).map_err(import::unreadable)?;
            let opts = Options {
                strategy: Strategy::parse(&strategy)
                    .map_err(|m| AppError::invalid("strategy", m))?,
                dry_run,
                scheme_params: id_scheme
                    .map(|s| vec![("idScheme".to_string(), s)])
                    .unwrap_or_default(),
                default_scheme: payload.default_scheme(),
            };
            let who = Actor {
                user_id: Some(u.id),
                name: u.username.clone(),
            };
            let summary = import::import(&mut conn, &who, &p, &set, &opts, now)?;
            println!("{}", summary.describe());
            if summary.status == ImportStatus::Error {
                return Err(AppError::invalid(
                    "file",
                    format!("{name}: nothing was imported"),
                ));
            }
            Ok(())
        }
        Command::Push {
            programme,
            period,
            start,
            end,
            to,
            user,
            password,
            id_scheme,
            dry_run,
        } => {
            let target = Target::from_options(to, user, password, None)?;
            let p = programme::by_code(&mut conn, &programme.to_uppercase())?;
            let span = Span::from_params(period.as_deref(), start.as_deref(), end.as_deref())?;
            let schemes = scheme(&id_scheme)?;
            let x = export::export(&mut conn, &p, span, schemes, Format::Json, now)?;
            drop(conn);
            for u in &x.unmapped {
                eprintln!("  not sent: {u}");
            }
            if x.values == 0 {
                println!(
                    "Nothing to push: {} has no approved, mapped values in that span.",
                    p.code
                );
                return Ok(());
            }
            let pushed = push::send(&target, &x.body, schemes.data_element, dry_run)?;
            println!(
                "Sent {} data values of {} to {} (HTTP {}).",
                x.values,
                p.code,
                target.endpoint(),
                pushed.http_status
            );
            println!("{}", pushed.summary.describe());
            if pushed.summary.status == ImportStatus::Error {
                return Err(AppError::Conflict(format!(
                    "{} refused the import",
                    target.endpoint()
                )));
            }
            Ok(())
        }
    }
}
