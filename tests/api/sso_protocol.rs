//! The single sign-on protocol's defences, against a real OpenID provider: an
//! answer that belongs to no sign-in of this browser, a code used twice, a nonce
//! not Tessera's, ID tokens expired or meant for another client. Each is refused
//! and audited with its reason; nobody is signed in.

use tessera::config::{OidcArgs, ServeArgs};

use crate::helpers::{Browser, TestApp, account, provider, spawn_app_with, through_provider};
use crate::sso::{app_with_provider, last_refusal};

/// `query` with the parameter `name` set to `value`.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let (path, query) = url.split_once('?').unwrap();
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((n, _)) if n == name => format!("{n}={value}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap()
        .to_owned()
}

async fn assert_refused(app: &TestApp, browser: &Browser, callback: &str, reason: &str) {
    let answer = browser.get(callback).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer.body.contains("could not be completed"),
        "{}",
        answer.body
    );
    let audited = last_refusal(app);
    assert!(audited.contains(reason), "{audited}");
    assert_eq!(
        browser.get("/settings/api-tokens").await.status,
        303,
        "not signed in"
    );
}

#[actix_web::test]
async fn an_answer_with_another_state_or_none_started_here_is_refused() {
    let app = app_with_provider("tessera").await;
    app.set_up().await;
    let who = account("proto-state", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    let callback = through_provider(&browser, &who, |url| url).await;
    let forged = with_param(&callback, "state", "forged-state");
    assert_refused(&app, &browser, &forged, "state_mismatch").await;
    // The real answer afterwards: its sign-in was spent by the forged one.
    assert_refused(&app, &browser, &callback, "state_mismatch").await;
    // Another browser, which started nothing, with a valid answer.
    let other = Browser::new(&app);
    let callback = through_provider(&browser, &who, |url| url).await;
    assert_refused(&app, &other, &callback, "state_mismatch").await;
}

#[actix_web::test]
async fn a_code_used_once_is_refused_the_second_time() {
    let app = app_with_provider("tessera").await;
    app.set_up().await;
    let who = account("proto-replay", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    let first = through_provider(&browser, &who, |url| url).await;
    assert_eq!(browser.get(&first).await.status, 200);
    // A new sign-in in the same browser, answered with the first code.
    let attacker = Browser::new(&app);
    let second = through_provider(&attacker, &who, |url| url).await;
    let replayed = with_param(&second, "code", &param(&first, "code"));
    assert_refused(&app, &attacker, &replayed, "invalid_grant").await;
}

#[actix_web::test]
async fn a_wrong_client_secret_is_named_in_the_audit_log() {
    let app = spawn_app_with(ServeArgs {
        oidc: OidcArgs {
            oidc_client_secret: Some("not-the-secret".into()),
            ..provider().args("tessera")
        },
        ..ServeArgs::default()
    })
    .await;
    app.set_up().await;
    let who = account("proto-client", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    let callback = through_provider(&browser, &who, |url| url).await;
    assert_refused(&app, &browser, &callback, "TESSERA_OIDC_CLIENT_SECRET").await;
    assert!(
        !last_refusal(&app).contains("not-the-secret"),
        "never the secret"
    );
}

#[actix_web::test]
async fn an_id_token_with_another_nonce_is_refused() {
    let app = app_with_provider("tessera").await;
    app.set_up().await;
    let who = account("proto-nonce", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    let callback = through_provider(&browser, &who, |url| {
        with_param(&url, "nonce", "not-tesseras")
    })
    .await;
    assert_refused(&app, &browser, &callback, "nonce").await;
}

#[actix_web::test]
async fn an_expired_id_token_is_refused() {
    let app = app_with_provider("tessera-expired").await;
    app.set_up().await;
    let who = account("proto-expired", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    let callback = through_provider(&browser, &who, |url| url).await;
    assert_refused(&app, &browser, &callback, "Expired").await;
}

#[actix_web::test]
async fn an_id_token_meant_for_another_client_is_refused() {
    let app = app_with_provider("tessera-wrong-audience").await;
    app.set_up().await;
    let who = account("proto-audience", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    let callback = through_provider(&browser, &who, |url| url).await;
    assert_refused(&app, &browser, &callback, "audience").await;
}

#[actix_web::test]
async fn signing_out_signs_out_at_the_provider_too() {
    let app = app_with_provider("tessera").await;
    app.set_up().await;
    let who = account("proto-logout", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    let callback = through_provider(&browser, &who, |url| url).await;
    assert_eq!(browser.get(&callback).await.status, 200);
    browser.get("/settings/api-tokens").await;
    let out = browser.post("/logout", &[]).await;
    assert_eq!(
        out.status, 200,
        "a page, not a redirect the form-action rule would stop"
    );
    let refresh = out
        .html()
        .attr("meta[http-equiv=refresh]", "content")
        .unwrap();
    let location = crate::helpers::unescape(refresh.strip_prefix("0;url=").unwrap());
    let location = location.as_str();
    assert!(
        location.starts_with(&format!("{}/session/end?", provider().issuer)),
        "{location}"
    );
    assert!(location.contains("id_token_hint="), "{location}");
    let back = format!("{}/login", browser.base());
    assert_eq!(
        percent_decode(&param(location, "post_logout_redirect_uri")),
        back
    );
    assert_eq!(
        browser.get("/settings/api-tokens").await.status,
        303,
        "signed out here"
    );
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}
