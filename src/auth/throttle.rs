//! Applies the sign-in throttling rules of [`crate::domain::throttle`] to an attempt.

use time::Duration;

use crate::db::{DbConnection, now, throttle};
use crate::domain::digest::sha256_hex;
use crate::domain::throttle::{ACCOUNT, ACCOUNT_FROM_IP, CLIENT_IP, ThrottlePolicy};

/// The three counters one sign-in attempt touches. Keys are digests, so the table
/// holds neither typed emails nor addresses.
pub struct SignInKeys {
    account_from_ip: String,
    client_ip: String,
    account: String,
}

impl SignInKeys {
    pub fn new(email: &str, client_ip: &str) -> Self {
        Self {
            account_from_ip: sha256_hex(
                format!("account-from-ip\n{email}\n{client_ip}").as_bytes(),
            ),
            client_ip: sha256_hex(format!("client-ip\n{client_ip}").as_bytes()),
            account: sha256_hex(format!("account\n{email}").as_bytes()),
        }
    }

    fn each(&self) -> [(&str, &'static ThrottlePolicy); 3] {
        [
            (&self.account_from_ip, &ACCOUNT_FROM_IP),
            (&self.client_ip, &CLIENT_IP),
            (&self.account, &ACCOUNT),
        ]
    }
}

/// How long the attempt must wait, if any counter is locked.
pub fn locked_for(
    conn: &mut DbConnection,
    keys: &SignInKeys,
) -> diesel::QueryResult<Option<Duration>> {
    let now = now();
    let mut longest: Option<Duration> = None;
    for (key, _) in keys.each() {
        if let Some(wait) = throttle::get(conn, key)?.and_then(|s| s.locked_for(now)) {
            longest = Some(longest.map_or(wait, |l| l.max(wait)));
        }
    }
    Ok(longest)
}

pub fn record_failure(conn: &mut DbConnection, keys: &SignInKeys) -> diesel::QueryResult<()> {
    for (key, policy) in keys.each() {
        throttle::record_failure(conn, key, policy)?;
    }
    Ok(())
}

/// A successful sign-in clears the account's counters (not the client IP's).
pub fn record_success(conn: &mut DbConnection, keys: &SignInKeys) -> diesel::QueryResult<()> {
    throttle::clear(conn, &keys.account_from_ip)?;
    throttle::clear(conn, &keys.account)
}
