//! A batch that holds its timeline entries, contact links and activity
//! back (`store::deferred`) writes what the same plans write one message
//! per transaction, each row at once: every table, row for row, ids
//! included (only the wall clock's stamps are left out).

use super::*;
use crate::commands::Command;
use crate::domain::LeadStatus;
use crate::ingest::plan::Outcome;
use crate::store::{Applied, FolderMessage, FolderRef};

const FOLDER: FolderRef<'static> = FolderRef {
    mailbox: "crm",
    folder: "INBOX",
    uid_validity: 1,
    fence: None,
};

/// Columns stamped with the wall clock when written (not the message's
/// time): they differ between any two runs.
const CLOCK_COLUMNS: &[(&str, &str)] = &[
    ("leads", "updated_at"),
    ("leads", "filed_at"),
    ("timeline", "created_at"),
    ("processed_messages", "processed_at"),
    ("quarantine", "received_at"),
    ("mailbox_state", "last_sync_at"),
    ("webhook_events", "created_at"),
    ("outbox", "created_at"),
    ("outbox", "next_attempt_at"),
];

/// The tables compared: every table the apply path writes.
fn tables() -> Vec<&'static str> {
    let mut all = TABLES.to_vec();
    all.extend(["mailbox_state", "webhook_events", "outbox", "attachments"]);
    all
}

/// A table's column names, in order.
async fn columns(store: &Store, table: &str) -> Vec<String> {
    let sql = match store.backend() {
        crate::store::Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        crate::store::Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position"
        }
    };
    db::query_scalar(sql)
        .bind(table)
        .fetch_all(&store.pool)
        .await
        .unwrap()
}

/// Every row of every table as text, in the order of all its columns,
/// without the wall clock's columns.
async fn dump(store: &Store) -> Vec<(String, Vec<Vec<Option<String>>>)> {
    let mut all = Vec::new();
    for table in tables() {
        let kept: Vec<String> = columns(store, table)
            .await
            .into_iter()
            .filter(|c| !CLOCK_COLUMNS.contains(&(table, c.as_str())))
            .collect();
        assert!(!kept.is_empty(), "no columns read for {table}");
        let list: Vec<String> = kept.iter().map(|c| format!("CAST({c} AS TEXT)")).collect();
        let order: Vec<String> = (1..=kept.len()).map(|i| i.to_string()).collect();
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY {}",
            list.join(", "),
            order.join(", ")
        );
        let rows = db::query(AssertSqlSafe(sql))
            .fetch_all(&store.pool)
            .await
            .unwrap();
        let rows: Vec<Vec<Option<String>>> = rows
            .iter()
            .map(|row| (0..kept.len()).map(|i| row.try_get(i).unwrap()).collect())
            .collect();
        all.push((format!("{table} ({})", kept.join(", ")), rows));
    }
    all
}

/// The plans as one folder's messages, UIDs from 1.
fn messages<'a>(plans: &'a [IngestPlan], raws: &'a [Vec<u8>]) -> Vec<FolderMessage<'a>> {
    plans
        .iter()
        .zip(raws)
        .zip(1..)
        .map(|((plan, raw), uid)| FolderMessage {
            plan,
            raw,
            size: raw.len() as u64,
            uid,
        })
        .collect()
}

/// Applies the plans to `held` in batches of `batch`, rows held back, and
/// to `one_by_one` one message per transaction, each row written at once;
/// asserts both report the same and hold the same rows; returns the report.
async fn same_both_ways(
    held: &Store,
    one_by_one: &Store,
    plans: &[IngestPlan],
    raws: &[Vec<u8>],
    batch: usize,
) -> Vec<Applied> {
    let all = messages(plans, raws);
    let mut batched = Vec::new();
    for chunk in all.chunks(batch) {
        let applied = held.apply_batch_holding(&FOLDER, chunk, true).await;
        batched.extend(applied.unwrap());
    }
    let mut single = Vec::new();
    for message in &all {
        let applied = one_by_one
            .apply_batch_holding(&FOLDER, std::slice::from_ref(message), false)
            .await;
        single.extend(applied.unwrap());
    }
    assert_eq!(batched, single, "the reports differ");
    let (held_rows, single_rows) = (dump(held).await, dump(one_by_one).await);
    for ((table, held), (_, single)) in held_rows.iter().zip(&single_rows) {
        assert_eq!(held, single, "{table} differs");
    }
    batched
}

fn thread_plan(id: &str, to: &[&str], from: ContactDraft, when: &str) -> IngestPlan {
    let mail = thread_mail(to, from, TimelineKind::EmailIn, when);
    plan(id, when, Action::Thread(mail))
}

fn globex(local: &str, name: &str) -> ContactDraft {
    let email = format!("{local}@globex.test");
    person(&email, name, Some(("Globex", "globex.test")))
}

/// Replies within the batch (to its own mail, to replies of the batch),
/// new senders linked one after another, a contact linked to a second
/// open lead whose activity the batch moves (so the contact's next mail
/// goes there), commands whose entries follow the mail's, and a bounce
/// that reads the timeline.
#[tokio::test]
async fn a_batch_holding_rows_back_writes_what_one_message_per_transaction_writes() {
    let (held, one_by_one) = (fresh().await, fresh().await);
    for store in [&held.store, &one_by_one.store] {
        // A webhook's cursor: the changes are written as events too.
        store
            .enqueue_webhook_events("hook", &[], at("2026-11-20T08:00:00Z"))
            .await
            .unwrap();
    }
    let kim = person("kim@initech.test", "Kim", Some(("Initech", "initech.test")));
    let commands = Commands {
        accepted: vec![
            Command::Tag { tag: "hot".into() },
            Command::Next(next("2026-11-25T09:00:00Z", "send the quote")),
            Command::Status {
                status: LeadStatus::Standby,
                until: Some(at("2026-12-01T09:00:00Z")),
                reason: None,
            },
        ],
        rejected: Vec::new(),
        by: Some(addr("alice@acme.test")),
    };
    let mut with_commands = lead_mail(globex("jane", "Jane Roe"), "2026-11-21T12:00:00Z", commands);
    with_commands.entries.push(entry(
        TimelineKind::Note,
        "2026-11-21T12:01:00Z",
        "a note of the same message",
    ));
    let plans = vec![
        lead_plan("a1@globex.test", "2026-11-20T09:00:00Z"),
        outbound_plan("o1@acme.test", "2026-11-19T10:00:00Z", vec![kim.clone()]),
        thread_plan(
            "r1@initech.test",
            &["o1@acme.test"],
            kim,
            "2026-11-20T11:00:00Z",
        ),
        thread_plan(
            "r2@globex.test",
            &["a1@globex.test"],
            globex("john", "John"),
            "2026-11-20T12:00:00Z",
        ),
        thread_plan(
            "r3@globex.test",
            &["a1@globex.test"],
            globex("mary", "Mary"),
            "2026-11-20T13:00:00Z",
        ),
        thread_plan(
            "r4@globex.test",
            &["r2@globex.test"],
            globex("john", "John"),
            "2026-11-20T14:00:00Z",
        ),
        thread_plan(
            "r5@globex.test",
            &["o1@acme.test"],
            globex("jane", "Jane Roe"),
            "2026-11-21T10:00:00Z",
        ),
        plan(
            "a2@globex.test",
            "2026-11-21T11:00:00Z",
            Action::Lead(lead_mail(
                globex("jane", "Jane Roe"),
                "2026-11-21T11:00:00Z",
                Commands::default(),
            )),
        ),
        plan(
            "a3@globex.test",
            "2026-11-21T12:00:00Z",
            Action::Lead(with_commands),
        ),
        bounce_plan("b1@mailer.test", "2026-11-22T09:00:00Z", "jane@globex.test"),
        thread_plan(
            "r6@globex.test",
            &["a3@globex.test"],
            globex("mary", "Mary"),
            "2026-11-22T10:00:00Z",
        ),
    ];
    let raws: Vec<Vec<u8>> = plans
        .iter()
        .map(|p| p.key.as_str().as_bytes().to_vec())
        .collect();
    let applied = same_both_ways(&held.store, &one_by_one.store, &plans, &raws, plans.len()).await;
    let outcomes: Vec<Outcome> = applied.iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::CreatedLead,
            Outcome::CreatedProspect,
            Outcome::Appended,
            Outcome::Appended,
            Outcome::Appended,
            Outcome::Appended,
            Outcome::Appended,
            Outcome::Appended,
            Outcome::Appended,
            Outcome::Bounce,
            Outcome::Appended,
        ]
    );
    let (jane_lead, kim_prospect) = (applied[0].lead_ids[0], applied[1].lead_ids[0]);
    // r4 answers r2, a reply of the same batch; jane's reply to o1 linked
    // her to kim's prospect, now her most recently active open record
    // (though older than her lead as written before the batch: o1 was
    // sent before a1, and the replies' activity is held until the end).
    assert_eq!(applied[5].lead_ids, [jane_lead]);
    assert_eq!(applied[6].lead_ids, [kim_prospect]);
    assert_eq!(applied[7].lead_ids, [kim_prospect]);
    let positions: Vec<(i64, i64)> = db::query_as(
        "SELECT contact_id, position FROM lead_contacts WHERE lead_id = $1 ORDER BY position",
    )
    .bind(jane_lead)
    .fetch_all(&held.store.pool)
    .await
    .unwrap();
    assert_eq!(positions.iter().map(|p| p.1).collect::<Vec<_>>(), [0, 1, 2]);
}

/// The same with many plans: the synthetic corpus of `bench store`,
/// planned with the fixture config, in batches of 50.
#[cfg(feature = "bench")]
#[tokio::test]
async fn the_bench_corpus_in_batches_writes_what_it_writes_one_message_per_transaction() {
    use crate::config::Settings;
    let config =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/leadmail.toml");
    let settings = Settings::load(&config).unwrap();
    let arrived = at("2027-06-01T12:00:00Z");
    let raws: Vec<Vec<u8>> = (0..400)
        .map(|i| crate::synth::generate_sized(7, i, crate::synth::Sizes::Small).bytes)
        .collect();
    let plans: Vec<IngestPlan> = raws
        .iter()
        .map(|raw| crate::ingest::plan_message(raw, &settings, arrived))
        .collect();
    let (held, one_by_one) = (fresh().await, fresh().await);
    let users = crate::app::user_records(&settings);
    for store in [&held.store, &one_by_one.store] {
        store.sync_users(&users).await.unwrap();
    }
    let applied = same_both_ways(&held.store, &one_by_one.store, &plans, &raws, 50).await;
    let appended = applied
        .iter()
        .filter(|a| a.outcome == Outcome::Appended)
        .count();
    let created = applied
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::CreatedLead | Outcome::CreatedProspect))
        .count();
    assert!(
        appended > 40 && created > 40,
        "{appended} appended, {created} created"
    );
}

/// Alice's digest reply: convert lead `lead_id`.
fn convert_plan(message_id: &str, when: &str, lead_id: i64) -> IngestPlan {
    use crate::commands::reply::{ReplyAction, ReplyCommand};
    let mail = crate::ingest::plan::DigestReplyMail {
        user: addr("alice@acme.test"),
        commands: vec![ReplyCommand {
            lead_id,
            action: ReplyAction::Convert,
            line: format!("convert {lead_id}"),
        }],
        not_understood: Vec::new(),
        reply_message_id: Some(format!("<{message_id}>")),
        confirmation_id: format!("<confirm.{message_id}>"),
        time_zone: "Europe/Lisbon".into(),
    };
    plan(message_id, when, Action::DigestReply(mail))
}

/// With no webhook, flags are held too: a prospect's reply flags it once
/// (its first setting kept), converting it in the same batch clears the
/// flag, and a reply after that sets none; another prospect keeps its flag.
#[tokio::test]
async fn flags_held_back_are_set_and_cleared_as_one_message_at_a_time_would() {
    let (held, one_by_one) = (fresh().await, fresh().await);
    let kim = person("kim@initech.test", "Kim", Some(("Initech", "initech.test")));
    let lee = person(
        "lee@umbrella.test",
        "Lee",
        Some(("Umbrella", "umbrella.test")),
    );
    let plans = vec![
        outbound_plan("o1@acme.test", "2026-11-20T09:00:00Z", vec![kim.clone()]),
        outbound_plan("o2@acme.test", "2026-11-20T09:30:00Z", vec![lee.clone()]),
        thread_plan(
            "r1@initech.test",
            &["o1@acme.test"],
            kim.clone(),
            "2026-11-20T10:00:00Z",
        ),
        thread_plan(
            "r2@umbrella.test",
            &["o2@acme.test"],
            lee,
            "2026-11-20T10:30:00Z",
        ),
        thread_plan(
            "r3@initech.test",
            &["o1@acme.test"],
            kim.clone(),
            "2026-11-20T11:00:00Z",
        ),
        convert_plan("d1@acme.test", "2026-11-20T12:00:00Z", 1),
        thread_plan(
            "r4@initech.test",
            &["r1@initech.test"],
            kim,
            "2026-11-20T13:00:00Z",
        ),
    ];
    let raws: Vec<Vec<u8>> = plans
        .iter()
        .map(|p| p.key.as_str().as_bytes().to_vec())
        .collect();
    let applied = same_both_ways(&held.store, &one_by_one.store, &plans, &raws, plans.len()).await;
    assert_eq!(applied[0].lead_ids, [1]);
    let lee_prospect = applied[1].lead_ids[0];
    let flags: Vec<(i64, String, String)> =
        db::query_as("SELECT lead_id, flag, set_at FROM lead_flags ORDER BY lead_id")
            .fetch_all(&held.store.pool)
            .await
            .unwrap();
    let set_at = "2026-11-20T10:30:00.000000Z".to_string();
    assert_eq!(flags, [(lee_prospect, "replied".to_string(), set_at)]);
    let kind: String = db::query_scalar("SELECT kind FROM leads WHERE id = 1")
        .fetch_one(&held.store.pool)
        .await
        .unwrap();
    assert_eq!(kind, "lead");
}

fn draft(
    email: &str,
    name: Option<&str>,
    phone: Option<&str>,
    company: (&str, &str),
) -> ContactDraft {
    let mut contact = person(email, name.unwrap_or(""), Some(company));
    contact.name = name.map(str::to_string);
    contact.phone = phone.map(str::to_string);
    contact
}

/// Contacts known before the batch are upserted from what it read when it
/// began: their empty fields are filled once (a later name does not
/// overwrite the first), companies by name and by domain are found as
/// the database would find them, and the company ids a known company's
/// upsert used up on PostgreSQL are used up all the same.
#[tokio::test]
async fn contacts_read_when_the_batch_began_are_upserted_as_the_database_would() {
    let (held, one_by_one) = (fresh().await, fresh().await);
    let ann = |name, phone| draft("ann@free.test", name, phone, ("Ann Co", ""));
    let bo = |name, phone| draft("bo@initech.test", name, phone, ("Initech", "initech.test"));
    let out = |id: &str, when: &str, who: Vec<ContactDraft>| outbound_plan(id, when, who);
    let mut plans = vec![
        out(
            "o1@acme.test",
            "2026-11-20T09:00:00Z",
            vec![ann(None, None)],
        ),
        out("o2@acme.test", "2026-11-20T09:01:00Z", vec![bo(None, None)]),
    ];
    for i in 0..6 {
        let who = draft(
            &format!("x{i}@globex.test"),
            Some("X"),
            None,
            ("Globex", "globex.test"),
        );
        plans.push(out(
            &format!("f{i}@acme.test"),
            "2026-11-20T09:02:00Z",
            vec![who],
        ));
    }
    plans.extend([
        thread_plan(
            "r1@free.test",
            &["o1@acme.test"],
            ann(Some("Ann"), Some("123")),
            "2026-11-21T09:00:00Z",
        ),
        out(
            "o3@acme.test",
            "2026-11-21T09:01:00Z",
            vec![ann(Some("Annie"), Some("456"))],
        ),
        thread_plan(
            "r2@initech.test",
            &["o2@acme.test"],
            bo(Some("Bo"), None),
            "2026-11-21T09:02:00Z",
        ),
        out(
            "o4@acme.test",
            "2026-11-21T09:03:00Z",
            vec![bo(Some("Bob"), Some("789"))],
        ),
        out(
            "o5@acme.test",
            "2026-11-21T09:04:00Z",
            vec![draft(
                "cy@initech.test",
                Some("Cy"),
                None,
                ("Initech", "initech.test"),
            )],
        ),
        out(
            "o6@acme.test",
            "2026-11-21T09:05:00Z",
            vec![draft(
                "dee@umbrella.test",
                Some("Dee"),
                None,
                ("Umbrella", "umbrella.test"),
            )],
        ),
        out(
            "o7@acme.test",
            "2026-11-21T09:06:00Z",
            vec![draft("ann@free.test", None, None, ("ann  CO", ""))],
        ),
        out(
            "o8@acme.test",
            "2026-11-21T09:07:00Z",
            vec![draft("eve@free.test", Some("Eve"), None, ("Ann Co", ""))],
        ),
    ]);
    let raws: Vec<Vec<u8>> = plans
        .iter()
        .map(|p| p.key.as_str().as_bytes().to_vec())
        .collect();
    same_both_ways(&held.store, &one_by_one.store, &plans, &raws, 8).await;
    let fields: Vec<(Option<String>, Option<String>)> = db::query_as(
        "SELECT c.name, c.phone FROM contacts c JOIN contact_emails ce ON ce.contact_id = c.id \
         WHERE ce.canonical IN ('ann@free.test', 'bo@initech.test') ORDER BY ce.canonical",
    )
    .fetch_all(&held.store.pool)
    .await
    .unwrap();
    let some = |v: &str| Some(v.to_string());
    assert_eq!(
        fields,
        [(some("Ann"), some("123")), (some("Bo"), some("789"))]
    );
}

/// A lead mail from `contact` with these commands, filed by `message_id`.
fn inquiry(message_id: &str, when: &str, contact: ContactDraft, commands: Commands) -> IngestPlan {
    plan(
        message_id,
        when,
        Action::Lead(lead_mail(contact, when, commands)),
    )
}

/// With no webhook, PostgreSQL holds a batch's new companies, contacts
/// and leads back too (`store::new_rows`), numbering them itself: a new
/// sender writing twice (filling a field the second time), two new
/// senders of one new company, a new company by name met twice, a known
/// company and a known contact whose lead was closed, a command on a new
/// lead, a reply from a new contact found by address, a bounce of a new
/// contact's address and a new lead of a company with a held lead: every
/// row and id as one message at a time writes them.
#[tokio::test]
async fn new_companies_contacts_and_leads_held_back_are_written_as_one_message_at_a_time_would() {
    let (held, one_by_one) = (fresh().await, fresh().await);
    // Before the batch: a known contact of a known company, its lead lost.
    let old = person("old@known.test", "Old", Some(("Known", "known.test")));
    let lost = Commands {
        accepted: vec![Command::Status {
            status: LeadStatus::Lost,
            until: None,
            reason: Some("no budget".into()),
        }],
        rejected: Vec::new(),
        by: Some(addr("alice@acme.test")),
    };
    // And an outbound mail to Kim, and Lee's own lead.
    let kim = person("kim@initech.test", "Kim", Some(("Initech", "initech.test")));
    let lee = person("lee@other.test", "Lee", Some(("Other", "other.test")));
    let before = [
        inquiry("b1@known.test", "2026-11-19T09:00:00Z", old.clone(), lost),
        outbound_plan("o0@acme.test", "2026-11-19T09:30:00Z", vec![kim]),
        inquiry(
            "b2@other.test",
            "2026-11-19T09:40:00Z",
            lee.clone(),
            Commands::default(),
        ),
    ];
    let before_raws = [b"b1".to_vec(), b"o0".to_vec(), b"b2".to_vec()];
    same_both_ways(&held.store, &one_by_one.store, &before, &before_raws, 1).await;
    let tag = Commands {
        accepted: vec![Command::Tag { tag: "hot".into() }],
        rejected: Vec::new(),
        by: Some(addr("alice@acme.test")),
    };
    let mut eve_with_phone = person("eve@newco.test", "Eve", Some(("NewCo", "newco.test")));
    eve_with_phone.phone = Some("+1 555 0100".into());
    let none = Commands::default;
    let by_name = |email: &str| person(email, "Named", Some(("Nameonly Ltd", "")));
    let mut reply = thread_mail(
        &["nothing-known@x.test"],
        person("eve@newco.test", "Eve", None),
        TimelineKind::EmailIn,
        "2026-11-20T10:30:00Z",
    );
    reply.fallback = Fallback::Record;
    let plans = vec![
        inquiry(
            "n1@newco.test",
            "2026-11-20T09:00:00Z",
            person("eve@newco.test", "Eve", Some(("NewCo", "newco.test"))),
            none(),
        ),
        inquiry(
            "n2@newco.test",
            "2026-11-20T09:05:00Z",
            person("max@newco.test", "Max", Some(("NewCo", "newco.test"))),
            none(),
        ),
        inquiry("n3@newco.test", "2026-11-20T09:10:00Z", eve_with_phone, tag),
        inquiry(
            "n4@x.test",
            "2026-11-20T09:15:00Z",
            by_name("a@x.test"),
            none(),
        ),
        inquiry(
            "n5@y.test",
            "2026-11-20T09:20:00Z",
            by_name("b@y.test"),
            none(),
        ),
        inquiry(
            "n6@known.test",
            "2026-11-20T09:25:00Z",
            person("new@known.test", "New", Some(("Known", "known.test"))),
            none(),
        ),
        inquiry("n7@known.test", "2026-11-20T09:30:00Z", old, none()),
        inquiry(
            "n8@known.test",
            "2026-11-20T09:35:00Z",
            person("third@known.test", "Third", Some(("Known", "known.test"))),
            none(),
        ),
        plan(
            "r1@newco.test",
            "2026-11-20T10:30:00Z",
            Action::Thread(reply),
        ),
        bounce_plan("x1@mailer.test", "2026-11-20T11:00:00Z", "max@newco.test"),
        // Lee, known, answers the mail to Kim (linked to that lead in the
        // batch), then a bounce of Lee's address returns that mail: it is
        // ours only through the link held.
        thread_plan(
            "r2@other.test",
            &["o0@acme.test"],
            lee,
            "2026-11-20T11:10:00Z",
        ),
        plan(
            "x2@mailer.test",
            "2026-11-20T11:20:00Z",
            Action::Bounce(BounceMail {
                recipients: vec![BouncedAddress {
                    address: addr("lee@other.test"),
                    hard: true,
                    detail: "5.1.1 user unknown".into(),
                    vouched: false,
                }],
                originals: vec![key("o0@acme.test")],
                entry: entry(TimelineKind::Bounce, "2026-11-20T11:20:00Z", "Undelivered"),
            }),
        ),
    ];
    let raws: Vec<Vec<u8>> = plans
        .iter()
        .map(|p| p.key.as_str().as_bytes().to_vec())
        .collect();
    let applied = same_both_ways(&held.store, &one_by_one.store, &plans, &raws, plans.len()).await;
    let created = applied
        .iter()
        .filter(|a| a.outcome == Outcome::CreatedLead)
        .count();
    assert!(created >= 4, "{applied:?}");
    assert_eq!(count(&held.store, "companies").await, 5);
    assert_eq!(count(&held.store, "contacts").await, 9);
    let bounced: bool =
        db::query_scalar("SELECT bounced FROM contact_emails WHERE canonical = 'lee@other.test'")
            .fetch_one(&held.store.pool)
            .await
            .unwrap();
    assert!(bounced, "the bounce of a mail Lee answered in the batch");
}

/// The holding itself: on PostgreSQL (no webhook) a batch of new senders
/// has its new companies, contacts and leads held (the leads and their
/// companies are written when the outcomes name the leads, the contacts
/// at commit); SQLite writes each at once.
#[tokio::test]
async fn postgres_holds_a_batchs_new_rows_until_it_commits() {
    use crate::store::apply::{apply_in, Pending};
    use crate::store::deferred::Deferring;
    let db = fresh().await;
    let plans: Vec<IngestPlan> = (0..10)
        .map(|i| {
            let sender = person(
                &format!("p{i}@co{i}.test"),
                "Pat",
                Some(("Co", &format!("co{i}.test"))),
            );
            inquiry(
                &format!("m{i}@co{i}.test"),
                "2026-11-20T09:00:00Z",
                sender,
                Commands::default(),
            )
        })
        .collect();
    let pending: Vec<Pending<'_>> = plans
        .iter()
        .map(|plan| Pending {
            plan,
            raw: b"raw",
            size: 3,
            origin: "test",
        })
        .collect();
    let mut tx = Deferring::new(db.store.begin_write().await.unwrap());
    apply_in(&mut tx, &pending, at("2026-11-20T12:00:00Z"))
        .await
        .unwrap();
    let held = {
        use crate::store::db::Connection as _;
        tx.deferred().unwrap().new_rows_held().held_in_all()
    };
    let postgres = db.store.backend() == crate::store::Backend::Postgres;
    let expected = if postgres { 10 } else { 0 };
    assert_eq!(held, (expected, expected, expected));
    tx.commit().await.unwrap();
    for table in [
        "companies",
        "contacts",
        "contact_emails",
        "leads",
        "next_actions",
    ] {
        assert_eq!(count(&db.store, table).await, 10, "{table}");
    }
}

/// A seeded database (its sequences set past the seed's rows with
/// `setval(…, n, false)`) numbers a batch's held rows after the seed's:
/// no id is taken twice, and the rows are those one message at a time
/// writes.
#[tokio::test]
async fn held_rows_are_numbered_after_a_seeds_rows() {
    use crate::store::seed::{Seed, SeedCompany};
    let (held, one_by_one) = (fresh().await, fresh().await);
    let t0 = at("2026-11-19T10:00:00Z");
    let seeded = |n: usize| seed_lead(&format!("s{n}@seed{n}.test"), Some(n), Vec::new(), t0);
    let seed = Seed {
        companies: (0..3)
            .map(|n| SeedCompany {
                name: format!("Seeded {n}"),
                domain: Some(format!("seed{n}.test")),
            })
            .collect(),
        leads: (0..3).map(seeded).collect(),
        ..Seed::default()
    };
    for store in [&held.store, &one_by_one.store] {
        store.seed(&seed).await.unwrap();
        // The seed stamps its companies with the wall clock.
        db::query("UPDATE companies SET created_at = '2026-11-19T10:00:00.000000Z'")
            .execute(&store.pool)
            .await
            .unwrap();
    }
    let plans: Vec<IngestPlan> = (0..9)
        .map(|i| {
            let sender = person(
                &format!("n{i}@new{i}.test"),
                "New",
                Some(("New", &format!("new{i}.test"))),
            );
            inquiry(
                &format!("m{i}@new{i}.test"),
                "2026-11-20T09:00:00Z",
                sender,
                Commands::default(),
            )
        })
        .collect();
    let raws: Vec<Vec<u8>> = plans
        .iter()
        .map(|p| p.key.as_str().as_bytes().to_vec())
        .collect();
    let applied = same_both_ways(&held.store, &one_by_one.store, &plans, &raws, plans.len()).await;
    let ids: Vec<i64> = applied.iter().flat_map(|a| a.lead_ids.clone()).collect();
    assert_eq!(ids, (4..=12).collect::<Vec<i64>>());
}

/// A company with two open leads: a reply in the batch moves the older
/// one's activity past the other's (held, not written), so the company's
/// next new contact goes on it, as one message at a time would put it.
#[tokio::test]
async fn a_companys_open_lead_is_ranked_with_the_activity_held_back() {
    let (held, one_by_one) = (fresh().await, fresh().await);
    let two = |local: &str| {
        person(
            &format!("{local}@two.test"),
            "Pat",
            Some(("Two", "two.test")),
        )
    };
    let none = Commands::default;
    let first = [inquiry(
        "a1@two.test",
        "2026-11-18T09:00:00Z",
        two("p1"),
        none(),
    )];
    same_both_ways(&held.store, &one_by_one.store, &first, &[b"a1".to_vec()], 1).await;
    let set = |sql: &'static str| {
        let stores = [held.store.clone(), one_by_one.store.clone()];
        async move {
            for store in stores {
                db::query(sql).execute(&store.pool).await.unwrap();
            }
        }
    };
    set("UPDATE leads SET status = 'lost' WHERE id = 1").await;
    let second = [inquiry(
        "a2@two.test",
        "2026-11-18T10:00:00Z",
        two("p2"),
        none(),
    )];
    same_both_ways(
        &held.store,
        &one_by_one.store,
        &second,
        &[b"a2".to_vec()],
        1,
    )
    .await;
    set("UPDATE leads SET status = 'todo' WHERE id = 1").await;
    let plans = vec![
        thread_plan(
            "r1@two.test",
            &["a1@two.test"],
            two("p1"),
            "2026-11-20T09:00:00Z",
        ),
        inquiry("a3@two.test", "2026-11-20T10:00:00Z", two("p3"), none()),
    ];
    let raws: Vec<Vec<u8>> = plans
        .iter()
        .map(|p| p.key.as_str().as_bytes().to_vec())
        .collect();
    let applied = same_both_ways(&held.store, &one_by_one.store, &plans, &raws, plans.len()).await;
    assert_eq!(applied[1].lead_ids, [1], "{applied:?}");
}
