//! The OpenAPI 3 description of /api/v1. `tests/api` checks that its paths and methods
//! are exactly the routes mounted, so the two cannot drift apart.

use rocket::serde::json::{json, Json, Value};

fn param(name: &str, place: &str, description: &str, required: bool) -> Value {
    json!({ "name": name, "in": place, "required": required, "description": description, "schema": { "type": "string" } })
}

fn code() -> Value {
    param("code", "path", "Programme code, e.g. LBP", true)
}

fn id() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
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

pub fn spec() -> Value {
    let s = |t: &str| json!({ "type": t });
    let ns = |t: &str| json!({ "type": [t, "null"] });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Mipaka API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Monitoring and evaluation data of Kenya's border-security programmes. Authenticate with a personal token from your account page: `Authorization: Bearer mpk_…`. Writes go through the same checks as the pages and are audited; updates carry the `version` they read and a stale one answers 409 with the current record.",
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/openapi.json": { "get": { "summary": "This document", "security": [], "responses": { "200": { "description": "OpenAPI 3 document" } } } },
            "/me": { "get": read("The token's user and roles", vec![], "Me") },
            "/programmes": { "get": read("Programmes you may see", vec![], "ProgrammeList") },
            "/programmes/{code}": { "get": read("A programme with each indicator's latest figure, milestone, % achieved and RAG", vec![code()], "ProgrammeFigures") },
            "/programmes/{code}/results": { "get": read("The results framework", vec![code()], "ResultList") },
            "/programmes/{code}/indicators": { "get": read("Indicator definitions", vec![code()], "IndicatorList") },
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
            "/programmes/{code}/values/{id}": { "put": write("Change a value from the version you read", vec![code(), id()], "ValueUpdate", "200", "Value") },
            "/programmes/{code}/milestones": {
                "get": read("Programme milestones", vec![code()], "MilestoneList"),
                "post": write("Create a programme milestone", vec![code()], "MilestoneInput", "201", "Milestone"),
            },
            "/programmes/{code}/milestones/{id}": { "put": write("Change a milestone from the version you read", vec![code(), id()], "MilestoneInput", "200", "Milestone") },
            "/programmes/{code}/activities": {
                "get": read("Activities", vec![code()], "ActivityList"),
                "post": write("Create an activity", vec![code()], "ActivityInput", "201", "Activity"),
            },
            "/programmes/{code}/activities/{id}": { "put": write("Change an activity from the version you read", vec![code(), id()], "ActivityInput", "200", "Activity") },
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": {
                    "status": s("integer"), "message": s("string"), "field": ns("string"), "reference": ns("string"),
                    "fields": { "type": "object", "additionalProperties": s("string") } } }, "current": { "description": "On 409: the record as it is now" } } },
                "Me": { "type": "object", "properties": { "username": s("string"), "name": s("string"), "is_admin": s("boolean"), "roles": { "type": "array", "items": { "type": "object", "properties": { "programme": s("string"), "role": { "enum": ["manager", "me_officer", "evaluator", "donor"] } } } } } },
                "ProgrammeList": { "type": "object", "properties": { "programmes": { "type": "array", "items": { "type": "object", "properties": { "code": s("string"), "name": s("string"), "currency": s("string"), "start_date": s("string"), "end_date": s("string"), "demonstration_data": s("boolean") } } } } },
                "ProgrammeFigures": { "type": "object", "properties": { "code": s("string"), "indicators": { "type": "array", "items": { "type": "object", "properties": {
                    "code": s("string"), "latest": { "type": ["object", "null"] }, "pending": { "type": ["object", "null"] }, "milestone": ns("number"), "percent_achieved": ns("number"), "rag": { "enum": ["green", "amber", "red", null] } } } } } },
                "ResultList": { "type": "object", "properties": { "results": { "type": "array", "items": { "type": "object", "properties": { "code": s("string"), "level": { "enum": ["impact", "outcome", "output"] }, "parent": ns("string"), "statement": s("string"), "impact_weighting": ns("number"), "risk_rating": ns("string") } } } } },
                "IndicatorList": { "type": "object", "properties": { "indicators": { "type": "array", "items": { "type": "object", "properties": { "code": s("string"), "unit": { "enum": ["count", "percentage", "currency", "yes_no"] }, "direction": { "enum": ["higher", "lower"] }, "county_aggregation": { "enum": ["sum", "mean"] }, "period_aggregation": { "enum": ["sum", "mean", "latest"] }, "disaggregations": { "type": "array", "items": s("string") } } } } } },
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
                                "cells": { "type": "array", "items": { "type": "object", "properties": { "source": s("string"), "value": ns("number"), "reported": s("integer"), "expected": s("integer"), "target": ns("number"), "achievement": ns("number") } } },
                                "changes": { "type": "array", "items": { "type": ["object", "null"], "properties": { "absolute": s("number"), "percent": ns("number"), "verdict": { "enum": ["better", "worse", "same"] } } } } } } },
                            "did": { "type": "array", "items": { "type": ["object", "null"], "properties": { "value": s("number"), "verdict": { "enum": ["better", "worse", "same"] }, "sentence": s("string") } } },
                            "flags": { "type": "array", "items": s("string") } } } } } },
                    "counties": { "type": ["object", "null"] } } },
                "ValueList": { "type": "object", "properties": { "values": { "type": "array", "items": { "$ref": "#/components/schemas/Value" } } } },
                "NewValue": { "type": "object", "required": ["indicator", "period", "county", "value"], "properties": { "indicator": s("string"), "period": s("string"), "county": s("string"), "disaggregation": s("string"), "value": { "type": ["number", "string"] }, "comment": ns("string") } },
                "ValueUpdate": { "type": "object", "required": ["value", "version"], "properties": { "value": { "type": ["number", "string", "null"] }, "comment": ns("string"), "version": s("integer") } },
                "Milestone": { "type": "object", "properties": { "id": s("integer"), "title": s("string"), "output": ns("string"), "county": ns("string"), "due_date": s("string"), "status": s("string"), "completed_date": ns("string"), "evidence_note": s("string"), "version": s("integer") } },
                "MilestoneList": { "type": "object", "properties": { "milestones": { "type": "array", "items": { "$ref": "#/components/schemas/Milestone" } } } },
                "MilestoneInput": { "type": "object", "required": ["title", "due_date", "status"], "properties": { "title": s("string"), "output": ns("string"), "county": ns("string"), "due_date": s("string"), "status": { "enum": ["planned", "in_progress", "completed", "delayed", "cancelled"] }, "completed_date": ns("string"), "evidence_note": s("string"), "version": { "type": "integer", "description": "Required on PUT" } } },
                "Activity": { "type": "object", "properties": { "id": s("integer"), "code": s("string"), "title": s("string"), "status": s("string"), "percent_complete": s("integer"), "budget_minor": s("integer"), "spend_minor": s("integer"), "version": s("integer") } },
                "ActivityList": { "type": "object", "properties": { "activities": { "type": "array", "items": { "$ref": "#/components/schemas/Activity" } } } },
                "ActivityInput": { "type": "object", "required": ["code", "title", "planned_start", "planned_end", "status"], "properties": { "code": s("string"), "title": s("string"), "output": ns("string"), "lead": ns("string"), "county": ns("string"), "planned_start": s("string"), "planned_end": s("string"), "actual_start": ns("string"), "actual_end": ns("string"), "status": { "enum": ["not_started", "in_progress", "delayed", "completed", "cancelled"] }, "percent_complete": s("integer"), "budget_minor": { "type": "integer", "description": "In minor units (pence, cents)" }, "spend_minor": s("integer"), "version": { "type": "integer", "description": "Required on PUT" } } },
            },
        },
    })
}

/// The OpenAPI document itself (public, like /health: it holds no data).
#[rocket::get("/openapi.json")]
pub fn document() -> Json<Value> {
    Json(spec())
}
