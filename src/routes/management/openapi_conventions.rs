//! What every operation of the API shares, written into the OpenAPI document once
//! rather than on each handler: problems are `application/problem+json`; any
//! request may be refused as unreadable (400), and one with an API key from an
//! address that sent too many wrong keys (429); text in an address holds no control
//! character; `If-Match` is an `ETag` or `*`.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, Header, OpenApi, Ref, RefOr, Response};

const PROBLEM: &str = "application/problem+json";
const PROBLEM_SCHEMA: &str = "#/components/schemas/Problem";

/// Text the edge accepts in a path or query string (see `http::input`): no C0 or
/// C1 control character.
const TEXT: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// An `ETag` as Tessera writes it (a version: at most nine digits), or `*` for
/// whatever version is current.
const IF_MATCH: &str = r#"^(\*|(W/)?"[0-9]{1,9}")$"#;

pub struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                problems_as_problem_json(operation);
                unreadable_requests(operation);
                locked_addresses(operation);
                parameter_patterns(operation);
            }
        }
    }
}

fn problems_as_problem_json(operation: &mut Operation) {
    for response in operation.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let is_problem = response.content.get("application/json").is_some_and(
            |c| matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location == PROBLEM_SCHEMA),
        );
        if is_problem && let Some(content) = response.content.shift_remove("application/json") {
            response.content.insert(PROBLEM.to_owned(), content);
        }
    }
}

/// Answers the edge gives, as problem documents, before a handler runs: 400 for
/// any request, 413 and 415 for a JSON body.
fn unreadable_requests(operation: &mut Operation) {
    let mut refusals = vec![(
        "400",
        "The request could not be read: a control character in the address, a parameter given twice or not of its type, or a body that is not JSON",
    )];
    let takes_json = operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content.contains_key("application/json"));
    if takes_json {
        refusals.push(("413", "The body is too large"));
        refusals.push(("415", "The body is not JSON"));
    }
    for (status, description) in refusals {
        let response = operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new(description)));
        if let RefOr::T(response) = response {
            response
                .content
                .entry(PROBLEM.to_owned())
                .or_insert_with(|| Content::new(Some(RefOr::Ref(Ref::new(PROBLEM_SCHEMA)))));
        }
    }
}

/// An operation that takes an API key answers 429, with `Retry-After`, while the
/// client's address is locked for sending too many wrong keys.
fn locked_addresses(operation: &mut Operation) {
    let api_key = SecurityRequirement::new("api_key", Vec::<String>::new());
    if !operation.security.iter().flatten().any(|r| *r == api_key) {
        return;
    }
    let mut response = Response::new(
        "Too many requests with a wrong API key came from the client's address: every key from it is refused for a while",
    );
    response.content.insert(
        PROBLEM.to_owned(),
        Content::new(Some(RefOr::Ref(Ref::new(PROBLEM_SCHEMA)))),
    );
    let seconds = ObjectBuilder::new().schema_type(Type::Integer);
    response
        .headers
        .insert("Retry-After".to_owned(), Header::new(seconds));
    operation
        .responses
        .responses
        .entry("429".to_owned())
        .or_insert(RefOr::T(response));
}

fn parameter_patterns(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let pattern = match parameter.parameter_in {
            ParameterIn::Header if parameter.name.eq_ignore_ascii_case("If-Match") => IF_MATCH,
            ParameterIn::Query | ParameterIn::Path => TEXT,
            _ => continue,
        };
        if let Some(RefOr::T(Schema::Object(object))) = &mut parameter.schema
            && is_free_text(&object.schema_type)
            && object.enum_values.is_none()
            && object.format.is_none()
            && object.pattern.is_none()
        {
            object.pattern = Some(pattern.to_owned());
        }
    }
}

fn is_free_text(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    }
}
