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

    /// Values separated by commas, as in `IN (...)`; `NULL` for none, which matches
    /// nothing.
    pub fn bind_list(&mut self, values: impl IntoIterator<Item = Bind>) -> &mut Self {
        let mut values = values.into_iter().peekable();
        if values.peek().is_none() {
            return self.push("NULL");
        }
        for (i, value) in values.enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self
    }

    /// `(VALUES (a, b), (c, d)) AS v`: rows for a batched `UPDATE ... FROM`, whose
    /// columns both backends call `v.column1`, `v.column2`, ...
    pub fn values<R: IntoIterator<Item = Bind>>(
        &mut self,
        rows: impl IntoIterator<Item = R>,
    ) -> &mut Self {
        self.push("(VALUES ");
        for (i, row) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            self.bind_list(row);
            self.push(")");
        }
        self.push(") AS v")
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
