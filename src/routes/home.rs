//! `/` and `/settings` lead to the API tokens list.

use actix_web::HttpResponse;

use super::see_other;

pub async fn index() -> HttpResponse {
    see_other("/settings/api-tokens")
}

pub async fn settings() -> HttpResponse {
    see_other("/settings/api-tokens")
}
