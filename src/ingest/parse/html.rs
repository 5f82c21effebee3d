//! HTML bodies as text: blocks and table rows keep their lines, cells become `a | b`, and
//! quoted history that HTML marks only by its structure comes out as `> ` lines, so the text
//! rules of [`crate::ingest::quote`] and [`crate::ingest::forward`] read an HTML-only reply as
//! they read a plain one.
//!
//! # Which elements are quotes
//!
//! - **`<blockquote>`**, whatever its attributes: Apple Mail's and Thunderbird's
//!   `type="cite"`, Gmail's `class="gmail_quote"` (inside its `div.gmail_quote`), Yahoo's
//!   `blockquote.iosymail`, Outlook's and webmail's plain blockquotes. Each line inside is
//!   prefixed with `> `, one more per nested blockquote (`> > `; the prefix stops growing at
//!   eight levels), a blank line inside with the bare marks (`>`).
//!   Not a quote: a blockquote styled `border:none` without `type="cite"`, the shape of the
//!   "indent" button of Gmail and Apple Mail (`margin:0 0 0 40px;border:none;padding:0px`),
//!   which senders use for their own indented lines (code, log lines, a list) in the middle
//!   of what they write; a quote carries a border (Gmail's `border-left:1px solid`) or
//!   `type="cite"`.
//! - **Thunderbird's `div.moz-cite-prefix`**: the attribution Thunderbird writes above its
//!   `blockquote type="cite"`. It is quoted with the blockquote, so it goes with the quote
//!   in any language, worded as the user set it.
//! - **Yahoo's `div.yahoo_quoted`** (also with Yahoo's generated prefix, e.g.
//!   `ydp1a2b3cyahoo_quoted`): Yahoo Mail puts the attribution and the earlier message,
//!   unindented, inside it.
//! - **Outlook for Mac's `div name="messageReplySection"`** and **`div
//!   id="mail-editor-reference-message-container"`**: the earlier message with its
//!   attribution or header block, unindented, inside it.
//!
//! Left to the text rules, which already read them: Gmail's `div.gmail_quote` without a
//! blockquote (its attribution line is followed by unquoted text, which the attribution rule
//! cuts) and Outlook's `divRplyFwdMsg` header block (the earlier message follows it outside
//! the element, and Outlook forwards use the same block, so quoting the element alone would
//! quote a forward's header block and not its body).
//!
//! # Forwards
//!
//! Apple Mail forwards inside `<blockquote type="cite">` ("Begin forwarded message:", the
//! header block and the body), and Yahoo forwards inside `div.yahoo_quoted`. Such a forward
//! comes out uniformly quoted; [`crate::ingest::forward::unwrap_forward`] reads a quoted
//! forwarded block and strips its quote marks from the body (one level per quoted block), and
//! [`crate::ingest::quote::strip_quoted`] leaves a text that starts by forwarding alone (its
//! forward marker may be quoted). So nothing is exempted for forwards; the tests below hold
//! Apple Mail's and Yahoo's forward shapes to the original sender, subject, date and body.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// The deepest quote prefix written (`> ` this many times); deeper quotes get no more, so a
/// pathological nesting cannot make the text grow with the square of its depth.
const MAX_PREFIX_LEVELS: usize = 8;

/// Marks put into the HTML's text where a quote opens and closes (private-use characters,
/// removed from the input first), read back into `> ` prefixes once the HTML is text.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

static BLOCK_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</(?:div|tr|h[1-6]|li|table|ul|ol|blockquote|section|header|footer|address)\s*>|<hr\b[^>]*>|<tr\b[^>]*>")
        .expect("valid regex")
});
/// Spaces right after an inline element's end tag ("<b>From:</b> Jane"), which mail-parser's
/// converter drops after some characters ("From:Jane"); written as a character reference it
/// keeps them.
static SPACE_AFTER_INLINE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(</(?:b|strong|i|em|u|span|font|a|small|big|code|s|strike|mark|label|abbr)\s*>)[ \t\r\n]+")
        .expect("valid regex")
});
static CELL_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</t[dh]\s*>").expect("valid regex"));

static CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#).expect("valid regex")
});

/// HTML to text that keeps the line structure of blocks and table rows (cells become
/// `a | b`), so forwarded headers and form tables stay readable, and writes quoted history
/// marked by HTML structure as `> ` lines (see the module documentation for which elements).
pub fn html_to_text(html: &str) -> String {
    let html = without_marks(html);
    let marked = mark_quotes(&html);
    let spaced = SPACE_AFTER_INLINE_END.replace_all(&marked, "$1&#32;");
    let blocks = BLOCK_END.replace_all(&spaced, "$0<br>");
    let cells = CELL_END.replace_all(&blocks, " | $0");
    let text = mail_parser::decoders::html::html_to_text(&cells);
    quoted_lines(&text)
}

/// The HTML without the two mark characters (borrowed when it has none, as mail has).
fn without_marks(html: &str) -> Cow<'_, str> {
    if html.contains([OPEN, CLOSE]) {
        Cow::Owned(html.replace([OPEN, CLOSE], ""))
    } else {
        Cow::Borrowed(html)
    }
}

/// The element kinds whose nesting is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Div,
    Blockquote,
}

/// A quote element still open: its place among the open quotes (counted from the
/// outermost) and how many elements of its name were open with it (so the end tag that
/// closes it is known).
#[derive(Debug, Clone, Copy)]
struct OpenQuote {
    index: usize,
    level: usize,
}

/// Puts [`OPEN`] right after the start tag of each quote element and [`CLOSE`] right before
/// its end tag. An element left open is closed by the end of the text; an end tag that closes
/// an outer quote closes the quotes opened inside it too.
///
/// One pass over the text, never back: comments and `script` / `style` elements are skipped
/// whole, and one left unclosed runs to the end of the text (as a browser reads it), as does
/// a tag without its `>`; so hostile HTML (thousands of unclosed comments, tags that never
/// end) costs time in proportion to its length. A regex with lazy `<!--.*?-->` searched to
/// the end once per unclosed comment: 400 KB of them took 15 s.
fn mark_quotes(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut nesting = Nesting::default();
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let lt = at + found;
        let rest = &bytes[lt..];
        if let Some(skipped) = skipped_len(rest) {
            at = lt + skipped;
            continue;
        }
        let Some(tag) = element_tag(rest) else {
            at = lt + 1;
            continue;
        };
        let Some(tag_len) = tag_len(rest) else {
            break; // no `>` left: no later tag can end either
        };
        let end = lt + tag_len;
        let attrs = &html[lt + tag.name_end..end - 1];
        match nesting.mark(tag, attrs) {
            Mark::None => {}
            Mark::CloseBefore(closed) => {
                out.push_str(&html[copied..lt]);
                out.extend(std::iter::repeat_n(CLOSE, closed));
                copied = lt;
            }
            Mark::OpenAfter => {
                out.push_str(&html[copied..end]);
                out.push(OPEN);
                copied = end;
            }
        }
        at = end;
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// How many bytes from this `<` a comment or a `script` / `style` element takes (to the end
/// of the text when it is not closed); `None` for anything else.
fn skipped_len(rest: &[u8]) -> Option<usize> {
    if rest.starts_with(b"<!--") {
        let closed = memchr::memmem::find(&rest[4..], b"-->").map(|i| 4 + i + 3);
        return Some(closed.unwrap_or(rest.len()));
    }
    let raw = ["script", "style"]
        .into_iter()
        .find(|name| starts_with_name(&rest[1..], name))?;
    Some(raw_element_len(rest, raw).unwrap_or(rest.len()))
}

/// The length of a raw-text element (`script`, `style`) from its `<` through `</NAME\s*>`.
fn raw_element_len(rest: &[u8], name: &str) -> Option<usize> {
    let mut at = 1;
    while let Some(found) = memchr::memmem::find(&rest[at..], b"</") {
        let close = at + found;
        let after_name = close + 2 + name.len();
        let named = rest
            .get(close + 2..after_name)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
        if named {
            let blanks = rest[after_name..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            if rest.get(after_name + blanks) == Some(&b'>') {
                return Some(after_name + blanks + 1);
            }
        }
        at = close + 2;
    }
    None
}

/// Whether `text` starts with the tag name `name` (any case) followed by a non-word byte or
/// the end, as `<name\b` matches (a non-ASCII letter continues the name).
fn starts_with_name(text: &[u8], name: &str) -> bool {
    text.get(..name.len())
        .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        && text
            .get(name.len())
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80))
}

/// A `div` or `blockquote` start or end tag at this `<`: which, and where its name ends.
#[derive(Debug, Clone, Copy)]
struct Tag {
    name: Name,
    end: bool,
    name_end: usize,
}

fn element_tag(rest: &[u8]) -> Option<Tag> {
    let end = rest.get(1) == Some(&b'/');
    let name_at = 1 + usize::from(end);
    let (name, text) = [(Name::Div, "div"), (Name::Blockquote, "blockquote")]
        .into_iter()
        .find(|(_, text)| starts_with_name(&rest[name_at..], text))?;
    Some(Tag {
        name,
        end,
        name_end: name_at + text.len(),
    })
}

/// The length of the tag at this `<` through its `>`; `None` when no `>` follows.
fn tag_len(rest: &[u8]) -> Option<usize> {
    memchr::memchr(b'>', rest).map(|i| i + 1)
}

/// What a tag does to the quote marks.
enum Mark {
    None,
    CloseBefore(usize),
    OpenAfter,
}

/// The `div` and `blockquote` elements open so far, and which of them are quotes.
#[derive(Default)]
struct Nesting {
    open_divs: usize,
    open_blockquotes: usize,
    /// How many quotes are open, of either name.
    open_quotes: usize,
    /// Per name (div, blockquote), that name's open quotes, outermost first: their levels
    /// rise, so an end tag finds its quote, or that it closes none, at the top (a scan of
    /// every open quote per end tag made thousands of them cost the square).
    of_name: [Vec<OpenQuote>; 2],
}

impl Nesting {
    fn mark(&mut self, tag: Tag, attrs: &str) -> Mark {
        let open = match tag.name {
            Name::Div => &mut self.open_divs,
            Name::Blockquote => &mut self.open_blockquotes,
        };
        if tag.end {
            let level = *open;
            *open = open.saturating_sub(1);
            let top = self.of_name[tag.name as usize].last().copied();
            let Some(quote) = top.filter(|quote| quote.level == level) else {
                return Mark::None;
            };
            let closed = self.open_quotes - quote.index;
            self.open_quotes = quote.index;
            for quotes in &mut self.of_name {
                while quotes.last().is_some_and(|q| q.index >= quote.index) {
                    quotes.pop();
                }
            }
            return Mark::CloseBefore(closed);
        }
        if attrs.trim_end().ends_with('/') {
            return Mark::None;
        }
        *open += 1;
        if !is_quote(tag.name, attrs) {
            return Mark::None;
        }
        self.of_name[tag.name as usize].push(OpenQuote {
            index: self.open_quotes,
            level: *open,
        });
        self.open_quotes += 1;
        Mark::OpenAfter
    }
}

/// Whether a start tag with these attributes opens quoted history.
fn is_quote(name: Name, attrs: &str) -> bool {
    match name {
        Name::Blockquote => !is_indent(attrs),
        Name::Div => {
            classes(attrs)
                .any(|class| class == "moz-cite-prefix" || class.ends_with("yahoo_quoted"))
                || OUTLOOK_MAC_QUOTE.is_match(attrs)
        }
    }
}

/// Outlook for Mac's containers of the earlier message, attribution or header block included:
/// `div name="messageReplySection"` and `div id="mail-editor-reference-message-container"`.
static OUTLOOK_MAC_QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)\bname\s*=\s*["']?messageReplySection\b"#,
        r#"|\bid\s*=\s*["']?mail-editor-reference-message-container\b"#
    ))
    .expect("valid regex")
});

/// A blockquote the "indent" button made: styled without a border, and not `type="cite"`.
fn is_indent(attrs: &str) -> bool {
    let compact: String = attrs
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '\''))
        .collect::<String>()
        .to_ascii_lowercase();
    compact.contains("border:none") && !compact.contains("type=cite")
}

/// The class names of a start tag's attributes.
fn classes(attrs: &str) -> impl Iterator<Item = &str> {
    CLASS
        .captures(attrs)
        .and_then(|c| c.get(1).or(c.get(2)).or(c.get(3)))
        .map_or("", |m| m.as_str())
        .split_ascii_whitespace()
}

/// The converted text with the marks read back: each line inside a quote gets `> ` per
/// level, text on both sides of a mark goes on lines of its own, and lines are trimmed
/// (with a cell separator at their end).
fn quoted_lines(text: &str) -> String {
    let mut depth = 0usize;
    let mut lines = Vec::new();
    for line in text.lines() {
        if !line.contains([OPEN, CLOSE]) {
            lines.push(prefixed(depth, tidy(line)));
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find([OPEN, CLOSE]) {
            push_segment(&mut lines, depth, &rest[..at]);
            let mark = rest[at..].chars().next().unwrap_or(OPEN);
            depth = if mark == OPEN {
                depth + 1
            } else {
                depth.saturating_sub(1)
            };
            rest = &rest[at + mark.len_utf8()..];
        }
        push_segment(&mut lines, depth, rest);
    }
    lines.join("\n")
}

/// The part of a line beside a mark, unless it is blank (a mark alone makes no line).
fn push_segment(lines: &mut Vec<String>, depth: usize, segment: &str) {
    let segment = tidy(segment);
    if !segment.is_empty() {
        lines.push(prefixed(depth, segment));
    }
}

fn tidy(line: &str) -> &str {
    line.trim().trim_end_matches('|').trim_end()
}

/// The line with `depth` quote marks (`> ` each; a blank line gets the bare marks).
fn prefixed(depth: usize, line: &str) -> String {
    if depth == 0 {
        return line.to_string();
    }
    let marks = "> ".repeat(depth.min(MAX_PREFIX_LEVELS));
    if line.is_empty() {
        marks.trim_end().to_string()
    } else {
        format!("{marks}{line}")
    }
}

#[cfg(test)]
mod tests;
