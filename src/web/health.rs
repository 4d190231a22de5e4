use rocket::serde::json::{json, Json, Value};
use rocket::State;

use crate::db::{migrations, Db};
use crate::error::AppResult;

/// For monitoring: which backend is in use and the schema version the data is at.
#[rocket::get("/health")]
pub async fn health(db: &State<Db>) -> AppResult<Json<Value>> {
    let backend = db.backend();
    let version = db.run(migrations::schema_version).await?;
    Ok(Json(json!({
        "status": "ok",
        "backend": backend.name(),
        "schema_version": version,
        "version": env!("CARGO_PKG_VERSION"),
    })))
}
