// TEMPORARY stand-in until the generator lands.
use super::content::ProgrammeDef;
pub struct GenTarget { pub indicator_code: &'static str, pub period: String, pub value: f64 }
pub struct GenValue { pub indicator_code: &'static str, pub period: String, pub county_code: &'static str, pub disaggregation: String, pub value: f64, pub comment: Option<String>, pub status: &'static str }
pub fn targets(_p: &ProgrammeDef) -> Vec<GenTarget> { Vec::new() }
pub fn values(_p: &ProgrammeDef, _today: chrono::NaiveDate) -> Vec<GenValue> { Vec::new() }
