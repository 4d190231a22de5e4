//! Disaggregation dimensions beyond county and their categories. A value's
//! disaggregation is "" for the county total or "dimension=category" for a part.

/// Categories of a dimension, in reporting order. Unknown dimensions have none, and
/// an indicator naming one gets totals only.
pub fn categories(dimension: &str) -> &'static [&'static str] {
    match dimension {
        "sex" => &["female", "male"],
        "agency" => &["border_police", "immigration", "customs", "other"],
        _ => &[],
    }
}

pub fn key(dimension: &str, category: &str) -> String {
    format!("{dimension}={category}")
}

/// The dimension of a part key, or None for the total ("").
pub fn dimension_of(key: &str) -> Option<&str> {
    key.split_once('=').map(|(d, _)| d)
}

/// Whether `key` is "" or a known category of one of `dimensions`.
pub fn is_valid(dimensions: &[&str], key: &str) -> bool {
    key.is_empty()
        || key
            .split_once('=')
            .is_some_and(|(d, c)| dimensions.contains(&d) && categories(d).contains(&c))
}

/// "sex=female" → "Female"; "agency=border_police" → "Border police"; "" → "Total".
pub fn label(key: &str) -> String {
    match key.split_once('=') {
        None => "Total".into(),
        Some((_, c)) => {
            let words = c.replace('_', " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
                None => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels() {
        assert_eq!(key("sex", "female"), "sex=female");
        assert_eq!(dimension_of("agency=customs"), Some("agency"));
        assert_eq!(dimension_of(""), None);
        assert_eq!(label("agency=border_police"), "Border police");
        assert_eq!(label(""), "Total");
    }

    #[test]
    fn only_known_categories_of_the_indicators_dimensions_are_valid() {
        assert!(is_valid(&["sex"], ""));
        assert!(is_valid(&["sex"], "sex=male"));
        assert!(!is_valid(&["sex"], "sex=other"));
        assert!(!is_valid(&["sex"], "agency=customs"));
        assert!(!is_valid(&[], "sex=male"));
    }
}
