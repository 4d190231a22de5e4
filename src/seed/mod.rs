//! Reference data every deployment needs (Kenya's counties) and the demonstration
//! programmes. The content is plain data in `content`; `generate` makes its values.

pub mod content;
pub mod generate;
pub mod large;

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::Connection;

use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::framework::{self, NewIndicator, NewResult};
use crate::models::location::{self, NewLocation};
use crate::models::organisation::{self, NewOrganisation};
use crate::models::programme::{self, NewProgramme};
use crate::models::values::{self, NewTarget, NewValue};
use crate::models::{activity, audit, milestone, now, user};
use content::{ProgrammeDef, ResultDef, Ymd};

/// Loads Kenya and its 47 counties into an empty locations table. Safe to call on
/// every start: it does nothing once they are there.
pub fn reference_data(conn: &mut DbConn) -> AppResult<usize> {
    if location::count(conn)? > 0 {
        return Ok(0);
    }
    conn.transaction(|conn| {
        let kenya = location::insert(
            conn,
            &NewLocation {
                code: "KE",
                name: "Kenya",
                level: "country",
                parent_id: None,
                mou_initial: false,
                borders: "",
            },
        )?;
        for c in content::COUNTIES.iter() {
            location::insert(
                conn,
                &NewLocation {
                    code: c.code,
                    name: c.name,
                    level: "county",
                    parent_id: Some(kenya),
                    mou_initial: c.mou_initial,
                    borders: c.borders,
                },
            )?;
        }
        Ok(content::COUNTIES.len() + 1)
    })
}

/// One demonstration login per role, printed at start-up of the demo deployment only.
pub struct DemoAccount {
    pub username: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub role: Option<&'static str>,
    pub admin: bool,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 5] = [
    DemoAccount {
        username: "admin",
        name: "Demo Administrator",
        password: "mipaka-admin-demo",
        role: None,
        admin: true,
    },
    DemoAccount {
        username: "manager",
        name: "Amina Hassan (demo programme manager)",
        password: "mipaka-manager-demo",
        role: Some("manager"),
        admin: false,
    },
    DemoAccount {
        username: "officer",
        name: "Peter Ekai (demo ministry M&E officer)",
        password: "mipaka-officer-demo",
        role: Some("me_officer"),
        admin: false,
    },
    DemoAccount {
        username: "evaluator",
        name: "Grace Wanjiru (demo evaluator)",
        password: "mipaka-evaluator-demo",
        role: Some("evaluator"),
        admin: false,
    },
    DemoAccount {
        username: "donor",
        name: "James Carter (demo donor)",
        password: "mipaka-donor-demo",
        role: Some("donor"),
        admin: false,
    },
];

#[derive(Debug, Default)]
pub struct DemoSummary {
    pub programmes: usize,
    pub indicators: usize,
    pub targets: usize,
    pub values: usize,
    pub milestones: usize,
    pub activities: usize,
    pub accounts: usize,
}

/// Loads the three demonstration programmes in one transaction: all or nothing.
/// `today` decides which quarters have values (only quarters that have ended).
pub fn demo(conn: &mut DbConn, today: NaiveDate) -> AppResult<DemoSummary> {
    reference_data(conn)?;
    conn.transaction(|conn| {
        for p in content::PROGRAMMES {
            if programme::by_code(conn, p.code).is_ok() {
                return Err(AppError::Conflict(format!(
                    "The demonstration programme {} is already loaded; nothing was changed.",
                    p.code
                )));
            }
        }
        let counties: HashMap<String, i32> = location::counties(conn)?
            .into_iter()
            .map(|l| (l.code, l.id))
            .collect();
        let mut orgs: HashMap<String, i32> = organisation::all(conn)?
            .into_iter()
            .map(|o| (o.code, o.id))
            .collect();
        for o in content::ORGANISATIONS {
            if !orgs.contains_key(o.code) {
                let id = organisation::insert(
                    conn,
                    &NewOrganisation {
                        code: o.code,
                        name: o.name,
                        short_name: o.short_name,
                        kind: o.kind,
                    },
                )?;
                orgs.insert(o.code.to_string(), id);
            }
        }
        let mut summary = DemoSummary::default();
        for p in content::PROGRAMMES {
            load_programme(conn, p, today, &counties, &orgs, &mut summary)?;
        }
        demo_links(conn)?;
        summary.accounts = demo_accounts(conn)?;
        audit::record(
            conn,
            audit::Change {
                actor: "system",
                action: "seed_demo",
                entity: "programme",
                detail: format!(
                    "loaded {} demonstration programmes with {} values",
                    summary.programmes, summary.values
                ),
                ..Default::default()
            },
        )?;
        Ok(summary)
    })
}

/// The demonstration's indicator continuity: Deris Wanaag into the Land Border Programme.
fn demo_links(conn: &mut DbConn) -> AppResult<()> {
    use crate::models::{continuity, framework};
    let find = |conn: &mut DbConn, code: &str| -> AppResult<i32> {
        framework::indicators_with_code(conn, code)?
            .first()
            .map(|i| i.id)
            .ok_or_else(|| AppError::Internal(format!("demo link names unknown indicator {code}")))
    };
    for l in content::LINKS {
        let indicator_id = find(conn, l.indicator)?;
        let continues_id = match l.continues {
            Some(code) => Some(find(conn, code)?),
            None => None,
        };
        continuity::insert(
            conn,
            &continuity::NewLink {
                indicator_id,
                continues_id,
                effective_period: l.from_period,
                definition_changed: l.definition_changed,
                note: l.note,
                created_by: None,
                created_at: crate::auth::now(),
            },
        )?;
    }
    Ok(())
}

fn demo_accounts(conn: &mut DbConn) -> AppResult<usize> {
    let mut n = 0;
    for a in &DEMO_ACCOUNTS {
        let u = match user::by_username(conn, a.username)? {
            Some(u) => u,
            None => {
                n += 1;
                user::create(
                    conn,
                    &user::NewAccount {
                        username: a.username,
                        display_name: a.name,
                        email: "",
                        password: a.password,
                        is_admin: a.admin,
                    },
                )?
            }
        };
        if let Some(role) = a.role {
            for p in content::PROGRAMMES {
                user::grant_role(conn, u.id, p.code, role)?;
            }
        }
    }
    Ok(n)
}

fn ymd((y, m, d): Ymd) -> AppResult<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        AppError::Internal(format!("demo content has an impossible date {y}-{m}-{d}"))
    })
}

fn lookup(map: &HashMap<String, i32>, code: &str, what: &str) -> AppResult<i32> {
    map.get(code)
        .copied()
        .ok_or_else(|| AppError::Internal(format!("demo content names an unknown {what} '{code}'")))
}

fn load_programme(
    conn: &mut DbConn,
    p: &'static ProgrammeDef,
    today: NaiveDate,
    counties: &HashMap<String, i32>,
    orgs: &HashMap<String, i32>,
    summary: &mut DemoSummary,
) -> AppResult<()> {
    let pid = programme::insert(
        conn,
        &NewProgramme {
            code: p.code,
            name: p.name,
            description: p.description,
            currency: p.currency,
            start_date: ymd(p.start)?,
            end_date: ymd(p.end)?,
            is_demo: true,
            created_at: now(),
        },
    )?;
    summary.programmes += 1;
    for (org, role) in p.partners {
        organisation::add_partner(conn, pid, lookup(orgs, org, "organisation")?, role)?;
    }
    for (i, ph) in p.phases.iter().enumerate() {
        let ids = ph
            .counties
            .iter()
            .map(|c| lookup(counties, c, "county"))
            .collect::<AppResult<Vec<_>>>()?;
        programme::insert_phase(
            conn,
            pid,
            ph.name,
            ymd(ph.start)?,
            ymd(ph.end)?,
            i as i32,
            &ids,
        )?;
    }

    let mut results: HashMap<String, i32> = HashMap::new();
    let mut indicators: HashMap<&str, i32> = HashMap::new();
    let mut position = 0;
    insert_results(
        conn,
        pid,
        &p.framework,
        None,
        &mut position,
        &mut results,
        &mut indicators,
        summary,
    )?;

    let targets = generate::targets(p)
        .into_iter()
        .map(|t| {
            let period = parse_period(&t.period)?;
            Ok(NewTarget {
                indicator_id: lookup_ind(&indicators, t.indicator_code)?,
                period: period.id(),
                period_start: period.start(),
                period_end: period.end(),
                value: t.value,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    summary.targets += values::insert_targets(conn, &targets)?;

    let entered_at = now();
    let rows = generate::values(p, today)
        .into_iter()
        .map(|v| {
            let period = parse_period(&v.period)?;
            let approved = v.status == "approved";
            Ok(NewValue {
                indicator_id: lookup_ind(&indicators, v.indicator_code)?,
                period: period.id(),
                period_start: period.start(),
                period_end: period.end(),
                location_id: lookup(counties, v.county_code, "county")?,
                disaggregation: v.disaggregation,
                value: v.value,
                comment: v.comment,
                status: v.status.to_string(),
                entered_by: None,
                entered_at,
                reviewed_by: None,
                reviewed_at: approved.then_some(entered_at),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    summary.values += values::insert_values(conn, &rows)?;

    for m in p.milestones {
        milestone::insert(
            conn,
            &milestone::NewMilestone {
                programme_id: pid,
                result_id: Some(lookup(&results, m.output, "output")?),
                location_id: m
                    .county
                    .map(|c| lookup(counties, c, "county"))
                    .transpose()?,
                title: m.title,
                due_date: ymd(m.due)?,
                status: m.status,
                completed_date: m.completed.map(ymd).transpose()?,
                evidence_note: m.evidence,
                updated_at: entered_at,
            },
        )?;
        summary.milestones += 1;
    }
    for a in p.activities {
        activity::insert(
            conn,
            &activity::NewActivity {
                programme_id: pid,
                result_id: Some(lookup(&results, a.output, "output")?),
                code: a.code,
                title: a.title,
                lead_organisation_id: Some(lookup(orgs, a.lead, "organisation")?),
                location_id: a
                    .county
                    .map(|c| lookup(counties, c, "county"))
                    .transpose()?,
                planned_start: ymd(a.planned_start)?,
                planned_end: ymd(a.planned_end)?,
                actual_start: a.actual_start.map(ymd).transpose()?,
                actual_end: a.actual_end.map(ymd).transpose()?,
                status: a.status,
                percent_complete: a.percent_complete,
                budget_minor: a.budget_minor,
                spend_minor: a.spend_minor,
                updated_at: entered_at,
            },
        )?;
        summary.activities += 1;
    }
    Ok(())
}

fn parse_period(id: &str) -> AppResult<Period> {
    Period::parse(id).map_err(|e| AppError::Internal(format!("demo content: {e}")))
}

fn lookup_ind(map: &HashMap<&str, i32>, code: &str) -> AppResult<i32> {
    map.get(code).copied().ok_or_else(|| {
        AppError::Internal(format!("demo values name an unknown indicator '{code}'"))
    })
}

#[allow(clippy::too_many_arguments)]
fn insert_results(
    conn: &mut DbConn,
    pid: i32,
    r: &'static ResultDef,
    parent: Option<i32>,
    position: &mut i32,
    results: &mut HashMap<String, i32>,
    indicators: &mut HashMap<&'static str, i32>,
    summary: &mut DemoSummary,
) -> AppResult<()> {
    *position += 1;
    let id = framework::insert_result(
        conn,
        &NewResult {
            programme_id: pid,
            parent_id: parent,
            level: r.level,
            code: r.code,
            statement: r.statement,
            impact_weighting: r.impact_weighting,
            risk_rating: r.risk_rating,
            assumptions: r.assumptions,
            position: *position,
        },
    )?;
    results.insert(r.code.to_string(), id);
    for (i, ind) in r.indicators.iter().enumerate() {
        let iid = framework::insert_indicator(
            conn,
            &NewIndicator {
                programme_id: pid,
                result_id: id,
                code: ind.code,
                title: ind.title,
                definition: ind.definition,
                unit: ind.unit,
                direction: ind.direction,
                county_aggregation: ind.county_aggregation,
                period_aggregation: ind.period_aggregation,
                baseline_value: Some(ind.baseline),
                baseline_date: Some(ymd(ind.baseline_date)?),
                end_target: Some(ind.end_target),
                means_of_verification: ind.means_of_verification,
                disaggregations: ind.disaggregations.join(","),
                is_key: ind.key,
                position: *position * 100 + i as i32,
            },
        )?;
        indicators.insert(ind.code, iid);
        summary.indicators += 1;
    }
    for child in r.children {
        insert_results(
            conn,
            pid,
            child,
            Some(id),
            position,
            results,
            indicators,
            summary,
        )?;
    }
    Ok(())
}
