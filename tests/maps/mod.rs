//! County maps read back: the donor report's map names each county with the
//! achievement the database gives it, in its class, with the map's attribution; the
//! ministry report has a locator at each county; the dashboard draws every county once
//! and lists the same figures in its table.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in, TestDb};
use mipaka::db::DbConn;
use mipaka::domain::achievement::{percent_achieved, Direction};
use mipaka::domain::period::Period;
use mipaka::models::{framework, programme};
use mipaka::report::issue::{self, Subject};

/// The classes as the legend prints them, from the lowest whole %.
const CLASSES: [(f64, &str); 4] = [
    (0.0, "below 70%"),
    (70.0, "70–84%"),
    (85.0, "85–99%"),
    (100.0, "100% or more"),
];

fn class(pct: f64) -> &'static str {
    let shown = pct.round();
    CLASSES
        .iter()
        .rev()
        .find(|(from, _)| shown >= *from)
        .unwrap()
        .1
}

/// Independently of the map code: for each county of the quarter's phase, the mean over
/// the indicators combined over counties by their mean, with a milestone for the
/// quarter, of the county's own value (of the given statuses) as % of the milestone; a
/// yes counts 100 %, a no 0 %. `quarters` gives each indicator's quarter (None: skip).
fn expected(
    c: &mut DbConn,
    code: &str,
    quarters: &dyn Fn(i32) -> Option<Period>,
    statuses: &[&str],
) -> BTreeMap<String, f64> {
    use mipaka::db::schema::{
        indicator_targets as t, indicator_values as v, locations, phase_counties, phases,
    };
    let p = programme::by_code(c, code).unwrap();
    let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for i in framework::indicators_of(c, p.id).unwrap() {
        if i.county_aggregation != "mean" {
            continue;
        }
        let Some(q) = quarters(i.id) else { continue };
        let target: Option<f64> = t::table
            .filter(t::indicator_id.eq(i.id))
            .filter(t::period.eq(q.id()))
            .filter(t::location_id.is_null())
            .filter(t::disaggregation.eq(""))
            .select(t::value)
            .first(c)
            .optional()
            .unwrap();
        let Some(target) = target else { continue };
        let phase_id: i32 = phases::table
            .filter(phases::programme_id.eq(p.id))
            .filter(phases::start_date.le(q.start()))
            .filter(phases::end_date.ge(q.end()))
            .select(phases::id)
            .first(c)
            .unwrap();
        let counties: Vec<i32> = phase_counties::table
            .filter(phase_counties::phase_id.eq(phase_id))
            .select(phase_counties::location_id)
            .load(c)
            .unwrap();
        let statuses: Vec<&str> = statuses.to_vec();
        let rows: Vec<(String, f64)> = v::table
            .inner_join(locations::table)
            .filter(v::indicator_id.eq(i.id))
            .filter(v::period.eq(q.id()))
            .filter(v::disaggregation.eq(""))
            .filter(v::status.eq_any(statuses))
            .filter(v::location_id.eq_any(counties))
            .select((locations::name, v::value))
            .load(c)
            .unwrap();
        let direction: Direction = i.direction.parse().unwrap();
        for (name, value) in rows {
            let pct = if i.unit == "yes_no" {
                percent_achieved(
                    value,
                    if target > 0.0 { 1.0 } else { 0.0 },
                    Direction::HigherIsBetter,
                )
            } else {
                percent_achieved(value, target, direction)
            };
            if let Some(pct) = pct {
                let s = sums.entry(name).or_default();
                s.0 += pct;
                s.1 += 1;
            }
        }
    }
    sums.into_iter()
        .map(|(n, (s, k))| (n, s / k as f64))
        .collect()
}

on_both_backends! {
    fn the_donor_map_names_each_county_s_achievement_in_its_class(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        for (code, q) in [("KEUK-MOU", "2026Q2"), ("LBP", "2026Q2")] {
            let q = Period::parse(q).unwrap();
            let want = expected(&mut c, code, &|_| Some(q), &["approved"]);
            assert!(want.len() >= 4, "{code}: the demo has county figures: {want:?}");
            let p = programme::by_code(&mut c, code).unwrap();
            let (_, bytes) = issue::draft(&mut c, &Subject::Donor(p), q).unwrap();
            let Some(flow) = crate::reports::pdf_flow(&bytes) else { return };
            let annex = &flow[flow.find("Annex: figures by county").expect("annex")..];
            assert!(annex.contains("Achievement by county, "), "{code}: map title");
            assert!(annex.contains("Map: MapSVG, CC BY 4.0"), "{code}: attribution");
            assert!(annex.contains("Thick edge: the MoU's initial counties"), "{code}");
            assert!(annex.contains("Not in the programme this period"), "{code}");
            // Each legend entry runs from its label to the next one.
            let labels: Vec<String> = CLASSES
                .iter()
                .map(|(_, l)| format!("{l}: "))
                .chain(["In the programme, no figure: ".to_string()])
                .collect();
            let starts: Vec<usize> = labels
                .iter()
                .map(|l| annex.find(l.as_str()).unwrap_or_else(|| panic!("{code}: no {l:?} in the legend")))
                .collect();
            for (name, pct) in &want {
                let entry = format!("{name} {pct:.0}%");
                let k = CLASSES.iter().position(|(_, l)| *l == class(*pct)).unwrap();
                let at = starts[k];
                let end = starts.iter().copied().filter(|s| *s > at).min().unwrap_or(annex.len());
                assert!(
                    annex[at..end].contains(&entry),
                    "{code}: {entry} not listed under {:?}: {}",
                    labels[k],
                    &annex[at..end]
                );
            }
        }
    }
}

on_both_backends! {
    fn the_ministry_report_maps_activity_and_locates_each_county(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let q = Period::parse("2026Q2").unwrap();
        let (_, bytes) = issue::draft(&mut c, &Subject::Ministry, q).unwrap();
        let Some(flow) = crate::reports::pdf_flow(&bytes) else { return };
        assert!(flow.contains("Counties with programme activity, "), "overview map");
        for (name, code) in [("Turkana", "023"), ("Mandera", "009"), ("Busia", "040"), ("Garissa", "007")] {
            assert!(flow.contains(&format!("{name} County (code {code}) in Kenya")), "{name}'s locator");
        }
        let sections = flow.matches(" County (code ").count();
        assert_eq!(flow.matches("Map: MapSVG, CC BY 4.0").count(), sections + 1, "a credit under every map");
    }
}

on_both_backends! {
    fn the_dashboard_map_draws_every_county_and_tables_the_same_figures(t) {
        let db = t.with_demo();
        let today = mipaka::clock::today();
        let (want, counties) = {
            let mut c = TestDb::conn(&db);
            let p = programme::by_code(&mut c, "KEUK-MOU").unwrap();
            // The quarter of each indicator's latest figure, as the dashboard shows it.
            let latest: BTreeMap<i32, Period> = mipaka::overview::indicator_figures(&mut c, &p, today)
                .unwrap()
                .into_iter()
                .filter_map(|f| Some((f.indicator.id, f.latest?.period)))
                .collect();
            let want = expected(&mut c, "KEUK-MOU", &|id| latest.get(&id).copied(), &["submitted", "approved"]);
            (want, latest.len())
        };
        assert!(counties > 0);
        assert!(want.len() >= 4, "the demo has county figures: {want:?}");
        let client = t.client(db);
        sign_in(&client, "manager", demo_password("manager"));
        let page = client.get("/programmes/KEUK-MOU").dispatch().into_string().unwrap();
        let svg = &page[page.find("<svg class=\"cmap\"").expect("the map")..];
        let svg = &svg[..svg.find("</svg>").unwrap() + 6];
        assert_eq!(svg.matches("<path").count(), 47, "a path per county");
        assert!(svg.contains("role=\"img\"") && svg.contains("aria-label=\"Map of Kenya"));
        assert_eq!(svg.matches(" mou\"").count() + svg.matches("\"mou\"").count(), 5, "the MoU counties outlined");
        assert!(svg.len() < 15_000, "the map adds {} bytes", svg.len());
        assert!(!page.contains("<script"));
        assert!(page.contains("Map: MapSVG, CC BY 4.0"));
        let table = &page[page.find("<table class=\"cmaptable\"").expect("the map's table")..];
        let table = &table[..table.find("</table>").unwrap()];
        for (name, pct) in &want {
            let row = table
                .split("<tr>")
                .find(|r| r.starts_with(&format!("<td>{name}")))
                .unwrap_or_else(|| panic!("no row for {name}"));
            assert!(row.contains(&format!("<td class=\"num\">{pct:.0}%</td>")), "{name}: {row}");
            assert!(row.contains(class(*pct)), "{name}: {row}");
            assert!(svg.contains(&format!("<title>{name}: {pct:.0}% ({}", class(*pct))), "{name}'s tooltip");
        }
        assert_eq!(svg.matches("<title>").count(), table.matches("<tr>").count() - 1, "a tooltip per county of the table");
    }
}
