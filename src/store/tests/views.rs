//! The listings and their JSON (DESIGN §6b).

use super::*;
use crate::domain::LeadStatus;
use crate::store::LeadFilter;
use serde_json::{json, Value};

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn the_json_of_a_lead_has_exactly_the_contract_fields() {
    let db = fresh().await;
    let id = db
        .store
        .apply(
            &lead_plan("a1@globex.test", "2026-11-20T10:00:00Z"),
            b"1",
            "t",
        )
        .await
        .unwrap()
        .lead_ids[0];
    let value = serde_json::to_value(db.store.lead(id).await.unwrap().unwrap()).unwrap();
    let mut expected = [
        "id",
        "kind",
        "title",
        "status",
        "step",
        "standby_until",
        "source",
        "owner",
        "company",
        "contacts",
        "next_action",
        "tags",
        "flags",
        "amount",
        "created_at",
        "last_activity_at",
    ];
    expected.sort_unstable();
    assert_eq!(keys(&value), expected);
    assert_eq!(keys(&value["company"]), ["domain", "name"]);
    assert_eq!(
        keys(&value["contacts"][0]),
        ["emails", "name", "phone", "title"]
    );
    assert_eq!(keys(&value["next_action"]), ["due_at", "kind", "note"]);
    assert_eq!(value["kind"], "lead");
    assert_eq!(value["status"], "todo");
    assert_eq!(value["source"], "forward");
    assert_eq!(
        (&value["step"], &value["amount"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(value["created_at"], "2026-11-20T10:00:00Z");
    assert_eq!(value["tags"], json!([]));
    assert_eq!(value["contacts"][0]["emails"], json!(["jane@globex.test"]));
}

#[tokio::test]
async fn timeline_contacts_and_quarantine_json_use_the_contract_names() {
    let db = fresh().await;
    let id = db
        .store
        .apply(
            &lead_plan("a1@globex.test", "2026-11-20T10:00:00Z"),
            b"1",
            "t",
        )
        .await
        .unwrap()
        .lead_ids[0];
    let timeline = serde_json::to_value(db.store.timeline(id).await.unwrap()).unwrap();
    assert_eq!(
        keys(&timeline[0]),
        [
            "actor",
            "attachments",
            "body",
            "kind",
            "message_id",
            "occurred_at",
            "subject"
        ]
    );
    assert_eq!(timeline[0]["kind"], "email_in");
    let contacts = serde_json::to_value(db.store.list_contacts().await.unwrap()).unwrap();
    assert_eq!(
        keys(&contacts[0]),
        ["bounced", "company", "emails", "id", "name", "phone", "title"]
    );
    assert_eq!(contacts[0]["bounced"], false);
    let draft = crate::ingest::plan::QuarantineDraft {
        reason: crate::domain::QuarantineReason::TooLarge,
        detail: "over max_message_bytes".into(),
        user: None,
    };
    let held = plan(
        "big@globex.test",
        "2026-11-20T10:00:00Z",
        Action::Quarantine(draft),
    );
    db.store.apply(&held, b"big", "t").await.unwrap();
    let listed = serde_json::to_value(db.store.list_quarantine(false).await.unwrap()).unwrap();
    let expected = [
        "detail",
        "from",
        "id",
        "message_id",
        "reason",
        "received_at",
        "resolution_note",
        "resolved_at",
        "resolved_by",
        "status",
        "subject",
    ];
    assert_eq!(keys(&listed[0]), expected);
    assert_eq!(listed[0]["reason"], "too_large");
}

#[tokio::test]
async fn the_timeline_is_ordered_by_time_then_by_insertion() {
    let db = fresh().await;
    let id = db
        .store
        .apply(
            &lead_plan("a2@globex.test", "2026-11-22T10:00:00Z"),
            b"1",
            "t",
        )
        .await
        .unwrap()
        .lead_ids[0];
    let older = lead_plan("a1@globex.test", "2026-11-20T10:00:00Z");
    db.store.apply(&older, b"2", "t").await.unwrap();
    let times: Vec<_> = db
        .store
        .timeline(id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.occurred_at)
        .collect();
    assert_eq!(
        times,
        [at("2026-11-20T10:00:00Z"), at("2026-11-22T10:00:00Z")]
    );
    let lead = db.store.lead(id).await.unwrap().unwrap();
    assert_eq!(
        lead.last_activity_at,
        at("2026-11-22T10:00:00Z"),
        "an older mail does not move it back"
    );
}

#[tokio::test]
async fn leads_are_listed_by_kind_status_owner_and_openness() {
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
    let other = person("ann@initech.test", "Ann", Some(("Initech", "initech.test")));
    let prospect = db
        .store
        .apply(
            &outbound_plan("o1@acme.test", "2026-11-20T10:00:00Z", vec![other]),
            b"2",
            "t",
        )
        .await
        .unwrap()
        .lead_ids[0];
    db.store
        .set_status(lead, LeadStatus::Won, None, None, "alice@acme.test")
        .await
        .unwrap();
    let ids =
        |views: Vec<crate::store::LeadView>| views.into_iter().map(|v| v.id).collect::<Vec<_>>();
    let all = LeadFilter::default();
    assert_eq!(
        ids(db.store.list_leads(&all).await.unwrap()),
        [lead, prospect]
    );
    let prospects = LeadFilter {
        kind: Some(LeadKind::Prospect),
        ..LeadFilter::default()
    };
    assert_eq!(
        ids(db.store.list_leads(&prospects).await.unwrap()),
        [prospect]
    );
    let won = LeadFilter {
        status: Some(LeadStatus::Won),
        ..LeadFilter::default()
    };
    assert_eq!(ids(db.store.list_leads(&won).await.unwrap()), [lead]);
    let open = LeadFilter {
        open_only: true,
        owner: Some("Alice@acme.test".into()),
        ..LeadFilter::default()
    };
    assert_eq!(ids(db.store.list_leads(&open).await.unwrap()), [prospect]);
    let bobs = LeadFilter {
        owner: Some("bob@acme.test".into()),
        ..LeadFilter::default()
    };
    assert!(db.store.list_leads(&bobs).await.unwrap().is_empty());
}
