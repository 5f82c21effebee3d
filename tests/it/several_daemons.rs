//! Several daemons on one database, one mailbox at a time (issue 17): SIGTERM
//! gives the lease back so a waiting daemon takes over at once; a daemon
//! whose commit finds its lease taken over stops serving the mailbox at once
//! instead of retrying. (A digest reply seen by two daemons:
//! `replies_across_daemons`.) On SQLite (one file) and, in test.sh's
//! PostgreSQL pass, on PostgreSQL.

use crate::support;

use leadmail::store::{Lease, LeaseHolder};
use std::time::{Duration, Instant};
use support::daemons::{holder_pid, lease_history, seconds_between, with_store, Daemon};
use support::{dovecot, outbound_mails, spawn_app, wait_until, App, MailboxOptions};

/// The daemons' lease lasts this long unless renewed (`leasing::LEASE_TTL`)
/// and is renewed this often (`leasing::RENEW_EVERY`): a holder's lease
/// always has at least their difference left.
const LEASE_TTL: Duration = Duration::from_secs(30);
const RENEW_EVERY: Duration = Duration::from_secs(10);
/// How soon a waiting daemon must hold a mailbox whose holder gave it back
/// (it tries every second): well under the 20 s a holder's lease has left
/// at least, so only a release, never an expiry, can meet it.
const TAKEOVER_WITHIN: Duration = Duration::from_secs(8);

/// Waits until `daemon` has logged `message`, at most 15 s.
fn wait_for_line(daemon: &Daemon, message: &str) {
    let said = wait_until(Duration::from_secs(15), || !daemon.said(message).is_empty());
    assert!(
        said,
        "the daemon never said {message:?}: {}",
        support::daemons::tail(&daemon.log_text())
    );
}

/// `n` BCC'd mails (one prospect and one timeline entry each) into the
/// app's INBOX.
fn deliver(server: &support::Dovecot, app: &App, tag: &str, n: usize) {
    let files = outbound_mails(app.dir.path(), tag, n);
    server.deliver(&app.user, &files);
}

fn totals(app: &App) -> serde_json::Value {
    app.status()["totals"].clone()
}

#[test]
#[ignore = "needs the test servers: scripts/test.sh runs it (--include-ignored)"]
fn sigterm_gives_the_lease_back_and_a_waiting_daemon_takes_the_mailbox_over_at_once() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "handover", MailboxOptions::default());
    let mut first = Daemon::start(&app, &app.config, "first");
    wait_for_line(&first, "lease taken");
    let mut second = Daemon::start(&app, &app.config, "second");
    wait_for_line(
        &second,
        "another daemon serves this mailbox; waiting for its lease",
    );
    assert_eq!(holder_pid(&app, "crm"), Some(i64::from(first.pid())));
    let held_until = app.sql("SELECT expires_at FROM mailbox_leases WHERE mailbox = 'crm'");

    let signalled = Instant::now();
    let status = first.stop();
    assert!(status.success(), "SIGTERM gives exit 0: {status:?}");
    let taken = wait_until(TAKEOVER_WITHIN, || {
        holder_pid(&app, "crm") == Some(i64::from(second.pid()))
    });
    assert!(
        taken,
        "the second daemon did not hold the mailbox within {TAKEOVER_WITHIN:?} of SIGTERM \
         ({:?} since): {}",
        signalled.elapsed(),
        support::daemons::tail(&second.log_text())
    );

    let history = lease_history(&app);
    assert_eq!(history.len(), 2, "{history:?}");
    let handover = &history[1];
    assert_eq!(handover.fence, 2);
    let first_id = format!(":{}:", first.pid());
    assert!(handover.holder.contains(&format!(":{}:", second.pid())));
    assert!(handover
        .previous_holder
        .as_deref()
        .is_some_and(|from| from.contains(&first_id)));
    // The lease row as the second daemon found it: given back (its expiry
    // moved to the moment of release), long before it would have run out.
    let released_at = handover.previous_expires_at.as_deref().expect("an expiry");
    let early = seconds_between(released_at, &held_until[0]);
    assert!(
        early > (LEASE_TTL - RENEW_EVERY - TAKEOVER_WITHIN).as_secs_f64(),
        "released {early:.1} s before it would have run out"
    );
    let waited = seconds_between(released_at, &handover.acquired_at);
    assert!(
        (0.0..=3.0).contains(&waited),
        "taken {waited:.1} s after the release"
    );

    deliver(server, &app, "handover", 3);
    let filed = wait_until(Duration::from_secs(15), || {
        totals(&app)["messages"] == 3 && server.count(&app.user, "INBOX") == 0
    });
    let status = second.stop();
    assert!(filed, "{}", support::daemons::tail(&second.log_text()));
    assert!(status.success(), "{status:?}");
    let totals = totals(&app);
    assert_eq!(totals["timeline_entries"], 3, "filed once: {totals}");
    assert_eq!(totals["open_prospects"], 3, "{totals}");
    assert_eq!(server.count(&app.user, "Processed"), 3);
    assert_eq!(second.said("processed").len(), 3);
    assert!(first.said("processed").is_empty());
    assert!(
        first
            .said("cannot give the lease back; it runs out by itself")
            .is_empty(),
        "{}",
        first.log_text()
    );
}

/// Someone else's lease on `crm`: as if this daemon had been cut off past
/// its lease and another had taken over.
fn intruder() -> LeaseHolder {
    LeaseHolder {
        id: "intruder:1:0".into(),
        host: "intruder".into(),
        pid: 1,
    }
}

/// Ends the lease with fencing number `fence` on `crm` and gives the
/// mailbox to the intruder for an hour; returns its fence.
fn take_over(app: &App, fence: i64) -> i64 {
    with_store(app, |store| async move {
        store
            .release_lease("crm", Lease { fence })
            .await
            .expect("release");
        store
            .take_lease("crm", &intruder(), Duration::from_secs(3600))
            .await
            .expect("take")
            .expect("a released lease is free")
            .fence
    })
}

#[test]
#[ignore = "needs the test servers: scripts/test.sh runs it (--include-ignored)"]
fn a_daemon_whose_commit_finds_its_lease_taken_over_stops_serving_at_once() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "leaselost", MailboxOptions::default());
    let mut daemon = Daemon::start(&app, &app.config, "lost");
    wait_for_line(&daemon, "lease taken");
    let first_pass = wait_until(Duration::from_secs(15), || {
        app.status()["mailboxes"][0]["last_sync_at"].is_string()
    });
    assert!(first_pass, "{}", daemon.log_text());
    // Well before the daemon's first renewal (10 s after it took the
    // lease), so its commit, not its renewal, finds the lease gone.
    let fence = with_store(&app, |store| async move {
        store.current_leases().await.expect("leases")[0].fence
    });
    let theirs = take_over(&app, fence);
    assert_eq!(theirs, fence + 1);
    deliver(server, &app, "leaselost", 2);

    wait_for_line(&daemon, "lease lost at commit; stopping this mailbox");
    let lost = &daemon.said("lease lost at commit; stopping this mailbox")[0];
    assert_eq!(lost["fields"]["mailbox"], "crm", "{lost}");
    assert_eq!(lost["fields"]["fence"], fence, "{lost}");
    assert_eq!(lost["fields"]["current_fence"], theirs, "{lost}");
    // Past the daemon's renewal: it neither retried the mailbox (no new
    // connection, no error, no second commit) nor filed anything.
    let connected_before = daemon.said("connected").len();
    std::thread::sleep(RENEW_EVERY / 2 + Duration::from_secs(2));
    let lines = daemon.lines();
    let count = |message: &str| {
        lines
            .iter()
            .filter(|l| l["fields"]["message"] == message)
            .count()
    };
    assert_eq!(
        count("lease lost at commit; stopping this mailbox"),
        1,
        "{}",
        daemon.log_text()
    );
    assert_eq!(
        count("connected"),
        connected_before,
        "{}",
        daemon.log_text()
    );
    assert_eq!(count("mailbox error"), 0, "{}", daemon.log_text());
    assert_eq!(
        count("another daemon serves this mailbox; waiting for its lease"),
        1,
        "back to waiting like any daemon without the lease: {}",
        daemon.log_text()
    );
    assert_eq!(totals(&app)["messages"], 0);
    assert_eq!(server.count(&app.user, "INBOX"), 2);

    // The intruder gives the mailbox back: the daemon takes it again.
    with_store(&app, |store| async move {
        store
            .release_lease("crm", Lease { fence: theirs })
            .await
            .expect("release");
    });
    let filed = wait_until(Duration::from_secs(15), || {
        totals(&app)["messages"] == 2 && server.count(&app.user, "INBOX") == 0
    });
    let status = daemon.stop();
    assert!(filed, "{}", support::daemons::tail(&daemon.log_text()));
    assert!(status.success(), "{status:?}");
    assert_eq!(totals(&app)["timeline_entries"], 2);
    let fences: Vec<i64> = lease_history(&app).iter().map(|t| t.fence).collect();
    assert_eq!(fences, [1, 2, 3]);
}

/// `run --once` started on a backlog; once its first batch is committed,
/// another daemon takes the mailbox over. The pass ends at its next commit
/// without an error (exit 0, said on stdout and in the log, nothing
/// recorded as the mailbox's failure), nothing is filed twice, and the
/// rest is left in the mailbox for the holder.
#[test]
#[ignore = "needs the test servers: scripts/test.sh runs it (--include-ignored)"]
fn run_once_whose_lease_is_taken_over_during_its_pass_ends_without_an_error() {
    const MAIL: usize = 1_500;
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "oncelost", MailboxOptions::default());
    deliver(server, &app, "oncelost", MAIL);
    let log = app.dir.path().join("daemon-once.log");
    let stdout = app.dir.path().join("once.out");
    let child = app
        .command(&["--log-format", "json", "run", "--once"])
        .env("RUST_LOG", "leadmail=info")
        .stdout(std::fs::File::create(&stdout).expect("a stdout file"))
        .stderr(std::fs::File::create(&log).expect("a log file"))
        .spawn()
        .expect("start run --once");
    let mut once = Daemon { child, log };
    wait_for_line(&once, "processed");
    let fence = with_store(&app, |store| async move {
        store.current_leases().await.expect("leases")[0].fence
    });
    let theirs = take_over(&app, fence);

    let status = once.exit_status_within(Duration::from_secs(60));
    let status = status.unwrap_or_else(|| panic!("{}", support::daemons::tail(&once.log_text())));
    let said = std::fs::read_to_string(&stdout).expect("stdout");
    assert!(status.success(), "{said}\n{}", once.log_text());
    assert!(
        said.contains("mailbox crm: lease lost during the pass, another daemon serves it now"),
        "{said}"
    );
    let lost = once.said("lease lost during the pass; another daemon serves this mailbox now");
    assert_eq!(lost.len(), 1, "{}", once.log_text());
    assert_eq!(lost[0]["fields"]["fence"], fence, "{}", lost[0]);
    let filed = totals(&app)["messages"].as_u64().expect("a count") as usize;
    assert!(
        filed > 0 && filed < MAIL,
        "{filed} of {MAIL} filed before the takeover"
    );
    assert_eq!(
        totals(&app)["timeline_entries"].as_u64(),
        Some(filed as u64)
    );
    let mailbox = &app.status()["mailboxes"][0];
    assert!(mailbox["last_error"].is_null(), "{mailbox}");
    let in_folders = server.count(&app.user, "INBOX") + server.count(&app.user, "Processed");
    assert_eq!(in_folders, MAIL, "no message lost from the mailbox");

    // The new holder gives it back: the next pass files the rest, once.
    with_store(&app, |store| async move {
        store
            .release_lease("crm", Lease { fence: theirs })
            .await
            .expect("release");
    });
    let again = app.run(&["run", "--once"]);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(totals(&app)["messages"].as_u64(), Some(MAIL as u64));
    assert_eq!(totals(&app)["timeline_entries"].as_u64(), Some(MAIL as u64));
    assert_eq!(server.count(&app.user, "INBOX"), 0);
    assert_eq!(server.count(&app.user, "Processed"), MAIL);
}
