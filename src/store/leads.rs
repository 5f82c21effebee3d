//! Lead rows and what hangs off them: contacts, timeline, flags, next actions.

use super::deferred::Kinds;
use super::new_rows::{self, NewLead as HeldLead, Table};
use super::stamp::stamp;
use super::{Conn, StoreError};
use crate::domain::{LeadKind, LeadStatus, TimelineKind};
use crate::ingest::plan::{NewLead, NextActionDraft, TimelineDraft};
use crate::store::db::{self, Backend};
use chrono::{DateTime, Utc};

/// The flag a prospect gets when they reply ("replied — qualify?").
pub(super) const REPLIED: &str = "replied";

/// What the lead operations check before changing a lead.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LeadState {
    /// Prospect or lead.
    pub kind: LeadKind,
    /// Its status.
    pub status: LeadStatus,
    /// Its pipeline step, if set.
    pub step: Option<String>,
}

/// The INSERTs of a new lead and its first next action (SQLite: the action
/// takes the lead's id from `last_insert_rowid()`).
macro_rules! insert_lead_and_action {
    () => {
        "INSERT INTO leads (kind, title, status, step, source, owner, company_id, \
           created_at, last_activity_at, updated_at, filed_at, next_due_at) \
         VALUES ($1, $2, 'todo', NULL, $3, $4, $5, $6, $12, $7, $7, $10); \
         INSERT INTO next_actions (lead_id, kind, note, due_at, created_at) \
         VALUES (last_insert_rowid(), $8, $9, $10, $6)"
    };
}

/// SQLite: the first timeline entry, on the lead of the row inserted just
/// before it (a next action).
macro_rules! insert_first_entry {
    () => {
        "; INSERT INTO timeline (lead_id, kind, occurred_at, actor, subject, body, \
           message_key, created_at) \
         SELECT lead_id, $13, $14, $15, $16, $17, $18, $7 FROM next_actions \
         WHERE id = last_insert_rowid()"
    };
}

/// SQLite: the primary contact, on the lead of the row inserted just
/// before it (a next action or a timeline entry, named by `$table`).
macro_rules! insert_primary_contact {
    ($table:literal) => {
        concat!(
            "; INSERT INTO lead_contacts (lead_id, contact_id, position) \
             SELECT lead_id, $11, 0 FROM ",
            $table,
            " WHERE id = last_insert_rowid() RETURNING lead_id"
        )
    };
}

/// A message's entry written with the lead it creates (see [`create`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct FirstEntry<'a> {
    /// The entry.
    pub entry: &'a TimelineDraft,
    /// The message it comes from.
    pub message_key: &'a str,
}

/// Creates a lead (status `todo`, no step: the rep sets the first step) with
/// its first next action and, when given, its primary contact and the
/// message's first timeline entry; `created_at` and last activity are the
/// message's time (or the entry's, when later and it counts as activity).
/// One round trip (SQLite: two to four statements in one query string).
pub(super) async fn create(
    conn: &mut Conn,
    new: &NewLead,
    company: Option<i64>,
    primary: Option<i64>,
    first: Option<FirstEntry<'_>>,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    const CREATE: &str = concat!(insert_lead_and_action!(), " RETURNING lead_id");
    const CREATE_WITH_CONTACT: &str = concat!(
        insert_lead_and_action!(),
        insert_primary_contact!("next_actions")
    );
    const CREATE_WITH_ENTRY: &str = concat!(
        insert_lead_and_action!(),
        insert_first_entry!(),
        " RETURNING lead_id"
    );
    const CREATE_WITH_ENTRY_AND_CONTACT: &str = concat!(
        insert_lead_and_action!(),
        insert_first_entry!(),
        insert_primary_contact!("timeline")
    );
    // PostgreSQL: one statement of data-modifying CTEs.
    const CREATE_POSTGRES: &str = "WITH lead AS ( \
           INSERT INTO leads (kind, title, status, step, source, owner, company_id, \
             created_at, last_activity_at, updated_at, filed_at, next_due_at) \
           VALUES ($1, $2, 'todo', NULL, $3, $4, $5, $6, $12, $7, $7, $10) RETURNING id), \
         action AS ( \
           INSERT INTO next_actions (lead_id, kind, note, due_at, created_at) \
           SELECT id, $8, $9, $10, $6 FROM lead), \
         contact AS ( \
           INSERT INTO lead_contacts (lead_id, contact_id, position) \
           SELECT id, $11, 0 FROM lead WHERE $11 IS NOT NULL), \
         entry AS ( \
           INSERT INTO timeline (lead_id, kind, occurred_at, actor, subject, body, \
             message_key, created_at) \
           SELECT id, $13, $14, $15, $16, $17, $18, $7 FROM lead WHERE $13 IS NOT NULL) \
         SELECT id FROM lead";
    if holds_new_rows(conn).await? {
        return hold_new(conn, new, company, primary, first, at).await;
    }
    let action = &new.first_action;
    // Rows held back: the first entry too, after those held before it.
    let held_first = first.filter(|_| conn.deferred().is_some());
    let first = first.filter(|_| held_first.is_none());
    let sql = match (conn.backend(), primary, first) {
        (Backend::Postgres, _, _) => CREATE_POSTGRES,
        (Backend::Sqlite, Some(_), Some(_)) => CREATE_WITH_ENTRY_AND_CONTACT,
        (Backend::Sqlite, Some(_), None) => CREATE_WITH_CONTACT,
        (Backend::Sqlite, None, Some(_)) => CREATE_WITH_ENTRY,
        (Backend::Sqlite, None, None) => CREATE,
    };
    let entry = first.or(held_first).map(|first| first.entry);
    let last_activity = first_activity(at, entry);
    let written = first.map(|first| first.entry);
    let filed_at = stamp(crate::clock::now());
    let id: i64 = db::query_scalar(sql)
        // It reads no held row, and its own rows are on a new lead: no
        // link or activity held is on it, and its entry is held (below).
        .handles_deferred(Kinds::ALL)
        .bind(new.kind.as_str())
        .bind(&new.title)
        .bind(new.source.to_text())
        .bind(new.owner.as_ref().map(|o| o.as_str()))
        .bind(company)
        .bind(stamp(at))
        .bind(filed_at.as_str())
        .bind(&action.kind)
        .bind(&action.note)
        .bind(stamp(action.due_at))
        .bind(primary)
        .bind(stamp(last_activity))
        .bind(written.map(|e| e.kind.as_str()))
        .bind(written.map(|e| stamp(e.occurred_at)))
        .bind(written.and_then(|e| e.actor.as_deref()))
        .bind(written.map(|e| e.subject.as_str()))
        .bind(written.map(|e| e.body.as_str()))
        .bind(first.map(|f| f.message_key))
        .fetch_one(&mut *conn)
        .await?;
    if let (Some(first), Some(deferred)) = (held_first, conn.deferred()) {
        // The lead's activity already counts the entry.
        deferred.add_entry(id, first.entry, Some(first.message_key), false, filed_at);
    }
    Ok(id)
}

/// [`create`] in a transaction holding new rows back
/// ([`super::new_rows`]): the lead and its action are held with the next
/// lead id, its primary contact's link and its first entry with the
/// links and entries held.
async fn hold_new(
    conn: &mut Conn,
    new: &NewLead,
    company: Option<i64>,
    primary: Option<i64>,
    first: Option<FirstEntry<'_>>,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id = new_rows::next_id(conn, Table::Leads).await?;
    let last_activity = first_activity(at, first.map(|f| f.entry));
    let filed_at = stamp(crate::clock::now());
    let action = &new.first_action;
    let lead = HeldLead {
        id,
        kind: new.kind.as_str(),
        title: new.title.clone(),
        source: new.source.to_text(),
        owner: new.owner.as_ref().map(|o| o.as_str().to_string()),
        company_id: company,
        created_at: stamp(at),
        last_activity_at: stamp(last_activity),
        filed_at: filed_at.clone(),
        next_due_at: stamp(action.due_at),
        action_kind: action.kind.clone(),
        action_note: action.note.clone(),
    };
    let Some(held) = conn.deferred() else {
        return Err(sqlx::Error::RowNotFound.into());
    };
    held.new_rows().hold_lead(lead);
    if let Some(primary) = primary {
        held.link(id, &[primary]);
    }
    if let Some(first) = first {
        // The lead's activity already counts the entry.
        held.add_entry(id, first.entry, Some(first.message_key), false, filed_at);
    }
    Ok(id)
}

/// True when this transaction holds new contacts and leads back: on
/// PostgreSQL, when no webhook has a cursor (a held lead's
/// `lead.created` event would be written after later changes' events).
pub(super) async fn holds_new_rows(conn: &mut Conn) -> Result<bool, StoreError> {
    if conn.backend() != Backend::Postgres {
        return Ok(false);
    }
    holds_flags(conn).await
}

/// Reads a lead's kind, status and step; a missing lead is an error naming it.
pub(super) async fn state(conn: &mut Conn, lead_id: i64) -> Result<LeadState, StoreError> {
    let row: Option<(String, String, Option<String>)> =
        db::query_as("SELECT kind, status, step FROM leads WHERE id = $1")
            .bind(lead_id)
            .fetch_optional(&mut *conn)
            .await?;
    let (kind, status, step) = row.ok_or(StoreError::LeadNotFound { lead_id })?;
    Ok(LeadState {
        kind: parse_kind(&kind)?,
        status: parse_status(&status)?,
        step,
    })
}

/// Links contacts to a lead after those it has (the first link is primary).
pub(super) async fn link_contacts(
    conn: &mut Conn,
    lead_id: i64,
    contacts: &[i64],
) -> Result<(), StoreError> {
    if let Some(deferred) = conn.deferred() {
        deferred.link(lead_id, contacts);
        return Ok(());
    }
    for contact in contacts {
        db::query(
            "INSERT INTO lead_contacts (lead_id, contact_id, position) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(position) + 1, 0) FROM lead_contacts \
                              WHERE lead_id = $1)) \
             ON CONFLICT (lead_id, contact_id) DO NOTHING",
        )
        .bind(lead_id)
        .bind(contact)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Sets the lead's company when it has none yet.
pub(super) async fn fill_company(
    conn: &mut Conn,
    lead_id: i64,
    company: Option<i64>,
) -> Result<(), StoreError> {
    let held = conn
        .deferred()
        .map(|held| held.new_rows().lead_mut(lead_id));
    let handled = match held {
        Some(Some(lead)) => {
            lead.company_id = lead.company_id.or(company);
            return Ok(());
        }
        // Not a held lead: the held ones change nothing here.
        Some(None) => Kinds::LEADS,
        None => Kinds::NONE,
    };
    db::query("UPDATE leads SET company_id = COALESCE(company_id, $2) WHERE id = $1")
        .handles_deferred(handled)
        .bind(lead_id)
        .bind(company)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes a timeline entry. Every kind but bounces, auto-replies and
/// imports counts as activity: the lead's `last_activity_at` moves forward
/// (never back), in the same round trip (SQLite: two statements in one
/// query string; PostgreSQL: a CTE).
pub(super) async fn add_entry(
    conn: &mut Conn,
    lead_id: i64,
    entry: &TimelineDraft,
    message_key: Option<&str>,
) -> Result<(), StoreError> {
    macro_rules! insert_entry {
        () => {
            "INSERT INTO timeline (lead_id, kind, occurred_at, actor, subject, body, \
               message_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        };
    }
    const INSERT: &str = insert_entry!();
    const INSERT_AND_TOUCH: &str = concat!(
        insert_entry!(),
        "; UPDATE leads SET last_activity_at = \
           CASE WHEN last_activity_at < $3 THEN $3 ELSE last_activity_at END WHERE id = $1"
    );
    // PostgreSQL: the UPDATE is a data-modifying CTE of the INSERT.
    const INSERT_AND_TOUCH_POSTGRES: &str = concat!(
        "WITH touched AS (UPDATE leads SET last_activity_at = \
           CASE WHEN last_activity_at < $3 THEN $3 ELSE last_activity_at END WHERE id = $1) ",
        insert_entry!()
    );
    let created_at = stamp(crate::clock::now());
    if let Some(deferred) = conn.deferred() {
        let touch = counts_as_activity(entry.kind);
        deferred.add_entry(lead_id, entry, message_key, touch, created_at);
        return Ok(());
    }
    let sql = match (counts_as_activity(entry.kind), conn.backend()) {
        (false, _) => INSERT,
        (true, Backend::Sqlite) => INSERT_AND_TOUCH,
        (true, Backend::Postgres) => INSERT_AND_TOUCH_POSTGRES,
    };
    db::query(sql)
        .bind(lead_id)
        .bind(entry.kind.as_str())
        .bind(stamp(entry.occurred_at))
        .bind(entry.actor.as_deref())
        .bind(&entry.subject)
        .bind(&entry.body)
        .bind(message_key)
        .bind(created_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A new lead's latest activity: the message's time, or its first entry's
/// when later and it counts as activity.
fn first_activity(at: DateTime<Utc>, entry: Option<&TimelineDraft>) -> DateTime<Utc> {
    match entry.filter(|e| counts_as_activity(e.kind)) {
        Some(entry) => at.max(entry.occurred_at),
        None => at,
    }
}

/// Every kind of entry but bounces, auto-replies and imports moves the
/// lead's last activity.
fn counts_as_activity(kind: TimelineKind) -> bool {
    !matches!(
        kind,
        TimelineKind::Bounce | TimelineKind::AutoReply | TimelineKind::Imported
    )
}

/// Sets a flag (idempotent) on the lead when it is a prospect (held back
/// when the transaction holds rows back and no webhook has a cursor).
pub(super) async fn flag_prospect(
    conn: &mut Conn,
    lead_id: i64,
    flag: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if holds_flags(conn).await? {
        if let Some(held) = conn.deferred() {
            held.flag(lead_id, flag, stamp(at));
            return Ok(());
        }
    }
    db::query(
        "INSERT INTO lead_flags (lead_id, flag, set_at) \
         SELECT id, $2, $3 FROM leads WHERE id = $1 AND kind = $4 \
         ON CONFLICT (lead_id, flag) DO NOTHING",
    )
    .bind(lead_id)
    .bind(flag)
    .bind(stamp(at))
    .bind(LeadKind::Prospect.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// True when the transaction holds rows back and no webhook has a cursor
/// (read once per transaction): a flag written later than set would put
/// its event after others.
async fn holds_flags(conn: &mut Conn) -> Result<bool, StoreError> {
    let Some(known) = conn.deferred().map(|held| held.webhooks()) else {
        return Ok(false);
    };
    let webhooks = match known {
        Some(webhooks) => webhooks,
        None => {
            let webhooks: bool = db::query_scalar("SELECT EXISTS (SELECT 1 FROM webhook_cursors)")
                .fetch_one(&mut *conn)
                .await?;
            if let Some(held) = conn.deferred() {
                held.set_webhooks(webhooks);
            }
            webhooks
        }
    };
    Ok(!webhooks)
}

/// Closes the open next action (as `replaced`) and opens `draft` instead;
/// the lead's `next_due_at` becomes the draft's due time in the same round
/// trip as the INSERT.
pub(super) async fn replace_next_action(
    conn: &mut Conn,
    lead_id: i64,
    draft: &NextActionDraft,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    macro_rules! insert_action {
        () => {
            "INSERT INTO next_actions (lead_id, kind, note, due_at, created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        };
    }
    macro_rules! set_due {
        () => {
            "UPDATE leads SET next_due_at = $4 WHERE id = $1"
        };
    }
    const SQLITE: &str = concat!(insert_action!(), "; ", set_due!());
    const POSTGRES: &str = concat!("WITH due AS (", set_due!(), ") ", insert_action!());
    close_next_action(conn, lead_id, "replaced", at).await?;
    let sql = match conn.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    db::query(sql)
        .bind(lead_id)
        .bind(&draft.kind)
        .bind(&draft.note)
        .bind(stamp(draft.due_at))
        .bind(stamp(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The open next action's kind and note, if the lead has one.
pub(super) async fn open_next_action(
    conn: &mut Conn,
    lead_id: i64,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(
        db::query_as("SELECT kind, note FROM next_actions WHERE lead_id = $1 AND done_at IS NULL")
            .bind(lead_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Closes the open next action as `done`, `replaced` or `dropped` and
/// clears the lead's `next_due_at`; returns the action's kind and note, or
/// `None` when there was none.
pub(super) async fn close_next_action(
    conn: &mut Conn,
    lead_id: i64,
    closed_as: &str,
    at: DateTime<Utc>,
) -> Result<Option<(String, String)>, StoreError> {
    macro_rules! close_action {
        () => {
            "UPDATE next_actions SET done_at = $3, closed_as = $2 \
             WHERE lead_id = $1 AND done_at IS NULL RETURNING kind, note"
        };
    }
    // The lead's `next_due_at` is cleared first: on SQLite the statement
    // whose row is fetched must come last, or the ones after it may not run.
    const SQLITE: &str = concat!(
        "UPDATE leads SET next_due_at = NULL WHERE id = $1; ",
        close_action!()
    );
    const POSTGRES: &str = concat!(
        "WITH cleared AS (UPDATE leads SET next_due_at = NULL WHERE id = $1) ",
        close_action!()
    );
    let sql = match conn.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let closed = db::query_as(sql)
        .bind(lead_id)
        .bind(closed_as)
        .bind(stamp(at))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(closed)
}

/// Reads a stored lead kind.
pub(super) fn parse_kind(text: &str) -> Result<LeadKind, StoreError> {
    LeadKind::parse(text).ok_or_else(|| StoreError::Corrupt {
        what: "lead kind",
        value: text.to_string(),
    })
}

/// Reads a stored lead status.
pub(super) fn parse_status(text: &str) -> Result<LeadStatus, StoreError> {
    LeadStatus::parse(text).ok_or_else(|| StoreError::Corrupt {
        what: "lead status",
        value: text.to_string(),
    })
}
