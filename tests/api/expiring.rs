//! Tokens about to expire: the list's notice, its "Expiring within" filter, and the
//! same filter in the API.

use crate::helpers::{ApiClient, spawn_app};

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

    app.token(&ada)
        .named("in three days")
        .scope("Production")
        .ending_in(3)
        .create()
        .await;
    app.token(&ada)
        .named("in twenty days")
        .scope("Production")
        .ending_in(20)
        .create()
        .await;
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

    let key = app
        .api_key(&ada, "client", &["tokens.read", "tokens.create"], &[])
        .await;
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

    // The notice, on every page of the list, counts to 100.
    for n in 0..100 {
        let created = api
            .post(
                "/api/v1/tokens",
                &serde_json::json!({
                    "name": format!("batch {n}"),
                    "scopes": ["Production"],
                    "type": "read_only",
                    "duration": "7d",
                }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.json);
    }
    let crowded = ada.get("/settings/api-tokens").await;
    assert_eq!(
        crowded.html().text(".expiring-notice"),
        "More than 100 tokens expire within 7 days. Show them"
    );
    let listed = ada.get(&href).await;
    assert!(
        listed.html().text(".result-count").contains("101 tokens"),
        "{}",
        listed.html().text(".result-count")
    );
}

/// The daily run tells each token's lead times once, as webhook events, and then
/// that it expired; the clock is the test's.
#[actix_web::test]
async fn the_daily_run_tells_each_lead_time_once_then_the_expiry() {
    use tessera::services::expiry::{Told, run_if_due};

    let app = crate::helpers::webhook_app(false).await;
    let ada = app.with_examples().await;
    app.token(&ada)
        .named("in three days")
        .scope("Production")
        .ending_in(3)
        .create()
        .await;
    app.token(&ada)
        .named("in twenty days")
        .scope("Production")
        .ending_in(20)
        .create()
        .await;
    app.token(&ada)
        .named("next quarter")
        .scope("Production")
        .ending_in(90)
        .create()
        .await;
    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    // Runs at 09:00 UTC (after the run hour), today and the days after: the
    // tokens end at the end of their last day, whatever the time now.
    let today = tessera::db::now().date();
    let day = |n: i64| {
        time::PrimitiveDateTime::new(today + time::Duration::days(n), time::macros::time!(09:00))
    };
    let told = |expiring, expired| {
        Some(Told {
            expiring,
            expired,
            mails: 0,
        })
    };

    assert_eq!(
        run_if_due(&db, day(0), None).await.unwrap(),
        told(2, 0),
        "7 and 30 days"
    );
    assert_eq!(
        run_if_due(&db, day(0), None).await.unwrap(),
        None,
        "once a day"
    );
    assert_eq!(
        run_if_due(&db, day(1), None).await.unwrap(),
        told(0, 0),
        "nothing new"
    );
    // Three days on, the first token's last day has come; a day later it is over.
    assert_eq!(
        run_if_due(&db, day(3), None).await.unwrap(),
        told(1, 0),
        "1 day"
    );
    assert_eq!(
        run_if_due(&db, day(4), None).await.unwrap(),
        told(0, 1),
        "expired"
    );
    assert_eq!(run_if_due(&db, day(5), None).await.unwrap(), told(0, 0));
    assert_eq!(
        app.count("outbox_events WHERE event_type = 'token.expiring'"),
        3
    );
    assert_eq!(
        app.count("outbox_events WHERE event_type = 'token.expired'"),
        1
    );
    let names =
        app.texts("SELECT payload AS t FROM outbox_events WHERE event_type = 'token.expired'");
    assert!(names[0].contains("in three days"), "{names:?}");
}
