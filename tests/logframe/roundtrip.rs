use mipaka::setup::logframe::{Item, Logframe};

use crate::on_both_backends;
use crate::support::demo_day;
use mipaka::entry::{Actor, Mode};
use mipaka::setup::logframe::{self, Apply, Destination};
use mipaka::setup::sheet;

fn actor() -> Actor {
    Actor {
        user_id: None,
        name: "test".into(),
    }
}

/// The first items that differ between two documents, section by section.
pub fn differences(a: &Logframe, b: &Logframe) -> Vec<String> {
    fn section<T: std::fmt::Debug + PartialEq>(
        name: &str,
        a: &[Item<T>],
        b: &[Item<T>],
        out: &mut Vec<String>,
    ) {
        if a.len() != b.len() {
            out.push(format!("{name}: {} items, then {}", a.len(), b.len()));
        }
        for (x, y) in a.iter().zip(b) {
            if x.fields != y.fields || x.archived != y.archived {
                out.push(format!(
                    "{name}:\n  {:?} {}\n  {:?} {}",
                    x.fields, x.archived, y.fields, y.archived
                ));
                break;
            }
        }
    }
    let mut out = Vec::new();
    section(
        "programme",
        std::slice::from_ref(&a.programme),
        std::slice::from_ref(&b.programme),
        &mut out,
    );
    section("categories", &a.categories, &b.categories, &mut out);
    section("phases", &a.phases, &b.phases, &mut out);
    section("partners", &a.partners, &b.partners, &mut out);
    section("results", &a.results, &b.results, &mut out);
    section("indicators", &a.indicators, &b.indicators, &mut out);
    section("targets", &a.targets, &b.targets, &mut out);
    section("budget", &a.budget, &b.budget, &mut out);
    section("activities", &a.activities, &b.activities, &mut out);
    section("milestones", &a.milestones, &b.milestones, &mut out);
    out
}

on_both_backends! {
    fn every_demo_programme_survives_export_and_import_into_an_empty_database(t) {
        let demo = t.with_demo();
        let other = crate::support::TestDb::sqlite();
        let empty = other.prepare();
        for code in ["DW", "LBP", "KEUK-MOU"] {
            let mut c = demo.get().unwrap();
            let p = mipaka::models::programme::by_code(&mut c, code).unwrap();
            let doc = logframe::export(&mut c, &p).unwrap();
            let bytes = sheet::write(&doc, true).unwrap();
            let read = sheet::read(&bytes).unwrap_or_else(|p| panic!("{code}: {p:#?}"));
            let mut e = empty.get().unwrap();
            let report = logframe::apply(&mut e, &actor(), Destination::New { is_demo: true }, &read, Apply {
                mode: Mode::Write, expect_plan: None, today: demo_day(), now: mipaka::auth::now(),
            }).unwrap();
            assert!(report.is_clean(), "{code}: {:#?}", report.problems);
            let p2 = mipaka::models::programme::by_code(&mut e, code).unwrap();
            let again = logframe::export(&mut e, &p2).unwrap();
            let d = differences(&doc, &again);
            assert!(d.is_empty(), "{code}:\n{}", d.join("\n"));
        }
    }
}
