//! Each lead's `next_due_at` (migration 0019) is its open next action's
//! due time after every way of opening and closing next actions: a new
//! lead, next, snooze, done, replace, closing and reopening, and the seed.

use super::*;
use crate::commands::reply::ReplyAction;
use crate::domain::LeadStatus;
use crate::store::seed::{Seed, SeedAction};

/// Per lead: its `next_due_at` and its open next action's due time.
async fn due_times(store: &Store) -> Vec<(i64, Option<String>, Option<String>)> {
    db::query_as(
        "SELECT l.id, l.next_due_at, n.due_at FROM leads l \
         LEFT JOIN next_actions n ON n.lead_id = l.id AND n.done_at IS NULL ORDER BY l.id",
    )
    .fetch_all(&store.pool)
    .await
    .unwrap()
}

/// Asserts every lead's `next_due_at` is its open action's due time and
/// returns `lead`'s.
async fn checked_due(store: &Store, lead: i64, after: &str) -> Option<String> {
    let rows = due_times(store).await;
    for (id, kept, open) in &rows {
        assert_eq!(kept, open, "lead {id} after {after}");
    }
    let row = rows.into_iter().find(|(id, _, _)| *id == lead);
    row.expect("the lead").1
}

#[tokio::test]
async fn the_next_due_time_follows_the_open_next_action() {
    let db = fresh().await;
    let plan = lead_plan("m1@x.test", "2026-11-20T10:00:00Z");
    let lead = db
        .store
        .apply(&plan, b"raw", "test")
        .await
        .unwrap()
        .lead_ids[0];
    assert!(checked_due(&db.store, lead, "filing").await.is_some());
    let by = "alice@acme.test";
    let steps: Vec<(&str, ReplyAction, Option<&str>)> = vec![
        (
            "next",
            ReplyAction::Next(next("2026-12-02T10:00:00Z", "demo")),
            Some("2026-12-02T10:00:00"),
        ),
        (
            "snooze",
            ReplyAction::Snooze {
                until: at("2026-12-09T08:00:00Z"),
            },
            Some("2026-12-09T08:00:00"),
        ),
        ("done", ReplyAction::Done, None),
        (
            "snooze without one",
            ReplyAction::Snooze {
                until: at("2026-12-10T08:00:00Z"),
            },
            Some("2026-12-10T08:00:00"),
        ),
        (
            "won",
            ReplyAction::Status {
                status: LeadStatus::Won,
                until: None,
                reason: None,
            },
            None,
        ),
        (
            "reopened",
            ReplyAction::Status {
                status: LeadStatus::Todo,
                until: None,
                reason: None,
            },
            None,
        ),
        (
            "next again",
            ReplyAction::Next(next("2026-12-11T10:00:00Z", "call")),
            Some("2026-12-11T10:00:00"),
        ),
    ];
    for (what, action, due) in steps {
        db.store.act(lead, &action, by).await.unwrap();
        let kept = checked_due(&db.store, lead, what).await;
        assert_eq!(kept.as_deref().map(|t| &t[..19]), due, "after {what}");
    }
    db.store
        .set_next_action(lead, &next("2026-12-12T10:00:00Z", "x"), by)
        .await
        .unwrap();
    assert!(checked_due(&db.store, lead, "set_next_action")
        .await
        .is_some());
    db.store.complete_next_action(lead, by).await.unwrap();
    assert_eq!(
        checked_due(&db.store, lead, "complete_next_action").await,
        None
    );
    db.store
        .set_next_action(lead, &next("2026-12-13T10:00:00Z", "y"), by)
        .await
        .unwrap();
    db.store.cancel(lead, by, Some("gone")).await.unwrap();
    assert_eq!(checked_due(&db.store, lead, "cancel").await, None);
}

#[tokio::test]
async fn seeded_leads_carry_their_open_actions_due_time() {
    let db = fresh().await;
    let t0 = at("2026-11-20T10:00:00Z");
    let action = |days: i64, done: bool| SeedAction {
        kind: "call".into(),
        note: "n".into(),
        due_at: t0 + chrono::Duration::days(days),
        created_at: t0,
        done: done.then_some((t0, "done")),
    };
    let lead = |n: usize, actions: Vec<SeedAction>| {
        seed_lead(&format!("s{n}@example.test"), None, actions, t0)
    };
    let seed = Seed {
        leads: vec![
            lead(0, Vec::new()),
            lead(1, vec![action(1, true), action(3, false)]),
        ],
        ..Seed::default()
    };
    db.store.seed(&seed).await.unwrap();
    let rows = due_times(&db.store).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].1, None);
    assert!(rows[1].1.is_some());
    assert!(rows.iter().all(|(_, kept, open)| kept == open), "{rows:?}");
}
