//! A rep's reply to their digest arriving at two mailboxes, each served by
//! a daemon of its own on one database, with a third daemon standing by
//! (issue 17, DESIGN §3 "commands by mail"): its commands are applied once
//! and one confirmation is sent, though every daemon sends from the outbox.
//! On SQLite (one file) and, in test.sh's PostgreSQL pass, on PostgreSQL.

use crate::support;

use std::time::Duration;
use support::daemons::Daemon;
use support::smtp::SmtpSink;
use support::{dovecot, spawn_app, wait_until, App, MailboxOptions};

fn totals(app: &App) -> serde_json::Value {
    app.status()["totals"].clone()
}

/// Alice's reply to her digest `digest_id`: three commands.
fn reply_to(digest_id: &str) -> String {
    support::alices_digest_reply(
        digest_id,
        "reply-across@acme.test",
        "done 1\r\nstep 1 Proposal\r\nsnooze 5 2d\r\n",
    )
}

/// The mails of kind `kind` (`X-Leadmail: KIND; …`) the sink received.
fn received(sink: &SmtpSink, kind: &str) -> Vec<Vec<u8>> {
    sink.messages()
        .into_iter()
        .filter(|bytes| {
            mail_parser::MessageParser::default()
                .parse(bytes)
                .and_then(|m| m.header_raw("X-Leadmail").map(|v| v.trim().to_string()))
                .is_some_and(|value| value.starts_with(kind))
        })
        .collect()
}

/// Lead `id`'s timeline entries by Alice, as `kind: subject` sorted.
fn alices_entries(app: &App, id: &str) -> Vec<String> {
    let timeline = app.json(&["timeline", id, "--json"]);
    let mut entries: Vec<String> = timeline
        .as_array()
        .expect("a timeline")
        .iter()
        .filter(|e| e["actor"] == "alice@acme.test")
        .map(|e| format!("{}: {}", e["kind"], e["subject"]))
        .collect();
    entries.sort();
    entries
}

/// The digest Alice got, sent from the CLI: its Message-ID.
fn alices_digest(app: &App, sink: &SmtpSink) -> String {
    let demo = support::repo().join("tests/fixtures/demo");
    for args in [
        vec!["ingest", "--maildir", demo.to_str().unwrap()],
        vec!["digest", "send", "--user", "alice@acme.test"],
    ] {
        let out = app.run(&args);
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    let digest = received(sink, "digest").remove(0);
    let parsed = mail_parser::MessageParser::default()
        .parse(&digest)
        .expect("the digest parses");
    parsed.message_id().expect("a Message-ID").to_string()
}

/// Two mailboxes get the same reply to a digest; each is served by a daemon
/// of its own (their configs name one mailbox each) and a third daemon
/// (both mailboxes) stands by, all three sending from the one outbox: the
/// reply's commands are applied once and one confirmation is sent.
#[test]
#[ignore = "needs the test servers: scripts/test.sh runs it (--include-ignored)"]
fn a_digest_reply_seen_by_two_daemons_is_applied_and_confirmed_once() {
    let Some(server) = dovecot() else { return };
    let Some(sink) = SmtpSink::start("replyacross", &[]) else {
        return;
    };
    let app = spawn_app(server, "replyone", MailboxOptions::default());
    app.add_mailbox(server, "crm2", "replytwo", MailboxOptions::default());
    app.add_smtp(&sink);
    let digest_id = alices_digest(&app, &sink);
    let only = |name: &'static str| {
        app.config_variant(name, |root| {
            let toml::Value::Array(mailboxes) = &mut root["mailboxes"] else {
                panic!("[[mailboxes]]");
            };
            mailboxes.retain(|m| m["name"].as_str() == Some(name));
            assert_eq!(mailboxes.len(), 1);
        })
    };
    let mut daemons = [
        Daemon::start(&app, &only("crm"), "one"),
        Daemon::start(&app, &only("crm2"), "two"),
    ];
    let serving = wait_until(Duration::from_secs(15), || {
        let status = app.status();
        (0..2).all(|m| status["mailboxes"][m]["last_sync_at"].is_string())
    });
    assert!(serving, "{}", daemons[1].log_text());
    let standby = Daemon::start(&app, &app.config, "standby");
    let waiting = "another daemon serves this mailbox; waiting for its lease";
    let stood_by = wait_until(Duration::from_secs(15), || standby.said(waiting).len() == 2);
    assert!(stood_by, "{}", standby.log_text());
    let before = totals(&app);
    let (one_before, five_before) = (alices_entries(&app, "1"), alices_entries(&app, "5"));

    let reply = app.dir.path().join("reply.eml");
    std::fs::write(&reply, reply_to(&digest_id)).expect("write the reply");
    std::thread::scope(|both| {
        for user in ["replyone", "replytwo"] {
            let reply = &reply;
            both.spawn(move || server.deliver(user, std::slice::from_ref(reply)));
        }
    });
    let settled = wait_until(Duration::from_secs(20), || {
        ["replyone", "replytwo"]
            .iter()
            .all(|user| server.count(user, "INBOX") == 0)
            && !received(&sink, "confirmation").is_empty()
            && app
                .json(&["digest", "outbox", "--json"])
                .as_array()
                .is_some_and(|rows| rows.iter().all(|r| r["sent_at"].is_string()))
    });
    let mut statuses: Vec<_> = daemons.iter_mut().map(Daemon::stop).collect();
    let mut standby = standby;
    statuses.push(standby.stop());
    assert!(
        settled,
        "{}\n{}",
        daemons[0].log_text(),
        daemons[1].log_text()
    );
    assert!(statuses.iter().all(|s| s.success()), "{statuses:?}");

    // Each daemon took its own copy (a duplicate is logged and filed with
    // the first copy's outcome); the database has the message once.
    for (daemon, user) in daemons.iter().zip(["replyone", "replytwo"]) {
        assert_eq!(daemon.said("processed").len(), 1, "{}", daemon.log_text());
        assert_eq!(server.count(user, "Processed"), 1, "{user}");
    }
    let after = totals(&app);
    assert_eq!(after["messages"], before["messages"].as_i64().unwrap() + 1);
    assert_eq!(
        after["timeline_entries"],
        before["timeline_entries"].as_i64().unwrap() + 3,
        "three commands, three entries: {before} → {after}"
    );
    let new = |before: &[String], after: Vec<String>| -> Vec<String> {
        let mut left = after;
        for entry in before {
            let at = left.iter().position(|e| e == entry).expect("kept");
            left.remove(at);
        }
        left
    };
    let one = new(&one_before, alices_entries(&app, "1"));
    assert_eq!(one.len(), 2, "{one:?}");
    assert!(
        one.iter().any(|e| e.starts_with("\"step_change\"")),
        "{one:?}"
    );
    let five = new(&five_before, alices_entries(&app, "5"));
    assert_eq!(five.len(), 1, "{five:?}");

    let confirmations = received(&sink, "confirmation");
    assert_eq!(
        confirmations.len(),
        1,
        "one confirmation, not one per daemon"
    );
    let confirmation = mail_parser::MessageParser::default()
        .parse(&confirmations[0])
        .expect("the confirmation parses");
    assert_eq!(
        confirmation.subject(),
        Some("leadmail: 3 changes applied"),
        "{:?}",
        confirmation.body_text(0)
    );
    let outbox = app.json(&["digest", "outbox", "--json"]);
    let queued = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "confirmation")
        .count();
    assert_eq!(queued, 1, "{outbox}");
}
