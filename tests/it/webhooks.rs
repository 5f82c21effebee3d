//! Webhooks (issue 19) through the real binary against a real HTTP receiver
//! on loopback that answers 500s, hangs past the timeout, refuses
//! connections for a while and comes back: every event arrives, signed,
//! one lead's events in order, and a duplicate only after a failed attempt,
//! with the same event id.

use crate::support;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use support::http::{Receiver, Request};
use support::{demo_messages, dovecot, spawn_app, wait_until, App, MailboxOptions};

const SECRET: &str = "whsec-test-3f9a";

/// `app` POSTs every event to `receiver`, retrying after 1 s, giving up an
/// attempt after 1 s.
fn add_webhook(app: &App, receiver: &Receiver) {
    std::fs::write(app.dir.path().join("webhook-secret"), SECRET).expect("secret file");
    let mut hook = toml::Table::new();
    hook.insert("name".into(), "crm-sync".into());
    hook.insert("url".into(), receiver.url("/hooks/leadmail").into());
    hook.insert("secret_file".into(), "webhook-secret".into());
    hook.insert("timeout_secs".into(), 1.into());
    hook.insert("retry_first_secs".into(), 1.into());
    app.push_config("webhooks", hook);
}

fn deliveries(app: &App, state: Option<&str>) -> Vec<Value> {
    let mut args = vec!["webhooks", "list", "--json"];
    if let Some(state) = state {
        args.extend(["--state", state]);
    }
    app.json(&args).as_array().cloned().unwrap_or_default()
}

/// The signature leadmail should have sent, computed here independently.
fn expected_signature(timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v1={hex}")
}

/// Every request is signed, names its event in a header and in the body,
/// and carries the versioned envelope.
fn assert_signed_envelopes(requests: &[Request]) {
    for request in requests {
        let header = |name: &str| request.headers.get(name).cloned().unwrap_or_default();
        assert_eq!(request.path, "/hooks/leadmail");
        assert_eq!(
            header("leadmail-signature"),
            expected_signature(&header("leadmail-timestamp"), &request.body),
            "a bad signature on {}",
            request.body
        );
        let body: Value = serde_json::from_str(&request.body).expect("a JSON body");
        assert_eq!(body["version"], 1);
        assert_eq!(body["id"], header("leadmail-event-id"));
        assert_eq!(body["type"], header("leadmail-event-type"));
        if body["type"].as_str().unwrap().starts_with("lead.") {
            assert!(body["data"]["lead"]["id"].is_i64(), "{body}");
        }
    }
}

/// Each event taken (answered 2xx) exactly once; the events of one lead
/// taken in the order they happened.
fn assert_once_and_in_order(requests: &[Request]) {
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut per_lead: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for request in requests {
        let body: Value = serde_json::from_str(&request.body).unwrap();
        let id = body["id"].as_str().unwrap().to_string();
        if request.answer.starts_with('2') {
            *taken.entry(id.clone()).or_default() += 1;
            if let Some(lead) = body["data"]["lead"]["id"].as_i64() {
                let number: i64 = id.trim_start_matches("evt_").parse().unwrap();
                per_lead.entry(lead).or_default().push(number);
            }
        }
    }
    assert!(
        taken.values().all(|n| *n == 1),
        "taken more than once: {taken:?}"
    );
    for (lead, events) in per_lead {
        assert!(
            events.windows(2).all(|w| w[0] < w[1]),
            "lead {lead}'s events arrived out of order: {events:?}"
        );
    }
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn every_event_arrives_signed_once_and_in_order_through_500s_hangs_and_a_dead_receiver() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "webhooks", MailboxOptions::default());
    let dir = tempfile::tempdir().expect("temp dir");
    let mut receiver = Receiver::start(dir.path(), &["500", "hang", "500", "503"]);
    add_webhook(&app, &receiver);
    let mut daemon = app.start_daemon(&["run"]);
    let messages = demo_messages();
    let (first, rest) = messages.split_at(messages.len() / 2);
    server.deliver(&app.user, first);
    assert!(
        wait_until(Duration::from_secs(60), || receiver.requests().len() >= 6),
        "the receiver got {} requests: {}",
        receiver.requests().len(),
        app.daemon_log()
    );

    receiver.stop();
    server.deliver(&app.user, rest);
    let refused = wait_until(Duration::from_secs(60), || {
        deliveries(&app, Some("pending")).iter().any(|d| {
            d["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("cannot connect"))
        })
    });
    assert!(refused, "no refused attempt recorded: {}", app.daemon_log());
    receiver.restart();

    let all_delivered = wait_until(Duration::from_secs(90), || {
        let all = deliveries(&app, None);
        !all.is_empty() && all.iter().all(|d| d["state"] == "delivered")
    });
    let _ = daemon.kill();
    let _ = daemon.wait();
    assert!(
        all_delivered,
        "still undelivered: {:?}",
        deliveries(&app, Some("pending"))
    );

    let requests = receiver.requests();
    assert_signed_envelopes(&requests);
    assert_once_and_in_order(&requests);
    let taken: Vec<&str> = requests
        .iter()
        .filter(|r| r.answer.starts_with('2'))
        .map(|r| r.headers["leadmail-event-id"].as_str())
        .collect();
    assert_eq!(
        taken.len(),
        deliveries(&app, None).len(),
        "one 2xx per event"
    );
    let hung: Vec<&Request> = requests.iter().filter(|r| r.answer == "hang").collect();
    assert_eq!(hung.len(), 1);
    let hung_id = &hung[0].headers["leadmail-event-id"];
    assert!(
        taken.contains(&hung_id.as_str()),
        "the event the receiver was too slow for came again with its id"
    );
    let types: Vec<String> = deliveries(&app, None)
        .iter()
        .map(|d| d["type"].as_str().unwrap().to_string())
        .collect();
    for expected in ["lead.created", "quarantine.added"] {
        assert!(
            types.iter().any(|t| t == expected),
            "no {expected} in {types:?}"
        );
    }
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_refused_event_is_parked_listed_and_sent_again_on_retry() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "webhooks-parked", MailboxOptions::default());
    let dir = tempfile::tempdir().expect("temp dir");
    let receiver = Receiver::start(dir.path(), &["410"]);
    add_webhook(&app, &receiver);
    // A first pass makes the webhook's cursor: it gets what happens from now on.
    assert!(app.run(&["run", "--once"]).status.success());
    server.deliver(&app.user, &demo_messages()[..3]);
    let out = app.run(&["run", "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let parked = deliveries(&app, Some("parked"));
    assert_eq!(parked.len(), 1, "{parked:?}");
    assert!(parked[0]["last_error"]
        .as_str()
        .is_some_and(|e| e.contains("HTTP 410")));
    let delivered = deliveries(&app, Some("delivered"));
    assert!(!delivered.is_empty());
    let listing = String::from_utf8_lossy(&app.run(&["webhooks", "list"]).stdout).to_string();
    assert!(
        listing.contains("parked") && listing.contains("HTTP 410"),
        "{listing}"
    );

    let refused = app.run(&["webhooks", "retry"]);
    assert_eq!(refused.status.code(), Some(2), "retry needs ids or --all");
    assert!(app.run(&["webhooks", "retry", "--all"]).status.success());
    assert!(app.run(&["run", "--once"]).status.success());
    assert!(deliveries(&app, Some("parked")).is_empty());
    let requests = receiver.requests();
    let parked_id = format!("evt_{}", parked[0]["event_id"]);
    let sent: Vec<&str> = requests
        .iter()
        .filter(|r| r.headers["leadmail-event-id"] == parked_id)
        .map(|r| r.answer.as_str())
        .collect();
    assert_eq!(sent, ["410", "200"]);
}
