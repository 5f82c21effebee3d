//! Applying plans: thread replies, bounces, quarantine, failures.

use super::*;
use crate::domain::QuarantineReason;
use crate::ingest::plan::{Outcome, QuarantineDraft};

#[tokio::test]
async fn a_reply_by_reference_flags_the_prospect_replied() {
    let db = fresh().await;
    let out = outbound_plan("o1@acme.test", "2026-11-20T10:00:00Z", vec![jane()]);
    let prospect = db.store.apply(&out, b"1", "t").await.unwrap().lead_ids[0];
    let stranger = person("someone@elsewhere.test", "Someone", None);
    let mail = thread_mail(
        &["unknown@x.test", "o1@acme.test"],
        stranger,
        TimelineKind::EmailIn,
        "2026-11-21T10:00:00Z",
    );
    let applied = db
        .store
        .apply(
            &plan(
                "r1@elsewhere.test",
                "2026-11-21T10:00:00Z",
                Action::Thread(mail),
            ),
            b"2",
            "t",
        )
        .await
        .unwrap();
    assert_eq!(
        (applied.outcome, applied.lead_ids),
        (Outcome::Appended, vec![prospect])
    );
    let view = db.store.lead(prospect).await.unwrap().unwrap();
    assert_eq!(view.flags, ["replied"]);
    assert_eq!(view.contacts.len(), 2, "the replying person is linked");
}

#[tokio::test]
async fn a_reply_to_a_mail_on_several_leads_goes_to_the_lead_of_its_sender() {
    let db = fresh().await;
    let mut out = outbound_plan("o2@acme.test", "2026-11-20T10:00:00Z", vec![jane()]);
    let Action::Outbound(mail) = &mut out.action else {
        unreachable!("outbound_plan makes an outbound mail")
    };
    let mut second = mail.groups[0].clone();
    second.contacts = vec![person(
        "bob@initech.test",
        "Bob",
        Some(("Initech", "initech.test")),
    )];
    mail.groups.push(second);
    let leads = db.store.apply(&out, b"1", "t").await.unwrap().lead_ids;
    assert_eq!(leads.len(), 2, "one prospect per recipient company");
    let mail = thread_mail(
        &["o2@acme.test"],
        jane(),
        TimelineKind::EmailIn,
        "2026-11-21T10:00:00Z",
    );
    let reply = plan(
        "r2@globex.test",
        "2026-11-21T10:00:00Z",
        Action::Thread(mail),
    );
    let applied = db.store.apply(&reply, b"2", "t").await.unwrap();
    assert_eq!(
        applied.lead_ids,
        [leads[0]],
        "Jane's reply goes on Jane's prospect, not on the newer one of Bob"
    );
}

#[tokio::test]
async fn an_out_of_office_on_a_lead_is_automated_and_flags_nothing() {
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
    let mut mail = thread_mail(&[], jane(), TimelineKind::AutoReply, "2026-11-21T10:00:00Z");
    mail.routing_lead = Some(lead);
    let applied = db
        .store
        .apply(
            &plan(
                "ooo@globex.test",
                "2026-11-21T10:00:00Z",
                Action::Thread(mail),
            ),
            b"2",
            "t",
        )
        .await
        .unwrap();
    assert_eq!(
        (applied.outcome, applied.lead_ids),
        (Outcome::Automated, vec![lead])
    );
    let view = db.store.lead(lead).await.unwrap().unwrap();
    assert!(view.flags.is_empty());
    assert_eq!(
        view.last_activity_at,
        at("2026-11-20T10:00:00Z"),
        "an auto-reply is no activity"
    );
}

#[tokio::test]
async fn an_unmatched_thread_mail_takes_its_fallback() {
    let db = fresh().await;
    let mut mail = thread_mail(
        &["nothing@x.test"],
        jane(),
        TimelineKind::EmailIn,
        "2026-11-21T10:00:00Z",
    );
    mail.routing_lead = Some(999);
    mail.fallback = Fallback::Quarantine(QuarantineDraft {
        reason: QuarantineReason::UnknownSender,
        detail: "public inquiries are off".into(),
        user: None,
    });
    let applied = db
        .store
        .apply(
            &plan(
                "u1@globex.test",
                "2026-11-21T10:00:00Z",
                Action::Thread(mail),
            ),
            b"raw!",
            "t",
        )
        .await
        .unwrap();
    assert_eq!(applied.outcome, Outcome::Quarantined);
    assert!(applied.lead_ids.is_empty());
    assert_eq!(
        count(&db.store, "contacts").await,
        0,
        "no contact from a quarantined mail"
    );
}

#[tokio::test]
async fn a_bounce_marks_the_address_bounced_and_goes_on_its_lead() {
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
    let applied = db
        .store
        .apply(
            &bounce_plan("b1@mx.test", "2026-11-21T10:00:00Z", "JANE@globex.test"),
            b"2",
            "t",
        )
        .await
        .unwrap();
    assert_eq!(
        (applied.outcome, applied.lead_ids),
        (Outcome::Bounce, vec![lead])
    );
    let contacts = db.store.list_contacts().await.unwrap();
    assert!(contacts[0].bounced);
    let kinds: Vec<_> = db
        .store
        .timeline(lead)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [TimelineKind::EmailIn, TimelineKind::Bounce]);
    let unknown = db
        .store
        .apply(
            &bounce_plan("b2@mx.test", "2026-11-21T10:00:00Z", "nobody@x.test"),
            b"3",
            "t",
        )
        .await
        .unwrap();
    assert_eq!(
        (unknown.outcome, unknown.lead_ids.len()),
        (Outcome::Bounce, 0)
    );
}

#[tokio::test]
async fn a_bounce_goes_on_the_contacts_open_lead_else_on_their_latest_one() {
    let db = fresh().await;
    let apply = |id: &'static str, plan: IngestPlan| {
        let store = &db.store;
        async move { store.apply(&plan, id.as_bytes(), "t").await.unwrap() }
    };
    let first = apply("1", lead_plan("a1@globex.test", "2026-11-20T10:00:00Z")).await;
    let old = first.lead_ids[0];
    db.store.cancel(old, "alice@acme.test", None).await.unwrap();
    let second = apply("2", lead_plan("a2@globex.test", "2026-11-22T10:00:00Z")).await;
    let open = second.lead_ids[0];
    assert_ne!(open, old, "a cancelled lead is not reopened");
    let bounce = bounce_plan("b1@mx.test", "2026-11-23T10:00:00Z", "jane@globex.test");
    assert_eq!(
        apply("3", bounce).await.lead_ids,
        [open],
        "the open lead only"
    );
    db.store
        .cancel(open, "alice@acme.test", None)
        .await
        .unwrap();
    let bounce = bounce_plan("b2@mx.test", "2026-11-24T10:00:00Z", "jane@globex.test");
    assert_eq!(
        apply("4", bounce).await.lead_ids,
        [open],
        "none open: the most recently active one"
    );
}

#[tokio::test]
async fn a_plan_that_fails_midway_leaves_no_rows() {
    let db = fresh().await;
    let empty = counts(&db.store).await;
    let commands = Commands {
        accepted: vec![
            crate::ingest::plan::Command::Tag { tag: "hot".into() },
            crate::ingest::plan::Command::Owner {
                owner: addr("nobody@acme.test"),
            },
        ],
        rejected: vec![],
        by: Some(addr("alice@acme.test")),
    };
    let mail = lead_mail(jane(), "2026-11-20T10:00:00Z", commands);
    let err = db
        .store
        .apply(
            &plan("f1@globex.test", "2026-11-20T10:00:00Z", Action::Lead(mail)),
            b"1",
            "t",
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("cannot apply message f1@globex.test: "),
        "{text}"
    );
    assert!(text.to_lowercase().contains("foreign key"), "{text}");
    assert!(!err.is_transient());
    assert_eq!(counts(&db.store).await, empty);
}

/// A spoofed-sender plan, applied; returns the plan, the raw bytes and the entry id.
async fn spoof(db: &TestDb) -> (IngestPlan, Vec<u8>, i64) {
    spoof_as(db, "q1@evil.test").await
}

/// A spoofed message with this Message-ID, quarantined.
async fn spoof_as(db: &TestDb, message_id: &str) -> (IngestPlan, Vec<u8>, i64) {
    let draft = QuarantineDraft {
        reason: QuarantineReason::SpoofedSender,
        detail: "dmarc=fail".into(),
        user: Some(addr("alice@acme.test")),
    };
    let held = plan(
        message_id,
        "2026-11-20T10:00:00Z",
        Action::Quarantine(draft),
    );
    let raw = b"From: alice@acme.test\r\n\r\n\xff\x00binary".to_vec();
    let applied = db.store.apply(&held, &raw, "t").await.unwrap();
    assert_eq!(applied.outcome, Outcome::Quarantined);
    (held, raw, applied.quarantine_id.unwrap())
}

#[tokio::test]
async fn quarantine_keeps_the_raw_bytes() {
    let db = fresh().await;
    let (held, raw, id) = spoof(&db).await;
    let kept = db.store.quarantined_raw(id).await.unwrap().unwrap();
    assert_eq!((&kept.excerpt, kept.size), (&raw, raw.len() as u64));
    assert!(kept.is_whole(), "a small message is kept whole");
    let listed = db.store.list_quarantine(false).await.unwrap();
    assert_eq!(
        (listed[0].id, listed[0].reason),
        (id, QuarantineReason::SpoofedSender)
    );
    let again = db.store.apply(&held, &raw, "t").await.unwrap();
    assert_eq!(again.outcome, Outcome::Duplicate);
    assert_eq!(db.store.quarantined_raw(999).await.unwrap(), None);
}

#[tokio::test]
async fn a_large_quarantined_message_keeps_a_bounded_excerpt_and_its_size() {
    let db = fresh().await;
    let draft = QuarantineDraft {
        reason: QuarantineReason::UnknownSender,
        detail: "unknown".into(),
        user: None,
    };
    let held = plan(
        "big@x.test",
        "2026-11-20T10:00:00Z",
        Action::Quarantine(draft),
    );
    let mut raw = b"From: jane@globex.example\r\nSubject: big\r\n\r\n".to_vec();
    raw.resize(3 * crate::store::KEPT_RAW_BYTES + 7, b'x');
    let id = db
        .store
        .apply(&held, &raw, "t")
        .await
        .unwrap()
        .quarantine_id
        .unwrap();
    let kept = db.store.quarantined_raw(id).await.unwrap().unwrap();
    assert_eq!(kept.size, raw.len() as u64);
    assert_eq!(kept.excerpt, raw[..crate::store::KEPT_RAW_BYTES]);
    assert!(!kept.is_whole());
}

#[tokio::test]
async fn a_message_fetched_as_its_header_only_keeps_the_header_and_the_whole_size() {
    let db = fresh().await;
    let draft = QuarantineDraft {
        reason: QuarantineReason::TooLarge,
        detail: "30000000 bytes is over security.max_message_bytes".into(),
        user: None,
    };
    let held = plan(
        "huge@x.test",
        "2026-11-20T10:00:00Z",
        Action::Quarantine(draft),
    );
    let header = b"From: jane@globex.example\r\nSubject: huge\r\n\r\n".to_vec();
    let folder = crate::store::FolderRef {
        mailbox: "crm",
        folder: "INBOX",
        uid_validity: 1,
        fence: None,
    };
    let message = crate::store::FolderMessage {
        plan: &held,
        raw: &header,
        size: 30_000_000,
        uid: 1,
    };
    let applied = db
        .store
        .apply_batch_from_mailbox(&folder, &[message])
        .await
        .unwrap();
    let kept = db
        .store
        .quarantined_raw(applied[0].quarantine_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.excerpt, kept.size), (header, 30_000_000));
}

#[tokio::test]
async fn a_released_message_is_applied_again_once() {
    let db = fresh().await;
    let (_, raw, id) = spoof(&db).await;
    db.store.mark_released(id).await.unwrap();
    assert!(db.store.list_quarantine(false).await.unwrap().is_empty());
    let mail = lead_mail(jane(), "2026-11-20T10:00:00Z", Commands::default());
    let released = plan("q1@evil.test", "2026-11-20T10:00:00Z", Action::Lead(mail));
    let first = db.store.apply(&released, &raw, "release").await.unwrap();
    assert_eq!(first.outcome, Outcome::CreatedLead);
    let again = db.store.apply(&released, &raw, "release").await.unwrap();
    assert_eq!(again.outcome, Outcome::Duplicate);
    let err = db.store.mark_released(999).await.unwrap_err();
    assert_eq!(err.to_string(), "cannot find quarantine entry 999");
}

#[tokio::test]
async fn a_batch_claims_new_and_released_messages_once_and_skips_the_rest() {
    let db = fresh().await;
    let (held, raw, held_id) = spoof(&db).await;
    let (_, _, released_id) = spoof_as(&db, "q2@evil.test").await;
    db.store.mark_released(released_id).await.unwrap();
    let mail = lead_mail(jane(), "2026-11-20T10:00:00Z", Commands::default());
    let released = plan("q2@evil.test", "2026-11-20T10:00:00Z", Action::Lead(mail));
    let new = lead_plan("n1@x.test", "2026-11-20T11:00:00Z");
    let folder = crate::store::FolderRef {
        mailbox: "crm",
        folder: "INBOX",
        uid_validity: 1,
        fence: None,
    };
    let message = |plan, uid| crate::store::FolderMessage {
        plan,
        raw: &raw,
        size: raw.len() as u64,
        uid,
    };
    let batch = [
        message(&held, 1),
        message(&released, 2),
        message(&new, 3),
        message(&released, 4),
    ];
    let applied = db
        .store
        .apply_batch_from_mailbox(&folder, &batch)
        .await
        .unwrap();
    let outcomes: Vec<Outcome> = applied.iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Duplicate,
            Outcome::CreatedLead,
            Outcome::Appended,
            Outcome::Duplicate
        ],
        "the still-held message and the second copy are duplicates"
    );
    assert_eq!(applied[3].lead_ids, applied[1].lead_ids);
    let still_held: Vec<i64> = db
        .store
        .list_quarantine(false)
        .await
        .unwrap()
        .iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(still_held, [held_id]);
    let (outcome, _, _) = db.store.processed("n1@x.test").await.unwrap().unwrap();
    assert_eq!(
        outcome,
        Outcome::Appended,
        "the batch recorded each outcome"
    );
    let again = db.store.apply(&new, &raw, "t").await.unwrap();
    assert_eq!(
        (again.outcome, again.lead_ids),
        (Outcome::Duplicate, applied[2].lead_ids.clone()),
        "the batch recorded the leads each message touched"
    );
}

#[tokio::test]
async fn a_batch_finds_replies_to_earlier_mail_and_to_mail_of_the_same_batch() {
    let db = fresh().await;
    let earlier = outbound_plan("o5@acme.test", "2026-11-20T10:00:00Z", vec![jane()]);
    let jane_lead = db.store.apply(&earlier, b"1", "t").await.unwrap().lead_ids[0];
    let bob = person("bob@initech.test", "Bob", Some(("Initech", "initech.test")));
    let same_batch = outbound_plan("o6@acme.test", "2026-11-21T09:00:00Z", vec![bob]);
    let reply = |id: &str, to: &str, from: &str| {
        let stranger = person(from, "Someone", None);
        let mail = thread_mail(
            &[to],
            stranger,
            TimelineKind::EmailIn,
            "2026-11-21T10:00:00Z",
        );
        plan(id, "2026-11-21T10:00:00Z", Action::Thread(mail))
    };
    let to_same_batch = reply("r6@x.test", "o6@acme.test", "a@elsewhere.test");
    let to_earlier = reply("r5@x.test", "o5@acme.test", "b@elsewhere.test");
    let to_nothing = reply("r0@x.test", "gone@x.test", "c@elsewhere.test");
    let folder = crate::store::FolderRef {
        mailbox: "crm",
        folder: "INBOX",
        uid_validity: 1,
        fence: None,
    };
    let plans = [&same_batch, &to_same_batch, &to_earlier, &to_nothing];
    let batch: Vec<crate::store::FolderMessage<'_>> = plans
        .iter()
        .zip(1..)
        .map(|(plan, uid)| crate::store::FolderMessage {
            plan,
            raw: b"x",
            size: 1,
            uid,
        })
        .collect();
    let applied = db
        .store
        .apply_batch_from_mailbox(&folder, &batch)
        .await
        .unwrap();
    let bob_lead = applied[0].lead_ids[0];
    let found: Vec<(Outcome, Vec<i64>)> = applied[1..]
        .iter()
        .map(|a| (a.outcome, a.lead_ids.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (Outcome::Appended, vec![bob_lead]),
            (Outcome::Appended, vec![jane_lead]),
            (Outcome::Automated, vec![]),
        ]
    );
}
