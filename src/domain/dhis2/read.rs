//! Reading a data value set sent to Mipaka: `dataValueSets` JSON, XML (DXF 2.0) and CSV,
//! and ADX. What cannot be read is an error naming where (line and column, or the JSON
//! path) and what was expected; what can be read is returned whole, to be resolved and
//! checked value by value by the import.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::Value;

use super::{parse_adx_period, DataValue, DataValueSet, Incoming};

/// Why a payload cannot be read: `at` says where ("line 3, column 14", "dataValues[2].value").
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

fn err(at: impl Into<String>, message: impl Into<String>) -> ReadError {
    ReadError {
        at: at.into(),
        message: message.into(),
    }
}

fn text(bytes: &[u8]) -> Result<&str, ReadError> {
    let s = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        err(format!("line {line}"), "the body is not UTF-8 text")
    })?;
    let s = s.strip_prefix('\u{feff}').unwrap_or(s);
    if s.trim().is_empty() {
        return Err(err("body", "the body is empty: send a data value set"));
    }
    if s.contains('\0') {
        return Err(err("body", "the body holds a NUL character"));
    }
    Ok(s)
}

/// A JSON scalar as DHIS2 reads it: text, a number or true/false.
fn scalar(v: &Value, at: &str) -> Result<String, ReadError> {
    match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(err(
            at,
            "give text or a number here, not a list or an object",
        )),
    }
}

/// `{"dataSet", "period", "orgUnit", "attributeOptionCombo", "dataValues": [ … ]}`.
pub fn json(bytes: &[u8]) -> Result<DataValueSet, ReadError> {
    let s = text(bytes)?;
    let root: Value = serde_json::from_str(s).map_err(|e| {
        err(
            format!("line {}, column {}", e.line(), e.column()),
            format!("the JSON cannot be read: {e}"),
        )
    })?;
    let Value::Object(m) = root else {
        return Err(err("body", "send a JSON object: {\"dataValues\": [ … ]}"));
    };
    let mut set = DataValueSet::default();
    for (k, v) in &m {
        let value = || scalar(v, k);
        match k.as_str() {
            "dataSet" => set.data_set = value()?,
            "completeDate" | "completedDate" => set.complete_date = value()?,
            "period" => set.period = value()?,
            "orgUnit" => set.org_unit = value()?,
            "attributeOptionCombo" => set.attribute_option_combo = value()?,
            k if k.to_ascii_lowercase().ends_with("idscheme") => {
                set.schemes.push((k.to_string(), value()?))
            }
            _ => {}
        }
    }
    let list = match m.get("dataValues") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(err("dataValues", "give a list of data values")),
    };
    for (i, item) in list.iter().enumerate() {
        let at = format!("dataValues[{i}]");
        let Value::Object(o) = item else {
            return Err(err(at, "each data value is an object"));
        };
        let mut dv = DataValue::default();
        for (k, v) in o {
            let f = format!("{at}.{k}");
            match k.as_str() {
                "dataElement" => dv.data_element = scalar(v, &f)?,
                "period" => dv.period = scalar(v, &f)?,
                "orgUnit" => dv.org_unit = scalar(v, &f)?,
                "categoryOptionCombo" => dv.category_option_combo = scalar(v, &f)?,
                "attributeOptionCombo" => dv.attribute_option_combo = scalar(v, &f)?,
                "value" => dv.value = scalar(v, &f)?,
                "storedBy" => dv.stored_by = scalar(v, &f)?,
                "created" => dv.created = scalar(v, &f)?,
                "lastUpdated" => dv.last_updated = scalar(v, &f)?,
                "comment" => dv.comment = scalar(v, &f)?,
                "followup" | "followUp" => dv.followup = scalar(v, &f)? == "true",
                _ => {}
            }
        }
        set.values.push(Incoming {
            at,
            value: dv,
            categories: Vec::new(),
        });
    }
    Ok(set)
}

/// DHIS2's CSV: the columns by position (dataelement, period, orgunit, catoptcombo,
/// attroptcombo, value, storedby, lastupdated, comment, followup); the first line is
/// the header and is skipped, as DHIS2 does by default.
pub fn csv(bytes: &[u8]) -> Result<DataValueSet, ReadError> {
    let s = text(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(s.as_bytes());
    let mut set = DataValueSet::default();
    for record in reader.records() {
        let r = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            err(
                format!("line {line}"),
                format!("the CSV cannot be read: {e}"),
            )
        })?;
        let line = r.position().map(|p| p.line()).unwrap_or(0);
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let col = |i: usize| r.get(i).unwrap_or("").trim().to_string();
        for (i, name) in [(0, "dataelement"), (1, "period"), (2, "orgunit")] {
            if col(i).is_empty() {
                return Err(err(
                    format!("line {line}, column {} ({name})", i + 1),
                    format!("{name} is required"),
                ));
            }
        }
        set.values.push(Incoming {
            at: format!("line {line}"),
            value: DataValue {
                data_element: col(0),
                period: col(1),
                org_unit: col(2),
                category_option_combo: col(3),
                attribute_option_combo: col(4),
                value: col(5),
                stored_by: col(6),
                last_updated: col(7),
                comment: r.get(8).unwrap_or("").to_string(),
                followup: col(9).eq_ignore_ascii_case("true"),
                created: String::new(),
            },
            categories: Vec::new(),
        });
    }
    Ok(set)
}

/// Line and column of a byte offset.
fn place(s: &str, at: u64) -> String {
    let at = (at as usize).min(s.len());
    let before = &s[..s.floor_char_boundary_compat(at)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}")
}

trait FloorBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// The attributes of an element as (local name, unescaped value).
fn attributes(
    e: &BytesStart<'_>,
    reader: &Reader<&[u8]>,
    s: &str,
) -> Result<Vec<(String, String)>, ReadError> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| {
            err(
                place(s, reader.buffer_position()),
                format!("an attribute cannot be read: {x}"),
            )
        })?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        if a.key.as_ref().starts_with(b"xmlns") {
            continue;
        }
        let value = a
            .decode_and_unescape_value(reader.decoder())
            .map_err(|x| {
                err(
                    place(s, reader.buffer_position()),
                    format!("the attribute {key} cannot be read: {x}"),
                )
            })?
            .into_owned();
        out.push((key, value));
    }
    Ok(out)
}

fn xml_error(s: &str, reader: &Reader<&[u8]>, e: quick_xml::Error) -> ReadError {
    err(
        place(s, reader.error_position()),
        format!("the XML cannot be read: {e}"),
    )
}

/// Text of a general reference (`&amp;`, `&#233;`).
fn reference(r: &quick_xml::events::BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    match r.decode().as_deref() {
        Ok("amp") => "&".into(),
        Ok("lt") => "<".into(),
        Ok("gt") => ">".into(),
        Ok("quot") => "\"".into(),
        Ok("apos") => "'".into(),
        _ => String::new(),
    }
}

/// `<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" …><dataValue … /></dataValueSet>`.
pub fn xml(bytes: &[u8]) -> Result<DataValueSet, ReadError> {
    let s = text(bytes)?;
    let mut reader = Reader::from_str(s);
    let mut set = DataValueSet::default();
    let mut root = false;
    let mut n = 0;
    loop {
        let ev = reader.read_event().map_err(|e| xml_error(s, &reader, e))?;
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_vec();
                let attrs = attributes(&e, &reader, s)?;
                match name.as_slice() {
                    b"dataValueSet" => {
                        root = true;
                        for (k, v) in attrs {
                            match k.as_str() {
                                "dataSet" => set.data_set = v,
                                "completeDate" => set.complete_date = v,
                                "period" => set.period = v,
                                "orgUnit" => set.org_unit = v,
                                "attributeOptionCombo" => set.attribute_option_combo = v,
                                k if k.to_ascii_lowercase().ends_with("idscheme") => {
                                    set.schemes.push((k.to_string(), v))
                                }
                                _ => {}
                            }
                        }
                    }
                    b"dataValue" if root => {
                        n += 1;
                        let mut dv = DataValue::default();
                        for (k, v) in attrs {
                            match k.as_str() {
                                "dataElement" => dv.data_element = v,
                                "period" => dv.period = v,
                                "orgUnit" => dv.org_unit = v,
                                "categoryOptionCombo" => dv.category_option_combo = v,
                                "attributeOptionCombo" => dv.attribute_option_combo = v,
                                "value" => dv.value = v,
                                "storedBy" => dv.stored_by = v,
                                "created" => dv.created = v,
                                "lastUpdated" => dv.last_updated = v,
                                "comment" => dv.comment = v,
                                "followup" | "followUp" => dv.followup = v == "true",
                                _ => {}
                            }
                        }
                        set.values.push(Incoming {
                            at: format!("dataValue {n}"),
                            value: dv,
                            categories: Vec::new(),
                        });
                    }
                    _ if !root => {
                        return Err(err(
                            place(s, reader.buffer_position()),
                            format!(
                                "the root element is <{}>: send a <dataValueSet xmlns=\"http://dhis2.org/schema/dxf/2.0\">",
                                String::from_utf8_lossy(&name)
                            ),
                        ))
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root {
        return Err(err("body", "there is no <dataValueSet> element"));
    }
    Ok(set)
}

/// ADX: `<adx exported="…"><group orgUnit period dataSet …><dataValue dataElement value
/// CATEGORY="OPTION" …>[<annotation>…</annotation>]</dataValue></group></adx>`. Each value
/// takes its group's org unit, period (converted to a DHIS2 period id) and attribute
/// option combo.
pub fn adx(bytes: &[u8]) -> Result<DataValueSet, ReadError> {
    let s = text(bytes)?;
    let mut reader = Reader::from_str(s);
    let mut set = DataValueSet::default();
    let mut root = false;
    let mut group: Option<(String, String, String)> = None;
    let mut n = 0;
    let mut in_annotation = false;
    loop {
        let ev = reader.read_event().map_err(|e| xml_error(s, &reader, e))?;
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_vec();
                let here = place(s, reader.buffer_position());
                let attrs = attributes(&e, &reader, s)?;
                let get = |k: &str| {
                    attrs
                        .iter()
                        .find(|(a, _)| a == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                match name.as_slice() {
                    b"adx" => {
                        root = true;
                        if get("exported").is_empty() {
                            return Err(err(
                                here,
                                "<adx> needs its exported attribute (a date and time)",
                            ));
                        }
                    }
                    b"group" if root => {
                        for k in ["orgUnit", "period", "dataSet"] {
                            if get(k).is_empty() {
                                return Err(err(here, format!("<group> needs {k}")));
                            }
                        }
                        let period = parse_adx_period(&get("period"))
                            .map_err(|m| err(here.clone(), m))?
                            .id();
                        if set.data_set.is_empty() {
                            set.data_set = get("dataSet");
                        }
                        group = Some((get("orgUnit"), period, get("attributeOptionCombo")));
                    }
                    b"dataValue" if root => {
                        let Some((ou, period, aoc)) = group.clone() else {
                            return Err(err(here, "<dataValue> must be inside a <group>"));
                        };
                        n += 1;
                        if get("dataElement").is_empty() {
                            return Err(err(here, "<dataValue> needs dataElement"));
                        }
                        let mut dv = DataValue {
                            org_unit: ou,
                            period,
                            attribute_option_combo: aoc,
                            ..Default::default()
                        };
                        let mut categories = Vec::new();
                        for (k, v) in attrs {
                            match k.as_str() {
                                "dataElement" => dv.data_element = v,
                                "value" => dv.value = v,
                                "categoryOptionCombo" => dv.category_option_combo = v,
                                _ => categories.push((k, v)),
                            }
                        }
                        set.values.push(Incoming {
                            at: format!("dataValue {n} ({here})"),
                            value: dv,
                            categories,
                        });
                        in_annotation = false;
                    }
                    b"annotation" if root => in_annotation = true,
                    _ if !root => {
                        return Err(err(
                            here,
                            format!(
                            "the root element is <{}>: send <adx xmlns=\"urn:ihe:qrph:adx:2015\">",
                            String::from_utf8_lossy(&name)
                        ),
                        ))
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_annotation => {
                if let (Some(last), Ok(t)) = (set.values.last_mut(), t.xml10_content()) {
                    last.value.comment.push_str(&t);
                }
            }
            Event::GeneralRef(r) if in_annotation => {
                if let Some(last) = set.values.last_mut() {
                    last.value.comment.push_str(&reference(&r));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"annotation" => in_annotation = false,
                b"group" => group = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !root {
        return Err(err("body", "there is no <adx> element"));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dhis2::write;

    fn sample() -> Vec<DataValue> {
        vec![
            DataValue {
                data_element: "DE_1".into(),
                period: "2026Q4".into(),
                org_unit: "023".into(),
                category_option_combo: "default".into(),
                value: "12".into(),
                comment: "a <b> & \"c\"".into(),
                ..Default::default()
            },
            DataValue {
                data_element: "DE_2".into(),
                period: "2026Q3".into(),
                org_unit: "040".into(),
                category_option_combo: "FMLE".into(),
                attribute_option_combo: "LBP".into(),
                value: "3.5".into(),
                ..Default::default()
            },
        ]
    }

    fn values(set: &DataValueSet) -> Vec<DataValue> {
        set.values.iter().map(|i| i.value.clone()).collect()
    }

    #[test]
    fn json_xml_and_csv_read_back_what_was_written() {
        let v = sample();
        assert_eq!(values(&json(write::json(&v).as_bytes()).unwrap()), v);
        assert_eq!(
            values(&xml(write::xml(&v, Some("note")).as_bytes()).unwrap()),
            v
        );
        let back = values(&csv(write::csv(&v).as_bytes()).unwrap());
        assert_eq!(back, v);
    }

    #[test]
    fn set_level_attributes_and_schemes_are_kept() {
        let s = json(br#"{"dataSet":"LBP","period":"2026Q4","orgUnit":"023","dataElementIdScheme":"CODE","dataValues":[{"dataElement":"X","value":4}]}"#).unwrap();
        assert_eq!(s.data_set, "LBP");
        assert_eq!(s.period, "2026Q4");
        assert_eq!(
            s.schemes,
            vec![("dataElementIdScheme".to_string(), "CODE".to_string())]
        );
        assert_eq!(s.values[0].value.value, "4");
    }

    #[test]
    fn adx_reads_groups_categories_and_annotations() {
        let text = r#"<?xml version="1.0"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-12-01T10:00:00Z">
  <group orgUnit="023" period="2026-10-01/P3M" dataSet="LBP">
    <dataValue dataElement="DE_1" SEX="FMLE" value="3"><annotation>rain &amp; mud</annotation></dataValue>
    <dataValue dataElement="DE_1" value="7"/>
  </group>
</adx>"#;
        let s = adx(text.as_bytes()).unwrap();
        assert_eq!(s.values.len(), 2);
        assert_eq!(s.values[0].value.period, "2026Q4");
        assert_eq!(s.values[0].value.org_unit, "023");
        assert_eq!(
            s.values[0].categories,
            vec![("SEX".to_string(), "FMLE".to_string())]
        );
        assert_eq!(s.values[0].value.comment, "rain & mud");
        assert_eq!(s.values[1].value.value, "7");
    }

    #[test]
    fn what_cannot_be_read_says_where() {
        let e = json(b"{\n \"dataValues\": [\n  {\"dataElement\": }\n]}").unwrap_err();
        assert!(e.at.starts_with("line 3"), "{e}");
        let e = xml(b"<dataValueSet>\n<dataValue value=\"1\">\n</dataValueSet>").unwrap_err();
        assert!(e.at.starts_with("line 3"), "{e}");
        let e = csv(b"dataelement,period,orgunit\nDE,,023\n").unwrap_err();
        assert_eq!(e.at, "line 2, column 2 (period)");
        let e = adx(
            b"<adx exported=\"x\"><group orgUnit=\"1\" period=\"2026Q4\" dataSet=\"D\"/></adx>",
        )
        .unwrap_err();
        assert!(e.message.contains("ADX period"), "{e}");
        assert!(json(b"").is_err());
        assert!(xml(b"<other/>").is_err());
    }
}
