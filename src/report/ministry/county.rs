//! One programme's indicators in one county: the county's approved value, the same
//! county's value in the period before, and the county's own rating — against a county
//! target where one is set, never the programme's rating repeated.

use std::collections::HashMap;

use super::super::figures::ReportFigure;
use super::super::render::{Align, Block, Cell, Column, Table, Width};
use super::super::text::rag_cell;
use super::labels;
use super::rating::{self, CountyRating};
use super::ProgrammePart;
use crate::domain::achievement::Direction;
use crate::domain::comparison::Verdict;
use crate::domain::disclosure::Hidden;
use crate::domain::period::Period;
use crate::figures::kind;
use crate::format::value;

/// A county's table lists every indicator of a programme up to this many; a longer
/// logframe (the generated 100-indicator programmes) gets its key indicators and those
/// needing attention, and a pointer to the CSV export for every other value, so that 47
/// counties × 3 programmes stay a readable document that a slow link can fetch (a list
/// of every value was a third of the 200,000-value report, and unreadable as prose).
const FULL_TABLE_MAX: usize = 30;
/// Indicators needing attention shown beside the key ones in a long logframe's table.
const ATTENTION_MAX: usize = 8;

/// The note under every county table: what the rating columns rate.
pub const RATING_NOTE: &str = concat!(
    "County target and county RAG: the county's value against the interim target set for this county, where the programme has set one; \"no county target\" where it has not, and the county is then not rated (the programme's own rating is of all its counties together, in the overview). ",
    "All counties: the programme's figure over every county of its phase. ",
    "A programme of more than 30 indicators shows its key indicators and the others most in need of attention: not yet approved here first, then off their county target or moved the wrong way, the largest moves first; every value is in the programme's CSV export."
);

pub struct CountyLine<'a> {
    pub figure: &'a ReportFigure,
    pub here: Option<f64>,
    /// The county's figure is kept out under a small-number rule (`here` is then None).
    pub hidden: Option<Hidden>,
    /// The same for the period before.
    pub hidden_before: Option<Hidden>,
    pub before: Option<f64>,
    pub rating: CountyRating,
}

/// Each indicator of the programme in the county, rated against the county's targets.
pub fn lines<'a>(part: &'a ProgrammePart, county: i32, period: &Period) -> Vec<CountyLine<'a>> {
    let previous: HashMap<i32, (Option<f64>, Option<Hidden>)> = part
        .previous
        .figures
        .iter()
        .map(|f| {
            (
                f.indicator.id,
                (county_value(f, county), hidden_of(f, county)),
            )
        })
        .collect();
    let thresholds = part.programme.thresholds();
    part.figures
        .figures
        .iter()
        .map(|f| {
            let here = county_value(f, county);
            let (before, hidden_before) =
                previous.get(&f.indicator.id).copied().unwrap_or_default();
            CountyLine {
                figure: f,
                here,
                hidden: hidden_of(f, county),
                hidden_before,
                before,
                rating: rating::rate(
                    &f.rules,
                    &thresholds,
                    period,
                    &part.figures.coverage,
                    county,
                    part.county_targets.get(&(f.indicator.id, county)),
                    here,
                ),
            }
        })
        .collect()
}

/// The county's indicator table (and, for a long logframe, the compact list of every
/// value), with the notes that explain it after it, so that the headings above stay
/// with the table's first rows.
pub fn indicators(
    part: &ProgrammePart,
    county_name: &str,
    lines: &[CountyLine],
    period: &Period,
    b: &mut Vec<Block>,
) {
    let p = &part.programme;
    let missing = lines
        .iter()
        .filter(|l| l.here.is_none() && l.hidden.is_none())
        .count();
    let worse = lines
        .iter()
        .filter(|l| l.trend() == Some(Verdict::Worse))
        .count();
    let rated = lines.iter().filter(|l| l.rating.rag().is_some()).count();
    let mut notes = vec![format!(
        "{} indicators: {} approved here, {missing} not yet approved; {worse} moved the wrong way since {}{}.",
        lines.len(),
        lines.len() - missing,
        period.prev().label(),
        if rated > 0 {
            format!("; {rated} rated against a county target")
        } else {
            String::new()
        }
    )];
    let shown: Vec<&CountyLine> = if lines.len() <= FULL_TABLE_MAX {
        lines.iter().collect()
    } else {
        let mut attention: Vec<&CountyLine> = lines
            .iter()
            .filter(|l| !l.figure.indicator.is_key)
            .filter(|l| {
                l.here.is_none()
                    || l.trend() == Some(Verdict::Worse)
                    || l.rating
                        .rag()
                        .is_some_and(|r| r != crate::domain::achievement::Rag::Green)
            })
            .collect();
        // Not yet approved first, then the largest moves the wrong way.
        attention.sort_by(|a, b| {
            b.here
                .is_none()
                .cmp(&a.here.is_none())
                .then(b.relative_move().total_cmp(&a.relative_move()))
        });
        let more = attention.len().saturating_sub(ATTENTION_MAX);
        attention.truncate(ATTENTION_MAX);
        let mut shown: Vec<&CountyLine> =
            lines.iter().filter(|l| l.figure.indicator.is_key).collect();
        let key = shown.len();
        shown.extend(attention);
        shown.sort_by_key(|l| l.figure.indicator.position);
        notes.push(format!(
            "Shown: the key indicators and {} needing attention{}; every value is in \"Export values (CSV)\" on {}'s page in Mipaka.",
            shown.len() - key,
            if more > 0 {
                format!(" ({more} more not shown)")
            } else {
                String::new()
            },
            p.code
        ));
        shown
    };
    // A programme that sets this county no target at all gets no target or rating
    // columns: one sentence says so, instead of "no county target" on every row.
    let targeted = lines
        .iter()
        .any(|l| !matches!(l.rating, CountyRating::NoTarget));
    if !targeted {
        notes.insert(
            0,
            format!(
                "{} sets no county target for {county_name}: not rated.",
                p.code
            ),
        );
    }
    let rows = shown
        .iter()
        .map(|l| {
            let f = l.figure;
            let unit = f.rules.unit;
            let mut title = format!("{} {}", f.indicator.code, f.indicator.title);
            if let Some(over) = labels::over_quarters(f.figure.kind, period) {
                title.push_str(&format!(" ({over})"));
            }
            // A figure under a small-number rule says so ("fewer than 5", "withheld"),
            // and is neither rated nor trended: either would give it away.
            let shown = |v: Option<f64>, h: Option<Hidden>| match h {
                Some(h) => h.shown_as(),
                None => value(unit, v, &p.currency),
            };
            let mut row = vec![
                Cell::new(title),
                Cell::new(shown(l.here, l.hidden)),
                Cell::new(shown(l.before, l.hidden_before)),
                Cell::new(l.trend_word()),
            ];
            if targeted {
                row.push(Cell::new(value(unit, l.rating.target(), &p.currency)));
                row.push(if l.hidden.is_some() {
                    Cell::new("—")
                } else {
                    rating_cell(&l.rating)
                });
            }
            row.push(Cell::new(kind::achieved(
                &f.figure,
                unit,
                &p.currency,
                true,
            )));
            row
        })
        .collect();
    let mut columns = vec![
        // Code and title share a column: the figures need the width more.
        Column::new("Indicator", Width::Share(1.0), Align::Left),
        Column::new(
            labels::this_column(period.kind()),
            Width::Points(54.0),
            Align::Right,
        ),
        Column::new(
            labels::previous_column(period.kind()),
            Width::Points(54.0),
            Align::Right,
        ),
        Column::new("Trend", Width::Points(38.0), Align::Left),
    ];
    if targeted {
        columns.push(Column::new(
            "County target",
            Width::Points(50.0),
            Align::Right,
        ));
        columns.push(Column::new("County RAG", Width::Points(58.0), Align::Left));
    }
    columns.push(Column::new(
        "All counties",
        Width::Points(58.0),
        Align::Right,
    ));
    b.push(Block::Table(Table { columns, rows }));
    b.push(Block::Note(notes.join(" ")));
}

/// The county's own rating, or why there is none.
fn rating_cell(r: &CountyRating) -> Cell {
    match r {
        CountyRating::NoTarget => Cell::new("no county target"),
        CountyRating::NotYet { .. } => Cell::new("not yet approved"),
        CountyRating::Rated { rag, .. } => rag_cell(Some(*rag)),
    }
}

fn hidden_of(f: &ReportFigure, county: i32) -> Option<Hidden> {
    f.figure
        .hidden
        .iter()
        .find(|(c, _)| *c == county)
        .map(|(_, h)| *h)
}

fn county_value(f: &ReportFigure, county: i32) -> Option<f64> {
    f.figure
        .by_county
        .iter()
        .find(|(c, _)| *c == county)
        .and_then(|(_, v)| *v)
}

impl CountyLine<'_> {
    /// Since the previous period, judged by the indicator's direction; None when
    /// either period has no approved value.
    fn trend(&self) -> Option<Verdict> {
        let (now, before) = (self.here?, self.before?);
        Some(trend(now, before, self.figure.rules.direction))
    }

    fn trend_word(&self) -> &'static str {
        match self.trend() {
            Some(Verdict::Better) => "better",
            Some(Verdict::Worse) => "worse",
            Some(Verdict::Same) => "same",
            None => "—",
        }
    }

    /// How far the value moved, relative to the previous period, for ordering.
    fn relative_move(&self) -> f64 {
        match (self.here, self.before) {
            (Some(now), Some(before)) => (now - before).abs() / before.abs().max(1e-9),
            _ => 0.0,
        }
    }
}

/// Better or worse, given which way the indicator should move.
fn trend(now: f64, before: f64, direction: Direction) -> Verdict {
    Verdict::of(now - before, direction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_follows_the_indicators_direction() {
        use Direction::*;
        assert_eq!(trend(12.0, 10.0, HigherIsBetter), Verdict::Better);
        assert_eq!(trend(8.0, 10.0, HigherIsBetter), Verdict::Worse);
        assert_eq!(trend(8.0, 10.0, LowerIsBetter), Verdict::Better);
        assert_eq!(trend(12.0, 10.0, LowerIsBetter), Verdict::Worse);
        assert_eq!(trend(10.0, 10.0, LowerIsBetter), Verdict::Same);
    }

    #[test]
    fn a_county_without_a_target_says_so_instead_of_a_rating() {
        assert_eq!(
            rating_cell(&CountyRating::NoTarget).text,
            "no county target"
        );
        assert!(rating_cell(&CountyRating::NoTarget).tone.is_none());
    }
}
