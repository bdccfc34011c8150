//! Settings > Identities: the list, adding and editing one, its page with its
//! tokens and usage control, and deleting it. The same services as the API.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::api_tokens::limits::LimitsFields;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::now;
use crate::domain::identities::{IdentityInput, pretty_metadata};
use crate::domain::limits::read_form;
use crate::domain::permissions::Permission;
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::identities::{self as service, IdentityError, LIST_LIMIT};
use crate::services::limits::set_for_identity;
use crate::services::tokens::catalog_for;
use crate::state::AppState;
use crate::urls;
use crate::views::identities::{
    IdentitiesPage, IdentityFormPage, IdentityPage, IdentityView, OwnedToken,
};
use crate::views::limits::LimitsPanel;
use crate::views::{Layout, Section, render_with_status};

type Reader = Authorized<perm::TokensRead>;
type Editor = Authorized<perm::TokensUpdate>;

/// Settings > Identities and what is under it.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route(urls::IDENTITIES, web::get().to(list))
        .route(urls::IDENTITIES, web::post().to(create))
        .route(urls::NEW_IDENTITY, web::get().to(new_form))
        .route("/settings/identities/{id}", web::get().to(show))
        .service(
            web::resource("/settings/identities/{id}/edit")
                .get(edit_form)
                .post(update),
        )
        .route(
            "/settings/identities/{id}/limits",
            web::post().to(save_limits),
        )
        .route("/settings/identities/{id}/delete", web::post().to(delete));
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
}

/// The identity form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct IdentityFields {
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    metadata: String,
    #[serde(default)]
    scopes: Vec<String>,
    version: Option<i32>,
}

impl IdentityFields {
    fn input(&self) -> IdentityInput {
        IdentityInput {
            external_id: self.external_id.clone(),
            name: self.name.clone(),
            metadata: self.metadata.clone(),
            scopes: self.scopes.clone(),
        }
    }
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Reader,
    query: web::Query<ListQuery>,
) -> Result<IdentitiesPage, AppError> {
    let caller = admin.caller(&req);
    let found = service::list(state.services(), &caller, &query.q).await?;
    let running_low = crate::services::limits::running_low(state.services(), &caller).await?;
    Ok(IdentitiesPage {
        running_low,
        layout: Layout::page(&req, Some(&admin), "Identities", Section::Identities),
        identities: found.iter().map(IdentityView::of).collect(),
        search: query.q.trim().to_owned(),
        can_add: admin.can(Permission::TokensUpdate),
        limit: LIST_LIMIT,
    })
}

/// The form, new (`version` none) or an edit, with what was typed and its errors.
async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Editor,
    (action, back, version): (String, String, Option<i32>),
    input: IdentityInput,
    errors: crate::domain::validation::FieldErrors,
) -> Result<IdentityFormPage, AppError> {
    let choices = catalog_for(state.services(), &admin.caller(req)).await?;
    Ok(IdentityFormPage {
        layout: Layout::page(req, Some(admin), "Identity", Section::Identities),
        scopes: IdentityFormPage::scope_choices(&choices.scopes, &input.scopes),
        action,
        back,
        version,
        input,
        errors,
    })
}

async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
) -> Result<IdentityFormPage, AppError> {
    let target = (
        urls::IDENTITIES.to_owned(),
        urls::IDENTITIES.to_owned(),
        None,
    );
    form_page(
        &req,
        &state,
        &admin,
        target,
        IdentityInput::default(),
        Default::default(),
    )
    .await
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Editor,
    form: CsrfForm<IdentityFields>,
) -> Result<HttpResponse, AppError> {
    let input = form.0.input();
    match service::create(state.services(), &admin.caller(&req), input.clone()).await {
        Ok(identity) => {
            session::flash(
                &session,
                FlashKind::Success,
                format!("{} added.", identity.name),
            );
            Ok(see_other(&urls::identity(&identity.public_id)))
        }
        Err(IdentityError::Invalid(errors)) => {
            let target = (
                urls::IDENTITIES.to_owned(),
                urls::IDENTITIES.to_owned(),
                None,
            );
            let page = form_page(&req, &state, &admin, target, input, errors).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Reader,
    id: web::Path<String>,
) -> Result<IdentityPage, AppError> {
    let found = service::find(state.services(), &admin.caller(&req), &id).await?;
    let public_id = found.identity.identity.public_id.clone();
    let may_change = admin.can(Permission::TokensUpdate)
        && admin
            .scope_access()
            .foreign(&found.identity.scopes)
            .is_empty();
    let action = may_change.then(|| urls::identity_action(&public_id, "limits"));
    let panel = LimitsPanel::new(
        &found.limits,
        found.credits.as_ref(),
        &state.verifier.limiter,
        now(),
        action,
    );
    Ok(IdentityPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            found.identity.identity.name.clone(),
            Section::Identities,
        ),
        identity: IdentityView::of(&found.identity),
        tokens: found
            .tokens
            .iter()
            .map(|(_, guid, name)| OwnedToken {
                href: urls::token(guid),
                name: name.clone(),
            })
            .collect(),
        panel,
        edit: may_change.then(|| urls::identity_action(&public_id, "edit")),
        delete: may_change.then(|| urls::identity_action(&public_id, "delete")),
    })
}

async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
    id: web::Path<String>,
) -> Result<IdentityFormPage, AppError> {
    let found = service::find(state.services(), &admin.caller(&req), &id).await?;
    let i = &found.identity.identity;
    let input = IdentityInput {
        external_id: i.external_id.clone(),
        name: i.name.clone(),
        metadata: pretty_metadata(&i.metadata),
        scopes: found
            .identity
            .scope_ids()
            .iter()
            .map(i64::to_string)
            .collect(),
    };
    let target = (
        urls::identity_action(&i.public_id, "edit"),
        urls::identity(&i.public_id),
        Some(i.version),
    );
    form_page(&req, &state, &admin, target, input, Default::default()).await
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Editor,
    id: web::Path<String>,
    form: CsrfForm<IdentityFields>,
) -> Result<HttpResponse, AppError> {
    let (input, version) = (form.0.input(), form.0.version.unwrap_or(0));
    match service::update(
        state.services(),
        &admin.caller(&req),
        &id,
        version,
        input.clone(),
    )
    .await
    {
        Ok(()) => {
            session::flash(&session, FlashKind::Success, "Identity saved.");
            Ok(see_other(&urls::identity(&id)))
        }
        Err(IdentityError::Invalid(errors)) => {
            let target = (
                urls::identity_action(&id, "edit"),
                urls::identity(&id),
                Some(version),
            );
            let page = form_page(&req, &state, &admin, target, input, errors).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other.into()),
    }
}

async fn save_limits(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Editor,
    id: web::Path<String>,
    form: CsrfForm<LimitsFields>,
) -> Result<HttpResponse, AppError> {
    let f = &form.0;
    match read_form(&f.limits, &f.credits, &f.refill, &f.refill_amount) {
        Ok(control) => {
            set_for_identity(state.services(), &admin.caller(&req), &id, control).await?;
            session::flash(&session, FlashKind::Success, "Limits and credits saved.");
        }
        Err(errors) => {
            let message = errors.iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ");
            session::flash(&session, FlashKind::Error, message);
        }
    }
    Ok(see_other(&urls::identity(&id)))
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Editor,
    id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    service::delete(state.services(), &admin.caller(&req), &id).await?;
    session::flash(
        &session,
        FlashKind::Success,
        "Identity deleted; its tokens stay.",
    );
    Ok(see_other(urls::IDENTITIES))
}
