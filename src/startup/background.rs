//! What an instance does besides answering requests: sending webhooks and mail,
//! the daily expiry run, folding the token counts, and clearing out expired sessions.

use std::rc::Rc;

use actix_web::rt::task::JoinHandle;
use actix_web::web;
use tokio::sync::Notify;

use crate::db;
use crate::services::webhooks::delivery;
use crate::services::{expiry, mail, retention, usage_overview, usage_retention};
use crate::state::AppState;

/// The jobs running beside the server, stopped with it.
pub struct Jobs(Vec<JoinHandle<()>>);

impl Jobs {
    pub fn start(state: &web::Data<AppState>) -> Self {
        let mut jobs = vec![
            actix_web::rt::spawn(clean_up_periodically(state.clone())),
            actix_web::rt::spawn(tell_about_expiry(state.clone())),
            actix_web::rt::spawn(rank_usage_periodically(state.clone())),
            actix_web::rt::spawn(fold_token_counts(state.clone())),
        ];
        if state.config.webhook_delivery {
            jobs.push(actix_web::rt::spawn(deliver_webhooks(state.clone())));
        }
        if state.config.mail.is_some() {
            jobs.push(actix_web::rt::spawn(send_mail(state.clone())));
        }
        Self(jobs)
    }

    pub fn stop(self) {
        for job in self.0 {
            job.abort();
        }
    }
}

/// Sends webhooks: a round every second, at once while there is a backlog, and
/// when an endpoint's sends end. Each endpoint's share is sent by a task of its
/// own, and rounds go on meanwhile without it: a slow receiver holds up only
/// itself. A delivery interrupted here is sent again by a round after its lease.
async fn deliver_webhooks(state: web::Data<AppState>) {
    let period = std::time::Duration::from_secs(1);
    let finished = Rc::new(Notify::new());
    loop {
        match delivery::claim(&state.db, db::now()).await {
            Ok(claimed) => {
                let handed_out = claimed.dispatched > 0 || !claimed.endpoints.is_empty();
                for work in claimed.endpoints {
                    let (state, finished) = (state.clone(), finished.clone());
                    actix_web::rt::spawn(async move {
                        // Wakes the rounds however the task ends.
                        let _wake = WakeOnDrop(finished);
                        let endpoint_id = work.endpoint_id;
                        let delivered = delivery::deliver(&state.db, sender(&state), work).await;
                        tracing::debug!(endpoint_id, delivered, "webhook deliveries sent");
                    });
                }
                if handed_out {
                    continue;
                }
            }
            Err(error) => tracing::warn!(%error, "webhook round failed"),
        }
        let _ = actix_web::rt::time::timeout(period, finished.notified()).await;
    }
}

struct WakeOnDrop(Rc<Notify>);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

fn sender(state: &AppState) -> delivery::Sender<'_> {
    let config = &state.config;
    delivery::Sender {
        key: config.webhook_key.as_ref(),
        policy: config.webhook_policy,
        timeout: config.webhook_timeout,
        mail_links: config.mail_links(),
    }
}

/// Sends waiting mails every two seconds.
async fn send_mail(state: web::Data<AppState>) {
    let period = std::time::Duration::from_secs(2);
    let Some(settings) = &state.config.mail else {
        return;
    };
    loop {
        if let Err(error) = mail::send_waiting(&state.db, settings, db::now()).await {
            tracing::warn!(%error, "sending mail failed");
        }
        actix_web::rt::time::sleep(period).await;
    }
}

/// Looks every minute whether the daily expiry run is due (one instance runs it),
/// the first time a minute after the start.
async fn tell_about_expiry(state: web::Data<AppState>) {
    let period = std::time::Duration::from_secs(60);
    loop {
        actix_web::rt::time::sleep(period).await;
        let mail_links = state.config.mail_links().map(str::to_owned);
        match expiry::run_if_due(&state.db, db::now(), mail_links).await {
            Ok(Some(told)) => tracing::info!(?told, "expiry run"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "expiry run failed"),
        }
    }
}

/// Removes expired sessions and stale sign-in counters, and applies the retention
/// rules (of the outboxes, and of usage counts), every ten minutes.
async fn clean_up_periodically(state: web::Data<AppState>) {
    let period = std::time::Duration::from_secs(600);
    let mut interval =
        actix_web::rt::time::interval_at(actix_web::rt::time::Instant::now() + period, period);
    loop {
        interval.tick().await;
        let lifetime = state.config.session_lifetime;
        let result = state
            .db
            .run(move |c| {
                let sessions = db::sessions::delete_expired(c, lifetime)?;
                let counters = db::throttle::delete_stale(c, time::Duration::hours(1))?;
                Ok::<_, db::DbError>((sessions, counters))
            })
            .await;
        match result {
            Ok((sessions, counters)) => {
                tracing::debug!(sessions, counters, "removed expired sessions and counters")
            }
            Err(error) => tracing::warn!(%error, "cleanup failed"),
        }
        match retention::apply(&state.db, state.config.retention, db::now()).await {
            Ok(removed) if removed.total() > 0 => tracing::info!(?removed, "removed old records"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "applying the retention rule failed"),
        }
        match usage_retention::apply(&state.db, state.config.usage_retention, db::now()).await {
            Ok(Some(done)) => tracing::info!(?done, "rolled up and removed old usage counts"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "rolling up usage counts failed"),
        }
    }
}

/// Ranks the busiest and most refused tokens: at start, then at every interval
/// (an instance skips its turn when another ranked them within it).
async fn rank_usage_periodically(state: web::Data<AppState>) {
    let period = state.config.usage_ranking;
    let every = time::Duration::try_from(period).unwrap_or(time::Duration::MINUTE) * 0.9;
    let mut interval = actix_web::rt::time::interval(period);
    loop {
        interval.tick().await;
        match usage_overview::rank(&state.db, db::now(), every).await {
            Ok(Some(leaders)) => tracing::debug!(leaders, "ranked the tokens by usage"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "ranking the tokens by usage failed"),
        }
    }
}

/// Folds the changes of the token counts every few seconds, so that a count reads
/// few of them.
async fn fold_token_counts(state: web::Data<AppState>) {
    let mut interval = actix_web::rt::time::interval(std::time::Duration::from_secs(5));
    loop {
        interval.tick().await;
        // Batch after batch while there is a backlog, each a write of its own.
        loop {
            let fold =
                |c: &mut db::DbConnection| Ok::<_, db::DbError>(db::token_counts::fold_batch(c)?);
            match state.db.write(fold).await {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "folding the token counts failed");
                    break;
                }
            }
        }
    }
}
