//! Signing in and out, throttling, API tokens, disabled accounts, stored passwords.

use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;

use crate::on_both_backends;
use crate::support::{demo_password, input_value, sign_in, urlencode};
use mipaka::db::schema::audit_log;
use mipaka::models::user;

fn try_login(client: &Client, username: &str, password: &str) -> (Status, String) {
    let page = client.get("/login").dispatch().into_string().unwrap();
    let csrf = input_value(&page, "csrf").unwrap();
    let body = format!(
        "username={}&password={}&csrf={csrf}&next=/",
        urlencode(username),
        urlencode(password)
    );
    let r = client
        .post("/login")
        .header(ContentType::Form)
        .body(body)
        .dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

fn audit_actions(db: &mipaka::db::Db) -> Vec<String> {
    use diesel::prelude::*;
    audit_log::table
        .select(audit_log::action)
        .order(audit_log::id)
        .load(&mut *db.get().unwrap())
        .unwrap()
}

on_both_backends! {
    fn anonymous_visitors_are_sent_to_sign_in_and_come_back(t) {
        let client = t.client(t.with_demo());
        let r = client.get("/programmes/LBP").dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        assert_eq!(r.headers().get_one("Location"), Some("/login?next=%2Fprogrammes%2FLBP"));
        let page = client.get("/login?next=/programmes/LBP").dispatch().into_string().unwrap();
        let csrf = input_value(&page, "csrf").unwrap();
        let body = format!("username=donor&password={}&csrf={csrf}&next=%2Fprogrammes%2FLBP", demo_password("donor"));
        let r = client.post("/login").header(ContentType::Form).body(body).dispatch();
        assert_eq!(r.headers().get_one("Location"), Some("/programmes/LBP"));
    }
}

on_both_backends! {
    fn sign_in_never_redirects_to_another_site(t) {
        let client = t.client(t.with_demo());
        let page = client.get("/login").dispatch().into_string().unwrap();
        let csrf = input_value(&page, "csrf").unwrap();
        let body = format!("username=donor&password={}&csrf={csrf}&next=%2F%2Fevil.example%2F", demo_password("donor"));
        let r = client.post("/login").header(ContentType::Form).body(body).dispatch();
        assert_eq!(r.headers().get_one("Location"), Some("/"));
    }
}

on_both_backends! {
    fn wrong_passwords_are_told_plainly_and_audited(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let (status, page) = try_login(&client, "manager", "not-the-password");
        assert_eq!(status, Status::Unauthorized);
        assert!(page.contains("username or password is not right"));
        let (status, _) = try_login(&client, "nobody-by-this-name", "whatever-password");
        assert_eq!(status, Status::Unauthorized);
        let actions = audit_actions(&db);
        assert_eq!(actions.iter().filter(|a| *a == "login_failed").count(), 2);
        assert!(!page.contains("not-the-password"), "a typed password is never echoed");
    }
}

on_both_backends! {
    fn repeated_failures_are_slowed_then_refused(t) {
        let mut t = t;
        t.config.throttle.delay_step_ms = 1;
        t.config.throttle.lock_after = 4;
        let db = t.with_demo();
        let client = t.client(db.clone());
        for _ in 0..4 {
            assert_eq!(try_login(&client, "officer", "wrong-password-here").0, Status::Unauthorized);
        }
        // Even the right password is refused while the account is paused.
        let (status, page) = try_login(&client, "officer", demo_password("officer"));
        assert_eq!(status, Status::TooManyRequests);
        assert!(page.contains("Too many failed sign-ins"), "{page}");
        assert!(page.contains("paused for about 15 minutes"), "{page}");
        // Other accounts are not affected.
        sign_in(&client, "donor", demo_password("donor"));
        assert!(audit_actions(&db).contains(&"login_refused".to_string()));
    }
}

on_both_backends! {
    fn passwords_are_stored_as_argon2id_hashes(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "admin", demo_password("admin"));
        let body = format!("username=njeri&name=Njeri+Kamau&email=&password=a-brand-new-password&admin=false&csrf={csrf}");
        let r = client.post("/admin/users").header(ContentType::Form).body(body).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let u = user::by_username(&mut db.get().unwrap(), "njeri").unwrap().unwrap();
        assert!(u.password_hash.starts_with("$argon2id$"), "{}", u.password_hash);
        assert_eq!(u.display_name, "Njeri Kamau", "form values are decoded");
        assert!(!u.password_hash.contains("a-brand-new-password"));
        let audit: Vec<String> = audit_actions(&db);
        assert!(audit.contains(&"user_created".to_string()));
    }
}

on_both_backends! {
    fn a_disabled_account_loses_its_session_sign_in_and_tokens(t) {
        let db = t.with_demo();
        let manager = t.client(db.clone());
        let mcsrf = sign_in(&manager, "manager", demo_password("manager"));
        let r = manager.post("/account/tokens").header(ContentType::Form).body(format!("name=uploader&csrf={mcsrf}")).dispatch();
        assert_eq!(r.status(), Status::Created);
        let page = r.into_string().unwrap();
        let token = page.split("<code class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        let api = |tok: &str| manager.get("/api/v1/me").header(Header::new("Authorization", format!("Bearer {tok}"))).dispatch().status();
        assert_eq!(api(&token), Status::Ok);

        let admin = t.client(db.clone());
        let acsrf = sign_in(&admin, "admin", demo_password("admin"));
        let id = user::by_username(&mut db.get().unwrap(), "manager").unwrap().unwrap().id;
        let r = admin.post(format!("/admin/users/{id}/status")).header(ContentType::Form).body(format!("active=false&csrf={acsrf}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);

        let r = manager.get("/").dispatch();
        assert_eq!(r.status(), Status::SeeOther, "the open session ended");
        assert_eq!(api(&token), Status::Unauthorized);
        let fresh = t.client(db.clone());
        let (status, page) = try_login(&fresh, "manager", demo_password("manager"));
        assert_eq!(status, Status::Unauthorized);
        assert!(page.contains("This account is disabled"));
        assert!(audit_actions(&db).contains(&"account_disabled".to_string()));
    }
}

on_both_backends! {
    fn api_tokens_are_shown_once_stored_hashed_and_revocable(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "evaluator", demo_password("evaluator"));
        let page = client.post("/account/tokens").header(ContentType::Form).body(format!("name=analysis&csrf={csrf}")).dispatch().into_string().unwrap();
        let token = page.split("<code class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert!(token.starts_with("mpk_"));
        let account = client.get("/account").dispatch().into_string().unwrap();
        assert!(!account.contains(&token), "the token is shown only once");
        {
            use diesel::prelude::*;
            use mipaka::db::schema::api_tokens;
            let stored: Vec<String> = api_tokens::table.select(api_tokens::token_hash).load(&mut *db.get().unwrap()).unwrap();
            assert!(!stored.contains(&token));
            assert!(stored.contains(&mipaka::models::session::sha256_hex(&token)));
        }

        // The API takes the bearer token, never the session cookie.
        let with_cookie_only = client.get("/api/v1/me").dispatch();
        assert_eq!(with_cookie_only.status(), Status::Unauthorized);
        let body: serde_json::Value = with_cookie_only.into_json().unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("Bearer"));
        let me = client.get("/api/v1/me").header(Header::new("Authorization", format!("Bearer {token}"))).dispatch();
        assert_eq!(me.status(), Status::Ok);
        let me: serde_json::Value = me.into_json().unwrap();
        assert_eq!(me["username"], "evaluator");
        let visible = client.get("/api/v1/programmes").header(Header::new("Authorization", format!("Bearer {token}"))).dispatch();
        assert_eq!(visible.into_json::<serde_json::Value>().unwrap()["programmes"].as_array().unwrap().len(), 3);
        let wrong = client.get("/api/v1/me").header(Header::new("Authorization", "Bearer mpk_00000000")).dispatch();
        assert_eq!(wrong.status(), Status::Unauthorized);

        let id = input_value(&account, "csrf").map(|_| ()).and(account.split("/account/tokens/").nth(1)).unwrap().split('/').next().unwrap().to_string();
        let r = client.post(format!("/account/tokens/{id}/revoke")).header(ContentType::Form).body(format!("csrf={csrf}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let after = client.get("/api/v1/me").header(Header::new("Authorization", format!("Bearer {token}"))).dispatch();
        assert_eq!(after.status(), Status::Unauthorized);
        let audit = audit_actions(&db);
        assert!(audit.contains(&"token_created".to_string()) && audit.contains(&"token_revoked".to_string()));
    }
}

on_both_backends! {
    fn a_user_sees_only_programmes_they_have_a_role_in(t) {
        let db = t.with_demo();
        {
            let mut c = db.get().unwrap();
            let u = user::create(&mut c, &user::NewAccount { username: "dw-only", display_name: "DW Evaluator", email: "", password: "dw-only-password", is_admin: false }).unwrap();
            user::grant_role(&mut c, u.id, "DW", "evaluator").unwrap();
        }
        let client = t.client(db);
        sign_in(&client, "dw-only", "dw-only-password");
        let home = client.get("/").dispatch().into_string().unwrap();
        assert!(home.contains("/programmes/DW"));
        assert!(!home.contains("/programmes/LBP") && !home.contains("/programmes/KEUK-MOU"));
        assert_eq!(client.get("/programmes/DW").dispatch().status(), Status::Ok);
        assert_eq!(client.get("/programmes/LBP").dispatch().status(), Status::NotFound);
    }
}

on_both_backends! {
    fn every_response_carries_the_security_headers(t) {
        let client = t.client(t.with_demo());
        for path in ["/login", "/health", "/no-such-page", "/static/mipaka.css"] {
            let r = client.get(path).dispatch();
            let h = r.headers();
            let csp = h.get_one("Content-Security-Policy").unwrap_or_default();
            assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"), "{path}");
            assert_eq!(h.get_one("Referrer-Policy"), Some("same-origin"), "{path}");
        }
        let r = client.get("/no-such-page").dispatch();
        let page = r.into_string().unwrap();
        assert!(page.contains("Reference:"), "error pages carry a reference id");
        let cookie = client.get("/login").dispatch();
        let set = cookie.headers().get("Set-Cookie").collect::<Vec<_>>().join("; ");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    }
}

on_both_backends! {
    fn signing_out_ends_the_session(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "donor", demo_password("donor"));
        let r = client.post("/logout").header(ContentType::Form).body(format!("csrf={csrf}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        assert_eq!(client.get("/").dispatch().status(), Status::SeeOther);
        let actions = audit_actions(&db);
        assert!(actions.contains(&"login".to_string()) && actions.contains(&"logout".to_string()));
    }
}

on_both_backends! {
    fn a_refused_page_keeps_the_signed_in_navigation(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        sign_in(&client, "donor", demo_password("donor"));
        // A page of the programme the donor may not open, and one that is not there.
        for (path, status) in [("/programmes/LBP/entry?period=2026Q3&county=all", Status::Forbidden), ("/admin/users", Status::Forbidden), ("/no-such-page", Status::NotFound)] {
            let r = client.get(path).dispatch();
            assert_eq!(r.status(), status, "{path}");
            let page = r.into_string().unwrap();
            assert!(page.contains(r#"<nav class="me">"#) && page.contains(r#"action="/logout""#), "{path}: the navigation stays: {page}");
        }
        // Signed out: no navigation to show.
        let anon = t.client(db);
        let page = anon.get("/no-such-page").dispatch().into_string().unwrap();
        assert!(!page.contains(r#"<nav class="me">"#));
    }
}
