//! A token's history in words: the audit details of each event, read as
//! "Scopes: Production · Type: Read-only · Expires 2026-12-24 23:59 UTC".

use serde_json::Value;

use crate::domain::tokens::{Action, TokenType};
use crate::views::format::capitalized;

/// What scope and module IDs are called, for the events that name them.
pub struct Names<'a> {
    pub scopes: &'a [(i64, String)],
    pub modules: &'a [(i64, String)],
}

/// The sentence for one event's details (a JSON object); empty when it holds
/// nothing to say.
pub fn sentence(details: &str, names: &Names) -> String {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(details) else {
        return String::new();
    };
    fields
        .iter()
        .filter_map(|(key, value)| match value {
            // An edit: each changed field as [before, after] (a list of IDs of a
            // new token is a list of numbers, not a pair of lists).
            Value::Array(pair) if is_change(key, pair) => Some(format!(
                "{}: {} → {}",
                label(key),
                words(key, &pair[0], names),
                words(key, &pair[1], names)
            )),
            _ => fact(key, value, names),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn is_change(key: &str, pair: &[Value]) -> bool {
    let lists = matches!(key, "scope_ids" | "permissions" | "allowed_networks");
    pair.len() == 2 && (!lists || pair.iter().all(Value::is_array))
}

/// A field of a new token or of a one-off event, in words.
fn fact(key: &str, value: &Value, names: &Names) -> Option<String> {
    Some(match key {
        "valid_to" if value.is_null() => "No end".to_owned(),
        "valid_to" => format!("Expires {}", words(key, value, names)),
        "valid_from" => format!("Valid from {}", words(key, value, names)),
        "previous_secret_until" if value.is_null() => {
            "The previous secret stopped at once".to_owned()
        }
        "previous_secret_until" => format!(
            "The previous secret works until {}",
            words(key, value, names)
        ),
        "purpose" => match value.as_str() {
            Some("copy") => "Copied".to_owned(),
            _ => "Shown".to_owned(),
        },
        // Single sign-on: the refusal's sentence says what its reason's key does.
        "detail" => value.as_str()?.to_owned(),
        "reason" => return None,
        "via" | "by" => match value.as_str()? {
            "single_sign_on" => "Through single sign-on".to_owned(),
            "sign_in_link" => "With a one-time sign-in link".to_owned(),
            other => format!("{}: {other}", label(key)),
        },
        _ => format!("{}: {}", label(key), words(key, value, names)),
    })
}

fn label(key: &str) -> String {
    match key {
        "scope_ids" => "Scopes".to_owned(),
        "type" => "Type".to_owned(),
        "valid_from" => "Valid from".to_owned(),
        "valid_to" => "Expires".to_owned(),
        "allowed_networks" => "Client networks".to_owned(),
        "can_introspect" => "May introspect".to_owned(),
        other => capitalized(&other.replace('_', " ")),
    }
}

/// One value in words: names for IDs, labels for keys, readable times.
fn words(key: &str, value: &Value, names: &Names) -> String {
    match (key, value) {
        (_, Value::Null) => "none".to_owned(),
        ("valid_to", _) | ("valid_from", _) | ("previous_secret_until", _) => value
            .as_str()
            .map_or_else(|| value.to_string(), readable_time),
        ("type", Value::String(key)) => {
            TokenType::from_key(key).map_or_else(|| key.clone(), |t| t.label().to_owned())
        }
        ("scope_ids", Value::Array(ids)) => list(ids.iter().map(|id| {
            let id = id.as_i64().unwrap_or_default();
            name_of(names.scopes, id)
        })),
        ("permissions", Value::Array(grants)) => list(grants.iter().map(|grant| {
            let text = grant.as_str().unwrap_or_default();
            let (module, action) = text.split_once(':').unwrap_or((text, ""));
            let action = Action::from_key(action)
                .map_or_else(|| action.to_owned(), |a| a.label().to_owned());
            let module = module.parse().map(|id| name_of(names.modules, id));
            format!("{action} on {}", module.unwrap_or_else(|_| text.to_owned()))
        })),
        (_, Value::Bool(true)) => "yes".to_owned(),
        (_, Value::Bool(false)) => "no".to_owned(),
        (_, Value::String(text)) if text.is_empty() => "empty".to_owned(),
        (_, Value::String(text)) => text.clone(),
        (_, Value::Array(items)) => list(items.iter().map(|item| match item {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })),
        (_, other) => other.to_string(),
    }
}

fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn name_of(known: &[(i64, String)], id: i64) -> String {
    known.iter().find(|(known, _)| *known == id).map_or_else(
        || format!("a removed one (#{id})"),
        |(_, name)| name.clone(),
    )
}

/// "2026-11-25T07:09:00Z" as every page writes times: "2026-11-25 07:09 UTC".
fn readable_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(day), Some(time)) if iso.len() >= 16 => format!("{day} {time} UTC"),
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Named = Vec<(i64, String)>;

    fn names() -> (Named, Named) {
        (
            vec![(1, "Production".into()), (2, "Staging".into())],
            vec![(7, "Orders".into())],
        )
    }

    #[test]
    fn a_new_token_reads_as_what_it_grants_and_when() {
        let (scopes, modules) = names();
        let names = Names {
            scopes: &scopes,
            modules: &modules,
        };
        let created = r#"{"type":"read_only","scope_ids":[1,2],"valid_from":"2026-11-25T07:09:00Z","valid_to":"2026-12-24T23:59:59Z"}"#;
        assert_eq!(
            sentence(created, &names),
            "Scopes: Production, Staging · Type: Read-only · Valid from 2026-11-25 07:09 UTC · Expires 2026-12-24 23:59 UTC"
        );
        let forever = r#"{"type":"full_access","scope_ids":[9],"valid_from":"2026-11-25T07:09:00Z","valid_to":null}"#;
        assert_eq!(
            sentence(forever, &names),
            "Scopes: a removed one (#9) · Type: Full access · Valid from 2026-11-25 07:09 UTC · No end"
        );
    }

    #[test]
    fn an_edit_reads_as_before_and_after() {
        let (scopes, modules) = names();
        let names = Names {
            scopes: &scopes,
            modules: &modules,
        };
        let edit = r#"{"name":["Old","New"],"scope_ids":[[1],[1,2]],"permissions":[[],["7:read"]],"valid_to":["2026-12-24T23:59:59Z",null]}"#;
        assert_eq!(
            sentence(edit, &names),
            "Name: Old → New · Permissions: none → Read on Orders · Scopes: Production → Production, Staging · Expires: 2026-12-24 23:59 UTC → none"
        );
        assert!(!sentence(edit, &names).contains('{'), "never raw JSON");
    }

    #[test]
    fn one_off_events_read_plainly() {
        let (scopes, modules) = names();
        let names = Names {
            scopes: &scopes,
            modules: &modules,
        };
        assert_eq!(sentence(r#"{"purpose":"copy"}"#, &names), "Copied");
        assert_eq!(
            sentence(r#"{"previous_secret_until":null}"#, &names),
            "The previous secret stopped at once"
        );
        assert_eq!(sentence("", &names), "");
        assert_eq!(sentence("{}", &names), "");
    }

    #[test]
    fn single_sign_on_events_read_as_sentences() {
        let (scopes, modules) = names();
        let names = Names {
            scopes: &scopes,
            modules: &modules,
        };
        let refused = r#"{"reason":"email_not_verified","detail":"The provider has not verified the email address.","groups":["ops"],"subject":"u1"}"#;
        assert_eq!(
            sentence(refused, &names),
            "The provider has not verified the email address. · Groups: ops · Subject: u1"
        );
        assert_eq!(
            sentence(r#"{"via":"single_sign_on"}"#, &names),
            "Through single sign-on"
        );
        assert_eq!(
            sentence(r#"{"via":"sign_in_link"}"#, &names),
            "With a one-time sign-in link"
        );
    }
}
