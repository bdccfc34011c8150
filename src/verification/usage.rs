//! Last-use data, kept in memory and written in batches: verification itself never
//! writes to the database.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, Weak};
use std::thread;
use std::time::Duration;

use time::PrimitiveDateTime;

use super::Verifier;
use crate::db::connection::for_verification;
use crate::db::token_clients::{ClientSeen, record_clients};
use crate::db::verification::{Usage, record_usage};
use crate::db::{Db, DbError, usage_facts};
use crate::domain::ids::TokenId;
use crate::domain::verification::{UseNews, stored_agent};

#[derive(Debug)]
struct LastUse {
    at: PrimitiveDateTime,
    /// The client, when it changed since the last write: only then is it written.
    client: Option<Client>,
}

#[derive(Debug)]
struct Client {
    ip: IpAddr,
    user_agent: Option<String>,
}

/// A client seen with a token since the last flush: first and last.
type SeenKey = (TokenId, IpAddr, String);

#[derive(Debug, Default)]
struct Pending {
    last: HashMap<TokenId, LastUse>,
    clients: HashMap<SeenKey, (PrimitiveDateTime, PrimitiveDateTime)>,
}

/// The latest use of each token since the last flush, and the clients seen with
/// it: at most one write per token and client per flush, however often it was
/// used.
#[derive(Debug, Default)]
pub struct UsageBuffer {
    pending: Mutex<Pending>,
}

impl UsageBuffer {
    /// Keeps a use that is news (see [`UseNews`]); a newer one replaces it, and a
    /// changed client is kept until it is written.
    pub fn record(
        &self,
        token_id: TokenId,
        at: PrimitiveDateTime,
        news: UseNews,
        ip: IpAddr,
        user_agent: Option<&str>,
    ) {
        if news == UseNews::Nothing {
            return;
        }
        let agent = user_agent.map(|ua| stored_agent(ua).to_owned());
        let client = (news == UseNews::Client).then(|| Client {
            ip,
            user_agent: agent.clone(),
        });
        let mut pending = self.pending.lock().expect("usage lock");
        let seen = pending
            .clients
            .entry((token_id, ip, agent.unwrap_or_default()))
            .or_insert((at, at));
        seen.0 = seen.0.min(at);
        seen.1 = seen.1.max(at);
        let last = pending
            .last
            .entry(token_id)
            .or_insert(LastUse { at, client: None });
        last.at = at;
        if client.is_some() {
            last.client = client;
        }
    }

    /// How many tokens wait to be written.
    pub fn len(&self) -> usize {
        self.pending.lock().expect("usage lock").last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the buffer and writes it; nothing is written when nothing was used.
    /// Returns how many tokens' last uses were written. Blocking: runs on the
    /// flusher thread, or off the async workers at shutdown.
    pub fn flush(&self, db: &Db) -> Result<usize, DbError> {
        let pending = std::mem::take(&mut *self.pending.lock().expect("usage lock"));
        let mut batch: Vec<Usage> = pending
            .last
            .into_iter()
            .map(|(token_id, last)| Usage {
                token_id,
                at: last.at,
                client: last.client.map(|c| (c.ip.to_string(), c.user_agent)),
            })
            .collect();
        // In the table's order, the rows of a page are written together: a third of
        // the work of a random order at 100,000 tokens (measured on SQLite).
        batch.sort_unstable_by_key(|usage| usage.token_id);
        let mut clients: Vec<ClientSeen> = pending
            .clients
            .into_iter()
            .map(
                |((token_id, ip, user_agent), (first_seen, last_seen))| ClientSeen {
                    token_id,
                    client_ip: ip.to_string(),
                    user_agent,
                    first_seen,
                    last_seen,
                },
            )
            .collect();
        clients.sort_unstable_by_key(|c| c.token_id);
        if batch.is_empty() && clients.is_empty() {
            return Ok(0);
        }
        let written = db.get().and_then(|mut conn| {
            for_verification(|| {
                let written = record_usage(&mut conn, &batch)?;
                record_clients(&mut conn, &clients)?;
                // A token's address facts change only when it is seen from another
                // client than before (a new address, or one seen again after others).
                let moved: Vec<TokenId> = batch
                    .iter()
                    .filter(|u| u.client.is_some())
                    .map(|u| u.token_id)
                    .collect();
                usage_facts::refresh(&mut conn, &moved)?;
                Ok(written)
            })
        });
        if written.is_err() {
            self.put_back(batch, clients);
        }
        written
    }

    /// Returns a batch that could not be written, unless newer uses arrived meanwhile.
    fn put_back(&self, batch: Vec<Usage>, clients: Vec<ClientSeen>) {
        let mut pending = self.pending.lock().expect("usage lock");
        for usage in batch {
            let client = usage.client.and_then(|(ip, user_agent)| {
                let ip = ip.parse().ok()?;
                Some(Client { ip, user_agent })
            });
            pending.last.entry(usage.token_id).or_insert(LastUse {
                at: usage.at,
                client,
            });
        }
        for client in clients {
            let Ok(ip) = client.client_ip.parse() else {
                continue;
            };
            let seen = pending
                .clients
                .entry((client.token_id, ip, client.user_agent))
                .or_insert((client.first_seen, client.last_seen));
            seen.0 = seen.0.min(client.first_seen);
            seen.1 = seen.1.max(client.last_seen);
        }
    }
}

/// Writes buffered uses every `period`, on a thread of its own that runs only when
/// the core is otherwise idle, so a write never delays a verification that shares
/// its core (while verification keeps a core busy, the writes wait for it). Ends
/// when the verifier is dropped.
pub fn spawn_flusher(verifier: Weak<Verifier>, period: Duration) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name("tessera-usage".into())
        .spawn(move || {
            crate::blocking::run_this_thread_when_idle();
            loop {
                thread::sleep(period);
                let Some(verifier) = verifier.upgrade() else {
                    return;
                };
                if let Err(error) = verifier.flush_usage() {
                    tracing::warn!(%error, "could not write last uses; they are kept for the next try");
                }
            }
        })
        .expect("spawn the usage flusher")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn only_the_latest_use_of_each_token_is_kept_with_its_latest_client() {
        let buffer = UsageBuffer::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let (client, time) = (UseNews::Client, UseNews::Time);
        buffer.record(
            TokenId(1),
            datetime!(2026-01-01 10:00),
            client,
            ip,
            Some("curl/8"),
        );
        buffer.record(
            TokenId(1),
            datetime!(2026-01-01 10:05),
            client,
            ip,
            Some("curl/9"),
        );
        buffer.record(
            TokenId(1),
            datetime!(2026-01-01 10:06),
            time,
            ip,
            Some("curl/9"),
        );
        buffer.record(TokenId(2), datetime!(2026-01-01 10:01), time, ip, None);
        buffer.record(
            TokenId(3),
            datetime!(2026-01-01 10:01),
            UseNews::Nothing,
            ip,
            None,
        );
        assert_eq!(buffer.len(), 2);
        let pending = buffer.pending.lock().unwrap();
        assert_eq!(pending.last[&TokenId(1)].at, datetime!(2026-01-01 10:06));
        let kept = pending.last[&TokenId(1)].client.as_ref().unwrap();
        assert_eq!(kept.user_agent.as_deref(), Some("curl/9"));
        assert!(pending.last[&TokenId(2)].client.is_none(), "the time only");
        // Each client with its first and last use.
        let seen = |agent: &str| pending.clients[&(TokenId(1), ip, agent.to_owned())];
        assert_eq!(
            seen("curl/8"),
            (datetime!(2026-01-01 10:00), datetime!(2026-01-01 10:00))
        );
        assert_eq!(
            seen("curl/9"),
            (datetime!(2026-01-01 10:05), datetime!(2026-01-01 10:06))
        );
        assert_eq!(pending.clients.len(), 3, "and token 2's, without an agent");
    }
}
