//! The weekly digest: each manager gets, once a week, what is overdue in the programmes
//! they manage (quarters whose values are late, by county; milestones past due). Nothing
//! overdue, no message.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDateTime, Weekday};
use diesel::prelude::*;

use super::compose;
use super::outbox::{self, Recipient};
use super::{Kind, MailConfig};
use crate::db::schema::{programmes, user_roles};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::models::programme::Programme;
use crate::waiting::{self, Can, Urgency};

/// One programme's overdue items: its name, and each item's words and absolute link.
type Overdue = (String, Vec<(String, String)>);

/// Kenya keeps East Africa Time all year (UTC+3): the digest goes on Monday mornings.
const EAT_HOURS: i64 = 3;
/// From this hour on Monday (East Africa Time) the week's digest is due.
const SEND_HOUR: u32 = 7;

/// The ISO week a UTC time falls in, in Kenya, e.g. "2026-W49".
pub fn week_of(now_utc: NaiveDateTime) -> String {
    let local = now_utc + Duration::hours(EAT_HOURS);
    let w = local.date().iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Whether this week's digest is due at `now_utc`: from Monday 07:00 East Africa Time
/// (and all week after, so a server started mid-week still sends it, once).
pub fn is_due(now_utc: NaiveDateTime) -> bool {
    let local = now_utc + Duration::hours(EAT_HOURS);
    !(local.weekday() == Weekday::Mon
        && local.time() < chrono::NaiveTime::from_hms_opt(SEND_HOUR, 0, 0).unwrap_or_default())
}

/// Writes this week's digest for every manager with something overdue, each at most
/// once a week (however often or on however many servers this runs). Returns how many
/// were written.
pub fn enqueue_week(
    conn: &mut DbConn,
    mail: &MailConfig,
    now_utc: NaiveDateTime,
) -> AppResult<usize> {
    if !mail.enabled() {
        return Ok(0);
    }
    let week = week_of(now_utc);
    let today = (now_utc + Duration::hours(EAT_HOURS)).date();
    let managed: Vec<i32> = user_roles::table
        .filter(user_roles::role.eq(Kind::Digest.role()))
        .select(user_roles::programme_id)
        .distinct()
        .load(conn)?;
    let mut per_person: BTreeMap<i32, (Recipient, Vec<Overdue>)> = BTreeMap::new();
    for pid in managed {
        let p: Programme = programmes::table
            .find(pid)
            .select(Programme::as_select())
            .first(conn)?;
        if !p.is_active() {
            continue;
        }
        let (quarters, milestones) = waiting::load(conn, &p, today)?;
        let can = Can {
            edit: true,
            approve: false,
            issue: false,
        };
        let overdue: Vec<(String, String)> =
            waiting::items(&p.code, &quarters, &milestones, can, today)
                .into_iter()
                .filter(|i| i.urgency == Urgency::Overdue)
                .map(|i| (i.text, format!("{}{}", mail.public_url, i.link)))
                .collect();
        if overdue.is_empty() {
            continue;
        }
        for r in outbox::recipients(conn, p.id, Kind::Digest)? {
            per_person
                .entry(r.user_id)
                .or_insert_with(|| (r.clone(), Vec::new()))
                .1
                .push((format!("{} — {}", p.code, p.name), overdue.clone()));
        }
    }
    let mut written = 0;
    for (_, (who, programmes)) in per_person {
        if let Some(d) = compose::digest(&week, &programmes) {
            let key = |r: &Recipient| format!("digest:{week}:{}", r.user_id);
            written += crate::db::write(conn, |conn| {
                outbox::enqueue(
                    conn,
                    &d,
                    None,
                    std::slice::from_ref(&who),
                    &mail.public_url,
                    now_utc,
                    Some(&key),
                )
            })?;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(d: (i32, u32, u32), h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(d.0, d.1, d.2)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn the_week_is_kenyas() {
        // Sunday 22:00 UTC is already Monday 01:00 in Nairobi.
        assert_eq!(week_of(at((2026, 12, 6), 22)), "2026-W50");
        assert_eq!(week_of(at((2026, 12, 6), 20)), "2026-W49");
        // ISO years: 2027-01-01 is a Friday of 2026's week 53.
        assert_eq!(week_of(at((2027, 1, 1), 12)), "2026-W53");
    }

    #[test]
    fn due_from_monday_seven_in_the_morning() {
        // Monday 2026-12-07: 03:59 UTC is 06:59 EAT, 04:00 UTC is 07:00.
        assert!(!is_due(at((2026, 12, 7), 3)));
        assert!(is_due(at((2026, 12, 7), 4)));
        assert!(is_due(at((2026, 12, 9), 12)));
        assert!(is_due(at((2026, 12, 6), 20)));
    }
}
