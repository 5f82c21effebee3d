//! `leadmail run` against a real Dovecot: backlog, acknowledgement after
//! commit, IDLE pickup, clean shutdown, login failures.

use crate::support;

use std::time::Duration;
use support::daemons::Daemon;
use support::{demo_messages, dovecot, spawn_app, MailboxOptions};

/// How long a test waits for a state before failing: generous, as the
/// point is the state reached, not how fast (that is for the benchmarks).
const DEADLINE: Duration = Duration::from_secs(60);

fn outcome_counts(app: &support::App) -> (usize, usize, usize) {
    let leads = app
        .json(&["leads", "list", "--json"])
        .as_array()
        .map_or(0, Vec::len);
    let prospects = app
        .json(&["prospects", "list", "--json"])
        .as_array()
        .map_or(0, Vec::len);
    let quarantine = app
        .json(&["quarantine", "list", "--json"])
        .as_array()
        .map_or(0, Vec::len);
    (leads, prospects, quarantine)
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn run_once_ingests_the_backlog_and_moves_mail_only_after_commit() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "backlog", MailboxOptions::default());
    server.deliver(&app.user, &demo_messages());
    let out = app.run(&["run", "--once"]);
    assert!(
        out.status.success(),
        "run --once failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(outcome_counts(&app), (6, 1, 2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("mailbox crm: 13 message(s) filed, 2 to quarantine"),
        "run --once says what it filed: {stdout}"
    );
    assert_eq!(
        server.count(&app.user, "INBOX"),
        0,
        "every message was acknowledged"
    );
    assert_eq!(server.count(&app.user, "Processed"), 11);
    assert_eq!(server.count(&app.user, "Quarantine"), 2);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_second_pass_changes_nothing() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(
        server,
        "twice",
        MailboxOptions {
            processed_folder: None,
            ..MailboxOptions::default()
        },
    );
    server.deliver(&app.user, &demo_messages());
    assert!(app.run(&["run", "--once"]).status.success());
    let before = outcome_counts(&app);
    assert_eq!(
        server.seen(&app.user, "INBOX"),
        11,
        "without a processed folder, mail is flagged \\Seen"
    );
    assert!(app.run(&["run", "--once"]).status.success());
    assert_eq!(outcome_counts(&app), before);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn mail_committed_but_not_acknowledged_before_a_crash_is_acknowledged_on_the_next_run() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(
        server,
        "reack",
        MailboxOptions {
            processed_folder: None,
            ..MailboxOptions::default()
        },
    );
    server.deliver(&app.user, &demo_messages()[..3]);
    assert!(app.run(&["run", "--once"]).status.success());
    let before = outcome_counts(&app);
    // What a kill -9 between the commit and the \Seen flag leaves behind.
    server.doveadm(&[
        "flags", "remove", "-u", &app.user, "\\Seen", "mailbox", "INBOX", "ALL",
    ]);
    assert_eq!(server.seen(&app.user, "INBOX"), 0);
    assert!(app.run(&["run", "--once"]).status.success());
    assert_eq!(
        server.seen(&app.user, "INBOX"),
        3,
        "the next run acknowledges them again"
    );
    assert_eq!(outcome_counts(&app), before, "and files nothing twice");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn starttls_works_and_a_wrong_password_is_a_clear_failure() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(
        server,
        "starttls",
        MailboxOptions {
            tls: "starttls",
            ..MailboxOptions::default()
        },
    );
    server.deliver(&app.user, &demo_messages()[..1]);
    let out = app.run(&["run", "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(outcome_counts(&app).0, 1);

    let wrong = spawn_app(
        server,
        "wrongpass",
        MailboxOptions {
            password: "nope",
            ..MailboxOptions::default()
        },
    );
    let out = wrong.run(&["run", "--once"]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("authent") || stderr.contains("login"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("nope"),
        "the password must never be printed"
    );
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn an_untrusted_certificate_is_refused() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(
        server,
        "untrusted",
        MailboxOptions {
            trust_ca: false,
            ..MailboxOptions::default()
        },
    );
    let out = app.run(&["run", "--once"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(
        stderr.contains("tls") || stderr.contains("certificate"),
        "{stderr}"
    );
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn idle_picks_up_new_mail_and_sigterm_stops_cleanly() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "idle", MailboxOptions::default());
    let mut daemon = app.start_daemon(&["run"]);
    // Delivered once the daemon has made its first pass (then it idles).
    assert!(
        support::wait_until(Duration::from_secs(15), || app.status()["mailboxes"][0]
            ["last_sync_at"]
            .is_string()),
        "the first pass: {}",
        app.daemon_log()
    );
    server.deliver(&app.user, &demo_messages()[..1]);
    let filed = support::wait_until(DEADLINE, || {
        app.json(&["leads", "list", "--json"])
            .as_array()
            .is_some_and(|l| l.len() == 1)
    });
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let mut status = None;
    let exited = support::wait_until(DEADLINE, || {
        status = daemon.try_wait().expect("poll the daemon");
        status.is_some()
    });
    if !exited {
        let _ = daemon.kill();
    }
    assert!(
        filed,
        "the delivered message did not become a lead within {DEADLINE:?} while the daemon idled: {}",
        app.daemon_log()
    );
    assert!(
        exited,
        "the daemon did not exit within {DEADLINE:?} of SIGTERM"
    );
    let status = status.expect("an exit status");
    assert!(status.success(), "SIGTERM gives exit 0, got {status:?}");
    assert_eq!(server.count(&app.user, "Processed"), 1);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn without_idle_the_daemon_polls_and_files_new_mail() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(
        server,
        "polling",
        MailboxOptions {
            idle: false,
            ..MailboxOptions::default()
        },
    );
    let mut daemon = app.start_daemon(&["run"]);
    assert!(
        support::wait_until(Duration::from_secs(15), || app.status()["mailboxes"][0]
            ["last_sync_at"]
            .is_string()),
        "the first (empty) pass finished: {}",
        app.daemon_log()
    );
    server.deliver(&app.user, &demo_messages()[..1]);
    let filed = support::wait_until(Duration::from_secs(15), || outcome_counts(&app).0 == 1);
    stop(&mut daemon);
    assert!(filed, "a poll a second later found the new message");
    assert_eq!(server.count(&app.user, "Processed"), 1);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_new_uidvalidity_rescans_the_folder_without_filing_anything_twice() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(
        server,
        "uidvalidity",
        MailboxOptions {
            processed_folder: None,
            ..MailboxOptions::default()
        },
    );
    let demo = demo_messages();
    server.deliver(&app.user, &demo[..3]);
    assert!(app.run(&["run", "--once"]).status.success());
    let before = outcome_counts(&app);
    let old_validity = app.status()["mailboxes"][0]["uid_validity"].clone();
    server.doveadm(&[
        "mailbox",
        "update",
        "-u",
        &app.user,
        "--uid-validity",
        "4242",
        "INBOX",
    ]);
    server.deliver(&app.user, &demo[3..4]);
    assert!(app.run(&["run", "--once"]).status.success());
    let status = app.status();
    let mailbox = &status["mailboxes"][0];
    assert_ne!(mailbox["uid_validity"], old_validity);
    assert_eq!(mailbox["uid_validity"], 4242);
    assert_eq!(status["totals"]["messages"], 4, "3 duplicates and 1 new");
    let after = outcome_counts(&app);
    assert_eq!(after.0 + after.1, before.0 + before.1 + 1);
    assert_eq!(server.seen(&app.user, "INBOX"), 4);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn several_mailboxes_are_served_at_once_and_a_broken_one_stops_none_of_the_others() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "multi-a", MailboxOptions::default());
    app.add_mailbox(server, "second", "multi-b", MailboxOptions::default());
    app.add_mailbox(
        server,
        "broken",
        "multi-c",
        MailboxOptions {
            password: "wrong",
            ..MailboxOptions::default()
        },
    );
    let demo = demo_messages();
    server.deliver("multi-a", &demo[..2]);
    server.deliver("multi-b", &demo[2..4]);
    let mut daemon = app.start_daemon(&["run"]);
    let broken_error = |status: &serde_json::Value| {
        status["mailboxes"]
            .as_array()
            .and_then(|all| all.iter().find(|m| m["mailbox"] == "broken"))
            .and_then(|m| m["last_error"].as_str())
            .map(str::to_string)
    };
    let caught_up = support::wait_until(Duration::from_secs(20), || {
        server.count("multi-a", "INBOX") + server.count("multi-b", "INBOX") == 0
            && broken_error(&app.status()).is_some()
    });
    let status = app.status();
    stop(&mut daemon);
    assert!(
        caught_up,
        "both good mailboxes were processed, the broken one has its error recorded: {}",
        app.daemon_log()
    );
    assert_eq!(status["totals"]["messages"], 4);
    let error = broken_error(&status).expect("the broken mailbox shows its error");
    assert!(error.contains("log in"), "{error}");
    assert!(!error.contains("wrong"), "no password in the status");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn doctor_checks_each_part_and_names_the_broken_one() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "doctor", MailboxOptions::default());
    let out = app.run(&["doctor"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("ok    database"), "{stdout}");
    let engine = if crate::support::postgres::on_postgres() {
        "(PostgreSQL 1"
    } else {
        "(SQLite 3."
    };
    assert!(stdout.contains(engine), "{stdout}");
    assert!(stdout.contains(", schema version "), "{stdout}");
    assert!(stdout.contains(", migrated, writable)"), "{stdout}");
    assert!(
        stdout.contains("ok    imap crm: doctor@127.0.0.1"),
        "{stdout}"
    );

    let broken = spawn_app(
        server,
        "doctor-bad",
        MailboxOptions {
            trust_ca: false,
            ..MailboxOptions::default()
        },
    );
    let out = broken.run(&["doctor"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("ok    database"), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("FAIL  imap crm"))
        .unwrap_or_else(|| panic!("no failed IMAP line in {stdout}"));
    assert!(line.to_lowercase().contains("certificate"), "{line}");
}

/// `status` names the daemon serving each mailbox: this machine's host
/// name, the running daemon's pid, and since when it holds the lease (a
/// system-clock time, as every lease time is, not `LEADMAIL_NOW`), in text
/// and in JSON; and no daemon once it stopped.
#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn status_names_the_host_pid_and_since_of_the_daemon_serving_each_mailbox() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "statusholder", MailboxOptions::default());
    let mut daemon = Daemon::start(&app, &app.config, "status");
    let waited = Duration::from_secs(15);
    let taken = support::wait_until(waited, || !daemon.said("lease taken").is_empty());
    assert!(taken, "{}", daemon.log_text());
    // The daemon's own clock brackets the take: its "lease taken" line is
    // logged right after it, and it came within the wait (no clock read
    // here, so the test runs the same under a moved clock).
    let logged = daemon.said("lease taken")[0]["timestamp"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .expect("the log line's timestamp");
    let after = logged.with_timezone(&chrono::Utc);
    let before = after - chrono::Duration::from_std(waited).expect("a duration");
    let uname = std::process::Command::new("uname")
        .arg("-n")
        .output()
        .expect("uname");
    let host = String::from_utf8_lossy(&uname.stdout).trim().to_string();
    assert!(!host.is_empty());

    let held = app.status()["mailboxes"][0]["held_by"].clone();
    assert_eq!(held["host"], host.as_str(), "{held}");
    assert_eq!(held["pid"], daemon.pid(), "{held}");
    let since = held["since"].as_str().expect("since").to_string();
    let at = chrono::DateTime::parse_from_rfc3339(&since).expect("an RFC 3339 time");
    assert!(
        before <= at && at <= after,
        "since {since}: not within {waited:?} before the daemon logged its lease taken at {after}"
    );
    let history = support::daemons::lease_history(&app);
    assert_eq!(
        history[0].acquired_at, since,
        "since is when the lease was taken"
    );
    let out = app.run(&["status"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|line| line.starts_with("mailbox crm (INBOX):"))
        .unwrap_or_else(|| panic!("no line for crm: {text}"));
    let named = format!(", served by {host} pid {} since {since}", daemon.pid());
    assert!(line.contains(&named), "{line}");

    let status = daemon.stop();
    assert!(status.success(), "SIGTERM gives exit 0, got {status:?}");
    assert!(app.status()["mailboxes"][0]["held_by"].is_null());
    let text = String::from_utf8_lossy(&app.run(&["status"]).stdout).into_owned();
    assert!(text.contains(", served by no daemon now"), "{text}");
}

/// SIGTERM, then wait for a clean exit.
fn stop(daemon: &mut std::process::Child) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let status = daemon.wait().expect("the daemon exits");
    assert!(status.success(), "SIGTERM gives exit 0, got {status:?}");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_password_never_appears_in_logs_errors_doctor_or_status() {
    let Some(server) = dovecot() else { return };
    let secret = "S3cret-Pa55-never-print-me";
    let app = spawn_app(
        server,
        "secrets",
        MailboxOptions {
            password: secret,
            ..MailboxOptions::default()
        },
    );
    let mut everything = String::new();
    for args in [
        &["--log-format", "json", "run", "--once"][..],
        &["run", "--once"],
        &["doctor"],
        &["status", "--json"],
    ] {
        let out = app
            .command(args)
            .env("RUST_LOG", "trace")
            .output()
            .expect("run leadmail");
        everything.push_str(&String::from_utf8_lossy(&out.stdout));
        everything.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(
        everything.contains("AUTHENTICATIONFAILED"),
        "the runs did try to log in"
    );
    assert!(
        everything.contains("readable by every user"),
        "a world-readable config or secret file is warned about"
    );
    assert!(!everything.contains(secret), "the password leaked");
    assert!(
        !everything.contains(&secret.to_lowercase()),
        "the password leaked"
    );
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_message_seen_again_is_filed_where_its_first_outcome_says() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "refile", MailboxOptions::default());
    // The whole morning is filed offline first (as a crash between the
    // commit and the move leaves it), then arrives again over IMAP: every
    // message is a duplicate now and must go where it went the first time.
    let demo = support::repo().join("tests/fixtures/demo");
    let offline = app.run(&["ingest", "--maildir", demo.to_str().unwrap()]);
    assert!(offline.status.success());
    server.deliver(&app.user, &demo_messages());
    let out = app.run(&["run", "--once"]);
    assert!(
        out.status.success(),
        "run --once failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.count(&app.user, "INBOX"), 0);
    assert_eq!(
        server.count(&app.user, "Quarantine"),
        2,
        "the spoof and the unknown sender go back to quarantine"
    );
    assert_eq!(server.count(&app.user, "Processed"), 11);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn two_daemons_on_one_mailbox_take_turns_and_file_every_message_once() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "twodaemons", MailboxOptions::default());
    let mut mail = demo_messages();
    mail.extend(support::outbound_mails(app.dir.path(), "two", 400));
    server.import(&app.user, &mail);
    let mut first = app.command(&["run", "--once"]);
    let mut second = app.command(&["run", "--once"]);
    let logs: Vec<std::fs::File> = ["first.log", "second.log"]
        .iter()
        .map(|name| std::fs::File::create(app.dir.path().join(name)).expect("a log file"))
        .collect();
    let started: Vec<std::process::Child> = [&mut first, &mut second]
        .into_iter()
        .zip(logs)
        .map(|(command, log)| {
            command
                .env("RUST_LOG", "leadmail=info")
                .stdout(std::process::Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start run --once")
        })
        .collect();
    for child in started {
        let status = child.wait_with_output().expect("wait").status;
        assert!(
            status.success(),
            "a run --once failed: {}",
            app.daemon_log()
        );
    }
    let waited = ["first.log", "second.log"]
        .iter()
        .filter(|name| {
            std::fs::read_to_string(app.dir.path().join(name))
                .unwrap_or_default()
                .contains("waiting for its lease")
        })
        .count();
    assert_eq!(waited, 1, "one daemon waited for the other's lease");
    let processed = app.status()["totals"]["messages"].as_i64().unwrap();
    let quarantined = app
        .json(&["quarantine", "list", "--json"])
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(server.count(&app.user, "INBOX"), 0);
    assert_eq!(processed as usize, mail.len());
    assert_eq!(server.count(&app.user, "Quarantine"), quarantined);
    assert_eq!(
        server.count(&app.user, "Processed") + server.count(&app.user, "Quarantine"),
        mail.len(),
        "every message is in exactly one folder"
    );
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn run_once_brings_a_lead_back_from_standby_with_a_next_action_when_its_date_has_passed() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "standby", MailboxOptions::default());
    server.deliver(&app.user, &demo_messages()[..1]);
    assert!(app.run(&["run", "--once"]).status.success());
    assert!(app.run(&["leads", "done", "1"]).status.success());
    // The clock is 2026-11-23 11:00 UTC: 09:00 in Lisbon that day has passed.
    let out = app.run(&["leads", "status", "1", "standby", "--until", "2026-11-23"]);
    assert!(out.status.success());
    assert_eq!(
        app.json(&["leads", "show", "1", "--json"])["status"],
        "standby"
    );
    assert!(app.run(&["run", "--once"]).status.success());
    let lead = app.json(&["leads", "show", "1", "--json"]);
    assert_eq!(lead["status"], "todo");
    assert_eq!(lead["standby_until"], serde_json::Value::Null);
    assert_eq!(lead["next_action"]["note"], "standby ended");
    assert_eq!(lead["next_action"]["due_at"], "2026-11-23T09:00:00Z");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn releasing_a_message_larger_than_the_kept_excerpt_reads_it_back_from_the_quarantine_folder() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "releaseback", MailboxOptions::default());
    app.set_config("security.max_message_bytes", 2_000_000);
    // A stranger's 400 KB inquiry: quarantined (public inquiries are off),
    // and the database keeps only the first 256 KiB of it.
    let filler = "We would like a quote for 40 seats. ".repeat(11_000);
    let mail = format!(
        "From: Big Inquiry <big@newco.example>\r\nTo: crm@acme.test\r\n\
         Subject: Large request\r\nMessage-ID: <big-1@newco.example>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n{filler}\r\n"
    );
    let path = app.dir.path().join("big.eml");
    std::fs::write(&path, &mail).unwrap();
    server.deliver(&app.user, &[path]);
    assert!(app.run(&["run", "--once"]).status.success());
    let shown = app.json(&["quarantine", "show", "1", "--json"]);
    assert_eq!(shown["reason"], "unknown_sender");
    assert!(
        shown["kept_bytes"].as_u64() < shown["size"].as_u64(),
        "{shown}"
    );
    let out = app.run(&["quarantine", "release", "1", "--reason", "a real prospect"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("filed as created_lead"));
    let leads = app.json(&["leads", "list", "--json"]);
    assert_eq!(leads[0]["title"], "Large request");
    assert_eq!(leads[0]["source"], "direct");
}
