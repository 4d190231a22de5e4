//! Email: who is told what, written to an outbox in the same transaction as the change
//! it tells of, and sent after commit by a worker that retries until the mail server
//! takes it.
//!
//! - [`compose`]: the words of each message (pure, tested).
//! - [`outbox`]: the outbox and opt-out tables.
//! - [`notify`]: the events — a submission, an approval or return, an issued report —
//!   turned into messages for the right people.
//! - [`digest`]: the weekly digest of overdue reporting for managers.
//! - [`worker`]: sending, with retries, on a thread of its own.
//!
//! With no `MIPAKA_SMTP_URL` nothing is written to the outbox and nothing is sent: a
//! server configured later does not flood people with old news.

pub mod compose;
pub mod digest;
pub mod notify;
pub mod outbox;
pub mod worker;

use lettre::message::Mailbox;

use crate::error::{AppError, AppResult};

pub use worker::Mailer;

/// The kinds of message, each of which a person can turn off on their account page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A manager submitted a period: to the programme's M&E officers.
    Submission,
    /// A period was approved or returned: to the programme's managers.
    Decision,
    /// A report was issued: to the programme's donors.
    Report,
    /// Overdue reporting, weekly: to managers.
    Digest,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Submission, Kind::Decision, Kind::Report, Kind::Digest];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Submission => "submission",
            Kind::Decision => "decision",
            Kind::Report => "report",
            Kind::Digest => "digest",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The role in a programme that receives this kind.
    pub fn role(self) -> &'static str {
        match self {
            Kind::Submission => "me_officer",
            Kind::Decision | Kind::Digest => "manager",
            Kind::Report => "donor",
        }
    }

    /// What a person turns on or off, in their words.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Submission => "A manager submits a period's values for approval",
            Kind::Decision => {
                "My programmes' submitted values are approved or returned for correction"
            }
            Kind::Report => "A progress report is issued",
            Kind::Digest => "Weekly digest of overdue reporting (Mondays)",
        }
    }
}

/// Where and as whom mail is sent, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// `smtp://host:port`, `smtp://user:password@host:587?tls=required` or
    /// `smtps://…`; None: no email.
    pub smtp_url: Option<String>,
    pub from: String,
    /// The address people open the tracker at, for the links in messages.
    pub public_url: String,
    /// Seconds between tries of a message the server did not take.
    pub retry_seconds: u64,
    /// Whether the server writes the weekly digest by itself (MIPAKA_MAIL_DIGEST=off
    /// leaves it to `mipaka mail digest`, e.g. from cron, or to no one).
    pub digest: bool,
}

impl MailConfig {
    pub fn off(public_url: String) -> MailConfig {
        MailConfig {
            smtp_url: None,
            from: "Mipaka <mipaka@localhost>".into(),
            public_url,
            retry_seconds: 60,
            digest: true,
        }
    }

    pub fn enabled(&self) -> bool {
        self.smtp_url.is_some()
    }

    /// Checks each setting, naming the variable of any that is wrong.
    pub fn parse(
        smtp_url: Option<String>,
        from: Option<String>,
        public_url: String,
        retry_seconds: Option<String>,
    ) -> AppResult<MailConfig> {
        let mut c = MailConfig::off(public_url);
        if let Some(u) = smtp_url {
            let parsed = url::Url::parse(&u).map_err(|e| {
                AppError::Config(format!(
                    "MIPAKA_SMTP_URL: '{}' is not an address ({e}); for example smtp://127.0.0.1:25 or smtp://user:password@mail.example.org:587?tls=required",
                    redact(&u)
                ))
            })?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
                return Err(AppError::Config(format!(
                    "MIPAKA_SMTP_URL: '{}' should start smtp:// or smtps:// and name a host, for example smtp://127.0.0.1:25",
                    redact(&u)
                )));
            }
            lettre::SmtpTransport::from_url(&u)
                .map_err(|e| AppError::Config(format!("MIPAKA_SMTP_URL: '{}': {e}", redact(&u))))?;
            c.smtp_url = Some(u);
        }
        if let Some(f) = from {
            f.parse::<Mailbox>().map_err(|e| {
                AppError::Config(format!(
                    "MIPAKA_MAIL_FROM: '{f}' is not an email address ({e}); for example \"Mipaka <mipaka@ministry.go.ke>\""
                ))
            })?;
            c.from = f;
        }
        if let Some(s) = retry_seconds {
            c.retry_seconds = match s.parse::<u64>() {
                Ok(n) if (1..=3600).contains(&n) => n,
                _ => {
                    return Err(AppError::Config(format!(
                        "MIPAKA_MAIL_RETRY_SECONDS: '{s}' is not a number of seconds from 1 to 3600"
                    )))
                }
            };
        }
        c.public_url = c.public_url.trim_end_matches('/').to_string();
        Ok(c)
    }

    /// The SMTP address without its password, for start-up messages and errors.
    pub fn describe(&self) -> String {
        match &self.smtp_url {
            Some(u) => format!("through {} as {}", redact(u), self.from),
            None => "off: MIPAKA_SMTP_URL is not set, so no email is written or sent".into(),
        }
    }
}

/// `smtp://user:secret@host` → `smtp://user:***@host`.
fn redact(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(mut p) if p.password().is_some() => {
            let _ = p.set_password(Some("***"));
            p.to_string()
        }
        Ok(_) => u.to_string(),
        // Not even an address: hide whatever stands between "user:" and "@".
        Err(_) => {
            let start = u.find("://").map_or(0, |i| i + 3);
            match (u[start..].rfind('@'), u[start..].find(':')) {
                (Some(at), Some(colon)) if colon < at => {
                    format!("{}***{}", &u[..start + colon + 1], &u[start + at..])
                }
                _ => u.to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(smtp: &str) -> AppResult<MailConfig> {
        MailConfig::parse(
            Some(smtp.into()),
            None,
            "http://127.0.0.1:8000/".into(),
            None,
        )
    }

    #[test]
    fn smtp_addresses_are_checked_and_passwords_never_shown() {
        let c = parse("smtp://127.0.0.1:2525").unwrap();
        assert!(c.enabled());
        assert_eq!(c.public_url, "http://127.0.0.1:8000");
        let c = parse("smtp://mipaka:s3cret@mail.example.org:587?tls=required").unwrap();
        assert!(!c.describe().contains("s3cret"), "{}", c.describe());
        let e = parse("http://mail.example.org").unwrap_err().to_string();
        assert!(e.starts_with("MIPAKA_SMTP_URL"), "{e}");
        let e = parse("mail.example.org").unwrap_err().to_string();
        assert!(e.starts_with("MIPAKA_SMTP_URL"), "{e}");
        let e = parse("smtp://u:topsecret@").unwrap_err().to_string();
        assert!(!e.contains("topsecret"), "{e}");
    }

    #[test]
    fn the_sender_and_retry_are_checked() {
        let e = MailConfig::parse(None, Some("not an address".into()), "x".into(), None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("MIPAKA_MAIL_FROM"), "{e}");
        let e = MailConfig::parse(None, None, "x".into(), Some("0".into()))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("MIPAKA_MAIL_RETRY_SECONDS"), "{e}");
        assert!(!MailConfig::parse(None, None, "x".into(), None)
            .unwrap()
            .enabled());
    }

    #[test]
    fn kinds_read_back() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("spam"), None);
    }
}
