//! A rep's commands carried by a message.

use super::*;
use crate::domain::{LeadStatus, QuarantineReason};
use crate::ingest::plan::{Command, Outcome};
use crate::store::db;

fn forward_with(commands: Vec<Command>, rejected: Vec<String>) -> IngestPlan {
    let commands = Commands {
        accepted: commands,
        rejected,
        by: Some(addr("alice@acme.test")),
    };
    let mail = lead_mail(jane(), "2026-11-20T10:00:00Z", commands);
    plan("c1@globex.test", "2026-11-20T10:00:00Z", Action::Lead(mail))
}

#[tokio::test]
async fn commands_in_a_forward_set_tag_next_action_amount_step_status_and_owner() {
    let db = fresh().await;
    let commands = vec![
        Command::Tag { tag: "#Hot".into() },
        Command::Next(next("2026-11-27T14:00:00Z", "send the proposal")),
        Command::Amount {
            value: 5000.0,
            currency: "eur".into(),
        },
        Command::Step {
            step: "Demo".into(),
        },
        Command::Status {
            status: LeadStatus::Standby,
            until: Some(at("2026-12-01T09:00:00Z")),
            reason: None,
        },
        Command::Owner {
            owner: addr("bob@acme.test"),
        },
    ];
    let applied = db
        .store
        .apply(&forward_with(commands, vec![]), b"1", "t")
        .await
        .unwrap();
    assert_eq!(
        (applied.outcome, applied.quarantine_id),
        (Outcome::CreatedLead, None)
    );
    let lead = db.store.lead(applied.lead_ids[0]).await.unwrap().unwrap();
    assert_eq!(lead.tags, ["hot"]);
    let next_action = lead.next_action.unwrap();
    assert_eq!(
        (next_action.note.as_str(), next_action.due_at),
        ("send the proposal", at("2026-11-27T14:00:00Z"))
    );
    let amount = lead.amount.unwrap();
    assert_eq!((amount.value, amount.currency.as_str()), (5000.0, "EUR"));
    assert_eq!(
        (lead.step.as_deref(), lead.status),
        (Some("Demo"), LeadStatus::Standby)
    );
    assert_eq!(lead.owner.as_deref(), Some("bob@acme.test"));
    let kinds: Vec<_> = db
        .store
        .timeline(lead.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    use TimelineKind::*;
    assert_eq!(kinds, [EmailIn, NextAction, StepChange, StatusChange]);
    assert_eq!(
        count(&db.store, "next_actions").await,
        2,
        "the first one is replaced, not deleted"
    );
}

#[tokio::test]
async fn unreadable_and_refused_commands_are_quarantined_and_the_rest_applies() {
    let db = fresh().await;
    let commands = vec![
        Command::Status {
            status: LeadStatus::Todo,
            until: None,
            reason: None,
        },
        Command::Tag { tag: "vip".into() },
    ];
    let rejected = vec!["`nxt: friday`: unknown command".to_string()];
    let applied = db
        .store
        .apply(&forward_with(commands, rejected), b"raw", "t")
        .await
        .unwrap();
    assert_eq!(applied.outcome, Outcome::CreatedLead);
    let lead = applied.lead_ids[0];
    assert_eq!(db.store.lead(lead).await.unwrap().unwrap().tags, ["vip"]);
    let held = db.store.list_quarantine(false).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(Some(held[0].id), applied.quarantine_id);
    assert_eq!(held[0].reason, QuarantineReason::BadCommand);
    let detail = &held[0].detail;
    assert!(
        detail.contains("`nxt: friday`: unknown command"),
        "{detail}"
    );
    assert!(
        detail.contains(&format!(
            "cannot set the status of lead {lead}: it is already todo"
        )),
        "{detail}"
    );
    assert!(
        detail.ends_with(&format!(
            "the rest of the message was processed (lead {lead})"
        )),
        "{detail}"
    );
    let user: Option<String> = db::query_scalar("SELECT user_email FROM quarantine")
        .fetch_one(&db.store.pool)
        .await
        .unwrap();
    assert_eq!(user.as_deref(), Some("alice@acme.test"));
}

#[tokio::test]
async fn a_prospect_cannot_be_won_by_command_but_the_message_is_processed() {
    let db = fresh().await;
    let mut out = outbound_plan("o1@acme.test", "2026-11-20T10:00:00Z", vec![jane()]);
    if let Action::Outbound(mail) = &mut out.action {
        mail.commands.accepted.push(Command::Status {
            status: LeadStatus::Won,
            until: None,
            reason: None,
        });
    }
    let applied = db.store.apply(&out, b"1", "t").await.unwrap();
    assert_eq!(applied.outcome, Outcome::CreatedProspect);
    assert!(applied.quarantine_id.is_some());
    let prospect = db.store.lead(applied.lead_ids[0]).await.unwrap().unwrap();
    assert_eq!(prospect.status, LeadStatus::Todo);
}

#[tokio::test]
async fn a_command_is_credited_to_the_plans_parsed_sender_not_to_the_from_as_written() {
    let db = fresh().await;
    let step = Command::Step {
        step: "Demo".into(),
    };
    let mut forward = forward_with(vec![step], vec![]);
    // The From as written is only shown; the store takes the pipeline's address.
    forward.from = Some("alice@acme.test (Alice Martins)".into());
    forward.sender = Some(addr("alice@acme.test"));
    let applied = db.store.apply(&forward, b"1", "t").await.unwrap();
    let timeline = db.store.timeline(applied.lead_ids[0]).await.unwrap();
    let change = timeline
        .iter()
        .find(|e| e.kind == TimelineKind::StepChange)
        .expect("the step change is on the timeline");
    assert_eq!(change.actor.as_deref(), Some("alice@acme.test"));
}
