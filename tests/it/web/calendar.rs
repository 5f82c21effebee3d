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
/// start in UTC, its TZID and wall-clock time as written, the start in UTC
/// by the feed's own VTIMEZONE (not the tz database), URL and summary.
fn parse_ics(path: &std::path::Path) -> Vec<serde_json::Value> {
    let python = crate::support::repo().join(".venv-test/bin/python");
    let script = r#"
import json, sys, datetime, icalendar
utc = datetime.timezone.utc
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
own = {str(tz['TZID']): tz.to_tz(lookup_tzid=False) for tz in cal.walk('VTIMEZONE')}
for ev in cal.walk('VEVENT'):
    start = ev.decoded('DTSTART')
    assert start.tzinfo is not None, 'a floating time'
    tzid = ev['DTSTART'].params.get('TZID')
    by_vtimezone = start.replace(tzinfo=own[tzid]) if tzid else start
    print(json.dumps({'uid': str(ev['UID']), 'sequence': int(ev['SEQUENCE']),
        'start': start.astimezone(utc).isoformat(),
        'tzid': tzid,
        'local': start.replace(tzinfo=None).isoformat(),
        'start_by_vtimezone': by_vtimezone.astimezone(utc).isoformat(),
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

/// The event of `lead` in a parsed feed.
fn event_of(events: &[serde_json::Value], lead: i64) -> serde_json::Value {
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
}

#[tokio::test]
#[ignore = "needs the SMTP receiver and icalendar (scripts/icalendar.sh install)"]
async fn on_the_days_the_clocks_change_each_event_keeps_its_wall_time_and_instant() {
    if !icalendar_installed() {
        return;
    }
    let Some(web) = WebApp::start("ics-dst") else {
        return;
    };
    // Bruno's zone is Europe/Amsterdam: on 28 March 2027 02:00 CET is 03:00
    // CEST; on 31 October 2027 03:00 CEST is 02:00 CET and 02:xx comes twice.
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let csrf = bruno.session_csrf().await;
    let path = feed_path(&bruno.post("/calendar/new", &[("csrf", &csrf)]).await.body);
    let mut calendar_app = Client::new(&web.base);
    // (lead, what Bruno types, the wall-clock time in the feed, its instant)
    let days = [
        [
            (
                3,
                "2027-03-28 01:30",
                "2027-03-28T01:30:00",
                "2027-03-28T00:30:00+00:00",
            ),
            // In the skipped hour: the first minute after it (the product's rule).
            (
                4,
                "2027-03-28 02:30",
                "2027-03-28T03:00:00",
                "2027-03-28T01:00:00+00:00",
            ),
            (
                7,
                "2027-03-28 09:00",
                "2027-03-28T09:00:00",
                "2027-03-28T07:00:00+00:00",
            ),
        ],
        [
            (
                3,
                "2027-10-31 01:30",
                "2027-10-31T01:30:00",
                "2027-10-30T23:30:00+00:00",
            ),
            // In the repeated hour: its first pass, as RFC 5545 reads it too.
            (
                4,
                "2027-10-31 02:30",
                "2027-10-31T02:30:00",
                "2027-10-31T00:30:00+00:00",
            ),
            (
                7,
                "2027-10-31 09:00",
                "2027-10-31T09:00:00",
                "2027-10-31T08:00:00+00:00",
            ),
        ],
    ];
    for (n, day) in days.iter().enumerate() {
        for (lead, when, _, _) in day {
            let what = format!("{when} call on a changeover day");
            let set = act(&mut bruno, *lead, &[("action", "next"), ("what", &what)]).await;
            assert_eq!(set.status, 303, "{when}: {}", set.body);
        }
        let file = web.app.dir.path().join(format!("dst-{n}.ics"));
        std::fs::write(&file, calendar_app.get(&path).await.body).unwrap();
        let events = parse_ics(&file);
        for (lead, when, local, instant) in day {
            let event = event_of(&events, *lead);
            assert_eq!(event["tzid"], "Europe/Amsterdam", "{when}: {event:#}");
            assert_eq!(event["local"], *local, "{when}: {event:#}");
            assert_eq!(event["start"], *instant, "{when}: {event:#}");
            assert_eq!(
                event["start_by_vtimezone"], *instant,
                "{when} by the feed's VTIMEZONE: {event:#}"
            );
        }
    }
    // Bruno's zone was New York when he set a call for 21:30 EDT on 30
    // October, 01:30 UTC: in Amsterdam that is 02:30 CET, the repeated
    // hour's second pass, which a TZID'd 02:30 would put an hour early.
    let port = crate::support::web::free_port();
    web.app
        .set_config("web.listen", format!("127.0.0.1:{port}"));
    web.app.set_config("users.1.time_zone", "America/New_York");
    let mut new_york = crate::support::web::serve(&web.app, port, crate::support::TEST_NOW);
    web.app.set_config("users.1.time_zone", "Europe/Amsterdam");
    let mut there = Client::new(&format!("http://127.0.0.1:{port}"));
    there.cookies = bruno.cookies.clone();
    let set = act(
        &mut there,
        3,
        &[
            ("action", "next"),
            ("what", "2027-10-30 21:30 call from New York"),
        ],
    )
    .await;
    assert_eq!(set.status, 303, "{}", set.body);
    let seen_there = there.get(&path).await.body;
    let _ = new_york.kill();
    let _ = new_york.wait();
    for (name, ics) in [
        ("new-york.ics", seen_there),
        ("amsterdam.ics", calendar_app.get(&path).await.body),
    ] {
        let file = web.app.dir.path().join(name);
        std::fs::write(&file, ics).unwrap();
        let event = event_of(&parse_ics(&file), 3);
        assert_eq!(
            event["start"], "2027-10-31T01:30:00+00:00",
            "{name}: {event:#}"
        );
        assert_eq!(
            event["start_by_vtimezone"], event["start"],
            "{name}: {event:#}"
        );
    }
}
