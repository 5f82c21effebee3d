//! Digest replies: only the owner's leads, refusals reported, one
//! confirmation per reply, and no more than ten an hour.

use super::*;
use crate::commands::reply::{ReplyAction, ReplyCommand};
use crate::ingest::plan::{DigestReplyMail, Outcome};

fn reply(message_id: &str, when: &str, commands: Vec<ReplyCommand>) -> IngestPlan {
    let mail = DigestReplyMail {
        user: addr("alice@acme.test"),
        commands,
        not_understood: vec!["\"frob 3\": unknown".into()],
        reply_message_id: Some(format!("<{message_id}>")),
        confirmation_id: format!("<confirm.{message_id}>"),
        time_zone: "Europe/Lisbon".into(),
    };
    plan(message_id, when, Action::DigestReply(mail))
}

fn command(lead_id: i64, action: ReplyAction) -> ReplyCommand {
    ReplyCommand {
        lead_id,
        action,
        line: format!("cmd {lead_id}"),
    }
}

#[tokio::test]
async fn a_reply_acts_only_on_the_users_leads_and_queues_one_confirmation() {
    let db = fresh().await;
    let lead = db
        .store
        .apply(
            &lead_plan("m1@x.test", "2026-11-20T10:00:00Z"),
            b"raw",
            "test",
        )
        .await
        .unwrap()
        .lead_ids[0];
    let step = ReplyAction::Step {
        step: "Proposal".into(),
    };
    let plan = reply(
        "r1@acme.test",
        "2026-11-23T09:00:00Z",
        vec![command(lead, step), command(4242, ReplyAction::Done)],
    );
    let applied = db.store.apply(&plan, b"raw", "test").await.unwrap();
    assert_eq!(applied.outcome, Outcome::Appended);
    assert_eq!(applied.lead_ids, vec![lead]);
    let view = db.store.lead(lead).await.unwrap().unwrap();
    assert_eq!(view.step.as_deref(), Some("Proposal"));
    let outbox = db.store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].kind, "confirmation");
    let mail = &db.store.pending_mail_for("alice@acme.test").await.unwrap()[0];
    assert!(
        mail.draft.subject.contains("1 change applied"),
        "{}",
        mail.draft.subject
    );
    assert!(
        mail.draft.text.contains("4242"),
        "the refused lead is named"
    );
    assert!(
        mail.draft.text.contains("frob 3"),
        "the unread line is named"
    );

    let again = db.store.apply(&plan, b"raw", "test").await.unwrap();
    assert_eq!(again.outcome, Outcome::Duplicate);
    assert_eq!(db.store.outbox().await.unwrap().len(), 1);
}

#[tokio::test]
async fn confirmations_stop_at_ten_an_hour_so_robots_cannot_ping_pong() {
    let db = fresh().await;
    for i in 0..15 {
        let plan = reply(
            &format!("loop{i}@acme.test"),
            "2026-11-23T09:00:00Z",
            vec![],
        );
        db.store.apply(&plan, b"raw", "test").await.unwrap();
    }
    assert_eq!(db.store.outbox().await.unwrap().len(), 10);
}

#[tokio::test]
async fn a_reply_holding_no_command_gets_no_confirmation() {
    let db = fresh().await;
    let mut plan = reply("thanks@acme.test", "2026-11-23T09:00:00Z", vec![]);
    if let Action::DigestReply(mail) = &mut plan.action {
        mail.not_understood.clear();
    }
    let applied = db.store.apply(&plan, b"raw", "test").await.unwrap();
    assert_eq!(applied.outcome, Outcome::Appended);
    assert!(db.store.outbox().await.unwrap().is_empty());
}
