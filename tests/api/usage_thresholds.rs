//! `token.usage_threshold`: a signed webhook, and a notice in the admin app, once
//! when a token's credits are 80 % used and once when none are left; an identity's
//! credits tell the same with the identity named.

use serde_json::json;
use tessera::config::ServeArgs;

use crate::helpers::{Receiver, add_endpoint, eventually, spawn_app_with, webhook_args};
use crate::usage_control::{metered, verify};

#[actix_web::test]
async fn credits_at_80_and_100_percent_are_told_once_each() {
    let receiver = Receiver::start();
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        ..webhook_args(true)
    })
    .await;
    let ada = app.with_examples().await;
    let (_, secret) = add_endpoint(&ada, &receiver.url, &["token.usage_threshold"]).await;
    let (api, guid, value) = metered(&app, &ada, "metered", json!({ "remaining": 10 })).await;
    let path = format!("/api/v1/tokens/{guid}/limits");
    let set = json!({ "credits": { "remaining": 10 } });

    assert_eq!(verify(&app.address, &value, "?cost=7").await.status, 200);
    // 70 % used: nothing to tell. 80 %: told.
    assert_eq!(verify(&app.address, &value, "").await.status, 200);
    let eighty = receiver.wait_for("token.usage_threshold").await;
    assert!(
        eighty.signed_by(&secret),
        "signed as Standard Webhooks says"
    );
    let data = &eighty.json()["data"];
    assert_eq!(data["token"]["guid"], guid.as_str());
    assert_eq!(
        data["credits"],
        json!({ "remaining": 2, "of": 10, "threshold": 80 })
    );
    let list = ada.get("/settings/api-tokens").await;
    assert!(
        list.body.contains("Credits running low"),
        "the in-app notice"
    );
    assert!(list.body.contains("80 % used"));

    assert_eq!(verify(&app.address, &value, "?cost=2").await.status, 200);
    eventually("told at 100 %", || receiver.received().len() == 2).await;
    let all = receiver.received();
    assert_eq!(all[1].json()["data"]["credits"]["threshold"], 100);
    assert_eq!(verify(&app.address, &value, "").await.status, 429);
    // Nothing more to tell, however long it waits.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(receiver.received().len(), 2);
    assert!(
        ada.get("/settings/api-tokens")
            .await
            .body
            .contains("none left")
    );

    // Set anew: the notice goes, and thresholds will be told again.
    assert_eq!(api.send("PUT", &path, &[], Some(&set)).await.status, 200);
    assert!(
        !ada.get("/settings/api-tokens")
            .await
            .body
            .contains("Credits running low")
    );
}
