//! The arithmetic of comparisons: the change between two sides' values, whether the
//! change is an improvement given the indicator's direction, and the
//! difference-in-differences of two county groups. The sides' values themselves come
//! from the figures engine (`crate::figures`), like every other figure.

use serde::Serialize;

use super::achievement::Direction;

/// Whether a change is good news, given which way the indicator should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Better,
    Worse,
    Same,
}

impl Verdict {
    pub fn of(delta: f64, direction: Direction) -> Verdict {
        if delta == 0.0 {
            Verdict::Same
        } else if (delta > 0.0) == (direction == Direction::HigherIsBetter) {
            Verdict::Better
        } else {
            Verdict::Worse
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "improved",
            Verdict::Worse => "worsened",
            Verdict::Same => "no change",
        }
    }
}

/// From one side's value to another's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub absolute: f64,
    /// Relative to the first value; None when that is 0.
    pub percent: Option<f64>,
    pub verdict: Verdict,
}

pub fn change(from: f64, to: f64, direction: Direction) -> Change {
    let absolute = to - from;
    Change {
        absolute,
        percent: (from != 0.0).then(|| absolute / from.abs() * 100.0),
        verdict: Verdict::of(absolute, direction),
    }
}

/// Difference-in-differences: how much more the second group changed than the first
/// between the same two sides. Positive means the second group's value rose more (or
/// fell less); `verdict` says whether that favours the second group given the direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DiffInDiff {
    pub first_change: f64,
    pub second_change: f64,
    pub value: f64,
    pub verdict: Verdict,
}

pub fn diff_in_diff(first: (f64, f64), second: (f64, f64), direction: Direction) -> DiffInDiff {
    let first_change = first.1 - first.0;
    let second_change = second.1 - second.0;
    let value = second_change - first_change;
    DiffInDiff {
        first_change,
        second_change,
        value,
        verdict: Verdict::of(value, direction),
    }
}

/// The difference-in-differences in words, with the caveat that it describes and does
/// not explain. `fmt` prints a value in the indicator's unit.
pub fn explain_did(
    d: &DiffInDiff,
    first_group: &str,
    second_group: &str,
    from: &str,
    to: &str,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let moved = |c: f64| {
        if c > 0.0 {
            format!("rose by {}", fmt(c))
        } else if c < 0.0 {
            format!("fell by {}", fmt(-c))
        } else {
            "did not change".to_string()
        }
    };
    let relative = match d.verdict {
        Verdict::Better => format!("{second_group} gained ground on {first_group}"),
        Verdict::Worse => format!("{second_group} lost ground to {first_group}"),
        Verdict::Same => format!("{second_group} and {first_group} moved alike"),
    };
    format!(
        "From {from} to {to} the value {} in {second_group} and {} in {first_group}: a difference-in-differences of {}{}. Given the indicator's direction, {relative}. This describes the figures; it does not show that the programme caused the difference.",
        moved(d.second_change),
        moved(d.first_change),
        if d.value > 0.0 { "+" } else { "" },
        fmt(d.value),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_is_judged_by_direction() {
        let up = change(40.0, 50.0, Direction::HigherIsBetter);
        assert_eq!(up.absolute, 10.0);
        assert_eq!(up.percent, Some(25.0));
        assert_eq!(up.verdict, Verdict::Better);
        let fewer_days = change(6.0, 4.5, Direction::LowerIsBetter);
        assert_eq!(fewer_days.verdict, Verdict::Better);
        assert_eq!(fewer_days.percent, Some(-25.0));
        assert_eq!(
            change(6.0, 7.0, Direction::LowerIsBetter).verdict,
            Verdict::Worse
        );
        assert_eq!(change(0.0, 3.0, Direction::HigherIsBetter).percent, None);
        assert_eq!(
            change(3.0, 3.0, Direction::HigherIsBetter).verdict,
            Verdict::Same
        );
    }

    #[test]
    fn difference_in_differences_and_its_plain_words() {
        // Initial counties 50 → 55; expansion counties 20 → 35: the expansion group rose
        // 10 more.
        let d = diff_in_diff((50.0, 55.0), (20.0, 35.0), Direction::HigherIsBetter);
        assert_eq!(
            (d.first_change, d.second_change, d.value),
            (5.0, 15.0, 10.0)
        );
        assert_eq!(d.verdict, Verdict::Better);
        let text = explain_did(
            &d,
            "the initial counties",
            "the expansion counties",
            "2025",
            "2026",
            &|v| format!("{v:.0}"),
        );
        assert!(
            text.contains(
                "rose by 15 in the expansion counties and rose by 5 in the initial counties"
            ),
            "{text}"
        );
        assert!(text.contains("+10"));
        assert!(text.contains("gained ground"));
        assert!(text.contains("does not show that the programme caused"));
        // Lower is better: the same numbers mean the expansion counties fell behind.
        let d = diff_in_diff((50.0, 55.0), (20.0, 35.0), Direction::LowerIsBetter);
        assert_eq!(d.verdict, Verdict::Worse);
    }
}
