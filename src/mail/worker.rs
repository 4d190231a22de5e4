//! Sending: a thread of its own takes due messages from the outbox, sends each through
//! the SMTP server and marks it sent, or leaves it for a later try with the error. A
//! save never waits for the mail server: it only writes the outbox and nudges.

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use chrono::NaiveDateTime;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{Message as Email, SmtpTransport, Transport};

use super::outbox::{self, Message};
use super::{digest, MailConfig};
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};

/// How long one SMTP conversation may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages taken per round.
const BATCH: i64 = 50;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// Sends the messages due at `now`, each claimed first so that no other worker sends it
/// too. A message the server refuses or cannot take is tried again later (with the
/// error kept); one the server took is never sent again.
pub fn deliver_due(conn: &mut DbConn, mail: &MailConfig, now: NaiveDateTime) -> AppResult<Round> {
    let Some(url) = &mail.smtp_url else {
        return Ok(Round::default());
    };
    let transport = SmtpTransport::from_url(url)
        .map_err(|e| AppError::Config(format!("MIPAKA_SMTP_URL: {e}")))?
        .timeout(Some(SMTP_TIMEOUT))
        .build();
    let from: Mailbox = mail
        .from
        .parse()
        .map_err(|e| AppError::Config(format!("MIPAKA_MAIL_FROM: {e}")))?;
    let mut round = Round::default();
    loop {
        let due = outbox::claim_due(conn, now, BATCH)?;
        if due.is_empty() {
            return Ok(round);
        }
        for m in &due {
            match send(&transport, &from, m) {
                Ok(()) => {
                    outbox::mark_sent(conn, m.id, crate::clock::now().max(now))?;
                    round.sent += 1;
                }
                Err(e) => {
                    outbox::mark_failed(conn, m, now, &e, mail.retry_seconds)?;
                    round.failed += 1;
                }
            }
        }
        if round.failed > 0 {
            // The server is down or refusing: the rest wait for the next round.
            return Ok(round);
        }
    }
}

fn send(transport: &SmtpTransport, from: &Mailbox, m: &Message) -> Result<(), String> {
    let to: Mailbox = m
        .to_address
        .parse()
        .map_err(|e| format!("the address '{}' is not valid: {e}", m.to_address))?;
    let email = Email::builder()
        .from(from.clone())
        .to(to)
        .subject(&m.subject)
        // The same id on every try, so a receiving server can drop a repeat.
        .message_id(Some(format!(
            "<outbox-{}.{}@mipaka>",
            m.id,
            m.created_at.and_utc().timestamp()
        )))
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| format!("the message could not be built: {e}"))?;
    transport
        .send(&email)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Set by a nudge; the worker sleeps until it rings or the retry interval passes.
#[derive(Default)]
struct Bell {
    rung: Mutex<bool>,
    cv: Condvar,
}

impl Bell {
    fn ring(&self) {
        if let Ok(mut r) = self.rung.lock() {
            *r = true;
            self.cv.notify_one();
        }
    }

    /// Waits for a ring or `timeout`; false when the lock is poisoned.
    fn wait(&self, timeout: Duration) -> bool {
        let Ok(rung) = self.rung.lock() else {
            return false;
        };
        match self.cv.wait_timeout_while(rung, timeout, |r| !*r) {
            Ok((mut rung, _)) => {
                *rung = false;
                true
            }
            Err(_) => false,
        }
    }
}

struct Inner {
    db: Db,
    config: MailConfig,
    bell: Arc<Bell>,
}

impl Drop for Inner {
    /// Wakes the worker so that it sees the handle gone and ends.
    fn drop(&mut self) {
        self.bell.ring();
    }
}

/// The mail worker's handle, kept in Rocket state: routes nudge it after a commit that
/// wrote messages. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

impl Mailer {
    pub fn new(db: Db, config: MailConfig) -> Mailer {
        Mailer {
            inner: Arc::new(Inner {
                db,
                config,
                bell: Arc::default(),
            }),
        }
    }

    pub fn config(&self) -> &MailConfig {
        &self.inner.config
    }

    /// Asks the worker to send now (after a commit that wrote messages).
    pub fn nudge(&self) {
        self.inner.bell.ring();
    }

    /// Starts the worker thread, when email is on.
    pub fn start(&self) {
        if !self.inner.config.enabled() {
            return;
        }
        let (weak, bell) = (Arc::downgrade(&self.inner), self.inner.bell.clone());
        let spawned = std::thread::Builder::new()
            .name("mipaka-mail".into())
            .spawn(move || run(weak, bell));
        if let Err(e) = spawned {
            eprintln!(
                "mail: the sending thread could not start ({e}); messages stay in the outbox"
            );
        }
    }
}

fn run(weak: Weak<Inner>, bell: Arc<Bell>) {
    let mut digest_week = String::new();
    loop {
        let wait = {
            // Held only for the round: the handle's last owner drops it while we sleep.
            let Some(inner) = weak.upgrade() else { return };
            let now = crate::clock::now();
            let round = inner.db.get().and_then(|mut conn| {
                let week = digest::week_of(now);
                if inner.config.digest && week != digest_week && digest::is_due(now) {
                    digest::enqueue_week(&mut conn, &inner.config, now)?;
                    digest_week = week;
                }
                deliver_due(&mut conn, &inner.config, now)
            });
            if let Err(e) = round {
                eprintln!("mail: {e}");
            }
            Duration::from_secs(inner.config.retry_seconds)
        };
        if !bell.wait(wait) {
            return;
        }
    }
}
