//! Modules (parts of the protected API) and scopes (teams, projects, environments).

use super::request_path;
use super::validation::{FieldErrors, optional_text, required_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleDetails {
    pub key: String,
    pub name: String,
    pub description: String,
    pub path_prefixes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeDetails {
    pub name: String,
    pub description: String,
}

pub const MAX_PATH_PREFIXES: usize = 20;

pub fn validate_module(
    key: &str,
    name: &str,
    description: &str,
    path_prefixes: &str,
) -> Result<ModuleDetails, FieldErrors> {
    let mut errors = FieldErrors::default();
    let key = key.trim().to_owned();
    if key.is_empty() {
        errors.add("key", "Key is required.");
    } else if !is_valid_module_key(&key) {
        errors.add(
            "key",
            "Use 1 to 40 lower-case letters, digits, '-' or '_', starting with a letter or digit.",
        );
    }
    let name = required_text(&mut errors, "name", "Name", name, 80);
    let description = optional_text(&mut errors, "description", "Description", description, 500);
    let path_prefixes = parse_path_prefixes(&mut errors, path_prefixes);
    errors.into_result(ModuleDetails {
        key,
        name,
        description,
        path_prefixes,
    })
}

fn is_valid_module_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    (1..=40).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'_')
}

/// One prefix per line (or separated by commas or spaces); each starts with `/`.
fn parse_path_prefixes(errors: &mut FieldErrors, input: &str) -> Vec<String> {
    let mut prefixes: Vec<String> = Vec::new();
    for raw in input.split(|c: char| c == ',' || c.is_whitespace()) {
        if raw.is_empty() {
            continue;
        }
        // Stored as forward-auth compares it: normalised like a request path.
        let normalized = match request_path::normalize(raw) {
            Ok(path) if raw.len() <= 200 && !raw.contains(['?', '#']) => path,
            _ => {
                errors.add(
                    "path_prefixes",
                    format!(
                        "\u{201c}{}\u{201d} is not a URL path; paths start with '/', such as /orders.",
                        truncate(raw, 40)
                    ),
                );
                continue;
            }
        };
        let normalized = if normalized.len() > 1 {
            normalized.trim_end_matches('/')
        } else {
            &normalized
        };
        if !prefixes.iter().any(|p| p == normalized) {
            prefixes.push(normalized.to_owned());
        }
    }
    if prefixes.len() > MAX_PATH_PREFIXES {
        errors.add(
            "path_prefixes",
            format!("Give at most {MAX_PATH_PREFIXES} path prefixes."),
        );
    }
    prefixes
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

pub fn validate_scope(name: &str, description: &str) -> Result<ScopeDetails, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", "Name", name, 80);
    let description = optional_text(&mut errors, "description", "Description", description, 500);
    errors.into_result(ScopeDetails { name, description })
}

/// A ready set to start from, offered at first-run setup.
pub fn example_modules() -> Vec<ModuleDetails> {
    [
        (
            "orders",
            "Orders",
            "Orders, carts and checkout.",
            &["/orders", "/carts"][..],
        ),
        (
            "catalog",
            "Catalog",
            "Products, prices and stock.",
            &["/catalog", "/products"][..],
        ),
        (
            "customers",
            "Customers",
            "Customer accounts and addresses.",
            &["/customers"][..],
        ),
        (
            "billing",
            "Billing",
            "Invoices and payments.",
            &["/billing", "/invoices"][..],
        ),
    ]
    .into_iter()
    .map(|(key, name, description, prefixes)| ModuleDetails {
        key: key.into(),
        name: name.into(),
        description: description.into(),
        path_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
    })
    .collect()
}

pub fn example_scopes() -> Vec<ScopeDetails> {
    [
        ("Production", "Live systems and real customers."),
        ("Staging", "Pre-release testing."),
        ("Development", "Local and shared development environments."),
    ]
    .into_iter()
    .map(|(name, description)| ScopeDetails {
        name: name.into(),
        description: description.into(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_keys_are_short_lower_case_slugs() {
        assert!(is_valid_module_key("orders"));
        assert!(is_valid_module_key("v2_orders-eu"));
        for bad in ["", "Orders", "-x", "a b", "ä", &"x".repeat(41)] {
            assert!(!is_valid_module_key(bad), "{bad}");
        }
    }

    #[test]
    fn path_prefixes_are_split_normalized_and_deduplicated() {
        let m = validate_module("orders", "Orders", "", "/orders/\n/carts, /orders").unwrap();
        assert_eq!(m.path_prefixes, vec!["/orders", "/carts"]);
        let errors = validate_module("orders", "Orders", "", "orders").unwrap_err();
        assert!(errors.get("path_prefixes").is_some());
        // Prefixes are kept as forward-auth compares paths: normalised.
        let m = validate_module("orders", "Orders", "", "/%6Frders//v2/./").unwrap();
        assert_eq!(m.path_prefixes, vec!["/orders/v2"]);
        for bad in ["/orders%2Fv2", "/orders?x=1", "/a/..;/b", "/a%zz"] {
            let errors = validate_module("orders", "Orders", "", bad).unwrap_err();
            assert!(errors.get("path_prefixes").is_some(), "{bad}");
        }
    }

    #[test]
    fn the_example_set_is_valid() {
        for m in example_modules() {
            let joined = m.path_prefixes.join("\n");
            assert_eq!(
                validate_module(&m.key, &m.name, &m.description, &joined).unwrap(),
                m
            );
        }
        for s in example_scopes() {
            assert_eq!(validate_scope(&s.name, &s.description).unwrap(), s);
        }
    }
}
