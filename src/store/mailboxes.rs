//! Per-mailbox sync state: the UID checkpoint the daemon resumes from.

use super::stamp::stamp;
use super::{Conn, Store, StoreError};
use crate::store::db;
use chrono::{DateTime, Utc};

/// Where in a folder a message sits: written with its records, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The configured mailbox name.
    pub mailbox: String,
    /// The IMAP folder.
    pub folder: String,
    /// The folder's UIDVALIDITY.
    pub uid_validity: u32,
    /// The message's UID.
    pub uid: u32,
    /// The fencing number of the lease the daemon holds on the mailbox
    /// (`None` outside the daemon): the commit fails unless it is current.
    pub fence: Option<i64>,
}

/// Why a sync failed, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct SyncError<'a> {
    /// The error, as a person reads it.
    pub text: &'a str,
    /// True when the server refused the login (admins are told at once).
    pub login_refused: bool,
}

/// A mailbox folder's health: down since when, why, and whether admins
/// were told.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailboxHealth {
    /// The configured mailbox name.
    pub mailbox: String,
    /// The folder.
    pub folder: String,
    /// The first error since the last successful sync (`None`: healthy).
    pub down_since: Option<String>,
    /// The last error.
    pub last_error: Option<String>,
    /// Whether that error was a refused login.
    pub last_error_auth: bool,
    /// When admins were told it is down (`None`: not told, or recovered).
    pub alerted_at: Option<String>,
}

/// A mailbox's stored state, for `status` and resuming.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MailboxState {
    /// The configured mailbox name.
    pub mailbox: String,
    /// The IMAP folder.
    pub folder: String,
    /// The folder's UIDVALIDITY when last synced.
    pub uid_validity: u32,
    /// The highest committed UID.
    pub last_uid: u32,
    /// Messages committed from this folder.
    pub processed: i64,
    /// The last successful sync.
    pub last_sync_at: Option<String>,
    /// The last error, if any since.
    pub last_error: Option<String>,
    /// When that error happened.
    pub last_error_at: Option<String>,
}

/// What the database holds, for `status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoreTotals {
    /// Messages ever applied (deduplicated by key).
    pub messages: i64,
    /// Open leads (todo or standby).
    pub open_leads: i64,
    /// Open prospects.
    pub open_prospects: i64,
    /// Quarantine entries not released.
    pub quarantined: i64,
    /// Entries on all timelines.
    pub timeline_entries: i64,
}

/// A `mailbox_state` row as selected by [`Store::mailbox_states`].
type StateRow = (
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Advances the checkpoint to `checkpoint.uid` (never backwards) and counts
/// `messages` more processed (new ones, not those seen again), inside the
/// caller's transaction; first checks the lease's fence when there is one.
pub(super) async fn advance(
    conn: &mut Conn,
    checkpoint: &Checkpoint,
    messages: usize,
) -> Result<(), StoreError> {
    if let Some(fence) = checkpoint.fence {
        super::leases::check_fence(conn, &checkpoint.mailbox, fence).await?;
    }
    db::query(
        "INSERT INTO mailbox_state (mailbox, folder, uid_validity, last_uid, processed) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (mailbox, folder) DO UPDATE SET \
           last_uid = CASE WHEN mailbox_state.uid_validity = excluded.uid_validity \
                           AND mailbox_state.last_uid > excluded.last_uid \
                      THEN mailbox_state.last_uid ELSE excluded.last_uid END, \
           uid_validity = excluded.uid_validity, \
           processed = mailbox_state.processed + excluded.processed",
    )
    .bind(&checkpoint.mailbox)
    .bind(&checkpoint.folder)
    .bind(i64::from(checkpoint.uid_validity))
    .bind(i64::from(checkpoint.uid))
    .bind(i64::try_from(messages).unwrap_or(i64::MAX))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// The UID to resume after, or 0 when the folder is new or its
    /// UIDVALIDITY changed (then the whole folder is rescanned).
    pub async fn resume_uid(
        &self,
        mailbox: &str,
        folder: &str,
        uid_validity: u32,
    ) -> Result<u32, StoreError> {
        let row: Option<(i64, i64)> = db::query_as(
            "SELECT uid_validity, last_uid FROM mailbox_state WHERE mailbox = $1 AND folder = $2",
        )
        .bind(mailbox)
        .bind(folder)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some((validity, last)) if validity == i64::from(uid_validity) => {
                u32::try_from(last).unwrap_or(0)
            }
            _ => 0,
        })
    }

    /// Records the outcome of a sync pass: success clears the last error.
    /// A mailbox that never synced (say its login fails) gets a row too, so
    /// `status` can show the error.
    pub async fn record_sync(
        &self,
        mailbox: &str,
        folder: &str,
        error: Option<SyncError<'_>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = stamp(now);
        let query = match error {
            None => "INSERT INTO mailbox_state (mailbox, folder, uid_validity, last_sync_at) \
                     VALUES ($1, $2, 0, $3) ON CONFLICT (mailbox, folder) DO UPDATE SET \
                     last_sync_at = excluded.last_sync_at, last_error = NULL, last_error_at = NULL, \
                     down_since = NULL, last_error_auth = FALSE",
            Some(_) => "INSERT INTO mailbox_state (mailbox, folder, uid_validity, last_error, \
                          last_error_at, down_since, last_error_auth) \
                        VALUES ($1, $2, 0, $4, $3, $3, $5) ON CONFLICT (mailbox, folder) DO UPDATE SET \
                        last_error = excluded.last_error, last_error_at = excluded.last_error_at, \
                        last_error_auth = excluded.last_error_auth, \
                        down_since = COALESCE(mailbox_state.down_since, excluded.down_since)",
        };
        db::query(query)
            .bind(mailbox)
            .bind(folder)
            .bind(at)
            .bind(error.map(|e| e.text))
            .bind(error.is_some_and(|e| e.login_refused))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every mailbox folder's health, for alerting admins.
    pub async fn mailbox_health(&self) -> Result<Vec<MailboxHealth>, StoreError> {
        let rows = db::query_as(
            "SELECT mailbox, folder, down_since, last_error, last_error_auth, alerted_at \
             FROM mailbox_state ORDER BY mailbox, folder",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Records that admins were told the mailbox is down (`Some(now)`) or
    /// that it recovered (`None`), queuing `drafts` in the same transaction.
    pub async fn finish_alert(
        &self,
        mailbox: &str,
        folder: &str,
        alerted_at: Option<DateTime<Utc>>,
        drafts: &[super::OutboxDraft],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for draft in drafts {
            super::outbox::queue(&mut tx, draft, now).await?;
        }
        db::query("UPDATE mailbox_state SET alerted_at = $3 WHERE mailbox = $1 AND folder = $2")
            .bind(mailbox)
            .bind(folder)
            .bind(alerted_at.map(stamp))
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }

    /// Counts of what the database holds.
    pub async fn totals(&self) -> Result<StoreTotals, StoreError> {
        let (messages, open_leads, open_prospects, quarantined, timeline_entries): (
            i64,
            i64,
            i64,
            i64,
            i64,
        ) =
            db::query_as(
                "SELECT (SELECT COUNT(*) FROM processed_messages), \
                        (SELECT COUNT(*) FROM leads WHERE kind = 'lead' AND status IN ('todo', 'standby')), \
                        (SELECT COUNT(*) FROM leads WHERE kind = 'prospect' AND status IN ('todo', 'standby')), \
                        (SELECT COUNT(*) FROM quarantine WHERE released_at IS NULL), \
                        (SELECT COUNT(*) FROM timeline)",
            )
            .fetch_one(&self.pool)
            .await?;
        Ok(StoreTotals {
            messages,
            open_leads,
            open_prospects,
            quarantined,
            timeline_entries,
        })
    }

    /// Every mailbox's stored state.
    pub async fn mailbox_states(&self) -> Result<Vec<MailboxState>, StoreError> {
        let rows: Vec<StateRow> = db::query_as(
            "SELECT mailbox, folder, uid_validity, last_uid, processed, last_sync_at, last_error, last_error_at \
             FROM mailbox_state ORDER BY mailbox, folder",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    mailbox,
                    folder,
                    validity,
                    last,
                    processed,
                    last_sync_at,
                    last_error,
                    last_error_at,
                )| {
                    MailboxState {
                        mailbox,
                        folder,
                        uid_validity: u32::try_from(validity).unwrap_or(0),
                        last_uid: u32::try_from(last).unwrap_or(0),
                        processed,
                        last_sync_at,
                        last_error,
                        last_error_at,
                    }
                },
            )
            .collect())
    }
}
