//! Store tests, each on a fresh database with plans built by hand: a SQLite
//! file in its own temporary directory, or with `LEADMAIL_TEST_POSTGRES`
//! set to a server's URL (`scripts/test.sh` starts one), a new database
//! on that PostgreSQL server.

mod actions;
mod apply;
mod attachments;
mod commands;
mod copy;
mod deferred;
mod digest_reply;
mod leases;
mod mailboxes;
mod next_due;
mod outbox;
mod search;
mod team_counts;
mod threads;
mod trust;
mod views;
mod webhooks;

use super::{Store, UserRecord};
use crate::domain::{EmailAddress, LeadKind, LeadSource, MessageKey, TimelineKind};
use crate::ingest::plan::{
    Action, BounceMail, BouncedAddress, Commands, CompanyDraft, ContactDraft, Fallback, IngestPlan,
    LeadMail, NewLead, NextActionDraft, OutboundGroup, OutboundMail, ThreadMail, TimelineDraft,
};
use crate::store::db;
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;
use tempfile::TempDir;

/// Every table, for row counts.
const TABLES: &[&str] = &[
    "companies",
    "contacts",
    "contact_emails",
    "leads",
    "lead_contacts",
    "lead_tags",
    "lead_flags",
    "next_actions",
    "timeline",
    "processed_messages",
    "processed_message_leads",
    "quarantine",
];

/// A store on a fresh file; the directory lives as long as the value.
struct TestDb {
    store: Store,
    url: String,
    _dir: TempDir,
}

async fn fresh() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("LEADMAIL_TEST_POSTGRES") {
        Ok(server) if !server.is_empty() => new_postgres_database(&server).await,
        _ => format!("sqlite://{}/leadmail.db", dir.path().display()),
    };
    let store = Store::open(&url).await.unwrap();
    store
        .sync_users(&[user("alice@acme.test"), user("bob@acme.test")])
        .await
        .unwrap();
    TestDb {
        store,
        url,
        _dir: dir,
    }
}

/// A new, empty database on the PostgreSQL server at `server` (a URL
/// naming any database the user may connect to), and its URL.
async fn new_postgres_database(server: &str) -> String {
    use sqlx::Connection as _;
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("store_test_{}_{n}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(server).await.unwrap();
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, _) = server.rsplit_once('/').expect("a URL with a database name");
    format!("{base}/{name}")
}

/// True (with a note) when the test is about SQLite's own behaviour and
/// the tests run on PostgreSQL.
fn sqlite_only(store: &Store) -> bool {
    let other = store.backend() != super::Backend::Sqlite;
    if other {
        eprintln!(
            "skipped on {}: the test is about SQLite",
            store.backend().name()
        );
    }
    other
}

fn user(email: &str) -> UserRecord {
    UserRecord {
        email: email.into(),
        name: email.split('@').next().unwrap().into(),
        role: "user".into(),
        team: Some("iberia".into()),
        time_zone: "Europe/Lisbon".into(),
        workday_start: "09:00".into(),
        digest_at: "07:30".into(),
        active: true,
    }
}

/// Rows per table, to compare before and after.
async fn counts(store: &Store) -> Vec<(&'static str, i64)> {
    let mut all = Vec::new();
    for table in TABLES {
        let sql = AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        let n: i64 = db::query_scalar(sql).fetch_one(&store.pool).await.unwrap();
        all.push((*table, n));
    }
    all
}

async fn count(store: &Store, table: &str) -> i64 {
    let all = counts(store).await;
    all.iter().find(|(t, _)| *t == table).unwrap().1
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn addr(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

fn key(text: &str) -> MessageKey {
    MessageKey::from_header(text).unwrap()
}

fn person(email: &str, name: &str, company: Option<(&str, &str)>) -> ContactDraft {
    ContactDraft {
        email: addr(email),
        name: Some(name.into()),
        phone: None,
        title: None,
        company: company.map(|(name, domain)| CompanyDraft {
            name: name.into(),
            domain: Some(domain.into()).filter(|d: &String| !d.is_empty()),
        }),
    }
}

/// A seeded lead, to do and Alice's, of a nameless contact with `email`,
/// made and last active at `at`.
fn seed_lead(
    email: &str,
    company: Option<usize>,
    actions: Vec<crate::store::seed::SeedAction>,
    at: DateTime<Utc>,
) -> crate::store::seed::SeedLead {
    crate::store::seed::SeedLead {
        kind: LeadKind::Lead,
        title: "Seeded".into(),
        status: crate::domain::LeadStatus::Todo,
        step: None,
        standby_until: None,
        close_reason: None,
        source: "forward".into(),
        owner: "alice@acme.test".into(),
        company,
        contact: crate::store::seed::SeedContact {
            name: None,
            email: email.into(),
            phone: None,
            title: None,
        },
        created_at: at,
        last_activity_at: at,
        actions,
        timeline: Vec::new(),
        replied_at: None,
    }
}

fn entry(kind: TimelineKind, when: &str, subject: &str) -> TimelineDraft {
    TimelineDraft {
        kind,
        occurred_at: at(when),
        actor: Some("jane@globex.test".into()),
        subject: subject.into(),
        body: format!("body of {subject}"),
    }
}

fn next(due: &str, note: &str) -> NextActionDraft {
    NextActionDraft {
        due_at: at(due),
        kind: "call".into(),
        note: note.into(),
    }
}

fn new_lead(kind: LeadKind, title: &str, owner: &str) -> NewLead {
    NewLead {
        kind,
        title: title.into(),
        source: LeadSource::Forward,
        owner: Some(addr(owner)),
        first_action: next("2026-11-23T09:00:00Z", "call back"),
    }
}

fn plan(message_id: &str, when: &str, action: Action) -> IngestPlan {
    IngestPlan {
        key: key(message_id),
        from: Some("alice@acme.test".into()),
        sender: EmailAddress::parse("alice@acme.test").ok(),
        subject: "Inquiry".into(),
        occurred_at: at(when),
        rule: "test_rule",
        reason: "built by hand".into(),
        action,
        attachments: Vec::new(),
        fingerprint: None,
    }
}

/// A rep's forward of an inquiry from `contact`.
fn lead_mail(contact: ContactDraft, when: &str, commands: Commands) -> LeadMail {
    LeadMail {
        contacts: vec![contact],
        new_lead: new_lead(LeadKind::Lead, "Pricing for 50 seats", "alice@acme.test"),
        entries: vec![entry(TimelineKind::EmailIn, when, "Pricing for 50 seats")],
        commands,
    }
}

fn jane() -> ContactDraft {
    person(
        "jane@globex.test",
        "Jane Roe",
        Some(("Globex", "globex.test")),
    )
}

fn lead_plan(message_id: &str, when: &str) -> IngestPlan {
    plan(
        message_id,
        when,
        Action::Lead(lead_mail(jane(), when, Commands::default())),
    )
}

/// Alice's BCC'd mail to `contacts` (one company group).
fn outbound_plan(message_id: &str, when: &str, contacts: Vec<ContactDraft>) -> IngestPlan {
    let group = OutboundGroup {
        contacts,
        new_prospect: new_lead(LeadKind::Prospect, "Intro", "alice@acme.test"),
    };
    let mail = OutboundMail {
        rep: addr("alice@acme.test"),
        groups: vec![group],
        entry: entry(TimelineKind::EmailOut, when, "Intro"),
        commands: Commands {
            by: Some(addr("alice@acme.test")),
            ..Commands::default()
        },
    };
    plan(message_id, when, Action::Outbound(mail))
}

/// A mail in reply to `references`, from `sender`.
fn thread_mail(
    references: &[&str],
    sender: ContactDraft,
    kind: TimelineKind,
    when: &str,
) -> ThreadMail {
    ThreadMail {
        routing_lead: None,
        references: references.iter().map(|r| key(r)).collect(),
        sender: Some(sender),
        match_sender: kind != TimelineKind::AutoReply,
        entry: entry(kind, when, "Re: Intro"),
        flag_replied: kind == TimelineKind::EmailIn,
        commands: Commands::default(),
        fallback: Fallback::Record,
    }
}

/// A bounce of the message `a1@globex.test` (the one `lead_plan` files).
fn bounce_plan(message_id: &str, when: &str, address: &str) -> IngestPlan {
    let mail = BounceMail {
        recipients: vec![BouncedAddress {
            address: addr(address),
            hard: true,
            detail: "5.1.1 user unknown".into(),
            vouched: false,
        }],
        originals: vec![key("a1@globex.test")],
        entry: entry(
            TimelineKind::Bounce,
            when,
            "Undelivered Mail Returned to Sender",
        ),
    };
    plan(message_id, when, Action::Bounce(mail))
}
