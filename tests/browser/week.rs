//! A manager's and an officer's week, done as they do it in the browser: the home page's
//! "waiting for you", entry with an error, submit, the officer's list, a return with a
//! reason, the manager reading it and fixing, the approval — each step's email arriving
//! at a real SMTP server — and the donor's dashboard with no link that is refused.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use super::{wait_for_text, Browser, Server};
use crate::mail::{free_port, mail_on, Mail, Smtp};
use crate::support::{demo_password, TestDb};
use mipaka::domain::period::Period;
use mipaka::entry::{CellKey, EntryContext};
use mipaka::models::{framework, programme};

const PERIOD: &str = "2026Q4";

/// A count total of LBP in 2026Q4 whose previous value is at least 2 (so that one more,
/// then the previous again, never need a comment), and that value.
fn a_cell(db: &mipaka::db::Db) -> (String, f64) {
    let c = &mut *db.get().unwrap();
    let p = programme::by_code(c, "LBP").unwrap();
    let ctx = EntryContext::load(c, p.clone(), Period::parse(PERIOD).unwrap()).unwrap();
    for ind in framework::indicators_of(c, p.id).unwrap() {
        if ind.unit != "count" || !ind.disaggregations.is_empty() {
            continue;
        }
        for county in ctx.counties() {
            let key = CellKey {
                indicator_id: ind.id,
                location_id: county.id,
                disaggregation: String::new(),
            };
            if let Some(prev) = ctx.previous.get(&key).copied().filter(|v| *v >= 2.0) {
                return (key.code(), prev.round());
            }
        }
    }
    panic!("the demonstration has a count with a previous value of 2 or more");
}

/// Waits (up to 30 s) for the `n`th message, and returns them all.
async fn mails(smtp: &Smtp, n: usize) -> Vec<Mail> {
    let started = Instant::now();
    loop {
        let got = smtp.received();
        if got.len() >= n {
            assert_eq!(got.len(), n, "one message per step, each once");
            return got;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "waited for message {n}; have {}",
            got.len()
        );
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[rocket::async_test]
#[cfg_attr(
    not(all(mipaka_browser_tests, mipaka_smtp_tests)),
    ignore = "browser test skipped: needs chromium, chromium-driver and aiosmtpd (pip install aiosmtpd==1.4.6)"
)]
async fn a_managers_and_an_officers_week_with_the_emails_it_sends() {
    let mut t = TestDb::sqlite();
    let port = free_port();
    let smtp = Smtp::start(port);
    mail_on(&mut t, port);
    let db = t.with_demo();
    let (code, prev) = a_cell(&db);
    let server = Server::start(&t, db).await;
    let grid = format!(
        "{}/programmes/LBP/entry?period={PERIOD}&county=all",
        server.base
    );
    let input = format!("input[name=\"v:{code}\"]");

    // The manager starts from the home page's list, enters with a slip, and submits.
    let m = Browser::start().await;
    m.sign_in(&server.base, "manager", demo_password("manager"))
        .await;
    wait_for_text(&m.client, "Waiting for you").await;
    m.screenshot("40-week-manager-home").await;
    m.client.goto(&grid).await.unwrap();
    type_into(&m.client, &input, "1,5").await;
    click(&m.client, "button[value=save]").await;
    let text = wait_for_text(&m.client, "Nothing was saved").await;
    assert!(text.contains("could be read two ways"), "{text}");
    type_into(&m.client, &input, &format!("{}", prev + 1.0)).await;
    click(&m.client, "button[value=submit]").await;
    wait_for_text(&m.client, "for approval").await;
    let got = mails(&smtp, 1).await;
    assert_eq!(got[0].to(), "officer@example.org");
    assert_eq!(
        got[0].header("Subject"),
        format!("LBP {PERIOD}: submitted for your approval")
    );

    // The officer finds it waiting on the home page, follows it and returns it.
    let o = Browser::start().await;
    o.sign_in(&server.base, "officer", demo_password("officer"))
        .await;
    wait_for_text(&o.client, "awaiting your approval").await;
    o.screenshot("41-week-officer-home").await;
    o.client
        .find(Locator::XPath(&format!(
            "//a[contains(., '{PERIOD}: 1 value submitted, awaiting your approval')]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&o.client, "Approve and lock").await;
    type_into(
        &o.client,
        "form[action$=\"/return\"] input[name=reason]",
        "Turkana count includes October twice",
    )
    .await;
    click(&o.client, "form[action$=\"/return\"] button").await;
    wait_for_text(&o.client, "to the manager with your reason").await;
    let got = mails(&smtp, 2).await;
    let back = got
        .iter()
        .find(|m| m.header("Subject") == format!("LBP {PERIOD}: returned for correction"))
        .unwrap();
    assert_eq!(back.to(), "manager@example.org");
    assert!(
        back.text()
            .contains("“Turkana count includes October twice”"),
        "{}",
        back.text()
    );

    // The manager reads the reason on the home page and beside the grid, fixes, resubmits.
    m.client.goto(&server.base).await.unwrap();
    wait_for_text(&m.client, "“Turkana count includes October twice”").await;
    m.client
        .find(Locator::XPath(&format!(
            "//a[contains(., '{PERIOD}: 1 value returned for correction')]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = wait_for_text(&m.client, "“Turkana count includes October twice”").await;
    assert!(
        text.contains(&format!("values for {PERIOD}")),
        "the returned quarter's grid"
    );
    m.screenshot("42-week-manager-returned").await;
    type_into(&m.client, &input, &format!("{prev}")).await;
    click(&m.client, "button[value=submit]").await;
    wait_for_text(&m.client, "for approval").await;
    mails(&smtp, 3).await;

    // The officer approves; the manager is told.
    o.client.goto(&grid).await.unwrap();
    click(&o.client, "form[action$=\"/approve\"] button").await;
    wait_for_text(&o.client, "is now locked").await;
    let got = mails(&smtp, 4).await;
    assert!(got.iter().any(|m| m.to() == "manager@example.org"
        && m.header("Subject") == format!("LBP {PERIOD}: approved and locked")));
    m.close().await;
    o.close().await;

    // The donor's dashboard: every link opens.
    let d = Browser::start().await;
    d.sign_in(&server.base, "donor", demo_password("donor"))
        .await;
    d.client
        .goto(&format!("{}/programmes/LBP", server.base))
        .await
        .unwrap();
    let mut links = Vec::new();
    for a in d.client.find_all(Locator::Css("a[href]")).await.unwrap() {
        let href = a.prop("href").await.unwrap().unwrap_or_default();
        if href.starts_with(&server.base) && !href.contains('#') && !links.contains(&href) {
            links.push(href);
        }
    }
    assert!(links.len() >= 2, "{links:?}");
    for href in &links {
        d.client.goto(href).await.unwrap();
        let title = d.client.title().await.unwrap();
        assert!(
            !title.starts_with("Forbidden") && !title.starts_with("Not found"),
            "{href} → {title}"
        );
    }
    d.close().await;
}
