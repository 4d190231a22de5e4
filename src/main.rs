//! The `mipaka` command: a thin layer over the library.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use mipaka::config::Config;
use mipaka::db::{migrations, Db};
use mipaka::error::{AppError, AppResult};
use mipaka::models::{audit, user};
use mipaka::seed;

#[derive(Parser)]
#[command(
    name = "mipaka",
    version,
    about = "Monitoring and evaluation tracker for Kenya's border-security programmes"
)]
#[command(
    after_help = "Settings come from the environment or a .env file: DATABASE_URL (postgres://… or a SQLite file; \
default data/mipaka.sqlite3 with demonstration data), MIPAKA_ADDRESS, MIPAKA_PORT, MIPAKA_SECRET_KEY, MIPAKA_REPORTS_DIR; \
email: MIPAKA_SMTP_URL, MIPAKA_MAIL_FROM, MIPAKA_PUBLIC_URL, MIPAKA_MAIL_RETRY_SECONDS."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default command).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate {
        /// Only list the migrations that are pending.
        #[arg(long)]
        status: bool,
    },
    /// Load data into the database.
    Seed {
        /// Load the three demonstration programmes (refused if they are already there).
        #[arg(long, required = true)]
        demo: bool,
    },
    /// Create a user account (the first administrator of a deployment is made this way).
    CreateUser(CreateUser),
    /// Load a large synthetic dataset (3 programmes × 100 indicators × 40 quarters) for
    /// benchmarks and load tests.
    Generate {
        /// About how many values to create, e.g. 200000 or 1000000.
        #[arg(long, default_value_t = 200_000)]
        values: usize,
        /// Code prefix of the generated programmes (GEN1, GEN2, GEN3).
        #[arg(long, default_value = "GEN")]
        prefix: String,
    },
    /// Write a progress report as PDF (for scheduled runs), or issue it.
    Report(ReportArgs),
    /// IATI 2.03: write a programme's activity file with its results.
    #[command(subcommand)]
    Iati(IatiCommand),
    /// Email: send what is due now, write this week's digest, or show the outbox.
    #[command(subcommand)]
    Mail(MailCommand),
    /// The logframe spreadsheet (.xlsx): export a programme's set-up, or import one.
    #[command(subcommand)]
    Logframe(LogframeCommand),
    /// DHIS2 data exchange: export, import or push a programme's data values.
    #[command(subcommand)]
    Dhis2(mipaka::dhis2::cli::Command),
}

#[derive(Subcommand)]
enum LogframeCommand {
    /// Write a programme's whole set-up (results, indicators, milestones, phases,
    /// partners, budget, activities) as an .xlsx workbook in the FCDO logframe layout.
    Export {
        /// The programme's code.
        #[arg(long)]
        programme: String,
        /// Where to write the workbook.
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
    },
    /// Read a logframe workbook and apply it: all of it, or nothing when any cell has a
    /// problem. Prints what is created, changed and archived, row by row.
    Import {
        /// The .xlsx workbook.
        file: std::path::PathBuf,
        /// Import into this programme (the file's code must match); without it the
        /// programme with the file's code is updated, or created when there is none.
        #[arg(long)]
        programme: Option<String>,
        /// Only show what the import would do; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Args)]
struct ReportArgs {
    /// The programme's code: a donor report's programme; with --kind ministry, a draft
    /// of that programme's part only (issued ministry reports cover every programme).
    #[arg(long)]
    programme: Option<String>,
    /// donor: one programme, FCDO-style; ministry: all programmes, county by county.
    #[arg(long, default_value = "donor")]
    kind: String,
    /// The reporting period, e.g. 2026Q3, 2026S1, 2026, 2026July (Kenyan fiscal year).
    #[arg(long)]
    period: String,
    /// Where to write the PDF.
    #[arg(short = 'o', long = "output")]
    output: std::path::PathBuf,
    /// Issue it: keep it under the reports folder as the next version, record and audit
    /// it (as "command line"); without this a draft is written.
    #[arg(long)]
    issue: bool,
    /// With --issue, from version 2 on: why this version (printed on the cover and above
    /// the change log).
    #[arg(long, default_value = "")]
    reason: String,
    /// With --issue: issue even though some county-quarters of the period are not
    /// approved (the cover says so).
    #[arg(long)]
    accept_unapproved: bool,
}

#[derive(Subcommand)]
enum IatiCommand {
    /// Write the programme's IATI activity file (checked against the IATI Validator's
    /// rules first: with any problem nothing is written and each is listed).
    Export {
        /// The programme's code.
        #[arg(long)]
        programme: String,
        /// Where to write the XML.
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Send every message due now (the server does this by itself; for a check or cron).
    Send,
    /// Write this week's digest of overdue reporting for managers (once a week per person).
    Digest,
    /// How many messages wait, since when, and the last error.
    Status,
}

#[derive(Args)]
struct CreateUser {
    /// Login name: 3 to 40 lowercase letters, digits, '.', '_' or '-'.
    #[arg(long)]
    username: String,
    /// The person's full name.
    #[arg(long)]
    name: String,
    #[arg(long, default_value = "")]
    email: String,
    /// Make the account an administrator.
    #[arg(long)]
    admin: bool,
    /// A role in a programme, as CODE:ROLE (ROLE: manager, me_officer, evaluator, donor). Repeatable.
    #[arg(long = "role", value_name = "CODE:ROLE")]
    roles: Vec<String>,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    password_stdin: bool,
}

fn main() -> ExitCode {
    // A missing .env is normal; a broken one is reported.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("mipaka: .env: {e}");
            return ExitCode::from(2);
        }
    }
    let cli = Cli::parse();
    let result =
        Config::from_env().and_then(|config| match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config),
            Command::Migrate { status } => migrate(config, status),
            Command::Seed { .. } => seed_demo(config),
            Command::CreateUser(args) => create_user(config, args),
            Command::Generate { values, prefix } => generate(config, values, &prefix),
            Command::Report(args) => report(config, args),
            Command::Logframe(cmd) => logframe(config, cmd),
            Command::Mail(cmd) => mail(config, cmd),
            Command::Iati(cmd) => iati(config, cmd),
            Command::Dhis2(cmd) => open(&config).and_then(|db| mipaka::dhis2::cli::run(&db, cmd)),
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mipaka: {e}");
            ExitCode::from(match e {
                AppError::Config(_) | AppError::Invalid { .. } => 2,
                _ => 1,
            })
        }
    }
}

fn iati(config: Config, cmd: IatiCommand) -> AppResult<()> {
    let IatiCommand::Export { programme, output } = cmd;
    let db = open(&config)?;
    let mut conn = db.get()?;
    let p = mipaka::models::programme::by_code(&mut conn, &programme)?;
    let now = mipaka::clock::now();
    let activity = mipaka::iati::assemble::activity(&mut conn, &p, &config.mail.public_url, now)?;
    let problems = mipaka::iati::rules::check(&activity, now);
    if !problems.is_empty() {
        for pr in &problems {
            let ind = pr
                .indicator
                .as_deref()
                .map(|i| format!(" [{i}]"))
                .unwrap_or_default();
            eprintln!("  {} {}{ind}: {}", pr.rule, pr.element, pr.message);
        }
        return Err(AppError::invalid(
            "programme",
            format!(
                "{} problem(s) with {programme}'s IATI file; nothing written",
                problems.len()
            ),
        ));
    }
    let xml = mipaka::iati::xml::write(&activity);
    std::fs::write(&output, xml.as_bytes())?;
    let values: usize = activity
        .results
        .iter()
        .flat_map(|r| &r.indicators)
        .flat_map(|i| &i.periods)
        .map(|p| p.actuals.len())
        .sum();
    println!(
        "Wrote {} ({} bytes): {} results, {} actual values, identifier {}.",
        output.display(),
        xml.len(),
        activity.results.len(),
        values,
        activity.identifier
    );
    Ok(())
}

fn mail(config: Config, cmd: MailCommand) -> AppResult<()> {
    use mipaka::mail::{digest, outbox, worker};
    if !config.mail.enabled() {
        return Err(AppError::Config(format!(
            "email is {}",
            config.mail.describe()
        )));
    }
    let db = open(&config)?;
    let mut conn = db.get()?;
    let now = mipaka::clock::now();
    match cmd {
        MailCommand::Send => {
            let r = worker::deliver_due(&mut conn, &config.mail, now)?;
            println!("Sent {}, failed {} (tried again later).", r.sent, r.failed);
        }
        MailCommand::Digest => {
            let n = digest::enqueue_week(&mut conn, &config.mail, now)?;
            println!(
                "Wrote {n} digest(s) for week {}; the server sends them.",
                digest::week_of(now)
            );
        }
        MailCommand::Status => {
            let (n, oldest, error) = outbox::pending(&mut conn)?;
            println!(
                "{n} message(s) waiting{}.",
                oldest
                    .map(|t| format!(", the oldest since {t} UTC"))
                    .unwrap_or_default()
            );
            if let Some(e) = error {
                println!("Last error: {e}");
            }
        }
    }
    Ok(())
}

fn serve(config: Config) -> AppResult<()> {
    let started = std::time::Instant::now();
    // A busy port is found before the database is created, migrated or seeded.
    port_is_free(&config)?;
    println!(
        "Mipaka {} — using {}",
        env!("CARGO_PKG_VERSION"),
        config.database.describe()
    );
    let prepared = mipaka::prepare(&config)?;
    println!("Email: {}.", config.mail.describe());
    if !prepared.applied_migrations.is_empty() {
        println!(
            "Applied {} database migration(s).",
            prepared.applied_migrations.len()
        );
    }
    if let Some(s) = &prepared.demo {
        println!(
            "Loaded the demonstration data: {} programmes, {} indicators, {} values, {} milestones, {} activities.",
            s.programmes, s.indicators, s.values, s.milestones, s.activities
        );
    }
    let demo_logins = config.embedded_default
        && prepared.db.get().ok().is_some_and(|mut c| {
            user::by_username(&mut c, seed::DEMO_ACCOUNTS[0].username)
                .ok()
                .flatten()
                .is_some()
        });
    let url = format!("http://{}:{}", display_host(&config), config.port);
    // Announced once the server is listening (Rocket's liftoff), never before.
    let announce = rocket::fairing::AdHoc::on_liftoff("Announce", move |_| {
        Box::pin(async move {
            println!(
                "Ready in {:.1}s. Open {url}",
                started.elapsed().as_secs_f64()
            );
            if demo_logins {
                println!(
                    "Demonstration logins (demo data only — never use these in a real deployment):"
                );
                for a in &seed::DEMO_ACCOUNTS {
                    let role = a.role.map(user::role_label).unwrap_or("Administrator");
                    println!(
                        "  {:<22} user {:<10} password {}",
                        role, a.username, a.password
                    );
                }
            }
            println!("Stop with Ctrl+C.");
        })
    });
    let rocket = mipaka::rocket(&config, prepared.db)?.attach(announce);
    rocket::execute(async move {
        rocket
            .launch()
            .await
            .map(|_| ())
            .map_err(|e| AppError::Config(launch_error(&e)))
    })
}

/// Whether the configured address and port can be listened on, tried by binding them
/// for a moment (Rocket binds them again when it launches).
fn port_is_free(config: &Config) -> AppResult<()> {
    std::net::TcpListener::bind((config.address, config.port))
        .map(drop)
        .map_err(|e| {
            AppError::Config(format!(
                "cannot listen on {}:{} ({e}); set MIPAKA_PORT to a free port",
                config.address, config.port
            ))
        })
}

fn display_host(config: &Config) -> String {
    if config.address.is_unspecified() {
        "127.0.0.1".into()
    } else {
        config.address.to_string()
    }
}

fn launch_error(e: &rocket::Error) -> String {
    match e.kind() {
        rocket::error::ErrorKind::Bind(io) => format!(
            "cannot listen on the configured address and port ({io}); set MIPAKA_PORT to a free port"
        ),
        other => format!("the web server could not start: {other}"),
    }
}

fn open(config: &Config) -> AppResult<Db> {
    if config.embedded_default {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    Db::open(&config.database, 2)
}

fn migrate(config: Config, status: bool) -> AppResult<()> {
    let db = open(&config)?;
    let mut conn = db.get()?;
    if status {
        let pending = migrations::pending(&mut conn)?;
        println!(
            "{}: schema version {}",
            config.database.describe(),
            migrations::schema_version(&mut conn)?.unwrap_or_else(|| "none".into())
        );
        if pending.is_empty() {
            println!("No pending migrations.");
        }
        for m in pending {
            println!("pending: {m}");
        }
        return Ok(());
    }
    let applied = migrations::run_pending(&mut conn)?;
    seed::reference_data(&mut conn)?;
    if applied.is_empty() {
        println!("{} is up to date.", config.database.describe());
    } else {
        println!(
            "Applied {} migration(s) to {}: {}",
            applied.len(),
            config.database.describe(),
            applied.join(", ")
        );
    }
    Ok(())
}

fn seed_demo(config: Config) -> AppResult<()> {
    let db = open(&config)?;
    let mut conn = db.get()?;
    migrations::run_pending(&mut conn)?;
    let s = seed::demo(&mut conn, mipaka::clock::today())?;
    println!(
        "Loaded the demonstration data into {}: {} programmes, {} indicators, {} targets, {} values, {} milestones, {} activities, {} demo accounts.",
        config.database.describe(), s.programmes, s.indicators, s.targets, s.values, s.milestones, s.activities, s.accounts
    );
    Ok(())
}

fn generate(config: Config, values: usize, prefix: &str) -> AppResult<()> {
    let started = std::time::Instant::now();
    let db = open(&config)?;
    let mut conn = db.get()?;
    migrations::run_pending(&mut conn)?;
    let g = mipaka::seed::large::generate(&mut conn, values, prefix)?;
    println!(
        "Generated {} programmes, {} indicators and {} values in {} in {:.1}s.",
        g.programmes,
        g.indicators,
        g.values,
        config.database.describe(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn report(config: Config, args: ReportArgs) -> AppResult<()> {
    use mipaka::domain::period::Period;
    use mipaka::report::issue::{self, Kind, Subject};
    let started = std::time::Instant::now();
    let kind = Kind::parse(&args.kind).ok_or_else(|| {
        AppError::invalid(
            "kind",
            format!("--kind {:?}: expected donor or ministry", args.kind),
        )
    })?;
    let period = Period::parse(&args.period).map_err(|e| {
        AppError::invalid(
            "period",
            format!("--period {:?}: {}", args.period, e.reason()),
        )
    })?;
    let db = open(&config)?;
    let mut conn = db.get()?;
    if !migrations::pending(&mut conn)?.is_empty() {
        return Err(AppError::Config(
            "the database has pending migrations: run `mipaka migrate` first".into(),
        ));
    }
    let subject = match (kind, &args.programme) {
        (Kind::Donor, Some(code)) => {
            Subject::Donor(mipaka::models::programme::by_code(&mut conn, code)?)
        }
        (Kind::Donor, None) => {
            return Err(AppError::invalid(
                "programme",
                "a donor report needs --programme CODE",
            ))
        }
        (Kind::Ministry, None) => Subject::Ministry,
        // One programme's part of the ministry report, as a draft that says so on its
        // cover. Issued ministry reports cover every programme (one register, one
        // sign-off), so --issue with --programme is refused, naming both flags.
        (Kind::Ministry, Some(code)) => {
            if args.issue {
                let why = format!(
                    "--programme {code} with --issue: an issued ministry report covers \
                     every programme, county by county; leave --programme out to issue it, \
                     or leave --issue out for a draft of {code} only"
                );
                return Err(AppError::invalid("programme", why));
            }
            let p = mipaka::models::programme::by_code(&mut conn, code)?;
            let doc =
                mipaka::report::ministry::MinistryReport::load_only(&mut conn, period, Some(&p))?
                    .document(mipaka::report::Issue::Draft);
            let bytes = issue::signed_draft(&mut conn, doc, std::slice::from_ref(&p), period)?;
            return write_report(&args, "Draft", &bytes, started);
        }
    };
    let (what, bytes) = if args.issue {
        let who = mipaka::models::audit::Actor {
            user_id: None,
            name: "command line".into(),
        };
        let request = issue::IssueRequest {
            reason: args.reason.clone(),
            accept_unapproved: args.accept_unapproved,
            tell: Some(config.mail.clone()),
        };
        let r = issue::issue(
            &mut conn,
            &config.reports_dir,
            &subject,
            period,
            &request,
            &who,
            mipaka::clock::now(),
        )
        .map_err(command_line_words)?;
        let bytes = issue::read_issued(&config.reports_dir, &r)?;
        (
            format!(
                "Issued version {} (kept as {}, sha256 {})",
                r.version,
                config.reports_dir.join(&r.file_path).display(),
                r.sha256
            ),
            bytes,
        )
    } else {
        (
            "Draft".to_string(),
            issue::draft(&mut conn, &subject, period)?.1,
        )
    };
    write_report(&args, &what, &bytes, started)
}

fn write_report(
    args: &ReportArgs,
    what: &str,
    bytes: &[u8],
    started: std::time::Instant,
) -> AppResult<()> {
    std::fs::write(&args.output, bytes)
        .map_err(|e| AppError::invalid("output", format!("{}: {e}", args.output.display())))?;
    println!(
        "{what}: wrote {} ({} bytes) in {:.0} ms.",
        args.output.display(),
        bytes.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

fn logframe(config: Config, cmd: LogframeCommand) -> AppResult<()> {
    use mipaka::setup::{logframe, sheet};
    let started = std::time::Instant::now();
    let db = open(&config)?;
    let mut conn = db.get()?;
    if !migrations::pending(&mut conn)?.is_empty() {
        return Err(AppError::Config(
            "the database has pending migrations: run `mipaka migrate` first".into(),
        ));
    }
    match cmd {
        LogframeCommand::Export { programme, output } => {
            let p = mipaka::models::programme::by_code(&mut conn, &programme)?;
            let doc = logframe::export(&mut conn, &p)?;
            let bytes = sheet::write(&doc, p.is_demo)?;
            std::fs::write(&output, &bytes)
                .map_err(|e| AppError::invalid("output", format!("{}: {e}", output.display())))?;
            println!(
                "Wrote the logframe of {} to {} ({} bytes: {} results, {} indicators, {} milestones, {} budget lines) in {:.0} ms.",
                p.code,
                output.display(),
                bytes.len(),
                doc.results.len(),
                doc.indicators.len(),
                doc.targets.len(),
                doc.budget.len(),
                started.elapsed().as_secs_f64() * 1000.0
            );
            Ok(())
        }
        LogframeCommand::Import {
            file,
            programme,
            dry_run,
        } => {
            let name = file.display().to_string();
            let size = std::fs::metadata(&file)
                .map_err(|e| AppError::invalid("file", format!("{name}: {e}")))?
                .len();
            if size > sheet::MAX_FILE_BYTES as u64 {
                return Err(AppError::invalid(
                    "file",
                    format!(
                        "{name} is {} MB; a logframe workbook may be at most {} MB",
                        size >> 20,
                        sheet::MAX_FILE_BYTES >> 20
                    ),
                ));
            }
            let bytes = std::fs::read(&file)
                .map_err(|e| AppError::invalid("file", format!("{name}: {e}")))?;
            let problems = |problems: &[logframe::Problem]| {
                for p in problems {
                    eprintln!("{}: {}", p.place, p.message);
                }
                AppError::invalid(
                    "file",
                    format!(
                        "{} problem{} in {name}; nothing was imported",
                        problems.len(),
                        if problems.len() == 1 { "" } else { "s" }
                    ),
                )
            };
            let doc = sheet::read(&bytes).map_err(|p| problems(&p))?;
            let dest = match &programme {
                Some(code) => logframe::Destination::Existing(
                    mipaka::models::programme::by_code(&mut conn, code)?.id,
                ),
                None => logframe::Destination::ByCode { is_demo: false },
            };
            let who = mipaka::models::audit::Actor {
                user_id: None,
                name: "command line".into(),
            };
            let report = logframe::apply(
                &mut conn,
                &who,
                dest,
                &doc,
                logframe::Apply {
                    mode: if dry_run {
                        mipaka::entry::Mode::DryRun
                    } else {
                        mipaka::entry::Mode::Write
                    },
                    expect_plan: None,
                    today: mipaka::clock::today(),
                    now: mipaka::clock::now(),
                },
            )?;
            if !report.is_clean() {
                return Err(problems(&report.problems));
            }
            for l in report.changes() {
                println!("  {:<9} {:<16} {}", l.effect.word(), l.place, l.what);
                for c in &l.changes {
                    println!("  {:<9} {:<16}   {c}", "", "");
                }
            }
            let code = &report.programme;
            if report.changes().next().is_none() {
                println!("{code}: {name} holds what the tracker already has; nothing to change.");
            } else {
                println!(
                    "{code}{}: {}.",
                    if report.created_programme {
                        " (a new programme)"
                    } else {
                        ""
                    },
                    report.summary()
                );
                if dry_run {
                    println!(
                        "Dry run: nothing was written. Run it again without --dry-run to import."
                    );
                } else {
                    println!(
                        "Imported {name} in {:.1}s.",
                        started.elapsed().as_secs_f64()
                    );
                }
            }
            Ok(())
        }
    }
}

fn read_password(from_stdin: bool) -> AppResult<String> {
    let stdin = std::io::stdin();
    if from_stdin || !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Password again: ")?;
    if first != again {
        return Err(AppError::invalid(
            "password",
            "the two passwords differ; nothing was created",
        ));
    }
    Ok(first)
}

fn create_user(config: Config, args: CreateUser) -> AppResult<()> {
    user::validate_username(&args.username)?;
    let roles = args
        .roles
        .iter()
        .map(|r| {
            r.split_once(':')
                .map(|(p, role)| (p.trim().to_string(), role.trim().to_string()))
                .ok_or_else(|| {
                    AppError::invalid(
                        "role",
                        format!("--role '{r}' should be CODE:ROLE, e.g. LBP:manager"),
                    )
                })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let password = read_password(args.password_stdin)?;
    user::validate_password(&password)?;
    let db = open(&config)?;
    let mut conn = db.get()?;
    migrations::run_pending(&mut conn)?;
    let created = mipaka::db::write(&mut conn, |conn| {
        let u = user::create(
            conn,
            &user::NewAccount {
                username: &args.username,
                display_name: &args.name,
                email: &args.email,
                password: &password,
                is_admin: args.admin,
            },
        )?;
        for (programme, role) in &roles {
            user::grant_role(conn, u.id, programme, role)?;
        }
        audit::record(
            conn,
            audit::Change {
                actor: "command line",
                action: "create_user",
                entity: "user",
                entity_id: Some(u.id),
                after: Some(serde_json::json!({
                    "username": u.username, "name": u.display_name, "admin": u.is_admin,
                    "roles": roles.iter().map(|(p, r)| format!("{p}:{r}")).collect::<Vec<_>>(),
                })),
                ..Default::default()
            },
        )?;
        Ok::<_, AppError>(u)
    })?;
    println!(
        "Created {}{} ({}) in {}.",
        if created.is_admin {
            "administrator "
        } else {
            "user "
        },
        created.username,
        created.display_name,
        config.database.describe()
    );
    Ok(())
}

/// The issue service's refusals speak of the page's form; on the command line they name
/// the flags instead.
fn command_line_words(e: AppError) -> AppError {
    match e {
        AppError::Invalid {
            field: Some(field),
            message,
        } => {
            let message = match field.as_str() {
                "reason" => format!("{message} — give it with --reason \"…\""),
                "accept_unapproved" => message.replace(
                    "Tick \"Issue with figures not yet approved\"",
                    "Add --accept-unapproved",
                ),
                _ => message,
            };
            AppError::invalid(&field, message)
        }
        e => e,
    }
}
