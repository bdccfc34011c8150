//! One log line per request, inside a span that carries a request ID. The ID is sent
//! back in `X-Request-Id` and shown on error pages, so a report can be matched to logs.
//! Query strings are never logged: they can carry one-time codes.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use tracing::Instrument;

use crate::state::AppState;
use crate::verification::Endpoint;

pub const HEADER: &str = "x-request-id";

/// The ID of the request being served, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // 128 random bits from the thread's generator: no system call per request.
    let id = incoming_id(&req).unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()));
    req.extensions_mut().insert(RequestId(id.clone()));
    // Machine endpoints (verification, metrics, health) answer thousands of times a
    // second: they log at debug level, unless they fail.
    let path = req.path();
    let machine = path.starts_with("/api/") || matches!(path, "/metrics" | "/healthz" | "/readyz");
    let span = if machine {
        tracing::debug_span!("request", request_id = %id, method = %req.method(), path = %path)
    } else {
        tracing::info_span!("request", request_id = %id, method = %req.method(), path = %path)
    };
    // The verification endpoints' latency histograms are timed here, with the
    // clock this log line reads anyway.
    let timed = Endpoint::of_path(path).and_then(|endpoint| {
        let state = req.app_data::<web::Data<AppState>>()?;
        Some((endpoint, state.verifier.metrics.clone()))
    });
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed().as_secs_f64();
    if let Some((endpoint, metrics)) = timed {
        metrics.latency(endpoint, elapsed);
    }
    let elapsed_ms = elapsed * 1000.0;
    let _entered = span.enter();
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            if status >= 500 {
                tracing::error!(status, elapsed_ms, "request served");
            } else if machine {
                tracing::debug!(status, elapsed_ms, "request served");
            } else {
                tracing::info!(status, elapsed_ms, "request served");
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(HEADER), value);
            }
            Ok(response)
        }
        Err(error) => {
            tracing::error!(elapsed_ms, %error, "request failed");
            Err(error)
        }
    }
}

/// Keeps a proxy's request ID when it is short and plain.
fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(HEADER)?.to_str().ok()?;
    let plain = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| value.to_owned())
}
