//! The client's address through trusted proxies: every line of the forwarding
//! header counts, in order, and the standard `Forwarded` header can be the one.

use tessera::config::{ForwardedHeaderArg, ServeArgs};

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app_with};
use crate::verification::call_with_bearer;

async fn behind_a_proxy(header: ForwardedHeaderArg) -> (TestApp, Browser, String) {
    let app = spawn_app_with(ServeArgs {
        trusted_proxies: vec!["127.0.0.1".into()],
        forwarded_header: header,
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    let token = admin
        .create_token(
            "Office only",
            &app.scope_id("Production"),
            &[("allowed_networks", "203.0.113.0/24")],
        )
        .await;
    (app, admin, token.secret)
}

async fn verify_with(app: &TestApp, secret: &str, headers: &[(&str, &str)]) -> (u16, String) {
    call_with_bearer(app, "/api/v1/verify", secret, headers).await
}

#[actix_web::test]
async fn a_client_cannot_smuggle_an_address_in_a_header_line_of_its_own() {
    let (app, _, secret) = behind_a_proxy(ForwardedHeaderArg::XForwardedFor).await;
    let office = verify_with(&app, &secret, &[("x-forwarded-for", "203.0.113.7")]).await;
    assert_eq!(office.0, 200);
    // HAProxy's `option forwardfor` adds its own line after the client's.
    let smuggled = verify_with(
        &app,
        &secret,
        &[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-for", "198.51.100.9"),
        ],
    )
    .await;
    assert_eq!(smuggled, (403, "ip_not_allowed".to_owned()));
    // The Forwarded header is not believed while X-Forwarded-For is the one.
    let other = verify_with(
        &app,
        &secret,
        &[
            ("forwarded", "for=203.0.113.7"),
            ("x-forwarded-for", "198.51.100.9"),
        ],
    )
    .await;
    assert_eq!(other.0, 403);
}

#[actix_web::test]
async fn the_standard_forwarded_header_can_name_the_client() {
    let (app, _, secret) = behind_a_proxy(ForwardedHeaderArg::Forwarded).await;
    let office = verify_with(
        &app,
        &secret,
        &[("forwarded", "for=203.0.113.7;proto=https")],
    )
    .await;
    assert_eq!(office.0, 200);
    let smuggled = verify_with(
        &app,
        &secret,
        &[
            ("forwarded", "for=203.0.113.7"),
            ("forwarded", "for=\"198.51.100.9:4711\""),
        ],
    )
    .await;
    assert_eq!(smuggled, (403, "ip_not_allowed".to_owned()));
    let ignored = verify_with(&app, &secret, &[("x-forwarded-for", "203.0.113.7")]).await;
    assert_eq!(ignored.0, 403, "X-Forwarded-For is not believed now");
}

#[actix_web::test]
async fn the_audit_trail_records_the_same_address() {
    let (app, _, _) = behind_a_proxy(ForwardedHeaderArg::XForwardedFor).await;
    let browser = Browser::new(&app);
    browser.get("/login").await;
    let csrf = browser.csrf();
    let base = browser.base().to_owned();
    let signed_in = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", ""),
            ],
            &[
                ("origin", &base),
                ("x-forwarded-for", "203.0.113.7"),
                ("x-forwarded-for", "198.51.100.9"),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(
        app.count("audit_events WHERE action = 'admin.sign_in' AND ip = '198.51.100.9'"),
        1
    );
}
