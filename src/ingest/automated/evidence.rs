//! What a bounce's own explanation (before any copy of the original message) says about one
//! recipient.

use super::recipients::{is_header_line, leading_address, own_explanation};
use super::severity::{find_reply_code, find_status};
use super::view::{collapse_whitespace, prefix, shorten};
use super::{MAX_DIAGNOSTIC_CHARS, MAX_LINES, MAX_SUMMARY_BYTES};

/// The bounce's own explanation (before any copy of the original message).
pub(super) struct Evidence<'t> {
    lines: Vec<&'t str>,
    /// The explanation as one text, capped at [`MAX_SUMMARY_BYTES`].
    pub(super) summary: String,
    /// The first line of the explanation with a status or reply code.
    pub(super) first_coded: Option<String>,
}

impl<'t> Evidence<'t> {
    pub(super) fn of(text: &'t str) -> Self {
        let all: Vec<&str> = text.lines().take(MAX_LINES).collect();
        let lines = own_explanation(&all).to_vec();
        let summary = prefix(&lines.join("\n"), MAX_SUMMARY_BYTES).to_string();
        let first_coded = lines
            .iter()
            .find(|line| has_code(line))
            .map(|line| clean_diagnostic(line));
        Evidence {
            lines,
            summary,
            first_coded,
        }
    }

    /// The text around `address`: its first mention with a code, or else its first mention,
    /// each with the non-blank lines that follow.
    pub(super) fn nearby(&self, address: &str) -> Option<String> {
        let mentions: Vec<String> = (0..self.lines.len())
            .filter(|&index| {
                let line = self.lines[index];
                !is_header_line(line) && line.to_lowercase().contains(address)
            })
            .map(|index| self.context_from(index))
            .filter(|context| !context.is_empty())
            .collect();
        let coded = mentions.iter().find(|context| has_code(context));
        coded.or(mentions.first()).cloned()
    }

    fn context_from(&self, index: usize) -> String {
        let following = self.lines[index + 1..]
            .iter()
            .take_while(|line| !line.trim().is_empty() && leading_address(line).is_none())
            .take(4);
        let joined: Vec<&str> = std::iter::once(&self.lines[index])
            .chain(following)
            .copied()
            .collect();
        clean_diagnostic(&joined.join(" "))
    }
}

/// What a bounce says about one recipient, from the most to the least specific.
#[derive(Debug, Default)]
pub(super) struct Explanation<'a> {
    /// The recipient's own status code, if the bounce gives one.
    pub(super) status: Option<String>,
    /// The recipient's Diagnostic-Code, or the text around its address.
    pub(super) diagnostic: Option<String>,
    /// The text around its address in the bounce's explanation.
    pub(super) nearby: Option<String>,
    /// The whole explanation.
    pub(super) summary: &'a str,
}

fn has_code(text: &str) -> bool {
    find_status(text).is_some() || find_reply_code(text).is_some()
}

pub(super) fn clean_diagnostic(text: &str) -> String {
    let collapsed = collapse_whitespace(text);
    let trimmed = collapsed.trim_start_matches(['>', ':', '.', ' ', ',']);
    shorten(trimmed, MAX_DIAGNOSTIC_CHARS)
}
