//! Rows an apply transaction writes once at the end instead of one
//! statement each: timeline entries, the leads' latest activity they move,
//! contact links and prospects' flags (unless a webhook has a cursor), and
//! on PostgreSQL (with no webhook cursor) new companies, contacts and
//! leads ([`super::new_rows`]). On PostgreSQL every statement is a round
//! trip (a batch's commit was ~500 of them, BENCHMARKS.md); held back, a
//! batch's entries are one multi-row INSERT, its links another, its
//! activity one UPDATE … FROM a VALUES list, its new contacts one
//! statement with their addresses.
//!
//! Nothing may read differently for it, so [`Deferring`], the transaction
//! the plans are applied in, writes the held rows of a kind before any
//! statement whose text names their table or column (`timeline`,
//! `lead_contacts`, `last_activity`, `lead_flags`; a flag also waits for
//! `SET kind`), in the order they were added: a
//! later message of the batch (or a later step of the same message) that
//! reads them finds them as if each had been written at once. A statement
//! whose caller accounts for the held rows itself says so
//! ([`Query::handles_deferred`](super::db::Query::handles_deferred)): the
//! thread lookup by Message-ID knows which leads this transaction put each
//! key on ([`Deferred::leads_given`]), a contact's leads are ranked with
//! the held activity ([`Deferred::active_at`]), and a new lead written
//! without its first entry holds no row anyone waits for. The rest are
//! written by [`Deferring::commit`], before COMMIT; a rollback (or an
//! error, which drops the transaction) drops them with everything else.

use super::db::{self, Backend, Connection, Query, Row, Tx, Values};
use super::known_contacts::KnownContacts;
use super::new_rows::{self, NewRows, Table};
use super::stamp::stamp;
use crate::domain::LeadKind;
use crate::ingest::plan::TimelineDraft;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{StreamExt as _, TryStreamExt as _};
use sqlx::AssertSqlSafe;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rows one multi-row statement carries at most (8 values each for an
/// entry; far under both backends' limits on parameters).
const ROWS_PER_STATEMENT: usize = 500;

/// The statements that take a table's next id, by their text.
const INSERTS: [(&str, Table); 3] = [
    ("insert into companies", Table::Companies),
    ("insert into contacts", Table::Contacts),
    ("insert into leads", Table::Leads),
];

/// A set of the kinds of rows that can be held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kinds(u8);

impl Kinds {
    /// None.
    pub(crate) const NONE: Kinds = Kinds(0);
    /// Timeline entries (the table `timeline`).
    pub(crate) const ENTRIES: Kinds = Kinds(1);
    /// The leads' latest activity (`leads.last_activity_at`).
    pub(crate) const ACTIVITY: Kinds = Kinds(2);
    /// Contact links (`lead_contacts`).
    pub(crate) const LINKS: Kinds = Kinds(4);
    /// Prospects' flags (`lead_flags`; each is set only while its lead
    /// is a prospect, so a statement that sets a lead's kind waits too).
    pub(crate) const FLAGS: Kinds = Kinds(8);
    /// PostgreSQL: company ids owed by upserts answered from the batch's
    /// [`KnownContacts`] (paid before a company is inserted).
    pub(crate) const COMPANY_IDS: Kinds = Kinds(16);
    /// PostgreSQL: new contacts with their first address (`contacts`,
    /// `contact_emails`).
    pub(crate) const CONTACTS: Kinds = Kinds(32);
    /// PostgreSQL: new leads with their first next action (`leads`,
    /// `next_actions`; a table that refers to a lead by its name, such as
    /// `lead_tags` or `processed_message_leads`, waits too).
    pub(crate) const LEADS: Kinds = Kinds(64);
    /// PostgreSQL: new companies, and company ids used up without a row
    /// that the sequence is moved past (`companies`).
    pub(crate) const COMPANIES: Kinds = Kinds(128);
    /// All of them.
    pub(crate) const ALL: Kinds = Kinds(255);

    /// Both sets.
    pub(crate) const fn and(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    fn has(self, kind: Kinds) -> bool {
        self.0 & kind.0 != 0
    }

    fn without(self, other: Kinds) -> Kinds {
        Kinds(self.0 & !other.0)
    }

    fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// These kinds and those they refer to: entries and flags are on
    /// leads, links join leads and contacts, leads and contacts have
    /// companies, so those are written first (their keys are checked on
    /// insert). Activity held is never a held lead's (that one's row
    /// holds it, see [`Deferred::add_entry`]).
    fn with_referenced(self) -> Kinds {
        let mut kinds = self;
        if kinds.has(Kinds::ENTRIES.and(Kinds::FLAGS)) {
            kinds = kinds.and(Kinds::LEADS);
        }
        if kinds.has(Kinds::LINKS) {
            kinds = kinds.and(Kinds::LEADS).and(Kinds::CONTACTS);
        }
        if kinds.has(Kinds::LEADS.and(Kinds::CONTACTS)) {
            kinds = kinds.and(Kinds::COMPANIES);
        }
        kinds
    }

    /// The kinds a statement's text reads or writes: by the names of their
    /// table or column (case-insensitively), so a new statement is safe by
    /// default.
    fn named_in(sql: &str) -> Kinds {
        let mut kinds = Kinds::NONE;
        for (name, kind) in [
            ("timeline", Kinds::ENTRIES),
            ("last_activity", Kinds::ACTIVITY),
            ("lead_contacts", Kinds::LINKS),
            ("lead_flags", Kinds::FLAGS),
            ("set kind", Kinds::FLAGS),
            ("insert into companies", Kinds::COMPANY_IDS),
            ("companies", Kinds::COMPANIES),
            ("contacts", Kinds::CONTACTS),
            ("contact_emails", Kinds::CONTACTS),
            ("leads", Kinds::LEADS),
            ("next_actions", Kinds::LEADS),
            ("lead_tags", Kinds::LEADS),
        ] {
            if contains_ignore_case(sql, name) {
                kinds = kinds.and(kind);
            }
        }
        kinds
    }
}

fn contains_ignore_case(text: &str, word: &str) -> bool {
    text.as_bytes()
        .windows(word.len())
        .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
}

/// A timeline entry held back.
#[derive(Debug)]
struct EntryRow {
    lead_id: i64,
    kind: &'static str,
    occurred_at: String,
    actor: Option<String>,
    subject: String,
    body: String,
    message_key: Option<String>,
    created_at: String,
}

/// The rows held back, in the order they were added.
#[derive(Debug, Default)]
pub(crate) struct Deferred {
    entries: Vec<EntryRow>,
    /// Per lead, the latest activity its held entries move it to.
    activity: BTreeMap<i64, String>,
    /// (lead, contact), in order.
    links: Vec<(i64, i64)>,
    /// Per message key, the leads this transaction gave an entry under it
    /// (written or not yet).
    given: HashMap<String, Vec<i64>>,
    /// (lead, flag, set at), in order.
    flags: Vec<(i64, String, String)>,
    /// Whether some webhook has a cursor (read when the first flag is
    /// set): then every change writes an event, and a flag's must keep
    /// its place among the others, so flags are not held.
    webhooks: Option<bool>,
    /// The contacts and companies of the batch's plans, when read.
    contacts: Option<KnownContacts>,
    /// PostgreSQL: new contacts and leads.
    new: NewRows,
}

impl Deferred {
    /// Holds an entry on `lead_id` (stamped `created_at`, the time the
    /// INSERT would have stamped), moving the lead's latest activity when
    /// `touch`.
    pub(super) fn add_entry(
        &mut self,
        lead_id: i64,
        entry: &TimelineDraft,
        message_key: Option<&str>,
        touch: bool,
        created_at: String,
    ) {
        let occurred_at = stamp(entry.occurred_at);
        if let Some(lead) = self.new.lead_mut(lead_id).filter(|_| touch) {
            // A held lead is written with its latest activity.
            if lead.last_activity_at < occurred_at {
                lead.last_activity_at.clone_from(&occurred_at);
            }
        } else if touch {
            let latest = self.activity.entry(lead_id).or_default();
            if *latest < occurred_at {
                latest.clone_from(&occurred_at);
            }
        }
        if let Some(key) = message_key {
            let leads = self.given.entry(key.to_string()).or_default();
            if !leads.contains(&lead_id) {
                leads.push(lead_id);
            }
        }
        self.entries.push(EntryRow {
            lead_id,
            kind: entry.kind.as_str(),
            occurred_at,
            actor: entry.actor.clone(),
            subject: entry.subject.clone(),
            body: entry.body.clone(),
            message_key: message_key.map(str::to_string),
            created_at,
        });
    }

    /// Holds links of contacts to a lead, after those it has.
    pub(super) fn link(&mut self, lead_id: i64, contacts: &[i64]) {
        self.links
            .extend(contacts.iter().map(|&contact| (lead_id, contact)));
    }

    /// Holds a flag on `lead_id`, set only if the lead is still a prospect
    /// when it is written (nothing changes a kind before the held flags
    /// are written: see [`Kinds::FLAGS`]).
    pub(super) fn flag(&mut self, lead_id: i64, flag: &str, set_at: String) {
        self.flags.push((lead_id, flag.to_string(), set_at));
    }

    /// PostgreSQL: the new contacts and leads held.
    pub(super) fn new_rows(&mut self) -> &mut NewRows {
        &mut self.new
    }

    /// PostgreSQL: the new contacts and leads held, to look at.
    pub(super) fn new_rows_held(&self) -> &NewRows {
        &self.new
    }

    /// The contacts and companies of the batch's plans, when read.
    pub(super) fn known_contacts(&mut self) -> Option<&mut KnownContacts> {
        self.contacts.as_mut()
    }

    /// Keeps the contacts and companies read for the batch.
    pub(super) fn keep_contacts(&mut self, known: KnownContacts) {
        self.contacts = Some(known);
    }

    /// Whether some webhook has a cursor, if read yet.
    pub(super) fn webhooks(&self) -> Option<bool> {
        self.webhooks
    }

    /// Records whether some webhook has a cursor.
    pub(super) fn set_webhooks(&mut self, webhooks: bool) {
        self.webhooks = Some(webhooks);
    }

    /// The leads this transaction gave an entry under `key`.
    pub(super) fn leads_given(&self, key: &str) -> &[i64] {
        self.given.get(key).map_or(&[], Vec::as_slice)
    }

    /// True when a link of `contact` is held back: a statement that reads
    /// no other contact's links may run before the held ones are written
    /// only when this is false.
    pub(super) fn holds_links_of(&self, contact: i64) -> bool {
        self.links.iter().any(|&(_, linked)| linked == contact)
    }

    /// False only when no link of the contact with this canonical address
    /// can be held: the address was read when the batch began (or its
    /// contact made since) and its contact, if any, has no link held.
    pub(super) fn may_hold_links_of_address(&self, canonical: &str) -> bool {
        if self.new.holds_address(canonical) {
            return true;
        }
        match self
            .contacts
            .as_ref()
            .and_then(|known| known.contact_of(canonical))
        {
            Some(Some(contact)) => self.holds_links_of(contact),
            Some(None) => false,
            None => !self.links.is_empty(),
        }
    }

    /// True when a link of `contact` to a lead other than `lead` is held.
    pub(super) fn holds_links_of_except(&self, contact: i64, lead: i64) -> bool {
        self.links
            .iter()
            .any(|&(on, linked)| linked == contact && on != lead)
    }

    /// True when some lead's latest activity is held.
    pub(super) fn holds_activity(&self) -> bool {
        !self.activity.is_empty()
    }

    /// A lead's latest activity as read, moved to the one held for it (not
    /// yet written) when that is later.
    pub(super) fn active_at(&self, lead_id: i64, read: String) -> String {
        match self.activity.get(&lead_id) {
            Some(held) if *held > read => held.clone(),
            _ => read,
        }
    }

    /// The kinds held that a statement must see written first.
    fn due_for(&self, query: &Query<'_>) -> Kinds {
        let mut held = Kinds::NONE;
        if !self.entries.is_empty() {
            held = held.and(Kinds::ENTRIES);
        }
        if !self.activity.is_empty() {
            held = held.and(Kinds::ACTIVITY);
        }
        if !self.links.is_empty() {
            held = held.and(Kinds::LINKS);
        }
        if !self.flags.is_empty() {
            held = held.and(Kinds::FLAGS);
        }
        if self.contacts.as_ref().is_some_and(KnownContacts::owes) {
            held = held.and(Kinds::COMPANY_IDS);
        }
        if self.new.holds_companies() {
            held = held.and(Kinds::COMPANIES);
        }
        if self.new.holds_contacts() {
            held = held.and(Kinds::CONTACTS);
        }
        if self.new.holds_leads() {
            held = held.and(Kinds::LEADS);
        }
        if held.is_empty() {
            return held;
        }
        let named = Kinds::named_in(query.sql()).without(query.handled());
        Kinds(held.0 & named.with_referenced().0)
    }
}

/// An apply transaction that holds rows back ([`Deferred`]) and writes
/// them when a statement needs them, or at commit. Made `immediate`, it
/// holds nothing: every row is written when added, as before (the tests
/// compare both).
pub(crate) struct Deferring {
    tx: Tx,
    rows: Option<Deferred>,
}

impl Deferring {
    /// Holds rows back in `tx`.
    pub(crate) fn new(tx: Tx) -> Self {
        Deferring {
            tx,
            rows: Some(Deferred::default()),
        }
    }

    /// Writes every row when added.
    pub(crate) fn immediate(tx: Tx) -> Self {
        Deferring { tx, rows: None }
    }

    /// Writes the held rows, then commits.
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.write(Kinds::ALL).await?;
        self.tx.commit().await
    }

    /// Rolls back (the held rows with it).
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }

    /// Writes the held rows of these kinds: each kind in one statement
    /// per [`ROWS_PER_STATEMENT`] rows, in the order they were added.
    async fn write(&mut self, kinds: Kinds) -> Result<(), sqlx::Error> {
        let Some(rows) = self.rows.as_mut() else {
            return Ok(());
        };
        let entries = match kinds.has(Kinds::ENTRIES) {
            true => std::mem::take(&mut rows.entries),
            false => Vec::new(),
        };
        let activity = match kinds.has(Kinds::ACTIVITY) {
            true => std::mem::take(&mut rows.activity),
            false => BTreeMap::new(),
        };
        let links = match kinds.has(Kinds::LINKS) {
            true => std::mem::take(&mut rows.links),
            false => Vec::new(),
        };
        let flags = match kinds.has(Kinds::FLAGS) {
            true => std::mem::take(&mut rows.flags),
            false => Vec::new(),
        };
        let owed = match (kinds.has(Kinds::COMPANY_IDS), rows.contacts.as_mut()) {
            (true, Some(known)) => known.take_owed(),
            _ => 0,
        };
        let (companies, last_company) = match kinds.has(Kinds::COMPANIES) {
            true => rows.new.take_companies(),
            false => (Vec::new(), None),
        };
        let contacts = match kinds.has(Kinds::CONTACTS) {
            true => rows.new.take_contacts(),
            false => Vec::new(),
        };
        let leads = match kinds.has(Kinds::LEADS) {
            true => rows.new.take_leads(),
            false => Vec::new(),
        };
        let conn: &mut dyn Connection = &mut self.tx;
        new_rows::write_companies(conn, companies, last_company).await?;
        new_rows::write_contacts(conn, contacts).await?;
        new_rows::write_leads(conn, leads).await?;
        write_entries(conn, entries).await?;
        write_activity(conn, activity).await?;
        write_links(conn, links).await?;
        write_flags(conn, flags).await?;
        pay_company_ids(conn, owed).await
    }

    /// The held kinds `query` must see written before it runs.
    fn due(&self, query: &Query<'_>) -> Kinds {
        self.rows
            .as_ref()
            .map_or(Kinds::NONE, |rows| rows.due_for(query))
    }

    /// True when `query` inserts companies, contacts or leads while the
    /// transaction numbers new ones itself.
    fn moves_a_sequence(&self, query: &Query<'_>) -> bool {
        self.rows
            .as_ref()
            .is_some_and(|rows| rows.new.numbers_any())
            && INSERTS
                .iter()
                .any(|(insert, _)| contains_ignore_case(query.sql(), insert))
    }

    /// Before `query` runs, the held rows it needs written: one that
    /// inserts companies, contacts or leads itself moves their sequence,
    /// so the next held row's id is read again after it.
    async fn prepare(&mut self, query: &Query<'_>, due: Kinds) -> Result<(), sqlx::Error> {
        self.write(due).await?;
        let Some(rows) = self.rows.as_mut() else {
            return Ok(());
        };
        for (insert, table) in INSERTS {
            if contains_ignore_case(query.sql(), insert) {
                rows.new.forget_numbering(table);
            }
        }
        Ok(())
    }
}

async fn write_entries(
    conn: &mut dyn Connection,
    entries: Vec<EntryRow>,
) -> Result<(), sqlx::Error> {
    let backend = conn.backend();
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let mut values = Values::new();
        for row in entries.by_ref().take(ROWS_PER_STATEMENT) {
            values
                .push_bind(row.lead_id)
                .push_bind(row.kind)
                .push_bind(row.occurred_at)
                .push_bind(row.actor)
                .push_bind(row.subject)
                .push_bind(row.body)
                .push_bind(row.message_key)
                .push_bind(row.created_at);
            values.end_row();
        }
        let insert = values.into_query(
            "INSERT INTO timeline (lead_id, kind, occurred_at, actor, subject, body, \
               message_key, created_at)",
            backend,
        );
        conn.execute(insert).await?;
    }
    Ok(())
}

/// Moves each lead's latest activity forward (never back), as each entry
/// would have: one UPDATE … FROM a VALUES list.
async fn write_activity(
    conn: &mut dyn Connection,
    activity: BTreeMap<i64, String>,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, String)> = activity.into_iter().collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE leads SET last_activity_at = \
               CASE WHEN leads.last_activity_at < v.column2 THEN v.column2 \
               ELSE leads.last_activity_at END \
             FROM (VALUES {}) AS v WHERE leads.id = v.column1",
            db::value_rows(conn.backend(), chunk.len(), 2)
        );
        let mut update = db::query(AssertSqlSafe(sql)).persistent(false);
        for (lead_id, at) in chunk {
            update = update.bind(*lead_id).bind(at.as_str());
        }
        conn.execute(update).await?;
    }
    Ok(())
}

/// Links contacts as one at a time would have: a link already there (or
/// met before in the list) is skipped, and each new one takes the next
/// position of its lead.
async fn write_links(conn: &mut dyn Connection, links: Vec<(i64, i64)>) -> Result<(), sqlx::Error> {
    let mut seen = HashSet::with_capacity(links.len());
    let links: Vec<(i64, i64)> = links.into_iter().filter(|l| seen.insert(*l)).collect();
    for chunk in links.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO lead_contacts (lead_id, contact_id, position) \
             SELECT v.column1, v.column2, \
               (SELECT COALESCE(MAX(lc.position) + 1, 0) FROM lead_contacts lc \
                WHERE lc.lead_id = v.column1) \
               + ROW_NUMBER() OVER (PARTITION BY v.column1 ORDER BY v.column3) - 1 \
             FROM (VALUES {}) AS v \
             WHERE NOT EXISTS (SELECT 1 FROM lead_contacts lc \
                               WHERE lc.lead_id = v.column1 AND lc.contact_id = v.column2) \
             ORDER BY v.column3",
            db::value_rows(conn.backend(), chunk.len(), 3)
        );
        let mut insert = db::query(AssertSqlSafe(sql)).persistent(false);
        for (order, (lead_id, contact_id)) in (0_i64..).zip(chunk) {
            insert = insert.bind(*lead_id).bind(*contact_id).bind(order);
        }
        conn.execute(insert).await?;
    }
    Ok(())
}

/// PostgreSQL: uses up `owed` company ids, as the upserts by domain that
/// were answered without a statement would have.
async fn pay_company_ids(conn: &mut dyn Connection, owed: i64) -> Result<(), sqlx::Error> {
    if owed == 0 || conn.backend() != Backend::Postgres {
        return Ok(());
    }
    let pay = db::query(
        "SELECT setval(pg_get_serial_sequence('companies', 'id'), \
           nextval(pg_get_serial_sequence('companies', 'id')) + $1 - 1)",
    )
    .bind(owed);
    conn.fetch_all(pay).await?;
    Ok(())
}

/// Sets each flag as one at a time would have: on a lead that is a
/// prospect, the first setting of a flag kept.
async fn write_flags(
    conn: &mut dyn Connection,
    flags: Vec<(i64, String, String)>,
) -> Result<(), sqlx::Error> {
    let mut seen = HashSet::with_capacity(flags.len());
    let flags: Vec<(i64, String, String)> = flags
        .into_iter()
        .filter(|(lead_id, flag, _)| seen.insert((*lead_id, flag.clone())))
        .collect();
    for chunk in flags.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO lead_flags (lead_id, flag, set_at) \
             SELECT v.column1, v.column2, v.column3 FROM (VALUES {}) AS v \
             WHERE EXISTS (SELECT 1 FROM leads l WHERE l.id = v.column1 AND l.kind = '{}') \
             ORDER BY v.column4 \
             ON CONFLICT (lead_id, flag) DO NOTHING",
            db::value_rows(conn.backend(), chunk.len(), 4),
            LeadKind::Prospect.as_str()
        );
        let mut insert = db::query(AssertSqlSafe(sql)).persistent(false);
        for (order, (lead_id, flag, set_at)) in (0_i64..).zip(chunk) {
            insert = insert
                .bind(*lead_id)
                .bind(flag.as_str())
                .bind(set_at.as_str())
                .bind(order);
        }
        conn.execute(insert).await?;
    }
    Ok(())
}

impl Connection for Deferring {
    fn backend(&self) -> Backend {
        self.tx.backend()
    }

    fn deferred(&mut self) -> Option<&mut Deferred> {
        self.rows.as_mut()
    }

    fn execute<'c>(&'c mut self, query: Query<'_>) -> BoxFuture<'c, Result<u64, sqlx::Error>> {
        let due = self.due(&query);
        if due.is_empty() && !self.moves_a_sequence(&query) {
            return self.tx.execute(query);
        }
        let query = query.into_owned();
        Box::pin(async move {
            self.prepare(&query, due).await?;
            self.tx.execute(query).await
        })
    }

    fn fetch_all<'c>(
        &'c mut self,
        query: Query<'_>,
    ) -> BoxFuture<'c, Result<Vec<Row>, sqlx::Error>> {
        let due = self.due(&query);
        if due.is_empty() && !self.moves_a_sequence(&query) {
            return self.tx.fetch_all(query);
        }
        let query = query.into_owned();
        Box::pin(async move {
            self.prepare(&query, due).await?;
            self.tx.fetch_all(query).await
        })
    }

    fn fetch_optional<'c>(
        &'c mut self,
        query: Query<'_>,
    ) -> BoxFuture<'c, Result<Option<Row>, sqlx::Error>> {
        let due = self.due(&query);
        if due.is_empty() && !self.moves_a_sequence(&query) {
            return self.tx.fetch_optional(query);
        }
        let query = query.into_owned();
        Box::pin(async move {
            self.prepare(&query, due).await?;
            self.tx.fetch_optional(query).await
        })
    }

    fn fetch<'c>(&'c mut self, query: Query<'_>) -> BoxStream<'c, Result<Row, sqlx::Error>> {
        let due = self.due(&query);
        if due.is_empty() && !self.moves_a_sequence(&query) {
            return self.tx.fetch(query);
        }
        let query = query.into_owned();
        futures::stream::once(async move {
            self.prepare(&query, due).await?;
            Ok::<_, sqlx::Error>(self.tx.fetch(query))
        })
        .try_flatten()
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_waits_for_the_held_rows_its_text_names() {
        let named = |sql: &str| Kinds::named_in(sql);
        assert_eq!(named("SELECT kind FROM leads WHERE id = $1"), Kinds::LEADS);
        assert_eq!(named("SELECT value FROM settings"), Kinds::NONE);
        assert_eq!(
            named("SELECT DISTINCT lead_id FROM Timeline WHERE message_key = $1"),
            Kinds::ENTRIES
        );
        assert_eq!(
            named("UPDATE leads SET kind = 'lead', status = 'todo' WHERE id = $1"),
            Kinds::FLAGS.and(Kinds::LEADS)
        );
        assert_eq!(
            named("DELETE FROM lead_flags WHERE lead_id = $1"),
            Kinds::FLAGS
        );
        assert_eq!(
            named("INSERT INTO lead_tags (lead_id, tag) VALUES ($1, $2)"),
            Kinds::LEADS
        );
        assert_eq!(
            named("UPDATE contact_emails SET bounced = TRUE WHERE canonical = $1"),
            Kinds::CONTACTS
        );
        assert_eq!(
            named("INSERT INTO companies (name) VALUES ($1)"),
            Kinds::COMPANIES.and(Kinds::COMPANY_IDS)
        );
        let ranked = "SELECT l.id FROM lead_contacts lc JOIN leads l ON l.id = lc.lead_id \
                      ORDER BY l.last_activity_at DESC";
        assert_eq!(
            named(ranked),
            Kinds::LINKS
                .and(Kinds::ACTIVITY)
                .and(Kinds::LEADS)
                .and(Kinds::CONTACTS)
        );
    }

    #[test]
    fn held_entries_links_and_flags_wait_for_the_rows_they_refer_to() {
        assert_eq!(Kinds::NONE.with_referenced(), Kinds::NONE);
        assert_eq!(Kinds::COMPANIES.with_referenced(), Kinds::COMPANIES);
        let leads = Kinds::LEADS.and(Kinds::COMPANIES);
        assert_eq!(
            Kinds::CONTACTS.with_referenced(),
            Kinds::CONTACTS.and(Kinds::COMPANIES)
        );
        assert_eq!(Kinds::ENTRIES.with_referenced(), Kinds::ENTRIES.and(leads));
        assert_eq!(Kinds::FLAGS.with_referenced(), Kinds::FLAGS.and(leads));
        assert_eq!(Kinds::ACTIVITY.with_referenced(), Kinds::ACTIVITY);
        assert_eq!(
            Kinds::LINKS.with_referenced(),
            Kinds::LINKS.and(leads).and(Kinds::CONTACTS)
        );
    }
}
