//! CSRF protection: a synchronizer token in every form (checked by [`CsrfForm`]),
//! and a refusal of state-changing requests that a browser marks as cross-site.

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::session::expected_csrf_token;
use crate::http::AppError;
use crate::http::input::field_holds_control_characters;

/// Name of the hidden field every form carries.
pub const FIELD: &str = "csrf_token";

/// How long a form may take to arrive when no configuration says otherwise.
const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Largest form body accepted.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// A URL-encoded form whose CSRF token matched the session's. Handlers that change
/// anything take their input through this extractor, so no form can skip the check.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let timeout = req
            .app_data::<web::Data<crate::state::AppState>>()
            .map_or(DEFAULT_BODY_TIMEOUT, |state| state.config.body_timeout);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            // A body trickled in byte by byte must not hold the connection forever.
            let body = actix_web::rt::time::timeout(timeout, body)
                .await
                .map_err(|_| AppError::TimedOut)?
                .map_err(|_| {
                    AppError::bad_request("The form is too large or could not be read.")
                })?;
            if body.len() > MAX_FORM_BYTES {
                return Err(AppError::bad_request("The form is too large."));
            }
            let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&body)
                .map_err(|_| AppError::bad_request("The form could not be read."))?;
            let submitted = pairs
                .iter()
                .find(|(k, _)| k == FIELD)
                .map(|(_, v)| v.as_str());
            let expected = expected_csrf_token(&session);
            match (submitted, expected) {
                (Some(submitted), Some(expected))
                    if bool::from(submitted.as_bytes().ct_eq(expected.as_bytes())) => {}
                _ => return Err(AppError::CrossSiteRequest),
            }
            if pairs.iter().any(|(k, v)| {
                field_holds_control_characters(k) || field_holds_control_characters(v)
            }) {
                return Err(AppError::Unprocessable(
                    "A field holds a control character (such as a NUL byte), which no field accepts. Remove it and send the form again.".into(),
                ));
            }
            let form = serde_html_form::from_bytes(&body)
                .map_err(|e| AppError::bad_request(format!("The form is incomplete: {e}.")))?;
            Ok(CsrfForm(form))
        })
    }
}

/// A form with nothing but its CSRF token, for buttons such as "Sign out".
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// Refuses unsafe methods (POST, ...) that the browser says come from another site.
/// Requests without these headers (older browsers, scripts) still need the token.
pub async fn reject_cross_site<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let public_url = req
        .app_data::<web::Data<crate::state::AppState>>()
        .map(|state| state.config.public_url());
    if !req.method().is_safe() && is_cross_site(req.headers(), public_url) {
        tracing::warn!(method = %req.method(), path = req.path(), "refused a cross-site request");
        // A response, not an error, so the error page renderer sees it.
        return Ok(req
            .error_response(AppError::CrossSiteRequest)
            .map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn is_cross_site(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    if let (Ok(origin), Some(public_url)) = (origin.to_str(), public_url)
        && public_url
            .strip_prefix(origin)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    {
        return false;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
    });
    match (origin_host, host) {
        (Some(origin_host), Some(host)) => !origin_host.eq_ignore_ascii_case(host),
        // "Origin: null" (sandboxed frames, some redirects) or no Host: refuse.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                header::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn same_origin_requests_pass() {
        assert!(!is_cross_site(
            &headers(&[("host", "localhost:8080")]),
            None
        ));
        assert!(!is_cross_site(
            &headers(&[
                ("host", "localhost:8080"),
                ("origin", "http://localhost:8080"),
                ("sec-fetch-site", "same-origin"),
            ]),
            None
        ));
    }

    #[test]
    fn the_public_origin_passes_behind_a_proxy_that_rewrites_host() {
        let h = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://tokens.example.com"),
        ]);
        assert!(!is_cross_site(&h, Some("https://tokens.example.com")));
        assert!(!is_cross_site(
            &h,
            Some("https://tokens.example.com/tessera")
        ));
        assert!(is_cross_site(
            &h,
            Some("https://tokens.example.com.evil.example")
        ));
        assert!(is_cross_site(&h, None));
    }

    #[test]
    fn cross_site_requests_are_refused() {
        assert!(is_cross_site(
            &headers(&[
                ("host", "localhost:8080"),
                ("origin", "https://evil.example"),
            ]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[("host", "localhost:8080"), ("sec-fetch-site", "cross-site"),]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[
                ("host", "tokens.example.com"),
                ("sec-fetch-site", "same-site"),
            ]),
            None
        ));
        assert!(is_cross_site(
            &headers(&[("host", "localhost:8080"), ("origin", "null")]),
            None
        ));
    }
}
