//! Verification served apart: its own listener and workers at normal priority, the
//! admin app's workers and blocking threads below them.

use std::time::{Duration, Instant};

use crate::helpers::TestDatabase;
use crate::process::{http_get, start_serving, stop_and_read_logs, tessera};

/// Nice values of the process's threads whose name starts with `prefix`.
fn nice_values(pid: u32, prefix: &str) -> Vec<i32> {
    let mut values = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let Ok(stat) = std::fs::read_to_string(task.unwrap().path().join("stat")) else {
            continue;
        };
        // "tid (name) state ppid ...": the nice value is the 19th field; the name
        // may hold spaces, so fields are counted after its closing parenthesis.
        let (name, rest) = stat.split_at(stat.rfind(')').unwrap());
        if name[name.find('(').unwrap() + 1..].starts_with(prefix) {
            values.push(rest[2..].split(' ').nth(16).unwrap().parse().unwrap());
        }
    }
    values.sort();
    values
}

fn free_port() -> u16 {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap().port()
}

#[test]
fn verification_apart_keeps_its_priority_and_the_admin_app_yields() {
    let db = TestDatabase::new();
    let verify = format!("127.0.0.1:{}", free_port());
    let (mut child, setup_url) = start_serving(
        tessera(&db)
            .env("TESSERA_VERIFY_LISTEN", &verify)
            .env("TESSERA_WORKERS", "2"),
    );
    // Four workers: two for the admin app at nice 10, two for verification at 0.
    let deadline = Instant::now() + Duration::from_secs(10);
    let workers = loop {
        let workers = nice_values(child.id(), "actix-rt|system");
        if workers.len() == 4 || Instant::now() > deadline {
            break workers;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(workers, vec![0, 0, 10, 10]);

    // The admin app's queries run on threads below even its workers.
    assert!(http_get(&setup_url).starts_with("HTTP/1.1 200"));
    assert!(
        nice_values(child.id(), "tessera-blockin")
            .iter()
            .all(|nice| *nice == 19)
    );
    assert!(!nice_values(child.id(), "tessera-blockin").is_empty());

    // The verification listener serves verification and health, nothing else.
    let answer = http_get(&format!("http://{verify}/api/v1/verify"));
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("\"code\":\"invalid\""), "{answer}");
    assert!(http_get(&format!("http://{verify}/healthz")).starts_with("HTTP/1.1 200"));
    assert!(http_get(&format!("http://{verify}/login")).starts_with("HTTP/1.1 404"));
    let main = &setup_url[..setup_url.find("/setup").unwrap()];
    let answer = http_get(&format!("{main}/api/v1/verify"));
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "and the main listener still: {answer}"
    );
    stop_and_read_logs(&mut child);
}
