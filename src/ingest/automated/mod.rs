//! Classifies automated mail (bounces, reports, auto-replies, list and no-reply mail, our own
//! digests) so that none of it creates a lead or gets an answer (DESIGN §2 step 3).
//!
//! Pure: a function of the parsed message. Work is bounded: at most [`MAX_SCAN_BYTES`] of text
//! are scanned and at most [`MAX_RECIPIENTS`] bounced recipients are reported.
//!
//! # Layout
//!
//! - `view`: the read-only `MailView` of a message every rule reads, and text helpers.
//! - `headers`: header and sender signals (own mail, auto-replies, list and no-reply mail).
//! - `report`: RFC 3462 / 3464 reports and Amazon SES notifications.
//! - `text_bounce`: bounces without a machine-readable report.
//! - `recipients`: failed recipients found in the text of a bounce.
//! - `evidence`: what a bounce's own explanation says about one recipient.
//! - `severity`: status codes, permanent or temporary, hard or soft.
//! - `originals`: the Message-IDs of the message a bounce returns.

use std::borrow::Cow;

use mail_parser::Message;

/// Most bytes of message text scanned for bounce details.
pub const MAX_SCAN_BYTES: usize = 256 * 1024;
/// Most bounced recipients reported for one message.
pub const MAX_RECIPIENTS: usize = 100;
/// Longest diagnostic kept per bounced recipient, in characters.
const MAX_DIAGNOSTIC_CHARS: usize = 300;
/// Most lines of text examined when looking for failed recipients.
const MAX_LINES: usize = 4_000;
/// Most bytes of a bounce's own explanation used to judge hard / soft.
const MAX_SUMMARY_BYTES: usize = 4_000;

/// A regex compiled once from a constant pattern (every pattern is exercised by the tests).
macro_rules! static_regex {
    ($pattern:expr) => {{
        static REGEX: ::std::sync::OnceLock<::regex::Regex> = ::std::sync::OnceLock::new();
        REGEX.get_or_init(|| ::regex::Regex::new($pattern).expect("constant pattern compiles"))
    }};
}

mod evidence;
mod headers;
mod originals;
mod recipients;
mod report;
mod severity;
mod text_bounce;
mod view;

#[cfg(test)]
mod tests;

pub(crate) use headers::is_no_reply_local_part;
use headers::{auto_reply, list_mail, no_reply, own_mail, unsubscribe_request};
pub use originals::original_message_ids;
use report::{report, ses_notification};
use text_bounce::{delivery_notice, plain_bounce};
use view::MailView;

/// What kind of sender produced a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomatedKind {
    /// A person wrote it: the only kind that may create or update a lead from its content.
    Human,
    /// An out-of-office or other automatic answer (RFC 3834).
    AutoReply,
    /// A delivery failure (or delay) notice; `bounced` names the failed recipients.
    Bounce,
    /// An abuse / opt-out / authentication-failure feedback report (ARF, RFC 5965).
    FeedbackReport,
    /// A success DSN or an MDN read receipt.
    DeliveryReport,
    /// Newsletters, mailing-list and bulk mail.
    List,
    /// Mailer-daemon / no-reply senders and other auto-generated mail not otherwise classified.
    NoReply,
    /// Our own digests and confirmations (header `X-Leadmail` present).
    OwnMail,
}

/// One failed recipient of a bounce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BouncedRecipient {
    /// The failed address, lowercase.
    pub address: String,
    /// The RFC 3463 enhanced status code, e.g. "5.1.1", when the bounce gives one.
    pub status: Option<String>,
    /// The failure is final (5.x.x status or 5xx reply): the mail will not be retried.
    pub permanent: bool,
    /// The address itself is dead (unknown user or domain, moved, accepts no mail): stop
    /// mailing it. Permanent refusals for other reasons (policy, spam, sender, content, full
    /// mailbox) and temporary failures are soft.
    pub hard: bool,
    /// The server's explanation (Diagnostic-Code or the bounce text near the address).
    pub diagnostic: Option<String>,
}

/// The verdict plus the signal that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomatedVerdict {
    /// What kind of sender produced the message.
    pub kind: AutomatedKind,
    /// Human-readable reason, e.g. "header Auto-Submitted: auto-replied".
    pub signal: String,
    /// Failed recipients; empty unless `kind` is [`AutomatedKind::Bounce`].
    pub bounced: Vec<BouncedRecipient>,
}

impl AutomatedVerdict {
    fn new(kind: AutomatedKind, signal: impl Into<String>) -> Self {
        AutomatedVerdict {
            kind,
            signal: signal.into(),
            bounced: Vec::new(),
        }
    }

    fn bounce(signal: impl Into<String>, bounced: Vec<BouncedRecipient>) -> Self {
        AutomatedVerdict {
            bounced,
            ..AutomatedVerdict::new(AutomatedKind::Bounce, signal)
        }
    }
}

/// Turns every lone CR (old Mac line endings) into CRLF so the parser sees line breaks;
/// borrows the input when there is nothing to change.
pub fn normalise_line_endings(raw: &[u8]) -> Cow<'_, [u8]> {
    let is_lone_cr = |index: usize| raw[index] == b'\r' && raw.get(index + 1) != Some(&b'\n');
    // memchr jumps from CR to CR: most mail has none alone, and is scanned at memory speed.
    if !memchr::memchr_iter(b'\r', raw).any(is_lone_cr) {
        return Cow::Borrowed(raw);
    }
    let mut normalised = Vec::with_capacity(raw.len() + raw.len() / 16);
    for (index, &byte) in raw.iter().enumerate() {
        normalised.push(byte);
        if is_lone_cr(index) {
            normalised.push(b'\n');
        }
    }
    Cow::Owned(normalised)
}

/// Classifies a parsed message. `sender_is_user`: List-Id / List-Unsubscribe / Precedence on
/// mail from one of our own reps do NOT make it list mail (reps send through tools that add
/// those headers).
pub fn classify(message: &Message<'_>, sender_is_user: bool) -> AutomatedVerdict {
    if message.parts.is_empty() {
        // mail-parser's accessors index the root part; a hand-built empty message has none.
        return AutomatedVerdict::new(AutomatedKind::Human, "empty message");
    }
    let view = MailView::new(message);
    own_mail(&view)
        .or_else(|| report(&view))
        .or_else(|| ses_notification(&view))
        .or_else(|| delivery_notice(&view))
        .or_else(|| plain_bounce(&view))
        .or_else(|| unsubscribe_request(&view))
        .or_else(|| auto_reply(&view))
        .or_else(|| list_mail(&view, sender_is_user))
        .or_else(|| no_reply(&view))
        .unwrap_or_else(|| AutomatedVerdict::new(AutomatedKind::Human, "no automated-mail signal"))
}
