//! Introspection judges the token asked about as it is, not as the caller would
//! use it: the caller's address is not that token's client, and asking is no use.

use tessera::config::ServeArgs;

use crate::helpers::eventually;
use crate::helpers::spawn_app_with;
use crate::verification::{call, metric};

#[actix_web::test]
async fn the_introspected_token_is_judged_without_ip_rules_and_its_use_is_not_recorded() {
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let gateway = admin
        .create_token("Gateway", &scope, &[("can_introspect", "on")])
        .await;
    // Usable from the office only; the gateway asks from 127.0.0.1.
    let office = admin
        .create_token(
            "Office only",
            &scope,
            &[("allowed_networks", "203.0.113.0/24")],
        )
        .await;
    let auth = format!("Bearer {}", gateway.secret);
    let flushes_before = metric(&app, "tessera_usage_flushes_total").await;
    let (status, json, _) = call(
        &app,
        "POST",
        "/api/v1/introspect",
        &[("authorization", &auth)],
        Some(&format!("token={}", office.secret)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(json["active"], true, "{json}");

    // Both uses would sit in the same buffer and be written by the same flush: once
    // the gateway's use is written, the office token's would be too.
    let used = |guid: &str| {
        app.count(&format!(
            "api_tokens WHERE guid = '{guid}' AND last_used_at IS NOT NULL"
        ))
    };
    eventually("the caller's own use is written", || {
        used(&gateway.guid) == 1
    })
    .await;
    assert!(metric(&app, "tessera_usage_flushes_total").await > flushes_before);
    assert_eq!(
        used(&office.guid),
        0,
        "asking about a token is not using it"
    );
}
