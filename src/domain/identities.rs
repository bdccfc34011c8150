//! Identities: the customers (or systems) that own tokens. An external ID (the
//! owner's ID in the API owner's own system), a name and metadata the verification
//! answer carries, so a protected API learns who calls; limits and credits set on
//! an identity are shared by its tokens. Like tokens, an identity belongs to scopes:
//! seeing it needs one of them, changing it every one.

use serde_json::{Map, Value};

use super::validation::{FieldErrors, is_forbidden_control, required_text};

pub const MAX_EXTERNAL_ID: usize = 255;
pub const MAX_NAME: usize = 100;
/// Metadata travels in every verification answer: kept small.
pub const MAX_METADATA_BYTES: usize = 4096;

/// An identity as a form or the API submits it.
#[derive(Debug, Clone, Default)]
pub struct IdentityInput {
    pub external_id: String,
    pub name: String,
    /// A JSON object, as text; empty for none.
    pub metadata: String,
    /// Scope IDs, as submitted.
    pub scopes: Vec<String>,
}

/// A checked identity, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityDefinition {
    pub external_id: String,
    pub name: String,
    /// A JSON object in compact form (`{}` for none).
    pub metadata: String,
    pub scope_ids: Vec<i64>,
}

/// Checks an identity; `usable_scopes` are the scopes that exist and the
/// administrator may use.
pub fn validate(
    input: &IdentityInput,
    usable_scopes: &[i64],
) -> Result<IdentityDefinition, FieldErrors> {
    let mut errors = FieldErrors::default();
    let external_id = input.external_id.trim().to_owned();
    if external_id.is_empty() {
        errors.add("external_id", "External ID is required.");
    } else if external_id.chars().count() > MAX_EXTERNAL_ID {
        errors.add(
            "external_id",
            format!("External ID must be at most {MAX_EXTERNAL_ID} characters."),
        );
    } else if external_id
        .chars()
        .any(|c| c.is_whitespace() || is_forbidden_control(c))
    {
        errors.add(
            "external_id",
            "External ID may not contain spaces or control characters.",
        );
    }
    let name = required_text(&mut errors, "name", "Name", &input.name, MAX_NAME);
    let metadata = match metadata(&input.metadata) {
        Ok(metadata) => metadata,
        Err(message) => {
            errors.add("metadata", message);
            String::new()
        }
    };
    let scope_ids = super::scopes::chosen(&mut errors, &input.scopes, usable_scopes);
    errors.into_result(IdentityDefinition {
        external_id,
        name,
        metadata,
        scope_ids,
    })
}

/// Metadata as stored: a JSON object, compact; `{}` when left empty.
fn metadata(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok("{}".into());
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("Metadata is not valid JSON: {e}."))?;
    let Value::Object(object) = value else {
        return Err("Metadata must be a JSON object, such as {\"plan\": \"pro\"}.".into());
    };
    let compact = Value::Object(object).to_string();
    if compact.len() > MAX_METADATA_BYTES {
        return Err(format!(
            "Metadata must be at most {MAX_METADATA_BYTES} bytes as compact JSON (it has {}).",
            compact.len()
        ));
    }
    Ok(compact)
}

/// Stored metadata, indented for the form.
pub fn pretty_metadata(stored: &str) -> String {
    match serde_json::from_str::<Map<String, Value>>(stored) {
        Ok(map) if map.is_empty() => String::new(),
        Ok(map) => serde_json::to_string_pretty(&map).unwrap_or_default(),
        Err(_) => stored.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(metadata: &str) -> IdentityInput {
        IdentityInput {
            external_id: "cus_123".into(),
            name: "Acme".into(),
            metadata: metadata.into(),
            scopes: vec!["1".into()],
        }
    }

    #[test]
    fn metadata_is_a_small_json_object_kept_compact() {
        let identity = validate(&input("{ \"plan\" : \"pro\" }"), &[1]).unwrap();
        assert_eq!(identity.metadata, "{\"plan\":\"pro\"}");
        assert_eq!(validate(&input(""), &[1]).unwrap().metadata, "{}");
        for bad in ["[1]", "{", "\"pro\""] {
            assert!(
                validate(&input(bad), &[1])
                    .unwrap_err()
                    .get("metadata")
                    .is_some()
            );
        }
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_METADATA_BYTES));
        assert!(
            validate(&input(&big), &[1])
                .unwrap_err()
                .get("metadata")
                .is_some()
        );
    }

    #[test]
    fn external_ids_and_scopes_are_checked() {
        let mut spaced = input("");
        spaced.external_id = "cus 1".into();
        assert!(
            validate(&spaced, &[1])
                .unwrap_err()
                .get("external_id")
                .is_some()
        );
        assert!(
            validate(&input(""), &[2])
                .unwrap_err()
                .get("scopes")
                .is_some()
        );
        let mut none = input("");
        none.scopes.clear();
        assert!(validate(&none, &[1]).unwrap_err().get("scopes").is_some());
    }
}
