//! Who may change what (issue 13): strangers, routing tokens, ownership.

use super::*;
use crate::domain::{LeadStatus, QuarantineReason};
use crate::ingest::plan::{Command, Outcome};

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

/// Alice's lead (a forward she owns).
async fn alices_lead(db: &TestDb) -> i64 {
    let plan = lead_plan("a1@globex.test", "2026-11-20T10:00:00Z");
    db.store.apply(&plan, b"1", "t").await.unwrap().lead_ids[0]
}

/// `by`'s note to `crm+lead-N@` saying `owner: by` and `status: won`.
fn takeover_note(lead: i64, by: &str, id: &str) -> IngestPlan {
    let commands = Commands {
        accepted: vec![
            Command::Owner { owner: addr(by) },
            Command::Status {
                status: LeadStatus::Won,
                until: None,
                reason: None,
            },
        ],
        rejected: Vec::new(),
        by: Some(addr(by)),
    };
    let mail = ThreadMail {
        routing_lead: Some(lead),
        references: Vec::new(),
        sender: None,
        match_sender: false,
        entry: entry(TimelineKind::Note, "2026-11-21T10:00:00Z", "Takeover"),
        flag_replied: false,
        commands,
        fallback: Fallback::Record,
    };
    plan(id, "2026-11-21T10:00:00Z", Action::Thread(mail))
}

async fn add_users(db: &TestDb, extra: &[(&str, &str, &str)]) {
    let mut users = vec![user("alice@acme.test"), user("bob@acme.test")];
    for (email, role, team) in extra {
        let mut record = user(email);
        record.role = role.to_string();
        record.team = Some(team.to_string());
        users.push(record);
    }
    db.store.sync_users(&users).await.unwrap();
}

#[tokio::test]
async fn a_reps_note_cannot_take_over_or_close_a_colleagues_lead_but_is_filed() {
    let db = fresh().await;
    let lead = alices_lead(&db).await;
    let applied = db
        .store
        .apply(
            &takeover_note(lead, "bob@acme.test", "n1@acme.test"),
            b"2",
            "t",
        )
        .await
        .unwrap();
    assert_eq!(
        applied.lead_ids,
        vec![lead],
        "the note is filed on the lead"
    );
    let view = db.store.lead(lead).await.unwrap().unwrap();
    assert_eq!(
        (view.owner.as_deref(), view.status),
        (Some("alice@acme.test"), LeadStatus::Todo)
    );
    let held = db.store.list_quarantine(false).await.unwrap();
    assert_eq!(Some(held[0].id), applied.quarantine_id);
    assert_eq!(held[0].reason, QuarantineReason::BadCommand);
    assert!(
        held[0]
            .detail
            .contains("it is alice@acme.test's, not yours"),
        "{}",
        held[0].detail
    );
    let timeline = db.store.timeline(lead).await.unwrap();
    assert!(timeline.iter().any(|e| e.subject == "Takeover"));
}

#[tokio::test]
async fn a_plus_tag_on_a_bcc_sets_nothing_on_a_colleagues_lead() {
    let db = fresh().await;
    let lead = alices_lead(&db).await;
    let mut out = outbound_plan("o9@acme.test", "2026-11-21T10:00:00Z", vec![jane()]);
    let Action::Outbound(mail) = &mut out.action else {
        unreachable!("outbound_plan makes an outbound mail")
    };
    mail.rep = addr("bob@acme.test");
    mail.commands.by = Some(addr("bob@acme.test"));
    mail.commands
        .accepted
        .push(Command::Next(next("2026-12-01T09:00:00Z", "bob's call")));
    let applied = db.store.apply(&out, b"2", "t").await.unwrap();
    assert_eq!(applied.lead_ids, vec![lead], "the mail goes on Jane's lead");
    assert!(applied.quarantine_id.is_some(), "the refusal is reported");
    let view = db.store.lead(lead).await.unwrap().unwrap();
    assert_eq!(view.next_action.unwrap().note, "call back");
}

#[tokio::test]
async fn commands_from_nobody_authenticated_are_refused() {
    let db = fresh().await;
    let lead = alices_lead(&db).await;
    let mut note = takeover_note(lead, "alice@acme.test", "n2@acme.test");
    if let Action::Thread(mail) = &mut note.action {
        mail.commands.by = None;
    }
    let applied = db.store.apply(&note, b"2", "t").await.unwrap();
    assert!(applied.quarantine_id.is_some());
    let view = db.store.lead(lead).await.unwrap().unwrap();
    assert_eq!(view.status, LeadStatus::Todo);
}

#[tokio::test]
async fn a_team_lead_acts_on_the_teams_leads_an_admin_on_any_by_mail_and_cli() {
    let db = fresh().await;
    add_users(
        &db,
        &[
            ("carla@acme.test", "team_lead", "iberia"),
            ("dora@acme.test", "team_lead", "benelux"),
            ("root@acme.test", "admin", "hq"),
        ],
    )
    .await;
    let lead = alices_lead(&db).await;
    let refused = db
        .store
        .set_step(lead, "Demo", "dora@acme.test")
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("not in your team"),
        "{refused}"
    );
    assert!(db
        .store
        .set_step(lead, "Demo", "bob@acme.test")
        .await
        .is_err());
    assert!(db
        .store
        .set_step(lead, "Demo", "stranger@evil.test")
        .await
        .is_err());
    db.store
        .set_step(lead, "Demo", "carla@acme.test")
        .await
        .unwrap();
    db.store
        .set_step(lead, "Proposal", "root@acme.test")
        .await
        .unwrap();
    db.store.set_step(lead, "Demo", "cli").await.unwrap();
    let note = takeover_note(lead, "carla@acme.test", "n3@acme.test");
    let applied = db.store.apply(&note, b"3", "t").await.unwrap();
    assert_eq!(applied.quarantine_id, None);
    let view = db.store.lead(lead).await.unwrap().unwrap();
    assert_eq!(
        (view.owner.as_deref(), view.status),
        (Some("carla@acme.test"), LeadStatus::Won)
    );
}

/// A bounce for Jane naming `originals`, vouched for or not.
fn jane_bounce(id: &str, originals: &[&str], vouched: bool) -> IngestPlan {
    let mut plan = bounce_plan(id, "2026-11-21T10:00:00Z", "jane@globex.test");
    if let Action::Bounce(mail) = &mut plan.action {
        mail.originals = originals.iter().map(|k| key(k)).collect();
        mail.recipients[0].vouched = vouched;
    }
    plan
}

async fn jane_bounced(db: &TestDb) -> bool {
    db.store.list_contacts().await.unwrap()[0].bounced
}

#[tokio::test]
async fn a_forged_bounce_naming_none_of_our_messages_marks_nobody() {
    let db = fresh().await;
    let lead = alices_lead(&db).await;
    let forged = jane_bounce("f1@evil.test", &["made-up@evil.test"], false);
    let applied = db.store.apply(&forged, b"2", "t").await.unwrap();
    assert!(applied.lead_ids.is_empty());
    assert!(!jane_bounced(&db).await);
    assert_eq!(db.store.timeline(lead).await.unwrap().len(), 1);
    let about_ours = jane_bounce(
        "b1@mx.test",
        &["made-up@evil.test", "a1@globex.test"],
        false,
    );
    assert_eq!(
        db.store
            .apply(&about_ours, b"3", "t")
            .await
            .unwrap()
            .lead_ids,
        [lead]
    );
    assert!(jane_bounced(&db).await);
}

#[tokio::test]
async fn a_bounce_from_an_authenticated_reporter_counts_without_an_original() {
    let db = fresh().await;
    alices_lead(&db).await;
    db.store
        .apply(&jane_bounce("v1@globex.test", &[], true), b"2", "t")
        .await
        .unwrap();
    assert!(jane_bounced(&db).await);
}

#[tokio::test]
async fn a_known_message_id_with_other_content_is_put_aside_not_skipped() {
    let db = fresh().await;
    let mut first = lead_plan("k1@globex.test", "2026-11-20T10:00:00Z");
    first.fingerprint = Some("aaaa".into());
    let lead = db.store.apply(&first, b"1", "t").await.unwrap().lead_ids[0];
    let mut copy = first.clone();
    copy.reason = "the same message again".into();
    let again = db.store.apply(&copy, b"1", "t").await.unwrap();
    assert_eq!(
        (again.outcome, again.lead_ids),
        (Outcome::Duplicate, vec![lead])
    );
    let mut forged = lead_plan("k1@globex.test", "2026-11-21T10:00:00Z");
    forged.fingerprint = Some("bbbb".into());
    for _ in 0..2 {
        let applied = db.store.apply(&forged, b"2", "t").await.unwrap();
        assert_eq!(applied.outcome, Outcome::Quarantined);
        assert!(applied.lead_ids.is_empty());
    }
    let held = db.store.list_quarantine(false).await.unwrap();
    assert_eq!(held.len(), 1, "held once however often it comes");
    assert_eq!(held[0].reason, QuarantineReason::ReusedMessageId);
    assert!(
        held[0].detail.contains("aaaa then, bbbb now"),
        "{}",
        held[0].detail
    );
    assert_eq!(db.store.timeline(lead).await.unwrap().len(), 1);
}

#[tokio::test]
async fn two_copies_in_one_batch_with_other_content_put_the_second_aside() {
    let db = fresh().await;
    let mut first = lead_plan("k2@globex.test", "2026-11-20T10:00:00Z");
    first.fingerprint = Some("aaaa".into());
    let mut forged = first.clone();
    forged.fingerprint = Some("cccc".into());
    let folder = crate::store::FolderRef {
        mailbox: "crm",
        folder: "INBOX",
        uid_validity: 1,
        fence: None,
    };
    let messages = [
        crate::store::FolderMessage {
            plan: &first,
            raw: b"1",
            size: 1,
            uid: 1,
        },
        crate::store::FolderMessage {
            plan: &forged,
            raw: b"2",
            size: 1,
            uid: 2,
        },
    ];
    let applied = db
        .store
        .apply_batch_from_mailbox(&folder, &messages)
        .await
        .unwrap();
    let outcomes: Vec<Outcome> = applied.iter().map(|a| a.outcome).collect();
    assert_eq!(outcomes, [Outcome::CreatedLead, Outcome::Quarantined]);
}
