//! Opening the database for a command that only reads (listings, `show`,
//! `timeline`, `export`, `digest preview`, `status`): read-only, with no
//! migration and no user sync, so it works on a database the process may
//! not write (a read-only file or mount, a backup) and never waits for the
//! daemon's write lock.

use super::{connect_options_for_reading, Store, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// SQLite's "attempt to write a readonly database".
const READONLY: i64 = 8;
/// SQLite's "unable to open database file".
const CANTOPEN: i64 = 14;

impl Store {
    /// Opens the database at `url` read-only; [`StoreError::NotMigrated`]
    /// when it is missing or not migrated for this version (a writable
    /// [`Store::open`] would create or migrate it).
    pub async fn open_read_only(url: &str) -> Result<Store, StoreError> {
        let options = connect_options_for_reading(url)?;
        let database = options.get_filename().to_path_buf();
        if !database.exists() {
            return Err(StoreError::NotMigrated {
                url: crate::domain::url::redact_password(url),
            });
        }
        match Store::open_checked(url, options.clone()).await {
            // SQLite cannot build the WAL index (`-shm`) in a directory we
            // cannot write. With no WAL content (every commit is in the
            // database file) the file is read as immutable; otherwise that
            // would show an older state, so the error stands.
            Err(error)
                if matches!(error.primary_code(), Some(READONLY | CANTOPEN))
                    && wal_is_empty(&database) =>
            {
                Store::open_checked(url, options.immutable(true)).await
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
        let store = Store { pool };
        let applied = store.applied_migration().await;
        if let Ok(version) = applied {
            if version > latest_migration() {
                store.close().await;
                return Err(StoreError::SchemaTooNew {
                    url: crate::domain::url::redact_password(url),
                    database: version,
                    known: latest_migration(),
                });
            }
            if version == latest_migration() {
                return Ok(store);
            }
        }
        store.close().await;
        applied?;
        Err(StoreError::NotMigrated {
            url: crate::domain::url::redact_password(url),
        })
    }

    /// The newest migration applied (0 when none or no migrations table).
    pub(super) async fn applied_migration(&self) -> Result<i64, StoreError> {
        let table: Option<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&self.pool)
        .await?;
        if table.is_none() {
            return Ok(0);
        }
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(version.unwrap_or(0))
    }
}

/// True when the database's `-wal` file is missing or empty.
fn wal_is_empty(database: &std::path::Path) -> bool {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(&wal).map_or(true, |meta| meta.len() == 0)
}

/// The newest migration embedded in this binary.
pub(super) fn latest_migration() -> i64 {
    super::MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}
