//! The IMAP checkpoint advances with the records, also for duplicates.

use super::*;
use crate::ingest::plan::Outcome;
use crate::store::Checkpoint;

fn checkpoint(uid_validity: u32, uid: u32) -> Checkpoint {
    Checkpoint {
        mailbox: "crm".into(),
        folder: "INBOX".into(),
        uid_validity,
        uid,
        fence: None,
    }
}

#[tokio::test]
async fn the_checkpoint_advances_with_the_records_and_with_duplicates() {
    let db = fresh().await;
    assert_eq!(db.store.resume_uid("crm", "INBOX", 7).await.unwrap(), 0);
    let first = db
        .store
        .apply_from_mailbox(
            &lead_plan("m1@x.test", "2026-11-20T10:00:00Z"),
            b"raw",
            &checkpoint(7, 3),
        )
        .await
        .unwrap();
    assert_eq!(first.outcome, Outcome::CreatedLead);
    assert_eq!(db.store.resume_uid("crm", "INBOX", 7).await.unwrap(), 3);
    let again = db
        .store
        .apply_from_mailbox(
            &lead_plan("m1@x.test", "2026-11-20T10:00:00Z"),
            b"raw",
            &checkpoint(7, 9),
        )
        .await
        .unwrap();
    assert_eq!(again.outcome, Outcome::Duplicate);
    assert_eq!(
        db.store.resume_uid("crm", "INBOX", 7).await.unwrap(),
        9,
        "a duplicate still moves the checkpoint"
    );
}

#[tokio::test]
async fn a_new_uidvalidity_rescans_the_folder() {
    let db = fresh().await;
    db.store
        .apply_from_mailbox(
            &lead_plan("m1@x.test", "2026-11-20T10:00:00Z"),
            b"raw",
            &checkpoint(7, 5),
        )
        .await
        .unwrap();
    assert_eq!(db.store.resume_uid("crm", "INBOX", 8).await.unwrap(), 0);
    db.store
        .apply_from_mailbox(
            &lead_plan("m1@x.test", "2026-11-20T10:00:00Z"),
            b"raw",
            &checkpoint(8, 1),
        )
        .await
        .unwrap();
    assert_eq!(
        db.store.resume_uid("crm", "INBOX", 8).await.unwrap(),
        1,
        "the old, higher UID does not survive a new UIDVALIDITY"
    );
}

#[tokio::test]
async fn sync_errors_are_recorded_and_cleared() {
    let db = fresh().await;
    db.store
        .apply_from_mailbox(
            &lead_plan("m1@x.test", "2026-11-20T10:00:00Z"),
            b"raw",
            &checkpoint(7, 1),
        )
        .await
        .unwrap();
    let now = at("2026-11-23T10:00:00Z");
    db.store
        .record_sync(
            "crm",
            "INBOX",
            Some(crate::store::SyncError {
                text: "cannot connect",
                login_refused: false,
            }),
            now,
        )
        .await
        .unwrap();
    let states = db.store.mailbox_states().await.unwrap();
    assert_eq!(states[0].last_error.as_deref(), Some("cannot connect"));
    db.store
        .record_sync("crm", "INBOX", None, now)
        .await
        .unwrap();
    let states = db.store.mailbox_states().await.unwrap();
    assert_eq!(states[0].last_error, None);
    assert_eq!(states[0].processed, 1);
    assert!(states[0].last_sync_at.is_some());
}

#[tokio::test]
async fn a_batch_commits_together_dedupes_inside_itself_and_moves_the_checkpoint_to_its_end() {
    let db = fresh().await;
    let folder = crate::store::FolderRef {
        mailbox: "crm",
        folder: "INBOX",
        uid_validity: 7,
        fence: None,
    };
    let one = lead_plan("b1@x.test", "2026-11-20T10:00:00Z");
    let two = lead_plan("b2@x.test", "2026-11-20T11:00:00Z");
    let message = |plan, uid| crate::store::FolderMessage {
        plan,
        raw: b"raw",
        size: 3,
        uid,
    };
    let applied = db
        .store
        .apply_batch_from_mailbox(
            &folder,
            &[message(&one, 4), message(&one, 5), message(&two, 6)],
        )
        .await
        .unwrap();
    let outcomes: Vec<Outcome> = applied.iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::CreatedLead, Outcome::Duplicate, Outcome::Appended],
        "the second mail from the same person goes on her open lead"
    );
    assert_eq!(applied[1].lead_ids, applied[0].lead_ids);
    assert_eq!(db.store.resume_uid("crm", "INBOX", 7).await.unwrap(), 6);
    let state = &db.store.mailbox_states().await.unwrap()[0];
    assert_eq!(
        state.processed, 2,
        "a message seen again is not counted twice in `status`"
    );
    let empty = db
        .store
        .apply_batch_from_mailbox(&folder, &[])
        .await
        .unwrap();
    assert!(empty.is_empty());
    assert_eq!(db.store.resume_uid("crm", "INBOX", 7).await.unwrap(), 6);
}

#[tokio::test]
async fn commits_stay_in_the_wal_until_the_background_checkpoint_copies_them() {
    let db = fresh().await;
    if sqlite_only(&db.store) {
        return;
    }
    let file = db.url.trim_start_matches("sqlite://").to_string();
    let size = || std::fs::metadata(&file).unwrap().len();
    db.store.checkpoint().await.unwrap();
    let before = size();
    // About 10 WAL pages a commit: past the 1,000 pages of SQLite's default autocheckpoint.
    for n in 0..150 {
        let plan = lead_plan(&format!("m{n}@x.test"), "2026-11-20T10:00:00Z");
        db.store.apply(&plan, b"raw", "test").await.unwrap();
    }
    assert_eq!(size(), before, "a commit checkpointed by itself");
    db.store.checkpoint().await.unwrap();
    assert!(size() > before, "the checkpoint copied nothing back");
}
