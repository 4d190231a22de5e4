//! The report journey in a browser: the manager writes the narrative and issues the
//! period's report; the donor finds it and downloads exactly the issued file.

use fantoccini::Locator;

use super::{wait_for_text, Browser, Server};
use crate::browser_test;
use crate::support::{demo_password, TestDb};
use mipaka::models::{issued, programme};

browser_test! {
    fn a_manager_issues_a_report_and_the_donor_downloads_it() {
        let t = TestDb::sqlite();
        let db = t.with_demo();
        let server = Server::start(&t, db.clone()).await;

        let m = Browser::start().await;
        m.sign_in(&server.base, "manager", demo_password("manager")).await;
        m.client.goto(&format!("{}/programmes/LBP/reports?period=2026Q2", server.base)).await.unwrap();
        let achievements = m.client.find(Locator::Css("textarea[name=achievements]")).await.unwrap();
        achievements.send_keys("Joint patrols resumed in Mandera and Moyalé.").await.unwrap();
        m.client.find(Locator::XPath("//button[text()='Save narrative']")).await.unwrap().click().await.unwrap();
        wait_for_text(&m.client, "Narrative for Apr–Jun 2026 saved").await;
        m.screenshot("30-reports-narrative").await;
        m.client.find(Locator::XPath("//button[starts-with(text(),'Issue ')]")).await.unwrap().click().await.unwrap();
        wait_for_text(&m.client, "version 1").await;
        m.screenshot("31-reports-issued").await;
        m.close().await;

        let d = Browser::start().await;
        d.sign_in(&server.base, "donor", demo_password("donor")).await;
        d.client.goto(&format!("{}/programmes/LBP", server.base)).await.unwrap();
        d.client.find(Locator::LinkText("Progress reports (PDF)")).await.unwrap().click().await.unwrap();
        let page = wait_for_text(&d.client, "Issued reports").await;
        assert!(!page.contains("Issue Apr"), "no issue button for a donor");
        d.screenshot("32-reports-donor").await;
        d.client.find(Locator::LinkText("Download LBP-2026Q2-donor-v1.pdf")).await.unwrap().click().await.unwrap();
        let bytes = d.downloaded("LBP-2026Q2-donor-v1.pdf").await;
        d.close().await;

        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let r = &issued::of_programme(&mut c, p.id).unwrap()[0];
        let kept = std::fs::read(t.config.reports_dir.join(&r.file_path)).unwrap();
        assert!(bytes == kept, "the donor's download is the issued file, byte for byte");
        assert_eq!(mipaka::report::text::sha256_hex(&bytes), r.sha256);
    }
}
