//! `/` and `/settings` lead to the API tokens list.

use actix_web::HttpResponse;

use super::see_other;
use crate::urls;

pub async fn index() -> HttpResponse {
    see_other(urls::TOKENS)
}

pub async fn settings() -> HttpResponse {
    see_other(urls::TOKENS)
}
