//! From the API's request bodies to the token form's input: scope names and module
//! keys looked up among the caller's choices, unknown ones reported per field.

use super::token_json::{DurationName, Grant, NewToken, TokenChanges};
use crate::db::tokens::TokenDetails;
use crate::domain::ids::Guid;
use crate::domain::tokens::TokenInput;
use crate::domain::validation::FieldErrors;
use crate::services::tokens::Choices;

/// The IDs of the scopes and modules a request names, or which are unknown.
fn scope_ids(choices: &Choices, names: &[String], errors: &mut FieldErrors) -> Vec<String> {
    names
        .iter()
        .filter_map(|name| {
            let found = choices.scope_named(name);
            if found.is_none() {
                errors.add(
                    "scopes",
                    format!("There is no scope named \u{201c}{name}\u{201d} of yours."),
                );
            }
            found.map(|id| id.to_string())
        })
        .collect()
}

fn grants(choices: &Choices, grants: &[Grant], errors: &mut FieldErrors) -> Vec<String> {
    grants
        .iter()
        .filter_map(|grant| {
            let found = choices.module_keyed(&grant.module);
            if found.is_none() {
                errors.add(
                    "permissions",
                    format!(
                        "There is no module with the key \u{201c}{}\u{201d}.",
                        grant.module
                    ),
                );
            }
            found.map(|id| format!("{id}:{}", grant.action.key()))
        })
        .collect()
}

impl NewToken {
    /// The form input this request stands for, or which names are unknown.
    pub fn input(&self, choices: &Choices) -> Result<TokenInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let input = TokenInput {
            name: self.name.clone(),
            description: self.description.clone(),
            guid: self
                .guid
                .clone()
                .unwrap_or_else(|| Guid::generate().to_string()),
            scopes: scope_ids(choices, &self.scopes, &mut errors),
            duration: self.duration.key().into(),
            valid_from: self.valid_from.clone().unwrap_or_default(),
            valid_to: self.valid_to.clone().unwrap_or_default(),
            token_type: self.token_type.key().into(),
            permissions: grants(choices, &self.permissions, &mut errors),
            allowed_networks: self.allowed_networks.join("\n"),
            can_introspect: self.can_introspect,
            identity: self.identity.clone().unwrap_or_default(),
        };
        errors.into_result(input)
    }
}

impl TokenChanges {
    /// The token's current settings with these changes, as form input.
    pub fn apply(
        &self,
        current: &TokenDetails,
        choices: &Choices,
    ) -> Result<TokenInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let t = &current.token;
        let scopes = match &self.scopes {
            Some(wanted) => scope_ids(choices, wanted, &mut errors),
            None => current
                .scopes
                .iter()
                .map(|(id, _)| id.to_string())
                .collect(),
        };
        let permissions = match &self.permissions {
            Some(wanted) => grants(choices, wanted, &mut errors),
            None => current
                .permissions
                .iter()
                .map(|(id, action)| format!("{id}:{}", action.key()))
                .collect(),
        };
        let token_type = self.token_type.unwrap_or(t.token_type);
        let input = TokenInput {
            name: self.name.clone().unwrap_or_else(|| t.name.clone()),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| t.description.clone()),
            guid: t.guid.to_string(),
            scopes,
            duration: self.duration.map_or("keep", DurationName::key).into(),
            valid_from: self.valid_from.clone().unwrap_or_default(),
            valid_to: self.valid_to.clone().unwrap_or_default(),
            token_type: token_type.key().into(),
            permissions,
            allowed_networks: self
                .allowed_networks
                .as_ref()
                .map_or_else(|| current.allowed_networks.join("\n"), |n| n.join("\n")),
            can_introspect: self.can_introspect.unwrap_or(t.can_introspect()),
            identity: self.identity.clone().unwrap_or_else(|| {
                current
                    .identity
                    .as_ref()
                    .map(|i| i.external_id.clone())
                    .unwrap_or_default()
            }),
        };
        errors.into_result(input)
    }
}
