// The database schema, shared by the SQLite and PostgreSQL migrations.
// Only types both backends support through `MultiConnection` are used:
// BigInt, Integer, Text, Timestamp (flags are nullable timestamps).

mod bulk;
mod control;
mod counts;
mod policies;
mod usage;
pub use bulk::*;
pub use control::*;
pub use counts::*;
pub use policies::*;
pub use usage::*;

diesel::table! {
    server_settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    setup_codes (code_digest) {
        code_digest -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    roles (role_key) {
        role_key -> Text,
        name -> Text,
        description -> Text,
        position -> Integer,
    }
}

diesel::table! {
    role_permissions (role_key, permission) {
        role_key -> Text,
        permission -> Text,
    }
}

diesel::table! {
    administrators (id) {
        id -> BigInt,
        public_id -> Text,
        display_name -> Text,
        email -> Text,
        password_hash -> Text,
        role_key -> Text,
        disabled_at -> Nullable<Timestamp>,
        password_changed_at -> Timestamp,
        last_sign_in_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        expiry_mail_own -> Bool,
        expiry_mail_scopes -> Bool,
        sso_issuer -> Nullable<Text>,
        sso_subject -> Nullable<Text>,
    }
}

diesel::table! {
    sign_in_links (code_digest) {
        code_digest -> Text,
        administrator_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    scopes (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    administrator_scopes (administrator_id, scope_id) {
        administrator_id -> BigInt,
        scope_id -> BigInt,
    }
}

diesel::table! {
    modules (id) {
        id -> BigInt,
        module_key -> Text,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    module_path_prefixes (module_id, path_prefix) {
        module_id -> BigInt,
        path_prefix -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        guid -> Text,
        name -> Text,
        name_key -> Text,
        description -> Text,
        token_type -> Text,
        capabilities -> Text,
        secret_digest -> Text,
        secret_hint -> Text,
        previous_secret_digest -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        secret_ciphertext -> Nullable<Text>,
        valid_from -> Timestamp,
        valid_to -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        last_used_ip -> Nullable<Text>,
        last_used_user_agent -> Nullable<Text>,
        version -> Integer,
        status -> SmallInt,
        status_until -> Nullable<Timestamp>,
        scope_set -> Text,
        identity_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_token_permissions (token_id, module_id, action) {
        token_id -> BigInt,
        module_id -> BigInt,
        action -> Text,
    }
}

diesel::table! {
    api_token_scopes (token_id, scope_id) {
        token_id -> BigInt,
        scope_id -> BigInt,
        live_name_key -> Nullable<Text>,
    }
}

diesel::table! {
    api_token_allowed_networks (token_id, cidr) {
        token_id -> BigInt,
        cidr -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor_label -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Text>,
        target_label -> Text,
        ip -> Nullable<Text>,
        details -> Text,
        via_api_key -> Nullable<Text>,
        batch_id -> Nullable<Text>,
    }
}

diesel::table! {
    admin_api_keys (id) {
        id -> BigInt,
        public_id -> Text,
        administrator_id -> BigInt,
        name -> Text,
        secret_digest -> Text,
        secret_hint -> Text,
        permissions -> Text,
        every_scope -> Bool,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        last_used_ip -> Nullable<Text>,
        last_used_user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    admin_api_key_scopes (api_key_id, scope_id) {
        api_key_id -> BigInt,
        scope_id -> BigInt,
    }
}

diesel::table! {
    api_idempotency_keys (api_key_id, idempotency_key) {
        api_key_id -> BigInt,
        idempotency_key -> Text,
        request_digest -> Text,
        token_guid -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (key_digest) {
        key_digest -> Text,
        administrator_id -> Nullable<BigInt>,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_throttle (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        public_id -> Text,
        url -> Text,
        description -> Text,
        events -> Text,
        enabled -> Bool,
        secret_sealed -> Text,
        previous_secret_sealed -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        every_scope -> Bool,
    }
}

diesel::table! {
    webhook_endpoint_scopes (endpoint_id, scope_id) {
        endpoint_id -> BigInt,
        scope_id -> BigInt,
    }
}

diesel::table! {
    outbox_events (id) {
        id -> BigInt,
        event_type -> Text,
        message_id -> Text,
        payload -> Text,
        scope_ids -> Text,
        created_at -> Timestamp,
        dispatched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> BigInt,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_duration_ms -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        last_answer -> Nullable<Text>,
    }
}

diesel::table! {
    expiry_notices (token_id, lead_days, valid_to) {
        token_id -> BigInt,
        lead_days -> Integer,
        valid_to -> Timestamp,
        noticed_at -> Timestamp,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::joinable!(role_permissions -> roles (role_key));
diesel::joinable!(administrators -> roles (role_key));
diesel::joinable!(administrator_scopes -> administrators (administrator_id));
diesel::joinable!(administrator_scopes -> scopes (scope_id));
diesel::joinable!(module_path_prefixes -> modules (module_id));
diesel::joinable!(api_tokens -> administrators (created_by));
diesel::joinable!(api_token_permissions -> api_tokens (token_id));
diesel::joinable!(api_token_permissions -> modules (module_id));
diesel::joinable!(api_token_scopes -> api_tokens (token_id));
diesel::joinable!(api_token_scopes -> scopes (scope_id));
diesel::joinable!(api_token_allowed_networks -> api_tokens (token_id));
diesel::joinable!(audit_events -> administrators (actor_id));
diesel::joinable!(sessions -> administrators (administrator_id));
diesel::joinable!(sign_in_links -> administrators (administrator_id));
diesel::joinable!(admin_api_keys -> administrators (administrator_id));
diesel::joinable!(admin_api_key_scopes -> admin_api_keys (api_key_id));
diesel::joinable!(admin_api_key_scopes -> scopes (scope_id));
diesel::joinable!(webhook_endpoint_scopes -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_endpoint_scopes -> scopes (scope_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> outbox_events (event_id));
diesel::joinable!(expiry_notices -> api_tokens (token_id));
diesel::joinable!(api_tokens -> identities (identity_id));
diesel::joinable!(identity_scopes -> scopes (scope_id));

diesel::allow_tables_to_appear_in_same_query!(
    server_settings,
    setup_codes,
    roles,
    sign_in_links,
    role_permissions,
    administrators,
    scopes,
    administrator_scopes,
    modules,
    module_path_prefixes,
    api_tokens,
    api_token_permissions,
    api_token_scopes,
    api_token_allowed_networks,
    audit_events,
    sessions,
    sign_in_throttle,
    admin_api_keys,
    admin_api_key_scopes,
    api_idempotency_keys,
    webhook_endpoints,
    webhook_endpoint_scopes,
    outbox_events,
    webhook_deliveries,
    expiry_notices,
    mail_outbox,
    identities,
    identity_scopes,
);
