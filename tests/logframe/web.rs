//! The logframe pages: download, upload → preview → commit, through the local client.

use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use super::book::Book;
use super::lbp;
use crate::on_both_backends;
use crate::support::{demo_password, sign_in};
use mipaka::models::{framework, logframe_upload};
use mipaka::setup::sheet;

fn upload(client: &Client, csrf: &str, name: &str, bytes: &[u8]) -> (Status, String) {
    let boundary = "XmipakaLogframe7";
    let mut body = Vec::new();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").as_bytes());
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
    let r = client
        .post("/programmes/LBP/logframe/preview")
        .header(ct)
        .body(body)
        .dispatch();
    (r.status(), r.into_string().unwrap_or_default())
}

fn upload_id(page: &str) -> String {
    page.split("name=\"upload\" value=\"")
        .nth(1)
        .expect("the preview offers the import")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

fn commit(client: &Client, csrf: &str, id: &str) -> (Status, Option<String>, String) {
    let r = client
        .post("/programmes/LBP/logframe/commit")
        .header(ContentType::Form)
        .body(format!("csrf={csrf}&upload={id}"))
        .dispatch();
    let loc = r.headers().get_one("Location").map(str::to_string);
    (r.status(), loc, r.into_string().unwrap_or_default())
}

/// The LBP workbook as downloaded, with one indicator's title changed (and, optionally,
/// one milestone made unreadable): the bytes and that milestone's cell.
fn edited(client: &Client, title: &str, bad_milestone: bool) -> (Vec<u8>, String) {
    let r = client.get("/programmes/LBP/logframe.xlsx").dispatch();
    assert_eq!(r.status(), Status::Ok);
    let mut book = Book::read(&r.into_bytes().unwrap());
    let s = book.sheet("Outputs");
    let (code, t, q3) = (
        s.col(1, "Indicator code"),
        s.col(1, "Indicator"),
        s.col(1, "2026Q3"),
    );
    let row = s.row_with(code, "LBP-OP1.1.1");
    s.set(row, t, title);
    let r2 = s.row_with(code, "LBP-OP2.1.1");
    let at = s.cell(r2, q3);
    if bad_milestone {
        s.set(r2, q3, "sixty");
    }
    (book.write(), at)
}

on_both_backends! {
    fn the_workbook_downloads_for_those_who_read_the_framework(t) {
        let db = t.with_demo();
        for (who, status) in [("evaluator", Status::Ok), ("officer", Status::Ok), ("donor", Status::Forbidden)] {
            let client = t.client(db.clone());
            sign_in(&client, who, demo_password(who));
            let r = client.get("/programmes/LBP/logframe.xlsx").dispatch();
            assert_eq!(r.status(), status, "{who}");
            if status == Status::Ok {
                assert_eq!(r.content_type().unwrap().to_string(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
                assert!(r.headers().get_one("Content-Disposition").unwrap().contains("LBP-logframe.xlsx"));
                let doc = sheet::read(&r.into_bytes().unwrap()).unwrap();
                assert_eq!(doc.programme.fields.code, "LBP");
            }
        }
    }
}

on_both_backends! {
    fn a_bad_cell_is_shown_with_its_reference_and_nothing_is_written(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let page = client.get("/programmes/LBP/logframe").dispatch();
        assert_eq!(page.status(), Status::Ok);
        let page = page.into_string().unwrap();
        assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("/programmes/LBP/logframe.xlsx"));
        assert!(page.contains("href=\"/programmes/LBP/setup\""));
        let mut c = db.get().unwrap();
        let before = crate::logframe::export_lbp(&mut c);

        let (bytes, at) = edited(&client, "Must not be saved", true);
        let (status, page) = upload(&client, &csrf, "LBP-logframe.xlsx", &bytes);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains("Nothing was imported"), "{page}");
        assert!(page.contains(&format!("<code>{at}</code>")), "the cell is named: {page}");
        assert!(page.contains("&#x27;sixty&#x27; is not a number") || page.contains("'sixty' is not a number"), "{page}");
        assert!(!page.contains("name=\"upload\""), "no import is offered");
        assert_eq!(logframe_upload::count(&mut c).unwrap(), 0);
        assert_eq!(crate::logframe::export_lbp(&mut c), before);

        // A Word document renamed .xlsx, and no file at all.
        let docx = crate::logframe::book::zip(&[("word/document.xml", b"<w:document/>")], false);
        let (status, page) = upload(&client, &csrf, "logframe.xlsx", &docx);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains("Word document (.docx)"), "{page}");
        let (status, _) = upload(&client, &csrf, "empty.xlsx", b"");
        assert_eq!(status, Status::UnprocessableEntity);
        // A forged form is refused before anything is read.
        let (status, _) = upload(&client, "not-the-token", "LBP-logframe.xlsx", &bytes);
        assert_eq!(status, Status::Forbidden);
    }
}

on_both_backends! {
    fn a_previewed_workbook_commits_and_goes_back_to_the_setup_page(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "officer", demo_password("officer"));
        let (bytes, _) = edited(&client, "Officers trained in integrated border management", false);
        let (status, page) = upload(&client, &csrf, "LBP-logframe.xlsx", &bytes);
        assert_eq!(status, Status::Ok, "{page}");
        assert!(page.contains("Preview of LBP-logframe.xlsx"), "{page}");
        assert!(page.contains("Indicators: 1 to change, 13 unchanged"), "grouped and counted: {page}");
        assert!(page.contains("indicator LBP-OP1.1.1") && page.contains("<code>Outputs!"), "{page}");
        let mut c = db.get().unwrap();
        let p = lbp(&mut c);
        assert_ne!(framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap().title, "Officers trained in integrated border management");
        assert_eq!(logframe_upload::count(&mut c).unwrap(), 1);

        let (status, location, _) = commit(&client, &csrf, &upload_id(&page));
        assert_eq!(status, Status::SeeOther);
        assert_eq!(location.as_deref(), Some("/programmes/LBP/setup"));
        let ind = framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap();
        assert_eq!(ind.title, "Officers trained in integrated border management");
        assert_eq!(mipaka::models::audit::last_actor(&mut c, "indicator", ind.id).unwrap().as_deref(), Some("officer"));
        assert_eq!(logframe_upload::count(&mut c).unwrap(), 0, "the stored workbook goes once imported");

        // The same workbook again: nothing to import, nothing offered.
        let (status, page) = upload(&client, &csrf, "LBP-logframe.xlsx", &bytes);
        assert_eq!(status, Status::Ok);
        assert!(page.contains("there is nothing to import"), "{page}");
        assert!(!page.contains("name=\"upload\""));
    }
}

on_both_backends! {
    fn a_commit_after_someone_changed_the_programme_is_refused(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let (bytes, _) = edited(&client, "Title from the workbook", false);
        let (status, page) = upload(&client, &csrf, "LBP-logframe.xlsx", &bytes);
        assert_eq!(status, Status::Ok, "{page}");
        let id = upload_id(&page);

        // Meanwhile a colleague renames the same indicator on the setup page.
        let mut c = db.get().unwrap();
        let p = lbp(&mut c);
        let ind = framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap();
        let results = framework::results_of(&mut c, p.id).unwrap();
        let mut f = mipaka::setup::framework::indicator_fields(&ind, &results);
        f.title = "Title from a colleague".into();
        let officer = mipaka::models::audit::Actor { user_id: None, name: "officer".into() };
        assert!(mipaka::setup::framework::save_indicator(&mut c, &officer, &p, Some((ind.id, ind.version)), &f).unwrap().done().is_some());

        let (status, location, page) = commit(&client, &csrf, &id);
        assert_eq!(status, Status::Conflict, "{location:?}");
        assert!(page.contains("changed since this file was previewed"), "{page}");
        assert!(page.contains("Changed since your preview") && page.contains("<td>officer</td>") && page.contains("LBP-OP1.1.1"), "who changed what meanwhile: {page}");
        assert!(page.contains("Nothing was imported"), "{page}");
        assert_eq!(framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap().title, "Title from a colleague");
        // Previewing again shows what the workbook would do now, and that goes ahead.
        let (status, page) = upload(&client, &csrf, "LBP-logframe.xlsx", &bytes);
        assert_eq!(status, Status::Ok);
        assert!(page.contains("Title from a colleague"), "the preview shows the colleague's title as before: {page}");
        let (status, _, _) = commit(&client, &csrf, &upload_id(&page));
        assert_eq!(status, Status::SeeOther);
        assert_eq!(framework::indicator_by_code(&mut c, p.id, "LBP-OP1.1.1").unwrap().title, "Title from the workbook");
    }
}

on_both_backends! {
    fn only_those_who_set_up_the_programme_may_upload(t) {
        let db = t.with_demo();
        for (who, status) in [("evaluator", Status::Forbidden), ("donor", Status::Forbidden), ("admin", Status::Forbidden), ("officer", Status::Ok), ("manager", Status::Ok)] {
            let client = t.client(db.clone());
            sign_in(&client, who, demo_password(who));
            assert_eq!(client.get("/programmes/LBP/logframe").dispatch().status(), status, "{who}");
        }
    }
}
