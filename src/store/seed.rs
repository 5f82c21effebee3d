//! Bulk seeding, for benchmarks only (`bench digest`, `bench web`): companies, contacts,
//! leads with their next actions, timelines and flags, and quarantine
//! entries, written with multi-row INSERTs in one transaction, so 100,000
//! leads take seconds instead of the minutes the per-message path would.
//!
//! Not a way to import data: it trusts its input (no contact matching, no
//! deduplication, no checks beyond the schema's) and is hidden from the docs.
//! The users the leads name as owners must exist (`Store::sync_users`).

use super::stamp::stamp;
use super::{Conn, Store, StoreError};
use crate::domain::{EmailAddress, LeadKind, LeadStatus, QuarantineReason, TimelineKind};
use crate::store::db::{self, Backend};
use chrono::{DateTime, Utc};

/// Rows per INSERT: at most 13 columns each, well under SQLite's 32,766
/// bound parameters per statement.
const CHUNK: usize = 1000;

/// What to write.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Seed {
    /// Companies; leads refer to them by index.
    pub companies: Vec<SeedCompany>,
    /// Leads and prospects, each with one primary contact.
    pub leads: Vec<SeedLead>,
    /// Quarantine entries (held).
    pub quarantined: Vec<SeedQuarantined>,
}

/// A company.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct SeedCompany {
    /// Its name.
    pub name: String,
    /// Its domain (unique), if any.
    pub domain: Option<String>,
}

/// A lead or prospect with everything hanging off it.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct SeedLead {
    /// Prospect or lead.
    pub kind: LeadKind,
    /// The title.
    pub title: String,
    /// The status (standby needs `standby_until`).
    pub status: LeadStatus,
    /// The pipeline step.
    pub step: Option<String>,
    /// The source text (`bcc`, `forward`, `partner:<name>`…).
    pub source: String,
    /// The owner's address (a user).
    pub owner: String,
    /// Index into [`Seed::companies`].
    pub company: Option<usize>,
    /// The primary contact.
    pub contact: SeedContact,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its latest activity.
    pub last_activity_at: DateTime<Utc>,
    /// Standby leads: until when.
    pub standby_until: Option<DateTime<Utc>>,
    /// Closed leads: why.
    pub close_reason: Option<String>,
    /// Next actions, at most one of them open (`done_at` unset).
    pub actions: Vec<SeedAction>,
    /// The timeline, in any order.
    pub timeline: Vec<SeedEntry>,
    /// When the `replied` flag was set, if it is.
    pub replied_at: Option<DateTime<Utc>>,
}

/// A lead's contact (one address).
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct SeedContact {
    /// The name.
    pub name: Option<String>,
    /// The address (unique across the seed).
    pub email: String,
    /// The phone.
    pub phone: Option<String>,
    /// The job title.
    pub title: Option<String>,
}

/// A next action; closed when `done` is set.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct SeedAction {
    /// call, email, meeting…
    pub kind: String,
    /// What to do.
    pub note: String,
    /// When it falls due.
    pub due_at: DateTime<Utc>,
    /// When it was set.
    pub created_at: DateTime<Utc>,
    /// When and how it was closed (`done`, `replaced`, `dropped`).
    pub done: Option<(DateTime<Utc>, &'static str)>,
}

/// A timeline entry.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct SeedEntry {
    /// What kind of entry.
    pub kind: TimelineKind,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who did it.
    pub actor: Option<String>,
    /// The subject.
    pub subject: String,
    /// The body.
    pub body: String,
    /// The message it came from (a normalised Message-ID), if any.
    pub message_key: Option<String>,
}

/// A held quarantine entry.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct SeedQuarantined {
    /// The user it names.
    pub user_email: String,
    /// The From as written.
    pub from: String,
    /// The subject.
    pub subject: String,
    /// Why.
    pub reason: QuarantineReason,
    /// Details.
    pub detail: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// The first free row ids of the tables the seed writes with explicit ids.
#[derive(Debug, Clone, Copy)]
struct Base {
    company: i64,
    contact: i64,
    lead: i64,
}

impl Store {
    /// Writes the seed in one transaction (benchmarks only; see the module).
    #[doc(hidden)]
    pub async fn seed(&self, seed: &Seed) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let base = Base {
            company: next_id(&mut tx, "SELECT COALESCE(MAX(id), 0) + 1 FROM companies").await?,
            contact: next_id(&mut tx, "SELECT COALESCE(MAX(id), 0) + 1 FROM contacts").await?,
            lead: next_id(&mut tx, "SELECT COALESCE(MAX(id), 0) + 1 FROM leads").await?,
        };
        insert_companies(&mut tx, seed, base).await?;
        insert_contacts(&mut tx, seed, base).await?;
        insert_leads(&mut tx, seed, base).await?;
        insert_lead_rows(&mut tx, seed, base).await?;
        insert_quarantine(&mut tx, &seed.quarantined).await?;
        let backend = tx.backend();
        if backend == Backend::Postgres {
            for table in ["companies", "contacts", "leads"] {
                catch_up_identity(&mut tx, table).await?;
            }
        }
        tx.commit().await?;
        if backend == Backend::Postgres {
            // As autovacuum soon would: without statistics the first
            // queries after the bulk load were planned blind (`bench web`
            // saw 0.6 s for a rep's My day until autovacuum's ANALYZE ran).
            db::query("ANALYZE").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Opens a web session for `user` whose cookie token hashes to
    /// `token_hash`, without a sign-in link (`bench web`).
    pub async fn seed_session(
        &self,
        user: &str,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        super::web::insert_session(&mut tx, token_hash, user, now, expires_at).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// PostgreSQL: rows inserted with explicit ids (companies, contacts, leads) leave the identity's
/// sequence behind; it moves past the highest id (SQLite's rowid needs no
/// help).
async fn catch_up_identity(conn: &mut Conn, table: &'static str) -> Result<(), StoreError> {
    // `table` is one of the seed's own table names, never input.
    let sql = format!(
        "SELECT setval(CAST(pg_get_serial_sequence('{table}', 'id') AS regclass), \
           (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
    );
    db::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The first free id of `sql`'s table (a `SELECT COALESCE(MAX(id), 0) + 1`).
async fn next_id(conn: &mut Conn, sql: &'static str) -> Result<i64, StoreError> {
    Ok(db::query_scalar(sql).fetch_one(&mut *conn).await?)
}

/// Inserts `rows` with `INSERT INTO … VALUES (…), (…)` in chunks.
async fn insert<T>(
    conn: &mut Conn,
    head: &str,
    rows: &[T],
    mut push: impl for<'v> FnMut(&mut db::Values<'v>, &T),
) -> Result<(), StoreError> {
    for chunk in rows.chunks(CHUNK) {
        let mut values = db::Values::new();
        for item in chunk {
            push(&mut values, item);
            values.end_row();
        }
        values
            .into_query(head, conn.backend())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn insert_companies(conn: &mut Conn, seed: &Seed, base: Base) -> Result<(), StoreError> {
    let rows: Vec<(i64, &SeedCompany)> = (base.company..).zip(&seed.companies).collect();
    let at = stamp(crate::clock::now());
    insert(
        conn,
        "INSERT INTO companies (id, name, name_key, domain, created_at) ",
        &rows,
        |row, (id, company)| {
            row.push_bind(*id)
                .push_bind(company.name.clone())
                .push_bind(company.name.trim().to_lowercase())
                .push_bind(company.domain.clone())
                .push_bind(at.clone());
        },
    )
    .await
}

async fn insert_contacts(conn: &mut Conn, seed: &Seed, base: Base) -> Result<(), StoreError> {
    let rows: Vec<(i64, &SeedLead)> = (base.contact..).zip(&seed.leads).collect();
    insert(
        conn,
        "INSERT INTO contacts (id, name, phone, title, company_id, created_at, updated_at) ",
        &rows,
        |row, (id, lead)| {
            let at = stamp(lead.created_at);
            row.push_bind(*id)
                .push_bind(lead.contact.name.clone())
                .push_bind(lead.contact.phone.clone())
                .push_bind(lead.contact.title.clone())
                .push_bind(company_id(base, lead))
                .push_bind(at.clone())
                .push_bind(at);
        },
    )
    .await?;
    let emails = rows
        .iter()
        .map(|(id, lead)| {
            let address =
                EmailAddress::parse(&lead.contact.email).map_err(|_| StoreError::Corrupt {
                    what: "seed address",
                    value: lead.contact.email.clone(),
                })?;
            Ok((*id, address, stamp(lead.created_at)))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    insert(
        conn,
        "INSERT INTO contact_emails (contact_id, address, canonical, created_at) ",
        &emails,
        |row, (id, address, at)| {
            row.push_bind(*id)
                .push_bind(address.as_str().to_string())
                .push_bind(address.canonical())
                .push_bind(at.clone());
        },
    )
    .await
}

fn company_id(base: Base, lead: &SeedLead) -> Option<i64> {
    lead.company
        .and_then(|index| i64::try_from(index).ok())
        .map(|index| base.company + index)
}

async fn insert_leads(conn: &mut Conn, seed: &Seed, base: Base) -> Result<(), StoreError> {
    let rows: Vec<(i64, &SeedLead)> = (base.lead..).zip(&seed.leads).collect();
    insert(
        conn,
        "INSERT INTO leads (id, kind, title, status, step, source, owner, company_id, \
         standby_until, close_reason, created_at, last_activity_at, updated_at, next_due_at) ",
        &rows,
        |row, (id, lead)| {
            row.push_bind(*id)
                .push_bind(lead.kind.as_str())
                .push_bind(lead.title.clone())
                .push_bind(lead.status.as_str())
                .push_bind(lead.step.clone())
                .push_bind(lead.source.clone())
                .push_bind(lead.owner.clone())
                .push_bind(company_id(base, lead))
                .push_bind(lead.standby_until.map(stamp))
                .push_bind(lead.close_reason.clone())
                .push_bind(stamp(lead.created_at))
                .push_bind(stamp(lead.last_activity_at))
                .push_bind(stamp(lead.last_activity_at))
                .push_bind(open_action_due(lead).map(stamp));
        },
    )
    .await
}

/// The due time of `lead`'s open next action, if it has one (the lead's
/// `next_due_at`).
fn open_action_due(lead: &SeedLead) -> Option<DateTime<Utc>> {
    lead.actions
        .iter()
        .find(|action| action.done.is_none())
        .map(|action| action.due_at)
}

/// The rows keyed by lead: primary contact, next actions, timeline, flags.
async fn insert_lead_rows(conn: &mut Conn, seed: &Seed, base: Base) -> Result<(), StoreError> {
    let ids = || (base.lead..).zip(base.contact..).zip(&seed.leads);
    let links: Vec<(i64, i64)> = ids().map(|(ids, _)| ids).collect();
    insert(
        conn,
        "INSERT INTO lead_contacts (lead_id, contact_id, position) ",
        &links,
        |row, (lead, contact)| {
            row.push_bind(*lead).push_bind(*contact).push_bind(0i64);
        },
    )
    .await?;
    let actions: Vec<(i64, &SeedAction)> = ids()
        .flat_map(|((id, _), lead)| lead.actions.iter().map(move |a| (id, a)))
        .collect();
    insert_actions(conn, &actions).await?;
    let entries: Vec<(i64, &SeedEntry)> = ids()
        .flat_map(|((id, _), lead)| lead.timeline.iter().map(move |e| (id, e)))
        .collect();
    insert_timeline(conn, &entries).await?;
    let flags: Vec<(i64, DateTime<Utc>)> = ids()
        .filter_map(|((id, _), lead)| lead.replied_at.map(|at| (id, at)))
        .collect();
    insert(
        conn,
        "INSERT INTO lead_flags (lead_id, flag, set_at) ",
        &flags,
        |row, (id, at)| {
            row.push_bind(*id)
                .push_bind("replied")
                .push_bind(stamp(*at));
        },
    )
    .await
}

async fn insert_actions(conn: &mut Conn, actions: &[(i64, &SeedAction)]) -> Result<(), StoreError> {
    insert(
        conn,
        "INSERT INTO next_actions (lead_id, kind, note, due_at, created_at, done_at, closed_as) ",
        actions,
        |row, (id, action)| {
            row.push_bind(*id)
                .push_bind(action.kind.clone())
                .push_bind(action.note.clone())
                .push_bind(stamp(action.due_at))
                .push_bind(stamp(action.created_at))
                .push_bind(action.done.map(|(at, _)| stamp(at)))
                .push_bind(action.done.map(|(_, how)| how));
        },
    )
    .await
}

async fn insert_timeline(conn: &mut Conn, entries: &[(i64, &SeedEntry)]) -> Result<(), StoreError> {
    insert(
        conn,
        "INSERT INTO timeline (lead_id, kind, occurred_at, actor, subject, body, message_key, \
         created_at) ",
        entries,
        |row, (id, entry)| {
            let at = stamp(entry.occurred_at);
            row.push_bind(*id)
                .push_bind(entry.kind.as_str())
                .push_bind(at.clone())
                .push_bind(entry.actor.clone())
                .push_bind(entry.subject.clone())
                .push_bind(entry.body.clone())
                .push_bind(entry.message_key.clone())
                .push_bind(at);
        },
    )
    .await
}

async fn insert_quarantine(conn: &mut Conn, held: &[SeedQuarantined]) -> Result<(), StoreError> {
    let rows: Vec<(usize, &SeedQuarantined)> = held.iter().enumerate().collect();
    insert(
        conn,
        "INSERT INTO quarantine (message_key, from_address, subject, reason, detail, user_email, \
         occurred_at, received_at, raw, status) ",
        &rows,
        |row, (index, q)| {
            let at = stamp(q.received_at);
            let raw = format!("From: {}\r\nSubject: {}\r\n\r\n", q.from, q.subject);
            row.push_bind(format!("seed-quarantine-{index}@bench.invalid"))
                .push_bind(q.from.clone())
                .push_bind(q.subject.clone())
                .push_bind(q.reason.as_str())
                .push_bind(q.detail.clone())
                .push_bind(q.user_email.clone())
                .push_bind(at.clone())
                .push_bind(at)
                .push_bind(raw.into_bytes())
                .push_bind("held");
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::content::Reach;
    use crate::store::UserRecord;
    use chrono::{Duration, TimeZone};

    fn at(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 6, 0, 0).unwrap() + Duration::hours(hours)
    }

    /// Lead `i` of `owner`: every third closed, due `i * 7 - 40` hours from
    /// `at(0)` (none for every fifth), two timeline entries at one instant.
    fn lead(i: usize, owner: &str) -> SeedLead {
        let status = match i % 6 {
            0 => LeadStatus::Won,
            3 => LeadStatus::Standby,
            _ => LeadStatus::Todo,
        };
        let entry = |subject: &str| SeedEntry {
            kind: TimelineKind::EmailIn,
            occurred_at: at(-(i as i64) * 30),
            actor: None,
            subject: subject.into(),
            body: "Hello".into(),
            message_key: None,
        };
        SeedLead {
            kind: if i % 4 == 1 {
                LeadKind::Prospect
            } else {
                LeadKind::Lead
            },
            title: format!("Lead {i}"),
            status,
            step: None,
            source: "forward".into(),
            owner: owner.into(),
            company: i.is_multiple_of(2).then_some(0),
            contact: SeedContact {
                name: Some(format!("Contact {i}")),
                email: format!("c{i}@globex.test"),
                phone: None,
                title: None,
            },
            created_at: at(-(i as i64) * 40),
            last_activity_at: at(-(i as i64) * 30),
            standby_until: (status == LeadStatus::Standby).then(|| at(100)),
            close_reason: None,
            actions: (!i.is_multiple_of(5))
                .then(|| SeedAction {
                    kind: "call".into(),
                    note: String::new(),
                    due_at: at(i as i64 * 7 - 40),
                    created_at: at(-1),
                    done: None,
                })
                .into_iter()
                .collect(),
            timeline: vec![entry("first"), entry("second, same instant")],
            replied_at: (i % 7 == 2).then(|| at(-3)),
        }
    }

    async fn seeded() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/seed.db", dir.path().display());
        let store = Store::open(&url).await.unwrap();
        let users: Vec<UserRecord> = ["alice@acme.test", "bruno@acme.test"]
            .iter()
            .map(|email| UserRecord {
                email: email.to_string(),
                name: email.to_string(),
                role: "user".into(),
                team: None,
                time_zone: "Europe/Lisbon".into(),
                workday_start: "09:00".into(),
                digest_at: "07:30".into(),
                active: true,
            })
            .collect();
        store.sync_users(&users).await.unwrap();
        let seed = Seed {
            companies: vec![SeedCompany {
                name: "Globex".into(),
                domain: Some("globex.test".into()),
            }],
            leads: (0..40)
                .map(|i| lead(i, ["alice@acme.test", "bruno@acme.test"][i % 2]))
                .collect(),
            quarantined: Vec::new(),
        };
        store.seed(&seed).await.unwrap();
        (store, dir)
    }

    #[tokio::test]
    async fn one_pass_reads_each_owners_rows_as_the_per_owner_query_within_a_reach() {
        let (store, _dir) = seeded().await;
        let wide = Reach {
            due_before: at(100_000),
            created_after: at(-100_000),
            quiet_before: None,
        };
        let narrow = Reach {
            due_before: at(24),
            created_after: at(-200),
            quiet_before: Some(at(-700)),
        };
        let all = store.digest_leads_within(&wide).await.unwrap();
        let some = store.digest_leads_within(&narrow).await.unwrap();
        // Alice has the even leads, a third of which are won; Bruno the odd ones.
        for (owner, open) in [("alice@acme.test", 13), ("bruno@acme.test", 20)] {
            let one = store.digest_leads(owner).await.unwrap();
            assert_eq!(one.len(), open, "{owner}'s open leads");
            for (reach, read) in [(wide, &all), (narrow, &some)] {
                let covered: Vec<_> = one.iter().filter(|l| reach.covers(l)).cloned().collect();
                assert_eq!(read[owner], covered, "the SQL filter is Reach::covers");
            }
            assert!(some[owner].len() < all[owner].len() && !some[owner].is_empty());
        }
        let first = &all["alice@acme.test"][0];
        assert_eq!(first.company.as_deref(), Some("Globex"));
        assert_eq!(
            first.last_activity.as_ref().map(|a| a.subject.as_str()),
            Some("second, same instant"),
            "the latest entry; on a tie, the last written"
        );
    }
}
