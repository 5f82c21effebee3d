//! A read-only view of a message with the few facts every rule needs, and the text helpers
//! the rules share.

use std::borrow::Cow;
use std::cell::OnceCell;

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::MAX_SCAN_BYTES;

/// A read-only view of the message with the few facts every rule needs.
pub(super) struct MailView<'m, 'x> {
    pub(super) message: &'m Message<'x>,
    pub(super) subject: String,
    pub(super) from: String,
    from_name: String,
    text: OnceCell<String>,
}

impl<'m, 'x> MailView<'m, 'x> {
    pub(super) fn new(message: &'m Message<'x>) -> Self {
        let from = message.from().and_then(|address| address.first());
        MailView {
            message,
            subject: message.subject().unwrap_or_default().trim().to_string(),
            from: lowercase(from.and_then(|addr| addr.address())),
            from_name: lowercase(from.and_then(|addr| addr.name())),
            text: OnceCell::new(),
        }
    }

    /// The first header of that name, unfolded, whatever the parser made of it.
    pub(super) fn header(&self, name: &str) -> Option<String> {
        let header = self
            .message
            .headers()
            .iter()
            .find(|header| header.name().eq_ignore_ascii_case(name))?;
        let range = header.offset_start as usize..header.offset_end as usize;
        let raw = self.message.raw_message.get(range).unwrap_or_default();
        Some(collapse_whitespace(&String::from_utf8_lossy(raw)))
    }

    /// Like `header(name).is_some()`, without decoding and collapsing the value.
    pub(super) fn has_header(&self, name: &str) -> bool {
        self.message
            .headers()
            .iter()
            .any(|header| header.name().eq_ignore_ascii_case(name))
    }

    pub(super) fn text(&self) -> &str {
        self.text.get_or_init(|| readable_text(self.message))
    }

    pub(super) fn sender_local_part(&self) -> &str {
        self.from.split('@').next().unwrap_or_default()
    }

    pub(super) fn null_return_path(&self) -> bool {
        self.header("Return-Path")
            .is_some_and(|path| path.trim_matches(['<', '>', ' ']).is_empty())
    }

    /// MAILER-DAEMON or "Mail Delivery System": such senders only send delivery notices.
    pub(super) fn sender_is_mailer_daemon(&self) -> bool {
        static_regex!(r"^(mailer[-_.]?daemon|mail[-_.]?delivery[-_.]?system)$")
            .is_match(self.sender_local_part())
            || static_regex!(r"mail delivery (sub)?system|mailer[-_ ]daemon")
                .is_match(&self.from_name)
    }

    pub(super) fn sender_is_postmaster(&self) -> bool {
        static_regex!(r"^post[-_.]?master$").is_match(self.sender_local_part())
            || self.from_name.contains("postmaster")
    }

    /// Addresses of the bounce itself (its From and To), rarely a failed recipient.
    pub(super) fn own_addresses(&self) -> Vec<String> {
        let from = self.message.from().into_iter().flat_map(|list| list.iter());
        let to = self.message.to().into_iter().flat_map(|list| list.iter());
        from.chain(to)
            .filter_map(|addr| addr.address())
            .map(str::to_lowercase)
            .collect()
    }
}

fn lowercase(value: Option<&str>) -> String {
    value.unwrap_or_default().trim().to_lowercase()
}

pub(super) fn collapse_whitespace(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message's own readable text (text parts, reports, original headers; not the text of
/// attached messages), capped at [`MAX_SCAN_BYTES`]. The HTML alternative of a text body is
/// skipped: it says the same, and converting HTML is the dearest step of the scan.
fn readable_text(message: &Message<'_>) -> String {
    let mut text = String::new();
    for (index, part) in (0_u32..).zip(&message.parts) {
        if text.len() >= MAX_SCAN_BYTES {
            break;
        }
        if is_html_alternative(message, index) {
            continue;
        }
        if let Some(piece) = part_text(part) {
            text.push_str(&piece);
            text.push('\n');
        }
    }
    let end = prefix(&text, MAX_SCAN_BYTES).len();
    text.truncate(end);
    text
}

/// An HTML body part next to a text one (multipart/alternative): mail-parser lists it
/// among the HTML bodies but not among the text bodies.
fn is_html_alternative(message: &Message<'_>, index: u32) -> bool {
    message.html_body.contains(&index)
        && !message.text_body.contains(&index)
        && matches!(
            message.parts.get(index as usize).map(|p| &p.body),
            Some(PartType::Html(_))
        )
}

pub(super) fn part_text<'p>(part: &'p MessagePart<'_>) -> Option<Cow<'p, str>> {
    match &part.body {
        PartType::Text(text) => Some(Cow::Borrowed(text.as_ref())),
        PartType::Html(html) => Some(Cow::Owned(html_to_text(prefix(html, MAX_SCAN_BYTES)))),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) if is_textual(part) => {
            let bytes = &bytes[..bytes.len().min(MAX_SCAN_BYTES)];
            Some(String::from_utf8_lossy(bytes))
        }
        _ => None,
    }
}

/// Text, reports, and multiparts so broken (no boundary) that they were kept as one blob.
fn is_textual(part: &MessagePart<'_>) -> bool {
    part.content_type().is_none_or(|content_type| {
        let main = content_type.ctype();
        ["message", "text", "multipart"]
            .iter()
            .any(|textual| main.eq_ignore_ascii_case(textual))
    })
}

/// The longest prefix of `text` of at most `max_bytes` that ends on a character boundary.
pub(super) fn prefix(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

pub(super) fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}
