//! A verified token as the cache keeps it: only what verification decides on and
//! answers with, in as few bytes as a hundred thousand of them can share. Answers
//! are written per request from these fields and the module catalog.

use std::mem::size_of;
use std::net::IpAddr;
use std::sync::Arc;

use actix_web::http::header::HeaderValue;
use actix_web::web::Bytes;
use compact_str::CompactString;
use ipnet::IpNet;
use serde::Serialize;
use time::PrimitiveDateTime;
use uuid::Uuid;

use super::{Catalog, Control, answers};
use crate::db;
use crate::domain::ids::TokenId;
use crate::domain::networks::parse_network;
use crate::domain::tokens::{Action, TokenType};
use crate::domain::verification::{LastUseMark, SecretMatch, TokenRules};

/// A token as verification sees it.
#[derive(Debug)]
pub struct CachedToken {
    pub id: TokenId,
    pub guid: Uuid,
    /// Inline when short, as most names are: one allocation fewer to reach.
    pub name: CompactString,
    pub rules: TokenRules,
    pub matched: SecretMatch,
    pub can_introspect: bool,
    /// The last use written down (or about to be), so repeated uses are not.
    pub last_use: LastUseMark,
    /// The `scopes` array of its answers, shared with the tokens of the same scopes.
    scopes_answer: Arc<[u8]>,
    created_at: PrimitiveDateTime,
    /// Its identity, limits and credits, when it has any.
    pub control: Option<Box<Control>>,
}

impl CachedToken {
    /// The body of a passing `/verify`, fields in alphabetical order:
    /// `{"identity":..,"token":{"guid":..,"name":..,"permissions":..,"scopes":..,
    /// "type":..,"valid_from":..,"valid_to":..},"valid":true}`, `identity` only
    /// when an identity owns the token. Limits and credits are in the headers.
    pub fn verify_body(&self, catalog: &Catalog) -> Bytes {
        let mut out = Vec::with_capacity(512);
        out.push(b'{');
        if let Some(identity) = self.control.as_ref().and_then(|c| c.identity.as_deref()) {
            out.extend_from_slice(b"\"identity\":");
            out.extend_from_slice(identity);
            out.push(b',');
        }
        out.extend_from_slice(b"\"token\":{\"guid\":\"");
        let mut guid = [0; uuid::fmt::Hyphenated::LENGTH];
        out.extend_from_slice(self.guid.hyphenated().encode_lower(&mut guid).as_bytes());
        out.extend_from_slice(b"\",\"name\":");
        answers::string(&mut out, &self.name);
        out.extend_from_slice(b",\"permissions\":");
        match catalog.permissions_everywhere(self.rules.token_type) {
            Some(prepared) => out.extend_from_slice(prepared),
            None => answers::permissions(&mut out, &self.rules.grants),
        }
        out.extend_from_slice(b",\"scopes\":");
        out.extend_from_slice(&self.scopes_answer);
        out.extend_from_slice(b",\"type\":\"");
        out.extend_from_slice(self.rules.token_type.key().as_bytes());
        let lifecycle = &self.rules.lifecycle;
        out.extend_from_slice(b"\",\"valid_from\":");
        answers::timestamp(&mut out, Some(&lifecycle.valid_from));
        out.extend_from_slice(b",\"valid_to\":");
        answers::timestamp(&mut out, lifecycle.valid_to.as_ref());
        out.extend_from_slice(b"},\"valid\":true}");
        Bytes::from(out)
    }

    /// The body of an active `/introspect` answer (RFC 7662).
    pub fn introspection_body(&self, catalog: &Catalog) -> Bytes {
        #[derive(Serialize)]
        struct Body<'a> {
            active: bool,
            /// Tessera's extension: the networks the token is limited to, so a
            /// gateway does not reuse the answer for a client outside them.
            #[serde(skip_serializing_if = "Networks::is_empty")]
            allowed_networks: Networks<'a>,
            client_id: Uuid,
            #[serde(skip_serializing_if = "Option::is_none")]
            exp: Option<i64>,
            iat: i64,
            nbf: i64,
            scope: String,
            sub: Uuid,
            token_type: &'static str,
            username: &'a str,
        }
        let mut scope = String::new();
        for (key, action) in self.granted(catalog) {
            if !scope.is_empty() {
                scope.push(' ');
            }
            scope.push_str(key);
            scope.push(':');
            scope.push_str(action.key());
        }
        let lifecycle = &self.rules.lifecycle;
        json(&Body {
            active: true,
            allowed_networks: Networks(&self.rules.allowed_networks),
            client_id: self.guid,
            exp: lifecycle.valid_to.as_ref().map(unix),
            iat: unix(&self.created_at),
            nbf: unix(&lifecycle.valid_from),
            scope,
            sub: self.guid,
            token_type: "bearer",
            username: &self.name,
        })
    }

    /// Forward-auth tells the upstream which token passed.
    pub fn guid_header(&self) -> HeaderValue {
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        HeaderValue::from_bytes(self.guid.hyphenated().encode_lower(&mut text).as_bytes())
            .expect("a GUID is a valid header value")
    }

    /// Names are free text: sent only when they are plain, printable ASCII.
    pub fn name_header(&self) -> Option<HeaderValue> {
        self.name
            .is_ascii()
            .then(|| HeaderValue::from_str(&self.name).ok())
            .flatten()
    }

    /// Every (module, action) the token grants, sorted by module key: its own
    /// grants, or what its type allows on every module of the catalog.
    fn granted<'a>(&'a self, catalog: &'a Catalog) -> &'a [(Arc<str>, Action)] {
        match self.rules.token_type {
            TokenType::Custom => &self.rules.grants,
            other => catalog.granted_everywhere(other),
        }
    }

    /// The bytes this token holds: itself, its own allocations and its reference
    /// counts (not what it shares: module keys, its scopes' answer).
    pub fn footprint(&self) -> usize {
        let name = if self.name.is_heap_allocated() {
            self.name.capacity()
        } else {
            0
        };
        2 * size_of::<usize>()
            + size_of::<Self>()
            + name
            + self.rules.grants.len() * size_of::<(Arc<str>, Action)>()
            + self.rules.allowed_networks.len() * size_of::<IpNet>()
            + self.control.as_ref().map_or(0, |c| c.footprint())
    }
}

/// An allow-list, as a JSON array of networks in CIDR form.
struct Networks<'a>(&'a [IpNet]);

impl Networks<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Networks<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Cidr))
    }
}

struct Cidr<'a>(&'a IpNet);

impl Serialize for Cidr<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

fn json(body: &impl Serialize) -> Bytes {
    let mut out = Vec::with_capacity(512);
    // Serializing plain strings, numbers and maps with string keys cannot fail.
    serde_json::to_writer(&mut out, body).expect("a JSON answer");
    Bytes::from(out)
}

/// Builds the cached form of a token. Module keys are the catalog's own.
pub(crate) fn prepare(loaded: db::verification::LoadedToken, catalog: &Catalog) -> CachedToken {
    let control = Control::of(&loaded);
    let t = loaded.token;
    CachedToken {
        control,
        id: t.id,
        guid: t.guid.uuid(),
        rules: TokenRules {
            lifecycle: t.lifecycle(),
            token_type: t.token_type,
            grants: sorted_grants(loaded.grants, catalog),
            allowed_networks: networks(&loaded.allowed_networks),
        },
        matched: loaded.matched,
        can_introspect: t.can_introspect(),
        last_use: LastUseMark::stored(
            t.last_used_at,
            t.last_used_ip.as_deref().and_then(|ip| ip.parse().ok()),
            t.last_used_user_agent.as_deref(),
        ),
        name: t.name.into(),
        scopes_answer: catalog.scopes_answer(&loaded.scope_names),
        created_at: t.created_at,
    }
}

/// A custom token's grants in the order answers list them (by module key, byte by
/// byte as the catalog sorts them, whatever the database's collation, then by
/// action), with the catalog's own keys.
fn sorted_grants(grants: Vec<(String, Action)>, catalog: &Catalog) -> Box<[(Arc<str>, Action)]> {
    let mut grants: Vec<(Arc<str>, Action)> = grants
        .into_iter()
        .map(|(key, action)| {
            let shared = catalog.keys.get(key.as_str()).cloned();
            (shared.unwrap_or_else(|| key.into()), action)
        })
        .collect();
    // Actions too: the database returns a module's grants in no set order.
    grants.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    grants.into_boxed_slice()
}

/// The stored allow-list. Rows are written from parsed networks; should one not parse,
/// the token is limited to an address no client has, rather than opened to all.
fn networks(stored: &[String]) -> Box<[IpNet]> {
    let parsed: Option<Box<[IpNet]>> = stored.iter().map(|n| parse_network(n)).collect();
    parsed.unwrap_or_else(|| {
        tracing::error!("a token's stored network list does not parse; refusing every address");
        Box::new([IpNet::from(IpAddr::from([0, 0, 0, 0]))])
    })
}

fn unix(at: &PrimitiveDateTime) -> i64 {
    at.assume_utc().unix_timestamp()
}
