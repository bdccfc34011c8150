//! Several instances on one PostgreSQL database: a change made through one is
//! honoured by the others within a second.

use std::time::{Duration, Instant};

use tessera::config::ServeArgs;

use crate::helpers::{TestApp, spawn_app, spawn_instance};

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
