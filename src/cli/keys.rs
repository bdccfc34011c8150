//! `tessera keys generate | rotate`: the key under which token values are stored
//! encrypted, for administrators who may show them again.

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::Connection;
use rand::RngCore;

use crate::config::{DatabaseArgs, EncryptionArgs, KeysCommand, KeysRotateArgs};
use crate::db::audit::{self, Actor, Target};
use crate::db::tokens;
use crate::domain::audit::AuditAction;
use crate::domain::encryption::EncryptionKey;
use crate::startup::open_database;

pub fn run(database: &DatabaseArgs, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Generate => {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            println!("{}", STANDARD.encode(key));
            Ok(())
        }
        KeysCommand::Rotate(args) => rotate(database, args),
    }
}

fn parse(text: &str, what: &str) -> anyhow::Result<EncryptionKey> {
    let args = EncryptionArgs {
        encryption_key: Some(text.to_owned()),
    };
    args.key()
        .with_context(|| format!("the {what} key"))?
        .with_context(|| format!("the {what} key is empty"))
}

/// Re-encrypts every stored value under the new key, in one transaction: if any value
/// does not decrypt with the old key, nothing changes.
fn rotate(database: &DatabaseArgs, args: KeysRotateArgs) -> anyhow::Result<()> {
    let old = parse(&args.old_key, "old (TESSERA_ENCRYPTION_KEY)")?;
    let new = parse(&args.new_key, "new (TESSERA_NEW_ENCRYPTION_KEY)")?;
    let db = open_database(database, None)?;
    let mut conn = db.get()?;
    let count = conn.transaction(|c| -> anyhow::Result<usize> {
        let sealed = tokens::sealed_secrets(c)?;
        let mut refused = 0;
        for (id, guid, value) in &sealed {
            match crate::domain::tokens::SecretToken::unseal(&old, guid, value) {
                Ok(secret) => {
                    let resealed = secret.to_store(guid, Some(&new));
                    let value = resealed.sealed.context("a key was given")?;
                    tokens::replace_sealed_secret(c, *id, &value)?;
                }
                Err(_) => refused += 1,
            }
        }
        if refused > 0 {
            bail!(
                "{refused} of {} stored token values do not decrypt with the old key: is \
                 TESSERA_ENCRYPTION_KEY the key Tessera runs with? Nothing was changed.",
                sealed.len()
            );
        }
        audit::record(
            c,
            &Actor::command_line(),
            AuditAction::KeysRotated.key(),
            &Target {
                kind: "settings",
                id: None,
                label: "Encryption key",
            },
            &serde_json::json!({ "values": sealed.len() }).to_string(),
        )?;
        Ok(sealed.len())
    })?;
    eprintln!(
        "Re-encrypted {count} stored token values. Restart Tessera with the new key as TESSERA_ENCRYPTION_KEY."
    );
    Ok(())
}
