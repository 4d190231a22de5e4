//! The workbook's layout, shared by the writer and the reader: which sheets there are,
//! their columns (header text, the field each fills, how its cells are typed) and what
//! each means. The "Read me" sheet is written from these same descriptions, so the
//! documentation in the file cannot drift from what the reader expects.

pub const README: &str = "Read me";
pub const PROGRAMME: &str = "Programme";
pub const IMPACT: &str = "Impact";
pub const OUTCOMES: &str = "Outcomes";
pub const OUTPUTS: &str = "Outputs";
pub const BREAKDOWN: &str = "Disaggregated milestones";
pub const CATEGORIES: &str = "Disaggregations";
pub const PHASES: &str = "Phases";
pub const PARTNERS: &str = "Partners";
pub const BUDGET: &str = "Budget";
pub const ACTIVITIES: &str = "Activities";
pub const MILESTONES: &str = "Programme milestones";

/// Every sheet the reader needs, in the workbook's order (the "Read me" is not read).
pub const DATA_SHEETS: [&str; 11] = [
    PROGRAMME, IMPACT, OUTCOMES, OUTPUTS, BREAKDOWN, CATEGORIES, PHASES, PARTNERS, BUDGET,
    ACTIVITIES, MILESTONES,
];

/// Other names a person may have given a sheet (compared after [`normalise`]).
pub fn sheet_aliases(sheet: &str) -> &'static [&'static str] {
    match sheet {
        PROGRAMME => &["programme", "program", "programmedetails", "details"],
        IMPACT => &["impact", "impacts"],
        OUTCOMES => &["outcomes", "outcome"],
        OUTPUTS => &["outputs", "output"],
        BREAKDOWN => &[
            "disaggregatedmilestones",
            "milestonesbycounty",
            "countymilestones",
            "disaggregatedtargets",
            "targetsbycounty",
        ],
        CATEGORIES => &[
            "disaggregations",
            "disaggregation",
            "disaggregationcategories",
        ],
        PHASES => &["phases", "phase"],
        PARTNERS => &["partners", "partner", "organisations", "organizations"],
        BUDGET => &["budget", "budgets", "budgetlines"],
        ACTIVITIES => &["activities", "activity", "workplan"],
        MILESTONES => &["programmemilestones", "programmilestones", "milestones"],
        _ => &[],
    }
}

/// How a column's cells are written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Short text, one line.
    Text,
    /// One of a few words (unit, status …), centred.
    Word,
    /// Text that wraps (statements, definitions).
    Long,
    /// A number (written as a number when the text is one).
    Number,
    /// Money: a number shown with two decimals.
    Money,
    /// A real date; text dates and Excel serial numbers are read too.
    Date,
    /// yes / no.
    Flag,
    /// Several values in one cell, separated by commas.
    List,
    /// County codes ("023"): numbers typed as 23 are read as "023".
    County,
}

/// One column: `field` is the key of the setup form's field it fills (the keys the
/// checks name their problems by), or a pseudo-field the reader handles itself.
#[derive(Debug, Clone)]
pub struct Col {
    pub field: &'static str,
    pub header: String,
    /// Other header texts accepted, normalised.
    pub also: Vec<String>,
    pub kind: Kind,
    pub width: f64,
    /// The sheet cannot be read without it (one message, instead of one per row).
    pub required: bool,
    /// Written for people, not read back (a county's name beside its code is read only
    /// when the code is left blank).
    pub info: bool,
    pub about: String,
}

fn col(field: &'static str, header: &str, kind: Kind, width: f64, about: &str) -> Col {
    Col {
        field,
        header: header.to_string(),
        also: Vec::new(),
        kind,
        width,
        required: false,
        info: false,
        about: about.to_string(),
    }
}

impl Col {
    fn also(mut self, names: &[&str]) -> Col {
        self.also.extend(names.iter().map(|n| normalise(n)));
        self
    }

    fn required(mut self) -> Col {
        self.required = true;
        self
    }

    fn info(mut self) -> Col {
        self.info = true;
        self
    }

    /// Whether a header cell's text names this column.
    pub fn matches(&self, header: &str) -> bool {
        let h = normalise(header);
        !h.is_empty() && (h == normalise(&self.header) || self.also.contains(&h))
    }
}

/// Header and sheet names compared as people vary them: case, spaces, punctuation and
/// a "(%)" or "*" do not matter ("Impact weighting (%)" = "impact weighting").
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The result levels, each with its sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// As stored: "impact", "outcome", "output".
    pub word: &'static str,
    pub sheet: &'static str,
    /// "Impact", "Outcome", "Output".
    pub title: &'static str,
    pub parent: Option<&'static str>,
}

pub const LEVELS: [Level; 3] = [
    Level {
        word: "impact",
        sheet: IMPACT,
        title: "Impact",
        parent: None,
    },
    Level {
        word: "outcome",
        sheet: OUTCOMES,
        title: "Outcome",
        parent: Some("impact"),
    },
    Level {
        word: "output",
        sheet: OUTPUTS,
        title: "Output",
        parent: Some("outcome"),
    },
];

/// The result's own columns on a level sheet.
pub fn result_cols(level: &Level) -> Vec<Col> {
    let t = level.title;
    let lower = level.word;
    let mut cols = vec![
        col(
            "code",
            &format!("{t} code"),
            Kind::Text,
            13.0,
            &format!("The {lower}'s code, e.g. LBP-OP1. Codes match the {lower} on re-import: keep them, and the {lower} is updated in place."),
        )
        .also(&["result code", "code", "ref", "reference"])
        .required(),
        col(
            "statement",
            &format!("{t} statement"),
            Kind::Long,
            40.0,
            &format!("What the {lower} is (the logframe's narrative summary)."),
        )
        .also(&[t, "statement", "result statement", "result", "narrative summary"])
        .required(),
    ];
    if let Some(parent) = level.parent {
        cols.push(
            col(
                "parent",
                &format!("Contributes to {parent}"),
                Kind::Text,
                13.0,
                &format!("The code of the {parent} this {lower} contributes to."),
            )
            .also(&[
                "contributes to",
                "parent",
                "parent code",
                &format!("{parent} code"),
                parent,
            ])
            .required(),
        );
    }
    if level.word == "output" {
        cols.push(
            col(
                "impact_weighting",
                "Impact weighting (%)",
                Kind::Number,
                11.0,
                "The output's share of the impact, in per cent, e.g. 40. The outputs' weightings add up to 100.",
            )
            .also(&["weighting", "impact weight", "weight"]),
        );
        cols.push(
            col(
                "risk_rating",
                "Risk rating",
                Kind::Word,
                9.0,
                "low, medium or high.",
            )
            .also(&["risk"]),
        );
    }
    cols.push(
        col(
            "assumptions",
            "Assumptions",
            Kind::Long,
            36.0,
            "What must hold for this result to lead to the next level.",
        )
        .also(&["assumption", "key assumptions", "assumptions and risks"]),
    );
    cols.push(
        col(
            "archived",
            &format!("{t} archived"),
            Kind::Flag,
            9.0,
            &format!("yes for an {lower} kept for history only (hidden from data entry); blank or no otherwise."),
        )
        .also(&["result archived"]),
    );
    cols
}

/// The indicator columns before the milestones.
pub fn indicator_cols_before() -> Vec<Col> {
    vec![
        col(
            "code",
            "Indicator code",
            Kind::Text,
            12.0,
            "The indicator's code, e.g. LBP-1.2. Codes match the indicator on re-import.",
        )
        .also(&["indicator ref", "indicator id", "indicator no"])
        .required(),
        col(
            "title",
            "Indicator",
            Kind::Long,
            36.0,
            "What is measured, as a title.",
        )
        .also(&["indicator title", "indicator name", "title"])
        .required(),
        col(
            "definition",
            "Definition",
            Kind::Long,
            40.0,
            "How it is measured: what counts, and how.",
        )
        .also(&["indicator definition", "definition and method"]),
        col(
            "unit",
            "Unit",
            Kind::Word,
            11.0,
            "count (whole things), number (decimals allowed), percentage (0 to 100), currency or yes_no.",
        )
        .also(&["unit of measure", "measure"])
        .required(),
        col(
            "direction",
            "Direction",
            Kind::Word,
            10.0,
            "higher (higher is better) or lower (lower is better).",
        )
        .also(&["desired direction", "better when"])
        .required(),
        col(
            "county_rule",
            "County rule",
            Kind::Word,
            9.0,
            "How county figures make the programme's: sum or mean.",
        )
        .also(&["county aggregation", "across counties"])
        .required(),
        col(
            "period_rule",
            "Period rule",
            Kind::Word,
            9.0,
            "How periods make a year or a phase: sum, mean, or latest (a level, or a cumulative running total).",
        )
        .also(&["period aggregation", "over periods", "across periods"])
        .required(),
        col(
            "baseline_value",
            "Baseline value",
            Kind::Number,
            10.0,
            "The value before the programme, as a number.",
        )
        .also(&["baseline"]),
        col(
            "baseline_date",
            "Baseline date",
            Kind::Date,
            12.0,
            "When the baseline was measured.",
        ),
    ]
}

/// The indicator columns after the milestones.
pub fn indicator_cols_after() -> Vec<Col> {
    vec![
        col(
            "end_target",
            "Target value",
            Kind::Number,
            10.0,
            "The end target, as a number.",
        )
        .also(&["target", "end target", "end target value", "final target"]),
        col(
            "end_target_date",
            "Target date",
            Kind::Date,
            12.0,
            "When the end target is to be met.",
        )
        .also(&["end target date"]),
        col(
            "means_of_verification",
            "Means of verification (source)",
            Kind::Long,
            32.0,
            "Where the figures come from, as the logframe's source column says.",
        )
        .also(&["means of verification", "source", "mov", "sources", "verification"]),
        col(
            "data_source",
            "Data source",
            Kind::Text,
            20.0,
            "The system or register the values are taken from.",
        ),
        col(
            "key",
            "Key indicator",
            Kind::Flag,
            9.0,
            "yes for an indicator charted in reports.",
        )
        .also(&["key"]),
        col(
            "disaggregations",
            "Disaggregations",
            Kind::List,
            16.0,
            "Codes of the categories it is reported by, separated by commas (see the Disaggregations sheet); counties always.",
        )
        .also(&["disaggregation", "disaggregated by"]),
        col(
            "archived",
            "Indicator archived",
            Kind::Flag,
            10.0,
            "yes for an indicator kept for history only; blank or no otherwise.",
        )
        .also(&["archived"]),
    ]
}

/// The label/value rows of the Programme sheet.
pub fn programme_rows() -> Vec<Col> {
    vec![
        col("code", "Code", Kind::Text, 0.0, "Letters, digits and '-', e.g. LBP. The file is imported into the programme with this code.").required(),
        col("name", "Name", Kind::Text, 0.0, "The programme's full name.").required(),
        col("short_name", "Short name", Kind::Text, 0.0, "Shown where space is short."),
        col("description", "Description", Kind::Long, 0.0, "A paragraph on what the programme does."),
        col("funder", "Funder", Kind::Text, 0.0, "Who funds it, e.g. UK Foreign, Commonwealth & Development Office."),
        col("currency", "Currency", Kind::Text, 0.0, "ISO 4217 code of the budget's currency: GBP, KES, USD, EUR …").required(),
        col("start_date", "Start date", Kind::Date, 0.0, "First day of the programme.").required(),
        col("end_date", "End date", Kind::Date, 0.0, "Last day of the programme.").required(),
        col("reporting_frequency", "Reporting frequency", Kind::Text, 0.0, "quarterly (entry, dashboards and reports work by quarter)."),
        col("rag_green_within", "RAG green within (%)", Kind::Number, 0.0, "Green when a value is within this many per cent of its milestone (default 15).").also(&["green within"]),
        col("rag_amber_within", "RAG amber within (%)", Kind::Number, 0.0, "Amber within this many per cent; red beyond (default 30).").also(&["amber within"]),
        col("iati_identifier", "IATI activity identifier", Kind::Text, 0.0, "The donor's IATI identifier of the programme, e.g. GB-GOV-1-300961.").also(&["iati identifier", "iati id"]),
        col("donor_reference", "Donor reference", Kind::Text, 0.0, "The donor's own reference for it.").also(&["donor ref"]),
    ]
}

pub fn breakdown_cols() -> Vec<Col> {
    vec![
        col("indicator", "Indicator code", Kind::Text, 13.0, "The indicator the milestone belongs to.").also(&["indicator"]).required(),
        col("period", "Period", Kind::Text, 10.0, "DHIS2 period: 2026Q3 (quarter), 2026S1 (half-year) or 2026July (Kenyan fiscal year 2026/27).").required(),
        col("", "Period (readable)", Kind::Text, 18.0, "The period in words.").info(),
        col("county", "County code", Kind::County, 8.0, "The county's official code (023 Turkana); blank for the whole programme.").also(&["county"]),
        col("county_name", "County name", Kind::Text, 14.0, "The county's name (read only when the code is blank).").info(),
        col("disaggregation", "Part", Kind::Text, 16.0, "category=option, e.g. sex=female; blank for the total.").also(&["disaggregation", "option"]),
        col("value", "Milestone", Kind::Number, 11.0, "The interim target for that period, county and part.").also(&["value", "target"]).required(),
    ]
}

pub fn category_cols() -> Vec<Col> {
    vec![
        col("code", "Code", Kind::Text, 14.0, "Short code used in the Disaggregations and Part columns, e.g. sex.").also(&["category code"]),
        col("label", "Category", Kind::Text, 20.0, "Its name, e.g. Sex.").also(&["name", "label"]).required(),
        col("options", "Options", Kind::Long, 40.0, "One option per line (or separated by ';'), written code = Label, e.g. female = Female.").required(),
    ]
}

pub fn phase_cols() -> Vec<Col> {
    vec![
        col(
            "name",
            "Phase",
            Kind::Long,
            30.0,
            "Its name; phases match by name on re-import.",
        )
        .also(&["name", "phase name"])
        .required(),
        col(
            "start_date",
            "Start date",
            Kind::Date,
            12.0,
            "First day, within the programme.",
        )
        .also(&["start"])
        .required(),
        col(
            "end_date",
            "End date",
            Kind::Date,
            12.0,
            "Last day; phases do not overlap.",
        )
        .also(&["end"])
        .required(),
        col(
            "counties",
            "County codes",
            Kind::List,
            22.0,
            "The counties it covers, by official code, separated by commas (023, 009).",
        )
        .also(&["counties codes", "county code"]),
        col(
            "county_names",
            "Counties",
            Kind::List,
            40.0,
            "The same counties by name (read only when the codes are blank).",
        )
        .also(&["county names", "county"])
        .info(),
    ]
}

pub fn partner_cols() -> Vec<Col> {
    vec![
        col("code", "Code", Kind::Text, 10.0, "Short code of the organisation, e.g. IOM; matches it on re-import.").also(&["partner code", "organisation code"]).required(),
        col("name", "Name", Kind::Long, 44.0, "Its full name.").also(&["organisation", "partner"]).required(),
        col("short_name", "Short name", Kind::Long, 18.0, "Shown where space is short."),
        col("iati_type", "IATI organisation type", Kind::Text, 11.0, "IATI OrganisationType code: 10 government, 15 other public sector, 21 international NGO, 22 national NGO, 40 multilateral, 70 private sector, 80 academic …").also(&["organisation type", "type", "iati type"]),
        col("iati_identifier", "IATI identifier", Kind::Text, 18.0, "Its IATI organisation identifier, e.g. XM-DAC-47066.").also(&["iati organisation identifier", "iati id", "organisation identifier"]),
        col("roles", "Roles", Kind::List, 24.0, "Its roles in the programme, separated by commas: funding, accountable, extending (manages the funds), implementing.").also(&["role"]).required(),
    ]
}

pub fn budget_cols() -> Vec<Col> {
    vec![
        col(
            "output",
            "Output",
            Kind::Text,
            13.0,
            "The code of the output the money is for.",
        )
        .also(&["output code"])
        .required(),
        col(
            "activity",
            "Activity",
            Kind::Text,
            12.0,
            "The code of one of its activities; blank for the output as a whole.",
        )
        .also(&["activity code"]),
        col(
            "fiscal_year",
            "Fiscal year",
            Kind::Word,
            11.0,
            "Kenyan fiscal year, July to June: 2025/26 (or 2025July).",
        )
        .also(&["fy", "financial year", "year"])
        .required(),
        col(
            "amount",
            "Amount",
            Kind::Money,
            15.0,
            "In the programme's currency.",
        )
        .also(&["budget", "value"])
        .required(),
        col(
            "description",
            "Description",
            Kind::Long,
            44.0,
            "What it pays for.",
        ),
    ]
}

pub fn activity_cols() -> Vec<Col> {
    vec![
        col(
            "code",
            "Code",
            Kind::Text,
            10.0,
            "The activity's code, e.g. A1.1; matches it on re-import.",
        )
        .also(&["activity code"])
        .required(),
        col("title", "Activity", Kind::Long, 40.0, "What is done.")
            .also(&["title", "activity title"])
            .required(),
        col(
            "output",
            "Output",
            Kind::Text,
            13.0,
            "The code of the output it serves.",
        )
        .also(&["output code"]),
        col(
            "lead",
            "Lead partner",
            Kind::Text,
            10.0,
            "The code of the partner leading it (see Partners).",
        )
        .also(&["lead", "lead organisation"]),
        col(
            "county",
            "County code",
            Kind::County,
            8.0,
            "Where it happens: a county code; blank for several.",
        )
        .also(&["county"]),
        col(
            "county_name",
            "County name",
            Kind::Text,
            12.0,
            "The county's name (read only when the code is blank).",
        )
        .info(),
        col("planned_start", "Planned start", Kind::Date, 12.0, "").required(),
        col("planned_end", "Planned end", Kind::Date, 12.0, "").required(),
        col(
            "actual_start",
            "Actual start",
            Kind::Date,
            12.0,
            "Blank until it starts.",
        ),
        col(
            "actual_end",
            "Actual end",
            Kind::Date,
            12.0,
            "Blank until it ends.",
        ),
        col(
            "status",
            "Status",
            Kind::Word,
            12.0,
            "not_started, in_progress, delayed, completed or cancelled.",
        )
        .required(),
        col(
            "percent_complete",
            "% complete",
            Kind::Number,
            9.0,
            "0 to 100.",
        )
        .also(&["percent complete", "complete"]),
        col(
            "budget",
            "Budget",
            Kind::Money,
            13.0,
            "Its budget in the programme's currency.",
        ),
        col("spend", "Spend", Kind::Money, 13.0, "Spent so far.").also(&["spent", "expenditure"]),
    ]
}

pub fn milestone_cols() -> Vec<Col> {
    vec![
        col("title", "Milestone", Kind::Long, 44.0, "The event, e.g. “County security committee trained in Wajir”; milestones match by this text on re-import.").also(&["title", "programme milestone"]).required(),
        col("output", "Output", Kind::Text, 13.0, "The code of the output it belongs to, if any.").also(&["output code"]),
        col("county", "County code", Kind::County, 8.0, "A county code, if it is about one county.").also(&["county"]),
        col("county_name", "County name", Kind::Text, 12.0, "The county's name (read only when the code is blank).").info(),
        col("due", "Due", Kind::Date, 12.0, "When it is due.").also(&["due date"]).required(),
        col("status", "Status", Kind::Word, 12.0, "planned, in_progress, completed, delayed or cancelled.").required(),
        col("completed", "Completed", Kind::Date, 12.0, "When it was completed.").also(&["completed on", "completion date"]),
        col("evidence", "Evidence", Kind::Long, 40.0, "What shows it happened.").also(&["evidence note"]),
    ]
}

/// The columns of a plain table sheet.
pub fn table_cols(sheet: &str) -> Vec<Col> {
    match sheet {
        BREAKDOWN => breakdown_cols(),
        CATEGORIES => category_cols(),
        PHASES => phase_cols(),
        PARTNERS => partner_cols(),
        BUDGET => budget_cols(),
        ACTIVITIES => activity_cols(),
        MILESTONES => milestone_cols(),
        _ => Vec::new(),
    }
}

/// What a sheet holds, for the "Read me".
pub fn sheet_about(sheet: &str) -> &'static str {
    match sheet {
        PROGRAMME => "The programme itself: one row per detail, the value in column B.",
        IMPACT => "The impact: its statement and assumptions, and one row per impact indicator.",
        OUTCOMES => "The outcomes, each with the impact it contributes to, and one row per outcome indicator.",
        OUTPUTS => "The outputs with their impact weighting and risk rating, and one row per output indicator.",
        BREAKDOWN => "Milestones for one county or one part (e.g. female) of an indicator, one per row. The whole programme's milestones are the period columns of the Impact, Outcomes and Outputs sheets.",
        CATEGORIES => "The programme's disaggregation categories (sex, age band, agency …) and their options.",
        PHASES => "The phases: dates and the counties each covers.",
        PARTNERS => "The organisations taking part and their IATI roles.",
        BUDGET => "Budget lines per output (and activity) and Kenyan fiscal year.",
        ACTIVITIES => "The activities under the outputs, with dates, status and money.",
        MILESTONES => "Programme milestones: events with a due date (not the indicators' interim targets).",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_as_people_vary_them() {
        let w = &result_cols(&LEVELS[2])[3];
        assert_eq!(w.field, "impact_weighting");
        for h in [
            "Impact weighting (%)",
            "impact  weighting",
            "IMPACT WEIGHTING*",
            "Weighting",
        ] {
            assert!(w.matches(h), "{h}");
        }
        assert!(!w.matches("Risk rating"));
        assert!(!w.matches(""));
    }

    #[test]
    fn no_two_columns_of_a_sheet_claim_the_same_header() {
        let mut sheets: Vec<Vec<Col>> = LEVELS
            .iter()
            .map(|l| {
                let mut c = result_cols(l);
                c.extend(indicator_cols_before());
                c.extend(indicator_cols_after());
                c
            })
            .collect();
        for s in [
            BREAKDOWN, CATEGORIES, PHASES, PARTNERS, BUDGET, ACTIVITIES, MILESTONES,
        ] {
            sheets.push(table_cols(s));
        }
        sheets.push(programme_rows());
        for cols in sheets {
            for a in &cols {
                let names: Vec<String> = std::iter::once(normalise(&a.header))
                    .chain(a.also.iter().cloned())
                    .collect();
                for b in &cols {
                    if std::ptr::eq(a, b) {
                        continue;
                    }
                    for n in &names {
                        assert!(
                            !b.matches(n),
                            "'{n}' names both {} and {}",
                            a.header,
                            b.header
                        );
                    }
                }
            }
        }
    }
}
