//! Webhook endpoints. The signing secret is stored sealed; only the delivery
//! worker and a rotation open it.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::{scopes, webhook_endpoint_scopes, webhook_endpoints};
use crate::domain::webhooks::{
    EndpointDefinition, EndpointScopes, EventType, events_text, parse_events,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: i64,
    pub public_id: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub enabled: bool,
    pub secret_sealed: String,
    pub previous_secret_sealed: Option<String>,
    pub previous_secret_until: Option<PrimitiveDateTime>,
    pub failing_since: Option<PrimitiveDateTime>,
    pub disabled_reason: Option<String>,
    pub version: i32,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    /// Tokens of every scope; otherwise only those of its scopes.
    pub every_scope: bool,
}

impl EndpointRow {
    pub fn events(&self) -> Vec<EventType> {
        parse_events(&self.events)
    }
}

/// An endpoint with the names of the scopes it is limited to.
pub struct EndpointWithScopes {
    pub endpoint: EndpointRow,
    pub scopes: Vec<(i64, String)>,
}

impl EndpointWithScopes {
    /// Whether it subscribes to `event` about a token of `token_scopes`: any
    /// token when it is for every scope, else one in a scope it is limited to (an
    /// endpoint whose scopes were all deleted hears nothing).
    pub fn hears(&self, event: EventType, token_scopes: &[i64]) -> bool {
        self.endpoint.events().contains(&event)
            && (self.endpoint.every_scope
                || self.scopes.iter().any(|(id, _)| token_scopes.contains(id)))
    }
}

pub fn create(
    c: &mut DbConnection,
    public_id: &str,
    definition: &EndpointDefinition,
    secret_sealed: &str,
    now: PrimitiveDateTime,
) -> QueryResult<EndpointRow> {
    let id: i64 = diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::public_id.eq(public_id),
            webhook_endpoints::url.eq(&definition.url),
            webhook_endpoints::description.eq(&definition.description),
            webhook_endpoints::events.eq(events_text(&definition.events)),
            webhook_endpoints::enabled.eq(true),
            webhook_endpoints::every_scope.eq(definition.scopes == EndpointScopes::Every),
            webhook_endpoints::secret_sealed.eq(secret_sealed),
            webhook_endpoints::version.eq(1),
            webhook_endpoints::created_at.eq(now),
            webhook_endpoints::updated_at.eq(now),
        ))
        .returning(webhook_endpoints::id)
        .get_result(c)?;
    set_scopes(c, id, definition.scopes.listed())?;
    find_by_id(c, id)
}

/// Saves the endpoint's new description if `version` is still the current one;
/// `false` when it changed meanwhile.
pub fn update(
    c: &mut DbConnection,
    id: i64,
    version: i32,
    definition: &EndpointDefinition,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::version.eq(version)),
    )
    .set((
        webhook_endpoints::url.eq(&definition.url),
        webhook_endpoints::description.eq(&definition.description),
        webhook_endpoints::events.eq(events_text(&definition.events)),
        webhook_endpoints::every_scope.eq(definition.scopes == EndpointScopes::Every),
        webhook_endpoints::version.eq(version + 1),
        webhook_endpoints::updated_at.eq(now),
    ))
    .execute(c)?;
    if changed == 1 {
        set_scopes(c, id, definition.scopes.listed())?;
    }
    Ok(changed == 1)
}

fn set_scopes(c: &mut DbConnection, id: i64, scope_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(
        webhook_endpoint_scopes::table.filter(webhook_endpoint_scopes::endpoint_id.eq(id)),
    )
    .execute(c)?;
    // One statement per row: batch inserts are not available on both backends at once.
    for scope in scope_ids {
        diesel::insert_into(webhook_endpoint_scopes::table)
            .values((
                webhook_endpoint_scopes::endpoint_id.eq(id),
                webhook_endpoint_scopes::scope_id.eq(scope),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Starts or stops deliveries; `reason` says why Tessera stopped them itself.
pub fn set_enabled(
    c: &mut DbConnection,
    id: i64,
    enabled: bool,
    reason: Option<&str>,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::update(webhook_endpoints::table.filter(webhook_endpoints::id.eq(id)))
        .set((
            webhook_endpoints::enabled.eq(enabled),
            webhook_endpoints::disabled_reason.eq(reason),
            webhook_endpoints::failing_since.eq(None::<PrimitiveDateTime>),
            webhook_endpoints::version.eq(webhook_endpoints::version + 1),
            webhook_endpoints::updated_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// A new secret signs from now on; the previous one also signs until `overlap_until`.
pub fn rotate_secret(
    c: &mut DbConnection,
    id: i64,
    new_sealed: &str,
    previous_sealed: &str,
    overlap_until: PrimitiveDateTime,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::update(webhook_endpoints::table.filter(webhook_endpoints::id.eq(id)))
        .set((
            webhook_endpoints::secret_sealed.eq(new_sealed),
            webhook_endpoints::previous_secret_sealed.eq(previous_sealed),
            webhook_endpoints::previous_secret_until.eq(overlap_until),
            webhook_endpoints::version.eq(webhook_endpoints::version + 1),
            webhook_endpoints::updated_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// The same secrets sealed under a new encryption key.
pub fn replace_sealed_secrets(
    c: &mut DbConnection,
    id: i64,
    current: &str,
    previous: Option<&str>,
) -> QueryResult<()> {
    diesel::update(webhook_endpoints::table.filter(webhook_endpoints::id.eq(id)))
        .set((
            webhook_endpoints::secret_sealed.eq(current),
            webhook_endpoints::previous_secret_sealed.eq(previous),
        ))
        .execute(c)?;
    Ok(())
}

pub fn delete(c: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(webhook_endpoints::table.filter(webhook_endpoints::id.eq(id))).execute(c)?;
    Ok(())
}

pub fn find(c: &mut DbConnection, public_id: &str) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::public_id.eq(public_id))
        .select(EndpointRow::as_select())
        .first(c)
        .optional()
}

fn find_by_id(c: &mut DbConnection, id: i64) -> QueryResult<EndpointRow> {
    webhook_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .first(c)
}

/// Every endpoint, oldest first, with its scopes.
pub fn list(c: &mut DbConnection) -> QueryResult<Vec<EndpointWithScopes>> {
    let endpoints: Vec<EndpointRow> = webhook_endpoints::table
        .order(webhook_endpoints::id)
        .select(EndpointRow::as_select())
        .load(c)?;
    with_scopes(c, endpoints)
}

/// The endpoint `public_id` with its scopes.
pub fn find_with_scopes(
    c: &mut DbConnection,
    public_id: &str,
) -> QueryResult<Option<EndpointWithScopes>> {
    let found: Vec<EndpointRow> = find(c, public_id)?.into_iter().collect();
    Ok(with_scopes(c, found)?.pop())
}

fn with_scopes(
    c: &mut DbConnection,
    endpoints: Vec<EndpointRow>,
) -> QueryResult<Vec<EndpointWithScopes>> {
    let ids: Vec<i64> = endpoints.iter().map(|e| e.id).collect();
    let links: Vec<(i64, i64, String)> = webhook_endpoint_scopes::table
        .inner_join(scopes::table)
        .filter(webhook_endpoint_scopes::endpoint_id.eq_any(&ids))
        .order(scopes::name)
        .select((
            webhook_endpoint_scopes::endpoint_id,
            scopes::id,
            scopes::name,
        ))
        .load(c)?;
    Ok(endpoints
        .into_iter()
        .map(|endpoint| EndpointWithScopes {
            scopes: links
                .iter()
                .filter(|(id, _, _)| *id == endpoint.id)
                .map(|(_, scope, name)| (*scope, name.clone()))
                .collect(),
            endpoint,
        })
        .collect())
}
