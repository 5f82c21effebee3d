//! The only module that speaks SQL: the pool, the embedded migrations, the
//! transaction that applies an [`IngestPlan`](crate::ingest::plan::IngestPlan),
//! the rep actions and the listings behind `--json`.
//!
//! # Two backends, one store
//!
//! SQLite (the embedded default) and PostgreSQL (several daemons on one
//! database) run the same store code. The cut:
//!
//! - `db`: the query API every module uses (`db::query(sql).bind(…)`, as
//!   in sqlx) over a [`db::Connection`] of either backend or the pool.
//!   Values are bound typed and handed to the backend's own sqlx driver,
//!   so each encodes and decodes natively (booleans, BIGINT, BYTEA).
//! - SQL is written once: `$n` placeholders, standard SQL (`ON CONFLICT`,
//!   `RETURNING`, `UPDATE … FROM (VALUES …)`, `EXISTS`, `CAST`), times as
//!   TEXT, booleans as `TRUE`/`FALSE`, integers read as `i64` (BIGINT on
//!   PostgreSQL). `json_each(text)` exists on PostgreSQL too (a SQL
//!   function in its schema) for the `IN (SELECT value FROM json_each($n))`
//!   lists.
//! - What differs is picked by [`db::Connection::backend`] next to the
//!   shared text, marked "SQLite:" / "PostgreSQL:": the hot path of
//!   applying a plan, where SQLite chains two or three statements in one
//!   query string with `last_insert_rowid()` and `changes()` (every query
//!   is a round trip to sqlx's SQLite worker thread, and those round trips
//!   were the cost of a commit, BENCHMARKS.md) and PostgreSQL runs one
//!   statement of data-modifying CTEs. The reading side differs in a few
//!   places too: the leads search (`search_words`: SQLite compares without
//!   `lower()` and keeps `ESCAPE '\'`, PostgreSQL uses its trigram
//!   indexes and its default escape) and an admin's team table
//!   (`team_counts`: SQLite scans two halves of the leads at once).
//! - A batch's apply transaction holds rows back and writes each kind
//!   with one multi-row statement (`deferred`): on both backends its
//!   timeline entries, links, activity and flags; on PostgreSQL also its
//!   new companies, contacts and leads, which it numbers itself under the
//!   write lock (`new_rows`), since there each statement is a round trip
//!   to another process.
//! - `sqlite`: connection settings (WAL, pragmas), the private database
//!   file, the migration lock between processes, the read-only open.
//!   `postgres`: the pool, TLS, the write lock, the read-only open.
//!   `schema`: each backend's embedded migrations and versions. SQLite's
//!   and PostgreSQL's error codes are told apart in `error`.
//! - Writes: [`Store::begin_write`] takes the database's one write lock on
//!   both backends (SQLite `BEGIN IMMEDIATE`; PostgreSQL a transaction-
//!   scoped advisory lock), so every read-then-write step (find or create
//!   a contact's open lead, claim due mail, advance a checkpoint under its
//!   lease's fence) is correct under PostgreSQL's READ COMMITTED, with no
//!   retry loop. Reads never take it. SQLite's write transactions run on
//!   the store's one writer connection (`Store::writer`), so its page
//!   cache stays warm across batches, and with `temp_store = MEMORY`, so
//!   a batch's statement journals are not written to a temporary file
//!   (`sqlite::open`); reads use the pool.
//! - The PostgreSQL schema (`migrations/postgres/`, version 14 in one step;
//!   later versions get one migration per backend with the same number) is
//!   kept column for column equal to SQLite's by `tests/it/postgres_schema.rs`.
//!   The SQLite migrator reads `migrations/` only.
//! - The store tests (`tests/`) run on SQLite, and on PostgreSQL with
//!   `LEADMAIL_TEST_POSTGRES` set (`scripts/test.sh` does both).
//!
//! # Conventions
//!
//! - Times are TEXT, RFC 3339 in UTC with six fractional digits and a `Z`
//!   (module `stamp`): text order is time order, so SQL compares them as text.
//! - No record is deleted: users become inactive, leads close, next actions
//!   are closed as done/replaced/dropped, quarantined messages are released
//!   or dismissed.
//!
//! # Layout
//!
//! - `apply`, `mail`: a plan → one transaction (`processed` dedups it first);
//!   `thread_keys` reads a batch's references once; `deferred` holds the
//!   batch's timeline entries, contact links and activity back and writes
//!   each kind with one multi-row statement, before any statement that
//!   reads it and at commit.
//!   `known_contacts` reads a batch's contacts and companies once, so a
//!   known contact's upsert needs no statement.
//! - `matching`, `contacts`, `leads`: resolve contacts, companies and leads.
//! - `ops`: the lead changes shared by mail commands and rep `actions`.
//! - `import`: the rows of `leadmail import`, one transaction per file.
//! - `attachments`: attachment rows and the kept files (`[attachments] dir`).
//! - `leases`: one daemon per mailbox, with a fencing number checked at
//!   every commit (`mailboxes::advance`).
//! - `quarantine`, `users`, `listings` + `views`: the other tables and the
//!   JSON views of §6b; `related` reads a set of leads' related rows once
//!   for all of them.
//! - `search`: the web app's leads list (filters, search, visibility, sort,
//!   page) as one query and one count.
//! - `web`: the web app's sign-in links, sessions and calendar feeds.
//! - `seed`: bulk INSERTs of generated leads, for `bench digest` only.
//! - `copy`: `db copy`, every row into another store (SQLite ↔ PostgreSQL).
//! - `db`, `schema`, `sqlite`, `postgres`: see above.

mod access;
mod actions;
mod activity;
mod apply;
mod attachments;
mod contacts;
mod copy;
mod db;
mod deferred;
mod digest_reply;
mod digest_rows;
mod error;
mod import;
mod known_contacts;
mod leads;
mod leases;
mod listings;
mod mail;
mod mailboxes;
mod matching;
mod new_rows;
mod ops;
mod outbox;
mod postgres;
mod processed;
mod quarantine;
mod receipts;
mod related;
mod release;
mod schema;
mod search;
mod search_due;
mod search_order;
mod search_words;
#[cfg(feature = "bench")]
mod seed;
mod sqlite;
mod stamp;
mod team_counts;
mod thread_keys;
mod users;
mod views;
mod web;
mod webhooks;

#[cfg(test)]
mod tests;

pub use access::OPERATOR;
pub use activity::{PartnerActivity, UserActivity};
pub use apply::{Applied, FolderMessage, FolderRef};
pub use copy::{Copied, TableCount};
pub use db::{statements_run, Backend};
pub use error::StoreError;
pub use import::Imported;
pub use leases::{Lease, LeaseHolder, LeaseTakeover, LeaseView};
pub use mailboxes::{Checkpoint, MailboxHealth, MailboxState, StoreTotals, SyncError};
pub use outbox::{OutboxDraft, OutboxEntry, OutboxMail, SendClaim};
pub use quarantine::{QuarantinedBytes, KEPT_RAW_BYTES};
pub use receipts::DueReceipt;
pub use release::{QuarantineEntry, Release};
pub use search::{LeadPage, LeadSearch, LeadSort};
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

use db::{Pool, Tx};

/// The database connection type every store function works on (a pooled
/// connection or an open transaction, of either backend).
type Conn = dyn db::Connection;

/// A handle on the database; cheap to clone (it wraps a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite opened for writing: the one connection every write
    /// transaction runs on. sqlx hands a pool's idle connections out in
    /// turn, and in WAL mode a connection drops its page cache when it
    /// begins a transaction after another one committed, so commits spread
    /// over the pool kept four cold caches that all filled as the file
    /// grew (BENCHMARKS.md, run R4); on one connection the cache stays warm
    /// from one batch to the next and the readers' stay small.
    writer: Option<sqlx::SqlitePool>,
}

impl Store {
    /// Opens the database at `url` and applies the embedded migrations:
    /// `sqlite:` (the file is created if missing, readable by its owner
    /// only) or `postgres://` / `postgresql://` (the database must exist).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        match url_backend(url)? {
            Backend::Sqlite => sqlite::open(url).await,
            Backend::Postgres => postgres::open(url).await,
        }
    }

    /// Opens the database at `url` for a command that only reads: no
    /// migration and no writes ([`StoreError::NotMigrated`] when it is
    /// missing or not migrated for this version).
    pub async fn open_read_only(url: &str) -> Result<Store, StoreError> {
        match url_backend(url)? {
            Backend::Sqlite => sqlite::open_read_only(url).await,
            Backend::Postgres => postgres::open_read_only(url).await,
        }
    }

    /// The backend this store talks to.
    pub fn backend(&self) -> Backend {
        self.pool.backend()
    }

    /// Begins a write transaction. SQLite: `BEGIN IMMEDIATE` takes the
    /// write lock at once (waiting up to the busy timeout), so a
    /// read-then-write transaction never fails half-way because another
    /// process wrote in between. PostgreSQL: the transaction takes the
    /// store's write lock ([`postgres::begin_write`]), so writers take turns
    /// there too and a find-then-create cannot run twice at once.
    async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(
                self.sqlite_writer(pool)
                    .begin_with("BEGIN IMMEDIATE")
                    .await?,
            ),
            Pool::Postgres(pool) => Tx::Postgres(postgres::begin_write(pool).await?),
        })
    }

    /// Begins a transaction for the mailbox leases, which must not wait
    /// for the store's write lock: a daemon paused in the middle of a
    /// batch holds that lock until PostgreSQL ends its idle transaction,
    /// and the other daemons must still take its mailboxes over when its
    /// leases run out. SQLite has only one write lock: `BEGIN IMMEDIATE`,
    /// on a pool connection rather than the writer, so a lease change does
    /// not queue behind every batch this daemon has waiting for the writer
    /// (a takeover once came 5.1 s after expiry in the cluster test).
    /// PostgreSQL: a plain transaction; its statements lock the lease rows
    /// they read (`FOR UPDATE`, `FOR SHARE`).
    async fn begin_lease_change(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// SQLite: where write transactions run — the writer connection, or
    /// the pool when the store has none (opened for reading).
    fn sqlite_writer<'a>(&'a self, pool: &'a sqlx::SqlitePool) -> &'a sqlx::SqlitePool {
        self.writer.as_ref().unwrap_or(pool)
    }

    /// SQLite: copies committed WAL pages back into the database without
    /// waiting for readers or blocking writers (`wal_checkpoint(PASSIVE)`).
    /// The daemon calls it every few seconds, so a commit rarely has to
    /// checkpoint itself: that made one commit in a hundred wait for the
    /// checkpoint's fsyncs, the IDLE latency's tail (BENCHMARKS.md).
    /// PostgreSQL checkpoints by itself: nothing to do.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if let Pool::Sqlite(pool) = &self.pool {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// The backend a database URL names; an unknown scheme is refused (the
/// rest of the URL is not printed: it may hold a password).
fn url_backend(url: &str) -> Result<Backend, StoreError> {
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        _ => Err(StoreError::Unsupported {
            scheme: scheme.to_string(),
        }),
    }
}
