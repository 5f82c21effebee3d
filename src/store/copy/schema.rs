//! What `db copy` copies: the tables in copy order ([`TABLES`]), and each
//! table's columns (typed), primary key and id counter, read from the live
//! schema of both databases and checked against each other and the list.

use super::refused;
use crate::store::db::{self, Backend};
use crate::store::{Conn, StoreError};
use std::collections::BTreeMap;

/// Every table of the schema in copy order: parents before children
/// (foreign keys), `webhook_cursors` last (while it is empty the webhook
/// triggers write nothing). `_sqlx_migrations` is not copied: each
/// database keeps its own backend's migrations.
pub(super) const TABLES: &[&str] = &[
    "users",
    "companies",
    "contacts",
    "contact_emails",
    "leads",
    "lead_contacts",
    "lead_tags",
    "lead_flags",
    "next_actions",
    "timeline",
    "processed_messages",
    "processed_message_leads",
    "attachments",
    "quarantine",
    "mailbox_state",
    "mailbox_leases",
    "mailbox_lease_history",
    "outbox",
    "webhook_events",
    "webhook_deliveries",
    "web_links",
    "web_signin_requests",
    "web_sessions",
    "web_feeds",
    "webhook_cursors",
];

/// A column's type, as the copy decodes and binds its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Int,
    Real,
    Bool,
    Text,
    Bytes,
}

/// A table as the live schema has it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Shape {
    /// Name and type of each column, in the table's order.
    pub(super) columns: Vec<(String, Kind)>,
    /// The primary key's columns, in key order.
    pub(super) key: Vec<String>,
    /// The column an id counter fills (a PostgreSQL identity column, or
    /// SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT`).
    pub(super) counter: Option<String>,
}

/// One row of the schema description: table, column, declared type, its
/// position in the primary key (0: not in it), fed by an id counter.
type ColumnRow = (String, String, String, i64, bool);

/// Checks [`TABLES`] against `store`'s schema (every table listed, each
/// with a primary key and columns of known types), returning how many.
#[cfg(test)]
pub(in crate::store) async fn check_schema(
    store: &crate::store::Store,
) -> Result<usize, StoreError> {
    let mut conn = store.pool.acquire().await?;
    Ok(checked_shapes(&mut conn).await?.len())
}

/// `conn`'s tables once they are the ones [`TABLES`] lists, each with a
/// primary key.
async fn checked_shapes(conn: &mut Conn) -> Result<BTreeMap<String, Shape>, StoreError> {
    let shapes = live_shapes(conn).await?;
    let unknown: Vec<&str> = shapes
        .keys()
        .map(String::as_str)
        .filter(|table| !TABLES.contains(table))
        .collect();
    let missing: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|table| !shapes.contains_key(*table))
        .collect();
    if !unknown.is_empty() || !missing.is_empty() {
        return Err(refused(format!(
            "the {} database's tables are not the ones this leadmail copies \
             (unknown: {}; missing: {}): store/copy.rs TABLES must list every table",
            conn.backend().name(),
            list(&unknown),
            list(&missing)
        )));
    }
    for (table, shape) in &shapes {
        if shape.key.is_empty() {
            return Err(refused(format!("table {table} has no primary key")));
        }
    }
    Ok(shapes)
}

/// The source's and the target's tables, once both have the same tables
/// with the same columns of the same types (their id counters differ:
/// SQLite has one only for `AUTOINCREMENT`).
pub(super) async fn matching_shapes(
    source: &mut Conn,
    target: &mut Conn,
) -> Result<(BTreeMap<String, Shape>, BTreeMap<String, Shape>), StoreError> {
    let from = checked_shapes(source).await?;
    let to = checked_shapes(target).await?;
    for table in TABLES {
        let columns =
            |shape: &Shape| -> BTreeMap<String, Kind> { shape.columns.iter().cloned().collect() };
        let (a, b) = (columns(&from[*table]), columns(&to[*table]));
        if a != b {
            let only = |x: &BTreeMap<String, Kind>, y: &BTreeMap<String, Kind>| -> Vec<String> {
                x.iter()
                    .filter(|(name, kind)| y.get(*name) != Some(*kind))
                    .map(|(name, kind)| format!("{name} ({kind:?})"))
                    .collect()
            };
            return Err(refused(format!(
                "table {table} differs between the databases (only in the source: {}; \
                 only in the target: {})",
                list(&only(&a, &b)),
                list(&only(&b, &a))
            )));
        }
    }
    Ok((from, to))
}

fn list<T: AsRef<str>>(items: &[T]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every table of the live schema (but sqlx's and SQLite's own) with its
/// columns, typed, its primary key and its id counter.
async fn live_shapes(conn: &mut Conn) -> Result<BTreeMap<String, Shape>, StoreError> {
    let backend = conn.backend();
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name, p.name, upper(p.type), p.pk, \
                    p.pk = 1 AND instr(upper(m.sql), 'AUTOINCREMENT') > 0 \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
               AND m.name <> '_sqlx_migrations' \
             ORDER BY m.name, p.cid"
        }
        Backend::Postgres => {
            "SELECT CAST(c.table_name AS TEXT), CAST(c.column_name AS TEXT), \
                    CAST(c.data_type AS TEXT), \
                    COALESCE((SELECT CAST(k.ordinal_position AS BIGINT) \
                              FROM information_schema.table_constraints tc \
                              JOIN information_schema.key_column_usage k \
                                ON k.constraint_schema = tc.constraint_schema \
                               AND k.constraint_name = tc.constraint_name \
                             WHERE tc.constraint_type = 'PRIMARY KEY' \
                               AND tc.table_schema = c.table_schema \
                               AND tc.table_name = c.table_name \
                               AND k.column_name = c.column_name), 0), \
                    c.is_identity = 'YES' \
             FROM information_schema.columns c \
             JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
               AND c.table_name <> '_sqlx_migrations' \
             ORDER BY c.table_name, c.ordinal_position"
        }
    };
    let rows: Vec<ColumnRow> = db::query_as(sql).fetch_all(&mut *conn).await?;
    let mut shapes: BTreeMap<String, Shape> = BTreeMap::new();
    let mut keys: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for (table, column, declared, key_position, counter) in rows {
        let kind = kind_of(backend, &declared).ok_or_else(|| {
            refused(format!(
                "column {table}.{column} has the type {declared}, which db copy does not know"
            ))
        })?;
        let shape = shapes.entry(table.clone()).or_default();
        shape.columns.push((column.clone(), kind));
        if counter {
            shape.counter = Some(column.clone());
        }
        if key_position > 0 {
            keys.entry(table).or_default().push((key_position, column));
        }
    }
    for (table, mut key) in keys {
        key.sort();
        if let Some(shape) = shapes.get_mut(&table) {
            shape.key = key.into_iter().map(|(_, column)| column).collect();
        }
    }
    Ok(shapes)
}

/// The copy's type for a column's declared type (SQLite) or data type
/// (PostgreSQL); `None` for one the schema does not use.
fn kind_of(backend: Backend, declared: &str) -> Option<Kind> {
    Some(match (backend, declared) {
        (Backend::Sqlite, "INTEGER" | "BIGINT") | (Backend::Postgres, "bigint") => Kind::Int,
        (Backend::Sqlite, "DOUBLE PRECISION" | "REAL")
        | (Backend::Postgres, "double precision") => Kind::Real,
        (Backend::Sqlite, "BOOLEAN") | (Backend::Postgres, "boolean") => Kind::Bool,
        (Backend::Sqlite, "TEXT") | (Backend::Postgres, "text") => Kind::Text,
        (Backend::Sqlite, "BLOB") | (Backend::Postgres, "bytea") => Kind::Bytes,
        _ => return None,
    })
}
