//! The county map as inline SVG for web pages: no script, no external file, and small
//! (coordinates in tenths of a map unit, written as whole numbers in relative path
//! data: the file's one-decimal precision in fewer characters).

use super::{outlines, Ring, VIEW_H, VIEW_W};

/// One county as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SvgCounty {
    /// KNBS code.
    pub code: String,
    /// The stylesheet's class for its fill (`c0`…`c3`, `nd` no figure, `out` not in
    /// the programme).
    pub class: &'static str,
    /// Its tooltip: "Turkana: 87 % (3 indicators)".
    pub title: String,
    /// Drawn again on top with a thick dark edge (the MoU's initial counties).
    pub outlined: bool,
}

/// The map as an `<svg>` element; counties not listed are drawn as "out". `label` is the
/// whole map said in words (its `aria-label`).
pub fn choropleth(label: &str, counties: &[SvgCounty]) -> String {
    let mut out = format!(
        // White is the default fill: counties outside the map's subject need no class.
        "<svg class=\"cmap\" viewBox=\"0 0 {} {}\" fill=\"#fff\" role=\"img\" aria-label=\"{}\">",
        (VIEW_W * 10.0) as i32,
        (VIEW_H * 10.0) as i32,
        escape(label)
    );
    // "No figure" is hatched, as in print (class `nd` fills with it).
    out.push_str("<defs><pattern id=\"hatch\" width=\"40\" height=\"40\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"40\" height=\"40\" fill=\"#fff\"/><line y2=\"40\" stroke=\"#6f7a86\" stroke-width=\"7\"/></pattern></defs>");
    // Outlined counties last, so that no neighbour is drawn over their thick edge
    // (which is the path's own stroke: a `<use>` copy would take the fill's styles too).
    let find = |code: &str| counties.iter().find(|c| c.code == code);
    let mut order: Vec<_> = outlines().iter().collect();
    order.sort_by_key(|o| find(o.code).is_some_and(|c| c.outlined));
    for o in order {
        let c = find(o.code);
        let mut class = c.map_or("out", |c| c.class).to_string();
        if class == "out" {
            class.clear();
        }
        if c.is_some_and(|c| c.outlined) {
            class = format!("{class} mou").trim_start().to_string();
        }
        let class = if class.is_empty() {
            class
        } else {
            format!(" class=\"{class}\"")
        };
        out.push_str(&format!("<path{class} d=\"{}\">", path_data(&o.rings)));
        if let Some(c) = c.filter(|c| !c.title.is_empty()) {
            out.push_str(&format!("<title>{}</title>", escape(&c.title)));
        }
        out.push_str("</path>");
    }
    out.push_str("</svg>");
    out
}

/// Rings as relative path data in tenths: `m` to each ring's start, then implicit
/// line-tos, `z` to close.
pub fn path_data(rings: &[Ring]) -> String {
    let mut out = String::new();
    let (mut x, mut y) = (0i32, 0i32);
    for ring in rings {
        let mut first = true;
        let (mut px, mut py) = (x, y);
        for &(fx, fy) in ring {
            let (qx, qy) = ((fx * 10.0).round() as i32, (fy * 10.0).round() as i32);
            if !first && (qx, qy) == (px, py) {
                continue;
            }
            let pair = format!(
                "{}{}{}",
                qx - px,
                if qy - py < 0 { "" } else { "," },
                qy - py
            );
            if first {
                out.push('m');
                (x, y) = (qx, qy);
            } else if !pair.starts_with('-') {
                out.push(' ');
            }
            out.push_str(&pair);
            (px, py) = (qx, qy);
            first = false;
        }
        out.push('z');
    }
    out
}

/// Text for an XML attribute (in quotes of either kind) or element content: SVG here,
/// the IATI file and DHIS2's XML and ADX too. Control characters XML 1.0 does not allow
/// are dropped; tab and line breaks are written as references, so an attribute keeps
/// them (a parser turns a literal one into a space).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_data_round_trips_in_tenths() {
        let rings = vec![
            vec![(10.0, 10.0), (15.0, 10.0), (14.5, 15.0)],
            vec![(30.0, 10.0), (31.0, 10.0), (31.0, 11.0)],
        ];
        let d = path_data(&rings);
        assert_eq!(d, "m100,100 50,0-5,50zm200,0 10,0 0,10z");
        let back = super::super::path_rings(&d).unwrap();
        let scaled: Vec<Ring> = rings
            .iter()
            .map(|r| r.iter().map(|&(x, y)| (x * 10.0, y * 10.0)).collect())
            .collect();
        assert_eq!(back, scaled);
    }

    #[test]
    fn every_county_is_one_path_with_its_title_and_outlined_ones_on_top() {
        let counties: Vec<SvgCounty> = ["023", "009", "040"]
            .iter()
            .map(|code| SvgCounty {
                code: code.to_string(),
                class: "c2",
                title: format!("County {code} <b>: 90 %"),
                outlined: *code != "040",
            })
            .collect();
        let svg = choropleth("Map of \"Kenya\"", &counties);
        assert_eq!(svg.matches("<path").count(), 47, "one path per county");
        assert_eq!(svg.matches("<title>").count(), 3);
        assert_eq!(
            svg.matches("<path d=").count(),
            44,
            "the others plain white"
        );
        assert!(svg.contains("<title>County 023 &lt;b&gt;: 90 %</title>"));
        assert!(svg.contains("aria-label=\"Map of &quot;Kenya&quot;\""));
        assert!(svg.contains("role=\"img\""));
        assert_eq!(svg.matches(" mou\"").count(), 2, "outlined");
        assert!(svg.contains("<path class=\"c2\" d="), "Busia, not outlined");
        // The outlined ones come last.
        assert!(svg.rfind("<path class=\"c2\" d=").unwrap() < svg.find("c2 mou").unwrap());
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn the_whole_map_stays_small() {
        let mou = ["023", "009", "010", "008", "040"];
        let county = |code: &str| SvgCounty {
            code: code.to_string(),
            class: "c1",
            title: "Tana River: 100% (100% or more, 3 indicators)".into(),
            outlined: mou.contains(&code),
        };
        // A programme of seven counties, as the Land Border Programme's phase 2.
        let seven: Vec<SvgCounty> = ["009", "008", "007", "005", "040", "023", "010"]
            .into_iter()
            .map(county)
            .collect();
        let label = "Map of Kenya's 47 counties: the programme's 7 counties shaded by mean % of the milestone achieved";
        let svg = choropleth(label, &seven);
        assert!(svg.len() < 13_500, "{} bytes", svg.len());
        // Even with every county shaded and titled.
        let all: Vec<SvgCounty> = outlines().iter().map(|o| county(o.code)).collect();
        let svg = choropleth(label, &all);
        assert!(svg.len() < 16_000, "{} bytes", svg.len());
    }
}
