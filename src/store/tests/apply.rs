//! Applying plans: creation, deduplication, matching contacts and companies.

use super::*;
use crate::domain::LeadStatus;
use crate::ingest::plan::Outcome;

#[tokio::test]
async fn applying_a_lead_plan_creates_lead_contact_company_timeline_and_next_action() {
    let db = fresh().await;
    let applied = db
        .store
        .apply(
            &lead_plan("a1@globex.test", "2026-11-20T10:00:00Z"),
            b"raw",
            "test",
        )
        .await
        .unwrap();
    assert_eq!(applied.outcome, Outcome::CreatedLead);
    assert_eq!(applied.quarantine_id, None);
    let lead = db.store.lead(applied.lead_ids[0]).await.unwrap().unwrap();
    assert_eq!(
        (lead.kind, lead.status, lead.step.as_deref()),
        (LeadKind::Lead, LeadStatus::Todo, None)
    );
    assert_eq!(lead.owner.as_deref(), Some("alice@acme.test"));
    assert_eq!(lead.company.unwrap().domain.as_deref(), Some("globex.test"));
    assert_eq!(lead.contacts[0].emails, ["jane@globex.test"]);
    assert_eq!(lead.next_action.unwrap().due_at, at("2026-11-23T09:00:00Z"));
    assert_eq!(
        (lead.created_at, lead.last_activity_at),
        (at("2026-11-20T10:00:00Z"), at("2026-11-20T10:00:00Z"))
    );
    let timeline = db.store.timeline(lead.id).await.unwrap();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].message_id.as_deref(), Some("a1@globex.test"));
    for table in [
        "companies",
        "contacts",
        "contact_emails",
        "leads",
        "next_actions",
        "processed_messages",
    ] {
        assert_eq!(count(&db.store, table).await, 1, "{table}");
    }
}

#[tokio::test]
async fn applying_the_same_plan_twice_is_a_duplicate_and_changes_nothing() {
    let db = fresh().await;
    let plan = lead_plan("a1@globex.test", "2026-11-20T10:00:00Z");
    let first = db.store.apply(&plan, b"raw", "test").await.unwrap();
    let before = counts(&db.store).await;
    let again = db.store.apply(&plan, b"raw", "test").await.unwrap();
    assert_eq!(again.outcome, Outcome::Duplicate);
    assert_eq!(again.lead_ids, first.lead_ids);
    assert_eq!(counts(&db.store).await, before);
    let (outcome, rule, _) = db.store.processed("a1@globex.test").await.unwrap().unwrap();
    assert_eq!(
        (outcome, rule.as_str()),
        (Outcome::CreatedLead, "test_rule")
    );
    assert_eq!(db.store.processed_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_second_message_from_the_same_contact_appends_instead_of_creating() {
    let db = fresh().await;
    let first = db
        .store
        .apply(
            &lead_plan("a1@globex.test", "2026-11-20T10:00:00Z"),
            b"1",
            "t",
        )
        .await
        .unwrap();
    let mut contact = person("Jane+crm@Globex.test", "J.", None);
    contact.phone = Some("+351 900 000 000".into());
    let mail = lead_mail(contact, "2026-11-21T10:00:00Z", Commands::default());
    let second = plan("a2@globex.test", "2026-11-21T10:00:00Z", Action::Lead(mail));
    let applied = db.store.apply(&second, b"2", "t").await.unwrap();
    assert_eq!(applied.outcome, Outcome::Appended);
    assert_eq!(applied.lead_ids, first.lead_ids);
    assert_eq!(count(&db.store, "leads").await, 1);
    let lead = db.store.lead(first.lead_ids[0]).await.unwrap().unwrap();
    assert_eq!(lead.contacts.len(), 1);
    assert_eq!(
        lead.contacts[0].name.as_deref(),
        Some("Jane Roe"),
        "a known name is kept"
    );
    assert_eq!(
        lead.contacts[0].phone.as_deref(),
        Some("+351 900 000 000"),
        "an empty phone is filled"
    );
    assert_eq!(lead.last_activity_at, at("2026-11-21T10:00:00Z"));
}

#[tokio::test]
async fn a_colleague_from_the_same_company_domain_joins_the_open_lead() {
    let db = fresh().await;
    let first = db
        .store
        .apply(
            &lead_plan("a1@globex.test", "2026-11-20T10:00:00Z"),
            b"1",
            "t",
        )
        .await
        .unwrap();
    let colleague = person(
        "max@globex.test",
        "Max",
        Some(("Globex Corp", "globex.test")),
    );
    let mail = lead_mail(colleague, "2026-11-21T10:00:00Z", Commands::default());
    let applied = db
        .store
        .apply(
            &plan("a2@globex.test", "2026-11-21T10:00:00Z", Action::Lead(mail)),
            b"2",
            "t",
        )
        .await
        .unwrap();
    assert_eq!(
        (applied.outcome, applied.lead_ids.clone()),
        (Outcome::Appended, first.lead_ids)
    );
    let lead = db.store.lead(applied.lead_ids[0]).await.unwrap().unwrap();
    let names: Vec<_> = lead
        .contacts
        .iter()
        .map(|c| c.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["Jane Roe", "Max"], "primary first");
    assert_eq!(
        lead.company.unwrap().name,
        "Globex",
        "the known company name is kept"
    );
}

#[tokio::test]
async fn free_mail_people_share_a_company_only_by_name_case_insensitively() {
    let db = fresh().await;
    let a = person("ann@gmail.com", "Ann", Some(("Initech", "")));
    let b = person("ben@gmail.com", "Ben", Some(("INITECH", "")));
    let when = "2026-11-20T10:00:00Z";
    db.store
        .apply(&outbound_plan("o1@acme.test", when, vec![a]), b"1", "t")
        .await
        .unwrap();
    db.store
        .apply(&outbound_plan("o2@acme.test", when, vec![b]), b"2", "t")
        .await
        .unwrap();
    assert_eq!(count(&db.store, "companies").await, 1);
    assert_eq!(
        count(&db.store, "leads").await,
        2,
        "no domain: no matching by company"
    );
}

#[tokio::test]
async fn outbound_to_two_recipients_of_one_company_makes_one_prospect_with_two_contacts() {
    let db = fresh().await;
    let globex = Some(("Globex", "globex.test"));
    let recipients = vec![
        person("jane@globex.test", "Jane", globex),
        person("max@globex.test", "Max", globex),
    ];
    let applied = db
        .store
        .apply(
            &outbound_plan("o1@acme.test", "2026-11-20T10:00:00Z", recipients),
            b"1",
            "t",
        )
        .await
        .unwrap();
    assert_eq!(
        (applied.outcome, applied.lead_ids.len()),
        (Outcome::CreatedProspect, 1)
    );
    let prospect = db.store.lead(applied.lead_ids[0]).await.unwrap().unwrap();
    assert_eq!(prospect.kind, LeadKind::Prospect);
    assert_eq!(prospect.contacts.len(), 2);
    let again = outbound_plan(
        "o2@acme.test",
        "2026-11-22T10:00:00Z",
        vec![person("max@globex.test", "Max", globex)],
    );
    let applied = db.store.apply(&again, b"2", "t").await.unwrap();
    assert_eq!(
        (applied.outcome, applied.lead_ids),
        (Outcome::Appended, vec![prospect.id])
    );
    assert_eq!(db.store.timeline(prospect.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_new_lead_is_written_with_the_messages_entries_in_order_and_their_latest_time() {
    let db = fresh().await;
    // The first entry is later than the message (a forward filed at its
    // own time, the original's entry at the original's), the second later still.
    let mut mail = lead_mail(jane(), "2026-11-20T10:30:00Z", Commands::default());
    let note = entry(TimelineKind::Note, "2026-11-20T10:45:00Z", "Rep's note");
    mail.entries.push(note);
    let first = plan("e1@globex.test", "2026-11-20T10:00:00Z", Action::Lead(mail));
    let id = db.store.apply(&first, b"1", "t").await.unwrap().lead_ids[0];
    let timeline = db.store.timeline(id).await.unwrap();
    let seen: Vec<(&str, Option<&str>)> = timeline
        .iter()
        .map(|e| (e.subject.as_str(), e.message_id.as_deref()))
        .collect();
    let key = key("e1@globex.test");
    let expected = [
        ("Pricing for 50 seats", Some(key.as_str())),
        ("Rep's note", Some(key.as_str())),
    ];
    assert_eq!(seen, expected);
    let lead = db.store.lead(id).await.unwrap().unwrap();
    assert_eq!(lead.created_at, at("2026-11-20T10:00:00Z"));
    assert_eq!(lead.last_activity_at, at("2026-11-20T10:45:00Z"));
}

#[tokio::test]
async fn a_new_lead_whose_first_entry_is_a_bounce_keeps_the_messages_time_as_activity() {
    let db = fresh().await;
    let mut mail = lead_mail(jane(), "2026-11-20T10:30:00Z", Commands::default());
    mail.entries[0].kind = TimelineKind::AutoReply;
    let first = plan("e2@globex.test", "2026-11-20T10:00:00Z", Action::Lead(mail));
    let id = db.store.apply(&first, b"1", "t").await.unwrap().lead_ids[0];
    assert_eq!(db.store.timeline(id).await.unwrap().len(), 1);
    let lead = db.store.lead(id).await.unwrap().unwrap();
    assert_eq!(lead.last_activity_at, at("2026-11-20T10:00:00Z"));
}

#[tokio::test]
async fn a_bcc_to_two_companies_puts_one_entry_on_each_new_prospect() {
    let db = fresh().await;
    let mut plan = outbound_plan("o1@acme.test", "2026-11-20T10:00:00Z", vec![jane()]);
    let Action::Outbound(mail) = &mut plan.action else {
        unreachable!("an outbound plan")
    };
    let kim = person(
        "kim@initech.test",
        "Kim Lee",
        Some(("Initech", "initech.test")),
    );
    let second = OutboundGroup {
        contacts: vec![kim],
        new_prospect: mail.groups[0].new_prospect.clone(),
    };
    mail.groups.push(second);
    let applied = db.store.apply(&plan, b"1", "t").await.unwrap();
    assert_eq!(applied.lead_ids.len(), 2);
    for id in applied.lead_ids {
        let timeline = db.store.timeline(id).await.unwrap();
        let subjects: Vec<&str> = timeline.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["Intro"], "lead {id}");
    }
}
