//! Evidence files attached to a county's figure for a period, a programme milestone or
//! an activity: checking, keeping (once per SHA-256), reading back and archiving. No
//! HTTP here; the caller has checked that the user may do it.
//!
//! Where the bytes live depends on the database: with SQLite under the data folder
//! (`<data>/evidence/ab/abcdef…`, written to a temporary file and renamed into place),
//! with PostgreSQL in `evidence_blobs`, in the same transaction as the attachment row
//! and its audit entry, so that several servers share them. Either way a refused or
//! failed upload leaves no row, no audit entry and no half-written file.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDateTime;
use serde_json::json;

use crate::db::DbConn;
use crate::domain::evidence::{self as rules, FileKind, Refusal};
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::models::audit::{self, Actor};
use crate::models::evidence::{self as model, Evidence, NewEvidence};
use crate::models::programme::Programme;
use crate::models::{activity, framework, location, milestone, programme, user};

/// Where files are kept and how large they may be (held in the web server's state).
#[derive(Debug, Clone)]
pub struct Store {
    /// `<data>/evidence`: used with SQLite only.
    pub dir: PathBuf,
    pub max_bytes: u64,
}

impl Store {
    pub fn new(data_dir: &Path, max_mb: u64) -> Store {
        Store {
            dir: data_dir.join("evidence"),
            max_bytes: max_mb * 1024 * 1024,
        }
    }

    pub fn from_config(config: &crate::config::Config) -> Store {
        Store::new(&config.data_dir, config.evidence_max_mb)
    }

    /// Where a file of this hash is kept (SQLite).
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(sha256)
    }

    /// Files kept on disk (SQLite's store), for tests and checks.
    pub fn file_count(&self) -> usize {
        let Ok(dirs) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        dirs.flatten()
            .filter(|d| d.file_name() != "tmp")
            .filter_map(|d| std::fs::read_dir(d.path()).ok())
            .map(|files| files.flatten().count())
            .sum()
    }
}

/// What a file is attached to, as a form or API names it.
#[derive(Debug, Clone, Default)]
pub struct TargetInput {
    /// "figure", "milestone" or "activity".
    pub kind: String,
    pub indicator: String,
    pub county: String,
    pub period: String,
    pub milestone: Option<i32>,
    pub activity: Option<i32>,
}

/// What a file is attached to, checked against the programme.
#[derive(Debug, Clone)]
pub enum Target {
    Figure {
        indicator: Box<framework::Indicator>,
        county: location::Location,
        period: Period,
    },
    Milestone(milestone::Milestone),
    Activity(activity::Activity),
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Figure { .. } => "figure",
            Target::Milestone(_) => "milestone",
            Target::Activity(_) => "activity",
        }
    }

    /// "LBP-1.2 · Turkana · 2026Q3", "milestone “Committee trained”", "activity A1.2".
    pub fn describe(&self) -> String {
        match self {
            Target::Figure {
                indicator,
                county,
                period,
            } => format!("{} · {} · {}", indicator.code, county.name, period.id()),
            Target::Milestone(m) => format!("milestone “{}”", m.title),
            Target::Activity(a) => format!("activity {} “{}”", a.code, a.title),
        }
    }
}

/// The target of an upload, or which field is wrong. Nothing is written.
pub fn resolve(conn: &mut DbConn, p: &Programme, input: &TargetInput) -> AppResult<Target> {
    match input.kind.trim() {
        "figure" => {
            let code = input.indicator.trim();
            if code.is_empty() {
                return Err(AppError::invalid("indicator", "choose the indicator"));
            }
            let indicator = framework::indicator_by_code(conn, p.id, code).map_err(|_| {
                AppError::invalid(
                    "indicator",
                    format!("{} has no indicator with the code '{code}'", p.code),
                )
            })?;
            let period = Period::parse(input.period.trim()).map_err(|e| {
                AppError::invalid("period", format!("{e} (for example 2026Q3)"))
            })?;
            if period.end() < p.start_date || period.start() > p.end_date {
                return Err(AppError::invalid(
                    "period",
                    format!(
                        "{} is outside the programme ({} to {})",
                        period.id(),
                        p.start_date,
                        p.end_date
                    ),
                ));
            }
            let typed = input.county.trim();
            let counties = location::counties(conn)?;
            let county = location::find_county(&counties, typed)
                .cloned()
                .ok_or_else(|| {
                    AppError::invalid(
                        "county",
                        if typed.is_empty() {
                            "choose the county".to_string()
                        } else {
                            format!("'{typed}' is not a county code or name")
                        },
                    )
                })?;
            let covered = programme::phases_of(conn, p.id)?.iter().any(|ph| {
                ph.phase.start_date <= period.end()
                    && period.start() <= ph.phase.end_date
                    && ph.counties.iter().any(|c| c.id == county.id)
            });
            if !covered {
                return Err(AppError::invalid(
                    "county",
                    format!(
                        "no phase of {} covers {} in {}",
                        p.code,
                        county.name,
                        period.id()
                    ),
                ));
            }
            Ok(Target::Figure {
                indicator: Box::new(indicator),
                county,
                period,
            })
        }
        "milestone" => {
            let id = input
                .milestone
                .ok_or_else(|| AppError::invalid("milestone", "choose the milestone"))?;
            milestone::find(conn, p.id, id)
                .map(Target::Milestone)
                .map_err(|_| {
                    AppError::invalid(
                        "milestone",
                        format!("{} has no milestone number {id}", p.code),
                    )
                })
        }
        "activity" => {
            let id = input
                .activity
                .ok_or_else(|| AppError::invalid("activity", "choose the activity"))?;
            activity::find(conn, p.id, id)
                .map(Target::Activity)
                .map_err(|_| {
                    AppError::invalid(
                        "activity",
                        format!("{} has no activity number {id}", p.code),
                    )
                })
        }
        other => Err(AppError::invalid(
            "target",
            format!("'{other}' is not something evidence can be attached to: use figure, milestone or activity"),
        )),
    }
}

/// A refused file as the application's error: too large is 413, the rest 422, each
/// naming the file field.
pub fn refused(r: Refusal) -> AppError {
    match r {
        Refusal::TooLarge { .. } => AppError::TooLarge(format!("Nothing was attached: {r}.")),
        other => AppError::invalid("file", format!("{other}.")),
    }
}

/// Checks the file, then keeps it and records the attachment with its audit entry, all
/// or nothing. The same file already attached (and not archived) to the same thing is
/// refused as a conflict.
#[allow(clippy::too_many_arguments)]
pub fn attach(
    conn: &mut DbConn,
    store: &Store,
    p: &Programme,
    input: &TargetInput,
    claimed_name: &str,
    bytes: &[u8],
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<Evidence> {
    let kind = rules::check(bytes, store.max_bytes).map_err(refused)?;
    let target = resolve(conn, p, input)?;
    let sha = crate::report::text::sha256_hex(bytes);
    let name = rules::stored_name(claimed_name, kind);
    let on_disk = matches!(conn, DbConn::Sqlite(_));
    // The slow part (writing and syncing up to the limit) before the transaction; the
    // rename into place inside it, so it happens only with the rows.
    let temp = if on_disk && !store.holds(&sha, bytes.len()) {
        Some(store.write_temp(&sha, bytes)?)
    } else {
        None
    };
    let result = crate::db::write(conn, |c| {
        let same = current_of(c, &target)?
            .into_iter()
            .find(|e| e.sha256 == sha);
        if let Some(e) = same {
            return Err(AppError::Conflict(format!(
                "Nothing was attached: this file is already attached to {} as “{}” (uploaded {}).",
                target.describe(),
                e.file_name,
                e.uploaded_at.format("%Y-%m-%d %H:%M")
            )));
        }
        if !on_disk {
            model::put_blob(c, &sha, bytes, now)?;
        }
        let (indicator_id, location_id, period) = match &target {
            Target::Figure {
                indicator,
                county,
                period,
            } => (Some(indicator.id), Some(county.id), Some(*period)),
            _ => (None, None, None),
        };
        let period_id = period.map(|q| q.id());
        let new = NewEvidence {
            programme_id: p.id,
            target: target.kind(),
            indicator_id,
            location_id,
            period: period_id.as_deref(),
            period_start: period.map(|q| q.start()),
            period_end: period.map(|q| q.end()),
            milestone_id: match &target {
                Target::Milestone(m) => Some(m.id),
                _ => None,
            },
            activity_id: match &target {
                Target::Activity(a) => Some(a.id),
                _ => None,
            },
            sha256: &sha,
            file_name: &name,
            media_type: kind.media_type(),
            size_bytes: bytes.len() as i64,
            uploaded_by: actor.user_id,
            uploaded_at: now,
        };
        let id = model::insert(c, &new)?;
        audit::record(
            c,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "evidence_attached",
                entity: "evidence",
                entity_id: Some(id),
                programme_id: Some(p.id),
                before: None,
                after: Some(json!({
                    "file": name, "sha256": sha, "bytes": bytes.len(), "type": kind.media_type(),
                    "target": target.kind(), "attached_to": target.describe(),
                })),
                detail: format!("{name} → {}", target.describe()),
            },
        )?;
        if let Some(t) = &temp {
            store.place(t, &sha)?;
        }
        model::find(c, p.id, id)
    });
    if let Some(t) = temp {
        // Gone when it was placed; left behind only when the attachment failed.
        let _ = std::fs::remove_file(t);
    }
    result
}

/// The attachments of a target that are not archived.
fn current_of(conn: &mut DbConn, target: &Target) -> AppResult<Vec<Evidence>> {
    let all = match target {
        Target::Figure {
            indicator,
            county,
            period,
        } => model::of_indicator(conn, indicator.id)?
            .into_iter()
            .filter(|e| {
                e.location_id == Some(county.id)
                    && e.period.as_deref() == Some(period.id().as_str())
            })
            .collect(),
        Target::Milestone(m) => model::of_milestone(conn, m.id)?,
        Target::Activity(a) => model::of_activity(conn, a.id)?,
    };
    Ok(all.into_iter().filter(|e| !e.archived).collect())
}

/// The longest archive reason kept.
const REASON_MAX: usize = 500;

/// Archives an attachment: hidden from current lists, its bytes kept and still
/// downloadable by those who may read it. Audited with the reason.
pub fn archive(
    conn: &mut DbConn,
    p: &Programme,
    id: i32,
    reason: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<Evidence> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "say why the file is archived (for example “wrong county” or “replaced by a signed copy”)",
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::invalid(
            "reason",
            format!("keep the reason to {REASON_MAX} characters"),
        ));
    }
    crate::db::write(conn, |c| {
        let e = model::find(c, p.id, id)?;
        if model::archive(c, e.id, actor.user_id, now, reason)? == 0 {
            return Err(AppError::Conflict(format!(
                "“{}” was archived already{}.",
                e.file_name,
                e.archived_at
                    .map(|a| format!(" on {}", a.format("%Y-%m-%d %H:%M")))
                    .unwrap_or_default()
            )));
        }
        audit::record(
            c,
            audit::Change {
                user_id: actor.user_id,
                actor: &actor.name,
                action: "evidence_archived",
                entity: "evidence",
                entity_id: Some(e.id),
                programme_id: Some(p.id),
                before: Some(json!({ "file": e.file_name, "sha256": e.sha256, "archived": false })),
                after: Some(
                    json!({ "file": e.file_name, "sha256": e.sha256, "archived": true, "reason": reason }),
                ),
                detail: format!("{} archived: {reason}", e.file_name),
            },
        )?;
        model::find(c, p.id, id)
    })
}

/// The bytes of an attachment, exactly as kept: refused if they are missing or no
/// longer match the recorded SHA-256.
pub fn read(conn: &mut DbConn, store: &Store, e: &Evidence) -> AppResult<Vec<u8>> {
    let missing = |detail: String| AppError::Stored {
        public: format!(
            "The evidence file “{}” is missing from the server's store; an administrator can \
             restore it from backup.",
            e.file_name
        ),
        detail,
    };
    let bytes = if matches!(conn, DbConn::Sqlite(_)) {
        let path = store.path_of(&e.sha256);
        std::fs::read(&path)
            .map_err(|err| missing(format!("evidence {} cannot be read: {err}", path.display())))?
    } else {
        model::blob(conn, &e.sha256)?.ok_or_else(|| {
            missing(format!(
                "evidence blob {} is not in evidence_blobs",
                e.sha256
            ))
        })?
    };
    if crate::report::text::sha256_hex(&bytes) != e.sha256 {
        return Err(AppError::Stored {
            public: format!(
                "The stored copy of “{}” is no longer the file that was attached (its SHA-256 \
                 differs), so it is not served; an administrator can restore it from backup.",
                e.file_name
            ),
            detail: format!("evidence {} does not match its SHA-256", e.sha256),
        });
    }
    Ok(bytes)
}

static TEMP_COUNTER: AtomicU32 = AtomicU32::new(0);

impl Store {
    /// Whether a whole file of this hash is kept already.
    fn holds(&self, sha256: &str, len: usize) -> bool {
        std::fs::metadata(self.path_of(sha256)).is_ok_and(|m| m.len() == len as u64)
    }

    fn unavailable(&self, e: std::io::Error, what: &Path) -> AppError {
        AppError::Stored {
            public: "The file could not be saved in the server's evidence store, so nothing was \
                     attached; an administrator should check the data folder (MIPAKA_DATA_DIR)."
                .into(),
            detail: format!("evidence store {}: {e}", what.display()),
        }
    }

    /// Writes the bytes to a temporary file beside the store and syncs them.
    fn write_temp(&self, sha256: &str, bytes: &[u8]) -> AppResult<PathBuf> {
        let dir = self.dir.join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| self.unavailable(e, &dir))?;
        let path = dir.join(format!(
            "{sha256}.{}.{}.part",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut f = std::fs::File::create(&path)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&path);
            return Err(self.unavailable(e, &path));
        }
        Ok(path)
    }

    /// Renames a written temporary file into place (atomic: a reader sees the whole file
    /// or none).
    fn place(&self, temp: &Path, sha256: &str) -> AppResult<()> {
        let path = self.path_of(sha256);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.unavailable(e, dir))?;
        }
        std::fs::rename(temp, &path).map_err(|e| self.unavailable(e, &path))
    }
}

/// An attachment as lists show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub id: i32,
    pub name: String,
    pub size: String,
    pub bytes: i64,
    pub kind: &'static str,
    pub sha256: String,
    pub short_hash: String,
    pub who: String,
    pub when: String,
    pub county: String,
    pub period: String,
    pub archived: bool,
    pub archived_by: String,
    pub archived_when: String,
    pub reason: String,
}

/// Attachments with names of people and counties, as lists show them.
pub fn listed(conn: &mut DbConn, rows: &[Evidence]) -> AppResult<Vec<Listed>> {
    let names: HashMap<i32, String> = user::all(conn)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let counties = location::county_names(conn)?;
    let who = |id: Option<i32>| {
        id.and_then(|i| names.get(&i).cloned())
            .unwrap_or_else(|| "system".into())
    };
    Ok(rows
        .iter()
        .map(|e| Listed {
            id: e.id,
            name: e.file_name.clone(),
            size: rules::size_label(e.size_bytes.max(0) as u64),
            bytes: e.size_bytes,
            kind: FileKind::from_media_type(&e.media_type).map_or("File", FileKind::label),
            sha256: e.sha256.clone(),
            short_hash: rules::short_hash(&e.sha256).to_string(),
            who: who(e.uploaded_by),
            when: e.uploaded_at.format("%Y-%m-%d %H:%M").to_string(),
            county: e
                .location_id
                .and_then(|l| counties.get(&l).cloned())
                .unwrap_or_default(),
            period: e.period.clone().unwrap_or_default(),
            archived: e.archived,
            archived_by: if e.archived {
                who(e.archived_by)
            } else {
                String::new()
            },
            archived_when: e
                .archived_at
                .map(|a| a.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            reason: e.archive_reason.clone().unwrap_or_default(),
        })
        .collect())
}
