//! The period workflow with its messages: each step and the email it causes are written
//! in one transaction, so a message is never written for a step that did not happen,
//! nor a step taken without its message. The caller nudges the mailer after commit.

use chrono::NaiveDateTime;

use super::{approve, return_for_correction, submit, Moved};
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::AppResult;
use crate::mail::notify::{self, Decision};
use crate::mail::MailConfig;
use crate::models::audit::Actor;
use crate::models::programme::Programme;

/// Submits, and tells the programme's M&E officers.
pub fn submit_and_tell(
    conn: &mut DbConn,
    mail: &MailConfig,
    actor: &Actor,
    p: &Programme,
    q: &Period,
    now: NaiveDateTime,
) -> AppResult<Moved> {
    crate::db::write(conn, |c| {
        let m = submit(c, actor, p, q)?;
        notify::submitted(c, mail, p, q, actor, &m, now)?;
        Ok(m)
    })
}

/// Approves and locks, and tells the programme's managers.
pub fn approve_and_tell(
    conn: &mut DbConn,
    mail: &MailConfig,
    actor: &Actor,
    p: &Programme,
    q: &Period,
    now: NaiveDateTime,
) -> AppResult<Moved> {
    crate::db::write(conn, |c| {
        let m = approve(c, actor, p, q, now)?;
        notify::decided(c, mail, p, q, actor, &m, Decision::Approved, now)?;
        Ok(m)
    })
}

/// Returns with a reason, and tells the programme's managers why.
pub fn return_and_tell(
    conn: &mut DbConn,
    mail: &MailConfig,
    actor: &Actor,
    p: &Programme,
    q: &Period,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<Moved> {
    crate::db::write(conn, |c| {
        let m = return_for_correction(c, actor, p, q, reason, now)?;
        let reason = reason.trim();
        notify::decided(c, mail, p, q, actor, &m, Decision::Returned { reason }, now)?;
        Ok(m)
    })
}
