//! The query API every store module uses, the same on SQLite and
//! PostgreSQL: `query(sql).bind(…).fetch_one(conn)` as in sqlx, over
//! [`Connection`] (a connection or transaction of either backend) or the
//! [`Pool`]. Values are bound typed ([`Arg`]) and handed to the backend's own
//! sqlx driver when the query runs, so each driver encodes and decodes its
//! native types (booleans, BIGINT, BYTEA) — what `sqlx::Any` does not.
//!
//! SQL is written once with `$n` placeholders; the few statements that
//! differ ask [`Connection::backend`] and pick their text.

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{StreamExt as _, TryStreamExt as _};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Decode, FromRow, PgConnection, Postgres, Sqlite, SqliteConnection, Type};
use sqlx::{SqlSafeStr, SqlStr};
use std::borrow::Cow;
use std::marker::PhantomData;

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (the default).
    Sqlite,
    /// A PostgreSQL server (several daemons on one database).
    Postgres,
}

impl Backend {
    /// The name `status` and `doctor` print.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A value bound to a placeholder, typed even when NULL (PostgreSQL wants
/// a NULL's type).
#[derive(Debug, Clone)]
pub(crate) enum Arg<'a> {
    Int(Option<i64>),
    Real(Option<f64>),
    Bool(Option<bool>),
    Text(Option<Cow<'a, str>>),
    Bytes(Option<Cow<'a, [u8]>>),
}

impl Arg<'_> {
    /// The value, owned.
    fn into_owned(self) -> Arg<'static> {
        match self {
            Arg::Int(v) => Arg::Int(v),
            Arg::Real(v) => Arg::Real(v),
            Arg::Bool(v) => Arg::Bool(v),
            Arg::Text(v) => Arg::Text(v.map(|v| Cow::Owned(v.into_owned()))),
            Arg::Bytes(v) => Arg::Bytes(v.map(|v| Cow::Owned(v.into_owned()))),
        }
    }
}

/// A Rust value that binds to a placeholder.
pub(crate) trait Bind<'a> {
    /// The value as bound.
    fn into_arg(self) -> Arg<'a>;
    /// A NULL of this type (for `None`).
    const NULL: Arg<'static>;
}

macro_rules! bind_as {
    ($variant:ident, $($ty:ty => $conv:expr),+ $(,)?) => {$(
        impl<'a> Bind<'a> for $ty {
            fn into_arg(self) -> Arg<'a> {
                #[allow(clippy::redundant_closure_call)]
                Arg::$variant(Some(($conv)(self)))
            }
            const NULL: Arg<'static> = Arg::$variant(None);
        }
    )+};
}

bind_as!(Int,
    i64 => |v| v,
    &'a i64 => |v: &'a i64| *v,
    i32 => i64::from,
    u32 => i64::from,
    u16 => i64::from,
    u8 => i64::from,
);
bind_as!(Real, f64 => |v| v);
bind_as!(Bool, bool => |v| v);
bind_as!(Text,
    &'a str => Cow::Borrowed,
    String => Cow::Owned,
    &'a String => |v: &'a String| Cow::Borrowed(v.as_str()),
);

impl<'a> Bind<'a> for &'a Option<String> {
    fn into_arg(self) -> Arg<'a> {
        self.as_deref().into_arg()
    }
    const NULL: Arg<'static> = Arg::Text(None);
}
bind_as!(Bytes,
    &'a [u8] => Cow::Borrowed,
    Vec<u8> => Cow::Owned,
    &'a Vec<u8> => |v: &'a Vec<u8>| Cow::Borrowed(v.as_slice()),
);

impl<'a, T: Bind<'a>> Bind<'a> for Option<T> {
    fn into_arg(self) -> Arg<'a> {
        match self {
            Some(value) => value.into_arg(),
            None => T::NULL,
        }
    }
    const NULL: Arg<'static> = T::NULL;
}

/// A row of either backend.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

/// A Rust value both drivers decode from a column.
pub(crate) trait Column:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}
impl<T> Column for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// A Rust value (a tuple of [`Column`]s, usually) both drivers build from a row.
pub(crate) trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A column index (position or name) both rows accept.
pub(crate) trait Index: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> {}
impl<I: ColumnIndex<SqliteRow> + ColumnIndex<PgRow>> Index for I {}

impl Row {
    /// The column `index` decoded as `T`.
    pub(crate) fn try_get<T: Column, I: Index>(&self, index: I) -> Result<T, sqlx::Error> {
        match self {
            Row::Sqlite(row) => sqlx::Row::try_get(row, index),
            Row::Postgres(row) => sqlx::Row::try_get(row, index),
        }
    }

    /// The row decoded as `T`.
    fn record<T: Record>(&self) -> Result<T, sqlx::Error> {
        match self {
            Row::Sqlite(row) => T::from_row(row),
            Row::Postgres(row) => T::from_row(row),
        }
    }
}

/// A connection or transaction of either backend.
pub(crate) trait Connection: Send {
    /// The backend it talks to.
    fn backend(&self) -> Backend;
    /// Runs `query`, returning the rows it changed.
    fn execute<'c>(&'c mut self, query: Query<'_>) -> BoxFuture<'c, Result<u64, sqlx::Error>>;
    /// Runs `query`, returning all its rows.
    fn fetch_all<'c>(
        &'c mut self,
        query: Query<'_>,
    ) -> BoxFuture<'c, Result<Vec<Row>, sqlx::Error>>;
    /// Runs `query`, returning its first row if any.
    fn fetch_optional<'c>(
        &'c mut self,
        query: Query<'_>,
    ) -> BoxFuture<'c, Result<Option<Row>, sqlx::Error>>;
    /// Runs `query`, streaming its rows.
    fn fetch<'c>(&'c mut self, query: Query<'_>) -> BoxStream<'c, Result<Row, sqlx::Error>>;
    /// The rows held back to be written at once, when this connection
    /// defers them ([`super::deferred::Deferring`], applying plans): the
    /// writers of those rows add them there instead of running a statement.
    fn deferred(&mut self) -> Option<&mut super::deferred::Deferred> {
        None
    }
}

/// Statements sent to either database since the process started: the round
/// trips of `bench store` (a SQLite multi-statement string is one).
static STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Statements run through this module so far (BEGIN and COMMIT excluded),
/// with PostgreSQL's write lock (a round trip of every write transaction,
/// [`count_statement`]).
pub fn statements_run() -> u64 {
    STATEMENTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts a statement sent outside this module's queries.
pub(super) fn count_statement() {
    STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Builds the driver's query: the SQL and each value bound natively.
macro_rules! native {
    ($db:ty, $query:expr) => {{
        let query = $query;
        count_statement();
        let mut native = sqlx::query::<$db>(query.sql).persistent(query.persistent);
        for arg in query.args {
            native = match arg {
                Arg::Int(v) => native.bind(v),
                Arg::Real(v) => native.bind(v),
                Arg::Bool(v) => native.bind(v),
                Arg::Text(v) => native.bind(v.as_deref()),
                Arg::Bytes(v) => native.bind(v.as_deref()),
            };
        }
        native
    }};
}

macro_rules! connection {
    ($conn:ty, $db:ty, $backend:ident) => {
        impl Connection for $conn {
            fn backend(&self) -> Backend {
                Backend::$backend
            }
            fn execute<'c>(
                &'c mut self,
                query: Query<'_>,
            ) -> BoxFuture<'c, Result<u64, sqlx::Error>> {
                let native = native!($db, query);
                Box::pin(async move { Ok(native.execute(self).await?.rows_affected()) })
            }
            fn fetch_all<'c>(
                &'c mut self,
                query: Query<'_>,
            ) -> BoxFuture<'c, Result<Vec<Row>, sqlx::Error>> {
                let native = native!($db, query);
                Box::pin(async move {
                    let rows = native.fetch_all(self).await?;
                    Ok(rows.into_iter().map(Row::$backend).collect())
                })
            }
            fn fetch_optional<'c>(
                &'c mut self,
                query: Query<'_>,
            ) -> BoxFuture<'c, Result<Option<Row>, sqlx::Error>> {
                let native = native!($db, query);
                Box::pin(async move { Ok(native.fetch_optional(self).await?.map(Row::$backend)) })
            }
            fn fetch<'c>(
                &'c mut self,
                query: Query<'_>,
            ) -> BoxStream<'c, Result<Row, sqlx::Error>> {
                let native = native!($db, query);
                native.fetch(self).map_ok(Row::$backend).boxed()
            }
        }
    };
}

connection!(SqliteConnection, Sqlite, Sqlite);
connection!(PgConnection, Postgres, Postgres);

/// The connection pool of either backend; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Pool {
    /// The backend it talks to.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Takes a connection for several queries in a row.
    pub(crate) async fn acquire(&self) -> Result<Pooled, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
            Pool::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A transaction of either backend; a [`Connection`] itself.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Rolls back.
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// A connection held by a wrapper (a transaction, a pooled connection)
/// runs queries through the wrapper: `&mut tx` and `&mut *tx` are both a
/// `&mut Conn`.
macro_rules! connection_holder {
    ($holder:ident) => {
        impl Connection for $holder {
            fn backend(&self) -> Backend {
                match self {
                    $holder::Sqlite(_) => Backend::Sqlite,
                    $holder::Postgres(_) => Backend::Postgres,
                }
            }
            fn execute<'c>(
                &'c mut self,
                query: Query<'_>,
            ) -> BoxFuture<'c, Result<u64, sqlx::Error>> {
                self.connection().execute(query)
            }
            fn fetch_all<'c>(
                &'c mut self,
                query: Query<'_>,
            ) -> BoxFuture<'c, Result<Vec<Row>, sqlx::Error>> {
                self.connection().fetch_all(query)
            }
            fn fetch_optional<'c>(
                &'c mut self,
                query: Query<'_>,
            ) -> BoxFuture<'c, Result<Option<Row>, sqlx::Error>> {
                self.connection().fetch_optional(query)
            }
            fn fetch<'c>(
                &'c mut self,
                query: Query<'_>,
            ) -> BoxStream<'c, Result<Row, sqlx::Error>> {
                self.connection().fetch(query)
            }
        }

        impl $holder {
            /// The connection held.
            fn connection(&mut self) -> &mut (dyn Connection + 'static) {
                match self {
                    $holder::Sqlite(conn) => &mut **conn,
                    $holder::Postgres(conn) => &mut **conn,
                }
            }
        }

        impl std::ops::Deref for $holder {
            type Target = dyn Connection;
            fn deref(&self) -> &Self::Target {
                match self {
                    $holder::Sqlite(conn) => &**conn,
                    $holder::Postgres(conn) => &**conn,
                }
            }
        }

        impl std::ops::DerefMut for $holder {
            fn deref_mut(&mut self) -> &mut Self::Target {
                self.connection()
            }
        }
    };
}

connection_holder!(Tx);
connection_holder!(Pooled);

/// A connection taken from the pool (returned to it when dropped).
pub(crate) enum Pooled {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

/// Where a query runs: a connection (`&mut *conn`, `&mut *tx`) or the pool.
pub(crate) trait Executor<'c>: Send {
    /// See [`Connection::execute`].
    fn execute(self, query: Query<'_>) -> BoxFuture<'c, Result<u64, sqlx::Error>>;
    /// See [`Connection::fetch_all`].
    fn fetch_all(self, query: Query<'_>) -> BoxFuture<'c, Result<Vec<Row>, sqlx::Error>>;
    /// See [`Connection::fetch_optional`].
    fn fetch_optional(self, query: Query<'_>) -> BoxFuture<'c, Result<Option<Row>, sqlx::Error>>;
    /// See [`Connection::fetch`].
    fn fetch(self, query: Query<'_>) -> BoxStream<'c, Result<Row, sqlx::Error>>;
}

impl<'c> Executor<'c> for &'c mut (dyn Connection + 'static) {
    fn execute(self, query: Query<'_>) -> BoxFuture<'c, Result<u64, sqlx::Error>> {
        Connection::execute(self, query)
    }
    fn fetch_all(self, query: Query<'_>) -> BoxFuture<'c, Result<Vec<Row>, sqlx::Error>> {
        Connection::fetch_all(self, query)
    }
    fn fetch_optional(self, query: Query<'_>) -> BoxFuture<'c, Result<Option<Row>, sqlx::Error>> {
        Connection::fetch_optional(self, query)
    }
    fn fetch(self, query: Query<'_>) -> BoxStream<'c, Result<Row, sqlx::Error>> {
        Connection::fetch(self, query)
    }
}

impl<'c> Executor<'c> for &'c Pool {
    fn execute(self, query: Query<'_>) -> BoxFuture<'c, Result<u64, sqlx::Error>> {
        match self {
            Pool::Sqlite(pool) => {
                let native = native!(Sqlite, query);
                Box::pin(async move { Ok(native.execute(pool).await?.rows_affected()) })
            }
            Pool::Postgres(pool) => {
                let native = native!(Postgres, query);
                Box::pin(async move { Ok(native.execute(pool).await?.rows_affected()) })
            }
        }
    }
    fn fetch_all(self, query: Query<'_>) -> BoxFuture<'c, Result<Vec<Row>, sqlx::Error>> {
        match self {
            Pool::Sqlite(pool) => {
                let native = native!(Sqlite, query);
                Box::pin(async move {
                    let rows = native.fetch_all(pool).await?;
                    Ok(rows.into_iter().map(Row::Sqlite).collect())
                })
            }
            Pool::Postgres(pool) => {
                let native = native!(Postgres, query);
                Box::pin(async move {
                    let rows = native.fetch_all(pool).await?;
                    Ok(rows.into_iter().map(Row::Postgres).collect())
                })
            }
        }
    }
    fn fetch_optional(self, query: Query<'_>) -> BoxFuture<'c, Result<Option<Row>, sqlx::Error>> {
        match self {
            Pool::Sqlite(pool) => {
                let native = native!(Sqlite, query);
                Box::pin(async move { Ok(native.fetch_optional(pool).await?.map(Row::Sqlite)) })
            }
            Pool::Postgres(pool) => {
                let native = native!(Postgres, query);
                Box::pin(async move { Ok(native.fetch_optional(pool).await?.map(Row::Postgres)) })
            }
        }
    }
    fn fetch(self, query: Query<'_>) -> BoxStream<'c, Result<Row, sqlx::Error>> {
        match self {
            Pool::Sqlite(pool) => native!(Sqlite, query)
                .fetch(pool)
                .map_ok(Row::Sqlite)
                .boxed(),
            Pool::Postgres(pool) => native!(Postgres, query)
                .fetch(pool)
                .map_ok(Row::Postgres)
                .boxed(),
        }
    }
}

/// A statement and its bound values.
#[derive(Debug, Clone)]
pub(crate) struct Query<'a> {
    sql: SqlStr,
    args: Vec<Arg<'a>>,
    persistent: bool,
    /// The kinds of deferred rows its caller has accounted for
    /// ([`super::deferred::Kinds`]): they need not be written before it runs.
    handles: super::deferred::Kinds,
}

/// A statement with `$n` placeholders.
pub(crate) fn query<'a>(sql: impl SqlSafeStr) -> Query<'a> {
    Query {
        sql: sql.into_sql_str(),
        args: Vec::new(),
        persistent: true,
        handles: super::deferred::Kinds::NONE,
    }
}

/// A statement whose rows are read as `T` (a tuple of columns).
pub(crate) fn query_as<'a, T: Record>(sql: impl SqlSafeStr) -> QueryAs<'a, T> {
    QueryAs {
        query: query(sql),
        out: PhantomData,
    }
}

/// A statement whose rows' first column is read as `T`.
pub(crate) fn query_scalar<'a, T: Column>(sql: impl SqlSafeStr) -> QueryScalar<'a, T> {
    QueryScalar {
        query: query(sql),
        out: PhantomData,
    }
}

/// What [`Query::execute`] did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done(u64);

impl Done {
    /// The rows inserted, updated or deleted.
    pub(crate) fn rows_affected(self) -> u64 {
        self.0
    }
}

impl<'a> Query<'a> {
    /// Whether the driver keeps the statement prepared for reuse (the
    /// default); off for statements whose text varies, such as multi-row
    /// `VALUES` lists, which would crowd out the others.
    pub(crate) fn persistent(mut self, keep: bool) -> Self {
        self.persistent = keep;
        self
    }

    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl Bind<'a>) -> Self {
        self.args.push(value.into_arg());
        self
    }

    /// Says that the caller accounts for the deferred rows of these kinds
    /// (see [`super::deferred`]), so they are not written before it runs.
    pub(crate) fn handles_deferred(mut self, kinds: super::deferred::Kinds) -> Self {
        self.handles = kinds;
        self
    }

    /// The statement's text.
    pub(crate) fn sql(&self) -> &str {
        self.sql.as_str()
    }

    /// The kinds of deferred rows its caller accounts for.
    pub(crate) fn handled(&self) -> super::deferred::Kinds {
        self.handles
    }

    /// The same query owning its values.
    pub(crate) fn into_owned(self) -> Query<'static> {
        Query {
            sql: self.sql,
            args: self.args.into_iter().map(Arg::into_owned).collect(),
            persistent: self.persistent,
            handles: self.handles,
        }
    }

    /// Binds the next placeholder to a value already typed (`db copy`
    /// binds each column by the type the schema gives it).
    pub(crate) fn bind_arg(mut self, value: Arg<'a>) -> Self {
        self.args.push(value);
        self
    }

    /// Runs the statement.
    pub(crate) async fn execute<'c>(self, on: impl Executor<'c>) -> Result<Done, sqlx::Error> {
        Ok(Done(on.execute(self).await?))
    }

    /// All rows.
    pub(crate) async fn fetch_all<'c>(
        self,
        on: impl Executor<'c>,
    ) -> Result<Vec<Row>, sqlx::Error> {
        on.fetch_all(self).await
    }

    /// The first row, if any.
    pub(crate) async fn fetch_optional<'c>(
        self,
        on: impl Executor<'c>,
    ) -> Result<Option<Row>, sqlx::Error> {
        on.fetch_optional(self).await
    }

    /// The first row; `RowNotFound` when there is none.
    pub(crate) async fn fetch_one<'c>(self, on: impl Executor<'c>) -> Result<Row, sqlx::Error> {
        on.fetch_optional(self)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// The rows, streamed.
    pub(crate) fn fetch<'c>(
        self,
        on: impl Executor<'c>,
    ) -> BoxStream<'c, Result<Row, sqlx::Error>> {
        on.fetch(self)
    }
}

/// A [`Query`] whose rows are read as `T`.
pub(crate) struct QueryAs<'a, T> {
    query: Query<'a>,
    out: PhantomData<fn() -> T>,
}

impl<'a, T: Record> QueryAs<'a, T> {
    /// See [`Query::handles_deferred`].
    pub(crate) fn handles_deferred(mut self, kinds: super::deferred::Kinds) -> Self {
        self.query = self.query.handles_deferred(kinds);
        self
    }

    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl Bind<'a>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    /// All rows.
    pub(crate) async fn fetch_all<'c>(self, on: impl Executor<'c>) -> Result<Vec<T>, sqlx::Error> {
        let rows = self.query.fetch_all(on).await?;
        rows.iter().map(Row::record).collect()
    }

    /// The first row, if any.
    pub(crate) async fn fetch_optional<'c>(
        self,
        on: impl Executor<'c>,
    ) -> Result<Option<T>, sqlx::Error> {
        let row = self.query.fetch_optional(on).await?;
        row.as_ref().map(Row::record).transpose()
    }

    /// The first row; `RowNotFound` when there is none.
    pub(crate) async fn fetch_one<'c>(self, on: impl Executor<'c>) -> Result<T, sqlx::Error> {
        self.query.fetch_one(on).await?.record()
    }
}

/// A [`Query`] whose rows' first column is read as `T`.
pub(crate) struct QueryScalar<'a, T> {
    query: Query<'a>,
    out: PhantomData<fn() -> T>,
}

impl<'a, T: Column> QueryScalar<'a, T> {
    /// See [`Query::handles_deferred`].
    pub(crate) fn handles_deferred(mut self, kinds: super::deferred::Kinds) -> Self {
        self.query = self.query.handles_deferred(kinds);
        self
    }

    /// See [`Query::persistent`].
    pub(crate) fn persistent(mut self, keep: bool) -> Self {
        self.query = self.query.persistent(keep);
        self
    }

    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl Bind<'a>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    /// Every row's value.
    pub(crate) async fn fetch_all<'c>(self, on: impl Executor<'c>) -> Result<Vec<T>, sqlx::Error> {
        let rows = self.query.fetch_all(on).await?;
        rows.iter().map(|row| row.try_get(0)).collect()
    }

    /// The first row's value, if any.
    pub(crate) async fn fetch_optional<'c>(
        self,
        on: impl Executor<'c>,
    ) -> Result<Option<T>, sqlx::Error> {
        let row = self.query.fetch_optional(on).await?;
        row.map(|row| row.try_get(0)).transpose()
    }

    /// The first row's value; `RowNotFound` when there is none.
    pub(crate) async fn fetch_one<'c>(self, on: impl Executor<'c>) -> Result<T, sqlx::Error> {
        self.query.fetch_one(on).await?.try_get(0)
    }
}

/// `rows` groups of `columns` placeholders for a multi-row `VALUES`, which
/// must be the statement's only placeholders: `($1, $2), ($3, $4)` on
/// PostgreSQL; SQLite gets anonymous `(?, ?), (?, ?)`, bound in order,
/// because SQLite looks a named parameter up by a linear scan of the
/// statement's names, when preparing and again when binding: 5,000 `$n`
/// in one statement made seeding 100,000 leads take 219 s instead of 19.
pub(crate) fn value_rows(backend: Backend, rows: usize, columns: usize) -> String {
    value_rows_after(backend, 0, rows, columns)
}

/// [`value_rows`] whose PostgreSQL placeholders start after `before`
/// others (`$before+1`), for a statement with several lists.
pub(crate) fn value_rows_after(
    backend: Backend,
    before: usize,
    rows: usize,
    columns: usize,
) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(before + 1 + row * columns + column).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// The rows of a multi-row `INSERT … VALUES`, bound in order.
pub(crate) struct Values<'a> {
    rows: usize,
    args: Vec<Arg<'a>>,
}

impl<'a> Values<'a> {
    /// No rows yet.
    pub(crate) fn new() -> Self {
        Values {
            rows: 0,
            args: Vec::new(),
        }
    }

    /// Binds the next value of the current row.
    pub(crate) fn push_bind(&mut self, value: impl Bind<'a>) -> &mut Self {
        self.args.push(value.into_arg());
        self
    }

    /// Binds the next value of the current row, already typed.
    pub(crate) fn push_arg(&mut self, value: Arg<'a>) -> &mut Self {
        self.args.push(value);
        self
    }

    /// Ends the current row (every row has the same number of values).
    pub(crate) fn end_row(&mut self) {
        self.rows += 1;
    }

    /// `head VALUES (…), (…)` for `backend` with the values bound; not
    /// kept prepared.
    pub(crate) fn into_query(self, head: &str, backend: Backend) -> Query<'a> {
        let columns = self.args.len().checked_div(self.rows).unwrap_or(0);
        let sql = format!("{head} VALUES {}", value_rows(backend, self.rows, columns));
        Query {
            sql: sqlx::AssertSqlSafe(sql).into_sql_str(),
            args: self.args,
            persistent: false,
            handles: super::deferred::Kinds::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_rows_number_the_placeholders_row_by_row() {
        assert_eq!(value_rows(Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(value_rows(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(value_rows(Backend::Postgres, 0, 3), "");
    }

    #[test]
    fn values_number_their_rows_placeholders() {
        let mut values = Values::new();
        for id in [1_i64, 2] {
            values.push_bind(id).push_bind("x");
            values.end_row();
        }
        let query = values.into_query("INSERT INTO t (id, name)", Backend::Postgres);
        assert_eq!(
            query.sql.as_str(),
            "INSERT INTO t (id, name) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(query.args.len(), 4);
    }

    #[test]
    fn a_none_binds_a_null_of_its_type() {
        assert!(matches!(None::<i64>.into_arg(), Arg::Int(None)));
        assert!(matches!(None::<&str>.into_arg(), Arg::Text(None)));
        assert!(matches!(Some(true).into_arg(), Arg::Bool(Some(true))));
        assert!(matches!(7_u32.into_arg(), Arg::Int(Some(7))));
    }
}
