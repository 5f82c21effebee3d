//! From a `mail_parser::Message` to the owned, normalised facts the pipeline uses (`html`:
//! HTML-only bodies as text, with quoted history marked `> `).

use crate::domain::address::is_address_text;
use crate::domain::{EmailAddress, MessageKey};
use chrono::{DateTime, Utc};
use mail_parser::{Address, HeaderValue, Message, MimeHeaders};

mod html;

pub use html::html_to_text;

/// A person in an address header, with a usable address.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// The address.
    pub email: EmailAddress,
    /// The display name, if any (trimmed, never empty).
    pub name: Option<String>,
}

/// The facts of one message the pipeline decides on.
#[derive(Debug, Clone)]
pub struct ParsedMail {
    /// Normalised Message-ID or byte hash.
    pub key: MessageKey,
    /// The From, when it holds a usable address.
    pub from: Option<Person>,
    /// The From header as written (for listings).
    pub from_raw: Option<String>,
    /// How many authors the message names: From fields, or mailboxes in
    /// its one From (more than one makes the sender ambiguous).
    pub from_count: usize,
    /// Reply-To addresses.
    pub reply_to: Vec<Person>,
    /// To addresses.
    pub to: Vec<Person>,
    /// Cc addresses.
    pub cc: Vec<Person>,
    /// Delivered-To, X-Original-To and Envelope-To addresses.
    pub delivered_to: Vec<EmailAddress>,
    /// The subject ("" when missing).
    pub subject: String,
    /// The Date header, when it parses.
    pub date: Option<DateTime<Utc>>,
    /// In-Reply-To then References (newest first).
    pub references: Vec<MessageKey>,
    /// The text body (HTML-only bodies converted to text), at most the
    /// text window's bytes of it ([`facts`]).
    pub text: String,
    /// The raw values of every Authentication-Results header, topmost first.
    pub auth_results: Vec<String>,
    /// Authentication results leadmail worked out itself (see
    /// [`crate::ingest::plan_message_verified`]); never read from the message.
    pub verified_here: Option<String>,
    /// The first attached `message/rfc822`, if any (a forward as attachment).
    pub attached: Option<Box<ParsedMail>>,
}

/// Reads the facts of a parsed message; `raw` is used for the hash key.
///
/// Only the first `max_text` bytes of the body text are read (cut at a line
/// end), so every text step after this one (quotes, signatures, forwards,
/// forms, commands) costs at most a bounded amount on any message, however
/// large: what a person wrote and what a forward wraps are at the top, and
/// a timeline body keeps less than that anyway (`security.max_body_bytes`).
pub fn facts(message: &Message<'_>, raw: &[u8], max_text: usize) -> ParsedMail {
    facts_at_depth(message, raw, max_text, 0)
}

/// The text window for these body limits: 1 MiB, or four timeline bodies
/// when `max_body_bytes` is larger than 256 KiB.
pub fn text_window(max_body_bytes: usize) -> usize {
    (1024 * 1024).max(max_body_bytes.saturating_mul(4))
}

const MAX_ATTACHED_DEPTH: usize = 3;

fn facts_at_depth(message: &Message<'_>, raw: &[u8], max_text: usize, depth: usize) -> ParsedMail {
    let key = message
        .message_id()
        .and_then(MessageKey::from_header)
        .unwrap_or_else(|| MessageKey::from_bytes(raw));
    ParsedMail {
        key,
        from: message.from().and_then(first_person),
        from_raw: message.header_raw("From").map(|v| one_line(v.trim())),
        from_count: from_count(message),
        reply_to: people(message.reply_to()),
        to: message.all_to().flat_map(|a| people(Some(a))).collect(),
        cc: message.all_cc().flat_map(|a| people(Some(a))).collect(),
        delivered_to: delivered_to(message),
        subject: message.subject().map(one_line).unwrap_or_default(),
        date: message.date().and_then(to_utc),
        references: references(message),
        text: body_text(message, max_text),
        auth_results: header_texts(message, "Authentication-Results"),
        verified_here: None,
        attached: (depth < MAX_ATTACHED_DEPTH)
            .then(|| attached_message(message, max_text, depth))
            .flatten(),
    }
}

impl ParsedMail {
    /// SHA-256 (hex) of what the message says: From, To, Cc, Subject, Date
    /// and text, so two copies of one message (CRLF or LF, other trace
    /// headers) agree and a different message under the same Message-ID
    /// does not.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        let people = |list: &[Person]| {
            let all: Vec<&str> = list.iter().map(|p| p.email.as_str()).collect();
            all.join(",")
        };
        let date = self.date.map(|d| d.to_rfc3339()).unwrap_or_default();
        let from = self
            .from
            .as_ref()
            .map(|p| p.email.as_str())
            .unwrap_or_default();
        for part in [
            from,
            &people(&self.to),
            &people(&self.cc),
            &self.subject,
            &date,
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher.update(self.text.trim_end().as_bytes());
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Collapses folded or control characters so a header fits on one log line.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The number of From fields, or of mailboxes in the From, whichever is more.
fn from_count(message: &Message<'_>) -> usize {
    let fields = message
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case("from"))
        .count();
    let mailboxes = message.from().map_or(0, |a| a.iter().count());
    fields.max(mailboxes)
}

fn person(name: Option<&str>, address: Option<&str>) -> Option<Person> {
    let email = EmailAddress::parse(address?).ok()?;
    let name = name
        .map(|n| one_line(n.trim().trim_matches(['"', '\''])))
        .filter(|n| !n.is_empty() && !is_address_text(n));
    Some(Person { email, name })
}

/// The first person of an address header with a usable address.
pub(crate) fn first_person(address: &Address<'_>) -> Option<Person> {
    address
        .iter()
        .find_map(|a| person(a.name.as_deref(), a.address.as_deref()))
}

fn people(address: Option<&Address<'_>>) -> Vec<Person> {
    address.map_or_else(Vec::new, |a| {
        a.iter()
            .filter_map(|a| person(a.name.as_deref(), a.address.as_deref()))
            .collect()
    })
}

fn header_texts(message: &Message<'_>, name: &str) -> Vec<String> {
    message
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case(name))
        .filter_map(|h| raw_header_value(message, h))
        .collect()
}

/// The raw (unfolded) value of a header, so structured parsing cannot lose parts of it.
fn raw_header_value(message: &Message<'_>, header: &mail_parser::Header<'_>) -> Option<String> {
    let raw = message.raw_message();
    let start = usize::try_from(header.offset_start()).ok()?;
    let end = usize::try_from(header.offset_end()).ok()?;
    let bytes = raw.get(start..end)?;
    Some(one_line(String::from_utf8_lossy(bytes).trim()))
}

fn delivered_to(message: &Message<'_>) -> Vec<EmailAddress> {
    [
        "Delivered-To",
        "X-Original-To",
        "Envelope-To",
        "X-Envelope-To",
    ]
    .iter()
    .flat_map(|name| header_texts(message, name))
    .flat_map(|value| {
        value
            .split([',', ' '])
            .filter_map(|part| EmailAddress::parse(part).ok())
            .collect::<Vec<_>>()
    })
    .collect()
}

/// A mail-parser date as UTC, when valid.
pub fn to_utc(date: &mail_parser::DateTime) -> Option<DateTime<Utc>> {
    if !date.is_valid() {
        return None;
    }
    DateTime::from_timestamp(date.to_timestamp(), 0)
}

fn id_list(value: &HeaderValue<'_>) -> Vec<MessageKey> {
    match value {
        HeaderValue::Text(text) => MessageKey::from_header(text).into_iter().collect(),
        HeaderValue::TextList(list) => list
            .iter()
            .filter_map(|t| MessageKey::from_header(t))
            .collect(),
        _ => Vec::new(),
    }
}

fn references(message: &Message<'_>) -> Vec<MessageKey> {
    let mut keys = id_list(message.in_reply_to());
    let mut refs = id_list(message.references());
    refs.reverse();
    for key in refs {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.truncate(50);
    keys
}

/// The body text, at most `max_bytes` of it (an HTML-only body: what the
/// first `4 × max_bytes` of its HTML say). Only the window is copied.
fn body_text(message: &Message<'_>, max_bytes: usize) -> String {
    let html_only = message.text_part(0).filter(|part| part.is_text_html());
    let text = match html_only.and_then(|part| part.text_contents()) {
        Some(html) => {
            let text = html_to_text(window(html, max_bytes.saturating_mul(4)));
            window(&text, max_bytes).to_string()
        }
        None => message
            .body_text(0)
            .map(|t| window(&t, max_bytes).to_string())
            .unwrap_or_default(),
    };
    // Most bodies have no CR left: skip the two copying passes then.
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The first `max_bytes` of `text`, cut after its last whole line (at a
/// character boundary when there is no line end), or all of it when shorter.
fn window(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match memchr::memrchr(b'\n', &text.as_bytes()[..end]) {
        Some(newline) => &text[..=newline],
        None => &text[..end],
    }
}

fn attached_message(
    message: &Message<'_>,
    max_text: usize,
    depth: usize,
) -> Option<Box<ParsedMail>> {
    message.attachments().find_map(|part| {
        let inner = part.message()?;
        let is_rfc822 = part
            .content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("message"));
        is_rfc822.then(|| {
            Box::new(facts_at_depth(
                inner,
                inner.raw_message(),
                max_text,
                depth + 1,
            ))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint_of(raw: &str) -> String {
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        facts(&message, raw.as_bytes(), text_window(64 * 1024)).fingerprint()
    }

    #[test]
    fn copies_of_a_message_share_a_fingerprint_and_other_content_does_not() {
        let lf = "Received: by mx.acme.test\nFrom: Jane <jane@globex.test>\nTo: crm@acme.test\nSubject: Quote\nMessage-ID: <q1@globex.test>\nDate: Fri, 20 Nov 2026 10:00:00 +0000\n\nPlease send a quote.\n";
        let crlf = lf.replace('\n', "\r\n").replacen(
            "Received: by mx.acme.test",
            "Delivered-To: crm+3d@acme.test",
            1,
        );
        assert_eq!(fingerprint_of(lf), fingerprint_of(&crlf));
        let forged = lf.replace("Please send a quote.", "Cancel everything.");
        assert_ne!(fingerprint_of(lf), fingerprint_of(&forged));
        let other_sender = lf.replace("jane@globex.test", "mallory@evil.test");
        assert_ne!(fingerprint_of(lf), fingerprint_of(&other_sender));
    }

    #[test]
    fn the_text_window_ends_after_a_whole_line_or_at_a_character_boundary() {
        assert_eq!(window("short", 10), "short");
        assert_eq!(window("one\ntwo\nthree\n", 10), "one\ntwo\n");
        assert_eq!(window("ééééé", 5), "éé");
    }

    #[test]
    fn only_the_text_window_of_a_large_body_is_read() {
        let raw = format!(
            "From: a@x.test\r\nSubject: s\r\n\r\nfirst line\r\n{}",
            "filler line\r\n".repeat(200_000)
        );
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        let mail = facts(&message, raw.as_bytes(), 1024 * 1024);
        assert!(mail.text.starts_with("first line\nfiller line\n"));
        assert!(mail.text.len() <= 1024 * 1024, "{}", mail.text.len());
        // 1 MiB of CRLF lines, their CRs then removed: 12 bytes kept of 13.
        assert!(
            mail.text.len() > 1024 * 1024 * 12 / 13 - 20,
            "{}",
            mail.text.len()
        );
        assert!(mail.text.ends_with("filler line\n"));
    }
}
