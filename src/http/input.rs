//! Control characters are refused at the edge, before anything reaches the
//! database: PostgreSQL rejects NUL in text (SQLite stores it), and no address,
//! search or name needs one. Paths and query strings are checked here; form fields
//! by [`crate::auth::csrf::CsrfForm`].

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::AppError;
use crate::domain::validation::is_forbidden_control;

pub const CONTROL_CHARACTERS: &str = "The address holds a control character (such as a NUL byte) or bytes that are not text. Check the link and try again.";

/// Whether a path or query string, percent-decoded, holds a control character
/// (line breaks and tabs included) or is not UTF-8.
pub fn holds_control_characters(raw: &str) -> bool {
    // Printable ASCII without an escape, as every verification's address is, says
    // so itself; the check has no early exit, so it runs over many bytes at once.
    if raw.bytes().fold(true, |plain, b| {
        plain & matches!(b, b' '..=b'~') & (b != b'%')
    }) {
        return false;
    }
    match percent_encoding::percent_decode_str(raw).decode_utf8() {
        Ok(text) => text.chars().any(char::is_control),
        Err(_) => true,
    }
}

/// Whether a request's path or query string holds control characters.
pub fn address_holds_control_characters(uri: &actix_web::http::Uri) -> bool {
    holds_control_characters(uri.path()) || uri.query().is_some_and(holds_control_characters)
}

/// Whether a form field's value holds a control character that no field takes.
pub fn field_holds_control_characters(value: &str) -> bool {
    value.chars().any(is_forbidden_control)
}

/// Refuses a page request whose path or query string holds control characters:
/// 400, as a page (the API's edge refuses them as problem documents).
pub async fn reject_control_characters<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if address_holds_control_characters(req.uri()) {
        tracing::info!("refused an address with control characters");
        // A response, not an error, so the error page renderer sees it.
        return Ok(req
            .error_response(AppError::bad_request(CONTROL_CHARACTERS))
            .map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_and_raw_control_characters_are_found() {
        for bad in [
            "/settings/api-tokens/x%00",
            "q=a%00b",
            "q=%0a",
            "q=%1B%5B31m",
            "q=%7f",
            "q=%C2%85",
            "q=%ff",
            "a\u{1}",
            "a\tb",
            "a\u{7f}",
            "a\u{85}",
        ] {
            assert!(holds_control_characters(bad), "{bad}");
        }
        for good in [
            "/settings/api-tokens",
            "q=billing+sync&status=active",
            "q=%C3%A9t%C3%A9",
            "q=100%",
            "q=%zz",
            "q=%2",
            "q=%+0",
        ] {
            assert!(!holds_control_characters(good), "{good}");
        }
    }

    #[test]
    fn multi_line_fields_keep_their_line_breaks() {
        assert!(!field_holds_control_characters("line one\r\nline two\tend"));
        assert!(field_holds_control_characters("root\0@example.com"));
        assert!(field_holds_control_characters("\u{1b}[2J"));
        assert!(field_holds_control_characters("\u{9b}"));
    }
}
