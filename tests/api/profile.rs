//! My profile: the header menu, one's own name and password, signing out everywhere,
//! and "API token management" with one's own tokens.

use crate::helpers::{Browser, PASSWORD, hidden_value, spawn_app};

const NEW_PASSWORD: &str = "a brand new passphrase here";

fn signed_out(response: &crate::helpers::Response) -> bool {
    response.status == 303 && response.location().starts_with("/login")
}

#[actix_web::test]
async fn every_page_has_the_account_menu() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    for path in [
        "/settings/api-tokens",
        "/settings/scopes",
        "/profile",
        "/profile/api-tokens",
    ] {
        let page = admin.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        for part in [
            "data-account-menu",
            "<span class=\"account-name\">Ada Admin</span>",
            "<a href=\"/profile\">My profile</a>",
            "<a href=\"/profile/api-tokens\">API token management</a>",
            "<form method=\"post\" action=\"/logout\">",
        ] {
            assert!(page.body.contains(part), "{path}: {part}");
        }
    }
    // Signed out, there is no menu: the profile asks for a sign-in.
    let stranger = Browser::new(&app);
    assert!(signed_out(&stranger.get("/profile").await));
    assert!(signed_out(&stranger.get("/profile/api-tokens").await));
}

#[actix_web::test]
async fn an_administrator_changes_their_display_name() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let page = admin.get("/profile").await;
    assert!(page.body.contains("ada@example.com"));
    let version = hidden_value(&page.body, "version").unwrap();

    let empty = admin
        .post("/profile", &[("display_name", "  "), ("version", &version)])
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Name is required"), "{}", empty.body);
    assert_eq!(
        app.count("administrators WHERE display_name = 'Ada Admin' AND version = 1"),
        1,
        "nothing saved"
    );

    admin
        .post(
            "/profile",
            &[("display_name", "Ada Lovelace"), ("version", &version)],
        )
        .await
        .assert_redirect("/profile");
    let page = admin.get("/profile").await;
    assert!(page.body.contains("Your name was changed."));
    assert!(
        page.body
            .contains("<span class=\"account-name\">Ada Lovelace</span>")
    );
    assert!(
        app.get_audit_actions()
            .contains(&"profile.update".to_owned())
    );

    // A form from before that change does not overwrite it.
    admin
        .post(
            "/profile",
            &[("display_name", "Stale Name"), ("version", &version)],
        )
        .await
        .assert_redirect("/profile");
    let page = admin.get("/profile").await;
    assert!(page.body.contains("was changed elsewhere meanwhile"));
    assert!(page.body.contains("Ada Lovelace"));
    assert!(!page.body.contains("Stale Name"));
}

#[actix_web::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let elsewhere = Browser::new(&app);
    elsewhere.sign_in("ada@example.com", PASSWORD).await;
    admin.get("/profile").await;

    let wrong = admin
        .post(
            "/profile/password",
            &[
                ("current_password", "not my password"),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("That is not your password."));
    let mismatch = admin
        .post(
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirmation", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("The two passwords do not match."));
    assert_eq!(
        app.count("audit_events WHERE action = 'profile.password'"),
        0,
        "neither refusal changed the password"
    );
    assert_eq!(elsewhere.get("/settings/api-tokens").await.status, 200);

    admin
        .post(
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await
        .assert_redirect("/profile");
    let page = admin.get("/profile").await;
    assert_eq!(page.status, 200, "this session continues");
    assert!(page.body.contains("Your other sessions were signed out."));
    assert!(signed_out(&elsewhere.get("/settings/api-tokens").await));
    assert!(
        app.get_audit_actions()
            .contains(&"profile.password".to_owned())
    );

    let fresh = Browser::new(&app);
    fresh.get("/login").await;
    let old = fresh
        .post(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_ne!(old.status, 303, "the old password no longer works");
    fresh.sign_in("ada@example.com", NEW_PASSWORD).await;
}

#[actix_web::test]
async fn wrong_current_passwords_are_throttled() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    admin.get("/profile").await;
    let attempt = |current: &'static str| {
        let admin = &admin;
        async move {
            admin
                .post(
                    "/profile/password",
                    &[
                        ("current_password", current),
                        ("password", NEW_PASSWORD),
                        ("password_confirmation", NEW_PASSWORD),
                    ],
                )
                .await
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("guess guess guess").await.status, 422);
    }
    let locked = attempt(PASSWORD).await;
    assert_eq!(locked.status, 422);
    assert!(
        locked.body.contains("Too many wrong passwords"),
        "{}",
        locked.body
    );
}

#[actix_web::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let elsewhere = Browser::new(&app);
    elsewhere.sign_in("ada@example.com", PASSWORD).await;
    admin.get("/profile").await;
    admin
        .post("/profile/sign-out-everywhere", &[])
        .await
        .assert_redirect("/login");
    let login = admin.get("/login").await;
    assert!(
        login
            .body
            .contains("You were signed out everywhere (2 sessions)")
    );
    assert!(signed_out(&admin.get("/settings/api-tokens").await));
    assert!(signed_out(&elsewhere.get("/settings/api-tokens").await));
    assert!(
        app.get_audit_actions()
            .contains(&"profile.sign_out_everywhere".to_owned())
    );
}

#[actix_web::test]
async fn api_token_management_lists_the_tokens_one_created() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let mine = admin.create_token("Ada's first", &production, &[]).await;
    admin.create_token("Ada's second", &production, &[]).await;
    let manager = app
        .add_admin(&admin, "tom@example.com", "token_manager", &[&production])
        .await;
    let toms = manager.create_token("Tom's own", &production, &[]).await;

    let page = admin.get("/profile/api-tokens").await;
    assert_eq!(page.status, 200);
    let html = page.html();
    assert_eq!(html.text("h1"), "API token management");
    assert!(page.body.contains("2 tokens"));
    assert!(page.body.contains(mine.guid.as_str()));
    assert!(!page.body.contains(toms.guid.as_str()), "only one's own");
    assert_eq!(
        html.text("a.button-primary[href=\"/settings/api-tokens/new\"]"),
        "Generate New Token"
    );
    assert_eq!(html.text("[aria-current=\"page\"]"), "API token management");

    let page = manager.get("/profile/api-tokens").await;
    assert!(page.body.contains("1 token "));
    assert!(page.body.contains(toms.guid.as_str()));
    assert!(!page.body.contains(mine.guid.as_str()));

    // The list's filters work here too, and stay on this page.
    let filtered = admin.get("/profile/api-tokens?q=second").await;
    assert!(filtered.body.contains("1 token "));
    assert!(filtered.body.contains("action=\"/profile/api-tokens\""));

    // Someone who may not create tokens sees theirs, and no button.
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[&production])
        .await;
    let page = viewer.get("/profile/api-tokens").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("You have not created any API tokens yet")
    );
    assert!(!page.body.contains("Generate New Token"));
}

#[actix_web::test]
async fn a_new_password_must_be_new_and_hard_to_guess() {
    let app = spawn_app().await;
    let ada = app.set_up().await;
    ada.get("/profile").await;
    for (new, expected) in [
        (PASSWORD, "is the current one"),
        ("password1234", "very common password"),
        ("qwertyuiop123", ""),
    ] {
        let refused = ada
            .post(
                "/profile/password",
                &[
                    ("current_password", PASSWORD),
                    ("password", new),
                    ("password_confirmation", new),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{new}");
        assert!(refused.body.contains(expected), "{new}: {}", refused.body);
    }
    assert_eq!(
        app.count("audit_events WHERE action = 'profile.password'"),
        0,
        "nothing was changed"
    );
    // The old password still works.
    let again = Browser::new(&app);
    again.sign_in("ada@example.com", PASSWORD).await;
}
