//! Settings > Webhooks: endpoints added, changed, paused, deleted and given a new
//! secret by administrators allowed `settings.manage`; a test event and
//! redeliveries on demand. Sending is [`delivery`]'s.

pub mod delivery;
mod stop_notice;

use time::PrimitiveDateTime;

use crate::db::audit::{self, Actor, Target};
use crate::db::outbox::{self, DeliveryLogRow};
use crate::db::webhooks::{self, EndpointRow, EndpointWithScopes};
use crate::db::{DbConnection, DbError, catalog, now};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::permissions::Permission;
use crate::domain::timestamps::iso;
use crate::domain::validation::FieldErrors;
use crate::domain::webhooks::destination::{Policy, redacted};
use crate::domain::webhooks::schedule::ROTATION_OVERLAP;
use crate::domain::webhooks::signature::WebhookSecret;
use crate::domain::webhooks::{EndpointInput, EventType, events_text, validate};
use crate::services::{Caller, Forbidden, Services};

/// Deliveries an endpoint's page shows.
const LOG_LENGTH: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("This webhook does not exist.")]
    NotFound,
    #[error(
        "Webhooks sign what they send with a secret Tessera must keep, and it keeps secrets only encrypted: set TESSERA_ENCRYPTION_KEY (make one with `tessera keys generate`) to use them."
    )]
    NoEncryptionKey,
    #[error("Someone changed this webhook meanwhile; its current settings are shown.")]
    Conflict,
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for WebhookError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

/// A new endpoint and its secret, shown this once.
pub struct Created {
    pub endpoint: EndpointRow,
    pub secret: WebhookSecret,
}

/// Records `action` on the endpoint `public_id` at `url`, the URL redacted: the
/// audit log never holds a credential a URL carries.
fn record(
    c: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    public_id: &str,
    url: &str,
    details: &str,
) -> diesel::QueryResult<()> {
    let label = redacted(url);
    let target = Target::of(TargetKind::Webhook, Some(public_id), &label);
    audit::record(c, actor, action, &target, details)
}

fn summary(url: &str, events: &str) -> String {
    serde_json::json!({ "url": redacted(url), "events": events }).to_string()
}

/// The endpoints, each with its newest delivery.
pub async fn list(
    services: Services<'_>,
    caller: &Caller,
) -> Result<Vec<(EndpointWithScopes, Option<DeliveryLogRow>)>, WebhookError> {
    caller.require(Permission::SettingsManage)?;
    Ok(services
        .db
        .run(|c| {
            let mut listed = Vec::new();
            for endpoint in webhooks::list(c)? {
                let last = outbox::log(c, endpoint.endpoint.id, 1)?.pop();
                listed.push((endpoint, last));
            }
            Ok::<_, DbError>(listed)
        })
        .await?)
}

/// The endpoint, with its scopes.
pub async fn endpoint(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
) -> Result<EndpointWithScopes, WebhookError> {
    caller.require(Permission::SettingsManage)?;
    let public_id = public_id.to_owned();
    services
        .db
        .run(move |c| webhooks::find_with_scopes(c, &public_id)?.ok_or(WebhookError::NotFound))
        .await
}

/// The endpoint and its newest deliveries.
pub async fn find(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
) -> Result<(EndpointWithScopes, Vec<DeliveryLogRow>), WebhookError> {
    caller.require(Permission::SettingsManage)?;
    let public_id = public_id.to_owned();
    services
        .db
        .run(move |c| {
            let endpoint =
                webhooks::find_with_scopes(c, &public_id)?.ok_or(WebhookError::NotFound)?;
            let log = outbox::log(c, endpoint.endpoint.id, LOG_LENGTH)?;
            Ok((endpoint, log))
        })
        .await
}

/// Runs `change` on the endpoint `public_id` in one transaction, for a caller
/// allowed `settings.manage`.
async fn on_endpoint<T: Send + 'static>(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    change: impl FnOnce(&mut DbConnection, &Actor, EndpointRow) -> Result<T, WebhookError>
    + Send
    + 'static,
) -> Result<T, WebhookError> {
    caller.require(Permission::SettingsManage)?;
    let (actor, public_id) = (caller.actor.clone(), public_id.to_owned());
    services
        .db
        .write(move |c| {
            let endpoint = webhooks::find(c, &public_id)?.ok_or(WebhookError::NotFound)?;
            change(c, &actor, endpoint)
        })
        .await
}

/// Those of the submitted scopes that exist, for [`validate`] to check against.
fn known_scopes(c: &mut DbConnection, input: &EndpointInput) -> Result<Vec<i64>, DbError> {
    let asked: Vec<i64> = input
        .scopes
        .iter()
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    Ok(catalog::existing_scope_ids(c, &asked)?)
}

pub async fn create(
    services: Services<'_>,
    caller: &Caller,
    input: EndpointInput,
    policy: Policy,
) -> Result<Created, WebhookError> {
    caller.require(Permission::SettingsManage)?;
    let key = services
        .webhook_key
        .cloned()
        .ok_or(WebhookError::NoEncryptionKey)?;
    let actor = caller.actor.clone();
    services
        .db
        .write(move |c| {
            let definition = validate(&input, policy, &known_scopes(c, &input)?)
                .map_err(WebhookError::Invalid)?;
            let public_id = uuid::Uuid::new_v4().to_string();
            let secret = WebhookSecret::generate();
            let endpoint = webhooks::create(
                c,
                &public_id,
                &definition,
                &key.seal(&secret, &public_id),
                now(),
            )?;
            record(
                c,
                &actor,
                AuditAction::WebhookCreated,
                &endpoint.public_id,
                &endpoint.url,
                &summary(&endpoint.url, &endpoint.events),
            )?;
            Ok(Created { endpoint, secret })
        })
        .await
}

/// Saves new settings on the version the page showed.
pub async fn update(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    version: i32,
    input: EndpointInput,
    policy: Policy,
) -> Result<(), WebhookError> {
    on_endpoint(services, caller, public_id, move |c, actor, endpoint| {
        let definition =
            validate(&input, policy, &known_scopes(c, &input)?).map_err(WebhookError::Invalid)?;
        if !webhooks::update(c, endpoint.id, version, &definition, now())? {
            return Err(WebhookError::Conflict);
        }
        let events = events_text(&definition.events);
        let details = summary(&definition.url, &events);
        let (id, url) = (&endpoint.public_id, &definition.url);
        record(c, actor, AuditAction::WebhookUpdated, id, url, &details)?;
        Ok(())
    })
    .await
}

/// Pauses or resumes deliveries; resuming forgets the failures that stopped it.
pub async fn set_enabled(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    enabled: bool,
) -> Result<(), WebhookError> {
    on_endpoint(services, caller, public_id, move |c, actor, endpoint| {
        webhooks::set_enabled(c, endpoint.id, enabled, None, now())?;
        let action = if enabled {
            AuditAction::WebhookEnabled
        } else {
            AuditAction::WebhookDisabled
        };
        record(c, actor, action, &endpoint.public_id, &endpoint.url, "")?;
        Ok(())
    })
    .await
}

pub async fn delete(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
) -> Result<(), WebhookError> {
    on_endpoint(services, caller, public_id, |c, actor, endpoint| {
        webhooks::delete(c, endpoint.id)?;
        record(
            c,
            actor,
            AuditAction::WebhookDeleted,
            &endpoint.public_id,
            &endpoint.url,
            "",
        )?;
        Ok(())
    })
    .await
}

/// A new secret, shown once; the previous one keeps signing for 24 hours so that
/// receivers can switch without losing a message.
/// A new signing secret, shown once, and until when the previous one signs too.
pub struct Rotated {
    pub secret: WebhookSecret,
    pub url: String,
    pub previous_until: PrimitiveDateTime,
}

pub async fn rotate_secret(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
) -> Result<Rotated, WebhookError> {
    let key = services
        .webhook_key
        .cloned()
        .ok_or(WebhookError::NoEncryptionKey)?;
    on_endpoint(services, caller, public_id, move |c, actor, endpoint| {
        let secret = WebhookSecret::generate();
        let until = now() + ROTATION_OVERLAP;
        let sealed = key.seal(&secret, &endpoint.public_id);
        webhooks::rotate_secret(
            c,
            endpoint.id,
            &sealed,
            &endpoint.secret_sealed,
            until,
            now(),
        )?;
        let details = serde_json::json!({ "previous_secret_until": iso(&until) }).to_string();
        record(
            c,
            actor,
            AuditAction::WebhookSecretRotated,
            &endpoint.public_id,
            &endpoint.url,
            &details,
        )?;
        Ok(Rotated {
            secret,
            url: endpoint.url,
            previous_until: until,
        })
    })
    .await
}

/// Queues a `webhook.test` event for this endpoint alone.
pub async fn send_test(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
) -> Result<(), WebhookError> {
    on_endpoint(services, caller, public_id, |c, actor, endpoint| {
        let now = now();
        let payload = serde_json::json!({
            "type": EventType::WebhookTest.key(),
            "timestamp": iso(&now),
            "data": { "webhook": endpoint.public_id, "sent_by": actor.label },
        });
        let event = outbox::record(c, EventType::WebhookTest, &payload, &[], now)?;
        outbox::mark_dispatched(c, event, now)?;
        outbox::insert_delivery(c, endpoint.id, event, now)?;
        Ok(())
    })
    .await
}

/// Sends an event of the endpoint's log again, as a new delivery with retries of
/// its own.
pub async fn redeliver(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    delivery_id: i64,
) -> Result<(), WebhookError> {
    on_endpoint(services, caller, public_id, move |c, _, endpoint| {
        let event = outbox::event_of(c, endpoint.id, delivery_id)?.ok_or(WebhookError::NotFound)?;
        outbox::insert_delivery(c, endpoint.id, event, now())?;
        Ok(())
    })
    .await
}
