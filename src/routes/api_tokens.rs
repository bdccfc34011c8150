//! Settings > API tokens.

use actix_web::HttpRequest;

use crate::auth::{Authorized, perm};
use crate::domain::permissions::Permission;
use crate::views::tokens::TokensPage;
use crate::views::{Layout, Section};

pub async fn list(req: HttpRequest, admin: Authorized<perm::TokensRead>) -> TokensPage {
    TokensPage {
        layout: Layout::page(&req, Some(&admin), "API tokens", Section::ApiTokens),
        can_create: admin.can(Permission::TokensCreate),
    }
}
