//! Several daemons on one database (issue 17): three `leadmail run` serve six
//! mailboxes of one Dovecot while 6,000 messages arrive; every few seconds
//! one daemon is killed (SIGKILL) and started again, and one is paused
//! (SIGSTOP) past its leases and resumed. Afterwards every message is in
//! the database once and in the folder its outcome names, the lease history
//! shows no mailbox held by two daemons at once and every takeover after
//! the lease it took over ran out (how long after is printed, not asserted:
//! with a daemon killed every 2-5 s the next holder may itself be starting
//! again, and on SQLite a daemon paused inside a write can hold the file's
//! write lock until it resumes, its lease + 5 s later; a bound of 5 s made
//! the test fail once on a loaded machine, at 6.6 s), and each of 20 users
//! got one digest that day.
//! Runs on SQLite (three daemons on one file) and, in test.sh's PostgreSQL
//! pass, on PostgreSQL. `LEADMAIL_CLUSTER_SECONDS` shortens the chaos
//! (default 120) when working on it.

use crate::support;
use support::Lcg;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};
use support::daemons::{holder_pids, lease_history, seconds_between, signal, tail};
use support::smtp::SmtpSink;
use support::{dovecot, offline_app, outbound_mails, wait_until, App, MailboxOptions};

const DAEMONS: usize = 3;
const MAILBOXES: usize = 6;
const PER_MAILBOX: usize = 1_000;
const USERS: usize = 20;
/// Mail arrives in this many waves over the chaos.
const WAVES: usize = 40;
/// The daemons' lease: `leasing::LEASE_TTL`.
const LEASE_TTL: Duration = Duration::from_secs(30);

/// One daemon slot: the running process and the logs of all its runs.
struct Daemon {
    child: Child,
    runs: usize,
}

/// The three daemons, each started again after a kill.
struct Cluster<'a> {
    app: &'a App,
    daemons: Vec<Daemon>,
}

impl<'a> Cluster<'a> {
    fn start(app: &'a App) -> Self {
        let daemons = (0..DAEMONS)
            .map(|slot| Daemon {
                child: spawn(app, slot, 0),
                runs: 1,
            })
            .collect();
        Cluster { app, daemons }
    }

    fn kill_and_restart(&mut self, slot: usize) {
        let daemon = &mut self.daemons[slot];
        daemon.child.kill().expect("SIGKILL");
        daemon.child.wait().expect("reap");
        daemon.child = spawn(self.app, slot, daemon.runs);
        daemon.runs += 1;
    }

    fn pid(&self, slot: usize) -> u32 {
        self.daemons[slot].child.id()
    }

    fn stop_all(&mut self) {
        for daemon in &mut self.daemons {
            signal("-CONT", daemon.child.id());
            signal("-TERM", daemon.child.id());
            let status = daemon.child.wait().expect("the daemon exits");
            assert!(status.success(), "SIGTERM gives exit 0: {status:?}");
        }
    }

    fn logs(&self) -> String {
        let mut all = String::new();
        for (slot, daemon) in self.daemons.iter().enumerate() {
            for run in 0..daemon.runs {
                let text =
                    std::fs::read_to_string(log_path(self.app, slot, run)).unwrap_or_default();
                all.push_str(&format!("--- daemon {slot} run {run}\n{text}"));
            }
        }
        all
    }
}

fn log_path(app: &App, slot: usize, run: usize) -> PathBuf {
    app.dir.path().join(format!("daemon-{slot}-{run}.log"))
}

fn spawn(app: &App, slot: usize, run: usize) -> Child {
    support::daemons::spawn(app.command(&["run"]), &log_path(app, slot, run))
}

fn chaos_length() -> Duration {
    let seconds = std::env::var("LEADMAIL_CLUSTER_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    Duration::from_secs(seconds)
}

/// 20 users (the fixture's two and 18 more), every digest due from midnight
/// and sent even when empty, so each user gets exactly one that day.
fn add_users(app: &App) {
    app.add_config("users.0.digest_at", "00:00");
    app.add_config("users.1.digest_at", "00:00");
    for n in 2..USERS {
        let mut user = toml::Table::new();
        for (key, value) in [
            ("email", format!("rep{n}@acme.test")),
            ("name", format!("Rep {n}")),
            ("role", "user".into()),
            ("time_zone", "Europe/Lisbon".into()),
            ("workday_start", "09:00".into()),
            ("digest_at", "00:00".into()),
        ] {
            user.insert(key.into(), value.into());
        }
        app.push_config("users", user);
    }
    let mut digest = toml::Table::new();
    digest.insert("skip_empty".into(), false.into());
    app.add_config_table("digest", digest);
}

/// The mailbox names and their Dovecot users.
fn mailboxes() -> Vec<(String, String)> {
    (0..MAILBOXES)
        .map(|m| (format!("box{m}"), format!("cluster{m}")))
        .collect()
}

#[test]
#[ignore = "needs the test servers: scripts/test.sh runs it (--include-ignored)"]
fn three_daemons_killed_and_paused_file_six_mailboxes_once_and_send_each_digest_once() {
    let Some(server) = dovecot() else { return };
    let Some(sink) = SmtpSink::start("cluster", &[]) else {
        return;
    };
    let app = offline_app();
    app.add_smtp(&sink);
    add_users(&app);
    let options = || MailboxOptions {
        idle: false,
        ..MailboxOptions::default()
    };
    for (name, user) in mailboxes() {
        app.add_mailbox(server, &name, &user, options());
    }
    let mail_dir = tempfile::tempdir().expect("temp dir");
    let mail: Vec<Vec<PathBuf>> = mailboxes()
        .iter()
        .map(|(name, _)| outbound_mails(mail_dir.path(), name, PER_MAILBOX))
        .collect();

    let mut cluster = Cluster::start(&app);
    let paused_pid = run_chaos(server, &app, &mut cluster, &mail);
    let done = wait_until(Duration::from_secs(180), || {
        mailboxes()
            .iter()
            .all(|(_, user)| server.count(user, "INBOX") == 0)
            && app.status()["totals"]["messages"].as_u64() == Some((MAILBOXES * PER_MAILBOX) as u64)
            && digests_per_user(&sink).len() == USERS
    });
    cluster.stop_all();
    assert!(
        done,
        "the cluster did not finish: {}",
        tail(&cluster.logs())
    );

    assert_every_message_filed_once(server, &app);
    assert_digests_sent_once(&sink);
    assert_leases_never_overlapped(&app, paused_pid);
}

/// Delivers the mail in waves while killing a daemon every 2–5 s and
/// pausing one lease holder for the lease's length + 5 s; returns the
/// paused daemon's pid.
fn run_chaos(
    server: &support::Dovecot,
    app: &App,
    cluster: &mut Cluster<'_>,
    mail: &[Vec<PathBuf>],
) -> u32 {
    let length = chaos_length();
    let started = Instant::now();
    let mut random = Lcg(0xc1a5_7e12);
    let mut next_kill = Duration::from_secs(3);
    let mut waves_sent = 0;
    let pause_at = length / 5;
    let mut paused: Option<(usize, u32, Instant)> = None;
    let mut paused_pid = None;
    let mut sampled = false;
    let mut kills = 0;
    while started.elapsed() < length || waves_sent < WAVES || paused.is_some() {
        let now = started.elapsed();
        if waves_sent < WAVES && now >= length * waves_sent as u32 / WAVES as u32 {
            deliver_wave(server, mail, waves_sent);
            waves_sent += 1;
        }
        if paused_pid.is_none() && now >= pause_at {
            if let Some(slot) = lease_holder_slot(app, cluster) {
                let pid = cluster.pid(slot);
                signal("-STOP", pid);
                paused = Some((slot, pid, Instant::now()));
                paused_pid = Some(pid);
            }
        }
        if let Some((_, pid, since)) = paused {
            if !sampled && since.elapsed() >= LEASE_TTL + Duration::from_secs(4) {
                print_sessions_of_paused(app, pid);
                sampled = true;
            }
            if since.elapsed() >= LEASE_TTL + Duration::from_secs(5) {
                signal("-CONT", pid);
                paused = None;
            }
        }
        if now >= next_kill && started.elapsed() < length {
            let paused_slot = paused.map(|(slot, _, _)| slot);
            let slot = (0..DAEMONS)
                .cycle()
                .skip((random.next() % DAEMONS as u64) as usize)
                .take(DAEMONS)
                .find(|slot| Some(*slot) != paused_slot)
                .expect("a daemon that is not paused");
            cluster.kill_and_restart(slot);
            kills += 1;
            next_kill = now + Duration::from_millis(2_000 + random.next() % 3_000);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("{kills} SIGKILLs, {waves_sent} waves of mail, one daemon paused");
    assert!(
        kills >= 10 || length < Duration::from_secs(60),
        "only {kills} kills"
    );
    paused_pid.expect("a daemon held a lease to be paused")
}

/// On PostgreSQL, just before the paused daemon is resumed: what its
/// sessions are doing and which sessions wait for a lock, and on whom
/// (`pg_stat_activity`, application name `leadmail[PID]`). Printed, so a
/// failed takeover shows what held it up.
fn print_sessions_of_paused(app: &App, pid: u32) {
    if !support::postgres::on_postgres() {
        return;
    }
    let paused = app.sql(&format!(
        "SELECT concat_ws(' | ', pid, state, wait_event_type, wait_event, \
           round(extract(epoch FROM now() - state_change)) || ' s', left(query, 100)) \
         FROM pg_stat_activity WHERE application_name = 'leadmail[{pid}]'"
    ));
    let waiting = app.sql(
        "SELECT concat_ws(' | ', application_name, wait_event, \
           pg_blocking_pids(pid)::text, left(query, 100)) \
         FROM pg_stat_activity \
         WHERE application_name LIKE 'leadmail[%' AND wait_event_type = 'Lock'",
    );
    println!(
        "paused daemon {pid}'s sessions: {paused:#?}\nsessions waiting for a lock: {waiting:#?}"
    );
}

/// Wave `n` of each mailbox's mail into its INBOX.
fn deliver_wave(server: &support::Dovecot, mail: &[Vec<PathBuf>], n: usize) {
    for ((_, user), files) in mailboxes().iter().zip(mail) {
        let size = files.len().div_ceil(WAVES);
        let wave: Vec<PathBuf> = files.iter().skip(n * size).take(size).cloned().collect();
        if !wave.is_empty() {
            server.import(user, &wave);
        }
    }
}

/// The slot of a daemon that holds at least one lease now.
fn lease_holder_slot(app: &App, cluster: &Cluster<'_>) -> Option<usize> {
    let holders = holder_pids(app);
    (0..DAEMONS).find(|slot| holders.contains(&i64::from(cluster.pid(*slot))))
}

fn assert_every_message_filed_once(server: &support::Dovecot, app: &App) {
    let total = (MAILBOXES * PER_MAILBOX) as i64;
    let totals = &app.status()["totals"];
    assert_eq!(totals["messages"].as_i64(), Some(total), "{totals}");
    // One timeline entry and one prospect per message: none applied twice.
    assert_eq!(totals["timeline_entries"].as_i64(), Some(total), "{totals}");
    assert_eq!(totals["open_prospects"].as_i64(), Some(total), "{totals}");
    assert_eq!(totals["quarantined"].as_i64(), Some(0), "{totals}");
    for (_, user) in mailboxes() {
        assert_eq!(server.count(&user, "INBOX"), 0, "{user}");
        assert_eq!(server.count(&user, "Quarantine"), 0, "{user}");
        assert_eq!(server.count(&user, "Processed"), PER_MAILBOX, "{user}");
    }
}

/// Digests received, per recipient.
fn digests_per_user(sink: &SmtpSink) -> BTreeMap<String, usize> {
    let mut per_user = BTreeMap::new();
    for bytes in sink.messages() {
        let Some(message) = mail_parser::MessageParser::default().parse(&bytes) else {
            continue;
        };
        let kind = message.header_raw("X-Leadmail").unwrap_or_default().trim();
        if kind.starts_with("digest") {
            let to = message
                .header_raw("To")
                .unwrap_or_default()
                .trim()
                .to_string();
            *per_user.entry(to).or_insert(0) += 1;
        }
    }
    per_user
}

fn assert_digests_sent_once(sink: &SmtpSink) {
    let per_user = digests_per_user(sink);
    assert_eq!(per_user.len(), USERS, "{per_user:?}");
    let twice: Vec<_> = per_user.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "digests sent more than once: {twice:?}");
}

/// From the lease history: per mailbox the fences run 1, 2, 3…; every
/// takeover from another daemon came after that daemon's lease ran out (how
/// long after is printed: a time, not a fact to assert); the paused daemon
/// lost its leases.
fn assert_leases_never_overlapped(app: &App, paused_pid: u32) {
    let history = lease_history(app);
    let mut takeovers = 0;
    let mut from_paused = 0;
    let mut latest = 0.0_f64;
    for (name, _) in mailboxes() {
        let held: Vec<_> = history.iter().filter(|t| t.mailbox == name).collect();
        let fences: Vec<i64> = held.iter().map(|t| t.fence).collect();
        let expected: Vec<i64> = (1..=fences.len() as i64).collect();
        assert_eq!(fences, expected, "{name}: one fence per takeover");
        for takeover in held {
            let (Some(from), Some(expired)) =
                (&takeover.previous_holder, &takeover.previous_expires_at)
            else {
                continue;
            };
            takeovers += 1;
            from_paused += usize::from(from.contains(&format!(":{paused_pid}:")));
            let gap = seconds_between(expired, &takeover.acquired_at);
            latest = latest.max(gap);
            assert!(
                gap >= 0.0,
                "{name} fence {}: taken {gap:.3} s before {from}'s lease ran out",
                takeover.fence
            );
        }
    }
    println!(
        "{takeovers} takeovers, {from_paused} from the paused daemon, \
         the latest {latest:.1} s after the lease ran out"
    );
    assert!(
        from_paused >= 1,
        "the paused daemon's leases were taken over"
    );
}

/// PostgreSQL stopped under a running daemon and started again: the daemon
/// keeps running, waits (its queries wait up to 30 s for a connection;
/// past that they fail as transient and the batch is retried), reconnects
/// and files every message once.
#[test]
#[ignore = "needs the test servers: scripts/test.sh runs it (--include-ignored)"]
fn a_postgres_restart_under_a_running_daemon_loses_nothing() {
    let Some(server) = dovecot() else { return };
    let Some(database) = support::postgres::Cluster::start("restart") else {
        return;
    };
    let options = MailboxOptions {
        idle: false,
        ..MailboxOptions::default()
    };
    let app = support::spawn_app(server, "pgrestart", options);
    app.set_config("database.url", database.url.as_str());
    let mail_dir = tempfile::tempdir().expect("temp dir");
    let mail = outbound_mails(mail_dir.path(), "pgrestart", 300);
    let filed = |n: i64| app.status()["totals"]["messages"].as_i64() == Some(n);

    server.import(&app.user, &mail[..100]);
    let mut daemon = app.start_daemon(&["run"]);
    assert!(
        wait_until(Duration::from_secs(30), || filed(100)),
        "the first 100 before the outage: {}",
        app.daemon_log()
    );
    database.stop();
    server.import(&app.user, &mail[100..200]);
    std::thread::sleep(Duration::from_secs(6));
    assert!(
        daemon.try_wait().expect("poll the daemon").is_none(),
        "the daemon kept running without its database: {}",
        app.daemon_log()
    );
    database.restart();
    server.import(&app.user, &mail[200..]);
    let recovered = wait_until(Duration::from_secs(90), || {
        server.count(&app.user, "INBOX") == 0 && filed(300)
    });
    signal("-TERM", daemon.id());
    let status = daemon.wait().expect("the daemon exits");
    let log = app.daemon_log();
    assert!(recovered, "every message filed after the restart: {log}");
    assert!(status.success(), "{status:?}: {log}");
    let totals = &app.status()["totals"];
    assert_eq!(totals["timeline_entries"].as_i64(), Some(300), "{totals}");
    assert_eq!(totals["open_prospects"].as_i64(), Some(300), "{totals}");
    assert_eq!(server.count(&app.user, "Processed"), 300);
}
