//! Identities and usage control (see [`crate::db::identities`], [`crate::db::limits`]).

diesel::table! {
    identities (id) {
        id -> BigInt,
        public_id -> Text,
        external_id -> Text,
        name -> Text,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    identity_scopes (identity_id, scope_id) {
        identity_id -> BigInt,
        scope_id -> BigInt,
    }
}

diesel::table! {
    rate_limits (id) {
        id -> BigInt,
        token_id -> Nullable<BigInt>,
        identity_id -> Nullable<BigInt>,
        name -> Text,
        max_requests -> BigInt,
        period_seconds -> Integer,
    }
}

diesel::table! {
    credits (id) {
        id -> BigInt,
        token_id -> Nullable<BigInt>,
        identity_id -> Nullable<BigInt>,
        remaining -> BigInt,
        refill_period -> Nullable<Text>,
        refill_amount -> Nullable<BigInt>,
        refilled_at -> Nullable<Timestamp>,
        version -> Integer,
        updated_at -> Timestamp,
        granted -> BigInt,
        notified_level -> Integer,
    }
}

diesel::joinable!(identity_scopes -> identities (identity_id));
diesel::allow_tables_to_appear_in_same_query!(rate_limits, credits);
