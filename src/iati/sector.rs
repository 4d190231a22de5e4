//! The programme's DAC sectors (IATI `sector`, vocabulary 1): what the money is for, in
//! the OECD's 5-digit purpose codes. Typed as "15210 60, 15190 40" (a code alone is 100 %),
//! checked against the codelist, stored in one canonical form. Pure.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The codelist, from `dac_sectors.tsv` (IATI Sector codelist: code, status, name).
fn codelist() -> &'static HashMap<&'static str, (bool, &'static str)> {
    static LIST: OnceLock<HashMap<&'static str, (bool, &'static str)>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("dac_sectors.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut parts = l.splitn(3, '\t');
                let code = parts.next()?;
                let active = parts.next()? == "active";
                Some((code, (active, parts.next()?)))
            })
            .collect()
    })
}

/// The DAC name of a sector code ("Security system management and reform").
pub fn name(code: &str) -> Option<&'static str> {
    codelist().get(code).map(|(_, n)| *n)
}

/// One sector and its share of the activity, in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct Sector {
    pub code: String,
    pub percentage: f64,
}

/// The sectors typed, checked: each code an active DAC 5-digit code, once; each share
/// above 0; the shares adding up to 100. Empty text is no sectors.
pub fn parse(text: &str) -> Result<Vec<Sector>, String> {
    let items: Vec<&str> = text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut out: Vec<Sector> = Vec::new();
    for item in &items {
        let mut words = item
            .split(|c: char| c.is_whitespace() || c == ':' || c == '=')
            .filter(|w| !w.is_empty());
        let code = words.next().unwrap_or_default();
        let share = words.next().map(|w| w.trim_end_matches('%'));
        if let Some(extra) = words.next() {
            return Err(format!(
                "'{item}': after the code and its percentage there is '{extra}'; write each sector as \"15210 60\""
            ));
        }
        match codelist().get(code) {
            None => {
                return Err(format!(
                    "'{code}' is not a DAC 5-digit sector code (e.g. 15210 Security system management and reform)"
                ))
            }
            Some((false, n)) => {
                return Err(format!(
                    "{code} ({n}) is withdrawn from the DAC list; use its replacement"
                ))
            }
            Some(_) => {}
        }
        if out.iter().any(|s| s.code == code) {
            return Err(format!("{code} is given twice; give each sector once"));
        }
        let percentage = match share {
            None if items.len() == 1 => 100.0,
            None => {
                return Err(format!(
                    "{code} has no percentage; with more than one sector, give each its share (\"{code} 50\")"
                ))
            }
            Some(w) => match w.replace(',', ".").parse::<f64>() {
                Ok(p) if p > 0.0 && p <= 100.0 && p.is_finite() => p,
                _ => {
                    return Err(format!(
                        "'{w}' is not a percentage above 0 and at most 100 (for {code})"
                    ))
                }
            },
        };
        out.push(Sector {
            code: code.to_string(),
            percentage,
        });
    }
    let total: f64 = out.iter().map(|s| s.percentage).sum();
    if !out.is_empty() && (total - 100.0).abs() > 0.01 {
        return Err(format!(
            "the percentages add up to {}; they must add up to 100",
            super::xml::number(total)
        ));
    }
    Ok(out)
}

/// The canonical text of checked sectors: "15210 60; 15190 40".
pub fn canonical(sectors: &[Sector]) -> String {
    sectors
        .iter()
        .map(|s| format!("{} {}", s.code, super::xml::number(s.percentage)))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sectors_are_read_in_the_ways_people_type_them() {
        for text in [
            "15210 60, 15190 40",
            "15210: 60%; 15190: 40%",
            "15210=60\n15190=40",
        ] {
            let s = parse(text).unwrap();
            assert_eq!(canonical(&s), "15210 60; 15190 40", "{text}");
        }
        assert_eq!(canonical(&parse(" 15210 ").unwrap()), "15210 100");
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(
            canonical(&parse("15210 33.5, 15190 66.5").unwrap()),
            "15210 33.5; 15190 66.5"
        );
    }

    #[test]
    fn each_mistake_is_named() {
        let e = parse("99999 100").unwrap_err();
        assert!(e.contains("'99999' is not a DAC"), "{e}");
        let e = parse("15210 60, 15190 30").unwrap_err();
        assert!(e.contains("add up to 90"), "{e}");
        let e = parse("15210, 15190").unwrap_err();
        assert!(e.contains("15210 has no percentage"), "{e}");
        let e = parse("15210 50, 15210 50").unwrap_err();
        assert!(e.contains("given twice"), "{e}");
        let e = parse("15210 0").unwrap_err();
        assert!(e.contains("'0' is not a percentage"), "{e}");
        let e = parse("15210 60 percent").unwrap_err();
        assert!(e.contains("'percent'"), "{e}");
    }

    #[test]
    fn names_come_from_the_codelist() {
        assert_eq!(name("15210"), Some("Security system management and reform"));
        assert_eq!(name("1521"), None);
    }
}
