//! What a token did over a period: its requests by outcome over time, and by
//! module and action. The caller has checked that the administrator may see it.

use time::PrimitiveDateTime;

use crate::db::token_clients::{ClientSeen, clients_of};
use crate::db::usage::{permission_uses, token_rows};
use crate::db::{Db, DbError};
use crate::domain::ids::TokenId;
use crate::domain::tokens::Action;
use crate::domain::usage::series::{Bucket, StoredDay, Window, requests_within, series, totals};
use crate::domain::verification::Outcome;

/// A token's usage over a window of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUsage {
    pub window: Window,
    pub buckets: Vec<Bucket>,
    /// Passing requests by module and action, busiest first.
    pub access: Vec<AccessUse>,
    /// The clients seen passing with the token, however long ago, the most
    /// recently seen first ([`CLIENTS_SHOWN`] at most).
    pub clients: Vec<ClientSeen>,
}

/// Clients listed with a token's usage.
pub const CLIENTS_SHOWN: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessUse {
    pub module: String,
    pub action: Action,
    pub requests: i64,
    /// The latest passing use, however long ago.
    pub last_used: Option<PrimitiveDateTime>,
}

impl TokenUsage {
    /// Requests in the period by outcome, in [`Outcome::ALL`] order.
    pub fn totals(&self) -> [i64; Outcome::ALL.len()] {
        totals(&self.buckets)
    }
}

pub async fn for_token(db: &Db, token_id: TokenId, window: Window) -> Result<TokenUsage, DbError> {
    let (rows, uses, clients) = db
        .run(move |c| {
            Ok::<_, DbError>((
                token_rows(c, token_id, window.days())?,
                permission_uses(c, token_id)?,
                clients_of(c, token_id, CLIENTS_SHOWN)?,
            ))
        })
        .await?;
    let days: Vec<StoredDay> = rows.iter().map(|r| r.day.clone()).collect();
    let mut access: Vec<AccessUse> = Vec::new();
    for row in rows.iter().filter(|r| r.day.outcome == Outcome::Valid) {
        let Some((module, action)) = &row.access else {
            continue;
        };
        let requests = requests_within(window, &row.day);
        match access
            .iter_mut()
            .find(|a| &a.module == module && a.action == *action)
        {
            Some(known) => known.requests += requests,
            None => access.push(AccessUse {
                module: module.clone(),
                action: *action,
                requests,
                last_used: None,
            }),
        }
    }
    // Permissions used before the period show with no requests in it.
    for (module, action, at) in uses {
        match access
            .iter_mut()
            .find(|a| a.module == module && a.action == action)
        {
            Some(known) => known.last_used = Some(at),
            None => access.push(AccessUse {
                module,
                action,
                requests: 0,
                last_used: Some(at),
            }),
        }
    }
    access.sort_by(|a, b| {
        (b.requests, b.last_used)
            .cmp(&(a.requests, a.last_used))
            .then_with(|| (&a.module, a.action).cmp(&(&b.module, b.action)))
    });
    Ok(TokenUsage {
        window,
        buckets: series(window, &days),
        access,
        clients,
    })
}
