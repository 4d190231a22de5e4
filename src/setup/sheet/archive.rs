//! Looking at an uploaded file before a spreadsheet library touches it: is it an .xlsx
//! workbook at all (and if not, what it seems to be), and would opening it stay within
//! bounded memory? An .xlsx file is a zip archive; its central directory lists every
//! part with its sizes, which is read here by hand, without allocating per entry, and
//! then every part is inflated into nothing to count its real size (a zip bomb may
//! declare small sizes and inflate to gigabytes).

use std::io::Read;

/// The largest file read: the web upload limit.
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// Parts in the archive: a workbook of a few dozen sheets has well under a hundred.
pub const MAX_ENTRIES: usize = 2_000;
/// Inflated size of all parts together (the XML a logframe of 100 indicators with
/// county milestones is a few megabytes).
pub const MAX_UNCOMPRESSED: u64 = 96 << 20;

const EOCD: [u8; 4] = *b"PK\x05\x06";
const EOCD64: [u8; 4] = *b"PK\x06\x06";
const EOCD64_LOCATOR: [u8; 4] = *b"PK\x06\x07";
const CENTRAL: [u8; 4] = *b"PK\x01\x02";
const LOCAL: [u8; 4] = *b"PK\x03\x04";

const NOT_XLSX: &str =
    "save it in Excel or LibreOffice as “Excel Workbook (.xlsx)” and upload that";

fn mib(n: u64) -> String {
    format!("{} MB", n >> 20)
}

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 2)
        .map(|s| u64::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 4)
        .map(|s| u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).map(|s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

/// What a file that is not a zip archive seems to be, in words a person can act on.
fn not_a_zip(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "the file is empty".into();
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return format!("this is an Excel 97–2003 workbook (.xls) or a password-protected file, which cannot be read; {NOT_XLSX} (without a password)");
    }
    if bytes.starts_with(b"%PDF") {
        return format!("this is a PDF document, not a spreadsheet; {NOT_XLSX}");
    }
    let head = &bytes[..bytes.len().min(4096)];
    let text = std::str::from_utf8(head).is_ok()
        || head
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || *b >= 0x80);
    if text {
        let s = String::from_utf8_lossy(head).to_ascii_lowercase();
        if s.contains("<html") || s.contains("<table") {
            return format!("this is a web page (HTML), not a spreadsheet; {NOT_XLSX}");
        }
        if s.contains("<?xml") {
            return format!("this is an XML file (perhaps “XML Spreadsheet 2003”), not an .xlsx workbook; {NOT_XLSX}");
        }
        return format!(
            "this is a text or CSV file, not an .xlsx workbook; open it and {NOT_XLSX}"
        );
    }
    format!("this file is not an .xlsx workbook (an .xlsx file is a zip archive, and this one is not); {NOT_XLSX}")
}

struct Entry {
    name: String,
    method: u64,
    compressed: u64,
    uncompressed: u64,
    local_offset: u64,
    flags: u64,
}

/// Checks that `bytes` are an .xlsx workbook that opens within the limits above; the
/// error says what the file is instead, or which limit it passes.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {}; a logframe workbook may be at most {}",
            mib(bytes.len() as u64),
            mib(MAX_FILE_BYTES as u64)
        ));
    }
    if !bytes.starts_with(&LOCAL) && !bytes.starts_with(&EOCD) {
        return Err(not_a_zip(bytes));
    }
    let damaged = |what: &str| format!("the file is damaged ({what}); if it opens, {NOT_XLSX}");
    // The end-of-central-directory record: the last 22 bytes, or up to 64 KiB earlier
    // when the archive has a comment.
    let search_from = bytes.len().saturating_sub(22 + 0xFFFF);
    let eocd = (search_from..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&i| bytes[i..i + 4] == EOCD)
        .ok_or_else(|| {
            damaged("it looks like a zip archive but has no directory; it may be cut short")
        })?;
    let mut count = u16_at(bytes, eocd + 10).unwrap_or(0);
    let mut cd_size = u32_at(bytes, eocd + 12).unwrap_or(0);
    let mut cd_offset = u32_at(bytes, eocd + 16).unwrap_or(0);
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        // ZIP64: the real numbers are in the ZIP64 record the locator points to.
        let locator = eocd
            .checked_sub(20)
            .filter(|&l| bytes[l..l + 4] == EOCD64_LOCATOR)
            .ok_or_else(|| damaged("its ZIP64 directory is missing"))?;
        let at = u64_at(bytes, locator + 8).unwrap_or(u64::MAX) as usize;
        if bytes.get(at..at + 4) != Some(&EOCD64) {
            return Err(damaged("its ZIP64 directory is missing"));
        }
        count = u64_at(bytes, at + 32).unwrap_or(u64::MAX);
        cd_size = u64_at(bytes, at + 40).unwrap_or(u64::MAX);
        cd_offset = u64_at(bytes, at + 48).unwrap_or(u64::MAX);
    }
    if count > MAX_ENTRIES as u64 {
        return Err(format!(
            "the archive holds {count} parts; a workbook has far fewer (at most {MAX_ENTRIES} are read), so this is not a logframe workbook"
        ));
    }
    let cd_end = cd_offset.saturating_add(cd_size);
    if cd_end > bytes.len() as u64 {
        return Err(damaged("its directory points past the end of the file"));
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(count as usize);
    let mut at = cd_offset as usize;
    for _ in 0..count {
        if bytes.get(at..at + 4) != Some(&CENTRAL) {
            return Err(damaged("its directory is broken"));
        }
        let field = |off: usize, w: usize| {
            if w == 2 {
                u16_at(bytes, at + off)
            } else {
                u32_at(bytes, at + off)
            }
        };
        let (Some(flags), Some(method), Some(mut compressed), Some(mut uncompressed)) =
            (field(8, 2), field(10, 2), field(20, 4), field(24, 4))
        else {
            return Err(damaged("its directory is cut short"));
        };
        let (Some(name_len), Some(extra_len), Some(comment_len), Some(mut local_offset)) =
            (field(28, 2), field(30, 2), field(32, 2), field(42, 4))
        else {
            return Err(damaged("its directory is cut short"));
        };
        let name_at = at + 46;
        let extra_at = name_at + name_len as usize;
        let next = extra_at + extra_len as usize + comment_len as usize;
        let Some(name) = bytes.get(name_at..extra_at) else {
            return Err(damaged("its directory is cut short"));
        };
        // ZIP64 sizes: in the extra field, in this order, for each one that overflowed.
        let mut x = extra_at;
        while x + 4 <= extra_at + extra_len as usize {
            let (Some(id), Some(len)) = (u16_at(bytes, x), u16_at(bytes, x + 2)) else {
                break;
            };
            if id == 1 {
                let mut v = x + 4;
                for slot in [&mut uncompressed, &mut compressed, &mut local_offset] {
                    if *slot == 0xFFFF_FFFF {
                        *slot = u64_at(bytes, v).unwrap_or(u64::MAX);
                        v += 8;
                    }
                }
            }
            x += 4 + len as usize;
        }
        entries.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method,
            compressed,
            uncompressed,
            local_offset,
            flags,
        });
        at = next;
    }
    let has = |n: &str| entries.iter().any(|e| e.name.eq_ignore_ascii_case(n));
    if !has("xl/workbook.xml") {
        return Err(if has("word/document.xml") {
            format!("this is a Word document (.docx), not a spreadsheet, even if its name ends in .xlsx; {NOT_XLSX}")
        } else if has("ppt/presentation.xml") {
            format!("this is a PowerPoint presentation (.pptx), not a spreadsheet; {NOT_XLSX}")
        } else if has("xl/workbook.bin") {
            format!("this is an Excel binary workbook (.xlsb); {NOT_XLSX}")
        } else if has("content.xml") && has("mimetype") {
            format!(
                "this is an OpenDocument file (.ods or .odt), not an .xlsx workbook; {NOT_XLSX}"
            )
        } else {
            format!("this is a zip archive, not an Excel workbook; {NOT_XLSX}")
        });
    }
    let declared: u64 = entries
        .iter()
        .map(|e| e.uncompressed)
        .fold(0u64, u64::saturating_add);
    if declared > MAX_UNCOMPRESSED {
        return Err(too_big(declared, false));
    }
    // Inflate every part into nothing, counting: the declared sizes may lie.
    let mut total: u64 = 0;
    for e in &entries {
        if e.flags & 1 == 1 {
            return Err(format!(
                "the workbook is encrypted (password-protected); {NOT_XLSX} without a password"
            ));
        }
        let lo = e.local_offset as usize;
        if bytes.get(lo..lo + 4) != Some(&LOCAL) {
            return Err(damaged("a part is missing"));
        }
        let (Some(n), Some(m)) = (u16_at(bytes, lo + 26), u16_at(bytes, lo + 28)) else {
            return Err(damaged("a part is cut short"));
        };
        let data_at = lo + 30 + n as usize + m as usize;
        let data = data_at
            .checked_add(e.compressed as usize)
            .and_then(|end| bytes.get(data_at..end))
            .ok_or_else(|| damaged("a part is cut short"))?;
        let room = MAX_UNCOMPRESSED - total;
        let size = match e.method {
            0 => data.len() as u64,
            8 => {
                let mut inflated = flate2::read::DeflateDecoder::new(data).take(room + 1);
                std::io::copy(&mut inflated, &mut std::io::sink())
                    .map_err(|_| damaged(&format!("the part {} cannot be unpacked", e.name)))?
            }
            other => {
                return Err(format!(
                    "the part {} is packed with a method (zip method {other}) that Excel does not use; {NOT_XLSX}",
                    e.name
                ))
            }
        };
        total = total.saturating_add(size);
        if total > MAX_UNCOMPRESSED {
            return Err(too_big(declared, true));
        }
    }
    Ok(())
}

fn too_big(declared: u64, inflated: bool) -> String {
    let size = |n: u64| {
        if n < 1 << 20 {
            format!("{} KB", n.div_ceil(1024))
        } else {
            mib(n)
        }
    };
    if inflated {
        format!(
            "the workbook unpacks to more than {} although its directory declares {}: it is not read (a file made to exhaust the server's memory looks like this)",
            mib(MAX_UNCOMPRESSED),
            size(declared)
        )
    } else {
        format!(
            "the workbook would unpack to {}; a logframe workbook unpacks to at most {}, so it is not read",
            size(declared),
            mib(MAX_UNCOMPRESSED)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip archive of (name, stored bytes, method, declared size) written by hand.
    pub fn zip(parts: &[(&str, Vec<u8>, u16, u32)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data, method, declared) in parts {
            let offset = out.len() as u32;
            let header = |sig: &[u8], central: bool| {
                let mut h = sig.to_vec();
                if central {
                    h.extend(20u16.to_le_bytes());
                }
                h.extend(20u16.to_le_bytes());
                h.extend(0u16.to_le_bytes());
                h.extend(method.to_le_bytes());
                h.extend([0u8; 8]); // time, date, crc
                h.extend((data.len() as u32).to_le_bytes());
                h.extend(declared.to_le_bytes());
                h.extend((name.len() as u16).to_le_bytes());
                h.extend(0u16.to_le_bytes());
                if central {
                    // Comment length, disk, internal and external attributes.
                    h.extend([0u8; 10]);
                    h.extend(offset.to_le_bytes());
                }
                h.extend(name.as_bytes());
                h
            };
            let local = header(&LOCAL, false);
            central.extend(header(&CENTRAL, true));
            out.extend(local);
            out.extend(data);
        }
        let cd_offset = out.len() as u32;
        out.extend(&central);
        out.extend(EOCD);
        out.extend([0u8; 4]);
        out.extend((parts.len() as u16).to_le_bytes());
        out.extend((parts.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    /// `mb` megabytes of zeros, deflated (about a thousandth of that).
    fn deflated_zeros(mb: usize) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..mb {
            e.write_all(&chunk).unwrap();
        }
        e.finish().unwrap()
    }

    #[test]
    fn files_that_are_not_workbooks_are_named() {
        assert!(check(b"").unwrap_err().contains("empty"));
        assert!(check(b"code,title\nLBP-1,Posts\n")
            .unwrap_err()
            .contains("CSV"));
        assert!(
            check(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0])
                .unwrap_err()
                .contains(".xls")
        );
        assert!(check(&[0x00, 0xFF, 0x13, 0x37, 0x00, 0x01])
            .unwrap_err()
            .contains("not an .xlsx"));
        let docx = zip(&[("word/document.xml", b"<w/>".to_vec(), 0, 4)]);
        assert!(check(&docx).unwrap_err().contains("Word document"));
        let other = zip(&[("notes.txt", b"hello".to_vec(), 0, 5)]);
        assert!(check(&other)
            .unwrap_err()
            .contains("zip archive, not an Excel workbook"));
        let ok = zip(&[("xl/workbook.xml", b"<workbook/>".to_vec(), 0, 11)]);
        assert_eq!(check(&ok), Ok(()));
    }

    #[test]
    fn a_zip_bomb_is_refused_whatever_it_declares() {
        // 128 MB of zeros deflate to about 128 KB; the entry declares 1 KB.
        let packed = deflated_zeros(128);
        let bomb = zip(&[
            ("xl/workbook.xml", b"<workbook/>".to_vec(), 0, 11),
            ("xl/sharedStrings.xml", packed.clone(), 8, 1024),
        ]);
        let e = check(&bomb).unwrap_err();
        assert!(
            e.contains("unpacks to more than 96 MB although its directory declares 2 KB"),
            "{e}"
        );
        // Declaring the real size is refused before anything is inflated.
        let honest = zip(&[
            ("xl/workbook.xml", b"<workbook/>".to_vec(), 0, 11),
            ("xl/sharedStrings.xml", packed, 8, 128 << 20),
        ]);
        assert!(check(&honest)
            .unwrap_err()
            .contains("would unpack to 128 MB"));
    }

    #[test]
    fn too_many_parts_or_a_cut_file_are_refused() {
        let many: Vec<(String, Vec<u8>, u16, u32)> = (0..=MAX_ENTRIES)
            .map(|i| (format!("xl/p{i}.xml"), Vec::new(), 0, 0))
            .collect();
        let parts: Vec<(&str, Vec<u8>, u16, u32)> = many
            .iter()
            .map(|(n, d, m, s)| (n.as_str(), d.clone(), *m, *s))
            .collect();
        assert!(check(&zip(&parts)).unwrap_err().contains("parts"));
        let ok = zip(&[("xl/workbook.xml", b"<workbook/>".to_vec(), 0, 11)]);
        assert!(check(&ok[..ok.len() - 30]).unwrap_err().contains("damaged"));
    }
}
