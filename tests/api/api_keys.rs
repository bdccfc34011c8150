//! Administrators' API keys: refused when wrong, expired, revoked or orphaned; never
//! more than their owner's rights at the time of use; made at the command line too.

use serde_json::json;

use crate::helpers::{ApiClient, Browser, TestApp, spawn_app};
use crate::management_api::new_token;

/// Pete, a Token Manager of Production, signed in.
async fn production_manager(app: &TestApp, super_admin: &Browser) -> Browser {
    let production = app.scope_id("Production");
    app.add_admin(
        super_admin,
        "pete@example.com",
        "token_manager",
        &[&production],
    )
    .await
}

#[actix_web::test]
async fn wrong_expired_revoked_and_orphaned_keys_are_refused_alike() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let pete = production_manager(&app, &ada).await;
    let key = app.api_key(&pete, "pete's", &["tokens.read"], &[]).await;
    let ok = ApiClient::new(&app, &key).get("/api/v1/tokens").await;
    assert_eq!(ok.status, 200);

    let refused = |response: crate::helpers::ApiResponse| {
        assert_eq!(response.status, 401, "{}", response.json);
        assert_eq!(response.code(), "invalid_api_key");
        assert!(
            response
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer")
        );
        assert!(
            response
                .header("content-type")
                .unwrap()
                .starts_with("application/problem+json")
        );
    };
    for wrong in ["", "tsa_short", "tsr_notakey", &key.replace("tsa_", "tsr_")] {
        refused(ApiClient::new(&app, wrong).get("/api/v1/tokens").await);
    }
    // Well formed, with a right checksum, but unknown.
    let unknown = tessera::domain::api_keys::ApiKeySecret::generate();
    refused(
        ApiClient::new(&app, unknown.expose())
            .get("/api/v1/tokens")
            .await,
    );
    // A session cookie never authenticates the API.
    let with_cookie = ada.get("/api/v1/tokens").await;
    assert_eq!(with_cookie.status, 401);

    // The owner disabled: refused on the next request; enabled again: accepted.
    app.execute(
        "UPDATE administrators SET disabled_at = created_at WHERE email = 'pete@example.com'",
    );
    refused(ApiClient::new(&app, &key).get("/api/v1/tokens").await);
    app.execute("UPDATE administrators SET disabled_at = NULL WHERE email = 'pete@example.com'");
    assert_eq!(
        ApiClient::new(&app, &key)
            .get("/api/v1/tokens")
            .await
            .status,
        200
    );

    app.execute("UPDATE admin_api_keys SET expires_at = created_at");
    refused(ApiClient::new(&app, &key).get("/api/v1/tokens").await);
    let page = pete.get("/profile/api-keys").await;
    assert!(page.body.contains("badge-expired"));

    let fresh = app.api_key(&pete, "second", &["tokens.read"], &[]).await;
    assert_eq!(
        ApiClient::new(&app, &fresh)
            .get("/api/v1/tokens")
            .await
            .status,
        200
    );
    let page = pete.get("/profile/api-keys").await;
    let public_id: String =
        app.texts("SELECT public_id AS t FROM admin_api_keys WHERE name = 'second'")[0].clone();
    assert!(
        page.body
            .contains(&format!("/profile/api-keys/{public_id}/revoke"))
    );
    pete.post(&format!("/profile/api-keys/{public_id}/revoke"), &[])
        .await
        .assert_redirect("/profile/api-keys");
    refused(ApiClient::new(&app, &fresh).get("/api/v1/tokens").await);
    assert!(
        app.get_audit_actions()
            .contains(&"api_key.revoke".to_owned())
    );
}

#[actix_web::test]
async fn a_key_never_exceeds_its_owner() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let pete = production_manager(&app, &ada).await;
    let staging = app
        .token(&ada)
        .named("staging-only")
        .scope("Staging")
        .create()
        .await;
    let mine = app
        .token(&ada)
        .named("prod")
        .scope("Production")
        .create()
        .await;

    // A key may not ask for more than its owner has.
    pete.get("/profile/api-keys").await;
    let asked = pete
        .post(
            "/profile/api-keys",
            &[
                ("name", "greedy"),
                ("expires_in_days", "30"),
                ("permissions", "admins.manage"),
                ("scope_limit", "all"),
            ],
        )
        .await;
    assert_eq!(asked.status, 422);
    assert!(
        asked.body.contains("is not one of your permissions"),
        "{}",
        asked.body
    );
    let too_long = pete
        .post(
            "/profile/api-keys",
            &[
                ("name", "forever"),
                ("expires_in_days", "400"),
                ("permissions", "tokens.read"),
                ("scope_limit", "all"),
            ],
        )
        .await;
    assert_eq!(too_long.status, 422);

    let key = app
        .api_key(&pete, "pete's", &["tokens.read", "tokens.create"], &[])
        .await;
    let api = ApiClient::new(&app, &key);
    // Another scope's token does not exist for this key: 404, as in the pages.
    let foreign = api.get(&format!("/api/v1/tokens/{}", staging.guid)).await;
    assert_eq!((foreign.status, foreign.code()), (404, "token_not_found"));
    let list = api.get("/api/v1/tokens").await;
    let guids: Vec<&str> = list.json["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["guid"].as_str().unwrap())
        .collect();
    assert_eq!(guids, [mine.guid.as_str()]);
    let elsewhere = api
        .post("/api/v1/tokens", &new_token("sneaky", "Staging"))
        .await;
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.json);
    assert_eq!(elsewhere.json["errors"][0]["field"], "scopes");
    let scopes = api.get("/api/v1/scopes").await;
    assert_eq!(scopes.json.as_array().unwrap().len(), 1);
    let admins = api.get("/api/v1/administrators").await;
    assert_eq!((admins.status, admins.code()), (403, "forbidden"));

    // A Super Admin's key limited to one scope sees that scope only.
    let limited = app
        .api_key(&ada, "staging bot", &["tokens.read"], &["Staging"])
        .await;
    let limited = ApiClient::new(&app, &limited);
    assert_eq!(
        limited
            .get(&format!("/api/v1/tokens/{}", mine.guid))
            .await
            .status,
        404
    );
    assert_eq!(
        limited
            .get(&format!("/api/v1/tokens/{}", staging.guid))
            .await
            .status,
        200
    );

    // Narrowing the owner narrows the key on the next request.
    assert_eq!(
        api.post("/api/v1/tokens", &new_token("one", "Production"))
            .await
            .status,
        201
    );
    app.execute("UPDATE administrators SET role_key = 'viewer' WHERE email = 'pete@example.com'");
    let narrowed = api
        .post("/api/v1/tokens", &new_token("two", "Production"))
        .await;
    assert_eq!((narrowed.status, narrowed.code()), (403, "forbidden"));
    app.execute("DELETE FROM administrator_scopes");
    let none = api.get("/api/v1/tokens").await;
    assert_eq!(none.json["tokens"], json!([]));
}

#[actix_web::test]
async fn the_command_line_prints_a_key_alone() {
    let app = spawn_app().await;
    let _ada = app.with_examples().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args([
            "admin",
            "key",
            "create",
            "--email",
            "ada@example.com",
            "--name",
            "terraform",
            "--expires-days",
            "7",
            "--permissions",
            "tokens.read,tokens.create",
            "--scopes",
            "Production",
        ])
        .env("TESSERA_DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let key = String::from_utf8(output.stdout).unwrap();
    let key = key.trim_end();
    assert!(
        key.starts_with("tsa_") && !key.contains(char::is_whitespace),
        "{key:?}"
    );
    let api = ApiClient::new(&app, key);
    assert_eq!(
        api.get("/api/v1/scopes")
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let audit = app.get_audit_actions();
    assert!(audit.contains(&"api_key.create".to_owned()));
    let too_much = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args([
            "admin",
            "key",
            "create",
            "--email",
            "ada@example.com",
            "--name",
            "x",
            "--expires-days",
            "366",
        ])
        .env("TESSERA_DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert!(!too_much.status.success());
    assert!(String::from_utf8_lossy(&too_much.stderr).contains("365"));
}
