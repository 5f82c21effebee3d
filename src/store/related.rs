//! Lead rows into [`LeadView`]s: the rows hanging off a set of leads
//! (companies, contacts and their addresses, open next actions, tags,
//! flags) read with one query per table for the whole set, not one per
//! lead, so a page of 50 leads costs seven statements instead of 350.

use super::leads::{parse_kind, parse_status};
use super::stamp::parse_stamp;
use super::views::{AmountView, CompanyView, LeadContactView, LeadView, NextActionView};
use super::{Conn, StoreError};
use crate::store::db;
use std::collections::HashMap;

/// The lead columns the views need (the table as `l`), as a literal.
macro_rules! lead_columns {
    () => {
        "l.id, l.kind, l.title, l.status, l.step, l.source, l.owner, l.company_id, \
         l.amount_value, l.amount_currency, l.created_at, l.last_activity_at, l.standby_until"
    };
}
pub(super) use lead_columns;

/// A lead row ([`lead_columns`]).
#[derive(sqlx::FromRow)]
pub(super) struct LeadRow {
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

/// A contact of one of the leads, in its lead's order.
#[derive(sqlx::FromRow)]
struct PersonRow {
    lead_id: i64,
    id: i64,
    name: Option<String>,
    phone: Option<String>,
    title: Option<String>,
}

/// ` IN ` the ids of `$1`, a JSON array, as a literal.
macro_rules! in_ids {
    () => {
        " IN (SELECT CAST(value AS BIGINT) FROM json_each($1))"
    };
}

/// The views of `rows`, in their order.
pub(super) async fn lead_views(
    conn: &mut Conn,
    rows: Vec<LeadRow>,
) -> Result<Vec<LeadView>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = json_list(rows.iter().map(|r| r.id));
    let companies = json_list(rows.iter().filter_map(|r| r.company_id));
    let mut related = Related {
        companies: companies_of(conn, &companies).await?,
        contacts: contacts_of(conn, &ids).await?,
        next_actions: next_actions_of(conn, &ids).await?,
        tags: pairs(
            conn,
            concat!(
                "SELECT lead_id, tag FROM lead_tags WHERE lead_id",
                in_ids!(),
                " ORDER BY tag"
            ),
            &ids,
        )
        .await?,
        flags: pairs(
            conn,
            concat!(
                "SELECT lead_id, flag FROM lead_flags WHERE lead_id",
                in_ids!(),
                " ORDER BY flag"
            ),
            &ids,
        )
        .await?,
    };
    rows.into_iter().map(|row| related.view(row)).collect()
}

/// What hangs off the leads, by lead id (companies by their id).
struct Related {
    companies: HashMap<i64, CompanyView>,
    contacts: HashMap<i64, Vec<LeadContactView>>,
    next_actions: HashMap<i64, NextActionView>,
    tags: HashMap<i64, Vec<String>>,
    flags: HashMap<i64, Vec<String>>,
}

impl Related {
    /// `row`'s view, taking its related rows.
    fn view(&mut self, row: LeadRow) -> Result<LeadView, StoreError> {
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
            company: row.company_id.and_then(|c| self.companies.get(&c).cloned()),
            contacts: self.contacts.remove(&row.id).unwrap_or_default(),
            next_action: self.next_actions.remove(&row.id),
            tags: self.tags.remove(&row.id).unwrap_or_default(),
            flags: self.flags.remove(&row.id).unwrap_or_default(),
            amount,
            created_at: parse_stamp(&row.created_at)?,
            last_activity_at: parse_stamp(&row.last_activity_at)?,
        })
    }
}

/// A JSON array of ids, for [`in_ids`].
fn json_list(ids: impl Iterator<Item = i64>) -> String {
    serde_json::Value::from(ids.collect::<Vec<i64>>()).to_string()
}

async fn companies_of(conn: &mut Conn, ids: &str) -> Result<HashMap<i64, CompanyView>, StoreError> {
    let sql = concat!("SELECT id, name, domain FROM companies WHERE id", in_ids!());
    let rows: Vec<(i64, String, Option<String>)> =
        db::query_as(sql).bind(ids).fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, domain)| (id, CompanyView { name, domain }))
        .collect())
}

/// Each lead's contacts, primary first, with their addresses.
async fn contacts_of(
    conn: &mut Conn,
    ids: &str,
) -> Result<HashMap<i64, Vec<LeadContactView>>, StoreError> {
    let people: Vec<PersonRow> = db::query_as(concat!(
        "SELECT lc.lead_id, c.id, c.name, c.phone, c.title FROM lead_contacts lc \
         JOIN contacts c ON c.id = lc.contact_id WHERE lc.lead_id",
        in_ids!(),
        " ORDER BY lc.lead_id, lc.position, c.id"
    ))
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    let contact_ids = json_list(people.iter().map(|p| p.id));
    let sql = concat!(
        "SELECT contact_id, address FROM contact_emails WHERE contact_id",
        in_ids!(),
        " ORDER BY id"
    );
    let emails = pairs(conn, sql, &contact_ids).await?;
    let mut contacts: HashMap<i64, Vec<LeadContactView>> = HashMap::new();
    for person in people {
        // A contact may be on several of the leads: each gets the addresses.
        let addresses = emails.get(&person.id).cloned();
        contacts
            .entry(person.lead_id)
            .or_default()
            .push(LeadContactView {
                emails: addresses.unwrap_or_default(),
                name: person.name,
                phone: person.phone,
                title: person.title,
            });
    }
    Ok(contacts)
}

async fn next_actions_of(
    conn: &mut Conn,
    ids: &str,
) -> Result<HashMap<i64, NextActionView>, StoreError> {
    let rows: Vec<(i64, String, String, String)> = db::query_as(concat!(
        "SELECT lead_id, due_at, kind, note FROM next_actions \
         WHERE done_at IS NULL AND lead_id",
        in_ids!()
    ))
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut actions = HashMap::with_capacity(rows.len());
    for (lead_id, due_at, kind, note) in rows {
        let due_at = parse_stamp(&due_at)?;
        actions.insert(lead_id, NextActionView { due_at, kind, note });
    }
    Ok(actions)
}

/// The `(key, text)` rows of `sql` (`$1`: `ids`), grouped by key in
/// their order.
async fn pairs(
    conn: &mut Conn,
    sql: &'static str,
    ids: &str,
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    let rows: Vec<(i64, String)> = db::query_as(sql).bind(ids).fetch_all(&mut *conn).await?;
    let mut grouped: HashMap<i64, Vec<String>> = HashMap::new();
    for (key, text) in rows {
        grouped.entry(key).or_default().push(text);
    }
    Ok(grouped)
}
