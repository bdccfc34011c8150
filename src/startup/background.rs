//! What an instance does besides answering requests: sending webhooks and mail,
//! the daily expiry run, and clearing out expired sessions.

use actix_web::rt::task::JoinHandle;
use actix_web::web;

use crate::db;
use crate::services::{expiry, mail, webhooks};
use crate::state::AppState;

/// The jobs running beside the server, stopped with it.
pub struct Jobs(Vec<JoinHandle<()>>);

impl Jobs {
    pub fn start(state: &web::Data<AppState>) -> Self {
        let mut jobs = vec![
            actix_web::rt::spawn(clean_up_periodically(state.clone())),
            actix_web::rt::spawn(tell_about_expiry(state.clone())),
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

/// Sends webhooks: a round every second, or at once while there is a backlog. A
/// delivery interrupted here is sent again by the next round after its lease.
async fn deliver_webhooks(state: web::Data<AppState>) {
    let period = std::time::Duration::from_secs(1);
    loop {
        let config = &state.config;
        let sender = webhooks::delivery::Sender {
            key: config.webhook_key.as_ref(),
            policy: config.webhook_policy,
            mail_links: config.mail_links(),
        };
        let round = webhooks::delivery::run_once(&state.db, sender, db::now()).await;
        match round {
            Ok(round) if round.sent > 0 || round.dispatched > 0 => {
                tracing::debug!(?round, "webhook round");
                continue;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "webhook round failed"),
        }
        actix_web::rt::time::sleep(period).await;
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

/// Removes expired sessions and stale sign-in counters every ten minutes.
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
    }
}
