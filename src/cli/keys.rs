//! `tessera keys generate | rotate`: the key under which token values are stored
//! encrypted, for administrators who may show them again.

use super::Operator;
use crate::config::{DatabaseArgs, KeysCommand, KeysRotateArgs, parse_key};
use crate::domain::encryption::EncryptionKey;
use crate::services::{Caller, keys};
use crate::startup::{open_database, webhook_key};

pub fn run(database: &DatabaseArgs, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Generate => {
            println!("{}", EncryptionKey::random_base64());
            Ok(())
        }
        KeysCommand::Rotate(args) => rotate(database, args),
    }
}

/// `tessera keys rotate`: the keys from the environment, the work in
/// [`keys::rotate`].
fn rotate(database: &DatabaseArgs, args: KeysRotateArgs) -> anyhow::Result<()> {
    let old = parse_key(&args.old_key, "TESSERA_ENCRYPTION_KEY")?;
    let new = parse_key(&args.new_key, "TESSERA_NEW_ENCRYPTION_KEY")?;
    let db = open_database(database, None)?;
    let (file, generated) = webhook_key::generated(db.url())?.unzip();
    let operator = Operator::new(db, None);
    let rotated = operator.block_on(keys::rotate(
        operator.services(),
        &Caller::command_line(),
        old,
        generated,
        new,
    ))?;
    eprintln!(
        "Re-encrypted {} stored token values and the signing secrets of {} webhooks. Restart \
         Tessera with the new key as TESSERA_ENCRYPTION_KEY.",
        rotated.token_values, rotated.webhook_secrets
    );
    if let Some(file) = file {
        eprintln!(
            "No webhook signing secret is kept under the key in {} any more: once every \
             instance runs with the new key, remove it.",
            file.display()
        );
    }
    Ok(())
}
