//! Mailbox leases: one holder at a time, takeover after expiry with a new
//! fencing number, and a commit refused under a stale fence.

use super::*;
use crate::store::{LeaseHolder, StoreError};
use std::time::Duration;

fn holder(name: &str) -> LeaseHolder {
    LeaseHolder {
        id: format!("{name}:1:0"),
        host: name.to_string(),
        pid: 1,
    }
}

const LONG: Duration = Duration::from_secs(300);

/// Daemon `a` takes `crm`'s lease, lets it run out at once, and `b` takes
/// it over: their two leases.
async fn taken_over(db: &TestDb) -> (crate::store::Lease, crate::store::Lease) {
    let (a, b) = (holder("a"), holder("b"));
    let old = db
        .store
        .take_lease("crm", &a, Duration::ZERO)
        .await
        .unwrap();
    let new = db.store.take_lease("crm", &b, LONG).await.unwrap();
    (old.unwrap(), new.unwrap())
}

#[tokio::test]
async fn a_held_lease_is_refused_to_another_daemon_and_kept_by_its_holder() {
    let db = fresh().await;
    let (a, b) = (holder("a"), holder("b"));
    let first = db.store.take_lease("crm", &a, LONG).await.unwrap();
    assert_eq!(first.map(|l| l.fence), Some(1));
    assert_eq!(db.store.take_lease("crm", &b, LONG).await.unwrap(), None);
    let again = db.store.take_lease("crm", &a, LONG).await.unwrap();
    assert_eq!(again, first, "taking back one's own lease keeps the fence");
    let other = db.store.take_lease("sales", &b, LONG).await.unwrap();
    assert_eq!(
        other.map(|l| l.fence),
        Some(1),
        "each mailbox has its own lease"
    );
    let views = db.store.current_leases().await.unwrap();
    assert_eq!(views.len(), 2);
    assert_eq!(
        (views[0].mailbox.as_str(), views[0].host.as_str()),
        ("crm", "a")
    );
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_with_a_new_fence_and_the_old_holder_cannot_renew() {
    let db = fresh().await;
    let (old, new) = taken_over(&db).await;
    assert_eq!(new.fence, old.fence + 1);
    assert!(!db.store.renew_lease("crm", old, LONG).await.unwrap());
    assert!(db.store.renew_lease("crm", new, LONG).await.unwrap());
    let history = db.store.lease_history().await.unwrap();
    let holders: Vec<(i64, &str)> = history
        .iter()
        .map(|t| (t.fence, t.holder.as_str()))
        .collect();
    assert_eq!(holders, [(1, "a:1:0"), (2, "b:1:0")]);
    assert_eq!(history[0].previous_holder, None);
    assert_eq!(history[1].previous_holder.as_deref(), Some("a:1:0"));
    let expired = history[1]
        .previous_expires_at
        .as_deref()
        .expect("the old expiry");
    assert!(
        expired <= history[1].acquired_at.as_str(),
        "taken over only once the old lease ran out: {expired} > {}",
        history[1].acquired_at
    );
}

/// A lease that runs out while a take waits for the database (SQLite's
/// write lock, PostgreSQL's row lock) is taken by that take: the clock is
/// read once the wait is over, not before it.
#[tokio::test]
async fn a_lease_that_runs_out_while_a_take_waits_for_the_lock_is_taken() {
    let db = fresh().await;
    let (a, b) = (holder("a"), holder("b"));
    let short = Duration::from_millis(300);
    let old = db.store.take_lease("crm", &a, short).await.unwrap();
    let mut blocker = db.store.begin_lease_change().await.unwrap();
    db::query("UPDATE mailbox_leases SET renewed_at = renewed_at WHERE mailbox = $1")
        .bind("crm")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let (taken, ()) = tokio::join!(db.store.take_lease("crm", &b, LONG), async {
        tokio::time::sleep(short * 3).await;
        blocker.commit().await.unwrap();
    });
    assert_eq!(
        taken.unwrap().map(|lease| lease.fence),
        old.map(|lease| lease.fence + 1),
        "the lease ran out during the wait"
    );
}

#[tokio::test]
async fn a_released_lease_is_free_at_once() {
    let db = fresh().await;
    let (a, b) = (holder("a"), holder("b"));
    let lease = db.store.take_lease("crm", &a, LONG).await.unwrap().unwrap();
    db.store.release_lease("crm", lease).await.unwrap();
    assert!(db
        .store
        .take_lease("crm", &b, LONG)
        .await
        .unwrap()
        .is_some());
    assert!(db.store.current_leases().await.unwrap()[0].host == "b");
}

#[tokio::test]
async fn a_batch_under_a_stale_fence_writes_nothing() {
    let db = fresh().await;
    let (old, _) = taken_over(&db).await;
    let folder = crate::store::FolderRef {
        mailbox: "crm",
        folder: "INBOX",
        uid_validity: 7,
        fence: Some(old.fence),
    };
    let plan = lead_plan("fenced@x.test", "2026-11-20T10:00:00Z");
    let message = crate::store::FolderMessage {
        plan: &plan,
        raw: b"raw",
        size: 3,
        uid: 4,
    };
    let error = db
        .store
        .apply_batch_from_mailbox(&folder, &[message])
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::LeaseLost {
                fence: 1,
                current: Some(2),
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(db.store.processed_count().await.unwrap(), 0);
    assert_eq!(db.store.resume_uid("crm", "INBOX", 7).await.unwrap(), 0);
    let current = crate::store::FolderRef {
        fence: Some(old.fence + 1),
        ..folder
    };
    db.store
        .apply_batch_from_mailbox(&current, &[message])
        .await
        .unwrap();
    assert_eq!(db.store.processed_count().await.unwrap(), 1);
}
