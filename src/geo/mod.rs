//! Kenya's 47 counties as outlines, by official KNBS county code ("001" Mombasa …
//! "047" Nairobi City), for the county maps of the reports and the dashboard.
//!
//! The outlines come from `assets/geo/kenya-counties.svg` (MapSVG, CC BY 4.0; simplified
//! once by `assets/geo/simplify.py`), compiled in and parsed once. Paths are matched to
//! counties by the explicit table [`ID_CODES`], never by name: four of the file's names
//! differ from the official list.

pub mod achievement;
pub mod svg;

use std::sync::OnceLock;

/// The attribution every map must carry (CC BY 4.0).
pub const ATTRIBUTION: &str = "Map: MapSVG, CC BY 4.0";

/// The source file's coordinate box: x to the east, y to the south.
pub const VIEW_W: f32 = 458.0;
pub const VIEW_H: f32 = 580.0;

const SOURCE: &str = include_str!("../../assets/geo/kenya-counties.svg");

/// Each path id of the map file with its county's official KNBS code. The ids whose
/// county is named otherwise in the official list: `keiyo-marakwet` (Elgeyo-Marakwet),
/// `tharaka` (Tharaka-Nithi), `nairobi` (Nairobi City), `murang-a` (Murang'a).
pub const ID_CODES: [(&str, &str); 47] = [
    ("mombasa", "001"),
    ("kwale", "002"),
    ("kilifi", "003"),
    ("tana-river", "004"),
    ("lamu", "005"),
    ("taita-taveta", "006"),
    ("garissa", "007"),
    ("wajir", "008"),
    ("mandera", "009"),
    ("marsabit", "010"),
    ("isiolo", "011"),
    ("meru", "012"),
    ("tharaka", "013"),
    ("embu", "014"),
    ("kitui", "015"),
    ("machakos", "016"),
    ("makueni", "017"),
    ("nyandarua", "018"),
    ("nyeri", "019"),
    ("kirinyaga", "020"),
    ("murang-a", "021"),
    ("kiambu", "022"),
    ("turkana", "023"),
    ("west-pokot", "024"),
    ("samburu", "025"),
    ("trans-nzoia", "026"),
    ("uasin-gishu", "027"),
    ("keiyo-marakwet", "028"),
    ("nandi", "029"),
    ("baringo", "030"),
    ("laikipia", "031"),
    ("nakuru", "032"),
    ("narok", "033"),
    ("kajiado", "034"),
    ("kericho", "035"),
    ("bomet", "036"),
    ("kakamega", "037"),
    ("vihiga", "038"),
    ("bungoma", "039"),
    ("busia", "040"),
    ("siaya", "041"),
    ("kisumu", "042"),
    ("homa-bay", "043"),
    ("migori", "044"),
    ("kisii", "045"),
    ("nyamira", "046"),
    ("nairobi", "047"),
];

/// A closed ring of points in map units.
pub type Ring = Vec<(f32, f32)>;

/// One county's outline: its rings (the mainland and any islands).
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    /// The KNBS code, "001" to "047".
    pub code: &'static str,
    /// The path id in the map file.
    pub id: &'static str,
    pub rings: Vec<Ring>,
}

impl Outline {
    pub fn bounds(&self) -> Bounds {
        Bounds::of(self.rings.iter().flatten().copied())
    }
}

/// An axis-aligned box in map units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min_x: f32,
    pub min_y: f32,
    pub max_x: f32,
    pub max_y: f32,
}

impl Bounds {
    /// The box around `points` (an empty box at the origin for none).
    pub fn of(points: impl IntoIterator<Item = (f32, f32)>) -> Bounds {
        let mut b: Option<Bounds> = None;
        for (x, y) in points {
            let n = b.get_or_insert(Bounds {
                min_x: x,
                min_y: y,
                max_x: x,
                max_y: y,
            });
            n.min_x = n.min_x.min(x);
            n.min_y = n.min_y.min(y);
            n.max_x = n.max_x.max(x);
            n.max_y = n.max_y.max(y);
        }
        b.unwrap_or(Bounds {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 0.0,
            max_y: 0.0,
        })
    }

    pub fn width(&self) -> f32 {
        self.max_x - self.min_x
    }

    pub fn height(&self) -> f32 {
        self.max_y - self.min_y
    }

    pub fn centre(&self) -> (f32, f32) {
        (
            (self.min_x + self.max_x) / 2.0,
            (self.min_y + self.max_y) / 2.0,
        )
    }
}

/// The 47 outlines in code order, parsed on first use.
pub fn outlines() -> &'static [Outline] {
    static OUTLINES: OnceLock<Vec<Outline>> = OnceLock::new();
    OUTLINES.get_or_init(|| {
        // The file is compiled in and checked by the tests: a failure here is a
        // build that was never tested, not something a user can cause.
        parse(SOURCE).expect("the compiled-in county map parses")
    })
}

/// The outline of the county with this KNBS code.
pub fn outline(code: &str) -> Option<&'static Outline> {
    outlines().iter().find(|o| o.code == code)
}

/// The box around the whole country.
pub fn bounds() -> Bounds {
    static BOUNDS: OnceLock<Bounds> = OnceLock::new();
    *BOUNDS.get_or_init(|| {
        Bounds::of(
            outlines()
                .iter()
                .flat_map(|o| o.rings.iter().flatten().copied()),
        )
    })
}

/// Reads every `<path id="…" d="…">` of the map file into outlines, by [`ID_CODES`]
/// order. Every id of the table must be found exactly once, and no other.
fn parse(svg: &str) -> Result<Vec<Outline>, String> {
    let mut found: Vec<Option<Vec<Ring>>> = vec![None; ID_CODES.len()];
    for element in svg.split("<path").skip(1) {
        let element = element.split("/>").next().unwrap_or_default();
        let id = attribute(element, "id").ok_or("a path without an id")?;
        let d = attribute(element, "d").ok_or_else(|| format!("path {id} has no d"))?;
        let i = ID_CODES
            .iter()
            .position(|(known, _)| *known == id)
            .ok_or_else(|| format!("path {id} is not in the table of county ids"))?;
        if found[i].is_some() {
            return Err(format!("path {id} appears twice"));
        }
        found[i] = Some(path_rings(d).map_err(|e| format!("path {id}: {e}"))?);
    }
    ID_CODES
        .iter()
        .zip(found)
        .map(|(&(id, code), rings)| {
            let rings = rings.ok_or_else(|| format!("no path for {id} ({code})"))?;
            if rings.is_empty() {
                return Err(format!("path {id} draws nothing"));
            }
            Ok(Outline { code, id, rings })
        })
        .collect()
}

/// The value of ` name="…"` in an element's text.
fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let mut rest = element;
    while let Some(at) = rest.find(&key) {
        let before = rest[..at].chars().next_back();
        let value = &rest[at + key.len()..];
        if before.is_none_or(char::is_whitespace) {
            return value.split('"').next();
        }
        rest = value;
    }
    None
}

/// Path data of relative moves (`m`, then implicit relative line-tos) and closes (`z`),
/// the only commands the map file uses, as absolute rings.
fn path_rings(d: &str) -> Result<Vec<Ring>, String> {
    let mut rings = Vec::new();
    let mut ring: Ring = Vec::new();
    let (mut x, mut y) = (0.0f32, 0.0f32);
    let mut start = (0.0f32, 0.0f32);
    let mut moving = false;
    let mut numbers = Vec::with_capacity(2);
    let mut chars = d.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            'm' => {
                chars.next();
                moving = true;
            }
            'z' | 'Z' => {
                chars.next();
                if !numbers.is_empty() {
                    return Err("an odd number of coordinates".into());
                }
                if ring.len() >= 3 {
                    rings.push(std::mem::take(&mut ring));
                }
                ring.clear();
                (x, y) = start;
            }
            c if c.is_whitespace() || c == ',' => {
                chars.next();
            }
            '-' | '.' | '0'..='9' => {
                let mut end = i;
                let mut dot = false;
                let mut first = true;
                while let Some(&(j, c)) = chars.peek() {
                    let ok = c.is_ascii_digit() || (c == '-' && first) || (c == '.' && !dot);
                    if !ok {
                        break;
                    }
                    dot |= c == '.';
                    first = false;
                    end = j + c.len_utf8();
                    chars.next();
                }
                let n: f32 = d[i..end]
                    .parse()
                    .map_err(|_| format!("{:?} is not a number", &d[i..end]))?;
                numbers.push(n);
                if numbers.len() == 2 {
                    x += numbers[0];
                    y += numbers[1];
                    numbers.clear();
                    if moving {
                        if ring.len() >= 3 {
                            rings.push(std::mem::take(&mut ring));
                        }
                        ring.clear();
                        start = (x, y);
                        moving = false;
                    }
                    ring.push((x, y));
                }
            }
            other => return Err(format!("unexpected {other:?} (only m and z are read)")),
        }
    }
    if ring.len() >= 3 {
        rings.push(ring);
    }
    Ok(rings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_county_code_has_exactly_one_outline() {
        let all = outlines();
        assert_eq!(all.len(), 47);
        let codes: HashSet<&str> = all.iter().map(|o| o.code).collect();
        let expected: HashSet<String> = (1..=47).map(|n| format!("{n:03}")).collect();
        assert_eq!(
            codes,
            expected.iter().map(String::as_str).collect::<HashSet<_>>()
        );
        let ids: HashSet<&str> = all.iter().map(|o| o.id).collect();
        assert_eq!(ids.len(), 47, "each id once");
        assert!(all.iter().all(|o| !o.rings.is_empty()));
    }

    #[test]
    fn the_file_holds_the_table_s_ids_and_no_other() {
        let in_file: HashSet<&str> = SOURCE
            .split("<path")
            .skip(1)
            .filter_map(|e| attribute(e, "id"))
            .collect();
        let table: HashSet<&str> = ID_CODES.iter().map(|(id, _)| *id).collect();
        assert_eq!(in_file, table);
        assert_eq!(SOURCE.matches("<path").count(), 47);
    }

    #[test]
    fn the_four_renamed_counties_have_their_official_codes() {
        for (id, code) in [
            ("keiyo-marakwet", "028"),
            ("tharaka", "013"),
            ("nairobi", "047"),
            ("murang-a", "021"),
        ] {
            assert_eq!(outline(code).map(|o| o.id), Some(id), "{code}");
        }
    }

    #[test]
    fn counties_lie_where_they_are_on_a_map_of_kenya() {
        let kenya = bounds();
        let (cx, cy) = kenya.centre();
        let at = |code: &str| outline(code).unwrap().bounds().centre();
        // Turkana north-west, Mandera north-east, Mombasa south-east, Busia west.
        let (x, y) = at("023");
        assert!(x < cx && y < cy, "Turkana at {x},{y}");
        let (x, y) = at("009");
        assert!(x > cx && y < cy, "Mandera at {x},{y}");
        assert!(x > at("008").0, "Mandera lies east of Wajir");
        let (x, y) = at("001");
        assert!(x > cx && y > cy, "Mombasa at {x},{y}");
        let busia = at("040").0;
        assert!(
            outlines()
                .iter()
                .all(|o| o.bounds().centre().0 >= busia - 10.0),
            "Busia is on the western edge"
        );
        // Nairobi is small and south of the centre; Marsabit is large and north.
        let nairobi = outline("047").unwrap().bounds();
        assert!(nairobi.width() < 40.0 && nairobi.centre().1 > cy);
        assert!(outline("010").unwrap().bounds().width() > 100.0);
        // The whole map fills its box.
        assert!(kenya.min_x >= 0.0 && kenya.max_x <= VIEW_W + 0.5);
        assert!(kenya.min_y >= 0.0 && kenya.max_y <= VIEW_H + 0.5);
        assert!(kenya.width() > 400.0 && kenya.height() > 500.0);
    }

    #[test]
    fn path_data_reads_relative_moves_implicit_lines_and_closes() {
        let rings = path_rings("m10,10 5,0-.5,5 -4.5-5zm20,0 1,0 0,1z").unwrap();
        assert_eq!(
            rings,
            vec![
                vec![(10.0, 10.0), (15.0, 10.0), (14.5, 15.0), (10.0, 10.0)],
                vec![(30.0, 10.0), (31.0, 10.0), (31.0, 11.0)],
            ]
        );
        assert!(path_rings("m1,2 3z").is_err());
        assert!(path_rings("M1,2 3,4 5,6z").is_err());
    }

    #[test]
    fn a_map_file_missing_a_county_or_naming_an_unknown_one_is_refused() {
        let missing = SOURCE.replace("id=\"busia\"", "id=\"busia-county\"");
        assert!(parse(&missing).unwrap_err().contains("busia-county"));
        let one = r#"<svg><path id="busia" d="m0,0 1,0 0,1z"/></svg>"#;
        assert!(parse(one).unwrap_err().contains("no path for"));
    }
}
