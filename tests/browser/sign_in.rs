use fantoccini::Locator;

use super::{wait_for_path, wait_for_text, Browser, Server};
use crate::browser_test;
use crate::support::{demo_password, TestDb};

browser_test! {
    fn a_user_signs_in_sees_their_programmes_and_signs_out() {
        let t = TestDb::sqlite();
        let server = Server::start(&t, t.with_demo()).await;
        let b = Browser::start().await;
        let c = &b.client;

        // Asking for a programme while signed out leads to the sign-in page…
        c.goto(&format!("{}/programmes/LBP", server.base)).await.unwrap();
        assert!(c.current_url().await.unwrap().path().starts_with("/login"));
        b.screenshot("01-sign-in").await;

        // …a wrong password is told plainly…
        c.find(Locator::Css("input[name=username]")).await.unwrap().send_keys("manager").await.unwrap();
        c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys("not-my-password").await.unwrap();
        c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_for_text(c, "username or password is not right").await;

        // …and the right one brings the user back to the page they asked for.
        let user = c.find(Locator::Css("input[name=username]")).await.unwrap();
        user.clear().await.unwrap();
        user.send_keys("manager").await.unwrap();
        c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(demo_password("manager")).await.unwrap();
        c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_for_path(c, |p| p == "/programmes/LBP").await;
        let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "Land Border Programme");
        let body = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
        assert!(body.contains("Demonstration data"));
        assert!(body.contains("Amina Hassan"), "the header names who is signed in");
        b.screenshot("02-programme").await;

        c.goto(&format!("{}/", server.base)).await.unwrap();
        let cards = c.find_all(Locator::Css(".card h2 a")).await.unwrap();
        assert_eq!(cards.len(), 3);
        b.screenshot("03-programmes").await;

        // Signing out ends the session: the programme page asks to sign in again.
        c.find(Locator::Css("nav.me button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_for_path(c, |p| p.starts_with("/login")).await;
        wait_for_text(c, "You are signed out").await;
        c.goto(&format!("{}/programmes/LBP", server.base)).await.unwrap();
        assert!(c.current_url().await.unwrap().path().starts_with("/login"));
        b.close().await;
    }
}

browser_test! {
    fn the_dashboard_reads_on_a_phone_without_scrolling_sideways() {
        let t = TestDb::sqlite();
        let server = Server::start(&t, t.with_demo()).await;
        let b = Browser::start().await;
        let c = &b.client;
        b.sign_in(&server.base, "manager", demo_password("manager")).await;
        c.set_window_size(390, 900).await.unwrap();
        c.goto(&format!("{}/programmes/LBP", server.base)).await.unwrap();
        wait_for_text(c, "Milestones due or overdue").await;
        // The page is no wider than the screen, and an indicator's milestone, achievement
        // and status are on screen with their labels, not cut off to the right.
        let (page, screen) = c
            .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
            .await
            .unwrap()
            .as_array()
            .map(|a| (a[0].as_f64().unwrap(), a[1].as_f64().unwrap()))
            .unwrap();
        assert!(page <= screen + 1.0, "the page is {page} px wide on a {screen} px screen");
        for label in ["Milestone", "Achieved", "Status"] {
            let cell = c
                .find(Locator::Css(&format!("table.ind td[data-label=\"{label}\"]")))
                .await
                .unwrap();
            let right = c
                .execute(
                    "return arguments[0].getBoundingClientRect().right;",
                    vec![serde_json::to_value(&cell).unwrap()],
                )
                .await
                .unwrap()
                .as_f64()
                .unwrap();
            assert!(right <= screen, "{label} ends at {right} px");
        }
        b.screenshot("04-dashboard-390").await;
        b.close().await;
    }
}
