//! Settings > Scopes > a scope's policy: the rules its tokens follow. Saving
//! changes no token; those that break the new rules are a token health finding.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Admin, refused};
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::domain::scopes::policy::ScopePolicy;
use crate::domain::tokens::{Action, TokenType, parse_permission};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::catalog::{self, ScopeWithPolicy};
use crate::state::AppState;
use crate::urls;
use crate::views::catalog::{PolicyValues, ScopePolicyPage};
use crate::views::{Layout, Section, render_with_status};

/// What the policy form submits; ticked boxes are present.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    max_lifetime_days: String,
    #[serde(default)]
    expiry_required: Option<String>,
    #[serde(default)]
    allowed_types: Vec<String>,
    /// `any` or `only`.
    #[serde(default)]
    grants: String,
    #[serde(default)]
    allowed_grants: Vec<String>,
    #[serde(default)]
    networks_required: Option<String>,
    #[serde(default)]
    show_again: Option<String>,
}

impl PolicyForm {
    fn values(&self) -> PolicyValues {
        PolicyValues {
            max_lifetime_days: self.max_lifetime_days.trim().to_owned(),
            expiry_required: self.expiry_required.is_some(),
            allowed_types: self
                .allowed_types
                .iter()
                .filter_map(|t| TokenType::from_key(t))
                .collect(),
            limits_grants: self.grants == "only",
            grants: self
                .allowed_grants
                .iter()
                .filter_map(|g| parse_permission(g))
                .collect(),
            networks_required: self.networks_required.is_some(),
            show_again: self.show_again.is_some(),
        }
    }

    /// The policy the form stands for, or why it stands for none.
    fn policy(&self) -> Result<ScopePolicy, FieldErrors> {
        let values = self.values();
        let mut errors = FieldErrors::default();
        let max_lifetime_days = match values.max_lifetime_days.as_str() {
            "" => None,
            days => days.parse::<i64>().map(Some).unwrap_or_else(|_| {
                errors.add(
                    "max_lifetime_days",
                    "Enter a whole number of days, or leave it empty.",
                );
                None
            }),
        };
        errors.into_result(ScopePolicy {
            max_lifetime_days,
            expiry_required: values.expiry_required,
            allowed_types: values.allowed_types,
            allowed_grants: values.limits_grants.then_some(values.grants),
            networks_required: values.networks_required,
            show_again: values.show_again,
        })
    }
}

async fn page(
    req: &HttpRequest,
    admin: &Admin,
    found: ScopeWithPolicy,
    values: PolicyValues,
    errors: FieldErrors,
) -> ScopePolicyPage {
    let title = format!("Policy of {}", found.scope.name);
    ScopePolicyPage {
        layout: Layout::page(req, Some(admin), title, Section::Scopes),
        id: found.scope.id,
        scope: found.scope.name,
        values,
        errors,
        modules: found.modules,
        types: TokenType::ALL,
        actions: Action::ALL,
    }
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let found = catalog::read_policy(state.services(), &admin.caller(&req), *id).await?;
    let values = PolicyValues::of(&found.policy);
    let page = page(&req, &admin, found, values, FieldErrors::default()).await;
    render_with_status(StatusCode::OK, &page)
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<PolicyForm>,
) -> Result<HttpResponse, AppError> {
    let (services, caller) = (state.services(), admin.caller(&req));
    let policy = form.policy();
    let saved = catalog::save_policy(services, &caller, *id, move |_| policy).await;
    let (errors, status) = match saved {
        Ok(found) => {
            let message = format!(
                "Saved the policy of {}. Tokens made before keep their settings: Token health lists those that break it.",
                found.scope.name
            );
            session::flash(&session, FlashKind::Success, message);
            return Ok(see_other(urls::SCOPES));
        }
        Err(error) => refused(error)?,
    };
    let found = catalog::read_policy(services, &caller, *id).await?;
    let page = page(&req, &admin, found, form.values(), errors).await;
    render_with_status(status, &page)
}
