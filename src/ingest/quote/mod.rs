//! Reply cleaning: removes the quoted history of a reply and splits the sender's signature off.
//!
//! Both functions work line by line with linear-time regexes, so any input is handled in time
//! proportional to its length. Forwarded messages are left alone by [`strip_quoted`]: unwrap
//! them first (an Outlook forward has no marker and would be cut like a quoted reply).
//!
//! # Layout
//!
//! - this file: the public functions and how each line of a reply is read (`Kind`).
//! - `attribution`: attributions read by their shape (date or time, name or address,
//!   colon) in any language.
//! - `device`: "Sent from my iPhone" in any language, tracking glyphs.
//! - `headers`: quote headers ("On … wrote:" attributions, "Original Message" separators,
//!   Outlook From/Sent/To/Subject blocks).
//! - `kept`: which lines stay once the quotation is found.
//! - `marks`: direction marks and typographic dashes, read through.
//! - `signature_split`: where the sender's signature starts.

use regex::Regex;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

mod attribution;
mod device;
mod headers;
mod kept;
mod marks;
mod signature_split;

#[cfg(test)]
mod tests;

use headers::{
    is_framed_attribution, splitter_len, DASHED_ATTRIBUTION, LEADING_INTRO, ORIGINAL_MESSAGE,
    SHARED_ATTRIBUTION,
};
use kept::{join_before, join_paragraphs, kept_ranges};
use signature_split::{line_starts, line_text, signature_start};

/// The new text of a reply without its quoted history, trimmed.
///
/// Removes `>` blocks, "On … wrote:" attributions in many languages (also spread over several
/// lines), "-----Original Message-----" separators and Outlook "From:/Sent:/To:/Subject:"
/// header blocks with everything below them. Text the sender wrote below or between quotes is
/// kept, as are "Sent from my iPhone" trailers and signatures (see [`split_signature`]).
/// A message that starts by forwarding another one is returned unchanged.
pub fn strip_quoted(text: &str) -> String {
    let normalised = unify_line_ends(text);
    let lines = split_shared_attributions(&normalised);
    let kinds = classify(&lines);
    let (before, after) = kept_ranges(&lines, &kinds);
    let cut = before.end < lines.len() || after.is_some();
    let before_text = join_before(&without_splitters(&lines, &kinds, before), cut);
    let after_text = after
        .map(|range| without_splitters(&lines, &kinds, range).join("\n"))
        .unwrap_or_default();
    let reply = join_paragraphs(before_text.trim(), after_text.trim());
    if cut && is_greeting_at_most(&reply) {
        return own_words(&lines, &kinds).unwrap_or(reply);
    }
    reply
}

/// The lines of `range` except quote headers (an inline answer keeps its quotes, not the
/// attribution above them); a forward keeps everything.
fn without_splitters<'a>(lines: &[&'a str], kinds: &[Kind], range: Range<usize>) -> Vec<&'a str> {
    let forwarded = kinds
        .iter()
        .find(|k| !matches!(k, Kind::Text | Kind::Empty))
        .is_some_and(|k| *k == Kind::Forward);
    range
        .filter(|&index| forwarded || kinds[index] != Kind::Splitter)
        .map(|index| lines[index])
        .collect()
}

/// Empty, or one short line such as "Hi Anna," (a cut that leaves no more lost the reply).
fn is_greeting_at_most(reply: &str) -> bool {
    let mut lines = reply.lines().filter(|l| !l.trim().is_empty());
    match (lines.next(), lines.next()) {
        (None, _) => true,
        (Some(line), None) => GREETING.is_match(line.trim()),
        _ => false,
    }
}

/// Every line that is neither quoted nor a quote header, when that is more than a greeting:
/// what is kept when the cut would leave nothing of the sender's own words.
fn own_words(lines: &[&str], kinds: &[Kind]) -> Option<String> {
    let own: Vec<&str> = lines
        .iter()
        .zip(kinds)
        .filter(|(_, kind)| matches!(kind, Kind::Text | Kind::Empty))
        .map(|(line, _)| *line)
        .collect();
    let text = join_before(&own, false);
    let text = text.trim();
    (!is_greeting_at_most(text)).then(|| text.to_string())
}

/// Line ends unified to `\n`; borrowed when there is no CR (most bodies), saving two copies.
fn unify_line_ends(text: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Splits the reply text into (body, signature), both trimmed.
///
/// A signature starts at a "-- " delimiter, a closing ("Thanks,", "Regards,", "Best,",
/// "Cheers,", "Obrigado,", "Mit freundlichen Grüßen,", "Met vriendelijke groet," …) followed by
/// a short name block, a "Sent from my …" line, a "-Name" line, or a trailing block of short
/// contact lines (name, title, company, phone, url). It never starts on the first line.
pub fn split_signature(text: &str) -> (String, Option<String>) {
    split_signature_for(text, None)
}

/// Like [`split_signature`], and also recognises a trailing block that starts with the
/// sender's display name (`sender_name`), e.g. "Stavros Papadopoulos\nvia mobile".
pub fn split_signature_for(text: &str, sender_name: Option<&str>) -> (String, Option<String>) {
    let text = without_tracking_glyphs(text);
    let text = text.as_ref();
    let starts = line_starts(text);
    let lines: Vec<&str> = starts.iter().map(|r| line_text(text, r)).collect();
    let is_text = |l: &&str| !l.trim().is_empty();
    let mut first_body_line = lines.iter().position(is_text);
    // A device footer some clients put above the reply ("Gesendet mit iPhone") is not text.
    if let Some(first) = first_body_line.filter(|&i| device::is_device_signature(lines[i])) {
        let next = lines[first + 1..].iter().position(is_text);
        first_body_line = next.map(|offset| first + 1 + offset).or(first_body_line);
    }
    let body_start = first_body_line.map_or(0, |i| starts[i].start);
    let text = &text[body_start..];
    let start = first_body_line.and_then(|first| signature_start(&lines, first + 1, sender_name));
    match start.and_then(|i| text.split_at_checked(starts[i].start - body_start)) {
        Some((body, signature)) => (body.trim().to_string(), Some(signature.trim().to_string())),
        None => (text.trim().to_string(), None),
    }
}

/// The sign-off at the top of a split-off signature ("-Abhishek", "Thanks,\nAna"): its first
/// paragraph when that is at most two short lines, none a contact line, a device line or a
/// delimiter ("--", "__", "==" …). A sign-off is the sender's own words, so the stored reply keeps it
/// (issue 15); the whole signature is still read for contact details.
pub fn sign_off(signature: &str) -> Option<&str> {
    let is_delimiter = |line: &str| line.starts_with("--") || signature_split::is_rule_line(line);
    let mut end = 0;
    let mut count = 0;
    for line in signature.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.is_empty() || is_delimiter(trimmed) {
            break;
        }
        let short = trimmed.chars().count() <= 40 && trimmed.split_whitespace().count() <= 5;
        let footer = device::is_device_signature(trimmed)
            || signature_split::is_sent_from(trimmed)
            || crate::ingest::signature::is_contact_line(trimmed);
        count += 1;
        if !short || footer || count > 2 {
            return None;
        }
        end += line.len();
    }
    (count > 0).then(|| signature[..end].trim())
}

/// The lines of a stored reply that these rules would call a quote header (attribution,
/// "Original Message" separator, header block) or a device signature: issue 15's invariant
/// says there are none. A text that forwards another message is left alone, as
/// [`strip_quoted`] leaves it.
pub fn reading_violations(stored: &str) -> Vec<String> {
    let normalised = unify_line_ends(stored);
    let lines = split_shared_attributions(&normalised);
    let kinds = classify(&lines);
    let first_marker = kinds
        .iter()
        .find(|k| !matches!(k, Kind::Text | Kind::Empty));
    if first_marker == Some(&Kind::Forward) {
        return Vec::new();
    }
    lines
        .iter()
        .zip(&kinds)
        .filter(|(line, kind)| **kind == Kind::Splitter || device::is_device_signature(line))
        .map(|(line, _)| line.to_string())
        .collect()
}

/// The text without lines that hold only a tracking glyph ("ᐧ") or invisible characters.
fn without_tracking_glyphs(text: &str) -> Cow<'_, str> {
    if !text.lines().any(device::is_tracking_glyph) {
        return Cow::Borrowed(text);
    }
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !device::is_tracking_glyph(line))
        .collect();
    Cow::Owned(kept.join("\n"))
}

/// How one line of a reply is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Empty,
    Quote,
    /// Part of a quote header: attribution, "Original Message" line or From/Sent block.
    Splitter,
    /// A forwarded-message marker.
    Forward,
}

/// Forward markers: a title framed by dashes (or by "=", as Zoho frames it) that says
/// "forwarded" in one of many languages ("-------- Forwarded Message --------"; any other
/// dashed title above a header block is an "Original Message" separator, see `headers`) and
/// Apple Mail's "Begin forwarded message:", which Apple Mail puts inside the quote.
static FORWARD_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^[\s>]*(?:(?:-{3,}|={3,})\s*[^-=\n]{0,30}(?:forward|weitergeleit|transf[ée]r|r[ée]exp[ée]di|reenviad",
        r"|encaminhad|reencaminhad|inoltrat|doorgestuurd|videresend|vidarebefordr|v[äa]litet|p[řr]eposl",
        r"|preposl|przekaz|tov[áa]bb[íi]tott|redirec|proslije|prosleđ|пересл|переадрес|препратен",
        r"|прослеђ|ilet|転送|转发|轉寄|전달|إعادة توجيه|معاد توجيه|הועבר|προωθ)[^-=\n]{0,30}(?:-{3,}|={3,})",
        r"|(?:begin forwarded message|forwarded message",
        r"|anfang der weitergeleiteten nachricht|inicio del mensaje reenviado",
        r"|d[ée]but du message (?:r[ée]exp[ée]di[ée]|transf[ée]r[ée])|inizio messaggio inoltrato",
        r"|begin doorgestuurd bericht|in[íi]cio da mensagem (?:reencaminhada|encaminhada)",
        r"|start på videresendt besked|videresendt melding|vidarebefordrat mejl|v[äa]litetty viesti alkaa",
        r"|za[čc][áa]tek p[řr]eposílané zprávy|za[čc]iatok preposlanej správy",
        r"|pocz[ąa]tek przekazywanej wiadomo[śs]ci|továbbított levél kezdete",
        r"|[îi]ncepe mesajul redirec[țt]ionat|zapo[čc]ni proslije[đd]enu poruku",
        r"|начало переадресованного сообщения|початок листа, що пересилається|[İi]leti ba[şs]lang[ıi]c[ıi])",
        r"\s*:?)\s*$"
    ))
    .unwrap()
});

/// A salutation alone on its line: "Hi,", "Hello Anna,", "Dear Mr Smith,", "Hallo Max,".
static GREETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hallo|liebe[rs]?|sehr geehrte[rs]?",
        r"|bonjour|salut|cher|ch[èe]re|hola|estimad[oa]|ol[áa]|caro|cara|ciao|buongiorno|hej|hei",
        r"|moi|hoi|beste|cze[śs][ćc]|dzie[ńn] dobry|witam|ahoj|dobr[ýy] den|szia|merhaba|привет",
        r"|здравствуйте|добрый день|добрий день|вітаю|γεια|здравейте|здраво|zdravo|bok)\b[^.?!\n]{0,30},$"
    ))
    .unwrap()
});

/// Puts an attribution that shares its line with the reply on a line of its own.
fn split_shared_attributions(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    for line in text.split('\n') {
        // Every shared attribution holds a case-sensitive "On": most lines are ruled out
        // by that substring test before the regexes run.
        let shared = (line.contains("On") && !is_quote_line(line) && !LEADING_INTRO.is_match(line))
            .then(|| SHARED_ATTRIBUTION.captures(line))
            .flatten();
        let Some(captures) = shared else {
            lines.push(line);
            continue;
        };
        let part = |name| captures.name(name).map(|m| m.as_str());
        // Emphasis around a whole attribution ("*On … wrote:*") is no reply of its own.
        let reply = part("reply").filter(|r| r.contains(char::is_alphanumeric));
        match (reply, part("quote"), part("quote_with_text")) {
            (Some(reply), Some(quote), _) => lines.extend([reply, quote]),
            (Some(reply), None, Some(quote)) => {
                lines.extend([reply, quote]);
                lines.extend(part("quoted"));
            }
            _ => lines.push(line),
        }
    }
    lines
}

/// A quoted line: "> …", "&gt; …" where a client left the HTML entity in the text, or a
/// line marked with the quoted author's initials ("AS> …", as The Bat! and Emacs' Supercite
/// quote).
fn is_quote_line(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with('>') || line.starts_with("&gt;") || has_initials_mark(line)
}

/// Two or three capitals right before a ">" and a blank (or the line's end): "AS> text".
fn has_initials_mark(line: &str) -> bool {
    let initials = line.chars().take_while(|c| c.is_uppercase()).count();
    let mut rest = line.chars().skip(initials);
    (2..=3).contains(&initials)
        && rest.next() == Some('>')
        && rest.next().is_none_or(char::is_whitespace)
}

/// How each line is read; lines are read without direction marks and with plain dashes
/// (`marks`), so a right-to-left attribution or a separator of typographic hyphens reads as
/// any other.
fn classify(lines: &[&str]) -> Vec<Kind> {
    let plain: Vec<Cow<'_, str>> = lines.iter().map(|line| marks::plain(line)).collect();
    let lines: Vec<&str> = plain.iter().map(AsRef::as_ref).collect();
    let lines = lines.as_slice();
    let mut kinds = Vec::with_capacity(lines.len());
    while kinds.len() < lines.len() {
        let index = kinds.len();
        let kind = line_kind(lines[index]);
        match splitter_len(lines, index, kind) {
            Some(len) => kinds.extend(std::iter::repeat_n(Kind::Splitter, len)),
            None => kinds.push(kind),
        }
    }
    kinds
}

fn line_kind(line: &str) -> Kind {
    let is_quote_header = || ORIGINAL_MESSAGE.is_match(line) || DASHED_ATTRIBUTION.is_match(line);
    if line.trim().is_empty() {
        Kind::Empty
    } else if FORWARD_MARKER.is_match(line) && !is_quote_header() {
        Kind::Forward
    } else if is_quote_line(line) && !is_framed_attribution(line) {
        Kind::Quote
    } else {
        Kind::Text
    }
}
