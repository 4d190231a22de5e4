//! A real programme set up from nothing in a browser, on an empty PostgreSQL deployment:
//! the administrator creates it and names its manager; the manager uploads the logframe
//! spreadsheet with one bad cell, sees the cell named, fixes it and commits; adds a phase
//! with three counties; enters and submits a quarter; the M&E officer approves; the
//! donor report draft shows the imported indicators with their baselines and milestones.

use fantoccini::{Client, Locator};

use super::{wait_for_path, wait_for_text, Browser, Server};
use crate::support::{demo_day, TestDb};
use mipaka::domain::period::Period;
use mipaka::entry::{EntryContext, Mode};
use mipaka::models::{framework, programme, user};
use mipaka::setup::logframe::{self, Apply, Destination, Logframe};
use mipaka::setup::sheet;

const PERIOD: &str = "2025Q3";

/// The demonstration LBP framework as a new programme's logframe: its partners,
/// categories, results, indicators and milestones, under the code BSP and the new
/// programme's dates (phases, activities and budget are left for later, as a team
/// starting out would).
fn logframe_for_bsp() -> Logframe {
    let t = TestDb::sqlite();
    let db = t.with_demo();
    let c = &mut *db.get().unwrap();
    let lbp = programme::by_code(c, "LBP").unwrap();
    let mut doc = logframe::export(c, &lbp).unwrap();
    doc.programme.fields.code = "BSP".into();
    doc.programme.fields.name = "Border Security Partnership".into();
    doc.programme.fields.short_name = "BSP".into();
    doc.programme.fields.start_date = "2025-07-01".into();
    doc.programme.fields.end_date = "2028-06-30".into();
    doc.phases.clear();
    doc.activities.clear();
    doc.milestones.clear();
    doc.budget.clear();
    doc.indicators.retain(|i| !i.archived);
    for i in &mut doc.indicators {
        i.fields.end_target_date = "2028-06-30".into();
    }
    doc.targets.retain(|t| {
        t.fields.county.is_empty()
            && Period::parse(&t.fields.period)
                .map(|p| p.start() >= chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap())
                .unwrap_or(false)
    });
    doc
}

/// Fills a date input (its picker takes typed keys in the browser's locale order).
async fn set_value(c: &Client, css: &str, value: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    let arg = serde_json::to_value(&e).unwrap();
    c.execute(
        "arguments[0].value = arguments[1];",
        vec![arg, value.into()],
    )
    .await
    .unwrap();
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, xpath: &str) {
    c.find(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("{xpath}: {e}"))
        .click()
        .await
        .unwrap();
}

#[rocket::async_test]
#[cfg_attr(
    not(mipaka_browser_tests),
    ignore = "browser test skipped: install chromium and chromium-driver to run"
)]
#[cfg_attr(
    not(mipaka_pg_tests),
    ignore = "PostgreSQL skipped: set TEST_DATABASE_URL (e.g. postgres://127.0.0.1:5432/test) to run"
)]
async fn a_new_programme_is_set_up_from_its_logframe_and_reports_its_first_quarter() {
    let t = TestDb::postgres();
    let db = t.prepare();
    {
        let c = &mut *db.get().unwrap();
        assert_eq!(programme::count(c).unwrap(), 0, "an empty deployment");
        for (username, name, admin) in [
            ("root", "Root Administrator", true),
            ("wanjiku", "Wanjiku Mwangi", false),
            ("ekai", "Peter Ekai", false),
        ] {
            user::create(
                c,
                &user::NewAccount {
                    username,
                    display_name: name,
                    email: "",
                    password: "a-long-test-password",
                    is_admin: admin,
                },
            )
            .unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let good = logframe_for_bsp();
    let mut bad = good.clone();
    let slot = bad
        .targets
        .iter()
        .position(|t| {
            good.indicators
                .iter()
                .any(|i| i.fields.code == t.fields.indicator && i.fields.result.contains("OP"))
        })
        .unwrap();
    bad.targets[slot].fields.value = "sixty".into();
    let bad_bytes = sheet::write(&bad, false).unwrap();
    // Where the reader finds that cell: the page must name it.
    let read_back = sheet::read(&bad_bytes).unwrap();
    let bad_cell = read_back
        .targets
        .iter()
        .find(|t| t.fields.value == "sixty")
        .unwrap()
        .origin
        .cell("value");
    let bad_path = dir.path().join("BSP-logframe-draft.xlsx");
    let good_path = dir.path().join("BSP-logframe.xlsx");
    std::fs::write(&bad_path, bad_bytes).unwrap();
    std::fs::write(&good_path, sheet::write(&good, false).unwrap()).unwrap();

    let server = Server::start(&t, db.clone()).await;
    let base = server.base.clone();

    // The administrator creates the programme and names its manager.
    let a = Browser::start().await;
    a.sign_in(&base, "root", "a-long-test-password").await;
    let home = wait_for_text(&a.client, "Create a programme").await;
    assert!(!home.contains("seed --demo") || home.contains("Create a programme"));
    click(&a.client, "//a[contains(., 'Create a programme')]").await;
    wait_for_text(&a.client, "First manager").await;
    type_into(&a.client, "input[name=code]", "BSP").await;
    type_into(&a.client, "input[name=name]", "Border Security Partnership").await;
    type_into(&a.client, "input[name=funder]", "UK FCDO").await;
    set_value(&a.client, "input[name=start_date]", "2025-07-01").await;
    set_value(&a.client, "input[name=end_date]", "2028-06-30").await;
    a.client
        .find(Locator::Css(
            "select[name=currency] option[value=GBP], select[name=currency] option",
        ))
        .await
        .unwrap();
    a.client
        .execute(
            "document.querySelector('select[name=currency]').value = 'GBP';",
            vec![],
        )
        .await
        .unwrap();
    click(
        &a.client,
        "//select[@name='manager']/option[contains(., 'Wanjiku')]",
    )
    .await;
    a.screenshot("40-setup-create-programme").await;
    click(&a.client, "//button[text()='Create programme']").await;
    wait_for_path(&a.client, |p| p.starts_with("/programmes/BSP/setup")).await;
    a.screenshot("41-setup-created").await;
    // The M&E officer's role, on the officer's account page.
    let ekai = {
        let c = &mut *db.get().unwrap();
        user::by_username(c, "ekai").unwrap().unwrap().id
    };
    a.client
        .goto(&format!("{base}/admin/users/{ekai}"))
        .await
        .unwrap();
    click(
        &a.client,
        "//select[@name='programme']/option[@value='BSP']",
    )
    .await;
    click(
        &a.client,
        "//select[@name='role']/option[@value='me_officer']",
    )
    .await;
    click(&a.client, "//form[contains(@action, '/roles')]//button").await;
    wait_for_text(&a.client, "Ministry M&E officer in BSP").await;
    a.close().await;

    // The manager uploads the logframe: one bad cell is named, nothing is written.
    let m = Browser::start().await;
    m.sign_in(&base, "wanjiku", "a-long-test-password").await;
    m.client
        .goto(&format!("{base}/programmes/BSP/setup"))
        .await
        .unwrap();
    click(&m.client, "//a[contains(., 'Upload a logframe')]").await;
    let file = m
        .client
        .find(Locator::Css("input[type=file]"))
        .await
        .unwrap();
    file.send_keys(bad_path.to_str().unwrap()).await.unwrap();
    click(&m.client, "//button[text()='Preview']").await;
    let page = wait_for_text(&m.client, "is not a number").await;
    assert!(
        page.contains(&bad_cell),
        "the page names {bad_cell}: {page}"
    );
    assert!(page.contains("'sixty'"));
    m.screenshot("42-setup-logframe-bad-cell").await;
    {
        let c = &mut *db.get().unwrap();
        let p = programme::by_code(c, "BSP").unwrap();
        assert!(
            framework::indicators_of(c, p.id).unwrap().is_empty(),
            "nothing written"
        );
    }
    // Fixed, previewed, committed.
    let file = m
        .client
        .find(Locator::Css("input[type=file]"))
        .await
        .unwrap();
    file.send_keys(good_path.to_str().unwrap()).await.unwrap();
    click(&m.client, "//button[text()='Preview']").await;
    wait_for_text(&m.client, "Import these changes").await;
    m.screenshot("43-setup-logframe-preview").await;
    click(&m.client, "//button[text()='Import these changes']").await;
    wait_for_path(&m.client, |p| p.starts_with("/programmes/BSP/setup")).await;
    m.screenshot("44-setup-imported").await;

    // A phase with three counties.
    click(&m.client, "//a[contains(., 'Add a phase')]").await;
    type_into(
        &m.client,
        "input[name=name]",
        "Phase 1 — first three counties",
    )
    .await;
    set_value(&m.client, "input[name=start_date]", "2025-07-01").await;
    set_value(&m.client, "input[name=end_date]", "2026-06-30").await;
    for county in ["023", "009", "040"] {
        m.client
            .find(Locator::Css(&format!(
                "input[name=counties][value=\"{county}\"]"
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    click(&m.client, "//button[text()='Save phase']").await;
    wait_for_text(&m.client, "Phase 1 — first three counties").await;
    m.screenshot("45-setup-phase").await;

    // Every cell of the quarter, by its indicator's unit; then saved and submitted.
    let cells: Vec<(String, String)> = {
        let c = &mut *db.get().unwrap();
        let p = programme::by_code(c, "BSP").unwrap();
        let ctx = EntryContext::load(c, p, Period::parse(PERIOD).unwrap()).unwrap();
        let unit: std::collections::HashMap<i32, String> = ctx
            .indicators
            .iter()
            .map(|(i, _)| (i.id, i.unit.clone()))
            .collect();
        ctx.cells()
            .into_iter()
            .filter(|k| k.disaggregation.is_empty())
            .map(|k| {
                let v = match unit[&k.indicator_id].as_str() {
                    "percentage" => "60",
                    "yes_no" => "Yes",
                    "number" => "2.5",
                    "currency" => "5000",
                    _ => "12",
                };
                (k.code(), v.to_string())
            })
            .collect()
    };
    assert_eq!(cells.len() % 3, 0, "three counties");
    m.client
        .goto(&format!(
            "{base}/programmes/BSP/entry?period={PERIOD}&county=all"
        ))
        .await
        .unwrap();
    for (code, v) in &cells {
        if v == "Yes" {
            // A yes/no cell is a choice, not a box to type in.
            m.client
                .find(Locator::Css(&format!("select[name=\"v:{code}\"]")))
                .await
                .unwrap()
                .select_by_value("1")
                .await
                .unwrap();
        } else {
            type_into(&m.client, &format!("input[name=\"v:{code}\"]"), v).await;
        }
    }
    m.client
        .find(Locator::Css("button[value=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(
        &m.client,
        &format!("Submitted {} value(s) for approval", cells.len()),
    )
    .await;
    m.screenshot("46-setup-first-quarter-submitted").await;

    // The M&E officer approves.
    let o = Browser::start().await;
    o.sign_in(&base, "ekai", "a-long-test-password").await;
    o.client
        .goto(&format!(
            "{base}/programmes/BSP/entry?period={PERIOD}&county=all"
        ))
        .await
        .unwrap();
    o.client
        .find(Locator::Css("form[action$=\"/approve\"] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&o.client, "is now locked").await;
    o.close().await;

    // The donor report draft: the imported indicators with their baselines and milestones.
    m.client
        .goto(&format!("{base}/programmes/BSP/reports?period={PERIOD}"))
        .await
        .unwrap();
    wait_for_text(&m.client, "Preview the draft").await;
    m.screenshot("47-setup-reports").await;
    let (name, expected) = {
        let c = &mut *db.get().unwrap();
        let p = programme::by_code(c, "BSP").unwrap();
        mipaka::report::issue::draft(
            c,
            &mipaka::report::issue::Subject::Donor(p),
            Period::parse(PERIOD).unwrap(),
        )
        .unwrap()
    };
    click(
        &m.client,
        "//button[starts-with(text(), 'Preview the draft')]",
    )
    .await;
    let bytes = m.downloaded(&name).await;
    m.close().await;
    assert!(
        bytes == expected,
        "the draft downloaded is the draft of these figures"
    );
    let text = crate::reports::pdf_flow(&bytes).expect("pdftotext reads the draft");
    assert!(text.contains("Border Security Partnership"));
    let c = &mut *db.get().unwrap();
    let p = programme::by_code(c, "BSP").unwrap();
    let inds = framework::indicators_of(c, p.id).unwrap();
    assert_eq!(
        inds.len(),
        good.indicators.len(),
        "every indicator imported"
    );
    let targets = mipaka::models::values::targets_of_period(c, p.id, PERIOD).unwrap();
    for i in &inds {
        assert!(text.contains(&i.code), "{} is in the draft", i.code);
        let rules = i.rules().unwrap();
        if let Some(b) = i.baseline_value {
            let shown = mipaka::domain::unit::format_value(rules.unit, b, &p.currency);
            assert!(
                text.contains(&shown),
                "{}'s baseline {shown} is in the draft",
                i.code
            );
        }
        if let Some(t) = targets.iter().find(|t| t.indicator_id == i.id) {
            let shown = mipaka::domain::unit::format_value(rules.unit, t.value, &p.currency);
            assert!(
                text.contains(&shown),
                "{}'s milestone {shown} is in the draft",
                i.code
            );
        }
    }
    // The same set-up applied again changes nothing: the import is exact.
    let doc = logframe::export(c, &p).unwrap();
    let again = logframe::apply(
        c,
        &mipaka::models::audit::Actor {
            user_id: None,
            name: "check".into(),
        },
        Destination::Existing(p.id),
        &doc,
        Apply {
            mode: Mode::DryRun,
            expect_plan: None,
            today: demo_day(),
            now: mipaka::clock::now(),
        },
    )
    .unwrap();
    assert_eq!(
        again.changes().count(),
        0,
        "{:?}",
        again.changes().collect::<Vec<_>>()
    );
}
