//! Enumerations written as words in addresses and the API (`sort=last_used`,
//! `action=token.create`): read strictly from those words, and described in the
//! OpenAPI document by the same list of words, so the two never drift apart.

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
