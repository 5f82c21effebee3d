//! Resolving a quarantine entry: a person releases it (the message is filed
//! again, vouched for) or dismisses it, with a reason; either way the entry
//! stays listed with its outcome, and the release goes on the leads'
//! timelines in the same transaction as the filing.

use super::apply::{apply_in, Applied, Pending};
use super::deferred::Deferring;
use super::leads;
use super::stamp::{parse_stamp, stamp};
use super::views::QuarantineView;
use super::{Conn, Store, StoreError};
use crate::domain::{QuarantineReason, TimelineKind};
use crate::ingest::plan::{IngestPlan, TimelineDraft};
use crate::store::db;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One quarantine entry in full (`quarantine show`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarantineEntry {
    /// What `quarantine list` shows.
    #[serde(flatten)]
    pub view: QuarantineView,
    /// The rep whose mail it is (their digest shows it), if known.
    pub user: Option<String>,
    /// The message's whole size in bytes.
    pub size: u64,
    /// How many of its bytes the database keeps (all when equal to `size`).
    pub kept_bytes: u64,
    /// What the message's processed record says: `quarantined` when the
    /// message itself is held, else what it was filed as (the entry then
    /// only reports something about it, e.g. a command not read).
    pub message_outcome: Option<String>,
    /// The kept bytes (not in JSON).
    #[serde(skip)]
    pub kept: Vec<u8>,
}

/// A release: who vouches, why, and (for a message that was held itself)
/// its plan and bytes to file.
pub struct Release<'a> {
    /// The person releasing (timeline actor).
    pub actor: &'a str,
    /// Why they release it.
    pub note: &'a str,
    /// The message to file again, vouched for; `None` when it was filed
    /// already and the entry only reported something about it.
    pub refile: Option<(&'a IngestPlan, &'a [u8])>,
}

type EntryRow = (
    i64,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<u8>,
    i64,
);

impl Store {
    /// Every entry (held, released or dismissed) in full, or `None`.
    pub async fn quarantine_entry(&self, id: i64) -> Result<Option<QuarantineEntry>, StoreError> {
        let row: Option<EntryRow> = db::query_as(
            "SELECT q.id, q.message_key, q.from_address, q.subject, q.reason, q.detail, \
               q.received_at, q.user_email, q.status, q.released_at, q.resolved_by, \
               q.resolution_note, q.raw, q.raw_bytes FROM quarantine q WHERE q.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let outcome: Option<String> =
            db::query_scalar("SELECT outcome FROM processed_messages WHERE message_key = $1")
                .bind(&row.1)
                .fetch_optional(&self.pool)
                .await?;
        entry_from(row, outcome).map(Some)
    }

    /// Releases a held entry: marks it released by `release.actor` with its
    /// note, files the message again when given (its processed record is
    /// claimed anew), and puts the release on every lead the message is on,
    /// all in one transaction.
    pub async fn release_quarantined(
        &self,
        id: i64,
        release: Release<'_>,
    ) -> Result<Applied, StoreError> {
        let now = crate::clock::now();
        let mut tx = Deferring::new(self.begin_write().await?);
        let key = resolve(&mut tx, id, "released", release.actor, release.note, now).await?;
        let applied = match release.refile {
            Some((plan, raw)) => {
                let origin = format!("quarantine release #{id}");
                let pending = Pending {
                    plan,
                    raw,
                    size: raw.len() as u64,
                    origin: &origin,
                };
                let applied = apply_in(&mut tx, &[pending], now).await?.remove(0);
                if applied.outcome == crate::ingest::plan::Outcome::Quarantined {
                    // Dropping the transaction rolls the release back.
                    return Err(StoreError::ReleaseRefused {
                        id,
                        why: format!("even vouched for, it would be held again ({})", plan.reason),
                    });
                }
                applied
            }
            None => filed_before(&mut tx, &key).await?,
        };
        let entry = TimelineDraft {
            kind: TimelineKind::Note,
            occurred_at: now,
            actor: Some(release.actor.to_string()),
            subject: format!("Released from quarantine (entry #{id})"),
            body: release.note.to_string(),
        };
        for lead_id in &applied.lead_ids {
            leads::add_entry(&mut tx, *lead_id, &entry, None).await?;
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// Dismisses a held entry (the message stays unfiled), with who and why.
    pub async fn dismiss_quarantined(
        &self,
        id: i64,
        actor: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        let now = crate::clock::now();
        let mut tx = self.begin_write().await?;
        resolve(&mut tx, id, "dismissed", actor, note, now).await?;
        Ok(tx.commit().await?)
    }
}

/// Marks a held entry resolved; its message key. An entry resolved before
/// (or missing) is an error naming it.
async fn resolve(
    conn: &mut Conn,
    id: i64,
    status: &str,
    actor: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let key: Option<String> = db::query_scalar(
        "UPDATE quarantine SET status = $2, released_at = $3, resolved_by = $4, \
           resolution_note = $5 WHERE id = $1 AND status = 'held' RETURNING message_key",
    )
    .bind(id)
    .bind(status)
    .bind(stamp(now))
    .bind(actor)
    .bind(note)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(key) = key {
        return Ok(key);
    }
    let current: Option<String> = db::query_scalar("SELECT status FROM quarantine WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Err(match current {
        Some(status) => StoreError::QuarantineResolved { id, status },
        None => StoreError::QuarantineNotFound { id },
    })
}

/// A message filed before the entry was resolved: the leads it is on.
async fn filed_before(conn: &mut Conn, key: &str) -> Result<Applied, StoreError> {
    let lead_ids = super::processed::lead_ids(conn, key).await?;
    Ok(Applied {
        outcome: crate::ingest::plan::Outcome::Duplicate,
        lead_ids,
        quarantine_id: None,
        recorded: None,
    })
}

fn entry_from(row: EntryRow, outcome: Option<String>) -> Result<QuarantineEntry, StoreError> {
    let (id, key, from, subject, reason, detail, received_at, user, status) = (
        row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8,
    );
    let (resolved_at, resolved_by, note, kept, size) = (row.9, row.10, row.11, row.12, row.13);
    let reason = QuarantineReason::parse(&reason).ok_or_else(|| StoreError::Corrupt {
        what: "quarantine reason",
        value: reason.clone(),
    })?;
    Ok(QuarantineEntry {
        view: QuarantineView {
            id,
            message_id: key,
            from,
            subject,
            reason,
            detail,
            received_at: parse_stamp(&received_at)?,
            status,
            resolved_at: resolved_at.as_deref().map(parse_stamp).transpose()?,
            resolved_by,
            resolution_note: note,
        },
        user,
        size: u64::try_from(size).unwrap_or(0),
        kept_bytes: kept.len() as u64,
        message_outcome: outcome,
        kept,
    })
}
