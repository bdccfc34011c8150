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
            &*normalized
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

/// What keeps a scope from being deleted: the live tokens in it, and whoever is
/// limited to it. Deleting it would leave an administrator, an API key or a
/// webhook limited to fewer scopes, perhaps to none — never more, but not what
/// anyone asked for — so they are named and the scope stays.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScopeUsers {
    pub tokens: i64,
    /// Administrators (name · ID) whose role does not see every scope.
    pub administrators: Vec<String>,
    /// Keys that work (name and owner), listing the scope.
    pub api_keys: Vec<String>,
    /// Endpoints limited to it, by their redacted URL.
    pub webhooks: Vec<String>,
}

/// What uses a module: every live token that may call it, and among them the
/// Custom tokens granted it one by one, which keep it from being deleted (the
/// other types call every module there is, whichever).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModuleUsers {
    pub tokens: i64,
    pub granted: i64,
}

impl ModuleUsers {
    /// Said before a delete that would be refused.
    pub fn warning(&self, name: &str) -> Option<String> {
        let n = self.granted;
        (n > 0).then(|| {
            let (tokens, are) = if n == 1 {
                ("token", "is")
            } else {
                ("tokens", "are")
            };
            format!(
                "{name} cannot be deleted now: {n} Custom {tokens} {are} granted it. \
                 Take it off them first (the list's Module filter finds them)."
            )
        })
    }
}

/// Names listed in a refusal; the rest are counted.
const NAMED: usize = 5;

impl ScopeUsers {
    pub fn is_empty(&self) -> bool {
        self.tokens == 0
            && self.administrators.is_empty()
            && self.api_keys.is_empty()
            && self.webhooks.is_empty()
    }

    /// The refusal to delete the scope `name`, in words.
    pub fn refusal(&self, name: &str) -> String {
        format!("{name} was not deleted: {}", self.why())
    }

    /// Said before a delete that would be refused: what keeps the scope.
    pub fn warning(&self, name: &str) -> String {
        format!("{name} cannot be deleted now: {}", self.why())
    }

    /// What uses the scope, and what to do first.
    fn why(&self) -> String {
        let mut reasons = Vec::new();
        let one_token = self.tokens == 1;
        if self.tokens > 0 {
            reasons.push(format!(
                "{} token{} {} in it",
                self.tokens,
                if one_token { "" } else { "s" },
                if one_token { "is" } else { "are" },
            ));
        }
        let limited: Vec<String> = self
            .administrators
            .iter()
            .map(|a| format!("the administrator {a}"))
            .chain(self.api_keys.iter().map(|k| format!("the API key {k}")))
            .chain(self.webhooks.iter().map(|w| format!("the webhook {w}")))
            .collect();
        if !limited.is_empty() {
            let verb = if limited.len() == 1 { "is" } else { "are" };
            reasons.push(format!("{} {verb} limited to it", listed(&limited)));
        }
        let advice = match (self.tokens > 0, limited.is_empty()) {
            (true, true) if one_token => "Move or delete that token first.",
            (true, true) => "Move or delete those tokens first.",
            (false, _) => "Take the scope off them, or delete them, first.",
            (true, false) => "Move or delete the tokens, and take the scope off the others, first.",
        };
        format!("{}. {advice}", reasons.join("; "))
    }
}

/// "a", "a and b", "a, b and c", "a, b, c, d, e and 2 more".
fn listed(names: &[String]) -> String {
    let shown = &names[..names.len().min(NAMED)];
    let more = names.len() - shown.len();
    match (shown, more) {
        ([only], 0) => only.clone(),
        ([first @ .., last], 0) => format!("{} and {last}", first.join(", ")),
        (all, more) => format!("{} and {more} more", all.join(", ")),
    }
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
    fn a_module_granted_one_by_one_is_warned_about_before_a_delete() {
        let free = ModuleUsers {
            tokens: 40,
            granted: 0,
        };
        assert_eq!(free.warning("Orders"), None, "other types do not keep it");
        let kept = ModuleUsers {
            tokens: 40,
            granted: 1,
        };
        assert!(
            kept.warning("Orders")
                .unwrap()
                .starts_with("Orders cannot be deleted now: 1 Custom token is granted it.")
        );
    }

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
    fn a_refusal_names_what_uses_the_scope() {
        let tokens = ScopeUsers {
            tokens: 1,
            ..ScopeUsers::default()
        };
        assert_eq!(
            tokens.refusal("Staging"),
            "Staging was not deleted: 1 token is in it. Move or delete that token first."
        );
        let limited = ScopeUsers {
            tokens: 0,
            administrators: vec!["Pat · 7KD2QX4M".into()],
            api_keys: vec!["\u{201c}CI\u{201d} of Ada".into()],
            webhooks: vec!["https://hooks.example.com/x?***".into()],
        };
        assert_eq!(
            limited.refusal("Staging"),
            "Staging was not deleted: the administrator Pat · 7KD2QX4M, the API key \u{201c}CI\u{201d} of Ada and the webhook https://hooks.example.com/x?*** are limited to it. Take the scope off them, or delete them, first."
        );
        let many = ScopeUsers {
            tokens: 3,
            administrators: (1..=7).map(|n| format!("A{n}")).collect(),
            ..ScopeUsers::default()
        };
        assert_eq!(
            many.refusal("Staging"),
            "Staging was not deleted: 3 tokens are in it; the administrator A1, the administrator A2, the administrator A3, the administrator A4, the administrator A5 and 2 more are limited to it. Move or delete the tokens, and take the scope off the others, first."
        );
        assert!(ScopeUsers::default().is_empty() && !limited.is_empty());
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
