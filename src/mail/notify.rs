//! The events people are told of, turned into outbox messages. Each is called inside
//! the transaction of the change it tells of, so the message and the change are
//! written together or not at all. With email off they write nothing.

use chrono::NaiveDateTime;

use super::compose::{draft, Event};
use super::outbox;
use super::MailConfig;
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::entry::Moved;
use crate::error::AppResult;
use crate::models::audit::Actor;
use crate::models::programme::Programme;

/// What the M&E officer decided about a submitted period.
pub enum Decision<'a> {
    Approved,
    Returned { reason: &'a str },
}

fn grid(mail: &MailConfig, p: &Programme, period: &Period) -> String {
    format!(
        "{}/programmes/{}/entry?period={}&county=all",
        mail.public_url,
        p.code,
        period.id()
    )
}

/// The person's name as colleagues know it (the audit keeps the login name).
fn name_of(conn: &mut DbConn, by: &Actor) -> AppResult<String> {
    Ok(match by.user_id {
        Some(id) => crate::models::user::find(conn, id)?.display_name,
        None => by.name.clone(),
    })
}

fn tell(
    conn: &mut DbConn,
    mail: &MailConfig,
    p: &Programme,
    event: Event,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let d = draft(&event);
    let to = outbox::recipients(conn, p.id, d.kind)?;
    outbox::enqueue(conn, &d, Some(p.id), &to, &mail.public_url, now, None)
}

/// A manager submitted a period: its M&E officers are told.
pub fn submitted(
    conn: &mut DbConn,
    mail: &MailConfig,
    p: &Programme,
    period: &Period,
    by: &Actor,
    moved: &Moved,
    now: NaiveDateTime,
) -> AppResult<usize> {
    if !mail.enabled() {
        return Ok(0);
    }
    let (pid, link) = (period.id(), grid(mail, p, period));
    let by = name_of(conn, by)?;
    let event = Event::Submitted {
        code: &p.code,
        programme: &p.name,
        period: &pid,
        by: &by,
        values: moved.values,
        progress: moved.progress,
        link,
    };
    tell(conn, mail, p, event, now)
}

/// An M&E officer approved or returned a period: its managers are told.
#[allow(clippy::too_many_arguments)]
pub fn decided(
    conn: &mut DbConn,
    mail: &MailConfig,
    p: &Programme,
    period: &Period,
    by: &Actor,
    moved: &Moved,
    decision: Decision,
    now: NaiveDateTime,
) -> AppResult<usize> {
    if !mail.enabled() {
        return Ok(0);
    }
    let (pid, by) = (period.id(), name_of(conn, by)?);
    let (code, programme, by, values, progress) =
        (&p.code, &p.name, &by, moved.values, moved.progress);
    let event = match decision {
        Decision::Approved => Event::Approved {
            code,
            programme,
            period: &pid,
            by,
            values,
            progress,
            link: format!("{}/programmes/{code}", mail.public_url),
        },
        Decision::Returned { reason } => Event::Returned {
            code,
            programme,
            period: &pid,
            by,
            reason,
            values,
            progress,
            link: grid(mail, p, period),
        },
    };
    tell(conn, mail, p, event, now)
}

/// A donor report was issued: the programme's donors are told.
#[allow(clippy::too_many_arguments)]
pub fn report_issued(
    conn: &mut DbConn,
    mail: &MailConfig,
    p: &Programme,
    report_id: i32,
    title: &str,
    version: i32,
    by: &str,
    now: NaiveDateTime,
) -> AppResult<usize> {
    if !mail.enabled() {
        return Ok(0);
    }
    let event = Event::ReportIssued {
        code: &p.code,
        programme: &p.name,
        title,
        version,
        by,
        link: format!(
            "{}/programmes/{}/reports/{report_id}",
            mail.public_url, p.code
        ),
    };
    tell(conn, mail, p, event, now)
}
