//! What each bulk action did, kept a week for its result page and for a retry of
//! its API request.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::bulk_actions;
use crate::domain::ids::AdministratorId;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bulk_actions)]
pub struct BulkRecord {
    pub batch_id: String,
    pub created_at: PrimitiveDateTime,
    pub actor_id: Option<AdministratorId>,
    pub action: String,
    pub done: i32,
    pub skipped: i32,
    /// Each token's result, as JSON.
    pub results: String,
}

pub fn record(conn: &mut DbConnection, record: &BulkRecord) -> QueryResult<()> {
    diesel::insert_into(bulk_actions::table)
        .values(record.clone())
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, batch_id: &str) -> QueryResult<Option<BulkRecord>> {
    bulk_actions::table
        .find(batch_id)
        .select(BulkRecord::as_select())
        .first(conn)
        .optional()
}

/// Forgets the actions made before `before`; returns how many.
pub fn prune(conn: &mut DbConnection, before: PrimitiveDateTime) -> QueryResult<usize> {
    diesel::delete(bulk_actions::table.filter(bulk_actions::created_at.lt(before))).execute(conn)
}
