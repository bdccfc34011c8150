//! The HTTP client the OpenID Connect flow talks to the provider with: awc, TLS
//! checked against the system's authorities, no redirects followed (a redirect
//! could point the server's requests anywhere).

use openidconnect::{HttpRequest, HttpResponse};

use crate::services::outbound;

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("TLS: {0}")]
    Tls(#[from] openssl::error::ErrorStack),
    #[error("{0}")]
    Send(String),
    #[error("a malformed answer: {0}")]
    Answer(String),
}

pub struct Outbound {
    client: Result<awc::Client, openssl::error::ErrorStack>,
}

impl Outbound {
    pub fn new() -> Self {
        let client = outbound::tls().map(|tls| {
            awc::Client::builder()
                .connector(awc::Connector::new().openssl(tls).timeout(TIMEOUT))
                .timeout(TIMEOUT)
                .disable_redirects()
                .finish()
        });
        Self { client }
    }

    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, OutboundError> {
        let client = self
            .client
            .as_ref()
            .map_err(|e| OutboundError::Tls(e.clone()))?;
        let method = awc::http::Method::from_bytes(request.method().as_str().as_bytes())
            .map_err(|e| OutboundError::Send(e.to_string()))?;
        let mut outgoing = client.request(method, request.uri().to_string());
        for (name, value) in request.headers() {
            outgoing = outgoing.insert_header((name.as_str(), value.as_bytes()));
        }
        let mut answer = outgoing
            .send_body(request.into_body())
            .await
            .map_err(|e| OutboundError::Send(e.to_string()))?;
        let body = answer
            .body()
            .limit(1 << 20)
            .await
            .map_err(|e| OutboundError::Answer(e.to_string()))?;
        let mut response = HttpResponse::new(body.to_vec());
        *response.status_mut() =
            openidconnect::http::StatusCode::from_u16(answer.status().as_u16())
                .map_err(|e| OutboundError::Answer(e.to_string()))?;
        for (name, value) in answer.headers() {
            if let (Ok(name), Ok(value)) = (
                openidconnect::http::HeaderName::from_bytes(name.as_str().as_bytes()),
                openidconnect::http::HeaderValue::from_bytes(value.as_bytes()),
            ) {
                response.headers_mut().append(name, value);
            }
        }
        Ok(response)
    }
}
