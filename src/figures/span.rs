//! What a figure is over: a span of whole quarters (a quarter, a half-year, a calendar or
//! financial year, a phase, any range), and which counties each of its quarters expects —
//! those of the phase the quarter falls in, so a Kenyan financial year that starts in
//! Phase 1 and ends in Phase 2 expects four counties for two quarters and seven for two.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;

use crate::domain::period::{Period, PeriodKind};
use crate::models::programme::PhaseWithCounties;

/// A run of consecutive calendar quarters, perhaps named by the period it makes up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    quarters: Vec<Period>,
    named: Option<Period>,
}

/// Why a span cannot be built: a period shorter than the programme reports in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanError(pub String);

impl fmt::Display for SpanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Span {
    /// The quarters of a named period. A month (or anything shorter than a quarter) is
    /// refused: every programme reports by quarter, so a month's figure does not exist and
    /// must not print as "0 of 7 counties".
    pub fn of(period: Period, frequency: &str) -> Result<Span, SpanError> {
        let quarters = period.quarters();
        if quarters.is_empty() || period.kind() == PeriodKind::Month {
            let q = Period::quarter_containing(period.start());
            return Err(SpanError(format!(
                "{} is a month, and this programme reports {}: ask for the quarter {} ({}) or a longer period",
                period.id(),
                if frequency.is_empty() { "quarterly" } else { frequency },
                q.id(),
                q.label()
            )));
        }
        Ok(Span {
            quarters,
            named: Some(period),
        })
    }

    /// Every quarter from `first` to `last`, both included (empty when `last` is earlier).
    pub fn quarters_from(first: Period, last: Period) -> Span {
        let mut quarters = Vec::new();
        let mut q = Period::quarter_containing(first.start());
        while q <= last && q.end() <= last.end() {
            quarters.push(q);
            match q.checked_next() {
                Some(n) => q = n,
                None => break,
            }
        }
        Span {
            quarters,
            named: None,
        }
    }

    /// The quarters lying wholly between two dates.
    pub fn between(start: NaiveDate, end: NaiveDate) -> Span {
        let mut q = Period::quarter_containing(start);
        if q.start() < start {
            q = q.next();
        }
        let mut quarters = Vec::new();
        while q.end() <= end {
            quarters.push(q);
            match q.checked_next() {
                Some(n) => q = n,
                None => break,
            }
        }
        Span {
            quarters,
            named: None,
        }
    }

    /// A single quarter.
    pub fn quarter(q: Period) -> Span {
        Span {
            quarters: vec![q],
            named: Some(q),
        }
    }

    pub fn quarters(&self) -> &[Period] {
        &self.quarters
    }

    /// The period this span makes up, when it was asked for as one.
    pub fn named(&self) -> Option<&Period> {
        self.named.as_ref()
    }

    pub fn is_empty(&self) -> bool {
        self.quarters.is_empty()
    }

    pub fn first(&self) -> Option<Period> {
        self.quarters.first().copied()
    }

    pub fn last(&self) -> Option<Period> {
        self.quarters.last().copied()
    }

    pub fn start(&self) -> Option<NaiveDate> {
        self.first().map(|q| q.start())
    }

    pub fn end(&self) -> Option<NaiveDate> {
        self.last().map(|q| q.end())
    }

    /// "Jul 2024–Jun 2025" (or the named period's own label).
    pub fn label(&self) -> String {
        if let Some(p) = &self.named {
            return p.label();
        }
        match (self.first(), self.last()) {
            (Some(a), Some(b)) if a == b => a.label(),
            (Some(a), Some(b)) => {
                format!("{}–{}", a.start().format("%b %Y"), b.end().format("%b %Y"))
            }
            _ => "no quarters".into(),
        }
    }
}

/// One quarter of a span and the counties expected to report in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterCounties {
    pub quarter: Period,
    /// Position of the phase the quarter falls in (None: no phase covers it).
    pub phase: Option<i32>,
    pub counties: Vec<i32>,
}

/// The phase a quarter falls in: the one containing the whole quarter, else the one
/// containing its start.
pub fn phase_of_quarter<'a>(
    phases: &'a [PhaseWithCounties],
    q: &Period,
) -> Option<&'a PhaseWithCounties> {
    crate::models::programme::phase_of(phases, q)
}

/// Each quarter of the span with the counties of its phase, narrowed to `only` when given.
pub fn coverage(
    phases: &[PhaseWithCounties],
    quarters: &[Period],
    only: Option<&BTreeSet<i32>>,
) -> Vec<QuarterCounties> {
    quarters
        .iter()
        .map(|q| {
            let phase = phase_of_quarter(phases, q);
            let counties = phase
                .map(|ph| {
                    ph.counties
                        .iter()
                        .map(|c| c.id)
                        .filter(|id| only.is_none_or(|o| o.contains(id)))
                        .collect()
                })
                .unwrap_or_default();
            QuarterCounties {
                quarter: *q,
                phase: phase.map(|p| p.phase.position),
                counties,
            }
        })
        .collect()
}

/// The counties any quarter expects, in the order the phases list them (earlier phases'
/// counties first, then those added later).
pub fn counties_in(phases: &[PhaseWithCounties], coverage: &[QuarterCounties]) -> Vec<i32> {
    let wanted: BTreeSet<i32> = coverage
        .iter()
        .flat_map(|q| q.counties.iter().copied())
        .collect();
    let mut out: Vec<i32> = Vec::new();
    for ph in phases {
        for c in &ph.counties {
            if wanted.contains(&c.id) && !out.contains(&c.id) {
                out.push(c.id);
            }
        }
    }
    out
}

/// "across Phase 1 (4 counties) and Phase 2 (7 counties)" when the span's quarters fall
/// in more than one phase; None when they all fall in one.
pub fn phases_note(phases: &[PhaseWithCounties], coverage: &[QuarterCounties]) -> Option<String> {
    let mut seen: Vec<(i32, usize)> = Vec::new();
    for q in coverage {
        if let Some(pos) = q.phase {
            if !seen.iter().any(|(p, _)| *p == pos) {
                seen.push((pos, q.counties.len()));
            }
        }
    }
    if seen.len() < 2 {
        return None;
    }
    let names: Vec<String> = seen
        .iter()
        .map(|(pos, n)| {
            let name = phases
                .iter()
                .find(|p| p.phase.position == *pos)
                .map(|p| short_phase(&p.phase.name, *pos))
                .unwrap_or_else(|| format!("Phase {pos}"));
            format!(
                "{name} ({n} {})",
                if *n == 1 { "county" } else { "counties" }
            )
        })
        .collect();
    let (last, rest) = names.split_last().expect("two or more");
    Some(format!("across {} and {last}", rest.join(", ")))
}

/// "Phase 2" from "Phase 2 — expansion to Busia, Turkana and Marsabit".
fn short_phase(name: &str, pos: i32) -> String {
    let head = name
        .split(['—', ':', '(', '–'])
        .next()
        .unwrap_or(name)
        .trim();
    if head.is_empty() {
        format!("Phase {pos}")
    } else {
        head.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::location::Location;
    use crate::models::programme::Phase;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn county(id: i32) -> Location {
        Location {
            id,
            code: format!("{id:03}"),
            name: format!("County {id}"),
            level: "county".into(),
            parent_id: None,
            mou_initial: false,
            borders: String::new(),
        }
    }

    fn phase(pos: i32, start: &str, end: &str, counties: &[i32]) -> PhaseWithCounties {
        PhaseWithCounties {
            phase: Phase {
                id: pos,
                programme_id: 1,
                name: format!("Phase {pos} — test"),
                start_date: start.parse().unwrap(),
                end_date: end.parse().unwrap(),
                position: pos,
                version: 1,
            },
            counties: counties.iter().map(|c| county(*c)).collect(),
        }
    }

    fn lbp() -> Vec<PhaseWithCounties> {
        vec![
            phase(1, "2023-01-01", "2024-12-31", &[1, 2, 3, 4]),
            phase(2, "2025-01-01", "2027-12-31", &[1, 2, 3, 4, 5, 6, 7]),
        ]
    }

    #[test]
    fn a_kenyan_year_across_two_phases_expects_each_quarters_own_counties() {
        let span = Span::of(p("2024July"), "quarterly").unwrap();
        let ids: Vec<String> = span.quarters().iter().map(Period::id).collect();
        assert_eq!(ids, ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]);
        let cov = coverage(&lbp(), span.quarters(), None);
        let counts: Vec<usize> = cov.iter().map(|q| q.counties.len()).collect();
        assert_eq!(counts, [4, 4, 7, 7]);
        assert_eq!(counties_in(&lbp(), &cov), [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(
            phases_note(&lbp(), &cov).as_deref(),
            Some("across Phase 1 (4 counties) and Phase 2 (7 counties)")
        );
    }

    #[test]
    fn one_phase_needs_no_note_and_a_county_subset_narrows_every_quarter() {
        let span = Span::of(p("2025"), "quarterly").unwrap();
        let only = BTreeSet::from([2, 6]);
        let cov = coverage(&lbp(), span.quarters(), Some(&only));
        assert!(cov.iter().all(|q| q.counties == [2, 6]));
        assert_eq!(phases_note(&lbp(), &cov), None);
        let early = coverage(
            &lbp(),
            Span::of(p("2024"), "").unwrap().quarters(),
            Some(&only),
        );
        assert!(early.iter().all(|q| q.counties == [2]));
    }

    #[test]
    fn a_month_is_refused_naming_the_quarter_to_ask_for() {
        let e = Span::of(p("202605"), "quarterly").unwrap_err();
        assert!(e.0.contains("reports quarterly"), "{e}");
        assert!(e.0.contains("2026Q2"), "{e}");
    }

    #[test]
    fn ranges_and_dates_give_whole_quarters() {
        let s = Span::quarters_from(p("2024Q3"), p("2025Q2"));
        assert_eq!(s.quarters().len(), 4);
        assert_eq!(s.label(), "Jul 2024–Jun 2025");
        let d = Span::between("2024-02-15".parse().unwrap(), "2024-12-31".parse().unwrap());
        let ids: Vec<String> = d.quarters().iter().map(Period::id).collect();
        assert_eq!(ids, ["2024Q2", "2024Q3", "2024Q4"]);
        assert!(Span::quarters_from(p("2025Q1"), p("2024Q4")).is_empty());
        assert_eq!(
            Span::of(p("2026S1"), "quarterly").unwrap().quarters().len(),
            2
        );
    }
}
