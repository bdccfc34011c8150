//! Showing a token's value again: only with an encryption key, the permission and a
//! fresh password confirmation; rate-limited, never cached, audited; keys rotate.

use diesel::prelude::*;
use tessera::config::{EncryptionArgs, ServeArgs, ServerConfig};
use tessera::db::schema::{api_tokens, audit_events, sessions};
use tessera::domain::ids::TokenId;
use tessera::domain::tokens::SecretToken;

use crate::helpers::{Browser, PASSWORD, Response, TestApp, spawn_app, spawn_app_with};

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const NEW_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

fn with_key(key: &str) -> ServeArgs {
    ServeArgs {
        encryption: EncryptionArgs {
            encryption_key: Some(key.to_owned()),
        },
        ..ServeArgs::default()
    }
}

fn key(text: &str) -> tessera::domain::encryption::EncryptionKey {
    tessera::domain::encryption::EncryptionKey::from_base64(text).unwrap()
}

fn sealed(app: &TestApp, guid: &str) -> Option<String> {
    api_tokens::table
        .filter(api_tokens::guid.eq(guid))
        .select(api_tokens::secret_ciphertext)
        .first(&mut app.conn())
        .unwrap()
}

fn reveal_events(app: &TestApp) -> Vec<String> {
    audit_events::table
        .filter(audit_events::action.eq("token.reveal"))
        .order(audit_events::id.asc())
        .select(audit_events::details)
        .load(&mut app.conn())
        .unwrap()
}

/// Asks for the value as the page's script does.
async fn reveal_json(browser: &Browser, guid: &str, fields: &[(&str, &str)]) -> Response {
    let csrf = browser.csrf();
    let mut all = vec![("csrf_token", csrf.as_str())];
    all.extend_from_slice(fields);
    let origin = browser.base().to_owned();
    browser
        .post_raw(
            &format!("/settings/api-tokens/{guid}/reveal"),
            &all,
            &[
                ("origin", origin.as_str()),
                ("sec-fetch-site", "same-origin"),
                ("accept", "application/json"),
            ],
        )
        .await
}

fn json(response: &Response) -> serde_json::Value {
    serde_json::from_str(&response.body).unwrap_or_else(|_| panic!("JSON: {}", response.body))
}

#[actix_web::test]
async fn without_a_key_the_value_is_shown_once_and_never_again() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Once")
        .scope("Production")
        .create()
        .await;
    assert_eq!(sealed(&app, &token.guid), None, "nothing kept to decrypt");
    assert!(
        token
            .page
            .body
            .contains("This is the only time it is shown")
    );

    let general = admin
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    assert!(general.body.contains("The value was shown once"));
    assert!(
        general
            .body
            .contains(&format!("/settings/api-tokens/{}/regenerate", token.guid)),
        "offers Regenerate"
    );
    assert!(!general.body.contains("data-reveal-form"));

    let refused = reveal_json(&admin, &token.guid, &[("password", PASSWORD)]).await;
    assert_eq!(refused.status, 409);
    assert_eq!(json(&refused)["code"], "not_available");
    let page = admin
        .post(
            &format!("/settings/api-tokens/{}/reveal", token.guid),
            &[("purpose", "show"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("no encryption key is set"));
    assert!(!page.body.contains(&token.secret));
    assert!(reveal_events(&app).is_empty());
}

#[actix_web::test]
async fn a_super_admin_shows_and_copies_the_value_after_confirming_the_password() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Again")
        .scope("Production")
        .create()
        .await;

    let stored = sealed(&app, &token.guid).expect("the value is kept, encrypted");
    assert!(token.page.body.contains("It is kept encrypted"));
    assert!(!stored.contains(&token.secret[4..]), "never in clear");
    assert_eq!(
        SecretToken::unseal(&key(KEY), &token.guid, &stored)
            .unwrap()
            .expose(),
        token.secret
    );

    let general = admin
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    assert!(general.body.contains("data-reveal-form"));
    assert!(
        !general.body.contains(&token.secret),
        "hidden until asked for"
    );

    // No confirmation yet: the password is asked for.
    let ask = reveal_json(&admin, &token.guid, &[("purpose", "show")]).await;
    assert_eq!(ask.status, 401);
    assert_eq!(json(&ask)["code"], "confirm_password");
    assert!(!ask.body.contains(&token.secret));

    let wrong = reveal_json(
        &admin,
        &token.guid,
        &[("purpose", "show"), ("password", "not my password")],
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(json(&wrong)["message"], "That is not your password.");

    let shown = reveal_json(
        &admin,
        &token.guid,
        &[("purpose", "show"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(json(&shown)["token"], token.secret.as_str());
    assert_eq!(json(&shown)["hide_after_seconds"], 30);
    assert!(shown.header("cache-control").unwrap().contains("no-store"));

    // Confirmed within five minutes: copying asks for nothing more.
    let copied = reveal_json(&admin, &token.guid, &[("purpose", "copy")]).await;
    assert_eq!(copied.status, 200);
    assert_eq!(json(&copied)["token"], token.secret.as_str());

    // Without JavaScript: the General tab with the value, reloading itself hidden.
    let page = admin
        .post(
            &format!("/settings/api-tokens/{}/reveal", token.guid),
            &[("purpose", "show")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!(
        "<code id=\"token-value\" class=\"token-revealed\">{}</code>",
        token.secret
    )));
    assert!(page.body.contains(&format!(
        "<meta http-equiv=\"refresh\" content=\"30;url=/settings/api-tokens/{}\">",
        token.guid
    )));
    assert!(page.header("cache-control").unwrap().contains("no-store"));

    let events = reveal_events(&app);
    assert_eq!(events.len(), 3, "one event per reveal: {events:?}");
    assert!(events[0].contains("show") && events[1].contains("copy"));
    let everything: Vec<(String, String)> = audit_events::table
        .select((audit_events::details, audit_events::target_label))
        .load(&mut app.conn())
        .unwrap();
    assert!(
        everything
            .iter()
            .all(|(d, l)| !d.contains(&token.secret) && !l.contains(&token.secret)),
        "the value never reaches the audit log"
    );
    let log = admin.get("/settings/audit-log").await;
    assert!(log.body.contains("Showed token value"));
}

#[actix_web::test]
async fn a_confirmation_lasts_five_minutes() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Stale")
        .scope("Production")
        .create()
        .await;
    let shown = reveal_json(&admin, &token.guid, &[("password", PASSWORD)]).await;
    assert_eq!(shown.status, 200);

    // Six minutes pass for this session.
    let states: Vec<(String, String)> = sessions::table
        .select((sessions::key_digest, sessions::state))
        .load(&mut app.conn())
        .unwrap();
    let stale = time::OffsetDateTime::now_utc().unix_timestamp() - 360;
    for (digest, state) in states {
        let mut map: std::collections::HashMap<String, String> =
            serde_json::from_str(&state).unwrap();
        if map.contains_key("password_confirmed_at") {
            map.insert("password_confirmed_at".into(), stale.to_string());
            diesel::update(sessions::table.find(digest))
                .set(sessions::state.eq(serde_json::to_string(&map).unwrap()))
                .execute(&mut app.conn())
                .unwrap();
        }
    }
    let ask = reveal_json(&admin, &token.guid, &[]).await;
    assert_eq!(ask.status, 401);
    assert_eq!(json(&ask)["code"], "confirm_password");

    // Without JavaScript the answer is a page that asks for the password.
    let page = admin
        .post(
            &format!("/settings/api-tokens/{}/reveal", token.guid),
            &[("purpose", "show")],
        )
        .await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("Confirm your password"));
    assert!(page.body.contains("type=\"password\""));
    assert!(!page.body.contains(&token.secret));
}

#[actix_web::test]
async fn no_reveal_without_the_permission() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let token = admin.create_token("Managed", &production, &[]).await;
    let manager = app
        .add_admin(&admin, "tom@example.com", "token_manager", &[&production])
        .await;

    let general = manager
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    assert_eq!(general.status, 200);
    assert!(general.body.contains("your role cannot show it again"));
    assert!(!general.body.contains("data-reveal-form"));
    let refused = reveal_json(&manager, &token.guid, &[("password", PASSWORD)]).await;
    assert_eq!(refused.status, 403);
    assert!(!refused.body.contains(&token.secret));
    assert!(reveal_events(&app).is_empty());
}

#[actix_web::test]
async fn older_tokens_stay_shown_once_and_final_states_forget_the_value() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let older = admin.create_token("Older", &production, &[]).await;
    // As if created before the operator set the key.
    app.execute(&format!(
        "UPDATE api_tokens SET secret_ciphertext = NULL WHERE guid = '{}'",
        older.guid
    ));
    let general = admin
        .get(&format!("/settings/api-tokens/{}", older.guid))
        .await;
    assert!(
        general
            .body
            .contains("created before token values were stored encrypted")
    );
    let refused = reveal_json(&admin, &older.guid, &[("password", PASSWORD)]).await;
    assert_eq!(refused.status, 409);
    assert_eq!(json(&refused)["code"], "not_stored");

    // Regenerating keeps the new value, which then shows.
    let version = admin.version_of(&older.guid).await;
    let regenerated = admin
        .post(
            &format!("/settings/api-tokens/{}/regenerate", older.guid),
            &[("version", &version), ("grace", "none")],
        )
        .await;
    assert_eq!(regenerated.status, 200);
    let new_secret = crate::helpers::input_value(&regenerated.body, "secret").unwrap();
    let shown = reveal_json(&admin, &older.guid, &[("password", PASSWORD)]).await;
    assert_eq!(json(&shown)["token"], new_secret.as_str());

    // Revoked and deleted tokens can never pass again: their values are not kept.
    let version = admin.version_of(&older.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/revoke", older.guid),
            &[("version", &version)],
        )
        .await;
    assert_eq!(sealed(&app, &older.guid), None);
    let other = admin.create_token("Other", &production, &[]).await;
    let version = admin.version_of(&other.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/delete", other.guid),
            &[("version", &version)],
        )
        .await;
    assert_eq!(sealed(&app, &other.guid), None);
}

#[actix_web::test]
async fn a_value_moved_to_another_row_or_tampered_with_does_not_open() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let first = admin.create_token("First", &production, &[]).await;
    let second = admin.create_token("Second", &production, &[]).await;
    let moved = sealed(&app, &first.guid).unwrap();
    app.execute(&format!(
        "UPDATE api_tokens SET secret_ciphertext = '{moved}' WHERE guid = '{}'",
        second.guid
    ));
    let refused = reveal_json(&admin, &second.guid, &[("password", PASSWORD)]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(json(&refused)["code"], "wrong_key");
    assert!(!refused.body.contains(&first.secret));

    let mut tampered = moved.into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    app.execute(&format!(
        "UPDATE api_tokens SET secret_ciphertext = '{tampered}' WHERE guid = '{}'",
        first.guid
    ));
    let refused = reveal_json(&admin, &first.guid, &[]).await;
    assert_eq!(json(&refused)["code"], "wrong_key");
    assert!(reveal_events(&app).is_empty(), "nothing was shown");
}

#[actix_web::test]
async fn reveals_are_rate_limited() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Busy")
        .scope("Production")
        .create()
        .await;
    let first = reveal_json(&admin, &token.guid, &[("password", PASSWORD)]).await;
    assert_eq!(first.status, 200);
    for _ in 1..20 {
        assert_eq!(reveal_json(&admin, &token.guid, &[]).await.status, 200);
    }
    let limited = reveal_json(&admin, &token.guid, &[]).await;
    assert_eq!(limited.status, 429);
    assert!(
        json(&limited)["message"]
            .as_str()
            .unwrap()
            .contains("Try again in 15 minutes")
    );
    assert_eq!(reveal_events(&app).len(), 20);
}

#[actix_web::test]
async fn a_malformed_key_stops_the_start_with_a_clear_message() {
    for (bad, why) in [
        ("not base64 at all!", "not valid base64"),
        ("c2hvcnQ=", "decodes to 5 bytes; it must be 32 bytes"),
    ] {
        let error = ServerConfig::from_args(&with_key(bad))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("TESSERA_ENCRYPTION_KEY is malformed"),
            "{error}"
        );
        assert!(error.contains(why), "{error}");
        assert!(!error.contains(bad), "the key is never printed: {error}");
    }
}

#[actix_web::test]
async fn rotation_re_encrypts_every_value_or_changes_nothing() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let tokens = [
        admin.create_token("One", &production, &[]).await,
        admin.create_token("Two", &production, &[]).await,
    ];
    let before: Vec<String> = tokens
        .iter()
        .map(|t| sealed(&app, &t.guid).unwrap())
        .collect();

    // A wrong old key: an error, and every value as it was.
    let error = app
        .db
        .rotate_keys(NEW_KEY, KEY)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("Nothing was changed"), "{error}");
    let unchanged: Vec<String> = tokens
        .iter()
        .map(|t| sealed(&app, &t.guid).unwrap())
        .collect();
    assert_eq!(unchanged, before);

    app.db.rotate_keys(KEY, NEW_KEY).await.unwrap();
    for (token, old) in tokens.iter().zip(&before) {
        let now = sealed(&app, &token.guid).unwrap();
        assert_ne!(&now, old);
        assert!(SecretToken::unseal(&key(KEY), &token.guid, &now).is_err());
        assert_eq!(
            SecretToken::unseal(&key(NEW_KEY), &token.guid, &now)
                .unwrap()
                .expose(),
            token.secret
        );
    }
    assert!(app.get_audit_actions().contains(&"keys.rotate".to_owned()));
}

#[actix_web::test]
async fn regenerating_without_a_key_drops_the_old_stored_value() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Keyless later")
        .scope("Production")
        .create()
        .await;
    assert!(sealed(&app, &token.guid).is_some());
    // As a server started without the key regenerates it.
    let id: TokenId = api_tokens::table
        .filter(api_tokens::guid.eq(&token.guid))
        .select(api_tokens::id)
        .first(&mut app.conn())
        .unwrap();
    let fresh = SecretToken::generate().to_store(&token.guid, None);
    tessera::db::tokens::replace_secret(&mut app.conn(), id, &fresh, None).unwrap();
    assert_eq!(
        sealed(&app, &token.guid),
        None,
        "the old value must not show"
    );
}

/// One value that no longer decrypts (moved from another row) stops the rotation
/// with the right key too, and the values before it in the table stay as they were:
/// the rotation is one transaction.
#[actix_web::test]
async fn rotation_with_one_undecryptable_value_changes_nothing() {
    let app = spawn_app_with(with_key(KEY)).await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let first = admin.create_token("First", &production, &[]).await;
    let last = admin.create_token("Last", &production, &[]).await;
    let first_sealed = sealed(&app, &first.guid).unwrap();
    // The last row gets the first row's ciphertext: bound to another GUID, it fails.
    diesel::update(api_tokens::table.filter(api_tokens::guid.eq(&last.guid)))
        .set(api_tokens::secret_ciphertext.eq(Some(first_sealed.clone())))
        .execute(&mut app.conn())
        .unwrap();

    let error = app
        .db
        .rotate_keys(KEY, NEW_KEY)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("Nothing was changed"), "{error}");
    let still = sealed(&app, &first.guid).unwrap();
    assert_eq!(still, first_sealed, "the first value was not re-encrypted");
    assert!(SecretToken::unseal(&key(KEY), &first.guid, &still).is_ok());
    assert!(!app.get_audit_actions().contains(&"keys.rotate".to_owned()));
}
