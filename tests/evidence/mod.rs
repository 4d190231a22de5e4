//! Evidence files through the pages: attach to a county's figure, a milestone and an
//! activity; download exactly the bytes with safe headers; refuse what is not evidence
//! with a message and nothing written; who may read and who may change; archiving;
//! one copy per content; the donor report's annex.

use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in, TestDb};
use mipaka::db::schema::audit_log;
use mipaka::db::Db;
use mipaka::models::{
    activity, evidence as model, framework, location, milestone, programme, user, values,
};

/// The evidence form's fields besides the file.
type Fields<'a> = Vec<(&'a str, &'a str)>;

pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

pub(crate) fn sha256(bytes: &[u8]) -> String {
    mipaka::report::text::sha256_hex(bytes)
}

/// Posts the evidence form as a browser does (multipart): `fields` then the file.
pub(crate) fn upload(
    client: &Client,
    csrf: &str,
    fields: &[(&str, &str)],
    name: &str,
    bytes: &[u8],
) -> (Status, String) {
    let boundary = "XmipakaEvidence42";
    let mut body = Vec::new();
    let mut add = |k: &str, v: &str| {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        )
    };
    add("csrf", csrf);
    for (k, v) in fields {
        add(k, v);
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
    let r = client
        .post("/programmes/LBP/evidence")
        .header(ct)
        .body(body)
        .dispatch();
    (r.status(), unescape(&r.into_string().unwrap_or_default()))
}

/// The page's text as read: the templates escape quotes and slashes.
fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A county's figure of LBP with a value in 2026Q3: (indicator code, county code, period).
pub(crate) fn figure(db: &Db) -> (String, String, String) {
    let mut c = TestDb::conn(db);
    let p = programme::by_code(&mut c, "LBP").unwrap();
    let v = values::of_period(&mut c, p.id, "2026Q3").unwrap().remove(0);
    let ind = framework::find_indicator(&mut c, p.id, v.indicator_id).unwrap();
    let county = location::counties(&mut c)
        .unwrap()
        .into_iter()
        .find(|l| l.id == v.location_id)
        .unwrap();
    (ind.code, county.code, v.period)
}

fn first_milestone_and_activity(db: &Db) -> (i32, i32) {
    let mut c = TestDb::conn(db);
    let p = programme::by_code(&mut c, "LBP").unwrap();
    (
        milestone::of_programme(&mut c, p.id).unwrap()[0].id,
        activity::of_programme(&mut c, p.id).unwrap()[0].id,
    )
}

/// (attachment rows, stored copies, audit entries): what an upload may write.
fn written(t: &TestDb, db: &Db) -> (i64, i64, i64) {
    let mut c = TestDb::conn(db);
    let rows = model::count(&mut c).unwrap();
    let blobs = if t.is_postgres() {
        model::blob_count(&mut c).unwrap()
    } else {
        mipaka::evidence::Store::from_config(&t.config).file_count() as i64
    };
    let audit: i64 = audit_log::table.count().get_result(&mut *c).unwrap();
    (rows, blobs, audit)
}

/// The newest attachment id of LBP.
fn newest(db: &Db) -> i32 {
    let mut c = TestDb::conn(db);
    let p = programme::by_code(&mut c, "LBP").unwrap();
    model::of_programme(&mut c, p.id)
        .unwrap()
        .last()
        .unwrap()
        .id
}

fn download(client: &Client, id: i32) -> (Status, Vec<(String, String)>, Vec<u8>) {
    let r = client
        .get(format!("/programmes/LBP/evidence/{id}"))
        .dispatch();
    let status = r.status();
    let headers = r
        .headers()
        .iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect();
    (status, headers, r.into_bytes().unwrap_or_default())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

on_both_backends! {
    fn a_file_attached_to_each_target_downloads_as_the_same_bytes(t) {
        let db = t.with_demo();
        let (icode, county, period) = figure(&db);
        let (m, a) = first_milestone_and_activity(&db);
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let png = [&b"\x89PNG\r\n\x1a\n"[..], &[7u8; 300][..]].concat();
        let sheet = b"county,people trained\nTurkana,31\nBusia,12\n".to_vec();
        let (ms, as_) = (m.to_string(), a.to_string());
        // (form fields, file name, bytes, served type, kept name)
        let cases: Vec<(Fields, &str, Vec<u8>, &str, &str)> = vec![
            (vec![("target", "figure"), ("indicator", &icode), ("county", &county), ("period", &period)],
             "attendance register.pdf", PDF.to_vec(), "application/pdf", "attendance register.pdf"),
            (vec![("target", "milestone"), ("milestone", &ms)], "photo.pdf", png.clone(), "image/png", "photo.png"),
            (vec![("target", "activity"), ("activity", &as_)], "trained", sheet.clone(), "text/csv", "trained.csv"),
        ];
        for (fields, name, bytes, media, stored) in cases {
            let (status, _) = upload(&client, &csrf, &fields, name, &bytes);
            assert_eq!(status, Status::SeeOther, "{name} attached");
            let id = newest(&db);
            let (status, headers, got) = download(&client, id);
            assert_eq!(status, Status::Ok);
            assert!(got == bytes, "{name}: the download is the bytes uploaded");
            assert!(header(&headers, "Content-Type").starts_with(media), "{name}: {headers:?}");
            assert_eq!(header(&headers, "X-Content-Type-Options"), "nosniff");
            let disposition = header(&headers, "Content-Disposition");
            assert!(disposition.starts_with(&format!("attachment; filename=\"{stored}\"")), "{disposition}");
            let mut c = TestDb::conn(&db);
            let p = programme::by_code(&mut c, "LBP").unwrap();
            let row = model::find(&mut c, p.id, id).unwrap();
            assert_eq!(row.sha256, sha256(&bytes));
            assert_eq!(row.size_bytes, bytes.len() as i64);
            assert_eq!(row.file_name, stored);
        }
        // Each is listed where its target is shown, with who and the short hash.
        let page = client.get(format!("/programmes/LBP/indicators/{icode}")).dispatch().into_string().unwrap();
        assert!(page.contains("attendance register.pdf") && page.contains(&sha256(PDF)[..12]), "indicator page lists it");
        assert!(page.contains("Amina Hassan"), "and who uploaded it");
        let page = client.get(format!("/programmes/LBP/milestones/{m}/evidence")).dispatch().into_string().unwrap();
        assert!(page.contains("photo.png") && page.contains("PNG image"));
        let page = client.get(format!("/programmes/LBP/activities/{a}/evidence")).dispatch().into_string().unwrap();
        assert!(page.contains("trained.csv"));
        // Audited: who, what, and the hash.
        let mut c = TestDb::conn(&db);
        let entries: Vec<(String, Option<String>)> = audit_log::table
            .filter(audit_log::action.eq("evidence_attached"))
            .select((audit_log::actor, audit_log::after_json))
            .load(&mut *c)
            .unwrap();
        assert_eq!(entries.len(), 3);
        assert!(entries.iter().all(|(who, _)| who == "manager"));
        assert!(entries.iter().any(|(_, after)| after.as_deref().unwrap().contains(&sha256(PDF))));
    }
}

on_both_backends! {
    fn what_is_not_evidence_is_refused_with_a_message_and_nothing_written(t) {
        let mut t = t;
        t.config.evidence_max_mb = 1;
        let db = t.with_demo();
        let (icode, county, period) = figure(&db);
        let (m, _) = first_milestone_and_activity(&db);
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let fig = [("target", "figure"), ("indicator", icode.as_str()), ("county", county.as_str()), ("period", period.as_str())];
        let big = [PDF, &vec![b'x'; 1024 * 1024][..]].concat();
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0".to_vec();
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0PE\0\0".to_vec();
        let ms = m.to_string();
        // (form fields, file name, bytes, status, message)
        let cases: Vec<(Fields, &str, Vec<u8>, u16, &str)> = vec![
            (fig.to_vec(), "report.pdf", big, 413, "larger than the 1.0 MB"),
            (fig.to_vec(), "report.pdf", elf, 422, "a Linux program (ELF)"),
            (fig.to_vec(), "invoice.pdf", exe, 422, "a Windows program (MZ/PE)"),
            (fig.to_vec(), "empty.pdf", Vec::new(), 422, "the file is empty"),
            (vec![("target", "milestone"), ("milestone", "999999")], "a.pdf", PDF.to_vec(), 422, "LBP has no milestone number 999999"),
            (vec![("target", "activity"), ("activity", "abc")], "a.pdf", PDF.to_vec(), 422, "'abc' is not an activity number"),
            (vec![("target", "budget")], "a.pdf", PDF.to_vec(), 422, "'budget' is not something evidence can be attached to"),
            (vec![("target", "figure"), ("indicator", "NOPE-9"), ("county", county.as_str()), ("period", period.as_str())], "a.pdf", PDF.to_vec(), 422, "LBP has no indicator with the code 'NOPE-9'"),
            (vec![("target", "figure"), ("indicator", icode.as_str()), ("county", "999"), ("period", period.as_str())], "a.pdf", PDF.to_vec(), 422, "'999' is not a county"),
            (vec![("target", "figure"), ("indicator", icode.as_str()), ("county", county.as_str()), ("period", "1990Q1")], "a.pdf", PDF.to_vec(), 422, "outside the programme"),
            (vec![("target", "milestone"), ("milestone", ms.as_str())], "a.pdf", PDF.to_vec(), 303, ""),
        ];
        for (fields, name, bytes, code, message) in cases {
            let before = written(&t, &db);
            let (status, page) = upload(&client, &csrf, &fields, name, &bytes);
            assert_eq!(status.code, code, "{fields:?} {name}: {page}");
            if code == 303 {
                assert_eq!(written(&t, &db).0, before.0 + 1, "a good file is written");
                continue;
            }
            assert!(page.contains(message), "{name}: expected {message:?} in the page");
            assert!(page.contains("Nothing was attached"), "{name}: says nothing changed");
            assert_eq!(written(&t, &db), before, "{name}: no row, no stored copy, no audit entry");
        }
        // The figure's refusals are told on the indicator page, beside its form.
        let (_, page) = upload(&client, &csrf, &fig, "x.pdf", b"\x7fELF");
        assert!(page.contains("id=\"evidence-error\"") && page.contains(&icode));
        // No temporary file is left behind either.
        if !t.is_postgres() {
            let tmp = t.config.data_dir.join("evidence").join("tmp");
            let left = std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0);
            assert_eq!(left, 0, "temporary files left in {}", tmp.display());
        }
    }
}

on_both_backends! {
    fn the_same_file_is_kept_once_and_attached_once_per_thing(t) {
        let db = t.with_demo();
        let (icode, county, period) = figure(&db);
        let (m, a) = first_milestone_and_activity(&db);
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let before = written(&t, &db);
        let (ms, as_) = (m.to_string(), a.to_string());
        let (s1, _) = upload(&client, &csrf, &[("target", "milestone"), ("milestone", &ms)], "minutes.pdf", PDF);
        let (s2, _) = upload(&client, &csrf, &[("target", "activity"), ("activity", &as_)], "minutes copy.pdf", PDF);
        let (s3, _) = upload(&client, &csrf, &[("target", "figure"), ("indicator", &icode), ("county", &county), ("period", &period)], "same.pdf", PDF);
        assert_eq!((s1, s2, s3), (Status::SeeOther, Status::SeeOther, Status::SeeOther));
        let after = written(&t, &db);
        assert_eq!(after.0, before.0 + 3, "three attachments");
        assert_eq!(after.1, before.1 + 1, "one stored copy");
        // The same file again on the same milestone: refused, nothing written.
        let (status, page) = upload(&client, &csrf, &[("target", "milestone"), ("milestone", &ms)], "again.pdf", PDF);
        assert_eq!(status, Status::Conflict);
        assert!(page.contains("already attached") && page.contains("minutes.pdf"), "{page}");
        assert_eq!(written(&t, &db), after);
        if !t.is_postgres() {
            let sha = sha256(PDF);
            let path = t.config.data_dir.join("evidence").join(&sha[..2]).join(&sha);
            assert_eq!(std::fs::read(&path).unwrap(), PDF, "kept under data/evidence/ab/abcd…");
        }
    }
}

on_both_backends! {
    fn those_who_may_read_the_figure_download_and_only_managers_change(t) {
        let db = t.with_demo();
        let (icode, county, period) = figure(&db);
        {
            let mut c = TestDb::conn(&db);
            let u = user::create(&mut c, &user::NewAccount { username: "dw-donor", display_name: "DW donor", email: "", password: "dw-donor-password", is_admin: false }).unwrap();
            user::grant_role(&mut c, u.id, "DW", "donor").unwrap();
            user::create(&mut c, &user::NewAccount { username: "nobody", display_name: "No role", email: "", password: "nobody-password", is_admin: false }).unwrap();
        }
        let manager = t.client(db.clone());
        let csrf = sign_in(&manager, "manager", demo_password("manager"));
        let fig = [("target", "figure"), ("indicator", icode.as_str()), ("county", county.as_str()), ("period", period.as_str())];
        assert_eq!(upload(&manager, &csrf, &fig, "register.pdf", PDF).0, Status::SeeOther);
        let id = newest(&db);
        for (who, password, read, change) in [
            ("officer", demo_password("officer"), 200, 403),
            ("evaluator", demo_password("evaluator"), 200, 403),
            ("admin", demo_password("admin"), 200, 403),
            ("donor", demo_password("donor"), 403, 403),
            ("dw-donor", "dw-donor-password", 404, 404),
            ("nobody", "nobody-password", 404, 404),
        ] {
            let client = t.client(db.clone());
            let csrf = sign_in(&client, who, password);
            let (status, _, bytes) = download(&client, id);
            assert_eq!(status.code, read, "{who} downloads");
            if read == 200 {
                assert!(bytes == PDF);
            } else {
                assert!(!bytes.windows(5).any(|w| w == b"%PDF-"), "{who} gets no file");
            }
            let before = written(&t, &db);
            assert_eq!(upload(&client, &csrf, &fig, "mine.pdf", b"%PDF-1.4 mine").0.code, change, "{who} uploads");
            let r = client.post(format!("/programmes/LBP/evidence/{id}/archive")).header(ContentType::Form).body(format!("csrf={csrf}&reason=mine")).dispatch();
            assert_eq!(r.status().code, change, "{who} archives");
            assert_eq!(written(&t, &db), before, "{who} changed nothing");
        }
        // Not signed in: to the sign-in page.
        let anonymous = t.client(db.clone());
        let r = anonymous.get(format!("/programmes/LBP/evidence/{id}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        assert!(r.headers().get_one("Location").unwrap().starts_with("/login"));
        // A donor's dashboard offers no evidence link (they could not open it).
        let donor = t.client(db.clone());
        sign_in(&donor, "donor", demo_password("donor"));
        let page = donor.get("/programmes/LBP").dispatch().into_string().unwrap();
        assert!(!page.contains("/evidence"), "no evidence links for donors");
    }
}

on_both_backends! {
    fn archived_files_leave_the_list_but_stay_downloadable_and_audited(t) {
        let db = t.with_demo();
        let (m, _) = first_milestone_and_activity(&db);
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let ms = m.to_string();
        assert_eq!(upload(&client, &csrf, &[("target", "milestone"), ("milestone", &ms)], "wrong county.pdf", PDF).0, Status::SeeOther);
        let id = newest(&db);
        let page_url = format!("/programmes/LBP/milestones/{m}/evidence");
        // A reason is needed.
        let r = client.post(format!("/programmes/LBP/evidence/{id}/archive")).header(ContentType::Form).body(format!("csrf={csrf}&reason=")).dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("say why the file is archived"));
        let r = client.post(format!("/programmes/LBP/evidence/{id}/archive")).header(ContentType::Form).body(format!("csrf={csrf}&reason=Belongs+to+Wajir")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        assert_eq!(r.headers().get_one("Location"), Some(page_url.as_str()));
        let page = client.get(&page_url).dispatch().into_string().unwrap();
        let current = &page[page.find("id=\"evidence\"").unwrap()..page.find("Archived files").expect("an archived list")];
        assert!(!current.contains("wrong county.pdf"), "not in the current list");
        assert!(page.contains("Belongs to Wajir"), "the archived list says why");
        let (status, _, bytes) = download(&client, id);
        assert_eq!(status, Status::Ok);
        assert!(bytes == PDF, "still downloadable");
        // Twice is refused; the audit has who, before and after.
        let r = client.post(format!("/programmes/LBP/evidence/{id}/archive")).header(ContentType::Form).body(format!("csrf={csrf}&reason=again")).dispatch();
        assert_eq!(r.status(), Status::Conflict);
        let mut c = TestDb::conn(&db);
        let (who, before, after): (String, Option<String>, Option<String>) = audit_log::table
            .filter(audit_log::action.eq("evidence_archived"))
            .select((audit_log::actor, audit_log::before_json, audit_log::after_json))
            .first(&mut *c)
            .unwrap();
        assert_eq!(who, "manager");
        assert!(before.unwrap().contains("\"archived\":false"));
        let after = after.unwrap();
        assert!(after.contains("\"archived\":true") && after.contains("Belongs to Wajir"), "{after}");
        // The bytes are never removed.
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let row = model::find(&mut c, p.id, id).unwrap();
        assert!(row.archived && row.archived_at.is_some());
        drop(c);
        let mut c = TestDb::conn(&db);
        assert_eq!(mipaka::evidence::read(&mut c, &mipaka::evidence::Store::from_config(&t.config), &row).unwrap(), PDF);
    }
}

on_both_backends! {
    fn the_donor_reports_annex_lists_the_periods_evidence(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        // A 2026Q2 figure of LBP.
        let (icode, county) = {
            let mut c = TestDb::conn(&db);
            let p = programme::by_code(&mut c, "LBP").unwrap();
            let v = values::of_period(&mut c, p.id, "2026Q2").unwrap().remove(0);
            let ind = framework::find_indicator(&mut c, p.id, v.indicator_id).unwrap();
            let county = location::counties(&mut c).unwrap().into_iter().find(|l| l.id == v.location_id).unwrap();
            (ind.code, county.code)
        };
        let fig = [("target", "figure"), ("indicator", icode.as_str()), ("county", county.as_str()), ("period", "2026Q2")];
        assert_eq!(upload(&client, &csrf, &fig, "Nadapal patrol log.pdf", PDF).0, Status::SeeOther);
        let other = [("target", "figure"), ("indicator", icode.as_str()), ("county", county.as_str()), ("period", "2026Q3")];
        assert_eq!(upload(&client, &csrf, &other, "next quarter.pdf", b"%PDF-1.4 later").0, Status::SeeOther);
        let mut c = TestDb::conn(&db);
        let p = programme::by_code(&mut c, "LBP").unwrap();
        let q = mipaka::domain::period::Period::parse("2026Q2").unwrap();
        let (_, bytes) = mipaka::report::issue::draft(&mut c, &mipaka::report::issue::Subject::Donor(p), q).unwrap();
        crate::reports::assert_valid_pdf(&bytes);
        let Some(flow) = crate::reports::pdf_flow(&bytes) else { return };
        let annex = &flow[flow.rfind("Annex: evidence").expect("an evidence annex")..];
        assert!(annex.contains("Nadapal patrol log.pdf"), "the file name: {annex}");
        assert!(annex.contains(&format!("SHA-256 {}", sha256(PDF))), "the whole SHA-256 on one line: {annex}");
        assert!(annex.contains(&format!("{icode} · ")), "what it backs");
        assert!(!annex.contains("next quarter.pdf"), "another period's evidence is not listed");
    }
}
