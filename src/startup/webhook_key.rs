//! The key webhook signing secrets are kept under: the operator's
//! `TESSERA_ENCRYPTION_KEY` when set; otherwise, on SQLite, a key Tessera makes at
//! the first start in a file beside the database (`tessera.db`: `tessera.key`,
//! mode 0600), so that webhooks work without a setting. That key serves webhooks
//! only: token values are kept to show again only under a key the operator set.
//! Once the operator sets one, new secrets go under it, while those kept under the
//! file's key still open with it as long as the file is there. A missing file is
//! made anew only while no endpoint exists, whose secret it would strand.
//! PostgreSQL instances share no file, so there webhooks need the variable.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::db::{DatabaseUrl, DbConnection, webhooks};
use crate::domain::encryption::EncryptionKey;
use crate::domain::webhooks::signature::WebhookKeys;

/// The keys for webhook signing secrets; `None` on PostgreSQL without the variable.
/// With the variable and the file both there, secrets kept under the file's key
/// still open with it, so that setting a key later strands no endpoint.
pub fn resolve(
    operator: Option<&EncryptionKey>,
    database: &DatabaseUrl,
    conn: &mut DbConnection,
) -> anyhow::Result<Option<WebhookKeys>> {
    let Some(key) = operator else {
        let Some(file) = database.sqlite_file().map(beside) else {
            return Ok(None);
        };
        return Ok(Some(WebhookKeys::new(load_or_create(&file, conn)?, None)));
    };
    let generated = generated(database)?.map(|(file, generated)| {
        tracing::warn!(
            file = %shown(&file),
            "TESSERA_ENCRYPTION_KEY is set, so new webhook signing secrets are kept under it; \
             those kept under the key Tessera generated in this file still open with it. Move \
             them all under one key with `TESSERA_ENCRYPTION_KEY=<your key> \
             TESSERA_NEW_ENCRYPTION_KEY=<your key, or a new one> tessera keys rotate`, then \
             remove the file"
        );
        generated
    });
    Ok(Some(WebhookKeys::new(key.clone(), generated)))
}

/// The key Tessera generated beside this SQLite database, and its file, if there.
pub fn generated(database: &DatabaseUrl) -> anyhow::Result<Option<(PathBuf, EncryptionKey)>> {
    let Some(file) = database.sqlite_file().map(beside) else {
        return Ok(None);
    };
    Ok(read(&file)?.map(|key| (file, key)))
}

/// `tessera.db`: `tessera.key`, in the same directory.
fn beside(database: &Path) -> PathBuf {
    let file = database.with_extension("key");
    if file == database {
        PathBuf::from(format!("{}.key", database.display()))
    } else {
        file
    }
}

/// The file's key; a new one only while no endpoint has a secret kept under another.
fn load_or_create(file: &Path, conn: &mut DbConnection) -> anyhow::Result<EncryptionKey> {
    if let Some(key) = read(file)? {
        tracing::info!(file = %shown(file), "webhook signing secrets are kept under the key in this file");
        return Ok(key);
    }
    if !webhooks::list(conn)?.is_empty() {
        anyhow::bail!(
            "webhook endpoints exist whose signing secrets were kept under {}, which is \
             missing; restore that file, or set TESSERA_ENCRYPTION_KEY to the key they were \
             kept under",
            file.display()
        );
    }
    create(file, conn)
}

/// The key in the file; `None` when there is no file.
fn read(file: &Path) -> anyhow::Result<Option<EncryptionKey>> {
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let mode = std::fs::metadata(file)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    file = %shown(file),
                    "the webhook key file can be read by other users: chmod 600 it"
                );
            }
            parse(&text, file).map(Some)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => anyhow::bail!("cannot read the webhook key file {}: {e}", file.display()),
    }
}

/// Writes a new key whole under a temporary name, then links it into place: an
/// instance starting at the same moment reads either no file or the whole key, and
/// the first link wins.
fn create(file: &Path, conn: &mut DbConnection) -> anyhow::Result<EncryptionKey> {
    let text = EncryptionKey::random_base64();
    let temporary = file.with_extension(format!("{:016x}.tmp", rand::random::<u64>()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::hard_link(&temporary, file));
    let _ = std::fs::remove_file(&temporary);
    match written {
        Ok(()) => {
            tracing::info!(
                file = %shown(file),
                "generated the key webhook signing secrets are kept under: keep this file with \
                 the database, but out of its backups"
            );
            parse(&text, file)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(file, conn),
        Err(e) => anyhow::bail!(
            "cannot write the webhook key file {}: {e}; set TESSERA_ENCRYPTION_KEY instead",
            file.display()
        ),
    }
}

/// The file's full path, for the log.
fn shown(file: &Path) -> String {
    std::fs::canonicalize(file)
        .unwrap_or_else(|_| file.to_owned())
        .display()
        .to_string()
}

fn parse(text: &str, file: &Path) -> anyhow::Result<EncryptionKey> {
    EncryptionKey::from_base64(text).map_err(|e| {
        anyhow::anyhow!(
            "the webhook key file {} is malformed: {e}. Restore it from where you keep it.",
            file.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_sits_beside_the_database() {
        assert_eq!(
            beside(Path::new("/var/lib/tessera/tessera.db")),
            Path::new("/var/lib/tessera/tessera.key")
        );
        assert_eq!(beside(Path::new("data")), Path::new("data.key"));
        assert_eq!(beside(Path::new("x.key")), Path::new("x.key.key"));
    }
}
