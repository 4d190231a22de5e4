//! The IATI activity file of a demonstration programme: valid against the official
//! 2.03 schema (xmllint), every code in its codelist, the Validator's rules hold, and
//! the figures in it are the approved figures in the database.

mod disclosure;
mod publish;

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use diesel::prelude::*;

use crate::on_both_backends;
use mipaka::db::schema::{indicator_values, indicators, locations};
use mipaka::iati::{assemble, rules, xml};
use mipaka::models::programme;

fn standard() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/iati/standard"))
}

/// The codes of one IATI codelist file.
fn codelist(name: &str) -> HashSet<String> {
    let text =
        std::fs::read_to_string(standard().join("codelists").join(format!("{name}.xml"))).unwrap();
    text.split("<code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_string)
        .collect()
}

/// Every value of `attr` on elements named `element` in the file.
fn attrs(xml: &str, element: &str, attr: &str) -> Vec<String> {
    xml.split(&format!("<{element} "))
        .skip(1)
        .filter_map(|rest| {
            let tag = rest.split('>').next()?;
            let at = tag
                .find(&format!(" {attr}=\""))
                .map(|i| i + 1)
                .or_else(|| tag.starts_with(&format!("{attr}=\"")).then_some(0))?;
            tag[at + attr.len() + 2..]
                .split('"')
                .next()
                .map(str::to_string)
        })
        .collect()
}

pub(super) fn xmllint(file: &Path) -> Result<(), String> {
    let out = match Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(standard().join("iati-activities-schema.xsd"))
        .arg(file)
        .output()
    {
        Ok(out) => out,
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED the schema check: xmllint is not installed (apt-get install libxml2-utils)");
            return Ok(());
        }
        Err(e) => {
            return Err(format!(
                "xmllint must be installed in CI (libxml2-utils): {e}"
            ))
        }
    };
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

on_both_backends! {
    fn the_lbp_activity_file_is_valid_and_true_to_the_approved_figures(t) {
        let db = t.with_demo();
        let c = &mut *db.get().unwrap();
        let p = programme::by_code(c, "LBP").unwrap();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let a = assemble::activity(c, &p, "https://mipaka.example", now).unwrap();
        assert_eq!(rules::check(&a, now), vec![], "the Validator's rules hold");
        let text = xml::write(&a);
        // The same data, the same bytes.
        assert_eq!(text, xml::write(&assemble::activity(c, &p, "https://mipaka.example", now).unwrap()));
        let file = t.dir.path().join("LBP.xml");
        std::fs::write(&file, &text).unwrap();
        xmllint(&file).unwrap();

        // Every code is in its codelist.
        for (element, attr, list) in [
            ("result", "type", "ResultType"),
            ("indicator", "measure", "IndicatorMeasure"),
            ("reference", "vocabulary", "IndicatorVocabulary"),
            ("participating-org", "role", "OrganisationRole"),
            ("participating-org", "type", "OrganisationType"),
            ("reporting-org", "type", "OrganisationType"),
            ("activity-status", "code", "ActivityStatus"),
            ("activity-date", "type", "ActivityDateType"),
            ("iati-activity", "default-currency", "Currency"),
            ("budget", "type", "BudgetType"),
            ("budget", "status", "BudgetStatus"),
            ("sector", "vocabulary", "SectorVocabulary"),
            ("sector", "code", "Sector"),
            ("transaction-type", "code", "TransactionType"),
        ] {
            let codes = codelist(list);
            let used = attrs(&text, element, attr);
            assert!(!used.is_empty(), "{element}/@{attr} is used");
            for u in used {
                assert!(codes.contains(&u), "{element}/@{attr} = {u} is not in {list}");
            }
        }
        assert!(text.contains("<iati-identifier>XM-DAC-47066-LBP</iati-identifier>"));
        assert!(text.contains(r#"<reporting-org ref="XM-DAC-47066" type="40">"#));
        // Impact, outcome and output results, in that order, each with its level's code.
        let types = attrs(&text, "result", "type");
        assert_eq!(types.first().map(String::as_str), Some("3"));
        assert!(types.contains(&"2".into()) && types.contains(&"1".into()));

        // The county figures are the approved values: LBP-2.1 in Busia (040), 2026Q2.
        let approved: f64 = indicator_values::table
            .inner_join(indicators::table)
            .inner_join(locations::table)
            .filter(indicators::code.eq("LBP-2.1"))
            .filter(locations::code.eq("040"))
            .filter(indicator_values::period.eq("2026Q2"))
            .filter(indicator_values::disaggregation.eq(""))
            .filter(indicator_values::status.eq("approved"))
            .select(indicator_values::value)
            .first(c)
            .unwrap();
        let ind = a.results.iter().flat_map(|r| &r.indicators).find(|i| i.code == "LBP-2.1").unwrap();
        let q2 = ind.periods.iter().find(|p| p.start == chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).unwrap();
        let busia = q2.actuals.iter().find(|a| a.location.as_deref() == Some("KE-KNBS-040")).unwrap();
        assert_eq!(busia.value, approved);
        // A sum indicator's programme figure is the sum of its counties'.
        let total = q2.actuals.iter().find(|a| a.location.is_none() && a.dimension.is_none()).unwrap();
        let counties: f64 = q2.actuals.iter().filter(|a| a.location.is_some()).map(|a| a.value).sum();
        assert_eq!(total.value, counties);
        // Each fiscal year's budget is the sum of its budget lines.
        let fy2025: i64 = mipaka::db::schema::budget_lines::table
            .filter(mipaka::db::schema::budget_lines::programme_id.eq(p.id))
            .filter(mipaka::db::schema::budget_lines::fiscal_year.eq("2025July"))
            .select(mipaka::db::schema::budget_lines::amount_minor)
            .load::<i64>(c)
            .unwrap()
            .into_iter()
            .sum();
        assert!(fy2025 > 0);
        assert!(
            text.contains(&format!(
                "<period-start iso-date=\"2025-07-01\"/>\n    <period-end iso-date=\"2026-06-30\"/>\n    <value currency=\"GBP\" value-date=\"2025-07-01\">{}</value>",
                xml::money(fy2025)
            )),
            "the 2025/26 budget"
        );
        // Nothing for a quarter not yet over.
        assert!(ind.periods.iter().all(|p| p.end < now.date()));
        // The sectors the programme says, adding up to 100.
        assert!(text.contains(r#"<sector vocabulary="1" code="15210" percentage="50"/>"#));
        assert!(text.contains(r#"<sector vocabulary="1" code="15190" percentage="50"/>"#));
        // The expenditures add up to each activity's newest approved spend to date.
        use mipaka::db::schema::{activities, activity_progress};
        let rows: Vec<(i32, chrono::NaiveDate, i64)> = activity_progress::table
            .inner_join(activities::table)
            .filter(activities::programme_id.eq(p.id))
            .filter(activity_progress::workflow_status.eq("approved"))
            .filter(activity_progress::period_end.lt(now.date()))
            .select((activity_progress::activity_id, activity_progress::period_end, activity_progress::spend_to_date_minor))
            .load(c)
            .unwrap();
        let mut newest: std::collections::HashMap<i32, (chrono::NaiveDate, i64)> = Default::default();
        for (a, end, spend) in rows {
            let e = newest.entry(a).or_insert((end, spend));
            if end >= e.0 {
                *e = (end, spend);
            }
        }
        let spent: i64 = newest.values().map(|(_, s)| s).sum();
        assert!(spent > 0 && !a.transactions.is_empty());
        assert_eq!(a.transactions.iter().map(|t| t.amount_minor).sum::<i64>(), spent);
        assert!(a.transactions.iter().all(|t| t.date < now.date()));
        assert_eq!(attrs(&text, "transaction-type", "code").len(), a.transactions.len());
    }
}

#[test]
fn a_file_that_breaks_the_schema_is_caught_by_the_check() {
    // The check is real: an element out of order fails it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.xml");
    std::fs::write(
        &file,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03"><iati-activity><reporting-org ref="X" type="10"><narrative>X</narrative></reporting-org><iati-identifier>X-1</iati-identifier></iati-activity></iati-activities>"#,
    )
    .unwrap();
    if Command::new("xmllint").arg("--version").output().is_ok() {
        assert!(xmllint(&file).is_err());
    }
}
