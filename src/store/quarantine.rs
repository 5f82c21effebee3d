//! Messages put aside, with their raw bytes, until a human releases them.

use super::stamp::{parse_stamp, stamp};
use super::views::QuarantineView;
use super::{Conn, Store, StoreError};
use crate::domain::QuarantineReason;
use crate::ingest::plan::IngestPlan;
use chrono::{DateTime, Utc};

/// One quarantine row to write for the message being applied.
#[derive(Debug, Clone, Copy)]
pub(super) struct Held<'a> {
    /// Why.
    pub reason: QuarantineReason,
    /// What a human needs to act.
    pub detail: &'a str,
    /// The rep the message is from (their digest shows it).
    pub user: Option<&'a str>,
}

/// Inserts a `held` row for the plan's message; returns its id.
pub(super) async fn hold(
    conn: &mut Conn,
    plan: &IngestPlan,
    raw: &[u8],
    held: Held<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar(
        "INSERT INTO quarantine (message_key, from_address, subject, reason, detail, \
           user_email, occurred_at, received_at, raw, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'held') RETURNING id",
    )
    .bind(plan.key.as_str())
    .bind(plan.from.as_deref())
    .bind(&plan.subject)
    .bind(held.reason.as_str())
    .bind(held.detail)
    .bind(held.user)
    .bind(stamp(plan.occurred_at))
    .bind(stamp(now))
    .bind(raw)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The entry already holding this message with this detail, if any.
pub(super) async fn held_with(
    conn: &mut Conn,
    key: &str,
    detail: &str,
) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar("SELECT id FROM quarantine WHERE message_key = $1 AND detail = $2")
        .bind(key)
        .bind(detail)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id)
}

/// A quarantine row as listed.
#[derive(sqlx::FromRow)]
struct HeldRow {
    id: i64,
    message_key: String,
    from_address: Option<String>,
    subject: String,
    reason: String,
    detail: String,
    received_at: String,
}

impl HeldRow {
    fn into_view(self) -> Result<QuarantineView, StoreError> {
        let reason = QuarantineReason::parse(&self.reason).ok_or_else(|| StoreError::Corrupt {
            what: "quarantine reason",
            value: self.reason.clone(),
        })?;
        Ok(QuarantineView {
            id: self.id,
            message_id: self.message_key,
            from: self.from_address,
            subject: self.subject,
            reason,
            detail: self.detail,
            received_at: parse_stamp(&self.received_at)?,
        })
    }
}

impl Store {
    /// The entries still held, oldest first.
    pub async fn list_quarantine(&self) -> Result<Vec<QuarantineView>, StoreError> {
        let rows: Vec<HeldRow> = sqlx::query_as(
            "SELECT id, message_key, from_address, subject, reason, detail, received_at \
             FROM quarantine WHERE status = 'held' ORDER BY received_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(HeldRow::into_view).collect()
    }

    /// The raw bytes of a quarantined message (held or released).
    pub async fn quarantined_raw(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let raw = sqlx::query_scalar("SELECT raw FROM quarantine WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(raw)
    }

    /// Marks an entry released. When the message itself was quarantined (not
    /// just a bad command in a processed one), applying its raw bytes again
    /// afterwards is then processed instead of reported as a duplicate: call
    /// this first, then re-apply.
    pub async fn mark_released(&self, id: i64) -> Result<(), StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "UPDATE quarantine SET status = 'released', released_at = $2 \
             WHERE id = $1 RETURNING id",
        )
        .bind(id)
        .bind(stamp(crate::clock::now()))
        .fetch_optional(&self.pool)
        .await?;
        found
            .map(|_| ())
            .ok_or(StoreError::QuarantineNotFound { id })
    }
}
