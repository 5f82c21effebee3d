//! Possible forwarded blocks: what introduced each, whether it is accepted under the outer
//! subject, and the `Forward` assembled from the accepted one.

use crate::ingest::subject::{self, PrefixKind};

use super::header_block::{header_block_at, memo_block_at};
use super::markers::{is_forward_title, marker_above};
use super::shaped::{shaped_block_at, Shapes};
use super::wrote::wrote_line_at;
use super::{unquote, Forward, ForwardedAddress, Line};

/// What introduced the forwarded block, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    /// A forward title ("Forwarded message", "Begin forwarded message:").
    Forward,
    /// An Outlook rule or an "Original Message" title (replies use them too).
    Separator,
    /// A header block with nothing above it.
    Bare,
    /// An "On … wrote:" line.
    Wrote,
}

/// What the outer subject says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SubjectHint {
    Forward,
    Reply,
    Plain,
    Empty,
}

impl SubjectHint {
    pub(super) fn of(subject: &str) -> Self {
        match subject::outer_prefix(subject) {
            Some(PrefixKind::Forward) => SubjectHint::Forward,
            Some(PrefixKind::Reply) => SubjectHint::Reply,
            None if subject.trim().is_empty() => SubjectHint::Empty,
            None => SubjectHint::Plain,
        }
    }
}

/// The original header fields as read from the block or quote line.
#[derive(Default)]
pub(super) struct Header {
    pub(super) from: Option<ForwardedAddress>,
    pub(super) date: Option<String>,
    pub(super) subject: Option<String>,
    pub(super) to: Vec<ForwardedAddress>,
    pub(super) cc: Vec<ForwardedAddress>,
    /// The Reply-To address, when the block has one.
    pub(super) reply_to: Option<ForwardedAddress>,
    /// Read by its shape: some labels are in no listed language (`shaped`).
    pub(super) shaped: bool,
}

/// A possible forwarded block.
pub(super) struct Candidate {
    marker: Marker,
    /// First line of the forward (the marker line); the note is above it.
    start: usize,
    /// First line after the header block.
    body_start: usize,
    /// Quote depth of the header lines.
    depth: usize,
    header: Header,
}

/// How sure we are of a candidate under a subject; `None` = not a forward.
/// Inside a forward (`nested`), only marked blocks, or any block under a
/// forward subject, count: quoted reply history is not a forward. A sender
/// without an address is only taken from a marked or separated top block.
fn acceptance(candidate: &Candidate, hint: SubjectHint, nested: bool) -> Option<f32> {
    use Marker as M;
    use SubjectHint as S;
    let has_address = candidate
        .header
        .from
        .as_ref()
        .is_some_and(|f| !f.address.is_empty());
    if !has_address && (nested || candidate.marker == M::Bare) {
        return None;
    }
    // Unlisted labels could be any labelled lines (a form's fields, a reply's quoted header
    // under a reply prefix in no listed language): a forward title or subject must say so.
    if candidate.header.shaped && candidate.marker != M::Forward && hint != S::Forward {
        return None;
    }
    let base = match (candidate.marker, hint) {
        (M::Forward, S::Forward) => 1.0,
        (M::Forward, S::Reply) => 0.7,
        (M::Forward, _) => 0.9,
        (_, S::Reply) => return None,
        (M::Wrote, S::Forward) => 0.8,
        (M::Wrote, _) => return None,
        (_, S::Plain | S::Empty) if nested => return None,
        (M::Separator, S::Forward) => 0.95,
        (M::Separator, S::Empty) => 0.7,
        (M::Separator, _) => 0.6,
        (M::Bare, S::Forward) => 0.9,
        (M::Bare, S::Empty) => 0.6,
        (M::Bare, _) => 0.5,
    };
    Some(if has_address { base } else { base * 0.8 })
}

pub(super) fn first_acceptable(
    lines: &[Line],
    hint: SubjectHint,
    nested: bool,
) -> Option<(Candidate, f32)> {
    let shapes = Shapes::of(lines);
    let mut index = 0;
    while index < lines.len() {
        match candidate_at(lines, &shapes, index) {
            Some(candidate) => {
                if let Some(confidence) = acceptance(&candidate, hint, nested) {
                    return Some((candidate, confidence));
                }
                index = candidate.body_start.max(index + 1);
            }
            None => index += 1,
        }
    }
    None
}

/// The header block at `index`: read by its listed labels, or by its shape when that reads
/// further (a label in no listed language stopped the first reading).
fn header_block_longest_at(
    lines: &[Line],
    shapes: &Shapes,
    index: usize,
) -> Option<(usize, Header)> {
    let listed = header_block_at(lines, index).or_else(|| memo_block_at(lines, index));
    let shaped = shaped_block_at(lines, shapes, index);
    match (listed, shaped) {
        (Some(listed), Some(shaped)) if shaped.0 <= listed.0 => Some(listed),
        (listed, shaped) => shaped.or(listed),
    }
}

fn candidate_at(lines: &[Line], shapes: &Shapes, index: usize) -> Option<Candidate> {
    if let Some((end, header)) = header_block_longest_at(lines, shapes, index) {
        let (start, marker) = marker_above(lines, index);
        return Some(Candidate {
            marker,
            start,
            body_start: end,
            depth: lines[index].depth,
            header,
        });
    }
    let (end, header, has_verb) = wrote_line_at(lines, index)?;
    // A quote line without its verb heads a forward only right below a forward title.
    let (start, marker) = match marker_above(lines, index) {
        (title, Marker::Forward) => (title, Marker::Forward),
        _ if has_verb => (index, Marker::Wrote),
        _ => return None,
    };
    Some(Candidate {
        marker,
        start,
        body_start: end,
        depth: lines[index].depth,
        header,
    })
}

pub(super) fn assemble(
    lines: &[Line],
    found: Candidate,
    confidence: f32,
    outer_subject: &str,
) -> Forward {
    let note = lines[..found.start]
        .iter()
        .map(|l| l.raw.as_ref())
        .collect::<Vec<_>>()
        .join("\n");
    let body_start = found.body_start.min(lines.len());
    let body_end = quoted_block_end(
        lines,
        body_start,
        block_depth(lines, body_start, found.depth),
    );
    let (body_start, body_end, below_start) = within_titles(lines, body_start, body_end);
    let below = joined(&lines[below_start..]);
    let note = [note.trim(), below.trim()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n\n");
    let fallback_subject = subject::clean_subject(outer_subject);
    let header = found.header;
    Forward {
        from: header.from.unwrap_or(ForwardedAddress {
            name: None,
            address: String::new(),
        }),
        date: header.date,
        subject: header
            .subject
            .or_else(|| (!fallback_subject.is_empty()).then_some(fallback_subject)),
        to: header.to,
        cc: header.cc,
        reply_to: header.reply_to,
        body: body_text(&lines[body_start..body_end], found.depth),
        note: Some(note.trim().to_string()).filter(|n| !n.is_empty()),
        confidence,
        nested: None,
    }
}

/// The forwarded body between the titles some clients put around it: Zoho repeats its
/// forward title right below the header block, Yandex closes the forward with one ("--------
/// Конец переадресованного сообщения --------"). Returns the body's start and end and where
/// the forwarder's own text below begins. A title that heads a forward of its own (a header
/// block or quote line below it) is a nested forward, not a closing title.
fn within_titles(lines: &[Line], start: usize, end: usize) -> (usize, usize, usize) {
    let mut shapes = None;
    let mut is_closing = |index: usize| {
        is_forward_title(lines[index].content())
            && !heads_a_forward(
                lines,
                shapes.get_or_insert_with(|| Shapes::of(lines)),
                index,
            )
    };
    let first = (start..end).find(|&i| !lines[i].is_blank());
    let start = match first {
        Some(index) if is_closing(index) => index + 1,
        _ => start,
    };
    match (start..end).find(|&i| is_closing(i)) {
        Some(closing) => (start, closing, closing + 1),
        None => (start, end, end),
    }
}

/// Whether a header block or a quote line starts within four lines below `index`.
fn heads_a_forward(lines: &[Line], shapes: &Shapes, index: usize) -> bool {
    let next = (index + 1..lines.len().min(index + 5)).find(|&i| !lines[i].is_blank());
    next.is_some_and(|i| {
        header_block_longest_at(lines, shapes, i).is_some() || wrote_line_at(lines, i).is_some()
    })
}

/// How deeply the forwarded block is quoted: its header's depth, or its body's when the body
/// alone is quoted (Missive quotes the body under an unquoted header block).
fn block_depth(lines: &[Line], body_start: usize, header_depth: usize) -> usize {
    let first = lines[body_start..].iter().find(|l| !l.is_blank());
    first.map_or(header_depth, |l| l.depth.max(header_depth))
}

/// Where a quoted forward ends: after its last line quoted as deeply as its header block
/// (unquoted lines before that are wrapped lines of the forward; the ones after it are the
/// forwarder's own text below); the end of the text for an unquoted forward.
fn quoted_block_end(lines: &[Line], body_start: usize, depth: usize) -> usize {
    if depth == 0 {
        return lines.len();
    }
    (body_start..lines.len())
        .rev()
        .find(|&i| !lines[i].is_blank() && lines[i].depth >= depth)
        .map_or(lines.len(), |last| last + 1)
}

/// The lines as text; empty when none has content (a trailing ">" is not text).
fn joined(lines: &[Line]) -> String {
    if lines.iter().all(|l| l.content().trim().is_empty()) {
        return String::new();
    }
    lines
        .iter()
        .map(|l| l.raw.as_ref())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The forwarded body: the header block's quoting removed, then one more
/// level if every line is still quoted, common indentation removed, trimmed.
fn body_text(lines: &[Line], depth: usize) -> String {
    let mut text: Vec<&str> = lines.iter().map(|l| unquote(&l.raw, depth).1).collect();
    let all_quoted = text
        .iter()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('>'));
    if all_quoted {
        text = text.into_iter().map(|l| unquote(l, 1).1).collect();
    }
    let indent = text
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| leading_blanks(l))
        .min()
        .unwrap_or(0);
    let dedented = text.iter().map(|l| strip_chars(l, indent).trim_end());
    dedented.collect::<Vec<_>>().join("\n").trim().to_string()
}

fn leading_blanks(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

/// The line without its first `count` characters (all blanks, see `leading_blanks`).
fn strip_chars(line: &str, count: usize) -> &str {
    line.char_indices()
        .nth(count)
        .map_or("", |(i, _)| &line[i..])
}
