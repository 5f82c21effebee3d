//! Forwarded-mail unwrapping: finds the original message (sender, date,
//! subject, recipients, body) inside the plain-text body of a forward, for
//! the common clients in about two dozen languages. Pure: text in, `Forward` out.
//!
//! # How a forward is recognised
//!
//! The body is scanned top to bottom for the first *acceptable* candidate:
//!
//! - **Marked header block**: a forward marker ("---------- Forwarded
//!   message ---------", "Begin forwarded message:", "-------- Weitergeleitete
//!   Nachricht --------", any title framed by dashes or "=", a short line ending in ":"
//!   that names forwarding) above a header block (From + Date/Subject/To/Cc
//!   lines, labels in any listed language, `*From:*` bold, one-line Yahoo
//!   blocks, Lotus Notes' memo head) or a quote line without its verb (Yandex). Always
//!   accepted. A forward title repeated right below the block (Zoho) or closing the
//!   forward (Yandex) is not part of the body; text below a closing title is the
//!   forwarder's.
//! - **Separated header block**: an Outlook rule ("______") or an
//!   "Original Message" title above a header block; or a **bare** header
//!   block (new Outlook). Outlook uses the same layout for replies, so these
//!   are rejected when the outer subject starts with a reply prefix
//!   ("Re: …"), and inside a forward they are only followed when the
//!   enclosing message's subject is itself a forward.
//! - **Quote line**: "On <date>, <name> <addr> wrote:" in any listed
//!   language (Outlook for Mac forwards this way). Replies look identical, so
//!   it is accepted only when the outer subject starts with a forward prefix.
//!
//! A header block whose labels are not all listed is read by its shape (`shaped`): three or
//! more "Label: value" lines, the first naming the sender with an address, one holding a
//! time. Such a block counts only below a forward title or under a forward subject.
//!
//! Quoting ("> ") of the forwarded part, CRLF line ends, byte-order marks and
//! the blank lines of HTML-to-text conversion are tolerated.
//!
//! # Layout
//!
//! - this file: the public types and functions, nesting, and the body's lines and quoting.
//! - `labels`: header labels in every listed language.
//! - `glued`: one-line (Yahoo) header blocks split into lines.
//! - `addresses`: names and addresses as forwarding clients print them.
//! - `candidates`: possible forwarded blocks, which one is accepted, and the result.
//! - `header_block`: runs of header lines.
//! - `markers`: what stands above a header block.
//! - `shaped`: header blocks read by their shape when some labels are in no listed language.
//! - `wrote`: "On … wrote:" lines.

use super::subject::{self, PrefixKind};
use std::borrow::Cow;

mod addresses;
mod candidates;
mod glued;
mod header_block;
pub(in crate::ingest) mod labels;
mod markers;
mod shaped;
mod wrote;

#[cfg(test)]
mod tests;

use candidates::{assemble, first_acceptable, SubjectHint};
use glued::split_glued_line;

/// One address as shown in a forwarded header block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardedAddress {
    /// The display name without quotes; `None` when absent or equal to the address.
    pub name: Option<String>,
    /// The address as printed; empty when the client showed only a name.
    pub address: String,
}

/// The original message found inside a forward.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// The original sender.
    pub from: ForwardedAddress,
    /// The date text as the client printed it (localised, not parsed).
    pub date: Option<String>,
    /// The original subject: from the header block, else the outer subject without prefixes.
    pub subject: Option<String>,
    /// The original To recipients.
    pub to: Vec<ForwardedAddress>,
    /// The original Cc recipients.
    pub cc: Vec<ForwardedAddress>,
    /// The original's Reply-To, when its header block shows one.
    pub reply_to: Option<ForwardedAddress>,
    /// Everything below the forwarded header block, unquoted and trimmed.
    pub body: String,
    /// The forwarder's own text above the forward; `None` when blank.
    pub note: Option<String>,
    /// How sure the match is, 0..1 (marker strength and subject agreement).
    pub confidence: f32,
    /// A forward found again inside `body` (multi-level forwards).
    pub nested: Option<Box<Forward>>,
}

impl Forward {
    /// The deepest forwarded message: the first author of a forwarded chain.
    pub fn innermost(&self) -> &Forward {
        let mut current = self;
        while let Some(next) = current.nested.as_deref() {
            current = next;
        }
        current
    }
}

/// Finds a forwarded message in a plain-text body. `subject` is the outer
/// subject (Outlook desktop/web put the original subject only there, e.g.
/// "WG: …"). The outermost forwarded header block is the result; forwards
/// inside its body are in `nested`. The rule (details in the module docs):
/// an explicit forward marker always counts; an Outlook-style header block
/// counts unless the subject starts with a reply prefix; an "On … wrote:"
/// line counts only when the subject starts with a forward prefix.
pub fn unwrap_forward(subject: &str, body: &str) -> Option<Forward> {
    unwrap_level(subject, body, 0)
}

/// True when the subject's outermost prefix (after list tags) is a forward
/// prefix in any common language: Fwd, Fw, TR, WG, RV, ENC, Doorst., VS, VB,
/// VL, PD, I, İLT, Redir., Videresend, 转发 … ("Re: Fwd: x" is a reply).
pub fn has_forward_prefix(subject: &str) -> bool {
    subject::outer_prefix(subject) == Some(PrefixKind::Forward)
}

/// How deep forwards inside forwards are followed.
const MAX_NESTING: usize = 8;
/// The longest header block looked at, in lines.
const MAX_BLOCK_LINES: usize = 40;

fn unwrap_level(subject: &str, body: &str, level: usize) -> Option<Forward> {
    let normalised = normalise(body);
    let lines = logical_lines(&normalised);
    let hint = SubjectHint::of(subject);
    let (found, confidence) = first_acceptable(&lines, hint, level > 0)?;
    let mut forward = assemble(&lines, found, confidence, subject);
    if level < MAX_NESTING {
        let inner_subject = forward.subject.clone().unwrap_or_default();
        forward.nested = unwrap_level(&inner_subject, &forward.body, level + 1).map(Box::new);
    }
    Some(forward)
}

/// Line ends unified to `\n`; byte-order marks and zero-width marks removed
/// (borrowed when there is nothing to remove).
fn normalise(text: &str) -> Cow<'_, str> {
    // CR, U+FEFF (EF BB BF) and U+200B..U+200F (E2 80 8B..8F) all need one of these bytes:
    // without any, the text is already normal and the three copying passes are skipped.
    if memchr::memchr3(b'\r', 0xEF, 0xE2, text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let normal: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{200e}' | '\u{200f}'
            )
        })
        .collect();
    Cow::Owned(normal)
}

/// One line of the body (borrowed unless a glued header line was split),
/// with its "> " quoting measured.
struct Line<'a> {
    raw: Cow<'a, str>,
    depth: usize,
    content_start: usize,
}

impl<'a> Line<'a> {
    fn new(raw: Cow<'a, str>) -> Self {
        let (depth, rest) = unquote(&raw, usize::MAX);
        let content_start = if depth == 0 {
            0
        } else {
            raw.len() - rest.len()
        };
        Line {
            raw,
            depth,
            content_start,
        }
    }

    /// The text after the quote markers (indentation kept when unquoted).
    fn content(&self) -> &str {
        self.raw.get(self.content_start..).unwrap_or_default()
    }

    fn is_blank(&self) -> bool {
        self.content().trim().is_empty()
    }
}

/// Removes up to `levels` quote markers ("> " or ">"); returns how many went.
fn unquote(raw: &str, levels: usize) -> (usize, &str) {
    let mut rest = raw;
    let mut removed = 0;
    while removed < levels {
        let Some(after) = rest.trim_start_matches([' ', '\t']).strip_prefix('>') else {
            break;
        };
        rest = after.strip_prefix(' ').unwrap_or(after);
        removed += 1;
    }
    (removed, rest)
}

/// The body's lines, with one-line Yahoo header blocks split into lines;
/// the others borrowed from `text`, not copied.
fn logical_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    for raw in text.split('\n') {
        match split_glued_line(raw) {
            Some(pieces) => lines.extend(pieces.into_iter().map(|p| Line::new(Cow::Owned(p)))),
            None => lines.push(Line::new(Cow::Borrowed(raw))),
        }
    }
    lines
}
