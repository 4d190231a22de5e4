//! Export → workbook → import gives back the same programme.

use diesel::prelude::*;

use super::{actor, apply, differences, lbp};
use crate::on_both_backends;
use mipaka::db::schema::audit_log;
use mipaka::entry::Mode;
use mipaka::setup::logframe::{self, Destination};
use mipaka::setup::{framework, sheet, target, Saved};

on_both_backends! {
    fn every_demo_programme_survives_export_and_import_into_an_empty_database(t) {
        let demo = t.with_demo();
        let other = crate::logframe::other_backend(&t);
        let empty = other.prepare();
        for code in ["DW", "LBP", "KEUK-MOU"] {
            let mut c = demo.get().unwrap();
            let p = mipaka::models::programme::by_code(&mut c, code).unwrap();
            let doc = logframe::export(&mut c, &p).unwrap();
            assert!(!doc.indicators.is_empty() && !doc.targets.is_empty() && !doc.budget.is_empty());
            let bytes = sheet::write(&doc, true).unwrap();
            assert_eq!(bytes, sheet::write(&doc, true).unwrap(), "{code}: the same document gives the same bytes");
            let read = sheet::read(&bytes).unwrap_or_else(|p| panic!("{code}: {p:#?}"));
            // Every field of every item was read from a column the reader named.
            assert!(read.indicators.iter().all(|i| i.origin.sheet == "Outputs" || i.origin.sheet == "Outcomes" || i.origin.sheet == "Impact"));
            assert!(read.indicators.iter().all(|i| i.origin.cells.contains_key("baseline_value")));
            let mut e = empty.get().unwrap();
            let report = apply(&mut e, Destination::New { is_demo: true }, &read, Mode::Write, None);
            assert!(report.is_clean(), "{code}: {:#?}", report.problems);
            assert!(report.created_programme);
            let p2 = mipaka::models::programme::by_code(&mut e, code).unwrap();
            let again = logframe::export(&mut e, &p2).unwrap();
            let d = differences(&doc, &again);
            assert!(d.is_empty(), "{code}:\n{}", d.join("\n"));
            assert_eq!(sheet::write(&again, true).unwrap(), bytes, "{code}: the imported programme exports the same file");
        }
    }
}

on_both_backends! {
    fn county_and_part_milestones_archived_indicators_and_bare_results_survive_too(t) {
        let demo = t.with_demo();
        let mut c = demo.get().unwrap();
        let p = lbp(&mut c);
        let county = mipaka::models::programme::phases_of(&mut c, p.id).unwrap()[0].counties[0].code.clone();
        let ind = mipaka::models::framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap();
        let edits: Vec<target::TargetEdit> = [("", "sex=female", "20"), (county.as_str(), "", "10"), (county.as_str(), "sex=male", "5")]
            .iter()
            .map(|(county, part, value)| target::TargetEdit {
                fields: mipaka::domain::setup::TargetFields {
                    indicator: ind.code.clone(), period: "2026Q3".into(), county: county.to_string(),
                    disaggregation: part.to_string(), value: value.to_string(),
                },
                base_version: None,
            })
            .collect();
        assert!(matches!(target::set_targets(&mut c, &actor(), &p, &ind, &edits, false).unwrap(), target::TargetsSaved::Done(_)));
        // An output without indicators (weighted 0, so the weightings still add up).
        let bare = framework::save_result(&mut c, &actor(), &p, None, &mipaka::domain::setup::ResultFields {
            level: "output".into(), code: "LBP-OP9".into(), statement: "Lessons from the border posts are shared with the region".into(),
            parent: "LBP-OC1".into(), impact_weighting: "0".into(), risk_rating: "low".into(), assumptions: "".into(),
        }).unwrap();
        assert!(matches!(bare, Saved::Done(_)));
        // An indicator with values, archived.
        let old = mipaka::models::framework::indicator_by_code(&mut c, p.id, "LBP-OP2.2.1").unwrap();
        let done = framework::remove_indicator(&mut c, &actor(), &p, old.id, old.version).unwrap();
        assert_eq!(done.done().unwrap().effect, mipaka::setup::Effect::Archived);

        let p = lbp(&mut c);
        let doc = logframe::export(&mut c, &p).unwrap();
        let bytes = sheet::write(&doc, true).unwrap();
        let read = sheet::read(&bytes).unwrap_or_else(|p| panic!("{p:#?}"));
        let county_rows: Vec<_> = read.targets.iter().filter(|t| !t.fields.county.is_empty() || !t.fields.disaggregation.is_empty()).collect();
        assert_eq!(county_rows.len(), 3);
        assert!(county_rows.iter().all(|t| t.origin.sheet == "Disaggregated milestones"));
        assert!(read.indicators.iter().any(|i| i.fields.code == "LBP-OP2.2.1" && i.archived));
        assert!(read.results.iter().any(|r| r.fields.code == "LBP-OP9"));

        let other = crate::logframe::other_backend(&t);
        let empty = other.prepare();
        let mut e = empty.get().unwrap();
        let report = apply(&mut e, Destination::New { is_demo: true }, &read, Mode::Write, None);
        assert!(report.is_clean(), "{:#?}", report.problems);
        let again = crate::logframe::export_lbp(&mut e);
        let d = differences(&doc, &again);
        assert!(d.is_empty(), "{}", d.join("\n"));
    }
}

on_both_backends! {
    fn the_same_file_twice_changes_nothing_and_leaves_no_trace(t) {
        let db = t.with_demo();
        let mut c = db.get().unwrap();
        let p = lbp(&mut c);
        let bytes = sheet::write(&logframe::export(&mut c, &p).unwrap(), true).unwrap();
        let audit = |c: &mut mipaka::db::DbConn| -> i64 { audit_log::table.count().get_result(c).unwrap() };
        let before = audit(&mut c);
        for round in 1..=2 {
            let doc = sheet::read(&bytes).unwrap();
            let report = apply(&mut c, Destination::Existing(p.id), &doc, Mode::Write, None);
            assert!(report.is_clean(), "{:#?}", report.problems);
            assert_eq!(report.changes().count(), 0, "round {round}: {:#?}", report.changes().collect::<Vec<_>>());
            assert!(report.lines.len() > 100, "every row is listed as unchanged");
            assert_eq!(audit(&mut c), before, "round {round} wrote to the audit log");
        }
        assert_eq!(lbp(&mut c).version, p.version);
    }
}
