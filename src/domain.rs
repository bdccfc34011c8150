//! The product's rules, free of I/O: permissions, validation, administrators, catalog.

pub mod admins;
pub mod api_keys;
pub mod audit;
pub mod catalog;
pub mod digest;
pub mod encryption;
pub mod expiry;
pub mod export;
pub mod identities;
pub mod ids;
pub mod keyed;
pub mod limits;
pub mod networks;
pub mod permissions;
pub mod request_path;
pub mod scopes;
pub mod sso;
pub mod throttle;
pub mod timestamps;
pub mod token_list;
pub mod tokens;
pub mod usage;
pub mod validation;
pub mod verification;
pub mod webhooks;
