//! The grid in the browser's terms: errors beside the field with what was typed kept,
//! the conflict page instead of an overwrite, and the review buttons.

use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in, urlencode};
use mipaka::domain::period::Period;
use mipaka::entry::{CellKey, EntryContext};
use mipaka::models::{framework, programme};

const PERIOD: &str = "2026Q4";

/// A count indicator's total cell in the first county, and its previous value.
fn target_cell(db: &mipaka::db::Db) -> (String, f64) {
    let c = &mut *db.get().unwrap();
    let p = programme::by_code(c, "LBP").unwrap();
    let ind = framework::indicators_of(c, p.id)
        .unwrap()
        .into_iter()
        .find(|i| i.unit == "count" && i.disaggregations.is_empty())
        .unwrap();
    let ctx = EntryContext::load(c, p, Period::parse(PERIOD).unwrap()).unwrap();
    let key = CellKey {
        indicator_id: ind.id,
        location_id: ctx.counties()[0].id,
        disaggregation: String::new(),
    };
    let prev = ctx.previous.get(&key).copied().unwrap_or(10.0);
    (key.code(), prev)
}

fn post_grid(
    client: &Client,
    csrf: &str,
    fields: &[(String, String)],
) -> (Status, String, Option<String>) {
    let mut body = format!("csrf={csrf}");
    for (k, v) in fields {
        body.push_str(&format!("&{}={}", urlencode(k), urlencode(v)));
    }
    let r = client
        .post(format!("/programmes/LBP/entry?period={PERIOD}&county=all"))
        .header(ContentType::Form)
        .body(body)
        .dispatch();
    let loc = r.headers().get_one("Location").map(str::to_string);
    (r.status(), r.into_string().unwrap_or_default(), loc)
}

on_both_backends! {
    fn the_grid_keeps_what_was_typed_and_shows_the_error_beside_it(t) {
        let db = t.with_demo();
        let (code, prev) = target_cell(&db);
        let client = t.client(db);
        let csrf = sign_in(&client, "manager", demo_password("manager"));
        let page = client.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch();
        assert_eq!(page.status(), Status::Ok);
        let page = page.into_string().unwrap();
        assert!(page.contains(&format!("name=\"v:{code}\"")), "the grid has the cell");
        // 154 cells, each input with its id, label and error link target, in one table
        // of indicators × counties: 55 KB of HTML, 6.6 KB gzipped on the wire (measured
        // with curl; 68 KB as a stack of per-indicator tables).
        assert!(page.len() < 60_000, "grid page is {} bytes", page.len());

        let (status, page, _) = post_grid(&client, &csrf, &[(format!("v:{code}"), "3.5".into())]);
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains("Nothing was saved"));
        assert!(page.contains("whole number"), "the unit rule is explained");
        assert!(page.contains("value=\"3.5\""), "what was typed is kept");
        // The banner names the cell and links to it; the error is tied to its input.
        let county = page[page.find(&format!("name=\"v:{code}\"")).unwrap()..].split("aria-label=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let place = county.trim_end_matches(" Total");
        assert!(page.contains(&format!("<li><a href=\"#v-{code}\">{place}: ")), "banner names and links the cell: {place}");
        assert!(page.contains(&format!("id=\"v-{code}\" value=\"3.5\" inputmode=\"decimal\" aria-label=")));
        assert!(page.contains(&format!("aria-invalid=\"true\" aria-describedby=\"e-{code}\"")));
        assert!(page.contains(&format!("<span class=\"fielderr\" id=\"e-{code}\">")));
        // Comment boxes are named by indicator and county, not just "comment".
        assert!(!page.contains("aria-label=\"comment\""));
        assert!(page.contains(&format!("id=\"c-{code}\" value=\"\" placeholder=\"comment\" aria-label=\"Comment on {}", county.trim())));

        let good = format!("{}", prev.round());
        let (status, _, loc) = post_grid(&client, &csrf, &[(format!("v:{code}"), good.clone())]);
        assert_eq!(status, Status::SeeOther);
        let page = client.get(loc.unwrap()).dispatch().into_string().unwrap();
        assert!(page.contains("Saved 1 value(s)"), "flash says what happened");
        assert!(page.contains(&format!("value=\"{good}\"")));
    }
}

on_both_backends! {
    fn two_people_editing_one_value_get_the_conflict_page_not_an_overwrite(t) {
        let db = t.with_demo();
        let (code, prev) = target_cell(&db);
        let first = format!("{}", prev.round());
        let second = format!("{}", prev.round() + 1.0);
        let a = t.client(db.clone());
        let b = t.client(db.clone());
        let csrf_a = sign_in(&a, "manager", demo_password("manager"));
        // A second manager of the programme.
        {
            let c = &mut *db.get().unwrap();
            let u = mipaka::models::user::create(c, &mipaka::models::user::NewAccount { username: "second", display_name: "Second Manager", email: "", password: "second-manager-pw", is_admin: false }).unwrap();
            mipaka::models::user::grant_role(c, u.id, "LBP", "manager").unwrap();
        }
        let csrf_b = sign_in(&b, "second", "second-manager-pw");
        // Both load the empty cell; A saves first.
        assert_eq!(post_grid(&a, &csrf_a, &[(format!("v:{code}"), first.clone())]).0, Status::SeeOther);
        let (status, page, _) = post_grid(&b, &csrf_b, &[(format!("v:{code}"), second.clone())]);
        assert_eq!(status, Status::Conflict);
        assert!(page.contains("someone else changed"), "conflict explained");
        assert!(page.contains("Amina Hassan"), "says who changed it");
        assert!(page.contains(&format!("name=\"pick:{code}\"")), "offers the choice");
        // Nothing of B's was written.
        let grid = a.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch().into_string().unwrap();
        assert!(grid.contains(&format!("value=\"{first}\"")));
        // B chooses theirs (keeping A's), and nothing changes.
        let fields = [(format!("v:{code}"), second.clone()), (format!("b:{code}"), "1".into()), (format!("r:{code}"), "1".into()), (format!("pick:{code}"), "theirs".into())];
        assert_eq!(post_grid(&b, &csrf_b, &fields).0, Status::SeeOther);
        let grid = a.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch().into_string().unwrap();
        assert!(grid.contains(&format!("value=\"{first}\"")));
    }
}

on_both_backends! {
    fn the_officer_approves_and_the_period_locks(t) {
        let db = t.with_demo();
        let (code, prev) = target_cell(&db);
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        let fields = [(format!("v:{code}"), format!("{}", prev.round())), ("action".to_string(), "submit".to_string())];
        let (status, _, loc) = post_grid(&m, &mc, &fields);
        assert_eq!(status, Status::SeeOther);
        let page = m.get(loc.unwrap()).dispatch().into_string().unwrap();
        assert!(page.contains("Submitted 1 value(s) for approval"), "{}", &page[..page.len().min(3000)]);

        let o = t.client(db.clone());
        let oc = sign_in(&o, "officer", demo_password("officer"));
        let review = o.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch().into_string().unwrap();
        assert!(review.contains("Approve and lock"));
        assert!(!review.contains(&format!("name=\"v:{code}\"")), "officers review, they do not type values");
        let r = o.post(format!("/programmes/LBP/periods/{PERIOD}/approve")).header(ContentType::Form).body(format!("csrf={oc}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let page = o.get(r.headers().get_one("Location").unwrap().to_string()).dispatch().into_string().unwrap();
        assert!(page.contains("is now locked"));
        assert!(page.contains("Approved and locked"));
        assert!(page.contains("Unlock period"));

        // The manager's grid is read-only now.
        let grid = m.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch().into_string().unwrap();
        assert!(grid.contains("Approved and locked"));
        assert!(!grid.contains(&format!("name=\"v:{code}\"")));
        // Unlocking without a reason is refused; with one it goes through.
        let r = o.post(format!("/programmes/LBP/periods/{PERIOD}/unlock")).header(ContentType::Form).body(format!("csrf={oc}&reason=")).dispatch();
        let page = o.get(r.headers().get_one("Location").unwrap().to_string()).dispatch().into_string().unwrap();
        assert!(page.contains("Nothing changed"));
        let r = o.post(format!("/programmes/LBP/periods/{PERIOD}/unlock")).header(ContentType::Form).body(format!("csrf={oc}&reason=Wajir+office+correction")).dispatch();
        let page = o.get(r.headers().get_one("Location").unwrap().to_string()).dispatch().into_string().unwrap();
        assert!(page.contains("is unlocked"));
        // Both see why it was unlocked, beside the grid.
        assert!(page.contains("“Wajir office correction”"), "the reason beside the grid");
        let grid = m.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch().into_string().unwrap();
        assert!(grid.contains("<strong>Unlocked</strong>") && grid.contains("“Wajir office correction”"));
        // Nothing changed since: the officer locks it again as it is, not "approve".
        assert!(page.contains(&format!("Lock {PERIOD} again, unchanged")));
        assert!(!page.contains("Approve and lock"), "nothing is waiting for approval");
        let r = o.post(format!("/programmes/LBP/periods/{PERIOD}/relock")).header(ContentType::Form).body(format!("csrf={oc}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let page = o.get(r.headers().get_one("Location").unwrap().to_string()).dispatch().into_string().unwrap();
        assert!(page.contains("is locked as approved"), "{}", &page[..page.len().min(3000)]);
        assert!(page.contains("Approved and locked") && page.contains("Unlock period"));
        // The manager cannot re-lock.
        let r = m.post(format!("/programmes/LBP/periods/{PERIOD}/relock")).header(ContentType::Form).body(format!("csrf={mc}")).dispatch();
        assert_eq!(r.status(), Status::Forbidden);
    }
}

on_both_backends! {
    fn the_manager_reads_the_return_reason_beside_the_grid(t) {
        let db = t.with_demo();
        let (code, prev) = target_cell(&db);
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        let fields = [(format!("v:{code}"), format!("{}", prev.round())), ("action".to_string(), "submit".to_string())];
        assert_eq!(post_grid(&m, &mc, &fields).0, Status::SeeOther);
        let o = t.client(db.clone());
        let oc = sign_in(&o, "officer", demo_password("officer"));
        let r = o.post(format!("/programmes/LBP/periods/{PERIOD}/return")).header(ContentType::Form).body(format!("csrf={oc}&reason=Turkana+figure+counts+October+twice")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let grid = m.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch().into_string().unwrap();
        assert!(grid.contains("<strong>Returned</strong> by "), "{}", &grid[..grid.len().min(3000)]);
        assert!(grid.contains("(1 value): “Turkana figure counts October twice”"));

        // The indicator's history says it in words: who, county and period, from → to, why.
        let (icode, county) = {
            let c = &mut *db.get().unwrap();
            let p = programme::by_code(c, "LBP").unwrap();
            let ind = framework::indicators_of(c, p.id).unwrap().into_iter().find(|i| i.unit == "count" && i.disaggregations.is_empty()).unwrap();
            let ctx = EntryContext::load(c, p, Period::parse(PERIOD).unwrap()).unwrap();
            (ind.code, ctx.counties()[0].name.clone())
        };
        let page = m.get(format!("/programmes/LBP/indicators/{icode}")).dispatch().into_string().unwrap();
        let history = &page[page.find("<h2>Recent changes</h2>").expect("history")..];
        assert!(history.contains(&format!("{county} {PERIOD}")), "names the county: {history}");
        assert!(history.contains("status submitted → returned"), "{history}");
        assert!(history.contains("<td>Turkana figure counts October twice</td>"), "{history}");
        assert!(history.contains("<td>returned</td>") && history.contains("<td>submitted</td>"));
        assert!(!history.contains("{&quot;") && !history.contains("{\""), "no JSON: {history}");
    }
}

on_both_backends! {
    fn a_period_approved_but_never_locked_can_be_locked_as_it_is(t) {
        // The demonstration quarters are seeded approved and unlocked: "approve" would
        // find nothing submitted, so the officer is offered the lock itself.
        let db = t.with_demo();
        let o = t.client(db.clone());
        let oc = sign_in(&o, "officer", demo_password("officer"));
        let page = o.get("/programmes/LBP/entry?period=2026Q1&county=all").dispatch().into_string().unwrap();
        assert!(page.contains("Lock 2026Q1: every value is approved"), "{}", &page[..page.len().min(3000)]);
        assert!(!page.contains("Approve and lock"));
        let r = o.post("/programmes/LBP/periods/2026Q1/relock").header(ContentType::Form).body(format!("csrf={oc}")).dispatch();
        let page = o.get(r.headers().get_one("Location").unwrap().to_string()).dispatch().into_string().unwrap();
        assert!(page.contains("is locked as approved") && page.contains("Approved and locked"));
        let c = &mut *db.get().unwrap();
        use diesel::prelude::*;
        use mipaka::db::schema::audit_log;
        let last: String = audit_log::table.order(audit_log::id.desc()).select(audit_log::action).first(c).unwrap();
        assert_eq!(last, "period_locked");
    }
}

/// The "Waiting for you" list of a signed-in home page, as text, and its links.
fn waiting(client: &Client) -> (String, Vec<String>) {
    let page = client.get("/").dispatch().into_string().unwrap();
    let Some(at) = page.find("<h2 id=\"waiting-h\">") else {
        return (String::new(), Vec::new());
    };
    let section = &page[at..page[at..].find("</section>").map_or(page.len(), |e| at + e)];
    let links = section
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&").replace("&#x2F;", "/"))
        .collect();
    (section.replace("&amp;", "&").replace("&#x2F;", "/"), links)
}

on_both_backends! {
    fn waiting_for_you_follows_the_workflow_for_each_role(t) {
        let db = t.with_demo();
        let (code, prev) = target_cell(&db);
        let m = t.client(db.clone());
        let mc = sign_in(&m, "manager", demo_password("manager"));
        let o = t.client(db.clone());
        let oc = sign_in(&o, "officer", demo_password("officer"));
        // Every item links to a page its reader may open.
        for client in [&m, &o] {
            let (_, links) = waiting(client);
            assert!(!links.is_empty());
            for href in links {
                // The fragment stays in the browser.
                let path = href.split('#').next().unwrap().to_string();
                let status = client.get(path).dispatch().status();
                assert!(status.code < 400, "{href} answers {status}");
            }
        }
        // A draft the manager has not submitted is the manager's to do.
        let fields = [(format!("v:{code}"), format!("{}", prev.round()))];
        assert_eq!(post_grid(&m, &mc, &fields).0, Status::SeeOther);
        let (text, _) = waiting(&m);
        assert!(text.contains(&format!("{PERIOD}: 1 draft value not yet submitted for approval")), "{text}");
        // Submitted: now the officer's.
        let fields = [(format!("v:{code}"), format!("{}", prev.round())), ("action".to_string(), "submit".to_string())];
        assert_eq!(post_grid(&m, &mc, &fields).0, Status::SeeOther);
        let (text, links) = waiting(&o);
        assert!(text.contains(&format!("{PERIOD}: 1 value submitted, awaiting your approval")), "{text}");
        assert!(links.contains(&format!("/programmes/LBP/entry?period={PERIOD}&county=all")));
        assert!(!waiting(&m).0.contains("awaiting your approval"), "not the manager's step");
        // Returned with a reason: back to the manager, who reads why.
        let r = o.post(format!("/programmes/LBP/periods/{PERIOD}/return")).header(ContentType::Form).body(format!("csrf={oc}&reason=Recount+the+Busia+register")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let (text, _) = waiting(&m);
        assert!(text.contains(&format!("{PERIOD}: 1 value returned for correction: “Recount the Busia register”")), "{text}");
        // Resubmitted and approved: the period locks, and its report is ready to issue.
        assert_eq!(post_grid(&m, &mc, &fields).0, Status::SeeOther);
        let r = o.post(format!("/programmes/LBP/periods/{PERIOD}/approve")).header(ContentType::Form).body(format!("csrf={oc}")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        let (text, _) = waiting(&m);
        assert!(!text.contains(&format!("{PERIOD}: 1 value")), "{text}");
        assert!(text.contains(&format!("{PERIOD}: approved and locked; its progress report is ready to issue")), "{text}");
        // Unlocked: both see it until it is locked again.
        let r = o.post(format!("/programmes/LBP/periods/{PERIOD}/unlock")).header(ContentType::Form).body(format!("csrf={oc}&reason=Busia+recount")).dispatch();
        assert_eq!(r.status(), Status::SeeOther);
        for client in [&m, &o] {
            let (text, _) = waiting(client);
            assert!(text.contains("(“Busia recount”) and not yet locked again"), "{text}");
        }
    }
}

on_both_backends! {
    fn yes_no_is_a_choice_and_the_read_only_grid_reads_like_the_other_pages(t) {
        let db = t.with_demo();
        let m = t.client(db.clone());
        sign_in(&m, "manager", demo_password("manager"));
        let page = m.get("/programmes/LBP/entry?period=2026Q1&county=all").dispatch().into_string().unwrap();
        assert!(page.contains("<option value=\"1\" selected>Yes</option>"), "a yes/no cell is a choice");
        let o = t.client(db.clone());
        sign_in(&o, "officer", demo_password("officer"));
        let page = o.get("/programmes/LBP/entry?period=2026Q1&county=all").dispatch().into_string().unwrap();
        // Formatted as on the dashboard: "Yes" and "48.2%", not 1 and 48.2.
        // The indicator's row, then its first county's cell: the value in bold.
        let first_value = |code: &str| {
            let row = &page[page.find(&format!("<strong>{code}</strong>")).expect(code)..];
            let cell = row.split("<td data-k=").nth(1).unwrap();
            cell.split("<b>").nth(1).unwrap().split("</b>").next().unwrap().trim().to_string()
        };
        let first = first_value("LBP-OP1.2.1");
        assert!(first == "Yes" || first == "No" || first == "—", "{first}");
        let first = first_value("LBP-0.2");
        assert!(first.ends_with('%') || first == "—", "{first}");
    }
}

on_both_backends! {
    fn the_grid_labels_programme_totals_and_shows_a_countys_own_milestone_in_its_cell(t) {
        let db = t.with_demo();
        let (code, _) = target_cell(&db);
        // A milestone set for the first county only (the demo sets none per county).
        let (county, other) = {
            let c = &mut *db.get().unwrap();
            let p = programme::by_code(c, "LBP").unwrap();
            let ctx = EntryContext::load(c, p, Period::parse(PERIOD).unwrap()).unwrap();
            let key = CellKey::parse(&code).unwrap();
            let q = Period::parse(PERIOD).unwrap();
            mipaka::models::values::insert_targets(c, &[mipaka::models::values::NewTarget { indicator_id: key.indicator_id, period: PERIOD.into(), period_start: q.start(), period_end: q.end(), value: 417.0, location_id: Some(key.location_id), disaggregation: String::new() }]).unwrap();
            (ctx.counties()[0].clone(), ctx.counties()[1].clone())
        };
        let client = t.client(db);
        sign_in(&client, "manager", demo_password("manager"));
        let cell_of = |page: &str, code: &str| {
            let at = page.find(&format!("name=\"v:{code}\"")).expect("the cell");
            let start = page[..at].rfind("<td").unwrap();
            page[start..at + page[at..].find("</td>").unwrap()].to_string()
        };
        let key = CellKey::parse(&code).unwrap();
        let other_code = CellKey { location_id: other.id, ..key.clone() }.code();
        for view in ["all", county.code.as_str()] {
            let page = client.get(format!("/programmes/LBP/entry?period={PERIOD}&county={view}")).dispatch().into_string().unwrap();
            // The baseline and milestone above the row are the programme's, and say so.
            assert!(page.contains("programme total: baseline "), "{view}");
            assert!(page.contains(&format!(", {PERIOD} milestone ")), "{view}");
            // The county's own milestone is in its cell, and in no other county's.
            assert!(cell_of(&page, &code).contains("milestone 417"), "{view}: {}", cell_of(&page, &code));
            if view == "all" {
                assert!(!cell_of(&page, &other_code).contains("milestone"), "{}", cell_of(&page, &other_code));
                // Counties across: a column per county, the indicator first.
                let head = &page[page.find("<thead>").unwrap()..page.find("</thead>").unwrap()];
                assert!(head.contains(&format!("<th scope=\"col\">Indicator</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>", county.name, other.name)), "{head}");
            } else {
                assert!(!page.contains(&format!("name=\"v:{other_code}\"")), "one county only");
                assert!(page.contains(&format!("<strong aria-current=\"page\">{}</strong>", county.name)));
            }
        }
        // A percentage is typed beside its "%".
        let page = client.get(format!("/programmes/LBP/entry?period={PERIOD}&county=all")).dispatch().into_string().unwrap();
        let pct = &page[page.find("<strong>LBP-0.2</strong>").unwrap()..];
        let input = &pct[pct.find("<input name=\"v:").unwrap()..];
        assert!(input[..input.find("<small>").unwrap()].contains(">%"), "{}", &input[..300]);
    }
}
