//! Evidence in the browser: a manager attaches a file on the indicator page and
//! downloads it; a donor cannot open it.

use fantoccini::Locator;

use super::{wait_for_text, Browser, Server};
use crate::browser_test;
use crate::support::{demo_password, TestDb};

browser_test! {
    fn a_manager_attaches_and_downloads_evidence_and_a_donor_cannot() {
        let t = TestDb::sqlite();
        let db = t.with_demo();
        let (icode, county, period) = crate::evidence::figure(&db);
        let server = Server::start(&t, db.clone()).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Kakuma patrol log.pdf");
        std::fs::write(&file, crate::evidence::PDF).unwrap();

        let b = Browser::start().await;
        let c = &b.client;
        b.sign_in(&server.base, "manager", demo_password("manager")).await;
        c.goto(&format!("{}/programmes/LBP/indicators/{icode}", server.base)).await.unwrap();
        let form = "form[action=\"/programmes/LBP/evidence\"]";
        c.find(Locator::Css(&format!("{form} select[name=county] option[value=\"{county}\"]"))).await.unwrap().click().await.unwrap();
        let p = c.find(Locator::Css(&format!("{form} input[name=period]"))).await.unwrap();
        p.clear().await.unwrap();
        p.send_keys(&period).await.unwrap();
        c.find(Locator::Css(&format!("{form} input[type=file]"))).await.unwrap().send_keys(&file.to_string_lossy()).await.unwrap();
        c.find(Locator::Css(&format!("{form} button[type=submit]"))).await.unwrap().click().await.unwrap();
        let text = wait_for_text(c, "Attached Kakuma patrol log.pdf").await;
        let sha = crate::evidence::sha256(crate::evidence::PDF);
        assert!(text.contains(&sha[..12]), "the list shows the short hash");
        b.screenshot("60-evidence-attached").await;
        c.find(Locator::LinkText("Kakuma patrol log.pdf")).await.unwrap().click().await.unwrap();
        assert_eq!(b.downloaded("Kakuma patrol log.pdf").await, crate::evidence::PDF, "the same bytes come back");
        let link = c.find(Locator::LinkText("Kakuma patrol log.pdf")).await.unwrap().attr("href").await.unwrap().unwrap();
        b.close().await;

        // The donor reads the dashboard but not the figures' evidence.
        let b = Browser::start().await;
        let c = &b.client;
        b.sign_in(&server.base, "donor", demo_password("donor")).await;
        c.goto(&format!("{}{link}", server.base)).await.unwrap();
        let text = wait_for_text(c, "does not allow").await;
        assert!(!text.contains("%PDF"), "no file for the donor");
        b.screenshot("61-evidence-refused-donor").await;
        b.close().await;
    }
}
