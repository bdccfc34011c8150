//! Several instances on one PostgreSQL database: a change made through one is
//! honoured by the others within a second.

use std::time::{Duration, Instant};

use tessera::config::ServeArgs;

use crate::helpers::{Browser, CreatedToken, TestApp, spawn_app, spawn_instance};
use crate::verification::wait_for_metric;

/// Two instances on one PostgreSQL database, and a token created through the first
/// that the second has cached as valid; `None` on SQLite, where instances share
/// nothing (CI runs these tests in its PostgreSQL pass, TEST_DATABASE_URL).
async fn two_instances() -> Option<(TestApp, Browser, CreatedToken, TestApp)> {
    let first = spawn_app().await;
    if !first.db.is_postgres() {
        eprintln!("instances share changes through PostgreSQL: set TEST_DATABASE_URL");
        return None;
    }
    let admin = first.with_examples().await;
    let token = admin
        .create_token("Shared", &first.scope_id("Production"), &[])
        .await;
    let second = TestApp {
        address: spawn_instance(&first, ServeArgs::default()).await,
        setup_url: None,
        db: crate::helpers::TestDatabase::sqlite(),
    };
    for _ in 0..2 {
        let (status, _) = crate::verification::verify(&second, &token.secret, "").await;
        assert_eq!(status, 200, "cached as valid");
    }
    Some((first, admin, token, second))
}

/// Revokes a token through the admin app; returns when.
async fn revoke(admin: &Browser, guid: &str) -> Instant {
    let version = admin.version_of(guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{guid}/revoke"),
            &[("version", &version)],
        )
        .await
        .assert_redirect(&format!("/settings/api-tokens/{guid}"));
    Instant::now()
}

/// Waits until `app` refuses `secret` as revoked, for at most a second after `since`.
async fn refused_within_a_second(app: &TestApp, secret: &str, since: Instant) {
    loop {
        let (status, json) = crate::verification::verify(app, secret, "").await;
        if status == 401 {
            assert_eq!(json["code"], "revoked");
            return;
        }
        assert!(
            since.elapsed() < Duration::from_secs(1),
            "still accepted after a second"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn a_revoke_on_one_instance_is_refused_by_another_within_a_second() {
    let Some((first, admin, token, second)) = two_instances().await else {
        return;
    };
    let revoked_at = revoke(&admin, &token.guid).await;
    refused_within_a_second(&second, &token.secret, revoked_at).await;
    eprintln!(
        "the second instance refused the token {:?} after the revoke",
        revoked_at.elapsed()
    );

    // The catalog too: a new module is known to the other instance.
    admin.get("/settings/modules").await;
    admin
        .post(
            "/settings/modules",
            &[
                ("key", "reports"),
                ("name", "Reports"),
                ("path_prefixes", "/reports"),
            ],
        )
        .await;
    let full = admin
        .create_token(
            "Full",
            &first.scope_id("Production"),
            &[("token_type", "full_access")],
        )
        .await;
    let started = Instant::now();
    while crate::verification::verify(&second, &full.secret, "?module=reports")
        .await
        .0
        != 200
    {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the new module is unknown after a second"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn a_broken_listener_reconnects_and_forgets_what_it_may_have_missed() {
    let Some((first, admin, token, second)) = two_instances().await else {
        return;
    };
    // Every listening connection of this database drops; meanwhile a change that
    // notifies nobody (as a notification lost with the connection would) revokes the
    // token. Once the second instance listens again, it has forgotten what it knew.
    // (Once the second instance listens at all: it starts doing so in the background.)
    let listens = wait_for_metric(&second, "tessera_change_listens_total", |n| n > 0).await;
    first.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN %' \
         AND pid <> pg_backend_pid()",
    );
    first.execute(&format!(
        "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE guid = '{}'",
        token.guid
    ));
    wait_for_metric(&second, "tessera_change_listens_total", |n| n > listens).await;
    let (status, json) = crate::verification::verify(&second, &token.secret, "").await;
    assert_eq!((status, json["code"].as_str()), (401, Some("revoked")));

    // Listening again: a notified change reaches the second instance at once.
    let other = admin
        .create_token("Other", &first.scope_id("Production"), &[])
        .await;
    assert_eq!(
        crate::verification::verify(&second, &other.secret, "")
            .await
            .0,
        200
    );
    let revoked_at = revoke(&admin, &other.guid).await;
    refused_within_a_second(&second, &other.secret, revoked_at).await;
}
