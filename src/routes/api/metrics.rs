//! `GET /metrics`: Prometheus metrics, in the text exposition format. With
//! `TESSERA_METRICS_TOKEN` set, only a scraper presenting it is answered.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use subtle::ConstantTimeEq;

use super::{bearer, problem};
use crate::state::AppState;

pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(expected) = &state.config.metrics_token {
        let presented = bearer(&req).unwrap_or_default();
        if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
            let mut response = problem(
                StatusCode::UNAUTHORIZED,
                "invalid_metrics_token",
                "The metrics need the bearer token set in TESSERA_METRICS_TOKEN.",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tessera-metrics\""),
            );
            return response;
        }
    }
    // Sizing the cache walks it: off the async workers.
    let verifier = state.verifier.clone();
    let Ok(text) = web::block(move || {
        if let Some(report) = verifier.cache_report() {
            verifier.metrics.cache_size(report);
        }
        verifier.metrics.encode()
    })
    .await
    else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text)
}
