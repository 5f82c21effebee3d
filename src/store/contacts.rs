//! Contacts, their addresses and companies: match by canonical address or
//! domain, create when unknown, fill empty fields only.

use super::stamp::stamp;
use super::{Conn, StoreError};
use crate::domain::EmailAddress;
use crate::ingest::plan::{BouncedAddress, CompanyDraft, ContactDraft};
use chrono::{DateTime, Utc};

/// Upserts every contact of a group, keeping their order (primary first).
pub(super) async fn upsert_all(
    conn: &mut Conn,
    drafts: &[ContactDraft],
    at: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let id = upsert(conn, draft, at).await?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The contact with this address, created when unknown; known fields are
/// never overwritten, empty ones are filled from the draft.
pub(super) async fn upsert(
    conn: &mut Conn,
    draft: &ContactDraft,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let company = match &draft.company {
        Some(company) => upsert_company(conn, company, at).await?,
        None => None,
    };
    let id = match find_by_address(conn, &draft.email).await? {
        Some(id) => id,
        None => insert_contact(conn, &draft.email, at).await?,
    };
    sqlx::query(
        "UPDATE contacts SET \
           name = CASE WHEN name IS NULL OR name = '' THEN $2 ELSE name END, \
           phone = CASE WHEN phone IS NULL OR phone = '' THEN $3 ELSE phone END, \
           title = CASE WHEN title IS NULL OR title = '' THEN $4 ELSE title END, \
           company_id = COALESCE(company_id, $5), updated_at = $6 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(non_empty(&draft.name))
    .bind(non_empty(&draft.phone))
    .bind(non_empty(&draft.title))
    .bind(company)
    .bind(stamp(at))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// The contact owning this address (compared canonically: case, `+tag`).
pub(super) async fn find_by_address(
    conn: &mut Conn,
    address: &EmailAddress,
) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar("SELECT contact_id FROM contact_emails WHERE canonical = $1")
        .bind(address.canonical())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id)
}

/// The company of a contact, when it has one with a domain.
pub(super) async fn company_with_domain(
    conn: &mut Conn,
    contact_id: i64,
) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar(
        "SELECT co.id FROM contacts c JOIN companies co ON co.id = c.company_id \
         WHERE c.id = $1 AND co.domain IS NOT NULL",
    )
    .bind(contact_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

/// The company of a contact, if any.
pub(super) async fn company_of(
    conn: &mut Conn,
    contact_id: i64,
) -> Result<Option<i64>, StoreError> {
    let id: Option<Option<i64>> =
        sqlx::query_scalar("SELECT company_id FROM contacts WHERE id = $1")
            .bind(contact_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(id.flatten())
}

/// Marks an address as bouncing; returns its contact, if the address is known.
pub(super) async fn mark_bounced(
    conn: &mut Conn,
    bounce: &BouncedAddress,
    at: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let contact = sqlx::query_scalar(
        "UPDATE contact_emails SET bounced = TRUE, bounce_hard = (bounce_hard OR $2), \
           bounce_detail = $3, bounced_at = $4 \
         WHERE canonical = $1 RETURNING contact_id",
    )
    .bind(bounce.address.canonical())
    .bind(bounce.hard)
    .bind(&bounce.detail)
    .bind(stamp(at))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(contact)
}

async fn insert_contact(
    conn: &mut Conn,
    email: &EmailAddress,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contacts (created_at, updated_at) VALUES ($1, $1) RETURNING id",
    )
    .bind(stamp(at))
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO contact_emails (contact_id, address, canonical, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(email.as_str())
    .bind(email.canonical())
    .bind(stamp(at))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A company by domain, else (no domain) by name; created when unknown.
async fn upsert_company(
    conn: &mut Conn,
    draft: &CompanyDraft,
    at: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let name = draft.name.trim();
    let domain = draft
        .domain
        .as_deref()
        .map(|d| d.trim().to_lowercase())
        .filter(|d| !d.is_empty());
    if name.is_empty() && domain.is_none() {
        return Ok(None);
    }
    let found = match &domain {
        Some(domain) => find_company_by_domain(conn, domain).await?,
        None => find_company_by_name(conn, name).await?,
    };
    if let Some(id) = found {
        return Ok(Some(id));
    }
    let name = if name.is_empty() {
        domain.as_deref().unwrap_or_default()
    } else {
        name
    };
    let id = sqlx::query_scalar(
        "INSERT INTO companies (name, name_key, domain, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(name)
    .bind(name_key(name))
    .bind(domain.as_deref())
    .bind(stamp(at))
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(id))
}

async fn find_company_by_domain(conn: &mut Conn, domain: &str) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar("SELECT id FROM companies WHERE domain = $1")
        .bind(domain)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id)
}

/// By name, case-insensitively; a company with a domain wins over one without.
async fn find_company_by_name(conn: &mut Conn, name: &str) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar(
        "SELECT id FROM companies WHERE name_key = $1 \
         ORDER BY CASE WHEN domain IS NULL THEN 1 ELSE 0 END, id LIMIT 1",
    )
    .bind(name_key(name))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

/// The key company names are matched by (Unicode-aware lower case).
fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
