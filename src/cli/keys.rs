//! `tessera keys generate | rotate`: the key under which token values are stored
//! encrypted, for administrators who may show them again.

use super::Operator;
use crate::config::{DatabaseArgs, KeysCommand, KeysRotateArgs, parse_key};
use crate::domain::encryption::EncryptionKey;
use crate::services::{Caller, keys};
use crate::startup::open_database;

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
    let operator = Operator::new(open_database(database, None)?, None);
    let count = operator.block_on(keys::rotate(
        operator.services(),
        &Caller::command_line(),
        old,
        new,
    ))?;
    eprintln!(
        "Re-encrypted {count} stored token values. Restart Tessera with the new key as TESSERA_ENCRYPTION_KEY."
    );
    Ok(())
}
