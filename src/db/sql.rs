//! SQL text in either backend's dialect, with its bound values: for the queries
//! whose shape depends on their input (list filters, batched writes).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use time::PrimitiveDateTime;

use crate::db::DbConnection;
use crate::db::connection::MultiBackend;

#[derive(Debug)]
pub enum Bind {
    Text(String),
    NullableText(Option<String>),
    BigInt(i64),
    Integer(i32),
    Timestamp(PrimitiveDateTime),
    NullableTimestamp(Option<PrimitiveDateTime>),
}

/// SQL text with placeholders in the backend's style and the values they stand for.
pub struct Sql {
    pub postgres: bool,
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub fn new(conn: &DbConnection) -> Self {
        Self {
            postgres: matches!(conn, DbConnection::Postgres(_)),
            text: String::with_capacity(1024),
            binds: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    pub fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        if self.postgres {
            self.text.push_str(&format!("${}", self.binds.len()));
        } else {
            self.text.push('?');
        }
        self
    }

    pub fn timestamp_literal(&self, value: &str) -> String {
        if self.postgres {
            format!("TIMESTAMP '{value}'")
        } else {
            format!("'{value}'")
        }
    }

    fn query(
        self,
    ) -> diesel::query_builder::BoxedSqlQuery<'static, MultiBackend, diesel::query_builder::SqlQuery>
    {
        let mut query = diesel::sql_query(self.text).into_boxed::<MultiBackend>();
        for bind in self.binds {
            query = match bind {
                Bind::Text(v) => query.bind::<Text, _>(v),
                Bind::NullableText(v) => query.bind::<Nullable<Text>, _>(v),
                Bind::BigInt(v) => query.bind::<BigInt, _>(v),
                Bind::Integer(v) => query.bind::<Integer, _>(v),
                Bind::Timestamp(v) => query.bind::<Timestamp, _>(v),
                Bind::NullableTimestamp(v) => query.bind::<Nullable<Timestamp>, _>(v),
            };
        }
        query
    }

    pub fn load<T>(self, conn: &mut DbConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<MultiBackend> + 'static,
    {
        self.query().load(conn)
    }

    /// Runs a statement; returns how many rows it changed.
    pub fn execute(self, conn: &mut DbConnection) -> QueryResult<usize> {
        self.query().execute(conn)
    }
}
