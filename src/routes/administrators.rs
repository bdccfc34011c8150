//! Settings > Administrators: list, add, change role and scopes, set a password,
//! disable and enable. Only for administrators with `admins.manage`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;
use serde::Deserialize;

use super::{parse_ids, parse_version, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::DbError;
use crate::db::admins::{self, AdminWriteError, Administrator, NewAdmin, Role};
use crate::db::audit::{self, Target};
use crate::db::catalog::{self, Scope};
use crate::domain::admins::{generate_public_id, validate_details, validate_new_password};
use crate::domain::audit::AuditAction;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::passwords::{self, Password};
use crate::state::AppState;
use crate::views::admins::{
    AccessValues, AdminRow, AdminsPage, EditAdminPage, NewAdminPage, NewAdminValues,
};
use crate::views::format::optional_datetime;
use crate::views::{Layout, Section, render_with_status};

type Admin = Authorized<perm::AdminsManage>;

const SUPER_ADMIN: &str = "super_admin";

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
            enabled: s.admin.is_enabled(),
            last_sign_in: optional_datetime(&s.admin.last_sign_in_at, "Never"),
            scopes: if s.scope_names.is_empty() {
                "—".into()
            } else {
                s.scope_names.join(", ")
            },
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

async fn choices(state: &AppState) -> Result<(Vec<Role>, Vec<Scope>), AppError> {
    Ok(state
        .db
        .run(|c| Ok::<_, DbError>((admins::roles(c)?, catalog::list_scopes(c)?)))
        .await?)
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<NewAdminPage, AppError> {
    let (roles, scopes) = choices(&state).await?;
    Ok(NewAdminPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            "Add administrator",
            Section::Administrators,
        ),
        form: NewAdminValues::default(),
        access: AccessValues {
            role: "viewer".into(),
            scopes: Vec::new(),
        },
        roles,
        scopes,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct NewAdminForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    password: Password,
    #[serde(default)]
    password_confirmation: Password,
}

/// Checks the chosen role and scopes against what exists.
fn check_access(
    errors: &mut FieldErrors,
    roles: &[Role],
    scopes: &[Scope],
    role: &str,
    scope_ids: &[i64],
) {
    if !roles.iter().any(|r| r.role_key == role) {
        errors.add("role", "Choose a role.");
    }
    if scope_ids
        .iter()
        .any(|id| !scopes.iter().any(|s| s.id == *id))
    {
        errors.add(
            "scopes",
            "One of the chosen scopes no longer exists. Choose again.",
        );
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    CsrfForm(form): CsrfForm<NewAdminForm>,
) -> Result<HttpResponse, AppError> {
    let (roles, scopes) = choices(&state).await?;
    let scope_ids = parse_ids(&form.scopes);
    let mut errors = FieldErrors::default();
    let details = validate_details(&form.display_name, &form.email);
    if let Err(e) = &details {
        for (field, message) in e.iter() {
            errors.add(field, message);
        }
    }
    check_access(&mut errors, &roles, &scopes, &form.role, &scope_ids);
    validate_new_password(
        &mut errors,
        form.password.expose(),
        form.password_confirmation.expose(),
        &form.email.trim().to_lowercase(),
    );
    let rerender = |errors: FieldErrors, status: StatusCode| {
        let page = NewAdminPage {
            layout: Layout::page(
                &req,
                Some(&admin),
                "Add administrator",
                Section::Administrators,
            ),
            form: NewAdminValues {
                display_name: form.display_name.clone(),
                email: form.email.clone(),
            },
            access: AccessValues {
                role: form.role.clone(),
                scopes: scope_ids.clone(),
            },
            roles: roles.clone(),
            scopes: scopes.clone(),
            errors,
        };
        render_with_status(status, &page)
    };
    let details = match details {
        Ok(d) if errors.is_empty() => d,
        _ => return rerender(errors, StatusCode::UNPROCESSABLE_ENTITY),
    };

    let password = form.password.clone();
    let hash = state
        .hashing
        .run(move || passwords::hash(&password))
        .await?;
    let actor = admin.actor(&req);
    let role = form.role.clone();
    let ids = scope_ids.clone();
    let created = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                let public_id = generate_public_id();
                let created = admins::create(
                    c,
                    &NewAdmin {
                        public_id: &public_id,
                        display_name: &details.display_name,
                        email: &details.email,
                        password_hash: &hash,
                        role_key: &role,
                        scope_ids: &ids,
                    },
                )?;
                let details = serde_json::json!({ "role": role, "scope_ids": ids }).to_string();
                audit::record(
                    c,
                    &actor,
                    AuditAction::AdminCreated,
                    &target(&created),
                    &details,
                )?;
                Ok::<_, AdminWriteError>(created)
            })
        })
        .await;
    match created {
        Ok(created) => {
            session::flash(
                &session,
                FlashKind::Success,
                format!("{} can now sign in as {}.", created.label(), created.email),
            );
            Ok(see_other("/settings/administrators"))
        }
        Err(AdminWriteError::EmailTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("email", "An administrator with this email already exists.");
            rerender(errors, StatusCode::CONFLICT)
        }
        Err(AdminWriteError::UnknownReference) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "scopes",
                "One of the chosen scopes no longer exists. Choose again.",
            );
            rerender(errors, StatusCode::CONFLICT)
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

/// An administrator as the subject of an audit event.
pub fn target(admin: &Administrator) -> Target<'_> {
    Target {
        kind: crate::domain::audit::TargetKind::Administrator,
        id: Some(&admin.public_id),
        label: &admin.display_name,
    }
}

async fn find(state: &AppState, public_id: String) -> Result<admins::AdminSummary, AppError> {
    state
        .db
        .run(move |c| admins::summary(c, &public_id).map_err(DbError::from))
        .await?
        .ok_or(AppError::NotFound)
}

#[allow(clippy::too_many_arguments)]
fn edit_page(
    req: &HttpRequest,
    admin: &Admin,
    summary: admins::AdminSummary,
    access: AccessValues,
    roles: Vec<Role>,
    scopes: Vec<Scope>,
    errors: FieldErrors,
    password_errors: FieldErrors,
) -> EditAdminPage {
    let target = summary.admin;
    EditAdminPage {
        layout: Layout::page(
            req,
            Some(admin),
            target.display_name.clone(),
            Section::Administrators,
        ),
        is_you: target.id == admin.admin.admin.id,
        enabled: target.is_enabled(),
        version: target.version,
        public_id: target.public_id,
        display_name: target.display_name,
        email: target.email,
        access,
        roles,
        scopes,
        errors,
        password_errors,
    }
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<EditAdminPage, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let (roles, scopes) = choices(&state).await?;
    let access = AccessValues {
        role: summary.admin.role_key.clone(),
        scopes: summary.scope_ids.clone(),
    };
    Ok(edit_page(
        &req,
        &admin,
        summary,
        access,
        roles,
        scopes,
        FieldErrors::default(),
        FieldErrors::default(),
    ))
}

#[derive(Deserialize)]
pub struct AccessForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scopes: Vec<String>,
}

/// Refuses to leave Tessera without an enabled Super Admin.
fn keeps_a_super_admin(
    c: &mut crate::db::DbConnection,
    target: &Administrator,
    still_super: bool,
) -> Result<(), AdminWriteError> {
    let is_last = target.role_key == SUPER_ADMIN
        && target.is_enabled()
        && !still_super
        && admins::count_enabled_with_role(c, SUPER_ADMIN)? <= 1;
    if is_last {
        return Err(AdminWriteError::LastSuperAdmin);
    }
    Ok(())
}

const LAST_SUPER_ADMIN: &str =
    "This is the last enabled Super Admin; make someone else Super Admin first.";
const CHANGED_MEANWHILE: &str = "Someone else changed this administrator while you were editing. The page now shows their changes; make yours again if still needed.";

pub async fn update_access(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<AccessForm>,
) -> Result<HttpResponse, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let version = parse_version(&form.version)?;
    let (roles, scopes) = choices(&state).await?;
    let scope_ids = parse_ids(&form.scopes);
    let mut errors = FieldErrors::default();
    check_access(&mut errors, &roles, &scopes, &form.role, &scope_ids);
    let location = format!("/settings/administrators/{}", summary.admin.public_id);
    if !errors.is_empty() {
        let access = AccessValues {
            role: form.role,
            scopes: scope_ids,
        };
        let page = edit_page(
            &req,
            &admin,
            summary,
            access,
            roles,
            scopes,
            errors,
            FieldErrors::default(),
        );
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let actor = admin.actor(&req);
    let target_admin = summary.admin.clone();
    let role = form.role.clone();
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                keeps_a_super_admin(c, &target_admin, role == SUPER_ADMIN)?;
                admins::update_access(c, target_admin.id, version, &role, &scope_ids)?;
                let details =
                    serde_json::json!({ "role": role, "scope_ids": scope_ids }).to_string();
                audit::record(
                    c,
                    &actor,
                    AuditAction::AdminAccessChanged,
                    &target(&target_admin),
                    &details,
                )?;
                Ok::<_, AdminWriteError>(())
            })
        })
        .await;
    finish(
        &session,
        result,
        &location,
        format!(
            "Saved the role and scopes of {}.",
            summary.admin.display_name
        ),
    )
}

/// Turns the outcome of a change into a flash message and a redirect to `location`.
fn finish(
    session: &Session,
    result: Result<(), AdminWriteError>,
    location: &str,
    success: String,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(()) => session::flash(session, FlashKind::Success, success),
        Err(AdminWriteError::Conflict) => {
            session::flash(session, FlashKind::Error, CHANGED_MEANWHILE)
        }
        Err(AdminWriteError::LastSuperAdmin) => {
            session::flash(session, FlashKind::Error, LAST_SUPER_ADMIN)
        }
        Err(AdminWriteError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    }
    Ok(see_other(location))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: Password,
    #[serde(default)]
    password_confirmation: Password,
}

pub async fn set_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let mut errors = FieldErrors::default();
    validate_new_password(
        &mut errors,
        form.password.expose(),
        form.password_confirmation.expose(),
        &summary.admin.email,
    );
    if !errors.is_empty() {
        let (roles, scopes) = choices(&state).await?;
        let access = AccessValues {
            role: summary.admin.role_key.clone(),
            scopes: summary.scope_ids.clone(),
        };
        let page = edit_page(
            &req,
            &admin,
            summary,
            access,
            roles,
            scopes,
            FieldErrors::default(),
            errors,
        );
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let password = form.password;
    let hash = state
        .hashing
        .run(move || passwords::hash(&password))
        .await?;
    let actor = admin.actor(&req);
    let target_admin = summary.admin.clone();
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                // Every session of the administrator ends, this one too if it is theirs.
                admins::set_password(c, target_admin.id, &hash, None)?;
                audit::record(
                    c,
                    &actor,
                    AuditAction::AdminPasswordSet,
                    &target(&target_admin),
                    "",
                )?;
                Ok::<_, AdminWriteError>(())
            })
        })
        .await;
    let location = format!("/settings/administrators/{}", summary.admin.public_id);
    finish(
        &session,
        result,
        &location,
        format!(
            "Set a new password for {}; they were signed out everywhere.",
            summary.admin.display_name
        ),
    )
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: String,
}

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    set_disabled(req, state, session, admin, path.into_inner(), form, true).await
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    set_disabled(req, state, session, admin, path.into_inner(), form, false).await
}

async fn set_disabled(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    public_id: String,
    form: VersionForm,
    disabled: bool,
) -> Result<HttpResponse, AppError> {
    let summary = find(&state, public_id).await?;
    if summary.admin.id == admin.admin.admin.id {
        return Err(AppError::bad_request(
            "You cannot disable or enable yourself.",
        ));
    }
    let version = parse_version(&form.version)?;
    let actor = admin.actor(&req);
    let target_admin = summary.admin.clone();
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                if disabled {
                    keeps_a_super_admin(c, &target_admin, false)?;
                }
                admins::set_disabled(c, target_admin.id, version, disabled)?;
                let action = if disabled {
                    AuditAction::AdminDisabled
                } else {
                    AuditAction::AdminEnabled
                };
                audit::record(c, &actor, action, &target(&target_admin), "")?;
                Ok::<_, AdminWriteError>(())
            })
        })
        .await;
    let name = &summary.admin.display_name;
    let success = if disabled {
        format!("Disabled {name} and ended their sessions.")
    } else {
        format!("Enabled {name}; they can sign in again.")
    };
    let location = format!("/settings/administrators/{}", summary.admin.public_id);
    finish(&session, result, &location, success)
}
