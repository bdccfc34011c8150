//! What a token's answers say of its identity, and the limits and credits
//! verification applies to it, prepared once when the token is loaded.

use actix_web::http::header::HeaderValue;
use actix_web::web::BytesMut;

use super::answers;
use crate::db::limits::CreditsRow;
use crate::db::verification::LoadedToken;
use crate::domain::limits::{CREDITS, Refill};
use crate::limits::{CreditRule, LimitRule, Standing};

/// A token's identity and usage control; tokens with neither carry none.
#[derive(Debug)]
pub struct Control {
    /// `{"external_id":..,"metadata":{..},"name":..}`, for answers.
    pub identity: Option<Box<[u8]>>,
    /// The identity's external ID, for forward-auth, when a header can carry it.
    pub identity_header: Option<HeaderValue>,
    /// `RateLimit-Policy: "requests";q=100;w=60, "credits";q=1000`, when it has
    /// limits or credits.
    pub policy_header: Option<HeaderValue>,
    pub limits: Box<[LimitRule]>,
    pub credits: Box<[CreditRule]>,
    /// The start of each item of the `RateLimit` field, `"name";r=`: one per rate
    /// limit, then one per credits, as [`Decision`](crate::limits::Decision) lists them.
    items: Box<[Box<[u8]>]>,
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
        let names: Vec<String> = (loaded.limits.iter().map(|l| field_name(&l.name)))
            .chain(loaded.credits.iter().map(|_| CREDITS.to_owned()))
            .collect();
        let quotas = (loaded.limits.iter())
            .map(|l| format!("q={};w={}", l.max_requests, l.period_seconds))
            .chain(loaded.credits.iter().map(credits_quota));
        let policy = names
            .iter()
            .zip(quotas)
            .map(|(name, quota)| format!("\"{name}\";{quota}"))
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
            items: names
                .iter()
                .map(|name| format!("\"{name}\";r=").into_bytes().into_boxed_slice())
                .collect(),
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
            + self.items.iter().map(|i| 16 + i.len()).sum::<usize>()
    }

    /// The `RateLimit` field for where the limits and credits stand after a request.
    pub fn ratelimit_field(&self, standings: &[Standing]) -> Option<HeaderValue> {
        if standings.is_empty() {
            return None;
        }
        let mut field = BytesMut::with_capacity(48 * standings.len());
        let mut number = itoa::Buffer::new();
        for (i, (item, standing)) in self.items.iter().zip(standings).enumerate() {
            if i > 0 {
                field.extend_from_slice(b", ");
            }
            field.extend_from_slice(item);
            field.extend_from_slice(number.format(standing.remaining.max(0)).as_bytes());
            if let Some(reset) = standing.reset_seconds {
                field.extend_from_slice(b";t=");
                field.extend_from_slice(number.format(reset).as_bytes());
            }
        }
        // SAFETY: every byte is visible ASCII: the items are made of names that
        // `field_name` kept to letters, digits, "-" and "_", and the rest is digits, a
        // minus sign, ";t=" and ", ". Checking it again on every request cost more
        // than judging the limits (debug builds of `http` still check it).
        Some(unsafe { HeaderValue::from_maybe_shared_unchecked(field.freeze()) })
    }

    /// Whether requests are limited or spend credits.
    pub fn limits_use(&self) -> bool {
        !self.limits.is_empty() || !self.credits.is_empty()
    }
}

/// A limit's name as the fields carry it: names are checked when they are set
/// (lowercase letters, digits, "-" and "_"), and anything else a row could hold
/// becomes "_" here rather than reach a header.
fn field_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => c,
            _ => '_',
        })
        .collect()
}

/// The quota of credits: the amount a refill restores, else the amount set; a
/// window only for a daily refill (a month has no fixed length).
fn credits_quota(row: &CreditsRow) -> String {
    match row.credits().refill {
        Some((Refill::Daily, amount)) => format!("q={amount};w=86400"),
        Some((Refill::Monthly, amount)) => format!("q={amount}"),
        None => format!("q={}", row.granted),
    }
}
