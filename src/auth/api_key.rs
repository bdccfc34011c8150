//! Who calls the management API: the owner of the `Authorization: Bearer tsa_...`
//! key, narrowed to what the key allows. Only the header counts — a session cookie
//! never authenticates the API, which is why it needs no CSRF token.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::domain::api_keys::KeyRefusal;
use crate::domain::verification::stored_agent;
use crate::http::api_error::ApiError;
use crate::http::client::{bearer, client_address};
use crate::services::Caller;
use crate::services::api_keys::{KeyUse, authenticate};
use crate::state::AppState;

/// The caller of a management API request.
pub struct ApiCaller(pub Caller);

impl Deref for ApiCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequest for ApiCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal("application state missing"))?;
            let from = KeyUse {
                address: client_address(&req),
                user_agent: req
                    .headers()
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(|agent| stored_agent(agent).to_owned()),
            };
            match authenticate(state.services(), bearer(&req), from).await {
                Ok(caller) => Ok(ApiCaller(caller)),
                Err(refusal) => {
                    // Quiet: a flood of wrong keys would drown the log. The address's
                    // lock is said once, at warning level, when it begins.
                    if refusal != KeyRefusal::Missing {
                        tracing::debug!(reason = refusal.reason(), "API key refused");
                    }
                    Err(refusal.into())
                }
            }
        })
    }
}
