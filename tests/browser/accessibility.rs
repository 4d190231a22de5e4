//! axe-core on the pages each role works in: home, dashboard, entry grid (editable, with
//! an error, one county, read-only), indicator and comparison pages. No violation of
//! impact "serious" or "critical" anywhere; a "moderate" or "minor" one only where
//! [`ALLOWED`] gives its reason.
//!
//! axe-core comes from npm at the version pinned here and in `.ci/run`
//! (`npm install --prefix target/axe axe-core@4.14.1`). It is injected through
//! WebDriver's execute-script, which runs outside the page's Content-Security-Policy:
//! the app's policy (`default-src 'none'`, no script at all) stays as it is. Skipped,
//! saying so, where the file is missing, except under CI, which installs it.

use std::path::PathBuf;

use fantoccini::{Client, Locator};
use serde_json::Value;

use super::{wait_for_text, Browser, Server};
use crate::browser_test;
use crate::support::{demo_password, TestDb};

/// The axe-core release `.ci/run` installs; rules and their verdicts change between
/// releases, so the check is the same in every run.
const AXE_VERSION: &str = "4.14.1";

/// Findings below "serious" accepted, each rule with why. Empty: every one found was
/// fixed; a rule added here must say why it cannot be.
const ALLOWED: &[(&str, &str)] = &[];

fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js")
}

/// The pinned axe-core source, or None (skip) where it is not installed outside CI.
fn axe_source() -> Option<String> {
    let path = axe_path();
    match std::fs::read_to_string(&path) {
        Ok(s) => {
            assert!(
                s.starts_with(&format!("/*! axe v{AXE_VERSION}")),
                "{} is not axe-core {AXE_VERSION}: npm install --prefix target/axe axe-core@{AXE_VERSION}",
                path.display()
            );
            Some(s)
        }
        Err(e) if std::env::var_os("CI").is_some() => panic!(
            "{}: {e}; CI must run the accessibility checks (.ci/run installs axe-core)",
            path.display()
        ),
        Err(_) => None,
    }
}

/// axe's violations on the current page: (rule, impact, help, targets).
async fn violations(c: &Client, source: &str) -> Vec<(String, String, String, Vec<String>)> {
    c.execute(source, vec![]).await.expect("inject axe-core");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done({ passed: r.passes.length, violations: r.violations.map(v =>
                   ({ id: v.id, impact: v.impact, help: v.help,
                      targets: v.nodes.map(n => n.target.join(' ')) })) }))
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("run axe-core");
    if let Some(e) = found.get("error") {
        panic!("axe-core failed: {e}");
    }
    // A check that ran: axe passes dozens of rules on any real page.
    let passed = found["passed"].as_u64().unwrap_or(0);
    assert!(passed >= 10, "axe-core passed only {passed} rules: {found}");
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or("").to_string();
    found["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let targets = v["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap_or("").to_string())
                .collect();
            (s(v, "id"), s(v, "impact"), s(v, "help"), targets)
        })
        .collect()
}

/// Checks each page, returning every finding not allowed, one line each.
async fn check(
    b: &Browser,
    source: &str,
    base: &str,
    who: &str,
    pages: &[&str],
    out: &mut Vec<String>,
) {
    for page in pages {
        b.client.goto(&format!("{base}{page}")).await.unwrap();
        audit_here(b, source, &format!("{who} {page}"), out).await;
    }
}

async fn audit_here(b: &Browser, source: &str, what: &str, out: &mut Vec<String>) {
    let found = violations(&b.client, source).await;
    let mut shown = 0;
    for (id, impact, help, targets) in found {
        let serious = matches!(impact.as_str(), "serious" | "critical");
        let allowed = !serious && ALLOWED.iter().any(|(rule, _)| *rule == id);
        eprintln!(
            "axe {what}: {impact} {id}{} ({} element(s))",
            if allowed { " (allowed)" } else { "" },
            targets.len()
        );
        if !allowed {
            shown += 1;
            let first: Vec<_> = targets.iter().take(5).cloned().collect();
            out.push(format!(
                "{what}: [{impact}] {id}: {help}; {} element(s), e.g. {}",
                targets.len(),
                first.join(" | ")
            ));
        }
    }
    eprintln!("axe {what}: {shown} finding(s) not allowed");
}

browser_test! {
    fn axe_finds_nothing_serious_on_the_pages_each_role_works_in() {
        let Some(source) = axe_source() else {
            eprintln!(
                "SKIPPED: axe-core is not installed at {} (npm install --prefix target/axe axe-core@{AXE_VERSION})",
                axe_path().display()
            );
            return;
        };
        let t = TestDb::sqlite();
        let db = t.with_demo();
        let server = Server::start(&t, db).await;
        let base = &server.base;
        let mut found = Vec::new();

        let b = Browser::start().await;
        b.client.set_window_size(1366, 900).await.unwrap();
        b.client.goto(&format!("{base}/login")).await.unwrap();
        audit_here(&b, &source, "anonymous /login", &mut found).await;
        b.sign_in(base, "manager", demo_password("manager")).await;
        let grid = "/programmes/LBP/entry?period=2026Q4&county=all";
        check(&b, &source, base, "manager", &[
            "/",
            "/programmes/LBP",
            grid,
            "/programmes/LBP/entry?period=2026Q4&county=progress",
            "/programmes/LBP/indicators/LBP-0.1",
            "/programmes/LBP/setup/publication",
            "/programmes/LBP/iati",
        ], &mut found).await;
        // The grid after a refused save: the banner, its links, the invalid inputs.
        b.client.goto(&format!("{base}{grid}")).await.unwrap();
        let input = b.client.find(Locator::Css("table.sheet input[name^='v:']")).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys("12.5").await.unwrap();
        b.client.find(Locator::Css("button[value=save]")).await.unwrap().click().await.unwrap();
        wait_for_text(&b.client, "Nothing was saved").await;
        audit_here(&b, &source, "manager grid with an error", &mut found).await;
        // One county, at phone width.
        b.client.set_window_size(390, 844).await.unwrap();
        let first = b.client.find(Locator::Css("nav.pick a")).await.unwrap().attr("href").await.unwrap().unwrap();
        check(&b, &source, base, "manager at 390 px", &[
            &format!("/programmes/LBP/entry{first}"),
            "/programmes/LBP",
        ], &mut found).await;
        b.close().await;

        let q = "sides=2025Q1..2025Q2%2C2026Q1..2026Q2&split=mou&through=2026Q2";
        let compare = format!("/programmes/LBP/compare?{q}");
        for (who, pages) in [
            ("officer", vec!["/", "/programmes/LBP", "/programmes/LBP/entry?period=2026Q1&county=all", "/programmes/LBP/indicators/LBP-OP1.1.1"]),
            ("evaluator", vec!["/", "/programmes/LBP", compare.as_str(), "/programmes/LBP/compare"]),
            ("donor", vec!["/", "/programmes/LBP"]),
        ] {
            let b = Browser::start().await;
            b.client.set_window_size(1366, 900).await.unwrap();
            b.sign_in(base, who, demo_password(who)).await;
            check(&b, &source, base, who, &pages, &mut found).await;
            b.close().await;
        }
        assert!(
            found.is_empty(),
            "axe-core {AXE_VERSION} found {} problem(s):\n{}",
            found.len(),
            found.join("\n")
        );
    }
}
