//! Token names are unique among the live tokens that share a scope: a name used in
//! a scope the administrator does not have is neither refused nor revealed.

use serde_json::json;

use crate::helpers::{ApiClient, spawn_app};
use crate::management_api::new_token;

#[actix_web::test]
async fn a_staging_manager_cannot_learn_that_billing_exists_in_production() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let billing = app
        .token(&ada)
        .named("billing")
        .scope("Production")
        .create()
        .await;
    let ada_key = app
        .api_key(
            &ada,
            "ada",
            &["tokens.read", "tokens.create", "tokens.update"],
            &[],
        )
        .await;
    let ada_api = ApiClient::new(&app, &ada_key);
    assert_eq!(
        ada_api
            .post("/api/v1/tokens", &new_token("payroll", "Production"))
            .await
            .status,
        201
    );

    let staging = app.scope_id("Staging");
    let sam = app
        .add_admin(&ada, "sam@example.com", "token_manager", &[&staging])
        .await;
    // In the form and in the API, the names are simply free in Staging.
    app.token(&sam)
        .named("billing")
        .scope("Staging")
        .create()
        .await;
    let key = app
        .api_key(&sam, "sam", &["tokens.read", "tokens.create"], &[])
        .await;
    let api = ApiClient::new(&app, &key);
    let payroll = api
        .post("/api/v1/tokens", &new_token("payroll", "Staging"))
        .await;
    assert_eq!(payroll.status, 201, "{}", payroll.json);
    assert_eq!(app.count("api_tokens WHERE name = 'billing'"), 2);

    // Within a scope, names stay unique, whatever their case; the token in the way
    // is one the caller sees.
    let twice = api
        .post("/api/v1/tokens", &new_token("PAYROLL", "Staging"))
        .await;
    assert_eq!((twice.status, twice.code()), (409, "name_taken"));
    let again = sam
        .submit_token_form(&[("name", "Billing"), ("scopes", &staging)])
        .await;
    assert_eq!(again.status, 409);
    assert!(
        again
            .body
            .contains("Another token of the same scope already has this name.")
    );
    // A token added to a scope where its name is taken is refused too.
    let widened = ada_api
        .write(
            "PATCH",
            &format!("/api/v1/tokens/{}", billing.guid),
            "*",
            Some(&json!({ "scopes": ["Production", "Staging"] })),
        )
        .await;
    assert_eq!((widened.status, widened.code()), (409, "name_taken"));
}
