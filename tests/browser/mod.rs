//! Browser tests: Debian's Chromium driven through chromedriver against the real server
//! on a loopback port. Screenshots of each step land in target/screenshots/ to look at.

mod accessibility;
mod data_entry;
mod evidence;
mod publication;
mod reports;
mod setup;
mod sign_in;
mod week;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use rocket::Shutdown;

use crate::support::TestDb;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_port(port: u16, what: &str) {
    let start = Instant::now();
    while rocket::tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not start on port {port}"
        );
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The application serving a test database on a free loopback port.
pub struct Server {
    pub base: String,
    shutdown: Shutdown,
}

impl Server {
    pub async fn start(t: &TestDb, db: mipaka::db::Db) -> Server {
        let mut config = t.config.clone();
        config.port = free_port();
        let rocket = mipaka::rocket(&config, db).unwrap().ignite().await.unwrap();
        let shutdown = rocket.shutdown();
        rocket::tokio::spawn(async move {
            let _ = rocket.launch().await;
        });
        wait_for_port(config.port, "the Mipaka server").await;
        Server {
            base: format!("http://127.0.0.1:{}", config.port),
            shutdown,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Waits (up to 15 s) until the page's path satisfies `ok`; clicks do not wait for
/// the navigation they start.
pub async fn wait_for_path(c: &Client, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let path = c.current_url().await.unwrap().path().to_string();
        if ok(&path) {
            return path;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "still at {path}");
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (up to 15 s) until the page's text contains `text`; returns the text.
pub async fn wait_for_text(c: &Client, text: &str) -> String {
    let start = Instant::now();
    loop {
        let body = match c.find(fantoccini::Locator::Css("body")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if body.contains(text) {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "page never said {text:?}: {body}"
        );
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// chromedriver with a headless Chromium of its own profile; both end with the test.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver must be installed (Debian package chromium-driver)");
        wait_for_port(port, "chromedriver").await;
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--window-size=1200,900",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        // Downloads land in the profile's folder, unasked, for tests to read back.
        let downloads = profile.path().join("downloads");
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "args": args,
                "binary": "/usr/bin/chromium",
                "prefs": {
                    "download.default_directory": downloads.to_string_lossy(),
                    "download.prompt_for_download": false,
                },
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("start a Chromium session");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// The bytes of a file the browser downloaded, once it has finished (up to 15 s).
    pub async fn downloaded(&self, name: &str) -> Vec<u8> {
        let path = self._profile.path().join("downloads").join(name);
        let start = Instant::now();
        loop {
            if let Ok(bytes) = std::fs::read(&path) {
                if !bytes.is_empty() {
                    return bytes;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{name} was not downloaded"
            );
            rocket::tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Signs in through the login form and waits for the next page.
    pub async fn sign_in(&self, base: &str, username: &str, password: &str) {
        use fantoccini::Locator;
        let c = &self.client;
        c.goto(&format!("{base}/login")).await.unwrap();
        c.find(Locator::Css("input[name=username]"))
            .await
            .unwrap()
            .send_keys(username)
            .await
            .unwrap();
        c.find(Locator::Css("input[name=password]"))
            .await
            .unwrap()
            .send_keys(password)
            .await
            .unwrap();
        c.find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_path(c, |p| !p.starts_with("/login")).await;
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A browser test: skipped (ignored, with the reason) where chromedriver is missing,
/// except under CI, which installs it and must run it.
#[macro_export]
macro_rules! browser_test {
    (fn $name:ident() $body:block) => {
        #[rocket::async_test]
        #[cfg_attr(not(mipaka_browser_tests), ignore = "browser test skipped: install chromium and chromium-driver to run")]
        async fn $name() $body
    };
}
