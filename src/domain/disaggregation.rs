//! Disaggregation categories beyond county (sex, age band, agency, border post …) and
//! their options, defined per programme. A value's disaggregation is "" for the county
//! total or "category=option" for a part, e.g. "sex=female".

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CategoryOption {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Category {
    pub code: String,
    pub label: String,
    pub options: Vec<CategoryOption>,
}

/// A programme's categories, looked up by code.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Dimensions {
    categories: Vec<Category>,
}

impl Dimensions {
    pub fn new(categories: Vec<Category>) -> Dimensions {
        Dimensions { categories }
    }

    pub fn all(&self) -> &[Category] {
        &self.categories
    }

    pub fn get(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// Option codes of a category, in reporting order; none for an unknown category,
    /// so an indicator naming one gets totals only.
    pub fn options(&self, code: &str) -> Vec<&str> {
        self.get(code)
            .map(|c| c.options.iter().map(|o| o.code.as_str()).collect())
            .unwrap_or_default()
    }

    /// Whether `key` is "" or a known option of one of `categories`.
    pub fn is_valid(&self, categories: &[&str], key: &str) -> bool {
        key.is_empty()
            || key
                .split_once('=')
                .is_some_and(|(d, c)| categories.contains(&d) && self.options(d).contains(&c))
    }

    /// "sex=female" → "Female" (the option's own label); "" → "Total".
    pub fn label(&self, key: &str) -> String {
        match key.split_once('=') {
            None => "Total".into(),
            Some((d, c)) => self
                .get(d)
                .and_then(|cat| cat.options.iter().find(|o| o.code == c))
                .map(|o| o.label.clone())
                .unwrap_or_else(|| label(key)),
        }
    }
}

pub fn key(dimension: &str, category: &str) -> String {
    format!("{dimension}={category}")
}

/// The dimension of a part key, or None for the total ("").
pub fn dimension_of(key: &str) -> Option<&str> {
    key.split_once('=').map(|(d, _)| d)
}

/// A label made from the code alone: "sex=female" → "Female";
/// "agency=border_police" → "Border police"; "" → "Total".
pub fn label(key: &str) -> String {
    match key.split_once('=') {
        None => "Total".into(),
        Some((_, c)) => humanise(c),
    }
}

/// "border_police" → "Border police".
pub fn humanise(code: &str) -> String {
    let words = code.replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// "Border police" → "border_police": a code for an option or category named only by
/// its label. Letters and digits are kept (lower-cased), anything else becomes '_'.
pub fn code_from_label(label: &str) -> String {
    let mut out = String::new();
    for ch in label.trim().chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Options as typed, one per line or separated by ';': "female = Female", "Male" (the
/// code is then made from the label) or "15-24". Errors name the line.
pub fn parse_options(text: &str) -> Result<Vec<CategoryOption>, String> {
    let mut out: Vec<CategoryOption> = Vec::new();
    for (i, raw) in text.split(['\n', ';']).enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let (code, label) = match line.split_once('=') {
            Some((c, l)) => (c.trim().to_string(), l.trim().to_string()),
            None => (code_from_label(line), line.to_string()),
        };
        if code.is_empty()
            || !code
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "option {} ('{line}'): a code may hold letters, digits, '_' and '-' only; write it as code = Label",
                i + 1
            ));
        }
        if label.is_empty() {
            return Err(format!("option {} ('{line}') has no label", i + 1));
        }
        if out.iter().any(|o| o.code == code) {
            return Err(format!("the option code '{code}' is given twice"));
        }
        out.push(CategoryOption { code, label });
    }
    if out.len() < 2 {
        return Err(
            "give at least two options, one per line (e.g. female = Female, male = Male)".into(),
        );
    }
    Ok(out)
}

/// Options written back as `parse_options` reads them.
pub fn format_options(options: &[CategoryOption]) -> String {
    options
        .iter()
        .map(|o| format!("{} = {}", o.code, o.label))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sex_and_agency() -> Dimensions {
        Dimensions::new(vec![
            Category {
                code: "sex".into(),
                label: "Sex".into(),
                options: parse_options("female = Female\nmale = Male").unwrap(),
            },
            Category {
                code: "agency".into(),
                label: "Agency".into(),
                options: parse_options("Border police; Immigration; Customs; Other").unwrap(),
            },
        ])
    }

    #[test]
    fn keys_and_labels() {
        let d = sex_and_agency();
        assert_eq!(key("sex", "female"), "sex=female");
        assert_eq!(dimension_of("agency=customs"), Some("agency"));
        assert_eq!(dimension_of(""), None);
        assert_eq!(d.label("agency=border_police"), "Border police");
        assert_eq!(d.label("sex=male"), "Male");
        assert_eq!(d.label(""), "Total");
        assert_eq!(label("agency=border_police"), "Border police");
    }

    #[test]
    fn only_known_options_of_the_indicators_categories_are_valid() {
        let d = sex_and_agency();
        assert!(d.is_valid(&["sex"], ""));
        assert!(d.is_valid(&["sex"], "sex=male"));
        assert!(!d.is_valid(&["sex"], "sex=other"));
        assert!(!d.is_valid(&["sex"], "agency=customs"));
        assert!(!d.is_valid(&[], "sex=male"));
        assert_eq!(
            d.options("agency"),
            ["border_police", "immigration", "customs", "other"]
        );
        assert!(d.options("age").is_empty());
    }

    #[test]
    fn options_are_read_from_what_a_person_types() {
        let o = parse_options("15-24\n25-34 = 25 to 34\n\n 35+ ").unwrap();
        assert_eq!(
            o.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(),
            ["15_24", "25-34", "35"]
        );
        assert!(parse_options("a = A\n = B")
            .unwrap_err()
            .contains("option 2"));
        let o = parse_options("15-24; 25 to 34").unwrap();
        assert_eq!(o[0].code, "15_24");
        assert_eq!(o[1].code, "25_to_34");
        assert!(parse_options("female")
            .unwrap_err()
            .contains("at least two"));
        assert!(parse_options("a = A\na = B").unwrap_err().contains("twice"));
        assert!(parse_options("x y = Z\nb = B")
            .unwrap_err()
            .contains("letters, digits"));
        let round = parse_options(&format_options(&o)).unwrap();
        assert_eq!(round, o);
        assert_eq!(
            code_from_label("Lokichoggio / Nadapal"),
            "lokichoggio_nadapal"
        );
    }
}
