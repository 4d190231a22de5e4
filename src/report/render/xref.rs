//! The cross-reference stream, compressed. lopdf writes it raw: seven bytes for
//! every object, and a tagged report has an object for every table cell, so a
//! 100-page report carried 50 KB of it. With the PNG "up" predictor (each entry
//! written as its difference from the one before) and deflate it takes a tenth of
//! that. The stream is the file's last object, so nothing before it moves.

use std::io::Write;

/// `file` (a whole PDF as lopdf saved it) with its cross-reference stream deflated;
/// Err says what in the file was not as lopdf writes it.
pub(crate) fn compress_xref_stream(file: &[u8], level: u32) -> Result<Vec<u8>, String> {
    let at = rfind(file, b"startxref").ok_or("no startxref")?;
    let offset: usize = std::str::from_utf8(&file[at + b"startxref".len()..])
        .ok()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .ok_or("no offset after startxref")?;
    let object = file
        .get(offset..at)
        .ok_or("startxref points outside the file")?;
    let dict_start = find(object, b"<<").ok_or("no dictionary at startxref")?;
    let dict_end = find(object, b">>stream").ok_or("no stream at startxref")?;
    let dict = std::str::from_utf8(&object[dict_start + 2..dict_end])
        .map_err(|_| "the dictionary is not text")?;
    if !dict.contains("/Type/XRef") {
        return Err("startxref does not point at a cross-reference stream".into());
    }
    if dict.contains("/Filter") {
        return Ok(file.to_vec());
    }
    let length = number_after(dict, "/Length ").ok_or("no /Length")?;
    let columns: usize = list_after(dict, "/W[").ok_or("no /W")?.iter().sum();
    let data_start = dict_end + b">>stream".len();
    // The stream keyword is followed by an end of line, CRLF or LF.
    let data_start = data_start
        + match &object[data_start..] {
            [b'\r', b'\n', ..] => 2,
            [b'\n', ..] => 1,
            _ => return Err("no end of line after stream".into()),
        };
    let data = object
        .get(data_start..data_start + length)
        .ok_or("the stream is shorter than its /Length")?;
    if columns == 0 || data.len() % columns != 0 {
        return Err("the stream is not whole entries".into());
    }
    let mut predicted = Vec::with_capacity(data.len() + data.len() / columns);
    let mut above = vec![0u8; columns];
    for row in data.chunks(columns) {
        predicted.push(2); // PNG "up"
        predicted.extend(row.iter().zip(&above).map(|(b, a)| b.wrapping_sub(*a)));
        above.copy_from_slice(row);
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder
        .write_all(&predicted)
        .map_err(|e| format!("compressing: {e}"))?;
    let deflated = encoder.finish().map_err(|e| format!("compressing: {e}"))?;
    let kept = dict.replacen(
        &format!("/Length {length}"),
        &format!(
            "/Length {}/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns {columns}>>",
            deflated.len()
        ),
        1,
    );
    let mut out = Vec::with_capacity(offset + deflated.len() + 400);
    out.extend_from_slice(&file[..offset + dict_start]);
    out.extend_from_slice(b"<<");
    out.extend_from_slice(kept.as_bytes());
    out.extend_from_slice(b">>stream\n");
    out.extend_from_slice(&deflated);
    out.extend_from_slice(b"\nendstream\nendobj\nstartxref\n");
    out.extend_from_slice(offset.to_string().as_bytes());
    out.extend_from_slice(b"\n%%EOF\n");
    Ok(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn number_after(dict: &str, key: &str) -> Option<usize> {
    let rest = &dict[dict.find(key)? + key.len()..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn list_after(dict: &str, key: &str) -> Option<Vec<usize>> {
    let rest = &dict[dict.find(key)? + key.len()..];
    rest[..rest.find(']')?]
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn sample() -> Vec<u8> {
        let mut doc = lopdf::Document::with_version("1.5");
        let pages = doc.new_object_id();
        let mut ids = Vec::new();
        for i in 0..300 {
            ids.push(doc.add_object(dictionary! { "N" => i }));
        }
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages,
            "MediaBox" => vec![0.into(), 0.into(), 10.into(), 10.into()],
        });
        doc.objects.insert(
            pages,
            lopdf::Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        let options = lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .build();
        let mut out = Vec::new();
        doc.save_with_options(&mut out, options).unwrap();
        out
    }

    #[test]
    fn the_compressed_file_reads_back_the_same_objects() {
        let raw = sample();
        let small = compress_xref_stream(&raw, 5).unwrap();
        assert!(small.len() < raw.len(), "{} < {}", small.len(), raw.len());
        let before = lopdf::Document::load_mem(&raw).unwrap();
        let after = lopdf::Document::load_mem(&small).unwrap();
        assert_eq!(before.objects.len(), after.objects.len());
        let is_xref = |o: &lopdf::Object| {
            o.as_stream()
                .is_ok_and(|s| s.dict.get(b"Type").ok() == Some(&"XRef".into()))
        };
        for (id, object) in before.objects.iter().filter(|(_, o)| !is_xref(o)) {
            assert_eq!(after.objects.get(id), Some(object), "{id:?}");
        }
        // Compressing again changes nothing.
        assert_eq!(compress_xref_stream(&small, 5).unwrap(), small);
    }

    #[test]
    fn a_file_without_a_cross_reference_stream_is_refused() {
        assert!(compress_xref_stream(b"%PDF-1.4\ntrailer<<>>\nstartxref\n9\n%%EOF", 5).is_err());
        assert!(compress_xref_stream(b"%PDF-1.4", 5).is_err());
    }
}
