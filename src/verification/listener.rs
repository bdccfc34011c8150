//! Hears, on PostgreSQL, about changes made by any instance (see
//! [`crate::db::changes`]) and forgets the affected cache entries, within about a
//! tenth of a second. A dedicated connection polls for notifications without
//! blocking; when it breaks, it reconnects and forgets everything, in case
//! notifications were missed meanwhile.

use std::sync::Weak;
use std::thread;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use super::Verifier;
use crate::db::changes::{CHANNEL, Change};

const POLL: Duration = Duration::from_millis(50);
const RETRY: Duration = Duration::from_secs(1);

/// Starts the listener thread; it ends when the verifier is dropped.
pub fn spawn(url: String, verifier: Weak<Verifier>) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name("tessera-changes".into())
        .spawn(move || {
            while verifier.strong_count() > 0 {
                match listen(&url, &verifier) {
                    Ok(()) => return,
                    Err(error) => {
                        tracing::warn!(%error, "change notifications interrupted; reconnecting");
                        thread::sleep(RETRY);
                    }
                }
            }
        })
        .expect("spawn the change listener")
}

fn listen(url: &str, verifier: &Weak<Verifier>) -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = PgConnection::establish(url)?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    // Anything may have changed while no one listened.
    match verifier.upgrade() {
        Some(v) => {
            v.forget_everything();
            v.metrics.listening();
        }
        None => return Ok(()),
    }
    loop {
        for notification in conn.notifications_iter() {
            let notification = notification?;
            let Some(verifier) = verifier.upgrade() else {
                return Ok(());
            };
            verifier.metrics.notification_heard();
            match Change::parse(&notification.payload) {
                Some(Change::Token(guid)) => verifier.token_changed(&guid),
                Some(Change::Catalog) => verifier.forget_everything(),
                None => {
                    tracing::warn!(payload = %notification.payload, "unknown change notification")
                }
            }
        }
        if verifier.strong_count() == 0 {
            return Ok(());
        }
        thread::sleep(POLL);
    }
}
