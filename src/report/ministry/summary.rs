//! The table the ministry reads first: every county against every programme, each cell
//! a short status of that programme in that county for the period.

use super::super::render::{Align, Block, Cell, Column, Table, Width};
use super::rating::CountyRating;
use crate::domain::achievement::Rag;
use crate::report::render::Tone;

/// What one programme did in one county over the period.
#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    /// Not in the programme's phase, no milestone or activity there.
    Absent,
    /// Not in the phase, but milestones or activities listed there.
    PlanOnly {
        milestones: usize,
        activities: usize,
    },
    /// In the phase: each indicator's county rating, and how many have an approved
    /// county value.
    Covered {
        ratings: Vec<CountyRating>,
        approved: usize,
    },
}

/// The note printed under the table: what a cell says.
pub const NOTE: &str = "Each cell: the programme's indicators in the county rated against the county's own targets (✓ on track, ▲ needs attention, ✗ off track; \"no county target\" where none is set for the county, so nothing is rated), then how many of the programme's indicators have an approved value for the county out of all of them. \"Not in phase\": the county is not in the programme's phase for the period, but milestones or activities of the programme are listed there. —: the programme does not work in the county in the period.";

/// "✓3 ▲1 ✗0 · 12/14 approved", "no county target · 12/14 approved", "—".
pub fn cell(p: &Presence) -> Cell {
    match p {
        Presence::Absent => Cell::new("—"),
        Presence::PlanOnly {
            milestones,
            activities,
        } => Cell::new(format!(
            "not in phase; {milestones} milestones, {activities} activities"
        )),
        Presence::Covered { ratings, approved } => {
            let n = |r: Rag| ratings.iter().filter(|x| x.rag() == Some(r)).count();
            let rated = ratings.iter().any(|r| r.target().is_some());
            let tally = if rated {
                format!(
                    "{}{} {}{} {}{}",
                    Tone::Green.symbol(),
                    n(Rag::Green),
                    Tone::Amber.symbol(),
                    n(Rag::Amber),
                    Tone::Red.symbol(),
                    n(Rag::Red)
                )
            } else {
                "no county target".to_string()
            };
            Cell::new(format!("{tally} · {approved}/{} approved", ratings.len()))
        }
    }
}

/// The table: a row per county (in the order given), a column per programme.
pub fn table(programmes: &[String], rows: Vec<(String, Vec<Presence>)>) -> Block {
    let mut columns = vec![Column::new("County", Width::Points(86.0), Align::Left)];
    columns.extend(
        programmes
            .iter()
            .map(|p| Column::new(p.clone(), Width::Share(1.0), Align::Left)),
    );
    Block::Table(Table {
        columns,
        rows: rows
            .into_iter()
            .map(|(county, cells)| {
                let mut row = vec![Cell::new(county)];
                row.extend(cells.iter().map(cell));
                row
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_tallies_county_ratings_or_says_there_are_none() {
        let rated = Presence::Covered {
            ratings: vec![
                CountyRating::Rated {
                    target: 1.0,
                    percent: 100.0,
                    rag: Rag::Green,
                },
                CountyRating::Rated {
                    target: 1.0,
                    percent: 10.0,
                    rag: Rag::Red,
                },
                CountyRating::NoTarget,
            ],
            approved: 2,
        };
        assert_eq!(cell(&rated).text, "✓1 ▲0 ✗1 · 2/3 approved");
        let none = Presence::Covered {
            ratings: vec![CountyRating::NoTarget; 4],
            approved: 4,
        };
        assert_eq!(cell(&none).text, "no county target · 4/4 approved");
        assert_eq!(cell(&Presence::Absent).text, "—");
    }
}
