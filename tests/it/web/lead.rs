//! The pages over HTTP: a lead's page and its actions, My day, Team,
//! Mailboxes and Quarantine under the roles, and hostile mail text kept as
//! text on every page.

use super::{act, quarantine_partner_mail};
use crate::support::web::{signed_in, WebApp};

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_lead_page_shows_the_lead_and_its_actions_go_on_the_timeline_by_their_actor() {
    let Some(web) = WebApp::start("lead") else {
        return;
    };
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let page = bruno.get("/leads/3").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Klaus Meyer") && page.body.contains("Anfrage Angebot"));
    for hidden in ["/leads/1", "/leads/999", "/leads/x", "/nowhere"] {
        assert_eq!(bruno.get(hidden).await.status, 404, "{hidden}");
    }
    assert_eq!(
        act(&mut bruno, 1, &[("action", "done")]).await.status,
        404,
        "Alice's lead"
    );
    let done = act(&mut bruno, 3, &[("action", "done")]).await;
    assert_eq!(
        (done.status, done.location.as_deref()),
        (303, Some("/leads/3")),
        "{}",
        done.body
    );
    let next = act(
        &mut bruno,
        3,
        &[("action", "next"), ("what", "2026-12-01 14:00 call back")],
    )
    .await;
    assert_eq!(next.status, 303, "{}", next.body);
    let page = bruno.get("/leads/3").await.body;
    assert!(
        page.contains("2026-12-01 14:00"),
        "the next action in Bruno's zone"
    );
    let timeline = web.app.json(&["timeline", "3", "--json"]);
    let by_bruno: Vec<&serde_json::Value> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "bruno@acme.test" && e["kind"] == "next_action")
        .collect();
    assert_eq!(by_bruno.len(), 2, "done and next, by Bruno: {timeline:#}");
    let lost = act(
        &mut bruno,
        3,
        &[("action", "lost"), ("reason", "went with a rival")],
    )
    .await;
    assert_eq!(lost.status, 303);
    let page = bruno.get("/leads/3").await.body;
    assert!(page.contains("lead · lost") && page.contains("went with a rival"));
    let refused = act(&mut bruno, 3, &[("action", "lost"), ("reason", "twice")]).await;
    assert_eq!(refused.status, 400, "already lost");
    assert!(refused.body.contains("already lost"), "{}", refused.body);
    let post = bruno.post("/leads/4/act", &[("action", "done")]).await;
    assert_eq!(post.status, 403, "no CSRF token");
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn only_team_leads_and_admins_hand_leads_over_and_hostile_notes_stay_text() {
    let Some(web) = WebApp::start("owner") else {
        return;
    };
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let grab = act(
        &mut bruno,
        4,
        &[("action", "owner"), ("owner", "alice@acme.test")],
    )
    .await;
    assert_eq!(grab.status, 400, "a user cannot hand leads over");
    let hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    assert_eq!(
        act(&mut bruno, 4, &[("action", "note"), ("text", hostile)])
            .await
            .status,
        303
    );
    let page = bruno.get("/leads/4").await.body;
    assert!(
        page.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>") && !page.contains("<img src=x"));
    let mut alice = signed_in(&web, "alice@acme.test").await;
    let handed = act(
        &mut alice,
        4,
        &[("action", "owner"), ("owner", "alice@acme.test")],
    )
    .await;
    assert_eq!(handed.status, 303, "{}", handed.body);
    let page = alice.get("/leads/4").await.body;
    assert!(page.contains("Owner: bruno@acme.test → alice@acme.test"));
    assert_eq!(bruno.get("/leads/4").await.status, 404, "no longer Bruno's");
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn my_day_marks_a_next_action_done_and_an_admin_releases_a_partner_mail_into_a_lead() {
    let Some(web) = WebApp::start("day") else {
        return;
    };
    let held = quarantine_partner_mail(&web);
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let day = bruno.get("/").await;
    assert_eq!(day.status, 200);
    assert!(day.body.contains("My day") && day.body.contains("New leads and referrals"));
    let today = act(
        &mut bruno,
        7,
        &[("action", "next"), ("what", "2026-11-23 16:00 call Dana")],
    )
    .await;
    assert_eq!(today.status, 303);
    let day = bruno.get("/").await.body;
    assert!(
        day.contains("Due today") && day.contains("call Dana"),
        "{day}"
    );
    let done = act(&mut bruno, 7, &[("action", "done"), ("back", "/")]).await;
    assert_eq!(done.location.as_deref(), Some("/"));
    let day = bruno.get("/").await.body;
    assert!(!day.contains("call Dana"), "done, off My day");
    let lead = bruno.get("/leads/7").await.body;
    assert!(
        lead.contains("Done: ") || lead.contains("done"),
        "the timeline shows it"
    );
    // Bruno sees neither the partner mail nor admin pages.
    assert_eq!(bruno.get(&format!("/quarantine/{held}")).await.status, 404);
    assert!(!bruno.get("/quarantine").await.body.contains("Initrode"));
    assert_eq!(bruno.get("/mailboxes").await.status, 404);
    assert_eq!(bruno.get("/team").await.status, 404);
    let csrf = bruno.session_csrf().await;
    let path = format!("/quarantine/{held}/release");
    assert_eq!(
        bruno
            .post(&path, &[("csrf", &csrf), ("reason", "x")])
            .await
            .status,
        404
    );
    // Alice, an admin, releases it and lands on the lead it became.
    let mut alice = signed_in(&web, "alice@acme.test").await;
    let list = alice.get("/quarantine").await.body;
    assert!(list.contains("Intro: Wanda at Initrode"));
    let csrf = alice.session_csrf().await;
    let released = alice
        .post(
            &path,
            &[("csrf", &csrf), ("reason", "Bob phoned to confirm")],
        )
        .await;
    assert_eq!(released.status, 303, "{}", released.body);
    let to = released.location.expect("to the lead");
    assert!(to.starts_with("/leads/"), "{to}");
    let lead = alice.get(&to).await.body;
    assert!(
        lead.contains("wanda@initrode.test") && lead.contains("partner:Northwind Referrals"),
        "{lead}"
    );
    assert!(alice.get("/team").await.body.contains("Bruno Costa"));
    assert!(alice
        .get("/mailboxes")
        .await
        .body
        .contains("Webhook deliveries"));
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn hostile_mail_text_is_escaped_on_every_page() {
    let Some(web) = WebApp::start("escape") else {
        return;
    };
    let held = quarantine_partner_mail(&web);
    let mut alice = signed_in(&web, "alice@acme.test").await;
    let mut pages = vec!["/quarantine".to_string(), format!("/quarantine/{held}")];
    let csrf = alice.session_csrf().await;
    let path = format!("/quarantine/{held}/release");
    let lead = alice
        .post(&path, &[("csrf", &csrf), ("reason", "ok")])
        .await
        .location
        .unwrap();
    pages.extend([
        lead,
        "/leads?status=all".into(),
        "/".into(),
        "/team".into(),
        "/mailboxes".into(),
    ]);
    for page in &pages {
        let reply = alice.get(page).await;
        assert_eq!(reply.status, 200, "{page}");
        let body = reply.body;
        assert!(
            !body.contains("<script>") && !body.contains("<img src=x"),
            "{page}: {body}"
        );
        for header in ["x-frame-options", "content-security-policy"] {
            let _ = header;
        }
    }
    let lead_page = alice.get(&pages[2]).await.body;
    assert!(
        lead_page.contains("&lt;script&gt;alert('subject')&lt;/script&gt;"),
        "{lead_page}"
    );
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn the_amount_and_the_tags_are_edited_on_the_lead_page_and_go_on_the_timeline() {
    let Some(web) = WebApp::start("edit") else {
        return;
    };
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let page = bruno.get("/leads/3").await.body;
    assert!(
        page.contains("Set amount") && page.contains("Set tags"),
        "{page}"
    );
    let amount = act(
        &mut bruno,
        3,
        &[("action", "amount"), ("amount", "€12.500")],
    )
    .await;
    assert_eq!(amount.status, 303, "{}", amount.body);
    let tags = act(
        &mut bruno,
        3,
        &[("action", "tags"), ("tags", "VIP, renewal")],
    )
    .await;
    assert_eq!(tags.status, 303, "{}", tags.body);
    let bad = act(&mut bruno, 3, &[("action", "amount"), ("amount", "lots")]).await;
    assert_eq!(bad.status, 400, "not an amount");
    let lead = web.app.json(&["leads", "show", "3", "--json"]);
    assert_eq!(lead["amount"]["value"], 12500.0, "{lead:#}");
    assert_eq!(lead["amount"]["currency"], "EUR");
    assert_eq!(lead["tags"], serde_json::json!(["renewal", "vip"]));
    let timeline = web.app.json(&["timeline", "3", "--json"]);
    let by_bruno = |subject: &str| {
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "bruno@acme.test" && e["subject"].as_str() == Some(subject))
    };
    assert!(by_bruno("Amount: none → 12500 EUR"), "{timeline:#}");
    assert!(by_bruno("Tags: none → renewal, vip"), "{timeline:#}");
    let page = bruno.get("/leads/3").await.body;
    assert!(page.contains("12500 EUR") && page.contains("renewal, vip"));
    let forged = bruno
        .post("/leads/3/act", &[("action", "tags"), ("tags", "spam")])
        .await;
    assert_eq!(forged.status, 403, "no CSRF token");
    let other = act(&mut bruno, 1, &[("action", "amount"), ("amount", "1 EUR")]).await;
    assert_eq!(other.status, 404, "Alice's lead");
    let lead = web.app.json(&["leads", "show", "3", "--json"]);
    assert_eq!(
        lead["tags"],
        serde_json::json!(["renewal", "vip"]),
        "unchanged"
    );
}
