//! Command line and environment configuration. Every flag has a `TESSERA_*` fallback.

mod commands;
mod flags;
mod oidc;
mod secrets;
mod server;

pub use commands::*;
pub use flags::*;
pub use oidc::*;
pub use secrets::read_secret_file;
pub use server::*;
