//! Messages put aside, with a bounded excerpt of their bytes, until a human
//! releases them.
//!
//! The message itself stays in the mailbox's quarantine folder. A row keeps
//! the headers, the reason and at most [`KEPT_RAW_BYTES`] of the message's
//! bytes: all of a small message (most quarantined mail: spoofs, unknown
//! senders), the start of a large one, the header block of one too large to
//! fetch. So 50 quarantined mails of 25 MB cost the database 50 excerpts,
//! not 1.25 GB.

use super::apply::Ctx;
use super::stamp::{parse_stamp, stamp};
use super::views::QuarantineView;
use super::{Conn, Store, StoreError};
use crate::domain::QuarantineReason;
use crate::ingest::plan::IngestPlan;
use crate::store::db;
use chrono::{DateTime, Utc};

/// The most bytes of a quarantined message a row keeps (256 KiB).
pub const KEPT_RAW_BYTES: usize = 256 * 1024;

/// The bytes a quarantine row keeps of its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedBytes {
    /// The start of the message (all of it when [`Self::is_whole`]).
    pub excerpt: Vec<u8>,
    /// The whole message's size in bytes.
    pub size: u64,
}

impl QuarantinedBytes {
    /// True when the excerpt is the whole message, so it can be processed
    /// again from the database alone; otherwise it must be read back from
    /// the quarantine folder.
    pub fn is_whole(&self) -> bool {
        self.excerpt.len() as u64 == self.size
    }
}

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

/// Inserts a `held` row for the message being applied; returns its id.
pub(super) async fn hold(
    conn: &mut Conn,
    ctx: &Ctx<'_>,
    held: Held<'_>,
) -> Result<i64, StoreError> {
    hold_bytes(conn, ctx.plan, (ctx.raw, ctx.size), held, ctx.now).await
}

/// Inserts a `held` row for the plan's message, with at most
/// [`KEPT_RAW_BYTES`] of `raw` (what was fetched of it: all of it, or its
/// header block when it was too large to fetch) and the whole message's
/// `size`; returns its id.
pub(super) async fn hold_bytes(
    conn: &mut Conn,
    plan: &IngestPlan,
    (raw, size): (&[u8], u64),
    held: Held<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let excerpt = &raw[..raw.len().min(KEPT_RAW_BYTES)];
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    let id = db::query_scalar(
        "INSERT INTO quarantine (message_key, from_address, subject, reason, detail, \
           user_email, occurred_at, received_at, raw, raw_bytes, status, receipt_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'held', $11) RETURNING id",
    )
    .bind(plan.key.as_str())
    .bind(plan.from.as_deref())
    .bind(&plan.subject)
    .bind(held.reason.as_str())
    .bind(held.detail)
    .bind(held.user)
    .bind(stamp(plan.occurred_at))
    .bind(stamp(now))
    .bind(excerpt)
    .bind(size)
    .bind(receipt_to(plan, held.reason))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The rep who gets a receipt for this entry: only for a command that
/// could not be read or applied, and only the authenticated rep who gave
/// it (never the From of an unauthenticated mail: no backscatter).
fn receipt_to(plan: &IngestPlan, reason: QuarantineReason) -> Option<String> {
    use crate::ingest::plan::Action;
    if reason != QuarantineReason::BadCommand {
        return None;
    }
    let rep = match &plan.action {
        Action::Quarantine(draft) => draft.user.as_ref(),
        Action::Lead(mail) => mail.commands.by.as_ref(),
        Action::Outbound(mail) => mail.commands.by.as_ref(),
        Action::Thread(thread) => thread.commands.by.as_ref(),
        Action::Record | Action::Bounce(_) | Action::DigestReply(_) => None,
    };
    rep.map(|rep| rep.to_string())
}

/// The entry already holding this message with this detail, if any.
pub(super) async fn held_with(
    conn: &mut Conn,
    key: &str,
    detail: &str,
) -> Result<Option<i64>, StoreError> {
    let id = db::query_scalar("SELECT id FROM quarantine WHERE message_key = $1 AND detail = $2")
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
    status: String,
    released_at: Option<String>,
    resolved_by: Option<String>,
    resolution_note: Option<String>,
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
            status: self.status,
            resolved_at: self.released_at.as_deref().map(parse_stamp).transpose()?,
            resolved_by: self.resolved_by,
            resolution_note: self.resolution_note,
        })
    }
}

impl Store {
    /// The entries still held (with `all`, also those released or
    /// dismissed), oldest first.
    pub async fn list_quarantine(&self, all: bool) -> Result<Vec<QuarantineView>, StoreError> {
        let rows: Vec<HeldRow> = db::query_as(
            "SELECT id, message_key, from_address, subject, reason, detail, received_at, \
               status, released_at, resolved_by, resolution_note \
             FROM quarantine WHERE $1 OR status = 'held' ORDER BY received_at, id",
        )
        .bind(all)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(HeldRow::into_view).collect()
    }

    /// The bytes a quarantine entry (held or released) keeps of its message.
    pub async fn quarantined_raw(&self, id: i64) -> Result<Option<QuarantinedBytes>, StoreError> {
        let row: Option<(Vec<u8>, i64)> =
            db::query_as("SELECT raw, raw_bytes FROM quarantine WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(excerpt, size)| QuarantinedBytes {
            excerpt,
            size: u64::try_from(size).unwrap_or(0),
        }))
    }

    /// Marks an entry released without filing anything (tests only: a
    /// release goes through [`Store::release_quarantined`], which marks and
    /// files in one transaction). Applying the message again afterwards is
    /// then processed instead of reported as a duplicate.
    #[cfg(test)]
    pub(crate) async fn mark_released(&self, id: i64) -> Result<(), StoreError> {
        let found: Option<i64> = db::query_scalar(
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
