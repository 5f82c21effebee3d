//! Reply cleaning: removes the quoted history of a reply and splits the sender's signature off.
//!
//! Both functions work line by line with linear-time regexes, so any input is handled in time
//! proportional to its length. Forwarded messages are left alone by [`strip_quoted`]: unwrap
//! them first (an Outlook forward has no marker and would be cut like a quoted reply).

use super::signature::{is_contact_line, is_name_like, is_person_name};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// The new text of a reply without its quoted history, trimmed.
///
/// Removes `>` blocks, "On … wrote:" attributions in many languages (also spread over several
/// lines), "-----Original Message-----" separators and Outlook "From:/Sent:/To:/Subject:"
/// header blocks with everything below them. Text the sender wrote below or between quotes is
/// kept, as are "Sent from my iPhone" trailers and signatures (see [`split_signature`]).
/// A message that starts by forwarding another one is returned unchanged.
pub fn strip_quoted(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines = split_shared_attributions(&normalised);
    let kinds = classify(&lines);
    let (before, after) = kept_ranges(&lines, &kinds);
    let cut = before.end < lines.len() || after.is_some();
    let before_text = join_before(&lines[before], cut);
    let after_text = after
        .map(|range| lines[range].join("\n"))
        .unwrap_or_default();
    join_paragraphs(before_text.trim(), after_text.trim())
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
    let starts = line_starts(text);
    let lines: Vec<&str> = starts.iter().map(|r| line_text(text, r)).collect();
    let first_body_line = lines.iter().position(|l| !l.trim().is_empty());
    let start = first_body_line.and_then(|first| signature_start(&lines, first + 1, sender_name));
    match start.and_then(|i| text.split_at_checked(starts[i].start)) {
        Some((body, signature)) => (body.trim().to_string(), Some(signature.trim().to_string())),
        None => (text.trim().to_string(), None),
    }
}

// ---------------------------------------------------------------------------------------------
// Line kinds

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

const INTRO: &str = r"(?:on|am|op|le|el|em|il|il giorno|in data|no dia|a|à|den|på|vào|w dniu|dne)";
const VERB: &str = concat!(
    r"(?:wrote|writes|schrieb|schreef|geschreven|a [ée]crit|escribi[óo]|escreveu|napisa[łl]a?",
    r"|skrev|skrivit|kirjoitti|ha scritto|scrisse|đã viết|написала?|írta|yazdı|napsala?|kirjutas)"
);

static ATTRIBUTION_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^[-\s]*{INTRO}\s|^[-\s]*\d|@")).unwrap());

static LEADING_INTRO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^[-\s]*{INTRO}\s")).unwrap());

static NESTED_ATTRIBUTION_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^[-\s]*{INTRO}\s+\S*\d")).unwrap());

/// "On <date>, <name> wrote:" and "Op <date> schreef <name> <address>:" and the like.
static INTRO_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        concat!(
            r"(?i)^[-\s]*{INTRO}\s.*\d.*\b{VERB}(?:\s[^:]{{0,100}}@[^:]{{0,100}})?",
            r"(?:\s*:|\s*-{{2,}})[\s-]*$"
        ),
        INTRO = INTRO,
        VERB = VERB
    ))
    .unwrap()
});

/// "2011/4/7 Name <address>" and "02.04.2012 14:20 пользователь <address> написал:".
static DATE_ADDRESS_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\s(?:.*\d{1,2}:\d{2}.*[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+.*[>:]",
        r"|.*<\s*[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+\s*>)$"
    ))
    .unwrap()
});

/// "Name <address> wrote:", "address (Name) writes:" and "Name <address> sent:".
static ADDRESS_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+.*\b(?:{VERB}|sent)\s*:[\s-]*$"
    ))
    .unwrap()
});

/// Android: "---- John Smith wrote ----".
static DASHED_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^\s*-{{2,}}\s*\S.{{0,80}}\s{VERB}\s*:?\s*-{{2,}}\s*$"
    ))
    .unwrap()
});

/// "reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:" on one line.
static SHARED_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?P<reply>.*?[^\s-])[\s-]*\s",
        r"(?P<quote>On\s.*\d.*\b(?i:wrote)(?:\s*:|\s*-{2,})[\s-]*)$"
    ))
    .unwrap()
});

static ORIGINAL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^\s*-{2,}\s*(?:original message|reply message|urspr[üu]ngliche nachricht",
        r"|antwort nachricht|originalnachricht|oprindelig meddelelse|opprinnelig melding",
        r"|ursprungligt meddelande|mensagem original|mensaje original|message d'origine",
        r"|oorspronkelijk bericht|messaggio originale|alkuper[äa]inen viesti|p[ůu]vodn[íi] zpr[áa]va",
        r"|wiadomo[śs][ćc] oryginalna)\s*-{2,}\s*$"
    ))
    .unwrap()
});

/// Forward markers: any dashed title ("-------- Forwarded Message --------" in every language;
/// "Original Message" is matched first) and Apple Mail's "Begin forwarded message:", which
/// Apple Mail puts inside the quote.
static FORWARD_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^[\s>]*(?:-{3,}\s*[^-\s].{0,60}?\s*-{3,}|(?:begin forwarded message|forwarded message",
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

static HEADER_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^[\s*]*(?:(?P<from>from|von|de|van|fra|fr[åa]n|da|od|от|l[äa]hett[äa]j[äa]|felad[óo]",
        r"|kimden)|(?P<date>(?:sent|date|datum|gesendet|envoy[ée]|enviad[oa]|fecha|data|verzonden",
        r"|sendt|skickat|inviato|wys[łl]an[oe]|odesl[áa]no|l[äa]hetetty|p[äa]iv[äa]m[äa][äa]r[äa]",
        r"|dato|tarih)(?:\s+(?:el|em|le|am|on))?)|(?P<to>to|an|[àa]|para|aan|til|till|per|do|komu",
        r"|reply-to|vastaanottaja|c[íi]mzett|kime)|(?P<cc>b?cc|kopie|c[óo]pia|copie|kopia)",
        r"|(?P<subject>subject|betreff|objet|assunto|asunto|onderwerp|emne|[äa]mne|oggetto|temat",
        r"|p[řr]edm[ěe]t|aihe|t[áa]rgy|konu))[\s*]*:"
    ))
    .unwrap()
});

static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\s<>@\[\]]+@[^\s<>@\[\]]+\.[^\s<>@\[\]]+|mailto:").unwrap());

static BROKEN_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[(<]?https?://\S*[)>]?\s*>?\s*$").unwrap());

static SEPARATOR_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[-_=*~—]{2,}\s*$").unwrap());

const MAX_ATTRIBUTION_LINES: usize = 6;
const MAX_ATTRIBUTION_CHARS: usize = 500;
const MAX_HEADER_BLOCK_LINES: usize = 10;

/// Puts an attribution that shares its line with the reply on a line of its own.
fn split_shared_attributions(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    for line in text.split('\n') {
        let shared = (!is_quote_line(line) && !LEADING_INTRO.is_match(line))
            .then(|| SHARED_ATTRIBUTION.captures(line))
            .flatten();
        match shared.and_then(|c| Some((c.name("reply")?, c.name("quote")?))) {
            Some((reply, quote)) => lines.extend([reply.as_str(), quote.as_str()]),
            None => lines.push(line),
        }
    }
    lines
}

fn is_quote_line(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

fn classify(lines: &[&str]) -> Vec<Kind> {
    let mut kinds = Vec::with_capacity(lines.len());
    while kinds.len() < lines.len() {
        let index = kinds.len();
        match splitter_len(lines, index) {
            Some(len) => kinds.extend(std::iter::repeat_n(Kind::Splitter, len)),
            None => kinds.push(line_kind(lines[index])),
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
    } else if is_quote_line(line) {
        Kind::Quote
    } else {
        Kind::Text
    }
}

/// Number of lines of the quote header starting at `start`, if one starts there.
fn splitter_len(lines: &[&str], start: usize) -> Option<usize> {
    let line = lines[start];
    if line_kind(line) != Kind::Text {
        return None;
    }
    if ORIGINAL_MESSAGE.is_match(line) || DASHED_ATTRIBUTION.is_match(line) {
        return Some(1);
    }
    attribution_len(lines, start).or_else(|| header_block_len(lines, start))
}

/// An "On … wrote:" attribution of up to six lines, joined before matching.
fn attribution_len(lines: &[&str], start: usize) -> Option<usize> {
    let first = lines[start].trim();
    if first.len() > MAX_ATTRIBUTION_CHARS || !ATTRIBUTION_START.is_match(first) {
        return None;
    }
    let mut joined = String::new();
    for (offset, line) in lines[start..]
        .iter()
        .take(MAX_ATTRIBUTION_LINES)
        .enumerate()
    {
        let line = line.trim();
        if offset > 0
            && (NESTED_ATTRIBUTION_START.is_match(line) || first.ends_with(['.', '?', '!']))
        {
            return None;
        }
        if !line.is_empty() {
            joined.push_str(if joined.is_empty() { "" } else { " " });
            joined.push_str(line);
        }
        if joined.len() > MAX_ATTRIBUTION_CHARS {
            return None;
        }
        if is_attribution(&joined, offset + 1) {
            return Some(offset + 1);
        }
    }
    None
}

fn is_attribution(joined: &str, line_count: usize) -> bool {
    INTRO_ATTRIBUTION.is_match(joined)
        || (line_count <= 3
            && (DATE_ADDRESS_ATTRIBUTION.is_match(joined) || ADDRESS_ATTRIBUTION.is_match(joined)))
}

/// Which header of an Outlook-style quote header block a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    Date,
    To,
    Subject,
}

fn header_field(line: &str) -> Option<Field> {
    let captures = HEADER_FIELD.captures(line)?;
    let field = if captures.name("from").is_some() {
        Field::From
    } else if captures.name("date").is_some() {
        Field::Date
    } else if captures.name("subject").is_some() {
        Field::Subject
    } else {
        Field::To
    };
    Some(field)
}

/// A From/Sent/To/Subject block (one wrapped line allowed after each header).
fn header_block_len(lines: &[&str], start: usize) -> Option<usize> {
    let first = header_field(lines[start]).filter(|f| matches!(f, Field::From | Field::Date))?;
    let mut fields = vec![first];
    let mut from_has_address = first == Field::From && ADDRESS.is_match(lines[start]);
    let mut last = start;
    let end = lines.len().min(start + MAX_HEADER_BLOCK_LINES);
    for (index, line) in lines.iter().enumerate().take(end).skip(start + 1) {
        if line.trim().is_empty() || is_quote_line(line) {
            break;
        }
        match header_field(line) {
            Some(field) => {
                fields.push(field);
                last = index;
            }
            None if index == last + 1 => {
                from_has_address |= last == start && ADDRESS.is_match(line);
            }
            None => break,
        }
    }
    is_header_block(&fields, from_has_address).then_some(last - start + 1)
}

fn is_header_block(fields: &[Field], from_has_address: bool) -> bool {
    let has = |field| fields.contains(&field);
    (has(Field::From) && has(Field::Date))
        || (has(Field::Date) && has(Field::To))
        || (has(Field::From) && from_has_address && (has(Field::To) || has(Field::Subject)))
}

// ---------------------------------------------------------------------------------------------
// Which lines stay

/// The lines kept before the removed quotation and, when the sender wrote below it, after it.
fn kept_ranges(lines: &[&str], kinds: &[Kind]) -> (Range<usize>, Option<Range<usize>>) {
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
    relabel_broken_links(lines, &mut kinds, region.clone());
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
        return None;
    }
    let starts_quote_run = |i: usize| {
        kinds[i] == Kind::Quote && kinds.get(skip_empty(kinds, i + 1)) == Some(&Kind::Quote)
    };
    let start = (0..kinds.len()).find(|&i| kinds[i] == Kind::Splitter || starts_quote_run(i))?;
    let last_quote = kinds.iter().rposition(|k| *k == Kind::Quote)?;
    (start <= last_quote).then_some(start..last_quote + 1)
}

/// Long links wrapped out of a quote ("(http://…) >", "_nonce=3dd518)") stay part of it.
fn relabel_broken_links(lines: &[&str], kinds: &mut [Kind], region: Range<usize>) {
    for index in region.clone().skip(1) {
        let line = lines[index].trim();
        let wrapped_token = kinds[index - 1] == Kind::Quote
            && lines[index - 1].contains("://")
            && !line.contains(char::is_whitespace);
        if kinds[index] == Kind::Text && (BROKEN_LINK.is_match(line) || wrapped_token) {
            kinds[index] = Kind::Quote;
        }
    }
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
fn join_before(lines: &[&str], cut: bool) -> String {
    let is_trailer = |l: &str| l.trim().is_empty() || (cut && SEPARATOR_LINE.is_match(l));
    let keep = lines.len() - lines.iter().rev().take_while(|l| is_trailer(l)).count();
    lines[..keep].join("\n")
}

fn join_paragraphs(first: &str, second: &str) -> String {
    match (first.is_empty(), second.is_empty()) {
        (_, true) => first.to_string(),
        (true, false) => second.to_string(),
        (false, false) => format!("{first}\n\n{second}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Signature

const MAX_SIGNATURE_LINES: usize = 30;

static DELIMITER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:-{2,}|—|_{5,})\s*$").unwrap());

static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:thanks(?: (?:a lot|so much|again|in advance))?|thank you(?: (?:very much|so much",
        r"|again))?|many thanks|thx|regards|best regards|kind regards|warm regards|warmest regards",
        r"|best wishes|all the best|best|cheers|sincerely|yours(?: sincerely| truly| faithfully)?",
        r"|respectfully|br|kr|obrigad[oa]|muito obrigad[oa]|(?:com os )?(?:melhores )?cumprimentos",
        r"|atenciosamente|abra[çc]os?|um abra[çc]o|beijinhos|sauda[çc][õo]es|mit freundlichen gr[üu](?:ß|ss)en",
        r"|freundliche gr[üu](?:ß|ss)e|viele gr[üu](?:ß|ss)e|beste gr[üu](?:ß|ss)e|liebe gr[üu](?:ß|ss)e",
        r"|gr[üu](?:ß|ss)e|lg|vg|mfg|(?:met )?vriendelijke groet(?:en)?|hartelijke groet(?:en)?",
        r"|groet(?:en|jes)?|mvg|(?:bien )?cordialement|bien [àa] vous|(?:meilleures |sinc[èe]res )?salutations",
        r"|merci(?: beaucoup)?|bonne journ[ée]e|saludos(?: cordiales)?|un saludo|atentamente",
        r"|(?:muchas )?gracias|un abrazo|cordiali saluti|distinti saluti|saluti|grazie",
        r"|(?:med )?venn?lig hilsen|mvh|hilsen|(?:med )?v[äa]nliga h[äa]lsningar|h[äa]lsningar",
        r"|pozdrawiam|z powa[żz]aniem|s pozdravem)\b(?P<rest>.*)$"
    ))
    .unwrap()
});

static SENT_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:sent|envoy[ée]|enviado|gesendet|verzonden|verstuurd|inviato|skickat|sendt",
        r"|wys[łl]ane|odesl[áa]no|get|obter)\b.{0,30}?\b(?:from|with|de|desde|von|vanaf|met|da",
        r"|fr[åa]n|fra|par|avec|com|do|dal|via|for|para|z)\b(?P<rest>.*)$|^(?i:von meinem .* gesendet)"
    ))
    .unwrap()
});

static DEVICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)iphone|ipad|android|blackberry|samsung|galaxy|mobile|m[óo]vil|outlook|mail|htc",
        r"|phone|device|telem[óo]vel|handy|tablet|\bios\b|windows|nokia|huawei|xiaomi|pixel"
    ))
    .unwrap()
});

static DASH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s?[-–—]\s*\p{L}[\p{L}.'’]*(?:\s+\p{L}[\p{L}.'’]*){0,2}\s*$").unwrap()
});

fn line_starts(text: &str) -> Vec<Range<usize>> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for piece in text.split_inclusive('\n') {
        starts.push(offset..offset + piece.len());
        offset += piece.len();
    }
    starts
}

fn line_text<'a>(text: &'a str, range: &Range<usize>) -> &'a str {
    text.get(range.clone())
        .unwrap_or("")
        .trim_end_matches(['\n', '\r'])
}

/// The first line, at or after `from`, where a signature starts.
fn signature_start(lines: &[&str], from: usize, sender: Option<&str>) -> Option<usize> {
    let remaining = non_blank_suffix_counts(lines);
    let contact_block = contact_block_start(lines);
    (from..lines.len()).find(|&index| {
        let line = lines[index].trim();
        !line.is_empty()
            && remaining[index] <= MAX_SIGNATURE_LINES
            && (is_delimiter(lines, index) && remaining[index] > 1
                || is_closing(lines, index)
                || is_sent_from(line) && remaining[index] <= 4
                || is_dash_name(lines, index) && remaining[index] <= 10
                || is_sender_block(lines, index, sender, remaining[index])
                || contact_block == Some(index))
    })
}

/// "-- ", "---", "_____" — but not the "-------" underlining a heading just above it.
fn is_delimiter(lines: &[&str], index: usize) -> bool {
    let line = lines[index].trim();
    let above = index.checked_sub(1).map_or("", |i| lines[i].trim());
    let underlines_heading = !above.is_empty()
        && !above.ends_with(['.', '?', '!', ',', ':'])
        && line.chars().count() >= 3
        && line.chars().count().abs_diff(above.chars().count()) <= 2;
    DELIMITER.is_match(line) && !underlines_heading
}

/// `counts[i]` = number of non-blank lines from `i` to the end.
fn non_blank_suffix_counts(lines: &[&str]) -> Vec<usize> {
    let mut counts = vec![0; lines.len() + 1];
    for index in (0..lines.len()).rev() {
        counts[index] = counts[index + 1] + usize::from(!lines[index].trim().is_empty());
    }
    counts
}

fn next_non_blank<'a>(lines: &[&'a str], index: usize) -> Option<&'a str> {
    lines
        .iter()
        .skip(index + 1)
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
}

fn previous_non_blank<'a>(lines: &[&'a str], index: usize) -> Option<&'a str> {
    lines[..index]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
}

/// "Regards,", "Thanks!", "Best, Ana", "Obrigado," — followed by nothing or a short line.
fn is_closing(lines: &[&str], index: usize) -> bool {
    let Some(rest) = CLOSING
        .captures(lines[index].trim())
        .and_then(|c| c.name("rest"))
    else {
        return false;
    };
    let name = rest
        .as_str()
        .trim_start_matches(|c: char| c.is_whitespace() || ",.!;:-–—".contains(c));
    let name = name.trim_end_matches(|c: char| c.is_whitespace() || ",.!".contains(c));
    let name_ok = name.is_empty() || (name.split_whitespace().count() <= 3 && is_name_like(name));
    name_ok && next_non_blank(lines, index).is_none_or(is_short_line)
}

fn is_short_line(line: &str) -> bool {
    line.chars().count() <= 60 && line.split_whitespace().count() <= 8 && !line.ends_with('?')
}

/// "Sent from my iPhone", "Enviado desde mi BlackBerry", but not "Sent from my desk, is …".
fn is_sent_from(line: &str) -> bool {
    let Some(captures) = SENT_FROM.captures(line) else {
        return false;
    };
    let rest = captures.name("rest").map_or("", |m| m.as_str());
    let short_rest = rest.split_whitespace().count() <= 4;
    !line.contains(',')
        && line.split_whitespace().count() <= 12
        && (short_rest || DEVICE.is_match(rest))
}

/// "-Abhishek Kona", "- roman", but not an item of a dashed list.
fn is_dash_name(lines: &[&str], index: usize) -> bool {
    let is_list_item =
        |line: Option<&str>| line.is_some_and(|l| l.starts_with(['-', '–', '—', '*', '•']));
    DASH_NAME.is_match(lines[index])
        && !is_list_item(previous_non_blank(lines, index))
        && !is_list_item(next_non_blank(lines, index))
}

/// The sender's name followed by a few short lines ("Stavros Papadopoulos\nvia mobile").
fn is_sender_block(lines: &[&str], index: usize, sender: Option<&str>, remaining: usize) -> bool {
    let usable_sender = sender.filter(|s| s.chars().any(char::is_alphabetic) && !s.contains('@'));
    let line = lines[index].trim();
    let rest_is_short = || {
        let mut rest = lines[index + 1..].iter().map(|l| l.trim());
        rest.all(|l| l.is_empty() || is_short_line(l))
    };
    usable_sender.is_some_and(|s| is_person_name(line, Some(s)))
        && line.split_whitespace().count() <= 6
        && (2..=8).contains(&remaining)
        && rest_is_short()
}

/// Start of the trailing block of name-like and contact lines, if it holds a contact line.
fn contact_block_start(lines: &[&str]) -> Option<usize> {
    let mut start = None;
    let mut has_contact = false;
    let mut count = 0;
    for (index, line) in lines.iter().enumerate().rev() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if is_contact_line(line) {
            has_contact = true;
        } else if !is_name_like(line) {
            break;
        }
        count += 1;
        if count > 10 {
            return None;
        }
        start = Some(index);
    }
    start.filter(|_| has_contact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_on_date_wrote_attribution_and_its_quote_are_removed() {
        let text =
            "Sounds good.\n\nOn Mon, 3 Mar 2025 at 10:00, Ana <ana@acme.pt> wrote:\n> Hi\n> there";
        assert_eq!(strip_quoted(text), "Sounds good.");
    }

    #[test]
    fn portuguese_german_and_french_attributions_are_removed() {
        let cases = [
            "Ok\n\nEm seg., 3 de mar. de 2025 às 10:00, Ana <ana@acme.pt> escreveu:\n> Olá",
            "Ok\n\nAm 03.03.2025 um 10:00 schrieb Max Muster <max@beispiel.de>:\n> Hallo",
            "Ok\n\nLe lun. 3 mars 2025 à 10:00, Marie <marie@exemple.fr> a écrit :\n> Bonjour",
            "Ok\n\nEl lun, 3 mar 2025 a las 10:00, Carlos (<carlos@ejemplo.es>) escribió:\n> Hola",
        ];
        for text in cases {
            assert_eq!(strip_quoted(text), "Ok", "{text}");
        }
    }

    #[test]
    fn a_portuguese_outlook_header_block_cuts_the_rest() {
        let text = "Obrigado!\n\nDe: Ana Silva <ana@acme.pt>\nEnviado: segunda-feira, 3 de março de 2025 10:00\n\
                    Para: Rui <rui@example.pt>\nAssunto: Proposta\n\nOlá Rui, segue a proposta.";
        assert_eq!(strip_quoted(text), "Obrigado!");
    }

    #[test]
    fn apple_mail_portuguese_and_italian_gmail_attributions_are_removed() {
        let cases = [
            "Ok\n\nNo dia 3/03/2025, às 10:00, Ana <ana@acme.pt> escreveu:\n\n> Olá\n> tudo bem",
            "Ok\n\nIl giorno lun 3 mar 2025 alle ore 10:00 Mario <m@x.it> ha scritto:\n> Ciao",
            "Ok\n\nOp 3 mrt. 2025 om 10:00 heeft Pieter <p@x.nl> het volgende geschreven:\n> Hoi",
        ];
        for text in cases {
            assert_eq!(strip_quoted(text), "Ok", "{text}");
        }
    }

    #[test]
    fn a_sentence_that_starts_with_a_date_and_mentions_sending_is_not_an_attribution() {
        let text = "On 5 March we sent the proposal to Ana, she said:\nthe price is fine.";
        assert_eq!(strip_quoted(text), text);
    }

    #[test]
    fn a_sentence_ending_in_sent_colon_is_not_an_attribution() {
        let text = "A total of 3 invoices were sent:\n- 2024-001\n- 2024-002";
        assert_eq!(strip_quoted(text), text);
    }

    #[test]
    fn a_dated_note_with_an_address_is_not_an_attribution() {
        let text = "2024-03-05 call with ana@acme.pt:\nwants a demo in April";
        assert_eq!(strip_quoted(text), text);
    }

    #[test]
    fn a_short_answer_right_under_a_quoted_line_is_kept() {
        let text = "On 1 May 2024, Bob <b@x.io> wrote:\n> Monday?\nYes.\n> Price?\n100 EUR";
        assert_eq!(strip_quoted(text), text);
    }

    #[test]
    fn a_form_with_a_from_label_but_no_date_is_not_cut() {
        let text = "From: Jane Doe\nCompany: Acme\nSubject: Quote\nMessage: hello";
        assert_eq!(strip_quoted(text), text);
    }

    #[test]
    fn an_answer_written_between_quotes_is_kept_with_its_context() {
        let text =
            "On 1 May 2024, Bob <b@x.io> wrote:\n> Price?\n\n100 EUR.\n\n> Delivery?\n\nMay.";
        assert_eq!(strip_quoted(text), text);
    }

    #[test]
    fn a_forwarded_message_is_left_alone() {
        let text = "FYI\n\n---------- Forwarded message ---------\nFrom: a@b.io\nDate: x\n\nBody";
        assert_eq!(strip_quoted(text), text);
    }

    #[test]
    fn localized_and_quoted_forward_markers_leave_the_text_alone() {
        let cases = [
            "Veja abaixo\n\n-------- Mensagem reencaminhada --------\nAssunto: Proposta\nDe: Ana <a@b.pt>\n\nTexto",
            "FYI\n\n> Anfang der weitergeleiteten Nachricht:\n>\n> Von: Max <m@b.de>\n> Betreff: Angebot\n> Text",
        ];
        for text in cases {
            assert_eq!(strip_quoted(text), text);
        }
    }

    #[test]
    fn crlf_input_is_handled() {
        let text = "Yes\r\n\r\nOn Tue, Sep 25, 2012 at 8:59 AM, Chris\r\n<c@github.com>wrote:\r\n\r\n> x\r\n";
        assert_eq!(strip_quoted(text), "Yes");
    }

    #[test]
    fn a_portuguese_closing_with_a_name_block_is_a_signature() {
        let text = "Bom dia,\n\nPodem enviar o orçamento?\n\nObrigado,\nJoão Silva\nDiretor Comercial\n+351 912 345 678";
        let (body, signature) = split_signature(text);
        assert_eq!(body, "Bom dia,\n\nPodem enviar o orçamento?");
        assert_eq!(
            signature.as_deref(),
            Some("Obrigado,\nJoão Silva\nDiretor Comercial\n+351 912 345 678")
        );
    }

    #[test]
    fn a_german_closing_is_a_signature() {
        let (body, signature) =
            split_signature("Hallo,\n\nbitte anrufen.\n\nMit freundlichen Grüßen\nMax Muster");
        assert_eq!(body, "Hallo,\n\nbitte anrufen.");
        assert_eq!(
            signature.as_deref(),
            Some("Mit freundlichen Grüßen\nMax Muster")
        );
    }

    #[test]
    fn a_trailing_contact_block_without_closing_is_a_signature() {
        let text = "Please send the brochure.\n\nPieter de Vries\nVoorbeeld B.V.\nwww.voorbeeld.nl";
        let (body, signature) = split_signature(text);
        assert_eq!(body, "Please send the brochure.");
        assert_eq!(
            signature.as_deref(),
            Some("Pieter de Vries\nVoorbeeld B.V.\nwww.voorbeeld.nl")
        );
    }

    #[test]
    fn a_heading_underline_is_not_a_signature_delimiter() {
        let text = "Hi,\n\nSummary\n-------\nWe agreed on 20 licences.";
        assert_eq!(split_signature(text).1, None);
    }

    #[test]
    fn a_sent_from_my_iphone_line_is_a_signature_but_a_sentence_is_not() {
        assert_eq!(
            split_signature("Ok\n\nEnviado do meu iPhone").1.as_deref(),
            Some("Enviado do meu iPhone")
        );
        assert_eq!(
            split_signature("Ok\n\nSent from my desk, it is easier.").1,
            None
        );
    }

    #[test]
    fn the_sender_name_starts_a_signature_only_when_given() {
        let text = "I can't go higher.\n\nStavros Papadopoulos\nvia mobile";
        assert_eq!(split_signature(text).1, None);
        let (_, signature) = split_signature_for(text, Some("Stavros Papadopoulos"));
        assert_eq!(
            signature.as_deref(),
            Some("Stavros Papadopoulos\nvia mobile")
        );
    }

    #[test]
    fn a_thanks_sentence_is_not_a_closing() {
        let text = "Hi,\n\nThanks for the call today.\nCan we meet on Monday?";
        assert_eq!(split_signature(text).1, None);
    }

    #[test]
    fn a_sentence_mentioning_a_phone_is_not_a_signature() {
        let text = "Hi Ana,\n\nPlease call me at +351 912 345 678.";
        assert_eq!(split_signature(text).1, None);
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "",
            "\n",
            ">",
            "-- ",
            "On",
            "\r",
            "é\n--\né",
            "From: x\nDate:",
            "—\n—",
            ">\n>\n>",
        ] {
            let _ = strip_quoted(text);
            let _ = split_signature_for(text, Some("é"));
        }
    }

    #[test]
    fn a_large_quoted_message_is_stripped_quickly() {
        let mut text = String::from("Reply\n\nOn 1 May 2024, Bob <b@x.io> wrote:\n");
        for i in 0..50_000 {
            text.push_str(&format!("> line {i} On 2 May 2024 From: x wrote:\n"));
        }
        text.push_str(&"On 3 May 2024 ".repeat(20_000));
        let started = std::time::Instant::now();
        assert!(strip_quoted(&text).starts_with("Reply\n\nOn 3 May"));
        let _ = split_signature(&text);
        assert!(
            started.elapsed().as_secs() < 20,
            "took {:?}",
            started.elapsed()
        );
    }

    /// Walks the talon and email-reply-parser ground truth in /work/shared/corpus.
    mod corpus {
        use super::super::*;
        use serde_json::Value;
        use std::path::{Path, PathBuf};
        use std::time::{Duration, Instant};

        const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

        /// Passed/total counts of one corpus, with what failed and what was skipped.
        struct Tally {
            name: &'static str,
            passed: usize,
            total: usize,
            failures: Vec<String>,
            skipped: Vec<String>,
        }

        impl Tally {
            fn new(name: &'static str) -> Self {
                Tally {
                    name,
                    passed: 0,
                    total: 0,
                    failures: Vec::new(),
                    skipped: Vec::new(),
                }
            }

            fn check(&mut self, id: &str, ok: bool, detail: impl FnOnce() -> String) {
                self.total += 1;
                if ok {
                    self.passed += 1;
                } else {
                    self.failures.push(format!("{id}: {}", detail()));
                }
            }

            fn print(&self) {
                let percent = 100.0 * self.passed as f64 / self.total.max(1) as f64;
                println!(
                    "{}: {}/{} exact ({percent:.1}%)",
                    self.name, self.passed, self.total
                );
                self.failures.iter().for_each(|f| println!("  FAILED {f}"));
                if !self.skipped.is_empty() {
                    println!(
                        "  skipped {}: {}",
                        self.skipped.len(),
                        self.skipped.join(", ")
                    );
                }
            }
        }

        fn normalise(text: &str) -> String {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        }

        fn read_text(path: &Path) -> Option<String> {
            std::fs::read(path)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        }

        fn load(relative: &str) -> Option<(PathBuf, Value)> {
            let path = Path::new(CORPUS).join(relative);
            let Some(json) = read_text(&path) else {
                println!("skipping: corpus not found at {}", path.display());
                return None;
            };
            let dir = path.parent()?.to_path_buf();
            Some((
                dir,
                serde_json::from_str(&json).expect("corpus expected.json parses"),
            ))
        }

        fn cases<'a>(json: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
            json[key].as_array().into_iter().flatten()
        }

        fn text_of<'a>(case: &'a Value, key: &str) -> &'a str {
            case[key].as_str().unwrap_or("")
        }

        /// The visible reply in email-reply-parser's sense: no quotes and no signature.
        fn visible_reply(text: &str) -> String {
            split_signature(&strip_quoted(text)).0
        }

        #[test]
        fn reply_extraction_matches_talon_and_email_reply_parser() {
            let (Some(talon), Some(erp)) = (
                load("talon/expected.json"),
                load("email-reply-parser/expected.json"),
            ) else {
                return;
            };
            let tallies = [
                talon_inline_replies(&talon.1),
                talon_fixture_replies(&talon.0, &talon.1),
                email_reply_parser_replies(&erp.0, &erp.1),
            ];
            tallies.iter().for_each(Tally::print);
            let passed: usize = tallies.iter().map(|t| t.passed).sum();
            let total: usize = tallies.iter().map(|t| t.total).sum();
            println!("combined reply extraction: {passed}/{total}");
            assert!(total > 0, "no corpus case ran");
            assert!(
                passed * 100 >= total * 95,
                "reply accuracy {passed}/{total} is below 95%"
            );
        }

        #[test]
        fn signature_split_matches_talon() {
            let Some((dir, talon)) = load("talon/expected.json") else {
                return;
            };
            let inline = talon_inline_signatures(&talon);
            let fixtures = talon_fixture_signatures(&dir, &talon);
            inline.print();
            fixtures.print();
            let passed = inline.passed + fixtures.passed;
            let total = inline.total + fixtures.total;
            println!("combined signature split: {passed}/{total}");
            assert!(total > 0, "no corpus case ran");
            assert!(
                passed * 100 >= total * 90,
                "signature accuracy {passed}/{total} is below 90%"
            );
        }

        fn talon_inline_replies(talon: &Value) -> Tally {
            let mut tally = Tally::new("talon inline replies (plain text)");
            for case in cases(talon, "inline_cases") {
                let id = text_of(case, "id");
                match text_of(case, "function") {
                    "quotations.extract_from_plain" => {
                        let got = strip_quoted(text_of(case, "input"));
                        let want = text_of(case, "expected_reply");
                        tally.check(id, normalise(&got) == normalise(want), || {
                            format!("got {got:?}, want {want:?}")
                        });
                    }
                    "quotations.extract_from_html" => tally.skipped.push(format!("{id} (html)")),
                    _ => {}
                }
            }
            tally
        }

        fn talon_fixture_replies(dir: &Path, talon: &Value) -> Tally {
            let mut tally = Tally::new("talon fixture replies (.eml, text/plain part)");
            for case in cases(talon, "fixture_cases") {
                let file = text_of(case, "file");
                let Some(raw) = read_text(&dir.join(file)) else {
                    tally.skipped.push(format!("{file} (missing)"));
                    continue;
                };
                match text_of(case, "task") {
                    "reply_extraction_plain" if case["expected_properties"].is_array() => {
                        let got = strip_quoted(&raw);
                        let ok = !got.trim().is_empty() && !got.contains("From");
                        tally.check(file, ok, || format!("got {got:?}"));
                    }
                    "reply_extraction_plain" => {
                        let got = strip_quoted(&first_plain_text(&raw));
                        let want = text_of(case, "expected_reply");
                        tally.check(file, normalise(&got) == normalise(want), || {
                            format!("got {got:?}, want {want:?}")
                        });
                    }
                    "reply_extraction_html" => tally.skipped.push(format!("{file} (html)")),
                    _ => {}
                }
            }
            tally
        }

        fn email_reply_parser_replies(dir: &Path, erp: &Value) -> Tally {
            let mut tally = Tally::new("email-reply-parser visible replies");
            for case in cases(erp, "cases") {
                let file = text_of(case, "file");
                let Some(text) = read_text(&dir.join(file)) else {
                    tally.skipped.push(format!("{file} (missing)"));
                    continue;
                };
                let started = Instant::now();
                let reply = visible_reply(&text);
                let problems = reply_problems(case, &text, &reply, started.elapsed());
                match problems {
                    None => tally.skipped.push(format!("{file} (nothing checkable)")),
                    Some(p) => tally.check(file, p.is_empty(), || {
                        format!("{}; got {reply:?}", p.join("; "))
                    }),
                }
            }
            tally
        }

        /// Checks one email-reply-parser case; `None` when the case asserts nothing we can check.
        fn reply_problems(
            case: &Value,
            text: &str,
            reply: &str,
            took: Duration,
        ) -> Option<Vec<String>> {
            let mut checks = 0;
            let mut problems = Vec::new();
            let mut expect = |ok: bool, what: String| {
                checks += 1;
                if !ok {
                    problems.push(what);
                }
            };
            if text_of(case, "file").ends_with("pathological.txt") {
                expect(took < Duration::from_secs(1), format!("took {took:?}"));
            }
            if let Some(want) = case["expected_reply"].as_str() {
                expect(
                    normalise(reply) == normalise(want),
                    format!("want {want:?}"),
                );
            }
            for wanted in cases(case, "reply_contains").filter_map(Value::as_str) {
                expect(reply.contains(wanted), format!("missing {wanted:?}"));
            }
            for unwanted in cases(case, "reply_not_contains").filter_map(Value::as_str) {
                expect(!reply.contains(unwanted), format!("contains {unwanted:?}"));
            }
            if case["fragments"]["count"].as_u64() == Some(1) {
                expect(
                    normalise(reply) == normalise(text),
                    "want the whole text".to_string(),
                );
            }
            for (visible, needle, prefix) in fragment_expectations(case) {
                if visible && prefix {
                    expect(
                        reply.starts_with(&needle),
                        format!("should start with {needle:?}"),
                    );
                } else if visible {
                    expect(reply.contains(&needle), format!("missing {needle:?}"));
                } else if needle.len() >= 4 {
                    expect(
                        !reply.contains(&needle),
                        format!("contains hidden {needle:?}"),
                    );
                }
            }
            (checks > 0).then_some(problems)
        }

        /// `fragment_contains` as (fragment visible?, substring, must start with it?); without
        /// hidden flags only fragment 0 is taken as visible.
        fn fragment_expectations(case: &Value) -> Vec<(bool, String, bool)> {
            let hidden = &case["fragments"]["hidden"];
            cases(case, "fragment_contains")
                .filter_map(|pair| {
                    let index = pair[0].as_u64()? as usize;
                    let raw = pair[1].as_str()?;
                    let visible = hidden[index].as_bool().map_or(index == 0, |h| !h);
                    let needle = raw
                        .strip_prefix('^')
                        .and_then(|r| r.strip_suffix(" (starts with)"));
                    Some((visible, needle.unwrap_or(raw).to_string(), needle.is_some()))
                })
                .collect()
        }

        fn talon_inline_signatures(talon: &Value) -> Tally {
            let mut tally = Tally::new("talon inline signature splits");
            for case in cases(talon, "inline_cases") {
                let sender = match text_of(case, "function") {
                    "bruteforce.extract_signature" => None,
                    "signature.extract(body, sender)" => case["sender"].as_str(),
                    _ => continue,
                };
                let (text, signature) = split_signature_for(text_of(case, "input"), sender);
                let want_text = case["expected_text"].as_str();
                let want_signature = case["expected_signature"].as_str();
                let ok = want_text.is_none_or(|w| normalise(w) == normalise(&text))
                    && same_signature(signature.as_deref(), want_signature);
                tally.check(text_of(case, "id"), ok, || {
                    format!(
                        "got ({text:?}, {signature:?}), want ({want_text:?}, {want_signature:?})"
                    )
                });
            }
            tally
        }

        fn same_signature(got: Option<&str>, want: Option<&str>) -> bool {
            normalise(got.unwrap_or("")) == normalise(want.unwrap_or(""))
        }

        fn talon_fixture_signatures(dir: &Path, talon: &Value) -> Tally {
            let mut tally = Tally::new("talon fixture signature splits");
            for case in cases(talon, "fixture_cases") {
                let file = text_of(case, "file");
                let expected = match text_of(case, "task") {
                    "signature_extraction" => stripped_case(dir, case),
                    "signature_line_annotation" => annotated_case(dir, case),
                    _ => continue,
                };
                let Some((body, sender, want)) = expected else {
                    tally.skipped.push(format!("{file} (missing)"));
                    continue;
                };
                let (_, got) = split_signature_for(&strip_quoted(&body), sender.as_deref());
                tally.check(file, same_signature(got.as_deref(), Some(&want)), || {
                    format!("got {got:?}, want {want:?}")
                });
            }
            tally
        }

        fn without_markers(text: &str) -> String {
            text.lines()
                .map(|l| l.trim_start_matches("#sig#"))
                .collect::<Vec<_>>()
                .join("\n")
        }

        /// (body, sender, expected signature) of a `stripped/` triple ("#sig#" markers removed).
        fn stripped_case(dir: &Path, case: &Value) -> Option<(String, Option<String>, String)> {
            let body = read_text(&dir.join(text_of(case, "file")))?;
            let sender = read_text(&dir.join(text_of(case, "sender_file")));
            let want = read_text(&dir.join(text_of(case, "expected_signature_file")))?;
            let sender = sender
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            Some((without_markers(&body), sender, without_markers(&want)))
        }

        /// (body, sender, expected signature) of a `P/` file: leading header lines give the
        /// sender, "#sig#" lines are the signature, "#reply#" lines are quoted text.
        fn annotated_case(dir: &Path, case: &Value) -> Option<(String, Option<String>, String)> {
            let text = read_text(&dir.join(text_of(case, "file")))?;
            let is_header = |l: &&str| l.split_once(": ").is_some_and(|(k, _)| !k.contains(' '));
            let header_count = text.lines().take_while(is_header).count();
            let from = text
                .lines()
                .take(header_count)
                .find_map(|l| l.strip_prefix("From: "));
            let sender_file = case["sender_file"]
                .as_str()
                .and_then(|f| read_text(&dir.join(f)));
            let sender = from
                .map(sender_name)
                .or(sender_file.map(|s| s.trim().to_string()));
            let body_lines: Vec<&str> = text.lines().skip(header_count).collect();
            let strip = |l: &str| {
                l.trim_start_matches("#sig#")
                    .trim_start_matches("#reply#")
                    .to_string()
            };
            let body = body_lines
                .iter()
                .map(|l| strip(l))
                .collect::<Vec<_>>()
                .join("\n");
            let signature: Vec<String> = body_lines
                .iter()
                .filter(|l| l.starts_with("#sig#"))
                .map(|l| strip(l))
                .collect();
            Some((body, sender, signature.join("\n")))
        }

        /// "doe@example.com (John Doe)" → "John Doe".
        fn sender_name(from: &str) -> String {
            let in_parentheses = from.split_once('(').and_then(|(_, r)| r.split_once(')'));
            in_parentheses
                .map_or(from, |(name, _)| name)
                .trim()
                .to_string()
        }

        /// Minimal MIME for the talon .eml fixtures: the first text/plain part, decoded.
        fn first_plain_text(raw: &str) -> String {
            let raw = raw.replace("\r\n", "\n");
            let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
            let boundary = regex::Regex::new(r#"(?i)boundary="?([^";\s]+)"?"#).unwrap();
            let Some(boundary) = boundary.captures(head).and_then(|c| c.get(1)) else {
                return decode_part(head, body);
            };
            body.split(&format!("--{}", boundary.as_str()))
                .filter_map(|part| part.trim_start_matches('\n').split_once("\n\n"))
                .find(|(head, _)| head.to_lowercase().contains("content-type: text/plain"))
                .map(|(head, body)| decode_part(head, body))
                .unwrap_or_default()
        }

        fn decode_part(head: &str, body: &str) -> String {
            let head = head.to_lowercase();
            let bytes = if head.contains("content-transfer-encoding: base64") {
                base64_decode(body)
            } else if head.contains("content-transfer-encoding: quoted-printable") {
                quoted_printable_decode(body)
            } else {
                body.as_bytes().to_vec()
            };
            String::from_utf8_lossy(&bytes).into_owned()
        }

        fn base64_decode(text: &str) -> Vec<u8> {
            let value = |c: u8| match c {
                b'A'..=b'Z' => Some(c - b'A'),
                b'a'..=b'z' => Some(c - b'a' + 26),
                b'0'..=b'9' => Some(c - b'0' + 52),
                b'+' => Some(62),
                b'/' => Some(63),
                _ => None,
            };
            let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0u32);
            for sextet in text.bytes().filter_map(value) {
                acc = (acc << 6) | u32::from(sextet);
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    out.push((acc >> bits) as u8);
                    acc &= (1 << bits) - 1;
                }
            }
            out
        }

        fn quoted_printable_decode(text: &str) -> Vec<u8> {
            let joined = text.replace("=\n", "");
            let bytes = joined.as_bytes();
            let (mut out, mut index) = (Vec::new(), 0);
            while index < bytes.len() {
                let hex = bytes
                    .get(index + 1..index + 3)
                    .filter(|_| bytes[index] == b'=');
                let byte =
                    hex.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
                match byte {
                    Some(byte) => (out.push(byte), index += 3),
                    None => (out.push(bytes[index]), index += 1),
                };
            }
            out
        }
    }
}
