//! `tessera token create | list | revoke --url ... --api-key ...`: the command line
//! on a remote Tessera, through the management API and its rules.

use std::process::{Command, Output};

use crate::helpers::{TestApp, spawn_app};

/// A served Tessera, a key for its Production scope (where the Staging token is
/// out of sight), and a local database path the commands must never open.
struct Remote {
    app: TestApp,
    key: String,
    _dir: tempfile::TempDir,
    local: std::path::PathBuf,
}

impl Remote {
    async fn start() -> Self {
        let app = spawn_app().await;
        let ada = app.with_examples().await;
        app.token(&ada)
            .named("staging-only")
            .scope("Staging")
            .create()
            .await;
        let key = app
            .api_key(
                &ada,
                "terminal",
                &["tokens.read", "tokens.create", "tokens.update"],
                &["Production"],
            )
            .await;
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("local.db");
        Self {
            app,
            key,
            _dir: dir,
            local,
        }
    }

    /// `tessera` with the URL and key in the environment.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(
            args,
            &[
                ("TESSERA_URL", &self.app.address),
                ("TESSERA_API_KEY", &self.key),
            ],
        )
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env_remove("TESSERA_URL")
            .env_remove("TESSERA_API_KEY")
            .envs(env.iter().copied())
            .env("TESSERA_DATABASE_URL", &self.local)
            .output()
            .unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[actix_web::test]
async fn token_commands_work_remotely_through_the_api_as_the_key() {
    let remote = Remote::start().await;
    let (app, key) = (&remote.app, remote.key.as_str());

    // Create, with the flags of a local create; the secret alone on stdout.
    let created = remote.run_with(
        &[
            "token",
            "create",
            "--url",
            &app.address,
            "--api-key",
            key,
            "--name",
            "remote-billing",
            "--scope",
            "Production",
            "--type",
            "custom",
            "--grant",
            "orders:read",
            "--expires",
            "2099-01-31",
        ],
        &[],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let secret = text(&created.stdout);
    let secret = secret.trim_end();
    assert!(
        secret.starts_with("tsr_") && !secret.contains('\n'),
        "{secret}"
    );
    assert!(text(&created.stderr).contains("valid until 2099-01-31"));
    let verified = awc::Client::default()
        .get(format!("{}/api/v1/verify?module=orders", app.address))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status().as_u16(), 200, "the secret works");

    // List, from the environment: the key's scopes only.
    let listed = remote.run(&["token", "list", "--json"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let tokens: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let names: Vec<&str> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["remote-billing"], "not the Staging token");
    let guid = tokens[0]["guid"].as_str().unwrap().to_owned();
    let table = remote.run(&["token", "list"]);
    assert!(text(&table.stdout).contains(&format!("{guid}  active")));

    // Revoke, then the same again is refused with the server's words.
    let revoked = remote.run(&["token", "revoke", &guid]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert!(text(&revoked.stderr).contains("Revoked remote-billing"));
    assert_eq!(
        app.count("api_tokens WHERE name = 'remote-billing' AND revoked_at IS NOT NULL"),
        1
    );
    let again = remote.run(&["token", "revoke", &guid]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("Only active tokens"),
        "{}",
        text(&again.stderr)
    );

    // Every change in the audit log, via the key.
    assert_eq!(
        app.count(
            "audit_events WHERE via_api_key IS NOT NULL AND action IN ('token.create', 'token.revoke')"
        ),
        2
    );
    assert!(!remote.local.exists(), "the local database is never opened");
}

#[actix_web::test]
async fn remote_refusals_are_explained() {
    let remote = Remote::start().await;
    let (app, key) = (&remote.app, remote.key.as_str());
    let outside = remote.run(&["token", "create", "--name", "x", "--scope", "Staging"]);
    assert!(!outside.status.success());
    assert!(
        text(&outside.stderr).contains("scopes:"),
        "{}",
        text(&outside.stderr)
    );
    let wrong_key = remote.run_with(
        &["token", "list"],
        &[
            ("TESSERA_URL", &app.address),
            ("TESSERA_API_KEY", "tsa_wrong"),
        ],
    );
    assert!(!wrong_key.status.success());
    assert!(text(&wrong_key.stderr).contains("valid API key"));
    let no_key = remote.run_with(&["token", "list", "--url", &app.address], &[]);
    assert!(!no_key.status.success(), "--url needs --api-key");
    let unreachable = remote.run_with(
        &["token", "list"],
        &[
            ("TESSERA_URL", "http://127.0.0.1:9"),
            ("TESSERA_API_KEY", key),
        ],
    );
    assert!(text(&unreachable.stderr).contains("could not reach Tessera"));
    assert!(!remote.local.exists());
}
