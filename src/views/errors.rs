//! Error pages and plain messages, in the same layout as everything else.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;

#[derive(Template)]
#[template(path = "errors/error.html")]
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
#[template(path = "errors/message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub link: Option<Link>,
}

/// What a confirmation asks.
pub struct Confirmation {
    pub title: String,
    pub body: String,
    pub button: &'static str,
    pub danger: bool,
    pub action: String,
    /// Regenerate only: offer a grace period for the previous secret.
    pub grace: bool,
}

/// A confirmation as a page of its own, for browsers without JavaScript (with it,
/// the same question opens in a dialog).
#[derive(Template, WebTemplate)]
#[template(path = "errors/confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub back: Link,
    pub confirmation: Confirmation,
    /// The version of the object the page showed, for optimistic locking.
    pub version: Option<i32>,
}
