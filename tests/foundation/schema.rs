//! Both backends get the same schema from their own migration folders.

use std::collections::BTreeSet;

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use rocket::http::Status;

use crate::on_both_backends;
use crate::support::TestDb;
use mipaka::db::DbConn;

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    nullable: String,
}

/// (table, column, type, nullable) with PostgreSQL's type names mapped to the SQLite
/// declarations, so a column typed differently on one backend is caught.
fn columns(conn: &mut DbConn) -> BTreeSet<(String, String, String, String)> {
    let rows: Vec<Column> = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
             CASE WHEN p.\"notnull\" = 1 THEN 'NO' ELSE 'YES' END AS nullable \
             FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%'",
        )
        .load(c)
        .unwrap(),
        DbConn::Pg(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             data_type::text AS data_type, is_nullable::text AS nullable \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '__diesel%'",
        )
        .load(c)
        .unwrap(),
    };
    rows.into_iter()
        .map(|r| {
            let ty = match r.data_type.as_str() {
                "integer" => "INTEGER",
                "bigint" => "BIGINT",
                "text" => "TEXT",
                "double precision" => "DOUBLE",
                "boolean" => "BOOLEAN",
                "date" => "DATE",
                "timestamp without time zone" => "TIMESTAMP",
                "bytea" => "BLOB",
                other => other,
            };
            (r.table_name, r.column_name, ty.to_string(), r.nullable)
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(mipaka_pg_tests),
    ignore = "PostgreSQL skipped: set TEST_DATABASE_URL (e.g. postgres://127.0.0.1:5432/test) to run"
)]
fn both_migration_sets_create_the_same_tables_and_columns() {
    let s = TestDb::sqlite();
    let p = TestDb::postgres();
    let sqlite = columns(&mut s.prepare().get().unwrap());
    let postgres = columns(&mut p.prepare().get().unwrap());
    assert!(
        sqlite.len() > 100,
        "expected the whole schema, got {} columns",
        sqlite.len()
    );
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_pg: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "schemas differ\nonly in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_pg:#?}"
    );
}

#[test]
fn migration_folders_have_the_same_names() {
    let names = |dir: &str| -> BTreeSet<String> {
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let sqlite = names("migrations/sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("migrations/postgres"));
}

on_both_backends! {
    fn health_names_the_backend_and_schema_version(t) {
        let client = t.client(t.prepare());
        let response = client.get("/health").dispatch();
        assert_eq!(response.status(), Status::Ok);
        let body: serde_json::Value = response.into_json().unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["backend"], if t.is_postgres() { "postgresql" } else { "sqlite" });
        let newest = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .max()
            .unwrap();
        let digits: String = newest.split('_').next().unwrap().chars().filter(char::is_ascii_digit).collect();
        assert_eq!(body["schema_version"], digits.as_str());
    }
}

on_both_backends! {
    fn migrating_twice_changes_nothing(t) {
        let db = t.prepare();
        let mut conn = db.get().unwrap();
        let before = columns(&mut conn);
        assert!(mipaka::db::migrations::run_pending(&mut conn).unwrap().is_empty());
        assert_eq!(mipaka::seed::reference_data(&mut conn).unwrap(), 0, "counties loaded once only");
        assert_eq!(before, columns(&mut conn));
    }
}

on_both_backends! {
    fn kenya_and_its_47_counties_are_loaded(t) {
        let db = t.prepare();
        let counties = mipaka::models::location::counties(&mut db.get().unwrap()).unwrap();
        assert_eq!(counties.len(), 47);
        let initial: Vec<&str> = counties.iter().filter(|c| c.mou_initial).map(|c| c.name.as_str()).collect();
        assert_eq!(initial.len(), 5);
        for name in ["Turkana", "Mandera", "Marsabit", "Wajir", "Busia"] {
            assert!(initial.contains(&name), "{name} should be an initial MoU county: {initial:?}");
        }
        let code = |n: &str| counties.iter().find(|c| c.name == n).map(|c| c.code.clone()).unwrap();
        assert_eq!(code("Turkana"), "023");
        assert_eq!(code("Busia"), "040");
        assert_eq!(code("Lamu"), "005");
    }
}
