//! The API reference page (`/api/docs`): the OpenAPI document read as a page, with
//! a curl example for each operation. Rendered here, so it needs no script and
//! holds under the Content-Security-Policy.

use askama::Template;
use askama_web::WebTemplate;
use serde_json::Value;

use super::Layout;

mod schema;

use schema::{kind, resolve};

#[derive(Template, WebTemplate)]
#[template(path = "api/docs.html")]
pub struct ApiDocsPage {
    pub layout: Layout,
    pub intro: Prose,
    pub public_url: String,
    pub document_url: &'static str,
    pub sections: Vec<SectionView>,
}

/// A tag of the document: its operations under one heading.
pub struct SectionView {
    pub name: String,
    pub description: Prose,
    pub operations: Vec<OperationView>,
}

pub struct OperationView {
    /// For links within the page.
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: Prose,
    /// What authenticates it: an API key or an API token.
    pub authentication: &'static str,
    /// The parameters, then the body's fields.
    pub parameters: Vec<ParameterView>,
    /// An example body, as pretty JSON.
    pub body: Option<String>,
    pub responses: Vec<ResponseView>,
    pub curl: String,
}

pub struct ResponseView {
    pub status: String,
    pub description: Prose,
    /// What a successful answer holds, as pretty JSON.
    pub example: Option<String>,
    /// The names of the headers the answer carries, as the document lists them.
    pub headers: Vec<String>,
}

pub struct ParameterView {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub kind: String,
    pub description: Prose,
}

impl ApiDocsPage {
    pub fn of(layout: Layout, doc: &Value, public_url: &str, document_url: &'static str) -> Self {
        let mut sections: Vec<SectionView> = doc["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| SectionView {
                name: text(&t["name"]),
                description: Prose::of(&t["description"]),
                operations: Vec::new(),
            })
            .collect();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let tag = text(&operation["tags"][0]);
                if let Some(section) = sections.iter_mut().find(|s| s.name == tag) {
                    let view = OperationView::of(doc, method, path, operation, public_url);
                    section.operations.push(view);
                }
            }
        }
        // The collection, then one item, its actions, and deleting it last.
        for section in &mut sections {
            section.operations.sort_by_key(|op| {
                (
                    op.method == "DELETE",
                    op.path.clone(),
                    method_rank(&op.method),
                )
            });
        }
        Self {
            layout,
            intro: Prose::of(&doc["info"]["description"]),
            public_url: public_url.to_owned(),
            document_url,
            sections,
        }
    }
}

impl OperationView {
    fn of(doc: &Value, method: &str, path: &str, operation: &Value, public_url: &str) -> Self {
        let with_key = operation["security"][0].get("api_key").is_some();
        let parameters: Vec<ParameterView> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| ParameterView {
                name: text(&p["name"]),
                location: text(&p["in"]),
                required: p["required"].as_bool().unwrap_or(false),
                kind: kind(doc, &p["schema"]),
                description: Prose::of(&p["description"]),
            })
            .collect();
        let mut parameters = parameters;
        parameters.extend(body_fields(doc, &operation["requestBody"]));
        let body = body_example(doc, &operation["requestBody"]);
        let form = form_fields(doc, &operation["requestBody"]);
        // Inside double quotes, so that the shell fills in the token's GUID, the
        // scope's ID or the identity's (external) ID.
        let url = format!(
            "{public_url}{}",
            path.replace("{guid}", "$GUID")
                .replace("{scope_id}", "$SCOPE_ID")
                .replace("{id}", "$IDENTITY")
        );
        let mut curl = format!("curl -X {} \"{url}\"", method.to_uppercase());
        let secret = match (with_key, form.iter().any(|field| field == "token")) {
            (true, _) => "$TESSERA_API_KEY",
            // $TOKEN is the token asked about; the caller presents its own.
            (false, true) => "$GATEWAY_TOKEN",
            (false, false) => "$TOKEN",
        };
        curl.push_str(&format!(" \\\n  -H \"Authorization: Bearer {secret}\""));
        for header in operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "header")
        {
            let name = text(&header["name"]);
            let example = match &header["example"] {
                Value::String(example) => example.clone(),
                _ if name == "If-Match" => "\"1\"".to_owned(),
                _ => continue,
            };
            curl.push_str(&format!(" \\\n  -H '{name}: {example}'"));
        }
        for field in &form {
            let variable = field.to_uppercase();
            curl.push_str(&format!(" \\\n  --data-urlencode \"{field}=${variable}\""));
        }
        if let Some(example) = &body {
            curl.push_str(&format!(
                " \\\n  -H \"Content-Type: application/json\" \\\n  -d '{}'",
                example.to_string().replace('\'', "'\\''")
            ));
        }
        let responses = operation["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(status, r)| ResponseView {
                status: status.clone(),
                description: Prose::of(&r["description"]),
                example: status
                    .starts_with('2')
                    .then(|| schema::example(doc, &r["content"]["application/json"]["schema"]))
                    .flatten()
                    .and_then(|example| serde_json::to_string_pretty(&example).ok()),
                headers: r["headers"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, _)| name.clone())
                    .collect(),
            })
            .collect();
        Self {
            anchor: text(&operation["operationId"]),
            method: method.to_uppercase(),
            path: path.to_owned(),
            summary: text(&operation["summary"]),
            description: Prose::of(&operation["description"]),
            authentication: if with_key { "API key" } else { "API token" },
            parameters,
            body: body.and_then(|example| serde_json::to_string_pretty(&example).ok()),
            responses,
            curl,
        }
    }
}

/// Text with `code` spans, as the document's descriptions write them.
pub struct Prose(pub Vec<Span>);

pub struct Span {
    pub code: bool,
    pub text: String,
}

impl Prose {
    fn of(value: &Value) -> Self {
        let text = value.as_str().unwrap_or_default().replace('\n', " ");
        Prose(
            text.split('`')
                .enumerate()
                .filter(|(_, piece)| !piece.is_empty())
                .map(|(i, piece)| Span {
                    code: i % 2 == 1,
                    text: piece.to_owned(),
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn method_rank(method: &str) -> usize {
    ["GET", "POST", "PATCH", "DELETE"]
        .iter()
        .position(|m| *m == method)
        .unwrap_or(usize::MAX)
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The fields of a JSON or form body, as a table of them reads.
fn body_fields(doc: &Value, body: &Value) -> Vec<ParameterView> {
    let content = &body["content"];
    let (schema, location) = match content.get("application/json") {
        Some(json) => (&json["schema"], "JSON body"),
        None => (
            &content["application/x-www-form-urlencoded"]["schema"],
            "form body",
        ),
    };
    schema::fields(doc, schema)
        .into_iter()
        .map(|field| ParameterView {
            name: field.name,
            location: location.to_owned(),
            required: field.required,
            kind: field.kind,
            description: Prose::of(&field.description),
        })
        .collect()
}

/// The required fields of a form body: each is filled from the shell variable of
/// its name in capitals (`token`: `$TOKEN`).
fn form_fields(doc: &Value, body: &Value) -> Vec<String> {
    let schema = resolve(
        doc,
        &body["content"]["application/x-www-form-urlencoded"]["schema"],
    );
    schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The example of a JSON request body, from the body's schema or the one it names.
fn body_example(doc: &Value, body: &Value) -> Option<Value> {
    let schema = &body["content"]["application/json"]["schema"];
    let named = schema["oneOf"]
        .as_array()
        .and_then(|variants| variants.iter().find(|v| v.get("$ref").is_some()))
        .unwrap_or(schema);
    let schema = resolve(doc, named);
    schema.get("example").cloned().or_else(|| {
        // No example of the whole: one made of its fields' examples.
        let fields: serde_json::Map<String, Value> = schema["properties"]
            .as_object()?
            .iter()
            .filter_map(|(name, field)| Some((name.clone(), field.get("example")?.clone())))
            .collect();
        (!fields.is_empty()).then_some(Value::Object(fields))
    })
}
