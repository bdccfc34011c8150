//! The usage of an example token that was used: the latest use of each granted
//! (module, action) pair it used, and the clients it was used from. Enough for
//! every health finding to hold some tokens: pairs unused for weeks, tokens seen
//! from many addresses, and tokens seen from a new address today.

use rand::Rng;
use rand::seq::SliceRandom;
use time::{Duration, PrimitiveDateTime};

use crate::db::examples::{ExampleClient, ExampleUse};
use crate::domain::tokens::{Action, TokenType};

const AGENTS: [&str; 4] = [
    "orders-sync/2.3",
    "python-requests/2.32",
    "curl/8.5.0",
    "Go-http-client/1.1",
];

/// What a token used last at `last`, since its creation at `created`, used.
pub struct Used<'a> {
    pub created: PrimitiveDateTime,
    pub last: PrimitiveDateTime,
    pub address: &'a str,
}

/// The granted pairs' latest uses: one at the last use, some others weeks
/// before, the rest never.
pub fn uses(
    rng: &mut impl Rng,
    used: &Used<'_>,
    token_type: TokenType,
    grants: &[(String, Action)],
    modules: &[(i64, String)],
) -> Vec<ExampleUse> {
    let mut pairs: Vec<(String, Action)> = match token_type {
        TokenType::Custom => grants.to_vec(),
        TokenType::ReadOnly => modules
            .iter()
            .map(|(_, m)| (m.clone(), Action::Read))
            .collect(),
        TokenType::FullAccess => modules
            .iter()
            .flat_map(|(_, m)| [(m.clone(), Action::Read), (m.clone(), Action::Write)])
            .collect(),
    };
    // The pair used last is any of them.
    pairs.shuffle(rng);
    let mut uses = Vec::new();
    for (i, (module, action)) in pairs.into_iter().enumerate() {
        let at = if i == 0 {
            used.last
        } else if rng.gen_bool(0.6) {
            (used.last - Duration::minutes(rng.gen_range(0..60 * 24 * 60))).max(used.created)
        } else {
            continue;
        };
        uses.push(ExampleUse { module, action, at });
    }
    uses
}

/// Its clients: mostly one address, some seen from many, some from a new
/// address in the day before the last use.
pub fn clients(rng: &mut impl Rng, used: &Used<'_>) -> Vec<ExampleClient> {
    let agent = AGENTS[rng.gen_range(0..AGENTS.len())].to_owned();
    let mut clients = vec![ExampleClient {
        client_ip: used.address.to_owned(),
        user_agent: agent.clone(),
        first_seen: used
            .created
            .max(used.last - Duration::days(rng.gen_range(1..60))),
        last_seen: used.last,
    }];
    match rng.gen_range(0..100) {
        0..=3 => {
            let (first, since) = (rng.gen_range(1..240), clients[0].first_seen);
            clients.extend((1..=6).map(|i| ExampleClient {
                client_ip: format!("192.0.2.{}", first + i),
                user_agent: format!("{agent} worker-{i}"),
                first_seen: since,
                last_seen: (used.last - Duration::hours(i)).max(since),
            }));
        }
        4..=7 => clients.push(ExampleClient {
            client_ip: format!("198.51.100.{}", rng.gen_range(1..255)),
            user_agent: agent,
            first_seen: (used.last - Duration::hours(rng.gen_range(0..12))).max(used.created),
            last_seen: used.last,
        }),
        _ => {}
    }
    clients
}
