//! `/settings/administrators`: who may sign in, with role, scopes and last sign-in.

use actix_web::{HttpRequest, web};

use super::Admin;
use crate::db::DbError;
use crate::db::admins;
use crate::http::AppError;
use crate::state::AppState;
use crate::views::admins::{AdminRow, AdminsPage};
use crate::views::format::optional_datetime;
use crate::views::{Layout, Section};

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<AdminsPage, AppError> {
    let summaries = state
        .db
        .run(|c| admins::list(c).map_err(DbError::from))
        .await?;
    let me = admin.admin.admin.id;
    let rows = summaries
        .into_iter()
        .map(|s| AdminRow {
            is_you: s.admin.id == me,
            single_sign_on: s.admin.sso_subject.is_some(),
            enabled: s.admin.is_enabled(),
            last_sign_in: optional_datetime(&s.admin.last_sign_in_at, "Never"),
            scopes: if s.all_scopes {
                "All scopes".into()
            } else if s.scope_names.is_empty() {
                "No scopes".into()
            } else {
                s.scope_names.join(", ")
            },
            no_scopes: !s.all_scopes && s.scope_names.is_empty(),
            role_name: s.role_name,
            display_name: s.admin.display_name,
            public_id: s.admin.public_id,
            email: s.admin.email,
        })
        .collect();
    Ok(AdminsPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            "Administrators",
            Section::Administrators,
        ),
        rows,
    })
}
