//! Demonstration content for Mipaka: counties, organisations and three
//! illustrative border-security programmes with their logframes, milestones
//! and activities.
//!
//! Everything here is **demonstration data**. The programme names, partners,
//! counties and priority areas follow public descriptions of the Deris Wanaag
//! programme, the Land Border Programme and the 2025 Kenya–UK border-security
//! MoU, but every figure (baselines, targets, budgets, dates of internal
//! milestones) is invented for the demo.
//!
//! Conventions the seeder and the generator rely on:
//! * Indicator `baseline` and `end_target` are programme-wide figures, i.e.
//!   after county aggregation.
//! * For `period_aggregation == "sum"` (flow indicators such as people
//!   trained) `baseline` is 0 and `end_target` is the cumulative total over
//!   the life of the programme; such indicators are always `"higher"`.
//! * For `"mean"` and `"latest"` the baseline and end target are levels (a
//!   quarterly rate, a percentage, a stock or a yes/no state).
//! * Yes/no indicators are aggregated across counties with `"mean"`, so the
//!   programme figure is the share of counties where the answer is yes (an
//!   end target of 1 means every active county).
//! * Currency indicator values are in major units (pounds) of the
//!   programme's currency; activity budgets and spend are in minor units.

/// A calendar date as (year, month, day).
pub type Ymd = (i32, u32, u32);

/// The date the demonstration data is written for.
pub const DEMO_TODAY: Ymd = (2026, 11, 26);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountyDef {
    pub code: &'static str,
    pub name: &'static str,
    /// One of the five initial counties of the Kenya–UK border-security MoU.
    pub mou_initial: bool,
    /// Countries the county shares a land or lake boundary with, e.g.
    /// "Somalia, Ethiopia"; empty for interior counties.
    pub borders: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrgDef {
    pub code: &'static str,
    pub name: &'static str,
    pub short_name: &'static str,
    /// "government" | "donor" | "un_agency" | "private" | "committee" | "civil_society"
    pub kind: &'static str,
}

/// A disaggregation category and its options (code, label).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CategoryDef {
    pub code: &'static str,
    pub label: &'static str,
    pub options: &'static [(&'static str, &'static str)],
}

/// The categories the demonstration indicators use; each programme defines those its
/// own indicators name.
pub static CATEGORIES: &[CategoryDef] = &[
    CategoryDef {
        code: "sex",
        label: "Sex",
        options: &[("female", "Female"), ("male", "Male")],
    },
    CategoryDef {
        code: "agency",
        label: "Agency",
        options: &[
            ("border_police", "Border police"),
            ("immigration", "Immigration"),
            ("customs", "Customs"),
            ("other", "Other"),
        ],
    },
];

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseDef {
    pub name: &'static str,
    pub start: Ymd,
    pub end: Ymd,
    /// County codes.
    pub counties: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorDef {
    pub code: &'static str,
    pub title: &'static str,
    pub definition: &'static str,
    /// "count" | "number" | "percentage" | "currency" | "yes_no"
    pub unit: &'static str,
    /// "higher" | "lower"
    pub direction: &'static str,
    /// "sum" | "mean"
    pub county_aggregation: &'static str,
    /// "sum" | "mean" | "latest"
    pub period_aggregation: &'static str,
    pub baseline: f64,
    pub baseline_date: Ymd,
    pub end_target: f64,
    pub means_of_verification: &'static str,
    /// Extra dimensions beyond county, e.g. `&["sex"]` or `&["agency"]`.
    pub disaggregations: &'static [&'static str],
    /// Shown as a chart in reports.
    pub key: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResultDef {
    /// "impact" | "outcome" | "output"
    pub level: &'static str,
    pub code: &'static str,
    pub statement: &'static str,
    /// Outputs only; the outputs of a programme sum to 100.
    pub impact_weighting: Option<f64>,
    /// Outputs only: "low" | "medium" | "high".
    pub risk_rating: Option<&'static str>,
    pub assumptions: &'static str,
    pub indicators: &'static [IndicatorDef],
    pub children: &'static [ResultDef],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MilestoneDef {
    pub title: &'static str,
    /// Output result code.
    pub output: &'static str,
    pub county: Option<&'static str>,
    pub due: Ymd,
    /// "planned" | "in_progress" | "completed" | "delayed" | "cancelled"
    pub status: &'static str,
    pub completed: Option<Ymd>,
    pub evidence: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivityDef {
    pub code: &'static str,
    pub title: &'static str,
    /// Output result code.
    pub output: &'static str,
    /// Organisation code.
    pub lead: &'static str,
    pub county: Option<&'static str>,
    pub planned_start: Ymd,
    pub planned_end: Ymd,
    pub actual_start: Option<Ymd>,
    pub actual_end: Option<Ymd>,
    /// "not_started" | "in_progress" | "completed" | "delayed" | "cancelled"
    pub status: &'static str,
    pub percent_complete: i32,
    /// Minor units (pence) of the programme currency.
    pub budget_minor: i64,
    /// Minor units (pence) of the programme currency.
    pub spend_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgrammeDef {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// "GBP" or "KES"
    pub currency: &'static str,
    pub start: Ymd,
    pub end: Ymd,
    /// (organisation code, role); role is "donor" | "lead_ministry" |
    /// "implementing_partner" | "partner".
    pub partners: &'static [(&'static str, &'static str)],
    pub phases: &'static [PhaseDef],
    /// The impact, with outcomes as children and outputs under outcomes.
    pub framework: ResultDef,
    pub milestones: &'static [MilestoneDef],
    pub activities: &'static [ActivityDef],
    /// "Key achievements and issues" for the latest reporting period.
    pub narrative: &'static str,
}

impl ResultDef {
    /// This result followed by all its descendants, depth first.
    pub fn walk(&self) -> Vec<&ResultDef> {
        let mut out = vec![self];
        for child in self.children {
            out.extend(child.walk());
        }
        out
    }
}

impl ProgrammeDef {
    /// Every result of the framework, impact first, depth first.
    pub fn results(&self) -> Vec<&ResultDef> {
        self.framework.walk()
    }

    /// The output-level results.
    pub fn outputs(&self) -> Vec<&ResultDef> {
        self.results()
            .into_iter()
            .filter(|r| r.level == "output")
            .collect()
    }

    /// Every indicator of the framework, in framework order.
    pub fn indicators(&self) -> Vec<&IndicatorDef> {
        self.results()
            .into_iter()
            .flat_map(|r| r.indicators.iter())
            .collect()
    }

    /// Every county that appears in any phase, in first-appearance order.
    pub fn county_codes(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for phase in self.phases {
            for &c in phase.counties {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }
}

pub fn county(code: &str) -> Option<&'static CountyDef> {
    COUNTIES.iter().find(|c| c.code == code)
}

pub fn organisation(code: &str) -> Option<&'static OrgDef> {
    ORGANISATIONS.iter().find(|o| o.code == code)
}

pub fn programme(code: &str) -> Option<&'static ProgrammeDef> {
    PROGRAMMES.iter().find(|p| p.code == code)
}

// ---------------------------------------------------------------------------
// Counties
// ---------------------------------------------------------------------------

const fn c(
    code: &'static str,
    name: &'static str,
    mou_initial: bool,
    borders: &'static str,
) -> CountyDef {
    CountyDef {
        code,
        name,
        mou_initial,
        borders,
    }
}

/// Kenya's 47 counties with their official codes. Lake Victoria counties
/// count the lake boundary with Uganda or Tanzania as a border.
pub static COUNTIES: [CountyDef; 47] = [
    c("001", "Mombasa", false, ""),
    c("002", "Kwale", false, "Tanzania"),
    c("003", "Kilifi", false, ""),
    c("004", "Tana River", false, ""),
    c("005", "Lamu", false, "Somalia"),
    c("006", "Taita–Taveta", false, "Tanzania"),
    c("007", "Garissa", false, "Somalia"),
    c("008", "Wajir", true, "Somalia, Ethiopia"),
    c("009", "Mandera", true, "Somalia, Ethiopia"),
    c("010", "Marsabit", true, "Ethiopia"),
    c("011", "Isiolo", false, ""),
    c("012", "Meru", false, ""),
    c("013", "Tharaka-Nithi", false, ""),
    c("014", "Embu", false, ""),
    c("015", "Kitui", false, ""),
    c("016", "Machakos", false, ""),
    c("017", "Makueni", false, ""),
    c("018", "Nyandarua", false, ""),
    c("019", "Nyeri", false, ""),
    c("020", "Kirinyaga", false, ""),
    c("021", "Murang'a", false, ""),
    c("022", "Kiambu", false, ""),
    c("023", "Turkana", true, "South Sudan, Ethiopia, Uganda"),
    c("024", "West Pokot", false, "Uganda"),
    c("025", "Samburu", false, ""),
    c("026", "Trans Nzoia", false, "Uganda"),
    c("027", "Uasin Gishu", false, ""),
    c("028", "Elgeyo-Marakwet", false, ""),
    c("029", "Nandi", false, ""),
    c("030", "Baringo", false, ""),
    c("031", "Laikipia", false, ""),
    c("032", "Nakuru", false, ""),
    c("033", "Narok", false, "Tanzania"),
    c("034", "Kajiado", false, "Tanzania"),
    c("035", "Kericho", false, ""),
    c("036", "Bomet", false, ""),
    c("037", "Kakamega", false, ""),
    c("038", "Vihiga", false, ""),
    c("039", "Bungoma", false, "Uganda"),
    c("040", "Busia", true, "Uganda"),
    c("041", "Siaya", false, "Uganda"),
    c("042", "Kisumu", false, ""),
    c("043", "Homa Bay", false, "Uganda"),
    c("044", "Migori", false, "Tanzania, Uganda"),
    c("045", "Kisii", false, ""),
    c("046", "Nyamira", false, ""),
    c("047", "Nairobi", false, ""),
];

// ---------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------

pub static ORGANISATIONS: &[OrgDef] = &[
    OrgDef {
        code: "MINA",
        name: "Ministry of Interior and National Administration",
        short_name: "MINA",
        kind: "government",
    },
    OrgDef {
        code: "FCDO",
        name: "UK Foreign, Commonwealth & Development Office",
        short_name: "FCDO",
        kind: "donor",
    },
    OrgDef {
        code: "IOM",
        name: "International Organization for Migration",
        short_name: "IOM",
        kind: "un_agency",
    },
    OrgDef {
        code: "VALAR",
        name: "VALAR",
        short_name: "VALAR",
        kind: "private",
    },
    OrgDef {
        code: "NPS",
        name: "National Police Service",
        short_name: "NPS",
        kind: "government",
    },
    OrgDef {
        code: "BPU",
        name: "Kenya Police Border Police Unit",
        short_name: "BPU",
        kind: "government",
    },
    OrgDef {
        code: "DIS",
        name: "Department of Immigration Services",
        short_name: "Immigration",
        kind: "government",
    },
    OrgDef {
        code: "KRA",
        name: "Kenya Revenue Authority (Customs and Border Control)",
        short_name: "KRA Customs",
        kind: "government",
    },
    OrgDef {
        code: "NCTC",
        name: "National Counter Terrorism Centre",
        short_name: "NCTC",
        kind: "government",
    },
    OrgDef {
        code: "ODPP",
        name: "Office of the Director of Public Prosecutions",
        short_name: "ODPP",
        kind: "government",
    },
    OrgDef {
        code: "NSC",
        name: "National Steering Committee on Peacebuilding and Conflict Management",
        short_name: "NSC Peacebuilding",
        kind: "committee",
    },
    OrgDef {
        code: "ASI",
        name: "Adam Smith International",
        short_name: "ASI",
        kind: "private",
    },
    OrgDef {
        code: "RUSI",
        name: "Royal United Services Institute (RUSI Nairobi)",
        short_name: "RUSI Nairobi",
        kind: "civil_society",
    },
    OrgDef {
        code: "CSIC-TKN",
        name: "Turkana County Security and Intelligence Committee",
        short_name: "Turkana CSIC",
        kind: "committee",
    },
    OrgDef {
        code: "CSIC-MDR",
        name: "Mandera County Security and Intelligence Committee",
        short_name: "Mandera CSIC",
        kind: "committee",
    },
    OrgDef {
        code: "CSIC-MBT",
        name: "Marsabit County Security and Intelligence Committee",
        short_name: "Marsabit CSIC",
        kind: "committee",
    },
    OrgDef {
        code: "CSIC-WJR",
        name: "Wajir County Security and Intelligence Committee",
        short_name: "Wajir CSIC",
        kind: "committee",
    },
    OrgDef {
        code: "CSIC-BSA",
        name: "Busia County Security and Intelligence Committee",
        short_name: "Busia CSIC",
        kind: "committee",
    },
    OrgDef {
        code: "CPC-MDR",
        name: "Mandera County Peace Committee",
        short_name: "Mandera Peace Committee",
        kind: "committee",
    },
    OrgDef {
        code: "CPC-WJR",
        name: "Wajir County Peace Committee",
        short_name: "Wajir Peace Committee",
        kind: "committee",
    },
    OrgDef {
        code: "CPC-GRS",
        name: "Garissa County Peace Committee",
        short_name: "Garissa Peace Committee",
        kind: "committee",
    },
    OrgDef {
        code: "CS-WOMEN",
        name: "Northern Frontier Women for Peace Network",
        short_name: "Women for Peace Network",
        kind: "civil_society",
    },
    OrgDef {
        code: "CS-YOUTH",
        name: "Border Youth Dialogue Forum",
        short_name: "Youth Dialogue Forum",
        kind: "civil_society",
    },
    OrgDef {
        code: "CS-CTIP",
        name: "Counter-Trafficking in Persons Civil Society Coalition",
        short_name: "CTIP Coalition",
        kind: "civil_society",
    },
];

// ---------------------------------------------------------------------------
// Programme 1: Deris Wanaag (completed)
// ---------------------------------------------------------------------------

const DW_IMPACT_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "DW-0.1",
        title: "Fatalities from inter-communal and cross-border violence in target counties",
        definition: "Number of people killed in violent incidents involving inter-clan, inter-communal or cross-border armed actors (including livestock raids, resource-based clashes and revenge attacks) within Mandera, Wajir and, from Phase 2, Garissa during the quarter. Excludes road-traffic deaths and homicides with no communal or cross-border dimension. Programme figure is the sum across counties; the annual figure is the average per quarter.",
        unit: "count",
        direction: "lower",
        county_aggregation: "sum",
        period_aggregation: "mean",
        baseline: 38.0,
        baseline_date: (2019, 6, 30),
        end_target: 20.0,
        means_of_verification: "ACLED conflict event data, triangulated quarterly with NPS Occurrence Book (OB) records and County Security and Intelligence Committee incident reports",
        disaggregations: &[],
        key: true,
    },
    IndicatorDef {
        code: "DW-0.2",
        title: "Percentage of residents of target border wards who feel safe moving across the border for trade and grazing",
        definition: "Percentage of adult respondents in target border wards who answer 'safe' or 'very safe' to the question on personal safety when travelling across the Kenya–Somalia or Kenya–Ethiopia border for trade, grazing or family visits. Household survey, sample stratified by ward and sex; county figure is the weighted county estimate, programme figure the unweighted mean of county estimates.",
        unit: "percentage",
        direction: "higher",
        county_aggregation: "mean",
        period_aggregation: "latest",
        baseline: 41.0,
        baseline_date: (2019, 9, 30),
        end_target: 60.0,
        means_of_verification: "Baseline, midline and endline perception surveys (RUSI Nairobi); quarterly light-touch phone survey panel for interim quarters",
        disaggregations: &[],
        key: false,
    },
];

const DW_OC1_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "DW-1.1",
        title: "Cross-border conflict incidents resolved through community-led dialogue or peace committee mediation",
        definition: "Number of conflict incidents with a cross-border or inter-communal dimension (livestock theft, killings, disputes over water and pasture) for which a county or ward peace committee brokered a written settlement accepted by both parties during the quarter. An incident is counted once, in the quarter the settlement is signed. Cumulative from programme start.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2019, 6, 30),
        end_target: 240.0,
        means_of_verification: "County peace committee mediation registers; signed settlement records verified by programme monitors against County Commissioner files",
        disaggregations: &[],
        key: true,
    },
    IndicatorDef {
        code: "DW-1.2",
        title: "Percentage of early-warning alerts receiving a documented response within 72 hours",
        definition: "Number of verified early-warning alerts logged by community monitors that received a documented response (security deployment, peace committee intervention or administrative action) within 72 hours, divided by the total number of verified alerts logged in the quarter, multiplied by 100.",
        unit: "percentage",
        direction: "higher",
        county_aggregation: "mean",
        period_aggregation: "mean",
        baseline: 22.0,
        baseline_date: (2019, 6, 30),
        end_target: 70.0,
        means_of_verification: "Early-warning and early-response (EWER) log kept by county peace secretariats; County Security and Intelligence Committee minutes",
        disaggregations: &[],
        key: false,
    },
    IndicatorDef {
        code: "DW-1.3",
        title: "County government co-financing disbursed to peace committee operations (GBP equivalent)",
        definition: "Value of county government funds actually disbursed (not budgeted) to county and ward peace committee operations during the quarter, converted to GBP at the FCDO monthly exchange rate for the month of disbursement. Cumulative from programme start.",
        unit: "currency",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2019, 6, 30),
        end_target: 180_000.0,
        means_of_verification: "County treasury IFMIS payment reports; county peace secretariat cash books; Controller of Budget county budget implementation review reports",
        disaggregations: &[],
        key: false,
    },
];

const DW_OC2_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "DW-2.1",
        title: "Joint cross-border security and peace meetings held that produce agreed action points",
        definition: "Number of meetings between Kenyan county security or peace actors and their counterparts in Gedo (Somalia) or the Somali Regional State (Ethiopia) held during the quarter that end with written, jointly agreed action points. Meetings without signed minutes are not counted. Cumulative from programme start.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2019, 6, 30),
        end_target: 72.0,
        means_of_verification: "Signed meeting minutes and action-point trackers; attendance lists held by the County Commissioner's office",
        disaggregations: &[],
        key: false,
    },
    IndicatorDef {
        code: "DW-2.2",
        title: "Average number of days taken to share an early-warning alert with the relevant cross-border counterpart",
        definition: "Mean number of calendar days between an early-warning alert with a cross-border dimension being logged in the county EWER system and its dispatch to the counterpart administration across the border, for all such alerts in the quarter. County figures are averaged with equal weight.",
        unit: "number",
        direction: "lower",
        county_aggregation: "mean",
        period_aggregation: "mean",
        baseline: 9.0,
        baseline_date: (2019, 6, 30),
        end_target: 3.0,
        means_of_verification: "EWER alert log timestamps (alert logged vs. counterpart acknowledgement); cross-border focal point communication records",
        disaggregations: &[],
        key: true,
    },
];

const DW_OP11_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "DW-OP1.1.1",
        title: "Peace committee members trained in conflict analysis, mediation and early warning",
        definition: "Number of county and ward peace committee members who completed at least 80% of the three-module training course (conflict analysis, mediation, early warning) during the quarter. Each person is counted once, in the quarter they complete the course. Cumulative; disaggregated by sex.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2019, 6, 30),
        end_target: 900.0,
        means_of_verification: "Signed training attendance registers; pre- and post-test score sheets; programme training database",
        disaggregations: &["sex"],
        key: true,
    },
    IndicatorDef {
        code: "DW-OP1.1.2",
        title: "Ward peace committees assessed as functional",
        definition: "Number of ward peace committees scoring at least 12 of 16 on the quarterly functionality scorecard (meets at least monthly with minutes, has an active EWER focal point, at least 30% women members, holds a quarterly joint session with the ward administrator). Stock at quarter end.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "latest",
        baseline: 6.0,
        baseline_date: (2019, 6, 30),
        end_target: 30.0,
        means_of_verification: "Quarterly functionality scorecards completed by programme monitors; committee minutes books",
        disaggregations: &[],
        key: false,
    },
];

const DW_OP12_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "DW-OP1.2.1",
    title: "Community early-warning monitors actively reporting",
    definition: "Number of trained community early-warning monitors who submitted at least one verified report to the county EWER system during the quarter. Stock at quarter end; disaggregated by sex.",
    unit: "count",
    direction: "higher",
    county_aggregation: "sum",
    period_aggregation: "latest",
    baseline: 0.0,
    baseline_date: (2019, 6, 30),
    end_target: 180.0,
    means_of_verification: "EWER platform reporter logs (SMS short-code records); monitor roster held by county peace secretariats",
    disaggregations: &["sex"],
    key: false,
}];

const DW_OP13_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "DW-OP1.3.1",
    title: "Percentage of peace committee seats held by women",
    definition: "Number of county and ward peace committee seats held by women at quarter end divided by the total number of filled seats, multiplied by 100. County figures are averaged with equal weight.",
    unit: "percentage",
    direction: "higher",
    county_aggregation: "mean",
    period_aggregation: "latest",
    baseline: 12.0,
    baseline_date: (2019, 6, 30),
    end_target: 30.0,
    means_of_verification: "Peace committee membership registers verified against County Commissioner's office gazettement lists",
    disaggregations: &[],
    key: false,
}];

const DW_OP21_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "DW-OP2.1.1",
    title: "Cross-border community dialogue forums held with women and youth representation",
    definition: "Number of cross-border community dialogue forums convened during the quarter with participants from both sides of the border in which women and youth (18–35) together make up at least 30% of participants. Cumulative from programme start.",
    unit: "count",
    direction: "higher",
    county_aggregation: "sum",
    period_aggregation: "sum",
    baseline: 0.0,
    baseline_date: (2019, 6, 30),
    end_target: 96.0,
    means_of_verification: "Forum reports with participant lists disaggregated by sex and age; photographs and signed communiqués",
    disaggregations: &[],
    key: false,
}];

const DW_OP22_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "DW-OP2.2.1",
    title: "Cross-border incident information-sharing protocol adopted by the County Security and Intelligence Committee",
    definition: "Yes (1) if the County Security and Intelligence Committee has formally adopted the cross-border incident information-sharing protocol, as recorded in its minutes, and named a cross-border focal point; otherwise No (0). Programme figure is the share of active counties answering Yes.",
    unit: "yes_no",
    direction: "higher",
    county_aggregation: "mean",
    period_aggregation: "latest",
    baseline: 0.0,
    baseline_date: (2019, 6, 30),
    end_target: 1.0,
    means_of_verification: "County Security and Intelligence Committee minutes recording adoption; signed protocol and focal-point appointment letter",
    disaggregations: &[],
    key: false,
}];

const DW_OUTPUTS_OC1: &[ResultDef] = &[
    ResultDef {
        level: "output",
        code: "DW-OP1.1",
        statement: "County and ward peace committees in Mandera, Wajir and Garissa are revitalised, trained and resourced to prevent and mediate conflict",
        impact_weighting: Some(25.0),
        risk_rating: Some("medium"),
        assumptions: "County Commissioners gazette reconstituted committees promptly; committee members remain available through drought seasons.",
        indicators: DW_OP11_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "DW-OP1.2",
        statement: "A community early-warning and early-response network is operational in target border wards",
        impact_weighting: Some(20.0),
        risk_rating: Some("medium"),
        assumptions: "Mobile network coverage is sufficient in border wards; monitors are not targeted for reporting.",
        indicators: DW_OP12_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "DW-OP1.3",
        statement: "Women and youth participate meaningfully in local peace and security decision-making",
        impact_weighting: Some(15.0),
        risk_rating: Some("low"),
        assumptions: "Elders and religious leaders support women's membership of peace committees.",
        indicators: DW_OP13_INDICATORS,
        children: &[],
    },
];

const DW_OUTPUTS_OC2: &[ResultDef] = &[
    ResultDef {
        level: "output",
        code: "DW-OP2.1",
        statement: "Cross-border dialogue platforms between Kenyan border communities and counterparts in Somalia and Ethiopia are convened regularly",
        impact_weighting: Some(25.0),
        risk_rating: Some("high"),
        assumptions: "Security conditions and public-health restrictions allow cross-border travel; counterpart administrations in Gedo and the Somali Regional State remain willing to engage.",
        indicators: DW_OP21_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "DW-OP2.2",
        statement: "County Security and Intelligence Committees have the protocols and skills to coordinate cross-border responses",
        impact_weighting: Some(15.0),
        risk_rating: Some("medium"),
        assumptions: "Rotation of county security officers does not erode trained capacity faster than it is built.",
        indicators: DW_OP22_INDICATORS,
        children: &[],
    },
];

const DW_OUTCOMES: &[ResultDef] = &[
    ResultDef {
        level: "outcome",
        code: "DW-OC1",
        statement: "Communities and county authorities in Mandera, Wajir and Garissa prevent and resolve cross-border conflict through inclusive, community-led security arrangements",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "County governments continue to fund peace structures; national security agencies act on community early-warning information.",
        indicators: DW_OC1_INDICATORS,
        children: DW_OUTPUTS_OC1,
    },
    ResultDef {
        level: "outcome",
        code: "DW-OC2",
        statement: "Security and administrative cooperation between Kenyan border counties and counterparts in Somalia and Ethiopia is strengthened",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "Federal and regional authorities in Somalia and Ethiopia sanction local cross-border cooperation.",
        indicators: DW_OC2_INDICATORS,
        children: DW_OUTPUTS_OC2,
    },
];

const DW_MILESTONES: &[MilestoneDef] = &[
    MilestoneDef {
        title: "Conflict and stakeholder mapping for Mandera and Wajir validated with County Commissioners",
        output: "DW-OP1.1",
        county: None,
        due: (2019, 10, 31),
        status: "completed",
        completed: Some((2019, 10, 24)),
        evidence: "Validated mapping report (DW/REP/2019/04); sign-off letters from the Mandera and Wajir County Commissioners",
    },
    MilestoneDef {
        title: "Mandera County Peace Committee reconstituted with at least 30% women members",
        output: "DW-OP1.3",
        county: Some("009"),
        due: (2020, 3, 31),
        status: "completed",
        completed: Some((2020, 5, 20)),
        evidence: "Gazette notice of reconstituted committee; membership register (11 of 33 members women). Delayed by COVID-19 restrictions on gatherings.",
    },
    MilestoneDef {
        title: "Cross-border information-sharing protocol adopted by the Mandera and Wajir CSICs",
        output: "DW-OP2.2",
        county: None,
        due: (2020, 9, 30),
        status: "completed",
        completed: Some((2020, 6, 25)),
        evidence: "CSIC minutes of adoption meetings; signed protocol and focal-point appointment letters",
    },
    MilestoneDef {
        title: "Community early-warning network reporting in 20 wards across Mandera and Wajir",
        output: "DW-OP1.2",
        county: None,
        due: (2020, 9, 30),
        status: "completed",
        completed: Some((2020, 11, 12)),
        evidence: "EWER platform reporter log showing active monitors in 20 wards; monitor roster",
    },
    MilestoneDef {
        title: "Garissa peace architecture assessment completed and ward committees revitalised",
        output: "DW-OP1.1",
        county: Some("007"),
        due: (2021, 3, 31),
        status: "completed",
        completed: Some((2021, 3, 26)),
        evidence: "Garissa assessment report; revitalisation workshop reports for eight wards",
    },
    MilestoneDef {
        title: "Cross-border information-sharing protocol adopted by the Garissa CSIC",
        output: "DW-OP2.2",
        county: Some("007"),
        due: (2021, 9, 30),
        status: "completed",
        completed: Some((2021, 9, 14)),
        evidence: "Garissa CSIC minutes of 14 September 2021; focal-point appointment letter",
    },
    MilestoneDef {
        title: "Tri-border Kenya–Somalia–Ethiopia community peace conference held in Mandera",
        output: "DW-OP2.1",
        county: Some("009"),
        due: (2021, 12, 15),
        status: "cancelled",
        completed: None,
        evidence: "Cancelled after a security advisory restricted movement in the tri-border area; budget reallocated to two bilateral forums (FCDO approval letter, January 2022)",
    },
    MilestoneDef {
        title: "EWER system and monitor roster handed over to county peace secretariats",
        output: "DW-OP1.2",
        county: None,
        due: (2022, 5, 31),
        status: "completed",
        completed: Some((2022, 6, 10)),
        evidence: "Signed handover certificates from the Mandera, Wajir and Garissa county peace secretariats",
    },
    MilestoneDef {
        title: "Endline evaluation and lessons-learned report submitted to FCDO",
        output: "DW-OP1.1",
        county: None,
        due: (2022, 6, 15),
        status: "completed",
        completed: Some((2022, 6, 28)),
        evidence: "Endline evaluation report and management response; FCDO acknowledgement email",
    },
];

const DW_ACTIVITIES: &[ActivityDef] = &[
    ActivityDef {
        code: "DW-A01",
        title: "Conflict and stakeholder mapping in Mandera and Wajir",
        output: "DW-OP1.1",
        lead: "RUSI",
        county: None,
        planned_start: (2019, 7, 15),
        planned_end: (2019, 10, 31),
        actual_start: Some((2019, 7, 22)),
        actual_end: Some((2019, 10, 24)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 8_500_000,
        spend_minor: 8_320_000,
    },
    ActivityDef {
        code: "DW-A02",
        title: "Peace committee training in conflict analysis, mediation and early warning",
        output: "DW-OP1.1",
        lead: "ASI",
        county: None,
        planned_start: (2019, 10, 1),
        planned_end: (2022, 3, 31),
        actual_start: Some((2019, 11, 4)),
        actual_end: Some((2022, 4, 29)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 64_000_000,
        spend_minor: 62_810_000,
    },
    ActivityDef {
        code: "DW-A03",
        title: "Community early-warning monitor network: recruitment, training and airtime support",
        output: "DW-OP1.2",
        lead: "ASI",
        county: None,
        planned_start: (2020, 1, 1),
        planned_end: (2022, 6, 30),
        actual_start: Some((2020, 1, 13)),
        actual_end: Some((2022, 6, 30)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 52_000_000,
        spend_minor: 51_460_000,
    },
    ActivityDef {
        code: "DW-A04",
        title: "EWER SMS short-code reporting platform and county dashboards",
        output: "DW-OP1.2",
        lead: "NSC",
        county: None,
        planned_start: (2020, 4, 1),
        planned_end: (2020, 12, 31),
        actual_start: Some((2020, 6, 1)),
        actual_end: Some((2021, 2, 26)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 18_000_000,
        spend_minor: 18_940_000,
    },
    ActivityDef {
        code: "DW-A05",
        title: "Leadership and mentoring for women and youth peace committee members",
        output: "DW-OP1.3",
        lead: "CS-WOMEN",
        county: None,
        planned_start: (2020, 1, 1),
        planned_end: (2022, 3, 31),
        actual_start: Some((2020, 2, 3)),
        actual_end: Some((2022, 3, 31)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 21_000_000,
        spend_minor: 20_415_000,
    },
    ActivityDef {
        code: "DW-A06",
        title: "Cross-border community dialogue forums (Mandera–Bula Hawa, Mandera–Dollo Ado, Wajir–Somali Regional State)",
        output: "DW-OP2.1",
        lead: "ASI",
        county: None,
        planned_start: (2020, 1, 1),
        planned_end: (2022, 6, 30),
        actual_start: Some((2020, 2, 17)),
        actual_end: Some((2022, 6, 23)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 46_000_000,
        spend_minor: 44_120_000,
    },
    ActivityDef {
        code: "DW-A07",
        title: "CSIC cross-border information-sharing protocol: drafting, adoption and focal-point training",
        output: "DW-OP2.2",
        lead: "MINA",
        county: None,
        planned_start: (2020, 4, 1),
        planned_end: (2021, 9, 30),
        actual_start: Some((2020, 4, 20)),
        actual_end: Some((2021, 9, 14)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 15_000_000,
        spend_minor: 14_650_000,
    },
    ActivityDef {
        code: "DW-A08",
        title: "Tri-border Kenya–Somalia–Ethiopia community peace conference",
        output: "DW-OP2.1",
        lead: "MINA",
        county: Some("009"),
        planned_start: (2021, 10, 1),
        planned_end: (2021, 12, 31),
        actual_start: Some((2021, 10, 4)),
        actual_end: Some((2021, 11, 30)),
        status: "cancelled",
        percent_complete: 15,
        budget_minor: 12_000_000,
        spend_minor: 2_200_000,
    },
    ActivityDef {
        code: "DW-A09",
        title: "Garissa county peace architecture assessment and ward committee revitalisation",
        output: "DW-OP1.1",
        lead: "CPC-GRS",
        county: Some("007"),
        planned_start: (2021, 1, 1),
        planned_end: (2021, 9, 30),
        actual_start: Some((2021, 1, 11)),
        actual_end: Some((2021, 10, 29)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 14_000_000,
        spend_minor: 13_790_000,
    },
    ActivityDef {
        code: "DW-A10",
        title: "Baseline, midline and endline perception surveys and independent evaluation",
        output: "DW-OP1.1",
        lead: "RUSI",
        county: None,
        planned_start: (2019, 9, 1),
        planned_end: (2022, 6, 30),
        actual_start: Some((2019, 9, 2)),
        actual_end: Some((2022, 6, 28)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 23_000_000,
        spend_minor: 22_640_000,
    },
    ActivityDef {
        code: "DW-A11",
        title: "Peace budget hearings with the Mandera, Wajir and Garissa county assemblies",
        output: "DW-OP1.3",
        lead: "CS-YOUTH",
        county: None,
        planned_start: (2021, 1, 1),
        planned_end: (2022, 3, 31),
        actual_start: Some((2021, 2, 8)),
        actual_end: Some((2022, 3, 25)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 6_000_000,
        spend_minor: 5_890_000,
    },
];

const DW: ProgrammeDef = ProgrammeDef {
    code: "DW",
    name: "Deris Wanaag Cross-Border Peace and Security Programme",
    description: "Deris Wanaag ('good neighbourliness' in Somali) was a UK-funded programme on Kenya's borders with Somalia and Ethiopia. It strengthened community-led security in Mandera, Wajir and Garissa by revitalising county and ward peace committees, building a community early-warning and early-response network, and convening regular cross-border dialogue with counterparts in Gedo (Somalia) and the Somali Regional State (Ethiopia). Delivered with the Ministry of Interior and National Administration through an implementing consortium, with research and evaluation by RUSI Nairobi. Its peace architecture is carried forward by the Land Border Programme.",
    currency: "GBP",
    start: (2019, 7, 1),
    end: (2022, 6, 30),
    partners: &[
        ("FCDO", "donor"),
        ("MINA", "lead_ministry"),
        ("ASI", "implementing_partner"),
        ("RUSI", "partner"),
        ("NSC", "partner"),
        ("CPC-MDR", "partner"),
        ("CPC-WJR", "partner"),
        ("CPC-GRS", "partner"),
        ("CS-WOMEN", "partner"),
        ("CS-YOUTH", "partner"),
    ],
    phases: &[
        PhaseDef {
            name: "Phase 1 – Mandera and Wajir",
            start: (2019, 7, 1),
            end: (2020, 12, 31),
            counties: &["009", "008"],
        },
        PhaseDef {
            name: "Phase 2 – extension to Garissa",
            start: (2021, 1, 1),
            end: (2022, 6, 30),
            counties: &["009", "008", "007"],
        },
    ],
    framework: ResultDef {
        level: "impact",
        code: "DW-IMP",
        statement: "Reduced violent conflict and insecurity in the Kenya–Somalia–Ethiopia border areas of Mandera, Wajir and Garissa",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "No major escalation of al-Shabaab activity or inter-state tension in the Mandera triangle; drought does not trigger large-scale displacement.",
        indicators: DW_IMPACT_INDICATORS,
        children: DW_OUTCOMES,
    },
    milestones: DW_MILESTONES,
    activities: DW_ACTIVITIES,
    narrative: "April–June 2022 (final quarter): the programme closed on 30 June 2022 with the early-warning and early-response system and monitor rosters formally handed over to the Mandera, Wajir and Garissa county peace secretariats. Peace committees continued to settle cross-border incidents through mediation at or above the planned rate, and the Garissa CSIC, which joined in Phase 2, has used the cross-border information-sharing protocol since September 2021. The endline survey shows improved perceptions of safety in border wards, although the tri-border peace conference was cancelled on security advice and replaced by two bilateral forums. The main shortfall is county co-financing: Garissa did not disburse its FY2021/22 peace committee allocation before close, so sustaining peace committee operations is carried into the Land Border Programme as a priority.",
};

// ---------------------------------------------------------------------------
// Programme 2: Land Border Programme (live)
// ---------------------------------------------------------------------------

const LBP_IMPACT_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "LBP-0.1",
        title: "Serious cross-border crime incidents recorded in the border zone of target counties",
        definition: "Number of serious cross-border crime incidents (armed livestock raids, small-arms and ammunition trafficking, migrant smuggling and trafficking in persons, IED or terrorism-related incidents) recorded within 20 km of the international border in target counties during the quarter. Programme figure is the sum across active counties; the annual figure is the average per quarter.",
        unit: "count",
        direction: "lower",
        county_aggregation: "sum",
        period_aggregation: "mean",
        baseline: 64.0,
        baseline_date: (2022, 6, 30),
        end_target: 40.0,
        means_of_verification: "NPS Occurrence Book (OB) records compiled by the County Police Commander; CSIC quarterly security reports; ACLED event data for triangulation",
        disaggregations: &[],
        key: true,
    },
    IndicatorDef {
        code: "LBP-0.2",
        title: "Percentage of travellers and traders who rate border clearance at supported crossing points as efficient and fair",
        definition: "Percentage of respondents to the exit survey at supported crossing points who rate clearance as 'efficient' or 'very efficient' and report no request for an informal payment. County figure is the mean across that county's supported crossing points; programme figure is the unweighted mean of county figures.",
        unit: "percentage",
        direction: "higher",
        county_aggregation: "mean",
        period_aggregation: "latest",
        baseline: 38.0,
        baseline_date: (2022, 9, 30),
        end_target: 65.0,
        means_of_verification: "Biannual traveller and trader exit survey at supported border posts (IOM), sample disaggregated by sex and nationality",
        disaggregations: &[],
        key: false,
    },
];

const LBP_OC1_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "LBP-1.1",
        title: "Migrant-smuggling and human-trafficking cases referred for prosecution by border agencies",
        definition: "Number of cases of migrant smuggling or trafficking in persons detected by the BPU, Immigration or KRA Customs at or near supported crossing points and forwarded to the ODPP with a complete investigation file during the quarter. A case is counted once, in the quarter of referral. Cumulative from programme start.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2022, 6, 30),
        end_target: 320.0,
        means_of_verification: "ODPP case referral register; NPS Anti-Human Trafficking and Child Protection Unit case records",
        disaggregations: &[],
        key: false,
    },
    IndicatorDef {
        code: "LBP-1.2",
        title: "Percentage of travellers at supported crossing points whose entry or exit is captured in the border management information system",
        definition: "Number of entries and exits recorded electronically in the border management information system (BMIS) at supported crossing points divided by the total number of entries and exits recorded (electronic plus manual registers) in the quarter, multiplied by 100. County figures are averaged with equal weight.",
        unit: "percentage",
        direction: "higher",
        county_aggregation: "mean",
        period_aggregation: "mean",
        baseline: 35.0,
        baseline_date: (2022, 6, 30),
        end_target: 90.0,
        means_of_verification: "BMIS system reports; Department of Immigration Services monthly returns and manual entry/exit registers",
        disaggregations: &[],
        key: true,
    },
];

const LBP_OC2_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "LBP-2.1",
        title: "Cross-border conflict incidents resolved through community-led dialogue or peace committee mediation",
        definition: "Continues DW-1.1 with the same definition, extended to all LBP counties. Number of conflict incidents with a cross-border or inter-communal dimension for which a county or ward peace committee brokered a written settlement accepted by both parties during the quarter. Counted from 1 July 2022; Deris Wanaag results are not carried over.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2022, 6, 30),
        end_target: 400.0,
        means_of_verification: "County peace committee mediation registers; signed settlement records verified by programme monitors",
        disaggregations: &[],
        key: true,
    },
    IndicatorDef {
        code: "LBP-2.2",
        title: "Average number of days taken to share an early-warning alert with the relevant cross-border counterpart",
        definition: "Continues DW-2.2, counted to the counterpart's acknowledgement rather than to dispatch. Mean number of calendar days between an early-warning alert with a cross-border dimension being logged in the county EWER system and acknowledged receipt by the counterpart administration across the border. Baseline is the Deris Wanaag endline figure; county figures are averaged with equal weight.",
        unit: "number",
        direction: "lower",
        county_aggregation: "mean",
        period_aggregation: "mean",
        baseline: 4.0,
        baseline_date: (2022, 6, 30),
        end_target: 2.0,
        means_of_verification: "EWER alert log timestamps; cross-border focal point communication records; CSIC minutes",
        disaggregations: &[],
        key: false,
    },
];

const LBP_OC3_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "LBP-3.1",
        title: "Government of Kenya funds disbursed for operation and maintenance of supported border posts (GBP equivalent)",
        definition: "Value of Government of Kenya funds (national and county) actually disbursed during the quarter for the operation and maintenance of supported border posts (utilities, connectivity, repairs, cleaning and security), converted to GBP at the FCDO monthly exchange rate. Excludes salaries and donor-funded costs. Cumulative from programme start.",
        unit: "currency",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2022, 6, 30),
        end_target: 2_400_000.0,
        means_of_verification: "State Department for Immigration and Citizen Services expenditure returns; KRA facilities expenditure reports; Controller of Budget implementation reports",
        disaggregations: &[],
        key: false,
    },
    IndicatorDef {
        code: "LBP-3.2",
        title: "Supported border posts with the border management information system operational at least 95% of working hours",
        definition: "Number of supported border posts where the BMIS and its connectivity were available for at least 95% of official working hours during the quarter, measured from system uptime logs. Stock at quarter end.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "latest",
        baseline: 2.0,
        baseline_date: (2022, 6, 30),
        end_target: 9.0,
        means_of_verification: "BMIS uptime logs; Department of Immigration Services ICT incident reports",
        disaggregations: &[],
        key: false,
    },
];

const LBP_OP11_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "LBP-OP1.1.1",
    title: "Border officers trained in integrated border management, document examination and victim identification",
    definition: "Number of serving officers of the BPU, Immigration, KRA Customs and other agencies deployed at supported crossing points who completed the five-day integrated border management course and passed the end-of-course assessment during the quarter. Each officer is counted once. Cumulative; disaggregated by agency and by sex.",
    unit: "count",
    direction: "higher",
    county_aggregation: "sum",
    period_aggregation: "sum",
    baseline: 0.0,
    baseline_date: (2022, 6, 30),
    end_target: 1500.0,
    means_of_verification: "Training registers countersigned by agency station heads; IOM training database; end-of-course assessment records",
    disaggregations: &["agency", "sex"],
    key: true,
}];

const LBP_OP12_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "LBP-OP1.2.1",
    title: "Joint screening and referral procedures for trafficking victims and vulnerable migrants operational in the county",
    definition: "Yes (1) if the county has signed standard operating procedures for joint screening and referral of victims of trafficking and vulnerable migrants under the National Referral Mechanism AND at least one referral was made under them in the last two quarters; otherwise No (0). Programme figure is the share of active counties answering Yes.",
    unit: "yes_no",
    direction: "higher",
    county_aggregation: "mean",
    period_aggregation: "latest",
    baseline: 0.0,
    baseline_date: (2022, 6, 30),
    end_target: 1.0,
    means_of_verification: "Signed county SOP adoption letters; National Referral Mechanism case logs (IOM and Counter-Trafficking in Persons Secretariat)",
    disaggregations: &[],
    key: false,
}];

const LBP_OP21_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "LBP-OP2.1.1",
    title: "Ward peace committees assessed as functional",
    definition: "Continues DW-OP1.1.2 with the same 16-point functionality scorecard. Number of ward peace committees scoring at least 12 of 16 at quarter end. Baseline is the Deris Wanaag endline value for Mandera, Wajir and Garissa.",
    unit: "count",
    direction: "higher",
    county_aggregation: "sum",
    period_aggregation: "latest",
    baseline: 30.0,
    baseline_date: (2022, 6, 30),
    end_target: 70.0,
    means_of_verification: "Quarterly functionality scorecards completed by programme monitors; committee minutes books",
    disaggregations: &[],
    key: false,
}];

const LBP_OP22_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "LBP-OP2.2.1",
    title: "Community members participating in community–border agency forums",
    definition: "Number of community members (excluding officials) attending community–border agency forums at supported crossing points during the quarter, counted from signed attendance lists. A person attending several forums in a quarter is counted once per quarter. Cumulative; disaggregated by sex.",
    unit: "count",
    direction: "higher",
    county_aggregation: "sum",
    period_aggregation: "sum",
    baseline: 0.0,
    baseline_date: (2022, 6, 30),
    end_target: 6000.0,
    means_of_verification: "Signed forum attendance lists; forum reports filed by civil society partners",
    disaggregations: &["sex"],
    key: false,
}];

const LBP_OP31_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "LBP-OP3.1.1",
    title: "Percentage of planned infrastructure and equipment packages delivered and commissioned at priority border posts",
    definition: "Number of infrastructure and equipment packages (works, power, connectivity, document examination and search equipment) commissioned with a signed handover certificate, divided by the number planned for the county's priority border posts, multiplied by 100. County figures are averaged with equal weight.",
    unit: "percentage",
    direction: "higher",
    county_aggregation: "mean",
    period_aggregation: "latest",
    baseline: 0.0,
    baseline_date: (2022, 6, 30),
    end_target: 100.0,
    means_of_verification: "Signed handover and commissioning certificates; IOM procurement and asset registers; FCDO asset verification visits",
    disaggregations: &[],
    key: false,
}];

const LBP_OP32_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "LBP-OP3.2.1",
    title: "County border management committee established and meeting quarterly",
    definition: "Yes (1) if a county border management committee bringing together the County Commissioner, BPU, Immigration, KRA Customs, county government and community representatives has been constituted and met at least once in the quarter with signed minutes; otherwise No (0). Programme figure is the share of active counties answering Yes.",
    unit: "yes_no",
    direction: "higher",
    county_aggregation: "mean",
    period_aggregation: "latest",
    baseline: 0.0,
    baseline_date: (2022, 6, 30),
    end_target: 1.0,
    means_of_verification: "Committee appointment letters from the County Commissioner; signed quarterly meeting minutes",
    disaggregations: &[],
    key: false,
}];

const LBP_OUTPUTS_OC1: &[ResultDef] = &[
    ResultDef {
        level: "output",
        code: "LBP-OP1.1",
        statement: "Officers of the BPU, Immigration and KRA Customs at supported crossing points are trained in integrated border management, counter-smuggling and victim identification",
        impact_weighting: Some(20.0),
        risk_rating: Some("low"),
        assumptions: "Agencies release officers for training and keep trained officers at border stations for at least two years.",
        indicators: LBP_OP11_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "LBP-OP1.2",
        statement: "Joint screening and referral procedures for victims of trafficking and vulnerable migrants are adopted and used at supported crossing points",
        impact_weighting: Some(15.0),
        risk_rating: Some("medium"),
        assumptions: "County governments and the Counter-Trafficking in Persons Secretariat fund shelter and case-management services to receive referrals.",
        indicators: LBP_OP12_INDICATORS,
        children: &[],
    },
];

const LBP_OUTPUTS_OC2: &[ResultDef] = &[
    ResultDef {
        level: "output",
        code: "LBP-OP2.1",
        statement: "The peace committee and early-warning architecture established under Deris Wanaag is sustained and extended to new border counties",
        impact_weighting: Some(20.0),
        risk_rating: Some("medium"),
        assumptions: "County governments take over running costs of peace committees as agreed at Deris Wanaag close.",
        indicators: LBP_OP21_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "LBP-OP2.2",
        statement: "Border communities, including women and youth, engage regularly with border agencies through community–border agency forums",
        impact_weighting: Some(15.0),
        risk_rating: Some("low"),
        assumptions: "Agencies send decision-makers to forums and act on community complaints.",
        indicators: LBP_OP22_INDICATORS,
        children: &[],
    },
];

const LBP_OUTPUTS_OC3: &[ResultDef] = &[
    ResultDef {
        level: "output",
        code: "LBP-OP3.1",
        statement: "Infrastructure, power, connectivity and equipment at priority border posts are upgraded",
        impact_weighting: Some(20.0),
        risk_rating: Some("high"),
        assumptions: "Land, wayleaves and county approvals are granted on time; contractors can work safely at remote posts.",
        indicators: LBP_OP31_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "LBP-OP3.2",
        statement: "County-level coordination and government financing of border management are strengthened",
        impact_weighting: Some(10.0),
        risk_rating: Some("medium"),
        assumptions: "National Treasury ring-fences operation and maintenance budgets for border posts.",
        indicators: LBP_OP32_INDICATORS,
        children: &[],
    },
];

const LBP_OUTCOMES: &[ResultDef] = &[
    ResultDef {
        level: "outcome",
        code: "LBP-OC1",
        statement: "Border agencies at supported crossing points manage the movement of people and goods in a coordinated, intelligence-led and rights-respecting way",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "Agencies share data and premises at integrated border posts; legal framework for data sharing is in place.",
        indicators: LBP_OC1_INDICATORS,
        children: LBP_OUTPUTS_OC1,
    },
    ResultDef {
        level: "outcome",
        code: "LBP-OC2",
        statement: "Border communities and security actors work together to prevent and respond to cross-border threats, building on the Deris Wanaag peace architecture",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "Communities trust that information shared with agencies will not expose them to reprisals.",
        indicators: LBP_OC2_INDICATORS,
        children: LBP_OUTPUTS_OC2,
    },
    ResultDef {
        level: "outcome",
        code: "LBP-OC3",
        statement: "Border management infrastructure and systems at priority posts are operational and increasingly sustained by the Government of Kenya",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "Government budgets for border management are not cut in supplementary estimates.",
        indicators: LBP_OC3_INDICATORS,
        children: LBP_OUTPUTS_OC3,
    },
];

const LBP_MILESTONES: &[MilestoneDef] = &[
    MilestoneDef {
        title: "Inception report and Deris Wanaag transition plan approved by FCDO",
        output: "LBP-OP2.1",
        county: None,
        due: (2022, 9, 30),
        status: "completed",
        completed: Some((2022, 9, 22)),
        evidence: "Approved inception report v1.2; FCDO approval letter",
    },
    MilestoneDef {
        title: "Mandera border post annex design validated with KRA, Immigration and BPU",
        output: "LBP-OP3.1",
        county: Some("009"),
        due: (2023, 6, 30),
        status: "completed",
        completed: Some((2023, 8, 15)),
        evidence: "Signed design validation minutes; approved bill of quantities",
    },
    MilestoneDef {
        title: "Joint screening and referral SOPs signed in Lamu and Garissa",
        output: "LBP-OP1.2",
        county: None,
        due: (2024, 3, 31),
        status: "completed",
        completed: Some((2024, 3, 20)),
        evidence: "Signed county SOP adoption letters; first referral case records",
    },
    MilestoneDef {
        title: "Mid-term review completed and management response agreed",
        output: "LBP-OP1.1",
        county: None,
        due: (2025, 1, 31),
        status: "completed",
        completed: Some((2025, 2, 20)),
        evidence: "Mid-term review report; management response signed by MINA and FCDO",
    },
    MilestoneDef {
        title: "Phase 2 county entry: Busia, Turkana and Marsabit work plans agreed with county security committees",
        output: "LBP-OP2.1",
        county: None,
        due: (2025, 3, 31),
        status: "completed",
        completed: Some((2025, 4, 10)),
        evidence: "Signed county work plans; CSIC briefing minutes",
    },
    MilestoneDef {
        title: "BMIS connectivity and solar power live at Nadapal border post",
        output: "LBP-OP3.1",
        county: Some("023"),
        due: (2026, 6, 30),
        status: "delayed",
        completed: None,
        evidence: "Satellite terminal installed May 2026; power line works awaiting county wayleave approval (site visit report, 12 September 2026)",
    },
    MilestoneDef {
        title: "Busia trafficking victim referral SOPs signed and first referrals made",
        output: "LBP-OP1.2",
        county: Some("040"),
        due: (2026, 9, 30),
        status: "delayed",
        completed: None,
        evidence: "Draft SOPs validated at county workshop (August 2026); signature pending County Commissioner's review",
    },
    MilestoneDef {
        title: "1,400 border officers (cumulative) have completed the integrated border management course",
        output: "LBP-OP1.1",
        county: None,
        due: (2026, 12, 31),
        status: "in_progress",
        completed: None,
        evidence: "",
    },
    MilestoneDef {
        title: "Costed operation and maintenance plan for supported border posts approved by the State Department",
        output: "LBP-OP3.2",
        county: None,
        due: (2027, 2, 15),
        status: "planned",
        completed: None,
        evidence: "",
    },
    MilestoneDef {
        title: "Programme completion and handover of border post assets to the Government of Kenya",
        output: "LBP-OP3.2",
        county: None,
        due: (2027, 6, 15),
        status: "planned",
        completed: None,
        evidence: "",
    },
];

const LBP_ACTIVITIES: &[ActivityDef] = &[
    ActivityDef {
        code: "LBP-A01",
        title: "Transition of Deris Wanaag peace committee support: handover and capacity assessment",
        output: "LBP-OP2.1",
        lead: "IOM",
        county: None,
        planned_start: (2022, 7, 1),
        planned_end: (2022, 12, 31),
        actual_start: Some((2022, 7, 4)),
        actual_end: Some((2023, 1, 20)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 18_000_000,
        spend_minor: 17_640_000,
    },
    ActivityDef {
        code: "LBP-A02",
        title: "Integrated border management and victim identification training for BPU, Immigration and KRA Customs officers",
        output: "LBP-OP1.1",
        lead: "IOM",
        county: None,
        planned_start: (2023, 1, 1),
        planned_end: (2026, 12, 31),
        actual_start: Some((2023, 2, 1)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 85,
        budget_minor: 120_000_000,
        spend_minor: 101_500_000,
    },
    ActivityDef {
        code: "LBP-A03",
        title: "Design and construction of the Mandera border post annex (shared inspection bay and offices)",
        output: "LBP-OP3.1",
        lead: "IOM",
        county: Some("009"),
        planned_start: (2023, 7, 1),
        planned_end: (2025, 6, 30),
        actual_start: Some((2023, 9, 1)),
        actual_end: Some((2025, 11, 28)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 240_000_000,
        spend_minor: 251_200_000,
    },
    ActivityDef {
        code: "LBP-A04",
        title: "BMIS connectivity and solar power installation at Nadapal border post",
        output: "LBP-OP3.1",
        lead: "DIS",
        county: Some("023"),
        planned_start: (2025, 4, 1),
        planned_end: (2026, 6, 30),
        actual_start: Some((2025, 6, 16)),
        actual_end: None,
        status: "delayed",
        percent_complete: 55,
        budget_minor: 65_000_000,
        spend_minor: 37_100_000,
    },
    ActivityDef {
        code: "LBP-A05",
        title: "Joint screening and referral SOPs: drafting and roll-out in Lamu and Garissa",
        output: "LBP-OP1.2",
        lead: "IOM",
        county: None,
        planned_start: (2023, 4, 1),
        planned_end: (2024, 3, 31),
        actual_start: Some((2023, 4, 17)),
        actual_end: Some((2024, 3, 20)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 9_500_000,
        spend_minor: 9_210_000,
    },
    ActivityDef {
        code: "LBP-A06",
        title: "Busia trafficking victim referral mechanism: SOPs, case-worker training and shelter linkages",
        output: "LBP-OP1.2",
        lead: "CS-CTIP",
        county: Some("040"),
        planned_start: (2025, 10, 1),
        planned_end: (2026, 9, 30),
        actual_start: Some((2025, 11, 10)),
        actual_end: None,
        status: "delayed",
        percent_complete: 60,
        budget_minor: 14_000_000,
        spend_minor: 8_600_000,
    },
    ActivityDef {
        code: "LBP-A07",
        title: "Community–border agency forums at supported crossing points",
        output: "LBP-OP2.2",
        lead: "CS-WOMEN",
        county: None,
        planned_start: (2023, 1, 1),
        planned_end: (2027, 3, 31),
        actual_start: Some((2023, 1, 16)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 80,
        budget_minor: 42_000_000,
        spend_minor: 33_900_000,
    },
    ActivityDef {
        code: "LBP-A08",
        title: "Extension of ward peace committees and EWER network to Busia, Turkana and Marsabit",
        output: "LBP-OP2.1",
        lead: "NSC",
        county: None,
        planned_start: (2025, 1, 1),
        planned_end: (2026, 6, 30),
        actual_start: Some((2025, 2, 3)),
        actual_end: Some((2026, 8, 14)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 38_000_000,
        spend_minor: 37_250_000,
    },
    ActivityDef {
        code: "LBP-A09",
        title: "County border management committees: establishment and quarterly meeting support",
        output: "LBP-OP3.2",
        lead: "MINA",
        county: None,
        planned_start: (2023, 7, 1),
        planned_end: (2027, 3, 31),
        actual_start: Some((2023, 8, 7)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 75,
        budget_minor: 21_000_000,
        spend_minor: 15_800_000,
    },
    ActivityDef {
        code: "LBP-A10",
        title: "Costing study and multi-year operation and maintenance plan for supported border posts",
        output: "LBP-OP3.2",
        lead: "IOM",
        county: None,
        planned_start: (2026, 4, 1),
        planned_end: (2026, 12, 31),
        actual_start: Some((2026, 5, 4)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 70,
        budget_minor: 9_500_000,
        spend_minor: 6_100_000,
    },
    ActivityDef {
        code: "LBP-A11",
        title: "Biannual traveller and trader exit surveys at supported border posts",
        output: "LBP-OP2.2",
        lead: "IOM",
        county: None,
        planned_start: (2022, 10, 1),
        planned_end: (2027, 6, 30),
        actual_start: Some((2022, 10, 10)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 70,
        budget_minor: 16_000_000,
        spend_minor: 11_200_000,
    },
    ActivityDef {
        code: "LBP-A12",
        title: "Equipment package for Kiunga border post: solar power, document readers and patrol boat engines",
        output: "LBP-OP3.1",
        lead: "KRA",
        county: Some("005"),
        planned_start: (2027, 1, 15),
        planned_end: (2027, 5, 31),
        actual_start: None,
        actual_end: None,
        status: "not_started",
        percent_complete: 0,
        budget_minor: 31_000_000,
        spend_minor: 0,
    },
];

const LBP: ProgrammeDef = ProgrammeDef {
    code: "LBP",
    name: "Land Border Programme",
    description: "The Land Border Programme continues the work of Deris Wanaag and widens it from community peace structures to border management. It supports coordinated management at priority border posts by the Border Police Unit, Immigration and KRA Customs (training, joint screening and referral of trafficking victims, infrastructure, power and connectivity), sustains the peace committee and early-warning architecture built under Deris Wanaag, and works with the Government of Kenya to fund the running costs of the posts. Phase 1 covers Mandera, Wajir, Garissa and Lamu; Phase 2 adds Busia, Turkana and Marsabit.",
    currency: "GBP",
    start: (2022, 7, 1),
    end: (2027, 6, 30),
    partners: &[
        ("FCDO", "donor"),
        ("MINA", "lead_ministry"),
        ("IOM", "implementing_partner"),
        ("DIS", "partner"),
        ("KRA", "partner"),
        ("BPU", "partner"),
        ("NPS", "partner"),
        ("NSC", "partner"),
        ("CS-WOMEN", "partner"),
        ("CS-CTIP", "partner"),
    ],
    phases: &[
        PhaseDef {
            name: "Phase 1 – Somalia border and coast",
            start: (2022, 7, 1),
            end: (2024, 12, 31),
            counties: &["009", "008", "007", "005"],
        },
        PhaseDef {
            name: "Phase 2 – extension to Busia, Turkana and Marsabit",
            start: (2025, 1, 1),
            end: (2027, 6, 30),
            counties: &["009", "008", "007", "005", "040", "023", "010"],
        },
    ],
    framework: ResultDef {
        level: "impact",
        code: "LBP-IMP",
        statement: "Kenya's land borders are better secured and managed, reducing cross-border crime and insecurity while facilitating legitimate movement and trade",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "Regional security conditions in Somalia, Ethiopia and South Sudan do not deteriorate sharply; the Government of Kenya keeps border management a budget priority.",
        indicators: LBP_IMPACT_INDICATORS,
        children: LBP_OUTCOMES,
    },
    milestones: LBP_MILESTONES,
    activities: LBP_ACTIVITIES,
    narrative: "July–September 2026: community engagement remains the programme's strongest area. Attendance at community–border agency forums and the number of cross-border incidents settled by peace committees are both ahead of milestone, and the ward committees extended to Busia, Turkana and Marsabit are now scored as functional. Border officer training is on track for the 1,400-officer milestone due in December. Two results are off track. Infrastructure delivery is behind because the Nadapal (Turkana) power and connectivity works are stalled awaiting a county wayleave approval; the same outage held down electronic capture of travellers in Turkana, pulling the BMIS indicator to amber. Government disbursements for operation and maintenance of supported posts are well below milestone after supplementary budget cuts, which threatens sustainability. This will be raised at the next steering committee alongside the costed maintenance plan due in February. The Busia referral SOPs are overdue pending the County Commissioner's signature.",
};

// ---------------------------------------------------------------------------
// Programme 3: Kenya–UK Border Security MoU (live)
// ---------------------------------------------------------------------------

const MOU_IMPACT_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "MOU-0.1",
        title: "Terrorism-related and violent extremist incidents recorded in target border counties",
        definition: "Number of incidents attributed to terrorist or violent extremist groups (IED attacks, armed attacks, kidnappings, attacks on communications masts) recorded in target counties during the quarter. Programme figure is the sum across active counties; the annual figure is the average per quarter.",
        unit: "count",
        direction: "lower",
        county_aggregation: "sum",
        period_aggregation: "mean",
        baseline: 21.0,
        baseline_date: (2025, 6, 30),
        end_target: 12.0,
        means_of_verification: "National Counter Terrorism Centre incident database; NPS Occurrence Book (OB) records; ACLED event data for triangulation",
        disaggregations: &[],
        key: true,
    },
    IndicatorDef {
        code: "MOU-0.2",
        title: "Trafficking and smuggling cases unresolved for more than 90 days",
        definition: "Number of identified victims of trafficking and smuggled migrants in target counties whose case has had no referral outcome (placement in protective care, voluntary return, or case closure) more than 90 days after identification, counted at quarter end.",
        unit: "count",
        direction: "lower",
        county_aggregation: "sum",
        period_aggregation: "latest",
        baseline: 140.0,
        baseline_date: (2025, 6, 30),
        end_target: 50.0,
        means_of_verification: "National Referral Mechanism case management records (Counter-Trafficking in Persons Secretariat and IOM); county children's and social protection officers' case logs",
        disaggregations: &[],
        key: false,
    },
];

const MOU_OC1_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "MOU-1.1",
        title: "Average number of days to share an early-warning alert with the responsible security agency",
        definition: "Mean number of calendar days between a verified early-warning alert being logged by a community or sub-county structure and its transmission, through the County Security and Intelligence Committee, to the agency responsible for responding (NPS, BPU, NCTC or Immigration). County figures are averaged with equal weight.",
        unit: "number",
        direction: "lower",
        county_aggregation: "mean",
        period_aggregation: "mean",
        baseline: 8.0,
        baseline_date: (2025, 6, 30),
        end_target: 2.0,
        means_of_verification: "EWER alert log timestamps; County Security and Intelligence Committee minutes and transmission registers",
        disaggregations: &[],
        key: true,
    },
    IndicatorDef {
        code: "MOU-1.2",
        title: "Percentage of verified early-warning alerts receiving a documented protective security response within 48 hours",
        definition: "Number of verified early-warning alerts that received a documented protective security response (patrol, deployment, protective escort or targeted community engagement) within 48 hours of being logged, divided by all verified alerts logged in the quarter, multiplied by 100. County figures are averaged with equal weight.",
        unit: "percentage",
        direction: "higher",
        county_aggregation: "mean",
        period_aggregation: "mean",
        baseline: 31.0,
        baseline_date: (2025, 6, 30),
        end_target: 75.0,
        means_of_verification: "EWER response log; County Security and Intelligence Committee minutes; NPS deployment records",
        disaggregations: &[],
        key: false,
    },
    IndicatorDef {
        code: "MOU-1.3",
        title: "Actionable intelligence reports on smuggling and trafficking networks shared between county and national agencies",
        definition: "Number of intelligence reports on migrant-smuggling, trafficking or terrorist facilitation networks graded 'actionable' by the receiving agency and shared between County Security and Intelligence Committees and national agencies (NCTC, DCI, BPU, Immigration) during the quarter. Cumulative; only aggregate counts are reported.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2025, 6, 30),
        end_target: 600.0,
        means_of_verification: "Intelligence-sharing registers kept by CSIC secretariats; NCTC acknowledgement records (restricted, aggregate figures only)",
        disaggregations: &[],
        key: false,
    },
];

const MOU_OC2_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "MOU-2.1",
        title: "Migrant-smuggling and human-trafficking cases investigated and referred to the ODPP",
        definition: "Number of migrant-smuggling or trafficking-in-persons cases investigated by the NPS in target counties and forwarded to the ODPP with a complete investigation file during the quarter. Cumulative from programme start.",
        unit: "count",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2025, 6, 30),
        end_target: 260.0,
        means_of_verification: "NPS Anti-Human Trafficking and Child Protection Unit case register; ODPP charging decision records",
        disaggregations: &[],
        key: true,
    },
    IndicatorDef {
        code: "MOU-2.2",
        title: "Reported migrant-smuggling incidents along target border corridors",
        definition: "Number of migrant-smuggling incidents (groups of irregular migrants intercepted with a facilitator, or facilitators arrested) recorded by the NPS, BPU or Immigration along target border corridors during the quarter. Programme figure is the sum across active counties; the annual figure is the average per quarter.",
        unit: "count",
        direction: "lower",
        county_aggregation: "sum",
        period_aggregation: "mean",
        baseline: 85.0,
        baseline_date: (2025, 6, 30),
        end_target: 55.0,
        means_of_verification: "NPS Occurrence Book (OB) records; Immigration interception reports; IOM Displacement Tracking Matrix flow monitoring for context",
        disaggregations: &[],
        key: false,
    },
];

const MOU_OP11_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "MOU-OP1.1.1",
    title: "Security committee members and community leaders trained in early warning, threat analysis and information sharing",
    definition: "Number of County and Sub-County Security and Intelligence Committee members and community leaders (elders, religious leaders, women and youth representatives) who completed the three-day early warning and information-sharing course during the quarter. Each person is counted once. Cumulative; disaggregated by sex.",
    unit: "count",
    direction: "higher",
    county_aggregation: "sum",
    period_aggregation: "sum",
    baseline: 0.0,
    baseline_date: (2025, 6, 30),
    end_target: 1200.0,
    means_of_verification: "Signed training attendance registers; VALAR training database; pre- and post-test records",
    disaggregations: &["sex"],
    key: true,
}];

const MOU_OP12_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "MOU-OP1.2.1",
    title: "County intelligence-sharing protocol between the CSIC, NCTC and border agencies signed and operational",
    definition: "Yes (1) if the county's intelligence-sharing protocol between the County Security and Intelligence Committee, the NCTC and the border agencies has been signed AND at least one report was exchanged under it in the quarter; otherwise No (0). Programme figure is the share of active counties answering Yes.",
    unit: "yes_no",
    direction: "higher",
    county_aggregation: "mean",
    period_aggregation: "latest",
    baseline: 0.0,
    baseline_date: (2025, 6, 30),
    end_target: 1.0,
    means_of_verification: "Signed protocols; CSIC minutes; NCTC acknowledgement records",
    disaggregations: &[],
    key: false,
}];

const MOU_OP13_INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        code: "MOU-OP1.3.1",
        title: "Percentage of BPU and NPS border stations meeting the minimum standard for protective security response",
        definition: "Number of BPU and NPS stations within 50 km of the border that meet all four elements of the minimum response standard (24-hour communications, serviceable vehicle, at least one trained response team, standing orders for early-warning response), divided by all such stations in the county, multiplied by 100. County figures are averaged with equal weight.",
        unit: "percentage",
        direction: "higher",
        county_aggregation: "mean",
        period_aggregation: "latest",
        baseline: 20.0,
        baseline_date: (2025, 6, 30),
        end_target: 80.0,
        means_of_verification: "Six-monthly joint station capability assessments (VALAR and NPS); station inspection checklists",
        disaggregations: &[],
        key: false,
    },
    IndicatorDef {
        code: "MOU-OP1.3.2",
        title: "Value of protective security equipment handed over to BPU and NPS border stations",
        definition: "Value at purchase price of communications, mobility and surveillance equipment handed over to BPU and NPS border stations in target counties during the quarter, as recorded on signed handover certificates. Cumulative from programme start.",
        unit: "currency",
        direction: "higher",
        county_aggregation: "sum",
        period_aggregation: "sum",
        baseline: 0.0,
        baseline_date: (2025, 6, 30),
        end_target: 1_800_000.0,
        means_of_verification: "Signed handover certificates; VALAR asset register; FCDO asset verification",
        disaggregations: &[],
        key: false,
    },
];

const MOU_OP21_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "MOU-OP2.1.1",
    title: "Border officers trained in detection and investigation of migrant smuggling and trafficking in persons",
    definition: "Number of serving officers deployed in target counties who completed the counter-smuggling and counter-trafficking detection and investigation course and passed the practical assessment during the quarter. Each officer is counted once. Cumulative; disaggregated by agency.",
    unit: "count",
    direction: "higher",
    county_aggregation: "sum",
    period_aggregation: "sum",
    baseline: 0.0,
    baseline_date: (2025, 6, 30),
    end_target: 800.0,
    means_of_verification: "Training registers countersigned by agency station heads; IOM training database; practical assessment records",
    disaggregations: &["agency"],
    key: true,
}];

const MOU_OP22_INDICATORS: &[IndicatorDef] = &[IndicatorDef {
    code: "MOU-OP2.2.1",
    title: "Flow monitoring points reporting monthly to the IOM Displacement Tracking Matrix",
    definition: "Number of IOM Displacement Tracking Matrix flow monitoring points in target counties that submitted complete data for all three months of the quarter. Stock at quarter end.",
    unit: "count",
    direction: "higher",
    county_aggregation: "sum",
    period_aggregation: "latest",
    baseline: 4.0,
    baseline_date: (2025, 6, 30),
    end_target: 18.0,
    means_of_verification: "IOM Displacement Tracking Matrix flow monitoring dashboards and monthly reports",
    disaggregations: &[],
    key: false,
}];

const MOU_OUTPUTS_OC1: &[ResultDef] = &[
    ResultDef {
        level: "output",
        code: "MOU-OP1.1",
        statement: "County security and intelligence committees and community early-warning structures in target counties are trained and linked to national early-warning systems",
        impact_weighting: Some(20.0),
        risk_rating: Some("medium"),
        assumptions: "County Commissioners convene committees regularly; trained members are not transferred within a year.",
        indicators: MOU_OP11_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "MOU-OP1.2",
        statement: "Secure information-sharing protocols connect county committees with the NCTC and border agencies",
        impact_weighting: Some(15.0),
        risk_rating: Some("high"),
        assumptions: "National agencies agree to share threat information with county committees; secure communications are accredited.",
        indicators: MOU_OP12_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "MOU-OP1.3",
        statement: "Protective security response capacity of BPU and NPS border stations is strengthened",
        impact_weighting: Some(15.0),
        risk_rating: Some("high"),
        assumptions: "NPS maintains and fuels donated vehicles and keeps trained response teams at border stations.",
        indicators: MOU_OP13_INDICATORS,
        children: &[],
    },
];

const MOU_OUTPUTS_OC2: &[ResultDef] = &[
    ResultDef {
        level: "output",
        code: "MOU-OP2.1",
        statement: "Border officers are trained and mentored to identify, investigate and refer migrant-smuggling and trafficking cases",
        impact_weighting: Some(25.0),
        risk_rating: Some("medium"),
        assumptions: "The ODPP assigns prosecutors to border counties to guide investigations.",
        indicators: MOU_OP21_INDICATORS,
        children: &[],
    },
    ResultDef {
        level: "output",
        code: "MOU-OP2.2",
        statement: "An evidence base on mixed migration flows and organised crime in the borderlands is generated and used by decision-makers",
        impact_weighting: Some(25.0),
        risk_rating: Some("low"),
        assumptions: "Flow monitoring enumerators can access crossing points safely; agencies use evidence briefs in planning.",
        indicators: MOU_OP22_INDICATORS,
        children: &[],
    },
];

const MOU_OUTCOMES: &[ResultDef] = &[
    ResultDef {
        level: "outcome",
        code: "MOU-OC1",
        statement: "Early warning and intelligence sharing between communities, county security and intelligence committees and national agencies enable timely, coordinated protective security responses",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "Communities continue to report threats; agencies have the resources to respond.",
        indicators: MOU_OC1_INDICATORS,
        children: MOU_OUTPUTS_OC1,
    },
    ResultDef {
        level: "outcome",
        code: "MOU-OC2",
        statement: "Border agencies and local security committees take coordinated, rights-based action against irregular migration, migrant smuggling and human trafficking, informed by evidence",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "Courts and the ODPP process trafficking cases without long adjournments; protection services can receive referred victims.",
        indicators: MOU_OC2_INDICATORS,
        children: MOU_OUTPUTS_OC2,
    },
];

const MOU_MILESTONES: &[MilestoneDef] = &[
    MilestoneDef {
        title: "Inception report, theory of change and logframe agreed with MINA and FCDO",
        output: "MOU-OP1.1",
        county: None,
        due: (2025, 9, 30),
        status: "completed",
        completed: Some((2025, 10, 10)),
        evidence: "Approved inception report; logframe v1.0 signed off by MINA and FCDO",
    },
    MilestoneDef {
        title: "Baseline capacity assessment of CSICs in the five initial counties",
        output: "MOU-OP1.1",
        county: None,
        due: (2025, 12, 15),
        status: "completed",
        completed: Some((2025, 12, 19)),
        evidence: "Baseline assessment report covering Turkana, Mandera, Marsabit, Wajir and Busia",
    },
    MilestoneDef {
        title: "Memorandum of Understanding signed by MINA, the UK Government, IOM and VALAR",
        output: "MOU-OP1.2",
        county: None,
        due: (2025, 12, 31),
        status: "completed",
        completed: Some((2026, 2, 4)),
        evidence: "Signed MoU; Ministry of Interior and National Administration press statement",
    },
    MilestoneDef {
        title: "DTM flow monitoring points operational in Turkana, Marsabit and Busia",
        output: "MOU-OP2.2",
        county: None,
        due: (2026, 3, 31),
        status: "completed",
        completed: Some((2026, 4, 22)),
        evidence: "IOM DTM monthly flow monitoring report for April 2026",
    },
    MilestoneDef {
        title: "Mandera CSIC–NCTC intelligence-sharing protocol signed",
        output: "MOU-OP1.2",
        county: Some("009"),
        due: (2026, 6, 30),
        status: "completed",
        completed: Some((2026, 6, 18)),
        evidence: "Signed protocol; Mandera CSIC minutes of 18 June 2026",
    },
    MilestoneDef {
        title: "Phase 2 county entry briefings held in Garissa, Lamu and West Pokot",
        output: "MOU-OP1.1",
        county: None,
        due: (2026, 9, 30),
        status: "delayed",
        completed: None,
        evidence: "Garissa and West Pokot briefings held (minutes on file); Lamu briefing postponed pending security clearance",
    },
    MilestoneDef {
        title: "Busia protective security response capability assessment",
        output: "MOU-OP1.3",
        county: Some("040"),
        due: (2026, 10, 31),
        status: "in_progress",
        completed: None,
        evidence: "Field assessment of six of nine stations completed; report in drafting",
    },
    MilestoneDef {
        title: "First mixed migration and organised crime evidence brief published",
        output: "MOU-OP2.2",
        county: None,
        due: (2026, 12, 15),
        status: "in_progress",
        completed: None,
        evidence: "",
    },
    MilestoneDef {
        title: "Annual review of the MoU programme by the joint steering committee",
        output: "MOU-OP2.1",
        county: None,
        due: (2027, 1, 31),
        status: "planned",
        completed: None,
        evidence: "",
    },
    MilestoneDef {
        title: "Mobility and communications equipment handed over to BPU stations in Turkana",
        output: "MOU-OP1.3",
        county: Some("023"),
        due: (2027, 2, 20),
        status: "planned",
        completed: None,
        evidence: "",
    },
];

const MOU_ACTIVITIES: &[ActivityDef] = &[
    ActivityDef {
        code: "MOU-A01",
        title: "Inception phase: political economy analysis, theory of change and logframe",
        output: "MOU-OP1.1",
        lead: "VALAR",
        county: None,
        planned_start: (2025, 7, 1),
        planned_end: (2025, 9, 30),
        actual_start: Some((2025, 7, 1)),
        actual_end: Some((2025, 10, 10)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 16_000_000,
        spend_minor: 15_850_000,
    },
    ActivityDef {
        code: "MOU-A02",
        title: "Baseline capacity assessment of County Security and Intelligence Committees",
        output: "MOU-OP1.1",
        lead: "VALAR",
        county: None,
        planned_start: (2025, 10, 1),
        planned_end: (2025, 12, 15),
        actual_start: Some((2025, 10, 6)),
        actual_end: Some((2025, 12, 19)),
        status: "completed",
        percent_complete: 100,
        budget_minor: 12_000_000,
        spend_minor: 11_700_000,
    },
    ActivityDef {
        code: "MOU-A03",
        title: "Early warning, threat analysis and information-sharing training for security committees and community leaders",
        output: "MOU-OP1.1",
        lead: "VALAR",
        county: None,
        planned_start: (2025, 11, 1),
        planned_end: (2027, 12, 31),
        actual_start: Some((2025, 11, 17)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 42,
        budget_minor: 90_000_000,
        spend_minor: 37_200_000,
    },
    ActivityDef {
        code: "MOU-A04",
        title: "CSIC–NCTC secure information-sharing platform and county protocols",
        output: "MOU-OP1.2",
        lead: "NCTC",
        county: None,
        planned_start: (2026, 1, 1),
        planned_end: (2026, 12, 31),
        actual_start: Some((2026, 2, 16)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 65,
        budget_minor: 48_000_000,
        spend_minor: 30_000_000,
    },
    ActivityDef {
        code: "MOU-A05",
        title: "Protective security capability assessments of BPU and NPS border stations",
        output: "MOU-OP1.3",
        lead: "VALAR",
        county: None,
        planned_start: (2026, 7, 1),
        planned_end: (2026, 10, 31),
        actual_start: Some((2026, 8, 3)),
        actual_end: None,
        status: "delayed",
        percent_complete: 60,
        budget_minor: 9_000_000,
        spend_minor: 5_100_000,
    },
    ActivityDef {
        code: "MOU-A06",
        title: "Mobility and communications equipment for BPU border stations in Turkana",
        output: "MOU-OP1.3",
        lead: "VALAR",
        county: Some("023"),
        planned_start: (2026, 4, 1),
        planned_end: (2027, 2, 28),
        actual_start: Some((2026, 5, 11)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 45,
        budget_minor: 125_000_000,
        spend_minor: 54_000_000,
    },
    ActivityDef {
        code: "MOU-A07",
        title: "Counter-smuggling and counter-trafficking detection and investigation training for border officers",
        output: "MOU-OP2.1",
        lead: "IOM",
        county: None,
        planned_start: (2025, 10, 1),
        planned_end: (2027, 9, 30),
        actual_start: Some((2025, 10, 20)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 45,
        budget_minor: 85_000_000,
        spend_minor: 36_600_000,
    },
    ActivityDef {
        code: "MOU-A08",
        title: "Case-file mentoring for NPS anti-trafficking investigators with ODPP prosecutors",
        output: "MOU-OP2.1",
        lead: "ODPP",
        county: None,
        planned_start: (2026, 1, 1),
        planned_end: (2026, 9, 30),
        actual_start: Some((2026, 3, 2)),
        actual_end: None,
        status: "delayed",
        percent_complete: 50,
        budget_minor: 14_000_000,
        spend_minor: 7_200_000,
    },
    ActivityDef {
        code: "MOU-A09",
        title: "DTM flow monitoring points in Turkana, Marsabit, Busia and Mandera",
        output: "MOU-OP2.2",
        lead: "IOM",
        county: None,
        planned_start: (2025, 10, 1),
        planned_end: (2028, 3, 31),
        actual_start: Some((2025, 10, 1)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 38,
        budget_minor: 72_000_000,
        spend_minor: 26_800_000,
    },
    ActivityDef {
        code: "MOU-A10",
        title: "Quarterly mixed migration and organised crime evidence briefs and annual threat assessment",
        output: "MOU-OP2.2",
        lead: "IOM",
        county: None,
        planned_start: (2026, 4, 1),
        planned_end: (2028, 3, 31),
        actual_start: Some((2026, 6, 1)),
        actual_end: None,
        status: "in_progress",
        percent_complete: 20,
        budget_minor: 26_000_000,
        spend_minor: 4_900_000,
    },
    ActivityDef {
        code: "MOU-A11",
        title: "Phase 2 county entry: Garissa, Lamu and West Pokot security committee briefings and work plans",
        output: "MOU-OP1.1",
        lead: "MINA",
        county: None,
        planned_start: (2026, 7, 1),
        planned_end: (2026, 9, 30),
        actual_start: Some((2026, 7, 20)),
        actual_end: None,
        status: "delayed",
        percent_complete: 70,
        budget_minor: 7_500_000,
        spend_minor: 4_900_000,
    },
    ActivityDef {
        code: "MOU-A12",
        title: "Community–security dialogues on irregular migration and trafficking risks in Busia",
        output: "MOU-OP2.2",
        lead: "CS-CTIP",
        county: Some("040"),
        planned_start: (2027, 1, 15),
        planned_end: (2027, 12, 15),
        actual_start: None,
        actual_end: None,
        status: "not_started",
        percent_complete: 0,
        budget_minor: 18_000_000,
        spend_minor: 0,
    },
];

const MOU: ProgrammeDef = ProgrammeDef {
    code: "KEUK-MOU",
    name: "Kenya–UK Border Security Cooperation (MoU Programme)",
    description: "Programme implementing the Memorandum of Understanding on border security cooperation between Kenya's Ministry of Interior and National Administration and the UK Government, delivered with IOM and VALAR and coordinated through Kenya's national security architecture. It builds on Deris Wanaag and the Land Border Programme and focuses on early warning, intelligence sharing and protective security responses; coordinated action against irregular migration, migrant smuggling and human trafficking; the capacity of local security committees and border agencies working with community leaders; and an evidence base on mixed migration flows and organised crime. Phase 1 covers the five initial counties (Turkana, Mandera, Marsabit, Wajir and Busia); Phase 2 expands to Garissa, Lamu and West Pokot.",
    currency: "GBP",
    start: (2025, 7, 1),
    end: (2028, 6, 30),
    partners: &[
        ("FCDO", "donor"),
        ("MINA", "lead_ministry"),
        ("IOM", "implementing_partner"),
        ("VALAR", "implementing_partner"),
        ("NCTC", "partner"),
        ("NPS", "partner"),
        ("BPU", "partner"),
        ("DIS", "partner"),
        ("ODPP", "partner"),
        ("CSIC-TKN", "partner"),
        ("CSIC-MDR", "partner"),
        ("CSIC-MBT", "partner"),
        ("CSIC-WJR", "partner"),
        ("CSIC-BSA", "partner"),
        ("CS-CTIP", "partner"),
    ],
    phases: &[
        PhaseDef {
            name: "Phase 1 – five initial MoU counties",
            start: (2025, 7, 1),
            end: (2026, 6, 30),
            counties: &["023", "009", "010", "008", "040"],
        },
        PhaseDef {
            name: "Phase 2 – expansion to Garissa, Lamu and West Pokot",
            start: (2026, 7, 1),
            end: (2028, 6, 30),
            counties: &["023", "009", "010", "008", "040", "007", "005", "024"],
        },
    ],
    framework: ResultDef {
        level: "impact",
        code: "MOU-IMP",
        statement: "Kenya's borderlands are more secure and stable, with communities better protected from terrorism, human trafficking, migrant smuggling and other transnational organised crime",
        impact_weighting: None,
        risk_rating: None,
        assumptions: "Regional conflict (Somalia, Ethiopia, South Sudan) does not produce displacement on a scale that overwhelms border agencies; the MoU partners maintain political commitment.",
        indicators: MOU_IMPACT_INDICATORS,
        children: MOU_OUTCOMES,
    },
    milestones: MOU_MILESTONES,
    activities: MOU_ACTIVITIES,
    narrative: "July–September 2026, the first quarter of Phase 2: Garissa, Lamu and West Pokot joined the five initial counties on 1 July; entry briefings were held in Garissa and West Pokot, but the Lamu briefing was postponed pending security clearance. Intelligence sharing is the strongest area: actionable reports shared between county committees and national agencies are ahead of milestone since the Mandera protocol was signed in June, and the DTM flow monitoring network grew faster than planned after two new points opened at Moyale and Sololo. Alerts are still reaching responsible agencies more slowly than planned (amber), mainly in the new Phase 2 counties where CSIC secretariats are not yet using the shared alert template. Two results are red. Cases referred to the ODPP are well behind milestone because case files from the July Moyale corridor operation await ODPP review and the investigator mentoring activity started late. The intelligence-sharing protocol is not yet signed in the three Phase 2 counties. The Busia station capability assessment is overdue and will be completed in December.",
};

/// The three demonstration programmes: Deris Wanaag (completed), the Land
/// Border Programme and the Kenya–UK MoU programme (both live).
pub static PROGRAMMES: &[ProgrammeDef] = &[DW, LBP, MOU];

/// Indicator continuity in the demonstration: (indicator, the earlier one it continues
/// or None for a change in place, first quarter of a change in place, definition
/// changed, note).
pub struct LinkDef {
    pub indicator: &'static str,
    pub continues: Option<&'static str>,
    pub from_period: Option<&'static str>,
    pub definition_changed: bool,
    pub note: &'static str,
}

pub const LINKS: &[LinkDef] = &[
    LinkDef {
        indicator: "LBP-2.1",
        continues: Some("DW-1.1"),
        from_period: None,
        definition_changed: false,
        note: "Same definition and counting rules: the Land Border Programme took over Deris Wanaag's peace-committee mediation in Mandera and Wajir from July 2022.",
    },
    LinkDef {
        indicator: "LBP-2.2",
        continues: Some("DW-2.2"),
        from_period: None,
        definition_changed: true,
        note: "Deris Wanaag counted calendar days from the alert being logged to its dispatch; the Land Border Programme counts to the counterpart acknowledging receipt, so its figures run longer for the same speed of sharing.",
    },
    LinkDef {
        indicator: "LBP-1.2",
        continues: None,
        from_period: Some("2025Q1"),
        definition_changed: true,
        note: "From 2025Q1 exits as well as entries count as captured in the border management information system; before, entries only.",
    },
];

/// Demonstration programmes' DAC sectors for their IATI files (checked by iati::sector).
pub const SECTORS: &[(&str, &str)] = &[
    ("DW", "15220 100"),
    ("LBP", "15210 50; 15190 50"),
    ("KEUK-MOU", "15210 70; 15190 30"),
];

/// Demonstration indicators not public (code, level, small-number rule, threshold): the
/// size of an informant-like network and intelligence sharing stay internal; crime and
/// trafficking figures go to partners or are published with small county figures hidden.
pub const PUBLICATION: &[(&str, &str, &str, Option<i32>)] = &[
    ("DW-OP1.2.1", "internal", "none", None),
    ("MOU-1.3", "internal", "none", None),
    ("LBP-0.1", "partners", "none", None),
    ("LBP-1.1", "public", "fewer_than", Some(5)),
    ("MOU-2.1", "partners", "withhold", Some(5)),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn date(ymd: Ymd) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(ymd.0, ymd.1, ymd.2).expect("valid date")
    }

    fn today() -> chrono::NaiveDate {
        date(DEMO_TODAY)
    }

    fn is_live(p: &ProgrammeDef) -> bool {
        date(p.start) <= today() && today() <= date(p.end)
    }

    #[test]
    fn forty_seven_counties_with_unique_official_codes() {
        assert_eq!(COUNTIES.len(), 47);
        let codes: HashSet<_> = COUNTIES.iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), 47);
        for (i, c) in COUNTIES.iter().enumerate() {
            assert_eq!(c.code, format!("{:03}", i + 1), "{}", c.name);
            assert!(!c.name.is_empty());
        }
        let names: HashSet<_> = COUNTIES.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), 47);
    }

    #[test]
    fn the_five_mou_counties_are_marked() {
        let mut marked: Vec<_> = COUNTIES
            .iter()
            .filter(|c| c.mou_initial)
            .map(|c| c.code)
            .collect();
        marked.sort_unstable();
        assert_eq!(marked, vec!["008", "009", "010", "023", "040"]);
    }

    #[test]
    fn borders_name_only_neighbouring_countries() {
        let neighbours = ["Somalia", "Ethiopia", "South Sudan", "Uganda", "Tanzania"];
        for c in &COUNTIES {
            if c.borders.is_empty() {
                continue;
            }
            for part in c.borders.split(", ") {
                assert!(neighbours.contains(&part), "{}: {part}", c.name);
            }
        }
        for (code, country) in [
            ("009", "Somalia"),
            ("009", "Ethiopia"),
            ("008", "Somalia"),
            ("010", "Ethiopia"),
            ("023", "South Sudan"),
            ("040", "Uganda"),
            ("005", "Somalia"),
            ("007", "Somalia"),
            ("034", "Tanzania"),
        ] {
            assert!(county(code).unwrap().borders.contains(country));
        }
        assert_eq!(county("047").unwrap().borders, "");
        // Every county a programme works in is a border county.
        for p in PROGRAMMES {
            for code in p.county_codes() {
                assert!(!county(code).unwrap().borders.is_empty(), "{code}");
            }
        }
    }

    #[test]
    fn organisations_are_unique_and_well_formed() {
        let kinds = [
            "government",
            "donor",
            "un_agency",
            "private",
            "committee",
            "civil_society",
        ];
        let mut codes = HashSet::new();
        for o in ORGANISATIONS {
            assert!(codes.insert(o.code), "duplicate org {}", o.code);
            assert!(kinds.contains(&o.kind), "{}", o.code);
            assert!(!o.name.is_empty() && !o.short_name.is_empty());
            assert!(!o.code.contains(' '));
        }
    }

    #[test]
    fn programme_headers_are_valid() {
        let mut codes = HashSet::new();
        for p in PROGRAMMES {
            assert!(codes.insert(p.code));
            assert!(!p.code.contains(' ') && p.code == p.code.to_uppercase());
            assert!(p.currency == "GBP" || p.currency == "KES");
            assert!(date(p.start) < date(p.end));
            assert!(!p.name.is_empty() && !p.description.is_empty());
            assert!(p.narrative.len() > 200, "{}", p.code);
        }
        let codes: Vec<_> = PROGRAMMES.iter().map(|p| p.code).collect();
        assert_eq!(codes, vec!["DW", "LBP", "KEUK-MOU"]);
        assert!(!is_live(programme("DW").unwrap()));
        assert!(is_live(programme("LBP").unwrap()));
        assert!(is_live(programme("KEUK-MOU").unwrap()));
    }

    #[test]
    fn partners_exist_and_roles_are_valid() {
        let roles = ["donor", "lead_ministry", "implementing_partner", "partner"];
        for p in PROGRAMMES {
            let mut seen = HashSet::new();
            for &(org, role) in p.partners {
                assert!(organisation(org).is_some(), "{}: {org}", p.code);
                assert!(roles.contains(&role), "{}: {role}", p.code);
                assert!(seen.insert(org), "{}: {org} twice", p.code);
            }
            let count = |r: &str| p.partners.iter().filter(|x| x.1 == r).count();
            assert_eq!(count("donor"), 1, "{}", p.code);
            assert_eq!(count("lead_ministry"), 1, "{}", p.code);
            assert!(count("implementing_partner") >= 1, "{}", p.code);
        }
    }

    #[test]
    fn phases_are_two_contiguous_and_use_real_counties() {
        for p in PROGRAMMES {
            assert_eq!(p.phases.len(), 2, "{}", p.code);
            assert_eq!(p.phases[0].start, p.start);
            assert_eq!(p.phases[1].end, p.end);
            let end0 = date(p.phases[0].end);
            assert_eq!(end0.succ_opt().unwrap(), date(p.phases[1].start));
            for ph in p.phases {
                assert!(date(ph.start) < date(ph.end));
                assert!(!ph.counties.is_empty());
                let unique: HashSet<_> = ph.counties.iter().collect();
                assert_eq!(unique.len(), ph.counties.len());
                for c in ph.counties {
                    assert!(county(c).is_some(), "{}: {c}", p.code);
                }
            }
            // Phase 2 expands phase 1.
            for c in p.phases[0].counties {
                assert!(p.phases[1].counties.contains(c));
            }
            assert!(p.phases[1].counties.len() > p.phases[0].counties.len());
        }
        let mou = programme("KEUK-MOU").unwrap();
        let mut first: Vec<_> = mou.phases[0].counties.to_vec();
        first.sort_unstable();
        assert_eq!(first, vec!["008", "009", "010", "023", "040"]);
        assert_eq!(mou.phases[1].start, (2026, 7, 1));
    }

    #[test]
    fn framework_shape_and_weightings() {
        for p in PROGRAMMES {
            let f = &p.framework;
            assert_eq!(f.level, "impact");
            assert!(f.impact_weighting.is_none() && f.risk_rating.is_none());
            assert!((2..=3).contains(&f.children.len()), "{}", p.code);
            let mut weight = 0.0;
            for oc in f.children {
                assert_eq!(oc.level, "outcome");
                assert!(oc.impact_weighting.is_none() && oc.risk_rating.is_none());
                assert!((2..=3).contains(&oc.children.len()), "{}", oc.code);
                for op in oc.children {
                    assert_eq!(op.level, "output");
                    assert!(op.children.is_empty());
                    let w = op.impact_weighting.expect("output weighting");
                    assert!(w > 0.0);
                    weight += w;
                    let risk = op.risk_rating.expect("output risk");
                    assert!(["low", "medium", "high"].contains(&risk));
                    assert!(op.code.starts_with(&format!("{}OP", prefix(p))));
                }
            }
            assert!((weight - 100.0).abs() < 1e-9, "{}: {weight}", p.code);
            for r in p.results() {
                assert!(!r.statement.is_empty() && !r.assumptions.is_empty());
            }
        }
    }

    /// Indicator and result code prefix of a programme, e.g. "LBP-".
    fn prefix(p: &ProgrammeDef) -> String {
        let code = p.framework.code;
        format!("{}-", &code[..code.find('-').unwrap()])
    }

    #[test]
    fn codes_are_unique() {
        let mut all_indicators = HashSet::new();
        let mut all_results = HashSet::new();
        for p in PROGRAMMES {
            let mut codes = HashSet::new();
            for i in p.indicators() {
                assert!(codes.insert(i.code), "{}: duplicate {}", p.code, i.code);
                assert!(all_indicators.insert(i.code), "{} reused", i.code);
                assert!(i.code.starts_with(&prefix(p)), "{}", i.code);
            }
            for r in p.results() {
                assert!(all_results.insert(r.code), "{} reused", r.code);
                assert!(!all_indicators.contains(r.code));
            }
            let mut acts = HashSet::new();
            for a in p.activities {
                assert!(acts.insert(a.code), "{}", a.code);
                assert!(a.code.starts_with(&prefix(p)));
            }
        }
    }

    #[test]
    fn indicator_fields_are_valid() {
        for p in PROGRAMMES {
            let inds = p.indicators();
            assert!((8..=14).contains(&inds.len()), "{}: {}", p.code, inds.len());
            assert!(inds.iter().any(|i| i.key), "{}", p.code);
            assert!(inds.iter().any(|i| i.direction == "lower"), "{}", p.code);
            assert!(
                inds.iter().any(|i| !i.disaggregations.is_empty()),
                "{}",
                p.code
            );
            for level in ["impact", "outcome", "output"] {
                assert!(
                    p.results()
                        .iter()
                        .any(|r| r.level == level && !r.indicators.is_empty()),
                    "{} has no {level} indicator",
                    p.code
                );
            }
            for i in inds {
                assert!(["count", "number", "percentage", "currency", "yes_no"].contains(&i.unit));
                assert!(["higher", "lower"].contains(&i.direction));
                assert!(["sum", "mean"].contains(&i.county_aggregation));
                assert!(["sum", "mean", "latest"].contains(&i.period_aggregation));
                assert!(!i.title.is_empty() && i.definition.len() > 80, "{}", i.code);
                assert!(!i.means_of_verification.is_empty());
                assert!(i.baseline >= 0.0 && i.end_target >= 0.0);
                assert!(date(i.baseline_date) <= date(p.end));
                match i.direction {
                    "higher" => assert!(i.end_target > i.baseline, "{}", i.code),
                    _ => assert!(i.end_target < i.baseline, "{}", i.code),
                }
                match i.unit {
                    "percentage" => {
                        assert!(i.end_target <= 100.0 && i.baseline <= 100.0);
                        assert_eq!(i.county_aggregation, "mean", "{}", i.code);
                    }
                    "yes_no" => {
                        assert_eq!((i.baseline, i.end_target), (0.0, 1.0), "{}", i.code);
                        assert_eq!(i.county_aggregation, "mean", "{}", i.code);
                        assert_eq!(i.period_aggregation, "latest", "{}", i.code);
                    }
                    "currency" => assert_eq!(i.county_aggregation, "sum", "{}", i.code),
                    _ => {}
                }
                if i.period_aggregation == "sum" {
                    assert!(["count", "currency"].contains(&i.unit), "{}", i.code);
                    assert_eq!(i.direction, "higher", "{}", i.code);
                    assert_eq!(i.baseline, 0.0, "{}", i.code);
                }
                for d in i.disaggregations {
                    assert!(["sex", "agency"].contains(d), "{}: {d}", i.code);
                    assert_eq!(i.unit, "count", "{}", i.code);
                    assert_eq!(i.county_aggregation, "sum", "{}", i.code);
                }
            }
        }
        let units: HashSet<_> = PROGRAMMES
            .iter()
            .flat_map(|p| p.indicators())
            .map(|i| i.unit)
            .collect();
        assert_eq!(units.len(), 5);
    }

    #[test]
    fn continued_indicators_reference_deris_wanaag() {
        let dw = programme("DW").unwrap();
        let dw_codes: HashSet<_> = dw.indicators().iter().map(|i| i.code).collect();
        let lbp = programme("LBP").unwrap();
        let mut continued = 0;
        for i in lbp.indicators() {
            if let Some(pos) = i.definition.find("Continues ") {
                let rest = &i.definition[pos + "Continues ".len()..];
                let code: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != ',')
                    .collect();
                assert!(dw_codes.contains(code.as_str()), "{}: {code}", i.code);
                continued += 1;
            }
        }
        assert!(continued >= 2);
    }

    #[test]
    fn milestones_reference_outputs_and_counties() {
        let valid = [
            "planned",
            "in_progress",
            "completed",
            "delayed",
            "cancelled",
        ];
        for p in PROGRAMMES {
            assert!((6..=10).contains(&p.milestones.len()), "{}", p.code);
            let outputs: HashSet<_> = p.outputs().iter().map(|r| r.code).collect();
            let counties = p.county_codes();
            for m in p.milestones {
                assert!(outputs.contains(m.output), "{}: {}", p.code, m.output);
                if let Some(c) = m.county {
                    assert!(counties.contains(&c), "{}: {c}", m.title);
                }
                assert!(valid.contains(&m.status));
                assert_eq!(
                    m.status == "completed",
                    m.completed.is_some(),
                    "{}",
                    m.title
                );
                if let Some(done) = m.completed {
                    assert!(date(done) <= today());
                    assert!(!m.evidence.is_empty());
                }
                if m.status == "planned" {
                    assert!(date(m.due) >= today(), "{}", m.title);
                }
                if m.status == "delayed" {
                    assert!(date(m.due) < today(), "{}", m.title);
                }
            }
            let completed = p.milestones.iter().filter(|m| m.status == "completed");
            assert!(completed.count() >= 3, "{}", p.code);
            if is_live(p) {
                let open = |m: &&MilestoneDef| !["completed", "cancelled"].contains(&m.status);
                let overdue = p
                    .milestones
                    .iter()
                    .filter(open)
                    .filter(|m| date(m.due) < today())
                    .count();
                let soon = p
                    .milestones
                    .iter()
                    .filter(open)
                    .filter(|m| {
                        let due = date(m.due);
                        due >= today() && (due - today()).num_days() <= 92
                    })
                    .count();
                assert!(overdue >= 1, "{}", p.code);
                assert!(soon >= 1, "{}", p.code);
            } else {
                assert!(p
                    .milestones
                    .iter()
                    .all(|m| ["completed", "cancelled"].contains(&m.status)));
            }
        }
    }

    #[test]
    fn activities_are_consistent() {
        let valid = [
            "not_started",
            "in_progress",
            "completed",
            "delayed",
            "cancelled",
        ];
        for p in PROGRAMMES {
            assert!((8..=15).contains(&p.activities.len()), "{}", p.code);
            let outputs: HashSet<_> = p.outputs().iter().map(|r| r.code).collect();
            let counties = p.county_codes();
            let partners: Vec<_> = p.partners.iter().map(|x| x.0).collect();
            let mut late = 0;
            for a in p.activities {
                assert!(outputs.contains(a.output), "{}: {}", a.code, a.output);
                assert!(organisation(a.lead).is_some(), "{}: {}", a.code, a.lead);
                assert!(
                    partners.contains(&a.lead),
                    "{}: {} not a partner",
                    a.code,
                    a.lead
                );
                if let Some(c) = a.county {
                    assert!(counties.contains(&c), "{}: {c}", a.code);
                }
                assert!(valid.contains(&a.status));
                assert!(date(a.planned_start) <= date(a.planned_end));
                assert!(date(a.planned_start) >= date(p.start), "{}", a.code);
                assert!(date(a.planned_end) <= date(p.end), "{}", a.code);
                assert!((0..=100).contains(&a.percent_complete));
                assert!(a.budget_minor > 0 && a.spend_minor >= 0);
                assert_eq!(a.budget_minor % 100, 0, "{}: whole pounds", a.code);
                if let Some(s) = a.actual_start {
                    assert!(date(s) <= today());
                    if let Some(e) = a.actual_end {
                        assert!(date(s) <= date(e) && date(e) <= today());
                    }
                } else {
                    assert!(a.actual_end.is_none());
                }
                let spent = a.spend_minor as f64 / a.budget_minor as f64 * 100.0;
                match a.status {
                    "not_started" => {
                        assert_eq!((a.percent_complete, a.spend_minor), (0, 0));
                        assert!(a.actual_start.is_none());
                        assert!(date(a.planned_start) > today(), "{}", a.code);
                    }
                    "completed" => {
                        assert_eq!(a.percent_complete, 100);
                        assert!(a.actual_start.is_some() && a.actual_end.is_some());
                        assert!((90.0..=110.0).contains(&spent), "{}: {spent}", a.code);
                    }
                    "cancelled" => assert!(spent <= a.percent_complete as f64 + 15.0),
                    _ => {
                        assert!(a.actual_start.is_some() && a.actual_end.is_none());
                        let gap = (spent - a.percent_complete as f64).abs();
                        assert!(gap <= 12.0, "{}: {spent} vs {}", a.code, a.percent_complete);
                    }
                }
                if a.status == "delayed" {
                    assert!(date(a.planned_end) < today(), "{}", a.code);
                }
                let finished_late = a.actual_end.is_some_and(|e| date(e) > date(a.planned_end));
                if a.status == "delayed" || finished_late {
                    late += 1;
                }
            }
            assert!(late >= 2, "{}", p.code);
            if is_live(p) {
                assert!(p.activities.iter().any(|a| a.status == "in_progress"));
                assert!(p.activities.iter().any(|a| a.status == "delayed"));
                assert!(p.activities.iter().any(|a| a.status == "not_started"));
            }
        }
    }
}
