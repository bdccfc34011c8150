//! Identities, rate limits and credits through the management API, judged by
//! `/verify` and forward-auth on one instance: exact at the boundary, with the IETF
//! headers, costs, credits written with the usage flush, and bad input refused.

use serde_json::{Value, json};
use tessera::config::ServeArgs;

use crate::helpers::{ApiClient, TestApp, eventually, spawn_app, spawn_app_with};
use crate::management_api::new_token;

const ALL: &[&str] = &[
    "tokens.read",
    "tokens.create",
    "tokens.update",
    "tokens.delete",
];

pub struct Verified {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub json: Value,
}

impl Verified {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// `GET address/api/v1/verify?query` with the token.
pub async fn verify(address: &str, secret: &str, query: &str) -> Verified {
    let mut response = awc::Client::default()
        .get(format!("{address}/api/v1/verify{query}"))
        .insert_header(("authorization", format!("Bearer {secret}")))
        .send()
        .await
        .unwrap();
    let body = response.body().await.unwrap();
    Verified {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        json: serde_json::from_slice(&body).unwrap_or(Value::Null),
    }
}

/// A token named `name` in Production with `credits` set, made through the API:
/// the client, its GUID and its secret.
pub async fn metered(
    app: &TestApp,
    admin: &crate::helpers::Browser,
    name: &str,
    credits: Value,
) -> (ApiClient, String, String) {
    let key = app
        .api_key(
            admin,
            "ops",
            &["tokens.read", "tokens.create", "tokens.update"],
            &[],
        )
        .await;
    let api = ApiClient::new(app, &key);
    let token = api
        .post("/api/v1/tokens", &new_token(name, "Production"))
        .await;
    let (guid, secret) = (
        token.json["guid"].as_str().unwrap().to_owned(),
        token.json["secret"].as_str().unwrap().to_owned(),
    );
    let set = json!({ "credits": credits });
    let path = format!("/api/v1/tokens/{guid}/limits");
    assert_eq!(api.send("PUT", &path, &[], Some(&set)).await.status, 200);
    (api, guid, secret)
}

/// An identity "Acme" with two tokens, through the API.
pub async fn acme(app: &TestApp, api: &ApiClient) -> (String, String) {
    let created = api
        .post(
            "/api/v1/identities",
            &json!({
                "external_id": "cus_acme",
                "name": "Acme",
                "metadata": { "plan": "pro", "seats": 5 },
                "scopes": ["Production"],
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let mut secrets = Vec::new();
    for name in ["acme-web", "acme-batch"] {
        let mut body = new_token(name, "Production");
        body["identity"] = json!("cus_acme");
        let token = api.post("/api/v1/tokens", &body).await;
        assert_eq!(token.status, 201, "{}", token.json);
        assert_eq!(token.json["identity"]["external_id"], "cus_acme");
        secrets.push(token.json["secret"].as_str().unwrap().to_owned());
    }
    let _ = app;
    (secrets.remove(0), secrets.remove(0))
}

#[actix_web::test]
async fn an_identity_shares_its_limit_between_its_tokens_exactly() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&ada, "ops", ALL, &[]).await);
    let (web, batch) = acme(&app, &api).await;
    let set = api
        .send(
            "PUT",
            "/api/v1/identities/cus_acme/limits",
            &[],
            Some(&json!({ "ratelimits": [{ "name": "requests", "limit": 5, "period": 60 }] })),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.json);
    assert_eq!(set.json["ratelimits"][0]["limit"], 5);

    let mut passed = 0;
    for i in 0..8 {
        let secret = if i % 2 == 0 { &web } else { &batch };
        let answer = verify(&app.address, secret, "").await;
        match answer.status {
            200 => {
                passed += 1;
                assert_eq!(answer.json["identity"]["external_id"], "cus_acme");
                assert_eq!(
                    answer.json["identity"]["metadata"],
                    json!({ "plan": "pro", "seats": 5 })
                );
                assert_eq!(
                    answer.header("ratelimit-policy"),
                    Some("\"requests\";q=5;w=60")
                );
                let current = answer.header("ratelimit").unwrap();
                assert!(
                    current.starts_with(&format!("\"requests\";r={};t=", 5 - passed)),
                    "{current}"
                );
            }
            429 => {
                assert_eq!(
                    answer.json,
                    json!({ "valid": false, "code": "rate_limited" })
                );
                let retry: i64 = answer.header("retry-after").unwrap().parse().unwrap();
                assert!((1..=120).contains(&retry), "{retry}");
                assert!(answer.header("ratelimit").unwrap().contains(";r=0;"));
            }
            other => panic!("unexpected {other}: {}", answer.json),
        }
    }
    assert_eq!(passed, 5, "five of the eight pass, from either token");

    // The identity's page in the API lists both tokens and the limit.
    let read = api.get("/api/v1/identities/cus_acme").await;
    assert_eq!(read.json["token_guids"].as_array().unwrap().len(), 2);
    assert_eq!(read.json["tokens"], 2);
}

#[actix_web::test]
async fn costs_weigh_credits_run_out_and_are_written_with_the_flush() {
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        ..ServeArgs::default()
    })
    .await;
    let ada = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&ada, "ops", ALL, &[]).await);
    let token = api
        .post("/api/v1/tokens", &new_token("metered", "Production"))
        .await;
    let (guid, secret) = (
        token.json["guid"].as_str().unwrap().to_owned(),
        token.json["secret"].as_str().unwrap().to_owned(),
    );
    let set = api
        .send(
            "PUT",
            &format!("/api/v1/tokens/{guid}/limits"),
            &[],
            Some(&json!({ "credits": { "remaining": 5, "refill": { "interval": "month", "amount": 100 } } })),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.json);
    assert_eq!(set.json["credits"]["refill"]["interval"], "month");

    let spent = verify(&app.address, &secret, "?cost=3").await;
    assert_eq!(spent.status, 200, "{}", spent.json);
    // Credits are one more item of the IETF fields: the monthly amount, what is
    // left, and the seconds until the 1st of next month.
    assert_eq!(spent.header("ratelimit-policy"), Some("\"credits\";q=100"));
    let current = spent.header("ratelimit").unwrap();
    let reset: i64 = current
        .strip_prefix("\"credits\";r=2;t=")
        .unwrap_or_else(|| panic!("{current}"))
        .parse()
        .unwrap();
    assert!((1..=31 * 86_400).contains(&reset), "{reset}");
    let refused = verify(&app.address, &secret, "?cost=3").await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json["code"], "usage_exceeded");
    // Until the 1st of next month at 00:00 UTC.
    let retry: i64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=31 * 86_400).contains(&retry), "{retry}");
    // A check that spends nothing still passes, and a cost of 2 uses the rest.
    assert_eq!(verify(&app.address, &secret, "?cost=0").await.status, 200);
    assert_eq!(verify(&app.address, &secret, "?cost=2").await.status, 200);
    assert_eq!(verify(&app.address, &secret, "").await.status, 429);
    for bad in ["?cost=-1", "?cost=1000001", "?cost=x"] {
        let answer = verify(&app.address, &secret, bad).await;
        assert_eq!(answer.status, 400, "{bad}: {}", answer.json);
    }

    eventually("the spent credits are written", || {
        app.texts("SELECT CAST(remaining AS TEXT) AS t FROM credits") == ["0"]
    })
    .await;
    let read = api.get(&format!("/api/v1/tokens/{guid}/limits")).await;
    assert_eq!(read.json["credits"]["remaining"], 0);
    // Set anew, the credits count from the new value at once.
    let reset = api
        .send(
            "PUT",
            &format!("/api/v1/tokens/{guid}/limits"),
            &[],
            Some(&json!({ "credits": { "remaining": 1 } })),
        )
        .await;
    assert_eq!(reset.status, 200);
    assert_eq!(verify(&app.address, &secret, "").await.status, 200);
    assert_eq!(verify(&app.address, &secret, "").await.status, 429);
}

#[actix_web::test]
async fn bad_identities_and_limits_are_refused_with_reasons() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&ada, "ops", ALL, &[]).await);
    let post = |body: Value| {
        let api = &api;
        async move { api.post("/api/v1/identities", &body).await }
    };
    let refused = post(json!({ "external_id": "a b", "name": "", "scopes": ["Nope"] })).await;
    assert_eq!(refused.status, 422, "{}", refused.json);
    let refused =
        post(json!({ "external_id": "x", "name": "X", "metadata": [1], "scopes": ["Production"] }))
            .await;
    assert_eq!(
        refused.status, 422,
        "metadata must be an object: {}",
        refused.json
    );
    let ok = post(json!({ "external_id": "x", "name": "X", "scopes": ["Production"] })).await;
    assert_eq!(ok.status, 201);
    let twice = post(json!({ "external_id": "x", "name": "Y", "scopes": ["Production"] })).await;
    assert_eq!(twice.status, 422);
    assert!(
        twice.json.to_string().contains("Another identity"),
        "{}",
        twice.json
    );

    for limits in [
        json!({ "ratelimits": [{ "name": "Bad Name", "limit": 1, "period": 60 }] }),
        json!({ "ratelimits": [{ "name": "a", "limit": 0, "period": 60 }] }),
        json!({ "ratelimits": [{ "name": "a", "limit": 1, "period": 0 }] }),
        json!({ "ratelimits": [{ "name": "a", "limit": 1, "period": 60 }, { "name": "a", "limit": 2, "period": 60 }] }),
        // The answers' fields call the credits so.
        json!({ "ratelimits": [{ "name": "credits", "limit": 1, "period": 60 }] }),
        json!({ "credits": { "remaining": -1 } }),
        json!({ "credits": { "remaining": 1, "refill": { "interval": "week", "amount": 1 } } }),
    ] {
        let answer = api
            .send("PUT", "/api/v1/identities/x/limits", &[], Some(&limits))
            .await;
        assert_eq!(answer.status, 422, "{limits}: {}", answer.json);
    }
    let mut unknown = new_token("nobody's", "Production");
    unknown["identity"] = json!("cus_missing");
    let answer = api.post("/api/v1/tokens", &unknown).await;
    assert_eq!(answer.status, 422);
    assert!(
        answer.json.to_string().contains("cus_missing"),
        "{}",
        answer.json
    );
}

#[actix_web::test]
async fn identities_keep_to_scopes_and_deleting_one_frees_its_tokens() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&ada, "ops", ALL, &[]).await);
    let (web, _) = acme(&app, &api).await;
    let staging = ApiClient::new(&app, &app.api_key(&ada, "staging", ALL, &["Staging"]).await);
    assert_eq!(staging.get("/api/v1/identities/cus_acme").await.status, 404);
    assert_eq!(
        staging.get("/api/v1/identities").await.json["identities"],
        json!([])
    );

    let read = api.get("/api/v1/identities/cus_acme").await;
    let etag = read.header("etag").unwrap().to_owned();
    let changed = api
        .write(
            "PATCH",
            "/api/v1/identities/cus_acme",
            &etag,
            Some(&json!({ "metadata": { "plan": "enterprise" } })),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.json);
    // Verification answers with the new metadata at once.
    let answer = verify(&app.address, &web, "").await;
    assert_eq!(
        answer.json["identity"]["metadata"],
        json!({ "plan": "enterprise" })
    );
    let stale = api
        .write(
            "PATCH",
            "/api/v1/identities/cus_acme",
            &etag,
            Some(&json!({ "name": "Old" })),
        )
        .await;
    assert_eq!(stale.status, 412);

    assert_eq!(
        api.send("DELETE", "/api/v1/identities/cus_acme", &[], None)
            .await
            .status,
        204
    );
    let answer = verify(&app.address, &web, "").await;
    assert_eq!(answer.status, 200);
    assert!(answer.json.get("identity").is_none(), "{}", answer.json);
}

#[actix_web::test]
async fn forward_auth_maps_refusals_for_nginx_and_names_the_identity() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&ada, "ops", ALL, &[]).await);
    let (web, _) = acme(&app, &api).await;
    api.send(
        "PUT",
        "/api/v1/identities/cus_acme/limits",
        &[],
        Some(&json!({ "ratelimits": [{ "name": "burst", "limit": 2, "period": 10 }] })),
    )
    .await;
    let auth = |query: &'static str| {
        let (address, web) = (app.address.clone(), web.clone());
        async move {
            awc::Client::default()
                .get(format!("{address}/api/v1/auth{query}"))
                .insert_header(("authorization", format!("Bearer {web}")))
                .insert_header(("x-original-method", "GET"))
                .insert_header(("x-original-uri", "/orders/1"))
                .send()
                .await
                .unwrap()
        }
    };
    let passed = auth("?cost=2").await;
    assert_eq!(passed.status(), 200);
    assert_eq!(
        passed.headers().get("x-tessera-identity").unwrap(),
        "cus_acme"
    );
    assert_eq!(auth("").await.status(), 429);
    let nginx = auth("?limited_status=403").await;
    assert_eq!(nginx.status(), 403);
    assert_eq!(
        nginx.headers().get("x-tessera-code").unwrap(),
        "rate_limited"
    );
    assert!(nginx.headers().get("retry-after").is_some());
    assert_eq!(auth("?limited_status=500").await.status(), 400);
}
