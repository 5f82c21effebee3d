//! OAuth2 refresh-token logins against real servers on loopback: a token
//! endpoint (`support/token-server.py`), Dovecot checking XOAUTH2 bearer
//! tokens through its oauth2 passdb, and the SMTP sink taking XOAUTH2.
//! Tokens go stale when a test says so (`expire`, `refuse`), never by the
//! wall clock.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use support::oauth::{oauth2_table, oauth_app, servers, write_refresh_token};
use support::smtp::SmtpSink;
use support::{demo_messages, wait_until, App};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn leads(app: &App) -> usize {
    app.json(&["leads", "list", "--json"])
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn run_once_logs_in_with_a_token_from_the_refresh_flow() {
    let Some(servers) = servers() else { return };
    let app = oauth_app(servers, "oauth-once", "rt-once");
    servers.tokens.grant("rt-once", &app.user, false);
    servers.dovecot.deliver(&app.user, &demo_messages()[..1]);
    let out = app.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(leads(&app), 1);
    assert_eq!(servers.dovecot.count(&app.user, "Processed"), 1);
    assert_eq!(servers.tokens.refreshes(&app.user), 1);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_token_that_dies_mid_run_is_refreshed_at_the_next_login_and_no_mail_is_lost() {
    let Some(servers) = servers() else { return };
    let (tokens, dovecot) = (&servers.tokens, &servers.dovecot);
    let app = oauth_app(servers, "oauth-midrun", "rt-midrun");
    tokens.grant("rt-midrun", &app.user, false);
    let mut daemon = app.start_daemon(&["run"]);
    let messages = demo_messages();
    dovecot.deliver(&app.user, &messages[..1]);
    let filed = |n: usize| wait_until(Duration::from_secs(20), || leads(&app) >= n);
    assert!(filed(1), "first message: {}", app.daemon_log());
    // The token dies while the daemon idles; the server drops the session.
    tokens.expire(&app.user);
    dovecot.deliver(&app.user, &messages[1..2]);
    dovecot.doveadm(&["kick", &app.user]);
    dovecot.deliver(&app.user, &messages[2..3]);
    let all_in = wait_until(Duration::from_secs(30), || {
        dovecot.count(&app.user, "INBOX") == 0
            && dovecot.count(&app.user, "Processed") + dovecot.count(&app.user, "Quarantine") == 3
    });
    support_stop(daemon.id());
    let status = daemon.wait().expect("daemon exits");
    assert!(all_in, "all three filed: {}", app.daemon_log());
    assert!(status.success(), "{status:?}");
    assert_eq!(
        tokens.refreshes(&app.user),
        2,
        "one token at start, one after the refused re-login: {}",
        app.daemon_log()
    );
    assert!(
        app.daemon_log().contains("refreshing it and retrying once"),
        "{}",
        app.daemon_log()
    );
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_token_near_its_end_is_refreshed_before_the_next_login_not_after_a_refusal() {
    let Some(servers) = servers() else { return };
    let (tokens, dovecot) = (&servers.tokens, &servers.dovecot);
    let app = oauth_app(servers, "oauth-margin", "rt-margin");
    // 4 minutes: inside the 5-minute margin from the start, whatever the clock.
    tokens.grant_lasting("rt-margin", &app.user, false, 240);
    let mut daemon = app.start_daemon(&["run"]);
    let messages = demo_messages();
    dovecot.deliver(&app.user, &messages[..1]);
    assert!(
        wait_until(Duration::from_secs(20), || leads(&app) >= 1),
        "first message: {}",
        app.daemon_log()
    );
    dovecot.doveadm(&["kick", &app.user]);
    dovecot.deliver(&app.user, &messages[1..2]);
    let refreshed = wait_until(Duration::from_secs(30), || {
        tokens.refreshes(&app.user) == 2 && dovecot.count(&app.user, "INBOX") == 0
    });
    support_stop(daemon.id());
    let status = daemon.wait().expect("daemon exits");
    assert!(
        refreshed,
        "a new token for the new login: {}",
        app.daemon_log()
    );
    assert!(status.success(), "{status:?}");
    assert!(
        !app.daemon_log().contains("login refused"),
        "no refused login on the way: {}",
        app.daemon_log()
    );
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_rotation_with_the_refresh_token_in_the_environment_warns_that_it_is_stale() {
    let Some(servers) = servers() else { return };
    let app = oauth_app(servers, "oauth-env", "unused");
    servers.tokens.grant("rt-env-secret", &app.user, true);
    let text = std::fs::read_to_string(&app.config).unwrap();
    let root: toml::Table = text.parse().unwrap();
    let mut entry = root["mailboxes"][0]["oauth2"].as_table().unwrap().clone();
    entry.remove("refresh_token_file");
    entry.insert("refresh_token_env".into(), "LEADMAIL_TEST_REFRESH".into());
    app.set_config("mailboxes.0.oauth2", entry);
    let out = app
        .command(&["doctor"])
        .env("LEADMAIL_TEST_REFRESH", "rt-env-secret")
        .output()
        .expect("doctor");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("the value of LEADMAIL_TEST_REFRESH is now stale"),
        "{log}"
    );
    assert!(!log.contains("rt-"), "no refresh token in the log: {log}");
}

fn support_stop(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_rotated_refresh_token_is_written_back_to_its_file() {
    let Some(servers) = servers() else { return };
    let app = oauth_app(servers, "oauth-rotate", "rt-rotate-0");
    servers.tokens.grant("rt-rotate-0", &app.user, true);
    let file = app.dir.path().join("refresh-token");
    for round in 1..=2 {
        let out = app.run(&["doctor"]);
        assert!(out.status.success(), "round {round}: {}", stdout(&out));
        assert!(
            stdout(&out).contains("ok    oauth2 crm: "),
            "{}",
            stdout(&out)
        );
        assert!(
            stdout(&out).contains("ok    imap crm: "),
            "{}",
            stdout(&out)
        );
    }
    let kept = std::fs::read_to_string(&file).expect("the refresh token file");
    assert!(
        kept.starts_with("rt-") && kept != "rt-rotate-0\n",
        "rotated twice, the old one revoked each time: {kept:?}"
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let leftovers = std::fs::read_dir(app.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_revoked_refresh_token_makes_doctor_say_why_without_the_token() {
    let Some(servers) = servers() else { return };
    let app = oauth_app(servers, "oauth-revoked", "rt-revoked-secret");
    servers.tokens.grant("rt-revoked-secret", &app.user, false);
    servers.tokens.revoke("rt-revoked-secret");
    let out = app.run(&["doctor"]);
    let text = stdout(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains(
            "FAIL  oauth2 crm: mailboxes[0].oauth2: token endpoint said invalid_grant \
             (Token has been expired or revoked.): the refresh token was revoked or expired; \
             obtain a new one (README: OAuth2)"
        ),
        "{text}"
    );
    assert!(
        text.contains("skip  imap crm: no OAuth2 access token"),
        "{text}"
    );
    let everything = format!("{text}{}", stderr(&out));
    assert!(!everything.contains("rt-revoked-secret"), "{everything}");
    assert!(!everything.contains("client-secret-value"), "{everything}");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_refused_cached_token_is_refreshed_once_for_imap_and_smtp() {
    let Some(servers) = servers() else { return };
    let tokens = &servers.tokens;
    let introspect = tokens.url("/introspect");
    let Some(sink) = SmtpSink::start("xoauth2", &["--auth-xoauth2", &introspect]) else {
        return;
    };
    let app = oauth_app(servers, "oauth-refused", "rt-refused");
    tokens.grant("rt-refused", &app.user, false);
    let smtp_user = "oauth-refused-smtp@acme.test";
    write_refresh_token(&app, "smtp-refresh-token", "rt-refused-smtp");
    tokens.grant("rt-refused-smtp", smtp_user, false);
    add_oauth2_smtp(&app, &sink, smtp_user, "smtp-refresh-token");
    // doctor refreshes once per entry, then the imap and smtp checks log
    // in with the cached tokens: the first check of each is refused.
    tokens.refuse(&app.user, 1);
    tokens.refuse(smtp_user, 1);
    let out = app.run(&["doctor"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ok    imap crm: "), "{text}");
    assert!(text.contains("and the XOAUTH2 login"), "{text}");
    // One refresh for doctor's oauth2 check, one after the refusal.
    assert_eq!(tokens.refreshes(&app.user), 2, "{text}");
    assert_eq!(tokens.refreshes(smtp_user), 2, "{text}");
    let log = stderr(&out);
    assert!(
        log.contains("imap login refused with the cached OAuth2 token"),
        "{log}"
    );
    assert!(
        log.contains("smtp login refused with the cached OAuth2 token"),
        "{log}"
    );
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn an_smtp_server_that_refuses_with_a_challenge_as_gmail_does_gets_a_new_token() {
    let Some(servers) = servers() else { return };
    let tokens = &servers.tokens;
    let introspect = tokens.url("/introspect");
    let options = ["--auth-xoauth2", &introspect, "--xoauth2-challenge"];
    let Some(sink) = SmtpSink::start("xoauth2-challenge", &options) else {
        return;
    };
    let app = support::offline_app();
    let user = "oauth-challenge@acme.test";
    write_refresh_token(&app, "refresh-token", "rt-challenge");
    tokens.grant("rt-challenge", user, false);
    add_oauth2_smtp(&app, &sink, user, "refresh-token");
    tokens.refuse(user, 1);
    let out = app.run(&["doctor"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("and the XOAUTH2 login"), "{text}");
    assert_eq!(tokens.refreshes(user), 2, "{text}");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_digest_is_sent_over_smtp_with_xoauth2() {
    let Some(servers) = servers() else { return };
    let tokens = &servers.tokens;
    let introspect = tokens.url("/introspect");
    let Some(sink) = SmtpSink::start("xoauth2-digest", &["--auth-xoauth2", &introspect]) else {
        return;
    };
    let app = support::offline_app();
    write_refresh_token(&app, "refresh-token", "rt-smtp");
    tokens.grant("rt-smtp", "crm-smtp@acme.test", false);
    add_oauth2_smtp(&app, &sink, "crm-smtp@acme.test", "refresh-token");
    let demo = support::repo().join("tests/fixtures/demo");
    assert!(app
        .run(&["ingest", "--maildir", demo.to_str().unwrap()])
        .status
        .success());
    let out = app.run(&["digest", "send", "--user", "alice@acme.test"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sink.messages().len(), 1);
    let envelope = std::fs::read_to_string(sink.dir.join("mail/000001.json")).unwrap();
    let envelope: serde_json::Value = serde_json::from_str(&envelope).unwrap();
    assert_eq!(envelope["auth_user"], "crm-smtp@acme.test");
    assert_eq!(tokens.refreshes("crm-smtp@acme.test"), 1);
}

/// `[smtp]` at the sink, logging in as `user` with the refresh token in
/// the app's file `refresh_file`.
fn add_oauth2_smtp(app: &App, sink: &SmtpSink, user: &str, refresh_file: &str) {
    let servers = servers().expect("started");
    let mut smtp = toml::Table::new();
    smtp.insert("host".into(), "127.0.0.1".into());
    smtp.insert("port".into(), i64::from(sink.port()).into());
    smtp.insert("tls".into(), "starttls".into());
    smtp.insert("ca_file".into(), sink.ca().to_string().into());
    smtp.insert("from".into(), "leadmail <crm@acme.test>".into());
    smtp.insert("username".into(), user.into());
    let oauth2 = oauth2_table(&servers.tokens, app, refresh_file);
    smtp.insert("oauth2".into(), oauth2.into());
    app.add_config_table("smtp", smtp);
}
