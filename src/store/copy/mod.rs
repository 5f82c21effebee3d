//! `leadmail db copy`: every row of one store into another, SQLite →
//! PostgreSQL and back, in one transaction on the target.
//!
//! - The source is read in one snapshot (a read transaction; PostgreSQL
//!   `REPEATABLE READ`), table by table in primary-key order, in chunks of
//!   at most [`CHUNK_ROWS`] rows and about [`CHUNK_BYTES`] (keyset
//!   pagination), so memory stays small whatever the database's size.
//! - The columns and their types come from the live schema of both
//!   databases (`pragma_table_info`, `information_schema.columns`), so a
//!   column a later migration adds is copied without a change here; each
//!   value is decoded by its column's type and bound typed (BOOLEAN on
//!   PostgreSQL, 0/1 on SQLite; BYTEA or BLOB). The tables themselves are
//!   listed in `schema::TABLES` (parents before children, for the foreign keys):
//!   a table the list does not know, a table missing on one side, or a
//!   column that differs between the two databases is refused by name.
//! - The webhook triggers write events only while a `webhook_cursors` row
//!   exists (both backends, migrations 0013 and postgres/0014): that table
//!   is copied last, so copying leads, next actions, flags and quarantine
//!   entries writes no event; the events themselves are copied as rows.
//! - Row ids are copied as they are; afterwards each id counter is moved
//!   past the highest id the source ever gave (PostgreSQL `setval` on the
//!   identity sequences; SQLite `sqlite_sequence` for `AUTOINCREMENT`), so
//!   later inserts do not collide and pruned webhook event ids are not
//!   reused (a webhook's cursor points past them).
//! - A target with rows is refused unless `empty_first`, which deletes
//!   every row of the target's tables first, in the same transaction.
//! - Before committing, the row count of every table in the target is
//!   compared with the source's snapshot; any difference rolls back.

mod schema;

#[cfg(test)]
pub(super) use schema::check_schema;

use super::db::{self, Arg, Backend, Tx};
use super::{Conn, Store, StoreError};
use futures::TryStreamExt as _;
use schema::{matching_shapes, Kind, Shape, TABLES};
use serde::Serialize;
use sqlx::AssertSqlSafe;
use std::borrow::Cow;

/// Rows read from the source at most at once.
const CHUNK_ROWS: usize = 500;

/// Bytes of values read from the source before a chunk ends early (a
/// quarantine entry keeps up to 256 KiB of its message).
const CHUNK_BYTES: usize = 4 << 20;

/// Bound values per INSERT statement at most (SQLite allows 32,766,
/// PostgreSQL 65,535).
const MAX_PARAMETERS: usize = 30_000;

/// How many rows a table has in the source and in the target after the copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCount {
    /// The table.
    pub table: String,
    /// Rows in the source's snapshot.
    pub source: u64,
    /// Rows in the target, counted before the commit.
    pub target: u64,
}

/// What [`Store::copy_to`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Copied {
    /// The schema version of both databases.
    pub schema_version: i64,
    /// Rows deleted from the target first (with `empty_first`).
    pub emptied: u64,
    /// Every table, in copy order.
    pub tables: Vec<TableCount>,
}

impl Store {
    /// Copies every row of this store into `target` in one transaction on
    /// the target (see the module doc): refused when the schema versions
    /// or tables differ, or when the target has rows and not `empty_first`.
    pub async fn copy_to(&self, target: &Store, empty_first: bool) -> Result<Copied, StoreError> {
        let (source_version, _) = self.schema_versions().await?;
        let (target_version, _) = target.schema_versions().await?;
        if source_version != target_version {
            return Err(refused(format!(
                "the source's schema is version {source_version} and the target's version \
                 {target_version}: open both with the same leadmail"
            )));
        }
        let mut source = self.begin_snapshot().await?;
        let mut sink = target.begin_write().await?;
        let (from, to) = matching_shapes(&mut source, &mut sink).await?;
        let emptied = empty_target(&mut sink, empty_first).await?;
        for table in TABLES {
            copy_table(&mut source, &mut sink, table, &from[*table]).await?;
        }
        for table in TABLES {
            move_counter(&mut source, &mut sink, table, &to[*table]).await?;
        }
        let tables = verified_counts(&mut source, &mut sink).await?;
        sink.commit().await?;
        source.rollback().await?;
        Ok(Copied {
            schema_version: source_version,
            emptied,
            tables,
        })
    }

    /// Begins a read-only transaction that sees one snapshot of the
    /// database throughout (SQLite: a deferred transaction in WAL mode;
    /// PostgreSQL: `REPEATABLE READ`).
    async fn begin_snapshot(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            db::Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            db::Pool::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            ),
        })
    }
}

/// A refusal of the copy, saying why.
fn refused(why: String) -> StoreError {
    StoreError::CopyRefused { why }
}

/// `"name"`, quoted for both backends.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The row count of `table`.
async fn count(conn: &mut Conn, table: &str) -> Result<u64, StoreError> {
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    let rows: i64 = db::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?;
    Ok(u64::try_from(rows).unwrap_or(0))
}

/// Refuses a target with rows unless `empty_first`; then deletes them all
/// (children first), returning how many.
async fn empty_target(target: &mut Conn, empty_first: bool) -> Result<u64, StoreError> {
    let mut filled = Vec::new();
    for table in TABLES {
        let rows = count(target, table).await?;
        if rows > 0 {
            filled.push(format!("{table} {rows}"));
        }
    }
    if filled.is_empty() {
        return Ok(0);
    }
    if !empty_first {
        return Err(refused(format!(
            "the target database is not empty ({}); copy into a new database, \
             or give --force to delete every row of the target first",
            filled.join(", ")
        )));
    }
    let mut deleted = 0;
    for table in TABLES.iter().rev() {
        let sql = format!("DELETE FROM {}", quoted(table));
        deleted += db::query(AssertSqlSafe(sql))
            .execute(&mut *target)
            .await?
            .rows_affected();
    }
    Ok(deleted)
}

/// Copies `table`'s rows chunk by chunk, in primary-key order.
async fn copy_table(
    source: &mut Conn,
    target: &mut Conn,
    table: &str,
    shape: &Shape,
) -> Result<(), StoreError> {
    let failed = |cause| StoreError::Copy {
        table: table.to_string(),
        cause,
    };
    let key_at: Vec<usize> = shape
        .key
        .iter()
        .filter_map(|key| shape.columns.iter().position(|(name, _)| name == key))
        .collect();
    let mut after: Option<Vec<Arg<'static>>> = None;
    loop {
        let rows = read_chunk(source, table, shape, after.as_deref())
            .await
            .map_err(failed)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(key_at.iter().map(|&at| last[at].clone()).collect());
        insert_rows(target, table, shape, rows)
            .await
            .map_err(failed)?;
    }
}

/// The next rows of `table` after the key `after` (from the start when
/// `None`): at most [`CHUNK_ROWS`], fewer past [`CHUNK_BYTES`].
async fn read_chunk(
    source: &mut Conn,
    table: &str,
    shape: &Shape,
    after: Option<&[Arg<'static>]>,
) -> Result<Vec<Vec<Arg<'static>>>, sqlx::Error> {
    let columns: Vec<String> = shape.columns.iter().map(|(c, _)| quoted(c)).collect();
    let key: Vec<String> = shape.key.iter().map(|c| quoted(c)).collect();
    let mut sql = format!("SELECT {} FROM {}", columns.join(", "), quoted(table));
    if let Some(after) = after {
        let placeholders = db::value_rows(source.backend(), 1, after.len());
        sql.push_str(&format!(" WHERE ({}) > {placeholders}", key.join(", ")));
    }
    sql.push_str(&format!(" ORDER BY {} LIMIT {CHUNK_ROWS}", key.join(", ")));
    let mut query = db::query(AssertSqlSafe(sql));
    for value in after.unwrap_or_default() {
        query = query.bind_arg(value.clone());
    }
    let mut stream = query.fetch(&mut *source);
    let (mut rows, mut bytes) = (Vec::new(), 0);
    while let Some(row) = stream.try_next().await? {
        let values = shape
            .columns
            .iter()
            .enumerate()
            .map(|(at, (_, kind))| decode(&row, at, *kind))
            .collect::<Result<Vec<_>, _>>()?;
        bytes += values.iter().map(size).sum::<usize>();
        rows.push(values);
        if bytes >= CHUNK_BYTES {
            break;
        }
    }
    Ok(rows)
}

/// Column `at` of `row`, decoded as `kind`.
fn decode(row: &db::Row, at: usize, kind: Kind) -> Result<Arg<'static>, sqlx::Error> {
    Ok(match kind {
        Kind::Int => Arg::Int(row.try_get(at)?),
        Kind::Real => Arg::Real(row.try_get(at)?),
        Kind::Bool => Arg::Bool(row.try_get(at)?),
        Kind::Text => Arg::Text(row.try_get::<Option<String>, _>(at)?.map(Cow::Owned)),
        Kind::Bytes => Arg::Bytes(row.try_get::<Option<Vec<u8>>, _>(at)?.map(Cow::Owned)),
    })
}

/// About how much memory a value holds.
fn size(value: &Arg<'_>) -> usize {
    match value {
        Arg::Text(Some(text)) => text.len(),
        Arg::Bytes(Some(bytes)) => bytes.len(),
        _ => 0,
    }
    .saturating_add(16)
}

/// Inserts `rows` into `table` with multi-row INSERTs.
async fn insert_rows(
    target: &mut Conn,
    table: &str,
    shape: &Shape,
    rows: Vec<Vec<Arg<'static>>>,
) -> Result<(), sqlx::Error> {
    let columns: Vec<String> = shape.columns.iter().map(|(c, _)| quoted(c)).collect();
    let head = format!("INSERT INTO {} ({})", quoted(table), columns.join(", "));
    let per_statement = (MAX_PARAMETERS / columns.len().max(1)).clamp(1, CHUNK_ROWS);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut values = db::Values::new();
        for row in rows.by_ref().take(per_statement) {
            for value in row {
                values.push_arg(value);
            }
            values.end_row();
        }
        values
            .into_query(&head, target.backend())
            .execute(&mut *target)
            .await?;
    }
    Ok(())
}

/// Moves `table`'s id counter in the target past the highest id the
/// source gave: its rows' highest, or its own counter's if higher (ids
/// of deleted rows, such as pruned webhook events, are not given again).
async fn move_counter(
    source: &mut Conn,
    target: &mut Conn,
    table: &str,
    shape: &Shape,
) -> Result<(), StoreError> {
    let Some(column) = shape.counter.as_deref() else {
        return Ok(());
    };
    let sql = format!(
        "SELECT COALESCE(MAX({}), 0) FROM {}",
        quoted(column),
        quoted(table)
    );
    let highest: i64 = db::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&mut *target)
        .await?;
    let given = counter_value(source, table, column).await?;
    let high = highest.max(given);
    match target.backend() {
        Backend::Postgres => {
            // setval(…, 1, false): the next id is 1.
            db::query("SELECT setval(CAST(pg_get_serial_sequence($1, $2) AS regclass), $3, $4)")
                .bind(table)
                .bind(column)
                .bind(high.max(1))
                .bind(high > 0)
                .execute(&mut *target)
                .await?;
        }
        Backend::Sqlite if high > 0 => {
            db::query("UPDATE sqlite_sequence SET seq = $2 WHERE name = $1 AND seq < $2")
                .bind(table)
                .bind(high)
                .execute(&mut *target)
                .await?;
            db::query(
                "INSERT INTO sqlite_sequence (name, seq) SELECT $1, $2 \
                 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $1)",
            )
            .bind(table)
            .bind(high)
            .execute(&mut *target)
            .await?;
        }
        Backend::Sqlite => {}
    }
    Ok(())
}

/// The last id `table`'s counter gave in the source (0 when it has none
/// or gave none).
async fn counter_value(source: &mut Conn, table: &str, column: &str) -> Result<i64, StoreError> {
    let value: Option<i64> = match source.backend() {
        Backend::Postgres => db::query_scalar(
            "SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence($1, $2) AS regclass))",
        )
        .bind(table)
        .bind(column)
        .fetch_optional(&mut *source)
        .await?
        .flatten(),
        // Only AUTOINCREMENT tables have a counter; the others give
        // MAX(id) + 1, their rows' highest.
        Backend::Sqlite => {
            db::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = $1")
                .bind(table)
                .fetch_optional(&mut *source)
                .await?
        }
    };
    Ok(value.unwrap_or(0))
}

/// Every table's row count in the source's snapshot and in the target,
/// refusing any difference.
async fn verified_counts(
    source: &mut Conn,
    target: &mut Conn,
) -> Result<Vec<TableCount>, StoreError> {
    let mut counts = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let (from, to) = (count(source, table).await?, count(target, table).await?);
        if from != to {
            return Err(StoreError::CopyMismatch {
                table: table.to_string(),
                source_rows: from,
                target_rows: to,
            });
        }
        counts.push(TableCount {
            table: table.to_string(),
            source: from,
            target: to,
        });
    }
    Ok(counts)
}
