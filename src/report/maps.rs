//! The county maps of the reports, as blocks for the renderer: the donor report's
//! achievement by county, the ministry report's counties with programme activity, and
//! the small locator map at the head of each county's section.
//!
//! Each map says in its legend which counties are in which class, with their figures,
//! so the printed page carries the numbers and not only the shades, and each carries
//! an alternative text that states the same in sentences.

use std::collections::BTreeMap;

use super::donor::DonorReport;
use super::ministry::MinistryReport;
use super::render::{Block, Map, MapSize, Region, Shade, Swatch};
use crate::format;
use crate::geo::achievement::{self, CLASSES};
use crate::models::location::Location;

/// The Kenya–UK Border Security MoU's initial counties (Turkana, Mandera, Marsabit,
/// Wajir, Busia), which every national map outlines. The same as the locations marked
/// `mou_initial` (tested against the seed).
pub const MOU_INITIAL: [&str; 5] = ["023", "009", "010", "008", "040"];

const MOU_LEGEND: &str =
    "Thick edge: the MoU's initial counties (Turkana, Mandera, Marsabit, Wajir, Busia)";

fn mou(code: &str) -> bool {
    MOU_INITIAL.contains(&code)
}

/// Names joined for a legend or a sentence: "Busia, Mandera and Wajir".
fn list(names: &[String]) -> String {
    match names {
        [] => "none".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The counties of a map that are neither shaded nor marked: outlined when MoU.
fn outside_mou(regions: &mut Vec<Region>) {
    for code in MOU_INITIAL {
        if !regions.iter().any(|r| r.code == code) {
            regions.push(Region {
                code: code.into(),
                shade: Shade::Outside,
                outlined: true,
            });
        }
    }
}

/// The donor report's choropleth: each county of the period's phase shaded by its mean
/// % of the milestone achieved (see `crate::geo::achievement`), followed by a note on
/// how it is worked out. Placed at the start of the annex "figures by county".
pub fn donor(r: &DonorReport) -> Vec<Block> {
    let counties = &r.figures.counties;
    if counties.is_empty() {
        return Vec::new();
    }
    let period = r.period.label();
    let scores = achievement::by_county(r.figures.figures.iter().map(|f| (&f.rules, &f.figure)));
    let mut regions = Vec::new();
    let mut classes: Vec<Vec<String>> = vec![Vec::new(); CLASSES.len()];
    let mut sentences: Vec<String> = Vec::new();
    let mut without = Vec::new();
    for c in counties {
        let shade = match scores.get(&c.id) {
            Some(a) => {
                let k = achievement::class_of(a.percent);
                classes[k].push(format!("{} {}", c.name, format::percent(Some(a.percent))));
                sentences.push(format!(
                    "{} {} ({})",
                    c.name,
                    format::percent(Some(a.percent)),
                    CLASSES[k].1
                ));
                Shade::Class(k as u8)
            }
            None => {
                without.push(c.name.clone());
                Shade::NoData
            }
        };
        regions.push(Region {
            code: c.code.clone(),
            shade,
            outlined: mou(&c.code),
        });
    }
    outside_mou(&mut regions);
    let presence = scores.is_empty();
    let (title, mut legend) = if presence {
        // No indicator holds counties to its milestone: the map can only say where
        // the programme is and whether approved figures came in.
        let with: Vec<String> = counties
            .iter()
            .filter(|c| {
                r.figures.figures.iter().any(|f| {
                    f.figure
                        .by_county
                        .iter()
                        .any(|(id, v)| *id == c.id && v.is_some())
                })
            })
            .map(|c| c.name.clone())
            .collect();
        for reg in &mut regions {
            if reg.shade == Shade::NoData
                && counties
                    .iter()
                    .any(|c| c.code == reg.code && with.contains(&c.name))
            {
                reg.shade = Shade::Class(1);
            }
        }
        without.retain(|n| !with.contains(n));
        sentences = vec![format!("approved figures from {}", list(&with))];
        (
            format!("Counties with approved figures, {period} (no indicator has a milestone each county can be held to, so achievement is not mapped)"),
            vec![(
                Swatch::Shade(Shade::Class(1)),
                format!("Approved figures reported: {}", list(&with)),
            )],
        )
    } else {
        (
            format!("Achievement by county, {period}: mean % of the period's milestone achieved"),
            CLASSES
                .iter()
                .enumerate()
                .rev()
                .map(|(k, (_, label))| {
                    (
                        Swatch::Shade(Shade::Class(k as u8)),
                        format!("{label}: {}", list(&classes[k])),
                    )
                })
                .collect(),
        )
    };
    legend.push((
        Swatch::Shade(Shade::NoData),
        format!("In the programme, no figure: {}", list(&without)),
    ));
    legend.push((
        Swatch::Shade(Shade::Outside),
        "Not in the programme this period".into(),
    ));
    legend.push((Swatch::Outlined, MOU_LEGEND.into()));
    let mut alt = format!(
        "Map of Kenya's 47 counties, {}: {}",
        if presence {
            format!("showing the counties with approved figures in {period}")
        } else {
            format!("shaded by mean % of the milestone achieved in {period}")
        },
        list(&sentences)
    );
    if !without.is_empty() {
        alt.push_str(&format!("; no figure from {}", list(&without)));
    }
    alt.push_str(&format!(
        "; the other {} counties are not in the programme this period; the MoU's five initial counties are outlined.",
        47 - counties.len()
    ));
    let mut blocks = vec![Block::Map(Map {
        title,
        regions,
        legend,
        alt,
        size: MapSize::Full,
    })];
    if !presence {
        blocks.push(Block::Note(format!(
            "Shading: the {}. A county's figure is its own approved value over the quarters its phase covers it.",
            achievement::BASIS
        )));
    }
    blocks
}

/// The ministry report's national map: each county shaded by how many programmes have
/// approved figures, milestones or activities there in the period. Placed at the head
/// of the report, under the programmes of the period.
pub fn ministry_overview(r: &MinistryReport) -> Vec<Block> {
    let mut active: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
    let mut expected: BTreeMap<i32, ()> = BTreeMap::new();
    for part in &r.parts {
        let code = part.programme.code.as_str();
        let mut here: Vec<i32> = Vec::new();
        for c in &part.figures.counties {
            expected.insert(c.id, ());
            if part.figures.figures.iter().any(|f| {
                f.figure
                    .by_county
                    .iter()
                    .any(|(id, v)| *id == c.id && v.is_some())
            }) {
                here.push(c.id);
            }
        }
        here.extend(
            part.plan
                .milestones
                .iter()
                .filter_map(|m| m.milestone.location_id),
        );
        here.extend(
            part.plan
                .activities
                .iter()
                .filter_map(|a| a.activity.location_id),
        );
        here.sort_unstable();
        here.dedup();
        for id in here {
            active.entry(id).or_default().push(code);
        }
    }
    let named: BTreeMap<i32, &Location> = r.counties.iter().map(|c| (c.id, c)).collect();
    let mut regions = Vec::new();
    let mut classes: Vec<Vec<String>> = vec![Vec::new(); 3];
    let mut quiet = Vec::new();
    for (id, c) in &named {
        let shade = match active.get(id) {
            Some(codes) => {
                let k = codes.len().clamp(1, 3) - 1;
                classes[k].push(format!("{} ({})", c.name, codes.join(", ")));
                // Spread over the ramp so that one, two and three differ clearly.
                Shade::Class([0u8, 2, 3][k])
            }
            None if expected.contains_key(id) => {
                quiet.push(c.name.clone());
                Shade::NoData
            }
            None => Shade::Outside,
        };
        regions.push(Region {
            code: c.code.clone(),
            shade,
            outlined: mou(&c.code),
        });
    }
    outside_mou(&mut regions);
    let labels = ["1 programme", "2 programmes", "3 or more programmes"];
    let mut legend: Vec<(Swatch, String)> = (0..3)
        .rev()
        .map(|k| {
            (
                Swatch::Shade(Shade::Class([0u8, 2, 3][k])),
                format!("{}: {}", labels[k], list(&classes[k])),
            )
        })
        .collect();
    legend.push((
        Swatch::Shade(Shade::NoData),
        format!("In a programme's phase, nothing reported: {}", list(&quiet)),
    ));
    legend.push((
        Swatch::Shade(Shade::Outside),
        "No programme activity in the period".into(),
    ));
    legend.push((Swatch::Outlined, MOU_LEGEND.into()));
    let period = r.period.label();
    let described: Vec<String> = classes.iter().flatten().cloned().collect();
    let mut alt = format!(
        "Map of Kenya's 47 counties showing where programmes were active in {period} (approved figures, milestones or activities): {}",
        list(&described)
    );
    if !quiet.is_empty() {
        alt.push_str(&format!("; nothing reported from {}", list(&quiet)));
    }
    alt.push_str("; the MoU's five initial counties are outlined.");
    vec![Block::Map(Map {
        title: format!("Counties with programme activity, {period}: approved figures, milestones or activities, by number of programmes"),
        regions,
        legend,
        alt,
        size: MapSize::Full,
    })]
}

/// Where in Kenya a county is, at the head of its section of the ministry report.
pub fn locator(county: &Location) -> Block {
    Block::Map(Map {
        title: format!(
            "{} County (code {}) in Kenya{}",
            county.name,
            county.code,
            if mou(&county.code) {
                "; the thick edges mark the MoU's initial counties"
            } else {
                ""
            }
        ),
        regions: MOU_INITIAL
            .iter()
            .filter(|c| **c != county.code)
            .map(|c| Region {
                code: c.to_string(),
                shade: Shade::Outside,
                outlined: true,
            })
            .chain(std::iter::once(Region {
                code: county.code.clone(),
                shade: Shade::Focus,
                outlined: mou(&county.code),
            }))
            .collect(),
        legend: Vec::new(),
        alt: format!(
            "Locator map of Kenya with {} County filled in dark blue.",
            county.name
        ),
        size: MapSize::Locator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mou_counties_are_those_the_seed_marks() {
        let seeded: Vec<&str> = crate::seed::content::COUNTIES
            .iter()
            .filter(|c| c.mou_initial)
            .map(|c| c.code)
            .collect();
        let mut ours = MOU_INITIAL.to_vec();
        ours.sort_unstable();
        let mut seeded = seeded;
        seeded.sort_unstable();
        assert_eq!(ours, seeded);
    }

    #[test]
    fn every_seeded_county_has_an_outline() {
        for c in crate::seed::content::COUNTIES.iter() {
            assert!(
                crate::geo::outline(c.code).is_some(),
                "{} {}",
                c.code,
                c.name
            );
        }
    }

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(list(&[]), "none");
        assert_eq!(list(&["Busia".into()]), "Busia");
        assert_eq!(
            list(&["Busia".into(), "Mandera".into(), "Wajir".into()]),
            "Busia, Mandera and Wajir"
        );
    }

    #[test]
    fn a_locator_fills_its_county_and_outlines_the_mou_counties() {
        let county = Location {
            id: 1,
            code: "007".into(),
            name: "Garissa".into(),
            level: "county".into(),
            parent_id: None,
            mou_initial: false,
            borders: String::new(),
        };
        let Block::Map(m) = locator(&county) else {
            panic!("a map")
        };
        assert_eq!(m.size, MapSize::Locator);
        let focus: Vec<&Region> = m
            .regions
            .iter()
            .filter(|r| r.shade == Shade::Focus)
            .collect();
        assert_eq!(focus.len(), 1);
        assert_eq!(focus[0].code, "007");
        assert_eq!(m.regions.iter().filter(|r| r.outlined).count(), 5);
        assert!(m.alt.contains("Garissa"));
    }
}
