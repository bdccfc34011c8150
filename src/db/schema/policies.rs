//! The scopes' policies (see [`crate::db::scope_policies`]).

diesel::table! {
    scope_policies (scope_id) {
        scope_id -> BigInt,
        max_lifetime_days -> Nullable<Integer>,
        expiry_required -> Bool,
        allow_read_only -> Bool,
        allow_full_access -> Bool,
        allow_custom -> Bool,
        limits_grants -> Bool,
        networks_required -> Bool,
        show_again -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scope_policy_grants (scope_id, module_id, action) {
        scope_id -> BigInt,
        module_id -> BigInt,
        action -> Text,
    }
}

diesel::joinable!(scope_policy_grants -> scope_policies (scope_id));
diesel::allow_tables_to_appear_in_same_query!(scope_policies, scope_policy_grants);
