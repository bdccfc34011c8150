//! The `tessera` binary as an operator runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{PASSWORD, TestDatabase};

pub fn tessera(db: &TestDatabase) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command
        .env_clear()
        .env("TESSERA_DATABASE_URL", &db.url)
        .env("TESSERA_LOG", "info");
    // Under a shifted clock (faketime), the process keeps the test's clock.
    for (name, value) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text == "LD_PRELOAD" || name_text == "TZ" || name_text.starts_with("FAKETIME") {
            command.env(name, value);
        }
    }
    command
}

pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    exited_within(child, Duration::from_secs(20)).expect("tessera did not stop after SIGTERM")
}

/// How the process ended, if it did within `limit`.
pub fn exited_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `tessera serve` on a free port, its output piped; returns the process and
/// the setup link it printed.
pub fn start_serving(command: &mut Command) -> (Child, String) {
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.contains("/setup?code="))
        .unwrap_or_else(|| panic!("a setup URL on stdout: {line}"))
        .to_owned();
    (child, url)
}

/// Stops a server with SIGTERM, expects a clean exit, and returns what it logged.
pub fn stop_and_read_logs(child: &mut Child) -> String {
    let status = terminate(child);
    assert!(status.success(), "a clean exit after SIGTERM: {status:?}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    logs
}

pub fn http_get(url: &str) -> String {
    http_get_with(url, &[])
}

pub fn http_get_with(url: &str, headers: &[(&str, &str)]) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serve_prints_a_working_setup_url_logs_requests_and_stops_on_sigterm() {
    let db = TestDatabase::new();
    let (mut child, url) = start_serving(&mut tessera(&db));
    let url = url.as_str();
    assert!(url.starts_with("http://127.0.0.1:"));

    let response = http_get(url);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("Create the first administrator"));
    let request_id = response
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .unwrap()
        .trim()
        .to_owned();
    let health = url.split("/setup").next().unwrap().to_owned() + "/healthz";
    for _ in 0..2 {
        let proxied = http_get_with(&health, &[("x-forwarded-proto", "https")]);
        assert!(proxied.starts_with("HTTP/1.1 200"), "{proxied}");
    }

    let logs = stop_and_read_logs(&mut child);
    let request_line = logs
        .lines()
        .find(|l| l.contains(&request_id))
        .unwrap_or_else(|| panic!("the request is logged with its ID: {logs}"));
    assert!(request_line.contains("status=200"));
    let code = url.split("code=").nth(1).unwrap();
    assert!(!logs.contains(code), "the setup code is not logged");
    // Behind an HTTPS proxy without TESSERA_PUBLIC_URL: said once.
    assert_eq!(
        logs.matches("requests arrive through an HTTPS proxy")
            .count(),
        1,
        "{logs}"
    );
    // With nothing configured, forward-auth and the metrics are open: it says so.
    assert!(
        logs.contains("forward-auth (/api/v1/auth) answers any client"),
        "{logs}"
    );
    assert!(logs.contains("/metrics is open to anyone"), "{logs}");
}

#[test]
fn closed_endpoints_are_not_reported_open() {
    let db = TestDatabase::new();
    let (mut child, url) = start_serving(
        tessera(&db)
            .env("TESSERA_FORWARD_AUTH_FROM", "127.0.0.1")
            .env("TESSERA_METRICS_TOKEN", "scraper-secret-1234"),
    );
    let health = url.split("/setup").next().unwrap().to_owned() + "/healthz";
    assert!(http_get(&health).starts_with("HTTP/1.1 200"));
    let logs = stop_and_read_logs(&mut child);
    assert!(logs.contains("listening"), "{logs}");
    assert!(!logs.contains("answers any client"), "{logs}");
    assert!(!logs.contains("/metrics is open"), "{logs}");
    assert!(
        !logs.contains("scraper-secret-1234"),
        "the token is never logged"
    );
}

#[test]
fn admin_create_reads_the_password_from_stdin_and_closes_setup() {
    let db = TestDatabase::new();
    let mut child = tessera(&db)
        .args([
            "admin",
            "create",
            "--name",
            "Olga Operator",
            "--email",
            "olga@example.com",
            "--example-catalog",
            "--scope",
            "staging",
            "--role",
            "viewer",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Created Olga Operator · "), "{stdout}");
    assert!(!stdout.contains(PASSWORD));

    let mut child = tessera(&db)
        .args([
            "admin",
            "create",
            "--name",
            "Olga Again",
            "--email",
            "OLGA@example.com",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));

    let output = tessera(&db)
        .args([
            "admin",
            "create",
            "--name",
            "Weak",
            "--email",
            "weak@example.com",
        ])
        .stdin(Stdio::piped())
        .output()
        .unwrap();
    assert!(!output.status.success(), "an empty password is refused");
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));
}

#[test]
fn migrate_brings_a_new_database_up_to_date() {
    let db = TestDatabase::new();
    let output = tessera(&db).arg("migrate").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
    let output = tessera(&db).arg("migrate").output().unwrap();
    assert!(output.status.success(), "running it twice is harmless");
}

#[test]
fn bad_configuration_is_reported_clearly() {
    let db = TestDatabase::new();
    let output = tessera(&db)
        .args(["serve", "--public-url", "tokens.example.com"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("TESSERA_PUBLIC_URL must start with http")
    );
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .env_clear()
        .env("TESSERA_DATABASE_URL", "mysql://x/y")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unsupported database URL scheme"));
}

/// Starts `tessera serve` on a free port of a database set up already, with
/// `args`; returns the process and the address it logged.
pub fn serve(db: &TestDatabase, args: &[&str]) -> (Child, String) {
    let mut child = tessera(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let address = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server said where it listens"
        );
        if let Some(at) = line.find("url=\"") {
            break line[at + 5..].split('"').next().unwrap().to_owned();
        }
    };
    // Whatever it logs next goes nowhere, without blocking it.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, address)
}

pub fn run_ok(command: &mut Command, stdin: Option<&str>) -> (String, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        writeln!(child.stdin.take().unwrap(), "{input}").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert!(output.status.success(), "{stdout}{stderr}");
    (stdout, stderr)
}
