//! API tokens: the secret format, types and permissions, statuses, validity windows,
//! and the checks on what an administrator submits.

mod bulk;
mod health;
mod input;
mod kind;
mod secret;
mod status;
mod validity;

pub use bulk::*;
pub use health::*;
pub use input::*;
pub use kind::*;
pub use secret::*;
pub use status::*;
pub use validity::*;
