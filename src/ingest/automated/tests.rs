//! Unit tests: bounces and reports here; other senders in `tests/senders.rs`, codes and
//! robustness in `tests/internals.rs`, the labelled corpora in `tests/corpus.rs`.

use super::*;
use mail_parser::MessageParser;

mod corpus;
mod internals;
mod senders;

pub(super) fn classify_raw(raw: &str, sender_is_user: bool) -> AutomatedVerdict {
    let bytes = normalise_line_endings(raw.as_bytes());
    let message = MessageParser::default()
        .parse(bytes.as_ref())
        .expect("test message parses");
    classify(&message, sender_is_user)
}

pub(super) fn kind_of(raw: &str) -> AutomatedKind {
    classify_raw(raw, false).kind
}

const EXIM_BOUNCE: &str = "Return-path: <>\n\
    From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n\
    To: alice@acme.test\n\
    Subject: Mail delivery failed: returning message to sender\n\
    Auto-Submitted: auto-replied\n\
    X-Failed-Recipients: Bob@Example.org\n\
    \n\
    This message was created automatically by mail delivery software.\n\
    \n\
    A message that you sent could not be delivered to one or more of its\n\
    recipients. This is a permanent error. The following address(es) failed:\n\
    \n\
    \x20 bob@example.org\n\
    \x20   host mx.example.org [192.0.2.7]\n\
    \x20   SMTP error from remote mail server after RCPT TO:<bob@example.org>:\n\
    \x20   550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown\n";

#[test]
fn an_exim_bounce_with_auto_submitted_is_a_bounce_not_an_auto_reply() {
    let verdict = classify_raw(EXIM_BOUNCE, false);
    assert_eq!(verdict.kind, AutomatedKind::Bounce);
    assert_eq!(verdict.signal, "header X-Failed-Recipients");
    let bounced = &verdict.bounced[0];
    assert_eq!(bounced.address, "bob@example.org");
    assert_eq!(bounced.status.as_deref(), Some("5.1.1"));
    assert!(bounced.permanent && bounced.hard);
    assert!(bounced
        .diagnostic
        .as_deref()
        .unwrap_or_default()
        .contains("User unknown"));
}

const POSTFIX_MAILBOX_FULL: &str = "From: MAILER-DAEMON@mx.acme.test (Mail Delivery System)\n\
    To: alice@acme.test\n\
    Subject: Undelivered Mail Returned to Sender\n\
    \n\
    This is the mail system at host mx.acme.test.\n\
    \n\
    <carol@example.com>: host mx.example.com[192.0.2.9] said: 552 5.2.2\n\
    \x20   <carol@example.com>: Mailbox full (in reply to RCPT TO command)\n\
    <dave@example.com>: host mx.example.com[192.0.2.9] said: 450 4.4.1\n\
    \x20   Connection timed out\n";

#[test]
fn a_postfix_bounce_names_each_failed_recipient_with_its_own_status() {
    let verdict = classify_raw(POSTFIX_MAILBOX_FULL, false);
    assert_eq!(verdict.kind, AutomatedKind::Bounce);
    let summary: Vec<(&str, Option<&str>, bool, bool)> = verdict
        .bounced
        .iter()
        .map(|b| (b.address.as_str(), b.status.as_deref(), b.permanent, b.hard))
        .collect();
    assert_eq!(
        summary,
        [
            ("carol@example.com", Some("5.2.2"), true, false),
            ("dave@example.com", Some("4.4.1"), false, false),
        ]
    );
}

fn dsn(actions: &[(&str, &str, &str)]) -> String {
    let mut raw = String::from(
        "From: MAILER-DAEMON@mx.acme.test\nTo: alice@acme.test\nSubject: Delivery Status\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
         --b\nContent-Type: text/plain\n\nReport.\n\n\
         --b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.acme.test\n",
    );
    for (address, action, status) in actions {
        raw.push_str(&format!(
            "\nFinal-Recipient: rfc822; {address}\nAction: {action}\nStatus: {status}\n"
        ));
    }
    raw.push_str("\n--b--\n");
    raw
}

#[test]
fn a_dsn_with_every_recipient_delivered_is_a_delivery_report() {
    let raw = dsn(&[
        ("a@example.com", "delivered", "2.0.0"),
        ("b@example.com", "relayed", "2.0.0"),
    ]);
    assert_eq!(kind_of(&raw), AutomatedKind::DeliveryReport);
}

#[test]
fn a_dsn_reports_only_the_recipients_that_failed() {
    let raw = dsn(&[
        ("a@example.com", "delivered", "2.0.0"),
        ("B@Example.com", "failed", "5.1.1"),
    ]);
    let verdict = classify_raw(&raw, false);
    assert_eq!(verdict.kind, AutomatedKind::Bounce);
    let addresses: Vec<&str> = verdict.bounced.iter().map(|b| b.address.as_str()).collect();
    assert_eq!(addresses, ["b@example.com"]);
    assert!(verdict.bounced[0].hard);
}

#[test]
fn a_delayed_dsn_is_a_soft_bounce() {
    let verdict = classify_raw(&dsn(&[("a@example.com", "delayed", "4.4.7")]), false);
    assert_eq!(verdict.kind, AutomatedKind::Bounce);
    assert!(!verdict.bounced[0].permanent && !verdict.bounced[0].hard);
}

#[test]
fn a_policy_rejection_is_permanent_but_not_hard() {
    let verdict = classify_raw(&dsn(&[("a@example.com", "failed", "5.7.1")]), false);
    assert!(verdict.bounced[0].permanent && !verdict.bounced[0].hard);
}

#[test]
fn a_delivery_status_part_in_base64_is_read() {
    let raw = "From: MAILER-DAEMON@mx.acme.test\nTo: alice@acme.test\nSubject: x\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
        --b\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n\
        RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IGVAZXhhbXBsZS5jb20KQWN0aW9uOiBmYWlsZWQKU3RhdHVz\n\
        OiA1LjEuMQo=\n--b--\n";
    let verdict = classify_raw(raw, false);
    assert_eq!(verdict.bounced[0].address, "e@example.com");
    assert_eq!(verdict.bounced[0].status.as_deref(), Some("5.1.1"));
}

#[test]
fn a_customer_subject_that_sounds_like_a_bounce_stays_human() {
    let raw = "From: bob@logistics.example\nTo: alice@acme.test\n\
               Subject: Delivery report for order 12\n\nThe pallets arrived today.\n";
    assert_eq!(kind_of(raw), AutomatedKind::Human);
}

#[test]
fn a_plain_success_notice_from_a_mailer_daemon_is_a_delivery_report() {
    let raw = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: a@acme.test\n\
               Subject: Delivery Status Notification (Success)\n\nDelivered to b@example.org\n";
    assert_eq!(kind_of(raw), AutomatedKind::DeliveryReport);
}

#[test]
fn a_feedback_report_and_a_read_receipt_are_reports_not_bounces() {
    let report = |kind: &str| {
        format!(
            "From: fbl@isp.example\nTo: alice@acme.test\nSubject: r\n\
             Content-Type: multipart/report; report-type={kind}; boundary=\"b\"\n\n\
             --b\nContent-Type: text/plain\n\nr\n--b--\n"
        )
    };
    assert_eq!(
        kind_of(&report("feedback-report")),
        AutomatedKind::FeedbackReport
    );
    assert_eq!(
        kind_of(&report("disposition-notification")),
        AutomatedKind::DeliveryReport
    );
}

#[test]
fn an_amazon_ses_bounce_notification_names_the_recipient() {
    let raw = "From: no-reply@sns.amazonaws.com\nTo: a@acme.test\nSubject: AWS Notification Message\n\n\
        {\"Message\" : \"{\\\"notificationType\\\":\\\"Bounce\\\",\\\"bounce\\\":{\\\"bouncedRecipients\\\":\
        [{\\\"emailAddress\\\":\\\"x@example.com\\\",\\\"status\\\":\\\"5.1.1\\\"}]}}\"}\n";
    let verdict = classify_raw(raw, false);
    assert_eq!(verdict.kind, AutomatedKind::Bounce);
    assert_eq!(verdict.bounced[0].address, "x@example.com");
    assert!(verdict.bounced[0].hard);
}
