//! Signing in: the throttling rules of [`crate::domain::throttle`] applied to an
//! attempt (counted on every counter before the password is checked, so concurrent
//! guesses cannot outrun a limit), a successful sign-in, and lifting an account's
//! limits.

use std::net::IpAddr;

use diesel::Connection;

use super::admins::AdminError;
use super::{Caller, Services};
use crate::db::admins::{self, Administrator};
use crate::db::audit::{self, Actor, Target};
use crate::db::{DbConnection, DbError, now, throttle};
use crate::domain::audit::AuditAction;
use crate::domain::digest::sha256_hex;
use crate::domain::ids::AdministratorId;
use crate::domain::throttle::{ACCOUNT, ACCOUNT_FROM_IP, CLIENT_IP, ThrottlePolicy, Verdict};

/// The three counters one sign-in attempt touches. Keys are digests, so the table
/// holds neither typed emails nor addresses.
#[derive(Clone)]
pub struct SignInKeys {
    account_from_ip: String,
    client_ip: String,
    account: String,
}

/// A client's address as throttles key it: an IPv6 client by its /64, since one
/// host usually has a whole /64 to pick addresses from.
pub fn throttled_address(ip: IpAddr) -> String {
    match crate::domain::networks::canonical(ip) {
        IpAddr::V6(v6) => {
            let network = ipnet::Ipv6Net::new(v6, 64).map(|n| n.trunc());
            network.map_or_else(|_| v6.to_string(), |n| n.to_string())
        }
        v4 => v4.to_string(),
    }
}

/// The account's own counter; its per-address counters start with it, so that
/// `tessera admin unlock` finds them all.
fn account_key(email: &str) -> String {
    sha256_hex(format!("account\n{email}").as_bytes())
}

impl SignInKeys {
    pub fn new(email: &str, client_ip: IpAddr) -> Self {
        let client = throttled_address(client_ip);
        let account = account_key(email);
        Self {
            account_from_ip: format!("{account}/{}", sha256_hex(client.as_bytes())),
            client_ip: sha256_hex(format!("client-ip\n{client}").as_bytes()),
            account,
        }
    }

    /// The counters of an attempt; a browser the administrator signed in with
    /// before skips the account-wide one.
    fn each(&self, known_device: bool) -> Vec<(&str, &'static ThrottlePolicy)> {
        let mut each = vec![
            (self.account_from_ip.as_str(), &ACCOUNT_FROM_IP),
            (self.client_ip.as_str(), &CLIENT_IP),
        ];
        if !known_device {
            each.push((self.account.as_str(), &ACCOUNT));
        }
        each
    }
}

/// What counting an attempt decided.
pub struct Counted {
    /// The strictest verdict of the attempt's counters.
    pub verdict: Verdict,
    /// How long the client's address stays locked for every account, if it is.
    pub address_locked_for: Option<time::Duration>,
}

/// Counts the attempt on every counter, before any password is checked.
pub fn count_attempt(
    conn: &mut DbConnection,
    keys: &SignInKeys,
    known_device: bool,
) -> diesel::QueryResult<Counted> {
    let now = now();
    // One transaction: on SQLite one write lock per attempt rather than three, and on
    // PostgreSQL the rows are always locked in the same order.
    conn.transaction(|conn| {
        let mut counted = Counted {
            verdict: Verdict::Allowed,
            address_locked_for: None,
        };
        for (key, policy) in keys.each(known_device) {
            let state = throttle::count_attempt(conn, key, policy)?;
            let verdict = policy.judge(&state, now);
            if let (true, Verdict::Refused(wait)) = (key == keys.client_ip, verdict) {
                counted.address_locked_for = Some(wait);
            }
            counted.verdict = stricter(counted.verdict, verdict);
        }
        Ok(counted)
    })
}

/// Lifts every sign-in limit of the account with this (normalized) email, from
/// every address; returns the administrator and how many counters were removed.
pub async fn unlock(
    services: Services<'_>,
    caller: &Caller,
    email: &str,
) -> Result<(Administrator, usize), AdminError> {
    let (actor, email) = (caller.actor.clone(), email.to_owned());
    services
        .db
        .write(move |c| {
            let admin = match admins::find_credentials(c, &email)? {
                Some((id, _, _)) => admins::find(c, id)?,
                None => None,
            };
            let admin = admin.ok_or(AdminError::NotFound)?;
            let removed = throttle::clear_family(c, &account_key(&email))?;
            let label = admin.label();
            audit::record(
                c,
                &actor,
                AuditAction::SignInUnlocked,
                &Target::administrator(&admin.public_id, &label),
                &format!("{removed} counters removed"),
            )?;
            Ok((admin, removed))
        })
        .await
}

fn stricter(a: Verdict, b: Verdict) -> Verdict {
    match (a, b) {
        (Verdict::Refused(x), Verdict::Refused(y)) => Verdict::Refused(x.max(y)),
        (refused @ Verdict::Refused(_), _) | (_, refused @ Verdict::Refused(_)) => refused,
        (Verdict::Delayed(x), Verdict::Delayed(y)) => Verdict::Delayed(x.max(y)),
        (delayed @ Verdict::Delayed(_), _) | (_, delayed @ Verdict::Delayed(_)) => delayed,
        _ => Verdict::Allowed,
    }
}

/// A successful sign-in, audited as the administrator from `ip`: it clears the
/// account's counters, and takes its own attempt back from the client IP's (which
/// others behind the same address share).
pub async fn signed_in(
    services: Services<'_>,
    keys: SignInKeys,
    admin_id: AdministratorId,
    ip: String,
) -> Result<(), DbError> {
    services
        .db
        .write(move |c| {
            throttle::clear(c, &keys.account_from_ip)?;
            throttle::clear(c, &keys.account)?;
            throttle::forgive_one(c, &keys.client_ip)?;
            if let Some(admin) = admins::find(c, admin_id)? {
                record(c, &admin, ip, None)?;
            }
            Ok(())
        })
        .await
}

/// Notes an administrator's sign-in from `ip` (through the identity provider or a
/// one-time link: `via`), and audits it.
pub(super) fn record(
    c: &mut DbConnection,
    admin: &Administrator,
    ip: String,
    via: Option<&str>,
) -> diesel::QueryResult<()> {
    admins::record_sign_in(c, admin.id)?;
    let actor = Actor::administrator(admin, ip);
    let target = Target::administrator(&admin.public_id, &actor.label);
    let details = via.map_or_else(String::new, |via| {
        serde_json::json!({ "via": via }).to_string()
    });
    audit::record(c, &actor, AuditAction::AdminSignedIn, &target, &details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(throttled_address(a), "2001:db8:1:2::/64");
        assert_eq!(throttled_address(a), throttled_address(b));
        assert_ne!(throttled_address(a), throttled_address(c));
        assert_eq!(
            throttled_address("::ffff:10.0.0.1".parse().unwrap()),
            "10.0.0.1"
        );
        assert_eq!(
            throttled_address("203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
    }

    #[test]
    fn the_strictest_verdict_wins() {
        let s = Duration::seconds;
        assert_eq!(
            stricter(Verdict::Delayed(s(4)), Verdict::Refused(s(60))),
            Verdict::Refused(s(60))
        );
        assert_eq!(
            stricter(Verdict::Allowed, Verdict::Delayed(s(2))),
            Verdict::Delayed(s(2))
        );
        assert_eq!(
            stricter(Verdict::Refused(s(5)), Verdict::Refused(s(9))),
            Verdict::Refused(s(9))
        );
        assert_eq!(
            stricter(Verdict::Allowed, Verdict::Allowed),
            Verdict::Allowed
        );
    }
}
