//! Each output's narrative for a period — what was done, why it is ahead or behind:
//! saved from one form for all outputs, version-checked and audited like the period's
//! narrative (`narrative`), and printed in the donor report under the output's tables.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::json;

use super::narrative::MAX_CHARS;
use super::render::Block;
use crate::db::DbConn;
use crate::domain::narrative::{judge, Judged, Stored};
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::audit::{self, Actor};
use crate::models::framework::{self, ResultRow};
use crate::models::output_narrative::{self, OutputNarrative};
use crate::models::programme::Programme;

/// The heading the donor report prints an output's narrative under.
pub const HEADING: &str = "Progress narrative";
/// What the donor report prints under an output without a narrative for the period.
pub const NONE_RECORDED: &str = "No narrative recorded for this output in this period.";

/// One output's text as sent by the form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Typed {
    /// The version it was read at (None: there was no narrative).
    pub version: Option<i32>,
    /// The fingerprint of the text as read (`domain::narrative::fingerprint`).
    pub seen: String,
    pub text: String,
}

pub enum Saved {
    /// The codes of the outputs whose narrative was written (none: nothing had changed).
    Done(Vec<String>),
    /// Someone saved these outputs' narratives since they were read (None: it is gone).
    /// Nothing was written, for any output.
    Conflict(HashMap<i32, Option<OutputNarrative>>),
}

/// The form field of an output's text, which a refusal names.
pub fn field(result_id: i32) -> String {
    format!("outputs[{result_id}].text")
}

/// The programme's live outputs in the report's reading order: by their outcome's place,
/// then their own.
pub fn outputs(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<ResultRow>> {
    Ok(in_reading_order(framework::results_of(conn, programme_id)?))
}

fn in_reading_order(all: Vec<ResultRow>) -> Vec<ResultRow> {
    let place: HashMap<i32, (i32, i32)> = all.iter().map(|r| (r.id, (r.position, r.id))).collect();
    let mut outputs: Vec<ResultRow> = all
        .into_iter()
        .filter(|r| r.level == "output" && !r.archived)
        .collect();
    outputs.sort_by_key(|r| {
        let parent = r.parent_id.and_then(|p| place.get(&p).copied());
        (parent, r.position, r.id)
    });
    outputs
}

/// Saves every changed text of `typed` (by result id) if each is still at the version it
/// was read at; when any is not, or any is refused, nothing is written at all.
pub fn save(
    conn: &mut DbConn,
    programme: &Programme,
    period: &Period,
    typed: &HashMap<i32, Typed>,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<Saved> {
    super::donor::check_period(programme, period)?;
    let period_id = period.id();
    // Written in the form's order of outputs, so the audit log reads like the page.
    let mut ids: Vec<i32> = typed.keys().copied().collect();
    ids.sort_unstable();
    crate::db::write(conn, |conn| {
        let outputs: HashMap<i32, ResultRow> = framework::results_of(conn, programme.id)?
            .into_iter()
            .filter(|r| r.level == "output")
            .map(|r| (r.id, r))
            .collect();
        check(&outputs, typed, &programme.code)?;
        let stored = output_narrative::of_period(conn, programme.id, &period_id)?;
        let judged: Vec<(i32, Judged)> = ids
            .iter()
            .map(|id| {
                let t = &typed[id];
                let current = stored.get(id).map(|s| Stored {
                    id: s.id,
                    version: s.version,
                    text: &s.narrative,
                });
                (*id, judge(&t.text, &t.seen, t.version, current))
            })
            .collect();
        let stale: HashMap<i32, Option<OutputNarrative>> = judged
            .iter()
            .filter(|(_, j)| *j == Judged::Stale)
            .map(|(id, _)| (*id, stored.get(id).cloned()))
            .collect();
        if !stale.is_empty() {
            return Ok(Saved::Conflict(stale));
        }
        let mut written = Vec::new();
        for (result_id, j) in judged {
            let output = &outputs[&result_id];
            let text = typed[&result_id].text.as_str();
            let (id, before) = match j {
                Judged::Unchanged | Judged::Stale => continue,
                Judged::Create => (
                    output_narrative::insert(
                        conn,
                        programme.id,
                        result_id,
                        &period_id,
                        text,
                        actor.user_id,
                        now,
                    )?,
                    None,
                ),
                Judged::Update { id, version } => {
                    if output_narrative::update_if_version(
                        conn,
                        id,
                        version,
                        text,
                        actor.user_id,
                        now,
                    )? != 1
                    {
                        // Saved by someone between the read above and this write: undo
                        // the outputs already written in this transaction too.
                        return Err(AppError::Conflict(format!(
                            "Output {}: someone saved its narrative while yours was being saved, so nothing was saved. Reload the page to see theirs.",
                            output.code
                        )));
                    }
                    (id, stored.get(&result_id).map(|s| s.narrative.clone()))
                }
            };
            audit::record(
                conn,
                audit::Change {
                    user_id: actor.user_id,
                    actor: &actor.name,
                    action: "output_narrative_saved",
                    entity: "output_narrative",
                    entity_id: Some(id),
                    programme_id: Some(programme.id),
                    before: before.map(|b| json!({ "output": output.code, "text": b })),
                    after: Some(json!({ "output": output.code, "text": text })),
                    detail: format!("{period_id} {}", output.code),
                },
            )?;
            written.push(output.code.clone());
        }
        Ok(Saved::Done(written))
    })
}

/// Each text is for an output of the programme, and fits the report.
fn check(
    outputs: &HashMap<i32, ResultRow>,
    typed: &HashMap<i32, Typed>,
    programme: &str,
) -> AppResult<()> {
    let mut ids: Vec<&i32> = typed.keys().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(output) = outputs.get(id) else {
            return Err(AppError::invalid(
                field(*id),
                format!("{programme} has no such output (number {id}); reload the page."),
            ));
        };
        let n = typed[id].text.chars().count();
        if n > MAX_CHARS {
            return Err(AppError::invalid(
                field(*id),
                format!(
                    "Output {}: {n} characters: at most {MAX_CHARS} fit the report",
                    output.code
                ),
            ));
        }
    }
    Ok(())
}

/// What the donor report prints under an output's tables: its narrative for the period,
/// or a note that there is none.
pub fn blocks(text: Option<&str>) -> Vec<Block> {
    let body = match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Block::Paragraph(t.to_string()),
        None => Block::Note(NONE_RECORDED.into()),
    };
    vec![
        Block::Heading {
            level: 3,
            text: HEADING.into(),
        },
        body,
    ]
}

/// The narratives of a period to print, by output (result id).
pub fn texts_of_period(
    conn: &mut DbConn,
    programme_id: i32,
    period: &Period,
) -> AppResult<HashMap<i32, String>> {
    Ok(
        output_narrative::of_period(conn, programme_id, &period.id())?
            .into_iter()
            .map(|(id, n)| (id, n.narrative))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: i32, parent: Option<i32>, level: &str, position: i32) -> ResultRow {
        ResultRow {
            id,
            programme_id: 1,
            parent_id: parent,
            level: level.into(),
            code: format!("R{id}"),
            statement: String::new(),
            impact_weighting: None,
            risk_rating: None,
            assumptions: String::new(),
            position,
            archived: false,
            version: 1,
        }
    }

    #[test]
    fn outputs_read_under_their_outcomes_in_order() {
        let mut archived = result(9, Some(3), "output", 0);
        archived.archived = true;
        let all = vec![
            result(1, None, "impact", 0),
            result(2, Some(1), "outcome", 2),
            result(3, Some(1), "outcome", 1),
            result(4, Some(2), "output", 1),
            result(5, Some(3), "output", 2),
            result(6, Some(3), "output", 1),
            archived,
        ];
        let ids: Vec<i32> = in_reading_order(all).iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            vec![6, 5, 4],
            "outcome 3 comes first; archived outputs left out"
        );
    }

    #[test]
    fn the_report_prints_the_text_or_says_there_is_none() {
        assert_eq!(
            blocks(Some("  Desks opened.\n")),
            vec![
                Block::Heading {
                    level: 3,
                    text: HEADING.into()
                },
                Block::Paragraph("Desks opened.".into())
            ]
        );
        for none in [None, Some(""), Some(" \n ")] {
            assert_eq!(blocks(none)[1], Block::Note(NONE_RECORDED.into()));
        }
    }
}
