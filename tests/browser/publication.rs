//! Keeping a figure in, in the browser: a manager makes an indicator internal from the
//! setup page, sees the change confirmed, and finds it listed on the IATI preview as left
//! out of the public file — which no longer carries it.

use fantoccini::Locator;

use super::{wait_for_text, Browser, Server};
use crate::browser_test;
use crate::support::{demo_password, TestDb};

browser_test! {
    fn a_manager_keeps_an_indicator_internal_and_the_iati_preview_leaves_it_out() {
        let t = TestDb::sqlite();
        let db = t.with_demo();
        let id: i32 = {
            use diesel::prelude::*;
            use mipaka::db::schema::indicators;
            let c = &mut *db.get().unwrap();
            indicators::table.filter(indicators::code.eq("LBP-2.1")).select(indicators::id).first(c).unwrap()
        };
        let server = Server::start(&t, db.clone()).await;
        let base = &server.base;
        let b = Browser::start().await;
        let c = &b.client;
        b.sign_in(base, "manager", demo_password("manager")).await;
        c.goto(&format!("{base}/programmes/LBP/setup")).await.unwrap();
        c.find(Locator::LinkText("Who sees each indicator")).await.unwrap().click().await.unwrap();
        wait_for_text(c, "Who sees each indicator").await;
        let row = format!("section#ind-{id}");
        c.find(Locator::Css(&format!("{row} select[name=publication_level] option[value=internal]"))).await.unwrap().click().await.unwrap();
        c.find(Locator::Css(&format!("{row} button[type=submit]"))).await.unwrap().click().await.unwrap();
        let text = wait_for_text(c, "Publication of LBP-2.1 saved").await;
        assert!(text.contains("“public” → “internal”"), "{text}");
        b.screenshot("70-publication-internal").await;

        c.goto(&format!("{base}/programmes/LBP/reports")).await.unwrap();
        c.find(Locator::LinkText("IATI publication")).await.unwrap().click().await.unwrap();
        let text = wait_for_text(c, "Kept out of the public file").await;
        assert!(text.contains("LBP-2.1") && text.contains("publication level internal"), "{text}");
        b.screenshot("71-iati-preview-kept-out").await;
        c.goto(&format!("{base}/programmes/LBP/iati/preview.xml")).await.unwrap();
        let xml = c.source().await.unwrap();
        assert!(xml.contains("LBP-1.2") && !xml.contains("LBP-2.1"), "the file no longer carries it");
        b.close().await;
    }
}
