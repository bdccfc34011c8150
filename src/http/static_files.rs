//! CSS, JavaScript and images, embedded in the binary. URLs carry a content hash
//! (`/static/app.css?v=...`), so browsers may cache them for a year.

use std::borrow::Cow;
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, max-age=0, must-revalidate";

fn version_of(path: &str) -> String {
    Assets::get(path)
        .map(|f| {
            f.metadata.sha256_hash()[..6]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .unwrap_or_default()
}

/// The versioned URL of an embedded file, for templates.
pub fn url(path: &str) -> String {
    format!("/static/{path}?v={}", version_of(path))
}

pub static CSS_URL: LazyLock<String> = LazyLock::new(|| url("app.css"));
pub static FRAME_CSS_URL: LazyLock<String> = LazyLock::new(|| url("frame.css"));
pub static TABLE_CSS_URL: LazyLock<String> = LazyLock::new(|| url("token-table.css"));
pub static TABLE_JS_URL: LazyLock<String> = LazyLock::new(|| url("token-table.js"));
pub static CHARTS_CSS_URL: LazyLock<String> = LazyLock::new(|| url("charts.css"));
pub static CHARTS_JS_URL: LazyLock<String> = LazyLock::new(|| url("charts.js"));
pub static BULK_CSS_URL: LazyLock<String> = LazyLock::new(|| url("bulk.css"));
pub static BULK_JS_URL: LazyLock<String> = LazyLock::new(|| url("bulk.js"));
pub static POLICY_CSS_URL: LazyLock<String> = LazyLock::new(|| url("policy.css"));
pub static TOKEN_FORM_JS_URL: LazyLock<String> = LazyLock::new(|| url("token-form.js"));
pub static JS_URL: LazyLock<String> = LazyLock::new(|| url("app.js"));
pub static ICON_URL: LazyLock<String> = LazyLock::new(|| url("favicon.svg"));
pub static WEBHOOKS_CSS_URL: LazyLock<String> = LazyLock::new(|| url("webhooks.css"));
pub static API_DOCS_JS_URL: LazyLock<String> = LazyLock::new(|| url("api-docs.js"));
pub static API_DOCS_CSS_URL: LazyLock<String> = LazyLock::new(|| url("api-docs.css"));

#[derive(serde::Deserialize)]
pub struct VersionQuery {
    v: Option<String>,
}

pub async fn serve(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<VersionQuery>,
) -> HttpResponse {
    let path = path.into_inner();
    let Some(file) = Assets::get(&path) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("Not found");
    };
    let hash = file.metadata.sha256_hash();
    let etag = format!(
        "\"{}\"",
        hash.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let current = query.v.as_deref() == Some(version_of(&path).as_str());
    let cache = if current { IMMUTABLE } else { REVALIDATE };
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if not_modified {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    let body = match file.data {
        Cow::Borrowed(bytes) => web::Bytes::from_static(bytes),
        Cow::Owned(bytes) => web::Bytes::from(bytes),
    };
    HttpResponse::Ok()
        .content_type(file.metadata.mimetype())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body)
}
