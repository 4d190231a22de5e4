//! PostgreSQL tests run when TEST_DATABASE_URL is set at build time; otherwise they are
//! compiled as ignored, so `cargo test` reports them as skipped with the reason. The
//! browser tests likewise, when chromedriver is not installed, the API conformance
//! test when schemathesis is not, and the email tests when aiosmtpd is not.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(mipaka_pg_tests)");
    println!("cargo::rustc-check-cfg=cfg(mipaka_browser_tests)");
    println!("cargo::rustc-check-cfg=cfg(mipaka_schemathesis_tests)");
    println!("cargo::rustc-check-cfg=cfg(mipaka_smtp_tests)");
    println!("cargo::rustc-check-cfg=cfg(mipaka_dhis2py_tests)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-changed=build.rs");
    // The migrations are embedded by a macro that cannot see a new folder appear: watching
    // the directory rebuilds the crate when one is added.
    println!("cargo::rerun-if-changed=migrations");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.trim().is_empty()) {
        println!("cargo::rustc-cfg=mipaka_pg_tests");
    }
    // Browser tests need Debian's chromium and chromium-driver; CI installs them and
    // must run the tests (a missing driver then fails instead of skipping).
    let have_browser = std::path::Path::new("/usr/bin/chromedriver").exists();
    if have_browser || std::env::var_os("CI").is_some() {
        println!("cargo::rustc-cfg=mipaka_browser_tests");
    }
    // The API conformance test runs schemathesis (`pip install schemathesis`); CI installs
    // it and must run the test.
    if on_path("schemathesis") || std::env::var_os("CI").is_some() {
        println!("cargo::rustc-cfg=mipaka_schemathesis_tests");
    }
    // The email tests send through a real SMTP server, aiosmtpd (`pip install aiosmtpd`);
    // CI installs it and must run them.
    if on_path("aiosmtpd") || std::env::var_os("CI").is_some() {
        println!("cargo::rustc-cfg=mipaka_smtp_tests");
    }
    // The DHIS2 client test drives dhis2.py (`pip install dhis2.py`) from a Python
    // virtual environment on PATH; CI installs it and must run the test.
    if python_package_on_path("dhis2") || std::env::var_os("CI").is_some() {
        println!("cargo::rustc-cfg=mipaka_dhis2py_tests");
    }
}

/// Whether a `python3` on PATH has `package` in its environment's site-packages.
fn python_package_on_path(package: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let lib = dir.join("../lib");
            dir.join("python3").is_file()
                && std::fs::read_dir(&lib).is_ok_and(|entries| {
                    entries
                        .flatten()
                        .any(|d| d.path().join("site-packages").join(package).is_dir())
                })
        })
    })
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}
