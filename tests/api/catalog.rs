use crate::helpers::spawn_app;

#[actix_web::test]
async fn modules_are_created_renamed_and_deleted_unless_tokens_use_them() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    admin.get("/settings/modules").await;
    admin
        .post(
            "/settings/modules",
            &[
                ("key", "reports"),
                ("name", "Reports"),
                ("path_prefixes", "/reports\n/exports/"),
            ],
        )
        .await
        .assert_redirect("/settings/modules");
    let duplicate = admin
        .post(
            "/settings/modules",
            &[("key", "reports"), ("name", "Again"), ("path_prefixes", "")],
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(
        app.count("modules WHERE module_key = 'reports' AND name = 'Reports'"),
        1
    );
    assert_eq!(
        app.count("modules WHERE name = 'Again'"),
        0,
        "nothing overwritten"
    );
    assert!(
        duplicate
            .body
            .contains("Another module already has this key.")
    );
    let overlap = admin
        .post(
            "/settings/modules",
            &[
                ("key", "other"),
                ("name", "Other"),
                ("path_prefixes", "/orders"),
            ],
        )
        .await;
    assert!(
        overlap
            .body
            .contains("Another module already covers /orders.")
    );

    let reports = app.module_id("reports");
    let edit = admin
        .get(&format!("/settings/modules/{reports}/edit"))
        .await;
    assert!(edit.body.contains("/exports"));
    admin
        .post(
            &format!("/settings/modules/{reports}/edit"),
            &[("name", "Reporting"), ("path_prefixes", "/reports")],
        )
        .await
        .assert_redirect("/settings/modules");
    let list = admin.get("/settings/modules").await;
    assert!(list.body.contains("Reporting") && !list.body.contains("/exports"));
    assert_eq!(app.module_id("reports"), reports, "the key stays");

    // A custom token granted the module blocks its deletion, with a clear message.
    let grant = format!("{reports}:read");
    let token = admin
        .create_token(
            "Reader",
            &app.scope_id("Production"),
            &[("token_type", "custom"), ("permissions", &grant)],
        )
        .await;
    admin.get("/settings/modules").await;
    admin
        .post(&format!("/settings/modules/{reports}/delete"), &[])
        .await
        .assert_redirect("/settings/modules");
    let page = admin.get("/settings/modules").await;
    assert!(
        page.body
            .contains("Reporting was not deleted: 1 token is granted it."),
        "{}",
        page.body
    );
    assert_eq!(app.count(&format!("modules WHERE id = {reports}")), 1);

    let version = admin.version_of(&token.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/delete", token.guid),
            &[("version", &version)],
        )
        .await;
    admin.get("/settings/modules").await;
    let confirm = admin
        .get(&format!("/settings/modules/{reports}/delete"))
        .await;
    assert!(confirm.body.contains("Delete the module Reporting?"));
    admin
        .post(&format!("/settings/modules/{reports}/delete"), &[])
        .await
        .assert_redirect("/settings/modules");
    assert!(
        admin
            .get("/settings/modules")
            .await
            .body
            .contains("Deleted the module Reporting.")
    );
    assert_eq!(app.count(&format!("modules WHERE id = {reports}")), 0);
    let actions = app.get_audit_actions();
    assert!(
        actions.contains(&"module.update".to_owned())
            && actions.contains(&"module.delete".to_owned())
    );
}

#[actix_web::test]
async fn scopes_are_renamed_and_deleted_unless_tokens_use_them() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let staging = app.scope_id("Staging");
    let development = app.scope_id("Development");
    admin.get("/settings/scopes").await;
    admin
        .post(
            &format!("/settings/scopes/{staging}/edit"),
            &[("name", "Pre-production")],
        )
        .await
        .assert_redirect("/settings/scopes");
    let taken = admin
        .post(
            &format!("/settings/scopes/{development}/edit"),
            &[("name", "production")],
        )
        .await;
    assert_eq!(taken.status, 409);
    assert!(taken.body.contains("Another scope already has this name."));
    assert_eq!(
        app.count(&format!(
            "scopes WHERE id = {development} AND name = 'Development'"
        )),
        1,
        "the scope kept its name"
    );

    let token = admin.create_token("In pre-prod", &staging, &[]).await;
    admin.get("/settings/scopes").await;
    admin
        .post(&format!("/settings/scopes/{staging}/delete"), &[])
        .await
        .assert_redirect("/settings/scopes");
    assert!(
        admin
            .get("/settings/scopes")
            .await
            .body
            .contains("Pre-production was not deleted: 1 token is in it.")
    );

    let version = admin.version_of(&token.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/delete", token.guid),
            &[("version", &version)],
        )
        .await;
    admin.get("/settings/scopes").await;
    admin
        .post(&format!("/settings/scopes/{staging}/delete"), &[])
        .await
        .assert_redirect("/settings/scopes");
    assert_eq!(app.count(&format!("scopes WHERE id = {staging}")), 0);
    // The deleted token's set of scopes lost it, and so did the kept counts.
    assert_eq!(
        app.texts(&format!(
            "SELECT scope_set AS t FROM api_tokens WHERE guid = '{}'",
            token.guid
        )),
        [","]
    );
    let mut conn = app.conn();
    tessera::db::token_counts::fold(&mut conn).unwrap();
    assert_eq!(
        app.count(&format!(
            "token_counts WHERE scope_set LIKE '%,{staging},%'"
        )),
        0
    );
    // The development scope, unused, goes at once.
    admin
        .post(&format!("/settings/scopes/{development}/delete"), &[])
        .await
        .assert_redirect("/settings/scopes");
    assert_eq!(app.count("scopes"), 1);
}

#[actix_web::test]
async fn modules_count_the_tokens_that_may_call_them_and_warn_before_a_refused_delete() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    app.token(&admin)
        .named("Reads all")
        .scope("Production")
        .create()
        .await;
    app.token(&admin)
        .named("Orders only")
        .scope("Production")
        .custom(&[("orders", "read"), ("orders", "write")])
        .create()
        .await;
    let gone = app
        .token(&admin)
        .named("Gone")
        .scope("Production")
        .create()
        .await;
    let version = admin.version_of(gone.guid.as_str()).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/delete", gone.guid),
            &[("version", &version)],
        )
        .await;

    let page = admin.get("/settings/modules").await;
    let html = page.html();
    let orders = app.module_id("orders");
    let catalog = app.module_id("catalog");
    // Orders: the read-only token and the Custom one (counted once, for two grants).
    let link = format!("a[href=\"/settings/api-tokens?module={orders}\"]");
    assert!(
        html.text(&link).starts_with("2 tokens"),
        "{}",
        html.text(&link)
    );
    let link = format!("a[href=\"/settings/api-tokens?module={catalog}\"]");
    assert!(
        html.text(&link).starts_with("1 token"),
        "{}",
        html.text(&link)
    );
    // The list the count links to shows as many.
    let listed = admin
        .get(&format!("/settings/api-tokens?module={orders}"))
        .await;
    assert_eq!(listed.html().count(".token-name"), 2);

    // Deleting Orders would be refused: its confirmation says so before.
    let warnings = html.attrs(
        "a[data-confirm^=\"Delete the module\"]",
        "data-confirm-body",
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("Orders cannot be deleted now: 1 Custom token is granted it.")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("no token is granted it one by one")),
        "{warnings:?}"
    );
    // The same verbs on both catalog pages.
    for page in ["/settings/modules", "/settings/scopes"] {
        let html = admin.get(page).await.html();
        assert!(
            html.texts(".cell-actions a")
                .iter()
                .all(|a| a.starts_with("Edit") || a.starts_with("Delete"))
        );
    }
}
