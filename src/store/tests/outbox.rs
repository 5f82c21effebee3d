//! The outbox's send claims: two senders never hold one mail; a claim that
//! runs out (its sender died) frees the mail; an outcome clears it, also
//! for mails queued and recorded several to a transaction.

use super::*;
use crate::store::{OutboxDraft, SendClaim};

fn draft(n: usize, user: &str) -> OutboxDraft {
    OutboxDraft {
        kind: "confirmation",
        user_email: user.into(),
        local_date: None,
        message_id: format!("<c{n}@acme.test>"),
        in_reply_to: None,
        recipient: user.into(),
        subject: format!("Done {n}"),
        text: "ok\n".into(),
        html: None,
        header_value: format!("confirmation; {user}"),
    }
}

fn claim(holder: &str, until: &str) -> SendClaim {
    SendClaim {
        holder: holder.into(),
        until: at(until),
    }
}

fn ids(mails: &[crate::store::OutboxMail]) -> Vec<i64> {
    mails.iter().map(|m| m.id).collect()
}

#[tokio::test]
async fn two_senders_never_claim_the_same_mail_and_a_lapsed_claim_frees_it() {
    let db = fresh().await;
    let now = at("2026-11-23T11:00:00Z");
    for n in 0..5 {
        db.store
            .queue_mail(&draft(n, "alice@acme.test"), now)
            .await
            .unwrap();
    }
    let first = claim("a", "2026-11-23T11:15:00Z");
    let second = claim("b", "2026-11-23T11:15:00Z");
    let a = db.store.claim_due_mail(&first, now, 3).await.unwrap();
    let b = db.store.claim_due_mail(&second, now, 3).await.unwrap();
    assert_eq!((a.len(), b.len()), (3, 2));
    assert!(
        ids(&a).iter().all(|id| !ids(&b).contains(id)),
        "{a:?} {b:?}"
    );
    let by_user = db
        .store
        .claim_pending_mail_for("alice@acme.test", &second, now)
        .await
        .unwrap();
    assert!(by_user.is_empty(), "all five are held: {by_user:?}");

    db.store.mark_sent_many(&[a[0].id], now).await.unwrap();
    db.store
        .mark_failed(a[1].id, "451 try later", now, Some(now))
        .await
        .unwrap();
    let again = db.store.claim_due_mail(&second, now, 10).await.unwrap();
    assert_eq!(
        ids(&again),
        [a[1].id],
        "a failed mail is free again once due"
    );

    let later = at("2026-11-23T11:16:00Z");
    let lapsed = db
        .store
        .claim_due_mail(&claim("c", "2026-11-23T11:30:00Z"), later, 10)
        .await;
    let lapsed = ids(&lapsed.unwrap());
    let expected: Vec<i64> = [a[1].id, a[2].id]
        .into_iter()
        .chain(ids(&b))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        lapsed, expected,
        "claims that ran out free their mail; the sent one stays sent"
    );
}

#[tokio::test]
async fn mails_queued_and_marked_sent_together_are_each_recorded_once() {
    let db = fresh().await;
    let now = at("2026-11-23T11:00:00Z");
    let drafts: Vec<OutboxDraft> = (0..4).map(|n| draft(n, "alice@acme.test")).collect();
    let queued = db.store.queue_mails(&drafts, now).await.unwrap();
    assert_eq!(queued, [true; 4]);
    let again = db.store.queue_mails(&drafts[2..], now).await.unwrap();
    assert_eq!(again, [false, false], "a Message-ID is queued once");

    let held = db
        .store
        .claim_due_mail(&claim("a", "2026-11-23T11:15:00Z"), now, 10)
        .await
        .unwrap();
    assert_eq!(held.len(), 4);
    db.store
        .mark_sent_many(&ids(&held[..3]), now)
        .await
        .unwrap();
    let outbox = db.store.outbox().await.unwrap();
    let sent = outbox.iter().filter(|row| row.sent_at.is_some()).count();
    assert_eq!(sent, 3, "{outbox:?}");
    assert!(outbox.iter().all(|row| row.attempts <= 1), "{outbox:?}");

    let later = at("2026-11-23T11:16:00Z");
    let lapsed = db
        .store
        .claim_due_mail(&claim("b", "2026-11-23T11:30:00Z"), later, 10)
        .await
        .unwrap();
    assert_eq!(
        ids(&lapsed),
        [held[3].id],
        "only the unrecorded one comes back"
    );
}

#[tokio::test]
async fn a_batch_of_drafts_queues_each_message_id_and_each_users_day_once() {
    let db = fresh().await;
    let now = at("2026-11-23T06:00:00Z");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23);
    let digest = |n: usize, user: &str| OutboxDraft {
        kind: "digest",
        local_date: day,
        message_id: format!("<d{n}@acme.test>"),
        ..draft(n, user)
    };
    let mut drafts: Vec<OutboxDraft> = (0..250).map(|n| draft(n, "alice@acme.test")).collect();
    drafts.push(draft(7, "alice@acme.test"));
    drafts.push(digest(1, "alice@acme.test"));
    drafts.push(digest(2, "alice@acme.test"));
    drafts.push(digest(3, "bruno@acme.test"));
    let queued = db.store.queue_mails(&drafts, now).await.unwrap();
    let refused: Vec<usize> = (0..queued.len()).filter(|&i| !queued[i]).collect();
    assert_eq!(
        refused,
        [250, 252],
        "a Message-ID met again, a second digest for alice's day"
    );
    let outbox = db.store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 252);
    let held = db
        .store
        .claim_due_mail(&claim("a", "2026-11-23T06:15:00Z"), now, 300)
        .await
        .unwrap();
    db.store.mark_sent_many(&ids(&held), now).await.unwrap();
    let unsent = db.store.outbox().await.unwrap();
    assert!(unsent.iter().all(|mail| mail.sent_at.is_some()));
}
