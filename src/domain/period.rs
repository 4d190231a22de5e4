//! Reporting periods written as DHIS2 period identifiers.
//!
//! Kenyan county and national systems (KHIS and friends) run on DHIS2, so
//! using its identifiers (`2026Q3`, `202609`, `2026July`, …) means figures can
//! be exchanged without a translation table. Donor reporting cuts across
//! several calendars at once: Kenya's fiscal year runs July–June, the UK's
//! April–March, and quarterly milestones are calendar quarters. A `Period`
//! knows its exact first and last day, so containment and overlap between
//! those calendars is plain date arithmetic.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTH_FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Shown at the end of every parse error so the person sees what *would* work.
const ACCEPTED_FORMS: &str = "Use forms like 2026, 2026S1, 2026Q3, 202609, \
2026July (Kenyan fiscal year), 2026April (UK fiscal year).";

/// The length and alignment of a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// Calendar year, `2026`.
    Year,
    /// Calendar half-year, `2026S1` (Jan–Jun) or `2026S2` (Jul–Dec).
    SixMonth,
    /// Calendar quarter, `2026Q1` … `2026Q4`.
    Quarter,
    /// Calendar month, `202609`.
    Month,
    /// April–March financial year (UK government), `2026April`.
    FinancialApril,
    /// July–June financial year (Government of Kenya), `2026July`.
    FinancialJuly,
    /// October–September financial year (e.g. US government), `2026Oct`.
    FinancialOctober,
}

impl PeriodKind {
    /// Every kind, shortest-first within calendar kinds then financial years.
    pub const ALL: [PeriodKind; 7] = [
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::SixMonth,
        PeriodKind::Year,
        PeriodKind::FinancialJuly,
        PeriodKind::FinancialApril,
        PeriodKind::FinancialOctober,
    ];

    /// Stored form, also used by serde.
    pub fn as_str(&self) -> &'static str {
        match self {
            PeriodKind::Year => "year",
            PeriodKind::SixMonth => "six_month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Month => "month",
            PeriodKind::FinancialApril => "financial_april",
            PeriodKind::FinancialJuly => "financial_july",
            PeriodKind::FinancialOctober => "financial_october",
        }
    }

    /// Name for people, e.g. in a "report by" drop-down.
    pub fn label(&self) -> &'static str {
        match self {
            PeriodKind::Year => "Calendar year",
            PeriodKind::SixMonth => "Half-year",
            PeriodKind::Quarter => "Quarter",
            PeriodKind::Month => "Month",
            PeriodKind::FinancialApril => "Financial year, April–March (UK)",
            PeriodKind::FinancialJuly => "Financial year, July–June (Kenya)",
            PeriodKind::FinancialOctober => "Financial year, October–September",
        }
    }

    /// Number of months the period covers.
    fn months(self) -> u32 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::SixMonth => 6,
            _ => 12,
        }
    }

    /// How many periods of this kind start in one year.
    fn per_year(self) -> u32 {
        12 / self.months()
    }

    /// Month in which the first period of a year starts.
    fn first_month(self) -> u32 {
        match self {
            PeriodKind::FinancialApril => 4,
            PeriodKind::FinancialJuly => 7,
            PeriodKind::FinancialOctober => 10,
            _ => 1,
        }
    }

    /// Fixed rank used only to keep `Ord` consistent with `Eq`.
    fn rank(self) -> u8 {
        match self {
            PeriodKind::Month => 0,
            PeriodKind::Quarter => 1,
            PeriodKind::SixMonth => 2,
            PeriodKind::Year => 3,
            PeriodKind::FinancialApril => 4,
            PeriodKind::FinancialJuly => 5,
            PeriodKind::FinancialOctober => 6,
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PeriodKind {
    type Err = super::UnknownWordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        super::parse_word(s, "period type", &Self::ALL, Self::as_str)
    }
}

/// One reporting period, e.g. `2026Q3`.
///
/// Years are limited to [`Period::MIN_YEAR`]..=[`Period::MAX_YEAR`]: anything
/// outside is far more likely a typo (`2062`, fine; `20026`, not) than a real
/// reporting period, and the limit guarantees that every `Period` value
/// prints as an id that parses back to the same value.
///
/// Ordering is by first day, then by last day, both ascending. So periods
/// sharing a first day sort shortest first:
/// `202601 < 2026Q1 < 2026S1 < 2026 < 202602`. (A year therefore sorts *after*
/// its first quarter and month; this keeps a list sorted by "when did it
/// start" and, among those, "what finished first".)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    kind: PeriodKind,
    /// Year in the identifier; for financial years, the year they start in.
    year: i32,
    /// 1-based position within the year (half, quarter, month); 1 otherwise.
    index: u32,
}

impl Period {
    /// Earliest year accepted.
    pub const MIN_YEAR: i32 = 1900;
    /// Latest year accepted.
    pub const MAX_YEAR: i32 = 2200;

    /// Parse a DHIS2 period identifier. Surrounding whitespace is ignored,
    /// the letters are case-insensitive (`2026q3`, `2026JULY`), and `Jul`,
    /// `Apr`, `October` are accepted as spellings of the financial years.
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let trimmed = s.trim();
        parse_trimmed(trimmed).map_err(|reason| PeriodError {
            input: trimmed.to_string(),
            reason,
        })
    }

    fn checked(kind: PeriodKind, year: i32, index: u32) -> Option<Period> {
        let year_ok = (Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year);
        let index_ok = (1..=kind.per_year()).contains(&index);
        (year_ok && index_ok).then_some(Period { kind, year, index })
    }

    /// Calendar year. A year outside 1900–2200 is clamped to that range,
    /// because this constructor cannot fail; check user input with
    /// [`Period::parse`] instead.
    pub fn year(y: i32) -> Period {
        Period {
            kind: PeriodKind::Year,
            year: y.clamp(Self::MIN_YEAR, Self::MAX_YEAR),
            index: 1,
        }
    }

    /// Half-year 1 (Jan–Jun) or 2 (Jul–Dec).
    pub fn six_month(y: i32, half: u32) -> Option<Period> {
        Self::checked(PeriodKind::SixMonth, y, half)
    }

    /// Calendar quarter 1–4.
    pub fn quarter(y: i32, q: u32) -> Option<Period> {
        Self::checked(PeriodKind::Quarter, y, q)
    }

    /// Calendar month 1–12.
    pub fn month(y: i32, m: u32) -> Option<Period> {
        Self::checked(PeriodKind::Month, y, m)
    }

    /// Financial year starting in `start_month` (4, 7 or 10) of `start_year`.
    /// Other start months are not DHIS2 period types, so they give `None`.
    pub fn financial_year(start_year: i32, start_month: u32) -> Option<Period> {
        let kind = match start_month {
            4 => PeriodKind::FinancialApril,
            7 => PeriodKind::FinancialJuly,
            10 => PeriodKind::FinancialOctober,
            _ => return None,
        };
        Self::checked(kind, start_year, 1)
    }

    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// Canonical DHIS2 identifier, e.g. `2026Q3`, `202609`, `2026July`.
    pub fn id(&self) -> String {
        let y = self.year;
        match self.kind {
            PeriodKind::Year => format!("{y:04}"),
            PeriodKind::SixMonth => format!("{y:04}S{}", self.index),
            PeriodKind::Quarter => format!("{y:04}Q{}", self.index),
            PeriodKind::Month => format!("{y:04}{:02}", self.index),
            PeriodKind::FinancialApril => format!("{y:04}April"),
            PeriodKind::FinancialJuly => format!("{y:04}July"),
            PeriodKind::FinancialOctober => format!("{y:04}Oct"),
        }
    }

    /// Month (1–12) the period starts in.
    fn start_month(&self) -> u32 {
        self.kind.first_month() + (self.index - 1) * self.kind.months()
    }

    /// (year, month) of the period's last month.
    fn end_year_month(&self) -> (i32, u32) {
        let offset = self.start_month() - 1 + self.kind.months() - 1;
        (self.year + (offset / 12) as i32, offset % 12 + 1)
    }

    /// First day of the period.
    pub fn start(&self) -> NaiveDate {
        date(self.year, self.start_month(), 1)
    }

    /// Last day of the period (inclusive).
    pub fn end(&self) -> NaiveDate {
        let (y, m) = self.end_year_month();
        date(y, m, days_in_month(y, m))
    }

    /// Human-readable name: "Jul–Sep 2026", "September 2026", "2026",
    /// "Jan–Jun 2026", "FY 2026/27 (Jul–Jun)".
    pub fn label(&self) -> String {
        let y = self.year;
        let first = month_abbr(self.start_month());
        let last = month_abbr(self.end_year_month().1);
        match self.kind {
            PeriodKind::Year => format!("{y}"),
            PeriodKind::Month => format!("{} {y}", month_full(self.index)),
            PeriodKind::Quarter | PeriodKind::SixMonth => format!("{first}–{last} {y}"),
            PeriodKind::FinancialApril
            | PeriodKind::FinancialJuly
            | PeriodKind::FinancialOctober => {
                format!("FY {} ({first}–{last})", fiscal_years(y))
            }
        }
    }

    /// True if the whole of `other` lies within `self` (a period contains itself).
    pub fn contains(&self, other: &Period) -> bool {
        self.start() <= other.start() && other.end() <= self.end()
    }

    pub fn contains_date(&self, d: NaiveDate) -> bool {
        self.start() <= d && d <= self.end()
    }

    /// True if the two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start() <= other.end() && other.start() <= self.end()
    }

    /// Position on a single line of periods of this kind, for stepping.
    fn ordinal(&self) -> i64 {
        i64::from(self.year) * i64::from(self.kind.per_year()) + i64::from(self.index - 1)
    }

    fn from_ordinal(kind: PeriodKind, n: i64) -> Option<Period> {
        let per_year = i64::from(kind.per_year());
        let year = i32::try_from(n.div_euclid(per_year)).ok()?;
        let index = u32::try_from(n.rem_euclid(per_year) + 1).ok()?;
        Self::checked(kind, year, index)
    }

    /// The following period of the same kind, or `None` past year 2200.
    pub fn checked_next(&self) -> Option<Period> {
        Self::from_ordinal(self.kind, self.ordinal() + 1)
    }

    /// The preceding period of the same kind, or `None` before year 1900.
    pub fn checked_prev(&self) -> Option<Period> {
        Self::from_ordinal(self.kind, self.ordinal() - 1)
    }

    /// The following period of the same kind (`2026Q4` → `2027Q1`).
    /// At the very end of the supported range it returns `self`; loops that
    /// might reach year 2200 should use [`Period::checked_next`].
    pub fn next(&self) -> Period {
        self.checked_next().unwrap_or(*self)
    }

    /// The preceding period of the same kind (`2027Q1` → `2026Q4`).
    /// At the very start of the supported range it returns `self`.
    pub fn prev(&self) -> Period {
        self.checked_prev().unwrap_or(*self)
    }

    /// Calendar quarter containing `d` (clamped to the supported years).
    pub fn quarter_containing(d: NaiveDate) -> Period {
        let (year, q) = clamp_year_index(d.year(), (d.month() - 1) / 3 + 1, 4);
        Period {
            kind: PeriodKind::Quarter,
            year,
            index: q,
        }
    }

    /// Kenyan (July–June) financial year containing `d`, clamped to the
    /// supported years.
    pub fn kenyan_fy_containing(d: NaiveDate) -> Period {
        let start_year = if d.month() >= 7 {
            d.year()
        } else {
            d.year() - 1
        };
        Period {
            kind: PeriodKind::FinancialJuly,
            year: start_year.clamp(Self::MIN_YEAR, Self::MAX_YEAR),
            index: 1,
        }
    }

    /// Calendar quarters lying wholly inside this period, in order.
    /// A quarter gives itself; a month gives nothing; a Kenyan financial
    /// year gives its four quarters (Q3, Q4 of the first year, Q1, Q2 of the next).
    pub fn quarters(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut q = Period::quarter_containing(self.start());
        if q.start() < self.start() {
            match q.checked_next() {
                Some(n) => q = n,
                None => return out,
            }
        }
        while self.contains(&q) {
            out.push(q);
            match q.checked_next() {
                Some(n) => q = n,
                None => break,
            }
        }
        out
    }

    /// For a calendar quarter, its place in the Kenyan financial year:
    /// `2026Q3` → "FY 2026/27 Q1", `2027Q2` → "FY 2026/27 Q4".
    /// `None` for any other kind of period.
    pub fn kenyan_fy_quarter_label(&self) -> Option<String> {
        if self.kind != PeriodKind::Quarter {
            return None;
        }
        let (fy_start, fy_q) = if self.index >= 3 {
            (self.year, self.index - 2)
        } else {
            (self.year - 1, self.index + 2)
        };
        Some(format!("FY {} Q{fy_q}", fiscal_years(fy_start)))
    }
}

/// "2026/27" for a financial year starting in 2026.
fn fiscal_years(start_year: i32) -> String {
    format!("{start_year}/{:02}", (start_year + 1).rem_euclid(100))
}

fn month_abbr(m: u32) -> &'static str {
    MONTH_ABBR
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

fn month_full(m: u32) -> &'static str {
    MONTH_FULL
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

/// Clamp a (year, index) pair into the supported range, pinning the index to
/// the first or last sub-period when the year itself had to move.
fn clamp_year_index(year: i32, index: u32, per_year: u32) -> (i32, u32) {
    if year < Period::MIN_YEAR {
        (Period::MIN_YEAR, 1)
    } else if year > Period::MAX_YEAR {
        (Period::MAX_YEAR, per_year)
    } else {
        (year, index)
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Build a date we know is valid: years are held to 1900–2201 and months and
/// days come from the period arithmetic above, never straight from input.
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d)
        .expect("period arithmetic produced an invalid date; this is a bug in period.rs")
}

/// Parse an already-trimmed id, returning the reason on failure.
fn parse_trimmed(t: &str) -> Result<Period, String> {
    if t.is_empty() {
        return Err("it is empty".to_string());
    }
    let bytes = t.as_bytes();
    if bytes.len() < 4 || !bytes[..4].iter().all(u8::is_ascii_digit) {
        return Err("it must start with a four-digit year".to_string());
    }
    // The first four bytes are ASCII, so index 4 is a character boundary.
    let (year_text, rest) = t.split_at(4);
    let year: i32 = year_text
        .parse()
        .map_err(|_| "it must start with a four-digit year".to_string())?;

    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !rest.is_empty() && all_digits(rest) && rest.len() != 2 {
        return Err(
            "a month must be written as exactly six digits, year then month, e.g. 202609"
                .to_string(),
        );
    }
    if !(Period::MIN_YEAR..=Period::MAX_YEAR).contains(&year) {
        return Err(format!(
            "the year must be between {} and {}",
            Period::MIN_YEAR,
            Period::MAX_YEAR
        ));
    }

    let lower = rest.to_ascii_lowercase();
    if lower.is_empty() {
        return Ok(Period::year(year));
    }
    if all_digits(&lower) {
        return match lower.parse::<u32>() {
            Ok(m) if (1..=12).contains(&m) => Ok(Period {
                kind: PeriodKind::Month,
                year,
                index: m,
            }),
            _ => Err("the month must be 01 to 12".to_string()),
        };
    }
    let only_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    match lower.as_bytes() {
        [b'q', n @ b'1'..=b'4'] => {
            return Ok(Period {
                kind: PeriodKind::Quarter,
                year,
                index: u32::from(*n - b'0'),
            })
        }
        [b'q', tail @ ..] if only_digits(tail) => {
            return Err("the quarter must be 1 to 4".to_string())
        }
        [b's', n @ b'1'..=b'2'] => {
            return Ok(Period {
                kind: PeriodKind::SixMonth,
                year,
                index: u32::from(*n - b'0'),
            })
        }
        [b's', tail @ ..] if only_digits(tail) => {
            return Err("the half-year must be S1 (Jan–Jun) or S2 (Jul–Dec)".to_string())
        }
        _ => {}
    }
    let kind = match lower.as_str() {
        "april" | "apr" => PeriodKind::FinancialApril,
        "july" | "jul" => PeriodKind::FinancialJuly,
        "oct" | "october" => PeriodKind::FinancialOctober,
        _ => {
            return Err(format!(
                "{} after the year is not a period type this app understands",
                super::quoted(rest)
            ))
        }
    };
    Ok(Period {
        kind,
        year,
        index: 1,
    })
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.start(), self.end())
            .cmp(&(other.start(), other.end()))
            // No two distinct periods share both first and last day today;
            // the tie-break only keeps `Ord` consistent with `Eq` regardless.
            .then_with(|| self.kind.rank().cmp(&other.kind.rank()))
            .then_with(|| (self.year, self.index).cmp(&(other.year, other.index)))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.id())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A period identifier that could not be understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodError {
    input: String,
    reason: String,
}

impl PeriodError {
    /// The rejected text, with surrounding whitespace removed.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Why it was rejected, e.g. "the quarter must be 1 to 4".
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.input.is_empty() {
            write!(f, "No period was given. {ACCEPTED_FORMS}")
        } else {
            write!(
                f,
                "{} is not a valid period: {}. {ACCEPTED_FORMS}",
                super::quoted(&self.input),
                self.reason
            )
        }
    }
}

impl std::error::Error for PeriodError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn reason(s: &str) -> String {
        Period::parse(s).unwrap_err().reason().to_string()
    }

    #[test]
    fn parses_every_form_and_round_trips() {
        let cases = [
            ("2026", PeriodKind::Year),
            ("2026S1", PeriodKind::SixMonth),
            ("2026S2", PeriodKind::SixMonth),
            ("2026Q1", PeriodKind::Quarter),
            ("2026Q2", PeriodKind::Quarter),
            ("2026Q3", PeriodKind::Quarter),
            ("2026Q4", PeriodKind::Quarter),
            ("202601", PeriodKind::Month),
            ("202609", PeriodKind::Month),
            ("202612", PeriodKind::Month),
            ("2026April", PeriodKind::FinancialApril),
            ("2026July", PeriodKind::FinancialJuly),
            ("2026Oct", PeriodKind::FinancialOctober),
        ];
        for (id, kind) in cases {
            let period = p(id);
            assert_eq!(period.kind(), kind, "{id}");
            assert_eq!(period.id(), id);
            assert_eq!(period.to_string(), id);
            assert_eq!(id.parse::<Period>().unwrap(), period);
        }
    }

    #[test]
    fn parse_is_lenient_on_case_whitespace_and_spelling() {
        assert_eq!(p("  2026q3 \n").id(), "2026Q3");
        assert_eq!(p("2026s2").id(), "2026S2");
        assert_eq!(p("2026july").id(), "2026July");
        assert_eq!(p("2026JULY").id(), "2026July");
        assert_eq!(p("2026Jul").id(), "2026July");
        assert_eq!(p("2026april").id(), "2026April");
        assert_eq!(p("2026Apr").id(), "2026April");
        assert_eq!(p("2026OCT").id(), "2026Oct");
        assert_eq!(p("2026October").id(), "2026Oct");
    }

    #[test]
    fn rejects_bad_input_with_reason() {
        assert_eq!(reason(""), "it is empty");
        assert_eq!(reason("   "), "it is empty");
        assert_eq!(reason("Q3 2026"), "it must start with a four-digit year");
        assert_eq!(reason("26Q3"), "it must start with a four-digit year");
        assert_eq!(reason("-2026"), "it must start with a four-digit year");
        assert_eq!(reason("2026Q0"), "the quarter must be 1 to 4");
        assert_eq!(reason("2026Q5"), "the quarter must be 1 to 4");
        assert_eq!(reason("2026Q"), "the quarter must be 1 to 4");
        assert_eq!(reason("2026Q01"), "the quarter must be 1 to 4");
        assert!(reason("2026S3").contains("half-year"));
        assert!(reason("2026S0").contains("half-year"));
        assert_eq!(reason("202600"), "the month must be 01 to 12");
        assert_eq!(reason("202613"), "the month must be 01 to 12");
        assert!(reason("20269").contains("exactly six digits"));
        assert!(reason("2026009").contains("exactly six digits"));
        assert!(reason("20260901").contains("exactly six digits"));
        assert_eq!(reason("1899"), "the year must be between 1900 and 2200");
        assert_eq!(reason("2201Q1"), "the year must be between 1900 and 2200");
        assert!(reason("2026Nov").contains("'Nov' after the year"));
        assert!(reason("2026W12").contains("not a period type"));
        assert!(reason("2026 Q3").contains("not a period type"));
        assert!(reason("2026Q+1").contains("not a period type"));
        assert!(reason("2026Sept").contains("not a period type"));
    }

    #[test]
    fn non_ascii_input_does_not_panic() {
        assert!(Period::parse("２０２６").is_err());
        assert!(Period::parse("2026€").is_err());
        assert!(Period::parse("é").is_err());
        assert!(Period::parse("2026Qé").is_err());
    }

    #[test]
    fn error_message_is_actionable() {
        let err = Period::parse("2026Q5").unwrap_err();
        assert_eq!(
            err.to_string(),
            "'2026Q5' is not a valid period: the quarter must be 1 to 4. Use forms like \
             2026, 2026S1, 2026Q3, 202609, 2026July (Kenyan fiscal year), \
             2026April (UK fiscal year)."
        );
        assert_eq!(err.input(), "2026Q5");
        assert!(Period::parse(" ")
            .unwrap_err()
            .to_string()
            .starts_with("No period was given. Use forms like"));
    }

    #[test]
    fn start_and_end_of_each_kind() {
        let cases = [
            ("2026", d(2026, 1, 1), d(2026, 12, 31)),
            ("2026S1", d(2026, 1, 1), d(2026, 6, 30)),
            ("2026S2", d(2026, 7, 1), d(2026, 12, 31)),
            ("2026Q1", d(2026, 1, 1), d(2026, 3, 31)),
            ("2026Q2", d(2026, 4, 1), d(2026, 6, 30)),
            ("2026Q3", d(2026, 7, 1), d(2026, 9, 30)),
            ("2026Q4", d(2026, 10, 1), d(2026, 12, 31)),
            ("202602", d(2026, 2, 1), d(2026, 2, 28)),
            ("202609", d(2026, 9, 1), d(2026, 9, 30)),
            ("202612", d(2026, 12, 1), d(2026, 12, 31)),
            ("2026July", d(2026, 7, 1), d(2027, 6, 30)),
            ("2026April", d(2026, 4, 1), d(2027, 3, 31)),
            ("2026Oct", d(2026, 10, 1), d(2027, 9, 30)),
        ];
        for (id, start, end) in cases {
            assert_eq!(p(id).start(), start, "{id} start");
            assert_eq!(p(id).end(), end, "{id} end");
        }
    }

    #[test]
    fn leap_years() {
        assert_eq!(p("2028Q1").end(), d(2028, 3, 31));
        assert_eq!(p("202802").end(), d(2028, 2, 29));
        assert_eq!(p("202702").end(), d(2027, 2, 28));
        assert_eq!(p("210002").end(), d(2100, 2, 28)); // century, not leap
        assert_eq!(p("200002").end(), d(2000, 2, 29)); // 400-year rule, leap
        assert_eq!(p("2027April").end(), d(2028, 3, 31));
        assert!(p("2027July").contains_date(d(2028, 2, 29)));
    }

    #[test]
    fn extreme_years_have_valid_dates() {
        assert_eq!(p("2200Oct").end(), d(2201, 9, 30));
        assert_eq!(p("1900").start(), d(1900, 1, 1));
        assert_eq!(p("190002").end(), d(1900, 2, 28));
    }

    #[test]
    fn labels() {
        assert_eq!(p("2026Q3").label(), "Jul–Sep 2026");
        assert_eq!(p("2026Q1").label(), "Jan–Mar 2026");
        assert_eq!(p("202609").label(), "September 2026");
        assert_eq!(p("2026").label(), "2026");
        assert_eq!(p("2026S1").label(), "Jan–Jun 2026");
        assert_eq!(p("2026S2").label(), "Jul–Dec 2026");
        assert_eq!(p("2026July").label(), "FY 2026/27 (Jul–Jun)");
        assert_eq!(p("2026April").label(), "FY 2026/27 (Apr–Mar)");
        assert_eq!(p("2026Oct").label(), "FY 2026/27 (Oct–Sep)");
        assert_eq!(p("2099July").label(), "FY 2099/00 (Jul–Jun)");
    }

    #[test]
    fn constructors() {
        assert_eq!(Period::year(2026), p("2026"));
        assert_eq!(Period::year(99999), p("2200"));
        assert_eq!(Period::year(-5), p("1900"));
        assert_eq!(Period::quarter(2026, 3), Some(p("2026Q3")));
        assert_eq!(Period::quarter(2026, 0), None);
        assert_eq!(Period::quarter(2026, 5), None);
        assert_eq!(Period::quarter(2201, 1), None);
        assert_eq!(Period::month(2026, 9), Some(p("202609")));
        assert_eq!(Period::month(2026, 13), None);
        assert_eq!(Period::six_month(2026, 2), Some(p("2026S2")));
        assert_eq!(Period::six_month(2026, 3), None);
        assert_eq!(Period::financial_year(2026, 7), Some(p("2026July")));
        assert_eq!(Period::financial_year(2026, 4), Some(p("2026April")));
        assert_eq!(Period::financial_year(2026, 10), Some(p("2026Oct")));
        assert_eq!(Period::financial_year(2026, 1), None);
        assert_eq!(Period::financial_year(1899, 7), None);
    }

    #[test]
    fn kenyan_fy_contains_its_quarters_only() {
        let fy = p("2026July");
        for q in ["2026Q3", "2026Q4", "2027Q1", "2027Q2"] {
            assert!(fy.contains(&p(q)), "{q}");
            assert!(fy.overlaps(&p(q)), "{q}");
        }
        for q in ["2026Q2", "2027Q3"] {
            assert!(!fy.contains(&p(q)), "{q}");
            assert!(!fy.overlaps(&p(q)), "{q}");
        }
        assert!(fy.contains(&p("202607")));
        assert!(fy.contains(&p("202706")));
        assert!(!fy.contains(&p("202707")));
        assert!(fy.contains(&fy));
        assert!(!fy.contains(&p("2026")));
        assert!(fy.overlaps(&p("2026")));
        assert!(fy.overlaps(&p("2026April")));
        assert!(!p("2026Q3").contains(&fy));
    }

    #[test]
    fn contains_date_is_inclusive() {
        let q = p("2026Q3");
        assert!(q.contains_date(d(2026, 7, 1)));
        assert!(q.contains_date(d(2026, 9, 30)));
        assert!(!q.contains_date(d(2026, 6, 30)));
        assert!(!q.contains_date(d(2026, 10, 1)));
    }

    #[test]
    fn ordering_by_start_then_end() {
        let mut v = [
            p("202602"),
            p("2026"),
            p("2026S1"),
            p("2025Q4"),
            p("2026Q1"),
            p("202601"),
            p("2026July"),
            p("2026Q3"),
        ];
        v.sort();
        let ids: Vec<String> = v.iter().map(Period::id).collect();
        assert_eq!(
            ids,
            ["2025Q4", "202601", "2026Q1", "2026S1", "2026", "202602", "2026Q3", "2026July"]
        );
        assert!(p("2026Q1") < p("2026"));
        assert_eq!(p("2026Q1").cmp(&p("2026q1")), Ordering::Equal);
    }

    #[test]
    fn next_and_prev_cross_year_ends() {
        let steps = [
            ("2026Q4", "2027Q1"),
            ("202612", "202701"),
            ("2026S2", "2027S1"),
            ("2026", "2027"),
            ("2026July", "2027July"),
            ("2026April", "2027April"),
            ("2026Oct", "2027Oct"),
            ("2026Q1", "2026Q2"),
            ("202601", "202602"),
        ];
        for (a, b) in steps {
            assert_eq!(p(a).next(), p(b), "{a}.next()");
            assert_eq!(p(b).prev(), p(a), "{b}.prev()");
        }
    }

    #[test]
    fn stepping_stops_at_the_supported_range() {
        assert_eq!(p("2200Q4").checked_next(), None);
        assert_eq!(p("2200Q4").next(), p("2200Q4"));
        assert_eq!(p("190001").checked_prev(), None);
        assert_eq!(p("190001").prev(), p("190001"));
        assert_eq!(p("2200Q3").checked_next(), Some(p("2200Q4")));
    }

    #[test]
    fn containing_a_date() {
        assert_eq!(Period::quarter_containing(d(2026, 9, 30)), p("2026Q3"));
        assert_eq!(Period::quarter_containing(d(2026, 10, 1)), p("2026Q4"));
        assert_eq!(Period::quarter_containing(d(2026, 1, 1)), p("2026Q1"));
        assert_eq!(Period::kenyan_fy_containing(d(2026, 7, 1)), p("2026July"));
        assert_eq!(Period::kenyan_fy_containing(d(2026, 6, 30)), p("2025July"));
        assert_eq!(Period::kenyan_fy_containing(d(2027, 2, 14)), p("2026July"));
        // Out-of-range dates are clamped rather than panicking.
        assert_eq!(Period::quarter_containing(d(2300, 5, 1)), p("2200Q4"));
        assert_eq!(Period::quarter_containing(d(1800, 5, 1)), p("1900Q1"));
        assert_eq!(Period::kenyan_fy_containing(d(1900, 3, 1)), p("1900July"));
    }

    #[test]
    fn quarters_inside_periods() {
        let ids = |s: &str| -> Vec<String> { p(s).quarters().iter().map(Period::id).collect() };
        assert_eq!(ids("2026July"), ["2026Q3", "2026Q4", "2027Q1", "2027Q2"]);
        assert_eq!(ids("2026April"), ["2026Q2", "2026Q3", "2026Q4", "2027Q1"]);
        assert_eq!(ids("2026Oct"), ["2026Q4", "2027Q1", "2027Q2", "2027Q3"]);
        assert_eq!(ids("2026"), ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]);
        assert_eq!(ids("2026S2"), ["2026Q3", "2026Q4"]);
        assert_eq!(ids("2026Q3"), ["2026Q3"]);
        assert!(ids("202609").is_empty());
        // Partly beyond 2200: only the representable quarter.
        assert_eq!(ids("2200Oct"), ["2200Q4"]);
    }

    #[test]
    fn kenyan_fy_quarter_labels() {
        let l = |s: &str| p(s).kenyan_fy_quarter_label();
        assert_eq!(l("2026Q3").as_deref(), Some("FY 2026/27 Q1"));
        assert_eq!(l("2026Q4").as_deref(), Some("FY 2026/27 Q2"));
        assert_eq!(l("2027Q1").as_deref(), Some("FY 2026/27 Q3"));
        assert_eq!(l("2027Q2").as_deref(), Some("FY 2026/27 Q4"));
        assert_eq!(l("2026"), None);
        assert_eq!(l("202609"), None);
    }

    #[test]
    fn serde_reads_the_id_string() {
        let de: StrDeserializer<DeError> = " 2026q3 ".into_deserializer();
        assert_eq!(Period::deserialize(de).unwrap(), p("2026Q3"));
        let de: StrDeserializer<DeError> = "2026Q5".into_deserializer();
        let err = Period::deserialize(de).unwrap_err().to_string();
        assert!(err.contains("the quarter must be 1 to 4"), "{err}");
    }

    #[test]
    fn kind_words() {
        for k in PeriodKind::ALL {
            assert_eq!(k.as_str().parse::<PeriodKind>().unwrap(), k);
            let de: StrDeserializer<DeError> = k.as_str().into_deserializer();
            assert_eq!(PeriodKind::deserialize(de).unwrap(), k);
            assert!(!k.label().is_empty());
        }
        let err = "weekly".parse::<PeriodKind>().unwrap_err().to_string();
        assert!(err.contains("financial_july"), "{err}");
    }
}
