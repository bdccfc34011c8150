//! Identifiers that must not be mixed up with each other or with plain numbers:
//! a token's row ID is not an administrator's, and a GUID is not any string.

use std::fmt;

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use serde::{Deserialize, Serialize};

/// A row ID of its own type; stored as `BigInt` (see `db::sql_types`).
macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            AsExpression, FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

row_id!(
    /// The row ID of an API token; never shown to people (its [`Guid`] is).
    TokenId
);
row_id!(
    /// The row ID of an administrator; pages show their public ID instead.
    AdministratorId
);
row_id!(
    /// The row ID of an identity; pages and the API use its public ID.
    IdentityId
);

/// A token's public identifier: a UUID in its lowercase hyphenated form, the
/// only form stored, so equal GUIDs are equal strings.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(try_from = "String")]
pub struct Guid(String);

impl Guid {
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    /// A GUID as written by a person or a URL: any form a UUID may take.
    pub fn parse(text: &str) -> Option<Self> {
        uuid::Uuid::try_parse(text.trim())
            .ok()
            .map(|u| Self(u.hyphenated().to_string()))
    }

    /// As stored, trusted: only for values read back from the database.
    pub(crate) fn stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Sixteen bytes instead of a string, for what keeps many GUIDs in memory.
    pub fn uuid(&self) -> uuid::Uuid {
        // Every Guid holds a parsed UUID's text.
        uuid::Uuid::try_parse(&self.0).unwrap_or_default()
    }
}

impl Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl TryFrom<String> for Guid {
    type Error = &'static str;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text).ok_or("not a GUID")
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Read as text wherever text is expected (a URL, a header, a form value).
impl std::ops::Deref for Guid {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guid_is_kept_in_one_form() {
        let upper = Guid::parse(" 3F2504E0-4F89-11D3-9A0C-0305E82C3301 ").unwrap();
        let braced = Guid::parse("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}").unwrap();
        assert_eq!(upper, braced);
        assert_eq!(upper.as_str(), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        assert_eq!(Guid::parse("not-a-guid"), None);
        assert_eq!(Guid::parse(""), None);
    }

    #[test]
    fn a_path_segment_that_is_no_guid_does_not_deserialize() {
        let parsed: Result<Guid, _> = serde_json::from_str("\"../etc/passwd\"");
        assert!(parsed.is_err());
        let parsed: Guid =
            serde_json::from_str("\"3F2504E0-4F89-11D3-9A0C-0305E82C3301\"").unwrap();
        assert_eq!(parsed.as_str(), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    }
}
