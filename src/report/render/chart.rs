//! A [`TrendChart`] as vector shapes, with the web chart's conventions: achieved
//! values as a solid line with dots, milestones dashed, and a gap (not a drop to
//! zero) where nothing was reported.

use super::fonts::{Face, Fonts};
use super::layout::{Item, Rgb, INK, MUTED, RULE, RULE_STRONG};
use super::text::fit_line;
use super::Chart;
use crate::chart::TrendChart;

/// Height of the drawing under the chart's title, in points.
pub(crate) const HEIGHT: f32 = 190.0;

/// The web chart's colours (src/chart), so print and screen agree.
const ACHIEVED: Rgb = Rgb(0x0b, 0x5a, 0x7a);
const MILESTONE: Rgb = Rgb(0x9a, 0x62, 0x00);
const LABEL: f32 = 7.5;

/// Shapes for `c` in the box from (`x`, `y`), `w` wide and [`HEIGHT`] tall.
pub(crate) fn draw(fonts: &Fonts, c: &Chart, x: f32, y: f32, w: f32) -> Vec<Item> {
    let mut out = Vec::new();
    let text = |out: &mut Vec<Item>, x: f32, baseline: f32, colour: Rgb, s: String| {
        if !s.is_empty() {
            out.push(Item::Text {
                x,
                baseline,
                size: LABEL,
                face: Face::Regular,
                colour,
                text: s,
            });
        }
    };
    let line = |out: &mut Vec<Item>, points: Vec<(f32, f32)>, width, colour, dashed| {
        out.push(Item::Stroke {
            points,
            width,
            colour,
            dashed,
        })
    };

    if let Some(unit) = c.unit.as_deref().filter(|u| !u.trim().is_empty()) {
        let unit = fit_line(fonts, Face::Regular, LABEL, unit, w);
        text(&mut out, x, y + 8.0, MUTED, unit);
    }
    let top = y + 16.0;
    let bottom = y + HEIGHT - 40.0;
    let right = x + w - 4.0;

    let Some((lo, hi, step)) = scale(&c.chart) else {
        line(
            &mut out,
            vec![(x, bottom), (right, bottom)],
            0.7,
            RULE_STRONG,
            false,
        );
        let msg = "No values reported for these periods.".to_string();
        let mw = fonts.width(Face::Regular, LABEL, &msg);
        text(
            &mut out,
            x + (w - mw) / 2.0,
            (top + bottom) / 2.0,
            MUTED,
            msg,
        );
        return out;
    };

    let decimals = decimals(step);
    let ticks: Vec<(f64, String)> = {
        let count = ((hi - lo) / step).round() as usize;
        (0..=count)
            .map(|k| {
                let v = lo + step * k as f64;
                (v, number(v, decimals))
            })
            .collect()
    };
    let label_w = ticks
        .iter()
        .map(|(_, s)| fonts.width(Face::Regular, LABEL, s))
        .fold(0.0, f32::max)
        .min(w * 0.25);
    let ticks: Vec<(f64, String)> = ticks
        .into_iter()
        .map(|(v, s)| (v, fit_line(fonts, Face::Regular, LABEL, &s, label_w)))
        .collect();
    let left = x + label_w + 8.0;
    let ypos = |v: f64| bottom - ((v - lo) / (hi - lo)) as f32 * (bottom - top);
    for (v, label) in &ticks {
        let ty = ypos(*v);
        let axis = *v == lo || (*v == 0.0 && lo < 0.0);
        let (width, colour) = if axis {
            (0.7, RULE_STRONG)
        } else {
            (0.4, RULE)
        };
        line(
            &mut out,
            vec![(left, ty), (right, ty)],
            width,
            colour,
            false,
        );
        let lw = fonts.width(Face::Regular, LABEL, label);
        text(&mut out, left - 5.0 - lw, ty + 2.7, MUTED, label.clone());
    }

    let c = &c.chart;
    let n = c.labels.len().max(c.actual.len()).max(c.target.len());
    let inset = 8.0;
    let (x0, x1) = (left + inset, right - inset);
    let xpos = |i: usize| {
        if n <= 1 {
            (x0 + x1) / 2.0
        } else {
            x0 + (x1 - x0) * i as f32 / (n - 1) as f32
        }
    };

    for i in x_label_indices(fonts, &c.labels, n, x1 - x0) {
        let label = fit_line(fonts, Face::Regular, LABEL, &c.labels[i], 80.0);
        let lw = fonts.width(Face::Regular, LABEL, &label);
        let lx = (xpos(i) - lw / 2.0).clamp(x, x + w - lw);
        text(&mut out, lx, bottom + 12.0, MUTED, label);
    }

    let points = |values: &[Option<f64>]| -> Vec<Option<(f32, f32)>> {
        (0..n)
            .map(|i| {
                values
                    .get(i)
                    .copied()
                    .flatten()
                    .filter(|v| v.is_finite())
                    .map(|v| (xpos(i), ypos(v)))
            })
            .collect()
    };
    for run in runs(&points(&c.target)) {
        if let [(px, py)] = run[..] {
            // A lone milestone would be an invisible one-point line: mark it.
            line(
                &mut out,
                vec![(px - 5.0, py), (px + 5.0, py)],
                1.4,
                MILESTONE,
                false,
            );
        } else {
            line(&mut out, run, 1.4, MILESTONE, true);
        }
    }
    let achieved = points(&c.actual);
    for run in runs(&achieved) {
        if run.len() > 1 {
            line(&mut out, run, 1.8, ACHIEVED, false);
        }
    }
    for &(px, py) in achieved.iter().flatten() {
        out.push(Item::Dot {
            x: px,
            y: py,
            r: 2.3,
            colour: ACHIEVED,
        });
    }

    let ly = y + HEIGHT - 10.0;
    line(
        &mut out,
        vec![(left, ly - 2.5), (left + 18.0, ly - 2.5)],
        1.8,
        ACHIEVED,
        false,
    );
    out.push(Item::Dot {
        x: left + 9.0,
        y: ly - 2.5,
        r: 2.3,
        colour: ACHIEVED,
    });
    text(&mut out, left + 23.0, ly, INK, "Achieved".into());
    let mx = left + 23.0 + fonts.width(Face::Regular, LABEL, "Achieved") + 18.0;
    line(
        &mut out,
        vec![(mx, ly - 2.5), (mx + 18.0, ly - 2.5)],
        1.4,
        MILESTONE,
        true,
    );
    text(&mut out, mx + 23.0, ly, INK, "Milestone".into());
    out
}

/// The chart said in words, for its alternative text: what it plots, over which
/// periods, and every value, so a reader who cannot see it misses nothing.
pub(crate) fn describe(c: &Chart) -> String {
    let t = &c.chart;
    let unit = c
        .unit
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    let mut out = format!("Line chart: {}{unit}", c.title.trim());
    let (Some(first), Some(last)) = (t.labels.first(), t.labels.last()) else {
        out.push_str(". No periods to show.");
        return out;
    };
    out.push_str(&format!(", {first} to {last}."));
    let series = |values: &[Option<f64>]| -> Vec<String> {
        t.labels
            .iter()
            .zip(values)
            .filter_map(|(l, v)| {
                v.filter(|v| v.is_finite())
                    .map(|v| format!("{l} {}", number(v, decimals_of(v))))
            })
            .collect()
    };
    let achieved = series(&t.actual);
    let milestones = series(&t.target);
    if achieved.is_empty() {
        out.push_str(" Nothing reported in these periods.");
    } else {
        out.push_str(&format!(" Achieved: {}.", achieved.join("; ")));
        let gaps = t.labels.len().saturating_sub(achieved.len());
        if gaps > 0 {
            out.push_str(&format!(" {gaps} period(s) without an approved value."));
        }
    }
    if !milestones.is_empty() {
        out.push_str(&format!(" Milestones: {}.", milestones.join("; ")));
    }
    out
}

/// Decimals enough to say a value as the tables do (at most two).
fn decimals_of(v: f64) -> usize {
    (0..2)
        .find(|&d| {
            let scaled = v * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(2)
}

/// The value axis: from 0 (or below, for negative values) to the highest value,
/// widened to whole steps of 1, 2, 2.5 or 5 × 10ⁿ. None when there is no value.
fn scale(c: &TrendChart) -> Option<(f64, f64, f64)> {
    let values = c
        .actual
        .iter()
        .chain(&c.target)
        .flatten()
        .copied()
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = (0.0_f64, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !hi.is_finite() {
        return None;
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    if !(hi - lo).is_finite() {
        // Values near f64::MAX: no axis can be drawn, so say there is nothing to plot
        // rather than write NaN coordinates.
        return None;
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * mag);
    Some(((lo / step).floor() * step, (hi / step).ceil() * step, step))
}

/// Fewest decimals that write every multiple of `step` exactly.
fn decimals(step: f64) -> usize {
    (0..4)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(4)
}

/// 12,500 or 2.5 — thousands separated, as the report's tables write them.
fn number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((&s[..], None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "−"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Which period labels to print: evenly spaced so they never overlap, and always the
/// latest period, which readers look for first.
fn x_label_indices(fonts: &Fonts, labels: &[String], n: usize, span: f32) -> Vec<usize> {
    let n = n.min(labels.len());
    if n == 0 {
        return Vec::new();
    }
    let widest = labels[..n]
        .iter()
        .map(|l| fonts.width(Face::Regular, LABEL, l).min(80.0))
        .fold(0.0, f32::max);
    let gap = if n > 1 { span / (n - 1) as f32 } else { span };
    let mut step = (n / 8).max(1);
    while (step as f32) * gap < widest + 6.0 && step < n {
        step += 1;
    }
    let mut shown: Vec<usize> = (0..n).step_by(step).collect();
    let last = n - 1;
    if shown.last() != Some(&last) {
        let prev = *shown.last().expect("0 is always shown");
        if ((last - prev) as f32) * gap < widest + 6.0 {
            shown.pop();
        }
        shown.push(last);
    }
    shown
}

/// Polyline runs, broken where a value is missing.
fn runs(points: &[Option<(f32, f32)>]) -> Vec<Vec<(f32, f32)>> {
    let mut out: Vec<Vec<(f32, f32)>> = Vec::new();
    let mut run = Vec::new();
    for p in points {
        match p {
            Some(p) => run.push(*p),
            None if !run.is_empty() => out.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(actual: Vec<Option<f64>>, target: Vec<Option<f64>>) -> Chart {
        Chart {
            title: "t".into(),
            chart: TrendChart {
                labels: (0..actual.len())
                    .map(|i| format!("2026Q{}", i % 4 + 1))
                    .collect(),
                actual,
                target,
            },
            unit: Some("people".into()),
        }
    }

    fn strokes(items: &[Item], colour: Rgb) -> Vec<(usize, bool)> {
        items
            .iter()
            .filter_map(|it| match it {
                Item::Stroke {
                    points,
                    colour: c,
                    dashed,
                    ..
                } if *c == colour => Some((points.len(), *dashed)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_gap_breaks_the_achieved_line_and_milestones_are_dashed() {
        let fonts = Fonts::get().unwrap();
        let c = chart(
            vec![Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)],
            vec![Some(2.0); 5],
        );
        let items = draw(fonts, &c, 50.0, 100.0, 480.0);
        // Two runs of two points, plus the legend sample.
        assert_eq!(
            strokes(&items, ACHIEVED),
            vec![(2, false), (2, false), (2, false)]
        );
        assert_eq!(strokes(&items, MILESTONE), vec![(5, true), (2, true)]);
        let dots = items
            .iter()
            .filter(|it| matches!(it, Item::Dot { .. }))
            .count();
        assert_eq!(dots, 4 + 1, "one dot per reported value, one in the legend");
    }

    #[test]
    fn everything_stays_inside_the_box() {
        let fonts = Fonts::get().unwrap();
        let mut c = chart(
            (0..40)
                .map(|i| Some(f64::from(i) * 1234.5 - 9000.0))
                .collect(),
            (0..40).map(|i| Some(f64::from(i) * 1500.0)).collect(),
        );
        c.chart.actual[7] = Some(f64::NAN);
        let (x, y, w) = (50.0, 100.0, 480.0);
        for item in draw(fonts, &c, x, y, w) {
            let pts: Vec<(f32, f32)> = match &item {
                Item::Stroke { points, .. } => points.clone(),
                Item::Dot { x, y, .. } => vec![(*x, *y)],
                Item::Text {
                    x: tx,
                    baseline,
                    text,
                    ..
                } => vec![
                    (*tx, *baseline),
                    (*tx + fonts.width(Face::Regular, LABEL, text), *baseline),
                ],
                Item::Fill { .. } => vec![],
                Item::Shape(s) => s.rings.iter().flatten().copied().collect(),
                Item::Layer { x, y, .. } => vec![(*x, *y)],
            };
            for (px, py) in pts {
                assert!(px >= x - 0.01 && px <= x + w + 0.01, "{item:?}");
                assert!(py >= y && py <= y + HEIGHT, "{item:?}");
            }
        }
    }

    #[test]
    fn no_value_at_all_says_so_instead_of_drawing_an_empty_axis() {
        let fonts = Fonts::get().unwrap();
        let items = draw(
            fonts,
            &chart(vec![None, None], vec![None, None]),
            0.0,
            0.0,
            400.0,
        );
        assert!(items.iter().any(
            |it| matches!(it, Item::Text { text, .. } if text.starts_with("No values reported"))
        ));
    }

    #[test]
    fn the_axis_uses_round_steps_from_zero() {
        let c = chart(vec![Some(37.0), Some(81.0)], vec![None, Some(120.0)]);
        assert_eq!(scale(&c.chart), Some((0.0, 125.0, 25.0)));
        let c = chart(vec![Some(-3.0), Some(0.4)], vec![]);
        let (lo, hi, step) = scale(&c.chart).unwrap();
        assert!(lo <= -3.0 && hi >= 0.4 && step == 1.0, "{lo} {hi} {step}");
        assert_eq!(number(12500.0, 0), "12,500");
        assert_eq!(number(2.5, decimals(2.5)), "2.5");
        assert_eq!(number(-1000.0, 0), "−1,000");
        assert_eq!(number(0.0, 0), "0");
    }

    #[test]
    fn period_labels_thin_out_but_the_latest_is_always_shown() {
        let fonts = Fonts::get().unwrap();
        let labels: Vec<String> = (0..30).map(|i| format!("2026{:02}", i % 12 + 1)).collect();
        let shown = x_label_indices(fonts, &labels, 30, 400.0);
        assert_eq!(shown.last(), Some(&29));
        assert!(shown.len() < 30 && shown.len() >= 5, "{shown:?}");
        let widest = fonts.width(Face::Regular, LABEL, "202612");
        for pair in shown.windows(2) {
            let apart = (pair[1] - pair[0]) as f32 * 400.0 / 29.0;
            assert!(apart >= widest + 6.0, "labels overlap: {shown:?}");
        }
    }
}
