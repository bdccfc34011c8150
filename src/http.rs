//! HTTP plumbing shared by every route: errors, error pages, security headers,
//! request logging and static assets.

pub mod api_error;
pub mod client;
pub mod download;
pub mod error_pages;
pub mod errors;
pub mod headers;
pub mod input;
pub mod problem;
pub mod request_log;
pub mod static_files;

pub use errors::AppError;
