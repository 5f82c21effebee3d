//! Attachment rows and kept files: written with the message, once.

use super::*;
use crate::ingest::plan::{AttachmentDraft, SaveTo};
use crate::store::db;

fn draft(name: &str, bytes: &[u8], save_in: Option<&std::path::Path>) -> AttachmentDraft {
    let sha256 = crate::ingest::attachments::hex_sha256(bytes);
    AttachmentDraft {
        name: name.into(),
        mime_type: "application/pdf".into(),
        size: bytes.len() as u64,
        save: save_in.map(|dir| SaveTo {
            path: dir.join(&sha256),
            bytes: bytes.to_vec(),
        }),
        sha256,
        note: save_in
            .is_none()
            .then(|| "not stored: over the cap".to_string()),
    }
}

#[tokio::test]
async fn attachments_are_recorded_once_and_kept_files_are_named_by_hash() {
    let db = fresh().await;
    let files = tempfile::tempdir().unwrap();
    let dir = files.path().join("att");
    let mut plan = lead_plan("att1@globex.test", "2026-11-20T10:00:00Z");
    plan.attachments = vec![
        draft("quote.pdf", b"%PDF-1.4 quote", Some(&dir)),
        draft("huge.pdf", b"%PDF-1.4 huge", None),
    ];
    let applied = db.store.apply(&plan, b"raw", "test").await.unwrap();
    db.store.apply(&plan, b"raw", "test").await.unwrap();
    assert_eq!(count_attachments(&db.store).await, 2);
    let views = db.store.attachments("att1@globex.test").await.unwrap();
    assert_eq!(views[0].name, "quote.pdf");
    assert!(views[0].stored && !views[1].stored);
    assert_eq!(views[1].note.as_deref(), Some("not stored: over the cap"));
    let kept = std::fs::read(dir.join(&views[0].sha256)).unwrap();
    assert_eq!(kept, b"%PDF-1.4 quote");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temp file left"
    );
    let timeline = db.store.timeline(applied.lead_ids[0]).await.unwrap();
    assert_eq!(timeline[0].attachments, views);
}

async fn count_attachments(store: &Store) -> i64 {
    db::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}
