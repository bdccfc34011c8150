//! Settings > API tokens.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "api_tokens.html")]
pub struct TokensPage {
    pub layout: Layout,
    pub can_create: bool,
}
