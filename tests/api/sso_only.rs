//! Single sign-on only: no password form and no password sign-in, and the
//! break-glass path, a one-time sign-in link made on the server's command line.

use tessera::config::{OidcArgs, ServeArgs};

use crate::helpers::{Browser, PASSWORD, provider, spawn_app_with};
use crate::process::{run_ok, tessera};

#[actix_web::test]
async fn with_auto_login_the_sign_in_page_sends_to_the_provider_but_still_says_why_not() {
    let app = spawn_app_with(ServeArgs {
        oidc: OidcArgs {
            oidc_auto_login: true,
            ..provider().args("tessera")
        },
        ..ServeArgs::default()
    })
    .await;
    app.set_up().await;
    let browser = Browser::new(&app);
    browser
        .get("/settings/audit-log")
        .await
        .assert_redirect("/login?next=/settings/audit-log");
    browser
        .get("/login?next=/settings/audit-log")
        .await
        .assert_redirect("/login/sso?next=/settings/audit-log");
    let who = crate::helpers::account("auto-nobody", &["marketing"]).await;
    let refused = crate::helpers::sign_in_through_provider(&browser, &who).await;
    assert_eq!(refused.status, 403, "the page says why, and sends nowhere");
    assert!(refused.body.contains("in no group"));
}

#[actix_web::test]
async fn only_the_provider_signs_in_and_a_link_from_the_command_line_gets_a_super_admin_in() {
    let app = spawn_app_with(ServeArgs {
        oidc: OidcArgs {
            oidc_only: true,
            ..provider().args("tessera")
        },
        ..ServeArgs::default()
    })
    .await;
    app.set_up().await;

    let browser = Browser::new(&app);
    let login = browser.get("/login").await;
    let page = login.html();
    assert_eq!(page.count("input[name=password]"), 0, "no password form");
    assert_eq!(
        page.text("a.button-primary[href='/login/sso']"),
        "Sign in with Test IdP"
    );
    assert!(
        page.text(".sign-in-help")
            .contains("tessera admin sign-in-link")
    );
    browser.get("/login/link").await; // a page with a form, for its CSRF token
    let typed = browser
        .post(
            "/login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(typed.status, 403);
    assert!(typed.body.contains("Password sign-in is turned off"));
    assert_eq!(browser.get("/settings/api-tokens").await.status, 303);

    let (stdout, _) = run_ok(
        tessera(&app.db).args(["admin", "sign-in-link", "--email", "ADA@example.com"]),
        None,
    );
    let link = stdout
        .lines()
        .find(|l| l.contains("/login/link#"))
        .expect(&stdout);
    let code = link.split_once('#').unwrap().1.trim();
    assert!(
        app.texts("SELECT code_digest AS t FROM sign_in_links")
            .iter()
            .all(|d| d != code),
        "only a digest of the code is kept"
    );

    let page = browser.get("/login/link").await;
    assert_eq!(page.status, 200);
    let signed_in = browser.post("/login/link", &[("code", code)]).await;
    signed_in.assert_redirect("/settings/api-tokens");
    assert_eq!(browser.get("/settings/api-tokens").await.status, 200);
    let actions = app.get_audit_actions();
    assert!(actions.iter().any(|a| a == "admin.sign_in_link"));
    let via = app.texts(
        "SELECT details AS t FROM audit_events WHERE action = 'admin.sign_in' ORDER BY id DESC LIMIT 1",
    );
    assert!(via[0].contains("sign_in_link"), "{via:?}");

    // Once only.
    let again = Browser::new(&app);
    again.get("/login/link").await;
    let refused = again.post("/login/link", &[("code", code)]).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("does not work"));
    assert_eq!(again.get("/settings/api-tokens").await.status, 303);

    // Nobody else gets a link.
    let mut command = tessera(&app.db);
    let output = command
        .args(["admin", "sign-in-link", "--email", "nobody@example.com"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no enabled administrator"));
}
