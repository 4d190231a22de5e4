use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{locations, phase_counties, phases, programmes};
use crate::db::DbConn;
use crate::domain::achievement::RagThresholds;
use crate::error::{AppError, AppResult};
use crate::models::location::Location;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = programmes)]
pub struct Programme {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub description: String,
    pub currency: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub is_demo: bool,
    pub rag_green_within: f64,
    pub rag_amber_within: f64,
    pub created_at: NaiveDateTime,
    pub short_name: String,
    pub funder: String,
    pub reporting_frequency: String,
    pub iati_identifier: String,
    pub donor_reference: String,
    /// "active", "closed" (reporting finished: figures read-only) or "archived" (also
    /// hidden from everyday lists).
    pub status: String,
    pub version: i32,
    /// Bumped by the database, in the same transaction, by every write to anything the
    /// programme's figures and dashboard are made from (migration 000010): what a server
    /// keeps computed is kept under it, so it is never served after a change.
    pub data_version: i64,
    /// DAC sectors for the IATI file, "15210 60; 15190 40" (see `iati::sector`).
    pub iati_sectors: String,
}

impl Programme {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    pub fn thresholds(&self) -> RagThresholds {
        RagThresholds::new(self.rag_green_within, self.rag_amber_within).unwrap_or_default()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = programmes)]
pub struct NewProgramme<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub currency: &'a str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub is_demo: bool,
    pub rag_green_within: f64,
    pub rag_amber_within: f64,
    pub created_at: NaiveDateTime,
    pub short_name: &'a str,
    pub funder: &'a str,
    pub reporting_frequency: &'a str,
    pub iati_identifier: &'a str,
    pub donor_reference: &'a str,
}

/// What a programme's setup may change (its code and status are changed apart).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = programmes)]
pub struct ProgrammeChanges<'a> {
    pub name: &'a str,
    pub short_name: &'a str,
    pub description: &'a str,
    pub funder: &'a str,
    pub currency: &'a str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub reporting_frequency: &'a str,
    pub rag_green_within: f64,
    pub rag_amber_within: f64,
    pub iati_identifier: &'a str,
    pub donor_reference: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = phases)]
pub struct Phase {
    pub id: i32,
    pub programme_id: i32,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub position: i32,
    pub version: i32,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PhaseWithCounties {
    pub phase: Phase,
    pub counties: Vec<Location>,
}

impl PhaseWithCounties {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.phase.start_date <= d && d <= self.phase.end_date
    }
}

pub fn insert(conn: &mut DbConn, new: &NewProgramme) -> AppResult<i32> {
    Ok(diesel::insert_into(programmes::table)
        .values(new)
        .returning(programmes::id)
        .get_result(conn)?)
}

pub fn all(conn: &mut DbConn) -> AppResult<Vec<Programme>> {
    Ok(programmes::table
        .order(programmes::start_date)
        .select(Programme::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(programmes::table.count().get_result(conn)?)
}

/// Changes the programme if it is still at `version`; returns the rows changed (0: stale).
pub fn update_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    changes: &ProgrammeChanges,
) -> AppResult<usize> {
    Ok(diesel::update(programmes::table)
        .filter(programmes::id.eq(id))
        .filter(programmes::version.eq(version))
        .set((changes, programmes::version.eq(version + 1)))
        .execute(conn)?)
}

pub fn set_status_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    status: &str,
) -> AppResult<usize> {
    Ok(diesel::update(programmes::table)
        .filter(programmes::id.eq(id))
        .filter(programmes::version.eq(version))
        .set((
            programmes::status.eq(status),
            programmes::version.eq(version + 1),
        ))
        .execute(conn)?)
}

pub fn find(conn: &mut DbConn, id: i32) -> AppResult<Programme> {
    Ok(programmes::table
        .find(id)
        .select(Programme::as_select())
        .first(conn)?)
}

pub fn by_code(conn: &mut DbConn, code: &str) -> AppResult<Programme> {
    programmes::table
        .filter(programmes::code.eq(code))
        .select(Programme::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::not_found(format!("There is no programme with the code '{code}'."))
        })
}

pub fn insert_phase(
    conn: &mut DbConn,
    programme_id: i32,
    name: &str,
    start: NaiveDate,
    end: NaiveDate,
    position: i32,
    county_ids: &[i32],
) -> AppResult<i32> {
    let id = diesel::insert_into(phases::table)
        .values((
            phases::programme_id.eq(programme_id),
            phases::name.eq(name),
            phases::start_date.eq(start),
            phases::end_date.eq(end),
            phases::position.eq(position),
        ))
        .returning(phases::id)
        .get_result(conn)?;
    for county in county_ids {
        diesel::insert_into(phase_counties::table)
            .values((
                phase_counties::phase_id.eq(id),
                phase_counties::location_id.eq(county),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn update_phase_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    name: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> AppResult<usize> {
    Ok(diesel::update(phases::table)
        .filter(phases::id.eq(id))
        .filter(phases::version.eq(version))
        .set((
            phases::name.eq(name),
            phases::start_date.eq(start),
            phases::end_date.eq(end),
            phases::version.eq(version + 1),
        ))
        .execute(conn)?)
}

/// Replaces the counties a phase covers.
pub fn set_phase_counties(conn: &mut DbConn, phase_id: i32, county_ids: &[i32]) -> AppResult<()> {
    diesel::delete(phase_counties::table.filter(phase_counties::phase_id.eq(phase_id)))
        .execute(conn)?;
    for county in county_ids {
        diesel::insert_into(phase_counties::table)
            .values((
                phase_counties::phase_id.eq(phase_id),
                phase_counties::location_id.eq(county),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Puts phases in date order (positions 0, 1, …), as every list shows them.
pub fn renumber_phases(conn: &mut DbConn, programme_id: i32) -> AppResult<()> {
    let ids: Vec<i32> = phases::table
        .filter(phases::programme_id.eq(programme_id))
        .order((phases::start_date, phases::id))
        .select(phases::id)
        .load(conn)?;
    for (i, id) in ids.into_iter().enumerate() {
        diesel::update(phases::table.find(id))
            .set(phases::position.eq(i as i32))
            .execute(conn)?;
    }
    Ok(())
}

pub fn delete_phase_if_version(conn: &mut DbConn, id: i32, version: i32) -> AppResult<usize> {
    Ok(diesel::delete(
        phases::table
            .filter(phases::id.eq(id))
            .filter(phases::version.eq(version)),
    )
    .execute(conn)?)
}

/// Phases in order, each with the counties it covers (by county code).
pub fn phases_of(conn: &mut DbConn, programme_id: i32) -> AppResult<Vec<PhaseWithCounties>> {
    let list: Vec<Phase> = phases::table
        .filter(phases::programme_id.eq(programme_id))
        .order((phases::position, phases::start_date))
        .select(Phase::as_select())
        .load(conn)?;
    let ids: Vec<i32> = list.iter().map(|p| p.id).collect();
    let links: Vec<(i32, Location)> = phase_counties::table
        .inner_join(locations::table)
        .filter(phase_counties::phase_id.eq_any(&ids))
        .order(locations::name)
        .select((phase_counties::phase_id, Location::as_select()))
        .load(conn)?;
    Ok(list
        .into_iter()
        .map(|phase| {
            let counties = links
                .iter()
                .filter(|(pid, _)| *pid == phase.id)
                .map(|(_, l)| l.clone())
                .collect();
            PhaseWithCounties { phase, counties }
        })
        .collect())
}

/// The phase running on `day`, else the last one that started before it, else the first.
/// The phase a period belongs to: the one containing the whole period, else the one
/// containing its start (a period straddling two phases counts in the first).
pub fn phase_of<'a>(
    phases: &'a [PhaseWithCounties],
    period: &crate::domain::period::Period,
) -> Option<&'a PhaseWithCounties> {
    phases
        .iter()
        .find(|ph| ph.phase.start_date <= period.start() && period.end() <= ph.phase.end_date)
        .or_else(|| phases.iter().find(|ph| ph.contains(period.start())))
}

pub fn current_phase(phases: &[PhaseWithCounties], day: NaiveDate) -> Option<&PhaseWithCounties> {
    phases
        .iter()
        .find(|p| p.contains(day))
        .or_else(|| phases.iter().rfind(|p| p.phase.start_date <= day))
        .or_else(|| phases.first())
}

/// Sets the programme's IATI sectors (canonical text) if it is still at `version`; rows
/// changed (0: someone saved first).
pub fn set_iati_sectors_if_version(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    sectors: &str,
) -> AppResult<usize> {
    Ok(diesel::update(programmes::table)
        .filter(programmes::id.eq(id))
        .filter(programmes::version.eq(version))
        .set((
            programmes::iati_sectors.eq(sectors),
            programmes::version.eq(version + 1),
        ))
        .execute(conn)?)
}
