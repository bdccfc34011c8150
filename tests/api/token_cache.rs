//! The cache of verified tokens: bounded by its configured capacity, and sized in
//! `/metrics`.

use tessera::config::ServeArgs;
use tessera::domain::tokens::SecretToken;

use crate::helpers::spawn_app_with;
use crate::verification::{metric, settle, verify};

#[actix_web::test]
async fn the_cache_holds_no_more_than_its_capacity_and_reports_its_size() {
    let app = spawn_app_with(ServeArgs {
        token_cache_capacity: 100,
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    let capacity = metric(&app, "tessera_token_cache_capacity").await;
    assert!((100..200).contains(&capacity), "{capacity}");
    assert_eq!(metric(&app, "tessera_token_cache_entries").await, 0);
    let empty = metric(&app, "tessera_token_cache_memory_bytes").await;

    let token = app
        .token(&admin)
        .named("Cached")
        .scope("Production")
        .create()
        .await;
    // On PostgreSQL the instance hears of its own change a moment later and
    // forgets the token: counted after that.
    settle(&app).await;
    assert_eq!(verify(&app, &token.secret, "").await.0, 200);
    assert_eq!(metric(&app, "tessera_token_cache_entries").await, 1);
    let one = metric(&app, "tessera_token_cache_memory_bytes").await;
    assert!(
        one > empty && one - empty < 1024,
        "a token costs under a kilobyte: {empty} -> {one}"
    );

    // Three times the capacity in distinct unknown tokens: each is remembered, the
    // oldest make room.
    for _ in 0..300 {
        let unknown = SecretToken::generate();
        assert_eq!(verify(&app, unknown.expose(), "").await.0, 401);
    }
    let entries = metric(&app, "tessera_token_cache_entries").await;
    assert!(
        entries > 50 && entries <= capacity,
        "{entries} of {capacity}"
    );
}
