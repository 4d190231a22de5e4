//! Code lists Mipaka's setup speaks: ISO 4217 currencies and the IATI 2.03
//! OrganisationRole and OrganisationType lists (from `shared/iati/codelists`, the
//! official IATI files). Pure data with lookups.

/// ISO 4217 currency codes (IATI codelist Currency, items not withdrawn).
pub const CURRENCIES: [&str; 167] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHF", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK",
    "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS", "INR",
    "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK",
    "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON",
    "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS",
    "SSP", "SRD", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD",
    "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UZS", "VED", "VES", "VND", "VUV",
    "WST", "XAF", "XBT", "XCD", "XDR", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
];

pub fn is_currency(code: &str) -> bool {
    CURRENCIES.contains(&code)
}

/// IATI OrganisationRole words in codelist order (code = position + 1).
pub const ROLES: [&str; 4] = ["funding", "accountable", "extending", "implementing"];

/// The IATI OrganisationRole code of a role word.
pub fn role_code(role: &str) -> Option<u8> {
    ROLES.iter().position(|r| *r == role).map(|i| i as u8 + 1)
}

/// Where a role sorts in lists: funders first.
pub fn role_rank(role: &str) -> u8 {
    role_code(role).unwrap_or(ROLES.len() as u8 + 1)
}

pub fn role_label(role: &str) -> &'static str {
    match role {
        "funding" => "Funding",
        "accountable" => "Accountable",
        "extending" => "Extending (manages the funds)",
        "implementing" => "Implementing",
        _ => "Partner",
    }
}

/// A role given as its word, its IATI code ("1"…"4") or its label ("Funding").
pub fn parse_role(raw: &str) -> Option<&'static str> {
    let s = raw.trim().to_ascii_lowercase();
    ROLES.iter().enumerate().find_map(|(i, r)| {
        let label = role_label(r).to_ascii_lowercase();
        (s == *r || s == (i + 1).to_string() || s == label || label.starts_with(&format!("{s} ")))
            .then_some(*r)
    })
}

/// IATI OrganisationType codelist (2.03): code and name.
pub const ORGANISATION_TYPES: [(&str, &str); 16] = [
    ("10", "Government"),
    ("11", "Local Government"),
    ("15", "Other Public Sector"),
    ("21", "International NGO"),
    ("22", "National NGO"),
    ("23", "Regional NGO"),
    ("24", "Partner Country based NGO"),
    ("30", "Public Private Partnership"),
    ("40", "Multilateral"),
    ("60", "Foundation"),
    ("70", "Private Sector"),
    ("71", "Private Sector in Provider Country"),
    ("72", "Private Sector in Aid Recipient Country"),
    ("73", "Private Sector in Third Country"),
    ("80", "Academic, Training and Research"),
    ("90", "Other"),
];

pub fn organisation_type_label(code: &str) -> &'static str {
    ORGANISATION_TYPES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// An organisation type given as its code ("40") or its name ("Multilateral"); "" for none.
pub fn parse_organisation_type(raw: &str) -> Option<&'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Some("");
    }
    let code = s.split([' ', '—', '-']).next().unwrap_or(s);
    ORGANISATION_TYPES
        .iter()
        .find(|(c, l)| *c == code || l.eq_ignore_ascii_case(s))
        .map(|(c, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_iso_4217() {
        for c in ["GBP", "KES", "USD", "EUR", "UGX", "SOS", "ETB"] {
            assert!(is_currency(c), "{c}");
        }
        assert!(!is_currency("gbp"));
        assert!(!is_currency("KSH"));
    }

    #[test]
    fn roles_read_as_word_code_or_label() {
        assert_eq!(parse_role("funding"), Some("funding"));
        assert_eq!(parse_role("2"), Some("accountable"));
        assert_eq!(parse_role("Extending"), Some("extending"));
        assert_eq!(parse_role(" Implementing "), Some("implementing"));
        assert_eq!(parse_role("donor"), None);
        assert_eq!(role_code("implementing"), Some(4));
        assert!(role_rank("funding") < role_rank("implementing"));
    }

    #[test]
    fn organisation_types_read_as_code_or_name() {
        assert_eq!(parse_organisation_type("40"), Some("40"));
        assert_eq!(parse_organisation_type("40 Multilateral"), Some("40"));
        assert_eq!(parse_organisation_type("multilateral"), Some("40"));
        assert_eq!(parse_organisation_type(""), Some(""));
        assert_eq!(parse_organisation_type("99"), None);
        assert_eq!(organisation_type_label("10"), "Government");
    }
}
