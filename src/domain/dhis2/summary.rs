//! The import summary DHIS2 answers a `dataValueSets` import with (`ImportSummary.java`:
//! responseType, status, description, importOptions, importCount, conflicts), written by
//! Mipaka's endpoint and read from a DHIS2 server's answer to a push — bare, or wrapped
//! in the WebMessage newer DHIS2 versions send (`{httpStatus, …, response: {…}}`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportStatus {
    Success,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Strategy {
    Create,
    Update,
    CreateAndUpdate,
    Delete,
}

impl Strategy {
    pub fn parse(s: &str) -> Result<Strategy, String> {
        match s.trim().to_ascii_uppercase().as_str() {
            "CREATE" => Ok(Strategy::Create),
            "UPDATE" => Ok(Strategy::Update),
            "CREATE_AND_UPDATE" | "NEW_AND_UPDATES" => Ok(Strategy::CreateAndUpdate),
            "DELETE" | "DELETES" => Ok(Strategy::Delete),
            other => Err(format!(
                "'{other}' is not an import strategy: use CREATE, UPDATE, CREATE_AND_UPDATE or DELETE"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCount {
    #[serde(default)]
    pub imported: u64,
    #[serde(default)]
    pub updated: u64,
    #[serde(default)]
    pub ignored: u64,
    #[serde(default)]
    pub deleted: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub value: String,
}

/// An import summary, in DHIS2's field order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    #[serde(default = "summary_type")]
    pub response_type: String,
    pub status: ImportStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_options: Option<Value>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub import_count: ImportCount,
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_set_complete: Option<Value>,
}

fn summary_type() -> String {
    "ImportSummary".into()
}

impl ImportSummary {
    /// Options as DHIS2 lists them (`async` is a Rust keyword, hence written by hand).
    pub fn options(strategy: Strategy, dry_run: bool, schemes: Value) -> Value {
        serde_json::json!({
            "idSchemes": schemes,
            "dryRun": dry_run,
            "async": false,
            "importStrategy": strategy,
            "reportMode": "FULL",
        })
    }

    /// A summary as a line or two for a terminal: status, counts, then each conflict.
    pub fn describe(&self) -> String {
        let c = &self.import_count;
        let status = match self.status {
            ImportStatus::Success => "SUCCESS",
            ImportStatus::Warning => "WARNING",
            ImportStatus::Error => "ERROR",
        };
        let mut out = format!(
            "{status}: imported {}, updated {}, ignored {}, deleted {}",
            c.imported, c.updated, c.ignored, c.deleted
        );
        if !self.description.is_empty() {
            out.push_str(&format!(" — {}", self.description));
        }
        for k in &self.conflicts {
            out.push_str(&format!("\n  conflict {}: {}", k.object, k.value));
        }
        out
    }
}

/// A server's answer to an import, bare or wrapped in a WebMessage (`response` holds the
/// summary; older servers put counts under `dataValueCount`). None when it is neither.
pub fn parse_answer(body: &str) -> Option<ImportSummary> {
    let v: Value = serde_json::from_str(body).ok()?;
    let inner = match v.get("response") {
        Some(r) if r.is_object() => r.clone(),
        _ => v.clone(),
    };
    let mut s: ImportSummary = serde_json::from_value(inner.clone()).ok().or_else(|| {
        // A WebMessage without a summary (e.g. 401, 500): its status and message.
        let status = match v.get("status").and_then(Value::as_str)? {
            "OK" | "SUCCESS" => ImportStatus::Success,
            "WARNING" => ImportStatus::Warning,
            _ => ImportStatus::Error,
        };
        Some(ImportSummary {
            response_type: "WebMessage".into(),
            status,
            import_options: None,
            description: v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            import_count: ImportCount::default(),
            conflicts: Vec::new(),
            data_set_complete: None,
        })
    })?;
    if s.import_count == ImportCount::default() {
        if let Some(old) = inner.get("dataValueCount") {
            if let Ok(c) = serde_json::from_value::<ImportCount>(old.clone()) {
                s.import_count = c;
            }
        }
    }
    if s.description.is_empty() {
        if let Some(m) = v.get("message").and_then(Value::as_str) {
            s.description = m.to_string();
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_summary_is_read() {
        let s = parse_answer(r#"{ "responseType": "ImportSummary", "status": "SUCCESS",
          "importOptions": { "idSchemes": {}, "dryRun": false, "async": true, "importStrategy": "CREATE_AND_UPDATE", "reportMode": "FULL" },
          "description": "Import process completed successfully",
          "importCount": { "imported": 0, "updated": 431, "ignored": 0, "deleted": 0 },
          "dataSetComplete": "false" }"#).unwrap();
        assert_eq!(s.status, ImportStatus::Success);
        assert_eq!(s.import_count.updated, 431);
    }

    #[test]
    fn a_web_message_wrapped_summary_is_read() {
        let s = parse_answer(r#"{"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR","message":"One more conflicts encountered, please check import summary.",
          "response":{"responseType":"ImportSummary","status":"ERROR","importCount":{"imported":0,"updated":0,"ignored":1,"deleted":0},
          "conflicts":[{"object":"xyz","objects":{"dataElement":"xyz"},"value":"Data element not found or not accessible","errorCode":"E7610","property":"dataElement","indexes":[0]}]}}"#).unwrap();
        assert_eq!(s.status, ImportStatus::Error);
        assert_eq!(s.conflicts[0].object, "xyz");
        assert_eq!(s.import_count.ignored, 1);
        assert!(s.description.contains("conflicts"));
    }

    #[test]
    fn an_old_count_and_a_bare_web_message_are_read() {
        let s = parse_answer(
            r#"{"status":"SUCCESS","dataValueCount":{"imported":2,"updated":1,"ignored":1}}"#,
        )
        .unwrap();
        assert_eq!(s.import_count.imported, 2);
        let s = parse_answer(r#"{"httpStatus":"Unauthorized","httpStatusCode":401,"status":"ERROR","message":"Unauthorized"}"#).unwrap();
        assert_eq!(s.status, ImportStatus::Error);
        assert_eq!(s.description, "Unauthorized");
        assert!(parse_answer("<html>").is_none());
    }

    #[test]
    fn strategies_parse() {
        assert_eq!(
            Strategy::parse("create_and_update").unwrap(),
            Strategy::CreateAndUpdate
        );
        assert!(Strategy::parse("MERGE").is_err());
    }
}
