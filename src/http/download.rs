//! A file to download, streamed as it is written: an export.

use actix_web::HttpResponse;
use actix_web::http::header::{
    CACHE_CONTROL, ContentDisposition, DispositionParam, DispositionType,
};
use actix_web::web::Bytes;
use futures_util::StreamExt;

use crate::services::exports::Download;

pub fn file(download: Download) -> HttpResponse {
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(download.file_name)],
    };
    HttpResponse::Ok()
        .content_type(download.format.content_type())
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header(disposition)
        .streaming(download.body.map(|chunk| chunk.map(Bytes::from)))
}
