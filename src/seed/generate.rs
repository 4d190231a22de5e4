//! Deterministic logframe milestones (interim targets) and county-level
//! indicator values for the demonstration programmes.
//!
//! No randomness crate: variation comes from a splitmix64 generator seeded
//! with an FNV-1a hash of the programme, indicator, county and period, so the
//! same inputs always give the same numbers on every platform.
//!
//! Periods are calendar quarters written as DHIS2 period ids ("2026Q3").
//! See the conventions at the top of [`super::content`] for what baselines
//! and end targets mean for each aggregation.

use super::content::{IndicatorDef, ProgrammeDef, Ymd};
use chrono::{Datelike, NaiveDate};

/// A programme-wide logframe milestone (interim target) for one quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct GenTarget {
    pub indicator_code: &'static str,
    /// DHIS2 quarterly period id, e.g. "2026Q3".
    pub period: String,
    pub value: f64,
}

/// One reported value for a county and quarter. `disaggregation` is "" for
/// the county total, or "dimension=category" (e.g. "sex=female") for a part;
/// the parts of each dimension sum exactly to the total.
#[derive(Debug, Clone, PartialEq)]
pub struct GenValue {
    pub indicator_code: &'static str,
    pub period: String,
    pub county_code: &'static str,
    pub disaggregation: String,
    pub value: f64,
    pub comment: Option<String>,
    /// "approved" | "submitted" | "draft"
    pub status: &'static str,
}

/// A calendar quarter: (year, quarter 1..=4).
pub type Quarter = (i32, u32);

/// At most this many of the most recent ended quarters get values: enough for every
/// demonstration programme's whole history, so evaluators can compare its phases.
pub const MAX_VALUE_QUARTERS: usize = 20;

/// Share of the programme's quarters after which a yes/no target flips to 1.
const YES_NO_SWITCH: f64 = 0.35;

pub fn date(ymd: Ymd) -> NaiveDate {
    NaiveDate::from_ymd_opt(ymd.0, ymd.1, ymd.2).expect("valid calendar date")
}

pub fn quarter_of(d: NaiveDate) -> Quarter {
    (d.year(), (d.month() - 1) / 3 + 1)
}

pub fn next_quarter(q: Quarter) -> Quarter {
    if q.1 == 4 {
        (q.0 + 1, 1)
    } else {
        (q.0, q.1 + 1)
    }
}

pub fn previous_quarter(q: Quarter) -> Quarter {
    if q.1 == 1 {
        (q.0 - 1, 4)
    } else {
        (q.0, q.1 - 1)
    }
}

pub fn quarter_start(q: Quarter) -> NaiveDate {
    date((q.0, (q.1 - 1) * 3 + 1, 1))
}

pub fn quarter_end(q: Quarter) -> NaiveDate {
    quarter_start(next_quarter(q))
        .pred_opt()
        .expect("date in range")
}

/// DHIS2 period id, e.g. "2026Q3".
pub fn period_id(q: Quarter) -> String {
    format!("{}Q{}", q.0, q.1)
}

/// Every calendar quarter the programme touches, first to last.
pub fn programme_quarters(p: &ProgrammeDef) -> Vec<Quarter> {
    let last = quarter_of(date(p.end));
    let mut q = quarter_of(date(p.start));
    let mut out = vec![q];
    while q != last {
        q = next_quarter(q);
        out.push(q);
    }
    out
}

/// Index of the phase active in a quarter: the phase that contains the
/// quarter's last day within the programme.
fn phase_index(p: &ProgrammeDef, q: Quarter) -> usize {
    let day = quarter_end(q).min(date(p.end));
    p.phases
        .iter()
        .position(|ph| date(ph.start) <= day && day <= date(ph.end))
        .unwrap_or(p.phases.len() - 1)
}

/// Counties of the phase active in a quarter.
pub fn active_counties(p: &ProgrammeDef, q: Quarter) -> &'static [&'static str] {
    p.phases[phase_index(p, q)].counties
}

/// Option codes of a demonstration disaggregation category, in reporting order.
pub fn disaggregation_categories(dimension: &str) -> Vec<&'static str> {
    super::content::CATEGORIES
        .iter()
        .find(|c| c.code == dimension)
        .map(|c| c.options.iter().map(|o| o.0).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Deterministic pseudo-randomness
// ---------------------------------------------------------------------------

/// FNV-1a over the parts, with a separator so ("ab","c") != ("a","bc").
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

struct SplitMix64(u64);

impl SplitMix64 {
    fn new(parts: &[&str]) -> Self {
        SplitMix64(hash(parts))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [-1, 1).
    fn sym(&mut self) -> f64 {
        self.unit() * 2.0 - 1.0
    }
}

fn noise(parts: &[&str]) -> f64 {
    SplitMix64::new(parts).sym()
}

// ---------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------

/// Share of the way from baseline to end target reached by the end of quarter
/// `i` of `n`: half linear, half smoothstep (a gentle S-curve).
fn progress(i: usize, n: usize) -> f64 {
    let f = (i + 1) as f64 / n as f64;
    0.5 * f + 0.5 * f * f * (3.0 - 2.0 * f)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Round a value to the precision its unit is reported in.
fn round_unit(unit: &str, x: f64) -> f64 {
    match unit {
        "percentage" => round1(x.clamp(0.0, 100.0)),
        "number" => round1(x.max(0.0)),
        "yes_no" => {
            if x >= 0.5 {
                1.0
            } else {
                0.0
            }
        }
        _ => x.max(0.0).round(),
    }
}

/// First quarter index at which yes/no targets become 1.
fn yes_no_switch(n: usize) -> usize {
    (0..n)
        .find(|&i| (i + 1) as f64 / n as f64 >= YES_NO_SWITCH)
        .unwrap_or(n - 1)
}

/// Programme-wide target for each quarter of the programme.
fn target_series(ind: &IndicatorDef, n: usize) -> Vec<f64> {
    if ind.unit == "yes_no" {
        let switch = yes_no_switch(n);
        return (0..n)
            .map(|i| {
                if i >= switch {
                    ind.end_target
                } else {
                    ind.baseline
                }
            })
            .collect();
    }
    let level = |i: usize| {
        round_unit(
            ind.unit,
            ind.baseline + (ind.end_target - ind.baseline) * progress(i, n),
        )
    };
    if ind.period_aggregation == "sum" {
        // Quarterly flows: increments of the cumulative trajectory, so they
        // add up exactly to end_target - baseline.
        let mut previous = ind.baseline;
        (0..n)
            .map(|i| {
                let cumulative = level(i);
                let flow = cumulative - previous;
                previous = cumulative;
                flow
            })
            .collect()
    } else {
        (0..n).map(level).collect()
    }
}

/// One target per indicator per calendar quarter of the programme.
pub fn targets(p: &ProgrammeDef) -> Vec<GenTarget> {
    let quarters = programme_quarters(p);
    let mut out = Vec::new();
    for ind in p.indicators() {
        for (q, value) in quarters.iter().zip(target_series(ind, quarters.len())) {
            out.push(GenTarget {
                indicator_code: ind.code,
                period: period_id(*q),
                value,
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Performance profiles and scripted events
// ---------------------------------------------------------------------------

/// How an indicator performs in the latest reported quarter.
struct Profile {
    indicator: &'static str,
    /// Direction-aware achievement against target (1.2 = 20% better).
    ratio: f64,
    /// (county, comment) explaining the position, attached to that county's
    /// value in the latest quarter.
    note: Option<(&'static str, &'static str)>,
}

/// Indicators not listed sit near target.
const PROFILES: &[Profile] = &[
    // Deris Wanaag (completed)
    Profile {
        indicator: "DW-1.1",
        ratio: 1.12,
        note: None,
    },
    Profile {
        indicator: "DW-OP1.3.1",
        ratio: 1.1,
        note: None,
    },
    Profile {
        indicator: "DW-1.3",
        ratio: 0.72,
        note: Some((
            "007",
            "Garissa County did not disburse its FY2021/22 peace committee allocation before programme close; commitment carried into the Land Border Programme.",
        )),
    },
    // Land Border Programme
    Profile {
        indicator: "LBP-2.1",
        ratio: 1.16,
        note: None,
    },
    Profile {
        indicator: "LBP-OP2.2.1",
        ratio: 1.25,
        note: None,
    },
    Profile {
        indicator: "LBP-1.2",
        ratio: 0.78,
        note: None,
    },
    Profile {
        indicator: "LBP-OP3.1.1",
        ratio: 0.62,
        note: Some((
            "023",
            "Nadapal power and connectivity works stalled awaiting county approval of the power-line wayleave; contractor demobilised in August.",
        )),
    },
    Profile {
        indicator: "LBP-3.1",
        ratio: 0.55,
        note: Some((
            "040",
            "Border post maintenance allocation cut in the FY2026/27 Supplementary Estimates; the quarter's disbursement covered only utilities at Busia and Malaba.",
        )),
    },
    // Kenya–UK MoU programme
    Profile {
        indicator: "MOU-1.3",
        ratio: 1.18,
        note: None,
    },
    Profile {
        indicator: "MOU-OP2.2.1",
        ratio: 1.2,
        note: None,
    },
    Profile {
        indicator: "MOU-1.1",
        ratio: 0.77,
        note: Some((
            "024",
            "New Phase 2 county: the CSIC secretariat is not yet using the shared alert template, so alerts are relayed by phone and logged late.",
        )),
    },
    Profile {
        indicator: "MOU-2.1",
        ratio: 0.6,
        note: Some((
            "010",
            "Case files from the July Moyale corridor operation are awaiting ODPP review; charging decisions expected next quarter.",
        )),
    },
    // Yes/no values follow county adoption dates; only the note is used.
    Profile {
        indicator: "MOU-OP1.2.1",
        ratio: 1.0,
        note: Some((
            "005",
            "Protocol signature follows the county entry briefing, which was postponed pending security clearance.",
        )),
    },
];

enum Adjust {
    /// Multiply the county total.
    Factor(f64),
    /// Replace the county total.
    Set(f64),
    /// Leave the value, only attach the comment.
    None,
}

/// A scripted event that changes one county's value and explains it.
struct Event {
    indicator: &'static str,
    county: &'static str,
    /// Period id, or "*" for every period.
    period: &'static str,
    adjust: Adjust,
    comment: Option<&'static str>,
}

const EVENTS: &[Event] = &[
    Event {
        indicator: "DW-2.1",
        county: "009",
        period: "2021Q2",
        adjust: Adjust::Factor(0.4),
        comment: Some("Drop reflects suspension of cross-border meetings during the April rains: the Mandera–Bula Hawa road was impassable for six weeks."),
    },
    Event {
        indicator: "DW-OP2.1.1",
        county: "008",
        period: "2020Q3",
        adjust: Adjust::Factor(0.4),
        comment: Some("Forums resumed only in September 2020 after COVID-19 movement restrictions were eased; two of five planned forums held."),
    },
    Event {
        indicator: "LBP-0.1",
        county: "040",
        period: "2026Q1",
        adjust: Adjust::Factor(2.0),
        comment: Some("Spike reflects a joint BPU–Immigration operation at Busia and Malaba that exposed an established smuggling route: more incidents recorded, not necessarily more occurring."),
    },
    Event {
        indicator: "LBP-OP2.2.1",
        county: "023",
        period: "2025Q1",
        adjust: Adjust::Factor(0.5),
        comment: Some("Low attendance: most pastoralist households had moved to dry-season grazing areas across the border."),
    },
    Event {
        indicator: "LBP-1.2",
        county: "023",
        period: "2026Q3",
        adjust: Adjust::Factor(0.85),
        comment: Some("BMIS offline at Nadapal for five weeks in July–August after a satellite link failure; travellers were recorded in paper registers and only partly back-captured."),
    },
    // Busia has not yet signed its referral SOPs (see milestone).
    Event {
        indicator: "LBP-OP1.2.1",
        county: "040",
        period: "*",
        adjust: Adjust::Set(0.0),
        comment: None,
    },
    Event {
        indicator: "MOU-1.2",
        county: "009",
        period: "2026Q2",
        adjust: Adjust::Factor(0.7),
        comment: Some("Drop reflects suspension of cross-border meetings during the April rains; several alerts could not be verified on the ground."),
    },
    Event {
        indicator: "MOU-0.1",
        county: "009",
        period: "2025Q4",
        adjust: Adjust::Factor(1.4),
        comment: Some("Increase reflects a cluster of IED and ambush incidents along the main supply route in November; NCTC threat assessment shared with the CSIC."),
    },
    Event {
        indicator: "MOU-OP2.2.1",
        county: "010",
        period: "2026Q3",
        adjust: Adjust::None,
        comment: Some("New flow monitoring points opened at Moyale and Sololo in August 2026."),
    },
];

/// Latest-quarter ratio and note for an indicator.
fn profile(ind: &IndicatorDef) -> (f64, Option<(&'static str, &'static str)>) {
    match PROFILES.iter().find(|x| x.indicator == ind.code) {
        Some(x) => (x.ratio, x.note),
        None => (
            0.95 + 0.08 * SplitMix64::new(&[ind.code, "profile"]).unit(),
            None,
        ),
    }
}

// ---------------------------------------------------------------------------
// County profiles
// ---------------------------------------------------------------------------

/// Relative size of a county for an indicator's theme, used to split
/// programme totals across counties.
fn county_weight(ind: &IndicatorDef, county: &str) -> f64 {
    let title = ind.title.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| title.contains(w));
    // Order: Mandera, Wajir, Garissa, Lamu, Marsabit, Turkana, Busia, West Pokot.
    let table: [f64; 8] = if has(&["terror", "extremist"]) {
        [1.6, 1.2, 1.4, 1.3, 0.6, 0.4, 0.15, 0.2]
    } else if has(&["smuggl", "traffick", "migra", "flow monitoring"]) {
        [1.1, 0.7, 0.9, 0.5, 1.5, 0.9, 1.5, 0.5]
    } else if has(&["border post", "travellers", "crossing point", "equipment"]) {
        [1.0, 0.6, 0.7, 0.6, 1.1, 0.9, 1.6, 0.6]
    } else if has(&[
        "conflict",
        "peace",
        "early-warning",
        "alert",
        "crime",
        "dialogue",
    ]) {
        [1.5, 1.2, 1.0, 0.6, 1.2, 1.3, 0.5, 1.0]
    } else {
        [1.2, 1.0, 1.0, 0.7, 1.0, 1.2, 0.9, 0.8]
    };
    let idx = match county {
        "009" => 0,
        "008" => 1,
        "007" => 2,
        "005" => 3,
        "010" => 4,
        "023" => 5,
        "040" => 6,
        "024" => 7,
        _ => return 1.0,
    };
    table[idx]
}

/// Index of the first phase that includes the county.
fn joined_phase(p: &ProgrammeDef, county: &str) -> usize {
    p.phases
        .iter()
        .position(|ph| ph.counties.contains(&county))
        .unwrap_or(0)
}

/// Index (within the programme's quarters) of the quarter a phase starts in.
fn phase_start_index(p: &ProgrammeDef, phase: usize) -> usize {
    let q = quarter_of(date(p.phases[phase].start));
    programme_quarters(p)
        .iter()
        .position(|&x| x == q)
        .unwrap_or(0)
}

/// How established programme support is in a county: about +1 for counties
/// there from the first phase, about -1 for counties that joined later.
fn maturity(p: &ProgrammeDef, county: &str) -> f64 {
    let base = if joined_phase(p, county) == 0 {
        1.0
    } else {
        -1.0
    };
    base + 0.4 * noise(&[p.code, county, "maturity"])
}

/// Quarter index from which a yes/no indicator is "yes" in a county:
/// first-phase counties one quarter ahead of the programme-wide target,
/// later counties in the third quarter after they join.
fn yes_from(p: &ProgrammeDef, county: &str, n: usize) -> usize {
    match joined_phase(p, county) {
        0 => yes_no_switch(n).saturating_sub(1),
        k => phase_start_index(p, k) + 2,
    }
}

/// Split a whole-number total across weights, exactly (largest remainder).
fn apportion(total: i64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().sum();
    if total <= 0 || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let short = total - parts.iter().sum::<i64>();
    for &i in order.iter().cycle().take(short.max(0) as usize) {
        parts[i] += 1;
    }
    parts
}

/// Base shares of a disaggregation's categories for an indicator.
fn category_shares(ind: &IndicatorDef, dimension: &str) -> Vec<f64> {
    let title = ind.title.to_lowercase();
    match dimension {
        "sex" => {
            let female = if title.contains("border officers") {
                0.22
            } else if title.contains("community members") {
                0.44
            } else if title.contains("peace committee") {
                0.36
            } else if title.contains("monitors") {
                0.4
            } else {
                0.3
            };
            vec![female, 1.0 - female]
        }
        "agency" => vec![0.42, 0.26, 0.2, 0.12],
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

struct Context<'a> {
    p: &'a ProgrammeDef,
    n: usize,
    qi: usize,
    period: &'a str,
    /// Position among reported quarters (0 = oldest) and how many there are.
    j: usize,
    m: usize,
    counties: &'static [&'static str],
}

/// Direction-aware achievement ratio for this quarter.
fn ratio(ctx: &Context, ind: &IndicatorDef) -> f64 {
    let (latest, _) = profile(ind);
    if ctx.j + 1 == ctx.m {
        return latest;
    }
    let w = (ctx.j + 1) as f64 / ctx.m as f64;
    1.0 + (latest - 1.0) * w + 0.05 * noise(&[ctx.p.code, ind.code, ctx.period, "ratio"])
}

/// County totals for one indicator and quarter, before scripted events.
fn county_totals(ctx: &Context, ind: &IndicatorDef, target: f64) -> Vec<f64> {
    let (p, period) = (ctx.p, ctx.period);
    let counties = ctx.counties;
    if ind.unit == "yes_no" {
        return counties
            .iter()
            .map(|c| f64::from(u8::from(ctx.qi >= yes_from(p, c, ctx.n))))
            .collect();
    }
    let r = ratio(ctx, ind);
    let aggregate = if ind.direction == "higher" {
        target * r
    } else {
        target / r
    };
    if ind.county_aggregation == "sum" {
        let weights: Vec<f64> = counties
            .iter()
            .map(|c| {
                let k = joined_phase(p, c);
                // Counties that join in a later phase ramp up over two quarters.
                let ramp = match ctx.qi.checked_sub(phase_start_index(p, k)) {
                    _ if k == 0 => 1.0,
                    Some(0) => 0.35,
                    Some(1) => 0.65,
                    _ => 1.0,
                };
                // Stocks keep stable county shares; flows vary by quarter.
                let wobble = if ind.period_aggregation == "latest" {
                    noise(&[p.code, ind.code, c])
                } else {
                    noise(&[p.code, ind.code, c, period])
                };
                // Stocks built by the programme (committees, posts, monitoring
                // points) are smaller where it arrived later.
                let late_stock = if k > 0 && ind.period_aggregation == "latest" {
                    0.5
                } else {
                    1.0
                };
                county_weight(ind, c) * ramp * late_stock * (1.0 + 0.25 * wobble)
            })
            .collect();
        let total = round_unit(ind.unit, aggregate) as i64;
        return apportion(total, &weights)
            .into_iter()
            .map(|v| v as f64)
            .collect();
    }
    // Mean across counties: established counties do better.
    let z: Vec<f64> = counties.iter().map(|c| maturity(p, c)).collect();
    let z_mean = z.iter().sum::<f64>() / z.len() as f64;
    let spread = if ind.unit == "percentage" { 0.15 } else { 0.2 };
    let sign = if ind.direction == "higher" { 1.0 } else { -1.0 };
    counties
        .iter()
        .zip(&z)
        .map(|(c, zc)| {
            let jitter = 0.04 * noise(&[p.code, ind.code, c, period]);
            let m = 1.0 + sign * spread * (zc - z_mean) + jitter;
            round_unit(ind.unit, aggregate * m)
        })
        .collect()
}

fn event_for(ind: &IndicatorDef, county: &str, period: &str) -> Option<&'static Event> {
    EVENTS.iter().find(|e| {
        e.indicator == ind.code && e.county == county && (e.period == "*" || e.period == period)
    })
}

/// County-level values for the most recent ended quarters (at most
/// [`MAX_VALUE_QUARTERS`]) of the programme, as of `today`.
pub fn values(p: &ProgrammeDef, today: NaiveDate) -> Vec<GenValue> {
    let quarters = programme_quarters(p);
    let n = quarters.len();
    let ended: Vec<usize> = (0..n)
        .filter(|&i| quarter_end(quarters[i]) < today)
        .collect();
    let reported = &ended[ended.len().saturating_sub(MAX_VALUE_QUARTERS)..];
    let fresh = previous_quarter(quarter_of(today));
    let indicators = p.indicators();
    let series: Vec<Vec<f64>> = indicators.iter().map(|i| target_series(i, n)).collect();

    let mut out = Vec::new();
    for (j, &qi) in reported.iter().enumerate() {
        let q = quarters[qi];
        let period = period_id(q);
        let ctx = Context {
            p,
            n,
            qi,
            period: &period,
            j,
            m: reported.len(),
            counties: active_counties(p, q),
        };
        let is_latest = j + 1 == reported.len();
        for (ind, targets) in indicators.iter().zip(&series) {
            let totals = county_totals(&ctx, ind, targets[qi]);
            let (_, profile_comment) = profile(ind);
            for (ci, (&county, &base)) in ctx.counties.iter().zip(&totals).enumerate() {
                let mut value = base;
                let mut comment = None;
                if let Some(e) = event_for(ind, county, &period) {
                    value = match e.adjust {
                        Adjust::Factor(f) => round_unit(ind.unit, value * f),
                        Adjust::Set(v) => round_unit(ind.unit, v),
                        Adjust::None => value,
                    };
                    comment = e.comment.map(str::to_string);
                }
                if let Some((c, text)) = profile_comment {
                    if is_latest && c == county {
                        comment = Some(text.to_string());
                    }
                }
                let status = if q != fresh {
                    "approved"
                } else if ci % 3 == 1 {
                    "draft"
                } else {
                    "submitted"
                };
                out.push(GenValue {
                    indicator_code: ind.code,
                    period: period.clone(),
                    county_code: county,
                    disaggregation: String::new(),
                    value,
                    comment,
                    status,
                });
                for dimension in ind.disaggregations {
                    let categories = disaggregation_categories(dimension);
                    let weights: Vec<f64> = category_shares(ind, dimension)
                        .iter()
                        .zip(categories.iter())
                        .map(|(share, cat)| {
                            let wobble =
                                noise(&[p.code, ind.code, county, &period, dimension, cat]);
                            share * (1.0 + 0.2 * wobble)
                        })
                        .collect();
                    let parts = apportion(value as i64, &weights);
                    for (cat, part) in categories.iter().zip(parts) {
                        out.push(GenValue {
                            indicator_code: ind.code,
                            period: period.clone(),
                            county_code: county,
                            disaggregation: format!("{dimension}={cat}"),
                            value: part as f64,
                            comment: None,
                            status,
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::content::{DEMO_TODAY, PROGRAMMES};
    use super::*;
    use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

    fn today() -> NaiveDate {
        date(DEMO_TODAY)
    }

    fn is_live(p: &ProgrammeDef) -> bool {
        date(p.start) <= today() && today() <= date(p.end)
    }

    fn quarter_from_id(id: &str) -> Quarter {
        let (y, q) = id.split_once('Q').expect("YYYYQn");
        (y.parse().unwrap(), q.parse().unwrap())
    }

    #[test]
    fn quarter_helpers() {
        assert_eq!(quarter_of(date((2026, 11, 26))), (2026, 4));
        assert_eq!(quarter_end((2026, 3)), date((2026, 9, 30)));
        assert_eq!(quarter_end((2024, 1)), date((2024, 3, 31)));
        assert_eq!(quarter_start((2026, 4)), date((2026, 10, 1)));
        assert_eq!(period_id((2026, 3)), "2026Q3");
        assert_eq!(previous_quarter((2026, 1)), (2025, 4));
        let lbp = PROGRAMMES.iter().find(|p| p.code == "LBP").unwrap();
        let qs = programme_quarters(lbp);
        assert_eq!(qs.len(), 20);
        assert_eq!(qs[0], (2022, 3));
        assert_eq!(*qs.last().unwrap(), (2027, 2));
    }

    #[test]
    fn apportion_is_exact() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]).iter().sum::<i64>(), 10);
        assert_eq!(apportion(0, &[1.0, 2.0]), vec![0, 0]);
        assert_eq!(apportion(7, &[0.0, 1.0]), vec![0, 7]);
        let parts = apportion(1234, &[0.3, 0.2, 0.5, 0.01]);
        assert_eq!(parts.iter().sum::<i64>(), 1234);
    }

    #[test]
    fn one_target_per_indicator_per_quarter() {
        for p in PROGRAMMES {
            let n = programme_quarters(p).len();
            let ts = targets(p);
            assert_eq!(ts.len(), n * p.indicators().len(), "{}", p.code);
            let keys: HashSet<_> = ts.iter().map(|t| (t.indicator_code, &t.period)).collect();
            assert_eq!(keys.len(), ts.len());
            for ind in p.indicators() {
                let series: Vec<f64> = ts
                    .iter()
                    .filter(|t| t.indicator_code == ind.code)
                    .map(|t| t.value)
                    .collect();
                assert_eq!(series.len(), n);
                for v in &series {
                    assert!(*v >= 0.0, "{}", ind.code);
                    match ind.unit {
                        "percentage" => {
                            assert!(*v <= 100.0);
                            assert_eq!(round1(*v), *v);
                        }
                        "yes_no" => assert!(*v == 0.0 || *v == 1.0),
                        "number" => assert_eq!(round1(*v), *v),
                        _ => assert_eq!(v.fract(), 0.0, "{}", ind.code),
                    }
                }
                if ind.period_aggregation == "sum" {
                    let total: f64 = series.iter().sum();
                    assert_eq!(total, ind.end_target - ind.baseline, "{}", ind.code);
                    assert!(series.iter().all(|v| *v > 0.0), "{}", ind.code);
                } else {
                    assert_eq!(*series.last().unwrap(), ind.end_target, "{}", ind.code);
                    // Monotone from baseline towards the end target.
                    for w in series.windows(2) {
                        if ind.direction == "higher" {
                            assert!(w[1] >= w[0], "{}", ind.code);
                        } else {
                            assert!(w[1] <= w[0], "{}", ind.code);
                        }
                    }
                }
                if ind.unit == "yes_no" {
                    assert_eq!(series[0], 0.0);
                }
            }
        }
    }

    #[test]
    fn values_cover_only_recent_ended_quarters() {
        for p in PROGRAMMES {
            let vs = values(p, today());
            assert!(!vs.is_empty(), "{}", p.code);
            let periods: BTreeSet<_> = vs.iter().map(|v| v.period.clone()).collect();
            assert!(periods.len() <= MAX_VALUE_QUARTERS, "{}", p.code);
            let all: Vec<_> = programme_quarters(p);
            for id in &periods {
                let q = quarter_from_id(id);
                assert!(quarter_end(q) < today(), "{id} has not ended");
                assert!(all.contains(&q), "{id} outside {}", p.code);
            }
            // They are the most recent ended quarters, without gaps.
            let ended: Vec<_> = all.iter().filter(|q| quarter_end(**q) < today()).collect();
            let expected: BTreeSet<_> = ended
                .iter()
                .rev()
                .take(MAX_VALUE_QUARTERS)
                .map(|q| period_id(**q))
                .collect();
            assert_eq!(periods, expected, "{}", p.code);
        }
        let periods = |code: &str| -> BTreeSet<String> {
            let p = PROGRAMMES.iter().find(|p| p.code == code).unwrap();
            values(p, today()).into_iter().map(|v| v.period).collect()
        };
        // Whole histories: LBP from 2022Q3 to 2026Q3, Deris Wanaag from its first quarter.
        assert_eq!(periods("LBP").len(), 17);
        assert_eq!(periods("DW").iter().next().unwrap(), "2019Q3");
        assert_eq!(periods("KEUK-MOU").len(), 5);
        assert!(periods("KEUK-MOU").contains("2026Q3"));
        assert!(!periods("KEUK-MOU").contains("2026Q4"));
        assert_eq!(periods("DW").iter().next_back().unwrap(), "2022Q2");
    }

    #[test]
    fn one_value_per_indicator_county_period_and_part() {
        for p in PROGRAMMES {
            let vs = values(p, today());
            let keys: HashSet<_> = vs
                .iter()
                .map(|v| {
                    (
                        v.indicator_code,
                        &v.period,
                        v.county_code,
                        &v.disaggregation,
                    )
                })
                .collect();
            assert_eq!(keys.len(), vs.len(), "{}", p.code);
            let codes: HashSet<_> = p.indicators().iter().map(|i| i.code).collect();
            let periods: BTreeSet<_> = vs.iter().map(|v| v.period.clone()).collect();
            for period in &periods {
                let counties = active_counties(p, quarter_from_id(period));
                for code in &codes {
                    for c in counties {
                        assert!(
                            keys.contains(&(*code, period, *c, &String::new())),
                            "{code} {period} {c}"
                        );
                    }
                }
                for v in vs.iter().filter(|v| &v.period == period) {
                    assert!(counties.contains(&v.county_code), "{}", v.county_code);
                    assert!(codes.contains(v.indicator_code));
                }
            }
        }
    }

    #[test]
    fn values_respect_units() {
        for p in PROGRAMMES {
            let units: HashMap<_, _> = p.indicators().iter().map(|i| (i.code, i.unit)).collect();
            for v in values(p, today()) {
                let x = v.value;
                assert!(x.is_finite() && x >= 0.0, "{v:?}");
                match units[v.indicator_code] {
                    "percentage" => assert!(x <= 100.0 && round1(x) == x, "{v:?}"),
                    "yes_no" => assert!(x == 0.0 || x == 1.0, "{v:?}"),
                    "number" => assert_eq!(round1(x), x, "{v:?}"),
                    _ => assert_eq!(x.fract(), 0.0, "{v:?}"),
                }
            }
        }
    }

    #[test]
    fn disaggregated_parts_sum_to_total() {
        let mut checked = 0;
        for p in PROGRAMMES {
            let vs = values(p, today());
            for ind in p.indicators() {
                for total in vs
                    .iter()
                    .filter(|v| v.indicator_code == ind.code && v.disaggregation.is_empty())
                {
                    for dim in ind.disaggregations {
                        let parts: Vec<_> = vs
                            .iter()
                            .filter(|v| {
                                v.indicator_code == ind.code
                                    && v.period == total.period
                                    && v.county_code == total.county_code
                                    && v.disaggregation.starts_with(&format!("{dim}="))
                            })
                            .collect();
                        assert_eq!(parts.len(), disaggregation_categories(dim).len());
                        let sum: f64 = parts.iter().map(|v| v.value).sum();
                        assert_eq!(sum, total.value, "{} {dim}", ind.code);
                        checked += 1;
                    }
                    if ind.disaggregations.is_empty() {
                        assert!(!vs
                            .iter()
                            .any(|v| v.indicator_code == ind.code && !v.disaggregation.is_empty()));
                    }
                }
            }
        }
        assert!(checked > 50);
    }

    #[test]
    fn deterministic() {
        for p in PROGRAMMES {
            assert_eq!(values(p, today()), values(p, today()));
            assert_eq!(targets(p), targets(p));
        }
    }

    #[test]
    fn statuses_and_comments() {
        for p in PROGRAMMES {
            let vs = values(p, today());
            let fresh = period_id(previous_quarter(quarter_of(today())));
            for v in &vs {
                if v.period != fresh {
                    assert_eq!(v.status, "approved", "{v:?}");
                }
            }
            let latest: HashSet<_> = vs
                .iter()
                .filter(|v| v.period == fresh)
                .map(|v| v.status)
                .collect();
            if is_live(p) {
                assert_eq!(latest, HashSet::from(["submitted", "draft"]), "{}", p.code);
                // A county's values share one status.
                let mut by_county: HashMap<&str, HashSet<&str>> = HashMap::new();
                for v in vs.iter().filter(|v| v.period == fresh) {
                    by_county.entry(v.county_code).or_default().insert(v.status);
                }
                assert!(by_county.values().all(|s| s.len() == 1));
            } else {
                assert!(latest.is_empty());
            }
            let comments = vs.iter().filter(|v| v.comment.is_some()).count();
            assert!((1..=8).contains(&comments), "{}: {comments}", p.code);
            assert!(vs
                .iter()
                .filter(|v| v.comment.is_some())
                .all(|v| v.disaggregation.is_empty()));
        }
    }

    #[test]
    fn scripted_codes_exist() {
        let codes: HashSet<_> = PROGRAMMES
            .iter()
            .flat_map(|p| p.indicators())
            .map(|i| i.code)
            .collect();
        let programme_of = |code: &str| {
            PROGRAMMES
                .iter()
                .find(|p| p.indicators().iter().any(|i| i.code == code))
                .unwrap()
        };
        let mut seen = HashSet::new();
        for x in PROFILES {
            assert!(codes.contains(x.indicator), "{}", x.indicator);
            assert!(seen.insert(x.indicator), "{} twice", x.indicator);
            assert!(x.ratio > 0.3 && x.ratio < 1.6);
            if let Some((county, _)) = x.note {
                let p = programme_of(x.indicator);
                let last = *programme_quarters(p)
                    .iter()
                    .rev()
                    .find(|q| quarter_end(**q) < today())
                    .unwrap();
                assert!(active_counties(p, last).contains(&county), "{county}");
            }
        }
        for e in EVENTS {
            assert!(codes.contains(e.indicator), "{}", e.indicator);
            let p = programme_of(e.indicator);
            assert!(p.county_codes().contains(&e.county), "{}", e.indicator);
            if e.period != "*" {
                let q = quarter_from_id(e.period);
                assert!(active_counties(p, q).contains(&e.county), "{}", e.indicator);
                // The event falls in a reported quarter, so it is visible.
                let vs = values(p, today());
                assert!(vs.iter().any(|v| v.indicator_code == e.indicator
                    && v.period == e.period
                    && v.county_code == e.county
                    && v.comment.is_some()));
            }
        }
    }

    /// Programme-wide aggregate of county totals for each indicator.
    fn aggregates(p: &ProgrammeDef, vs: &[GenValue], period: &str) -> BTreeMap<&'static str, f64> {
        let mut out = BTreeMap::new();
        for ind in p.indicators() {
            let xs: Vec<f64> = vs
                .iter()
                .filter(|v| {
                    v.indicator_code == ind.code
                        && v.period == period
                        && v.disaggregation.is_empty()
                })
                .map(|v| v.value)
                .collect();
            let sum: f64 = xs.iter().sum();
            let agg = if ind.county_aggregation == "sum" {
                sum
            } else {
                sum / xs.len() as f64
            };
            out.insert(ind.code, agg);
        }
        out
    }

    fn rag(direction: &str, value: f64, target: f64) -> &'static str {
        let ratio = if direction == "higher" {
            if target == 0.0 {
                return "green";
            }
            value / target
        } else if value == 0.0 {
            return "green";
        } else {
            target / value
        };
        if ratio >= 0.85 {
            "green"
        } else if ratio >= 0.70 {
            "amber"
        } else {
            "red"
        }
    }

    #[test]
    fn latest_quarter_shows_green_amber_and_red() {
        for p in PROGRAMMES.iter().filter(|p| is_live(p)) {
            let vs = values(p, today());
            let latest = vs.iter().map(|v| v.period.clone()).max().unwrap();
            let agg = aggregates(p, &vs, &latest);
            let ts = targets(p);
            let mut colours = BTreeMap::new();
            for ind in p.indicators() {
                let target = ts
                    .iter()
                    .find(|t| t.indicator_code == ind.code && t.period == latest)
                    .unwrap()
                    .value;
                let colour = rag(ind.direction, agg[ind.code], target);
                *colours.entry(colour).or_insert(0) += 1;
            }
            for c in ["green", "amber", "red"] {
                assert!(colours.contains_key(c), "{}: {colours:?}", p.code);
            }
            assert!(
                colours["green"] > colours["red"] + colours["amber"],
                "{}: {colours:?}",
                p.code
            );
        }
    }

    #[test]
    fn aggregates_track_targets_in_earlier_quarters() {
        for p in PROGRAMMES {
            let vs = values(p, today());
            let ts = targets(p);
            let periods: BTreeSet<_> = vs.iter().map(|v| v.period.clone()).collect();
            for period in &periods {
                let agg = aggregates(p, &vs, period);
                for ind in p.indicators() {
                    let target = ts
                        .iter()
                        .find(|t| t.indicator_code == ind.code && &t.period == period)
                        .unwrap()
                        .value;
                    if ind.unit == "yes_no" || target < 20.0 {
                        continue;
                    }
                    let r = agg[ind.code] / target;
                    assert!((0.4..=1.8).contains(&r), "{} {period}: {r}", ind.code);
                }
            }
        }
    }

    #[test]
    fn county_figures_differ_plausibly() {
        let lbp = PROGRAMMES.iter().find(|p| p.code == "LBP").unwrap();
        let vs = values(lbp, today());
        let total = |code: &str, county: &str| -> f64 {
            vs.iter()
                .filter(|v| {
                    v.indicator_code == code
                        && v.county_code == county
                        && v.disaggregation.is_empty()
                })
                .map(|v| v.value)
                .sum()
        };
        // Cross-border conflict is concentrated in Mandera, not Busia.
        assert!(total("LBP-2.1", "009") > total("LBP-2.1", "040"));
        let mou = PROGRAMMES.iter().find(|p| p.code == "KEUK-MOU").unwrap();
        let vs = values(mou, today());
        let terror = |county: &str| -> f64 {
            vs.iter()
                .filter(|v| v.indicator_code == "MOU-0.1" && v.county_code == county)
                .map(|v| v.value)
                .sum()
        };
        assert!(terror("009") > terror("040"));
    }
}
