//! A figure set as an output outside the programme team may show it: indicators above
//! the audience's level taken out, and county figures under an indicator's small-number
//! rule taken out of `by_county` (noted in `hidden`). Taking the numbers out — rather than
//! flagging them — means an output that forgets to look still prints nothing it should
//! not. Every output that leaves the tracker passes its figures through [`disclose`].

use serde::Serialize;

use super::{IndicatorFigure, SpanFigures};
use crate::domain::disclosure::{protect, Audience, Hidden, Shown};

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
        for (county, hidden) in protect_counties(f, audience) {
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
                why: hidden.reason(),
            });
        }
    }
    out
}

/// Applies the indicator's small-number rule to its county figures, in place.
fn protect_counties(f: &mut IndicatorFigure, audience: Audience) -> Vec<(i32, Hidden)> {
    let cells: Vec<(i32, f64)> = f
        .figure
        .by_county
        .iter()
        .filter_map(|(c, v)| v.map(|v| (*c, v)))
        .collect();
    let mut hidden = Vec::new();
    for (county, shown) in protect(&cells, f.indicator.small_rule(), audience) {
        if let Shown::Hidden(h) = shown {
            if let Some(slot) = f.figure.by_county.iter_mut().find(|(c, _)| *c == county) {
                slot.1 = None;
            }
            hidden.push((county, h));
        }
    }
    f.figure.hidden = hidden.clone();
    hidden
}
