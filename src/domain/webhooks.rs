//! Webhooks: what happens to tokens, told to the systems around Tessera (a secrets
//! manager, a chat channel, a SIEM), signed per the Standard Webhooks specification.

pub mod destination;
pub mod schedule;
pub mod signature;

use super::audit::AuditAction;
use super::validation::{FieldErrors, optional_text};

/// What an endpoint may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    TokenCreated,
    TokenUpdated,
    TokenRegenerated,
    TokenEnabled,
    TokenDisabled,
    TokenRevoked,
    TokenDeleted,
    TokenExpiring,
    TokenExpired,
    /// A token's (or its identity's) credits are 80 % or wholly used.
    UsageThreshold,
    /// Sent by "Send test event" only, whatever the endpoint subscribes to.
    WebhookTest,
}

impl EventType {
    pub const ALL: [EventType; 11] = [
        EventType::TokenCreated,
        EventType::TokenUpdated,
        EventType::TokenRegenerated,
        EventType::TokenEnabled,
        EventType::TokenDisabled,
        EventType::TokenRevoked,
        EventType::TokenDeleted,
        EventType::TokenExpiring,
        EventType::TokenExpired,
        EventType::UsageThreshold,
        EventType::WebhookTest,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EventType::TokenCreated => "token.created",
            EventType::TokenUpdated => "token.updated",
            EventType::TokenRegenerated => "token.regenerated",
            EventType::TokenEnabled => "token.enabled",
            EventType::TokenDisabled => "token.disabled",
            EventType::TokenRevoked => "token.revoked",
            EventType::TokenDeleted => "token.deleted",
            EventType::TokenExpiring => "token.expiring",
            EventType::TokenExpired => "token.expired",
            EventType::UsageThreshold => "token.usage_threshold",
            EventType::WebhookTest => "webhook.test",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            EventType::TokenCreated => "Token created",
            EventType::TokenUpdated => "Token edited",
            EventType::TokenRegenerated => "Token regenerated",
            EventType::TokenEnabled => "Token enabled",
            EventType::TokenDisabled => "Token disabled",
            EventType::TokenRevoked => "Token revoked",
            EventType::TokenDeleted => "Token deleted",
            EventType::TokenExpiring => "Token expiring soon",
            EventType::TokenExpired => "Token expired",
            EventType::UsageThreshold => "Credits 80 % or wholly used",
            EventType::WebhookTest => "Test event",
        }
    }

    /// The event a recorded token change is told as, if any (showing a token's
    /// value is not told).
    pub fn of_change(action: AuditAction) -> Option<Self> {
        Some(match action {
            AuditAction::TokenCreated => EventType::TokenCreated,
            AuditAction::TokenUpdated => EventType::TokenUpdated,
            AuditAction::TokenRegenerated => EventType::TokenRegenerated,
            AuditAction::TokenEnabled => EventType::TokenEnabled,
            AuditAction::TokenDisabled => EventType::TokenDisabled,
            AuditAction::TokenRevoked => EventType::TokenRevoked,
            AuditAction::TokenDeleted => EventType::TokenDeleted,
            _ => return None,
        })
    }

    /// The events an endpoint chooses from (the test event goes to every endpoint).
    pub fn subscribable() -> impl Iterator<Item = EventType> {
        Self::ALL
            .into_iter()
            .filter(|e| *e != EventType::WebhookTest)
    }
}

/// The events of an endpoint, as stored: their keys, space-separated.
pub fn events_text(events: &[EventType]) -> String {
    events.iter().map(|e| e.key()).collect::<Vec<_>>().join(" ")
}

pub fn parse_events(text: &str) -> Vec<EventType> {
    text.split_whitespace()
        .filter_map(EventType::from_key)
        .collect()
}

pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// An endpoint as an administrator describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointInput {
    pub url: String,
    pub description: String,
    /// Event keys.
    pub events: Vec<String>,
    /// `"all"`: tokens of every scope; `"listed"`: those of `scopes`. Left out
    /// (a form of an older version), it follows what was ticked: none, every scope.
    pub scope_limit: String,
    /// Scope IDs.
    pub scopes: Vec<String>,
}

impl EndpointInput {
    /// Whether it asks for tokens of every scope rather than the listed ones.
    pub fn every_scope(&self) -> bool {
        match self.scope_limit.trim() {
            "" => self.scopes.is_empty(),
            limit => limit == "all",
        }
    }
}

/// Which tokens an endpoint hears about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointScopes {
    /// Tokens of every scope, as scopes come and go.
    Every,
    /// Tokens in one of these scopes. Should they all be deleted, no token is.
    Listed(Vec<i64>),
}

impl EndpointScopes {
    /// The scopes stored for the endpoint: none when it hears about every scope.
    pub fn listed(&self) -> &[i64] {
        match self {
            EndpointScopes::Every => &[],
            EndpointScopes::Listed(ids) => ids,
        }
    }
}

/// An endpoint that may be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointDefinition {
    pub url: String,
    pub description: String,
    pub events: Vec<EventType>,
    pub scopes: EndpointScopes,
}

/// Checks what an administrator typed: a URL Tessera may send to (see
/// [`destination::check_url`]), at least one event, scopes among `known_scopes`.
pub fn validate(
    input: &EndpointInput,
    policy: destination::Policy,
    known_scopes: &[i64],
) -> Result<EndpointDefinition, FieldErrors> {
    let mut errors = FieldErrors::default();
    let url = match destination::check_url(input.url.trim(), policy) {
        Ok(url) => url,
        Err(problem) => {
            errors.add("url", problem.to_string());
            String::new()
        }
    };
    let description = optional_text(
        &mut errors,
        "description",
        "Description",
        &input.description,
        MAX_DESCRIPTION_CHARS,
    );
    let mut events = Vec::new();
    for key in &input.events {
        match EventType::from_key(key).filter(|e| *e != EventType::WebhookTest) {
            Some(event) if !events.contains(&event) => events.push(event),
            Some(_) => {}
            None => errors.add("events", format!("There is no event {key:?}.")),
        }
    }
    if events.is_empty() && errors.get("events").is_none() {
        errors.add("events", "Choose at least one event.");
    }
    let scopes = if input.every_scope() {
        EndpointScopes::Every
    } else {
        let mut ids = Vec::new();
        for id in &input.scopes {
            match id
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| known_scopes.contains(id))
            {
                Some(id) if !ids.contains(&id) => ids.push(id),
                Some(_) => {}
                None => errors.add("scopes", "Choose scopes from the list."),
            }
        }
        if ids.is_empty() && errors.get("scopes").is_none() {
            errors.add("scopes", "Choose at least one scope, or every scope.");
        }
        EndpointScopes::Listed(ids)
    };
    if errors.is_empty() {
        Ok(EndpointDefinition {
            url,
            description,
            events,
            scopes,
        })
    } else {
        Err(errors)
    }
}
