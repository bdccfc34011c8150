//! Editing a token's settings: name, description, scopes, validity, type,
//! permissions, networks. The secret stays.

use serde_json::{Map, Value, json};
use time::PrimitiveDateTime;

use super::policy::{Policies, shape_of};
use super::{Choices, TokenError, audit_action, changeable, record_change, with_owner};
use crate::db::identities::{self, IdentityRow};
use crate::db::now;
use crate::db::tokens::{self, TokenDetails};
use crate::domain::ids::Guid;
use crate::domain::timestamps::iso;
use crate::domain::tokens::{Action, TokenChange, TokenDefinition, TokenInput, validate};
use crate::services::{Caller, Services};

/// What an edit did.
#[derive(Debug)]
pub enum Edited {
    /// Saved, as the token's next version.
    Saved(TokenDefinition),
    /// The token was like this already: nothing written, the version kept, no audit
    /// event and no webhook event.
    Unchanged(TokenDefinition),
}

/// Saves `input` over the token as it was at `version`; returns what was saved.
pub async fn update(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    version: i32,
    mut input: TokenInput,
) -> Result<Edited, TokenError> {
    let change = TokenChange::Edit;
    caller.require(change.permission())?;
    let (caller, guid) = (caller.clone(), guid.to_owned());
    let saved = services
        .db
        .write(move |c| {
            let before = changeable(c, &caller, &guid)?;
            let choices = Choices::read(c, &caller.scopes)?;
            input.guid = before.token.guid.to_string();
            let context = choices.context(Some(before.token.validity()));
            let checked = validate(&input, &context);
            let (definition, identity) = with_owner(c, &caller, &input, checked)?;
            let rules =
                Policies::read(c)?.check(&definition.scope_ids, &shape_of(&definition), now())?;
            let mut changes = describe_changes(&before, &definition);
            let external_id = |i: Option<&IdentityRow>| i.map(|i| i.external_id.clone());
            let (was, now_owned) = (
                external_id(before.identity.as_ref()),
                external_id(identity.as_ref()),
            );
            if was != now_owned {
                changes.insert("identity".into(), json!([was, now_owned]));
            }
            if changes.is_empty() {
                // Judged as a change would be, but nothing is written.
                if before.token.version != version {
                    return Err(TokenError::Conflict);
                }
                change
                    .allowed_from(before.token.status(now()))
                    .map_err(TokenError::Refused)?;
                return Ok(Edited::Unchanged(definition));
            }
            let token = tokens::claim_version(c, before.token.id, version)?;
            change
                .allowed_from(token.status(now()))
                .map_err(TokenError::Refused)?;
            // Every scope of the token is the caller's (`changeable`), so the
            // scopes chosen are the whole new set.
            tokens::update(c, token.id, &definition)?;
            identities::link_token(c, token.id, identity.map(|i| i.id))?;
            if before.has_sealed_secret && !rules.keeps_value() {
                // Now in a scope that shows values once.
                tokens::forget_sealed_secret(c, token.id)?;
            }
            record_change(
                c,
                &caller.actor,
                audit_action(change),
                (&token.guid, &definition.name),
                &Value::Object(changes).to_string(),
            )?;
            Ok::<_, TokenError>(Edited::Saved(definition))
        })
        .await?;
    if let Edited::Saved(definition) = &saved {
        services.token_changed(&definition.guid);
    }
    Ok(saved)
}

/// Each field the edit changes, before and after (the audit entry); none when the
/// edit changes nothing.
fn describe_changes(before: &TokenDetails, after: &TokenDefinition) -> Map<String, Value> {
    let t = &before.token;
    let mut changes = Map::new();
    let mut note = |field: &str, old: Value, new: Value| {
        if old != new {
            changes.insert(field.to_owned(), json!([old, new]));
        }
    };
    note("name", t.name.clone().into(), after.name.clone().into());
    note(
        "description",
        t.description.clone().into(),
        after.description.clone().into(),
    );
    note(
        "type",
        t.token_type.key().into(),
        after.token_type.key().into(),
    );
    let iso = |v: &PrimitiveDateTime| iso(v);
    note(
        "valid_from",
        iso(&t.valid_from).into(),
        iso(&after.validity.valid_from).into(),
    );
    note(
        "valid_to",
        t.valid_to.as_ref().map(iso).into(),
        after.validity.valid_to.as_ref().map(iso).into(),
    );
    let mut old_scopes: Vec<i64> = before.scopes.iter().map(|(id, _)| *id).collect();
    old_scopes.sort_unstable();
    note(
        "scope_ids",
        old_scopes.into(),
        after.scope_ids.clone().into(),
    );
    let grants = |g: &[(i64, Action)]| {
        let mut list: Vec<String> = g.iter().map(|(m, a)| format!("{m}:{}", a.key())).collect();
        list.sort();
        Value::from(list)
    };
    note(
        "permissions",
        grants(&before.permissions),
        grants(&after.permissions),
    );
    let sorted = |mut list: Vec<String>| {
        list.sort();
        Value::from(list)
    };
    note(
        "allowed_networks",
        sorted(before.allowed_networks.clone()),
        sorted(
            after
                .allowed_networks
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
    );
    note(
        "can_introspect",
        t.can_introspect().into(),
        after.can_introspect.into(),
    );
    changes
}
