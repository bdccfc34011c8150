//! Sends what the outbox holds: each due delivery signed per Standard Webhooks,
//! with a timeout and no redirects, to an address the operator allows (checked on
//! the addresses the name resolves to, the ones then connected to); the result
//! recorded, and a failure retried on the schedule.

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::time::Instant;

use actix_tls::connect::{Connector as TcpConnector, Resolve, Resolver};
use futures_util::StreamExt;
use futures_util::future::{LocalBoxFuture, join_all};
use time::{Duration, PrimitiveDateTime};

use crate::db::audit::Actor;
use crate::db::outbox::{self, Attempt, DueDelivery, Recorded};
use crate::db::{Db, DbConnection, DbError};
use crate::domain::audit::AuditAction;
use crate::domain::webhooks::destination::{Policy, address_allowed, check_url, redacted};
use crate::domain::webhooks::signature::{WebhookKeys, request_headers, signature_header};
use crate::services::outbound;
use crate::services::webhooks::stop_notice;

/// Events turned into deliveries per round.
const BATCH: i64 = 50;
/// Due deliveries looked at per round, shared out among the endpoints.
const WINDOW: i64 = 500;
/// Deliveries to one endpoint a sender has on the way at once.
pub const PER_ENDPOINT: usize = 10;
/// A sender holds a delivery this long; one that died leaves it to the next. Far
/// longer than an attempt may take, so a claim never lapses while its attempt runs.
const LEASE: Duration = Duration::minutes(2);

/// An answer's body is read up to this size; the start of it is kept for the
/// delivery's details, the rest dropped.
const ANSWER_LIMIT: usize = 4 * 1024;

/// How this instance sends: the keys that open the signing secrets, what the
/// operator allows, how long an attempt may take in all, and, when mail is set up,
/// the public URL a stopped webhook's notice links to.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub key: Option<&'a WebhookKeys>,
    pub policy: Policy,
    pub timeout: std::time::Duration,
    pub mail_links: Option<&'a str>,
}

/// What a round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub dispatched: usize,
    pub sent: usize,
    pub delivered: usize,
}

/// The work handed out at one moment: how many events became deliveries, and the
/// deliveries claimed, one group per endpoint.
#[derive(Debug, Default)]
pub struct Claimed {
    pub dispatched: usize,
    pub endpoints: Vec<EndpointDeliveries>,
}

/// An endpoint's claimed deliveries, sent together.
#[derive(Debug)]
pub struct EndpointDeliveries {
    pub endpoint_id: i64,
    deliveries: Vec<DueDelivery>,
    claimed_at: PrimitiveDateTime,
}

/// Hands out the work due at `now`: waiting events become deliveries, and each
/// endpoint that no sender is still sending to gets its share of the due
/// deliveries.
pub async fn claim(db: &Db, now: PrimitiveDateTime) -> Result<Claimed, DbError> {
    if !db
        .run(move |c| Ok::<_, DbError>(outbox::has_work(c, now)?))
        .await?
    {
        return Ok(Claimed::default());
    }
    let (dispatched, due) = db
        .write(move |c| {
            let dispatched = outbox::dispatch(c, BATCH, now)?;
            let due = outbox::claim_due(c, WINDOW, PER_ENDPOINT, LEASE, now)?;
            Ok::<_, DbError>((dispatched, due))
        })
        .await?;
    let mut endpoints: Vec<EndpointDeliveries> = Vec::new();
    for delivery in due {
        let endpoint_id = delivery.endpoint.id;
        match endpoints.iter_mut().find(|e| e.endpoint_id == endpoint_id) {
            Some(group) => group.deliveries.push(delivery),
            None => endpoints.push(EndpointDeliveries {
                endpoint_id,
                deliveries: vec![delivery],
                claimed_at: now,
            }),
        }
    }
    Ok(Claimed {
        dispatched,
        endpoints,
    })
}

/// Sends an endpoint's claimed deliveries side by side, each bounded by the
/// sender's timeout, and records each as soon as it ends, with the time it ended
/// (a retry is scheduled from there). How many were delivered.
pub async fn deliver(db: &Db, sender: Sender<'_>, work: EndpointDeliveries) -> usize {
    let client = client(sender.policy, sender.timeout);
    let started = Instant::now();
    let claimed_at = work.claimed_at;
    let attempts = work.deliveries.into_iter().map(|delivery| {
        let client = &client;
        async move {
            let attempt = send(client, &delivery, sender, claimed_at).await;
            let delivered = attempt.succeeded();
            let ended = claimed_at + started.elapsed();
            let mail_links = sender.mail_links.map(str::to_owned);
            let recorded = db
                .write(move |c| {
                    let recorded = outbox::record_attempt(c, &delivery, &attempt, ended)?;
                    if recorded == Recorded::EndpointStopped {
                        stopped(c, &delivery, &attempt, mail_links.as_deref(), ended)?;
                    }
                    Ok::<_, DbError>(recorded)
                })
                .await;
            match recorded {
                Ok(Recorded::ClaimLost) => {
                    tracing::warn!("a webhook delivery outlasted its claim; another sender has it");
                }
                Ok(_) => {}
                // The claim lapses and the delivery is sent again.
                Err(error) => tracing::warn!(%error, "could not record a webhook delivery"),
            }
            delivered
        }
    });
    join_all(attempts).await.into_iter().filter(|d| *d).count()
}

/// One round, awaited to its end: waiting events become deliveries, and the
/// deliveries due at `now` are sent and recorded.
pub async fn run_once(
    db: &Db,
    sender: Sender<'_>,
    now: PrimitiveDateTime,
) -> Result<Round, DbError> {
    let claimed = claim(db, now).await?;
    let sent = claimed.endpoints.iter().map(|e| e.deliveries.len()).sum();
    let delivered = join_all(
        claimed
            .endpoints
            .into_iter()
            .map(|work| deliver(db, sender, work)),
    )
    .await
    .into_iter()
    .sum();
    Ok(Round {
        dispatched: claimed.dispatched,
        sent,
        delivered,
    })
}

/// Tells of an endpoint Tessera stopped: the log, the audit log and, when mail
/// is set up, every Super Admin.
fn stopped(
    c: &mut DbConnection,
    delivery: &DueDelivery,
    attempt: &Attempt,
    mail_links: Option<&str>,
    now: PrimitiveDateTime,
) -> Result<(), DbError> {
    let endpoint = &delivery.endpoint;
    tracing::warn!(url = %redacted(&endpoint.url), "stopped a webhook whose deliveries failed for five days");
    super::record(
        c,
        &Actor::system(),
        AuditAction::WebhookDisabled,
        &endpoint.public_id,
        &endpoint.url,
        r#"{"reason":"every delivery failed for five days"}"#,
    )?;
    if let Some(public_url) = mail_links {
        let last_error = attempt.error.as_deref().unwrap_or_default();
        stop_notice::tell_super_admins(c, endpoint, last_error, public_url, now)?;
    }
    Ok(())
}

/// Sends one delivery and says how it went, within the sender's timeout: the
/// answer's headers must arrive by then, and its body is read only as long as
/// time remains.
async fn send(
    client: &awc::Client,
    delivery: &DueDelivery,
    sender: Sender<'_>,
    now: PrimitiveDateTime,
) -> Attempt {
    let started = Instant::now();
    let failed = |error: String| Attempt {
        status: None,
        duration_ms: elapsed_ms(started),
        error: Some(error),
        answer: None,
    };
    let endpoint = &delivery.endpoint;
    // Checked again: the operator may have narrowed what is allowed since.
    if let Err(refusal) = check_url(&endpoint.url, sender.policy) {
        return failed(refusal.to_string());
    }
    let Some(key) = sender.key else {
        return failed(
            "TESSERA_ENCRYPTION_KEY is not set, so the signing secret cannot be read.".into(),
        );
    };
    let Ok(current) = key.open(&endpoint.public_id, &endpoint.secret_sealed) else {
        return failed("The signing secret does not open with this encryption key.".into());
    };
    let previous = endpoint
        .previous_secret_sealed
        .as_deref()
        .filter(|_| {
            endpoint
                .previous_secret_until
                .is_some_and(|until| until > now)
        })
        .and_then(|sealed| key.open(&endpoint.public_id, sealed).ok());
    let mut secrets = vec![&current];
    secrets.extend(previous.as_ref());
    let timestamp = now.assume_utc().unix_timestamp();
    let signature = signature_header(&secrets, &delivery.message_id, timestamp, &delivery.payload);
    let mut request = client.post(&endpoint.url);
    for header in request_headers(&delivery.message_id, timestamp, signature) {
        request = request.insert_header(header);
    }
    let request = request.send_body(delivery.payload.clone());
    let no_answer = || {
        failed(format!(
            "No answer within {} seconds.",
            sender.timeout.as_secs()
        ))
    };
    let mut answer = match actix_web::rt::time::timeout(sender.timeout, request).await {
        Err(_) | Ok(Err(awc::error::SendRequestError::Timeout)) => return no_answer(),
        Ok(Err(error)) => return failed(describe(&error)),
        Ok(Ok(answer)) => answer,
    };
    let status = answer.status().as_u16();
    // Read so that the connection can be reused, while time remains; a receiver
    // that trickles it holds nothing up.
    let remaining = sender.timeout.saturating_sub(started.elapsed());
    let body = actix_web::rt::time::timeout(remaining, answer_start(&mut answer)).await;
    let error = (!(200..300).contains(&status)).then(|| format!("The endpoint answered {status}."));
    Attempt {
        status: Some(status),
        duration_ms: elapsed_ms(started),
        error,
        answer: body.ok().filter(|text| !text.is_empty()),
    }
}

/// The first [`ANSWER_LIMIT`] bytes of an answer's body, as text (what is not
/// UTF-8 replaced); a longer body is cut there.
async fn answer_start<S>(answer: &mut awc::ClientResponse<S>) -> String
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let mut read = Vec::new();
    while read.len() < ANSWER_LIMIT {
        match answer.next().await {
            Some(Ok(chunk)) => read.extend_from_slice(&chunk),
            _ => break,
        }
    }
    read.truncate(ANSWER_LIMIT);
    String::from_utf8_lossy(&read).into_owned()
}

fn elapsed_ms(started: Instant) -> i32 {
    i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX)
}

fn describe(error: &awc::error::SendRequestError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// A client that connects only to allowed addresses, follows no redirect, and
/// gives up after the timeout; one per endpoint's share of a round, so that its
/// deliveries share their connections.
fn client(policy: Policy, timeout: std::time::Duration) -> awc::Client {
    let tcp = TcpConnector::new(Resolver::custom(GuardedResolver(policy))).service();
    let mut connector = awc::Connector::new().connector(tcp).timeout(timeout);
    if let Ok(tls) = outbound::tls() {
        connector = connector.openssl(tls);
    }
    awc::Client::builder()
        .connector(connector)
        .disable_redirects()
        .timeout(timeout)
        .finish()
}

/// Resolves a name and refuses it when any of its addresses is one Tessera may not
/// reach, so that the address checked is the address connected to.
struct GuardedResolver(Policy);

#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to {1}, inside a private network; the operator has not allowed those")]
struct PrivateAddress(String, std::net::IpAddr);

impl Resolve for GuardedResolver {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn StdError>>> {
        Box::pin(async move {
            // An IPv6 literal comes as the URL writes it, in brackets, which no
            // resolver takes: without them it is an address, resolved to itself.
            let name = host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(host);
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name, port)).await?.collect();
            if let Some(refused) = addresses.iter().find(|a| !address_allowed(a.ip(), self.0)) {
                return Err(
                    Box::new(PrivateAddress(host.to_owned(), refused.ip())) as Box<dyn StdError>
                );
            }
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name is checked on what it resolves to, when sending: `localhost` stands
    /// for any name an attacker points at an internal address.
    #[actix_web::test]
    async fn a_name_resolving_to_an_internal_address_is_refused() {
        let strict = GuardedResolver(Policy::default());
        let refused = strict.lookup("localhost", 443).await.unwrap_err();
        assert!(
            refused.to_string().contains("inside a private network"),
            "{refused}"
        );
        let open = GuardedResolver(Policy {
            allow_http: false,
            allow_private: true,
        });
        let addresses = open.lookup("localhost", 443).await.unwrap();
        assert!(
            addresses.iter().all(|a| a.ip().is_loopback()),
            "{addresses:?}"
        );
    }

    /// A URL's IPv6 literal reaches the resolver in brackets: it is that address,
    /// judged like any other.
    #[actix_web::test]
    async fn a_bracketed_ipv6_literal_is_its_own_address() {
        let open = GuardedResolver(Policy {
            allow_http: true,
            allow_private: true,
        });
        let addresses = open.lookup("[::1]", 8443).await.unwrap();
        assert_eq!(addresses, vec!["[::1]:8443".parse().unwrap()]);
        let strict = GuardedResolver(Policy::default());
        let refused = strict.lookup("[::1]", 8443).await.unwrap_err();
        assert!(
            refused.to_string().contains("inside a private network"),
            "{refused}"
        );
    }
}
