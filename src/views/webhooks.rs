//! Settings > Webhooks: the endpoints, one endpoint with its settings and delivery
//! log, and the page that shows a signing secret once.

use askama::Template;
use askama_web::WebTemplate;
use time::PrimitiveDateTime;

use super::Layout;
use super::format::Moment;
use crate::db::catalog::Scope;
use crate::db::outbox::{self, DeliveryLogRow};
use crate::db::webhooks::EndpointWithScopes;
use crate::domain::validation::FieldErrors;
use crate::domain::webhooks::destination::redacted;
use crate::domain::webhooks::signature::request_headers;
use crate::domain::webhooks::{EndpointInput, EventType};

#[derive(Template, WebTemplate)]
#[template(path = "webhooks/list.html")]
pub struct WebhooksPage {
    pub layout: Layout,
    /// Each endpoint with its newest delivery.
    pub endpoints: Vec<(EndpointView, Option<DeliveryView>)>,
    /// Without the operator's encryption key no secret can be kept.
    pub can_sign: bool,
}

/// An endpoint as lists and its page show it.
pub struct EndpointView {
    pub public_id: String,
    /// Without the credentials it may carry (only the edit field holds it whole).
    pub url: String,
    pub description: String,
    pub events: String,
    pub scopes: String,
    pub status: &'static str,
    pub badge: &'static str,
    /// Why Tessera stopped it, when it did.
    pub stopped_because: Option<String>,
    pub enabled: bool,
    pub version: i32,
}

impl EndpointView {
    pub fn of(item: &EndpointWithScopes) -> Self {
        let endpoint = &item.endpoint;
        let events: Vec<&str> = endpoint.events().iter().map(|e| e.key()).collect();
        let (status, badge) = match (endpoint.enabled, &endpoint.disabled_reason) {
            (true, _) if endpoint.failing_since.is_some() => ("Failing", "badge-expired"),
            (true, _) => ("Enabled", "badge-active"),
            (false, Some(_)) => ("Stopped", "badge-revoked"),
            (false, None) => ("Paused", "badge-disabled"),
        };
        Self {
            public_id: endpoint.public_id.clone(),
            url: redacted(&endpoint.url),
            description: endpoint.description.clone(),
            events: events.join(", "),
            scopes: if endpoint.every_scope {
                "Every scope".into()
            } else if item.scopes.is_empty() {
                "None: its scopes were deleted".into()
            } else {
                item.scopes
                    .iter()
                    .map(|(_, name)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            status,
            badge,
            stopped_because: endpoint.disabled_reason.clone(),
            enabled: endpoint.enabled,
            version: endpoint.version,
        }
    }
}

/// The fields of an endpoint, to add one or change one.
pub struct EndpointForm {
    pub action: String,
    pub form: EndpointInput,
    pub errors: FieldErrors,
    /// The version the page showed, when changing one.
    pub version: Option<i32>,
    pub events: Vec<EventType>,
    pub scopes: Vec<Scope>,
    /// Whether http:// and internal addresses are allowed, for the hint.
    pub allow_http: bool,
}

impl EndpointForm {
    pub fn has_event(&self, event: &EventType) -> bool {
        self.form.events.iter().any(|e| e == event.key())
    }

    pub fn has_scope(&self, id: &i64) -> bool {
        self.form.scopes.iter().any(|s| s.trim() == id.to_string())
    }

    pub fn url_hint(&self) -> &'static str {
        if self.allow_http {
            "Where Tessera posts events. This installation also allows http:// and internal addresses."
        } else {
            "An https:// URL on the internet, such as https://hooks.example.com/tessera. Internal addresses are refused."
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "webhooks/new.html")]
pub struct NewWebhookPage {
    pub layout: Layout,
    pub fields: EndpointForm,
    pub can_sign: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "webhooks/show.html")]
pub struct WebhookPage {
    pub layout: Layout,
    pub endpoint: EndpointView,
    pub fields: EndpointForm,
    pub deliveries: Vec<DeliveryView>,
}

/// One line of the delivery log.
pub struct DeliveryView {
    pub id: i64,
    pub event: String,
    pub message_id: String,
    pub state: &'static str,
    pub badge: &'static str,
    pub attempts: i32,
    /// The status and how long it took, such as "204 in 13 ms" or "No answer (10000 ms)".
    pub answer: String,
    pub last_attempt: Moment,
    pub next_attempt: Moment,
    pub error: String,
    /// The token the event is about, when it is about one.
    pub token: String,
    /// What was sent: the payload, indented, and the headers of the last attempt.
    pub payload: String,
    pub headers: Vec<(&'static str, String)>,
    /// The start of the receiver's last answer's body.
    pub answer_body: String,
}

impl DeliveryView {
    pub fn of(row: &DeliveryLogRow, now: &PrimitiveDateTime) -> Self {
        let payload: serde_json::Value =
            serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null);
        let (state, badge) = match row.state.as_str() {
            outbox::DELIVERED => ("Delivered", "badge-active"),
            outbox::FAILED => ("Failed", "badge-revoked"),
            _ if row.attempts == 0 => ("Queued", "badge-scheduled"),
            _ => ("Retrying", "badge-expired"),
        };
        Self {
            id: row.id,
            event: row.event_type.clone(),
            message_id: row.message_id.clone(),
            state,
            badge,
            attempts: row.attempts,
            answer: match (row.last_status, row.last_duration_ms) {
                (Some(status), Some(ms)) => format!("{status} in {ms} ms"),
                (None, Some(ms)) => format!("No answer ({ms} ms)"),
                _ => "—".into(),
            },
            last_attempt: Moment::or(&row.last_attempt_at, now, "Not yet"),
            next_attempt: Moment::or(
                &row.next_attempt_at.filter(|_| row.state == outbox::PENDING),
                now,
                "—",
            ),
            error: row.last_error.clone().unwrap_or_default(),
            token: payload
                .pointer("/data/token/name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            payload: serde_json::to_string_pretty(&payload).unwrap_or_else(|_| row.payload.clone()),
            headers: sent_headers(row),
            answer_body: row.last_answer.clone().unwrap_or_default(),
        }
    }
}

/// The headers of the last attempt; the signature is made anew for each one from
/// the signing secret, and not kept.
fn sent_headers(row: &DeliveryLogRow) -> Vec<(&'static str, String)> {
    let signature =
        "v1,… (HMAC-SHA256 of id, timestamp and payload, with each signing secret in use)";
    let timestamp = row
        .last_attempt_at
        .map(|at| at.assume_utc().unix_timestamp());
    let headers = request_headers(
        &row.message_id,
        timestamp.unwrap_or_default(),
        signature.into(),
    );
    // Before a first attempt there is no timestamp, nor a signature.
    let shown = if timestamp.is_some() { 5 } else { 3 };
    headers.into_iter().take(shown).collect()
}

/// A signing secret, shown once: for a new endpoint, or after a rotation.
#[derive(Template, WebTemplate)]
#[template(path = "webhooks/secret.html")]
pub struct WebhookSecretPage {
    pub layout: Layout,
    /// Redacted, as lists show it.
    pub url: String,
    pub secret: String,
    pub endpoint_href: String,
    /// After a rotation: until when the previous secret also signs.
    pub previous_until: Option<String>,
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_delivery_reads_as_its_state_and_answer() {
        let now = datetime!(2026-11-25 12:00);
        let row = |state: &str, attempts, status, ms| DeliveryLogRow {
            id: 1,
            event_type: "token.revoked".into(),
            message_id: "msg_1".into(),
            state: state.into(),
            attempts,
            next_attempt_at: Some(datetime!(2026-11-25 12:05)),
            last_attempt_at: (attempts > 0).then_some(datetime!(2026-11-25 11:59)),
            last_status: status,
            last_duration_ms: ms,
            last_error: None,
            created_at: now,
            payload: r#"{"type":"token.revoked","data":{"token":{"name":"Billing <sync>"}}}"#
                .into(),
            last_answer: Some("<h1>ok</h1>".into()),
        };
        let cases = [
            (row(outbox::PENDING, 0, None, None), "Queued", "—"),
            (
                row(outbox::PENDING, 2, None, Some(3)),
                "Retrying",
                "No answer (3 ms)",
            ),
            (
                row(outbox::DELIVERED, 1, Some(204), Some(13)),
                "Delivered",
                "204 in 13 ms",
            ),
            (
                row(outbox::FAILED, 8, Some(503), Some(40)),
                "Failed",
                "503 in 40 ms",
            ),
        ];
        for (row, state, answer) in cases {
            let view = DeliveryView::of(&row, &now);
            assert_eq!((view.state, view.answer.as_str()), (state, answer));
        }
        let retrying = DeliveryView::of(&row(outbox::PENDING, 2, None, Some(3)), &now);
        assert_eq!(retrying.token, "Billing <sync>");
        assert!(retrying.payload.contains("\n  \"data\": {"), "indented");
        let headers: Vec<&str> = retrying.headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            headers,
            [
                "content-type",
                "user-agent",
                "webhook-id",
                "webhook-timestamp",
                "webhook-signature"
            ]
        );
        assert_eq!(retrying.headers[3].1, "1795607940");
        let queued = DeliveryView::of(&row(outbox::PENDING, 0, None, None), &now);
        assert_eq!(queued.headers.len(), 3, "no attempt, no timestamp");
        assert_eq!(retrying.next_attempt.text, "in 5 min");
        let delivered = DeliveryView::of(&row(outbox::DELIVERED, 1, Some(204), Some(3)), &now);
        assert_eq!(
            delivered.next_attempt.text, "—",
            "nothing is due after delivery"
        );
    }
}
