//! The totals the database keeps per indicator, part and period (`value_totals`) against
//! a recount of the rows they total, after every kind of write — and the engine's reads
//! from them against the same reads summed from the rows.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Double, Integer, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};

use crate::on_both_backends;
use mipaka::db::DbConn;
use mipaka::domain::period::Period;
use mipaka::models::values::{self, Basis};
use mipaka::models::{category, location, programme};

#[derive(QueryableByName, Debug)]
struct Group {
    #[diesel(sql_type = Integer)]
    indicator_id: i32,
    #[diesel(sql_type = Text)]
    disaggregation: String,
    #[diesel(sql_type = Text)]
    period: String,
    #[diesel(sql_type = Double)]
    approved_sum: f64,
    #[diesel(sql_type = BigInt)]
    approved_count: i64,
    #[diesel(sql_type = Double)]
    submitted_sum: f64,
    #[diesel(sql_type = BigInt)]
    submitted_count: i64,
}

type Groups = BTreeMap<(i32, String, String), (f64, i64, f64, i64)>;

fn groups(c: &mut DbConn, sql: &str) -> Groups {
    let rows: Vec<Group> = mipaka::db_run!(c: { diesel::sql_query(sql).load(c).unwrap() });
    rows.into_iter()
        .map(|g| {
            (
                (g.indicator_id, g.disaggregation, g.period),
                (
                    g.approved_sum,
                    g.approved_count,
                    g.submitted_sum,
                    g.submitted_count,
                ),
            )
        })
        .collect()
}

fn kept(c: &mut DbConn) -> Groups {
    groups(
        c,
        "SELECT indicator_id, disaggregation, period, \
         CAST(approved_sum AS DOUBLE PRECISION) AS approved_sum, \
         CAST(approved_count AS BIGINT) AS approved_count, \
         CAST(submitted_sum AS DOUBLE PRECISION) AS submitted_sum, \
         CAST(submitted_count AS BIGINT) AS submitted_count \
         FROM value_totals WHERE approved_count + submitted_count > 0",
    )
}

fn recounted(c: &mut DbConn) -> Groups {
    groups(
        c,
        "SELECT indicator_id, disaggregation, period, \
         CAST(COALESCE(SUM(CASE WHEN status = 'approved' THEN value END), 0) AS DOUBLE PRECISION) AS approved_sum, \
         CAST(COUNT(CASE WHEN status = 'approved' THEN 1 END) AS BIGINT) AS approved_count, \
         CAST(COALESCE(SUM(CASE WHEN status = 'submitted' THEN value END), 0) AS DOUBLE PRECISION) AS submitted_sum, \
         CAST(COUNT(CASE WHEN status = 'submitted' THEN 1 END) AS BIGINT) AS submitted_count \
         FROM indicator_values GROUP BY indicator_id, disaggregation, period \
         HAVING COUNT(CASE WHEN status IN ('approved', 'submitted') THEN 1 END) > 0",
    )
}

fn assert_totals_hold(c: &mut DbConn, after: &str) {
    let kept = kept(c);
    let recounted = recounted(c);
    assert!(!recounted.is_empty(), "{after}: there are values to total");
    let keys = |g: &Groups| g.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&kept), keys(&recounted), "{after}: the same groups");
    for (k, (a, an, s, sn)) in &recounted {
        let (ka, kan, ks, ksn) = kept[k];
        assert_eq!((kan, ksn), (*an, *sn), "{after}: counts of {k:?}");
        assert!(
            (ka - a).abs() < 1e-9 && (ks - s).abs() < 1e-9,
            "{after}: {k:?} kept ({ka}, {ks}), rows give ({a}, {s})"
        );
    }
}

fn exec(c: &mut DbConn, sql: &str) {
    c.batch_execute(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

on_both_backends! {
    fn kept_totals_are_the_rows_totals_after_every_kind_of_write(db) {
        let db = db.with_demo();
        let mut c = db.get().unwrap();
        assert_totals_hold(&mut c, "the demonstration data");
        // A value changes; a comment alone changes none.
        exec(&mut c, "UPDATE indicator_values SET value = value + 2.5 \
                      WHERE id IN (SELECT id FROM indicator_values WHERE status = 'approved' ORDER BY id LIMIT 40)");
        exec(&mut c, "UPDATE indicator_values SET comment = 'checked', version = version + 1 \
                      WHERE id IN (SELECT id FROM indicator_values ORDER BY id DESC LIMIT 40)");
        assert_totals_hold(&mut c, "values changed");
        // Statuses move: unlocked, submitted, approved.
        exec(&mut c, "UPDATE indicator_values SET status = 'returned' \
                      WHERE id IN (SELECT id FROM indicator_values WHERE status = 'approved' ORDER BY id LIMIT 25)");
        exec(&mut c, "UPDATE indicator_values SET status = 'submitted' \
                      WHERE id IN (SELECT id FROM indicator_values WHERE status = 'returned' ORDER BY id LIMIT 10)");
        exec(&mut c, "UPDATE indicator_values SET status = 'approved' \
                      WHERE id IN (SELECT id FROM indicator_values WHERE status = 'submitted' ORDER BY id LIMIT 5)");
        assert_totals_hold(&mut c, "statuses changed");
        // Rows go, alone and with their indicator.
        exec(&mut c, "DELETE FROM indicator_values \
                      WHERE id IN (SELECT id FROM indicator_values ORDER BY id LIMIT 30)");
        assert_totals_hold(&mut c, "values deleted");
        exec(&mut c, "DELETE FROM indicator_targets WHERE indicator_id = \
                      (SELECT MAX(indicator_id) FROM indicator_values)");
        exec(&mut c, "DELETE FROM indicators WHERE id = (SELECT MAX(indicator_id) FROM indicator_values)");
        assert_totals_hold(&mut c, "an indicator deleted");
        // A row moved to another county's period (nothing does this, but a trigger must).
        exec(&mut c, "UPDATE indicator_values SET period = '2019Q1', period_start = '2019-01-01', \
                      period_end = '2019-03-31' WHERE id = (SELECT MIN(id) FROM indicator_values WHERE status = 'approved')");
        assert_totals_hold(&mut c, "a row moved");
    }
}

on_both_backends! {
    fn writers_of_the_same_total_in_different_counties_never_lose_each_other(db) {
        let db = db.with_demo();
        let mut c = db.get().unwrap();
        #[derive(QueryableByName)]
        struct Pair {
            #[diesel(sql_type = Integer)]
            a: i32,
            #[diesel(sql_type = Integer)]
            b: i32,
        }
        // Two approved values of one group, in two counties.
        let conn: &mut DbConn = &mut c;
        let pair: Pair = mipaka::db_run!(conn: {
            diesel::sql_query(
                "SELECT MIN(id) AS a, MAX(id) AS b FROM indicator_values WHERE status = 'approved' \
                 GROUP BY indicator_id, disaggregation, period HAVING COUNT(*) > 1 \
                 ORDER BY MIN(id) LIMIT 1",
            )
            .get_result(conn)
            .unwrap()
        });
        drop(c);
        let both_in = Arc::new(Barrier::new(2));
        let write = |id: i32, first: bool| {
            let db = db.clone();
            let both_in = both_in.clone();
            std::thread::spawn(move || {
                let mut c = db.get().unwrap();
                if !first {
                    both_in.wait();
                }
                c.transaction::<_, mipaka::error::AppError, _>(|c| {
                    c.batch_execute(&format!(
                        "UPDATE indicator_values SET value = value + 1000 WHERE id = {id}"
                    ))?;
                    if first {
                        // The other writer starts while this one holds its change.
                        both_in.wait();
                        std::thread::sleep(std::time::Duration::from_millis(300));
                    }
                    Ok(())
                })
                .unwrap();
            })
        };
        let one = write(pair.a, true);
        let two = write(pair.b, false);
        one.join().unwrap();
        two.join().unwrap();
        assert_totals_hold(&mut db.get().unwrap(), "two concurrent writers");
    }
}

on_both_backends! {
    fn every_county_read_from_the_kept_totals_is_the_read_summed_from_rows(db) {
        let db = db.with_demo();
        let mut c = db.get().unwrap();
        // Some submitted values too, so both bases differ.
        exec(&mut c, "UPDATE indicator_values SET status = 'submitted' \
                      WHERE id IN (SELECT id FROM indicator_values WHERE status = 'approved' ORDER BY id DESC LIMIT 60)");
        let all: Vec<i32> = location::counties(&mut c).unwrap().iter().map(|l| l.id).collect();
        let from = Period::parse("2015Q1").unwrap().start();
        let to = Period::parse("2030Q4").unwrap().end();
        let mut compared = 0;
        for p in programme::all(&mut c).unwrap() {
            let keys: Vec<String> = category::dimensions(&mut c, p.id)
                .unwrap()
                .all()
                .iter()
                .flat_map(|cat| {
                    cat.options
                        .iter()
                        .map(|o| mipaka::domain::disaggregation::key(&cat.code, &o.code))
                        .collect::<Vec<_>>()
                })
                .collect();
            let ids: Vec<i32> = mipaka::models::framework::indicators_of(&mut c, p.id)
                .unwrap()
                .iter()
                .map(|i| i.id)
                .collect();
            for basis in [Basis::Approved, Basis::Reported] {
                let read = |c: &mut DbConn, counties: Option<&[i32]>| {
                    let mut rows: Vec<_> = values::grouped_totals(c, p.id, None, basis, counties, &keys, from, to)
                        .unwrap()
                        .into_iter()
                        .map(|r| ((r.indicator_id, r.disaggregation, r.period), (r.sum, r.count, r.approved)))
                        .collect();
                    rows.sort_by(|a, b| a.0.cmp(&b.0));
                    rows
                };
                let kept = read(&mut c, None);
                let summed = read(&mut c, Some(&all));
                assert_eq!(kept.len(), summed.len(), "{} {basis:?}: the same groups", p.code);
                for (k, s) in kept.iter().zip(&summed) {
                    assert_eq!(k.0, s.0);
                    assert_eq!((k.1 .1, k.1 .2), (s.1 .1, s.1 .2), "{} {basis:?} {:?}: counts", p.code, k.0);
                    assert!((k.1 .0 - s.1 .0).abs() < 1e-9, "{} {basis:?} {:?}: {} against {}", p.code, k.0, k.1 .0, s.1 .0);
                }
                compared += kept.len();
                let sums = |c: &mut DbConn, counties: Option<&[i32]>| {
                    let mut rows: Vec<_> = values::running_sums(c, &ids, basis, counties, to)
                        .unwrap()
                        .into_iter()
                        .map(|r| (r.indicator_id, r.sum, r.count, r.approved))
                        .collect();
                    rows.sort_by_key(|r| r.0);
                    rows
                };
                let kept = sums(&mut c, None);
                let summed = sums(&mut c, Some(&all));
                assert_eq!(kept.len(), summed.len(), "{} {basis:?}: running sums", p.code);
                for (k, s) in kept.iter().zip(&summed) {
                    assert_eq!((k.0, k.2, k.3), (s.0, s.2, s.3));
                    assert!((k.1 - s.1).abs() < 1e-9, "{} {basis:?}: running sum {} against {}", p.code, k.1, s.1);
                }
            }
        }
        assert!(compared > 500, "compared {compared} grouped rows");
    }
}
