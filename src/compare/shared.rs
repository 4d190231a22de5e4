//! A comparison as an audience outside the programme team may see it: the comparison
//! CSV and API, and a donor report's evaluation annex, all leave the tracker. Indicators
//! above the audience's level are left out; a county group's figure (a sum over some of
//! the counties) and each county's own figure under a small-number rule are withheld or
//! coarsened as the rule says, with a complement so that a hidden group cannot be worked
//! out from the programme's published total. Pure: no database.

use std::collections::HashMap;

use super::present::{Comparison, CountyDetail};
use crate::domain::disclosure::{protect, Audience, Level, Shown, SmallRule};

/// What the disclosure rules need of an indicator, by its code.
pub type Rules = HashMap<String, (Level, Option<SmallRule>)>;

/// The note a comparison carries when anything was kept out of it.
pub const NOTE: &str = "Shared outside the programme team: indicators the programme keeps internal are left out, and a county group's or county's figure under a small-number rule is shown as \"fewer than N\" or withheld (with the next smallest, so that it cannot be worked out from the total); changes and differences that would need a withheld figure are not given.";

/// Takes out of `c` (and the county breakdown, if any) what `audience` may not see;
/// returns how many figures or rows were kept out.
pub fn disclose(
    c: &mut Comparison,
    detail: &mut Option<CountyDetail>,
    rules: &Rules,
    audience: Audience,
) -> usize {
    if !audience.protected() {
        return 0;
    }
    let visible = |code: &str| {
        rules
            .get(code)
            .is_some_and(|(level, _)| audience.may_see(*level))
    };
    let before = c.rows.len();
    c.rows.retain(|r| visible(&r.code));
    let mut kept_out = before - c.rows.len();
    if detail.as_ref().is_some_and(|d| !visible(&d.code)) {
        *detail = None;
        kept_out += 1;
    }
    // One group over every county of each side is the programme's own figure, published
    // as such: only county groups (sums over some counties) are protected.
    let whole = c.groups.len() == 1 && c.groups[0].ids.is_none();
    for row in &mut c.rows {
        let rule = rules.get(&row.code).and_then(|(_, r)| *r);
        if rule.is_none() || whole {
            continue;
        }
        let sides = row.groups.first().map_or(0, |g| g.cells.len());
        for s in 0..sides {
            let cells: Vec<(usize, f64)> = row
                .groups
                .iter()
                .enumerate()
                .filter_map(|(g, gr)| gr.cells.get(s).and_then(|x| x.value).map(|v| (g, v)))
                .collect();
            for (g, shown) in protect(&cells, rule, audience) {
                let Shown::Hidden(h) = shown else { continue };
                kept_out += 1;
                let gr = &mut row.groups[g];
                let cell = &mut gr.cells[s];
                cell.value = None;
                cell.shown = h.shown_as();
                cell.achievement = None;
                cell.achievement_shown = "—".into();
                cell.withheld = true;
                // A change from or to a withheld figure would give it away.
                if s == 0 {
                    gr.changes.iter_mut().for_each(|ch| *ch = None);
                    row.did.iter_mut().for_each(|d| *d = None);
                } else {
                    if let Some(ch) = gr.changes.get_mut(s - 1) {
                        *ch = None;
                    }
                    if let Some(d) = row.did.get_mut(s - 1) {
                        *d = None;
                    }
                }
            }
        }
    }
    if let Some(d) = detail {
        let rule = rules.get(&d.code).and_then(|(_, r)| *r);
        let sides = d.sides.len();
        for s in 0..sides {
            let cells: Vec<(usize, f64)> = d
                .lines
                .iter()
                .enumerate()
                .filter_map(|(i, l)| l.raw.get(s).copied().flatten().map(|v| (i, v)))
                .collect();
            for (i, shown) in protect(&cells, rule, audience) {
                let Shown::Hidden(h) = shown else { continue };
                kept_out += 1;
                d.lines[i].raw[s] = None;
                d.lines[i].values[s] = h.shown_as();
            }
        }
    }
    if kept_out > 0 {
        c.notes.push(NOTE.into());
    }
    kept_out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::plan::Group;
    use crate::compare::present::{Cell, ChangeCell, CountyLine, GroupRow, Row};
    use crate::domain::comparison::Verdict;
    use crate::domain::unit::Unit;
    use std::collections::BTreeSet;

    fn cell(v: f64) -> Cell {
        Cell {
            source: "X-1".into(),
            value: Some(v),
            shown: format!("{v}"),
            reported: 1,
            expected: 1,
            target: None,
            target_shown: String::new(),
            achievement: Some(50.0),
            achievement_shown: "50%".into(),
            what: String::new(),
            withheld: false,
        }
    }

    fn change() -> Option<ChangeCell> {
        Some(ChangeCell {
            absolute: 1.0,
            shown: "+1".into(),
            percent: None,
            percent_shown: String::new(),
            verdict: Verdict::Better,
            word: "better",
        })
    }

    fn row(code: &str, a: [f64; 2], b: [f64; 2]) -> Row {
        Row {
            code: code.into(),
            title: format!("{code} title"),
            unit: "count".into(),
            direction: "higher".into(),
            county_rule: String::new(),
            period_rule: String::new(),
            is_key: false,
            groups: vec![
                GroupRow {
                    group: "A".into(),
                    cells: a.iter().map(|v| cell(*v)).collect(),
                    changes: vec![change()],
                },
                GroupRow {
                    group: "B".into(),
                    cells: b.iter().map(|v| cell(*v)).collect(),
                    changes: vec![change()],
                },
            ],
            did: vec![None],
            flags: vec![],
            measure: Unit::Count,
        }
    }

    fn comparison(rows: Vec<Row>, split: bool) -> Comparison {
        let group = |name: &str, ids: Option<BTreeSet<i32>>| Group {
            name: name.into(),
            ids,
            counties: vec![],
        };
        Comparison {
            programme: "P".into(),
            programme_name: "P".into(),
            query: String::new(),
            through: String::new(),
            sides: vec![],
            groups: if split {
                vec![
                    group("A", Some(BTreeSet::from([1]))),
                    group("B", Some(BTreeSet::from([2, 3]))),
                ]
            } else {
                vec![group("All", None)]
            },
            notes: vec![],
            rows,
            currency: "GBP".into(),
        }
    }

    fn rules() -> Rules {
        Rules::from([
            ("P-1".to_string(), (Level::Public, None)),
            ("P-2".to_string(), (Level::Internal, None)),
            (
                "P-3".to_string(),
                (Level::Partners, Some(SmallRule::FewerThan(5))),
            ),
        ])
    }

    #[test]
    fn internal_rows_go_and_a_small_group_is_hidden_with_its_complement() {
        let mut c = comparison(
            vec![
                row("P-1", [1.0, 2.0], [3.0, 4.0]),
                row("P-2", [10.0, 20.0], [30.0, 40.0]),
                row("P-3", [3.0, 12.0], [40.0, 50.0]),
            ],
            true,
        );
        let mut none = None;
        let n = disclose(&mut c, &mut none, &rules(), Audience::Partners);
        let codes: Vec<&str> = c.rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["P-1", "P-3"]);
        let p3 = &c.rows[1];
        assert_eq!(p3.groups[0].cells[0].shown, "fewer than 5");
        assert_eq!(p3.groups[0].cells[0].value, None);
        assert!(
            p3.groups[1].cells[0].withheld,
            "the complement goes with it"
        );
        assert_eq!(p3.groups[1].cells[0].shown, "withheld");
        assert!(p3.groups.iter().all(|g| g.changes[0].is_none()));
        assert_eq!(p3.groups[0].cells[1].value, Some(12.0));
        // P-1 has no rule: its small figures stay.
        assert_eq!(c.rows[0].groups[0].cells[0].value, Some(1.0));
        assert_eq!(n, 3);
        assert!(c.notes.iter().any(|x| x == NOTE));
    }

    #[test]
    fn the_programme_total_stays_and_the_team_sees_everything() {
        let mut c = comparison(vec![row("P-3", [3.0, 12.0], [40.0, 50.0])], false);
        c.rows[0].groups.truncate(1);
        disclose(&mut c, &mut None, &rules(), Audience::Partners);
        assert_eq!(c.rows[0].groups[0].cells[0].value, Some(3.0));
        let mut team = comparison(vec![row("P-2", [1.0, 2.0], [3.0, 4.0])], true);
        assert_eq!(disclose(&mut team, &mut None, &rules(), Audience::Team), 0);
        assert_eq!(team.rows.len(), 1);
    }

    #[test]
    fn county_detail_hides_small_counties_and_internal_indicators() {
        let line = |name: &str, v: f64| CountyLine {
            county: name.into(),
            group: "All".into(),
            values: vec![format!("{v}")],
            raw: vec![Some(v)],
        };
        let mut c = comparison(vec![], false);
        let mut d = Some(CountyDetail {
            code: "P-3".into(),
            title: "t".into(),
            sides: vec!["S".into()],
            lines: vec![line("a", 2.0), line("b", 9.0), line("c", 30.0)],
        });
        disclose(&mut c, &mut d, &rules(), Audience::Partners);
        let d = d.unwrap();
        assert_eq!(d.lines[0].values[0], "fewer than 5");
        assert_eq!(d.lines[1].values[0], "withheld");
        assert_eq!(d.lines[1].raw[0], None);
        assert_eq!(d.lines[2].raw[0], Some(30.0));
        let mut internal = Some(CountyDetail {
            code: "P-2".into(),
            title: "t".into(),
            sides: vec![],
            lines: vec![],
        });
        disclose(&mut c, &mut internal, &rules(), Audience::Partners);
        assert!(internal.is_none());
    }
}
