//! Comparisons: every figure checked against a computation here from the raw approved
//! values; missing values, a single county, a lower-is-better indicator, continuity
//! into an earlier programme and a changed definition; the page, CSV, API, saved links,
//! the evaluation annex and the continuity forms.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};

use crate::on_both_backends;
use crate::support::{demo_day, demo_password, sign_in, TestDb};
use mipaka::compare::{self, spec::Spec, Comparison, Row};
use mipaka::db::DbConn;
use mipaka::domain::period::Period;
use mipaka::models::{framework, location, programme};

type Raw = HashMap<(i32, i32, String), f64>;

/// Every approved county total, straight from the table.
fn raw(c: &mut DbConn) -> Raw {
    use mipaka::db::schema::indicator_values as v;
    v::table
        .filter(v::status.eq("approved"))
        .filter(v::disaggregation.eq(""))
        .select((v::indicator_id, v::location_id, v::period, v::value))
        .load::<(i32, i32, String, f64)>(c)
        .unwrap()
        .into_iter()
        .map(|(i, l, p, x)| ((i, l, p), x))
        .collect()
}

/// The indicator over these quarters and counties, by its own rules; None if any
/// county-quarter is missing.
fn expected(raw: &Raw, ind: &framework::Indicator, quarters: &[(Period, Vec<i32>)]) -> Option<f64> {
    if quarters.is_empty() {
        return None;
    }
    let mut per_quarter = Vec::new();
    for (q, counties) in quarters {
        if counties.is_empty() {
            return None;
        }
        let vals: Vec<f64> = counties
            .iter()
            .map(|c| raw.get(&(ind.id, *c, q.id())).copied())
            .collect::<Option<_>>()?;
        let sum: f64 = vals.iter().sum();
        per_quarter.push(match ind.county_aggregation.as_str() {
            "sum" => sum,
            _ => sum / vals.len() as f64,
        });
    }
    let sum: f64 = per_quarter.iter().sum();
    Some(match ind.period_aggregation.as_str() {
        "sum" => sum,
        "mean" => sum / per_quarter.len() as f64,
        _ => *per_quarter.last().unwrap(),
    })
}

/// A phase's quarters up to `through`, each with the phase's counties narrowed to `group`.
fn phase_quarters(
    phase: &programme::PhaseWithCounties,
    through: Period,
    group: Option<&BTreeSet<i32>>,
) -> Vec<(Period, Vec<i32>)> {
    let mut out = Vec::new();
    let mut q = Period::quarter_containing(phase.phase.start_date);
    while q.end() <= phase.phase.end_date && q.start() <= through.start() {
        if q.start() >= phase.phase.start_date && q.end() < demo_day() {
            let ids = phase
                .counties
                .iter()
                .map(|c| c.id)
                .filter(|c| group.is_none_or(|g| g.contains(c)))
                .collect();
            out.push((q, ids));
        }
        q = q.next();
    }
    out
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => false,
    }
}

fn compare_now(c: &mut DbConn, code: &str, query: &str) -> Comparison {
    let p = programme::by_code(c, code).unwrap();
    let spec = Spec::from_saved(query).unwrap();
    let plan = compare::plan(c, &p, spec, demo_day(), None).unwrap();
    compare::compute(c, &plan).unwrap()
}

fn row<'a>(cmp: &'a Comparison, code: &str) -> &'a Row {
    cmp.rows
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("no row {code}"))
}

fn phase_ids(c: &mut DbConn, code: &str) -> Vec<programme::PhaseWithCounties> {
    let p = programme::by_code(c, code).unwrap();
    programme::phases_of(c, p.id).unwrap()
}

on_both_backends! {
    fn phases_and_county_groups_equal_an_independent_computation(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let phases = phase_ids(&mut c, "LBP");
        let (p1, p2) = (&phases[0], &phases[1]);
        let cmp = compare_now(&mut c, "LBP", &format!("sides=phase:{}%2Cphase:{}&split=mou", p1.phase.id, p2.phase.id));
        // 2026Q3 is still being approved in the demo: phases run to 2026Q2.
        assert_eq!(cmp.through, "2026Q2");
        let through = Period::parse("2026Q2").unwrap();
        let raw = raw(&mut c);
        let counties = location::counties(&mut c).unwrap();
        let initial: BTreeSet<i32> = counties.iter().filter(|l| l.mou_initial).map(|l| l.id).collect();
        let others: BTreeSet<i32> = counties.iter().filter(|l| !l.mou_initial).map(|l| l.id).collect();
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let indicators = framework::indicators_of(&mut c, p.id).unwrap();
        assert_eq!(cmp.rows.len(), indicators.len());
        let mut compared = 0;
        for ind in &indicators {
            let r = row(&cmp, &ind.code);
            let mut values = Vec::new();
            for (g, group) in [&initial, &others].into_iter().enumerate() {
                let a = expected(&raw, ind, &phase_quarters(p1, through, Some(group)));
                let b = expected(&raw, ind, &phase_quarters(p2, through, Some(group)));
                let cells = &r.groups[g].cells;
                assert!(close(cells[0].value, a), "{} group {g} phase 1: {:?} vs {a:?}", ind.code, cells[0].value);
                assert!(close(cells[1].value, b), "{} group {g} phase 2: {:?} vs {b:?}", ind.code, cells[1].value);
                // Change and its verdict by direction.
                match (a, b) {
                    (Some(a), Some(b)) => {
                        let ch = r.groups[g].changes[0].as_ref().expect("a change");
                        assert!(close(Some(ch.absolute), Some(b - a)));
                        let better = if ind.direction == "lower" { b < a } else { b > a };
                        assert_eq!(format!("{:?}", ch.verdict) == "Better", better && a != b, "{}", ind.code);
                        compared += 1;
                    }
                    _ => assert!(r.groups[g].changes[0].is_none()),
                }
                values.push((a, b));
            }
            // Difference-in-differences: (B after − B before) − (A after − A before).
            match (values[0], values[1]) {
                ((Some(a0), Some(a1)), (Some(b0), Some(b1))) => {
                    let d = r.did[0].as_ref().expect("a difference-in-differences");
                    assert!(close(Some(d.value), Some((b1 - b0) - (a1 - a0))), "{}", ind.code);
                    assert!(d.sentence.contains("does not show that the programme caused"));
                }
                _ => assert!(r.did[0].is_none()),
            }
        }
        assert!(compared >= 10, "most indicators compared: {compared}");
        // Split groups are not a whole phase: no achievement against programme targets.
        assert!(cmp.rows.iter().all(|r| r.groups.iter().all(|g| g.cells.iter().all(|c| c.target.is_none()))));
        // Whole phases: achievement against the milestones combined over the quarters.
        let whole = compare_now(&mut c, "LBP", &format!("sides=phase:{}%2Cphase:{}", p1.phase.id, p2.phase.id));
        assert!(whole.notes.iter().any(|n| n.contains("different counties")), "{:?}", whole.notes);
        assert!(whole.notes.iter().any(|n| n.contains("different lengths")));
        let with_target = whole.rows.iter().flat_map(|r| &r.groups[0].cells).filter(|c| c.achievement.is_some()).count();
        assert!(with_target > 0);
        for ind in &indicators {
            let r = row(&whole, &ind.code);
            let a = expected(&raw, ind, &phase_quarters(p1, through, None));
            assert!(close(r.groups[0].cells[0].value, a), "{} whole phase 1", ind.code);
        }
    }
}

on_both_backends! {
    fn continuity_follows_links_into_the_earlier_programme_and_flags_definitions(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let dw = phase_ids(&mut c, "DW");
        let lbp = phase_ids(&mut c, "LBP");
        let cmp = compare_now(&mut c, "LBP", &format!("sides=phase:{}%2Cphase:{}", dw[1].phase.id, lbp[0].phase.id));
        let raw = raw(&mut c);
        let through = Period::parse("2026Q2").unwrap();
        let dw_p = programme::by_code(&mut c, "DW").unwrap();
        let earlier = framework::indicator_by_code(&mut c, dw_p.id, "DW-1.1").unwrap();
        // LBP-2.1 continues DW-1.1 unchanged: the DW side is DW-1.1's values.
        let r = row(&cmp, "LBP-2.1");
        assert_eq!(r.groups[0].cells[0].source, "DW-1.1");
        let want = expected(&raw, &earlier, &phase_quarters(&dw[1], through, None));
        assert!(want.is_some());
        assert!(close(r.groups[0].cells[0].value, want));
        assert!(r.flags.iter().any(|f| f.contains("LBP-2.1 continues DW-1.1")), "{:?}", r.flags);
        assert!(!r.flags.iter().any(|f| f.starts_with("Definition changed")));
        // LBP-2.2 continues DW-2.2 with a changed definition: flagged beside the figure.
        // It is lower-is-better: fewer days is an improvement.
        let r = row(&cmp, "LBP-2.2");
        assert!(r.flags.iter().any(|f| f.starts_with("Definition changed: LBP-2.2 continues DW-2.2")), "{:?}", r.flags);
        assert_eq!(r.direction, "lower is better");
        if let (Some(a), Some(b)) = (r.groups[0].cells[0].value, r.groups[0].cells[1].value) {
            let ch = r.groups[0].changes[0].as_ref().unwrap();
            assert_eq!(format!("{:?}", ch.verdict), if b < a { "Better" } else if b > a { "Worse" } else { "Same" });
        } else {
            panic!("both sides of LBP-2.2 have values in the demo");
        }
        // An indicator nothing continues into: missing on the DW side, never zero.
        let r = row(&cmp, "LBP-OP2.1.1");
        assert_eq!(r.groups[0].cells[0].value, None);
        assert_eq!(r.groups[0].cells[0].shown, "—");
        assert!(r.groups[0].changes[0].is_none());
        assert!(r.flags.iter().any(|f| f.contains("No indicator of DW")));
        // A change of definition in place (LBP-1.2 from 2025Q1) is flagged when the
        // sides straddle it, and not when they do not.
        let across = compare_now(&mut c, "LBP", &format!("sides=phase:{}%2Cphase:{}", lbp[0].phase.id, lbp[1].phase.id));
        assert!(row(&across, "LBP-1.2").flags.iter().any(|f| f.contains("Definition of LBP-1.2 changed from 2025Q1")));
        let within = compare_now(&mut c, "LBP", "sides=2025Q2%2C2026Q2");
        assert!(!row(&within, "LBP-1.2").flags.iter().any(|f| f.contains("Definition of")));
    }
}

on_both_backends! {
    fn a_missing_value_stays_missing_and_a_single_county_is_its_own_figure(t) {
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let ind = framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap();
        let turkana = location::by_code(&mut c, "023").unwrap().unwrap();
        let mandera = location::by_code(&mut c, "009").unwrap().unwrap();
        // Turkana's 2025Q3 value goes back to "submitted": no longer approved.
        {
            use mipaka::db::schema::indicator_values as v;
            let n = diesel::update(v::table.filter(v::indicator_id.eq(ind.id)).filter(v::location_id.eq(turkana.id)).filter(v::period.eq("2025Q3")).filter(v::disaggregation.eq("")))
                .set(v::status.eq("submitted"))
                .execute(&mut *c)
                .unwrap();
            assert_eq!(n, 1);
        }
        let cmp = compare_now(&mut c, "LBP", "sides=2025Q1..2025Q2%2C2025Q3..2025Q4");
        let r = row(&cmp, "LBP-OP1.1.1");
        let cell = &r.groups[0].cells[1];
        assert_eq!(cell.value, None, "one county-quarter missing: no figure, not a smaller one");
        assert_eq!((cell.reported, cell.expected), (13, 14));
        assert!(r.groups[0].changes[0].is_none());
        let csv = String::from_utf8(compare::export::csv(&cmp).unwrap()).unwrap();
        let line = csv.lines().find(|l| l.starts_with("LBP-OP1.1.1,") && l.contains("2025Q3–2025Q4")).unwrap();
        assert!(line.contains(",,13,14,"), "missing is an empty field: {line}");
        // Single counties against each other: each is just its own values.
        let raw = raw(&mut c);
        let cmp = compare_now(&mut c, "LBP", "sides=2025Q1..2025Q2%2C2025Q3..2025Q4&split=pick&a=023&b=009");
        let r = row(&cmp, "LBP-OP1.1.1");
        let q = |s: &str| Period::parse(s).unwrap();
        let want = |county: i32, qs: [&str; 2]| expected(&raw, &ind, &qs.iter().map(|s| (q(s), vec![county])).collect::<Vec<_>>());
        assert!(close(r.groups[0].cells[0].value, want(turkana.id, ["2025Q1", "2025Q2"])));
        assert_eq!(r.groups[0].cells[1].value, None, "Turkana's 2025Q3 is not approved");
        assert!(close(r.groups[1].cells[0].value, want(mandera.id, ["2025Q1", "2025Q2"])));
        assert!(close(r.groups[1].cells[1].value, want(mandera.id, ["2025Q3", "2025Q4"])));
        assert!(r.did[0].is_none(), "no difference-in-differences with a side missing");
        // The counties behind the figure, on demand.
        let plan = compare::plan(&mut c, &p, Spec::from_saved("sides=2025Q1..2025Q2%2C2025Q3..2025Q4").unwrap(), demo_day(), None).unwrap();
        let detail = compare::county_detail(&mut c, &plan, "LBP-OP1.1.1").unwrap();
        let t_line = detail.lines.iter().find(|l| l.county == "Turkana").unwrap();
        assert_eq!(t_line.raw[1], None);
        assert!(close(t_line.raw[0], want(turkana.id, ["2025Q1", "2025Q2"])));
        assert_eq!(detail.lines.len(), 7);
    }
}

on_both_backends! {
    fn overlapping_sides_and_county_groups_across_a_phase_boundary_equal_the_rows(t) {
        // LBP: Phase 1 (Mandera, Wajir, Garissa, Lamu) to 2024Q4, Phase 2 (and Busia,
        // Turkana, Marsabit) from 2025Q1. The first side crosses the boundary, where group
        // A grows from one county to three; the second side shares two of its quarters.
        // Every figure is read in one go for all sides and groups and must equal the rows
        // summed here.
        let db = t.with_demo();
        let mut c = TestDb::conn(&db);
        let phases = phase_ids(&mut c, "LBP");
        let code = |c: &mut DbConn, s: &str| location::by_code(c, s).unwrap().unwrap().id;
        let a: BTreeSet<i32> = ["009", "023", "040"].iter().map(|s| code(&mut c, s)).collect();
        let b: BTreeSet<i32> = ["007", "005"].iter().map(|s| code(&mut c, s)).collect();
        let cmp = compare_now(&mut c, "LBP", "sides=2024Q3..2025Q2%2C2025Q1..2025Q4&split=pick&a=009%2C023%2C040&b=007%2C005");
        let raw = raw(&mut c);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let indicators = framework::indicators_of(&mut c, p.id).unwrap();
        let q = |s: &str| Period::parse(s).unwrap();
        // Each quarter with the counties of the phase that holds it, narrowed to a group.
        let side = |from: &str, to: &str, group: &BTreeSet<i32>| -> Vec<(Period, Vec<i32>)> {
            let mut out = Vec::new();
            let mut quarter = q(from);
            while quarter <= q(to) {
                let phase = phases
                    .iter()
                    .find(|ph| ph.phase.start_date <= quarter.start() && quarter.end() <= ph.phase.end_date)
                    .expect("a phase holds the quarter");
                let ids = phase.counties.iter().map(|c| c.id).filter(|c| group.contains(c)).collect();
                out.push((quarter, ids));
                quarter = quarter.next();
            }
            out
        };
        assert_eq!(side("2024Q3", "2025Q2", &a)[0].1.len(), 1, "only Mandera of group A before 2025");
        let mut compared = 0;
        for ind in &indicators {
            let r = row(&cmp, &ind.code);
            for (g, group) in [&a, &b].into_iter().enumerate() {
                for (s, (from, to)) in [("2024Q3", "2025Q2"), ("2025Q1", "2025Q4")].into_iter().enumerate() {
                    let want = expected(&raw, ind, &side(from, to, group));
                    let got = r.groups[g].cells[s].value;
                    assert!(close(got, want), "{} group {g} side {s}: {got:?} against {want:?}", ind.code);
                    compared += usize::from(want.is_some());
                }
            }
        }
        assert!(compared >= 20, "most figures are there to compare: {compared}");
    }
}

fn get(client: &rocket::local::blocking::Client, url: &str) -> (Status, String) {
    let r = client.get(url.to_string()).dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

on_both_backends! {
    fn the_page_csv_api_saved_link_and_report_annex_agree(t) {
        let db = t.with_demo();
        let evaluator = t.client(db.clone());
        let csrf = sign_in(&evaluator, "evaluator", demo_password("evaluator"));
        let q = "sides=2025Q1..2025Q2%2C2026Q1..2026Q2&split=mou&through=2026Q2";
        let (status, page) = get(&evaluator, &format!("/programmes/LBP/compare?{q}"));
        assert_eq!(status, Status::Ok);
        assert!(page.contains("MoU initial counties") && page.contains("<svg class=\"bars\""));
        assert!(page.contains("Difference-in-differences in words"));
        let cmp = {
            let mut c = TestDb::conn(&db);
            compare_now(&mut c, "LBP", q)
        };
        // The page shows the computed figures.
        let r = row(&cmp, "LBP-OP1.1.1");
        assert!(page.contains(&r.groups[0].cells[0].shown));
        // CSV: one line per indicator, group and side, with the same numbers.
        let (status, csv) = get(&evaluator, &format!("/programmes/LBP/compare.csv?{q}"));
        assert_eq!(status, Status::Ok);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let lines: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(lines.len(), cmp.rows.len() * 2 * 2);
        for l in &lines {
            let r = row(&cmp, &l[0]);
            let g = r.groups.iter().position(|g| g.group == l[4]).unwrap();
            let s = cmp.sides.iter().position(|s| s.label == l[5]).unwrap();
            let want = r.groups[g].cells[s].value;
            let got: Option<f64> = if l[9].is_empty() { None } else { Some(l[9].parse().unwrap()) };
            assert!(close(got.map(|x| (x * 1e6).round()), want.map(|x| (x * 1e6).round())), "{l:?}");
        }
        // The JSON API answers the same.
        let token = {
            let c = &mut *db.get().unwrap();
            let u = mipaka::models::user::by_username(c, "evaluator").unwrap().unwrap();
            mipaka::models::session::create_token(c, u.id, "test", mipaka::clock::now()).unwrap().1
        };
        let r = evaluator.get(format!("/api/v1/programmes/LBP/compare?{q}&indicator=LBP-OP1.1.1")).header(Header::new("Authorization", format!("Bearer {token}"))).dispatch();
        assert_eq!(r.status(), Status::Ok);
        let json: serde_json::Value = r.into_json().unwrap();
        assert_eq!(json["comparison"]["rows"].as_array().unwrap().len(), cmp.rows.len());
        assert_eq!(json["counties"]["code"], "LBP-OP1.1.1");
        let bad = evaluator.get("/api/v1/programmes/LBP/compare?sides=2026Q5%2C2025").header(Header::new("Authorization", format!("Bearer {token}"))).dispatch();
        assert_eq!(bad.status(), Status::UnprocessableEntity);
        let body: serde_json::Value = bad.into_json().unwrap();
        assert_eq!(body["error"]["field"], "sides");
        // A wrong question is answered on the page with what and where, not a 500.
        let (status, page) = get(&evaluator, "/programmes/LBP/compare?sides=phase:999%2C2025");
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains("phase:999: no such phase"), "{page}");
        let (status, _) = get(&evaluator, "/programmes/LBP/compare.csv?sides=2025");
        assert_eq!(status, Status::UnprocessableEntity);
        // Donors have no comparisons.
        let donor = t.client(db.clone());
        sign_in(&donor, "donor", demo_password("donor"));
        assert_eq!(get(&donor, &format!("/programmes/LBP/compare?{q}")).0, Status::Forbidden);

        // Save without a name: refused, nothing saved.
        let r = evaluator.post("/programmes/LBP/compare/save").header(ContentType::Form)
            .body(format!("csrf={csrf}&name=+&query={}", crate::support::urlencode(&cmp.query))).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let r = evaluator.post("/programmes/LBP/compare/save").header(ContentType::Form)
            .body(format!("csrf={csrf}&name=Expansion+counties+catching+up&query={}", crate::support::urlencode(&cmp.query))).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let at = r.headers().get_one("Location").unwrap().to_string();
        assert!(at.starts_with("/comparisons/"));
        let saved_id: i32 = at.trim_start_matches("/comparisons/").parse().unwrap();
        {
            let mut c = TestDb::conn(&db);
            let lbp = programme::by_code(&mut c, "LBP").unwrap().id;
            let all = mipaka::models::comparison::of_programme(&mut c, lbp).unwrap();
            assert_eq!(all.len(), 1);
            let audited = mipaka::models::audit::history(&mut c, "saved_comparison", saved_id).unwrap();
            assert_eq!(audited.len(), 1);
        }
        // A colleague with access opens the shared link; a donor cannot.
        let officer = t.client(db.clone());
        sign_in(&officer, "officer", demo_password("officer"));
        let (status, shared) = get(&officer, &at);
        assert_eq!(status, Status::Ok);
        assert!(shared.contains("Expansion counties catching up"));
        assert!(shared.contains(&r_shown(&cmp)));
        assert_eq!(get(&donor, &at).0, Status::Forbidden);

        // The manager adds it to the donor report as the evaluation annex.
        let manager = t.client(db.clone());
        sign_in(&manager, "manager", demo_password("manager"));
        let r = manager.get(format!("/programmes/LBP/reports/draft?period=2026Q2&annex={saved_id}")).dispatch();
        assert_eq!(r.status(), Status::Ok);
        let pdf = r.into_bytes().unwrap();
        if let Some(text) = crate::reports::pdf_flow(&pdf) {
            assert!(text.contains("Evaluation annex: Expansion counties catching up"), "annex heading");
            assert!(text.contains(&r_shown(&cmp)), "annex figure");
        }
    }
}

/// A figure the saved page must show: LBP-OP1.1.1's first cell.
fn r_shown(cmp: &Comparison) -> String {
    row(cmp, "LBP-OP1.1.1").groups[0].cells[0].shown.clone()
}

on_both_backends! {
    fn continuity_is_recorded_checked_and_audited(t) {
        let db = t.with_demo();
        let manager = t.client(db.clone());
        let csrf = sign_in(&manager, "manager", demo_password("manager"));
        let post = |body: String| manager.post("/programmes/LBP/indicators/LBP-OP2.1.1/links").header(ContentType::Form).body(format!("csrf={csrf}&{body}")).dispatch();
        let count = || {
            let mut c = TestDb::conn(&db);
            mipaka::models::continuity::all(&mut c).unwrap().len()
        };
        let before = count();
        let r = post("kind=continues&earlier=DW-9.9&note=x".into());
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("DW-9.9: no indicator has this code"));
        let r = post("kind=continues&earlier=DW-OP1.1.2&note=".into());
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let r = post("kind=changed&from_period=2025&note=Counted+differently".into());
        assert!(r.into_string().unwrap().contains("first quarter measured the new way"));
        assert_eq!(count(), before, "nothing recorded by refused requests");
        let r = post("kind=continues&earlier=DW-OP1.1.2&definition_changed=true&note=Functional+now+needs+a+quarterly+meeting+record".into());
        assert_eq!(r.status(), Status::SeeOther);
        assert_eq!(count(), before + 1);
        // The comparison now follows it, with the flag.
        let mut c = TestDb::conn(&db);
        let dw = phase_ids(&mut c, "DW");
        let lbp = phase_ids(&mut c, "LBP");
        let cmp = compare_now(&mut c, "LBP", &format!("sides=phase:{}%2Cphase:{}", dw[1].phase.id, lbp[0].phase.id));
        let r = row(&cmp, "LBP-OP2.1.1");
        assert_eq!(r.groups[0].cells[0].source, "DW-OP1.1.2");
        assert!(r.flags.iter().any(|f| f.contains("Definition changed") && f.contains("quarterly meeting record")));
        let audited = mipaka::models::audit::recent(&mut c, 5).unwrap();
        assert!(audited.iter().any(|a| a.action == "indicator_link_added"));
        drop(c);
        // A loop back is refused.
        let r = manager.post("/programmes/DW/indicators/DW-OP1.1.2/links").header(ContentType::Form)
            .body(format!("csrf={csrf}&kind=continues&earlier=LBP-OP2.1.1&note=loop")).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        // An evaluator may not record links.
        let evaluator = t.client(db.clone());
        let e_csrf = sign_in(&evaluator, "evaluator", demo_password("evaluator"));
        let r = evaluator.post("/programmes/LBP/indicators/LBP-0.1/links").header(ContentType::Form)
            .body(format!("csrf={e_csrf}&kind=changed&from_period=2026Q1&note=x")).dispatch();
        assert!(r.status() == Status::Forbidden || r.status() == Status::NotFound, "{}", r.status());
    }
}
