//! Settings > Identities: the list, the form, and one identity's page with its
//! tokens, metadata and usage control.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use super::limits::LimitsPanel;
use crate::db::identities::IdentityWithScopes;
use crate::domain::identities::{IdentityInput, pretty_metadata};
use crate::domain::validation::FieldErrors;

/// An identity as the list and its page show it.
pub struct IdentityView {
    pub href: String,
    pub external_id: String,
    pub name: String,
    pub scopes: String,
    pub tokens: i64,
    pub metadata: String,
}

impl IdentityView {
    pub fn of(found: &IdentityWithScopes) -> Self {
        let i = &found.identity;
        Self {
            href: crate::urls::identity(&i.public_id),
            external_id: i.external_id.clone(),
            name: i.name.clone(),
            scopes: found
                .scopes
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            tokens: found.tokens,
            metadata: pretty_metadata(&i.metadata),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "identities/list.html")]
pub struct IdentitiesPage {
    pub layout: Layout,
    pub identities: Vec<IdentityView>,
    pub search: String,
    pub can_add: bool,
    /// The list stops at this many.
    pub limit: i64,
    pub running_low: Vec<crate::services::limits::RunningLow>,
}

/// A scope the form offers.
pub struct ScopeChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

/// The identity form: new (no version) or an edit.
#[derive(Template, WebTemplate)]
#[template(path = "identities/form.html")]
pub struct IdentityFormPage {
    pub layout: Layout,
    pub action: String,
    pub back: String,
    pub version: Option<i32>,
    pub input: IdentityInput,
    pub scopes: Vec<ScopeChoice>,
    pub errors: FieldErrors,
}

impl IdentityFormPage {
    pub fn scope_choices(scopes: &[(i64, String)], chosen: &[String]) -> Vec<ScopeChoice> {
        scopes
            .iter()
            .map(|(id, name)| ScopeChoice {
                id: *id,
                name: name.clone(),
                checked: chosen.iter().any(|c| c.trim() == id.to_string()),
            })
            .collect()
    }
}

/// A token the identity owns.
pub struct OwnedToken {
    pub href: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "identities/show.html")]
pub struct IdentityPage {
    pub layout: Layout,
    pub identity: IdentityView,
    pub tokens: Vec<OwnedToken>,
    pub panel: LimitsPanel,
    /// Where edit and delete go, when the administrator may change it.
    pub edit: Option<String>,
    pub delete: Option<String>,
}
