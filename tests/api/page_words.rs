//! What the pages say, to whom: the one-time page, a deleted token's row and
//! question, the audit log's targets, a new token's history, a Viewer's and a Super
//! Admin's hints, setup once done, and the expiry emails without mail.

use tessera::config::{EncryptionArgs, ServeArgs};

use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

async fn app_with_key() -> TestApp {
    spawn_app_with(ServeArgs {
        encryption: EncryptionArgs {
            encryption_key: Some(KEY.to_owned()),
        },
        ..ServeArgs::default()
    })
    .await
}

#[actix_web::test]
async fn the_one_time_page_and_the_token_pages_say_what_each_reader_can_do() {
    let app = app_with_key().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Kept value")
        .scope("Production")
        .custom(&[("orders", "read")])
        .field("allowed_networks", "10.0.0.0/8")
        .create()
        .await;
    let warning = token.page.html().text(".warning-text");
    assert!(
        warning.contains("an administrator allowed to show token values can show it again"),
        "{warning}"
    );

    // A Viewer is neither told to regenerate nor sent to a page they cannot use.
    let production = app.scope_id("Production");
    let vic = app
        .add_admin(&admin, "vic@example.com", "viewer", &[&production])
        .await;
    let page = vic
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    let hint = page.html().text("dd .hint");
    assert!(hint.contains("your role cannot show it again"), "{hint}");
    assert!(!hint.to_lowercase().contains("regenerate"), "{hint}");
    // Their own tokens are none: they are pointed at the scopes' list, which is
    // not empty.
    let mine = vic.get("/profile/api-tokens").await;
    assert!(
        mine.body.contains("Your role does not create tokens."),
        "{}",
        mine.body
    );
    assert!(!mine.body.contains("There are no tokens in your scopes"));
    // A Custom token's page does not point at a matrix to tick.
    assert!(
        page.body
            .contains("Only the modules and actions granted one by one.")
    );
    assert!(!page.body.contains("you tick below"));

    // Its history says what it was made with: grants and networks too.
    let details = admin
        .get(&format!("/settings/api-tokens/{}/details", token.guid))
        .await;
    let made = details
        .html()
        .texts("td[data-label=Changes]")
        .pop()
        .unwrap();
    assert!(made.contains("Permissions: Read on Orders"), "{made}");
    assert!(made.contains("Client networks: 10.0.0.0/8"), "{made}");
}

#[actix_web::test]
async fn a_deleted_token_offers_no_menu_and_its_question_says_where_it_goes() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Gone soon")
        .scope("Production")
        .create()
        .await;
    let question = admin
        .get(&format!("/settings/api-tokens/{}/delete", token.guid))
        .await;
    assert!(
        question
            .body
            .contains("the Deleted status filter still shows it"),
        "{}",
        question.body
    );
    assert!(!question.body.contains("removed from the list for good"));
    // Cancelling an edit goes back to the token, not to the list.
    let edit = admin
        .get(&format!("/settings/api-tokens/{}/edit", token.guid))
        .await;
    let cancel = edit.html().attr("a.button-quiet", "href");
    assert_eq!(cancel, Some(format!("/settings/api-tokens/{}", token.guid)));
    // The strip above the tabs: when it ends, its last use, who made it.
    let page = admin
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    let strip = page.html().texts(".summary-strip li");
    let ends =
        tessera::domain::tokens::format_date(tessera::db::now().date() + time::Duration::days(30));
    assert_eq!(strip.len(), 3, "{strip:?}");
    assert!(
        strip[0].starts_with("Expires in ") && strip[0].ends_with(&format!("({ends})")),
        "{strip:?}"
    );
    assert_eq!(strip[1], "Last used Never");
    assert!(
        strip[2].starts_with("Created just now by Ada Admin · "),
        "{strip:?}"
    );
    let version = admin.version_of(&token.guid.to_string()).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/revoke", token.guid),
            &[("version", version.as_str())],
        )
        .await;
    let page = admin
        .get(&format!("/settings/api-tokens/{}", token.guid))
        .await;
    let strip = page.html().texts(".summary-strip li");
    assert!(strip[0].starts_with("Revoked just now ("), "{strip:?}");
    let version = admin.version_of(&token.guid.to_string()).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/delete", token.guid),
            &[("version", version.as_str())],
        )
        .await;
    let deleted = admin
        .get("/settings/api-tokens?status=deleted&q=gone")
        .await;
    let html = deleted.html();
    assert_eq!(html.texts("a.token-name"), ["Gone soon"]);
    assert_eq!(html.count("[data-row-menu]"), 0, "nothing it could do");
}

#[actix_web::test]
async fn audit_targets_name_an_administrator_once() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    app.add_admin(&admin, "vic@example.com", "viewer", &[])
        .await;
    let log = admin.get("/settings/audit-log").await;
    let targets = log.html().texts("td[data-label=Target]");
    let vic = targets
        .iter()
        .find(|t| t.starts_with("vic"))
        .unwrap_or_else(|| panic!("{targets:?}"));
    let parts: Vec<&str> = vic.split(" · ").collect();
    assert_eq!(parts.len(), 2, "{vic}");
}

#[actix_web::test]
async fn hints_fit_the_reader_setup_and_mail() {
    // A Super Admin of an installation without scopes is told to add one.
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let form = admin.get("/settings/api-tokens/new").await;
    let text = form.html().text("fieldset[data-required-group=scopes]");
    assert!(
        text.contains("There are no scopes yet. Add a scope first."),
        "{text}"
    );
    assert!(!text.contains("Ask a Super Admin"), "{text}");

    // Signed in, the spent setup link leads to the tokens, asking no sign-in.
    let url = app.setup_url.as_deref().unwrap();
    let path = &url[url.find("/setup").unwrap()..];
    admin
        .get(path)
        .await
        .assert_redirect("/settings/api-tokens");
    let tokens = admin.get("/settings/api-tokens").await;
    let flash = tokens.html().text(".flash-info");
    assert_eq!(flash, "Tessera is already set up.");

    // A wrong link's page names the command without markup characters.
    let fresh = spawn_app().await;
    let wrong = Browser::new(&fresh).get("/setup?code=guess").await;
    assert_eq!(wrong.status, 403);
    // Nor can anyone sign in there yet, which sign-in says.
    let login = Browser::new(&fresh).get("/login").await;
    assert!(
        login.body.contains("Nobody can sign in yet"),
        "{}",
        login.body
    );
    let stranger = Browser::new(&app).get("/login").await;
    assert!(!stranger.body.contains("Nobody can sign in yet"));
    assert!(
        wrong.body.contains("tessera admin create"),
        "{}",
        wrong.body
    );
    assert!(!wrong.body.contains('`'), "{}", wrong.body);

    // Without mail, the expiry email choices say that nothing goes out yet.
    let profile = admin.get("/profile").await;
    let note = profile
        .html()
        .text("[aria-labelledby=expiry-heading] .flash-warning");
    assert!(note.contains("Mail is not set up on this server"), "{note}");
}

#[actix_web::test]
async fn the_api_keys_page_is_titled_as_such_and_tells_keys_from_tokens() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let page = admin.get("/profile/api-keys").await;
    let html = page.html();
    assert_eq!(html.text("h1"), "API keys");
    assert!(
        html.text(".page-header p")
            .contains("They are not API tokens")
    );
}

#[actix_web::test]
async fn the_list_of_ones_own_tokens_is_offered_only_to_roles_that_make_tokens() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[&production])
        .await;
    let manager = app
        .add_admin(&admin, "tom@example.com", "token_manager", &[&production])
        .await;
    let own_list = "a[href=\"/profile/api-tokens\"]";
    let profile = viewer.get("/profile").await.html();
    assert_eq!(
        profile.count(own_list),
        0,
        "neither in the menu nor the tabs"
    );
    assert_eq!(profile.texts(".tabs a"), ["My profile", "API keys"]);
    let profile = manager.get("/profile").await.html();
    assert_eq!(profile.count(own_list), 2, "in the menu and the tabs");
}
