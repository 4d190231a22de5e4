//! Evidence files: what a file is, judged from its bytes (never its name), the name it
//! is kept under, and how its size and name are shown. Pure: no database, no HTTP.

use std::fmt;

/// A kind of file the tracker keeps as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Ods,
    Odp,
    Doc,
    Xls,
    Ppt,
    Csv,
    Text,
}

impl FileKind {
    pub const ALL: [FileKind; 16] = [
        FileKind::Pdf,
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Gif,
        FileKind::Webp,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Pptx,
        FileKind::Odt,
        FileKind::Ods,
        FileKind::Odp,
        FileKind::Doc,
        FileKind::Xls,
        FileKind::Ppt,
        FileKind::Csv,
        FileKind::Text,
    ];

    /// The Content-Type it is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileKind::Odt => "application/vnd.oasis.opendocument.text",
            FileKind::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FileKind::Odp => "application/vnd.oasis.opendocument.presentation",
            FileKind::Doc => "application/msword",
            FileKind::Xls => "application/vnd.ms-excel",
            FileKind::Ppt => "application/vnd.ms-powerpoint",
            FileKind::Csv => "text/csv; charset=utf-8",
            FileKind::Text => "text/plain; charset=utf-8",
        }
    }

    pub fn from_media_type(s: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.media_type() == s)
    }

    /// What people call it, for lists and messages.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Png => "PNG image",
            FileKind::Jpeg => "JPEG image",
            FileKind::Gif => "GIF image",
            FileKind::Webp => "WebP image",
            FileKind::Docx => "Word document",
            FileKind::Xlsx => "Excel workbook",
            FileKind::Pptx => "PowerPoint presentation",
            FileKind::Odt => "OpenDocument text",
            FileKind::Ods => "OpenDocument spreadsheet",
            FileKind::Odp => "OpenDocument presentation",
            FileKind::Doc => "Word 97–2003 document",
            FileKind::Xls => "Excel 97–2003 workbook",
            FileKind::Ppt => "PowerPoint 97–2003 presentation",
            FileKind::Csv => "CSV",
            FileKind::Text => "Plain text",
        }
    }

    /// Name endings that agree with the kind; the first is the one given to a name
    /// that has none of them.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            FileKind::Gif => &["gif"],
            FileKind::Webp => &["webp"],
            FileKind::Docx => &["docx", "docm"],
            FileKind::Xlsx => &["xlsx", "xlsm"],
            FileKind::Pptx => &["pptx", "pptm"],
            FileKind::Odt => &["odt"],
            FileKind::Ods => &["ods"],
            FileKind::Odp => &["odp"],
            FileKind::Doc => &["doc", "dot"],
            FileKind::Xls => &["xls", "xlt"],
            FileKind::Ppt => &["ppt", "pps"],
            FileKind::Csv => &["csv"],
            FileKind::Text => &["txt", "text", "md", "tsv", "log"],
        }
    }
}

/// What is accepted, for the upload form and messages.
pub const ACCEPTED: &str =
    "PDF, PNG, JPEG, GIF or WebP images, Word, Excel or PowerPoint files (including 97–2003), \
     OpenDocument files, CSV or plain text";

/// Why a file is not kept. Each says what is wrong in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge { size: u64, max: u64 },
    Executable(&'static str),
    Unknown,
    OtherZip,
    OtherOle,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Empty => write!(
                f,
                "the file is empty (0 bytes): choose the file again, it may not have finished saving"
            ),
            Refusal::TooLarge { size, max } => write!(
                f,
                "the file is {} ({size} bytes), larger than the {} an evidence file may be: reduce \
                 it (for example scan at a lower resolution or save as PDF) or split it into parts",
                size_label(*size),
                size_label(*max)
            ),
            Refusal::Executable(what) => write!(
                f,
                "the file is {what}, whatever its name says; programs and scripts are never kept \
                 as evidence. Attach the document itself ({ACCEPTED})"
            ),
            Refusal::Unknown => write!(
                f,
                "the file's content is not one of the kinds kept as evidence ({ACCEPTED}); save or \
                 export it as one of these and attach it again"
            ),
            Refusal::OtherZip => write!(
                f,
                "the file is a ZIP archive, not a Word, Excel, PowerPoint or OpenDocument file; \
                 attach the documents inside it one by one"
            ),
            Refusal::OtherOle => write!(
                f,
                "the file is an old-style Microsoft container that is not a Word, Excel or \
                 PowerPoint file (it may be an installer); attach the document itself"
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// The kind of a file from its content, or why it is refused. `max` is the size limit
/// in bytes.
pub fn check(bytes: &[u8], max: u64) -> Result<FileKind, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() as u64 > max {
        return Err(Refusal::TooLarge {
            size: bytes.len() as u64,
            max,
        });
    }
    sniff(bytes)
}

/// The kind of a (non-empty) file from its first bytes and, for containers, what they
/// hold.
pub fn sniff(b: &[u8]) -> Result<FileKind, Refusal> {
    if let Some(what) = executable(b) {
        return Err(Refusal::Executable(what));
    }
    let starts = |sig: &[u8]| b.starts_with(sig);
    if starts(b"%PDF-") {
        return Ok(FileKind::Pdf);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(FileKind::Png);
    }
    if starts(b"\xff\xd8\xff") {
        return Ok(FileKind::Jpeg);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Ok(FileKind::Gif);
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Ok(FileKind::Webp);
    }
    if starts(b"PK\x03\x04") {
        return zip_kind(b);
    }
    if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return ole_kind(b);
    }
    // Text: valid UTF-8 (a byte-order mark allowed) with no NUL byte.
    let text = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b);
    if !text.contains(&0) {
        if let Ok(s) = std::str::from_utf8(text) {
            return Ok(if looks_like_csv(s) {
                FileKind::Csv
            } else {
                FileKind::Text
            });
        }
    }
    Err(Refusal::Unknown)
}

/// Programs of the common platforms and scripts, by their first bytes.
fn executable(b: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| b.starts_with(sig);
    if starts(b"\x7fELF") {
        Some("a Linux program (ELF)")
    } else if starts(b"MZ") {
        Some("a Windows program (MZ/PE)")
    } else if starts(&[0xfe, 0xed, 0xfa, 0xce])
        || starts(&[0xfe, 0xed, 0xfa, 0xcf])
        || starts(&[0xce, 0xfa, 0xed, 0xfe])
        || starts(&[0xcf, 0xfa, 0xed, 0xfe])
        || starts(&[0xca, 0xfe, 0xba, 0xbe])
    {
        Some("a macOS program (Mach-O)")
    } else if starts(b"#!") || starts(b"\xef\xbb\xbf#!") {
        Some("a script (it starts with #!)")
    } else {
        None
    }
}

/// Office Open XML and OpenDocument files are ZIP archives; which one is read from the
/// names inside. Any other ZIP is refused.
fn zip_kind(b: &[u8]) -> Result<FileKind, Refusal> {
    // OpenDocument: the first entry is "mimetype", stored, holding the media type.
    if b.len() > 38 && &b[30..38] == b"mimetype" {
        let rest = &b[38..b.len().min(38 + 80)];
        for kind in [FileKind::Odt, FileKind::Ods, FileKind::Odp] {
            if rest.starts_with(kind.media_type().as_bytes()) {
                return Ok(kind);
            }
        }
    }
    let has = |name: &[u8]| b.windows(name.len()).any(|w| w == name);
    if has(b"[Content_Types].xml") {
        if has(b"word/document") || has(b"word/_rels") {
            return Ok(FileKind::Docx);
        }
        if has(b"xl/workbook") || has(b"xl/_rels") {
            return Ok(FileKind::Xlsx);
        }
        if has(b"ppt/presentation") || has(b"ppt/_rels") {
            return Ok(FileKind::Pptx);
        }
    }
    Err(Refusal::OtherZip)
}

/// Legacy Office files are OLE compound files; the stream names (UTF-16) tell Word,
/// Excel and PowerPoint apart. Installers (MSI) and others are refused.
fn ole_kind(b: &[u8]) -> Result<FileKind, Refusal> {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect() };
    let has = |name: &str| {
        let n = utf16(name);
        b.windows(n.len()).any(|w| w == n.as_slice())
    };
    if has("WordDocument") {
        Ok(FileKind::Doc)
    } else if has("Workbook") || has("Book") {
        Ok(FileKind::Xls)
    } else if has("PowerPoint Document") {
        Ok(FileKind::Ppt)
    } else {
        Err(Refusal::OtherOle)
    }
}

/// A text whose first lines have the same number (more than one) of commas or
/// semicolons reads as CSV.
fn looks_like_csv(s: &str) -> bool {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).take(5).collect();
    if lines.is_empty() {
        return false;
    }
    [',', ';'].iter().any(|sep| {
        let n = lines[0].matches(*sep).count();
        n > 0 && lines.iter().all(|l| l.matches(*sep).count() == n)
    })
}

/// The longest name kept, in characters.
const NAME_MAX: usize = 150;

/// The name a file is kept under: the last part of what the browser sent (some send a
/// whole path), without control characters, cut to a sensible length, and ending in an
/// extension that agrees with its content — a wrong one is replaced, a missing one added.
pub fn stored_name(claimed: &str, kind: FileKind) -> String {
    let last = claimed
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    let mut name = last.trim().trim_matches('.').trim().to_string();
    if name.is_empty() {
        name = "evidence".into();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.trim().is_empty() && !e.is_empty() && e.len() <= 5 => {
            (s.trim().to_string(), Some(e.to_ascii_lowercase()))
        }
        _ => (name.clone(), None),
    };
    let agreed = ext
        .as_deref()
        .is_some_and(|e| kind.extensions().contains(&e));
    let known = ext.as_deref().is_some_and(|e| {
        FileKind::ALL.iter().any(|k| k.extensions().contains(&e)) || is_program_ext(e)
    });
    let (stem, ending) = if agreed {
        (stem, ext.unwrap_or_default())
    } else if known {
        (stem, kind.extensions()[0].to_string())
    } else {
        (name, kind.extensions()[0].to_string())
    };
    let room = NAME_MAX - ending.len() - 1;
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{ending}", stem.trim_end())
}

fn is_program_ext(e: &str) -> bool {
    matches!(
        e,
        "exe"
            | "dll"
            | "com"
            | "bat"
            | "cmd"
            | "sh"
            | "ps1"
            | "msi"
            | "bin"
            | "elf"
            | "app"
            | "js"
            | "vbs"
            | "html"
            | "htm"
            | "svg"
            | "zip"
    )
}

/// `Content-Disposition` for a download: `attachment` with an ASCII fallback name and
/// the exact name in RFC 5987 form, so no character of a name can break the header.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// "812 bytes", "14.2 KB", "3.4 MB" (1 KB = 1024 bytes, as file managers count).
pub fn size_label(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

/// The first 12 hex digits of a SHA-256, enough to tell files apart on a page.
pub fn short_hash(sha256: &str) -> &str {
    &sha256[..sha256.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut b = b"PK\x03\x04".to_vec();
        b.extend([0u8; 26]);
        for n in names {
            b.extend(n.as_bytes());
            b.extend(b"....");
        }
        b
    }

    #[test]
    fn documents_and_images_are_known_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok(FileKind::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0..JFIF"), Ok(FileKind::Jpeg));
        assert_eq!(sniff(b"GIF89a...."), Ok(FileKind::Gif));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Ok(FileKind::Webp));
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "word/document.xml"])),
            Ok(FileKind::Docx)
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])),
            Ok(FileKind::Xlsx)
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "ppt/presentation.xml"])),
            Ok(FileKind::Pptx)
        );
        let mut odt = b"PK\x03\x04".to_vec();
        odt.extend([0u8; 26]);
        odt.extend(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK");
        assert_eq!(sniff(&odt), Ok(FileKind::Ods));
        assert_eq!(sniff(&zip_with(&["photo.jpg"])), Err(Refusal::OtherZip));
        let mut xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
        xls.extend("Workbook".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(sniff(&xls), Ok(FileKind::Xls));
        assert_eq!(
            sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 nothing"),
            Err(Refusal::OtherOle)
        );
        assert_eq!(
            sniff(b"county,value\nTurkana,3\nWajir,4\n"),
            Ok(FileKind::Csv)
        );
        assert_eq!(
            sniff("Ripoti ya robo — Turkana\n".as_bytes()),
            Ok(FileKind::Text)
        );
        assert_eq!(sniff(b"abc\0def"), Err(Refusal::Unknown));
        assert_eq!(sniff(b"\xff\xfe\x00\x01garbage"), Err(Refusal::Unknown));
    }

    #[test]
    fn programs_are_refused_whatever_they_are_called() {
        for (bytes, word) in [
            (&b"\x7fELF\x02\x01\x01"[..], "ELF"),
            (&b"MZ\x90\0\x03"[..], "MZ"),
            (&[0xcf, 0xfa, 0xed, 0xfe, 7, 0][..], "Mach-O"),
            (&b"#!/bin/sh\nrm -rf /\n"[..], "#!"),
        ] {
            let e = check(bytes, 1000).unwrap_err();
            assert!(matches!(e, Refusal::Executable(_)), "{e:?}");
            assert!(e.to_string().contains(word), "{e}");
        }
    }

    #[test]
    fn empty_and_too_large_are_refused_with_the_sizes() {
        assert_eq!(check(b"", 10), Err(Refusal::Empty));
        let e = check(&[b'a'; 2048], 1024).unwrap_err();
        assert_eq!(
            e,
            Refusal::TooLarge {
                size: 2048,
                max: 1024
            }
        );
        assert!(
            e.to_string().contains("2.0 KB") && e.to_string().contains("1.0 KB"),
            "{e}"
        );
    }

    #[test]
    fn names_end_in_what_the_content_is() {
        assert_eq!(stored_name("report.pdf", FileKind::Pdf), "report.pdf");
        assert_eq!(
            stored_name("Scan.JPEG", FileKind::Jpeg),
            "Scan.JPEG".replace("JPEG", "jpeg")
        );
        assert_eq!(stored_name("photo.pdf", FileKind::Png), "photo.png");
        assert_eq!(stored_name("notes", FileKind::Text), "notes.txt");
        assert_eq!(
            stored_name("minutes v1.2 final", FileKind::Docx),
            "minutes v1.2 final.docx"
        );
        assert_eq!(
            stored_name("C:\\fakepath\\list.csv", FileKind::Csv),
            "list.csv"
        );
        assert_eq!(
            stored_name("../../etc/passwd", FileKind::Text),
            "passwd.txt"
        );
        assert_eq!(stored_name("page.html", FileKind::Text), "page.txt");
        assert_eq!(stored_name("", FileKind::Pdf), "evidence.pdf");
        assert_eq!(stored_name("a\u{7}b\n.pdf", FileKind::Pdf), "ab.pdf");
        let long = format!("{}.pdf", "x".repeat(400));
        assert_eq!(stored_name(&long, FileKind::Pdf).chars().count(), NAME_MAX);
    }

    #[test]
    fn download_names_cannot_break_the_header() {
        let h = content_disposition("Ripoti \"ya\" robo — Turkana.pdf");
        assert!(
            h.starts_with("attachment; filename=\"Ripoti _ya_ robo _ Turkana.pdf\""),
            "{h}"
        );
        assert!(
            h.ends_with("filename*=UTF-8''Ripoti%20%22ya%22%20robo%20%E2%80%94%20Turkana.pdf"),
            "{h}"
        );
        assert!(!content_disposition("a\r\nSet-Cookie: x").contains('\n'));
    }

    #[test]
    fn sizes_read_as_people_count_them() {
        assert_eq!(size_label(812), "812 bytes");
        assert_eq!(size_label(14_540), "14.2 KB");
        assert_eq!(size_label(20 * 1024 * 1024), "20.0 MB");
    }
}
