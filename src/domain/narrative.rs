//! When a narrative typed in a form that holds several (one per output) is an edit, and
//! whether it may be saved.
//!
//! One form carries every output's text, so a manager who changed one output also sends
//! back the others as they were read. Were those judged by version alone, a colleague's
//! save of another output in the meantime would refuse the whole form although nobody
//! overwrote anything. So the form also carries a fingerprint of each text as it was
//! read: a text sent back unchanged is no edit, and only an edit is held to its version.

use sha2::{Digest, Sha256};

/// A short fingerprint of a text as shown in the form. Surrounding whitespace is left
/// out: browsers drop a text area's leading line break and send line ends as CRLF.
pub fn fingerprint(text: &str) -> String {
    Sha256::digest(text.trim().replace("\r\n", "\n").as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The stored narrative a typed text is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored<'a> {
    pub id: i32,
    pub version: i32,
    pub text: &'a str,
}

/// What to do with one typed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// Nothing to write: the text is what is stored, or it was sent back as read.
    Unchanged,
    /// The first narrative of this output and period.
    Create,
    /// Replace the stored narrative `id`, still at `version`.
    Update { id: i32, version: i32 },
    /// Someone saved since it was read (or it is gone): refuse, keep theirs.
    Stale,
}

/// Judges `typed`, read at `read_version` (None: there was no narrative) with the
/// fingerprint `seen`, against what is stored now.
pub fn judge(typed: &str, seen: &str, read_version: Option<i32>, stored: Option<Stored>) -> Judged {
    let same = |a: &str, b: &str| a.trim() == b.trim();
    if same(typed, stored.map_or("", |s| s.text)) || fingerprint(typed) == seen {
        return Judged::Unchanged;
    }
    match (stored, read_version) {
        (None, None) => Judged::Create,
        (Some(s), Some(v)) if s.version == v => Judged::Update {
            id: s.id,
            version: v,
        },
        _ => Judged::Stale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(version: i32, text: &str) -> Option<Stored<'_>> {
        Some(Stored {
            id: 7,
            version,
            text,
        })
    }

    #[test]
    fn fingerprints_ignore_what_browsers_change() {
        assert_eq!(fingerprint("a\nb"), fingerprint("\na\r\nb  "));
        assert_ne!(fingerprint("a b"), fingerprint("a  b"));
        assert_eq!(fingerprint("x").len(), 16);
    }

    #[test]
    fn a_new_text_is_created_and_an_empty_one_is_nothing() {
        assert_eq!(
            judge("Desks opened", &fingerprint(""), None, None),
            Judged::Create
        );
        assert_eq!(judge("  ", &fingerprint(""), None, None), Judged::Unchanged);
    }

    #[test]
    fn an_edit_at_the_current_version_updates() {
        let seen = fingerprint("old");
        assert_eq!(
            judge("new", &seen, Some(3), stored(3, "old")),
            Judged::Update { id: 7, version: 3 }
        );
    }

    #[test]
    fn an_edit_of_an_older_version_is_stale() {
        let seen = fingerprint("old");
        assert_eq!(
            judge("mine", &seen, Some(2), stored(3, "theirs")),
            Judged::Stale
        );
        // Read before anyone wrote, someone wrote since.
        assert_eq!(
            judge("mine", &fingerprint(""), None, stored(1, "theirs")),
            Judged::Stale
        );
        // Read, then the narrative went away.
        assert_eq!(judge("mine", &seen, Some(2), None), Judged::Stale);
    }

    #[test]
    fn a_text_sent_back_as_read_is_no_edit_even_when_stale() {
        // A colleague saved this output since; this form did not touch it.
        let seen = fingerprint("old");
        assert_eq!(
            judge("old", &seen, Some(2), stored(3, "theirs")),
            Judged::Unchanged
        );
    }

    #[test]
    fn typing_what_is_stored_already_is_no_edit() {
        assert_eq!(
            judge(
                "theirs\n",
                &fingerprint("old"),
                Some(2),
                stored(3, "theirs")
            ),
            Judged::Unchanged
        );
    }
}
