//! Schema versions: the migrations each backend embeds, the version a
//! database is at, and the refusal of a database newer than this binary.

use super::db::{self, Backend};
use super::{Store, StoreError};
use sqlx::migrate::Migrator;

/// SQLite's migrations (`migrations/`, one per version from 1).
static SQLITE: Migrator = sqlx::migrate!("./migrations");

/// PostgreSQL's migrations (`migrations/postgres/`: version 14 is the
/// whole schema of SQLite's 1 … 14; each later version has one migration
/// per backend with the same number).
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The embedded migrations of `backend`.
pub(super) fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// The newest migration embedded in this binary for `backend`.
pub(super) fn latest_migration(backend: Backend) -> i64 {
    migrator(backend)
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

impl Store {
    /// The newest migration applied (0 when none or no migrations table).
    pub(super) async fn applied_migration(&self) -> Result<i64, StoreError> {
        let table_sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => "SELECT CAST(to_regclass('_sqlx_migrations') AS TEXT)",
        };
        let table: Option<String> = db::query_scalar(table_sql)
            .fetch_optional(&self.pool)
            .await?
            .flatten();
        if table.is_none() {
            return Ok(0);
        }
        let version: Option<i64> =
            db::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(version.unwrap_or(0))
    }

    /// Refuses a database migrated by a newer leadmail (its schema holds
    /// changes this binary does not know), naming both versions.
    pub(super) async fn refuse_newer_schema(&self, url: &str) -> Result<(), StoreError> {
        let applied = self.applied_migration().await?;
        let known = latest_migration(self.backend());
        if applied > known {
            return Err(StoreError::SchemaTooNew {
                url: crate::domain::url::redact_password(url),
                database: applied,
                known,
            });
        }
        Ok(())
    }

    /// Applies the embedded migrations this database has not had yet.
    pub(super) async fn migrate(&self, url: &str) -> Result<(), StoreError> {
        let migrator = migrator(self.backend());
        let run = match &self.pool {
            db::Pool::Sqlite(pool) => migrator.run(pool).await,
            db::Pool::Postgres(pool) => migrator.run(pool).await,
        };
        run.map_err(|cause| StoreError::Migrate {
            url: crate::domain::url::redact_password(url),
            cause,
        })
    }

    /// The database engine and its version, e.g. "SQLite 3.50.4" or
    /// "PostgreSQL 15.14".
    pub async fn server_version(&self) -> Result<String, StoreError> {
        let (name, sql) = match self.backend() {
            Backend::Sqlite => ("SQLite", "SELECT sqlite_version()"),
            Backend::Postgres => ("PostgreSQL", "SELECT current_setting('server_version')"),
        };
        let version: String = db::query_scalar(sql).fetch_one(&self.pool).await?;
        let version = version.split_whitespace().next().unwrap_or_default();
        Ok(format!("{name} {version}"))
    }

    /// The schema version the database is at, and the newest this binary
    /// knows (equal after a writable open).
    pub async fn schema_versions(&self) -> Result<(i64, i64), StoreError> {
        Ok((
            self.applied_migration().await?,
            latest_migration(self.backend()),
        ))
    }

    /// This store if its database is migrated to exactly this binary's
    /// version (a store opened for reading does not migrate); otherwise it
    /// is closed and the error says why.
    pub(super) async fn checked_for_reading(self, url: &str) -> Result<Store, StoreError> {
        let applied = self.applied_migration().await;
        let known = latest_migration(self.backend());
        if let Ok(version) = applied {
            if version > known {
                self.close().await;
                return Err(StoreError::SchemaTooNew {
                    url: crate::domain::url::redact_password(url),
                    database: version,
                    known,
                });
            }
            if version == known {
                return Ok(self);
            }
        }
        self.close().await;
        applied?;
        Err(StoreError::NotMigrated {
            url: crate::domain::url::redact_password(url),
        })
    }
}
