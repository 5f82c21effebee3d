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

/// How a message of a batch stands against the processed-message records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    /// Its key is new: its record is written with its outcome
    /// ([`finish`]).
    New,
    /// Its key's record was quarantined and released: claimed again
    /// (outcome pending until [`finish`]).
    Reclaimed,
    /// Its key was processed before, or earlier in the batch.
    Seen,
}

impl Claim {
    /// True when this message is applied (its record is this batch's).
    pub(super) fn claimed(self) -> bool {
        self != Claim::Seen
    }
}

/// Claims the records of these messages: in order, whether each key is
/// new, claimed again (see [`reclaim`]) or seen before. A key met twice is
/// claimed by its first message only. The keys already recorded are read
/// with one statement; a new key's record is written at [`finish`], with
/// its outcome, by the same transaction (it holds the store's write lock,
/// so no other writer can claim the key meanwhile): one row written once
/// instead of inserted as pending and updated.
pub(super) async fn claim(
    conn: &mut Conn,
    records: &[(&IngestPlan, &str)],
    now: DateTime<Utc>,
) -> Result<Vec<Claim>, StoreError> {
    let keys: Vec<&str> = records.iter().map(|(plan, _)| plan.key.as_str()).collect();
    let list = serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into());
    let known: HashSet<String> = db::query_scalar::<String>(
        "SELECT message_key FROM processed_messages \
         WHERE message_key IN (SELECT value FROM json_each($1))",
    )
    .bind(list)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut met: HashSet<&str> = HashSet::with_capacity(records.len());
    let mut claims = Vec::with_capacity(records.len());
    for (plan, origin) in records {
        let key = plan.key.as_str();
        let claim = match (met.insert(key), known.contains(key)) {
            (false, _) => Claim::Seen,
            (true, false) => Claim::New,
            (true, true) if reclaim(conn, plan, origin, now).await? => Claim::Reclaimed,
            (true, true) => Claim::Seen,
        };
        claims.push(claim);
    }
    Ok(claims)
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

/// A message this batch claimed, finished: its plan, origin, claim,
/// outcome and the leads it touched.
pub(super) struct Finished<'a> {
    pub plan: &'a IngestPlan,
    pub origin: &'a str,
    pub claim: Claim,
    pub outcome: Outcome,
    pub lead_ids: &'a [i64],
}

/// Records the outcomes and the leads each message touched, in order: one
/// multi-row INSERT for the new records, one UPDATE … FROM a VALUES list
/// (SQLite 3.33+) for those claimed again, one multi-row INSERT for the
/// leads, per [`ROWS_PER_STATEMENT`] rows.
pub(super) async fn finish(
    conn: &mut Conn,
    finished: &[Finished<'_>],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let new: Vec<&Finished<'_>> = finished.iter().filter(|f| f.claim == Claim::New).collect();
    insert_records(conn, &new, now).await?;
    let again: Vec<&Finished<'_>> = finished
        .iter()
        .filter(|f| f.claim == Claim::Reclaimed)
        .collect();
    for chunk in again.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE processed_messages SET outcome = v.column2 FROM (VALUES {}) AS v \
             WHERE processed_messages.message_key = v.column1",
            db::value_rows(conn.backend(), chunk.len(), 2)
        );
        let mut update = db::query(AssertSqlSafe(sql)).persistent(false);
        for f in chunk {
            update = update.bind(f.plan.key.as_str()).bind(f.outcome.as_str());
        }
        update.execute(&mut *conn).await?;
    }
    let leads: Vec<(&str, i64, i64)> = finished
        .iter()
        .flat_map(|f| {
            let key = f.plan.key.as_str();
            (0_i64..).zip(f.lead_ids).map(move |(p, id)| (key, *id, p))
        })
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

/// The new records, with their outcomes.
async fn insert_records(
    conn: &mut Conn,
    new: &[&Finished<'_>],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let processed_at = stamp(now);
    for chunk in new.chunks(ROWS_PER_STATEMENT) {
        let mut values = db::Values::new();
        for f in chunk {
            let plan = f.plan;
            values
                .push_bind(plan.key.as_str())
                .push_bind(f.outcome.as_str())
                .push_bind(plan.rule)
                .push_bind(plan.reason.as_str())
                .push_bind(f.origin)
                .push_bind(plan.from.as_deref())
                .push_bind(plan.subject.as_str())
                .push_bind(stamp(plan.occurred_at))
                .push_bind(processed_at.as_str())
                .push_bind(plan.fingerprint.as_deref());
            values.end_row();
        }
        let insert = values.into_query(
            "INSERT INTO processed_messages (message_key, outcome, rule, reason, origin, \
               from_address, subject, occurred_at, processed_at, fingerprint)",
            conn.backend(),
        );
        conn.execute(insert).await?;
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
