//! The tables, written by hand so one schema serves both backends: only types that
//! SQLite and PostgreSQL map the same way (Integer, BigInt, Double, Text, Bool, Date,
//! Timestamp as UTC, Binary). Keep in step with `migrations/{sqlite,postgres}`.

diesel::table! {
    locations (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        level -> Text,
        parent_id -> Nullable<Integer>,
        mou_initial -> Bool,
        borders -> Text,
    }
}

diesel::table! {
    organisations (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        short_name -> Text,
        iati_type -> Text,
        iati_identifier -> Text,
        version -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
        display_name -> Text,
        email -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        is_active -> Bool,
        created_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    programmes (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        description -> Text,
        currency -> Text,
        start_date -> Date,
        end_date -> Date,
        is_demo -> Bool,
        rag_green_within -> Double,
        rag_amber_within -> Double,
        created_at -> Timestamp,
        short_name -> Text,
        funder -> Text,
        reporting_frequency -> Text,
        iati_identifier -> Text,
        donor_reference -> Text,
        status -> Text,
        version -> Integer,
        data_version -> BigInt,
        iati_sectors -> Text,
    }
}

diesel::table! {
    programme_organisations (id) {
        id -> Integer,
        programme_id -> Integer,
        organisation_id -> Integer,
        role -> Text,
    }
}

diesel::table! {
    phases (id) {
        id -> Integer,
        programme_id -> Integer,
        name -> Text,
        start_date -> Date,
        end_date -> Date,
        position -> Integer,
        version -> Integer,
    }
}

diesel::table! {
    phase_counties (phase_id, location_id) {
        phase_id -> Integer,
        location_id -> Integer,
    }
}

diesel::table! {
    results (id) {
        id -> Integer,
        programme_id -> Integer,
        parent_id -> Nullable<Integer>,
        level -> Text,
        code -> Text,
        statement -> Text,
        impact_weighting -> Nullable<Double>,
        risk_rating -> Nullable<Text>,
        assumptions -> Text,
        position -> Integer,
        archived -> Bool,
        version -> Integer,
    }
}

diesel::table! {
    indicators (id) {
        id -> Integer,
        programme_id -> Integer,
        result_id -> Integer,
        code -> Text,
        title -> Text,
        definition -> Text,
        unit -> Text,
        direction -> Text,
        county_aggregation -> Text,
        period_aggregation -> Text,
        baseline_value -> Nullable<Double>,
        baseline_date -> Nullable<Date>,
        end_target -> Nullable<Double>,
        means_of_verification -> Text,
        disaggregations -> Text,
        is_key -> Bool,
        position -> Integer,
        end_target_date -> Nullable<Date>,
        data_source -> Text,
        archived -> Bool,
        version -> Integer,
        publication_level -> Text,
        small_number_rule -> Text,
        small_number_below -> Nullable<Integer>,
    }
}

diesel::table! {
    indicator_targets (id) {
        id -> Integer,
        indicator_id -> Integer,
        period -> Text,
        period_start -> Date,
        period_end -> Date,
        value -> Double,
        location_id -> Nullable<Integer>,
        disaggregation -> Text,
        version -> Integer,
    }
}

diesel::table! {
    disaggregation_categories (id) {
        id -> Integer,
        programme_id -> Integer,
        code -> Text,
        label -> Text,
        position -> Integer,
        version -> Integer,
    }
}

diesel::table! {
    disaggregation_options (id) {
        id -> Integer,
        category_id -> Integer,
        code -> Text,
        label -> Text,
        position -> Integer,
    }
}

diesel::table! {
    logframe_uploads (id) {
        id -> Integer,
        programme_id -> Integer,
        user_id -> Integer,
        file_name -> Text,
        sha256 -> Text,
        content -> Binary,
        plan_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    budget_lines (id) {
        id -> Integer,
        programme_id -> Integer,
        result_id -> Integer,
        activity_id -> Nullable<Integer>,
        fiscal_year -> Text,
        amount_minor -> BigInt,
        description -> Text,
        version -> Integer,
    }
}

diesel::table! {
    indicator_values (id) {
        id -> Integer,
        indicator_id -> Integer,
        period -> Text,
        period_start -> Date,
        period_end -> Date,
        location_id -> Integer,
        disaggregation -> Text,
        value -> Double,
        comment -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        entered_by -> Nullable<Integer>,
        entered_at -> Timestamp,
        reviewed_by -> Nullable<Integer>,
        reviewed_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    programme_milestones (id) {
        id -> Integer,
        programme_id -> Integer,
        result_id -> Nullable<Integer>,
        location_id -> Nullable<Integer>,
        title -> Text,
        due_date -> Date,
        status -> Text,
        completed_date -> Nullable<Date>,
        evidence_note -> Text,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activities (id) {
        id -> Integer,
        programme_id -> Integer,
        result_id -> Nullable<Integer>,
        code -> Text,
        title -> Text,
        lead_organisation_id -> Nullable<Integer>,
        location_id -> Nullable<Integer>,
        planned_start -> Date,
        planned_end -> Date,
        actual_start -> Nullable<Date>,
        actual_end -> Nullable<Date>,
        status -> Text,
        percent_complete -> Integer,
        budget_minor -> BigInt,
        spend_minor -> BigInt,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activity_progress (id) {
        id -> Integer,
        activity_id -> Integer,
        period -> Text,
        period_start -> Date,
        period_end -> Date,
        status -> Text,
        percent_complete -> Integer,
        spend_to_date_minor -> BigInt,
        note -> Text,
        workflow_status -> Text,
        status_reason -> Nullable<Text>,
        entered_by -> Nullable<Integer>,
        entered_at -> Timestamp,
        reviewed_by -> Nullable<Integer>,
        reviewed_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    user_roles (id) {
        id -> Integer,
        user_id -> Integer,
        programme_id -> Integer,
        role -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        user_id -> Nullable<Integer>,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<Integer>,
        programme_id -> Nullable<Integer>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::table! {
    issued_reports (id) {
        id -> Integer,
        programme_id -> Nullable<Integer>,
        kind -> Text,
        period -> Text,
        version -> Integer,
        file_path -> Text,
        sha256 -> Text,
        data_hash -> Text,
        size_bytes -> BigInt,
        issued_by -> Nullable<Integer>,
        issued_at -> Timestamp,
        reason -> Nullable<Text>,
        approval -> Nullable<Text>,
        snapshot -> Nullable<Binary>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Integer,
        token_hash -> Text,
        user_id -> Integer,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        ip -> Text,
        user_agent -> Text,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Integer,
        username -> Text,
        ip -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    period_locks (id) {
        id -> Integer,
        programme_id -> Integer,
        period -> Text,
        locked_by -> Nullable<Integer>,
        locked_at -> Timestamp,
        unlocked_by -> Nullable<Integer>,
        unlocked_at -> Nullable<Timestamp>,
        unlock_reason -> Nullable<Text>,
    }
}

diesel::table! {
    csv_uploads (id) {
        id -> Integer,
        programme_id -> Integer,
        user_id -> Integer,
        file_name -> Text,
        sha256 -> Text,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    period_narratives (id) {
        id -> Integer,
        programme_id -> Integer,
        period -> Text,
        achievements -> Text,
        issues -> Text,
        risks -> Text,
        updated_by -> Nullable<Integer>,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    output_narratives (id) {
        id -> Integer,
        programme_id -> Integer,
        result_id -> Integer,
        period -> Text,
        narrative -> Text,
        updated_by -> Nullable<Integer>,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    indicator_links (id) {
        id -> Integer,
        indicator_id -> Integer,
        continues_id -> Nullable<Integer>,
        effective_period -> Nullable<Text>,
        definition_changed -> Bool,
        note -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    saved_comparisons (id) {
        id -> Integer,
        programme_id -> Integer,
        name -> Text,
        query -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evidence_blobs (sha256) {
        sha256 -> Text,
        size_bytes -> BigInt,
        content -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evidence_files (id) {
        id -> Integer,
        programme_id -> Integer,
        target -> Text,
        indicator_id -> Nullable<Integer>,
        location_id -> Nullable<Integer>,
        period -> Nullable<Text>,
        period_start -> Nullable<Date>,
        period_end -> Nullable<Date>,
        milestone_id -> Nullable<Integer>,
        activity_id -> Nullable<Integer>,
        sha256 -> Text,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        uploaded_by -> Nullable<Integer>,
        uploaded_at -> Timestamp,
        archived -> Bool,
        archived_by -> Nullable<Integer>,
        archived_at -> Nullable<Timestamp>,
        archive_reason -> Nullable<Text>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(mail_outbox -> users (user_id));
diesel::joinable!(mail_optouts -> users (user_id));
diesel::joinable!(programme_organisations -> programmes (programme_id));
diesel::joinable!(programme_organisations -> organisations (organisation_id));
diesel::joinable!(phases -> programmes (programme_id));
diesel::joinable!(phase_counties -> phases (phase_id));
diesel::joinable!(phase_counties -> locations (location_id));
diesel::joinable!(results -> programmes (programme_id));
diesel::joinable!(indicators -> results (result_id));
diesel::joinable!(indicators -> programmes (programme_id));
diesel::joinable!(indicator_targets -> indicators (indicator_id));
diesel::joinable!(disaggregation_categories -> programmes (programme_id));
diesel::joinable!(disaggregation_options -> disaggregation_categories (category_id));
diesel::joinable!(budget_lines -> programmes (programme_id));
diesel::joinable!(budget_lines -> results (result_id));
diesel::joinable!(indicator_values -> indicators (indicator_id));
diesel::joinable!(indicator_values -> locations (location_id));
diesel::joinable!(programme_milestones -> programmes (programme_id));
diesel::joinable!(activities -> programmes (programme_id));
diesel::joinable!(activities -> organisations (lead_organisation_id));
diesel::joinable!(activity_progress -> activities (activity_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(user_roles -> programmes (programme_id));
diesel::joinable!(output_narratives -> results (result_id));
diesel::joinable!(evidence_files -> programmes (programme_id));
diesel::joinable!(evidence_files -> indicators (indicator_id));
diesel::joinable!(evidence_files -> locations (location_id));

diesel::table! {
    mail_outbox (id) {
        id -> Integer,
        kind -> Text,
        user_id -> Integer,
        programme_id -> Nullable<Integer>,
        to_address -> Text,
        subject -> Text,
        body -> Text,
        dedupe_key -> Nullable<Text>,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Text,
    }
}

diesel::table! {
    mail_optouts (user_id, kind) {
        user_id -> Integer,
        kind -> Text,
    }
}

diesel::table! {
    iati_publications (id) {
        id -> Integer,
        programme_id -> Integer,
        version -> Integer,
        content -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        results -> Integer,
        actuals -> Integer,
        published_by -> Nullable<Integer>,
        published_at -> Timestamp,
    }
}

diesel::table! {
    dhis2_mappings (id) {
        id -> Integer,
        programme_id -> Integer,
        kind -> Text,
        item -> Text,
        code -> Text,
        uid -> Text,
    }
}

diesel::table! {
    dhis2_mapping_sets (programme_id) {
        programme_id -> Integer,
        version -> Integer,
        updated_by -> Nullable<Integer>,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    locations,
    organisations,
    users,
    programmes,
    programme_organisations,
    phases,
    phase_counties,
    results,
    indicators,
    indicator_targets,
    indicator_values,
    programme_milestones,
    activities,
    activity_progress,
    user_roles,
    audit_log,
    issued_reports,
    sessions,
    login_failures,
    api_tokens,
    period_locks,
    csv_uploads,
    period_narratives,
    output_narratives,
    indicator_links,
    saved_comparisons,
    disaggregation_categories,
    disaggregation_options,
    budget_lines,
    logframe_uploads,
    mail_outbox,
    mail_optouts,
    iati_publications,
    evidence_blobs,
    evidence_files,
    dhis2_mappings,
    dhis2_mapping_sets,
);
