//! What can go wrong in the store, with "retry later" told apart from "bad".

/// Why a store operation failed. Messages are lowercase and name the cause,
/// which is also the `source()` (printers of a chain stop at a `StoreError`:
/// `telemetry::error_text`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or connected to.
    #[error("cannot open database {url}: {}", describe(.cause))]
    Open {
        /// The URL as configured.
        url: String,
        /// The driver's error.
        #[source]
        cause: sqlx::Error,
    },
    /// The URL names a database this build does not support.
    #[error("cannot open database with scheme {scheme:?}: the URL must start with sqlite: or postgres://")]
    Unsupported {
        /// The URL scheme (the rest is not printed: it may hold a password).
        scheme: String,
    },
    /// The embedded migrations could not be applied.
    #[error("cannot migrate database {url}: {cause}")]
    Migrate {
        /// The URL as configured.
        url: String,
        /// The migrator's error.
        #[source]
        cause: sqlx::migrate::MigrateError,
    },
    /// A query failed.
    #[error("cannot query the database: {}", describe(.cause))]
    Database {
        /// The driver's error.
        #[source]
        cause: sqlx::Error,
    },
    /// A query failed while applying a message (nothing of it was written).
    #[error("cannot apply message {key}: {}", describe(.cause))]
    Apply {
        /// The message key.
        key: String,
        /// The driver's error.
        #[source]
        cause: sqlx::Error,
    },
    /// This daemon's lease on the mailbox was taken over: it may not commit.
    #[error("cannot commit for mailbox {mailbox}: its lease (fence {fence}) was taken over by another daemon ({})", describe_fence(*.current))]
    LeaseLost {
        /// The configured mailbox name.
        mailbox: String,
        /// The fencing number this daemon held.
        fence: i64,
        /// The mailbox's fencing number now (none when it has no lease row).
        current: Option<i64>,
    },
    /// No lead has this id.
    #[error("cannot find lead {lead_id}")]
    LeadNotFound {
        /// The id asked for.
        lead_id: i64,
    },
    /// The change does not apply to this lead in its current state.
    #[error("cannot {action} lead {lead_id}: {why}")]
    Invalid {
        /// The lead.
        lead_id: i64,
        /// What was attempted ("convert", "set the status of"…).
        action: &'static str,
        /// Why not.
        why: String,
    },
    /// The quarantine entry was released or dismissed already.
    #[error("cannot resolve quarantine entry {id}: it is {status} already")]
    QuarantineResolved {
        /// The entry.
        id: i64,
        /// Its status now.
        status: String,
    },
    /// A release that would not file the message.
    #[error("cannot release quarantine entry {id}: {why}")]
    ReleaseRefused {
        /// The entry.
        id: i64,
        /// Why not.
        why: String,
    },
    /// No user has this address.
    #[error("cannot find user {email}: users come from the config file's [[users]]")]
    UserNotFound {
        /// The address asked for.
        email: String,
    },
    /// No quarantine entry has this id.
    #[error("cannot find quarantine entry {id}")]
    QuarantineNotFound {
        /// The id asked for.
        id: i64,
    },
    /// An attachment's bytes could not be written to `[attachments] dir`.
    #[error("cannot write attachment file {path}: {cause}")]
    AttachmentFile {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// An existing database SQLite cannot open for writing (a read-only
    /// file, directory or mount).
    #[error("cannot write database {url}: {}", describe(.cause))]
    ReadOnly {
        /// The URL as configured.
        url: String,
        /// The driver's error.
        #[source]
        cause: sqlx::Error,
    },
    /// A read-only open found no database, or one this version has not
    /// migrated yet (a writable open would create or migrate it).
    #[error("cannot read database {url} as it is: it is missing or not migrated for this version")]
    NotMigrated {
        /// The URL as configured.
        url: String,
    },
    /// The database was migrated by a newer leadmail.
    #[error("cannot use database {url}: its schema is version {database}, newer than version {known}, the newest this leadmail knows; run the newer leadmail (or restore a backup)")]
    SchemaTooNew {
        /// The URL as configured.
        url: String,
        /// The database's schema version.
        database: i64,
        /// The newest this binary knows.
        known: i64,
    },
    /// A stored value is not one this version understands.
    #[error("cannot read stored {what} {value:?}")]
    Corrupt {
        /// Which column.
        what: &'static str,
        /// The stored text.
        value: String,
    },
    /// `db copy` will not copy between these databases (schema versions or
    /// tables that differ, a target that is not empty).
    #[error("cannot copy the database: {why}")]
    CopyRefused {
        /// Why not, and what to do.
        why: String,
    },
    /// `db copy` failed on a table (nothing was committed to the target).
    #[error("cannot copy table {table}: {}", describe(.cause))]
    Copy {
        /// The table.
        table: String,
        /// The driver's error.
        #[source]
        cause: sqlx::Error,
    },
    /// `db copy` found other row counts in the target than in the source
    /// (nothing was committed to the target).
    #[error("cannot copy the database: table {table} has {source_rows} row(s) in the source but {target_rows} in the target after the copy; nothing was committed")]
    CopyMismatch {
        /// The table.
        table: String,
        /// Rows in the source.
        source_rows: u64,
        /// Rows in the target.
        target_rows: u64,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(cause: sqlx::Error) -> Self {
        StoreError::Database { cause }
    }
}

impl StoreError {
    /// True when retrying later may succeed (busy or locked database, I/O
    /// error, full disk, pool exhausted); false when the request itself is bad.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Open { cause, .. }
            | StoreError::Database { cause }
            | StoreError::Apply { cause, .. }
            | StoreError::Copy { cause, .. } => transient(cause),
            StoreError::AttachmentFile { .. } => true,
            _ => false,
        }
    }

    /// True when the request names something that does not exist or asks
    /// for a change its target's state refuses: the caller's mistake (exit
    /// code 2), not a failure of the system (exit code 1).
    pub fn is_refused_request(&self) -> bool {
        matches!(
            self,
            StoreError::LeadNotFound { .. }
                | StoreError::QuarantineNotFound { .. }
                | StoreError::UserNotFound { .. }
                | StoreError::QuarantineResolved { .. }
                | StoreError::ReleaseRefused { .. }
                | StoreError::Invalid { .. }
                | StoreError::CopyRefused { .. }
        )
    }

    /// True when the database refused a write because it is read-only
    /// (SQLite `SQLITE_READONLY` and its extended codes; PostgreSQL 25006,
    /// a read-only transaction or a hot standby).
    pub fn is_read_only(&self) -> bool {
        let postgres_read_only = match self {
            StoreError::Database { cause } | StoreError::Apply { cause, .. } => {
                postgres_code(cause).as_deref() == Some("25006")
            }
            _ => false,
        };
        matches!(self, StoreError::ReadOnly { .. })
            || self.primary_code() == Some(8)
            || postgres_read_only
    }

    /// The SQLite primary result code of a SQLite error (`SQLITE_READONLY`
    /// is 8, `SQLITE_CANTOPEN` 14); `None` for PostgreSQL's.
    pub(super) fn primary_code(&self) -> Option<i64> {
        match self {
            StoreError::Open { cause, .. }
            | StoreError::Database { cause }
            | StoreError::Apply { cause, .. } => sqlite_code(cause).map(|c| c & 0xff),
            _ => None,
        }
    }

    /// Names the message being applied on a query error.
    pub(super) fn in_message(self, key: &str) -> Self {
        match self {
            StoreError::Database { cause } => StoreError::Apply {
                key: key.to_string(),
                cause,
            },
            other => other,
        }
    }
}

/// Whose the mailbox's lease is now, for [`StoreError::LeaseLost`].
fn describe_fence(current: Option<i64>) -> String {
    match current {
        Some(fence) => format!("its fence is now {fence}"),
        None => "it has no lease now".to_string(),
    }
}

/// The driver's message without its boilerplate ("error returned from database: (code: 14)").
fn describe(cause: &sqlx::Error) -> String {
    match cause.as_database_error() {
        Some(db) => db.message().to_string(),
        None => cause.to_string(),
    }
}

/// Worth a retry: a lost connection or exhausted pool; SQLite's BUSY,
/// LOCKED, IOERR, FULL and CANTOPEN; PostgreSQL's [`postgres_transient`].
fn transient(cause: &sqlx::Error) -> bool {
    match cause {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => {
            sqlite_code(cause).is_some_and(|code| matches!(code & 0xff, 5 | 6 | 10 | 13 | 14))
                || postgres_code(cause).is_some_and(|code| postgres_transient(&code))
        }
    }
}

/// PostgreSQL SQLSTATEs worth a retry: connection exceptions (class 08),
/// serialization failure and deadlock (40001, 40P01), insufficient
/// resources (class 53: disk full, out of memory, too many connections),
/// an operator's intervention (class 57: shutdown, restart, cancel) and
/// the server's I/O errors (class 58).
fn postgres_transient(code: &str) -> bool {
    matches!(code, "40001" | "40P01")
        || ["08", "53", "57", "58"].iter().any(|c| code.starts_with(c))
}

/// The SQLite (extended) result code of a SQLite error.
fn sqlite_code(cause: &sqlx::Error) -> Option<i64> {
    let error = cause.as_database_error()?;
    error.try_downcast_ref::<sqlx::sqlite::SqliteError>()?;
    error.code()?.parse().ok()
}

/// The SQLSTATE of a PostgreSQL error.
fn postgres_code(cause: &sqlx::Error) -> Option<String> {
    let error = cause.as_database_error()?;
    error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
    Some(error.code()?.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_cause_is_the_source_so_the_chain_reaches_the_driver() {
        let error = StoreError::Database {
            cause: sqlx::Error::PoolTimedOut,
        };
        let source = error.source().expect("the driver's error is the source");
        assert!(source.is::<sqlx::Error>(), "{source:?}");
        assert_eq!(
            error.to_string(),
            format!("cannot query the database: {}", sqlx::Error::PoolTimedOut)
        );
        let file = StoreError::AttachmentFile {
            path: "/srv/a.pdf".into(),
            cause: std::io::Error::other("disk full"),
        };
        assert_eq!(
            file.source().map(ToString::to_string),
            Some("disk full".into())
        );
    }

    #[test]
    fn postgres_states_of_lost_connections_and_conflicts_are_transient_others_are_not() {
        for code in [
            "08006", "08001", "40001", "40P01", "53100", "57P01", "58030",
        ] {
            assert!(postgres_transient(code), "{code}");
        }
        for code in ["23505", "42601", "42P01", "25006", "22P02"] {
            assert!(!postgres_transient(code), "{code}");
        }
    }

    #[test]
    fn an_error_without_a_cause_has_no_source() {
        assert!(StoreError::LeadNotFound { lead_id: 7 }.source().is_none());
    }
}
