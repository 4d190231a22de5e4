//! Every mounted route, for every role and for an anonymous visitor: allowed, refused
//! (403/404), or sent to sign in. The routes are read from the Rocket instance, so a new
//! route without an expected answer per role fails this test.

use std::collections::{BTreeMap, BTreeSet};

use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;

use crate::on_both_backends;
use crate::support::{demo_password, sign_in};
use mipaka::db::Db;
use mipaka::models::{session, user};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The route answers (2xx, a redirect that is not to the sign-in page, or a 422 for a
    /// value it could check only after letting the user in).
    Allowed,
    /// Anonymous: redirected to the sign-in page (pages) or 401 (API).
    SignIn,
    Forbidden,
    NotFound,
    /// Open to anyone; must not fail.
    Public,
}
use Expect::*;

const WHO: [&str; 7] = [
    "anonymous",
    "outsider",
    "donor",
    "evaluator",
    "officer",
    "manager",
    "admin",
];

/// Expected answer per route, in the order of WHO.
fn table() -> BTreeMap<&'static str, [Expect; 7]> {
    let signed_in = [SignIn, Allowed, Allowed, Allowed, Allowed, Allowed, Allowed];
    let programme_read = [
        SignIn, NotFound, Allowed, Allowed, Allowed, Allowed, Allowed,
    ];
    let admin_only = [
        SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allowed,
    ];
    let programme_detail = [
        SignIn, NotFound, Forbidden, Allowed, Allowed, Allowed, Allowed,
    ];
    let exporters = [
        SignIn, NotFound, Forbidden, Allowed, Allowed, Allowed, Forbidden,
    ];
    let manager_only = [
        SignIn, NotFound, Forbidden, Forbidden, Forbidden, Allowed, Forbidden,
    ];
    // Setting a programme up: its managers and M&E officers (administrators only
    // through a role).
    let setup = [
        SignIn, NotFound, Forbidden, Forbidden, Allowed, Allowed, Forbidden,
    ];
    // Setting up a programme: its managers and M&E officers; administrators read the
    // setup page (they change it only through a role).
    let setup_only = [
        SignIn, NotFound, Forbidden, Forbidden, Allowed, Allowed, Forbidden,
    ];
    let setup_read = [
        SignIn, NotFound, Forbidden, Forbidden, Allowed, Allowed, Allowed,
    ];
    // Ministry reports cover every programme: detail access to all of them.
    let ministry_read = [
        SignIn, NotFound, NotFound, Allowed, Allowed, Allowed, Allowed,
    ];
    BTreeMap::from([
        ("GET /", signed_in),
        ("GET /health", [Public; 7]),
        ("GET /static/mipaka.css", [Public; 7]),
        ("GET /favicon.ico", [Public; 7]),
        ("GET /login?<next>", [Public; 7]),
        ("POST /login", [Public; 7]),
        ("POST /logout", signed_in),
        ("GET /programmes/<code>", programme_read),
        ("GET /admin/programmes", admin_only),
        ("GET /programmes/new", admin_only),
        ("POST /admin/programmes", admin_only),
        ("POST /admin/programmes/<code>/status", admin_only),
        ("GET /programmes/<code>/setup", setup_read),
        ("GET /programmes/<code>/setup/details", setup_only),
        ("GET /programmes/<code>/setup/publication", setup_only),
        ("POST /programmes/<code>/setup/publication/<id>", setup_only),
        ("POST /programmes/<code>/setup/details", setup_only),
        ("GET /programmes/<code>/setup/phases/new", setup_only),
        ("POST /programmes/<code>/setup/phases", setup_only),
        ("GET /programmes/<code>/setup/phases/<id>", setup_only),
        ("POST /programmes/<code>/setup/phases/<id>", setup_only),
        (
            "POST /programmes/<code>/setup/phases/<id>/delete",
            setup_only,
        ),
        ("GET /programmes/<code>/setup/partners/new", setup_only),
        ("POST /programmes/<code>/setup/partners", setup_only),
        ("GET /programmes/<code>/setup/partners/<id>", setup_only),
        ("POST /programmes/<code>/setup/partners/<id>", setup_only),
        (
            "POST /programmes/<code>/setup/partners/<id>/remove",
            setup_only,
        ),
        ("GET /programmes/<code>/setup/categories/new", setup_only),
        ("POST /programmes/<code>/setup/categories", setup_only),
        ("GET /programmes/<code>/setup/categories/<id>", setup_only),
        ("POST /programmes/<code>/setup/categories/<id>", setup_only),
        (
            "POST /programmes/<code>/setup/categories/<id>/delete",
            setup_only,
        ),
        (
            "GET /programmes/<code>/setup/results/new?<level>&<parent>",
            setup_only,
        ),
        ("POST /programmes/<code>/setup/results", setup_only),
        ("GET /programmes/<code>/setup/results/<id>", setup_only),
        ("POST /programmes/<code>/setup/results/<id>", setup_only),
        (
            "POST /programmes/<code>/setup/results/<id>/move",
            setup_only,
        ),
        (
            "POST /programmes/<code>/setup/results/<id>/remove",
            setup_only,
        ),
        (
            "POST /programmes/<code>/setup/results/<id>/restore",
            setup_only,
        ),
        (
            "GET /programmes/<code>/setup/indicators/new?<result>",
            setup_only,
        ),
        ("POST /programmes/<code>/setup/indicators", setup_only),
        ("GET /programmes/<code>/setup/indicators/<id>", setup_only),
        ("POST /programmes/<code>/setup/indicators/<id>", setup_only),
        (
            "POST /programmes/<code>/setup/indicators/<id>/move",
            setup_only,
        ),
        (
            "POST /programmes/<code>/setup/indicators/<id>/remove",
            setup_only,
        ),
        (
            "POST /programmes/<code>/setup/indicators/<id>/restore",
            setup_only,
        ),
        (
            "GET /programmes/<code>/setup/indicators/<id>/targets?<add>&<counties>",
            setup_only,
        ),
        (
            "POST /programmes/<code>/setup/indicators/<id>/targets",
            setup_only,
        ),
        (
            "GET /programmes/<code>/setup/budget/new?<output>",
            setup_only,
        ),
        ("POST /programmes/<code>/setup/budget", setup_only),
        ("GET /programmes/<code>/setup/budget/<id>", setup_only),
        ("POST /programmes/<code>/setup/budget/<id>", setup_only),
        (
            "POST /programmes/<code>/setup/budget/<id>/delete",
            setup_only,
        ),
        ("GET /account", signed_in),
        ("POST /account/password", signed_in),
        ("POST /account/tokens", signed_in),
        ("POST /account/tokens/<id>/revoke", signed_in),
        ("POST /account/email", signed_in),
        ("POST /account/mail", signed_in),
        ("GET /admin/users", admin_only),
        ("POST /admin/users", admin_only),
        ("GET /admin/users/<id>", admin_only),
        ("POST /admin/users/<id>/roles", admin_only),
        ("POST /admin/users/<id>/roles/<grant>/remove", admin_only),
        ("POST /admin/users/<id>/password", admin_only),
        ("POST /admin/users/<id>/status", admin_only),
        ("GET /admin/audit?<q..>", admin_only),
        ("GET /admin/audit.csv?<q..>", admin_only),
        (
            "GET /programmes/<code>/entry?<period>&<county>",
            programme_detail,
        ),
        (
            "POST /programmes/<code>/entry?<period>&<county>",
            manager_only,
        ),
        (
            "POST /programmes/<code>/periods/<period>/<action>",
            manager_only,
        ),
        (
            "GET /programmes/<code>/indicators/<icode>?<all>",
            programme_detail,
        ),
        ("GET /programmes/<code>/milestones/new", manager_only),
        ("GET /programmes/<code>/milestones/<id>", manager_only),
        ("POST /programmes/<code>/milestones", manager_only),
        ("POST /programmes/<code>/milestones/<id>", manager_only),
        ("GET /programmes/<code>/activities/new", manager_only),
        ("GET /programmes/<code>/activities/<id>", manager_only),
        ("POST /programmes/<code>/activities", manager_only),
        ("POST /programmes/<code>/activities/<id>", manager_only),
        ("GET /programmes/<code>/csv/template?<period>", manager_only),
        ("GET /programmes/<code>/csv/export", exporters),
        ("GET /programmes/<code>/csv", manager_only),
        ("POST /programmes/<code>/csv/preview", manager_only),
        ("POST /programmes/<code>/csv/commit", manager_only),
        ("GET /programmes/<code>/logframe.xlsx", programme_detail),
        ("GET /programmes/<code>/logframe", setup),
        ("POST /programmes/<code>/logframe/preview", setup),
        ("POST /programmes/<code>/logframe/commit", setup),
        ("GET /programmes/<code>/reports?<period>", programme_read),
        ("GET /programmes/<code>/reports/<id>", programme_read),
        (
            "GET /programmes/<code>/reports/draft?<period>&<annex>",
            manager_only,
        ),
        ("GET /programmes/<code>/iati", manager_only),
        ("GET /programmes/<code>/iati/preview.xml", manager_only),
        ("POST /programmes/<code>/iati/publish", manager_only),
        ("POST /programmes/<code>/iati/sectors", manager_only),
        ("GET /iati/<file>", [Public; 7]),
        ("GET /programmes/<code>/compare?<query..>", exporters),
        ("GET /programmes/<code>/compare.csv?<query..>", exporters),
        ("POST /programmes/<code>/compare/save", exporters),
        ("GET /comparisons/<id>?<indicator>", exporters),
        (
            "POST /programmes/<code>/indicators/<icode>/links",
            manager_only,
        ),
        (
            "POST /programmes/<code>/indicators/<icode>/links/<id>/delete",
            manager_only,
        ),
        ("GET /api/v1/programmes/<code>/compare?<query..>", exporters),
        ("POST /programmes/<code>/reports/narrative", manager_only),
        (
            "GET /programmes/<code>/reports/outputs?<period>",
            manager_only,
        ),
        ("POST /programmes/<code>/reports/outputs", manager_only),
        ("POST /programmes/<code>/reports/issue", manager_only),
        ("GET /reports?<period>", ministry_read),
        ("GET /reports/draft?<period>", ministry_read),
        ("GET /reports/<id>", ministry_read),
        (
            "POST /reports/issue",
            [
                SignIn, NotFound, NotFound, Forbidden, Allowed, Forbidden, Forbidden,
            ],
        ),
        ("POST /programmes/<code>/evidence", manager_only),
        ("GET /programmes/<code>/evidence/<id>", programme_detail),
        (
            "POST /programmes/<code>/evidence/<id>/archive",
            manager_only,
        ),
        (
            "GET /programmes/<code>/milestones/<id>/evidence",
            programme_detail,
        ),
        (
            "GET /programmes/<code>/activities/<id>/evidence",
            programme_detail,
        ),
        ("GET /api/v1/openapi.json", [Public; 7]),
        ("GET /api/v1/programmes/<code>/results", programme_detail),
        ("GET /api/v1/programmes/<code>/indicators", programme_detail),
        (
            "GET /api/v1/programmes/<code>/values?<period>&<indicator>&<county>",
            programme_detail,
        ),
        ("POST /api/v1/programmes/<code>/values", manager_only),
        ("PUT /api/v1/programmes/<code>/values/<id>", manager_only),
        ("GET /api/v1/programmes/<code>/milestones", programme_detail),
        ("POST /api/v1/programmes/<code>/milestones", manager_only),
        (
            "PUT /api/v1/programmes/<code>/milestones/<id>",
            manager_only,
        ),
        ("GET /api/v1/programmes/<code>/activities", programme_detail),
        (
            "GET /api/v1/programmes/<code>/progress?<period>",
            programme_detail,
        ),
        ("POST /api/v1/programmes/<code>/progress", manager_only),
        ("PUT /api/v1/programmes/<code>/progress/<id>", manager_only),
        ("POST /api/v1/programmes/<code>/activities", manager_only),
        (
            "PUT /api/v1/programmes/<code>/activities/<id>",
            manager_only,
        ),
        ("POST /api/v1/programmes", admin_only),
        ("PUT /api/v1/programmes/<code>", setup),
        ("PUT /api/v1/programmes/<code>/status", admin_only),
        ("GET /api/v1/programmes/<code>/phases", programme_detail),
        ("POST /api/v1/programmes/<code>/phases", setup),
        ("PUT /api/v1/programmes/<code>/phases/<id>", setup),
        (
            "DELETE /api/v1/programmes/<code>/phases/<id>?<version>",
            setup,
        ),
        ("GET /api/v1/programmes/<code>/partners", programme_detail),
        ("POST /api/v1/programmes/<code>/partners", setup),
        ("PUT /api/v1/programmes/<code>/partners/<id>", setup),
        (
            "DELETE /api/v1/programmes/<code>/partners/<id>?<version>",
            setup,
        ),
        (
            "GET /api/v1/programmes/<code>/disaggregations",
            programme_detail,
        ),
        ("POST /api/v1/programmes/<code>/disaggregations", setup),
        ("PUT /api/v1/programmes/<code>/disaggregations/<id>", setup),
        (
            "DELETE /api/v1/programmes/<code>/disaggregations/<id>?<version>",
            setup,
        ),
        ("GET /api/v1/programmes/<code>/budget", programme_detail),
        ("POST /api/v1/programmes/<code>/budget", setup),
        ("PUT /api/v1/programmes/<code>/budget/<id>", setup),
        (
            "DELETE /api/v1/programmes/<code>/budget/<id>?<version>",
            setup,
        ),
        ("POST /api/v1/programmes/<code>/results", setup),
        ("PUT /api/v1/programmes/<code>/results/<id>", setup),
        (
            "DELETE /api/v1/programmes/<code>/results/<id>?<version>",
            setup,
        ),
        ("POST /api/v1/programmes/<code>/results/<id>/restore", setup),
        ("POST /api/v1/programmes/<code>/results/<id>/move", setup),
        ("POST /api/v1/programmes/<code>/indicators", setup),
        ("PUT /api/v1/programmes/<code>/indicators/<id>", setup),
        (
            "PUT /api/v1/programmes/<code>/indicators/<id>/publication",
            setup,
        ),
        (
            "DELETE /api/v1/programmes/<code>/indicators/<id>?<version>",
            setup,
        ),
        (
            "POST /api/v1/programmes/<code>/indicators/<id>/restore",
            setup,
        ),
        ("POST /api/v1/programmes/<code>/indicators/<id>/move", setup),
        (
            "GET /api/v1/programmes/<code>/indicators/<id>/targets",
            programme_detail,
        ),
        (
            "PUT /api/v1/programmes/<code>/indicators/<id>/targets",
            setup,
        ),
        (
            "GET /api/v1/programmes/<code>/dhis2/mappings",
            programme_detail,
        ),
        ("PUT /api/v1/programmes/<code>/dhis2/mappings", setup),
        ("GET /programmes/<code>/dhis2", setup_only),
        ("POST /programmes/<code>/dhis2", setup_only),
        ("GET /programmes/<code>/dhis2/mappings.csv", setup_only),
        ("POST /programmes/<code>/dhis2/mappings.csv", setup_only),
        // The DHIS2-compatible endpoint: personal API tokens (or Basic), never cookies.
        ("GET /dhis2/api/<name>", programme_read),
        ("POST /dhis2/api/<name>", manager_only),
        ("GET /api/v1/me", signed_in),
        ("GET /api/v1/programmes", signed_in),
        ("GET /api/v1/programmes/<code>", programme_read),
    ])
}

struct Fixture {
    /// Per user a second token, for the revoke route (the first is used for the API).
    revocable: BTreeMap<&'static str, i32>,
    /// A value of LBP: id, value, version.
    value: (i32, f64, i32),
    upload: i32,
    /// Per user who may set up LBP, a previewed logframe workbook of their own.
    logframe_uploads: BTreeMap<&'static str, i32>,
    milestone: i32,
    activity: i32,
    /// An evidence file attached to that milestone.
    evidence: i32,
    target_user: i32,
    target_grant: i32,
    /// An issued donor report of LBP and an issued ministry report.
    donor_report: i32,
    ministry_report: i32,
    /// A saved comparison of LBP and a continuity record of LBP-0.1.
    saved: i32,
    link: i32,
    /// Set-up records of LBP: a phase, a partner (organisation id), a disaggregation
    /// category, a budget line, a result and an indicator.
    phase: i32,
    partner: i32,
    category: i32,
    budget_line: i32,
    result: i32,
    indicator: i32,
    tokens: BTreeMap<&'static str, (i32, String)>,
    /// LBP's set-up: a phase, a partner leading an activity (so removing it is refused),
    /// a disaggregation category, a result, an indicator and a budget line.
    setup: [(&'static str, i32); 6],
}

fn setup(t: &crate::support::TestDb, db: &Db) -> Fixture {
    let mut c = db.get().unwrap();
    let outsider = user::create(
        &mut c,
        &user::NewAccount {
            username: "outsider",
            display_name: "No Roles",
            email: "",
            password: "outsider-password",
            is_admin: false,
        },
    )
    .unwrap();
    let target = user::create(
        &mut c,
        &user::NewAccount {
            username: "target",
            display_name: "Target User",
            email: "",
            password: "target-password",
            is_admin: false,
        },
    )
    .unwrap();
    user::grant_role(&mut c, target.id, "DW", "evaluator").unwrap();
    let target_grant = user::grants_of(&mut c, target.id).unwrap()[0].id;
    let mut tokens = BTreeMap::new();
    for who in &WHO[1..] {
        let u = user::by_username(&mut c, who).unwrap().unwrap();
        tokens.insert(
            *who,
            session::create_token(&mut c, u.id, "matrix", mipaka::clock::now()).unwrap(),
        );
    }
    let _ = outsider;
    let lbp = mipaka::models::programme::by_code(&mut c, "LBP").unwrap();
    let milestone = mipaka::models::milestone::of_programme(&mut c, lbp.id).unwrap()[0].id;
    let activity = mipaka::models::activity::of_programme(&mut c, lbp.id).unwrap()[0].id;
    let manager = user::by_username(&mut c, "manager").unwrap().unwrap();
    let upload = mipaka::models::upload::store(
        &mut c,
        lbp.id,
        manager.id,
        "empty.csv",
        "period,indicator_code,county_code,value\n",
        mipaka::clock::now(),
    )
    .unwrap();
    let mut logframe_uploads = BTreeMap::new();
    let workbook = mipaka::setup::sheet::write(
        &mipaka::setup::logframe::export(&mut c, &lbp).unwrap(),
        true,
    )
    .unwrap();
    for who in ["officer", "manager"] {
        let u = user::by_username(&mut c, who).unwrap().unwrap();
        let id = mipaka::models::logframe_upload::store(
            &mut c,
            &mipaka::models::logframe_upload::NewUpload {
                programme_id: lbp.id,
                user_id: u.id,
                file_name: "LBP-logframe.xlsx",
                content: &workbook,
                plan_hash: &mipaka::setup::logframe::ImportReport::default().plan_hash(),
                at: mipaka::clock::now(),
            },
        )
        .unwrap();
        logframe_uploads.insert(who, id);
    }
    let v = mipaka::models::values::of_period(&mut c, lbp.id, "2026Q3")
        .unwrap()
        .remove(0);
    let mut revocable = BTreeMap::new();
    for who in &WHO[1..] {
        let u = user::by_username(&mut c, who).unwrap().unwrap();
        revocable.insert(
            *who,
            session::create_token(&mut c, u.id, "to revoke", mipaka::clock::now())
                .unwrap()
                .0,
        );
    }
    let mut issued = |subject| {
        let who = mipaka::models::audit::Actor {
            user_id: None,
            name: "matrix".into(),
        };
        let q = mipaka::domain::period::Period::parse("2026Q2").unwrap();
        mipaka::report::issue::issue(
            &mut c,
            &t.config.reports_dir,
            &subject,
            q,
            &mipaka::report::issue::IssueRequest {
                reason: "matrix".into(),
                accept_unapproved: true,
                ..Default::default()
            },
            &who,
            mipaka::clock::now(),
        )
        .unwrap()
        .id
    };
    let donor_report = issued(mipaka::report::issue::Subject::Donor(lbp.clone()));
    let ministry_report = issued(mipaka::report::issue::Subject::Ministry);
    let now = mipaka::clock::now();
    let saved = mipaka::models::comparison::insert(
        &mut c,
        lbp.id,
        "Matrix",
        "sides=2025%2C2026Q1..2026Q2",
        None,
        now,
    )
    .unwrap();
    let indicator =
        mipaka::models::framework::indicator_by_code(&mut c, lbp.id, "LBP-0.1").unwrap();
    let link = mipaka::models::continuity::insert(
        &mut c,
        &mipaka::models::continuity::NewLink {
            indicator_id: indicator.id,
            continues_id: None,
            effective_period: Some("2026Q1"),
            definition_changed: true,
            note: "matrix",
            created_by: None,
            created_at: now,
        },
    )
    .unwrap();
    let who = mipaka::models::audit::Actor {
        user_id: None,
        name: "matrix".into(),
    };
    let phase = mipaka::models::programme::phases_of(&mut c, lbp.id).unwrap()[0]
        .phase
        .id;
    let lead = mipaka::models::activity::of_programme(&mut c, lbp.id)
        .unwrap()
        .into_iter()
        .find_map(|a| a.lead_organisation_id)
        .expect("an LBP activity with a lead");
    let category = mipaka::models::category::of_programme(&mut c, lbp.id).unwrap()[0]
        .0
        .id;
    let output = mipaka::models::framework::results_of(&mut c, lbp.id)
        .unwrap()
        .into_iter()
        .find(|r| r.level == "output")
        .unwrap();
    let line = mipaka::setup::budget::save(
        &mut c,
        &who,
        &lbp,
        None,
        &mipaka::domain::setup::BudgetFields {
            output: output.code.clone(),
            fiscal_year: "2025/26".into(),
            amount: "1000".into(),
            ..Default::default()
        },
    )
    .unwrap()
    .into_result("budget line")
    .unwrap()
    .id;
    let evidence = mipaka::evidence::attach(
        &mut c,
        &mipaka::evidence::Store::from_config(&t.config),
        &lbp,
        &mipaka::evidence::TargetInput {
            kind: "milestone".into(),
            milestone: Some(milestone),
            ..Default::default()
        },
        "matrix.pdf",
        b"%PDF-1.4 matrix",
        &who,
        now,
    )
    .unwrap()
    .id;
    let setup = [
        ("/setup/phases/<id>", phase),
        ("/setup/partners/<id>", lead),
        ("/setup/categories/<id>", category),
        ("/setup/results/<id>", output.id),
        ("/setup/indicators/<id>", indicator.id),
        ("/setup/budget/<id>", line),
    ];
    let partner = mipaka::models::organisation::partners_of(&mut c, lbp.id).unwrap()[0]
        .1
        .id;
    let budget_line = mipaka::models::budget::of_programme(&mut c, lbp.id).unwrap()[0].id;
    let result = mipaka::models::framework::results_of(&mut c, lbp.id).unwrap()[0].id;
    Fixture {
        setup,
        phase,
        partner,
        category,
        budget_line,
        result,
        indicator: indicator.id,
        donor_report,
        ministry_report,
        saved,
        link,
        revocable,
        value: (v.id, v.value, v.version),
        upload,
        logframe_uploads,
        milestone,
        activity,
        evidence,
        target_user: target.id,
        target_grant,
        tokens,
    }
}

fn password(who: &str) -> &'static str {
    match who {
        "outsider" => "outsider-password",
        "anonymous" => "no-password-at-all",
        other => demo_password(other),
    }
}

/// A concrete request for a route pattern, with a body that the route accepts when
/// the caller is allowed.
fn request(pattern: &str, who: &str, f: &Fixture) -> (String, String) {
    // The setup pages' ids first: their paths share segments with the API's below.
    let mut web_path = pattern.to_string();
    for (segment, id) in f.setup {
        web_path = web_path.replace(segment, &segment.replace("<id>", &id.to_string()));
    }
    let path = web_path
        .split_once(' ')
        .unwrap()
        .1
        .replace("?<next>", "")
        .replace("?<q..>", "")
        .replace("?<all>", "")
        .replace("?<period>&<county>", "?period=2026Q4&county=all")
        .replace("/periods/<period>/<action>", "/periods/2026Q4/submit")
        .replace("/indicators/<icode>", "/indicators/LBP-0.1")
        .replace("/csv/template?<period>", "/csv/template?period=2026Q4")
        .replace(
            "/values?<period>&<indicator>&<county>",
            "/values?period=2026Q3",
        )
        .replace("/values/<id>", &format!("/values/{}", f.value.0))
        .replace("/evidence/<id>", &format!("/evidence/{}", f.evidence))
        .replace("/progress?<period>", "/progress?period=2026Q3")
        .replace("/progress/<id>", "/progress/1")
        .replace("/milestones/<id>", &format!("/milestones/{}", f.milestone))
        .replace("/activities/<id>", &format!("/activities/{}", f.activity))
        .replace("/phases/<id>", &format!("/phases/{}", f.phase))
        .replace("/partners/<id>", &format!("/partners/{}", f.partner))
        .replace(
            "/disaggregations/<id>",
            &format!("/disaggregations/{}", f.category),
        )
        .replace("/budget/<id>", &format!("/budget/{}", f.budget_line))
        .replace("/results/<id>", &format!("/results/{}", f.result))
        .replace("/indicators/<id>", &format!("/indicators/{}", f.indicator))
        // Without the version a removal is refused (422) after the role check, so the
        // matrix removes nothing.
        .replace("?<version>", "")
        .replace("/reports?<period>", "/reports?period=2026Q2")
        .replace(
            "/reports/outputs?<period>",
            "/reports/outputs?period=2026Q2",
        )
        .replace(
            "/reports/draft?<period>&<annex>",
            "/reports/draft?period=2026Q2",
        )
        .replace("/reports/draft?<period>", "/reports/draft?period=2026Q2")
        .replace("?<query..>", "?sides=2025%2C2026Q1..2026Q2")
        .replace(
            "/comparisons/<id>?<indicator>",
            &format!("/comparisons/{}", f.saved),
        )
        .replace("/links/<id>/delete", &format!("/links/{}/delete", f.link))
        .replace(
            "/programmes/<code>/reports/<id>",
            &format!("/programmes/<code>/reports/{}", f.donor_report),
        )
        .replace("/reports/<id>", &format!("/reports/{}", f.ministry_report));
    let path = path
        .replace("?<level>&<parent>", "")
        .replace("?<result>", "")
        .replace("?<add>&<counties>", "")
        .replace("?<output>", "");
    let own_token = f.revocable.get(who).copied().unwrap_or(1);
    let path = path
        .replace(
            "/dhis2/api/<name>",
            "/dhis2/api/dataValueSets.json?dataSet=LBP&period=2026Q3&idScheme=code",
        )
        .replace("/iati/<file>", "/iati/LBP.xml")
        .replace("/programmes/<code>", "/programmes/LBP")
        .replace(
            "/account/tokens/<id>",
            &format!("/account/tokens/{own_token}"),
        )
        .replace("<id>", &f.target_user.to_string())
        .replace("<grant>", &f.target_grant.to_string());
    let body = match pattern {
        "POST /account/password" => format!(
            "current={}&new=changed-password-1&confirm=changed-password-1",
            password(who)
        ),
        "POST /account/tokens" => "name=script".into(),
        "POST /account/email" => format!("email={who}%40example.org"),
        "POST /account/mail" => "on=decision".into(),
        "POST /admin/users" => {
            format!("username=new-{who}&name=New&email=&password=a-long-password&admin=false")
        }
        "POST /admin/users/<id>/roles" => "programme=LBP&role=donor".into(),
        "POST /admin/users/<id>/password" => "password=another-long-password".into(),
        "POST /admin/users/<id>/status" => "active=true".into(),
        "POST /programmes/<code>/csv/commit" => format!("upload={}", f.upload),
        "POST /programmes/<code>/logframe/commit" => format!(
            "upload={}",
            f.logframe_uploads
                .get(who)
                .or_else(|| f.logframe_uploads.get("manager"))
                .unwrap()
        ),
        "POST /programmes/<code>/reports/narrative" => {
            format!("period=2026Q2&achievements=Trained+{who}&issues=&risks=")
        }
        "POST /programmes/<code>/reports/outputs" => "period=2026Q2".into(),
        "POST /programmes/<code>/evidence/<id>/archive" => format!("reason=Archived+by+{who}"),
        "POST /programmes/<code>/reports/issue" | "POST /reports/issue" => {
            format!("period=2026Q2&reason=Issued+by+{who}&accept_unapproved=yes")
        }
        "POST /programmes/<code>/compare/save" => {
            format!("name=Saved+by+{who}&query=sides%3D2025%252C2026Q1..2026Q2")
        }
        "POST /programmes/<code>/indicators/<icode>/links" => {
            format!("kind=changed&from_period=2026Q2&note=Recorded+by+{who}")
        }
        "POST /api/v1/programmes/<code>/values" => {
            r#"{"indicator":"LBP-0.1","period":"2026Q4","county":"040","value":3}"#.into()
        }
        "PUT /api/v1/programmes/<code>/values/<id>" => {
            format!(r#"{{"value":{},"version":{}}}"#, f.value.1, f.value.2)
        }
        p if p.starts_with("POST /api/")
            || p.starts_with("PUT /api/")
            || p.starts_with("POST /dhis2/api/") =>
        {
            "{}".into()
        }
        _ => String::new(),
    };
    (path, body)
}

fn judge(status: Status, location: Option<&str>, api: bool) -> Expect {
    match status.code {
        401 if api => SignIn,
        303 | 302 if location.is_some_and(|l| l.starts_with("/login?next=")) => SignIn,
        403 => Forbidden,
        404 => NotFound,
        _ => Allowed,
    }
}

on_both_backends! {
    fn every_route_answers_each_role_as_the_table_says(t) {
        let db = t.with_demo();
        let fixture = setup(&t, &db);
        let expected = table();

        let probe = t.client(db.clone());
        let mounted: BTreeSet<String> = probe
            .rocket()
            .routes()
            .map(|r| format!("{} {}", r.method, r.uri))
            .collect();
        drop(probe);
        let listed: BTreeSet<String> = expected.keys().map(|k| k.to_string()).collect();
        let unlisted: Vec<_> = mounted.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&mounted).collect();
        assert!(unlisted.is_empty(), "routes without expected answers per role: {unlisted:?}");
        assert!(stale.is_empty(), "expected answers for routes that are not mounted: {stale:?}");

        let mut failures = Vec::new();
        for (i, who) in WHO.iter().enumerate() {
            let client: Client = t.client(db.clone());
            let csrf = if *who == "anonymous" { String::new() } else { sign_in(&client, who, password(who)) };
            // Sign out last: it ends the session the other requests use.
            let mut order: Vec<(&&str, &[Expect; 7])> = expected.iter().collect();
            order.sort_by_key(|(k, _)| **k == "POST /logout");
            for (pattern, answers) in order {
                let (path, body) = request(pattern, who, &fixture);
                let dhis2 = path.starts_with("/dhis2/api/");
                let api = path.starts_with("/api/") || dhis2;
                let mut req = if api && !pattern.starts_with("GET") {
                    let r = if pattern.starts_with("PUT") {
                        client.put(path.clone())
                    } else if pattern.starts_with("DELETE") {
                        client.delete(path.clone())
                    } else {
                        client.post(path.clone())
                    };
                    r.header(ContentType::JSON).body(body)
                } else if pattern.starts_with("POST") {
                    let body = if body.is_empty() { format!("csrf={csrf}") } else { format!("{body}&csrf={csrf}") };
                    client.post(path.clone()).header(ContentType::Form).body(body)
                } else {
                    client.get(path.clone())
                };
                if api {
                    if let Some((_, token)) = fixture.tokens.get(who) {
                        let scheme = if dhis2 { "ApiToken" } else { "Bearer" };
                        req = req.header(Header::new("Authorization", format!("{scheme} {token}")));
                    }
                }
                let response = req.dispatch();
                let status = response.status();
                let location = response.headers().get_one("Location").map(str::to_string);
                let want = answers[i];
                let got = judge(status, location.as_deref(), api);
                let ok = match want {
                    Public => status.code < 500,
                    other => got == other && status.code < 500,
                };
                if !ok {
                    failures.push(format!("{who:>9} {pattern} ({path}): expected {want:?}, got {status} {location:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "authorization matrix:\n{}", failures.join("\n"));
    }
}

on_both_backends! {
    fn every_form_post_without_the_csrf_token_is_refused(t) {
        let db = t.with_demo();
        let fixture = setup(&t, &db);
        let client = t.client(db.clone());
        let csrf = sign_in(&client, "admin", password("admin"));
        // Every form post of the pages (the API takes bearer tokens, not forms).
        for pattern in table().keys().filter(|k| k.starts_with("POST /") && !k.starts_with("POST /api/") && !k.starts_with("POST /dhis2/") && **k != "POST /login") {
            let (path, body) = request(pattern, "admin", &fixture);
            for forged in ["", "csrf=not-the-token", &format!("csrf={}x", &csrf[..csrf.len() - 1])] {
                let body = [body.as_str(), forged].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("&");
                let r = client.post(path.clone()).header(ContentType::Form).body(body).dispatch();
                assert_eq!(r.status(), Status::Forbidden, "{pattern} with '{forged}'");
            }
        }
        // Nothing those posts asked for happened.
        let mut c = db.get().unwrap();
        assert!(user::by_username(&mut c, "new-admin").unwrap().is_none());
        assert!(user::find(&mut c, fixture.target_user).unwrap().is_active);
        // The session survived (sign-out was refused too).
        assert_eq!(client.get("/account").dispatch().status(), Status::Ok);
    }
}
