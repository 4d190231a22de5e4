//! An audit entry's before and after snapshots said in words: "value 12 → 14",
//! "status submitted → approved", "reason: Wajir figure double-counts October" —
//! what the history pages show instead of the JSON the audit log keeps.

use serde_json::{Map, Value};

/// The fields that changed, in a fixed order, each as "name from → to" (or "name:
/// to" when there was nothing before), and the reason given, if any. `value` formats
/// a number in the record's unit.
pub fn describe(
    before: Option<&str>,
    after: Option<&str>,
    value: &dyn Fn(f64) -> String,
) -> (Vec<String>, Option<String>) {
    let parse = |s: Option<&str>| -> Map<String, Value> {
        s.and_then(|s| serde_json::from_str::<Value>(s).ok())
            .and_then(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default()
    };
    let (b, a) = (parse(before), parse(after));
    let reason = ["reason", "status_reason", "unlock_reason"]
        .iter()
        .find_map(|k| a.get(*k).and_then(Value::as_str))
        .filter(|r| !r.trim().is_empty())
        .map(str::to_string);
    // Version numbers and reasons are not changes a reader follows field by field.
    let skip = ["version", "reason", "status_reason", "unlock_reason"];
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort_by_key(|k| (order(k), k.to_string()));
    keys.dedup();
    let shown = |k: &str, v: Option<&Value>| -> Option<String> {
        match v? {
            Value::Null => None,
            Value::Number(n) if k == "value" => n.as_f64().map(value),
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.replace('_', " ")),
            Value::Bool(true) => Some("yes".into()),
            Value::Bool(false) => Some("no".into()),
            other => Some(other.to_string()),
        }
    };
    let mut parts = Vec::new();
    for k in keys.into_iter().filter(|k| !skip.contains(&k.as_str())) {
        let (from, to) = (shown(k, b.get(k)), shown(k, a.get(k)));
        if from == to || !a.contains_key(k.as_str()) {
            continue;
        }
        let name = k.replace('_', " ");
        parts.push(match (from, to) {
            (Some(f), Some(t)) => format!("{name} {f} → {t}"),
            (None, Some(t)) => format!("{name}: {t}"),
            (Some(f), None) => format!("{name} {f} removed"),
            (None, None) => continue,
        });
    }
    (parts, reason)
}

/// Value first, then status and comment; anything else after, by name.
fn order(key: &str) -> u8 {
    match key {
        "value" => 0,
        "status" | "workflow_status" => 1,
        "comment" => 2,
        "locked" => 3,
        _ => 9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(v: f64) -> String {
        format!("{v}")
    }

    #[test]
    fn a_status_change_with_its_reason() {
        let (parts, reason) = describe(
            Some(r#"{"status":"submitted","version":2}"#),
            Some(r#"{"status":"returned","version":3,"reason":"Wajir double-counts October"}"#),
            &whole,
        );
        assert_eq!(parts, ["status submitted → returned"]);
        assert_eq!(reason.as_deref(), Some("Wajir double-counts October"));
    }

    #[test]
    fn a_new_value_and_an_edit_in_the_unit() {
        let pct = |v: f64| format!("{v:.1}%");
        let (parts, reason) = describe(
            None,
            Some(r#"{"comment":null,"status":"draft","value":47.5,"version":1}"#),
            &pct,
        );
        assert_eq!(parts, ["value: 47.5%", "status: draft"]);
        assert_eq!(reason, None);
        let (parts, _) = describe(
            Some(r#"{"comment":"","status":"draft","value":12.0,"version":1}"#),
            Some(r#"{"comment":"new register","status":"draft","value":14.0,"version":2}"#),
            &whole,
        );
        assert_eq!(parts, ["value 12 → 14", "comment: new register"]);
    }

    #[test]
    fn nothing_readable_from_what_is_not_json() {
        let (parts, reason) = describe(Some("not json"), None, &whole);
        assert!(parts.is_empty() && reason.is_none());
    }
}
