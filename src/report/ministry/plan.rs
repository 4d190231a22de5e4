//! Milestones and activities in the ministry report: the tables a county or the
//! programme as a whole lists, and the counts the overview states — the same activities
//! the donor report of the programme lists for the period (`report::as_at`), split into
//! those of a county and those of the programme as a whole ("All counties").

use super::super::as_at::{self, ActivityLine, AsAt, MilestoneLine};
use super::super::render::{Align, Block, Cell, Column, Table, Width};
use crate::format;

/// How many activities a programme's period lists, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActivityCounts {
    /// Every listed activity: the donor report's count.
    pub total: usize,
    pub in_counties: usize,
    pub programme_wide: usize,
    pub late: usize,
}

impl ActivityCounts {
    pub fn of(plan: &AsAt) -> ActivityCounts {
        let total = plan.activities.len();
        let programme_wide = plan
            .activities
            .iter()
            .filter(|a| a.activity.location_id.is_none())
            .count();
        ActivityCounts {
            total,
            in_counties: total - programme_wide,
            programme_wide,
            late: plan.late(),
        }
    }

    /// "12 under way (10 in counties, 2 programme-wide); 5 late": every number with the
    /// word that says what it counts.
    pub fn words(&self) -> String {
        if self.total == 0 {
            return "none under way".into();
        }
        format!(
            "{} under way ({} in counties, {} programme-wide); {} late",
            self.total, self.in_counties, self.programme_wide, self.late
        )
    }
}

/// "3 of 5 due completed; 2 coming up".
pub fn milestone_words(plan: &AsAt) -> String {
    let listed = plan.in_period().count();
    let done = plan.in_period().filter(|(_, s)| s.is_completed()).count();
    let coming = plan.coming_up();
    if listed == 0 {
        format!("none due; {coming} coming up")
    } else {
        format!("{done} of {listed} due completed; {coming} coming up")
    }
}

pub fn milestone_table(lines: &[&MilestoneLine]) -> Block {
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                Cell::new(&l.milestone.title),
                Cell::new(format::date(l.milestone.due_date)),
                as_at::milestone_cell(l.listing),
            ]
        })
        .collect();
    Block::Table(Table {
        columns: vec![
            Column::new("Milestone", Width::Share(1.0), Align::Left),
            Column::new("Due", Width::Points(62.0), Align::Left),
            Column::new("Status", Width::Points(96.0), Align::Left),
        ],
        rows,
    })
}

pub fn activity_table(lines: &[&ActivityLine]) -> Block {
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                Cell::new(&l.activity.code),
                Cell::new(&l.activity.title),
                Cell::new(format::date(l.activity.planned_end)),
                as_at::activity_cell(l),
                Cell::new(format!("{}%", l.state.percent_complete)),
            ]
        })
        .collect();
    Block::Table(Table {
        columns: vec![
            Column::new("Code", Width::Points(50.0), Align::Left),
            Column::new("Activity", Width::Share(1.0), Align::Left),
            Column::new("Planned end", Width::Points(62.0), Align::Left),
            Column::new("Status", Width::Points(90.0), Align::Left),
            Column::new("% complete", Width::Points(56.0), Align::Right),
        ],
        rows,
    })
}

/// The milestones and activities of one place: a county (`Some(id)`) or the programme as
/// a whole (`None`).
pub fn of_place(plan: &AsAt, place: Option<i32>) -> (Vec<&MilestoneLine>, Vec<&ActivityLine>) {
    (
        plan.milestones
            .iter()
            .filter(|m| m.milestone.location_id == place)
            .collect(),
        plan.activities
            .iter()
            .filter(|a| a.activity.location_id == place)
            .collect(),
    )
}

/// Tables for a place's milestones and activities (nothing for an empty list). Their
/// column titles say what they list, so they need no heading of their own.
pub fn tables(milestones: &[&MilestoneLine], activities: &[&ActivityLine], b: &mut Vec<Block>) {
    if !milestones.is_empty() {
        b.push(milestone_table(milestones));
    }
    if !activities.is_empty() {
        b.push(activity_table(activities));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_count_says_what_it_counts() {
        let c = ActivityCounts {
            total: 12,
            in_counties: 10,
            programme_wide: 2,
            late: 5,
        };
        assert_eq!(
            c.words(),
            "12 under way (10 in counties, 2 programme-wide); 5 late"
        );
        assert_eq!(ActivityCounts::default().words(), "none under way");
    }
}
