//! What the integration tests share: the application and its database, a browser,
//! reading HTML, and the fixtures most tests start from.

mod api_client;
mod app;
mod browser;
mod database;
mod fixtures;
mod html;
mod mail_server;
mod oidc_provider;
mod redis_server;
mod stalling_receiver;
mod webhook_receiver;

pub use api_client::*;
pub use app::*;
pub use browser::*;
pub use database::*;
pub use fixtures::*;
pub use html::*;
pub use mail_server::*;
pub use oidc_provider::*;
pub use redis_server::*;
pub use stalling_receiver::*;
pub use webhook_receiver::*;

pub const PASSWORD: &str = "correct horse battery staple";

/// Polls until `done` says yes, for at most twenty seconds (a restarted process
/// included); `what` says what failed.
pub async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
