//! The outbox: mail leadmail sends, written before it is sent, so a digest
//! or a confirmation goes out exactly once whatever crashes in between.

use super::stamp::{parse_stamp, stamp};
use super::{Conn, Store, StoreError};
use crate::store::db;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;
use std::collections::HashSet;

/// A mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxDraft {
    /// `digest` or `confirmation`.
    pub kind: &'static str,
    /// The user it is for.
    pub user_email: String,
    /// Digests: the user's local day it covers.
    pub local_date: Option<NaiveDate>,
    /// The fixed Message-ID (`<…>`).
    pub message_id: String,
    /// The message it answers, for confirmations.
    pub in_reply_to: Option<String>,
    /// The address it goes to.
    pub recipient: String,
    /// The subject.
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part, if any.
    pub html: Option<String>,
    /// The `X-Leadmail` header's value.
    pub header_value: String,
}

/// A queued mail, as read back to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// The row id.
    pub id: i64,
    /// The draft it was queued as.
    pub draft: OutboxDraft,
    /// Send attempts so far.
    pub attempts: i64,
}

/// Who is about to send, and until when nobody else may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendClaim {
    /// The sender: host and process, as leases name their holder.
    pub holder: String,
    /// When the claim runs out if the sender neither sent nor failed.
    pub until: DateTime<Utc>,
}

/// A row of the outbox for listings and tests.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxEntry {
    /// The row id.
    pub id: i64,
    /// `digest` or `confirmation`.
    pub kind: String,
    /// The user it is for.
    pub user_email: String,
    /// Digests: the local day.
    pub local_date: Option<String>,
    /// The Message-ID.
    pub message_id: String,
    /// Send attempts so far.
    pub attempts: i64,
    /// When it was accepted by the SMTP server.
    pub sent_at: Option<String>,
    /// The last failure.
    pub last_error: Option<String>,
}

/// An outbox row as selected by [`Store::outbox`].
type EntryRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<String>,
    Option<String>,
);

/// Queues a mail inside the caller's transaction; `false` when a mail with
/// its Message-ID (or the user's digest for that day) is already queued.
pub(super) async fn queue(
    conn: &mut Conn,
    draft: &OutboxDraft,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = queue_rows(conn, std::slice::from_ref(draft), now).await?;
    Ok(!inserted.is_empty())
}

/// Mails per multi-row INSERT of [`Store::queue_mails`] (12 values each).
const QUEUE_ROWS_PER_STATEMENT: usize = 100;

/// Inserts `drafts` in one statement; the Message-IDs of those inserted
/// (a conflict on either unique key, the Message-ID or the user's digest
/// for that day, skips the row).
async fn queue_rows(
    conn: &mut Conn,
    drafts: &[OutboxDraft],
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let at = stamp(now);
    let sql = format!(
        "INSERT INTO outbox (kind, user_email, local_date, message_id, in_reply_to, recipient, \
         subject, text_body, html_body, header_value, created_at, next_attempt_at) VALUES {} \
         ON CONFLICT DO NOTHING RETURNING message_id",
        db::value_rows(conn.backend(), drafts.len(), 12)
    );
    let mut insert = db::query_scalar::<String>(AssertSqlSafe(sql)).persistent(false);
    for draft in drafts {
        insert = insert
            .bind(draft.kind)
            .bind(draft.user_email.as_str())
            .bind(draft.local_date.map(|d| d.to_string()))
            .bind(draft.message_id.as_str())
            .bind(draft.in_reply_to.as_deref())
            .bind(draft.recipient.as_str())
            .bind(draft.subject.as_str())
            .bind(draft.text.as_str())
            .bind(draft.html.as_deref())
            .bind(draft.header_value.as_str())
            .bind(at.as_str())
            .bind(at.as_str());
    }
    Ok(insert.fetch_all(&mut *conn).await?)
}

impl Store {
    /// Queues a mail in its own transaction (see [`queue`]).
    pub async fn queue_mail(
        &self,
        draft: &OutboxDraft,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let queued = queue(&mut tx, draft, now).await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Queues several mails in one transaction (one commit, one sync, for
    /// a morning's digests) with one multi-row INSERT per
    /// [`QUEUE_ROWS_PER_STATEMENT`] mails; for each, `false` when it was
    /// queued already (or an earlier draft in `drafts` took its Message-ID).
    pub async fn queue_mails(
        &self,
        drafts: &[OutboxDraft],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut inserted = HashSet::with_capacity(drafts.len());
        for chunk in drafts.chunks(QUEUE_ROWS_PER_STATEMENT) {
            inserted.extend(queue_rows(&mut tx, chunk, now).await?);
        }
        tx.commit().await?;
        Ok(drafts
            .iter()
            .map(|draft| inserted.remove(draft.message_id.as_str()))
            .collect())
    }

    /// The latest local day a digest was queued for this user, and when.
    pub async fn last_digest(
        &self,
        user_email: &str,
    ) -> Result<Option<(NaiveDate, DateTime<Utc>)>, StoreError> {
        let row: Option<(String, String)> = db::query_as(
            "SELECT local_date, created_at FROM outbox WHERE kind = 'digest' AND user_email = $1 \
             ORDER BY local_date DESC LIMIT 1",
        )
        .bind(user_email)
        .fetch_optional(&self.pool)
        .await?;
        let Some((day, at)) = row else {
            return Ok(None);
        };
        let day = day.parse::<NaiveDate>().map_err(|_| StoreError::Corrupt {
            what: "local date",
            value: day.clone(),
        })?;
        Ok(Some((day, parse_stamp(&at)?)))
    }

    /// Claims for `claim.holder` the mails not yet sent whose next attempt
    /// is due at `now` and that nobody else holds, oldest first, at most
    /// `limit`: no other sender gets them until `claim.until`.
    pub async fn claim_due_mail(
        &self,
        claim: &SendClaim,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        self.claim_mail(true, None, claim, now, limit).await
    }

    /// Claims `user`'s mails not yet sent (nor refused for good), whatever
    /// their next attempt time, that nobody else holds: what `digest send`
    /// pushes out now.
    pub async fn claim_pending_mail_for(
        &self,
        user_email: &str,
        claim: &SendClaim,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        self.claim_mail(false, Some(user_email), claim, now, 1000)
            .await
    }

    /// One claiming UPDATE … RETURNING in a write transaction: on SQLite
    /// the one writer, on PostgreSQL the store's write lock (an advisory
    /// lock, see `postgres::begin_write`), serialises two senders, so the
    /// second sees the first's claims and takes other mail (no SKIP LOCKED
    /// needed: a claim holds the lock for one short statement). The claim
    /// returns ids only and the mails are read after the commit: a
    /// morning's digests can run to megabytes, and a sender stopped
    /// (SIGSTOP, a hung host) while the server was still sending them would
    /// hold the write lock, out of reach of the idle-transaction timeout,
    /// for as long as it stayed stopped.
    async fn claim_mail(
        &self,
        due_only: bool,
        user_email: Option<&str>,
        claim: &SendClaim,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let sql = "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE id IN \
             (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL \
              AND ($6 = FALSE OR next_attempt_at <= $3) AND ($5 IS NULL OR user_email = $5) \
              AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY id LIMIT $4) \
             RETURNING id";
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = db::query_scalar(sql)
            .bind(&claim.holder)
            .bind(stamp(claim.until))
            .bind(stamp(now))
            .bind(limit)
            .bind(user_email)
            .bind(due_only)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        self.claimed_mail(&ids).await
    }

    /// The outbox rows `ids` (claimed by this sender), by id.
    async fn claimed_mail(&self, ids: &[i64]) -> Result<Vec<OutboxMail>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(ids).expect("a list of integers is JSON");
        let rows = db::query(
            "SELECT id, kind, user_email, local_date, message_id, in_reply_to, recipient, \
             subject, text_body, html_body, header_value, attempts FROM outbox \
             WHERE id IN (SELECT CAST(value AS BIGINT) FROM json_each($1)) ORDER BY id",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_mail).collect()
    }

    /// `user`'s mails not yet sent (nor refused for good), for tests.
    #[cfg(test)]
    pub(crate) async fn pending_mail_for(
        &self,
        user_email: &str,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let rows = db::query(
            "SELECT id, kind, user_email, local_date, message_id, in_reply_to, recipient, subject, \
             text_body, html_body, header_value, attempts FROM outbox \
             WHERE sent_at IS NULL AND failed_at IS NULL AND user_email = $1 ORDER BY id",
        )
        .bind(user_email)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_mail).collect()
    }

    /// The SMTP server accepted these mails: recorded in one transaction
    /// (one commit for the mails a sender has in hand at once).
    pub async fn mark_sent_many(&self, ids: &[i64], now: DateTime<Utc>) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids = serde_json::to_string(ids).expect("a list of integers is JSON");
        let mut tx = self.begin_write().await?;
        db::query(
            "UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL, \
             claimed_by = NULL, claimed_until = NULL \
             WHERE id IN (SELECT CAST(value AS BIGINT) FROM json_each($1))",
        )
        .bind(ids)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A failed attempt: retried at `retry_at`, or never when `None` (refused for good).
    pub async fn mark_failed(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        db::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $2, \
             next_attempt_at = COALESCE($3, next_attempt_at), \
             failed_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END, \
             claimed_by = NULL, claimed_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(retry_at.map(stamp))
        .bind(stamp(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every outbox row, newest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows: Vec<EntryRow> = db::query_as(
            "SELECT id, kind, user_email, local_date, message_id, attempts, sent_at, last_error \
                 FROM outbox ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, kind, user_email, local_date, message_id, attempts, sent_at, last_error)| {
                    OutboxEntry {
                        id,
                        kind,
                        user_email,
                        local_date,
                        message_id,
                        attempts,
                        sent_at,
                        last_error,
                    }
                },
            )
            .collect())
    }
}

/// The kind as the constant the senders compare with (the CHECK
/// constraint allows no other; an unknown one reads as a confirmation).
fn static_kind(kind: &str) -> &'static str {
    use crate::domain::ids;
    [
        ids::DIGEST_KIND,
        ids::CONFIRMATION_KIND,
        ids::RECEIPT_KIND,
        ids::ALERT_KIND,
        ids::SIGNIN_KIND,
    ]
    .into_iter()
    .find(|known| *known == kind)
    .unwrap_or(ids::CONFIRMATION_KIND)
}

fn outbox_mail(row: &db::Row) -> Result<OutboxMail, StoreError> {
    let kind: String = row.try_get("kind")?;
    let local_date: Option<String> = row.try_get("local_date")?;
    Ok(OutboxMail {
        id: row.try_get("id")?,
        attempts: row.try_get("attempts")?,
        draft: OutboxDraft {
            kind: static_kind(&kind),
            user_email: row.try_get("user_email")?,
            local_date: local_date.and_then(|d| d.parse().ok()),
            message_id: row.try_get("message_id")?,
            in_reply_to: row.try_get("in_reply_to")?,
            recipient: row.try_get("recipient")?,
            subject: row.try_get("subject")?,
            text: row.try_get("text_body")?,
            html: row.try_get("html_body")?,
            header_value: row.try_get("header_value")?,
        },
    })
}
