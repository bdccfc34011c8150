//! API keys follow their owner's security events: making one asks for the password
//! again; signing out everywhere, a new password and a narrower access can revoke
//! them; administrators who manage administrators see and revoke anyone's keys.

use crate::helpers::{ApiClient, Browser, PASSWORD, TestApp, hidden_value, spawn_app};

const NEW_PASSWORD: &str = "a brand new passphrase for pete";

/// The status a request with `key` gets.
async fn status_with(app: &TestApp, key: &str) -> u16 {
    ApiClient::new(app, key).get("/api/v1/tokens").await.status
}

/// Revocations the audit log holds for this reason.
fn revoked_for(app: &TestApp, reason: &str) -> i64 {
    app.count(&format!(
        "audit_events WHERE action = 'api_key.revoke' AND details LIKE '%\"{reason}\"%'"
    ))
}

/// An administrator's page in Settings > Administrators.
fn admin_page(app: &TestApp, email: &str) -> String {
    let public_id = app
        .texts(&format!(
            "SELECT public_id AS t FROM administrators WHERE email = '{email}'"
        ))
        .remove(0);
    format!("/settings/administrators/{public_id}")
}

/// Pete, a Token Manager of Production, signed in.
async fn pete(app: &TestApp, ada: &Browser) -> Browser {
    let production = app.scope_id("Production");
    app.add_admin(ada, "pete@example.com", "token_manager", &[&production])
        .await
}

#[actix_web::test]
async fn making_a_key_asks_for_the_password_again() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let form = ada.get("/profile/api-keys").await;
    assert_eq!(form.html().count("input#password[type=password]"), 1);
    let fields = [
        ("name", "CI deploy"),
        ("expires_in_days", "30"),
        ("permissions", "tokens.read"),
        ("scope_limit", "all"),
    ];

    let without = ada.post("/profile/api-keys", &fields).await;
    assert_eq!(without.status, 422);
    assert!(
        without
            .body
            .contains("Type your password to create an API key.")
    );
    let mut wrong = fields.to_vec();
    wrong.push(("password", "not my password"));
    let wrong = ada.post("/profile/api-keys", &wrong).await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("That is not your password."));
    // Every problem at once: the password's and the form's.
    let empty = ada.post("/profile/api-keys", &[("name", "")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Choose at least one permission."));
    assert!(
        empty
            .body
            .contains("Type your password to create an API key.")
    );
    assert_eq!(app.count("admin_api_keys"), 0);

    let mut right = fields.to_vec();
    right.push(("password", PASSWORD));
    assert_eq!(ada.post("/profile/api-keys", &right).await.status, 200);
    // Confirmed a moment ago: not asked again for a while.
    let form = ada.get("/profile/api-keys").await;
    assert_eq!(form.html().count("input#password"), 0);
    let mut again = fields.to_vec();
    again[0] = ("name", "Terraform");
    assert_eq!(ada.post("/profile/api-keys", &again).await.status, 200);
    assert_eq!(app.count("admin_api_keys"), 2);
}

#[actix_web::test]
async fn signing_out_everywhere_revokes_ones_keys_when_asked() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let first = app.api_key(&ada, "first", &["tokens.read"], &[]).await;
    let profile = ada.get("/profile").await;
    assert!(profile.body.contains("Also revoke my API key<"), "one key");
    let second = app.api_key(&ada, "second", &["tokens.read"], &[]).await;
    let profile = ada.get("/profile").await;
    assert_eq!(
        profile.html().count("input[name=revoke_api_keys][checked]"),
        2,
        "offered, ticked, with the password and with the sessions"
    );
    assert!(profile.body.contains("Also revoke my 2 API keys"));

    ada.post("/profile/sign-out-everywhere", &[("revoke_api_keys", "on")])
        .await
        .assert_redirect("/login");
    let login = ada.get("/login").await;
    assert!(
        login.body.contains(", and 2 API keys revoked."),
        "{}",
        login.body
    );
    assert_eq!(status_with(&app, &first).await, 401);
    assert_eq!(status_with(&app, &second).await, 401);
    assert_eq!(revoked_for(&app, "signed_out_everywhere"), 2);

    // Unticked, the keys stay.
    ada.sign_in("ada@example.com", PASSWORD).await;
    let third = app.api_key(&ada, "third", &["tokens.read"], &[]).await;
    ada.get("/profile").await;
    ada.post("/profile/sign-out-everywhere", &[])
        .await
        .assert_redirect("/login");
    assert_eq!(status_with(&app, &third).await, 200);
}

#[actix_web::test]
async fn a_new_password_of_ones_own_revokes_the_keys_unless_unticked() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let pete = pete(&app, &ada).await;
    let key = app.api_key(&pete, "pete's", &["tokens.read"], &[]).await;
    pete.get("/profile").await;
    let change = |current: &'static str, new: &'static str, revoke: bool| {
        let mut fields = vec![
            ("current_password", current),
            ("password", new),
            ("password_confirmation", new),
        ];
        if revoke {
            fields.push(("revoke_api_keys", "on"));
        }
        fields
    };
    pete.post("/profile/password", &change(PASSWORD, NEW_PASSWORD, false))
        .await
        .assert_redirect("/profile");
    assert_eq!(status_with(&app, &key).await, 200);

    pete.get("/profile").await;
    pete.post("/profile/password", &change(NEW_PASSWORD, PASSWORD, true))
        .await
        .assert_redirect("/profile");
    let profile = pete.get("/profile").await;
    assert!(profile.body.contains(", and 1 API key revoked."));
    assert_eq!(status_with(&app, &key).await, 401);
    assert_eq!(revoked_for(&app, "password_changed"), 1);
}

#[actix_web::test]
async fn a_password_set_by_an_administrator_revokes_the_keys() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let pete = pete(&app, &ada).await;
    let key = app.api_key(&pete, "pete's", &["tokens.read"], &[]).await;
    let page = admin_page(&app, "pete@example.com");
    let before = ada.get(&page).await;
    assert!(before.body.contains("and revokes their API key."));

    ada.post(
        &format!("{page}/password"),
        &[
            ("password", NEW_PASSWORD),
            ("password_confirmation", NEW_PASSWORD),
        ],
    )
    .await
    .assert_redirect(&page);
    let after = ada.get(&page).await;
    assert!(
        after
            .body
            .contains("they were signed out everywhere, and 1 API key revoked.")
    );
    assert_eq!(status_with(&app, &key).await, 401);
    assert_eq!(revoked_for(&app, "password_reset"), 1);
}

#[actix_web::test]
async fn a_narrower_access_revokes_the_keys_when_asked() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let pete = pete(&app, &ada).await;
    let key = app.api_key(&pete, "pete's", &["tokens.read"], &[]).await;
    let page = admin_page(&app, "pete@example.com");
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    let save = async |fields: &[(&str, &str)]| {
        let form = ada.get(&page).await;
        let version = hidden_value(&form.body, "version").unwrap();
        let mut all = vec![("version", version.as_str())];
        all.extend_from_slice(fields);
        ada.post(&page, &all).await.assert_redirect(&page);
    };

    // More never revokes, even with the box ticked.
    save(&[
        ("role", "token_manager"),
        ("scopes", &production),
        ("scopes", &staging),
        ("revoke_api_keys", "on"),
    ])
    .await;
    assert_eq!(status_with(&app, &key).await, 200);
    // Less, unticked: the key stays, narrowed with its owner.
    save(&[
        ("role", "viewer"),
        ("scopes", &production),
        ("scopes", &staging),
    ])
    .await;
    assert_eq!(status_with(&app, &key).await, 200);
    // Less, ticked: revoked.
    save(&[
        ("role", "viewer"),
        ("scopes", &production),
        ("revoke_api_keys", "on"),
    ])
    .await;
    let after = ada.get(&page).await;
    assert!(after.body.contains(", and 1 API key revoked."));
    assert_eq!(status_with(&app, &key).await, 401);
    assert_eq!(revoked_for(&app, "access_narrowed"), 1);
    assert_eq!(app.count("audit_events WHERE action = 'api_key.revoke'"), 1);
}

#[actix_web::test]
async fn administrators_who_manage_administrators_see_and_revoke_anyones_keys() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let pete = pete(&app, &ada).await;
    let key = app.api_key(&pete, "pete CI", &["tokens.read"], &[]).await;
    let key_id = app
        .texts("SELECT public_id AS t FROM admin_api_keys")
        .remove(0);
    let page = admin_page(&app, "pete@example.com");
    let revoke = format!("{page}/api-keys/{key_id}/revoke");

    let shown = ada.get(&page).await.html();
    assert!(shown.text("td[data-label=Name]").starts_with("pete CI"));
    assert_eq!(
        shown.attr("form[action$='/revoke']", "action"),
        Some(revoke.clone())
    );

    // Without admins.manage, or without the form's CSRF token: refused.
    assert_eq!(pete.post(&revoke, &[]).await.status, 403);
    let forged = ada
        .post_raw(&revoke, &[], &[("sec-fetch-site", "same-origin")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(status_with(&app, &key).await, 200);

    ada.post(&revoke, &[]).await.assert_redirect(&page);
    let after = ada.get(&page).await;
    assert!(
        after
            .body
            .contains("The API key \u{201c}pete CI\u{201d} of pete was revoked."),
        "{}",
        after.body
    );
    assert_eq!(after.html().count(".badge-revoked"), 1);
    assert_eq!(status_with(&app, &key).await, 401);
    assert_eq!(revoked_for(&app, "by_administrator"), 1);
}

/// A security event revokes the keys it found active; one its owner revoked in the
/// meantime keeps that revocation, and is neither revoked nor audited twice.
#[actix_web::test]
async fn revoking_every_key_leaves_one_revoked_meanwhile_alone() {
    use diesel::prelude::*;
    use tessera::db::schema::admin_api_keys as k;
    use tessera::db::{api_keys, now};

    let app = spawn_app().await;
    let ada = app.with_examples().await;
    for name in ["one", "two", "three"] {
        app.api_key(&ada, name, &["tokens.read"], &[]).await;
    }
    let mut conn = app.conn();
    // The keys the security event found active, before the owner's own revocation.
    let found: Vec<i64> = k::table.select(k::id).order(k::id).load(&mut conn).unwrap();
    api_keys::revoke(&mut conn, found[0], now()).unwrap();
    let by_owner = k::table
        .find(found[0])
        .select(k::revoked_at)
        .first::<Option<time::PrimitiveDateTime>>(&mut conn)
        .unwrap();

    let later = now() + time::Duration::seconds(5);
    let revoked = api_keys::revoke_listed(&mut conn, &found, later).unwrap();
    let mut revoked: Vec<i64> = revoked.iter().map(|key| key.id).collect();
    revoked.sort_unstable();
    assert_eq!(
        revoked,
        found[1..],
        "only these are revoked, and so audited"
    );
    let kept = k::table
        .find(found[0])
        .select(k::revoked_at)
        .first::<Option<time::PrimitiveDateTime>>(&mut conn)
        .unwrap();
    assert_eq!(kept, by_owner);
}
