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

impl ImportSummary {
    /// The summary as DHIS2 writes it in XML (DXF 2.0 namespace): `status`, `description`,
    /// `importCount` with its four counts as attributes, and `conflicts` each with
    /// `object` and `value` attributes.
    pub fn xml(&self) -> String {
        use super::write::attr;
        use std::fmt::Write;
        let text = |s: &str| attr(s).replace("&quot;", "\"");
        let status = match self.status {
            ImportStatus::Success => "SUCCESS",
            ImportStatus::Warning => "WARNING",
            ImportStatus::Error => "ERROR",
        };
        let c = &self.import_count;
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<importSummary xmlns=\"{}\" responseType=\"{}\">",
            super::DXF_NAMESPACE,
            attr(&self.response_type)
        );
        let _ = writeln!(out, "  <status>{status}</status>");
        let _ = writeln!(
            out,
            "  <description>{}</description>",
            text(&self.description)
        );
        let _ = writeln!(
            out,
            "  <importCount imported=\"{}\" updated=\"{}\" ignored=\"{}\" deleted=\"{}\"/>",
            c.imported, c.updated, c.ignored, c.deleted
        );
        if self.conflicts.is_empty() {
            out.push_str("  <conflicts/>\n");
        } else {
            out.push_str("  <conflicts>\n");
            for k in &self.conflicts {
                let _ = writeln!(
                    out,
                    "    <conflict object=\"{}\" value=\"{}\"/>",
                    attr(&k.object),
                    attr(&k.value)
                );
            }
            out.push_str("  </conflicts>\n");
        }
        if let Some(d) = &self.data_set_complete {
            let d = d
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| d.to_string());
            let _ = writeln!(out, "  <dataSetComplete>{}</dataSetComplete>", text(&d));
        }
        out.push_str("</importSummary>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xml_summary_has_dhis2s_shape_and_escapes() {
        let s = ImportSummary {
            response_type: "ImportSummary".into(),
            status: ImportStatus::Error,
            import_options: None,
            description: "Import <failed> & nothing written".into(),
            import_count: ImportCount {
                imported: 0,
                updated: 1,
                ignored: 3,
                deleted: 0,
            },
            conflicts: vec![Conflict {
                object: "999".into(),
                value: "dataValues[2]: org unit \"999\" <unknown>".into(),
            }],
            data_set_complete: None,
        };
        let x = s.xml();
        assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<importSummary xmlns=\"http://dhis2.org/schema/dxf/2.0\" responseType=\"ImportSummary\">"), "{x}");
        assert!(x.contains("<status>ERROR</status>"), "{x}");
        assert!(
            x.contains("<description>Import &lt;failed&gt; &amp; nothing written</description>"),
            "{x}"
        );
        assert!(
            x.contains("<importCount imported=\"0\" updated=\"1\" ignored=\"3\" deleted=\"0\"/>"),
            "{x}"
        );
        assert!(x.contains("<conflicts>\n    <conflict object=\"999\" value=\"dataValues[2]: org unit &quot;999&quot; &lt;unknown&gt;\"/>\n  </conflicts>"), "{x}");
        let order = ["<status>", "<description>", "<importCount", "<conflicts>"];
        let at: Vec<usize> = order.iter().map(|t| x.find(t).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]));
        assert!(x.trim_end().ends_with("</importSummary>"));
        let ok = ImportSummary {
            status: ImportStatus::Success,
            conflicts: vec![],
            ..s
        };
        assert!(ok.xml().contains("<conflicts/>"));
    }

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
