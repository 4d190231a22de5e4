//! The demonstration programmes: loaded once, shown with figures that match the data.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use rocket::http::Status;

use crate::on_both_backends;
use crate::support::{demo_day, demo_password, sign_in, TestDb};
use mipaka::db::schema::{indicator_targets, indicator_values, indicators, programmes};
use mipaka::domain::unit::format_value;

const DEMO_CODES: [&str; 3] = ["DW", "LBP", "KEUK-MOU"];

on_both_backends! {
    fn demo_loads_three_programmes_with_their_logframes(t) {
        let db = t.with_demo();
        let mut conn = db.get().unwrap();
        let mut codes: Vec<String> = programmes::table.select(programmes::code).load(&mut *conn).unwrap();
        codes.sort();
        let mut expected: Vec<String> = DEMO_CODES.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(codes, expected);
        for code in DEMO_CODES {
            let p = mipaka::models::programme::by_code(&mut conn, code).unwrap();
            assert!(p.is_demo);
            let phases = mipaka::models::programme::phases_of(&mut conn, p.id).unwrap();
            assert_eq!(phases.len(), 2, "{code} has two phases");
            assert!(phases.iter().all(|ph| !ph.counties.is_empty()));
            let results = mipaka::models::framework::results_of(&mut conn, p.id).unwrap();
            assert!(results.iter().any(|r| r.level == "impact"));
            assert!(results.iter().any(|r| r.level == "outcome"));
            let outputs: Vec<_> = results.iter().filter(|r| r.level == "output").collect();
            let weights: f64 = outputs.iter().filter_map(|r| r.impact_weighting).sum();
            assert!((weights - 100.0).abs() < 0.01, "{code} output weightings sum to {weights}");
            assert!(mipaka::models::values::count_of_programme(&mut conn, p.id).unwrap() > 100);
        }
    }
}

on_both_backends! {
    fn loading_the_demo_twice_is_refused_and_changes_nothing(t) {
        let db = t.with_demo();
        let mut conn = db.get().unwrap();
        let before: i64 = indicator_values::table.count().get_result(&mut *conn).unwrap();
        let err = mipaka::seed::demo(&mut conn, demo_day()).unwrap_err();
        assert!(err.to_string().contains("already loaded"), "{err}");
        let after: i64 = indicator_values::table.count().get_result(&mut *conn).unwrap();
        assert_eq!(before, after);
    }
}

on_both_backends! {
    fn a_configured_database_is_never_seeded_unasked(t) {
        let db = t.prepare();
        assert_eq!(mipaka::models::programme::count(&mut db.get().unwrap()).unwrap(), 0);
        mipaka::models::user::create(&mut db.get().unwrap(), &mipaka::models::user::NewAccount {
            username: "first", display_name: "First Admin", email: "", password: "first-admin-password", is_admin: true,
        }).unwrap();
        let client = t.client(db);
        sign_in(&client, "first", "first-admin-password");
        let page = client.get("/").dispatch().into_string().unwrap();
        assert!(page.contains("No programmes yet"));
        assert!(!page.contains("Demonstration data"));
    }
}

#[test]
fn the_embedded_default_is_seeded_once_on_first_start() {
    let t = TestDb::sqlite();
    let mut config = t.config.clone();
    config.embedded_default = true;
    let first = mipaka::prepare(&config).unwrap();
    assert!(first.demo.is_some());
    assert_eq!(
        mipaka::models::programme::count(&mut first.db.get().unwrap()).unwrap(),
        3
    );
    drop(first);
    let second = mipaka::prepare(&config).unwrap();
    assert!(
        second.demo.is_none(),
        "a database with programmes is not seeded again"
    );
    assert_eq!(
        mipaka::models::programme::count(&mut second.db.get().unwrap()).unwrap(),
        3
    );
}

/// Independent of the application's figure code: per indicator, the latest period in
/// which every county of its phase has a counted (submitted or approved) total; those
/// totals combined by the indicator's rule; and that period's target.
fn expected_latest(
    conn: &mut mipaka::db::DbConn,
    code: &str,
) -> BTreeMap<String, (Option<f64>, Option<f64>)> {
    use mipaka::db::schema::{phase_counties, phases};
    let p = mipaka::models::programme::by_code(conn, code).unwrap();
    let phase_rows: Vec<(i32, NaiveDate, NaiveDate)> = phases::table
        .filter(phases::programme_id.eq(p.id))
        .select((phases::id, phases::start_date, phases::end_date))
        .load(conn)
        .unwrap();
    let expected = |start: NaiveDate, end: NaiveDate, conn: &mut mipaka::db::DbConn| -> usize {
        let (id, _, _) = phase_rows
            .iter()
            .find(|(_, s, e)| *s <= start && end <= *e)
            .unwrap();
        phase_counties::table
            .filter(phase_counties::phase_id.eq(id))
            .count()
            .get_result::<i64>(conn)
            .unwrap() as usize
    };
    let inds: Vec<(i32, String, String)> = indicators::table
        .filter(indicators::programme_id.eq(p.id))
        .select((
            indicators::id,
            indicators::code,
            indicators::county_aggregation,
        ))
        .load(conn)
        .unwrap();
    let mut out = BTreeMap::new();
    for (id, icode, rule) in inds {
        let rows: Vec<(String, NaiveDate, NaiveDate, f64)> = indicator_values::table
            .filter(indicator_values::indicator_id.eq(id))
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::status.eq_any(["submitted", "approved"]))
            .select((
                indicator_values::period,
                indicator_values::period_start,
                indicator_values::period_end,
                indicator_values::value,
            ))
            .load(conn)
            .unwrap();
        let mut by_period: BTreeMap<(NaiveDate, NaiveDate, String), Vec<f64>> = BTreeMap::new();
        for (period, s, e, v) in rows {
            by_period.entry((s, e, period)).or_default().push(v);
        }
        let chosen = by_period
            .iter()
            .rev()
            .find(|((s, e, _), vs)| vs.len() >= expected(*s, *e, conn));
        let Some(((_, _, period), vs)) = chosen else {
            out.insert(icode, (None, None));
            continue;
        };
        let sum: f64 = vs.iter().sum();
        let value = if rule == "sum" {
            sum
        } else {
            sum / vs.len() as f64
        };
        let target: Option<f64> = indicator_targets::table
            .filter(indicator_targets::indicator_id.eq(id))
            .filter(indicator_targets::period.eq(period))
            .select(indicator_targets::value)
            .first(conn)
            .optional()
            .unwrap();
        out.insert(icode, (Some(value), target));
    }
    out
}

on_both_backends! {
    fn programme_figures_match_the_raw_values(t) {
        let db = t.with_demo();
        let mut conn = db.get().unwrap();
        for code in DEMO_CODES {
            let expected = expected_latest(&mut conn, code);
            let p = mipaka::models::programme::by_code(&mut conn, code).unwrap();
            let figures = mipaka::overview::indicator_figures(&mut conn, &p, mipaka::clock::today()).unwrap();
            assert_eq!(figures.len(), expected.len());
            let mut rated = 0;
            for f in &figures {
                let (value, target) = expected[&f.indicator.code];
                let got = f.latest.as_ref().map(|l| l.value);
                match (got, value) {
                    (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{}: {a} != {b}", f.indicator.code),
                    (None, None) => {}
                    other => panic!("{}: latest {other:?}", f.indicator.code),
                }
                assert_eq!(f.milestone, target, "{} milestone", f.indicator.code);
                if f.rag.is_some() {
                    rated += 1;
                }
            }
            assert!(rated > 0, "{code}: some indicators are rated");
        }
    }
}

on_both_backends! {
    fn home_and_programme_pages_show_the_demo_programmes(t) {
        let db = t.with_demo();
        let figures: Vec<(String, String)> = {
            let mut conn = db.get().unwrap();
            let p = mipaka::models::programme::by_code(&mut conn, "LBP").unwrap();
            mipaka::overview::indicator_figures(&mut conn, &p, mipaka::clock::today())
                .unwrap()
                .into_iter()
                .filter_map(|f| {
                    let shown = match f.figure.as_ref().and_then(|g| g.yes) {
                        Some(y) => mipaka::figures::kind::yes_counties(&y),
                        None => format_value(f.rules.unit, f.latest?.value, &p.currency),
                    };
                    Some((f.indicator.code.clone(), shown))
                })
                .collect()
        };
        let client = t.client(db);
        sign_in(&client, "manager", demo_password("manager"));

        let home = client.get("/").dispatch();
        assert_eq!(home.status(), Status::Ok);
        let home = home.into_string().unwrap();
        assert!(home.contains("Demonstration data"));
        for code in DEMO_CODES {
            assert!(home.contains(&format!("href=\"/programmes/{code}\"")), "home links {code}");
        }
        assert!(home.contains("Land Border Programme"));

        let page = client.get("/programmes/LBP").dispatch();
        assert_eq!(page.status(), Status::Ok);
        let page = page.into_string().unwrap();
        assert!(page.contains("Demonstration data"));
        assert!(page.contains("Results framework"));
        assert!(page.contains("Impact"));
        assert!(page.contains("Green: "), "the RAG rule is stated on the page");
        assert!(!figures.is_empty());
        for (code, shown) in &figures {
            let row = page.split(&format!("<strong>{code}</strong>")).nth(1).unwrap_or_else(|| panic!("{code} on page"));
            let row = row.split("</tr>").next().unwrap();
            let shown = shown.replace('&', "&amp;");
            assert!(row.contains(&shown), "{code}: expected latest {shown} in row {row}");
        }
        assert!(page.len() < 60_000, "programme page is {} bytes", page.len());
    }
}

on_both_backends! {
    fn an_unknown_programme_is_a_404_page_not_a_crash(t) {
        let client = t.client(t.with_demo());
        sign_in(&client, "evaluator", demo_password("evaluator"));
        let r = client.get("/programmes/NOPE").dispatch();
        assert_eq!(r.status(), Status::NotFound);
        let body = r.into_string().unwrap();
        assert!(body.contains("no programme with the code") && body.contains("NOPE"), "{body}");
        let r = client.get("/no/such/page").dispatch();
        assert_eq!(r.status(), Status::NotFound);
    }
}
