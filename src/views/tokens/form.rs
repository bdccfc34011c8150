//! The create and edit form.

use askama::Template;
use askama_web::WebTemplate;

use crate::db::catalog::{ModuleWithPaths, Scope};
use crate::domain::ids::Guid;
use crate::domain::scopes::policy::ScopeRules;
use crate::domain::tokens::{Action, DurationChoice, TokenType};
use crate::domain::validation::FieldErrors;
use crate::urls::{self, TokenPage};
use crate::views::Layout;

/// What the token form shows, as typed.
#[derive(Debug, Default, Clone)]
pub struct TokenFormValues {
    pub name: String,
    pub description: String,
    pub guid: String,
    pub scopes: Vec<i64>,
    pub duration: String,
    pub valid_from: String,
    pub valid_to: String,
    pub token_type: String,
    pub permissions: Vec<(i64, Action)>,
    pub allowed_networks: String,
    pub can_introspect: bool,
    /// The owning identity's external ID; empty for none.
    pub identity: String,
}

impl TokenFormValues {
    pub fn has_scope(&self, id: &i64) -> bool {
        self.scopes.contains(id)
    }

    pub fn grants(&self, module_id: &i64, action: &Action) -> bool {
        self.permissions.contains(&(*module_id, *action))
    }
}

pub struct DurationOption {
    pub value: &'static str,
    pub label: &'static str,
}

/// Create or edit: one form, two modes.
pub enum FormMode {
    Create,
    Edit {
        guid: Guid,
        version: i32,
        current_window: String,
    },
}

#[derive(Template, WebTemplate)]
#[template(path = "tokens/form.html")]
pub struct TokenFormPage {
    pub layout: Layout,
    pub mode: FormMode,
    pub values: TokenFormValues,
    pub errors: FieldErrors,
    /// A conflict with someone else's save, shown above the form.
    pub conflict: Option<String>,
    pub scopes: Vec<Scope>,
    pub modules: Vec<ModuleWithPaths>,
    /// The offered scopes' policies, shown for the scopes ticked.
    pub policies: Vec<ScopeRules>,
    /// May add scopes and modules (where there are none to choose).
    pub manages_catalog: bool,
    pub durations: Vec<DurationOption>,
    pub types: Vec<(TokenType, bool)>,
    pub actions: [Action; 2],
    /// Earliest date the pickers allow (today, UTC).
    pub today: String,
}

impl TokenFormPage {
    pub fn is_edit(&self) -> bool {
        matches!(self.mode, FormMode::Edit { .. })
    }

    /// Where Cancel leads: back to the token being edited, or to the list.
    pub fn cancel_url(&self) -> String {
        match &self.mode {
            FormMode::Create => urls::TOKENS.into(),
            FormMode::Edit { guid, .. } => urls::token(guid),
        }
    }

    pub fn action_url(&self) -> String {
        match &self.mode {
            FormMode::Create => urls::NEW_TOKEN.into(),
            FormMode::Edit { guid, .. } => urls::token_page(guid, TokenPage::Edit),
        }
    }

    pub fn duration_is(&self, value: &str) -> bool {
        self.values.duration == value
    }
}

pub fn duration_options(editing: bool) -> Vec<DurationOption> {
    let mut options = Vec::new();
    if editing {
        options.push(DurationOption {
            value: "keep",
            label: "Keep the current dates",
        });
    }
    options.extend(
        DurationChoice::PRESETS
            .iter()
            .map(|(value, label)| DurationOption { value, label }),
    );
    options.push(DurationOption {
        value: "custom",
        label: "Custom dates",
    });
    options
}
