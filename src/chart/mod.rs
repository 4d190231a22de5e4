//! A small chart model — values and milestones over periods — drawn as inline SVG for
//! the pages. Pure: no database, no HTTP; the PDF renderer can draw the same model.
//! Colours are SVG attributes, not `style`, so the pages' CSP needs no 'unsafe-inline'.

use std::fmt::Write;

pub mod bars;

#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    /// Period labels along the x axis, oldest first.
    pub labels: Vec<String>,
    /// The achieved value per period; None where nothing was reported (a gap, not 0).
    pub actual: Vec<Option<f64>>,
    /// The milestone per period, where the logframe has one.
    pub target: Vec<Option<f64>>,
}

impl TrendChart {
    fn range(&self) -> Option<(f64, f64)> {
        let all = self
            .actual
            .iter()
            .chain(self.target.iter())
            .flatten()
            .copied()
            .filter(|v| v.is_finite());
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in all {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return None;
        }
        let lo = lo.min(0.0);
        let hi = if hi <= lo { lo + 1.0 } else { hi };
        (hi - lo).is_finite().then_some((lo, hi))
    }

    pub fn is_empty(&self) -> bool {
        self.actual.iter().all(Option::is_none)
    }
}

const ACTUAL: &str = "#0b5a7a";
const TARGET: &str = "#9a6200";

fn coords(
    values: &[Option<f64>],
    w: f64,
    h: f64,
    pad: (f64, f64, f64, f64),
    lo: f64,
    hi: f64,
) -> Vec<Option<(f64, f64)>> {
    let (left, right, top, bottom) = pad;
    let n = values.len().max(2) - 1;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // A point that cannot be placed is left out, never drawn at "inf".
            v.and_then(|v| {
                let x = left + (w - left - right) * i as f64 / n as f64;
                let y = top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
                (x.is_finite() && y.is_finite()).then_some((x, y))
            })
        })
        .collect()
}

/// Polyline runs, broken where a value is missing.
fn runs(points: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for p in points {
        match p {
            Some(p) => out.last_mut().expect("never empty").push(*p),
            None if out.last().is_some_and(|r| !r.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn polyline(svg: &mut String, run: &[(f64, f64)], colour: &str, dashed: bool) {
    let dash = if dashed {
        " stroke-dasharray=\"4 3\""
    } else {
        ""
    };
    let _ = write!(
        svg,
        "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\""
    );
    for (k, (x, y)) in run.iter().enumerate() {
        if k > 0 {
            svg.push(' ');
        }
        push_tenths(svg, *x);
        svg.push(',');
        push_tenths(svg, *y);
    }
    svg.push_str("\"/>");
}

/// `x` to one decimal, as `{:.1}` writes it but without the float formatter's exact
/// decimal expansion: a 100-indicator dashboard draws some 3,000 points, and that
/// formatting was a twentieth of the page's time (perf, issue 13). Ties round away from
/// zero rather than to even, which moves a point by a tenth of a pixel at most.
fn push_tenths(out: &mut String, x: f64) {
    let tenths = (x * 10.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e15 {
        let _ = write!(out, "{x:.1}");
        return;
    }
    let t = tenths as i64;
    if t < 0 {
        out.push('-');
    }
    let t = t.unsigned_abs();
    // Digits by hand: `write!` of two integers costs more than the rest of this.
    let mut digits = [0u8; 20];
    let (mut n, mut i) = (t / 10, digits.len());
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
    out.push('.');
    out.push(char::from(b'0' + (t % 10) as u8));
}

/// A word-sized trend for a table row: the actual line, the milestones dashed, the
/// latest point marked. Empty string when there is nothing to draw.
pub fn sparkline(c: &TrendChart, title: &str) -> String {
    let Some((lo, hi)) = c.range() else {
        return String::new();
    };
    let (w, h) = (120.0, 32.0);
    let pad = (3.0, 3.0, 3.0, 3.0);
    let mut svg = format!("<svg class=\"spark\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">", escape(title));
    for run in runs(&coords(&c.target, w, h, pad, lo, hi)) {
        polyline(&mut svg, &run, TARGET, true);
    }
    let actual = coords(&c.actual, w, h, pad, lo, hi);
    for run in runs(&actual) {
        polyline(&mut svg, &run, ACTUAL, false);
    }
    if let Some((x, y)) = actual.iter().rev().flatten().next() {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"{ACTUAL}\"/>"
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A full chart with axis labels and a legend; `fmt` writes values for the axis.
pub fn chart(c: &TrendChart, title: &str, fmt: &dyn Fn(f64) -> String) -> String {
    let Some((lo, hi)) = c.range() else {
        return String::new();
    };
    let (w, h) = (640.0, 240.0);
    let pad = (70.0, 30.0, 14.0, 44.0);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        escape(title),
        escape(title)
    );
    // Horizontal grid lines with values at 0%, 50%, 100% of the range.
    for k in 0..=2 {
        let v = lo + (hi - lo) * k as f64 / 2.0;
        let y = pad.2 + (h - pad.2 - pad.3) * (1.0 - k as f64 / 2.0);
        let _ = write!(
            svg,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d8dde3\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6673\">{}</text>",
            pad.0,
            w - pad.1,
            pad.0 - 6.0,
            y + 4.0,
            escape(&fmt(v))
        );
    }
    let n = c.labels.len();
    let step = (n / 8).max(1);
    for (i, label) in c.labels.iter().enumerate() {
        if i % step != 0 && i + 1 != n {
            continue;
        }
        let x = pad.0 + (w - pad.0 - pad.1) * i as f64 / (n.max(2) - 1) as f64;
        let _ = write!(svg, "<text x=\"{x:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6673\">{}</text>", h - pad.3 + 16.0, escape(label));
    }
    for run in runs(&coords(&c.target, w, h, pad, lo, hi)) {
        polyline(&mut svg, &run, TARGET, true);
    }
    let actual = coords(&c.actual, w, h, pad, lo, hi);
    for run in runs(&actual) {
        polyline(&mut svg, &run, ACTUAL, false);
    }
    for (x, y) in actual.iter().flatten() {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{ACTUAL}\"/>"
        );
    }
    let ly = h - 8.0;
    let _ = write!(
        svg,
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{ACTUAL}\" stroke-width=\"2\"/><text x=\"{2}\" y=\"{3}\" font-size=\"11\" fill=\"#1d2733\">achieved</text>\
         <line x1=\"{4}\" x2=\"{5}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{TARGET}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/><text x=\"{6}\" y=\"{3}\" font-size=\"11\" fill=\"#1d2733\">milestone</text>",
        pad.0,
        pad.0 + 20.0,
        pad.0 + 25.0,
        ly + 4.0,
        pad.0 + 100.0,
        pad.0 + 120.0,
        pad.0 + 125.0
    );
    svg.push_str("</svg>");
    svg
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn tenths_are_written_as_one_decimal_formatting_writes_them() {
        for x in [
            0.0, 0.04, 0.06, 3.0, 3.12, 3.16, 29.0, 119.96, 120.0, 57.349, -0.3, -12.36,
        ] {
            let mut s = String::new();
            super::push_tenths(&mut s, x);
            assert_eq!(s, format!("{x:.1}"), "{x}");
        }
        let mut s = String::new();
        super::push_tenths(&mut s, -0.04);
        assert_eq!(s, "0.0", "no minus sign on a point that rounds to zero");
    }

    use super::*;

    #[test]
    fn never_draws_a_point_at_infinity() {
        for actual in [
            vec![Some(1.0), Some(f64::INFINITY), Some(3.0)],
            vec![Some(-1.7e308), Some(1.7e308), Some(0.0)],
        ] {
            let c = TrendChart {
                labels: vec!["a".into(), "b".into(), "c".into()],
                actual,
                target: vec![None, None, None],
            };
            let svg = sparkline(&c, "t") + &chart(&c, "t", &|v| v.to_string());
            assert!(!svg.contains("inf") && !svg.contains("NaN"), "{svg}");
        }
    }

    fn c(actual: Vec<Option<f64>>, target: Vec<Option<f64>>) -> TrendChart {
        TrendChart {
            labels: (0..actual.len()).map(|i| format!("Q{i}")).collect(),
            actual,
            target,
        }
    }

    #[test]
    fn nothing_to_draw_draws_nothing() {
        assert_eq!(sparkline(&c(vec![None, None], vec![None, None]), "x"), "");
        assert!(c(vec![None], vec![Some(1.0)]).is_empty());
    }

    #[test]
    fn a_gap_breaks_the_line_instead_of_dropping_to_zero() {
        let svg = sparkline(
            &c(
                vec![Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)],
                vec![None; 5],
            ),
            "t",
        );
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
    }

    #[test]
    fn targets_are_dashed_and_the_title_is_escaped() {
        let svg = chart(
            &c(vec![Some(1.0), Some(2.0)], vec![Some(1.5), Some(2.5)]),
            "A & <B>",
            &|v| format!("{v:.0}"),
        );
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains("A &amp; &lt;B&gt;"));
        assert!(
            !svg.contains("style="),
            "no style attributes: the CSP forbids them"
        );
    }

    #[test]
    fn points_stay_inside_the_box() {
        let svg = sparkline(
            &c(vec![Some(-5.0), Some(100.0)], vec![Some(50.0), Some(50.0)]),
            "t",
        );
        for num in svg
            .split(['"', ',', ' '])
            .filter_map(|s| s.parse::<f64>().ok())
        {
            assert!((-0.1..=120.1).contains(&num), "{num} in {svg}");
        }
    }
}
