//! What an evaluator asks: the sides to compare (phases, periods, ranges of quarters,
//! possibly of an earlier programme), an optional split into two county groups, and
//! whether to keep only the counties every side shares. Written as a short query string
//! so that a comparison is a link that can be saved and shared.

use std::fmt::Write;

use crate::domain::period::{Period, PeriodKind};
use crate::error::{AppError, AppResult};

pub const MAX_SIDES: usize = 6;
/// The longest side: 20 years of quarters.
pub const MAX_QUARTERS: usize = 80;

#[derive(Debug, Clone, PartialEq)]
pub enum SideSpec {
    /// A phase (of this or an earlier programme), by id.
    Phase(i32),
    /// Quarters `from`..=`to` of this programme, or of the programme with `programme`'s
    /// code. `exact` is the period typed when it was one period (a year, a financial
    /// year), whose own target counts.
    Span {
        programme: Option<String>,
        from: Period,
        to: Period,
        exact: Option<Period>,
    },
}

impl SideSpec {
    pub fn text(&self) -> String {
        match self {
            SideSpec::Phase(id) => format!("phase:{id}"),
            SideSpec::Span {
                programme,
                from,
                to,
                exact,
            } => {
                let prefix = programme
                    .as_ref()
                    .map(|p| format!("{p}:"))
                    .unwrap_or_default();
                match exact {
                    Some(p) => format!("{prefix}{}", p.id()),
                    None if from == to => format!("{prefix}{}", from.id()),
                    None => format!("{prefix}{}..{}", from.id(), to.id()),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Split {
    None,
    /// The MoU's initial counties against every other county.
    Mou,
    /// Two groups picked by county code.
    Pick(Vec<String>, Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub sides: Vec<SideSpec>,
    pub split: Split,
    /// Keep only the counties every side covers.
    pub common: bool,
    /// Phases still running are compared up to this quarter.
    pub through: Option<Period>,
}

/// The comparison form as it arrives (query string or saved text).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Query {
    #[serde(default)]
    pub sides: String,
    #[serde(default)]
    pub split: Option<String>,
    #[serde(default)]
    pub a: Option<String>,
    #[serde(default)]
    pub b: Option<String>,
    #[serde(default)]
    pub common: Option<bool>,
    #[serde(default)]
    pub through: Option<String>,
    /// An indicator whose counties to show (not part of the question itself).
    #[serde(default)]
    pub indicator: Option<String>,
}

fn quarter_of(p: &Period) -> Period {
    Period::quarter_containing(p.start())
}

fn parse_period(field: &str, s: &str) -> AppResult<Period> {
    let p = Period::parse(s).map_err(|e| AppError::invalid(field, e.to_string()))?;
    if p.kind() == PeriodKind::Month {
        return Err(AppError::invalid(
            field,
            format!(
                "{}: values are reported by quarter, so compare quarters or longer periods",
                p.id()
            ),
        ));
    }
    Ok(p)
}

/// One side as typed: `phase:12`, `2025`, `2025July`, `2026Q1`, `2025Q1..2026Q2`, each
/// optionally prefixed by a programme code (`DW:2021`).
pub fn parse_side(s: &str) -> AppResult<SideSpec> {
    let s = s.trim();
    let bad = |why: String| AppError::invalid("sides", format!("\"{s}\": {why}"));
    if let Some(id) = s.strip_prefix("phase:") {
        return id
            .trim()
            .parse::<i32>()
            .map(SideSpec::Phase)
            .map_err(|_| bad("a phase is written phase:<number>".into()));
    }
    let (programme, rest) = match s.split_once(':') {
        Some((code, rest)) => {
            let code = code.trim();
            if code.is_empty()
                || !code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(bad("the part before ':' must be a programme code".into()));
            }
            (Some(code.to_ascii_uppercase()), rest.trim())
        }
        None => (None, s),
    };
    let (from, to, exact) = match rest.split_once("..") {
        Some((a, b)) => {
            let a = parse_period("sides", a).map_err(|e| bad(e.to_string()))?;
            let b = parse_period("sides", b).map_err(|e| bad(e.to_string()))?;
            (quarter_of(&a), Period::quarter_containing(b.end()), None)
        }
        None => {
            let p = parse_period("sides", rest).map_err(|e| bad(e.to_string()))?;
            let exact = (p.kind() != PeriodKind::Quarter).then_some(p);
            (quarter_of(&p), Period::quarter_containing(p.end()), exact)
        }
    };
    if to.start() < from.start() {
        return Err(bad("the range ends before it starts".into()));
    }
    let n = quarters(&from, &to).len();
    if n > MAX_QUARTERS {
        return Err(bad(format!(
            "{n} quarters: at most {MAX_QUARTERS} fit one side"
        )));
    }
    Ok(SideSpec::Span {
        programme,
        from,
        to,
        exact,
    })
}

/// The quarters from `from` to `to` inclusive.
pub fn quarters(from: &Period, to: &Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut q = *from;
    while q.start() <= to.start() && out.len() <= MAX_QUARTERS {
        out.push(q);
        q = q.next();
    }
    out
}

fn county_codes(field: &str, s: &Option<String>) -> AppResult<Vec<String>> {
    let codes: Vec<String> = s
        .as_deref()
        .unwrap_or("")
        .split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    if codes.is_empty() {
        return Err(AppError::invalid(
            field,
            "pick at least one county for each group",
        ));
    }
    Ok(codes)
}

impl Spec {
    pub fn from_query(q: &Query) -> AppResult<Spec> {
        let sides: Vec<SideSpec> = q
            .sides
            .split([',', ';'])
            .filter(|s| !s.trim().is_empty())
            .map(parse_side)
            .collect::<AppResult<_>>()?;
        if sides.len() < 2 {
            return Err(AppError::invalid(
                "sides",
                "choose at least two phases or periods to compare",
            ));
        }
        if sides.len() > MAX_SIDES {
            return Err(AppError::invalid(
                "sides",
                format!("{} sides: at most {MAX_SIDES}", sides.len()),
            ));
        }
        let split = match q.split.as_deref().map(str::trim).unwrap_or("") {
            "" | "none" => Split::None,
            "mou" => Split::Mou,
            "pick" => {
                let a = county_codes("a", &q.a)?;
                let b = county_codes("b", &q.b)?;
                if let Some(both) = a.iter().find(|c| b.contains(c)) {
                    return Err(AppError::invalid(
                        "b",
                        format!("county {both} is in both groups"),
                    ));
                }
                Split::Pick(a, b)
            }
            other => {
                return Err(AppError::invalid(
                    "split",
                    format!("\"{other}\": expected none, mou or pick"),
                ))
            }
        };
        let through = match q.through.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => Some(quarter_of(&parse_period("through", t)?)),
        };
        Ok(Spec {
            sides,
            split,
            common: q.common.unwrap_or(false),
            through,
        })
    }

    /// The canonical query string: what a saved comparison keeps and its link carries.
    pub fn to_query(&self) -> String {
        let sides: Vec<String> = self.sides.iter().map(SideSpec::text).collect();
        let mut out = format!("sides={}", encode(&sides.join(",")));
        match &self.split {
            Split::None => {}
            Split::Mou => out.push_str("&split=mou"),
            Split::Pick(a, b) => {
                let _ = write!(
                    out,
                    "&split=pick&a={}&b={}",
                    encode(&a.join(",")),
                    encode(&b.join(","))
                );
            }
        }
        if self.common {
            out.push_str("&common=true");
        }
        if let Some(t) = self.through {
            let _ = write!(out, "&through={}", t.id());
        }
        out
    }

    /// The form fields that ask this question again (the comparison page's form).
    pub fn to_form(&self) -> Query {
        let (split, a, b) = match &self.split {
            Split::None => (None, None, None),
            Split::Mou => (Some("mou".to_string()), None, None),
            Split::Pick(a, b) => (
                Some("pick".to_string()),
                Some(a.join(",")),
                Some(b.join(",")),
            ),
        };
        Query {
            sides: self
                .sides
                .iter()
                .map(SideSpec::text)
                .collect::<Vec<_>>()
                .join(","),
            split,
            a,
            b,
            common: Some(self.common),
            through: self.through.map(|t| t.id()),
            indicator: None,
        }
    }

    /// Reads a saved query string back.
    pub fn from_saved(text: &str) -> AppResult<Spec> {
        let mut q = Query::default();
        for (k, v) in form_urlencoded_pairs(text) {
            match k.as_str() {
                "sides" => q.sides = v,
                "split" => q.split = Some(v),
                "a" => q.a = Some(v),
                "b" => q.b = Some(v),
                "common" => q.common = Some(v == "true" || v == "on"),
                "through" => q.through = Some(v),
                _ => {}
            }
        }
        Spec::from_query(&q)
    }
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b':' => {
                out.push(b as char)
            }
            b',' => out.push_str("%2C"),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn form_urlencoded_pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(sides: &str) -> Query {
        Query {
            sides: sides.into(),
            ..Query::default()
        }
    }

    #[test]
    fn sides_are_phases_periods_and_ranges() {
        assert_eq!(parse_side("phase:7").unwrap(), SideSpec::Phase(7));
        let SideSpec::Span {
            from,
            to,
            exact,
            programme,
        } = parse_side("2025").unwrap()
        else {
            panic!()
        };
        assert_eq!((from.id(), to.id()), ("2025Q1".into(), "2025Q4".into()));
        assert_eq!(exact.unwrap().id(), "2025");
        assert_eq!(programme, None);
        let SideSpec::Span {
            from,
            to,
            exact,
            programme,
        } = parse_side("dw:2021Q2..2022Q1").unwrap()
        else {
            panic!()
        };
        assert_eq!((from.id(), to.id()), ("2021Q2".into(), "2022Q1".into()));
        assert_eq!(exact, None);
        assert_eq!(programme.as_deref(), Some("DW"));
        let SideSpec::Span { from, to, .. } = parse_side("2025July").unwrap() else {
            panic!()
        };
        assert_eq!((from.id(), to.id()), ("2025Q3".into(), "2026Q2".into()));
    }

    #[test]
    fn bad_sides_say_which_and_why() {
        for (text, says) in [
            ("phase:x", "phase:<number>"),
            ("2026Q5", "2026Q5"),
            ("2026Q3..2025Q1", "ends before it starts"),
            ("2000Q1..2030Q4", "at most 80"),
            ("a b:2025", "programme code"),
        ] {
            let e = parse_side(text).unwrap_err();
            assert!(e.to_string().contains(says), "{text}: {e}");
            assert!(
                matches!(&e, AppError::Invalid { field: Some(f), .. } if f == "sides"),
                "{text}: {e:?}"
            );
        }
        let e = Spec::from_query(&q("2025")).unwrap_err().to_string();
        assert!(e.contains("at least two"), "{e}");
        let mut two = q("2025,2026");
        two.split = Some("pick".into());
        two.a = Some("023".into());
        let e = Spec::from_query(&two).unwrap_err();
        assert!(
            matches!(&e, AppError::Invalid { field: Some(f), .. } if f == "b"),
            "{e:?}"
        );
        assert!(e.to_string().contains("at least one county"), "{e}");
        two.b = Some("023,009".into());
        let e = Spec::from_query(&two).unwrap_err().to_string();
        assert!(e.contains("023 is in both"), "{e}");
        two.split = Some("halves".into());
        assert!(Spec::from_query(&two)
            .unwrap_err()
            .to_string()
            .contains("none, mou or pick"));
    }

    #[test]
    fn the_query_string_round_trips() {
        let mut query = q("phase:3, DW:2021 ,2025Q1..2025Q4");
        query.split = Some("pick".into());
        query.a = Some("023, 009".into());
        query.b = Some("040".into());
        query.common = Some(true);
        query.through = Some("2026Q2".into());
        let spec = Spec::from_query(&query).unwrap();
        let text = spec.to_query();
        assert_eq!(
            text,
            "sides=phase:3%2CDW:2021%2C2025Q1..2025Q4&split=pick&a=023%2C009&b=040&common=true&through=2026Q2"
        );
        assert_eq!(Spec::from_saved(&text).unwrap(), spec);
    }

    #[test]
    fn saved_text_is_read_as_a_browser_sends_it() {
        // Spaces as '+' or %20, commas and colons escaped, an empty pair, a bare key.
        let spec = Spec::from_saved(
            "sides=phase%3A3%2C+2025Q1..2025Q4&&split=pick&a=023%2C%20009&b=040&common",
        )
        .unwrap();
        let mut query = q("phase:3, 2025Q1..2025Q4");
        query.split = Some("pick".into());
        query.a = Some("023, 009".into());
        query.b = Some("040".into());
        query.common = Some(false);
        assert_eq!(spec, Spec::from_query(&query).unwrap());
    }
}
