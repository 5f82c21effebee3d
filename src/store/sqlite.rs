//! The SQLite backend's specifics: connection settings (WAL, foreign keys,
//! synchronous FULL, busy timeout), the database file created private, the
//! migration lock between processes, and the read-only open of a database
//! the process may not write. Its SQL differences (multi-statement hot
//! paths with `last_insert_rowid()` and `changes()`) sit beside their
//! PostgreSQL counterparts in the modules that use them, marked "SQLite:".

use super::db::Pool;
use super::{Store, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::os::unix::fs::OpenOptionsExt as _;
use std::str::FromStr;
use std::time::Duration;

/// WAL pages (4 KiB) after which a commit checkpoints by itself.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// SQLite's "attempt to write a readonly database".
pub(super) const READONLY: i64 = 8;
/// SQLite's "unable to open database file".
pub(super) const CANTOPEN: i64 = 14;

/// Opens (creating it if missing, readable by its owner only) the database
/// at `url` and applies the embedded migrations.
pub(super) async fn open(url: &str) -> Result<Store, StoreError> {
    let options = connect_options(url)?;
    let database = options.get_filename().to_path_buf();
    let lock = open_lock(&database).await;
    create_private(&database);
    let pool = writable_pool(url, &database, options.clone(), READERS).await?;
    let mut store = Store {
        pool: Pool::Sqlite(pool),
        writer: None,
    };
    store.refuse_newer_schema(url).await?;
    store.migrate(url).await?;
    drop(lock);
    // The writer keeps its statement journals in memory: a statement that
    // changes pages already changed earlier in its transaction (most of a
    // batch's) journals them first, and past 64 KB SQLite spilled that
    // journal to a temporary file — 259,000 pwrite calls and 521 MB written
    // for the 10,000 backlog, 0.3 s of system time (BENCHMARKS.md). A
    // journal holds one statement's pages, freed when the statement ends.
    let writer = options.pragma("temp_store", "MEMORY");
    store.writer = Some(writable_pool(url, &database, writer, 1).await?);
    Ok(store)
}

/// Connections of a store's pool for reads (its writes have their own,
/// [`Store`]'s `writer`).
const READERS: u32 = 4;

/// A pool of up to `connections` on the database opened for writing; a
/// connection left inside a failed transaction is dropped, not reused.
async fn writable_pool(
    url: &str,
    database: &std::path::Path,
    options: SqliteConnectOptions,
    connections: u32,
) -> Result<sqlx::SqlitePool, StoreError> {
    SqlitePoolOptions::new()
        .max_connections(connections)
        .before_acquire(|conn, _| Box::pin(async move { Ok(!stuck_in_transaction(conn)) }))
        .connect_with(options)
        .await
        .map_err(|cause| open_error(url, database, cause))
}

/// Opens the database at `url` read-only, with no migration and no user
/// sync, so it works on a database the process may not write (a read-only
/// file or mount, a backup) and never waits for the daemon's write lock.
pub(super) async fn open_read_only(url: &str) -> Result<Store, StoreError> {
    let options = connect_options_for_reading(url)?;
    let database = options.get_filename().to_path_buf();
    if !database.exists() {
        return Err(StoreError::NotMigrated {
            url: crate::domain::url::redact_password(url),
        });
    }
    match open_checked(url, options.clone()).await {
        // SQLite cannot build the WAL index (`-shm`) in a directory we
        // cannot write. With no WAL content (every commit is in the
        // database file) the file is read as immutable; otherwise that
        // would show an older state, so the error stands.
        Err(error)
            if matches!(error.primary_code(), Some(READONLY | CANTOPEN))
                && wal_is_empty(&database) =>
        {
            open_checked(url, options.immutable(true)).await
        }
        opened => opened,
    }
}

/// Connects with `options` and checks the migrations are all applied.
async fn open_checked(url: &str, options: SqliteConnectOptions) -> Result<Store, StoreError> {
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .map_err(|cause| StoreError::Open {
            url: crate::domain::url::redact_password(url),
            cause,
        })?;
    Store {
        pool: Pool::Sqlite(pool),
        writer: None,
    }
    .checked_for_reading(url)
    .await
}

/// True when the database's `-wal` file is missing or empty.
fn wal_is_empty(database: &std::path::Path) -> bool {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(&wal).map_or(true, |meta| meta.len() == 0)
}

/// A connection whose transaction SQLite already ended (it rolls back by
/// itself on "database or disk is full") keeps sqlx's transaction count
/// above zero, because the ROLLBACK sqlx sends then fails; every later
/// BEGIN on it would fail. Such a connection is closed rather than reused.
fn stuck_in_transaction(conn: &mut sqlx::SqliteConnection) -> bool {
    use sqlx::Connection;
    let stuck = conn.is_in_transaction();
    if stuck {
        tracing::warn!("dropping a database connection left inside a failed transaction");
    }
    stuck
}

/// Why connecting failed: [`StoreError::ReadOnly`] when SQLite refused to
/// open an existing database for writing (`SQLITE_READONLY`, or
/// `SQLITE_CANTOPEN` for a WAL database on a read-only mount).
fn open_error(url: &str, database: &std::path::Path, cause: sqlx::Error) -> StoreError {
    let error = StoreError::Open {
        url: crate::domain::url::redact_password(url),
        cause,
    };
    let refused = matches!(error.primary_code(), Some(READONLY | CANTOPEN));
    match error {
        StoreError::Open { url, cause } if refused && database.exists() => {
            StoreError::ReadOnly { url, cause }
        }
        other => other,
    }
}

/// Creates a missing database file with mode 0600 whatever the umask: the
/// database holds every contact, and SQLite gives its `-wal` and `-shm`
/// files the database file's mode. Where it cannot be created (a missing
/// directory, no permission) SQLite cannot either and says why.
fn create_private(database: &std::path::Path) {
    if is_file(database) && !database.exists() {
        if let Err(error) = crate::files::create_private(database) {
            tracing::debug!(%error, "database file not created ahead of SQLite");
        }
    }
}

/// False for in-memory databases (`:memory:`, an empty name).
fn is_file(database: &std::path::Path) -> bool {
    !(database.as_os_str().is_empty() || database.to_string_lossy().starts_with(':'))
}

/// Two processes opening a new database at once (the daemon and a
/// `status`, say) would race to create it, switch it to WAL and run the
/// first migration ("database is locked"): they take turns on a lock file
/// beside the database from connecting until the migrations are done.
/// Waits up to 30 s, then goes ahead. No lock for in-memory databases.
async fn open_lock(database: &std::path::Path) -> Option<std::fs::File> {
    if !is_file(database) {
        return None;
    }
    let mut path = database.as_os_str().to_owned();
    path.push("-migrate.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .ok()?;
    for _ in 0..600 {
        match file.try_lock() {
            Ok(()) => return Some(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(std::fs::TryLockError::Error(error)) => {
                tracing::debug!(%error, "no migration lock");
                return None;
            }
        }
    }
    None
}

/// SQLite: a read-only connection (no file created, no journal mode set:
/// the database keeps the WAL mode it was created with), busy timeout 5 s.
fn connect_options_for_reading(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    Ok(sqlite_options(url)?
        .read_only(true)
        .busy_timeout(Duration::from_secs(5)))
}

/// SQLite: the connection settings — create the file if missing, WAL,
/// foreign keys on, 5 s busy timeout, synchronous FULL (no lost commits).
fn connect_options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    Ok(sqlite_options(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .synchronous(SqliteSynchronous::Full)
        // The daemon checkpoints the WAL in the background (Store::checkpoint);
        // a commit checkpoints only past 40 MB of WAL, as a safety net.
        .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string()))
}

/// The options a `sqlite:` URL gives, before ours.
fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    SqliteConnectOptions::from_str(url).map_err(|cause| StoreError::Open {
        url: crate::domain::url::redact_password(url),
        cause,
    })
}
