//! Publishing is deliberate: the preview lists every problem and refuses to publish
//! while there are any; a published version is served without sign-in at
//! /iati/CODE.xml, byte for byte, until the next; nothing unpublished is served there.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};

use crate::on_both_backends;
use crate::support::{demo_password, sign_in};
use mipaka::db::schema::{audit_log, iati_publications, organisations};

on_both_backends! {
    fn a_manager_previews_publishes_and_the_registry_fetches_the_same_bytes(t) {
        let db = t.with_demo();
        let anon = t.client(db.clone());
        // Nothing published: nothing served.
        assert_eq!(anon.get("/iati/LBP.xml").dispatch().status(), Status::NotFound);

        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        let page = m.get("/programmes/LBP/iati").dispatch().into_string().unwrap();
        assert!(page.contains("<code>XM-DAC-47066-LBP</code>") && page.contains("No problems"), "{page}");
        assert!(page.contains("Nothing is published yet"));
        let preview = m.get("/programmes/LBP/iati/preview.xml").dispatch();
        assert_eq!(preview.content_type(), Some(ContentType::XML));
        let preview = preview.into_string().unwrap();
        assert!(preview.contains("<iati-identifier>XM-DAC-47066-LBP</iati-identifier>"));

        let r = m.post("/programmes/LBP/iati/publish").header(ContentType::Form).body(format!("csrf={mc}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let page = m.get("/programmes/LBP/iati").dispatch().into_string().unwrap();
        assert!(page.contains("Version 1 is published at &#x2F;iati&#x2F;LBP.xml"), "{page}");

        let first = anon.get("/iati/LBP.xml").dispatch();
        assert_eq!(first.status(), Status::Ok);
        assert_eq!(first.content_type(), Some(ContentType::XML));
        let etag = first.headers().get_one("ETag").unwrap().to_string();
        let first = first.into_bytes().unwrap();
        let c = &mut *db.get().unwrap();
        let (sha, content): (String, String) = iati_publications::table.select((iati_publications::sha256, iati_publications::content)).first(c).unwrap();
        assert_eq!(first, content.as_bytes(), "served exactly as published");
        assert_eq!(etag, format!("\"{sha}\""));
        // A figure changes: the published file does not, until the next publication.
        diesel::update(mipaka::db::schema::indicators::table.filter(mipaka::db::schema::indicators::code.eq("LBP-2.1")))
            .set(mipaka::db::schema::indicators::baseline_value.eq(Some(65.0)))
            .execute(c)
            .unwrap();
        assert_eq!(anon.get("/iati/LBP.xml").dispatch().into_bytes().unwrap(), first);
        let audited: i64 = audit_log::table.filter(audit_log::action.eq("iati_published")).count().get_result(c).unwrap();
        assert_eq!(audited, 1);
        // Another programme's file is not this one's, and is not published.
        assert_eq!(anon.get("/iati/DW.xml").dispatch().status(), Status::NotFound);
        assert_eq!(anon.get("/iati/NOPE.xml").dispatch().status(), Status::NotFound);
    }
}

on_both_backends! {
    fn with_a_problem_the_preview_says_where_and_nothing_is_published(t) {
        let db = t.with_demo();
        {
            // The publishing partner loses its IATI identifier.
            let c = &mut *db.get().unwrap();
            diesel::update(organisations::table.filter(organisations::code.eq("IOM")))
                .set(organisations::iati_identifier.eq(""))
                .execute(c)
                .unwrap();
        }
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        let page = m.get("/programmes/LBP/iati").dispatch().into_string().unwrap();
        assert!(page.contains("to fix before publishing") && page.contains("<code>reporting-org</code>"), "{page}");
        assert!(!page.contains("iati/publish"), "no publish button while there are problems");
        let r = m.post("/programmes/LBP/iati/publish").header(ContentType::Form).body(format!("csrf={mc}")).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("Not published:"));
        let c = &mut *db.get().unwrap();
        let rows: i64 = iati_publications::table.count().get_result(c).unwrap();
        assert_eq!(rows, 0);
        let audited: i64 = audit_log::table.filter(audit_log::action.eq("iati_published")).count().get_result(c).unwrap();
        assert_eq!(audited, 0);
        drop(m);
        let anon = t.client(db);
        assert_eq!(anon.get("/iati/LBP.xml").dispatch().status(), Status::NotFound);
    }
}

on_both_backends! {
    fn sectors_are_checked_saved_and_audited(t) {
        let db = t.with_demo();
        let m = t.client(db.clone());
        let csrf = sign_in(&m, "manager", demo_password("manager"));
        let page = m.get("/programmes/LBP/iati").dispatch().into_string().unwrap();
        assert!(page.contains("Security system management and reform"), "{page}");
        let version = crate::support::input_value(&page, "version").unwrap();
        let post = |sectors: &str, version: &str| {
            m.post("/programmes/LBP/iati/sectors")
                .header(ContentType::Form)
                .body(format!("csrf={csrf}&version={version}&sectors={}", crate::support::urlencode(sectors)))
                .dispatch()
        };
        let r = post("15210 60, 99999 40", &version);
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("is not a DAC 5-digit sector code"));
        let r = post("15210 70, 15190 20", &version);
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("add up to 90"));
        let c = &mut *db.get().unwrap();
        let sectors = |c: &mut mipaka::db::DbConn| -> String {
            mipaka::db::schema::programmes::table
                .filter(mipaka::db::schema::programmes::code.eq("LBP"))
                .select(mipaka::db::schema::programmes::iati_sectors)
                .first(c)
                .unwrap()
        };
        assert_eq!(sectors(c), "15210 50; 15190 50", "nothing written");
        let r = post("15210: 80%; 15220: 20%", &version);
        assert_eq!(r.status(), Status::SeeOther);
        assert_eq!(sectors(c), "15210 80; 15220 20");
        let audited: i64 = audit_log::table.filter(audit_log::action.eq("iati_sectors_changed")).count().get_result(c).unwrap();
        assert_eq!(audited, 1);
        // From the page as it was before that save: refused, not overwritten.
        let r = post("15130 100", &version);
        assert_eq!(r.status(), Status::Conflict);
        assert_eq!(sectors(c), "15210 80; 15220 20");
    }
}
