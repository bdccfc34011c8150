//! Both migration sets apply, revert, and describe the tables and columns of
//! `src/db/schema.rs`, so one Diesel schema serves both backends.

use std::collections::BTreeSet;

use diesel::RunQueryDsl;
use tessera::db::{DbConnection, migrations};

use crate::helpers::{ApiClient, TestDatabase, spawn_app};
use crate::management_api::new_token;

/// (table, column, nullable)
type Columns = BTreeSet<(String, String, bool)>;

#[derive(diesel::QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    nullable: i32,
}

fn columns(conn: &mut DbConnection) -> Columns {
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name,
                    CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 0 ELSE 1 END AS nullable
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             -- Ordinary tables only: the keyword index (a virtual table and its
             -- shadow tables) is SQLite's own, not part of schema.rs.
             JOIN pragma_table_list l ON l.schema = 'main' AND l.name = m.name AND l.type = 'table'
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
               AND m.name <> '__diesel_schema_migrations'"
        }
        DbConnection::Postgres(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name,
                    CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'
               -- The keyword index's vocabulary, kept by triggers, as SQLite's is.
               AND table_name <> 'api_tokens_search_terms'
               -- Columns the database derives (a name's words) are its own too.
               AND is_generated = 'NEVER'"
        }
    };
    diesel::sql_query(sql)
        .load::<ColumnRow>(conn)
        .unwrap()
        .into_iter()
        .map(|r| (r.table_name, r.column_name, r.nullable == 1))
        .collect()
}

/// The tables and columns that `src/db/schema.rs` (and its parts) declares.
fn declared() -> Columns {
    let source = [
        include_str!("../../src/db/schema.rs"),
        include_str!("../../src/db/schema/usage.rs"),
        include_str!("../../src/db/schema/counts.rs"),
        include_str!("../../src/db/schema/bulk.rs"),
        include_str!("../../src/db/schema/policies.rs"),
        include_str!("../../src/db/schema/control.rs"),
    ]
    .concat();
    let mut result = Columns::new();
    let mut table: Option<String> = None;
    for line in source.lines() {
        let trimmed = line.trim();
        if line.starts_with("    ") && !line.starts_with("        ") && trimmed.ends_with('{') {
            table = trimmed.split_whitespace().next().map(str::to_owned);
        } else if trimmed == "}" {
            table = None;
        } else if let (Some(t), Some((column, kind))) = (&table, trimmed.split_once(" -> ")) {
            result.insert((t.clone(), column.to_owned(), kind.starts_with("Nullable<")));
        }
    }
    assert!(result.len() > 50, "schema.rs was parsed");
    result
}

fn apply_compare_revert(db: &TestDatabase) -> Columns {
    let mut conn = db.connect();
    let applied = migrations::run_pending(&mut conn).unwrap();
    assert!(!applied.is_empty());
    let found = columns(&mut conn);
    assert_eq!(found, declared(), "the migrations match src/db/schema.rs");

    let reverted = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert!(
        columns(&mut conn).is_empty(),
        "reverting removes every table"
    );
    migrations::run_pending(&mut conn).unwrap();
    assert_eq!(columns(&mut conn), found, "and they apply again");
    found
}

#[test]
fn sqlite_migrations_apply_revert_and_match_the_schema() {
    apply_compare_revert(&TestDatabase::sqlite());
}

/// Runs against PostgreSQL whenever TEST_DATABASE_URL is set (CI sets it); on SQLite
/// this is the same check as above.
#[test]
fn both_backends_describe_the_same_tables_and_columns() {
    let db = TestDatabase::new();
    let found = apply_compare_revert(&db);
    let sqlite = apply_compare_revert(&TestDatabase::sqlite());
    assert_eq!(found, sqlite);
}

/// Reverts the migrations down to `version` (digits only), `version` included.
fn revert_through(conn: &mut DbConnection, version: &str) {
    use diesel_migrations::MigrationHarness;

    loop {
        let reverted = match &mut *conn {
            DbConnection::Sqlite(c) => c.revert_last_migration(migrations::SQLITE),
            DbConnection::Postgres(c) => c.revert_last_migration(migrations::POSTGRES),
        }
        .unwrap()
        .to_string();
        if reverted.replace('-', "").starts_with(version) {
            break;
        }
    }
}

/// Endpoints saved while an empty scope list meant every scope keep hearing about
/// every scope; those limited to scopes stay limited.
#[test]
fn webhooks_without_scopes_still_hear_every_scope_after_the_flag_is_added() {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        public_id: String,
    }
    let db = TestDatabase::new();
    let mut conn = db.connect();
    migrations::run_pending(&mut conn).unwrap();
    // Back to the schema before the flag (and whatever came after it).
    revert_through(&mut conn, "20261206100000");
    diesel::sql_query(
        "INSERT INTO scopes (name, name_key, description, created_at, updated_at)
         VALUES ('Staging', 'staging', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    )
    .execute(&mut conn)
    .unwrap();
    for public_id in ["every", "limited"] {
        diesel::sql_query(format!(
            "INSERT INTO webhook_endpoints (public_id, url, description, events, enabled,
                 secret_sealed, version, created_at, updated_at)
             VALUES ('{public_id}', 'https://hooks.example.com', '', 'token.created', TRUE,
                 'sealed', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))
        .execute(&mut conn)
        .unwrap();
    }
    diesel::sql_query(
        "INSERT INTO webhook_endpoint_scopes (endpoint_id, scope_id)
         SELECT e.id, s.id FROM webhook_endpoints e, scopes s WHERE e.public_id = 'limited'",
    )
    .execute(&mut conn)
    .unwrap();

    migrations::run_pending(&mut conn).unwrap();
    let every: Vec<String> = diesel::sql_query(
        "SELECT public_id FROM webhook_endpoints WHERE every_scope ORDER BY public_id",
    )
    .load::<Row>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| r.public_id)
    .collect();
    assert_eq!(every, ["every"]);
}

/// Names unique per scope, on the tokens of an installation that had them unique
/// across it: a live token keeps its name in its scope; a deleted one (which could
/// share the name of a live one before) holds none.
#[actix_web::test]
async fn live_names_stay_taken_and_deleted_ones_free_after_names_become_per_scope() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let key = app
        .api_key(
            &ada,
            "ada",
            &["tokens.read", "tokens.create", "tokens.delete"],
            &[],
        )
        .await;
    let api = ApiClient::new(&app, &key);
    let create = async |name: &str| {
        let created = api
            .post("/api/v1/tokens", &new_token(name, "Production"))
            .await;
        assert_eq!(created.status, 201, "{}", created.json);
        format!("/api/v1/tokens/{}", created.json["guid"].as_str().unwrap())
    };
    let first_billing = create("Billing").await;
    let legacy = create("Legacy").await;
    for deleted in [first_billing, legacy] {
        assert_eq!(api.write("DELETE", &deleted, "*", None).await.status, 204);
    }
    create("Billing").await;

    // The same tokens, before names were unique per scope, and the migration again.
    let mut conn = app.conn();
    revert_through(&mut conn, "20261206110000");
    migrations::run_pending(&mut conn).unwrap();

    let taken = api
        .post("/api/v1/tokens", &new_token("billing", "Production"))
        .await;
    assert_eq!((taken.status, taken.code()), (409, "name_taken"));
    let free = api
        .post("/api/v1/tokens", &new_token("legacy", "Production"))
        .await;
    assert_eq!(free.status, 201, "{}", free.json);
}

/// Tokens used before their usage facts were kept get them with the table: both
/// usage findings hold on the first page view after an upgrade.
#[test]
fn usage_facts_are_filled_for_tokens_used_before() {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let db = TestDatabase::new();
    let mut conn = db.connect();
    migrations::run_pending(&mut conn).unwrap();
    revert_through(&mut conn, "20261208000003");
    for statement in [
        "INSERT INTO modules (module_key, name, description, created_at, updated_at)
         VALUES ('orders', 'Orders', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        "INSERT INTO api_tokens (guid, name, name_key, token_type, secret_digest, secret_hint,
             valid_from, created_at, updated_at)
         VALUES ('5f1c9a52-0b7e-4c38-9d6a-2f3e8b1c4d5e', 'reader', 'reader', 'read_only', 'd',
             'h', '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        "INSERT INTO token_permission_uses (token_id, module, action, last_used_at)
         SELECT id, 'orders', 'read', '2026-01-03 00:00:00' FROM api_tokens",
        "INSERT INTO token_clients (token_id, client_ip, user_agent, first_seen, last_seen)
         SELECT id, '203.0.113.9', '', '2026-01-02 00:00:00', '2026-01-03 00:00:00'
         FROM api_tokens",
    ] {
        diesel::sql_query(statement).execute(&mut conn).unwrap();
    }

    migrations::run_pending(&mut conn).unwrap();
    let filled = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM token_usage_facts
         WHERE modules_used_at = '2026-01-03 00:00:00'
           AND grants_used_until = '2026-01-03 00:00:00'
           AND newest_address_since = '2026-01-02 00:00:00'
           AND oldest_address_since = '2026-01-02 00:00:00'
           AND sixth_address_seen IS NULL",
    )
    .load::<Count>(&mut conn)
    .unwrap();
    assert_eq!(filled[0].n, 1);
}
