//! `tessera token create | list | revoke --url ... --api-key ...`: the command line
//! on a remote Tessera, through the management API and its rules.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use tessera::config::ServeArgs;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::process::tessera;

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
    // The key from a file, the URL on the command line.
    let key_file = remote._dir.path().join("key");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();
    let created = remote.run_with(
        &[
            "token",
            "create",
            "--url",
            &app.address,
            "--api-key-file",
            key_file.to_str().unwrap(),
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

/// A served Tessera with `count` seeded tokens, and a key that sees every one.
async fn seeded(args: ServeArgs, count: usize) -> (TestApp, String) {
    let app = spawn_app_with(args).await;
    let ada = app.with_examples().await;
    let seeded = tessera(&app.db)
        .args(["seed", "--tokens", &count.to_string()])
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let key = app.api_key(&ada, "terminal", &["tokens.read"], &[]).await;
    (app, key)
}

/// A listener that answers `body` to anything and keeps what it was sent.
fn recording_listener(body: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            while reader.read_line(&mut request).unwrap_or(0) > 2 {}
            kept.lock().unwrap().push(request);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (address, received)
}

#[actix_web::test]
async fn the_key_never_follows_a_next_page_to_another_origin() {
    let (elsewhere, received) = recording_listener(r#"{"tokens":[],"next":null}"#);
    let args = ServeArgs {
        public_url: Some(elsewhere.clone()),
        ..ServeArgs::default()
    };
    // More than a page of 100, so that the first page points to a next one.
    let (app, key) = seeded(args, 150).await;
    let listed = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["token", "list", "--json"])
        .env("TESSERA_URL", &app.address)
        .env("TESSERA_API_KEY", &key)
        .env("TESSERA_DATABASE_URL", "/nonexistent/never-opened.db")
        .output()
        .unwrap();
    let stderr = text(&listed.stderr);
    assert!(!listed.status.success(), "refused: {stderr}");
    assert!(
        stderr.contains(&elsewhere) && stderr.contains("TESSERA_PUBLIC_URL"),
        "{stderr}"
    );
    assert!(listed.stdout.is_empty(), "no partial list");
    let received = received.lock().unwrap();
    assert!(
        received.is_empty(),
        "nothing reached the other origin, least of all the key: {received:?}"
    );
}

#[test]
fn an_answer_that_is_not_a_page_ends_the_list_with_an_error() {
    let (address, received) = recording_listener("<html>Welcome</html>");
    let listed = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["token", "list", "--json"])
        .env("TESSERA_URL", &address)
        .env("TESSERA_API_KEY", "tsa_test")
        .env("TESSERA_DATABASE_URL", "/nonexistent/never-opened.db")
        .output()
        .unwrap();
    let stderr = text(&listed.stderr);
    assert!(!listed.status.success(), "not an empty list: {stderr}");
    assert!(
        stderr.contains("did not answer a page of tokens"),
        "{stderr}"
    );
    assert!(listed.stdout.is_empty());
    assert_eq!(received.lock().unwrap().len(), 1);
}

#[actix_web::test]
async fn every_page_is_listed() {
    let (app, key) = seeded(ServeArgs::default(), 250).await;
    let listed = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["token", "list", "--json"])
        .env("TESSERA_URL", &app.address)
        .env("TESSERA_API_KEY", &key)
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let tokens: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let mut guids: Vec<&str> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["guid"].as_str().unwrap())
        .collect();
    let live = app.count("api_tokens WHERE deleted_at IS NULL");
    assert!(live > 100, "more than a page: {live}");
    assert_eq!(guids.len() as i64, live, "every token that is not deleted");
    guids.sort_unstable();
    guids.dedup();
    assert_eq!(guids.len() as i64, live, "each once");

    let all = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["token", "list", "--json", "--all"])
        .env("TESSERA_URL", &app.address)
        .env("TESSERA_API_KEY", &key)
        .output()
        .unwrap();
    assert!(all.status.success(), "{}", text(&all.stderr));
    let tokens: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(tokens.as_array().unwrap().len(), 250, "deleted ones too");
}

#[actix_web::test]
async fn the_key_stays_off_the_command_line_and_off_plain_http() {
    let remote = Remote::start().await;
    let (app, key) = (&remote.app, remote.key.as_str());

    let on_argv = remote.run_with(
        &["token", "list", "--url", &app.address, "--api-key", key],
        &[],
    );
    let stderr = text(&on_argv.stderr);
    assert!(!on_argv.status.success());
    assert!(
        stderr.contains("--api-key") && stderr.contains("TESSERA_API_KEY"),
        "says where the key goes instead: {stderr}"
    );
    assert!(!stderr.contains(key), "never repeats the key");

    // From standard input instead.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args([
            "token",
            "list",
            "--url",
            &app.address,
            "--api-key-file",
            "-",
        ])
        .env_remove("TESSERA_API_KEY")
        .env("TESSERA_DATABASE_URL", &remote.local)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{key}").unwrap();
    let piped = child.wait_with_output().unwrap();
    assert!(piped.status.success(), "{}", text(&piped.stderr));

    // Plain http to another machine would carry the key in clear: refused before
    // any connection (192.0.2.1 is a documentation address, never reached).
    let plain = remote.run_with(
        &["token", "list"],
        &[
            ("TESSERA_URL", "http://192.0.2.1:8080"),
            ("TESSERA_API_KEY", key),
        ],
    );
    let stderr = text(&plain.stderr);
    assert!(!plain.status.success());
    assert!(
        stderr.contains("unencrypted") && stderr.contains("--allow-http"),
        "{stderr}"
    );
    let localhost = app.address.replace("127.0.0.1", "localhost");
    let local = remote.run_with(
        &["token", "list"],
        &[("TESSERA_URL", &localhost), ("TESSERA_API_KEY", key)],
    );
    assert!(
        local.status.success(),
        "this machine: {}",
        text(&local.stderr)
    );
    assert!(!remote.local.exists());
}
