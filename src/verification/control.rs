//! What a token's answers say of its identity, and the limits and credits
//! verification applies to it, prepared once when the token is loaded.

use actix_web::http::header::HeaderValue;

use super::answers;
use crate::db::verification::LoadedToken;
use crate::limits::{CreditRule, LimitRule};

/// A token's identity and usage control; tokens with neither carry none.
#[derive(Debug)]
pub struct Control {
    /// `{"external_id":..,"metadata":{..},"name":..}`, for answers.
    pub identity: Option<Box<[u8]>>,
    /// The identity's external ID, for forward-auth, when a header can carry it.
    pub identity_header: Option<HeaderValue>,
    /// `RateLimit-Policy: "requests";q=100;w=60, ...`, when it has rate limits.
    pub policy_header: Option<HeaderValue>,
    pub limits: Box<[LimitRule]>,
    pub credits: Box<[CreditRule]>,
}

impl Control {
    pub fn of(loaded: &LoadedToken) -> Option<Box<Control>> {
        if loaded.identity.is_none() && loaded.limits.is_empty() && loaded.credits.is_empty() {
            return None;
        }
        let identity = loaded.identity.as_ref().map(|identity| {
            let mut out = Vec::with_capacity(64 + identity.metadata.len());
            out.extend_from_slice(b"{\"external_id\":");
            answers::string(&mut out, &identity.external_id);
            out.extend_from_slice(b",\"metadata\":");
            // Stored only as a checked, compact JSON object.
            out.extend_from_slice(identity.metadata.as_bytes());
            out.extend_from_slice(b",\"name\":");
            answers::string(&mut out, &identity.name);
            out.push(b'}');
            out.into_boxed_slice()
        });
        let identity_header = loaded
            .identity
            .as_ref()
            .and_then(|i| HeaderValue::from_str(&i.external_id).ok());
        let policy = loaded
            .limits
            .iter()
            .map(|l| format!("\"{}\";q={};w={}", l.name, l.max_requests, l.period_seconds))
            .collect::<Vec<_>>()
            .join(", ");
        Some(Box::new(Control {
            identity,
            identity_header,
            policy_header: HeaderValue::from_str(&policy)
                .ok()
                .filter(|_| !policy.is_empty()),
            limits: loaded.limits.iter().map(LimitRule::from).collect(),
            credits: loaded.credits.iter().map(CreditRule::from).collect(),
        }))
    }

    /// The bytes it holds (names of limits are counted whole: they are short).
    pub fn footprint(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.identity.as_ref().map_or(0, |i| i.len())
            + self.identity_header.as_ref().map_or(0, |h| h.len())
            + self.policy_header.as_ref().map_or(0, |h| h.len())
            + self
                .limits
                .iter()
                .map(|l| std::mem::size_of::<LimitRule>() + l.name.len())
                .sum::<usize>()
            + self.credits.len() * std::mem::size_of::<CreditRule>()
    }

    /// Whether requests are limited or spend credits.
    pub fn limits_use(&self) -> bool {
        !self.limits.is_empty() || !self.credits.is_empty()
    }
}
