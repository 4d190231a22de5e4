//! A figure set as an output outside the programme team may show it: indicators above
//! the audience's level taken out, and county figures under an indicator's small-number
//! rule taken out of `by_county` (noted in `hidden`). Taking the numbers out — rather than
//! flagging them — means an output that forgets to look still prints nothing it should
//! not. Every output that leaves the tracker passes its figures through [`disclose`].

use serde::Serialize;

use super::{Figure, SpanFigures};
use crate::domain::disclosure::{protect, Audience, Hidden, Shown};
use crate::models::framework::Indicator;

/// One figure kept out of an output, for the publish preview and a report's note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Withheld {
    pub indicator: String,
    pub title: String,
    /// The county, when one county's figure is kept out (None: the whole indicator).
    pub county: Option<String>,
    /// The span the figure is for.
    pub period: String,
    /// What the output shows instead ("fewer than 5", "withheld", "left out").
    pub shown_as: String,
    pub why: String,
}

/// Takes out of `figs` what `audience` may not see; returns what was taken out.
pub fn disclose(figs: &mut SpanFigures, audience: Audience) -> Vec<Withheld> {
    let period = figs.span.label();
    let mut out = Vec::new();
    figs.figures.retain(|f| {
        let level = f.indicator.level();
        let keep = audience.may_see(level);
        if !keep {
            out.push(Withheld {
                indicator: f.indicator.code.clone(),
                title: f.indicator.title.clone(),
                county: None,
                period: period.clone(),
                shown_as: "left out".into(),
                why: format!("publication level {}: {}", level.as_str(), level.explain()),
            });
        }
        keep
    });
    for f in &mut figs.figures {
        let had_total = f.figure.value.is_some();
        let hidden_now = protect_counties(&f.indicator, &mut f.figure, audience);
        let sole = had_total && f.figure.value.is_none();
        for (county, hidden) in hidden_now {
            out.push(Withheld {
                indicator: f.indicator.code.clone(),
                title: f.indicator.title.clone(),
                county: figs
                    .counties
                    .iter()
                    .find(|c| c.id == county)
                    .map(|c| c.name.clone()),
                period: period.clone(),
                shown_as: hidden.shown_as(),
                why: if sole {
                    format!(
                        "{}; the only county with a figure, so the programme's figure (which is the county's) is withheld too",
                        hidden.reason()
                    )
                } else {
                    hidden.reason()
                },
            });
        }
    }
    out
}

/// One indicator's figure as `audience` may see it: None when the indicator is above
/// the audience's level (the caller leaves it out); otherwise the figure with its hidden
/// county figures taken out, as [`disclose`] does for a whole set. For outputs that hold
/// figures one by one (the dashboard's latest quarter).
pub fn disclose_figure(
    indicator: &Indicator,
    mut figure: Figure,
    audience: Audience,
) -> Option<Figure> {
    if !audience.may_see(indicator.level()) {
        return None;
    }
    protect_counties(indicator, &mut figure, audience);
    Some(figure)
}

/// Applies the indicator's small-number rule to its county figures, in place.
fn protect_counties(
    indicator: &Indicator,
    figure: &mut Figure,
    audience: Audience,
) -> Vec<(i32, Hidden)> {
    protect_figure(figure, indicator.small_rule(), audience)
}

/// Applies a small-number rule to a figure's county figures, in place. When the hidden
/// county is the only one with a figure, the programme's figure *is* that county's, so
/// it goes too — its value, % of milestone, rating and parts (which add up to it) —
/// rather than publishing what the rule hides.
fn protect_figure(
    figure: &mut Figure,
    rule: Option<crate::domain::disclosure::SmallRule>,
    audience: Audience,
) -> Vec<(i32, Hidden)> {
    let cells: Vec<(i32, f64)> = figure
        .by_county
        .iter()
        .filter_map(|(c, v)| v.map(|v| (*c, v)))
        .collect();
    let mut hidden = Vec::new();
    for (county, shown) in protect(&cells, rule, audience) {
        if let Shown::Hidden(h) = shown {
            if let Some(slot) = figure.by_county.iter_mut().find(|(c, _)| *c == county) {
                slot.1 = None;
            }
            hidden.push((county, h));
        }
    }
    if cells.len() == 1 && !hidden.is_empty() {
        figure.value = None;
        figure.percent = None;
        figure.rag = None;
        figure.yes = None;
        for p in &mut figure.parts {
            p.value = None;
        }
    }
    figure.hidden = hidden.clone();
    hidden
}

/// One stored value as [`disclose_values`] needs to see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCell<'a> {
    pub indicator_id: i32,
    pub period: &'a str,
    /// The disaggregation ("" for the total).
    pub part: &'a str,
    pub county: i32,
    pub value: f64,
}

/// Row-level values (one per indicator, period, part and county: the values export) as
/// `audience` may see them: rows of indicators above its level left out, and under an
/// indicator's small-number rule the rows of the county figures [`protect`] hides among
/// the counties of the same indicator, period and part (so the complement goes too). A
/// row is left out rather than blanked: a value column stays a number. `levels` gives
/// each indicator's level and rule; a row of an indicator not in it is left out. Order is
/// kept; the count of rows left out is returned with them.
pub fn disclose_values<R>(
    rows: Vec<R>,
    cell: impl Fn(&R) -> ValueCell<'_>,
    levels: &std::collections::HashMap<
        i32,
        (
            crate::domain::disclosure::Level,
            Option<crate::domain::disclosure::SmallRule>,
        ),
    >,
    audience: Audience,
) -> (Vec<R>, usize) {
    use std::collections::{BTreeMap, HashSet};
    let mut groups: BTreeMap<(i32, String, String), Vec<(usize, f64)>> = BTreeMap::new();
    let mut out_rows: HashSet<usize> = HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        let c = cell(r);
        match levels.get(&c.indicator_id) {
            Some((level, _)) if audience.may_see(*level) => {
                groups
                    .entry((c.indicator_id, c.period.to_string(), c.part.to_string()))
                    .or_default()
                    .push((i, c.value));
            }
            _ => {
                out_rows.insert(i);
            }
        }
    }
    for ((indicator, _, _), cells) in &groups {
        let rule = levels.get(indicator).and_then(|(_, r)| *r);
        for (i, shown) in protect(cells, rule, audience) {
            if matches!(shown, Shown::Hidden(_)) {
                out_rows.insert(i);
            }
        }
    }
    let n = out_rows.len();
    let kept = rows
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !out_rows.contains(i))
        .map(|(_, r)| r)
        .collect();
    (kept, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::disclosure::{Level, SmallRule};
    use std::collections::HashMap;

    fn figure(value: f64, by_county: Vec<(i32, Option<f64>)>) -> Figure {
        use crate::figures::compute::{Completeness, Kind, Part, ToDate};
        Figure {
            value: Some(value),
            completeness: Completeness {
                reported: 1,
                expected: 2,
                quarters: 1,
            },
            provisional: false,
            kind: Kind::Quarter,
            county_mean: false,
            yes: None,
            target: Some(10.0),
            target_yes: None,
            percent: Some(30.0),
            rag: None,
            parts: vec![Part {
                key: "sex=female".into(),
                value: Some(2.0),
            }],
            by_county,
            hidden: vec![],
            to_date: ToDate {
                value: None,
                through: None,
                running_total: true,
                reported: 0,
                expected: 0,
                end_target: None,
                percent: None,
                yes: None,
            },
        }
    }

    #[test]
    fn a_hidden_county_that_is_the_only_one_takes_the_total_with_it() {
        let rule = Some(SmallRule::FewerThan(5));
        // One county reported 3, the other nothing: the total is that 3.
        let mut f = figure(3.0, vec![(1, Some(3.0)), (2, None)]);
        let hidden = protect_figure(&mut f, rule, Audience::Partners);
        assert_eq!(hidden, [(1, Hidden::FewerThan(5))]);
        assert_eq!((f.value, f.percent), (None, None));
        assert_eq!(f.parts[0].value, None, "the parts add up to it");
        assert_eq!(f.by_county, [(1, None), (2, None)]);
        // With a second county the complement protects it and the total stays.
        let mut f = figure(43.0, vec![(1, Some(3.0)), (2, Some(40.0))]);
        let hidden = protect_figure(&mut f, rule, Audience::Partners);
        assert_eq!(hidden.len(), 2);
        assert_eq!(f.value, Some(43.0));
        // The team sees it all.
        let mut f = figure(3.0, vec![(1, Some(3.0))]);
        assert!(protect_figure(&mut f, rule, Audience::Team).is_empty());
        assert_eq!(f.value, Some(3.0));
    }

    #[test]
    fn values_of_internal_indicators_and_small_counties_are_left_out() {
        // (indicator, period, part, county, value)
        let rows = vec![
            (1, "2026Q1", "", 1, 3.0),
            (1, "2026Q1", "", 2, 40.0),
            (1, "2026Q1", "", 3, 12.0),
            (1, "2026Q2", "", 1, 30.0),
            (1, "2026Q1", "sex=f", 1, 2.0),
            (1, "2026Q1", "sex=f", 2, 0.0),
            (2, "2026Q1", "", 1, 900.0),
            (3, "2026Q1", "", 1, 1.0),
            (9, "2026Q1", "", 1, 1.0),
        ];
        let levels = HashMap::from([
            (1, (Level::Partners, Some(SmallRule::FewerThan(5)))),
            (2, (Level::Internal, None)),
            (3, (Level::Public, None)),
        ]);
        type Row = (i32, &'static str, &'static str, i32, f64);
        fn cell(r: &Row) -> ValueCell<'_> {
            ValueCell {
                indicator_id: r.0,
                period: r.1,
                part: r.2,
                county: r.3,
                value: r.4,
            }
        }
        let (kept, n) = disclose_values(rows.clone(), cell, &levels, Audience::Partners);
        let values: Vec<f64> = kept.iter().map(|r| r.4).collect();
        // 3 goes, and 12 with it (the smallest other); Q2's 30 stays; in the part, 2
        // goes and the zero with it; the internal 900 and the unknown indicator go;
        // indicator 3 has no rule, so its 1 stays.
        assert_eq!(values, [40.0, 30.0, 1.0]);
        assert_eq!(n, 6);
        let (all, none) = disclose_values(rows.clone(), cell, &levels, Audience::Team);
        assert_eq!(
            (all.len(), none),
            (rows.len() - 1, 1),
            "the team: all but unknown"
        );
    }
}
