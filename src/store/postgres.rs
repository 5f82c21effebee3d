//! The PostgreSQL backend's specifics: the pool, TLS where the URL asks
//! (`sslmode=require|verify-ca|verify-full`, rustls), the write lock every
//! write transaction takes, and the read-only open. Its SQL differences
//! (`RETURNING` where SQLite chains statements with `last_insert_rowid()`
//! and `changes()`) sit beside the SQLite text in the modules that use
//! them; the schema is `migrations/postgres/`.

use super::db::Pool;
use super::{Store, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgConnection, PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Connections per daemon: the IMAP workers, the digest and webhook
/// senders and the web app share them.
const MAX_CONNECTIONS: u32 = 8;

/// How long a query waits for a free connection (or for the server to come
/// back) before it fails with a transient error.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long opening the store waits for the server's first answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The advisory lock key every write transaction takes ("leadmail" in
/// ASCII): writers take turns as on SQLite, so the store's read-then-write
/// steps (find or create a contact's open lead, claim due mail, advance a
/// checkpoint under its lease's fence) are correct under READ COMMITTED
/// without a retry loop. Reads never wait for it.
const WRITE_LOCK: i64 = 0x6c65_6164_6d61_696c;

/// How long the server lets a transaction sit idle (no statement running)
/// before it ends the session: a daemon paused or hung inside a batch
/// would otherwise hold the write lock, and the lease row it read, for as
/// long as it is stopped. Far under the lease's 30 s, so its mailboxes are
/// free at expiry; far over any pause between a batch's statements.
const IDLE_IN_TRANSACTION: &str = "10s";

/// Connects to the database at `url` and applies the embedded migrations
/// (sqlx's migrator takes its own advisory lock, so daemons starting at
/// once migrate one at a time).
pub(super) async fn open(url: &str) -> Result<Store, StoreError> {
    let store = connect(url, options(url)?).await?;
    store.refuse_newer_schema(url).await?;
    store.migrate(url).await?;
    Ok(store)
}

/// Connects for a command that only reads: every transaction is read-only
/// (`default_transaction_read_only`), and the schema must be this
/// binary's.
pub(super) async fn open_read_only(url: &str) -> Result<Store, StoreError> {
    let options = options(url)?.options([("default_transaction_read_only", "on")]);
    connect(url, options).await?.checked_for_reading(url).await
}

/// Begins a transaction holding the store's write lock until it ends.
pub(super) async fn begin_write(
    pool: &PgPool,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    super::db::count_statement();
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// The connection options of `url`, application name set for
/// `pg_stat_activity`: `leadmail[PID]`, so an operator (or the cluster
/// test) can tell which daemon's sessions hold or wait for a lock.
fn options(url: &str) -> Result<PgConnectOptions, StoreError> {
    PgConnectOptions::from_str(url)
        .map(|options| {
            options
                .application_name(&format!("leadmail[{}]", std::process::id()))
                .options([("idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION)])
        })
        .map_err(|cause| StoreError::Open {
            url: crate::domain::url::redact_password(url),
            cause,
        })
}

/// Connects once, then makes the pool. The first connection fails fast
/// (refused, unknown host, wrong password, or no answer within
/// [`CONNECT_TIMEOUT`]): a command against a server that is down says so at
/// once instead of retrying for the pool's acquire timeout. The pool's
/// later connections wait up to [`ACQUIRE_TIMEOUT`], which is what carries
/// a running daemon through a database restart.
async fn connect(url: &str, options: PgConnectOptions) -> Result<Store, StoreError> {
    let open_error = |cause| StoreError::Open {
        url: crate::domain::url::redact_password(url),
        cause,
    };
    let first = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
        .await
        .map_err(|_| {
            open_error(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            )))
        })?
        .map_err(open_error)?;
    let _ = first.close().await;
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_lazy_with(options);
    Ok(Store {
        pool: Pool::Postgres(pool),
        writer: None,
    })
}
