//! Checking what a manager typed for a programme milestone or an activity. Pure: the
//! form, the API and imports share it; every problem names its field.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// Field name → what is wrong with it.
pub type FieldErrors = BTreeMap<&'static str, String>;

pub const MILESTONE_STATUSES: [&str; 5] = [
    "planned",
    "in_progress",
    "completed",
    "delayed",
    "cancelled",
];
pub const ACTIVITY_STATUSES: [&str; 5] = [
    "not_started",
    "in_progress",
    "delayed",
    "completed",
    "cancelled",
];

fn date(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    required: bool,
) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        if required {
            errors.insert(field, "give a date".into());
        }
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.insert(
                field,
                format!("'{s}' is not a date; write it as YYYY-MM-DD, e.g. 2026-09-30"),
            );
            None
        }
    }
}

fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    max: usize,
    required: bool,
) -> String {
    let s = raw.trim();
    if required && s.is_empty() {
        errors.insert(field, "this cannot be empty".into());
    } else if s.chars().count() > max {
        errors.insert(
            field,
            format!("keep it to {max} characters (it has {})", s.chars().count()),
        );
    }
    s.to_string()
}

fn status(errors: &mut FieldErrors, raw: &str, allowed: &[&str]) -> String {
    let s = raw.trim();
    if !allowed.contains(&s) {
        errors.insert("status", format!("choose one of: {}", allowed.join(", ")));
    }
    s.to_string()
}

/// Money as typed in major units ("£12,500.50", "12500") → minor units (1250050).
pub fn parse_money(raw: &str) -> Result<i64, String> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '£' | '$'))
        .collect();
    let s = s
        .trim_start_matches("KSh")
        .trim_start_matches("KES")
        .trim_start_matches("GBP");
    if s.is_empty() {
        return Ok(0);
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(format!(
            "'{}' is not an amount of money (write it like 12,500.50)",
            raw.trim()
        ));
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| format!("'{}' is too large", raw.trim()))?;
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .filter(|minor| *minor <= MAX_MONEY_MINOR)
        .ok_or_else(|| {
            format!(
                "'{}' is more than 1,000,000,000,000; check for extra digits",
                raw.trim()
            )
        })
}

/// The largest amount of money Mipaka takes, in minor units: 1,000,000,000,000 in major
/// units, as for values (`unit::MAX_VALUE`). Totals of many such amounts still fit in
/// an i64.
pub const MAX_MONEY_MINOR: i64 = 100_000_000_000_000;

pub fn format_money_plain(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MilestoneFields {
    pub title: String,
    pub output: String,
    pub county: String,
    pub due: String,
    pub status: String,
    pub completed: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneInput {
    pub title: String,
    pub due: NaiveDate,
    pub status: String,
    pub completed: Option<NaiveDate>,
    pub evidence: String,
}

pub fn check_milestone(
    f: &MilestoneFields,
    today: NaiveDate,
) -> Result<MilestoneInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let title = text(&mut e, "title", &f.title, 200, true);
    let due = date(&mut e, "due", &f.due, true);
    let status = status(&mut e, &f.status, &MILESTONE_STATUSES);
    let completed = date(&mut e, "completed", &f.completed, status == "completed");
    if let Some(c) = completed {
        if c > today {
            e.insert(
                "completed",
                "a completion date cannot be in the future".into(),
            );
        }
        if status != "completed" && !e.contains_key("status") {
            e.insert("completed", "only a completed milestone has a completion date; clear it or set the status to completed".into());
        }
    }
    let evidence = text(&mut e, "evidence", &f.evidence, 2000, status == "completed");
    if status == "completed" && f.evidence.trim().is_empty() {
        e.insert(
            "evidence",
            "say what shows it was done (report, minutes, photos…)".into(),
        );
    }
    match (e.is_empty(), due) {
        (true, Some(due)) => Ok(MilestoneInput {
            title,
            due,
            status,
            completed,
            evidence,
        }),
        _ => Err(e),
    }
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ActivityFields {
    pub code: String,
    pub title: String,
    pub output: String,
    pub lead: String,
    pub county: String,
    pub planned_start: String,
    pub planned_end: String,
    pub actual_start: String,
    pub actual_end: String,
    pub status: String,
    pub percent_complete: String,
    pub budget: String,
    pub spend: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityInput {
    pub code: String,
    pub title: String,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub status: String,
    pub percent_complete: i32,
    pub budget_minor: i64,
    pub spend_minor: i64,
}

pub fn check_activity(f: &ActivityFields, today: NaiveDate) -> Result<ActivityInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let code = text(&mut e, "code", &f.code, 30, true);
    let title = text(&mut e, "title", &f.title, 200, true);
    let ps = date(&mut e, "planned_start", &f.planned_start, true);
    let pe = date(&mut e, "planned_end", &f.planned_end, true);
    let as_ = date(&mut e, "actual_start", &f.actual_start, false);
    let ae = date(&mut e, "actual_end", &f.actual_end, false);
    let status = status(&mut e, &f.status, &ACTIVITY_STATUSES);
    if let (Some(a), Some(b)) = (ps, pe) {
        if b < a {
            e.insert(
                "planned_end",
                "the planned end is before the planned start".into(),
            );
        }
    }
    if let (Some(a), Some(b)) = (as_, ae) {
        if b < a {
            e.insert(
                "actual_end",
                "the actual end is before the actual start".into(),
            );
        }
    }
    for (field, d) in [("actual_start", as_), ("actual_end", ae)] {
        if d.is_some_and(|d| d > today) {
            e.insert(field, "an actual date cannot be in the future".into());
        }
    }
    if ae.is_some() && as_.is_none() {
        e.insert(
            "actual_start",
            "an activity that ended must have started: give the actual start".into(),
        );
    }
    let percent = match f
        .percent_complete
        .trim()
        .trim_end_matches('%')
        .parse::<i32>()
    {
        Ok(p) if (0..=100).contains(&p) => p,
        _ => {
            e.insert(
                "percent_complete",
                format!(
                    "'{}' is not a percentage from 0 to 100",
                    f.percent_complete.trim()
                ),
            );
            0
        }
    };
    if status == "completed" {
        if percent != 100 && !e.contains_key("percent_complete") {
            e.insert(
                "percent_complete",
                "a completed activity is 100% complete".into(),
            );
        }
        if ae.is_none() && !e.contains_key("actual_end") {
            e.insert("actual_end", "give the date it was completed".into());
        }
    }
    if status == "not_started" && (percent > 0 || as_.is_some()) {
        e.insert(
            "status",
            "an activity with progress or an actual start has started: choose another status"
                .into(),
        );
    }
    let budget = parse_money(&f.budget).unwrap_or_else(|m| {
        e.insert("budget", m);
        0
    });
    let spend = parse_money(&f.spend).unwrap_or_else(|m| {
        e.insert("spend", m);
        0
    });
    match (e.is_empty(), ps, pe) {
        (true, Some(planned_start), Some(planned_end)) => Ok(ActivityInput {
            code,
            title,
            planned_start,
            planned_end,
            actual_start: as_,
            actual_end: ae,
            status,
            percent_complete: percent,
            budget_minor: budget,
            spend_minor: spend,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn money_is_read_in_major_units() {
        assert_eq!(parse_money("£12,500.5"), Ok(1_250_050));
        assert_eq!(parse_money("KSh 1,000"), Ok(100_000));
        assert_eq!(parse_money(""), Ok(0));
        assert!(parse_money("12.345").is_err());
        assert!(parse_money("-5").is_err());
        assert_eq!(parse_money("1,000,000,000,000"), Ok(MAX_MONEY_MINOR));
        assert!(parse_money("1,000,000,000,000.01")
            .unwrap_err()
            .contains("more than 1,000,000,000,000"));
        assert!(parse_money("92233720368547758.07").is_err());
        assert!(parse_money("ten").is_err());
        assert_eq!(format_money_plain(1_250_050), "12500.50");
    }

    #[test]
    fn a_completed_milestone_needs_its_date_and_evidence() {
        let f = MilestoneFields {
            title: "Wajir CSIC trained".into(),
            due: "2026-09-30".into(),
            status: "completed".into(),
            ..Default::default()
        };
        let e = check_milestone(&f, today()).unwrap_err();
        assert!(
            e.contains_key("completed") && e.contains_key("evidence"),
            "{e:?}"
        );
        let ok = MilestoneFields {
            completed: "2026-09-28".into(),
            evidence: "Training report".into(),
            ..f
        };
        assert_eq!(
            check_milestone(&ok, today()).unwrap().completed,
            NaiveDate::from_ymd_opt(2026, 9, 28)
        );
    }

    #[test]
    fn milestone_fields_are_named_in_errors() {
        let f = MilestoneFields {
            title: " ".into(),
            due: "30/09/2026".into(),
            status: "done".into(),
            completed: "2027-01-01".into(),
            ..Default::default()
        };
        let e = check_milestone(&f, today()).unwrap_err();
        assert!(e["title"].contains("empty"));
        assert!(e["due"].contains("YYYY-MM-DD"));
        assert!(e["status"].contains("choose one of"));
        assert!(e["completed"].contains("future"));
    }

    #[test]
    fn activity_rules() {
        let base = ActivityFields {
            code: "A1".into(),
            title: "Train BPU".into(),
            planned_start: "2026-01-01".into(),
            planned_end: "2026-06-30".into(),
            status: "in_progress".into(),
            percent_complete: "40".into(),
            budget: "10,000".into(),
            spend: "4,000".into(),
            ..Default::default()
        };
        let ok = check_activity(&base, today()).unwrap();
        assert_eq!(
            (ok.budget_minor, ok.spend_minor, ok.percent_complete),
            (1_000_000, 400_000, 40)
        );
        let bad = ActivityFields {
            planned_end: "2025-12-31".into(),
            percent_complete: "140".into(),
            status: "completed".into(),
            ..base.clone()
        };
        let e = check_activity(&bad, today()).unwrap_err();
        assert!(
            e.contains_key("planned_end")
                && e.contains_key("percent_complete")
                && e.contains_key("actual_end"),
            "{e:?}"
        );
        let bad = ActivityFields {
            actual_end: "2026-03-01".into(),
            ..base.clone()
        };
        assert!(check_activity(&bad, today())
            .unwrap_err()
            .contains_key("actual_start"));
        let bad = ActivityFields {
            status: "not_started".into(),
            ..base
        };
        assert!(check_activity(&bad, today())
            .unwrap_err()
            .contains_key("status"));
    }
}
