//! Sender authentication done by leadmail itself (`security.verify_here`),
//! for mail behind an MTA that writes no Authentication-Results: DKIM
//! signatures, DMARC and SPF checked against a real DNS server (dnsmasq on
//! loopback) through the real binary.

use crate::support;

use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use serde_json::Value;
use support::dns::{base64, DnsServer};
use support::{offline_app, repo, App};

const SELECTOR: &str = "lm2026";

/// A signing key and the DKIM record that publishes it.
struct Key {
    pkcs8: Vec<u8>,
    record: String,
}

impl Key {
    fn signing_key(&self) -> Ed25519Key {
        Ed25519Key::from_pkcs8_der(&self.pkcs8).expect("read the key")
    }
}

fn new_key() -> Key {
    let pkcs8 = Ed25519Key::generate_pkcs8().expect("generate a key");
    let public = Ed25519Key::from_pkcs8_der(&pkcs8)
        .expect("read the key")
        .public_key();
    let record = format!("v=DKIM1; k=ed25519; p={}", base64(&public));
    Key { pkcs8, record }
}

/// A rep's BCC (fixture 019) without the receiver's Authentication-Results,
/// and with these trace headers in place of the fixture's.
fn rep_bcc(trace: &str) -> String {
    let fixture = std::fs::read_to_string(
        repo().join("tests/fixtures/pipeline/019-rep-bcc-one-recipient.eml"),
    )
    .expect("fixture 019");
    let body_start = fixture.find("From: ").expect("a From header");
    format!("{trace}{}", &fixture[body_start..]).replace("\r\n", "\n")
}

/// The trace our receiver would write for a client at `ip`.
fn trace_from(ip: &str, by: &str) -> String {
    format!(
        "Return-Path: <alice@acme.test>\nDelivered-To: crm@acme.test\nReceived: from mail.acme.test (mail.acme.test [{ip}])\n\tby {by} (Postfix) with ESMTPS id 4Yk2Lq0QzTz1xyz\n\tfor <crm@acme.test>; Mon, 16 Nov 2026 15:00:00 +0000\n"
    )
}

/// `message` with a DKIM-Signature by `domain`'s key prepended.
fn signed(message: &str, key: &Key, domain: &str) -> String {
    let crlf = message.replace('\n', "\r\n");
    let signature = DkimSigner::from_key(key.signing_key())
        .domain(domain)
        .selector(SELECTOR)
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .sign(crlf.as_bytes())
        .expect("sign");
    format!("{}{crlf}", signature.to_header())
}

/// A leadmail that verifies senders here against `dns`, in `mode`.
fn verifying_app(dns: &DnsServer, mode: &str) -> App {
    let app = offline_app();
    app.set_config("security.sender_auth", mode);
    app.add_config("security.verify_here", true);
    app.add_config("security.dns_servers", vec![dns.address()]);
    app.add_config(
        "security.trusted_receivers",
        vec!["mx.acme.test".to_string()],
    );
    app
}

/// Ingests `text` as `name`; its report.
fn ingest(app: &App, name: &str, text: &str) -> Value {
    let path = app.dir.path().join(name);
    std::fs::write(&path, text).expect("write eml");
    app.json(&["ingest", path.to_str().unwrap(), "--json"])[0].clone()
}

/// Ingests `text`, which must be quarantined as a spoofed sender; why.
fn quarantined_because(app: &App, name: &str, text: &str) -> String {
    let report = ingest(app, name, text);
    assert_eq!(report["outcome"], "quarantined", "{report}");
    let entries = app.json(&["quarantine", "list", "--json"]);
    let entry = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["message_id"] == report["message_id"])
        .expect("its quarantine entry");
    assert_eq!(entry["reason"], "spoofed_sender", "{entry}");
    entry["detail"].as_str().unwrap().to_string()
}

/// acme.test publishes `key`, a DMARC policy and an SPF record naming 192.0.2.10.
fn acme_dns(key: &Key, other: &Key) -> Option<DnsServer> {
    DnsServer::start(&[
        ("lm2026._domainkey.acme.test", &key.record),
        ("_dmarc.acme.test", "v=DMARC1; p=reject"),
        ("acme.test", "v=spf1 ip4:192.0.2.10 -all"),
        ("lm2026._domainkey.evil.test", &other.record),
    ])
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_dkim_signed_rep_mail_without_authentication_results_is_filed_when_verified_here() {
    let (key, other) = (new_key(), new_key());
    let Some(dns) = acme_dns(&key, &other) else {
        return;
    };
    let unsigned = rep_bcc(&trace_from("203.0.113.9", "mx.acme.test"));
    let mail = signed(&unsigned, &key, "acme.test");

    // Before: only a receiver's Authentication-Results could vouch for Alice.
    let without = offline_app();
    without.set_config("security.sender_auth", "dkim");
    assert_eq!(ingest(&without, "a.eml", &mail)["outcome"], "quarantined");

    let app = verifying_app(&dns, "dkim");
    let report = ingest(&app, "a.eml", &mail);
    assert_eq!(report["outcome"], "created_prospect", "{report}");

    // The same mail changed after signing fails, and says why.
    let tampered = mail
        .replace("Subject: Temperature", "Subject: Urgent: temperature")
        .replace("7A3F2C1B", "7A3F2C1C");
    let detail = quarantined_because(&app, "b.eml", &tampered);
    assert!(detail.contains("dkim=fail"), "{detail}");
    assert!(detail.contains("verified here"), "{detail}");
    // A changed body fails its body hash (mail-auth reports it "neutral").
    let body_changed = signed(&unsigned.replace("7A3F2C1B", "7A3F2C1D"), &key, "acme.test")
        .replace("two other labs", "three other labs");
    assert!(body_changed.contains("three other labs"));
    let detail = quarantined_because(&app, "c.eml", &body_changed);
    assert!(detail.contains("dkim=neutral"), "{detail}");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn dmarc_verified_here_needs_a_signature_aligned_with_the_from_domain() {
    let (key, other) = (new_key(), new_key());
    let Some(dns) = acme_dns(&key, &other) else {
        return;
    };
    let app = verifying_app(&dns, "dmarc");
    let untrusted_trace = trace_from("203.0.113.9", "relay.elsewhere.test");
    let mail = rep_bcc(&untrusted_trace);
    let report = ingest(&app, "a.eml", &signed(&mail, &key, "acme.test"));
    assert_eq!(report["outcome"], "created_prospect", "{report}");

    // A valid signature of another domain does not make Alice's From true.
    let forged = mail.replace("7A3F2C1B", "0BADF00D");
    let detail = quarantined_because(&app, "b.eml", &signed(&forged, &other, "evil.test"));
    assert!(detail.contains("dmarc=fail"), "{detail}");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn spf_is_checked_here_from_the_trusted_receivers_received_header() {
    let (key, other) = (new_key(), new_key());
    let Some(dns) = acme_dns(&key, &other) else {
        return;
    };
    let app = verifying_app(&dns, "spf");
    let allowed = rep_bcc(&trace_from("192.0.2.10", "mx.acme.test"));
    let report = ingest(&app, "a.eml", &allowed);
    assert_eq!(report["outcome"], "created_prospect", "{report}");

    let other_ip = rep_bcc(&trace_from("203.0.113.9", "mx.acme.test")).replace("7A3F2C1B", "1");
    let detail = quarantined_because(&app, "b.eml", &other_ip);
    assert!(detail.contains("spf=fail"), "{detail}");

    // A Received header written by a host we do not run proves nothing.
    let claimed = rep_bcc(&trace_from("192.0.2.10", "mx.forger.test")).replace("7A3F2C1B", "2");
    let detail = quarantined_because(&app, "c.eml", &claimed);
    assert!(detail.contains("no spf result"), "{detail}");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_forged_header_claiming_to_be_leadmails_own_results_is_not_believed() {
    let (key, other) = (new_key(), new_key());
    let Some(dns) = acme_dns(&key, &other) else {
        return;
    };
    let app = verifying_app(&dns, "dkim");
    let forged = format!(
        "Authentication-Results: leadmail.verify-here; dkim=pass header.d=acme.test\n{}",
        rep_bcc(&trace_from("203.0.113.9", "mx.acme.test"))
    );
    let detail = quarantined_because(&app, "a.eml", &forged);
    assert!(detail.contains("no dkim result"), "{detail}");
    assert!(detail.contains("verified here"), "{detail}");
}

#[test]
fn a_dead_dns_server_quarantines_with_the_cause_named() {
    let key = new_key();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("a port");
    let dead = format!("127.0.0.1:{}", socket.local_addr().unwrap().port());
    drop(socket);
    let app = offline_app();
    app.set_config("security.sender_auth", "dkim");
    app.add_config("security.verify_here", true);
    app.add_config("security.dns_servers", vec![dead]);
    let mail = signed(
        &rep_bcc(&trace_from("203.0.113.9", "mx.acme.test")),
        &key,
        "acme.test",
    );
    let detail = quarantined_because(&app, "a.eml", &mail);
    assert!(detail.contains("dkim=temperror"), "{detail}");
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn the_daemon_verifies_mail_it_fetches_over_imap() {
    let (key, other) = (new_key(), new_key());
    let Some(dns) = acme_dns(&key, &other) else {
        return;
    };
    let Some(server) = support::dovecot() else {
        return;
    };
    let app = support::spawn_app(server, "verifyhere", support::MailboxOptions::default());
    app.set_config("security.sender_auth", "dkim");
    app.add_config("security.verify_here", true);
    app.add_config("security.dns_servers", vec![dns.address()]);
    let unsigned = rep_bcc(&trace_from("203.0.113.9", "mx.acme.test"));
    let genuine = signed(&unsigned, &key, "acme.test");
    let forged = signed(&unsigned.replace("7A3F2C1B", "F0F0"), &other, "evil.test");
    let files: Vec<_> = [("genuine.eml", genuine), ("forged.eml", forged)]
        .into_iter()
        .map(|(name, text)| {
            let path = app.dir.path().join(name);
            std::fs::write(&path, text).expect("write eml");
            path
        })
        .collect();
    server.deliver(&app.user, &files);
    let out = app.run(&["run", "--once"]);
    assert!(
        out.status.success(),
        "run --once failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.count(&app.user, "Processed"), 1);
    assert_eq!(server.count(&app.user, "Quarantine"), 1);
    let prospects = app.json(&["prospects", "list", "--json"]);
    assert_eq!(prospects.as_array().map(Vec::len), Some(1), "{prospects}");
    let entries = app.json(&["quarantine", "list", "--json"]);
    assert!(
        entries[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("evil.test")),
        "{entries}"
    );
}
