// TEMPORARY stand-in until the content file lands.
pub type Ymd = (i32, u32, u32);
pub struct CountyDef { pub code: &'static str, pub name: &'static str, pub mou_initial: bool, pub borders: &'static str }
pub static COUNTIES: [CountyDef; 0] = [];
pub struct OrgDef { pub code: &'static str, pub name: &'static str, pub short_name: &'static str, pub kind: &'static str }
pub static ORGANISATIONS: &[OrgDef] = &[];
pub struct PhaseDef { pub name: &'static str, pub start: Ymd, pub end: Ymd, pub counties: &'static [&'static str] }
pub struct IndicatorDef { pub code: &'static str, pub title: &'static str, pub definition: &'static str, pub unit: &'static str, pub direction: &'static str, pub county_aggregation: &'static str, pub period_aggregation: &'static str, pub baseline: f64, pub baseline_date: Ymd, pub end_target: f64, pub means_of_verification: &'static str, pub disaggregations: &'static [&'static str], pub key: bool }
pub struct ResultDef { pub level: &'static str, pub code: &'static str, pub statement: &'static str, pub impact_weighting: Option<f64>, pub risk_rating: Option<&'static str>, pub assumptions: &'static str, pub indicators: &'static [IndicatorDef], pub children: &'static [ResultDef] }
pub struct MilestoneDef { pub title: &'static str, pub output: &'static str, pub county: Option<&'static str>, pub due: Ymd, pub status: &'static str, pub completed: Option<Ymd>, pub evidence: &'static str }
pub struct ActivityDef { pub code: &'static str, pub title: &'static str, pub output: &'static str, pub lead: &'static str, pub county: Option<&'static str>, pub planned_start: Ymd, pub planned_end: Ymd, pub actual_start: Option<Ymd>, pub actual_end: Option<Ymd>, pub status: &'static str, pub percent_complete: i32, pub budget_minor: i64, pub spend_minor: i64 }
pub struct ProgrammeDef { pub code: &'static str, pub name: &'static str, pub description: &'static str, pub currency: &'static str, pub start: Ymd, pub end: Ymd, pub partners: &'static [(&'static str, &'static str)], pub phases: &'static [PhaseDef], pub framework: ResultDef, pub milestones: &'static [MilestoneDef], pub activities: &'static [ActivityDef], pub narrative: &'static str }
pub static PROGRAMMES: &[ProgrammeDef] = &[];
