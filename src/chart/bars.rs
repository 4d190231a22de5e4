//! Grouped bars for comparisons: one cluster per side (phase, period), one bar per
//! county group. A missing value is a gap with "no value" written in it, never a zero bar.

use std::fmt::Write;

use super::escape;

/// Bar fills per group: dark and light, distinguishable in greyscale too.
const FILLS: [&str; 4] = ["#0b5a7a", "#8fb8c9", "#9a6200", "#d9b77a"];

pub struct Bars {
    /// The sides, left to right.
    pub clusters: Vec<String>,
    /// Each group's name and its value per side.
    pub series: Vec<(String, Vec<Option<f64>>)>,
}

pub fn bars(b: &Bars, title: &str, fmt: &dyn Fn(f64) -> String) -> String {
    let values = || {
        b.series
            .iter()
            .flat_map(|(_, v)| v.iter().flatten().copied())
    };
    let lo = values().fold(0.0_f64, f64::min);
    let hi = values().fold(0.0_f64, f64::max);
    let hi = if hi <= lo { lo + 1.0 } else { hi };
    let (w, h) = (420.0, 170.0);
    let (left, right, top, bottom) = (8.0, 8.0, 16.0, 40.0);
    let plot_h = h - top - bottom;
    let y_of = |v: f64| top + plot_h * (hi - v) / (hi - lo);
    let n = b.clusters.len().max(1) as f64;
    let groups = b.series.len().max(1) as f64;
    let slot = (w - left - right) / n;
    let bar = (slot * 0.8 / groups).min(60.0);
    let mut svg = format!(
        "<svg class=\"bars\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        escape(title),
        escape(title)
    );
    let zero = y_of(0.0);
    let _ = write!(
        svg,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{zero:.1}\" y2=\"{zero:.1}\" stroke=\"#5b6673\"/>",
        w - right
    );
    for (i, label) in b.clusters.iter().enumerate() {
        let x0 = left + slot * i as f64 + (slot - bar * groups) / 2.0;
        for (g, (_, vals)) in b.series.iter().enumerate() {
            let x = x0 + bar * g as f64;
            let cx = x + bar / 2.0;
            match vals.get(i).copied().flatten() {
                Some(v) => {
                    let (y1, y2) = (y_of(v.max(0.0)), y_of(v.min(0.0)));
                    let _ = write!(
                        svg,
                        "<rect x=\"{x:.1}\" y=\"{y1:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/><text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#1d2733\">{}</text>",
                        (bar - 2.0).max(1.0),
                        (y2 - y1).max(0.5),
                        FILLS[g % FILLS.len()],
                        (y1 - 3.0).max(10.0),
                        escape(&fmt(v))
                    );
                }
                None => {
                    let _ = write!(
                        svg,
                        "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5b6673\">no value</text>",
                        zero - 4.0
                    );
                }
            }
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d2733\">{}</text>",
            left + slot * (i as f64 + 0.5),
            h - bottom + 14.0,
            escape(&fit(label, (slot / 6.2) as usize))
        );
    }
    if b.series.len() > 1 {
        let mut x = left;
        for (g, (name, _)) in b.series.iter().enumerate() {
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#1d2733\">{}</text>",
                h - 14.0,
                FILLS[g % FILLS.len()],
                x + 14.0,
                h - 5.0,
                escape(name)
            );
            x += 24.0 + 6.5 * name.chars().count() as f64;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The label cut to `chars` characters (with an ellipsis) so neighbours never overlap.
fn fit(label: &str, chars: usize) -> String {
    if label.chars().count() <= chars.max(2) {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(chars.max(2) - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_is_a_labelled_gap_not_a_bar() {
        let b = Bars {
            clusters: vec!["Phase 1".into(), "Phase 2".into()],
            series: vec![("All counties".into(), vec![Some(12.0), None])],
        };
        let svg = bars(&b, "Patrols", &|v| format!("{v:.0}"));
        assert_eq!(svg.matches("<rect").count(), 1);
        assert!(svg.contains("no value"));
        assert!(svg.contains(">12<"));
        assert!(svg.contains("Phase 2"));
    }

    #[test]
    fn negative_values_hang_below_the_axis_and_groups_get_a_legend() {
        let b = Bars {
            clusters: vec!["2025".into()],
            series: vec![
                ("Initial".into(), vec![Some(-4.0)]),
                ("Expansion & others".into(), vec![Some(6.0)]),
            ],
        };
        let svg = bars(&b, "Change", &|v| format!("{v:.0}"));
        assert!(svg.contains("Expansion &amp; others"));
        assert_eq!(
            svg.matches("<rect").count(),
            4,
            "two bars and two legend keys"
        );
    }
}
