//! PostgreSQL: a batch's new companies, contacts and leads, held back
//! ([`super::deferred`]) and written with one statement per
//! [`ROWS_PER_STATEMENT`] rows instead of one per message (the 10,000
//! backlog made ~5,000 of each, each a round trip and an executor start).
//!
//! Their ids are given here, as the tables' sequences would have given
//! them: the batch holds the store's write lock, so nothing else moves
//! the sequences while it runs. The next value is read once, each held row
//! takes the next one in the order the rows were made, and the statement
//! that writes them moves the sequence past them (`setval`), so a row
//! inserted later takes the id it would have taken anyway. A statement
//! that inserts into one of the tables itself makes the held rows be
//! written first and the next value be read again
//! ([`NewRows::forget_numbering`]).

use super::db::{self, Backend, Connection};
use super::deferred::Kinds;
use super::{Conn, StoreError};
use sqlx::AssertSqlSafe;

/// Rows one statement writes at most (18 values each for a lead and its
/// action: far under PostgreSQL's 65,535 parameters).
const ROWS_PER_STATEMENT: usize = 500;

/// A new company, not yet written.
#[derive(Debug)]
pub(super) struct NewCompany {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub domain: Option<String>,
    pub created_at: String,
}

/// A new contact and its first address, not yet written.
#[derive(Debug)]
pub(super) struct NewContact {
    pub id: i64,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub address: String,
    pub canonical: String,
}

/// A new lead (status `todo`, no step) and its first next action, not yet
/// written.
#[derive(Debug)]
pub(super) struct NewLead {
    pub id: i64,
    pub kind: &'static str,
    pub title: String,
    pub source: String,
    pub owner: Option<String>,
    pub company_id: Option<i64>,
    pub created_at: String,
    pub last_activity_at: String,
    pub filed_at: String,
    pub next_due_at: String,
    pub action_kind: String,
    pub action_note: String,
}

/// The tables whose new rows are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    Companies,
    Contacts,
    Leads,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Companies => "companies",
            Table::Contacts => "contacts",
            Table::Leads => "leads",
        }
    }
}

/// The new rows held, in the order they were made, and the next id of
/// each table when read.
#[derive(Debug, Default)]
pub(super) struct NewRows {
    companies: Vec<NewCompany>,
    contacts: Vec<NewContact>,
    leads: Vec<NewLead>,
    next_company: Option<i64>,
    next_contact: Option<i64>,
    next_lead: Option<i64>,
    /// A company id was taken since the sequence was last moved: an
    /// upsert of a known company by domain uses one up without a row
    /// (`INSERT … ON CONFLICT DO NOTHING` takes it first).
    company_ids_taken: bool,
    /// How many (companies, contacts, leads) were held in all.
    held: (usize, usize, usize),
}

impl NewRows {
    fn next(&mut self, table: Table) -> &mut Option<i64> {
        match table {
            Table::Companies => &mut self.next_company,
            Table::Contacts => &mut self.next_contact,
            Table::Leads => &mut self.next_lead,
        }
    }

    /// True when some table is numbered here.
    pub(super) fn numbers_any(&self) -> bool {
        self.next_company.is_some() || self.next_contact.is_some() || self.next_lead.is_some()
    }

    /// Reads the table's numbering again before its next row: a statement
    /// moved its sequence itself (only when none of its rows is held).
    pub(super) fn forget_numbering(&mut self, table: Table) {
        *self.next(table) = None;
    }

    pub(super) fn hold_company(&mut self, company: NewCompany) {
        self.companies.push(company);
        self.held.0 += 1;
    }

    pub(super) fn hold_contact(&mut self, contact: NewContact) {
        self.contacts.push(contact);
        self.held.1 += 1;
    }

    pub(super) fn hold_lead(&mut self, lead: NewLead) {
        self.leads.push(lead);
        self.held.2 += 1;
    }

    /// How many (companies, contacts, leads) were held in all, written
    /// since or not.
    #[cfg(test)]
    pub(super) fn held_in_all(&self) -> (usize, usize, usize) {
        self.held
    }

    /// The held contact with this id.
    pub(super) fn contact_mut(&mut self, id: i64) -> Option<&mut NewContact> {
        self.contacts.iter_mut().find(|contact| contact.id == id)
    }

    /// The held lead with this id.
    pub(super) fn lead_mut(&mut self, id: i64) -> Option<&mut NewLead> {
        self.leads.iter_mut().find(|lead| lead.id == id)
    }

    /// True when a contact with this canonical address is held.
    pub(super) fn holds_address(&self, canonical: &str) -> bool {
        self.contacts.iter().any(|c| c.canonical == canonical)
    }

    /// The most recently active held lead of this company (the last made
    /// of those equally active), with its latest activity: held leads are
    /// all open.
    pub(super) fn latest_lead_of_company(&self, company: i64) -> Option<(String, i64)> {
        self.leads
            .iter()
            .filter(|l| l.company_id == Some(company))
            .map(|l| (l.last_activity_at.clone(), l.id))
            .max()
    }

    /// True when companies are held, or company ids were used up that
    /// the sequence does not know of yet.
    pub(super) fn holds_companies(&self) -> bool {
        !self.companies.is_empty() || self.company_ids_taken
    }

    /// The held companies and, when ids were taken, the last one (the
    /// sequence is moved to it).
    pub(super) fn take_companies(&mut self) -> (Vec<NewCompany>, Option<i64>) {
        let last = match std::mem::take(&mut self.company_ids_taken) {
            true => self.next_company.map(|next| next - 1),
            false => None,
        };
        (std::mem::take(&mut self.companies), last)
    }

    pub(super) fn holds_contacts(&self) -> bool {
        !self.contacts.is_empty()
    }

    pub(super) fn holds_leads(&self) -> bool {
        !self.leads.is_empty()
    }

    pub(super) fn take_contacts(&mut self) -> Vec<NewContact> {
        std::mem::take(&mut self.contacts)
    }

    pub(super) fn take_leads(&mut self) -> Vec<NewLead> {
        std::mem::take(&mut self.leads)
    }
}

/// The id the table's next new row takes: numbered here once the
/// sequences' next values are read (one round trip for the three tables,
/// usually once a batch).
pub(super) async fn next_id(conn: &mut Conn, table: Table) -> Result<i64, StoreError> {
    let known = conn
        .deferred()
        .and_then(|held| *held.new_rows().next(table));
    if known.is_none() {
        let read = read_next_ids(conn).await?;
        if let Some(held) = conn.deferred() {
            let rows = held.new_rows();
            for (table, next) in TABLES.into_iter().zip(read) {
                rows.next(table).get_or_insert(next);
            }
        }
    }
    let Some(rows) = conn.deferred().map(|held| held.new_rows()) else {
        return Err(sqlx::Error::RowNotFound.into());
    };
    let next = rows.next(table);
    let id = next.unwrap_or_default();
    *next = Some(id + 1);
    rows.company_ids_taken |= table == Table::Companies;
    Ok(id)
}

/// The tables in the order [`read_next_ids`] reads them.
const TABLES: [Table; 3] = [Table::Companies, Table::Contacts, Table::Leads];

/// The next value of each table's id sequence, without taking it: the
/// value `nextval` gives, put back with `setval(…, false)` so the
/// sequence is left as it was. (`pg_sequence_last_value` cannot tell it:
/// it is NULL for a sequence set with `setval(…, n, false)`, as the seed
/// leaves them, whose next value is `n`, not the start.)
async fn read_next_ids(conn: &mut Conn) -> Result<[i64; 3], StoreError> {
    let next = |table: Table| {
        format!(
            "(SELECT setval(s, nextval(s), false) \
             FROM (SELECT CAST(pg_get_serial_sequence('{}', 'id') AS regclass) AS s) AS q)",
            table.name()
        )
    };
    let list: Vec<String> = TABLES.into_iter().map(next).collect();
    let sql = format!("SELECT {}", list.join(", "));
    let row = conn
        .fetch_optional(
            db::query(AssertSqlSafe(sql))
                // It reads the sequences only.
                .handles_deferred(Kinds::ALL),
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok([row.try_get(0)?, row.try_get(1)?, row.try_get(2)?])
}

/// `SELECT setval(…)` of the table's id sequence to the value bound at
/// `$placeholder` (the next `nextval` gives the one after it).
fn move_sequence(table: Table, placeholder: usize) -> String {
    format!(
        "SELECT setval(pg_get_serial_sequence('{}', 'id'), ${placeholder})",
        table.name()
    )
}

/// Writes the companies, then moves the sequence to `last` (past ids used
/// up without a row too): one statement per [`ROWS_PER_STATEMENT`]
/// companies, or only the move.
pub(super) async fn write_companies(
    conn: &mut dyn Connection,
    companies: Vec<NewCompany>,
    last: Option<i64>,
) -> Result<(), sqlx::Error> {
    let Some(last) = last else {
        return Ok(());
    };
    let chunks: Vec<&[NewCompany]> = companies.chunks(ROWS_PER_STATEMENT).collect();
    if chunks.is_empty() {
        let move_on = db::query(AssertSqlSafe(move_sequence(Table::Companies, 1)));
        conn.fetch_all(move_on.bind(last)).await?;
    }
    for chunk in chunks {
        let rows = chunk.len();
        let sql = format!(
            "WITH company AS ( \
               INSERT INTO companies (id, name, name_key, domain, created_at) VALUES {}) \
             {}",
            db::value_rows_after(Backend::Postgres, 0, rows, 5),
            move_sequence(Table::Companies, rows * 5 + 1)
        );
        let mut insert = db::query(AssertSqlSafe(sql)).persistent(false);
        for c in chunk {
            insert = insert
                .bind(c.id)
                .bind(c.name.as_str())
                .bind(c.name_key.as_str())
                .bind(c.domain.as_deref())
                .bind(c.created_at.as_str());
        }
        conn.fetch_all(insert.bind(last)).await?;
    }
    Ok(())
}

/// Writes the contacts and their addresses, then moves the sequence past
/// the last: one statement per [`ROWS_PER_STATEMENT`] contacts.
pub(super) async fn write_contacts(
    conn: &mut dyn Connection,
    contacts: Vec<NewContact>,
) -> Result<(), sqlx::Error> {
    for chunk in contacts.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk.len();
        let sql = format!(
            "WITH contact AS ( \
               INSERT INTO contacts (id, name, phone, title, company_id, created_at, updated_at) \
               VALUES {}), \
             address AS ( \
               INSERT INTO contact_emails (contact_id, address, canonical, created_at) \
               VALUES {}) \
             {}",
            db::value_rows_after(Backend::Postgres, 0, rows, 7),
            db::value_rows_after(Backend::Postgres, rows * 7, rows, 4),
            move_sequence(Table::Contacts, rows * 11 + 1)
        );
        let mut insert = db::query(AssertSqlSafe(sql)).persistent(false);
        for c in chunk {
            insert = insert
                .bind(c.id)
                .bind(c.name.as_deref())
                .bind(c.phone.as_deref())
                .bind(c.title.as_deref())
                .bind(c.company_id)
                .bind(c.created_at.as_str())
                .bind(c.updated_at.as_str());
        }
        for c in chunk {
            insert = insert
                .bind(c.id)
                .bind(c.address.as_str())
                .bind(c.canonical.as_str())
                .bind(c.created_at.as_str());
        }
        let last = chunk.last().map_or(0, |c| c.id);
        conn.fetch_all(insert.bind(last)).await?;
    }
    Ok(())
}

/// Writes the leads and their first next actions, then moves the
/// sequence past the last: one statement per [`ROWS_PER_STATEMENT`] leads.
pub(super) async fn write_leads(
    conn: &mut dyn Connection,
    leads: Vec<NewLead>,
) -> Result<(), sqlx::Error> {
    for chunk in leads.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk.len();
        let sql = format!(
            "WITH lead AS ( \
               INSERT INTO leads (id, kind, title, status, step, source, owner, company_id, \
                 created_at, last_activity_at, updated_at, filed_at, next_due_at) \
               VALUES {}), \
             action AS ( \
               INSERT INTO next_actions (lead_id, kind, note, due_at, created_at) \
               VALUES {}) \
             {}",
            db::value_rows_after(Backend::Postgres, 0, rows, 13),
            db::value_rows_after(Backend::Postgres, rows * 13, rows, 5),
            move_sequence(Table::Leads, rows * 18 + 1)
        );
        let mut insert = db::query(AssertSqlSafe(sql)).persistent(false);
        for l in chunk {
            insert = insert
                .bind(l.id)
                .bind(l.kind)
                .bind(l.title.as_str())
                .bind("todo")
                .bind(None::<&str>)
                .bind(l.source.as_str())
                .bind(l.owner.as_deref())
                .bind(l.company_id)
                .bind(l.created_at.as_str())
                .bind(l.last_activity_at.as_str())
                .bind(l.filed_at.as_str())
                .bind(l.filed_at.as_str())
                .bind(l.next_due_at.as_str());
        }
        for l in chunk {
            insert = insert
                .bind(l.id)
                .bind(l.action_kind.as_str())
                .bind(l.action_note.as_str())
                .bind(l.next_due_at.as_str())
                .bind(l.created_at.as_str());
        }
        let last = chunk.last().map_or(0, |l| l.id);
        conn.fetch_all(insert.bind(last)).await?;
    }
    Ok(())
}
