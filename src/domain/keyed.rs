//! Enumerations written as words or numbers in addresses and the API
//! (`sort=last_used`, `action=token.create`, `per_page=50`): read strictly from
//! those, and described in the OpenAPI document by the same list, so the two never
//! drift apart.

/// Makes `$type` readable from, and documented as, one of its keys: `$all` lists
/// the values, `$type::key` names each one.
macro_rules! keyed_words {
    ($type:ty, $all:expr) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                $all.into_iter()
                    .find(|value| value.key() == text)
                    .ok_or_else(|| {
                        let choices: Vec<&str> =
                            $all.into_iter().map(|value| value.key()).collect();
                        serde::de::Error::custom(format!(
                            "{text:?} is not one of {}",
                            choices.join(", ")
                        ))
                    })
            }
        }

        impl utoipa::PartialSchema for $type {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($all.into_iter().map(|value| value.key())))
                    .into()
            }
        }

        impl utoipa::ToSchema for $type {}
    };
}

pub(crate) use keyed_words;

/// Makes the newtype `$type(i64)` readable from, and documented as, one of
/// `$type::CHOICES`: strictly, for the API (the pages read leniently).
macro_rules! integer_choices {
    ($type:ident) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let number = <i64 as serde::Deserialize>::deserialize(deserializer)?;
                if $type::CHOICES.contains(&number) {
                    Ok($type(number))
                } else {
                    Err(serde::de::Error::custom(format!(
                        "{number} is not one of {:?}",
                        $type::CHOICES
                    )))
                }
            }
        }

        impl utoipa::PartialSchema for $type {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer)
                    .enum_values(Some($type::CHOICES))
                    .into()
            }
        }

        impl utoipa::ToSchema for $type {}
    };
}

pub(crate) use integer_choices;
