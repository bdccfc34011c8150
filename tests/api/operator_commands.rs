//! The commands operators run besides `serve`: tokens from the command line (their
//! last use written when the server stops), example tokens for benchmarks, and the
//! expiry run.

use diesel::prelude::*;
use tessera::db::schema::audit_events;

use crate::helpers::{PASSWORD, TestDatabase};
use crate::process::{http_get_with, run_ok, serve, terminate, tessera};

#[test]
fn operators_create_list_and_revoke_tokens_and_uses_are_written_at_shutdown() {
    let db = TestDatabase::new();
    run_ok(
        tessera(&db).args([
            "admin",
            "create",
            "--name",
            "Olga",
            "--email",
            "olga@example.com",
            "--example-catalog",
        ]),
        Some(PASSWORD),
    );
    let (stdout, stderr) = run_ok(
        tessera(&db).args([
            "token",
            "create",
            "--name",
            "Nightly job",
            "--scope",
            "production",
            "--type",
            "custom",
            "--grant",
            "orders:read",
            "--expires",
            "7d",
        ]),
        None,
    );
    let secret = stdout.trim().to_owned();
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the secret on standard output"
    );
    assert!(
        tessera::domain::tokens::check_format(&secret).is_ok(),
        "{stdout}"
    );
    assert!(stderr.contains("Created Nightly job"), "{stderr}");
    assert!(!stderr.contains(&secret));
    // Audited as a token created in the browser: what it grants, and when.
    let details: String = audit_events::table
        .filter(audit_events::action.eq("token.create"))
        .select(audit_events::details)
        .first(&mut db.connect())
        .unwrap();
    let details: serde_json::Value = serde_json::from_str(&details).unwrap();
    assert_eq!(details["type"], "custom", "{details}");
    assert_eq!(details["scope_ids"].as_array().map(Vec::len), Some(1));
    assert!(details["valid_to"].is_string(), "{details}");

    let refused = tessera(&db)
        .args([
            "token",
            "create",
            "--name",
            "Bad",
            "--scope",
            "production",
            "--type",
            "custom",
            "--grant",
            "nothing:read",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no module with the key"));

    let (listed, _) = run_ok(tessera(&db).args(["token", "list", "--json"]), None);
    let list: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(list[0]["name"], "Nightly job");
    assert_eq!(list[0]["status"], "active");
    let guid = list[0]["guid"].as_str().unwrap().to_owned();

    // The server, used once, stopped with SIGTERM long before its next flush.
    let (mut child, address) = serve(&db, &["--usage-flush-seconds", "300"]);
    let auth = format!("Bearer {secret}");
    let response = http_get_with(
        &format!("{address}/api/v1/verify?module=orders"),
        &[
            ("Authorization", auth.as_str()),
            ("User-Agent", "nightly/1"),
        ],
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(terminate(&mut child).success());

    let (listed, _) = run_ok(tessera(&db).args(["token", "list", "--json"]), None);
    let list: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert!(
        list[0]["last_used_at"].is_string(),
        "written at shutdown: {list}"
    );

    let (_, stderr) = run_ok(tessera(&db).args(["token", "revoke", &guid]), None);
    assert!(stderr.contains("Revoked Nightly job"));
    let (table, _) = run_ok(tessera(&db).args(["token", "list"]), None);
    assert!(
        table.contains("revoked") && table.contains("Nightly job"),
        "{table}"
    );
    let again = tessera(&db)
        .args(["token", "revoke", &guid])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("Only active tokens can be revoked."));
}

#[actix_web::test]
async fn seed_adds_tokens_and_writes_the_usable_secrets_for_benchmarks() {
    use std::os::unix::fs::PermissionsExt;
    let app = crate::helpers::spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets_path = dir.path().join("secrets.txt");
    let output = tessera(&app.db)
        .args(["seed", "--tokens", "2500", "--secrets-file"])
        .arg(&secrets_path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(app.count("api_tokens"), 2500);
    assert_eq!(
        app.count("api_tokens t WHERE NOT EXISTS (SELECT 1 FROM api_token_scopes s WHERE s.token_id = t.id)"),
        0,
        "every token is in a scope"
    );
    assert_eq!(
        app.count("api_tokens WHERE status_until < '1000-01-01 00:00:00'"),
        0,
        "written with its stored status, none left for a refresh"
    );
    assert!(
        app.count("api_tokens WHERE status_until IS NULL") > 0,
        "revoked and deleted tokens never change"
    );

    let mode = std::fs::metadata(&secrets_path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    let secrets = std::fs::read_to_string(&secrets_path).unwrap();
    let secrets: Vec<&str> = secrets.lines().collect();
    let now = if app.db.is_postgres() {
        "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')"
    } else {
        "CURRENT_TIMESTAMP"
    };
    let active = app.count(&format!(
        "api_tokens WHERE disabled_at IS NULL AND revoked_at IS NULL AND deleted_at IS NULL \
         AND valid_from <= {now} AND (valid_to IS NULL OR valid_to > {now})"
    ));
    // About two in five are active (the mix is random): far from none, far from all.
    assert!(
        (500..2000).contains(&active),
        "many seeded tokens are active: {active}"
    );
    assert_eq!(secrets.len() as i64, active, "one line per usable token");
    for secret in secrets.iter().step_by(250) {
        let (status, json) = crate::verification::verify(&app, secret, "").await;
        assert_eq!(
            (status, &json["valid"]),
            (200, &serde_json::json!(true)),
            "{json}"
        );
    }
}

/// `tessera expiry run` runs the daily expiry warnings at once, whatever the hour,
/// claimed like the daily run, and says what it told.
#[actix_web::test]
async fn expiry_run_warns_now_and_says_what_it_told() {
    let app = crate::helpers::spawn_app().await;
    let ada = app.with_examples().await;
    app.token(&ada)
        .named("ends in three days")
        .scope("Production")
        .ending_in(3)
        .create()
        .await;
    let run = || {
        tessera(&app.db)
            .args(["expiry", "run"])
            .env("TESSERA_PUBLIC_URL", "https://tokens.example.com")
            .env("TESSERA_SMTP_URL", "smtp://127.0.0.1:9")
            .env("TESSERA_MAIL_FROM", "Tessera <tessera@example.com>")
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{first:?}");
    assert!(
        stdout.contains("Told about 1 token that expires soon and 0 that expired")
            && stdout.contains("Wrote 1 mail digest"),
        "{stdout}"
    );
    assert_eq!(
        app.count("outbox_events WHERE event_type = 'token.expiring'"),
        1,
        "the webhook event"
    );
    let digest =
        app.texts("SELECT text_body AS t FROM mail_outbox WHERE recipient = 'ada@example.com'");
    assert_eq!(digest.len(), 1, "written for the server to send");
    assert!(
        digest[0].contains("ends in three days")
            && digest[0].contains("https://tokens.example.com/settings/api-tokens/"),
        "{}",
        digest[0]
    );
    assert_eq!(
        app.count("server_settings WHERE name = 'expiry_last_run' AND value <> ''"),
        1,
        "claimed as the daily run is"
    );

    let again = run();
    assert!(again.status.success(), "{again:?}");
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("Told about 0 tokens"),
        "each lead time once: {again:?}"
    );
    assert_eq!(app.count("mail_outbox"), 1);
}

#[test]
fn operators_rank_and_roll_up_usage_now() {
    let db = TestDatabase::new();
    run_ok(tessera(&db).arg("migrate"), None);
    {
        let mut conn = db.connect();
        let today = tessera::domain::usage::Day::of(tessera::db::now());
        let count = |day: tessera::domain::usage::Day| tessera::db::usage::TokenCount {
            token_id: tessera::domain::ids::TokenId(7),
            hour: tessera::domain::usage::Hour { day, of_day: 3 },
            outcome: tessera::domain::verification::Outcome::Valid,
            access: None,
            requests: 2,
        };
        tessera::db::usage::add_token_counts(&mut conn, &[count(today), count(today.plus(-30))])
            .unwrap();
    }
    let (ranked, _) = run_ok(tessera(&db).args(["usage", "rank"]), None);
    assert!(ranked.starts_with("Ranked the tokens: "), "{ranked}");
    // First by requests in each of the four periods; refused nowhere.
    let leaders: i64 = tessera::db::schema::usage_leaders::table
        .count()
        .get_result(&mut db.connect())
        .unwrap();
    assert_eq!(leaders, 4);
    let (rolled, _) = run_ok(tessera(&db).args(["usage", "roll-up"]), None);
    assert!(
        rolled.starts_with("Cleared the hours of 1 rows"),
        "{rolled}"
    );
    let (again, _) = run_ok(tessera(&db).args(["usage", "roll-up"]), None);
    assert!(again.starts_with("Nothing to roll up"), "{again}");
}
