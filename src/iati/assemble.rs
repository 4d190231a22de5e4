//! The activity read from the tracker. Every figure comes from the figures engine on
//! approved values, as the donor report's do: per quarter, the programme's milestone is
//! the target and its approved figure the actual, with each county's figure (a
//! `location` ref) and each part's (a `dimension`).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDateTime};

use super::model::{
    Activity, Baseline, Budget, IndicatorElement, Org, PeriodElement, Place, Point, ResultElement,
    Transaction,
};
use super::spend::{self, SpendReport};
use crate::db::DbConn;
use crate::domain::codelist::role_code;
use crate::domain::disclosure::Audience;
use crate::domain::period::Period;
use crate::domain::unit::Unit;
use crate::error::AppResult;
use crate::figures::shared::Withheld;
use crate::figures::{self, Request, Span};
use crate::models::framework::{self, level_rank};
use crate::models::organisation::{self, Organisation};
use crate::models::programme::{self, Programme};

/// A county's reference in the file: its KNBS code, under a prefix that says whose code
/// it is (IATI has no vocabulary for Kenya's county codes; the reference is ours).
pub fn place_ref(knbs: &str) -> String {
    format!("KE-KNBS-{knbs}")
}

fn org_of(o: &Organisation) -> Org {
    Org {
        reference: o.iati_identifier.clone(),
        org_type: o.iati_type.clone(),
        name: o.name.clone(),
    }
}

/// The partner that publishes: the implementing partner with an IATI identifier, else
/// the one that manages the funds, else the accountable one.
fn publisher(partners: &[(String, Organisation)]) -> Org {
    ["implementing", "extending", "accountable"]
        .iter()
        .find_map(|role| {
            partners
                .iter()
                .find(|(r, o)| r == role && !o.iati_identifier.is_empty())
                .map(|(_, o)| org_of(o))
        })
        .unwrap_or_else(|| Org {
            reference: String::new(),
            org_type: String::new(),
            name: String::new(),
        })
}

fn measure(unit: Unit) -> u8 {
    match unit {
        Unit::Percentage => 2,
        _ => 1,
    }
}

/// The programme as one IATI activity, as at `now`; `public_url` for indicator links.
pub fn activity(
    conn: &mut DbConn,
    p: &Programme,
    public_url: &str,
    now: NaiveDateTime,
) -> AppResult<Activity> {
    let today = now.date();
    let partners = organisation::partners_of(conn, p.id)?;
    let reporting_org = publisher(&partners);
    let identifier = if p.iati_identifier.trim().is_empty() {
        format!("{}-{}", reporting_org.reference, p.code)
    } else {
        p.iati_identifier.trim().to_string()
    };
    let participants = partners
        .iter()
        .filter_map(|(role, o)| role_code(role).map(|c| (c, org_of(o))))
        .collect();
    let ended = p.end_date < today;
    let status = match (p.start_date > today, ended, p.is_active()) {
        (true, _, _) => 1,
        (false, false, true) => 2,
        (false, true, true) => 3,
        (false, _, false) => 4,
    };
    let mut dates = vec![(1, p.start_date)];
    if p.start_date <= today {
        dates.push((2, p.start_date));
    }
    dates.push((3, p.end_date));
    if ended && !p.is_active() {
        dates.push((4, p.end_date));
    }

    let phases = programme::phases_of(conn, p.id)?;
    let mut places: Vec<Place> = Vec::new();
    let mut refs: BTreeMap<i32, String> = BTreeMap::new();
    for c in phases.iter().flat_map(|ph| ph.counties.iter()) {
        if refs.insert(c.id, place_ref(&c.code)).is_none() {
            places.push(Place {
                reference: place_ref(&c.code),
                name: c.name.clone(),
            });
        }
    }

    // Each ended quarter's approved figures, once for every indicator.
    let mut periods: BTreeMap<i32, Vec<PeriodElement>> = BTreeMap::new();
    let mut q = Period::quarter_containing(p.start_date);
    let req = Request {
        to_date: false,
        ..Request::report(0)
    };
    let mut withheld: Vec<Withheld> = Vec::new();
    while q.end() < today && q.start() <= p.end_date {
        let mut f = figures::load(conn, p, &phases, &Span::quarter(q), &req)?;
        // The public file: only public indicators, small county figures withheld (a
        // number is required here, so "fewer than N" is withheld too).
        withheld.extend(
            figures::shared::disclose(&mut f, Audience::Public)
                .into_iter()
                .filter(|w| w.county.is_some()),
        );
        for fig in &f.figures {
            let mut targets = Vec::new();
            if let Some(t) = fig.figure.target {
                targets.push(Point::total(t));
            }
            let mut actuals = Vec::new();
            if let Some(v) = fig.figure.value {
                // What the programme's figure is, where a sum would be the natural reading.
                let comment = if fig.figure.county_mean {
                    Some("Mean of the counties' figures".to_string())
                } else {
                    fig.figure
                        .yes
                        .as_ref()
                        .map(|y| format!("Counties answering yes: {} of {}", y.yes, y.of))
                };
                actuals.push(Point {
                    comment,
                    ..Point::total(v)
                });
                for (county, value) in &fig.figure.by_county {
                    if let (Some(v), Some(r)) = (value, refs.get(county)) {
                        actuals.push(Point {
                            value: *v,
                            location: Some(r.clone()),
                            dimension: None,
                            comment: None,
                        });
                    }
                }
                for part in &fig.figure.parts {
                    if let (Some(v), Some((name, value))) = (part.value, part.key.split_once('=')) {
                        actuals.push(Point {
                            value: v,
                            location: None,
                            dimension: Some((name.into(), value.into())),
                            comment: None,
                        });
                    }
                }
            }
            if !targets.is_empty() || !actuals.is_empty() {
                periods
                    .entry(fig.indicator.id)
                    .or_default()
                    .push(PeriodElement {
                        start: q.start(),
                        end: q.end(),
                        targets,
                        actuals,
                    });
            }
        }
        q = q.next();
    }

    let mut results: Vec<_> = framework::results_of(conn, p.id)?
        .into_iter()
        .filter(|r| !r.archived)
        .collect();
    results.sort_by_key(|r| (level_rank(&r.level), r.position));
    let all = framework::active_indicators_of(conn, p.id)?;
    for i in all.iter().filter(|i| !Audience::Public.may_see(i.level())) {
        withheld.push(Withheld {
            indicator: i.code.clone(),
            title: i.title.clone(),
            county: None,
            period: "every period".into(),
            shown_as: "left out".into(),
            why: format!(
                "publication level {}: {}",
                i.level().as_str(),
                i.level().explain()
            ),
        });
    }
    let indicators: Vec<_> = all
        .into_iter()
        .filter(|i| Audience::Public.may_see(i.level()))
        .collect();
    let mut out = Vec::new();
    for r in results {
        let mut elements = Vec::new();
        for i in indicators.iter().filter(|i| i.result_id == r.id) {
            let rules = i.rules()?;
            let baseline = i.baseline_value.map(|value| Baseline {
                year: i.baseline_date.unwrap_or(p.start_date).year(),
                date: i.baseline_date,
                value,
            });
            elements.push(IndicatorElement {
                code: i.code.clone(),
                measure: measure(rules.unit),
                ascending: rules.direction == crate::domain::achievement::Direction::HigherIsBetter,
                title: i.title.clone(),
                description: i.definition.clone(),
                uri: format!("{public_url}/programmes/{}/indicators/{}", p.code, i.code),
                baseline,
                periods: periods.remove(&i.id).unwrap_or_default(),
            });
        }
        if elements.is_empty() {
            continue;
        }
        let level = match r.level.as_str() {
            "impact" => 3,
            "outcome" => 2,
            _ => 1,
        };
        let mut word = r.level.clone();
        if let Some(first) = word.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        out.push(ResultElement {
            result_type: level,
            title: format!("{word} {}: {}", r.code, r.statement),
            indicators: elements,
        });
    }
    // Each fiscal year's budget lines, added up (a line's year is a DHIS2 financial-year
    // period such as 2025July).
    let mut by_year: BTreeMap<Period, i64> = BTreeMap::new();
    for line in crate::models::budget::of_programme(conn, p.id)? {
        if let Ok(fy) = Period::parse(&line.fiscal_year) {
            *by_year.entry(fy).or_default() += line.amount_minor;
        }
    }
    let budgets = by_year
        .into_iter()
        .map(|(fy, amount_minor)| Budget {
            start: fy.start(),
            end: fy.end(),
            amount_minor,
        })
        .collect();
    let reports: Vec<SpendReport> = crate::models::activity_progress::of_programme(conn, p.id)?
        .iter()
        .map(|r| SpendReport {
            activity: r.activity_id,
            period_end: r.period_end,
            spend_to_date_minor: r.spend_to_date_minor,
            approved: r.is_approved(),
        })
        .collect();
    let transactions = spend::by_quarter(&reports, today)
        .into_iter()
        .map(|q| Transaction {
            date: q.period_end,
            amount_minor: q.amount_minor,
            description: format!(
                "Expenditure in {}: the rise in approved spend to date of {} {}",
                Period::quarter_containing(q.period_end).id(),
                q.activities,
                if q.activities == 1 {
                    "activity"
                } else {
                    "activities"
                }
            ),
        })
        .collect();
    // Checked when saved; a row changed behind the tracker's back shows as a problem.
    let sectors = super::sector::parse(&p.iati_sectors).unwrap_or_default();
    Ok(Activity {
        identifier,
        reporting_org,
        title: p.name.clone(),
        description: if p.description.trim().is_empty() {
            p.name.clone()
        } else {
            p.description.clone()
        },
        participants,
        status,
        dates,
        currency: p.currency.clone(),
        last_updated: now,
        places,
        sectors,
        budgets,
        transactions,
        results: out,
        withheld,
    })
}
