//! Who may change what (issue 13): strangers, routing tokens, ownership.

use super::*;
use crate::ingest::plan::Outcome;

/// Alice's outbound mail made prospect `id` with Jane as its contact.
async fn janes_prospect(db: &TestDb) -> i64 {
    let out = outbound_plan("o1@acme.test", "2026-11-20T10:00:00Z", vec![jane()]);
    db.store.apply(&out, b"1", "t").await.unwrap().lead_ids[0]
}

/// A mail to `crm+lead-N@` from `sender`, in no known thread.
fn token_mail(lead: i64, sender: ContactDraft, id: &str) -> IngestPlan {
    let mut mail = thread_mail(&[], sender, TimelineKind::EmailIn, "2026-11-21T10:00:00Z");
    mail.routing_lead = Some(lead);
    plan(id, "2026-11-21T10:00:00Z", Action::Thread(mail))
}

#[tokio::test]
async fn a_stranger_mailing_a_leads_token_goes_on_its_timeline_and_changes_nothing_else() {
    let db = fresh().await;
    let lead = janes_prospect(&db).await;
    let mut stranger = person("mallory@evil.test", "Mallory", Some(("Evil", "evil.test")));
    stranger.phone = Some("+15550100".into());
    stranger.title = Some("CEO".into());
    let applied = db
        .store
        .apply(&token_mail(lead, stranger, "s1@evil.test"), b"2", "t")
        .await
        .unwrap();
    assert_eq!(
        (applied.outcome, applied.lead_ids),
        (Outcome::Appended, vec![lead])
    );
    let view = db.store.lead(lead).await.unwrap().unwrap();
    assert_eq!(view.contacts.len(), 1, "only Jane: {:?}", view.contacts);
    assert!(view.flags.is_empty(), "a stranger's mail is no reply");
    assert_eq!(
        count(&db.store, "contacts").await,
        1,
        "no contact for Mallory"
    );
    let timeline = db.store.timeline(lead).await.unwrap();
    assert!(timeline
        .iter()
        .any(|e| e.actor.as_deref() == Some("jane@globex.test") && e.subject == "Re: Intro"));
}

#[tokio::test]
async fn a_contact_of_the_lead_mailing_its_token_is_still_a_reply() {
    let db = fresh().await;
    let lead = janes_prospect(&db).await;
    let applied = db
        .store
        .apply(&token_mail(lead, jane(), "j1@globex.test"), b"2", "t")
        .await
        .unwrap();
    assert_eq!(applied.lead_ids, vec![lead]);
    let view = db.store.lead(lead).await.unwrap().unwrap();
    assert_eq!(view.flags, ["replied"]);
}
