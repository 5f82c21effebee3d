//! The outbox sent over several reused SMTP connections, against the real
//! receiver (`scripts/smtp-sink.py`): each mail arrives exactly once, the
//! connections are few and reused, and a connection the receiver drops
//! mid-way costs no mail and sends none twice once the retry is due.

use crate::support;

use leadmail::config::Settings;
use leadmail::sending::{deliver_due, Delivery};
use leadmail::smtp::Mailer;
use leadmail::store::{OutboxDraft, Store};
use std::collections::{BTreeMap, BTreeSet};
use support::smtp::SmtpSink;
use support::{offline_app, App};

/// The suite's fixed morning: nothing here reads the wall clock.
const MORNING: &str = "2026-11-23T07:30:00Z";

/// Digests for `n` users queued for the fixed morning, over an app whose
/// `[smtp]` is `sink` with `connections` connections (the app holds the
/// database's folder).
async fn queued_digests(sink: &SmtpSink, connections: i64, n: usize) -> (App, Settings, Store) {
    let app = offline_app();
    app.add_smtp(sink);
    app.add_config("smtp.connections", connections);
    let settings = Settings::load(&app.config).expect("config");
    let store = Store::open(&settings.database_url).await.expect("database");
    let drafts: Vec<OutboxDraft> = (0..n).map(digest).collect();
    let queued = store.queue_mails(&drafts, morning()).await.expect("queue");
    assert_eq!(queued, vec![true; n]);
    (app, settings, store)
}

fn morning() -> chrono::DateTime<chrono::Utc> {
    MORNING.parse().expect("a time")
}

/// Rep `n`'s digest for the fixed day.
fn digest(n: usize) -> OutboxDraft {
    let user = format!("rep{n}@acme.test");
    OutboxDraft {
        kind: "digest",
        user_email: user.clone(),
        local_date: Some("2026-11-23".parse().expect("a day")),
        message_id: format!("<digest-{n}@acme.test>"),
        in_reply_to: None,
        recipient: user.clone(),
        subject: format!("Your day, rep {n}"),
        text: "Nothing overdue.\n".into(),
        html: Some("<p>Nothing overdue.</p>".into()),
        header_value: format!("digest; {user}; 2026-11-23"),
    }
}

/// One round of the daemon's sender at `at`, over a new mailer.
async fn deliver_at(settings: &Settings, store: &Store, at: &str) -> Delivery {
    let smtp = settings.smtp.as_ref().expect("[smtp]");
    let mailer = Mailer::new(smtp).expect("mailer");
    let at = at.parse().expect("a time");
    deliver_due(store, &mailer, &smtp.from, at)
        .await
        .expect("deliver")
}

/// How many times the sink received each Message-ID.
fn received_per_message_id(sink: &SmtpSink) -> BTreeMap<String, usize> {
    let mut per_id = BTreeMap::new();
    for bytes in sink.messages() {
        let message = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("a message");
        let id = message.message_id().unwrap_or_default().to_string();
        *per_id.entry(id).or_default() += 1;
    }
    per_id
}

/// The client ends (address and port) the sink's messages came from: one
/// per SMTP connection.
fn connections_seen(sink: &SmtpSink) -> BTreeSet<String> {
    let dir = sink.dir.join("mail");
    std::fs::read_dir(&dir)
        .expect("the sink's mail")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let meta: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
            meta["peer"].to_string()
        })
        .collect()
}

fn assert_each_once(sink: &SmtpSink, n: usize) {
    let per_id = received_per_message_id(sink);
    let twice: Vec<_> = per_id.iter().filter(|(_, times)| **times > 1).collect();
    assert!(twice.is_empty(), "received more than once: {twice:?}");
    assert_eq!(per_id.len(), n, "{per_id:?}");
}

async fn assert_all_marked_sent(store: &Store, n: usize) {
    let outbox = store.outbox().await.expect("outbox");
    assert_eq!(outbox.len(), n);
    let unsent: Vec<_> = outbox.iter().filter(|row| row.sent_at.is_none()).collect();
    assert!(unsent.is_empty(), "not marked sent: {unsent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn fifty_digests_go_out_once_each_over_three_reused_connections() {
    let Some(sink) = SmtpSink::start("reuse", &[]) else {
        return;
    };
    let (_app, settings, store) = queued_digests(&sink, 3, 50).await;

    let delivery = deliver_at(&settings, &store, MORNING).await;

    assert_eq!(
        delivery,
        Delivery {
            sent: 50,
            failed: 0
        }
    );
    assert_each_once(&sink, 50);
    assert_all_marked_sent(&store, 50).await;
    let connections = connections_seen(&sink);
    assert!(
        (2..=3).contains(&connections.len()),
        "50 digests over 3 configured connections came over {}: {connections:?}",
        connections.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn a_connection_dropped_mid_way_loses_no_digest_and_sends_none_twice() {
    // The 20th DATA: the connection is cut before the answer and the
    // message thrown away, and the reconnect at once is refused with 421.
    let Some(sink) = SmtpSink::start("drop", &["--drop-at", "20"]) else {
        return;
    };
    let (_app, settings, store) = queued_digests(&sink, 3, 50).await;

    let first = deliver_at(&settings, &store, MORNING).await;
    assert_eq!(
        first,
        Delivery {
            sent: 49,
            failed: 1
        }
    );
    assert_eq!(received_per_message_id(&sink).len(), 49);
    let outbox = store.outbox().await.expect("outbox");
    let failed: Vec<_> = outbox.iter().filter(|row| row.sent_at.is_none()).collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].attempts, 1);
    assert!(failed[0].last_error.is_some(), "{failed:?}");

    // Not before its retry is due (30 s at the earliest), then once.
    let early = deliver_at(&settings, &store, "2026-11-23T07:30:20Z").await;
    assert_eq!(early, Delivery::default());
    let retry = deliver_at(&settings, &store, "2026-11-23T07:32:00Z").await;
    assert_eq!(retry, Delivery { sent: 1, failed: 0 });

    assert_each_once(&sink, 50);
    assert_all_marked_sent(&store, 50).await;
}
