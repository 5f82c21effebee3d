//! Webhook deliveries: events (written by the triggers of migration 13 in
//! the change's own transaction) taken into each webhook's queue, handed
//! out in order per lead, and marked delivered, retried or parked.

use super::stamp::stamp;
use super::{Store, StoreError};
use crate::store::db;
use chrono::{DateTime, Utc};

/// One event due for one webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEvent {
    /// The event's id (the same on every retry).
    pub id: i64,
    /// One of `webhook::EVENT_TYPES`.
    pub event_type: String,
    /// The lead it is about, if any.
    pub lead_id: Option<i64>,
    /// The lead, contact, quarantine entry or outbox mail it is about.
    pub subject_id: i64,
    /// What changed, as its trigger wrote it (JSON).
    pub data: String,
    /// When the change was made.
    pub created_at: String,
    /// Failed attempts so far.
    pub attempts: i64,
    /// When it was first tried, if it was.
    pub first_tried_at: Option<String>,
}

/// A delivery as `webhooks list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryView {
    /// The webhook's name.
    pub webhook: String,
    /// The event's id.
    pub event_id: i64,
    /// Its type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The lead it is about, if any.
    pub lead_id: Option<i64>,
    /// `pending`, `delivered` or `parked`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is tried next (pending).
    pub next_attempt_at: String,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the receiver took it.
    pub delivered_at: Option<String>,
}

type DueRow = (
    i64,
    String,
    Option<i64>,
    i64,
    String,
    String,
    i64,
    Option<String>,
);

type ViewRow = (
    String,
    i64,
    String,
    Option<i64>,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
);

impl Store {
    /// Takes the events after `webhook`'s cursor whose type it wants into
    /// its queue. A webhook seen for the first time starts after the newest
    /// event: it gets what happens from now on, not the history.
    pub async fn enqueue_webhook_events(
        &self,
        webhook: &str,
        event_types: &[String],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        db::query(
            "INSERT INTO webhook_cursors (webhook, last_event_id) \
             SELECT $1, COALESCE(MAX(id), 0) FROM webhook_events WHERE true ON CONFLICT DO NOTHING",
        )
        .bind(webhook)
        .execute(&mut *tx)
        .await?;
        let types = serde_json::to_string(event_types).unwrap_or_else(|_| "[]".into());
        let queued = db::query(
            "INSERT INTO webhook_deliveries (webhook, event_id, next_attempt_at) \
             SELECT $1, e.id, $3 FROM webhook_events e \
             WHERE e.id > (SELECT last_event_id FROM webhook_cursors WHERE webhook = $1) \
             AND e.type IN (SELECT value FROM json_each($2)) ON CONFLICT DO NOTHING",
        )
        .bind(webhook)
        .bind(types)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        db::query(
            "UPDATE webhook_cursors SET last_event_id = \
             (SELECT COALESCE(MAX(id), last_event_id) FROM webhook_events) WHERE webhook = $1",
        )
        .bind(webhook)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Claims `webhook`'s pending events due at `now` that no other sender
    /// holds, oldest first, at most `limit`, until `claimed_until`. An event
    /// waits while an older one of the same lead is still pending (claimed
    /// or not), so one lead's events arrive in order. The events' payloads
    /// are read after the claim's commit, not under the write lock (see
    /// the outbox's `claim_mail`).
    pub async fn claim_webhook_events(
        &self,
        webhook: &str,
        now: DateTime<Utc>,
        claimed_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueEvent>, StoreError> {
        let mut tx = self.begin_write().await?;
        let claimed: Vec<i64> = db::query_scalar(
            "UPDATE webhook_deliveries SET claimed_until = $3 WHERE webhook = $1 AND event_id IN \
             (SELECT d.event_id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
              WHERE d.webhook = $1 AND d.state = 'pending' AND d.next_attempt_at <= $2 \
              AND (d.claimed_until IS NULL OR d.claimed_until <= $2) \
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o \
                  JOIN webhook_events oe ON oe.id = o.event_id \
                  WHERE o.webhook = d.webhook AND o.state = 'pending' AND o.event_id < d.event_id \
                  AND oe.lead_id = e.lead_id) \
              ORDER BY d.event_id LIMIT $4) RETURNING event_id",
        )
        .bind(webhook)
        .bind(stamp(now))
        .bind(stamp(claimed_until))
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(&claimed).unwrap_or_else(|_| "[]".into());
        let rows: Vec<DueRow> = db::query_as(
            "SELECT e.id, e.type, e.lead_id, e.subject_id, e.data, e.created_at, d.attempts, \
             d.first_tried_at FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
             WHERE d.webhook = $1 AND d.event_id IN (SELECT CAST(value AS BIGINT) FROM json_each($2)) ORDER BY e.id",
        )
        .bind(webhook)
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(due_event).collect())
    }

    /// The receiver took event `event_id`.
    pub async fn mark_webhook_delivered(
        &self,
        webhook: &str,
        event_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        db::query(
            "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, \
             delivered_at = $3, first_tried_at = COALESCE(first_tried_at, $3), last_error = NULL, \
             claimed_until = NULL \
             WHERE webhook = $1 AND event_id = $2",
        )
        .bind(webhook)
        .bind(event_id)
        .bind(stamp(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A failed attempt: tried again at `retry_at`, or parked when `None`.
    pub async fn mark_webhook_failed(
        &self,
        webhook: &str,
        event_id: i64,
        error: &str,
        now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        db::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $3, \
             first_tried_at = COALESCE(first_tried_at, $4), \
             next_attempt_at = COALESCE($5, next_attempt_at), \
             state = CASE WHEN $5 IS NULL THEN 'parked' ELSE 'pending' END, claimed_until = NULL \
             WHERE webhook = $1 AND event_id = $2",
        )
        .bind(webhook)
        .bind(event_id)
        .bind(error)
        .bind(stamp(now))
        .bind(retry_at.map(stamp))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every delivery, newest event first (`state`: only those in it).
    pub async fn webhook_deliveries(
        &self,
        state: Option<&str>,
    ) -> Result<Vec<DeliveryView>, StoreError> {
        let rows: Vec<ViewRow> = db::query_as(
            "SELECT d.webhook, d.event_id, e.type, e.lead_id, d.state, d.attempts, \
             d.next_attempt_at, d.last_error, d.delivered_at \
             FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \
             WHERE $1 IS NULL OR d.state = $1 ORDER BY d.event_id DESC, d.webhook",
        )
        .bind(state)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(delivery_view).collect())
    }

    /// Parked deliveries (all, or these events) go back to pending, due now
    /// and counted afresh; how many.
    pub async fn retry_webhook_deliveries(
        &self,
        event_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let ids = serde_json::to_string(event_ids).unwrap_or_else(|_| "[]".into());
        let retried = db::query(
            "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $2, \
             attempts = 0, first_tried_at = NULL \
             WHERE state = 'parked' AND ($1 = '[]' OR event_id IN (SELECT CAST(value AS BIGINT) FROM json_each($1)))",
        )
        .bind(ids)
        .bind(stamp(now))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(retried)
    }

    /// Drops the cursor and queue of every webhook not in `configured`: a
    /// webhook taken out of the config stops collecting events, and with
    /// none left the triggers write none. Events nobody is left to receive
    /// go too. How many queued deliveries were dropped.
    pub async fn forget_webhooks_except(&self, configured: &[String]) -> Result<u64, StoreError> {
        let names = serde_json::to_string(configured).unwrap_or_else(|_| "[]".into());
        let mut tx = self.begin_write().await?;
        let dropped = db::query(
            "DELETE FROM webhook_deliveries WHERE webhook NOT IN (SELECT value FROM json_each($1))",
        )
        .bind(&names)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        db::query(
            "DELETE FROM webhook_cursors WHERE webhook NOT IN (SELECT value FROM json_each($1))",
        )
        .bind(&names)
        .execute(&mut *tx)
        .await?;
        db::query("DELETE FROM webhook_events WHERE NOT EXISTS (SELECT 1 FROM webhook_cursors)")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(dropped)
    }

    /// Forgets events older than `before` that no webhook still has to
    /// deliver (with their delivered rows); how many.
    pub async fn prune_webhook_events(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let pruned = db::query(
            "DELETE FROM webhook_events WHERE created_at < $1 AND NOT EXISTS \
             (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id \
              AND d.state <> 'delivered')",
        )
        .bind(stamp(before))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(pruned)
    }
}

fn due_event(row: DueRow) -> DueEvent {
    let (id, event_type, lead_id, subject_id, data, created_at, attempts, first_tried_at) = row;
    DueEvent {
        id,
        event_type,
        lead_id,
        subject_id,
        data,
        created_at,
        attempts,
        first_tried_at,
    }
}

fn delivery_view(row: ViewRow) -> DeliveryView {
    let (
        webhook,
        event_id,
        event_type,
        lead_id,
        state,
        attempts,
        next_attempt_at,
        last_error,
        delivered_at,
    ) = row;
    DeliveryView {
        webhook,
        event_id,
        event_type,
        lead_id,
        state,
        attempts,
        next_attempt_at,
        last_error,
        delivered_at,
    }
}
