//! Error pages and plain messages, in the same layout as everything else.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub heading: String,
    pub message: String,
    pub request_id: Option<String>,
}

pub struct Link {
    pub href: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub link: Option<Link>,
}
