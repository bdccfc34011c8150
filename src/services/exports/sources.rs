//! What each export reads: tokens with the list's filter, audit events with the
//! log's, a token's usage buckets.

use time::PrimitiveDateTime;

use super::Source;
use crate::db::audit::{self, AuditFilter};
use crate::db::token_list::{ExportWalk, ExportedToken};
use crate::db::{DbConnection, now};
use crate::domain::admins;
use crate::domain::export::Cell;
use crate::domain::scopes::ScopeAccess;
use crate::domain::token_list::TokenFilter;
use crate::domain::usage::series::Bucket;
use crate::domain::verification::Outcome;

/// Rows read at a time: enough to keep round trips few, few enough that a batch
/// is a fraction of a megabyte.
pub const BATCH: i64 = 1000;

const TOKEN_COLUMNS: [&str; 13] = [
    "guid",
    "name",
    "description",
    "status",
    "type",
    "scopes",
    "permissions",
    "allowed_networks",
    "valid_from",
    "valid_to",
    "created_at",
    "created_by",
    "last_used_at",
];

pub struct TokenSource {
    walk: ExportWalk,
    now: PrimitiveDateTime,
}

impl TokenSource {
    pub fn start(
        c: &mut DbConnection,
        filter: TokenFilter,
        visibility: ScopeAccess,
    ) -> diesel::QueryResult<Self> {
        Ok(Self {
            walk: ExportWalk::start(c, &filter, &visibility)?,
            now: now(),
        })
    }

    fn row(&self, t: ExportedToken) -> Vec<Cell> {
        let token = t.token;
        let created_by = match (&token.creator_name, &token.creator_public_id) {
            (Some(name), Some(id)) => admins::label(name, id),
            _ => "Command line".to_owned(),
        };
        vec![
            Cell::Text(token.guid.to_string()),
            Cell::Text(token.name.clone()),
            Cell::Text(token.description.clone()),
            Cell::Text(token.lifecycle().status(self.now).key().to_owned()),
            Cell::Text(token.token_type.key().to_owned()),
            Cell::List(t.scopes),
            Cell::List(t.grants),
            Cell::List(t.networks),
            Cell::Time(Some(token.valid_from)),
            Cell::Time(token.valid_to),
            Cell::Time(Some(token.created_at)),
            Cell::Text(created_by),
            Cell::Time(token.last_used_at),
        ]
    }
}

impl Source for TokenSource {
    fn columns(&self) -> Vec<String> {
        TOKEN_COLUMNS.map(str::to_owned).to_vec()
    }

    fn next(&mut self, c: &mut DbConnection) -> diesel::QueryResult<Vec<Vec<Cell>>> {
        let batch = self.walk.next(c, BATCH as usize)?;
        Ok(batch.into_iter().map(|t| self.row(t)).collect())
    }
}

const AUDIT_COLUMNS: [&str; 11] = [
    "id",
    "occurred_at",
    "actor",
    "via_api_key",
    "action",
    "target_type",
    "target_id",
    "target",
    "ip",
    "batch_id",
    "details",
];

pub struct AuditSource {
    filter: AuditFilter,
    /// Older than this event, once a batch was read; `None` at the end.
    before: Option<Option<i64>>,
}

impl AuditSource {
    pub fn new(filter: AuditFilter, before: Option<i64>) -> Self {
        Self {
            filter,
            before: Some(before),
        }
    }
}

impl Source for AuditSource {
    fn columns(&self) -> Vec<String> {
        AUDIT_COLUMNS.map(str::to_owned).to_vec()
    }

    fn next(&mut self, c: &mut DbConnection) -> diesel::QueryResult<Vec<Vec<Cell>>> {
        let Some(before) = self.before else {
            return Ok(Vec::new());
        };
        let events = audit::search(c, &self.filter, BATCH, before)?;
        self.before = (events.len() as i64 == BATCH).then(|| events.last().map(|e| e.id));
        let text = |value: Option<String>| Cell::Text(value.unwrap_or_default());
        Ok(events
            .into_iter()
            .map(|e| {
                vec![
                    Cell::Number(e.id),
                    Cell::Time(Some(e.occurred_at)),
                    Cell::Text(e.actor_label),
                    text(e.via_api_key),
                    Cell::Text(e.action.key().to_owned()),
                    Cell::Text(e.target_type.key().to_owned()),
                    text(e.target_id),
                    Cell::Text(e.target_label),
                    text(e.ip),
                    text(e.batch_id),
                    Cell::Text(e.details),
                ]
            })
            .collect())
    }
}

pub struct UsageSource {
    buckets: Option<Vec<Bucket>>,
}

impl UsageSource {
    pub fn new(buckets: Vec<Bucket>) -> Self {
        Self {
            buckets: Some(buckets),
        }
    }
}

impl Source for UsageSource {
    fn columns(&self) -> Vec<String> {
        let mut columns = vec!["start".to_owned()];
        columns.extend(Outcome::ALL.iter().map(|o| o.code().to_owned()));
        columns.push("total".to_owned());
        columns
    }

    fn next(&mut self, _: &mut DbConnection) -> diesel::QueryResult<Vec<Vec<Cell>>> {
        Ok(self
            .buckets
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|bucket| {
                let mut row = vec![Cell::Time(Some(bucket.start))];
                row.extend(bucket.counts.iter().map(|n| Cell::Number(*n)));
                row.push(Cell::Number(bucket.total()));
                row
            })
            .collect())
    }
}
