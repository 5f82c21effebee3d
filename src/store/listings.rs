//! Read side: leads, timelines and contacts as the §6b views.

use super::leads::{parse_kind, parse_status};
use super::stamp::parse_stamp;
use super::views::{
    AmountView, CompanyView, ContactView, LeadContactView, LeadFilter, LeadView, NextActionView,
    TimelineView,
};
use super::{Conn, Store, StoreError};
use crate::domain::TimelineKind;
use crate::store::db;

/// The lead columns the views need, as a literal for `concat!`.
macro_rules! select_leads {
    () => {
        "SELECT id, kind, title, status, step, source, owner, company_id, amount_value, \
         amount_currency, created_at, last_activity_at, standby_until FROM leads "
    };
}

/// A lead row.
#[derive(sqlx::FromRow)]
struct LeadRow {
    id: i64,
    kind: String,
    title: String,
    status: String,
    step: Option<String>,
    source: String,
    owner: Option<String>,
    company_id: Option<i64>,
    amount_value: Option<f64>,
    amount_currency: Option<String>,
    created_at: String,
    last_activity_at: String,
    standby_until: Option<String>,
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

/// A contact of a lead.
#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    name: Option<String>,
    phone: Option<String>,
    title: Option<String>,
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
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(lead_view(&mut conn, row).await?);
        }
        Ok(views)
    }

    /// One lead or prospect, or `None` when no lead has this id.
    pub async fn lead(&self, lead_id: i64) -> Result<Option<LeadView>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<LeadRow> = db::query_as(concat!(select_leads!(), "WHERE id = $1"))
            .bind(lead_id)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => Ok(Some(lead_view(&mut conn, row).await?)),
            None => Ok(None),
        }
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

async fn lead_view(conn: &mut Conn, row: LeadRow) -> Result<LeadView, StoreError> {
    let amount = match (row.amount_value, row.amount_currency) {
        (Some(value), Some(currency)) => Some(AmountView { value, currency }),
        _ => None,
    };
    Ok(LeadView {
        id: row.id,
        kind: parse_kind(&row.kind)?,
        title: row.title,
        status: parse_status(&row.status)?,
        step: row.step,
        standby_until: row.standby_until.as_deref().map(parse_stamp).transpose()?,
        source: row.source,
        owner: row.owner,
        company: company(conn, row.company_id).await?,
        contacts: lead_contacts(conn, row.id).await?,
        next_action: next_action(conn, row.id).await?,
        tags: texts(
            conn,
            "SELECT tag FROM lead_tags WHERE lead_id = $1 ORDER BY tag",
            row.id,
        )
        .await?,
        flags: texts(
            conn,
            "SELECT flag FROM lead_flags WHERE lead_id = $1 ORDER BY flag",
            row.id,
        )
        .await?,
        amount,
        created_at: parse_stamp(&row.created_at)?,
        last_activity_at: parse_stamp(&row.last_activity_at)?,
    })
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

async fn lead_contacts(conn: &mut Conn, lead_id: i64) -> Result<Vec<LeadContactView>, StoreError> {
    let rows: Vec<PersonRow> = db::query_as(
        "SELECT c.id, c.name, c.phone, c.title FROM lead_contacts lc \
         JOIN contacts c ON c.id = lc.contact_id WHERE lc.lead_id = $1 ORDER BY lc.position, c.id",
    )
    .bind(lead_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(LeadContactView {
            emails: emails(conn, row.id).await?,
            name: row.name,
            phone: row.phone,
            title: row.title,
        });
    }
    Ok(views)
}

async fn next_action(conn: &mut Conn, lead_id: i64) -> Result<Option<NextActionView>, StoreError> {
    let row: Option<(String, String, String)> = db::query_as(
        "SELECT due_at, kind, note FROM next_actions WHERE lead_id = $1 AND done_at IS NULL",
    )
    .bind(lead_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((due_at, kind, note)) = row else {
        return Ok(None);
    };
    let due_at = parse_stamp(&due_at)?;
    Ok(Some(NextActionView { due_at, kind, note }))
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
