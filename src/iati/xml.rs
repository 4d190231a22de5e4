//! The activity written as IATI 2.03 XML, each element in the schema's order (the
//! `iati-activity` children are an `xsd:sequence`). Pure: the same model gives the same
//! bytes, so a published file stays byte-identical until the next publication.

use std::fmt::Write;

use super::model::{Activity, IndicatorElement, Org, Point};
use crate::geo::svg::escape as esc;

/// A number as IATI wants a value: decimal, no exponent, no trailing zeros.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Minor units as a decimal amount: 12345 → "123.45".
pub fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn narrative(out: &mut String, pad: &str, tag: &str, text: &str) {
    let _ = writeln!(
        out,
        "{pad}<{tag}><narrative>{}</narrative></{tag}>",
        esc(text)
    );
}

fn org(out: &mut String, pad: &str, tag: &str, role: Option<u8>, o: &Org) {
    let mut attrs = String::new();
    if !o.reference.is_empty() {
        let _ = write!(attrs, " ref=\"{}\"", esc(&o.reference));
    }
    if let Some(r) = role {
        let _ = write!(attrs, " role=\"{r}\"");
    }
    if !o.org_type.is_empty() {
        let _ = write!(attrs, " type=\"{}\"", esc(&o.org_type));
    }
    let _ = writeln!(
        out,
        "{pad}<{tag}{attrs}>\n{pad}  <narrative>{}</narrative>\n{pad}</{tag}>",
        esc(&o.name)
    );
}

fn point(out: &mut String, pad: &str, tag: &str, p: &Point) {
    let _ = write!(out, "{pad}<{tag} value=\"{}\"", number(p.value));
    if p.location.is_none() && p.dimension.is_none() && p.comment.is_none() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if let Some(l) = &p.location {
        let _ = writeln!(out, "{pad}  <location ref=\"{}\"/>", esc(l));
    }
    if let Some((n, v)) = &p.dimension {
        let _ = writeln!(
            out,
            "{pad}  <dimension name=\"{}\" value=\"{}\"/>",
            esc(n),
            esc(v)
        );
    }
    if let Some(c) = &p.comment {
        narrative(out, &format!("{pad}  "), "comment", c);
    }
    let _ = writeln!(out, "{pad}</{tag}>");
}

fn indicator(out: &mut String, i: &IndicatorElement) {
    let pad = "      ";
    let _ = writeln!(
        out,
        "    <indicator measure=\"{}\" ascending=\"{}\">",
        i.measure,
        u8::from(i.ascending)
    );
    narrative(out, pad, "title", &i.title);
    if !i.description.trim().is_empty() {
        narrative(out, pad, "description", &i.description);
    }
    let _ = writeln!(
        out,
        "{pad}<reference vocabulary=\"99\" code=\"{}\" indicator-uri=\"{}\"/>",
        esc(&i.code),
        esc(&i.uri)
    );
    if let Some(b) = &i.baseline {
        let date = b
            .date
            .map(|d| format!(" iso-date=\"{d}\""))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{pad}<baseline year=\"{}\"{date} value=\"{}\"/>",
            b.year,
            number(b.value)
        );
    }
    for p in &i.periods {
        let _ = writeln!(out, "{pad}<period>");
        let _ = writeln!(out, "{pad}  <period-start iso-date=\"{}\"/>", p.start);
        let _ = writeln!(out, "{pad}  <period-end iso-date=\"{}\"/>", p.end);
        for t in &p.targets {
            point(out, &format!("{pad}  "), "target", t);
        }
        for a in &p.actuals {
            point(out, &format!("{pad}  "), "actual", a);
        }
        let _ = writeln!(out, "{pad}</period>");
    }
    out.push_str("    </indicator>\n");
}

/// The whole `iati-activities` document of one activity.
pub fn write(a: &Activity) -> String {
    let mut out = String::new();
    let stamp = a.last_updated.format("%Y-%m-%dT%H:%M:%SZ");
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        out,
        "<iati-activities version=\"2.03\" generated-datetime=\"{stamp}\">"
    );
    let _ = writeln!(
        out,
        " <iati-activity last-updated-datetime=\"{stamp}\" xml:lang=\"en\" default-currency=\"{}\" humanitarian=\"0\" hierarchy=\"1\">",
        esc(&a.currency)
    );
    let pad = "  ";
    let _ = writeln!(
        out,
        "{pad}<iati-identifier>{}</iati-identifier>",
        esc(&a.identifier)
    );
    org(&mut out, pad, "reporting-org", None, &a.reporting_org);
    narrative(&mut out, pad, "title", &a.title);
    let _ = writeln!(
        out,
        "{pad}<description type=\"1\"><narrative>{}</narrative></description>",
        esc(&a.description)
    );
    for (role, o) in &a.participants {
        org(&mut out, pad, "participating-org", Some(*role), o);
    }
    let _ = writeln!(out, "{pad}<activity-status code=\"{}\"/>", a.status);
    for (kind, d) in &a.dates {
        let _ = writeln!(
            out,
            "{pad}<activity-date type=\"{kind}\" iso-date=\"{d}\"/>"
        );
    }
    let _ = writeln!(
        out,
        "{pad}<recipient-country code=\"KE\" percentage=\"100\"/>"
    );
    for p in &a.places {
        let _ = writeln!(out, "{pad}<location ref=\"{}\">", esc(&p.reference));
        let _ = writeln!(out, "{pad}  <location-reach code=\"1\"/>");
        narrative(
            &mut out,
            &format!("{pad}  "),
            "name",
            &format!("{} County, Kenya", p.name),
        );
        let _ = writeln!(out, "{pad}</location>");
    }
    for s in &a.sectors {
        let _ = writeln!(
            out,
            "{pad}<sector vocabulary=\"1\" code=\"{}\" percentage=\"{}\"/>",
            esc(&s.code),
            number(s.percentage)
        );
    }
    for b in &a.budgets {
        let _ = writeln!(out, "{pad}<budget type=\"1\" status=\"1\">");
        let _ = writeln!(out, "{pad}  <period-start iso-date=\"{}\"/>", b.start);
        let _ = writeln!(out, "{pad}  <period-end iso-date=\"{}\"/>", b.end);
        let _ = writeln!(
            out,
            "{pad}  <value currency=\"{}\" value-date=\"{}\">{}</value>",
            esc(&a.currency),
            b.start,
            money(b.amount_minor)
        );
        let _ = writeln!(out, "{pad}</budget>");
    }
    for t in &a.transactions {
        let _ = writeln!(out, "{pad}<transaction>");
        let _ = writeln!(out, "{pad}  <transaction-type code=\"4\"/>");
        let _ = writeln!(out, "{pad}  <transaction-date iso-date=\"{}\"/>", t.date);
        let _ = writeln!(
            out,
            "{pad}  <value currency=\"{}\" value-date=\"{}\">{}</value>",
            esc(&a.currency),
            t.date,
            money(t.amount_minor)
        );
        narrative(&mut out, &format!("{pad}  "), "description", &t.description);
        let _ = writeln!(out, "{pad}</transaction>");
    }
    for r in &a.results {
        let _ = writeln!(
            out,
            "{pad}<result type=\"{}\" aggregation-status=\"0\">",
            r.result_type
        );
        narrative(&mut out, "    ", "title", &r.title);
        for i in &r.indicators {
            indicator(&mut out, i);
        }
        let _ = writeln!(out, "{pad}</result>");
    }
    out.push_str(" </iati-activity>\n</iati-activities>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(47.5), "47.5");
        assert_eq!(number(0.333333), "0.3333");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(1e9), "1000000000");
    }

    #[test]
    fn money_is_a_plain_decimal_of_the_minor_units() {
        assert_eq!(money(4264893400), "42648934.00");
        assert_eq!(money(12345), "123.45");
        assert_eq!(money(-5), "-0.05");
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            esc("A & B <c> \"d\" 'e'\u{1}"),
            "A &amp; B &lt;c&gt; &quot;d&quot; &#39;e&#39;"
        );
    }

    #[test]
    fn a_point_says_its_county_and_part() {
        let mut out = String::new();
        point(
            &mut out,
            "",
            "actual",
            &Point {
                value: 3.0,
                location: Some("KE-KNBS-040".into()),
                dimension: Some(("sex".into(), "female".into())),
                comment: None,
            },
        );
        assert_eq!(out, "<actual value=\"3\">\n  <location ref=\"KE-KNBS-040\"/>\n  <dimension name=\"sex\" value=\"female\"/>\n</actual>\n");
        let mut out = String::new();
        point(&mut out, "", "target", &Point::total(40.0));
        assert_eq!(out, "<target value=\"40\"/>\n");
    }
}
