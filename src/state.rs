//! What every request handler can reach: the application's shared state, built at
//! start ([`crate::startup`]) and read by the layers below the routes.

use std::sync::Arc;

use actix_web::cookie::Key;

use crate::auth::locked_addresses::LockedAddresses;
use crate::auth::oidc::OidcProvider;
use crate::config::ServerConfig;
use crate::db::Db;
use crate::passwords::HashingGate;
use crate::services::Services;
use crate::services::health::SummaryCache;
use crate::verification::Verifier;

/// What every request handler can reach.
pub struct AppState {
    pub db: Db,
    pub config: ServerConfig,
    pub verifier: Arc<Verifier>,
    /// Password hashing and checking, at most one per core at a time.
    pub hashing: HashingGate,
    /// Signs the cookie of browsers that signed in before ([`crate::auth::device`]).
    pub cookie_key: Key,
    /// Addresses locked out of signing in, answered before any other work.
    pub locked_addresses: LockedAddresses,
    /// The token list's health summary line, per set of scopes.
    pub health_summaries: SummaryCache,
    /// The identity provider administrators may sign in with, if configured.
    pub oidc: Option<OidcProvider>,
}

impl AppState {
    /// The use cases, with what they work with.
    pub fn services(&self) -> Services<'_> {
        Services {
            db: &self.db,
            verifier: Some(&self.verifier),
            hashing: &self.hashing,
            encryption_key: self.config.encryption_key.as_ref(),
            webhook_key: self.config.webhook_key.as_ref(),
        }
    }
}
