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
