//! What the integration tests share: the application and its database, a browser,
//! reading HTML, and the fixtures most tests start from.

mod api_client;
mod app;
mod browser;
mod database;
mod fixtures;
mod html;
mod mail_server;
mod webhook_receiver;

pub use api_client::*;
pub use app::*;
pub use browser::*;
pub use database::*;
pub use fixtures::*;
pub use html::*;
pub use mail_server::*;
pub use webhook_receiver::*;

pub const PASSWORD: &str = "correct horse battery staple";
