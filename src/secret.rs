//! The key that signs and encrypts session cookies.
//!
//! A configured deployment sets MIPAKA_SECRET_KEY. The embedded default makes one on
//! first start and keeps it beside the database, so sessions survive a restart.

use std::io::Write;
use std::path::Path;

use argon2::password_hash::rand_core::{OsRng, RngCore};

use crate::config::Config;
use crate::error::{AppError, AppResult};

pub const KEY_FILE: &str = "secret.key";

fn random_hex_key() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rocket takes 256 bits as 64 hex digits (or 512 bits as 88 base64 characters).
fn check(key: &str, source: &str) -> AppResult<String> {
    let key = key.trim();
    let hex_ok = key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit());
    let b64_ok = key.len() == 88 && key.ends_with("==");
    if hex_ok || b64_ok {
        Ok(key.to_string())
    } else {
        Err(AppError::Config(format!(
            "{source}: the secret key must be 32 random bytes written as 64 hex digits \
             (make one with: openssl rand -hex 32)"
        )))
    }
}

pub fn secret_key(config: &Config) -> AppResult<String> {
    if let Some(k) = &config.secret_key {
        return check(k, "MIPAKA_SECRET_KEY");
    }
    if config.embedded_default {
        return key_file(&config.data_dir.join(KEY_FILE));
    }
    if cfg!(debug_assertions) {
        // Development and tests: a throw-away key; sessions end with the process.
        return Ok(random_hex_key());
    }
    Err(AppError::Config(
        "MIPAKA_SECRET_KEY is not set. A deployment with its own DATABASE_URL needs a fixed \
         key so sessions stay valid across restarts: set MIPAKA_SECRET_KEY to the output of \
         `openssl rand -hex 32`"
            .into(),
    ))
}

fn key_file(path: &Path) -> AppResult<String> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::Config(format!("cannot read {}: {e}", path.display())))?;
        return check(&text, &path.display().to_string());
    }
    let key = random_hex_key();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| AppError::Config(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(key.as_bytes())
        .map_err(|e| AppError::Config(format!("cannot write {}: {e}", path.display())))?;
    Ok(key)
}
