//! The OpenAPI 3 description of /api/v1. `tests/api` checks that its paths and methods
//! are exactly the routes mounted, so the two cannot drift apart.

use rocket::serde::json::{json, Json, Value};

fn param(name: &str, place: &str, description: &str, required: bool) -> Value {
    json!({ "name": name, "in": place, "required": required, "description": description, "schema": { "type": "string" } })
}

fn code() -> Value {
    param("code", "path", "Programme code, e.g. LBP", true)
}

/// A record's number: ids are positive 32-bit integers; anything else answers 422.
fn id() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int32", "minimum": 1, "maximum": i32::MAX } })
}

/// The version of a record as read (optimistic locking): 1 when created, one more on
/// each change.
fn version_schema(description: &str) -> Value {
    json!({ "type": "integer", "format": "int32", "minimum": 1, "maximum": i32::MAX, "description": description })
}

fn ok(description: &str, schema: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn errors(extra: &[&str]) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    let e = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    m.insert("401".into(), e("No, unknown or revoked bearer token"));
    m.insert(
        "404".into(),
        e("No such programme or record, or not one you may see"),
    );
    for code in extra {
        let text = match *code {
            "403" => "Your role does not allow this",
            "409" => {
                "The record changed since the version you read; `current` holds it as it is now"
            }
            _ => "A value is wrong; `field` (and `fields`) say which",
        };
        m.insert(code.to_string(), e(text));
    }
    m
}

fn read(summary: &str, params: Vec<Value>, schema: &str) -> Value {
    let mut responses = errors(&["403"]);
    responses.insert("200".into(), ok(summary, schema));
    json!({ "summary": summary, "parameters": params, "responses": responses })
}

fn write(summary: &str, params: Vec<Value>, body: &str, status: &str, schema: &str) -> Value {
    let mut responses = errors(&["403", "409", "422"]);
    responses.insert(status.into(), ok(summary, schema));
    json!({
        "summary": summary, "parameters": params,
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{body}") } } } },
        "responses": responses,
    })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn version_param() -> Value {
    json!({ "name": "version", "in": "query", "required": true, "description": "The version of the record you read (optimistic locking): a newer one answers 409", "schema": version_schema("The version you read") })
}

/// A record as a write answers it: as stored, with what the service did.
fn written(schema: &str) -> Value {
    json!({ "allOf": [schema_ref(schema), schema_ref("WriteOutcome")] })
}

/// A setup operation: its success answer and the errors it can give.
fn op(
    summary: &str,
    params: Vec<Value>,
    body: Option<&str>,
    (status, answer): (&str, Value),
    errs: &[&str],
) -> Value {
    let mut responses = errors(errs);
    if params.iter().all(|p| p["in"] != "path") {
        responses.remove("404");
    }
    responses.insert(
        status.into(),
        json!({ "description": summary, "content": { "application/json": { "schema": answer } } }),
    );
    let mut o = json!({ "summary": summary, "parameters": params, "responses": responses });
    if let Some(b) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": schema_ref(b) } } });
    }
    o
}

const CREATE: &[&str] = &["403", "422"];
const CHANGE: &[&str] = &["403", "409", "422"];

fn create(summary: &str, params: Vec<Value>, body: &str, record: &str) -> Value {
    op(
        summary,
        params,
        Some(body),
        ("201", written(record)),
        CREATE,
    )
}

fn update(summary: &str, params: Vec<Value>, body: &str, record: &str) -> Value {
    op(
        summary,
        params,
        Some(body),
        ("200", written(record)),
        CHANGE,
    )
}

fn remove(summary: &str, mut params: Vec<Value>, answer: Value) -> Value {
    params.push(version_param());
    op(summary, params, None, ("200", answer), CHANGE)
}

fn list(summary: &str, schema: Value) -> Value {
    op(summary, vec![code()], None, ("200", schema), &["403"])
}

fn array_of(key: &str, item: &str) -> Value {
    json!({ "type": "object", "properties": { key: { "type": "array", "items": schema_ref(item) } } })
}

/// An update's body: the fields of `input` (all of them: PUT replaces the record, and a
/// field left out is emptied) plus the version read.
fn with_version(input: &str, required: &[&str]) -> Value {
    let mut req: Vec<&str> = required.to_vec();
    req.push("version");
    json!({ "allOf": [schema_ref(input), { "type": "object", "required": req, "properties": {
        "version": version_schema("The version you read; a newer one answers 409 with `current`") } }] })
}

pub fn spec() -> Value {
    let s = |t: &str| json!({ "type": t });
    let ns = |t: &str| json!({ "type": [t, "null"] });
    let text1 = || json!({ "type": "string", "minLength": 1 });
    let day = || json!({ "type": "string", "format": "date", "description": "YYYY-MM-DD" });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Mipaka API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Monitoring and evaluation data of Kenya's border-security programmes. Authenticate with a personal token from your account page: `Authorization: Bearer mpk_…`. Writes go through the same checks as the pages and are audited; updates carry the `version` they read and a stale one answers 409 with the current record.\n\nSetting a programme up: an administrator creates it (`POST /programmes`, naming its first `manager`) and closes or archives it; its managers and M&E officers add phases, partners, disaggregation categories, results, indicators, targets and budget lines. Bodies are the fields as a person would type them (text, numbers or booleans). A `PUT` replaces the record, so send every field (as `GET` gives it) with the `version` you read; a `DELETE` names it as `?version=`. Problems answer 422 with the `field` at fault (and all of them in `fields`) and nothing is written. Removing what has data archives it instead: the answer's `effect` says `archived` or `removed`.\n\nIds and versions are whole numbers (`3`; `3.0` is read as 3). A write whose body is not sent as `Content-Type: application/json` answers 415; a method an address does not take answers 405 with the methods it does take in `Allow`.",
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/openapi.json": { "get": { "summary": "This document", "security": [], "responses": { "200": { "description": "OpenAPI 3 document" } } } },
            "/me": { "get": read("The token's user and roles", vec![], "Me") },
            "/programmes": {
                "get": read("Programmes you may see", vec![], "ProgrammeList"),
                "post": create("Create a programme and name its first manager (administrators)", vec![], "NewProgramme", "NewProgrammeAnswer"),
            },
            "/programmes/{code}": {
                "get": read("A programme with each indicator's latest figure, milestone, % achieved and RAG", vec![code()], "ProgrammeFigures"),
                "put": update("Change a programme's details (its code stays)", vec![code()], "ProgrammeUpdate", "Programme"),
            },
            "/programmes/{code}/results": {
                "get": read("The results framework", vec![code()], "ResultList"),
                "post": create("Add an impact, outcome or output", vec![code()], "ResultInput", "Result"),
            },
            "/programmes/{code}/indicators": {
                "get": read("Indicator definitions", vec![code()], "IndicatorList"),
                "post": create("Add an indicator", vec![code()], "IndicatorInput", "Indicator"),
            },
            "/programmes/{code}/compare": { "get": {
                "summary": "Compare the programme's indicators across phases, periods and county groups",
                "parameters": [code(),
                    param("sides", "query", "Two or more sides, comma-separated: phase:ID, a period (2025, 2025July, 2026Q2), a range (2025Q1..2026Q2), optionally prefixed by a programme code (DW:2021)", true),
                    param("split", "query", "none (default), mou (initial MoU counties against the others) or pick (groups a and b)", false),
                    param("a", "query", "Group A county codes, comma-separated (split=pick)", false),
                    param("b", "query", "Group B county codes, comma-separated (split=pick)", false),
                    param("common", "query", "true: only counties every side covers", false),
                    param("through", "query", "Quarter up to which phases still running are compared", false),
                    param("indicator", "query", "Indicator code whose county values to include", false)],
                "responses": {
                    "200": ok("The comparison", "Comparison"),
                    "401": errors(&[])["401"].clone(),
                    "403": errors(&["403"])["403"].clone(),
                    "404": errors(&[])["404"].clone(),
                    "422": errors(&["422"])["422"].clone(),
                },
            } },
            "/programmes/{code}/values": {
                "get": read("Values of a period and/or an indicator", vec![code(), param("period", "query", "DHIS2 period, e.g. 2026Q3", false), param("indicator", "query", "Indicator code", false), param("county", "query", "County code, e.g. 023", false)], "ValueList"),
                "post": write("Enter a value (a draft until submitted)", vec![code()], "NewValue", "201", "Value"),
            },
            "/programmes/{code}/values/{id}": { "put": write("Change a value from the version you read (a null value clears a draft: the answer is a Cleared)", vec![code(), id()], "ValueUpdate", "200", "ValueOrCleared") },
            "/programmes/{code}/milestones": {
                "get": read("Programme milestones", vec![code()], "MilestoneList"),
                "post": write("Create a programme milestone", vec![code()], "MilestoneInput", "201", "Milestone"),
            },
            "/programmes/{code}/milestones/{id}": { "put": write("Change a milestone from the version you read", vec![code(), id()], "MilestoneUpdate", "200", "Milestone") },
            "/programmes/{code}/activities": {
                "get": read("Activities", vec![code()], "ActivityList"),
                "post": write("Create an activity", vec![code()], "ActivityInput", "201", "Activity"),
            },
            "/programmes/{code}/activities/{id}": { "put": write("Change an activity from the version you read", vec![code(), id()], "ActivityUpdate", "200", "Activity") },
            "/programmes/{code}/progress": {
                "get": read("Activity progress of a period: the activities it asks about (planned to start by its end, not finished before it), each with its row for the period and its newest earlier row", vec![code(), param("period", "query", "The reporting period (a quarter), e.g. 2026Q3", true)], "ProgressList"),
                "post": write("Enter an activity's progress for a period (a draft until submitted with the period's values); refused while the period is locked", vec![code()], "NewProgress", "201", "Progress"),
            },
            "/programmes/{code}/progress/{id}": { "put": write("Change an activity's progress from the version you read; refused while its period is locked", vec![code(), id()], "ProgressUpdate", "200", "Progress") },
            "/programmes/{code}/status": { "put": update("Make a programme active, closed (reporting finished, read-only) or archived (administrators)", vec![code()], "ProgrammeStatus", "Programme") },
            "/programmes/{code}/phases": {
                "get": list("Phases with their counties", array_of("phases", "Phase")),
                "post": create("Add a phase (dates inside the programme, no overlaps)", vec![code()], "PhaseInput", "Phase"),
            },
            "/programmes/{code}/phases/{id}": {
                "put": update("Change a phase; a county with values cannot leave it", vec![code(), id()], "PhaseUpdate", "Phase"),
                "delete": remove("Remove a phase no entered value depends on", vec![code(), id()], schema_ref("Removed")),
            },
            "/programmes/{code}/partners": {
                "get": list("Partners and their IATI roles", array_of("partners", "Partner")),
                "post": create("Add a partner: a new organisation, or one already registered (by code) with its stored details", vec![code()], "PartnerInput", "Partner"),
            },
            "/programmes/{code}/partners/{id}": {
                "put": update("Change a partner's details and roles (id: the organisation's)", vec![code(), id()], "PartnerUpdate", "Partner"),
                "delete": remove("Take an organisation off the programme's partners, unless it leads activities", vec![code(), id()], schema_ref("Removed")),
            },
            "/programmes/{code}/disaggregations": {
                "get": list("Disaggregation categories and their options", array_of("disaggregations", "Category")),
                "post": create("Add a disaggregation category (sex, age band, agency, border post …)", vec![code()], "CategoryInput", "Category"),
            },
            "/programmes/{code}/disaggregations/{id}": {
                "put": update("Change a category; options values were entered under stay", vec![code(), id()], "CategoryUpdate", "Category"),
                "delete": remove("Remove a category no indicator uses", vec![code(), id()], schema_ref("Removed")),
            },
            "/programmes/{code}/budget": {
                "get": list("Budget lines per output (and activity) per Kenyan fiscal year", schema_ref("Budget")),
                "post": create("Add a budget line", vec![code()], "BudgetInput", "BudgetLine"),
            },
            "/programmes/{code}/budget/{id}": {
                "put": update("Change a budget line", vec![code(), id()], "BudgetUpdate", "BudgetLine"),
                "delete": remove("Remove a budget line", vec![code(), id()], schema_ref("Removed")),
            },
            "/programmes/{code}/results/{id}": {
                "put": update("Change a result; a new parent moves an output to another outcome", vec![code(), id()], "ResultUpdate", "Result"),
                "delete": remove("Remove a result: deleted when nothing refers to it, else archived (`effect`)", vec![code(), id()], json!({ "oneOf": [written("Result"), schema_ref("Removed")] })),
            },
            "/programmes/{code}/results/{id}/restore": { "post": update("Restore an archived result", vec![code(), id()], "VersionOnly", "Result") },
            "/programmes/{code}/results/{id}/move": { "post": update("Move a result one place up or down among its siblings", vec![code(), id()], "Move", "Result") },
            "/programmes/{code}/indicators/{id}": {
                "put": update("Change an indicator; how approved values are read (unit, rules, direction, disaggregations) cannot change", vec![code(), id()], "IndicatorUpdate", "Indicator"),
                "delete": remove("Remove an indicator: archived when it has values, targets, continuity records or issued reports, else deleted (`effect`)", vec![code(), id()], json!({ "oneOf": [written("Indicator"), schema_ref("Removed")] })),
            },
            "/programmes/{code}/indicators/{id}/publication": { "put": update("Set how far an indicator's figures may travel (publication level, small-number rule); audited", vec![code(), id()], "Publication", "Indicator") },
            "/programmes/{code}/indicators/{id}/restore": { "post": update("Restore an archived indicator", vec![code(), id()], "VersionOnly", "Indicator") },
            "/programmes/{code}/indicators/{id}/move": { "post": update("Move an indicator one place up or down among its result's indicators", vec![code(), id()], "Move", "Indicator") },
            "/programmes/{code}/indicators/{id}/targets": {
                "get": op("An indicator's interim targets (logframe milestones) and the set's version", vec![code(), id()], None, ("200", schema_ref("TargetSet")), &["403"]),
                "put": op("Replace an indicator's whole set of targets: targets left out are removed", vec![code(), id()], Some("TargetsUpdate"), ("200", written("TargetSet")), CHANGE),
            },
            "/programmes/{code}/dhis2/mappings": {
                "get": op("The programme's DHIS2 mappings: every mappable item (indicators, counties, the total and each part, the programme, ADX categories and options) with its code and UID, its default, whether an exchange can name it, and the set's version", vec![code()], None, ("200", schema_ref("DhisMappingSet")), &["403"]),
                "put": op("Replace the whole set of DHIS2 mappings from the version read (as the mapping page and CSV do): items left out, or with an empty code and UID, are cleared; any problem names the item and field and nothing is written; audited", vec![code()], Some("DhisMappingsUpdate"), ("200", schema_ref("DhisMappingsSaved")), CHANGE),
            },
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": {
                    "status": s("integer"), "message": s("string"), "field": ns("string"), "reference": ns("string"),
                    "fields": { "type": "object", "additionalProperties": s("string"), "description": "On 422: every field at fault (`targets[2].value` for an item of a list) and what is wrong with it" },
                    "problems": { "type": "array", "description": "On 422 of a list (targets): each problem with the item's index", "items": { "type": "object", "properties": { "index": ns("integer"), "field": s("string"), "key": s("string"), "message": s("string") } } } } },
                    "current": { "description": "On 409: the record as it is now" } } },
                "Me": { "type": "object", "properties": { "username": s("string"), "name": s("string"), "is_admin": s("boolean"), "roles": { "type": "array", "items": { "type": "object", "properties": { "programme": s("string"), "role": { "enum": ["manager", "me_officer", "evaluator", "donor"] } } } } } },
                "ProgrammeList": array_of("programmes", "Programme"),
                "ProgrammeFigures": { "type": "object", "properties": { "code": s("string"), "indicators": { "type": "array", "items": { "type": "object", "properties": {
                    "code": s("string"), "latest": { "type": ["object", "null"] }, "pending": { "type": ["object", "null"] }, "milestone": ns("number"), "percent_achieved": ns("number"), "rag": { "enum": ["green", "amber", "red", null] }, "what": ns("string"), "yes_counties": { "type": ["object", "null"] }, "milestone_counties": { "type": ["object", "null"] }, "to_date": { "type": ["object", "null"] }, "parts": { "type": "array", "items": { "type": "object" } } } } } } },
                "ResultList": { "type": "object", "properties": { "results": { "type": "array", "items": schema_ref("Result") }, "weighting_problem": { "type": ["string", "null"], "description": "Why the live outputs' impact weightings do not add up to 100 %, or null" } } },
                "IndicatorList": array_of("indicators", "Indicator"),
                "Value": { "type": "object", "properties": { "id": s("integer"), "indicator": s("string"), "period": s("string"), "county": s("string"), "disaggregation": s("string"), "value": s("number"), "comment": ns("string"), "status": { "enum": ["draft", "submitted", "approved", "returned"] }, "entered_by": ns("string"), "entered_at": s("string"), "version": s("integer") } },
                "Comparison": { "type": "object", "properties": {
                    "comparison": { "type": "object", "properties": {
                        "programme": s("string"), "query": s("string"), "through": s("string"),
                        "sides": { "type": "array", "items": { "type": "object", "properties": { "label": s("string"), "programme": s("string"), "from": s("string"), "to": s("string"), "quarters": s("integer"), "counties": { "type": "array", "items": s("string") } } } },
                        "groups": { "type": "array", "items": { "type": "object", "properties": { "name": s("string"), "counties": { "type": "array", "items": s("string") } } } },
                        "notes": { "type": "array", "items": s("string") },
                        "rows": { "type": "array", "items": { "type": "object", "properties": {
                            "code": s("string"), "title": s("string"), "unit": s("string"), "direction": s("string"),
                            "groups": { "type": "array", "items": { "type": "object", "properties": {
                                "group": s("string"),
                                "cells": { "type": "array", "items": { "type": "object", "properties": { "source": s("string"), "value": ns("number"), "reported": s("integer"), "expected": s("integer"), "target": ns("number"), "achievement": ns("number"), "withheld": { "type": "boolean", "description": "true: under the indicator's small-number rule the value is not given (null) outside the programme team" } } } },
                                "changes": { "type": "array", "items": { "type": ["object", "null"], "properties": { "absolute": s("number"), "percent": ns("number"), "verdict": { "enum": ["better", "worse", "same"] } } } } } } },
                            "did": { "type": "array", "items": { "type": ["object", "null"], "properties": { "value": s("number"), "verdict": { "enum": ["better", "worse", "same"] }, "sentence": s("string") } } },
                            "flags": { "type": "array", "items": s("string") } } } } } },
                    "counties": { "type": ["object", "null"] } } },
                "Cleared": { "type": "object", "required": ["cleared", "indicator", "period", "county"], "properties": { "cleared": { "const": true }, "indicator": s("string"), "period": s("string"), "county": s("string"), "county_name": s("string"), "disaggregation": s("string") } },
                "ValueOrCleared": { "anyOf": [schema_ref("Value"), schema_ref("Cleared")] },
                "ValueList": { "type": "object", "properties": { "values": { "type": "array", "items": { "$ref": "#/components/schemas/Value" } } } },
                "NewValue": { "type": "object", "required": ["indicator", "period", "county", "value"], "properties": { "indicator": text1(), "period": text1(), "county": text1(), "disaggregation": s("string"), "value": { "type": ["number", "string"] }, "comment": ns("string") } },
                "ValueUpdate": { "type": "object", "required": ["value", "version"], "properties": { "value": { "type": ["number", "string", "null"] }, "comment": ns("string"), "version": version_schema("The version you read (optimistic locking)") } },
                "Milestone": { "type": "object", "properties": { "id": s("integer"), "title": s("string"), "output": ns("string"), "county": ns("string"), "due_date": s("string"), "status": s("string"), "completed_date": ns("string"), "evidence_note": s("string"), "version": s("integer") } },
                "MilestoneList": { "type": "object", "properties": { "milestones": { "type": "array", "items": { "$ref": "#/components/schemas/Milestone" } } } },
                "MilestoneInput": { "type": "object", "required": ["title", "due_date", "status"], "properties": { "title": text1(), "output": ns("string"), "county": ns("string"), "due_date": day(), "status": { "enum": ["planned", "in_progress", "completed", "delayed", "cancelled"] }, "completed_date": { "type": ["string", "null"], "description": "YYYY-MM-DD; required when completed, empty or null otherwise" }, "evidence_note": s("string") } },
                "Activity": { "type": "object", "properties": { "id": s("integer"), "code": s("string"), "title": s("string"), "status": s("string"), "percent_complete": s("integer"), "budget_minor": s("integer"), "spend_minor": s("integer"), "version": s("integer") } },
                "Progress": { "type": "object", "properties": { "id": s("integer"), "period": s("string"), "status": s("string"), "percent_complete": s("integer"), "spend_to_date_minor": s("integer"), "spend_to_date": s("string"), "note": s("string"), "workflow_status": { "enum": ["draft", "submitted", "approved", "returned"] }, "status_reason": ns("string"), "entered_by": ns("string"), "entered_at": s("string"), "version": s("integer") } },
                "ProgressList": { "type": "object", "properties": { "period": s("string"), "locked": s("boolean"), "activities": { "type": "array", "items": { "type": "object", "properties": { "activity": s("string"), "activity_id": s("integer"), "title": s("string"), "planned_start": s("string"), "planned_end": s("string"), "progress": { "oneOf": [schema_ref("Progress"), { "type": "null" }] }, "previous": { "oneOf": [schema_ref("Progress"), { "type": "null" }] } } } } } },
                "NewProgress": { "type": "object", "required": ["period", "activity", "status", "percent_complete", "spend_to_date"], "properties": { "period": text1(), "activity": { "type": "string", "minLength": 1, "description": "Activity code, e.g. LBP-A02" }, "status": { "enum": ["not_started", "in_progress", "delayed", "completed", "cancelled"] }, "percent_complete": { "type": ["integer", "string"], "minimum": 0, "maximum": 100, "description": "Whole number 0–100 (100 when completed)" }, "spend_to_date": { "type": ["number", "string"], "description": "In major units; not below the previous period's unless the note says why" }, "note": s("string") } },
                "ProgressUpdate": { "type": "object", "required": ["status", "percent_complete", "spend_to_date", "version"], "properties": { "status": { "enum": ["not_started", "in_progress", "delayed", "completed", "cancelled"] }, "percent_complete": { "type": ["integer", "string"], "minimum": 0, "maximum": 100, "description": "Whole number 0–100 (100 when completed)" }, "spend_to_date": { "type": ["number", "string"], "description": "In major units; not below the previous period's unless the note says why" }, "note": s("string"), "version": version_schema("The version you read (optimistic locking)") } },
                "ActivityList": { "type": "object", "properties": { "activities": { "type": "array", "items": { "$ref": "#/components/schemas/Activity" } } } },
                "ActivityInput": { "type": "object", "required": ["code", "title", "planned_start", "planned_end", "status"], "properties": { "code": text1(), "title": text1(), "output": ns("string"), "lead": ns("string"), "county": ns("string"), "planned_start": day(), "planned_end": day(), "actual_start": { "type": ["string", "null"], "description": "YYYY-MM-DD, or empty or null" }, "actual_end": { "type": ["string", "null"], "description": "YYYY-MM-DD, or empty or null" }, "status": { "enum": ["not_started", "in_progress", "delayed", "completed", "cancelled"] }, "percent_complete": { "type": "integer", "minimum": 0, "maximum": 100, "description": "0 when left out" }, "budget_minor": { "type": "integer", "minimum": 0, "maximum": crate::domain::plan::MAX_MONEY_MINOR, "description": "In minor units (pence, cents); 0 when left out" }, "spend_minor": { "type": "integer", "minimum": 0, "maximum": crate::domain::plan::MAX_MONEY_MINOR, "description": "In minor units; 0 when left out" } } },
            },
        },
    });
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.extend(setup_schemas());
    }
    answers_of_the_router(&mut doc);
    doc
}

/// The answers every operation can get before its handler runs, added where they apply:
/// 415 when a body is not sent as JSON (each write takes only JSON), and 422 when an
/// address part or query parameter has the wrong form (an id that is not a whole
/// number, a missing or malformed `?period=`).
fn answers_of_the_router(doc: &mut Value) {
    let error = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": schema_ref("Error") } } });
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for ops in paths.values_mut() {
        let Some(ops) = ops.as_object_mut() else {
            continue;
        };
        for op in ops.values_mut() {
            let has_body = op.get("requestBody").is_some();
            let checked_params = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["in"] == "query" || p["schema"]["type"] == "integer")
            });
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            if has_body {
                responses.entry("415").or_insert_with(|| {
                    error("The body was not sent as JSON: send it with `Content-Type: application/json`")
                });
            }
            if has_body || checked_params {
                responses.entry("422").or_insert_with(|| {
                    error("A value is wrong (the body, an id that is not a whole number, a query parameter); `field` (and `fields`) say which, and nothing was written")
                });
            }
        }
    }
}

/// The schemas of setting a programme up: each `*Input` is the fields as typed (text,
/// numbers or booleans), with those a new record needs marked required.
fn setup_schemas() -> serde_json::Map<String, Value> {
    let s = |t: &str| json!({ "type": t });
    let ns = |t: &str| json!({ "type": [t, "null"] });
    let text = |d: &str| json!({ "type": "string", "description": d });
    let date = |d: &str| json!({ "type": "string", "format": "date", "description": d });
    let figure = |d: &str| json!({ "type": ["number", "string", "null"], "description": d });
    let list =
        |d: &str| json!({ "type": ["array", "string"], "items": s("string"), "description": d });
    let effects =
        json!({ "enum": ["created", "changed", "unchanged", "archived", "restored", "removed"] });
    let programme_fields = json!({
        "code": text("Letters, digits and '-'; unique, on every report (e.g. KE-UK-MOU)"), "name": s("string"),
        "short_name": s("string"), "description": s("string"), "funder": s("string"),
        "currency": text("ISO 4217: GBP, KES, USD, EUR …"), "start_date": date("YYYY-MM-DD"), "end_date": date("YYYY-MM-DD"),
        "reporting_frequency": { "enum": ["quarterly", "monthly"], "description": "quarterly when left out" },
        "rag_green_within": figure("Green while within this % of the milestone (default 15)"),
        "rag_amber_within": figure("Amber while within this % (default 30)"),
        "iati_identifier": text("The IATI activity identifier, e.g. GB-GOV-1-300961"), "donor_reference": s("string"),
    });
    let dhis2_kinds =
        json!({ "enum": crate::dhis2::mapping::KINDS.iter().map(|k| k.0).collect::<Vec<_>>() });
    let serde_json::Value::Object(m) = json!({
        "WriteOutcome": { "type": "object", "required": ["effect", "changes"], "properties": {
            "effect": effects, "changes": { "type": "array", "items": s("string"), "description": "What changed, in words: \"unit: count → number\"" } } },
        "Removed": { "type": "object", "properties": { "id": s("integer"), "effect": { "enum": ["removed"] }, "changes": { "type": "array", "items": s("string") } } },
        "VersionOnly": { "type": "object", "required": ["version"], "properties": { "version": version_schema("The version you read (optimistic locking)") } },
        "Move": { "type": "object", "required": ["direction", "version"], "properties": { "direction": { "enum": ["up", "down"] }, "version": version_schema("The version you read (optimistic locking)") } },
        "Programme": { "type": "object", "properties": {
            "code": s("string"), "name": s("string"), "short_name": s("string"), "description": s("string"), "funder": s("string"),
            "currency": s("string"), "start_date": s("string"), "end_date": s("string"), "reporting_frequency": s("string"),
            "rag_green_within": s("number"), "rag_amber_within": s("number"), "iati_identifier": s("string"),
            "donor_reference": s("string"), "status": { "enum": ["active", "closed", "archived"] },
            "demonstration_data": s("boolean"), "version": s("integer") } },
        "NewProgrammeAnswer": { "allOf": [schema_ref("Programme"), { "type": "object", "properties": { "manager": ns("string") } }] },
        "ProgrammeInput": { "type": "object", "properties": programme_fields },
        "NewProgramme": { "allOf": [schema_ref("ProgrammeInput"), { "type": "object", "required": ["code", "name", "currency", "start_date", "end_date"],
            "properties": { "manager": text("Username of the programme's first manager") } }] },
        "ProgrammeUpdate": with_version("ProgrammeInput", &["name", "currency", "start_date", "end_date"]),
        "ProgrammeStatus": { "type": "object", "required": ["status", "version"], "properties": { "status": { "enum": ["active", "closed", "archived"] }, "version": version_schema("The version you read (optimistic locking)") } },
        "Phase": { "type": "object", "properties": { "id": s("integer"), "name": s("string"), "start_date": s("string"), "end_date": s("string"), "position": s("integer"),
            "counties": { "type": "array", "items": s("string"), "description": "County codes" }, "county_names": { "type": "array", "items": s("string") }, "version": s("integer") } },
        "PhaseInput": { "type": "object", "required": ["name", "start_date", "end_date", "counties"], "properties": {
            "name": s("string"), "start_date": date("Inside the programme"), "end_date": date("Inside the programme"),
            "counties": list("County codes (023) or names (Turkana)") } },
        "PhaseUpdate": with_version("PhaseInput", &["name", "start_date", "end_date", "counties"]),
        "Partner": { "type": "object", "properties": { "id": { "type": "integer", "description": "The organisation's id" }, "code": s("string"), "name": s("string"), "short_name": s("string"),
            "iati_type": s("string"), "iati_identifier": s("string"), "roles": { "type": "array", "items": { "enum": ["funding", "accountable", "extending", "implementing"] } }, "version": s("integer") } },
        "PartnerInput": { "type": "object", "required": ["code", "name", "roles"], "properties": {
            "code": s("string"), "name": s("string"), "short_name": s("string"),
            "iati_type": text("IATI OrganisationType code or name: 10 government, 21 international NGO, 40 multilateral, 70 private sector …"),
            "iati_identifier": text("e.g. GB-GOV-1, XM-DAC-47066"),
            "roles": list("IATI OrganisationRole words or codes 1–4: funding, accountable, extending, implementing") } },
        "PartnerUpdate": with_version("PartnerInput", &["code", "name", "roles"]),
        "Category": { "type": "object", "properties": { "id": s("integer"), "code": s("string"), "label": s("string"),
            "options": { "type": "array", "items": { "type": "object", "properties": { "code": s("string"), "label": s("string") } } }, "version": s("integer") } },
        "CategoryInput": { "type": "object", "required": ["label", "options"], "properties": {
            "code": text("Letters, digits and '_'; made from the label when left out"), "label": s("string"),
            "options": { "description": "At least two: text with one per line or ';' (\"female = Female; male = Male\"), or a list of texts or of {code, label}",
                "type": ["string", "array"], "items": { "type": ["string", "object"], "properties": { "code": s("string"), "label": s("string") } } } } },
        "CategoryUpdate": with_version("CategoryInput", &["label", "options"]),
        "Result": { "type": "object", "properties": { "id": s("integer"), "code": s("string"), "level": { "enum": ["impact", "outcome", "output"] },
            "parent": ns("string"), "statement": s("string"), "impact_weighting": ns("number"), "risk_rating": { "enum": ["low", "medium", "high", null] },
            "assumptions": s("string"), "archived": s("boolean"), "version": s("integer"),
            "weighting_problem": { "type": ["string", "null"], "description": "In write answers: why the outputs' weightings do not add up to 100 %" } } },
        "ResultInput": { "type": "object", "required": ["level", "code", "statement"], "properties": {
            "level": { "enum": ["impact", "outcome", "output"] }, "code": text("Letters, digits, '-', '.', '_'"), "statement": s("string"),
            "parent": text("Code of the impact (for an outcome) or outcome (for an output); required below the impact"),
            "impact_weighting": figure("Outputs only: % of the impact (the outputs' add up to 100)"),
            "risk_rating": { "enum": ["low", "medium", "high", ""], "description": "Outputs only" }, "assumptions": s("string") } },
        "ResultUpdate": with_version("ResultInput", &["level", "code", "statement"]),
        "Indicator": { "type": "object", "properties": { "id": s("integer"), "code": s("string"), "result": s("string"), "title": s("string"), "definition": s("string"),
            "unit": { "enum": ["count", "number", "percentage", "currency", "yes_no"] }, "direction": { "enum": ["higher", "lower"] },
            "county_aggregation": { "enum": ["sum", "mean"] }, "period_aggregation": { "enum": ["sum", "mean", "latest"] },
            "baseline": ns("number"), "baseline_date": ns("string"), "end_target": ns("number"), "end_target_date": ns("string"),
            "means_of_verification": s("string"), "data_source": s("string"), "disaggregations": { "type": "array", "items": s("string") },
            "key": s("boolean"),
            "publication_level": { "enum": ["public", "partners", "internal"] },
            "small_number_rule": { "enum": ["none", "fewer_than", "withhold"] },
            "small_number_below": ns("integer"),
            "archived": s("boolean"), "version": s("integer") } },
        "Publication": { "type": "object", "required": ["publication_level", "version"], "properties": {
            "publication_level": { "enum": ["public", "partners", "internal"], "description": "public: anything shared, the IATI file included; partners: donor and ministry reports, DHIS2, exports; internal: the tracker's pages only" },
            "small_number_rule": { "enum": ["none", "fewer_than", "withhold", null], "description": "What a county figure below N becomes outside the programme team (none when null or left out)" },
            "small_number_below": { "type": ["integer", "string", "null"], "description": "N, a whole number from 2 to 1000; required with a rule, ignored without one" },
            "version": version_schema("The indicator's version you read (optimistic locking)") } },
        "IndicatorInput": { "type": "object", "required": ["result", "code", "title", "unit", "direction", "county_rule", "period_rule"], "properties": {
            "result": text("Code of the impact, outcome or output it measures"), "code": s("string"), "title": s("string"), "definition": s("string"),
            "unit": { "enum": ["count", "number", "percentage", "currency", "yes_no"], "description": "count is whole; number is decimal" },
            "direction": { "enum": ["higher", "lower"] },
            "county_rule": { "enum": ["sum", "mean"], "description": "How counties add up (also read as county_aggregation)" },
            "period_rule": { "enum": ["sum", "mean", "latest"], "description": "How periods add up: latest for a level or a cumulative running total (also read as period_aggregation)" },
            "baseline_value": figure("Also read as baseline"), "baseline_date": date("Required with a baseline value"),
            "end_target": figure("In the indicator's unit"), "end_target_date": date("YYYY-MM-DD"),
            "means_of_verification": s("string"), "data_source": s("string"),
            "key": { "type": ["boolean", "string"], "description": "Key indicator (charted in reports): yes/no" },
            "disaggregations": list("Codes of the programme's disaggregation categories") } },
        "IndicatorUpdate": with_version("IndicatorInput", &["result", "code", "title", "unit", "direction", "county_rule", "period_rule"]),
        "Target": { "type": "object", "properties": { "id": s("integer"), "period": s("string"), "period_label": s("string"),
            "county": ns("string"), "county_name": ns("string"), "disaggregation": s("string"), "value": s("number"), "version": s("integer") } },
        "TargetSet": { "type": "object", "properties": { "indicator": s("string"), "unit": s("string"),
            "version": text("The version of the whole set: send it back to change the set"),
            "targets": { "type": "array", "items": schema_ref("Target") } } },
        "TargetInput": { "type": "object", "required": ["period", "value"], "properties": {
            "period": text("Quarter (2026Q3), half-year (2026S1) or Kenyan fiscal year (2026July); a month (202609) for a monthly programme"),
            "county": text("Empty or null for the programme; else a county code or name covered by a phase"),
            "disaggregation": text("Empty for the total; else category=option, e.g. sex=female"),
            "value": figure("In the indicator's unit; blank removes the target"),
            "version": version_schema("The target's version as read, for one that exists") } },
        "TargetsUpdate": { "type": "object", "required": ["version", "targets"], "properties": {
            "version": text("The set's version from GET …/targets; a newer set answers 409"),
            "targets": { "type": "array", "items": schema_ref("TargetInput"), "description": "The whole set: stored targets left out are removed ([] removes all)" } } },
        "BudgetLine": { "type": "object", "properties": { "id": s("integer"), "output": s("string"), "activity": ns("string"),
            "fiscal_year": text("e.g. 2025July"), "fiscal_year_label": text("e.g. 2025/26"), "amount": text("In major units: 125000.00"),
            "amount_minor": s("integer"), "currency": s("string"), "description": s("string"), "version": s("integer") } },
        "Budget": { "type": "object", "properties": { "currency": s("string"), "total": s("string"), "total_minor": s("integer"),
            "lines": { "type": "array", "items": schema_ref("BudgetLine") } } },
        "BudgetInput": { "type": "object", "required": ["output", "fiscal_year", "amount"], "properties": {
            "output": text("Output code"), "activity": text("Code of one of the output's activities, or empty for the output as a whole"),
            "fiscal_year": text("Kenyan fiscal year: 2025July, 2025/26 or FY 2025/26"),
            "amount": figure("In major units of the programme's currency, 0 to 1,000,000,000,000: 125000 or \"125,000.00\""), "description": s("string") } },
        "BudgetUpdate": with_version("BudgetInput", &["output", "fiscal_year", "amount"]),
        "DhisMapping": { "type": "object", "properties": {
            "kind": dhis2_kinds.clone(),
            "item": text("Indicator code, county code, category=option for a part, a category code; empty for the total and the programme"),
            "label": s("string"), "code": text("As stored; empty when not mapped"), "uid": text("As stored; empty when not mapped"),
            "default_code": text("Used when nothing is stored (a county's KNBS code, `default` for the total)"), "default_uid": s("string"),
            "mapped": { "type": "boolean", "description": "Whether an exchange can name it (stored or by default)" } } },
        "DhisMappingSet": { "type": "object", "properties": { "programme": s("string"),
            "version": { "type": "integer", "format": "int32", "minimum": 0, "maximum": i32::MAX, "description": "The set's version: 0 before it is first saved" },
            "mappings": { "type": "array", "items": schema_ref("DhisMapping") } } },
        "DhisMappingsSaved": { "allOf": [schema_ref("DhisMappingSet"), { "type": "object", "properties": { "changes": { "type": "integer", "minimum": 0, "description": "How many mappings changed" } } }] },
        "DhisMappingInput": { "type": "object", "required": ["kind"], "properties": {
            "kind": dhis2_kinds,
            "item": text("As GET gives it; empty or left out for the total and the programme"),
            "code": { "type": ["string", "null"], "description": "DHIS2 code; empty or null for none" },
            "uid": { "type": ["string", "null"], "description": "DHIS2 UID (11 letters and digits, a letter first); empty or null for none; ADX kinds take none" } } },
        "DhisMappingsUpdate": { "type": "object", "required": ["version", "mappings"], "properties": {
            "version": { "type": "integer", "format": "int32", "minimum": 0, "maximum": i32::MAX, "description": "The set's version from GET …/dhis2/mappings; a newer set answers 409 with `current`" },
            "mappings": { "type": "array", "items": schema_ref("DhisMappingInput"), "description": "The whole set: stored mappings left out are cleared (other fields GET gives, such as label, are ignored)" } } },
        "MilestoneUpdate": with_version("MilestoneInput", &[]),
        "ActivityUpdate": with_version("ActivityInput", &[]),
    }) else {
        return serde_json::Map::new();
    };
    m
}

/// The OpenAPI document itself (public, like /health: it holds no data).
#[rocket::get("/openapi.json")]
pub fn document() -> Json<Value> {
    Json(spec())
}
