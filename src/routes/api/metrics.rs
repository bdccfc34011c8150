//! `GET /metrics`: Prometheus metrics, in the text exposition format.

use actix_web::{HttpResponse, web};

use crate::startup::AppState;

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.verifier.metrics.encode())
}
