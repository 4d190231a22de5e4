use rocket::State;
use rocket_dyn_templates::Template;
use serde::Serialize;
use serde_json::json;

use super::view::render;
use crate::auth::Signed;
use crate::db::Db;
use crate::domain::access::Permission;
use crate::error::AppResult;
use crate::figures::cache::Cache;
use crate::format;
use crate::models::{activity, programme};
use crate::overview::{ProgrammeOverview, RagCounts};
use crate::waiting;

#[derive(Serialize)]
struct Card {
    code: String,
    name: String,
    description: String,
    dates: String,
    phase: Option<PhaseLine>,
    rag: RagCounts,
    indicators: usize,
    overdue_milestones: usize,
    activities: Vec<(String, usize)>,
    is_demo: bool,
}

/// One programme's part of "Waiting for you".
#[derive(Serialize)]
struct Waiting {
    code: String,
    name: String,
    items: Vec<waiting::Item>,
}

#[derive(Serialize)]
struct PhaseLine {
    name: String,
    dates: String,
    state: &'static str,
    counties: Vec<String>,
}

#[rocket::get("/")]
pub async fn index(db: &State<Db>, cache: &State<Cache>, signed: &Signed) -> AppResult<Template> {
    let today = crate::clock::today();
    let access = signed.access.clone();
    let cache = cache.inner().clone();
    let (cards, county_reports, waiting) = db
        .run(move |conn| {
            let mut cards = Vec::new();
            let mut waiting = Vec::new();
            let all = programme::all(conn)?;
            // The ministry's county reports cover every programme.
            let county_reports =
                !all.is_empty() && all.iter().all(|p| access.can(p.id, Permission::ViewDetail));
            // Archived programmes leave everyday lists (administrators find them under
            // Manage programmes).
            for p in all
                .into_iter()
                .filter(|p| access.sees(p.id) && p.status != "archived")
            {
                let can = waiting::Can {
                    edit: access.can(p.id, Permission::Edit),
                    approve: access.can(p.id, Permission::Approve),
                    issue: access.can(p.id, Permission::IssueReports),
                };
                // Only those with work in the programme read its workflow state; a
                // closed programme takes no more entries.
                if (can.edit || can.approve || can.issue) && p.is_active() {
                    let (quarters, milestones) = waiting::load(conn, &p, today)?;
                    let items = waiting::items(&p.code, &quarters, &milestones, can, today);
                    if !items.is_empty() {
                        waiting.push(Waiting {
                            code: p.code.clone(),
                            name: p.name.clone(),
                            items,
                        });
                    }
                }
                let audience = access.audience(p.id);
                let o = ProgrammeOverview::summary(conn, &cache, p, today, audience)?;
                cards.push(card(&o, today));
            }
            Ok((cards, county_reports, waiting))
        })
        .await?;
    let demo = cards.iter().any(|c| c.is_demo);
    Ok(render(
        "home",
        Some(signed),
        json!({
            "cards": cards, "demo": demo, "county_reports": county_reports, "waiting": waiting,
            "is_admin": signed.user.is_admin,
        }),
    ))
}

fn card(o: &ProgrammeOverview, today: chrono::NaiveDate) -> Card {
    let p = &o.programme;
    let phase = o.current_phase(today).map(|ph| PhaseLine {
        name: ph.phase.name.clone(),
        dates: format::month_range(ph.phase.start_date, ph.phase.end_date),
        state: if ph.contains(today) {
            "running"
        } else if ph.phase.end_date < today {
            "ended"
        } else {
            "not started"
        },
        counties: ph.counties.iter().map(|c| c.name.clone()).collect(),
    });
    let activities = activity::STATUSES
        .iter()
        .map(|s| {
            (
                activity::status_label(s).to_string(),
                o.activities.iter().filter(|a| a.status == *s).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    Card {
        code: p.code.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        dates: format::month_range(p.start_date, p.end_date),
        phase,
        rag: o.rag_counts(),
        indicators: o.figures.len(),
        overdue_milestones: o.overdue_milestones(today),
        activities,
        is_demo: p.is_demo,
    }
}
