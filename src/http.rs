//! HTTP plumbing shared by every route: errors, error pages, security headers,
//! request logging and static assets.

pub mod client;
pub mod error_pages;
pub mod errors;
pub mod headers;
pub mod input;
pub mod problem;
pub mod request_log;
pub mod static_files;

pub use errors::AppError;

/// Percent-encodes a value for a query string.
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn urlencode_keeps_paths_readable() {
        assert_eq!(
            super::urlencode("/settings/x?a=b c"),
            "/settings/x%3Fa%3Db%20c"
        );
    }
}
