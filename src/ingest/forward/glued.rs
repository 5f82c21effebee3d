//! One-line (Yahoo) header blocks: "----- Forwarded Message ----- From: a <x@y>To: b …" split
//! into one line per header.

use regex::Regex;
use std::sync::LazyLock;

use super::labels::{header_label, header_line, GLUED_LABEL};
use super::unquote;

/// A dash-framed title followed by more text on the same line.
static MARKER_THEN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(-{2,}[^-]+-{2,})[ \t]+(\S.*)$").expect("valid pattern"));

/// Splits "----- Forwarded Message ----- From: a <x@y>To: b <z@y>Sent: …"
/// into one line per header; `None` for other lines, which stay as they
/// are (and are not copied).
pub(super) fn split_glued_line(raw: &str) -> Option<Vec<String>> {
    let (depth, rest) = unquote(raw, usize::MAX);
    let content = if depth == 0 { raw } else { rest };
    // Every header label ends in a colon: a line without one (most lines) stays whole.
    if !content.contains([':', '：']) {
        return None;
    }
    let mut pieces = Vec::new();
    let mut headers = content;
    // The marker needs "--": most lines skip the capturing regex on that substring test.
    let marker = content
        .contains("--")
        .then(|| MARKER_THEN_TEXT.captures(content));
    if let Some(caps) = marker.flatten() {
        if let (Some(marker), Some(text)) = (caps.get(1), caps.get(2)) {
            if header_line(text.as_str()).is_some() {
                pieces.push(marker.as_str().to_string());
                headers = text.as_str();
            }
        }
    }
    if headers.len() <= MAX_GLUED_LINE && header_line(headers).is_some() {
        pieces.extend(split_at_glued_labels(headers));
    } else {
        pieces.push(headers.to_string());
    }
    if pieces.len() == 1 {
        return None;
    }
    let prefix = &raw[..raw.len() - content.len()];
    Some(pieces.into_iter().map(|p| format!("{prefix}{p}")).collect())
}

/// The longest line searched for glued header labels, in bytes.
const MAX_GLUED_LINE: usize = 4000;

/// Cuts a header line before each label glued to the previous value.
fn split_at_glued_labels(line: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut search_from = header_label(line).map_or(line.len(), |(_, value)| value);
    while let Some(found) = GLUED_LABEL.find_at(line, search_from) {
        if is_glued_label(line, found.start(), found.as_str()) {
            pieces.push(line[piece_start..found.start()].trim().to_string());
            piece_start = found.start();
            search_from = found.end();
        } else {
            search_from = next_char_boundary(line, found.start());
        }
    }
    pieces.push(line[piece_start..].trim().to_string());
    pieces.into_iter().map(with_colon).collect()
}

/// A capitalised label that touches the previous value ("…acme.com>To:",
/// "GMT+1Subject:", "CETAssunto Integer"), never inside a lower-case word.
fn is_glued_label(line: &str, start: usize, label: &str) -> bool {
    let Some(before) = line[..start].chars().next_back() else {
        return false;
    };
    let first_is_capital = label.chars().next().is_some_and(|c| !c.is_lowercase());
    let has_colon = label.contains([':', '：']);
    let word_chars = label.trim_end().chars().count();
    first_is_capital
        && !before.is_whitespace()
        && !before.is_lowercase()
        && (has_colon || word_chars >= 2)
}

/// Adds the colon Yahoo leaves out after some labels ("Dw Walter …").
fn with_colon(piece: String) -> String {
    if header_line(&piece).is_some() {
        return piece;
    }
    match GLUED_LABEL.find(&piece) {
        Some(label) if label.start() == 0 => {
            format!("{}: {}", label.as_str().trim_end(), &piece[label.end()..])
        }
        _ => piece,
    }
}

fn next_char_boundary(text: &str, index: usize) -> usize {
    text[index..]
        .chars()
        .next()
        .map_or(text.len(), |c| index + c.len_utf8())
}
