//! The IMAP adapter against a real Dovecot, started once for this test
//! binary by `scripts/dovecot.sh`. Each test logs in as its own user, so it
//! has its own mailbox on the shared server.
//!
//! Without a `dovecot` binary the tests print why and pass, except under
//! `CI=true`, where a missing Dovecot is a failure.

use crate::support;

use leadmail::config::{Mailbox, SecretSource, TlsMode};
use leadmail::imap::{IdleOutcome, ImapError, ImapSession};
use std::path::PathBuf;
use std::time::Duration;
use support::{dovecot, Dovecot};
use tokio_util::sync::CancellationToken;

/// How long IDLE may wait before a test fails: generous, as the point is
/// the outcome reached (a change, a cancel), not how fast (that is for the
/// benchmarks). A missed notice shows as `TimedOut` at this deadline.
const DEADLINE: Duration = Duration::from_secs(60);

/// One test's files (password, messages), removed at the end.
struct Fixture {
    server: &'static Dovecot,
    user: String,
    dir: tempfile::TempDir,
}

/// The fixture for `user`, or `None` (skip) without Dovecot.
fn fixture(user: &str) -> Option<Fixture> {
    let server = dovecot()?;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("password"), server.get("IMAP_PASSWORD")).expect("password");
    Some(Fixture {
        server,
        user: user.to_string(),
        dir,
    })
}

impl Fixture {
    /// The `[[mailboxes]]` entry for this user, trusting the test CA.
    fn mailbox(&self, tls: TlsMode) -> Mailbox {
        let port = match tls {
            TlsMode::Implicit => self.server.port("IMAPS_PORT"),
            TlsMode::Starttls | TlsMode::None => self.server.port("IMAP_PORT"),
        };
        Mailbox {
            name: format!("test-{}", self.user),
            host: self.server.get("IMAP_HOST").to_string(),
            port,
            tls,
            ca_file: Some(PathBuf::from(self.server.get("IMAP_CA"))),
            username: self.user.clone(),
            password: Some(SecretSource::File(self.dir.path().join("password"))),
            oauth2_token: None,
            oauth2: None,
            folder: "INBOX".into(),
            processed_folder: None,
            quarantine_folder: None,
            idle: true,
            poll_interval_secs: 60,
            alert_after_minutes: 30,
        }
    }

    /// Writes `n` distinct CRLF messages (Dovecot serves CRLF, so the
    /// fetched bytes equal the files) and delivers them.
    fn deliver(&self, n: usize) -> Vec<Vec<u8>> {
        let start = std::fs::read_dir(self.dir.path())
            .expect("temp dir")
            .count();
        let (files, bodies): (Vec<PathBuf>, Vec<Vec<u8>>) = (start..start + n)
            .map(|i| {
                let body = format!(
                    "From: Jane Doe <jane{i}@example.test>\r\n\
                     To: {user}@acme.test\r\n\
                     Subject: Message {i}\r\n\
                     Message-ID: <{i}.{user}@example.test>\r\n\
                     Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\
                     \r\n\
                     Hello number {i}.\r\n",
                    user = self.user
                )
                .into_bytes();
                let path = self.dir.path().join(format!("{i}.eml"));
                std::fs::write(&path, &body).expect("message file");
                (path, body)
            })
            .unzip();
        self.server.deliver(&self.user, &files);
        bodies
    }

    async fn connect(&self, tls: TlsMode) -> ImapSession {
        ImapSession::connect(&self.mailbox(tls))
            .await
            .unwrap_or_else(|e| panic!("connect {tls:?}: {e}"))
    }
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn implicit_tls_fetches_delivered_messages_in_uid_order_byte_for_byte() {
    let Some(fx) = fixture("implicit") else {
        return;
    };
    let bodies = fx.deliver(3);
    let mut session = fx.connect(TlsMode::Implicit).await;
    let folder = session.select("INBOX").await.expect("select");
    assert_eq!(folder.exists, 3);
    assert!(folder.uid_validity > 0);
    assert_eq!(folder.uid_next, Some(4));

    let mails = fetch_after(&mut session, 0, 10).await.expect("fetch");
    let uids: Vec<u32> = mails.iter().map(|m| m.uid).collect();
    assert_eq!(uids, [1, 2, 3]);
    for (mail, body) in mails.iter().zip(&bodies) {
        assert_eq!(&mail.raw, body, "uid {}", mail.uid);
        assert!(mail.internal_date.is_some());
    }
    // `UID 4:*` matches the last message when nothing is above 3.
    assert!(fetch_after(&mut session, 3, 10)
        .await
        .expect("fetch")
        .is_empty());
    assert_eq!(
        fx.server.seen(&fx.user, "INBOX"),
        0,
        "BODY.PEEK must not flag"
    );
    session.logout().await.expect("logout");
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn starttls_connects_with_a_verified_certificate() {
    let Some(fx) = fixture("starttls") else {
        return;
    };
    fx.deliver(1);
    let mut mailbox = fx.mailbox(TlsMode::Starttls);
    mailbox.host = "localhost".into(); // verified as a DNS name this time
    let mut session = ImapSession::connect(&mailbox).await.expect("connect");
    assert!(session.supports_idle());
    assert_eq!(session.select("INBOX").await.expect("select").exists, 1);
    assert_eq!(
        fetch_after(&mut session, 0, 10).await.expect("fetch").len(),
        1
    );
    session.logout().await.expect("logout");
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn plain_text_works_on_loopback() {
    let Some(fx) = fixture("plain") else { return };
    let mut session = fx.connect(TlsMode::None).await;
    assert_eq!(session.select("INBOX").await.expect("select").exists, 0);
    session.logout().await.expect("logout");
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn fetch_after_with_a_limit_returns_batches_in_uid_order() {
    let Some(fx) = fixture("batches") else { return };
    fx.deliver(5);
    let mut session = fx.connect(TlsMode::Implicit).await;
    session.select("INBOX").await.expect("select");
    let mut after = 0;
    let mut batches = Vec::new();
    loop {
        let batch = fetch_after(&mut session, after, 2).await.expect("fetch");
        let Some(last) = batch.last() else { break };
        after = last.uid;
        batches.push(batch.iter().map(|m| m.uid).collect::<Vec<_>>());
    }
    assert_eq!(batches, [vec![1, 2], vec![3, 4], vec![5]]);
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn sizes_come_without_bodies_and_a_header_fetch_stops_at_the_blank_line() {
    let Some(fx) = fixture("sizes") else { return };
    let bodies = fx.deliver(3);
    let mut session = fx.connect(TlsMode::Implicit).await;
    session.select("INBOX").await.expect("select");
    let sizes = session.sizes(&[3, 1, 2, 99]).await.expect("sizes");
    let want: Vec<(u32, Option<u64>)> = (1..)
        .zip(&bodies)
        .map(|(uid, body)| (uid, Some(body.len() as u64)))
        .collect();
    assert_eq!(sizes, want, "sorted by UID; a missing UID is absent");
    let headers = session.fetch_headers(&[2]).await.expect("headers");
    assert_eq!(headers.len(), 1);
    let end = bodies[1]
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block")
        + 4;
    assert_eq!(headers[0].raw, bodies[1][..end]);
    assert!(!headers[0].whole);
    assert_eq!(headers[0].size, bodies[1].len() as u64);
    let whole = session.fetch(&[2]).await.expect("fetch");
    assert!(whole[0].whole && whole[0].raw == bodies[1]);
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn mark_seen_sets_the_seen_flag() {
    let Some(fx) = fixture("seen") else { return };
    fx.deliver(2);
    let mut session = fx.connect(TlsMode::Implicit).await;
    session.select("INBOX").await.expect("select");
    fetch_after(&mut session, 0, 10).await.expect("fetch");
    session.mark_seen(&[2]).await.expect("mark seen");
    session
        .mark_seen(&[2])
        .await
        .expect("marking twice is harmless");
    assert_eq!(fx.server.seen(&fx.user, "INBOX"), 1);
    let seen = fx
        .server
        .doveadm(&["search", "-u", &fx.user, "mailbox", "INBOX", "SEEN"]);
    assert!(
        seen.trim().ends_with(" 2"),
        "uid 2 is the seen one: {seen:?}"
    );
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn move_to_creates_the_folder_and_the_message_leaves_the_inbox() {
    let Some(fx) = fixture("move") else { return };
    fx.deliver(3);
    let mut session = fx.connect(TlsMode::Implicit).await;
    session.select("INBOX").await.expect("select");
    assert!(session.supports_move());
    session
        .move_to(&[1], "Processed")
        .await
        .expect("move to a new folder");
    session
        .move_to(&[2], "Processed")
        .await
        .expect("move to an existing folder");
    session
        .move_to(&[3], "Traités & co")
        .await
        .expect("move to a non-ASCII folder");
    assert_eq!(fx.server.count(&fx.user, "INBOX"), 0);
    assert_eq!(fx.server.count(&fx.user, "Processed"), 2);
    assert_eq!(fx.server.count(&fx.user, "Traités & co"), 1);
    // The moved messages are gone from the selected folder for us too.
    assert!(fetch_after(&mut session, 0, 10)
        .await
        .expect("fetch")
        .is_empty());
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn a_wrong_password_is_an_auth_error_that_never_shows_the_password() {
    let Some(fx) = fixture("wrongpass") else {
        return;
    };
    let password = fx.dir.path().join("password");
    std::fs::write(&password, "s3cret-wrong").expect("password");
    let error = ImapSession::connect(&fx.mailbox(TlsMode::Implicit))
        .await
        .expect_err("a wrong password must fail");
    assert!(error.is_auth(), "{error}");
    assert!(!error.is_transient(), "{error}");
    let text = format!("{error} {error:?}");
    assert!(!text.contains("s3cret-wrong"), "{text}");
    assert!(text.contains("cannot log in to 127.0.0.1:"), "{text}");
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn a_closed_port_is_a_transient_connect_error() {
    let Some(fx) = fixture("closed") else { return };
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut mailbox = fx.mailbox(TlsMode::Implicit);
    mailbox.port = port;
    let error = ImapSession::connect(&mailbox)
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, ImapError::Connect { .. }), "{error:?}");
    assert!(error.is_transient());
    assert!(!error.is_auth());
    assert!(error
        .to_string()
        .starts_with(&format!("cannot connect to 127.0.0.1:{port}")));
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn an_untrusted_certificate_is_a_tls_error() {
    let Some(fx) = fixture("untrusted") else {
        return;
    };
    for tls in [TlsMode::Implicit, TlsMode::Starttls] {
        let mut mailbox = fx.mailbox(tls);
        mailbox.ca_file = None;
        let error = ImapSession::connect(&mailbox)
            .await
            .expect_err("untrusted CA");
        assert!(matches!(error, ImapError::Tls { .. }), "{tls:?}: {error:?}");
        assert!(!error.is_transient() && !error.is_auth(), "{error}");
        assert!(
            error.to_string().contains("cannot establish TLS"),
            "{error}"
        );
    }
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn idle_returns_changed_soon_after_a_delivery() {
    let Some(fx) = fixture("idle") else { return };
    let mut session = fx.connect(TlsMode::Implicit).await;
    session.select("INBOX").await.expect("select");
    assert!(fetch_after(&mut session, 0, 10)
        .await
        .expect("fetch")
        .is_empty());
    let message = fx.dir.path().join("late.eml");
    std::fs::write(
        &message,
        b"From: a@example.test\r\nSubject: late\r\n\r\nhi\r\n",
    )
    .expect("file");
    let (server, user) = (fx.server, fx.user.clone());
    let delivery = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(500));
        server.deliver(&user, &[message]);
    });
    let cancel = CancellationToken::new();
    let (mut session, outcome) = session.idle(DEADLINE, &cancel).await.expect("idle");
    delivery.await.expect("delivery");
    assert_eq!(
        outcome,
        IdleOutcome::Changed,
        "IDLE did not report the delivery within {DEADLINE:?}"
    );
    assert_eq!(
        fetch_after(&mut session, 0, 10).await.expect("fetch").len(),
        1
    );
    session.logout().await.expect("logout");
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn idle_ends_on_cancel_and_on_timeout_and_the_session_stays_usable() {
    let Some(fx) = fixture("idlestop") else {
        return;
    };
    let mut session = fx.connect(TlsMode::Implicit).await;
    session.select("INBOX").await.expect("select");
    let cancel = CancellationToken::new();
    let (session, outcome) = session
        .idle(Duration::from_millis(300), &cancel)
        .await
        .expect("idle");
    assert_eq!(outcome, IdleOutcome::TimedOut);

    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        canceller.cancel();
    });
    let (mut session, outcome) = session.idle(DEADLINE, &cancel).await.expect("idle");
    assert_eq!(
        outcome,
        IdleOutcome::Cancelled,
        "IDLE did not end on the cancel within {DEADLINE:?}"
    );
    assert_eq!(session.select("INBOX").await.expect("select").exists, 0);
    session.logout().await.expect("logout");
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn mail_announced_between_a_pass_and_idle_is_not_missed() {
    let Some(fx) = fixture("race") else { return };
    fx.deliver(1);
    let mut session = fx.connect(TlsMode::Implicit).await;
    session.select("INBOX").await.expect("select");
    assert_eq!(
        fetch_after(&mut session, 0, 10).await.expect("fetch").len(),
        1
    );
    // A message arrives while we acknowledge the first: the server tells
    // us with the STORE's answer, not during the IDLE that follows.
    fx.deliver(1);
    session.mark_seen(&[1]).await.expect("mark seen");
    let (mut session, outcome) = session
        .idle(DEADLINE, &CancellationToken::new())
        .await
        .expect("idle");
    assert_eq!(
        outcome,
        IdleOutcome::Changed,
        "the message announced before IDLE was not reported within {DEADLINE:?}"
    );
    let uids: Vec<u32> = fetch_after(&mut session, 1, 10)
        .await
        .expect("fetch")
        .iter()
        .map(|m| m.uid)
        .collect();
    assert_eq!(uids, [2]);
}

/// Messages above `after` in UID order, at most `limit`: the daemon's way
/// (one UID SEARCH, then one UID FETCH of the UIDs it keeps).
async fn fetch_after(
    session: &mut ImapSession,
    after: u32,
    limit: usize,
) -> Result<Vec<leadmail::imap::RawMail>, ImapError> {
    let mut uids = session.uids_after(after).await?;
    uids.truncate(limit);
    session.fetch(&uids).await
}
