//! The one page that shows a new secret, with usage examples.

use askama::Template;

use crate::domain::ids::Guid;
use crate::views::Layout;

/// A usage example on the one-time page.
pub struct Example {
    pub id: &'static str,
    pub language: &'static str,
    pub code: String,
}

pub fn examples(endpoint: &str, secret: &str) -> Vec<Example> {
    vec![
        Example {
            id: "curl",
            language: "curl",
            code: format!("curl -H \"Authorization: Bearer {secret}\" \\\n  \"{endpoint}\""),
        },
        Example {
            id: "python",
            language: "Python",
            code: format!(
                "import requests\n\nresponse = requests.get(\n    \"{endpoint}\",\n    headers={{\"Authorization\": \"Bearer {secret}\"}},\n)\nprint(response.status_code, response.json())"
            ),
        },
        Example {
            id: "javascript",
            language: "JavaScript",
            code: format!(
                "const response = await fetch(\"{endpoint}\", {{\n  headers: {{ Authorization: \"Bearer {secret}\" }},\n}});\nconsole.log(response.status, await response.json());"
            ),
        },
    ]
}

#[derive(Template)]
#[template(path = "tokens/reveal.html")]
pub struct TokenRevealPage {
    pub layout: Layout,
    pub heading: &'static str,
    pub name: String,
    pub guid: Guid,
    pub secret: String,
    pub endpoint: String,
    pub examples: Vec<Example>,
    /// Until when the previous secret still works, after a regenerate with grace.
    pub previous_until: Option<String>,
    /// The value is also kept encrypted, to be shown again by those allowed to.
    pub kept: bool,
    pub summary: RevealSummary,
}

/// What was created or regenerated, in words, beside its secret.
pub struct RevealSummary {
    pub scopes: String,
    pub kind: &'static str,
    /// "2026-12-25 23:59 UTC", or "Never".
    pub expires: String,
    /// When a token made for later starts working.
    pub starts: Option<String>,
}
