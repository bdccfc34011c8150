//! What can be done to a webhook from its page: a test event, redelivery, pause
//! and resume, a new secret, and deleting it.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Admin, back_to_endpoint, secret_page};
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::domain::webhooks::destination::redacted;
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::webhooks;
use crate::state::AppState;
use crate::urls;
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::format::datetime;
use crate::views::{Layout, Section};

pub async fn send_test(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    public_id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    webhooks::send_test(state.services(), &admin.caller(&req), &public_id).await?;
    Ok(back_to_endpoint(
        &session,
        &public_id,
        FlashKind::Success,
        "A test event is on its way; its delivery shows below in a moment.",
    ))
}

pub async fn redeliver(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<(String, i64)>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (public_id, delivery) = path.into_inner();
    webhooks::redeliver(state.services(), &admin.caller(&req), &public_id, delivery).await?;
    Ok(back_to_endpoint(
        &session,
        &public_id,
        FlashKind::Success,
        "The event will be sent again in a moment.",
    ))
}

/// Pause (`enabled` false) or resume.
async fn switch(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    public_id: web::Path<String>,
    enabled: bool,
) -> Result<HttpResponse, AppError> {
    webhooks::set_enabled(state.services(), &admin.caller(&req), &public_id, enabled).await?;
    let message = if enabled {
        "The webhook was resumed."
    } else {
        "The webhook was paused: events are not sent to it until it is resumed."
    };
    Ok(back_to_endpoint(
        &session,
        &public_id,
        FlashKind::Success,
        message,
    ))
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    public_id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    switch(req, state, session, admin, public_id, true).await
}

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    public_id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    switch(req, state, session, admin, public_id, false).await
}

pub async fn rotate_secret(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    public_id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let rotated =
        webhooks::rotate_secret(state.services(), &admin.caller(&req), &public_id).await?;
    secret_page(
        &req,
        &admin,
        &public_id,
        &rotated.url,
        rotated.secret.expose(),
        Some(datetime(&rotated.previous_until)),
    )
}

pub async fn delete_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    public_id: web::Path<String>,
) -> Result<ConfirmPage, AppError> {
    let item = webhooks::endpoint(state.services(), &admin.caller(&req), &public_id).await?;
    Ok(ConfirmPage {
        layout: Layout::page(&req, Some(&admin), "Delete webhook", Section::Webhooks),
        back: Link {
            href: urls::webhook(&public_id, None),
            label: "Webhook".into(),
        },
        confirmation: Confirmation {
            title: format!(
                "Delete the webhook to {}?",
                redacted(&item.endpoint.url)
            ),
            body: "Events are no longer sent to it, and its delivery log is deleted with it. The audit log keeps that it existed.".into(),
            button: "Delete webhook",
            danger: true,
            action: urls::webhook(&public_id, Some("delete")),
            grace: false,
        },
        version: None,
    })
}

pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    public_id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    webhooks::delete(state.services(), &admin.caller(&req), &public_id).await?;
    session::flash(&session, FlashKind::Success, "The webhook was deleted.");
    Ok(see_other(urls::WEBHOOKS))
}
