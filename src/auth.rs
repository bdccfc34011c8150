//! Administrator authentication: server-side sessions, CSRF protection,
//! sign-in throttling and the extractors that decide who may do what.

pub mod api_key;
pub mod csrf;
pub mod current_admin;
pub mod device;
pub mod locked_addresses;
pub mod oidc;
pub mod reauth;
pub mod session;
pub mod session_store;

pub use current_admin::{Authorized, CurrentAdmin, perm};
