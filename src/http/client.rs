//! Who sent a request: the client's address, through trusted proxies. The IP
//! allow-lists, the sign-in throttles and the audit trail all use this one answer.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, web};

use crate::domain::networks::{ForwardedHeader, client_ip};

/// The client's IP address: the connection's, or what a trusted proxy says it is,
/// read from every line of the configured forwarding header.
pub fn client_address(req: &HttpRequest) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(IpAddr::from([0, 0, 0, 0]), |addr| addr.ip());
    let Some(state) = req.app_data::<web::Data<crate::state::AppState>>() else {
        return peer;
    };
    let trusted = state.config.trusted_proxies.as_slice();
    if trusted.is_empty() {
        return peer;
    }
    let header: ForwardedHeader = state.config.forwarded_header;
    let lines = req
        .headers()
        .get_all(header.name())
        .map(|value| value.to_str().ok());
    client_ip(peer, &header.hops(lines), trusted)
}

/// The credential of an `Authorization: Bearer ...` header: visible ASCII, after
/// the scheme (in any case) and a space.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .as_bytes()
        .trim_ascii();
    let (scheme, token) = value.split_at(value.iter().position(|b| *b == b' ')?);
    let token = token.trim_ascii();
    // No early exit in the byte check: the compiler then checks many at once.
    let graphic = token.iter().fold(true, |ok, b| ok & b.is_ascii_graphic());
    if !scheme.eq_ignore_ascii_case(b"bearer") || !graphic {
        return None;
    }
    // Visible ASCII is UTF-8.
    std::str::from_utf8(token).ok()
}

/// The client's IP address as text, for logs and the audit trail.
pub fn client_ip_text(req: &HttpRequest) -> String {
    client_address(req).to_string()
}

/// Says once, in the log, that requests arrive through an HTTPS proxy while Tessera
/// believes it is served over plain http (no `TESSERA_PUBLIC_URL`): its session
/// cookie then lacks `Secure`, and no HSTS header is sent.
pub async fn notice_https_proxy<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    static NOTICED: AtomicBool = AtomicBool::new(false);
    if !NOTICED.load(Ordering::Relaxed)
        && arrived_over_https(req.headers())
        && let Some(state) = req.app_data::<web::Data<crate::state::AppState>>()
        && !state.config.public_url_configured
        && !state.config.cookie_secure()
        && !NOTICED.swap(true, Ordering::Relaxed)
    {
        tracing::warn!(
            "requests arrive through an HTTPS proxy, but TESSERA_PUBLIC_URL is not set: the \
             session cookie is sent without Secure and no HSTS header is sent; set \
             TESSERA_PUBLIC_URL=https://..."
        );
    }
    next.call(req).await
}

fn arrived_over_https(headers: &HeaderMap) -> bool {
    let says_https = |name: &str, matches: fn(&str) -> bool| {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .any(matches)
    };
    says_https("x-forwarded-proto", |v| {
        v.trim().eq_ignore_ascii_case("https")
    }) || says_https("forwarded", |v| {
        v.split([';', ','])
            .any(|pair| pair.trim().eq_ignore_ascii_case("proto=https"))
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::bearer;

    #[test]
    fn the_bearer_credential_is_what_follows_the_scheme() {
        let credential = |value: &str| {
            let req = TestRequest::default()
                .insert_header(("authorization", value))
                .to_http_request();
            bearer(&req).map(str::to_owned)
        };
        assert_eq!(credential("Bearer tsr_abc").as_deref(), Some("tsr_abc"));
        assert_eq!(
            credential("  bEARER   tsr_abc \t").as_deref(),
            Some("tsr_abc")
        );
        for refused in [
            "Basic dXNlcg==",
            "Bearer",
            "Bearer ",
            "Bearer a b",
            "Bearertsr_abc",
        ] {
            assert_eq!(credential(refused), None, "{refused}");
        }
        let missing = TestRequest::default().to_http_request();
        assert_eq!(bearer(&missing), None);
    }
}
