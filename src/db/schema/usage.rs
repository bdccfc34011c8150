//! The usage tables: counts by day with a column per hour (see
//! [`crate::domain::usage`]), the last use of each granted permission, and the
//! clients seen with each token.

use super::{api_token_scopes, api_tokens, modules};

diesel::table! {
    token_usage (token_id, day, outcome, module, action) {
        token_id -> BigInt,
        day -> Integer,
        outcome -> Text,
        module -> Text,
        action -> Text,
        h0 -> Nullable<Integer>,
        h1 -> Nullable<Integer>,
        h2 -> Nullable<Integer>,
        h3 -> Nullable<Integer>,
        h4 -> Nullable<Integer>,
        h5 -> Nullable<Integer>,
        h6 -> Nullable<Integer>,
        h7 -> Nullable<Integer>,
        h8 -> Nullable<Integer>,
        h9 -> Nullable<Integer>,
        h10 -> Nullable<Integer>,
        h11 -> Nullable<Integer>,
        h12 -> Nullable<Integer>,
        h13 -> Nullable<Integer>,
        h14 -> Nullable<Integer>,
        h15 -> Nullable<Integer>,
        h16 -> Nullable<Integer>,
        h17 -> Nullable<Integer>,
        h18 -> Nullable<Integer>,
        h19 -> Nullable<Integer>,
        h20 -> Nullable<Integer>,
        h21 -> Nullable<Integer>,
        h22 -> Nullable<Integer>,
        h23 -> Nullable<Integer>,
        total -> BigInt,
    }
}

diesel::table! {
    unknown_token_usage (day, client_ip) {
        day -> Integer,
        client_ip -> Text,
        h0 -> Nullable<Integer>,
        h1 -> Nullable<Integer>,
        h2 -> Nullable<Integer>,
        h3 -> Nullable<Integer>,
        h4 -> Nullable<Integer>,
        h5 -> Nullable<Integer>,
        h6 -> Nullable<Integer>,
        h7 -> Nullable<Integer>,
        h8 -> Nullable<Integer>,
        h9 -> Nullable<Integer>,
        h10 -> Nullable<Integer>,
        h11 -> Nullable<Integer>,
        h12 -> Nullable<Integer>,
        h13 -> Nullable<Integer>,
        h14 -> Nullable<Integer>,
        h15 -> Nullable<Integer>,
        h16 -> Nullable<Integer>,
        h17 -> Nullable<Integer>,
        h18 -> Nullable<Integer>,
        h19 -> Nullable<Integer>,
        h20 -> Nullable<Integer>,
        h21 -> Nullable<Integer>,
        h22 -> Nullable<Integer>,
        h23 -> Nullable<Integer>,
        total -> BigInt,
    }
}

diesel::table! {
    token_permission_uses (token_id, module, action) {
        token_id -> BigInt,
        module -> Text,
        action -> Text,
        last_used_at -> Timestamp,
    }
}

diesel::table! {
    token_clients (token_id, client_ip, user_agent) {
        token_id -> BigInt,
        client_ip -> Text,
        user_agent -> Text,
        first_seen -> Timestamp,
        last_seen -> Timestamp,
    }
}

diesel::table! {
    token_usage_facts (token_id) {
        token_id -> BigInt,
        modules_used_at -> Nullable<Timestamp>,
        grants_used_until -> Timestamp,
        sixth_address_seen -> Nullable<Timestamp>,
        newest_address_since -> Nullable<Timestamp>,
        oldest_address_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    scope_set_usage (scope_set, day, outcome) {
        scope_set -> Text,
        day -> Integer,
        outcome -> Text,
        h0 -> Nullable<Integer>,
        h1 -> Nullable<Integer>,
        h2 -> Nullable<Integer>,
        h3 -> Nullable<Integer>,
        h4 -> Nullable<Integer>,
        h5 -> Nullable<Integer>,
        h6 -> Nullable<Integer>,
        h7 -> Nullable<Integer>,
        h8 -> Nullable<Integer>,
        h9 -> Nullable<Integer>,
        h10 -> Nullable<Integer>,
        h11 -> Nullable<Integer>,
        h12 -> Nullable<Integer>,
        h13 -> Nullable<Integer>,
        h14 -> Nullable<Integer>,
        h15 -> Nullable<Integer>,
        h16 -> Nullable<Integer>,
        h17 -> Nullable<Integer>,
        h18 -> Nullable<Integer>,
        h19 -> Nullable<Integer>,
        h20 -> Nullable<Integer>,
        h21 -> Nullable<Integer>,
        h22 -> Nullable<Integer>,
        h23 -> Nullable<Integer>,
        total -> BigInt,
    }
}

diesel::table! {
    usage_leaders (period, ranking, scope_set, token_id) {
        period -> Text,
        ranking -> Text,
        scope_set -> Text,
        token_id -> BigInt,
        requests -> BigInt,
        refused -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(token_usage, api_tokens);
diesel::allow_tables_to_appear_in_same_query!(token_usage, api_token_scopes);
diesel::allow_tables_to_appear_in_same_query!(token_permission_uses, api_tokens);
diesel::allow_tables_to_appear_in_same_query!(token_permission_uses, modules);
