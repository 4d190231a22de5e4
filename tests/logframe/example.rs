//! The example workbook in assets/ is the demonstration LBP's logframe as the export
//! writes it today, and imports cleanly: it cannot rot unnoticed.

use super::{apply, differences};
use crate::on_both_backends;
use crate::support::TestDb;
use mipaka::entry::Mode;
use mipaka::setup::logframe::Destination;
use mipaka::setup::sheet;

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/logframe/LBP-logframe.xlsx"
);

on_both_backends! {
    fn the_committed_example_reads_cleanly_and_gives_the_demo_lbp_framework(t) {
        let bytes = std::fs::read(EXAMPLE).expect("assets/logframe/LBP-logframe.xlsx");
        let doc = sheet::read(&bytes).unwrap_or_else(|p| panic!("{p:#?}"));
        let empty = t.prepare();
        let mut e = empty.get().unwrap();
        let report = apply(&mut e, Destination::New { is_demo: true }, &doc, Mode::Write, None);
        assert!(report.is_clean(), "{:#?}", report.problems);
        let imported = crate::logframe::export_lbp(&mut e);

        let demo_db = TestDb::sqlite();
        let demo = demo_db.with_demo();
        let mut c = demo.get().unwrap();
        let demo_lbp = crate::logframe::export_lbp(&mut c);
        let d = differences(&demo_lbp, &imported);
        assert!(d.is_empty(), "{}", d.join("\n"));
        assert!(
            sheet::write(&demo_lbp, true).unwrap() == bytes,
            "assets/logframe/LBP-logframe.xlsx is not what the export writes today; regenerate it with \
             `mipaka logframe export --programme LBP -o assets/logframe/LBP-logframe.xlsx` on a database with the demonstration loaded"
        );
    }
}
