//! Bulk actions: what each did, token by token (see [`crate::db::bulk_actions`]).

diesel::table! {
    bulk_actions (batch_id) {
        batch_id -> Text,
        created_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        done -> Integer,
        skipped -> Integer,
        results -> Text,
    }
}
