//! Tokens as the management API reads and writes them: scopes by name, modules by
//! key, dates in RFC 3339 (UTC), never a secret except once in [`CreatedToken`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::token_list::TokenPage;
use crate::db::tokens::TokenDetails;
use crate::domain::timestamps::iso;
use crate::domain::tokens::{Action, TokenStatus, TokenType};

/// A module and an action on it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The module's key, as in `GET /api/v1/modules`.
    #[schema(example = "orders")]
    pub module: String,
    pub action: Action,
}

/// How long a token is valid, from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum DurationName {
    #[serde(rename = "7d")]
    Days7,
    #[serde(rename = "30d")]
    Days30,
    #[serde(rename = "90d")]
    Days90,
    #[serde(rename = "unlimited")]
    Unlimited,
    /// From `valid_from` (default today) to the end of `valid_to`.
    #[serde(rename = "custom")]
    Custom,
}

impl DurationName {
    /// The form's name of the choice.
    pub fn key(self) -> &'static str {
        match self {
            DurationName::Days7 => "7d",
            DurationName::Days30 => "30d",
            DurationName::Days90 => "90d",
            DurationName::Unlimited => "unlimited",
            DurationName::Custom => "custom",
        }
    }
}

/// A new token.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "billing-service",
    "description": "Reads orders for the monthly invoices",
    "scopes": ["Production"],
    "type": "custom",
    "permissions": [{ "module": "orders", "action": "read" }],
    "duration": "90d"
}))]
pub struct NewToken {
    /// Unique among the live tokens that share a scope with it.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub description: String,
    /// A UUID; generated when left out.
    #[schema(format = "uuid")]
    pub guid: Option<String>,
    /// Scope names; at least one, each one of the caller's.
    #[schema(min_items = 1)]
    pub scopes: Vec<String>,
    #[serde(rename = "type")]
    pub token_type: TokenType,
    /// The grants of a `custom` token.
    #[serde(default)]
    pub permissions: Vec<Grant>,
    pub duration: DurationName,
    /// `custom` only: the first day (YYYY-MM-DD, UTC); today when left out.
    pub valid_from: Option<String>,
    /// `custom` only: the last day (YYYY-MM-DD, UTC); no end when left out.
    pub valid_to: Option<String>,
    /// Client networks (CIDR) the token may be used from; any when empty.
    #[serde(default)]
    pub allowed_networks: Vec<String>,
    /// May call the introspection endpoint about other tokens.
    #[serde(default)]
    pub can_introspect: bool,
    /// The external ID of the identity that owns the token; none when left out.
    #[schema(example = "cus_4711")]
    pub identity: Option<String>,
}

/// Changes to a token: the fields sent replace the token's, the others stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "description": "Rotated monthly by CI", "duration": "30d" }))]
pub struct TokenChanges {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    #[schema(min_items = 1)]
    pub scopes: Option<Vec<String>>,
    #[serde(rename = "type")]
    pub token_type: Option<TokenType>,
    pub permissions: Option<Vec<Grant>>,
    /// A new validity, counted from now (or the custom dates); the dates stay when left out.
    pub duration: Option<DurationName>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub allowed_networks: Option<Vec<String>>,
    pub can_introspect: Option<bool>,
    /// The external ID of the identity that owns the token; `""` for none.
    pub identity: Option<String>,
}

/// Who made a token.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Creator {
    /// The administrator's public ID; none for the command line.
    pub id: Option<String>,
    pub name: String,
}

/// A token, as read. Its secret is never part of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Token {
    #[schema(example = "0b8f4e5c-3f4a-4b7e-9a59-2d0f1c6e8a11")]
    pub guid: String,
    pub name: String,
    pub description: String,
    pub status: TokenStatus,
    #[serde(rename = "type")]
    pub token_type: TokenType,
    pub scopes: Vec<String>,
    pub permissions: Vec<Grant>,
    /// RFC 3339, UTC.
    pub valid_from: String,
    /// RFC 3339, UTC; none for no end.
    pub valid_to: Option<String>,
    pub allowed_networks: Vec<String>,
    pub can_introspect: bool,
    /// The end of the secret, to tell tokens apart.
    #[schema(example = "tsr_…x7Qa")]
    pub secret_hint: String,
    pub created_by: Creator,
    pub created_at: String,
    pub updated_at: String,
    pub last_used_at: Option<String>,
    pub last_used_ip: Option<String>,
    /// The identity that owns the token, if any.
    pub identity: Option<IdentityRef>,
    /// Changes with every write; also the `ETag`.
    pub version: i32,
}

/// An identity as a token names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentityRef {
    pub id: String,
    pub external_id: String,
    pub name: String,
}

/// A token just made: the token and, this once, its secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: Token,
    /// The secret, shown this once; none when this answers a retried request
    /// (same `Idempotency-Key`), as the secret is not kept.
    #[schema(example = "tsr_4q7Z...")]
    pub secret: Option<String>,
}

/// A regenerated token: the token and, this once, its new secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegeneratedToken {
    #[serde(flatten)]
    pub token: Token,
    pub secret: String,
    /// Until when the previous secret keeps working, if a grace period was asked for.
    pub previous_secret_valid_until: Option<String>,
}

/// One token of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenSummary {
    pub guid: String,
    pub name: String,
    pub description: String,
    pub status: TokenStatus,
    #[serde(rename = "type")]
    pub token_type: TokenType,
    pub scopes: Vec<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub created_by: Creator,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub version: i32,
}

/// A page of tokens; the next one is at `next` (also in the `Link` header).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenSummary>,
    /// The URL of the next page, if there is one.
    pub next: Option<String>,
}

/// A token's grants by module key, then action, whatever order they are stored in.
fn grants(details: &TokenDetails, modules: &[(i64, String)]) -> Vec<Grant> {
    let mut grants: Vec<Grant> = details
        .permissions
        .iter()
        .filter_map(|(id, action)| {
            let (_, key) = modules.iter().find(|(module, _)| module == id)?;
            Some(Grant {
                module: key.clone(),
                action: *action,
            })
        })
        .collect();
    grants.sort_by(|a, b| a.module.cmp(&b.module).then(a.action.cmp(&b.action)));
    grants
}

fn creator(name: Option<&String>, public_id: Option<&String>) -> Creator {
    Creator {
        id: public_id.cloned(),
        name: match (name, public_id) {
            (Some(name), Some(id)) => crate::domain::admins::label(name, id),
            _ => "Command line".into(),
        },
    }
}

impl Token {
    /// The token, its grants named by the keys of `modules` (ID and key).
    pub fn of(details: &TokenDetails, modules: &[(i64, String)]) -> Self {
        let t = &details.token;
        Self {
            guid: t.guid.to_string(),
            name: t.name.clone(),
            description: t.description.clone(),
            status: t.status(crate::db::now()),
            token_type: t.token_type,
            scopes: details.scopes.iter().map(|(_, n)| n.clone()).collect(),
            permissions: grants(details, modules),
            valid_from: iso(&t.valid_from),
            valid_to: t.valid_to.as_ref().map(iso),
            allowed_networks: details.allowed_networks.clone(),
            can_introspect: t.can_introspect(),
            secret_hint: t.secret_hint.clone(),
            created_by: creator(
                details.created_by.as_ref().map(|(name, _)| name),
                details.created_by.as_ref().map(|(_, id)| id),
            ),
            created_at: iso(&t.created_at),
            updated_at: iso(&t.updated_at),
            last_used_at: t.last_used_at.as_ref().map(iso),
            last_used_ip: t.last_used_ip.clone(),
            identity: details.identity.as_ref().map(|i| IdentityRef {
                id: i.public_id.clone(),
                external_id: i.external_id.clone(),
                name: i.name.clone(),
            }),
            version: t.version,
        }
    }
}

impl TokenSummary {
    pub fn list(page: &TokenPage) -> Vec<Self> {
        let now = crate::db::now();
        page.tokens
            .iter()
            .map(|row| Self {
                guid: row.guid.to_string(),
                name: row.name.clone(),
                description: row.description.clone(),
                status: row.lifecycle().status(now),
                token_type: row.token_type,
                scopes: page
                    .scopes
                    .iter()
                    .filter(|(id, _, _)| *id == row.id)
                    .map(|(_, _, name)| name.clone())
                    .collect(),
                valid_from: iso(&row.valid_from),
                valid_to: row.valid_to.as_ref().map(iso),
                created_by: creator(row.creator_name.as_ref(), row.creator_public_id.as_ref()),
                created_at: iso(&row.created_at),
                last_used_at: row.last_used_at.as_ref().map(iso),
                version: row.version,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;

    use super::*;
    use crate::domain::tokens::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS};

    fn max_length(schema: RefOr<Schema>, field: &str) -> Option<usize> {
        let RefOr::T(Schema::Object(object)) = schema else {
            panic!("an object");
        };
        match object.properties.get(field) {
            Some(RefOr::T(Schema::Object(property))) => property.max_length,
            _ => panic!("{field} is not a plain property"),
        }
    }

    #[test]
    fn the_documented_lengths_are_the_rules() {
        for schema in [NewToken::schema, TokenChanges::schema] {
            assert_eq!(max_length(schema(), "name"), Some(MAX_NAME_CHARS));
            assert_eq!(
                max_length(schema(), "description"),
                Some(MAX_DESCRIPTION_CHARS)
            );
        }
    }
}
