//! Settings > Notifications (`settings.manage`): the expiry run's lead times and
//! hour, and a test mail.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::now;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::expiry::{self, ExpiryError};
use crate::services::mail;
use crate::state::AppState;
use crate::urls;
use crate::views::notifications::NotificationsPage;
use crate::views::{Layout, Section, render_with_status};

type Admin = Authorized<perm::SettingsManage>;

#[derive(Debug, Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    lead_days: String,
    #[serde(default)]
    run_hour: String,
}

fn page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    form: ScheduleForm,
    errors: FieldErrors,
) -> NotificationsPage {
    NotificationsPage {
        layout: Layout::page(req, Some(admin), "Notifications", Section::Notifications),
        lead_days: form.lead_days,
        run_hour: form.run_hour,
        errors,
        mail_from: state.config.mail.as_ref().map(|m| m.from.to_string()),
        own_address: admin.admin.admin.email.clone(),
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<NotificationsPage, AppError> {
    let schedule = expiry::schedule(state.services(), &admin.caller(&req)).await?;
    let form = ScheduleForm {
        lead_days: schedule.lead_text(),
        run_hour: schedule.run_hour.to_string(),
    };
    Ok(page(&req, &state, &admin, form, FieldErrors::default()))
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    CsrfForm(form): CsrfForm<ScheduleForm>,
) -> Result<HttpResponse, AppError> {
    let caller = admin.caller(&req);
    let (leads, hour) = (form.lead_days.clone(), form.run_hour.clone());
    match expiry::save_schedule(state.services(), &caller, leads, hour).await {
        Ok(_) => {
            session::flash(
                &session,
                FlashKind::Success,
                "The notification settings were saved.",
            );
            Ok(see_other(urls::NOTIFICATIONS))
        }
        Err(ExpiryError::Invalid(errors)) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&req, &state, &admin, form, errors),
        ),
        Err(error) => Err(error.into()),
    }
}

pub async fn test_mail(
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    if state.config.mail.is_none() {
        return Err(AppError::Conflict(
            "Mail is not set up: set TESSERA_SMTP_URL and TESSERA_MAIL_FROM.".into(),
        ));
    }
    let (address, name) = (
        admin.admin.admin.email.clone(),
        admin.admin.admin.display_name.clone(),
    );
    mail::send_test(&state.db, address.clone(), name, now()).await?;
    session::flash(
        &session,
        FlashKind::Success,
        format!("A test email is on its way to {address}."),
    );
    Ok(see_other(urls::NOTIFICATIONS))
}
