//! The rows a user's digest is built from: their open leads and prospects
//! (with primary contact, company, open next action, latest activity) and
//! their quarantined messages; per user, or for everyone in one pass when
//! many digests are built at once (the daemon's morning round).

use super::stamp::{parse_stamp, stamp};
use super::{Store, StoreError};
use crate::digest::content::Reach;
use crate::digest::model::{DigestAction, DigestActivity, DigestLead, DigestQuarantined};
use crate::domain::{LeadKind, LeadStatus, QuarantineReason, TimelineKind};
use crate::store::db;
use db::Row;
use futures::TryStreamExt;
use std::collections::HashMap;

/// The open leads' query: one row per open lead or prospect with its
/// primary contact (position 0) and that contact's first address, the open
/// next action, the latest timeline entry (found on the `timeline_lead`
/// index, then read once) and when the `replied` flag was set. `$owner`
/// adds columns before `l.id`; `$filter` is the WHERE clause.
macro_rules! open_leads {
    ($owner:literal, $filter:literal) => {
        concat!(
            "SELECT ", $owner, "l.id, l.kind, l.title, l.status, l.step, l.source, \
               co.name AS company, c.name AS contact_name, c.phone, \
               (SELECT e.address FROM contact_emails e WHERE e.contact_id = c.id \
                ORDER BY e.id LIMIT 1) AS contact_email, \
               na.kind AS action_kind, na.note AS action_note, na.due_at AS action_due, \
               t.kind AS activity_kind, t.subject AS activity_subject, \
               l.last_activity_at, l.created_at, l.filed_at, \
               (SELECT f.set_at FROM lead_flags f WHERE f.lead_id = l.id AND f.flag = 'replied') \
                 AS replied_at \
             FROM leads l \
             LEFT JOIN next_actions na ON na.lead_id = l.id AND na.done_at IS NULL \
             LEFT JOIN companies co ON co.id = l.company_id \
             LEFT JOIN lead_contacts lc ON lc.lead_id = l.id AND lc.position = 0 \
             LEFT JOIN contacts c ON c.id = lc.contact_id \
             LEFT JOIN timeline t ON t.id = (SELECT t2.id FROM timeline t2 WHERE t2.lead_id = l.id \
                                             ORDER BY t2.occurred_at DESC, t2.id DESC LIMIT 1) \
             WHERE ", $filter
        )
    };
}

/// One owner's open leads, in id order.
const OPEN_LEADS: &str = open_leads!(
    "",
    "l.owner = $1 AND l.status IN ('todo', 'standby') ORDER BY l.id"
);

/// Every owned open lead within a [`Reach`] ($1 due before, $2 created
/// after, $3 last active before; the same test as `Reach::covers`), with
/// its owner, in one pass. The next action is joined first, so that the
/// leads out of reach are dropped before the other joins and subqueries.
/// No ORDER BY: each owner's rows are sorted afterwards.
const OPEN_LEADS_WITHIN: &str = open_leads!(
    "l.owner, ",
    "l.owner IS NOT NULL AND l.status IN ('todo', 'standby') \
     AND (na.due_at < $1 \
          OR (na.due_at IS NULL AND l.kind = 'lead' AND l.status = 'todo') \
          OR (l.kind = 'lead' AND (l.created_at > $2 OR l.filed_at > $2)) \
          OR (l.kind = 'lead' AND l.status = 'todo' AND l.last_activity_at < $3) \
          OR (l.kind = 'prospect' AND EXISTS (SELECT 1 FROM lead_flags rf \
                                              WHERE rf.lead_id = l.id AND rf.flag = 'replied')))"
);

/// Quarantine entries still held, with the user they name.
macro_rules! held {
    () => {
        "SELECT id, user_email, from_address, subject, reason, detail, received_at \
         FROM quarantine WHERE status = 'held'"
    };
}

impl Store {
    /// The open leads and prospects `owner` owns, for the digest.
    pub async fn digest_leads(&self, owner: &str) -> Result<Vec<DigestLead>, StoreError> {
        let rows = db::query(OPEN_LEADS)
            .bind(owner)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(digest_lead).collect()
    }

    /// Every owner's open leads and prospects within `reach`, each owner's
    /// as [`Store::digest_leads`] gives them (less those out of reach), read
    /// in one pass over the leads: far cheaper than a query per owner when
    /// many digests are built at once.
    pub async fn digest_leads_within(
        &self,
        reach: &Reach,
    ) -> Result<HashMap<String, Vec<DigestLead>>, StoreError> {
        let mut by_owner: HashMap<String, Vec<DigestLead>> = HashMap::new();
        let mut rows = db::query(OPEN_LEADS_WITHIN)
            .bind(stamp(reach.due_before))
            .bind(stamp(reach.created_after))
            .bind(reach.quiet_before.map(stamp))
            .fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            let owner: String = row.try_get("owner")?;
            by_owner.entry(owner).or_default().push(digest_lead(&row)?);
        }
        for leads in by_owner.values_mut() {
            leads.sort_unstable_by_key(|lead| lead.id);
        }
        Ok(by_owner)
    }

    /// Quarantine entries still held that name `user`.
    pub async fn digest_quarantine(
        &self,
        user: &str,
    ) -> Result<Vec<DigestQuarantined>, StoreError> {
        let rows = db::query(concat!(held!(), " AND user_email = $1 ORDER BY id"))
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(digest_quarantined).collect()
    }

    /// Every user's held quarantine entries, each user's in id order (as
    /// [`Store::digest_quarantine`] gives them), in one query.
    pub async fn digest_quarantine_by_user(
        &self,
    ) -> Result<HashMap<String, Vec<DigestQuarantined>>, StoreError> {
        let rows = db::query(concat!(held!(), " AND user_email IS NOT NULL ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        let mut by_user: HashMap<String, Vec<DigestQuarantined>> = HashMap::new();
        for row in &rows {
            let user: String = row.try_get("user_email")?;
            by_user
                .entry(user)
                .or_default()
                .push(digest_quarantined(row)?);
        }
        Ok(by_user)
    }
}

fn digest_quarantined(row: &Row) -> Result<DigestQuarantined, StoreError> {
    Ok(DigestQuarantined {
        id: row.try_get("id")?,
        from: row.try_get("from_address")?,
        subject: row.try_get("subject")?,
        reason: parse_text(row, "reason", QuarantineReason::parse)?,
        detail: row.try_get("detail")?,
        at: parse_stamp(&row.try_get::<String, _>("received_at")?)?,
    })
}

fn digest_lead(row: &Row) -> Result<DigestLead, StoreError> {
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
        filed_at: row
            .try_get::<Option<String>, _>("filed_at")?
            .as_deref()
            .map(parse_stamp)
            .transpose()?,
        replied_at: replied_at.as_deref().map(parse_stamp).transpose()?,
    })
}

/// A stored vocabulary word read back into its type.
fn parse_text<T>(
    row: &Row,
    column: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or(StoreError::Corrupt {
        what: column,
        value: text,
    })
}
