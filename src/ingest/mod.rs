//! The pure message pipeline: raw bytes + settings + arrival time → plan.
//!
//! Steps (DESIGN §2): size and header limits, parse, key, automated mail, who sent it
//! (with sender authentication), what it is, extraction. Matching against
//! existing records and the commit are the store's, driven by the plan.
//!
//! # Layout, by the steps of DESIGN §2
//!
//! 1. Parse, over the size limit → quarantine: [`header_bounds`], `limits`
//!    (size and body bounds), [`parse`] (bytes → [`parse::ParsedMail`], the
//!    body text window), [`dates`] (Date headers, zones), [`subject`]
//!    (reply/forward prefixes), [`attachments`] (metadata, hashes).
//! 2. Deduplicate: the key ([`crate::domain::MessageKey`]) is made in
//!    [`parse`]; the store applies it.
//! 3. Automated mail: [`automated`] (bounces, auto-replies, lists, our own
//!    digests).
//! 4. Who sent it: [`auth`] (trusted `Authentication-Results`), then the
//!    sender's kind in `route`.
//! 5. What it is: `route` (rep, partner, source, unknown; a reply to a
//!    digest), with [`forward`] (unwrapping forwards), [`form`] (form
//!    sources' fields) and the command vocabulary of [`crate::commands`].
//! 6. Extract: [`extract`] (names, companies, contacts), [`quote`] (quoted
//!    history, the reply's own text), [`signature`] (phone, title, company).
//! 7. Match and 8. commit: the store, from the [`plan`] this module returns.

pub mod attachments;
pub mod auth;
pub mod automated;
pub mod dates;
pub mod extract;
pub mod form;
pub mod forward;
pub mod header_bounds;
mod labelled_line;
mod limits;
pub mod parse;
pub mod plan;
pub mod quote;
mod route;
pub mod signature;
pub mod subject;

use crate::config::Settings;
use crate::domain::{EmailAddress, MessageKey, QuarantineReason};
use chrono::{DateTime, Duration, Utc};
use mail_parser::MessageParser;
use plan::{Action, IngestPlan, QuarantineDraft};

/// How far in the future a Date may be before it counts as wrong.
const CLOCK_SKEW: i64 = 15 * 60;

/// Decides what one message is and what to do with it. Never panics and
/// never fails: unreadable mail becomes a quarantine plan. A panic inside
/// the MIME parser (fuzzing found one in mail-parser 0.11.9: "Invalid part
/// ID, could not find multipart") is caught and the message quarantined as
/// unparseable, so one hostile message cannot stop a mailbox.
pub fn plan_message(raw: &[u8], settings: &Settings, arrived_at: DateTime<Utc>) -> IngestPlan {
    plan_message_verified(raw, settings, arrived_at, None)
}

/// [`plan_message`] for a message whose sender leadmail verified itself
/// (`security.verify_here`): `verified_here` is the RFC 8601 value of those
/// results, believed like a trusted receiver's `Authentication-Results`.
pub fn plan_message_verified(
    raw: &[u8],
    settings: &Settings,
    arrived_at: DateTime<Utc>,
    verified_here: Option<&str>,
) -> IngestPlan {
    let planned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        plan_unguarded(raw, settings, arrived_at, verified_here)
    }));
    planned.unwrap_or_else(|_| {
        unparseable(
            raw,
            arrived_at,
            "the MIME parser failed on this message (an internal error, caught)",
        )
    })
}

fn plan_unguarded(
    raw: &[u8],
    settings: &Settings,
    arrived_at: DateTime<Utc>,
    verified_here: Option<&str>,
) -> IngestPlan {
    if raw.len() > settings.security.max_message_bytes {
        return too_large(raw, settings, arrived_at);
    }
    // After the line endings are normalised: a message with lone CRs is not one long line.
    let normalised = automated::normalise_line_endings(raw);
    if let Err(breach) = header_bounds::check(&normalised, settings.security.header_bounds()) {
        return header_breach(&normalised, breach, arrived_at);
    }
    let Some(message) = MessageParser::default().parse(normalised.as_ref()) else {
        return unparseable(raw, arrived_at, "the bytes are not an RFC 5322 message");
    };
    if !has_message_headers(&message) {
        return unparseable(
            raw,
            arrived_at,
            "no message header fields (From, To, Subject, Date, Message-ID…) found",
        );
    }
    let mut mail = parse::facts(
        &message,
        raw,
        parse::text_window(settings.security.max_body_bytes),
    );
    mail.verified_here = verified_here.map(str::to_owned);
    let occurred_at = message_time(mail.date, arrived_at);
    let mut plan = route::route(&message, &mail, settings, occurred_at);
    limits::cap_bodies(&mut plan, settings.security.max_body_bytes);
    let files_it = !matches!(plan.action, Action::Quarantine(_) | Action::Record);
    plan.attachments = attachments::extract(&message, &settings.attachments, files_it);
    plan
}

/// True when the parse found at least one header every real message carries.
fn has_message_headers(message: &mail_parser::Message<'_>) -> bool {
    const KNOWN: &[&str] = &[
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "content-type",
        "sender",
        "reply-to",
        "delivered-to",
    ];
    message
        .headers()
        .iter()
        .any(|h| KNOWN.contains(&h.name().to_ascii_lowercase().as_str()))
}

/// The message's own Date, unless missing or in the future.
pub fn message_time(date: Option<DateTime<Utc>>, arrived_at: DateTime<Utc>) -> DateTime<Utc> {
    match date {
        Some(date) if date <= arrived_at + Duration::seconds(CLOCK_SKEW) => date,
        _ => arrived_at,
    }
}

fn unparseable(raw: &[u8], arrived_at: DateTime<Utc>, why: &str) -> IngestPlan {
    let head = Head {
        key: MessageKey::from_bytes(raw),
        from: None,
        sender: None,
    };
    bare_quarantine(head, arrived_at, QuarantineReason::Unparseable, why.into())
}

/// Over the limit: only the header block is looked at, for a key, a From
/// and a Subject (the same plan as [`plan_oversized`] on its header).
fn too_large(raw: &[u8], settings: &Settings, arrived_at: DateTime<Utc>) -> IngestPlan {
    let head_end = find_header_end(raw).unwrap_or(raw.len().min(64 * 1024));
    oversized(
        &raw[..head_end],
        raw,
        raw.len() as u64,
        settings,
        arrived_at,
    )
}

/// The plan of a message over `security.max_message_bytes` of which only
/// the header block was fetched (the daemon reads sizes before bodies and
/// never downloads such a message): quarantined as `too_large`, with its
/// Message-ID (else a hash of the header block), From and Subject.
pub fn plan_oversized(
    header: &[u8],
    size: u64,
    settings: &Settings,
    arrived_at: DateTime<Utc>,
) -> IngestPlan {
    let head = &header[..header.len().min(256 * 1024)];
    oversized(head, header, size, settings, arrived_at)
}

fn oversized(
    head: &[u8],
    hashed: &[u8],
    size: u64,
    settings: &Settings,
    arrived_at: DateTime<Utc>,
) -> IngestPlan {
    let parsed = MessageParser::default().parse_headers(head);
    let head = read_head(parsed.as_ref(), hashed);
    let detail = format!(
        "{size} bytes is over security.max_message_bytes = {}",
        settings.security.max_message_bytes
    );
    let mut plan = bare_quarantine(head, arrived_at, QuarantineReason::TooLarge, detail);
    plan.subject = parsed
        .as_ref()
        .and_then(|m| m.subject())
        .map(parse::one_line)
        .unwrap_or_default();
    plan
}

/// A header block over its bounds: quarantined as `too_large` unparsed; the
/// key and From are read from the fields before the breach (at most 64 KiB).
fn header_breach(
    raw: &[u8],
    breach: header_bounds::HeaderBreach,
    arrived_at: DateTime<Utc>,
) -> IngestPlan {
    let head = &raw[..breach.offset.min(64 * 1024)];
    let head = read_head(MessageParser::default().parse_headers(head).as_ref(), raw);
    bare_quarantine(head, arrived_at, QuarantineReason::TooLarge, breach.detail)
}

/// What a header block alone says of a message: its key and its sender.
struct Head {
    /// The Message-ID key, else the byte hash of the message.
    key: MessageKey,
    /// The From as written.
    from: Option<String>,
    /// The From's address, when it holds a usable one.
    sender: Option<EmailAddress>,
}

/// The [`Head`] of a parsed header block; the key hashes `raw` when the
/// block has no Message-ID.
fn read_head(parsed: Option<&mail_parser::Message<'_>>, raw: &[u8]) -> Head {
    let key = parsed
        .and_then(|m| m.message_id().and_then(MessageKey::from_header))
        .unwrap_or_else(|| MessageKey::from_bytes(raw));
    let from = parsed
        .and_then(|m| m.header_raw("From"))
        .map(|f| parse::one_line(f.trim()));
    let sender = parsed
        .and_then(|m| m.from())
        .and_then(parse::first_person)
        .map(|person| person.email);
    Head { key, from, sender }
}

fn find_header_end(raw: &[u8]) -> Option<usize> {
    let window = &raw[..raw.len().min(256 * 1024)];
    window
        .windows(2)
        .position(|w| w == b"\n\n")
        .or_else(|| window.windows(4).position(|w| w == b"\r\n\r\n"))
        .map(|i| i + 2)
}

fn bare_quarantine(
    head: Head,
    arrived_at: DateTime<Utc>,
    reason: QuarantineReason,
    detail: String,
) -> IngestPlan {
    IngestPlan {
        key: head.key,
        from: head.from,
        sender: head.sender,
        subject: String::new(),
        occurred_at: arrived_at,
        rule: reason.as_str(),
        reason: detail.clone(),
        action: Action::Quarantine(QuarantineDraft {
            reason,
            detail,
            user: None,
        }),
        attachments: Vec::new(),
        fingerprint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "From: Jane Doe <jane@globex.example>\r\nTo: crm@acme.test\r\n\
        Subject: =?UTF-8?Q?Tender_documents_=E2=80=93_Porto?=\r\n\
        Message-ID: <huge-1@globex.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n";

    #[test]
    fn a_message_over_the_limit_is_quarantined_from_its_header_with_subject_and_sender() {
        let settings = crate::config::tests::sample_settings();
        let at = "2026-11-23T10:00:00Z".parse().unwrap();
        let plan = plan_oversized(HEADER.as_bytes(), 30_000_000, &settings, at);
        assert_eq!(plan.rule, "too_large");
        assert_eq!(plan.key.as_str(), "huge-1@globex.example");
        assert_eq!(plan.from.as_deref(), Some("Jane Doe <jane@globex.example>"));
        assert_eq!(plan.sender, EmailAddress::parse("jane@globex.example").ok());
        assert_eq!(plan.subject, "Tender documents – Porto");
        assert!(
            plan.reason
                .starts_with("30000000 bytes is over security.max_message_bytes"),
            "{}",
            plan.reason
        );
        assert!(matches!(
            plan.action,
            Action::Quarantine(QuarantineDraft {
                reason: QuarantineReason::TooLarge,
                ..
            })
        ));
    }

    #[test]
    fn the_whole_message_over_the_limit_gets_the_same_plan_as_its_header() {
        let mut settings = crate::config::tests::sample_settings();
        settings.security.max_message_bytes = 4096;
        let at = "2026-11-23T10:00:00Z".parse().unwrap();
        let raw = format!("{HEADER}{}", "body line\r\n".repeat(1000));
        let whole = plan_message(raw.as_bytes(), &settings, at);
        let header = plan_oversized(HEADER.as_bytes(), raw.len() as u64, &settings, at);
        assert_eq!(
            serde_json::to_value(&whole).unwrap(),
            serde_json::to_value(&header).unwrap()
        );
    }

    #[test]
    fn the_plan_carries_the_from_as_written_and_its_address_parsed_once() {
        let settings = crate::config::tests::sample_settings();
        let at = "2026-11-23T10:00:00Z".parse().unwrap();
        let raw = "From: bruno@acme.test (Bruno Costa)\r\nTo: crm@acme.test\r\n\
            Subject: hi\r\nMessage-ID: <c-1@acme.test>\r\n\r\nhello\r\n";
        let plan = plan_message(raw.as_bytes(), &settings, at);
        assert_eq!(plan.from.as_deref(), Some("bruno@acme.test (Bruno Costa)"));
        assert_eq!(plan.sender, EmailAddress::parse("bruno@acme.test").ok());
        let garbage = plan_message(b"\xff\x00", &settings, at);
        assert_eq!((garbage.from, garbage.sender), (None, None));
    }
}
