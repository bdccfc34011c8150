//! Who sent a request: the client's address, through trusted proxies. The IP
//! allow-lists, the sign-in throttles and the audit trail all use this one answer.

use std::net::IpAddr;

use actix_web::{HttpRequest, web};

use crate::domain::networks::{ForwardedHeader, client_ip};

/// The client's IP address: the connection's, or what a trusted proxy says it is,
/// read from every line of the configured forwarding header.
pub fn client_address(req: &HttpRequest) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(IpAddr::from([0, 0, 0, 0]), |addr| addr.ip());
    let Some(state) = req.app_data::<web::Data<crate::startup::AppState>>() else {
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

/// The client's IP address as text, for logs and the audit trail.
pub fn client_ip_text(req: &HttpRequest) -> String {
    client_address(req).to_string()
}
