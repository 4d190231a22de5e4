//! PostgreSQL tests run when TEST_DATABASE_URL is set at build time; otherwise they are
//! compiled as ignored, so `cargo test` reports them as skipped with the reason.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(mipaka_pg_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|v| !v.trim().is_empty()) {
        println!("cargo::rustc-cfg=mipaka_pg_tests");
    }
}
