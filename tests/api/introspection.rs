//! Introspection judges the token asked about for the client the gateway names,
//! not for the gateway: a token limited to networks is active only from inside
//! them, and never when the gateway names no client. Asking is no use.

use tessera::config::ServeArgs;

use crate::helpers::eventually;
use crate::helpers::spawn_app_with;
use crate::verification::{call, metric};

#[actix_web::test]
async fn a_token_limited_to_networks_is_judged_on_the_client_the_gateway_names() {
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
    let anywhere = admin.create_token("Anywhere", &scope, &[]).await;
    let auth = format!("Bearer {}", gateway.secret);
    let flushes_before = metric(&app, "tessera_usage_flushes_total").await;
    let ask = |form: String| {
        let auth = auth.clone();
        let app = &app;
        async move {
            let headers = [("authorization", auth.as_str())];
            let (status, json, _) =
                call(app, "POST", "/api/v1/introspect", &headers, Some(&form)).await;
            (status, json)
        }
    };

    // No client named: never silently active.
    let (status, json) = ask(format!("token={}", office.secret)).await;
    assert_eq!(
        (status, &json),
        (200, &serde_json::json!({"active": false}))
    );
    // From inside its networks: active, and the answer says which they are.
    let (status, json) = ask(format!("token={}&client_ip=203.0.113.9", office.secret)).await;
    assert_eq!(status, 200);
    assert_eq!(json["active"], true, "{json}");
    assert_eq!(
        json["allowed_networks"],
        serde_json::json!(["203.0.113.0/24"])
    );
    // From outside: inactive, as verification would refuse it.
    let (_, json) = ask(format!("token={}&client_ip=198.51.100.1", office.secret)).await;
    assert_eq!(json, serde_json::json!({"active": false}));
    let (_, json) = ask(format!("token={}&client_ip=2001:db8::1", office.secret)).await;
    assert_eq!(json, serde_json::json!({"active": false}));
    // A token limited to nothing is active for any client, or none.
    let (_, json) = ask(format!("token={}", anywhere.secret)).await;
    assert_eq!(json["active"], true, "{json}");
    assert!(json.get("allowed_networks").is_none(), "{json}");
    // An address that is not one is the gateway's mistake.
    for bad in ["not-an-ip", "", "203.0.113.0/24", "[::1]"] {
        let (status, json) = ask(format!("token={}&client_ip={bad}", office.secret)).await;
        assert_eq!(status, 400, "{bad}: {json}");
        assert_eq!(json["error"], "invalid_request", "{bad}");
    }

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
    // The flush is counted once its write is done, a moment after the row shows it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while metric(&app, "tessera_usage_flushes_total").await <= flushes_before {
        assert!(std::time::Instant::now() < deadline, "the flush is counted");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        used(&office.guid),
        0,
        "asking about a token is not using it"
    );
}
