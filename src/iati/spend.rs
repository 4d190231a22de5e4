//! Transactions from spend: activities report spend *to date* each quarter; IATI wants
//! each quarter's expenditure (transaction type 4). A quarter's expenditure is, over the
//! programme's activities, the rise in approved spend to date since the activity's
//! previous approved report. Pure.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

/// One progress report, as far as spend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpendReport {
    pub activity: i32,
    pub period_end: NaiveDate,
    pub spend_to_date_minor: i64,
    pub approved: bool,
}

/// One quarter's expenditure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterSpend {
    pub period_end: NaiveDate,
    pub amount_minor: i64,
    /// Activities whose spend rose (or was corrected) in the quarter.
    pub activities: usize,
}

/// Each ended quarter's expenditure from approved reports (periods ending before
/// `today`); quarters where nothing changed are left out. A fall in spend to date (a
/// correction) counts as a negative expenditure, as IATI allows for corrections.
pub fn by_quarter(reports: &[SpendReport], today: NaiveDate) -> Vec<QuarterSpend> {
    let mut rows: Vec<&SpendReport> = reports
        .iter()
        .filter(|r| r.approved && r.period_end < today)
        .collect();
    rows.sort_by_key(|r| (r.activity, r.period_end));
    let mut last: HashMap<i32, i64> = HashMap::new();
    let mut out: BTreeMap<NaiveDate, (i64, usize)> = BTreeMap::new();
    for r in rows {
        let before = last.insert(r.activity, r.spend_to_date_minor).unwrap_or(0);
        let change = r.spend_to_date_minor - before;
        if change != 0 {
            let q = out.entry(r.period_end).or_default();
            q.0 += change;
            q.1 += 1;
        }
    }
    out.into_iter()
        .filter(|(_, (amount, _))| *amount != 0)
        .map(|(period_end, (amount_minor, activities))| QuarterSpend {
            period_end,
            amount_minor,
            activities,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn r(activity: i32, end: NaiveDate, spend: i64, approved: bool) -> SpendReport {
        SpendReport {
            activity,
            period_end: end,
            spend_to_date_minor: spend,
            approved,
        }
    }

    #[test]
    fn each_quarter_counts_the_rise_in_spend_to_date() {
        let got = by_quarter(
            &[
                r(1, d(3, 31), 1000, true),
                r(1, d(6, 30), 2500, true),
                r(2, d(6, 30), 400, true),
                r(2, d(9, 30), 400, true),
            ],
            d(12, 6),
        );
        assert_eq!(
            got,
            [
                QuarterSpend {
                    period_end: d(3, 31),
                    amount_minor: 1000,
                    activities: 1
                },
                QuarterSpend {
                    period_end: d(6, 30),
                    amount_minor: 1900,
                    activities: 2
                },
            ]
        );
    }

    #[test]
    fn unapproved_and_unfinished_quarters_are_left_out() {
        let got = by_quarter(
            &[
                r(1, d(3, 31), 1000, true),
                r(1, d(6, 30), 9000, false),
                r(1, d(9, 30), 3000, true),
                r(1, d(12, 31), 5000, true),
            ],
            d(12, 6),
        );
        // The submitted June report is skipped: September's rise runs from March.
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[1],
            QuarterSpend {
                period_end: d(9, 30),
                amount_minor: 2000,
                activities: 1
            }
        );
    }

    #[test]
    fn a_correction_downwards_is_a_negative_expenditure() {
        let got = by_quarter(
            &[r(1, d(3, 31), 1000, true), r(1, d(6, 30), 800, true)],
            d(12, 6),
        );
        assert_eq!(got[1].amount_minor, -200);
    }
}
