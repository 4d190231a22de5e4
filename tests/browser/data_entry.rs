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

/// The last plain count indicator of LBP (far down the grid): its code, the phase's
/// county names in order, and the total cell codes, one per county.
fn far_cells(db: &mipaka::db::Db) -> (String, Vec<String>, Vec<String>) {
    let c = &mut *db.get().unwrap();
    let p = programme::by_code(c, "LBP").unwrap();
    let ind = framework::indicators_of(c, p.id)
        .unwrap()
        .into_iter()
        .rfind(|i| i.unit == "count" && i.disaggregations.is_empty())
        .unwrap();
    let ctx = EntryContext::load(c, p, Period::parse(PERIOD).unwrap()).unwrap();
    let names = ctx.counties().iter().map(|k| k.name.clone()).collect();
    let codes = ctx
        .counties()
        .iter()
        .map(|k| {
            CellKey {
                indicator_id: ind.id,
                location_id: k.id,
                disaggregation: String::new(),
            }
            .code()
        })
        .collect();
    (ind.code, names, codes)
}

/// The page scrolls sideways: its content is wider than the window.
async fn scrolls_sideways(c: &Client) -> (bool, String) {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth]",
            vec![],
        )
        .await
        .unwrap();
    let (wide, window) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap());
    (
        wide > window,
        format!("content {wide} px in a {window} px window"),
    )
}

browser_test! {
    fn at_1366_px_the_grid_is_a_table_of_counties_and_the_banner_link_lands_on_the_cell() {
        let t = TestDb::sqlite();
        let db = t.with_demo();
        let (ind_code, names, codes) = far_cells(&db);
        let server = Server::start(&t, db).await;
        let b = Browser::start().await;
        let c = &b.client;
        c.set_window_size(1366, 900).await.unwrap();
        b.sign_in(&server.base, "manager", demo_password("manager")).await;
        c.goto(&format!("{}/programmes/LBP/entry?period={PERIOD}&county=all", server.base)).await.unwrap();

        // One table: its column headers are the indicator, then the phase's counties.
        let mut heads = Vec::new();
        for th in c.find_all(Locator::Css("table.sheet thead th[scope=col]")).await.unwrap() {
            heads.push(th.text().await.unwrap());
        }
        assert_eq!(heads[0], "Indicator");
        assert_eq!(heads[1..], names[..], "counties across");
        // Each of the indicator's cells sits in its county's column, on the indicator's row.
        for (i, code) in codes.iter().enumerate() {
            let at = c.execute(
                "const td = document.getElementById(arguments[0]).closest('td'); \
                 return [td.cellIndex, td.parentElement.querySelector('th[scope=row]').textContent]",
                vec![serde_json::json!(format!("v-{code}"))],
            ).await.unwrap();
            assert_eq!(at[0].as_u64(), Some(i as u64 + 1), "{} in column {}", names[i], i + 1);
            assert!(at[1].as_str().unwrap().contains(&ind_code), "{at}");
        }
        // The whole table fits a 1366 px window: no sideways scrolling to reach a county.
        let (sideways, how) = scrolls_sideways(c).await;
        assert!(!sideways, "{how}");
        let table = c.execute("return document.querySelector('table.sheet').getBoundingClientRect().right", vec![]).await.unwrap();
        assert!(table.as_f64().unwrap() <= 1366.0, "table ends at {table}");
        b.screenshot("15-grid-table-1366").await;

        // A bad value in the last county, far down the page: the banner's link lands on it.
        let last = codes.last().unwrap();
        type_into(c, &format!("input[name=\"v:{last}\"]"), "12.5").await;
        c.find(Locator::Css("button[value=save]")).await.unwrap().click().await.unwrap();
        wait_for_text(c, "Nothing was saved").await;
        let link = c.find(Locator::Css(&format!("a[href=\"#v-{last}\"]"))).await.unwrap();
        assert!(link.text().await.unwrap().contains(&format!("{ind_code} {}", names.last().unwrap())));
        let before = c.execute("return window.scrollY", vec![]).await.unwrap();
        link.click().await.unwrap();
        let landed = c.execute(
            "const e = document.getElementById(arguments[0]); const r = e.getBoundingClientRect(); \
             return [document.activeElement === e, r.top, r.bottom, r.left, r.right, innerHeight, innerWidth, scrollY, \
                     e.getAttribute('aria-invalid'), document.getElementById(e.getAttribute('aria-describedby')).textContent]",
            vec![serde_json::json!(format!("v-{last}"))],
        ).await.unwrap();
        assert_eq!(landed[0], serde_json::json!(true), "the bad cell has the focus: {landed}");
        let n = |i: usize| landed[i].as_f64().unwrap();
        assert!(n(1) >= 0.0 && n(2) <= n(5) && n(3) >= 0.0 && n(4) <= n(6), "the cell is in view: {landed}");
        assert!(n(7) > before.as_f64().unwrap(), "the page scrolled down to it: {landed}");
        assert_eq!(landed[8], serde_json::json!("true"));
        assert!(landed[9].as_str().unwrap().contains("whole number"), "{landed}");
        b.screenshot("16-grid-error-link-1366").await;
        b.close().await;
    }
}

browser_test! {
    fn at_390_px_the_grid_reads_as_one_countys_list_without_sideways_scrolling() {
        let t = TestDb::sqlite();
        let db = t.with_demo();
        let (ind_code, names, codes) = far_cells(&db);
        let server = Server::start(&t, db).await;
        let b = Browser::start().await;
        let c = &b.client;
        c.set_window_size(390, 844).await.unwrap();
        b.sign_in(&server.base, "manager", demo_password("manager")).await;
        c.goto(&format!("{}/programmes/LBP/entry?period={PERIOD}&county=all", server.base)).await.unwrap();
        let (sideways, how) = scrolls_sideways(c).await;
        assert!(!sideways, "all counties at 390 px: {how}");
        // A county is chosen by a plain link (no script): its column becomes the list.
        c.find(Locator::LinkText(names.last().unwrap())).await.unwrap().click().await.unwrap();
        wait_for_text(c, &format!("Values for {PERIOD}: indicators down, {}", names.last().unwrap())).await;
        let (sideways, how) = scrolls_sideways(c).await;
        assert!(!sideways, "one county at 390 px: {how}");
        let cols = c.find_all(Locator::Css("table.sheet thead th[scope=col]")).await.unwrap().len();
        assert_eq!(cols, 2, "the indicator and the one county");
        // Each input is as wide as it needs and within the window.
        let input = c.find(Locator::Css(&format!("input[name=\"v:{}\"]", codes.last().unwrap()))).await.unwrap();
        let right = c.execute("return arguments[0].getBoundingClientRect().right <= innerWidth", vec![serde_json::to_value(&input).unwrap()]).await.unwrap();
        assert_eq!(right, serde_json::json!(true));
        let text = c.find(Locator::Css("table.sheet")).await.unwrap().text().await.unwrap();
        assert!(text.contains(&ind_code) && text.contains("programme total"), "{text}");
        b.screenshot("17-grid-one-county-390").await;
        b.close().await;
    }
}
