//! What a token grants: its type, and the actions of the permission matrix.

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;

#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
// In JSON (the management API) by its key.
#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum TokenType {
    ReadOnly,
    FullAccess,
    Custom,
}

impl TokenType {
    pub const ALL: [TokenType; 3] = [
        TokenType::ReadOnly,
        TokenType::FullAccess,
        TokenType::Custom,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TokenType::ReadOnly => "read_only",
            TokenType::FullAccess => "full_access",
            TokenType::Custom => "custom",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenType::ReadOnly => "Read-only",
            TokenType::FullAccess => "Full access",
            TokenType::Custom => "Custom",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            TokenType::ReadOnly => "Read on every module, including modules added later.",
            TokenType::FullAccess => {
                "Read and write on every module, including modules added later."
            }
            TokenType::Custom => "Only the modules and actions you tick below.",
        }
    }

    /// What the type grants, where no matrix follows (a token's page, a policy).
    pub fn meaning(self) -> &'static str {
        match self {
            TokenType::Custom => "Only the modules and actions granted one by one.",
            other => other.description(),
        }
    }

    /// Whether the type grants `action` on any module, without per-module rows.
    pub fn grants_everywhere(self, action: Action) -> bool {
        match self {
            TokenType::ReadOnly => action == Action::Read,
            TokenType::FullAccess => true,
            TokenType::Custom => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow)]
// In JSON (the management API) by its key.
#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Action {
    Read,
    Write,
}

impl Action {
    pub const ALL: [Action; 2] = [Action::Read, Action::Write];

    pub fn key(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Read => "Read",
            Action::Write => "Write",
        }
    }
}
