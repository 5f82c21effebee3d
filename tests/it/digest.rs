//! The morning digest through a real SMTP receiver: content and headers,
//! escaping of hostile mail, exactly once (also across a daemon restart),
//! and a send that fails while the server is down and succeeds after.

use crate::support;

use mail_parser::{Message, MessageParser};
use std::time::Duration;
use support::smtp::SmtpSink;
use support::{dovecot, offline_app, spawn_app, wait_until, App, MailboxOptions};

/// The fixture config with the demo morning and one hostile forward ingested.
fn app_with_mail(sink: &SmtpSink) -> App {
    let app = offline_app();
    app.add_smtp(sink);
    let hostile = app.dir.path().join("hostile.eml");
    std::fs::write(&hostile, support::hostile::FORWARD).expect("write the hostile mail");
    let demo = support::repo().join("tests/fixtures/demo");
    for args in [
        vec!["ingest", "--maildir", demo.to_str().unwrap()],
        vec!["ingest", hostile.to_str().unwrap()],
    ] {
        let out = app.run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    app
}

/// A Dovecot user `user` with its mailbox configured and an SMTP sink named
/// `sink_name`, or `None` where the servers cannot run (outside test.sh).
fn daemon_with_sink(
    sink_name: &str,
    user: &str,
    options: MailboxOptions<'_>,
) -> Option<(&'static support::Dovecot, SmtpSink, App)> {
    let server = dovecot()?;
    let sink = SmtpSink::start(sink_name, &[])?;
    let app = spawn_app(server, user, options);
    app.add_smtp(&sink);
    Some((server, sink, app))
}

fn parse(bytes: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(bytes)
        .expect("the digest parses")
}

fn header(message: &Message<'_>, name: &str) -> String {
    message
        .header_raw(name)
        .map(|value| value.trim().to_string())
        .unwrap_or_default()
}

fn for_alice(sink: &SmtpSink) -> usize {
    sink.messages()
        .iter()
        .filter(|m| header(&parse(m), "To").contains("alice@acme.test"))
        .count()
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn digest_send_delivers_one_readable_digest_with_hostile_text_escaped() {
    let Some(sink) = SmtpSink::start("send", &[]) else {
        return;
    };
    let app = app_with_mail(&sink);
    let out = app.run(&["digest", "send", "--user", "alice@acme.test"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let received = sink.messages();
    assert_eq!(received.len(), 1);
    let digest = parse(&received[0]);
    let subject = digest.subject().unwrap_or_default();
    assert!(subject.starts_with("Your day:"), "{subject}");
    assert!(subject.contains("new lead"), "{subject}");
    let id = digest.message_id().unwrap_or_default();
    assert!(
        id.starts_with("digest.") && id.ends_with("@acme.test"),
        "{id}"
    );
    assert_eq!(header(&digest, "Auto-Submitted"), "auto-generated");
    assert!(header(&digest, "X-Leadmail").starts_with("digest; alice@acme.test;"));
    let text = digest.body_text(0).expect("a text part");
    let html = digest.body_html(0).expect("an HTML part");
    assert!(text.contains("NEW LEADS"), "{text}");
    assert!(text.contains("Pricing for 40 seats"), "{text}");
    assert!(
        html.contains("&lt;script&gt;"),
        "the hostile subject is escaped"
    );
    assert!(!html.contains("<script"), "no script tag in the HTML part");
    assert!(
        !html.contains("<img"),
        "no image from the mail in the HTML part"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );

    let again = app.run(&["digest", "send", "--user", "alice@acme.test"]);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("queued before"));
    assert_eq!(sink.messages().len(), 1, "one digest per user and day");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_digest_that_cannot_be_sent_stays_in_the_outbox_and_goes_out_once_the_server_is_back() {
    let Some(mut sink) = SmtpSink::start("down", &[]) else {
        return;
    };
    let app = app_with_mail(&sink);
    sink.stop();
    let out = app.run(&["digest", "send", "--user", "alice@acme.test"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not sent"), "{stderr}");
    let outbox = app.json(&["digest", "outbox", "--json"]);
    assert_eq!(outbox[0]["attempts"], 1);
    assert!(outbox[0]["sent_at"].is_null());
    assert!(outbox[0]["last_error"]
        .as_str()
        .is_some_and(|e| e.contains("127.0.0.1")));

    sink.restart();
    let out = app.run(&["digest", "send", "--user", "alice@acme.test"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sink.messages().len(), 1);
    let outbox = app.json(&["digest", "outbox", "--json"]);
    assert_eq!(
        outbox.as_array().map(Vec::len),
        Some(1),
        "the same digest, not a second"
    );
    assert!(outbox[0]["sent_at"].is_string());
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn the_daemon_sends_a_due_digest_once_even_when_restarted_the_same_day() {
    let Some((_, sink, app)) = daemon_with_sink("daemon", "digestd", MailboxOptions::default())
    else {
        return;
    };
    // Alice's digest is due from midnight, so it is due whenever this runs.
    app.add_config("users.0.digest_at", "00:00");
    let demo = support::repo().join("tests/fixtures/demo");
    assert!(app
        .run(&["ingest", "--maildir", demo.to_str().unwrap()])
        .status
        .success());

    for round in 0..2 {
        let mut daemon = app.start_daemon(&["run"]);
        // Running (its signal handler set) once it holds the mailbox.
        let serving = wait_until(Duration::from_secs(15), || {
            app.daemon_log().contains("lease taken")
        });
        assert!(serving, "round {round}: {}", app.daemon_log());
        let sent = wait_until(Duration::from_secs(15), || for_alice(&sink) >= 1);
        // The outbox has recorded the send before the daemon is stopped.
        let recorded = wait_until(Duration::from_secs(15), || {
            app.json(&["digest", "outbox", "--json"])
                .as_array()
                .is_some_and(|rows| {
                    rows.iter()
                        .any(|r| r["user_email"] == "alice@acme.test" && r["sent_at"].is_string())
                })
        });
        assert!(recorded, "round {round}: {}", app.daemon_log());
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &daemon.id().to_string()])
            .status();
        assert!(daemon.wait().expect("exit").success());
        assert!(
            sent,
            "round {round}: the digest went out: {}",
            app.daemon_log()
        );
        assert_eq!(for_alice(&sink), 1, "round {round}: never two for one day");
    }
}

/// Alice's reply to `digest_id`: commands, a bad line, the quoted digest.
fn reply_to(digest_id: &str) -> String {
    support::alices_digest_reply(
        digest_id,
        "reply-1@acme.test",
        "done 1\r\nstep 1 Proposal\r\nsnooze 5 2d\r\nwon 9999\r\nstep 1 Banana\r\n\r\n\
         > NEW LEADS AND REFERRALS (3)\r\n> done 6\r\n",
    )
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_reply_to_the_digest_is_applied_and_confirmed_once() {
    let Some((server, sink, app)) =
        daemon_with_sink("reply", "digestreply", MailboxOptions::default())
    else {
        return;
    };
    let demo = support::repo().join("tests/fixtures/demo");
    assert!(app
        .run(&["ingest", "--maildir", demo.to_str().unwrap()])
        .status
        .success());
    assert!(app
        .run(&["digest", "send", "--user", "alice@acme.test"])
        .status
        .success());
    let digest_bytes = sink.messages().remove(0);
    let digest_id = parse(&digest_bytes)
        .message_id()
        .unwrap_or_default()
        .to_string();

    let reply = app.dir.path().join("reply.eml");
    std::fs::write(&reply, reply_to(&digest_id)).unwrap();
    server.deliver(&app.user, &[reply]);
    let mut daemon = app.start_daemon(&["run"]);
    let confirmations = || -> Vec<Vec<u8>> {
        sink.messages()
            .into_iter()
            .filter(|m| header(&parse(m), "X-Leadmail").starts_with("confirmation"))
            .collect()
    };
    let confirmed = wait_until(Duration::from_secs(20), || confirmations().len() == 1);
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    assert!(daemon.wait().expect("exit").success());
    assert!(confirmed, "a confirmation came back: {}", app.daemon_log());

    let lead = app.json(&["leads", "show", "1", "--json"]);
    assert_eq!(lead["step"], "Proposal");
    assert!(
        lead["next_action"].is_null(),
        "done 1 closed its next action"
    );
    let six = app.json(&["leads", "show", "6", "--json"]);
    assert!(
        six["next_action"].is_object(),
        "a quoted line is not a command"
    );
    let five = app.json(&["leads", "show", "5", "--json"]);
    let due = five["next_action"]["due_at"].as_str().unwrap_or_default();
    assert!(due.starts_with("2026-11-25"), "snoozed two days: {due}");
    let timeline = app.json(&["timeline", "1", "--json"]);
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "step_change" && e["actor"] == "alice@acme.test"),
        "{timeline}"
    );

    let confirmation_bytes = confirmations().remove(0);
    let confirmation = parse(&confirmation_bytes);
    assert_eq!(
        header(&confirmation, "X-Leadmail"),
        "confirmation; alice@acme.test"
    );
    assert_eq!(
        confirmation.in_reply_to().as_text(),
        Some("reply-1@acme.test")
    );
    let subject = confirmation.subject().unwrap_or_default();
    assert_eq!(subject, "leadmail: 3 changes applied, 2 not understood");
    let body = confirmation.body_text(0).unwrap_or_default();
    assert!(body.contains("9999") && body.contains("Banana"), "{body}");

    // The same reply again (a second copy) is a duplicate: no second confirmation.
    server.deliver(&app.user, &[app.dir.path().join("reply.eml")]);
    assert!(app.run(&["run", "--once"]).status.success());
    assert!(app
        .run(&["digest", "send", "--user", "alice@acme.test"])
        .status
        .success());
    assert_eq!(confirmations().len(), 1);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn run_once_also_sends_the_digests_that_are_due_so_cron_alone_is_enough() {
    let Some((server, sink, app)) =
        daemon_with_sink("once", "digestonce", MailboxOptions::default())
    else {
        return;
    };
    server.deliver(&app.user, &support::demo_messages());
    let deactivated = app.run(&["users", "deactivate", "bruno@acme.test"]);
    assert!(deactivated.status.success());
    // The clock is 11:00 UTC: Alice's 07:30 (Lisbon) digest is due.
    for _ in 0..2 {
        let out = app.run(&["run", "--once"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(for_alice(&sink), 1, "one digest, however often cron runs");
    let to_bruno = sink
        .messages()
        .iter()
        .filter(|m| header(&parse(m), "To").contains("bruno@acme.test"))
        .count();
    assert_eq!(to_bruno, 0, "a deactivated user gets no digest");
}

/// Alice's authenticated forward (or, `spoofed`, one failing DMARC) whose
/// note holds a command leadmail cannot read.
fn forward_with_a_bad_command(n: usize, spoofed: bool) -> String {
    let verdict = if spoofed { "fail" } else { "pass" };
    format!(
        "Authentication-Results: mx.acme.test; dmarc={verdict} header.from=acme.test\r\n\
         From: Alice Martins <alice@acme.test>\r\nTo: crm@acme.test\r\n\
         Subject: Fwd: inquiry {n}\r\nMessage-ID: <badcmd-{n}-{verdict}@acme.test>\r\n\
         Date: Mon, 23 Nov 2026 09:{n:02}:00 +0000\r\n\r\n\
         nxt: friday call\r\n\r\n\
         ---------- Forwarded message ---------\r\n\
         From: Person {n} <p{n}@company{n}.example>\r\n\
         Date: Mon, 23 Nov 2026 08:00:00 +0000\r\nSubject: inquiry {n}\r\n\
         To: Alice Martins <alice@acme.test>\r\n\r\nWe would like a quote.\r\n"
    )
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_rep_is_told_when_a_command_in_their_mail_was_not_understood_and_only_they_are() {
    let Some((server, sink, app)) =
        daemon_with_sink("receipt", "receipts", MailboxOptions::default())
    else {
        return;
    };
    let mut files = Vec::new();
    for (n, spoofed) in [
        (1, true),
        (2, false),
        (3, false),
        (4, false),
        (5, false),
        (6, false),
    ] {
        let path = app.dir.path().join(format!("bad-{n}.eml"));
        std::fs::write(&path, forward_with_a_bad_command(n, spoofed)).unwrap();
        files.push(path);
    }
    server.deliver(&app.user, &files);
    let out = app.run(&["run", "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let receipts: Vec<Vec<u8>> = sink
        .messages()
        .into_iter()
        .filter(|m| header(&parse(m), "X-Leadmail").starts_with("receipt;"))
        .collect();
    assert_eq!(
        receipts.len(),
        3,
        "five authenticated mails, at most three receipts an hour, none for the spoof"
    );
    let first = parse(&receipts[0]);
    assert!(header(&first, "To").contains("alice@acme.test"));
    assert_eq!(header(&first, "Auto-Submitted"), "auto-generated");
    let subject = first.subject().unwrap_or_default().to_string();
    assert!(
        subject.starts_with("Not filed as you asked: Fwd: inquiry"),
        "{subject}"
    );
    let text = first.body_text(0).unwrap_or_default().to_string();
    assert!(text.contains("nxt"), "{text}");
    assert!(!receipts
        .iter()
        .any(|m| parse(m).subject().unwrap_or_default().contains("inquiry 1")));
}

fn alerts(sink: &SmtpSink) -> Vec<String> {
    sink.messages()
        .iter()
        .filter(|m| header(&parse(m), "X-Leadmail").starts_with("alert;"))
        .map(|m| {
            let message = parse(m);
            format!(
                "{} -> {}",
                message.subject().unwrap_or_default(),
                header(&message, "To")
            )
        })
        .collect()
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn admins_are_told_once_when_a_mailbox_login_is_refused_and_once_when_it_recovers() {
    let wrong_password = MailboxOptions {
        password: "wrong",
        ..MailboxOptions::default()
    };
    let Some((_, sink, app)) = daemon_with_sink("alerts", "alerts", wrong_password) else {
        return;
    };
    for _ in 0..2 {
        let out = app.run(&["run", "--once"]);
        assert_eq!(out.status.code(), Some(1), "the mailbox failed");
    }
    let told = alerts(&sink);
    assert_eq!(told.len(), 1, "one alert, to the one admin: {told:?}");
    assert!(
        told[0].starts_with("leadmail: mailbox crm is down (its login is refused)")
            && told[0].contains("alice@acme.test"),
        "{told:?}"
    );
    let password = app.dir.path().join("password-crm");
    std::fs::write(&password, "testpass").unwrap();
    for _ in 0..2 {
        let out = app.run(&["run", "--once"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let told = alerts(&sink);
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(
        told[1].starts_with("leadmail: mailbox crm syncs again"),
        "{told:?}"
    );
}

/// Two senders working one outbox at the same moment, each over four SMTP
/// connections (as two daemons on one database would): every one of 200
/// queued mails arrives exactly once, thanks to the outbox's send claims.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn two_senders_on_one_outbox_send_each_mail_exactly_once() {
    use leadmail::sending::deliver_due;
    use leadmail::store::{OutboxDraft, Store};
    let Some(sink) = SmtpSink::start("claims", &[]) else {
        return;
    };
    let app = offline_app();
    app.add_smtp(&sink);
    app.add_config("smtp.connections", 4);
    let settings = leadmail::config::Settings::load(&app.config).expect("config");
    let store = Store::open(&settings.database_url).await.expect("database");
    let now = "2026-11-23T11:00:00Z".parse().unwrap();
    for n in 0..200 {
        let draft = OutboxDraft {
            kind: "confirmation",
            user_email: "alice@acme.test".into(),
            local_date: None,
            message_id: format!("<claim-{n}@acme.test>"),
            in_reply_to: None,
            recipient: "alice@acme.test".into(),
            subject: format!("Mail {n}"),
            text: "ok\n".into(),
            html: None,
            header_value: format!("confirmation; {n}"),
        };
        assert!(store.queue_mail(&draft, now).await.unwrap());
    }
    let smtp = settings.smtp.as_ref().expect("[smtp]");
    let (first, second) = (
        leadmail::smtp::Mailer::new(smtp).unwrap(),
        leadmail::smtp::Mailer::new(smtp).unwrap(),
    );
    let (a, b) = tokio::join!(
        deliver_due(&store, &first, &smtp.from, now),
        deliver_due(&store, &second, &smtp.from, now)
    );
    let (a, b) = (a.expect("first sender"), b.expect("second sender"));
    assert_eq!((a.failed, b.failed), (0, 0));
    assert_eq!(a.sent + b.sent, 200, "sent {} + {}", a.sent, b.sent);

    let mut per_id: std::collections::BTreeMap<String, usize> = Default::default();
    for message in sink.messages() {
        *per_id
            .entry(header(&parse(&message), "Message-ID"))
            .or_default() += 1;
    }
    let twice: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(per_id.len(), 200);
}
