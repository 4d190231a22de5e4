//! The words of each message: plain text, short, with the link where the work is done
//! and how to turn that kind of message off. Pure.

use super::Kind;

/// A message before it is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: Kind,
    pub subject: String,
    /// The body without greeting and footer, which [`body_for`] adds per person.
    pub text: String,
}

/// What is being told, with everything the words need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    Submitted {
        code: &'a str,
        programme: &'a str,
        period: &'a str,
        by: &'a str,
        values: usize,
        progress: usize,
        link: String,
    },
    Approved {
        code: &'a str,
        programme: &'a str,
        period: &'a str,
        by: &'a str,
        values: usize,
        progress: usize,
        link: String,
    },
    Returned {
        code: &'a str,
        programme: &'a str,
        period: &'a str,
        by: &'a str,
        reason: &'a str,
        values: usize,
        progress: usize,
        link: String,
    },
    ReportIssued {
        code: &'a str,
        programme: &'a str,
        title: &'a str,
        version: i32,
        by: &'a str,
        link: String,
    },
}

fn counted(values: usize, progress: usize) -> String {
    let v = format!("{values} value{}", if values == 1 { "" } else { "s" });
    match progress {
        0 => v,
        1 => format!("{v} and 1 activity progress row"),
        p => format!("{v} and {p} activity progress rows"),
    }
}

pub fn draft(e: &Event) -> Draft {
    match e {
        Event::Submitted { code, programme, period, by, values, progress, link } => Draft {
            kind: Kind::Submission,
            subject: format!("{code} {period}: submitted for your approval"),
            text: format!(
                "{by} submitted {} of {programme} ({code}) for {period}.\n\n\
                 Review them, then approve and lock the period or return them with a reason:\n{link}\n",
                counted(*values, *progress)
            ),
        },
        Event::Approved { code, programme, period, by, values, progress, link } => Draft {
            kind: Kind::Decision,
            subject: format!("{code} {period}: approved and locked"),
            text: format!(
                "{by} approved {} of {programme} ({code}) for {period}. The period is locked.\n\n{link}\n",
                counted(*values, *progress)
            ),
        },
        Event::Returned { code, programme, period, by, reason, values, progress, link } => Draft {
            kind: Kind::Decision,
            subject: format!("{code} {period}: returned for correction"),
            text: format!(
                "{by} returned {} of {programme} ({code}) for {period}, saying:\n\n    “{reason}”\n\n\
                 Correct them and submit again:\n{link}\n",
                counted(*values, *progress)
            ),
        },
        Event::ReportIssued { code, programme, title, version, by, link } => Draft {
            kind: Kind::Report,
            subject: format!("{code}: {title} issued (version {version})"),
            text: format!(
                "{by} issued version {version} of “{title}” for {programme} ({code}).\n\n\
                 Download it (sign in first):\n{link}\n"
            ),
        },
    }
}

/// The weekly digest of one manager: each programme's overdue items (text, absolute
/// link). None when nothing is overdue: no news is not sent.
pub fn digest(week: &str, programmes: &[(String, Vec<(String, String)>)]) -> Option<Draft> {
    let total: usize = programmes.iter().map(|(_, items)| items.len()).sum();
    if total == 0 {
        return None;
    }
    let mut text = format!(
        "Overdue reporting in your programmes, week {week} ({total} item{}):\n",
        if total == 1 { "" } else { "s" }
    );
    for (programme, items) in programmes.iter().filter(|(_, i)| !i.is_empty()) {
        text.push_str(&format!("\n{programme}\n"));
        for (item, link) in items {
            text.push_str(&format!("  - {item}\n    {link}\n"));
        }
    }
    Some(Draft {
        kind: Kind::Digest,
        subject: format!(
            "Mipaka: {total} overdue item{} (week {week})",
            if total == 1 { "" } else { "s" }
        ),
        text,
    })
}

/// The whole body for one person: greeting, the message, and why they get it.
pub fn body_for(name: &str, draft: &Draft, public_url: &str) -> String {
    format!(
        "Dear {name},\n\n{}\n-- \nMipaka, programme monitoring and evaluation.\n\
         You get this as {}. To stop this kind of message (“{}”), untick it on your account page:\n{public_url}/account\n",
        draft.text.trim_end(),
        match draft.kind.role() {
            "me_officer" => "an M&E officer of the programme",
            "manager" => "a programme manager",
            _ => "a donor of the programme",
        },
        draft.kind.label(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_quotes_the_reason_and_links_to_the_grid() {
        let d = draft(&Event::Returned {
            code: "LBP",
            programme: "Land Border Programme",
            period: "2026Q3",
            by: "Ministry M&E officer",
            reason: "Busia figure double-counts October",
            values: 12,
            progress: 1,
            link: "http://h/programmes/LBP/entry?period=2026Q3&county=all".into(),
        });
        assert_eq!(d.kind, Kind::Decision);
        assert_eq!(d.subject, "LBP 2026Q3: returned for correction");
        assert!(d.text.contains("“Busia figure double-counts October”"));
        assert!(d.text.contains("12 values and 1 activity progress row"));
        assert!(d
            .text
            .contains("http://h/programmes/LBP/entry?period=2026Q3&county=all"));
        let body = body_for("Amina", &d, "http://h");
        assert!(body.starts_with("Dear Amina,"));
        assert!(body.contains("http://h/account"));
        assert!(body.contains("as a programme manager"));
    }

    #[test]
    fn each_event_goes_to_its_kind() {
        let link = || "l".to_string();
        let s = draft(&Event::Submitted {
            code: "X",
            programme: "P",
            period: "2026Q1",
            by: "M",
            values: 1,
            progress: 0,
            link: link(),
        });
        assert_eq!(
            (s.kind, s.text.contains("1 value of")),
            (Kind::Submission, true)
        );
        let a = draft(&Event::Approved {
            code: "X",
            programme: "P",
            period: "2026Q1",
            by: "O",
            values: 2,
            progress: 0,
            link: link(),
        });
        assert_eq!(a.kind, Kind::Decision);
        let r = draft(&Event::ReportIssued {
            code: "X",
            programme: "P",
            title: "Progress report 2026Q1",
            version: 2,
            by: "O",
            link: link(),
        });
        assert_eq!(r.kind, Kind::Report);
        assert!(r.subject.contains("version 2"));
    }

    #[test]
    fn a_digest_lists_each_programme_and_is_not_sent_empty() {
        assert_eq!(digest("2026-W49", &[("LBP".into(), vec![])]), None);
        let d = digest(
            "2026-W49",
            &[
                (
                    "LBP — Land Border Programme".into(),
                    vec![("2026Q3: Busia has no values".into(), "http://h/a".into())],
                ),
                ("DW".into(), vec![]),
            ],
        )
        .unwrap();
        assert_eq!(d.subject, "Mipaka: 1 overdue item (week 2026-W49)");
        assert!(d.text.contains(
            "LBP — Land Border Programme\n  - 2026Q3: Busia has no values\n    http://h/a"
        ));
        assert!(!d.text.contains("DW"));
    }
}
