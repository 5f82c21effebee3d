//! The processed-message record: the deduplication key and every decision.

use super::stamp::stamp;
use super::{Conn, Store, StoreError};
use crate::ingest::plan::{IngestPlan, Outcome};
use crate::store::db;
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;
use std::collections::HashSet;

/// Rows one multi-row statement carries at most (up to 10 parameters each,
/// far under SQLite's limit of 32,766). Such statements are not kept
/// prepared (`persistent(false)`): their text changes with the row count,
/// and sqlx's cache of prepared statements (100 a connection) filled with
/// them grew the daemon's peak memory by 7 MB (BENCHMARKS.md).
const ROWS_PER_STATEMENT: usize = 500;

/// Every outcome a processed message can have (the stored text is `as_str`).
const OUTCOMES: [Outcome; 7] = [
    Outcome::CreatedLead,
    Outcome::CreatedProspect,
    Outcome::Appended,
    Outcome::Automated,
    Outcome::Bounce,
    Outcome::Quarantined,
    Outcome::Duplicate,
];

/// Inserts the records of these messages (outcome still pending) in one
/// multi-row INSERT … RETURNING per [`ROWS_PER_STATEMENT`] rows; for each
/// message, in order, whether its key was claimed. First statement of the
/// apply transaction, so it also takes the write lock. A key met twice is
/// claimed by its first message only; a key processed before is claimed
/// again only when [`reclaim`] allows it.
pub(super) async fn claim(
    conn: &mut Conn,
    records: &[(&IngestPlan, &str)],
    now: DateTime<Utc>,
) -> Result<Vec<bool>, StoreError> {
    let processed_at = stamp(now);
    let mut inserted: HashSet<String> = HashSet::with_capacity(records.len());
    for chunk in records.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO processed_messages (message_key, outcome, rule, reason, origin, \
               from_address, subject, occurred_at, processed_at, fingerprint) VALUES {} \
             ON CONFLICT (message_key) DO NOTHING RETURNING message_key",
            db::value_rows(conn.backend(), chunk.len(), 10)
        );
        let mut insert = db::query_scalar::<String>(AssertSqlSafe(sql)).persistent(false);
        for (plan, origin) in chunk {
            insert = insert
                .bind(plan.key.as_str())
                .bind("pending")
                .bind(plan.rule)
                .bind(&plan.reason)
                .bind(*origin)
                .bind(plan.from.as_deref())
                .bind(&plan.subject)
                .bind(stamp(plan.occurred_at))
                .bind(processed_at.as_str())
                .bind(plan.fingerprint.as_deref());
        }
        let keys = insert.fetch_all(&mut *conn).await?;
        inserted.extend(keys);
    }
    let mut claimed = Vec::with_capacity(records.len());
    for (plan, origin) in records {
        let new = inserted.remove(plan.key.as_str());
        claimed.push(new || reclaim(conn, plan, origin, now).await?);
    }
    Ok(claimed)
}

/// Claims again the record of a message that was quarantined and has since
/// been released (none of its entries still held); false otherwise.
async fn reclaim(
    conn: &mut Conn,
    plan: &IngestPlan,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let reclaimed = db::query(
        "UPDATE processed_messages SET outcome = 'pending', rule = $2, reason = $3, \
           origin = $4, from_address = $5, subject = $6, occurred_at = $7, processed_at = $8 \
         WHERE message_key = $1 AND outcome = 'quarantined' \
           AND EXISTS (SELECT 1 FROM quarantine q \
                       WHERE q.message_key = $1 AND q.status = 'released') \
           AND NOT EXISTS (SELECT 1 FROM quarantine q \
                           WHERE q.message_key = $1 AND q.status = 'held')",
    );
    let reclaimed = bind_record(reclaimed, plan, origin, now)
        .execute(&mut *conn)
        .await?;
    Ok(reclaimed.rows_affected() == 1)
}

/// Binds $1..$8 of the processed-message record.
fn bind_record<'q>(
    query: db::Query<'q>,
    plan: &'q IngestPlan,
    origin: &'q str,
    now: DateTime<Utc>,
) -> db::Query<'q> {
    query
        .bind(plan.key.as_str())
        .bind(plan.rule)
        .bind(&plan.reason)
        .bind(origin)
        .bind(plan.from.as_deref())
        .bind(&plan.subject)
        .bind(stamp(plan.occurred_at))
        .bind(stamp(now))
}

/// Records the outcomes and the leads each message touched, in order: one
/// UPDATE … FROM a VALUES list (SQLite 3.33+) for the outcomes and one
/// multi-row INSERT for the leads, per [`ROWS_PER_STATEMENT`] rows.
pub(super) async fn finish(
    conn: &mut Conn,
    finished: &[(&str, Outcome, &[i64])],
) -> Result<(), StoreError> {
    for chunk in finished.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE processed_messages SET outcome = v.column2 FROM (VALUES {}) AS v \
             WHERE processed_messages.message_key = v.column1",
            db::value_rows(conn.backend(), chunk.len(), 2)
        );
        let mut update = db::query(AssertSqlSafe(sql)).persistent(false);
        for (key, outcome, _) in chunk {
            update = update.bind(*key).bind(outcome.as_str());
        }
        update.execute(&mut *conn).await?;
    }
    let leads: Vec<(&str, i64, i64)> = finished
        .iter()
        .flat_map(|(key, _, ids)| (0_i64..).zip(ids.iter()).map(|(p, id)| (*key, *id, p)))
        .collect();
    for chunk in leads.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO processed_message_leads (message_key, lead_id, position) VALUES {}",
            db::value_rows(conn.backend(), chunk.len(), 3)
        );
        let mut insert = db::query(AssertSqlSafe(sql)).persistent(false);
        for (key, lead_id, position) in chunk {
            insert = insert.bind(*key).bind(*lead_id).bind(*position);
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The leads a processed message touched, in order.
pub(super) async fn lead_ids(conn: &mut Conn, key: &str) -> Result<Vec<i64>, StoreError> {
    let ids = db::query_scalar(
        "SELECT lead_id FROM processed_message_leads WHERE message_key = $1 ORDER BY position",
    )
    .bind(key)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids)
}

/// The outcome and content fingerprint (if one was kept) recorded for a
/// processed message, in one query.
pub(super) async fn recorded(
    conn: &mut Conn,
    key: &str,
) -> Result<(Outcome, Option<String>), StoreError> {
    let (outcome, fingerprint): (String, Option<String>) =
        db::query_as("SELECT outcome, fingerprint FROM processed_messages WHERE message_key = $1")
            .bind(key)
            .fetch_one(&mut *conn)
            .await?;
    Ok((parse_outcome(&outcome)?, fingerprint))
}

/// Reads a stored outcome.
fn parse_outcome(text: &str) -> Result<Outcome, StoreError> {
    OUTCOMES
        .into_iter()
        .find(|o| o.as_str() == text)
        .ok_or_else(|| StoreError::Corrupt {
            what: "outcome",
            value: text.to_string(),
        })
}

impl Store {
    /// How many messages were processed (whatever their outcome).
    pub async fn processed_count(&self) -> Result<i64, StoreError> {
        let count = db::query_scalar("SELECT COUNT(*) FROM processed_messages")
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    /// The recorded decision for a message key: outcome, rule and reason.
    pub async fn processed(
        &self,
        key: &str,
    ) -> Result<Option<(Outcome, String, String)>, StoreError> {
        let row: Option<(String, String, String)> = db::query_as(
            "SELECT outcome, rule, reason FROM processed_messages WHERE message_key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some((outcome, rule, reason)) = row else {
            return Ok(None);
        };
        Ok(Some((parse_outcome(&outcome)?, rule, reason)))
    }
}
