//! Email through a real SMTP server: aiosmtpd (Python), started on loopback by each test
//! and writing what it receives to a maildir the test reads. Skipped (listed as ignored,
//! with the reason) where aiosmtpd is not installed; CI installs it and runs them.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use crate::support::{demo_password, input_value, sign_in, urlencode, TestDb};
use mipaka::db::schema::mail_outbox;
use mipaka::domain::period::Period;
use mipaka::entry::{CellKey, EntryContext};
use mipaka::mail::MailConfig;
use mipaka::models::{framework, programme, user};

/// An email test on both backends, skipped without aiosmtpd.
macro_rules! with_smtp {
    (fn $name:ident($t:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($t: crate::support::TestDb) $body

            #[test]
            #[cfg_attr(not(mipaka_smtp_tests), ignore = "email tests skipped: install aiosmtpd (pip install aiosmtpd==1.4.6) to run them")]
            fn sqlite() {
                run(crate::support::TestDb::sqlite())
            }

            #[test]
            #[cfg_attr(not(all(mipaka_smtp_tests, mipaka_pg_tests)), ignore = "skipped: needs aiosmtpd (pip install aiosmtpd==1.4.6) and TEST_DATABASE_URL (PostgreSQL)")]
            fn postgres() {
                run(crate::support::TestDb::postgres())
            }
        }
    };
}

/// A port nothing listens on (yet).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// aiosmtpd on 127.0.0.1:`port`, keeping each message it receives as a file.
pub(crate) struct Smtp {
    child: Child,
    dir: tempfile::TempDir,
}

impl Smtp {
    pub(crate) fn start(port: u16) -> Smtp {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("aiosmtpd")
            .args([
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd must be installed (pip install aiosmtpd==1.4.6) for the email tests");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "aiosmtpd did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Smtp { child, dir }
    }

    /// Every message received so far, raw.
    pub(crate) fn received(&self) -> Vec<Mail> {
        let new: PathBuf = self.dir.path().join("mail").join("new");
        let mut out: Vec<Mail> = std::fs::read_dir(new)
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .map(Mail)
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by_key(|m| m.header("Message-ID"));
        out
    }

    /// Waits until `n` messages have come (failing after 30 s), then a moment more to see
    /// that no more come: a message sent twice shows here.
    fn expect(&self, n: usize) -> Vec<Mail> {
        let started = Instant::now();
        while self.received().len() < n {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "waited 30 s for {n} messages, got {}",
                self.received().len()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(1500));
        let got = self.received();
        assert_eq!(
            got.len(),
            n,
            "{:#?}",
            got.iter()
                .map(|m| (m.to(), m.header("Subject")))
                .collect::<Vec<_>>()
        );
        got
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct Mail(String);

impl Mail {
    pub(crate) fn header(&self, name: &str) -> String {
        let head = self.0.split("\n\n").next().unwrap_or_default();
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// The envelope recipient, as the server took it.
    pub(crate) fn to(&self) -> String {
        self.header("X-RcptTo")
    }

    /// The body, quoted-printable decoded (lettre's choice for mostly-ASCII text).
    pub(crate) fn text(&self) -> String {
        let body = self.0.split_once("\n\n").map(|x| x.1).unwrap_or_default();
        if !self
            .header("Content-Transfer-Encoding")
            .eq_ignore_ascii_case("quoted-printable")
        {
            return body.to_string();
        }
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let mut bytes = Vec::new();
        let raw = joined.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'=' && i + 2 < raw.len() {
                if let Ok(b) = u8::from_str_radix(
                    std::str::from_utf8(&raw[i + 1..(i + 3).min(raw.len())]).unwrap_or(""),
                    16,
                ) {
                    bytes.push(b);
                    i += 3;
                    continue;
                }
            }
            bytes.push(raw[i]);
            i += 1;
        }
        String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
    }
}

const PERIOD: &str = "2026Q4";

/// Email on, through `port`, retrying each second.
pub(crate) fn mail_on(t: &mut TestDb, port: u16) {
    t.config.mail = MailConfig::parse(
        Some(format!("smtp://127.0.0.1:{port}")),
        Some("Mipaka <mipaka@example.org>".into()),
        "http://mipaka.test".into(),
        Some("1".into()),
    )
    .unwrap();
    // The weekly digest is tested on its own, at a date of its own.
    t.config.mail.digest = false;
}

/// A second M&E officer of LBP, and a manager of another programme only: the one must
/// be told of LBP's submissions, the other never.
fn more_people(db: &mipaka::db::Db) {
    let c = &mut *db.get().unwrap();
    for (name, role, programme) in [
        ("officer2", "me_officer", "LBP"),
        ("dwmanager", "manager", "DW"),
    ] {
        let u = user::create(
            c,
            &user::NewAccount {
                username: name,
                display_name: name,
                email: &format!("{name}@example.org"),
                password: "a-long-enough-password",
                is_admin: false,
            },
        )
        .unwrap();
        user::grant_role(c, u.id, programme, role).unwrap();
    }
}

/// A count indicator's total cell in LBP's first county, and a value for it.
fn a_cell(db: &mipaka::db::Db) -> (String, String) {
    let c = &mut *db.get().unwrap();
    let p = programme::by_code(c, "LBP").unwrap();
    let ind = framework::indicators_of(c, p.id)
        .unwrap()
        .into_iter()
        .find(|i| i.unit == "count" && i.disaggregations.is_empty())
        .unwrap();
    let ctx = EntryContext::load(c, p, Period::parse(PERIOD).unwrap()).unwrap();
    let key = CellKey {
        indicator_id: ind.id,
        location_id: ctx.counties()[0].id,
        disaggregation: String::new(),
    };
    let prev = ctx.previous.get(&key).copied().unwrap_or(10.0);
    (key.code(), format!("{}", prev.round() + 1.0))
}

fn submit(m: &Client, csrf: &str, cell: &(String, String)) {
    // The version the cell was loaded at, as the grid sends it.
    let grid = m
        .get(format!("/programmes/LBP/entry?period={PERIOD}&county=all"))
        .dispatch()
        .into_string()
        .unwrap();
    let mut body = format!(
        "csrf={csrf}&{}={}&action=submit",
        urlencode(&format!("v:{}", cell.0)),
        cell.1
    );
    if let Some(v) = input_value(&grid, &format!("b:{}", cell.0)) {
        body.push_str(&format!("&{}={v}", urlencode(&format!("b:{}", cell.0))));
    }
    let r = m
        .post(format!("/programmes/LBP/entry?period={PERIOD}&county=all"))
        .header(ContentType::Form)
        .body(body)
        .dispatch();
    assert_eq!(r.status(), Status::SeeOther);
    let page = m
        .get(r.headers().get_one("Location").unwrap().to_string())
        .dispatch()
        .into_string()
        .unwrap();
    assert!(
        page.contains("Submitted"),
        "{}",
        &page[..page.len().min(2000)]
    );
}

fn act(o: &Client, csrf: &str, action: &str, extra: &str) {
    let r = o
        .post(format!("/programmes/LBP/periods/{PERIOD}/{action}"))
        .header(ContentType::Form)
        .body(format!("csrf={csrf}{extra}"))
        .dispatch();
    assert_eq!(r.status(), Status::SeeOther);
    let page = o
        .get(r.headers().get_one("Location").unwrap().to_string())
        .dispatch()
        .into_string()
        .unwrap();
    assert!(
        !page.contains("Nothing changed"),
        "{action}: {}",
        &page[..page.len().min(3000)]
    );
}

fn unsent(db: &mipaka::db::Db) -> Vec<(String, i32, String)> {
    let c = &mut *db.get().unwrap();
    mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .select((
            mail_outbox::to_address,
            mail_outbox::attempts,
            mail_outbox::last_error,
        ))
        .load(c)
        .unwrap()
}

with_smtp! {
    fn each_kind_goes_once_to_the_people_it_concerns(t) {
        let mut t = t;
        let port = free_port();
        let smtp = Smtp::start(port);
        mail_on(&mut t, port);
        let db = t.with_demo();
        more_people(&db);
        let cell = a_cell(&db);
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        let o = t.client(db.clone());
        let oc = sign_in(&o, "officer", demo_password("officer"));

        // A submission tells LBP's two M&E officers, and nobody else.
        submit(&m, &mc, &cell);
        let got = smtp.expect(2);
        let to: Vec<String> = got.iter().map(Mail::to).collect();
        assert!(to.contains(&"officer@example.org".into()) && to.contains(&"officer2@example.org".into()), "{to:?}");
        for mail in &got {
            assert_eq!(mail.header("Subject"), format!("LBP {PERIOD}: submitted for your approval"));
            assert_eq!(mail.header("From"), "Mipaka <mipaka@example.org>");
            assert!(mail.text().contains(&format!("http://mipaka.test/programmes/LBP/entry?period={PERIOD}&county=all")), "{}", mail.text());
        }

        // A return tells the manager, with the reason.
        act(&o, &oc, "return", "&reason=Turkana+figure+counts+October+twice");
        let got = smtp.expect(3);
        let back = got.iter().find(|m| m.header("Subject").contains("returned")).unwrap();
        assert_eq!(back.to(), "manager@example.org");
        assert!(back.text().contains("“Turkana figure counts October twice”"), "{}", back.text());
        assert!(back.text().starts_with("Dear Amina Hassan"), "{}", back.text());

        // Fixed and submitted again; the approval tells the manager.
        submit(&m, &mc, &(cell.0.clone(), format!("{}", cell.1.parse::<f64>().unwrap() + 1.0)));
        smtp.expect(5);
        act(&o, &oc, "approve", "");
        let got = smtp.expect(6);
        let ok = got.iter().find(|m| m.header("Subject") == format!("LBP {PERIOD}: approved and locked")).unwrap();
        assert_eq!(ok.to(), "manager@example.org");

        // An issued donor report tells the donor.
        let r = m
            .post("/programmes/LBP/reports/issue")
            .header(ContentType::Form)
            .body(format!("csrf={mc}&period={PERIOD}&accept_unapproved=true"))
            .dispatch();
        assert_eq!(r.status(), Status::SeeOther, "{:?}", r.into_string());
        let got = smtp.expect(7);
        let issued = got.iter().find(|m| m.header("Subject").contains("issued")).unwrap();
        assert_eq!(issued.to(), "donor@example.org");
        assert!(issued.text().contains("http://mipaka.test/programmes/LBP/reports/"), "{}", issued.text());
        // The manager of another programme heard nothing; every message went once.
        assert!(got.iter().all(|m| m.to() != "dwmanager@example.org"));
        assert!(unsent(&db).is_empty());
    }
}

with_smtp! {
    fn a_mail_server_that_is_down_never_blocks_a_save_and_gets_the_mail_later(t) {
        let mut t = t;
        let port = free_port();
        mail_on(&mut t, port);
        let db = t.with_demo();
        let cell = a_cell(&db);
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        // Nothing listens on the port: the submission is saved all the same.
        submit(&m, &mc, &cell);
        let started = Instant::now();
        loop {
            let waiting = unsent(&db);
            assert_eq!(waiting.len(), 1, "the officer's message waits in the outbox: {waiting:?}");
            if waiting[0].1 >= 1 {
                assert!(!waiting[0].2.is_empty(), "the error is kept: {waiting:?}");
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "the worker never tried");
            std::thread::sleep(Duration::from_millis(100));
        }
        // The administrator sees it waiting, with the mail server's error.
        let a = t.client(db.clone());
        sign_in(&a, "admin", demo_password("admin"));
        let page = a.get("/admin/users").dispatch().into_string().unwrap();
        assert!(page.contains("<strong>1 message waiting</strong>") && page.contains("the mail server last said:"), "{page}");
        drop(a);
        // The server comes back: the message goes, once.
        let smtp = Smtp::start(port);
        let got = smtp.expect(1);
        assert_eq!(got[0].to(), "officer@example.org");
        assert!(unsent(&db).is_empty());
    }
}

with_smtp! {
    fn people_who_turned_a_kind_off_get_none_of_it(t) {
        let mut t = t;
        let port = free_port();
        let smtp = Smtp::start(port);
        mail_on(&mut t, port);
        let db = t.with_demo();
        more_people(&db);
        let cell = a_cell(&db);
        // officer2 unticks "submitted for approval" on the account page.
        let o2 = t.client(db.clone());
        let c2 = sign_in(&o2, "officer2", "a-long-enough-password");
        let page = o2.get("/account").dispatch().into_string().unwrap();
        assert!(page.contains(r#"name="on" value="submission" checked"#), "ticked by default");
        let r = o2.post("/account/mail").header(ContentType::Form).body(format!("csrf={c2}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let page = o2.get("/account").dispatch().into_string().unwrap();
        assert!(page.contains(r#"name="on" value="submission">"#), "now unticked");
        // A kind that does not exist is refused.
        let r = o2.post("/account/mail").header(ContentType::Form).body(format!("csrf={c2}&on=spam")).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);

        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        submit(&m, &mc, &cell);
        let got = smtp.expect(1);
        assert_eq!(got[0].to(), "officer@example.org");
        let c = &mut *db.get().unwrap();
        let to_officer2: i64 = mail_outbox::table
            .filter(mail_outbox::to_address.eq("officer2@example.org"))
            .count()
            .get_result(c)
            .unwrap();
        assert_eq!(to_officer2, 0, "nothing is even written for them");
        let audited: i64 = mipaka::db::schema::audit_log::table
            .filter(mipaka::db::schema::audit_log::action.eq("mail_choices_changed"))
            .count()
            .get_result(c)
            .unwrap();
        assert_eq!(audited, 1);
    }
}

with_smtp! {
    fn the_weekly_digest_lists_overdue_reporting_once_a_week(t) {
        let mut t = t;
        let port = free_port();
        let smtp = Smtp::start(port);
        mail_on(&mut t, port);
        let db = t.with_demo();
        more_people(&db);
        let c = &mut *db.get().unwrap();
        // Monday 1 March 2027, 08:00 in Nairobi: 2026Q4 was due on 30 January.
        let monday = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap().and_hms_opt(5, 0, 0).unwrap();
        let written = mipaka::mail::digest::enqueue_week(c, &t.config.mail, monday).unwrap();
        assert!(written >= 1);
        // Run again that week (another server, a restart): nothing more.
        assert_eq!(mipaka::mail::digest::enqueue_week(c, &t.config.mail, monday + chrono::Duration::hours(30)).unwrap(), 0);
        let sent = mipaka::mail::worker::deliver_due(c, &t.config.mail, monday).unwrap();
        assert_eq!(sent.sent, written);
        let got = smtp.expect(written);
        let to: Vec<String> = got.iter().map(Mail::to).collect();
        assert!(to.contains(&"manager@example.org".into()), "{to:?}");
        assert!(!to.contains(&"officer@example.org".into()) && !to.contains(&"donor@example.org".into()), "{to:?}");
        let digest = got.iter().find(|m| m.to() == "manager@example.org").unwrap();
        assert!(digest.header("Subject").ends_with("(week 2027-W09)"), "{}", digest.header("Subject"));
        let text = digest.text();
        assert!(text.contains("LBP — ") && text.contains("2026Q4"), "{text}");
        assert!(text.contains("http://mipaka.test/programmes/LBP/entry?period=2026Q4"), "{text}");
        // The next week, a new one.
        assert!(mipaka::mail::digest::enqueue_week(c, &t.config.mail, monday + chrono::Duration::days(7)).unwrap() >= 1);
    }
}

crate::on_both_backends! {
    fn with_email_off_nothing_is_written_and_the_account_page_says_so(t) {
        let db = t.with_demo();
        let cell = a_cell(&db);
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        submit(&m, &mc, &cell);
        let c = &mut *db.get().unwrap();
        let rows: i64 = mail_outbox::table.count().get_result(c).unwrap();
        assert_eq!(rows, 0);
        let page = m.get("/account").dispatch().into_string().unwrap();
        assert!(page.contains("This server sends no email yet"));
        // A wrong address is refused where it was typed, and nothing changes.
        let r = m.post("/account/email").header(ContentType::Form).body(format!("csrf={mc}&email=amina%40")).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let page = r.into_string().unwrap();
        assert!(page.contains("is not an email address") && page.contains(r#"aria-invalid="true""#));
        assert_eq!(user::by_username(c, "manager").unwrap().unwrap().email, "manager@example.org");
        let r = m.post("/account/email").header(ContentType::Form).body(format!("csrf={mc}&email=amina.hassan%40interior.go.ke")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        assert_eq!(user::by_username(c, "manager").unwrap().unwrap().email, "amina.hassan@interior.go.ke");
    }
}
