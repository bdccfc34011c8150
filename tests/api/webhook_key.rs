//! Webhooks without a setting: on SQLite, Tessera keeps their signing secrets
//! under a key it makes beside the database at the first start. Token values stay
//! shown once until the operator sets a key of their own, which then wins.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tessera::config::{EncryptionArgs, ServeArgs};
use tessera::domain::encryption::EncryptionKey;
use tessera::domain::webhooks::signature::WebhookSecret;

use crate::helpers::{
    Browser, Receiver, TestApp, TestDatabase, WEBHOOK_KEY, add_endpoint, spawn_app_on,
    spawn_app_with, spawn_instance, webhook_args,
};
use crate::process::{exited_within, tessera};

/// Webhooks to the test's receiver, with no encryption key.
fn without_key(delivery: bool) -> ServeArgs {
    ServeArgs {
        encryption: EncryptionArgs::default(),
        ..webhook_args(delivery)
    }
}

fn key_file(app: &TestApp) -> PathBuf {
    PathBuf::from(&app.db.url).with_extension("key")
}

fn sealed_secret(app: &TestApp, endpoint: &str) -> String {
    app.texts(&format!(
        "SELECT secret_sealed AS t FROM webhook_endpoints WHERE public_id = '{endpoint}'"
    ))
    .remove(0)
}

#[actix_web::test]
async fn a_fresh_sqlite_start_makes_a_webhook_key_beside_the_database_and_keeps_it() {
    // Delivery off here: the instance started next sends, with the key it reads.
    let app = spawn_app_on(TestDatabase::sqlite(), without_key(false)).await;
    let file = key_file(&app);
    let mode = std::fs::metadata(&file)
        .expect("the key file beside the database")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    let written = std::fs::read_to_string(&file).unwrap();
    let key = EncryptionKey::from_base64(&written).expect("a 32-byte key, base64");

    // Webhooks work without TESSERA_ENCRYPTION_KEY, their secret under that key.
    let ada = app.with_examples().await;
    let receiver = Receiver::start();
    let (endpoint, secret) = add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    let sealed = sealed_secret(&app, &endpoint);
    assert!(WebhookSecret::unseal(&key, &endpoint, &sealed).is_ok());

    // Showing token values again stays off: the key is the webhooks' only.
    let token = app
        .token(&ada)
        .named("shown once")
        .scope("Production")
        .create()
        .await;
    assert_eq!(
        app.count(&format!(
            "api_tokens WHERE guid = '{}' AND secret_ciphertext IS NULL",
            token.guid
        )),
        1
    );
    let page = ada
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    assert!(
        !page.body.contains("/reveal"),
        "no way to show it again: {}",
        page.body
    );

    // The next start reads the same key, and signs with the secret kept under it.
    spawn_instance(&app, without_key(true)).await;
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);
    let message = receiver.wait_for("token.created").await;
    assert!(message.signed_by(&secret));
}

#[actix_web::test]
async fn the_operators_key_wins_and_no_file_is_made() {
    let app = spawn_app_on(TestDatabase::sqlite(), webhook_args(false)).await;
    assert!(!key_file(&app).exists());
    let ada = app.with_examples().await;
    let receiver = Receiver::start();
    let (endpoint, _) = add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    let key = EncryptionKey::from_base64(WEBHOOK_KEY).unwrap();
    let sealed = sealed_secret(&app, &endpoint);
    assert!(WebhookSecret::unseal(&key, &endpoint, &sealed).is_ok());
    let token = app
        .token(&ada)
        .named("shown again")
        .scope("Production")
        .create()
        .await;
    assert_eq!(
        app.count(&format!(
            "api_tokens WHERE guid = '{}' AND secret_ciphertext IS NOT NULL",
            token.guid
        )),
        1,
        "the operator's key also keeps token values"
    );
}

/// PostgreSQL instances share no file: there webhooks wait for the operator's key.
#[actix_web::test]
async fn without_a_key_webhooks_need_one_only_where_no_file_is_shared() {
    let app = spawn_app_with(without_key(false)).await;
    let ada = app.with_examples().await;
    let page = ada.get("/settings/webhooks").await;
    if app.db.is_postgres() {
        assert!(
            page.body.contains("TESSERA_ENCRYPTION_KEY"),
            "{}",
            page.body
        );
        assert_eq!(page.html().count("a[href='/settings/webhooks/new']"), 0);
    } else {
        assert_eq!(page.html().count("a[href='/settings/webhooks/new']"), 1);
        assert!(key_file(&app).exists());
    }
}

/// An operator who sets a key of their own later strands no endpoint: secrets kept
/// under the generated key still open while its file is there, new ones go under
/// the operator's, and `keys rotate` moves them all under one key.
#[actix_web::test]
async fn setting_a_key_later_keeps_endpoints_made_under_the_generated_one() {
    let app = spawn_app_on(TestDatabase::sqlite(), without_key(false)).await;
    let ada = app.with_examples().await;
    let receiver = Receiver::start();
    let (endpoint, secret) = add_endpoint(&ada, &receiver.url, &["token.created"]).await;

    // Restarted with the operator's key, the file still there: it delivers, signed.
    let keyed = TestApp {
        address: spawn_instance(&app, webhook_args(true)).await,
        setup_url: None,
        db: TestDatabase::sqlite(),
    };
    app.token(&ada)
        .named("after the key")
        .scope("Production")
        .create()
        .await;
    assert!(receiver.wait_for("token.created").await.signed_by(&secret));

    // A new secret goes under the operator's key; the previous one still signs.
    let admin = Browser::new(&keyed);
    admin.set_cookie(ada.cookie());
    admin.get(&format!("/settings/webhooks/{endpoint}")).await;
    let rotated = admin
        .post(&format!("/settings/webhooks/{endpoint}/rotate-secret"), &[])
        .await;
    let new_secret = rotated.html().text("#secret");
    let operators = EncryptionKey::from_base64(WEBHOOK_KEY).unwrap();
    let sealed = sealed_secret(&app, &endpoint);
    assert_eq!(
        WebhookSecret::unseal(&operators, &endpoint, &sealed).map(|s| s.expose()),
        Ok(new_secret.clone())
    );
    admin.get(&format!("/settings/webhooks/{endpoint}")).await;
    admin
        .post(&format!("/settings/webhooks/{endpoint}/test"), &[])
        .await;
    let test = receiver.wait_for("webhook.test").await;
    assert!(test.signed_by(&new_secret) && test.signed_by(&secret));

    // `keys rotate` from the operator's key opens both, and moves both.
    const NEW_KEY: &str = "ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=";
    app.db
        .rotate_keys(WEBHOOK_KEY, NEW_KEY)
        .await
        .expect("every secret opens under the operator's key or the file's");
    let new_key = EncryptionKey::from_base64(NEW_KEY).unwrap();
    let previous = app
        .texts(&format!(
            "SELECT previous_secret_sealed AS t FROM webhook_endpoints \
             WHERE public_id = '{endpoint}'"
        ))
        .remove(0);
    for (sealed, expected) in [
        (sealed_secret(&app, &endpoint), &new_secret),
        (previous, &secret),
    ] {
        let opened = WebhookSecret::unseal(&new_key, &endpoint, &sealed).unwrap();
        assert_eq!(&opened.expose(), expected);
    }
}

/// A missing key file is not replaced while endpoints have secrets kept under it:
/// Tessera refuses to start and says what to do.
#[actix_web::test]
async fn a_missing_key_file_stops_the_start_while_endpoints_need_it() {
    let app = spawn_app_on(TestDatabase::sqlite(), without_key(false)).await;
    let ada = app.with_examples().await;
    add_endpoint(&ada, "http://127.0.0.1:9/hook", &["token.created"]).await;
    let file = key_file(&app);
    std::fs::remove_file(&file).unwrap();

    let mut child = tessera(&app.db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let Some(status) = exited_within(&mut child, Duration::from_secs(20)) else {
        child.kill().unwrap();
        child.wait().unwrap();
        panic!("started without the key file the endpoints' secrets were kept under");
    };
    assert!(!status.success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains(&format!(
            "webhook endpoints exist whose signing secrets were kept under {}",
            file.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("set TESSERA_ENCRYPTION_KEY to the key they were kept under"),
        "{stderr}"
    );
    assert!(!file.exists(), "no new key in its place");
}
