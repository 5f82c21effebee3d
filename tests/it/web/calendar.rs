//! The calendar feed, read by Python's icalendar: times in the user's
//! zone across DST, stable UIDs with a growing SEQUENCE, renewal and
//! revocation.

use super::act;
use crate::support::web::{signed_in, Client, WebApp};

/// Whether Python's icalendar is in the test venv (else the test is
/// skipped, loudly, or fails where the servers are required).
fn icalendar_installed() -> bool {
    let python = crate::support::repo().join(".venv-test/bin/python");
    let found = crate::support::server_command(python)
        .args(["-c", "import icalendar"])
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        crate::support::skip_without("Python's icalendar", "run scripts/icalendar.sh install");
    }
    found
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
    // An independent parser of fixed dates: on the real clock, like the servers.
    let out = crate::support::server_command(python)
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
    if !icalendar_installed() {
        return;
    }
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
