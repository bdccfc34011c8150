//! Deleting a scope never widens anyone's reach: a scope that webhooks, API keys
//! or administrators are limited to is not deleted (the refusal names them and is
//! audited), and one whose list became empty anyway hears and sees nothing.

use crate::helpers::{ApiClient, Browser, Receiver, TestApp, spawn_app, webhook_app};

/// Deletes the scope `id` from Settings > Scopes; the flash message it leaves.
async fn delete_scope(admin: &Browser, id: &str) -> String {
    admin.get("/settings/scopes").await;
    admin
        .post(&format!("/settings/scopes/{id}/delete"), &[])
        .await
        .assert_redirect("/settings/scopes");
    let page = admin.get("/settings/scopes").await;
    page.html().text(".flash")
}

/// Adds an endpoint hearing `token.created` about tokens of `scopes` (none: every
/// scope); its ID.
async fn add_endpoint(app: &TestApp, admin: &Browser, url: &str, scopes: &[&str]) -> String {
    admin.get("/settings/webhooks/new").await;
    let ids: Vec<String> = scopes.iter().map(|s| app.scope_id(s)).collect();
    let limit = if ids.is_empty() { "all" } else { "listed" };
    let mut fields = vec![
        ("url", url),
        ("events", "token.created"),
        ("scope_limit", limit),
    ];
    fields.extend(ids.iter().map(|id| ("scopes", id.as_str())));
    let page = admin.post("/settings/webhooks/new", &fields).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let href = page
        .html()
        .attr("a.button-primary[href^='/settings/webhooks/']", "href")
        .unwrap();
    href.rsplit('/').next().unwrap().to_owned()
}

fn deliveries_to(app: &TestApp, endpoint: &str) -> i64 {
    app.count(&format!(
        "webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE e.public_id = '{endpoint}'"
    ))
}

/// An endpoint limited to Staging keeps hearing of Staging's tokens only: the
/// scope is not deleted from under it, and were its list emptied it would hear
/// nothing, never every scope.
#[actix_web::test]
async fn a_webhook_limited_to_a_scope_stays_limited() {
    let limited = Receiver::start();
    let everything = Receiver::start();
    let app = webhook_app(true).await;
    let ada = app.with_examples().await;
    let staging = app.scope_id("Staging");
    let with_key = format!("{}?key=sekrit", limited.url);
    let staging_only = add_endpoint(&app, &ada, &with_key, &["Staging"]).await;
    let every_scope = add_endpoint(&app, &ada, &everything.url, &[]).await;

    let refusal = delete_scope(&ada, &staging).await;
    assert!(
        refusal.starts_with("Staging was not deleted: the webhook ")
            && refusal.contains(&format!("{}?***", limited.url))
            && refusal.contains("is limited to it"),
        "{refusal}"
    );
    assert!(!refusal.contains("sekrit"), "{refusal}");
    assert_eq!(app.count(&format!("scopes WHERE id = {staging}")), 1);
    assert_eq!(
        app.texts(
            "SELECT details AS t FROM audit_events WHERE action = 'scope.delete_refused' \
             AND target_label = 'Staging'"
        )
        .len(),
        1,
        "the refusal is audited"
    );

    // A Production token is not for the Staging endpoint; a Staging one is.
    app.token(&ada)
        .named("team-b")
        .scope("Production")
        .create()
        .await;
    app.token(&ada)
        .named("team-c")
        .scope("Staging")
        .create()
        .await;
    let heard = limited.wait_for("token.created").await;
    assert_eq!(heard.json()["data"]["token"]["name"], "team-c");
    // The Production event was dispatched before the Staging one.
    assert_eq!(deliveries_to(&app, &staging_only), 1);

    // Its list emptied (as a delete racing a change could leave it): it hears
    // nothing, and its page says why.
    app.execute("DELETE FROM webhook_endpoint_scopes");
    app.token(&ada)
        .named("team-b-2")
        .scope("Production")
        .create()
        .await;
    crate::helpers::eventually("the every-scope endpoint hears of team-b-2", || {
        everything
            .received()
            .iter()
            .any(|r| r.json()["data"]["token"]["name"] == "team-b-2")
    })
    .await;
    assert_eq!(deliveries_to(&app, &staging_only), 1, "nothing new");
    assert_eq!(deliveries_to(&app, &every_scope), 3);
    let list = ada.get("/settings/webhooks").await;
    assert!(
        list.body.contains("None: its scopes were deleted"),
        "{}",
        list.body
    );
}

/// Administrators and API keys limited to a scope keep it too, each named (a
/// revoked key holds nothing back). Whoever's list is emptied anyway sees no
/// token at all.
#[actix_web::test]
async fn administrators_and_api_keys_limited_to_a_scope_keep_it() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let (staging, development) = (app.scope_id("Staging"), app.scope_id("Development"));
    let pat = app
        .add_admin(&ada, "pat@example.com", "token_manager", &[&staging])
        .await;
    let key = app
        .api_key(&ada, "CI deploy", &["tokens.read"], &["Development"])
        .await;
    app.api_key(&ada, "Old laptop", &["tokens.read"], &["Development"])
        .await;
    app.execute("UPDATE admin_api_keys SET revoked_at = created_at WHERE name = 'Old laptop'");
    app.token(&ada)
        .named("production-secret")
        .scope("Production")
        .create()
        .await;

    let refusal = delete_scope(&ada, &staging).await;
    assert!(
        refusal.starts_with("Staging was not deleted: the administrator pat · ")
            && refusal
                .ends_with("is limited to it. Take the scope off them, or delete them, first."),
        "{refusal}"
    );
    let refusal = delete_scope(&ada, &development).await;
    assert_eq!(
        refusal,
        "Development was not deleted: the API key \u{201c}CI deploy\u{201d} of Ada Admin is \
         limited to it. Take the scope off them, or delete them, first."
    );
    assert_eq!(app.count("scopes"), 3);
    let refused = app.texts(
        "SELECT details AS t FROM audit_events WHERE action = 'scope.delete_refused' ORDER BY id",
    );
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[1].contains("CI deploy"), "{refused:?}");

    // Their lists emptied anyway (as a racing delete could): they see nothing.
    app.execute("DELETE FROM administrator_scopes; DELETE FROM admin_api_key_scopes");
    let listed = ApiClient::new(&app, &key).get("/api/v1/tokens").await;
    assert_eq!(listed.status, 200, "{}", listed.json);
    assert_eq!(listed.json["tokens"], serde_json::json!([]));
    let page = pat.get("/settings/api-tokens").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("production-secret"), "{}", page.body);
    assert!(
        ada.get("/settings/api-tokens")
            .await
            .body
            .contains("production-secret"),
        "the token is there to be seen"
    );
}

#[actix_web::test]
async fn the_scope_list_says_what_uses_each_scope_and_warns_before_a_refused_delete() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let staging = app.scope_id("Staging");
    app.token(&admin)
        .named("One")
        .scope("Staging")
        .create()
        .await;
    app.token(&admin)
        .named("Two")
        .scope("Staging")
        .create()
        .await;
    app.add_admin(&admin, "vic@example.com", "viewer", &[&staging])
        .await;
    let list = admin.get("/settings/scopes").await;
    let html = list.html();
    let row = html
        .texts("tr")
        .into_iter()
        .find(|r| r.contains("Pre-release testing"))
        .unwrap();
    let in_staging = app.count(&format!(
        "api_tokens WHERE deleted_at IS NULL AND scope_set LIKE '%,{staging},%'"
    ));
    assert!(row.contains(&format!("{in_staging} tokens")), "{row}");
    assert!(row.contains("1 administrator limited to it"), "{row}");
    assert!(
        list.body
            .contains(&format!("href=\"/settings/api-tokens?scope={staging}\""))
    );
    // The question before the delete says it will be refused, and why; in the
    // dialog and on the page without JavaScript.
    assert!(
        list.body.contains("Staging cannot be deleted now:"),
        "{}",
        list.body
    );
    let page = admin
        .get(&format!("/settings/scopes/{staging}/delete"))
        .await;
    assert!(
        page.body.contains("Staging cannot be deleted now:"),
        "{}",
        page.body
    );
    // A scope nothing uses is asked about as before.
    admin
        .post(
            "/settings/scopes",
            &[("name", "Empty"), ("description", "")],
        )
        .await;
    let empty = app.scope_id("Empty");
    let page = admin.get(&format!("/settings/scopes/{empty}/delete")).await;
    assert!(
        !page.body.contains("cannot be deleted now"),
        "{}",
        page.body
    );
    assert!(page.body.contains("prevent the delete"), "{}", page.body);
}
