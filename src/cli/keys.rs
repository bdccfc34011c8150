//! `tessera keys generate | rotate`: the key under which token values are stored
//! encrypted, for administrators who may show them again.

use anyhow::bail;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::Connection;
use rand::RngCore;

use crate::config::{DatabaseArgs, KeysCommand, KeysRotateArgs, parse_key};
use crate::db::audit::{self, Actor, Target};
use crate::db::tokens;
use crate::domain::audit::AuditAction;
use crate::domain::tokens::SecretToken;
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

/// Re-encrypts every stored value under the new key, in one transaction: if any value
/// does not decrypt with the old key, nothing changes.
fn rotate(database: &DatabaseArgs, args: KeysRotateArgs) -> anyhow::Result<()> {
    let old = parse_key(&args.old_key, "TESSERA_ENCRYPTION_KEY")?;
    let new = parse_key(&args.new_key, "TESSERA_NEW_ENCRYPTION_KEY")?;
    let db = open_database(database, None)?;
    let mut conn = db.get()?;
    let count = conn.transaction(|c| -> anyhow::Result<usize> {
        let sealed = tokens::sealed_secrets(c)?;
        let mut refused = 0;
        for (id, guid, value) in &sealed {
            match SecretToken::unseal(&old, guid, value) {
                Ok(secret) => tokens::replace_sealed_secret(c, *id, &secret.seal(guid, &new))?,
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
            AuditAction::KeysRotated,
            &Target {
                kind: crate::domain::audit::TargetKind::Settings,
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
