//! The logframe spreadsheet: export, import, round trips, bad workbooks, the command
//! line and the upload pages.

mod bad;
pub mod book;
mod cli;
mod edits;
mod example;
mod roundtrip;
mod web;

use mipaka::db::DbConn;
use mipaka::entry::Mode;
use mipaka::models::audit::Actor;
use mipaka::models::programme::Programme;
use mipaka::setup::logframe::{self, Apply, Destination, ImportReport, Item, Logframe};

pub fn actor() -> Actor {
    Actor {
        user_id: None,
        name: "test".into(),
    }
}

pub fn lbp(c: &mut DbConn) -> Programme {
    mipaka::models::programme::by_code(c, "LBP").unwrap()
}

/// An empty database on the other backend when both are tested (a programme exported
/// from PostgreSQL must import into SQLite the same, and the other way round).
pub fn other_backend(t: &crate::support::TestDb) -> crate::support::TestDb {
    if t.is_postgres() || !cfg!(mipaka_pg_tests) {
        crate::support::TestDb::sqlite()
    } else {
        crate::support::TestDb::postgres()
    }
}

pub fn export_lbp(c: &mut DbConn) -> Logframe {
    let p = lbp(c);
    logframe::export(c, &p).unwrap()
}

pub fn apply(
    c: &mut DbConn,
    dest: Destination,
    doc: &Logframe,
    mode: Mode,
    expect_plan: Option<&str>,
) -> ImportReport {
    logframe::apply(
        c,
        &actor(),
        dest,
        doc,
        Apply {
            mode,
            expect_plan,
            today: crate::support::demo_day(),
            now: mipaka::clock::now(),
        },
    )
    .unwrap()
}

/// The first items that differ between two documents, section by section (origins aside).
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
