//! The web app over HTTP: sign-in by mail (single use, expiry, rate
//! limits, the same answer for strangers), sessions and their cookie,
//! CSRF on every form, and who sees which lead.

mod browser;

use crate::support::web::{free_port, serve, signed_in, Client, WebApp};
use crate::support::TEST_NOW;

const NEEDS: &str = "needs the SMTP receiver (scripts/smtp.sh install)";

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_mailed_link_signs_in_once_and_the_user_sees_only_their_leads() {
    let Some(web) = WebApp::start("journey") else {
        return;
    };
    let _ = NEEDS;
    let mut bruno = Client::new(&web.base);
    let asked = bruno.ask_for_link("Bruno@acme.test").await;
    assert!(asked.body.contains("Check your mail"), "{}", asked.body);
    let link = web.wait_for_link("bruno@acme.test", 1);
    let signed = bruno.use_link(&link).await;
    assert_eq!(
        (signed.status, signed.location.as_deref()),
        (303, Some("/"))
    );
    let cookie = signed
        .set_cookies
        .iter()
        .find(|c| c.starts_with("lm_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http base_url: {cookie}");
    let list = bruno.get("/leads").await;
    assert_eq!(list.status, 200);
    for mine in ["Anfrage Angebot", "Vraag over licenties", "FBI Consulting"] {
        assert!(list.body.contains(mine), "{mine} missing");
    }
    assert!(
        !list.body.contains("Pricing for 40 seats"),
        "Alice's lead shown to Bruno"
    );
    let mut again = Client::new(&web.base);
    assert_eq!(
        again.use_link(&link).await.status,
        404,
        "a used link works again"
    );
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn strangers_get_the_same_answer_and_no_mail_and_requests_are_limited() {
    let Some(web) = WebApp::start("limits") else {
        return;
    };
    let mut client = Client::new(&web.base);
    let stranger = client.ask_for_link("eve@evil.test").await;
    let user = client.ask_for_link("alice@acme.test").await;
    assert_eq!(stranger.status, 200);
    assert_eq!(stranger.body, user.body, "the answer tells who is a user");
    web.wait_for_link("alice@acme.test", 1);
    assert!(web.links_to("eve@evil.test").is_empty());
    for _ in 0..2 {
        assert_eq!(client.ask_for_link("alice@acme.test").await.status, 200);
    }
    let over = client.ask_for_link("ALICE@acme.test").await;
    assert_eq!(over.status, 429, "{}", over.body);
    for i in 0..6 {
        client.ask_for_link(&format!("nobody{i}@evil.test")).await;
    }
    let from_this_ip = client.ask_for_link("bruno@acme.test").await;
    assert_eq!(from_this_ip.status, 429, "10 a client in 15 minutes");
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn forged_expired_and_unknown_links_and_forms_without_csrf_are_refused() {
    let Some(web) = WebApp::start("refusals") else {
        return;
    };
    let mut client = Client::new(&web.base);
    let forged = format!("/signin/{}", "ab".repeat(32));
    assert_eq!(client.get(&forged).await.status, 404);
    assert_eq!(client.get("/signin/../../etc").await.status, 404);
    // A form posted without the browser's own token is refused.
    let no_csrf = client
        .post("/signin", &[("email", "alice@acme.test")])
        .await;
    assert_eq!(no_csrf.status, 403);
    // A link 20 minutes old (a second server on the database, its clock later).
    client.ask_for_link("alice@acme.test").await;
    let link = web.wait_for_link("alice@acme.test", 1);
    let port = free_port();
    web.app
        .set_config("web.listen", format!("127.0.0.1:{port}"));
    let later =
        chrono::DateTime::parse_from_rfc3339(TEST_NOW).unwrap() + chrono::Duration::minutes(20);
    let mut late_server = serve(&web.app, port, &later.to_rfc3339());
    let mut late = Client::new(&format!("http://127.0.0.1:{port}"));
    assert_eq!(
        late.use_link(&link).await.status,
        404,
        "an expired link works"
    );
    let _ = late_server.kill();
    let _ = late_server.wait();
    // Signed in, a form without the session's CSRF token changes nothing.
    let mut alice = signed_in(&web, "alice@acme.test").await;
    let refused = alice.post("/signout", &[]).await;
    assert_eq!(refused.status, 403);
    let wrong = alice.post("/signout", &[("csrf", &"0".repeat(64))]).await;
    assert_eq!(wrong.status, 403);
    assert_eq!(alice.get("/leads").await.status, 200, "still signed in");
    let csrf = alice.session_csrf().await;
    let out = alice.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(
        (out.status, out.location.as_deref()),
        (303, Some("/signin"))
    );
    assert_eq!(alice.get("/leads").await.status, 303, "signed out");
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_signed_out_session_cookie_does_not_work_when_replayed() {
    let Some(web) = WebApp::start("replay") else {
        return;
    };
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let stolen = bruno.cookies.clone();
    let csrf = bruno.session_csrf().await;
    bruno.post("/signout", &[("csrf", &csrf)]).await;
    let mut thief = Client::new(&web.base);
    thief.cookies = stolen;
    let reply = thief.get("/leads").await;
    assert_eq!(
        (reply.status, reply.location.as_deref()),
        (303, Some("/signin"))
    );
}

/// Posts one action form on a lead as the signed-in client.
async fn act(
    client: &mut Client,
    lead: i64,
    fields: &[(&str, &str)],
) -> crate::support::web::Reply {
    let csrf = client.session_csrf().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client.post(&format!("/leads/{lead}/act"), &form).await
}

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

/// A partner's introduction whose sender authentication failed (so it is
/// quarantined as a possible spoof), with hostile text in it.
const SPOOFED_PARTNER_MAIL: &str =
    "Authentication-Results: mx.acme.test; dmarc=fail header.from=northwind.test\r\n\
From: Bob <bob@northwind.test>\r\n\
To: crm@acme.test\r\n\
Cc: Wanda <wanda@initrode.test>\r\n\
Subject: Intro: Wanda at Initrode <script>alert('subject')</script>\r\n\
Message-ID: <partner-spoof-1@northwind.test>\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
\r\n\
Hi team, meet Wanda from Initrode, who needs 20 seats. <img src=x onerror=alert(1)>\r\n";

/// Files the spoofed partner mail; its quarantine entry's id.
fn quarantine_partner_mail(web: &WebApp) -> i64 {
    let file = web.app.dir.path().join("partner.eml");
    std::fs::write(&file, SPOOFED_PARTNER_MAIL).unwrap();
    let report = web.app.json(&["ingest", file.to_str().unwrap(), "--json"]);
    assert_eq!(report[0]["outcome"], "quarantined", "{report:#}");
    let held = web.app.json(&["quarantine", "list", "--json"]);
    let entry = held
        .as_array()
        .unwrap()
        .iter()
        .find(|q| {
            q["message_id"]
                .as_str()
                .unwrap_or("")
                .contains("partner-spoof-1")
        })
        .expect("the partner mail is held");
    entry["id"].as_i64().unwrap()
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

/// Reads an ICS file with Python's icalendar: each event's UID, SEQUENCE,
/// start in UTC, URL and summary.
fn parse_ics(path: &std::path::Path) -> Vec<serde_json::Value> {
    let python = crate::support::repo().join(".venv-test/bin/python");
    let script = r#"
import json, sys, datetime, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for ev in cal.walk('VEVENT'):
    start = ev.decoded('DTSTART')
    assert start.tzinfo is not None, 'a floating time'
    print(json.dumps({'uid': str(ev['UID']), 'sequence': int(ev['SEQUENCE']),
        'start': start.astimezone(datetime.timezone.utc).isoformat(),
        'tzid': ev['DTSTART'].params.get('TZID'),
        'url': str(ev['URL']), 'summary': str(ev['SUMMARY'])}))
"#;
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "icalendar: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The feed URL's path on the page that just made it.
fn feed_path(page: &str) -> String {
    let at = page.find("/ics/").expect("a feed URL on the page");
    page[at..at + 5 + 64 + 4].to_string()
}

#[tokio::test]
#[ignore = "needs the SMTP receiver and icalendar (scripts/icalendar.sh install)"]
async fn the_calendar_feed_parses_with_icalendar_round_trips_dst_and_can_be_revoked() {
    let Some(web) = WebApp::start("ics") else {
        return;
    };
    let mut alice = signed_in(&web, "alice@acme.test").await;
    assert!(alice
        .get("/calendar")
        .await
        .body
        .contains("You have no feed"));
    let csrf = alice.session_csrf().await;
    let made = alice.post("/calendar/new", &[("csrf", &csrf)]).await;
    let path = feed_path(&made.body);
    for (lead, when) in [
        (1, "2027-07-01 09:00 call in summer"),
        (5, "2027-01-15 09:00 call in winter"),
    ] {
        assert_eq!(
            act(&mut alice, lead, &[("action", "next"), ("what", when)])
                .await
                .status,
            303
        );
    }
    let mut calendar_app = Client::new(&web.base);
    let fetch = |ics: String, name: &str| {
        let file = web.app.dir.path().join(name);
        std::fs::write(&file, ics).unwrap();
        parse_ics(&file)
    };
    let first = calendar_app.get(&path).await;
    assert_eq!(first.status, 200);
    let events = fetch(first.body, "first.ics");
    let by_uid = |events: &[serde_json::Value], lead: i64| {
        events
            .iter()
            .find(|e| {
                e["uid"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("lead-{lead}@"))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no event for lead {lead}: {events:#?}"))
    };
    let summer = by_uid(&events, 1);
    assert_eq!(summer["start"], "2027-07-01T08:00:00+00:00", "09:00 WEST");
    assert_eq!(summer["tzid"], "Europe/Lisbon");
    assert_eq!(summer["url"], format!("{}/leads/1", web.base));
    assert_eq!(
        by_uid(&events, 5)["start"],
        "2027-01-15T09:00:00+00:00",
        "09:00 WET"
    );
    assert!(
        events.iter().all(|e| e["uid"] != "lead-3@acme.test"),
        "Bruno's lead"
    );
    // A change keeps the UID and raises the SEQUENCE.
    act(
        &mut alice,
        1,
        &[("action", "snooze"), ("when", "2027-07-02 10:00")],
    )
    .await;
    let events = fetch(calendar_app.get(&path).await.body, "second.ics");
    let moved = by_uid(&events, 1);
    assert_eq!(moved["start"], "2027-07-02T09:00:00+00:00");
    assert_eq!(moved["uid"], summer["uid"]);
    assert!(moved["sequence"].as_i64() > summer["sequence"].as_i64());
    // A new URL retires the old one; turning the feed off retires both.
    let csrf = alice.session_csrf().await;
    let renewed = feed_path(&alice.post("/calendar/new", &[("csrf", &csrf)]).await.body);
    assert_eq!(calendar_app.get(&path).await.status, 404);
    assert_eq!(calendar_app.get(&renewed).await.status, 200);
    alice.post("/calendar/revoke", &[("csrf", &csrf)]).await;
    assert_eq!(calendar_app.get(&renewed).await.status, 404);
    assert_eq!(
        calendar_app
            .get(&format!("/ics/{}.ics", "cd".repeat(32)))
            .await
            .status,
        404
    );
}

#[tokio::test]
#[ignore = "needs Dovecot and the SMTP receiver (scripts/test.sh)"]
async fn run_serves_the_web_app_beside_the_mailboxes_and_stops_on_sigterm() {
    let Some(server) = crate::support::dovecot() else {
        return;
    };
    let Some(sink) = crate::support::smtp::SmtpSink::start("web-run", &[]) else {
        return;
    };
    let app =
        crate::support::spawn_app(server, "webrun", crate::support::MailboxOptions::default());
    app.add_smtp(&sink);
    let port = free_port();
    let mut web = toml::Table::new();
    web.insert("listen".into(), format!("127.0.0.1:{port}").into());
    web.insert("base_url".into(), format!("http://127.0.0.1:{port}").into());
    app.add_config_table("web", web);
    let mut daemon = app.start_daemon(&["run"]);
    let up = crate::support::wait_until(std::time::Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "run did not serve the web app: {}", app.daemon_log());
    let mut client = Client::new(&format!("http://127.0.0.1:{port}"));
    assert_eq!(client.ask_for_link("alice@acme.test").await.status, 200);
    let mailed = crate::support::wait_until(std::time::Duration::from_secs(20), || {
        sink.messages()
            .iter()
            .any(|m| String::from_utf8_lossy(m).contains("/signin/"))
    });
    assert!(mailed, "no sign-in mail: {}", app.daemon_log());
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let status = daemon.wait().expect("the daemon exits");
    assert!(
        status.success(),
        "SIGTERM gives exit 0: {}",
        app.daemon_log()
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still listening"
    );
}
