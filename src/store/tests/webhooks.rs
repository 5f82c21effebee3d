//! Webhook events written by the triggers, queued per webhook, handed out
//! in order per lead, parked, retried and forgotten.

use super::*;
use crate::store::db;

const ALL: &[&str] = &["lead.created", "lead.updated", "quarantine.added"];

fn types(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

async fn two_leads(db: &TestDb) {
    db.store
        .apply(&lead_plan("m1@x.test", "2026-11-20T10:00:00Z"), b"1", "t")
        .await
        .unwrap();
    let other = person(
        "ann@initech.test",
        "Ann Lee",
        Some(("Initech", "initech.test")),
    );
    let mail = lead_mail(other, "2026-11-20T11:00:00Z", Commands::default());
    db.store
        .apply(
            &plan("m2@x.test", "2026-11-20T11:00:00Z", Action::Lead(mail)),
            b"2",
            "t",
        )
        .await
        .unwrap();
}

/// Webhook `crm`, wanting `hook`, first seen at `now`, then two leads
/// made and their events queued for it.
async fn two_leads_for_a_new_webhook(db: &TestDb, hook: &[String], now: DateTime<Utc>) {
    db.store
        .enqueue_webhook_events("crm", hook, now)
        .await
        .unwrap();
    two_leads(db).await;
    db.store
        .enqueue_webhook_events("crm", hook, now)
        .await
        .unwrap();
}

#[tokio::test]
async fn without_a_webhook_the_triggers_write_nothing() {
    let db = fresh().await;
    two_leads(&db).await;
    assert_eq!(count_events(&db.store).await, 0);
}

#[tokio::test]
async fn a_new_webhook_gets_what_happens_after_it_and_one_lead_waits_for_its_older_event() {
    let db = fresh().await;
    let now = at("2026-11-20T12:00:00Z");
    let hook = types(ALL);
    assert_eq!(
        db.store
            .enqueue_webhook_events("crm", &hook, now)
            .await
            .unwrap(),
        0
    );
    two_leads(&db).await;
    assert_eq!(
        db.store
            .enqueue_webhook_events("crm", &hook, now)
            .await
            .unwrap(),
        4
    );
    let due = claim_due(&db, now).await;
    let kinds: Vec<_> = due
        .iter()
        .map(|e| (e.lead_id, e.event_type.as_str()))
        .collect();
    // Each lead's first event only: its next_action event waits behind it.
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert!(kinds.iter().all(|(_, t)| *t == "lead.created"), "{kinds:?}");

    let (first, second) = (&due[0], &due[1]);
    let later = now + chrono::Duration::minutes(5);
    db.store
        .mark_webhook_failed("crm", first.id, "HTTP 500", now, Some(later))
        .await
        .unwrap();
    db.store
        .mark_webhook_delivered("crm", second.id, now)
        .await
        .unwrap();
    let due = claim_due(&db, now).await;
    assert_eq!(
        due.len(),
        1,
        "the second lead moves on, the first waits: {due:?}"
    );
    assert_eq!(due[0].lead_id, second.lead_id);
    let due = claim_due(&db, later).await;
    assert_eq!(due[0].id, first.id, "retried first, with the same id");
    assert_eq!(
        (due[0].attempts, due[0].first_tried_at.is_some()),
        (1, true)
    );
}

#[tokio::test]
async fn a_parked_event_is_listed_retried_and_old_delivered_ones_are_pruned() {
    let db = fresh().await;
    let now = at("2026-11-20T12:00:00Z");
    let hook = types(&["lead.created"]);
    two_leads_for_a_new_webhook(&db, &hook, now).await;
    let due = claim_due(&db, now).await;
    assert_eq!(due.len(), 2, "only the types it wants: {due:?}");
    db.store
        .mark_webhook_failed("crm", due[0].id, "HTTP 410", now, None)
        .await
        .unwrap();
    db.store
        .mark_webhook_delivered("crm", due[1].id, now)
        .await
        .unwrap();
    let parked = db.store.webhook_deliveries(Some("parked")).await.unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].last_error.as_deref(), Some("HTTP 410"));

    let week_later = now + chrono::Duration::days(8);
    assert_eq!(
        db.store.prune_webhook_events(week_later).await.unwrap(),
        1 + 2
    );
    assert_eq!(
        db.store
            .retry_webhook_deliveries(&[], week_later)
            .await
            .unwrap(),
        1
    );
    let due = claim_due(&db, week_later).await;
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].id, due[0].attempts), (parked[0].event_id, 0));
}

#[tokio::test]
async fn a_webhook_taken_out_of_the_config_loses_its_queue_and_events_stop() {
    let db = fresh().await;
    let now = at("2026-11-20T12:00:00Z");
    two_leads_for_a_new_webhook(&db, &types(ALL), now).await;
    assert_eq!(
        db.store
            .forget_webhooks_except(&types(&["crm"]))
            .await
            .unwrap(),
        0
    );
    assert_eq!(db.store.forget_webhooks_except(&[]).await.unwrap(), 4);
    assert_eq!(count_events(&db.store).await, 0);
    db.store
        .apply(&lead_plan("m3@x.test", "2026-11-21T10:00:00Z"), b"3", "t")
        .await
        .unwrap();
    assert_eq!(count_events(&db.store).await, 0);
}

/// Claims what is due at `now` for a minute, as one sender would.
async fn claim_due(db: &TestDb, now: DateTime<Utc>) -> Vec<crate::store::DueEvent> {
    let until = now + chrono::Duration::minutes(1);
    db.store
        .claim_webhook_events("crm", now, until, 100)
        .await
        .unwrap()
}

#[tokio::test]
async fn two_senders_never_claim_one_event_and_a_lapsed_claim_frees_it() {
    let db = fresh().await;
    let now = at("2026-11-20T12:00:00Z");
    let hook = types(&["lead.created"]);
    two_leads_for_a_new_webhook(&db, &hook, now).await;
    let until = now + chrono::Duration::minutes(1);
    let first = db
        .store
        .claim_webhook_events("crm", now, until, 1)
        .await
        .unwrap();
    let second = db
        .store
        .claim_webhook_events("crm", now, until, 10)
        .await
        .unwrap();
    let third = db
        .store
        .claim_webhook_events("crm", now, until, 10)
        .await
        .unwrap();
    assert_eq!((first.len(), second.len(), third.len()), (1, 1, 0));
    assert_ne!(first[0].id, second[0].id);
    let after = until + chrono::Duration::seconds(1);
    let lapsed = db
        .store
        .claim_webhook_events("crm", after, after, 10)
        .await
        .unwrap();
    assert_eq!(
        lapsed.len(),
        2,
        "a sender that died frees its events: {lapsed:?}"
    );
}

async fn count_events(store: &Store) -> i64 {
    db::query_scalar("SELECT COUNT(*) FROM webhook_events")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}
