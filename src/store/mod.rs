//! The only module that speaks SQL: the pool, the embedded migrations, the
//! transaction that applies an [`IngestPlan`](crate::ingest::plan::IngestPlan),
//! the rep actions and the listings behind `--json`.
//!
//! # Conventions
//!
//! - Runtime queries only (`sqlx::query*` with `.bind`), `$n` placeholders,
//!   standard SQL where it can be (`ON CONFLICT … DO NOTHING`, `RETURNING`,
//!   partial indexes). Not everything is portable, so PostgreSQL will need
//!   more than new migrations: SQLite specifics live in [`Store::open`] (the
//!   pragmas), `Store::begin_write` (`BEGIN IMMEDIATE`), the migrations'
//!   row-id and BLOB columns and table rebuilds (SQLite cannot alter a
//!   CHECK), `QueryBuilder<Sqlite>` in the multi-row statements, SQLite
//!   error codes in `error` and `read_only`, and the hot path of applying a
//!   plan, each marked "SQLite:": there, two statements share one query
//!   string (with `last_insert_rowid()` and `changes()`), because every
//!   query is a round trip to sqlx's SQLite worker thread and those round
//!   trips, not SQLite, were the cost of a commit (BENCHMARKS.md).
//! - The PostgreSQL schema (`migrations/postgres/`, version 14 in one step;
//!   later versions get one migration per backend with the same number) is
//!   kept column for column equal to SQLite's by `tests/it/postgres_schema.rs`
//!   against a real PostgreSQL; this store does not speak PostgreSQL yet
//!   (issue 17). The SQLite migrator reads `migrations/` only, not its
//!   `postgres/` folder.
//! - Times are TEXT, RFC 3339 in UTC with six fractional digits and a `Z`
//!   (module `stamp`): text order is time order, so SQL compares them as text.
//! - No record is deleted: users become inactive, leads close, next actions
//!   are closed as done/replaced/dropped, quarantined messages are released
//!   or dismissed.
//!
//! # Layout
//!
//! - `apply`, `mail`: a plan → one transaction (`processed` dedups it first).
//! - `matching`, `contacts`, `leads`: resolve contacts, companies and leads.
//! - `ops`: the lead changes shared by mail commands and rep `actions`.
//! - `import`: the rows of `leadmail import`, one transaction per file.
//! - `attachments`: attachment rows and the kept files (`[attachments] dir`).
//! - `leases`: one daemon per mailbox, with a fencing number checked at
//!   every commit (`mailboxes::advance`).
//! - `quarantine`, `users`, `listings` + `views`: the other tables and the
//!   JSON views of §6b.
//! - `web`: the web app's sign-in links, sessions and calendar feeds.
//! - `seed`: bulk INSERTs of generated leads, for `bench digest` only.

mod access;
mod actions;
mod activity;
mod apply;
mod attachments;
mod contacts;
mod digest_reply;
mod digest_rows;
mod error;
mod import;
mod leads;
mod leases;
mod listings;
mod mail;
mod mailboxes;
mod matching;
mod ops;
mod outbox;
mod processed;
mod quarantine;
mod read_only;
mod receipts;
mod release;
#[cfg(feature = "bench")]
mod seed;
mod stamp;
mod users;
mod views;
mod web;
mod webhooks;

#[cfg(test)]
mod tests;

pub use access::OPERATOR;
pub use activity::{PartnerActivity, UserActivity};
pub use apply::{Applied, FolderMessage, FolderRef};
pub use error::StoreError;
pub use import::Imported;
pub use leases::{Lease, LeaseHolder, LeaseTakeover, LeaseView};
pub use mailboxes::{Checkpoint, MailboxHealth, MailboxState, StoreTotals, SyncError};
pub use outbox::{OutboxDraft, OutboxEntry, OutboxMail, SendClaim};
pub use quarantine::{QuarantinedBytes, KEPT_RAW_BYTES};
pub use receipts::DueReceipt;
pub use release::{QuarantineEntry, Release};
#[cfg(feature = "bench")]
#[doc(hidden)]
pub use seed::{Seed, SeedAction, SeedCompany, SeedContact, SeedEntry, SeedLead, SeedQuarantined};
pub use users::UserRecord;
pub use views::{
    AmountView, AttachmentView, CompanyView, ContactView, LeadContactView, LeadFilter, LeadView,
    NextActionView, QuarantineView, TimelineView,
};
pub use web::FeedAction;
pub use webhooks::{DeliveryView, DueEvent};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::os::unix::fs::OpenOptionsExt as _;
use std::str::FromStr;
use std::time::Duration;

/// The database connection type every store function works on (a pooled
/// connection or an open transaction).
type Conn = sqlx::SqliteConnection;

/// The migrations embedded in the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// WAL pages (4 KiB) after which a commit checkpoints by itself.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// A handle on the database; cheap to clone (it wraps a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating it if missing, readable by its owner only) the
    /// database at `url` and applies the embedded migrations. Only `sqlite:`
    /// URLs are supported for now.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let options = connect_options(url)?;
        let database = options.get_filename().to_path_buf();
        let lock = open_lock(&database).await;
        create_private(&database);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .before_acquire(|conn, _| Box::pin(async move { Ok(!stuck_in_transaction(conn)) }))
            .connect_with(options.clone())
            .await
            .map_err(|cause| open_error(url, &database, cause))?;
        let store = Store { pool };
        store.refuse_newer_schema(url).await?;
        let pool = store.pool;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|cause| StoreError::Migrate {
                url: crate::domain::url::redact_password(url),
                cause,
            })?;
        drop(lock);
        Ok(Store { pool })
    }

    /// Refuses a database migrated by a newer leadmail (its schema holds
    /// changes this binary does not know), naming both versions.
    async fn refuse_newer_schema(&self, url: &str) -> Result<(), StoreError> {
        let applied = self.applied_migration().await?;
        let known = read_only::latest_migration();
        if applied > known {
            return Err(StoreError::SchemaTooNew {
                url: crate::domain::url::redact_password(url),
                database: applied,
                known,
            });
        }
        Ok(())
    }

    /// The schema version the database is at, and the newest this binary
    /// knows (equal after a writable open).
    pub async fn schema_versions(&self) -> Result<(i64, i64), StoreError> {
        Ok((
            self.applied_migration().await?,
            read_only::latest_migration(),
        ))
    }

    /// SQLite: a write transaction takes the write lock at `BEGIN IMMEDIATE`
    /// (waiting up to the busy timeout), so a read-then-write transaction
    /// never fails half-way because another process wrote in between.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Copies committed WAL pages back into the database without waiting
    /// for readers or blocking writers (SQLite: `wal_checkpoint(PASSIVE)`).
    /// The daemon calls it every few seconds, so a commit rarely has to
    /// checkpoint itself: that made one commit in a hundred wait for the
    /// checkpoint's fsyncs, the IDLE latency's tail (BENCHMARKS.md).
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
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
    let refused = matches!(error.primary_code(), Some(8 | 14));
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
    if !url.starts_with("sqlite:") {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        return Err(StoreError::Unsupported {
            scheme: scheme.to_string(),
        });
    }
    SqliteConnectOptions::from_str(url).map_err(|cause| StoreError::Open {
        url: crate::domain::url::redact_password(url),
        cause,
    })
}
