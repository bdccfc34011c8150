//! Tokens about to expire: the list's notice, its "Expiring within" filter, and the
//! same filter in the API.

use tessera::domain::tokens::format_date;

use crate::helpers::{ApiClient, Browser, TestApp, spawn_app};

/// A token valid until the end of the day `days` from today.
async fn ending_in(app: &TestApp, admin: &Browser, name: &str, days: i64) {
    let last_day = format_date(tessera::db::now().date() + time::Duration::days(days));
    app.token(admin)
        .named(name)
        .scope("Production")
        .field("duration", "custom")
        .field("valid_to", &last_day)
        .create()
        .await;
}

#[actix_web::test]
async fn the_list_tells_of_tokens_expiring_soon_and_filters_them() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let quiet = ada.get("/settings/api-tokens").await;
    assert_eq!(
        quiet.html().count(".expiring-notice"),
        0,
        "nothing expiring, no notice"
    );

    ending_in(&app, &ada, "in three days", 3).await;
    ending_in(&app, &ada, "in twenty days", 20).await;
    app.token(&ada)
        .named("for good")
        .scope("Production")
        .lasting("unlimited")
        .create()
        .await;

    let list = ada.get("/settings/api-tokens").await;
    let notice = list.html().text(".expiring-notice");
    assert_eq!(notice, "1 token expires within 7 days. Show them");
    let href = list.html().attr(".expiring-notice a", "href").unwrap();
    let soon = ada.get(&href).await;
    assert_eq!(soon.html().texts("a.token-name"), ["in three days"]);
    assert_eq!(
        soon.html().count(".expiring-notice"),
        0,
        "not on the list it links to"
    );
    let month = ada
        .get("/settings/api-tokens?expiring=30&sort=expires&dir=asc")
        .await;
    assert_eq!(
        month.html().texts("a.token-name"),
        ["in three days", "in twenty days"]
    );

    let key = app.api_key(&ada, "reader", &["tokens.read"], &[]).await;
    let api = ApiClient::new(&app, &key);
    let week = api.get("/api/v1/tokens?expiring=7").await;
    let names: Vec<&str> = week.json["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["in three days"]);
    assert_eq!(api.get("/api/v1/tokens?expiring=8").await.status, 400);
}
