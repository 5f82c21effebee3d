//! Contacts, their addresses and companies: match by canonical address or
//! domain, create when unknown, fill empty fields only.

use super::deferred::Kinds;
use super::known_contacts::StoredContact;
use super::new_rows::{self, NewCompany, NewContact, Table};
use super::stamp::stamp;
use super::{Conn, StoreError};
use crate::domain::EmailAddress;
use crate::ingest::plan::{BouncedAddress, CompanyDraft, ContactDraft};
use crate::store::db::{self, Backend};
use chrono::{DateTime, Utc};

/// A contact as the matching needs it after an upsert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ContactRef {
    /// The contact's id.
    pub id: i64,
    /// Created by this upsert: it can have no leads yet.
    pub created: bool,
    /// Its company, if any.
    pub company: Option<CompanyRef>,
}

/// A contact's company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CompanyRef {
    /// The company's id.
    pub id: i64,
    /// It has a domain (only such companies match leads by company).
    pub has_domain: bool,
    /// Created by this upsert: it can have no leads yet.
    pub created: bool,
}

/// Upserts every contact of a group, keeping their order (primary first).
pub(super) async fn upsert_all(
    conn: &mut Conn,
    drafts: &[ContactDraft],
    at: DateTime<Utc>,
) -> Result<Vec<ContactRef>, StoreError> {
    let mut contacts: Vec<ContactRef> = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let contact = upsert(conn, draft, at).await?;
        if !contacts.iter().any(|known| known.id == contact.id) {
            contacts.push(contact);
        }
    }
    Ok(contacts)
}

/// The contact with this address, created when unknown; known fields are
/// never overwritten, empty ones are filled from the draft (and only then
/// is the row written).
pub(super) async fn upsert(
    conn: &mut Conn,
    draft: &ContactDraft,
    at: DateTime<Utc>,
) -> Result<ContactRef, StoreError> {
    let company = draft.company.as_ref().and_then(CompanyKey::of);
    let read = conn
        .deferred()
        .and_then(|held| held.known_contacts())
        .and_then(|known| known.find(draft, company.as_ref()));
    if let Some((stored, draft_company)) = read {
        return upsert_known(conn, draft, company.as_ref(), stored, draft_company, at).await;
    }
    if is_new_and_held(conn, draft).await? {
        return hold_new(conn, draft, company.as_ref(), at).await;
    }
    let (known, draft_company) = match &company {
        Some(CompanyKey::Domain { name, domain }) => {
            find_or_insert_with_company(conn, draft, name, domain, at).await?
        }
        company => {
            let draft_company = match company {
                Some(company) => Some(upsert_company(conn, company, at).await?),
                None => None,
            };
            let known = find_or_insert(conn, draft, draft_company.map(|c| c.id), at).await?;
            (known, draft_company)
        }
    };
    remember(conn, draft, &known, company.as_ref(), draft_company);
    if known.created {
        return Ok(ContactRef {
            id: known.id,
            created: true,
            company: draft_company,
        });
    }
    let company_id = draft_company.map(|c| c.id);
    if known.would_fill(draft, draft_company.is_some()) {
        fill_contact(conn, known.id, draft, company_id, at).await?;
    }
    Ok(ContactRef {
        id: known.id,
        created: false,
        company: known.company.or(draft_company),
    })
}

/// [`upsert`] of a contact read when the batch began
/// ([`KnownContacts`](super::known_contacts::KnownContacts)), its company
/// too: only a fill is written. On PostgreSQL the upsert by domain it
/// stands for would have used up a company id: it is owed.
async fn upsert_known(
    conn: &mut Conn,
    draft: &ContactDraft,
    key: Option<&CompanyKey>,
    stored: StoredContact,
    draft_company: Option<CompanyRef>,
    at: DateTime<Utc>,
) -> Result<ContactRef, StoreError> {
    let by_domain = matches!(key, Some(CompanyKey::Domain { .. }));
    if by_domain && super::leads::holds_new_rows(conn).await? {
        new_rows::next_id(conn, Table::Companies).await?;
    } else if let (Backend::Postgres, true) = (conn.backend(), by_domain) {
        if let Some(known) = conn.deferred().and_then(|held| held.known_contacts()) {
            known.owe_company_id();
        }
    }
    let known = KnownContact {
        id: stored.id,
        name: stored.name,
        phone: stored.phone,
        title: stored.title,
        company: stored.company,
        created: false,
    };
    if known.would_fill(draft, draft_company.is_some()) {
        fill_contact(conn, known.id, draft, draft_company.map(|c| c.id), at).await?;
    }
    remember(conn, draft, &known, key, draft_company);
    Ok(ContactRef {
        id: known.id,
        created: false,
        company: known.company.or(draft_company),
    })
}

/// True when the draft's address was read when the batch began and is
/// nobody's, and the transaction holds new rows back
/// ([`super::new_rows`]).
async fn is_new_and_held(conn: &mut Conn, draft: &ContactDraft) -> Result<bool, StoreError> {
    let unknown = conn
        .deferred()
        .and_then(|held| held.known_contacts())
        .is_some_and(|known| known.is_unknown(draft));
    Ok(unknown && super::leads::holds_new_rows(conn).await?)
}

/// The company the upsert of `key` finds or creates, in a transaction
/// holding new rows back: one read when the batch began is found there
/// (by domain, using up the id its `INSERT … ON CONFLICT` would have), a
/// new one is held with the next company id, and one not read is upserted.
async fn held_company(
    conn: &mut Conn,
    key: &CompanyKey,
    at: DateTime<Utc>,
) -> Result<CompanyRef, StoreError> {
    let read = conn
        .deferred()
        .and_then(|held| held.known_contacts())
        .and_then(|known| known.company(key));
    match (read, key) {
        (None, _) => upsert_company(conn, key, at).await,
        (Some(Some(company)), CompanyKey::Name(_)) => Ok(company),
        (Some(Some(company)), CompanyKey::Domain { .. }) => {
            new_rows::next_id(conn, Table::Companies).await?;
            Ok(company)
        }
        (Some(None), _) => hold_company(conn, key, at).await,
    }
}

/// A new company for `key`, held back with the next company id.
async fn hold_company(
    conn: &mut Conn,
    key: &CompanyKey,
    at: DateTime<Utc>,
) -> Result<CompanyRef, StoreError> {
    let id = new_rows::next_id(conn, Table::Companies).await?;
    let (name, domain) = match key {
        CompanyKey::Domain { name, domain } => (name, Some(domain.clone())),
        CompanyKey::Name(name) => (name, None),
    };
    let has_domain = domain.is_some();
    let company = NewCompany {
        id,
        name: name.clone(),
        name_key: name_key(name),
        domain,
        created_at: stamp(at),
    };
    if let Some(held) = conn.deferred() {
        held.new_rows().hold_company(company);
    }
    Ok(CompanyRef {
        id,
        has_domain,
        created: true,
    })
}

/// [`upsert`] of a contact nobody has: its company is found or held as
/// [`held_company`] says, and the contact is held back with the next
/// contact id, to be written with the batch's other new contacts.
async fn hold_new(
    conn: &mut Conn,
    draft: &ContactDraft,
    key: Option<&CompanyKey>,
    at: DateTime<Utc>,
) -> Result<ContactRef, StoreError> {
    let draft_company = match key {
        Some(key) => Some(held_company(conn, key, at).await?),
        None => None,
    };
    let id = new_rows::next_id(conn, Table::Contacts).await?;
    let owned = |value: &Option<String>| non_empty(value).map(str::to_string);
    let contact = NewContact {
        id,
        name: owned(&draft.name),
        phone: owned(&draft.phone),
        title: owned(&draft.title),
        company_id: draft_company.map(|c| c.id),
        created_at: stamp(at),
        updated_at: stamp(at),
        address: draft.email.as_str().to_string(),
        canonical: draft.email.canonical(),
    };
    if let Some(held) = conn.deferred() {
        held.new_rows().hold_contact(contact);
    }
    let known = KnownContact {
        id,
        name: None,
        phone: None,
        title: None,
        company: None,
        created: true,
    };
    remember(conn, draft, &known, key, draft_company);
    Ok(ContactRef {
        id,
        created: true,
        company: draft_company,
    })
}

/// Records in the batch's [`KnownContacts`](super::known_contacts::KnownContacts)
/// (if it keeps them) the contact as the upsert leaves it, and the draft's
/// company. A fill sets each empty field from the draft, and the company
/// when there was none.
fn remember(
    conn: &mut Conn,
    draft: &ContactDraft,
    known: &KnownContact,
    key: Option<&CompanyKey>,
    draft_company: Option<CompanyRef>,
) {
    let Some(kept) = conn.deferred().and_then(|held| held.known_contacts()) else {
        return;
    };
    let old = |company: CompanyRef| CompanyRef {
        created: false,
        ..company
    };
    let filled = |field: &Option<String>, from: &Option<String>| match field.as_deref() {
        Some(value) if !value.is_empty() => field.clone(),
        _ => non_empty(from).map(str::to_string),
    };
    let stored = StoredContact {
        id: known.id,
        name: filled(&known.name, &draft.name),
        phone: filled(&known.phone, &draft.phone),
        title: filled(&known.title, &draft.title),
        company: known.company.or(draft_company.map(old)),
    };
    kept.record(draft, stored, key, draft_company);
}

/// A stored contact's fields that an upsert may fill.
struct KnownContact {
    id: i64,
    name: Option<String>,
    phone: Option<String>,
    title: Option<String>,
    company: Option<CompanyRef>,
    /// Inserted by this upsert (from the draft): nothing to fill.
    created: bool,
}

impl KnownContact {
    /// True when the draft has a value for a field the contact lacks.
    fn would_fill(&self, draft: &ContactDraft, has_company: bool) -> bool {
        let empty = |field: &Option<String>| field.as_deref().is_none_or(str::is_empty);
        (empty(&self.name) && non_empty(&draft.name).is_some())
            || (empty(&self.phone) && non_empty(&draft.phone).is_some())
            || (empty(&self.title) && non_empty(&draft.title).is_some())
            || (self.company.is_none() && has_company)
    }
}

/// SQLite: three statements in one query string (see [`find_or_insert`]).
const FIND_OR_INSERT_SQLITE: &str =
    "INSERT INTO contacts (name, phone, title, company_id, created_at, updated_at) \
       SELECT $1, $2, $3, $4, $5, $5 \
       WHERE NOT EXISTS (SELECT 1 FROM contact_emails WHERE canonical = $7); \
     INSERT INTO contact_emails (contact_id, address, canonical, created_at) \
       SELECT last_insert_rowid(), $6, $7, $5 WHERE changes() = 1; \
     SELECT c.id, c.name, c.phone, c.title, co.id, co.domain IS NOT NULL, changes() = 1 \
     FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id \
     LEFT JOIN companies co ON co.id = c.company_id WHERE ce.canonical = $7";

/// PostgreSQL: the INSERTs are data-modifying CTEs; the outer SELECT's
/// snapshot does not see their rows, so it finds the known contact and
/// the CTE's RETURNING gives the new one (exactly one of the two).
const FIND_OR_INSERT_POSTGRES: &str = "WITH new_contact AS ( \
       INSERT INTO contacts (name, phone, title, company_id, created_at, updated_at) \
       SELECT $1, $2, $3, $4, $5, $5 \
       WHERE NOT EXISTS (SELECT 1 FROM contact_emails WHERE canonical = $7) \
       RETURNING id, name, phone, title, company_id), \
     new_email AS ( \
       INSERT INTO contact_emails (contact_id, address, canonical, created_at) \
       SELECT id, $6, $7, $5 FROM new_contact RETURNING contact_id) \
     SELECT c.id, c.name, c.phone, c.title, co.id, co.domain IS NOT NULL, FALSE \
     FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id \
     LEFT JOIN companies co ON co.id = c.company_id WHERE ce.canonical = $7 \
     UNION ALL \
     SELECT n.id, n.name, n.phone, n.title, co.id, co.domain IS NOT NULL, TRUE \
     FROM new_contact n JOIN new_email e ON e.contact_id = n.id \
     LEFT JOIN companies co ON co.id = n.company_id";

/// PostgreSQL: [`FIND_OR_INSERT_POSTGRES`] after the upsert of the draft's
/// company by domain, whose id the new contact takes; every row also
/// names that company and whether it was inserted (the outer SELECT does
/// not see a company the CTE inserted, so a new contact's company comes
/// from those two columns, as with [`upsert_company_by_domain`]).
///
/// It first uses up the company ids owed ($10, see
/// [`super::known_contacts`]): the INSERT's row comes from `paid`, so the
/// sequence has moved on before the row takes its id.
const FIND_OR_INSERT_WITH_COMPANY_POSTGRES: &str = "WITH paid AS ( \
       SELECT CASE WHEN $10 > 0 THEN setval(pg_get_serial_sequence('companies', 'id'), \
         nextval(pg_get_serial_sequence('companies', 'id')) + $10 - 1) END AS upto), \
     added_company AS ( \
       INSERT INTO companies (name, name_key, domain, created_at) \
       SELECT $7, $8, $9, $4 FROM paid ON CONFLICT (domain) DO NOTHING RETURNING id), \
     company AS ( \
       SELECT id, TRUE AS created FROM added_company \
       UNION ALL SELECT id, FALSE FROM companies WHERE domain = $9), \
     new_contact AS ( \
       INSERT INTO contacts (name, phone, title, company_id, created_at, updated_at) \
       SELECT $1, $2, $3, (SELECT id FROM company LIMIT 1), $4, $4 \
       WHERE NOT EXISTS (SELECT 1 FROM contact_emails WHERE canonical = $6) \
       RETURNING id, name, phone, title, company_id), \
     new_email AS ( \
       INSERT INTO contact_emails (contact_id, address, canonical, created_at) \
       SELECT id, $5, $6, $4 FROM new_contact RETURNING contact_id), \
     draft AS (SELECT id, created FROM company LIMIT 1) \
     SELECT c.id, c.name, c.phone, c.title, co.id, co.domain IS NOT NULL, FALSE, \
       d.id, d.created \
     FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id \
     LEFT JOIN companies co ON co.id = c.company_id CROSS JOIN draft d \
     WHERE ce.canonical = $6 \
     UNION ALL \
     SELECT n.id, n.name, n.phone, n.title, NULL, NULL, TRUE, d.id, d.created \
     FROM new_contact n JOIN new_email e ON e.contact_id = n.id CROSS JOIN draft d";

/// SQLite: the upsert of the draft's company by domain and
/// [`FIND_OR_INSERT_SQLITE`] in one query string (one round trip to the
/// worker thread). The second statement reads `changes()` right after the
/// company's INSERT, so its row says whether the company was added; the
/// contact takes the company's id by domain.
const FIND_OR_INSERT_WITH_COMPANY_SQLITE: &str =
    "INSERT INTO companies (name, name_key, domain, created_at) VALUES ($7, $8, $9, $4) \
       ON CONFLICT (domain) DO NOTHING; \
     SELECT id, changes() = 1 FROM companies WHERE domain = $9; \
     INSERT INTO contacts (name, phone, title, company_id, created_at, updated_at) \
       SELECT $1, $2, $3, (SELECT id FROM companies WHERE domain = $9), $4, $4 \
       WHERE NOT EXISTS (SELECT 1 FROM contact_emails WHERE canonical = $6); \
     INSERT INTO contact_emails (contact_id, address, canonical, created_at) \
       SELECT last_insert_rowid(), $5, $6, $4 WHERE changes() = 1; \
     SELECT c.id, c.name, c.phone, c.title, co.id, co.domain IS NOT NULL, changes() = 1 \
     FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id \
     LEFT JOIN companies co ON co.id = c.company_id WHERE ce.canonical = $6";

type KnownRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<bool>,
    bool,
);

/// The contact owning the draft's address with its fillable fields, the
/// contact and its address inserted first when the address is unknown: one
/// round trip. SQLite: three statements in one query string; the address
/// takes the contact's id from `last_insert_rowid()` only when `changes()`
/// says the contact was inserted, and the SELECT reads `changes()` again to
/// tell whether the address was.
async fn find_or_insert(
    conn: &mut Conn,
    draft: &ContactDraft,
    company: Option<i64>,
    at: DateTime<Utc>,
) -> Result<KnownContact, StoreError> {
    let sql = match conn.backend() {
        Backend::Sqlite => FIND_OR_INSERT_SQLITE,
        Backend::Postgres => FIND_OR_INSERT_POSTGRES,
    };
    let row: KnownRow = db::query_as(sql)
        .bind(non_empty(&draft.name))
        .bind(non_empty(&draft.phone))
        .bind(non_empty(&draft.title))
        .bind(company)
        .bind(stamp(at))
        .bind(draft.email.as_str())
        .bind(draft.email.canonical())
        .fetch_one(&mut *conn)
        .await?;
    Ok(KnownContact::from_row(row))
}

/// [`find_or_insert`] and the upsert of the draft's company by domain in
/// one round trip; returns the contact and that company. PostgreSQL: one
/// row, the company in its last two columns
/// ([`FIND_OR_INSERT_WITH_COMPANY_POSTGRES`]); SQLite: the company's row,
/// then the contact's ([`FIND_OR_INSERT_WITH_COMPANY_SQLITE`]).
async fn find_or_insert_with_company(
    conn: &mut Conn,
    draft: &ContactDraft,
    company_name: &str,
    domain: &str,
    at: DateTime<Utc>,
) -> Result<(KnownContact, Option<CompanyRef>), StoreError> {
    let backend = conn.backend();
    let sql = match backend {
        Backend::Sqlite => FIND_OR_INSERT_WITH_COMPANY_SQLITE,
        Backend::Postgres => FIND_OR_INSERT_WITH_COMPANY_POSTGRES,
    };
    let mut query = db::query(sql)
        .bind(non_empty(&draft.name))
        .bind(non_empty(&draft.phone))
        .bind(non_empty(&draft.title))
        .bind(stamp(at))
        .bind(draft.email.as_str())
        .bind(draft.email.canonical())
        .bind(company_name)
        .bind(name_key(company_name))
        .bind(domain);
    if backend == Backend::Postgres {
        let owed = conn
            .deferred()
            .and_then(|held| held.known_contacts())
            .map_or(0, |known| known.take_owed());
        query = query.bind(owed).handles_deferred(Kinds::COMPANY_IDS);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let (company, contact, company_column) = match (backend, rows.as_slice()) {
        (Backend::Postgres, [row, ..]) => (row, row, 7),
        (Backend::Sqlite, [company, contact]) => (company, contact, 0),
        _ => return Err(sqlx::Error::RowNotFound.into()),
    };
    let draft_company = CompanyRef {
        id: company.try_get(company_column)?,
        has_domain: true,
        created: company.try_get(company_column + 1)?,
    };
    let known = KnownContact::from_row((
        contact.try_get(0)?,
        contact.try_get(1)?,
        contact.try_get(2)?,
        contact.try_get(3)?,
        contact.try_get(4)?,
        contact.try_get(5)?,
        contact.try_get(6)?,
    ));
    Ok((known, Some(draft_company)))
}

impl KnownContact {
    fn from_row(row: KnownRow) -> Self {
        let (id, name, phone, title, company, has_domain, created) = row;
        KnownContact {
            id,
            name,
            phone,
            title,
            company: company.map(|id| CompanyRef {
                id,
                has_domain: has_domain.unwrap_or(false),
                created: false,
            }),
            created,
        }
    }
}

async fn fill_contact(
    conn: &mut Conn,
    id: i64,
    draft: &ContactDraft,
    company: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let held = conn
        .deferred()
        .and_then(|held| held.new_rows().contact_mut(id));
    if let Some(contact) = held {
        fill_held(contact, draft, company, at);
        return Ok(());
    }
    db::query(
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
    Ok(())
}

/// [`fill_contact`] of a contact held back, as the UPDATE would fill it.
fn fill_held(
    contact: &mut NewContact,
    draft: &ContactDraft,
    company: Option<i64>,
    at: DateTime<Utc>,
) {
    let fill = |field: &mut Option<String>, from: &Option<String>| {
        if field.as_deref().is_none_or(str::is_empty) {
            *field = non_empty(from).map(str::to_string);
        }
    };
    fill(&mut contact.name, &draft.name);
    fill(&mut contact.phone, &draft.phone);
    fill(&mut contact.title, &draft.title);
    contact.company_id = contact.company_id.or(company);
    contact.updated_at = stamp(at);
}

/// What a statement on this address's row alone does without: the held
/// new contacts, unless one of them has the address.
fn held_contacts_unless(conn: &mut Conn, address: &EmailAddress) -> Kinds {
    match conn.deferred() {
        Some(held) if !held.new_rows_held().holds_address(&address.canonical()) => Kinds::CONTACTS,
        _ => Kinds::NONE,
    }
}

/// The contact owning this address (compared canonically: case, `+tag`).
pub(super) async fn find_by_address(
    conn: &mut Conn,
    address: &EmailAddress,
) -> Result<Option<i64>, StoreError> {
    let id = db::query_scalar("SELECT contact_id FROM contact_emails WHERE canonical = $1")
        .handles_deferred(held_contacts_unless(conn, address))
        .bind(address.canonical())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id)
}

/// Marks an address as bouncing; returns its contact, if the address is known.
pub(super) async fn mark_bounced(
    conn: &mut Conn,
    bounce: &BouncedAddress,
    at: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let handled = held_contacts_unless(conn, &bounce.address);
    let contact = db::query_scalar(
        "UPDATE contact_emails SET bounced = TRUE, bounce_hard = (bounce_hard OR $2), \
           bounce_detail = $3, bounced_at = $4 \
         WHERE canonical = $1 RETURNING contact_id",
    )
    .handles_deferred(handled)
    .bind(bounce.address.canonical())
    .bind(bounce.hard)
    .bind(&bounce.detail)
    .bind(stamp(at))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(contact)
}

/// How a draft's company is found: by domain (named after the draft, or
/// after the domain when the draft has no name), else by name.
pub(super) enum CompanyKey {
    Domain { name: String, domain: String },
    Name(String),
}

impl CompanyKey {
    /// The key of a draft; none when it has neither a domain nor a name.
    pub(super) fn of(draft: &CompanyDraft) -> Option<Self> {
        let name = draft.name.trim();
        let domain = draft
            .domain
            .as_deref()
            .map(|d| d.trim().to_lowercase())
            .filter(|d| !d.is_empty());
        match (domain, name.is_empty()) {
            (Some(domain), true) => Some(CompanyKey::Domain {
                name: domain.clone(),
                domain,
            }),
            (Some(domain), false) => Some(CompanyKey::Domain {
                name: name.to_string(),
                domain,
            }),
            (None, false) => Some(CompanyKey::Name(name.to_string())),
            (None, true) => None,
        }
    }
}

/// A company by domain, else by name; created when unknown.
async fn upsert_company(
    conn: &mut Conn,
    key: &CompanyKey,
    at: DateTime<Utc>,
) -> Result<CompanyRef, StoreError> {
    match key {
        CompanyKey::Domain { name, domain } => {
            upsert_company_by_domain(conn, name, domain, at).await
        }
        CompanyKey::Name(name) => upsert_company_by_name(conn, name, at).await,
    }
}

/// The company with this domain, inserted (named `name`) when there is
/// none, in one round trip. SQLite: two statements in one query string;
/// `changes()` tells whether the INSERT added the row.
async fn upsert_company_by_domain(
    conn: &mut Conn,
    name: &str,
    domain: &str,
    at: DateTime<Utc>,
) -> Result<CompanyRef, StoreError> {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "INSERT INTO companies (name, name_key, domain, created_at) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (domain) DO NOTHING; \
             SELECT id, changes() = 1 FROM companies WHERE domain = $3"
        }
        // PostgreSQL: the SELECT's snapshot does not see the CTE's row.
        Backend::Postgres => {
            "WITH added AS ( \
               INSERT INTO companies (name, name_key, domain, created_at) \
               VALUES ($1, $2, $3, $4) ON CONFLICT (domain) DO NOTHING RETURNING id) \
             SELECT id, TRUE FROM added \
             UNION ALL SELECT id, FALSE FROM companies WHERE domain = $3"
        }
    };
    let (id, created): (i64, bool) = db::query_as(sql)
        .bind(name)
        .bind(name_key(name))
        .bind(domain)
        .bind(stamp(at))
        .fetch_one(&mut *conn)
        .await?;
    Ok(CompanyRef {
        id,
        has_domain: true,
        created,
    })
}

/// The company with this name, case-insensitively (one with a domain wins
/// over one without), inserted without a domain when there is none, in
/// one round trip (SQLite: as [`upsert_company_by_domain`]).
async fn upsert_company_by_name(
    conn: &mut Conn,
    name: &str,
    at: DateTime<Utc>,
) -> Result<CompanyRef, StoreError> {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "INSERT INTO companies (name, name_key, domain, created_at) \
               SELECT $1, $2, NULL, $3 \
               WHERE NOT EXISTS (SELECT 1 FROM companies WHERE name_key = $2); \
             SELECT id, domain IS NOT NULL, changes() = 1 FROM companies WHERE name_key = $2 \
               ORDER BY CASE WHEN domain IS NULL THEN 1 ELSE 0 END, id LIMIT 1"
        }
        Backend::Postgres => {
            "WITH added AS ( \
               INSERT INTO companies (name, name_key, domain, created_at) \
               SELECT $1, $2, NULL, $3 \
               WHERE NOT EXISTS (SELECT 1 FROM companies WHERE name_key = $2) RETURNING id) \
             SELECT id, FALSE, TRUE FROM added \
             UNION ALL SELECT * FROM ( \
               SELECT id, domain IS NOT NULL, FALSE FROM companies WHERE name_key = $2 \
               ORDER BY CASE WHEN domain IS NULL THEN 1 ELSE 0 END, id LIMIT 1) AS known"
        }
    };
    let (id, has_domain, created): (i64, bool, bool) = db::query_as(sql)
        .bind(name)
        .bind(name_key(name))
        .bind(stamp(at))
        .fetch_one(&mut *conn)
        .await?;
    Ok(CompanyRef {
        id,
        has_domain,
        created,
    })
}

/// The key company names are matched by (Unicode-aware lower case).
pub(super) fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
