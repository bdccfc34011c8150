//! The mail Super Admins get when Tessera stops a webhook whose deliveries failed
//! for five days, written in the transaction that stopped it.

use askama::Template;
use time::PrimitiveDateTime;

use crate::db::DbConnection;
use crate::db::admins;
use crate::db::webhooks::EndpointRow;
use crate::domain::admins::SUPER_ADMIN;
use crate::domain::webhooks::destination::redacted;
use crate::services::mail;

/// What the mail says, in both its parts.
struct Stopped<'a> {
    name: &'a str,
    url: &'a str,
    description: &'a str,
    last_error: &'a str,
    page_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/webhook_stopped.txt")]
struct StoppedText<'a> {
    notice: &'a Stopped<'a>,
}

#[derive(Template)]
#[template(path = "mail/webhook_stopped.html")]
struct StoppedHtml<'a> {
    notice: &'a Stopped<'a>,
}

/// Queues one mail per enabled Super Admin.
pub fn tell_super_admins(
    c: &mut DbConnection,
    endpoint: &EndpointRow,
    last_error: &str,
    public_url: &str,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<()> {
    let page_url = format!(
        "{public_url}{}",
        crate::urls::webhook(&endpoint.public_id, None)
    );
    // Mail travels through servers of its own: the URL without its credentials.
    let url = redacted(&endpoint.url);
    let subject = match endpoint.description.as_str() {
        "" => format!("Webhook stopped: {url}"),
        description => format!("Webhook stopped: {description}"),
    };
    for admin in admins::enabled_with_role(c, SUPER_ADMIN)? {
        let notice = Stopped {
            name: &admin.display_name,
            url: &url,
            description: &endpoint.description,
            last_error,
            page_url: &page_url,
        };
        let (text, html) = (
            StoppedText { notice: &notice },
            StoppedHtml { notice: &notice },
        );
        mail::queue(c, &admin.email, &subject, &text, &html, now)?;
    }
    Ok(())
}
