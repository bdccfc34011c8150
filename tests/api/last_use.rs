//! Last uses written in batches: a few statements for thousands of tokens, the
//! client kept unless it changed, an older use never over a newer one.

use tessera::db::verification::{Usage, record_usage};
use tessera::domain::ids::TokenId;
use time::macros::datetime;

use crate::helpers::spawn_app;

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct LastUse {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    last_used_at: Option<time::PrimitiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    last_used_ip: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    last_used_user_agent: Option<String>,
}

#[actix_web::test]
async fn thousands_of_uses_are_written_in_a_few_statements_keeping_what_did_not_change() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Busy")
        .scope("Production")
        .create()
        .await;
    let id: i64 = {
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        diesel::sql_query(format!(
            "SELECT id FROM api_tokens WHERE guid = '{}'",
            token.guid
        ))
        .get_result::<Id>(&mut app.conn())
        .unwrap()
        .id
    };
    let read = || {
        diesel::sql_query(format!(
            "SELECT last_used_at, last_used_ip, last_used_user_agent FROM api_tokens WHERE id = {id}"
        ))
        .get_result::<LastUse>(&mut app.conn())
        .unwrap()
    };
    let use_at = |at, client: Option<(&str, Option<&str>)>| Usage {
        token_id: TokenId(id),
        at,
        client: client.map(|(ip, agent)| (ip.to_owned(), agent.map(str::to_owned))),
    };

    // Four and a half thousand uses in one batch (more than one statement's worth
    // of rows): the real token among tokens that are gone.
    let mut batch: Vec<Usage> = (1_000_000..1_004_500)
        .map(|other| Usage {
            token_id: TokenId(other),
            ..use_at(datetime!(2026-11-25 10:00:00), None)
        })
        .collect();
    batch.push(use_at(
        datetime!(2026-11-25 10:00:00),
        Some(("10.0.0.7", Some("billing-sync/2.1"))),
    ));
    assert_eq!(record_usage(&mut app.conn(), &batch).unwrap(), 1);
    let written = read();
    assert_eq!(written.last_used_ip.as_deref(), Some("10.0.0.7"));
    assert_eq!(
        written.last_used_user_agent.as_deref(),
        Some("billing-sync/2.1")
    );

    // A later use by the same client: the time only; the client stays.
    let later = datetime!(2026-11-25 10:01:00);
    record_usage(&mut app.conn(), &[use_at(later, None)]).unwrap();
    assert_eq!(
        read(),
        LastUse {
            last_used_at: Some(later),
            last_used_ip: Some("10.0.0.7".into()),
            last_used_user_agent: Some("billing-sync/2.1".into()),
        }
    );

    // A client without an agent replaces both; an older use changes nothing.
    let latest = datetime!(2026-11-25 10:02:00);
    record_usage(&mut app.conn(), &[use_at(latest, Some(("10.0.0.8", None)))]).unwrap();
    let older = use_at(
        datetime!(2026-11-25 09:00:00),
        Some(("10.9.9.9", Some("old"))),
    );
    assert_eq!(record_usage(&mut app.conn(), &[older]).unwrap(), 0);
    assert_eq!(
        read(),
        LastUse {
            last_used_at: Some(latest),
            last_used_ip: Some("10.0.0.8".into()),
            last_used_user_agent: None,
        }
    );
}
