//! Receipts waiting to be queued: quarantine entries that name the rep to
//! tell (`receipt_to`), and the per-rep count that rate-limits them.

use super::outbox::{queue, OutboxDraft};
use super::stamp::stamp;
use super::{Store, StoreError};
use crate::store::db;
use chrono::{DateTime, Utc};

/// A quarantine entry whose rep has not been told yet.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueReceipt {
    /// The entry.
    pub id: i64,
    /// Its message key.
    pub message_key: String,
    /// The rep to tell (authenticated sender of the mail).
    pub receipt_to: String,
    /// The mail's subject.
    pub subject: String,
    /// What was not understood.
    pub detail: String,
}

impl Store {
    /// Entries whose receipt is neither queued nor skipped, oldest first.
    pub async fn due_receipts(&self) -> Result<Vec<DueReceipt>, StoreError> {
        let rows = db::query_as(
            "SELECT id, message_key, receipt_to, subject, detail FROM quarantine \
             WHERE receipt_to IS NOT NULL AND receipt_done_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// How many receipts `rep` was sent (queued) since `since`.
    pub async fn receipts_since(&self, rep: &str, since: DateTime<Utc>) -> Result<i64, StoreError> {
        let count = db::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'receipt' AND user_email = $1 \
             AND created_at > $2",
        )
        .bind(rep)
        .bind(stamp(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(count)
    }

    /// Marks the entry's receipt done, queuing `draft` with it in one
    /// transaction (`None`: skipped, e.g. by the rate limit).
    pub async fn finish_receipt(
        &self,
        entry_id: i64,
        draft: Option<&OutboxDraft>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        if let Some(draft) = draft {
            queue(&mut tx, draft, now).await?;
        }
        db::query("UPDATE quarantine SET receipt_done_at = $2 WHERE id = $1")
            .bind(entry_id)
            .bind(stamp(now))
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }
}
