//! Writing a data value set: `dataValueSets` JSON, XML and CSV as DHIS2 exports them,
//! and ADX. The same values give the same bytes.

use std::fmt::Write;

use super::{DataValue, ADX_NAMESPACE, CSV_HEADER, DXF_NAMESPACE};

/// Text safe inside a double-quoted XML attribute: the one XML escape the county map
/// and the IATI file use too.
pub use crate::geo::svg::escape as attr;

/// `{"dataValues": [ … ]}`, each value's fields in DHIS2's order.
pub fn json(values: &[DataValue]) -> String {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Set<'a> {
        data_values: &'a [DataValue],
    }
    serde_json::to_string_pretty(&Set {
        data_values: values,
    })
    .expect("plain values serialise")
}

/// `<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0">` with one `dataValue` element
/// per value, its attributes in DHIS2's order. `note` (what was left out, and why) is
/// written as an XML comment before the root element.
pub fn xml(values: &[DataValue], note: Option<&str>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    comment(&mut out, note);
    let _ = writeln!(out, "<dataValueSet xmlns=\"{DXF_NAMESPACE}\">");
    for v in values {
        out.push_str("  <dataValue");
        let fields = [
            ("dataElement", &v.data_element),
            ("period", &v.period),
            ("orgUnit", &v.org_unit),
            ("categoryOptionCombo", &v.category_option_combo),
            ("attributeOptionCombo", &v.attribute_option_combo),
            ("value", &v.value),
            ("storedBy", &v.stored_by),
            ("created", &v.created),
            ("lastUpdated", &v.last_updated),
            ("comment", &v.comment),
        ];
        for (name, value) in fields {
            if !value.is_empty() || name == "value" {
                let _ = write!(out, " {name}=\"{}\"", attr(value));
            }
        }
        let _ = writeln!(out, " followup=\"{}\"/>", v.followup);
    }
    out.push_str("</dataValueSet>\n");
    out
}

fn comment(out: &mut String, note: Option<&str>) {
    if let Some(n) = note.filter(|n| !n.is_empty()) {
        // "--" may not appear inside an XML comment.
        let _ = writeln!(out, "<!-- {} -->", n.replace("--", "- -"));
    }
}

/// The CSV DHIS2 exports: its header line exactly, then one row per value (LF line ends,
/// no byte-order mark, quoted where needed).
pub fn csv(values: &[DataValue]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record(CSV_HEADER);
    for v in values {
        let _ = w.write_record([
            v.data_element.as_str(),
            &v.period,
            &v.org_unit,
            &v.category_option_combo,
            &v.attribute_option_combo,
            &v.value,
            &v.stored_by,
            &v.last_updated,
            &v.comment,
            if v.followup { "true" } else { "false" },
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One ADX value: its data element, its disaggregation (category attributes, or a
/// category option combo when the categories are not mapped), value and comment.
#[derive(Debug, Clone, PartialEq)]
pub struct AdxValue {
    pub data_element: String,
    pub categories: Vec<(String, String)>,
    pub category_option_combo: String,
    pub value: String,
    pub comment: String,
}

/// One ADX group: an org unit's values for one period of one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct AdxGroup {
    pub org_unit: String,
    /// Already in ADX form, `2026-10-01/P3M`.
    pub period: String,
    pub data_set: String,
    pub attribute_option_combo: String,
    pub values: Vec<AdxValue>,
}

/// `<adx xmlns="urn:ihe:qrph:adx:2015" exported="…">` with its groups.
pub fn adx(groups: &[AdxGroup], exported: &str, note: Option<&str>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    comment(&mut out, note);
    let _ = writeln!(
        out,
        "<adx xmlns=\"{ADX_NAMESPACE}\" exported=\"{}\">",
        attr(exported)
    );
    for g in groups {
        let _ = write!(
            out,
            "  <group orgUnit=\"{}\" period=\"{}\" dataSet=\"{}\"",
            attr(&g.org_unit),
            attr(&g.period),
            attr(&g.data_set)
        );
        if !g.attribute_option_combo.is_empty() {
            let _ = write!(
                out,
                " attributeOptionCombo=\"{}\"",
                attr(&g.attribute_option_combo)
            );
        }
        out.push_str(">\n");
        for v in &g.values {
            let _ = write!(
                out,
                "    <dataValue dataElement=\"{}\"",
                attr(&v.data_element)
            );
            for (cat, opt) in &v.categories {
                let _ = write!(out, " {cat}=\"{}\"", attr(opt));
            }
            if v.categories.is_empty() && !v.category_option_combo.is_empty() {
                let _ = write!(
                    out,
                    " categoryOptionCombo=\"{}\"",
                    attr(&v.category_option_combo)
                );
            }
            let _ = write!(out, " value=\"{}\"", attr(&v.value));
            if v.comment.is_empty() {
                out.push_str("/>\n");
            } else {
                let _ = writeln!(
                    out,
                    "><annotation>{}</annotation></dataValue>",
                    attr(&v.comment)
                );
            }
        }
        out.push_str("  </group>\n");
    }
    out.push_str("</adx>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one() -> DataValue {
        DataValue {
            data_element: "DE_1".into(),
            period: "2026Q4".into(),
            org_unit: "023".into(),
            category_option_combo: "default".into(),
            attribute_option_combo: "LBP".into(),
            value: "12".into(),
            stored_by: "wanjiku".into(),
            created: "2026-10-02T08:00:00.000".into(),
            last_updated: "2026-11-02T08:00:00.000".into(),
            comment: "rain & \"floods\"".into(),
            followup: false,
        }
    }

    #[test]
    fn json_fields_are_in_dhis2_order() {
        let text = json(&[one()]);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&String> = v["dataValues"][0].as_object().unwrap().keys().collect();
        // serde_json's map keeps insertion order only with preserve_order; check the text.
        assert_eq!(keys.len(), 11);
        let order = [
            "dataElement",
            "period",
            "orgUnit",
            "categoryOptionCombo",
            "attributeOptionCombo",
            "value",
            "storedBy",
            "created",
            "lastUpdated",
            "comment",
            "followup",
        ];
        let at: Vec<usize> = order
            .iter()
            .map(|k| text.find(&format!("\"{k}\"")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn xml_is_in_the_dxf_namespace_and_escaped() {
        let text = xml(&[one()], Some("not exported -- LBP-9"));
        assert!(text.contains("<dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\">"));
        assert!(text.contains("comment=\"rain &amp; &quot;floods&quot;\""));
        assert!(text.contains("<!-- not exported - - LBP-9 -->"));
        let a = text.find("dataElement=").unwrap();
        let b = text.find("categoryOptionCombo=").unwrap();
        let c = text.find("followup=").unwrap();
        assert!(a < b && b < c);
    }

    #[test]
    fn csv_header_is_exactly_dhis2s() {
        let text = csv(&[one()]);
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,flwup"
        );
        assert_eq!(
            lines.next().unwrap(),
            "DE_1,2026Q4,023,default,LBP,12,wanjiku,2026-11-02T08:00:00.000,\"rain & \"\"floods\"\"\",false"
        );
    }

    #[test]
    fn adx_groups_carry_period_and_categories() {
        let g = AdxGroup {
            org_unit: "023".into(),
            period: "2026-10-01/P3M".into(),
            data_set: "LBP".into(),
            attribute_option_combo: String::new(),
            values: vec![AdxValue {
                data_element: "DE_1".into(),
                categories: vec![("SEX".into(), "FMLE".into())],
                category_option_combo: "F".into(),
                value: "3".into(),
                comment: String::new(),
            }],
        };
        let text = adx(&[g], "2026-12-01T10:00:00Z", None);
        assert!(text
            .contains("<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"2026-12-01T10:00:00Z\">"));
        assert!(text.contains("<group orgUnit=\"023\" period=\"2026-10-01/P3M\" dataSet=\"LBP\">"));
        assert!(text.contains("<dataValue dataElement=\"DE_1\" SEX=\"FMLE\" value=\"3\"/>"));
    }
}
