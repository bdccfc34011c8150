//! The token counts: per (set of scopes, stored status), and the changes not yet
//! folded into them (see [`crate::db::token_counts`]).

diesel::table! {
    token_counts (scope_set, status) {
        scope_set -> Text,
        status -> SmallInt,
        tokens -> BigInt,
    }
}

diesel::table! {
    token_count_changes (id) {
        id -> BigInt,
        scope_set -> Text,
        status -> SmallInt,
        change -> Integer,
    }
}
