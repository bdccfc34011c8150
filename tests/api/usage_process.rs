//! Usage counts and the process: a server stopped with SIGTERM writes what it
//! counted; one killed outright loses at most what it counted since its last flush,
//! and never counts a request twice.

use std::process::Child;
use std::time::{Duration, Instant};

use crate::helpers::{PASSWORD, TestDatabase};
use crate::process::{exited_within, http_get_with, run_ok, serve, tessera};

/// A database with an administrator and one read-only token; returns its secret.
fn set_up(db: &TestDatabase) -> String {
    let admin = [
        "admin",
        "create",
        "--name",
        "Olga",
        "--email",
        "olga@example.com",
    ];
    run_ok(
        tessera(db).args(admin).arg("--example-catalog"),
        Some(PASSWORD),
    );
    let create = [
        "token",
        "create",
        "--name",
        "Counted",
        "--scope",
        "production",
    ];
    let (stdout, _) = run_ok(tessera(db).args(create), None);
    stdout.trim().to_owned()
}

fn counted(db: &TestDatabase) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Total {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        total: i64,
    }
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) AS total FROM token_usage")
        .get_result::<Total>(&mut db.connect())
        .unwrap()
        .total
}

fn verify(address: &str, secret: &str, times: usize) {
    let auth = format!("Bearer {secret}");
    for _ in 0..times {
        let response = http_get_with(
            &format!("{address}/api/v1/verify"),
            &[("Authorization", auth.as_str())],
        );
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    }
}

fn wait_for_count(db: &TestDatabase, expected: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while counted(db) != expected {
        assert!(
            Instant::now() < deadline,
            "{} counted, not {expected}",
            counted(db)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill(child: &mut Child, signal: &str) -> std::process::ExitStatus {
    std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    exited_within(child, Duration::from_secs(20)).expect("tessera stopped")
}

#[test]
fn counts_are_written_at_shutdown_and_a_kill_loses_one_flush_at_most() {
    let db = TestDatabase::new();
    let secret = set_up(&db);

    // Stopped long before its next flush: SIGTERM writes the counts.
    let (mut child, address) = serve(&db, &["--usage-flush-seconds", "300"]);
    verify(&address, &secret, 4);
    assert!(kill(&mut child, "-TERM").success());
    assert_eq!(counted(&db), 4, "written at shutdown");

    // Flushed every second: what was written stays; what was not is lost, once.
    let (mut child, address) = serve(&db, &["--usage-flush-seconds", "1"]);
    verify(&address, &secret, 5);
    wait_for_count(&db, 9);
    verify(&address, &secret, 3);
    assert!(!kill(&mut child, "-KILL").success());
    let after_kill = counted(&db);
    assert!(
        after_kill == 9 || after_kill == 12,
        "the last second's requests are lost or written whole: {after_kill}"
    );

    // A new process goes on adding to the same rows.
    let (mut child, address) = serve(&db, &["--usage-flush-seconds", "1"]);
    verify(&address, &secret, 2);
    wait_for_count(&db, after_kill + 2);
    assert!(kill(&mut child, "-TERM").success());
    assert_eq!(counted(&db), after_kill + 2);
}
