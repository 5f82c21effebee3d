//! Line endings, status and reply codes, hard / soft, hostile input and every pattern.

use std::borrow::Cow;

use mail_parser::MessageParser;

use crate::ingest::automated::evidence::Explanation;
use crate::ingest::automated::headers::auto_reply_subject_prefix;
use crate::ingest::automated::recipients::{
    dsn_field_recipients, failed_list_recipients, inline_original_recipients, is_header_line,
    is_original_message_marker, leading_address, mentions_failure, rcpt_to_recipients,
};
use crate::ingest::automated::severity::{
    bounced_recipient, find_reply_code, find_status, judge_status, refuses_message,
    says_address_is_dead, status_keeps_address,
};
use crate::ingest::automated::text_bounce::{bounce_phrase, is_bounce_subject};
use crate::ingest::automated::{
    classify, normalise_line_endings, AutomatedKind, MAX_RECIPIENTS, MAX_SCAN_BYTES,
};

#[test]
fn line_endings_are_normalised_only_when_lone_carriage_returns_exist() {
    assert!(matches!(
        normalise_line_endings(b"a\r\nb\n"),
        Cow::Borrowed(_)
    ));
    assert_eq!(
        normalise_line_endings(b"a\rb\r\nc\r").as_ref(),
        b"a\r\nb\r\nc\r\n"
    );
    assert_eq!(normalise_line_endings(b"").as_ref(), b"");
}

#[test]
fn status_and_reply_codes_are_not_read_from_ip_addresses() {
    assert_eq!(
        find_status("host 192.0.2.1 said: 550 5.1.1 unknown"),
        Some("5.1.1".into())
    );
    assert_eq!(find_status("relay 203.0.113.5 refused"), None);
    assert_eq!(find_status("status 4.2.2."), Some("4.2.2".into()));
    assert_eq!(
        find_reply_code("host [203.0.113.5] said: 552-quota"),
        Some(552)
    );
    assert_eq!(find_reply_code("203.0.113.5"), None);
}

#[test]
fn hard_means_the_address_is_dead() {
    let hard = |status: Option<&str>, text: &str| {
        let explanation = Explanation {
            status: status.map(String::from),
            diagnostic: Some(text.into()),
            ..Explanation::default()
        };
        bounced_recipient("x@y.example".into(), explanation).hard
    };
    assert!(hard(Some("5.1.1"), "550 5.1.1 user unknown"));
    assert!(hard(None, "550 Host or domain name not found"));
    assert!(!hard(Some("5.2.2"), "552 5.2.2 mailbox full"));
    assert!(!hard(Some("5.7.1"), "554 5.7.1 message rejected as spam"));
    assert!(!hard(Some("4.1.1"), "450 4.1.1 user unknown"));
    assert!(!hard(
        None,
        "550 : User unknown (in reply to end of DATA command)"
    ));
}

#[test]
fn malformed_or_hostile_input_never_panics() {
    let inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\r\r\r\n\n\0\xff\xfe".to_vec(),
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\n\xff\xfe:\n\tFinal-Recipient\n--x".to_vec(),
        b"From: <@>\nSubject: =?utf-8?B?////?=\nX-Failed-Recipients: ,,,@@@\n\n<@>:\n".to_vec(),
        format!("From: mailer-daemon@x.example\n\n{}", "<a@b.example>: 550 é\n".repeat(50_000)).into_bytes(),
        format!("Subject: failure notice\n\n{}", "é".repeat(MAX_SCAN_BYTES + 3)).into_bytes(),
    ];
    for input in inputs {
        let bytes = normalise_line_endings(&input);
        if let Some(message) = MessageParser::default().parse(bytes.as_ref()) {
            let verdict = classify(&message, false);
            assert!(verdict.bounced.len() <= MAX_RECIPIENTS);
        }
    }
}

#[test]
fn an_empty_message_value_does_not_panic() {
    let verdict = classify(&mail_parser::Message::default(), false);
    assert_eq!(verdict.kind, AutomatedKind::Human);
}

#[test]
fn every_pattern_compiles() {
    let sample = "Undeliverable: x 550 5.1.1 <a@b.example> user unknown";
    assert!(is_bounce_subject(sample));
    assert!(bounce_phrase("user unknown").is_some());
    assert!(auto_reply_subject_prefix().is_match("Automatic reply: x"));
    assert!(refuses_message("mailbox full") && says_address_is_dead("no such user"));
    assert!(is_original_message_marker(
        "------ This is a copy of the message, including all the headers."
    ));
    assert!(mentions_failure(sample) && !is_header_line(sample));
    let lines = [
        sample,
        "RCPT TO:<c@d.example>",
        "To: e@f.example",
        "Final-Recipient: rfc822; g@h.example",
    ];
    assert_eq!(dsn_field_recipients(&lines), ["g@h.example"]);
    assert_eq!(rcpt_to_recipients(&lines), ["c@d.example"]);
    assert_eq!(inline_original_recipients(&lines), ["e@f.example"]);
    assert_eq!(
        leading_address(" <a@b.example>: x"),
        Some("a@b.example".into())
    );
    assert!(
        failed_list_recipients(&["The following address(es) failed:", "", "  x@y.example"]).len()
            == 1
    );
    assert!(static_status_checks());
}

fn static_status_checks() -> bool {
    status_keeps_address("5.2.2")
        && !status_keeps_address("5.2.1")
        && judge_status("5.1.1") == Some(true)
}

#[test]
fn an_alias_expanded_by_the_server_counts_once_by_its_final_recipient() {
    let lines = [
        "Final-Recipient: rfc822; alias-target@a.example",
        "Original-Recipient: rfc822; alias@b.example",
        "Action: failed",
        "",
        "Original-Recipient: rfc822; only-original@c.example",
        "Action: failed",
        "Final-Recipient: rfc822; second@d.example",
        "Final-Recipient: rfc822; third@d.example",
    ];
    assert_eq!(
        dsn_field_recipients(&lines),
        [
            "alias-target@a.example",
            "second@d.example",
            "third@d.example"
        ]
    );
}

#[test]
fn sendmail_transcripts_and_recipient_lists_lead_with_the_failed_address() {
    assert_eq!(
        leading_address("554 <kijitora@example.edu>... Remote protocol error"),
        Some("kijitora@example.edu".into())
    );
    assert_eq!(
        leading_address("550 5.1.1 <mike@example.org>... User unknown"),
        Some("mike@example.org".into())
    );
    assert_eq!(
        leading_address("    Recipient: <someone@example.com>"),
        Some("someone@example.com".into())
    );
    assert_eq!(
        leading_address("<<< 501 <sender@example.jp>... no access"),
        None
    );
    assert_eq!(
        rcpt_to_recipients(&["  RCPT TO: straycat@vtext.example.com"]),
        ["straycat@vtext.example.com"]
    );
}
