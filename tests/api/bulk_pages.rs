//! Bulk actions in the admin app, without JavaScript: the bar on the list, the
//! confirmation that names the tokens and the skipped ones, the result page, and
//! the audit log of the batch.

use crate::helpers::{Browser, spawn_app};

/// The hidden fields of the confirmation's form, to send it as a browser would.
fn confirmation_fields(body: &str) -> Vec<(String, String)> {
    let page = scraper::Html::parse_document(body);
    let inputs = scraper::Selector::parse("form input[type=hidden]").unwrap();
    page.select(&inputs)
        .filter_map(|input| {
            let name = input.value().attr("name")?;
            (name != "csrf_token").then(|| {
                (
                    name.to_owned(),
                    input.value().attr("value").unwrap_or_default().to_owned(),
                )
            })
        })
        .collect()
}

pub async fn confirm(admin: &Browser, body: &str) -> crate::helpers::Response {
    let fields = confirmation_fields(body);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    admin.post("/settings/api-tokens/bulk", &fields).await
}

#[actix_web::test]
async fn the_bar_asks_then_acts_on_every_token_of_a_filter() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    for name in ["old project a", "old project b", "old project c"] {
        admin.create_token(name, &production, &[]).await;
    }
    let shared = admin
        .create_token("old project shared", &staging, &[])
        .await;

    let list = admin.get("/settings/api-tokens?q=old+project").await;
    let html = list.html();
    assert_eq!(
        html.texts("form#bulk-form select[name=bulk_action] option")
            .len(),
        9
    );
    assert!(
        html.text("#bulk-select")
            .contains("All 4 tokens matching these filters")
    );
    assert_eq!(
        html.texts("input[name=tokens][form=bulk-form]").len(),
        4,
        "a checkbox per row"
    );

    // Disable every match: asked first, with each token named.
    let asked = admin
        .post(
            "/settings/api-tokens/bulk",
            &[
                ("select", "all"),
                ("bulk_action", "disable"),
                ("q", "old project"),
            ],
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let question = asked.html();
    assert_eq!(question.text("h1"), "Disable: 4 tokens?");
    assert_eq!(question.texts(".bulk-names li").len(), 4);
    assert_eq!(
        app.count("api_tokens WHERE disabled_at IS NOT NULL"),
        0,
        "nothing yet"
    );

    let done = confirm(&admin, &asked.body).await;
    assert_eq!(done.status, 303);
    let result = admin.get(done.location()).await;
    assert_eq!(result.status, 200);
    assert_eq!(result.html().text("h1"), "Disable: 4 tokens changed");
    assert_eq!(
        app.count("api_tokens WHERE disabled_at IS NOT NULL AND name LIKE 'old project%'"),
        4
    );

    // Again: each is skipped, with the reason, and nothing is done.
    let again = admin
        .post(
            "/settings/api-tokens/bulk",
            &[
                ("select", "rows"),
                ("bulk_action", "disable"),
                ("tokens", &shared.guid),
            ],
        )
        .await;
    let again = again.html();
    assert_eq!(again.text("h1"), "Nothing to do");
    assert!(
        again
            .text(".bulk-skipped")
            .contains("It is disabled already.")
    );

    // The audit log shows the batch's four events, and links there from each.
    let audit = admin
        .get(&format!(
            "/settings/audit-log?batch={}",
            done.location().rsplit('/').next().unwrap()
        ))
        .await;
    assert_eq!(audit.html().texts("tbody tr").len(), 4);
    assert!(audit.body.contains("one of a bulk action"));

    // Nothing checked, or an action without its days: back to the list, told why.
    let empty = admin
        .post(
            "/settings/api-tokens/bulk",
            &[("select", "rows"), ("bulk_action", "disable")],
        )
        .await;
    assert_eq!(empty.status, 303);
    let told = admin.get(empty.location()).await;
    assert!(told.body.contains("Check the tokens to act on"));
    let no_days = admin
        .post(
            "/settings/api-tokens/bulk",
            &[
                ("select", "all"),
                ("bulk_action", "extend"),
                ("bulk_days", "5"),
            ],
        )
        .await;
    assert_eq!(no_days.status, 303);
    assert!(
        admin
            .get(no_days.location())
            .await
            .body
            .contains("Choose how many days")
    );
}

#[actix_web::test]
async fn a_viewer_sees_no_bar_and_a_result_page_is_its_authors_alone() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let token = admin.create_token("viewed", &production, &[]).await;
    let viewer = app
        .add_admin(&admin, "viewer@example.com", "viewer", &[&production])
        .await;
    assert_eq!(
        viewer
            .get("/settings/api-tokens")
            .await
            .html()
            .texts("a.token-name")
            .len(),
        1
    );
    let list = viewer.get("/settings/api-tokens").await;
    assert!(!list.body.contains("bulk-form"), "a viewer changes nothing");
    let refused = viewer
        .post(
            "/settings/api-tokens/bulk",
            &[
                ("select", "rows"),
                ("bulk_action", "revoke"),
                ("tokens", &token.guid),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    let asked = admin
        .post(
            "/settings/api-tokens/bulk",
            &[
                ("select", "rows"),
                ("bulk_action", "revoke"),
                ("tokens", &token.guid),
            ],
        )
        .await;
    let done = confirm(&admin, &asked.body).await;
    assert_eq!(done.status, 303);
    assert_eq!(admin.get(done.location()).await.status, 200);
    assert_eq!(viewer.get(done.location()).await.status, 404);
}
