//! The retention rule of usage counts: days past the hourly window keep their
//! totals without their hours, days past the daily window go; rolling up again, or
//! on two instances at once, changes nothing more.

use diesel::RunQueryDsl;
use tessera::db::usage::{PermissionUse, TokenCount, UnknownCount, add_token_counts};
use tessera::db::usage::{ScopeSetCount, add_scope_set_counts};
use tessera::db::usage::{add_unknown_counts, record_permission_uses};
use tessera::domain::ids::TokenId;
use tessera::domain::scopes::ScopeSet;
use tessera::domain::tokens::Action;
use tessera::domain::usage::{Day, Hour, UsageRetention};
use tessera::domain::verification::Outcome;
use tessera::services::usage_retention::{self, RolledUp};
use time::macros::datetime;

use crate::helpers::spawn_app;

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    day: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    h9: Option<i32>,
}

#[actix_web::test]
async fn old_days_lose_their_hours_then_themselves_once_and_on_one_instance() {
    let app = spawn_app().await;
    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let now = datetime!(2026-12-06 00:30);
    let today = Day::of(now);
    let days_ago = |n: i32| Hour {
        day: today.plus(-n),
        of_day: 9,
    };
    // A count on each of these days: today, the hourly window's first day (seven
    // before today) and the day before it, the daily window's first day and the
    // day before it.
    let ages = [0, 7, 8, 730, 731];
    let counts: Vec<TokenCount> = ages
        .iter()
        .map(|age| TokenCount {
            token_id: TokenId(1),
            hour: days_ago(*age),
            outcome: Outcome::Valid,
            access: Some(("orders".into(), Action::Read)),
            requests: 3,
        })
        .collect();
    let unknown: Vec<UnknownCount> = ages
        .iter()
        .map(|age| UnknownCount {
            hour: days_ago(*age),
            client_ip: None,
            requests: 2,
        })
        .collect();
    let sets: Vec<ScopeSetCount> = ages
        .iter()
        .map(|age| ScopeSetCount {
            scope_set: ScopeSet::of(vec![1, 2]),
            hour: days_ago(*age),
            outcome: Outcome::Expired,
            requests: 4,
        })
        .collect();
    let uses = [731, 730].map(|age| PermissionUse {
        token_id: TokenId(age.into()),
        module: "orders".into(),
        action: Action::Read,
        at: days_ago(age).start(),
    });
    {
        let mut conn = app.conn();
        add_token_counts(&mut conn, &counts).unwrap();
        add_unknown_counts(&mut conn, &unknown).unwrap();
        add_scope_set_counts(&mut conn, &sets).unwrap();
        record_permission_uses(&mut conn, &uses).unwrap();
    }
    let rows = |table: &str| -> Vec<Row> {
        diesel::sql_query(format!(
            "SELECT day, total, h9 FROM {table} ORDER BY day DESC"
        ))
        .load(&mut app.conn())
        .unwrap()
    };
    let expected = |requests: i64| -> Vec<Row> {
        [0, 7, 8, 730]
            .iter()
            .map(|age| Row {
                day: today.plus(-age).0,
                total: requests,
                h9: (*age < 8).then_some(requests as i32),
            })
            .collect()
    };

    // Two instances at once: one rolls up, the other finds nothing to do.
    let retention = UsageRetention::default();
    let (first, second) = tokio::join!(
        usage_retention::apply(&db, retention, now),
        usage_retention::apply(&db, retention, now)
    );
    let done = [first.unwrap(), second.unwrap()];
    assert_eq!(done.iter().filter(|d| d.is_some()).count(), 1, "{done:?}");
    let done = done.into_iter().flatten().next().unwrap();
    assert_eq!(
        done,
        RolledUp {
            rolled: 3 * 3,
            removed: 3 + 1
        }
    );
    assert_eq!(rows("token_usage"), expected(3));
    assert_eq!(rows("unknown_token_usage"), expected(2));
    assert_eq!(rows("scope_set_usage"), expected(4));
    assert_eq!(app.count("token_permission_uses"), 1);

    // Again, later the same day: nothing to do. The next day rolls one day more.
    let later = usage_retention::apply(&db, retention, now + time::Duration::hours(20));
    assert_eq!(later.await.unwrap(), None);
    let tomorrow = now + time::Duration::days(1);
    let next = usage_retention::apply(&db, retention, tomorrow)
        .await
        .unwrap();
    assert_eq!(
        next,
        Some(RolledUp {
            rolled: 3,
            removed: 3 + 1
        })
    );
}
