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

pub(crate) fn assert_totals_hold(c: &mut DbConn, after: &str) {
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

/// Rows in value_totals_held: none outside a bulk write, whatever it did.
fn held(c: &mut DbConn) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let n: N = mipaka::db_run!(c: {
        diesel::sql_query("SELECT COUNT(*) AS n FROM value_totals_held").get_result(c).unwrap()
    });
    n.n
}

on_both_backends! {
    fn the_entry_services_bulk_writes_recount_each_total_once_and_right(db) {
        use mipaka::entry::{self, CellInput, EntryContext};
        use mipaka::models::{audit::Actor, user};
        let db = db.with_demo();
        let c: &mut DbConn = &mut db.get().unwrap();
        let p = programme::by_code(c, "LBP").unwrap();
        let who = |c: &mut DbConn, name: &str| {
            let u = user::by_username(c, name).unwrap().unwrap();
            Actor { user_id: Some(u.id), name: u.username }
        };
        let (manager, officer) = (who(c, "manager"), who(c, "officer"));
        let now = mipaka::clock::now();
        // LBP's newest quarter whose values are approved (its history, not locked in
        // the demonstration data): a period open again for correction.
        let q = (0..40)
            .map(|n| (0..n).fold(Period::quarter_containing(now.date()), |q, _| q.prev()))
            .find(|q| {
                values::of_period(c, p.id, &q.id())
                    .unwrap()
                    .iter()
                    .filter(|v| v.status == "approved")
                    .count()
                    > 10
            })
            .expect("LBP has an approved quarter");
        let ctx = EntryContext::load(c, p.clone(), q).unwrap();
        // Approved county totals of number indicators: six corrected, one cleared.
        let mut inputs: Vec<CellInput> = ctx
            .cells()
            .into_iter()
            .filter(|k| {
                ctx.indicators.iter().any(|(i, r)| {
                    i.id == k.indicator_id && r.unit.as_str() == "number" && i.dimensions().is_empty()
                })
            })
            .filter_map(|k| {
                let v = ctx.values.get(&k).filter(|v| v.status == "approved")?;
                Some(CellInput {
                    raw: format!("{}", v.value + 1.0),
                    comment: "recounted at the border post".into(),
                    base_version: Some(v.version),
                    pick: None,
                    resolving: false,
                    key: k,
                })
            })
            .take(7)
            .collect();
        assert_eq!(inputs.len(), 7, "enough approved number cells in {}", q.id());
        inputs[6].raw.clear();
        let saved = entry::save(c, &ctx, &manager, &inputs, now).unwrap();
        assert!(saved.is_clean(), "{:?}", saved.problems);
        assert_eq!(saved.changed, 7);
        assert_totals_hold(c, "approved values corrected and one cleared");
        assert_eq!(held(c), 0);
        entry::submit(c, &manager, &p, &q).unwrap();
        assert_totals_hold(c, "submitted");
        entry::return_for_correction(c, &officer, &p, &q, "check the Busia figures", now).unwrap();
        assert_totals_hold(c, "returned");
        entry::submit(c, &manager, &p, &q).unwrap();
        entry::approve(c, &officer, &p, &q, now).unwrap();
        assert_totals_hold(c, "approved again");
        assert_eq!(held(c), 0);
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

/// (group, indicator, part, period) and (indicator, part, period).
type GroupKey = (i32, i32, String, String);
type PartKey = (i32, String, String);
/// Sum, count and approved count.
type Sums = (f64, i64, i64);

on_both_backends! {
    fn county_group_sums_are_each_groups_rows_summed_across_a_phase_boundary(db) {
        let db = db.with_demo();
        let mut c = db.get().unwrap();
        // Some submitted values, so that the two bases differ.
        exec(&mut c, "UPDATE indicator_values SET status = 'submitted' \
                      WHERE id IN (SELECT id FROM indicator_values WHERE status = 'approved' ORDER BY id DESC LIMIT 80)");
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let code = |c: &mut DbConn, s: &str| location::by_code(c, s).unwrap().unwrap().id;
        let (mandera, garissa, turkana, busia) =
            (code(&mut c, "009"), code(&mut c, "007"), code(&mut c, "023"), code(&mut c, "040"));
        // MoU-like, a single county, two groups sharing Mandera, an empty group, and one
        // of counties only in Phase 2 (nothing of it before 2025).
        let groups: Vec<Vec<i32>> = vec![
            vec![mandera, turkana, busia],
            vec![garissa],
            vec![mandera, garissa],
            vec![],
            vec![turkana, busia],
        ];
        let asked: Vec<&[i32]> = groups.iter().map(Vec::as_slice).collect();
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
        assert!(!keys.is_empty(), "LBP has parts");
        let ids: Vec<i32> = mipaka::models::framework::indicators_of(&mut c, p.id)
            .unwrap()
            .iter()
            .map(|i| i.id)
            .collect();
        // Phase 1 ends with 2024Q4, Phase 2 starts with 2025Q1.
        let (from, to) = (Period::parse("2024Q3").unwrap().start(), Period::parse("2025Q2").unwrap().start());
        let rows: Vec<(i32, String, String, i32, f64, String)> = {
            use mipaka::db::schema::indicator_values as v;
            use diesel::prelude::*;
            v::table
                .filter(v::indicator_id.eq_any(&ids))
                .filter(v::period_start.ge(from))
                .filter(v::period_start.le(to))
                .select((v::indicator_id, v::period, v::disaggregation, v::location_id, v::value, v::status))
                .load(&mut *c)
                .unwrap()
        };
        for basis in [Basis::Approved, Basis::Reported] {
            let counted = |s: &str| s == "approved" || (basis == Basis::Reported && s == "submitted");
            let mut want: BTreeMap<GroupKey, Sums> = BTreeMap::new();
            for (g, members) in groups.iter().enumerate() {
                for (i, period, part, county, value, status) in &rows {
                    if !members.contains(county) || !counted(status) || !(part.is_empty() || keys.contains(part)) {
                        continue;
                    }
                    let e = want.entry((g as i32, *i, part.clone(), period.clone())).or_default();
                    e.0 += value;
                    e.1 += 1;
                    e.2 += i64::from(status == "approved");
                }
            }
            let got: BTreeMap<GroupKey, Sums> =
                values::county_group_totals(&mut c, &ids, basis, &asked, &keys, from, to)
                    .unwrap()
                    .into_iter()
                    .map(|r| ((r.group, r.indicator_id, r.disaggregation, r.period), (r.sum, r.count, r.approved)))
                    .collect();
            assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "{basis:?}: the same groups");
            for (k, (sum, count, approved)) in &want {
                let (s, n, a) = got[k];
                assert_eq!((n, a), (*count, *approved), "{basis:?} {k:?}: counts");
                assert!((s - sum).abs() < 1e-9, "{basis:?} {k:?}: {s} against {sum}");
            }
            let group = |g: i32| want.keys().filter(|k| k.0 == g).count();
            assert!((0..3).all(|g| group(g) > 20), "every group has values: {want:?}");
            assert!(group(4) > 0, "Phase 2 counties have values from 2025");
            assert_eq!(group(3), 0, "an empty group has none");
            assert!(want.keys().filter(|k| k.0 == 4).all(|k| k.3.starts_with("2025")), "Phase 2 counties start in 2025");
            assert!(want.keys().any(|k| !k.2.is_empty()), "parts are summed too");
            // One group alone is read as it is among others, and so is the programme's
            // subset read.
            let among: Vec<_> = got
                .iter()
                .filter(|(k, _)| k.0 == 2)
                .map(|(k, v)| ((k.1, k.2.clone(), k.3.clone()), *v))
                .collect();
            let same = |what: &str, mut rows: Vec<(PartKey, Sums)>| {
                rows.sort_by(|a, b| a.0.cmp(&b.0));
                assert_eq!(rows.len(), among.len(), "{basis:?} {what}");
                for (a, b) in rows.iter().zip(&among) {
                    assert_eq!((&a.0, a.1 .1, a.1 .2), (&b.0, b.1 .1, b.1 .2), "{basis:?} {what}");
                    assert!((a.1 .0 - b.1 .0).abs() < 1e-9, "{basis:?} {what}: {a:?} against {b:?}");
                }
            };
            same(
                "one group alone",
                values::county_group_totals(&mut c, &ids, basis, &[asked[2]], &keys, from, to)
                    .unwrap()
                    .into_iter()
                    .map(|r| ((r.indicator_id, r.disaggregation, r.period), (r.sum, r.count, r.approved)))
                    .collect(),
            );
            same(
                "the programme's subset read",
                values::grouped_totals(&mut c, p.id, None, basis, Some(asked[2]), &keys, from, to)
                    .unwrap()
                    .into_iter()
                    .map(|r| ((r.indicator_id, r.disaggregation, r.period), (r.sum, r.count, r.approved)))
                    .collect(),
            );
        }
    }
}

on_both_backends! {
    fn data_as_of_is_the_newest_approval_of_values_ended_by_then(db) {
        let db = db.with_demo();
        let mut c = db.get().unwrap();
        let p = programme::by_code(&mut c, "LBP").unwrap();
        // Approval times spread over the values, a newer one on a later period, a newer
        // one on a value no longer approved, and some approved values without a time.
        let lbp = format!("indicator_id IN (SELECT id FROM indicators WHERE programme_id = {})", p.id);
        exec(&mut c, "UPDATE indicator_values SET reviewed_at = NULL WHERE id % 7 = 0");
        exec(&mut c, &format!("UPDATE indicator_values SET reviewed_at = '2030-01-01 09:00:00' \
                      WHERE id = (SELECT MAX(id) FROM indicator_values WHERE status = 'approved' AND period = '2026Q2' AND {lbp})"));
        exec(&mut c, &format!("UPDATE indicator_values SET reviewed_at = '2031-01-01 09:00:00', status = 'returned' \
                      WHERE id = (SELECT MIN(id) FROM indicator_values WHERE status = 'approved' AND period = '2025Q1' AND {lbp})"));
        exec(&mut c, &format!("UPDATE indicator_values SET reviewed_at = '2029-06-30 23:59:59' \
                      WHERE id = (SELECT MIN(id) FROM indicator_values WHERE status = 'approved' AND period = '2024Q4' AND {lbp})"));
        #[derive(QueryableByName)]
        struct At {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
            at: Option<chrono::NaiveDateTime>,
        }
        let mut seen = Vec::new();
        for q in ["2022Q3", "2024Q3", "2024Q4", "2025Q1", "2026Q1", "2026Q2", "2030Q1"] {
            let to = Period::parse(q).unwrap().end();
            let conn: &mut DbConn = &mut c;
            let rows: Vec<At> = mipaka::db_run!(conn: {
                diesel::sql_query(format!(
                    "SELECT MAX(v.reviewed_at) AS at FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id \
                     WHERE i.programme_id = {} AND v.status = 'approved' AND v.period_end <= '{to}'",
                    p.id
                ))
                .load(conn)
                .unwrap()
            });
            let want = rows.into_iter().next().and_then(|r| r.at);
            let got = values::approved_as_of(&mut c, p.id, to).unwrap();
            assert_eq!(got, want, "data as of {q}");
            seen.push(got);
        }
        let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(seen[2], Some(at("2029-06-30 23:59:59")), "2024Q4's own newest approval");
        assert_eq!(seen[3], seen[2], "a value no longer approved does not count");
        assert_eq!(seen[5], Some(at("2030-01-01 09:00:00")), "2026Q2's approval counts from 2026Q2 on");
        assert_ne!(seen[4], seen[5], "but not before");
        assert_eq!(values::approved_as_of(&mut c, p.id, Period::parse("2015Q1").unwrap().end()).unwrap(), None, "nothing approved yet");
    }
}
