//! When a token's use is worth writing down: once per period of the configured
//! granularity, and again whenever the client (address or agent) changes. Uses in
//! between change nothing a reader could tell from "last used within the minute".

use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use time::PrimitiveDateTime;

/// What a use adds to what was last recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseNews {
    /// Same period, same client: nothing to write.
    Nothing,
    /// A new period: the time only.
    Time,
    /// Another address or agent: the time and the client.
    Client,
}

/// The last recorded use of one token, in eight bytes: its time in whole seconds
/// and a fingerprint of its client. Shared by the requests that use the token.
#[derive(Debug, Default)]
pub struct LastUseMark(AtomicU64);

impl LastUseMark {
    /// The mark of a use already stored (or none).
    pub fn stored(at: Option<PrimitiveDateTime>, ip: Option<IpAddr>, agent: Option<&str>) -> Self {
        match at {
            Some(at) => Self(AtomicU64::new(pack(seconds(at), fingerprint(ip, agent)))),
            None => Self::default(),
        }
    }

    /// Records this use in the mark and says what it adds, with periods of
    /// `granularity` seconds (at least one).
    pub fn news(
        &self,
        at: PrimitiveDateTime,
        ip: IpAddr,
        agent: Option<&str>,
        granularity: u32,
    ) -> UseNews {
        let granularity = granularity.max(1);
        let (now, client) = (seconds(at), fingerprint(Some(ip), agent));
        let previous = self.0.load(Ordering::Relaxed);
        let (then, known) = ((previous >> 32) as u32, previous as u32);
        let news = if previous == 0 || known != client {
            UseNews::Client
        } else if now / granularity != then / granularity {
            UseNews::Time
        } else {
            return UseNews::Nothing;
        };
        // Concurrent uses may both report news: one extra write, never a lost one.
        self.0.store(pack(now, client), Ordering::Relaxed);
        news
    }
}

/// How precise a recorded last use is, as the token's page says it: "within the
/// minute" at the default granularity.
pub fn precision(granularity: u32) -> String {
    match granularity {
        0 | 1 => "to the second".into(),
        60 => "within the minute".into(),
        3600 => "within the hour".into(),
        s if s % 60 == 0 => format!("within {} minutes", s / 60),
        s => format!("within {s} seconds"),
    }
}

fn seconds(at: PrimitiveDateTime) -> u32 {
    // Seconds since 1970 fit 32 bits until 2106.
    at.assume_utc().unix_timestamp().clamp(1, u32::MAX.into()) as u32
}

fn pack(seconds: u32, client: u32) -> u64 {
    (u64::from(seconds) << 32) | u64::from(client)
}

/// A client is known by what is stored of it, so an agent longer than what is
/// kept is the same agent once stored.
fn fingerprint(ip: Option<IpAddr>, agent: Option<&str>) -> u32 {
    // A fast, fixed hash: the mark is compared within one process, on every use.
    foldhash::fast::FixedState::with_seed(0).hash_one((ip, agent.map(stored_agent))) as u32
}

/// Bytes of a user agent that are kept.
const MAX_USER_AGENT: usize = 256;

/// The part of a user agent that is stored: at most [`MAX_USER_AGENT`] bytes,
/// cut on a character boundary.
pub fn stored_agent(agent: &str) -> &str {
    if agent.len() <= MAX_USER_AGENT {
        return agent;
    }
    let mut end = MAX_USER_AGENT;
    while !agent.is_char_boundary(end) {
        end -= 1;
    }
    &agent[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const HERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const THERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7));

    #[test]
    fn long_user_agents_are_cut_on_a_character_boundary() {
        let long = "é".repeat(200);
        let cut = stored_agent(&long);
        assert!(cut.len() <= MAX_USER_AGENT && cut.chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_long_agent_is_the_same_client_as_what_is_stored_of_it() {
        let long = "a".repeat(1000);
        let mark = LastUseMark::stored(
            Some(datetime!(2026-11-25 10:00:05)),
            Some(HERE),
            Some(stored_agent(&long)),
        );
        let later = datetime!(2026-11-25 10:01:05);
        assert_eq!(mark.news(later, HERE, Some(&long), 60), UseNews::Time);
    }

    #[test]
    fn a_use_is_news_once_per_period_and_client() {
        let mark = LastUseMark::default();
        let at = datetime!(2026-11-25 10:00:05);
        assert_eq!(
            mark.news(at, HERE, Some("a/1"), 60),
            UseNews::Client,
            "the first use"
        );
        assert_eq!(mark.news(at, HERE, Some("a/1"), 60), UseNews::Nothing);
        let later = datetime!(2026-11-25 10:00:59);
        assert_eq!(
            mark.news(later, HERE, Some("a/1"), 60),
            UseNews::Nothing,
            "same minute"
        );
        assert_eq!(
            mark.news(later, THERE, Some("a/1"), 60),
            UseNews::Client,
            "another address"
        );
        assert_eq!(
            mark.news(later, THERE, Some("a/2"), 60),
            UseNews::Client,
            "another agent"
        );
        let next = datetime!(2026-11-25 10:01:00);
        assert_eq!(
            mark.news(next, THERE, Some("a/2"), 60),
            UseNews::Time,
            "the next minute"
        );
        assert_eq!(mark.news(next, THERE, Some("a/2"), 1), UseNews::Nothing);
        let second = datetime!(2026-11-25 10:01:01);
        assert_eq!(
            mark.news(second, THERE, Some("a/2"), 1),
            UseNews::Time,
            "granularity 1 s"
        );
    }

    #[test]
    fn the_precision_reads_as_words() {
        assert_eq!(precision(60), "within the minute");
        assert_eq!(precision(1), "to the second");
        assert_eq!(precision(300), "within 5 minutes");
        assert_eq!(precision(45), "within 45 seconds");
    }

    #[test]
    fn a_stored_use_counts_as_recorded() {
        let at = datetime!(2026-11-25 10:00:05);
        let mark = LastUseMark::stored(Some(at), Some(HERE), None);
        assert_eq!(
            mark.news(datetime!(2026-11-25 10:00:30), HERE, None, 60),
            UseNews::Nothing
        );
        let fresh = LastUseMark::stored(None, None, None);
        assert_eq!(fresh.news(at, HERE, None, 60), UseNews::Client);
    }
}
