//! The expiry digest: one mail per person per run, listing every token of theirs
//! that reached a lead time, in text and HTML.

use askama::Template;
use diesel::QueryResult;
use time::PrimitiveDateTime;

use crate::db::DbConnection;
use crate::services::mail;

/// A token as the digest lists it.
#[derive(Debug, Clone)]
pub struct DigestToken {
    pub name: String,
    pub scopes: String,
    pub expires: String,
    pub expired: bool,
    pub last_used: String,
    /// The token's edit form with a new duration chosen.
    pub renew_url: String,
}

/// What a digest says, in both its parts.
struct Digest<'a> {
    name: &'a str,
    tokens: &'a [DigestToken],
    settings_url: &'a str,
    profile_url: &'a str,
}

#[derive(Template)]
#[template(path = "mail/expiry_digest.txt")]
struct DigestText<'a> {
    digest: &'a Digest<'a>,
}

#[derive(Template)]
#[template(path = "mail/expiry_digest.html")]
struct DigestHtml<'a> {
    digest: &'a Digest<'a>,
}

/// Queues one person's digest.
pub fn queue(
    c: &mut DbConnection,
    address: &str,
    name: &str,
    tokens: &[DigestToken],
    public_url: &str,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    let settings_url = format!("{public_url}{}", crate::urls::TOKENS);
    let profile_url = format!("{public_url}{}", crate::urls::PROFILE);
    let subject = match tokens {
        [one] if one.expired => format!("API token {} has expired", one.name),
        [one] => format!("API token {} expires {}", one.name, one.expires),
        many => format!("{} API tokens expire soon", many.len()),
    };
    let digest = Digest {
        name,
        tokens,
        settings_url: &settings_url,
        profile_url: &profile_url,
    };
    let (text, html) = (
        DigestText { digest: &digest },
        DigestHtml { digest: &digest },
    );
    mail::queue(c, address, &subject, &text, &html, now)
}
