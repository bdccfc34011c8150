//! A verified token as the cache keeps it: its rules, and its answers prepared
//! once.

use std::net::IpAddr;
use std::sync::OnceLock;

use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;
use ipnet::IpNet;
use serde_json::json;
use time::PrimitiveDateTime;

use super::Catalog;
use crate::db;
use crate::domain::ids::{Guid, TokenId};
use crate::domain::networks::parse_network;
use crate::domain::timestamps::iso;
use crate::domain::tokens::{Action, TokenType};
use crate::domain::verification::{LastUseMark, SecretMatch, TokenRules};

/// A token as verification sees it. Its answers are built on first use and kept.
#[derive(Debug)]
pub struct CachedToken {
    pub id: TokenId,
    pub guid: Guid,
    pub name: String,
    pub rules: TokenRules,
    pub matched: SecretMatch,
    pub can_introspect: bool,
    /// The last use written down (or about to be), so repeated uses are not.
    pub last_use: LastUseMark,
    /// Forward-auth tells the upstream which token passed.
    pub guid_header: HeaderValue,
    /// Names are free text: sent only when they are plain ASCII.
    pub name_header: Option<HeaderValue>,
    scope_names: Vec<String>,
    /// Every (module, action) the token grants, for the answers.
    granted: Vec<(String, Action)>,
    valid_from: PrimitiveDateTime,
    valid_to: Option<PrimitiveDateTime>,
    created_at: PrimitiveDateTime,
    verify_body: OnceLock<Bytes>,
    introspection_body: OnceLock<Bytes>,
}

impl CachedToken {
    /// The body of a passing `/verify`.
    pub fn verify_body(&self) -> Bytes {
        self.verify_body
            .get_or_init(|| {
                let mut permissions = serde_json::Map::new();
                for (key, action) in &self.granted {
                    let entry = permissions.entry(key.clone()).or_insert_with(|| json!([]));
                    if let Some(list) = entry.as_array_mut() {
                        list.push(json!(action.key()));
                    }
                }
                let body = json!({
                    "valid": true,
                    "token": {
                        "guid": self.guid,
                        "name": self.name,
                        "type": self.rules.token_type.key(),
                        "scopes": self.scope_names,
                        "permissions": permissions,
                        "valid_from": iso(&self.valid_from),
                        "valid_to": self.valid_to.as_ref().map(iso),
                    }
                });
                Bytes::from(body.to_string())
            })
            .clone()
    }

    /// The body of an active `/introspect` answer (RFC 7662).
    pub fn introspection_body(&self) -> Bytes {
        self.introspection_body
            .get_or_init(|| {
                let scope = self
                    .granted
                    .iter()
                    .map(|(key, action)| format!("{key}:{}", action.key()))
                    .collect::<Vec<_>>()
                    .join(" ");
                let mut body = json!({
                    "active": true,
                    "scope": scope,
                    "client_id": self.guid,
                    "sub": self.guid,
                    "username": self.name,
                    "token_type": "bearer",
                    "iat": unix(&self.created_at),
                    "nbf": unix(&self.valid_from),
                });
                if let Some(to) = &self.valid_to {
                    body["exp"] = json!(unix(to));
                }
                Bytes::from(body.to_string())
            })
            .clone()
    }
}

/// Builds the cached form of a token.
pub(crate) fn prepare(loaded: db::verification::LoadedToken, catalog: &Catalog) -> CachedToken {
    let t = &loaded.token;
    let token_type = t.token_type;
    let granted: Vec<(String, Action)> = match token_type {
        TokenType::Custom => loaded.grants.clone(),
        _ => {
            let mut keys: Vec<&String> = catalog.keys.iter().collect();
            keys.sort();
            keys.into_iter()
                .flat_map(|key| {
                    Action::ALL
                        .into_iter()
                        .filter(|a| token_type.grants_everywhere(*a))
                        .map(|a| (key.clone(), a))
                })
                .collect()
        }
    };
    CachedToken {
        id: t.id,
        guid: t.guid.clone(),
        name: t.name.clone(),
        rules: TokenRules {
            lifecycle: t.lifecycle(),
            token_type,
            grants: loaded.grants,
            allowed_networks: networks(&loaded.allowed_networks),
        },
        matched: loaded.matched,
        can_introspect: t.can_introspect(),
        last_use: LastUseMark::stored(
            t.last_used_at,
            t.last_used_ip.as_deref().and_then(|ip| ip.parse().ok()),
            t.last_used_user_agent.as_deref(),
        ),
        guid_header: HeaderValue::from_str(t.guid.as_str()).unwrap_or(HeaderValue::from_static("")),
        name_header: t
            .name
            .is_ascii()
            .then(|| HeaderValue::from_str(&t.name).ok())
            .flatten(),
        scope_names: loaded.scope_names,
        granted,
        valid_from: t.valid_from,
        valid_to: t.valid_to,
        created_at: t.created_at,
        verify_body: OnceLock::new(),
        introspection_body: OnceLock::new(),
    }
}

/// The stored allow-list. Rows are written from parsed networks; should one not parse,
/// the token is limited to an address no client has, rather than opened to all.
fn networks(stored: &[String]) -> Vec<IpNet> {
    let parsed: Option<Vec<IpNet>> = stored.iter().map(|n| parse_network(n)).collect();
    parsed.unwrap_or_else(|| {
        tracing::error!("a token's stored network list does not parse; refusing every address");
        vec![IpNet::from(IpAddr::from([0, 0, 0, 0]))]
    })
}

fn unix(at: &PrimitiveDateTime) -> i64 {
    at.assume_utc().unix_timestamp()
}
