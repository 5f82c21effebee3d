//! The rows a user's digest is built from: their open leads and prospects
//! (with primary contact, company, open next action, latest activity) and
//! their quarantined messages.

use super::stamp::parse_stamp;
use super::{Store, StoreError};
use crate::digest::model::{DigestAction, DigestActivity, DigestLead, DigestQuarantined};
use crate::domain::{LeadKind, LeadStatus, QuarantineReason, TimelineKind};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

/// One row per open lead of the owner: the primary contact (position 0),
/// its first address, the open next action, the latest timeline entry and
/// when the `replied` flag was set.
const OPEN_LEADS: &str = "\
SELECT l.id, l.kind, l.title, l.status, l.step, l.source, co.name AS company, \
       c.name AS contact_name, c.phone, \
       (SELECT e.address FROM contact_emails e WHERE e.contact_id = c.id ORDER BY e.id LIMIT 1) AS contact_email, \
       na.kind AS action_kind, na.note AS action_note, na.due_at AS action_due, \
       (SELECT t.kind FROM timeline t WHERE t.lead_id = l.id ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) AS activity_kind, \
       (SELECT t.subject FROM timeline t WHERE t.lead_id = l.id ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) AS activity_subject, \
       l.last_activity_at, l.created_at, \
       (SELECT f.set_at FROM lead_flags f WHERE f.lead_id = l.id AND f.flag = 'replied') AS replied_at \
FROM leads l \
LEFT JOIN companies co ON co.id = l.company_id \
LEFT JOIN lead_contacts lc ON lc.lead_id = l.id AND lc.position = 0 \
LEFT JOIN contacts c ON c.id = lc.contact_id \
LEFT JOIN next_actions na ON na.lead_id = l.id AND na.done_at IS NULL \
WHERE l.owner = $1 AND l.status IN ('todo', 'standby') \
ORDER BY l.id";

impl Store {
    /// The open leads and prospects `owner` owns, for the digest.
    pub async fn digest_leads(&self, owner: &str) -> Result<Vec<DigestLead>, StoreError> {
        let rows = sqlx::query(OPEN_LEADS)
            .bind(owner)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(digest_lead).collect()
    }

    /// Quarantine entries still held that name `user`.
    pub async fn digest_quarantine(
        &self,
        user: &str,
    ) -> Result<Vec<DigestQuarantined>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, from_address, subject, reason, detail, received_at FROM quarantine \
             WHERE user_email = $1 AND status = 'held' ORDER BY id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DigestQuarantined {
                    id: row.try_get("id")?,
                    from: row.try_get("from_address")?,
                    subject: row.try_get("subject")?,
                    reason: parse_text(row, "reason", QuarantineReason::parse)?,
                    detail: row.try_get("detail")?,
                    at: parse_stamp(&row.try_get::<String, _>("received_at")?)?,
                })
            })
            .collect()
    }
}

fn digest_lead(row: &SqliteRow) -> Result<DigestLead, StoreError> {
    let action_due: Option<String> = row.try_get("action_due")?;
    let next_action = match action_due {
        Some(due) => Some(DigestAction {
            kind: row.try_get("action_kind")?,
            note: row.try_get("action_note")?,
            due_at: parse_stamp(&due)?,
        }),
        None => None,
    };
    let activity_kind: Option<String> = row.try_get("activity_kind")?;
    let last_activity = activity_kind
        .as_deref()
        .and_then(TimelineKind::parse)
        .map(|kind| -> Result<DigestActivity, StoreError> {
            Ok(DigestActivity {
                kind,
                subject: row.try_get("activity_subject")?,
            })
        })
        .transpose()?;
    let replied_at: Option<String> = row.try_get("replied_at")?;
    Ok(DigestLead {
        id: row.try_get("id")?,
        kind: parse_text(row, "kind", LeadKind::parse)?,
        title: row.try_get("title")?,
        status: parse_text(row, "status", LeadStatus::parse)?,
        step: row.try_get("step")?,
        source: row.try_get("source")?,
        company: row.try_get("company")?,
        contact_name: row.try_get("contact_name")?,
        contact_email: row.try_get("contact_email")?,
        phone: row.try_get("phone")?,
        next_action,
        last_activity,
        last_activity_at: parse_stamp(&row.try_get::<String, _>("last_activity_at")?)?,
        created_at: parse_stamp(&row.try_get::<String, _>("created_at")?)?,
        replied_at: replied_at.as_deref().map(parse_stamp).transpose()?,
    })
}

/// A stored vocabulary word read back into its type.
fn parse_text<T>(
    row: &SqliteRow,
    column: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or(StoreError::Corrupt {
        what: column,
        value: text,
    })
}
