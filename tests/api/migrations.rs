//! Both migration sets apply, revert, and describe the tables and columns of
//! `src/db/schema.rs`, so one Diesel schema serves both backends.

use std::collections::BTreeSet;

use diesel::RunQueryDsl;
use tessera::db::{DbConnection, migrations};

use crate::helpers::TestDatabase;

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

/// The tables and columns that `src/db/schema.rs` declares.
fn declared() -> Columns {
    let source = include_str!("../../src/db/schema.rs");
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

/// Endpoints saved while an empty scope list meant every scope keep hearing about
/// every scope; those limited to scopes stay limited.
#[test]
fn webhooks_without_scopes_still_hear_every_scope_after_the_flag_is_added() {
    use diesel_migrations::MigrationHarness;

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        public_id: String,
    }
    let db = TestDatabase::new();
    let mut conn = db.connect();
    migrations::run_pending(&mut conn).unwrap();
    // Back to the schema before the flag (and whatever came after it).
    loop {
        let reverted = match &mut conn {
            DbConnection::Sqlite(c) => c.revert_last_migration(migrations::SQLITE),
            DbConnection::Postgres(c) => c.revert_last_migration(migrations::POSTGRES),
        }
        .unwrap()
        .to_string();
        if reverted.replace('-', "").starts_with("20261206100000") {
            break;
        }
    }
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
