//! Settings > Identities in the admin app: adding one, linking tokens in the token
//! form, limits and credits set on the page and shown as they stand, scopes kept.

use tessera::config::ServeArgs;

use crate::helpers::{TestApp, eventually, spawn_app, spawn_app_with};
use crate::usage_control::verify;

/// Adds "Acme" (`cus_acme`) in Production through the form; returns its page.
async fn add_acme(app: &TestApp, admin: &crate::helpers::Browser) -> String {
    let production = app.scope_id("Production");
    let added = admin
        .post(
            "/settings/identities",
            &[
                ("external_id", "cus_acme"),
                ("name", "Acme"),
                ("metadata", "{\"plan\": \"pro\"}"),
                ("scopes", &production),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    added.location().to_owned()
}

#[actix_web::test]
async fn an_identity_is_added_linked_limited_and_shows_what_its_tokens_used() {
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        ..ServeArgs::default()
    })
    .await;
    let ada = app.with_examples().await;
    let page = add_acme(&app, &ada).await;

    // A bad form says what is wrong, and keeps what was typed.
    let refused = ada
        .post(
            "/settings/identities",
            &[
                ("external_id", "cus_acme"),
                ("name", "Again"),
                ("metadata", "[1]"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("must be a JSON object"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Choose at least one scope"));

    let production = app.scope_id("Production");
    let token = ada
        .create_token("acme web", &production, &[("identity", "cus_acme")])
        .await;
    let unknown = ada
        .submit_token_form(&[
            ("name", "stray"),
            ("scopes", &production),
            ("identity", "cus_nobody"),
        ])
        .await;
    assert_eq!(unknown.status, 422);
    assert!(
        unknown.body.contains("no identity with the external ID"),
        "{}",
        unknown.body
    );

    let saved = ada
        .post(
            &format!("{page}/limits"),
            &[
                ("limits", "requests: 3 per minute"),
                ("credits", "10"),
                ("refill", "day"),
                ("refill_amount", "10"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let bad = ada
        .post(
            &format!("{page}/limits"),
            &[("limits", "requests 3 a minute")],
        )
        .await;
    assert_eq!(bad.status, 303);
    assert!(
        ada.get(&page).await.body.contains("is not a limit"),
        "the error is flashed"
    );

    for _ in 0..4 {
        verify(&app.address, &token.secret, "").await;
    }
    let shown = ada.get(&page).await;
    let html = shown.html();
    let figures = html.texts(".limit-meter-figure");
    assert_eq!(figures, ["3 / 3", "7 left"], "{figures:?}");
    assert!(html.text(".plain-list").contains("acme web"));
    assert!(shown.body.contains("Refills to 10 every day at 00:00 UTC"));

    // The token's page names its identity and shows the shared limits.
    let token_page = ada
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    assert!(token_page.body.contains("Shared by every token of"));
    assert!(token_page.body.contains("cus_acme"));
    // And its Usage tab counts the refusal, once the counts are written.
    eventually("the refusal is counted", || {
        app.texts("SELECT outcome AS t FROM token_usage")
            .contains(&"rate_limited".to_owned())
    })
    .await;
    let usage = ada
        .get(&format!("/settings/api-tokens/{}/usage", token.guid))
        .await;
    assert!(
        usage.body.contains("Rate limited"),
        "the refused request is a series"
    );
}

#[actix_web::test]
async fn identities_keep_to_their_scopes_in_the_admin_app() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let page = add_acme(&app, &ada).await;
    let staging = app.scope_id("Staging");
    let bob = app
        .add_admin(&ada, "bob@example.com", "token_manager", &[&staging])
        .await;
    assert_eq!(bob.get("/settings/identities").await.status, 200);
    assert!(
        !bob.get("/settings/identities")
            .await
            .body
            .contains("cus_acme")
    );
    assert_eq!(bob.get(&page).await.status, 404);
    let limits = bob.post(&format!("{page}/limits"), &[("limits", "")]).await;
    assert_eq!(limits.status, 404);
    assert_eq!(bob.post(&format!("{page}/delete"), &[]).await.status, 404);
    // Its owner deletes it; the page is gone.
    let deleted = ada.post(&format!("{page}/delete"), &[]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(ada.get(&page).await.status, 404);
}
