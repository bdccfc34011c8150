//! `GET /profile/api-tokens`: the tokens the signed-in administrator created, with
//! the list's filters and pages, and Generate New Token.

use actix_web::{HttpRequest, web};

use super::{ProfileTab, tabs};
use crate::auth::{Authorized, perm};
use crate::domain::token_list::{ListQuery, TokenFilter};
use crate::http::AppError;
use crate::routes::api_tokens::list::render;
use crate::state::AppState;
use crate::urls;
use crate::views::tokens::TokenListPage;

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::TokensRead>,
    query: web::Query<ListQuery>,
) -> Result<TokenListPage, AppError> {
    let filter = TokenFilter {
        created_by: Some(admin.admin.admin.id),
        ..query.filter()
    };
    render(
        &req,
        &state,
        &admin,
        &query,
        filter,
        urls::PROFILE_TOKENS,
        tabs(ProfileTab::Tokens, &admin),
    )
    .await
}
