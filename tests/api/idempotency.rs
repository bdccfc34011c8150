//! A create retried with the same `Idempotency-Key` while the first is still being
//! handled makes no second token: the retry gets the first one's answer (200), or
//! 409 `idempotency_key_in_flight`, never `name_taken`.

use futures_util::future::join;

use crate::helpers::{ApiClient, ApiResponse, spawn_app};
use crate::management_api::new_token;

#[actix_web::test]
async fn concurrent_retries_of_a_create_make_one_token() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let key = app
        .api_key(&ada, "bot", &["tokens.read", "tokens.create"], &[])
        .await;
    let api = ApiClient::new(&app, &key);
    for round in 0..6 {
        let name = format!("twin-{round}");
        let body = new_token(&name, "Production");
        let idempotency_key = format!("create-{round}");
        let headers = [("idempotency-key", idempotency_key.as_str())];
        let send = || api.send("POST", "/api/v1/tokens", &headers, Some(&body));
        let (a, b): (ApiResponse, ApiResponse) = join(send(), send()).await;
        let (first, retry) = if a.status == 201 { (a, b) } else { (b, a) };
        assert_eq!(
            first.status, 201,
            "round {round}: {} / {}",
            first.json, retry.json
        );
        match retry.status {
            200 => {
                assert_eq!(retry.json["guid"], first.json["guid"], "round {round}");
                assert!(retry.json["secret"].is_null());
            }
            409 => assert_eq!(retry.code(), "idempotency_key_in_flight", "round {round}"),
            _ => panic!("round {round}: {} {}", retry.status, retry.json),
        }
        assert_eq!(app.count(&format!("api_tokens WHERE name = '{name}'")), 1);
    }
}
