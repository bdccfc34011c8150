//! How the domain's enums are stored: each as its stable text key, read back
//! through `from_key`. A key the enum does not know is a deserialization error,
//! not a silent default.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Text};

use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::ids::{AdministratorId, Guid, IdentityId, TokenId};
use crate::domain::tokens::{Action, TokenType};

/// Maps each enum to a `Text` column through its `key` and `from_key`.
macro_rules! stored_as_text {
    ($($kind:ty),+ $(,)?) => {$(
        impl<DB> ToSql<Text, DB> for $kind
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.key().to_sql(out)
            }
        }

        impl<DB> FromSql<Text, DB> for $kind
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let key = String::from_sql(bytes)?;
                <$kind>::from_key(&key).ok_or_else(|| {
                    format!("unknown {} {key:?}", stringify!($kind)).into()
                })
            }
        }
    )+};
}

// Role permissions are read as text on purpose: a name this version does not know
// (written by a newer one) grants nothing instead of failing the sign-in.
stored_as_text!(TokenType, Action, AuditAction, TargetKind);

/// Maps each row ID newtype to its `BigInt` column.
macro_rules! stored_as_big_int {
    ($($id:ident),+ $(,)?) => {$(
        impl<DB> ToSql<BigInt, DB> for $id
        where
            DB: Backend,
            i64: ToSql<BigInt, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB> FromSql<BigInt, DB> for $id
        where
            DB: Backend,
            i64: FromSql<BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                i64::from_sql(bytes).map($id)
            }
        }
    )+};
}

stored_as_big_int!(TokenId, AdministratorId, IdentityId);

impl<DB> ToSql<Text, DB> for Guid
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.as_str().to_sql(out)
    }
}

impl<DB> FromSql<Text, DB> for Guid
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        String::from_sql(bytes).map(Guid::stored)
    }
}

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::prelude::*;

    use super::*;

    /// Reads the text `stored` back as a `$kind`, as a query result would.
    macro_rules! read {
        ($kind:ty, $stored:expr) => {{
            let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
            diesel::select(sql::<Text>(&format!("'{}'", $stored))).get_result::<$kind>(&mut conn)
        }};
    }

    #[test]
    fn every_value_reads_back_from_its_key() {
        for t in TokenType::ALL {
            assert_eq!(read!(TokenType, t.key()).unwrap(), t);
        }
        for a in AuditAction::ALL {
            assert_eq!(read!(AuditAction, a.key()).unwrap(), a);
        }
        for k in TargetKind::ALL {
            assert_eq!(read!(TargetKind, k.key()).unwrap(), k);
        }
        assert_eq!(read!(Action, "write").unwrap(), Action::Write);
    }

    #[test]
    fn an_unknown_key_is_an_error_not_a_default() {
        let error = read!(TokenType, "admin").unwrap_err();
        let diesel::result::Error::DeserializationError(cause) = error else {
            panic!("not a deserialization error: {error}");
        };
        let reason = std::error::Error::source(&*cause).map(ToString::to_string);
        assert_eq!(reason.as_deref(), Some("unknown TokenType \"admin\""));
    }

    #[test]
    fn values_are_written_as_their_keys() {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        let stored: String = diesel::select(AuditAction::TokenRevoked.into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(stored, "token.revoke");
    }
}
