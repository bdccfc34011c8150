//! The test's own database, and what tests read from it directly.

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use tessera::config::DatabaseArgs;
use tessera::db::{DatabaseUrl, DbConnection};

use super::TestApp;

/// A database used by one test only: a SQLite file in a temporary directory, or,
/// when `TEST_DATABASE_URL` is set, a fresh PostgreSQL database on that server.
pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(server_url) if !server_url.is_empty() => Self::postgres(server_url),
            _ => Self::sqlite(),
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = dir.path().join("tessera.db").to_string_lossy().into_owned();
        Self {
            url,
            postgres: None,
            _dir: Some(dir),
        }
    }

    fn postgres(server_url: String) -> Self {
        let name = format!("tessera_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = DatabaseUrl::parse(&server_url)
            .unwrap()
            .connect()
            .expect("TEST_DATABASE_URL must point at a reachable PostgreSQL server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        let url = replace_database_name(&server_url, &name);
        Self {
            url,
            postgres: Some((server_url, name)),
            _dir: None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    pub fn connect(&self) -> DbConnection {
        DatabaseUrl::parse(&self.url)
            .unwrap()
            .connect()
            .expect("connect to the test database")
    }

    pub fn args(&self) -> DatabaseArgs {
        DatabaseArgs {
            database_url: self.url.clone(),
            database_pool_size: 4,
        }
    }

    /// `tessera keys rotate` from key `old` to key `new`, as an operator runs it.
    pub async fn rotate_keys(&self, old: &str, new: &str) -> anyhow::Result<()> {
        use tessera::config::{KeysCommand, KeysRotateArgs};
        let (database, command) = (
            self.args(),
            KeysCommand::Rotate(KeysRotateArgs {
                old_key: old.to_owned(),
                new_key: new.to_owned(),
            }),
        );
        actix_web::web::block(move || tessera::cli::keys::run(&database, command))
            .await
            .expect("the command ran")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server_url, name)) = &self.postgres
            && let Ok(mut conn) = DatabaseUrl::parse(server_url).unwrap().connect()
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn replace_database_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl TestApp {
    pub fn conn(&self) -> DbConnection {
        self.db.connect()
    }

    pub fn count(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn();
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n
    }

    /// The first column of a query's rows, as text.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Text)]
            t: String,
        }
        let mut conn = self.conn();
        diesel::sql_query(sql)
            .load::<Text>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|row| row.t)
            .collect()
    }

    pub fn execute(&self, sql: &str) {
        self.conn().batch_execute(sql).unwrap();
    }

    pub fn get_audit_actions(&self) -> Vec<String> {
        use diesel::prelude::*;
        use tessera::db::schema::audit_events;
        audit_events::table
            .order(audit_events::id.asc())
            .select(audit_events::action)
            .load(&mut self.conn())
            .unwrap()
    }

    pub fn scope_id(&self, name: &str) -> String {
        use diesel::prelude::*;
        use tessera::db::schema::scopes;
        scopes::table
            .filter(scopes::name.eq(name))
            .select(scopes::id)
            .first::<i64>(&mut self.conn())
            .unwrap()
            .to_string()
    }

    pub fn module_id(&self, key: &str) -> String {
        use diesel::prelude::*;
        use tessera::db::schema::modules;
        modules::table
            .filter(modules::module_key.eq(key))
            .select(modules::id)
            .first::<i64>(&mut self.conn())
            .unwrap()
            .to_string()
    }

    /// The stored SHA-256 digest of a token's current secret.
    pub fn digest_of(&self, guid: &str) -> String {
        use diesel::prelude::*;
        use tessera::db::schema::api_tokens;
        api_tokens::table
            .filter(api_tokens::guid.eq(guid))
            .select(api_tokens::secret_digest)
            .first(&mut self.conn())
            .unwrap()
    }
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        replace_database_name(
            "postgres://u:p@localhost:5432/postgres?sslmode=disable",
            "t1"
        ),
        "postgres://u:p@localhost:5432/t1?sslmode=disable"
    );
    assert_eq!(
        replace_database_name("postgres://localhost", "t1"),
        "postgres://localhost/t1"
    );
}
