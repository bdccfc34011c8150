//! Error responses of the admin app as full pages in the app's layout, with the
//! signed-in administrator's navigation and the request ID.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use askama::Template;

use super::errors::ErrorMessage;
use super::request_log::RequestId;
use crate::auth::CurrentAdmin;
use crate::views::errors::ErrorPage;
use crate::views::{Layout, Section};

pub fn render<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // A page of its own, or JSON for the admin app's scripts: left as it is.
    let already_rendered = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"text/html") || v.as_bytes().starts_with(b"application/json")
    });
    if already_rendered {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message = res
        .response()
        .extensions()
        .get::<ErrorMessage>()
        .map(|m| m.0.clone());
    let (req, original) = res.into_parts();
    Ok(ErrorHandlerResponse::Future(Box::pin(async move {
        let admin = CurrentAdmin::optional(&req).await.ok().flatten();
        let (heading, default_message) = describe(status);
        let page = ErrorPage {
            layout: Layout::without_flashes(&req, admin.as_ref(), heading, Section::None),
            status: status.as_u16(),
            heading: heading.to_owned(),
            message: message.unwrap_or_else(|| default_message.to_owned()),
            request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
        };
        let body = page.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page failed to render");
            heading.to_owned()
        });
        let mut response = actix_web::HttpResponse::with_body(status, body);
        for (name, value) in original.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                response.headers_mut().append(name.clone(), value.clone());
            }
        }
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        Ok(ServiceResponse::new(req, response.map_into_boxed_body()).map_into_right_body())
    })))
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "This request could not be handled",
            "Check what you entered and try again.",
        ),
        403 => ("Access denied", "You do not have permission to do this."),
        404 => (
            "Page not found",
            "This page does not exist, or you cannot see it.",
        ),
        405 => (
            "Not allowed",
            "This address does not accept this kind of request.",
        ),
        409 => (
            "Changed meanwhile",
            "Someone else changed this meanwhile. Reload and try again.",
        ),
        413 => ("Too large", "What you sent is too large."),
        429 => ("Too many requests", "Wait a moment, then try again."),
        401..=499 => (
            "This request could not be handled",
            "Check the address and try again.",
        ),
        _ => (
            "Something went wrong",
            "Something went wrong on our side. Try again in a moment.",
        ),
    }
}
