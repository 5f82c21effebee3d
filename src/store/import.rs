//! Writing imported rows (`leadmail import`): one transaction for the whole
//! file, contacts and companies matched before created, no second lead for
//! a contact who has one.

use super::contacts;
use super::leads;
use super::stamp::stamp;
use super::{Conn, Store, StoreError, OPERATOR};
use crate::domain::TimelineKind;
use crate::import::{ImportRow, LeadDraft};
use crate::ingest::plan::TimelineDraft;
use crate::store::db;
use chrono::{DateTime, Utc};

/// What importing one row did (or would do, in a dry run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// The row's line in the file.
    pub line: u64,
    /// False when the record was there already ("skipped: exists").
    pub created: bool,
    /// The contact (created or reused).
    pub contact_id: i64,
    /// The lead created, or the existing one that made the row a duplicate.
    pub lead_id: Option<i64>,
}

impl Store {
    /// Writes the rows in ONE transaction, in order, and commits only
    /// when `commit` is true (a dry run, or a file with refused rows,
    /// rolls back and reports what would have been done). `file` names
    /// the file on each new lead's "imported" timeline entry.
    pub async fn import(
        &self,
        rows: &[ImportRow],
        file: &str,
        commit: bool,
    ) -> Result<Vec<Imported>, StoreError> {
        let now = crate::clock::now();
        let mut tx = self.begin_write().await?;
        let mut done = Vec::with_capacity(rows.len());
        for row in rows {
            done.push(import_row(&mut tx, row, file, now).await?);
        }
        if commit {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(done)
    }
}

/// The row's contact (matched by address, its company by domain or name),
/// then its lead unless the contact has one already.
async fn import_row(
    conn: &mut Conn,
    row: &ImportRow,
    file: &str,
    now: DateTime<Utc>,
) -> Result<Imported, StoreError> {
    let contact = contacts::upsert(conn, &row.contact, now).await?;
    let mut imported = Imported {
        line: row.line,
        created: contact.created,
        contact_id: contact.id,
        lead_id: None,
    };
    let Some(lead) = &row.lead else {
        return Ok(imported);
    };
    let existing = match contact.created {
        true => None,
        false => existing_lead(conn, contact.id, &lead.title).await?,
    };
    imported.created = existing.is_none();
    imported.lead_id = Some(match existing {
        Some(id) => id,
        None => {
            let company = contact.company.map(|c| c.id);
            create_lead(conn, lead, company, contact.id, (file, row.line), now).await?
        }
    });
    Ok(imported)
}

/// The contact's open lead or prospect, else one of theirs with the same
/// title (the same record imported again).
async fn existing_lead(
    conn: &mut Conn,
    contact: i64,
    title: &str,
) -> Result<Option<i64>, StoreError> {
    let id = db::query_scalar(
        "SELECT l.id FROM leads l JOIN lead_contacts lc ON lc.lead_id = l.id \
         WHERE lc.contact_id = $1 \
           AND (l.status IN ('todo', 'standby') OR lower(l.title) = lower($2)) \
         ORDER BY CASE WHEN l.status IN ('todo', 'standby') THEN 0 ELSE 1 END, l.id LIMIT 1",
    )
    .bind(contact)
    .bind(title)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

/// Inserts the lead with its primary contact, next action, tags and the
/// "imported" timeline entry (which is not activity: an old record stays
/// as idle as it was).
async fn create_lead(
    conn: &mut Conn,
    lead: &LeadDraft,
    company: Option<i64>,
    contact: i64,
    (file, line): (&str, u64),
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id = insert_lead(conn, lead, company, now).await?;
    leads::link_contacts(conn, id, &[contact]).await?;
    if let Some(action) = &lead.next_action {
        leads::replace_next_action(conn, id, action, now).await?;
    }
    for tag in &lead.tags {
        super::ops::add_tag(conn, id, tag).await?;
    }
    let entry = TimelineDraft {
        kind: TimelineKind::Imported,
        occurred_at: now,
        actor: Some(OPERATOR.to_string()),
        subject: format!("Imported from {file}, line {line}"),
        body: String::new(),
    };
    leads::add_entry(conn, id, &entry, None).await?;
    Ok(id)
}

/// The lead row. It counts as filed when it was created, so an old
/// record is no "new lead" in tomorrow's digest.
async fn insert_lead(
    conn: &mut Conn,
    lead: &LeadDraft,
    company: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id = db::query_scalar(
        "INSERT INTO leads (kind, title, status, step, source, owner, company_id, \
           amount_value, amount_currency, standby_until, created_at, last_activity_at, \
           updated_at, filed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $11) RETURNING id",
    )
    .bind(lead.kind.as_str())
    .bind(&lead.title)
    .bind(lead.status.as_str())
    .bind(lead.step.as_deref())
    .bind(&lead.source)
    .bind(lead.owner.as_ref().map(|o| o.as_str()))
    .bind(company)
    .bind(lead.amount.as_ref().map(|a| a.0))
    .bind(lead.amount.as_ref().map(|a| a.1.as_str()))
    .bind(lead.standby_until.map(stamp))
    .bind(stamp(lead.created_at))
    .bind(stamp(lead.last_activity_at))
    .bind(stamp(now))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}
