//! Who is signed in, and whether they may do what a route does. Every admin route
//! takes [`CurrentAdmin`] or [`Authorized`]; without a permission, nothing is allowed.

use std::marker::PhantomData;
use std::ops::Deref;
use std::rc::Rc;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::session;
use crate::db::admins::{self, AdminAccess};
use crate::db::{DbError, audit::Actor};
use crate::domain::permissions::Permission;
use crate::domain::scopes::ScopeAccess;
use crate::http::AppError;
use crate::services::Caller;
use crate::state::AppState;

/// The signed-in, enabled administrator, loaded once per request.
#[derive(Clone)]
pub struct CurrentAdmin(Rc<AdminAccess>);

impl Deref for CurrentAdmin {
    type Target = AdminAccess;
    fn deref(&self) -> &AdminAccess {
        &self.0
    }
}

impl CurrentAdmin {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(permission)
    }

    /// The scopes whose tokens the administrator sees and changes.
    pub fn scope_access(&self) -> ScopeAccess {
        ScopeAccess::of(self.permissions, self.scope_ids.clone())
    }

    /// The administrator as the caller of a use case.
    pub fn caller(&self, req: &HttpRequest) -> Caller {
        Caller {
            actor: self.actor(req),
            permissions: self.permissions,
            scopes: self.scope_access(),
        }
    }

    /// The administrator as the author of audit events.
    pub fn actor(&self, req: &HttpRequest) -> Actor {
        Actor::administrator(&self.admin, crate::http::client::client_ip_text(req))
    }

    /// The administrator of this request, if one is signed in; for pages (such as
    /// error pages) that show more when someone is.
    pub async fn optional(req: &HttpRequest) -> Result<Option<CurrentAdmin>, AppError> {
        if let Some(admin) = req.extensions().get::<CurrentAdmin>() {
            return Ok(Some(admin.clone()));
        }
        let session = req.get_session();
        let Some(id) = session::admin_id(&session) else {
            return Ok(None);
        };
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("application state missing")))?;
        let access = state
            .db
            .run(move |c| admins::load_access(c, id).map_err(DbError::from))
            .await?;
        match access {
            Some(access) if access.admin.is_enabled() => {
                let admin = CurrentAdmin(Rc::new(access));
                req.extensions_mut().insert(admin.clone());
                Ok(Some(admin))
            }
            // Deleted or disabled meanwhile: the session is over.
            _ => {
                session::sign_out(&session);
                Ok(None)
            }
        }
    }
}

impl FromRequest for CurrentAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            CurrentAdmin::optional(&req)
                .await?
                .ok_or_else(|| AppError::SignInRequired {
                    next: (req.method() == actix_web::http::Method::GET)
                        .then(|| req.uri().path_and_query().map(|p| p.to_string()))
                        .flatten(),
                })
        })
    }
}

/// A permission a route requires, named by a marker type from [`perm`].
pub trait RequiredPermission {
    const PERMISSION: Permission;
}

/// The current administrator, who holds the permission `P`.
pub struct Authorized<P> {
    pub admin: CurrentAdmin,
    _permission: PhantomData<P>,
}

impl<P> Deref for Authorized<P> {
    type Target = CurrentAdmin;
    fn deref(&self) -> &CurrentAdmin {
        &self.admin
    }
}

impl<P: RequiredPermission + 'static> FromRequest for Authorized<P> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let admin = CurrentAdmin::from_request(req, payload);
        Box::pin(async move {
            let admin = admin.await?;
            if !admin.can(P::PERMISSION) {
                return Err(AppError::Forbidden);
            }
            Ok(Authorized {
                admin,
                _permission: PhantomData,
            })
        })
    }
}

/// Marker types naming the permission an [`Authorized`] extractor requires.
pub mod perm {
    use super::RequiredPermission;
    use crate::domain::permissions::Permission;

    macro_rules! markers {
        ($($name:ident => $permission:ident),* $(,)?) => {$(
            pub struct $name;
            impl RequiredPermission for $name {
                const PERMISSION: Permission = Permission::$permission;
            }
        )*};
    }

    markers! {
        TokensRead => TokensRead,
        TokensCreate => TokensCreate,
        TokensUpdate => TokensUpdate,
        TokensDelete => TokensDelete,
        TokensReveal => TokensReveal,
        AdminsManage => AdminsManage,
        SettingsManage => SettingsManage,
        AuditRead => AuditRead,
    }
}
