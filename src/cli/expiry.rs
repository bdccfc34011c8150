//! `tessera expiry run`: the daily expiry warnings, now.

use crate::config::{DatabaseArgs, ServeArgs, ServerConfig};
use crate::db;
use crate::services::expiry;
use crate::startup::open_database;

/// Runs [`expiry::run_now`] with the server's settings (the public URL the mails
/// link to, whether mail is set up) and says what it told.
pub fn run(database: &DatabaseArgs, serve: &ServeArgs) -> anyhow::Result<()> {
    let config = ServerConfig::from_args(serve)?;
    let mail_links = config.mail_links().map(str::to_owned);
    let db = open_database(database, None)?;
    let told =
        actix_web::rt::System::new().block_on(expiry::run_now(&db, db::now(), mail_links))?;
    let Some(told) = told else {
        anyhow::bail!("another instance started the expiry run at this moment; nothing was done");
    };
    let tokens = if told.expiring == 1 {
        "token that expires"
    } else {
        "tokens that expire"
    };
    println!(
        "Told about {} {tokens} soon and {} that expired.",
        told.expiring, told.expired
    );
    if config.mail.is_some() {
        let (digests, them) = if told.mails == 1 {
            ("digest", "it")
        } else {
            ("digests", "them")
        };
        println!(
            "Wrote {} mail {digests}; Tessera's server sends {them}.",
            told.mails
        );
    } else {
        println!("Mail is not set up (TESSERA_SMTP_URL, TESSERA_MAIL_FROM): no digest written.");
    }
    Ok(())
}
