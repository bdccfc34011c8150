//! Settings > Webhooks (`settings.manage`): the endpoints, adding one (its secret
//! shown once), and its page with the delivery log and settings; what can be done
//! to it is in [`actions`].

pub mod actions;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::{DbError, catalog, now};
use crate::domain::validation::FieldErrors;
use crate::domain::webhooks::destination::redacted;
use crate::domain::webhooks::{EndpointInput, EventType};
use crate::http::AppError;
use crate::http::headers::no_store;
use crate::routes::see_other;
use crate::services::webhooks::{self, WebhookError};
use crate::state::AppState;
use crate::urls;
use crate::views::webhooks::{
    DeliveryView, EndpointForm, EndpointView, NewWebhookPage, WebhookPage, WebhookSecretPage,
    WebhooksPage,
};
use crate::views::{Layout, Section, render_with_status};

pub type Admin = Authorized<perm::SettingsManage>;

/// An endpoint's fields as posted; the version when changing one.
#[derive(Debug, Default, Deserialize)]
pub struct EndpointFields {
    #[serde(default)]
    url: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    events: Vec<String>,
    #[serde(default)]
    scope_limit: String,
    #[serde(default)]
    scopes: Vec<String>,
    version: Option<i32>,
}

impl EndpointFields {
    fn input(&self) -> EndpointInput {
        EndpointInput {
            url: self.url.clone(),
            description: self.description.clone(),
            events: self.events.clone(),
            scope_limit: self.scope_limit.clone(),
            scopes: self.scopes.clone(),
        }
    }
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<WebhooksPage, AppError> {
    let endpoints = webhooks::list(state.services(), &admin.caller(&req)).await?;
    Ok(WebhooksPage {
        layout: Layout::page(&req, Some(&admin), "Webhooks", Section::Webhooks),
        endpoints: endpoints
            .iter()
            .map(|(endpoint, last)| {
                let last = last.as_ref().map(|row| DeliveryView::of(row, &now()));
                (EndpointView::of(endpoint), last)
            })
            .collect(),
        can_sign: state.config.webhook_key.is_some(),
    })
}

async fn fields(
    state: &AppState,
    action: String,
    form: EndpointInput,
    errors: FieldErrors,
    version: Option<i32>,
) -> Result<EndpointForm, AppError> {
    let scopes = state
        .db
        .run(|c| Ok::<_, DbError>(catalog::list_scopes(c)?))
        .await?;
    let policy = state.config.webhook_policy;
    Ok(EndpointForm {
        action,
        form,
        errors,
        version,
        events: EventType::subscribable().collect(),
        scopes,
        allow_http: policy.allow_http && policy.allow_private,
    })
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<NewWebhookPage, AppError> {
    // What most receivers want; the others are a tick away.
    let events = [
        EventType::TokenCreated,
        EventType::TokenRegenerated,
        EventType::TokenRevoked,
        EventType::TokenExpiring,
    ];
    let form = EndpointInput {
        events: events.map(|e| e.key().to_owned()).to_vec(),
        scope_limit: "all".into(),
        ..EndpointInput::default()
    };
    new_page(&req, &state, &admin, form, FieldErrors::default()).await
}

async fn new_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    form: EndpointInput,
    errors: FieldErrors,
) -> Result<NewWebhookPage, AppError> {
    Ok(NewWebhookPage {
        layout: Layout::page(req, Some(admin), "Add a webhook", Section::Webhooks),
        fields: fields(state, urls::NEW_WEBHOOK.into(), form, errors, None).await?,
        can_sign: state.config.webhook_key.is_some(),
    })
}

/// The one page that shows a signing secret: after adding an endpoint, or after
/// a new secret (`previous_until`: until when the old one also signs).
fn secret_page(
    req: &HttpRequest,
    admin: &Admin,
    public_id: &str,
    url: &str,
    secret: String,
    previous_until: Option<String>,
) -> Result<HttpResponse, AppError> {
    let page = WebhookSecretPage {
        layout: Layout::page(
            req,
            Some(admin),
            "Copy the signing secret",
            Section::Webhooks,
        ),
        url: redacted(url),
        secret,
        endpoint_href: urls::webhook(public_id, None),
        previous_until,
    };
    render_with_status(StatusCode::OK, &page).map(no_store)
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    CsrfForm(posted): CsrfForm<EndpointFields>,
) -> Result<HttpResponse, AppError> {
    let caller = admin.caller(&req);
    let policy = state.config.webhook_policy;
    match webhooks::create(state.services(), &caller, posted.input(), policy).await {
        Ok(created) => secret_page(
            &req,
            &admin,
            &created.endpoint.public_id,
            &created.endpoint.url,
            created.secret.expose(),
            None,
        ),
        Err(WebhookError::Invalid(errors)) => {
            let page = new_page(&req, &state, &admin, posted.input(), errors).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(error) => Err(error.into()),
    }
}

async fn endpoint_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    public_id: &str,
    posted: Option<(EndpointInput, FieldErrors)>,
) -> Result<WebhookPage, AppError> {
    let (item, log) = webhooks::find(state.services(), &admin.caller(req), public_id).await?;
    let endpoint = EndpointView::of(&item);
    let (form, errors) = posted.unwrap_or_else(|| {
        let current = EndpointInput {
            url: item.endpoint.url.clone(),
            description: item.endpoint.description.clone(),
            events: item
                .endpoint
                .events()
                .iter()
                .map(|e| e.key().to_owned())
                .collect(),
            scope_limit: if item.endpoint.every_scope {
                "all"
            } else {
                "listed"
            }
            .into(),
            scopes: item.scopes.iter().map(|(id, _)| id.to_string()).collect(),
        };
        (current, FieldErrors::default())
    });
    let now = now();
    Ok(WebhookPage {
        layout: Layout::page(req, Some(admin), "Webhook", Section::Webhooks),
        fields: fields(
            state,
            urls::webhook(public_id, None),
            form,
            errors,
            Some(endpoint.version),
        )
        .await?,
        endpoint,
        deliveries: log.iter().map(|row| DeliveryView::of(row, &now)).collect(),
    })
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    public_id: web::Path<String>,
) -> Result<WebhookPage, AppError> {
    endpoint_page(&req, &state, &admin, &public_id, None).await
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    public_id: web::Path<String>,
    CsrfForm(posted): CsrfForm<EndpointFields>,
) -> Result<HttpResponse, AppError> {
    let caller = admin.caller(&req);
    let policy = state.config.webhook_policy;
    let version = posted.version.unwrap_or_default();
    match webhooks::update(
        state.services(),
        &caller,
        &public_id,
        version,
        posted.input(),
        policy,
    )
    .await
    {
        Ok(()) => Ok(back_to_endpoint(
            &session,
            &public_id,
            FlashKind::Success,
            "The webhook's settings were saved.",
        )),
        Err(WebhookError::Invalid(errors)) => {
            let page = endpoint_page(
                &req,
                &state,
                &admin,
                &public_id,
                Some((posted.input(), errors)),
            )
            .await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(WebhookError::Conflict) => Ok(back_to_endpoint(
            &session,
            &public_id,
            FlashKind::Error,
            WebhookError::Conflict.to_string(),
        )),
        Err(error) => Err(error.into()),
    }
}

/// The endpoint's page again, saying how the change went.
fn back_to_endpoint(
    session: &Session,
    public_id: &str,
    kind: FlashKind,
    message: impl Into<String>,
) -> HttpResponse {
    session::flash(session, kind, message);
    see_other(&urls::webhook(public_id, None))
}
