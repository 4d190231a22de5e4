use fantoccini::{Client, Locator};

use super::{wait_for_text, Browser, Server};
use crate::browser_test;
use crate::support::{demo_password, TestDb};
use mipaka::domain::period::Period;
use mipaka::entry::{CellKey, EntryContext};
use mipaka::models::{framework, programme};

const PERIOD: &str = "2026Q4";

/// LBP's first plain count indicator summed over counties: per phase county its total
/// cell's code and the previous quarter's value; and the indicator's code.
fn cells(db: &mipaka::db::Db) -> (Vec<(String, f64)>, String) {
    let c = &mut *db.get().unwrap();
    let p = programme::by_code(c, "LBP").unwrap();
    let ind = framework::indicators_of(c, p.id)
        .unwrap()
        .into_iter()
        .find(|i| {
            i.unit == "count" && i.disaggregations.is_empty() && i.county_aggregation == "sum"
        })
        .unwrap();
    let ctx = EntryContext::load(c, p, Period::parse(PERIOD).unwrap()).unwrap();
    let cells = ctx
        .counties()
        .iter()
        .map(|county| {
            let key = CellKey {
                indicator_id: ind.id,
                location_id: county.id,
                disaggregation: String::new(),
            };
            (
                key.code(),
                ctx.previous.get(&key).copied().unwrap_or(10.0).round(),
            )
        })
        .collect();
    (cells, ind.code)
}

fn cell(db: &mipaka::db::Db) -> (String, f64, String) {
    let (cells, code) = cells(db);
    (cells[0].0.clone(), cells[0].1, code)
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

browser_test! {
    fn a_manager_enters_fixes_and_submits_and_the_officer_approves() {
        let t = TestDb::sqlite();
        let db = t.with_demo();
        let (all, ind_code) = cells(&db);
        let (code, prev) = all[0].clone();
        let server = Server::start(&t, db).await;
        let entry = format!("{}/programmes/LBP/entry?period={PERIOD}&county=all", server.base);

        let b = Browser::start().await;
        let c = &b.client;
        b.sign_in(&server.base, "manager", demo_password("manager")).await;
        c.goto(&entry).await.unwrap();
        let input = format!("input[name=\"v:{code}\"]");
        // A fractional count is refused beside the field; what was typed stays.
        type_into(c, &input, "12.5").await;
        c.find(Locator::Css("button[value=save]")).await.unwrap().click().await.unwrap();
        let text = wait_for_text(c, "Nothing was saved").await;
        assert!(text.contains("whole number"));
        assert_eq!(c.find(Locator::Css(&input)).await.unwrap().prop("value").await.unwrap().as_deref(), Some("12.5"));
        b.screenshot("10-entry-error").await;
        // Fixed — and the other counties filled in — saved and submitted in one go.
        type_into(c, &input, &format!("{prev}")).await;
        for (other, v) in &all[1..] {
            type_into(c, &format!("input[name=\"v:{other}\"]"), &format!("{v}")).await;
        }
        c.find(Locator::Css("button[value=submit]")).await.unwrap().click().await.unwrap();
        wait_for_text(c, &format!("Submitted {} value(s) for approval", all.len())).await;
        b.screenshot("11-entry-submitted").await;
        b.close().await;

        // The M&E officer approves; the period locks.
        let o = Browser::start().await;
        o.sign_in(&server.base, "officer", demo_password("officer")).await;
        o.client.goto(&entry).await.unwrap();
        o.client.find(Locator::Css("form[action$=\"/approve\"] button")).await.unwrap().click().await.unwrap();
        wait_for_text(&o.client, "is now locked").await;
        o.screenshot("12-entry-approved").await;

        // Unlocked with a reason, which both roles then read beside the grid; nothing
        // changed, so the officer locks it again as it was.
        type_into(&o.client, "form[action$=\"/unlock\"] input[name=reason]", "Checking the Busia register").await;
        o.client.find(Locator::Css("form[action$=\"/unlock\"] button")).await.unwrap().click().await.unwrap();
        let text = wait_for_text(&o.client, "is unlocked").await;
        assert!(text.contains("“Checking the Busia register”"), "the reason beside the grid");
        o.screenshot("12a-entry-unlocked").await;
        o.client.find(Locator::Css("form[action$=\"/relock\"] button")).await.unwrap().click().await.unwrap();
        let text = wait_for_text(&o.client, "is locked as approved").await;
        assert!(text.contains("Approved and locked"));

        // The dashboard now shows the new quarter's total for the indicator.
        o.client.goto(&format!("{}/programmes/LBP", server.base)).await.unwrap();
        wait_for_text(&o.client, &ind_code).await;
        let total: f64 = all.iter().map(|(_, v)| v).sum();
        let xpath = format!("//tr[.//strong[text()='{ind_code}']]");
        let row = o
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(row.contains("Oct–Dec 2026"), "{row}");
        assert!(row.contains(&format!("{total}")), "the new total {total} is shown: {row}");
        o.screenshot("14-dashboard-after-approval").await;
        o.close().await;
    }
}

browser_test! {
    fn two_sessions_editing_one_value_meet_the_conflict_page() {
        let t = TestDb::sqlite();
        let db = t.with_demo();
        let (code, prev, _) = cell(&db);
        {
            let c = &mut *db.get().unwrap();
            let u = mipaka::models::user::create(c, &mipaka::models::user::NewAccount { username: "second", display_name: "Second Manager", email: "", password: "second-manager-pw", is_admin: false }).unwrap();
            mipaka::models::user::grant_role(c, u.id, "LBP", "manager").unwrap();
        }
        let server = Server::start(&t, db).await;
        let entry = format!("{}/programmes/LBP/entry?period={PERIOD}&county=all", server.base);
        let input = format!("input[name=\"v:{code}\"]");

        let a = Browser::start().await;
        let b = Browser::start().await;
        a.sign_in(&server.base, "manager", demo_password("manager")).await;
        b.sign_in(&server.base, "second", "second-manager-pw").await;
        a.client.goto(&entry).await.unwrap();
        b.client.goto(&entry).await.unwrap();
        type_into(&a.client, &input, &format!("{prev}")).await;
        a.client.find(Locator::Css("button[value=save]")).await.unwrap().click().await.unwrap();
        wait_for_text(&a.client, "Saved 1 value(s)").await;

        type_into(&b.client, &input, &format!("{}", prev + 1.0)).await;
        b.client.find(Locator::Css("button[value=save]")).await.unwrap().click().await.unwrap();
        let text = wait_for_text(&b.client, "someone else changed").await;
        assert!(text.contains("Amina Hassan"));
        b.screenshot("13-conflict").await;
        // Keep theirs: nothing is overwritten.
        b.client.find(Locator::Css(&format!("input[name=\"pick:{code}\"][value=theirs]"))).await.unwrap().click().await.unwrap();
        b.client.find(Locator::Css("button[value=save]")).await.unwrap().click().await.unwrap();
        wait_for_text(&b.client, "Saved 0 value(s)").await;
        a.client.goto(&entry).await.unwrap();
        let v = a.client.find(Locator::Css(&input)).await.unwrap().prop("value").await.unwrap();
        assert_eq!(v.as_deref(), Some(format!("{prev}").as_str()));
        a.close().await;
        b.close().await;
    }
}
