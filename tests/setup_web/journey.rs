//! An empty deployment: the administrator creates a programme naming its manager, and
//! the manager builds phases, partners, a category, the framework, indicators, targets
//! and a budget through the setup forms.

use diesel::prelude::*;
use rocket::http::Status;

use super::{get, notice, post, saved};
use crate::on_both_backends;
use crate::support::sign_in;
use mipaka::db::schema::{audit_log, indicator_targets, phases, programmes};
use mipaka::models::{framework, programme, user};

fn account(c: &mut mipaka::db::DbConn, username: &str, name: &str, admin: bool) -> i32 {
    user::create(
        c,
        &user::NewAccount {
            username,
            display_name: name,
            email: "",
            password: "a-long-password",
            is_admin: admin,
        },
    )
    .unwrap()
    .id
}

on_both_backends! {
    fn an_administrator_creates_a_programme_and_its_manager_builds_it(t) {
        let db = t.prepare();
        let manager_id = {
            let c = &mut *db.get().unwrap();
            account(c, "root", "First Administrator", true);
            account(c, "wanjiru", "Wanjiru Kamau", false)
        };

        // The administrator, on an empty deployment, is offered the creation form.
        let admin = t.client(db.clone());
        let ac = sign_in(&admin, "root", "a-long-password");
        let (_, home) = get(&admin, "/");
        assert!(home.contains("Create a programme") && home.contains("href=\"/programmes/new\""), "home offers creation");
        assert!(home.contains("mipaka seed --demo"), "the demo stays a secondary hint");
        let (status, form) = get(&admin, "/programmes/new");
        assert_eq!(status, Status::Ok);
        assert!(form.contains("Wanjiru Kamau (wanjiru)"), "active users offered as first manager");
        let (_, menu) = get(&admin, "/admin/programmes");
        assert!(menu.contains("href=\"/admin/programmes\""), "in the administrator's menu");

        // Wrong fields: each named, what was typed kept, nothing created.
        let mid = manager_id.to_string();
        let mut fields = vec![
            ("code", "BSP"), ("name", "Border Security Programme"), ("short_name", "BSP"),
            ("description", "Kenya–UK Border Security MoU, first phase"), ("funder", "UK FCDO"),
            ("currency", "KSH"), ("start_date", "2025-07-01"), ("end_date", "2025-01-01"),
            ("reporting_frequency", "quarterly"), ("manager", mid.as_str()),
        ];
        let a = post(&admin, "/admin/programmes", &ac, &fields);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("'KSH' is not an ISO 4217 currency code"), "{}", notice(&a.page));
        assert!(a.page.contains("the programme ends before it starts"));
        assert!(a.page.contains("value=\"Border Security Programme\""), "typed name kept");
        let n: i64 = programmes::table.count().get_result(&mut *db.get().unwrap()).unwrap();
        assert_eq!(n, 0, "nothing created");

        fields[5] = ("currency", "KES");
        fields[7] = ("end_date", "2028-06-30");
        let a = post(&admin, "/admin/programmes", &ac, &fields);
        assert_eq!(a.status, Status::SeeOther, "{}", notice(&a.page));
        assert_eq!(a.location.as_deref(), Some("/programmes/BSP/setup"));
        let (status, setup) = get(&admin, "/programmes/BSP/setup");
        assert_eq!(status, Status::Ok, "the administrator reads the setup page");
        assert!(setup.contains("Programme BSP “Border Security Programme” created"), "flash");
        assert!(setup.contains("Wanjiru Kamau is its manager and builds its framework"), "says who builds it");
        assert!(setup.contains("You are reading this as an administrator"));
        assert!(!setup.contains("Add a phase"), "no forms for the administrator");
        let refused = post(&admin, "/programmes/BSP/setup/phases", &ac, &[("name", "Phase 1")]);
        assert_eq!(refused.status, Status::Forbidden, "administrators change it only through a role");
        let (_, roles) = get(&admin, &format!("/admin/users/{manager_id}"));
        assert!(roles.contains("manager in <strong>BSP</strong>"), "the named manager holds the role");
        assert!(roles.contains("<option value=\"BSP\">BSP — Border Security Programme</option>"), "new programmes in the role form");
        let (_, list) = get(&admin, "/admin/programmes");
        assert!(list.contains("Wanjiru Kamau") && list.contains("Jul 2025 – Jun 2028"), "listed with its manager and dates");

        // The manager finds it and builds it.
        let m = t.client(db.clone());
        let mc = sign_in(&m, "wanjiru", "a-long-password");
        let (_, home) = get(&m, "/");
        assert!(home.contains("href=\"/programmes/BSP\""), "the programme on the manager's home page");
        let (_, dash) = get(&m, "/programmes/BSP");
        assert!(dash.contains("href=\"/programmes/BSP/setup\">Set up programme"), "dashboard leads to the set-up");
        let (_, setup) = get(&m, "/programmes/BSP/setup");
        assert!(setup.contains("Add a phase") && setup.contains("Add the impact"));
        assert!(setup.contains("href=\"/programmes/BSP/logframe.xlsx\"") && setup.contains("href=\"/programmes/BSP/logframe\""), "logframe links");

        // Phases: three counties; an overlapping second phase is refused.
        let (status, form) = get(&m, "/programmes/BSP/setup/phases/new");
        assert_eq!(status, Status::Ok);
        let turkana = form.find("value=\"023\"").unwrap();
        let garissa = form.find("value=\"007\"").unwrap();
        assert!(turkana < garissa, "the MoU's initial counties are offered first");
        let page = saved(&m, "/programmes/BSP/setup/phases", &mc, &[
            ("name", "Phase 1"), ("start_date", "2025-07-01"), ("end_date", "2026-12-31"),
            ("counties", "023"), ("counties", "009"), ("counties", "008"),
        ]);
        assert!(page.contains("Phase “Phase 1” added."), "{}", notice(&page));
        assert!(page.contains(">Turkana<") && page.contains(">Mandera<") && page.contains(">Wajir<"));
        let a = post(&m, "/programmes/BSP/setup/phases", &mc, &[
            ("name", "Phase 2"), ("start_date", "2026-10-01"), ("end_date", "2028-06-30"), ("counties", "040"),
        ]);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("overlaps 'Phase 1'"), "{}", notice(&a.page));
        assert!(a.page.contains("value=\"Phase 2\"") && a.page.contains("value=\"040\" checked"), "typed kept");
        let n: i64 = phases::table.count().get_result(&mut *db.get().unwrap()).unwrap();
        assert_eq!(n, 1, "the overlapping phase was not written");

        // Partners.
        let page = saved(&m, "/programmes/BSP/setup/partners", &mc, &[
            ("code", "FCDO"), ("name", "UK Foreign, Commonwealth & Development Office"), ("iati_type", "10"),
            ("iati_identifier", "GB-GOV-1"), ("roles", "funding"),
        ]);
        assert!(page.contains("Partner FCDO added.") && page.contains("Funding (1)"), "{}", notice(&page));
        saved(&m, "/programmes/BSP/setup/partners", &mc, &[
            ("code", "IOM"), ("name", "International Organization for Migration"), ("iati_type", "40"),
            ("roles", "extending"), ("roles", "implementing"),
        ]);
        let a = post(&m, "/programmes/BSP/setup/partners", &mc, &[
            ("code", "iom"), ("name", "International Organization for Migration"), ("roles", "implementing"),
        ]);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("is already a partner of BSP"), "{}", notice(&a.page));

        // A disaggregation category.
        let page = saved(&m, "/programmes/BSP/setup/categories", &mc, &[
            ("label", "Sex"), ("options", "female = Female\nmale = Male"),
        ]);
        assert!(page.contains("Category “Sex” added.") && page.contains("Female, Male"));

        // The framework: impact, outcome, two outputs whose weightings do not add up.
        saved(&m, "/programmes/BSP/setup/results", &mc, &[("level", "impact"), ("code", "BSP-IMP"), ("statement", "Kenya's borders are better secured")]);
        let (_, form) = get(&m, "/programmes/BSP/setup/results/new?level=outcome&parent=BSP-IMP");
        assert!(form.contains("<option value=\"BSP-IMP\" selected>"), "parent chosen from the link");
        saved(&m, "/programmes/BSP/setup/results", &mc, &[("level", "outcome"), ("code", "BSP-OC1"), ("statement", "Border agencies coordinate"), ("parent", "BSP-IMP")]);
        saved(&m, "/programmes/BSP/setup/results", &mc, &[("level", "output"), ("code", "BSP-OP1"), ("statement", "Officers trained"), ("parent", "BSP-OC1"), ("impact_weighting", "60"), ("risk_rating", "medium")]);
        let page = saved(&m, "/programmes/BSP/setup/results", &mc, &[("level", "output"), ("code", "BSP-OP2"), ("statement", "Posts equipped"), ("parent", "BSP-OC1"), ("impact_weighting", "30")]);
        assert!(page.contains("Impact weightings do not add up to 100%"), "the warning is visible");
        assert!(page.contains("add up to 90%, not 100%"), "{}", notice(&page));
        let a = post(&m, "/programmes/BSP/setup/results", &mc, &[("level", "output"), ("code", "BSP-OP2"), ("statement", "Another"), ("parent", "BSP-OC1")]);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("already uses the code BSP-OP2"), "{}", notice(&a.page));
        let op2 = {
            let c = &mut *db.get().unwrap();
            let p = programme::by_code(c, "BSP").unwrap();
            framework::results_of(c, p.id).unwrap().into_iter().find(|r| r.code == "BSP-OP2").unwrap()
        };
        let v = op2.version.to_string();
        let page = saved(&m, &format!("/programmes/BSP/setup/results/{}", op2.id), &mc, &[
            ("level", "output"), ("code", "BSP-OP2"), ("statement", "Posts equipped"), ("parent", "BSP-OC1"),
            ("impact_weighting", "40"), ("version", &v),
        ]);
        assert!(page.contains("Output BSP-OP2 saved — impact weighting: 30.0 → 40.0."), "flash names the change: {}", notice(&page));
        assert!(!page.contains("Impact weightings do not add up"), "the warning is gone");

        // An indicator with its disaggregation, then its interim targets.
        let page = saved(&m, "/programmes/BSP/setup/indicators", &mc, &[
            ("result", "BSP-OP1"), ("code", "BSP-1.1"), ("title", "Officers trained in integrated border management"),
            ("unit", "count"), ("direction", "higher"), ("county_rule", "sum"), ("period_rule", "sum"),
            ("baseline_value", "0"), ("baseline_date", "2025-06-30"), ("end_target", "1200"), ("end_target_date", "2028-06-30"),
            ("means_of_verification", "Training registers"), ("key", "yes"), ("disaggregations", "sex"),
        ]);
        assert!(page.contains("Indicator BSP-1.1 added.") && page.contains("by sex"), "{}", notice(&page));
        let ind = {
            let c = &mut *db.get().unwrap();
            let p = programme::by_code(c, "BSP").unwrap();
            framework::indicator_by_code(c, p.id, "BSP-1.1").unwrap()
        };
        let targets = format!("/programmes/BSP/setup/indicators/{}/targets", ind.id);
        let (status, grid) = get(&m, &targets);
        assert_eq!(status, Status::Ok);
        assert!(grid.contains("name=\"t:2025Q3::\"") && grid.contains("name=\"t:2028Q2::sex=female\""), "every quarter, total and parts");
        let a = post(&m, &targets, &mc, &[("t:2026Q3::", "300"), ("t:2026Q4::", "sixty")]);
        assert_eq!(a.status, Status::UnprocessableEntity);
        assert!(a.page.contains("'sixty' is not a number"), "{}", notice(&a.page));
        assert!(a.page.contains("value=\"300\""), "typed kept");
        let n: i64 = indicator_targets::table.count().get_result(&mut *db.get().unwrap()).unwrap();
        assert_eq!(n, 0, "one bad cell saves nothing");
        let a = post(&m, &targets, &mc, &[("t:2026Q3::", "300"), ("t:2026Q3::sex=female", "120"), ("t:2026Q4::", "")]);
        assert_eq!(a.status, Status::SeeOther, "{}", notice(&a.page));
        let (_, grid) = get(&m, &targets);
        assert!(grid.contains("Interim targets of BSP-1.1 saved"), "flash");
        assert!(grid.contains("2026Q3 Female: — → 120"), "{}", notice(&grid));
        let n: i64 = indicator_targets::table.count().get_result(&mut *db.get().unwrap()).unwrap();
        assert_eq!(n, 2);
        // A fiscal-year row is added, and a half-year outside the programme refused.
        let (status, grid) = get(&m, &format!("{targets}?add=2026July"));
        assert_eq!(status, Status::Ok);
        assert!(grid.contains("name=\"t:2026July::\""));
        let (status, grid) = get(&m, &format!("{targets}?add=2030S1"));
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(grid.contains("outside the programme"), "{}", notice(&grid));

        // A budget line per output and fiscal year, shown like 2025/26 with totals.
        let page = saved(&m, "/programmes/BSP/setup/budget", &mc, &[
            ("output", "BSP-OP1"), ("fiscal_year", "2025July"), ("amount", "1,250,000"), ("description", "Training"),
        ]);
        assert!(page.contains("Budget line BSP-OP1 2025/26 added."), "{}", notice(&page));
        assert!(page.contains("2025/26") && page.contains("1,250,000"), "shown in the table");

        // Removing what nothing depends on deletes it, and says so.
        saved(&m, "/programmes/BSP/setup/results", &mc, &[("level", "output"), ("code", "BSP-OP3"), ("statement", "Spare output"), ("parent", "BSP-OC1")]);
        let op3 = {
            let c = &mut *db.get().unwrap();
            let p = programme::by_code(c, "BSP").unwrap();
            framework::results_of(c, p.id).unwrap().into_iter().find(|r| r.code == "BSP-OP3").unwrap()
        };
        let page = saved(&m, &format!("/programmes/BSP/setup/results/{}/remove", op3.id), &mc, &[("version", &op3.version.to_string())]);
        assert!(page.contains("Output BSP-OP3 deleted: nothing depended on it."), "{}", notice(&page));

        // Every change is audited, as the manager.
        let c = &mut *db.get().unwrap();
        for action in ["programme_created", "phase_created", "partner_added", "category_created", "result_created", "result_updated", "indicator_created", "targets_set", "budget_line_created"] {
            let n: i64 = audit_log::table.filter(audit_log::action.eq(action)).count().get_result(c).unwrap();
            assert!(n >= 1, "{action} audited");
        }
        let by_manager: i64 = audit_log::table.filter(audit_log::actor.eq("wanjiru")).filter(audit_log::action.eq("indicator_created")).count().get_result(c).unwrap();
        assert_eq!(by_manager, 1);
    }
}
