//! Read side: leads, timelines and contacts as the §6b views.

use super::related::{lead_columns, lead_views, LeadRow};
use super::stamp::parse_stamp;
use super::views::{CompanyView, ContactView, LeadFilter, LeadView, TimelineView};
use super::{Conn, Store, StoreError};
use crate::domain::TimelineKind;
use crate::store::db;

/// The lead columns the views need, as a literal for `concat!`.
macro_rules! select_leads {
    () => {
        concat!("SELECT ", lead_columns!(), " FROM leads l ")
    };
}

/// A contact row.
#[derive(sqlx::FromRow)]
struct ContactRow {
    id: i64,
    name: Option<String>,
    phone: Option<String>,
    title: Option<String>,
    company_id: Option<i64>,
    bounced: bool,
}

/// A timeline row.
#[derive(sqlx::FromRow)]
struct EntryRow {
    kind: String,
    occurred_at: String,
    actor: Option<String>,
    subject: String,
    body: String,
    message_key: Option<String>,
}

impl Store {
    /// Leads and prospects matching `filter`, by id.
    pub async fn list_leads(&self, filter: &LeadFilter) -> Result<Vec<LeadView>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<LeadRow> = db::query_as(concat!(
            select_leads!(),
            "WHERE ($1 IS NULL OR kind = $1) AND ($2 IS NULL OR status = $2) ",
            "AND ($3 IS NULL OR owner = $3) AND (NOT $4 OR status IN ('todo', 'standby')) ",
            "ORDER BY id"
        ))
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(filter.status.map(|s| s.as_str()))
        .bind(filter.owner.as_deref().map(|o| o.trim().to_lowercase()))
        .bind(filter.open_only)
        .fetch_all(&mut *conn)
        .await?;
        lead_views(&mut conn, rows).await
    }

    /// One lead or prospect, or `None` when no lead has this id.
    pub async fn lead(&self, lead_id: i64) -> Result<Option<LeadView>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<LeadRow> = db::query_as(concat!(select_leads!(), "WHERE id = $1"))
            .bind(lead_id)
            .fetch_optional(&mut *conn)
            .await?;
        let views = lead_views(&mut conn, row.into_iter().collect()).await?;
        Ok(views.into_iter().next())
    }

    /// A lead's timeline, oldest first (by time, then by insertion); a
    /// message's attachments are shown on its first entry.
    pub async fn timeline(&self, lead_id: i64) -> Result<Vec<TimelineView>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<EntryRow> = db::query_as(
            "SELECT kind, occurred_at, actor, subject, body, message_key FROM timeline \
             WHERE lead_id = $1 ORDER BY occurred_at, id",
        )
        .bind(lead_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut seen = std::collections::HashSet::new();
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let mut view = entry_view(row)?;
            if let Some(key) = view.message_id.clone().filter(|k| seen.insert(k.clone())) {
                view.attachments = super::attachments::of_message(&mut conn, &key).await?;
            }
            views.push(view);
        }
        Ok(views)
    }

    /// Every contact, by id.
    pub async fn list_contacts(&self) -> Result<Vec<ContactView>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<ContactRow> = db::query_as(
            "SELECT c.id, c.name, c.phone, c.title, c.company_id, \
               EXISTS (SELECT 1 FROM contact_emails e \
                       WHERE e.contact_id = c.id AND e.bounced) AS bounced \
             FROM contacts c ORDER BY c.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(ContactView {
                id: row.id,
                emails: emails(&mut conn, row.id).await?,
                company: company(&mut conn, row.company_id).await?,
                name: row.name,
                phone: row.phone,
                title: row.title,
                bounced: row.bounced,
            });
        }
        Ok(views)
    }
}

async fn company(conn: &mut Conn, id: Option<i64>) -> Result<Option<CompanyView>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    let row: Option<(String, Option<String>)> =
        db::query_as("SELECT name, domain FROM companies WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(name, domain)| CompanyView { name, domain }))
}

async fn emails(conn: &mut Conn, contact_id: i64) -> Result<Vec<String>, StoreError> {
    let sql = "SELECT address FROM contact_emails WHERE contact_id = $1 ORDER BY id";
    texts(conn, sql, contact_id).await
}

/// A one-column text list keyed by an id.
async fn texts(conn: &mut Conn, sql: &'static str, id: i64) -> Result<Vec<String>, StoreError> {
    let list = db::query_scalar(sql).bind(id).fetch_all(&mut *conn).await?;
    Ok(list)
}

fn entry_view(row: EntryRow) -> Result<TimelineView, StoreError> {
    let kind = TimelineKind::parse(&row.kind).ok_or_else(|| StoreError::Corrupt {
        what: "timeline kind",
        value: row.kind.clone(),
    })?;
    Ok(TimelineView {
        kind,
        occurred_at: parse_stamp(&row.occurred_at)?,
        actor: row.actor,
        subject: row.subject,
        body: row.body,
        message_id: row.message_key,
        attachments: Vec::new(),
    })
}
