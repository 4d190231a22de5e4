//! Building, issuing and keeping reports. Issuing writes the PDF once under the reports
//! folder (never over an existing file) and records its period, version, SHA-256,
//! issuer and time; a download reads the same bytes back and checks them against the
//! recorded hash. A correction is a new version, never a changed file.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::donor::DonorReport;
use super::ministry::MinistryReport;
use super::readiness::{self, Readiness};
use super::render::{self, Document};
use super::text;
use super::{changes, Issue};
use crate::db::DbConn;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::audit;
use crate::models::audit::Actor;
use crate::models::issued::{self, IssuedReport, NewIssued};
use crate::models::programme::Programme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Donor,
    Ministry,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Donor => "donor",
            Kind::Ministry => "ministry",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim() {
            "donor" => Some(Kind::Donor),
            "ministry" => Some(Kind::Ministry),
            _ => None,
        }
    }
}

/// What a report is about: a programme's donor report (perhaps with a saved
/// comparison as its evaluation annex), or the ministry's across all.
pub enum Subject {
    Donor(Programme),
    Evaluated {
        programme: Programme,
        comparison: i32,
    },
    Ministry,
}

impl Subject {
    pub fn kind(&self) -> Kind {
        match self {
            Subject::Donor(_) | Subject::Evaluated { .. } => Kind::Donor,
            Subject::Ministry => Kind::Ministry,
        }
    }

    fn programme_id(&self) -> Option<i32> {
        match self {
            Subject::Donor(p) | Subject::Evaluated { programme: p, .. } => Some(p.id),
            Subject::Ministry => None,
        }
    }

    /// The file name stem, e.g. "LBP-2026Q3-donor".
    fn stem(&self, period: &Period) -> String {
        match self {
            Subject::Donor(p) | Subject::Evaluated { programme: p, .. } => {
                format!("{}-{}-donor", p.code, period.id())
            }
            Subject::Ministry => format!("ministry-{}", period.id()),
        }
    }
}

/// Reads the data and describes the document.
pub fn document(
    conn: &mut DbConn,
    subject: &Subject,
    period: Period,
    issue: Issue,
) -> AppResult<Document> {
    Ok(match subject {
        Subject::Donor(p) => DonorReport::load(conn, p.clone(), period)?.document(issue),
        Subject::Evaluated {
            programme,
            comparison,
        } => {
            let mut report = DonorReport::load(conn, programme.clone(), period)?;
            report.evaluation = evaluation_annex(conn, programme, *comparison, &period)?;
            report.document(issue)
        }
        Subject::Ministry => MinistryReport::load(conn, period)?.document(issue),
    })
}

/// A saved comparison of the programme as the report's evaluation annex. Phases still
/// running are compared up to the report's period, so the same data gives the same file
/// whenever it is built.
fn evaluation_annex(
    conn: &mut DbConn,
    programme: &Programme,
    comparison: i32,
    period: &Period,
) -> AppResult<Vec<render::Block>> {
    use crate::compare::{self, spec::Spec};
    let saved = crate::models::comparison::by_id(conn, comparison)?
        .filter(|s| s.programme_id == programme.id)
        .ok_or_else(|| {
            AppError::invalid(
                "annex",
                format!("no saved comparison {comparison} of {}", programme.code),
            )
        })?;
    let mut spec = Spec::from_saved(&saved.query)?;
    let last = Period::quarter_containing(period.end());
    spec.through = Some(spec.through.map_or(last, |t| t.min(last)));
    let day_after = period.end() + chrono::Days::new(1);
    let plan = compare::plan(conn, programme, spec, day_after, None)?;
    let mut result = compare::compute(conn, &plan)?;
    // The annex goes to the donor with the report: what partners may see, as the rest.
    compare::shared::disclose(
        &mut result,
        &mut None,
        &plan.rules(),
        crate::domain::disclosure::Audience::Partners,
    );
    Ok(compare::export::annex(&result, &saved.name))
}

pub fn render_pdf(doc: &Document) -> AppResult<Vec<u8>> {
    render::render(doc).map_err(|e| AppError::Internal(format!("rendering the report: {e}")))
}

/// The short hash of the data a document shows (everything but its cover).
pub fn data_hash(doc: &Document) -> String {
    let body = match doc.blocks.first() {
        Some(render::Block::Cover(_)) => &doc.blocks[1..],
        _ => &doc.blocks[..],
    };
    text::short_hash(body)
}

/// What the person issuing says: why this version, and that they accept issuing figures
/// not all approved.
#[derive(Debug, Clone, Default)]
pub struct IssueRequest {
    /// Required from version 2 on; printed on the cover and in the change log.
    pub reason: String,
    /// Needed when any county-quarter of the period is not approved; the cover says so.
    pub accept_unapproved: bool,
    /// Email settings when the programme's donors are to be told (a donor report, by a
    /// server with email on); the message is written with the record of the issue.
    pub tell: Option<crate::mail::MailConfig>,
}

/// The longest reason kept.
const REASON_MAX: usize = 500;

/// The programmes a report covers, for its readiness and sign-off.
fn programmes_of(
    conn: &mut DbConn,
    subject: &Subject,
    period: &Period,
) -> AppResult<Vec<Programme>> {
    Ok(match subject {
        Subject::Donor(p) | Subject::Evaluated { programme: p, .. } => vec![p.clone()],
        Subject::Ministry => crate::models::programme::all(conn)?
            .into_iter()
            .filter(|p| period.end() >= p.start_date && period.start() <= p.end_date)
            .collect(),
    })
}

/// How many of the report's county-quarters are approved (`programmes`: those it covers).
fn readiness_of(
    conn: &mut DbConn,
    programmes: &[Programme],
    period: Period,
) -> AppResult<Readiness> {
    Ok(readiness::of_programmes(conn, programmes, &[period])?
        .remove(&period)
        .unwrap_or_default())
}

/// Cover lines placed after the "Report" line: approval, sign-off, reason.
fn sign(doc: &mut Document, lines: Vec<(String, String)>) {
    if let Some(render::Block::Cover(cover)) = doc.blocks.first_mut() {
        let at = cover
            .lines
            .iter()
            .position(|(label, _)| label == "Report")
            .map_or(cover.lines.len(), |i| i + 1);
        cover.lines.splice(at..at, lines);
    }
}

/// "Amina Odhiambo (14 Oct 2026); Otieno Wafula (15 Oct 2026)".
fn approvers_line(approvers: &[(String, NaiveDateTime)]) -> String {
    if approvers.is_empty() {
        return "No figure of this period is approved yet".into();
    }
    approvers
        .iter()
        .map(|(name, at)| format!("{name} ({})", crate::format::date(at.date())))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The cover's approval line: complete, or how far it got.
fn approval_line(r: &Readiness, issued_anyway: bool) -> String {
    if r.complete() {
        format!("All approved ({})", r.describe())
    } else if issued_anyway {
        format!(
            "Issued before approval was complete: {}. Figures not yet approved are not shown.",
            r.describe()
        )
    } else {
        format!("Not complete: {}", r.describe())
    }
}

/// A draft: built now, kept nowhere.
pub fn draft(conn: &mut DbConn, subject: &Subject, period: Period) -> AppResult<(String, Vec<u8>)> {
    let doc = document(conn, subject, period, Issue::Draft)?;
    let programmes = programmes_of(conn, subject, &period)?;
    Ok((
        format!("{}-draft.pdf", subject.stem(&period)),
        signed_draft(conn, doc, &programmes, period)?,
    ))
}

/// A draft document already described (e.g. a ministry report of one programme), with
/// the approval lines of the `programmes` it covers on its cover, rendered.
pub fn signed_draft(
    conn: &mut DbConn,
    mut doc: Document,
    programmes: &[Programme],
    period: Period,
) -> AppResult<Vec<u8>> {
    let ready = readiness_of(conn, programmes, period)?;
    let approvers = readiness::approvers(conn, programmes, &period)?;
    sign(
        &mut doc,
        vec![
            ("Approval".into(), approval_line(&ready, false)),
            ("Figures approved by".into(), approvers_line(&approvers)),
        ],
    );
    render_pdf(&doc)
}

/// Issues the next version: writes the file (refusing to replace one), records it and
/// audits it, all or nothing. A version after the first needs a reason and carries a
/// change log against the one it replaces; a period not fully approved needs the
/// issuer's confirmation, which the cover states.
pub fn issue(
    conn: &mut DbConn,
    reports_dir: &Path,
    subject: &Subject,
    period: Period,
    request: &IssueRequest,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<IssuedReport> {
    let reason = request.reason.trim().to_string();
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::invalid(
            "reason",
            format!(
                "the reason is {} characters long; keep it to {REASON_MAX}",
                reason.chars().count()
            ),
        ));
    }
    crate::db::write(conn, |conn| {
        let kind = subject.kind().as_str();
        let previous =
            issued::latest_with_snapshot(conn, subject.programme_id(), kind, &period.id())?;
        let version = previous.as_ref().map_or(1, |(r, _)| r.version + 1);
        if let Some((p, _)) = &previous {
            if reason.is_empty() {
                return Err(AppError::invalid(
                    "reason",
                    format!(
                        "version {} of {} was issued on {}: say why you are issuing version {version} \
                         (what was corrected or added); the reason is printed on the cover and \
                         above the change log",
                        p.version,
                        period.id(),
                        crate::format::date(p.issued_at.date())
                    ),
                ));
            }
        }
        let programmes = programmes_of(conn, subject, &period)?;
        let ready = readiness_of(conn, &programmes, period)?;
        if !ready.complete() && !request.accept_unapproved {
            return Err(AppError::invalid(
                "accept_unapproved",
                format!(
                    "{} is not fully approved ({}): the report would show only the approved figures. \
                     Tick \"Issue with figures not yet approved\" to issue it anyway (the cover \
                     will say so), or approve the rest first",
                    period.id(),
                    ready.describe()
                ),
            ));
        }
        let mut doc = document(
            conn,
            subject,
            period,
            Issue::Issued {
                version,
                on: now.date(),
            },
        )?;
        let approvers = readiness::approvers(conn, &programmes, &period)?;
        // The cover names the person (the audit keeps the login name).
        let issuer = match actor.user_id {
            Some(id) => crate::models::user::find(conn, id)?.display_name,
            None => actor.name.clone(),
        };
        let shown = changes::snapshot(&doc.blocks);
        // The data code covers what the report shows, as printed on its cover: taken
        // before the change log is added.
        let data = data_hash(&doc);
        let mut lines = vec![
            ("Approval".to_string(), approval_line(&ready, true)),
            (
                "Figures approved by".to_string(),
                approvers_line(&approvers),
            ),
            (
                "Issued by".to_string(),
                format!("{issuer}, {}", crate::format::date(now.date())),
            ),
        ];
        if let Some((p, stored)) = &previous {
            lines.push((format!("Why version {version}"), reason.clone()));
            let issued_on = crate::format::date(p.issued_at.date());
            match stored.as_deref().and_then(changes::unpack) {
                Some(mut before) => {
                    // What the earlier version showed of indicators now kept from
                    // partners is not listed as removed with its old figures.
                    changes::forget_rows(&mut before, &internal_codes(conn, &programmes)?);
                    doc.blocks.extend(changes::section(
                        (p.version, &issued_on),
                        &reason,
                        &changes::changes(&before, &shown),
                    ))
                }
                None => doc.blocks.extend([
                    render::Block::Heading {
                        level: 1,
                        text: format!("Changes since version {}", p.version),
                    },
                    render::Block::Paragraph(format!(
                        "This version replaces version {}, issued {issued_on}. Reason given: \
                         {reason}. What version {} showed was not kept, so the changes cannot \
                         be listed.",
                        p.version, p.version
                    )),
                ]),
            }
        }
        sign(&mut doc, lines);
        let approval = (!ready.complete()).then(|| ready.describe());
        let bytes = render_pdf(&doc)?;
        let sha = text::sha256_hex(&bytes);
        let relative = PathBuf::from(format!("{}-v{version}.pdf", subject.stem(&period)));
        let path = reports_dir.join(&relative);
        write_new(&path, &bytes)?;
        let packed = changes::pack(&shown);
        let recorded = (|| {
            let new = NewIssued {
                programme_id: subject.programme_id(),
                kind,
                period: &period.id(),
                version,
                file_path: &relative.to_string_lossy(),
                sha256: &sha,
                data_hash: &data,
                size_bytes: bytes.len() as i64,
                issued_by: actor.user_id,
                issued_at: now,
                reason: (!reason.is_empty()).then_some(reason.as_str()),
                approval: approval.as_deref(),
                snapshot: Some(&packed),
            };
            let id = issued::insert(conn, &new)?;
            if let (Some(mail), Subject::Donor(p) | Subject::Evaluated { programme: p, .. }) =
                (&request.tell, subject)
            {
                let title = format!("Progress report {}", period.label());
                crate::mail::notify::report_issued(
                    conn, mail, p, id, &title, version, &issuer, now,
                )?;
            }
            audit::record(
                conn,
                audit::Change {
                    user_id: actor.user_id,
                    actor: &actor.name,
                    action: "report_issued",
                    entity: "issued_report",
                    entity_id: Some(id),
                    programme_id: subject.programme_id(),
                    before: None,
                    after: Some(serde_json::json!({
                        "kind": kind, "period": period.id(), "version": version,
                        "file": relative.to_string_lossy(), "sha256": sha, "bytes": bytes.len(),
                        "reason": new.reason, "approval": ready.describe(),
                    })),
                    detail: format!("{} v{version}", subject.stem(&period)),
                },
            )?;
            issued::by_id(conn, id)?
                .ok_or_else(|| AppError::Internal("issued report vanished".into()))
        })();
        if recorded.is_err() {
            // Nothing recorded: leave no orphan file that would block the version.
            let _ = std::fs::remove_file(&path);
        }
        recorded
    })
}

/// The codes of the indicators of `programmes` that partners may not see (reports are
/// for partners).
fn internal_codes(conn: &mut DbConn, programmes: &[Programme]) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    for p in programmes {
        out.extend(
            crate::models::framework::indicators_of(conn, p.id)?
                .into_iter()
                .filter(|i| !crate::domain::disclosure::Audience::Partners.may_see(i.level()))
                .map(|i| i.code),
        );
    }
    Ok(out)
}

fn write_new(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let unavailable = |e: std::io::Error| AppError::Stored {
        public: "The report could not be saved in the server's report store, so it was not \
                 issued; an administrator should check the reports folder (MIPAKA_REPORTS_DIR)."
            .into(),
        detail: format!("the report could not be written to {}: {e}", path.display()),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(unavailable)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                AppError::Conflict(format!(
                    "{} already exists: an issued report is never replaced.",
                    path.display()
                ))
            } else {
                unavailable(e)
            }
        })?;
    f.write_all(bytes).map_err(unavailable)?;
    f.sync_all().map_err(unavailable)?;
    Ok(())
}

/// The issued file's bytes, exactly as issued: refused if they no longer match the
/// recorded SHA-256.
pub fn read_issued(reports_dir: &Path, report: &IssuedReport) -> AppResult<Vec<u8>> {
    let path = reports_dir.join(&report.file_path);
    let name = file_name(report);
    let bytes = std::fs::read(&path).map_err(|e| AppError::Stored {
        public: format!(
            "The issued report {name} is missing from the server's report store; \
             an administrator can restore it from backup."
        ),
        detail: format!("issued report {} cannot be read: {e}", path.display()),
    })?;
    if text::sha256_hex(&bytes) != report.sha256 {
        return Err(AppError::Stored {
            public: format!(
                "The stored copy of {name} is no longer the file that was issued (its SHA-256 \
                 differs), so it is not served; an administrator can restore it from backup."
            ),
            detail: format!(
                "issued report {} does not match its recorded SHA-256",
                path.display()
            ),
        });
    }
    Ok(bytes)
}

/// The download name of an issued report, e.g. "LBP-2026Q3-donor-v2.pdf".
pub fn file_name(report: &IssuedReport) -> String {
    Path::new(&report.file_path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("report-{}.pdf", report.id))
}
