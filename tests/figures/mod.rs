//! The figures engine against a computation written here from the raw tables: spans
//! across phases, half-years, phases, county subsets, every period rule, yes/no,
//! lower-is-better and disaggregated parts, on LBP, the MoU and Deris Wanaag.

pub(crate) mod totals;

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;

use crate::on_both_backends;
use crate::support::TestDb;
use mipaka::db::DbConn;
use mipaka::domain::period::Period;
use mipaka::figures::{self, Request, Span};
use mipaka::models::{framework, programme};

fn period(s: &str) -> Period {
    Period::parse(s).unwrap()
}

/// What the test expects of one indicator over a span.
#[derive(Debug, PartialEq)]
struct Truth {
    value: Option<f64>,
    /// County-quarters in and expected over the quarters the figure needs.
    reported: usize,
    expected: usize,
    /// Yes/no: counties answering yes in the last quarter.
    yes: Option<usize>,
    /// Each part's value.
    parts: Vec<(String, Option<f64>)>,
}

/// The counties of the phase that wholly contains quarter `q` (read straight from the
/// tables), narrowed to `only`.
fn phase_counties(
    c: &mut DbConn,
    programme_id: i32,
    q: &Period,
    only: Option<&BTreeSet<i32>>,
) -> Vec<i32> {
    use mipaka::db::schema::{phase_counties, phases};
    let phase: Option<i32> = phases::table
        .filter(phases::programme_id.eq(programme_id))
        .filter(phases::start_date.le(q.start()))
        .filter(phases::end_date.ge(q.end()))
        .select(phases::id)
        .first(c)
        .optional()
        .unwrap();
    let Some(phase) = phase else { return vec![] };
    phase_counties::table
        .filter(phase_counties::phase_id.eq(phase))
        .select(phase_counties::location_id)
        .load::<i32>(c)
        .unwrap()
        .into_iter()
        .filter(|id| only.is_none_or(|o| o.contains(id)))
        .collect()
}

/// Independently of the engine: each quarter's approved county values over the
/// counties of that quarter's own phase, combined by the county rule, then the quarters
/// by the period rule (for "latest", the last quarter alone).
fn truth(
    c: &mut DbConn,
    code: &str,
    quarters: &[Period],
    only: Option<&BTreeSet<i32>>,
) -> HashMap<String, Truth> {
    use mipaka::db::schema::indicator_values as v;
    let p = programme::by_code(c, code).unwrap();
    let mut out = HashMap::new();
    for i in framework::indicators_of(c, p.id).unwrap() {
        let needed: Vec<Period> = if i.period_aggregation == "latest" {
            quarters.last().copied().into_iter().collect()
        } else {
            quarters.to_vec()
        };
        let mut parts_keys: BTreeSet<String> = BTreeSet::new();
        let combine = |c: &mut DbConn,
                       part: &str,
                       reported: &mut usize,
                       expected: &mut usize,
                       last_yes: &mut Option<usize>|
         -> Option<f64> {
            let mut per: Vec<f64> = Vec::new();
            let mut complete = true;
            for q in &needed {
                let counties = phase_counties(c, p.id, q, only);
                let rows: Vec<(i32, f64)> = v::table
                    .filter(v::indicator_id.eq(i.id))
                    .filter(v::period.eq(q.id()))
                    .filter(v::disaggregation.eq(part))
                    .filter(v::status.eq("approved"))
                    .select((v::location_id, v::value))
                    .load(c)
                    .unwrap();
                let vals: Vec<f64> = rows
                    .into_iter()
                    .filter(|(l, _)| counties.contains(l))
                    .map(|(_, x)| x)
                    .collect();
                *reported += vals.len();
                *expected += counties.len();
                if counties.is_empty() || vals.len() < counties.len() {
                    complete = false;
                    continue;
                }
                *last_yes = Some(vals.iter().filter(|x| **x == 1.0).count());
                let sum: f64 = vals.iter().sum();
                per.push(if i.county_aggregation == "mean" {
                    sum / vals.len() as f64
                } else {
                    sum
                });
            }
            if !complete || per.is_empty() {
                return None;
            }
            Some(match i.period_aggregation.as_str() {
                "sum" => per.iter().sum(),
                "mean" => per.iter().sum::<f64>() / per.len() as f64,
                _ => *per.last().unwrap(),
            })
        };
        let (mut reported, mut expected, mut yes) = (0, 0, None);
        let value = combine(c, "", &mut reported, &mut expected, &mut yes);
        {
            let keys: Vec<String> = v::table
                .filter(v::indicator_id.eq(i.id))
                .filter(v::disaggregation.ne(""))
                .filter(v::status.eq("approved"))
                .filter(v::period.eq_any(quarters.iter().map(Period::id).collect::<Vec<_>>()))
                .select(v::disaggregation)
                .distinct()
                .load(c)
                .unwrap();
            parts_keys.extend(keys);
        }
        let parts = parts_keys
            .into_iter()
            .map(|k| {
                let (mut a, mut b, mut y) = (0, 0, None);
                let v = combine(c, &k, &mut a, &mut b, &mut y);
                (k, v)
            })
            .collect();
        out.insert(
            i.code.clone(),
            Truth {
                value,
                reported,
                expected,
                yes: (i.unit == "yes_no" && value.is_some()).then_some(yes.unwrap_or(0)),
                parts,
            },
        );
    }
    out
}

fn engine(
    c: &mut DbConn,
    code: &str,
    span: &Span,
    only: Option<BTreeSet<i32>>,
) -> HashMap<String, Truth> {
    let p = programme::by_code(c, code).unwrap();
    let phases = programme::phases_of(c, p.id).unwrap();
    let req = Request {
        counties: only,
        ..Request::report(0)
    };
    let f = figures::load(c, &p, &phases, span, &req).unwrap();
    f.figures
        .into_iter()
        .map(|x| {
            let mut parts: Vec<(String, Option<f64>)> = x
                .figure
                .parts
                .iter()
                .map(|p| (p.key.clone(), p.value))
                .collect();
            parts.sort_by(|a, b| a.0.cmp(&b.0));
            (
                x.indicator.code.clone(),
                Truth {
                    value: x.figure.value,
                    reported: x.figure.completeness.reported,
                    expected: x.figure.completeness.expected,
                    yes: x.figure.yes.map(|y| y.yes),
                    parts,
                },
            )
        })
        .collect()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9 * a.abs().max(1.0),
        (None, None) => true,
        _ => false,
    }
}

/// Every indicator's engine figure equals the test's; returns how many had a value.
fn agree(c: &mut DbConn, code: &str, span: &Span, only: Option<BTreeSet<i32>>) -> usize {
    let want = truth(c, code, span.quarters(), only.as_ref());
    let got = engine(c, code, span, only);
    assert_eq!(
        want.len(),
        got.len(),
        "{code} {}: indicator count",
        span.label()
    );
    let mut valued = 0;
    for (ind, w) in &want {
        let g = &got[ind];
        assert!(
            close(w.value, g.value),
            "{code} {} {ind}: want {:?}, engine {:?}",
            span.label(),
            w.value,
            g.value
        );
        assert_eq!(
            (w.reported, w.expected),
            (g.reported, g.expected),
            "{code} {} {ind}: completeness",
            span.label()
        );
        assert_eq!(w.yes, g.yes, "{code} {} {ind}: yes counties", span.label());
        assert_eq!(
            w.parts.len(),
            g.parts.len(),
            "{code} {} {ind}: parts {:?} vs {:?}",
            span.label(),
            w.parts,
            g.parts
        );
        for ((wk, wv), (gk, gv)) in w.parts.iter().zip(&g.parts) {
            assert_eq!(wk, gk);
            assert!(
                close(*wv, *gv),
                "{code} {} {ind} {wk}: want {wv:?}, engine {gv:?}",
                span.label()
            );
        }
        valued += usize::from(g.value.is_some());
    }
    valued
}

on_both_backends! {
    fn spans_across_phases_years_halves_and_phases_match_the_raw_tables(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        // LBP's FY 2024/25 crosses Phase 1 (4 counties) into Phase 2 (7 counties).
        let fy = Span::of(period("2024July"), "quarterly").unwrap();
        assert!(agree(&mut c, "LBP", &fy, None) >= 10, "the FY 2024/25 figures should be in");
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let phases = programme::phases_of(&mut c, p.id).unwrap();
        let f = figures::load(&mut c, &p, &phases, &fy, &Request::report(0)).unwrap();
        let note = f.phases_note.clone().expect("the span crosses two phases");
        assert!(note.contains("4 counties") && note.contains("7 counties"), "{note}");
        assert_eq!(f.counties.len(), 7, "every county any quarter expects");
        for span in [
            Span::of(period("2025"), "quarterly").unwrap(),
            Span::of(period("2024"), "quarterly").unwrap(),
            Span::of(period("2025S2"), "quarterly").unwrap(),
            Span::of(period("2026Q2"), "quarterly").unwrap(),
            Span::between(phases[0].phase.start_date, phases[0].phase.end_date),
            Span::quarters_from(period("2024Q2"), period("2025Q3")),
        ] {
            agree(&mut c, "LBP", &span, None);
        }
        // County subsets: one MoU county, and two counties one of which joins in Phase 2.
        let counties: Vec<i32> = phases.last().unwrap().counties.iter().map(|l| l.id).collect();
        let first_only: Vec<i32> = phases[0].counties.iter().map(|l| l.id).collect();
        let newcomer = *counties.iter().find(|c| !first_only.contains(c)).unwrap();
        agree(&mut c, "LBP", &fy, Some(BTreeSet::from([first_only[0], newcomer])));
        agree(&mut c, "LBP", &fy, Some(BTreeSet::from([newcomer])));
        for (code, spans) in [
            ("KEUK-MOU", vec!["2026Q2", "2026S1", "2025July"]),
            ("DW", vec!["2021Q4", "2021", "2020July"]),
        ] {
            for s in spans {
                agree(&mut c, code, &Span::of(period(s), "quarterly").unwrap(), None);
            }
        }
    }
}

on_both_backends! {
    fn yes_no_counts_counties_and_lower_is_better_rates_against_its_milestone(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let mut yes_no = 0;
        let mut lower = 0;
        for (code, q) in [("LBP", "2026Q2"), ("DW", "2021Q4"), ("KEUK-MOU", "2026Q2"), ("LBP", "2024July")] {
            let p = programme::by_code(&mut c, code).unwrap();
            let phases = programme::phases_of(&mut c, p.id).unwrap();
            let span = Span::of(period(q), "quarterly").unwrap();
            let f = figures::load(&mut c, &p, &phases, &span, &Request::report(0)).unwrap();
            for x in &f.figures {
                let fig = &x.figure;
                if x.indicator.unit == "yes_no" {
                    if let (Some(y), Some(t)) = (fig.yes, fig.target_yes) {
                        yes_no += 1;
                        let label = mipaka::figures::kind::yes_counties(&y);
                        assert!(label.ends_with("counties: yes"), "{label}");
                        // Green only when the milestone's counties all say yes.
                        if y.yes < t.yes {
                            assert_ne!(fig.rag, Some(mipaka::domain::achievement::Rag::Green), "{} {q}: {y:?} of {t:?}", x.indicator.code);
                        }
                        let share = fig.value.unwrap();
                        assert!((share * y.of as f64 - y.yes as f64).abs() < 1e-9);
                    }
                }
                if x.indicator.direction == "lower" {
                    if let (Some(v), Some(t)) = (fig.value, fig.target) {
                        lower += 1;
                        let want = mipaka::domain::achievement::percent_achieved(v, t, mipaka::domain::achievement::Direction::LowerIsBetter);
                        assert_eq!(fig.percent, want, "{} {q}", x.indicator.code);
                        if v < t {
                            assert!(fig.percent.unwrap() > 100.0, "below a lower-is-better milestone is over 100 %");
                        }
                    }
                }
            }
        }
        assert!(yes_no > 0, "no yes/no indicator was rated: the check proves nothing");
        assert!(lower > 0, "no lower-is-better indicator was rated: the check proves nothing");
    }
}

on_both_backends! {
    fn disaggregated_parts_add_up_to_the_total_they_are_part_of(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let phases = programme::phases_of(&mut c, p.id).unwrap();
        let span = Span::of(period("2026Q2"), "quarterly").unwrap();
        let f = figures::load(&mut c, &p, &phases, &span, &Request::report(0)).unwrap();
        let mut checked = 0;
        for code in ["LBP-OP1.1.1", "LBP-OP2.2.1"] {
            let x = f.figures.iter().find(|x| x.indicator.code == code).unwrap();
            assert!(!x.figure.parts.is_empty(), "{code} has parts in the database");
            let total = x.figure.value.expect("approved in 2026Q2");
            let by_category: HashMap<&str, f64> = x.figure.parts.iter().fold(HashMap::new(), |mut m, part| {
                *m.entry(part.key.split('=').next().unwrap()).or_default() += part.value.unwrap();
                m
            });
            for (cat, sum) in by_category {
                assert!((sum - total).abs() < 1e-9, "{code}: {cat} parts add to {sum}, total {total}");
                checked += 1;
            }
            // In the programme's order: female before male.
            assert!(x.figure.parts[0].key.ends_with("female"), "{:?}", x.figure.parts);
        }
        assert!(checked >= 2);
    }
}

on_both_backends! {
    fn a_month_of_a_quarterly_programme_is_refused_not_printed_as_zero(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let Err(err) = mipaka::report::issue::draft(
            &mut c,
            &mipaka::report::issue::Subject::Donor(p),
            period("202605"),
        ) else {
            panic!("a month is refused");
        };
        let text = err.to_string();
        assert!(text.contains("quarterly") && text.contains("2026Q2"), "{text}");
    }
}

on_both_backends! {
    fn dashboard_api_comparison_csv_and_donor_pdf_give_the_same_figure(t) {
        use mipaka::domain::unit::{format_value, Unit};
        use mipaka::models::{session, user};
        use rocket::http::Header;
        let db = t.with_demo();
        let q = period("2026Q2");
        let (engine, currency, token) = {
            let mut c = TestDb::conn(&db);
            let p = programme::by_code(&mut c, "LBP").unwrap();
            let phases = programme::phases_of(&mut c, p.id).unwrap();
            let f = figures::load(&mut c, &p, &phases, &Span::quarter(q), &Request::report(0)).unwrap();
            let u = user::by_username(&mut c, "evaluator").unwrap().unwrap();
            let token = session::create_token(&mut c, u.id, "test", mipaka::clock::now()).unwrap().1;
            (f, p.currency, token)
        };
        let pdf = {
            let mut c = TestDb::conn(&db);
            let p = programme::by_code(&mut c, "LBP").unwrap();
            mipaka::report::issue::draft(&mut c, &mipaka::report::issue::Subject::Donor(p), q).unwrap().1
        };
        let client = t.client(db);
        crate::support::sign_in(&client, "evaluator", crate::support::demo_password("evaluator"));
        let dashboard = client.get("/programmes/LBP").dispatch().into_string().unwrap();
        let api: serde_json::Value = serde_json::from_str(
            &client
                .get("/api/v1/programmes/LBP")
                .header(Header::new("Authorization", format!("Bearer {token}")))
                .dispatch()
                .into_string()
                .unwrap(),
        )
        .unwrap();
        let csv = client
            .get("/programmes/LBP/compare.csv?sides=2026Q1%2C2026Q2")
            .dispatch()
            .into_string()
            .unwrap();
        let flow = crate::reports::pdf_flow(&pdf);
        let mut compared = 0;
        for x in &engine.figures {
            let code = &x.indicator.code;
            let unit: Unit = x.indicator.unit.parse().unwrap();
            let Some(value) = x.figure.value else { continue };
            // The comparison's CSV: the 2026Q2 side's plain number.
            // The second side of the first (only) county group.
            let rec = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes())
                .records()
                .map(|r| r.unwrap())
                .filter(|r| &r[0] == code.as_str())
                .nth(1)
                .unwrap_or_else(|| panic!("{code}: no second side in compare.csv"));
            let from_csv: f64 = rec[9].parse().unwrap_or_else(|_| panic!("{code}: {rec:?}"));
            assert!((from_csv - value).abs() < 1e-6, "{code}: compare.csv {from_csv}, engine {value}");
            // The API and the dashboard show the latest quarter: compare where it is 2026Q2.
            let a = api["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code.as_str()).unwrap();
            if a["latest"]["period"] == "2026Q2" {
                let v = a["latest"]["value"].as_f64().unwrap();
                assert!((v - value).abs() < 1e-9, "{code}: API {v}, engine {value}");
                let shown = match x.figure.yes {
                    Some(y) => mipaka::figures::kind::yes_counties(&y),
                    None => format_value(unit, value, &currency),
                };
                let row = dashboard.split(&format!("<strong>{code}</strong>")).nth(1).unwrap().split("</tr>").next().unwrap();
                assert!(row.contains(&shown.replace('&', "&amp;")), "{code}: dashboard lacks {shown}");
                compared += 1;
            }
            if let Some(flow) = &flow {
                let shown = mipaka::figures::kind::achieved(&x.figure, unit, &currency, true);
                let at = flow.find("2. Results").unwrap();
                let row = &flow[at..];
                let row = &row[row.find(&format!(" {code} ")).unwrap()..];
                let row: String = row.chars().take(400).collect();
                assert!(row.contains(&shown), "{code}: donor PDF lacks {shown} in {row}");
            }
        }
        assert!(compared >= 5, "only {compared} indicators had 2026Q2 as their latest quarter");
    }
}
