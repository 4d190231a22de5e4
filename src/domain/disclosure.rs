//! Who may see a figure, and how a small county figure is kept from identifying people.
//!
//! A border-security programme holds figures that must never be published (trafficking
//! victims in one county, an informant network's size). Each indicator therefore has a
//! publication [`Level`], and optionally a [`SmallRule`] for its county figures. Every
//! output that leaves the tracker names its [`Audience`]: the IATI file is public; donor
//! and ministry reports, DHIS2 exchange, CSV and spreadsheet exports and the donors' API
//! are for partners; only the tracker's own pages, for people with a role in the
//! programme, show everything.
//!
//! [`protect`] applies a small-number rule to one set of county figures that add up to a
//! published total. Hiding a single county is not enough when the total and the other
//! counties are shown — the hidden figure is the difference — so the next smallest is
//! withheld with it (complementary suppression, as statistics offices do).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::{parse_word, UnknownWordError};

/// How far an indicator's figures may travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Anything shared, the public IATI file included.
    Public,
    /// Donor and ministry reports, DHIS2 exchange, exports; never the public file.
    Partners,
    /// Only the tracker's pages, for people with a role in the programme.
    Internal,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Public, Level::Partners, Level::Internal];

    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Public => "public",
            Level::Partners => "partners",
            Level::Internal => "internal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Public => "Public",
            Level::Partners => "Partners",
            Level::Internal => "Internal",
        }
    }

    /// What the level means, in the words the setup form shows.
    pub fn explain(self) -> &'static str {
        match self {
            Level::Public => "published anywhere, the public IATI file included",
            Level::Partners => {
                "donor and ministry reports, DHIS2 exchange and exports; never the public IATI file"
            }
            Level::Internal => {
                "only on the tracker's own pages, to people with a role in the programme"
            }
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = UnknownWordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_word(s, "publication level", &Self::ALL, Self::as_str)
    }
}

/// Who an output is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The public IATI file.
    Public,
    /// Donor and ministry reports, DHIS2, CSV and spreadsheet exports, the donors' API.
    Partners,
    /// The tracker's pages, for people with a role in the programme.
    Team,
}

impl Audience {
    /// Whether figures of `level` may be shown to this audience at all.
    pub fn may_see(self, level: Level) -> bool {
        match self {
            Audience::Team => true,
            Audience::Partners => level != Level::Internal,
            Audience::Public => level == Level::Public,
        }
    }

    /// Whether small-number rules apply (not on the team's own pages: they entered the
    /// figures).
    pub fn protected(self) -> bool {
        self != Audience::Team
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::Public => "the public",
            Audience::Partners => "partners",
            Audience::Team => "the programme team",
        }
    }
}

/// What happens to a county figure below a threshold in anything shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SmallRule {
    /// Shown as "fewer than N" (withheld where a number is required, e.g. IATI, DHIS2).
    FewerThan(u32),
    /// The county's figure withheld; only the total published.
    Withhold(u32),
}

/// The words a small-number rule is stored and posted as.
pub const RULE_WORDS: [&str; 3] = ["none", "fewer_than", "withhold"];

/// The lowest threshold that means anything ("fewer than 1" hides nothing).
pub const MIN_BELOW: u32 = 2;
/// The highest threshold accepted: above it, a "small number" is no longer small.
pub const MAX_BELOW: u32 = 1000;

/// Why a stored small-number rule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl SmallRule {
    /// The rule from its stored word and threshold.
    pub fn parse(word: &str, below: Option<i64>) -> Result<Option<SmallRule>, RuleError> {
        let word = word.trim();
        if word.is_empty() || word == "none" {
            return Ok(None);
        }
        let n = match below {
            None => {
                return Err(RuleError(
                    "A small-number rule needs its threshold N (a whole number).".into(),
                ))
            }
            Some(n) if n < MIN_BELOW as i64 || n > MAX_BELOW as i64 => {
                return Err(RuleError(format!(
                    "The threshold {n} is out of range; use a whole number from {MIN_BELOW} to {MAX_BELOW}."
                )))
            }
            Some(n) => n as u32,
        };
        match word {
            "fewer_than" => Ok(Some(SmallRule::FewerThan(n))),
            "withhold" => Ok(Some(SmallRule::Withhold(n))),
            other => Err(RuleError(format!(
                "'{other}' is not a known small-number rule; use one of: {}.",
                RULE_WORDS.join(", ")
            ))),
        }
    }

    pub fn word(rule: Option<SmallRule>) -> &'static str {
        match rule {
            None => "none",
            Some(SmallRule::FewerThan(_)) => "fewer_than",
            Some(SmallRule::Withhold(_)) => "withhold",
        }
    }

    pub fn below(self) -> u32 {
        match self {
            SmallRule::FewerThan(n) | SmallRule::Withhold(n) => n,
        }
    }

    /// The rule in a sentence, for the setup page and the publish preview.
    pub fn describe(rule: Option<SmallRule>) -> String {
        match rule {
            None => "no small-number rule".into(),
            Some(SmallRule::FewerThan(n)) => {
                format!("a county figure below {n} is shown as \"fewer than {n}\"")
            }
            Some(SmallRule::Withhold(n)) => {
                format!("a county figure below {n} is withheld; only the total is published")
            }
        }
    }
}

/// A county figure kept out of an output, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Hidden {
    /// Below the threshold, shown as "fewer than N" where words may stand for a number.
    FewerThan(u32),
    /// Below the threshold, withheld.
    Small(u32),
    /// Withheld with a small one, so that it cannot be worked out from the total.
    Complement,
}

impl Hidden {
    /// What a reader sees in place of the number.
    pub fn shown_as(self) -> String {
        match self {
            Hidden::FewerThan(n) => format!("fewer than {n}"),
            Hidden::Small(_) | Hidden::Complement => "withheld".into(),
        }
    }

    /// Why, for the publish preview and a report's note.
    pub fn reason(self) -> String {
        match self {
            Hidden::FewerThan(n) => format!("below {n}: shown as \"fewer than {n}\""),
            Hidden::Small(n) => format!("below {n}: withheld, only the total published"),
            Hidden::Complement => {
                "withheld with a smaller figure, which could otherwise be worked out from the total"
                    .into()
            }
        }
    }
}

/// One figure as an output may show it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Shown {
    Value(f64),
    Hidden(Hidden),
}

/// County figures (or any figures that add up to a published total) under `rule`, for
/// `audience`. A figure strictly between 0 and N is hidden: a zero identifies no one and
/// is shown. When exactly one figure is hidden and others are shown, the smallest shown
/// non-zero figure (then the smallest shown one) is withheld with it. Order is kept.
pub fn protect<K: Clone>(
    cells: &[(K, f64)],
    rule: Option<SmallRule>,
    audience: Audience,
) -> Vec<(K, Shown)> {
    let Some(rule) = rule.filter(|_| audience.protected()) else {
        return cells
            .iter()
            .map(|(k, v)| (k.clone(), Shown::Value(*v)))
            .collect();
    };
    let n = rule.below();
    let small = |v: f64| v > 0.0 && v < n as f64;
    let mut shown: Vec<(K, Shown)> = cells
        .iter()
        .map(|(k, v)| {
            let s = if small(*v) {
                Shown::Hidden(match rule {
                    SmallRule::FewerThan(n) => Hidden::FewerThan(n),
                    SmallRule::Withhold(n) => Hidden::Small(n),
                })
            } else {
                Shown::Value(*v)
            };
            (k.clone(), s)
        })
        .collect();
    let hidden = shown
        .iter()
        .filter(|(_, s)| matches!(s, Shown::Hidden(_)))
        .count();
    if hidden == 1 {
        let next = shown
            .iter()
            .enumerate()
            .filter_map(|(i, (_, s))| match s {
                Shown::Value(v) => Some((i, *v)),
                Shown::Hidden(_) => None,
            })
            .min_by(|(_, a), (_, b)| {
                // Non-zero first: withholding a zero protects nothing.
                (*a == 0.0)
                    .cmp(&(*b == 0.0))
                    .then(a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal))
            })
            .map(|(i, _)| i);
        if let Some(i) = next {
            shown[i].1 = Shown::Hidden(Hidden::Complement);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &[(&'static str, Shown)]) -> Vec<(&'static str, String)> {
        s.iter()
            .map(|(k, v)| {
                (
                    *k,
                    match v {
                        Shown::Value(v) => format!("{v}"),
                        Shown::Hidden(h) => h.shown_as(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn levels_reach_only_their_audiences() {
        use Level::*;
        let table = [
            (Public, true, true, true),
            (Partners, false, true, true),
            (Internal, false, false, true),
        ];
        for (level, public, partners, team) in table {
            assert_eq!(Audience::Public.may_see(level), public, "{level}");
            assert_eq!(Audience::Partners.may_see(level), partners, "{level}");
            assert_eq!(Audience::Team.may_see(level), team, "{level}");
        }
    }

    #[test]
    fn levels_round_trip_and_unknown_words_are_named() {
        for l in Level::ALL {
            assert_eq!(l.as_str().parse::<Level>(), Ok(l));
        }
        let e = "secret".parse::<Level>().unwrap_err().to_string();
        assert!(
            e.contains("'secret'") && e.contains("public, partners, internal"),
            "{e}"
        );
    }

    #[test]
    fn rules_parse_with_their_threshold() {
        assert_eq!(SmallRule::parse("none", None), Ok(None));
        assert_eq!(SmallRule::parse("", Some(5)), Ok(None));
        assert_eq!(
            SmallRule::parse("fewer_than", Some(5)),
            Ok(Some(SmallRule::FewerThan(5)))
        );
        assert_eq!(
            SmallRule::parse("withhold", Some(10)),
            Ok(Some(SmallRule::Withhold(10)))
        );
        assert!(SmallRule::parse("withhold", None).is_err());
        let e = SmallRule::parse("fewer_than", Some(1)).unwrap_err().0;
        assert!(e.contains("from 2 to 1000"), "{e}");
        assert!(SmallRule::parse("round", Some(5))
            .unwrap_err()
            .0
            .contains("none, fewer_than, withhold"));
        for r in [
            None,
            Some(SmallRule::FewerThan(3)),
            Some(SmallRule::Withhold(3)),
        ] {
            let below = r.map(|r| r.below() as i64);
            assert_eq!(SmallRule::parse(SmallRule::word(r), below), Ok(r));
        }
    }

    #[test]
    fn a_small_county_is_coarsened_and_its_complement_withheld() {
        let cells = [
            ("Busia", 12.0),
            ("Turkana", 3.0),
            ("Mandera", 7.0),
            ("Wajir", 0.0),
        ];
        let got = protect(&cells, Some(SmallRule::FewerThan(5)), Audience::Partners);
        assert_eq!(
            values(&got),
            [
                ("Busia", "12".to_string()),
                ("Turkana", "fewer than 5".into()),
                ("Mandera", "withheld".into()),
                ("Wajir", "0".into()),
            ]
        );
        assert_eq!(got[2].1, Shown::Hidden(Hidden::Complement));
    }

    #[test]
    fn two_small_counties_protect_each_other() {
        let cells = [("a", 1.0), ("b", 2.0), ("c", 40.0)];
        let got = protect(&cells, Some(SmallRule::Withhold(5)), Audience::Public);
        assert_eq!(got[0].1, Shown::Hidden(Hidden::Small(5)));
        assert_eq!(got[1].1, Shown::Hidden(Hidden::Small(5)));
        assert_eq!(got[2].1, Shown::Value(40.0));
    }

    #[test]
    fn the_threshold_itself_is_shown_and_zeros_are_not_hidden() {
        let cells = [("a", 5.0), ("b", 0.0), ("c", 4.999)];
        let got = protect(&cells, Some(SmallRule::Withhold(5)), Audience::Partners);
        assert_eq!(got[0].1, Shown::Hidden(Hidden::Complement));
        assert_eq!(got[1].1, Shown::Value(0.0));
        assert_eq!(got[2].1, Shown::Hidden(Hidden::Small(5)));
    }

    #[test]
    fn when_only_zeros_remain_a_zero_is_withheld_with_it() {
        let cells = [("a", 2.0), ("b", 0.0)];
        let got = protect(&cells, Some(SmallRule::Withhold(5)), Audience::Partners);
        assert_eq!(got[1].1, Shown::Hidden(Hidden::Complement));
    }

    #[test]
    fn a_single_county_is_hidden_without_a_complement() {
        let got = protect(
            &[("a", 2.0)],
            Some(SmallRule::FewerThan(5)),
            Audience::Partners,
        );
        assert_eq!(got[0].1, Shown::Hidden(Hidden::FewerThan(5)));
    }

    #[test]
    fn the_team_and_unruled_indicators_see_every_figure() {
        let cells = [("a", 1.0), ("b", 9.0)];
        for (rule, audience) in [
            (Some(SmallRule::Withhold(5)), Audience::Team),
            (None, Audience::Public),
        ] {
            let got = protect(&cells, rule, audience);
            assert_eq!(got[0].1, Shown::Value(1.0));
            assert_eq!(got[1].1, Shown::Value(9.0));
        }
    }
}
