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

/// Runs `step`, then `tell` with what it moved, in one transaction.
fn with_message(
    conn: &mut DbConn,
    mut step: impl FnMut(&mut DbConn) -> AppResult<Moved>,
    mut tell: impl FnMut(&mut DbConn, &Moved) -> AppResult<usize>,
) -> AppResult<Moved> {
    crate::db::write(conn, |c| {
        let m = step(c)?;
        tell(c, &m)?;
        Ok(m)
    })
}

/// Submits, and tells the programme's M&E officers.
pub fn submit_and_tell(
    conn: &mut DbConn,
    mail: &MailConfig,
    actor: &Actor,
    p: &Programme,
    q: &Period,
    now: NaiveDateTime,
) -> AppResult<Moved> {
    with_message(
        conn,
        |c| submit(c, actor, p, q),
        |c, m| notify::submitted(c, mail, p, q, actor, m, now),
    )
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
    with_message(
        conn,
        |c| approve(c, actor, p, q, now),
        |c, m| notify::decided(c, mail, p, q, actor, m, Decision::Approved, now),
    )
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
    let decision = || Decision::Returned {
        reason: reason.trim(),
    };
    with_message(
        conn,
        |c| return_for_correction(c, actor, p, q, reason, now),
        |c, m| notify::decided(c, mail, p, q, actor, m, decision(), now),
    )
}
