//! Slow and empty clients cost nothing: a trickled body is cut off, and visitors
//! who reach no form leave no session behind.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use tessera::config::ServeArgs;

use crate::helpers::{Browser, spawn_app, spawn_app_with};

/// Sends a POST whose body arrives one byte every 300 ms, and returns the status
/// line the server answered with and how long it took.
async fn trickle(address: &str, path: &str, extra_headers: &str) -> (String, Duration) {
    let host = address.trim_start_matches("http://").to_owned();
    let path = path.to_owned();
    let extra_headers = extra_headers.to_owned();
    actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             {extra_headers}Content-Length: 1000\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        while started.elapsed() < Duration::from_secs(15) {
            if stream.write_all(b"a").is_err() {
                break;
            }
            let mut buf = [0u8; 512];
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    break;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(250)),
            }
        }
        let text = String::from_utf8_lossy(&answer).into_owned();
        (
            text.lines().next().unwrap_or_default().to_owned(),
            started.elapsed(),
        )
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn a_body_trickled_byte_by_byte_is_cut_off() {
    let app = spawn_app_with(ServeArgs {
        body_timeout_seconds: 1,
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    let gateway = admin
        .create_token(
            "Gateway",
            &app.scope_id("Production"),
            &[("can_introspect", "on")],
        )
        .await;
    let authorization = format!("Authorization: Bearer {}\r\n", gateway.secret);
    for (path, headers) in [
        ("/login", ""),
        ("/api/v1/introspect", authorization.as_str()),
    ] {
        let (status, took) = trickle(&app.address, path, headers).await;
        assert!(
            took < Duration::from_secs(5),
            "{path}: still open after {took:?}"
        );
        assert!(status.contains(" 408"), "{path}: {status}");
    }
}

#[actix_web::test]
async fn visitors_who_reach_no_form_leave_no_session() {
    let app = spawn_app().await;
    let visitor = Browser::new(&app);
    for path in [
        "/favicon.ico",
        "/nowhere",
        "/healthz",
        "/settings/api-tokens",
        "/setup",
    ] {
        for _ in 0..10 {
            visitor.set_cookie(None);
            visitor.get(path).await;
        }
    }
    assert_eq!(app.count("sessions"), 0);
    assert!(visitor.cookie().is_none(), "no session cookie was set");
    // The sign-in form needs a CSRF token, so it keeps one session.
    visitor.get("/login").await;
    assert_eq!(app.count("sessions"), 1);
}
