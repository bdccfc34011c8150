//! Several instances on one PostgreSQL database: a change made through one is
//! honoured by the others within a second.

use std::time::{Duration, Instant};

use tessera::config::ServeArgs;

use crate::helpers::{TestApp, spawn_app, spawn_instance};
use crate::verification::{metric, wait_for_metric};

#[actix_web::test]
async fn a_revoke_on_one_instance_is_refused_by_another_within_a_second() {
    let first = spawn_app().await;
    if !first.db.is_postgres() {
        // Instances share changes through PostgreSQL; CI runs this test in its
        // PostgreSQL pass (TEST_DATABASE_URL).
        eprintln!("scale-out needs PostgreSQL: set TEST_DATABASE_URL to run this test");
        return;
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
    // The second instance caches the token as valid.
    assert_eq!(
        crate::verification::verify(&second, &token.secret, "")
            .await
            .0,
        200
    );
    assert_eq!(
        crate::verification::verify(&second, &token.secret, "")
            .await
            .0,
        200
    );

    let version = admin.version_of(&token.guid).await;
    let revoked_at = Instant::now();
    admin
        .post(
            &format!("/settings/api-tokens/{}/revoke", token.guid),
            &[("version", &version)],
        )
        .await
        .assert_redirect(&format!("/settings/api-tokens/{}", token.guid));
    loop {
        let (status, json) = crate::verification::verify(&second, &token.secret, "").await;
        if status == 401 {
            assert_eq!(json["code"], "revoked");
            break;
        }
        assert!(
            revoked_at.elapsed() < Duration::from_secs(1),
            "still accepted after a second"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
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
    let first = spawn_app().await;
    if !first.db.is_postgres() {
        eprintln!("change notifications need PostgreSQL: set TEST_DATABASE_URL to run this test");
        return;
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
    let version = admin.version_of(&other.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/revoke", other.guid),
            &[("version", &version)],
        )
        .await
        .assert_redirect(&format!("/settings/api-tokens/{}", other.guid));
    let revoked_at = Instant::now();
    while crate::verification::verify(&second, &other.secret, "")
        .await
        .0
        != 401
    {
        assert!(
            revoked_at.elapsed() < Duration::from_secs(1),
            "not heard after the reconnect"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}
