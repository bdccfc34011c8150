//! The daily expiry run: every token that has reached a lead time before its end
//! (or has just ended) is told about once — as a `token.expiring` or
//! `token.expired` webhook event and, when mail is set up, in one digest per
//! person — by one instance; a run missed while Tessera was down is caught up.

pub mod digest;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use time::{Duration, PrimitiveDateTime};

use crate::db::admins::{self, preferences};
use crate::db::audit::{self, Target};
use crate::db::tokens::TokenRow;
use crate::db::{DbConnection, DbError, expiry, tokens};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::expiry::{EXPIRED, Schedule, reached_lead, run_due};
use crate::domain::ids::AdministratorId;
use crate::domain::permissions::Permission;
use crate::domain::scopes::ScopeAccess;
use crate::domain::timestamps::readable;
use crate::domain::validation::FieldErrors;
use crate::domain::webhooks::EventType;
use crate::services::{Caller, Forbidden, Services, events};
use digest::DigestToken;

/// What a run told.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Told {
    pub expiring: usize,
    pub expired: usize,
    /// Digests written for sending.
    pub mails: usize,
}

/// Runs the expiry run if it is due at `now` and no other instance took it.
/// `mail_links` is the public URL the digests link to, when mail is set up.
pub async fn run_if_due(
    db: &crate::db::Db,
    now: PrimitiveDateTime,
    mail_links: Option<String>,
) -> Result<Option<Told>, DbError> {
    run(db, now, mail_links, Start::WhenDue).await
}

/// Runs the expiry run now, whatever the hour (`tessera expiry run`), claimed as
/// the scheduled run is; `None` when another instance claimed it at this moment.
pub async fn run_now(
    db: &crate::db::Db,
    now: PrimitiveDateTime,
    mail_links: Option<String>,
) -> Result<Option<Told>, DbError> {
    run(db, now, mail_links, Start::Now).await
}

/// Whether a run waits for its hour.
#[derive(Clone, Copy)]
enum Start {
    WhenDue,
    Now,
}

async fn run(
    db: &crate::db::Db,
    now: PrimitiveDateTime,
    mail_links: Option<String>,
    start: Start,
) -> Result<Option<Told>, DbError> {
    db.write(move |c| {
        let schedule = expiry::schedule(c)?;
        let Some(last_run) = expiry::claim_run(c, now, |last| match start {
            Start::WhenDue => run_due(schedule.run_hour, last, now),
            Start::Now => true,
        })?
        else {
            return Ok(None);
        };
        let leads = schedule.lead_days;
        let horizon = now + Duration::days(leads.iter().copied().max().unwrap_or(0));
        // Tokens that ended since the last run are told they expired; the first
        // run looks back one day, not over the whole history.
        let since = last_run.unwrap_or(now - Duration::days(1));
        let mut told = Told::default();
        let mut digests = Digests::default();
        for (id, guid, valid_to) in expiry::ending_between(c, since, horizon)? {
            let Some(lead) = reached_lead(&leads, valid_to, now) else {
                continue;
            };
            if !expiry::claim_notice(c, id, lead, valid_to, now)? {
                continue;
            }
            let event = if lead == EXPIRED {
                told.expired += 1;
                EventType::TokenExpired
            } else {
                told.expiring += 1;
                EventType::TokenExpiring
            };
            let Some((token, scopes)) = tokens::row_with_scopes(c, &guid)? else {
                continue;
            };
            events::token_event(c, event, None, &token, &scopes)?;
            if let Some(public_url) = &mail_links {
                digests.add(c, &token, &scopes, lead == EXPIRED, public_url)?;
            }
        }
        if let Some(public_url) = &mail_links {
            told.mails = digests.enqueue(c, public_url, now)?;
        }
        Ok::<_, DbError>(Some(told))
    })
    .await
}

/// The schedule, as Settings > Notifications shows it.
pub async fn schedule(services: Services<'_>, caller: &Caller) -> Result<Schedule, ExpiryError> {
    caller.require(Permission::SettingsManage)?;
    Ok(services
        .db
        .run(|c| Ok::<_, DbError>(expiry::schedule(c)?))
        .await?)
}

/// Saves the lead times and the hour of the run.
pub async fn save_schedule(
    services: Services<'_>,
    caller: &Caller,
    leads: String,
    hour: String,
) -> Result<Schedule, ExpiryError> {
    caller.require(Permission::SettingsManage)?;
    let schedule = Schedule::parse(&leads, &hour).map_err(ExpiryError::Invalid)?;
    let actor = caller.actor.clone();
    let saved = schedule.clone();
    services
        .db
        .write(move |c| {
            expiry::save_schedule(c, &saved)?;
            let target = Target::of(TargetKind::Settings, None, "Expiry notifications");
            let details =
                serde_json::json!({ "lead_days": saved.lead_days, "run_hour": saved.run_hour });
            audit::record(
                c,
                &actor,
                AuditAction::NotificationsChanged,
                &target,
                &details.to_string(),
            )?;
            Ok::<_, DbError>(())
        })
        .await?;
    Ok(schedule)
}

#[derive(Debug, thiserror::Error)]
pub enum ExpiryError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Someone a digest may go to, as they are at this run.
struct Recipient {
    email: String,
    name: String,
    /// Told about the tokens they created, unless they opted out.
    wants_own: bool,
    /// The tokens they may read now: of their current scopes, every one for a Super
    /// Admin; none without `tokens.read`.
    reads: Option<ScopeAccess>,
}

impl Recipient {
    fn reads(&self, token_scopes: &[i64]) -> bool {
        self.reads
            .as_ref()
            .is_some_and(|access| access.sees(token_scopes))
    }
}

/// The digests of one run: by address, the person's name and their tokens.
#[derive(Default)]
struct Digests {
    by_address: BTreeMap<String, (String, Vec<DigestToken>)>,
    /// Administrators as read this run (none: gone or disabled).
    people: HashMap<AdministratorId, Option<Recipient>>,
    /// Administrators who asked for their scopes' tokens.
    watchers: Option<Vec<AdministratorId>>,
}

impl Digests {
    /// Adds the token to the digest of its creator (unless they opted out) and of
    /// every administrator of its scopes who opted in: to each only while the
    /// token is in one of their scopes.
    fn add(
        &mut self,
        c: &mut DbConnection,
        token: &TokenRow,
        scopes: &[(i64, String)],
        expired: bool,
        public_url: &str,
    ) -> Result<(), DbError> {
        let scope_ids: Vec<i64> = scopes.iter().map(|(id, _)| *id).collect();
        let listed = DigestToken {
            name: token.name.clone(),
            scopes: scopes
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            expires: token.valid_to.as_ref().map(readable).unwrap_or_default(),
            expired,
            last_used: token
                .last_used_at
                .as_ref()
                .map_or_else(|| "never".into(), readable),
            renew_url: format!(
                "{public_url}{}?duration=90d",
                crate::urls::token_page(&token.guid, crate::urls::TokenPage::Edit)
            ),
        };
        let mut people: Vec<(String, String)> = Vec::new();
        if let Some(creator) = token.created_by
            && let Some(admin) = self.recipient(c, creator)?
            && admin.wants_own
            && admin.reads(&scope_ids)
        {
            people.push((admin.email.clone(), admin.name.clone()));
        }
        for id in self.watchers(c)? {
            if let Some(watcher) = self.recipient(c, id)?
                && watcher.reads(&scope_ids)
                // A creator who also watches the token's scopes is told once.
                && !people.iter().any(|(known, _)| *known == watcher.email)
            {
                people.push((watcher.email.clone(), watcher.name.clone()));
            }
        }
        for (email, name) in people {
            let entry = self
                .by_address
                .entry(email)
                .or_insert_with(|| (name, Vec::new()));
            entry.1.push(listed.clone());
        }
        Ok(())
    }

    /// An administrator, if still enabled, with what they may read; read once per run.
    fn recipient(
        &mut self,
        c: &mut DbConnection,
        id: AdministratorId,
    ) -> Result<Option<&Recipient>, DbError> {
        let known = match self.people.entry(id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let access = admins::load_access(c, id)?.filter(|a| a.admin.is_enabled());
                new.insert(access.map(|access| {
                    Recipient {
                        reads: access
                            .permissions
                            .contains(Permission::TokensRead)
                            .then(|| ScopeAccess::of(access.permissions, access.scope_ids)),
                        wants_own: access.admin.expiry_mail_own,
                        email: access.admin.email,
                        name: access.admin.display_name,
                    }
                }))
            }
        };
        Ok(known.as_ref())
    }

    fn watchers(&mut self, c: &mut DbConnection) -> Result<Vec<AdministratorId>, DbError> {
        if self.watchers.is_none() {
            self.watchers = Some(preferences::scope_watchers(c)?);
        }
        Ok(self.watchers.clone().unwrap_or_default())
    }

    fn enqueue(
        self,
        c: &mut DbConnection,
        public_url: &str,
        now: PrimitiveDateTime,
    ) -> Result<usize, DbError> {
        let count = self.by_address.len();
        for (address, (name, tokens)) in self.by_address {
            digest::queue(c, &address, &name, &tokens, public_url, now)?;
        }
        Ok(count)
    }
}
