use sha2::Digest;

use crate::helpers::{Browser, PASSWORD, hidden_value, input_value, spawn_app};

fn digest(secret: &str) -> String {
    format!("{:x}", sha2::Sha256::digest(secret.as_bytes()))
}

#[actix_web::test]
async fn the_details_page_has_three_tabs_that_work_without_javascript() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let created = admin
        .create_token(
            "Tabs",
            &app.scope_id("Production"),
            &[("description", "About tabs")],
        )
        .await;
    let base = format!("/settings/api-tokens/{}", created.guid);

    let general = admin.get(&base).await;
    assert!(general.body.contains("About tabs"));
    assert!(
        general
            .body
            .contains(&format!("{}/api/v1/verify", app.address)),
        "the endpoint"
    );
    assert!(general.body.contains("data-copy-from=\"endpoint-value\""));
    assert!(general.body.contains("aria-label=\"Copy the token GUID\""));
    let guid_text = created.guid.to_string();
    assert_eq!(
        general.body.matches(&format!(">{guid_text}<")).count(),
        1,
        "the GUID is shown once"
    );
    let hint = format!("tsr_…{}", &created.secret[46..]);
    assert!(
        general.body.contains(&format!("<code>{hint}</code>")),
        "the hint, never the value"
    );
    assert!(general.body.contains("was shown once"));
    assert!(general.body.contains(&format!("href=\"{base}/modules\"")));
    assert_eq!(
        general.html().text(".tabs [aria-current=\"page\"]"),
        "General"
    );

    let modules = admin.get(&format!("{base}/modules")).await;
    assert_eq!(
        modules.html().text(".tabs [aria-current=\"page\"]"),
        "Modules"
    );
    assert_eq!(
        modules.body.matches("✓").count(),
        4,
        "read-only: read on four modules"
    );

    let details = admin.get(&format!("{base}/details")).await;
    for label in ["Created", "Updated", "Valid from", "Valid to", "Last used"] {
        assert!(
            details.body.contains(&format!("<dt>{label}</dt>")),
            "{label}"
        );
    }
    assert!(details.body.contains("Created token"), "the history");
    assert!(details.body.contains("by Ada Admin · "));
}

#[actix_web::test]
async fn edits_save_and_are_audited_with_what_changed() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let staging = app.scope_id("Staging");
    let created = admin.create_token("Before", &production, &[]).await;
    let edit = admin
        .get(&format!("/settings/api-tokens/{}/edit", created.guid))
        .await;
    assert_eq!(input_value(&edit.body, "name").as_deref(), Some("Before"));
    let version = hidden_value(&edit.body, "version").unwrap();
    let orders = format!("{}:write", app.module_id("orders"));
    let response = admin
        .post(
            &format!("/settings/api-tokens/{}/edit", created.guid),
            &[
                ("version", &version),
                ("name", "After"),
                ("description", "Changed"),
                ("scopes", &staging),
                ("duration", "unlimited"),
                ("token_type", "custom"),
                ("permissions", &orders),
            ],
        )
        .await;
    response.assert_redirect(&format!("/settings/api-tokens/{}", created.guid));
    let page = admin
        .get(&format!("/settings/api-tokens/{}", created.guid))
        .await;
    assert!(page.body.contains("Saved the changes to After."));
    assert!(page.body.contains("Custom token, valid from") && page.body.contains("with no end"));
    assert!(page.body.contains("Staging"));
    let details = admin
        .get(&format!("/settings/api-tokens/{}/details", created.guid))
        .await;
    assert!(details.body.contains("Edited token"));
    // The history reads as sentences, never as JSON.
    let changes = details.html().texts("td[data-label=Changes]");
    let edited = changes
        .iter()
        .find(|c| c.contains("Name: Before → After"))
        .unwrap_or_else(|| panic!("{changes:?}"));
    assert!(edited.contains("Scopes: Production → Staging"), "{edited}");
    assert!(edited.contains("Type: Read-only → Custom"), "{edited}");
    assert!(
        edited.contains("Permissions: none → Write on Orders"),
        "{edited}"
    );
    let created_row = changes.last().unwrap();
    assert!(
        created_row.starts_with("Scopes: Production · Type: Read-only · Valid from "),
        "{created_row}"
    );
    assert!(!changes.iter().any(|c| c.contains('{') || c.contains('[')));

    // The audit log links the event to the token.
    let log = admin.get("/settings/audit-log").await;
    assert!(
        log.body
            .contains(&format!("href=\"/settings/api-tokens/{}\"", created.guid)),
        "audit targets link to the token"
    );
    assert!(
        log.body.contains("<a href=\"/settings/administrators/"),
        "and to the administrator"
    );
    // Its row says what changed, and shows the GUID by its first block.
    let html = log.html();
    let changes = html.texts("td[data-label=Changes]");
    assert!(
        changes[0].contains("Scopes: Production → Staging")
            && changes[0].contains("Name: Before → After"),
        "{changes:?}"
    );
    let short = created.guid.as_str().split('-').next().unwrap();
    let targets = html.texts("td[data-label=Target]");
    assert_eq!(targets[0], format!("After · {short}"));
    assert_eq!(
        html.attr("td[data-label=Target]", "title").as_deref(),
        Some(created.guid.as_str())
    );
    assert_eq!(
        app.digest_of(&created.guid),
        digest(&created.secret),
        "editing keeps the secret"
    );
}

#[actix_web::test]
async fn two_saves_of_the_same_version_give_one_conflict_and_no_overwrite() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let created = admin.create_token("Shared", &scope, &[]).await;
    let other = Browser::new(&app);
    other.sign_in("ada@example.com", PASSWORD).await;
    let path = format!("/settings/api-tokens/{}/edit", created.guid);
    let mine = admin.get(&path).await;
    other.get(&path).await;
    let version = hidden_value(&mine.body, "version").unwrap();
    let save = |name: &'static str| {
        vec![
            ("version", version.clone()),
            ("name", name.to_owned()),
            ("scopes", scope.clone()),
            ("duration", "keep".to_owned()),
            ("token_type", "read_only".to_owned()),
        ]
    };
    let first: Vec<(&str, String)> = save("Mine");
    let first: Vec<(&str, &str)> = first.iter().map(|(k, v)| (*k, v.as_str())).collect();
    admin
        .post(&path, &first)
        .await
        .assert_redirect(&format!("/settings/api-tokens/{}", created.guid));
    let second: Vec<(&str, String)> = save("Theirs");
    let second: Vec<(&str, &str)> = second.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let conflict = other.post(&path, &second).await;
    assert_eq!(conflict.status, 409);
    assert!(
        conflict
            .body
            .contains("Someone else saved changes to this token while you were editing")
    );
    assert!(conflict.body.contains("named \u{201c}Mine\u{201d}"));
    assert_eq!(
        input_value(&conflict.body, "name").as_deref(),
        Some("Theirs"),
        "what they typed is kept"
    );
    assert_eq!(
        app.count("api_tokens WHERE name = 'Mine'"),
        1,
        "nothing overwritten"
    );

    // Saving again, knowingly, from the refreshed form works.
    let fresh = hidden_value(&conflict.body, "version").unwrap();
    assert_ne!(fresh, version);
    let mut again = second.clone();
    again[0] = ("version", fresh.as_str());
    other
        .post(&path, &again)
        .await
        .assert_redirect(&format!("/settings/api-tokens/{}", created.guid));
    assert_eq!(app.count("api_tokens WHERE name = 'Theirs'"), 1);
}

#[actix_web::test]
async fn regenerate_replaces_the_secret_in_place_and_shows_it_once() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let created = app
        .token(&admin)
        .named("Rotating")
        .scope("Production")
        .lasting("90d")
        .create()
        .await;
    let before = app.count("api_tokens");
    let confirm = admin
        .get(&format!("/settings/api-tokens/{}/regenerate", created.guid))
        .await;
    assert!(
        confirm.body.contains("Regenerate Rotating?"),
        "a confirmation page without JavaScript"
    );
    let version = hidden_value(&confirm.body, "version").unwrap();
    let page = admin
        .post(
            &format!("/settings/api-tokens/{}/regenerate", created.guid),
            &[("version", &version), ("grace", "none")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Token regenerated"));
    assert_eq!(page.header("cache-control"), Some("no-store, max-age=0"));
    let secret = input_value(&page.body, "secret").unwrap();
    assert_ne!(secret, created.secret);
    assert_eq!(app.digest_of(&created.guid), digest(&secret));
    assert_eq!(
        app.count("api_tokens WHERE previous_secret_digest IS NOT NULL"),
        0,
        "no grace: the old one is gone"
    );
    assert_eq!(app.count("api_tokens"), before, "same token, same GUID");

    // Posting it again (a reload) regenerates nothing and shows nothing.
    let again = admin
        .post(
            &format!("/settings/api-tokens/{}/regenerate", created.guid),
            &[("version", &version), ("grace", "none")],
        )
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(app.digest_of(&created.guid), digest(&secret));
    assert!(
        admin
            .get(again.location())
            .await
            .body
            .contains("Someone else changed this token meanwhile")
    );
}

#[actix_web::test]
async fn regenerate_with_a_grace_period_keeps_the_previous_secret_until_then() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let created = app
        .token(&admin)
        .named("Graceful")
        .scope("Production")
        .create()
        .await;
    let version = admin.version_of(&created.guid).await;
    let page = admin
        .post(
            &format!("/settings/api-tokens/{}/regenerate", created.guid),
            &[("version", &version), ("grace", "24h")],
        )
        .await;
    assert!(
        page.body
            .contains("The previous secret keeps working until")
    );
    assert_eq!(
        app.count(&format!(
            "api_tokens WHERE previous_secret_digest = '{}'",
            digest(&created.secret)
        )),
        1
    );
    let details = admin
        .get(&format!("/settings/api-tokens/{}/details", created.guid))
        .await;
    assert!(details.body.contains("Previous secret works until"));
    let bad = admin
        .post(
            &format!("/settings/api-tokens/{}/regenerate", created.guid),
            &[
                ("version", &admin.version_of(&created.guid).await),
                ("grace", "forever"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[actix_web::test]
async fn disable_enable_revoke_and_delete_follow_the_status_rules() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let created = admin
        .create_token(
            "Lifecycle",
            &app.scope_id("Production"),
            &[("duration", "unlimited")],
        )
        .await;
    let token = format!("/settings/api-tokens/{}", created.guid);

    let version = admin.version_of(&created.guid).await;
    admin
        .post(&format!("{token}/disable"), &[("version", &version)])
        .await
        .assert_redirect(&token);
    let page = admin.get(&token).await;
    assert!(page.body.contains("badge-disabled"));
    assert!(
        page.body.contains("Only active tokens can be revoked"),
        "revoke is disabled when not active"
    );

    // Revoking a disabled token is refused on the server too.
    let version = admin.version_of(&created.guid).await;
    admin
        .post(&format!("{token}/revoke"), &[("version", &version)])
        .await
        .assert_redirect(&token);
    assert!(
        admin
            .get(&token)
            .await
            .body
            .contains("Only active tokens can be revoked.")
    );
    assert_eq!(app.count("api_tokens WHERE revoked_at IS NOT NULL"), 0);

    let version = admin.version_of(&created.guid).await;
    admin
        .post(&format!("{token}/enable"), &[("version", &version)])
        .await
        .assert_redirect(&token);
    assert!(admin.get(&token).await.body.contains("badge-active"));

    let confirm = admin.get(&format!("{token}/revoke")).await;
    assert!(confirm.body.contains("Revoke Lifecycle?"));
    let version = hidden_value(&confirm.body, "version").unwrap();
    admin
        .post(&format!("{token}/revoke"), &[("version", &version)])
        .await
        .assert_redirect(&token);
    let page = admin.get(&token).await;
    assert!(page.body.contains("badge-revoked"));
    assert_eq!(
        app.count("api_tokens WHERE revoked_at IS NOT NULL AND valid_to = revoked_at"),
        1,
        "valid-to becomes now"
    );
    assert!(
        !page.body.contains(&format!("{token}/edit\"")),
        "revoked tokens cannot be edited"
    );
    assert_eq!(admin.get(&format!("{token}/edit")).await.status, 409);

    let confirm = admin.get(&format!("{token}/delete")).await;
    let version = hidden_value(&confirm.body, "version").unwrap();
    admin
        .post(&format!("{token}/delete"), &[("version", &version)])
        .await
        .assert_redirect("/settings/api-tokens");
    let page = admin.get(&token).await;
    assert_eq!(page.status, 200, "the row stays for the audit trail");
    assert!(page.body.contains("badge-deleted"));
    assert_eq!(app.count("api_tokens WHERE deleted_at IS NOT NULL"), 1);
    assert!(
        !admin
            .get("/settings/api-tokens")
            .await
            .body
            .contains("Lifecycle")
    );

    let actions = app.get_audit_actions();
    for action in [
        "token.create",
        "token.disable",
        "token.enable",
        "token.revoke",
        "token.delete",
    ] {
        assert!(actions.contains(&action.to_owned()), "{action}");
    }
}

#[actix_web::test]
async fn a_viewer_sees_tokens_but_no_write_buttons_and_is_refused_every_action() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let staging = app.scope_id("Staging");
    let created = admin.create_token("Read me", &staging, &[]).await;
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[&staging])
        .await;
    let token = format!("/settings/api-tokens/{}", created.guid);
    let page = viewer.get(&token).await;
    assert_eq!(page.status, 200);
    for action in [
        "/edit\"",
        "/disable\"",
        "/revoke\"",
        "/delete\"",
        "/regenerate\"",
    ] {
        assert!(!page.body.contains(action), "{action}");
    }
    let list = viewer.get("/settings/api-tokens").await;
    assert!(!list.body.contains("/disable\"") && !list.body.contains("/delete\""));
    for path in ["/edit", "/regenerate", "/revoke", "/delete"] {
        assert_eq!(
            viewer.get(&format!("{token}{path}")).await.status,
            403,
            "{path}"
        );
    }
    for path in [
        "/edit",
        "/regenerate",
        "/disable",
        "/enable",
        "/revoke",
        "/delete",
    ] {
        let r = viewer
            .post(
                &format!("{token}{path}"),
                &[("version", "1"), ("name", "x")],
            )
            .await;
        assert_eq!(r.status, 403, "{path}");
    }
    assert_eq!(app.digest_of(&created.guid), digest(&created.secret));
    assert_eq!(
        app.count("api_tokens WHERE version = 1"),
        1,
        "nothing changed"
    );
}
