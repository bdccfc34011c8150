//! What the reference says of a body: its fields (type, allowed values, whether
//! required) and an example of the whole, made from the document's schemas.

use serde_json::{Map, Value};

/// How deep an example follows schemas into schemas.
const DEPTH: usize = 6;

/// A referenced schema, or the schema itself.
pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

/// The schema a nullable or one-of-several schema stands for: its first variant
/// that is not `null`.
fn chosen<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let schema = resolve(doc, schema);
    let variants = schema["oneOf"].as_array().or(schema["anyOf"].as_array());
    match variants.and_then(|v| v.iter().find(|s| s["type"] != "null")) {
        Some(variant) => resolve(doc, variant),
        None => schema,
    }
}

/// A value's type as a reader wants it: its choices, or its type and format.
pub fn kind(doc: &Value, schema: &Value) -> String {
    let schema = chosen(doc, schema);
    if let Some(choices) = schema["enum"].as_array() {
        let words: Vec<String> = choices
            .iter()
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
            .collect();
        return format!("one of {}", words.join(", "));
    }
    let types = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        Value::String(kind) => kind.clone(),
        _ if schema["properties"].is_object() => "object".to_owned(),
        _ => "any".to_owned(),
    };
    let types = match schema["items"].get("$ref").and_then(Value::as_str) {
        Some(item) => format!("{types} of {}", item.rsplit('/').next().unwrap_or(item)),
        None => types,
    };
    match schema["format"].as_str() {
        Some(format) => format!("{types} ({format})"),
        None => types,
    }
}

/// One field of a body.
pub struct Field {
    pub name: String,
    pub required: bool,
    pub kind: String,
    pub description: Value,
}

/// The fields of an object schema, required ones first.
pub fn fields(doc: &Value, schema: &Value) -> Vec<Field> {
    let schema = chosen(doc, schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut fields: Vec<Field> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, field)| Field {
            name: name.clone(),
            required: required.contains(&name.as_str()),
            kind: kind(doc, field),
            description: field["description"].clone(),
        })
        .collect();
    fields.sort_by_key(|f| !f.required);
    fields
}

/// An example of a value of `schema`: the document's own example where it gives
/// one, else one made of its fields', with a placeholder of the right type where
/// none is given.
pub fn example(doc: &Value, schema: &Value) -> Option<Value> {
    made(doc, schema, DEPTH)
}

fn made(doc: &Value, schema: &Value, depth: usize) -> Option<Value> {
    let depth = depth.checked_sub(1)?;
    if let Some(given) = resolve(doc, schema).get("example") {
        return Some(given.clone());
    }
    let schema = chosen(doc, schema);
    if let Some(given) = schema.get("example") {
        return Some(given.clone());
    }
    if let Some(first) = schema["enum"].as_array().and_then(|c| c.first()) {
        return Some(first.clone());
    }
    // All of several objects: one object with the fields of each.
    if let Some(parts) = schema["allOf"].as_array() {
        let mut object = Map::new();
        for part in parts {
            if let Some(Value::Object(fields)) = made(doc, part, depth) {
                object.extend(fields);
            }
        }
        return Some(Value::Object(object));
    }
    if let Some(properties) = schema["properties"].as_object() {
        let object: Map<String, Value> = properties
            .iter()
            .filter_map(|(name, field)| Some((name.clone(), made(doc, field, depth)?)))
            .collect();
        return Some(Value::Object(object));
    }
    let kind = match &schema["type"] {
        Value::Array(types) => types.iter().find(|t| *t != "null").cloned(),
        other => Some(other.clone()),
    };
    Some(match kind?.as_str()? {
        "array" => Value::Array(made(doc, &schema["items"], depth).into_iter().collect()),
        "string" => Value::String(placeholder(schema["format"].as_str())),
        "integer" => Value::from(schema["minimum"].as_i64().unwrap_or(0)),
        "number" => Value::from(0.0),
        "boolean" => Value::Bool(false),
        _ => return None,
    })
}

fn placeholder(format: Option<&str>) -> String {
    match format {
        Some("date-time") => "2026-12-01T09:30:00Z".into(),
        Some("date") => "2026-12-31".into(),
        Some("uuid") => "0b8f4e5c-3f4a-4b7e-9a59-2d0f1c6e8a11".into(),
        _ => "string".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({ "components": { "schemas": {
            "Status": { "type": "string", "enum": ["active", "revoked"] },
            "Token": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "guid": { "type": "string", "example": "0b8f" },
                    "name": { "type": "string", "description": "Shown in lists." },
                    "status": { "$ref": "#/components/schemas/Status" },
                    "valid_to": { "type": ["string", "null"], "format": "date-time" },
                    "scopes": { "type": "array", "items": { "type": "string" } },
                    "parent": { "anyOf": [{ "type": "null" }, { "$ref": "#/components/schemas/Token" }] }
                }
            }
        }}})
    }

    #[test]
    fn an_example_follows_references_gives_placeholders_and_stops() {
        let doc = doc();
        let both = json!({ "allOf": [
            { "$ref": "#/components/schemas/Token" },
            { "type": "object", "properties": { "secret": { "type": "string", "example": "tsr_x" } } }
        ]});
        let merged = example(&doc, &both).unwrap();
        assert_eq!(
            (&merged["guid"], &merged["secret"]),
            (&json!("0b8f"), &json!("tsr_x"))
        );
        let example = example(&doc, &json!({ "$ref": "#/components/schemas/Token" })).unwrap();
        assert_eq!(example["guid"], "0b8f");
        assert_eq!(example["name"], "string");
        assert_eq!(example["status"], "active");
        assert_eq!(example["valid_to"], "2026-12-01T09:30:00Z");
        assert_eq!(example["scopes"], json!(["string"]));
        // A schema that holds itself ends at the depth limit.
        assert!(example["parent"]["parent"].is_object());
    }

    #[test]
    fn fields_say_their_type_choices_and_whether_required() {
        let doc = doc();
        let fields = fields(&doc, &json!({ "$ref": "#/components/schemas/Token" }));
        assert_eq!(fields[0].name, "name");
        assert!(fields[0].required && !fields[1].required);
        let status = fields.iter().find(|f| f.name == "status").unwrap();
        assert_eq!(status.kind, "one of active, revoked");
        let valid_to = fields.iter().find(|f| f.name == "valid_to").unwrap();
        assert_eq!(valid_to.kind, "string (date-time)");
    }
}
