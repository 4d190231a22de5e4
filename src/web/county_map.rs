//! The dashboard's county map: the counties of each indicator's latest figure shaded by
//! their mean % of the milestone achieved (the classes of the donor report's map, see
//! `crate::geo::achievement`), as inline SVG with a table that says the same in words.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::format;
use crate::geo::achievement::{self, CLASSES};
use crate::geo::svg::{choropleth, SvgCounty};
use crate::geo::ATTRIBUTION;
use crate::models::location::Location;
use crate::overview::ProgrammeOverview;

#[derive(Debug, Serialize)]
pub struct CountyMapView {
    pub svg: String,
    /// What is shaded, and over which quarters.
    pub caption: String,
    pub basis: &'static str,
    pub attribution: &'static str,
    /// (stylesheet class, label) for the key beside the map.
    pub legend: Vec<(&'static str, String)>,
    pub rows: Vec<CountyRow>,
}

#[derive(Debug, Serialize)]
pub struct CountyRow {
    pub name: String,
    pub code: String,
    /// "87%", or "no figure".
    pub percent: String,
    pub class: &'static str,
    pub class_label: &'static str,
    pub indicators: usize,
    pub mou: bool,
}

const CLASS_NAMES: [&str; 4] = ["c0", "c1", "c2", "c3"];

/// The map of the dashboard's latest figures; None while the programme has no county.
pub fn view(o: &ProgrammeOverview) -> Option<CountyMapView> {
    // The counties each figure expects; with no figure yet, those of every phase.
    let mut expected: BTreeSet<i32> = o
        .figures
        .iter()
        .filter_map(|f| f.figure.as_ref())
        .flat_map(|f| f.by_county.iter().map(|(id, _)| *id))
        .collect();
    if expected.is_empty() {
        expected = o
            .phases
            .iter()
            .flat_map(|p| p.counties.iter().map(|c| c.id))
            .collect();
    }
    let known: BTreeMap<i32, &Location> = o
        .phases
        .iter()
        .flat_map(|p| p.counties.iter().map(|c| (c.id, c)))
        .collect();
    let counties: Vec<&Location> = expected
        .iter()
        .filter_map(|id| known.get(id).copied())
        .collect();
    if counties.is_empty() {
        return None;
    }
    let scores = achievement::by_county(
        o.figures
            .iter()
            .filter_map(|f| f.figure.as_ref().map(|g| (&f.rules, g))),
    );
    let quarters: BTreeSet<String> = o
        .figures
        .iter()
        .filter(|f| {
            f.figure.as_ref().is_some_and(|g| {
                g.by_county.iter().any(|(c, v)| {
                    achievement::county_percent(&f.rules, g.target, *v).is_some()
                        && expected.contains(c)
                })
            })
        })
        .filter_map(|f| f.latest.as_ref().map(|l| l.period.id()))
        .collect();
    let mut rows: Vec<CountyRow> = counties
        .iter()
        .map(|c| {
            let (percent, class, class_label, indicators) = match scores.get(&c.id) {
                Some(a) => {
                    let k = achievement::class_of(a.percent);
                    (
                        format::percent(Some(a.percent)),
                        CLASS_NAMES[k],
                        CLASSES[k].1,
                        a.indicators,
                    )
                }
                None => ("no figure".to_string(), "nd", "no figure", 0),
            };
            CountyRow {
                name: c.name.clone(),
                code: c.code.clone(),
                percent,
                class,
                class_label,
                indicators,
                mou: c.mou_initial,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let shaded: Vec<SvgCounty> = rows
        .iter()
        .map(|r| SvgCounty {
            code: r.code.clone(),
            class: r.class,
            title: if r.indicators > 0 {
                format!(
                    "{}: {} ({}, {} indicator{})",
                    r.name,
                    r.percent,
                    r.class_label,
                    r.indicators,
                    if r.indicators == 1 { "" } else { "s" }
                )
            } else {
                format!("{}: no figure", r.name)
            },
            outlined: r.mou,
        })
        // The MoU's initial counties are outlined wherever they are.
        .chain(
            crate::report::maps::MOU_INITIAL
                .iter()
                .filter(|code| !rows.iter().any(|r| r.code == **code))
                .map(|code| SvgCounty {
                    code: code.to_string(),
                    class: "out",
                    title: String::new(),
                    outlined: true,
                }),
        )
        .collect();
    let span = match (quarters.first(), quarters.last()) {
        (Some(a), Some(b)) if a == b => a.clone(),
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no quarter yet".into(),
    };
    let words: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", r.name, r.percent))
        .collect();
    let label = format!(
        "Map of Kenya's 47 counties: the programme's {} counties shaded by mean % of the milestone achieved in each indicator's latest quarter ({span}): {}. The MoU's initial counties are outlined. The table below gives the same figures.",
        rows.len(),
        words.join(", ")
    );
    let mut legend: Vec<(&'static str, String)> = CLASSES
        .iter()
        .enumerate()
        .rev()
        .map(|(k, (_, l))| (CLASS_NAMES[k], l.to_string()))
        .collect();
    legend.push(("nd", "In the programme, no figure".into()));
    legend.push(("out", "Not in the programme".into()));
    legend.push(("mou", "Thick edge: the MoU's initial counties".into()));
    Some(CountyMapView {
        svg: choropleth(&label, &shaded),
        caption: format!("Each indicator's latest quarter ({span}), submitted or approved values."),
        basis: achievement::BASIS,
        attribution: ATTRIBUTION,
        legend,
        rows,
    })
}
