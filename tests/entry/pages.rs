//! The dashboard's trends and the indicator page's history.

use std::collections::BTreeMap;

use diesel::prelude::*;
use rocket::http::Status;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in};
use mipaka::db::schema::{indicator_values, indicators, programmes};
use mipaka::domain::unit::format_value;

on_both_backends! {
    fn the_indicator_page_shows_programme_figures_per_period_from_the_raw_values(t) {
        let db = t.with_demo();
        // Independently: per period, the sum of counted county totals of LBP-0.1, and how
        // many counties the phase wholly containing the quarter expects.
        let (unit, rule, sums, cur, expected) = {
            let c = &mut *db.get().unwrap();
            let (id, unit, rule, cur): (i32, String, String, String) = indicators::table
                .inner_join(programmes::table)
                .filter(programmes::code.eq("LBP"))
                .filter(indicators::code.eq("LBP-0.1"))
                .select((indicators::id, indicators::unit, indicators::county_aggregation, programmes::currency))
                .first(c)
                .unwrap();
            let rows: Vec<(String, f64)> = indicator_values::table
                .filter(indicator_values::indicator_id.eq(id))
                .filter(indicator_values::disaggregation.eq(""))
                .filter(indicator_values::status.eq_any(["submitted", "approved"]))
                .select((indicator_values::period, indicator_values::value))
                .load(c)
                .unwrap();
            let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
            for (p, v) in rows {
                let e = sums.entry(p).or_default();
                e.0 += v;
                e.1 += 1;
            }
            use mipaka::db::schema::{phase_counties, phases};
            let mut expected: BTreeMap<String, usize> = BTreeMap::new();
            for period in sums.keys() {
                let q = mipaka::domain::period::Period::parse(period).unwrap();
                let n: i64 = phases::table
                    .inner_join(phase_counties::table)
                    .inner_join(programmes::table)
                    .filter(programmes::code.eq("LBP"))
                    .filter(phases::start_date.le(q.start()))
                    .filter(phases::end_date.ge(q.end()))
                    .count()
                    .get_result(c)
                    .unwrap();
                expected.insert(period.clone(), n as usize);
            }
            (unit, rule, sums, cur, expected)
        };
        let client = t.client(db);
        sign_in(&client, "evaluator", demo_password("evaluator"));
        let r = client.get("/programmes/LBP/indicators/LBP-0.1?all=true").dispatch();
        assert_eq!(r.status(), Status::Ok);
        let page = r.into_string().unwrap();
        assert!(page.contains("<svg class=\"chart\""), "has the chart");
        let total_row = page.split("<tr class=\"total\"><th>Programme").nth(1).unwrap().split("</tr>").next().unwrap();
        let unit: mipaka::domain::unit::Unit = unit.parse().unwrap();
        let mut partial = 0;
        for (period, (sum, n)) in &sums {
            let want = expected[period];
            // A quarter not fully in says how much is; it never prints a partial sum.
            let shown = if *n < want {
                partial += 1;
                format!("{n} of {want} counties in")
            } else {
                format_value(unit, if rule == "sum" { *sum } else { sum / *n as f64 }, &cur)
            };
            assert!(total_row.contains(&format!(">{shown}<")), "{period}: {shown} in {total_row}");
        }
        assert!(sums.len() > partial, "some quarters are complete");
        assert!(page.len() < 60_000, "indicator page is {} bytes", page.len());
    }
}

on_both_backends! {
    fn the_dashboard_has_a_trend_per_indicator_and_donors_cannot_open_detail(t) {
        let db = t.with_demo();
        let client = t.client(db);
        sign_in(&client, "donor", demo_password("donor"));
        let page = client.get("/programmes/LBP").dispatch().into_string().unwrap();
        assert!(page.matches("<svg class=\"spark\"").count() >= 10, "sparklines on the dashboard");
        assert!(page.len() < 60_000, "dashboard is {} bytes", page.len());
        assert_eq!(client.get("/programmes/LBP/indicators/LBP-0.1").dispatch().status(), Status::Forbidden);
        // No dead ends: every link on the donor's dashboard opens.
        let mut links: Vec<&str> = page
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|h| h.starts_with('/') && !h.starts_with("/static/"))
            .collect();
        links.sort();
        links.dedup();
        assert!(links.len() >= 3, "{links:?}");
        for href in links {
            let href = href.replace("&amp;", "&");
            let status = client.get(href.clone()).dispatch().status();
            assert!(status.code < 400, "{href} answers {status} to a donor");
        }
    }
}
