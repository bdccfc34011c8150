//! The secret goes nowhere but the one page; concurrent changes cannot both win;
//! no input makes the form fail.

use std::io::Read;
use std::process::Command;

use diesel::RunQueryDsl;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use tessera::db::DbConnection;

use crate::helpers::{TestApp, TestDatabase, input_value, spawn_app};

/// Every value of every column of every table, as text.
fn dump(conn: &mut DbConnection) -> String {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let tables_sql = match conn {
        DbConnection::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'table'",
        DbConnection::Postgres(_) => {
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema()"
        }
    };
    let tables: Vec<Name> = diesel::sql_query(tables_sql).load(conn).unwrap();
    let mut out = String::new();
    for table in tables {
        // Each row as JSON (SQLite: json_object over the columns; PostgreSQL: row_to_json).
        let sql = match conn {
            DbConnection::Sqlite(_) => {
                #[derive(diesel::QueryableByName)]
                struct Column {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    name: String,
                }
                let columns: Vec<Column> = diesel::sql_query(format!(
                    "SELECT name FROM pragma_table_info('{}')",
                    table.name
                ))
                .load(conn)
                .unwrap();
                let pairs: Vec<String> = columns
                    .iter()
                    .map(|c| format!("'{0}', CAST(\"{0}\" AS TEXT)", c.name))
                    .collect();
                format!(
                    "SELECT json_object({}) AS name FROM \"{}\"",
                    pairs.join(", "),
                    table.name
                )
            }
            DbConnection::Postgres(_) => format!(
                "SELECT row_to_json(t)::text AS name FROM \"{}\" t",
                table.name
            ),
        };
        let rows: Vec<Name> = diesel::sql_query(sql).load(conn).unwrap();
        for row in rows {
            out.push_str(&row.name);
            out.push('\n');
        }
    }
    out
}

#[actix_web::test]
async fn a_new_secret_is_in_no_table_no_audit_event_and_no_log_line() {
    // The real binary, logging everything at debug level.
    let db = TestDatabase::new();
    let (mut child, url) =
        crate::process::start_serving(crate::process::tessera(&db).env("TESSERA_LOG", "debug"));
    let address = url[..url.find("/setup").unwrap()].to_owned();
    let app = TestApp {
        address,
        setup_url: Some(url),
        db,
    };
    let admin = app.with_examples().await;
    let created = app
        .token(&admin)
        .named("Scanned")
        .scope("Production")
        .create()
        .await;
    let version = admin.version_of(&created.guid).await;
    let regenerated = admin
        .post(
            &format!("/settings/api-tokens/{}/regenerate", created.guid),
            &[("version", &version), ("grace", "1h")],
        )
        .await;
    let second = input_value(&regenerated.body, "secret").unwrap();

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("request served"), "the logs were captured");

    let tables = dump(&mut app.conn());
    assert!(
        tables.contains("Scanned"),
        "the dump covers the tokens table"
    );
    for secret in [&created.secret, &second] {
        let body = &secret[4..];
        for (place, text) in [("a table", &tables), ("the logs", &logs)] {
            assert!(!text.contains(body), "the secret is in {place}");
            assert!(
                !text.contains(&body[..20]),
                "part of the secret is in {place}"
            );
        }
    }
}

#[actix_web::test]
async fn fifty_parallel_regenerates_leave_exactly_one_valid_secret() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let created = app
        .token(&admin)
        .named("Raced")
        .scope("Production")
        .create()
        .await;
    let version = admin.version_of(&created.guid).await;
    let path = format!("/settings/api-tokens/{}/regenerate", created.guid);
    let fields = [("version", version.as_str()), ("grace", "none")];
    let attempts = (0..50).map(|_| admin.post(&path, &fields));
    let responses = futures_util::future::join_all(attempts).await;
    let secrets: Vec<String> = responses
        .iter()
        .filter_map(|r| input_value(&r.body, "secret"))
        .collect();
    assert_eq!(
        secrets.len(),
        1,
        "one regenerate wins, the others are told of the conflict"
    );
    assert!(responses.iter().all(|r| r.status == 200 || r.status == 303));
    use sha2::Digest;
    let stored = app.digest_of(&created.guid);
    assert_eq!(
        stored,
        format!("{:x}", sha2::Sha256::digest(secrets[0].as_bytes()))
    );
    assert_ne!(
        stored,
        format!("{:x}", sha2::Sha256::digest(created.secret.as_bytes()))
    );
    assert_eq!(
        app.count("api_tokens WHERE previous_secret_digest IS NOT NULL"),
        0
    );
    assert_eq!(
        app.count("audit_events WHERE action = 'token.regenerate'"),
        1
    );
}

/// Generated names and descriptions: very long, Unicode, control characters, SQL and
/// HTML metacharacters. None may cause a 500, and what comes back is escaped.
#[actix_web::test]
async fn no_form_input_breaks_the_form_and_everything_shown_is_escaped() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let nasty = proptest::prop_oneof![
        proptest::string::string_regex(".{0,300}").unwrap(),
        proptest::string::string_regex("[<>&\"'`;%_\\\\/*=()-]{1,40}").unwrap(),
        proptest::string::string_regex(
            "(<script>alert\\(1\\)</script>|' OR 1=1 --|\\u{0}|\\u{202e}|😀|Ωmega|\\r\\n){1,6}"
        )
        .unwrap(),
        proptest::string::string_regex("[a-z ]{1000,1200}").unwrap(),
    ];
    let mut runner = TestRunner::deterministic();
    for case in 0..48 {
        let name = nasty.new_tree(&mut runner).unwrap().current();
        let description = nasty.new_tree(&mut runner).unwrap().current();
        let response = admin
            .submit_token_form(&[
                ("name", &name),
                ("description", &description),
                ("scopes", &scope),
            ])
            .await;
        assert!(
            [200, 409, 422].contains(&response.status),
            "case {case}: {} for {name:?}",
            response.status
        );
        assert!(
            !response.body.contains("<script>alert(1)</script>"),
            "case {case}: unescaped"
        );
        assert!(!response.body.contains("' OR 1=1 --\""), "case {case}");
    }
    let list = admin.get("/settings/api-tokens?q=%3Cscript%3E").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("<script>alert(1)</script>"));
    let page = admin.get("/settings/api-tokens?sort=name").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>alert"));
}
