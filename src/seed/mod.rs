//! Reference data every deployment needs (Kenya's counties) and the demonstration
//! programmes. The content is plain data in `content`; `generate` makes its values.

pub mod content;
pub mod generate;
pub mod large;
pub mod progress;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::DbConn;
use crate::domain::period::Period;
use crate::domain::plan::{format_money_plain, ActivityFields, MilestoneFields};
use crate::domain::setup::{
    BudgetFields, CategoryFields, IndicatorFields, PartnerFields, PhaseFields, ProgrammeFields,
    ResultFields, TargetFields,
};
use crate::entry::Mode;
use crate::error::{AppError, AppResult};
use crate::models::audit::Actor;
use crate::models::location::{self, NewLocation};
use crate::models::programme;
use crate::models::values::{self, NewValue};
use crate::models::{activity_progress, framework};
use crate::models::{audit, user};
use crate::setup::logframe::{self, Item, Logframe, Origin};
use content::{ProgrammeDef, Ymd};

/// Loads Kenya and its 47 counties into an empty locations table. Safe to call on
/// every start: it does nothing once they are there.
pub fn reference_data(conn: &mut DbConn) -> AppResult<usize> {
    if location::count(conn)? > 0 {
        return Ok(0);
    }
    crate::db::write(conn, |conn| {
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

/// Loads the three demonstration programmes in one transaction: all or nothing. Each
/// programme is set up through the same logframe path as a spreadsheet import (so every
/// start of the demonstration exercises the setup checks); its values are then added.
/// `today` decides which quarters have values (only quarters that have ended).
pub fn demo(conn: &mut DbConn, today: NaiveDate) -> AppResult<DemoSummary> {
    reference_data(conn)?;
    crate::db::write(conn, |conn| {
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
        let mut summary = DemoSummary::default();
        for p in content::PROGRAMMES {
            load_programme(conn, p, today, &counties, &mut summary)?;
        }
        demo_links(conn)?;
        demo_publication(conn)?;
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
                created_at: crate::clock::now(),
            },
        )?;
    }
    Ok(())
}

/// The demonstration's IATI sectors, and its publication levels: every indicator public
/// (so the IATI file has results), then the sensitive ones held back as
/// [`content::PUBLICATION`] says.
fn demo_publication(conn: &mut DbConn) -> AppResult<()> {
    use crate::models::framework;
    for p in content::PROGRAMMES {
        let prog = programme::by_code(conn, p.code)?;
        let pid = prog.id;
        if let Some((_, text)) = content::SECTORS.iter().find(|(c, _)| *c == p.code) {
            let sectors = crate::iati::sector::parse(text).map_err(AppError::Internal)?;
            programme::set_iati_sectors_if_version(
                conn,
                pid,
                prog.version,
                &crate::iati::sector::canonical(&sectors),
            )?;
        }
        for i in framework::indicators_of(conn, pid)? {
            let (level, rule, below) = content::PUBLICATION
                .iter()
                .find(|(code, ..)| *code == i.code)
                .map_or(("public", "none", None), |(_, l, r, b)| (*l, *r, *b));
            framework::set_publication_if_version(conn, i.id, i.version, level, rule, below)?;
        }
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
                // example.org never receives mail: a demonstration server pointed at a
                // real mail server sends nothing to anyone real.
                let email = format!("{}@example.org", a.username);
                user::create(
                    conn,
                    &user::NewAccount {
                        username: a.username,
                        display_name: a.name,
                        email: &email,
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

/// The system, as the author of the demonstration's set-up in the audit log.
fn system() -> Actor {
    Actor {
        user_id: None,
        name: "system".into(),
    }
}

fn load_programme(
    conn: &mut DbConn,
    p: &'static ProgrammeDef,
    today: NaiveDate,
    counties: &HashMap<String, i32>,
    summary: &mut DemoSummary,
) -> AppResult<()> {
    let doc = logframe_of(p)?;
    let report = logframe::apply(
        conn,
        &system(),
        logframe::Destination::New { is_demo: true },
        &doc,
        logframe::Apply {
            mode: Mode::Write,
            expect_plan: None,
            today,
            now: crate::clock::now(),
        },
    )?;
    if !report.is_clean() {
        let first: Vec<String> = report
            .problems
            .iter()
            .take(5)
            .map(|pr| format!("{}: {}", pr.place, pr.message))
            .collect();
        return Err(AppError::Internal(format!(
            "the demonstration programme {} does not pass the setup checks: {}",
            p.code,
            first.join("; ")
        )));
    }
    let stored = programme::by_code(conn, p.code)?;
    summary.programmes += 1;
    summary.indicators += doc.indicators.len();
    summary.targets += doc.targets.len();
    summary.milestones += doc.milestones.len();
    summary.activities += doc.activities.len();
    let indicators: HashMap<String, i32> = framework::indicators_of(conn, stored.id)?
        .into_iter()
        .map(|i| (i.code, i.id))
        .collect();
    let entered_at = crate::clock::now();
    let rows = generate::values(p, today)
        .into_iter()
        .map(|v| {
            let period = parse_period(&v.period)?;
            let approved = v.status == "approved";
            Ok(NewValue {
                indicator_id: lookup(&indicators, v.indicator_code, "indicator")?,
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
    let activities: HashMap<String, i32> = crate::models::activity::of_programme(conn, stored.id)?
        .into_iter()
        .map(|a| (a.code, a.id))
        .collect();
    let history = progress::history(p, today)
        .into_iter()
        .map(|g| {
            let approved = g.workflow_status == "approved";
            Ok(activity_progress::NewProgress {
                activity_id: lookup(&activities, g.activity_code, "activity")?,
                period: g.period.id(),
                period_start: g.period.start(),
                period_end: g.period.end(),
                status: g.status.into(),
                percent_complete: g.percent_complete,
                spend_to_date_minor: g.spend_to_date_minor,
                note: g.note.into(),
                workflow_status: g.workflow_status.into(),
                entered_by: None,
                entered_at,
                reviewed_by: None,
                reviewed_at: approved.then_some(entered_at),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    activity_progress::insert_many(conn, &history)?;
    Ok(())
}

fn parse_period(id: &str) -> AppResult<Period> {
    Period::parse(id).map_err(|e| AppError::Internal(format!("demo content: {e}")))
}

/// The IATI organisation type of a demonstration organisation's kind.
fn iati_type(kind: &str) -> &'static str {
    match kind {
        "government" | "donor" => "10",
        "un_agency" => "40",
        "private" => "70",
        "committee" => "15",
        "civil_society" => "22",
        _ => "",
    }
}

/// IATI roles of a demonstration partner's role: the implementing partner both manages
/// the funds on the funder's behalf and implements.
fn iati_roles(role: &str) -> Vec<String> {
    match role {
        "donor" => vec!["funding".into()],
        "lead_ministry" => vec!["accountable".into()],
        "implementing_partner" => vec!["extending".into(), "implementing".into()],
        _ => vec!["implementing".into()],
    }
}

fn text_date(d: Ymd) -> String {
    format!("{:04}-{:02}-{:02}", d.0, d.1, d.2)
}

fn number_text(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A demonstration programme as the logframe document a spreadsheet would give.
pub fn logframe_of(p: &'static ProgrammeDef) -> AppResult<Logframe> {
    let origin = |row: usize| Origin::new(&format!("demo {}", p.code), row as u32 + 1);
    let funder = p
        .partners
        .iter()
        .find(|(_, role)| *role == "donor")
        .and_then(|(code, _)| content::ORGANISATIONS.iter().find(|o| o.code == *code))
        .map(|o| o.name.to_string())
        .unwrap_or_default();
    let programme = Item::new(
        ProgrammeFields {
            code: p.code.into(),
            name: p.name.into(),
            short_name: p.code.into(),
            description: p.description.into(),
            funder,
            currency: p.currency.into(),
            start_date: text_date(p.start),
            end_date: text_date(p.end),
            reporting_frequency: "quarterly".into(),
            rag_green_within: "15".into(),
            rag_amber_within: "30".into(),
            iati_identifier: String::new(),
            donor_reference: String::new(),
        },
        origin(0),
    );
    let used: Vec<&str> = p
        .indicators()
        .iter()
        .flat_map(|i| i.disaggregations.iter().copied())
        .collect();
    let categories = content::CATEGORIES
        .iter()
        .filter(|c| used.contains(&c.code))
        .enumerate()
        .map(|(i, c)| {
            Item::new(
                CategoryFields {
                    code: c.code.into(),
                    label: c.label.into(),
                    options: c
                        .options
                        .iter()
                        .map(|(code, label)| format!("{code} = {label}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                },
                origin(i),
            )
        })
        .collect();
    let phases = p
        .phases
        .iter()
        .enumerate()
        .map(|(i, ph)| {
            Item::new(
                PhaseFields {
                    name: ph.name.into(),
                    start_date: text_date(ph.start),
                    end_date: text_date(ph.end),
                    counties: ph.counties.iter().map(|c| c.to_string()).collect(),
                },
                origin(i),
            )
        })
        .collect();
    let mut partners: Vec<Item<PartnerFields>> = Vec::new();
    for (i, (code, role)) in p.partners.iter().enumerate() {
        let org = content::ORGANISATIONS
            .iter()
            .find(|o| o.code == *code)
            .ok_or_else(|| {
                AppError::Internal(format!("demo partner {code} is not an organisation"))
            })?;
        let identifier = match org.code {
            "FCDO" => "GB-GOV-1",
            "IOM" => "XM-DAC-47066",
            _ => "",
        };
        partners.push(Item::new(
            PartnerFields {
                code: org.code.into(),
                name: org.name.into(),
                short_name: org.short_name.into(),
                iati_type: iati_type(org.kind).into(),
                iati_identifier: identifier.into(),
                roles: iati_roles(role),
            },
            origin(i),
        ));
    }
    let mut results = Vec::new();
    let mut indicators = Vec::new();
    let all = p.results();
    let mut by_level = all.clone();
    by_level.sort_by_key(|r| framework::level_rank(r.level));
    for (i, r) in by_level.iter().enumerate() {
        let parent = all
            .iter()
            .find(|x| x.children.iter().any(|c| c.code == r.code))
            .map(|x| x.code.to_string())
            .unwrap_or_default();
        results.push(Item::new(
            ResultFields {
                level: r.level.into(),
                code: r.code.into(),
                statement: r.statement.into(),
                parent,
                impact_weighting: r.impact_weighting.map(number_text).unwrap_or_default(),
                risk_rating: r.risk_rating.unwrap_or_default().into(),
                assumptions: r.assumptions.into(),
            },
            origin(i),
        ));
    }
    for (i, r) in all.iter().enumerate() {
        for ind in r.indicators {
            indicators.push(Item::new(
                IndicatorFields {
                    result: r.code.into(),
                    code: ind.code.into(),
                    title: ind.title.into(),
                    definition: ind.definition.into(),
                    unit: ind.unit.into(),
                    direction: ind.direction.into(),
                    county_rule: ind.county_aggregation.into(),
                    period_rule: ind.period_aggregation.into(),
                    baseline_value: number_text(ind.baseline),
                    baseline_date: text_date(ind.baseline_date),
                    end_target: number_text(ind.end_target),
                    end_target_date: text_date(p.end),
                    means_of_verification: ind.means_of_verification.into(),
                    data_source: String::new(),
                    key: if ind.key { "yes" } else { "no" }.into(),
                    disaggregations: ind.disaggregations.iter().map(|d| d.to_string()).collect(),
                },
                origin(i),
            ));
        }
    }
    let targets = generate::targets(p)
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            Item::new(
                TargetFields {
                    indicator: t.indicator_code.into(),
                    period: t.period,
                    county: String::new(),
                    disaggregation: String::new(),
                    value: number_text(t.value),
                },
                origin(i),
            )
        })
        .collect();
    let activities: Vec<Item<ActivityFields>> = p
        .activities
        .iter()
        .enumerate()
        .map(|(i, a)| {
            Item::new(
                ActivityFields {
                    code: a.code.into(),
                    title: a.title.into(),
                    output: a.output.into(),
                    lead: a.lead.into(),
                    county: a.county.unwrap_or_default().into(),
                    planned_start: text_date(a.planned_start),
                    planned_end: text_date(a.planned_end),
                    actual_start: a.actual_start.map(text_date).unwrap_or_default(),
                    actual_end: a.actual_end.map(text_date).unwrap_or_default(),
                    status: a.status.into(),
                    percent_complete: a.percent_complete.to_string(),
                    budget: format_money_plain(a.budget_minor),
                    spend: format_money_plain(a.spend_minor),
                },
                origin(i),
            )
        })
        .collect();
    let milestones = p
        .milestones
        .iter()
        .enumerate()
        .map(|(i, m)| {
            Item::new(
                MilestoneFields {
                    title: m.title.into(),
                    output: m.output.into(),
                    county: m.county.unwrap_or_default().into(),
                    due: text_date(m.due),
                    status: m.status.into(),
                    completed: m.completed.map(text_date).unwrap_or_default(),
                    evidence: m.evidence.into(),
                },
                origin(i),
            )
        })
        .collect();
    let budget = budget_lines(p)?
        .into_iter()
        .enumerate()
        .map(|(i, b)| Item::new(b, origin(i)))
        .collect();
    Ok(Logframe {
        programme,
        categories,
        phases,
        partners,
        results,
        indicators,
        targets,
        budget,
        activities,
        milestones,
    })
}

/// The demonstration budget: each activity's budget spread over the Kenyan fiscal years
/// its planned dates cover, by days, so the lines add up to the activities' budgets.
fn budget_lines(p: &ProgrammeDef) -> AppResult<Vec<BudgetFields>> {
    let mut out = Vec::new();
    for a in p.activities {
        let (start, end) = (ymd(a.planned_start)?, ymd(a.planned_end)?);
        let days = (end - start).num_days() + 1;
        let mut years = Vec::new();
        let mut fy = Period::kenyan_fy_containing(start);
        while fy.start() <= end {
            let from = fy.start().max(start);
            let to = fy.end().min(end);
            years.push((fy, (to - from).num_days() + 1));
            fy = fy.next();
        }
        let mut left = a.budget_minor;
        for (i, (fy, d)) in years.iter().enumerate() {
            let share = if i + 1 == years.len() {
                left
            } else {
                a.budget_minor * d / days
            };
            left -= share;
            out.push(BudgetFields {
                output: a.output.into(),
                activity: a.code.into(),
                fiscal_year: fy.id(),
                amount: format_money_plain(share),
                description: a.title.into(),
            });
        }
    }
    Ok(out)
}
