//! Single sign-on against a real OpenID provider (oidc-provider under Node): the
//! first sign-in creates the administrator, groups give the role and scopes at
//! every sign-in, and whom the mapping or the provider does not vouch for is
//! refused, with the reason in the audit log.

use tessera::config::ServeArgs;

use crate::helpers::{
    Browser, PASSWORD, TestApp, account, provider, sign_in_through_provider, spawn_app_with,
    through_provider,
};

pub async fn app_with_provider(client: &str) -> TestApp {
    spawn_app_with(ServeArgs {
        oidc: provider().args(client),
        ..ServeArgs::default()
    })
    .await
}

/// The last refusal's reason and detail in the audit log.
pub fn last_refusal(app: &TestApp) -> String {
    app.texts(
        "SELECT details AS t FROM audit_events WHERE action = 'admin.sso_refused' \
             ORDER BY id DESC LIMIT 1",
    )
    .pop()
    .expect("a refusal was audited")
}

fn role_of(app: &TestApp, email: &str) -> String {
    app.texts(&format!(
        "SELECT role_key AS t FROM administrators WHERE email = '{email}'"
    ))
    .pop()
    .expect("the administrator exists")
}

#[actix_web::test]
async fn the_first_sign_in_creates_the_administrator_with_the_role_and_scopes_of_their_groups() {
    let app = app_with_provider("tessera").await;
    let admin = app.with_examples().await;
    let login = Browser::new(&app).get("/login").await;
    let page = login.html();
    assert_eq!(page.text("a[href='/login/sso']"), "Sign in with Test IdP");
    assert_eq!(
        page.count("input[name=password]"),
        1,
        "passwords still work"
    );
    assert!(
        !login.body.contains("tessera-secret"),
        "the client secret is never shown"
    );

    let who = account("sso-first", &["tessera-viewers", "production-team"]).await;
    let browser = Browser::new(&app);
    let answer = sign_in_through_provider(&browser, &who).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer
            .html()
            .attr("meta[http-equiv=refresh]", "content")
            .as_deref(),
        Some("0;url=/settings/api-tokens"),
        "the page goes on by itself, where the Strict session cookie is sent"
    );
    assert_eq!(browser.get("/settings/api-tokens").await.status, 200);
    assert_eq!(role_of(&app, "sso-first@example.com"), "viewer");
    let profile = browser.get("/profile").await;
    assert_eq!(profile.html().count("input[name=current_password]"), 0);
    assert!(profile.body.contains("You sign in with Test IdP"));
    let scopes = app.texts(
        "SELECT s.name AS t FROM administrator_scopes a JOIN scopes s ON s.id = a.scope_id \
         JOIN administrators d ON d.id = a.administrator_id WHERE d.email = 'sso-first@example.com'",
    );
    assert_eq!(scopes, ["Production"]);
    let actions = app.get_audit_actions();
    let tail: Vec<&str> = actions.iter().rev().take(2).map(String::as_str).collect();
    assert_eq!(tail, ["admin.sign_in", "admin.create"]);
    let created = app.texts(
        "SELECT actor_label AS t FROM audit_events WHERE action = 'admin.create' ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(created, ["Single sign-on"]);

    // The Administrators page says who comes from single sign-on.
    let list = admin.get("/settings/administrators").await.html();
    let rows = list.texts("tbody tr td:first-child");
    let row = rows
        .iter()
        .find(|r| r.contains("sso-first Example"))
        .unwrap();
    assert!(row.contains("SSO"), "{row}");
    let ada = rows.iter().find(|r| r.contains("Ada Admin")).unwrap();
    assert!(!ada.contains("SSO"), "{ada}");

    // They have no password to sign in with.
    let form = Browser::new(&app);
    form.get("/login").await;
    let typed = form
        .post(
            "/login",
            &[
                ("email", "sso-first@example.com"),
                ("password", "!single-sign-on"),
            ],
        )
        .await;
    assert_eq!(typed.status, 401);
}

#[actix_web::test]
async fn a_verified_email_links_an_existing_administrator_and_an_unverified_one_does_not() {
    let app = app_with_provider("tessera").await;
    let admin = app.with_examples().await;
    app.add_admin(&admin, "sso-linked@example.com", "token_manager", &[])
        .await;
    app.add_admin(&admin, "sso-unverified@example.com", "viewer", &[])
        .await;

    let unverified = account("sso-unverified", &["tessera-admins"]).await;
    provider()
        .set_account(
            &unverified,
            serde_json::json!({
                "email": "sso-unverified@example.com",
                "email_verified": false,
                "groups": ["tessera-admins"],
            }),
        )
        .await;
    let browser = Browser::new(&app);
    let refused = sign_in_through_provider(&browser, &unverified).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .body
            .contains("did not give Tessera a verified email address"),
        "{}",
        refused.body
    );
    assert!(last_refusal(&app).contains("email_not_verified"));
    assert_eq!(
        role_of(&app, "sso-unverified@example.com"),
        "viewer",
        "nothing changed"
    );
    assert_eq!(
        browser.get("/settings/api-tokens").await.status,
        303,
        "not signed in"
    );

    let linked = account("sso-linked", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    assert_eq!(
        sign_in_through_provider(&browser, &linked).await.status,
        200
    );
    assert_eq!(role_of(&app, "sso-linked@example.com"), "super_admin");
    let actions = app.get_audit_actions();
    assert!(actions.iter().any(|a| a == "admin.sso_link"));
    let subject = app.texts(
        "SELECT sso_subject AS t FROM administrators WHERE email = 'sso-linked@example.com'",
    );
    assert_eq!(subject, ["sso-linked"]);
    // Linked, they sign in with the provider, where their groups are checked: their
    // old password no longer opens Tessera (and says so only when it is right).
    let by_password = Browser::new(&app);
    by_password.get("/login").await;
    let wrong = by_password
        .post(
            "/login",
            &[
                ("email", "sso-linked@example.com"),
                ("password", "not it at all"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    let right = by_password
        .post(
            "/login",
            &[("email", "sso-linked@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right.status, 403);
    assert!(
        right.body.contains("Your account signs in with Test IdP"),
        "{}",
        right.body
    );
    assert_eq!(by_password.get("/settings/api-tokens").await.status, 303);
    // They confirm who they are at the provider before a new API key, not with a
    // password (here once the confirmation of their sign-in has lapsed).
    let browser = Browser::new(&app);
    assert_eq!(
        sign_in_through_provider(&browser, &linked).await.status,
        200
    );
    browser.get("/settings/api-tokens").await;
    app.execute("UPDATE sessions SET state = REPLACE(state, 'password_confirmed_at', 'lapsed')");
    let keys = browser.get("/profile/api-keys").await.html();
    assert_eq!(keys.count("input[name=password]"), 0);
    assert_eq!(
        keys.attr("a[href^='/login/sso']", "href").as_deref(),
        Some("/login/sso?next=/profile/api-keys")
    );
}

#[actix_web::test]
async fn in_strict_mode_groups_that_map_to_nothing_are_refused() {
    let app = app_with_provider("tessera").await;
    // Before the first administrator, the provider's people may still sign up.
    let first = Browser::new(&app).get("/login").await;
    assert!(!first.body.contains("Nobody can sign in yet"));
    assert_eq!(first.html().count("a[href='/login/sso']"), 1);
    app.set_up().await;
    let who = account("sso-marketing", &["marketing"]).await;
    let browser = Browser::new(&app);
    let refused = sign_in_through_provider(&browser, &who).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .body
            .contains("in no group that gives access to Tessera"),
        "{}",
        refused.body
    );
    let reason = last_refusal(&app);
    assert!(
        reason.contains("no_role_mapped") && reason.contains("marketing"),
        "{reason}"
    );
    assert_eq!(
        app.count("administrators"),
        1,
        "nobody was created for them"
    );
    assert_eq!(browser.get("/settings/api-tokens").await.status, 303);
}

#[actix_web::test]
async fn a_role_narrowed_at_the_provider_is_narrowed_at_the_next_sign_in_and_so_are_their_keys() {
    let app = app_with_provider("tessera").await;
    app.with_examples().await;
    let who = account("sso-narrowed", &["tessera-admins"]).await;
    let browser = Browser::new(&app);
    assert_eq!(sign_in_through_provider(&browser, &who).await.status, 200);
    assert_eq!(role_of(&app, "sso-narrowed@example.com"), "super_admin");
    // Signing in through the provider confirmed them: a key needs no password.
    browser.get("/profile/api-keys").await;
    let page = browser
        .post(
            "/profile/api-keys",
            &[
                ("name", "Automation"),
                ("expires_in_days", "30"),
                ("permissions", "tokens.read"),
                ("permissions", "admins.manage"),
                ("scope_limit", "all"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let key = crate::helpers::input_value(&page.body, "secret").expect("the new key is shown");
    let api = crate::helpers::ApiClient::new(&app, &key);
    assert_eq!(api.get("/api/v1/administrators").await.status, 200);

    account("sso-narrowed", &["tessera-viewers"]).await;
    let again = Browser::new(&app);
    assert_eq!(sign_in_through_provider(&again, &who).await.status, 200);
    assert_eq!(role_of(&app, "sso-narrowed@example.com"), "viewer");
    let change = app.texts(
        "SELECT details AS t FROM audit_events WHERE action = 'admin.update' ORDER BY id DESC LIMIT 1",
    );
    assert!(
        change[0].contains("single_sign_on") && change[0].contains("viewer"),
        "{change:?}"
    );
    assert_eq!(
        api.get("/api/v1/administrators").await.status,
        403,
        "the key acts with its owner's narrowed rights"
    );
    assert_eq!(api.get("/api/v1/tokens").await.status, 200);
}

#[actix_web::test]
async fn two_first_sign_ins_of_one_person_at_once_make_one_administrator() {
    let app = app_with_provider("tessera").await;
    app.set_up().await;
    let who = account("sso-twice", &["tessera-viewers"]).await;
    let (one, two) = (Browser::new(&app), Browser::new(&app));
    let first = through_provider(&one, &who, |url| url).await;
    let second = through_provider(&two, &who, |url| url).await;
    let (a, b) = futures_util::future::join(one.get(&first), two.get(&second)).await;
    let statuses = [a.status, b.status];
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 400),
        "signed in, or asked to start again; never a server error: {statuses:?}"
    );
    let made =
        app.texts("SELECT email AS t FROM administrators WHERE email = 'sso-twice@example.com'");
    assert_eq!(made.len(), 1);
}
