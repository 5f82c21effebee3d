//! Rep actions, users and opening the database.

use super::*;
use crate::domain::LeadStatus;
use crate::store::db;
use crate::store::{LeadFilter, StoreError, UserActivity};

async fn prospect(db: &TestDb) -> i64 {
    let out = outbound_plan("o1@acme.test", "2026-11-20T10:00:00Z", vec![jane()]);
    let id = db.store.apply(&out, b"1", "t").await.unwrap().lead_ids[0];
    let reply = thread_mail(
        &["o1@acme.test"],
        jane(),
        TimelineKind::EmailIn,
        "2026-11-21T10:00:00Z",
    );
    db.store
        .apply(
            &plan(
                "r1@globex.test",
                "2026-11-21T10:00:00Z",
                Action::Thread(reply),
            ),
            b"2",
            "t",
        )
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn converting_a_replied_prospect_makes_a_lead_and_clears_the_flag() {
    let db = fresh().await;
    let id = prospect(&db).await;
    assert_eq!(db.store.lead(id).await.unwrap().unwrap().flags, ["replied"]);
    db.store.convert(id, "alice@acme.test").await.unwrap();
    let lead = db.store.lead(id).await.unwrap().unwrap();
    assert_eq!((lead.kind, lead.status), (LeadKind::Lead, LeadStatus::Todo));
    assert!(lead.flags.is_empty());
    let last = db.store.timeline(id).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.kind, last.actor.as_deref()),
        (TimelineKind::StatusChange, Some("alice@acme.test"))
    );
    let err = db.store.convert(id, "alice@acme.test").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot convert lead {id}: it is already a lead")
    );
}

#[tokio::test]
async fn cancelling_closes_the_lead_and_drops_its_next_action() {
    let db = fresh().await;
    let id = prospect(&db).await;
    db.store
        .cancel(id, "alice@acme.test", Some("not our market"))
        .await
        .unwrap();
    let lead = db.store.lead(id).await.unwrap().unwrap();
    assert_eq!(
        (lead.status, lead.next_action),
        (LeadStatus::Cancelled, None)
    );
    let last = db.store.timeline(id).await.unwrap().pop().unwrap();
    assert_eq!(last.body, "not our market");
    let open = LeadFilter {
        open_only: true,
        ..LeadFilter::default()
    };
    assert!(db.store.list_leads(&open).await.unwrap().is_empty());
}

#[tokio::test]
async fn standby_needs_a_date_and_wakes_up_when_it_falls_due() {
    let db = fresh().await;
    let id = prospect(&db).await;
    let err = db
        .store
        .set_status(id, LeadStatus::Standby, None, None, "alice@acme.test")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid { lead_id, .. } if lead_id == id),
        "{err}"
    );
    let until = at("2026-12-01T09:00:00Z");
    db.store
        .complete_next_action(id, "alice@acme.test")
        .await
        .unwrap();
    db.store
        .set_status(
            id,
            LeadStatus::Standby,
            Some(until),
            None,
            "alice@acme.test",
        )
        .await
        .unwrap();
    assert!(db
        .store
        .wake_standby(at("2026-11-30T09:00:00Z"))
        .await
        .unwrap()
        .is_empty());
    let standby = db.store.lead(id).await.unwrap().unwrap();
    assert_eq!(
        standby.standby_until,
        Some(until),
        "the JSON shows the date"
    );
    assert_eq!(db.store.wake_standby(until).await.unwrap(), [id]);
    let woken = db.store.lead(id).await.unwrap().unwrap();
    assert_eq!(woken.status, LeadStatus::Todo);
    assert_eq!(woken.standby_until, None);
    let reminder = woken.next_action.expect("a next action the digest shows");
    assert_eq!(
        (reminder.note.as_str(), reminder.due_at),
        ("standby ended", until)
    );
}

#[tokio::test]
async fn a_woken_lead_keeps_the_next_action_its_rep_planned() {
    let db = fresh().await;
    let id = prospect(&db).await;
    let until = at("2026-12-01T09:00:00Z");
    let planned = next("2026-12-03T10:00:00Z", "call about the budget");
    db.store
        .set_next_action(id, &planned, "alice@acme.test")
        .await
        .unwrap();
    db.store
        .set_status(
            id,
            LeadStatus::Standby,
            Some(until),
            None,
            "alice@acme.test",
        )
        .await
        .unwrap();
    db.store.wake_standby(until).await.unwrap();
    let woken = db.store.lead(id).await.unwrap().unwrap();
    assert_eq!(woken.next_action.unwrap().note, "call about the budget");
}

#[tokio::test]
async fn next_actions_are_set_completed_and_completing_none_is_an_error() {
    let db = fresh().await;
    let id = prospect(&db).await;
    let draft = next("2026-12-02T10:00:00Z", "demo");
    db.store
        .set_next_action(id, &draft, "alice@acme.test")
        .await
        .unwrap();
    assert_eq!(
        db.store
            .lead(id)
            .await
            .unwrap()
            .unwrap()
            .next_action
            .unwrap()
            .note,
        "demo"
    );
    db.store
        .complete_next_action(id, "alice@acme.test")
        .await
        .unwrap();
    assert_eq!(db.store.lead(id).await.unwrap().unwrap().next_action, None);
    let err = db
        .store
        .complete_next_action(id, "alice@acme.test")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("lead {id}: it has no open next action")),
        "{err}"
    );
    db.store
        .set_step(id, "Demo", "alice@acme.test")
        .await
        .unwrap();
    db.store
        .set_step(id, "Proposal", "alice@acme.test")
        .await
        .unwrap();
    let last = db.store.timeline(id).await.unwrap().pop().unwrap();
    assert_eq!(last.subject, "Step: Demo → Proposal");
}

#[tokio::test]
async fn actions_on_a_missing_lead_name_it() {
    let db = fresh().await;
    let err = db
        .store
        .set_step(42, "Demo", "alice@acme.test")
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "cannot find lead 42");
    assert!(db.store.lead(42).await.unwrap().is_none());
    assert!(db.store.convert(42, "alice@acme.test").await.is_err());
}

#[tokio::test]
async fn users_missing_from_the_config_become_inactive_and_keep_their_leads() {
    let db = fresh().await;
    let lead = db
        .store
        .apply(
            &lead_plan("a1@globex.test", "2026-11-20T10:00:00Z"),
            b"1",
            "t",
        )
        .await
        .unwrap()
        .lead_ids[0];
    db.store.sync_users(&[user("bob@acme.test")]).await.unwrap();
    let users = db.store.list_users().await.unwrap();
    let active: Vec<_> = users.iter().map(|u| (u.email.as_str(), u.active)).collect();
    assert_eq!(
        active,
        [("alice@acme.test", false), ("bob@acme.test", true)]
    );
    let owner = db.store.lead(lead).await.unwrap().unwrap().owner;
    assert_eq!(owner.as_deref(), Some("alice@acme.test"));
    db.store
        .sync_users(&[user("Alice@acme.test"), user("bob@acme.test")])
        .await
        .unwrap();
    assert!(db
        .store
        .list_users()
        .await
        .unwrap()
        .iter()
        .all(|u| u.active));
}

#[tokio::test]
async fn opening_a_database_in_a_missing_directory_says_why() {
    let err = Store::open("sqlite:///nonexistent-dir/x/leadmail.db")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot open database sqlite:///nonexistent-dir/x/leadmail.db: unable to open database file"
    );
    assert!(err.is_transient());
    // Nothing listens on loopback port 1: refused at once.
    let err = Store::open("postgres://u:secret@127.0.0.1:1/leadmail")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("secret"), "{text}");
    assert!(
        text.starts_with("cannot open database postgres://u:***@127.0.0.1:1/leadmail: "),
        "{text}"
    );
    assert!(err.is_transient(), "a server that is down may come back");
    let err = Store::open("mysql://u:secret@127.0.0.1:1/leadmail")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot open database with scheme \"mysql\": the URL must start with sqlite: or postgres://"
    );
}

#[tokio::test]
async fn reopening_a_database_keeps_its_data_and_migrations() {
    let db = fresh().await;
    let plan = lead_plan("a1@globex.test", "2026-11-20T10:00:00Z");
    db.store.apply(&plan, b"1", "t").await.unwrap();
    let again = Store::open(&db.url).await.unwrap();
    assert_eq!(again.processed_count().await.unwrap(), 1);
}

#[tokio::test]
async fn two_processes_applying_the_same_message_at_once_apply_it_once() {
    let db = fresh().await;
    let other = Store::open(&db.url).await.unwrap();
    let plan = lead_plan("a1@globex.test", "2026-11-20T10:00:00Z");
    let (a, b) = tokio::join!(
        db.store.apply(&plan, b"1", "a"),
        other.apply(&plan, b"1", "b")
    );
    let mut outcomes = [a.unwrap().outcome.as_str(), b.unwrap().outcome.as_str()];
    outcomes.sort_unstable();
    assert_eq!(outcomes, ["created_lead", "duplicate"]);
    assert_eq!(count(&db.store, "leads").await, 1);
}

/// Four daemons file five mails each from one new contact, all at once:
/// the find-then-create of the contact's open lead runs under the write
/// lock on both backends, so there is one contact, one company and one
/// lead with all twenty mails on its timeline.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn daemons_filing_mail_from_one_new_contact_at_once_make_one_lead() {
    let db = fresh().await;
    let mut stores = Vec::new();
    for _ in 0..4 {
        stores.push(Store::open(&db.url).await.unwrap());
    }
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(stores.len()));
    let mut daemons = Vec::new();
    for (daemon, store) in stores.into_iter().enumerate() {
        let start = start.clone();
        daemons.push(tokio::spawn(async move {
            start.wait().await;
            for n in 0..5 {
                let id = format!("d{daemon}m{n}@globex.test");
                let plan = lead_plan(&id, "2026-11-20T10:00:00Z");
                store.apply(&plan, b"1", "t").await.unwrap();
            }
        }));
    }
    for daemon in daemons {
        daemon.await.unwrap();
    }
    assert_eq!(count(&db.store, "contacts").await, 1);
    assert_eq!(count(&db.store, "companies").await, 1);
    assert_eq!(count(&db.store, "leads").await, 1);
    assert_eq!(count(&db.store, "timeline").await, 20);
    assert_eq!(count(&db.store, "processed_messages").await, 20);
}

#[tokio::test]
async fn the_database_runs_in_wal_with_foreign_keys_full_sync_and_a_busy_timeout() {
    let db = fresh().await;
    if sqlite_only(&db.store) {
        return;
    }
    let mut conn = db.store.pool.acquire().await.unwrap();
    // SQLite: pragmas are read back as set by `Store::open`.
    let mode: String = db::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let keys: i64 = db::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let sync: i64 = db::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let busy: i64 = db::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!((mode.as_str(), keys, sync, busy), ("wal", 1, 2, 5000));
}

#[tokio::test]
async fn the_writer_keeps_its_statement_journals_in_memory_and_the_readers_do_not() {
    let db = fresh().await;
    if sqlite_only(&db.store) {
        return;
    }
    // 2 = MEMORY: a batch's statement journals never spill to a temporary
    // file; the readers keep the default (0), so their large sorts can.
    let writer = db
        .store
        .writer
        .as_ref()
        .expect("a writable store has a writer");
    let temp_store = |pool: sqlx::SqlitePool| async move {
        sqlx::query_scalar::<_, i64>("PRAGMA temp_store")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let crate::store::db::Pool::Sqlite(readers) = &db.store.pool else {
        unreachable!("sqlite_only")
    };
    assert_eq!(temp_store(writer.clone()).await, 2);
    assert_eq!(temp_store(readers.clone()).await, 0);
}

#[tokio::test]
async fn a_new_prospect_for_someone_whose_earlier_one_was_cancelled_says_so() {
    let db = fresh().await;
    let first = outbound_plan("c1@acme.test", "2026-11-20T10:00:00Z", vec![jane()]);
    let old = db.store.apply(&first, b"1", "t").await.unwrap().lead_ids[0];
    db.store
        .cancel(old, "alice@acme.test", Some("asked not to be contacted"))
        .await
        .unwrap();
    let again = outbound_plan("c2@acme.test", "2026-11-25T10:00:00Z", vec![jane()]);
    let new = db.store.apply(&again, b"2", "t").await.unwrap().lead_ids[0];
    assert_ne!(new, old, "a cancelled record is not reopened");
    let timeline = db.store.timeline(new).await.unwrap();
    let note = timeline
        .iter()
        .find(|e| {
            e.subject
                .starts_with(&format!("Earlier prospect #{old} was cancelled on"))
        })
        .expect("the new record says so");
    assert!(
        note.body.contains("asked not to be contacted"),
        "{}",
        note.body
    );
    let fresh_start = outbound_plan(
        "c3@acme.test",
        "2026-11-25T10:00:00Z",
        vec![person(
            "kim@initech.test",
            "Kim Lee",
            Some(("Initech", "initech.test")),
        )],
    );
    let other = db
        .store
        .apply(&fresh_start, b"3", "t")
        .await
        .unwrap()
        .lead_ids[0];
    assert!(!db
        .store
        .timeline(other)
        .await
        .unwrap()
        .iter()
        .any(|e| e.subject.starts_with("Earlier")));
}

#[tokio::test]
async fn a_database_from_a_newer_leadmail_is_refused_naming_both_versions() {
    let db = fresh().await;
    let (applied, known) = db.store.schema_versions().await.unwrap();
    assert_eq!(applied, known);
    db::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from the future', TRUE, $2, 0)",
    )
    .bind(known + 5)
    .bind(&[0_u8][..])
    .execute(&db.store.pool)
    .await
    .unwrap();
    db.store.close().await;
    for opened in [
        Store::open(&db.url).await,
        Store::open_read_only(&db.url).await,
    ] {
        let error = opened.map(|_| ()).unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, StoreError::SchemaTooNew { .. }), "{text}");
        assert!(
            text.contains(&format!("version {}", known + 5))
                && text.contains(&format!("version {known}")),
            "{text}"
        );
    }
}

/// Alice's activity as `users list` and the Team page show it.
async fn alices_activity(db: &TestDb) -> UserActivity {
    let all = db
        .store
        .user_activity(at("2026-11-25T12:00:00Z"))
        .await
        .unwrap();
    let bob = all.iter().find(|a| a.email == "bob@acme.test").unwrap();
    assert_eq!((bob.open_leads, bob.overdue, bob.replied), (0, 0, 0));
    all.into_iter()
        .find(|a| a.email == "alice@acme.test")
        .unwrap()
}

#[tokio::test]
async fn user_activity_counts_open_overdue_and_replied_prospects_per_owner() {
    let db = fresh().await;
    let replied = prospect(&db).await;
    let silent = person(
        "max@initech.test",
        "Max Mu",
        Some(("Initech", "initech.test")),
    );
    let quiet = outbound_plan("o2@acme.test", "2026-11-20T11:00:00Z", vec![silent]);
    db.store.apply(&quiet, b"3", "t").await.unwrap();
    let kim = person(
        "kim@umbrella.test",
        "Kim Li",
        Some(("Umbrella", "umbrella.test")),
    );
    let when = "2026-11-24T10:00:00Z";
    let inquiry = plan(
        "l1@umbrella.test",
        when,
        Action::Lead(lead_mail(kim, when, Commands::default())),
    );
    db.store.apply(&inquiry, b"4", "t").await.unwrap();
    let before = alices_activity(&db).await;
    assert_eq!(
        (before.open_leads, before.overdue, before.replied),
        (3, 3, 1),
        "two prospects (one replied) and a lead, each first action due on the 23rd"
    );
    db.store
        .cancel(replied, "alice@acme.test", Some("no budget"))
        .await
        .unwrap();
    let after = alices_activity(&db).await;
    assert_eq!((after.open_leads, after.overdue, after.replied), (2, 2, 0));
}
