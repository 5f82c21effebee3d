//! Which lines of a reply stay: the text above the quotation, and what the sender wrote below
//! or between quotes.

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

use super::signature_split::signature_start;
use super::Kind;

static BROKEN_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[(<]?https?://\S*[)>]?\s*>?\s*$").unwrap());

static SEPARATOR_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[-_=*~—]{2,}\s*$").unwrap());

/// The lines kept before the removed quotation and, when the sender wrote below it, after it.
pub(super) fn kept_ranges(lines: &[&str], kinds: &[Kind]) -> (Range<usize>, Option<Range<usize>>) {
    let everything = (0..lines.len(), None);
    let Some(first_marker) = kinds
        .iter()
        .position(|k| !matches!(k, Kind::Text | Kind::Empty))
    else {
        return everything;
    };
    if kinds[first_marker] == Kind::Forward {
        return everything;
    }
    let end = unquoted_splitter(kinds).unwrap_or(lines.len());
    let mut kinds = kinds[..end].to_vec();
    let Some(region) = quote_region(&kinds) else {
        return (0..end, None);
    };
    relabel_wrapped_quote_lines(lines, &mut kinds, region.clone());
    let top_posted = kinds[..region.start].contains(&Kind::Text);
    let tail = if top_posted {
        wrapped_tail_len(lines, &kinds, region.end)
    } else {
        0
    };
    kinds[region.end..region.end + tail].fill(Kind::Quote);
    let region = region.start..region.end + tail;
    if kinds[region.clone()].contains(&Kind::Text) {
        return inline_reply_ranges(lines, &kinds);
    }
    let after = skip_empty(&kinds, region.end);
    (0..region.start, Some(after..end))
}

/// The first quote header followed by unquoted text: everything from it on is the old message.
fn unquoted_splitter(kinds: &[Kind]) -> Option<usize> {
    (0..kinds.len()).find(|&index| {
        let starts_block = index == 0 || kinds[index - 1] != Kind::Splitter;
        if kinds[index] != Kind::Splitter || !starts_block {
            return false;
        }
        let block_len = kinds[index..]
            .iter()
            .take_while(|k| **k == Kind::Splitter)
            .count();
        kinds.get(skip_empty(kinds, index + block_len)) != Some(&Kind::Quote)
    })
}

fn skip_empty(kinds: &[Kind], from: usize) -> usize {
    (from..kinds.len())
        .find(|&i| kinds[i] != Kind::Empty)
        .unwrap_or(kinds.len())
}

/// From the first quote header (or run of two quoted lines) to the last quoted line.
fn quote_region(kinds: &[Kind]) -> Option<Range<usize>> {
    let has_splitter = kinds.contains(&Kind::Splitter);
    if !has_splitter && kinds.iter().filter(|k| **k == Kind::Quote).count() < 3 {
        return trailing_quoted_history(kinds);
    }
    let starts_quote_run = |i: usize| {
        kinds[i] == Kind::Quote && kinds.get(skip_empty(kinds, i + 1)) == Some(&Kind::Quote)
    };
    let start = (0..kinds.len()).find(|&i| kinds[i] == Kind::Splitter || starts_quote_run(i))?;
    let last_quote = kinds.iter().rposition(|k| *k == Kind::Quote)?;
    (start <= last_quote).then_some(start..last_quote + 1)
}

/// The quoted lines that end the message (blank lines aside) below text of
/// the sender's own: quoted history without an attribution, cut however
/// short it is (an answer between quotes is not: text follows its quote).
fn trailing_quoted_history(kinds: &[Kind]) -> Option<Range<usize>> {
    let last = kinds.iter().rposition(|k| *k != Kind::Empty)?;
    let run_start = kinds[..=last]
        .iter()
        .rposition(|k| !matches!(k, Kind::Quote | Kind::Empty))
        .map_or(0, |i| i + 1);
    let first_quote = (run_start..=last).find(|&i| kinds[i] == Kind::Quote)?;
    (kinds[last] == Kind::Quote && kinds[..run_start].contains(&Kind::Text))
        .then_some(first_quote..last + 1)
}

/// Long links wrapped out of a quote ("(http://…) >", "_nonce=3dd518)") and quoted lines
/// the replying client wrapped without quoting the rest stay part of the quote.
fn relabel_wrapped_quote_lines(lines: &[&str], kinds: &mut [Kind], region: Range<usize>) {
    for index in region.clone().skip(1) {
        let line = lines[index].trim();
        let wrapped_token = kinds[index - 1] == Kind::Quote
            && lines[index - 1].contains("://")
            && !line.contains(char::is_whitespace);
        if kinds[index] == Kind::Text && (BROKEN_LINK.is_match(line) || wrapped_token) {
            kinds[index] = Kind::Quote;
        }
    }
    let mut index = region.start + 1;
    while index < region.end {
        let run = wrapped_run_len(lines, kinds, index);
        let closed = run > 0 && kinds.get(index + run) == Some(&Kind::Quote);
        if closed {
            kinds[index..index + run].fill(Kind::Quote);
        }
        index += run.max(1);
    }
}

/// The unquoted lines right below a quote that continue its last line, when they end the
/// message (blank lines aside): the quote's end, wrapped by the replying client. Asked only
/// of a reply written above its quote: below a quote with nothing above, it is the reply.
fn wrapped_tail_len(lines: &[&str], kinds: &[Kind], end: usize) -> usize {
    let run = if end > 0 {
        wrapped_run_len(lines, kinds, end)
    } else {
        0
    };
    let rest_blank = kinds[end + run..].iter().all(|k| *k == Kind::Empty);
    if run > 0 && rest_blank {
        run
    } else {
        0
    }
}

/// How many unquoted lines from `index` on continue the quoted line above them: a client that
/// wraps a long quoted line (or a paragraph sent as one line) quotes only its first part. Each
/// line above a continuation is long, and each continuation starts with a lower-case letter,
/// a digit or a sign, as a wrapped line does ("the number of seats."), below a line that does
/// not end in a question or a colon (a lower-case answer may follow those). One line between
/// two quoted lines may also start with a capital when the line above stops mid-sentence
/// ("… to discuss it with" over "Marc and the team"); "Yes, attached." below a question is an
/// answer.
fn wrapped_run_len(lines: &[&str], kinds: &[Kind], index: usize) -> usize {
    if index == 0 || kinds[index - 1] != Kind::Quote {
        return 0;
    }
    let mut run = 0;
    while kinds.get(index + run) == Some(&Kind::Text)
        && continues_lower_case(lines[index + run - 1], lines[index + run])
    {
        run += 1;
    }
    let sandwiched = kinds.get(index + 1) == Some(&Kind::Quote)
        && kinds[index] == Kind::Text
        && is_long(lines[index - 1])
        && !lines[index - 1]
            .trim_end()
            .ends_with(['.', '!', '?', ':', ';']);
    if run == 0 && sandwiched {
        1
    } else {
        run
    }
}

/// Wider than a line a person types short: a client wrapped it.
fn is_long(line: &str) -> bool {
    const WRAPPED_LENGTH: usize = 60;
    line.trim_end().chars().count() >= WRAPPED_LENGTH
}

fn continues_lower_case(above: &str, line: &str) -> bool {
    is_long(above)
        && !above.trim_end().ends_with(['?', ':', '？', '：'])
        && line.trim_start().starts_with(|c: char| !c.is_uppercase())
}

/// An answer written between quotes keeps its quotes; only a trailing quote with nothing
/// but a signature or footer below it is dropped.
fn inline_reply_ranges(lines: &[&str], kinds: &[Kind]) -> (Range<usize>, Option<Range<usize>>) {
    let end = kinds.len();
    let Some(last_quote) = kinds.iter().rposition(|k| *k == Kind::Quote) else {
        return (0..end, None);
    };
    let block_start = (0..=last_quote)
        .rev()
        .take_while(|&i| matches!(kinds[i], Kind::Quote | Kind::Empty))
        .last()
        .unwrap_or(last_quote);
    let block_start = skip_empty(kinds, block_start);
    let after = skip_empty(kinds, last_quote + 1);
    let tail = &lines[after..end];
    let tail_is_signature = tail.is_empty() || signature_start(tail, 0, None) == Some(0);
    if tail_is_signature {
        (0..block_start, Some(after..end))
    } else {
        (0..end, None)
    }
}

/// Joins the lines above the quotation, dropping trailing blank and separator lines
/// ("-----", "_____") that introduced the removed part.
pub(super) fn join_before(lines: &[&str], cut: bool) -> String {
    let is_trailer = |l: &str| l.trim().is_empty() || (cut && SEPARATOR_LINE.is_match(l));
    let keep = lines.len() - lines.iter().rev().take_while(|l| is_trailer(l)).count();
    lines[..keep].join("\n")
}

pub(super) fn join_paragraphs(first: &str, second: &str) -> String {
    match (first.is_empty(), second.is_empty()) {
        (_, true) => first.to_string(),
        (true, false) => second.to_string(),
        (false, false) => format!("{first}\n\n{second}"),
    }
}
