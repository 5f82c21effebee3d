//! The pages over HTTP: a lead's page and its actions, My day, Team,
//! Mailboxes and Quarantine under the roles, and hostile mail text kept as
//! text on every page.

use super::{act, quarantine_partner_mail, SPOOFED_PARTNER_MAIL};
use crate::support::hostile;
use crate::support::web::{signed_in, Client, WebApp};

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
    let no_reason = act(&mut bruno, 3, &[("action", "lost"), ("reason", " ")]).await;
    assert_eq!(no_reason.status, 400, "lost without a reason");
    assert!(no_reason.body.contains("reason"), "{}", no_reason.body);
    assert!(!bruno.get("/leads/3").await.body.contains("lead · lost"));
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
    assert!(
        day.contains(r#"action="/leads/7/act""#) && day.contains(r#"value="snooze""#),
        "My day offers a snooze: {day}"
    );
    let before = bruno_entries(&web, 7);
    let snoozed = act(
        &mut bruno,
        7,
        &[("action", "snooze"), ("when", "tomorrow"), ("back", "/")],
    )
    .await;
    assert_eq!(snoozed.location.as_deref(), Some("/"), "{}", snoozed.body);
    let day = bruno.get("/").await.body;
    assert!(
        day.contains("call Dana · due Tue 24 Nov, 08:30")
            && !day.contains(r#"action="/leads/7/act""#),
        "snoozed to Bruno's next morning, no longer due today: {day}"
    );
    let after = bruno_entries(&web, 7);
    assert_eq!(
        after.len(),
        before.len() + 1,
        "the snooze, by Bruno: {after:#?}"
    );
    let again = act(
        &mut bruno,
        7,
        &[("action", "next"), ("what", "2026-11-23 17:00 call Dana")],
    )
    .await;
    assert_eq!(again.status, 303);
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

/// The entries of lead `id`'s timeline whose actor is Bruno.
fn bruno_entries(web: &WebApp, id: i64) -> Vec<serde_json::Value> {
    let timeline = web.app.json(&["timeline", &id.to_string(), "--json"]);
    timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "bruno@acme.test")
        .cloned()
        .collect()
}

/// Files `raw` as `name` with `leadmail ingest`; its report.
fn ingest(web: &WebApp, name: &str, raw: &str) -> serde_json::Value {
    let file = web.app.dir.path().join(name);
    std::fs::write(&file, raw).unwrap();
    web.app.json(&["ingest", file.to_str().unwrap(), "--json"])
}

/// `path` as `client` sees it, checked: 200 with the security headers
/// `secure_headers` sends, nothing in the markup that would run, and none
/// of `mails`' `<…>` runs or marked texts as they are (only escaped). Its body.
async fn checked_page(client: &mut Client, path: &str, mails: &[&str]) -> String {
    let reply = client.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    let header = |name: &str| {
        reply
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{path}: no {name} header"))
            .to_string()
    };
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(header(name), value, "{path}: {name}");
    }
    let csp = header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{path}: {directive} in {csp}");
    }
    assert!(
        !csp.contains("script-src") && !csp.contains("unsafe-eval"),
        "{path}: scripts allowed by {csp}"
    );
    let body = reply.body;
    let live = hostile::live_markup(&body);
    assert!(live.is_empty(), "{path}: live markup {live:?}");
    for mail in mails {
        for run in hostile::angle_runs(mail) {
            assert!(!body.contains(&run), "{path}: {run} as markup");
        }
        for text in hostile::marked_texts(mail) {
            assert!(!body.contains(&text), "{path}: {text} unescaped");
        }
    }
    body
}

/// Asserts that `page` (at `path`) shows each of `texts`, escaped.
fn shows_escaped(path: &str, page: &str, texts: &[&str]) {
    for text in texts {
        let escaped = hostile::escaped(text);
        assert_ne!(&escaped, text, "{text} has nothing to escape");
        assert!(page.contains(&escaped), "{path}: no {escaped} in {page}");
    }
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn hostile_mail_text_is_escaped_on_every_page() {
    let Some(web) = WebApp::start("escape") else {
        return;
    };
    let (forward, inquiry) = (hostile::FORWARD, hostile::inquiry());
    let mails = [forward, inquiry.as_str(), SPOOFED_PARTNER_MAIL];
    // The stranger's inquiry first: held, nobody knows the sender yet.
    let held = ingest(&web, "inquiry.eml", &inquiry);
    assert_eq!(held[0]["outcome"], "quarantined", "{held:#}");
    let message_id = hostile::header(&inquiry, "message-id", false).unwrap();
    let inquiry_entry = web
        .app
        .json(&["quarantine", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["message_id"] == message_id.trim_matches(['<', '>']))
        .expect("the inquiry is held")["id"]
        .as_i64()
        .unwrap();
    let partner_entry = quarantine_partner_mail(&web);
    // Alice forwards Mallory's mail: a lead titled by its hostile subject.
    let filed = ingest(&web, "forward.eml", forward);
    assert_eq!(filed[0]["outcome"], "created_lead", "{filed:#}");
    let lead_id = filed[0]["lead_id"].as_i64().expect("a lead").to_string();
    let lead = format!("/leads/{lead_id}");
    let title = hostile::header(forward, "subject", true).unwrap();
    let inquiry_subject = hostile::header(&inquiry, "subject", false).unwrap();
    let inquiry_from = hostile::header(&inquiry, "from", false).unwrap();
    let partner_subject = hostile::header(SPOOFED_PARTNER_MAIL, "subject", false).unwrap();
    let partner_from = hostile::header(SPOOFED_PARTNER_MAIL, "from", false).unwrap();

    let mut alice = signed_in(&web, "alice@acme.test").await;
    let page = checked_page(&mut alice, "/quarantine", &mails).await;
    shows_escaped(
        "/quarantine",
        &page,
        &[&inquiry_subject, &inquiry_from, &partner_subject],
    );
    for (id, texts) in [
        (inquiry_entry, [&inquiry_subject, &inquiry_from]),
        (partner_entry, [&partner_subject, &partner_from]),
    ] {
        let path = format!("/quarantine/{id}");
        let page = checked_page(&mut alice, &path, &mails).await;
        shows_escaped(&path, &page, &texts.map(String::as_str));
    }
    // Released, the inquiry joins Mallory's lead and the partner's
    // introduction becomes one.
    let csrf = alice.session_csrf().await;
    let mut released = Vec::new();
    for id in [inquiry_entry, partner_entry] {
        let path = format!("/quarantine/{id}/release");
        let reply = alice
            .post(&path, &[("csrf", &csrf), ("reason", "ok")])
            .await;
        assert_eq!(reply.status, 303, "{path}: {}", reply.body);
        released.push(reply.location.expect("to the lead"));
    }
    assert_eq!(released[0], lead, "the inquiry joins Mallory's lead");
    let page = checked_page(&mut alice, &lead, &mails).await;
    let hostile_body = hostile::marked_body_lines(forward).pop().unwrap();
    shows_escaped(&lead, &page, &[&title, &hostile_body, &inquiry_subject]);
    let page = checked_page(&mut alice, &released[1], &mails).await;
    let partner_body = hostile::marked_body_lines(SPOOFED_PARTNER_MAIL)
        .pop()
        .unwrap();
    shows_escaped(&released[1], &page, &[&partner_subject, &partner_body]);
    for path in ["/leads?status=all&q=mallory", "/leads?status=all", "/"] {
        let page = checked_page(&mut alice, path, &mails).await;
        shows_escaped(path, &page, &[&title]);
    }
    // A search for the hostile text itself comes back in the form, as text.
    let reflected = format!(
        "/leads?q={}",
        form_urlencoded::byte_serialize(title.as_bytes()).collect::<String>()
    );
    let page = checked_page(&mut alice, &reflected, &[forward]).await;
    assert!(
        page.contains(&format!("value=\"{}\"", hostile::escaped(&title))),
        "{page}"
    );
    for path in ["/team", "/mailboxes", "/calendar"] {
        checked_page(&mut alice, path, &mails).await;
    }
    // The CLI's timeline keeps the text as it came (escaping is the page's job).
    let timeline = web.app.json(&["timeline", &lead_id, "--json"]);
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["subject"].as_str() == Some(inquiry_subject.as_str())),
        "{timeline:#}"
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
