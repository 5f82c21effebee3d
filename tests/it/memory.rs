//! Memory is bounded by a byte budget, not by the mail (issue 13), against
//! a real Dovecot: a message over the size limit is quarantined from its
//! header and never downloaded whole, and batches are cut by bytes.

use crate::support;

use support::proxy::CuttingProxy;
use support::{dovecot, outbound_mails, spawn_app, App, MailboxOptions};

/// The fixture config's `max_message_bytes`.
const LIMIT: usize = 200_000;

/// A stranger's mail of about `size` bytes, from its header's point of view
/// a normal inquiry.
fn big_mail(dir: &std::path::Path, name: &str, subject: &str, size: usize) -> std::path::PathBuf {
    let header = format!(
        "From: Jane Doe <jane@globex.example>\r\nTo: crm@acme.test\r\nSubject: {subject}\r\n\
         Message-ID: <{name}@globex.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n"
    );
    let line = "We attach the whole tender in the body, line after line.\r\n";
    let body = line.repeat(size / line.len() + 1);
    let path = dir.join(format!("{name}.eml"));
    std::fs::write(&path, header + &body).expect("write a big mail");
    path
}

/// `run --once` with the daemon's debug lines on; its log (JSON lines).
fn run_once_logged(app: &App) -> String {
    let out = app
        .command(&["--log-format", "json", "run", "--once"])
        .env("RUST_LOG", "info,leadmail=debug")
        .output()
        .expect("run leadmail");
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "run --once failed: {log}");
    log
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_message_over_the_limit_is_quarantined_from_its_header_and_never_downloaded_whole() {
    let Some(server) = dovecot() else { return };
    let proxy = CuttingProxy::start(server.port("IMAP_PORT"), Vec::new());
    let app = spawn_app(
        server,
        "oversize",
        MailboxOptions {
            tls: "none",
            trust_ca: false,
            port: Some(proxy.port()),
            ..MailboxOptions::default()
        },
    );
    let mail = tempfile::tempdir().expect("temp dir");
    let huge = big_mail(
        mail.path(),
        "huge",
        "Tender documents for Porto",
        15 * LIMIT,
    );
    let size = std::fs::metadata(&huge).expect("size").len() as usize;
    let mut files = outbound_mails(mail.path(), "small", 3);
    files.insert(1, huge);
    server.import(&app.user, &files);

    let log = run_once_logged(&app);

    let held = app.json(&["quarantine", "list", "--json"]);
    let held = held.as_array().expect("a list");
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["reason"], "too_large");
    assert_eq!(held[0]["subject"], "Tender documents for Porto");
    assert_eq!(held[0]["from"], "Jane Doe <jane@globex.example>");
    assert_eq!(held[0]["message_id"], "huge@globex.example");
    let detail = held[0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with(&format!("{size} bytes is over")),
        "{detail}"
    );
    assert_eq!(server.count(&app.user, "Quarantine"), 1);
    assert_eq!(
        server.count(&app.user, "Processed"),
        3,
        "the others were filed"
    );
    assert_eq!(server.count(&app.user, "INBOX"), 0);
    // Everything the server sent in the whole run (greeting, three small
    // mails, the big one's header, the answers) is far below its size.
    let sent = proxy.bytes_from_server();
    assert!(
        sent > 0 && sent < size / 4,
        "the server sent {sent} bytes for a {size}-byte message"
    );
    assert!(
        log.contains("imap fetched the header only"),
        "the debug log says only the header was fetched: {log}"
    );
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn batches_are_cut_by_the_in_flight_byte_budget() {
    let Some(server) = dovecot() else { return };
    let app = spawn_app(server, "budget", MailboxOptions::default());
    // Messages up to 4 MB are filed, and at most 1 MiB is in hand at once:
    // batches of at most 512 KiB, unless one message is larger on its own.
    app.set_config("security.max_message_bytes", 4_000_000);
    app.add_config("security.max_in_flight_bytes", 1_048_576);
    let mail = tempfile::tempdir().expect("temp dir");
    let mut files: Vec<_> = (0..8)
        .map(|i| {
            big_mail(
                mail.path(),
                &format!("mid{i}"),
                &format!("Mid {i}"),
                200_000,
            )
        })
        .collect();
    files.push(big_mail(mail.path(), "large", "Large", 1_500_000));
    files.extend(outbound_mails(mail.path(), "budget", 20));
    server.import(&app.user, &files);

    let log = run_once_logged(&app);

    let batches: Vec<(usize, u64)> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["fields"]["message"] == "fetched a batch")
        .map(|line| {
            let field = |name: &str| line["fields"][name].as_u64().expect("a count");
            (field("whole") as usize, field("bytes"))
        })
        .collect();
    let messages: usize = batches.iter().map(|(whole, _)| whole).sum();
    assert_eq!(messages, 29, "every message fetched once: {batches:?}");
    assert!(
        batches.len() >= 5,
        "eight 200 KB mails need several batches: {batches:?}"
    );
    for (whole, bytes) in &batches {
        assert!(
            *bytes <= 512 * 1024 || *whole == 1,
            "a batch of {whole} messages holds {bytes} bytes: {batches:?}"
        );
    }
    assert!(
        batches.contains(&(1, batches.iter().map(|b| b.1).max().unwrap_or(0))),
        "the 1.5 MB message went alone: {batches:?}"
    );
    assert_eq!(server.count(&app.user, "INBOX"), 0);
    assert_eq!(app.status()["totals"]["messages"], 29);
}
