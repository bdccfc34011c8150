//! The verification API: every outcome code, changes honoured on the very next
//! request, the cache, batched last-use writes, IP allow-lists.

use std::time::Duration;

use serde_json::Value;
use tessera::config::ServeArgs;

use crate::helpers::{Browser, TestApp, eventually, spawn_app, spawn_app_with};

/// A raw API client: no cookies, just the headers given.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, Value, awc::http::header::HeaderMap) {
    let client = awc::Client::default();
    let url = format!("{}{path}", app.address);
    let mut request = client.request(method.parse().unwrap(), url);
    for (name, value) in headers {
        request = request.append_header((*name, *value));
    }
    let mut response = match body {
        Some(body) => request
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .send_body(body.to_owned())
            .await
            .unwrap(),
        None => request.send().await.unwrap(),
    };
    let bytes = response.body().await.unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (response.status().as_u16(), json, response.headers().clone())
}

/// Calls `path` with `Authorization: Bearer secret` and these headers; the status
/// and the refusal code.
pub async fn call_with_bearer(
    app: &TestApp,
    path: &str,
    secret: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let auth = format!("Bearer {secret}");
    let mut all = vec![("authorization", auth.as_str())];
    all.extend_from_slice(headers);
    let (status, json, _) = call(app, "GET", path, &all, None).await;
    (status, json["code"].as_str().unwrap_or_default().to_owned())
}

pub async fn verify(app: &TestApp, secret: &str, query: &str) -> (u16, Value) {
    let auth = format!("Bearer {secret}");
    let (status, json, _) = call(
        app,
        "GET",
        &format!("/api/v1/verify{query}"),
        &[("authorization", &auth)],
        None,
    )
    .await;
    (status, json)
}

fn code(json: &Value) -> &str {
    json["code"].as_str().unwrap_or_default()
}

/// A counter from /metrics.
pub async fn metric(app: &TestApp, name: &str) -> u64 {
    let client = awc::Client::default();
    let body = client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .body()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&body).into_owned();
    let line = text
        .lines()
        .find(|l| l.split(' ').next() == Some(name))
        .unwrap_or_else(|| panic!("{name} in {text}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// Statements sent to the database so far.
pub async fn statements(app: &TestApp) -> u64 {
    metric(app, "tessera_db_statements_total").await
}

async fn action(admin: &Browser, guid: &str, action: &str) {
    let version = admin.version_of(guid).await;
    let response = admin
        .post(
            &format!("/settings/api-tokens/{guid}/{action}"),
            &[("version", &version), ("grace", "none")],
        )
        .await;
    assert!(
        response.status == 303 || response.status == 200,
        "{action}: {}",
        response.status
    );
}

#[actix_web::test]
async fn a_valid_token_passes_and_says_what_it_may_do() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let orders = format!("{}:read", app.module_id("orders"));
    let token = admin
        .create_token(
            "Reader",
            &app.scope_id("Production"),
            &[("token_type", "custom"), ("permissions", &orders)],
        )
        .await;
    let (status, json) = verify(&app, &token.secret, "").await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["valid"], true);
    assert_eq!(json["token"]["guid"], token.guid.as_str());
    assert_eq!(json["token"]["name"], "Reader");
    assert_eq!(json["token"]["type"], "custom");
    assert_eq!(json["token"]["scopes"][0], "Production");
    assert_eq!(json["token"]["permissions"]["orders"][0], "read");
    assert!(json["token"]["valid_to"].is_string());

    assert_eq!(
        verify(&app, &token.secret, "?module=orders&action=read")
            .await
            .0,
        200
    );
    assert_eq!(
        verify(&app, &token.secret, "?module=orders").await.0,
        200,
        "read by default"
    );
    let (status, json) = verify(&app, &token.secret, "?module=orders&action=write").await;
    assert_eq!((status, code(&json)), (403, "insufficient_permissions"));
    let (status, json) = verify(&app, &token.secret, "?module=catalog&action=read").await;
    assert_eq!((status, code(&json)), (403, "insufficient_permissions"));
    let (status, json) = verify(&app, &token.secret, "?module=nothing&action=read").await;
    assert_eq!(
        (status, code(&json)),
        (403, "insufficient_permissions"),
        "unknown modules are denied"
    );
    let (status, json) = verify(&app, &token.secret, "?module=orders&action=delete").await;
    assert_eq!((status, code(&json)), (400, "invalid_request"));
    assert_eq!(verify(&app, &token.secret, "?action=read").await.0, 400);

    let full = app
        .token(&admin)
        .named("Writer")
        .scope("Production")
        .full_access()
        .create()
        .await;
    assert_eq!(
        verify(&app, &full.secret, "?module=billing&action=write")
            .await
            .0,
        200
    );
}

#[actix_web::test]
async fn anything_that_is_not_a_stored_secret_is_invalid() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Real")
        .scope("Production")
        .create()
        .await;
    let mut typo = token.secret.clone().into_bytes();
    typo[10] = if typo[10] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    let unknown = tessera::domain::tokens::SecretToken::generate();
    for presented in [
        "",
        "Bearer",
        "garbage",
        "tsr_short",
        &typo,
        unknown.expose(),
    ] {
        let (status, json) = verify(&app, presented, "").await;
        assert_eq!((status, code(&json)), (401, "invalid"), "{presented:?}");
    }
    let (status, json, headers) = call(&app, "GET", "/api/v1/verify", &[], None).await;
    assert_eq!((status, code(&json)), (401, "invalid"), "no header");
    assert!(
        headers
            .get("www-authenticate")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let basic = format!("Basic {}", token.secret);
    let (status, _, _) = call(
        &app,
        "GET",
        "/api/v1/verify",
        &[("authorization", &basic)],
        None,
    )
    .await;
    assert_eq!(status, 401, "only bearer tokens");
}

#[actix_web::test]
async fn every_change_in_the_admin_is_honoured_on_the_very_next_request() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = admin
        .create_token(
            "Changing",
            &app.scope_id("Production"),
            &[("duration", "unlimited")],
        )
        .await;
    assert_eq!(verify(&app, &token.secret, "").await.0, 200, "now cached");

    action(&admin, &token.guid, "disable").await;
    let (status, json) = verify(&app, &token.secret, "").await;
    assert_eq!((status, code(&json)), (401, "disabled"));
    action(&admin, &token.guid, "enable").await;
    assert_eq!(verify(&app, &token.secret, "").await.0, 200);

    // An edit that takes away a permission.
    let edit = admin
        .get(&format!("/settings/api-tokens/{}/edit", token.guid))
        .await;
    let version = crate::helpers::hidden_value(&edit.body, "version").unwrap();
    let catalog = format!("{}:read", app.module_id("catalog"));
    admin
        .post(
            &format!("/settings/api-tokens/{}/edit", token.guid),
            &[
                ("version", &version),
                ("name", "Changing"),
                ("scopes", &app.scope_id("Production")),
                ("duration", "keep"),
                ("token_type", "custom"),
                ("permissions", &catalog),
            ],
        )
        .await;
    assert_eq!(verify(&app, &token.secret, "?module=orders").await.0, 403);
    assert_eq!(verify(&app, &token.secret, "?module=catalog").await.0, 200);

    // Regenerate: the old secret is refused at once, the new one passes.
    let version = admin.version_of(&token.guid).await;
    let page = admin
        .post(
            &format!("/settings/api-tokens/{}/regenerate", token.guid),
            &[("version", &version), ("grace", "none")],
        )
        .await;
    let fresh = crate::helpers::input_value(&page.body, "secret").unwrap();
    assert_eq!(code(&verify(&app, &token.secret, "").await.1), "invalid");
    assert_eq!(verify(&app, &fresh, "").await.0, 200);

    action(&admin, &token.guid, "revoke").await;
    let (status, json) = verify(&app, &fresh, "").await;
    assert_eq!((status, code(&json)), (401, "revoked"));
    action(&admin, &token.guid, "delete").await;
    assert_eq!(
        code(&verify(&app, &fresh, "").await.1),
        "invalid",
        "deleted tokens are unknown"
    );
}

#[actix_web::test]
async fn expired_and_not_yet_valid_tokens_say_so() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let later =
        tessera::domain::tokens::format_date(tessera::db::now().date() + time::Duration::days(5));
    let scheduled = admin
        .create_token(
            "Later",
            &scope,
            &[("duration", "custom"), ("valid_from", &later)],
        )
        .await;
    let (status, json) = verify(&app, &scheduled.secret, "").await;
    assert_eq!((status, code(&json)), (401, "not_yet_valid"));

    let expired = admin.create_token("Old", &scope, &[]).await;
    app.execute(&format!(
        "UPDATE api_tokens SET valid_to = '2001-01-01 00:00:00' WHERE guid = '{}'",
        expired.guid
    ));
    let (status, json) = verify(&app, &expired.secret, "").await;
    assert_eq!((status, code(&json)), (401, "expired"));
}

#[actix_web::test]
async fn the_previous_secret_works_during_its_grace_and_not_after() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Graceful")
        .scope("Production")
        .create()
        .await;
    let version = admin.version_of(&token.guid).await;
    let page = admin
        .post(
            &format!("/settings/api-tokens/{}/regenerate", token.guid),
            &[("version", &version), ("grace", "1h")],
        )
        .await;
    let fresh = crate::helpers::input_value(&page.body, "secret").unwrap();
    assert_eq!(
        verify(&app, &token.secret, "").await.0,
        200,
        "within the grace"
    );
    assert_eq!(verify(&app, &fresh, "").await.0, 200);

    // The grace ends (moved into the past), and an edit makes every instance reload it.
    app.execute(&format!(
        "UPDATE api_tokens SET previous_secret_expires_at = '2001-01-01 00:00:00' WHERE guid = '{}'",
        token.guid
    ));
    action(&admin, &token.guid, "disable").await;
    action(&admin, &token.guid, "enable").await;
    assert_eq!(code(&verify(&app, &token.secret, "").await.1), "invalid");
    assert_eq!(verify(&app, &fresh, "").await.0, 200);
}

#[actix_web::test]
async fn garbage_costs_no_query_and_unknown_tokens_one_per_period() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Cached")
        .scope("Production")
        .create()
        .await;
    settle(&app).await;
    assert_eq!(verify(&app, &token.secret, "").await.0, 200);

    let before = statements(&app).await;
    let mut typo = token.secret.clone();
    typo.replace_range(20..21, if &typo[20..21] == "x" { "y" } else { "x" });
    for i in 0..100 {
        let garbage = format!("tsr_{i:0>46}");
        assert_eq!(verify(&app, &garbage, "").await.0, 401);
        assert_eq!(verify(&app, &typo, "").await.0, 401);
    }
    for _ in 0..20 {
        assert_eq!(verify(&app, &token.secret, "").await.0, 200, "cache hits");
    }
    // The admin app's statements (and background jobs') are not verification's.
    assert_eq!(admin.get("/settings/api-tokens").await.status, 200);
    assert_eq!(
        statements(&app).await,
        before,
        "no query for malformed tokens or cache hits"
    );

    // A well-formed but unknown token costs one lookup, then is remembered.
    let unknown = tessera::domain::tokens::SecretToken::generate();
    for _ in 0..10 {
        assert_eq!(verify(&app, unknown.expose(), "").await.0, 401);
    }
    let after = statements(&app).await;
    assert!(
        after > before && after - before <= 2,
        "one lookup (and the catalog): {before} -> {after}"
    );
}

#[actix_web::test]
async fn last_use_is_written_in_batches_one_write_per_token() {
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        usage_granularity_seconds: 3600,
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let first = admin.create_token("Busy one", &scope, &[]).await;
    let second = admin.create_token("Busy two", &scope, &[]).await;
    settle(&app).await;
    // Both tokens looked up once; from here on, verifications are cache hits. Counts
    // start right after the flush that writes these uses: the next is a second away.
    let flushed = metric(&app, "tessera_usage_flushes_total").await;
    verify(&app, &first.secret, "").await;
    verify(&app, &second.secret, "").await;
    let flushes_before =
        wait_for_metric(&app, "tessera_usage_flushes_total", |n| n > flushed).await;
    let before = statements(&app).await;
    let written_before = metric(&app, "tessera_usage_flushed_tokens_total").await;
    for _ in 0..50 {
        let auth = format!("Bearer {}", first.secret);
        call(
            &app,
            "GET",
            "/api/v1/verify",
            &[("authorization", &auth), ("user-agent", "billing-sync/2.1")],
            None,
        )
        .await;
        verify(&app, &second.secret, "").await;
    }
    // A last use, told apart by its user agent: once it is written, so is every
    // earlier one, and the flush that wrote it is counted.
    let flushed = metric(&app, "tessera_usage_flushes_total").await;
    let auth = format!("Bearer {}", second.secret);
    call(
        &app,
        "GET",
        "/api/v1/verify",
        &[("authorization", &auth), ("user-agent", "last-call/1.0")],
        None,
    )
    .await;
    eventually("the last use is written", || {
        app.count("api_tokens WHERE last_used_user_agent = 'last-call/1.0'") == 1
    })
    .await;
    let flushes = wait_for_metric(&app, "tessera_usage_flushes_total", |n| n > flushed).await
        - flushes_before;
    let written = metric(&app, "tessera_usage_flushed_tokens_total").await - written_before;
    assert!(
        written >= 2 && written <= 2 * flushes,
        "each token at most once per flush: {written} in {flushes}"
    );
    let run = statements(&app).await - before;
    // The facts' rewrite is one statement on SQLite; on PostgreSQL, a transaction
    // of two (the lock, then the upsert).
    assert!(
        (2 * flushes..=6 * flushes).contains(&run),
        "no statement but the flushes: one UPDATE for the whole batch, one INSERT for \
         the clients seen, and the rewrite of the usage facts of the tokens seen from \
         another client: {run} in {flushes}"
    );
    assert_eq!(
        app.count("api_tokens WHERE last_used_at IS NOT NULL AND last_used_ip = '127.0.0.1'"),
        2
    );
    assert_eq!(
        app.count("api_tokens WHERE last_used_user_agent = 'billing-sync/2.1'"),
        1
    );
    // Absence cannot be polled for: two flush periods pass with nothing used.
    let quiet = statements(&app).await;
    tokio_sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        statements(&app).await,
        quiet,
        "nothing used: nothing written"
    );
    // Used by one client again and again, across several flushes: its first use is
    // written, the next ones within the hour are not (one flush at most, should the
    // hour turn meanwhile; without the granularity, every flush would write).
    let flushed = metric(&app, "tessera_usage_flushes_total").await;
    verify(&app, &second.secret, "").await;
    wait_for_metric(&app, "tessera_usage_flushes_total", |n| n > flushed).await;
    let steady = statements(&app).await;
    for _ in 0..3 {
        verify(&app, &second.secret, "").await;
        tokio_sleep(Duration::from_millis(1100)).await;
    }
    tokio_sleep(Duration::from_millis(1100)).await;
    assert!(
        statements(&app).await - steady <= 2,
        "repeated uses are written once per granularity: one flush (two statements) at most"
    );
    let page = admin
        .get(&format!("/settings/api-tokens/{}/details", first.guid))
        .await;
    assert!(page.body.contains("from 127.0.0.1"));
    assert!(page.body.contains("billing-sync/2.1"));
}

/// On PostgreSQL, the instance also hears its own change notifications a moment
/// later (and forgets the token once more); counts are taken after that. A marker
/// sent now is heard after every earlier change: once it is counted, they were.
pub async fn settle(app: &TestApp) {
    if !app.db.is_postgres() {
        return;
    }
    let heard = metric(app, "tessera_change_notifications_total").await;
    app.execute("NOTIFY tessera_changes, 'token:no-such-token'");
    wait_for_metric(app, "tessera_change_notifications_total", |n| n > heard).await;
}

/// Polls a metric until `done` says yes, for at most ten seconds; returns its value.
pub async fn wait_for_metric(app: &TestApp, name: &str, done: impl Fn(u64) -> bool) -> u64 {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let value = metric(app, name).await;
        if done(value) {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name} still {value} after 10 s"
        );
        tokio_sleep(Duration::from_millis(20)).await;
    }
}

pub async fn tokio_sleep(duration: Duration) {
    actix_web::rt::time::sleep(duration).await;
}

#[actix_web::test]
async fn the_ip_allow_list_is_enforced_with_the_client_address_from_trusted_proxies_only() {
    let app = spawn_app_with(ServeArgs {
        trusted_proxies: vec!["127.0.0.1".into()],
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    let token = admin
        .create_token(
            "Office only",
            &app.scope_id("Production"),
            &[("allowed_networks", "10.0.0.0/8\n2001:db8::/32")],
        )
        .await;
    let auth = format!("Bearer {}", token.secret);
    let (status, json, _) = call(
        &app,
        "GET",
        "/api/v1/verify",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(
        (status, code(&json)),
        (403, "ip_not_allowed"),
        "127.0.0.1 is not in the list"
    );
    let (status, _, _) = call(
        &app,
        "GET",
        "/api/v1/verify",
        &[("authorization", &auth), ("x-forwarded-for", "10.1.2.3")],
        None,
    )
    .await;
    assert_eq!(status, 200, "the trusted proxy says the client is 10.1.2.3");
    let (status, _, _) = call(
        &app,
        "GET",
        "/api/v1/verify",
        &[
            ("authorization", &auth),
            ("x-forwarded-for", "2001:db8::7, 127.0.0.1"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = call(
        &app,
        "GET",
        "/api/v1/verify",
        &[("authorization", &auth), ("x-forwarded-for", "192.0.2.1")],
        None,
    )
    .await;
    assert_eq!(status, 403);
    let general = admin
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    assert!(general.body.contains("10.0.0.0/8, 2001:db8::/32"));

    // Without trusted proxies, the header is ignored.
    let direct = spawn_app().await;
    let admin = direct.with_examples().await;
    let token = admin
        .create_token(
            "Office only",
            &direct.scope_id("Production"),
            &[("allowed_networks", "10.0.0.0/8")],
        )
        .await;
    let auth = format!("Bearer {}", token.secret);
    let (status, _, _) = call(
        &direct,
        "GET",
        "/api/v1/verify",
        &[("authorization", &auth), ("x-forwarded-for", "10.1.2.3")],
        None,
    )
    .await;
    assert_eq!(status, 403, "a forged header does not help");

    let bad = admin
        .submit_token_form(&[
            ("name", "Bad list"),
            ("scopes", &direct.scope_id("Production")),
            ("allowed_networks", "the office"),
        ])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("is not an IP address or network"));
}

#[actix_web::test]
async fn introspection_follows_rfc_7662() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let gateway = admin
        .create_token("Gateway", &scope, &[("can_introspect", "on")])
        .await;
    let plain = admin.create_token("Plain", &scope, &[]).await;
    let orders = format!("{}:write", app.module_id("orders"));
    let custom = admin
        .create_token(
            "Orders writer",
            &scope,
            &[
                ("token_type", "custom"),
                ("permissions", &orders),
                ("duration", "7d"),
            ],
        )
        .await;
    let as_gateway = format!("Bearer {}", gateway.secret);

    let body = format!("token={}", custom.secret);
    let (status, json, _) = call(
        &app,
        "POST",
        "/api/v1/introspect",
        &[("authorization", &as_gateway)],
        Some(&body),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(json["active"], true);
    assert_eq!(json["scope"], "orders:write");
    assert_eq!(json["sub"], custom.guid.as_str());
    assert_eq!(json["client_id"], custom.guid.as_str());
    assert_eq!(json["token_type"], "bearer");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((json["exp"].as_i64().unwrap() - (now + 7 * 86_400)).abs() < 120);
    assert!((json["iat"].as_i64().unwrap() - now).abs() < 120);
    assert!(json["nbf"].is_i64());

    let readonly = format!("token={}", plain.secret);
    let (_, json, _) = call(
        &app,
        "POST",
        "/api/v1/introspect",
        &[("authorization", &as_gateway)],
        Some(&readonly),
    )
    .await;
    assert_eq!(
        json["scope"],
        "billing:read catalog:read customers:read orders:read"
    );
    assert!(json.get("exp").is_some());

    for body in [
        "token=tsr_nothing",
        "token=garbage&token_type_hint=access_token",
    ] {
        let (status, json, _) = call(
            &app,
            "POST",
            "/api/v1/introspect",
            &[("authorization", &as_gateway)],
            Some(body),
        )
        .await;
        assert_eq!(
            (status, json.to_string()),
            (200, r#"{"active":false}"#.to_owned())
        );
    }
    let (status, json, _) = call(
        &app,
        "POST",
        "/api/v1/introspect",
        &[("authorization", &as_gateway)],
        Some(""),
    )
    .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_request"))
    );

    let as_plain = format!("Bearer {}", plain.secret);
    let (status, json, _) = call(
        &app,
        "POST",
        "/api/v1/introspect",
        &[("authorization", &as_plain)],
        Some(&body),
    )
    .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    let (status, _, headers) = call(&app, "POST", "/api/v1/introspect", &[], Some(&body)).await;
    assert_eq!(status, 401);
    assert!(headers.get("www-authenticate").is_some());

    action(&admin, &custom.guid, "revoke").await;
    let (_, json, _) = call(
        &app,
        "POST",
        "/api/v1/introspect",
        &[("authorization", &as_gateway)],
        Some(&body),
    )
    .await;
    assert_eq!(json["active"], false, "revoked: inactive at once");
}

#[actix_web::test]
async fn forward_auth_maps_paths_to_modules_and_methods_to_actions() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let reader = admin.create_token("Reader", &scope, &[]).await;
    let orders = format!("{}:write", app.module_id("orders"));
    let writer = admin
        .create_token(
            "Orders writer",
            &scope,
            &[("token_type", "custom"), ("permissions", &orders)],
        )
        .await;
    let auth = |t: &str| format!("Bearer {t}");

    // nginx: X-Original-Method and X-Original-URI.
    let (status, _, headers) = call(
        &app,
        "GET",
        "/api/v1/auth",
        &[
            ("authorization", &auth(&reader.secret)),
            ("x-original-method", "GET"),
            ("x-original-uri", "/products/42?x=1"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        headers
            .get("x-tessera-token-guid")
            .unwrap()
            .to_str()
            .unwrap(),
        reader.guid.as_str()
    );
    assert_eq!(
        headers
            .get("x-tessera-token-name")
            .unwrap()
            .to_str()
            .unwrap(),
        "Reader"
    );
    let (status, json, _) = call(
        &app,
        "GET",
        "/api/v1/auth",
        &[
            ("authorization", &auth(&reader.secret)),
            ("x-original-method", "POST"),
            ("x-original-uri", "/products/42"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, code(&json)),
        (403, "insufficient_permissions"),
        "read-only may not POST"
    );
    let (status, _, _) = call(
        &app,
        "GET",
        "/api/v1/auth",
        &[
            ("authorization", &auth(&reader.secret)),
            ("x-original-method", "GET"),
            ("x-original-uri", "/unmapped/path"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 403, "a path no module covers is denied");

    // Traefik: X-Forwarded-Method and X-Forwarded-Uri.
    let (status, _, _) = call(
        &app,
        "GET",
        "/api/v1/auth",
        &[
            ("authorization", &auth(&writer.secret)),
            ("x-forwarded-method", "DELETE"),
            ("x-forwarded-uri", "/orders/7"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = call(
        &app,
        "GET",
        "/api/v1/auth",
        &[
            ("authorization", &auth(&writer.secret)),
            ("x-forwarded-method", "PUT"),
            ("x-forwarded-uri", "/billing/7"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 403);

    // Envoy: the original method and path, after the prefix.
    let (status, _, _) = call(
        &app,
        "DELETE",
        "/api/v1/auth/orders/7",
        &[("authorization", &auth(&writer.secret))],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = call(
        &app,
        "PATCH",
        "/api/v1/auth/carts/3",
        &[("authorization", &auth(&reader.secret))],
        None,
    )
    .await;
    assert_eq!(status, 403);

    let (status, _, headers) = call(
        &app,
        "GET",
        "/api/v1/auth",
        &[("x-original-uri", "/orders")],
        None,
    )
    .await;
    assert_eq!(status, 401);
    assert!(headers.get("www-authenticate").is_some());
}

#[actix_web::test]
async fn metrics_count_outcomes_latency_cache_and_flushes() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Measured")
        .scope("Production")
        .create()
        .await;
    settle(&app).await;
    verify(&app, &token.secret, "").await;
    verify(&app, &token.secret, "").await;
    verify(&app, "garbage", "").await;
    // Forward-auth as nginx calls it, and as Envoy does (the path after /auth).
    for (path, headers) in [
        ("/api/v1/auth", &[("x-original-uri", "/orders/1")][..]),
        ("/api/v1/auth/orders/1", &[]),
    ] {
        let (status, _) = call_with_bearer(&app, path, &token.secret, headers).await;
        assert_eq!(status, 200, "{path}");
    }
    let client = awc::Client::default();
    let body = client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .body()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains(r#"tessera_verifications_total{endpoint="verify",outcome="valid"} 2"#),
        "{text}"
    );
    assert!(text.contains(r#"tessera_verifications_total{endpoint="verify",outcome="invalid"} 1"#));
    assert!(text.contains("tessera_token_cache_hits_total 3"));
    assert!(text.contains("tessera_token_cache_misses_total 1"));
    assert!(text.contains(r#"tessera_verification_duration_seconds_count{endpoint="verify"} 3"#));
    assert!(text.contains(r#"tessera_verification_duration_seconds_count{endpoint="auth"} 2"#));
    assert!(
        text.contains(r#"tessera_verification_duration_seconds_count{endpoint="introspect"} 0"#)
    );
    assert!(text.contains("tessera_usage_flushes_total"));
}
