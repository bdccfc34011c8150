//! Command line and environment configuration. Every flag has a `TESSERA_*` fallback.

mod commands;
mod flags;
mod server;

pub use commands::*;
pub use flags::*;
pub use server::*;
