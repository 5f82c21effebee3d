//! Match before creating (DESIGN §2.7): the open lead of a contact, then of
//! the company domain, else a new lead; never a second open lead for a contact.
//! Open means status `todo` or `standby` (`LeadStatus::is_open`), spelled out
//! in the SQL below.

use super::contacts::{self, ContactRef};
use super::deferred::Kinds;
use super::leads::{self, FirstEntry};
use super::{Conn, StoreError};
use crate::domain::{EmailAddress, MessageKey, TimelineKind};
use crate::ingest::plan::{ContactDraft, NewLead, TimelineDraft};
use crate::store::db;
use chrono::{DateTime, Utc};

/// A group of contacts resolved to a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Resolved {
    /// The lead the message goes on.
    pub lead_id: i64,
    /// True when the lead was created for this message.
    pub created: bool,
}

/// Upserts the contacts, then finds their open lead (linking any new contact
/// to it) or creates `new` with all of them, the first as primary, and
/// with the `first` entry when given (in the same round trip; for a found
/// lead the caller writes its entries).
pub(super) async fn resolve(
    conn: &mut Conn,
    drafts: &[ContactDraft],
    new: &NewLead,
    first: Option<FirstEntry<'_>>,
    at: DateTime<Utc>,
) -> Result<Resolved, StoreError> {
    let contacts = contacts::upsert_all(conn, drafts, at).await?;
    let company = contacts.first().and_then(|primary| primary.company);
    let ids: Vec<i64> = contacts.iter().map(|c| c.id).collect();
    match find_open(conn, &contacts).await? {
        Some((lead_id, linked)) => {
            leads::fill_company(conn, lead_id, company.map(|c| c.id)).await?;
            let unlinked: Vec<i64> = ids.into_iter().filter(|&id| Some(id) != linked).collect();
            leads::link_contacts(conn, lead_id, &unlinked).await?;
            Ok(Resolved {
                lead_id,
                created: false,
            })
        }
        None => {
            let company = company.map(|c| c.id);
            let lead_id =
                leads::create(conn, new, company, ids.first().copied(), first, at).await?;
            leads::link_contacts(conn, lead_id, ids.get(1..).unwrap_or_default()).await?;
            // A contact this message just created was on no earlier record.
            // The note follows the message's own entry.
            let known: Vec<i64> = contacts
                .iter()
                .filter(|c| !c.created)
                .map(|c| c.id)
                .collect();
            note_cancelled_before(conn, lead_id, &known, at).await?;
            Ok(Resolved {
                lead_id,
                created: true,
            })
        }
    }
}

/// When a contact of a new record was on a record that was cancelled
/// ("never contact again"), the new record says so on its timeline, so the
/// rep sees it before writing again.
async fn note_cancelled_before(
    conn: &mut Conn,
    lead_id: i64,
    contacts: &[i64],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut latest: Option<(i64, String, String, Option<String>)> = None;
    for &contact in contacts {
        // It reads this contact's links to other leads only (and no entry
        // or activity); held leads, new, are not cancelled.
        let handled = match conn.deferred() {
            Some(held) if !held.holds_links_of_except(contact, lead_id) => {
                Kinds::LINKS.and(Kinds::LEADS).and(Kinds::CONTACTS)
            }
            _ => Kinds::NONE,
        };
        let found: Option<(i64, String, String, Option<String>)> = db::query_as(
            "SELECT l.id, l.kind, l.updated_at, l.close_reason FROM leads l \
             JOIN lead_contacts lc ON lc.lead_id = l.id \
             WHERE lc.contact_id = $1 AND l.status = 'cancelled' AND l.id <> $2 \
             ORDER BY l.updated_at DESC LIMIT 1",
        )
        .handles_deferred(handled)
        .bind(contact)
        .bind(lead_id)
        .fetch_optional(&mut *conn)
        .await?;
        if found.as_ref().map(|f| &f.2) > latest.as_ref().map(|l| &l.2) {
            latest = found;
        }
    }
    let Some((earlier, kind, cancelled_at, reason)) = latest else {
        return Ok(());
    };
    let day = cancelled_at.get(..10).unwrap_or(&cancelled_at);
    let entry = TimelineDraft {
        kind: TimelineKind::Note,
        occurred_at: at,
        actor: Some("leadmail".into()),
        subject: format!("Earlier {kind} #{earlier} was cancelled on {day}"),
        body: reason.map_or_else(String::new, |why| format!("Reason given: {why}")),
    };
    leads::add_entry(conn, lead_id, &entry, None).await
}

/// The open lead of the first contact that has one (with that contact,
/// already linked to it), else of the first company (with a domain) that
/// has one. Contacts and companies this message just created have no
/// leads, so they are not asked about.
async fn find_open(
    conn: &mut Conn,
    contacts: &[ContactRef],
) -> Result<Option<(i64, Option<i64>)>, StoreError> {
    for contact in contacts.iter().filter(|c| !c.created) {
        if let Some(lead) = open_lead_of_contact(conn, contact.id).await? {
            return Ok(Some((lead, Some(contact.id))));
        }
    }
    for contact in contacts {
        let Some(company) = contact.company.filter(|c| c.has_domain && !c.created) else {
            continue;
        };
        if let Some(lead) = open_lead_of_company(conn, company.id).await? {
            return Ok(Some((lead, None)));
        }
    }
    Ok(None)
}

pub(super) async fn open_lead_of_contact(
    conn: &mut Conn,
    contact: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(leads_of_contact(conn, contact, true)
        .await?
        .into_iter()
        .next())
}

/// The leads of a contact, most recently active first; open ones only, or
/// all of them. (Two texts, not one with a flag parameter: a plan made
/// for "open only or not" cannot use the status in its index choice.)
/// Open only: each of the contact's links reads its lead by id in a
/// subquery, so the plan cannot start from the open leads instead.
/// PostgreSQL's generic plan did, with the statistics of a table that
/// was small when last analyzed: it read every open lead (~1 ms a call
/// 5,000 leads into a backlog, for a contact on one lead).
/// In a transaction holding activity back ([`super::deferred`]), the
/// leads are ranked again with it, as if it had been written (links held
/// back are written first when one is the contact's).
pub(super) async fn leads_of_contact(
    conn: &mut Conn,
    contact: i64,
    open_only: bool,
) -> Result<Vec<i64>, StoreError> {
    let sql = match open_only {
        true => {
            "SELECT id, active_at FROM (SELECT lc.lead_id AS id, \
               (SELECT l.last_activity_at FROM leads l \
                WHERE l.id = lc.lead_id AND l.status IN ('todo', 'standby')) AS active_at \
             FROM lead_contacts lc WHERE lc.contact_id = $1) AS linked \
             WHERE active_at IS NOT NULL ORDER BY active_at DESC, id DESC"
        }
        false => {
            "SELECT l.id, l.last_activity_at FROM lead_contacts lc JOIN leads l ON l.id = lc.lead_id \
             WHERE lc.contact_id = $1 ORDER BY l.last_activity_at DESC, l.id DESC"
        }
    };
    let handled = match conn.deferred() {
        // A held lead or contact is on held links only.
        Some(held) if !held.holds_links_of(contact) => Kinds::ACTIVITY
            .and(Kinds::LINKS)
            .and(Kinds::LEADS)
            .and(Kinds::CONTACTS),
        _ => Kinds::ACTIVITY,
    };
    let mut leads: Vec<(i64, String)> = db::query_as(sql)
        // The activity held back is ranked in below; links held back for
        // other contacts change nothing here.
        .handles_deferred(handled)
        .bind(contact)
        .fetch_all(&mut *conn)
        .await?;
    if let Some(deferred) = conn.deferred() {
        for (id, active_at) in &mut leads {
            *active_at = deferred.active_at(*id, std::mem::take(active_at));
        }
        leads.sort_by(|a, b| (&b.1, b.0).cmp(&(&a.1, a.0)));
    }
    Ok(leads.into_iter().map(|(id, _)| id).collect())
}

/// The company's open lead; the most recently active one wins.
/// In a transaction holding rows back, the leads read are ranked with the
/// activity held for them, and the held leads (all open) with them.
async fn open_lead_of_company(conn: &mut Conn, company: i64) -> Result<Option<i64>, StoreError> {
    let activity_held = conn.deferred().is_some_and(|held| held.holds_activity());
    let sql = match activity_held {
        false => {
            "SELECT id, last_activity_at FROM leads \
             WHERE company_id = $1 AND status IN ('todo', 'standby') \
             ORDER BY last_activity_at DESC, id DESC LIMIT 1"
        }
        // Every open lead: held activity may move any of them first.
        true => {
            "SELECT id, last_activity_at FROM leads \
             WHERE company_id = $1 AND status IN ('todo', 'standby')"
        }
    };
    let found: Vec<(i64, String)> = db::query_as(sql)
        .handles_deferred(Kinds::LEADS.and(Kinds::ACTIVITY))
        .bind(company)
        .fetch_all(&mut *conn)
        .await?;
    let Some(held) = conn.deferred() else {
        return Ok(found.first().map(|(id, _)| *id));
    };
    let ranked = found
        .into_iter()
        .map(|(id, active_at)| (held.active_at(id, active_at), id));
    let new = held.new_rows_held().latest_lead_of_company(company);
    Ok(ranked.chain(new).max().map(|(_, id)| id))
}

/// The lead whose timeline holds the message `key`; when several do, the one
/// linked to the contact with the `sender` address wins, then the most
/// recently active. The first query is a plain index lookup (a message is
/// almost always on one lead or none); only several leads are ranked.
/// `known`: the leads read for the batch when the key was
/// ([`super::thread_keys::KnownThreads`]), saving the first query.
pub(super) async fn lead_by_message(
    conn: &mut Conn,
    key: &MessageKey,
    sender: Option<&EmailAddress>,
    known: Option<&[i64]>,
) -> Result<Option<i64>, StoreError> {
    let looked_up: Vec<i64>;
    let leads = match known {
        Some(leads) => leads,
        None => {
            looked_up =
                db::query_scalar("SELECT DISTINCT lead_id FROM timeline WHERE message_key = $1")
                    .bind(key.as_str())
                    .fetch_all(&mut *conn)
                    .await?;
            looked_up.as_slice()
        }
    };
    match leads {
        [] => Ok(None),
        [only] => Ok(Some(*only)),
        _ => rank_leads_of_message(conn, key, sender).await,
    }
}

/// Of the leads whose timelines hold the message `key`: the one linked to
/// the `sender`'s contact, then the most recently active.
async fn rank_leads_of_message(
    conn: &mut Conn,
    key: &MessageKey,
    sender: Option<&EmailAddress>,
) -> Result<Option<i64>, StoreError> {
    let id = db::query_scalar(
        "SELECT l.id FROM leads l WHERE l.id IN \
           (SELECT t.lead_id FROM timeline t WHERE t.message_key = $1) \
         ORDER BY CASE WHEN EXISTS (SELECT 1 FROM lead_contacts lc \
                    JOIN contact_emails ce ON ce.contact_id = lc.contact_id \
                    WHERE lc.lead_id = l.id AND ce.canonical = $2) THEN 0 ELSE 1 END, \
                  l.last_activity_at DESC, l.id DESC LIMIT 1",
    )
    .bind(key.as_str())
    .bind(sender.map(EmailAddress::canonical))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id)
}

/// True when the address is one of the lead's contacts' (canonically).
pub(super) async fn is_contact_of(
    conn: &mut Conn,
    lead_id: i64,
    address: &EmailAddress,
) -> Result<bool, StoreError> {
    let found: bool = db::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM lead_contacts lc \
           JOIN contact_emails ce ON ce.contact_id = lc.contact_id \
         WHERE lc.lead_id = $1 AND ce.canonical = $2)",
    )
    .bind(lead_id)
    .bind(address.canonical())
    .fetch_one(&mut *conn)
    .await?;
    Ok(found)
}

/// True when one of `keys` is on a timeline of a lead of the contact with
/// this address (a bounce returns a message we filed for them).
pub(super) async fn on_timeline_of(
    conn: &mut Conn,
    address: &EmailAddress,
    keys: &[MessageKey],
) -> Result<bool, StoreError> {
    if keys.is_empty() {
        return Ok(false);
    }
    let list: Vec<&str> = keys.iter().map(MessageKey::as_str).collect();
    let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
    // Entries held back under none of these keys change nothing here; nor
    // do held links, leads and contacts when none is the address's
    // contact's (a held lead's entries are held, a held contact's links too).
    let handled = match conn.deferred() {
        Some(held) if list.iter().all(|key| held.leads_given(key).is_empty()) => {
            match held.may_hold_links_of_address(&address.canonical()) {
                true => Kinds::ENTRIES,
                false => Kinds::ENTRIES
                    .and(Kinds::LINKS)
                    .and(Kinds::LEADS)
                    .and(Kinds::CONTACTS),
            }
        }
        _ => Kinds::NONE,
    };
    let found: bool = db::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM timeline t \
           JOIN lead_contacts lc ON lc.lead_id = t.lead_id \
           JOIN contact_emails ce ON ce.contact_id = lc.contact_id \
         WHERE ce.canonical = $1 AND t.message_key IN (SELECT value FROM json_each($2)))",
    )
    .handles_deferred(handled)
    .bind(address.canonical())
    .bind(json)
    .fetch_one(&mut *conn)
    .await?;
    Ok(found)
}

/// True when a lead with this id exists.
pub(super) async fn lead_exists(conn: &mut Conn, lead_id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> = db::query_scalar("SELECT id FROM leads WHERE id = $1")
        .bind(lead_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}
