//! The administrator's audit log: filters, paging, CSV export, and bad filters
//! answered by field.

use diesel::prelude::*;
use rocket::http::Status;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in};
use mipaka::db::schema::audit_log;

on_both_backends! {
    fn the_audit_log_filters_pages_and_exports(t) {
        let db = t.with_demo();
        let client = t.client(db.clone());
        sign_in(&client, "admin", demo_password("admin"));
        for _ in 0..3 {
            let other = t.client(db.clone());
            sign_in(&other, "manager", demo_password("manager"));
        }
        let c = &mut *db.get().unwrap();
        // Enough entries for several pages.
        for i in 0..150 {
            mipaka::models::audit::record(c, mipaka::models::audit::Change {
                actor: "Probe Person",
                action: "probe_written",
                entity: "probe",
                entity_id: Some(i),
                before: Some(serde_json::json!({ "value": i })),
                after: Some(serde_json::json!({ "value": i + 1, "reason": "testing the log" })),
                detail: format!("probe {i}"),
                ..Default::default()
            }).unwrap();
        }
        let all: i64 = audit_log::table.count().get_result(c).unwrap();
        assert!(all > 100, "{all} entries");

        // The first page: 100 entries, a link to older ones, the total.
        let page = client.get("/admin/audit").dispatch().into_string().unwrap();
        assert!(page.contains(&format!("{all} entries match")), "{}", &page[..page.len().min(2000)]);
        assert_eq!(page.matches("<tr><td>").count(), 100);
        let older = page.split("href=\"").find(|s| s.contains("before=")).unwrap().split('"').next().unwrap().replace("&amp;", "&");
        let second = client.get(format!("/admin/audit{older}")).dispatch().into_string().unwrap();
        assert_eq!(second.matches("<tr><td>").count() as i64, (all - 100).min(100));
        assert!(second.contains("← Newest"));

        // Filtered by action and by who: only those, counted.
        let logins: i64 = audit_log::table.filter(audit_log::action.eq("login")).count().get_result(c).unwrap();
        assert!(logins >= 4);
        let page = client.get("/admin/audit?action=login").dispatch().into_string().unwrap();
        assert!(page.contains(&format!("{logins} entries match")), "{}", &page[..page.len().min(2000)]);
        let page = client.get("/admin/audit?action=login&who=MANA").dispatch().into_string().unwrap();
        assert!(page.contains("3 entries match"), "who is matched without case");
        let page = client.get("/admin/audit?who=probe+pers").dispatch().into_string().unwrap();
        assert!(page.contains("150 entries match"));
        assert!(page.contains("<td>value 149 → 150</td><td>testing the log</td>"), "the change in words");
        // A period of days: nothing in 2001.
        let page = client.get("/admin/audit?from=2001-01-01&to=2001-12-31").dispatch().into_string().unwrap();
        assert!(page.contains("0 entries match"));

        // The CSV holds every entry the filter selects, oldest first, with the change in words.
        let r = client.get("/admin/audit.csv?who=Probe").dispatch();
        assert_eq!(r.status(), Status::Ok);
        assert!(r.headers().get_one("Content-Disposition").unwrap().contains("mipaka-audit-"));
        let body = r.into_string().unwrap();
        let mut rows = csv::Reader::from_reader(body.as_bytes());
        assert_eq!(rows.headers().unwrap().iter().take(4).collect::<Vec<_>>(), ["id", "at_utc", "actor", "action"]);
        let ids: Vec<i64> = rows.records().map(|r| r.unwrap()[0].parse().unwrap()).collect();
        assert_eq!(ids.len(), 150);
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first");

        // A bad date is answered by field, and lists nothing.
        let r = client.get("/admin/audit?from=31%2F12%2F2026").dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        let page = r.into_string().unwrap();
        assert!(page.contains("id=\"err-from\"") && page.contains("is not a date: write it as 2026-03-31"));
        assert!(page.contains("aria-invalid=\"true\" aria-describedby=\"err-from\""));
        let r = client.get("/admin/audit.csv?to=2026-01-01&from=2026-02-01").dispatch();
        assert_eq!(r.status(), Status::UnprocessableEntity);
        assert!(r.into_string().unwrap().contains("to: the end date is before the start date"));
    }
}
